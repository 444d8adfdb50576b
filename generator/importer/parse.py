"""Published report text → Report: sections by their headings, narrative by paragraphs,
tables by matching each run of numbers to the row label printed before it.

Every label comes from the format data. Nothing is guessed: a row whose label does not
match, a count that is not a whole number, a section that is missing, all become problems
with their place in the input, and the cells stay empty.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from ..format import CHINESE_NUMERALS, EarlierFormat, Format, Section, Table, normalize_label
from ..report import Cell, CellId, Loc, Report, Text
from .sources import Line

# CJK Radicals Supplement forms that PDF producers use for ordinary simplified characters
# (NFKC folds the Kangxi radicals, U+2F00–U+2FD5, but not these).
RADICALS = str.maketrans("⺠⻔⻓⻅⻆⻋⻢⻜⻛⻚⻝⻩⻘⻬⻮⻰⻳⻥⻦⻤⻉⻈⻊⻏⻙⻨⻧", "民门长见角车马飞风页食黄青齐齿龙龟鱼鸟鬼贝讠丬阝韦钅麦")
FURNITURE = [
    re.compile(r"^[—–\-－─~]+\s*\d{1,3}\s*[—–\-－─~]+$"),
    re.compile(r"^第\s*\d+\s*页(\s*[/，,]?\s*共\s*\d+\s*页)?$"),
    re.compile(r"^共\s*\d+\s*页(\s*[/，,]?\s*第\s*\d+\s*页)?$"),
    re.compile(r"^\d{1,3}\s*/\s*\d{1,3}$"),
    re.compile(r"^(page|Page|PAGE)\s*\d+(\s*(of|/)\s*\d+)?$"),
]
PLACEHOLDER = re.compile(r"[/／\\\-—–－─~]+|无")  # printed in a cell for "none"
MAX_NUMBER_CHARS = 30
NUMBER = re.compile(r"([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?")
NUMBERING = re.compile(r"(?<![0-9])([0-9]+)[、．]")
PART_NUMBER = re.compile(r"^[（(]([一二三四五六七八九十])[）)]\s*")
PARAGRAPH_START = re.compile(r"^([（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]\D|[一二三四五六七八九十]+[、是]|第[一二三四五六七八九十]+[，,、])")
SENTENCE_END = "。！？；：!?;:）)”"
DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


def normalize_text(text: str) -> str:
    """Kangxi radicals and radical-supplement look-alikes to ordinary characters; no-break spaces to spaces."""
    text = "".join(unicodedata.normalize("NFKC", ch) if "\u2f00" <= ch <= "\u2fdf" else ch for ch in text)
    return text.translate(RADICALS).replace("\u00a0", " ").replace("\u200b", "")


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def place_of(lines: list[Line]) -> str:
    """Where a stretch of lines begins (its first line with text)."""
    return next((line.place for line in lines if line.text.strip()), "")


def is_furniture(text: str) -> bool:
    stripped = text.strip()
    return any(p.match(stripped) for p in FURNITURE)


@dataclass
class Problem:
    place: str
    message: str


@dataclass
class Extraction:
    report: Report
    format_name: str
    problems: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)  # how something was read; nothing lost
    sources: dict[CellId, str] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass(frozen=True)
class Token:
    text: str  # for a blank cell "", for a "/" or "—" placeholder "0"
    line: int  # index into the section's lines
    number: bool
    blank: bool = False
    placeholder: bool = False


class Importer:
    def __init__(self, lines: list[Line], fmt: Format, name: str, table_lines: list[Line] | None = None):
        self.fmt = fmt
        self.name = name
        self.lines = self.clean(lines)
        self.table_lines = self.clean(table_lines) if table_lines is not None else None
        self.report = Report(format=fmt, path=name)
        self.title_index: int | None = None
        self.result = Extraction(self.report, fmt.id)
        for table in fmt.tables.values():
            for row in table.rows:
                for column in table.columns:
                    self.report.cells[(table.key, row.key, column.key)] = Cell(None, typed=not (row.total or column.total))

    @staticmethod
    def clean(lines: list[Line]) -> list[Line]:
        normalized = (Line(normalize_text(line.text), line.place) for line in lines)
        return [line for line in normalized if not is_furniture(line.text)]

    def loc(self, place: str) -> Loc:
        """A location in the published file: it has places (第 4 页第 12 行), not form lines."""
        return Loc(self.name, 0, 0, place=place)

    def problem(self, place: str, message: str) -> None:
        self.result.problems.append(Problem(place, message))

    # --- title, format, sections -------------------------------------------------------

    def take_title(self) -> None:
        """Find the title (it may wrap over up to three lines), set agency and year, drop it."""
        patterns = [re.compile(p) for p in self.fmt.title_patterns]
        limit = min(len(self.lines), 40)
        for start in range(limit):
            joined = ""
            for end in range(start, min(start + 3, limit)):
                if any(self.heading_matches(self.lines[end].text, section) for section in self.fmt.sections):
                    break
                joined += squeeze(self.lines[end].text)
                match = next((m for m in (p.match(joined) for p in patterns) if m and m.group("机关")), None)
                if match:
                    self.report.agency, self.report.year = match.group("机关"), int(match.group("年度"))
                    self.report.title = joined
                    self.title_index = start
                    title_loc = self.loc(self.lines[start].place)
                    self.report.field_locs.update({"机关": title_loc, "年度": title_loc})
                    title = joined
                    self.lines = self.lines[:start] + self.lines[end + 1 :]
                    self.lines = [line for line in self.lines if squeeze(line.text) != title]  # running headers
                    return
        self.problem(self.lines[0].place if self.lines else "开头", "未找到标题（“某机关某年政府信息公开工作年度报告”），机关和年度请手工填写")

    def earlier_format(self) -> EarlierFormat | None:
        text = squeeze("".join(line.text for line in self.lines))
        for earlier in self.fmt.earlier_formats:
            if sum(marker in text for marker in earlier.markers) >= 2:
                return earlier
        return None

    def heading_matches(self, text: str, section: Section) -> bool:
        if not section.number:
            return False
        folded = normalize_label(text)
        prefix = f"{section.number}、"
        if not folded.startswith(prefix):
            return False
        rest = folded[len(prefix) :]
        for name in (section.key, *section.aliases):
            name = normalize_label(name)
            if name in rest[: len(name) + 12] or difflib.SequenceMatcher(None, rest[: len(name) + 2], name).ratio() >= 0.85:
                return True
        return False

    def split_sections(self, lines: list[Line]) -> dict[str, tuple[int, list[Line]]]:
        """Each section's heading index and lines, found in the format's order."""
        found: list[tuple[Section, int]] = []
        next_section = 0
        for index, line in enumerate(lines):
            for offset, section in enumerate(self.fmt.sections[next_section:]):
                if self.heading_matches(line.text, section):
                    found.append((section, index))
                    next_section += offset + 1
                    break
        sections = {}
        for position, (section, index) in enumerate(found):
            end = found[position + 1][1] if position + 1 < len(found) else len(lines)
            sections[section.key] = (index, lines[index + 1 : end])
        return sections

    def report_missing(self, sections: dict[str, tuple[int, list[Line]]]) -> None:
        for section in self.fmt.sections:
            if section.key not in sections and section.required:
                self.problem("全文", f"未找到「{section.heading}」一节")
                self.result.notes[(section.key, "")] = "原文中未找到这一节，请手工填写"

    # --- narrative -----------------------------------------------------------------------

    @staticmethod
    def paragraphs(lines: list[Line]) -> str:
        """Re-join lines that the PDF wrapped: a line ending mid-sentence continues on the next; in
        wrapped text a paragraph ends at a short line closing a sentence, or before a numbered item."""
        texts = [line.text.strip().strip("\u3000") for line in lines if line.text.strip()]
        if not texts:
            return ""
        lengths = sorted(len(t) for t in texts)
        width = lengths[-1]
        wrapped = len(texts) >= 3 and sum(length >= 0.9 * width for length in lengths) >= 0.4 * len(texts) and width <= 80
        paragraphs, current = [], ""
        for text in texts:
            if current and PARAGRAPH_START.match(text):
                paragraphs.append(current)
                current = ""
            joiner = " " if current[-1:].isascii() and current[-1:].isalnum() and text[:1].isascii() and text[:1].isalnum() else ""
            current += joiner + text
            if text[-1] in SENTENCE_END and (not wrapped or len(text) < 0.9 * width):
                paragraphs.append(current)
                current = ""
        if current:
            paragraphs.append(current)
        return "\n".join(paragraphs)

    def text(self, value: str, place: str = "") -> Text:
        return Text(value, self.loc(place))

    @staticmethod
    def key_end(rest: str, key: str) -> int | None:
        """Where a part's key ends in a heading: its characters in order near the start
        ("政府信息标准化管理" for 政府信息管理), or its last four ("（四）平台建设情况")."""
        window, position = len(key) + 8, 0
        for ch in key:
            position = rest.find(ch, position)
            if position < 0 or position > window:
                break
            position += 1
        else:
            return position
        found = rest.find(key[-4:], 0, window)
        return found + 4 if found >= 0 else None

    def part_heading(self, text: str, section: Section, expected: int) -> tuple[int | None, str]:
        """Which part of a section a numbered line opens ("（二）依申请公开情况…"), and its inline
        content. The part its numeral names comes first; a later part whose key the line holds
        is taken too, for reports that skip a part and number the rest on."""
        match = PART_NUMBER.match(text.strip())
        if not match:
            return None, ""
        rest = text.strip()[match.end() :]
        named = CHINESE_NUMERALS.find(match.group(1))
        order = ([named] if named >= expected else []) + [n for n in range(expected, len(section.parts)) if n != named]
        for number in order:
            if number >= len(section.parts):
                continue
            position = self.key_end(rest, section.parts[number].key)
            if position is not None:
                close = rest.find("情况", position)
                end = close + 2 if 0 <= close <= position + 6 else position
                return number, rest[end:].lstrip("。：:，, 　")
        return None, ""

    def read_parts(self, section: Section, lines: list[Line]) -> None:
        starts: list[tuple[int, int, str]] = []
        expected = 0
        for index, line in enumerate(lines):
            number, inline = self.part_heading(line.text, section, expected)
            if number is not None:
                starts.append((number, index, inline))
                expected = number + 1
        if not starts:
            self.report.texts[section.key] = self.text(self.paragraphs(lines), place_of(lines))
            return
        parts = {}
        intro = self.paragraphs(lines[: starts[0][1]])
        if intro:
            parts[section.intro] = self.text(intro, place_of(lines[: starts[0][1]]))
        for position, (number, index, inline) in enumerate(starts):
            end = starts[position + 1][1] if position + 1 < len(starts) else len(lines)
            body = ([Line(inline, lines[index].place)] if inline else []) + lines[index + 1 : end]
            parts[section.parts[number].key] = self.text(self.paragraphs(body), lines[index].place)
        self.report.parts[section.key] = parts

    # --- tables --------------------------------------------------------------------------

    @staticmethod
    def token(piece: str, index: int) -> Token:
        folded = unicodedata.normalize("NFKC", piece)
        if NUMBER.fullmatch(folded) and len(folded) <= MAX_NUMBER_CHARS:  # a longer run of digits is no table figure
            return Token(folded.replace(",", ""), index, True)
        if PLACEHOLDER.fullmatch(folded):
            return Token("0", index, True, placeholder=True)
        return Token(piece, index, False)

    def tokens(self, lines: list[Line]) -> list[Token]:
        """Words and numbers in reading order. In a tab-separated row an empty cell between two
        numbers is kept as a blank (its column is known); other empty cells are layout."""
        out = []
        for index, line in enumerate(lines):
            if "\t" not in line.text:
                out += [self.token(piece, index) for piece in line.text.split()]
                continue
            cells = [[self.token(p, index) for p in cell.split()] for cell in line.text.split("\t")]
            numbered = [i for i, cell in enumerate(cells) if cell and cell[-1].number]
            for i, cell in enumerate(cells):
                if cell:
                    out += cell
                elif numbered and numbered[0] < i < numbered[-1]:
                    out.append(Token("", index, True, blank=True))
        return out

    @staticmethod
    def runs(tokens: list[Token]) -> list[tuple[str, list[Token]]]:
        """(the text printed before a run of numbers, the numbers), in reading order."""
        runs, label, numbers = [], "", []
        for token in tokens:
            if token.number:
                numbers.append(token)
                continue
            if numbers:
                runs.append((label, numbers))
                label, numbers = "", []
            label += token.text
        if numbers:
            runs.append((label, numbers))
        return runs

    @staticmethod
    def label_score(label: str, row_label: str) -> float:
        """How well the text before a run ends with a row's printed label (1.0: exactly)."""
        chunk, target = (NUMBERING.sub(r"\1.", normalize_label(text)) for text in (label, row_label))
        if chunk.endswith(target):
            return 1.0
        tail = chunk[-len(target) - 1 :]
        return difflib.SequenceMatcher(None, tail, target).ratio()

    def notice(self, place: str, message: str) -> None:
        self.result.notices.append(Problem(place, message))

    @staticmethod
    def row_width(table: Table, numbers: list[Token]) -> int | None:
        """How many of a run's numbers belong to one row: every column, or all but the totals;
        a shorter run only when all it prints is 0 (the rest of the row left blank)."""
        every = len(table.columns)
        required = len([c for c in table.columns if not c.total])
        if len(numbers) >= every:
            return every
        if len(numbers) == required or all(t.text == "0" for t in numbers):
            return len(numbers)
        return None

    def assign(self, table: Table, row_key: str, numbers: list[Token], lines: list[Line]) -> None:
        """Put a row's numbers in its cells. A blank cell becomes 0 only where the printed total
        proves it, or where all the row prints is 0; otherwise it stays empty and is reported."""
        title = table.row_title(row_key)
        place = lines[numbers[0].line].place
        source = " ".join(dict.fromkeys(lines[t.line].text.strip() for t in numbers))
        required = [c for c in table.columns if not c.total]
        if len(numbers) < len(required):  # a short run of zeros: the other cells were left blank
            numbers = [Token("", numbers[0].line, True, blank=True)] * len(required)
        columns = table.columns if len(numbers) == len(table.columns) else required
        values = dict(zip((c.key for c in columns), numbers, strict=True))
        blanks = [c for c in required if values[c.key].blank]
        printed = [t for t in numbers if not t.blank]
        totals = [int(values[c.key].text) for c in columns if c.total and not values[c.key].blank]
        present = sum(int(values[c.key].text) for c in required if not values[c.key].blank and "." not in values[c.key].text)
        proven = bool(totals) and all(total == present for total in totals)
        fill = bool(blanks) and (proven or all(t.text == "0" for t in printed))
        if fill:
            self.notice(place, f"{title}：{len(blanks)} 个空白单元格按 0 导入" + ("（与总计相符）" if proven else "（本行印出的数都是 0）"))
        elif blanks:
            self.problem(place, f"{title}：原文有 {len(blanks)} 个空白单元格，无法确定，请手工填写")
        if any(t.placeholder for t in numbers):
            self.notice(place, f"{title}：原文以“/”“—”等表示无，按 0 导入")
        for column in columns:
            token = values[column.key]
            if token.blank and (column.total or not fill):
                continue  # a blank total is computed; an unproven blank stays empty
            text = "0" if token.blank else token.text
            if column.type == "count" and "." in text:
                self.problem(lines[token.line].place, f"{title}「{column.label}」不是整数：{text}")
                continue
            cell_id = (table.key, row_key, column.key)
            value = Decimal(text) if column.type == "amount" else int(text)
            self.report.cells[cell_id] = Cell(value, self.loc(lines[token.line].place), typed=True)
            self.result.sources[cell_id] = f"{lines[token.line].place}：{source}"

    def read_grid_tables(self, tables: list[Table], lines: list[Line], earlier: EarlierFormat | None) -> None:
        rows = [(table, row) for table in tables for row in table.rows]
        done: set[str] = set()
        pointer = 0
        for label, numbers in self.runs(self.tokens(lines)):
            while numbers:
                choice = self.match_row(rows, pointer, label)
                if choice is None:
                    self.unknown_run(label, numbers, lines, earlier)
                    break
                pointer = choice + 1
                table, row = rows[choice]
                width = self.row_width(table, numbers)
                if width is None:
                    self.problem(lines[numbers[0].line].place, f"{table.full_row_label(row.key)}：应有 {len(table.columns)} 个数，只读到 {len(numbers)} 个")
                    break
                self.assign(table, row.key, numbers[:width], lines)
                done.add(row.key)
                numbers, label = numbers[width:], ""
        for table, row in rows:
            if row.key not in done and not row.total:
                self.missing_row(table, row.key, lines)

    def match_row(self, rows: list, pointer: int, label: str) -> int | None:
        best, best_score = None, 0.0
        for index in range(pointer, len(rows)):
            _table, row = rows[index]
            variants = {row.label, re.sub(r"^\d+[.、．]", "", row.label)} if len(row.label) > 4 else {row.label}
            score = max(self.label_score(label, v) for v in variants)
            if score == 1.0:
                return index
            if score > best_score:
                best, best_score = index, score
        return best if best_score >= 0.8 else None

    def unknown_run(self, label: str, numbers: list[Token], lines: list[Line], earlier: EarlierFormat | None) -> None:
        place = lines[numbers[0].line].place
        shown = label[-30:] or "（没有行名）"
        for group in earlier.merged_rows if earlier else ():
            if normalize_label(label).endswith(normalize_label(group.label)):
                self.problem(
                    place,
                    f"「{group.label}」在{earlier.name}中只有一行（{' '.join(t.text for t in numbers)}），"
                    f"2021 年格式分为 {len(group.members)} 项，无法拆分，未导入",
                )
                return
        self.problem(place, f"无法识别的表格行「{shown}」：{' '.join(t.text for t in numbers)}，未导入")

    def missing_row(self, table: Table, row_key: str, lines: list[Line]) -> None:
        place = place_of(lines) or "全文"
        self.result.notes[(table.key, row_key)] = "未能从原文读取这一行，请手工填写"
        self.problem(place, f"未能读取「{table.row_title(row_key)}」")

    def read_one_row_table(self, table: Table, lines: list[Line]) -> None:
        numbers = [t for t in self.tokens(lines) if t.number]
        width = len(table.columns)
        if len(numbers) != width * len(table.rows):
            place = place_of(lines) or "全文"
            names = dict.fromkeys(next((g.label for g in table.groups_of_row(r.key)), r.label) for r in table.rows)
            self.problem(place, f"「{'、'.join(names)}」表应有 {width * len(table.rows)} 个数，读到 {len(numbers)} 个，未导入")
            for row in table.rows:
                self.result.notes[(table.key, row.key)] = "未能从原文读取，请手工填写"
            return
        for index, row in enumerate(table.rows):
            self.assign(table, row.key, numbers[index * width : (index + 1) * width], lines)

    def read_preface(self, sections: dict[str, tuple[int, list[Line]]]) -> None:
        """Text between the title and the first heading (编制依据, 统计期限, 联系方式…)."""
        preface = next((s for s in self.fmt.sections if not s.number), None)
        if preface is None or self.title_index is None or not sections:
            return
        first = min(index for index, _lines in sections.values())
        text = self.paragraphs(self.lines[self.title_index : first])
        if text:
            self.report.texts[preface.key] = self.text(text, place_of(self.lines[self.title_index : first]))

    def read_signature(self, sections: dict[str, tuple[int, list[Line]]]) -> None:
        """The agency and date signed under the last section: the date is the publication date."""
        if not sections:
            return
        last = max(sections, key=lambda key: sections[key][0])
        index, lines = sections[last]
        while lines and not lines[-1].text.strip():
            lines = lines[:-1]
        match = DATE_LINE.match(squeeze(lines[-1].text)) if lines else None
        if not match:
            return
        try:
            self.report.published = date(*map(int, match.groups()))
        except ValueError:
            self.problem(lines[-1].place, f"落款日期无效：{lines[-1].text.strip()}")
        lines = lines[:-1]
        if lines and len(squeeze(lines[-1].text)) <= 30 and not re.search("[。，；：,.;:]", lines[-1].text):
            lines = lines[:-1]
        sections[last] = (index, lines)

    # --- all together --------------------------------------------------------------------

    def run(self) -> Extraction:
        self.take_title()
        earlier = self.earlier_format()
        if earlier:
            self.result.format_name = earlier.name
            self.problem("全文", f"这是按{earlier.name}编写的报告：只导入两种格式共有的部分，其余请按 2021 年格式补填")
        sections = self.split_sections(self.lines)
        self.report_missing(sections)
        for key, (index, _lines) in sections.items():
            self.report.section_locs[key] = self.loc(self.lines[index].place)
        table_sections = self.split_sections(self.table_lines) if self.table_lines is not None else sections
        self.read_preface(sections)
        self.read_signature(sections)
        for section in self.fmt.sections:
            if section.key not in sections:
                continue
            _heading, lines = sections[section.key]
            if earlier and section.key not in earlier.shared_sections:
                for table in self.fmt.tables_of(section):
                    for row in table.rows:
                        self.result.notes[(table.key, row.key)] = f"{earlier.name}的这部分表格与 2021 年格式不同，未导入"
                continue
            if section.kind == "parts":
                self.read_parts(section, lines)
            elif section.kind == "text":
                self.report.texts[section.key] = self.text(self.paragraphs(lines), place_of(lines))
            elif section.key in table_sections:
                lines = table_sections[section.key][1]
                tables = self.fmt.tables_of(section)
                grid = [t for t in tables if t.layout != "one_row"]
                if grid:
                    self.read_grid_tables(grid, lines, earlier)
                for table in tables:
                    if table.layout == "one_row":
                        self.read_one_row_table(table, lines)
        self.report.compute_totals()
        return self.result


def extract(lines: list[Line], fmt: Format, name: str, table_lines: list[Line] | None = None) -> Extraction:
    """Read a report; `table_lines`, when given, is a second reading of the same file that
    keeps table cells in sequence (a PDF's drawing order), used for the tables only."""
    return Importer(lines, fmt, name, table_lines).run()

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

from ..findings import Finding
from ..format import CHINESE_NUMERALS, EarlierFormat, Format, Group, Section, Table, normalize_label
from ..location import CellId, Loc
from ..report import Cell, Report, Text
from .arithmetic import TooManySplits, consistent_choices, continuity_equations, digit_splits, proven_cells, table_equations, violated
from .shapes import reshape
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
MAX_AGENCY_CHARS = 40
PREFACE_LINES, PREFACE_CHARS = 12, 800  # where a report without a title names itself
PREFACE_AGENCY = [  # the agency as a title-less report names itself in its first lines
    re.compile(r"(?:现公布|公布|现将|特编制|编制|现编制并发布|发布)([^，。,;；:：《》<>|/、（）()]{2,40}?)(?:19|20)\d\d年度?政府信息公开(?:工作)?(?:年度)?报告"),
    re.compile(r"结合([^，。,;；:：《》<>|/、（）()]{2,40}?)(?:(?:19|20)\d\d年度?)?政府信息公开工作(?:实际|情况)"),
]
PREFACE_YEAR = re.compile(r"统计(?:期限|时限|区间)?(?:为|是|从|自)?((?:19|20)\d\d)年1月1日")
PAGE_INFO = re.compile(r"^((索引号|发布机构|发文机关|发布日期|发布时间|生成日期|成文日期|主题分类|信息来源|来源|浏览次数|访问次数|字号|文号|有效性|公开方式|公开范围)[:：]|(信息公开元数据|大中小|\|+|【字体.*)$)")
HEADING_NUMBER = re.compile(r"^([一二三四五六七八九十])[、.．]")
HEADING_CHARS = 20
PART_HEADING_CHARS = 30
HEADING_TAIL = re.compile(r"[^。，,：:；;]{0,4}?(情况|方面)")
RUN_IN_PART = re.compile(r"(?<=[。！？；\s])\s*(?=[（(][一二三四五][）)])")  # a part heading run into the text before it  # the same for a part of a section（（三）完善公开制度规范，加强政府信息管理）  # the words of a heading in an agency's own wording, before its text begins
LONG_HEADING = 60  # a numbered line longer than this is a paragraph, not a heading
DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
BY_LABEL, BY_POSITION, BY_SPLIT, BY_ARITHMETIC = "按行名", "按位置（行名无法辨认，由本行总计和各列勾稽关系确认）", "拆分连写的数字", "由总计和勾稽关系推算"
SHOWN_CANDIDATES = 3
MAX_CLOSEST = 1_000  # cuts of a run that adds up no way, weighed against the table's relations
COUNTED = set("位年月日号个项件条页次元%")  # a number before one of these is part of the words (保留4位小数)


def normalize_text(text: str) -> str:
    """Kangxi radicals and radical-supplement look-alikes to ordinary characters; no-break spaces to
    spaces; no zero-width spaces or word joiners (nianbao's DOCX keeps telephone numbers whole with them)."""
    text = "".join(unicodedata.normalize("NFKC", ch) if "\u2f00" <= ch <= "\u2fdf" else ch for ch in text)
    return text.translate(RADICALS).replace("\u00a0", " ").replace("\u200b", "").replace("\u2060", "")


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
    problems: list[Finding] = field(default_factory=list)  # what could not be read (E150–E160)
    notices: list[Problem] = field(default_factory=list)  # how something was read; nothing lost
    sources: dict[CellId, str] = field(default_factory=dict)
    how: dict[CellId, str] = field(default_factory=dict)  # how each cell was read: BY_LABEL…
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # coded findings about the file (embedded data)
    open_cuts: int = 0  # rows whose digits ran together and could not be cut (last year's report may settle them)


@dataclass(frozen=True)
class Token:
    text: str  # for a blank cell "", for a "/" or "—" placeholder "0"
    line: int  # index into the section's lines
    number: bool
    blank: bool = False
    placeholder: bool = False
    edge: bool = False  # an empty cell of a tab-separated row before its first or after its last number


class Importer:
    def __init__(self, lines: list[Line], fmt: Format, name: str, table_lines: list[Line] | None = None, previous: Report | None = None):
        self.fmt = fmt
        self.previous = previous  # last year's report of the same agency, to settle digits that ran together
        self.name = name
        self.lines = reshape(self.clean(lines), fmt)
        self.table_lines = reshape(self.clean(table_lines), fmt) if table_lines is not None else None
        self.blank_rows: dict[tuple[str, str], tuple[str, str]] = {}  # rows printed with blanks → place, numbers of a short row
        self.report = Report(format=fmt)
        self.title_index: int | None = None
        self.result = Extraction(self.report, fmt.id)
        self.row_starts = [start for t in fmt.tables.values() for r in t.rows if (start := normalize_label(re.sub(r"^[一二三四五六七八九十]+、", "", r.label))[:6])]
        self.unplaced: list[tuple[int, list[Line]]] = []
        self.unread: dict[tuple[str, str], tuple[str, int]] = {}  # rows printed but not cut: digits, index of their problem  # numbered headings of the report's own and their text

    @staticmethod
    def clean(lines: list[Line]) -> list[Line]:
        normalized = (Line(normalize_text(line.text), line.place) for line in lines)
        return [line for line in normalized if not is_furniture(line.text)]

    def loc(self, place: str) -> Loc:
        """A location in the published file: it has places (第 4 页第 12 行), not form lines."""
        return Loc(self.name, 0, 0, place=place)

    def problem(self, code: str, place: str, variant: str = "", **values: object) -> None:
        """Something the file says that could not be read, reported with its code at its place."""
        self.result.problems.append(Finding.of(code, self.loc(place), variant=variant, **values))

    # --- title, format, sections -------------------------------------------------------

    def take_title(self) -> None:
        """Find the title (it may wrap over up to three lines), set agency and year, drop it."""
        patterns = [re.compile(p) for p in self.fmt.title_patterns]
        agency, year = self.fmt.field_for("agency").key, self.fmt.field_for("year").key
        filled = [index for index in range(min(len(self.lines), 40)) if self.lines[index].text.strip()]  # a <br /> leaves a blank line
        for first, start in enumerate(filled):
            joined = ""
            for end in filled[first : first + 3]:
                if any(self.heading_matches(self.lines[end].text, section) for section in self.fmt.sections):
                    break
                joined += squeeze(self.lines[end].text)
                match = next((m for m in (p.match(joined) for p in patterns) if m and self.plausible_agency(m.group(agency))), None)
                if match:
                    self.report.agency, self.report.year = match.group(agency), int(match.group(year))
                    title = self.report.title = match.group(0)
                    self.title_index = start
                    title_loc = self.loc(self.lines[start].place)
                    self.report.field_locs.update(agency=title_loc, year=title_loc)
                    rest = [Line(joined[match.end() :], self.lines[end].place)] if joined[match.end() :] else []  # text run into the title
                    self.lines = self.lines[:start] + rest + self.lines[end + 1 :]
                    self.lines = [line for line in self.lines if squeeze(line.text) != title]  # running headers
                    return
        if not self.header_from_preface():
            self.problem("E150", self.lines[0].place if self.lines else "开头")

    def header_from_preface(self) -> bool:
        """A report printed without its title (a web page gives it apart) names its agency and year in
        its first lines: 「现公布子长市人民政府2023年度政府信息公开工作报告」, 「结合自贡市商务局2022年
        政府信息公开工作实际」, 「统计期限为2023年1月1日至…」. Both found: they are taken, and said."""
        opening = squeeze("".join(line.text for line in self.lines[:PREFACE_LINES]))[:PREFACE_CHARS]
        agency = next((m.group(1) for m in (p.search(opening) for p in PREFACE_AGENCY) if m and self.plausible_agency(m.group(1))), "")
        year = PREFACE_YEAR.search(opening) or re.search(rf"{re.escape(agency)}((19|20)\d\d)年", opening) if agency else None
        if not agency or not year:
            return False
        self.report.agency, self.report.year = agency, int(year.group(1))
        place = self.lines[0].place
        self.report.field_locs.update(agency=self.loc(place), year=self.loc(place))
        self.notice(place, f"原文没有标题行，机关「{agency}」和年度 {year.group(1)} 取自开头的说明文字，请核对")
        return True

    @staticmethod
    def plausible_agency(name: str) -> bool:
        """An agency's name as a title prints it: no sentence punctuation, no page furniture."""
        return 2 <= len(name) <= MAX_AGENCY_CHARS and not re.search(r"[，。,;；:：《》<>|/、\s]", name)

    def earlier_format(self) -> EarlierFormat | None:
        text = squeeze("".join(line.text for line in self.lines))
        for earlier in self.fmt.earlier_formats:
            if sum(marker in text for marker in earlier.markers) >= 2:
                return earlier
        return None

    @staticmethod
    def heading_parts(text: str) -> tuple[str, str] | None:
        """A top-level heading's printed numeral and the words after it (「五、存在的…」), if the line is one."""
        match = HEADING_NUMBER.match(normalize_label(text))
        return (match.group(1), normalize_label(text)[match.end() :]) if match else None

    def heading_matches(self, text: str, section: Section, by_words: bool = False) -> bool:
        """A line heads `section`: its number and its name (or an alias), or, in any numbering, its
        name; with `by_words`, a short heading holding one of the section's words (its vocabulary)."""
        found = self.heading_parts(text)
        if not section.number or found is None:
            return False
        _numeral, rest = found
        for name in (section.key, *section.aliases):
            name = normalize_label(name)
            if name in rest[: len(name) + 12] or difflib.SequenceMatcher(None, rest[: len(name) + 2], name).ratio() >= 0.85:
                return True
        if not by_words:
            return False
        head = re.split("[。；;：:]", rest, maxsplit=1)[0][:HEADING_CHARS]
        return any(word in head for word in section.words)

    def split_sections(self, lines: list[Line]) -> dict[str, tuple[int, list[Line]]]:
        """Each section's heading index and lines. A heading is found by its name in any numbering
        (a report may renumber or reorder its sections), else, between the sections found around
        it, by its number and the section's vocabulary; a numbered heading that names no section
        still ends the one before it (its text is unplaced: `self.unplaced`)."""
        numbered = [(index, found) for index, found in ((i, self.heading_parts(line.text)) for i, line in enumerate(lines)) if found]
        found: dict[str, int] = {}
        for by_words in (False, True):
            for index, (_numeral, rest) in numbered:
                if index in found.values() or (by_words and not self.short_heading(rest)):
                    continue
                for section in self.fmt.sections:
                    if section.key not in found and self.heading_matches(lines[index].text, section, by_words) and (not by_words or self.in_order(found, section, index)):
                        found[section.key] = index
                        break
        unplaced, last_numeral = [], None
        for index, (numeral, rest) in numbered:
            if index in found.values():
                last_numeral = numeral
            elif last_numeral and self.short_heading(rest) and CHINESE_NUMERALS.find(numeral) == CHINESE_NUMERALS.find(last_numeral) + 1:
                unplaced.append(index)  # the report's own section, numbered on from the one before
                last_numeral = numeral
        stops = sorted([*found.values(), *unplaced, len(lines)])
        sections = {}
        for key, index in sorted(found.items(), key=lambda item: item[1]):
            sections[key] = (index, lines[index + 1 : next(stop for stop in stops if stop > index)])
        self.unplaced = [(index, lines[index : next(stop for stop in stops if stop > index)]) for index in unplaced]
        return sections

    def short_heading(self, text: str) -> bool:
        """The words after a numbered line's numeral can be a heading of the agency's own: short,
        without figures, not a table row's label (四、结转下年度继续办理)."""
        return len(text) <= LONG_HEADING and not any(ch.isdigit() for ch in text) and not any(text.startswith(label) for label in self.row_starts)

    def in_order(self, found: dict[str, int], section: Section, index: int) -> bool:
        """A heading found by the section's words stands between the sections found before and after it."""
        order = [s.key for s in self.fmt.sections]
        position = order.index(section.key)
        before = [i for key, i in found.items() if order.index(key) < position]
        after = [i for key, i in found.items() if order.index(key) > position]
        return (not before or max(before) < index) and (not after or min(after) > index)

    def report_missing(self, sections: dict[str, tuple[int, list[Line]]]) -> None:
        for section in self.fmt.sections:
            if section.key not in sections and section.required:
                self.problem("E151", "全文", section=section.heading)
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
                tail = HEADING_TAIL.match(rest, position)  # 「…情况」「…方面」 closing the heading
                end = tail.end() if tail else position
                return number, rest[end:].lstrip("。：:，, 　")
        head = re.split("[。；;：:]", rest, maxsplit=1)[0][:PART_HEADING_CHARS]
        if named == expected < len(section.parts) and any(word in head for word in section.parts[named].words):
            return named, rest  # the next part, headed in the agency's own words: the heading starts its text
        return None, ""

    def run_in_parts(self, text: str, section: Section) -> list[str]:
        """A line cut before each part heading run into the text before it (「…5条。 （二）政府信息
        依申请公开情况 我乡…」); a numbered item that heads no part stays in its sentence."""
        pieces: list[str] = []
        for piece in RUN_IN_PART.split(text):
            if pieces and self.part_heading(piece, section, 0)[0] is None:
                pieces[-1] += piece
            else:
                pieces.append(piece)
        return [piece for piece in pieces if piece.strip()]

    def read_parts(self, section: Section, lines: list[Line]) -> None:
        starts: list[tuple[int, int, str]] = []
        expected = 0
        lines = [Line(piece, line.place) for line in lines for piece in self.run_in_parts(line.text, section)]
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

    def pieces(self, piece: str, index: int) -> list[Token]:
        """A piece of text as words and numbers: digits that run into a label ("规章000") are a
        number, except the last digit before "." or "、", which numbers the next label ("01.属于"),
        and a number that counts something in the words (第3项, 4位)."""
        token = self.token(piece, index)
        folded = unicodedata.normalize("NFKC", piece)
        if token.number or not any(ch.isdigit() for ch in folded):
            return [token]
        out, position = [], 0
        for match in NUMBER.finditer(folded):
            start, end = match.span()
            if folded[end : end + 1] in (".", "、") and not match.group(3):
                end -= 1
            if end <= start or folded[end : end + 1] in COUNTED or folded[start - 1 : start] == "第":
                continue
            if start > position:
                out.append(Token(folded[position:start], index, False))
            out.append(self.token(folded[start:end], index))
            position = end
        if position < len(folded):
            out.append(Token(folded[position:], index, False))
        return out

    def tokens(self, lines: list[Line]) -> list[Token]:
        """Words and numbers in reading order. In a tab-separated row an empty cell between two
        numbers is kept as a blank (its column is known); other empty cells are layout."""
        out = []
        for index, line in enumerate(lines):
            if "\t" not in line.text:
                out += [t for piece in line.text.split() for t in self.pieces(piece, index)]
                continue
            cells = [[t for p in cell.split() for t in self.pieces(p, index)] for cell in line.text.split("\t")]
            numbered = [i for i, cell in enumerate(cells) if cell and cell[-1].number]
            worded = [i for i, cell in enumerate(cells) if cell and not cell[-1].number]
            after_label = worded[-1] if worded and (not numbered or worded[-1] < numbered[0]) else -1
            for i, cell in enumerate(cells):
                if cell:
                    out += cell
                elif numbered and numbered[0] < i < numbered[-1]:
                    out.append(Token("", index, True, blank=True))
                elif numbered and (after_label < i < numbered[0] or i > numbered[-1]):
                    out.append(Token("", index, True, blank=True, edge=True))
        return out

    @staticmethod
    def fit(table: Table, numbers: list[Token]) -> list[Token]:
        """A run's numbers without the empty cells at the ends of its lines, unless exactly those
        cells make up the row (a web table's blank cells after the printed ones, or before them
        when the printed total confirms)."""
        printed = [t for t in numbers if not t.edge]
        if printed and len(numbers) == len(table.columns) and len(printed) < len(table.columns):
            cells = [Token("", t.line, True, blank=True) if t.edge else t for t in numbers]
            if not numbers[0].edge or Importer.printed_total_adds_up(table, cells):
                return cells
        return printed

    @staticmethod
    def printed_total_adds_up(table: Table, cells: list[Token]) -> bool:
        """Cells shifted right past empty ones are taken only when the printed total confirms them."""
        if not all(t.blank or t.text.isdigit() for t in cells):
            return False
        for total, parts in Importer.row_totals(table):
            if cells[total].blank or int(cells[total].text) != sum(int(cells[p].text) for p in parts if not cells[p].blank):
                return False
        return bool(Importer.row_totals(table))

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

    @staticmethod
    def row_totals(table: Table, offset: int = 0) -> list[tuple[int, tuple[int, ...]]]:
        """The table's row relations as (total column index, part column indexes)."""
        index = {c.key: i + offset for i, c in enumerate(table.columns)}
        totals = []
        for total in (c for c in table.columns if c.total):
            totals.append((index[total.key], tuple(index[c.key] for c in table.columns if not c.total)))
        return totals

    def splits(self, table: Table, numbers: list[Token], count: int, totals: list) -> list[list[Token]] | None:
        """The ways a run of digits that ran together cuts into `count` cells; None when too many to try."""
        try:
            found = digit_splits([t.text for t in numbers], count, totals)
        except TooManySplits:
            return None
        return [[Token(str(value), numbers[0].line, True) for value in values] for values in found]

    def candidates(self, table: Table, numbers: list[Token]) -> list[list[Token]] | None:
        """A row's possible readings: its numbers as printed, or every cut of digits that ran
        together that satisfies the row's own total."""
        width = self.row_width(table, numbers)
        if width is not None:
            return [numbers[:width]]
        return self.splits(table, numbers, len(table.columns), self.row_totals(table))

    def assign(self, table: Table, row_key: str, numbers: list[Token], lines: list[Line], how: str = BY_LABEL) -> None:
        """Put a row's numbers in its cells. A blank cell becomes 0 here only where the printed total
        proves it; others are left to the table's arithmetic. A row printing fewer numbers than
        its cells (zeros only) says nothing of which cells they are: every cell is left open."""
        title = table.row_title(row_key)
        place = lines[numbers[0].line].place
        source = " ".join(dict.fromkeys(lines[t.line].text.strip() for t in numbers))[:200]
        required = [c for c in table.columns if not c.total]
        short = " ".join(t.text for t in numbers) if len(numbers) < len(required) else ""
        if short:
            numbers = [Token("", numbers[0].line, True, blank=True)] * len(required)
        columns = table.columns if len(numbers) == len(table.columns) else required
        values = dict(zip((c.key for c in columns), numbers, strict=True))
        blanks = [c for c in required if values[c.key].blank]
        totals = [int(values[c.key].text) for c in columns if c.total and not values[c.key].blank]
        present = sum(int(values[c.key].text) for c in required if not values[c.key].blank and "." not in values[c.key].text)
        proven = bool(totals) and all(total == present for total in totals)
        fill = bool(blanks) and proven
        if fill:
            self.notice(place, f"{title}：{len(blanks)} 个空白单元格按 0 导入（与总计相符）")
        elif blanks:
            self.blank_rows[(table.key, row_key)] = (place, short)
        if any(t.placeholder for t in numbers):
            self.notice(place, f"{title}：原文以“/”“—”等表示无，按 0 导入")
        if how != BY_LABEL:
            self.notice(place, f"{title}：{how}，读作 {' '.join(t.text or '空' for t in numbers)}")
        for column in columns:
            token = values[column.key]
            if token.blank and (column.total or not fill):
                continue  # a blank total is computed; an unproven blank is left to the arithmetic
            text = "0" if token.blank else token.text
            if column.type == "count" and "." in text:
                self.problem("E152", lines[token.line].place, row=title, column=column.label, text=text)
                continue
            cell_id = (table.key, row_key, column.key)
            value = Decimal(text) if column.type == "amount" else int(text)
            self.report.cells[cell_id] = Cell(value, self.loc(lines[token.line].place), typed=True)
            self.result.sources[cell_id] = f"{lines[token.line].place}：{source}"
            self.result.how[cell_id] = how

    def read_grid_tables(self, tables: list[Table], lines: list[Line], earlier: EarlierFormat | None) -> None:
        """Rows by their labels in the format's order; then rows placed by position, digits that
        ran together cut, a group printed as one row, and blank cells settled by the arithmetic."""
        rows = [(table, row) for table in tables for row in table.rows]
        readings: dict[int, tuple[str, list[list[Token]] | None, list[Token]]] = {}
        merged: list[tuple[Table, Group, list[Token]]] = []
        unplaced: list[tuple[int, str, list[Token]]] = []
        pointer = 0
        for label, run in self.runs(self.tokens(lines)):
            numbers = run
            while numbers:
                if all(t.edge for t in numbers):
                    break
                choice = self.match_row(rows, pointer, label)
                if choice is None:
                    group = None if earlier else self.merged_group(rows, pointer, label)
                    options = self.candidates(group[0], self.fit(group[0], numbers)) if group else None
                    if group is not None and options and len(options) == 1:
                        table, found, last = group
                        merged.append((table, found, options[0]))
                        pointer = last + 1
                    else:
                        unplaced.append((pointer, label, numbers))
                    break
                pointer = choice + 1
                table, _row = rows[choice]
                numbers = self.fit(table, numbers)
                width = self.row_width(table, numbers)
                if width is None:
                    readings[choice] = (BY_SPLIT, self.candidates(table, numbers), numbers)
                    break
                readings[choice] = (BY_LABEL, [numbers[:width]], numbers[:width])
                numbers, label = numbers[width:], ""
        self.place_by_position(rows, readings, unplaced, lines, earlier)
        for table in tables:
            self.settle(table, rows, readings, merged, lines)

    def merged_group(self, rows: list, pointer: int, label: str) -> tuple[Table, Group, int] | None:
        """A group of rows printed as one row under the group's label (（六）其他处理 with one
        row of numbers), where its first member is due: the table, group and its last row's index."""
        for index in range(pointer, len(rows)):
            table, row = rows[index]
            for group in table.groups_of_row(row.key):
                members = [table.row(key) for key in group.members]
                if group.members[0] == row.key and not any(m.total for m in members) and self.label_score(label, group.label) == 1.0:
                    return table, group, index + len(members) - 1
        return None

    def place_by_position(self, rows: list, readings: dict, unplaced: list, lines: list[Line], earlier: EarlierFormat | None) -> None:
        """Runs whose labels cannot be read, standing between two rows that were read with exactly
        as many rows missing between them, are those rows in order, when each row's own total
        confirms its numbers (the table's relations are checked once all is read)."""
        gaps: dict[int, list[tuple[str, list[Token]]]] = {}
        for pointer, label, numbers in unplaced:
            gaps.setdefault(pointer, []).append((label, numbers))
        for pointer, runs in gaps.items():
            targets = range(pointer, pointer + len(runs))
            placed = [self.confirmed(rows[t][0], numbers) for t, (_label, numbers) in zip(targets, runs, strict=True)] if self.fits_gap(rows, readings, targets) else []
            if placed and all(placed):
                for target, options, (_label, numbers) in zip(targets, placed, runs, strict=True):
                    readings[target] = (BY_POSITION, options, numbers)
                continue
            for label, numbers in runs:
                self.unknown_run(label, numbers, lines, earlier)

    @staticmethod
    def fits_gap(rows: list, readings: dict, targets: range) -> bool:
        """The rows `targets` are unread, of one table with a total column, between two rows that were read."""
        if targets.stop >= len(rows) or targets.stop not in readings or (targets.start > 0 and targets.start - 1 not in readings):
            return False
        table = rows[targets.start][0]
        return any(c.total for c in table.columns) and all(t not in readings and rows[t][0] is table for t in targets)

    def confirmed(self, table: Table, numbers: list[Token]) -> list[list[Token]] | None:
        """A run's readings as one whole row that its printed total confirms."""
        numbers = self.fit(table, numbers)
        options = (self.candidates(table, numbers) or []) if len(numbers) <= len(table.columns) else []
        return [o for o in options if len(o) == len(table.columns) and not any(t.blank for t in o) and self.row_adds_up(table, o)] or None

    def row_adds_up(self, table: Table, numbers: list[Token]) -> bool:
        return all(t.text.isdigit() for t in numbers) and all(int(numbers[total].text) == sum(int(numbers[p].text) for p in parts) for total, parts in self.row_totals(table))

    def cell_values(self, table: Table) -> dict:
        return {(r.key, c.key): self.report.cells[(table.key, r.key, c.key)].value for r in table.rows for c in table.columns}

    def settle(self, table: Table, rows: list, readings: dict, merged: list, lines: list[Line]) -> None:
        """Take each row with one reading; choose among a row's possible cuts by the table's
        relations (and last year's report, when one is at hand); a run that no cut makes add up is
        read as printed, the cut closest to the relations, and the check reports the inconsistency;
        prove blank and missing cells from the relations; report whatever stays open."""
        index_of = {row.key: i for i, (t, row) in enumerate(rows) if t is table}
        ambiguous: dict[str, list[dict]] = {}
        inconsistent: list[str] = []
        for row in table.rows:
            how, options, printed = readings.get(index_of[row.key], (None, None, []))
            if how is None:
                continue
            if options and len(options) == 1:
                self.assign(table, row.key, options[0], lines, how)
            elif options:
                ambiguous[row.key] = [{(row.key, c.key): int(t.text) for c, t in zip(table.columns, o, strict=True)} for o in options]
            elif options == [] and printed:
                inconsistent.append(row.key)
            else:
                self.unsplittable(table, row.key, printed, lines, options)
        equations = table_equations(self.fmt, table)
        for _t, group, numbers in (m for m in merged if m[0] is table):
            equations += self.group_equations(table, group, numbers, lines)
        fixed = {**self.cell_values(table), **{("印为一行", key): value for key, value in self.group_values(table, merged).items()}}
        surviving = consistent_choices(ambiguous, fixed, equations)
        settled_by = self.by_last_year(table, surviving, fixed, equations)
        for row_key, options in surviving.items():
            how, _options, printed = readings[index_of[row_key]]
            if len(options) == 1:
                self.assign(table, row_key, [Token(str(options[0][(row_key, c.key)]), printed[0].line, True) for c in table.columns], lines, how)
                if row_key in settled_by:
                    place = lines[printed[0].line].place
                    self.notice(place, f"{table.row_title(row_key)}：数字连写（{' '.join(t.text for t in printed)}），由 {settled_by[row_key]} 确定拆法")
            else:
                self.unsplittable(table, row_key, printed, lines, options)
        for row_key in inconsistent:
            self.closest_reading(table, row_key, readings[index_of[row_key]][2], lines, equations)
        self.reject_misplaced(table, readings, index_of, equations, fixed)
        self.infer(table, equations, fixed)
        self.report_open_rows(table, readings, index_of, merged, lines)

    def by_last_year(self, table: Table, surviving: dict[str, list[dict]], fixed: dict, equations: list) -> dict[str, str]:
        """Rows still cut more than one way, narrowed by continuity with last year's report of the
        same agency (上年结转 = last year's 结转下年度; 现行有效件数 = last year's + 制发 − 废止), when
        exactly one cut then remains: which year's report settled each."""
        open_rows = {key: options for key, options in surviving.items() if len(options) > 1}
        continuity = continuity_equations(self.fmt, table, self.previous) if self.previous is not None and open_rows else []
        if not continuity:
            return {}
        constants = {key: value for equation in continuity for key, value in equation[2].items()}
        narrowed = consistent_choices(open_rows, {**fixed, **constants}, equations + [(left, right) for left, right, _c in continuity])
        settled = {key: options for key, options in narrowed.items() if len(options) == 1}
        surviving.update(settled)
        return dict.fromkeys(settled, f"{self.previous.year} 年报告（上年）的数字")

    def closest_reading(self, table: Table, row_key: str, printed: list[Token], lines: list[Line], equations: list) -> None:
        """A run no cut of which makes its row add up (「20000011」 for 7 cells whose total should
        be 11): the printed digits are evidence. Read it the one way that breaks the fewest of the
        table's relations, when one way does; the check then reports what does not add up."""
        count = len(table.columns)
        try:
            cuts = digit_splits([t.text for t in printed], count, []) if all(t.text.isdigit() for t in printed) else []
        except TooManySplits:
            cuts = []
        cuts = cuts if len(cuts) <= MAX_CLOSEST else []  # past that, no one cut stands out
        values = self.cell_values(table)
        scored = sorted((len(violated({**values, **{(row_key, c.key): v for c, v in zip(table.columns, cut, strict=True)}}, equations)), cut) for cut in cuts)
        if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
            self.unsplittable(table, row_key, printed, lines, [])
            return
        cut = scored[0][1]
        place = lines[printed[0].line].place
        self.assign(table, row_key, [Token(str(v), printed[0].line, True) for v in cut], lines, BY_SPLIT)
        self.notice(place, f"{table.row_title(row_key)}：原文数字连写（{' '.join(t.text for t in printed)}），没有一种拆法能使本表各项相符，按原文数字读作 {' '.join(map(str, cut))}；不相符之处是原报告的问题，见检查结果")

    def group_values(self, table: Table, merged: list) -> dict:
        """The figures of groups printed as one row, keyed (group key, column key)."""
        values = {}
        for owner, group, numbers in merged:
            if owner is table:
                columns = table.columns if len(numbers) == len(table.columns) else [c for c in table.columns if not c.total]
                values.update({(group.key, c.key): None if t.blank else int(t.text) for c, t in zip(columns, numbers, strict=False)})
        return values

    def group_equations(self, table: Table, group: Group, numbers: list[Token], lines: list[Line]) -> list:
        """A group printed as one row: each column of it is the sum of its members' cells."""
        place = lines[numbers[0].line].place
        self.notice(place, f"「{group.label}」印为一行（{' '.join(t.text or '空' for t in numbers)}），按各列勾稽关系拆分为 {len(group.members)} 项")
        for key in group.members:
            self.result.sources.update({(table.key, key, c.key): f"{place}：{lines[numbers[0].line].text.strip()[:200]}" for c in table.columns})
        return [((("印为一行", (group.key, c.key)),), tuple((key, c.key) for key in group.members)) for c in table.columns]

    def reject_misplaced(self, table: Table, readings: dict, index_of: dict, equations: list, fixed: dict) -> None:
        """Rows placed by position stay only if every relation of the table still holds."""
        placed = [key for key, i in index_of.items() if readings.get(i, ("",))[0] == BY_POSITION]
        if not placed or not violated({**fixed, **self.cell_values(table)}, equations):
            return
        for key in placed:
            place = self.report.cells[(table.key, key, table.columns[0].key)].loc
            self.report.clear_row(table, key)
            self.problem("E153", place.place if place else "全文", variant="by_position", row=table.row_title(key))
            readings.pop(index_of[key])

    def infer(self, table: Table, equations: list, fixed: dict) -> None:
        """Cells left blank or missing that the relations prove, unless what they prove
        contradicts another printed figure (then nothing is filled and the blanks are reported)."""
        values = {**fixed, **self.cell_values(table)}
        proven = {key: value for key, value in proven_cells(values, equations).items() if key[0] != "印为一行"}
        proven, cut = self.as_printed(table, proven)
        if not proven or violated({**values, **proven}, equations):
            return
        for (row_key, column_key), value in proven.items():
            cell_id = (table.key, row_key, column_key)
            total = table.row(row_key).total or table.column(column_key).total
            self.report.cells[cell_id] = Cell(value, self.report.cells[cell_id].loc, typed=not total or row_key in cut)
            self.result.how[cell_id] = BY_SPLIT if row_key in cut else BY_ARITHMETIC
            if not total and row_key not in cut:
                inferred = [c.label for c in table.columns if self.result.how.get((table.key, row_key, c.key)) == BY_ARITHMETIC]
                self.result.notes[(table.key, row_key)] = f"{'、'.join(inferred)} 原文空白或未印出，由总计和勾稽关系推算"
        shown = "、".join(f"{table.full_row_label(r)}「{table.column(c).label}」={v}" for (r, c), v in list(proven.items())[:6])
        self.notice("全文", f"{len(proven)} 个单元格由总计和勾稽关系推算：{shown}" + ("等" if len(proven) > 6 else ""))

    def as_printed(self, table: Table, proven: dict) -> tuple[dict, set[str]]:
        """Of the proven cells, those of rows whose digits were printed but could not be cut only
        where the whole row is proven and reads as printed (the row is then cut so, its problem
        withdrawn); a figure read from print is never replaced by one the arithmetic gives.
        Also the rows so cut."""
        cut, withdrawn = set(), set()
        for (table_key, row_key), (digits, problem) in list(self.unread.items()):
            if table_key != table.key or not any(key[0] == row_key for key in proven):
                continue
            row = [proven.get((row_key, c.key)) for c in table.columns]
            if None in row or "".join(map(str, row)) != digits:
                proven = {key: value for key, value in proven.items() if key[0] != row_key}
                continue
            cut.add(row_key)
            withdrawn.add(problem)
            self.result.notes.pop((table_key, row_key), None)
            del self.unread[(table_key, row_key)]
        if withdrawn:
            self.result.problems = [p for i, p in enumerate(self.result.problems) if i not in withdrawn]
            self.unread = {key: (digits, i - sum(w < i for w in withdrawn)) for key, (digits, i) in self.unread.items()}
        return proven, cut

    def unsplittable(self, table: Table, row_key: str, printed: list[Token], lines: list[Line], options: list | None) -> None:
        place = lines[printed[0].line].place if printed else "全文"
        digits = " ".join(t.text for t in printed)
        self.unread[(table.key, row_key)] = ("".join(t.text for t in printed), len(self.result.problems))  # its problem's index
        self.result.notes[(table.key, row_key)] = "原文数字连写，无法唯一拆分，请手工填写"
        if options is None:
            self.problem("E154", place, variant="too_many", row=table.row_title(row_key), digits=digits)
        elif not options:
            self.problem("E154", place, variant="none", row=table.row_title(row_key), count=len(table.columns), digits=digits)
        else:
            shown = "；".join(" ".join(str(o[(row_key, c.key)]) for c in table.columns) for o in options[:SHOWN_CANDIDATES])
            more = "等" if len(options) > SHOWN_CANDIDATES else ""
            variant = "several" if self.row_totals(table) else "several_unchecked"
            self.problem("E154", place, variant=variant, row=table.row_title(row_key), digits=digits, options=len(options), shown=shown + more)

    def report_open_rows(self, table: Table, readings: dict, index_of: dict, merged: list, lines: list[Line]) -> None:
        """Rows with cells still unknown: blanks no sum proves, groups printed as one row that
        cannot be split, rows never found."""
        for owner, group, numbers in merged:
            if owner is not table:
                continue
            open_columns = [c for c in table.columns if not c.total and self.report.cells[(table.key, group.members[0], c.key)].value is None]
            if open_columns:
                needed = "、".join(table.row(key).label for key in group.members)
                shown = "、".join(f"{c.label}" for c in open_columns)
                self.problem("E156", lines[numbers[0].line].place, group=group.label, columns=shown, rows=needed)
                for key in group.members:
                    self.result.notes[(table.key, key)] = f"原文「{group.label}」印为一行，无法拆分，请手工填写"
        members = {key for owner, group, _n in merged if owner is table for key in group.members}
        for row in table.rows:
            unknown = [c for c in table.columns if not c.total and self.report.cells[(table.key, row.key, c.key)].value is None]
            if not unknown or row.total or row.key in members:
                continue
            if (table.key, row.key) in self.blank_rows:
                place, short = self.blank_rows[(table.key, row.key)]
                if short:
                    self.problem("E155", place, variant="short", row=table.row_title(row.key), printed=short)
                else:
                    self.problem("E155", place, variant="blank", row=table.row_title(row.key), count=len(unknown))
            elif index_of[row.key] not in readings:
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
                numbers_text = " ".join(t.text for t in numbers)
                self.problem("E156", place, variant="earlier", group=group.label, format=earlier.name, numbers=numbers_text, count=len(group.members))
                return
        self.problem("E153", place, label=shown, numbers=" ".join(t.text for t in numbers))

    def missing_row(self, table: Table, row_key: str, lines: list[Line]) -> None:
        place = place_of(lines) or "全文"
        self.result.notes[(table.key, row_key)] = "未能从原文读取这一行，请手工填写"
        self.problem("E158", place, row=table.row_title(row_key))

    def read_one_row_table(self, table: Table, lines: list[Line]) -> None:
        """A table printed as one line of numbers (行政复议 then 行政诉讼); digits that ran together
        are cut where every row's total confirms one way only."""
        numbers = [t for t in self.tokens(lines) if t.number and not t.edge]
        width = len(table.columns)
        count = width * len(table.rows)
        how = BY_LABEL
        if len(numbers) < count and numbers:
            options = self.splits(table, numbers, count, [t for i in range(len(table.rows)) for t in self.row_totals(table, i * width)])
            if options and len(options) == 1:
                numbers, how = options[0], BY_SPLIT
            elif options:
                shown = "；".join(" ".join(t.text for t in o) for o in options[:SHOWN_CANDIDATES])
                self.problem("E154", place_of(lines) or "全文", variant="one_row", table="、".join(self.one_row_names(table)), options=len(options), shown=shown)
                self.note_rows(table, "原文数字连写，无法唯一拆分，请手工填写")
                return
        if len(numbers) != count:
            place = place_of(lines) or "全文"
            self.problem("E157", place, table="、".join(self.one_row_names(table)), count=count, found=len(numbers))
            self.note_rows(table, "未能从原文读取，请手工填写")
            return
        for index, row in enumerate(table.rows):
            self.assign(table, row.key, numbers[index * width : (index + 1) * width], lines, how)

    @staticmethod
    def one_row_names(table: Table) -> list[str]:
        return list(dict.fromkeys(next((g.label for g in table.groups_of_row(r.key)), r.label) for r in table.rows))

    def note_rows(self, table: Table, note: str) -> None:
        for row in table.rows:
            self.result.notes[(table.key, row.key)] = note

    def read_preface(self, sections: dict[str, tuple[int, list[Line]]]) -> None:
        """Text between the title (or the start, when there is none) and the first heading (编制依据,
        统计期限, 联系方式…); a web page's information lines (索引号：…, 发布机构：…) are the page's,
        not the report's: they are left out, and 发布机构 names the agency when no title did."""
        preface = next((s for s in self.fmt.sections if not s.number), None)
        if preface is None or not sections:
            return
        first = min(index for index, _lines in sections.values())
        lines = self.lines[self.title_index or 0 : first]
        info = [line for line in lines if PAGE_INFO.match(squeeze(line.text))]
        publisher = next((m.group(1) for m in (re.match(r"^发布机构[:：](\S+?)(发布日期|生成日期|成文日期|$)", squeeze(line.text)) for line in info) if m), "")
        if not self.report.agency and self.plausible_agency(publisher):
            self.report.agency = publisher
            self.report.field_locs["agency"] = self.loc(info[0].place)
        text = self.paragraphs([line for line in lines if line not in info])
        if text:
            self.report.texts[preface.key] = self.text(text, place_of(lines))

    def place_unplaced(self, unplaced: list[tuple[int, list[Line]]]) -> None:
        """Sections of the report's own (numbered on, naming no section of the format): their text
        goes into the last text section (其他需要报告的事项), after what is there, and is reported."""
        last = next((s for s in reversed(self.fmt.sections) if s.kind == "text" and s.number), None)
        if last is None:
            return
        for _index, lines in unplaced:
            heading = lines[0].text.strip()[:40]
            current = self.report.texts.get(last.key)
            text = "\n".join(t for t in (current.value if current else "", self.paragraphs(lines)) if t)
            self.report.texts[last.key] = self.text(text, current.loc.place if current and current.loc else lines[0].place)
            self.problem("E161", lines[0].place, heading=heading, section=last.heading)

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
            self.problem("E159", lines[-1].place, text=lines[-1].text.strip())
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
            self.problem("E160", "全文", format=earlier.name)
        sections = self.split_sections(self.lines)
        unplaced = self.unplaced
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
        self.place_unplaced(unplaced)
        self.report.compute_totals()
        self.result.open_cuts = len(self.unread)
        return self.result


def extract(lines: list[Line], fmt: Format, name: str, table_lines: list[Line] | None = None, previous: Report | None = None) -> Extraction:
    """Read a report; `table_lines`, when given, is a second reading of the same file that
    keeps table cells in sequence (a PDF's drawing order), used for the tables only; `previous`,
    last year's report of the same agency, settles digits that ran together where continuity does."""
    return Importer(lines, fmt, name, table_lines, previous).run()

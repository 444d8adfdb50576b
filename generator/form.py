"""Read the YAML form into a Report, keeping the source position of every value.

The form is parsed by libyaml into a node tree (fast, with line and column marks) and
interpreted here by the form's own rules, never by YAML's implicit typing: counts must be
plain integers, 收费金额 a plain decimal read exactly, everything else text.
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import yaml

from . import acknowledge
from .datacheck import node_loc, yaml_problem
from .findings import Finding, InputError, printable
from .format import Column, ColumnType, Field, FieldType, Format, Section, SectionKind, Table, available_formats, format_for_year, load_format, normalize_label
from .limits import CONTROL, MAX_DECIMALS, MAX_DIGITS, YEARS, clean_text, megabytes, one_line, read_capped, title_text
from .location import Loc
from .report import Cell, Number, Report, Text
from .typos import FULL_WIDTH, colon_space, folded_text, full_width_at, mistake_finding, repair_for_yaml, source_of, typing_mistake

MAX_BYTES = 2 * 1024 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 100
MAX_REPAIRS = 50  # typing mistakes libyaml stops at, made readable one by one (each costs a parse)
MAX_PARAGRAPH = 5_000  # characters in one paragraph of narrative
MAX_NARRATIVE = 100_000  # characters of narrative in one form
LOCATE_WINDOW = 50  # source lines searched ahead for where a line of text starts
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What libyaml accepts in a stream; anything else is refused here, with its place, before it can.
NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The line breaks libyaml counts (its line numbers are ours): CR LF, CR, LF, NEL, LS, PS.
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
NULLS = {"", "~", "null", "Null", "NULL"}
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
NUMBERING = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])")
YAML_TAG_PREFIX = "tag:yaml.org,2002:"


PLAIN_TAGS = {yaml.ScalarNode: YAML_TAG_PREFIX + "str", yaml.SequenceNode: YAML_TAG_PREFIX + "seq", yaml.MappingNode: YAML_TAG_PREFIX + "map"}


class FormLoader(yaml.CSafeLoader):
    """libyaml without YAML's implicit typing: a form's values are read by the form's own rules
    (counts, decimals, text), so no node's tag is looked up (each keeps its kind's plain tag)."""

    def resolve(self, kind: type, value, implicit) -> str:
        return PLAIN_TAGS[kind]

    def descend_resolver(self, current_node, current_index) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None


def read_source(path: Path, name: str) -> str:
    """The file's text, refused with a clear message when it cannot be a form."""
    start = Loc(name, 1, 1)
    if path.is_dir():
        raise InputError(Finding.of("E137", start, variant="no_forms", name=name))
    try:
        data = read_capped(path, MAX_BYTES, name, "表单")
    except InputError as exc:
        if exc.finding.code != "E002":
            raise
        raise InputError(Finding.of("E002", start, variant="form", name=name, limit=megabytes(MAX_BYTES))) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        variant = ""
        try:
            data.decode("gb18030")
            variant = "gbk"
        except UnicodeDecodeError:
            pass
        raise InputError(Finding.of("E003", Loc(name, line, column), variant=variant)) from None


def source_lines(text: str) -> list[str]:
    """The form's lines as libyaml numbers them."""
    return LINE_BREAK.split(text)


def place_of(text: str, index: int, name: str) -> Loc:
    before = source_lines(text[:index])
    return Loc(name, len(before), len(before[-1]) + 1)


def refuse_control_characters(text: str, name: str) -> None:
    """A character YAML cannot hold (VT pasted from Word, NUL, U+FFFE…), refused at its place."""
    found = NOT_YAML.search(text)
    if found:
        count = len(NOT_YAML.findall(text))
        more = f"（全文共 {count} 处）" if count > 1 else ""
        raise InputError(Finding.of("E061", place_of(text, found.start(), name), char=f"{ord(found.group()):04X}", more=more))


def flow_depth(text: str) -> int:
    """How deeply [ ] and { } nest (libyaml scans a flow collection ahead to its end, so this is
    counted on the text: thousands of levels would fail inside libyaml)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest


def check_structure(text: str, name: str) -> None:
    """Before composing: refuse nesting deeper than MAX_DEPTH (block or flow style: deep nesting
    crashes the composer), more than MAX_NODES values, and YAML tags (!!python/…, !foo: a form is plain data)."""
    if not surely_within_limits(text):
        scan_structure(text, name)


def scan_structure(text: str, name: str) -> None:
    """check_structure's limits, event by event (a parse of its own)."""

    def refuse(code: str, event: yaml.Event, **values: object) -> InputError:
        return InputError(Finding.of(code, Loc(name, event.start_mark.line + 1, event.start_mark.column + 1), **values))

    depth = nodes = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        nodes += isinstance(event, yaml.NodeEvent)
        depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)
        if nodes > MAX_NODES:
            raise refuse("E004", event, limit=MAX_NODES)
        if depth > MAX_DEPTH:
            raise refuse("E120", event, limit=MAX_DEPTH)
        if getattr(event, "tag", None) is not None:
            tag = printable(event.tag.replace(YAML_TAG_PREFIX, "!!"))[:60]
            raise refuse("E062", event, tag=tag)


def surely_within_limits(text: str) -> bool:
    """Whether the text keeps check_structure's limits by bounds read off the text alone (a form
    is then not parsed twice): a tag needs a “!”; a node takes at least a quarter of a character;
    flow collections open with “[” or “{”; a block collection starts at most as far right as a
    line's run of spaces and indicators (- ? :) reaches, and further right than its parent at
    least every second level."""
    if "!" in text or 4 * len(text) + 1 > MAX_NODES:
        return False
    reach = max(len(line) - len(line.lstrip(" \t-?:")) for line in source_lines(text))
    return 2 * (reach + 1) + text.count("[") + text.count("{") <= MAX_DEPTH


def compose(text: str, name: str) -> yaml.Node | None:
    """Parse YAML syntax into nodes; a syntax error becomes a located Chinese message."""
    refuse_control_characters(text, name)
    if flow_depth(text) > MAX_DEPTH:
        raise InputError(Finding.of("E120", Loc(name, 1, 1), variant="brackets", limit=MAX_DEPTH))
    try:
        return compose_repairing(text, name)
    except yaml.MarkedYAMLError as exc:
        opening = (
            exc.context_mark and exc.context and exc.context.startswith(("while scanning a quoted", "while parsing a flow", "while scanning a simple key"))
        )
        mark = exc.context_mark if opening else exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = f"{exc.context or ''} {exc.problem or ''}"
        lines = source_lines(text)
        bad = lines[line - 1][column - 1 : column] if line <= len(lines) else ""
        if bad == "\t" or ("\t" in (lines[line - 1] if line <= len(lines) else "") and "token" in problem):
            message = "这里用了制表符（Tab）：YAML 只能用空格缩进"
        else:
            message = yaml_problem(problem)
        typo = full_width_at(lines[line - 1]) if line <= len(lines) else None
        if typo:
            column, message = typo[0] + 1, f"这里用了{FULL_WIDTH[typo[1]][0]}「{typo[1]}」：YAML 的符号和空格要用半角（英文）字符"
        raise InputError(Finding.of("E001", Loc(name, line, column), problem=message, advice=syntax_hint(lines, line))) from None
    except yaml.YAMLError:  # the reader's errors: characters YAML does not allow
        raise InputError(Finding.of("E001", Loc(name, 1, 1), variant="characters")) from None


def compose_repairing(text: str, name: str) -> yaml.Node | None:
    """Compose, making the typing mistakes libyaml stops at readable to it (the reader then
    reports each at the character typed); raises the error of the text as typed otherwise.
    The structure is checked (depth, values, tags) before each composing; each repair parses the
    whole text again, so after MAX_REPAIRS of them the next mistake is reported as a syntax error."""
    source, repairs = text, 0
    while True:
        try:
            check_structure(source, name)
            return yaml.compose(source, Loader=FormLoader)
        except yaml.MarkedYAMLError as exc:
            repaired = repair_for_yaml(source, exc)
            if repaired == source or repairs == MAX_REPAIRS:
                raise
            source, repairs = repaired, repairs + 1


def syntax_hint(lines: list[str], line: int) -> str:
    """Point at the likely mistake: a full-width colon, a colon without a space, or the line before."""
    previous = next((n for n in range(min(line, len(lines) + 1) - 1, 0, -1) if lines[n - 1].strip()), line)
    for number in (line, previous):
        code = lines[number - 1].split("#")[0] if number <= len(lines) else ""
        if "：" in code.split("|")[0] and ":" not in code:
            return f"第 {number} 行用了中文冒号“：”：键和值之间要用英文冒号“:”，冒号后加一个空格"
        if re.match(r"^\s*[^\s:#\[{\"'][^:]*:[^\s]", code) and not code.rstrip().endswith(":"):
            return f"第 {number} 行的英文冒号“:”后面要加一个空格"
    return f"检查这一行及第 {previous} 行的缩进、冒号和括号；可对照 README 中的表单示例"


def check_size(root: yaml.Node, name: str) -> None:
    """Refuse a form whose aliases expand past MAX_NODES nodes (an alias bomb)."""
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InputError(Finding.of("E004", Loc(name, 1, 1), variant="aliases", limit=MAX_NODES))
        if isinstance(node, yaml.MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def is_plain(node: yaml.Node) -> bool:
    """An unquoted scalar (libyaml marks plain style as "", the pure-Python parser as None)."""
    return isinstance(node, yaml.ScalarNode) and not node.style


def node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "“键: 值”映射"
    if isinstance(node, yaml.SequenceNode):
        return "列表"
    return f"「{shortened(node.value)}」"


def shortened(text: str, limit: int = 40) -> str:
    """User text quoted in a message, cut so a message stays one readable line."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text):,} 字）"


class FormReader:
    """Walks the node tree of one form; collects every problem rather than stopping."""

    def __init__(self, fmt: Format, name: str, text: str):
        self.fmt = fmt
        self.name = name
        self.lines = source_lines(text)
        self.findings: list[Finding] = []
        self.suggested: set[str] = set()  # keys offered as "did you mean": not reported missing again
        self.report = Report(format=fmt, source_lines=self.lines)
        self.narrative_length = 0

    def loc(self, node: yaml.Node) -> Loc:
        return node_loc(self.name, node)

    def error(self, code: str, node: yaml.Node | None, variant: str = "", **values: object) -> None:
        """A finding of `code` at `node` (the file's start when None), its template filled with `values`."""
        self.findings.append(Finding.of(code, self.loc(node) if node is not None else Loc(self.name, 1, 1), variant=variant, **values))

    def entries(self, node: yaml.MappingNode, known: dict[str, str], where: str) -> dict[str, tuple]:
        """The mapping's entries under their canonical keys; reports duplicate and unknown keys."""
        found: dict[str, tuple] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error("E123", key_node, where=where, kind=node_kind(key_node))
                continue
            key = key_node.value
            self.findings.extend(colon_space(self.lines, self.name, key_node, value_node, where))
            canonical = known.get(normalize_label(NUMBERING.sub("", key.strip())))
            if canonical is None:
                canonical = known.get(normalize_label(key))
            if canonical is None:
                self.unknown_key(key_node, key, known, where)
            elif canonical in found:
                first = found[canonical][0].start_mark.line + 1
                self.error("E006", key_node, where=where, key=canonical, first=first)
            else:
                found[canonical] = (key_node, value_node)
        return found

    def unknown_key(self, key_node: yaml.ScalarNode, key: str, known: dict[str, str], where: str) -> None:
        canonical_keys = sorted(set(known.values()), key=list(known.values()).index)
        if "：" in key or "\n" in key:
            self.error("E007", key_node, variant="colon", where=where, key=shortened(key))
            return
        close = difflib.get_close_matches(normalize_label(key[:200]), list(known), n=1, cutoff=0.5)
        self.suggested.update(known[c] for c in close)
        if close:
            self.error("E007", key_node, variant="close", where=where, key=shortened(key), suggestion=known[close[0]])
        else:
            self.error("E007", key_node, where=where, key=shortened(key), known="、".join(canonical_keys))

    def text_value(self, node: yaml.Node, what: str) -> Text | None:
        if not isinstance(node, yaml.ScalarNode):
            self.error("E124", node, what=what, kind=node_kind(node))
            return None
        value = "" if is_plain(node) and node.value in NULLS else self.clean(node, node.value, clean_text).strip("\n")
        longest = max(map(len, value.split("\n")))
        if longest > MAX_PARAGRAPH:
            self.error("E063", node, what=what, length=longest, limit=MAX_PARAGRAPH)
            return None
        if is_plain(node):
            self.findings.extend(folded_text(self.lines, self.name, node, value, what))
        self.narrative_length += len(value)
        if self.narrative_length > MAX_NARRATIVE:
            self.error("E064", node, what=what, limit=MAX_NARRATIVE)
            return None
        return Text(value, self.loc(node), self.locate_lines(node, value))

    def clean(self, node: yaml.Node, value: str, cleaner) -> str:
        """The value as every output can hold it; characters no output can hold are reported."""
        found = CONTROL.search(value)
        if found:
            self.error("E061", node, variant="text", char=f"{ord(found.group()):04X}")
        return cleaner(value)

    def locate_lines(self, node: yaml.ScalarNode, value: str) -> list[Loc]:
        """Where each line of a text value starts in the source (searched, so any YAML style works)."""
        locs, index = [], node.start_mark.line
        for line in value.split("\n"):
            probe = line.strip()[:8]
            found = index
            for candidate in range(index, min(node.end_mark.line + 1, len(self.lines), index + LOCATE_WINDOW)):
                position = self.lines[candidate].find(probe) if probe else -1
                if position >= 0:
                    found = candidate
                    break
            position = max(self.lines[found].find(probe), 0) if probe and found < len(self.lines) else 0
            locs.append(Loc(self.name, found + 1, position + 1))
            index = found + 1 if probe else index
        return locs

    def number(self, node: yaml.Node, column: Column, title: str) -> Number | None:
        """A cell's number; `title` names its row in a message (the column's label is added)."""
        if not isinstance(node, yaml.ScalarNode):
            self.error("E125", node, title=title, column=column.label, kind=node_kind(node))
            return None
        text = node.value.strip()
        if column.type == ColumnType.COUNT and len(text) <= MAX_DIGITS and text.isascii() and text.isdigit() and is_plain(node):
            return int(text)  # a well-written count (most cells): nothing to look for
        pattern = DECIMAL if column.type == ColumnType.AMOUNT else INTEGER
        what = f"{title}「{column.label}」"
        if is_plain(node) and pattern.fullmatch(text):  # a well-written number: no typing mistake to look for
            return self.number_text(text, column, what, node)
        mistake = typing_mistake(source_of(self.lines, node), (1,), pattern) if is_plain(node) else None
        if mistake:
            self.findings.append(mistake_finding(self.lines, self.name, node, what, mistake))
            return self.number_text(mistake.values[0], column, what, node) if mistake.values else None
        if is_plain(node) and text in NULLS:
            self.error("E122", node, what=what)
            return None
        if not is_plain(node):
            self.error("E010", node, variant="quoted", what=what, text=text)
            return None
        return self.number_text(text, column, what, node)

    def number_text(self, text: str, column: Column, what: str, node: yaml.Node) -> Number | None:
        """A number written in half-width characters, checked against its column."""
        kind = "金额" if column.type == ColumnType.AMOUNT else "件数"
        pattern = DECIMAL if column.type == ColumnType.AMOUNT else INTEGER
        if not pattern.fullmatch(text):
            expected = f"数字（单位：{column.unit}）" if column.unit else "整数"
            self.error("E010", node, variant=self.number_hint(text, column), what=what, expected=expected, text=text[:40], unit=column.unit)
            return None
        whole, _, decimals = text.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) > MAX_DIGITS or len(decimals) > MAX_DECIMALS:
            shown = text if len(text) <= 20 else f"{text[:12]}…（共 {len(text):,} 位）"
            limit = f"最多 {MAX_DIGITS} 位整数" + (f"、{MAX_DECIMALS} 位小数" if column.type == ColumnType.AMOUNT else "")
            self.error("E014", node, what=what, number=shown, limit=limit)
            return None
        value: Number = Decimal(text) if column.type == ColumnType.AMOUNT else int(text)
        if value < 0:
            self.error("E011", node, what=what, text=text, kind=kind)
            return None
        if column.type == ColumnType.AMOUNT and "." in text and len(text.split(".")[1]) > column.decimals:
            self.error("W015", node, what=what, found=len(text.split(".")[1]), decimals=column.decimals)
        return value

    @staticmethod
    def number_hint(text: str, column: Column) -> str:
        """The variant of E010 whose hint fits what was written instead of a number."""
        if "," in text:
            return "comma"
        if column.type == ColumnType.COUNT and DECIMAL.fullmatch(text):
            return "decimal"
        if column.unit and column.unit in text:
            return "unit"
        return ""

    def read(self, root: yaml.Node) -> Report:
        if root is None:
            raise InputError(Finding.of("E005", Loc(self.name, 1, 1)))
        if not isinstance(root, yaml.MappingNode):
            raise InputError(Finding.of("E121", self.loc(root), kind=node_kind(root)))
        known = {normalize_label(f.key): f.key for f in self.fmt.fields}
        known[acknowledge.KEY] = acknowledge.KEY
        known.update({normalize_label(s.key): s.key for s in self.fmt.sections})
        entries = self.entries(root, known, "表单")
        self.read_fields(entries, root)
        if acknowledge.KEY in entries:
            self.read_acknowledgements(entries[acknowledge.KEY][1])
        for section in self.fmt.sections:
            if section.key not in entries and not section.required:
                continue
            if section.key not in entries:
                if section.key not in self.suggested:  # else E007 already offered this key for a misspelt one
                    self.error("E008", root, variant="section", heading=section.heading, key=section.key, place=self.place_for(section, entries))
                continue
            key_node, value = entries[section.key]
            self.report.section_locs[section.key] = self.loc(key_node)
            if section.kind == SectionKind.TABLES:
                self.read_tables(section, key_node, value)
            elif section.kind == SectionKind.PARTS:
                self.read_parts(section, value)
            else:
                text = self.text_value(value, section.heading)
                if text is not None:
                    self.report.texts[section.key] = text
        self.report.compute_totals()
        return self.report

    def place_for(self, section: Section, entries: dict[str, tuple]) -> str:
        """Where a missing section goes: after the nearest section before it that the form has."""
        before = self.fmt.sections[: self.fmt.sections.index(section)]
        present = [s for s in before if s.key in entries]
        if not present:
            return "放在“机关”“年度”等各项之后"
        key_node = entries[present[-1].key][0]
        return f"放在「{present[-1].heading}」一节（第 {key_node.start_mark.line + 1} 行起）之后"

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None:
        """The form's fields, each into the Report attribute the format names for it."""
        for field in self.fmt.fields:
            if field.key not in entries:
                if field.required and field.key not in self.suggested:
                    self.error("E008", root, variant="field", key=field.key, label=field.label)
                continue
            _key_node, node = entries[field.key]
            if field.attribute:
                self.report.field_locs[field.attribute] = self.loc(node)
            if not isinstance(node, yaml.ScalarNode):
                self.error("E126", node, key=field.key, kind=node_kind(node))
                continue
            value = self.field_value(field, node)
            if value is not None and field.attribute:
                setattr(self.report, field.attribute, value)

    def field_value(self, field: Field, node: yaml.ScalarNode) -> str | int | date | None:
        """A field's value by its type; None (with a finding) when it is empty or wrong."""
        raw = node.value.strip()
        if is_plain(node) and raw in NULLS:
            if field.required:
                self.error("E122", node, variant="field", key=field.key, label=field.label)
            return None
        if field.type == FieldType.YEAR:
            if INTEGER.fullmatch(raw) and len(raw) <= 4 and int(raw) in YEARS and is_plain(node):
                return int(raw)
            self.error("E127", node, key=field.key, first=YEARS.start, last=YEARS.stop - 1, text=raw[:20])
        elif field.type == FieldType.DATE:
            try:
                if not DATE.fullmatch(raw):
                    raise ValueError(raw)
                return date.fromisoformat(raw)
            except ValueError:
                self.error("E128", node, key=field.key, text=raw[:40])
        elif field.type == FieldType.CHOICE and raw not in field.choices:
            self.error("E129", node, key=field.key, choices=" 或 ".join(field.choices), text=raw[:40])
        elif field.type == FieldType.FORMAT and raw != self.fmt.id:
            self.error("E130", node, key=field.key, known="、".join(available_formats()), text=raw[:40], format=self.fmt.name)
        elif field.type in (FieldType.TEXT, FieldType.CHOICE):
            return self.clean(node, raw, title_text if field.attribute == "title" else one_line).strip()
        return None

    def read_acknowledgements(self, node: yaml.Node) -> None:
        """The 已核对 list: {代码, 位置, 理由} per acknowledged warning (checked in acknowledge.py)."""
        if not isinstance(node, yaml.SequenceNode):
            if not (is_plain(node) and node.value in NULLS):
                self.error("E056", node, variant="list", key=acknowledge.KEY, kind=node_kind(node))
            return
        known = {key: key for key in acknowledge.FIELDS}
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                self.error("E056", item, variant="item", key=acknowledge.KEY, kind=node_kind(item))
                continue
            entries = self.entries(item, known, f"「{acknowledge.KEY}」")
            values = {}
            for key, attribute in acknowledge.FIELDS.items():
                value = entries[key][1] if key in entries else None
                values[attribute] = value.value.strip() if isinstance(value, yaml.ScalarNode) and value.value not in NULLS else ""
                if not values[attribute] and key != "理由":
                    self.error("E008", item, variant="acknowledgement", section=acknowledge.KEY, key=key)
            if values["code"] and values["place"]:
                self.report.acknowledgements.append(acknowledge.Acknowledgement(**values, loc=self.loc(item)))

    def read_parts(self, section: Section, node: yaml.Node) -> None:
        if isinstance(node, yaml.ScalarNode):
            text = self.text_value(node, section.heading)
            if text is not None:
                self.report.texts[section.key] = text
            return
        if not isinstance(node, yaml.MappingNode):
            self.error("E131", node, section=section.heading, parts="、".join(p.key for p in section.parts), kind=node_kind(node))
            return
        known = {normalize_label(section.intro): section.intro}
        for part in section.parts:
            known[normalize_label(part.key)] = part.key
            known[normalize_label(part.heading)] = part.key
        parts: dict[str, Text] = {}
        for key, (_key_node, value) in self.entries(node, known, f"「{section.heading}」").items():
            text = self.text_value(value, key)
            if text is not None:
                parts[key] = text
        self.report.parts[section.key] = parts

    def read_tables(self, section: Section, key_node: yaml.Node, node: yaml.Node) -> None:
        tables = self.fmt.tables_of(section)
        if not isinstance(node, yaml.MappingNode):
            self.error("E132", node, section=section.heading, kind=node_kind(node))
            return
        known = {}
        for table in tables:
            for row in table.rows:
                known[normalize_label(row.key)] = row.key
                known[normalize_label(NUMBERING.sub("", row.label))] = row.key
        entries = self.entries(node, known, f"「{section.heading}」")
        for table in tables:
            for row in table.rows:
                if row.key in entries:
                    row_key_node, value = entries[row.key]
                    self.report.row_locs[(table.key, row.key)] = self.loc(row_key_node)
                    self.read_row(table, row.key, value)
                    continue
                self.report.row_locs[(table.key, row.key)] = self.loc(key_node)
                if not row.total and row.key not in self.suggested:
                    self.error("E008", key_node, variant="row", row=table.row_title(row.key), section=section.key, key=row.key)

    def read_row(self, table: Table, row_key: str, node: yaml.Node) -> None:
        cells = self.report.cells
        if table.single_column:
            column = table.columns[0]
            value = self.number(node, column, table.row_title(row_key))
            cells[(table.key, row_key, column.key)] = Cell(value, self.loc(node))
            return
        required = [c for c in table.columns if not c.total]
        names = "、".join(c.key for c in required)
        totals = [c for c in table.columns if c.total]
        row_loc = self.loc(node)
        for column in table.columns:  # the row is written: its cells are the user's, found on this line
            cell = cells[(table.key, row_key, column.key)]
            cell.loc, cell.typed = row_loc, not column.total
        mistake = (
            typing_mistake(source_of(self.lines, node), (len(required), len(table.columns)), INTEGER)
            if is_plain(node) or isinstance(node, yaml.SequenceNode)
            else None
        )
        if mistake:
            self.findings.append(mistake_finding(self.lines, self.name, node, table.row_title(row_key), mistake))
            for column, item in zip(table.columns, mistake.values or (), strict=False):
                cells[(table.key, row_key, column.key)] = Cell(self.number_text(item, column, f"{table.row_title(row_key)}「{column.label}」", node), row_loc)
            return
        if is_plain(node) and node.value in NULLS:
            self.error("E122", node, variant="row", row=table.row_title(row_key), names=names)
            return
        if not isinstance(node, yaml.SequenceNode):
            self.error("E009", node, variant="totals" if totals else "", row=table.row_title(row_key), kind=node_kind(node), names=names)
            return
        count = len(node.value)
        if count not in (len(required), len(table.columns)):
            variant = "totals" if totals else ""
            self.error("E012", node, variant=variant, row=table.row_title(row_key), required=len(required), all=len(table.columns), count=count, names=names)
            return
        title = table.row_title(row_key)
        for column, item in zip(table.columns, node.value, strict=False):
            value = self.number(item, column, title)
            cells[(table.key, row_key, column.key)] = Cell(value, self.loc(item))


def load_form(path: Path, name: str | None = None) -> tuple[Report, list[Finding]]:
    """Read a form file; raises InputError when it cannot be read as a form at all."""
    name = name or str(path)
    text = read_source(path, name)
    return parse_form(text, name)


def top_level_scalar(root: yaml.Node | None, key: str) -> str | None:
    if not isinstance(root, yaml.MappingNode):
        return None
    for key_node, value in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value.strip() == key and isinstance(value, yaml.ScalarNode):
            return value.value.strip()
    return None


def choose_format(root: yaml.Node | None) -> Format:
    """The format the form names (格式), else the newest one in force for its year; the form
    names them with the default format's field names."""
    default = load_format()
    declared = top_level_scalar(root, default.format_field.key) if default.format_field else None
    if declared in available_formats():
        return load_format(declared)
    year = top_level_scalar(root, default.field_for("year").key) or ""
    return format_for_year(int(year) if INTEGER.fullmatch(year) and len(year) <= 4 else None)


def parse_form(text: str, name: str) -> tuple[Report, list[Finding]]:
    reader = read_text(text, name)
    return reader.report, reader.findings


def read_text(text: str, name: str, reader_type: type[FormReader] = FormReader) -> FormReader:
    """The reader after reading a form's text (raises InputError when it cannot be a form)."""
    root = compose(text, name)
    if root is not None:
        check_size(root, name)
    reader = reader_type(choose_format(root), name, text)
    reader.read(root)
    return reader

"""The form's shape, declared once: value types that each read their YAML node into the Report
(with located Chinese findings) and give their JSON Schema fragment. The form reader and
`nianbao schema` are both built from the format data through these types, so they agree.

A key may be written as the format spells it or as its printed label, with the numbering of a
printed heading (一、总体情况), spaces, quotes, full-width or other compatibility forms of its
characters: the reader folds keys (normalize_label), the schema matches the same spellings by
a pattern made from the same labels (see spelling_pattern)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Protocol

import yaml

from . import acknowledge
from .findings import Finding
from .format import Column, ColumnType, Field, FieldType, Format, Section, SectionKind, Table, available_formats, load_format, normalize_label
from .limits import MAX_DECIMALS, MAX_DIGITS, MAX_NARRATIVE, MAX_PARAGRAPH, YEARS, clean_text, one_line, title_text
from .location import Loc
from .report import Cell, Number, Report, Text
from .typos import colon_space, folded_text, mistake_finding, source_of, typing_mistake

NULLS = {"", "~", "null", "Null", "NULL"}
INTEGER = re.compile(r"[+-]?[0-9]+")
DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
DATE_PATTERN = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
DATE = re.compile(DATE_PATTERN)
# The numbering of a printed heading, which a key may keep: 一、 （一） 1. 1、 １．
NUMBERING_PATTERN = "[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|[0-9０-９]+[.、．]"
NUMBERING = re.compile(f"^({NUMBERING_PATTERN})")
QUOTES = "\"'“”‘’「」"  # left out of a key when it is matched (as normalize_label does)
TEXT = ["string", "number"]  # a text may be any scalar: a plain number is read as text too


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


def optional(schema: dict) -> dict:
    """A value the form may leave empty (null) without a finding."""
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None]}
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


# Spellings of keys ------------------------------------------------------------------------------


@cache
def folded_into() -> dict[str, str]:
    """Character → the characters NFKC folds into it (全角 １ into 1, Kangxi radical ⼀ into 一), in
    the Basic Multilingual Plane (editors' regular expressions differ beyond it)."""
    found: dict[str, str] = defaultdict(str)
    for point in range(0x10000):
        if 0xD800 <= point < 0xE000:
            continue
        folded = unicodedata.normalize("NFKC", chr(point))
        if len(folded) == 1 and folded != chr(point):
            found[folded] += chr(point)
    return dict(found)


def class_member(ch: str) -> str:
    """A character as written inside [ ] of a pattern both Python and JavaScript read alike."""
    if ch in "\\]^-[":
        return "\\" + ch
    return ch if ch.isprintable() and not ch.isspace() else f"\\u{ord(ch):04x}"


@cache
def ignored_class() -> str:
    """What a key may hold anywhere without changing it: spaces and quotes (and what NFKC folds into them)."""
    quotes = "".join(dict.fromkeys(q for quote in QUOTES for q in quote + folded_into().get(quote, "") if not q.isspace()))
    return "[\\s" + "".join(map(class_member, quotes)) + "]*"


def char_pattern(ch: str) -> str:
    variants = ch + folded_into().get(ch, "")
    if len(variants) == 1 and (ch.isalnum() or ord(ch) > 0x2E80):
        return ch
    return "[" + "".join(map(class_member, variants)) + "]"


def spelling_pattern(spellings: list[str]) -> str:
    """The keys the reader takes as one of `spellings` (already folded by normalize_label):
    optionally numbered, with spaces, quotes and compatibility forms anywhere."""
    gap = ignored_class()
    alternatives = [gap + "".join(char_pattern(ch) + gap for ch in spelling) for spelling in spellings]
    return f"^(?:\\s*(?:{NUMBERING_PATTERN}))?(?:{'|'.join(alternatives)})$"


def pointer(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


# Mappings ---------------------------------------------------------------------------------------


class Reader(Protocol):
    """What a shape reads a node with: the form reader (form.FormReader), its Report and findings;
    `read_fields`, `read_acknowledgements`, `read_row` and `text_value` are its hooks."""

    fmt: Format
    name: str
    lines: list[str]
    findings: list[Finding]
    suggested: set[str]
    report: Report
    narrative_length: int

    def loc(self, node: yaml.Node) -> Loc: ...

    def line_number(self, index: int) -> int: ...

    def error(self, code: str, node: yaml.Node | None, variant: str = "", **values: object) -> None: ...

    def clean(self, node: yaml.Node, value: str, cleaner: Callable[[str], str]) -> str: ...

    def locate_lines(self, node: yaml.ScalarNode, value: str) -> list[Loc]: ...

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None: ...

    def read_acknowledgements(self, node: yaml.Node) -> None: ...

    def read_row(self, table: Table, row_key: str, node: yaml.Node) -> None: ...

    def text_value(self, node: yaml.Node, what: str) -> Text | None: ...


class Shape(Protocol):
    """A value type: it gives the JSON Schema of its values (`at` is where that schema stands, for references)."""

    def schema(self, at: str) -> dict: ...


@dataclass(frozen=True)
class Member:
    """A key of a mapping: its value's type, and the other names the reader takes for it."""

    key: str
    shape: Shape
    spellings: tuple[str, ...] = ()
    required: bool = False


@dataclass
class Keyed:
    """A “键: 值” mapping with known keys; `where` names it in messages."""

    where: str
    members: tuple[Member, ...]
    known: dict[str, str] = field(init=False)  # folded spelling → key

    def __post_init__(self) -> None:
        self.known = {}
        for member in self.members:
            for spelling in (member.key, *member.spellings):
                self.known[normalize_label(spelling)] = member.key

    def entries(self, reader: Reader, node: yaml.MappingNode) -> dict[str, tuple]:
        """The mapping's entries under their canonical keys; reports duplicate and unknown keys."""
        found: dict[str, tuple] = {}
        known, where = self.known, self.where
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                reader.error("E123", key_node, where=where, kind=node_kind(key_node))
                continue
            key = key_node.value
            reader.findings.extend(colon_space(reader.lines, reader.name, key_node, value_node, where))
            canonical = known.get(normalize_label(NUMBERING.sub("", key.strip())))
            if canonical is None:
                canonical = known.get(normalize_label(key))
            if canonical is None:
                self.unknown_key(reader, key_node, key)
            elif canonical in found:
                first = reader.line_number(found[canonical][0].start_mark.line)
                reader.error("E006", key_node, where=where, key=canonical, first=first)
            else:
                found[canonical] = (key_node, value_node)
        return found

    def unknown_key(self, reader: Reader, key_node: yaml.ScalarNode, key: str) -> None:
        known = self.known
        canonical_keys = sorted(set(known.values()), key=list(known.values()).index)
        if "：" in key or "\n" in key:
            reader.error("E007", key_node, variant="colon", where=self.where, key=shortened(key))
            return
        close = difflib.get_close_matches(normalize_label(key[:200]), list(known), n=1, cutoff=0.5)
        reader.suggested.update(known[c] for c in close)
        if close:
            reader.error("E007", key_node, variant="close", where=self.where, key=shortened(key), suggestion=known[close[0]])
        else:
            reader.error("E007", key_node, where=self.where, key=shortened(key), known="、".join(canonical_keys))

    def schema(self, at: str, description: str = "", exact_required: bool = False) -> dict:
        """An object of these keys; each key's other spellings refer to its schema (`at` is where this
        one is). A required key may be written in any of its spellings, unless `exact_required`."""
        properties, patterns, spelled = {}, {}, []
        for member in self.members:
            properties[member.key] = member.shape.schema(f"{at}/properties/{pointer(member.key)}")
            pattern = spelling_pattern([s for s, key in self.known.items() if key == member.key and s])
            patterns[pattern] = {"$ref": f"#{at}/properties/{pointer(member.key)}"}
            if member.required:  # a key of one of these spellings is there: not every key is of none of them
                spelled.append({"anyOf": [{"required": [member.key]}, {"not": {"propertyNames": {"not": {"pattern": pattern}}}}]})
        schema = {"type": "object", **({"description": description} if description else {}), "properties": properties, "patternProperties": patterns}
        if exact_required:
            schema["required"] = [m.key for m in self.members if m.required]
        elif spelled:
            schema["allOf"] = spelled
        return {**schema, "additionalProperties": False}


# Numbers ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A table cell's number: a count (a whole number) or an amount (a decimal read exactly)."""

    column: Column

    def schema(self, at: str = "") -> dict:
        if self.column.type == ColumnType.AMOUNT:
            return {"type": "number", "minimum": 0, "exclusiveMaximum": 10**MAX_DIGITS, "description": self.column.label}
        return {"type": "integer", "minimum": 0, "maximum": 10**MAX_DIGITS - 1, "description": self.column.label}

    def read(self, reader: Reader, node: yaml.Node, title: str) -> Number | None:
        """The cell's number; `title` names its row in a message (the column's label is added)."""
        column = self.column
        if not isinstance(node, yaml.ScalarNode):
            reader.error("E125", node, title=title, column=column.label, kind=node_kind(node))
            return None
        text = node.value.strip()
        if column.type == ColumnType.COUNT and len(text) <= MAX_DIGITS and text.isascii() and text.isdigit() and is_plain(node):
            return int(text)  # a well-written count (most cells): nothing to look for
        pattern = DECIMAL if column.type == ColumnType.AMOUNT else INTEGER
        what = f"{title}「{column.label}」"
        if is_plain(node) and pattern.fullmatch(text):  # a well-written number: no typing mistake to look for
            return self.read_text(reader, text, what, node)
        mistake = typing_mistake(source_of(reader.lines, node), (1,), pattern) if is_plain(node) else None
        if mistake:
            reader.findings.append(mistake_finding(reader.lines, reader.name, node, what, mistake))
            return self.read_text(reader, mistake.values[0], what, node) if mistake.values else None
        if is_plain(node) and text in NULLS:
            reader.error("E122", node, what=what)
            return None
        if not is_plain(node):
            reader.error("E010", node, variant="quoted", what=what, text=text)
            return None
        return self.read_text(reader, text, what, node)

    def read_text(self, reader: Reader, text: str, what: str, node: yaml.Node) -> Number | None:
        """A number written in half-width characters, checked against its column."""
        column = self.column
        amount = column.type == ColumnType.AMOUNT
        kind = "金额" if amount else "件数"
        if not (DECIMAL if amount else INTEGER).fullmatch(text):
            expected = f"数字（单位：{column.unit}）" if column.unit else "整数"
            reader.error("E010", node, variant=self.hint(text), what=what, expected=expected, text=text[:40], unit=column.unit)
            return None
        whole, _, decimals = text.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) > MAX_DIGITS or len(decimals) > MAX_DECIMALS:
            shown = text if len(text) <= 20 else f"{text[:12]}…（共 {len(text):,} 位）"
            limit = f"最多 {MAX_DIGITS} 位整数" + (f"、{MAX_DECIMALS} 位小数" if amount else "")
            reader.error("E014", node, what=what, number=shown, limit=limit)
            return None
        value: Number = Decimal(text) if amount else int(text)
        if value < 0:
            reader.error("E011", node, what=what, text=text, kind=kind)
            return None
        if amount and len(decimals) > column.decimals:
            reader.error("W015", node, what=what, found=len(decimals), decimals=column.decimals)
        return value

    def hint(self, text: str) -> str:
        """The variant of E010 whose hint fits what was written instead of a number."""
        column = self.column
        if "," in text:
            return "comma"
        if column.type == ColumnType.COUNT and DECIMAL.fullmatch(text):
            return "decimal"
        if column.unit and column.unit in text:
            return "unit"
        return ""


@dataclass(frozen=True)
class TableRow:
    """A table row: one number (a table of one column), or a [ ] list of the columns' numbers,
    the total columns last and optional."""

    table: Table
    key: str
    figures: tuple[Figure, ...]

    def schema(self, at: str = "") -> dict:
        table = self.table
        label = table.full_row_label(self.key)
        if table.single_column:
            return {**self.figures[0].schema(), "description": f"{label}（{table.columns[0].label}）"}
        required = [c for c in table.columns if not c.total]
        total = any(c.total for c in table.columns)
        return {
            "type": "array",
            "description": f"{label}。依次填写：{'、'.join(c.label for c in required)}" + ("；最后可加总计（省略时自动计算）" if total else ""),
            "prefixItems": [figure.schema() for figure in self.figures],
            "items": False,
            "minItems": len(required),
            "maxItems": len(table.columns),
        }

    def read(self, reader: Reader, node: yaml.Node) -> None:
        table, row_key = self.table, self.key
        cells = reader.report.cells
        title = table.row_title(row_key)
        if table.single_column:
            cells[(table.key, row_key, table.columns[0].key)] = Cell(self.figures[0].read(reader, node, title), reader.loc(node))
            return
        required = [c for c in table.columns if not c.total]
        names = "、".join(c.key for c in required)
        totals = [c for c in table.columns if c.total]
        row_loc = reader.loc(node)
        for column in table.columns:  # the row is written: its cells are the user's, found on this line
            cell = cells[(table.key, row_key, column.key)]
            cell.loc, cell.typed = row_loc, not column.total
        mistake = (
            typing_mistake(source_of(reader.lines, node), (len(required), len(table.columns)), INTEGER)
            if is_plain(node) or isinstance(node, yaml.SequenceNode)
            else None
        )
        if mistake:
            reader.findings.append(mistake_finding(reader.lines, reader.name, node, title, mistake))
            for figure, item in zip(self.figures, mistake.values or (), strict=False):
                cells[(table.key, row_key, figure.column.key)] = Cell(figure.read_text(reader, item, f"{title}「{figure.column.label}」", node), row_loc)
            return
        if is_plain(node) and node.value in NULLS:
            reader.error("E122", node, variant="row", row=title, names=names)
            return
        if not isinstance(node, yaml.SequenceNode):
            reader.error("E009", node, variant="totals" if totals else "", row=title, kind=node_kind(node), names=names)
            return
        count = len(node.value)
        if count not in (len(required), len(table.columns)):
            variant = "totals" if totals else ""
            reader.error("E012", node, variant=variant, row=title, required=len(required), all=len(table.columns), count=count, names=names)
            return
        for figure, item in zip(self.figures, node.value, strict=False):
            cells[(table.key, row_key, figure.column.key)] = Cell(figure.read(reader, item, title), reader.loc(item))


# Texts ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Narrative:
    """A text of one or more paragraphs (a section, or a part of one), named `what` in messages."""

    what: str
    description: str

    def schema(self, at: str = "") -> dict:
        return {"type": [*TEXT, "null"], "description": self.description}

    def read(self, reader: Reader, node: yaml.Node) -> Text | None:
        return reader.text_value(node, self.what)

    @staticmethod
    def value(reader: Reader, node: yaml.Node, what: str) -> Text | None:
        """The text of `node` (what FormReader.text_value reads)."""
        if not isinstance(node, yaml.ScalarNode):
            reader.error("E124", node, what=what, kind=node_kind(node))
            return None
        value = "" if is_plain(node) and node.value in NULLS else reader.clean(node, node.value, clean_text).strip("\n")
        longest = max(map(len, value.split("\n")))
        if longest > MAX_PARAGRAPH:
            reader.error("E063", node, what=what, length=longest, limit=MAX_PARAGRAPH)
            return None
        if is_plain(node) or node.style in ('"', "'"):
            reader.findings.extend(folded_text(reader.lines, reader.name, node, value, what))
        reader.narrative_length += len(value)
        if reader.narrative_length > MAX_NARRATIVE:
            reader.error("E064", node, what=what, limit=MAX_NARRATIVE)
            return None
        return Text(value, reader.loc(node), reader.locate_lines(node, value))


# Fields -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldValue:
    """A field of the form (机关, 年度…): one scalar, read by its type; empty is a finding only when required."""

    field: Field
    format_id: str

    def schema(self, at: str = "") -> dict:
        schema = {"description": self.field.label, **self.value_schema()}
        return schema if self.field.required else optional(schema)

    def value_schema(self) -> dict:
        return {"type": TEXT}

    def read(self, reader: Reader, node: yaml.Node) -> str | int | date | None:
        """The field's value; None (with a finding) when it is empty or wrong."""
        field = self.field
        if not isinstance(node, yaml.ScalarNode):
            reader.error("E126", node, key=field.key, kind=node_kind(node))
            return None
        raw = node.value.strip()
        if is_plain(node) and raw in NULLS:
            if field.required:
                reader.error("E122", node, variant="field", key=field.key, label=field.label)
            return None
        return self.parse(reader, node, raw)

    def parse(self, reader: Reader, node: yaml.ScalarNode, raw: str) -> str | int | date | None:
        """A one-line text; the title keeps the line breaks written in it (where it breaks in print)."""
        return reader.clean(node, raw, title_text if self.field.attribute == "title" else one_line).strip()


class YearValue(FieldValue):
    """A year of the Common Era within limits.YEARS."""

    def value_schema(self) -> dict:
        return {"type": "integer", "minimum": YEARS.start, "maximum": YEARS.stop - 1}

    def parse(self, reader: Reader, node: yaml.ScalarNode, raw: str) -> int | None:
        digits = raw.lstrip("+-").lstrip("0")
        if is_plain(node) and INTEGER.fullmatch(raw) and len(digits) <= 4 and (-1 if raw[0] == "-" else 1) * int(digits or "0") in YEARS:
            return int(digits)
        reader.error("E127", node, key=self.field.key, first=YEARS.start, last=YEARS.stop - 1, text=raw[:20])
        return None


class DateValue(FieldValue):
    """A date written YYYY-MM-DD."""

    def value_schema(self) -> dict:
        return {"type": "string", "format": "date", "pattern": f"^{DATE_PATTERN}$"}

    def parse(self, reader: Reader, node: yaml.ScalarNode, raw: str) -> date | None:
        try:
            if not DATE.fullmatch(raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            reader.error("E128", node, key=self.field.key, text=raw[:40])
            return None


class ChoiceValue(FieldValue):
    """One of the field's choices."""

    def value_schema(self) -> dict:
        return {"enum": list(self.field.choices)}

    def parse(self, reader: Reader, node: yaml.ScalarNode, raw: str) -> str | None:
        if raw not in self.field.choices:
            reader.error("E129", node, key=self.field.key, choices=" 或 ".join(self.field.choices), text=raw[:40])
            return None
        return reader.clean(node, raw, one_line).strip()


class FormatValue(FieldValue):
    """The id of the format the form is written in (the reader has chosen it by then)."""

    def schema(self, at: str = "") -> dict:
        schema = {"description": f"{self.field.label}：{self.format_name}", "enum": [self.format_id]}
        return schema if self.field.required else optional(schema)

    @property
    def format_name(self) -> str:
        return load_format(self.format_id).name

    def parse(self, reader: Reader, node: yaml.ScalarNode, raw: str) -> None:
        if raw != self.format_id:
            reader.error("E130", node, key=self.field.key, known="、".join(available_formats()), text=raw[:40], format=reader.fmt.name)
        return None


FIELD_VALUES: dict[FieldType, type[FieldValue]] = {
    FieldType.TEXT: FieldValue,
    FieldType.YEAR: YearValue,
    FieldType.DATE: DateValue,
    FieldType.CHOICE: ChoiceValue,
    FieldType.FORMAT: FormatValue,
}


# Sections ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextSection:
    """A section written as one text."""

    section: Section

    def schema(self, at: str = "") -> dict:
        return Narrative(self.section.heading, self.section.label or self.section.heading).schema()

    def read(self, reader: Reader, node: yaml.Node, key_node: yaml.Node | None = None) -> None:
        text = reader.text_value(node, self.section.heading)
        if text is not None:
            reader.report.texts[self.section.key] = text


@dataclass
class PartsSection:
    """A section written in parts (（一）主动公开情况…), each a text, or as one text."""

    section: Section
    parts: Keyed = field(init=False)

    def __post_init__(self) -> None:
        section = self.section
        intro = [Member(section.intro, Narrative(section.intro, section.intro_label))] if section.intro else []
        members = [Member(p.key, Narrative(p.key, p.title), (p.heading,)) for p in section.parts]
        self.parts = Keyed(f"「{section.heading}」", (*intro, *members))

    def schema(self, at: str) -> dict:
        section = self.section
        return {
            "description": f"{section.heading}：分项填写，或写成一整段文字",
            "oneOf": [{"type": [*TEXT, "null"]}, self.parts.schema(f"{at}/oneOf/1")],
        }

    def read(self, reader: Reader, node: yaml.Node, key_node: yaml.Node) -> None:
        section = self.section
        if isinstance(node, yaml.ScalarNode):
            TextSection(section).read(reader, node)
            return
        if not isinstance(node, yaml.MappingNode):
            reader.error("E131", node, section=section.heading, parts="、".join(p.key for p in section.parts), kind=node_kind(node))
            return
        parts: dict[str, Text] = {}
        for key, (_key_node, value) in self.parts.entries(reader, node).items():
            text = reader.text_value(value, key)
            if text is not None:
                parts[key] = text
        reader.report.parts[section.key] = parts


@dataclass
class TablesSection:
    """A section of tables: one “行: 数字” line per row, the total rows optional."""

    fmt: Format
    section: Section
    rows: Keyed = field(init=False)

    def __post_init__(self) -> None:
        members = [
            Member(row.key, TableRow(table, row.key, tuple(Figure(c) for c in table.columns)), (NUMBERING.sub("", row.label),), not row.total)
            for table in self.fmt.tables_of(self.section)
            for row in table.rows
        ]
        self.rows = Keyed(f"「{self.section.heading}」", tuple(members))

    def schema(self, at: str) -> dict:
        return self.rows.schema(at, self.section.heading)

    def read(self, reader: Reader, node: yaml.Node, key_node: yaml.Node) -> None:
        section = self.section
        if not isinstance(node, yaml.MappingNode):
            reader.error("E132", node, section=section.heading, kind=node_kind(node))
            return
        entries = self.rows.entries(reader, node)
        for table in self.fmt.tables_of(section):
            for row in table.rows:
                if row.key in entries:
                    row_key_node, value = entries[row.key]
                    reader.report.row_locs[(table.key, row.key)] = reader.loc(row_key_node)
                    reader.read_row(table, row.key, value)
                    continue
                reader.report.row_locs[(table.key, row.key)] = reader.loc(key_node)
                if not row.total and row.key not in reader.suggested:
                    reader.error("E008", key_node, variant="row", row=table.row_title(row.key), section=section.key, key=row.key)


# 已核对 ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AckValue:
    """One value of an acknowledgement: a one-line text, not blank, into Acknowledgement.`attribute`."""

    attribute: str
    description: str
    pattern: str = "\\S"
    missing_found_later: bool = False  # a missing 理由 is reported by acknowledge.apply_acknowledgements (E050)

    def schema(self, at: str = "") -> dict:
        return {"type": TEXT, "pattern": self.pattern, "description": self.description}


ACK_VALUES = {
    # An error's code (E…) is refused by acknowledge.apply_acknowledgements (E051); a code that
    # names no warning there is W207, which a schema cannot know.
    "代码": AckValue("code", "警告的代码，如 W301", "^\\s*[^\\sE]"),
    "位置": AckValue("place", "表单中的位置（如 总体情况.主动公开、本年新收），或那一行中的原文词句"),
    "理由": AckValue("reason", "为何核对后仍保留（必填）", missing_found_later=True),
}


@dataclass
class Acknowledgements:
    """The 已核对 list: {代码, 位置, 理由} per acknowledged warning (their meaning is checked in acknowledge.py)."""

    item: Keyed = field(default_factory=lambda: Keyed(f"「{acknowledge.KEY}」", tuple(Member(k, v, (), True) for k, v in ACK_VALUES.items())))

    def schema(self, at: str) -> dict:
        """A list (the reader also takes an empty `已核对:` as none; editors are shown that a list goes there)."""
        items = self.item.schema(f"{at}/items", exact_required=True)  # editors complete the three keys
        return {"type": "array", "description": "核对过、仍保留的警告：每项写明代码、位置和理由", "items": items}

    def read(self, reader: Reader, node: yaml.Node) -> None:
        key = acknowledge.KEY
        if not isinstance(node, yaml.SequenceNode):
            if not (is_plain(node) and node.value in NULLS):
                reader.error("E056", node, variant="list", key=key, kind=node_kind(node))
            return
        for item in node.value:
            if not isinstance(item, yaml.MappingNode):
                reader.error("E056", item, variant="item", key=key, kind=node_kind(item))
                continue
            entries = self.item.entries(reader, item)
            values = {}
            for name, shape in ACK_VALUES.items():
                value = entries[name][1] if name in entries else None
                values[shape.attribute] = value.value.strip() if isinstance(value, yaml.ScalarNode) and value.value not in NULLS else ""
                if not values[shape.attribute] and not shape.missing_found_later:
                    reader.error("E008", item, variant="acknowledgement", section=key, key=name)
            if values["code"] and values["place"]:
                reader.report.acknowledgements.append(acknowledge.Acknowledgement(**values, loc=reader.loc(item)))


# The form ---------------------------------------------------------------------------------------


SectionShape = TextSection | PartsSection | TablesSection


@dataclass
class FormShape:
    """The whole form of one format: its fields, 已核对 and sections."""

    fmt: Format
    fields: dict[str, FieldValue] = field(init=False)
    sections: dict[str, SectionShape] = field(init=False)
    rows: dict[str, TableRow] = field(init=False)
    acknowledgements: Acknowledgements = field(default_factory=Acknowledgements)
    top: Keyed = field(init=False)

    def __post_init__(self) -> None:
        fmt = self.fmt
        self.fields = {f.key: FIELD_VALUES[f.type](f, fmt.id) for f in fmt.fields}
        self.sections = {s.key: section_shape(fmt, s) for s in fmt.sections}
        self.rows = {m.key: m.shape for s in self.sections.values() if isinstance(s, TablesSection) for m in s.rows.members}
        members = [Member(f.key, self.fields[f.key], (), f.required) for f in fmt.fields]
        members.append(Member(acknowledge.KEY, self.acknowledgements))
        members += [Member(s.key, self.sections[s.key], (), s.required) for s in fmt.sections]
        self.top = Keyed("表单", tuple(members))

    def schema(self) -> dict:
        return {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": f"政府信息公开工作年度报告表单（{self.fmt.id}）",
            "description": self.fmt.name,
            **self.top.schema(""),
        }

    def read(self, reader: Reader, root: yaml.MappingNode) -> None:
        """The form's fields, 已核对 and sections into the reader's Report."""
        entries = self.top.entries(reader, root)
        reader.read_fields(entries, root)
        if acknowledge.KEY in entries:
            reader.read_acknowledgements(entries[acknowledge.KEY][1])
        for section in self.fmt.sections:
            if section.key not in entries:
                if section.required and section.key not in reader.suggested:  # else E007 already offered this key for a misspelt one
                    reader.error("E008", root, variant="section", heading=section.heading, key=section.key, place=self.place_for(section, entries, reader))
                continue
            key_node, value = entries[section.key]
            reader.report.section_locs[section.key] = reader.loc(key_node)
            self.sections[section.key].read(reader, value, key_node)

    def read_fields(self, reader: Reader, entries: dict[str, tuple], root: yaml.Node) -> None:
        """The form's fields, each into the Report attribute the format names for it."""
        for field_ in self.fmt.fields:
            if field_.key not in entries:
                if field_.required and field_.key not in reader.suggested:
                    reader.error("E008", root, variant="field", key=field_.key, label=field_.label)
                continue
            _key_node, node = entries[field_.key]
            if field_.attribute:
                reader.report.field_locs[field_.attribute] = reader.loc(node)
            value = self.fields[field_.key].read(reader, node)
            if value is not None and field_.attribute:
                setattr(reader.report, field_.attribute, value)

    def place_for(self, section: Section, entries: dict[str, tuple], reader: Reader) -> str:
        """Where a missing section goes: after the nearest section before it that the form has."""
        before = self.fmt.sections[: self.fmt.sections.index(section)]
        present = [s for s in before if s.key in entries]
        if not present:
            return "放在“机关”“年度”等各项之后"
        key_node = entries[present[-1].key][0]
        return f"放在「{present[-1].heading}」一节（第 {reader.line_number(key_node.start_mark.line)} 行起）之后"


def section_shape(fmt: Format, section: Section) -> SectionShape:
    if section.kind == SectionKind.TABLES:
        return TablesSection(fmt, section)
    if section.kind == SectionKind.PARTS:
        return PartsSection(section)
    return TextSection(section)


_shapes: dict[str, FormShape] = {}


def form_shape(fmt: Format) -> FormShape:
    """The shape of a format's form (made once per format)."""
    shape = _shapes.get(fmt.id)
    if shape is None or shape.fmt is not fmt:
        shape = _shapes[fmt.id] = FormShape(fmt)
    return shape

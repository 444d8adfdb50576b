"""The official report format, loaded from its data file in generator/formats/."""

from __future__ import annotations

import os
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache, lru_cache
from pathlib import Path

import yaml

from . import datacheck
from .codes import registry
from .findings import Finding
from .location import Loc

FORMATS_DIR = Path(__file__).parent / "formats"
SCHEMA_FILE = Path(__file__).parent / "format.schema.yaml"
EXTRA_FORMATS = "NIANBAO_FORMATS"  # a folder of further format files, e.g. a new year's or a province's
DEFAULT_FORMAT = "gov2021"
PREVIOUS = "上年."
CHINESE_NUMERALS = "一二三四五六七八九十"


class FieldType(StrEnum):
    TEXT = "text"
    YEAR = "year"
    DATE = "date"
    CHOICE = "choice"
    FORMAT = "format"  # names the format the form is written in


class ColumnType(StrEnum):
    COUNT = "count"
    AMOUNT = "amount"


class SectionKind(StrEnum):
    TEXT = "text"
    PARTS = "parts"
    TABLES = "tables"


class TableLayout(StrEnum):
    GRID = "grid"
    ONE_ROW = "one_row"  # the rows print side by side as one data row


@dataclass(frozen=True)
class Field:
    """A field of the form (机关, 年度…); `attribute` is the Report attribute it fills."""

    key: str
    label: str
    type: FieldType
    attribute: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: ColumnType = ColumnType.COUNT
    total: bool = False
    unit: str = ""
    decimals: int = 0


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    total: bool = False


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    key: str
    caption: str
    corner: str
    note: str
    layout: TableLayout
    label_columns: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    column_groups: tuple[Group, ...]
    row_groups: tuple[Group, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    @property
    def single_column(self) -> bool:
        return len(self.columns) == 1

    def groups_of_row(self, key: str) -> list[Group]:
        return [g for g in self.row_groups if key in g.members]

    def full_row_label(self, key: str) -> str:
        """The row's label with its group labels, as a reader names it: 三、本年度办理结果（三）不予公开1.属于国家秘密."""
        return "".join(g.label for g in self.groups_of_row(key)) + self.row(key).label

    def row_title(self, key: str) -> str:
        """The row named in a message: with the table's caption where it has one (第二十条第（一）项 规章)."""
        return f"{self.caption} {self.full_row_label(key)}" if self.caption else self.full_row_label(key)

    def cell_title(self, row: str, column: str) -> str:
        """A cell named in a message: its row, then its column in 「」."""
        return f"{self.row_title(row)}「{self.column(column).label}」"


@dataclass(frozen=True)
class Term:
    key: str
    sign: int = 1
    previous: bool = False

    @classmethod
    def parse(cls, text: str) -> Term:
        sign = -1 if text.startswith("-") else 1
        text = text.lstrip("-")
        previous = text.startswith(PREVIOUS)
        return cls(text.removeprefix(PREVIOUS), sign, previous)


@dataclass(frozen=True)
class Relation:
    code: str
    table: str
    for_each: str
    meaning: str
    left: tuple[Term, ...] = ()
    right: tuple[Term, ...] = ()
    pending: Term | None = None

    @property
    def needs_previous(self) -> bool:
        return any(t.previous for t in (*self.left, *self.right)) or self.pending is not None


@dataclass(frozen=True)
class Part:
    key: str
    heading: str
    number: str  # 一, 二…: printed as （一）
    words: tuple[str, ...] = ()  # what names this part in a heading of the agency's own wording

    @property
    def title(self) -> str:
        return f"（{self.number}）{self.heading}"


@dataclass(frozen=True)
class MustMention:
    code: str
    words: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    kind: SectionKind
    required: bool = True
    label: str = ""
    tables: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    intro: str = ""
    intro_label: str = ""
    must_mention: MustMention | None = None
    aliases: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # what names this section in a heading of the agency's own wording

    @property
    def heading(self) -> str:
        """The printed heading, e.g. 一、总体情况; a section without a number prints none."""
        return f"{self.number}、{self.key}" if self.number else self.key


@dataclass(frozen=True)
class Ratio:
    """A key ratio of the region's figures: the numerator figures' sum over the denominator's
    (figure names as key_figures writes them), not given for fewer than `min_cases` cases."""

    name: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    min_cases: int
    meaning: str = ""


@dataclass(frozen=True)
class EarlierFormat:
    """An older format the importer recognises (and imports only in part)."""

    name: str
    markers: tuple[str, ...]
    shared_sections: tuple[str, ...]
    merged_rows: tuple[Group, ...]


@dataclass(frozen=True)
class Format:
    id: str
    name: str
    first_year: int
    title: str
    fields: tuple[Field, ...]
    deadlines: dict[str, tuple[int, int]]
    kind_by_suffix: dict[str, str]
    sections: tuple[Section, ...]
    tables: dict[str, Table]
    relations: tuple[Relation, ...]
    placeholders: tuple[str, ...]
    narrative_units: tuple[str, ...]
    narrative_figures: dict  # the vocabulary of figures in the narrative, read by narrative.py
    row_index: dict[str, tuple[Table, Row]]  # every table's rows by key, with their table
    title_patterns: tuple[str, ...] = ()
    key_figures: tuple[str, ...] = ()
    earlier_formats: tuple[EarlierFormat, ...] = ()
    completeness: dict[str, str] = field(default_factory=dict)  # empty/placeholder → the code reported
    year_on_year: dict = field(default_factory=dict)  # figures, ratio, minimum, similar, min_chars
    ratios: tuple[Ratio, ...] = ()  # the region's key ratios (the season's region figures)

    def __reduce__(self) -> tuple:
        """Sent between processes by its id: every process reads the same data file once."""
        return load_format, (self.id,)

    def tables_of(self, section: Section) -> list[Table]:
        return [self.tables[k] for k in section.tables]

    def field_for(self, attribute: str) -> Field:
        """The field that fills a Report attribute (agency, year…)."""
        return next(f for f in self.fields if f.attribute == attribute)

    @property
    def format_field(self) -> Field | None:
        return next((f for f in self.fields if f.type == FieldType.FORMAT), None)

    def kind_of(self, agency: str) -> str:
        """The report kind of an agency whose form names none (地方政府 for a 人民政府)."""
        return next((kind for suffix, kind in self.kind_by_suffix.items() if agency.endswith(suffix)), next(iter(self.deadlines)))

    def make_title(self, agency: str, year: int) -> str:
        return self.title.format_map({self.field_for("agency").key: agency, self.field_for("year").key: year})


@lru_cache(maxsize=4096)  # the same few hundred labels and keys, folded for every form read
def normalize_label(text: str) -> str:
    """Fold a label for matching: NFKC (Kangxi radicals, full-width forms), no spaces or quotes."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in "\"'“”‘’「」")


def _group(data: dict) -> Group:
    return Group(data.get("key", data["label"]), data["label"], tuple(data.get("rows") or data.get("columns")))


def _table(data: dict) -> Table:
    return Table(
        key=data["key"],
        caption=data.get("caption", ""),
        corner=data.get("corner", ""),
        note=data.get("note", ""),
        layout=TableLayout(data.get("layout", TableLayout.GRID)),
        label_columns=data.get("label_columns", 1),
        columns=tuple(Column(**{**c, "type": ColumnType(c.get("type", ColumnType.COUNT))}) for c in data["columns"]),
        rows=tuple(Row(**r) for r in data["rows"]),
        column_groups=tuple(_group(g) for g in data.get("column_groups", ())),
        row_groups=tuple(_group(g) for g in data.get("row_groups", ())),
    )


def _relation(data: dict) -> Relation:
    return Relation(
        code=data["code"],
        table=data["table"],
        for_each=data["for_each"],
        meaning=data["meaning"],
        left=tuple(Term.parse(t) for t in data.get("left", ())),
        right=tuple(Term.parse(t) for t in data.get("right", ())),
        pending=Term.parse(data["pending"]) if "pending" in data else None,
    )


def _section(data: dict) -> Section:
    mention = data.get("must_mention")
    return Section(
        key=data["key"],
        number=data.get("number", ""),
        kind=SectionKind(data["kind"]),
        required=data.get("required", True),
        label=data.get("label", ""),
        tables=tuple(data.get("tables", ())),
        parts=tuple(Part(p["key"], p["heading"], CHINESE_NUMERALS[i], tuple(p.get("words", ()))) for i, p in enumerate(data.get("parts", ()))),
        intro=data.get("intro", ""),
        intro_label=data.get("intro_label", ""),
        aliases=tuple(data.get("aliases", ())),
        words=tuple(data.get("words", ())),
        must_mention=MustMention(mention["code"], tuple(mention["words"])) if mention else None,
    )


class FormatError(Exception):
    """A format data file that cannot be used; `findings` say where and why (E140–E144)."""

    def __init__(self, findings: list[Finding], source_lines: list[str], first_year: int | None = None):
        super().__init__(findings[0].message)
        self.findings = findings
        self.source_lines = source_lines
        self.first_year = first_year  # the year it says it starts, when that much is readable


@cache
def format_schema() -> dict:
    return yaml.load(SCHEMA_FILE.read_text("utf-8"), Loader=yaml.CSafeLoader)


def compose_format(path: Path) -> tuple[yaml.Node, list[str]]:
    """A format file's node tree and lines; unreadable YAML is a located E140."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "不是 UTF-8 编码" if isinstance(exc, UnicodeDecodeError) else exc.strerror
        raise FormatError([Finding.of("E140", None, variant="unreadable", path=path, reason=reason)], []) from None
    lines = text.split("\n")
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Loc(str(path), mark.line + 1, mark.column + 1) if mark else Loc(str(path), 1, 1)
        message = datacheck.yaml_problem(f"{exc.context or ''} {exc.problem or ''}")
        raise FormatError([Finding.of("E140", loc, variant="syntax", problem=message)], lines) from None
    if root is None:
        raise FormatError([Finding.of("E140", Loc(str(path), 1, 1), variant="empty", path=path)], lines)
    return root, lines


def first_year_of(root: yaml.Node) -> int | None:
    node = datacheck.node_at(root, ("first_year",))
    return int(node.value) if node is not root and datacheck.has_type(node, "integer") else None


@cache
def load_format(format_id: str = DEFAULT_FORMAT) -> Format:
    """Read and check a format's data file; the result is shared and never changes.
    Raises FormatError, with every mistake located, when the file cannot be used."""
    path = format_files()[format_id]
    root, lines = compose_format(path)
    shape = list(datacheck.check(root, format_schema()))
    findings = [shape_finding(p, datacheck.node_loc(str(path), p.node)) for p in shape]
    if not shape:
        data = yaml.CSafeLoader("").construct_document(root)
        findings = [replace(finding, loc=datacheck.node_loc(str(path), datacheck.node_at(root, at))) for at, finding in cross_problems(data, format_id)]
    if findings:
        raise FormatError(findings, lines, first_year_of(root))
    return build_format(data)


def shape_finding(problem: datacheck.Problem, loc: Loc) -> Finding:
    """A format file's shape problem, as the schema check words it."""
    if problem.kind == datacheck.DUPLICATE:
        return Finding.of("E143", loc, variant="schema", problem=problem.message)
    return Finding.of("E141", loc, variant="schema", problem=problem.message, description=problem.hint)


def build_format(data: dict) -> Format:
    tables = {t["key"]: _table(t) for t in data["tables"]}
    return Format(
        id=data["id"],
        name=data["name"],
        first_year=data["first_year"],
        title=data["title"],
        fields=tuple(Field(**{**f, "type": FieldType(f["type"]), "choices": tuple(f.get("choices", ()))}) for f in data["fields"]),
        deadlines={k: tuple(v) for k, v in data["deadlines"].items()},
        kind_by_suffix=data["kind_by_suffix"],
        sections=tuple(_section(s) for s in data["sections"]),
        tables=tables,
        relations=tuple(_relation(r) for r in data["relations"]),
        placeholders=tuple(data["placeholders"]),
        narrative_units=tuple(data["narrative_units"]),
        completeness=data["completeness"],
        year_on_year=data.get("year_on_year", {}),
        title_patterns=tuple(data.get("title_patterns", ())),
        key_figures=tuple(data.get("key_figures", ())),
        ratios=tuple(Ratio(r["name"], tuple(r["numerator"]), tuple(r["denominator"]), r["min_cases"], r.get("meaning", "")) for r in data.get("ratios", ())),
        earlier_formats=tuple(
            EarlierFormat(
                e["name"], tuple(e["markers"]), tuple(e["shared_sections"]), tuple(_group(g) for g in e["merged_rows"])
            )
            for e in data.get("earlier_formats", ())
        ),
        narrative_figures=data["narrative_figures"],
        row_index={row.key: (table, row) for table in tables.values() for row in table.rows},
    )


Place = tuple[str | int, ...]  # a path into the data: ("relations", 2, "level")
Problem = tuple[Place, Finding]  # a finding about the data at a place (located by load_format)


def cross_problems(data: dict, format_id: str) -> Iterator[Problem]:
    """Mistakes between names: unknown tables, rows or columns, repeated keys, unregistered codes."""
    if data["id"] != format_id:
        yield ("id",), Finding.of("E141", None, variant="id", id=data["id"], file_id=format_id)
    rows = [(("tables", i, "rows", j, "key"), row["key"]) for i, table in enumerate(data["tables"]) for j, row in enumerate(table["rows"])]
    for collection in ("fields", "sections", "tables"):
        yield from duplicates([((collection, i, "key"), item["key"]) for i, item in enumerate(data[collection])], collection)
    yield from duplicates(rows, "tables[].rows")
    yield from field_problems(data)
    tables = {t["key"]: t for t in data["tables"]}
    for index, table in enumerate(data["tables"]):
        yield from table_problems(table, ("tables", index))
    for index, section in enumerate(data["sections"]):
        yield from unknown(listed(("sections", index, "tables"), section.get("tables", ())), tables, "表")
        if "must_mention" in section:
            yield from registered(("sections", index, "must_mention", "code"), section["must_mention"]["code"])
    for index, relation in enumerate(data["relations"]):
        yield from relation_problems(relation, ("relations", index), tables)
    row_tables = {key: data["tables"][place[1]] for place, key in rows}
    row_tables |= {g["key"]: table for table in data["tables"] for g in table.get("row_groups", ()) if "key" in g}  # a group sums its rows
    yield from narrative_problems(data["narrative_figures"], row_tables)
    area_kinds = data["narrative_figures"].get("whole_area", {}).get("kinds", ())
    yield from unknown(listed(("narrative_figures", "whole_area", "kinds"), area_kinds), data["deadlines"], "报告类型")
    for index, name in enumerate(data.get("key_figures", ())):
        yield from figure_problems(name, ("key_figures", index), row_tables)
    for index, ratio in enumerate(data.get("ratios", ())):
        for side in ("numerator", "denominator"):
            for j, name in enumerate(ratio[side]):
                yield from figure_problems(name, ("ratios", index, side, j), row_tables)
    for index, name in enumerate(data.get("year_on_year", {}).get("figures", ())):
        yield from figure_problems(name, ("year_on_year", "figures", index), row_tables)
    for kind, code in data["completeness"].items():
        yield from registered(("completeness", kind), code)
    sections = [s["key"] for s in data["sections"]]
    for index, earlier in enumerate(data.get("earlier_formats", ())):
        yield from unknown(listed(("earlier_formats", index, "shared_sections"), earlier["shared_sections"]), sections, "节")
        for j, group in enumerate(earlier["merged_rows"]):
            yield from unknown(listed(("earlier_formats", index, "merged_rows", j, "rows"), group["rows"]), row_tables, "行")


def field_problems(data: dict) -> Iterator[Problem]:
    """The fields the code relies on, the names the title uses, and a deadline for every report kind."""
    fields = [f["key"] for f in data["fields"]]
    for attribute in ("agency", "year"):
        if sum(f.get("attribute") == attribute for f in data["fields"]) != 1:
            yield ("fields",), Finding.of("E141", None, variant="attribute", attribute=attribute)
    used = [name for _text, name, _spec, _conversion in string.Formatter().parse(data["title"]) if name is not None]
    yield from unknown([(("title",), name) for name in used], fields, "字段")
    kinds = [*data["kind_by_suffix"].values(), *(c for f in data["fields"] if f.get("attribute") == "kind" for c in f.get("choices", ()))]
    if not data["deadlines"]:
        yield ("deadlines",), Finding.of("E141", None, variant="deadlines")
    for kind in kinds:
        if kind not in data["deadlines"]:
            yield ("deadlines",), Finding.of("E142", None, variant="deadline", kind=kind)


def listed(place: Place, names) -> list[tuple[Place, str]]:
    """Each name of a list with its own place."""
    return [((*place, index), name) for index, name in enumerate(names)]


def duplicates(keyed: list[tuple[Place, str]], where: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for place, key in keyed:
        if key in seen:
            yield place, Finding.of("E143", None, where=where, key=key)
        seen.add(key)


def unknown(named: list[tuple[Place, str]], known, what: str) -> Iterator[Problem]:
    for place, name in named:
        if name not in known:
            yield place, Finding.of("E142", None, what=what, name=name, known="、".join(known))


def table_problems(table: dict, place: Place) -> Iterator[Problem]:
    members = {"columns": [c["key"] for c in table["columns"]], "rows": [r["key"] for r in table["rows"]]}
    yield from duplicates(listed((*place, "columns"), members["columns"]), f"表「{table['key']}」的 columns")
    for kind, member in (("column_groups", "columns"), ("row_groups", "rows")):
        for index, group in enumerate(table.get(kind, ())):
            if member not in group:
                yield (*place, kind, index), Finding.of("E141", None, variant="group", kind=kind, member=member)
            what = f"表「{table['key']}」的{'列' if member == 'columns' else '行'}"
            yield from unknown(listed((*place, kind, index, member), group.get(member, ())), members[member], what)


def relation_problems(relation: dict, place: Place, tables: dict) -> Iterator[Problem]:
    yield from registered((*place, "code"), relation["code"], relation["level"], (*place, "level"))
    table = tables.get(relation["table"])
    if table is None:
        yield from unknown([((*place, "table"), relation["table"])], tables, "表")
        return
    by_row = relation["for_each"] == "row"
    names = [c["key"] for c in table["columns"]] if by_row else [r["key"] for r in table["rows"]]
    if not ("pending" in relation or ("left" in relation and "right" in relation)):
        yield place, Finding.of("E141", None, variant="relation", code=relation["code"])
    terms = [(p, Term.parse(t).key) for side in ("left", "right") for p, t in listed((*place, side), relation.get(side, ()))]
    if "pending" in relation:
        terms.append(((*place, "pending"), Term.parse(relation["pending"]).key))
    yield from unknown(terms, names, f"表「{table['key']}」的{'列' if by_row else '行'}")


def registered(place: Place, code: str, level: str | None = None, level_place: Place = ()) -> Iterator[Problem]:
    """A code the data uses must be in generator/codes.yaml, with the same level (that is where the level is read)."""
    entry = registry().get(code)
    if entry is None:
        yield place, Finding.of("E144", None, variant="unregistered", code=code)
    elif level is not None and level != entry.level:
        yield level_place, Finding.of("E144", None, variant="level", code=code, level=level, registered=entry.level.value, label=entry.level.label)


def narrative_problems(vocabulary: dict, row_tables: dict) -> Iterator[Problem]:
    """The figures the narrative rules name, and the topics they use."""
    for index, rule in enumerate(vocabulary["rules"]):
        place = ("narrative_figures", "rules", index)
        for j, figures in enumerate(rule["figures"]):
            for k, name in enumerate(figures):
                yield from figure_problems(name, (*place, "figures", j, k), row_tables)
        if "share_of" in rule:
            yield from figure_problems(rule["share_of"], (*place, "share_of"), row_tables)
        if "topic" in rule:
            yield from unknown([((*place, "topic"), rule["topic"])], vocabulary["topics"], "主题")


def figure_problems(name: str, place: Place, row_tables: dict) -> Iterator[Problem]:
    row, _, column = name.partition(".")
    table = row_tables.get(row)
    if table is None:
        yield place, Finding.of("E142", None, variant="figure_row", name=name, row=row)
    elif column and column not in [c["key"] for c in table["columns"]]:
        yield place, Finding.of("E142", None, variant="figure_column", name=name, column=column, known="、".join(c["key"] for c in table["columns"]))
    elif not column and len(table["columns"]) != 1:
        yield place, Finding.of("E142", None, variant="figure_no_column", name=name, table=table["key"])


def format_files() -> dict[str, Path]:
    """Format id → data file: the built-in ones, and those in the folder NIANBAO_FORMATS names."""
    folders = [FORMATS_DIR] + ([Path(os.environ[EXTRA_FORMATS])] if os.environ.get(EXTRA_FORMATS) else [])
    return {path.stem: path for folder in folders for path in sorted(folder.glob("*.yaml"))}


def available_formats() -> list[str]:
    return sorted(format_files())


def format_for_year(year: int | None) -> Format:
    """The newest format in force for a report year (the default format when none is).
    A broken format file is passed over, unless it would be the one in force: then it is reported."""
    usable, broken = [], []
    for format_id in available_formats():
        try:
            usable.append(load_format(format_id))
        except FormatError as exc:
            broken.append(exc)
    in_force = [f for f in usable if year and f.first_year <= year]
    chosen = max(in_force, key=lambda f: f.first_year) if in_force else load_format()
    for exc in broken:
        if year and exc.first_year and chosen.first_year < exc.first_year <= year:
            raise exc
    return chosen

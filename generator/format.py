"""The official report format, loaded from its data file in generator/formats/."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

FORMATS_DIR = Path(__file__).parent / "formats"
EXTRA_FORMATS = "NIANBAO_FORMATS"  # a folder of further format files, e.g. a new year's or a province's
DEFAULT_FORMAT = "gov2021"
PREVIOUS = "上年."
CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = "count"
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
    layout: str
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
    level: str
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

    @property
    def title(self) -> str:
        return f"（{self.number}）{self.heading}"


@dataclass(frozen=True)
class MustMention:
    code: str
    words: tuple[str, ...]
    message: str
    hint: str


@dataclass(frozen=True)
class Section:
    key: str
    number: str
    kind: str
    required: bool = True
    label: str = ""
    tables: tuple[str, ...] = ()
    parts: tuple[Part, ...] = ()
    intro: str = ""
    intro_label: str = ""
    must_mention: MustMention | None = None
    aliases: tuple[str, ...] = ()

    @property
    def heading(self) -> str:
        """The printed heading, e.g. 一、总体情况; a section without a number prints none."""
        return f"{self.number}、{self.key}" if self.number else self.key


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
    local_government_suffix: str
    sections: tuple[Section, ...]
    tables: dict[str, Table]
    relations: tuple[Relation, ...]
    placeholders: tuple[str, ...]
    narrative_units: tuple[str, ...]
    narrative_figures: dict  # the vocabulary of figures in the narrative, read by narrative.py
    title_patterns: tuple[str, ...] = ()
    key_figures: tuple[str, ...] = ()
    earlier_formats: tuple[EarlierFormat, ...] = ()
    completeness: dict[str, dict] = field(default_factory=dict)  # empty/placeholder → {code, level}
    year_on_year: dict = field(default_factory=dict)  # figures, ratio, minimum, similar, min_chars
    row_index: dict[str, tuple[Table, Row]] = field(default_factory=dict)

    def __reduce__(self) -> tuple:
        """Sent between processes by its id: every process reads the same data file once."""
        return load_format, (self.id,)

    def tables_of(self, section: Section) -> list[Table]:
        return [self.tables[k] for k in section.tables]

    def make_title(self, agency: str, year: int) -> str:
        return self.title.format(机关=agency, 年度=year)


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
        layout=data.get("layout", "grid"),
        label_columns=data.get("label_columns", 1),
        columns=tuple(Column(**c) for c in data["columns"]),
        rows=tuple(Row(**r) for r in data["rows"]),
        column_groups=tuple(_group(g) for g in data.get("column_groups", ())),
        row_groups=tuple(_group(g) for g in data.get("row_groups", ())),
    )


def _relation(data: dict) -> Relation:
    return Relation(
        code=data["code"],
        level=data["level"],
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
        kind=data["kind"],
        required=data.get("required", True),
        label=data.get("label", ""),
        tables=tuple(data.get("tables", ())),
        parts=tuple(Part(p["key"], p["heading"], CHINESE_NUMERALS[i]) for i, p in enumerate(data.get("parts", ()))),
        intro=data.get("intro", ""),
        intro_label=data.get("intro_label", ""),
        aliases=tuple(data.get("aliases", ())),
        must_mention=MustMention(mention["code"], tuple(mention["words"]), mention["message"], mention["hint"]) if mention else None,
    )


@cache
def load_format(format_id: str = DEFAULT_FORMAT) -> Format:
    """Read a format's data file; the result is shared and never changes."""
    data = yaml.load(format_files()[format_id].read_text("utf-8"), Loader=yaml.CSafeLoader)
    tables = {t["key"]: _table(t) for t in data["tables"]}
    fmt = Format(
        id=data["id"],
        name=data["name"],
        first_year=data["first_year"],
        title=data["title"],
        fields=tuple(Field(**{**f, "choices": tuple(f.get("choices", ()))}) for f in data["fields"]),
        deadlines={k: tuple(v) for k, v in data["deadlines"].items()},
        local_government_suffix=data["local_government_suffix"],
        sections=tuple(_section(s) for s in data["sections"]),
        tables=tables,
        relations=tuple(_relation(r) for r in data["relations"]),
        placeholders=tuple(data["placeholders"]),
        narrative_units=tuple(data["narrative_units"]),
        completeness=data.get("completeness", {}),
        year_on_year=data.get("year_on_year", {}),
        title_patterns=tuple(data.get("title_patterns", ())),
        key_figures=tuple(data.get("key_figures", ())),
        earlier_formats=tuple(
            EarlierFormat(
                e["name"], tuple(e["markers"]), tuple(e["shared_sections"]), tuple(Group(g["label"], g["label"], tuple(g["rows"])) for g in e["merged_rows"])
            )
            for e in data.get("earlier_formats", ())
        ),
        narrative_figures=data["narrative_figures"],
    )
    for table in tables.values():
        for row in table.rows:
            if row.key in fmt.row_index:
                raise ValueError(f"row key {row.key} appears twice in format {format_id}")
            fmt.row_index[row.key] = (table, row)
    return fmt


def format_files() -> dict[str, Path]:
    """Format id → data file: the built-in ones, and those in the folder NIANBAO_FORMATS names."""
    folders = [FORMATS_DIR] + ([Path(os.environ[EXTRA_FORMATS])] if os.environ.get(EXTRA_FORMATS) else [])
    return {path.stem: path for folder in folders for path in sorted(folder.glob("*.yaml"))}


def available_formats() -> list[str]:
    return sorted(format_files())


def format_for_year(year: int | None) -> Format:
    """The newest format in force for a report year (the default format when none is)."""
    in_force = [f for f in map(load_format, available_formats()) if year and f.first_year <= year]
    return max(in_force, key=lambda f: f.first_year) if in_force else load_format()

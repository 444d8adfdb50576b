"""The Report: plain data read from a form, with where each value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from .location import CellId, Loc

if TYPE_CHECKING:
    from .format import Column, Format, Relation, Row, Table, Term

Number = int | Decimal


@dataclass
class Cell:
    """A table cell: its value (None until known), where it was written, and whether the user
    writes it (`typed`) or it is a total computed when left out."""

    value: Number | None
    loc: Loc | None = None
    typed: bool = True


@dataclass
class Text:
    """A narrative field. `line_locs[i]` is where line i of `value` starts in the source."""

    value: str
    loc: Loc
    line_locs: list[Loc] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.value.split("\n")

    def loc_of(self, line_index: int, column_index: int, width: int = 1) -> Loc:
        base = self.line_locs[line_index] if line_index < len(self.line_locs) else self.loc
        return Loc(base.file, base.line, base.column + column_index, width, base.place)


@dataclass
class Report:
    format: Format
    agency: str = ""
    year: int = 0
    title: str = ""
    kind: str = ""
    published: date | None = None
    field_locs: dict[str, Loc] = field(default_factory=dict)
    # Narrative: section key -> Text, or for a section with parts, part key -> Text.
    texts: dict[str, Text] = field(default_factory=dict)
    parts: dict[str, dict[str, Text]] = field(default_factory=dict)
    section_locs: dict[str, Loc] = field(default_factory=dict)
    row_locs: dict[tuple[str, str], Loc] = field(default_factory=dict)
    cells: dict[CellId, Cell] = field(default_factory=dict)
    source_lines: list[str] = field(default_factory=list)
    acknowledgements: list = field(default_factory=list)  # acknowledge.Acknowledgement, from 已核对
    previous: Report | None = None  # last year's report, when found (for 同比 citations)

    def __post_init__(self) -> None:
        """Every cell of the format exists from the start, empty."""
        for table in self.format.tables.values():
            for row in table.rows:
                for column in table.columns:
                    self.cells.setdefault((table.key, row.key, column.key), empty_cell(row, column))

    def clear_row(self, table: Table, row_key: str) -> None:
        """A row's cells empty again, as they were created."""
        for column in table.columns:
            self.cells[(table.key, row_key, column.key)] = empty_cell(table.row(row_key), column)

    def value(self, table: str, row: str, column: str) -> Number | None:
        cell = self.cells.get((table, row, column))
        return None if cell is None else cell.value

    def figure(self, name: str) -> Number | None:
        """A figure by its narrative name: "本年新收.总计", or a bare row of a one-column table."""
        row_key, _, column_key = name.partition(".")
        if row_key not in self.format.row_index:
            return None
        table, _row = self.format.row_index[row_key]
        if not column_key:
            if not table.single_column:
                return None
            column_key = table.columns[0].key
        if column_key not in {c.key for c in table.columns}:
            return None
        return self.value(table.key, row_key, column_key)

    def figure_unit(self, name: str) -> str:
        """What a figure counts in: 件, or its column's unit (万元)."""
        table, _row = self.format.row_index[name.partition(".")[0]]
        column = table.column(name.partition(".")[2]) if "." in name else table.columns[0]
        return column.unit or "件"

    def figure_names(self) -> list[str]:
        names = []
        for table in self.format.tables.values():
            for row in table.rows:
                if table.single_column:
                    names.append(row.key)
                else:
                    names.extend(f"{row.key}.{c.key}" for c in table.columns)
        return names

    def compute_totals(self) -> None:
        """Fill total cells the form left out, from the relations that define them."""
        changed = True
        while changed:
            changed = False
            for relation in self.format.relations:
                if len(relation.left) == 1 and not relation.needs_previous:
                    changed |= self._compute(relation)

    def _compute(self, relation: Relation) -> bool:
        table = self.format.tables[relation.table]
        changed = False
        for item in items_of(table, relation.for_each):
            cell = self.cells.get(cell_id(table, relation.for_each, item, relation.left[0].key))
            if cell is None or cell.value is not None or cell.typed:
                continue
            cell.value = side_sum(self, None, relation, item, relation.right)
            changed |= cell.value is not None
        return changed


def empty_cell(row: Row, column: Column) -> Cell:
    """The one policy for a cell nobody has filled: no value; a total (of a row or a column) is
    computed from the others when the form leaves it out, every other cell is the user's to fill."""
    return Cell(None, typed=not (row.total or column.total))


def items_of(table: Table, for_each: str) -> list[str]:
    """The rows (for_each: row) or columns (for_each: column) a relation runs over."""
    return [r.key for r in table.rows] if for_each == "row" else [c.key for c in table.columns]


def cell_id(table: Table, for_each: str, item: str, term: str) -> CellId:
    return (table.key, item, term) if for_each == "row" else (table.key, term, item)


def side_sum(report: Report, previous: Report | None, relation: Relation, item: str, terms: tuple[Term, ...]) -> Number | None:
    """One side of a relation for one row or column: the signed sum of its terms, reading
    `上年.` terms from last year's report; None when any of its cells has no value."""
    table = report.format.tables[relation.table]
    total = 0
    for term in terms:
        source = previous if term.previous else report
        value = source.value(*cell_id(table, relation.for_each, item, term.key)) if source else None
        if value is None:
            return None
        total += term.sign * value
    return total

"""Report → a neutral document tree (headings, paragraphs, tables with merged cells).

The HTML/PDF and DOCX writers both walk this tree, so the three outputs hold the same
content in the same order, laid out as the format prints it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import ClassVar

from .format import Table
from .formwriter import write_form
from .narrative import format_number, resolve
from .report import Report
from .titlebreak import title_lines

# The form embedded in every output: a PDF attachment and a DOCX custom XML part of this name
# (the HTML tags each table cell instead).
EMBEDDED_NAME = "nianbao-form.yaml"
EMBEDDED_NAMESPACE = "urn:nianbao:form:1"


@dataclass
class TableCell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    numeric: bool = False
    id: str = ""  # header cells: an id that data cells name in `headers`
    headers: tuple[str, ...] = ()  # data cells: the ids of every header cell that labels them
    cell: str = ""  # data cells: which cell of the format it is, "申请处理/本年新收/自然人" (embedded data)


@dataclass
class TableBlock:
    kind: ClassVar[str] = "table"
    key: str
    head: list[list[TableCell]]
    body: list[list[TableCell]]
    widths: list[float]  # relative column widths, summing to 1
    continued: bool = False  # the rest of a table after a page break, on a new page (PDF)

    @property
    def columns(self) -> int:
        return len(self.widths)


@dataclass
class Heading:
    kind: ClassVar[str] = "heading"
    level: int
    text: str


# A telephone number (0527-83593059, 0527—83593059, (0527)83593059, 0527－83593059-801): printed on
# one line, as a reader dials it; a dash or a closing bracket would otherwise let the line break.
PHONE = re.compile(r"[(（]?0\d{2,3}[)）]?[-－—–]?[1-9]\d{6,7}(?:[-－—–]\d{1,5}\b)?")


@dataclass
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str


@dataclass
class Signature:
    """The 落款 of a report without a seal (GB/T 9704 7.3.5.2): one blank line under the text, the
    agency two characters in from the right, the date on the next line starting two characters
    right of the agency's first; a date longer than that keeps two characters in and the agency
    moves left by as much."""

    kind: ClassVar[str] = "signature"
    agency: str
    date: str


Block = Heading | Paragraph | TableBlock | Signature


@dataclass
class Document:
    title: str  # on one line (metadata); title_lines as printed
    agency: str
    year: int
    blocks: list[Block] = field(default_factory=list)
    stamp: datetime = datetime(1970, 1, 1, tzinfo=UTC)  # creation/modification date in every output's metadata
    data: str = ""  # the form, embedded in the outputs so that import reads it exactly
    title_lines: list[str] = field(default_factory=list)  # where the printed title breaks (titlebreak.py)

    def texts(self) -> list[str]:
        """Every heading, paragraph and table cell, in reading order."""
        out = [self.title]
        for block in self.blocks:
            if isinstance(block, TableBlock):
                out += [cell.text for row in block.head + block.body for cell in row]
            elif isinstance(block, Signature):
                out += [block.agency, block.date]
            else:
                out.append(block.text)
        return out


@dataclass(frozen=True)
class Leaf:
    """A printed data column: its chain of group labels (outermost first) and its own label."""

    chain: tuple[str, ...]
    label: str


def header_rows(corner: TableCell, leaves: list[Leaf]) -> list[list[TableCell]]:
    """Merged header rows for columns grouped as `leaves` describe."""
    depth = 1 + max(len(leaf.chain) for leaf in leaves)
    corner.rowspan = depth
    rows: list[list[TableCell]] = [[corner]] + [[] for _ in range(depth - 1)]
    for level in range(depth):
        index = 0
        while index < len(leaves):
            leaf = leaves[index]
            if level < len(leaf.chain):
                prefix = leaf.chain[: level + 1]
                span = 1
                while index + span < len(leaves) and leaves[index + span].chain[: level + 1] == prefix:
                    span += 1
                rows[level].append(TableCell(leaf.chain[level], colspan=span, header=True))
                index += span
                continue
            if level == len(leaf.chain):
                rows[level].append(TableCell(leaf.label, rowspan=depth - level, header=True))
            index += 1
    return rows


def column_widths(label_columns: int, data_columns: int) -> list[float]:
    """Row labels get room (the long labels of table 三); data columns share the rest equally."""
    labels = [1.3] * (label_columns - 1) + [4.2 if label_columns > 1 else 3.0] if label_columns else []
    weights = labels + [1.0] * data_columns
    return [w / sum(weights) for w in weights]


def value_text(report: Report, table: Table, row: str, column: str) -> str:
    value = report.value(table.key, row, column)
    return "" if value is None else format_number(value)


def data_cell(report: Report, table: Table, row: str, column: str) -> TableCell:
    return TableCell(value_text(report, table, row, column), numeric=True, cell=f"{table.key}/{row}/{column}")


def metadata_stamp(report: Report) -> datetime:
    """Not the build clock, so that one form always builds to the same bytes: the form's 发布日期,
    else SOURCE_DATE_EPOCH (reproducible builds), else the first day after the report year."""
    if report.published:
        return datetime(report.published.year, report.published.month, report.published.day, tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime(max(report.year, 1969) + 1, 1, 1, tzinfo=UTC)


def grid_table(report: Report, table: Table) -> TableBlock:
    groups = {c: [g.label for g in table.column_groups if c in g.members] for c in (c.key for c in table.columns)}
    leaves = [Leaf(tuple(groups[c.key]), c.label) for c in table.columns]
    corner = TableCell(table.note or table.corner, colspan=table.label_columns, header=True)
    head = header_rows(corner, leaves)
    body = []
    for row in table.rows:
        cells = []
        chain = table.groups_of_row(row.key)
        for group in chain:
            if group.members[0] == row.key:
                cells.append(TableCell(group.label, rowspan=len(group.members), header=True))
        cells.append(TableCell(row.label, colspan=table.label_columns - len(chain), header=True))
        cells += [data_cell(report, table, row.key, c.key) for c in table.columns]
        body.append(cells)
    widths = column_widths(table.label_columns, len(table.columns))
    return TableBlock(table.key, with_caption(head, [table.caption], len(widths)), body, widths)


def table_block(report: Report, table: Table) -> TableBlock:
    """A table as it prints, its headers linked (`prefix` starts their ids): the PDF, the DOCX,
    the HTML and the browser's editor all lay it out from this grid."""
    return one_row_table(report, table) if table.layout == "one_row" else grid_table(report, table)


def one_row_table(report: Report, table: Table) -> TableBlock:
    """A table whose rows print side by side as one data row (行政复议 | 行政诉讼…)."""
    leaves, values = [], []
    for row in table.rows:
        chain = (*(g.label for g in table.groups_of_row(row.key)), row.label)
        for column in table.columns:
            leaves.append(Leaf(chain, column.label))
            values.append(data_cell(report, table, row.key, column.key))
    head = header_rows(TableCell("", header=True), leaves)
    head[0] = head[0][1:]  # no corner: the table has no row labels (so its note, if any, goes above)
    return TableBlock(table.key, with_caption(head, [table.caption, table.note], len(leaves)), [values], column_widths(0, len(leaves)))


def with_caption(head: list[list[TableCell]], lines: list[str], width: int) -> list[list[TableCell]]:
    """Caption lines (第二十条第（一）项…) as full-width header rows above the column headers."""
    return [[TableCell(line, colspan=width, header=True)] for line in lines if line] + head


def grid_positions(rows: list[list[TableCell]]) -> list[list[tuple[int, TableCell]]]:
    """Each cell with its first grid column, merged cells taking their spans into account."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for r, row in enumerate(rows):
        column, out = 0, []
        for cell in row:
            while (r, column) in taken:
                column += 1
            out.append((column, cell))
            taken.update((r + dr, column + dc) for dr in range(cell.rowspan) for dc in range(cell.colspan))
            column += cell.colspan
        placed.append(out)
    return placed


GROUP_KEPT_WHOLE = 10  # rows: a row group up to this long moves whole to the next page rather than split


def continue_table(block: TableBlock, row: int, whole_up_to: int = GROUP_KEPT_WHOLE) -> tuple[TableBlock, TableBlock] | None:
    """The table cut before body row `row`, where a page break fell inside a row group: a group of
    up to `whole_up_to` rows moves whole to the next page; a group still cut there has its label
    printed again at the top of the continuation. None if no group straddles the break."""

    def straddling(at: int) -> list[tuple[int, int, TableCell]]:
        placed = grid_positions(block.body)
        return [(r, column, cell) for r, cells in enumerate(placed[:at]) for column, cell in cells if r + cell.rowspan > at]

    cut = straddling(row)
    if not cut:
        return None
    start, _column, innermost = max(cut, key=lambda item: item[1])
    if start > 0 and innermost.rowspan <= whole_up_to:
        row, cut = start, straddling(start)
    before = [[replace(cell, rowspan=min(cell.rowspan, row - r)) for cell in cells] for r, cells in enumerate(block.body[:row])]
    again = [replace(cell, rowspan=r + cell.rowspan - row, id=f"{cell.id}-{row}") for r, _column, cell in sorted(cut, key=lambda item: item[1])]
    after = [again + block.body[row], *block.body[row + 1 :]]
    return replace(block, body=before), replace(block, body=after, continued=True)


def link_headers(block: TableBlock, prefix: str) -> None:
    """Give header cells ids and each data cell the ids of the column and row headers over it."""
    rows = block.head + block.body
    placed = grid_positions(rows)
    covering: dict[tuple[int, int], TableCell] = {}
    for r, row in enumerate(placed):
        for column, cell in row:
            if cell.header:
                cell.id = f"{prefix}r{r + 1}c{column + 1}"
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        covering[(r + dr, column + dc)] = cell
    for r, row in enumerate(placed):
        for column, cell in row:
            if cell.header:
                continue
            above = [covering.get((h, column)) for h in range(len(block.head))]
            left = [covering.get((r, c)) for c in range(column)]
            cell.headers = tuple(dict.fromkeys(h.id for h in above + left if h is not None))


def build_document(report: Report) -> Document:
    fmt = report.format
    title = report.title or fmt.make_title(report.agency, report.year)
    doc = Document(
        title.replace("\n", ""),
        report.agency,
        report.year,
        stamp=metadata_stamp(report),
        data=write_form(report, schema=None),
        title_lines=title_lines(title, report.agency),
    )

    def paragraphs(text: str) -> None:
        for line in resolve(report, text).split("\n"):
            if line.strip():
                doc.blocks.append(Paragraph(line.strip().strip("\u3000")))

    for section in fmt.sections:
        if section.number:
            doc.blocks.append(Heading(1, section.heading))
        if section.kind == "tables":
            for table in fmt.tables_of(section):
                block = table_block(report, table)
                link_headers(block, f"t{len(doc.blocks)}")
                doc.blocks.append(block)
        elif section.key in report.texts:
            paragraphs(report.texts[section.key].value)
        elif section.kind == "parts":
            parts = report.parts.get(section.key, {})
            if section.intro in parts:
                paragraphs(parts[section.intro].value)
            for part in section.parts:
                if part.key in parts:
                    doc.blocks.append(Heading(2, part.title))
                    paragraphs(parts[part.key].value)
    if report.published and report.agency:
        when = report.published
        doc.blocks.append(Signature(report.agency, f"{when.year}年{when.month}月{when.day}日"))
    return doc

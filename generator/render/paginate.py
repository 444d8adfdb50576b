"""Row groups of a table across pages: where a page break falls inside a group of table 三, the
group moves whole to the next page, or its label is printed again above the continuation.

WeasyPrint does not repeat a rowspan cell on the next page, so the page breaks are found in a
first layout and, where one cuts a group, the table is split there and laid out again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..document import Document, TableBlock, continue_table
from . import weasy

MAX_PASSES = 4


def first_rows_of_pages(rendered) -> dict[int, list[int]]:
    """For each table (by its position in the document, from 1), the first body row of every page
    after the one it starts on (rows carry data-row="table:row")."""
    found: dict[int, list[int]] = {}
    for rows in weasy.table_rows(rendered):
        tables_here: set[int] = set()
        for label in rows:
            table, row = map(int, label.split(":"))
            if table not in tables_here:
                tables_here.add(table)
                found.setdefault(table, []).append(row)
    return {table: rows[1:] for table, rows in found.items() if rows[1:]}


def has_row_groups(block) -> bool:
    return isinstance(block, TableBlock) and any(cell.rowspan > 1 for row in block.body for cell in row)


def continued_where_cut(doc: Document, rendered) -> Document | None:
    """The document with the first table whose row group a page break cuts split there, or None."""
    breaks = first_rows_of_pages(rendered)
    for index, block in enumerate(doc.blocks, 1):
        if isinstance(block, TableBlock):
            parts = next(filter(None, (continue_table(block, row) for row in breaks.get(index, []) if row > 0)), None)
            if parts:
                return replace(doc, blocks=[*doc.blocks[: index - 1], *parts, *doc.blocks[index:]])
    return None


def paginate(doc: Document, layout: Callable[[Document], object]):
    """The laid-out document with no row group cut by a page break without its label.
    The first layout is of the document only up to its last table with row groups (what follows
    cannot move a break above it); the whole document is then laid out once, and again only if
    one more group is cut."""
    last = max((index for index, block in enumerate(doc.blocks) if has_row_groups(block)), default=None)
    if last is None:
        return layout(doc)
    head = replace(doc, blocks=doc.blocks[: last + 1])
    split = continued_where_cut(head, layout(head))
    if split is not None:
        doc = replace(doc, blocks=[*split.blocks, *doc.blocks[last + 1 :]])
    rendered = layout(doc)
    for _ in range(MAX_PASSES):
        split = continued_where_cut(doc, rendered)
        if split is None:
            break
        doc, rendered = split, layout(split)
    return rendered

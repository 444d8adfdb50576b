"""Arithmetic that reads a table where its text cannot: digits that ran together, cells that
the format's relations prove. Nothing here guesses: a value is produced only when every
other possibility is ruled out by a sum the report itself prints."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from itertools import product

from ..format import Format, Table
from ..report import Report

Equation = tuple[tuple[Hashable, ...], tuple[Hashable, ...]]  # sum(left) == sum(right)
SEARCH_LIMIT = 200_000


class TooManySplits(Exception):
    """More ways to cut a digit string than are worth listing."""


def digit_splits(chunks: list[str], count: int, totals: list[tuple[int, tuple[int, ...]]]) -> list[list[int]]:
    """Every way to cut the digit strings `chunks` (separate where the text separated them) into
    `count` numbers, none with a leading zero, such that each (total, parts) of `totals` holds:
    number[total] == sum(number[part]). Raises TooManySplits past SEARCH_LIMIT steps."""
    text = "".join(chunks)
    ends = []
    for chunk in chunks:
        ends.append((ends[-1] if ends else 0) + len(chunk))
    checks: dict[int, list[tuple[int, tuple[int, ...]]]] = {}
    for total, parts in totals:
        checks.setdefault(max(total, *parts), []).append((total, parts))
    found: list[list[int]] = []
    steps = 0

    def holds(values: list[int]) -> bool:
        return all(values[total] == sum(values[p] for p in parts) for total, parts in checks.get(len(values) - 1, ()))

    def cut(position: int, values: list[int]) -> None:
        nonlocal steps
        steps += 1
        if steps > SEARCH_LIMIT:
            raise TooManySplits
        if len(values) == count or position == len(text):
            if len(values) == count and position == len(text):
                found.append(list(values))
            return
        if len(text) - position < count - len(values):
            return
        boundary = next(end for end in ends if end > position)
        for end in range(position + 1, boundary + 1):
            piece = text[position:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            values.append(int(piece))
            if holds(values):
                cut(end, values)
            values.pop()

    if all(chunk.isdigit() for chunk in chunks):
        cut(0, [])
    return found


def table_equations(fmt: Format, table: Table) -> list[Equation]:
    """The table's own relations (not those reaching last year's report), one equation per row
    or column, over (row key, column key) cells."""
    equations = []
    for relation in fmt.relations:
        if relation.table != table.key or relation.needs_previous or not relation.left:
            continue
        if relation.for_each == "row":
            for row in table.rows:
                equations.append((tuple((row.key, t.key) for t in relation.left), tuple((row.key, t.key) for t in relation.right)))
        else:
            for column in table.columns:
                equations.append((tuple((t.key, column.key) for t in relation.left), tuple((t.key, column.key) for t in relation.right)))
    return equations


def continuity_equations(fmt: Format, table: Table, previous: Report) -> list[tuple[tuple, tuple, dict]]:
    """The relations reaching last year's report (上年结转 = 上年.结转下年度 …) as equations over this
    year's cells, last year's figures as constants: (left, right, {constant key: value}); none
    where last year's report lacks the figure."""
    out = []
    for relation in fmt.relations:
        if relation.table != table.key or relation.pending is not None or not relation.needs_previous:
            continue
        for item in [r.key for r in table.rows] if relation.for_each == "row" else [c.key for c in table.columns]:
            sides: tuple[list, list] = ([], [])
            constants = {}
            for side, term in [(0, t) for t in relation.left] + [(1, t) for t in relation.right]:
                cell = (item, term.key) if relation.for_each == "row" else (term.key, item)
                key = ("上年", cell) if term.previous else cell
                if term.previous:
                    constants[key] = previous.value(table.key, *cell)
                sides[side if term.sign > 0 else 1 - side].append(key)
            if None not in constants.values():
                out.append((tuple(sides[0]), tuple(sides[1]), constants))
    return out


def violated(values: dict, equations: Iterable[Equation]) -> list[Equation]:
    """Equations whose cells are all known and do not add up."""
    return [
        (left, right)
        for left, right in equations
        if all(values.get(k) is not None for k in (*left, *right)) and sum(values[k] for k in left) != sum(values[k] for k in right)
    ]


def proven_cells(values: dict, equations: list[Equation]) -> dict:
    """Unknown cells (value None) that the equations prove: the only unknown of an equation
    (when not negative), or every unknown on one side when the known cells already balance
    (counts are never negative, so they are all 0). Repeats until nothing more follows."""
    values = dict(values)
    proven: dict = {}
    changed = True
    while changed:
        changed = False
        for left, right in equations:
            unknown = [k for k in (*left, *right) if values.get(k) is None]
            if not unknown:
                continue
            gap = sum(values[k] for k in right if values.get(k) is not None) - sum(values[k] for k in left if values.get(k) is not None)
            sides = {k in left for k in unknown}
            if len(unknown) == 1:
                value = gap if unknown[0] in left else -gap
                if value < 0:
                    continue
                found = {unknown[0]: value}
            elif len(sides) == 1 and gap == 0:
                found = dict.fromkeys(unknown, 0)
            else:
                continue
            values.update(found)
            proven.update(found)
            changed = True
    return proven


def consistent_choices(options: dict[Hashable, list[dict]], fixed: dict, equations: list[Equation]) -> dict[Hashable, list[dict]]:
    """Of each ambiguous row's candidate readings (cell → value), those that appear in some
    combination satisfying every equation together with the fixed cells. Too many combinations:
    nothing is ruled out."""
    keys = list(options)
    size = 1
    for key in keys:
        size *= len(options[key])
    if size > SEARCH_LIMIT:
        return options
    surviving: dict[Hashable, list[dict]] = {key: [] for key in keys}
    for combination in product(*(options[key] for key in keys)):
        values = dict(fixed)
        for reading in combination:
            values.update(reading)
        if not violated(values, equations):
            for key, reading in zip(keys, combination, strict=True):
                if reading not in surviving[key]:
                    surviving[key].append(reading)
    return surviving

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
    number[total] == sum(number[part]). Raises TooManySplits past SEARCH_LIMIT steps.

    A depth-first search in the order of the cuts, abandoning a cut as soon as it cannot lead to
    a whole reading: the numbers left must fit in the digits left, each chunk ending a number; a
    relation is kept as a running balance (total minus parts so far), so the number that
    completes it is known and tried alone, and a total still to come that needs more digits
    than are left ends the search there."""
    if not all(chunk.isdigit() for chunk in chunks):
        return []
    text = "".join(chunks)
    size = len(text)
    ends = []
    for chunk in chunks:
        ends.append((ends[-1] if ends else 0) + len(chunk))
    boundary = [next(end for end in ends if end > position) for position in range(size)]
    chunks_after = [sum(end > position for end in ends) for position in range(size + 1)]
    weights = []  # per relation: index -> coefficient (+1 the total, -1 each part)
    for total, parts in totals:
        if max(total, *parts) >= count:
            continue  # never completed: it rules nothing out
        weight = {total: 1}
        for part in parts:
            weight[part] = weight.get(part, 0) - 1
        weights.append(weight)
    last = [max(weight) for weight in weights]  # the index that completes each relation
    completes = [[(j, weights[j][index]) for j in range(len(weights)) if last[j] == index] for index in range(count)]
    terms = [[(j, weight[index]) for j, weight in enumerate(weights) if weight.get(index)] for index in range(count)]
    # Relations whose completing index is their total (+1) and every other index a part: that
    # total is at least what the parts placed so far add up to. Per depth, those still open.
    bounded = [weight[last[j]] == 1 and all(c <= 0 for i, c in weight.items() if i != last[j]) for j, weight in enumerate(weights)]
    open_bounded = [[j for j in range(len(weights)) if bounded[j] and last[j] >= depth] for depth in range(count + 1)]
    found: list[list[int]] = []
    steps = 0

    def needed(depth: int, balance: list[int]) -> int | None:
        """The number the relations completed at `depth` require: -1 if none can be, None if any will do."""
        value = None
        for j, coefficient in completes[depth]:
            if coefficient == 0:  # its total is also one of its parts: the others must add up to 0
                if balance[j]:
                    return -1
                continue
            want, remainder = divmod(-balance[j], coefficient)
            if remainder or want < 0 or (value is not None and want != value):
                return -1
            value = want
        return value

    def cut(position: int, values: list[int], balance: list[int]) -> None:
        nonlocal steps
        steps += 1
        if steps > SEARCH_LIMIT:
            raise TooManySplits
        depth = len(values)
        if depth == count:
            if position == size:
                found.append(list(values))
            return
        pieces_after = count - depth - 1
        last_end = min(boundary[position], size - pieces_after)
        first_end = size if pieces_after == 0 else position + 1
        value = needed(depth, balance)
        if value == -1:
            return
        if value is not None:
            digits = str(value)
            first_end = max(first_end, position + len(digits))
            last_end = min(last_end, position + len(digits))
        for end in range(first_end, last_end + 1):
            piece = text[position:end]
            if len(piece) > 1 and piece[0] == "0":
                break
            if chunks_after[end] > pieces_after or (value is not None and piece != digits):
                continue
            number = int(piece)
            after = list(balance)
            for j, coefficient in terms[depth]:
                after[j] += coefficient * number
            room = size - end - pieces_after + 1
            if any(-after[j] > 0 and len(str(-after[j])) > room for j in open_bounded[depth + 1]):
                continue
            values.append(number)
            cut(end, values, after)
            values.pop()

    if size >= count:
        cut(0, [], [0] * len(weights))
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

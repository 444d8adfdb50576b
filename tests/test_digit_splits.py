"""digit_splits (cutting digits that ran together) gives what the plain search it replaced gave:
the same readings in the same order, on every corpus shape and on random digit runs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.importer import arithmetic, parse
from generator.importer.arithmetic import TooManySplits, digit_splits
from generator.services import check_file
from tools.corpus import SHAPES, import_text

from .conftest import EXAMPLES

Totals = list[tuple[int, tuple[int, ...]]]


def reference_splits(chunks: list[str], count: int, totals: Totals) -> list[list[int]]:
    """The search digit_splits replaced (every cut tried, the relations checked as each completes), kept as the reference."""
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
        if steps > arithmetic.SEARCH_LIMIT:
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


def outcome(search, chunks: list[str], count: int, totals: Totals) -> list[list[int]] | None:
    """The readings, or None for too many to try."""
    try:
        return search(chunks, count, totals)
    except TooManySplits:
        return None


def test_every_corpus_shape_of_every_example_cuts_as_before(monkeypatch):
    calls: list[tuple[list[str], int, Totals]] = []

    def recorded(chunks: list[str], count: int, totals: Totals) -> list[list[int]]:
        calls.append((list(chunks), count, list(totals)))
        return digit_splits(chunks, count, totals)

    monkeypatch.setattr(parse, "digit_splits", recorded)
    for example in EXAMPLES:
        report = check_file(str(example)).report
        for render in SHAPES.values():
            import_text(render(report))
    assert len(calls) > 50
    assert any(len(found) == 1 for found in (digit_splits(*call) for call in calls))
    for call in calls:
        assert digit_splits(*call) == reference_splits(*call), call


ROW_TOTAL = [(6, (0, 1, 2, 3, 4, 5))]  # 申请处理: 总计 of six applicant columns
ONE_ROW = [(4, (0, 1, 2, 3)), (9, (5, 6, 7, 8)), (14, (10, 11, 12, 13))]  # 复议诉讼: three rows of five


@st.composite
def digit_runs(draw) -> tuple[list[str], int, Totals]:
    """Digits cut into chunks, a number of cells and relations like the format's (or none)."""
    count, totals = draw(st.sampled_from([(7, ROW_TOTAL), (15, ONE_ROW), (3, []), (4, [(3, (0, 1, 2))]), (5, [(0, (1, 2)), (4, (0, 3))])]))
    largest = 30 if count > 10 else 60 if count > 5 else 300  # the old search is slow on long runs
    cells = draw(st.lists(st.integers(0, largest), min_size=count, max_size=count))
    for total, parts in totals:
        if draw(st.booleans()):  # mostly consistent, as printed reports are
            cells[total] = sum(cells[p] for p in parts)
    text = "".join(map(str, cells))
    cuts = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=4))) if len(text) > 1 else []
    chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
    return chunks, count, totals


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(digit_runs())
def test_random_digit_runs_cut_as_before(run):
    assert outcome(digit_splits, *run) == outcome(reference_splits, *run)


@pytest.mark.parametrize("limit", [20, 200, 2000])
@settings(max_examples=100, deadline=None)
@given(run=digit_runs())
def test_a_smaller_search_never_gives_up_where_the_old_one_answered(limit, run):
    """It tries no cut the old search did not, so it stops for too many only where that one did."""
    saved = arithmetic.SEARCH_LIMIT
    arithmetic.SEARCH_LIMIT = limit
    try:
        expected = outcome(reference_splits, *run)
        found = outcome(digit_splits, *run)
    finally:
        arithmetic.SEARCH_LIMIT = saved
    if expected is not None:
        assert found == expected


def test_non_digits_and_too_few_digits_give_no_reading():
    assert digit_splits(["12", "3a"], 2, []) == reference_splits(["12", "3a"], 2, []) == []
    assert digit_splits(["12"], 3, []) == reference_splits(["12"], 3, []) == []
    assert digit_splits(["1", "0", "1"], 3, [(2, (0, 1))]) == [[1, 0, 1]]


@pytest.mark.parametrize("totals", [[(2, (0, 2))], [(1, (0, 0))], [(3, (0, 1)), (3, (2,))], [(0, (1, 2)), (5, (0,))]])
def test_unusual_relations_cut_as_before(totals):
    """A total that is also a part, a part counted twice, two relations completed by one cell, one naming a cell past the run."""
    for digits in ("0120", "1203", "2242", "11112", "303030"):
        for count in (3, 4):
            assert outcome(digit_splits, [digits], count, totals) == outcome(reference_splits, [digits], count, totals), (digits, count)

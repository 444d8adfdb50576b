"""内容雷同: the sentences two reports share, the format's own required wording left out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from ..narrative import all_texts, folded_sentences, required_wording
from ..report import Report

T = TypeVar("T")
MIN_LENGTH = 15  # shorter sentences ("全年未收取信息处理费。") are said alike by everyone
COMMON = 50  # a sentence in more reports than this is common wording, not one report copying another


def sentences_of(report: Report) -> dict[str, str]:
    """The report's narrative sentences, folded → as written, without the required statements."""
    required = required_wording(report)
    found: dict[str, str] = {}
    for _section, _where, text in all_texts(report):
        for folded, written in folded_sentences(text.value, required, MIN_LENGTH):
            found.setdefault(folded, written)
    return found


def copied_sentences(items: Iterable[T], sentences: dict, key: Callable[[T], object]) -> Iterator[tuple[T, T, list[str]]]:
    """(item, other, shared sentences) for every ordered pair sharing at least one sentence:
    an index from sentence to items, so the work grows with the sentences, not the pairs."""
    items = list(items)
    holders: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        for sentence in sentences[key(item)]:
            holders[sentence].append(index)
    shared: dict[tuple[int, int], list[str]] = defaultdict(list)
    for sentence, indexes in holders.items():
        if len(indexes) > COMMON:
            continue
        for a in indexes:
            for b in indexes:
                if a != b:
                    shared[(a, b)].append(sentence)
    for (a, b), common in sorted(shared.items()):
        yield items[a], items[b], sorted(common, key=len, reverse=True)

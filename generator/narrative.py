"""Narrative text: figures cited by name, and numbers typed beside words that name a figure.

A citation is `{{ 本年新收.总计 }}` (row.column), `{{ 行政许可 }}` (a one-column row),
`{{ 机关 }}` or `{{ 年度 }}`. Text is never run as a template: only that exact shape is
replaced, so anything else between braces stays as the user typed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .format import NarrativeFigure, Section
from .report import Number, Report, Text

CITATION = re.compile(r"\{\{\s*(\w+(?:\.\w+)?)\s*\}\}")
CLAUSE_END = "。；;！？!?"
GAP = r"[^\d，,。；;！？!?（）()\n{}]"


def format_number(value: Number) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def citation_value(report: Report, name: str) -> str | None:
    if name == "机关":
        return report.agency
    if name == "年度":
        return str(report.year)
    value = report.figure(name)
    return None if value is None else format_number(value)


def resolve(report: Report, text: str) -> str:
    """The text with every known citation replaced by its figure; unknown ones stay as typed."""

    def replace(match: re.Match) -> str:
        value = citation_value(report, match.group(1))
        return match.group(0) if value is None else value

    return CITATION.sub(replace, text)


def unknown_citations(report: Report, text: Text) -> Iterator[tuple[int, int, str, int]]:
    """(line index, column index, name, width) of every citation naming no known figure."""
    for index, line in enumerate(text.lines):
        for match in CITATION.finditer(line):
            if citation_value(report, match.group(1)) is None:
                yield index, match.start(), match.group(1), len(match.group(0))


@dataclass(frozen=True)
class TypedFigure:
    line_index: int
    column_index: int
    phrase: str
    number: int
    rule: NarrativeFigure


def typed_figures(text: Text, rules: tuple[NarrativeFigure, ...], units: tuple[str, ...]) -> Iterator[TypedFigure]:
    """Numbers written next to words that name a table figure ("办结 1267 条", "29个规范性文件")."""
    unit = "(?:" + "|".join(map(re.escape, units)) + ")"
    for index, raw in enumerate(text.lines):
        line = CITATION.sub(lambda m: "□" * len(m.group(0)), raw)
        for clause_start, clause in clauses(line):
            for rule in rules:
                if rule.context and not any(w in clause for w in rule.context):
                    continue
                for word in (w for w in rule.words if w in clause):  # (both patterns need the word itself)
                    for match in figure_matches(clause, word, unit):
                        number_start = clause_start + match.start("n")
                        yield TypedFigure(index, number_start, match.group(0).strip(), int(match.group("n")), rule)


def clauses(line: str) -> Iterator[tuple[int, str]]:
    start = 0
    for match in re.finditer(f"[{CLAUSE_END}]", line + "。"):
        yield start, line[start : match.start()]
        start = match.end()


def figure_matches(clause: str, word: str, unit: str) -> Iterator[re.Match]:
    w = re.escape(word)
    yield from re.finditer(f"{w}{GAP}{{0,12}}?(?<!\\d)(?P<n>\\d+)\\s*{unit}", clause)
    yield from re.finditer(f"(?<![\\d.])(?P<n>\\d+)\\s*{unit}{GAP}{{0,4}}?{w}", clause)


def figure_sum(report: Report, names: tuple[str, ...]) -> Number | None:
    values = [report.figure(n) for n in names]
    return None if any(v is None for v in values) else sum(values)


def all_texts(report: Report) -> Iterator[tuple[Section, str, Text]]:
    """Every narrative field: its section, a label naming where it is in the report, and the text."""
    for section in report.format.sections:
        if section.key in report.texts:
            yield section, section.heading, report.texts[section.key]
        for part in section.parts:
            if part.key in report.parts.get(section.key, {}):
                yield section, f"{section.heading}·{part.heading}", report.parts[section.key][part.key]
        if section.intro in report.parts.get(section.key, {}):
            yield section, f"{section.heading}·{section.intro}", report.parts[section.key][section.intro]

"""Narrative text: figures cited by name, and numbers typed beside words that name a figure.

A citation is `{{ 本年新收.总计 }}` (row.column), `{{ 行政许可 }}` (a one-column row),
`{{ 机关 }}` or `{{ 年度 }}`; `{{ 本年新收.总计 | 同比 }}` words the change from last year.
Text is never run as a template: only that exact shape is replaced, so anything else
between braces stays as the user typed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from .format import NarrativeFigure, Section
from .report import Number, Report, Text

CITATION = re.compile(r"\{\{\s*(\w+(?:\.\w+)?)\s*(?:\|\s*(\w+)\s*)?\}\}")
YEAR_ON_YEAR = "同比"  # the one filter: {{ 本年新收.总计 | 同比 }} → 较上年增加 12 件、增长 9.9%
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


def year_on_year(report: Report, name: str) -> str | None:
    """「较上年增加 12 件、增长 9.9%」, 「较上年减少 3 件、下降 25.0%」 or 「与上年持平」; None without last year's figure."""
    now = report.figure(name)
    last = report.previous.figure(name) if report.previous else None
    if now is None or last is None:
        return None
    change = now - last
    if change == 0:
        return "与上年持平"
    unit = report.figure_unit(name)
    words = ("增加", "增长") if change > 0 else ("减少", "下降")
    text = f"较上年{words[0]} {format_number(abs(change))} {unit}"
    return text + (f"、{words[1]} {abs(change) * 100 / last:.1f}%" if last else "")


def citation_text(report: Report, match: re.Match) -> str | None:
    name, filter_name = match.group(1), match.group(2)
    if filter_name is None:
        return citation_value(report, name)
    return year_on_year(report, name) if filter_name == YEAR_ON_YEAR else None


def resolve(report: Report, text: str) -> str:
    """The text with every known citation replaced by its figure; unknown ones stay as typed."""

    def replace(match: re.Match) -> str:
        value = citation_text(report, match)
        return match.group(0) if value is None else value

    return CITATION.sub(replace, text)


@dataclass(frozen=True)
class CitationProblem:
    line_index: int
    column_index: int
    width: int
    name: str
    filter: str
    kind: str  # "name": no such figure; "filter": unknown filter, or 同比 of a non-figure; "previous": no last year


def citation_problems(report: Report, text: Text) -> Iterator[CitationProblem]:
    """Every citation that cannot be resolved: an unknown name or filter, or 同比 without last year."""
    for index, line in enumerate(text.lines):
        for match in CITATION.finditer(line):
            if citation_text(report, match) is not None:
                continue
            name, filter_name = match.group(1), match.group(2) or ""
            if citation_value(report, name) is None:
                kind = "name"
            elif filter_name != YEAR_ON_YEAR or report.figure(name) is None:
                kind = "filter"
            else:
                kind = "previous"
            yield CitationProblem(index, match.start(), len(match.group(0)), name, filter_name, kind)


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
                for word in rule.words:
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

"""What a review hands the office: an Excel workbook, a 问题清单 DOCX per agency, an HTML
overview of the region and JSON for machines, all made in memory and written together."""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from ..checks import figure_title
from ..codes import Level, is_import_problem
from ..findings import Finding, json_text
from ..narrative import format_number
from ..report import Number, Report
from ..services import Checked, is_published
from . import Review, differences_between

SUMMARY_HEADINGS = ["序号", "机关", "年度", "文件", "状态", "错误", "警告", "提示"]
FINDING_HEADINGS = ["机关", "年度", "文件", "位置", "代码", "级别", "问题", "建议"]
STATISTICS_HEADINGS = ["数字", "报告数", "最小", "下四分位", "中位数", "上四分位", "最大", "平均", "异常值（四分位距 1.5 倍以外）"]


def key_figures(review: Review) -> list[str]:
    readable = review.readable
    return list(readable[0].report.format.key_figures) if readable else []


def figure_label(report: Report, name: str) -> str:
    return figure_title(report, (name,))


def where(finding: Finding) -> str:
    """The place in the file as a person reads it: 第 4 页第 12 行, or 第 12 行."""
    loc = finding.loc
    if loc is None:
        return ""
    return loc.place or f"第 {loc.line} 行"


def figure_value(entry: Checked, name: str) -> Number | None:
    return entry.report.figure(name) if entry.report else None


def quartile_row(label: str, values: list[tuple[Checked, Number]]) -> list:
    numbers = [float(v) for _e, v in values]
    if len(numbers) < 2:
        return [label, len(numbers), *([numbers[0]] * 5 if numbers else [None] * 5), numbers[0] if numbers else None, ""]
    q1, median, q3 = statistics.quantiles(numbers, n=4, method="inclusive")
    low, high = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
    outliers = [f"{e.agency}{e.year}（{format_number(v)}）" for e, v in values if not low <= float(v) <= high]
    return [label, len(numbers), min(numbers), q1, median, q3, max(numbers), round(statistics.fmean(numbers), 2), "、".join(outliers)]


def statistics_rows(review: Review) -> list[list]:
    rows = []
    for name in key_figures(review):
        values = [(e, v) for e in review.readable if (v := figure_value(e, name)) is not None]
        rows.append(quartile_row(figure_label(review.readable[0].report, name), values))
    return rows


def workbook_bytes(review: Review) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    names = key_figures(review)
    labels = [figure_label(review.readable[0].report, n) for n in names]
    sheets = [
        ("报告一览", SUMMARY_HEADINGS + labels, summary_rows(review, names)),
        ("问题", FINDING_HEADINGS, finding_rows(review)),
        ("统计", STATISTICS_HEADINGS, statistics_rows(review)),
        ("重复发布", ["机关", "年度", "项目", "文件", "另一文件", "本文件的值", "另一文件的值"], duplicate_rows(review)),
    ]
    book.remove(book.active)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(headings)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for index, heading in enumerate(headings, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(8, min(40, 2 * len(heading) + 2))
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def summary_rows(review: Review, names: list[str]) -> list[list]:
    rows = []
    for number, entry in enumerate(review.entries, start=1):
        figures = [figure_value(entry, n) for n in names]
        counts = [entry.count(level) for level in Level]
        rows.append([number, entry.agency, entry.year or None, entry.path, entry.status, *counts, *(float(v) if v is not None else None for v in figures)])
    return rows


def finding_rows(review: Review) -> list[list]:
    return [[e.agency, e.year or None, e.path, where(f), f.code, f.level.label, f.message, f.hint] for e in review.entries for f in e.findings]


def duplicate_rows(review: Review) -> list[list]:
    rows = []
    for group in review.duplicates:
        first, *others = group
        for other in others:
            for what, a, b in differences_between(first.report, other.report):
                rows.append([first.agency, first.year, what, first.path, other.path, a, b])
    return rows


@dataclass(frozen=True)
class LetterPart:
    """One report of an agency as its letter speaks of it: the problems still open, and the
    warnings the agency acknowledged (已核对) with their reasons."""

    year: int
    path: str
    published: bool
    open: tuple[Finding, ...]
    acknowledged: tuple[Finding, ...]


Letter = tuple[str, list[LetterPart]]  # agency, its reports by year


def for_the_agency(finding: Finding) -> bool:
    """Whether a letter speaks of it: an error or warning about the report, not a 提示 and not
    the importer's note on what it could not read (the office sees those in the overview)."""
    return finding.level != Level.INFO and not is_import_problem(finding.code)


def letter_part(entry: Checked) -> LetterPart:
    shown = [f for f in entry.findings if for_the_agency(f)]
    return LetterPart(
        entry.year,
        entry.path,
        is_published(entry.path),
        tuple(f for f in shown if not f.acknowledged),
        tuple(f for f in shown if f.acknowledged),
    )


def letter_contents(review: Review) -> list[Letter]:
    """What goes into each agency's 问题清单: every agency with at least one open problem."""
    by_agency: dict[str, list[LetterPart]] = defaultdict(list)
    for entry in sorted(review.readable, key=lambda e: e.year):
        by_agency[entry.agency].append(letter_part(entry))
    return [(agency, parts) for agency, parts in by_agency.items() if any(p.open for p in parts)]


def years_of(parts: list[LetterPart]) -> str:
    return "、".join(str(p.year) for p in parts)


def letter_opening(parts: list[LetterPart]) -> str:
    """「经审阅，贵单位公开的 2024 年度…」 for published reports, 「报送的…表单」 for forms not yet published."""
    published = [p for p in parts if p.open and p.published]
    forms = [p for p in parts if p.open and not p.published]
    what = []
    if published:
        what.append(f"公开的 {years_of(published)} 年度政府信息公开工作年度报告")
    if forms:
        what.append(f"报送的 {years_of(forms)} 年度政府信息公开工作年度报告表单（尚未公开）")
    action = "已公开的报告修改后重新公开，表单改正后再公开" if published and forms else "修改后重新公开" if published else "改正后再公开"
    return f"经审阅，贵单位{'和'.join(what)}存在以下问题，请逐项核对，{action}。"


def letter_item(number: int, finding: Finding) -> str:
    """One open problem where it is in the report, in the checker's words, with a form's hint on
    how to change it (a published report's findings have none: see services.finished)."""
    fix = f"修改建议：{finding.hint}" if finding.hint else ""
    return f"{number}．{where(finding) or '全文'}：{finding.message}（{finding.code}，{finding.level.label}）。{fix}"


def acknowledged_item(finding: Finding) -> str:
    return f"{where(finding) or '全文'}：{finding.message}（{finding.code}）。贵单位已核对，理由：{finding.acknowledged}"


TITLE_LINES = ("政府信息公开工作年度报告问题清单",)  # the title's words after the agency, each on a line of its own


def letter_bytes(letter: Letter) -> tuple[str, bytes]:
    """(title, DOCX) of one agency's 问题清单, on the report's Word template. The title breaks
    after the agency's name, so no word of it is split across lines."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    from ..render.docx import TEMPLATE

    agency, parts = letter
    doc = Document(str(TEMPLATE))
    title = agency + "".join(TITLE_LINES)
    doc.core_properties.title = title
    style_ids = {name: doc.styles[name].style_id for name in ("标题", "正文", "一级标题")}

    def add(text: str, style: str):  # by style id: python-docx's lookup by style scans every style
        paragraph = doc.add_paragraph(text)
        paragraph._p.style = style_ids[style]
        return paragraph

    heading = add(agency, "标题")
    for line in TITLE_LINES:
        heading.runs[-1].add_break(WD_BREAK.LINE)
        heading.add_run(line)
    add(f"{agency}：", "正文")
    add(letter_opening(parts), "正文")
    for part in parts:
        if not part.open and not part.acknowledged:
            continue
        kind = "年度报告" if part.published else "年度报告表单"
        add(f"{part.year} {kind}（{part.path}）", "一级标题")
        for number, finding in enumerate(part.open, start=1):
            add(letter_item(number, finding), "正文")
        if part.acknowledged:
            add("以下警告贵单位已核对并说明了理由，不再列为问题：", "正文")
            for finding in part.acknowledged:
                add(acknowledged_item(finding), "正文")
    stream = io.BytesIO()
    doc.save(stream)
    return title, stream.getvalue()


def overview_html(review: Review) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..fonts import TEMPLATES

    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    names = key_figures(review)
    statuses = defaultdict(int)
    for entry in review.entries:
        statuses[entry.status] += 1
    return env.get_template("review.html.j2").render(
        review=review,
        statuses=dict(statuses),
        figures=[figure_label(review.readable[0].report, n) for n in names],
        summary=summary_rows(review, names),
        statistics=statistics_rows(review),
        duplicates=duplicate_rows(review),
        where=where,
        format_number=format_number,
    )


def json_number(value: Number | None) -> int | float | None:
    """A figure as a JSON number: a count as an integer, an amount (万元) as a decimal number."""
    return float(value) if isinstance(value, Decimal) else value


def review_json(review: Review) -> str:
    names = key_figures(review)
    reports = [
        {
            "file": e.path,
            "agency": e.agency,
            "year": e.year or None,
            "status": e.status,
            "figures": {n: json_number(figure_value(e, n)) for n in names},
            "findings": [f.to_json() for f in e.findings],
        }
        for e in review.entries
    ]
    duplicates = [[e.path for e in group] for group in review.duplicates]
    return json_text({"reports": reports, "duplicates": duplicates})

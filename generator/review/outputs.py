"""What a review hands the office: an Excel workbook, a 问题清单 DOCX per agency, an HTML
overview of the region and JSON for machines, all made in memory and written together."""

from __future__ import annotations

import io
import statistics
from collections import defaultdict
from decimal import Decimal

from ..checks import figure_title
from ..codes import Level
from ..findings import Finding, json_text
from ..narrative import format_number
from ..report import Number, Report
from ..services import Checked
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


Letter = tuple[str, list[tuple[int, str, list[Finding]]]]  # agency, [(year, file, findings)]


def letter_contents(review: Review) -> list[Letter]:
    """What goes into each agency's 问题清单: every agency with at least one finding."""
    by_agency: dict[str, list[Checked]] = defaultdict(list)
    for entry in review.readable:
        by_agency[entry.agency].append(entry)
    return [
        (agency, [(e.year, e.path, e.findings) for e in sorted(entries, key=lambda e: e.year)])
        for agency, entries in by_agency.items()
        if any(e.findings for e in entries)
    ]


def letter_bytes(letter: Letter) -> tuple[str, bytes]:
    """(title, DOCX) of one agency's 问题清单, on the report's Word template."""
    from docx import Document

    from ..render.docx import TEMPLATE

    agency, reports = letter
    doc = Document(str(TEMPLATE))
    title = f"{agency}政府信息公开工作年度报告问题清单"
    doc.core_properties.title = title
    style_ids = {name: doc.styles[name].style_id for name in ("标题", "正文", "一级标题")}

    def add(text: str, style: str) -> None:  # by style id: python-docx's lookup by style scans every style
        doc.add_paragraph(text)._p.style = style_ids[style]

    add(title, "标题")
    add(f"{agency}：", "正文")
    years = "、".join(str(year) for year, _path, _findings in reports)
    add(f"经审阅，贵单位公开的 {years} 年度政府信息公开工作年度报告存在以下问题，请逐项核对，修改后重新公开。", "正文")
    for year, path, findings in reports:
        if not findings:
            continue
        add(f"{year} 年度报告（{path}）", "一级标题")
        for number, finding in enumerate(findings, start=1):
            fix = f"修改建议：{finding.hint}" if finding.hint else ""
            add(f"{number}．{where(finding) or '全文'}：{finding.message}（{finding.code}，{finding.level.label}）。{fix}", "正文")
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

"""`nianbao review`: a region's published reports and forms at once.

Every file is read (a published report through the importer, a form through the loader) and
checked; each agency's years are found by agency name and year, not by file name, and checked
for continuity; the same agency published twice, sentences copied between reports (内容雷同),
and a region's summary report against the sum of its members are findings of their own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from ..findings import Finding
from ..format import normalize_label
from ..narrative import format_number
from ..report import Loc, Number, Report
from ..services import Checked, check_with_years, finished
from .similarity import copied_sentences, sentences_of

AGENCY_SHARE = 0.3  # a report sharing this part of its sentences with another agency's is 雷同


@dataclass
class Review:
    entries: list[Checked]
    duplicates: list[list[Checked]] = field(default_factory=list)

    @property
    def readable(self) -> list[Checked]:
        return [e for e in self.entries if e.report is not None]


def review(entries: list[Checked], region: dict[str, list[str]] | None = None) -> Review:
    """Files checked alone (`check_alone`), checked against their agency's previous year and across the set."""
    result = Review(entries)
    by_key = check_with_years(result.readable)
    result.duplicates = [group for group in by_key.values() if len(group) > 1]
    for group in result.duplicates:
        versions: dict[tuple, list[Checked]] = defaultdict(list)
        for entry in group:
            versions[fingerprint(entry.report)].append(entry)
        if len(versions) > 1:
            for entry in group:
                others = [same[0] for key, same in versions.items() if key != fingerprint(entry.report)]
                entry.findings.append(duplicate_finding(entry, others))
    similarity_findings(result.readable)
    if region:
        region_findings(by_key, region)
    for entry in result.readable:
        entry.findings = finished(entry.path, entry.report, entry.findings)
    return result


def place(entry: Checked, where: str = "全文") -> Loc:
    return Loc(entry.path, 0, 0, place=where)


def fingerprint(report: Report) -> tuple:
    """What two copies of one report must share to be the same version: every cell and every text."""
    cells = tuple(cell.value for _id, cell in sorted(report.cells.items()))
    return cells + tuple(section_text(report, s.key) for s in report.format.sections)


def duplicate_finding(entry: Checked, others: list[Checked]) -> Finding:
    """`others`: one file for each version other than this entry's."""
    differences = [
        f"与 {other.path}：{what}" + (f" {a} 与 {b}" if a or b else "") for other in others for what, a, b in differences_between(entry.report, other.report)
    ]
    return Finding.of(
        "W520",
        place(entry),
        agency=entry.agency,
        year=entry.year,
        others="、".join(o.path for o in others[:5]) + ("等" if len(others) > 5 else ""),
        differences="；".join(differences[:5]) + ("等" if len(differences) > 5 else ""),
    )


def differences_between(one: Report, other: Report) -> list[tuple[str, str, str]]:
    """(what, its value in one, in the other) for the cells and the narrative sections that differ."""
    found = []
    for table in one.format.tables.values():
        for row in table.rows:
            for column in table.columns:
                a, b = one.value(table.key, row.key, column.key), other.value(table.key, row.key, column.key)
                if a != b:
                    found.append((table.cell_title(row.key, column.key), shown(a), shown(b)))
    for section in one.format.sections:
        if section_text(one, section.key) != section_text(other, section.key):
            found.append((f"「{section.heading}」的文字", "", ""))
    return found


def shown(value: Number | None) -> str:
    return "（空）" if value is None else format_number(value)


def section_text(report: Report, key: str) -> str:
    text = report.texts.get(key)
    parts = report.parts.get(key, {})
    return (text.value if text else "") + "".join(t.value for t in parts.values())


def similarity_findings(entries: list[Checked]) -> None:
    """内容雷同 between agencies: sentences shared with another agency's report (the same agency's
    last year is the checks' W208)."""
    sentences = {id(e): sentences_of(e.report) for e in entries}
    for entry, other, shared in copied_sentences(entries, sentences, key=id):
        if normalize_label(other.agency) == normalize_label(entry.agency):
            continue
        own = sentences[id(entry)]
        if len(shared) >= AGENCY_SHARE * len(own):
            entry.findings.append(
                Finding.of(
                    "W521",
                    place(entry),
                    count=len(shared),
                    share=f"{len(shared) / len(own):.0%}",
                    agency=other.agency,
                    year=other.year,
                    path=other.path,
                    sentence=own[shared[0]],
                )
            )


def region_findings(by_key: dict[tuple[str, int], list[Checked]], region: dict[str, list[str]]) -> None:
    """A summary report against the sum of its members' reports of the same year, cell by cell
    (agencies named as `check_with_years` keys them)."""
    years = {year for _agency, year in by_key}
    for summary_agency, members in region.items():
        for year in sorted(years):
            summary = by_key.get((normalize_label(summary_agency), year))
            found = [by_key[(normalize_label(m), year)][0] for m in members if (normalize_label(m), year) in by_key]
            if not summary or not found:
                continue
            entry = summary[0]
            missing = [m for m in members if (normalize_label(m), year) not in by_key]
            differences = sum_differences(entry.report, [e.report for e in found])
            if differences:
                note = f"（缺少 {'、'.join(missing)} 的报告，只合计了其余 {len(found)} 个）" if missing else f"（合计 {len(found)} 个成员单位）"
                entry.findings.append(
                    Finding.of("W523", place(entry), note=note, differences="；".join(differences[:8]) + ("等" if len(differences) > 8 else ""))
                )


@dataclass
class SumLine:
    """One cell of a summary report beside the sum of its approved members' figures."""

    label: str  # 表 行「列」 as the review names it
    own: Number | None  # the figure typed in the summary's own form (None when it has none)
    total: Number

    @property
    def differs(self) -> bool:
        return self.own is not None and self.own != self.total


def member_sums(own: Report | None, members: list[Report]) -> list[SumLine]:
    """Every cell of the format, summed over the members (a cell some member leaves empty is left out)."""
    if not members:
        return []
    fmt = (own or members[0]).format
    lines = []
    for table in fmt.tables.values():
        for row in table.rows:
            for column in table.columns:
                values = [m.value(table.key, row.key, column.key) for m in members]
                if any(v is None for v in values):
                    continue
                figure = own.value(table.key, row.key, column.key) if own else None
                lines.append(SumLine(table.cell_title(row.key, column.key), figure, sum(values)))
    return lines


def sum_differences(summary: Report, members: list[Report]) -> list[str]:
    """The cells where a summary report's own figure is not its members' sum."""
    return [f"{line.label}汇总 {line.own}，成员之和 {line.total}" for line in member_sums(summary, members) if line.differs]


REGION_SHAPE = "地区结构文件应为“汇总机关: [成员机关, …]”，或含“汇总:”（可多级）和“公布期限:”的结构"


@dataclass
class Region:
    """A region's structure: each summary agency's direct members (a member may be a summary of
    its own: several levels), every agency in the order the file names them, and the publication
    deadlines the office set (by report kind or by agency name), which override the format's."""

    summaries: dict[str, list[str]] = field(default_factory=dict)
    agencies: list[str] = field(default_factory=list)
    deadlines: dict[str, date] = field(default_factory=dict)


def read_region(path: Path) -> Region:
    """The region file: the old shape `汇总机关: [成员机关, …]`, or
    `汇总: {汇总机关: [成员机关, {下级汇总机关: [成员, …]}, …]}` with `公布期限: {部门: 2025-02-05, 机关名称: …}`."""
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ValueError(f"YAML 语法错误{f'（第 {mark.line + 1} 行）' if mark else ''}") from None
    if not isinstance(data, dict):
        raise ValueError(REGION_SHAPE)
    region = Region()
    if "汇总" in data or "公布期限" in data:
        unknown = set(data) - {"地区", "汇总", "公布期限"}
        if unknown:
            raise ValueError(f"地区结构文件中有不认识的项：{'、'.join(map(str, unknown))}（可用：地区、汇总、公布期限）")
        add_summaries(region, data.get("汇总") or {})
        deadlines = data.get("公布期限") or {}
        if not isinstance(deadlines, dict):
            raise ValueError("“公布期限:”应为“报告类型或机关名称: 日期”，如“部门: 2025-02-05”")
        for key, value in deadlines.items():
            region.deadlines[str(key)] = deadline_date(key, value)
    else:
        add_summaries(region, data)
    return region


def add_summaries(region: Region, data: object) -> None:
    """`汇总机关: [成员, {下级汇总机关: [成员…]}…]`, into `region` (agencies kept in order, once each)."""
    if not isinstance(data, dict):
        raise ValueError(REGION_SHAPE)
    for summary, members in data.items():
        if not isinstance(members, list):
            raise ValueError(REGION_SHAPE)
        summary = str(summary)
        names = region.summaries.setdefault(summary, [])
        region.agencies += [summary] if summary not in region.agencies else []
        for member in members:
            if isinstance(member, dict) and len(member) == 1:
                add_summaries(region, member)
                member = str(next(iter(member)))
            elif not isinstance(member, str):
                raise ValueError(REGION_SHAPE)
            names.append(member)
            region.agencies += [member] if member not in region.agencies else []


def deadline_date(key: object, value: object) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"“公布期限:”中「{key}」的日期 {value} 不对，应写成 2025-02-05") from None


def load_region(path: Path) -> dict[str, list[str]]:
    """The region's structure: each summary agency and its direct members (see read_region)."""
    return read_region(path).summaries

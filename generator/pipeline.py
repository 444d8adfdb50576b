"""What the commands share: reading a form or published report, checking it with last
year's, and starting a new year's report (used by check, build, init, the tests and the bench)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .checks import check_report
from .codes import Level
from .findings import SAME_CODE_SHOWN, Finding, InputError, folded, format_text, sort_findings, summary
from .form import MAX_BYTES, load_form, source_lines
from .format import FormatError, format_for_year
from .importer import PUBLISHED_SUFFIXES, import_report
from .limits import read_capped
from .report import Loc, Report, cell_id, items_of, side_sum

SOURCE_SHOWN = ("E001", "E003", "E004", "E061", "E062", "E120")  # input errors shown with the offending line


@dataclass
class Checked:
    """One form after loading and checking; `report` is None when the file was unusable."""

    path: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    previous_unreadable: bool = False  # the --previous named could not be read (exit code 2)

    @property
    def unusable(self) -> bool:
        return self.report is None

    def count(self, level: Level) -> int:
        return sum(f.level == level for f in self.findings)


def previous_path(path: Path, report: Report, explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    sibling = path.with_name(f"{report.year - 1}{path.suffix}")
    return sibling if report.year and sibling.exists() and sibling.resolve() != path.resolve() else None


def expand_paths(paths: list[str]) -> list[str]:
    """Folders stand for the forms in them (every .yaml below, in order)."""
    expanded = []
    for text in paths:
        path = Path(text)
        forms = sorted(path.rglob("*.yaml")) if path.is_dir() else []
        expanded += [str(p) for p in forms] or [text]  # an empty folder is reported by check_file
    return expanded


def load_report(path_text: str) -> tuple[Report | None, list[Finding], list[str]]:
    """A form, or a published report (PDF, DOCX, web page, text) read as one; with what went wrong."""
    path = Path(path_text)
    try:
        if path.suffix.lower() in PUBLISHED_SUFFIXES:
            result = import_report(path, path_text)
            unread = [Finding("E020", f"未能从原文读取：{p.message}", Loc(path_text, 0, 0, place=p.place)) for p in result.problems]
            return result.report, unread + result.findings, []
        report, findings = load_form(path, path_text)
    except FormatError as exc:
        return None, exc.findings, exc.source_lines
    except InputError as exc:
        shown = exc.finding.code in SOURCE_SHOWN and exc.finding.loc is not None
        return None, [exc.finding], source_excerpt(path) if shown else []
    return report, findings, report.source_lines


def source_excerpt(path: Path) -> list[str]:
    """The lines of a form that could not be read, to show where (read again within the size cap)."""
    try:
        return source_lines(read_capped(path, MAX_BYTES, str(path), "表单").decode("utf-8", errors="replace"))
    except InputError:
        return []


def check_file(path_text: str, previous: str | None = None) -> Checked:
    """Load one report (and last year's, if there is one) and run every check."""
    report, findings, lines = load_report(path_text)
    if report is None:
        return Checked(path_text, None, findings, lines)
    last_year = None
    last_path = previous_path(Path(path_text), report, previous)
    if last_path is not None:
        last_year, trouble, _ = load_report(str(last_path))
        if last_year is None:
            findings.append(Finding("W206", f"上年报告 {last_path} 无法读取（{trouble[0].message}），未做跨年核对", Loc(path_text, 1, 1)))
    findings.extend(check_report(report, last_year))
    return Checked(path_text, report, sort_findings(findings), lines, previous_unreadable=bool(previous) and last_year is None)


def print_findings(results: list[Checked], stream=None) -> None:
    stream = stream or sys.stdout
    for result in results:
        shown, left_out = folded(result.findings)
        for finding in shown:
            print(format_text(finding, result.source_lines), file=stream)
            print(file=stream)
        for code, count in left_out.items():
            print(f"{result.path}：另有 {count} 条 {code} 未列出（同一代码只列出前 {SAME_CODE_SHOWN} 条）\n", file=stream)
    everything = [f for r in results for f in r.findings]
    if len(results) > 1:
        for result in results:
            print(f"  {result.path}：{'无法读取' if result.unusable else summary(result.findings).removesuffix('。')}", file=stream)
    files = f"共检查 {len(results)} 个文件，" if len(results) > 1 else ""
    print(files + summary(everything), file=stream)


def blank_report(agency: str, year: int) -> Report:
    """A new year's report: every count 0, totals left to compute."""
    report = Report(format=format_for_year(year), agency=agency, year=year)
    for cell in report.cells.values():
        if cell.typed:
            cell.value = 0
    return report


def carry_forward(report: Report, last: Report) -> None:
    """Start the year where last year ended, by the format's continuity relations
    (上年结转 from 结转下年度, 现行有效件数 from last year's)."""
    for relation in report.format.relations:
        if len(relation.left) != 1 or not any(t.previous for t in relation.right):
            continue
        table = report.format.tables[relation.table]
        for item in items_of(table, relation.for_each):
            target = report.cells[cell_id(table, relation.for_each, item, relation.left[0].key)]
            carried = side_sum(report, last, relation, item, relation.right)
            if target.typed and carried is not None:
                target.value = carried

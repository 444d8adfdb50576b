"""What the commands share: reading a form or published report, checking it with last
year's, and starting a new year's report (used by check, build, init, the tests and the bench)."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path

from .acknowledge import apply_acknowledgements, blocking
from .checks import check_report, is_previous_year
from .codes import Level
from .findings import SAME_CODE_SHOWN, Finding, InputError, folded, format_text, sort_findings, summary
from .form import MAX_BYTES, UnreadableForm, load_form, source_lines
from .format import Format, FormatError, format_for_year, load_format, normalize_label
from .importer import PUBLISHED_SUFFIXES, import_report
from .limits import read_capped
from .narrative import vocabulary
from .report import Loc, Report, cell_id, items_of, side_sum

SOURCE_SHOWN = ("E001", "E003", "E004", "E061", "E062", "E120")  # input errors shown with the offending line


@dataclass
class Checked:
    """One form after loading and checking; `report` is None when the file was unusable (or in
    what a batch worker sends back: see `without_report`)."""

    path: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    previous_unreadable: bool = False  # the --previous named could not be read (exit code 2)
    unusable: bool = False

    def without_report(self) -> Checked:
        """What is printed and counted: no report, and of the source only the lines the findings
        show (light to send from a worker, and to keep for every form of a long batch)."""
        shown = {f.loc.line for f in self.findings if f.loc}
        return replace(self, report=None, source_lines=[line if number in shown else "" for number, line in enumerate(self.source_lines, 1)])

    def count(self, level: Level) -> int:
        return sum(f.level == level for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        """What keeps this report from a final build."""
        return blocking(self.findings)


@dataclass
class Siblings:
    """The files in a folder that may be some form's last year: the forms grouped by the agency and
    year they state on their own lines (the rest of a folder's forms need not be read for a form),
    and the files that must be read to know (published reports, forms not stating both plainly)."""

    stated: dict[tuple[str, str], list[Path]]
    unstated: list[Path]

    def candidates(self, path: Path, agency: str, year: int) -> list[Path]:
        """The files that may be last year's report of `agency`, those named for last year first."""
        found = [p for p in (*self.stated.get((normalize_label(agency), str(year - 1)), ()), *self.unstated) if p.name != path.name]
        return sorted(found, key=lambda p: (str(year - 1) not in p.name, p.suffix.lower() != ".yaml", p.name))


def siblings_of(folder: Path, keys: tuple[str, ...]) -> Siblings:
    """The folder's forms and published reports, read now (`keys`: the agency and year fields)."""
    suffixes = {".yaml", *PUBLISHED_SUFFIXES}
    listing = Siblings({}, [])
    try:
        entries = [e.path for e in os.scandir(folder) if os.path.splitext(e.name)[1].lower() in suffixes and not e.is_dir()]
    except OSError:
        return listing
    for path_text in entries:
        path = Path(path_text)
        header = form_header(path_text, stamp(path), keys) if path.suffix.lower() == ".yaml" else None
        if header is None:
            listing.unstated.append(path)
        else:
            listing.stated.setdefault((normalize_label(header[0]), header[1]), []).append(path)
    return listing


@cache
def listed_once(folder: Path, keys: tuple[str, ...], _stamp: int) -> Siblings:
    """siblings_of, once a process while the folder keeps the same entries (a batch)."""
    return siblings_of(folder, keys)


def header_keys(fmt: Format) -> tuple[str, ...]:
    """The keys of the agency and year fields, which form_header looks for."""
    return tuple(f.key for f in fmt.fields if f.attribute in ("agency", "year"))


def prepare_batch(paths: list[str]) -> None:
    """What each worker of a batch check would otherwise do first, done once before they are
    forked: the format and its narrative vocabulary loaded, each folder of the forms listed."""
    fmt = load_format()
    vocabulary(fmt)
    for folder in dict.fromkeys(Path(p).parent for p in paths):
        listed_once(folder, header_keys(fmt), stamp(folder))


def find_previous(path: Path, report: Report, batch: bool = False) -> tuple[Report | None, Finding | None]:
    """Last year's report of the same agency among the files beside the form, found by content;
    else why the file named for last year (2023.yaml, 2023.pdf…) could not be read (W206).
    In a batch the folder is listed once per process (while its entries stay the same: forms edited
    in place meanwhile are not seen); otherwise on every call."""
    if not report.year or not report.agency:
        return None, None
    trouble = None
    keys = header_keys(report.format)
    listing = listed_once(path.parent, keys, stamp(path.parent)) if batch else siblings_of(path.parent, keys)
    for candidate in listing.candidates(path, report.agency, report.year):
        last, problem = candidate_report(str(candidate), stamp(candidate))
        if last is not None and is_previous_year(report, last):
            return last, None
        if last is None and candidate.stem == str(report.year - 1) and trouble is None:
            trouble = Finding("W206", f"上年报告 {candidate} 无法读取（{problem}），未做跨年核对", Loc(str(path), 1, 1))
    return None, trouble


def stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@cache
def form_header(path_text: str, _stamp: int, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """The agency and year a form states on its own top-level lines (a cheap look, so that a
    folder of many forms is not read whole for every form in it); None when not both are plain."""
    try:
        text = read_capped(Path(path_text), MAX_BYTES, path_text, "表单").decode("utf-8", "replace")
    except (OSError, InputError):
        return None
    found = dict(re.findall(rf"^({'|'.join(map(re.escape, keys))})\s*:\s*[\"']?([^\"'#\n]*?)[\"']?\s*(?:#.*)?$", text, re.M))
    return (found[keys[0]], found[keys[1]]) if len(found) == 2 and all(found.values()) else None


@lru_cache(maxsize=256)
def candidate_report(path_text: str, _stamp: int) -> tuple[Report | None, str]:
    """A file beside a form and why it could not be read, read once per process (a folder check
    looks at each file for every form)."""
    report, findings, _lines = load_report(path_text)
    return report, "" if report is not None else findings[0].message


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
        if is_published(path_text):
            result = import_report(path, path_text)
            unread = [Finding("E020", f"未能从原文读取：{p.message}", Loc(path_text, 0, 0, place=p.place)) for p in result.problems]
            return result.report, unread + result.findings, []
        report, findings = load_form(path, path_text)
    except FormatError as exc:
        return None, exc.findings, exc.source_lines
    except UnreadableForm as exc:  # its syntax errors, then all else the rest of it has
        if exc.report is None:
            return None, exc.findings([]), exc.lines
        return None, apply_acknowledgements(exc.report, exc.findings(check_report(exc.report))), exc.lines
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


def check_file(path_text: str, previous: str | None = None, batch: bool = False) -> Checked:
    """Load one report (and last year's, if there is one) and run every check (`batch`: see find_previous)."""
    report, findings, lines = load_report(path_text)
    if report is None:
        return Checked(path_text, None, findings, lines, unusable=True)
    if previous:
        last, trouble, _ = load_report(previous)
        if last is None:
            findings.append(Finding("W206", f"上年报告 {previous} 无法读取（{trouble[0].message}），未做跨年核对", Loc(path_text, 1, 1)))
    else:
        last, trouble = find_previous(Path(path_text), report, batch)
        findings += [trouble] if trouble else []
    report.previous = last if last is not None and is_previous_year(report, last) else None  # for 同比 citations
    findings.extend(check_report(report, last))
    # a published file is not edited: no suggestion to change it; acknowledgements live in forms
    findings = [replace(f, hint="") for f in findings] if is_published(path_text) else apply_acknowledgements(report, findings)
    return Checked(path_text, report, sort_findings(findings), lines, previous_unreadable=bool(previous) and last is None)


def is_published(path_text: str) -> bool:
    return Path(path_text).suffix.lower() in PUBLISHED_SUFFIXES


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
            print(f"  {result.path}：{unusable_reason(result) if result.unusable else summary(result.findings).removesuffix('。')}", file=stream)
    files = f"共检查 {len(results)} 个文件，" if len(results) > 1 else ""
    print(files + summary(everything), file=stream)


def unusable_reason(result: Checked) -> str:
    """Why a file could not be read, in a few words: 「E001 YAML 语法错误（第 3 行）」."""
    finding = result.findings[0]
    line = f"（第 {finding.loc.line} 行）" if finding.loc and finding.loc.line and finding.code != "E000" else ""
    return f"{finding.code} {finding.message.split('：')[0]}{line}"


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

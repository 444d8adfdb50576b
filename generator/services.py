"""The service layer: what the command line, the browser form and the review share.

Loading a form or a published report, checking it (with last year's), rendering its outputs,
importing a published report and starting a new year's form: each a function that returns data
and never prints. The callers (generator/commands/, generator/serve/, generator/review/) say
the results in their own way."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from .acknowledge import apply_acknowledgements, blocking
from .checks import check_against_previous, check_report, is_previous_year
from .codes import Level
from .findings import Finding, InputError, sort_findings
from .form import MAX_BYTES, UnreadableForm, load_form, parse_form, source_lines
from .format import Format, FormatError, format_for_year, load_format, normalize_label
from .importer import PUBLISHED_SUFFIXES, import_report
from .limits import megabytes, one_line, read_capped, safe_name, year_problem
from .narrative import vocabulary
from .report import Loc, Report, cell_id, items_of, side_sum

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .importer.parse import Extraction

SOURCE_SHOWN = ("E001", "E003", "E004", "E061", "E062", "E120")  # input errors shown with the offending line
KINDS = ("pdf", "docx", "html")  # the outputs of a report, in the order they are made
DRAFT_SUFFIX = "（草稿）"
IMPORT_LIMIT_CODES = ("E014", "E063", "E064")  # the form's limits an imported report may go past


@dataclass
class Checked:
    """One form or published report after loading and checking: what every caller shows.
    `report` is None when the file was unusable (or in what a batch worker sends back: see
    `without_report`); `spans` is what the browser's reader adds (where each value sits)."""

    path: str
    report: Report | None
    findings: list[Finding] = field(default_factory=list)
    source_lines: list[str] = field(default_factory=list)
    previous_unreadable: bool = False  # the --previous named could not be read (exit code 2)
    unusable: bool = False
    spans: object = None

    def without_report(self) -> Checked:
        """What is printed and counted: no report, and of the source only the lines the findings
        show (light to send from a worker, and to keep for every form of a long batch)."""
        shown = {f.loc.line for f in self.findings if f.loc}
        return replace(self, report=None, spans=None, source_lines=[line if number in shown else "" for number, line in enumerate(self.source_lines, 1)])

    @property
    def agency(self) -> str:
        return self.report.agency if self.report else ""

    @property
    def year(self) -> int:
        return self.report.year if self.report else 0

    def count(self, level: Level) -> int:
        """Findings of this level still to act on (acknowledged warnings left out)."""
        return sum(f.level == level and not f.acknowledged for f in self.findings)

    @property
    def acknowledged(self) -> int:
        return sum(bool(f.acknowledged) for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        """What keeps this report from a final build."""
        return blocking(self.findings)

    @property
    def status(self) -> str:
        """The one word every list shows for it."""
        if self.unusable:
            return "无法读取"
        return "有错误" if self.count(Level.ERROR) else "有警告" if self.count(Level.WARNING) else "可以发布"

    @property
    def unusable_reason(self) -> str:
        """Why the file could not be read, in a few words: 「E001 YAML 语法错误（第 3 行）」."""
        finding = self.findings[0]
        line = f"（第 {finding.loc.line} 行）" if finding.loc and finding.loc.line and finding.code != "E000" else ""
        return f"{finding.code} {finding.message.split('：')[0]}{line}"


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


@lru_cache(maxsize=64)
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
            trouble = Finding.of("W206", Loc(str(path), 1, 1), path=candidate, problem=problem)
    return None, trouble


def stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=4096)
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
    report, findings, _lines = load_report(path_text, neighbours=False)
    return report, "" if report is not None else findings[0].message


def expand_paths(paths: list[str]) -> list[str]:
    """Folders stand for the forms in them (every .yaml below, in order)."""
    expanded = []
    for text in paths:
        path = Path(text)
        forms = sorted(path.rglob("*.yaml")) if path.is_dir() else []
        expanded += [str(p) for p in forms] or [text]  # an empty folder is reported by check_file
    return expanded


def load_report(path_text: str, previous: str | None = None, neighbours: bool = True) -> tuple[Report | None, list[Finding], list[str]]:
    """A form, or a published report (PDF, DOCX, web page, text) read as one; with what went wrong.
    A published report with digits that ran together is read again with last year's report (the one
    named `previous`, else the one beside it) when there is one, unless `neighbours` is off."""
    path = Path(path_text)
    try:
        if is_published(path_text):
            result = import_report(path, path_text)
            if neighbours and result.open_cuts:
                result = with_last_year(path, path_text, result, previous)
            return result.report, result.problems + result.findings, []
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


def with_last_year(path: Path, path_text: str, result: Extraction, previous: str | None, year: int | None = None) -> Extraction:
    """A published report read again with last year's report of the same agency, which settles
    digits that ran together where continuity does (上年结转, 现行有效件数); as it was without one."""
    last = load_report(previous, neighbours=False)[0] if previous else find_previous(path, result.report)[0]
    if last is None or not is_previous_year(result.report, last):
        return result
    return import_report(path, path_text, year, previous=last)


def source_excerpt(path: Path) -> list[str]:
    """The lines of a form that could not be read, to show where (read again within the size cap)."""
    try:
        return source_lines(read_capped(path, MAX_BYTES, str(path), "表单").decode("utf-8", errors="replace"))
    except InputError:
        return []


def check_file(path_text: str, previous: str | None = None, batch: bool = False) -> Checked:
    """Load one report (and last year's, if there is one) and run every check (`batch`: see find_previous)."""
    report, findings, lines = load_report(path_text, previous)
    return checked_with_last_year(path_text, report, findings, lines, previous, batch)


def check_text(text: str, path_text: str, read: Callable[[str, str], tuple] = parse_form, name: str = "") -> Checked:
    """A form's text not yet saved (the browser's), checked as `check_file` checks the file at
    `path_text` (last year's form beside it included); `name` is what its findings call it
    (the path when empty). `read` returns (report, findings) and may return more, which is kept
    as the result's `spans`."""
    try:
        report, findings, *extra = read(text, name or path_text)
    except (InputError, FormatError) as exc:
        found = exc.findings if isinstance(exc, FormatError) else [exc.finding]
        return Checked(path_text, None, found, source_lines(text), unusable=True)
    checked = checked_with_last_year(path_text, report, findings, report.source_lines)
    checked.spans = extra[0] if extra else None
    return checked


def checked_with_last_year(path_text: str, report: Report | None, findings: list[Finding], lines: list[str], previous: str | None = None, batch: bool = False) -> Checked:
    """A loaded report checked with last year's: the one named, else the one found beside it."""
    if report is None:
        return Checked(path_text, None, findings, lines, unusable=True)
    if previous:
        last, trouble, _ = load_report(previous)
        if last is None:
            findings.append(Finding.of("W206", Loc(path_text, 1, 1), path=previous, problem=trouble[0].message))
    else:
        last, trouble = find_previous(Path(path_text), report, batch)
        findings += [trouble] if trouble else []
    report.previous = last if last is not None and is_previous_year(report, last) else None  # for 同比 citations
    findings.extend(check_report(report, last))
    return Checked(path_text, report, finished(path_text, report, findings), lines, previous_unreadable=bool(previous) and last is None)


def check_alone(path_text: str) -> Checked:
    """A file checked on its own, for a review that pairs the years itself (see check_with_years)."""
    report, findings, lines = load_report(path_text)
    if report is None:
        return Checked(path_text, None, findings, lines, unusable=True)
    return Checked(path_text, report, findings + check_report(report), lines)


def check_with_years(results: list[Checked]) -> dict[tuple[str, int], list[Checked]]:
    """Files checked alone, checked now against the same agency's previous year among them (the
    agency compared as `is_previous_year` does) and finished; grouped by agency and year."""
    by_key: dict[tuple[str, int], list[Checked]] = {}
    for result in results:
        if result.report is not None:
            by_key.setdefault((normalize_label(result.agency), result.year), []).append(result)
    for (agency, year), group in by_key.items():
        last = by_key.get((agency, year - 1))
        for result in group:
            result.findings += check_against_previous(result.report, last[0].report) if last else []
    return by_key


def finished(path_text: str, report: Report, findings: list[Finding]) -> list[Finding]:
    """The findings as every caller shows them: a published file's without suggestions to edit it
    (it is not edited; acknowledgements live in forms), a form's with its acknowledgements; in order."""
    findings = [replace(f, hint="") for f in findings] if is_published(path_text) else apply_acknowledgements(report, findings)
    return sort_findings(findings)


def is_published(path_text: str) -> bool:
    return Path(path_text).suffix.lower() in PUBLISHED_SUFFIXES


def new_form_problem(agency: str, year: int) -> str:
    """Why a new form cannot be made for this agency and year ("" when it can)."""
    if not agency.strip():
        return "请填写机关名称"
    if one_line(agency) != agency:
        return "机关名称不能含有换行或控制字符"
    return year_problem(year)


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


def render(report: Report, kinds: list[str] | tuple[str, ...], draft: bool) -> dict[str, bytes]:
    """The report's outputs in memory, by kind: the bytes `build` writes and the browser sends.
    (The renderers are imported when used: `check` does not pay for them.)"""
    from .document import build_document

    document = build_document(report)
    outputs = {}
    for kind in kinds:
        if kind == "pdf":
            from .render.pdf import render_pdf

            outputs[kind] = render_pdf(document, draft=draft)  # one render at a time a process (weasy.patches)
        elif kind == "docx":
            from .render.docx import render_docx

            outputs[kind] = render_docx(document, draft=draft)
        else:
            from .render.html import render_html

            outputs[kind] = render_html(document, draft=draft).encode("utf-8")
    return outputs


def load_renderers(kinds: list[str]) -> None:
    """The renderers' imports (WeasyPrint's the slowest), made once before a batch's workers are
    forked from this process instead of by each of them."""
    if "pdf" in kinds:
        from .render import pdf  # noqa: F401  (WeasyPrint, its internals checked, and the HTML renderer the PDF is laid out from)
    if "html" in kinds:
        from .render import html  # noqa: F401
    if "docx" in kinds:
        from .render import docx  # noqa: F401


def output_stem(report: Report, draft: bool, fallback: str = "报告") -> str:
    """The name of a report's files: its title made safe as a file name (it is user text); a draft says so."""
    stem = safe_name(report.format.make_title(report.agency, report.year) if report.agency and report.year else fallback)
    return stem + DRAFT_SUFFIX if draft else stem


@dataclass
class Built:
    """A report checked and, when it may be, rendered: `outputs` (kind → bytes) is empty when it
    was unusable or refused (errors or unacknowledged warnings, and no draft allowed)."""

    checked: Checked
    stem: str = ""
    outputs: dict[str, bytes] = field(default_factory=dict)

    @property
    def draft(self) -> bool:
        return self.stem.endswith(DRAFT_SUFFIX)

    @property
    def refused(self) -> bool:
        return not self.checked.unusable and not self.outputs


def build(path_text: str, kinds: list[str] | tuple[str, ...] = KINDS, previous: str | None = None, drafts: bool = False, batch: bool = False) -> Built:
    """Check a form and render its outputs: final when nothing blocks, else a draft if `drafts`, else none."""
    return build_checked(check_file(path_text, previous, batch), kinds, drafts)


def build_checked(checked: Checked, kinds: list[str] | tuple[str, ...] = KINDS, drafts: bool = False) -> Built:
    """`build` for a report already checked (the browser's text, say)."""
    if checked.report is None:
        return Built(checked)
    draft = bool(checked.blocking)
    if draft and not drafts:
        return Built(checked)
    return Built(checked, output_stem(checked.report, draft, Path(checked.path).stem), render(checked.report, kinds, draft))


@dataclass
class Imported:
    """A published report read into a form: what was read (cells, their sources, the importer's
    problems and notices), the form's text, and the form's limits it goes past."""

    extraction: Extraction
    form: str
    beyond: list[Finding]


def import_published(path_text: str, agency: str | None = None, year: int | None = None) -> Imported:
    """Read a published report (PDF, DOCX, web page, text) into a form; InputError when it cannot be read."""
    from .formwriter import write_form

    result = import_report(Path(path_text), path_text, year)
    if result.open_cuts:  # digits that ran together: last year's report beside it may settle them
        result = with_last_year(Path(path_text), path_text, result, None, year)
    report = result.report
    report.agency = agency or report.agency
    report.year = year or report.year
    if report.title == report.format.make_title(report.agency, report.year):
        report.title = ""
    form = write_form(report, notes=result.notes)
    return Imported(result, form, limits_of_the_form(form, path_text))


def limits_of_the_form(form: str, name: str) -> list[Finding]:
    """The form's limits an imported report goes past (a paragraph, the text, a number, the size):
    said now, as `check` will say them when it reads the form."""
    if len(form.encode("utf-8")) > MAX_BYTES:
        return [Finding.of("E002", None, variant="imported", limit=megabytes(MAX_BYTES))]
    try:
        _report, findings = parse_form(form, name)
    except InputError as exc:
        return [exc.finding]
    return [f for f in findings if f.code in IMPORT_LIMIT_CODES]

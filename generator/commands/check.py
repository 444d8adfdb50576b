"""`nianbao check`: validate forms and print every finding at once."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path

from .. import batch
from ..acknowledge import apply_acknowledgements, blocking
from ..checks import check_report, is_previous_year
from ..findings import ERROR, SAME_CODE_SHOWN, WARNING, Finding, InputError, findings_json, folded, format_text, sort_findings, summary
from ..form import MAX_BYTES, load_form, source_lines
from ..importer import PUBLISHED_SUFFIXES, import_report
from ..limits import read_capped
from ..report import Loc, Report


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

    def count(self, level: str) -> int:
        return sum(f.level == level for f in self.findings)

    @property
    def blocking(self) -> list[Finding]:
        """What keeps this report from a final build."""
        return blocking(self.findings)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="校验年度报告表单", description="校验表格勾稽关系、跨年衔接、叙述与表格一致性和完整性")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml）、包含表单的文件夹，或已公开的报告（.pdf/.docx/.html/.txt）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单或已公开的报告；省略时在同一文件夹中按内容查找（同一机关、上一年度）")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    parser.add_argument("--strict", action="store_true", help="有未核对的警告也视为未通过")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def previous_candidates(path: Path, year: int) -> list[Path]:
    """Forms and published reports beside `path`, those named for last year first."""
    suffixes = {".yaml", *PUBLISHED_SUFFIXES}
    try:
        siblings = [p for p in path.parent.iterdir() if p.suffix.lower() in suffixes and not p.is_dir() and p.resolve() != path.resolve()]
    except OSError:
        return []
    return sorted(siblings, key=lambda p: (str(year - 1) not in p.name, p.suffix.lower() != ".yaml", p.name))


def find_previous(path: Path, report: Report) -> tuple[Report | None, Finding | None]:
    """Last year's report of the same agency among the files beside the form, found by content;
    else why the file named for last year (2023.yaml, 2023.pdf…) could not be read (W206)."""
    if not report.year or not report.agency:
        return None, None
    trouble = None
    for candidate in previous_candidates(path, report.year):
        last, problem = candidate_report(str(candidate), stamp(candidate))
        if last is not None and is_previous_year(report, last):
            return last, None
        if last is None and candidate.stem == str(report.year - 1) and trouble is None:
            trouble = Finding(WARNING, "W206", f"上年报告 {candidate} 无法读取（{problem}），未做跨年核对", Loc(str(path), 1, 1))
    return None, trouble


def stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


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
    if is_published(path_text):
        try:
            result = import_report(path, path_text)
        except InputError as exc:
            return None, [exc.finding], []
        unread = [Finding(ERROR, "E020", f"未能从原文读取：{p.message}", Loc(path_text, 0, 0, place=p.place)) for p in result.problems]
        return result.report, unread + result.findings, []
    try:
        report, findings = load_form(path, path_text)
    except InputError as exc:
        return None, [exc.finding], source_excerpt(path) if exc.finding.code in ("E001", "E003", "E004", "E061", "E062") else []
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
    if previous:
        last, trouble, _ = load_report(previous)
        if last is None:
            findings.append(Finding(WARNING, "W206", f"上年报告 {previous} 无法读取（{trouble[0].message}），未做跨年核对", Loc(path_text, 1, 1)))
    else:
        last, trouble = find_previous(Path(path_text), report)
        findings += [trouble] if trouble else []
    report.previous = last if last is not None and is_previous_year(report, last) else None  # for 同比 citations
    findings.extend(check_report(report, last))
    # a published file is not edited: no suggestion to change it; acknowledgements live in forms
    findings = [replace(f, hint="") for f in findings] if is_published(path_text) else apply_acknowledgements(report, findings)
    return Checked(path_text, report, sort_findings(findings), lines, previous_unreadable=bool(previous) and last is None)


def is_published(path_text: str) -> bool:
    return Path(path_text).suffix.lower() in PUBLISHED_SUFFIXES


def exit_code(results: list[Checked], strict: bool) -> int:
    if any(r.unusable or r.previous_unreadable for r in results):
        return 2
    if any(r.count(ERROR) or (strict and r.blocking) for r in results):
        return 1
    return 0


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


def run(args: argparse.Namespace) -> int:
    files = expand_paths(args.files)
    if args.previous and len(files) > 1:
        print("用法错误：--previous 只能与一个文件一起使用", file=sys.stderr)
        return 2
    results = list(batch.in_order(partial(check_file, previous=args.previous), files, args.jobs))
    if args.format == "json":
        print(findings_json([(r.path, r.findings) for r in results]))
    else:
        print_findings(results)
    return exit_code(results, args.strict)

"""`nianbao check`: validate forms and print every finding at once."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .. import batch
from ..checks import check_report
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


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="校验年度报告表单", description="校验表格勾稽关系、跨年衔接、叙述与表格一致性和完整性")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml）、包含表单的文件夹，或已公开的报告（.pdf/.docx/.html/.txt）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单；省略时使用同一文件夹中的“年度-1”.yaml")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    parser.add_argument("--strict", action="store_true", help="有警告也视为未通过")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


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
    if path.suffix.lower() in PUBLISHED_SUFFIXES:
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
    last_year = None
    last_path = previous_path(Path(path_text), report, previous)
    if last_path is not None:
        last_year, trouble, _ = load_report(str(last_path))
        if last_year is None:
            findings.append(Finding(WARNING, "W206", f"上年报告 {last_path} 无法读取（{trouble[0].message}），未做跨年核对", Loc(path_text, 1, 1)))
    findings.extend(check_report(report, last_year))
    return Checked(path_text, report, sort_findings(findings), lines, previous_unreadable=bool(previous) and last_year is None)


def exit_code(results: list[Checked], strict: bool) -> int:
    if any(r.unusable or r.previous_unreadable for r in results):
        return 2
    if any(r.count(ERROR) or (strict and r.count(WARNING)) for r in results):
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
            print(f"  {result.path}：{'无法读取' if result.unusable else summary(result.findings).removesuffix('。')}", file=stream)
    files = f"共检查 {len(results)} 个文件，" if len(results) > 1 else ""
    print(files + summary(everything), file=stream)


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

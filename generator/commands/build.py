"""`nianbao build`: check, then write the PDF, DOCX and HTML of each report."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .. import batch
from ..files import write_all
from ..findings import ERROR
from ..limits import safe_name
from ..report import Report
from .check import check_file, expand_paths, print_findings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..document import Document

KINDS = ("pdf", "docx", "html")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build", help="生成 PDF、DOCX 和 HTML", description="先校验，再生成用于公开的 PDF、用于审批的 DOCX 和网页 HTML")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml），或包含表单的文件夹")
    parser.add_argument("-o", "--output", default="out", metavar="文件夹", help="输出文件夹（默认 out）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单（只用于校验）")
    for kind in KINDS:
        parser.add_argument(f"--{kind}", action="store_true", help=f"生成 {kind.upper()}（都不指定时三种都生成）")
    parser.add_argument("--draft", action="store_true", help="有错误也生成，每页标注“草稿 未通过校验”")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def output_stem(path: Path, report: Report) -> str:
    """The output files' name: the report's title made safe as a file name (it is user text)."""
    return safe_name(report.format.make_title(report.agency, report.year) if report.agency and report.year else path.stem)


def render(document: Document, kind: str, draft: bool) -> bytes | str:
    """One output, in memory: nothing is written until every kind has been rendered.
    (The renderers are imported here, when used: `check` does not pay for them.)"""
    if kind == "html":
        from ..render.html import render_html

        return render_html(document, draft=draft)
    if kind == "pdf":
        from ..render.pdf import render_pdf

        return render_pdf(document, draft=draft)
    from ..render.docx import render_docx

    return render_docx(document)


def run(args: argparse.Namespace) -> int:
    kinds = [k for k in KINDS if getattr(args, k)] or list(KINDS)
    status = 0
    claimed: dict[str, str] = {}  # output stem (case-folded, as Windows compares) -> the form that writes it
    for result in batch.in_order(partial(build_file, args=args, kinds=kinds), expand_paths(args.files), args.jobs):
        if not isinstance(result, Built):  # not built (its messages are written): the exit status
            status = max(status, 2 if result is None else result)
            continue
        if result.stem.casefold() in claimed:
            print(f"{result.name}：与 {claimed[result.stem.casefold()]} 的输出文件同名（{result.stem}），未生成，以免覆盖。请分别生成到不同的输出文件夹。", file=sys.stderr)
            status = max(status, 2)
            continue
        claimed[result.stem.casefold()] = result.name
        write_all(result.outputs)
        for target in result.outputs:
            print(f"已生成 {target}")
    return status


@dataclass
class Built:
    """One form's outputs, rendered in a worker, written by the command in input order."""

    name: str
    stem: str
    outputs: dict[Path, bytes | str]


def build_file(name: str, args: argparse.Namespace, kinds: list[str]) -> Built | int:
    """Check one form and render its outputs in memory; the exit status when it cannot be built."""
    checked = check_file(name, args.previous)
    has_errors = checked.unusable or checked.count(ERROR) > 0
    if checked.findings:
        print_findings([checked], sys.stderr)
    if checked.unusable or (has_errors and not args.draft):
        print(f"{name}：有错误，未生成。改正后重试，或加 --draft 生成草稿。", file=sys.stderr)
        return 2 if checked.unusable else 1
    from ..document import build_document

    stem = output_stem(Path(name), checked.report)
    document = build_document(checked.report)
    return Built(name, stem, {Path(args.output) / f"{stem}.{kind}": render(document, kind, has_errors) for kind in kinds})

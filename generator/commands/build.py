"""`nianbao build`: check, then write the PDF, DOCX and HTML of each report."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .. import batch
from ..files import write_atomic
from ..findings import ERROR
from ..report import Report
from .check import check_file, expand_paths, print_findings

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
    return report.format.make_title(report.agency, report.year) if report.agency and report.year else path.stem


def run(args: argparse.Namespace) -> int:
    kinds = [k for k in KINDS if getattr(args, k)] or list(KINDS)
    statuses = batch.in_order(partial(build_file, args=args, kinds=kinds), expand_paths(args.files), args.jobs)
    return max((2 if status is None else status for status in statuses), default=0)


def build_file(name: str, args: argparse.Namespace, kinds: list[str]) -> int:
    """Check one form and write its outputs; its exit status."""
    checked = check_file(name, args.previous)
    has_errors = checked.unusable or checked.count(ERROR) > 0
    if checked.findings:
        print_findings([checked], sys.stderr)
    if checked.unusable or (has_errors and not args.draft):
        print(f"{name}：有错误，未生成。改正后重试，或加 --draft 生成草稿。", file=sys.stderr)
        return 2 if checked.unusable else 1
    from ..document import build_document  # the renderers are imported only when they are used
    from ..render.docx import render_docx
    from ..render.html import render_html

    document = build_document(checked.report)
    folder = Path(args.output)
    stem = output_stem(Path(name), checked.report)
    for kind in kinds:
        target = folder / f"{stem}.{kind}"
        if kind == "html":
            write_atomic(target, render_html(document, draft=has_errors))
        elif kind == "pdf":
            from ..render.pdf import render_pdf

            write_atomic(target, render_pdf(document, draft=has_errors))
        else:
            write_atomic(target, render_docx(document))
        print(f"已生成 {target}")
    return 0

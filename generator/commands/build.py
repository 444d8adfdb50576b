"""`nianbao build`: check, then write the PDF, DOCX and HTML of each report."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from .. import batch
from ..codes import Level
from ..files import write_all
from ..findings import Finding
from ..limits import safe_name
from ..pipeline import check_file, expand_paths, print_findings
from ..report import Report

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..document import Document

KINDS = ("pdf", "docx", "html")
DRAFT_SUFFIX = "（草稿）"


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build", help="生成 PDF、DOCX 和 HTML", description="先校验，再生成用于公开的 PDF、用于审批的 DOCX 和网页 HTML")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml），或包含表单的文件夹")
    parser.add_argument("-o", "--output", default="out", metavar="文件夹", help="输出文件夹（默认 out）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单或已公开的报告（用于跨年核对和“同比”）；省略时在同一文件夹中按内容查找")
    for kind in KINDS:
        parser.add_argument(f"--{kind}", action="store_true", help=f"生成 {kind.upper()}（都不指定时三种都生成）")
    parser.add_argument("--draft", action="store_true", help="有错误或未核对的警告也生成草稿：每页标注“草稿 未通过校验”，文件名带“（草稿）”")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def output_stem(path: Path, report: Report, draft: bool) -> str:
    """The output files' name: the report's title made safe as a file name (it is user text); a draft says so."""
    stem = safe_name(report.format.make_title(report.agency, report.year) if report.agency and report.year else path.stem)
    return stem + DRAFT_SUFFIX if draft else stem


def refusal(name: str, blocking: list[Finding]) -> str:
    """Why a final build was refused, and the two ways forward."""
    errors = sum(f.level == Level.ERROR for f in blocking)
    reasons = "、".join(x for x in (f"{errors} 个错误" if errors else "", f"{len(blocking) - errors} 个未核对的警告" if len(blocking) > errors else "") if x)
    codes = "、".join(dict.fromkeys(f.code for f in blocking))
    return (
        f"{name}：有 {reasons}（{codes}），未生成正式文件。改正错误；核对过仍保留的警告，在表单的“已核对:”中写明代码、位置和理由"
        "（见 README）。要先生成草稿，加 --draft。"
    )


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

    return render_docx(document, draft=draft)


def import_renderers(kinds: list[str]) -> None:
    """The renderers' imports (WeasyPrint's the slowest), made once before a batch's workers are
    forked from this process instead of by each of them."""
    if "pdf" in kinds:
        from ..render import pdf  # noqa: F401  (WeasyPrint, its internals checked, and the HTML renderer the PDF is laid out from)
    if "html" in kinds:
        from ..render import html  # noqa: F401
    if "docx" in kinds:
        from ..render import docx  # noqa: F401


def run(args: argparse.Namespace) -> int:
    kinds = [k for k in KINDS if getattr(args, k)] or list(KINDS)
    status = 0
    claimed: dict[str, str] = {}  # output stem (case-folded, as Windows compares) -> the form that writes it
    for result in batch.in_order(partial(build_file, args=args, kinds=kinds), expand_paths(args.files), args.jobs, prepare=partial(import_renderers, kinds)):
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
    checked = check_file(name, args.previous, batch=True)
    if checked.findings:
        print_findings([checked], sys.stderr)
    if checked.unusable:
        print(f"{name}：无法读取，未生成。", file=sys.stderr)
        return 2
    draft = bool(checked.blocking)
    if draft and not args.draft:
        print(refusal(name, checked.blocking), file=sys.stderr)
        return 1
    from ..document import build_document

    stem = output_stem(Path(name), checked.report, draft)
    document = build_document(checked.report)
    return Built(name, stem, {Path(args.output) / f"{stem}.{kind}": render(document, kind, draft) for kind in kinds})

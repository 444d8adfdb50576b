"""`nianbao build`: check, then write the PDF, DOCX and HTML of each report."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .. import batch
from ..codes import Level
from ..files import write_all
from ..findings import Finding
from ..services import KINDS, Built, build, expand_paths, load_renderers
from . import output_name
from .output import print_findings


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("build", help="生成 PDF、DOCX 和 HTML", description="先校验，再生成用于公开的 PDF、用于审批的 DOCX 和网页 HTML")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml），或包含表单的文件夹")
    parser.add_argument("-o", "--output", type=output_name, default="out", metavar="文件夹", help="输出文件夹（默认 out）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单或已公开的报告（用于跨年核对和“同比”）；省略时在同一文件夹中按内容查找")
    for kind in KINDS:
        parser.add_argument(f"--{kind}", action="store_true", help=f"生成 {kind.upper()}（都不指定时三种都生成）")
    parser.add_argument("--draft", action="store_true", help="有错误或未核对的警告也生成草稿：每页标注“草稿 未通过校验”，文件名带“（草稿）”")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def refusal(name: str, blocking: list[Finding]) -> str:
    """Why a final build was refused, and the two ways forward."""
    errors = sum(f.level == Level.ERROR for f in blocking)
    reasons = "、".join(x for x in (f"{errors} 个错误" if errors else "", f"{len(blocking) - errors} 个未核对的警告" if len(blocking) > errors else "") if x)
    codes = "、".join(dict.fromkeys(f.code for f in blocking))
    return (
        f"{name}：有 {reasons}（{codes}），未生成正式文件。改正错误；核对过仍保留的警告，在表单的“已核对:”中写明代码、位置和理由"
        "（见 README）。要先生成草稿，加 --draft。"
    )


def build_briefly(name: str, kinds: list[str], previous: str | None, drafts: bool) -> Built:
    """`build` in a batch worker: what is written and said, without the report."""
    built = build(name, kinds, previous, drafts, batch=True)
    built.checked = built.checked.without_report()
    return built


def run(args: argparse.Namespace) -> int:
    kinds = [k for k in KINDS if getattr(args, k)] or list(KINDS)
    status = 0
    claimed: dict[str, str] = {}  # output stem (case-folded, as Windows compares) -> the form that writes it
    work = partial(build_briefly, kinds=kinds, previous=args.previous, drafts=args.draft)
    for built in batch.in_order(work, expand_paths(args.files), args.jobs, prepare=partial(load_renderers, kinds)):
        if built is None:  # its worker failed (said already)
            status = 2
            continue
        status = max(status, written(built, Path(args.output), claimed))
    return status


def written(built: Built, folder: Path, claimed: dict[str, str]) -> int:
    """Say what was found, write the outputs unless refused or named like another form's; the exit status."""
    name = built.checked.path
    if built.checked.findings:
        print_findings([built.checked], sys.stderr)
    if built.checked.unusable:
        print(f"{name}：无法读取，未生成。", file=sys.stderr)
        return 2
    if built.refused:
        print(refusal(name, built.checked.blocking), file=sys.stderr)
        return 1
    if built.stem.casefold() in claimed:
        print(f"{name}：与 {claimed[built.stem.casefold()]} 的输出文件同名（{built.stem}），未生成，以免覆盖。请分别生成到不同的输出文件夹。", file=sys.stderr)
        return 2
    claimed[built.stem.casefold()] = name
    targets = {folder / f"{built.stem}.{kind}": data for kind, data in built.outputs.items()}
    try:
        write_all(targets)
    except OSError as exc:
        print(batch.os_error_message(exc), file=sys.stderr)
        return 2
    for target in targets:
        print(f"已生成 {target}")
    return 0

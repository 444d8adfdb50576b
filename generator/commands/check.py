"""`nianbao check`: validate forms and print every finding at once."""

from __future__ import annotations

import argparse
import sys
from functools import partial

from .. import batch
from ..codes import Level
from ..findings import findings_json
from ..services import Checked, check_file, expand_paths, prepare_batch
from .output import print_findings

CHECKS_PER_TASK = 20  # a check takes milliseconds: a worker gets up to this many forms at a time


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("check", help="校验年度报告表单", description="校验表格勾稽关系、跨年衔接、叙述与表格一致性和完整性")
    parser.add_argument("files", nargs="+", metavar="文件", help="表单文件（.yaml）、包含表单的文件夹，或已公开的报告（.pdf/.docx/.html/.txt）")
    parser.add_argument("--previous", metavar="上年文件", help="上年度的表单或已公开的报告；省略时在同一文件夹中按内容查找（同一机关、上一年度）")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    parser.add_argument("--strict", action="store_true", help="有未核对的警告也视为未通过")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def exit_code(results: list[Checked], strict: bool) -> int:
    if any(r.unusable or r.previous_unreadable for r in results):
        return 2
    if any(r.count(Level.ERROR) or (strict and r.blocking) for r in results):
        return 1
    return 0


def check_briefly(path: str, previous: str | None) -> Checked:
    """check_file in a batch, without the report: all that is printed, and light to send back."""
    return check_file(path, previous, batch=True).without_report()


def run(args: argparse.Namespace) -> int:
    files = expand_paths(args.files)
    if args.previous and len(files) > 1:
        print("用法错误：--previous 只能与一个文件一起使用", file=sys.stderr)
        return 2
    results = list(batch.in_order(partial(check_briefly, previous=args.previous), files, args.jobs, CHECKS_PER_TASK, partial(prepare_batch, files)))
    if args.format == "json":
        print(findings_json([(r.path, r.findings) for r in results]))
    else:
        print_findings(results)
    return exit_code(results, args.strict)

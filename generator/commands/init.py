"""`nianbao init`: write a complete, commented form, optionally carried forward from last year."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..codes import Level
from ..files import write_atomic
from ..findings import format_text
from ..formwriter import SCHEMA_FILE, write_form
from ..schema import schema_text
from ..services import blank_report, carry_forward, load_report, new_form_problem
from . import output_name


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("init", help="生成一份新的年度报告表单", description="生成一份完整、带注释的年度报告表单")
    parser.add_argument("--agency", metavar="机关名称", help="报告机关全称（使用 --from 时可省略）")
    parser.add_argument("--year", type=int, metavar="年度", help="报告年度（使用 --from 时默认为上年加一）")
    parser.add_argument("--from", dest="previous", metavar="上年文件", help="上年度的表单或已公开的报告（.yaml/.pdf/.docx/.html/.txt）：上年结转和现行有效件数从它接续")
    parser.add_argument("-o", "--output", type=output_name, metavar="文件", help="输出文件（默认：年度.yaml）")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    last = None
    if args.previous:
        last, findings, lines = load_report(args.previous)
        if last is None:
            print(format_text(findings[0], lines), file=sys.stderr)
            return 2
        unread = [f for f in findings if f.level == Level.ERROR]
        if unread:
            print(f"{args.previous} 中有 {len(unread)} 处未能读取（nianbao check {args.previous} 可列出），相应的数字没有接续，表单中留空。", file=sys.stderr)
    agency = args.agency or (last.agency if last else "")
    year = args.year or (last.year + 1 if last and last.year else 0)
    if not agency or not year:
        print("用法错误：请用 --agency 给出机关名称、--year 给出年度（或用 --from 指定上年表单）", file=sys.stderr)
        return 2
    if new_form_problem(agency, year):
        print(f"用法错误：{new_form_problem(agency, year)}", file=sys.stderr)
        return 2
    report = blank_report(agency, year)
    if last is not None:
        carry_forward(report, last)
    output = Path(args.output or f"{year}.yaml")
    if output.exists() and not args.force:
        print(f"{output} 已存在，未覆盖。要覆盖请加 --force，或用 -o 指定其他文件名。", file=sys.stderr)
        return 2
    write_atomic(output, write_form(report))
    schema = output.parent / SCHEMA_FILE
    if not schema.exists():
        write_atomic(schema, schema_text(report.format.id))
    print(f"已生成 {output}" + (f"（上年结转与现行有效件数接续自 {args.previous}）" if last else ""))
    if last is not None and last.acknowledgements:
        # Each acknowledgement vouches for last year's text and figures; this year's must be looked at anew.
        print(f"上年表单的 {len(last.acknowledgements)} 条“已核对”没有沿用：它们核对的是上年的内容，今年的警告需要重新核对。")
    return 0

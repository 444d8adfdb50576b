"""`nianbao schema`: print the JSON Schema of the form."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..files import write_atomic
from ..format import DEFAULT_FORMAT, available_formats
from ..schema import schema_text
from . import output_name


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("schema", help="输出表单的 JSON Schema", description="输出表单的 JSON Schema，供编辑器提示和补全")
    parser.add_argument("-o", "--output", type=output_name, metavar="文件", help="写入文件而不是打印")
    parser.add_argument("--format", dest="format_id", choices=available_formats(), default=DEFAULT_FORMAT, help=f"报告格式（默认 {DEFAULT_FORMAT}）")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.output:
        write_atomic(Path(args.output), schema_text(args.format_id))
        print(f"已写入 {args.output}")
    else:
        print(schema_text(args.format_id), end="")
    return 0

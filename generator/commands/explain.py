"""`nianbao explain`: what a finding code means and how to fix it (like `ruff rule`)."""

from __future__ import annotations

import argparse
import sys

from ..codes import described, explain, markdown_table, registry


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("explain", help="说明问题代码的含义和改正方法", description="说明问题代码的含义、示例和改正方法；不给代码时列出全部代码")
    parser.add_argument("code", nargs="?", metavar="代码", help="问题代码，如 E101")
    parser.add_argument("--markdown", action="store_true", help="以 Markdown 表格列出全部代码（README 中的问题代码表）")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.markdown:
        print(markdown_table())
    elif args.code is None:
        for entry in registry().values():
            print(f"{entry.code}  [{entry.level.label}]  {described(entry.code).title}")
    elif args.code.upper() in registry():
        print(explain(args.code.upper()))
    else:
        print(f"没有问题代码 {args.code}。用 nianbao explain 列出全部代码。", file=sys.stderr)
        return 2
    return 0

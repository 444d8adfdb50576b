"""`nianbao status`: every member of the region for a year, with its state, deadline and problems."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

from ..season import STATES, Season
from ..season.cli import default_year, member_line, region_of
from ..season.db import DatabaseError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("status", help="查看地区各机关的年度报告进度", description="列出地区内每个机关（包括尚未新建表单的）的状态、公布期限、剩余天数、未解决的问题和最后变更")
    parser.add_argument("folder", metavar="文件夹", help="存放表单的文件夹（审核数据库也在这里）")
    parser.add_argument("--region", metavar="地区.yaml", help="地区结构文件（默认：文件夹中的 地区.yaml；没有时只列出已有表单的机关）")
    parser.add_argument("--year", type=int, metavar="年度", help="报告年度（默认：去年）")
    parser.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"找不到文件夹 {folder}", file=sys.stderr)
        return 2
    try:
        region = region_of(folder, args.region)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    today = date.today()
    year = args.year or default_year(today)
    try:
        season = Season(folder, region)
        members = season.members(year, today)
        season.close()
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({"年度": year, "日期": today.isoformat(), "机关": [m.as_json() for m in members]}, ensure_ascii=False, indent=2))
        return 0
    counts = Counter(m.state for m in members)
    print(f"{year} 年度报告（{today}）：共 {len(members)} 个机关，" + "、".join(f"{s} {counts[s]}" for s in STATES if counts[s]))
    for member in sorted(members, key=lambda m: (m.deadline, m.agency)):
        print(member_line(member))
    return 0

"""`nianbao backup`: a consistent copy of the season's database while the server runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..season.db import DB_NAME, DatabaseError, SeasonDB


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "backup",
        help="备份审核数据库",
        description=f"在服务运行时备份文件夹中的审核数据库（{DB_NAME}：状态、退回意见、审计记录、账户）。恢复：停止服务后，把备份文件复制回文件夹并命名为 {DB_NAME}",
    )
    parser.add_argument("folder", metavar="文件夹", help="存放表单和审核数据库的文件夹")
    parser.add_argument("-o", "--output", required=True, metavar="备份.db", help="备份文件")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    folder, target = Path(args.folder), Path(args.output)
    if not (folder / DB_NAME).is_file():
        print(f"{folder} 中没有审核数据库 {DB_NAME}，无需备份", file=sys.stderr)
        return 2
    if target.exists():
        print(f"{target} 已经存在，请换一个文件名（备份不覆盖已有文件）", file=sys.stderr)
        return 2
    try:
        database = SeasonDB(folder)
        try:
            database.backup(target)
        finally:
            database.close()
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"已备份到 {target}")
    return 0

"""`nianbao publish`: the final files of an approved form, recorded with their SHA-256."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..season.cli import act, add_folder_option


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("publish", help="发布审核通过的表单", description="由审核通过的版本生成正式的 PDF、DOCX、HTML，记录其 SHA-256、时间和操作人")
    parser.add_argument("form", metavar="表单", help="表单文件（.yaml）")
    parser.add_argument("-o", "--output", default="发布", metavar="文件夹", help="输出文件夹（默认 发布）")
    add_folder_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    def publish(season, form, user) -> str:
        files = season.publish(form, user, Path(args.output))
        return f"已发布 {form}（{user.name}）：\n" + "\n".join(f"  {f.path}  SHA-256 {f.sha256}" for f in files)

    return act(args, publish)

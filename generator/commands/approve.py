"""`nianbao approve`: the office approves a submitted form."""

from __future__ import annotations

import argparse

from ..season.cli import act, add_folder_option


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("approve", help="审核通过表单（政务公开办）", description="审核通过已提交的表单；之后用 nianbao publish 生成正式文件")
    parser.add_argument("form", metavar="表单", help="表单文件（.yaml）")
    add_folder_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return act(args, lambda season, form, user: season.approve(form, user) or f"已审核通过 {form}（{user.name}）")

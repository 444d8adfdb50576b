"""`nianbao submit`: an agency hands its form to the office (only when nothing blocks it)."""

from __future__ import annotations

import argparse

from ..season.cli import act, add_folder_option


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("submit", help="提交表单给政务公开办审核", description="提交表单：没有错误、警告都已核对时才能提交；提交后等待政务公开办审核")
    parser.add_argument("form", metavar="表单", help="表单文件（.yaml）")
    add_folder_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return act(args, lambda season, form, user: season.submit(form, user) or f"已提交 {form}（{user.name}），等待审核")

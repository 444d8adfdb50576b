"""`nianbao return`: the office sends a submitted form back with its reasons."""

from __future__ import annotations

import argparse

from ..season.cli import act, add_folder_option


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("return", help="退回表单修改（政务公开办）", description="把已提交或已审核通过的表单退回机关修改，写明理由；可对某一部分、某一格或某个问题另写意见")
    parser.add_argument("form", metavar="表单", help="表单文件（.yaml）")
    parser.add_argument("--reason", required=True, metavar="理由", help="退回的理由（对全文的意见）")
    parser.add_argument("--comment", action="append", default=[], metavar="位置=意见", help="对某一处的意见，如 “总体情况/主动公开=补充具体数字” 或 “W301=核对后说明”；可重复")
    add_folder_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    comments = [tuple(part.strip() for part in c.split("=", 1)) if "=" in c else ("", c.strip()) for c in args.comment]
    return act(args, lambda season, form, user: season.return_(form, user, args.reason, comments) or f"已退回 {form}（{user.name}）：{args.reason}")

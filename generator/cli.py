"""The `nianbao` command line: one sub-command per module in generator/commands."""

from __future__ import annotations

import argparse
import os
import sys

from .commands import build, check, doctor, import_, init, schema

COMMANDS = [check, build, init, import_, schema, doctor]


class ChineseParser(argparse.ArgumentParser):
    """argparse that explains usage mistakes in Chinese and exits with code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: 用法错误：{translate_usage(message)}\n")
        raise SystemExit(2)


def translate_usage(message: str) -> str:
    replacements = [
        ("the following arguments are required", "缺少必需的参数"),
        ("unrecognized arguments", "无法识别的参数"),
        ("invalid choice", "无效的选项"),
        ("expected one argument", "这个选项需要一个值"),
        ("argument", "参数"),
    ]
    for english, chinese in replacements:
        message = message.replace(english, chinese)
    return message


def build_parser() -> argparse.ArgumentParser:
    parser = ChineseParser(prog="nianbao", description="政府信息公开工作年度报告：填写表单、校验、生成 PDF/DOCX/HTML")
    commands = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseParser)
    for module in COMMANDS:
        module.add_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # an output folder that cannot be written, a full disk…
        sys.stderr.write(f"无法读写 {exc.filename or ''}：{exc.strerror or exc}\n")
        return 2

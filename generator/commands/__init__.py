"""One module per command: each has add_parser(subparsers) and run(args) -> exit code."""

from __future__ import annotations

import argparse


def output_name(text: str) -> str:
    """The value of -o: a file or folder name. "-", which other tools take for standard output,
    is refused rather than made a file called "-"."""
    if text == "-":
        raise argparse.ArgumentTypeError("不能是“-”：请给出文件或文件夹名（import、schema 省略 -o 时打印到屏幕）")
    return text

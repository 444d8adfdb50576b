"""`nianbao review`: every report of a region at once, with the office's outputs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import batch
from ..codes import Level
from ..files import write_all
from ..findings import summary
from ..importer import PUBLISHED_SUFFIXES
from ..limits import safe_name
from ..review import load_region, review
from ..review.outputs import letter_bytes, letter_contents, overview_html, review_json, workbook_bytes
from ..services import Checked, check_alone
from . import output_name

FILES_PER_TASK = 8  # a text or a letter takes milliseconds: a worker gets up to this many at a time (a PDF's groups stay small)

FORM_SUFFIXES = {".yaml", ".yml"}


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "review",
        help="审阅一个地区的全部年度报告",
        description="读取多个机关、多个年度的已公开报告和表单：逐份校验、跨年衔接、重复发布、内容雷同、汇总核对，生成 Excel、问题清单、网页和 JSON",
    )
    parser.add_argument("paths", nargs="+", metavar="文件或文件夹", help="已公开的报告（.pdf/.docx/.html/.txt）、表单（.yaml），或包含它们的文件夹")
    parser.add_argument("-o", "--output", type=output_name, default="审阅结果", metavar="文件夹", help="输出文件夹（默认 审阅结果）")
    parser.add_argument("--region", metavar="地区结构.yaml", help="汇总关系：“汇总机关: [成员机关, …]”，核对汇总报告与成员之和")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def review_paths(paths: list[str]) -> list[str]:
    """Files named, and the readable files inside folders named, in a stable order."""
    readable = PUBLISHED_SUFFIXES | FORM_SUFFIXES
    found = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            found += [str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in readable and not p.name.startswith(".")]
        else:
            found.append(text)
    return found


def run(args: argparse.Namespace) -> int:
    paths = review_paths(args.paths)
    if not paths:
        print("没有找到可审阅的文件（.pdf/.docx/.html/.txt/.yaml）", file=sys.stderr)
        return 2
    region = None
    if args.region:
        try:
            region = load_region(Path(args.region))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            print(f"{args.region}：无法读取地区结构文件（{getattr(exc, 'strerror', None) or exc}）", file=sys.stderr)
            return 2
    entries = [e or Checked(p, None, unusable=True) for p, e in zip(paths, batch.in_order(check_alone, paths, args.jobs, FILES_PER_TASK), strict=True)]  # None: its worker crashed
    result = review(entries, region)
    for entry in result.entries:
        print(f"  {entry.path}：{entry.agency or '（未识别机关）'} {entry.year or ''} {entry.status}，{summary(entry.findings).removesuffix('。')}")
    folder = Path(args.output)
    outputs = {"审阅一览.json": review_json(result).encode("utf-8")}
    if result.readable:
        outputs["审阅一览.xlsx"] = workbook_bytes(result)
        outputs["审阅一览.html"] = overview_html(result).encode("utf-8")
        for title, data in batch.in_order(letter_bytes, letter_contents(result), args.jobs, FILES_PER_TASK):
            outputs[f"问题清单/{safe_name(title)}.docx"] = data
    write_all({folder / name: data for name, data in outputs.items()})
    print(
        f"共审阅 {len(result.entries)} 份，已生成 {folder}/："
        + "、".join(sorted(n for n in outputs if "/" not in n))
        + (f"，问题清单 {sum('/' in n for n in outputs)} 份" if len(outputs) > 3 else "")
    )
    unusable = any(e.report is None for e in result.entries)
    return 2 if unusable and not result.readable else 1 if unusable or any(e.count(Level.ERROR) for e in result.entries) else 0


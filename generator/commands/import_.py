"""`nianbao import`: read a published report (text, PDF, DOCX, HTML) into the form."""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from functools import partial
from pathlib import Path

from .. import batch
from ..files import write_atomic
from ..findings import Finding, InputError, format_text, json_text, printable
from ..formwriter import SCHEMA_FILE
from ..importer.parse import BY_ARITHMETIC, Extraction, Problem
from ..limits import year_problem
from ..narrative import format_number
from ..schema import schema_text
from ..services import Imported, import_published
from . import output_name


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("import", help="把已公开的年度报告导入为表单", description="读取已公开的年度报告（.txt/.pdf/.docx/.html），写成表单")
    parser.add_argument("files", nargs="+", metavar="文件", help="已公开的年度报告（多个文件时须用 -o 指定文件夹）")
    parser.add_argument("-o", "--output", type=output_name, metavar="表单", help="写入的表单文件（省略时打印）；导入多个文件时为文件夹，每份写成“原文件名.yaml”")
    parser.add_argument("--format", choices=["yaml", "json"], default="yaml", help="json：输出每个单元格及其原文")
    parser.add_argument("--agency", metavar="机关名称", help="机关名称（原文标题不完整时）")
    parser.add_argument("--year", type=int, metavar="年度", help="报告年度（原文标题不完整时）")
    parser.add_argument("--force", action="store_true", help="覆盖已存在的表单文件")
    batch.add_jobs_option(parser)
    parser.set_defaults(run=run)


def extraction_json(result: Extraction) -> str:
    report = result.report
    cells = [
        {
            "table": table,
            "row": row,
            "column": column,
            "value": format_number(cell.value) if cell.value is not None else None,
            "source": result.sources.get((table, row, column)),
            "read": result.how.get((table, row, column), BY_ARITHMETIC if cell.value is not None else None),
        }
        for (table, row, column), cell in report.cells.items()
        if cell.typed or cell.value is not None
    ]
    narrative = {key: text.value for key, text in report.texts.items()}
    narrative.update({f"{section}.{part}": text.value for section, parts in report.parts.items() for part, text in parts.items()})
    data = {
        "format": result.format_name,
        "agency": report.agency,
        "year": report.year,
        "title": report.title,
        "cells": cells,
        "narrative": narrative,
        "problems": [p.to_json() for p in result.problems],
        "notices": [{"place": p.place, "message": p.message} for p in result.notices],
        "findings": [f.to_json() for f in result.findings],
    }
    return json_text(data)


def run(args: argparse.Namespace) -> int:
    if args.year is not None and year_problem(args.year):
        print(f"用法错误：{year_problem(args.year)}", file=sys.stderr)
        return 2
    names = args.files
    suffix = ".json" if args.format == "json" else ".yaml"
    if len(names) == 1:
        output = Path(args.output) if args.output else None
        return said(names[0], output, args, attempt(names[0], args))
    stems = [Path(name).stem for name in names]
    if not args.output or len(set(stems)) < len(stems):
        print("用法错误：导入多个文件时须用 -o 指定输出文件夹，且各文件名（不含扩展名）互不相同", file=sys.stderr)
        return 2
    results = batch.in_order(partial(attempt, args=args), names, args.jobs)
    return max(said(name, Path(args.output) / (stem + suffix), args, result) for name, stem, result in zip(names, stems, results, strict=True))


def attempt(name: str, args: argparse.Namespace) -> Imported | Finding:
    """The service's result, or why the file could not be read (in a worker of a batch)."""
    try:
        return import_published(name, args.agency, args.year)
    except InputError as exc:
        return exc.finding


NUMBER = re.compile(r"\d+")
NOTICE_EXAMPLES = 3  # the rows named in a folded notice


def folded_notices(notices: list[Problem]) -> list[str]:
    """The importer's notices, one line per kind (the same words but for their numbers): a kind
    said once as read, several as one line with their numbers added up and the rows they are in:
    「提示：125 个空白单元格按 0 导入（与总计相符）（共 25 行：…、…、… 等）」."""
    kinds: dict[str, list[tuple[str, str, Problem]]] = defaultdict(list)
    for notice in notices:
        row, colon, words = notice.message.partition("：")
        row, words = (row, words) if colon else ("", notice.message)
        kinds[NUMBER.sub("#", words)].append((row, words, notice))
    lines = []
    for same in kinds.values():
        counted = added_up([words for _row, words, _notice in same])
        if len(same) == 1 or counted is None:  # one, or figures that are not counts to add: each as read
            lines += [f"{notice.place}：提示：{notice.message}" for _row, _words, notice in same]
            continue
        rows = [row or notice.place for row, _words, notice in same]
        shown = "、".join(rows[:NOTICE_EXAMPLES]) + (" 等" if len(rows) > NOTICE_EXAMPLES else "")
        lines.append(f"提示：{counted}（共 {len(same)} 行：{shown}）")
    return lines


def added_up(texts: list[str]) -> str | None:
    """Texts that differ only in one count as one, that count summed (「5 个空白单元格」); None when
    more than one number differs (the figures a row was read as are not counts to add)."""
    columns = list(zip(*(map(int, NUMBER.findall(text)) for text in texts), strict=True))
    if sum(len(set(column)) > 1 for column in columns) > 1:
        return None
    totals = iter([str(sum(column)) if len(set(column)) > 1 else str(column[0]) for column in columns])
    return NUMBER.sub(lambda _match: next(totals), texts[0])


def said(name: str, output: Path | None, args: argparse.Namespace, result: Imported | Finding | None) -> int:
    """Say what the import found and write the form (or its JSON) to `output`, printed when None; the exit status."""
    if result is None:  # its worker failed (said already)
        return 2
    if isinstance(result, Finding):
        print(format_text(result, []), file=sys.stderr)
        return 2
    extraction = result.extraction
    for problem in extraction.problems:
        print(format_text(problem, []), file=sys.stderr)
    for line in folded_notices(extraction.notices):
        print(printable(f"{name}：{line}"), file=sys.stderr)
    for finding in extraction.findings + ([] if args.format == "json" else result.beyond):
        print(format_text(finding, []), file=sys.stderr)
    text = extraction_json(extraction) if args.format == "json" else result.form
    if output is None:
        print(text, end="" if args.format != "json" else "\n")
    else:
        if output.exists() and not args.force:
            print(f"{output} 已存在，未覆盖。要覆盖请加 --force。", file=sys.stderr)
            return 2
        write_atomic(output, text)
        if args.format != "json" and not (output.parent / SCHEMA_FILE).exists():
            write_atomic(output.parent / SCHEMA_FILE, schema_text(extraction.report.format.id))
        print(f"已导入 {output}" + (f"，有 {len(extraction.problems)} 处需要人工处理（见上）" if extraction.problems else ""))
    if args.format == "json":
        return 1 if extraction.problems else 0
    return 1 if extraction.problems or result.beyond else 0

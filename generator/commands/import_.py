"""`nianbao import`: read a published report (text, PDF, DOCX, HTML) into the form."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from .. import batch
from ..files import write_atomic
from ..findings import Finding, InputError, format_text, json_text, printable
from ..form import MAX_BYTES, parse_form
from ..formwriter import SCHEMA_FILE, write_form
from ..importer import import_report
from ..importer.parse import BY_ARITHMETIC, Extraction
from ..limits import megabytes, year_problem
from ..narrative import format_number
from ..schema import schema_text

LIMIT_CODES = ("E014", "E063", "E064")


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("import", help="把已公开的年度报告导入为表单", description="读取已公开的年度报告（.txt/.pdf/.docx/.html），写成表单")
    parser.add_argument("files", nargs="+", metavar="文件", help="已公开的年度报告（多个文件时须用 -o 指定文件夹）")
    parser.add_argument("-o", "--output", metavar="表单", help="写入的表单文件（省略时打印）；导入多个文件时为文件夹，每份写成“原文件名.yaml”")
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
    if len(names) == 1:
        return import_file(names[0], None if args.format == "json" else args.output, args)
    stems = [Path(name).stem for name in names]
    if not args.output or len(set(stems)) < len(stems):
        print("用法错误：导入多个文件时须用 -o 指定输出文件夹，且各文件名（不含扩展名）互不相同", file=sys.stderr)
        return 2
    suffix = ".json" if args.format == "json" else ".yaml"
    outputs = [str(Path(args.output) / (stem + suffix)) for stem in stems]
    statuses = batch.in_order(partial(import_pair, args=args), list(zip(names, outputs, strict=True)), args.jobs)
    return max(2 if status is None else status for status in statuses)


def import_pair(pair: tuple[str, str], args: argparse.Namespace) -> int:
    return import_file(*pair, args=args)


def import_file(name: str, output_name: str | None, args: argparse.Namespace) -> int:
    """Import one published report into the form `output_name` (printed when None); the exit status."""
    try:
        result = import_report(Path(name), name, args.year)
    except InputError as exc:
        print(format_text(exc.finding, []), file=sys.stderr)
        return 2
    report = result.report
    report.agency = args.agency or report.agency
    report.year = args.year or report.year
    if report.title == report.format.make_title(report.agency, report.year):
        report.title = ""
    for problem in result.problems:
        print(format_text(problem, []), file=sys.stderr)
    for notice in result.notices:
        print(printable(f"{name}：{notice.place}：提示：{notice.message}"), file=sys.stderr)
    for finding in result.findings:
        print(format_text(finding, []), file=sys.stderr)
    if args.format == "json":
        if output_name:
            write_atomic(Path(output_name), extraction_json(result))
            print(f"已导入 {output_name}")
        else:
            print(extraction_json(result))
        return 1 if result.problems else 0
    form = write_form(report, notes=result.notes)
    beyond = limits_of_the_form(form, output_name or "表单")
    for finding in beyond:
        print(format_text(finding, []), file=sys.stderr)
    if output_name:
        output = Path(output_name)
        if output.exists() and not args.force:
            print(f"{output} 已存在，未覆盖。要覆盖请加 --force。", file=sys.stderr)
            return 2
        write_atomic(output, form)
        if not (output.parent / SCHEMA_FILE).exists():
            write_atomic(output.parent / SCHEMA_FILE, schema_text(report.format.id))
        print(f"已导入 {output}" + (f"，有 {len(result.problems)} 处需要人工处理（见上）" if result.problems else ""))
    else:
        print(form, end="")
    return 1 if result.problems or beyond else 0


def limits_of_the_form(form: str, name: str) -> list[Finding]:
    """The form's limits the imported report goes past (a paragraph, the text, a number, the size):
    said now, as `check` will say them when it reads the form."""
    if len(form.encode("utf-8")) > MAX_BYTES:
        return [Finding.of("E002", None, variant="imported", limit=megabytes(MAX_BYTES))]
    try:
        _report, findings = parse_form(form, name)
    except InputError as exc:
        return [exc.finding]
    return [f for f in findings if f.code in LIMIT_CODES]

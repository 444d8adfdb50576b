"""How the command line says what the services found."""

from __future__ import annotations

import sys
from typing import TextIO

from ..findings import SAME_CODE_SHOWN, folded, format_text, summary
from ..services import Checked


def print_findings(results: list[Checked], stream: TextIO | None = None) -> None:
    """Every finding with its source line, each file's summary when there are several, and the total."""
    stream = stream or sys.stdout
    for result in results:
        shown, left_out = folded(result.findings)
        for finding in shown:
            print(format_text(finding, result.source_lines), file=stream)
            print(file=stream)
        for code, count in left_out.items():
            print(f"{result.path}：另有 {count} 条 {code} 未列出（同一代码只列出前 {SAME_CODE_SHOWN} 条）\n", file=stream)
    everything = [f for r in results for f in r.findings]
    if len(results) > 1:
        for result in results:
            print(f"  {result.path}：{result.unusable_reason if result.unusable else summary(result.findings).removesuffix('。')}", file=stream)
    files = f"共检查 {len(results)} 个文件，" if len(results) > 1 else ""
    print(files + summary(everything), file=stream)

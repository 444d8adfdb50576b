"""Findings: what the loader and the checks say about a report, and how they are printed."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .report import CellId, Loc

ERROR, WARNING, NOTE = "错误", "警告", "提示"


@dataclass(frozen=True)
class Finding:
    level: str
    code: str
    message: str
    loc: Loc | None = None
    hint: str = ""
    cell: CellId | None = None
    cells: tuple[CellId, ...] = ()
    acknowledged: str = ""  # the reason, when the form acknowledges this warning (已核对)

    def to_json(self) -> dict:
        data: dict = {"level": self.level, "code": self.code, "message": self.message}
        if self.loc and self.loc.place:
            data.update(file=self.loc.file, place=self.loc.place)
        elif self.loc:
            data.update(file=self.loc.file, line=self.loc.line, column=self.loc.column)
        if self.hint:
            data["hint"] = self.hint
        if self.cell:
            data["cell"] = list(self.cell)
        if self.acknowledged:
            data["acknowledged"] = {"reason": self.acknowledged}
        return data


class InputError(Exception):
    """The file cannot be read as a form at all (exit code 2)."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def excerpt(finding: Finding, source_lines: list[str]) -> list[str]:
    """The source line with a caret under the finding, ruff style."""
    loc = finding.loc
    if loc is None or not 1 <= loc.line <= len(source_lines):
        return []
    line = source_lines[loc.line - 1].replace("\t", " ")
    gutter = str(loc.line)
    pad = display_width(line[: loc.column - 1])
    carets = "^" * max(1, display_width(line[loc.column - 1 : loc.column - 1 + loc.width]))
    return [f"{gutter} | {line}", f"{' ' * len(gutter)} | {' ' * pad}{carets}"]


def format_text(finding: Finding, source_lines: list[str]) -> str:
    place = f"{finding.loc}: " if finding.loc else ""
    level = f"{finding.level}·已核对" if finding.acknowledged else finding.level
    lines = [f"{place}{finding.code} [{level}] {finding.message}"]
    lines += ["  " + x for x in excerpt(finding, source_lines)]
    if finding.acknowledged:
        lines.append(f"  = 已核对：{finding.acknowledged}")
    elif finding.hint:
        lines.append(f"  = 建议：{finding.hint}")
    return "\n".join(lines)


def summary(findings: list[Finding]) -> str:
    counts = Counter(f.level for f in findings)
    if not counts:
        return "未发现问题。"
    acknowledged = sum(f.level == WARNING and bool(f.acknowledged) for f in findings)

    def count(level: str) -> str:
        return f"{counts[level]} 个{level}" + (f"（其中 {acknowledged} 个已核对）" if level == WARNING and acknowledged else "")

    parts = [count(level) for level in (ERROR, WARNING, NOTE) if counts[level]]
    return "发现 " + "、".join(parts) + "。"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """In reading order: by file, line and column, or by page and line for a published report."""

    def key(finding: Finding) -> tuple:
        loc = finding.loc
        if loc is None:
            return ("", 0, 0, (), finding.code)
        return (loc.file, tuple(int(n) for n in re.findall(r"\d+", loc.place)), loc.line, loc.column, finding.code)

    return sorted(findings, key=key)


def findings_json(results: list[tuple[str, list[Finding]]]) -> str:
    return json.dumps(
        [{"file": path, "findings": [f.to_json() for f in findings]} for path, findings in results],
        ensure_ascii=False,
        indent=2,
    )

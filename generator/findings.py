"""Findings: what the loader and the checks say about a report, and how they are printed."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .codes import Level, level_of, render
from .location import CellId, Loc

SHOWN_ESCAPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
MESSAGE_CHARS = 400  # a message quoting a long source line is cut to this many characters


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) shown as \\u001b,
    and no longer than MESSAGE_CHARS."""
    text = text if len(text) <= MESSAGE_CHARS else text[:MESSAGE_CHARS] + f"…（共 {len(text):,} 字）"
    return SHOWN_ESCAPED.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


@dataclass(frozen=True)
class Finding:
    """What was found, where; its level is the registered level of its code (generator/codes.yaml)."""

    code: str
    message: str
    loc: Loc | None = None
    hint: str = ""
    cell: CellId | None = None
    cells: tuple[CellId, ...] = ()
    acknowledged: str = ""  # the reason, when the form acknowledges this warning (已核对)

    @classmethod
    def of(cls, code: str, loc: Loc | None = None, /, *, variant: str = "", cell: CellId | None = None, cells: tuple[CellId, ...] = (), **values: object) -> Finding:
        """The finding of `code` at `loc`, its message and hint the code's registered templates
        (of `variant`, for a code with several) filled with `values`."""
        message, hint = render(code, variant, values)
        return cls(code, message, loc, hint, cell, cells)

    @property
    def level(self) -> Level:
        return level_of(self.code)

    def to_json(self) -> dict:
        data: dict = {"level": self.level.value, "code": self.code, "message": self.message}
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


EXCERPT_CHARS = 100  # a longer source line is cut to this many characters around the column
SAME_CODE_SHOWN = 20  # findings of one code printed per file; the rest are counted


def excerpt(finding: Finding, source_lines: list[str]) -> list[str]:
    """The source line with a caret under the finding, ruff style; a long line cut around the column."""
    loc = finding.loc
    if loc is None or not 1 <= loc.line <= len(source_lines):
        return []
    line = source_lines[loc.line - 1].replace("\t", " ")
    start = 0
    if len(line) > EXCERPT_CHARS:
        start = min(max(loc.column - 1 - EXCERPT_CHARS // 2, 0), len(line) - EXCERPT_CHARS)
        line = ("…" if start else "") + line[start : start + EXCERPT_CHARS] + ("…" if start + EXCERPT_CHARS < len(line) else "")
        start -= 1 if start else 0
    column = loc.column - start
    gutter = str(loc.line)
    pad = display_width(printable(line[: column - 1]))
    carets = "^" * max(1, min(display_width(printable(line[column - 1 : column - 1 + loc.width])), EXCERPT_CHARS * 2))
    return [f"{gutter} | {printable(line)}", f"{' ' * len(gutter)} | {' ' * pad}{carets}"]


def format_text(finding: Finding, source_lines: list[str]) -> str:
    place = f"{finding.loc}: " if finding.loc else ""
    level = f"{finding.level.label}·已核对" if finding.acknowledged else finding.level.label
    lines = [printable(f"{place}{finding.code} [{level}] {finding.message}")]
    lines += ["  " + x for x in excerpt(finding, source_lines)]
    if finding.acknowledged:
        lines.append(printable(f"  = 已核对：{finding.acknowledged}"))
    elif finding.hint:
        lines.append(printable(f"  = 建议：{finding.hint}"))
    return "\n".join(lines)


def folded(findings: list[Finding]) -> tuple[list[Finding], Counter]:
    """The findings to print (at most SAME_CODE_SHOWN of each code) and how many of each code were left out."""
    seen: Counter = Counter()
    shown = []
    for finding in findings:
        seen[finding.code] += 1
        if seen[finding.code] <= SAME_CODE_SHOWN:
            shown.append(finding)
    return shown, Counter({code: n - SAME_CODE_SHOWN for code, n in seen.items() if n > SAME_CODE_SHOWN})


def summary(findings: list[Finding]) -> str:
    counts = Counter(f.level for f in findings)
    if not counts:
        return "未发现问题。"
    acknowledged = sum(f.level == Level.WARNING and bool(f.acknowledged) for f in findings)

    def count(level: Level) -> str:
        return f"{counts[level]} 个{level.label}" + (f"（其中 {acknowledged} 个已核对）" if level == Level.WARNING and acknowledged else "")

    parts = [count(level) for level in Level if counts[level]]
    return "发现 " + "、".join(parts) + "。"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """In reading order: by file, line and column, or by page and line for a published report."""

    def key(finding: Finding) -> tuple:
        loc = finding.loc
        if loc is None:
            return ("", 0, 0, (), finding.code)
        return (loc.file, tuple(int(n) for n in re.findall(r"\d+", loc.place)), loc.line, loc.column, finding.code)

    return sorted(findings, key=key)


UNPRINTABLE = re.compile("[\x7f-\x9f]")  # DEL and C1 controls: json leaves them raw, a terminal may obey them


def json_text(data: object) -> str:
    """JSON for people and machines alike: Chinese as it is, control characters escaped."""
    return UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(data, ensure_ascii=False, indent=2))


def findings_json(results: list[tuple[str, list[Finding]]]) -> str:
    return json_text([{"file": path, "findings": [f.to_json() for f in findings]} for path, findings in results])

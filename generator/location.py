"""Where a value sits: a place in a source file, and a table cell's id.

A leaf module (it imports nothing from the package), so that findings, the format reader and
the data checker can all name places without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass

CellId = tuple[str, str, str]  # (table, row, column)


@dataclass(frozen=True)
class Loc:
    """A place in a source file; line and column count from 1. A report read from a published
    file (PDF, DOCX, web page) is located by `place` instead, e.g. 第 4 页第 12 行."""

    file: str
    line: int
    column: int
    width: int = 1
    place: str = ""

    def __str__(self) -> str:
        return f"{self.file}（{self.place}）" if self.place else f"{self.file}:{self.line}:{self.column}"

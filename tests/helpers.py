"""Helpers for tests that edit a real form and check the result."""

from __future__ import annotations

import re
from pathlib import Path

from generator.checks import check_report
from generator.document import Document, build_document
from generator.findings import Finding
from generator.form import parse_form
from generator.services import check_file

from .conftest import RICH_EXAMPLE

BASE = RICH_EXAMPLE.read_text("utf-8")


def document_of(path: Path) -> Document:
    """A form, checked and made into the document the renderers take."""
    return build_document(check_file(str(path)).report)


def edit(text: str, old: str, new: str) -> str:
    """Replace exactly one occurrence (so a test cannot silently edit nothing)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def edit_row(text: str, key: str, values: str) -> str:
    """Give row `key` of the form new values, e.g. edit_row(t, "本年新收", "[1, 2, 3, 4, 5, 6]")."""
    pattern = re.compile(rf"^(  {re.escape(key)}:\s*)(.+)$", re.M)
    assert len(pattern.findall(text)) == 1
    return pattern.sub(lambda m: m.group(1) + values, text)


def line_of(text: str, needle: str) -> int:
    lines = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} on lines {lines}"
    return lines[0]


def check_text(text: str, previous: str | None = None, name: str = "2024.yaml") -> list[Finding]:
    report, findings = parse_form(text, name)
    last = parse_form(previous, "2023.yaml")[0] if previous is not None else None
    return findings + check_report(report, last)


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def write(tmp_path: Path, text: str | bytes, name: str = "2024.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    return path

"""Read published annual reports (text, PDF, DOCX, HTML) back into the form."""

from __future__ import annotations

from pathlib import Path

from ..format import format_for_year, load_format
from .embedded import with_embedded
from .parse import Extraction, extract
from .sources import READERS, read_source

PUBLISHED_SUFFIXES = frozenset(READERS)


def import_report(path: Path, name: str, year: int | None = None) -> Extraction:
    """A published report read into a Report, in the format in force for its year; a report
    nianbao wrote is checked against (and takes its figures from) the data it embeds."""
    source = read_source(path)
    result = extract(source.lines, load_format(), name, source.table_lines)
    in_force = format_for_year(year or result.report.year)
    if in_force.id != result.report.format.id:
        result = extract(source.lines, in_force, name, source.table_lines)
    return with_embedded(path, name, result)

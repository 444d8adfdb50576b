"""Read published annual reports (text, PDF, DOCX, HTML) back into the form."""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # (no `typing` import on the way to a cold `check`)
if TYPE_CHECKING:
    from ..report import Report
    from .parse import Extraction

PUBLISHED_SUFFIXES = frozenset({".txt", ".text", ".pdf", ".docx", ".html", ".htm"})  # sources.READERS' keys (tested)


def import_report(path: Path, name: str, year: int | None = None, previous: Report | None = None) -> Extraction:
    """A published report read into a Report, in the format in force for its year; a report
    nianbao wrote is checked against (and takes its figures from) the data it embeds.
    `previous`, last year's report of the same agency, settles digits that ran together.
    (Imported here, when used: `check` of a form does not pay for the importer.)"""
    from ..format import format_for_year, load_format
    from .embedded import with_embedded
    from .parse import extract
    from .sources import read_source

    source = read_source(path)
    result = extract(source.lines, load_format(), name, source.table_lines, previous)
    in_force = format_for_year(year or result.report.year)
    if in_force.id != result.report.format.id:
        result = extract(source.lines, in_force, name, source.table_lines, previous)
    return with_embedded(path, name, result)

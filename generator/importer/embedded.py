"""The data nianbao embeds in the reports it writes, read back and held against the visible text.

A PDF carries the form as a file attachment, a DOCX as a custom XML part, and the HTML tags
each table cell with the cell it is and its value (data-cell, data-value), as inline XBRL tags
facts. Where the embedded figure and the printed one disagree, the figure was edited after
generation: that is a finding with both values, and the embedded figure is the one read.
Everything here is bounded: a real form is about 10 KB, a real report has 200 cells.
"""

from __future__ import annotations

import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from ..codes import Level
from ..document import EMBEDDED_NAME, EMBEDDED_NAMESPACE
from ..findings import Finding, InputError
from ..form import parse_form
from ..format import Format
from ..location import CellId, Loc
from ..narrative import format_number, resolve
from ..report import Cell, Number, Report, Text
from .parse import Extraction, Problem
from .sources import PDF_MEMORY, decode
from .tools import OverSize, OverTime, run_tool

BY_EMBEDDED = "取自文件内嵌的数据（已与印出的数字核对）"  # how a cell was read, as parse.BY_LABEL…
MAX_FORM_BYTES = 1_000_000
FORM_SECONDS = 2  # pdfdetach writing the form (at most MAX_FORM_BYTES) takes milliseconds
MAX_CELLS = 2_000
MAX_VALUE_CHARS = 24


@dataclass
class Embedded:
    """What a file carries besides its text: the cells, and for a form also who and which year."""

    cells: dict[CellId, Number | None]
    agency: str = ""
    year: int = 0
    texts: dict[str, str] = field(default_factory=dict)  # narrative as printed (citations resolved), by section or part
    acknowledgements: list = field(default_factory=list)  # the form's 已核对, carried into the imported form


def pdf_form(path: Path) -> bytes | None:
    """The attached form of a PDF (pdfdetach, from poppler-utils like pdftotext), bounded in
    size, time and memory as pdftotext is (tools.run_tool)."""
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / EMBEDDED_NAME
        command = ["pdfdetach", "-savefile", EMBEDDED_NAME, "-o", str(target), str(path)]
        try:
            code = run_tool(command, target, until=time.monotonic() + FORM_SECONDS, max_bytes=MAX_FORM_BYTES, memory=PDF_MEMORY)
        except (OSError, OverTime, OverSize):
            return None
        return None if code or not target.is_file() else target.read_bytes()


def docx_form(path: Path) -> bytes | None:
    """The form in a DOCX's custom XML part with our namespace."""
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if not re.fullmatch(r"customXml/item\d+\.xml", member.filename) or member.file_size > MAX_FORM_BYTES:
                    continue
                with archive.open(member) as part:
                    data = part.read(MAX_FORM_BYTES + 1)
                if len(data) > MAX_FORM_BYTES or b"<!DOCTYPE" in data or EMBEDDED_NAMESPACE.encode() not in data:
                    continue
                root = ElementTree.fromstring(data)
                if root.tag == f"{{{EMBEDDED_NAMESPACE}}}form":
                    return (root.text or "").encode()
    except (OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    return None


def form_cells(data: bytes, name: str) -> Embedded | None:
    """What an embedded form says: its cells (totals computed as when it was built), who, which year, its narrative."""
    try:
        report, findings = parse_form(data.decode("utf-8"), f"{name}（内嵌表单）")
    except (InputError, UnicodeDecodeError):
        return None
    if any(f.level == Level.ERROR for f in findings):
        return None
    report.compute_totals()
    cells = {cell_id: cell.value for cell_id, cell in report.cells.items()}
    texts = {key: resolve(report, text.value) for key, text in narrative(report).items()}
    return Embedded(cells, report.agency, report.year, texts, report.acknowledgements)


def narrative(report: Report) -> dict[str, Text]:
    """Every narrative field, a part of a section by its own key."""
    return report.texts | {part: text for parts in report.parts.values() for part, text in parts.items()}


def first_difference(printed: str, embedded: str, context: int = 12) -> tuple[str, str]:
    """The stretch where two texts part, with a little before it, from each."""
    start = next((i for i, (a, b) in enumerate(zip(printed, embedded, strict=False)) if a != b), min(len(printed), len(embedded)))
    begin = max(start - context // 2, 0)
    return printed[begin : start + context], embedded[begin : start + context]


class TaggedCells(HTMLParser):
    """Every <td data-cell="表/行/列" data-value="…"> of a page."""

    def __init__(self):
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "td" and values.get("data-cell") and len(self.tags) < MAX_CELLS:
            self.tags[values["data-cell"][:200]] = (values.get("data-value") or "")[:MAX_VALUE_CHARS]


def number(text: str) -> Number | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return int(value) if value == value.to_integral_value() and "." not in text else value


def html_cells(path: Path, fmt: Format) -> Embedded | None:
    parser = TaggedCells()
    parser.feed(decode(path))
    cells: dict[CellId, Number | None] = {}
    known = {(t.key, r.key, c.key) for t in fmt.tables.values() for r in t.rows for c in t.columns}
    for tag, value in parser.tags.items():
        cell_id = tuple(tag.split("/"))
        if cell_id in known:
            cells[cell_id] = number(value) if value else None
    return Embedded(cells) if cells else None


def read_embedded(path: Path, name: str, fmt: Format) -> Embedded | None:
    """The embedded data of a report nianbao wrote, or None for any other file."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return html_cells(path, fmt)
    data = pdf_form(path) if suffix == ".pdf" else docx_form(path) if suffix == ".docx" else None
    return form_cells(data, name) if data else None


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def shown(value: Number | None) -> str:
    return "空白" if value is None else format_number(value)


def identity_findings(embedded: Embedded, report: Report, name: str) -> list[Finding]:
    if not embedded.agency or (embedded.agency, embedded.year) == (report.agency, report.year):
        return []
    return [Finding.of("W091", Loc(name, 0, 0, place="标题"), agency=report.agency, year=report.year, embedded_agency=embedded.agency, embedded_year=embedded.year)]


def take_cells(embedded: Embedded, report: Report, name: str) -> list[Finding]:
    """Every embedded cell into the report; a printed figure that differs is a W090."""
    findings = []
    for (table_key, row, column), value in embedded.cells.items():
        table = report.format.tables.get(table_key)
        labels = {c.key: c.label for c in table.columns} if table else {}
        if column not in labels or row not in {r.key for r in table.rows}:
            continue
        printed = report.cells.get((table_key, row, column))
        if printed is not None and printed.value is not None and printed.value != value:
            loc = printed.loc or Loc(name, 0, 0, place="表格")
            findings.append(Finding.of("W090", loc, cell=(table_key, row, column), row=table.row_title(row), column=labels[column], printed=shown(printed.value), embedded=shown(value)))
        report.cells[(table_key, row, column)] = Cell(value, printed.loc if printed else None, printed.typed if printed else True)
    return findings


def text_findings(embedded: Embedded, report: Report) -> list[Finding]:
    """Narrative whose printed text differs from the embedded form's (citations resolved): W092."""
    findings = []
    printed_texts = narrative(report)
    for key, text in embedded.texts.items():
        printed = printed_texts.get(key)
        if printed is None or squeeze(printed.value) == squeeze(text):
            continue
        shown_printed, shown_embedded = first_difference(squeeze(printed.value), squeeze(text))
        findings.append(Finding.of("W092", printed.loc, section=key, printed=shown_printed, embedded=shown_embedded))
    return findings


def with_embedded(path: Path, name: str, visible: Extraction) -> Extraction:
    """The visible reading, its figures checked against (and taken from) the embedded data."""
    embedded = read_embedded(path, name, visible.report.format)
    if embedded is None:
        return visible
    report = visible.report
    report.acknowledgements = embedded.acknowledgements
    visible.findings += identity_findings(embedded, report, name) + take_cells(embedded, report, name) + text_findings(embedded, report)
    visible.how.update({cell_id: BY_EMBEDDED for cell_id in embedded.cells if cell_id in report.cells})
    visible.notices.append(Problem("内嵌数据", "表格数字取自文件内嵌的数据（由 nianbao 生成），已与页面上的文字逐一核对"))
    return visible

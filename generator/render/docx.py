"""The document tree → an editable DOCX for the approval round in Word/WPS.

Named styles carry the layout (标题, 一级标题, 二级标题, 正文, 表格), so an agency restyles the
report in Word rather than in code. Official face names are set for East Asian text.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from ..document import EMBEDDED_NAME, EMBEDDED_NAMESPACE, GROUP_KEPT_WHOLE, PHONE, Document, Heading, Paragraph, Signature, TableBlock, grid_positions
from ..resources import TEMPLATES, InstallationError

TEMPLATE = TEMPLATES / "report.docx"

# The template's named styles the report is written with (its footers use 页码 for the page numbers).
STYLES = ("标题", "一级标题", "二级标题", "正文", "表格", "Table Grid")
# A run Word and LibreOffice will not break (a web address, a long number, a telephone number):
# justified, the line before it would be letter-spaced across the measure, so such a paragraph is
# set flush left.
UNBREAKABLE = re.compile(r"[0-9A-Za-z〔〕./:_%#?=&+\-]{12,}")
WORD_JOINER = "\u2060"  # no break here (Unicode UAX #14), zero width


def unbroken_phones(text: str) -> str:
    """Telephone numbers with a word joiner on each side of their dashes and brackets, which
    Word and LibreOffice would otherwise break a line at (0527— | 83593059)."""
    return PHONE.sub(lambda m: re.sub(r"(?<=.)([-－—–)）])(?=.)", rf"{WORD_JOINER}\1{WORD_JOINER}", m.group(0)), text)


# Elements that must follow a given one in its parent (WordprocessingML's schema order: Word
# reports "unreadable content" for out-of-order properties even where LibreOffice does not).
FOLLOWING = {
    "w:cantSplit": ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
    "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
    "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
    "w:tblBorders": ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
}
# A table, or tables printed one under another (table 二's four parts), of up to this many rows
# is kept on one page, as it fits on the next page rather than split over two.
KEPT_WHOLE_ROWS = 20


def add_property(parent, tag: str, **attributes: str):
    """Add a property element in its schema position."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    parent.insert_element_before(element, *FOLLOWING[tag])
    return element


def cell_margins(table, sides: int = 30, top_bottom: int = 40) -> None:
    """Word's default 1.9 mm side padding leaves no room for four digits in table 三; 2 pt above
    and below each cell keep rows from being cramped (as the PDF's cells)."""
    margins = add_property(table._tbl.tblPr, "w:tblCellMar")
    for side, twips in (("top", top_bottom), ("left", sides), ("bottom", top_bottom), ("right", sides)):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)


def add_table(docx, block: TableBlock, kept: set[int], joined: bool) -> None:
    """The table; `kept`: its rows kept with the next (on one page); `joined`: it follows another
    table directly, under whose bottom rule it starts (no rule of its own on top)."""
    rows = block.head + block.body
    table = docx.add_table(rows=len(rows), cols=block.columns)
    table.style = "Table Grid"
    table.autofit = False
    if joined:
        borders = add_property(table._tbl.tblPr, "w:tblBorders")
        borders.append(OxmlElement("w:top", {qn("w:val"): "nil"}))
    cell_margins(table)
    text_width = docx.sections[0].page_width - docx.sections[0].left_margin - docx.sections[0].right_margin
    for column, share in zip(table.columns, block.widths, strict=True):
        column.width = int(text_width * share)
    grid = [list(row.cells) for row in table.rows]  # fetched once: python-docx recomputes them per call
    style_id = docx.styles["表格"].style_id
    for r, row in enumerate(grid_positions(rows)):
        for c, cell in row:
            target = grid[r][c]
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(grid[r + cell.rowspan - 1][c + cell.colspan - 1])
            paragraph = target.paragraphs[0]
            paragraph._p.style = style_id
            paragraph.text = cell.text
            if cell.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif cell.header and r >= len(block.head):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        add_property(properties, "w:cantSplit")
        if index < len(block.head):
            add_property(properties, "w:tblHeader", val="true")  # repeated on every page
        if index in kept:
            for paragraph in row._tr.iter(qn("w:p")):
                paragraph.get_or_add_pPr().keepNext_val = True


def rows_kept_with_next(block: TableBlock) -> set[int]:
    """Rows of a short row group but its last (counted with the header rows): Word and LibreOffice
    then move the group whole to the next page rather than leave its rows without their label."""
    kept = set()
    for r, row in enumerate(grid_positions(block.head + block.body)):
        for _column, cell in row:
            if r >= len(block.head) and cell.header and 1 < cell.rowspan <= GROUP_KEPT_WHOLE:
                kept.update(range(r, r + cell.rowspan - 1))
    return kept


def add_separator(docx, kept: bool) -> None:
    """An empty 1 pt paragraph between two tables printed one under the other: with nothing
    between them, Word and LibreOffice join them into one table, whose first header rows (marked
    to repeat) would then print again over the other parts on a new page."""
    paragraph = docx.add_paragraph(style="表格")
    paragraph.paragraph_format.line_spacing = Pt(1)
    if kept:
        paragraph.paragraph_format.keep_with_next = True
    mark = OxmlElement("w:rPr")
    mark.append(OxmlElement("w:sz", {qn("w:val"): "2"}))
    paragraph._p.get_or_add_pPr().append(mark)


def table_runs(blocks: list) -> dict[int, tuple[bool, bool, set[int]]]:
    """For each table (by position in `blocks`): whether it follows another table directly,
    whether its run of adjacent tables is kept whole, and its rows kept with the next one. A run
    short enough stays on one page (all rows kept but the run's last); a longer table keeps its
    short row groups whole."""
    runs: list[list[int]] = []
    for index, block in enumerate(blocks):
        if isinstance(block, TableBlock):
            if runs and runs[-1][-1] == index - 1:
                runs[-1].append(index)
            else:
                runs.append([index])
    out = {}
    for run in runs:
        sizes = [len(blocks[i].head) + len(blocks[i].body) for i in run]
        whole = sum(sizes) <= KEPT_WHOLE_ROWS
        for position, (index, size) in enumerate(zip(run, sizes, strict=True)):
            last = position == len(run) - 1
            kept = set(range(size - 1 if last else size)) if whole else rows_kept_with_next(blocks[index])
            out[index] = (position > 0, whole, kept)
    return out


def to_bytes(docx) -> bytes:
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


CORE_PROPERTY_CHARS = 255  # python-docx refuses a longer title or author


def open_template(path: Path):
    """The Word template, refused with a clear message if an edit in Word/WPS lost a style the report uses."""
    docx = new_docx(str(path))
    names = {style.name for style in docx.styles}
    missing = [name for name in STYLES if name not in names]
    if missing:
        raise InstallationError(
            f"Word 模板 {path} 缺少样式：{'、'.join(missing)}。请在 Word/WPS 中按原名称补上这些样式，或从 nianbao 的源代码中取回原来的 report.docx。"
        )
    return docx


def text_width(text: str) -> float:
    """Width in body characters: digits and Latin letters are about half as wide as hanzi."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def signature_indents(block: Signature) -> tuple[float, float]:
    """Right indents (in characters) of the agency and date lines, per GB/T 9704 7.3.5.2."""
    agency, date = text_width(block.agency), text_width(block.date)
    return (2, agency - date) if agency - date >= 2 else (date + 4 - agency, 2)


def add_signature(docx, block: Signature) -> None:
    """The 落款 under one blank line, right-aligned with its GB/T 9704 indents, on the page of the
    text's last lines (never alone at the top of a page)."""
    last = docx.element.body.xpath("./w:p | ./w:tbl")[-1]
    if last.tag == qn("w:p"):
        last.get_or_add_pPr().keepNext_val = True
    docx.add_paragraph("", style="正文").paragraph_format.keep_with_next = True
    for text, indent in zip((block.agency, block.date), signature_indents(block), strict=True):
        paragraph = docx.add_paragraph(text, style="正文")
        if text == block.agency:
            paragraph.paragraph_format.keep_with_next = True
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.first_line_indent = Pt(0)
        paragraph.paragraph_format.right_indent = Pt(16 * indent)


def embed_form(docx, doc: Document) -> None:
    """The form as a custom XML part (Word keeps it through edits), so import reads it exactly."""
    xml = f'<?xml version="1.0" encoding="UTF-8"?>\n<form xmlns="{EMBEDDED_NAMESPACE}" name="{EMBEDDED_NAME}">{escape(doc.data)}</form>\n'
    package = docx.part.package
    part = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", xml.encode(), package)
    docx.part.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_XML)


def to_fixed_bytes(data: bytes, doc: Document) -> bytes:
    """The package re-zipped with every member dated like the report, not the build clock."""
    stamp = doc.stamp.timetuple()[:6]
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(zipfile.ZipInfo(member.filename, date_time=max(stamp, (1980, 1, 1, 0, 0, 0))), source.read(member), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


DRAFT_MARK = "草稿 未通过校验"


def mark_draft(docx) -> None:
    """「草稿 未通过校验」 in red at the head of every page (odd and even headers)."""
    section = docx.sections[0]
    for header in (section.header, section.even_page_header):
        header.is_linked_to_previous = False
        paragraph = header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(DRAFT_MARK)
        run.bold = True
        run.font.size = Pt(16)
        run.font.color.rgb = RGBColor(0xCC, 0, 0)


def render_docx(doc: Document, draft: bool = False) -> bytes:
    """The report on the Word template, so its styles and page setup are the agency's to edit."""
    docx = open_template(TEMPLATE)
    if draft:
        mark_draft(docx)
    properties = docx.core_properties
    properties.title = properties.subject = doc.title[:CORE_PROPERTY_CHARS]
    properties.author = properties.last_modified_by = doc.agency[:CORE_PROPERTY_CHARS]
    properties.created = properties.modified = doc.stamp.replace(tzinfo=None)
    properties.revision = 1
    docx.add_paragraph("\n".join(doc.title_lines), style="标题")  # python-docx makes each \n a <w:br/>
    tables = table_runs(doc.blocks)
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            docx.add_paragraph(block.text, style="一级标题" if block.level == 1 else "二级标题")
        elif isinstance(block, Paragraph):
            paragraph = docx.add_paragraph(unbroken_phones(block.text), style="正文")
            if UNBREAKABLE.search(block.text) or PHONE.search(block.text):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        elif isinstance(block, Signature):
            add_signature(docx, block)
        else:
            joined, whole, kept = tables[index]
            if joined:
                add_separator(docx, kept=whole)
            add_table(docx, block, kept, joined)
    embed_form(docx, doc)
    return to_fixed_bytes(to_bytes(docx), doc)

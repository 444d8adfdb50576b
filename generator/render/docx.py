"""The document tree → an editable DOCX for the approval round in Word/WPS.

Named styles carry the layout (标题, 一级标题, 二级标题, 正文, 表格), so an agency restyles the
report in Word rather than in code. Official face names are set for East Asian text.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as new_docx
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ..document import Document, Heading, Paragraph, TableBlock, grid_positions
from ..resources import TEMPLATES, InstallationError

TEMPLATE = TEMPLATES / "report.docx"

# The template's named styles the report is written with (its footers use 页码 for the page numbers).
STYLES = ("标题", "一级标题", "二级标题", "正文", "表格", "Table Grid")


# Elements that must follow a given one in its parent (WordprocessingML's schema order: Word
# reports "unreadable content" for out-of-order properties even where LibreOffice does not).
FOLLOWING = {
    "w:cantSplit": ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
    "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
    "w:tblCellMar": ("w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"),
}


def add_property(parent, tag: str, **attributes: str):
    """Add a property element in its schema position."""
    element = OxmlElement(tag)
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)
    parent.insert_element_before(element, *FOLLOWING[tag])
    return element


def narrow_cell_margins(table, twips: int = 30) -> None:
    """Word's default 1.9 mm cell padding leaves no room for four digits in table 三."""
    margins = add_property(table._tbl.tblPr, "w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)


def add_table(docx, block: TableBlock) -> None:
    rows = block.head + block.body
    table = docx.add_table(rows=len(rows), cols=block.columns)
    table.style = "Table Grid"
    table.autofit = False
    narrow_cell_margins(table)
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


def to_bytes(docx) -> bytes:
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()


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


def render_docx(doc: Document) -> bytes:
    """The report on the Word template, so its styles and page setup are the agency's to edit."""
    docx = open_template(TEMPLATE)
    docx.core_properties.title = doc.title
    docx.core_properties.author = doc.agency
    docx.core_properties.subject = doc.title
    docx.add_paragraph(doc.title, style="标题")
    for block in doc.blocks:
        if isinstance(block, Heading):
            docx.add_paragraph(block.text, style="一级标题" if block.level == 1 else "二级标题")
        elif isinstance(block, Paragraph):
            docx.add_paragraph(block.text, style="正文")
        else:
            add_table(docx, block)
    return to_bytes(docx)

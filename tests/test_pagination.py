"""Tables across pages in the PDF: a row group of table 三 cut by a page break has its label printed
again on the continuation (or moves whole to the next page), and table 二's four parts print as
one continuous table, as in the official template and the DOCX."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from generator.document import TableBlock, continue_table
from generator.format import load_format

from .conftest import EXAMPLES, RICH_EXAMPLE, example_id
from .helpers import document_of
from .test_build import line_boxes


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pages_raw(pdf: Path) -> list[str]:
    """Each page's text in drawing order (a table cell's text stays together)."""
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [squeeze(page) for page in text.split("\f")]


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_every_page_with_rows_of_a_group_prints_the_group_label(built, path):
    table = load_format().tables["申请处理"]
    pages = pages_raw(built[path]["pdf"])
    checked = 0
    for group in table.row_groups:
        labels = [squeeze(table.row(key).label) for key in group.members]
        for number, page in enumerate(pages, 1):
            if any(label in page for label in labels if len(label) >= 5):
                checked += 1
                assert squeeze(group.label) in page, f"第 {number} 页有「{group.label}」的行，没有它的标签"
    assert checked >= len(table.row_groups)
    assert sum("三、本年度办理结果" in page for page in pages) >= 1


def test_a_cut_group_moves_whole_or_repeats_its_label(built):
    block = next(b for b in document_of(RICH_EXAMPLE).blocks if isinstance(b, TableBlock) and b.key == "申请处理")
    labels = [[cell.text for cell in row if cell.header] for row in block.body]
    first_of_six = next(r for r, row in enumerate(labels) if "（六）其他处理" in row)
    before, after = continue_table(block, first_of_six + 1)  # a break after the first row of （六）
    assert len(before.body) == first_of_six  # （六） (3 rows) moved whole
    assert [cell.text for cell in after.body[0] if cell.header][:2] == ["三、本年度办理结果", "（六）其他处理"]
    assert after.continued and after.body[0][0].rowspan == len(after.body) - 1  # down to （七）总计, not 结转下年度
    before, after = continue_table(block, 3, whole_up_to=0)  # inside 三、 (too long to move whole)
    assert after.body[0][0].text == "三、本年度办理结果" and before.body[2][0].rowspan == 1
    assert continue_table(block, 1) is None  # between 一、 and 二、: no group is cut


def test_table_two_prints_as_one_continuous_table(built):
    """The four parts of table 二 touch: the step from the last row of one part to the caption of the
    next is the same as from one row to the next within a part."""
    lines = [line for page in (2, 3, 4) for line in line_boxes(built[RICH_EXAMPLE]["pdf"], page)]
    tops = {text: y for _x0, _x1, y, text in lines}
    assert "第二十条第（五）项" in tops and "规章" in tops
    within = tops["行政规范性文件"] - tops["规章"]
    between = tops["第二十条第（五）项"] - tops["行政规范性文件"]
    assert abs(between - within) < 1.5, (within, between)

"""Real published reports of other provinces (tests/data/published, see its README): every
figure present is read exactly; what is missing is reported, never filled in."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.format import load_format
from generator.importer.parse import extract
from generator.importer.sources import read_source

PUBLISHED = Path(__file__).parent / "data" / "published"
ZERO_ROWS = ["本年新收", "上年结转"]
EXPECTED = {  # transcribed by hand from the pages
    "zhanjiang_dfzb_2023.txt": {("第二十条第一项", "行政规范性文件"): [0, 0, 0], **{("申请处理", r): [0] * 7 for r in [*ZERO_ROWS, "予以公开"]}},
    "xuwen_2023.txt": {
        ("第二十条第一项", "行政规范性文件"): [3, 0, 101],
        **{("申请处理", r): [0] * 7 for r in [*ZERO_ROWS, "予以公开", "部分公开", "属于国家秘密", "危及三安全一稳定", "属于三类内部事务信息"]},
    },
    "hanyang_qzfb_2022.txt": {("第二十条第一项", "行政规范性文件"): [5, 12, 8], ("第二十条第一项", "规章"): [None] * 3, ("申请处理", "本年新收"): [8, 0, 0, 0, 0, 0, 8]},
    "erlang_jiulongpo_2022.txt": {("第二十条第一项", "行政规范性文件"): [4, 0, 4], ("第二十条第六项", "行政强制"): [0]},
    "changchun_styjrswj_2023.txt": {("第二十条第一项", "规章"): [0, 0, 0], ("申请处理", "本年新收"): [3, 0, 0, 0, 0, 0, 3], ("申请处理", "上年结转"): [0] * 7},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_published_report_figures_read_exactly(name):
    source = read_source(PUBLISHED / name)
    result = extract(source.lines, load_format(), name, source.table_lines)
    report = result.report
    for (table, row), values in EXPECTED[name].items():
        columns = [c.key for c in report.format.tables[table].columns]
        assert [report.value(table, row, c) for c in columns] == values, row
    for (table, row, column), cell in report.cells.items():
        if cell.value is not None and (table, row) not in EXPECTED[name] and not report.format.tables[table].row(row).total:
            assert cell.value == 0, (row, column)  # beyond the printed rows nothing is claimed but zeros
    messages = " ".join(p.message for p in result.problems)
    assert "未找到「六、其他需要报告的事项」一节" in messages


def test_row_printing_fewer_numbers_than_cells_is_reported():
    """汉阳区: 规章 prints 0 and 0 for three cells; which cell is blank is not known."""
    name = "hanyang_qzfb_2022.txt"
    source = read_source(PUBLISHED / name)
    result = extract(source.lines, load_format(), name)
    assert "第二十条第（一）项 规章：只印了 0 0，不知各属哪一列，无法确定，请手工填写" in [p.message for p in result.problems]


def test_title_of_a_published_page_is_read():
    source = read_source(PUBLISHED / "erlang_jiulongpo_2022.txt")
    report = extract(source.lines, load_format(), "erlang.txt").report
    assert (report.agency, report.year) == ("重庆市九龙坡区二郎街道办事处", 2022)

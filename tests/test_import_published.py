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

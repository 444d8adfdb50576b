"""Published reports in the shapes they arrive in (tools/corpus.py renders them): never a wrong
cell; every figure read, proven by the arithmetic, or reported with what is needed."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.services import check_file
from tools.corpus import SHAPES, import_text, one_line, single_six, squeezed_narrative, tally

from .conftest import EXAMPLES, RICH_EXAMPLE, example_id
from .test_properties import consistent_reports

FULLY_READ = {"plain", "markdown", "web-page", "garbled-labels", "vertical-labels", "run-in-headings"}  # every figure comes back
NARRATIVE_KEPT = {"plain", "one-line", "markdown", "web-page", "garbled-labels", "vertical-labels", "single-six", "run-in-headings"}


@pytest.mark.parametrize("shape", sorted(SHAPES))
@pytest.mark.parametrize("example", EXAMPLES, ids=example_id)
def test_every_example_in_every_shape(example, shape):
    expected = check_file(str(example)).report
    result = import_text(SHAPES[shape](expected))
    counts = tally(expected, result)
    assert counts["wrong"] == 0
    assert (result.report.agency, result.report.year) == (expected.agency, expected.year)
    if shape in FULLY_READ:
        assert result.problems == []
        assert counts["reported"] == 0
    if shape in NARRATIVE_KEPT:
        assert squeezed_narrative(result.report) == squeezed_narrative(expected)


def test_digits_that_ran_together_are_cut_by_the_totals():
    expected = check_file(str(RICH_EXAMPLE)).report  # the one with non-zero 依申请 figures
    result = import_text(one_line(expected))
    assert result.report.value("申请处理", "本机关不掌握相关政府信息", "总计") == 1061
    assert result.how[("申请处理", "本年新收", "自然人")] == "拆分连写的数字"
    assert result.report.value("复议诉讼", "行政复议", "尚未审结") == 1
    assert [p.message for p in result.problems] == [
        "第二十条第（一）项 行政规范性文件：数字连写（18113172），有 21 种拆法（本表没有总计可以核对）：1 8 113172；1 81 13172；1 811 3172等，请手工填写"
    ]
    assert result.report.value("第二十条第一项", "行政规范性文件", "本年制发件数") is None


def test_group_printed_as_one_row_is_split_only_where_it_is_zero():
    expected = check_file(str(RICH_EXAMPLE)).report
    result = import_text(single_six(expected))
    assert result.report.value("申请处理", "逾期未缴费", "科研机构") == 0
    assert result.report.value("申请处理", "其他情形", "自然人") is None
    assert any("「（六）其他处理」印为一行，自然人、商业企业、法律服务机构 列不为 0，无法拆分" in p.message for p in result.problems)
    zero = check_file(str(EXAMPLES[1])).report  # every 依申请 figure 0: the split is proven
    result = import_text(single_six(zero))
    assert result.problems == []
    assert tally(zero, result)["reported"] == 0


def test_unreadable_label_is_placed_by_position_and_said_so(tmp_path, run_cli):
    expected = check_file(str(RICH_EXAMPLE)).report
    text = SHAPES["garbled-labels"](expected)
    source = tmp_path / "report.txt"
    source.write_text(text, "utf-8")
    code, out, err = run_cli("import", str(source), "--format", "json")
    assert code == 0, err
    cells = {(c["row"], c["column"]): c for c in json.loads(out)["cells"]}
    assert cells[("予以公开", "自然人")]["value"] == "72"
    assert cells[("予以公开", "自然人")]["read"].startswith("按位置")
    assert cells[("本年新收", "自然人")]["read"] == "按行名"
    assert cells[("逾期不补正", "总计")]["value"] == "6"
    assert "（一）予以公开：按位置（行名无法辨认，由本行总计和各列勾稽关系确认），读作 72 0 0 0 9 0 81" in err


def test_placed_row_that_breaks_the_column_identities_is_rejected():
    expected = check_file(str(RICH_EXAMPLE)).report
    text = SHAPES["garbled-labels"](expected).replace("予以公三、本年度办理结果开\t72\t0\t0\t0\t9\t0\t81", "予以公三、本年度办理结果开\t70\t0\t0\t0\t11\t0\t81")
    result = import_text(text)
    assert result.report.value("申请处理", "予以公开", "自然人") is None
    assert any("行名无法辨认，按位置放入后各列勾稽关系不成立，未导入" in p.message for p in result.problems)


def test_blank_cells_proven_by_the_totals_are_marked_in_the_form():
    from generator.formwriter import write_form

    expected = check_file(str(RICH_EXAMPLE)).report
    result = import_text(SHAPES["web-page"](expected))  # 予以公开 | 72 |  |  |  | 9 |  |  (总计 blank)
    assert result.problems == []
    assert result.report.value("申请处理", "予以公开", "商业企业") == 0
    assert result.how[("申请处理", "予以公开", "商业企业")] == "由总计和勾稽关系推算"
    form = write_form(result.report, notes=result.notes)
    assert "# 注意：商业企业、科研机构、社会公益组织、其他 原文空白或未印出，由总计和勾稽关系推算\n  予以公开:" in form


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@SETTINGS
@given(consistent_reports())
def test_any_consistent_report_through_every_shape_and_back(report):
    report.compute_totals()
    for shape, render in SHAPES.items():
        result = import_text(render(report))
        counts = tally(report, result)
        assert counts["wrong"] == 0, shape
        if shape in FULLY_READ:
            assert counts["reported"] == 0, (shape, [p.message for p in result.problems])


@pytest.mark.slow
@SETTINGS
@given(st.sampled_from(sorted(SHAPES)), st.sampled_from(EXAMPLES), st.data())
def test_labels_garbled_anywhere_never_give_a_wrong_cell(shape, example, data):
    """Characters of the table's labels lost or misread at random: cells come back right or are reported."""
    expected = check_file(str(example)).report
    text = SHAPES[shape](expected)
    start = text.find("三、收到和处理")
    letters = [i for i, ch in enumerate(text) if i > start and "\u4e00" <= ch <= "\u9fff"]
    chars = list(text)
    for position in sorted(data.draw(st.lists(st.sampled_from(letters), min_size=1, max_size=6, unique=True)), reverse=True):
        chars[position : position + 1] = data.draw(st.sampled_from(["", "的", "是"]))
    assert tally(expected, import_text("".join(chars)))["wrong"] == 0


def test_consecutive_unreadable_rows_are_placed_in_order():
    expected = check_file(str(RICH_EXAMPLE)).report
    text = SHAPES["plain"](expected).replace("1.信访举报投诉类申请", "□□□□").replace("2.重复申请", "▲▲")
    result = import_text(text)
    assert result.problems == []
    assert tally(expected, result) == {"exact": 186, "inferred": 14}
    assert result.how[("申请处理", "重复申请", "自然人")].startswith("按位置")

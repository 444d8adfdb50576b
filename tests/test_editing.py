"""The browser's edits written into a form's text (generator/serve/editing.py): on every example
form and the forms imported from the seed reports, as written and with CR LF line endings, any
edit of any cells, texts and fields changes exactly those values (the form reader reads the rest
back as before) and no line holding none of them; malformed edits are refused with EditError."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.format import ColumnType, FieldType, Format
from generator.formwriter import write_form
from generator.importer import import_report
from generator.limits import clean_text, one_line
from generator.serve.app import text_fields
from generator.serve.editing import EditError, Spans, apply_edits, form_state, read_with_spans, with_acknowledgement

from .conftest import EXAMPLES, RICH_EXAMPLE, SEEDS

EXAMPLES_RUN = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "60"))
EDITS = settings(max_examples=EXAMPLES_RUN, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")) | st.sampled_from("\n\t :#-|>'\"[]{},&*!%@`?～：，"), max_size=60)
ROW = "申请处理/本年新收"


@dataclass
class Form:
    name: str
    text: str
    fmt: Format
    state: dict
    spans: Spans
    texts: list[str]  # the texts the browser shows for editing


@cache
def forms() -> list[Form]:
    """Every example form and every seed report's form as `nianbao import` writes it, each also with CR LF line endings."""
    texts = [(f"{p.parent.name}/{p.name}", p.read_text("utf-8")) for p in EXAMPLES]
    for seed in sorted(SEEDS.glob("*.txt")):
        result = import_report(seed, seed.name)
        texts.append((seed.name, write_form(result.report, notes=result.notes)))
    result = []
    for name, text in texts + [(f"{name} (CR LF)", text.replace("\n", "\r\n")) for name, text in texts]:
        report, _findings, spans = read_with_spans(text, "2024.yaml")
        texts = [target for fields in text_fields(report).values() for target, _heading in fields]
        result.append(Form(name, text, report.format, form_state(report), spans, texts))
    return result


def number(column) -> st.SearchStrategy[str]:
    """What a user types in a cell of this column: a number of its kind, or nothing."""
    if column.type == ColumnType.AMOUNT:
        value = st.builds(lambda whole, part: f"{whole}.{part:0{column.decimals}d}", st.integers(0, 99_999), st.integers(0, 10**column.decimals - 1))
    else:
        value = st.integers(0, 999_999).map(str)
    return st.one_of(st.just(""), value)


def field_text(field) -> st.SearchStrategy[str]:
    if field.type == FieldType.DATE:
        return st.one_of(st.just(""), st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}").filter(lambda d: d[0] != "0"))
    if field.type == FieldType.CHOICE:
        return st.sampled_from(("", *field.choices))
    return TEXT.map(lambda t: t.replace("\n", " "))


@st.composite
def edited_forms(draw) -> tuple[int, dict]:
    """A form (its number in forms()) and the browser's edits of some of its cells, texts and fields."""
    number_of_form = draw(st.integers(0, len(forms()) - 1))
    form = forms()[number_of_form]
    columns = {f"{t.key}/{r.key}/{c.key}": c for t in form.fmt.tables.values() for r in t.rows for c in t.columns}
    cells = draw(st.lists(st.sampled_from(sorted(columns)), unique=True, max_size=12))
    texts = draw(st.lists(st.sampled_from(form.texts), unique=True, max_size=3))
    fields = [f for f in form.fmt.fields if f.attribute and f.type in (FieldType.TEXT, FieldType.DATE, FieldType.CHOICE)]
    chosen = draw(st.lists(st.sampled_from(fields), unique_by=lambda f: f.key, max_size=3))
    return number_of_form, {
        "cells": {target: draw(number(columns[target])) for target in cells},
        "texts": {target: draw(TEXT) for target in texts},
        "fields": {field.key: draw(field_text(field)) for field in chosen},
    }


def paragraphs(text: str) -> str:
    """A text as the form holds it: one line a paragraph, no trailing spaces, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in clean_text(text).split("\n")).strip("\n")


def touched_lines(form: Form, edits: dict) -> set[int]:
    """The lines (from 0) of the original text holding a value the edits name."""
    nodes = [form.spans.fields.get(key) for key in edits["fields"]]
    nodes += [form.spans.texts.get(target) for target in edits["texts"]]
    nodes += [form.spans.rows.get(target.split("/")[1]) for target in edits["cells"]]
    lines = set()
    for node in filter(None, nodes):
        start = node.start_mark.index
        written = form.text[start : node.end_mark.index].rstrip()
        lines.update(range(node.start_mark.line, node.start_mark.line + written.count("\n") + 1))
    return lines


def assert_untouched_lines_kept(form: Form, edited: str, touched: set[int]) -> None:
    """Every original line holding no edited value stands in the edited text byte for byte, in the
    same order (new lines may stand between them: an entry the form did not have)."""
    newline = "\r\n" if "\r\n" in form.text else "\n"
    result = iter(edited.split(newline))
    for number, line in enumerate(form.text.split(newline)):
        assert number in touched or line in result, f"{form.name}: line {number + 1} not kept: {line!r}"


@EDITS
@given(edited_forms())
def test_an_edit_changes_exactly_the_values_it_names(form_and_edits):
    number_of_form, edits = form_and_edits
    form = forms()[number_of_form]
    edited = apply_edits(form.text, "2024.yaml", edits)
    if "\r\n" in form.text:
        assert "\n" not in edited.replace("\r\n", "") and "\r" not in edited.replace("\r\n", ""), "mixed line endings"
    expected = {kind: dict(values) for kind, values in form.state.items()}
    expected["cells"] |= edits["cells"]
    expected["texts"] |= {target: paragraphs(text) for target, text in edits["texts"].items() if target in form.state["texts"] or paragraphs(text)}
    expected["fields"] |= {key: one_line(text).strip() for key, text in edits["fields"].items()}
    report, _findings, _spans = read_with_spans(edited, "2024.yaml")
    assert form_state(report) == expected, form.name
    assert_untouched_lines_kept(form, edited, touched_lines(form, edits))


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_naming_some_cells_of_a_row_keeps_the_others(newline):
    text = RICH_EXAMPLE.read_text("utf-8").replace("\n", newline)
    edited = apply_edits(text, "2024.yaml", {"cells": {f"{ROW}/自然人": "1122"}})
    state = form_state(read_with_spans(edited, "2024.yaml")[0])["cells"]
    assert [state[f"{ROW}/{c}"] for c in ("自然人", "商业企业", "法律服务机构", "总计")] == ["1122", "32", "180", "1333"]
    assert edited == text.replace("[1121, 32, 0, 0, 180, 0, 1333]", "[1122, 32, 0, 0, 180, 0, 1333]")


def test_a_crlf_form_keeps_crlf_when_values_and_entries_are_added():
    text = RICH_EXAMPLE.read_text("utf-8").replace("\n", "\r\n")
    edits = {"fields": {"发布日期": "2025-01-20"}, "texts": {"其他需要报告的事项": "第一段\n第二段"}, "cells": {f"{ROW}/总计": ""}}
    edited = with_acknowledgement(apply_edits(text, "2024.yaml", edits), "W301", "总体情况.依申请公开", "已核对")
    assert "\n" not in edited.replace("\r\n", "")
    assert "发布日期: 2025-01-20\r\n" in edited and "其他需要报告的事项: |\r\n  第一段\r\n  第二段\r\n" in edited
    assert "[1121, 32, 0, 0, 180, 0]\r\n" in edited and edited.endswith("已核对:\r\n  - 代码: W301\r\n    位置: 总体情况.依申请公开\r\n    理由: 已核对\r\n")


def test_acknowledgements_are_added_to_the_list_the_form_has():
    text = (Path(RICH_EXAMPLE.parent.parent) / "周口市行政服务中心" / "2021.yaml").read_text("utf-8")
    before = read_with_spans(text, "2021.yaml")[0].acknowledgements
    edited = with_acknowledgement(text, "W302", "本年新收", "理由: 含冒号 # 与井号")
    after = read_with_spans(edited, "2021.yaml")[0].acknowledgements
    assert [(a.code, a.place, a.reason) for a in after] == [(a.code, a.place, a.reason) for a in before] + [("W302", "本年新收", "理由: 含冒号 # 与井号")]
    assert edited.startswith(text.rstrip("\n"))


@pytest.mark.parametrize(
    ("edits", "message"),
    [
        ([1, 2], "修改内容应为“键: 值”对象（fields、texts、cells），实为列表（[…]）"),
        ({"cells": [1]}, "修改内容中的「cells」应为“键: 值”对象，实为列表（[…]）"),
        ({"rows": {}}, "修改内容中有未知的类别「rows」：只能是 fields、texts、cells"),
        ({"cells": {"申请处理/本年新收/不存在": "1"}}, "修改内容中的「申请处理/本年新收/不存在」不是这份表单中的单元格（应写成“表/行/列”）"),
        ({"cells": {f"{ROW}/自然人": [1, 2]}}, f"「{ROW}/自然人」应为一个数字，实为列表（[…]）"),
        ({"texts": {"其他需要报告的事项": {"a": 1}}}, "「其他需要报告的事项」应为一段文字，实为对象（{…}）"),
        ({"fields": {"机关名称": "x"}}, "修改内容中的「机关名称」不是这份表单中的项目"),
        ({"fields": {"机关": True}}, "「机关」应为一段文字，实为真假值"),
    ],
)
def test_malformed_edits_are_refused_with_a_chinese_message(edits, message):
    with pytest.raises(EditError) as refused:
        apply_edits(RICH_EXAMPLE.read_text("utf-8"), "2024.yaml", edits)
    assert refused.value.message_zh == message


def test_numbers_and_null_sent_as_json_are_taken_as_typed():
    edited = apply_edits(RICH_EXAMPLE.read_text("utf-8"), "2024.yaml", {"cells": {f"{ROW}/自然人": 1122, f"{ROW}/总计": None}})
    assert "  本年新收:                             [1122, 32, 0, 0, 180, 0]\n" in edited


REVIEW = "政府信息公开行政复议、行政诉讼情况:\n  # 列：            结果维持 结果纠正 其他结果 尚未审结 总计\n  行政复议:         [2, 0, 0, 1, 3]\n  未经复议直接起诉: [0, 0, 0, 0, 0]\n  复议后起诉:       [0, 0, 0, 0, 0]\n"


@pytest.mark.parametrize(
    "written",
    [
        "政府信息公开行政复议、行政诉讼情况:\n",  # left empty: the rows are added under it
        REVIEW.replace("[2, 0, 0, 1, 3]", "\n    - 2\n    - 0\n    - 0\n    - 1\n    - 3"),  # a row in block style
        REVIEW.replace("[2, 0, 0, 1, 3]", "[2, 0, 0, 1]"),  # a row without its total
    ],
)
def test_hand_written_shapes_take_edits(written):
    text = RICH_EXAMPLE.read_text("utf-8").replace(REVIEW, written)
    edits = {"cells": {"复议诉讼/行政复议/结果维持": "5", "复议诉讼/行政复议/总计": "6", "复议诉讼/复议后起诉/其他结果": "7"}}
    state = form_state(read_with_spans(apply_edits(text, "2024.yaml", edits), "2024.yaml")[0])["cells"]
    assert {target: state[target] for target in edits["cells"]} == edits["cells"]


def test_a_section_in_braces_is_refused_rather_than_broken():
    text = RICH_EXAMPLE.read_text("utf-8").replace(REVIEW, "政府信息公开行政复议、行政诉讼情况: {行政复议: [2, 0, 0, 1, 3]}\n")
    assert "行政复议: [5, 0, 0, 1, 3]" in apply_edits(text, "2024.yaml", {"cells": {"复议诉讼/行政复议/结果维持": "5"}})
    with pytest.raises(EditError, match="写在花括号"):
        apply_edits(text, "2024.yaml", {"cells": {"复议诉讼/复议后起诉/结果维持": "5"}})


@pytest.mark.parametrize("written", ["已核对:\n", "已核对: []\n", "已核对: [{代码: W301, 位置: 年度, 理由: 无}]\n"])
def test_an_acknowledgement_joins_an_empty_or_bracketed_list(written):
    text = RICH_EXAMPLE.read_text("utf-8") + written
    edited = with_acknowledgement(text, "W302", "本年新收", "已核对")
    assert [a.code for a in read_with_spans(edited, "2024.yaml")[0].acknowledgements][-1:] == ["W302"]

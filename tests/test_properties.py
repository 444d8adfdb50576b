"""Property tests: any consistent report checks clean; any single changed cell is caught."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.checks import check_report
from generator.codes import Level
from generator.form import parse_form
from generator.formwriter import write_form
from generator.report import Report
from generator.services import blank_report

TEXT = "本年度未收取信息处理费。"
APPLICANTS = 6
RESULT_ROWS = 21


@st.composite
def consistent_reports(draw) -> Report:
    """A report whose every relation holds, with every total typed in."""
    report = blank_report("某市某局", 2024)
    cells = report.cells
    fmt = report.format
    table = fmt.tables["申请处理"]
    results = [r.key for r in table.rows if r.key not in ("本年新收", "上年结转", "办理结果总计", "结转下年度")]
    assert len(results) == RESULT_ROWS
    for column in [c.key for c in table.columns if not c.total]:
        handled = {row: draw(st.integers(0, 40)) for row in results}
        pending = draw(st.integers(0, 40))
        carried = draw(st.integers(0, sum(handled.values()) + pending))
        values = {
            **handled,
            "结转下年度": pending,
            "上年结转": carried,
            "本年新收": sum(handled.values()) + pending - carried,
            "办理结果总计": sum(handled.values()),
        }
        for row, value in values.items():
            cells[("申请处理", row, column)].value = value
    for row in table.rows:
        cells[("申请处理", row.key, "总计")].value = sum(cells[("申请处理", row.key, c.key)].value for c in table.columns if not c.total)
        for column in table.columns:
            cells[("申请处理", row.key, column.key)].typed = True
    for row in fmt.tables["复议诉讼"].rows:
        parts = [draw(st.integers(0, 9)) for _ in range(4)]
        for column, value in zip(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"], [*parts, sum(parts)], strict=True):
            cells[("复议诉讼", row.key, column)].value = value
            cells[("复议诉讼", row.key, column)].typed = True
    for row in ("规章", "行政规范性文件"):
        for column in ("本年制发件数", "本年废止件数", "现行有效件数"):
            cells[("第二十条第一项", row, column)].value = draw(st.integers(0, 500))
    return report


def form_text(report: Report) -> str:
    text = write_form(report, schema=None)
    return text.replace(': ""', f": {TEXT}")


def errors(text: str) -> list:
    report, findings = parse_form(text, "2024.yaml")
    return [f for f in findings + check_report(report) if f.level == "error"]


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(consistent_reports())
def test_any_consistent_report_checks_clean(report):
    assert errors(form_text(report)) == []


@SETTINGS
@given(consistent_reports(), st.data())
def test_any_single_changed_cell_is_caught_and_located(report, data):
    table = data.draw(st.sampled_from(["申请处理", "复议诉讼"]))
    keys = [k for k in report.cells if k[0] == table]
    changed = data.draw(st.sampled_from(keys))
    delta = data.draw(st.sampled_from([-1, 1, 7]))
    cell = report.cells[changed]
    if cell.value + delta < 0:
        delta = 1
    cell.value += delta
    found = errors(form_text(report))
    assert found, f"changing {changed} by {delta} went unnoticed"
    assert any(changed in f.cells for f in found)
    located = [f for f in found if changed in f.cells]
    assert all(f.cell in f.cells and f.loc is not None for f in located)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(consistent_reports(), st.sampled_from(["html", "docx"]))
def test_any_consistent_report_survives_publish_and_import(tmp_path_factory, report, kind):
    """Whatever the figures, a published report reads back to the same figures."""
    from generator.document import build_document
    from generator.files import write_atomic
    from generator.importer.parse import extract
    from generator.importer.sources import read_source
    from generator.render.docx import render_docx
    from generator.render.html import render_html

    document = build_document(parse_form(form_text(report), "2024.yaml")[0])
    target = tmp_path_factory.mktemp("published") / f"report.{kind}"
    write_atomic(target, render_html(document) if kind == "html" else render_docx(document))
    source = read_source(target)
    result = extract(source.lines, report.format, str(target), source.table_lines)
    assert result.problems == []
    imported = parse_form(write_form(result.report, schema=None), "imported.yaml")[0]
    original = parse_form(form_text(report), "2024.yaml")[0]
    assert {k: c.value for k, c in imported.cells.items()} == {k: c.value for k, c in original.cells.items()}


EDIT_ALPHABET = " \n\t:[]{},-#&*!|>'\"0123456789一二本年新收：，。"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1), st.sampled_from(["insert", "delete", "replace"]), st.sampled_from(list(EDIT_ALPHABET))), min_size=1, max_size=8))
def test_any_damaged_form_gets_messages_not_a_crash(edits):
    """Random typing damage to a real form: the loader and checks answer with findings or an InputError, never an exception."""
    from generator.findings import InputError

    from .helpers import BASE

    text = list(BASE)
    for where, action, char in edits:
        position = min(int(where * len(text)), len(text) - 1)
        if action == "insert":
            text.insert(position, char)
        elif action == "delete":
            del text[position]
        else:
            text[position] = char
    try:
        report, findings = parse_form("".join(text), "2024.yaml")
    except InputError as exc:
        assert exc.finding.message and exc.finding.level == Level.ERROR
        return
    assert all(f.message for f in findings + check_report(report, report))

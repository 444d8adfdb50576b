"""Narrative citations and numbers typed in the narrative."""

from generator.form import parse_form
from generator.narrative import resolve

from .helpers import BASE, check_text, codes, edit, line_of


def test_citations_resolve_to_table_figures():
    text = edit(BASE, "办结 1267 条", "办结 {{ 办理结果总计.总计 }} 条，许可 {{ 行政许可 }} 件，{{ 机关 }}{{ 年度 }}")
    report, _ = parse_form(text, "2024.yaml")
    paragraph = report.parts["总体情况"]["依申请公开"].value
    assert "办结 1267 条，许可 0 件，周口市人民政府办公室2024" in resolve(report, paragraph)
    assert check_text(text) == []


def test_code_between_braces_is_left_as_text():
    text = edit(BASE, "办结 1267 条", "办结 1267 条 {{ ''.__class__ }}")
    report, _ = parse_form(text, "2024.yaml")
    assert "{{ ''.__class__ }}" in resolve(report, report.parts["总体情况"]["依申请公开"].value)


def test_unknown_citation_is_located():
    text = edit(BASE, "办结 1267 条", "办结 {{ 办结数 }} 条")
    finding = next(f for f in check_text(text) if f.code == "E013")
    line = line_of(text, "办结数")
    assert (finding.loc.line, finding.loc.column) == (line, text.split("\n")[line - 1].index("{{") + 1)


def test_typed_number_disagreeing_with_the_table_is_a_warning():
    text = edit(BASE, "办结 1267 条", "办结 1266 条")
    findings = check_text(text)
    assert codes(findings) == ["W301"]
    assert "“办结 1266 条”与表格不符：三、本年度办理结果（七）总计「总计」为 1267" in findings[0].message


def test_numbers_unrelated_to_tables_are_left_alone():
    text = edit(BASE, "办结 1267 条", "办结率 100%。受理审批服务事项 940000 余件。2024年 3 月办结 12 件")
    assert codes(check_text(text)) == []


def test_placeholder_narrative_and_missing_fee_statement():
    text = edit(BASE, "依据《国务院办公厅关于印发<政府信息公开信息处理费管理办法>的通知》（国办函〔2020〕109号）规定，本年度未收取信息处理费。", "无。")
    assert codes(check_text(text)) == ["W401", "W403"]


def test_late_publication_date():
    department = edit(BASE, "年度: 2024\n", "年度: 2024\n发布日期: 2025-02-10\n")
    assert codes(check_text(department)) == ["W404"]
    local = department.replace("机关: 周口市人民政府办公室", "机关: 周口市人民政府")
    assert codes(check_text(local)) == []
    early = edit(BASE, "年度: 2024\n", "年度: 2024\n发布日期: 2024-06-01\n")
    assert codes(check_text(early)) == ["W405"]

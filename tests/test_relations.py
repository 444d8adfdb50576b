"""Each relation of the specification, broken once, is found at the right place."""

from generator.findings import format_text

from .helpers import BASE, check_text, codes, edit, edit_row, line_of


def only(findings, code):
    found = [f for f in findings if f.code == code]
    assert found, [f.message for f in findings]
    return found


def test_e101_row_total_is_sum_of_applicants():
    text = edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0, 1334]")
    finding = only(check_text(text), "E101")[0]
    assert finding.message == "一、本年新收政府信息公开申请数量「总计」应为 1333（各类申请人之和），实为 1334"
    assert (finding.loc.line, finding.loc.column) == (line_of(text, "本年新收:"), text.split("\n")[finding.loc.line - 1].index("1334") + 1)
    assert finding.cell == ("申请处理", "本年新收", "总计")


def test_e103_processing_total_is_sum_of_results():
    text = edit_row(BASE, "办理结果总计", "[1037, 32, 0, 0, 199, 0, 1268]")
    findings = only(check_text(text), "E103")
    assert findings[0].message == "三、本年度办理结果（七）总计「自然人」应为 1036（各办理结果之和），实为 1037"
    assert findings[0].loc.line == line_of(text, "办理结果总计:")
    assert {f.cell[2] for f in findings} == {"自然人", "总计"}
    line = line_of(text, "办理结果总计:")
    column = text.split("\n")[line - 1].index("1037") + 1
    shown = format_text(findings[0], text.split("\n"))
    assert shown.startswith(f"2024.yaml:{line}:{column}: E103 [错误] 三、本年度办理结果（七）总计「自然人」应为 1036（各办理结果之和），实为 1037")


def test_e102_printed_balance_between_received_and_handled():
    text = edit_row(BASE, "结转下年度", "[110, 0, 0, 0, 0, 0, 110]")
    findings = only(check_text(text), "E102")
    assert {f.cell[2] for f in findings} == {"自然人", "总计"}
    assert "一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 = 1145" in findings[0].message
    assert "= 1146，两者应相等" in findings[0].message
    assert codes(check_text(text)) == ["E102", "E102", "W301"]  # the narrative says 结转下年办理 109 条


def test_e104_review_and_litigation_totals():
    text = edit_row(BASE, "复议后起诉", "[1, 0, 0, 0, 0]")
    finding = only(check_text(text), "E104")[0]
    assert finding.message == "行政诉讼复议后起诉「总计」应为 1（结果维持、结果纠正、其他结果、尚未审结之和），实为 0"
    assert finding.loc.line == line_of(text, "复议后起诉:")


def test_every_broken_relation_is_reported_separately():
    text = edit_row(BASE, "办理结果总计", "[1036, 32, 0, 0, 199, 0, 1268]")
    assert codes(check_text(text)) == ["E101", "E102", "E103"]  # the narrative's 办结 1267 条 is the row's sum: right, not W301


def test_omitted_totals_are_computed():
    text = edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0]")
    text = edit(text, "  办理结果总计:                         [1036, 32, 0, 0, 199, 0, 1267]\n", "")
    assert check_text(text) == []


def test_computed_totals_still_balance_the_table():
    text = edit_row(BASE, "予以公开", "[73, 0, 0, 0, 9, 0]")
    text = edit(text, "  办理结果总计:                         [1036, 32, 0, 0, 199, 0, 1267]\n", "")
    assert codes(check_text(text)) == ["E102", "E102", "W301"]  # and the narrative's 办结 1267 条


PREVIOUS = edit_row(edit_row(BASE.replace("年度: 2024", "年度: 2023"), "结转下年度", "[24, 0, 0, 0, 19, 0, 43]"), "行政复议", "[3, 0, 0, 0, 3]")


def test_w201_carried_over_must_match_last_year():
    previous = edit_row(PREVIOUS, "结转下年度", "[20, 0, 0, 0, 19, 0, 39]")
    findings = only(check_text(BASE, previous), "W201")
    assert findings[0].message.startswith("二、上年结转政府信息公开申请数量「自然人」应为 20（上年报告的“四、结转下年度继续办理”），实为 24")
    assert findings[0].level == "warning"


def test_w202_documents_in_force_carry_forward():
    previous = edit_row(PREVIOUS, "行政规范性文件", "[10, 0, 260]")
    finding = only(check_text(BASE, previous), "W202")[0]
    assert "行政规范性文件「现行有效件数」应为 165" in finding.message
    assert finding.loc.line == line_of(BASE, "行政规范性文件:")


def test_continuity_holds_for_a_consistent_previous_year():
    previous = edit_row(PREVIOUS, "行政规范性文件", "[10, 0, 267]")
    # the narrative is last year's word for word: W208 (内容雷同), tested in test_year_on_year
    assert [f for f in check_text(BASE, previous) if f.code != "W208"] == []


def test_i203_pending_cases_from_last_year_are_noted():
    previous = edit_row(edit_row(PREVIOUS, "行政规范性文件", "[10, 0, 267]"), "未经复议直接起诉", "[0, 0, 0, 2, 2]")
    finding = only(check_text(BASE, previous), "I203")[0]
    assert finding.level == "info" and "尚未审结」2 件" in finding.message


def test_e053_previous_report_of_the_wrong_year():
    previous = BASE.replace("年度: 2024", "年度: 2022")
    assert codes(check_text(BASE, previous)) == ["E053"]

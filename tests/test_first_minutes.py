"""The first minutes with a form: what `init` writes, and what `check` says about the mistakes
a new user makes in it (every YAML mistake at once, each at its own line, named for what it is)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from generator.acknowledge import apply_acknowledgements
from generator.findings import InputError
from generator.form import MAX_REPAIRS, parse_form
from generator.narrative import resolve
from generator.review.outputs import json_number
from generator.services import check_file

from .conftest import RICH_EXAMPLE
from .helpers import BASE, check_text, edit, edit_row, line_of, write


def fresh_form(tmp_path, run_cli) -> str:
    target = tmp_path / "2025.yaml"
    assert run_cli("init", "--agency", "某县发展和改革委员会", "--year", "2025", "-o", str(target))[0] == 0
    return target.read_text("utf-8")


def test_init_writes_empty_texts_as_blocks_to_type_into(tmp_path, run_cli):
    text = fresh_form(tmp_path, run_cli)
    assert '""' not in text
    lines = text.split("\n")
    empty = [n for n, line in enumerate(lines, 1) if line.endswith(": |") and not line.startswith("#")]
    assert len(empty) == 7
    for number in empty:  # the next line is the block's indentation, where the user starts typing
        key_indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
        assert lines[number] == " " * (key_indent + 2)
    findings = check_file(str(tmp_path / "2025.yaml")).findings
    assert sorted(f.loc.line for f in findings if f.code == "E052") == empty
    typed = re.sub(r"(主动公开: \|\n +)", r"\1本年度主动公开政府信息 12 条。", text)
    result = check_file(str(write(tmp_path, typed, "typed.yaml")))
    assert result.report.parts["总体情况"]["主动公开"].value == "本年度主动公开政府信息 12 条。"
    assert len([f for f in result.findings if f.code == "E052"]) == 6


def test_build_refuses_a_fresh_form(tmp_path, run_cli):
    fresh_form(tmp_path, run_cli)
    code, _out, err = run_cli("build", str(tmp_path / "2025.yaml"), "-o", str(tmp_path / "out"), "--html")
    assert code == 1 and err.count(" E052 [错误]") == 7 and "未生成正式文件" in err


def filled_form(tmp_path, run_cli) -> str:
    """A fresh form with every text written: two paragraphs each."""
    text = fresh_form(tmp_path, run_cli)
    return re.sub(r"^( *)(\S+): \|\n +\n", lambda m: f"{m[1]}{m[2]}: |\n{m[1]}  本年度{m[2]}工作稳步推进。\n{m[1]}  第二段。\n", text, flags=re.M)


def checked(tmp_path, text: str):
    return check_file(str(write(tmp_path, text, "typed.yaml")))


def syntax_errors(result) -> list[tuple[int, int, str]]:
    return [(f.loc.line, f.loc.column, f.message) for f in result.findings if f.code == "E001"]


def test_the_filled_form_checks_clean_but_for_the_fee_sentence(tmp_path, run_cli):
    assert {f.code for f in checked(tmp_path, filled_form(tmp_path, run_cli)).findings} == {"W403"}


def test_four_mistakes_are_reported_in_one_run_each_at_its_line(tmp_path, run_cli):
    text = filled_form(tmp_path, run_cli)
    text = edit(text, "  主动公开: |\n    本年度主动公开工作稳步推进。\n    第二段。", '  主动公开: "坚持"先审查、后公开"原则，本年度主动公开工作稳步推进。"')
    text = edit(text, "    第二段。\n  # （三）", "  第二段。\n  # （三）")  # 依申请公开's second paragraph
    text = edit(text, "  规章:", "\t规章:")
    text = edit(text, "  行政许可: 0", "  行政许可 0")
    text = edit_row(text, "本年新收", "[1, 0, 0, 0, 0, 0, 3]")
    result = checked(tmp_path, text)
    assert result.unusable  # still: exit code 2, nothing built
    quote, paragraph, tab, colon = syntax_errors(result)
    assert quote[:2] == (line_of(text, "坚持"), text.split("\n")[line_of(text, "坚持") - 1].index('"先') + 1)
    assert "英文引号「\"」被当成了这段文字的结尾" in quote[2]
    assert paragraph[:2] == (text.split("\n").index("  第二段。") + 1, 3)
    assert "这一行的缩进比上面的文字少" in paragraph[2]
    assert tab[:2] == (line_of(text, "\t规章:"), 1) and "制表符" in tab[2]
    assert colon[:2] == (line_of(text, "行政许可 0"), 3) and "缺少冒号" in colon[2]
    others = {(f.code, f.loc.line) for f in result.findings if f.code != "E001"}
    row = line_of(text, "本年新收:")
    assert ("E101", row) in others and ("W403", line_of(text, "其他需要报告的事项:")) in others
    assert not [f for f in result.findings if f.code == "E008"]  # nothing reported missing for a line read past
    assert [f.code for f in result.findings[:4]] == ["E001"] * 4


def test_a_key_moved_to_column_0_is_reported_at_its_own_line(tmp_path, run_cli):
    text = edit(filled_form(tmp_path, run_cli), "  依申请公开: |", "依申请公开: |")
    [(line, column, message)] = syntax_errors(checked(tmp_path, text))
    assert (line, column) == (line_of(text, "依申请公开: |"), 1)
    assert "这一行的缩进比同一层的其他键少" in message


def test_text_indented_no_more_than_its_key(tmp_path, run_cli):
    text = edit(filled_form(tmp_path, run_cli), "    本年度依申请公开工作稳步推进。", "  本年度依申请公开工作稳步推进。")
    [(line, column, message)] = syntax_errors(checked(tmp_path, text))
    assert (line, column) == (line_of(text, "本年度依申请公开"), 3) and "缩进不比上面的“依申请公开:”多" in message


def test_a_key_indented_unlike_its_siblings(tmp_path, run_cli):
    text = edit(filled_form(tmp_path, run_cli), "  上年结转:", "   上年结转:")
    [(line, column, message)] = syntax_errors(checked(tmp_path, text))
    assert (line, column) == (line_of(text, "上年结转:"), 4) and "「上年结转」前有 3 个空格，上一个键「本年新收」" in message


def test_an_unclosed_bracket_at_the_end_names_where_it_opened(tmp_path, run_cli):
    text = filled_form(tmp_path, run_cli) + "已核对: [\n"
    [(line, column, message)] = syntax_errors(checked(tmp_path, text))
    assert (line, column) == (line_of(text, "已核对: ["), 6)
    assert message == "YAML 语法错误：方括号“[”没有闭合：从这里开始，直到文件末尾都没有对应的“]”"


def test_syntax_errors_are_read_past_at_most_50_times(tmp_path):
    text = "年度: 2025\n总体情况:\n" + "".join(f"\t第{n}项: 1\n" for n in range(200))
    result = checked(tmp_path, text)
    assert result.unusable and [line for line, _, _ in syntax_errors(result)] == list(range(3, 3 + MAX_REPAIRS + 1))


def test_two_lines_typed_inside_quotes_are_warned_as_joined(tmp_path, run_cli):
    text = edit(filled_form(tmp_path, run_cli), "  主动公开: |\n    本年度主动公开工作稳步推进。\n    第二段。", '  主动公开: "本年度主动公开工作稳步推进。\n    第二段。"')
    [joined] = [f for f in checked(tmp_path, text).findings if f.code == "W302"]
    assert joined.loc.line == line_of(text, '第二段。"')


def test_a_wrong_result_row_is_not_blamed_on_the_received_row():
    text = edit_row(BASE, "予以公开", "[73, 0, 0, 0, 9, 0]")
    text = edit(text, "  办理结果总计:                         [1036, 32, 0, 0, 199, 0, 1267]\n", "")
    findings = [f for f in check_text(text) if f.code == "E102"]
    assert [f.cell[1] for f in findings] == ["办理结果总计", "办理结果总计"]  # the total of the results, computed
    assert {f.loc.line for f in findings} == {line_of(text, "予以公开:")}  # shown at the first of the rows it adds up


def test_explain_tells_how_to_acknowledge_a_continuity_or_narrative_warning(run_cli):
    for code, place in (("W202", "位置: 行政规范性文件"), ("W301", "位置: 总体情况.依申请公开")):
        out = run_cli("explain", code)[1]
        assert "已核对:" in out and f"- 代码: {code}" in out and place in out


def test_a_reason_is_asked_for_with_an_office_s_example():
    text = BASE + "已核对:\n  - 代码: W301\n    位置: 总体情况.依申请公开\n"
    [missing] = [f for f in apply_acknowledgements(*parse_form(text, "2024.yaml")) if f.code == "E050"]
    assert "已与业务科室核对" in missing.hint and "据原文转录" not in missing.hint


def test_a_carry_over_differing_from_last_year_asks_which_year_is_wrong():
    previous = edit_row(BASE.replace("年度: 2024", "年度: 2023"), "结转下年度", "[25, 0, 0, 0, 19, 0, 44]")
    [carried, _total] = [f for f in check_text(BASE, previous) if f.code == "W201"]
    assert "核对参与求和" not in carried.hint
    assert "改正填错的一方（本年的 24，或上年表单中的 25）" in carried.hint and "已核对" in carried.hint


def test_a_misnamed_total_column_is_offered_the_total():
    text = edit(BASE, "办结 1267 条", "办结 {{ 本年新收.合计 }} 条")
    [unknown] = [f for f in check_text(text) if f.code == "E013"]
    assert unknown.hint.startswith("可用的名称如：本年新收.总计")


def year_on_year_wording(text: str) -> str:
    report, _ = parse_form(edit_row(BASE, "本年新收", "[1241, 32, 0, 0, 180, 0]"), "2024.yaml")
    report.previous, _ = parse_form(BASE.replace("年度: 2024", "年度: 2023"), "2023.yaml")
    return resolve(report, text)


def test_year_on_year_follows_the_text_s_spacing_of_numbers():
    assert year_on_year_wording("全年新收申请{{ 本年新收.总计 }}件，{{ 本年新收.总计 | 同比 }}。") == "全年新收申请1453件，较上年增加120件、增长9.0%。"
    assert year_on_year_wording("全年新收申请 {{ 本年新收.总计 }} 件，{{ 本年新收.总计 | 同比 }}。") == "全年新收申请 1453 件，较上年增加 120 件、增长 9.0%。"


def test_review_json_gives_figures_as_numbers(tmp_path, run_cli):
    folder = tmp_path / "forms"
    folder.mkdir()
    write(folder, BASE)
    run_cli("review", str(folder), "-o", str(tmp_path / "审阅"))
    data = json.loads((tmp_path / "审阅" / "审阅一览.json").read_text("utf-8"))
    figures = data["reports"][0]["figures"]
    assert figures["本年新收.总计"] == 1333 and all(isinstance(v, int) for v in figures.values())
    assert json_number(Decimal("1.25")) == 1.25


def test_a_sharp_change_names_its_cell():
    previous = edit_row(BASE.replace("年度: 2024", "年度: 2023"), "本年新收", "[100, 0, 0, 0, 0, 0]")
    [change] = [f for f in check_text(BASE, previous) if f.code == "I220" and "本年新收" in f.message]
    assert change.cell == ("申请处理", "本年新收", "总计") and change.to_json()["cell"] == ["申请处理", "本年新收", "总计"]


def test_init_from_a_report_not_last_year_s_warns(tmp_path, run_cli):
    for extra, expected in ((("--year", "2026"), "周口市人民政府办公室 2025"), (("--agency", "某县发展和改革委员会"), "某县发展和改革委员会 2024")):
        target = tmp_path / f"{extra[1]}.yaml"
        code, out, err = run_cli("init", "--from", str(RICH_EXAMPLE), *extra, "-o", str(target))
        assert code == 0 and "已生成" in out and target.exists()
        assert f"注意：上年报告是周口市人民政府办公室 2024 年度的报告，不是{expected} 年度的" in err
    code, _out, err = run_cli("init", "--from", str(RICH_EXAMPLE), "-o", str(tmp_path / "2025.yaml"))
    assert code == 0 and err == ""


def test_init_refuses_an_existing_file_before_reading_last_year_s(tmp_path, run_cli):
    unreadable = write(tmp_path, edit_row(BASE, "本年新收", ""), "2024.yaml")  # last year's form with a row not filled in
    target = write(tmp_path, "机关: 我写的内容\n", "2025.yaml")
    code, out, err = run_cli("init", "--from", str(unreadable), "-o", str(target))
    assert code == 2 and out == "" and err == f"{target} 已存在，未覆盖。要覆盖请加 --force，或用 -o 指定其他文件名。\n"
    code, _out, err = run_cli("init", "--from", str(unreadable), "-o", str(tmp_path / "new.yaml"))
    assert code == 0 and "未能读取" in err


ONE_MISTAKE = [
    ("  主动公开: |", "主动公开: |", "比同一层的其他键少"),  # the first key of a mapping at column 0
    ("  本年新收:", " 本年新收:", "比同一层的其他键少"),  # the first row, one space short
    ("  行政复议:", "  行政复议 ", "缺少冒号"),
    ("  规章:", "  规章 ", "缺少冒号"),  # the first row of its section, its colon left out
    ("存在的主要问题及改进情况: |", "\t存在的主要问题及改进情况: |", "制表符"),
    ("机关: 周口", " 机关: 周口", "表单最外层的键前面不加空格"),
    ("存在的主要问题及改进情况: |", " 存在的主要问题及改进情况: |", "与上一个键不同"),
]


@pytest.mark.parametrize(("old", "new", "says"), ONE_MISTAKE)
def test_one_mistake_is_one_error_at_its_line(old, new, says):
    text = edit(BASE, old, new)
    with pytest.raises(InputError) as refused:
        parse_form(text, "2024.yaml")
    [(line, message)] = [(f.loc.line, f.message) for f in refused.value.syntax]
    [mistaken] = [n for n, typed in enumerate(text.split("\n"), 1) if typed.startswith(new)]
    assert line == mistaken and says in message


def test_a_text_key_that_lost_its_colon_is_named_as_such(tmp_path):
    text = edit(BASE, "  依申请公开: |", "  依申请公开 |")
    form = tmp_path / "2024.yaml"
    form.write_text(text, "utf-8")
    findings = check_file(str(form)).findings
    syntax = [f for f in findings if f.code == "E001"]
    assert len(syntax) == 1 and syntax[0].message == "YAML 语法错误：「依申请公开」后面缺少冒号“:”"
    assert syntax[0].loc.line == line_of(text, "  依申请公开 |")
    assert not any(f.code == "W402" for f in findings)  # read past as the key it is

"""The importer reads a published report's structure by position and content, keeps every figure
as printed (the report's own inconsistencies become findings), and settles digits that ran
together with last year's report of the same agency."""

from __future__ import annotations

import copy
from pathlib import Path

from generator.codes import is_import_problem
from generator.format import load_format
from generator.formwriter import write_form
from generator.importer.parse import BY_ARITHMETIC, BY_SPLIT, extract
from generator.importer.sources import read_source
from generator.report import Cell, Report
from generator.services import check_file
from tools.corpus import Row, plain

from .conftest import EXAMPLES

EXAMPLE = next(p for p in EXAMPLES if p.parent.name == "周口市行政服务中心" and p.stem == "2024")  # every table figure 0


def example_with(cells: dict[tuple[str, str], list[int]], year: int = 2024) -> Report:
    """The example report, its year changed and the rows given set (every cell typed)."""
    report = copy.deepcopy(check_file(str(EXAMPLE)).report)
    report.year = year
    report.title = ""
    for (table, row), values in cells.items():
        for column, value in zip(report.format.tables[table].columns, values, strict=True):
            report.cells[(table, row, column.key)] = Cell(value, None, typed=True)
    return report


def printed_as(table_key: str, row_key: str, digits: str):
    """A row hook for `plain`: the row's cells printed as one run of digits."""

    def hook(table, row: Row) -> list[str]:
        groups, label, cells = row
        if table.key == table_key and label == table.row(row_key).label:
            return ["\t".join([*groups, label, digits])]
        return ["\t".join([*groups, label, *cells])]

    return hook


def read(path):
    source = read_source(path)
    return extract(source.lines, load_format(), path.name, source.table_lines)


def test_a_printed_total_that_does_not_add_up_is_kept_and_reported(tmp_path):
    """（七）总计 printed 「20000011」 where the rows give 自然人 11: the printed 2 is kept (not 11
    「由总计和勾稽关系推算」), and `check` reports the inconsistency on it."""
    eleven = [11, 0, 0, 0, 0, 0, 11]
    report = example_with({("申请处理", "本年新收"): eleven, ("申请处理", "予以公开"): eleven, ("申请处理", "办理结果总计"): eleven})
    path = tmp_path / "2024.txt"
    path.write_text(plain(report, printed_as("申请处理", "办理结果总计", "20000011")), "utf-8")
    result = read(path)
    columns = [c.key for c in report.format.tables["申请处理"].columns]
    assert [result.report.value("申请处理", "办理结果总计", c) for c in columns] == [2, 0, 0, 0, 0, 0, 11]
    assert {result.how[("申请处理", "办理结果总计", c)] for c in columns} == {BY_SPLIT}
    assert BY_ARITHMETIC not in result.how.values()
    assert result.problems == []
    assert any("20000011" in n.message and "读作 2 0 0 0 0 0 11" in n.message for n in result.notices)
    findings = check_file(str(path)).findings
    assert any(f.code == "E103" and "自然人" in f.message for f in findings), [f.message for f in findings]


def test_digits_that_ran_together_are_settled_by_last_years_report(tmp_path):
    """「693665」 for 行政规范性文件 cuts ten ways; last year's 现行有效件数 3668 leaves 6 9 3665."""
    this_year = example_with({("第二十条第一项", "行政规范性文件"): [6, 9, 3665]})
    text = plain(this_year, printed_as("第二十条第一项", "行政规范性文件", "693665"))
    alone = tmp_path / "alone" / "2024.txt"
    alone.parent.mkdir()
    alone.write_text(text, "utf-8")
    result = read(alone)
    assert result.open_cuts == 1
    assert any("693665" in p.message and "10 种拆法" in p.message for p in result.problems)

    last_year = example_with({("第二十条第一项", "行政规范性文件"): [1, 0, 3668]}, year=2023)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "2024.txt").write_text(text, "utf-8")
    (folder / "2023.yaml").write_text(write_form(last_year), "utf-8")
    checked = check_file(str(folder / "2024.txt"))
    columns = [c.key for c in this_year.format.tables["第二十条第一项"].columns]
    assert [checked.report.value("第二十条第一项", "行政规范性文件", c) for c in columns] == [6, 9, 3665]
    assert not any(is_import_problem(f.code) for f in checked.findings)

    named = check_file(str(alone), previous=str(folder / "2023.yaml"))  # `--previous`
    assert [named.report.value("第二十条第一项", "行政规范性文件", c) for c in columns] == [6, 9, 3665]
    source = read_source(alone)
    settled = extract(source.lines, load_format(), "2024.txt", previous=last_year)
    assert any("由 2023 年报告" in n.message for n in settled.notices)


def own_wording(text: str) -> str:
    """The example as an agency that words and numbers its report its own way prints it."""
    fmt = load_format()
    five, six = (s for s in fmt.sections if s.number in "五六" and s.number)
    text = text.replace("（三）政府信息管理情况\n", "（三）完善公开制度规范，加强政府信息管理")
    text = text.replace(five.heading, "五、存在的主要问题及整改措施")
    text = text.replace("一、总体情况", "索引号：11410000-2025-00012\n发布机构：周口市行政服务中心\n根据条例编制本报告。\n一、总体情况", 1)
    return text.replace(six.heading, f"{six.heading}\n本年度未收取信息处理费。\n七、本年度工作亮点\n群众满意度达到新高。", 1)


def test_sections_and_parts_in_an_agencys_own_wording_and_line_breaks(tmp_path):
    report = example_with({})
    path = tmp_path / "2024.txt"
    path.write_bytes(own_wording(plain(report)).replace("\n", "\r").encode("utf-8"))  # CR-only line breaks
    result = read(path)
    got = result.report
    assert (got.agency, got.year) == ("周口市行政服务中心", 2024)
    assert got.texts["前言"].value == "根据条例编制本报告。"  # the page's 索引号 lines are not the report's
    management = got.parts["总体情况"]["政府信息管理"].value
    assert management.startswith("完善公开制度规范，加强政府信息管理") and "宣传教育" in management
    assert "完善公开制度规范" not in got.parts["总体情况"]["依申请公开"].value
    assert got.texts["存在的主要问题及改进情况"].value == report.texts["存在的主要问题及改进情况"].value
    other = got.texts["其他需要报告的事项"].value
    assert "七、本年度工作亮点" in other and "群众满意度达到新高。" in other  # nothing read is dropped
    messages = [p.message for p in result.problems]
    assert messages == ["「七、本年度工作亮点」一节不是格式中的任何一节，其文字已放入「六、其他需要报告的事项」，请移到应在的位置"]
    findings = check_file(str(path)).findings
    assert not any(f.code in ("W402", "E052") for f in findings), [f.message for f in findings if f.code in ("W402", "E052")]


def test_title_run_into_the_text_on_one_line(tmp_path):
    report = example_with({})
    text = plain(report).replace("\n", "", 1)  # 「…年度报告一、总体情况（一）…」
    path = tmp_path / "x.txt"
    path.write_text(text, "utf-8")
    got = read(path).report
    assert (got.agency, got.year) == ("周口市行政服务中心", 2024)
    assert got.parts["总体情况"]["主动公开"].value == report.parts["总体情况"]["主动公开"].value


def test_renumbered_sections_with_tables_first(tmp_path):
    """A report that heads its table sections 一、二、三 and puts 总体情况 after them."""
    report = example_with({})
    text = plain(report)
    fmt = load_format()
    sections = {s.number: s.heading for s in fmt.sections if s.number}
    start, tables, rest = text.index(sections["一"]), text.index(sections["二"]), text.index(sections["五"])
    overview = text[start:tables].replace("一、总体情况", "四、总体情况")
    body = text[tables:rest]
    for old, new in (("二、主动公开", "一、主动公开"), ("\n三、收到和处理", "\n二、收到和处理"), ("\n四、政府信息公开行政复议", "\n三、政府信息公开行政复议")):
        body = body.replace(old, new)
    path = tmp_path / "x.txt"
    path.write_text(text[:start] + body + overview + text[rest:], "utf-8")
    result = read(path)
    assert result.problems == []
    assert result.report.parts["总体情况"]["主动公开"].value == report.parts["总体情况"]["主动公开"].value
    assert all(cell.value == 0 for key, cell in result.report.cells.items() if key[0] != "第二十条第八项")


def test_a_web_table_saved_one_cell_a_line_with_bare_pipes_for_empty_cells():
    """陕西 区统计局 2023: 「一、本年新收政府信息公开申请数量 |」, six bare 「|」, 「0 |」: the blanks
    are cells, the printed total 0 proves them 0."""
    path = Path(__file__).parent / "data" / "published" / "shaanxi_tjj_2023.txt"
    result = read(path)
    table = result.report.format.tables["申请处理"]
    for row in ("本年新收", "上年结转"):
        assert [result.report.value("申请处理", row, c.key) for c in table.columns] == [0] * 7
    assert [result.report.value("第二十条第一项", "规章", c) for c in ("本年制发件数", "本年废止件数", "现行有效件数")] == [0, 0, 0]
    assert not any(table.row_title(r) in p.message for p in result.problems for r in ("本年新收", "上年结转"))

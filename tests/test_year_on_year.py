"""Last year found by content, in any form import reads; year-on-year notes, 内容雷同, 同比 citations."""

from __future__ import annotations

from generator.checks import check_report
from generator.codes import Level
from generator.document import Paragraph, build_document
from generator.form import parse_form
from generator.narrative import resolve
from generator.services import check_file

from .conftest import RICH_EXAMPLE, SEEDS
from .helpers import BASE, edit, edit_row, write

# Last year's report of the same agency: this year's 上年结转 carried from it, its narrative rewritten.
LAST = edit_row(BASE.replace("年度: 2024", "年度: 2023"), "结转下年度", "[24, 0, 0, 0, 19, 0, 43]")
LAST = edit_row(LAST, "行政规范性文件", "[10, 0, 267]")
SEED_2024 = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")


def codes(findings) -> list[str]:
    return sorted(f.code for f in findings)


def report_pair(this: str, last: str):
    report, _ = parse_form(this, "2024.yaml")
    previous, _ = parse_form(last, "2023.yaml")
    report.previous = previous
    return report, previous


def test_previous_year_found_by_content_whatever_its_name(tmp_path):
    form = write(tmp_path, BASE)
    write(tmp_path, edit_row(LAST, "结转下年度", "[20, 0, 0, 0, 19, 0, 39]"), "去年的表单.yaml")
    write(tmp_path, BASE.replace("周口市人民政府办公室", "周口市财政局").replace("年度: 2024", "年度: 2023"), "2023.yaml")
    findings = check_file(str(form)).findings
    assert "W201" in codes(findings)
    assert check_file(str(form)).report.previous.agency == "周口市人民政府办公室"


def test_previous_year_found_as_a_published_text(tmp_path):
    """Last year's published report (here a .txt) is read by the importer, not a second reader."""
    form = write(tmp_path, BASE.replace("年度: 2024", "年度: 2025"), "2025.yaml")
    write(tmp_path, SEED_2024, "网站下载.txt")
    result = check_file(str(form))
    assert result.report.previous is not None and result.report.previous.year == 2024
    assert "W201" in codes(result.findings)  # 上年结转 [24, …] ≠ 2024's 结转下年度 [109, …]


def test_explicit_previous_of_another_agency_or_year_is_an_error(tmp_path, run_cli):
    form = write(tmp_path, BASE)
    other = write(tmp_path, LAST.replace("周口市人民政府办公室", "周口市财政局"), "other.yaml")
    code, out, _err = run_cli("check", str(form), "--previous", str(other))
    assert code == 1 and "E053" in out
    assert "周口市财政局 2023 年度" in out and "周口市人民政府办公室 2024 年度" in out
    older = write(tmp_path, BASE.replace("年度: 2024", "年度: 2022"), "older.yaml")
    code, out, _err = run_cli("check", str(form), "--previous", str(older))
    assert code == 1 and "E053" in out and "2022 年度" in out


def test_init_from_a_published_pdf(tmp_path, run_cli, built):
    """Today `init --from 2024.pdf` asks to save the PDF as UTF-8."""
    pdf = built[RICH_EXAMPLE]["pdf"]
    code, _out, err = run_cli("init", "--from", str(pdf), "-o", str(tmp_path / "2025.yaml"))
    assert code == 0, err
    report, _ = parse_form((tmp_path / "2025.yaml").read_text("utf-8"), "2025.yaml")
    assert report.agency == "周口市人民政府办公室" and report.year == 2025
    assert report.value("申请处理", "上年结转", "自然人") == 109


def test_check_previous_accepts_a_published_text(tmp_path, run_cli):
    form = write(tmp_path, BASE.replace("年度: 2024", "年度: 2025"), "2025.yaml")
    published = write(tmp_path, SEED_2024, "last.txt")
    _code, out, _err = run_cli("check", str(form), "--previous", str(published))
    assert "W201" in out and "E053" not in out


def test_sharp_change_in_a_key_figure_is_a_note_with_both_values():
    last = edit_row(LAST, "本年新收", "[500, 32, 0, 0, 180, 0, 712]")
    last = edit_row(last, "结转下年度", "[24, 0, 0, 0, 19, 0, 43]")
    report, previous = report_pair(BASE, last)
    notes = [f for f in check_report(report, previous) if f.code == "I220"]
    assert len(notes) == 1 and notes[0].level == Level.INFO
    assert "2024 年 1333 件，2023 年 712 件" in notes[0].message
    assert "一、本年新收政府信息公开申请数量「总计」" in notes[0].message


def test_small_changes_are_not_noted():
    last = edit_row(LAST, "本年新收", "[1100, 32, 0, 0, 180, 0, 1312]")
    report, previous = report_pair(BASE, last)
    assert "I220" not in codes(check_report(report, previous))


def test_narrative_copied_from_last_year_is_content_similarity():
    report, previous = report_pair(BASE, LAST)
    copied = [f for f in check_report(report, previous) if f.code == "W208"]
    assert copied and all("与 2023 年度报告的同一部分" in f.message and "内容雷同" in f.message for f in copied)
    assert {f.loc.line for f in copied} >= {BASE.split("\n").index("  主动公开: |") + 1}


def test_required_wording_alone_is_not_content_similarity():
    """其他需要报告的事项 repeats the 信息处理费 sentence every year: that is the format's wording."""
    report, previous = report_pair(BASE, LAST)
    copied = {f.message.split("」")[0] for f in check_report(report, previous) if f.code == "W208"}
    assert "「六、其他需要报告的事项" not in copied


def test_rewritten_narrative_is_not_similar():
    lines = LAST.split("\n")
    for part in ("主动公开", "依申请公开", "政府信息管理", "政府信息公开平台建设", "监督保障"):
        at = lines.index(f"  {part}: |") + 1
        lines[at] = f"    上年{part}工作按计划推进，具体情况另见上年度报告全文，此处是为本测试另行撰写的一段概括性说明文字。"
    report, previous = report_pair(BASE, "\n".join(lines))
    copied = [f.message for f in check_report(report, previous) if f.code == "W208"]
    assert copied and not any("总体情况" in m for m in copied)


def year_on_year_text(this: int, last: int) -> str:
    base = edit_row(BASE, "本年新收", f"[{this}, 0, 0, 0, 0, 0]")
    report, _ = report_pair(base, edit_row(LAST, "本年新收", f"[{last}, 0, 0, 0, 0, 0]"))
    return resolve(report, "全年新收申请 {{ 本年新收.总计 }} 件，{{本年新收.总计|同比}}。")


def test_year_on_year_citation_wording():
    assert year_on_year_text(133, 121) == "全年新收申请 133 件，较上年增加 12 件、增长 9.9%。"
    assert year_on_year_text(90, 120) == "全年新收申请 90 件，较上年减少 30 件、下降 25.0%。"
    assert year_on_year_text(120, 120) == "全年新收申请 120 件，与上年持平。"
    assert year_on_year_text(5, 0) == "全年新收申请 5 件，较上年增加 5 件。"


def test_year_on_year_citation_is_built_into_the_report(tmp_path):
    text = edit(BASE, "全年共受理依申请公开 1376 条", "全年共受理依申请公开 1376 条，新收申请{{ 本年新收.总计 | 同比 }}")
    form = write(tmp_path, text)
    write(tmp_path, edit_row(LAST, "本年新收", "[1000, 32, 0, 0, 180, 0, 1212]"), "2023.yaml")
    result = check_file(str(form))
    assert "E055" not in codes(result.findings)
    paragraphs = [b.text for b in build_document(result.report).blocks if isinstance(b, Paragraph)]
    assert any("新收申请较上年增加 121 件、增长 10.0%" in p for p in paragraphs)


def test_year_on_year_citation_problems(tmp_path):
    text = edit(BASE, "办结 1267 条", "办结 1267 条{{ 本年新收.总计 | 同比 }}，{{ 本年新收.总计 | 环比 }}，{{ 本年新收.合计 | 同比 }}，{{ 机关 | 同比 }}")
    findings = check_file(str(write(tmp_path, text))).findings
    assert codes(findings) == ["E013", "E054", "E054", "E055"]
    no_previous = next(f for f in findings if f.code == "E055")
    assert "周口市人民政府办公室 2023 年度的报告" in no_previous.message
    unknown = next(f for f in findings if f.code == "E054")
    assert "「环比」" in unknown.message and unknown.loc.width == len("{{ 本年新收.总计 | 环比 }}")


def test_filters_are_never_evaluated():
    report, _ = report_pair(BASE, LAST)
    for typed in ("{{ 本年新收.总计 | attr('__class__') }}", "{{ 本年新收.总计 | 同比 | 同比 }}", "{{ 1 + 1 }}"):
        assert resolve(report, typed) == typed

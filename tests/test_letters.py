"""The review's letters (问题清单) speak to an agency about its own report; the overview and the
exit code say the reports' problems, not the importer's notes."""

from __future__ import annotations

import re
from pathlib import Path

from docx import Document
from docx.shared import Length

from generator.render.docx import TEMPLATE

from .conftest import EXAMPLES, SEEDS
from .helpers import BASE, edit, edit_row
from .test_review import review_of

SEED = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
CARRIED = "二、上年结转政府信息公开申请数量\t\t24\t0\t0\t0\t19\t0\t43"
CARRIED_WRONG_TOTAL = CARRIED.removesuffix("43") + "44"  # E101: its row gives 43
RUN_TOGETHER = edit(SEED, "行政规范性文件\t18\t113\t172", "行政规范性文件\t18113172")  # E154 only: not the agency's problem
ACKNOWLEDGING = next(p for p in EXAMPLES if "已核对" in p.read_text("utf-8"))


def letters_of(out: Path) -> dict[str, Document]:
    return {p.stem: Document(str(p)) for p in sorted((out / "问题清单").glob("*.docx"))}


def text_of(doc: Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_a_published_reports_letter_has_its_open_problems_only(run_cli, tmp_path):
    wrong = edit(SEED, CARRIED, CARRIED_WRONG_TOTAL)
    code, data, out, _ = review_of(run_cli, tmp_path, {"门户网站.txt": wrong})
    assert code == 1
    codes = [f["code"] for f in data["reports"][0]["findings"]]
    assert "E101" in codes
    (letter,) = letters_of(out).values()
    text = text_of(letter)
    assert "贵单位公开的 2024 年度政府信息公开工作年度报告存在以下问题" in text and "修改后重新公开" in text
    assert "第 40 行：二、上年结转政府信息公开申请数量「总计」应为 43（各类申请人之和），实为 44（E101，错误）" in text
    # a published report is not edited: no hint to change a form, no YAML
    assert "修改建议" not in text and ": |" not in text and "表单" not in text


def test_no_letter_for_what_only_the_importer_could_not_read(run_cli, tmp_path):
    code, data, out, _ = review_of(run_cli, tmp_path, {"连写.txt": RUN_TOGETHER})
    assert [f["code"] for f in data["reports"][0]["findings"]] == ["E154"]  # the office still sees it
    assert code == 0  # the report itself has no error
    assert letters_of(out) == {}
    assert "E154" in (out / "审阅一览.html").read_text("utf-8")


def test_info_findings_and_importer_notes_stay_out_of_a_letter(run_cli, tmp_path):
    last_year = edit_row(edit(BASE, "年度: 2024", "年度: 2023"), "本年新收", "[100, 2, 0, 0, 10, 0, 112]")
    files = {"2024.txt": edit(RUN_TOGETHER, CARRIED, CARRIED_WRONG_TOTAL), "2023.yaml": last_year}
    _code, data, out, _ = review_of(run_cli, tmp_path, files)
    published = next(r for r in data["reports"] if r["file"].endswith("2024.txt"))
    levels = {f["code"]: f["level"] for f in published["findings"]}
    assert levels.get("E154") == "error" and "info" in levels.values(), levels
    letter = text_of(next(iter(letters_of(out).values())))
    shown = set(re.findall(r"（([EWI]\d{3})，", letter))
    assert shown and not any(code.startswith("I") or code == "E154" for code in shown), shown
    assert "提示" not in letter


def test_a_forms_letter_says_form_shows_hints_and_acknowledged_reasons(run_cli, tmp_path):
    form = ACKNOWLEDGING.read_text("utf-8")
    form = edit_row(form, "结转下年度", re.sub(r"\d+\]$", "999]", re.search(r"^  结转下年度:\s*(.+)$", form, re.M).group(1)))
    _code, data, out, _ = review_of(run_cli, tmp_path, {"表单.yaml": form})
    findings = data["reports"][0]["findings"]
    acknowledged = [f for f in findings if f.get("acknowledged")]
    assert acknowledged and any(f["level"] == "error" for f in findings)
    letter = text_of(next(iter(letters_of(out).values())))
    assert "贵单位报送的" in letter and "表单（尚未公开）" in letter and "贵单位公开的" not in letter
    assert "修改建议：" in letter
    body, _, ackd = letter.partition("以下警告贵单位已核对并说明了理由，不再列为问题：")
    for finding in acknowledged:
        assert f"理由：{finding['acknowledged']['reason']}" in ackd
        assert finding["message"] not in body  # not among the open problems, nor with a fix


def title_chars_per_line() -> int:
    """How many characters of the title style fit on a line of the letter's page."""
    doc = Document(str(TEMPLATE))
    section = doc.sections[0]
    width: Length = section.page_width - section.left_margin - section.right_margin
    return int(width / doc.styles["标题"].font.size)


def test_the_title_breaks_between_words(run_cli, tmp_path):
    wrong = edit(SEED, CARRIED, CARRIED_WRONG_TOTAL)
    _code, _data, out, _ = review_of(run_cli, tmp_path, {"门户网站.txt": wrong})
    (letter,) = letters_of(out).values()
    title = letter.paragraphs[0]
    assert title.style.name == "标题"
    lines = title.text.split("\n")
    assert lines == ["周口市人民政府办公室", "政府信息公开工作年度报告问题清单"]
    assert all(len(line) <= title_chars_per_line() for line in lines)
    assert letter.core_properties.title == "周口市人民政府办公室政府信息公开工作年度报告问题清单"


def test_the_overview_says_levels_in_chinese(run_cli, tmp_path):
    wrong = edit(SEED, CARRIED, CARRIED_WRONG_TOTAL)
    _code, _data, out, _ = review_of(run_cli, tmp_path, {"门户网站.txt": wrong, "表单.yaml": ACKNOWLEDGING})
    html = (out / "审阅一览.html").read_text("utf-8")
    levels = re.findall(r"<td class=\"(error|warning|info)\">([^<]*)</td>", html)
    assert {label for _cls, label in levels} >= {"错误", "警告"}
    assert all(label in ("错误", "警告", "提示") for _cls, label in levels)
    assert ">error<" not in html and ">warning<" not in html and "（已核对：" in html


def test_import_notices_are_folded_one_line_per_kind(run_cli, tmp_path):
    lines = SEED.split("\n")
    rows = [i for i, line in enumerate(lines) if line.startswith(("一、本年新收", "二、上年结转", "三、本年度办理结果\t(一)"))]
    for i in rows:
        lines[i] = re.sub(r"\t0(?=\t)", "\t", lines[i])
    source = tmp_path / "空白.txt"
    source.write_text("\n".join(lines), "utf-8")
    code, _out, err = run_cli("import", str(source), "-o", str(tmp_path / "空白.yaml"))
    assert code == 0, err
    folded = [line for line in err.splitlines() if "空白单元格" in line]
    assert folded == [f"{source}：提示：11 个空白单元格按 0 导入（与总计相符）（共 3 行：一、本年新收政府信息公开申请数量、二、上年结转政府信息公开申请数量、三、本年度办理结果（一）予以公开）"]

"""The publish gate: final versus draft builds, and acknowledgements (已核对) in the form."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from docx import Document as read_docx
from pypdf import PdfReader

from generator.codes import Level
from generator.form import parse_form
from generator.formwriter import write_form
from generator.services import check_file

from .conftest import EXAMPLES, ROOT, SEEDS
from .helpers import BASE, edit, edit_row, write

RUZHOU = next(p for p in EXAMPLES if "汝州" in str(p))
ACK_W301 = """
已核对:
  - 代码: W301
    位置: 总体情况.依申请公开
    理由: 办结数按办理口径统计，与表格口径不同，已与业务科室核对
"""
WRONG_FIGURE = edit(BASE, "办结 1267 条", "办结 1266 条")


def codes_of(findings) -> list[str]:
    return sorted(f.code for f in findings)


def test_blank_init_form_is_refused_as_final(tmp_path, run_cli):
    """Today `init` then `build` writes a final-looking PDF of empty sections: empty narrative is an error."""
    form = tmp_path / "2025.yaml"
    assert run_cli("init", "--agency", "某县发展和改革委员会", "--year", "2025", "-o", str(form))[0] == 0
    code, _out, err = run_cli("build", str(form), "-o", str(tmp_path / "out"), "--html")
    assert code == 1 and not (tmp_path / "out").exists()
    assert "E052" in err and "「五、存在的主要问题及改进情况」是空的" in err
    assert "未生成正式文件" in err and "已核对" in err and "--draft" in err


def test_unacknowledged_warning_blocks_final_and_draft_is_named_and_marked(tmp_path, run_cli):
    form = write(tmp_path, WRONG_FIGURE)
    out = tmp_path / "out"
    code, _out, err = run_cli("build", str(form), "-o", str(out))
    assert code == 1 and not out.exists()
    assert "1 个未核对的警告（W301）" in err
    code, printed, _err = run_cli("build", str(form), "-o", str(out), "--draft", "--docx", "--html")
    assert code == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["周口市人民政府办公室2024年政府信息公开工作年度报告（草稿）.docx", "周口市人民政府办公室2024年政府信息公开工作年度报告（草稿）.html"]
    assert "（草稿）" in printed
    docx = read_docx(str(next(out.glob("*.docx"))))
    section = docx.sections[0]
    for header in (section.header, section.even_page_header):
        assert "草稿 未通过校验" in "".join(p.text for p in header.paragraphs)
    assert "草稿 未通过校验" in next(out.glob("*.html")).read_text("utf-8")


def test_final_docx_has_no_draft_mark(tmp_path, run_cli):
    code, _out, _err = run_cli("build", str(RUZHOU), "-o", str(tmp_path), "--docx")
    assert code == 0
    (docx_path,) = tmp_path.glob("*.docx")
    assert "草稿" not in docx_path.name
    section = read_docx(str(docx_path)).sections[0]
    assert "草稿" not in "".join(p.text for h in (section.header, section.even_page_header) for p in h.paragraphs)


def test_carry_over_mismatch_blocks_final(tmp_path, run_cli):
    """W201 (上年结转 ≠ last year's 结转下年度) used to build final."""
    write(tmp_path, BASE)
    last = edit_row(BASE.replace("年度: 2024", "年度: 2023"), "结转下年度", "[20, 0, 0, 0, 19, 0, 39]")
    write(tmp_path, last, "2023.yaml")
    code, _out, err = run_cli("build", str(tmp_path / "2024.yaml"), "-o", str(tmp_path / "out"), "--html")
    assert code == 1 and "W201" in err and not (tmp_path / "out").exists()


def test_unreadable_form_does_not_suggest_draft(tmp_path, run_cli):
    broken = write(tmp_path, "机关: 某局\n年度: [2024\n")
    code, _out, err = run_cli("build", str(broken), "-o", str(tmp_path / "out"), "--draft")
    assert code == 2 and "E001" in err and "--draft" not in err and "草稿" not in err
    assert not (tmp_path / "out").exists()


def test_acknowledged_warning_stays_visible_but_passes(tmp_path, run_cli):
    form = write(tmp_path, WRONG_FIGURE + ACK_W301)
    code, out, _err = run_cli("check", "--strict", str(form))
    assert code == 0
    assert "W301 [警告·已核对]" in out and "= 已核对：办结数按办理口径统计" in out
    assert out.strip().endswith("发现 1 个警告（其中 1 个已核对）。")
    code, out, _err = run_cli("check", "--format", "json", str(form))
    (finding,) = json.loads(out)[0]["findings"]
    assert finding["code"] == "W301" and finding["acknowledged"] == {"reason": "办结数按办理口径统计，与表格口径不同，已与业务科室核对"}
    code, _out, _err = run_cli("build", str(form), "-o", str(tmp_path / "out"), "--html")
    assert code == 0 and "草稿" not in next((tmp_path / "out").glob("*.html")).name


def test_strict_counts_only_unacknowledged_warnings(tmp_path, run_cli):
    assert run_cli("check", "--strict", str(write(tmp_path, WRONG_FIGURE)))[0] == 1
    assert run_cli("check", str(write(tmp_path, WRONG_FIGURE)))[0] == 0


def test_acknowledgement_by_quoted_text(tmp_path):
    ack = "\n已核对:\n  - 代码: W301\n    位置: 办结 1266 条\n    理由: 原文如此\n"
    findings = check_file(str(write(tmp_path, WRONG_FIGURE + ack))).findings
    assert [(f.code, f.acknowledged) for f in findings] == [("W301", "原文如此")]


def test_acknowledgement_problems():
    """No reason: an error. Matching nothing: a warning. An error cannot be acknowledged."""
    text = BASE + (
        "\n已核对:\n"
        "  - 代码: W301\n    位置: 总体情况.依申请公开\n"
        "  - 代码: W401\n    位置: 存在的主要问题及改进情况\n    理由: 原文如此\n"
        "  - 代码: E101\n    位置: 本年新收\n    理由: 原文如此\n"
    )
    findings = checked(text)
    assert codes_of(findings) == ["E050", "E051", "W207"]
    stale = next(f for f in findings if f.code == "W207")
    assert stale.message == "核对 W401「存在的主要问题及改进情况」没有对应的问题"
    assert stale.loc.line == text.split("\n").index("  - 代码: W401") + 1


def checked(text: str, name: str = "2024.yaml"):
    from generator.acknowledge import apply_acknowledgements
    from generator.checks import check_report

    report, findings = parse_form(text, name)
    return apply_acknowledgements(report, findings + check_report(report))


def test_acknowledgements_survive_a_rewrite_by_the_tool():
    report, _ = parse_form(WRONG_FIGURE + ACK_W301, "2024.yaml")
    again, findings = parse_form(write_form(report), "2024.yaml")
    assert findings == [] and again.acknowledgements == [
        a.__class__(a.code, a.place, a.reason, again.acknowledgements[0].loc) for a in report.acknowledgements
    ]


def test_init_from_does_not_carry_acknowledgements(tmp_path, run_cli):
    last = write(tmp_path, RUZHOU.read_text("utf-8"), "2021.yaml")
    code, out, _err = run_cli("init", "--from", str(last), "-o", str(tmp_path / "2022.yaml"))
    assert code == 0 and "3 条“已核对”没有沿用" in out
    assert "已核对:" not in (tmp_path / "2022.yaml").read_text("utf-8")


def test_examples_acknowledge_every_warning_with_a_reason():
    for path in EXAMPLES:
        findings = check_file(str(path)).findings
        assert all(f.level == Level.WARNING and f.acknowledged for f in findings), path


def test_make_report_takes_draft():
    shown = subprocess.run(["make", "-n", "report", "DRAFT=1", "REPORT=x.yaml"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "nianbao build x.yaml -o out --draft" in shown
    shown = subprocess.run(["make", "-n", "report", "REPORT=x.yaml"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "--draft" not in shown


def test_published_report_findings_in_reading_order_without_edit_hints(tmp_path, run_cli):
    """A published text cannot be edited: findings follow its lines and suggest no edit."""
    text = (SEEDS / "003_829a4c12a7fca75b.txt").read_text("utf-8")
    lines = text.split("\n")
    end = lines.index("六、其他需要报告的事项")
    published = write(tmp_path, "\n".join([*lines[: end + 1], "", "无", ""]), "report.txt")
    findings = check_file(str(published)).findings
    assert codes_of(findings) == ["W301", "W301", "W401", "W403"]
    places = [[int(n) for n in f.loc.place.replace("第", " ").replace("行", " ").split()] for f in findings]
    assert places == sorted(places) and findings[-1].code in ("W401", "W403")
    assert all(not f.hint for f in findings)
    _code, out, _err = run_cli("check", str(published))
    assert "建议" not in out and "改为" not in out


def test_schema_lets_editors_complete_acknowledgements():
    from generator.format import load_format
    from generator.schema import form_schema

    entry = form_schema(load_format())["properties"]["已核对"]
    assert entry["type"] == "array" and entry["items"]["required"] == ["代码", "位置", "理由"]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by `make test`")
def test_draft_docx_says_draft_on_every_page_in_libreoffice(tmp_path, run_cli):
    form = write(tmp_path, WRONG_FIGURE)
    assert run_cli("build", str(form), "-o", str(tmp_path / "out"), "--draft", "--docx")[0] == 0
    (docx_path,) = (tmp_path / "out").glob("*.docx")
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    pages = PdfReader(tmp_path / (docx_path.stem + ".pdf")).pages
    assert len(pages) > 3 and all("草稿 未通过校验" in page.extract_text() for page in pages)


def test_import_of_a_report_nianbao_built_keeps_its_acknowledgements(built, tmp_path, run_cli):
    target = tmp_path / "2021.yaml"
    code, _out, err = run_cli("import", str(built[RUZHOU]["pdf"]), "-o", str(target))
    assert code == 0, err
    report, _ = parse_form(target.read_text("utf-8"), "2021.yaml")
    original, _ = parse_form(RUZHOU.read_text("utf-8"), "2021.yaml")
    assert [(a.code, a.place, a.reason) for a in report.acknowledgements] == [(a.code, a.place, a.reason) for a in original.acknowledgements]
    assert check_file(str(target)).blocking == []


@pytest.mark.parametrize("written", ["已核对: W301", "已核对:\n  - W301"])
def test_a_misshapen_acknowledgement_list_is_named_as_such(written):
    text = BASE.rstrip("\n") + "\n" + written + "\n"
    _report, findings = parse_form(text, "2024.yaml")
    [finding] = [f for f in findings if f.code == "E056"]
    assert finding.loc.line == text.split("\n").index(written.split("\n")[-1]) + 1
    assert "已核对" in finding.message

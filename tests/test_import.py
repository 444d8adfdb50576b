"""`nianbao import`: published reports back into the form, figures exact, nothing dropped silently."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.form import parse_form
from generator.format import load_format
from generator.formwriter import write_form
from generator.importer.parse import extract
from generator.importer.sources import Line, Source, read_source
from generator.report import Report
from generator.services import check_file

from .conftest import EXAMPLES, SEEDS

SEED_OF = {
    "000_4784b75f1e8fd915.txt": "周口市行政服务中心/2024.yaml",
    "001_27e23139f88dbf53.txt": "周口市行政服务中心/2021.yaml",
    "002_8a3103fe368513da.txt": "周口市人民政府办公室/2024.yaml",
    "003_829a4c12a7fca75b.txt": "平顶山市城乡一体化示范区城市综合事务服务中心/2024.yaml",
    "004_226338513d31c6cb.txt": "汝州市行政服务中心/2021.yaml",
}
EXAMPLE_DIR = EXAMPLES[0].parent.parent


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def imported(source: Source | list[Line], name: str = "in.txt") -> tuple[Report, list]:
    """Import, write the form, and read it back as `check` would."""
    source = source if isinstance(source, Source) else Source(source)
    result = extract(source.lines, load_format(), name, source.table_lines)
    report, _findings = parse_form(write_form(result.report, notes=result.notes), "imported.yaml")
    return report, result.problems


def narrative(report: Report) -> dict[str, str]:
    texts = {key: squeeze(text.value) for key, text in report.texts.items()}
    texts.update({f"{s}.{p}": squeeze(t.value) for s, parts in report.parts.items() for p, t in parts.items()})
    return texts


def figures(report: Report) -> dict:
    return {key: cell.value for key, cell in report.cells.items()}


def assert_same_report(report: Report, expected: Report) -> None:
    assert figures(report) == figures(expected)
    assert narrative(report) == narrative(expected)


def seed_lines(seed: str) -> Source:
    return read_source(SEEDS / seed)


@pytest.mark.parametrize("seed", sorted(SEED_OF), ids=lambda s: s[:3])
def test_seed_imports_to_its_transcription(seed):
    report, problems = imported(seed_lines(seed))
    expected = check_file(str(EXAMPLE_DIR / SEED_OF[seed])).report
    assert problems == []
    assert report.year == expected.year
    assert report.agency in expected.agency
    assert_same_report(report, expected)


def rewrap(text: str, width: int) -> str:
    """Break long lines at `width` characters, never inside a number (as a PDF would)."""
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            cut = width
            while 0 < cut < len(line) and line[cut - 1].isdigit() and line[cut].isdigit():
                cut -= 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return "\n".join(out)


def lines_of(text: str) -> list[Line]:
    return [Line(t, f"第 {i} 行") for i, t in enumerate(text.split("\n"), 1)]


VARIANTS = {
    "wrap-17": lambda t: rewrap(t, 17),
    "wrap-33": lambda t: rewrap(t, 33),
    "tabs-to-spaces": lambda t: t.replace("\t", "    "),
    "page-furniture": lambda t: re.sub(r"(\n[^\n]*(?:属于行政执法案卷|重复申请|结果纠正)[^\n]*\n)", r"\1— 3 —\n第 3 页 共 6 页\n", t),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("seed", sorted(SEED_OF), ids=lambda s: s[:3])
def test_reflowed_seeds_import_to_the_same_figures(seed, variant):
    text = (SEEDS / seed).read_text("utf-8")
    changed = VARIANTS[variant](text)
    assert changed != text or variant == "tabs-to-spaces"
    report, problems = imported(lines_of(changed))
    expected = check_file(str(EXAMPLE_DIR / SEED_OF[seed])).report
    assert problems == []
    assert figures(report) == figures(expected)


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_round_trip_through_published_files(built, example, kind):
    report, problems = imported(read_source(built[example][kind]))
    expected = check_file(str(example)).report
    assert problems == []
    assert (report.agency, report.year) == (expected.agency, expected.year)
    assert_same_report(report, expected)


def test_saved_web_page_with_navigation_and_scripts(built, tmp_path):
    example = EXAMPLES[2]
    page = built[example]["html"].read_text("utf-8")
    page = page.replace("<main>", '<nav><a href="/">首页</a> 政务公开 2 3 4</nav><script>var x = [1, 2, 3];</script><main>')
    page = page.replace("<main>", '<div class="wrap"><div class="crumbs">首页 > 政务公开 > 年度报告 浏览次数：1024</div><div class="content"><main>')
    page = page.replace(
        "</main>",
        '</main></div><div class="side">相关链接 2023年年报 2022年年报 12345热线</div></div>'
        '<div class="bottom">主办单位 网站标识码 4116000001 ICP备 12345678 号</div><footer>版权所有</footer>',
    )
    saved = tmp_path / "saved.html"
    saved.write_text(page, "utf-8")
    report, problems = imported(read_source(saved))
    assert problems == []
    assert_same_report(report, check_file(str(example)).report)


def test_unknown_row_and_unreadable_cells_are_reported(tmp_path, run_cli):
    text = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
    text = text.replace("2.重复申请\t7\t0\t0\t0\t0\t0\t7", "2.重复的申请材料过多\t7\t0\t0\t0\t0\t0\t8").replace("行政处罚\t0", "行政处罚\t一")
    source = tmp_path / "report.txt"
    source.write_text(text, "utf-8")
    code, out, err = run_cli("import", str(source), "-o", str(tmp_path / "2024.yaml"))
    assert code == 1
    assert "无法识别的表格行「" in err and "重复的申请材料过多" in err
    assert "未能读取「第二十条第（六）项 行政处罚」" in err
    assert re.search(r"report\.txt（第 \d+ 行）: E153 \[错误\] 无法识别", err)  # with its code, as `check` says it
    form = (tmp_path / "2024.yaml").read_text("utf-8")
    # the row's place is known but its total does not confirm it: the column sums prove it instead
    assert "# 注意：自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他 原文空白或未印出，由总计和勾稽关系推算\n  重复申请:" in form
    assert "  行政处罚: null" in form
    code, out, _ = run_cli("check", str(tmp_path / "2024.yaml"))
    assert code == 1 and "E122" in out


def in_2019_format(text: str) -> str:
    """A seed report as the 2019 format printed it: other columns in table two, （六）其他处理 one row."""
    old_table_two = text[text.index("第二十条第（一）项") : text.index("三、收到和处理")]
    text = text.replace(
        old_table_two,
        "第二十条第（一）项\n信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量\n规章\t0\t0\t0\n规范性文件\t18\t18\t172\n"
        "第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t0\t0\t0\n\n",
    )
    start, end = text.index("(六) 其他处理"), text.index("(七) 总计")
    return text[:start] + "(六) 其他处理\t74\t7\t0\t0\t19\t0\t100\n" + text[end:]


def test_report_in_the_2019_format_is_recognised(tmp_path, run_cli):
    source = tmp_path / "2019.txt"
    source.write_text(in_2019_format((SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")), "utf-8")
    code, out, err = run_cli("import", str(source), "--format", "json")
    assert code == 1
    assert "国办公开办函〔2019〕60号（试行）" in err
    assert "「（六）其他处理」在国办公开办函〔2019〕60号（试行）中只有一行" in err
    assert '"format": "国办公开办函〔2019〕60号（试行）"' in out
    assert '"value": "1121"' in out and '"source": "第 ' in out


def test_missing_file_and_unsupported_type(tmp_path, run_cli):
    code, _, err = run_cli("import", str(tmp_path / "无.pdf"))
    assert code == 2 and "找不到文件" in err
    other = tmp_path / "report.xls"
    other.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run_cli("import", str(other))
    assert code == 2 and "不支持的文件类型 .xls" in err
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    code, _, err = run_cli("import", str(broken))
    assert code == 2 and "Traceback" not in err


def test_label_and_number_variants_seen_in_print():
    """「1、」 for 「1.」, typos in labels, thousands separators, full-width digits, a missing section."""
    text = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
    text = text.replace("3.其他\t74", "3、其他\t74").replace("2.其他法律行政法规禁止公开", "2.其他法律行政止公开")
    text = text.replace("1121\t32", "1,121\t３２").replace("政府信息公开行政复议、行政诉讼情况", "政府信息公开行政法复议、行政诉讼情况")
    text = text[: text.index("五、存在的主要问题")] + text[text.index("六、其他需要报告的事项") :]
    result = extract(lines_of(text), load_format(), "in.txt")
    expected = check_file(str(EXAMPLE_DIR / SEED_OF["002_8a3103fe368513da.txt"])).report
    assert [p.message for p in result.problems] == ["未找到「五、存在的主要问题及改进情况」一节"]
    report, _ = parse_form(write_form(result.report, notes=result.notes), "imported.yaml")
    assert figures(report) == figures(expected)
    assert "# 注意：原文中未找到这一节，请手工填写\n存在的主要问题及改进情况:" in write_form(result.report, notes=result.notes)


def test_preface_and_signature_are_kept():
    text = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
    preface = "本报告根据《中华人民共和国政府信息公开条例》要求编制。本报告中所列数据的统计期限自2024年1月1日起至2024年12月31日止。"
    text = text.replace("一、总体情况", preface + "\n\n一、总体情况", 1) + "\n\n周口市人民政府办公室\n2025年1月20日\n"
    result = extract(lines_of(text), load_format(), "in.txt")
    assert result.problems == []
    form = write_form(result.report, notes=result.notes)
    report, findings = parse_form(form, "2024.yaml")
    assert report.texts["前言"].value == preface
    assert str(report.published) == "2025-01-20"
    assert squeeze(report.texts["其他需要报告的事项"].value).endswith("本年度未收取信息处理费。")
    assert [f.code for f in findings] == []


@pytest.fixture(scope="module")
def office_pdfs(built, tmp_path_factory) -> dict[Path, Path]:
    """Each example's DOCX exported to PDF by LibreOffice: a PDF from another producer, as a Word user makes it."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is installed by `make test`")
    out = tmp_path_factory.mktemp("office")
    documents = [built[path]["docx"] for path in EXAMPLES]
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", "pdf", "--outdir", str(out), *map(str, documents)],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return {path: out / (document.stem + ".pdf") for path, document in zip(EXAMPLES, documents, strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_pdf_exported_by_libreoffice_imports_the_same(office_pdfs, example):
    report, problems = imported(read_source(office_pdfs[example]))
    assert problems == []
    assert_same_report(report, check_file(str(example)).report)


@pytest.mark.parametrize(
    ("title", "agency", "year"),
    [
        ("周口市人民政府办公室2024年政府信息公开工作年度报告", "周口市人民政府办公室", 2024),
        ("2023年度某县财政局政府信息公开工作年度报告", "某县财政局", 2023),
        ("某市生态环境局 2022 年 政府信息公开工作年度报告", "某市生态环境局", 2022),
    ],
)
def test_title_variants(title, agency, year):
    text = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
    text = text.replace("周口市人民政府办公室 2024 年政府信息公开工作年度报告", title)
    report = extract(lines_of(text), load_format(), "in.txt").report
    assert (report.agency, report.year) == (agency, year)


def web_table_report() -> str:
    """A report as many county websites publish it: blank cells, only the totals printed,
    "/" for rules the agency cannot make, headings worded a little differently."""
    fmt = load_format()
    applications = fmt.tables["申请处理"]
    rows = []
    for row in applications.rows:
        groups = "\t".join(g.label for g in applications.groups_of_row(row.key) if g.members[0] == row.key)
        cells = ["2", "", "", "", "", "", "2"] if row.key in ("本年新收", "予以公开", "办理结果总计") else [""] * 6 + ["0"]
        rows.append("\t".join(x for x in (groups, row.label) if x) + "\t" + "\t".join(cells))
    return "\n".join(
        [
            "2023年某县统计局政府信息公开年度报告",
            "一、总体情况",
            "（一）主动公开情况",
            "2023年，我局主动公开政府信息50条。",
            "（二）信息管理情况",
            "完善工作机制，规范信息管理流程。",
            "二、主动公开政府信息情况",
            "第二十条第（一）项",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
            "规章\t/\t/\t/",
            "行政规范性文件\t0\t0\t0",
            "第二十条第（五）项",
            "信息内容\t本年处理决定数量",
            "行政许可\t0",
            "第二十条第（六）项",
            "信息内容\t本年处理决定数量",
            "行政处罚\t0",
            "行政强制\t0",
            "第二十条第（八）项",
            "信息内容\t本年收费金额（单位：万元）",
            "行政事业性收费\t0",
            "三、收到和处理政府信息公开申请情况",
            "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）\t申请人情况",
            "自然人\t法人或其他组织\t总计",
            "商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他",
            *rows,
            "四、政府信息公开行政复议及行政诉讼情况",
            "行政复议\t行政诉讼",
            "\t".join(["0"] * 15),
            "五、政府信息公开工作存在的主要问题及改进情况",
            "信息公开的形式还不够丰富。",
            "六、其他需要报告的事项",
            "本年度未收取信息处理费。",
        ]
    )


def test_county_website_table_with_blank_cells_and_slashes(tmp_path, run_cli):
    source = tmp_path / "report.txt"
    source.write_text(web_table_report(), "utf-8")
    code, out, err = run_cli("import", str(source), "-o", str(tmp_path / "2023.yaml"))
    assert code == 0, err
    assert "规章：原文以“/”“—”等表示无，按 0 导入" in err
    assert "一、本年新收政府信息公开申请数量：5 个空白单元格按 0 导入（与总计相符）" in err
    assert "三、本年度办理结果（三）不予公开1.属于国家秘密：6 个空白单元格按 0 导入（与总计相符）" in err
    code, out, _ = run_cli("import", str(source), "--format", "json")
    assert '"message": "第二十条第（一）项 规章：原文以“/”“—”等表示无，按 0 导入"' in out
    report = check_file(str(tmp_path / "2023.yaml")).report
    assert (report.agency, report.year) == ("某县统计局", 2023)
    assert report.value("申请处理", "本年新收", "自然人") == 2 and report.value("申请处理", "本年新收", "其他") == 0
    assert report.value("第二十条第一项", "规章", "现行有效件数") == 0
    assert squeeze(report.texts["存在的主要问题及改进情况"].value) == "信息公开的形式还不够丰富。"
    assert {key for key, text in report.parts["总体情况"].items() if text.value} == {"主动公开", "政府信息管理"}
    code, out, _ = run_cli("check", str(tmp_path / "2023.yaml"))
    assert "E10" not in out  # the imported tables add up


def test_blank_cells_that_arithmetic_cannot_fill_are_reported(tmp_path, run_cli):
    text = web_table_report().replace("一、本年新收政府信息公开申请数量\t2\t\t\t\t\t\t2", "一、本年新收政府信息公开申请数量\t2\t\t\t\t\t\t5")
    source = tmp_path / "report.txt"
    source.write_text(text, "utf-8")
    code, _, err = run_cli("import", str(source), "-o", str(tmp_path / "2023.yaml"))
    assert code == 1
    assert "一、本年新收政府信息公开申请数量：原文有 5 个空白单元格，无法确定，请手工填写" in err
    assert "本年新收:                             [2, null, null, null, null, null, 5]" in (tmp_path / "2023.yaml").read_text("utf-8")


def test_web_page_table_cells_holding_paragraphs_and_blank_cells(tmp_path):
    """Government CMS tables wrap every cell in <p><span>; empty cells are <td></td>."""
    text = web_table_report()

    def row_html(line: str) -> str:
        return "<tr>" + "".join(f'<td><p><span style="font-size:12px">{c}</span></p></td>' if c else "<td></td>" for c in line.split("\t")) + "</tr>"

    body = []
    for line in text.split("\n"):
        body.append(row_html(line) if "\t" in line else f"<p>{line}</p>")
    page = "<html><body><div class='nav'>首页</div><div class='article'>" + "".join(body) + "</div></body></html>"
    page = page.replace("<tr>", "<table><tr>", 1).replace("</tr><p>", "</tr></table><p>")
    saved = tmp_path / "page.html"
    saved.write_text(page, "utf-8")
    source = read_source(saved)
    expected = extract(lines_of(text), load_format(), "report.txt")
    result = extract(source.lines, load_format(), "page.html", source.table_lines)
    assert result.problems == []
    assert figures(result.report) == figures(expected.report)


def test_review_and_litigation_table_with_a_missing_number_is_reported():
    text = web_table_report().replace("\t".join(["0"] * 15), "\t".join(["0"] * 14))
    result = extract(lines_of(text), load_format(), "report.txt")
    assert [p.message for p in result.problems] == ["「行政复议、行政诉讼」表应有 15 个数，读到 14 个，未导入"]
    assert "# 注意：未能从原文读取，请手工填写\n  行政复议:" in write_form(result.report, notes=result.notes)

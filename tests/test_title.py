"""The title breaks between words (GB/T 9704: 回行时词意完整，排列对称), the same in every output."""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.document import EMBEDDED_NAME
from generator.form import parse_form
from generator.titlebreak import MEASURE, title_lines, width

from .helpers import BASE, edit, write
from .test_build import W, pdf_text

TITLE = "2024年政府信息公开工作年度报告"
# Long names of real agencies, as each title is broken: the name, the year, 政府信息公开 / 工作年度报告
# are words, and a name too long for a line breaks after a place or an office.
EXPECTED = {
    "沭阳县发展和改革局": ["沭阳县发展和改革局2024年", "政府信息公开工作年度报告"],
    "上海市住房和城乡建设管理委员会": ["上海市住房和城乡建设管理委员会", "2024年政府信息公开工作年度报告"],
    "中华人民共和国国家发展和改革委员会办公厅": ["中华人民共和国国家发展和改革委员会办公厅", "2024年政府信息公开工作年度报告"],
    "平顶山市城乡一体化示范区城市综合事务服务中心": ["平顶山市城乡一体化示范区", "城市综合事务服务中心2024年", "政府信息公开工作年度报告"],
    "重庆市九龙坡区二郎街道办事处": ["重庆市九龙坡区二郎街道办事处", "2024年政府信息公开工作年度报告"],
    "周口市人民政府办公室": ["周口市人民政府办公室2024年", "政府信息公开工作年度报告"],
    "内蒙古自治区鄂尔多斯市伊金霍洛旗人民政府办公室": ["内蒙古自治区鄂尔多斯市", "伊金霍洛旗人民政府办公室2024年", "政府信息公开工作年度报告"],
    "沭阳县市场监督管理局": ["沭阳县市场监督管理局2024年", "政府信息公开工作年度报告"],
    "湛江市人民政府地方志办公室": ["湛江市人民政府地方志办公室", "2024年政府信息公开工作年度报告"],
    "武汉市汉阳区人民政府办公室": ["武汉市汉阳区人民政府办公室", "2024年政府信息公开工作年度报告"],
    "新疆维吾尔自治区巴音郭楞蒙古自治州和静县人民政府": ["新疆维吾尔自治区巴音郭楞蒙古自治州和静县", "人民政府2024年政府信息公开工作年度报告"],
}
BUILT = ["沭阳县发展和改革局", "中华人民共和国国家发展和改革委员会办公厅", "平顶山市城乡一体化示范区城市综合事务服务中心"]


@pytest.mark.parametrize("agency", EXPECTED)
def test_a_title_breaks_between_words_into_balanced_lines(agency):
    lines = title_lines(agency + TITLE, agency)
    assert lines == EXPECTED[agency]
    assert all(width(line) <= MEASURE for line in lines)


def test_a_name_with_no_word_boundary_is_still_kept_in_the_measure():
    agency = "某某某某某某某某某某某某某某某某某某某某某某某某"
    lines = title_lines(agency + TITLE, agency)
    assert "".join(lines) == agency + TITLE and all(width(line) <= MEASURE for line in lines)
    assert "2024" in next(line for line in lines if "2024" in line)  # the year is not cut


def test_a_short_title_stays_on_one_line():
    assert title_lines("国务院2024年政府信息公开年度报告", "国务院") == ["国务院2024年政府信息公开年度报告"]


def built_outputs(folder: Path, form_text: str) -> dict[str, Path]:
    from generator.cli import main

    form = write(folder, form_text)
    assert main(["build", str(form), "-o", str(folder / "out")]) == 0
    return {kind: next((folder / "out").glob(f"*.{kind}")) for kind in ("pdf", "docx", "html")}


def printed_title_lines(outputs: dict[str, Path], count: int) -> dict[str, list[str]]:
    """The title's lines as each output prints them: PDF text lines, DOCX breaks, HTML <br />."""
    pdf = [line.replace(" ", "") for line in pdf_text(outputs["pdf"], "-l", "1").splitlines() if line.strip()][:count]
    body = ET.fromstring(zipfile.ZipFile(outputs["docx"]).read("word/document.xml")).find(f"{W}body")
    first = body.find(f"{W}p")
    docx = "".join("\n" if element.tag == f"{W}br" else element.text or "" for element in first.iter() if element.tag in (f"{W}t", f"{W}br"))
    heading = re.search(r'<h1 class="title">(.*?)</h1>', outputs["html"].read_text("utf-8"), re.S).group(1)
    return {"pdf": pdf, "docx": docx.split("\n"), "html": heading.split("<br />")}


@pytest.fixture(scope="module", params=BUILT)
def outputs(request, tmp_path_factory) -> tuple[str, dict[str, Path]]:
    agency = request.param
    text = edit(BASE, "机关: 周口市人民政府办公室", f"机关: {agency}")
    return agency, built_outputs(tmp_path_factory.mktemp("title"), text)


def test_every_output_prints_the_same_lines(outputs):
    agency, files = outputs
    for kind, lines in printed_title_lines(files, len(EXPECTED[agency])).items():
        assert lines == EXPECTED[agency], kind


def test_a_line_break_written_in_the_title_is_kept(tmp_path):
    title = "标题: |\n  沭阳县发展和改革局\n  2024年政府信息公开工作年度报告\n"
    text = edit(BASE, "机关: 周口市人民政府办公室\n", "机关: 沭阳县发展和改革局\n" + title)
    files = built_outputs(tmp_path, text)
    for kind, lines in printed_title_lines(files, 2).items():
        assert lines == ["沭阳县发展和改革局", "2024年政府信息公开工作年度报告"], kind
    assert PdfReader(files["pdf"]).metadata.title == "沭阳县发展和改革局2024年政府信息公开工作年度报告"
    embedded = PdfReader(files["pdf"]).attachments[EMBEDDED_NAME][0].decode()
    assert parse_form(embedded, EMBEDDED_NAME)[0].title == "沭阳县发展和改革局\n2024年政府信息公开工作年度报告"  # written back as read


def test_a_title_with_words_too_many_to_try_is_filled_at_once():
    title = "报告 " * 2000
    started = time.perf_counter()
    lines = title_lines(title, "")
    assert time.perf_counter() - started < 1
    assert all(width(line) <= MEASURE for line in lines) and "".join(lines).replace(" ", "") == title.replace(" ", "")

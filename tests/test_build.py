"""`nianbao build`: the PDF, DOCX and HTML of every example hold the whole report, in order."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from generator.document import EMBEDDED_NAME

from .conftest import EXAMPLES, RICH_EXAMPLE, ROOT, example_id
from .helpers import BASE, document_of, edit, edit_row, write

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_in_order(expected: list[str], actual: str) -> None:
    """Every expected text occurs in `actual`, each after the one before (white space ignored)."""
    haystack, position = squeeze(actual), 0
    for item in map(squeeze, expected):
        if not item:
            continue
        found = haystack.find(item, position)
        assert found >= 0, f"missing or out of order: {item!r} after …{haystack[max(position - 40, 0) : position]!r}"
        position = found + len(item)


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_body(path: Path) -> str:
    """The PDF's text in drawing order, without page numbers (they fall inside paragraphs)."""
    return re.sub(r"^— \d+ —$", "", pdf_text(path, "-raw"), flags=re.M)


def docx_text(path: Path) -> str:
    """Paragraphs and table cells in document order, as Word stores them."""
    root = ET.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    return "\n".join("".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p"))


class TextOnly(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.skip = False

    def handle_starttag(self, tag, attrs):
        self.skip = tag in ("style", "title")

    def handle_endtag(self, tag):
        self.skip = False

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_text(path: Path) -> str:
    parser = TextOnly()
    parser.feed(path.read_text("utf-8"))
    return "\n".join(parser.parts)


FORMAT = yaml.safe_load((ROOT / "generator" / "formats" / "gov2021.yaml").read_text("utf-8"))
NUMERALS = "一二三四五六七八九十"


def header_texts(leaves: list[tuple[tuple[str, ...], str]]) -> list[str]:
    """A table's header words row by row as printed: each group label once over its columns (outermost
    row first), each column label on the row under its last group."""
    out = []
    for level in range(1 + max(len(chain) for chain, _label in leaves)):
        previous = None
        for chain, label in leaves:
            if level < len(chain):
                if chain[: level + 1] != previous:
                    out.append(chain[level])
                previous = chain[: level + 1]
            else:
                previous = None
                if level == len(chain):
                    out.append(label)
    return out


def table_texts(table: dict, rows: dict) -> list[str]:
    """A table of the format with the form's figures: caption, headers, then each row's labels and figures."""
    columns = table["columns"]

    def figures(row: dict) -> list[str]:
        value = rows[row["key"]]
        values = value if isinstance(value, list) else [value]
        assert len(values) == len(columns), f"{row['key']}: the form gives every cell, totals too"
        return [str(v) for v in values]

    def row_groups(row: dict) -> list[dict]:
        return [g for g in table.get("row_groups", []) if row["key"] in g["rows"]]

    if table.get("layout") == "one_row":
        leaves = [((*(g["label"] for g in row_groups(row)), row["label"]), c["label"]) for row in table["rows"] for c in columns]
        return [t for t in (table.get("caption"), table.get("note")) if t] + header_texts(leaves) + [v for row in table["rows"] for v in figures(row)]
    groups = table.get("column_groups", [])
    leaves = [(tuple(g["label"] for g in groups if c["key"] in g["columns"]), c["label"]) for c in columns]
    out = [t for t in (table.get("caption"), table.get("note") or table.get("corner")) if t] + header_texts(leaves)
    for row in table["rows"]:
        out += [g["label"] for g in row_groups(row) if g["rows"][0] == row["key"]]
        out += [row["label"], *figures(row)]
    return out


def paragraphs(text: str) -> list[str]:
    return [line.strip().strip("\u3000") for line in text.split("\n") if line.strip()]


def expected_texts(path: Path) -> list[str]:
    """Every heading, paragraph and table cell the report prints, in order, taken from the form
    (its YAML values) and the format's data (its labels), not from the document the renderers take."""
    form = yaml.safe_load(path.read_text("utf-8"))
    tables = {table["key"]: table for table in FORMAT["tables"]}
    out = [form.get("标题") or FORMAT["title"].format(机关=form["机关"], 年度=form["年度"])]
    for section in FORMAT["sections"]:
        value = form.get(section["key"])
        if "number" in section:
            out.append(f"{section['number']}、{section['key']}")
        if section["kind"] == "tables":
            for key in section["tables"]:
                out += table_texts(tables[key], value)
        elif isinstance(value, str):
            out += paragraphs(value)
        elif section["kind"] == "parts" and value:
            out += paragraphs(value.get(section.get("intro"), ""))
            for index, part in enumerate(section["parts"]):
                if part["key"] in value:
                    out += [f"（{NUMERALS[index]}）{part['heading']}", *paragraphs(value[part["key"]])]
    if form.get("发布日期"):
        date = form["发布日期"]
        out += [form["机关"], f"{date.year}年{date.month}月{date.day}日"]
    return out


def test_expected_texts_come_from_the_form_and_the_format():
    texts = squeeze("".join(expected_texts(RICH_EXAMPLE)))
    assert texts.startswith("周口市人民政府办公室2024年政府信息公开工作年度报告一、总体情况（一）主动公开情况围绕上级重大决策部署")
    assert squeeze("（七）总计 1036 32 0 0 199 0 1267 四、结转下年度继续办理 109 0 0 0 0 0 109") in texts
    assert squeeze("行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉") in texts
    assert texts.endswith("本年度未收取信息处理费。")


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
def test_output_holds_every_text_in_order(built, path, kind):
    target = built[path][kind]
    text = {"pdf": pdf_body, "docx": docx_text, "html": html_text}[kind](target)
    assert_in_order(expected_texts(path), text)


def test_rich_example_tables_are_complete(built):
    text = squeeze(pdf_body(built[RICH_EXAMPLE]["pdf"]))
    for label in (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "申请人情况",
        "法人或其他组织",
        "未经复议直接起诉",
        "复议后起诉",
        "3.危及“三安全一稳定”",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    ):
        assert squeeze(label) in text
    assert squeeze("（七）总计 1036 32 0 0 199 0 1267") in text


def test_pdf_metadata_fonts_and_pages(built):
    pdf = built[RICH_EXAMPLE]["pdf"]
    meta = PdfReader(pdf).metadata
    assert meta.title == "周口市人民政府办公室2024年政府信息公开工作年度报告"
    assert meta.author == "周口市人民政府办公室"
    assert meta.creation_date is not None
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)  # structure tags for screen readers
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in fonts), fonts
    assert all(re.match(r"[A-Z]{6}\+", line) for line in fonts)
    assert not any("DejaVu" in line for line in fonts)
    pages = pdf_text(pdf).split("\f")
    numbered = [p for p in pages if p.strip()]
    assert all(f"—{n}—" in squeeze(page) for n, page in enumerate(numbered, 1))


def test_pdf_page_is_a4_with_official_margins(built):
    page = PdfReader(built[RICH_EXAMPLE]["pdf"]).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)


def line_boxes(pdf: Path, page: int) -> list[tuple[float, float, float, str]]:
    """(xMin, xMax, yMin, text) of every text line on a page, from pdftotext -bbox-layout."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = []
    for match in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', xml, re.S):
        words = "".join(re.findall(r">([^<]*)</word>", match.group(4)))
        lines.append((float(match.group(1)), float(match.group(3)), float(match.group(2)), words))
    return sorted(lines, key=lambda line: line[2])


def test_body_lines_fill_the_measure(built):
    """Inter-character justification: every body line but a paragraph's last reaches the right edge."""
    pdf = built[RICH_EXAMPLE]["pdf"]
    mm = 72 / 25.4
    left, right = 28 * mm, (210 - 26) * mm
    lines = [line for line in line_boxes(pdf, 1) if line[2] > 60 * mm and line[2] < 262 * mm]
    body = [line for line in lines if not line[3].startswith(("一、", "（", "—"))]
    assert len(body) >= 12
    checked = 0
    for line, following in zip(lines, [*lines[1:], None], strict=True):
        if line not in body or following is None:
            continue
        next_starts_paragraph = following[0] > left + 20
        if not next_starts_paragraph:
            checked += 1
            assert abs(line[1] - right) < 1.5, f"line ends {right - line[1]:.1f} pt short: {line[3]}"
    assert checked >= 10


def test_body_lines_hold_28_characters(built):
    """GB/T 9704: 28 characters a line. Lines of Chinese only (digits and Latin are narrower) that are
    not a paragraph's first or last hold 28, or 27 where a closing mark may not start the next line."""
    lines = line_boxes(built[RICH_EXAMPLE]["pdf"], 1)
    mm = 72 / 25.4
    full = [text for x_min, x_max, _y, text in lines if abs(x_min - 28 * mm) < 2 and abs(x_max - (210 - 26) * mm) < 2]
    chinese = [text for text in full if not re.search(r"[0-9A-Za-z]", text)]
    assert len(chinese) >= 5
    assert all(len(text) in (27, 28) for text in chinese), chinese
    assert sum(len(text) == 28 for text in chinese) >= len(chinese) * 0.6


def test_html_is_self_contained_and_accessible(built):
    html = built[RICH_EXAMPLE]["html"].read_text("utf-8")
    assert '<html lang="zh-CN">' in html
    assert "<script" not in html and "<link" not in html and "src=" not in html and "@import" not in html
    assert 'scope="colgroup"' in html and 'scope="rowgroup"' in html and 'scope="row"' in html
    assert 'name="viewport"' in html


def test_docx_styles_merges_header_rows_and_page_fields(built):
    archive = zipfile.ZipFile(built[RICH_EXAMPLE]["docx"])
    styles = archive.read("word/styles.xml").decode()
    for name, face in (("正文", "仿宋_GB2312"), ("标题", "方正小标宋简体"), ("一级标题", "黑体"), ("二级标题", "楷体_GB2312")):
        assert f'<w:name w:val="{name}"/>' in styles
        assert f'w:eastAsia="{face}"' in styles
    document = archive.read("word/document.xml").decode()
    assert "<w:gridSpan " in document and '<w:vMerge w:val="restart"/>' in document
    assert "<w:tblHeader" in document
    footers = [archive.read(n).decode() for n in archive.namelist() if n.startswith("word/footer")]
    assert sum("PAGE" in f for f in footers) == 2
    assert "w:evenAndOddHeaders" in archive.read("word/settings.xml").decode()


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by `make test`")
def test_docx_opens_in_libreoffice_with_the_same_text(built, tmp_path):
    documents = [built[path]["docx"] for path in EXAMPLES]
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "txt:Text",
            "--outdir",
            str(tmp_path),
            *map(str, documents),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    for path, document in zip(EXAMPLES, documents, strict=True):
        converted = tmp_path / (document.stem + ".txt")
        assert_in_order(expected_texts(path), converted.read_text("utf-8-sig"))


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<link rel="attachment" href="file:///etc/passwd">',
    "http://127.0.0.1:9/steal",
    "{{ ''.__class__ }}",
    "<script>alert(1)</script>",
]


def test_hostile_narrative_is_printed_as_text(tmp_path, run_cli):
    text = edit(BASE, "本年度未收取信息处理费。", "本年度未收取信息处理费。" + "".join(HOSTILE))
    code, _out, err = run_cli("build", str(write(tmp_path, text)), "-o", str(tmp_path / "out"))
    assert code == 0, err
    pdf = next((tmp_path / "out").glob("*.pdf"))
    printed = squeeze(pdf_body(pdf))
    for item in HOSTILE:
        assert squeeze(item) in printed
    attachments = PdfReader(pdf).attachments
    assert list(attachments) == [EMBEDDED_NAME]  # only the form nianbao embeds, nothing a narrative names
    assert b"root:" not in attachments[EMBEDDED_NAME][0]
    assert "root:" not in printed
    html = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert "<img" not in html and "<script>alert" not in html and "&lt;img src=" in html


def test_errors_refuse_to_build_unless_draft(tmp_path, run_cli):
    broken = write(tmp_path, edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0, 1334]"))
    code, _, err = run_cli("build", str(broken), "-o", str(tmp_path / "out"), "--pdf")
    assert code == 1 and "E101" in err and "未生成" in err
    assert not (tmp_path / "out").exists()
    code, _out, err = run_cli("build", str(broken), "-o", str(tmp_path / "out"), "--pdf", "--draft")
    assert code == 0
    pages = [p for p in pdf_text(next((tmp_path / "out").glob("*.pdf"))).split("\f") if p.strip()]
    assert pages and all("草稿 未通过校验" in page for page in pages)


def test_only_requested_kinds_are_written(tmp_path, run_cli):
    code, _, _ = run_cli("build", str(RICH_EXAMPLE), "-o", str(tmp_path), "--html")
    assert code == 0
    assert [p.suffix for p in tmp_path.iterdir()] == [".html"]


def test_pdf_fetcher_serves_only_the_project_fonts():
    """Even raw HTML that reaches WeasyPrint cannot read files or the network."""
    from weasyprint import HTML

    from generator.render.pdf import project_fetcher

    fetcher = project_fetcher({})
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/steal", "data:text/plain,x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    raw = '<p>正文</p><img src="file:///etc/passwd"><link rel="attachment" href="file:///etc/passwd">'
    pdf = HTML(string=raw, url_fetcher=fetcher).write_pdf()
    assert b"/EmbeddedFile" not in pdf and b"/Subtype /Image" not in pdf and b"root:x" not in pdf


def test_table_three_repeats_its_header_on_every_page(built):
    pages = [squeeze(page) for page in pdf_text(built[RICH_EXAMPLE]["pdf"]).split("\f")]
    first = next(i for i, page in enumerate(pages) if "一、本年新收政府信息公开申请数量" in page)
    last = next(i for i, page in enumerate(pages) if "四、结转下年度继续办理" in page)
    assert last > first
    assert all("申请人情况" in page and "法人或其他组织" in page for page in pages[first : last + 1])


def test_omitted_totals_are_printed_computed(tmp_path, run_cli):
    text = edit_row(edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0]"), "行政复议", "[2, 0, 0, 1]")
    text = edit(text, "  办理结果总计:                         [1036, 32, 0, 0, 199, 0, 1267]\n", "")
    code, _, err = run_cli("build", str(write(tmp_path, text)), "-o", str(tmp_path / "out"), "--pdf")
    assert code == 0, err
    printed = squeeze(pdf_body(next((tmp_path / "out").glob("*.pdf"))))
    assert squeeze("一、本年新收政府信息公开申请数量 1121 32 0 0 180 0 1333") in printed
    assert squeeze("（七）总计 1036 32 0 0 199 0 1267") in printed
    assert squeeze("2 0 0 1 3 0 0 0 0 0 0 0 0 0 0") in printed


def test_pdf_uses_harfbuzz_subsetting():
    """The slow fontTools path (about 20 s a report) must not be the one taken."""
    import logging

    from generator.render.pdf import render_pdf

    class Collect(logging.Handler):
        def __init__(self):
            super().__init__(logging.WARNING)
            self.messages: list[str] = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    collect = Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        render_pdf(document_of(RICH_EXAMPLE))
    finally:
        logger.removeHandler(collect)
    assert not [m for m in collect.messages if "fontTools" in m or "Unable to subset" in m]


def test_doctor_names_the_face_of_every_role(run_cli):
    code, out, _ = run_cli("doctor")
    assert code == 0
    for label in ("标题", "正文", "一级标题", "二级标题", "表格", "页码"):
        assert re.search(rf"[✓!] {label}：", out), out
    assert "快速字体子集化（HarfBuzz subset）：可用" in out
    docx = out[out.index("Word 文档（DOCX）的字体：") : out.index("环境：")]
    for label in ("标题", "正文", "一级标题", "二级标题", "表格", "页码"):
        assert re.search(rf"[✓!] {label}：", docx), docx
    assert "在没有公文字体的电脑上，Word/WPS 按 DOCX 字体表的替代字体显示：标题 华文中宋 → 宋体" in docx


def test_preface_prints_between_title_and_first_heading(tmp_path, run_cli):
    text = edit(BASE, "年度: 2024\n", "年度: 2024\n前言: |\n  本报告根据《中华人民共和国政府信息公开条例》编制。\n")
    code, _, err = run_cli("build", str(write(tmp_path, text)), "-o", str(tmp_path), "--html")
    assert code == 0, err
    page = html_text(next(tmp_path.glob("*.html")))
    assert_in_order(["周口市人民政府办公室2024年政府信息公开工作年度报告", "本报告根据《中华人民共和国政府信息公开条例》编制。", "一、总体情况"], page)


def test_docx_properties_are_in_schema_order(built):
    """Word refuses out-of-order properties ("unreadable content") that LibreOffice lets pass."""
    archive = zipfile.ZipFile(built[RICH_EXAMPLE]["docx"])
    document = ET.fromstring(archive.read("word/document.xml"))
    styles = ET.fromstring(archive.read("word/styles.xml"))
    orders = {
        f"{W}trPr": ["cantSplit", "trHeight", "tblHeader"],
        f"{W}tblPr": ["tblStyle", "tblW", "tblBorders", "tblLayout", "tblCellMar", "tblLook"],
        f"{W}pPr": ["keepNext", "snapToGrid", "spacing", "ind", "jc", "outlineLvl", "rPr"],
    }
    checked = 0
    for root in (document, styles):
        for tag, order in orders.items():
            for element in root.iter(tag):
                names = [child.tag.removeprefix(W) for child in element if child.tag.removeprefix(W) in order]
                assert names == sorted(names, key=order.index), names
                checked += 1
    assert checked > 50


def test_html_data_cells_name_their_headers(built):
    """Screen readers read a cell of table 三 with every header over it and to its left."""
    html = built[RICH_EXAMPLE]["html"].read_text("utf-8")
    header_text = {m.group(1): m.group(2) for m in re.finditer(r'<th id="([^"]+)"[^>]*>([^<]*)</th>', html)}

    def headers_of(value: str) -> list[str]:
        match = re.search(rf'<td class="num" headers="([^"]*)"[^>]*>{value}</td>', html)
        return [header_text[i] for i in match.group(1).split()]

    assert headers_of("1121") == ["申请人情况", "自然人", "一、本年新收政府信息公开申请数量"]
    assert headers_of("1061") == ["申请人情况", "总计", "三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息"]
    assert headers_of("172") == ["第二十条第（一）项", "现行有效件数", "行政规范性文件"]

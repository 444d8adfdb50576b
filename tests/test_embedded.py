"""Reports that carry their own data: the form in the PDF and DOCX, every table cell tagged in the
HTML; import reads it and reports a printed figure edited after generation with both values."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from generator.document import EMBEDDED_NAME, build_document
from generator.importer import import_report
from generator.render.pdf import render_pdf
from generator.services import check_file

from .conftest import EXAMPLES, RICH_EXAMPLE, example_id
from .helpers import BASE, document_of, edit_row, write

PUBLISHED = "年度: 2024\n发布日期: 2025-01-20"


def form_cells(path: Path) -> dict:
    report = check_file(str(path)).report
    return {cell_id: cell.value for cell_id, cell in report.cells.items()}


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_every_output_gives_back_the_embedded_data(built, path, kind):
    result = import_report(built[path][kind], built[path][kind].name)
    assert not result.findings and not result.problems
    assert any(n.place == "内嵌数据" for n in result.notices)
    imported = {cell_id: cell.value for cell_id, cell in result.report.cells.items()}
    assert imported == form_cells(path)


def test_pdf_attachment_is_the_form_as_pdf_a_3_associates_it(built):
    reader = PdfReader(built[RICH_EXAMPLE]["pdf"])
    attachment = reader.attachments[EMBEDDED_NAME][0].decode()
    assert "本年新收:" in attachment and "1121" in attachment
    associated = [spec.get_object() for spec in reader.trailer["/Root"]["/AF"]]  # as Factur-X associates its XML
    assert {(spec["/F"], spec["/AFRelationship"]) for spec in associated} == {(EMBEDDED_NAME, "/Source")}
    assert "/Metadata" in reader.trailer["/Root"] and "/OutputIntents" in reader.trailer["/Root"]


def edited_docx(source: Path, target: Path, old: str, new: str) -> Path:
    """The DOCX with one piece of its text changed, as someone editing it in Word would."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        for member in original.infolist():
            data = original.read(member)
            if member.filename == "word/document.xml":
                assert data.count(old.encode()) == 1
                data = data.replace(old.encode(), new.encode())
            copy.writestr(member, data)
    return target


def edited_pdf(target: Path) -> Path:
    """A PDF whose printed 1121 reads 1122 while its attachment still says 1121."""
    original = check_file(str(RICH_EXAMPLE)).report
    changed = check_file(str(write(target.parent, edit_row(BASE, "本年新收", "[1122, 32, 0, 0, 180, 0, 1334]")))).report
    document = build_document(changed)
    document.data = build_document(original).data
    target.write_bytes(render_pdf(document))
    return target


@pytest.mark.parametrize("kind", ["pdf", "docx", "html"])
def test_a_figure_edited_after_generation_is_reported_with_both_values(built, tmp_path, kind, run_cli):
    source = built[RICH_EXAMPLE][kind]
    if kind == "html":
        edited = tmp_path / "edited.html"
        html = source.read_text("utf-8")
        assert html.count(">1121</td>") == 1
        edited.write_text(html.replace(">1121</td>", ">1122</td>"), "utf-8")
    elif kind == "docx":
        edited = edited_docx(source, tmp_path / "edited.docx", ">1121</w:t>", ">1122</w:t>")
    else:
        edited = edited_pdf(tmp_path / "edited.pdf")
    code, out, _err = run_cli("check", str(edited))
    assert code == 0 and "W090" in out, out  # a warning: --strict fails on it
    line = next(line for line in out.splitlines() if "W090" in line)
    assert "一、本年新收政府信息公开申请数量" in line and "自然人" in line
    assert "印的是 1122" in line and "内嵌的数据是 1121" in line
    assert re.search(r"第 \d+ (页|段|行)", line)
    assert "E101" not in out  # the embedded figures are the ones checked


def test_oversized_or_foreign_embedded_data_is_ignored(built, tmp_path):
    source = built[RICH_EXAMPLE]["docx"]
    target = tmp_path / "big.docx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for member in original.infolist():
            data = original.read(member)
            if b"urn:nianbao:form:1" in data:
                data = data.replace(b"</form>", b"#" * 1_500_000 + b"</form>")
            copy.writestr(member, data)
    result = import_report(target, "big.docx")
    assert not any(n.place == "内嵌数据" for n in result.notices)
    assert result.report.value("申请处理", "本年新收", "自然人") == 1121  # read from the text, as any report


def test_narrative_edited_after_generation_is_reported_with_both_texts(built, tmp_path, run_cli):
    edited = edited_docx(built[RICH_EXAMPLE]["docx"], tmp_path / "edited.docx", "办结 1267 条", "办结 1268 条")
    _code, out, _err = run_cli("check", str(edited))
    line = next(line for line in out.splitlines() if "W092" in line)
    assert "「依申请公开」" in line and "办结1268" in line and "办结1267" in line


def test_a_title_edited_after_generation_is_reported(built, tmp_path, run_cli):
    title = ">周口市人民政府办公室2024年</w:t>"  # the title's first line
    edited = edited_docx(built[RICH_EXAMPLE]["docx"], tmp_path / "edited.docx", title, title.replace("2024", "2023"))
    _code, out, _err = run_cli("check", str(edited))
    line = next(line for line in out.splitlines() if "W091" in line)
    assert "2023" in line and "2024" in line


def test_an_oversized_pdf_attachment_is_ignored(tmp_path):
    document = document_of(RICH_EXAMPLE)
    document.data += "#" + "0" * 1_500_000 + "\n"  # compresses to a few KB, unpacks past the limit
    target = tmp_path / "big.pdf"
    target.write_bytes(render_pdf(document))
    result = import_report(target, "big.pdf")
    assert not any(n.place == "内嵌数据" for n in result.notices)
    assert result.report.value("申请处理", "本年新收", "自然人") == 1121  # read from the text, as any report


def test_import_json_says_the_cells_came_from_the_embedded_data(built, run_cli):
    import json

    from generator.importer.embedded import BY_EMBEDDED

    code, out, _err = run_cli("import", str(built[RICH_EXAMPLE]["pdf"]), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["findings"] == []
    assert {cell["read"] for cell in data["cells"]} == {BY_EMBEDDED}

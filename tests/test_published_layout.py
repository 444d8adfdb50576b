"""What a published report looks like beyond its text: the 落款 laid out per GB/T 9704, and
metadata dated by the form so that one form always builds to the same bytes."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

from pypdf import PdfReader

from generator.importer import import_report

from .helpers import BASE, edit, write

PUBLISHED = "年度: 2024\n发布日期: 2025-01-20"


def build_twice(tmp_path: Path, text: str, run_cli) -> tuple[dict[str, bytes], dict[str, bytes]]:
    form = write(tmp_path, text)
    outputs = []
    for name in ("a", "b"):
        assert run_cli("build", str(form), "-o", str(tmp_path / name))[0] == 0
        outputs.append({p.suffix: p.read_bytes() for p in (tmp_path / name).iterdir()})
    return outputs[0], outputs[1]


def test_one_form_builds_to_the_same_bytes_dated_by_the_form(tmp_path, run_cli):
    first, second = build_twice(tmp_path, edit(BASE, "年度: 2024", PUBLISHED), run_cli)
    assert set(first) == {".pdf", ".docx", ".html"}
    for suffix in first:
        assert first[suffix] == second[suffix], suffix
    metadata = PdfReader(io.BytesIO(first[".pdf"])).metadata
    assert metadata.creation_date.date().isoformat() == metadata.modification_date.date().isoformat() == "2025-01-20"
    core = zipfile.ZipFile(io.BytesIO(first[".docx"])).read("docProps/core.xml").decode()
    assert "<dcterms:created" in core and core.count("2025-01-20T00:00:00Z") == 2
    assert all(info.date_time[:3] == (2025, 1, 20) for info in zipfile.ZipFile(io.BytesIO(first[".docx"])).infolist())
    assert '<meta name="dcterms.created" content="2025-01-20T00:00:00Z" />' in first[".html"].decode()


def test_without_a_date_the_metadata_follows_source_date_epoch(tmp_path, run_cli, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    form = write(tmp_path, BASE)
    assert run_cli("build", str(form), "-o", str(tmp_path / "out"), "--html", "--docx")[0] == 0
    html = next((tmp_path / "out").glob("*.html")).read_text("utf-8")
    assert '<meta name="dcterms.created" content="2025-01-01T00:00:00Z" />' in html
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1738368000")  # 2025-02-01
    assert run_cli("build", str(form), "-o", str(tmp_path / "again"), "--html")[0] == 0
    assert '<meta name="dcterms.created" content="2025-02-01T00:00:00Z" />' in next((tmp_path / "again").glob("*.html")).read_text("utf-8")


def test_signature_block_is_laid_out_per_gbt_9704(tmp_path, run_cli):
    """No seal (7.3.5.2): the agency two characters in from the right, the date on the next line
    starting two characters right of the agency; both read back as the 发布日期."""
    form = write(tmp_path, edit(BASE, "年度: 2024", PUBLISHED))
    assert run_cli("build", str(form), "-o", str(tmp_path / "out"))[0] == 0
    pdf = next((tmp_path / "out").glob("*.pdf"))
    last = len(PdfReader(pdf).pages)
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(last), "-l", str(last), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = {}
    for match in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', xml, re.S):
        lines["".join(re.findall(r">([^<]*)</word>", match.group(4)))] = (float(match.group(1)), float(match.group(3)), float(match.group(2)))
    agency, when = lines["周口市人民政府办公室"], lines["2025年1月20日"]
    right = (210 - 26) / 25.4 * 72  # the right edge of the text block on an odd page
    odd = last % 2 == 1
    edge = right if odd else (210 - 28) / 25.4 * 72
    assert abs(edge - agency[1] - 2 * 16) < 3  # two characters in
    assert abs(when[0] - agency[0] - 2 * 16) < 3  # the date starts two characters right of the agency
    assert 25 < when[2] - agency[2] < 35  # the next line
    result = import_report(pdf, pdf.name)
    assert str(result.report.published) == "2025-01-20"
    docx = next((tmp_path / "out").glob("*.docx"))
    assert str(import_report(docx, docx.name).report.published) == "2025-01-20"


def test_a_date_longer_than_the_agency_keeps_two_characters_in(tmp_path, run_cli):
    """7.3.5.2: the date sits two characters in, the agency starts two characters left of it."""
    form = write(tmp_path, edit(edit(BASE, "年度: 2024", PUBLISHED), "机关: 周口市人民政府办公室", "机关: 周口市局"))
    assert run_cli("build", str(form), "-o", str(tmp_path / "out"), "--pdf")[0] == 0
    pdf = next((tmp_path / "out").glob("*.pdf"))
    last = len(PdfReader(pdf).pages)
    xml = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(last), "-l", str(last), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    boxes = {
        "".join(re.findall(r">([^<]*)</word>", match.group(3))): (float(match.group(1)), float(match.group(2)))
        for match in re.finditer(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</line>', xml, re.S)
    }
    agency, when = boxes["周口市局"], boxes["2025年1月20日"]
    edge = (210 - 26 if last % 2 else 210 - 28) / 25.4 * 72
    assert abs(edge - when[1] - 2 * 16) < 3
    assert abs(when[0] - agency[0] - 2 * 16) < 3

"""The DOCX as LibreOffice lays it out (converted to PDF): no letter-spaced lines, rows not cramped."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.document import GROUP_KEPT_WHOLE
from generator.format import load_format

from .conftest import EXAMPLES, RICH_EXAMPLE
from .helpers import BASE, edit, write
from .test_linebreak import PROVOKING
from .test_pagination import pages_raw, squeeze

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is installed by `make test`")]
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
TABLE_PT = 10.5


def words_by_line(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each text line's words (xMin, yMin, xMax, yMax, text); pdftotext starts a new word where
    glyphs stand apart, so a letter-spaced Chinese line falls into one word a character."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')
    return [[(*map(float, w[:4]), w[4]) for w in word.findall(line)] for line in re.findall(r"<line [^>]*>(.*?)</line>", xml, re.S)]


@pytest.fixture(scope="module")
def converted(built, tmp_path_factory) -> dict[str, Path]:
    """The rich example, the other examples and a narrative written to provoke stretched lines,
    converted by LibreOffice."""
    from generator.cli import main

    folder = tmp_path_factory.mktemp("libreoffice")
    form = write(folder, edit(BASE, "其他需要报告的事项: |\n", "其他需要报告的事项: |\n" + PROVOKING + "\n"))
    assert main(["build", str(form), "-o", str(folder / "provoking"), "--docx"]) == 0
    documents = {"provoking": next((folder / "provoking").glob("*.docx"))}
    documents.update({str(path): built[path]["docx"] for path in EXAMPLES})
    (folder / "in").mkdir()
    for index, (name, document) in enumerate(documents.items()):  # the outputs share names: one folder each
        documents[name] = Path(shutil.copy(document, folder / "in" / f"{index}.docx"))
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder / "pdf"),
            *map(str, documents.values()),
        ],
        capture_output=True,
        check=True,
        timeout=300,
    )
    return {name: folder / "pdf" / (document.stem + ".pdf") for name, document in documents.items()}


def test_no_body_line_is_letter_spaced(converted):
    """Between two Chinese characters of a 三号 line no gap wider than 3 pt (a space typed between
    Chinese and a number, widened by LibreOffice's autospacing, is allowed)."""
    for name, pdf in converted.items():
        for words in words_by_line(pdf):
            if not words or not 14 < words[0][3] - words[0][1] < 22:
                continue
            for left, right in itertools.pairwise(words):
                if CJK.match(left[4][-1]) and CJK.match(right[4][0]):
                    assert right[0] - left[2] <= 3, f"{name}: {left[4]} | {right[4]} {right[0] - left[2]:.1f} pt"


def test_table_rows_are_not_cramped(converted):
    """One-line rows of table 二 stand at least 1.5 lines of their 五号 text apart."""
    tops = {words[0][4]: words[0][1] for words in words_by_line(converted[str(RICH_EXAMPLE)]) if words}
    assert tops["行政规范性文件"] - tops["规章"] >= 1.5 * TABLE_PT
    assert tops["行政强制"] - tops["行政处罚"] >= 1.5 * TABLE_PT


def test_short_row_groups_move_whole_to_the_next_page(converted):
    """Word and LibreOffice cannot print a merged label again on the next page, so a row group of
    table 三 short enough is kept on one page, label and all."""
    table = load_format().tables["申请处理"]
    groups = [group for group in table.row_groups if len(group.members) <= GROUP_KEPT_WHOLE]
    checked = 0
    for name, pdf in converted.items():
        pages = pages_raw(pdf)
        for group in groups:
            labels = [squeeze(table.row(key).label) for key in group.members]
            for number, page in enumerate(pages, 1):
                if any(label in page for label in labels if len(label) >= 5):
                    checked += 1
                    assert squeeze(group.label) in page, f"{name} 第 {number} 页有「{group.label}」的行，没有它的标签"
    assert checked >= len(groups) * len(converted)

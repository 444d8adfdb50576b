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
from .test_linebreak import PHONE_SHAPES, PHONES, PROVOKING
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


SIGNED = "发布日期: 2025-01-20\n"
FILLER = "  本机关将继续做好政府信息公开工作，接受社会监督。\n"  # one line of 三号 text


def convert(folder: Path, documents: list[Path]) -> list[Path]:
    """The DOCX files as LibreOffice lays them out, converted to PDF in one run."""
    command = ["soffice", "--headless", f"-env:UserInstallation=file://{folder}/profile", "--convert-to", "pdf", "--outdir", str(folder / "pdf")]
    subprocess.run([*command, *map(str, documents)], capture_output=True, check=True, timeout=600)
    return [folder / "pdf" / (document.stem + ".pdf") for document in documents]


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> list[Path]:
    """The rich example with a 落款 and one to 22 more lines of text before it (so that one of
    them ends a page where the 落款 would start the next), and telephone numbers; by LibreOffice."""
    from generator.cli import main

    folder = tmp_path_factory.mktemp("signed")
    documents = []
    for lines in range(1, 23):
        text = edit(BASE, "年度: 2024\n", "年度: 2024\n" + SIGNED)
        text = edit(text, "其他需要报告的事项: |\n", "其他需要报告的事项: |\n" + PHONES + "\n" + FILLER * lines)
        form = write(folder, text, f"{lines}.yaml")
        assert main(["build", str(form), "-o", str(folder / str(lines)), "--docx"]) == 0
        documents.append(Path(shutil.copy(next((folder / str(lines)).glob("*.docx")), folder / f"{lines}.docx")))
    return convert(folder, documents)


def test_the_signature_is_never_alone_on_its_page(signed):
    for pdf in signed:
        page = next(page for page in pages_raw(pdf) if "2025年1月20日" in page)
        rest = re.sub(r"—\d+—", "", page.replace("周口市人民政府办公室2025年1月20日", ""))
        assert CJK.search(rest), f"{pdf.name}: 落款独占一页"


def test_telephone_numbers_are_not_broken(signed):
    lines = [line for line in subprocess.run(["pdftotext", "-raw", str(signed[0]), "-"], capture_output=True, text=True, check=True).stdout.splitlines()]
    text = "\n".join(lines)
    for number in PHONE_SHAPES:
        assert text.count(number) == 28, (number, [line for line in lines if "0527" in line and number not in line][:3])


def test_table_two_parts_stay_apart(converted):
    """Table 二's four parts are four tables, not one whose first header rows repeat over the
    others on a new page, and they are kept on one page."""
    for name, pdf in converted.items():
        pages = pages_raw(pdf)
        assert sum(page.count("本年制发件数") for page in pages) == 1, name
        assert len([page for page in pages if "行政许可" in page and "行政事业性收费" in page and "规章" in page]) == 1, name


def test_doctor_says_which_faces_libreoffice_shows(converted):
    """Where an official face is missing, `nianbao doctor` names the face LibreOffice shows the
    DOCX in (fontconfig's choice for Chinese text): the PDF LibreOffice made uses that face."""
    from generator.fonts import installed_families, roles, substitute

    missing = {role.official[0] for role in roles().values()} - installed_families()
    if not missing:
        pytest.skip("every official face is installed")
    listing = subprocess.run(["pdffonts", str(converted[str(RICH_EXAMPLE)])], capture_output=True, text=True, check=True).stdout
    used = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
    for face in missing:
        stand_in = substitute(face).replace(" ", "").removesuffix("SC")  # the PostScript name of one face of the family
        assert any(name.startswith(stand_in) for name in used), (face, stand_in, used)

"""Chinese line breaking in the PDF: no line is visibly letter-spaced before an unbreakable run
(「〔2020〕109号」, a long number, a web address), and lines keep the 避头尾 rules (W3C clreq,
JIS X 4051): no closing mark starts a line, no opening mark ends one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream, FloatObject, NumberObject

from generator.render.weasy import MAX_STRETCH_EM

from .conftest import EXAMPLES, example_id
from .helpers import BASE, edit, write

BODY_PT = 16
# The widest gap allowed between two body characters: the capped stretch (the body's own
# letter-spacing is negative, so this is a little generous).
MAX_GAP_PT = MAX_STRETCH_EM * BODY_PT
ADDRESS = "https://www.zhoukou.gov.cn/zfxxgk/fdzdgknr/zfxxgkndbg/index.html"
PROVOKING = "\n".join(
    f"  年度报告全文{'依法' * n}在门户网站{ADDRESS}公开，文号为周政办〔2020〕109号，统一社会信用代码为11411600MB12345678X，咨询电话0394-8888888。"
    for n in range(10)
)
# Telephone numbers at every position of a line: one of each shape crosses a line end somewhere.
PHONE_SHAPES = ("0527—83593059", "（0527）83593059", "0527-83593059")
PHONES = "\n".join(f"  {('联系' * 14)[:shift]}咨询电话{PHONE_SHAPES[0]}，或{PHONE_SHAPES[1]}、{PHONE_SHAPES[2]}。" for shift in range(28))
NO_LINE_START = "，。、；：？！）》」』】〕〉”’…—%"
NO_LINE_END = "（《「『【〔〈“‘"


def body_gaps(pdf: Path) -> list[tuple[int, float]]:
    """(page, widest gap in pt) of every run of body text: the spacing a PDF adds between glyphs
    beyond their advance is the number between them in a TJ array (pdftotext -bbox-layout reports
    a Chinese line as one word, so the glyph positions are read from the page itself)."""
    reader = PdfReader(pdf)
    found = []
    for number, page in enumerate(reader.pages, 1):
        size = 0.0
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"Tf":
                size = float(operands[1]) * 0.75  # WeasyPrint draws in CSS px
            elif operator == b"TJ" and abs(size - BODY_PT) < 0.5:
                widest, adjustment, glyphs = 0.0, 0.0, 0
                for item in operands[0]:
                    if isinstance(item, NumberObject | FloatObject):
                        adjustment += float(item)
                    elif len(item):
                        if glyphs:
                            widest = max(widest, -adjustment / 1000 * size)
                        adjustment, glyphs = 0.0, glyphs + 1
                found.append((number, widest))
    return found


def body_lines(pdf: Path) -> list[str]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return ["".join(re.findall(r">([^<]*)</word>", line)) for line in re.findall(r"<line [^>]*>(.*?)</line>", xml, re.S)]


@pytest.fixture(scope="module")
def provoking_pdf(tmp_path_factory) -> Path:
    from generator.cli import main

    folder = tmp_path_factory.mktemp("provoking")
    form = write(folder, edit(BASE, "其他需要报告的事项: |\n", "其他需要报告的事项: |\n" + PROVOKING + "\n"))
    assert main(["build", str(form), "-o", str(folder / "out"), "--pdf"]) == 0
    return next((folder / "out").glob("*.pdf"))


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_no_body_line_is_letter_spaced(built, path):
    gaps = body_gaps(built[path]["pdf"])
    assert len(gaps) > 20
    assert max(gap for _page, gap in gaps) <= MAX_GAP_PT, sorted(gaps, key=lambda g: -g[1])[:3]


def test_a_narrative_written_to_provoke_it_is_not_letter_spaced(provoking_pdf):
    gaps = body_gaps(provoking_pdf)
    widest = max(gap for _page, gap in gaps)
    assert widest <= MAX_GAP_PT, widest
    assert sum(gap > 1 for _page, gap in gaps) >= 3  # the narrative did make lines stretch, up to the cap


def test_web_addresses_break_at_their_slashes_and_dots(provoking_pdf):
    lines = body_lines(provoking_pdf)
    assert any(line.endswith(("/", ".")) and "zhoukou" in line for line in lines)
    assert not any(line.endswith("https:/") for line in lines)
    assert any("11411600MB12345678X" in line for line in lines)  # a long number is never broken


@pytest.mark.parametrize("path", [*EXAMPLES, None], ids=[*map(example_id, EXAMPLES), "provoking"])
def test_lines_keep_the_kinsoku_rules(built, provoking_pdf, path):
    pdf = provoking_pdf if path is None else built[path]["pdf"]
    lines = [line for line in body_lines(pdf) if line and not re.fullmatch(r"—\d+—", line)]  # page numbers are 「— 1 —」
    assert len(lines) > 50
    assert not [line for line in lines if line[0] in NO_LINE_START]
    assert not [line for line in lines if line[-1] in NO_LINE_END]


def test_telephone_numbers_are_not_broken(tmp_path):
    from generator.cli import main

    form = write(tmp_path, edit(BASE, "其他需要报告的事项: |\n", "其他需要报告的事项: |\n" + PHONES + "\n"))
    assert main(["build", str(form), "-o", str(tmp_path / "out"), "--pdf"]) == 0
    text = "\n".join(body_lines(next((tmp_path / "out").glob("*.pdf"))))
    for number in PHONE_SHAPES:
        assert text.count(number) == 28, number

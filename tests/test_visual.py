"""Visual regression: page 1 and the page holding table 三 of one example, against references.

`make golden` rewrites the references (NIANBAO_GOLDEN=update); look at them before committing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from .conftest import RICH_EXAMPLE
from .helpers import BASE, edit_row, write
from .test_build import pdf_text

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("NIANBAO_GOLDEN") == "update"
MEAN_TOLERANCE = 0.5  # mean absolute difference, 0–255 grey levels
PIXEL_TOLERANCE = 0.0001  # share of pixels that may differ by more than 32 grey levels (~50 px)


def render_pages(form: Path, out: Path) -> dict[str, Image.Image]:
    """Page 1 and the page holding table 三, as 72 dpi grey images."""
    from generator.cli import main

    assert main(["build", str(form), "-o", str(out), "--pdf"]) == 0
    pdf = next(out.glob("*.pdf"))
    texts = pdf_text(pdf).split("\f")
    table_page = next(i for i, text in enumerate(texts, 1) if "予以公开" in text)
    result = {}
    for name, number in (("page1", 1), ("table3", table_page)):
        stem = out / name
        subprocess.run(["pdftoppm", "-gray", "-r", "72", "-png", "-singlefile", "-f", str(number), "-l", str(number), str(pdf), str(stem)], check=True)
        result[name] = Image.open(stem.with_suffix(".png")).convert("L")
    return result


def differences(rendered: Image.Image, expected: Image.Image) -> tuple[float, float]:
    """(mean difference, share of strongly different pixels)."""
    histogram = ImageChops.difference(rendered, expected).histogram()
    total = rendered.size[0] * rendered.size[1]
    return sum(level * count for level, count in enumerate(histogram)) / total, sum(histogram[32:]) / total


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Image.Image]:
    return render_pages(RICH_EXAMPLE, tmp_path_factory.mktemp("visual"))


@pytest.mark.parametrize("name", ["page1", "table3"])
def test_page_matches_reference(pages, name):
    reference = GOLDEN / f"{name}.png"
    if UPDATE:
        pages[name].save(reference)
        pytest.skip(f"reference {reference.name} rewritten")
    expected = Image.open(reference).convert("L")
    assert pages[name].size == expected.size
    mean, strong = differences(pages[name], expected)
    assert mean <= MEAN_TOLERANCE and strong <= PIXEL_TOLERANCE, f"{name}: mean {mean:.2f}, strong {strong:.5f}"


def test_one_changed_figure_is_noticed(tmp_path):
    """The comparison is not blind: moving one application from 予以公开 to 部分公开 fails it."""
    text = edit_row(edit_row(BASE, "予以公开", "[71, 0, 0, 0, 9, 0, 80]"), "部分公开", "[1, 0, 0, 0, 0, 0, 1]")
    changed = render_pages(write(tmp_path, text), tmp_path / "out")["table3"]
    _, strong = differences(changed, Image.open(GOLDEN / "table3.png").convert("L"))
    assert strong > PIXEL_TOLERANCE

"""The HTML page in a real browser (headless Chromium): readable on a phone, fits on a desktop, prints."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import EXAMPLES, RICH_EXAMPLE, example_id

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM, reason="Chromium is installed by `make test`")]

PROBE = """<script>
const wraps = [...document.querySelectorAll('.table-wrap')];
document.title = JSON.stringify({
  page: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  body: parseFloat(getComputedStyle(document.querySelector('main p')).fontSize),
  tables: wraps.map(w => [w.scrollWidth, w.clientWidth, w.getBoundingClientRect().right]),
});
</script>"""


def chromium(profile: Path, *args: str) -> str:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=True).stdout


def measure(built, tmp_path: Path, width: int) -> dict:
    page = built[RICH_EXAMPLE]["html"].read_text("utf-8").replace("</body>", PROBE + "</body>")
    probe = tmp_path / f"probe-{width}.html"
    probe.write_text(page, "utf-8")
    dom = chromium(tmp_path / "profile", f"--window-size={width},900", "--virtual-time-budget=2000", "--dump-dom", probe.as_uri())
    return json.loads(re.search(r"<title>(.*?)</title>", dom, re.S).group(1).replace("&quot;", '"'))


def test_phone_width_has_no_page_level_horizontal_scroll(built, tmp_path):
    result = measure(built, tmp_path, 390)
    assert result["page"] <= result["viewport"], result
    assert result["body"] >= 16  # px: readable without zooming
    assert all(right <= result["viewport"] + 1 for _, _, right in result["tables"])  # wide tables scroll inside their box


def test_desktop_width_shows_every_table_whole(built, tmp_path):
    result = measure(built, tmp_path, 1280)
    assert result["page"] <= result["viewport"]
    assert all(scroll <= client for scroll, client, _ in result["tables"]), result["tables"]


def test_page_prints_from_the_browser(built, tmp_path):
    pdf = tmp_path / "printed.pdf"
    chromium(tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", built[RICH_EXAMPLE]["html"].as_uri())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "周口市人民政府办公室2024年政府信息公开工作年度报告" in re.sub(r"\s+", "", text)
    assert "申请人情况" in text


LONE_CHARACTERS = """<script>
const lone = [];
for (const cell of document.querySelectorAll('th')) {
  const lines = new Map();
  const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      if (!node.data[i].trim()) continue;
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const top = Math.round(range.getBoundingClientRect().top);
      lines.set(top, (lines.get(top) || '') + node.data[i]);
    }
  }
  const parts = [...lines.values()];
  if (parts.length > 1 && parts.some(part => part.length === 1)) lone.push(parts.join('|'));
}
document.title = JSON.stringify(lone);
</script>"""


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_no_header_cell_leaves_one_character_on_a_line(built, tmp_path, path, width):
    """Every character of every header cell is located; no line of a wrapped header holds one alone
    (「商业企|业」, 「自|然|人」)."""
    page = built[path]["html"].read_text("utf-8").replace("</body>", LONE_CHARACTERS + "</body>")
    probe = tmp_path / "lone.html"
    probe.write_text(page, "utf-8")
    dom = chromium(tmp_path / "profile", f"--window-size={width},900", "--virtual-time-budget=2000", "--dump-dom", probe.as_uri())
    lone = json.loads(re.search(r"<title>(.*?)</title>", dom, re.S).group(1).replace("&quot;", '"'))
    assert lone == [], lone

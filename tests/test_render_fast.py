"""The PDF's shortcuts change nothing on paper: pages parsed by the XML parser, styled with the
user-agent rules they can use and laid out first only as far as needed give the very bytes that
WeasyPrint's own HTML5 parser, its whole user-agent stylesheet and whole layouts give."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from generator.render import paginate, pdf, stylesheets, weasy

from .conftest import EXAMPLES, RICH_EXAMPLE, ROOT, example_id
from .helpers import document_of

WORDS = (frozenset({"html", "body", "p", "table", "tr", "td"}), frozenset({"class", "lang"}))


@pytest.mark.parametrize(
    ("selector", "kept"),
    [
        ("p", True),
        ("li", False),
        ("table > tr", True),
        ("ul p", False),
        ("[hidden]", False),
        ("[lang]", True),
        (":is(colgroup, td)[hidden]", False),
        (":is(colgroup, td)", True),
        (":is(ol, ul) :is(ol, ul)", False),
        (":link", True),
        ("::marker", True),
        ("td:not(.x)", True),
    ],
)
def test_a_rule_is_dropped_only_when_it_needs_what_the_page_lacks(selector, kept):
    assert (selector in stylesheets.usable_rules(f"{selector} {{ color: red }}", WORDS)) is kept


def test_a_rule_keeps_the_selectors_it_can_use_and_at_rules_stay_whole():
    css = "li, p, :is(ul, td)[hidden] { margin: 0 }\n@page { margin: 1cm; @top-left { content: none } }"
    kept = stylesheets.usable_rules(css, WORDS)
    assert kept.startswith("p {") and "hidden" not in kept and "@top-left" in kept


def plain_page(html: str, base_url: str, url_fetcher):
    """The page as WeasyPrint alone reads it: its HTML5 parser, its whole user-agent stylesheet."""
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_the_fast_page_prints_the_same_bytes(path, monkeypatch):
    document = document_of(path)
    fast = pdf.render_pdf(document)
    monkeypatch.setattr(weasy, "Page", plain_page)
    assert pdf.render_pdf(document) == fast


def test_a_draft_prints_the_same_bytes(monkeypatch):
    document = document_of(RICH_EXAMPLE)
    fast = pdf.render_pdf(document, draft=True)
    monkeypatch.setattr(weasy, "Page", plain_page)
    assert pdf.render_pdf(document, draft=True) == fast


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_the_first_layout_of_the_head_breaks_its_tables_where_the_whole_document_does(path):
    """What `paginate` relies on: blocks after the last grouped table move no break above it."""
    document = document_of(path)
    last = max(index for index, block in enumerate(document.blocks) if paginate.has_row_groups(block))
    head = replace(document, blocks=document.blocks[: last + 1])
    assert len(document.blocks) > len(head.blocks)
    whole = paginate.first_rows_of_pages(pdf.lay_out(document))
    assert any(table <= last + 1 for table in whole)  # a grouped table does cross a page
    assert paginate.first_rows_of_pages(pdf.lay_out(head)) == {table: rows for table, rows in whole.items() if table <= last + 1}


@pytest.mark.skipif(sys.platform != "linux", reason="the library search that starts processes is Linux's")
def test_a_pdf_build_starts_no_library_search(tmp_path):
    """`ctypes.util.find_library` starts ldconfig, gcc and ld (0.3 s a build): WeasyPrint must
    always be imported through render/weasy.py, whichever renderer asks first."""
    probe = (
        "import sys, ctypes.util; calls = []; find = ctypes.util.find_library;"
        "ctypes.util.find_library = lambda name: calls.append(name) or find(name);"
        "from generator.cli import main; status = main(['build', sys.argv[1], '-o', sys.argv[2]]); print(status, calls)"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(RICH_EXAMPLE), str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "0 []", result.stdout + result.stderr


def test_a_page_that_is_not_well_formed_xml_is_read_as_html():
    """`&nbsp;` is HTML, not XML: such a page goes to WeasyPrint's HTML5 parser, and still prints."""
    html = "<!DOCTYPE html><html><body><p>政府信息&nbsp;公开<br></p></body></html>"
    page = weasy.Page(html, "file:///", None)
    assert [element.tag for element in page.etree_element.iter()] == ["html", "head", "body", "p", "br"]
    assert len(page.render().pages) == 1

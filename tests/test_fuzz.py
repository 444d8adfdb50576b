"""Time-boxed fuzz runs (hypothesis): the form reader, the importer's readers, the form writer and
the output-name maker, on random input. Only our own findings may come out; every run is bounded
in time (hypothesis' deadline) and in memory (the peak of Python's allocations, traced in one
example of every MEMORY_SAMPLE: tracing every allocation makes a run six times slower); everything
written reads back to the same values."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.document import build_document
from generator.findings import InputError
from generator.form import parse_form
from generator.formwriter import paragraphs, write_form
from generator.importer import import_report
from generator.limits import MAX_NAME_BYTES, MAX_NAME_CHARS, one_line, safe_name
from generator.render.docx import render_docx
from generator.render.html import render_html
from generator.services import blank_report

from .helpers import BASE

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("NIANBAO_FUZZ_EXAMPLES", "60"))  # raise it for a longer run outside the suite
FUZZ = settings(max_examples=EXAMPLES, deadline=3000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=200)  # surrogates and controls too
LINES = BASE.split("\n")
MEMORY_MB = 256  # a form is at most 2 MB, a published text 10 MB: nothing here may need more
MEMORY_SAMPLE = 5  # the first example of a test and every fifth after it are traced


def bounded_memory(test: Callable) -> Callable:
    """The test (under @given) with its sampled examples held under MEMORY_MB of Python allocations at their peak."""
    calls = 0

    @wraps(test)
    def traced(*args, **kwargs):
        nonlocal calls
        calls += 1
        if (calls - 1) % MEMORY_SAMPLE:
            return test(*args, **kwargs)
        tracemalloc.start()
        try:
            test(*args, **kwargs)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < MEMORY_MB * 2**20, f"peak {peak / 2**20:.0f} MB"

    return traced


def only_findings(action) -> None:
    """Run `action`; it may refuse the input with our InputError, and raise nothing else."""
    try:
        action()
    except InputError as refused:
        assert refused.finding.code and refused.finding.message


@FUZZ
@given(line=st.integers(0, len(LINES) - 1), column=st.integers(0, 40), inserted=ANY_TEXT)
@bounded_memory
def test_form_reader_on_edited_forms(line, column, inserted):
    text = "\n".join([*LINES[:line], LINES[line][:column] + inserted + LINES[line][column:], *LINES[line + 1 :]])
    only_findings(lambda: parse_form(text, "2024.yaml"))


def renders(report) -> None:
    """DOCX and HTML of a report (the PDF takes the same document tree; python-docx and lxml are
    the renderers that refuse characters)."""
    document = build_document(report)
    assert render_docx(document) and render_html(document)


@settings(FUZZ, max_examples=EXAMPLES // 3)
@given(line=st.integers(0, len(LINES) - 1), column=st.integers(0, 40), inserted=ANY_TEXT)
@bounded_memory
def test_what_the_reader_accepts_renders(line, column, inserted):
    """Whatever loads (with findings or not: a draft is built anyway) renders."""
    text = "\n".join([*LINES[:line], LINES[line][:column] + inserted + LINES[line][column:], *LINES[line + 1 :]])
    try:
        report, _findings = parse_form(text, "2024.yaml")
    except InputError:
        return
    renders(report)


@FUZZ
@given(text=st.text(st.sampled_from([*"-:[]{}!&*?|>'\"#%@`,\n \t\\ab1年", "\x0b", "\u2028", "\x85", "\ufeff"]), max_size=400))
@bounded_memory
def test_form_reader_on_yaml_shaped_noise(text):
    only_findings(lambda: parse_form(text, "2024.yaml"))


@FUZZ
@given(agency=ANY_TEXT, texts=st.lists(ANY_TEXT, min_size=2, max_size=2), title=ANY_TEXT)
@bounded_memory
def test_written_forms_read_back(agency, texts, title):
    """A form written by import or init loads again to the same values."""
    report = blank_report(agency, 2024)
    fmt = report.format
    parted = next(s for s in fmt.sections if s.kind == "parts")
    whole = next(s for s in fmt.sections if s.kind == "text")
    from generator.location import Loc
    from generator.report import Text

    here = Loc("x", 1, 1)
    report.parts[parted.key] = {parted.parts[0].key: Text(texts[0], here)}
    report.texts[whole.key] = Text(texts[1], here)
    report.title = title
    written = write_form(report, notes={(whole.key, ""): texts[1]})
    back, _findings = parse_form(written, "2024.yaml")
    assert back.agency == one_line(agency).strip()
    assert back.year == 2024
    assert back.parts[parted.key][parted.parts[0].key].value == "\n".join(paragraphs(texts[0]))
    assert back.texts[whole.key].value == "\n".join(paragraphs(texts[1]))


@FUZZ
@given(title=ANY_TEXT)
@bounded_memory
def test_output_names_are_safe(title, tmp_path_factory):
    name = safe_name(title)
    assert name and len(name) <= MAX_NAME_CHARS and len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert not any(ch in name for ch in '\\/:*?"<>|') and not any(ord(ch) < 32 for ch in name)
    assert name == name.strip(" .") and name.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL")
    folder = tmp_path_factory.getbasetemp() / "names"
    folder.mkdir(exist_ok=True)
    target = folder / f"{name}.html"
    assert target.parent == folder
    target.write_text("x", "utf-8")  # the file system takes the name
    target.unlink()


def imported(tmp_path: Path, suffix: str, data: bytes, render: bool = False) -> None:
    """Import the file: only our findings may come out; a report read renders (build takes published files too)."""
    path = tmp_path / f"report{suffix}"
    path.write_bytes(data)
    try:
        result = import_report(path, str(path))
    except InputError as refused:
        assert refused.finding.code and refused.finding.message
        return
    if render:
        renders(result.report)


SEED_TEXT = next((Path(__file__).parent / "data" / "seeds").glob("*.txt")).read_text("utf-8")


@settings(FUZZ, max_examples=EXAMPLES // 2)
@given(cut=st.integers(0, len(SEED_TEXT)), inserted=ANY_TEXT, suffix=st.sampled_from([".txt", ".html"]))
@bounded_memory
def test_importer_text_and_web_page_readers(tmp_path_factory, cut, inserted, suffix):
    text = SEED_TEXT[:cut] + inserted + SEED_TEXT[cut:]
    if suffix == ".html":
        text = "<html><body><div><p>" + text.replace("\n", "</p><p>").replace("\t", "</td><td>") + "</p></div>"
    imported(tmp_path_factory.mktemp("fuzz"), suffix, text.encode("utf-8", errors="surrogatepass"), render=True)


@FUZZ
@given(noise=st.binary(max_size=300), markup=st.text(st.sampled_from(list("<>/=\"' abdiptr!-&#;\n")), max_size=300))
@bounded_memory
def test_importer_readers_on_noise(tmp_path_factory, noise, markup):
    folder = tmp_path_factory.mktemp("fuzz")
    imported(folder, ".html", markup.encode() + noise)
    imported(folder, ".txt", noise)
    imported(folder, ".pdf", b"%PDF-1.4\n" + noise)
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as docx:
        docx.writestr("[Content_Types].xml", noise)
        docx.writestr("word/document.xml", markup)
    imported(folder, ".docx", package.getvalue())
    imported(folder, ".docx", noise)

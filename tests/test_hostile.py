"""Hostile and huge inputs (issue 8): nothing escapes the output folder, nothing explodes,
nothing is half-written, and every message is Chinese, located and bounded."""

from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.findings import InputError
from generator.form import MAX_BYTES, parse_form, scan_structure, surely_within_limits
from generator.importer import sources, tools
from generator.importer.sources import read_source
from generator.limits import MAX_NAME_BYTES, MAX_NAME_CHARS, os_message, safe_name

from .conftest import ROOT, SEEDS
from .helpers import BASE, check_text, codes, edit, edit_row, line_of, write

AGENCY = "机关: 周口市人民政府办公室"
NARRATIVE = "其他需要报告的事项: |"
# English from libyaml, pdftotext, python-docx or the OS
ENGLISH = re.compile(r"\b(error|unacceptable|character|position|exists|space left|permission|denied|traceback|expected|found|while|directory|such file|invalid|syntax|stream)\b", re.I)


def english_free(text: str) -> bool:
    return not ENGLISH.search(text)


def form_with_agency(agency_yaml: str) -> str:
    return edit(BASE, AGENCY, f"机关: {agency_yaml}")


def run_nianbao(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout)


# --- output names -------------------------------------------------------------------------

AGENCIES = {
    "parent-folders": '"../../逃逸"',
    "absolute-path": '"/tmp/逃逸"',
    "slash": '"某市/某局"',
    "newline": '"某市\\n某局"',
    "control-character": '"某市\\u0001某局"',
    "300-characters": "某" * 300,
    "windows-reserved": "CON",
    "windows-characters": '"某局:*?<>|\\\\"',
    "dots": '"..."',
}


@pytest.mark.parametrize("agency", AGENCIES.values(), ids=AGENCIES.keys())
def test_output_names_stay_inside_the_output_folder(tmp_path, run_cli, agency):
    form = write(tmp_path, form_with_agency(agency))
    out = tmp_path / "deep" / "out"
    code, _out, err = run_cli("build", str(form), "-o", str(out), "--html", "--docx", "--draft")
    assert code in (0, 1), err
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != form]
    assert len(written) == 2 and {p.parent for p in written} == {out}, written
    name = written[0].stem
    assert len(name) <= MAX_NAME_CHARS and len(name.encode()) <= MAX_NAME_BYTES
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f]', name) and not name.startswith(".")
    assert name.split(".")[0].upper() not in ("CON", "PRN", "AUX", "NUL")


def test_two_forms_with_one_output_name_are_an_error(tmp_path, run_cli):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", BASE)
    second = write(tmp_path / "b", edit(BASE, "行政许可: 0", "行政许可: 1"))
    out = tmp_path / "out"
    code, _out, err = run_cli("build", str(first), str(second), "-o", str(out), "--html")
    assert code == 2
    assert str(first) in err and str(second) in err and "同名" in err
    (html,) = out.glob("*.html")
    assert ">0<" in html.read_text("utf-8").replace(" ", "")  # the first form's figure, not overwritten


# --- all outputs or none ------------------------------------------------------------------


def test_a_build_that_cannot_write_one_output_writes_none(tmp_path, run_cli):
    form = write(tmp_path, BASE)
    out = tmp_path / "out"
    assert run_cli("build", str(form), "-o", str(out), "--html", "--docx")[0] == 0
    (html,) = out.glob("*.html")
    (docx,) = out.glob("*.docx")
    before = docx.read_bytes()
    html.unlink()
    html.mkdir()  # the HTML cannot be written: a folder has its name
    form.write_text(edit(BASE, "行政许可: 0", "行政许可: 1"), "utf-8")
    code, _out, err = run_cli("build", str(form), "-o", str(out), "--html", "--docx")
    assert code == 2 and "是一个文件夹" in err and html.name in err
    assert english_free(err)
    assert docx.read_bytes() == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_stale_temporary_files_of_a_killed_build_are_removed(tmp_path, run_cli):
    form = write(tmp_path, BASE)
    out = tmp_path / "out"
    assert run_cli("build", str(form), "-o", str(out), "--html")[0] == 0
    (html,) = out.glob("*.html")
    stale = out / f".{html.name}.k1ll3d.tmp"
    stale.write_bytes(b"half")
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    assert run_cli("build", str(form), "-o", str(out), "--html")[0] == 0
    assert not stale.exists()


def test_a_terminated_build_leaves_no_temporary_files(tmp_path):
    """SIGTERM while rendering: the process exits through its clean-up, no temporary file stays."""
    form = write(tmp_path, BASE)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", str(form), "-o", str(out)], cwd=ROOT, stderr=subprocess.PIPE)
    time.sleep(3)
    process.terminate()
    process.communicate(timeout=60)
    assert not [p for p in tmp_path.rglob("*.tmp")]


CONTROL_TEXTS = {
    "vertical-tab": "\\v",
    "nul": "\\0",
    "u+fffe": "\\uFFFE",
    "c1-control": "\\x9b",
    "escape-sequence": "\\e[31m",
    "delete": "\\x7f",
    "lone-surrogate": "\\uD800",
}


@pytest.mark.parametrize("escape", CONTROL_TEXTS.values(), ids=CONTROL_TEXTS.keys())
def test_what_check_accepts_build_renders(tmp_path, run_cli, escape):
    """Control characters written as escapes (where YAML allows them) in a text and in 机关:
    check reports them at their place; a draft build renders PDF, DOCX and HTML."""
    text = form_with_agency(f'"周口市{escape}人民政府办公室"')
    text = edit(text, NARRATIVE, f'其他需要报告的事项: "本年度未收取{escape}信息处理费。"\n旧: |')
    try:
        findings = [f for f in check_text(text) if f.code == "E061"]
    except InputError as refused_:  # YAML itself refuses this escape: a located syntax error, nothing to build
        assert refused_.finding.code == "E001" and refused_.finding.loc.line == line_of(text, "机关:")
        return
    assert {f.loc.line for f in findings} == {line_of(text, "机关:"), line_of(text, "其他需要报告的事项:")}
    form = write(tmp_path, text)
    code, _out, err = run_cli("build", str(form), "-o", str(tmp_path / "out"), "--draft")
    assert code == 0, err
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir()) == [".docx", ".html", ".pdf"]


# --- reads that never end -----------------------------------------------------------------


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("where", ["form", "previous", "sibling-year", "sibling-device", "device", "imported-text", "init-from"])
def test_reads_never_block_on_fifos_or_devices(tmp_path, where):
    form = write(tmp_path, BASE)
    if where == "form":
        args = ["check", str(fifo(tmp_path / "x.yaml"))]
    elif where == "device":
        (tmp_path / "zero.yaml").symlink_to("/dev/zero")
        args = ["check", str(tmp_path / "zero.yaml")]
    elif where == "previous":
        args = ["check", str(form), "--previous", str(fifo(tmp_path / "last.yaml"))]
    elif where == "sibling-year":
        fifo(tmp_path / "2023.yaml")
        args = ["check", str(form)]
    elif where == "sibling-device":
        (tmp_path / "2023.yaml").symlink_to("/dev/zero")
        args = ["check", str(form)]
    elif where == "init-from":
        args = ["init", "--from", str(fifo(tmp_path / "last.yaml")), "-o", str(tmp_path / "new.yaml")]
    else:
        args = ["import", str(fifo(tmp_path / "x.txt"))]
    result = run_nianbao(*args, timeout=30)
    assert "不是普通文件" in result.stdout + result.stderr
    assert result.returncode == (0 if where.startswith("sibling") else 2)
    assert english_free(result.stdout + result.stderr)


def test_the_size_cap_holds_for_what_is_read(tmp_path):
    """A file that reports a small size but is longer (here: a growing one stands in as a big file)."""
    big = tmp_path / "2024.yaml"
    with open(big, "wb") as stream:
        stream.truncate(MAX_BYTES + 1)  # sparse: instant to make, refused after reading cap + 1 bytes
    with pytest.raises(InputError) as refused:
        from generator.form import load_form

        load_form(big)
    assert refused.value.finding.code == "E002"


# --- small forms that crashed ---------------------------------------------------------------

DEEP = {
    "block-sequence": "机关: x\n年度: 2024\n深:\n" + "- " * 50_000 + "x\n",
    "block-mapping": "机关: x\n年度: 2024\n" + "".join(" " * i + f"k{i}:\n" for i in range(2_000)) + " " * 2_000 + "v\n",
    "flow": "机关: x\n年度: 2024\n深: " + "[" * 50_000 + "]" * 50_000 + "\n",
    "mixed": "机关: x\n年度: 2024\n深: " + "- [" * 200 + "]" * 200 + "\n",
}


@pytest.mark.parametrize("text", DEEP.values(), ids=DEEP.keys())
def test_deep_nesting_is_refused_before_composing(tmp_path, text):
    result = run_nianbao("check", str(write(tmp_path, text)))  # a separate process: a crash would be a signal
    assert result.returncode == 2, result.stderr
    assert "E120" in result.stdout and "嵌套超过 100 层" in result.stdout


@settings(max_examples=100, deadline=None)
@example([list] * 110, 0, 2)  # - - - … x: one line
@example([dict, list] * 55, 0, 2)  # each list under its key's own column
@given(st.lists(st.sampled_from([list, dict]), min_size=90, max_size=130), st.integers(0, 130), st.sampled_from([2, 4]))
def test_what_the_text_alone_clears_needs_no_parse(chain, in_brackets, indent):
    """Forms nested about 100 levels deep, every way YAML lays them out (compact “- - x”, a list
    under its key's own column, the innermost levels in brackets): the bounds read off the text
    never clear one that the parse would refuse."""
    block, flow = chain[: len(chain) - in_brackets], chain[len(chain) - in_brackets :]
    text = yaml.safe_dump({"机关": nested(block, "INNER")}, allow_unicode=True, indent=indent, default_flow_style=False)
    text = text.replace("INNER", yaml.safe_dump(nested(flow, "x"), default_flow_style=True, width=10**6).strip())
    if surely_within_limits(text):
        scan_structure(text, "2024.yaml")


def nested(chain: list[type], inner):
    for kind in reversed(chain):
        inner = [inner] if kind is list else {"k": inner}
    return inner


TAGS = {"python-object": "!!python/object/apply:os.system [ls]", "local-tag": "!foo 0", "core-tag": "!!int 0", "verbatim-tag": "!<tag:x> 0"}


@pytest.mark.parametrize("value", TAGS.values(), ids=TAGS.keys())
def test_yaml_tags_are_refused(value):
    with pytest.raises(InputError) as refused:
        parse_form(edit(BASE, "行政许可: 0", f"行政许可: {value}"), "2024.yaml")
    assert refused.value.finding.code == "E062" and refused.value.finding.loc.line == BASE.split("\n").index("  行政许可: 0") + 1


HUGE = "9" * 5_000
BAD_VALUES = {
    "count-5000-digits": (lambda: edit(BASE, "行政许可: 0", f"行政许可: {HUGE}"), "E014"),
    "count-10**30": (lambda: edit(BASE, "行政许可: 0", f"行政许可: {10**30}"), "E014"),
    "count-in-row": (lambda: edit_row(BASE, "复议后起诉", f"[{HUGE}, 0, 0, 0, {HUGE}]"), "E014"),
    "amount-digits": (lambda: edit(BASE, "行政事业性收费: 0", f"行政事业性收费: {HUGE}.5"), "E014"),
    "amount-decimals": (lambda: edit(BASE, "行政事业性收费: 0", f"行政事业性收费: 0.{HUGE}"), "E014"),
    "year-5000-digits": (lambda: edit(BASE, "年度: 2024", f"年度: {HUGE}"), "E127"),
    "year-99999": (lambda: edit(BASE, "年度: 2024", "年度: 99999"), "E127"),
    "year-negative": (lambda: edit(BASE, "年度: 2024", "年度: -3"), "E127"),
    "iso-week-date": (lambda: edit(BASE, AGENCY, AGENCY + "\n发布日期: 2025-W04-1"), "E128"),
    "basic-date": (lambda: edit(BASE, AGENCY, AGENCY + "\n发布日期: 20250120"), "E128"),
    "narrative-figure": (lambda: edit(BASE, "办结 1267 条", f"办结 {'9' * 4_400} 条"), None),  # past int()'s 4,300 digits, within a paragraph
    "narrative-figure-grouped": (lambda: edit(BASE, "办结 1267 条", "办结 1" + ",999" * 1_500 + " 条"), None),
}


@pytest.mark.parametrize(("make", "code"), BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_values_a_table_cannot_show_are_refused_with_a_message(make, code):
    findings = check_text(make())
    if code:
        finding = next(f for f in findings if f.code == code)
        assert len(finding.message) < 200 and english_free(finding.message)
    else:
        assert "E014" not in codes(findings)


INIT_REFUSED = {
    "year-99999": ("某局", "99999"),
    "year-negative": ("某局", "-3"),
    "year-0": ("某局", "0"),
    "agency-newline": ("某局\n机关: 逃逸", "2024"),
    "agency-control": ("某局\x1b[2J", "2024"),
    "agency-line-separator": ("某局\u2028年度: 1", "2024"),
}


@pytest.mark.parametrize(("agency", "year"), INIT_REFUSED.values(), ids=INIT_REFUSED.keys())
def test_init_refuses_what_the_form_cannot_hold(tmp_path, run_cli, agency, year):
    code, _out, err = run_cli("init", "--agency", agency, f"--year={year}", "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "用法错误" in err and not (tmp_path / "x.yaml").exists()


def test_import_refuses_an_impossible_year(tmp_path, run_cli):
    published = next(SEEDS.glob("*.txt"))
    code, _out, err = run_cli("import", str(published), "--year=99999", "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "用法错误" in err and not (tmp_path / "x.yaml").exists()


# --- messages --------------------------------------------------------------------------------


def test_a_control_character_in_the_source_is_located_in_chinese(tmp_path, run_cli):
    text = edit(BASE, "本年度未收取信息处理费", "本年度未收取\x0b信息处理费")
    line = next(i for i, li in enumerate(text.split("\n"), 1) if "\x0b" in li)
    code, out, _err = run_cli("check", str(write(tmp_path, text)))
    assert code == 2 and f"2024.yaml:{line}:" in out and "U+000B" in out
    assert english_free(out) and "\x0b" not in out


def test_terminal_escape_sequences_are_never_echoed(tmp_path, run_cli):
    text = edit(BASE, AGENCY, AGENCY + '\n"\\e[2J\\e]0;owned\\a键": 1')
    code, out, _err = run_cli("check", str(write(tmp_path, text)))
    assert code == 1 and "E007" in out
    assert "\x1b" not in out and "\x07" not in out and "\\u001b" in out


def test_output_is_bounded(tmp_path, run_cli):
    citations = "".join(f"{{{{ 没有{i} }}}}" for i in range(60))
    text = edit(BASE, NARRATIVE, f"{NARRATIVE}\n  {'很长' * 1000}{citations}")
    code, out, _err = run_cli("check", str(write(tmp_path, text)))
    assert code == 1
    assert out.count("E013 [") == 20 and "另有 40 条 E013 未列出" in out
    assert max(len(line) for line in out.split("\n")) < 400


def test_os_errors_are_chinese_and_name_the_file(tmp_path, run_cli):
    with open("/dev/full", "wb", buffering=0) as full, pytest.raises(OSError) as error:
        full.write(b"x")
    assert "磁盘空间不足" in os_message(error.value, "报告.pdf") and "报告.pdf" in os_message(error.value, "报告.pdf")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _out, err = run_cli("init", "--agency", "某局", "--year", "2024", "-o", str(blocker / "2024.yaml"))
    assert code == 2 and str(blocker) in err and english_free(err)
    assert os_message(OSError(errno.EEXIST, "File exists", "x")).endswith("已有同名的文件或文件夹")


# --- limits on text --------------------------------------------------------------------------


def test_paragraph_and_narrative_limits(tmp_path):
    long_paragraph = edit(BASE, NARRATIVE, f"{NARRATIVE}\n  {'字' * 5_001}")
    assert "E063" in codes(check_text(long_paragraph))
    many = "\n".join(f"  {'字' * 4_000}" for _ in range(26))
    assert "E064" in codes(check_text(edit(BASE, NARRATIVE, f"{NARRATIVE}\n{many}")))
    escaped = '"' + "\\n\\\n".join(f"\\u4e00第{i}行" for i in range(40_000)) + '"'
    assert "E064" in codes(check_text(edit(BASE, NARRATIVE, f"其他需要报告的事项: {escaped}\n旧: |")))


def test_typing_mistake_repairs_are_bounded():
    """Each repaired typing mistake costs a parse of the whole form: past the cap, a syntax error."""
    many = BASE + "".join(f"k{i}:\u30002\n" for i in range(1_000))
    with pytest.raises(InputError) as refused:
        parse_form(many, "2024.yaml")
    assert refused.value.finding.code == "E001"


# --- exit codes -------------------------------------------------------------------------------


def test_an_unreadable_previous_is_exit_code_2(tmp_path, run_cli):
    form = write(tmp_path, BASE)
    broken = write(tmp_path, "机关: [", "last.yaml")
    code, out, _err = run_cli("check", str(form), "--previous", str(broken))
    assert code == 2 and "W206" in out


# --- limits on published files ----------------------------------------------------------------


def docx_with(tmp_path: Path, parts: dict[str, bytes], name: str = "x.docx") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for part, data in parts.items():
            package.writestr(part, data)
    return path


def sparse(path: Path, size: int) -> Path:
    with open(path, "wb") as stream:
        stream.truncate(size)
    return path


PUBLISHED = {
    "html-nested-20000": (lambda p: write(p, "<div>" * 20_000 + "一、总体情况" + "</div>" * 20_000, "x.html"), "嵌套超过"),
    "html-100000-elements": (lambda p: write(p, "<p>一</p>" * 100_000, "x.html"), "元素超过"),
    "html-bad-declaration": (lambda p: write(p, "<p>一、总体情况</p>\n<![<![<![", "x.html"), "无法解析的“<!”声明"),
    "html-too-big": (lambda p: sparse(p / "x.html", sources.MAX_TEXT_BYTES + 1), "大小上限"),
    "text-too-big": (lambda p: sparse(p / "x.txt", sources.MAX_TEXT_BYTES + 1), "大小上限"),
    "pdf-too-big": (lambda p: sparse(p / "x.pdf", sources.MAX_PACKAGE_BYTES + 1), "大小上限"),
    "docx-inflates": (lambda p: docx_with(p, {"word/document.xml": b" " * (sources.MAX_INFLATED + 1)}), "解压后"),
    "docx-ratio": (lambda p: docx_with(p, {"word/document.xml": b" " * (sources.RATIO_CHECKED_FROM + 1)}), "压缩比"),
    "docx-parts": (lambda p: docx_with(p, {f"p{i}": b"" for i in range(sources.MAX_PARTS + 1)}), "部件"),
    "docx-not-zip": (lambda p: write(p, b"PK\x03\x04 broken", "x.docx"), "不是可读取的 DOCX"),
    "pdf-not-pdf": (lambda p: write(p, b"%PDF-1.4 broken", "x.pdf"), "不是可读取的 PDF"),
}


@pytest.mark.parametrize(("make", "says"), PUBLISHED.values(), ids=PUBLISHED.keys())
def test_published_file_limits_are_checked_before_the_work(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(InputError) as refused:
        read_source(path)
    assert says in refused.value.finding.message and str(path) in refused.value.finding.message
    assert english_free(refused.value.finding.message + refused.value.finding.hint)


def test_a_docx_part_inflates_no_further_than_it_declares(tmp_path):
    """A part that claims 1 KB but inflates to 200 MB: reading stops at the declared size and the
    package is refused as damaged (its checksum cannot match)."""
    path = docx_with(tmp_path, {"[Content_Types].xml": b"<Types/>", "word/document.xml": b" " * (200 * 1024 * 1024)})
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = data.index(signature, data.index(signature) + 1) if signature == b"PK\x03\x04" else data.rindex(signature)
        data[start + offset : start + offset + 4] = (1024).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as package, pytest.raises(zipfile.BadZipFile, match="CRC"):
        package.read("word/document.xml")  # what python-docx does: stops at 1 KB, then the checksum fails
    with pytest.raises(InputError) as refused:
        read_source(path)
    assert refused.value.finding.code == "E135"


def test_unmatched_end_tags_are_read_in_linear_time(tmp_path):
    page = "<p>一、总体情况</p>" + "</b>" * 20_000 + "<p>六、其他需要报告的事项</p>"
    lines = read_source(write(tmp_path, page, "x.html")).lines
    assert [line.text for line in lines if line.text] == ["一、总体情况", "六、其他需要报告的事项"]


def test_pdf_pages_time_and_text_are_limited(tmp_path, monkeypatch, built):
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(sources.MAX_PAGES + 1):
        writer.add_blank_page(100, 100)
    many = tmp_path / "many.pdf"
    writer.write(many)
    with pytest.raises(InputError) as refused:
        read_source(many)
    assert f"{sources.MAX_PAGES} 页" in refused.value.finding.message
    seed = next(iter(built.values()))["pdf"]
    monkeypatch.setattr(sources, "MAX_PDF_TEXT", 1000)  # the real tool, stopped by a tighter limit
    with pytest.raises(InputError) as refused:
        read_source(seed)
    assert "文字超过上限" in refused.value.finding.message
    monkeypatch.setattr(sources, "PDF_SECONDS", 0.001)
    with pytest.raises(InputError) as refused:
        read_source(seed)
    assert "秒内未能读完" in refused.value.finding.message



def zeros_deflated(size: int, chunk: int = 1 << 20) -> bytes:
    """A zlib stream that inflates to `size` zero bytes, made in a moment: one chunk compressed
    and fully flushed (so it stands alone) is repeated, then the end and the checksum follow."""
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = raw.compress(bytes(chunk)) + raw.flush(zlib.Z_FULL_FLUSH)
    checksum = 1
    for _ in range(size // chunk):
        checksum = zlib.adler32(bytes(chunk), checksum)
    return b"\x78\xda" + block * (size // chunk) + b"\x03\x00" + checksum.to_bytes(4, "big")


def one_page_pdf(content: bytes) -> bytes:
    """A one-page PDF whose page content is the flate-compressed `content` stream."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    pdf, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    table = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, table)
    return bytes(pdf)


def test_a_pdf_inflating_to_a_gigabyte_without_text_is_refused_within_10_seconds(tmp_path):
    """Its page is 1 GB of zeros compressed to 1 MB: pdftotext reads it for tens of seconds
    without writing a character. The deadline shared by the tools on one PDF refuses it."""
    assert zlib.decompress(zeros_deflated(4 << 20)) == bytes(4 << 20)
    bomb = write(tmp_path, one_page_pdf(zeros_deflated(1 << 30)), "bomb.pdf")
    assert bomb.stat().st_size < 2 << 20
    started = time.monotonic()
    with pytest.raises(InputError) as refused:
        read_source(bomb)
    assert time.monotonic() - started < 10
    finding = refused.value.finding
    # refused at the deadline; a machine fast enough to read the gigabyte in time finds no text
    timed_out = finding.code == "E065" and f"在 {sources.PDF_SECONDS} 秒内未能读完" in finding.message
    assert timed_out or finding.code == "E136", finding.message



def test_where_the_system_has_resource_limits_the_tools_run_within_them(tmp_path):
    """Set by the launcher before the tool starts (no preexec_fn): the memory cap, and the file
    size cap one byte past what the caller allows."""
    pytest.importorskip("resource")
    report = tmp_path / "limits.txt"
    command = ["sh", "-c", "ulimit -v; ulimit -H -v"]
    assert tools.run_tool(command, report, until=time.monotonic() + 30, max_bytes=100, memory=sources.PDF_MEMORY, stdout_to_output=True) == 0
    assert report.read_text().split() == [str(sources.PDF_MEMORY // 1024)] * 2
    big = tmp_path / "big.txt"
    with pytest.raises(tools.OverSize):
        tools.run_tool(["sh", "-c", f"exec head -c 5000 /dev/zero > {big}"], big, until=time.monotonic() + 30, max_bytes=1000, memory=sources.PDF_MEMORY)
    assert big.stat().st_size == 1001


# --- the output-name maker ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "name"),
    [("../../逃逸", "_.._逃逸"), ("/", "_"), ("a\nb", "a b"), ("con", "_con"), ("LPT1.txt", "_LPT1.txt"), ("", "报告"), ("  . ", "报告"), ("某局2024年报告", "某局2024年报告")],
)
def test_safe_name(title, name):
    assert safe_name(title) == name


def test_import_says_which_form_limits_the_report_goes_past(tmp_path, run_cli):
    """What import writes, check reads: a paragraph past the form's limit is said at import."""
    lines = next(SEEDS.glob("*.txt")).read_text("utf-8").split("\n")
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines[longest] += "字" * 6_000
    published = write(tmp_path, "\n".join(lines), "2023年报告.txt")
    code, _out, err = run_cli("import", str(published), "-o", str(tmp_path / "2023.yaml"))
    assert code == 1 and "E063" in err
    assert "E063" in run_cli("check", str(tmp_path / "2023.yaml"))[1]


def test_imported_text_limits(tmp_path):
    with pytest.raises(InputError) as refused:
        read_source(write(tmp_path, "字\n" * sources.MAX_LINES, "x.txt"))
    assert f"{sources.MAX_LINES:,} 行" in refused.value.finding.message
    with pytest.raises(InputError) as refused:
        read_source(write(tmp_path, "字" * (sources.MAX_LINE_CHARS + 1), "x.txt"))
    assert "第 1 行" in refused.value.finding.message


def test_json_output_escapes_control_characters():
    from generator.findings import json_text

    value = "周口市\x9b31m人民政府\x7f办公室\x00"
    text = json_text({"机关": value})
    assert not re.search("[\x00-\x08\x7f-\x9f]", text) and "周口市" in text
    assert json.loads(text) == {"机关": value}

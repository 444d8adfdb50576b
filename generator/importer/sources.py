"""Turn a published report file into lines of text, tables as tab-separated rows.

Each source line keeps where it came from (page and line, or paragraph), so that whatever
the importer cannot read is reported with its place in the input.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import time
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..findings import Finding, InputError
from ..format import load_format, normalize_label
from ..limits import megabytes, one_line, read_capped
from .tools import OverSize, OverTime, run_tool

# Limits on a published file (README, 输入限制), each checked before the work it guards.
MAX_TEXT_BYTES = 10 * 1024 * 1024  # a .txt or .html file
MAX_PACKAGE_BYTES = 50 * 1024 * 1024  # a .pdf or .docx file
MAX_INFLATED = 100 * 1024 * 1024  # a DOCX's parts once decompressed, all together
MAX_RATIO = 200  # how much one DOCX part may inflate (text XML inflates 5 to 30 times)…
RATIO_CHECKED_FROM = 10 * 1024 * 1024  # …when it inflates to more than this
MAX_PARTS = 2_000  # parts in a DOCX package
MAX_HTML_DEPTH = 150  # nested elements in a web page
MAX_HTML_ELEMENTS = 50_000  # elements in a web page
MAX_LINES = 50_000  # lines of text read from a published file (a 30-page report has about 1,500)
MAX_LINE_CHARS = 20_000  # characters in one of them
MAX_PAGES = 300  # pages of a PDF
PDF_SECONDS = 8  # pdfinfo and both pdftotext runs on one PDF, together (300 pages: 3 s, 6 s on a busy machine)
MAX_PDF_TEXT = 20 * 1024 * 1024  # text pdftotext may write for one PDF
PDF_MEMORY = 1024 * 1024 * 1024  # address space of pdfinfo or pdftotext, where the system can cap it


@dataclass(frozen=True)
class Line:
    text: str
    place: str  # "第 3 页第 12 行", "第 40 行", "第 7 段"


@dataclass(frozen=True)
class Source:
    """A file's text; `table_lines` is a second reading for the tables where the format needs one."""

    lines: list[Line]
    table_lines: list[Line] | None = None


def numbered(lines: list[str], page_breaks: bool = False) -> list[Line]:
    """Lines with their place; form feeds (pdftotext) start a new page."""
    out, page, line_on_page = [], 1, 0
    for index, text in enumerate(lines, 1):
        if page_breaks and "\f" in text:
            for part in text.split("\f")[:-1]:
                line_on_page += 1
                out.append(Line(part, f"第 {page} 页第 {line_on_page} 行"))
                page, line_on_page = page + 1, 0
            text = text.split("\f")[-1]
        line_on_page += 1
        out.append(Line(text, f"第 {page} 页第 {line_on_page} 行" if page_breaks else f"第 {index} 行"))
    return out


def too_big(path: Path, what: str, limit: str, variant: str = "") -> InputError:
    """A published file refused by one of the limits, named in the message."""
    return InputError(Finding.of("E065", None, variant=variant, path=path, what=what, limit=limit))


def decode(path: Path) -> str:
    """A text or web page file as saved in China: UTF-8, or else GBK/GB18030."""
    data = read_capped(path, MAX_TEXT_BYTES, str(path), "网页或文本文件")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(Finding.of("E003", None, variant="published", path=path))


def read_text_file(path: Path) -> list[Line]:
    text = decode(path).replace("\r\n", "\n").replace("\r", "\n")  # CR-only and mixed line breaks too
    if text.count("\n") >= MAX_LINES:  # refused before the lines are made
        raise too_big(path, f"有 {text.count(chr(10)) + 1:,} 行", f"{MAX_LINES:,} 行")
    return numbered(text.split("\n"))


def run_pdf_tool(command: list[str], name: str, output: Path, until: float, stdout_to_output: bool = False) -> int:
    """pdfinfo or pdftotext within the time left to read this PDF, its output and memory capped."""
    try:
        return run_tool(command, output, until=until, max_bytes=MAX_PDF_TEXT, memory=PDF_MEMORY, stdout_to_output=stdout_to_output)
    except OverTime:
        raise too_big(Path(name), f"在 {PDF_SECONDS} 秒内未能读完", f"读取时间 {PDF_SECONDS} 秒") from None
    except OverSize:
        raise too_big(Path(name), "的文字超过上限", f"文字 {megabytes(MAX_PDF_TEXT)}") from None


def page_count(path: Path, name: str, folder: Path, until: float) -> int:
    info = folder / "info.txt"
    code = run_pdf_tool(["pdfinfo", str(path)], name, info, until, stdout_to_output=True)
    found = re.search(rb"^Pages:\s*([0-9]{1,9})\s*$", info.read_bytes(), re.M)
    if code or not found:
        raise InputError(Finding.of("E135", None, variant="pdf", name=name))
    return int(found.group(1))


def pdftotext(path: Path, name: str, mode: list[str], folder: Path, until: float) -> list[Line]:
    output = folder / "text.txt"
    if run_pdf_tool(["pdftotext", *mode, "-l", str(MAX_PAGES), "-enc", "UTF-8", str(path), str(output)], name, output, until):
        raise InputError(Finding.of("E135", None, variant="pdf_memory", name=name, limit=megabytes(PDF_MEMORY)))
    text = output.read_bytes().decode("utf-8", errors="replace")
    if not text.strip():
        raise InputError(Finding.of("E136", None, name=name))
    return numbered(text.split("\n"), page_breaks=True)


def read_pdf(path: Path) -> Source:
    """The text layer twice: as laid out for the narrative (characters placed by position),
    and in drawing order for the tables (-raw keeps each cell's text in sequence).
    The pages are counted first (pdfinfo); the three runs share one deadline, PDF_SECONDS, and
    each has its output and memory capped (tools.run_tool)."""
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        raise InputError(Finding.of("E133", None))
    data = read_capped(path, MAX_PACKAGE_BYTES, str(path), "PDF 文件")
    with tempfile.TemporaryDirectory(prefix="nianbao-") as folder:
        copy = Path(folder) / "report.pdf"  # the bytes checked are the bytes read
        copy.write_bytes(data)
        until = time.monotonic() + PDF_SECONDS
        pages = page_count(copy, str(path), Path(folder), until)
        if pages > MAX_PAGES:
            raise too_big(path, f"有 {pages:,} 页", f"{MAX_PAGES} 页", "pages")
        laid_out = pdftotext(copy, str(path), ["-layout"], Path(folder), until)
        return Source(laid_out, pdftotext(copy, str(path), ["-raw"], Path(folder), until))


def checked_package(path: Path) -> io.BytesIO:
    """The DOCX file's bytes, after its parts' sizes were checked against the limits (zipfile
    then never inflates a part past the size it declares)."""
    data = read_capped(path, MAX_PACKAGE_BYTES, str(path), "DOCX 文件")
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise InputError(Finding.of("E135", None, variant="docx", path=path)) from None
    if len(parts) > MAX_PARTS:
        raise too_big(path, f"由 {len(parts):,} 个部件组成", f"{MAX_PARTS:,} 个部件")
    inflated = sum(part.file_size for part in parts)
    if inflated > MAX_INFLATED:
        raise too_big(path, f"解压后有 {megabytes(inflated)}", f"解压后 {megabytes(MAX_INFLATED)}")
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise too_big(path, f"中的 {part.filename[:60]} 压缩比超过 {MAX_RATIO} 倍", f"压缩比 {MAX_RATIO} 倍")
    return io.BytesIO(data)


def read_docx(path: Path) -> list[Line]:
    """Paragraphs and table rows in document order; a merged cell is read once."""
    from docx import Document
    from docx.oxml.ns import qn

    package = checked_package(path)
    try:
        body = Document(package).element.body
    except Exception:  # python-docx raises several kinds for a damaged package
        raise InputError(Finding.of("E135", None, variant="docx", path=path)) from None
    lines: list[Line] = []

    def text_of(element) -> str:
        return "".join(t.text or "" for t in element.iter(qn("w:t")))

    for number, block in enumerate(body.iterchildren(), 1):
        if block.tag == qn("w:p"):
            lines.append(Line(text_of(block), f"第 {number} 段"))
        elif block.tag == qn("w:tbl"):
            for row_number, row in enumerate(block.iter(qn("w:tr")), 1):
                cells = []
                for cell in row.iterchildren(qn("w:tc")):
                    merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
                    continued = merge is not None and merge.get(qn("w:val")) in (None, "continue")
                    cells.append("" if continued else " ".join(text_of(p) for p in cell.iter(qn("w:p"))).strip())
                lines.append(Line("\t".join(cells), f"第 {number} 段表格第 {row_number} 行"))
    return lines


class PageText(HTMLParser):
    """Text of a saved web page: block elements on their own lines, table rows tab-separated.
    Each line remembers the elements it sits in, so the report can be told from the page around it."""

    SKIP = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "select", "button", "form", "head"})
    BLOCKS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "section", "article", "tr", "table", "caption", "pre", "blockquote"})
    VOID = frozenset({"br", "img", "meta", "link", "input", "hr", "area", "base", "col", "embed", "source", "track", "wbr", "param"})

    def __init__(self, name: str = "网页"):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.lines: list[list[str]] = [[]]  # each line as pieces, joined once at the end (appending to a string is quadratic)
        self.paths: list[tuple[int, ...]] = [()]
        self.stack: list[tuple[str, int]] = []
        self.open_tags: Counter = Counter()  # tags in the stack: an end tag nothing opened costs nothing
        self.opened = 0
        self.skipping = 0
        self.cells: list[int] = []  # cells opened so far in each open table row
        self.in_cell = 0

    def new_line(self) -> None:
        self.lines.append([])
        self.paths.append(tuple(number for _tag, number in self.stack))

    def add(self, text: str) -> None:
        if text:
            self.lines[-1].append(text)

    def texts(self) -> list[str]:
        return ["".join(pieces) for pieces in self.lines]

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.opened += 1
            self.stack.append((tag, self.opened))
            self.open_tags[tag] += 1
            self.check_limits()
        if tag in self.SKIP:
            self.skipping += tag not in self.VOID
        elif tag == "tr":
            self.new_line()
            self.cells.append(0)
        elif tag in ("td", "th"):
            if self.cells:
                self.add("\t" if self.cells[-1] else "")
                self.cells[-1] += 1
            self.in_cell += 1
        elif tag in self.BLOCKS:
            if self.in_cell:
                self.add(" " if self.lines[-1] and not self.lines[-1][-1].endswith(("\t", " ")) else "")
            else:
                self.new_line()

    def check_limits(self) -> None:
        line = self.getpos()[0]
        if len(self.stack) > MAX_HTML_DEPTH:
            raise InputError(Finding.of("E065", None, variant="html_depth", name=self.name, line=line, limit=MAX_HTML_DEPTH))
        if self.opened > MAX_HTML_ELEMENTS:
            raise InputError(Finding.of("E065", None, variant="html_elements", name=self.name, line=line, limit=MAX_HTML_ELEMENTS))

    def handle_endtag(self, tag):
        if self.open_tags[tag]:
            while self.stack:
                closed = self.stack.pop()[0]
                self.open_tags[closed] -= 1
                if closed == tag:
                    break
        if tag in self.SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in ("td", "th"):
            self.in_cell = max(self.in_cell - 1, 0)
        elif tag == "tr":
            if self.cells:
                self.cells.pop()
            self.new_line()
        elif tag in self.BLOCKS and not self.in_cell:
            self.new_line()

    def handle_data(self, data):
        if not self.skipping:
            self.add(" ".join(data.split()) if "\n" in data else data)


def report_container(parser: PageText, lines: list[str], first: str, last: str) -> list[int]:
    """Indexes of the lines inside the innermost element holding both the first and the last
    section heading, plus the title lines before it: menus, sidebars and footers of the page drop out."""
    folded = [normalize_label(line) for line in lines]
    starts = [i for i, line in enumerate(folded) if line.startswith(first)]
    ends = [i for i, line in enumerate(folded) if line.startswith(last)]
    if not starts or not ends or ends[-1] < starts[0]:
        return list(range(len(lines)))
    a, b = parser.paths[starts[0]], parser.paths[ends[-1]]
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    inside = [i for i, path in enumerate(parser.paths) if path[:common] == a[:common]]
    title = [i for i in range(inside[0]) if "年度报告" in folded[i]] if inside else []
    return title + inside


def read_html(path: Path) -> list[Line]:
    parser = PageText(str(path))
    try:
        parser.feed(decode(path))
    except AssertionError:  # the standard library's parser gives up on a malformed <!…> declaration
        raise InputError(Finding.of("E135", None, variant="html", path=path, line=parser.getpos()[0])) from None
    lines = parser.texts()
    headings = [normalize_label(s.heading) for s in load_format().sections if s.number]
    keep = report_container(parser, lines, headings[0], headings[-1])
    return [Line(lines[i], f"第 {i + 1} 行") for i in keep]


READERS = {".txt": read_text_file, ".text": read_text_file, ".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html}


def read_source(path: Path) -> Source:
    if not path.exists():
        raise InputError(Finding.of("E000", None, name=path))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(Finding.of("E134", None, suffix=path.suffix or "（无扩展名）"))
    read = reader(path)
    source = read if isinstance(read, Source) else Source(read)
    for lines in (source.lines, source.table_lines or []):
        check_lines(path, lines)
    return Source(printable_lines(source.lines), printable_lines(source.table_lines) if source.table_lines is not None else None)


def check_lines(path: Path, lines: list[Line]) -> None:
    """The text read stays within what the importer reads in reasonable time."""
    if len(lines) > MAX_LINES:
        raise too_big(path, f"的文字有 {len(lines):,} 行", f"{MAX_LINES:,} 行")
    longest = max(lines, key=lambda line: len(line.text), default=None)
    if longest is not None and len(longest.text) > MAX_LINE_CHARS:
        raise too_big(path, f"{longest.place}有 {len(longest.text):,} 字", f"每行 {MAX_LINE_CHARS:,} 字")


def printable_lines(lines: list[Line]) -> list[Line]:
    """Lines as every output can hold them: line-break characters inside a line (VT, U+2028…)
    become spaces, control characters go (a published file may hold anything)."""
    return [Line(one_line(line.text), line.place) for line in lines]

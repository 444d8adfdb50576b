"""Turn a published report file into lines of text, tables as tab-separated rows.

Each source line keeps where it came from (page and line, or paragraph), so that whatever
the importer cannot read is reported with its place in the input.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from ..findings import Finding, InputError
from ..format import load_format, normalize_label


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


def decode(path: Path) -> str:
    """A text or web page file as saved in China: UTF-8, or else GBK/GB18030."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(Finding("E003", f"{path} 不是 UTF-8 或 GB18030 编码的文本", None))


def read_text_file(path: Path) -> list[Line]:
    return numbered(decode(path).replace("\r\n", "\n").split("\n"))


def pdftotext(path: Path, mode: list[str]) -> list[Line]:
    result = subprocess.run(["pdftotext", *mode, "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=False)
    if result.returncode:
        raise InputError(Finding("E135", f"{path} 不是可读取的 PDF 文件（{result.stderr.strip()[:80]}）", None))
    if not result.stdout.strip():
        raise InputError(Finding("E136", f"{path} 没有文字层（可能是扫描件），无法导入", None, "请使用有文字层的 PDF，或先做文字识别"))
    return numbered(result.stdout.split("\n"), page_breaks=True)


def read_pdf(path: Path) -> Source:
    """The text layer twice: as laid out for the narrative (characters placed by position),
    and in drawing order for the tables (-raw keeps each cell's text in sequence)."""
    if not shutil.which("pdftotext"):
        raise InputError(Finding("E133", "读取 PDF 需要 pdftotext，请安装 poppler-utils", None))
    return Source(pdftotext(path, ["-layout"]), pdftotext(path, ["-raw"]))


def read_docx(path: Path) -> list[Line]:
    """Paragraphs and table rows in document order; a merged cell is read once."""
    from docx import Document
    from docx.oxml.ns import qn

    try:
        body = Document(str(path)).element.body
    except Exception as exc:  # python-docx raises several kinds for a damaged package
        raise InputError(Finding("E135", f"{path} 不是可读取的 DOCX 文件（{type(exc).__name__}）", None)) from None
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

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.paths: list[tuple[int, ...]] = [()]
        self.stack: list[tuple[str, int]] = []
        self.opened = 0
        self.skipping = 0
        self.cells: list[int] = []  # cells opened so far in each open table row
        self.in_cell = 0

    def new_line(self) -> None:
        self.lines.append("")
        self.paths.append(tuple(number for _tag, number in self.stack))

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.opened += 1
            self.stack.append((tag, self.opened))
        if tag in self.SKIP:
            self.skipping += tag not in self.VOID
        elif tag == "tr":
            self.new_line()
            self.cells.append(0)
        elif tag in ("td", "th"):
            if self.cells:
                self.lines[-1] += "\t" if self.cells[-1] else ""
                self.cells[-1] += 1
            self.in_cell += 1
        elif tag in self.BLOCKS:
            if self.in_cell:
                self.lines[-1] += " " if self.lines[-1] and not self.lines[-1].endswith(("\t", " ")) else ""
            else:
                self.new_line()

    def handle_endtag(self, tag):
        if any(open_tag == tag for open_tag, _ in self.stack):
            while self.stack and self.stack.pop()[0] != tag:
                pass
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
            self.lines[-1] += " ".join(data.split()) if "\n" in data else data


def report_container(parser: PageText, first: str, last: str) -> list[int]:
    """Indexes of the lines inside the innermost element holding both the first and the last
    section heading, plus the title lines before it: menus, sidebars and footers of the page drop out."""
    folded = [normalize_label(line) for line in parser.lines]
    starts = [i for i, line in enumerate(folded) if line.startswith(first)]
    ends = [i for i, line in enumerate(folded) if line.startswith(last)]
    if not starts or not ends or ends[-1] < starts[0]:
        return list(range(len(parser.lines)))
    a, b = parser.paths[starts[0]], parser.paths[ends[-1]]
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    inside = [i for i, path in enumerate(parser.paths) if path[:common] == a[:common]]
    title = [i for i in range(inside[0]) if "年度报告" in folded[i]] if inside else []
    return title + inside


def read_html(path: Path) -> list[Line]:
    parser = PageText()
    parser.feed(decode(path))
    headings = [normalize_label(s.heading) for s in load_format().sections if s.number]
    keep = report_container(parser, headings[0], headings[-1])
    return [Line(parser.lines[i], f"第 {i + 1} 行") for i in keep]


READERS = {".txt": read_text_file, ".text": read_text_file, ".pdf": read_pdf, ".docx": read_docx, ".html": read_html, ".htm": read_html}


def read_source(path: Path) -> Source:
    if not path.is_file():
        raise InputError(Finding("E000", f"找不到文件 {path}", None))
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(Finding("E134", f"不支持的文件类型 {path.suffix or '（无扩展名）'}", None, "可导入 .txt、.pdf、.docx、.html"))
    read = reader(path)
    return read if isinstance(read, Source) else Source(read)

"""WeasyPrint behind one door: the only module that imports WeasyPrint, and the only one that uses
its internals (private names, functions replaced while a PDF is laid out and drawn, attributes it
does not document). The other modules use what this one exposes (`__all__`).

What nianbao takes from WeasyPrint's internals, and why:
- Inter-character justification (`justify_line`, `count_expandable_spaces`, `Layout.set_text`
  replaced): WeasyPrint justifies a line only by widening its spaces, and a Chinese line has few.
- The layout leak plug (`Layout.setup` wrapped, `font_features` replaced): WeasyPrint leaks a
  Pango attribute list for every text with OpenType features, 0.1 MB a report.
- The fast page (`HTML.__init__` bypassed, `HTML._ua_stylesheets` overridden, `weasyprint.html.UA`
  read): our pages parsed by the C XML parser, styled with the user-agent rules they can use.
- The page boxes of a layout (`Page._page_box`), read to find where a table breaks.
- Its import without its library search (`ctypes.util.find_library` swapped, `ffi._dlopen`).

Each of them is checked once a process, when this module is imported and before anything is
replaced: the version must be within REQUIREMENT (pyproject.toml states the same range), and the
source of every function replaced, wrapped, called or bypassed must hash to what it was in
TESTED_VERSION (SOURCES). A WeasyPrint where one differs is refused, in Chinese, before anything
is written. The replacements are in place only inside `with patches:` and put back after it.
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import linecache
import re
import sys
import threading
from collections import Counter
from functools import lru_cache
from types import CodeType, ModuleType

from ..resources import InstallationError
from .stylesheets import Vocabulary, usable_rules, vocabulary

__all__ = [
    "HITS",
    "MAX_STRETCH_EM",
    "Attachment",
    "FontConfiguration",
    "Page",
    "URLFetcher",
    "URLFetcherResponse",
    "patches",
    "table_rows",
    "weasyprint",
]

TESTED_VERSION = "70.0"  # the version SOURCES were taken from (constraints.txt pins it)
MAJOR = 70
REQUIREMENT = f"weasyprint>={MAJOR}.0,<{MAJOR + 1}"  # as pyproject.toml states it: the versions checked against SOURCES

JUSTIFY = "中文两端对齐"
LEAK = "连续生成 PDF 时的内存回收"
PAGE = "页面的快速解析"
PAGE_BOXES = "表格跨页时的行组处理"
LIBRARIES = "Pango 等库的快速载入"
# "module:qualified name" of every internal used here → (what depends on it, the SHA-256 of its
# source in TESTED_VERSION, first 16 hex digits). `python -m generator.render.weasy` prints them.
SOURCES = {
    "weasyprint.layout.inline:justify_line": (JUSTIFY, "f83b21ff8793ba6b"),
    "weasyprint.layout.inline:count_expandable_spaces": (JUSTIFY, "175fe6f42576ed38"),
    "weasyprint.layout.inline:add_word_spacing": (JUSTIFY, "879516e71f1b80fa"),
    "weasyprint.text.line_break:Layout.set_text": (JUSTIFY, "fe23ca9937dbf520"),
    "weasyprint.text.line_break:Layout.setup": (LEAK, "fb227a55094f41d4"),
    "weasyprint.text.line_break:font_features": (LEAK, "e35741064c068852"),
    "weasyprint:HTML.__init__": (PAGE, "5f19f40b81837f87"),
    "weasyprint:HTML._ua_stylesheets": (PAGE, "4fadfde9d15075b2"),
    "weasyprint.document:Page.__init__": (PAGE_BOXES, "56afceec729bf2c1"),
    "weasyprint.text.ffi:_dlopen": (LIBRARIES, "9ab3167cbc804871"),
}
REINSTALL = f"请执行 pip install weasyprint=={TESTED_VERSION}，或重新安装 nianbao（pipx install --force .）。"


def import_weasyprint() -> ModuleType:
    """WeasyPrint, imported without its slow library search. Its `_dlopen` tries names such as
    `libgobject-2.0-0` before the real soname, and cffi asks `ctypes.util.find_library` about
    each miss, which on Linux starts ldconfig, gcc and ld: about 90 processes, 0.2 s. There the
    real sonames are among the names it tries, so a miss can simply stay a miss."""
    if sys.platform != "linux":
        return importlib.import_module("weasyprint")
    import ctypes.util

    find_library = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        return importlib.import_module("weasyprint")
    finally:
        ctypes.util.find_library = find_library


def last_line(code: CodeType) -> int | None:
    """The last source line of a function's code and of the functions defined in it, None when
    Python keeps no end lines (python -X no_debug_ranges)."""
    ends = [end for _, end, _, _ in code.co_positions()]
    ends += [last_line(const) for const in code.co_consts if isinstance(const, CodeType)]
    return None if None in ends else max(ends, default=code.co_firstlineno)


def source_of(function) -> str:
    """What inspect.getsource gives, read from the lines the function's code spans: it does not
    tokenize the module: 3 ms for SOURCES instead of 20."""
    code = function.__code__
    last = last_line(code)
    if last is None:
        return inspect.getsource(function)
    return "".join(linecache.getlines(code.co_filename)[code.co_firstlineno - 1 : last])


def internal(path: str):
    """The function at "module:qualified name" (ImportError or AttributeError when there is none)."""
    module, _, qualname = path.partition(":")
    found = importlib.import_module(module)
    for name in qualname.split("."):
        found = getattr(found, name)
    return found


def source_digest(path: str) -> str | None:
    """The first 16 hex digits of the SHA-256 of the source at "module:qualified name", or None
    when there is no such function or its source cannot be read."""
    try:
        source = source_of(internal(path))
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16] if source else None


def check_version(version: str) -> None:
    if version.split(".")[0] != str(MAJOR):
        raise InstallationError(
            f"生成 PDF 需要 WeasyPrint {TESTED_VERSION}（或其他 {MAJOR}.x 版本；本程序的中文两端对齐依赖它的内部函数），但安装的是 {version}，"
            f"用它生成的 PDF 会排错版。{REINSTALL}"
        )


def check_sources(version: str, expected: dict[str, tuple[str, str]] = SOURCES) -> None:
    """Refuse a WeasyPrint where a function used here is missing or differs from TESTED_VERSION's."""
    for path, (purpose, digest) in expected.items():
        found = source_digest(path)
        if found != digest:
            problem = "不存在或读不到源代码" if found is None else f"与 {TESTED_VERSION} 中的不同"
            raise InstallationError(
                f"生成 PDF 需要 WeasyPrint {TESTED_VERSION}（或内部函数与之相同的其他 {MAJOR}.x 版本），但安装的 WeasyPrint {version} 中的 "
                f"{path.replace(':', '.')} {problem}（本程序的{purpose}依赖它），用它生成的 PDF 会排错版。{REINSTALL}"
            )


weasyprint = import_weasyprint()
if __name__ == "__main__":  # `python -m generator.render.weasy`: the digests of the installed WeasyPrint's sources, for SOURCES
    for path in SOURCES:
        print(f'"{path}": "{source_digest(path)}"')
    raise SystemExit(0)
check_version(weasyprint.__version__)
check_sources(weasyprint.__version__)

# Imported only once the version and the sources are known to be the ones this module was written for.
from weasyprint import CSS, HTML, Attachment  # noqa: E402
from weasyprint.formatting_structure import boxes  # noqa: E402
from weasyprint.html import UA  # noqa: E402
from weasyprint.layout import inline  # noqa: E402
from weasyprint.text import line_break  # noqa: E402
from weasyprint.text.ffi import TO_UNITS, ffi, pango  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

HITS: Counter[str] = Counter()  # calls of each replacement: the tests check that a render goes through every one
ORIGINAL_COUNT_SPACES = inline.count_expandable_spaces
ORIGINAL_SET_TEXT = line_break.Layout.set_text
ORIGINAL_SETUP = line_break.Layout.setup
ORIGINAL_FONT_FEATURES = line_break.font_features


# Inter-character justification, as Word and WPS justify Chinese.
#
# WeasyPrint justifies a line only by widening its spaces (U+0020, U+00A0): `justify_line` in
# layout/inline.py divides the spare width by `count_expandable_spaces`, and `Layout.set_text` in
# text/line_break.py turns it into Pango letter-spacing on the spaces. Here a text box holding CJK
# characters counts every gap between its characters as expandable, and its justification is applied
# as Pango letter-spacing on all of its characters. Pango adds half of the spacing on each side of a
# character but none at the ends of a layout, so n characters receive (n − 1) equal gaps and the
# line ends flush.
#
# Where the text cannot break before an unbreakable run (「〔2020〕109号」, a long number, a URL
# part), the line before it would be letter-spaced across the measure. The stretch is capped at
# MAX_STRETCH_EM of the font size a gap, as JIS X 4051 and W3C clreq prefer a line a little short
# to a visibly spaced one; such a line then ends short of the right edge.

MAX_STRETCH_EM = 0.125  # at most 2 pt between 16 pt characters beyond their natural spacing
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")


def has_cjk(box) -> bool:
    if isinstance(box, boxes.TextBox):
        return bool(CJK.search(box.text))
    return isinstance(box, (boxes.LineBox, boxes.InlineBox)) and any(has_cjk(child) for child in box.children)


def justify_line(context, line, extra_width: float) -> None:
    """WeasyPrint's justify_line with the gaps counted as above and, in Chinese text, capped."""
    HITS["justify_line"] += 1
    gaps = count_expandable_gaps(line)
    if not gaps:
        return
    spacing = extra_width / gaps
    if has_cjk(line):
        spacing = min(spacing, MAX_STRETCH_EM * line.style["font_size"])
    inline.add_word_spacing(context, line, spacing, 0)


def count_expandable_gaps(box) -> int:
    """Spaces for Latin text; every gap between characters for text with CJK in it."""
    HITS["count_expandable_spaces"] += 1
    if isinstance(box, boxes.TextBox):
        if CJK.search(box.text):
            return max(len(box.text.rstrip(" ")) - 1, 0)
        return ORIGINAL_COUNT_SPACES(box)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable_gaps(child) for child in box.children)
    return 0


def set_text(self, text: str, justify: bool = False) -> None:
    """WeasyPrint's Layout.set_text, with a justified CJK text's spacing on all of its characters."""
    HITS["set_text"] += 1
    if not (justify and self.justification_spacing and CJK.search(text)):
        ORIGINAL_SET_TEXT(self, text, justify)
        return
    ORIGINAL_SET_TEXT(self, text, False)
    letter_spacing = self.style["letter_spacing"]
    spacing = (0 if letter_spacing == "normal" else letter_spacing) + self.justification_spacing
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
    attribute.start_index, attribute.end_index = 0, len(self.text.encode())
    pango.pango_attr_list_change(attributes, attribute)
    pango.pango_layout_set_attributes(self.layout, attributes)


# The layout leak plug, so that one process can render thousands of PDFs with its memory flat.
#
# `Layout.setup` gives every text with OpenType features (our numbers' `font-variant-numeric:
# tabular-nums`) a Pango attribute list it never frees, and creates a features attribute each time
# that it drops, unfreed, when its font configuration already caches one. A report lays out about
# 600 such texts: 0.1 MB of native memory a report, kept for as long as the process (and its one
# font configuration) lives. Here WeasyPrint's setup sees no features, and the layout gets them in
# an attribute list of its own, freed with it. The PDF is the same: the same features on the same texts.

FEATURE_PROPERTIES = (  # the arguments of WeasyPrint's font_features, in its order
    "font_kerning",
    "font_variant_ligatures",
    "font_variant_position",
    "font_variant_caps",
    "font_variant_numeric",
    "font_variant_alternates",
    "font_variant_east_asian",
    "font_feature_settings",
)


def no_features(*properties) -> dict:
    HITS["font_features"] += 1
    return {}


def setup(self, style) -> None:
    """WeasyPrint's setup, then the text's features in an attribute list the layout owns."""
    HITS["setup"] += 1
    ORIGINAL_SETUP(self, style)
    features = ORIGINAL_FONT_FEATURES(*(style[name] for name in FEATURE_PROPERTIES))
    if not features:
        return
    attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    settings = ",".join(f"{key} {value}" for key, value in features.items()).encode()
    pango.pango_attr_list_insert(attributes, pango.pango_attr_font_features_new(settings))
    pango.pango_layout_set_attributes(self.layout, attributes)


class Patches:
    """WeasyPrint's functions replaced by the ones above for the length of a `with` block and put
    back when it ends. Re-entrant (a render lays out several times and then draws, all inside one
    block), and one thread at a time: another thread's block waits until the replacements are put
    back, so that none lays out with them half in place or taken away under it."""

    def __init__(self, replacements: list[tuple[object, str, object]]) -> None:
        self.replacements = replacements
        self.lock = threading.RLock()
        self.depth = 0
        self.replaced: list[object] = []

    def __enter__(self) -> None:
        self.lock.acquire()
        if self.depth == 0:
            self.replaced = [getattr(owner, name) for owner, name, _ in self.replacements]
            for owner, name, replacement in self.replacements:
                setattr(owner, name, replacement)
        self.depth += 1

    def __exit__(self, *exception) -> None:
        self.depth -= 1
        if self.depth == 0:
            for (owner, name, _), original in zip(self.replacements, self.replaced, strict=True):
                setattr(owner, name, original)
        self.lock.release()


patches = Patches(
    [
        (inline, "justify_line", justify_line),
        (inline, "count_expandable_spaces", count_expandable_gaps),  # also what add_word_spacing counts
        (line_break.Layout, "set_text", set_text),  # the justification is applied when a text is drawn (Layout.reactivate)
        (line_break.Layout, "setup", setup),
        (line_break, "font_features", no_features),
    ]
)


@lru_cache(maxsize=8)
def user_agent_stylesheet(words: Vocabulary) -> CSS:
    """WeasyPrint's HTML5 user-agent stylesheet for a page using `words` (parsed once a process)."""
    return CSS(string=usable_rules(UA, words))


class Page(HTML):
    """WeasyPrint's HTML for our own pages: parsed by the C XML parser when the page is well-formed
    XML (the template writes it so; WeasyPrint's pure-Python HTML5 parser took 40 ms a page), and
    styled with only the user-agent rules its elements can use. It sets what `HTML.__init__` sets,
    and its user-agent stylesheets are WeasyPrint's with the first (the HTML5 one) cut down."""

    def __init__(self, html: str, base_url: str, url_fetcher) -> None:
        from xml.etree import ElementTree

        import cssselect2

        try:
            root = ElementTree.fromstring(html)
        except ElementTree.ParseError:
            super().__init__(string=html, base_url=base_url, url_fetcher=url_fetcher)
            return
        self.base_url, self.url_fetcher, self.media_type = base_url, url_fetcher, "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
        self.etree_element = self.wrapper_element.etree_element

    def _ua_stylesheets(self, forms: bool = False) -> list:
        return [user_agent_stylesheet(vocabulary(self.etree_element)), *super()._ua_stylesheets(forms)[1:]]


def table_rows(rendered) -> list[list[str]]:
    """For each page of a layout, the data-row values of the table rows on it, in order (read from
    the page's boxes, which WeasyPrint keeps private)."""
    return [
        [box.element.get("data-row") for box in page._page_box.descendants() if isinstance(box, boxes.TableRowBox) and box.element is not None and box.element.get("data-row")]
        for page in rendered.pages
    ]



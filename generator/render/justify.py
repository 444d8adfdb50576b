"""Inter-character justification for WeasyPrint, as Word and WPS justify Chinese.

WeasyPrint 70 justifies a line only by widening its spaces (U+0020, U+00A0): `justify_line`
in layout/inline.py divides the spare width by `count_expandable_spaces`, and
`Layout.set_text` in text/line_break.py turns it into Pango letter-spacing on the spaces.
A Chinese line has few or no spaces, so it stops short of the right edge.

Here a text box holding CJK characters counts every gap between its characters as
expandable, and its justification is applied as Pango letter-spacing on all of its
characters. Pango adds half of the spacing on each side of a character but none at the
ends of a layout, so n characters receive (n − 1) equal gaps and the line ends flush.

Where the text cannot break before an unbreakable run (「〔2020〕109号」, a long number, a URL
part), the line before it would be letter-spaced across the measure. The stretch is capped
at MAX_STRETCH_EM of the font size a gap, as JIS X 4051 and W3C clreq prefer a line a little
short to a visibly spaced one; such a line then ends short of the right edge.
WeasyPrint is pinned in pyproject.toml because this relies on those functions, and any
other version is refused before they are imported (they may be missing or mean something else).
"""

from __future__ import annotations

import re

import weasyprint

from ..resources import InstallationError

WEASYPRINT_VERSION = "70.0"  # the version whose internals this module extends (pyproject.toml pins it)
if weasyprint.__version__ != WEASYPRINT_VERSION:
    raise InstallationError(
        f"生成 PDF 需要 WeasyPrint {WEASYPRINT_VERSION}（本程序的中文两端对齐依赖它的内部函数），但安装的是 {weasyprint.__version__}，"
        f"用它生成的 PDF 会排错版。请执行 pip install weasyprint=={WEASYPRINT_VERSION}，或重新安装 nianbao（pipx install --force .）。"
    )

from weasyprint.formatting_structure import boxes  # noqa: E402  (imported only once the version is known)
from weasyprint.layout import inline  # noqa: E402
from weasyprint.text import line_break  # noqa: E402
from weasyprint.text.ffi import TO_UNITS, ffi, pango  # noqa: E402

MAX_STRETCH_EM = 0.125  # at most 2 pt between 16 pt characters beyond their natural spacing
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_space_count = inline.count_expandable_spaces
_set_text = line_break.Layout.set_text


def has_cjk(box) -> bool:
    if isinstance(box, boxes.TextBox):
        return bool(CJK.search(box.text))
    return isinstance(box, (boxes.LineBox, boxes.InlineBox)) and any(has_cjk(child) for child in box.children)


def justify_line(context, line, extra_width: float) -> None:
    """WeasyPrint's justify_line with the gaps counted as above and, in Chinese text, capped."""
    gaps = count_expandable_gaps(line)
    if not gaps:
        return
    spacing = extra_width / gaps
    if has_cjk(line):
        spacing = min(spacing, MAX_STRETCH_EM * line.style["font_size"])
    inline.add_word_spacing(context, line, spacing, 0)


def count_expandable_gaps(box) -> int:
    """Spaces for Latin text; every gap between characters for text with CJK in it."""
    if isinstance(box, boxes.TextBox):
        if CJK.search(box.text):
            return max(len(box.text.rstrip(" ")) - 1, 0)
        return _space_count(box)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(count_expandable_gaps(child) for child in box.children)
    return 0


def set_text(self, text: str, justify: bool = False) -> None:
    if not (justify and self.justification_spacing and CJK.search(text)):
        _set_text(self, text, justify)
        return
    _set_text(self, text, False)
    letter_spacing = self.style["letter_spacing"]
    spacing = (0 if letter_spacing == "normal" else letter_spacing) + self.justification_spacing
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    attribute = pango.pango_attr_letter_spacing_new(int(spacing * TO_UNITS))
    attribute.start_index, attribute.end_index = 0, len(self.text.encode())
    pango.pango_attr_list_change(attributes, attribute)
    pango.pango_layout_set_attributes(self.layout, attributes)


def install() -> None:
    """Switch WeasyPrint to inter-character justification (idempotent)."""
    inline.count_expandable_spaces = count_expandable_gaps
    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text

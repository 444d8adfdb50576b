"""Plugs WeasyPrint 70's native memory leak in text layout, so that one process can render
thousands of PDFs with its memory flat.

`Layout.setup` in text/line_break.py gives every text with OpenType features (our numbers'
`font-variant-numeric: tabular-nums`) a Pango attribute list it never frees, and creates a
features attribute each time that it drops, unfreed, when its font configuration already
caches one. A report lays out about 600 such texts: 0.1 MB of native memory a report, kept
for as long as the process (and its one font configuration, `pdf.font_configuration`) lives.
Here WeasyPrint's setup sees no features, and the layout gets them in an attribute list of
its own, freed with it. The PDF is the same: the same features on the same texts.
"""

from __future__ import annotations

from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango

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
_setup = line_break.Layout.setup
_font_features = line_break.font_features


def no_features(*properties) -> dict:
    return {}


def setup(self, style) -> None:
    """WeasyPrint's setup, then the text's features in an attribute list the layout owns."""
    _setup(self, style)
    features = _font_features(*(style[name] for name in FEATURE_PROPERTIES))
    if not features:
        return
    attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    settings = ",".join(f"{key} {value}" for key, value in features.items()).encode()
    pango.pango_attr_list_insert(attributes, pango.pango_attr_font_features_new(settings))
    pango.pango_layout_set_attributes(self.layout, attributes)


def install() -> None:
    """Switch WeasyPrint's text layout to the setup above (idempotent)."""
    line_break.font_features = no_features
    line_break.Layout.setup = setup

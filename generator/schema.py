"""The JSON Schema of the form, generated from the format (editor hover text and completion):
made by the same value types the form reader reads with (shape.py)."""

from __future__ import annotations

import json

from .format import DEFAULT_FORMAT, Format, load_format
from .shape import form_shape


def form_schema(fmt: Format) -> dict:
    return form_shape(fmt).schema()


def schema_text(format_id: str = DEFAULT_FORMAT) -> str:
    return json.dumps(form_schema(load_format(format_id)), ensure_ascii=False, indent=2) + "\n"

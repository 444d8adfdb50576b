"""The document tree → one self-contained HTML page (inline CSS, no scripts, no external resources)."""

from __future__ import annotations

from datetime import date
from functools import cache

import jinja2

from ..document import Document
from ..fonts import TEMPLATES, css_variables


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )


@cache
def stylesheet() -> str:
    return css_variables() + (TEMPLATES / "report.css").read_text("utf-8")


@cache
def screen_stylesheet() -> str:
    return (TEMPLATES / "screen.css").read_text("utf-8")


def render_html(doc: Document, draft: bool = False, created: date | None = None) -> str:
    """User text is escaped by the template; only our own stylesheet goes in unescaped."""
    template = environment().get_template("report.html.j2")
    return template.render(doc=doc, css=stylesheet(), screen_css=screen_stylesheet(), draft=draft, created=(created or date.today()).isoformat())

"""The document tree → one self-contained HTML page (inline CSS, no scripts, no external resources)."""

from __future__ import annotations

import re
from functools import cache

import jinja2
from markupsafe import Markup, escape

from ..document import PHONE, Document
from ..fonts import css_variables
from ..resources import TEMPLATES

URL = re.compile(r"(?:https?://|www\.)[0-9A-Za-z./_?=&;%#:~+-]+")


def breakable(text: str) -> Markup:
    """Escaped text whose web addresses may break after each / and . (W3C clreq, Chicago), so
    that a long address does not leave the line before it short or stretched; telephone numbers
    do not break."""
    text = URL.sub(lambda m: re.sub(r"([/.])(?=[^/])", r"\1<wbr />", m.group(0)), str(escape(text)))
    return Markup(PHONE.sub(lambda m: f'<span class="nowrap">{m.group(0)}</span>', text))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["breakable"] = breakable
    return env


@cache
def stylesheet(name: str) -> str:
    return (TEMPLATES / name).read_text("utf-8")


def render_html(doc: Document, draft: bool = False, fonts_css: str = "", preferred: dict[str, str] | None = None) -> str:
    """User text is escaped by the template; only our own stylesheets go in unescaped.
    `fonts_css` and `preferred` put the PDF's own font files in front of each role's stack."""
    template = environment().get_template("report.html.j2")
    css = fonts_css + css_variables(preferred or {}) + stylesheet("report.css")
    return template.render(doc=doc, css=css, screen_css=stylesheet("screen.css"), draft=draft, created=doc.stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))

"""The HTML page → a PDF for publication, with WeasyPrint, fetching nothing from outside."""

from __future__ import annotations

from functools import cache

from .html import TEMPLATES


class FetchRefused(Exception):
    pass


def refuse_fetch(url: str, *args, **kwargs) -> dict:
    """The report needs no resources; any URL in it (file://, http://…) is refused."""
    raise FetchRefused(f"不允许读取外部资源：{url}")


@cache
def font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    from .justify import install

    install()

    document = HTML(string=html, base_url=str(TEMPLATES) + "/", url_fetcher=refuse_fetch)
    return document.write_pdf(font_config=font_config(), uncompressed_pdf=False, pdf_variant=None)

"""The document → a PDF for publication, with WeasyPrint, fetching nothing from outside."""

from __future__ import annotations

from functools import cache

from ..document import EMBEDDED_NAME, Document
from .fontcache import pdf_faces
from .html import TEMPLATES, render_html
from .paginate import paginate


def project_fetcher(allowed: dict[str, bytes]):
    """A URL fetcher that serves only the project's own cut-down fonts and refuses the rest
    (file://, http://, anything a narrative could smuggle in)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectOnly(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url not in allowed:
                raise ValueError(f"不允许读取外部资源：{url}")
            return URLFetcherResponse(url, allowed[url], {"Content-Type": "font/otf"})

    return ProjectOnly(allowed_protocols=("file",))


@cache
def font_faces() -> tuple[str, dict[str, str], dict[str, bytes]]:
    """@font-face rules for the cut-down fonts, the family each role prefers, and their files
    (found, made if need be, and read once a process: fontconfig lookups and 15 MB of fonts)."""
    rules, preferred, files = [], {}, {}
    for role, (family, path) in pdf_faces().items():
        url = path.as_uri()
        if url not in files:
            files[url] = path.read_bytes()
            rules.append(f'@font-face {{ font-family: "{family}"; src: url("{url}"); }}')
        preferred[role] = family
    return "\n".join(rules) + "\n", preferred, files


def render_pdf(doc: Document, draft: bool = False) -> bytes:
    from weasyprint import HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration

    from .justify import install

    install()
    rules, preferred, files = font_faces()
    fonts = FontConfiguration()

    def layout(doc: Document):
        html = render_html(doc, draft=draft, fonts_css=rules, preferred=preferred)
        return HTML(string=html, base_url=TEMPLATES.as_uri() + "/", url_fetcher=project_fetcher(files)).render(font_config=fonts, pdf_tags=True)

    # the form rides along as a PDF/A-3 associated file (as Factur-X invoices carry their XML), dated like the report
    data = Attachment(string=doc.data, name=EMBEDDED_NAME, description="年度报告的表单数据", created=doc.stamp, modified=doc.stamp, relationship="Source")
    return paginate(doc, layout).write_pdf(pdf_tags=True, attachments=[data], pdf_variant="pdf/a-3u")  # tagged: read aloud in order, tables as tables

"""The document → a PDF for publication, with WeasyPrint, fetching nothing from outside."""

from __future__ import annotations

import atexit
import gc
import multiprocessing.util
import sys
from functools import cache
from xml.etree import ElementTree

from ..document import EMBEDDED_NAME, Document
from .fontcache import Face, face_bytes, pdf_faces
from .html import TEMPLATES, render_html
from .paginate import paginate


@cache
def weasyprint():
    """WeasyPrint, imported without its slow library search. Its `_dlopen` tries names such as
    `libgobject-2.0-0` before the real soname, and cffi asks `ctypes.util.find_library` about
    each miss, which on Linux starts ldconfig, gcc and ld: about 90 processes, 0.2 s. There the
    real sonames are among the names it tries, so a miss can simply stay a miss.
    Then every object so far is frozen: garbage collections during a render went through all of
    them, 0.2 s of the first render."""
    if sys.platform == "linux":
        import ctypes.util

        find_library = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:
            import weasyprint
        finally:
            ctypes.util.find_library = find_library
    else:
        import weasyprint
    gc.freeze()  # what the libraries keep lives as long as the process: no collection need go through it again
    return weasyprint


def project_fetcher(allowed: dict[str, Face]):
    """A URL fetcher that serves only the project's own cut-down fonts and refuses the rest
    (file://, http://, anything a narrative could smuggle in)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ProjectOnly(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url not in allowed:
                raise ValueError(f"不允许读取外部资源：{url}")
            return URLFetcherResponse(url, face_bytes(allowed[url]), {"Content-Type": "font/otf"})

    return ProjectOnly(allowed_protocols=("file",))


@cache
def font_faces() -> tuple[str, dict[str, str], dict[str, Face]]:
    """@font-face rules for the cut-down fonts, the family each role prefers, and their files."""
    rules, preferred, files = [], {}, {}
    for role, face in pdf_faces().items():
        url = face.path.as_uri()
        if url not in files:
            files[url] = face
            rules.append(f'@font-face {{ font-family: "{face.family}"; src: url("{url}"); }}')
        preferred[role] = face.family
    return "\n".join(rules) + "\n", preferred, files


@cache
def font_configuration():
    """One font configuration a process: it loads the cut-down fonts once (a new one per render
    copies 16 MB of fonts again and keeps native memory that is never given back)."""
    from weasyprint.text.fonts import FontConfiguration

    configuration = FontConfiguration()
    atexit.register(configuration.__del__)  # its temporary font folder, also when a batch worker ends
    multiprocessing.util.Finalize(None, configuration.__del__, exitpriority=0)
    return configuration


@cache
def page_class():
    """WeasyPrint's HTML for our own pages: parsed by the C XML parser when the page is well-formed
    XML (the template writes it so; WeasyPrint's pure-Python HTML5 parser took 40 ms a page), and
    styled with only the user-agent rules its elements can use."""
    import cssselect2
    from weasyprint import HTML

    from .stylesheets import user_agent_stylesheet, vocabulary

    class Page(HTML):
        def __init__(self, html: str, base_url: str, url_fetcher) -> None:
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

    return Page


def lay_out(doc: Document, draft: bool = False):
    """One WeasyPrint layout of the document, pages not yet drawn."""
    weasyprint()
    from .justify import install as justify_lines  # first: it refuses a WeasyPrint whose internals differ
    from .layout_leak import install as plug_layout_leak

    justify_lines()
    plug_layout_leak()  # what a layout leaks would pile up for the life of the one font configuration
    rules, preferred, files = font_faces()
    html = render_html(doc, draft=draft, fonts_css=rules, preferred=preferred)
    return page_class()(html, TEMPLATES.as_uri() + "/", project_fetcher(files)).render(font_config=font_configuration(), pdf_tags=True)


def render_pdf(doc: Document, draft: bool = False) -> bytes:
    rendered = paginate(doc, lambda version: lay_out(version, draft))
    # the form rides along as a PDF/A-3 associated file (as Factur-X invoices carry their XML), dated like the report
    data = weasyprint().Attachment(string=doc.data, name=EMBEDDED_NAME, description="年度报告的表单数据", created=doc.stamp, modified=doc.stamp, relationship="Source")
    return rendered.write_pdf(pdf_tags=True, attachments=[data], pdf_variant="pdf/a-3u")  # tagged: read aloud in order, tables as tables

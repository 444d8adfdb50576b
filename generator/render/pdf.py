"""The document → a PDF for publication, with WeasyPrint, fetching nothing from outside."""

from __future__ import annotations

import atexit
import gc
import multiprocessing.util
from functools import cache

from ..document import EMBEDDED_NAME, Document
from . import weasy
from .fontcache import Face, face_bytes, pdf_faces
from .html import TEMPLATES, render_html
from .paginate import paginate


def project_fetcher(allowed: dict[str, Face]):
    """A URL fetcher that serves only the project's own cut-down fonts and refuses the rest
    (file://, http://, anything a narrative could smuggle in)."""

    class ProjectOnly(weasy.URLFetcher):
        def fetch(self, url: str, headers=None) -> weasy.URLFetcherResponse:
            if url not in allowed:
                raise ValueError(f"不允许读取外部资源：{url}")
            return weasy.URLFetcherResponse(url, face_bytes(allowed[url]), {"Content-Type": "font/otf"})

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
    configuration = weasy.FontConfiguration()
    atexit.register(configuration.__del__)  # its temporary font folder, also when a batch worker ends
    multiprocessing.util.Finalize(None, configuration.__del__, exitpriority=0)
    return configuration


@cache
def freeze_what_is_loaded() -> None:
    """Every object so far out of the garbage collector's sight, once a process: what the libraries
    keep lives as long as the process, and collections during the first render went through all
    of it (0.2 s)."""
    gc.freeze()


def lay_out(doc: Document, draft: bool = False):
    """One WeasyPrint layout of the document, pages not yet drawn."""
    freeze_what_is_loaded()
    rules, preferred, files = font_faces()
    html = render_html(doc, draft=draft, fonts_css=rules, preferred=preferred)
    with weasy.patches:
        return weasy.Page(html, TEMPLATES.as_uri() + "/", project_fetcher(files)).render(font_config=font_configuration(), pdf_tags=True)


def render_pdf(doc: Document, draft: bool = False) -> bytes:
    # the form rides along as a PDF/A-3 associated file (as Factur-X invoices carry their XML), dated like the report
    data = weasy.Attachment(string=doc.data, name=EMBEDDED_NAME, description="年度报告的表单数据", created=doc.stamp, modified=doc.stamp, relationship="Source")
    with weasy.patches:  # until the PDF is written: drawing lays each text out again (justified)
        rendered = paginate(doc, lambda version: lay_out(version, draft))
        return rendered.write_pdf(pdf_tags=True, attachments=[data], pdf_variant="pdf/a-3u")  # tagged: read aloud in order, tables as tables

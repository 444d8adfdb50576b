"""Rendering many PDFs in one process (a batch worker, `serve`) keeps native memory flat."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

import pytest

from .conftest import RICH_EXAMPLE
from .helpers import document_of

pytestmark = pytest.mark.slow


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ["arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"]]


def native_heap_in_use():
    """A function giving the bytes the C heap (glibc's malloc) has handed out and not had back."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("glibc ≥ 2.33 (mallinfo2) is needed to read the C heap")
    libc.mallinfo2.restype = MallInfo2

    def in_use() -> int:
        gc.collect()
        return libc.mallinfo2().uordblks

    return in_use


def test_rendering_again_keeps_no_native_memory():
    """Each render of the six-page report used to keep 0.1 MB of Pango attributes for good
    (WeasyPrint's layout of tabular figures, see render/weasy.py): 100 MB a thousand reports."""
    from generator.render.pdf import render_pdf

    in_use = native_heap_in_use()
    document = document_of(RICH_EXAMPLE)
    render_pdf(document)
    before = in_use()
    render_pdf(document)
    render_pdf(document)
    assert in_use() - before < 50_000

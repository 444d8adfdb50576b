"""Fonts pre-subset to the GB 2312 repertoire, cached on disk, for small and fast PDFs.

WeasyPrint keeps glyph ids when it subsets (HB_SUBSET_FLAGS_RETAIN_GIDS), so with a CJK
font of 65,000 glyphs every PDF carries metrics for all of them: about 350 KB for a
five-page report. A copy of each face cut down once to GB 2312 (6,763 hanzi and its
symbols) plus ASCII has compact glyph ids; characters outside it fall back to the full face
named next in the CSS stack. The copy is made once per machine, with HarfBuzz's subsetter
(fontTools where that library is missing), and kept in the user's cache folder.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from functools import cache
from pathlib import Path

from ..files import write_atomic
from ..fonts import resolve_roles

CACHE_VERSION = "1"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nianbao" / "fonts"


@cache
def repertoire() -> tuple[int, ...]:
    """Code points of GB 2312 (every character it encodes) plus printable ASCII and a few marks."""
    points = set(range(0x20, 0x7F)) | {0x2014, 0x3000, 0x00A0}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return tuple(sorted(points))


def face_file(family: str, weight: str = "regular") -> tuple[Path, int] | None:
    """The file (and index in a collection) fontconfig uses for a family in a weight."""
    pattern = f"{family}:weight={weight}"
    result = subprocess.run(["fc-match", "--format", "%{file}\n%{index}\n%{family}", pattern], capture_output=True, text=True, check=False)
    lines = result.stdout.split("\n")
    if result.returncode or len(lines) < 3 or family not in lines[2].split(","):
        return None
    return Path(lines[0]), int(lines[1] or 0)


def subset_with_harfbuzz(path: Path, index: int, points: tuple[int, ...]) -> bytes | None:
    from cffi import FFI

    ffi = FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_subset_input_t hb_subset_input_t; typedef struct hb_set_t hb_set_t;
        hb_blob_t *hb_blob_create_from_file(const char *file_name);
        void hb_blob_destroy(hb_blob_t *blob);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        void hb_face_destroy(hb_face_t *face);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        void hb_set_add(hb_set_t *set, unsigned int codepoint);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
    """)
    try:
        harfbuzz = ffi.dlopen("harfbuzz")
        subsetter = ffi.dlopen("harfbuzz-subset")
    except OSError:
        return None
    blob = harfbuzz.hb_blob_create_from_file(str(path).encode())
    face = harfbuzz.hb_face_create(blob, index)
    request = subsetter.hb_subset_input_create_or_fail()
    unicodes = subsetter.hb_subset_input_unicode_set(request)
    for point in points:
        harfbuzz.hb_set_add(unicodes, point)
    result = subsetter.hb_subset_or_fail(face, request)
    data = None
    if result != ffi.NULL:
        out = harfbuzz.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(harfbuzz.hb_blob_get_data(out, length), length[0]))
        harfbuzz.hb_blob_destroy(out)
        harfbuzz.hb_face_destroy(result)
    subsetter.hb_subset_input_destroy(request)
    harfbuzz.hb_face_destroy(face)
    harfbuzz.hb_blob_destroy(blob)
    return data or None


def subset_with_fonttools(path: Path, index: int, points: tuple[int, ...]) -> bytes:
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=False)
    options = subset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def subset_face(family: str, weight: str = "regular") -> Path | None:
    """The cached GB 2312 copy of an installed family, made on first use."""
    located = face_file(family, weight)
    if located is None:
        return None
    path, index = located
    stat = path.stat()
    key = hashlib.sha256(f"{CACHE_VERSION}|{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    target = cache_dir() / f"{key}.otf"
    if not target.exists():
        points = repertoire()
        data = subset_with_harfbuzz(path, index, points) or subset_with_fonttools(path, index, points)
        write_atomic(target, data)
    return target


def pdf_faces() -> dict[str, tuple[str, Path]]:
    """For each font role, the family name and file of its cut-down copy."""
    faces = {}
    for resolution in resolve_roles():
        if resolution.face is None:
            continue
        path = subset_face(resolution.face, resolution.weight)
        if path is not None:
            faces[resolution.role.key] = (f"nianbao {resolution.face} {resolution.weight}", path)
    return faces

"""Fonts pre-subset to the GB 2312 repertoire, cached on disk, for small and fast PDFs.

WeasyPrint keeps glyph ids when it subsets (HB_SUBSET_FLAGS_RETAIN_GIDS), so with a CJK
font of 65,000 glyphs every PDF carries metrics for all of them: about 350 KB for a
five-page report. A copy of each face cut down once to GB 2312 (6,763 hanzi and its
symbols) plus ASCII has compact glyph ids; characters outside it fall back to the full face
named next in the CSS stack. The copy is made once per machine, with HarfBuzz's subsetter
(fontTools where that library is missing), and kept in the user's cache folder.

Which installed face each role uses is looked up once per machine too (fc-list and fc-match
cost 50–70 ms a process): a manifest beside the copies records the lookup, keyed by the
state of the font and fontconfig folders, and each copy's size and SHA-256. A copy that
does not match its manifest entry (truncated, damaged, removed) is made again.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..files import write_atomic
from ..fonts import TEMPLATES, resolve_roles

CACHE_VERSION = "2"
MANIFEST = f"faces-v{CACHE_VERSION}.json"
FONT_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.fonts", "~/.local/share/fonts", "/Library/Fonts", "~/Library/Fonts")
CONFIG_FOLDERS = ("/etc/fonts", "~/.config/fontconfig")


@dataclass(frozen=True)
class Face:
    """A cut-down copy of an installed face, as the manifest records it."""

    family: str  # the CSS family name the PDF's @font-face rules give it
    path: Path
    size: int
    sha256: str
    source: str  # the installed face it was cut from, and its index in a collection
    index: int


def usable_folder(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


@cache
def cache_dir() -> Path:
    """$XDG_CACHE_HOME/nianbao/fonts, else ~/.cache/…; with no usable home (unset, read-only,
    a service account), a private folder in the temporary directory."""
    candidates = [os.environ.get("XDG_CACHE_HOME"), os.environ.get("HOME") and os.path.join(os.environ["HOME"], ".cache")]
    for base in filter(None, candidates):
        if os.path.isabs(base) and usable_folder(Path(base) / "nianbao" / "fonts"):
            return Path(base) / "nianbao" / "fonts"
    private = Path(tempfile.gettempdir()) / f"nianbao-fonts-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    private.mkdir(mode=0o700, exist_ok=True)
    if hasattr(os, "getuid") and private.stat().st_uid != os.getuid():
        private = Path(tempfile.mkdtemp(prefix="nianbao-fonts-"))  # someone else's folder: use a fresh one
    return private


def font_state() -> str:
    """A digest of everything a font lookup depends on: the roles file, fontconfig's settings and
    the folders fonts are installed in (a font added or removed changes its folder's time)."""
    digest = hashlib.sha256(f"{CACHE_VERSION}|{sys.platform}".encode())
    digest.update((TEMPLATES / "fonts.yaml").read_bytes())
    for name in ("FONTCONFIG_FILE", "FONTCONFIG_PATH", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        digest.update(f"|{name}={os.environ.get(name, '')}".encode())
    for root, with_files in [(r, False) for r in FONT_FOLDERS] + [(r, True) for r in CONFIG_FOLDERS]:
        for folder, _, files in os.walk(os.path.expanduser(root)):
            for path in [folder, *(os.path.join(folder, f) for f in files if with_files)]:
                try:
                    digest.update(f"|{path}:{os.stat(path).st_mtime_ns}".encode())
                except OSError:
                    continue
    return digest.hexdigest()


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


def cut_down(family: str, source: Path, index: int) -> Face:
    """Cut an installed face down to the repertoire, into the cache."""
    stat = source.stat()
    key = hashlib.sha256(f"{CACHE_VERSION}|{source}|{index}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    points = repertoire()
    data = subset_with_harfbuzz(source, index, points) or subset_with_fonttools(source, index, points)
    path = cache_dir() / f"{key}.otf"
    write_atomic(path, data)
    return Face(family, path, len(data), hashlib.sha256(data).hexdigest(), str(source), index)


def read_manifest() -> tuple[str, dict[str, Face]]:
    """The font state the manifest was made for, and its faces by role ({} if unreadable)."""
    try:
        data = json.loads((cache_dir() / MANIFEST).read_text("utf-8"))
        faces = {role: Face(**{**entry, "path": cache_dir() / entry["path"]}) for role, entry in data["roles"].items()}
        return data["state"], faces
    except (OSError, ValueError, KeyError, TypeError):
        return "", {}


def write_manifest(state: str, faces: dict[str, Face]) -> None:
    roles = {role: {**face.__dict__, "path": face.path.name} for role, face in faces.items()}
    write_atomic(cache_dir() / MANIFEST, json.dumps({"state": state, "roles": roles}, ensure_ascii=False, indent=1))


def intact(face: Face) -> bool:
    """The cheap check made on every use: the copy is there, at its recorded size."""
    try:
        return face.path.stat().st_size == face.size
    except OSError:
        return False


def look_up_faces(state: str) -> dict[str, Face]:
    """Ask fontconfig for each role's face and cut down each face once; record it all."""
    faces: dict[str, Face] = {}
    for resolution in resolve_roles():
        located = resolution.face and face_file(resolution.face, resolution.weight)
        if not located:
            continue
        family = f"nianbao {resolution.face} {resolution.weight}"
        made = next((face for face in faces.values() if face.family == family), None)
        faces[resolution.role.key] = made or cut_down(family, *located)
    write_manifest(state, faces)
    return faces


@cache
def pdf_faces() -> dict[str, Face]:
    """For each font role, the cut-down copy of the face it resolves to: from the manifest
    when it was made for the fonts installed now and every copy is intact, else looked up again."""
    state = font_state()
    recorded_state, faces = read_manifest()
    if recorded_state == state and all(map(intact, faces.values())):
        return faces
    return look_up_faces(state)


def face_bytes(face: Face) -> bytes:
    """The bytes of a cut-down copy, checked against its SHA-256; made again if they differ."""
    try:
        data = face.path.read_bytes()
    except OSError:
        data = b""
    if len(data) == face.size and hashlib.sha256(data).hexdigest() == face.sha256:
        return data
    pdf_faces.cache_clear()
    fresh = {f.family: f for f in look_up_faces(font_state()).values()}.get(face.family)
    return fresh.path.read_bytes() if fresh else b""  # the face was removed: WeasyPrint falls back to the stack

"""The folder of forms the server edits: names that cannot leave it, versions by content,
atomic saves that keep every earlier version, and conflicts instead of lost edits."""

from __future__ import annotations

import hashlib
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from ..files import glob_escape, write_atomic

HISTORY = ".nianbao-history"  # beside the forms: earlier versions, one folder per form
BIN = ".nianbao-bin"  # deleted forms, until the office empties it: one folder per deletion
FORM_SUFFIX = ".yaml"


class NotAForm(Exception):
    """A name that is not a form in the folder (outside it, hidden, or another kind of file)."""


@dataclass(frozen=True)
class Discarded:
    id: str  # the deletion's folder in the bin
    name: str  # the form's name when it was deleted
    deleted: str  # 2025-01-20 10:31:05
    text: str


@dataclass(frozen=True)
class Version:
    id: str  # file name in the history folder
    saved: str  # 2025-01-20 10:31:05


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class FormStore:
    def __init__(self, folder: Path):
        self.folder = folder.resolve()

    def path(self, name: str, suffixes: frozenset[str] = frozenset({FORM_SUFFIX})) -> Path:
        """The file for a name relative to the folder (a form unless `suffixes` says otherwise);
        refuses anything that could leave the folder."""
        parts = Path(name).parts
        if not name or Path(name).is_absolute() or any(p in ("..", "") or p.startswith(".") for p in parts) or Path(name).suffix.lower() not in suffixes:
            raise NotAForm(name)
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder):
            raise NotAForm(name)
        return path

    def names(self, suffixes: frozenset[str] = frozenset({FORM_SUFFIX})) -> list[str]:
        """Every form (or file with one of `suffixes`) below the folder, hidden folders (the history) left out."""
        found = []
        for path in sorted(self.folder.rglob("*")):
            relative = path.relative_to(self.folder)
            if path.suffix.lower() in suffixes and not any(p.startswith(".") for p in relative.parts) and path.is_file():
                found.append(relative.as_posix())
        return found

    def read(self, name: str) -> str:
        path = self.path(name)
        if not path.is_file():
            raise NotAForm(name)
        return path.read_text("utf-8")

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def save(self, name: str, text: str, base: str | None) -> str | None:
        """Write the form if it is still at version `base` (None: it must not exist yet); keeps the
        version it replaces. Returns the new version, or None when someone saved in between."""
        path = self.path(name)
        current = path.read_text("utf-8") if path.is_file() else None
        if (current is None and base is not None) or (current is not None and version_of(current) != base):
            return None
        if current is not None:
            self.keep(name, current)
        write_atomic(path, text)
        return version_of(text)

    def history_folder(self, name: str) -> Path:
        return self.folder / HISTORY / name

    def keep(self, name: str, text: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        write_atomic(self.history_folder(name) / f"{stamp}-{version_of(text)}{FORM_SUFFIX}", text)

    def history(self, name: str) -> list[Version]:
        """Earlier versions, newest first."""
        self.path(name)
        folder = self.history_folder(name)
        files = sorted(folder.glob(f"*{FORM_SUFFIX}"), reverse=True) if folder.is_dir() else []
        return [Version(f.name, f"{f.name[0:4]}-{f.name[4:6]}-{f.name[6:8]} {f.name[9:11]}:{f.name[11:13]}:{f.name[13:15]}") for f in files]

    def earlier(self, name: str, version_id: str) -> str:
        if version_id not in {v.id for v in self.history(name)}:
            raise NotAForm(version_id)
        return (self.history_folder(name) / version_id).read_text("utf-8")

    def text_of_version(self, name: str, version: str) -> str | None:
        """The form's text at `version` (the current one, or one kept in its history); None when not kept."""
        current = self.read(name)
        if version_of(current) == version:
            return current
        folder = self.history_folder(name)
        found = sorted(folder.glob(f"*-{glob_escape(version)}{FORM_SUFFIX}")) if version and folder.is_dir() else []
        return found[-1].read_text("utf-8") if found else None

    def discard(self, name: str) -> None:
        """Move the form into the bin (its history stays where it is)."""
        path = self.path(name)
        if not path.is_file():
            raise NotAForm(name)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.folder / BIN / f"{stamp}-{version_of(name)}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)

    def discarded(self) -> list[Discarded]:
        """The forms in the bin, the last deleted first."""
        found = []
        for form in sorted((self.folder / BIN).glob(f"*/**/*{FORM_SUFFIX}"), reverse=True):
            deletion = form.relative_to(self.folder / BIN).parts[0]
            name = form.relative_to(self.folder / BIN / deletion).as_posix()
            stamp = deletion[:15]
            found.append(Discarded(deletion, name, f"{stamp[0:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]}:{stamp[13:15]}", form.read_text("utf-8")))
        return found

    def restore(self, deletion: str) -> str:
        """Put a deleted form back under its name; the name, or NotAForm when that name is taken again or the deletion is unknown."""
        chosen = next((d for d in self.discarded() if d.id == deletion), None)
        if chosen is None or self.exists(chosen.name):
            raise NotAForm(deletion)
        target = self.path(chosen.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        (self.folder / BIN / deletion / chosen.name).replace(target)
        return chosen.name

    def empty_bin(self) -> int:
        """Delete every form in the bin for good; how many."""
        count = len(self.discarded())
        shutil.rmtree(self.folder / BIN, ignore_errors=True)
        return count

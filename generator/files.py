"""Writing outputs safely: to a temporary file beside the target, then renamed over it."""

from __future__ import annotations

import errno
import os
import tempfile
import time
from pathlib import Path

STALE_SECONDS = 60  # a temporary file of ours this old was left by a killed run (outputs are rendered before any is written)


def write_atomic(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never half
    (`mode`: 0o600 for a file only its owner may read, such as the accounts)."""
    write_all({path: data}, mode)


def write_all(outputs: dict[Path, bytes | str], mode: int = 0o644) -> None:
    """Write every output or none: all go to temporary files first and are renamed into place
    only when all were written. Temporary files a killed run left beside these targets go."""
    for path in outputs:
        if path.is_dir():  # found before anything is written: a rename over it would fail halfway
            raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    temporaries: dict[Path, str] = {}
    try:
        for path, data in outputs.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                remove_stale_temporaries(path)
                temporaries[path] = write_temporary(path, data.encode("utf-8") if isinstance(data, str) else data, mode)
            except OSError as exc:  # name the output, not a temporary file (or nothing: a full disk)
                raise OSError(exc.errno, exc.strerror, exc.filename if exc.filename and not str(exc.filename).endswith(".tmp") else str(path)) from None
        for path, temporary in temporaries.items():
            os.replace(temporary, path)
    finally:
        for temporary in temporaries.values():
            Path(temporary).unlink(missing_ok=True)


def write_temporary(path: Path, payload: bytes, mode: int = 0o644) -> str:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
        os.chmod(temporary, mode)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


def remove_stale_temporaries(path: Path) -> None:
    """Our temporary files for `path` (".name.XXXX.tmp") older than STALE_SECONDS: a run killed
    while writing left them (a younger one may belong to a run writing right now)."""
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        try:
            if time.time() - stale.lstat().st_mtime > STALE_SECONDS and stale.is_file():
                stale.unlink()
        except OSError:
            continue  # gone already, or not ours to remove


def glob_escape(name: str) -> str:
    return "".join(f"[{ch}]" if ch in "*?[]" else ch for ch in name)

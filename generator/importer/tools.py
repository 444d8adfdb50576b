"""Poppler's command-line tools run on a stranger's file, each within a deadline and a cap on
what it writes, and where the system has resource limits (Linux, macOS) also on its memory.

No `preexec_fn`: it does not exist on Windows and is unsafe in a process with threads (the
browser form imports in threads). Where the `resource` module exists, the tool is started
through a tiny Python launcher that sets its own limits and then replaces itself with the tool
(os.execv), which keeps them: the limits are in place before the tool's first instruction. On
every system the parent waits against the deadline and watches the size of what the tool
writes, and stops it past either: without `resource` (Windows) these are the bounds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

POLL_SECONDS = 0.05  # how often a running tool's output is measured; it may overshoot by what it writes meanwhile

# Run as `python -I -S -c LAUNCHER MEMORY FILE_SIZE TOOL ARGS…`. A limit the system refuses
# (macOS may refuse RLIMIT_AS) is left out: the deadline and the size watch still hold.
LAUNCHER = """\
import os, resource, sys
for kind, limit in ((resource.RLIMIT_AS, int(sys.argv[1])), (resource.RLIMIT_FSIZE, int(sys.argv[2]))):
    hard = resource.getrlimit(kind)[1]
    limit = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    try:
        resource.setrlimit(kind, (limit, limit))
    except (ValueError, OSError):
        pass
os.execv(sys.argv[3], sys.argv[3:])
"""


class OverTime(Exception):
    """The tool was still running at the deadline, and was stopped."""


class OverSize(Exception):
    """The tool wrote more than it may, and was stopped."""


def has_resource_limits() -> bool:
    """Whether this system caps a process's memory and file size (POSIX: the `resource` module)."""
    try:
        import resource  # noqa: F401  (POSIX only: imported here, never at module level)
    except ImportError:
        return False
    return True


def launch_command(command: list[str], memory: int, file_size: int) -> list[str]:
    """The command as started: the tool found on PATH, through the launcher where limits exist."""
    program = shutil.which(command[0])
    if program is None:
        raise FileNotFoundError(command[0])
    if not has_resource_limits():
        return [program, *command[1:]]
    return [sys.executable, "-I", "-S", "-c", LAUNCHER, str(memory), str(file_size), program, *command[1:]]


def size_of(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def run_tool(command: list[str], output: Path, *, until: float, max_bytes: int, memory: int, stdout_to_output: bool = False) -> int:
    """Run a tool that writes `output` (or, with `stdout_to_output`, whose standard output goes
    there), stopped at `until` (a time.monotonic() value) or when `output` grows past
    `max_bytes`: OverTime, OverSize. Its exit code otherwise."""
    launched = launch_command(command, memory, max_bytes + 1)
    with open(output if stdout_to_output else os.devnull, "wb") as stdout:
        process = subprocess.Popen(launched, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.DEVNULL, env={**os.environ, "LC_ALL": "C"})
    try:
        while True:
            try:
                code = process.wait(timeout=max(min(POLL_SECONDS, until - time.monotonic()), 0))
                break
            except subprocess.TimeoutExpired:
                if size_of(output) > max_bytes:
                    raise OverSize from None
                if time.monotonic() >= until:
                    raise OverTime from None
    finally:
        if process.returncode is None:
            process.kill()
            process.wait()
    if size_of(output) > max_bytes:
        raise OverSize
    return code

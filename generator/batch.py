"""Batches: one piece of work per file on every core, with results and messages in input order.

Each file is handled in a worker process that prints into a buffer; the parent writes each
file's messages when its turn comes, so the output reads as if the files were done one by one.
Workers are replaced after a bounded number of files, which keeps a long batch's memory the same
as a short one's. A file whose outputs cannot be written is reported and the batch goes on.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import nullcontext, redirect_stderr, redirect_stdout

TYPE_CHECKING = False  # (importing `typing` adds about 6 ms to a cold `check`)
if TYPE_CHECKING:
    from typing import TypeVar

    Item = TypeVar("Item")
    Result = TypeVar("Result")

TASKS_PER_WORKER = 50  # files a worker handles before a fresh process replaces it
PROGRESS_DELAY = 1.0  # seconds before a progress bar appears (short batches show none)


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=positive, metavar="N", help="同时处理的文件数（默认：全部处理器核心）")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return int(text)


def os_error_message(exc: OSError) -> str:
    """An output folder that cannot be written, a full disk…, in Chinese."""
    return f"无法读写 {exc.filename or ''}：{exc.strerror or exc}"


def captured(work: Callable[[Item], Result], item: Item) -> tuple[Result | None, str, str]:
    """work(item), with what it printed to stdout and stderr; an OSError becomes a message."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            result = work(item)
        except OSError as exc:
            print(os_error_message(exc), file=sys.stderr)
            result = None
    return result, out.getvalue(), err.getvalue()


class Captured:
    """A picklable `captured(work, ·)` for the worker processes."""

    def __init__(self, work: Callable):
        self.work = work

    def __call__(self, item):
        return captured(self.work, item)


class NoBar:
    """What stands in for the progress bar when there is none to show."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self) -> None:
        return None

    def clear_while(self):
        return nullcontext()


def progress(total: int):
    """A progress bar on stderr, only when it is a terminal and the batch lasts over a second."""
    if total < 2 or not sys.stderr.isatty():
        return NoBar()
    from tqdm import tqdm

    class Bar(tqdm):
        def clear_while(self):
            """Take the bar off the terminal while messages are written."""
            return self.external_write_mode(file=sys.stderr)

    tqdm.monitor_interval = 0  # no monitor thread (worker processes are forked)
    return Bar(total=total, file=sys.stderr, delay=PROGRESS_DELAY, leave=False, unit="份")


def in_order(
    work: Callable[[Item], Result], items: list[Item], jobs: int | None = None, prepare: Callable[[], object] | None = None
) -> Iterator[Result | None]:
    """work(item) for each item on `jobs` processes (default: every core), yielded in input order,
    each after its messages are written. None for an item whose files could not be written.
    `prepare` runs once in this process before the workers start (imports they all share)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    with progress(len(items)) as bar:
        if jobs == 1:
            results = (captured(work, item) for item in items)
        else:
            import multiprocessing

            if prepare:
                prepare()
            pool = multiprocessing.Pool(jobs, maxtasksperchild=TASKS_PER_WORKER)
            results = pool.imap(Captured(work), items, chunksize=-(-len(items) // (jobs * 8)))  # small files go in small groups
        try:
            for result, out, err in results:
                with bar.clear_while():
                    sys.stderr.write(err)
                    sys.stdout.write(out)
                    sys.stdout.flush()
                bar.update()
                yield result
        finally:
            if jobs > 1:
                pool.terminate()

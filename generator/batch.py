"""Batches: one piece of work per file on every core, with results in input order.

Each file is handled in a worker process by a service that returns data and prints nothing; the
command says each result when its turn comes, so the output reads as if the files were done one
by one. In a long batch, workers are replaced after a bounded number of files, which keeps its
memory the same as a short one's. A file whose work fails with an OSError, or whose worker
crashes, is reported and the batch goes on.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import nullcontext

TYPE_CHECKING = False  # (importing `typing` adds about 6 ms to a cold `check`)
if TYPE_CHECKING:
    from typing import TypeVar

    Item = TypeVar("Item")
    Result = TypeVar("Result")

TASKS_PER_WORKER = 500  # tasks (a file, or a group of quick ones) a worker handles before a fresh process replaces it (a bound on what a library might keep: measured, a render keeps about 1 KB)
PROGRESS_DELAY = 1.0  # seconds before a progress bar appears (short batches show none)


def add_jobs_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-j", "--jobs", type=positive, metavar="N", help="同时处理的文件数（默认：全部处理器核心）")


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"应为正整数：{text}")
    return int(text)


def os_error_message(exc: OSError) -> str:
    """A file that cannot be read or written, a full disk…, in Chinese."""
    from .limits import os_message

    return os_message(exc)


def attempted(work: Callable[[Item], Result], item: Item) -> tuple[Result | None, str]:
    """work(item), or None and the message of the OSError that stopped it."""
    try:
        return work(item), ""
    except OSError as exc:
        return None, os_error_message(exc) + "\n"


class Attempted:
    """A picklable `attempted(work, ·)` over a group of items, for the worker processes."""

    def __init__(self, work: Callable):
        self.work = work

    def __call__(self, items: list) -> list[tuple]:
        return [attempted(self.work, item) for item in items]


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
    work: Callable[[Item], Result], items: list[Item], jobs: int | None = None, group: int = 1, prepare: Callable[[], object] | None = None
) -> Iterator[Result | None]:
    """work(item) for each item on `jobs` processes (default: every core), yielded in input order.
    None for an item whose work failed (its message is written to stderr).
    Work that takes milliseconds goes to the workers up to `group` items at a time (what sending a
    task costs is then shared), in groups small enough that every worker has several. `prepare`
    runs here before workers are forked from this process: what each would otherwise do first."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    with progress(len(items)) as bar:
        results = (attempted(work, item) for item in items) if jobs == 1 else pooled(Attempted(work), groups(items, jobs, group), jobs, prepare)
        for result, trouble in results:
            bar.update()
            if trouble:
                with bar.clear_while():
                    sys.stderr.write(trouble)
            with bar.clear_while():
                yield result


def groups(items: list, jobs: int, largest: int) -> list[list]:
    """The items in consecutive groups of at most `largest`, none over a quarter of what each
    worker still has ahead (the groups shrink towards the end, so that the workers end together)."""
    found, start = [], 0
    while start < len(items):
        size = max(1, min(largest, (len(items) - start) // (jobs * 4)))
        found.append(items[start : start + size])
        start += size
    return found


def workers(jobs: int, task: Attempted, tasks: int, prepare: Callable[[], object] | None = None):
    """A pool of `jobs` processes for `tasks` tasks. When the workers need not be replaced (about
    TASKS_PER_WORKER tasks each at most) and this process runs no other thread (a lock another
    thread holds, say while it renders, would stay held in a fork), they are forked from this
    process, all at once before any thread of the pool starts: they start in milliseconds, with
    everything it has imported.
    Otherwise they are forked from a clean server that has imported the task's module, and each
    is replaced after TASKS_PER_WORKER tasks."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    if tasks <= jobs * TASKS_PER_WORKER and "fork" in methods and threading.active_count() == 1:
        if prepare:
            prepare()
        gc.freeze()  # what the workers inherit stays out of their garbage collection (never traversed, never copied)
        return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([getattr(task.work, "func", task.work).__module__])
    return ProcessPoolExecutor(jobs, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER)


def pooled(task: Attempted, tasks: list[list], jobs: int, prepare: Callable[[], object] | None) -> Iterator[tuple]:
    """task(group) for each group of items on `jobs` workers, item by item in input order, a few
    groups ahead of the reader. When a worker dies (a crash inside a library), the items it took
    down are run again, each one that kills its worker again is reported, and the batch goes on."""
    from collections import deque
    from concurrent.futures.process import BrokenProcessPool

    executor, pending, upcoming = workers(jobs, task, len(tasks), prepare), deque(), iter(tasks)
    try:
        while True:
            while len(pending) < jobs * 4 and (group := next(upcoming, None)) is not None:
                pending.append((group, executor.submit(task, group)))
            if not pending:
                return
            group, future = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool:
                executor.shutdown(cancel_futures=True)
                yield from (alone(task, item) for item in group)
                executor = workers(jobs, task, len(tasks))
                pending = deque((other, executor.submit(task, other)) for other, _ in pending)
    finally:
        executor.shutdown(cancel_futures=True)


def alone(task: Attempted, item) -> tuple:
    """An item whose worker died, run again in a process of its own: its result, or a message."""
    from concurrent.futures.process import BrokenProcessPool

    with workers(1, task, 1) as executor:
        try:
            return executor.submit(task, [item]).result()[0]
        except BrokenProcessPool:
            name = item[0] if isinstance(item, tuple) else item
            return None, f"{name}：处理时进程意外终止（所用程序库出错），已跳过，其余文件照常处理。\n"

"""Batches on every core (--jobs), the commands' lazy imports, and the font cache's validation."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from generator import batch
from generator.findings import format_text
from generator.importer import PUBLISHED_SUFFIXES
from generator.importer.sources import READERS
from generator.services import check_file

from .conftest import ROOT, SEEDS
from .helpers import BASE, edit, edit_row, write


def forms(folder: Path, count: int, broken: int | None = None) -> list[Path]:
    """`count` forms of different agencies; the one numbered `broken` does not add up."""
    folder.mkdir()
    paths = []
    for number in range(count):
        text = edit(BASE, "机关: 周口市人民政府办公室", f"机关: 测试机关{number:02d}")
        if number == broken:
            text = edit_row(text, "予以公开", "[71, 0, 0, 0, 9, 0, 81]")
        paths.append(write(folder, text, f"{number:02d}.yaml"))
    return paths


def nianbao(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=ROOT, env=env)


def test_build_on_two_workers_keeps_order_and_goes_past_a_failure(tmp_path):
    folder = tmp_path / "forms"
    forms(folder, 5, broken=2)
    one = nianbao("build", str(folder), "-o", str(tmp_path / "one"), "--html", "--jobs", "1")
    two = nianbao("build", str(folder), "-o", str(tmp_path / "two"), "--html", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert two.stdout.replace("/two/", "/one/") == one.stdout and two.stderr == one.stderr
    assert re.findall(r"已生成 .*(测试机关\d\d)", two.stdout) == ["测试机关00", "测试机关01", "测试机关03", "测试机关04"]
    assert "02.yaml：有 2 个错误（E101、E103），未生成正式文件" in two.stderr


def test_check_of_a_folder_on_two_workers_prints_what_one_does(tmp_path):
    folder = tmp_path / "forms"
    forms(folder, 6, broken=4)
    one, two = (nianbao("check", str(folder), "-j", jobs) for jobs in ("1", "2"))
    assert one.returncode == two.returncode == 1
    assert two.stdout == one.stdout
    assert one.stdout.index("00.yaml") < one.stdout.index("05.yaml")


def test_import_of_several_files_writes_a_form_for_each(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))[:3]
    result = nianbao("import", *map(str, seeds), "-o", str(tmp_path / "forms"), "--jobs", "2")
    written = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("已导入")]
    assert written == [str(tmp_path / "forms" / f"{seed.stem}.yaml") for seed in seeds]
    assert all(Path(path).exists() for path in written)
    assert nianbao("import", *map(str, seeds)).returncode == 2  # several files need a folder


def test_a_batch_result_keeps_only_the_source_lines_its_findings_show(tmp_path):
    (path,) = forms(tmp_path / "forms", 1, broken=0)
    whole = check_file(str(path))
    light = whole.without_report()
    assert light.report is None and not light.unusable and light.findings == whole.findings
    assert [format_text(f, light.source_lines) for f in light.findings] == [format_text(f, whole.source_lines) for f in whole.findings]
    assert sum(map(bool, light.source_lines)) == len({f.loc.line for f in whole.findings if f.loc}) < len(whole.source_lines) // 10


def test_a_batch_lists_a_folder_once_and_a_later_one_sees_what_was_added(tmp_path):
    this_year = write(tmp_path, BASE, "2024.yaml")
    assert check_file(str(this_year), batch=True).report.previous is None
    listed = tmp_path.stat().st_mtime_ns
    write(tmp_path, edit(BASE, "年度: 2024", "年度: 2023"), "上年.yaml")
    os.utime(tmp_path, ns=(listed + 10**9, listed + 10**9))  # a second later (a file system's clock may be coarser than this test)
    assert check_file(str(this_year), batch=True).report.previous.year == 2023


def work_or_crash(item: str) -> str:
    """Work for a batch worker: the item "crash" kills its process, as a crash inside a library would."""
    if item == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    return f"处理 {item}"


def test_a_crashing_worker_costs_only_its_own_file(capsys):
    results = list(batch.in_order(work_or_crash, ["a", "b", "crash", "c", "d", "e"], jobs=2))
    assert results == ["处理 a", "处理 b", None, "处理 c", "处理 d", "处理 e"]
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert "crash：处理时进程意外终止" in err


def unwritable(item: str) -> str:
    """Work that fails as writing to a full disk or a read-only folder does."""
    if item == "b":
        raise PermissionError(13, "Permission denied", f"/只读/{item}")
    return item


def test_work_stopped_by_the_system_is_said_in_chinese_and_the_rest_goes_on(capsys):
    assert list(batch.in_order(unwritable, ["a", "b", "c"], jobs=1)) == ["a", None, "c"]
    _out, err = capsys.readouterr()
    assert err.startswith("无法读写 /只读/b：") and "Permission" not in err


def processes(item: int) -> tuple[int, int]:
    """Work for a batch worker: which process did it, and that process's parent."""
    return os.getpid(), os.getppid()


def test_a_short_batch_forks_from_this_process_and_a_long_one_replaces_its_workers():
    short = list(batch.in_order(processes, list(range(2 * batch.TASKS_PER_WORKER)), jobs=2))
    assert {parent for _, parent in short} == {os.getpid()} and len({pid for pid, _ in short}) == 2
    long = list(batch.in_order(processes, list(range(2 * batch.TASKS_PER_WORKER + 20)), jobs=2))
    assert os.getpid() not in {parent for _, parent in long}  # forked from the server
    assert len({pid for pid, _ in long}) >= 3  # no worker handles more than TASKS_PER_WORKER


def test_quick_work_goes_in_groups_that_shrink_towards_the_end():
    sizes = [len(group) for group in batch.groups(list(range(600)), 2, 20)]
    assert sum(sizes) == 600 and max(sizes) == 20 and sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert [len(group) for group in batch.groups(list(range(6)), 2, 1)] == [1] * 6


@pytest.mark.slow
def test_progress_bar_on_a_terminal_only(tmp_path):
    """On a terminal a batch lasting over a second shows a bar on stderr; piped, nothing is added."""
    folder = tmp_path / "forms"
    forms(folder, 4)
    command = [sys.executable, "-m", "generator", "build", str(folder), "-o", str(tmp_path / "out"), "--pdf", "-j", "2"]
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    screen = b""
    while chunk := read_or_empty(leader):
        screen += chunk
    assert process.wait() == 0
    assert "份/s" in screen.decode("utf-8", "replace") or "s/份" in screen.decode("utf-8", "replace")
    assert "|" not in nianbao(*command[3:]).stderr


def read_or_empty(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 4096)
    except OSError:  # the terminal closed
        return b""


def test_check_imports_neither_renderers_nor_importer():
    probe = (
        "import sys; from generator.cli import main; main(['check', sys.argv[1]]);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'weasyprint', 'docx', 'jinja2', 'lxml', 'tqdm', 'multiprocessing'}),"
        " 'generator.importer.parse' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(ROOT / "examples/周口市人民政府办公室/2024.yaml")], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines()[-1] == "[] False", result.stdout + result.stderr


def test_published_suffixes_are_the_readers():
    assert frozenset(READERS) == PUBLISHED_SUFFIXES


def pdf_fonts(pdf: Path) -> list[str]:
    lines = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return sorted(line.split()[0].split("+", 1)[1] for line in lines)


@pytest.fixture(scope="module")
def font_cache(tmp_path_factory) -> Path:
    """A font cache of its own (XDG_CACHE_HOME), filled by one build; and that build's fonts."""
    home = tmp_path_factory.mktemp("cache")
    out = home / "out"
    result = nianbao("build", str(ROOT / "examples/周口市人民政府办公室/2024.yaml"), "-o", str(out), "--pdf", env={**os.environ, "XDG_CACHE_HOME": str(home)})
    assert result.returncode == 0, result.stderr
    return home


def build_rich_pdf(out: Path, env: dict[str, str]):
    """`nianbao build --pdf` of the rich example into `out`, in a process with the environment `env`."""
    return nianbao("build", str(ROOT / "examples/周口市人民政府办公室/2024.yaml"), "-o", str(out), "--pdf", env=env)


@pytest.mark.slow
def test_a_truncated_cached_font_is_made_again(font_cache, tmp_path):
    cache = tmp_path / "cache"
    shutil.copytree(font_cache, cache)
    expected = pdf_fonts(next((cache / "out").glob("*.pdf")))
    assert len(expected) == 4
    font = min((cache / "nianbao" / "fonts").glob("*.otf"), key=lambda p: p.stat().st_size)
    original = font.read_bytes()
    for damaged in (original[:1000], original[:-4] + b"\0\0\0\0", None):  # truncated, changed, removed
        font.write_bytes(damaged) if damaged else font.unlink()
        result = build_rich_pdf(tmp_path / "out", {**os.environ, "XDG_CACHE_HOME": str(cache)})
        assert result.returncode == 0, result.stderr
        assert pdf_fonts(next((tmp_path / "out").glob("*.pdf"))) == expected
        assert font.read_bytes() == original


@pytest.mark.slow
def test_pdf_builds_without_a_usable_home(tmp_path):
    environment = {key: value for key, value in os.environ.items() if key not in ("HOME", "XDG_CACHE_HOME")}
    for home in ({}, {"HOME": "/proc/1/no-home"}):
        result = build_rich_pdf(tmp_path / "out", {**environment, **home, "TMPDIR": str(tmp_path)})
        assert result.returncode == 0, result.stderr
        assert len(pdf_fonts(next((tmp_path / "out").glob("*.pdf")))) == 4


HELD = threading.Lock()  # what a server's rendering thread holds while a batch starts


def needs_the_lock(item: str) -> str:
    with HELD:
        return item


def test_a_batch_beside_a_thread_holding_a_lock_still_ends():
    release, results = threading.Event(), []

    def holder() -> None:
        with HELD:
            release.wait(60)

    threading.Thread(target=holder, daemon=True).start()
    runner = threading.Thread(target=lambda: results.extend(batch.in_order(needs_the_lock, ["a", "b", "c"], jobs=2)), daemon=True)
    runner.start()
    time.sleep(0.5)
    release.set()  # held while the workers were made: a fork would have copied it held, and waited forever
    runner.join(60)
    assert results == ["a", "b", "c"]

"""WeasyPrint behind one door (render/weasy.py): only that module imports WeasyPrint; every internal
it uses is checked against its source; its replacements are reached by a real render and are in
place only while one runs, one thread at a time, and put back after."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import threading
from types import ModuleType

import pytest

from generator.render import weasy
from generator.render.pdf import render_pdf
from generator.resources import InstallationError

from .conftest import RICH_EXAMPLE, ROOT
from .helpers import document_of


def in_place() -> list[object]:
    """What each name the door replaces holds now."""
    return [getattr(owner, name) for owner, name, _ in weasy.patches.replacements]


def path_of(owner: object, name: str) -> str:
    """The "module:qualified name" of a replaced name, as SOURCES spells it."""
    if isinstance(owner, ModuleType):
        return f"{owner.__name__}:{name}"
    return f"{owner.__module__}:{owner.__qualname__}.{name}"


def test_only_render_weasy_imports_weasyprint():
    importers = set()
    for path in (ROOT / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "weasyprint" for name in names):
                importers.add(path.relative_to(ROOT).as_posix())
    assert importers == {"generator/render/weasy.py"}


def test_a_render_goes_through_every_replacement_and_puts_weasyprints_own_back():
    originals = in_place()
    assert all(original.__module__.startswith("weasyprint.") for original in originals)  # WeasyPrint's own, none of ours
    weasy.HITS.clear()
    render_pdf(document_of(RICH_EXAMPLE))
    assert set(weasy.HITS) == {name for _, name, _ in weasy.patches.replacements}
    assert all(calls > 0 for calls in weasy.HITS.values())
    assert all(now is original for now, original in zip(in_place(), originals, strict=True))


def test_every_replaced_function_is_checked_against_its_source():
    assert {path_of(owner, name) for owner, name, _ in weasy.patches.replacements} <= set(weasy.SOURCES)


def test_sources_are_read_as_inspect_reads_them():
    for path in weasy.SOURCES:
        function = weasy.internal(path)
        assert weasy.source_of(function) == inspect.getsource(function), path


def test_the_replacements_nest_and_hold_one_thread_at_a_time():
    originals = in_place()
    replacements = [replacement for _, _, replacement in weasy.patches.replacements]
    events = []

    def render_elsewhere() -> None:
        with weasy.patches:
            events.append("other thread in")

    with weasy.patches:
        with weasy.patches:
            assert in_place() == replacements
        assert in_place() == replacements  # the inner block's end puts nothing back
        other = threading.Thread(target=render_elsewhere)
        other.start()
        other.join(0.2)
        events.append("first thread out")
    other.join()
    assert events == ["first thread out", "other thread in"]
    assert in_place() == originals
    with pytest.raises(ZeroDivisionError), weasy.patches:
        _ = 1 / 0
    assert in_place() == originals


def test_a_weasyprint_whose_internals_differ_is_refused_by_name():
    changed = {"weasyprint.layout.inline:justify_line": (weasy.JUSTIFY, "0" * 16)}
    with pytest.raises(InstallationError, match=r"WeasyPrint 70\.0 中的 weasyprint\.layout\.inline\.justify_line 与 70\.0 中的不同（本程序的中文两端对齐依赖它）"):
        weasy.check_sources("70.0", changed)
    missing = {"weasyprint.text.line_break:Layout.set_texts": (weasy.JUSTIFY, "0" * 16)}
    with pytest.raises(InstallationError, match=r"weasyprint\.text\.line_break\.Layout\.set_texts 不存在或读不到源代码"):
        weasy.check_sources("70.0", missing)


def test_another_version_is_refused_and_a_patch_release_is_not():
    weasy.check_version("70.1")
    with pytest.raises(InstallationError, match=r"需要 WeasyPrint 70\.0（或其他 70\.x 版本.*安装的是 71\.0"):
        weasy.check_version("71.0")


def test_a_build_with_a_changed_internal_says_which_and_writes_nothing(tmp_path):
    program = (
        "import sys; from weasyprint.text import line_break\n"
        "line_break.Layout.setup = line_break.Layout.get_first_line  # any other source\n"
        "from generator.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", program, "build", str(RICH_EXAMPLE), "--pdf", "-o", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert "weasyprint.text.line_break.Layout.setup 与 70.0 中的不同（本程序的连续生成 PDF 时的内存回收依赖它）" in result.stderr
    assert "pip install weasyprint==70.0" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_module_prints_the_digests_of_the_installed_weasyprint():
    """What a move to another WeasyPrint pastes into SOURCES, once its functions are reviewed."""
    result = subprocess.run([sys.executable, "-m", "generator.render.weasy"], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines() == [f'"{path}": "{digest}"' for path, (_, digest) in weasy.SOURCES.items()]

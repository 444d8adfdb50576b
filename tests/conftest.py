"""Shared fixtures: the example forms (transcribed seed reports) and a CLI runner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
SEEDS = ROOT / "tests" / "data" / "seeds"  # copies of the published texts (see its README)
RICH_EXAMPLE = ROOT / "examples" / "周口市人民政府办公室" / "2024.yaml"


def example_id(path: Path) -> str:
    return f"{path.parent.name}-{path.stem}"


@pytest.fixture
def run_cli(capsys):
    """Run `nianbao ARGS` in process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[Path, dict[str, Path]]:
    """Every example built once (PDF, DOCX, HTML): {example: {kind: file}}."""
    from generator.services import check_file

    out = tmp_path_factory.mktemp("published")
    assert main(["build", *map(str, EXAMPLES), "-o", str(out)]) == 0
    result = {}
    for path in EXAMPLES:
        report = check_file(str(path)).report
        stem = f"{report.agency}{report.year}年政府信息公开工作年度报告"
        result[path] = {kind: out / f"{stem}.{kind}" for kind in ("pdf", "docx", "html")}
    return result


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run nianbao as a separate process, as a user does."""
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, text=True, cwd=cwd or ROOT)

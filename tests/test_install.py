"""The package as a user gets it: an sdist and a wheel built from the repository, installed
with the pinned versions into a fresh virtual environment, and every command run from a
folder outside the repository.

Building and installing takes about a minute, so the environment is kept outside the repository,
in the user's cache folder (nianbao-tests/install under $XDG_CACHE_HOME or ~/.cache), under a key
made of everything that goes into it; a change to the code, the templates, the format data,
pyproject.toml, setup.py or constraints.txt makes a new one."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nianbao-tests" / "install"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
EXAMPLE = ROOT / "examples" / "周口市行政服务中心" / "2024.yaml"


def package_sources() -> list[Path]:
    """Every file of the repository that the wheel is made from."""
    files = [ROOT / "pyproject.toml", ROOT / "setup.py", ROOT / "constraints.txt"]
    for folder in ("generator", "templates"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return sorted(files)


def sources_key() -> str:
    digest = hashlib.sha256()
    for path in package_sources():
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run a program with an environment that cannot reach the repository's code."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


def expect_success(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def build_and_install(target: Path) -> None:
    """sdist, then the wheel from the sdist (as `python -m build` does), then a fresh venv. Built
    from a copy of the sources, as in a fresh clone: setuptools would take a file list left in
    the repository by an earlier build (nianbao.egg-info) and hide a package it no longer finds."""
    source, dist = target / "source", target / "dist"
    for path in [*package_sources(), ROOT / "README.md"]:
        (source / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, source / path.relative_to(ROOT))
    built = run(sys.executable, "-m", "build", "--outdir", dist, source)
    expect_success(built)
    (target / "build.log").write_text(built.stdout + built.stderr, "utf-8")
    expect_success(run(sys.executable, "-m", "venv", target / "venv"))
    expect_success(run(target / "venv" / "bin" / "pip", "install", "--quiet", "-c", ROOT / "constraints.txt", *dist.glob("*.whl")))


@pytest.fixture(scope="module")
def installed() -> Path:
    """The folder with dist/ (the sdist and the wheel) and venv/, built once per content key."""
    target = CACHE / sources_key()
    if not (target / "complete").exists():
        shutil.rmtree(CACHE, ignore_errors=True)  # older keys included
        build_and_install(target)
        (target / "complete").touch()
    return target


def test_sdist_and_wheel_carry_every_package_and_template(installed):
    """Every file of generator/ (code and data) and of templates/, the latter as generator/templates in the wheel."""
    sources = [p.relative_to(ROOT).as_posix() for p in package_sources()]
    modules = {name for name in sources if name.startswith("generator/")}
    templates = {name for name in sources if name.startswith("templates/")}
    assert {"generator/importer/parse.py", "generator/formats/gov2021.yaml"} <= modules and "templates/report.docx" in templates
    (sdist,) = (installed / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert modules | templates | {"setup.py", "pyproject.toml"} <= in_sdist
    (wheel,) = (installed / "dist").glob("*.whl")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    assert modules | {f"generator/{t}" for t in templates} <= in_wheel
    assert "would be ignored" not in (installed / "build.log").read_text("utf-8")  # setuptools: a folder of templates/ left out of `packages`


def test_the_installed_commands_work_from_any_folder(installed, tmp_path):
    """--version, doctor, init, check, build (PDF, DOCX, HTML) and import, run as a user would."""
    nianbao = installed / "venv" / "bin" / "nianbao"
    python = installed / "venv" / "bin" / "python"
    location = expect_success(run(python, "-c", "import generator.resources as r; print(r.TEMPLATES)", cwd=tmp_path))
    assert Path(location.strip()).is_relative_to(installed / "venv")

    assert expect_success(run(nianbao, "--version", cwd=tmp_path)) == f"nianbao {PROJECT['version']}\n"
    assert "✓ WeasyPrint 70.0：可用" in expect_success(run(nianbao, "doctor", cwd=tmp_path))

    expect_success(run(nianbao, "init", "--agency", "周口市行政服务中心", "--year", "2025", "--from", EXAMPLE, "-o", "2025.yaml", cwd=tmp_path))
    assert (tmp_path / "2025.yaml").is_file() and (tmp_path / "nianbao.schema.json").is_file()

    shutil.copy(EXAMPLE, tmp_path / "2024.yaml")
    expect_success(run(nianbao, "check", "2024.yaml", cwd=tmp_path))
    assert run(nianbao, "check", "没有这个文件.yaml", cwd=tmp_path).returncode == 2

    expect_success(run(nianbao, "build", "2024.yaml", "-o", "out", cwd=tmp_path))
    stem = "周口市行政服务中心2024年政府信息公开工作年度报告"
    pdf, docx, html = (tmp_path / "out" / f"{stem}.{kind}" for kind in ("pdf", "docx", "html"))
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "word/document.xml" in zipfile.ZipFile(docx).namelist()
    assert stem in html.read_text("utf-8")

    expect_success(run(nianbao, "import", pdf, "-o", "imported/2024.yaml", cwd=tmp_path))
    expect_success(run(nianbao, "check", "imported/2024.yaml", cwd=tmp_path))

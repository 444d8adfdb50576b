"""nianbao as it runs on Windows, where the POSIX-only modules do not exist: the command line in a
process in which importing resource, fcntl, pwd, grp or termios fails, doing what a user does
(check a form beside a published report, build, import a text and a PDF it built), with the
same results as here. What this cannot show (no Windows machine here): Windows paths, its file
locking, its console, poppler's Windows build; those are not exercised."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT, SEEDS

HIDDEN = ("resource", "fcntl", "pwd", "grp", "termios")

# Makes the POSIX-only modules unimportable, as they are on Windows.
HIDE = f"""\
import sys
HIDDEN = {HIDDEN!r}

class Unavailable:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in HIDDEN:
            raise ImportError(f"No module named {{name!r}}", name=name)
        return None

for name in HIDDEN:
    sys.modules.pop(name, None)
sys.meta_path.insert(0, Unavailable())
"""
# Runs `nianbao ARGS` so.
WITHOUT_POSIX = HIDE + """\
from generator.cli import main
code = main(sys.argv[1:])
assert not set(HIDDEN) & set(sys.modules), "a POSIX-only module was imported"
sys.exit(code)
"""
# Reads a PDF (argv[1]) with one of sources' limits (argv[2]) set to a value (argv[3]) so; prints the refusal.
READ_WITH_LIMIT = HIDE + """\
from pathlib import Path
from generator.findings import InputError
from generator.importer import sources
value = float(sys.argv[3])
setattr(sources, sys.argv[2], int(value) if value.is_integer() else value)
try:
    sources.read_source(Path(sys.argv[1]))
except InputError as refused:
    print(refused.finding.message)
"""

AGENCY_FORM = ROOT / "examples" / "周口市行政服务中心" / "2024.yaml"
AGENCY_TEXT = SEEDS / "000_4784b75f1e8fd915.txt"  # the same agency's published 2024 report


def without_posix(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", WITHOUT_POSIX, *args], capture_output=True, text=True, cwd=ROOT)


def test_the_launcher_hides_the_posix_modules():
    probe = subprocess.run([sys.executable, "-c", WITHOUT_POSIX.replace("from generator.cli import main", "import resource")], capture_output=True, text=True)
    assert probe.returncode == 1 and "ImportError: No module named 'resource'" in probe.stderr


def test_check_beside_a_published_report(tmp_path, run_cli):
    """Last year's report is looked for among the files beside the form: a published .txt is imported."""
    (tmp_path / "2024.yaml").write_text(AGENCY_FORM.read_text("utf-8"), "utf-8")
    (tmp_path / "2023年报告.txt").write_text(AGENCY_TEXT.read_text("utf-8").replace("2024", "2023"), "utf-8")
    form = str(tmp_path / "2024.yaml")
    result = without_posix("check", form)
    code, out, err = run_cli("check", form)
    assert (result.returncode, result.stdout, result.stderr) == (code, out, err)
    assert "与 2023 年度报告的同一部分 100% 相同" in out  # last year's report was read and compared


def test_build_then_import_the_pdf_and_a_text(tmp_path, run_cli):
    built = without_posix("build", str(AGENCY_FORM), "-o", str(tmp_path / "out"), "--pdf")
    assert built.returncode == 0, built.stderr
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
    said = {}
    for source, name in ((pdf, "from_pdf"), (AGENCY_TEXT, "from_text")):
        there = without_posix("import", str(source), "-o", str(tmp_path / f"{name}.yaml"))
        here = run_cli("import", str(source), "-o", str(tmp_path / name / f"{name}.yaml"))
        assert (there.returncode, there.stdout, there.stderr) == (here[0], here[1].replace(f"{name}{os.sep}", ""), here[2])
        assert (tmp_path / f"{name}.yaml").read_text("utf-8") == (tmp_path / name / f"{name}.yaml").read_text("utf-8")
        said[name] = there.stdout + there.stderr
    assert "表格数字取自文件内嵌的数据" in said["from_pdf"]  # pdfdetach read the form the PDF carries
    for limit, value, says in (("MAX_PDF_TEXT", "1000", "的文字超过上限"), ("PDF_SECONDS", "0.001", "秒内未能读完")):
        probe = subprocess.run([sys.executable, "-c", READ_WITH_LIMIT, str(pdf), limit, value], capture_output=True, text=True, cwd=ROOT)
        assert says in probe.stdout, probe.stdout + probe.stderr  # bounded without resource limits: by the size watch, the deadline

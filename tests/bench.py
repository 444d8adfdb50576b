"""`make bench`: how fast nianbao checks (and builds) reports. Prints figures; asserts nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.document import build_document  # noqa: E402
from generator.pipeline import check_file  # noqa: E402
from generator.render.docx import render_docx  # noqa: E402
from generator.render.html import render_html  # noqa: E402
from generator.render.pdf import render_pdf  # noqa: E402

EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))


def best_of(runs: int, action) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_check() -> None:
    def thousand() -> None:
        for _ in range(200):
            for path in EXAMPLES:
                check_file(str(path))

    seconds = best_of(3, thousand)
    print(f"check: {len(EXAMPLES) * 200} 份报告（{len(EXAMPLES)} 个示例各 200 次），单进程 {seconds:.2f} s（目标 ≤ 5 s）")
    cold = best_of(5, lambda: subprocess.run([sys.executable, "-m", "generator", "check", str(EXAMPLES[0])], capture_output=True, check=False))
    print(f"check: 冷启动一次 nianbao check（整个进程）{cold:.3f} s（目标 ≤ 0.5 s）")


def run_child(command: list[str]) -> tuple[float, float]:
    """Wall time and peak memory (MB) of one whole process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def bench_build() -> None:
    office = shutil.which("soffice")
    print("build（每份报告；warm 为进程内三次取最快，cold 为整个进程）：")
    print("  报告                                   warm PDF  warm DOCX  warm HTML  cold 全部   峰值内存  PDF 大小  LibreOffice DOCX→PDF")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        for path in EXAMPLES:
            document = build_document(check_file(str(path)).report)
            pdf = render_pdf(document)
            warm = [best_of(3, lambda f=f, d=document: f(d)) for f in (render_pdf, render_docx, render_html)]
            cold, memory = run_child([sys.executable, "-m", "generator", "build", str(path), "-o", str(out)])
            docx = next(out.glob(f"*{path.parent.name}{path.stem}*.docx"))
            office_text = "未安装"
            if office:
                seconds, _ = run_child(
                    [office, "--headless", f"-env:UserInstallation=file://{out}/lo", "--convert-to", "pdf", "--outdir", str(out / "lo"), str(docx)]
                )
                office_text = f"{seconds:.2f} s（为本工具 cold 的 {seconds / cold:.1f} 倍）"
            name = f"{path.parent.name}/{path.stem}"
            print(
                f"  {name:<36}{warm[0]:>7.2f} s {warm[1]:>8.2f} s {warm[2]:>8.3f} s {cold:>8.2f} s {memory:>8.0f} MB {len(pdf) / 1024:>6.0f} KB  {office_text}"
            )
    print("  目标：warm PDF ≤ 0.5 s，cold 全部 ≤ 2.5 s，PDF ≤ 300 KB，峰值内存 ≤ 400 MB")


def bench_import() -> None:
    from generator.format import load_format
    from generator.importer.parse import extract
    from generator.importer.sources import read_source

    def read_and_extract(pdf: Path) -> None:
        source = read_source(pdf)
        extract(source.lines, load_format(), str(pdf), source.table_lines)

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "generator", "build", str(EXAMPLES[2]), "-o", folder, "--pdf"], check=True, capture_output=True)
        pdf = next(Path(folder).glob("*.pdf"))
        pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        count = next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))
        seconds = best_of(5, lambda: read_and_extract(pdf))
        print(f"import: {count} 页的 PDF（{EXAMPLES[2].parent.name}），进程内 {seconds:.3f} s（目标 ≤ 1 s）")


if __name__ == "__main__":
    bench_check()
    bench_build()
    bench_import()

"""`make bench`: nianbao's speed and memory, each target against its anchor in the same run.

The machine is shared and noisy, so whole-process figures are medians of runs interleaved with
their anchor's runs (both see the same load), and each target is also given as a ratio.
Every figure comes from a process of its own: cold figures from whole `nianbao` processes,
in-process figures (1,000 checks, warm render, memory over many renders, pages) from a child
running this file with `--inside`. This parent imports nothing but the standard library, so a
child's peak memory (ru_maxrss, which counts the parent's pages copied at fork) is the child's.
LibreOffice converts once before it is timed, so that creating its profile is not charged to it.
Prints figures; asserts nothing. BENCH_RUNS (default 7) and BENCH_RENDERS (default 1000) set the sizes.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*/*.yaml"))
RICH = ROOT / "examples" / "周口市人民政府办公室" / "2024.yaml"  # six pages, every table filled
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
RENDERS = int(os.environ.get("BENCH_RENDERS", "1000"))
NIANBAO = [sys.executable, "-m", "generator"]
RESULTS: list[tuple[str, str, str, str, str]] = []  # target, value, anchor, ratio, verdict


def run(command: list[str], cwd: Path = ROOT) -> tuple[float, float, float]:
    """Wall time (s), peak memory (MB, the largest process of its tree) and CPU time (s, the
    whole tree: less disturbed than wall time by other work on the machine) of one process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    if status:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


Sample = tuple[float, float, float]  # wall s, peak MB, CPU s


def interleaved(commands: dict[str, list[str]], runs: int = RUNS) -> dict[str, list[Sample]]:
    """Each command `runs` times, taking turns, so that all of them meet the same load."""
    results: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            results[name].append(run(command))
    return results


def median(samples: list[Sample], index: int = 0) -> float:
    return statistics.median(sample[index] for sample in samples)


def spread(samples: list[Sample], cpu: bool = True) -> str:
    """min/median/max wall time, and the median CPU time (not for batches: their workers are out of reach)."""
    times = sorted(sample[0] for sample in samples)
    text = f"{times[0]:.2f}/{statistics.median(times):.2f}/{times[-1]:.2f} s"
    return text + (f"（CPU 中位 {median(samples, 2):.2f} s）" if cpu else "")


def record(target: str, value: str, anchor: str, ratio: float | None, goal: float, higher_is_better: bool = False) -> None:
    met = ratio is not None and (ratio >= goal if higher_is_better else ratio <= goal)
    RESULTS.append(
        (target, value, anchor, "—" if ratio is None else f"{ratio:.2f}", f"{'达到' if met else '未达到'}（目标 {'≥' if higher_is_better else '≤'} {goal}）")
    )


def inside(name: str, *args: str) -> dict:
    """Run an in-process benchmark in a child of its own; its figures as a dict."""
    output = subprocess.run([sys.executable, __file__, "--inside", name, *args], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(output.splitlines()[-1])


def agencies(folder: Path, count: int) -> Path:
    """`count` copies of the rich example, each for an agency of its own (outputs do not collide)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = RICH.read_text("utf-8")
    for number in range(count):
        (folder / f"{number:03d}.yaml").write_text(re.sub(r"^机关: .*$", f"机关: 测试机关{number:03d}", text, count=1, flags=re.M), "utf-8")
    return folder


def bench_cold(work: Path) -> None:
    """Cold `build --pdf` and cold full build against LibreOffice's cold DOCX → PDF export."""
    out = work / "cold"
    run([*NIANBAO, "build", str(RICH), "-o", str(out / "docx"), "--docx"])
    docx = next((out / "docx").glob("*.docx"))
    office = shutil.which("soffice")
    commands = {
        "pdf": [*NIANBAO, "build", str(RICH), "-o", str(out / "pdf"), "--pdf"],
        "full": [*NIANBAO, "build", str(RICH), "-o", str(out / "full")],
    }
    if office:
        profile = f"-env:UserInstallation={(work / 'lo-profile').as_uri()}"
        commands["office"] = [office, "--headless", profile, "--convert-to", "pdf", "--outdir", str(out / "office"), str(docx)]
        run(commands["office"])  # creates the profile: not charged to any timed run
    samples = interleaved(commands)
    print(f"冷启动（{RICH.parent.name}，{RUNS} 次交替运行，最小/中位/最大）：")
    for name, label in (("pdf", "nianbao build --pdf"), ("full", "nianbao build（检查+PDF+DOCX+HTML）"), ("office", "LibreOffice DOCX→PDF")):
        if name in samples:
            print(f"  {label:<36}{spread(samples[name])}，峰值内存中位 {median(samples[name], 1):.0f} MB")
    if "office" not in samples:
        print("  未安装 LibreOffice，无法比较")
        return
    anchor = median(samples["office"])
    for name, goal, label in (("pdf", 0.6, "冷启动 build --pdf"), ("full", 0.8, "冷启动完整 build")):
        cpu = median(samples[name], 2) / median(samples["office"], 2)
        record(label, f"{median(samples[name]):.2f} s", f"LibreOffice {anchor:.2f} s；CPU 比 {cpu:.2f}", median(samples[name]) / anchor, goal)


def bench_check(work: Path) -> None:
    """Cold `check` (against `python -c pass`) and 1,000 checks in one process."""
    samples = interleaved({"check": [*NIANBAO, "check", str(RICH)], "python": [sys.executable, "-c", "pass"]}, runs=RUNS * 2)
    value, floor = median(samples["check"]), median(samples["python"])
    print(f"check 冷启动：{spread(samples['check'])}，峰值内存 {median(samples['check'], 1):.0f} MB；python -c pass {spread(samples['python'])}")
    cpu = median(samples["check"], 2)
    record("冷启动 check（秒）", f"{value:.3f} s", f"python -c pass {floor:.3f} s；CPU {cpu:.3f} s（比值为秒数）", value, 0.12)
    thousand = inside("checks")
    print(
        f"check：1000 份报告（{len(EXAMPLES)} 个示例轮流）单进程 {thousand['seconds']:.2f} s（CPU {thousand['cpu']:.2f} s），峰值内存 {thousand['peak_mb']:.0f} MB"
    )
    record("单进程 1000 次 check（秒）", f"{thousand['seconds']:.2f} s", f"CPU {thousand['cpu']:.2f} s（比值为秒数）", thousand["seconds"], 2.5)


def bench_phases() -> None:
    """The cold build taken apart, and its floor: the same with one layout pass (the first, which
    also loads the fonts) instead of two."""
    interpreter = median(interleaved({"pass": [sys.executable, "-c", "pass"]})["pass"])
    runs = [inside("phases") for _ in range(RUNS)]
    check, imported, write = (statistics.median(run[key] for run in runs) for key in ("check", "import", "write"))
    layouts = [statistics.median(run["layouts"][index] for run in runs) for index in range(len(runs[0]["layouts"]))]
    print(
        f"冷启动分解（中位）：解释器 {interpreter:.2f} s，导入并检查 {check:.2f} s，导入 WeasyPrint {imported:.2f} s，"
        f"排版 {' + '.join(f'{x:.2f}' for x in layouts)} s（第一次只排到最后一张分组表格），写出 PDF {write:.2f} s；"
        f"只排版一次（首次排版含载入字体）也至少需 {interpreter + check + imported + layouts[0] + write:.2f} s"
    )


def bench_warm() -> None:
    warm = inside("warm")
    print("进程内（热）渲染，三次取最快：")
    for path, figures in warm.items():
        print(
            f"  {path:<40} PDF {figures['pdf']:.3f} s（CPU {figures['pdf_cpu']:.3f} s）  DOCX {figures['docx']:.3f} s  HTML {figures['html']:.3f} s  PDF {figures['size_kb']:.0f} KB"
        )
    rich = warm[f"{RICH.parent.name}/{RICH.stem}"]
    record("进程内热渲染 PDF（秒）", f"{rich['pdf']:.3f} s", f"CPU {rich['pdf_cpu']:.3f} s（比值为秒数）", rich["pdf"], 0.3)


def tree_peak(command: list[str]) -> float:
    """The peak of the memory (MB) of a process and all its descendants together (a batch's
    workers are children of a pool server, out of reach of the parent's rusage), sampled."""
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, sum(map(resident_of, descendants(child.pid))))
        time.sleep(0.05)
    return peak


def descendants(pid: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stream:
                parents[int(entry)] = int(stream.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    family, grown = {pid}, True
    while grown:
        grown = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grown = True
    return sorted(family)


def resident_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm") as stream:
            return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def speedup(name: str, one_core: list[str], every_core: list[str], runs: int) -> float:
    """Wall time on one core over wall time on all of them, printed with both spreads."""
    samples = interleaved({"one": one_core, "all": every_core}, runs=runs)
    one, every = median(samples["one"]), median(samples["all"])
    print(f"{name}：--jobs 1 {spread(samples['one'], cpu=False)}；全部核心 {spread(samples['all'], cpu=False)}；{one / every:.2f} 倍")
    return one / every


def bench_batch(work: Path) -> None:
    """A folder of reports on one core and on every core, short and long (a process's start-up,
    about 0.2 s for check and 0.45 s for build with WeasyPrint, is paid once whatever the length,
    so only a batch long enough to matter can come near twice as fast); the batch's peak memory
    for two lengths."""
    cores = os.cpu_count() or 1
    short, long = agencies(work / "short", 6), agencies(work / "long", 24)
    builds = {
        count: speedup(f"批量 build --pdf，{count} 份", *([*NIANBAO, "build", str(folder), "-o", str(work / f"b{count}-{jobs}"), "--pdf", "--jobs", str(jobs)] for jobs in (1, cores)), runs=2)
        for count, folder in ((6, short), (24, long))
    }
    record(f"批量 build 加速（{cores} 核 / 1 核，24 份）", f"{builds[24]:.2f} 倍", f"6 份 {builds[6]:.2f} 倍", builds[24], 1.8, higher_is_better=True)
    checks = {
        count: speedup(f"批量 check，{count} 份", [*NIANBAO, "check", str(folder), "--jobs", "1"], [*NIANBAO, "check", str(folder)], runs=3)
        for count, folder in ((600, agencies(work / "checks", 600)), (3000, agencies(work / "more-checks", 3000)))
    }
    record(f"批量 check 加速（{cores} 核 / 1 核，3000 份）", f"{checks[3000]:.2f} 倍", f"600 份 {checks[600]:.2f} 倍", checks[3000], 1.8, higher_is_better=True)
    short_peak = tree_peak([*NIANBAO, "build", str(short), "-o", str(work / "m1"), "--pdf"])
    long_peak = tree_peak([*NIANBAO, "build", str(long), "-o", str(work / "m2"), "--pdf"])
    print(f"批量 build --pdf 全部进程合计的峰值内存：6 份 {short_peak:.0f} MB，24 份 {long_peak:.0f} MB")
    record("批量峰值内存（24 份 / 6 份）", f"{long_peak:.0f} MB", f"6 份 {short_peak:.0f} MB", long_peak / short_peak, 1.1)


def bench_memory() -> None:
    memory = inside("memory", str(RENDERS))
    growth = memory["after_mb"] - memory["start_mb"]
    print(
        f"同一进程渲染 {RENDERS} 次 PDF：第 11–30 次 {memory['low_start_mb']:.0f}–{memory['start_mb']:.0f} MB，"
        f"最后 20 次 {memory['low_after_mb']:.0f}–{memory['after_mb']:.0f} MB（{memory['seconds']:.0f} s）"
    )
    record(f"{RENDERS} 次渲染的内存增长（MB）", f"{growth:.1f} MB", f"第 11–30 次最高 {memory['start_mb']:.0f} MB（比值为 MB）", growth, 20)


def bench_pages() -> None:
    pages = inside("pages")
    for count, seconds in pages:
        print(f"  {count:>3} 页：{seconds:.2f} s，每页 {seconds / count * 1000:.0f} ms")
    (few, first), (many, last) = pages[0], pages[-1]
    record("每页时间（最长 / 最短文档）", f"{last / many * 1000:.0f} ms/页", f"{first / few * 1000:.0f} ms/页（{few} 页）", (last / many) / (first / few), 1.2)


def bench_import(work: Path) -> None:
    run([*NIANBAO, "build", str(RICH), "-o", str(work / "import"), "--pdf"])
    figures = inside("import", str(next((work / "import").glob("*.pdf"))))
    print(f"import：{figures['pages']} 页的 PDF，进程内 {figures['seconds']:.3f} s")


def published_texts(folder: Path, count: int) -> Path:
    """`count` published report texts (the seeds, each copy under an agency name of its own)."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted((ROOT / "tests" / "data" / "seeds").glob("*.txt"))
    for number in range(count):
        text = seeds[number % len(seeds)].read_text("utf-8")
        (folder / f"{number:04d}.txt").write_text(re.sub(r"^(\s*)(?=.*政府信息公开工作年度)", rf"\1第{number}号", text, count=1, flags=re.M), "utf-8")
    return folder


def bench_review(work: Path) -> None:
    """`nianbao review` of 1,000 published texts on every core, and of published PDFs (the import rate)."""
    cores = os.cpu_count() or 1
    texts = published_texts(work / "texts", 1000)
    wall, peak, _cpu = run([*NIANBAO, "review", str(texts), "-o", str(work / "review-texts")])
    rate = 1000 / wall / cores
    print(f"review 1000 份文本：{wall:.1f} s，每核每秒 {rate:.0f} 份，峰值内存 {peak:.0f} MB")
    record("review 文本（份/秒/核）", f"{rate:.0f} 份", f"{cores} 核共 {wall:.1f} s", rate, 50, higher_is_better=True)
    pdfs = work / "pdfs"
    run([*NIANBAO, "build", str(agencies(work / "pdf-forms", 40)), "-o", str(pdfs), "--pdf"])
    wall, peak, _cpu = run([*NIANBAO, "review", str(pdfs), "-o", str(work / "review-pdfs")])
    print(f"review 40 份 PDF：{wall:.1f} s，每核每秒 {40 / wall / cores:.1f} 份，峰值内存 {peak:.0f} MB")


# In-process benchmarks (run in a child of their own by `inside`).


def peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def best_of(runs: int, action, clock=time.perf_counter) -> float:
    times = []
    for _ in range(runs):
        start = clock()
        action()
        times.append(clock() - start)
    return min(times)


def inside_checks() -> dict:
    from generator.services import check_file

    def thousand() -> None:
        for number in range(1000):
            check_file(str(EXAMPLES[number % len(EXAMPLES)]))

    return {"seconds": best_of(2, thousand), "cpu": best_of(2, thousand, time.process_time), "peak_mb": peak_mb()}


def document_of(path: Path):
    from generator.document import build_document
    from generator.services import check_file

    return build_document(check_file(str(path)).report)


def inside_phases() -> dict:
    """Where a cold `build --pdf` of the rich example spends its time, in a fresh process."""
    clock = time.perf_counter
    start = clock()
    from generator.document import build_document
    from generator.services import check_file

    document = build_document(check_file(str(RICH)).report)
    checked = clock()
    from generator.render import pdf  # and WeasyPrint, through render/weasy.py

    imported = clock()
    layouts = []
    lay_out = pdf.lay_out

    def timed_lay_out(*args):
        begun = clock()
        result = lay_out(*args)
        layouts.append(clock() - begun)
        return result

    pdf.lay_out = timed_lay_out
    pdf.render_pdf(document)
    rendered = clock()
    return {"check": checked - start, "import": imported - checked, "layouts": layouts, "write": rendered - imported - sum(layouts)}


def inside_warm() -> dict:
    from generator.render.docx import render_docx
    from generator.render.html import render_html
    from generator.render.pdf import render_pdf

    figures = {}
    for path in EXAMPLES:
        document = document_of(path)
        pdf = render_pdf(document)
        warm = [best_of(3, lambda f=f, d=document: f(d)) for f in (render_pdf, render_docx, render_html)]
        cpu = best_of(3, lambda d=document: render_pdf(d), time.process_time)
        figures[f"{path.parent.name}/{path.stem}"] = {"pdf": warm[0], "pdf_cpu": cpu, "docx": warm[1], "html": warm[2], "size_kb": len(pdf) / 1024}
    return figures


def inside_memory(renders: str) -> dict:
    """Resident memory at its highest over renders 11–30 and over the last 20. Between two renders
    it swings by about 16 MB (whether malloc gives back the top of its heap), so two single
    samples could differ by that much with nothing kept; the highest of a window compares like with like."""
    from generator.render.pdf import render_pdf

    documents = [document_of(path) for path in EXAMPLES]
    start = time.perf_counter()
    resident = []
    for number in range(int(renders)):
        render_pdf(documents[number % len(documents)])
        resident.append(resident_mb())
    return {"start_mb": max(resident[10:30]), "after_mb": max(resident[-20:]), "low_start_mb": min(resident[10:30]), "low_after_mb": min(resident[-20:]), "seconds": time.perf_counter() - start}


def longer(text: str, times: int) -> str:
    """The form with its 存在的主要问题 section written `times` times over."""
    lines = text.split("\n")
    head = lines.index("存在的主要问题及改进情况: |") + 1
    end = next(i for i in range(head, len(lines)) if not lines[i].startswith("  "))
    return "\n".join(lines[:head] + lines[head:end] * times + lines[end:])


def inside_pages() -> list[tuple[int, float]]:
    from pypdf import PdfReader

    from generator.document import build_document
    from generator.form import parse_form
    from generator.render.pdf import render_pdf

    render_pdf(document_of(RICH))
    results = []
    for times in (1, 8, 24):
        document = build_document(parse_form(longer(RICH.read_text("utf-8"), times), "2024.yaml")[0])
        pdf = render_pdf(document)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        results.append((pages, best_of(2, lambda d=document: render_pdf(d))))
    return results


def inside_import(pdf: str) -> dict:
    from generator.format import load_format
    from generator.importer.parse import extract
    from generator.importer.sources import read_source

    def read_and_extract() -> None:
        source = read_source(Path(pdf))
        extract(source.lines, load_format(), pdf, source.table_lines)

    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return {"seconds": best_of(5, read_and_extract), "pages": pages}


def main() -> None:
    if sys.argv[1:2] == ["--inside"]:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(globals()[f"inside_{sys.argv[2]}"](*sys.argv[3:])))
        return
    print(f"{os.cpu_count()} 核，负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}，每项 {RUNS} 次")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bench_cold(work)
        bench_phases()
        bench_check(work)
        bench_warm()
        bench_batch(work)
        bench_pages()
        bench_import(work)
        bench_review(work)
        bench_memory()
    print("\n目标                                  数值          参照                           比值   结论")
    for target, value, anchor, ratio, verdict in RESULTS:
        print(f"{target:<32}{value:>12}  {anchor:<30}{ratio:>6}  {verdict}")
    print(f"负载 {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

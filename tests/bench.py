"""`make bench`: how fast nianbao checks (and builds) reports. Prints figures; asserts nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.commands.check import check_file  # noqa: E402

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


if __name__ == "__main__":
    bench_check()

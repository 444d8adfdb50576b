"""`make bench-season`: the season under load, on loopback only, bounded in count and time.

A real `nianbao serve` (its own process, on 127.0.0.1) over a folder of AGENCIES forms, each with an
account; every agency's client logs in, then checks, saves (a new 发布日期 each time) and now and
then submits, while the office returns or approves what was submitted, until SECONDS have passed.
Afterwards: every form holds its agency's last saved edit (no lost edit), the audit trail holds
every transition the server said it made (no lost transition), no answer was a 5xx; the p50/p95
of a check, a save and a transition are printed. Stops by itself; the server is stopped at the end.
BENCH_AGENCIES (default 100) and BENCH_SECONDS (default 300) set the sizes, BENCH_WORKERS the server's
worker processes (default: one per core).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

import httpx
from argon2 import PasswordHasher

ROOT = Path(__file__).resolve().parent.parent
RICH = ROOT / "examples" / "周口市人民政府办公室" / "2024.yaml"
AGENCIES = int(os.environ.get("BENCH_AGENCIES", "100"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "300"))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
PASSWORD = "压力测试密码123"
CSRF = re.compile(r'name="csrf" content="([^"]+)"')


def prepare(folder: Path) -> Path:
    """AGENCIES forms (copies of the rich example, one agency each) and a users file with their accounts."""
    text = RICH.read_text("utf-8")
    password_hash = PasswordHasher().hash(PASSWORD)  # one hash for all: the accounts differ by name
    users = ["政务公开办:", f"  密码: '{password_hash}'", "  角色: 政务公开办"]
    for number in range(AGENCIES):
        agency = f"测试机关{number:03d}"
        (folder / agency).mkdir(parents=True)
        (folder / agency / "2024.yaml").write_text(re.sub(r"^机关: .*$", f"机关: {agency}", text, count=1, flags=re.M), "utf-8")
        users += [f"用户{number:03d}:", f"  密码: '{password_hash}'", f"  机关: {agency}"]
    path = folder.parent / "users.yaml"
    path.write_text("\n".join(users) + "\n", "utf-8")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def signed_in(site: str, name: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=site, timeout=60, follow_redirects=False)
    token = CSRF.search((await client.get("/login")).text).group(1)
    response = await client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    assert response.status_code == 303, f"{name} could not log in: {response.status_code}"
    return client, CSRF.search((await client.get("/season")).text).group(1)


class Tally:
    def __init__(self) -> None:
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[int, int] = defaultdict(int)
        self.transitions = 0  # the ones the server said it made (a redirect after the action)

    async def timed(self, kind: str, request) -> httpx.Response:
        start = time.perf_counter()
        response = await request
        self.times[kind].append(time.perf_counter() - start)
        self.statuses[response.status_code] += 1
        return response


async def agency(site: str, number: int, deadline: float, tally: Tally, saved: dict[str, str]) -> None:
    name = f"测试机关{number:03d}/2024.yaml"
    quoted = urllib.parse.quote(name)
    client, token = await signed_in(site, f"用户{number:03d}")
    headers = {"X-CSRF-Token": token}
    version = re.search(r'data-version="([0-9a-f]+)"', (await client.get(f"/form/{quoted}")).text).group(1)
    step = 0
    while time.monotonic() < deadline:
        step += 1
        await tally.timed("check", client.post(f"/api/check/{quoted}", json={"edits": {}}, headers=headers))
        day = f"2025-01-{step % 28 + 1:02d}"
        response = await tally.timed("save", client.post(f"/api/save/{quoted}", json={"edits": {"fields": {"发布日期": day}}, "version": version}, headers=headers))
        if response.status_code == 200:
            version, saved[name] = response.json()["version"], day
        elif response.status_code == 409 and "conflict" not in response.text:  # submitted meanwhile: wait for the office
            await asyncio.sleep(1)
            form = await client.get(f"/form/{quoted}")
            version = re.search(r'data-version="([0-9a-f]+)"', form.text).group(1)
        if step % 5 == 0:
            response = await tally.timed("transition", client.post(f"/season/submit/{quoted}", data={"csrf": token}))
            tally.transitions += response.status_code == 303
    await client.aclose()


async def office(site: str, deadline: float, tally: Tally) -> None:
    client, token = await signed_in(site, "政务公开办")
    turn = 0
    while time.monotonic() < deadline:
        turn += 1
        for number in range(AGENCIES):
            if time.monotonic() >= deadline:
                break
            quoted = urllib.parse.quote(f"测试机关{number:03d}/2024.yaml")
            action = "approve" if turn % 2 else "return"
            response = await tally.timed("transition", client.post(f"/season/{action}/{quoted}", data={"csrf": token, "reason": "压力测试退回"}))
            tally.transitions += response.status_code == 303
            if action == "approve" and response.status_code == 303:  # approved: send it back so the agency goes on
                response = await tally.timed("transition", client.post(f"/season/return/{quoted}", data={"csrf": token, "reason": "压力测试退回"}))
                tally.transitions += response.status_code == 303
        await asyncio.sleep(0.5)
    await client.aclose()


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] if len(values) > 1 else (values or [0])[0]


async def load(site: str) -> tuple[Tally, dict[str, str]]:
    tally, saved = Tally(), {}
    deadline = time.monotonic() + SECONDS
    await asyncio.gather(*(agency(site, n, deadline, tally, saved) for n in range(AGENCIES)), office(site, deadline, tally))
    return tally, saved


def main() -> int:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "表单"
        folder.mkdir()
        users = prepare(folder)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(folder), "--host", "127.0.0.1", "--port", str(port), "--users", str(users), "--workers", str(WORKERS)], cwd=ROOT)
        try:
            site = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(f"{site}/login", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            started = time.monotonic()
            tally, saved = asyncio.run(load(site))
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(30)
        lost_edits = [name for name, day in saved.items() if f"发布日期: {day}" not in (folder / name).read_text("utf-8")]
        database = sqlite3.connect(folder / ".nianbao-season.db")
        recorded = database.execute("SELECT COUNT(*) FROM audit WHERE action IN ('提交', '审核通过', '退回修改')").fetchone()[0]
        database.close()
    errors = sum(count for status, count in tally.statuses.items() if status >= 500)
    print(f"{AGENCIES} 个机关账户 + 政务公开办，服务器 {WORKERS} 个进程，{elapsed:.0f} 秒，共 {sum(tally.statuses.values())} 个请求；状态码 {dict(sorted(tally.statuses.items()))}")
    for kind, times in tally.times.items():
        print(f"  {kind:10s} {len(times):6d} 次  {len(times) / elapsed:6.1f}/s  p50 {percentile(times, 0.5) * 1000:6.0f} ms  p95 {percentile(times, 0.95) * 1000:6.0f} ms")
    print(f"  丢失的保存 {len(lost_edits)}，服务器确认的状态变更 {tally.transitions}，审计记录中的 {recorded}，5xx {errors}")
    return 1 if lost_edits or recorded != tally.transitions or errors else 0


if __name__ == "__main__":
    sys.exit(main())

"""Accounts and sessions in the season's database: sessions end at logout, password reset, disabling
and a working day idle; the office manages accounts in the browser and sees who logged in."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from generator.season.db import SeasonDB
from generator.serve.accounts import add_account, load_accounts
from generator.serve.sessions import IDLE_SECONDS, has_accounts

from .conftest import ROOT
from .test_serve import OTHER, free_port, serving, signed_in

AGENCY = ("乙", "乙的密码12345")
OFFICE = ("公开办", "公开办密码123")


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "表单"
    shutil.copytree(ROOT / "examples" / "周口市行政服务中心", root / "周口市行政服务中心")
    return root


@pytest.fixture
def site(folder, tmp_path) -> Iterator[str]:
    users = tmp_path / "users.yaml"
    add_account(users, *AGENCY, "周口市行政服务中心")
    add_account(users, *OFFICE, "")
    yield from serving(folder, load_accounts(users))


def with_cookies_of(site: str, client: httpx.Client) -> httpx.Client:
    return httpx.Client(base_url=site, follow_redirects=False, cookies=dict(client.cookies))


def signed_out(client: httpx.Client) -> bool:
    response = client.get("/")
    return response.status_code == 303 and response.headers["location"] == "/login"


def manage(office: httpx.Client, token: str, action: str, name: str, **data) -> httpx.Response:
    return office.post("/accounts", data={"csrf": token, "action": action, "name": name, **data})


def test_logout_ends_the_session_on_the_server(site):
    client, token = signed_in(site, *AGENCY)
    copy = with_cookies_of(site, client)
    assert not signed_out(copy)
    assert client.post("/logout", data={"csrf": token}).status_code == 303
    assert signed_out(copy)  # the cookie is still signed, the session behind it is over


def test_the_office_adds_resets_disables_and_sees_logins(site, folder):
    office, token = signed_in(site, *OFFICE)
    agency, agency_token = signed_in(site, *AGENCY)
    assert agency.get("/accounts").status_code == 403
    assert manage(agency, agency_token, "添加", "丙", password="丙的密码12345", agency="周口市行政服务中心").status_code == 403
    assert manage(office, "forged", "添加", "丙", password="丙的密码12345").status_code == 403
    short = manage(office, token, "添加", "丙", password="短", agency="周口市财政局")
    assert short.status_code == 400 and "密码至少 8 个字符" in short.text
    assert manage(office, token, "添加", "丙", password="丙的密码12345", agency="周口市财政局").status_code == 303
    assert manage(office, token, "添加", "丙", password="丙的密码12345").status_code == 400  # exists already
    signed_in(site, "丙", "丙的密码12345")
    # disabling ends the account's sessions at once and refuses its logins
    assert manage(office, token, "停用", "乙").status_code == 303
    assert signed_out(agency)
    login_page = httpx.Client(base_url=site)
    csrf = re.search(r'name="csrf" content="([^"]+)"', login_page.get("/login").text).group(1)
    assert login_page.post("/login", data={"name": "乙", "password": AGENCY[1], "csrf": csrf}).status_code == 401
    assert manage(office, token, "启用", "乙").status_code == 303
    agency, _ = signed_in(site, *AGENCY)
    # a reset password ends the sessions too; the old password no longer opens one
    assert manage(office, token, "重置密码", "乙", password="新的密码67890").status_code == 303
    assert signed_out(agency)
    assert login_page.post("/login", data={"name": "乙", "password": AGENCY[1], "csrf": csrf}).status_code == 401
    signed_in(site, "乙", "新的密码67890")
    page = office.get("/accounts").text
    assert re.search(r'data-account="丙".*?周口市财政局', page, re.S)
    assert "乙 登录失败" in page and "乙 登录" in page
    db = SeasonDB(folder)
    hashes = [r["password_hash"] for r in db.rows("SELECT password_hash FROM accounts")]
    assert len(hashes) == 3 and all(h.startswith("$argon2") for h in hashes)
    actions = [r["action"] for r in db.rows("SELECT action FROM audit WHERE action LIKE '账户%'")]
    assert actions == ["账户添加", "账户停用", "账户启用", "账户重置密码"]
    db.close()
    assert manage(office, token, "停用", "公开办").status_code == 400  # not the account in use


def test_a_working_day_idle_ends_the_session(site, folder):
    client, _ = signed_in(site, *AGENCY)
    assert client.get(f"/form/{OTHER}").status_code == 200
    db = SeasonDB(folder)
    db.connection.execute("UPDATE sessions SET last_seen = ?", (time.time() - IDLE_SECONDS - 60,))
    db.close()
    assert signed_out(client)
    db = SeasonDB(folder)
    assert [r["end_reason"] for r in db.rows("SELECT end_reason FROM sessions")] == ["超过一个工作日未操作"]
    db.close()


def test_accounts_in_the_database_need_no_users_file(site, folder):
    assert has_accounts(folder)
    for again in serving(folder, {}):  # as `nianbao serve` starts on a folder whose database holds accounts
        assert signed_out(httpx.Client(base_url=again, follow_redirects=False))
        signed_in(again, *OFFICE)


def test_a_password_change_ends_the_other_sessions(site):
    here, token = signed_in(site, *AGENCY)
    elsewhere, _ = signed_in(site, *AGENCY)
    wrong = here.post("/password", data={"csrf": token, "current": "不对的密码", "new": "新的密码67890"})
    assert wrong.status_code == 400 and "当前密码不对" in wrong.text
    assert here.post("/password", data={"csrf": "forged", "current": AGENCY[1], "new": "新的密码67890"}).status_code == 403
    assert here.post("/password", data={"csrf": token, "current": AGENCY[1], "new": "新的密码67890"}).status_code == 200
    assert signed_out(elsewhere) and not signed_out(here)
    signed_in(site, "乙", "新的密码67890")


def test_several_worker_processes_share_sessions_and_lose_no_edit(folder, tmp_path):
    users = tmp_path / "users.yaml"
    add_account(users, *AGENCY, "周口市行政服务中心")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", str(folder), "--port", str(port), "--users", str(users), "--workers", "2"], cwd=ROOT)
    try:
        site = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{site}/login", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        clients = [signed_in(site, *AGENCY) for _ in range(2)]
        url = f"/api/save/{urllib.parse.quote(OTHER)}"

        def save(client: tuple[httpx.Client, str], day: str, base: str) -> httpx.Response:
            return client[0].post(url, json={"edits": {"fields": {"发布日期": day}}, "version": base}, headers={"X-CSRF-Token": client[1]})

        version = re.search(r'data-version="([0-9a-f]+)"', clients[0][0].get(f"/form/{urllib.parse.quote(OTHER)}").text).group(1)
        for round_ in range(6):
            days = [f"2025-01-{10 + 2 * round_ + i:02d}" for i in range(2)]
            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(save, clients, days, [version] * 2))
            assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
            winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
            version = answers[winner].json()["version"]
            assert f"发布日期: {days[winner]}" in (folder / OTHER).read_text("utf-8")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)

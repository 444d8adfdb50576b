"""`nianbao serve`: the form in a real browser (Chromium driven by Playwright) against a real
server (uvicorn on a loopback port), and the boundaries of an intranet server over HTTP."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Page, expect, sync_playwright

from generator.serve.accounts import add_account
from generator.serve.app import create_app, title_of

from .conftest import RICH_EXAMPLE, SEEDS, run_process

expect.set_options(timeout=20_000)  # a loaded 2-core machine: the check after a keystroke may take seconds
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
RICH = "周口市人民政府办公室/2024.yaml"
OTHER = "周口市行政服务中心/2024.yaml"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serving(folder: Path, accounts=None) -> Iterator[str]:
    """A real uvicorn server on a loopback port, in a thread; yields its address."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(folder, accounts, "test-secret"), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture
def folder(tmp_path) -> Path:
    """Two agencies' forms, as a region's folder holds them."""
    shutil.copytree(RICH_EXAMPLE.parent.parent / "周口市人民政府办公室", tmp_path / "周口市人民政府办公室")
    shutil.copytree(RICH_EXAMPLE.parent.parent / "周口市行政服务中心", tmp_path / "周口市行政服务中心")
    return tmp_path


@pytest.fixture
def site(folder) -> Iterator[str]:
    yield from serving(folder)


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def form_url(site: str, name: str) -> str:
    return f"{site}/form/{urllib.parse.quote(name)}"


def cell(page: Page, target: str):
    return page.locator(f'input[data-cell="{target}"]')


@pytest.mark.browser
def test_import_a_published_report_fix_a_total_paste_save_and_download(browser, tmp_path):
    empty = tmp_path / "表单"
    empty.mkdir()
    for site in serving(empty):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(site)
        page.set_input_files('form[action="/import"] input[type=file]', str(SEEDS / "002_8a3103fe368513da.txt"))
        page.click('form[action="/import"] button')
        expect(page).to_have_url(form_url(site, RICH))
        expect(page.locator("#status")).to_contain_text("可以发布")
        total = cell(page, "申请处理/本年新收/总计")
        total.fill("1334")
        findings = page.locator('ul[data-for-table="申请处理"] li[data-code="E101"]')
        expect(findings).to_have_count(1)
        expect(findings).to_contain_text("应为 1333")
        expect(total).to_have_class(re.compile("error"))
        total.fill("")
        expect(findings).to_have_count(0)
        expect(total).to_have_attribute("placeholder", "1333")
        # a block copied from a spreadsheet: two rows of six numbers
        first = cell(page, "申请处理/属于国家秘密/自然人")
        first.focus()
        page.evaluate(
            """([selector, text]) => { const e = document.querySelector(selector); const data = new DataTransfer();
               data.setData('text/plain', text); e.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""",
            ['input[data-cell="申请处理/属于国家秘密/自然人"]', "1\t0\t0\t0\t0\t0\r\n0\t2\t0\t0\t0\t0\r\n"],
        )
        expect(cell(page, "申请处理/其他法律行政法规禁止公开/商业企业")).to_have_value("2")
        expect(page.locator('ul[data-for-table="申请处理"] li[data-code="E103"]').first).to_be_visible()
        page.evaluate(
            """([selector, text]) => { const e = document.querySelector(selector); const data = new DataTransfer();
               data.setData('text/plain', text); e.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true})); }""",
            ['input[data-cell="申请处理/属于国家秘密/自然人"]', "0\t0\t0\t0\t0\t0\n0\t0\t0\t0\t0\t0"],
        )
        page.fill('input[data-field="发布日期"]', "2025-01-20")
        expect(page.locator("#status")).to_contain_text("可以发布")
        page.click("#save")
        expect(page.locator("#saved")).to_have_text("已保存")
        page.reload()
        expect(page.locator('input[data-field="发布日期"]')).to_have_value("2025-01-20")
        saved = (empty / RICH).read_text("utf-8")
        assert "发布日期: 2025-01-20" in saved and "本年新收:" in saved
        with page.expect_download() as download:
            page.click("#publish")
        pdf = tmp_path / "下载.pdf"
        download.value.save_as(pdf)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "周口市人民政府办公室2024年政府信息公开工作年度报告" in re.sub(r"\s+", "", text)
        assert "1333" in text and "草稿" not in text


@pytest.mark.browser
def test_two_people_editing_one_form_never_lose_an_edit(browser, site, folder):
    first, second = (browser.new_context().new_page() for _ in range(2))
    for page in (first, second):
        page.goto(form_url(site, RICH))
        expect(page.locator("#status")).to_contain_text("可以发布")
    first.fill('input[data-field="发布日期"]', "2025-01-20")
    first.click("#save")
    expect(first.locator("#saved")).to_have_text("已保存")
    second.fill('textarea[data-text="其他需要报告的事项"]', "本年度未收取信息处理费。第二个人写的。")
    second.click("#save")  # a different field: both changes kept, nothing asked
    expect(second.locator(".restored-notice")).to_contain_text("发布日期")
    saved = (folder / RICH).read_text("utf-8")
    assert "第二个人写的" in saved and "发布日期: 2025-01-20" in saved
    expect(second.locator('input[data-field="发布日期"]')).to_have_value("2025-01-20")
    first.goto(f"{site}/history/{urllib.parse.quote(RICH)}")
    versions = first.locator("ol.versions li a")
    expect(versions).to_have_count(2)
    versions.last.click()  # the oldest: the form as it was before anyone saved
    expect(first.locator("textarea.earlier")).to_have_value(RICH_EXAMPLE.read_text("utf-8"))


@pytest.mark.browser
def test_keyboard_only(browser, site):
    page = browser.new_page()
    page.goto(form_url(site, RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    start = cell(page, "申请处理/本年新收/自然人")
    start.focus()
    page.keyboard.press("Enter")
    expect(cell(page, "申请处理/上年结转/自然人")).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(start).to_be_focused()
    page.keyboard.press("Tab")
    expect(cell(page, "申请处理/本年新收/商业企业")).to_be_focused()
    page.keyboard.type("33")
    expect(page.locator('ul[data-for-table="申请处理"] li').first).to_be_visible()
    page.keyboard.press("Control+s")
    expect(page.locator("#saved")).to_have_text("已保存")


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_usable_on_a_phone_and_a_desktop(browser, site, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(form_url(site, RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('textarea')).fontSize)") >= 16
    page.goto(site)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= width


@pytest.fixture
def accounts(folder, tmp_path):
    users = tmp_path / "users.yaml"
    add_account(users, "甲", "甲的密码12345", "周口市人民政府办公室")
    add_account(users, "乙", "乙的密码12345", "周口市行政服务中心")
    add_account(users, "公开办", "公开办密码123", "")
    from generator.serve.accounts import load_accounts

    return load_accounts(users)


@pytest.fixture
def intranet(folder, accounts) -> Iterator[str]:
    yield from serving(folder, accounts)


def signed_in(site: str, name: str, password: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=site, follow_redirects=False)
    token = re.search(r'name="csrf" content="([^"]+)"', client.get("/login").text).group(1)
    response = client.post("/login", data={"name": name, "password": password, "csrf": token})
    assert response.status_code == 303, response.text
    token = re.search(r'name="csrf" content="([^"]+)"', client.get("/").text).group(1)
    return client, token


def browser_signed_in(chromium, address: str, name: str, password: str):
    """A page of a new browser context, signed in to the server at `address`."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{address}/login")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password)
    page.click("form button")
    return page


def every_url(name: str) -> list[tuple[str, str]]:
    quoted = urllib.parse.quote(name)
    return [("GET", f"/form/{quoted}"), ("GET", f"/history/{quoted}"), ("GET", f"/preview/{quoted}"), ("GET", f"/preview/1/{quoted}")] + [
        ("GET", f"/download/{kind}/{quoted}") for kind in ("pdf", "docx", "html")
    ]


def test_an_agency_account_reaches_only_its_own_forms(intranet, folder):
    client, token = signed_in(intranet, "乙", "乙的密码12345")
    listing = client.get("/").text
    assert title_of(OTHER) in listing and title_of(RICH) not in listing and urllib.parse.quote(RICH) not in listing
    for method, url in every_url(RICH):
        assert client.request(method, url).status_code == 404, url
    for api in ("check", "save"):
        response = client.post(f"/api/{api}/{urllib.parse.quote(RICH)}", json={"edits": {}, "version": "x"}, headers={"X-CSRF-Token": token})
        assert response.status_code == 404, api
    assert client.get(f"/form/{urllib.parse.quote(OTHER)}").status_code == 200
    # saving its own form under another agency's name is refused too
    text = (folder / OTHER).read_text("utf-8").replace("机关: 周口市行政服务中心", "机关: 周口市人民政府办公室")
    response = client.post(f"/api/save/{urllib.parse.quote(OTHER)}", json={"text": text, "version": "x"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 403


def test_the_office_reads_every_form_and_writes_none(intranet):
    client, token = signed_in(intranet, "公开办", "公开办密码123")
    listing = client.get("/").text
    assert title_of(RICH) in listing and title_of(OTHER) in listing
    assert 'data-readonly="1"' in client.get(f"/form/{urllib.parse.quote(RICH)}").text
    response = client.post(f"/api/save/{urllib.parse.quote(RICH)}", json={"edits": {}, "version": "x"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 404


def test_forged_and_replayed_writes_are_refused(intranet, folder):
    client, token = signed_in(intranet, "甲", "甲的密码12345")
    url = f"/api/save/{urllib.parse.quote(RICH)}"
    before = (folder / RICH).read_text("utf-8")
    version = re.search(r'data-version="([0-9a-f]+)"', client.get(f"/form/{urllib.parse.quote(RICH)}").text).group(1)
    edits = {"fields": {"发布日期": "2025-01-20"}}
    forged = client.post(url, json={"edits": edits, "version": version})  # no token: another site's page
    assert forged.status_code == 403 and "请求无效" in forged.json()["message"]
    assert client.post(url, json={"edits": edits, "version": version}, headers={"X-CSRF-Token": "guess"}).status_code == 403
    assert (folder / RICH).read_text("utf-8") == before
    assert client.post(url, json={"edits": edits, "version": version}, headers={"X-CSRF-Token": token}).status_code == 200
    replayed = client.post(url, json={"edits": {"fields": {"发布日期": "2025-01-21"}}, "version": version}, headers={"X-CSRF-Token": token})
    assert replayed.status_code == 409 and replayed.json()["conflict"]
    assert "发布日期: 2025-01-20" in (folder / RICH).read_text("utf-8")
    anonymous = httpx.Client(base_url=intranet, follow_redirects=False)
    assert anonymous.get("/").headers["location"] == "/login"
    assert anonymous.get(f"/form/{urllib.parse.quote(RICH)}").status_code == 303


def test_large_uploads_and_crafted_names_are_refused(intranet, folder):
    client, token = signed_in(intranet, "甲", "甲的密码12345")
    big = client.post("/import", data={"csrf": token}, files={"upload": ("报告.pdf", b"0" * (20 * 1024 * 1024), "application/pdf")})
    assert big.status_code == 413 and "超过 10 MB" in big.text
    for name in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd.yaml", "%2Fetc%2Fpasswd.yaml", ".nianbao-history/x.yaml"):
        assert client.get(f"/form/{name}").status_code == 404, name
    crafted = client.post("/new", data={"csrf": token, "agency": "../周口市人民政府办公室", "year": "2025"})
    assert crafted.status_code == 403
    assert sorted(p.name for p in folder.parent.iterdir() if p.suffix == ".yaml") == []


def test_serving_beyond_this_machine_needs_accounts(folder):
    result = run_process("serve", str(folder), "--host", "0.0.0.0", "--port", str(free_port()))
    assert result.returncode == 2
    assert "必须用 --users" in result.stderr


@pytest.mark.slow
def test_preview_page_by_page_and_downloads(site):
    client = httpx.Client(base_url=site, timeout=120)
    quoted = urllib.parse.quote(RICH)
    preview = client.get(f"/preview/{quoted}").text
    pages = len(re.findall(r'<img src="/preview/\d+/', preview))
    assert pages >= 4
    picture = client.get(f"/preview/1/{quoted}")
    assert picture.headers["content-type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    assert client.get(f"/preview/{pages + 1}/{quoted}").status_code == 404
    docx = client.get(f"/download/docx/{quoted}")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "attachment; filename*=UTF-8''" in docx.headers["content-disposition"]
    html = client.get(f"/download/html/{quoted}?draft=1").text
    assert "草稿 未通过校验" in html


@pytest.mark.slow
def test_downloads_are_the_bytes_nianbao_build_writes(site, folder, tmp_path):
    client = httpx.Client(base_url=site, timeout=120)
    out = tmp_path / "out"
    assert run_process("build", str(folder / RICH), "-o", str(out)).returncode == 0
    for kind in ("pdf", "docx", "html"):
        built = next(out.glob(f"*.{kind}")).read_bytes()
        assert client.get(f"/download/{kind}/{urllib.parse.quote(RICH)}").content == built, kind


def test_downloads_follow_the_publish_gate(folder, site):
    """Acknowledged warnings (已核对) let the final file through; without them only a draft is given."""
    name = "周口市行政服务中心/2021.yaml"
    client = httpx.Client(base_url=site, timeout=120)
    quoted = urllib.parse.quote(name)
    assert client.get(f"/download/html/{quoted}").status_code == 200
    text = (folder / name).read_text("utf-8")
    (folder / name).write_text(text[: text.index("\n已核对:")] + "\n", "utf-8")
    assert client.get(f"/download/html/{quoted}").status_code == 409
    draft = client.get(f"/download/docx/{quoted}?draft=1")
    assert draft.status_code == 200 and "（草稿）" in urllib.parse.unquote(draft.headers["content-disposition"])


@pytest.mark.browser
def test_acknowledging_a_warning_is_a_click_and_writes_the_form(browser, site, folder):
    page = browser.new_page()
    page.goto(form_url(site, RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    narrative = page.locator('textarea[data-text="总体情况/依申请公开"]')
    narrative.fill(narrative.input_value().replace("办结 1267 条", "办结 1266 条"))
    warning = page.locator('ul[data-for="text:总体情况/依申请公开"] li[data-code="W301"]')
    expect(warning).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("暂不能发布")
    warning.locator("button.acknowledge").click()
    page.fill("#ack-dialog-reason", "办结数按办理口径统计，已与业务科室核对")
    page.click("#ack-dialog-ok")
    expect(warning).to_have_class(re.compile("acknowledged"))
    expect(warning).to_contain_text("已核对：办结数按办理口径统计")
    expect(page.locator("#status")).to_contain_text("可以发布")
    saved = (folder / RICH).read_text("utf-8")
    assert "办结 1266 条" in saved
    assert "已核对:\n  - 代码: W301\n    位置: 总体情况.依申请公开\n    理由: 办结数按办理口径统计，已与业务科室核对" in saved
    assert run_process("check", str(folder / RICH)).returncode == 0


@pytest.mark.browser
def test_a_new_form_carries_last_year_from_a_published_report_in_the_folder(browser, folder):
    shutil.copy(SEEDS / "002_8a3103fe368513da.txt", folder / "2024年报告.txt")
    for site in serving(folder):
        page = browser.new_page()
        page.goto(site)
        page.fill('form[action="/new"] input[name="agency"]', "周口市人民政府办公室")
        page.fill('form[action="/new"] input[name="year"]', "2025")
        page.select_option('form[action="/new"] select[name="from"]', "2024年报告.txt")
        page.click('form[action="/new"] button')
        expect(page).to_have_url(form_url(site, "周口市人民政府办公室/2025.yaml"))
        expect(cell(page, "申请处理/上年结转/自然人")).to_have_value("109")  # 2024 年的结转下年度
        expect(cell(page, "第二十条第一项/行政规范性文件/现行有效件数")).to_have_value("172")


@pytest.mark.browser
def test_an_earlier_version_is_restored_from_the_history(browser, site, folder):
    page = browser.new_page()
    page.goto(form_url(site, RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    page.fill('input[data-field="发布日期"]', "2025-01-20")
    page.click("#save")
    expect(page.locator("#saved")).to_have_text("已保存")
    page.goto(f"{site}/history/{urllib.parse.quote(RICH)}")
    page.locator("ol.versions li a").first.click()
    page.click("#restore")
    expect(page).to_have_url(re.compile(re.escape(form_url(site, RICH)) + r"\?restored="))
    expect(page.locator(".restored-notice")).to_contain_text("已恢复")  # the restore says so
    assert (folder / RICH).read_text("utf-8") == RICH_EXAMPLE.read_text("utf-8")
    page.goto(f"{site}/history/{urllib.parse.quote(RICH)}")
    expect(page.locator("ol.versions li a")).to_have_count(2)  # the restore kept the version it replaced

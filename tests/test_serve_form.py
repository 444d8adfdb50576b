"""The browser form as anyone meets it (issue: usable by anyone who can use a web page): every
input under its own headers, every answer in Chinese, nothing stuck. A real uvicorn on loopback,
Chromium driven by Playwright."""

from __future__ import annotations

import re
import urllib.parse

import httpx
import pytest
from playwright.sync_api import expect

from generator.format import load_format

from .test_serve import RICH, accounts, browser, browser_signed_in, folder, form_url, intranet, serving, signed_in, site  # noqa: F401  (fixtures)


def boxes(page, selector: str) -> list[dict]:
    """Each element's text and horizontal and vertical extent on the page."""
    return page.eval_on_selector_all(
        selector, "els => els.map(e => { const r = e.getBoundingClientRect(); return {text: e.textContent.trim(), left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })"
    )


def labels_of(target: str) -> tuple[str, set[str]]:
    """The column label of a cell target, and its row's label with the labels of the groups it is in."""
    table_key, row_key, column_key = target.split("/")
    table = load_format().tables[table_key]
    row = next(r for r in table.rows if r.key == row_key)
    return table.column(column_key).label, {row.label, *(g.label for g in table.groups_of_row(row_key))}


def test_every_input_stands_under_its_column_and_beside_its_row(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 1800, "height": 1000})
    page.goto(form_url(site, RICH))
    for table in page.locator("table.grid").all():
        key = table.get_attribute("data-table")
        heads = boxes(page, f'table.grid[data-table="{key}"] thead th')
        rows = boxes(page, f'table.grid[data-table="{key}"] tbody th')
        inputs = page.eval_on_selector_all(
            f'table.grid[data-table="{key}"] input[data-cell]',
            "els => els.map(e => { const r = e.getBoundingClientRect(); return {target: e.dataset.cell, x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2}; })",
        )
        assert inputs, key
        for box in inputs:
            column, row = labels_of(box["target"])
            above = {h["text"] for h in heads if h["left"] <= box["x"] <= h["right"]}
            beside = {h["text"] for h in rows if h["top"] <= box["y"] <= h["bottom"] and h["right"] <= box["x"]}
            assert column in above, (box["target"], above)
            assert row & (above | beside), (box["target"], above, beside)


def test_every_refusal_is_a_chinese_page_or_message(site):  # noqa: F811
    client = httpx.Client(base_url=site, timeout=60)
    quoted = urllib.parse.quote(RICH)
    token = client.get("/").text.split('name="csrf" content="')[1].split('"')[0]
    pages = {
        "/没有这一页": 404,
        f"/history/{quoted}?version=bogus": 404,
        f"/download/exe/{quoted}": 404,
    }
    for url, status in pages.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert "Not Found" not in response.text and "返回表单列表" in response.text, url
    wrong_method = client.delete("/")
    assert wrong_method.status_code == 405 and "Method" not in wrong_method.text and "不支持" in wrong_method.text
    api = f"/api/check/{quoted}"
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    for body in ("{not json", '"edits"', '{"edits": 5}', '{"edits": {"cells": {"申请处理/本年新收/自然人": [1, 2]}}}', '{"edits": {"cells": {"没有/这/格": "1"}}}'):
        response = client.post(api, content=body.encode(), headers=headers)
        assert response.status_code == 400, body
        message = response.json()["message"]
        assert message and all(word not in message for word in ("Error", "Traceback", "JSON")), (body, message)


def test_a_blocked_download_says_why_in_the_staffs_words(site, folder):  # noqa: F811
    form = folder / RICH
    form.write_text(form.read_text("utf-8").replace("本年新收:                             [1121, 32, 0, 0, 180, 0, 1333]", "本年新收:                             [1121, 32, 0, 0, 180, 0, 1334]"), "utf-8")
    response = httpx.get(f"{site}/download/pdf/{urllib.parse.quote(RICH)}", timeout=60)
    shown = re.sub(r"<[^>]*>", "", response.text)  # what the page shows, not its links
    assert response.status_code == 409
    assert "[error]" not in shown and "[warning]" not in shown and "〔错误〕" in shown
    assert "周口市人民政府办公室 2024 年度报告" in shown and "2024.yaml" not in shown


@pytest.mark.parametrize("agency", ["测试/局", "测试\\局", "../测试局"])
def test_an_agency_name_that_would_make_folders_is_refused(site, folder, agency):  # noqa: F811
    client = httpx.Client(base_url=site, timeout=60)
    token = client.get("/").text.split('name="csrf" content="')[1].split('"')[0]
    response = client.post("/new", data={"csrf": token, "agency": agency, "year": "2025"})
    assert response.status_code == 400 and "机关名称" in response.text
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == ["周口市人民政府办公室", "周口市行政服务中心"]


def test_arrows_move_at_once_after_enter(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(form_url(site, RICH))
    first = page.locator('input[data-cell="申请处理/本年新收/自然人"]')
    first.click()
    page.keyboard.press("Enter")
    expect(page.locator('input[data-cell="申请处理/上年结转/自然人"]')).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(page.locator('input[data-cell="申请处理/上年结转/商业企业"]')).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.locator('input[data-cell="申请处理/上年结转/自然人"]')).to_be_focused()


def test_the_list_fits_a_phone(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_office_is_told_the_form_is_read_only(browser, intranet):  # noqa: F811
    page = browser_signed_in(browser, intranet, "公开办", "公开办密码123")
    page.goto(form_url(intranet, RICH))
    expect(page.locator(".readonly-notice")).to_contain_text("只读")


def test_what_is_on_the_screen_is_what_is_downloaded(browser, site, folder):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(form_url(site, RICH))
    page.fill('textarea[data-text="其他需要报告的事项"]', "本年度未收取信息处理费。屏幕上刚写的一句。")
    with page.expect_download() as download:
        page.click(".toolbar >> text=HTML")
    html = download.value.path().read_text("utf-8")
    assert "屏幕上刚写的一句" in html and not dialogs
    assert "屏幕上刚写的一句" in (folder / RICH).read_text("utf-8")
    expect(page.locator("#saved")).to_have_text("已保存")


def test_a_stopped_server_keeps_the_edits_and_gets_them_when_it_is_back(browser, folder):  # noqa: F811
    import socket
    import threading
    import time

    import uvicorn

    from generator.serve.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def start() -> uvicorn.Server:
        server = uvicorn.Server(uvicorn.Config(create_app(folder, None, "test-secret"), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return server

    server = start()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(form_url(f"http://127.0.0.1:{port}", RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    server.should_exit = True
    while server.started and not server.should_exit:
        time.sleep(0.05)
    time.sleep(1)
    page.fill('input[data-field="发布日期"]', "2025-01-21")
    page.click("#save")
    expect(page.locator("#saved")).to_contain_text("无法连接服务器")
    assert "2025-01-21" in page.evaluate("localStorage.getItem('nianbao:' + document.getElementById('form').dataset.name)")
    server = start()
    expect(page.locator("#saved")).to_have_text("已保存", timeout=30_000)
    assert "发布日期: 2025-01-21" in (folder / RICH).read_text("utf-8")
    assert page.evaluate("localStorage.getItem('nianbao:' + document.getElementById('form').dataset.name)") is None
    server.should_exit = True


def test_edits_kept_in_the_browser_come_back_when_the_form_is_opened_again(browser, site):  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    page.goto(form_url(site, RICH))
    expect(page.locator("#status")).to_contain_text("可以发布")
    page.fill('input[data-field="发布日期"]', "2025-01-22")
    expect(page.locator("#saved")).to_have_text("未保存")
    page.evaluate("window.onbeforeunload = null")
    page.close(run_before_unload=False)
    again = context.new_page()
    again.goto(form_url(site, RICH))
    expect(again.locator('input[data-field="发布日期"]')).to_have_value("2025-01-22")
    expect(again.locator("#saved")).to_contain_text("已恢复")


def test_an_acknowledgement_made_stale_by_the_fix_goes_in_one_click(browser, site, folder):  # noqa: F811
    """「无。」 in 其他需要报告的事项, W401 and W403 acknowledged, then the text fixed as the hint says:
    both acknowledgements answer nothing now (W207) and each goes in one click; 发布 is possible again."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(form_url(site, RICH))
    other = page.locator('textarea[data-text="其他需要报告的事项"]')
    other.fill("无。")
    for code in ("W403", "W401"):
        warning = page.locator(f'ul[data-for="text:其他需要报告的事项"] li[data-code="{code}"]:not(.acknowledged)')
        expect(warning).to_have_count(1)
        warning.locator("button.acknowledge").click()
        expect(page.locator("#ack-dialog")).to_be_visible()
        page.click("#ack-dialog-ok")  # no reason: said in the dialog, nothing written
        expect(page.locator("#ack-dialog-problem")).to_contain_text("请写明理由")
        page.fill("#ack-dialog-reason", f"{code} 已与业务科室核对")
        page.click("#ack-dialog-ok")
        expect(page.locator(f'.acknowledgements li[data-entry] b:text-is("{code}")')).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("可以发布")
    page.locator('textarea[data-text="其他需要报告的事项"]').fill("本年度未收取信息处理费。")
    stale = page.locator('li[data-code="W207"]')
    expect(stale).to_have_count(2)
    expect(page.locator("#status")).to_contain_text("暂不能发布")
    stale.first.locator("button.acknowledge").click()
    expect(page.locator('li[data-code="W207"]')).to_have_count(1)
    page.locator('li[data-code="W207"] button.acknowledge').click()
    expect(page.locator('li[data-code="W207"]')).to_have_count(0)
    expect(page.locator("#status")).to_contain_text("可以发布")
    saved = (folder / RICH).read_text("utf-8")
    assert "本年度未收取信息处理费。" in saved and "W403" not in saved and "W401" not in saved


def test_an_acknowledgements_reason_is_edited_in_the_page(browser, site, folder):  # noqa: F811
    name = "周口市行政服务中心/2024.yaml"
    form = folder / name
    form.write_text(form.read_text("utf-8").rstrip("\n") + "\n已核对:\n  - 代码: W401\n    位置: 其他需要报告的事项\n    理由: 旧的理由\n", "utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(form_url(site, name))
    entry = page.locator(".acknowledgements li[data-entry]")
    expect(entry).to_have_count(1)
    entry.locator("input.reason").fill("已经分管领导审定")
    with page.expect_navigation():  # saved, then the page shows the form as saved
        entry.locator("button.ack-reason").click()
    expect(page.locator(".acknowledgements input.reason")).to_have_value("已经分管领导审定")
    assert "理由: 已经分管领导审定" in form.read_text("utf-8")


def test_a_problem_is_said_beside_its_cell_and_listed_with_a_link_to_it(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(form_url(site, RICH))
    expect(page.locator("#problems-count")).to_contain_text("没有需要处理的问题")
    total = page.locator('input[data-cell="申请处理/本年新收/总计"]')
    total.fill("1334")
    message = page.locator('tr.cell-findings li[data-code="E101"]')
    expect(message).to_have_count(1)
    gap = page.evaluate(
        """() => { const a = document.querySelector('input[data-cell="申请处理/本年新收/总计"]').getBoundingClientRect();
                   const b = document.querySelector('tr.cell-findings li[data-code="E101"]').getBoundingClientRect(); return b.top - a.bottom; }"""
    )
    assert 0 <= gap < 60  # right under the row, not below the 25-row table
    expect(page.locator("#problems-count")).to_contain_text("错误")
    page.locator("#problems summary").click()
    page.locator('#problems-list a:has-text("E101")').first.click()
    expect(total).to_be_focused()
    empty = page.locator('input[data-cell="申请处理/予以公开/商业企业"]')
    empty.fill("")
    expect(empty).to_have_class(re.compile("error"))  # an empty cell (E122) is marked where it is
    expect(page.locator('tr.cell-findings li[data-code="E122"]')).to_have_count(1)


def test_the_headers_of_a_long_table_stay_in_sight(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 700})
    page.goto(form_url(site, RICH))
    last = page.locator('input[data-cell="申请处理/结转下年度/总计"]')
    last.scroll_into_view_if_needed()
    head = page.locator('table.grid[data-table="申请处理"] thead th:text-is("自然人")').bounding_box()
    box = last.bounding_box()
    assert head["y"] + head["height"] <= box["y"] and box["y"] - head["y"] < 700


def test_a_blank_form_shows_what_is_left_to_fill_in_not_errors(browser, site):  # noqa: F811
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site)
    page.fill('form[action="/new"] input[name="agency"]', "周口市数据局")
    page.fill('form[action="/new"] input[name="year"]', "2025")
    page.click('form[action="/new"] button')
    expect(page.locator("#progress")).to_contain_text("还需填写")
    expect(page.locator('li[data-code="E052"]')).to_have_count(0)
    areas = page.locator("textarea.todo").count()
    assert areas >= 5  # the five parts of 总体情况 at least; parts that may stay empty are not counted
    expect(page.locator("#progress")).to_contain_text(f"0 / {areas} 项")
    expect(page.locator("#status")).to_contain_text("还需填写")
    expect(page.locator("details.guide")).to_have_attribute("open", "")
    first = page.locator(f'textarea[data-text="{page.locator("textarea.todo").first.get_attribute("data-text")}"]')
    first.fill("本机关按照条例要求主动公开政府信息。")
    expect(page.locator("#progress")).to_contain_text(f"1 / {areas} 项")
    expect(first).not_to_have_class(re.compile("todo"))


def test_served_over_https_the_session_cookie_travels_only_over_it(folder, tmp_path):  # noqa: F811
    import os
    import socket
    import stat
    import subprocess
    import sys
    import time

    from generator.serve.accounts import add_account

    from .conftest import ROOT

    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    users = tmp_path / "账户.yaml"
    add_account(users, "甲", "甲的密码12345", "周口市人民政府办公室")
    if os.name == "posix":
        assert stat.S_IMODE(users.stat().st_mode) == 0o600  # the accounts file is its owner's alone
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "generator", "serve", str(folder), "--port", str(port), "--users", str(users), "--certfile", str(certificate), "--keyfile", str(key)]
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "https://127.0.0.1:" in server.stdout.readline() + server.stdout.readline()
        client = httpx.Client(base_url=f"https://127.0.0.1:{port}", verify=False, timeout=30)
        deadline = time.monotonic() + 30
        while True:
            try:
                login = client.get("/login")
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert login.status_code == 200 and "登录" in login.text
        assert "secure" in login.headers["set-cookie"].lower()
    finally:
        server.kill()
        server.wait(30)
    mismatched = subprocess.run([*command[:-4], "--certfile", str(key), "--keyfile", str(key)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert mismatched.returncode == 2 and "无法用证书" in mismatched.stderr and "Traceback" not in mismatched.stderr


def test_only_a_field_both_changed_is_asked_about(browser, site, folder):  # noqa: F811
    first, second = (browser.new_context().new_page() for _ in range(2))
    for page in (first, second):
        page.goto(form_url(site, RICH))
        expect(page.locator("#status")).to_contain_text("可以发布")
    first.fill('input[data-field="发布日期"]', "2025-01-20")
    first.fill('input[data-cell="第二十条第五项/行政许可/本年处理决定数量"]', "5")
    first.click("#save")
    expect(first.locator("#saved")).to_have_text("已保存")
    second.fill('input[data-field="发布日期"]', "2025-01-25")
    second.fill('textarea[data-text="其他需要报告的事项"]', "本年度未收取信息处理费。第二个人写的。")
    second.click("#save")
    clashes = second.locator("#clashes tr")
    expect(clashes).to_have_count(1)
    expect(clashes).to_contain_text("发布日期")
    expect(clashes).to_contain_text("2025-01-25")
    expect(clashes).to_contain_text("2025-01-20")
    clashes.locator('input[value="theirs"]').check()
    second.click("#resolve")
    expect(second.locator(".restored-notice")).to_contain_text("行政许可")
    saved = (folder / RICH).read_text("utf-8")
    assert "发布日期: 2025-01-20" in saved and "第二个人写的" in saved and "行政许可: 5" in saved


def test_a_deleted_form_waits_in_the_bin_until_the_office_empties_it(browser, intranet, folder):  # noqa: F811
    other = "周口市行政服务中心/2024.yaml"
    page = browser_signed_in(browser, intranet, "甲", "甲的密码12345")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(f'form[action="/delete/{urllib.parse.quote(RICH)}"] button')
    expect(page.locator(".restored-notice")).to_contain_text("回收站")
    assert not (folder / RICH).exists()
    page.goto(f"{intranet}/bin")
    expect(page.locator("table.forms tbody tr")).to_have_count(1)
    page.click('form[action="/bin/restore"] button')
    expect(page).to_have_url(re.compile(re.escape(urllib.parse.quote(RICH))))
    assert (folder / RICH).exists()

    agency, token = signed_in(intranet, "甲", "甲的密码12345")
    assert agency.post(f"/delete/{urllib.parse.quote(other)}", data={"csrf": token}).status_code == 404  # another agency's form
    assert agency.post(f"/delete/{urllib.parse.quote(RICH)}", data={"csrf": token}).status_code == 303
    assert agency.post("/bin/empty", data={"csrf": token}).status_code == 403
    office, token = signed_in(intranet, "公开办", "公开办密码123")
    assert office.post(f"/delete/{urllib.parse.quote(other)}", data={"csrf": token}).status_code == 404  # the office writes nothing
    emptied = office.post("/bin/empty", data={"csrf": token})
    assert emptied.status_code == 200 and "1 份" in emptied.text
    assert not (folder / ".nianbao-bin").exists() and (folder / other).exists()


def test_a_carry_over_that_cannot_be_read_or_does_not_fit_is_said(site, folder):  # noqa: F811
    client = httpx.Client(base_url=site, timeout=60)
    token = client.get("/").text.split('name="csrf" content="')[1].split('"')[0]
    new = {"csrf": token, "agency": "周口市数据局", "year": "2026"}
    for name, content in (("上年.pdf", bytes(range(256)) * 40), ("上年.yaml", "机关: [周口市数据局\n".encode())):
        refused = client.post("/new", data=new, files={"upload": (name, content, "application/octet-stream")})
        assert refused.status_code == 400 and f"无法读取 {name}" in refused.text and "表单没有新建" in refused.text
    assert not (folder / "周口市数据局").exists()
    other = "周口市行政服务中心/2024.yaml"  # another agency's report, two years back
    asked = client.post("/new", data=new | {"from": other})
    assert asked.status_code == 409 and "不是周口市数据局 2025 年度的报告" in asked.text
    assert not (folder / "周口市数据局").exists()
    made = client.post("/new", data=new | {"from": other, "confirm": "1"})
    assert made.status_code == 303 and (folder / "周口市数据局" / "2026.yaml").exists()


def test_the_history_says_who_saved_and_what_changed(browser, intranet):  # noqa: F811
    page = browser_signed_in(browser, intranet, "甲", "甲的密码12345")
    page.goto(form_url(intranet, RICH))
    page.fill('input[data-cell="第二十条第五项/行政许可/本年处理决定数量"]', "7")
    page.click("#save")
    expect(page.locator("#saved")).to_have_text("已保存")
    page.goto(f"{intranet}/history/{urllib.parse.quote(RICH)}")
    expect(page.locator("ol.versions li")).to_contain_text("甲")
    page.locator("ol.versions li a").first.click()
    change = page.locator("table.changes tbody tr")
    expect(change).to_have_count(1)
    expect(change).to_contain_text("行政许可")
    expect(change.locator("td").nth(0)).to_have_text("0")
    expect(change.locator("td").nth(1)).to_have_text("7")

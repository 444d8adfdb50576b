"""The season in the browser: the office's list, the transitions and their permissions, over HTTP
against a real server and in Chromium."""

from __future__ import annotations

import io
import re
import shutil
import urllib.parse
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from generator.season import Season
from generator.serve.accounts import add_account, load_accounts

from .conftest import ROOT
from .test_serve import OTHER, RICH, browser, browser_signed_in, serving, signed_in  # noqa: F401 (browser: a fixture)

REGION = "汇总:\n  周口市人民政府:\n    - 周口市人民政府办公室\n    - 周口市行政服务中心\n    - 周口市财政局\n"


@pytest.fixture
def folder(tmp_path) -> Path:
    root = tmp_path / "表单"
    for agency in ("周口市人民政府办公室", "周口市行政服务中心"):
        shutil.copytree(ROOT / "examples" / agency, root / agency)
    (root / "地区.yaml").write_text(REGION, "utf-8")
    return root


@pytest.fixture
def site(folder, tmp_path) -> Iterator[str]:
    users = tmp_path / "users.yaml"
    add_account(users, "甲", "甲的密码12345", "周口市人民政府办公室")
    add_account(users, "乙", "乙的密码12345", "周口市行政服务中心")
    add_account(users, "公开办", "公开办密码123", "")
    yield from serving(folder, load_accounts(users))


def act(client, token: str, action: str, name: str, **data):
    return client.post(f"/season/{action}/{urllib.parse.quote(name)}", data={"csrf": token, **data})


def state_of(folder: Path, agency: str) -> str:
    season = Season(folder)
    try:
        return next(m.state for m in season.members(2024, date.today()) if m.agency == agency)
    finally:
        season.close()


def test_every_transition_is_checked_for_role_agency_and_token(site, folder):
    agency, agency_token = signed_in(site, "乙", "乙的密码12345")
    other, _ = signed_in(site, "甲", "甲的密码12345")
    office, office_token = signed_in(site, "公开办", "公开办密码123")
    assert act(agency, "forged", "submit", OTHER).status_code == 403  # no valid token
    assert act(agency, agency_token, "submit", RICH).status_code == 404  # another agency's form
    assert act(office, office_token, "submit", OTHER).status_code == 403  # the office does not submit
    assert state_of(folder, "周口市行政服务中心") == "填报中"
    assert act(agency, agency_token, "submit", OTHER).status_code == 303
    assert state_of(folder, "周口市行政服务中心") == "已提交"
    # submitted: read-only for the agency, by the page and by the API
    assert 'data-readonly="1"' in agency.get(f"/form/{urllib.parse.quote(OTHER)}").text
    saved = agency.post(f"/api/save/{urllib.parse.quote(OTHER)}", json={"edits": {}, "version": "x"}, headers={"X-CSRF-Token": agency_token})
    assert saved.status_code == 409 and "已提交" in saved.json()["message"]
    for action in ("approve", "return", "publish"):  # an agency cannot act for the office, not even on its own form
        assert act(agency, agency_token, action, OTHER, reason="x").status_code == 403, action
    assert act(other, agency_token, "approve", OTHER).status_code == 403  # nor another agency, token or not
    assert act(office, office_token, "nosuch", OTHER).status_code == 404
    assert act(office, office_token, "approve", OTHER).status_code == 303
    twice = act(office, office_token, "approve", OTHER)
    assert twice.status_code == 409 and "当前为「审核通过」" in twice.text
    returned = act(office, office_token, "return", OTHER, reason="请补充依申请公开的说明", place=["依申请公开", ""], comment=["写明为何全年无申请", ""])
    assert returned.status_code == 303
    page = agency.get(f"/season/form/{urllib.parse.quote(OTHER)}").text
    assert "退回修改" in page and "请补充依申请公开的说明" in page and "写明为何全年无申请" in page
    trail = Season(folder).trail("周口市行政服务中心", 2024)
    assert [(t["who"], t["via"], t["action"]) for t in trail[:3]] == [("乙", "网页", "提交"), ("公开办", "网页", "审核通过"), ("公开办", "网页", "退回修改")]


def test_the_office_list_filters_sorts_and_exports(site, folder):
    office, _ = signed_in(site, "公开办", "公开办密码123")
    page = office.get("/season?year=2024").text
    rows = re.findall(r'<tr data-agency="([^"]+)" data-state="([^"]+)"', page)
    assert set(rows) == {("周口市人民政府办公室", "填报中"), ("周口市行政服务中心", "填报中"), ("周口市财政局", "未开始"), ("周口市人民政府", "未开始")}
    assert [a for a, _ in rows][-1] == "周口市人民政府"  # sorted by deadline: 31 March last
    assert re.findall(r'data-agency="([^"]+)"', office.get("/season?year=2024&state=未开始&sort=name").text) == ["周口市人民政府", "周口市财政局"]
    assert re.findall(r'data-agency="([^"]+)"', office.get("/season?year=2024&q=财政").text) == ["周口市财政局"]
    export = office.get("/season/export.xlsx?year=2024&state=未开始")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[1]][:4] == ["机关", "状态", "公布期限", "剩余天数"]
    assert sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True)) == ["周口市人民政府", "周口市财政局"]
    agency, _ = signed_in(site, "乙", "乙的密码12345")
    assert re.findall(r'data-agency="([^"]+)"', agency.get("/season?year=2024").text) == ["周口市行政服务中心"]


def test_submit_return_and_see_the_comments_in_the_browser(browser, site, folder):  # noqa: F811
    agency = browser_signed_in(browser, site, "乙", "乙的密码12345")
    agency.goto(f"{site}/season?year=2024")
    agency.click("table.season a:has-text(\"周口市行政服务中心\")")
    expect(agency.locator("#state")).to_have_text("填报中")
    agency.click("#submit")
    expect(agency.locator("#state")).to_have_text("已提交")
    office = browser_signed_in(browser, site, "公开办", "公开办密码123")
    office.goto(f"{site}/season?year=2024&state=已提交")
    office.click("table.season a:has-text(\"周口市行政服务中心\")")
    office.fill('textarea[name="reason"]', "请补充监督保障的具体做法")
    office.locator('select[name="place"]').first.select_option("总体情况/监督保障")
    office.locator('input[name="comment"]').first.fill("写明检查次数")
    office.locator('select[name="place"]').nth(1).select_option("申请处理/本年新收")
    office.locator('input[name="comment"]').nth(1).fill("核对自然人申请数")
    office.click('#return button[type="submit"]')
    expect(office.locator("#state")).to_have_text("退回修改")
    agency.reload()
    comment = agency.locator('#comments li[data-place="总体情况/监督保障"]')
    expect(comment).to_contain_text("写明检查次数")
    expect(agency.locator("#comments")).to_contain_text("请补充监督保障的具体做法")
    expect(agency.locator("#submit")).to_be_enabled()
    # in the editor, beside the places: after the text, before the table of the row
    agency.goto(f"{site}/form/{urllib.parse.quote(OTHER)}")
    beside_text = agency.locator('textarea[data-text="总体情况/监督保障"]').locator("xpath=ancestor::label/following-sibling::*[1]")
    expect(beside_text).to_have_class("season-comment")
    expect(beside_text).to_contain_text("写明检查次数")
    beside_table = agency.locator('table[data-table="申请处理"]').locator("xpath=ancestor::div[1]/preceding-sibling::*[1]")
    expect(beside_table).to_contain_text("本年新收")
    expect(beside_table).to_contain_text("核对自然人申请数")
    expect(agency.locator('.season-comment[data-place=""]')).to_contain_text("请补充监督保障的具体做法")


def test_a_summary_form_shows_its_members_sums(site, folder):
    (folder / "地区.yaml").write_text("周口市人民政府办公室: [周口市行政服务中心]\n", "utf-8")
    agency, agency_token = signed_in(site, "乙", "乙的密码12345")
    office, office_token = signed_in(site, "公开办", "公开办密码123")
    assert "未合计：周口市行政服务中心（填报中）" in office.get(f"/season/form/{urllib.parse.quote(RICH)}").text
    assert act(agency, agency_token, "submit", OTHER).status_code == 303
    assert act(office, office_token, "approve", OTHER).status_code == 303
    page = office.get(f"/season/form/{urllib.parse.quote(RICH)}").text
    assert "已合计审核通过的 1 个成员（周口市行政服务中心）" in page
    assert re.search(r"本表有 \d+ 处与成员之和不符", page) and 'class="differs"' in page


def test_the_region_ratios_page_and_export(site):
    office, _ = signed_in(site, "公开办", "公开办密码123")
    page = office.get("/season/ratios?year=2024").text
    assert "公开率" in page and "6.4%" in page and "仅 0 件，不计算" in page
    book = load_workbook(io.BytesIO(office.get("/season/ratios.xlsx?year=2024").content))
    assert book.sheetnames == ["公开率", "复议纠错率"]
    rows = {row[0]: row for row in book["公开率"].iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert rows["周口市人民政府办公室"][1] == pytest.approx(81 / 1267)
    agency, _ = signed_in(site, "乙", "乙的密码12345")
    assert agency.get("/season/ratios?year=2024").status_code == 403

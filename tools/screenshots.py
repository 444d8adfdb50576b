"""The README's pictures of `nianbao serve` (`make screenshots`, i.e. `python -m tools.screenshots`): the list page and a form with a finding."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.test_serve import CHROMIUM, CHROMIUM_FLAGS, RICH, form_url, serving

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "表单"
        shutil.copytree(ROOT / "examples", folder, ignore=shutil.ignore_patterns("*.json"))
        for site in serving(folder):
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                page = browser.new_page(viewport={"width": 1280, "height": 760})
                page.goto(site)
                page.screenshot(path=str(ROOT / "docs" / "serve-list.png"))
                page.goto(form_url(site, RICH))
                page.wait_for_selector("#status:has-text('可以发布')")
                page.fill('input[data-cell="申请处理/本年新收/总计"]', "1334")
                page.wait_for_selector('ul[data-for-table="申请处理"] li')
                page.locator('table[data-table="申请处理"]').scroll_into_view_if_needed()
                page.evaluate("window.scrollBy(0, -120)")
                page.screenshot(path=str(ROOT / "docs" / "serve-edit.png"))
                browser.close()


if __name__ == "__main__":
    main()

"""The one service layer: the command line, the browser form and the review reach the same
results through the same functions, which return data and print nothing."""

from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import httpx

from generator.review import review
from generator.services import build, check_alone, check_file, check_text, import_published

from .conftest import RICH_EXAMPLE, SEEDS
from .helpers import BASE, edit
from .test_serve import folder, serving  # noqa: F401  (fixtures: a region's folder, a real uvicorn)

RICH_SEED = SEEDS / "002_8a3103fe368513da.txt"
FLAWED_SEED = SEEDS / "001_27e23139f88dbf53.txt"  # published with warnings (W401–W403)


def last_year_spelt_differently(where: Path) -> tuple[Path, Path]:
    """This year's form and last year's, whose 机关 is the same agency written with a space."""
    this_year = where / "2024.yaml"
    this_year.write_text(BASE, "utf-8")
    last = edit(edit(BASE, "年度: 2024", "年度: 2023"), "机关: 周口市人民政府办公室", "机关: 周口市 人民政府办公室")
    (where / "2023.yaml").write_text(last, "utf-8")
    return this_year, where / "2023.yaml"


def test_review_pairs_the_years_as_check_does(tmp_path):
    this_year, last = last_year_spelt_differently(tmp_path)
    checked = check_file(str(this_year))
    assert "W201" in {f.code for f in checked.findings}
    reviewed = review([check_alone(str(this_year)), check_alone(str(last))])
    assert [(f.code, f.loc, f.message) for f in reviewed.entries[0].findings] == [(f.code, f.loc, f.message) for f in checked.findings]


def test_a_published_report_gets_no_advice_to_edit_it_in_check_or_review():
    checked = check_file(str(FLAWED_SEED))
    reviewed = review([check_alone(str(FLAWED_SEED))]).entries[0]
    assert checked.findings and [f.hint for f in checked.findings] == [""] * len(checked.findings)
    assert [(f.code, f.hint) for f in reviewed.findings] == [(f.code, f.hint) for f in checked.findings]


def test_the_browsers_text_is_checked_as_the_file_is(tmp_path):
    this_year, _last = last_year_spelt_differently(tmp_path)
    from_text = check_text(this_year.read_text("utf-8"), str(this_year))
    from_file = check_file(str(this_year))
    assert [(f.code, f.loc, f.message, f.acknowledged) for f in from_text.findings] == [(f.code, f.loc, f.message, f.acknowledged) for f in from_file.findings]
    assert from_text.status == from_file.status == "有警告"


def test_services_print_nothing(tmp_path, capsys):
    broken = tmp_path / "2024.yaml"
    broken.write_text(edit(BASE, "机关: 周口市人民政府办公室", "机关: [周口市"), "utf-8")
    assert check_file(str(broken)).unusable
    assert check_file(str(FLAWED_SEED)).findings
    assert build(str(RICH_EXAMPLE), ["html"]).outputs["html"].startswith(b"<!DOCTYPE html>")
    assert build(str(broken), ["html"]).checked.unusable
    assert import_published(str(RICH_SEED)).form.startswith("#")
    assert check_alone(str(RICH_SEED)).report is not None
    assert capsys.readouterr() == ("", "")


def csrf_of(client: httpx.Client) -> str:
    return re.search(r'name="csrf" content="([^"]+)"', client.get("/").text).group(1)


def test_a_new_form_in_the_browser_takes_the_years_init_takes(folder):  # noqa: F811
    for site in serving(folder):
        client = httpx.Client(base_url=site, timeout=60)
        token = csrf_of(client)
        for year in ("1800", "3000", "２０２５", "20251"):
            refused = client.post("/new", data={"csrf": token, "agency": "周口市数据局", "year": year})
            assert refused.status_code == 400 and "年度" in refused.text, year
        assert not (folder / "周口市数据局").exists()
        made = client.post("/new", data={"csrf": token, "agency": "周口市数据局", "year": "2025"})
        assert made.status_code == 303 and (folder / "周口市数据局" / "2025.yaml").exists()


def test_a_download_is_named_as_build_names_its_files(folder, tmp_path):  # noqa: F811
    name = "周口市人民政府办公室/2024.yaml"
    form = folder / name
    form.write_text(edit(form.read_text("utf-8"), "机关: 周口市人民政府办公室", '机关: "周口市人民政府办公室*?"'), "utf-8")
    for site in serving(folder):
        response = httpx.get(f"{site}/download/html/{urllib.parse.quote(name)}", timeout=60)
        assert response.status_code == 200
        sent = urllib.parse.unquote(response.headers["content-disposition"].split("UTF-8''")[1])
        built = build(str(form), ["html"])
        assert sent == f"{built.stem}.html" and "*" not in sent and "?" not in sent


def test_import_json_goes_to_the_file_named_with_o(run_cli, tmp_path):
    target = tmp_path / "导入.json"
    code, stdout, _err = run_cli("import", str(RICH_SEED), "--format", "json", "-o", str(target))
    assert code == 0 and str(target) in stdout
    assert json.loads(target.read_text("utf-8"))["agency"] == "周口市人民政府办公室"

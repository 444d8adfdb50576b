"""`nianbao review`: a region's published reports and forms at once, with the office's outputs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

from generator.form import parse_form
from generator.formwriter import write_form

from .conftest import EXAMPLES, RICH_EXAMPLE, SEEDS
from .helpers import BASE, edit, edit_row

RICH_SEED = SEEDS / "002_8a3103fe368513da.txt"
SERVICE_CENTRE = RICH_EXAMPLE.parent.parent / "周口市行政服务中心" / "2024.yaml"


def review_of(run_cli, tmp_path: Path, files: dict[str, str | Path], *extra: str) -> tuple[int, dict, Path, str]:
    """Lay `files` (name → text or a file to copy) out in a folder, review it; (exit, JSON, output folder, stdout)."""
    folder = tmp_path / "报告"
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            shutil.copy(content, folder / name)
        else:
            (folder / name).write_text(content, "utf-8")
    out = tmp_path / "审阅"
    code, stdout, _err = run_cli("review", str(folder), "-o", str(out), *extra)
    return code, json.loads((out / "审阅一览.json").read_text("utf-8")), out, stdout


def findings_of(data: dict, name: str) -> list[dict]:
    return next(r["findings"] for r in data["reports"] if r["file"].endswith(name))


def test_examples_and_their_published_texts(run_cli, tmp_path):
    files = {f"{p.parent.name}-{p.stem}.yaml": p for p in EXAMPLES} | {p.name: p for p in sorted(SEEDS.glob("*.txt"))}
    code, data, out, stdout = review_of(run_cli, tmp_path, files)
    assert code == 0
    assert len(data["reports"]) == 10
    # a form and its published text are the same report: no duplicate finding, but both listed
    assert not any(f["code"] == "W520" for r in data["reports"] for f in r["findings"])
    assert len(data["duplicates"]) == 4
    # the forms acknowledge their warnings (已核对): the office sees them, marked, and they do not count
    forms = [r for r in data["reports"] if r["file"].endswith(".yaml")]
    open_warnings = {Path(r["file"]).name: [f["code"] for f in r["findings"] if not f.get("acknowledged")] for r in forms}
    # 汝州's published title dropped 汝州市, so its text reads as another agency's copy of the form (W521)
    assert open_warnings == {name: (["W521"] if name.startswith("汝州") else []) for name in open_warnings}
    assert any(f.get("acknowledged") for r in forms for f in r["findings"])
    book = load_workbook(out / "审阅一览.xlsx")
    assert book.sheetnames == ["报告一览", "问题", "统计", "重复发布"]
    assert book["报告一览"].max_row == 11
    assert book["问题"].max_row == 1 + sum(len(r["findings"]) for r in data["reports"])
    rich = next(r for r in data["reports"] if r["file"].endswith("002_8a3103fe368513da.txt"))
    assert rich["figures"]["本年新收.总计"] == 1333
    statistics = {row[0].value: [c.value for c in row] for row in book["统计"].iter_rows(min_row=2)}
    assert any(label.startswith("一、本年新收") for label in statistics)
    html = (out / "审阅一览.html").read_text("utf-8")
    assert "周口市人民政府办公室" in html and "<script" not in html
    letters = {p.stem: "\n".join(p.text for p in Document(str(p)).paragraphs) for p in (out / "问题清单").glob("*.docx")}
    assert letters, stdout
    # a form's letter says how to change the form; a published report's has no such hint
    form_letter = letters["汝州市行政服务中心政府信息公开工作年度报告问题清单"]
    assert "问题清单" in form_letter and "修改建议" in form_letter
    published_letter = letters["周口市行政服务中心政府信息公开工作年度报告问题清单"]
    assert "问题清单" in published_letter and "修改建议" not in published_letter


def test_versions_that_differ_are_shown_side_by_side(run_cli, tmp_path):
    text = RICH_SEED.read_text("utf-8")
    edited = text.replace("(七) 总计\t1036", "(七) 总计\t1037")
    assert edited != text
    _code, data, out, _ = review_of(run_cli, tmp_path, {"门户网站.txt": text, "公开平台.txt": edited})
    found = [f for f in findings_of(data, "门户网站.txt") if f["code"] == "W520"]
    assert found and "公开平台.txt" in found[0]["message"] and "1036 与 1037" in found[0]["message"]
    rows = [[c.value for c in row] for row in load_workbook(out / "审阅一览.xlsx")["重复发布"].iter_rows(min_row=2)]
    assert [row[3:7] for row in rows if row[5]] == [[str(out.parent / "报告" / "公开平台.txt"), str(out.parent / "报告" / "门户网站.txt"), "1037", "1036"]]


def last_year_form(carry_over: str) -> str:
    """周口市人民政府办公室's 2023 form: the 2024 example a year earlier, with its 结转下年度 replaced."""
    text = edit(BASE, "年度: 2024", "年度: 2023")
    return edit_row(text, "结转下年度", carry_over)


def test_continuity_is_found_by_content_not_file_name(run_cli, tmp_path):
    files = {"甲.yaml": RICH_EXAMPLE, "乙.yaml": last_year_form("[24, 0, 0, 0, 19, 0, 43]")}
    _code, data, _out, _ = review_of(run_cli, tmp_path, files)
    assert not any(f["code"] == "W201" for f in findings_of(data, "甲.yaml"))
    files = {"甲.yaml": RICH_EXAMPLE, "乙.yaml": last_year_form("[25, 0, 0, 0, 19, 0, 44]")}
    _code, data, _out, _ = review_of(run_cli, tmp_path / "2", files)
    assert [f["code"] for f in findings_of(data, "甲.yaml") if f["code"] == "W201"] == ["W201", "W201"]


def test_sentences_copied_from_another_agency(run_cli, tmp_path):
    source = RICH_EXAMPLE.read_text("utf-8")
    copied = edit(source, "机关: 周口市人民政府办公室", "机关: 周口市某某局")
    _code, data, _out, _ = review_of(run_cli, tmp_path, {"原件.yaml": source, "抄件.yaml": copied})
    found = [f for f in findings_of(data, "抄件.yaml") if f["code"] == "W521"]
    assert found and "周口市人民政府办公室" in found[0]["message"]


def test_a_region_summary_against_the_sum_of_its_members(run_cli, tmp_path):
    members = [parse_form(p.read_text("utf-8"), p.name)[0] for p in (RICH_EXAMPLE, SERVICE_CENTRE)]
    summary = parse_form(edit(BASE, "机关: 周口市人民政府办公室", "机关: 周口市人民政府"), "汇总.yaml")[0]
    for cell_id, cell in summary.cells.items():
        values = [m.value(*cell_id) for m in members]
        cell.value = None if None in values else sum(values)
        cell.typed = True
    files = {"汇总.yaml": write_form(summary), "甲.yaml": RICH_EXAMPLE, "乙.yaml": SERVICE_CENTRE}
    region = tmp_path / "地区.yaml"
    region.write_text(f"周口市人民政府: [{members[0].agency}, {members[1].agency}]\n", "utf-8")
    _code, data, _out, _ = review_of(run_cli, tmp_path, files, "--region", str(region))
    assert not any(f["code"] == "W523" for f in findings_of(data, "汇总.yaml"))
    files["汇总.yaml"] = edit_row(write_form(summary), "本年新收", "[1121, 32, 0, 0, 180, 1, 1334]")
    _code, data, _out, _ = review_of(run_cli, tmp_path / "2", files, "--region", str(region))
    found = [f for f in findings_of(data, "汇总.yaml") if f["code"] == "W523"]
    assert found and "汇总 1334，成员之和 1333" in found[0]["message"]


def test_an_unreadable_file_never_stops_the_rest(run_cli, tmp_path):
    files = {"坏.pdf": "这不是 PDF", "好.yaml": RICH_EXAMPLE}
    code, data, out, _stdout = review_of(run_cli, tmp_path, files)
    assert code == 1
    statuses = {Path(r["file"]).name: r["status"] for r in data["reports"]}
    assert statuses == {"坏.pdf": "无法读取", "好.yaml": "可以发布"}
    assert (out / "审阅一览.xlsx").exists()


def test_results_do_not_depend_on_the_number_of_processes(run_cli, tmp_path):
    folder = tmp_path / "报告"
    shutil.copytree(SEEDS, folder)
    outputs = []
    for jobs in ("1", "2"):
        code, _out, _err = run_cli("review", str(folder), "-o", str(tmp_path / jobs), "--jobs", jobs)
        assert code == 0
        outputs.append((tmp_path / jobs / "审阅一览.json").read_text("utf-8"))
    assert outputs[0] == outputs[1]
    assert [Path(r["file"]).name for r in json.loads(outputs[0])["reports"]] == sorted(p.name for p in SEEDS.glob("*.txt"))

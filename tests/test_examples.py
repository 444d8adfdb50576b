"""The five seed reports, transcribed in examples/, check without errors."""

import pytest

from generator.codes import Level
from generator.services import check_file

from .conftest import EXAMPLES, RICH_EXAMPLE, example_id

EXPECTED_WARNINGS = {
    "周口市行政服务中心-2021": ["W401", "W401", "W402", "W403"],
    "周口市行政服务中心-2024": [],
    "周口市人民政府办公室-2024": [],
    "平顶山市城乡一体化示范区城市综合事务服务中心-2024": ["W301", "W301"],
    "汝州市行政服务中心-2021": ["W401", "W401", "W403"],
}


def test_all_five_seeds_are_transcribed():
    assert sorted(example_id(p) for p in EXAMPLES) == sorted(EXPECTED_WARNINGS)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_example_checks_without_errors(path):
    result = check_file(str(path))
    assert result.count(Level.ERROR) == 0, [f.message for f in result.findings]
    assert sorted(f.code for f in result.findings) == EXPECTED_WARNINGS[example_id(path)]


def test_rich_example_figures_match_its_narrative():
    result = check_file(str(RICH_EXAMPLE))
    report = result.report
    assert report.figure("本年新收.总计") + report.figure("上年结转.总计") == 1376
    assert report.figure("办理结果总计.总计") == 1267
    assert report.figure("结转下年度.总计") == 109


def test_seed_003_red_header_documents_are_flagged():
    path = next(p for p in EXAMPLES if "平顶山" in str(p))
    findings = [f for f in check_file(str(path)).findings if f.code == "W301"]
    assert all("规范性红头文件" in f.message and "29" in f.message for f in findings)
    assert [f.loc.line for f in findings] == [10, 14]


def test_cli_checks_all_examples(run_cli):
    code, out, _ = run_cli("check", *map(str, EXAMPLES))
    assert code == 0
    assert out.strip().endswith("共检查 5 个文件，发现 9 个警告（其中 9 个已核对）。")
    code, _, _ = run_cli("check", "--strict", *map(str, EXAMPLES))
    assert code == 0  # every warning of the examples is acknowledged in the form


def test_json_output_for_tools(run_cli, tmp_path):
    import json

    from .helpers import BASE, edit_row, write

    broken = write(tmp_path, edit_row(BASE, "行政复议", "[2, 0, 0, 1, 4]"))
    code, out, _ = run_cli("check", "--format", "json", str(broken), str(RICH_EXAMPLE))
    data = json.loads(out)
    assert code == 1
    assert [len(entry["findings"]) for entry in data] == [1, 0]
    finding = data[0]["findings"][0]
    assert finding["code"] == "E104" and finding["level"] == "error" and finding["cell"] == ["复议诉讼", "行政复议", "总计"]
    assert (finding["file"], finding["line"]) == (str(broken), BASE.split("\n").index("  行政复议:         [2, 0, 0, 1, 3]") + 1)


def test_a_folder_stands_for_the_forms_in_it(run_cli):
    code, out, _ = run_cli("check", str(RICH_EXAMPLE.parent.parent))
    assert code == 0 and out.strip().endswith("共检查 5 个文件，发现 9 个警告（其中 9 个已核对）。")


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_published_report_is_checked_directly(path, built):
    """A reviewer checks the published PDF itself: the same findings as the form it came from."""
    result = check_file(str(built[path]["pdf"]))
    assert result.count(Level.ERROR) == 0
    assert sorted(f.code for f in result.findings) == EXPECTED_WARNINGS[example_id(path)]
    assert all(f.loc.place.startswith("第 ") for f in result.findings)


def test_published_text_with_broken_arithmetic(run_cli, tmp_path):
    from .conftest import SEEDS

    text = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8").replace("(七) 总计\t1036", "(七) 总计\t1037")
    source = tmp_path / "published.txt"
    source.write_text(text, "utf-8")
    code, out, _ = run_cli("check", str(source))
    line = text.split("\n").index(next(x for x in text.split("\n") if x.startswith("(七) 总计"))) + 1
    assert code == 1
    assert f"{source}（第 {line} 行）: E103 [错误] 三、本年度办理结果（七）总计「自然人」应为 1036（各办理结果之和），实为 1037" in out
    code, out, _ = run_cli("check", "--format", "json", str(source))
    assert '"place": "第 ' in out


def test_readme_shows_a_complete_example_verbatim():
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text("utf-8")
    assert "```yaml\n" + RICH_EXAMPLE.read_text("utf-8") + "```" in readme

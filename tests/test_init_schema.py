"""`nianbao init` writes a complete form; `--from` carries last year forward; `schema` describes it."""

import json

from generator.format import load_format
from generator.schema import schema_text
from generator.services import check_file

from .conftest import RICH_EXAMPLE, ROOT


def test_init_writes_a_complete_form_whose_empty_narrative_must_be_written(tmp_path, run_cli):
    target = tmp_path / "2025.yaml"
    code, out, _ = run_cli("init", "--agency", "某县发展和改革委员会", "--year", "2025", "-o", str(target))
    assert code == 0 and "已生成" in out
    text = target.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=nianbao.schema.json\n")
    assert (tmp_path / "nianbao.schema.json").exists()
    result = check_file(str(target))
    assert {f.code for f in result.findings} == {"E052", "W403"}  # only the narrative is left to write
    for table in load_format().tables.values():
        for row in table.rows:
            assert f"{row.key}:" in text


def test_init_from_last_year_carries_over(tmp_path, run_cli):
    target = tmp_path / "2025.yaml"
    code, out, _ = run_cli("init", "--from", str(RICH_EXAMPLE), "-o", str(target))
    assert code == 0, out
    report = check_file(str(target)).report
    assert report.agency == "周口市人民政府办公室" and report.year == 2025
    assert [report.value("申请处理", "上年结转", c) for c in ("自然人", "法律服务机构", "总计")] == [109, 0, 109]
    assert report.value("第二十条第一项", "行政规范性文件", "现行有效件数") == 172
    continuity = check_file(str(target), str(RICH_EXAMPLE))
    assert not [f for f in continuity.findings if f.code.startswith("W20")]


def test_init_never_overwrites(tmp_path, run_cli):
    target = tmp_path / "2025.yaml"
    target.write_text("机关: 我写的内容\n", "utf-8")
    code, _, err = run_cli("init", "--agency", "某局", "--year", "2025", "-o", str(target))
    assert code == 2 and "已存在" in err
    assert target.read_text("utf-8") == "机关: 我写的内容\n"


def test_schema_describes_every_row_with_its_official_label(run_cli):
    code, out, _ = run_cli("schema")
    schema = json.loads(out)
    assert code == 0
    rows = schema["properties"]["收到和处理政府信息公开申请情况"]["properties"]
    assert rows["危及三安全一稳定"]["description"].startswith("三、本年度办理结果（三）不予公开3.危及“三安全一稳定”")
    assert rows["本年新收"]["minItems"] == 6 and rows["本年新收"]["maxItems"] == 7
    assert schema["properties"]["主动公开政府信息情况"]["properties"]["行政事业性收费"]["type"] == "number"


def test_the_example_schema_is_the_generated_one():
    """examples/nianbao.schema.json is `nianbao schema -o examples/nianbao.schema.json`, never edited by hand."""
    assert (ROOT / "examples" / "nianbao.schema.json").read_text("utf-8") == schema_text()

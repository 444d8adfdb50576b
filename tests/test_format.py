"""The format data: complete, consistent, and the only place labels come from."""

import pytest

from generator.format import available_formats, load_format, normalize_label


@pytest.fixture(scope="module")
def fmt():
    return load_format()


def test_six_sections_in_order(fmt):
    assert [s.heading for s in fmt.sections if s.number] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


def test_table_three_shape(fmt):
    table = fmt.tables["申请处理"]
    assert [c.key for c in table.columns] == ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    assert len(table.rows) == 25
    assert table.full_row_label("危及三安全一稳定") == "三、本年度办理结果（三）不予公开3.危及“三安全一稳定”"
    assert table.row("逾期不补正").label == "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"


def test_table_four_has_fifteen_cells(fmt):
    table = fmt.tables["复议诉讼"]
    assert len(table.rows) * len(table.columns) == 15


@pytest.mark.parametrize("relation", load_format().relations, ids=lambda r: r.code)
def test_relations_name_existing_rows_and_columns(fmt, relation):
    table = fmt.tables[relation.table]
    names = {c.key for c in table.columns} if relation.for_each == "row" else {r.key for r in table.rows}
    terms = [*relation.left, *relation.right, *([relation.pending] if relation.pending else [])]
    assert terms and all(t.key in names for t in terms)


def test_relation_codes_are_unique(fmt):
    codes = [r.code for r in fmt.relations]
    assert len(codes) == len(set(codes))


def test_normalize_label_folds_kangxi_radicals_and_quotes():
    assert normalize_label("⼀、本年新收 ") == "一、本年新收"
    assert normalize_label("危及“三安全一稳定”") == "危及三安全一稳定"


def test_gov2021_is_available():
    assert "gov2021" in available_formats()


def test_the_preface_is_the_only_optional_section(fmt):
    assert [s.key for s in fmt.sections if not s.required] == ["前言"]


def test_a_new_format_is_a_data_change(tmp_path, monkeypatch, run_cli):
    """A copy of the format with a new id, year and label is picked up by check and build, no code touched."""
    from generator.format import FORMATS_DIR

    data = (FORMATS_DIR / "gov2021.yaml").read_text("utf-8")
    data = data.replace("id: gov2021", "id: gov2099").replace("first_year: 2021", "first_year: 2099")
    data = data.replace("{key: 行政许可, label: 行政许可}", "{key: 行政许可, label: 行政许可（含告知承诺）}")
    (tmp_path / "formats").mkdir()
    (tmp_path / "formats" / "gov2099.yaml").write_text(data, "utf-8")
    monkeypatch.setenv("NIANBAO_FORMATS", str(tmp_path / "formats"))
    load_format.cache_clear()
    try:
        from .helpers import BASE, write

        form = write(tmp_path, BASE.replace("年度: 2024", "年度: 2099").replace("行政许可: 0", "行政许可: -1"), "2099.yaml")
        code, out, _ = run_cli("check", str(form))
        assert code == 1 and "第二十条第（五）项 行政许可（含告知承诺）「本年处理决定数量」不能是负数" in out
        form.write_text(BASE.replace("年度: 2024", "年度: 2099"), "utf-8")
        code, _, err = run_cli("build", str(form), "-o", str(tmp_path / "out"), "--html")
        assert code == 0, err
        assert "行政许可（含告知承诺）" in next((tmp_path / "out").glob("*.html")).read_text("utf-8")
        code, out, _ = run_cli("check", str(write(tmp_path, BASE, "2024.yaml")))
        assert code == 0  # a 2024 report still uses the 2021 format
    finally:
        monkeypatch.delenv("NIANBAO_FORMATS")
        load_format.cache_clear()

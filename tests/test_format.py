"""The format data: complete, consistent, and the only place labels come from."""

from pathlib import Path

import pytest

from generator import datacheck
from generator.format import FormatError, available_formats, format_schema, load_format, normalize_label

from .helpers import BASE, edit, write


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


# --- the format file checks itself ---------------------------------------------------------

GOV2021 = (Path(__file__).resolve().parent.parent / "generator" / "formats" / "gov2021.yaml").read_text("utf-8")
FORM_2099 = BASE.replace("年度: 2024", "年度: 2099")


def extra_format(tmp_path, monkeypatch, text: str, name: str = "gov2099") -> Path:
    """A format file in a NIANBAO_FORMATS folder (first_year 2099), made from gov2021 by `text`."""
    folder = tmp_path / "formats"
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text.replace("id: gov2021", f"id: {name}").replace("first_year: 2021", "first_year: 2099"), "utf-8")
    monkeypatch.setenv("NIANBAO_FORMATS", str(folder))
    load_format.cache_clear()
    return path


@pytest.fixture(autouse=True)
def fresh_formats():
    yield
    load_format.cache_clear()


def finding_line(out: str, path: Path, code: str) -> str:
    lines = [line for line in out.split("\n") if line.startswith(f"{path}:") and f" {code} " in line]
    assert lines, out
    return lines[0]


def position(text: str, needle: str) -> str:
    """line:column of the first occurrence of needle in text."""
    before = text[: text.index(needle)]
    return f"{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"


def test_every_shipped_format_passes_its_schema():
    assert datacheck.unsupported_keywords(format_schema()) == set()
    for format_id in available_formats():
        assert load_format(format_id).id == format_id


def test_a_missing_key_is_a_located_message_not_a_traceback(tmp_path, monkeypatch, run_cli):
    text = edit(GOV2021, "    for_each: row\n    left: [总计]\n    right: [结果维持", "    left: [总计]\n    right: [结果维持")
    path = extra_format(tmp_path, monkeypatch, text)
    code, out, err = run_cli("check", str(write(tmp_path, FORM_2099)))
    assert code == 2 and "Traceback" not in out + err
    line = finding_line(out, path, "E141")
    written = path.read_text("utf-8")
    assert line.startswith(f"{path}:{position(written, '- code: E104') .split(':')[0]}:")
    assert "「relations[3]」缺少必需的键「for_each」" in line


def test_a_broken_extra_format_does_not_stop_the_others(tmp_path, monkeypatch, run_cli):
    path = extra_format(tmp_path, monkeypatch, edit(GOV2021, "  - key: 申请处理\n", "  - key: 申请处理\n    colour: red\n"))
    assert run_cli("check", str(write(tmp_path, BASE)))[0] == 0  # a 2024 form uses gov2021
    code, _, err = run_cli("init", "--agency", "某局", "--year", "2025", "-o", str(tmp_path / "2025.yaml"))
    assert code == 0, err
    assert run_cli("schema")[0] == 0
    code, out, _ = run_cli("check", str(write(tmp_path, FORM_2099, "2099.yaml")))  # in force for 2099: reported
    assert code == 2 and "「tables[4]」中有未知的键「colour」" in finding_line(out, path, "E141")
    code, _, err = run_cli("schema", "--format", "gov2099")  # chosen by name: reported
    assert code == 2 and f"{path}:" in err and "E141" in err


@pytest.mark.parametrize(("level", "says"), [("fatal", "只能是 error、warning、info 之一，实为「fatal」"), ("错误", "只能是 error、warning、info 之一，实为「错误」")])
def test_an_unknown_or_chinese_level_is_refused_where_it_is_written(level, says, tmp_path, monkeypatch, run_cli):
    text = edit(GOV2021, "  - code: E104\n    level: error\n", f"  - code: E104\n    level: {level}\n")
    path = extra_format(tmp_path, monkeypatch, text)
    code, out, _ = run_cli("check", str(write(tmp_path, FORM_2099)))
    assert code == 2
    line = finding_line(out, path, "E141")
    written = path.read_text("utf-8")
    assert line.startswith(f"{path}:{position(written, f'level: {level}').split(':')[0]}:{len('    level: ') + 1}:") and says in line
    assert "error（错误）" in out  # the hint names the code for each word


def test_a_level_that_differs_from_the_registry_is_refused(tmp_path, monkeypatch, run_cli):
    path = extra_format(tmp_path, monkeypatch, edit(GOV2021, "  - code: E104\n    level: error\n", "  - code: E104\n    level: warning\n"))
    code, out, _ = run_cli("check", str(write(tmp_path, FORM_2099)))
    assert code == 2 and "关系 E104 的级别写作 warning，登记的级别是 error（错误）" in finding_line(out, path, "E144")


@pytest.mark.parametrize(
    ("old", "new", "code", "says"),
    [
        ("    right: [结果维持, 结果纠正, 其他结果, 尚未审结]", "    right: [结果维持, 结果纠正, 其他结果, 未审结]", "E142", "表「复议诉讼」的列「未审结」不存在"),
        ("    tables: [申请处理]", "    tables: [申请]", "E142", "表「申请」不存在"),
        ("      - {key: 重复申请, label: 2.重复申请}", "      - {key: 予以公开, label: 2.重复申请}", "E143", "「tables[].rows」中的键「予以公开」重复出现"),
        ("  - code: E104\n", "  - code: E199\n", "E144", "问题代码 E199 未登记"),
        ("    figures: [[行政许可]]", "    figures: [[行政许可.总计]]", "E142", "叙述数字「行政许可.总计」中的列「总计」不存在"),
        ("first_year: 2021\n", "first_year: 2021\nfirst_year: 2022\n", "E143", "键「first_year」出现了两次"),
        ("    label_columns: 3\n", "    label_columns: three\n", "E141", "「tables[4].label_columns」应为整数，实为「three」"),
        ("  人民政府: 地方政府\n", "  人民政府: 省政府\n", "E142", "报告类型「省政府」没有公布期限"),
        ("    kinds: [地方政府]\n", "    kinds: [本级政府]\n", "E142", "报告类型「本级政府」不存在"),
        ("    numerator: [行政复议.结果纠正]", "    numerator: [行政复议.结果改正]", "E142", "中的列「结果改正」不存在"),
    ],
)
def test_cross_references_are_checked(old, new, code, says, tmp_path, monkeypatch, run_cli):
    path = extra_format(tmp_path, monkeypatch, edit(GOV2021, old, new))
    with pytest.raises(FormatError) as caught:
        load_format("gov2099")
    finding = next(f for f in caught.value.findings if f.code == code)
    assert says in finding.message and finding.loc.file == str(path)
    assert path.read_text("utf-8").split("\n")[finding.loc.line - 1].strip()  # points at a written line


def test_a_broken_format_file_is_reported_where_it_is_chosen(tmp_path, monkeypatch, run_cli):
    path = extra_format(tmp_path, monkeypatch, GOV2021 + "\n  bad: [\n")
    code, out, _ = run_cli("check", str(write(tmp_path, BASE.replace("年度: 2024\n", "年度: 2024\n格式: gov2099\n"))))
    assert code == 2 and "格式文件的 YAML 语法错误" in finding_line(out, path, "E140")
    path.write_text(GOV2021.replace("id: gov2021", "id: gov2099").replace("first_year: 2021", "first_year: 2099").replace("kind: parts", "kind: part"), "utf-8")
    code, _, err = run_cli("init", "--agency", "某局", "--year", "2099", "-o", str(tmp_path / "2099.yaml"))
    assert code == 2 and f"{path}:" in err and "E141" in err and "Traceback" not in err
    assert not (tmp_path / "2099.yaml").exists()

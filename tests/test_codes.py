"""The registry of finding codes: its templates agree with the call sites, its descriptions are
filled from the format data, README shows it. (That every code is produced: test_every_code.py.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.codes import Level, TemplateError, described, facts, markdown_table, placeholders, registry
from generator.findings import Finding
from generator.form import MAX_BYTES
from generator.format import available_formats, load_format
from generator.limits import megabytes

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"[EWI]\d{3}")
PASSED_THROUGH = {"variant", "cell", "cells"}  # Finding.of's own keywords, not template values


def codes_in_format_data() -> set[str]:
    formats = [load_format(f) for f in available_formats()]
    relations = {r.code for fmt in formats for r in fmt.relations}
    completeness = {code for fmt in formats for code in fmt.completeness.values()}
    return relations | completeness | {s.must_mention.code for fmt in formats for s in fmt.sections if s.must_mention}


def coded_calls() -> list[tuple[str, ast.Call]]:
    """Every call in generator/ whose first argument is a code literal (Finding.of and the helpers
    that pass on to it: FormReader.error, Importer.problem…), with where it is."""
    found = []
    for path in sorted((ROOT / "generator").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and CODE.fullmatch(str(node.args[0].value)):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def test_the_format_data_uses_registered_codes():
    assert codes_in_format_data() - set(registry()) == set()


def test_findings_are_made_from_the_registry_only():
    """No call site writes a message: every Finding is Finding.of(code, …) with the values its template names."""
    for path in (ROOT / "generator").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Finding":
                pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} builds a Finding by hand; use Finding.of")


def test_every_call_site_passes_the_values_its_template_names():
    calls = coded_calls()
    assert len(calls) > 100
    for where, call in calls:
        entry = registry().get(call.args[0].value)
        assert entry is not None, f"{where}: {call.args[0].value} is not registered"
        keywords = {k.arg: k.value for k in call.keywords}
        variant = keywords.get("variant")
        named = {name for t in entry.templates.values() for name in t.placeholders}
        given = set(keywords) - PASSED_THROUGH - {None}
        assert given <= named, f"{where}: {entry.code} names no {sorted(given - named)}"
        if variant is not None and not isinstance(variant, ast.Constant):
            continue  # a variant chosen at run time: rendering checks it
        name = variant.value if variant is not None else ""
        assert name in entry.templates, f"{where}: {entry.code} has no variant {name!r}"
        missing = entry.templates[name].placeholders - given
        assert None in keywords or not missing, f"{where}: {entry.code}/{name} needs {sorted(missing)}"  # None: **values


def test_rendering_fails_loudly_on_a_missing_or_unknown_value():
    with pytest.raises(TemplateError, match="missing"):
        Finding.of("E101", None, place="本年新收", expected="1", meaning="…")
    with pytest.raises(TemplateError, match="not in its templates"):
        Finding.of("W405", None, published="2024-12-01", year=2024, colour="红")
    with pytest.raises(TemplateError, match="no message variant"):
        Finding.of("E002", None, variant="nonesuch", name="a", what="b", limit="2 MB")
    finding = Finding.of("W405", None, published="2024-12-01", year=2024)
    assert (finding.message, finding.hint) == ("发布日期 2024-12-01 早于 2024 年度结束", "核对发布日期与年度")


@pytest.mark.parametrize("entry", registry().values(), ids=lambda e: e.code)
def test_each_description_is_filled_from_the_facts(entry):
    """Titles and explanations name the format's facts and the limits by placeholder, never restate them."""
    filled = described(entry.code)
    assert "{" not in filled.title + filled.explanation or "{{" in entry.title + entry.explanation
    assert all(not (placeholders(text) - facts(entry.code).keys()) for text in (entry.title, entry.explanation, entry.example, entry.fix))


def test_facts_come_from_the_format_data_and_the_limits():
    fmt = load_format()
    assert described("E101").title == "表三每行：总计 = " + " + ".join(fmt.tables["申请处理"].column(k).label for k in ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"))
    assert described("W404").title == "发布日期晚于公布期限（部门次年1月31日，地方政府次年3月31日）"
    assert described("E002").title == f"文件超过 {megabytes(MAX_BYTES)}"


@pytest.mark.parametrize("entry", registry().values(), ids=lambda e: e.code)
def test_each_entry_is_complete_and_its_letter_matches_its_level(entry):
    assert entry.code[0] == {Level.ERROR: "E", Level.WARNING: "W", Level.INFO: "I"}[entry.level]
    assert all((entry.title, entry.explanation, entry.example, entry.fix))


def test_a_finding_takes_its_level_from_the_registry():
    assert Finding("E101", "…").level == Level.ERROR and Finding("I203", "…").level == Level.INFO
    assert Finding("W401", "…").to_json()["level"] == "warning"


def test_readme_code_table_is_the_registry():
    """README's table is generated: `make readme` rewrites it from generator/codes.yaml."""
    assert markdown_table() in (ROOT / "README.md").read_text("utf-8")


def test_explain_prints_a_code_in_chinese(run_cli):
    code, out, _ = run_cli("explain", "e009")
    assert code == 0 and out.startswith("E009 [错误] 表格的一行不是方括号列表") and "改正：" in out
    code, out, _ = run_cli("explain")
    assert code == 0 and len(out.strip().split("\n")) == len(registry()) and "W403  [警告]" in out
    code, _, err = run_cli("explain", "E999")
    assert code == 2 and "没有问题代码 E999" in err
    assert run_cli("explain", "--markdown")[1].strip() == markdown_table()

"""The registry of finding codes: complete, used, agreeing with the format data and README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.codes import Level, markdown_table, registry
from generator.findings import Finding
from generator.format import available_formats, load_format

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"""["']([EWI]\d{3})["']""")


def codes_in_source() -> set[str]:
    return {code for path in (ROOT / "generator").rglob("*.py") for code in CODE.findall(path.read_text("utf-8"))}


def codes_in_format_data() -> set[str]:
    formats = [load_format(f) for f in available_formats()]
    relations = {r.code for fmt in formats for r in fmt.relations}
    completeness = {code for fmt in formats for code in fmt.completeness.values()}
    return relations | completeness | {s.must_mention.code for fmt in formats for s in fmt.sections if s.must_mention}


def test_every_code_used_is_registered_and_every_registered_code_is_used():
    used = codes_in_source() | codes_in_format_data()
    assert used - set(registry()) == set(), "used but not registered in generator/codes.yaml"
    assert set(registry()) - used == set(), "registered but never reported"


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

"""The first minutes with a form: what `init` writes, and what `check` says about the mistakes
a new user makes in it (every YAML mistake at once, each at its own line, named for what it is)."""

from __future__ import annotations

import re

from generator.pipeline import check_file

from .helpers import write


def fresh_form(tmp_path, run_cli) -> str:
    target = tmp_path / "2025.yaml"
    assert run_cli("init", "--agency", "某县发展和改革委员会", "--year", "2025", "-o", str(target))[0] == 0
    return target.read_text("utf-8")


def test_init_writes_empty_texts_as_blocks_to_type_into(tmp_path, run_cli):
    text = fresh_form(tmp_path, run_cli)
    assert '""' not in text
    lines = text.split("\n")
    empty = [n for n, line in enumerate(lines, 1) if line.endswith(": |") and not line.startswith("#")]
    assert len(empty) == 7
    for number in empty:  # the next line is the block's indentation, where the user starts typing
        key_indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
        assert lines[number] == " " * (key_indent + 2)
    findings = check_file(str(tmp_path / "2025.yaml")).findings
    assert sorted(f.loc.line for f in findings if f.code == "E052") == empty
    typed = re.sub(r"(主动公开: \|\n +)", r"\1本年度主动公开政府信息 12 条。", text)
    result = check_file(str(write(tmp_path, typed, "typed.yaml")))
    assert result.report.parts["总体情况"]["主动公开"].value == "本年度主动公开政府信息 12 条。"
    assert len([f for f in result.findings if f.code == "E052"]) == 6


def test_build_refuses_a_fresh_form(tmp_path, run_cli):
    fresh_form(tmp_path, run_cli)
    code, _out, err = run_cli("build", str(tmp_path / "2025.yaml"), "-o", str(tmp_path / "out"), "--html")
    assert code == 1 and err.count(" E052 [错误]") == 7 and "未生成正式文件" in err

"""Small things users asked for: aligned help, folder summaries, where a missing section goes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from generator.findings import display_width

from .conftest import RICH_EXAMPLE, ROOT
from .helpers import BASE, check_text, write


@pytest.mark.parametrize("command", ["check", "build", "init", "import"])
def test_help_columns_align_for_chinese_text(command):
    """Help text starts at one column, counting a Chinese character as two (as a terminal shows it)."""
    result = subprocess.run([sys.executable, "-m", "generator", command, "--help"], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "100"})
    lines = result.stdout.split("\n")
    options = lines[lines.index("选项:") + 1 :]
    starts = set()
    for line in options:
        beside = re.match(r"^  \S.*?\s{2,}(?=\S)", line)
        under = re.match(r"^ {3,}(?=\S)", line)
        if beside or under:
            starts.add(display_width((beside or under).group(0)))
    assert len(starts) == 1, result.stdout
    assert all(display_width(line) <= 100 for line in options), result.stdout


def test_folder_check_names_a_yaml_syntax_error(tmp_path, run_cli):
    write(tmp_path, BASE)
    write(tmp_path, "机关: 某局\n年度: [2024\n", "2025.yaml")
    code, out, _err = run_cli("check", str(tmp_path))
    assert code == 2
    summary_line = next(line for line in out.split("\n") if line.startswith("  ") and "2025.yaml：" in line)
    assert "E001 YAML 语法错误（第 2 行）" in summary_line and "无法读取" not in summary_line


def test_missing_section_says_where_it_goes():
    start = BASE.index("收到和处理政府信息公开申请情况:")
    end = BASE.index("政府信息公开行政复议")
    (finding,) = [f for f in check_text(BASE[:start] + BASE[end:]) if f.code == "E008"]
    assert "放在「二、主动公开政府信息情况」一节" in finding.hint and "之后" in finding.hint


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["init", "--year", "abc"], "nianbao init：用法错误：参数 --year：无效的值 'abc'"),
        (["build", "x.yaml", "-o"], "nianbao build：用法错误：参数 -o/--output：这个选项需要一个值"),
        (["build", "x.yaml", "--p"], "nianbao build：用法错误：选项 --p 不明确，可能是 --previous, --pdf"),
        (["check"], "nianbao check：用法错误：缺少必需的参数：文件"),
        (["check", "x.yaml", "--nosuch"], "nianbao：用法错误：无法识别的参数：--nosuch"),
        (["nosuch"], "nianbao：用法错误：参数 命令：无效的选项 'nosuch'（可选：'check', 'build', 'init', 'import', 'review', 'status', 'submit', 'return', 'approve', 'publish', 'backup', 'serve', 'schema', 'doctor', 'explain'）"),
    ],
)
def test_usage_mistakes_are_told_in_chinese(run_cli, args, says):
    code, _out, err = run_cli(*args)
    assert code == 2 and err.startswith("用法：nianbao") and err.rstrip("\n").endswith(says), err


def test_importing_the_cli_leaves_argparse_alone():
    """The command line puts argparse's words in Chinese for its own parsers only: a program that
    imports nianbao keeps argparse's English."""
    probe = (
        "import argparse; before = argparse._; import generator.cli;"
        "assert '用法' in generator.cli.build_parser([]).format_help();"
        "print(argparse._ is before, argparse.ArgumentParser(prog='other').format_usage().strip())"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "True usage: other [-h]"


@pytest.mark.parametrize("command", [["build", str(RICH_EXAMPLE)], ["import", str(RICH_EXAMPLE)], ["init"], ["review", str(RICH_EXAMPLE)], ["schema"]])
def test_dash_is_not_taken_for_an_output_name(command, run_cli, tmp_path, monkeypatch):
    """`-o -` (standard output to other tools) is refused, not written as a file or folder named "-"."""
    monkeypatch.chdir(tmp_path)
    code, _out, err = run_cli(*command, "-o", "-")
    assert code == 2
    assert "参数 -o/--output：不能是“-”：请给出文件或文件夹名" in err
    assert list(tmp_path.iterdir()) == []

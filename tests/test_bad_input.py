"""A corpus of malformed forms: each gives a Chinese message at the right line, never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from .helpers import BASE, edit, edit_row, line_of, write

ROW3 = "  本年新收:                             [1121, 32, 0, 0, 180, 0, 1333]"


@dataclass
class Case:
    id: str
    make: Callable[[], str | bytes]
    code: str
    line: int | str  # a line number, or text that stands on exactly that line
    exit: int
    says: str


def row(values: str, key: str = "本年新收") -> Callable[[], str]:
    return lambda: edit_row(BASE, key, values)


def sub(old: str, new: str) -> Callable[[], str]:
    return lambda: edit(BASE, old, new)


def drop_section(key: str, until: str) -> Callable[[], str]:
    start, end = BASE.index(f"\n{key}:"), BASE.index(f"\n{until}")
    return lambda: BASE[:start] + BASE[end:]


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)

CASES = [
    # YAML syntax
    Case("unclosed-bracket", sub("[1121, 32, 0, 0, 180, 0, 1333]", "[1121, 32, 0, 0, 180, 0, 1333"), "E001", "本年新收:", 2, "方括号列表没有正确结束"),
    Case("tab-indent", sub("  规章:", "\t规章:"), "E001", "规章:", 2, "制表符（Tab）"),
    Case("full-width-colon", sub("机关: 周口市人民政府办公室", "机关：周口市人民政府办公室"), "E001", 4, 2, "第 3 行用了中文冒号"),
    Case("no-space-after-colon", sub("年度: 2024", "年度:2024"), "E001", "年度:2024", 2, "冒号“:”后面要加一个空格"),
    Case("bad-indent", sub("  行政许可: 0", "    行政许可: 0"), "E001", "行政许可", 2, "YAML 语法错误"),
    Case("unclosed-quote", sub("机关: 周口市人民政府办公室", '机关: "周口市人民政府办公室'), "E001", "机关:", 2, "引号或括号没有闭合"),
    Case("two-documents", lambda: BASE + "---\n机关: 另一个\n", "E001", line_of(BASE + "---\n", "---"), 2, "YAML 语法错误"),
    Case("undefined-alias", sub("  行政许可: 0", "  行政许可: *zero"), "E001", "行政许可", 2, "未定义的别名"),
    Case("bad-escape", sub("机关: 周口市人民政府办公室", '机关: "周口\\q"'), "E001", "机关:", 2, "转义"),
    # whole-file problems
    Case("empty-file", lambda: "", "E005", 1, 2, "文件是空的"),
    Case("only-comments", lambda: "# 只有注释\n# 没有内容\n", "E005", 1, 2, "文件是空的"),
    Case("list-at-top", lambda: "- 机关\n- 年度\n", "E121", 1, 2, "最外层应是“键: 值”映射，实为列表"),
    Case("text-at-top", lambda: "周口市人民政府办公室2024年报告\n", "E121", 1, 2, "最外层应是“键: 值”映射"),
    Case("non-utf8-gbk", lambda: BASE.encode("gb18030"), "E003", 2, 2, "不是 UTF-8"),
    Case("binary-file", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "E003", 1, 2, "不是 UTF-8"),
    Case("alias-bomb", lambda: BOMB, "E004", 1, 2, "别名（*）展开后超过"),
    Case("deep-nesting", lambda: BASE.replace("行政许可: 0", "行政许可: " + "[" * 50000 + "]" * 50000), "E120", "行政许可: [[", 2, "嵌套超过 100 层"),  # at the bracket past the limit
    Case("huge-file", lambda: BASE + "# " + "x" * (50 * 1024 * 1024) + "\n", "E002", 1, 2, "超过表单上限 2 MB"),
    # keys
    Case("duplicate-field", sub("年度: 2024\n", "年度: 2024\n机关: 另一个机关\n"), "E006", "另一个机关", 1, "「机关」重复出现（第一次在第 3 行）"),
    Case("duplicate-row", sub("  行政许可: 0\n", "  行政许可: 0\n  行政许可: 1\n"), "E006", "行政许可: 1", 1, "「行政许可」重复出现"),
    Case(
        "duplicate-row-by-label", sub(ROW3, ROW3 + "\n  一、本年新收政府信息公开申请数量: [1121, 32, 0, 0, 180, 0]"), "E006", "一、本年新收政府", 1, "重复出现"
    ),
    Case("duplicate-part", sub("  监督保障: |", "  主动公开: 重复\n  监督保障: |"), "E006", "主动公开: 重复", 1, "「主动公开」重复出现"),
    Case("unknown-field", sub("年度: 2024\n", "年度: 2024\n机关名称: 周口市\n"), "E007", "机关名称", 1, "未知的键「机关名称」"),
    Case("unknown-row-typo", sub("  本年新收:", "  本年新增:"), "E007", "本年新增", 1, "未知的键「本年新增」"),
    Case("unknown-part", sub("  监督保障: |", "  监督情况: |"), "E007", "监督情况", 1, "未知的键「监督情况」"),
    Case("section-typo", sub("收到和处理政府信息公开申请情况:", "收到和处理政府信息申请情况:"), "E007", "收到和处理政府信息申请情况", 1, "未知的键"),
    Case("list-as-key", sub("年度: 2024\n", "年度: 2024\n[1, 2]: 3\n"), "E123", "[1, 2]: 3", 1, "键应是文字"),
    # missing parts
    Case("missing-agency", sub("机关: 周口市人民政府办公室\n", ""), "E008", 3, 1, "缺少「机关」"),
    Case("missing-year", sub("年度: 2024\n", ""), "E008", 3, 1, "缺少「年度」"),
    Case("empty-agency", sub("机关: 周口市人民政府办公室", "机关:"), "E122", 3, 1, "「机关」（报告机关全称）未填写"),
    Case("missing-section-six", (lambda: BASE[: BASE.index("\n其他需要报告的事项:")] + "\n"), "E008", 3, 1, "缺少「六、其他需要报告的事项」一节"),
    Case(
        "missing-section-three",
        drop_section("收到和处理政府信息公开申请情况", "政府信息公开行政复议"),
        "E008",
        3,
        1,
        "缺少「三、收到和处理政府信息公开申请情况」一节",
    ),
    Case("missing-section-one", drop_section("总体情况", "主动公开政府信息情况"), "E008", 3, 1, "缺少「一、总体情况」一节"),
    Case(
        "missing-row",
        sub("  予以公开:                             [  72,  0, 0, 0,   9, 0,   81]\n", ""),
        "E008",
        "收到和处理政府信息公开申请情况:",
        1,
        "（一）予以公开：缺少这一行",
    ),
    Case("missing-single-row", sub("  行政强制: 0\n", ""), "E008", "主动公开政府信息情况:", 1, "行政强制：缺少这一行"),
    Case("empty-row", row(""), "E122", "本年新收:", 1, "一、本年新收政府信息公开申请数量未填写"),
    Case("null-cell", row("[~, 32, 0, 0, 180, 0, 1333]"), "E122", "本年新收:", 1, "「自然人」未填写"),
    Case("empty-single", sub("  行政许可: 0", "  行政许可:"), "E122", "行政许可:", 1, "未填写"),
    # wrong values
    Case("year-in-chinese", sub("年度: 2024", "年度: 二〇二四"), "E127", 4, 1, "四位数的公元年份"),
    Case("year-two-digits", sub("年度: 2024", "年度: 24"), "E127", 4, 1, "四位数的公元年份"),
    Case("year-as-date", sub("年度: 2024", "年度: 2024-01-01"), "E127", 4, 1, "四位数的公元年份"),
    Case("year-quoted", sub("年度: 2024", '年度: "2024"'), "E127", 4, 1, "四位数的公元年份"),
    Case("bad-date", sub("年度: 2024\n", "年度: 2024\n发布日期: 2025-02-30\n"), "E128", "发布日期", 1, "YYYY-MM-DD"),
    Case("bad-kind", sub("年度: 2024\n", "年度: 2024\n报告类型: 单位\n"), "E129", "报告类型", 1, "只能是 部门 或 地方政府"),
    Case("wrong-format", sub("年度: 2024\n", "年度: 2024\n格式: gov2019\n"), "E130", "格式:", 1, "「格式」只能是 gov2021"),
    Case("agency-is-list", sub("机关: 周口市人民政府办公室", "机关: [周口市, 办公室]"), "E126", "机关:", 1, "应为一项文字，实为列表"),
    Case("float-count", row("[1121.5, 32, 0, 0, 180, 0, 1333]"), "E010", "本年新收:", 1, "「自然人」应为整数，实为「1121.5」"),
    Case("text-count", row("[一千, 32, 0, 0, 180, 0, 1333]"), "E010", "本年新收:", 1, "应为整数，实为「一千」"),
    Case("quoted-count", row("['1121', 32, 0, 0, 180, 0, 1333]"), "E010", "本年新收:", 1, "加了引号的文字「1121」"),
    Case("full-width-comma", row("[1121，32, 0, 0, 180, 0, 1333]"), "E030", "本年新收:", 1, "用了中文逗号「，」，读作 [1121, 32, 0, 0, 180, 0, 1333]"),
    Case("full-width-digits", sub("  行政许可: 0", "  行政许可: ０"), "E030", "行政许可", 1, "用了全角数字「０」，读作 0"),
    Case("hex-count", sub("  行政许可: 0", "  行政许可: 0x10"), "E010", "行政许可", 1, "应为整数，实为「0x10」"),
    Case("boolean-count", sub("  行政许可: 0", "  行政许可: yes"), "E010", "行政许可", 1, "实为「yes」"),
    Case("count-with-unit", sub("  行政许可: 0", "  行政许可: 68件"), "E010", "行政许可", 1, "实为「68件」"),
    Case("python-tag", sub("  行政许可: 0", "  行政许可: !!python/object/apply:os.system [ls]"), "E062", "行政许可", 2, "不能使用 YAML 标签「!!python/object/apply:os.system」"),
    Case("negative-count", row("[-1, 32, 0, 0, 180, 0, 1333]"), "E011", "本年新收:", 1, "不能是负数，实为 -1"),
    Case("negative-single", sub("  行政处罚: 0", "  行政处罚: -3"), "E011", "行政处罚", 1, "不能是负数"),
    Case("fee-as-text", sub("  行政事业性收费: 0", "  行政事业性收费: 五万元"), "E010", "行政事业性收费", 1, "应为数字（单位：万元），实为「五万元」"),
    Case("fee-with-unit", sub("  行政事业性收费: 0", "  行政事业性收费: 0.5万元"), "E010", "行政事业性收费", 1, "只写数字"),
    Case("fee-quoted", sub("  行政事业性收费: 0", '  行政事业性收费: "0.5"'), "E010", "行政事业性收费", 1, "加了引号"),
    Case("fee-negative", sub("  行政事业性收费: 0", "  行政事业性收费: -0.5"), "E011", "行政事业性收费", 1, "不能是负数"),
    Case("fee-six-decimals", sub("  行政事业性收费: 0", "  行政事业性收费: 5949.088667"), "W015", "行政事业性收费", 0, "有 6 位小数，格式要求保留 4 位"),
    Case("list-too-short", row("[1121, 32, 0]"), "E012", "本年新收:", 1, "应有 6 个数（或连同总计 7 个），实有 3 个"),
    Case("list-too-long", row("[1121, 32, 0, 0, 180, 0, 1333, 0]"), "E012", "本年新收:", 1, "实有 8 个"),
    Case("review-list-short", row("[2, 0, 0]", "行政复议"), "E012", "行政复议:", 1, "应有 4 个数（或连同总计 5 个），实有 3 个"),
    Case("documents-list-long", row("[0, 0, 0, 0]", "规章"), "E012", "规章:", 1, "应有 3 个数，实有 4 个"),
    Case("scalar-for-list", row("1333"), "E009", "本年新收:", 1, "应为方括号列表，实为「1333」"),
    Case("mapping-for-list", row("{自然人: 1121}"), "E009", "本年新收:", 1, "应为方括号列表，实为“键: 值”映射"),
    Case("list-for-single", sub("  行政许可: 0", "  行政许可: [0]"), "E125", "行政许可", 1, "应为一个数字，实为列表"),
    Case("nested-list-cell", row("[[1121], 32, 0, 0, 180, 0, 1333]"), "E125", "本年新收:", 1, "应为一个数字，实为列表"),
    Case(
        "section-as-text",
        lambda: edit_row(BASE, "行政复议", "[2, 0, 0, 1, 3]").replace(
            BASE[BASE.index("政府信息公开行政复议、行政诉讼情况:") : BASE.index("\n存在的主要问题")], "政府信息公开行政复议、行政诉讼情况: 无\n"
        ),
        "E132",
        "政府信息公开行政复议、行政诉讼情况: 无",
        1,
        "应逐行填写表格数字",
    ),
    Case(
        "overview-as-list",
        lambda: BASE[: BASE.index("总体情况:")] + "总体情况:\n  - 主动公开\n" + BASE[BASE.index("\n主动公开政府信息情况:") :],
        "E131",
        "- 主动公开",
        1,
        "应分项填写",
    ),
    Case(
        "narrative-as-list",
        (lambda: BASE[: BASE.index("其他需要报告的事项:")] + "其他需要报告的事项:\n  - 本年度未收取信息处理费。\n"),
        "E124",
        "- 本年度",
        1,
        "应为一段文字，实为列表",
    ),
    Case("part-as-mapping", sub("  依申请公开: |\n", "  依申请公开:\n    内容: 无\n    其他: 无\n  依申请公开2: |\n"), "E124", "内容: 无", 1, "应为一段文字"),
    Case(
        "unknown-citation-column",
        sub("办结 1267 条", "办结 {{ 办理结果总计.合计 }} 条"),
        "E013",
        "办理结果总计.合计",
        1,
        "引用了未知的数字「办理结果总计.合计」",
    ),
    Case("unknown-citation-row", sub("办结 1267 条", "办结 {{ 办结总数 }} 条"), "E013", "办结总数", 1, "引用了未知的数字「办结总数」"),
    Case("dunder-citation", sub("办结 1267 条", "办结 {{ __class__ }} 条"), "E013", "__class__", 1, "未知的数字「__class__」"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_malformed_input(case, tmp_path, run_cli):
    content = case.make()
    path = write(tmp_path, content)
    code, out, err = run_cli("check", str(path))
    assert "Traceback" not in out + err
    assert code == case.exit, out
    line = case.line if isinstance(case.line, int) else line_of(content, case.line)
    header = f"{path}:{line}:"
    matching = [block for block in out.split("\n\n") if f" {case.code} " in block.split("\n")[0]]
    assert matching, out
    assert any(block.startswith(header) and case.says in block for block in matching), (header, case.says, matching)


def test_corpus_is_large_enough():
    assert len(CASES) >= 60


def test_missing_file_and_directory(tmp_path, run_cli):
    code, out, _ = run_cli("check", str(tmp_path / "无此文件.yaml"))
    assert code == 2 and "找不到文件" in out
    code, out, _ = run_cli("check", str(tmp_path))
    assert code == 2 and "是一个文件夹，其中没有 .yaml 表单" in out


@pytest.mark.parametrize("variant", ["bom", "crlf"])
def test_windows_conventions_are_accepted(variant, tmp_path, run_cli):
    content = "\ufeff" + BASE if variant == "bom" else BASE.replace("\n", "\r\n")
    code, out, _ = run_cli("check", str(write(tmp_path, content.encode("utf-8"))))
    assert code == 0, out


def test_usage_errors_exit_2_in_chinese(run_cli):
    code, _, err = run_cli("check")
    assert code == 2 and "用法错误" in err
    code, _, err = run_cli("check", "a.yaml", "--format", "xml")
    assert code == 2 and "无效的选项" in err


def test_every_message_carries_a_hint_or_location(tmp_path, run_cli):
    content = edit_row(BASE, "本年新收", "[1121, x, -1, 0, 180, 0, 1333]")
    code, out, _ = run_cli("check", str(write(tmp_path, content)))
    assert code == 1
    assert out.count("= 建议：") >= 2
    assert "^" in out


def test_a_real_process_reports_in_chinese_without_traceback(tmp_path):
    from .conftest import run_process

    path = write(tmp_path, edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0, 1334]"))
    result = run_process("check", str(path))
    assert result.returncode == 1
    assert "E101 [错误] 一、本年新收政府信息公开申请数量「总计」应为 1333" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    result = run_process("check", str(write(tmp_path, b"\xff\xfe\x00", "bad.yaml")))
    assert result.returncode == 2 and "E003" in result.stdout


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("  本年新收:", "  本年新增:", "本年新收"),
        ("收到和处理政府信息公开申请情况:", "收到和处理政府信息申请情况:", "收到和处理政府信息公开申请情况"),
        ("机关:", "机构:", "机关"),
    ],
)
def test_a_misspelt_key_is_reported_once(old, new, key, tmp_path, run_cli):
    code, out, _ = run_cli("check", str(write(tmp_path, edit(BASE, old, new))))
    assert code == 1
    assert f"是否应为「{key}」？" in out
    assert "E008" not in out


def test_an_output_folder_that_cannot_be_written(tmp_path, run_cli):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", "utf-8")
    code, _, err = run_cli("init", "--agency", "某局", "--year", "2025", "-o", str(blocker / "2025.yaml"))
    assert code == 2 and "无法读写" in err and "Traceback" not in err

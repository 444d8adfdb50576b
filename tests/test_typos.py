"""Typing mistakes of Chinese input methods, typed into random places of a real form: each
gives exactly one finding, at the character typed, naming it, and no knock-on findings."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.findings import InputError
from generator.format import load_format

from .helpers import BASE, check_text, codes, edit, edit_row, line_of

LINES = BASE.split("\n")
ROW_KEYS = [row.key for table in load_format().tables.values() for row in table.rows]
ROW = re.compile(r"^  (?P<key>\S+):(?P<gap>\s+)(?P<value>\S.*)$")
ROWS = [i for i, line in enumerate(LINES) if (m := ROW.match(line)) and m["key"] in ROW_KEYS]
LIST_ROWS = [i for i in ROWS if LINES[i].endswith("]")]
TEXTS = [i for i, line in enumerate(LINES) if line.endswith(": |") and "。" in LINES[i + 1].rstrip("。")]
FULL_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
SETTINGS = settings(max_examples=40, deadline=None)


def typed(index: int, line: str) -> str:
    lines = list(LINES)
    lines[index] = line
    return "\n".join(lines)


def cells(line: str) -> list[re.Match]:
    return list(re.finditer(r"\d+(\.\d+)?", line[line.index(":") + 1 :]))


def cell_span(line: str, match: re.Match) -> tuple[int, int]:
    offset = line.index(":") + 1
    return offset + match.start(), offset + match.end()


def assert_one(text: str, code: str, line: int, column: int, says: str) -> None:
    findings = check_text(text)
    assert codes(findings) == [code], [f.message for f in findings]
    finding = findings[0]
    assert (finding.loc.line, finding.loc.column) == (line + 1, column + 1), finding
    assert says in finding.message, finding.message


@SETTINGS
@given(st.sampled_from(LIST_ROWS), st.sampled_from("，、"), st.data())
def test_chinese_commas_in_a_list(index, comma, data):
    line = LINES[index]
    commas = [m.start() for m in re.finditer(",", line)]
    chosen = sorted(data.draw(st.sets(st.sampled_from(commas), min_size=1)))
    new = "".join(comma if i in chosen else ch for i, ch in enumerate(line))
    numbers = ", ".join(m.group(0) for m in cells(line))
    assert_one(typed(index, new), "E030", index, chosen[0], f"「{comma}」，读作 [{numbers}]")


@SETTINGS
@given(st.sampled_from(ROWS))
def test_full_width_space_after_the_colon(index):
    line = LINES[index]
    colon = line.index(":")
    assert_one(typed(index, line[: colon + 1] + "\u3000" + line[colon + 2 :]), "E030", index, colon + 1, "全角空格「　」")


@SETTINGS
@given(st.sampled_from(ROWS), st.integers(1, 999), st.integers(0, 999), st.data())
def test_thousands_separator(index, thousands, units, data):
    line = LINES[index]
    start, end = cell_span(line, data.draw(st.sampled_from(cells(line))))
    number = f"{thousands},{units:03d}"
    new = line[:start] + number + line[end:]
    assert_one(typed(index, new), "E031", index, start + number.index(","), f"「{number}」中的逗号是千位分隔符")


@SETTINGS
@given(st.sampled_from(ROWS), st.sampled_from(["-", "/", "无", "—", "－", "／"]), st.data())
def test_dash_slash_or_none_for_zero(index, mark, data):
    line = LINES[index]
    start, end = cell_span(line, data.draw(st.sampled_from(cells(line))))
    assert_one(typed(index, line[:start] + mark + line[end:]), "E032", index, start, f"用「{mark}」表示没有")


@SETTINGS
@given(st.sampled_from(LIST_ROWS), st.sampled_from(["【】", "［］"]), st.sampled_from(["both", "left", "right"]))
def test_full_width_brackets(index, brackets, sides):
    line = LINES[index]
    left, right = line.index("["), line.rindex("]")
    new = line
    if sides != "right":
        new = new[:left] + brackets[0] + new[left + 1 :]
    if sides != "left":
        new = new[:right] + brackets[1] + new[right + 1 :]
    first = left if sides != "right" else right
    numbers = ", ".join(m.group(0) for m in cells(line))
    assert_one(typed(index, new), "E030", index, first, f"「{new[first]}」，读作 [{numbers}]")


@SETTINGS
@given(st.sampled_from(ROWS), st.data())
def test_full_width_digits(index, data):
    line = LINES[index]
    start, end = cell_span(line, data.draw(st.sampled_from(cells(line))))
    new = line[:start] + line[start:end].translate(FULL_DIGITS).replace(".", "．") + line[end:]
    assert_one(typed(index, new), "E030", index, start, f"全角数字「{new[start]}」")


@SETTINGS
@given(st.sampled_from(TEXTS), st.data())
def test_missing_bar_joins_paragraphs(index, data):
    body = LINES[index + 1]
    indent = body[: len(body) - len(body.lstrip())]
    stops = [m.end() for m in re.finditer("。", body) if m.end() < len(body)]
    cut = data.draw(st.sampled_from(stops))
    lines = list(LINES)
    lines[index] = LINES[index].removesuffix(" |")
    lines[index + 1 : index + 2] = [body[:cut], indent + body[cut:]]
    assert_one("\n".join(lines), "W302", index + 2, len(indent), "没有用“|”开始")


def test_one_finding_names_each_kind_of_character():
    text = edit_row(BASE, "上年结转", "[２４，0，0，0，19，0]")
    findings = check_text(text)
    assert codes(findings) == ["E030"]
    assert "全角数字「２」、中文逗号「，」，读作 [24, 0, 0, 0, 19, 0]" in findings[0].message
    assert "[24, 0, 0, 0, 19, 0]" in findings[0].hint


def test_intent_unclear_is_not_read():
    wrong_count = check_text(edit_row(BASE, "上年结转", "[24，0，0]"))
    assert codes(wrong_count) == ["E030"] and "未能读出数字" in wrong_count[0].message


def test_tight_lists_are_not_thousands():
    # A list written without spaces is still a list when its count fits.
    text = edit_row(BASE, "行政复议", "[2,0,0,1,3]")
    assert check_text(text) == []
    fits_only_joined = check_text(edit_row(BASE, "本年新收", "[1,121,32,0,0,180,0,1333]"))
    assert codes(fits_only_joined) == ["E031"]
    leading_zero = check_text(edit_row(BASE, "行政复议", "[2,000,0,1]"))
    assert codes(leading_zero) == ["E031"]


def test_negative_and_amounts_are_still_numbers():
    assert codes(check_text(edit(BASE, "  行政事业性收费: 0", "  行政事业性收费: -0.5"))) == ["E011"]
    amount = check_text(edit(BASE, "  行政事业性收费: 0", "  行政事业性收费: １２．５"))
    assert codes(amount) == ["E030"] and "读作 12.5" in amount[0].message


def test_dash_for_a_whole_row():
    text = edit_row(BASE, "部分公开", "-")
    findings = check_text(text)
    assert codes(findings) == ["E032"] and findings[0].loc.column == text.split("\n")[line_of(text, "部分公开:") - 1].index("-") + 1


def test_a_full_width_space_libyaml_cannot_get_past_is_named_where_it_is():
    text = edit_row(BASE, "部分公开", "[0, 0, 0, 0, 0, 0]\u3000")
    try:
        check_text(text)
    except InputError as exc:
        finding = exc.finding
    line = line_of(text, "部分公开:")
    assert (finding.code, finding.loc.line, finding.loc.column) == ("E001", line, text.split("\n")[line - 1].index("\u3000") + 1)
    assert "全角空格「　」" in finding.message


def test_one_finding_per_mistaken_row_and_each_row_told():
    text = edit_row(edit_row(BASE, "上年结转", "[24，0，0，0，19，0]"), "部分公开", "[-, 0, 0, 0, 0, 0]")
    assert codes(check_text(text)) == ["E030", "E032"]
    assert codes(check_text(edit(BASE, "  行政许可: 0", "  行政许可: 1，058"))) == ["E031"]

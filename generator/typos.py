"""Typing mistakes that Chinese input methods make in the numbers of a form.

A staff member typing in a Chinese input method writes full-width commas, digits, spaces and
brackets, thousands separators, or a dash for "none". Each is read from the source text of a
value (not from what YAML made of it), reported once at the character typed, and either read
as what the user plainly meant (said in the message; still an error) or not read at all, so
that no relation touching the row reports a knock-on error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .findings import Finding
from .location import Loc

FULL_WIDTH = {
    "，": ("中文逗号", ","),
    "、": ("顿号", ","),
    "【": ("中文方括号", "["),
    "】": ("中文方括号", "]"),
    "［": ("全角方括号", "["),
    "］": ("全角方括号", "]"),
    "\u3000": ("全角空格", " "),
    "．": ("全角句点", "."),
    **{chr(0xFF10 + d): ("全角数字", str(d)) for d in range(10)},
}
HALF_WIDTH = str.maketrans({ch: ascii for ch, (_name, ascii) in FULL_WIDTH.items()})
NONE_MARKS = ("-", "－", "—", "——", "–", "/", "／", "\\", "无", "空")
# "1,058" in a list: a 1–3 digit number, a comma with nothing after it, then exactly three digits.
THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d.])")
# Lines libyaml cannot read because of a typing mistake, and the same-length text that it can.
YAML_REPAIRS = [
    (re.compile(r"(?<=\S):\u3000"), ": "),  # 行政强制:　2
    (re.compile(r"(?<=\S:)(\s+)-(?=\s*$)"), r"\1~"),  # 行政许可: -
    (re.compile(r"[【［]"), "["),
    (re.compile(r"[】］]"), "]"),
]


@dataclass(frozen=True)
class Mistake:
    """A typing mistake in one value: where (offset into the value's source), what, and what was read."""

    offset: int
    code: str
    variant: str
    details: dict[str, str]  # the values its code's template names, but for `what` (the value's name)
    values: tuple[str, ...] | None = None  # the numbers as read, or None when the value is not read


def repair_for_yaml(text: str, error: yaml.MarkedYAMLError) -> str:
    """The text with the typing mistakes on the lines libyaml stopped at made readable to it
    (same length, so every mark stays where the user typed it); the text itself when none."""
    lines = text.split("\n")
    marks = [m.line for m in (error.context_mark, error.problem_mark) if m is not None]
    suspects = set(marks) | {previous_content_line(lines, m) for m in marks}
    for number in sorted(n for n in suspects if 0 <= n < len(lines)):
        code, sep, comment = lines[number].partition(" #")
        for pattern, replacement in YAML_REPAIRS:
            code = pattern.sub(replacement, code)
        lines[number] = code + sep + comment
    return "\n".join(lines)


def full_width_at(line: str) -> tuple[int, str] | None:
    """(column index, character) of a full-width space or bracket in the code part of a line
    libyaml stopped at, which it could not be made to read."""
    code = line.partition(" #")[0]
    return next(((i, ch) for i, ch in enumerate(code) if ch in "\u3000【】［］"), None)


def previous_content_line(lines: list[str], number: int) -> int:
    return next((n for n in range(min(number, len(lines)) - 1, -1, -1) if lines[n].strip()), number)


def character_names(text: str) -> str:
    """「，」（中文逗号）、「２」（全角数字）… for each kind of full-width character in text."""
    seen: dict[str, str] = {}
    for ch in text:
        if ch in FULL_WIDTH and FULL_WIDTH[ch][0] not in seen.values():
            seen[ch] = FULL_WIDTH[ch][0]
    return "、".join(f"{name}「{ch}」" for ch, name in seen.items())


def list_items(text: str) -> list[str]:
    """The items of a one-level [a, b, c] list written in half-width characters."""
    inner = text.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    return [item.strip() for item in inner.split(",")] if inner.strip() else []


def none_mark(text: str, items: list[str], is_list: bool) -> Mistake | None:
    marks = [item for item in items if item in NONE_MARKS]
    if not marks:
        return None
    offset = re.search(r"(?<![^\s\[,，、【［])" + re.escape(marks[0]), text)
    shown = "、".join(dict.fromkeys(f"「{m}」" for m in marks))
    return Mistake(offset.start() if offset else 0, "E032", "list" if is_list else "", {"marks": shown})


def thousands_mark(text: str, items: list[str], counts: tuple[int, ...]) -> Mistake | None:
    """A thousands separator, told from a list comma: a three-digit group right after a comma
    with no space, in a list whose count only fits when joined, or whose other commas are
    followed by a space, or whose group starts with 0 (nobody writes a count as 058)."""
    spaced = ", " in text
    for match in THOUSANDS.finditer(text):
        joined = len(items) - match.group(2).count(",")
        if len(items) == 1 or spaced or match.group(2)[1] == "0" or (len(items) not in counts and joined in counts):
            number = match.group(0)
            return Mistake(match.start(2), "E031", "list" if len(items) > 1 else "", {"number": number, "joined": number.replace(",", "")})
    return None


def full_width_mark(text: str, counts: tuple[int, ...], pattern: re.Pattern) -> Mistake | None:
    half = text.translate(HALF_WIDTH)
    if half == text:
        return None
    offset = next(i for i, (a, b) in enumerate(zip(text, half, strict=True)) if a != b)
    items = list_items(half)
    readable = len(items) in counts and all(pattern.fullmatch(item) for item in items)
    names = character_names(text)
    if not readable:
        return Mistake(offset, "E030", "unreadable", {"names": names})
    shown = items[0] if counts == (1,) else "[" + ", ".join(items) + "]"
    return Mistake(offset, "E030", "read_as", {"names": names, "shown": shown}, tuple(items))


def typing_mistake(text: str, counts: tuple[int, ...], pattern: re.Pattern) -> Mistake | None:
    """The typing mistake in a value's source text, if any. `counts` are the numbers of items
    the value may have ((1,) for a single number); `pattern` is what each must look like."""
    half = text.translate(HALF_WIDTH)
    if counts == (1,):
        return none_mark(text, [half.strip()], False) or thousands_mark(half, [half], counts) or full_width_mark(text, counts, pattern)
    items = list_items(half)
    return none_mark(text, items, True) or thousands_mark(text, list_items(text), counts) or full_width_mark(text, counts, pattern)


def source_of(lines: list[str], node: yaml.Node) -> str:
    """A value as typed in the file (YAML may have folded or repaired it)."""
    start, end = node.start_mark, node.end_mark
    if start.line == end.line:
        return lines[start.line][start.column : end.column]
    return "\n".join([lines[start.line][start.column :], *lines[start.line + 1 : end.line], lines[end.line][: end.column]])


def mistake_finding(lines: list[str], name: str, node: yaml.Node, what: str, mistake: Mistake) -> Finding:
    """The finding for a typing mistake, at the character typed."""
    before = source_of(lines, node)[: mistake.offset]
    line = node.start_mark.line + before.count("\n")
    column = len(before) - (before.rfind("\n") + 1) + (node.start_mark.column if "\n" not in before else 0)
    return Finding.of(mistake.code, Loc(name, line + 1, column + 1), variant=mistake.variant, what=what, **mistake.details)


def colon_space(lines: list[str], name: str, key_node: yaml.Node, value_node: yaml.Node, where: str) -> list[Finding]:
    """A full-width space after a key's colon (行政强制:　2), which libyaml cannot read as one."""
    start, end = key_node.end_mark, value_node.start_mark
    gap = lines[start.line][start.column : end.column if end.line == start.line else None]
    if "\u3000" not in gap:
        return []
    loc = Loc(name, start.line + 1, start.column + gap.index("\u3000") + 1)
    return [Finding.of("E030", loc, variant="colon_space", where=where, key=key_node.value)]


def folded_text(lines: list[str], name: str, node: yaml.ScalarNode, value: str, what: str) -> list[Finding]:
    """A plain text written over several lines without “|”: YAML joins them into one paragraph."""
    typed = [n for n in range(node.start_mark.line, node.end_mark.line + 1) if part_of_line(lines, node, n).strip()]
    if len(typed) <= len(value.split("\n")):
        return []
    second = lines[typed[1]]
    loc = Loc(name, typed[1] + 1, len(second) - len(second.lstrip()) + 1)
    return [Finding.of("W302", loc, what=what, lines=len(typed))]


def part_of_line(lines: list[str], node: yaml.Node, number: int) -> str:
    """Line `number` of the source, cut to the part that belongs to node."""
    line = lines[number][: node.end_mark.column] if number == node.end_mark.line else lines[number]
    return line[node.start_mark.column :] if number == node.start_mark.line else line

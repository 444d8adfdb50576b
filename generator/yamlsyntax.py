"""YAML syntax errors in a form, named for the mistake a person made, and read past.

libyaml stops at the first syntax error and describes it in its own terms ("did not find
expected key"), often at a line after the mistake. Here each error is told in Chinese at the
line the mistake is on (a text line indented less than its block, a key indented less than its
siblings, a straight quote that ends a quoted text early, a bracket never closed), and that line
is changed so the rest of the form can be read: re-indented where the intent is plain, blanked
otherwise. The form is then parsed again, so one run reports every syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from .datacheck import yaml_problem
from .findings import Finding
from .report import Loc
from .typos import FULL_WIDTH, full_width_at

KEY_LINE = re.compile(r"^( *)(?:- +)?([^\s#:\"'\[\]{}|>][^#]*?)\s*:(?:\s|$)")
BLOCK_HEADER = re.compile(r"^( *)(?:- +)?[^\s#][^#]*?:\s+[|>][0-9+-]*\s*(?:#.*)?$")
OPENING_QUOTE = re.compile(r"^\s*(?:- +)?[^\s#\"'][^#]*?:\s+([\"'])")
KEY_TEXT = re.compile(r"^\s*(?:- +)?([^\s:：#\"'\[\]{}]+)")
OPENING_CONTEXTS = ("while scanning a quoted", "while parsing a flow", "while scanning a simple key")
BRACKETS = {"[": ("方括号", "]"), "{": ("花括号", "}")}


@dataclass(frozen=True)
class SyntaxMistake:
    """One syntax error as reported, and how its line is changed to read on past it."""

    finding: Finding
    line: int  # index of the line changed
    replacement: str  # what that line becomes
    key: str = ""  # the key a blanked line held (not to be reported missing as well)


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def previous_content(lines: list[str], index: int) -> int | None:
    """The nearest line above `index` with something other than a comment on it."""
    return next((n for n in range(index - 1, -1, -1) if is_content(lines[n])), None)


def reindented(line: str, spaces: int) -> str:
    return " " * spaces + line.lstrip(" \t")


def diagnose(typed: list[str], lines: list[str], exc: yaml.MarkedYAMLError, name: str) -> SyntaxMistake:
    """The mistake behind a syntax error. `typed` are the lines as written, `lines` as read so
    far (earlier mistakes changed or blanked)."""
    opening = exc.context_mark is not None and (exc.context or "").startswith(OPENING_CONTEXTS)
    mark = exc.context_mark if opening else exc.problem_mark or exc.context_mark
    index, column = (mark.line, mark.column) if mark else (0, 0)
    index = min(index, len(lines) - 1)
    problem = f"{exc.context or ''} {exc.problem or ''}"

    def mistake(at: int, col: int, message: str, hint: str, replacement: str | None = None) -> SyntaxMistake:
        """The finding at (at, col); its line changed to `replacement`, or blanked when None."""
        finding = Finding("E001", f"YAML 语法错误：{message}", Loc(name, at + 1, col + 1), hint)
        return SyntaxMistake(finding, at, replacement or "", key_text(typed[at]) if replacement is None else "")

    line = lines[index]
    if line[column : column + 1] == "\t" or ("\t" in line and "token" in problem):
        hint = "把制表符换成空格，与同一层的其他键对齐（可在编辑器中设置“用空格代替制表符”）"
        return mistake(index, column, "这里用了制表符（Tab）：YAML 只能用空格缩进", hint, untabbed(lines, index))
    typo = full_width_at(typed[index])
    if typo:
        message = f"这里用了{FULL_WIDTH[typo[1]][0]}「{typo[1]}」：YAML 的符号和空格要用半角（英文）字符"
        return mistake(index, typo[0], message, syntax_hint(lines, index + 1)[0])
    unclosed = unclosed_bracket(lines) if "flow" in problem else None
    if unclosed and (unclosed[0] < index or "expected node content" in problem):
        at, col, bracket = unclosed
        kind, closing = BRACKETS[bracket]
        until = "文件末尾" if not any(map(is_content, lines[index + 1 :])) else f"第 {index + 1} 行"
        message = f"{kind}“{bracket}”没有闭合：从这里开始，直到{until}都没有对应的“{closing}”"
        return mistake(at, col, message, f"在这一项的末尾补上“{closing}”，例如 [0, 0, 0]")
    if line.strip() in ("---", "...") or line.startswith("--- "):
        return mistake(index, 0, f"“{line.strip()[:3]}”是 YAML 文档的分隔符：一份表单只能有一份文档", "删去这一行")
    if "quoted scalar" in problem and "end of stream" in problem:
        quote = line[column : column + 1]
        message = f"引号或括号没有闭合：这里的引号「{quote}」直到文件末尾都没有结束"
        return mistake(index, column, message, f"在这段文字末尾补上「{quote}」；文字较长时可写成“键: |”，下一行起缩进书写，不加引号")
    top = next((n for n, text in enumerate(lines) if is_content(text)), None)
    if "document start" in problem and top is not None and indent_of(lines[top]) > indent_of(line):
        message = f"这一行的缩进与同一层的其他键不同：表单最外层的键前面不加空格，这里有 {indent_of(lines[top])} 个"
        return mistake(top, indent_of(lines[top]), message, "删去行首的空格", reindented(lines[top], 0))
    stop = exc.problem_mark
    early = closed_early(lines[stop.line], stop.column) if stop is not None and stop.line < len(lines) else None
    if early is not None:
        quote = lines[stop.line][early]
        hint = "文字中的引号改用中文引号“”或「」；或把这段文字写成“键: |”，下一行起缩进书写，不加引号"
        message = f"文字中的英文引号「{quote}」被当成了这段文字的结尾，其后的文字无法读取"
        return mistake(stop.line, early, message, hint, requoted(lines[stop.line], early))
    text = under_indented_text(lines, index)
    if text is not None:
        spaces, message = text
        hint = f"这一行前面应有 {spaces} 个空格（“|”之后的文字每行都要比键多缩进）"
        return mistake(index, indent_of(line), message, hint, reindented(line, spaces))
    key = misplaced_key(lines, stop.line) if stop is not None and any(k in problem for k in ("expected key", "block end", "mapping values")) else None
    if key is not None:
        at, spaces, message = key
        return mistake(at, indent_of(lines[at]), message, "在行首增减空格，使同一层的键左端对齐", reindented(lines[at], spaces))
    hint, blamed, corrected = syntax_hint(lines, index + 1)
    colonless = missing_colon(lines, index) if corrected is None and "mapping values" in problem else None
    if colonless is not None:
        hint = "在键的后面加上英文冒号和一个空格，如“规章: [0, 0, 0]”"
        return mistake(colonless, indent_of(lines[colonless]), "这一行缺少冒号“:”，与下一行连成了一段文字", hint, with_colon(lines[colonless]))
    if corrected is None and "expected ':'" in problem:
        corrected = with_colon(line)
    found = mistake(index, column, yaml_problem(problem), hint, corrected if blamed == index + 1 else None)
    if blamed != index + 1:  # the hint names the line before as the wrong one: that line is corrected
        return SyntaxMistake(found.finding, blamed - 1, corrected or "")
    return found


def with_colon(line: str) -> str:
    """A key line written without its colon, with it: 「  规章   [0, 0, 0]」 → 「  规章:  [0, 0, 0]」."""
    return re.sub(r"^(\s*\S+)(\s*)", lambda m: m[1] + ":" + (m[2][1:] or " "), line, count=1)


def missing_colon(lines: list[str], index: int) -> int | None:
    """The line a key written without its colon is on, above `index` (YAML joins it, and any
    lines indented under it, to the next line, whose colon it then cannot read)."""
    above = next((n for n in range(index - 1, -1, -1) if is_content(lines[n]) and indent_of(lines[n]) <= indent_of(lines[index])), None)
    if above is None or indent_of(lines[above]) != indent_of(lines[index]) or inside_block(lines, above):
        return None
    code = lines[above].split(" #")[0]
    return above if ":" not in code and "：" not in code and not code.strip().startswith(("-", "[", "{", '"', "'")) else None


def key_text(line: str) -> str:
    """The key a line begins with, as typed (up to a colon of either width)."""
    found = KEY_TEXT.match(line)
    return found.group(1) if found else ""


def untabbed(lines: list[str], index: int) -> str:
    """A line with tabs: its indentation as its neighbours', other tabs as spaces."""
    line = lines[index]
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" not in lead:
        return line.replace("\t", " ")
    above, after = previous_content(lines, index), next_key(lines, index)
    if KEY_LINE.match(line.lstrip(" \t")) and after is not None:  # a key: as the key after it (its child's, less 2)
        spaces = max(indent_of(lines[after]) - (2 if line.rstrip().endswith(":") else 0), 0)
    else:
        opens = above is not None and (lines[above].rstrip().endswith(":") or bool(BLOCK_HEADER.match(lines[above])))
        spaces = 0 if above is None else indent_of(lines[above]) + (2 if opens else 0)
    return reindented(line, spaces).replace("\t", " ")


def unclosed_bracket(lines: list[str]) -> tuple[int, int, str] | None:
    """(line, column, bracket) of the first “[” or “{” never closed, outside quotes and comments."""
    stack: list[tuple[int, int, str]] = []
    for number, line in enumerate(lines):
        quote = ""
        for column, ch in enumerate(line):
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "\"'" and (column == 0 or line[column - 1] in " [{,:"):
                quote = ch
            elif ch == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif ch in BRACKETS:
                stack.append((number, column, ch))
            elif ch in "]}" and stack:
                stack.pop()
    return stack[0] if stack else None


def closed_early(line: str, column: int) -> int | None:
    """Where a quoted text on this line was ended by a quote typed inside it: the column of that
    quote, when libyaml stopped right after it (at `column`)."""
    opened = OPENING_QUOTE.match(line)
    before = line[:column].rstrip()
    if not opened or column >= len(line) or not before.endswith(opened.group(1)):
        return None
    return len(before) - 1 if len(before) - 1 > opened.end() - 1 else None


def requoted(line: str, early: int) -> str:
    """The line with the quotes typed inside its quoted text made the other kind (a closing
    quote at the end of the line kept)."""
    opened = OPENING_QUOTE.match(line)
    quote, start = opened.group(1), opened.end()
    other = "'" if quote == '"' else '"'
    end = len(line.rstrip()) - 1 if line.rstrip().endswith(quote) and len(line.rstrip()) - 1 > early else len(line)
    return line[:start] + line[start:end].replace(quote, other) + line[end:]


def under_indented_text(lines: list[str], index: int) -> tuple[int, str] | None:
    """A line of a “键: |” text block indented less than the block's text (so YAML ends the block
    there and reads the line as a key): (the spaces the line needs, the message)."""
    line = lines[index]
    if not is_content(line) or KEY_LINE.match(line):
        return None
    text_lines = []
    for number in range(index - 1, -1, -1):
        above = lines[number]
        if not above.strip():
            continue
        if BLOCK_HEADER.match(above) and KEY_LINE.match(above):
            spaces = indent_of(lines[text_lines[-1]]) if text_lines else indent_of(above) + 2
            if indent_of(line) >= spaces or (not text_lines and indent_of(line) > indent_of(above)):
                return None
            key = KEY_LINE.match(above).group(2).strip()
            if text_lines:
                return spaces, f"这一行的缩进比上面的文字少：它在“{key}: |”的文字中，却只缩进了 {indent_of(line)} 个空格，被当成了一个新的键"
            return spaces, f"这一行文字的缩进不比上面的“{key}:”多：“|”之后的文字要比键多缩进，否则被当成一个新的键"
        if indent_of(above) <= indent_of(line):
            return None
        text_lines.append(number)
    return None


def misplaced_key(lines: list[str], index: int) -> tuple[int, int, str] | None:
    """A key indented differently from its siblings (libyaml stops at it, or at the sibling
    after it): (its line, the spaces it needs, the message). Of two neighbouring keys indented
    differently, the odd one is the one the key after them does not share."""
    line = lines[index]
    if not KEY_LINE.match(line):
        return None
    above = previous_key(lines, index)
    if above is None or indent_of(lines[above]) == indent_of(line) or (indent_of(lines[above]) < indent_of(line) and opens_mapping(lines[above])):
        return None  # the same indentation, or the key above is this one's parent
    key, sibling = KEY_LINE.match(lines[above]).group(2).strip(), KEY_LINE.match(line).group(2).strip()
    first, after = previous_key(lines, above), next_key(lines, index)
    between_siblings = first is not None and indent_of(lines[first]) == indent_of(line)
    first_child = (first is None or opens_mapping(lines[first])) and after is not None and indent_of(lines[after]) == indent_of(line)
    if between_siblings or first_child:
        message = f"这一行的缩进与同一层的其他键不同：「{key}」前有 {indent_of(lines[above])} 个空格，同一层的「{sibling}」（第 {index + 1} 行）前有 {indent_of(line)} 个"
        if indent_of(lines[above]) < indent_of(line):
            message = message.replace("与同一层的其他键不同", "比同一层的其他键少")
        return above, indent_of(line), message
    message = f"这一行的缩进与上一个键不同：「{sibling}」前有 {indent_of(line)} 个空格，上一个键「{key}」（第 {above + 1} 行）前有 {indent_of(lines[above])} 个"
    return index, sibling_indent(lines, index, [above, after]), message


def opens_mapping(line: str) -> bool:
    """A key with nothing after its colon: the keys under it follow."""
    return line.split(" #")[0].rstrip().endswith(":")


def sibling_indent(lines: list[str], index: int, neighbours: list[int | None]) -> int:
    """The indentation a misplaced key takes: its neighbours' (the key above, the key after)
    nearest its own that leaves what is written under it (a text block) further right."""
    own = indent_of(lines[index])
    below = next((n for n in range(index + 1, len(lines)) if is_content(lines[n])), None)
    under = indent_of(lines[below]) if below is not None and indent_of(lines[below]) > own and not KEY_LINE.match(lines[below]) else None
    choices = sorted((indent_of(lines[n]) for n in neighbours if n is not None), key=lambda spaces: abs(spaces - own))
    return next((spaces for spaces in choices if under is None or spaces < under), choices[0])


def next_key(lines: list[str], index: int) -> int | None:
    """The nearest key line below `index` not inside a text block."""
    return next((n for n in range(index + 1, len(lines)) if KEY_LINE.match(lines[n]) and not inside_block(lines, n)), None)


def previous_key(lines: list[str], index: int) -> int | None:
    """The nearest key line above `index` not inside a text block."""
    for number in range(index - 1, -1, -1):
        if KEY_LINE.match(lines[number]) and not inside_block(lines, number):
            return number
    return None


def inside_block(lines: list[str], index: int) -> bool:
    """Whether line `index` is text of a “键: |” block above it (indented as far as the block's
    first line)."""
    line = lines[index]
    for number in range(index - 1, -1, -1):
        above = lines[number]
        if above.strip() and indent_of(above) < indent_of(line):
            if not BLOCK_HEADER.match(above):
                return False
            first = next(n for n in range(number + 1, index + 1) if lines[n].strip())
            return indent_of(line) >= indent_of(lines[first])
    return False


def syntax_hint(lines: list[str], line: int) -> tuple[str, int, str | None]:
    """Point at the likely mistake: a full-width colon, a colon without a space, or the line
    before; with the number of the line the hint names as wrong (`line` when none) and that line
    corrected (None when the hint names no mistake)."""
    previous = next((n for n in range(min(line, len(lines) + 1) - 1, 0, -1) if lines[n - 1].strip()), line)
    for number in (line, previous):
        text = lines[number - 1] if number <= len(lines) else ""
        code = text.split("#")[0]
        if "：" in code.split("|")[0] and ":" not in code:
            return f"第 {number} 行用了中文冒号“：”：键和值之间要用英文冒号“:”，冒号后加一个空格", number, re.sub("： *", ": ", text, count=1)
        colon = re.match(r"^\s*[^\s:#\[{\"'][^:]*:(?=[^\s])", code)
        if colon and not code.rstrip().endswith(":"):
            return f"第 {number} 行的英文冒号“:”后面要加一个空格", number, text[: colon.end()] + " " + text[colon.end() :]
    return f"检查这一行及第 {previous} 行的缩进、冒号和括号；可对照 README 中的表单示例", line, None

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
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from .datacheck import yaml_problem
from .findings import Finding
from .location import Loc
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


@dataclass(frozen=True)
class Told:
    """How an E001 finding tells a mistake: its variant in the registry and the values it names."""

    variant: str
    values: dict[str, object]


@dataclass(frozen=True)
class Advice:
    """What a syntax error's hint points at: its E001 variant ("" for no mistake named: check this
    line and the one before, "chinese_colon", "no_space"), the line it names, the line it blames
    as wrong (the error's own when none) and that line corrected (None when no mistake is named)."""

    variant: str
    named: int
    blamed: int
    corrected: str | None


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def previous_content(lines: list[str], index: int) -> int | None:
    """The nearest line above `index` with something other than a comment on it."""
    return next((n for n in range(index - 1, -1, -1) if is_content(lines[n])), None)


def reindented(line: str, spaces: int) -> str:
    return " " * spaces + line.lstrip(" \t")


def diagnose(typed: list[str], lines: list[str], exc: yaml.MarkedYAMLError, name: str, line_number: Callable[[int], int]) -> SyntaxMistake:
    """The mistake behind a syntax error. `typed` are the lines as written, `lines` as read so
    far (earlier mistakes changed or blanked), both as libyaml counts them; `line_number` gives
    the line an editor shows for a line's index (what a message names)."""
    opening = exc.context_mark is not None and (exc.context or "").startswith(OPENING_CONTEXTS)
    mark = exc.context_mark if opening else exc.problem_mark or exc.context_mark
    index, column = (mark.line, mark.column) if mark else (0, 0)
    index = min(index, len(lines) - 1)
    problem = f"{exc.context or ''} {exc.problem or ''}"

    def mistake(code: str, at: int, col: int, replacement: str | None, variant: str = "", **values: object) -> SyntaxMistake:
        """The finding of `code` at (at, col); its line changed to `replacement`, or blanked when None."""
        finding = Finding.of(code, Loc(name, at + 1, col + 1), variant=variant, **values)
        return SyntaxMistake(finding, at, replacement or "", key_text(typed[at]) if replacement is None else "")

    line = lines[index]
    if line[column : column + 1] == "\t" or ("\t" in line and "token" in problem):
        return mistake("E001", index, column, untabbed(lines, index), variant="tab")
    typo = full_width_at(typed[index])
    if typo:
        advice = syntax_hint(lines, index + 1)
        variant = "_".join(filter(None, ("full_width", advice.variant)))
        return mistake("E001", index, typo[0], None, variant=variant, character=FULL_WIDTH[typo[1]][0], char=typo[1], line=line_number(advice.named - 1))
    unclosed = unclosed_bracket(lines) if "flow" in problem else None
    if unclosed and (unclosed[0] < index or "expected node content" in problem):
        at, col, bracket = unclosed
        kind, closing = BRACKETS[bracket]
        if not any(map(is_content, lines[index + 1 :])):
            return mistake("E001", at, col, None, variant="bracket_to_end", kind=kind, bracket=bracket, closing=closing)
        return mistake("E001", at, col, None, variant="bracket", kind=kind, bracket=bracket, closing=closing, line=line_number(index))
    if line.strip() in ("---", "...") or line.startswith("--- "):
        return mistake("E001", index, 0, None, variant="separator", separator=line.strip()[:3])
    if "quoted scalar" in problem and "end of stream" in problem:
        return mistake("E001", index, column, None, variant="unclosed_quote", quote=line[column : column + 1])
    top = next((n for n, text in enumerate(lines) if is_content(text)), None)
    if "document start" in problem and top is not None and indent_of(lines[top]) > indent_of(line):
        return mistake("E001", top, indent_of(lines[top]), reindented(lines[top], 0), variant="top_level_indent", spaces=indent_of(lines[top]))
    stop = exc.problem_mark
    early = closed_early(lines[stop.line], stop.column) if stop is not None and stop.line < len(lines) else None
    if early is not None:
        return mistake("E001", stop.line, early, requoted(lines[stop.line], early), variant="quote_ended", quote=lines[stop.line][early])
    text = under_indented_text(lines, index)
    if text is not None:
        spaces, told = text
        return mistake("E001", index, indent_of(line), reindented(line, spaces), variant=told.variant, **told.values)
    key = misplaced_key(lines, stop.line, line_number) if stop is not None and any(k in problem for k in ("expected key", "block end", "mapping values")) else None
    if key is not None:
        at, spaces, told = key
        return mistake("E001", at, indent_of(lines[at]), reindented(lines[at], spaces), variant=told.variant, **told.values)
    advice = syntax_hint(lines, index + 1)
    colonless = missing_colon(lines, index) if advice.corrected is None and "mapping values" in problem else None
    if colonless is not None:
        return mistake("E001", colonless, indent_of(lines[colonless]), with_colon(lines[colonless]), variant="missing_colon")
    if "expected ':'" in problem and COLONLESS_KEY.match(line) and not KEY_LINE.match(line):
        return mistake("E001", index, indent_of(line), with_colon(line), variant="colonless_key", key=key_text(line).strip(" |["))
    corrected = with_colon(line) if advice.corrected is None and "expected ':'" in problem else advice.corrected
    found = mistake("E001", index, column, corrected if advice.blamed == index + 1 else None, variant=advice.variant, problem=yaml_problem(problem), line=line_number(advice.named - 1))
    if advice.blamed != index + 1:  # the hint names the line before as the wrong one: that line is corrected
        return SyntaxMistake(found.finding, advice.blamed - 1, corrected or "")
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


COLONLESS_KEY = re.compile(r"^\s*[^\s:：#\[{\"'|，。、；]{1,20}\s*(\||\[|$)")  # a short name, then a text block's | or a row's [


def under_indented_text(lines: list[str], index: int) -> tuple[int, Told] | None:
    """A line of a “键: |” text block indented less than the block's text (so YAML ends the block
    there and reads the line as a key): (the spaces the line needs, what its E001 says)."""
    line = lines[index]
    if not is_content(line) or KEY_LINE.match(line):
        return None
    text_lines = []
    for number in range(index - 1, -1, -1):
        above = lines[number]
        if not above.strip():
            continue
        if BLOCK_HEADER.match(above) and KEY_LINE.match(above):
            if indent_of(line) == indent_of(above) and COLONLESS_KEY.match(line):
                return None  # 「  依申请公开 |」 beside 「  主动公开: |」: a key that lost its colon, not text
            spaces = indent_of(lines[text_lines[-1]]) if text_lines else indent_of(above) + 2
            if indent_of(line) >= spaces or (not text_lines and indent_of(line) > indent_of(above)):
                return None
            key = KEY_LINE.match(above).group(2).strip()
            if text_lines:
                return spaces, Told("text_less", {"key": key, "spaces": indent_of(line), "needed": spaces})
            return spaces, Told("text_not_indented", {"key": key, "needed": spaces})
        if indent_of(above) <= indent_of(line):
            return None
        text_lines.append(number)
    return None


def misplaced_key(lines: list[str], index: int, line_number: Callable[[int], int]) -> tuple[int, int, Told] | None:
    """A key indented differently from its siblings (libyaml stops at it, or at the sibling
    after it): (its line, the spaces it needs, what its E001 says, naming lines by `line_number`).
    Of two neighbouring keys indented differently, the odd one is the one the key after them does not share."""
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
        variant = "key_less_than_siblings" if indent_of(lines[above]) < indent_of(line) else "key_unlike_siblings"
        values = {"key": key, "spaces": indent_of(lines[above]), "other": sibling, "other_line": line_number(index), "other_spaces": indent_of(line)}
        return above, indent_of(line), Told(variant, values)
    values = {"key": sibling, "spaces": indent_of(line), "other": key, "other_line": line_number(above), "other_spaces": indent_of(lines[above])}
    return index, sibling_indent(lines, index, [above, after]), Told("key_unlike_previous", values)


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


def syntax_hint(lines: list[str], line: int) -> Advice:
    """Point at the likely mistake: a full-width colon, a colon without a space, or the line
    before (see Advice)."""
    previous = next((n for n in range(min(line, len(lines) + 1) - 1, 0, -1) if lines[n - 1].strip()), line)
    for number in (line, previous):
        text = lines[number - 1] if number <= len(lines) else ""
        code = text.split("#")[0]
        if "：" in code.split("|")[0] and ":" not in code:
            return Advice("chinese_colon", number, number, re.sub("： *", ": ", text, count=1))
        colon = re.match(r"^\s*[^\s:#\[{\"'][^:]*:(?=[^\s])", code)
        if colon and not code.rstrip().endswith(":"):
            return Advice("no_space", number, number, text[: colon.end()] + " " + text[colon.end() :])
    return Advice("", previous, line, None)

"""Text shapes a published report arrives in besides plain lines: Markdown from PDF-to-Markdown
or OCR converters, web pages saved with cells joined by " | ", and archive texts where the whole
report is one line. Each becomes ordinary lines, table rows tab-separated, every line keeping
the place it came from."""

from __future__ import annotations

import itertools
import re

from ..format import Format
from .sources import Line

HEADING_MARK = re.compile(r"^\s*#{1,6}\s*")
EMPHASIS = re.compile(r"\*\*|__")
RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
NUMBER_CELL = re.compile(r"[0-9][0-9,.]*")
CELL_FIGURE = re.compile(r"[0-9][0-9,.]*|[/／\-—–－─~]+|无")  # a cell holding a figure, or a mark for none
LONG_LINE = 300  # characters: a line this long holding two headings is running text
TITLE_END = "年度报告"
SIGNATURE = re.compile(r"。([^。，；：,.;:]{2,30}?)(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*$")


def pipe_cells(text: str) -> list[str] | None:
    """A table row written with pipes ("| a | b |" or "a | b |"), as its cells; None if not one."""
    stripped = text.strip()
    if "|" not in stripped or not (stripped.startswith("|") or " | " in stripped or stripped.endswith("|")):
        return None
    cells = [cell.strip() for cell in stripped.split("|")]
    if stripped.startswith("|"):
        cells = cells[1:]
    if stripped.endswith("|"):
        cells = cells[:-1]
    return cells


def made_up_header(cells: list[str]) -> bool:
    """A header a converter invented: no cell holds a figure of the report, or the cells just
    count the columns (1, 2, 3…)."""
    filled = [c for c in cells if c]
    if [c for c in filled if NUMBER_CELL.fullmatch(c)] == [str(i) for i in range(1, len(filled) + 1)]:
        return True
    return not any(NUMBER_CELL.fullmatch(c) for c in filled)


def markdown_lines(lines: list[Line]) -> list[Line]:
    """Markdown headings and emphasis dropped, pipe rows tab-separated, rule lines dropped,
    the header row a converter puts above a rule dropped when made up, and dropped again
    wherever it is repeated."""
    out: list[Line] = []
    headers: set[tuple[str, ...]] = set()
    for index, line in enumerate(lines):
        if RULE.match(line.text) and "-" in line.text:
            if out and index and pipe_cells(lines[index - 1].text) is not None:
                cells = pipe_cells(lines[index - 1].text) or []
                if made_up_header(cells):
                    headers.add(tuple(cells))
                    out.pop()
            continue
        text = EMPHASIS.sub("", HEADING_MARK.sub("", line.text))
        cells = pipe_cells(text)
        if cells is not None:
            if tuple(cells) in headers:
                continue
            text = "\t".join(cells)
        out.append(Line(text, line.place))
    return out


def heading_cut(text: str, position: int, names: list[str]) -> int | None:
    """Where a section heading whose name should start near `position` ends: after one of its
    names within a few characters, or after a name's last four characters (四、政府信息公开
    行政复议及行政诉讼情况); a heading holds no figures, so never across a digit."""
    window = position + max(map(len, names)) + 10
    for piece in [*names, *(name[-4:] for name in names)]:
        found = text.find(piece, position, window)
        if found >= 0 and not any(ch.isdigit() for ch in text[position:found]):
            return found + len(piece)
    return None


def section_names(fmt: Format) -> list[tuple[str, list[str]]]:
    return [(f"{s.number}、", [s.key, *s.aliases]) for s in fmt.sections if s.number]


def heading_line(line: Line, fmt: Format) -> list[Line]:
    """A section heading with its first paragraph run into it (五、存在的主要问题及改进情况一是…),
    as two lines."""
    text = line.text.strip()
    for prefix, names in section_names(fmt):
        end = heading_cut(text, len(prefix), names) if text.startswith(prefix) else None
        rest = text[end:].lstrip("。：:，, 　") if end else ""
        if rest:
            return [Line(text[:end], line.place), Line(rest, line.place)]
    return [line]


def running_text_lines(lines: list[Line], fmt: Format) -> list[Line]:
    """A long line holding several section headings is cut before and after each heading, after
    the title, before the part headings of a section written in parts, and before a signature;
    a heading with text run into it is cut after the heading."""
    out: list[Line] = []
    for line in lines:
        text = line.text if len(line.text) > LONG_LINE else ""
        if sum(f"{s.number}、" in text for s in fmt.sections if s.number) < 2:
            out += heading_line(line, fmt)
            continue
        out += [Line(piece, line.place) for piece in cut_running_text(text, fmt)]
    return out


def cut_running_text(text: str, fmt: Format) -> list[str]:
    cuts: set[int] = set()
    title = text.find(TITLE_END)
    if 0 <= title < 80:
        cuts.add(title + len(TITLE_END))
    position = 0
    sections = [s for s in fmt.sections if s.number]
    spans: list[tuple[int, int, object]] = []
    for section in sections:
        names = [section.key, *section.aliases]
        start = text.find(f"{section.number}、", position)
        while start >= 0 and heading_cut(text, start + 2, names) is None:
            start = text.find(f"{section.number}、", start + 1)
        if start < 0:
            continue
        end = heading_cut(text, start + 2, names)
        cuts.update((start, end))
        spans.append((start, end, section))
        position = end
    for index, (_start, end, section) in enumerate(spans):
        stop = spans[index + 1][0] if index + 1 < len(spans) else len(text)
        for part in section.parts:
            found = re.compile(f"[（(]{part.number}[）)]").search(text, end, stop)
            if found:
                cuts.add(found.start())
    signature = SIGNATURE.search(text)
    if signature:
        cuts.update((signature.start(1), signature.start(2)))
    bounds = sorted({0, len(text), *cuts})
    return [text[a:b] for a, b in itertools.pairwise(bounds) if text[a:b]]


def cells_per_line(lines: list[Line]) -> list[Line]:
    """A web table saved one cell a line, each ending in " |" and an empty cell a bare "|": a row's
    label and the figures after it as one tab-separated row, the empty cells between them kept
    (trailing empty cells end the row and stay as they were)."""
    out: list[Line] = []
    row: list[str] = []
    taken: list[Line] = []  # the lines of the row being joined
    blanks: list[Line] = []

    def close() -> None:
        figures = any(CELL_FIGURE.fullmatch(cell) for cell in row[1:])
        out.extend([Line("\t".join(row), taken[0].place)] if figures else taken)
        out.extend(blanks)
        row.clear()
        taken.clear()
        blanks.clear()

    for line in lines:
        text = line.text.strip()
        single = text == "|" or (text.endswith("|") and text.count("|") == 1)
        cell = text[:-1].strip() if single else ""
        if single and cell and not CELL_FIGURE.fullmatch(cell):
            close()
            row.append(cell)
            taken.append(line)
        elif single and row and not cell:
            blanks.append(line)
        elif single and row:
            row.extend([""] * len(blanks) + [cell])
            taken.extend([*blanks, line])
            blanks.clear()
        else:
            close()
            out.append(line)
    close()
    return out


def reshape(lines: list[Line], fmt: Format) -> list[Line]:
    """Lines of any of the shapes above as plain lines."""
    return running_text_lines(markdown_lines(cells_per_line(lines)), fmt)

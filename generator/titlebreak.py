"""Where the report's title breaks into lines (GB/T 9704 7.3.3: 回行时要做到词意完整，排列对称).

The title is 二号 (22 pt) in the 156 mm type area: 20 characters a line. It breaks only between
words: around the agency's name, around the year (「2026年」), between 「政府信息公开」 and
「工作年度报告」 and, where the name itself is too long, inside it after a place or an office
(沭阳县 | 发展和改革局, 中华人民共和国 | 国家发展和改革委员会 | 办公厅) or after a 和.
Of the breaks that fit, the fewest lines win, then the fewest breaks inside the name, then the
most even lines (the longest as short as it can be), the upper line the longer on a tie.
Every renderer prints the lines it is given, so the PDF, DOCX and HTML break alike.
"""

from __future__ import annotations

import itertools
import re

MEASURE = 20.0  # 二号 characters in the 156 mm type area (442 pt / 22 pt)
HALF_WIDTH = 0.6  # digits and Latin letters: 0.5–0.6 of a character in the title faces

# Penalties of a break: between the title's words, inside the name after a place or an office,
# after a 和 inside the name.
WORD, NAME_PART, CONJUNCTION = 0, 1, 3
MAX_BREAKS = 16  # places to break a title line at, tried in every combination (a real title has under 10)

PHRASES = ("政府信息公开", "工作年度报告")
YEAR = re.compile(r"\d{4}\s*年度?")
# The end of a place (省, 沭阳县, 示范区, 街道) or an office (人民政府, 委员会, 办公厅, 局): longer first.
SUFFIX = re.compile(
    "中华人民共和国|特别行政区|自治区|自治州|自治县|自治旗|街道办事处|办事处|人民政府办公室|人民政府办公厅|人民政府|管理委员会|委员会|"
    "办公室|办公厅|管委会|中心|街道|地区|省|市|州|盟|县|区|旗|镇|乡|局|厅|委|署|院|所|站|处"
)
# Words that a place suffix begins or ends, where a break after it would cut a word.
NOT_AFTER = re.compile(r"[场政容民直级域辖属划]")
NOT_ENDING = ("城乡", "城市", "都市", "超市", "社区", "园区", "景区", "郊区", "城区", "市区", "辖区", "片区")


def width(text: str) -> float:
    """Width in title characters."""
    return sum(HALF_WIDTH if ord(ch) < 0x2E80 else 1.0 for ch in text)


def name_breaks(name: str) -> dict[int, int]:
    """Breaks inside an agency's name (offset → penalty): after each place or office, after a 和
    that joins two words of three characters or more (发展和 | 改革局, not 和 | 静县, a place)."""
    breaks: dict[int, int] = {}
    start, words = 0, list(SUFFIX.finditer(name))
    for match in words:
        end = match.end()
        if end - start < 2 or end >= len(name) or NOT_AFTER.match(name, end) or name[:end].endswith(NOT_ENDING):
            continue
        breaks[end] = NAME_PART
        start = end
    for match in re.finditer("和", name):
        following = min((b for b in breaks if b > match.end()), default=len(name))
        inside = any(w.start() <= match.start() < w.end() for w in words)  # 中华人民共和国
        if following - match.end() >= 3 and not inside:
            breaks.setdefault(match.end(), CONJUNCTION)
    return breaks


def word_breaks(text: str, agency: str) -> dict[int, int]:
    """Every place the line may break (offset → penalty): the title's words and the name's parts."""
    breaks: dict[int, int] = {}
    spans = [(m.start(), m.end()) for m in YEAR.finditer(text)]
    spans += [(m.start(), m.end()) for phrase in PHRASES for m in re.finditer(phrase, text)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"\s+", text)]
    if agency:
        for match in re.finditer(re.escape(agency), text):
            spans.append((match.start(), match.end()))
            breaks.update({match.start() + offset: penalty for offset, penalty in name_breaks(agency).items()})
    for start, end in spans:
        breaks[start] = breaks[end] = WORD
    return {offset: penalty for offset, penalty in breaks.items() if 0 < offset < len(text)}


def best_lines(text: str, breaks: dict[int, int]) -> list[str] | None:
    """The best fitting lines broken only at `breaks`; None if no choice of them fits (or, for a
    title with more places to break than any real one, than are worth trying)."""
    offsets = sorted(breaks)
    pieces = [text[a:b] for a, b in itertools.pairwise((0, *offsets, len(text)))]
    if len(offsets) > MAX_BREAKS or max(width(piece.strip()) for piece in pieces) > MEASURE:
        return None
    for count in range(len(offsets) + 1):
        best, best_key = None, None
        for chosen in itertools.combinations(offsets, count):
            lines = [text[a:b].strip() for a, b in itertools.pairwise((0, *chosen, len(text)))]
            widths = [width(line) for line in lines]
            if max(widths) > MEASURE or not all(lines):
                continue
            key = (sum(breaks[c] for c in chosen), max(widths), sum(w * w for w in widths), [-w for w in widths])
            if best_key is None or key < best_key:
                best, best_key = lines, key
        if best is not None:
            return best
    return None


def filled(text: str) -> list[str]:
    """Lines filled to the measure, broken anywhere but inside a run of digits or Latin letters
    (a name with no word boundary in 20 characters)."""
    lines, line = [], ""
    for ch in text:
        joined = bool(line) and (line[-1] + ch).isascii() and (line[-1] + ch).isalnum()
        if line and width(line + ch) > MEASURE and not joined:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line]


def break_line(text: str, agency: str) -> list[str]:
    """One line of the title, broken where it is too long for the measure."""
    if width(text) <= MEASURE:
        return [text]
    return best_lines(text, word_breaks(text, agency)) or filled(text)


def title_lines(title: str, agency: str) -> list[str]:
    """The title's lines: those the user wrote (a line break in 标题), each broken where too long."""
    return [line for written in title.split("\n") if written.strip() for line in break_line(written.strip(), agency)]

"""Narrative text: figures cited by name, and numbers typed beside words that name a figure.

A citation is `{{ 本年新收.总计 }}` (row.column), `{{ 行政许可 }}` (a one-column row),
`{{ 机关 }}` or `{{ 年度 }}`; `{{ 本年新收.总计 | 同比 }}` words the change from last year.
Text is never run as a template: only that exact shape is replaced, so anything else
between braces stays as the user typed it.

A number typed in the text counts a table figure only when the format's `narrative_figures`
say so: it has a unit, is no title, document number, date, percentage, ordinal, time limit or
approximation, and the word nearest before it in its clause (or right after its unit) names
the figure, about the right thing (applications, not 行政许可申请 or 留言). The corpus in
tests/data/narrative_corpus.yaml measures how often that reading is right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from .format import Format, Section
from .location import CellId
from .report import Number, Report, Text

CITED_FIELDS = ("agency", "year")  # the fields a narrative may cite by name, e.g. {{ 机关 }}
CITATION = re.compile(r"\{\{\s*(\w+(?:\.\w+)?)\s*(?:\|\s*(\w+)\s*)?\}\}")
HAN = "[\u4e00-\u9fff]"
NUMBER_START, NUMBER_END = r"(?:[0-9]|\{\{)", r"(?:[0-9]|\}\})"  # a citation stands for a number
SPACED_NUMBER = re.compile(f"{HAN} {NUMBER_START}|{NUMBER_END} {HAN}")
TIGHT_NUMBER = re.compile(f"{HAN}{NUMBER_START}|{NUMBER_END}{HAN}")
YEAR_ON_YEAR = "同比"  # the one filter: {{ 本年新收.总计 | 同比 }} → 较上年增加 12 件、增长 9.9%


def format_number(value: Number) -> str:
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def citation_value(report: Report, name: str) -> str | None:
    field = next((f for f in report.format.fields if f.key == name and f.attribute in CITED_FIELDS), None)
    if field is not None:
        return str(getattr(report, field.attribute))
    value = report.figure(name)
    return None if value is None else format_number(value)


def year_on_year(report: Report, name: str, spaced: bool = True) -> str | None:
    """「较上年增加 12 件、增长 9.9%」, 「较上年减少 3 件、下降 25.0%」 or 「与上年持平」; None without
    last year's figure. Without `spaced`, no space between the words and the numbers: 「增加12件」."""
    now = report.figure(name)
    last = report.previous.figure(name) if report.previous else None
    if now is None or last is None:
        return None
    change = now - last
    if change == 0:
        return "与上年持平"
    unit = report.figure_unit(name)
    words = ("增加", "增长") if change > 0 else ("减少", "下降")
    gap = " " if spaced else ""
    text = f"较上年{words[0]}{gap}{format_number(abs(change))}{gap}{unit}"
    return text + (f"、{words[1]}{gap}{abs(change) * 100 / last:.1f}%" if last else "")


def spaces_numbers(text: str) -> bool:
    """Whether a text writes a space between Chinese and the numbers in it (「受理 1376 条」) more
    often than not (「受理1376条」); a citation counts as a number."""
    return len(SPACED_NUMBER.findall(text)) > len(TIGHT_NUMBER.findall(text))


def citation_text(report: Report, match: re.Match, spaced: bool = True) -> str | None:
    name, filter_name = match.group(1), match.group(2)
    if filter_name is None:
        return citation_value(report, name)
    return year_on_year(report, name, spaced) if filter_name == YEAR_ON_YEAR else None


def resolve(report: Report, text: str) -> str:
    """The text with every known citation replaced by its figure (同比 worded as the text spaces
    its numbers); unknown ones stay as typed."""
    spaced = spaces_numbers(text)

    def replace(match: re.Match) -> str:
        value = citation_text(report, match, spaced)
        return match.group(0) if value is None else value

    return CITATION.sub(replace, text)


@dataclass(frozen=True)
class CitationProblem:
    line_index: int
    column_index: int
    width: int
    name: str
    filter: str
    kind: str  # "name": no such figure; "filter": unknown filter, or 同比 of a non-figure; "previous": no last year


def citation_problems(report: Report, text: Text) -> Iterator[CitationProblem]:
    """Every citation that cannot be resolved: an unknown name or filter, or 同比 without last year."""
    for index, line in enumerate(text.lines):
        for match in CITATION.finditer(line):
            if citation_text(report, match) is not None:
                continue
            name, filter_name = match.group(1), match.group(2) or ""
            if citation_value(report, name) is None:
                kind = "name"
            elif filter_name != YEAR_ON_YEAR or report.figure(name) is None:
                kind = "filter"
            else:
                kind = "previous"
            yield CitationProblem(index, match.start(), len(match.group(0)), name, filter_name, kind)


SENTENCE_END = "。；;！？!?"
CLAUSE_END = SENTENCE_END + "，,：:（）()"
SENTENCE_SPLIT = re.compile(f"[{SENTENCE_END}\n]")


def normalize_sentence(text: str) -> str:
    """Folded for comparison: NFKC, no spaces or punctuation, every run of digits the same."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\d+(\.\d+)?", "#", text)
    return "".join(ch for ch in text if ch.isalnum() or ch == "#")


def required_wording(report: Report) -> tuple[str, ...]:
    """Words of statements the format requires of every report (the 信息处理费 statement…)."""
    return tuple(w for s in report.format.sections if s.must_mention for w in s.must_mention.words)


def folded_sentences(text: str, left_out: tuple[str, ...], min_length: int) -> Iterator[tuple[str, str]]:
    """(folded, as written) for each sentence of a text at least `min_length` long once folded;
    sentences holding the format's required wording (`left_out`) are not compared at all."""
    for sentence in SENTENCE_SPLIT.split(text):
        if not any(word in sentence for word in left_out):
            folded = normalize_sentence(sentence)
            if len(folded) >= min_length:
                yield folded, sentence.strip()


BLANK = "□"
DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class FigureRule:
    """Words that name a table figure, and what a number beside them must agree with."""

    words: tuple[str, ...]
    figures: tuple[tuple[str, ...], ...]
    weak_words: tuple[str, ...] = ()
    topic: str = ""
    mentions: tuple[str, ...] = ()
    not_between: tuple[str, ...] = ()
    share_of: str = ""


@dataclass(frozen=True)
class Vocabulary:
    """The format's `narrative_figures`, ready to match."""

    number: re.Pattern
    not_counts: tuple[re.Pattern, ...]
    sub_period: re.Pattern
    as_of: re.Pattern
    topic_words: dict[str, str]  # word -> topic
    part_topics: dict[str, str]  # part of 总体情况 -> topic of its counts
    parts_of_whole: tuple[str, ...]
    broader: tuple[str, ...]
    areas: dict[str, str]  # 全县 -> 县: words naming a whole area, and its level
    area_kinds: tuple[str, ...]  # the report kinds of an area's government
    government: tuple[str, ...]  # the endings of a government's name (人民政府)
    max_gap: int
    share: re.Pattern
    rules: tuple[FigureRule, ...]
    keywords: dict[str, tuple[FigureRule, bool]]  # word -> (rule, weak)
    document_nouns: dict[str, str]
    document_not_after: tuple[str, ...]
    document_verbs: dict[str, str]
    continuations: tuple[str, ...]


VOCABULARIES: dict[str, Vocabulary] = {}


def vocabulary(fmt: Format) -> Vocabulary:
    if fmt.id not in VOCABULARIES:
        VOCABULARIES[fmt.id] = read_vocabulary(fmt.narrative_figures, fmt.narrative_units)
    return VOCABULARIES[fmt.id]


def read_vocabulary(data: dict, units: tuple[str, ...]) -> Vocabulary:
    rules = tuple(
        FigureRule(
            words=tuple(r["words"]),
            figures=tuple(tuple(f) for f in r["figures"]),
            weak_words=tuple(r.get("weak_words", ())),
            topic=r.get("topic", ""),
            mentions=tuple(r.get("mentions", ())),
            not_between=tuple(r.get("not_between", ())),
            share_of=r.get("share_of", ""),
        )
        for r in data["rules"]
    )
    keywords = {w: (rule, False) for rule in rules for w in rule.words}
    keywords.update({w: (rule, True) for rule in rules for w in rule.weak_words})
    documents = data["documents"]
    unit = "|".join(map(re.escape, units))
    return Vocabulary(
        # at most 30 digits: no table cell holds a longer number (and int() refuses past 4,300)
        number=re.compile(rf"(?<![\d.,])(?P<n>\d{{1,3}}(?:,\d{{3}}){{1,9}}|\d{{1,30}})(?![\d,])\s*(?P<unit>{unit})"),
        not_counts=tuple(re.compile(p) for p in data["not_counts"]),
        sub_period=re.compile("|".join(data["sub_periods"])),
        as_of=re.compile("|".join(data["as_of"])),
        topic_words={w: name for name, topic in data["topics"].items() for w in topic["words"]},
        part_topics={part: name for name, topic in data["topics"].items() for part in topic.get("parts", ())},
        parts_of_whole=tuple(data["parts_of_whole"]),
        broader=tuple(data.get("broader", ())),
        areas=dict(data.get("whole_area", {}).get("words", {})),
        area_kinds=tuple(data.get("whole_area", {}).get("kinds", ())),
        government=tuple(data.get("whole_area", {}).get("government", ())),
        max_gap=data["max_gap"],
        share=re.compile(r"\s*[，,、]?\s*(?:" + "|".join(map(re.escape, data["share_words"])) + r")[^\d，,。；;%％]{0,10}?(?P<p>\d+(?:\.\d+)?)\s*[%％]"),
        rules=rules,
        keywords=keywords,
        document_nouns=dict(documents["nouns"]),
        document_not_after=tuple(documents["not_after"]),
        document_verbs=dict(documents["verbs"]),
        continuations=tuple(documents["continuations"]),
    )


def longest_matches(text: str, words) -> list[re.Match]:
    """Non-overlapping occurrences of words, the longest winning where they overlap."""
    pattern = words_pattern(tuple(words))
    return list(pattern.finditer(text)) if pattern else []


@lru_cache(maxsize=64)
def words_pattern(words: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for the words, longest first (made once per vocabulary, not once per number)."""
    ordered = sorted(words, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, ordered))) if ordered else None


@dataclass(frozen=True)
class Mention:
    """A number in a line of narrative that counts a table figure."""

    start: int  # index of the number in the line
    typed: str  # the number as typed ("1,266")
    phrase: str  # from the word naming the figure to the unit, as typed
    figures: tuple[tuple[str, ...], ...]
    share_of: str = ""
    share: str = ""  # the percentage stated right after it ("51.85"), if any
    share_start: int = 0
    area: str = ""  # the whole area its sentence counts (全县), if any

    @property
    def number(self) -> int:
        return int(self.typed.replace(",", ""))


def blanked(line: str, vocab: Vocabulary) -> str:
    """The line with citations and spans that never count a figure blanked (same length)."""
    line = CITATION.sub(lambda m: BLANK * len(m.group(0)), line)
    for pattern in vocab.not_counts:
        line = pattern.sub(lambda m: BLANK * len(m.group(0)), line)
    return line


def mentions(line: str, vocab: Vocabulary, part: str = "") -> Iterator[Mention]:
    """Every number in the line that counts a table figure, with the figures it may equal."""
    if not DIGIT.search(line):  # (most lines: blanking never adds a digit)
        return
    text = blanked(line, vocab)
    periods = vocab.as_of.sub(lambda m: BLANK * len(m.group(0)), line)
    sentence_start = 0
    for end in [i for i, ch in enumerate(text) if ch in SENTENCE_END] + [len(text)]:
        sentence = text[sentence_start:end]
        stated: set[FigureRule] = set()  # rules a strong word has counted in this sentence
        for match in vocab.number.finditer(sentence):
            if vocab.sub_period.search(periods, sentence_start, sentence_start + match.start()):
                continue
            mention = mention_at(sentence, match, vocab, part)
            if mention is not None and mention[4] is not None:
                rule, weak = mention[4]
                if weak and rule in stated:
                    continue  # 「33件已办结，答复27件」: the figure is stated already; the weak word counts a part
                stated |= set() if weak else {rule}
            if mention is not None:
                start = sentence_start + match.start("n")
                share = vocab.share.match(line, sentence_start + match.end())
                area = longest_matches(sentence[: match.start()], vocab.areas)
                yield Mention(
                    start,
                    match.group("n"),
                    line[sentence_start + mention[0] : sentence_start + mention[1]],
                    mention[2],
                    mention[3],
                    share.group("p") if share else "",
                    share.start("p") if share else 0,
                    area[-1].group(0) if area else "",
                )
        sentence_start = end + 1


def counts_own_table(mention: Mention, kind: str, agency: str, vocab: Vocabulary) -> bool:
    """Whether the report's own tables count what the mention counts: yes unless it counts a
    whole area (全县…) and the report is not that area's government's (see `whole_area`)."""
    if not mention.area:
        return True
    name = next((agency.removesuffix(g) for g in vocab.government if agency.endswith(g)), "")
    return kind in vocab.area_kinds and bool(name) and name.endswith(vocab.areas[mention.area])


def mention_at(sentence: str, match: re.Match, vocab: Vocabulary, part: str) -> tuple[int, int, tuple, str, tuple[FigureRule, bool] | None] | None:
    """(phrase start, phrase end, figures, share base, (rule, whether by a weak word)) when the
    number at match counts a figure (no rule for a count of documents)."""
    clause_start = max(sentence.rfind(ch, 0, match.start()) for ch in CLAUSE_END) + 1
    before = sentence[clause_start : match.start()]
    after = sentence[match.end() : match.end() + 8]
    after = after[: min([after.find(ch) for ch in CLAUSE_END if ch in after] + [len(after)])]
    document = document_figure(sentence[: match.start()], before, after, vocab)
    if document is not None:
        start, figure, end = document
        return (clause_start + start, match.end() + end, ((figure,),), "", None) if figure else None
    found = nearest_keyword(before, vocab)
    if found is not None:
        phrase, (rule, weak) = (clause_start + found.start(), match.end()), vocab.keywords[found.group(0)]
        gap = before[found.end() :]
    else:
        following = longest_matches(after, vocab.keywords)
        if not following or following[0].start() > 2:
            return None
        phrase, (rule, weak), gap = (match.start(), match.end() + following[0].end()), vocab.keywords[following[0].group(0)], ""
    if any(w in gap for w in (*rule.not_between, *vocab.parts_of_whole, *vocab.broader)):
        return None
    if rule.mentions and not any(w in sentence[: match.start()] for w in rule.mentions):
        return None
    if rule.topic and topic(sentence[: match.start()], after, vocab, part) != rule.topic:
        return None
    return *phrase, rule.figures, rule.share_of, (rule, weak)


def nearest_keyword(before: str, vocab: Vocabulary) -> re.Match | None:
    """The word naming a figure nearest before the number (a weak word only when no other)."""
    found = [m for m in longest_matches(before, vocab.keywords) if len(before) - m.end() <= vocab.max_gap]
    strong = [m for m in found if not vocab.keywords[m.group(0)][1]]
    return (strong or found or [None])[-1]


def topic(before: str, after: str, vocab: Vocabulary, part: str) -> str:
    """What a count is about: the noun after its unit, else the last topic word before it, else the part."""
    following = longest_matches(after, vocab.topic_words)
    if following and following[0].start() <= 2:
        return vocab.topic_words[following[0].group(0)]
    preceding = longest_matches(before, vocab.topic_words)
    return vocab.topic_words[preceding[-1].group(0)] if preceding else vocab.part_topics.get(part, "")


def document_figure(sentence_before: str, before: str, after: str, vocab: Vocabulary) -> tuple[int, str, int] | None:
    """For a count of 规章 or 规范性文件: (phrase start in the clause, "row.column", phrase end after
    the unit); the figure is "" when the column is not said; None when it does not count documents."""
    following = [m for m in longest_matches(after, vocab.document_nouns) if m.start() <= 2]
    verbs = longest_matches(before, vocab.document_verbs)
    noun = (document_nouns_in(before, vocab) or following or [None])[-1]
    if noun is None:
        rest = before
        for word in (*[v.group(0) for v in verbs], *vocab.continuations):
            rest = rest.replace(word, "")
        earlier = document_nouns_in(sentence_before, vocab)
        if not earlier or not verbs or rest.strip(" 　" + BLANK):
            return None
        noun = earlier[-1]  # the clause continues a list: （含新制定5件，废止4件）
    if not verbs:
        return (0, "", 0)
    row = vocab.document_nouns[noun.group(0)]
    return verbs[-1].start(), f"{row}.{vocab.document_verbs[verbs[-1].group(0)]}", noun.end() if noun in following else 0


def document_nouns_in(text: str, vocab: Vocabulary) -> list[re.Match]:
    """规章, 规范性文件 … in text, not those negated (非规范性文件)."""
    return [m for m in longest_matches(text, vocab.document_nouns) if not text[: m.start()].endswith(vocab.document_not_after)]


@dataclass(frozen=True)
class TypedFigure:
    line_index: int
    mention: Mention


def typed_figures(text: Text, fmt: Format, part: str = "") -> Iterator[TypedFigure]:
    """Numbers written next to words that name a table figure ("办结 1267 条", "29个规范性文件")."""
    vocab = vocabulary(fmt)
    for index, line in enumerate(text.lines):
        for mention in mentions(line, vocab, part):
            yield TypedFigure(index, mention)


def row_group(fmt: Format, key: str):
    """The table and row group named key (不予公开, 无法提供 …), if any."""
    for table in fmt.tables.values():
        for group in table.row_groups:
            if group.key == key:
                return table, group
    return None


Computed = Mapping[CellId, Number]  # cells whose typed value their relation contradicts → the value it computes


def figure_value(report: Report, name: str, computed: Computed | None = None) -> Number | None:
    """A figure by name; a row group ("不予公开.总计") is the sum of its rows. With `computed`,
    a cell its relation contradicts counts as the value the relation computes."""
    row, _, column = name.partition(".")
    found = row_group(report.format, row)
    if found is None:
        cell = figure_cell(report, name)
        return computed[cell] if computed and cell in computed else report.figure(name)
    return figure_sum(report, tuple(f"{member}.{column}" for member in found[1].members), computed)


def figure_cell(report: Report, name: str) -> CellId | None:
    """The cell a figure's name ("本年新收.总计", or a one-column row) stands for."""
    row_key, _, column_key = name.partition(".")
    if row_key not in report.format.row_index:
        return None
    table = report.format.row_index[row_key][0]
    return (table.key, row_key, column_key or table.columns[0].key)


def figure_sum(report: Report, names: tuple[str, ...], computed: Computed | None = None) -> Number | None:
    values = [figure_value(report, n, computed) for n in names]
    return None if any(v is None for v in values) else sum(values)


def share_percent(part: Number, whole: Number, decimals: int) -> Decimal:
    """part/whole in percent, rounded half-up to `decimals` places as Chinese reports round."""
    exact = Decimal(part) * 100 / Decimal(whole)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def stated_share_is_right(stated: str, part: Number, whole: Number) -> bool:
    """Whether "51.85" (percent) is part/whole at the precision the text uses."""
    return share_percent(part, whole, len(stated.partition(".")[2])) == Decimal(stated)


def part_of(report: Report, section: Section, text: Text) -> str:
    """The key of the part of a section that text is (依申请公开 …), or ""."""
    return next((key for key, part in report.parts.get(section.key, {}).items() if part is text), "")


def all_texts(report: Report) -> Iterator[tuple[Section, str, Text]]:
    """Every narrative field: its section, a label naming where it is in the report, and the text."""
    for section in report.format.sections:
        if section.key in report.texts:
            yield section, section.heading, report.texts[section.key]
        for part in section.parts:
            if part.key in report.parts.get(section.key, {}):
                yield section, f"{section.heading}·{part.heading}", report.parts[section.key][part.key]
        if section.intro in report.parts.get(section.key, {}):
            yield section, f"{section.heading}·{section.intro}", report.parts[section.key][section.intro]

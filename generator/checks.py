"""The validator: table relations, continuity with last year, narrative and completeness."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date

from .findings import Finding
from .format import Format, Relation, Table, Term, normalize_label
from .location import CellId, Loc
from .narrative import (
    YEAR_ON_YEAR,
    Computed,
    Mention,
    all_texts,
    citation_problems,
    counts_own_table,
    figure_sum,
    figure_value,
    folded_sentences,
    format_number,
    part_of,
    required_wording,
    row_group,
    share_percent,
    stated_share_is_right,
    typed_figures,
    vocabulary,
)
from .report import Report, Text, cell_id, items_of, side_sum


def check_report(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding about a loaded report; never raises for what the user wrote."""
    findings: list[Finding] = []
    if previous is not None and not is_previous_year(report, previous):
        findings.append(
            Finding.of(
                "E053", report.field_locs.get("year"), agency=report.agency, year=report.year, last_year=report.year - 1, their_agency=previous.agency, their_year=previous.year
            )
        )
        previous = None
    for relation in report.format.relations:
        if not relation.needs_previous:
            findings.extend(check_relation(report, None, relation))
    if previous is not None:
        findings.extend(check_against_previous(report, previous))
    findings.extend(check_citations(report))
    findings.extend(check_narrative_figures(report))
    findings.extend(check_completeness(report))
    return findings


def check_against_previous(report: Report, previous: Report) -> list[Finding]:
    """What last year's report of the same agency tells: continuity, sharp changes, 内容雷同."""
    continuity = [f for relation in report.format.relations if relation.needs_previous for f in check_relation(report, previous, relation)]
    return continuity + list(check_year_on_year(report, previous)) + list(check_similar_texts(report, previous))


def is_previous_year(report: Report, previous: Report) -> bool:
    """Last year's report of the same agency."""
    return previous.year == report.year - 1 and normalize_label(previous.agency) == normalize_label(report.agency)


def item_label(table: Table, for_each: str, item: str) -> str:
    if for_each == "row":
        return table.row_title(item)
    return f"「{table.column(item).label}」"


def term_label(table: Table, for_each: str, term: Term) -> str:
    label = table.column(term.key).label if for_each == "row" else table.full_row_label(term.key)
    return ("上年" if term.previous else "") + label


def relation_facts(fmt: Format, relation: Relation) -> dict[str, str]:
    """A relation as the registry describes its code: 表三每行：总计 = 自然人 + …"""
    table = fmt.tables[relation.table]
    number = next(s.number for s in fmt.sections if relation.table in s.tables)

    def side(terms: tuple[Term, ...]) -> str:
        labels = [("− " if t.sign < 0 else "+ ") + term_label(table, relation.for_each, t) for t in terms]
        return " ".join(labels).removeprefix("+ ")

    each = "行" if relation.for_each == "row" else "列"
    return {"table": f"表{number}", "each": each, "left": side(relation.left), "right": side(relation.right), "meaning": relation.meaning}


def check_relation(report: Report, previous: Report | None, relation: Relation) -> Iterator[Finding]:
    table = report.format.tables[relation.table]
    for item in items_of(table, relation.for_each):
        if relation.pending is not None:
            yield from pending_note(report, previous, relation, table, item)
            continue
        left = side_sum(report, previous, relation, item, relation.left)
        right = side_sum(report, previous, relation, item, relation.right)
        if left is not None and right is not None and left != right:
            yield relation_finding(report, relation, table, item, left, right)


def relation_finding(report: Report, relation: Relation, table: Table, item: str, left: int, right: int) -> Finding:
    ids = [cell_id(table, relation.for_each, item, t.key) for t in (*relation.left, *relation.right) if not t.previous]
    blamed, loc = suspect(report, relation, table, ids)
    cell = report.cells[blamed]
    where = relation_place(table, relation.for_each, item, relation.left[0].key)
    loc = loc or cell.loc or report.row_locs.get((table.key, blamed[1]))
    if len(relation.left) == 1 and not relation.left[0].previous:
        values = {"place": where, "expected": format_number(right), "found": format_number(left)}
        if all(t.previous for t in relation.right):  # a figure carried over: one of the two years is wrong (W201's hint)
            values["term"] = term_label(table, relation.for_each, relation.left[0])
    else:
        left_terms = " + ".join(term_label(table, relation.for_each, t) for t in relation.left)
        right_terms = " + ".join(term_label(table, relation.for_each, t) for t in relation.right)
        item_text = item_label(table, relation.for_each, item)
        values = {"item": item_text, "left_terms": left_terms, "left": format_number(left), "right_terms": right_terms, "right": format_number(right)}
    return Finding.of(relation.code, loc, cell=blamed, cells=tuple(ids), meaning=relation.meaning, **values)


def suspect(report: Report, relation: Relation, table: Table, ids: list[CellId]) -> tuple[CellId, Loc | None]:
    """The cell a broken relation is reported at, and where: a total the tool computed (the sum
    of many typed rows, as 办理结果总计 of the results), at the first of the rows it adds up;
    else the first cell typed."""
    for blamed in ids:
        parts = components(report, relation, table, blamed)
        if not report.cells[blamed].typed and parts:
            return blamed, next((report.cells[p].loc for p in parts if report.cells[p].loc), None)
    typed = [i for i in ids if report.cells[i].typed and report.cells[i].loc] or ids
    return typed[0], None


def components(report: Report, relation: Relation, table: Table, total: CellId) -> list[CellId]:
    """The cells another relation of the table adds up to `total` (in the same row or column)."""
    along = total[1] if relation.for_each == "row" else total[2]
    term = total[2] if relation.for_each == "row" else total[1]
    for other in report.format.relations:
        if other.table == table.key and other.for_each == relation.for_each and other is not relation and [t.key for t in other.left] == [term]:
            return [cell_id(table, other.for_each, along, t.key) for t in other.right if not t.previous]
    return []


def relation_place(table: Table, for_each: str, item: str, left_key: str) -> str:
    row, column = (item, left_key) if for_each == "row" else (left_key, item)
    return table.cell_title(row, column)


def pending_note(report: Report, previous: Report | None, relation: Relation, table: Table, item: str) -> Iterator[Finding]:
    term = relation.pending
    pending = previous.value(*cell_id(table, relation.for_each, item, term.key)) if previous else None
    if pending:
        here = cell_id(table, relation.for_each, item, term.key)
        loc = report.cells[here].loc or report.row_locs.get((table.key, item))
        item_text = item_label(table, relation.for_each, item)
        yield Finding.of(relation.code, loc, cell=here, item=item_text, column=table.column(term.key).label, pending=format_number(pending), meaning=relation.meaning)


def check_citations(report: Report) -> Iterator[Finding]:
    for _section, where, text in all_texts(report):
        for problem in citation_problems(report, text):
            loc = text.loc_of(problem.line_index, problem.column_index, problem.width)
            if problem.kind == "name":
                name = problem.name
                close = close_names(report.figure_names(), name)
                if close:
                    yield Finding.of("E013", loc, variant="close", where=where, name=name, close="、".join(close))
                else:
                    yield Finding.of("E013", loc, where=where, name=name)
            elif problem.kind == "filter":
                yield Finding.of("E054", loc, where=where, name=problem.name, filter=problem.filter, year_on_year=YEAR_ON_YEAR)
            else:
                yield Finding.of("E055", loc, where=where, name=problem.name, year_on_year=YEAR_ON_YEAR, agency=report.agency, last_year=report.year - 1)


COLUMN_SYNONYMS = {"合计": "总计", "小计": "总计", "总数": "总计", "共计": "总计"}  # what a writer may call a total column


def close_names(names: list[str], name: str) -> list[str]:
    """Up to three figure names to offer for an unknown one: the same row with the column of
    that meaning (合计 → 总计), the names closest in spelling, then others of the same row."""
    row, dot, column = name.partition(".")
    wanted = f"{row}{dot}{COLUMN_SYNONYMS.get(column, column)}"
    close = difflib.get_close_matches(wanted, names, n=3, cutoff=0.5)
    same_row = [n for n in names if name in n or n.split(".")[0] == row]
    return list(dict.fromkeys([n for n in names if n == wanted] + close + same_row))[:3]


def check_year_on_year(report: Report, previous: Report) -> Iterator[Finding]:
    """Key figures that moved sharply since last year (a note with both values, never blocking)."""
    rules = report.format.year_on_year
    for name in rules.get("figures", ()):
        now, last = report.figure(name), previous.figure(name)
        if now is None or last is None or abs(now - last) < rules["minimum"] or abs(now - last) < rules["ratio"] * last:
            continue
        row = name.partition(".")[0]
        table = report.format.row_index[row][0]
        place = figure_title(report, (name,))
        cell = (table.key, row, name.partition(".")[2] or table.columns[0].key)
        loc = report.cells[cell].loc or report.row_locs.get((table.key, row))
        unit = report.figure_unit(name)
        yield Finding.of("I220", loc, cell=cell, place=place, year=report.year, now=format_number(now), unit=unit, last_year=previous.year, last=format_number(last))


ALIKE = 0.9  # two sentences this similar count as the same


def sentences(text: str, left_out: tuple[str, ...]) -> list[str]:
    """A text's sentences folded for comparison; those holding the format's required wording left out."""
    return [folded for folded, _written in folded_sentences(text, left_out, 5)]


def section_sentences(report: Report, key: str, left_out: tuple[str, ...]) -> list[str]:
    texts = [report.texts[key].value] if key in report.texts else [t.value for t in report.parts.get(key, {}).values()]
    return [s for text in texts for s in sentences(text, left_out)]


def alike(sentence: str, other: str) -> bool:
    """The same sentence but for a few characters (the cheap upper bounds first)."""
    matcher = difflib.SequenceMatcher(None, sentence, other, autojunk=False)
    return matcher.real_quick_ratio() >= ALIKE and matcher.quick_ratio() >= ALIKE and matcher.ratio() >= ALIKE


def check_similar_texts(report: Report, previous: Report) -> Iterator[Finding]:
    """内容雷同: narrative copied from last year's report, the format's required wording left out."""
    rules = report.format.year_on_year
    if "similar" not in rules:
        return
    left_out = required_wording(report)
    for section, where, text in all_texts(report):
        last = section_sentences(previous, section.key, left_out)
        now = sentences(text.value, left_out)
        total = sum(map(len, now))
        if not last or total < rules["min_chars"]:
            continue
        same = sum(len(s) for s in now if any(alike(s, old) for old in last))
        if same / total >= rules["similar"]:
            yield Finding.of("W208", text.loc, where=where, last_year=previous.year, percent=same * 100 // total)


def computed_totals(report: Report) -> Computed:
    """The totals a relation contradicts (E101, E103: a total not the sum of its parts), with the
    sum the relation computes: a narrative that states the sum is right, the typed total wrong."""
    computed = {}
    for relation in report.format.relations:
        if relation.needs_previous or relation.pending is not None or len(relation.left) != 1:
            continue
        table = report.format.tables[relation.table]
        for item in items_of(table, relation.for_each):
            left = side_sum(report, None, relation, item, relation.left)
            right = side_sum(report, None, relation, item, relation.right)
            if left is not None and right is not None and left != right:
                computed[cell_id(table, relation.for_each, item, relation.left[0].key)] = right
    return computed


def check_narrative_figures(report: Report) -> Iterator[Finding]:
    """W301 and W303: numbers typed beside words that name a figure, against the table (or, where
    the table contradicts itself, against what its relations compute); a whole area's figures
    only in that area's government's report."""
    vocab = vocabulary(report.format)
    kind = report.kind or report.format.kind_of(report.agency)
    computed = computed_totals(report)
    for section, where, text in all_texts(report):
        for typed in typed_figures(text, report.format, part_of(report, section, text)):
            mention = typed.mention
            if not counts_own_table(mention, kind, report.agency, vocab):
                continue
            sums = [figure_sum(report, names) for names in mention.figures]
            if any(s is None for s in sums):
                continue
            sums_computed = [figure_sum(report, names, computed) for names in mention.figures]
            if mention.number not in sums and mention.number not in sums_computed:
                shown = "；".join(f"{figure_title(report, names)}为 {format_number(s)}" for names, s in zip(mention.figures, sums, strict=True))
                loc = text.loc_of(typed.line_index, mention.start, len(mention.typed))
                differ = [format_number(c) for s, c in zip(sums, sums_computed, strict=True) if c != s]
                if differ:
                    yield Finding.of("W301", loc, variant="inconsistent", where=where, phrase=mention.phrase, table=shown, computed="、".join(differ))
                else:
                    yield Finding.of("W301", loc, where=where, phrase=mention.phrase, table=shown)
            elif mention.share and mention.share_of:
                yield from check_share(report, where, text, typed.line_index, mention)


def check_share(report: Report, where: str, text: Text, line_index: int, mention: Mention) -> Iterator[Finding]:
    """W303: a share stated after a figure ("予以公开 42 件，占 51.85%"), recomputed from the table."""
    part, whole = mention.number, figure_value(report, mention.share_of)
    if not whole or stated_share_is_right(mention.share, part, whole):
        return
    right = format(share_percent(part, whole, len(mention.share.partition(".")[2])), "f")
    yield Finding.of(
        "W303",
        text.loc_of(line_index, mention.share_start, len(mention.share) + 1),
        where=where,
        phrase=mention.phrase,
        share=mention.share,
        part=format_number(part),
        whole_title=figure_title(report, (mention.share_of,)),
        whole=format_number(whole),
        right=right,
    )


def figure_title(report: Report, names: tuple[str, ...]) -> str:
    titles = []
    for name in names:
        row_key, _, column_key = name.partition(".")
        group = row_group(report.format, row_key)
        if group is not None:
            table, found = group
            titles.append(f"{found.label}「{table.column(column_key).label}」")
            continue
        table, _row = report.format.row_index[row_key]
        column = table.column(column_key) if column_key else table.columns[0]
        titles.append(relation_place(table, "row", row_key, column.key))
    return " + ".join(titles)


def is_placeholder(report: Report, text: str) -> bool:
    folded = normalize_label(text).rstrip("。.")
    return not folded or folded in report.format.placeholders


def check_completeness(report: Report) -> Iterator[Finding]:
    for section in report.format.sections:
        here = report.section_locs.get(section.key)
        if section.kind == "parts" and section.key in report.texts:
            yield Finding.of("W402", here, variant="whole", section=section.heading, headings="、".join(p.heading for p in section.parts), keys="、".join(p.key for p in section.parts))
        if section.kind == "parts" and section.key in report.parts:
            for part in section.parts:
                if part.key not in report.parts[section.key]:
                    yield Finding.of("W402", here, variant="missing", section=section.heading, number=part.number, heading=part.heading, key=part.key)
        mention = section.must_mention
        text = report.texts.get(section.key)
        if mention and text is not None and not any(w in text.value for w in mention.words):
            yield Finding.of(mention.code, text.loc, section=section.heading)
    for section, where, text in all_texts(report):
        if section.required and is_placeholder(report, text.value):
            if text.value.strip():
                yield Finding.of(report.format.completeness["placeholder"], text.loc, where=where, written=text.value.strip())
            else:
                yield Finding.of(report.format.completeness["empty"], text.loc, where=where)
    yield from check_deadline(report)


def check_deadline(report: Report) -> Iterator[Finding]:
    if report.published is None or not report.year:
        return
    fmt = report.format
    kind = report.kind or fmt.kind_of(report.agency)
    month, day = fmt.deadlines[kind]
    deadline = date(report.year + 1, month, day)
    loc: Loc | None = report.field_locs.get("published")
    if report.published > deadline:
        yield Finding.of("W404", loc, published=report.published, kind=kind, deadline=deadline)
    elif report.published.year <= report.year:
        yield Finding.of("W405", loc, published=report.published, year=report.year)

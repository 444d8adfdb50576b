"""The validator: table relations, continuity with last year, narrative and completeness."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from datetime import date

from .findings import Finding
from .format import Relation, Table, Term, normalize_label
from .narrative import (
    YEAR_ON_YEAR,
    Mention,
    all_texts,
    citation_problems,
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
)
from .report import CellId, Loc, Report, Text, cell_id, items_of, side_sum


def check_report(report: Report, previous: Report | None = None) -> list[Finding]:
    """Every finding about a loaded report; never raises for what the user wrote."""
    findings: list[Finding] = []
    if previous is not None and not is_previous_year(report, previous):
        findings.append(
            Finding(
                "E053",
                f"作为上年报告的是{previous.agency} {previous.year} 年度的报告，本报告是{report.agency} {report.year} 年度",
                report.field_locs.get("year"),
                f"跨年核对应使用{report.agency} {report.year - 1} 年度的报告",
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
    if len(relation.left) == 1 and not relation.left[0].previous:
        message = f"{where}应为 {format_number(right)}（{relation.meaning}），实为 {format_number(left)}"
        hint = f"把 {format_number(left)} 改为 {format_number(right)}，或核对参与求和的各项"
        if all(t.previous for t in relation.right):  # a figure carried over: one of the two years is wrong
            hint = (
                f"本年的「{term_label(table, relation.for_each, relation.left[0])}」应等于{relation.meaning}：改正填错的一方"
                f"（本年的 {format_number(left)}，或上年表单中的 {format_number(right)}）；确有差异的，在“已核对:”中写明理由"
            )
    else:
        left_text = " + ".join(term_label(table, relation.for_each, t) for t in relation.left)
        right_text = " + ".join(term_label(table, relation.for_each, t) for t in relation.right)
        message = (
            f"{item_label(table, relation.for_each, item)}：{left_text} = {format_number(left)}，"
            f"{right_text} = {format_number(right)}，两者应相等（{relation.meaning}）"
        )
        hint = "核对这一列中各项的数字"
    return Finding(relation.code, message, loc or cell.loc or report.row_locs.get((table.key, blamed[1])), hint, cell=blamed, cells=tuple(ids))


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
    return f"{table.row_title(row)}「{table.column(column).label}」"


def pending_note(report: Report, previous: Report | None, relation: Relation, table: Table, item: str) -> Iterator[Finding]:
    term = relation.pending
    pending = previous.value(*cell_id(table, relation.for_each, item, term.key)) if previous else None
    if pending:
        here = cell_id(table, relation.for_each, item, term.key)
        loc = report.cells[here].loc or report.row_locs.get((table.key, item))
        yield Finding(
            relation.code,
            f"{item_label(table, relation.for_each, item)}：上年「{table.column(term.key).label}」{format_number(pending)} 件（{relation.meaning}）",
            loc,
            cell=here,
        )


def check_citations(report: Report) -> Iterator[Finding]:
    for _section, where, text in all_texts(report):
        for problem in citation_problems(report, text):
            loc = text.loc_of(problem.line_index, problem.column_index, problem.width)
            if problem.kind == "name":
                name = problem.name
                close = close_names(report.figure_names(), name)
                hint = ("可用的名称如：" + "、".join(close)) if close else "名称为“行.列”，例如 本年新收.总计、行政许可、机关、年度"
                yield Finding("E013", f"{where}引用了未知的数字「{name}」", loc, hint)
            elif problem.kind == "filter":
                yield Finding(
                    "E054",
                    f"{where}的「{problem.name} | {problem.filter}」中，「{problem.filter}」不能用于「{problem.name}」",
                    loc,
                    f"可用的只有表格数字的「| {YEAR_ON_YEAR}」，例如 {{{{ 本年新收.总计 | {YEAR_ON_YEAR} }}}}",
                )
            else:
                yield Finding(
                    "E055",
                    f"{where}的「{problem.name} | {YEAR_ON_YEAR}」需要上年报告，但没有找到{report.agency} {report.year - 1} 年度的报告",
                    loc,
                    "把上年的表单或已公开的报告（.yaml/.pdf/.docx/.html/.txt）放在同一文件夹，或用 --previous 指定",
                )


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
        yield Finding(
            "I220",
            f"{place}：{report.year} 年 {format_number(now)} {unit}，{previous.year} 年 {format_number(last)} {unit}，变化较大",
            loc,
            "核对数字；变化属实的，可在文字中说明原因",
            cell=cell,
        )


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
            yield Finding(
                "W208",
                f"「{where}」与 {previous.year} 年度报告的同一部分 {same * 100 // total}% 相同（内容雷同）",
                text.loc,
                "按本年度的实际工作重新撰写，写明本年的新做法、新数据",
            )


def check_narrative_figures(report: Report) -> Iterator[Finding]:
    for section, where, text in all_texts(report):
        for typed in typed_figures(text, report.format, part_of(report, section, text)):
            mention = typed.mention
            sums = [figure_sum(report, names) for names in mention.figures]
            if any(s is None for s in sums):
                continue
            if mention.number not in sums:
                shown = "；".join(f"{figure_title(report, names)}为 {format_number(s)}" for names, s in zip(mention.figures, sums, strict=True))
                yield Finding(
                    "W301",
                    f"{where}中“{mention.phrase}”与表格不符：{shown}",
                    text.loc_of(typed.line_index, mention.start, len(mention.typed)),
                    "核对叙述与表格；可写成 {{ 名称 }} 直接引用表格数字，例如 {{ 本年新收.总计 }}",
                )
            elif mention.share and mention.share_of:
                yield from check_share(report, where, text, typed.line_index, mention)


def check_share(report: Report, where: str, text: Text, line_index: int, mention: Mention) -> Iterator[Finding]:
    """W303: a share stated after a figure ("予以公开 42 件，占 51.85%"), recomputed from the table."""
    part, whole = mention.number, figure_value(report, mention.share_of)
    if not whole or stated_share_is_right(mention.share, part, whole):
        return
    right = format(share_percent(part, whole, len(mention.share.partition(".")[2])), "f")
    yield Finding(
        "W303",
        f"{where}中“{mention.phrase}”后写的“{mention.share}%”与表格不符：{format_number(part)} 占{figure_title(report, (mention.share_of,))} "
        f"{format_number(whole)} 的 {right}%",
        text.loc_of(line_index, mention.share_start, len(mention.share) + 1),
        f"改为 {right}%，或核对所引的数字",
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
            yield Finding(
                "W402",
                f"「{section.heading}」没有按（一）至（五）分项填写：" + "、".join(p.heading for p in section.parts),
                here,
                "按格式要求把总体情况分为" + "、".join(p.key for p in section.parts) + "五项填写",
            )
        if section.kind == "parts" and section.key in report.parts:
            for part in section.parts:
                if part.key not in report.parts[section.key]:
                    yield Finding(
                        "W402",
                        f"「{section.heading}」缺少第（{part.number}）项「{part.heading}」",
                        here,
                        f"添加“{part.key}: |”并写明{part.heading}",
                    )
        mention = section.must_mention
        text = report.texts.get(section.key)
        if mention and text is not None and not any(w in text.value for w in mention.words):
            yield Finding(mention.code, f"「{section.heading}」{mention.message}", text.loc, mention.hint)
    for section, where, text in all_texts(report):
        if section.required and is_placeholder(report, text.value):
            shown = f"只写了「{text.value.strip()}」" if text.value.strip() else "是空的"
            yield Finding(report.format.completeness["placeholder" if text.value.strip() else "empty"], f"「{where}」{shown}", text.loc, "条例第五十条要求如实报告这部分内容；确实没有的，也应具体说明情况")
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
        yield Finding(
            "W404",
            f"发布日期 {report.published} 晚于{kind}年度报告的公布期限 {deadline}（条例第四十九条）",
            loc,
            "按期限公布；如为地方政府的本级年度报告，可写“报告类型: 地方政府”",
        )
    elif report.published.year <= report.year:
        yield Finding("W405", f"发布日期 {report.published} 早于 {report.year} 年度结束", loc, "核对发布日期与年度")

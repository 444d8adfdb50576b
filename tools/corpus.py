"""A corpus of published-report texts in the shapes real reports arrive in, rendered from a
Report by a generator of our own, and the tally of how each cell came back from `import`.

Run `.venv/bin/python -m tools.corpus` for the tally over every example in every shape."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

from generator.format import Table
from generator.importer.parse import BY_LABEL, Extraction, extract
from generator.importer.sources import Line
from generator.narrative import format_number
from generator.report import Report

Row = tuple[list[str], str, list[str]]  # group labels printed first, row label, cells
GARBLED = {
    "予以公开": "（一）予以公三、本年度办理结果开",  # the vertical group label read into the row
    "属于国家秘密": "1.属于国（三）不予公开家秘密",
    "其他法律行政法规禁止公开": "2.其他法律行政止公开",  # characters lost
}
SPLIT_OVER_THREE_LINES = "逾期不补正"
BOGUS_HEADER = ["列1", "列2", "列3", "列4", "列5", "列6", "列7", "列8", "列9"]


def number(value) -> str:
    return "" if value is None else format_number(value)


def table_rows(report: Report, table: Table) -> list[Row]:
    out = []
    for row in table.rows:
        groups = [g.label for g in table.groups_of_row(row.key) if g.members[0] == row.key]
        cells = [number(report.value(table.key, row.key, c.key)) for c in table.columns]
        out.append((groups, row.label, cells))
    return out


def header_rows(table: Table) -> list[list[str]]:
    if table.layout == "one_row":
        groups = [g.label for g in table.row_groups]
        return [[table.rows[0].label, *groups], [c.label for c in table.columns] * len(table.rows)]
    if table.column_groups:
        return [[table.note, table.column_groups[0].label], [table.columns[0].label, table.column_groups[1].label, table.columns[-1].label], [c.label for c in table.columns[1:-1]]]
    return [[table.caption], [table.corner, *(c.label for c in table.columns)]]


def blocks(report: Report) -> list[tuple[str, object]]:
    """The report as ("heading", text), ("text", text) and ("table", Table) blocks in print order."""
    fmt = report.format
    out: list[tuple[str, object]] = [("title", report.title or fmt.make_title(report.agency, report.year))]
    for section in fmt.sections:
        if not section.number:
            if report.texts.get(section.key) and report.texts[section.key].value:
                out.append(("text", report.texts[section.key].value))
            continue
        out.append(("heading", section.heading))
        if section.kind == "parts":
            parts = report.parts.get(section.key, {})
            if section.key in report.texts:  # written as one text, not in parts
                out.append(("text", report.texts[section.key].value))
            if section.intro in parts:
                out.append(("text", parts[section.intro].value))
            for part in section.parts:
                if part.key in parts:
                    out.append(("part", part.title))
                    out.append(("text", parts[part.key].value))
        elif section.kind == "text":
            out.append(("text", report.texts[section.key].value if section.key in report.texts else ""))
        else:
            out += [("table", table) for table in fmt.tables_of(section)]
    return out


def plain(report: Report, row_hook: Callable[[Table, Row], list[str]] | None = None, joiner: str = "\t") -> str:
    """Lines as a PDF's text layer gives them, table cells joined by `joiner`."""
    lines = []
    for kind, value in blocks(report):
        if kind != "table":
            lines += str(value).split("\n")
            continue
        table = value
        lines += [joiner.join(cells) for cells in header_rows(table)]
        if table.layout == "one_row":
            lines.append(joiner.join(cell for _g, _l, cells in table_rows(report, table) for cell in cells))
            continue
        for row in table_rows(report, table):
            lines += row_hook(table, row) if row_hook else [joiner.join([*row[0], row[1], *row[2]])]
    return "\n".join(lines)


def one_line(report: Report) -> str:
    """An archive text: the whole report one line, each row's digits run together."""
    pieces = []
    for kind, value in blocks(report):
        if kind != "table":
            pieces.append(str(value).replace("\n", ""))
            continue
        table = value
        pieces += ["".join(cells) for cells in header_rows(table)]
        rows = table_rows(report, table)
        if table.layout == "one_row":
            pieces.append("".join(cell for _g, _l, cells in rows for cell in cells))
        else:
            pieces += ["".join(groups) + label + "".join(cells) for groups, label, cells in rows]
    return "".join(pieces)


def markdown(report: Report) -> str:
    """A PDF-to-Markdown converter's output: # headings, pipe tables under a made-up header
    repeated in the middle, some rows' numbers on a bare pipe line under their label."""
    lines = []

    def pipe(cells: list[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    for kind, value in blocks(report):
        if kind == "title":
            lines.append(f"# {value}")
        elif kind == "heading":
            lines.append(f"## {value}")
        elif kind == "part":
            lines.append(f"### **{value}**")
        elif kind == "text":
            lines += ["", *str(value).split("\n"), ""]
        else:
            table = value
            width = len(table.columns) + table.label_columns
            bogus = pipe(BOGUS_HEADER[:width])
            lines += ["", bogus, pipe(["---"] * width), *(pipe(cells) for cells in header_rows(table))]
            rows = table_rows(report, table)
            if table.layout == "one_row":
                lines.append(pipe([cell for _g, _l, cells in rows for cell in cells]))
            for index, (groups, label, cells) in enumerate([] if table.layout == "one_row" else rows):
                if index == len(rows) // 2:
                    lines.append(bogus)
                if index % 4 == 3:
                    lines += [pipe([*groups, label]), pipe(cells)]
                else:
                    lines.append(pipe([*groups, label, *cells]))
            lines.append("")
    return "\n".join(lines)


def garbled(report: Report) -> str:
    """Labels as broken PDF text layers print them: a group label read into a row's label,
    characters missing, a long label over three lines with its numbers on the middle one."""
    keys = {r.label: r.key for t in report.format.tables.values() for r in t.rows}

    def row(table: Table, row: Row) -> list[str]:
        groups, label, cells = row
        key = keys[label]
        if key in GARBLED:
            return ["\t".join([GARBLED[key], *cells])]
        if key == SPLIT_OVER_THREE_LINES:
            third = len(label) // 3
            return ["".join(groups) + label[:third], "\t".join([label[third : 2 * third], *cells]), label[2 * third :]]
        return ["\t".join([*groups, label, *cells])]

    return plain(report, row)


def vertical_labels(report: Report) -> str:
    """Group labels printed vertically, read by the PDF's text layer one character into each row
    they span (before the row's label on one row, after it on the next)."""
    table = report.format.tables["申请处理"]
    spelled = {}
    for group in table.row_groups:
        for index, key in enumerate(group.members):
            if index < len(group.label):
                spelled.setdefault(key, []).append((index, group.label[index]))

    def row(table: Table, row: Row) -> list[str]:
        _groups, label, cells = row
        key = next((r.key for r in table.rows if r.label == label), "")
        for index, ch in spelled.get(key, []):
            label = ch + label if index % 2 else label + ch
        return ["\t".join([label, *cells])]

    return plain(report, row)


def single_six(report: Report) -> str:
    """（六）其他处理 printed as one row, its three sub-rows added up."""
    table = report.format.tables["申请处理"]
    group = next(g for g in table.row_groups if g.key == "其他处理")

    def row(table: Table, row: Row) -> list[str]:
        groups, label, _cells = row
        key = next(r.key for r in table.rows if r.label == label)
        if key == group.members[0]:
            sums = [number(sum(report.value(table.key, m, c.key) for m in group.members)) for c in table.columns]
            return ["\t".join([group.label, *sums])]
        if key in group.members:
            return []
        return ["\t".join([*groups, label, *row[2]])]

    return plain(report, row)


def web_page(report: Report) -> str:
    """A web page saved as text, cells joined by " | ": the 法人或其他组织 columns left blank where
    they are 0, and the 总计 of every third row left blank."""
    table = report.format.tables["申请处理"]
    legal = [i for i, c in enumerate(table.columns) if c.key in table.column_groups[1].members]

    def row(table: Table, row: Row) -> list[str]:
        groups, label, cells = row
        if table.key != "申请处理":
            return [" | ".join([*groups, label, *cells])]
        cells = ["" if i in legal and cell == "0" else cell for i, cell in enumerate(cells)]
        if table.rows.index(next(r for r in table.rows if r.label == label)) % 3 == 2:
            cells[-1] = ""
        return [" | ".join([*groups, label, *cells]) + " |"]

    return plain(report, row, " | ")


def run_in_headings(report: Report) -> str:
    """Section headings with the first paragraph (or part heading) run into them on one line."""
    headings = [s.heading for s in report.format.sections if s.number]
    return re.sub(f"^({'|'.join(map(re.escape, headings))})\n(?=\\S)", r"\1", plain(report), flags=re.M)


def one_line_single_six(report: Report) -> str:
    """An archive text of a report that printed （六）其他处理 as one row."""
    return single_six(report).replace("\n", "").replace("\t", "")


SHAPES: dict[str, Callable[[Report], str]] = {
    "plain": plain,
    "one-line": one_line,
    "markdown": markdown,
    "web-page": web_page,
    "garbled-labels": garbled,
    "vertical-labels": vertical_labels,
    "single-six": single_six,
    "run-in-headings": run_in_headings,
    "one-line-single-six": one_line_single_six,
}


def import_text(text: str, name: str = "corpus.txt") -> Extraction:
    from generator.format import load_format

    lines = [Line(t, f"第 {i} 行") for i, t in enumerate(text.split("\n"), 1)]
    return extract(lines, load_format(), name)


def tally(expected: Report, result: Extraction) -> Counter:
    """Each figure of the expected report as it came back: exact (read by its label), inferred
    (by position, a cut of digits, or the arithmetic), reported (left empty), or wrong."""
    counts: Counter = Counter()
    for cell_id, cell in expected.cells.items():
        if cell.value is None:
            continue
        got = result.report.cells[cell_id].value
        if got is None:
            counts["reported"] += 1
        elif got != cell.value:
            counts["wrong"] += 1
        else:
            counts["exact" if result.how.get(cell_id) == BY_LABEL else "inferred"] += 1
    return counts


def squeezed_narrative(report: Report) -> dict[str, str]:
    texts = {key: re.sub(r"\s+", "", text.value) for key, text in report.texts.items() if text.value}
    texts.update({f"{s}.{p}": re.sub(r"\s+", "", t.value) for s, parts in report.parts.items() for p, t in parts.items() if t.value})
    return texts


def main() -> None:
    from generator.services import check_file
    from tests.conftest import EXAMPLES

    total: Counter = Counter()
    for shape, render in SHAPES.items():
        counts: Counter = Counter()
        for example in EXAMPLES:
            expected = check_file(str(example)).report
            counts += tally(expected, import_text(render(expected)))
        total += counts
        print(f"{shape:20} " + " ".join(f"{k}={counts[k]}" for k in ("exact", "inferred", "reported", "wrong")))
    print(f"{'all':20} " + " ".join(f"{k}={total[k]}" for k in ("exact", "inferred", "reported", "wrong")))


if __name__ == "__main__":
    main()

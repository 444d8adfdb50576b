"""The form as a browser edits it: its values out of the YAML text, edits written back into
that text in place (comments, key order, alignment, line endings and anything else the user
wrote are kept), and the findings placed beside the cell, text or field they are about.

Each edited value is located by the form reader's own nodes (libyaml marks: the keys as the
reader understands them, misspellings and numbering included) and replaced where it stands; the
new value, and any entry that has to be added, is written by ruamel.yaml's round-trip emitter.
A whole-document round trip through ruamel is not used: it re-flows the aligned table rows and
the spacing after keys, lines the edit never touched."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scalarstring import LiteralScalarString

from ..acknowledge import KEY
from ..findings import Finding
from ..form import NULLS, FormReader, read_text
from ..format import Format, Section, Table
from ..limits import clean_text, one_line
from ..narrative import format_number
from ..report import Report

Edits = dict[str, dict[str, str]]  # {"fields": {key: text}, "texts": {target: text}, "cells": {"表/行/列": text}}
KINDS = {"fields": "项目", "texts": "文字", "cells": "单元格"}
BREAK = re.compile(r"\r\n|\n|\r")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
Change = tuple[int, int, str]  # (start, end, replacement with "\n" line breaks)


class EditError(ValueError):
    """Edits that are not well-formed: not an object, a key that names nothing in the form, a list
    or an object where a number or a text belongs. `message_zh` says what is wrong (for a 400)."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh


def cell_target(table: str, row: str, column: str) -> str:
    return f"{table}/{row}/{column}"


def text_target(section: str, part: str = "") -> str:
    return f"{section}/{part}" if part else section


@dataclass
class Spans:
    """Where each value of the form stands in its text (libyaml nodes, with start and end)."""

    root: yaml.MappingNode | None = None
    fields: dict[str, yaml.Node] = field(default_factory=dict)
    sections: dict[str, yaml.Node] = field(default_factory=dict)
    rows: dict[str, yaml.Node] = field(default_factory=dict)
    texts: dict[str, yaml.Node] = field(default_factory=dict)
    acknowledgements: yaml.Node | None = None


class SpanReader(FormReader):
    """The form reader, noting the node of every field, section, row and text it reads."""

    def __init__(self, fmt: Format, name: str, text: str):
        super().__init__(fmt, name, text)
        self.spans = Spans()
        self.section_of = {s.heading: s.key for s in fmt.sections}
        self.parts_section = {p: s.key for s in fmt.sections for p in (*(part.key for part in s.parts), s.intro) if p}

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None:
        self.spans.root = root
        for key, (_key_node, value) in entries.items():
            target = self.spans.sections if key in self.section_of.values() else self.spans.fields
            target[key] = value
        super().read_fields(entries, root)

    def read_acknowledgements(self, node: yaml.Node) -> None:
        self.spans.acknowledgements = node
        super().read_acknowledgements(node)

    def read_row(self, table: Table, row_key: str, node: yaml.Node) -> None:
        self.spans.rows[row_key] = node
        super().read_row(table, row_key, node)

    def text_value(self, node: yaml.Node, what: str):
        if what in self.section_of:
            self.spans.texts[text_target(self.section_of[what])] = node
        elif what in self.parts_section:
            self.spans.texts[text_target(self.parts_section[what], what)] = node
        return super().text_value(node, what)


def read_with_spans(text: str, name: str) -> tuple[Report, list[Finding], Spans]:
    """Like parse_form (raises InputError the same way), with the spans of every value."""
    reader = read_text(text, name, SpanReader)
    return reader.report, reader.findings, reader.spans


def form_state(report: Report) -> Edits:
    """The values the browser shows: every typed cell (totals left out are computed, not shown as typed)."""
    fmt = report.format
    fields = {f.key: str(getattr(report, f.attribute) or "") for f in fmt.fields if f.attribute}  # a date prints as YYYY-MM-DD
    texts = {text_target(k): t.value for k, t in report.texts.items()}
    texts |= {text_target(s, p): t.value for s, parts in report.parts.items() for p, t in parts.items()}
    cells = {}
    for table in fmt.tables.values():
        for row in table.rows:
            for column in table.columns:
                cell = report.cells.get((table.key, row.key, column.key))
                typed = cell is not None and cell.typed and cell.loc is not None and cell.value is not None
                cells[cell_target(table.key, row.key, column.key)] = format_number(cell.value) if typed else ""
    return {"fields": fields, "texts": texts, "cells": cells}


def computed_cells(report: Report) -> dict[str, str]:
    """Every cell's value after the totals are computed, as the printed report shows it."""
    return {cell_target(*cell_id): format_number(cell.value) for cell_id, cell in report.cells.items() if cell.value is not None}


class PlainResolver(BaseResolver):
    """Plain scalars as the form reader reads them: text, except the empty ones (null, ~). ruamel
    then quotes a value only where YAML's syntax needs it: 2024 and 2025-01-20 stay plain."""

    def __init__(self, version=None, loader=None) -> None:
        super().__init__(loader)


PlainResolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile("^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])


class Writer:
    """Values and entries as ruamel.yaml's round-trip emitter writes them (lines joined by "\\n")."""

    def __init__(self) -> None:
        self.yaml = YAML(typ="rt")
        self.yaml.Resolver = PlainResolver
        self.yaml.width = 2**31 - 1  # no line is ever folded
        self.yaml.indent(mapping=2, sequence=4, offset=2)

    def entry(self, key: str, value: object) -> str:
        """`key: value`, a block value on the lines after it indented by two spaces."""
        out = io.StringIO()
        self.yaml.dump({key: value}, out)
        return out.getvalue().rstrip("\n")

    def value(self, value: object, indent: int) -> str:
        """The value as written after `key: ` on a line indented by `indent` ("" for an empty value)."""
        return indented(self.entry("k", value)[len("k:") :].removeprefix(" "), indent)

    def text(self, value: LiteralScalarString | str, indent: int) -> str:
        """A text's value: a literal block whose first line may start with a tab gets its indentation
        indicator (libyaml refuses the tab where it is still working out the block's indentation)."""
        written = self.value(value, indent)
        return "|2" + written[1:] if re.match(r"\|\n *\t", written) else written

    def text_entry(self, key: str, value: LiteralScalarString | str) -> str:
        return self.entry(key, None) + " " + self.text(value, 0)

    def item(self, value: str | None) -> str:
        """One item of a flow-style list."""
        return self.entry("k", flow(CommentedSeq([value])))[len("k: [") : -1]

    def list_item(self, value: dict) -> str:
        """One item of a block-style list, its `-` at the start."""
        lines = self.entry("k", [value]).split("\n")[1:]
        return "\n".join(line[2:] for line in lines)


def flow(collection: CommentedSeq | CommentedMap) -> CommentedSeq | CommentedMap:
    collection.fa.set_flow_style()
    return collection


def indented(text: str, indent: int) -> str:
    """Every line after the first indented by `indent` more spaces (empty lines left empty)."""
    return re.sub(r"\n(?=[^\n])", "\n" + " " * indent, text)


def well_formed(edits: object, fmt: Format) -> Edits:
    """The edits, every key naming a field, text or cell of the format and every value a text
    (a JSON number or null is taken as the text it stands for); EditError otherwise."""
    if not isinstance(edits, dict):
        raise EditError(f"修改内容应为“键: 值”对象（fields、texts、cells），实为{json_kind(edits)}")
    known = {
        "fields": {f.key for f in fmt.fields},
        "texts": {target for section in fmt.sections if section.kind != "tables" for target, _part in text_targets(section)},
        "cells": {cell_target(t.key, r.key, c.key) for t in fmt.tables.values() for r in t.rows for c in t.columns},
    }
    result: Edits = {}
    for kind, values in edits.items():
        if kind not in KINDS:
            raise EditError(f"修改内容中有未知的类别「{str(kind)[:40]}」：只能是 fields、texts、cells")
        if not isinstance(values, dict):
            raise EditError(f"修改内容中的「{kind}」应为“键: 值”对象，实为{json_kind(values)}")
        result[kind] = {}
        for key, value in values.items():
            if key not in known[kind]:
                shape = "（应写成“表/行/列”）" if kind == "cells" else ""
                raise EditError(f"修改内容中的「{str(key)[:60]}」不是这份表单中的{KINDS[kind]}{shape}")
            if isinstance(value, bool) or not isinstance(value, str | int | float | None):
                belongs = "一个数字" if kind == "cells" else "一段文字"
                raise EditError(f"「{key}」应为{belongs}，实为{json_kind(value)}")
            result[kind][key] = "" if value is None else str(value)
    return result


def json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "对象（{…}）"
    if isinstance(value, list):
        return "列表（[…]）"
    if isinstance(value, bool):
        return "真假值"
    return "文字" if isinstance(value, str) else "数字" if isinstance(value, int | float) else "空值"


def text_targets(section: Section) -> list[tuple[str, str]]:
    """(target, part) of every text a section may hold: the whole section, its intro and its parts."""
    parts = [p for p in (section.intro, *(part.key for part in section.parts)) if p]
    return [(text_target(section.key), "")] + [(text_target(section.key, p), p) for p in parts]


def cell_value(text: str) -> str | None:
    """What the user typed in a number cell: full-width characters folded; empty → None (null)."""
    return unicodedata.normalize("NFKC", text).strip() or None


def field_value(text: str) -> str | None:
    """A field's one line of text; empty → None (the key is left without a value)."""
    return one_line(text).strip() or None


def narrative_value(text: str) -> LiteralScalarString | str:
    """A text as a literal block (`|`), one line a paragraph, trailing spaces and blank lines at
    either end dropped ("" when nothing is left)."""
    body = "\n".join(line.rstrip() for line in clean_text(text).split("\n")).strip("\n")
    return LiteralScalarString(body + "\n") if body else ""


def row_value(table: Table, values: dict[str, str]) -> CommentedSeq | str | None:
    """A row as the form writes it: the single number, or the list, its totals only where typed."""
    if table.single_column:
        return cell_value(values[table.columns[0].key])
    typed_total = any(values[c.key].strip() for c in table.columns if c.total)
    return flow(CommentedSeq(cell_value(values[c.key]) for c in table.columns if typed_total or not c.total))


def apply_edits(text: str, name: str, edits: object) -> str:
    """The form's text with the edited values written in place; everything else as it was, line
    endings included. Raises EditError for edits that are not well-formed."""
    report, _findings, spans = read_with_spans(text, name)
    fmt = report.format
    wanted = well_formed(edits, fmt)
    state = form_state(report)
    changed = {kind: {k: v for k, v in wanted.get(kind, {}).items() if state[kind].get(k, "") != v} for kind in KINDS}
    writer = Writer()
    changes = field_changes(text, fmt, spans, changed["fields"], writer)
    for section in fmt.sections:
        if section.kind == "tables":
            changes += table_changes(text, fmt, section, spans, changed["cells"], state["cells"], writer)
        else:
            changes += text_changes(text, section, spans, changed["texts"], writer)
    return spliced(text, changes)


def spliced(text: str, changes: list[Change]) -> str:
    """The text with the changes made (from the end), their line breaks the text's own."""
    newline = line_break(text)
    for start, end, replacement in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
        text = text[:start] + replacement.replace("\n", newline) + text[end:]
    return text


def line_break(text: str) -> str:
    """The text's line break (its first one): CR LF, LF or CR."""
    found = BREAK.search(text)
    return found.group() if found else "\n"


def line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends (before its line break)."""
    found = BREAK.search(text, index)
    return found.start() if found else len(text)


def span(text: str, node: yaml.Node) -> tuple[int, int]:
    """The node's characters, without the line break and indentation libyaml counts after a block."""
    start, end = node.start_mark.index, node.end_mark.index
    return start, start + len(text[start:end].rstrip())


def indent_of(text: str, node: yaml.Node) -> int:
    """The indentation of the line the node starts on."""
    start = max(text.rfind("\n", 0, node.start_mark.index), text.rfind("\r", 0, node.start_mark.index)) + 1
    line = text[start : node.start_mark.index]
    return len(line) - len(line.lstrip(" "))


def value_change(text: str, node: yaml.Node, replacement: str) -> Change:
    """A value replaced where it stands: emptied, its key is left as `key:`; an empty value right
    after its key's colon gets the space before it."""
    start, end = span(text, node)
    if not replacement:
        while start > 0 and text[start - 1] in " \t":
            start -= 1
    elif start == end and text[start - 1 : start] == ":":
        replacement = " " + replacement
    return start, end, replacement


def item_change(text: str, node: yaml.Node, replacement: str) -> Change:
    """A list item replaced; a number right-aligned in the spaces before it stays aligned when the
    new value fits there."""
    start, end = node.start_mark.index, node.end_mark.index
    pad = len(text[:start]) - len(text[:start].rstrip(" "))
    opener = text[start - pad - 1 : start - pad]
    if opener not in ("[", ",") or not NUMBER.fullmatch(text[start:end]):
        return start, end, replacement
    first = start - pad + (opener == ",")  # one space stays after a comma
    return first, end, replacement.rjust(end - first)


def field_changes(text: str, fmt: Format, spans: Spans, fields: dict[str, str], writer: Writer) -> list[Change]:
    """The edited fields in place; a field the form leaves out goes after the last field it has."""
    changes, missing = [], []
    for key in (f.key for f in fmt.fields if f.key in fields):
        value = field_value(fields[key])
        if key in spans.fields:
            changes.append(value_change(text, spans.fields[key], writer.value(value, 0)))
        elif value:
            missing.append(writer.entry(key, value))
    if not missing:
        return changes
    present = [spans.fields[f.key] for f in fmt.fields if f.key in spans.fields]
    if present:
        at = max(line_end(text, span(text, node)[1]) for node in present)
        return [*changes, (at, at, "".join("\n" + entry for entry in missing))]
    first = spans.root.value[0][0].start_mark.index if spans.root is not None and spans.root.value else 0
    return [*changes, (first, first, "".join(entry + "\n" for entry in missing))]


def table_changes(text: str, fmt: Format, section: Section, spans: Spans, cells: dict[str, str], state: dict[str, str], writer: Writer) -> list[Change]:
    """The edited cells of a section's tables; a row the form leaves out is added to the section."""
    changes, missing = [], []
    for table in fmt.tables_of(section):
        for row in table.rows:
            targets = {c.key: cell_target(table.key, row.key, c.key) for c in table.columns}
            edited = {column: cells[target] for column, target in targets.items() if target in cells}
            if not edited:
                continue
            values = {column: edited.get(column, state[target]) for column, target in targets.items()}
            node = spans.rows.get(row.key)
            if node is not None:
                changes += row_changes(text, table, node, edited, values, writer)
            elif any(v.strip() for v in values.values()) or not row.total:
                missing.append(writer.entry(row.key, row_value(table, values)))
    return changes + appended(text, spans.sections.get(section.key), section.key, missing)


def row_changes(text: str, table: Table, node: yaml.Node, edited: dict[str, str], values: dict[str, str], writer: Writer) -> list[Change]:
    """A written row's edited cells, item by item; the whole row rewritten when its shape must change
    (a total typed into a row without totals in block style, a row that is not a list of the right length)."""
    columns = table.columns
    required = [c for c in columns if not c.total]
    wanted = columns if any(values[c.key].strip() for c in columns if c.total) else required
    items = node.value if isinstance(node, yaml.SequenceNode) and not table.single_column else None
    if items is None or len(items) not in (len(required), len(columns)) or (not node.flow_style and len(items) != len(wanted)):
        return [value_change(text, node, writer.value(row_value(table, values), indent_of(text, node)))]
    kept = min(len(items), len(wanted))
    changes = [item_change(text, items[i], writer.item(cell_value(values[c.key]))) for i, c in enumerate(columns[:kept]) if c.key in edited]
    if len(items) > kept:  # the totals were emptied: they go, with the commas before them
        changes.append((items[kept - 1].end_mark.index, items[-1].end_mark.index, ""))
    if len(wanted) > len(items):  # a total typed into a row written without one
        at = items[-1].end_mark.index
        changes.append((at, at, "".join(", " + writer.item(cell_value(values[c.key])) for c in wanted[len(items) :])))
    return changes


def text_changes(text: str, section: Section, spans: Spans, texts: dict[str, str], writer: Writer) -> list[Change]:
    """The edited texts of a section in place; a text the form leaves out is added to it."""
    changes, missing = [], []
    for target, part in text_targets(section):
        if target not in texts:
            continue
        value = narrative_value(texts[target])
        node = spans.texts.get(target)
        if node is not None:
            changes.append(value_change(text, node, writer.text(value, indent_of(text, node))))
        elif value and part:
            missing.append(writer.text_entry(part, value))
        elif value:
            if section.key in spans.sections:
                raise EditError(f"「{section.heading}」一节在表单中分项填写，不能整节改写：请逐项修改")
            at = len(text)
            changes.append((at, at, ("" if text.endswith(("\n", "\r")) else "\n") + "\n" + writer.text_entry(section.key, value) + "\n"))
    return changes + appended(text, spans.sections.get(section.key), section.key, missing)


def appended(text: str, node: yaml.Node | None, section_key: str, entries: list[str]) -> list[Change]:
    """New entries at the end of a section's mapping (the section made at the end of the form when it has none)."""
    if not entries:
        return []
    if isinstance(node, yaml.MappingNode) and node.flow_style:
        raise EditError(f"表单中的「{section_key}」一节写在花括号 {{ }} 中，无法添加新的一项：请先把它改成每项一行的写法")
    if isinstance(node, yaml.MappingNode) and node.value:
        indent = node.value[0][0].start_mark.column
        at = line_end(text, span(text, node.value[-1][1])[1])
        return [(at, at, "".join("\n" + " " * indent + indented(entry, indent) for entry in entries))]
    body = "".join("\n  " + indented(entry, 2) for entry in entries)
    if isinstance(node, yaml.ScalarNode) and node.value in NULLS and not node.style:  # `section:` left empty
        start, end, _ = value_change(text, node, "")
        return [(start, end, body)]
    if node is not None:
        raise EditError(f"表单中的「{section_key}」一节不是“键: 值”的形式，无法写入修改：请先在表单中改正这一节")
    at = len(text)
    return [(at, at, ("" if text.endswith(("\n", "\r")) else "\n") + f"\n{section_key}:{body}\n")]


def finding_target(finding: Finding, report: Report, spans: Spans) -> str:
    """The cell, text or field a finding is about, as the page names it ("" for the whole form)."""
    if finding.cell:
        return "cell:" + cell_target(*finding.cell)
    if finding.loc is None or not finding.loc.line:
        return ""
    line = finding.loc.line - 1
    for kind, nodes in (("text", spans.texts), ("field", spans.fields)):
        for key, node in nodes.items():
            if node.start_mark.line <= line <= max(node.start_mark.line, node.end_mark.line - (1 if node.end_mark.column == 0 else 0)):
                return f"{kind}:{key}"
    for row_key, node in spans.rows.items():
        if node.start_mark.line <= line <= node.end_mark.line:
            table, _row = report.format.row_index[row_key]
            items = node.value if isinstance(node, yaml.SequenceNode) else []
            for item, column in zip(items, table.columns, strict=False):  # a finding on one value of the row: that cell
                if (item.start_mark.line, item.start_mark.column) <= (line, finding.loc.column - 1) <= (item.end_mark.line, item.end_mark.column):
                    return "cell:" + cell_target(table.key, row_key, column.key)
            return f"row:{table.key}/{row_key}"
    return ""

def with_acknowledgement(text: str, code: str, path: str, reason: str, name: str = "表单") -> str:
    """The form's text with one more item in its 已核对 list (the list made at the end if there is
    none). Raises EditError when the form's 已核对 is not a list."""
    _report, _findings, spans = read_with_spans(text, name)
    writer = Writer()
    item = {"代码": code, "位置": path, "理由": reason}
    node = spans.acknowledgements
    if node is None:
        ending = "" if text.endswith(("\n", "\r")) else "\n"
        return spliced(text, [(len(text), len(text), f"{ending}\n{KEY}:\n  " + indented(writer.list_item(item), 2) + "\n")])
    if isinstance(node, yaml.SequenceNode) and node.flow_style:
        at = node.end_mark.index - 1  # before the closing ]
        return spliced(text, [(at, at, (", " if node.value else "") + writer.entry("k", flow(CommentedMap(item)))[len("k: ") :])])
    if isinstance(node, yaml.SequenceNode) and node.value:
        indent = node.start_mark.column
        at = line_end(text, span(text, node.value[-1])[1])
        return spliced(text, [(at, at, "\n" + " " * indent + indented(writer.list_item(item), indent))])
    if isinstance(node, yaml.ScalarNode) and node.value in NULLS and not node.style:  # `已核对:` left empty
        start, end, _ = value_change(text, node, "")
        return spliced(text, [(start, end, "\n  " + indented(writer.list_item(item), 2))])
    raise EditError(f"表单中的「{KEY}」不是列表，无法添加核对记录：请先在表单中把它改成“- 代码: …”的列表")


def acknowledgement_item(spans: Spans, index: int) -> tuple[yaml.SequenceNode, yaml.MappingNode]:
    """The 已核对 list and its item `index`; EditError when there is no such item."""
    node = spans.acknowledgements
    if not isinstance(node, yaml.SequenceNode) or not 0 <= index < len(node.value) or not isinstance(node.value[index], yaml.MappingNode):
        raise EditError("没有这一条核对记录（表单可能已在别处修改），请刷新页面后重试")
    return node, node.value[index]


def without_acknowledgement(text: str, index: int, name: str = "表单") -> str:
    """The form's text with item `index` of its 已核对 list taken out, the lines it stood on with it;
    the list left empty reads as no acknowledgement."""
    node, item = acknowledgement_item(read_with_spans(text, name)[2], index)
    if node.flow_style:
        start, end = span(text, item)
        after = text[end:]
        if index + 1 < len(node.value):
            end += len(after) - len(after.lstrip(" ,"))
        elif index:
            before = text[:start]
            start = len(before.rstrip(" ,"))
        return spliced(text, [(start, end, "")])
    start = max(text.rfind("\n", 0, item.start_mark.index), text.rfind("\r", 0, item.start_mark.index)) + 1
    end = line_end(text, span(text, item)[1])
    end += len(BREAK.match(text, end).group()) if BREAK.match(text, end) else 0
    return spliced(text, [(start, end, "")])


def with_reason(text: str, index: int, reason: str, name: str = "表单") -> str:
    """The form's text with the reason of item `index` of its 已核对 list changed."""
    _node, item = acknowledgement_item(read_with_spans(text, name)[2], index)
    writer = Writer()
    for key, value in item.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "理由":
            return spliced(text, [value_change(text, value, writer.value(one_line(reason), indent_of(text, key) + 2))])
    at = line_end(text, span(text, item)[1])
    return spliced(text, [(at, at, "\n" + " " * item.start_mark.column + writer.entry("理由", one_line(reason)))])

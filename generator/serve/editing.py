"""The form as a browser edits it: its values out of the YAML text, edits written back into
that text in place (comments, key order and anything else the user wrote are kept), and the
findings placed beside the cell, text or field they are about."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from ..acknowledge import KEY
from ..findings import Finding
from ..form import FormReader, read_text
from ..format import Format, Section, Table
from ..narrative import format_number
from ..report import Report

PLAIN_TEXT = re.compile(r"[\w\u3000-\u303f\uff00-\uffef（）·、．.-]+")
Edits = dict[str, dict[str, str]]  # {"fields": {key: text}, "texts": {target: text}, "cells": {"表/行/列": text}}


def cell_target(table: str, row: str, column: str) -> str:
    return f"{table}/{row}/{column}"


def text_target(section: str, part: str = "") -> str:
    return f"{section}/{part}" if part else section


@dataclass
class Spans:
    """Where each value of the form stands in its text (libyaml nodes, with start and end)."""

    fields: dict[str, yaml.Node] = field(default_factory=dict)
    sections: dict[str, yaml.Node] = field(default_factory=dict)
    rows: dict[str, yaml.Node] = field(default_factory=dict)
    texts: dict[str, yaml.Node] = field(default_factory=dict)


class SpanReader(FormReader):
    """The form reader, noting the node of every field, section, row and text it reads."""

    def __init__(self, fmt: Format, name: str, text: str):
        super().__init__(fmt, name, text)
        self.spans = Spans()
        self.section_of = {s.heading: s.key for s in fmt.sections}
        self.parts_section = {p: s.key for s in fmt.sections for p in (*(part.key for part in s.parts), s.intro) if p}

    def read_fields(self, entries: dict[str, tuple], root: yaml.Node) -> None:
        for key, (_key_node, value) in entries.items():
            target = self.spans.sections if key in self.section_of.values() else self.spans.fields
            target[key] = value
        super().read_fields(entries, root)

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


def number_text(text: str) -> str:
    """What the user typed in a number cell, in the form's notation: full-width digits folded, empty → null."""
    folded = unicodedata.normalize("NFKC", text).strip()
    return folded if folded else "null"


def scalar_text(text: str) -> str:
    """A one-line value, plain where YAML reads it back as the same text, else double-quoted."""
    plain = PLAIN_TEXT.fullmatch(text) and text.lower() not in {"null", "true", "false", "yes", "no", "on", "off"}
    return text if plain else json.dumps(text, ensure_ascii=False)


def span(text: str, node: yaml.Node) -> tuple[int, int]:
    """The node's characters, without the line break and indentation libyaml counts after a block."""
    start, end = node.start_mark.index, node.end_mark.index
    return start, start + len(text[start:end].rstrip())


def block_text(text: str, indent: int) -> str:
    """A literal block (`|`), one line a paragraph, indented under its key."""
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    if not any(lines):
        return '""'
    return "|\n" + "\n".join((" " * indent + line) if line else "" for line in lines)


def row_text(fmt: Format, row_key: str, values: dict[str, str]) -> str:
    table, _row = fmt.row_index[row_key]
    if table.single_column:
        return number_text(values[cell_target(table.key, row_key, table.columns[0].key)])
    typed = [values.get(cell_target(table.key, row_key, c.key), "") for c in table.columns]
    required = [v for c, v in zip(table.columns, typed, strict=True) if not c.total]
    totals = [v for c, v in zip(table.columns, typed, strict=True) if c.total]
    shown = required + (totals if any(t.strip() for t in totals) else [])
    return "[" + ", ".join(number_text(v) for v in shown) + "]"


def row_is_empty(fmt: Format, row_key: str, values: dict[str, str]) -> bool:
    table, _row = fmt.row_index[row_key]
    return not any(values.get(cell_target(table.key, row_key, c.key), "").strip() for c in table.columns)


def apply_edits(text: str, name: str, edits: Edits) -> str:
    """The form's text with the edited values written in place; everything else as it was."""
    report, _findings, spans = read_with_spans(text, name)
    fmt = report.format
    edits = changed_only(edits, form_state(report))
    changes: list[tuple[int, int, str]] = []  # (start, end, replacement), applied from the end
    cells = edits.get("cells", {})
    after_fields = max((line_end(text, span(text, n)[1]) for n in spans.fields.values()), default=0)
    for key, value in edits.get("fields", {}).items():
        if key in spans.fields:
            changes.append((*span(text, spans.fields[key]), scalar_text(value.strip()) if value.strip() else '""'))
        elif value.strip():
            changes.append((after_fields, after_fields, f"\n{key}: {scalar_text(value.strip())}"))
    for section in fmt.sections:
        if section.kind == "tables":
            changes += table_changes(text, fmt, section, spans, cells)
        else:
            changes += text_changes(text, section, spans, edits.get("texts", {}))
    for start, end, replacement in sorted(changes, key=lambda c: (c[0], c[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def changed_only(edits: Edits, current: Edits) -> Edits:
    """The edits that change something: a row is rewritten when any of its cells changed."""
    changed = {kind: {k: v for k, v in values.items() if current[kind].get(k, "") != v} for kind, values in edits.items() if kind in current}
    rows = {key.rsplit("/", 1)[0] for key in changed.get("cells", {})}
    changed["cells"] = {k: v for k, v in edits.get("cells", {}).items() if k.rsplit("/", 1)[0] in rows}
    return changed


def line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end


def appended_entries(text: str, mapping: yaml.Node | None, section_key: str, entries: list[str]) -> list[tuple[int, int, str]]:
    """New `key: value` lines at the end of a section's mapping (or a new section at the end of the file)."""
    if not entries:
        return []
    if isinstance(mapping, yaml.MappingNode) and mapping.value:
        indent = mapping.value[0][0].start_mark.column
        at = line_end(text, span(text, mapping.value[-1][1])[1])
        return [(at, at, "".join("\n" + " " * indent + e.replace("\n", "\n" + " " * indent) for e in entries))]
    at = len(text)
    body = "".join("\n  " + e.replace("\n", "\n  ") for e in entries)
    return [(at, at, ("" if text.endswith("\n") else "\n") + f"\n{section_key}:{body}\n")]


def table_changes(text: str, fmt: Format, section: Section, spans: Spans, cells: dict[str, str]) -> list[tuple[int, int, str]]:
    changes, missing = [], []
    for table in fmt.tables_of(section):
        for row in table.rows:
            if not any(k.startswith(f"{table.key}/{row.key}/") for k in cells):
                continue
            node = spans.rows.get(row.key)
            empty = row_is_empty(fmt, row.key, cells)
            if node is not None:
                changes.append((*span(text, node), row_text(fmt, row.key, cells)))
            elif not empty or not row.total:
                missing.append(f"{row.key}: {row_text(fmt, row.key, cells)}")
    return changes + appended_entries(text, spans.sections.get(section.key), section.key, missing)


def text_changes(text: str, section: Section, spans: Spans, texts: dict[str, str]) -> list[tuple[int, int, str]]:
    changes, missing = [], []
    keys = [(text_target(section.key), "")] + [(text_target(section.key, p), p) for p in (*(part.key for part in section.parts), section.intro) if p]
    for target, part in keys:
        if target not in texts:
            continue
        node = spans.texts.get(target)
        if node is not None:
            indent = indent_of(text, node) + 2
            changes.append((*span(text, node), block_text(texts[target], indent)))
        elif part and texts[target].strip():
            missing.append(f"{part}: " + block_text(texts[target], 2))
        elif not part and texts[target].strip():
            at = len(text)
            changes.append((at, at, ("" if text.endswith("\n") else "\n") + f"\n{section.key}: " + block_text(texts[target], 2) + "\n"))
    return changes + appended_entries(text, spans.sections.get(section.key), section.key, missing)


def indent_of(text: str, node: yaml.Node) -> int:
    """The indentation of the line the node's key stands on."""
    start = text.rfind("\n", 0, node.start_mark.index) + 1
    line = text[start : node.start_mark.index]
    return len(line) - len(line.lstrip(" "))


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
            return f"row:{table.key}/{row_key}"
    return ""


def with_acknowledgement(text: str, code: str, path: str, reason: str) -> str:
    """The form's text with one more item in its 已核对 list (the list made at the end if there is none)."""
    item = [f"  - 代码: {scalar_text(code)}", f"    位置: {scalar_text(path)}", f"    理由: {scalar_text(reason)}"]
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(rf"^{KEY}\s*:\s*(#.*)?$", line)), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + "\n".join([f"{KEY}:", *item]) + "\n"
    end = start + 1
    while end < len(lines) and (lines[end].startswith((" ", "-")) or not lines[end].strip()):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return "\n".join(lines[:end] + item + lines[end:])

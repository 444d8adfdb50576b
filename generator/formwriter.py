"""Write a Report back out as the YAML form, commented from the format (init and import use it)."""

from __future__ import annotations

import json

from .acknowledge import KEY, describe
from .format import Field, FieldType, Format, Section, SectionKind, Table
from .limits import clean_text, one_line, title_text
from .narrative import format_number
from .report import Report

SCHEMA_FILE = "nianbao.schema.json"


def paragraphs(text: str) -> list[str]:
    """The paragraphs a text is written as (and reads back as): any line-break spelling splits,
    characters no form can hold are dropped, blank lines go."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def quote_text(text: str, indent: str) -> str:
    """A narrative value as a YAML literal block, one paragraph per line."""
    lines = paragraphs(text)
    if not lines:
        return '""'
    return "|\n" + "\n".join(indent + line for line in lines)


def text_entry(key: str, text: str | None, indent: str, comment: str = "") -> list[str]:
    lines = [f"{indent}# {one_line(comment)}"] if comment else []
    lines.append(f"{indent}{key}: {quote_text(text or '', indent + '  ')}")
    return lines


def number_list(report: Report, table: Table, row_key: str) -> str:
    """A row's values as the form writes them; a total is written only where it was typed."""
    values = []
    for column in table.columns:
        cell = report.cells.get((table.key, row_key, column.key))
        if column.total and not (cell and cell.typed):
            continue
        values.append("null" if cell is None or cell.value is None else format_number(cell.value))
    return values[0] if table.single_column else "[" + ", ".join(values) + "]"


def table_lines(report: Report, table: Table, notes: dict[tuple[str, str], str]) -> list[str]:
    names = ", ".join(c.label if not c.total else f"{c.label}（可省略，自动计算）" for c in table.columns)
    heading = f"{table.caption}　" if table.caption else ""
    lines = [f"  # {heading}列：{names}"]
    if table.note:
        lines.append(f"  # {table.note}")
    width = max(len(r.key) for r in table.rows)
    for row in table.rows:
        cell = report.cells.get((table.key, row.key, table.columns[0].key))
        if row.total and not (cell and cell.typed):
            lines.append(f"  # {row.key}: 可省略，自动计算（{table.full_row_label(row.key)}）")
            continue
        if (table.key, row.key) in notes:
            lines.append(f"  # 注意：{one_line(notes[(table.key, row.key)])}")
        value = number_list(report, table, row.key)
        pad = " " * (2 * (width - len(row.key)) + 1)
        label = table.full_row_label(row.key)
        lines.append(f"  {row.key}:{pad}{value}" + (f"    # {label}" if label != row.key else ""))
    return lines


def section_lines(report: Report, section: Section, notes: dict[tuple[str, str], str]) -> list[str]:
    fmt = report.format
    lines = ["", f"# {section.heading}", f"{section.key}:"]
    if (section.key, "") in notes:
        lines.insert(2, f"# 注意：{one_line(notes[(section.key, '')])}")
    if section.kind == SectionKind.TABLES:
        for table in fmt.tables_of(section):
            lines += table_lines(report, table, notes)
        return lines
    if section.kind == SectionKind.PARTS:
        parts = report.parts.get(section.key)
        if parts is None and section.key in report.texts:
            lines[-1] = f"{section.key}: {quote_text(report.texts[section.key].value, '  ')}"
            return lines
        parts = parts or {}
        if section.intro in parts:
            lines += text_entry(section.intro, parts[section.intro].value, "  ", section.intro_label)
        for part in section.parts:
            text = parts.get(part.key)
            lines += text_entry(part.key, text.value if text else "", "  ", part.title)
        return lines
    text = report.texts.get(section.key)
    if text is None and not section.required:
        return ["", f"# {section.key}（可省略）：{section.label}", f"# {section.key}: |"]
    lines[-1] = f"{section.key}: {quote_text(text.value if text else '', '  ')}"
    return lines


def field_line(report: Report, field: Field) -> str:
    """A field as the form writes it; an empty one is left for the user (required) or shown as a comment."""
    value = getattr(report, field.attribute)
    if not value:
        return f"{field.key}:" if field.required else f"# {field.key}:    # {field.label}"
    if field.type != FieldType.TEXT:
        return f"{field.key}: {value}"
    text = title_text(value) if field.attribute == "title" else one_line(value)  # the title keeps its line breaks
    return f"{field.key}: {json.dumps(text.strip(), ensure_ascii=False)}"


def write_form(report: Report, schema: str | None = SCHEMA_FILE, notes: dict[tuple[str, str], str] | None = None) -> str:
    """The form text for a report; a cell without a value is written as null (E008 until filled in).
    `notes` puts a comment above a table row, e.g. where an import could not read it."""
    fmt: Format = report.format
    lines = []
    if schema:
        lines.append(f"# yaml-language-server: $schema={schema}")
    lines += [
        f"# {one_line(report.title or fmt.make_title(report.agency, report.year))}",
        f"# 格式：{fmt.name}",
        "# 说明：数字写成方括号列表，按注释中的列顺序；总计可省略（自动计算），填写了则会核对。",
        "#       文字每行一段；可用 {{ 本年新收.总计 }} 这样的写法直接引用表格数字。",
    ]
    lines += [field_line(report, field) for field in fmt.fields if field.attribute]
    for section in fmt.sections:
        lines += section_lines(report, section, notes or {})
    lines += acknowledgement_lines(report)
    return "\n".join(lines) + "\n"


def acknowledgement_lines(report: Report) -> list[str]:
    """The form's 已核对 list, written back as it was read (so no tool rewrite loses one)."""
    if not report.acknowledgements:
        return []
    lines = ["", "# 核对过、仍保留的警告：代码、位置（表单中的位置或原文词句）、理由", f"{KEY}:"]
    for ack in report.acknowledgements:
        first, *rest = (f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in describe(ack).items())
        lines += [f"  - {first}", *(f"    {line}" for line in rest)]
    return lines

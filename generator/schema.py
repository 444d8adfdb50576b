"""The JSON Schema of the form, generated from the format (editor hover text and completion)."""

from __future__ import annotations

import json

from . import acknowledge
from .format import DEFAULT_FORMAT, Column, ColumnType, Field, FieldType, Format, Section, SectionKind, Table, load_format


def number_schema(column: Column) -> dict:
    if column.type == ColumnType.AMOUNT:
        return {"type": "number", "minimum": 0, "description": column.label}
    return {"type": "integer", "minimum": 0, "description": column.label}


def row_schema(table: Table, row_key: str) -> dict:
    label = table.full_row_label(row_key)
    if table.single_column:
        column = table.columns[0]
        return {**number_schema(column), "description": f"{label}（{column.label}）"}
    required = [c for c in table.columns if not c.total]
    names = "、".join(c.label for c in required)
    total = any(c.total for c in table.columns)
    return {
        "type": "array",
        "description": f"{label}。依次填写：{names}" + ("；最后可加总计（省略时自动计算）" if total else ""),
        "prefixItems": [number_schema(c) for c in table.columns],
        "items": False,
        "minItems": len(required),
        "maxItems": len(table.columns),
    }


def section_schema(fmt: Format, section: Section) -> dict:
    if section.kind == SectionKind.TABLES:
        properties = {}
        required = []
        for table in fmt.tables_of(section):
            for row in table.rows:
                properties[row.key] = row_schema(table, row.key)
                if not row.total:
                    required.append(row.key)
        return {"type": "object", "description": section.heading, "properties": properties, "required": required, "additionalProperties": False}
    if section.kind == SectionKind.PARTS:
        properties = {section.intro: {"type": "string", "description": section.intro_label}}
        properties.update({p.key: {"type": "string", "description": p.title} for p in section.parts})
        return {
            "description": f"{section.heading}：分项填写，或写成一整段文字",
            "oneOf": [{"type": "string"}, {"type": "object", "properties": properties, "additionalProperties": False}],
        }
    return {"type": "string", "description": section.label or section.heading}


def field_schema(fmt: Format, field: Field) -> dict:
    entry: dict = {"description": field.label}
    if field.type == FieldType.YEAR:
        entry.update(type="integer", minimum=1990, maximum=2100)
    elif field.type == FieldType.CHOICE:
        entry["enum"] = list(field.choices)
    elif field.type == FieldType.DATE:
        entry.update(type="string", format="date")
    elif field.type == FieldType.FORMAT:
        entry.update(const=fmt.id, description=f"{field.label}：{fmt.name}")
    else:
        entry["type"] = "string"
    return entry


def form_schema(fmt: Format) -> dict:
    properties: dict = {field.key: field_schema(fmt, field) for field in fmt.fields}
    for section in fmt.sections:
        properties[section.key] = section_schema(fmt, section)
    properties[acknowledge.KEY] = acknowledge.SCHEMA
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"政府信息公开工作年度报告表单（{fmt.id}）",
        "description": fmt.name,
        "type": "object",
        "properties": properties,
        "required": [f.key for f in fmt.fields if f.required] + [s.key for s in fmt.sections if s.required],
        "additionalProperties": False,
    }


def schema_text(format_id: str = DEFAULT_FORMAT) -> str:
    return json.dumps(form_schema(load_format(format_id)), ensure_ascii=False, indent=2) + "\n"

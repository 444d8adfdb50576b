"""Acknowledgements: warnings the staff member has looked at and stands by, written in the form.

A form may end with a list

    已核对:
      - 代码: W401
        位置: 存在的主要问题及改进情况
        理由: 原报告此节即写“无”，据原文转录

`位置` names where the warning is: a form path (`总体情况.依申请公开`, a section, a table row
such as `本年新收`, a field such as `发布日期`) or words quoted from that line. Structured data
rather than comments, so a browser form can show and write them. An acknowledged warning stays
visible (marked 已核对 with the reason) but no longer blocks a final build.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from .codes import Level, level_of, registry
from .findings import Finding
from .location import Loc
from .report import Report, Text

KEY = "已核对"
FIELDS = {"代码": "code", "位置": "place", "理由": "reason"}
SCHEMA = {
    "type": "array",
    "description": "核对过、仍保留的警告：每项写明代码、位置和理由",
    "items": {
        "type": "object",
        "properties": {
            "代码": {"type": "string", "pattern": "^[WI][0-9]{3}$", "description": "警告的代码，如 W301"},
            "位置": {"type": "string", "description": "表单中的位置（如 总体情况.主动公开、本年新收），或那一行中的原文词句"},
            "理由": {"type": "string", "minLength": 1, "description": "为何核对后仍保留（必填）"},
        },
        "required": ["代码", "位置", "理由"],
        "additionalProperties": False,
    },
}


@dataclass(frozen=True)
class Acknowledgement:
    code: str
    place: str
    reason: str
    loc: Loc


def finding_path(report: Report, finding: Finding) -> str:
    """Where in the form a finding is, as an acknowledgement names it (e.g. 总体情况.主动公开)."""
    if finding.cell:
        return finding.cell[1]
    loc = finding.loc
    if loc is None or loc.place:
        return ""
    for key, text in text_paths(report):
        last = text.line_locs[-1].line if text.line_locs else text.loc.line
        if text.loc.line <= loc.line <= last:
            return key
    fields = [(f.key, report.field_locs[f.attribute]) for f in report.format.fields if f.attribute in report.field_locs]
    named = [*report.section_locs.items(), *fields, *((row, at) for (_t, row), at in report.row_locs.items())]
    return next((key for key, at in named if at.line == loc.line), "")


def text_paths(report: Report) -> Iterator[tuple[str, Text]]:
    """(form path, text) of every narrative field."""
    for section, parts in report.parts.items():
        for part, text in parts.items():
            yield f"{section}.{part}", text
    yield from report.texts.items()


def matches(ack: Acknowledgement, report: Report, finding: Finding) -> bool:
    if ack.code != finding.code or not ack.place:
        return False
    if ack.place == finding_path(report, finding):
        return True
    loc = finding.loc
    lines = report.source_lines
    return loc is not None and 1 <= loc.line <= len(lines) and len(ack.place) >= 2 and ack.place in lines[loc.line - 1]


def apply_acknowledgements(report: Report, findings: list[Finding]) -> list[Finding]:
    """The findings with acknowledged warnings marked, plus what is wrong with the acknowledgements."""
    result = list(findings)
    for ack in report.acknowledgements:
        if not ack.reason.strip():
            result.append(Finding.of("E050", ack.loc, code=ack.code))
            continue
        if ack.code in registry() and level_of(ack.code) == Level.ERROR:
            result.append(Finding.of("E051", ack.loc, code=ack.code))
            continue
        hits = [i for i, f in enumerate(result) if f.level in (Level.WARNING, Level.INFO) and matches(ack, report, f)]
        for i in hits:
            result[i] = replace(result[i], acknowledged=ack.reason.strip())
        if not hits:
            places = "、".join(p for p in dict.fromkeys(finding_path(report, f) for f in findings if f.code == ack.code) if p)
            if places:
                result.append(Finding.of("W207", ack.loc, variant="elsewhere", code=ack.code, place=ack.place, places=places))
            else:
                result.append(Finding.of("W207", ack.loc, code=ack.code, place=ack.place))
    return result


def blocking(findings: list[Finding]) -> list[Finding]:
    """What keeps a report from a final build: errors, and warnings not acknowledged."""
    return [f for f in findings if f.level == Level.ERROR or (f.level == Level.WARNING and not f.acknowledged)]


def describe(ack: Acknowledgement) -> dict[str, str]:
    """An acknowledgement as the form writes it."""
    return {"代码": ack.code, "位置": ack.place, "理由": ack.reason}

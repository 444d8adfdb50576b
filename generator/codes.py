"""The registry of finding codes (generator/codes.yaml): each code's level, title, explanation,
an example, the fix, and the templates of its message and hint. A Finding names its code; its
level and its text come from here, filled with the values its call site passes.

A code's title, explanation, example and fix may name facts of the format (a relation, the
deadlines) or a limit: `{relation}`, `{max_form_size}`…, filled from the format data and the
constants where they live (facts()), so that the registry never restates them.

`python -m generator.codes README.md` rewrites README's code table from the registry.
"""

from __future__ import annotations

import string
import sys
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

REGISTRY_FILE = Path(__file__).parent / "codes.yaml"
TABLE_START = "<!-- codes: generated from generator/codes.yaml by `make readme`; do not edit -->"
TABLE_END = "<!-- codes: end -->"


class Level(StrEnum):
    """How serious a finding is; the value is the code used in data and JSON output."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        """The word shown to a person."""
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


class TemplateError(Exception):
    """A call site passed other values than a code's templates name (a bug, never the user's)."""


@dataclass(frozen=True)
class Template:
    """A finding's message and hint, with `{name}` placeholders for the values of its call site."""

    message: str
    hint: str = ""

    @property
    def placeholders(self) -> frozenset[str]:
        return placeholders(self.message) | placeholders(self.hint)


@dataclass(frozen=True)
class Code:
    code: str
    level: Level
    title: str
    explanation: str
    example: str
    fix: str
    templates: dict[str, Template]  # by variant; "" for a code with one message


@cache
def placeholders(template: str) -> frozenset[str]:
    return frozenset(name for _text, name, _spec, _conversion in string.Formatter().parse(template) if name is not None)


def templates_of(entry: dict) -> dict[str, Template]:
    if "variants" in entry:
        return {name: Template(v["message"], v.get("hint", "")) for name, v in entry["variants"].items()}
    return {"": Template(entry["message"], entry.get("hint", ""))}


@cache
def registry() -> dict[str, Code]:
    """Every registered code, in the order of codes.yaml (its descriptions not yet filled: described())."""
    data = yaml.load(REGISTRY_FILE.read_text("utf-8"), Loader=yaml.CSafeLoader)
    return {
        code: Code(code, Level(entry["level"]), entry["title"], entry["explanation"].strip(), entry["example"].strip(), entry["fix"].strip(), templates_of(entry))
        for code, entry in data.items()
    }


def level_of(code: str) -> Level:
    return registry()[code].level


def render(code: str, variant: str, values: dict[str, object]) -> tuple[str, str]:
    """A finding's message and hint: its code's template (of `variant`) filled with `values`.
    Every placeholder must be given, and every value named by one of the code's templates
    (a call site may pass what a sibling variant names, e.g. E010's unit)."""
    entry = registry()[code]
    template = entry.templates.get(variant)
    if template is None:
        raise TemplateError(f"{code} has no message variant {variant!r}")
    missing = template.placeholders - values.keys()
    unknown = values.keys() - {name for t in entry.templates.values() for name in t.placeholders}
    if missing or unknown:
        raise TemplateError(f"{code}{'/' + variant if variant else ''}: missing {sorted(missing)}, not in its templates {sorted(unknown)}")
    return template.message.format_map(values), template.hint.format_map(values)


def facts(code: str) -> dict[str, str]:
    """What a code's description may name: the limits, the deadlines and, for a relation's code,
    the relation (from the default format's data)."""
    from .checks import relation_facts
    from .form import MAX_BYTES, MAX_DEPTH, MAX_NARRATIVE, MAX_NODES, MAX_PARAGRAPH
    from .format import load_format
    from .limits import MAX_DECIMALS, MAX_DIGITS, YEARS, megabytes
    from .review import AGENCY_SHARE

    fmt = load_format()
    found = {
        "max_form_size": megabytes(MAX_BYTES),
        "max_values": f"{MAX_NODES:,}",
        "max_depth": str(MAX_DEPTH),
        "max_paragraph": f"{MAX_PARAGRAPH:,}",
        "max_narrative": f"{MAX_NARRATIVE:,}",
        "max_digits": str(MAX_DIGITS),
        "max_decimals": str(MAX_DECIMALS),
        "amount_decimals": str(max(c.decimals for t in fmt.tables.values() for c in t.columns)),
        "first_year": str(YEARS.start),
        "last_year": str(YEARS.stop - 1),
        "deadlines": "，".join(f"{kind}次年{month}月{day}日" for kind, (month, day) in fmt.deadlines.items()),
        "similar": f"{fmt.year_on_year['similar']:.0%}",
        "agency_share": f"{AGENCY_SHARE:.0%}",
    }
    relation = next((r for r in fmt.relations if r.code == code), None)
    return found | (relation_facts(fmt, relation) if relation else {})


@cache
def described(code: str) -> Code:
    """A code's entry with its description filled from the facts it names."""
    entry = registry()[code]
    values = facts(code)
    title, explanation, example, fix = (text.format_map(values) for text in (entry.title, entry.explanation, entry.example, entry.fix))
    return Code(entry.code, entry.level, title, explanation, example, fix, entry.templates)


def explain(code: str) -> str:
    """A code's entry as `nianbao explain CODE` prints it."""
    entry = described(code)
    lines = [f"{entry.code} [{entry.level.label}] {entry.title}", "", entry.explanation, "", "例如：", *("  " + x for x in entry.example.split("\n")), ""]
    return "\n".join([*lines, "改正：" + entry.fix])


def markdown_table() -> str:
    """README's code table (code, 级别, 含义), between its markers."""
    rows = ["| " + " | ".join((c.code, c.level.label, described(c.code).title.replace("|", "\\|"))) + " |" for c in registry().values()]
    return "\n".join([TABLE_START, "| 代码 | 级别 | 含义 |", "| --- | --- | --- |", *rows, TABLE_END])


def rewrite_readme(path: Path) -> None:
    text = path.read_text("utf-8")
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    path.write_text(before + markdown_table() + after, "utf-8")


if __name__ == "__main__":
    rewrite_readme(Path(sys.argv[1]))

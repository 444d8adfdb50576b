"""The registry of finding codes (generator/codes.yaml): each code's level, title, explanation,
an example and the fix. A Finding names its code; its level is looked up here.

`python -m generator.codes README.md` rewrites README's code table from the registry.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class Code:
    code: str
    level: Level
    title: str
    explanation: str
    example: str
    fix: str


@cache
def registry() -> dict[str, Code]:
    """Every registered code, in the order of codes.yaml."""
    data = yaml.load(REGISTRY_FILE.read_text("utf-8"), Loader=yaml.CSafeLoader)
    return {code: Code(code, Level(entry["level"]), entry["title"], entry["explanation"].strip(), entry["example"].strip(), entry["fix"].strip()) for code, entry in data.items()}


def level_of(code: str) -> Level:
    return registry()[code].level


def explain(code: str) -> str:
    """A code's entry as `nianbao explain CODE` prints it."""
    entry = registry()[code]
    lines = [f"{entry.code} [{entry.level.label}] {entry.title}", "", entry.explanation, "", "例如：", *("  " + x for x in entry.example.split("\n")), ""]
    return "\n".join([*lines, "改正：" + entry.fix])


def markdown_table() -> str:
    """README's code table (code, 级别, 含义), between its markers."""
    rows = ["| " + " | ".join((c.code, c.level.label, c.title.replace("|", "\\|"))) + " |" for c in registry().values()]
    return "\n".join([TABLE_START, "| 代码 | 级别 | 含义 |", "| --- | --- | --- |", *rows, TABLE_END])


def rewrite_readme(path: Path) -> None:
    text = path.read_text("utf-8")
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    path.write_text(before + markdown_table() + after, "utf-8")


if __name__ == "__main__":
    rewrite_readme(Path(sys.argv[1]))

"""How `import` reads real published reports that its tests were not tuned to (tests/data/published,
the files its README marks held out): header and sections found, cells read, figures that differ
from print with nothing said about them, reports that need no manual work.

Each file is what a search index kept of the page (it may stop inside a section): HELD_OUT says how
many sections each holds and the table rows printed in full, transcribed by hand from the file.
Run `.venv/bin/python tools/structure_corpus.py`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.format import Format  # noqa: E402
from generator.importer import import_report  # noqa: E402
from generator.importer.parse import BY_ARITHMETIC, Extraction  # noqa: E402
from generator.services import check_file  # noqa: E402

PUBLISHED = ROOT / "tests" / "data" / "published"
ZEROS_OF_TABLE_TWO = {("第二十条第一项", "规章"): [0, 0, 0], ("第二十条第一项", "行政规范性文件"): [0, 0, 0], **{("第二十条第五项", "行政许可"): [0]}, **{("第二十条第六项", r): [0] for r in ("行政处罚", "行政强制")}, ("第二十条第八项", "行政事业性收费"): [0]}


@dataclass(frozen=True)
class Expected:
    sections: int  # the first N numbered sections are in the file
    rows: dict  # (table, row) → the figures printed, in column order


HELD_OUT = {
    "longyou_bgs_2023.txt": Expected(1, {}),
    "tonglu_2023.txt": Expected(1, {}),
    "linping_2023.txt": Expected(1, {}),
    "zigong_swj_2022.txt": Expected(1, {}),
    "sichuan_dfzb_2021.txt": Expected(1, {}),
    "lixia_2021.txt": Expected(1, {}),
    "taian_bgs_2021.txt": Expected(1, {}),
    "zichang_2023.txt": Expected(1, {}),
    "shanghai_2022.txt": Expected(1, {}),
    "yongjia_xixia_2023.txt": Expected(1, {}),
    "linyi_gonglu_2021.txt": Expected(3, ZEROS_OF_TABLE_TWO),
    "shaanxi_tjj_2023.txt": Expected(3, {**ZEROS_OF_TABLE_TWO, ("申请处理", "本年新收"): [0] * 7, ("申请处理", "上年结转"): [0] * 7}),
}


def held_sections(fmt: Format, expected: Expected) -> list:
    return [s for s in fmt.sections if s.number][: expected.sections]


def beyond_the_file(message: str, fmt: Format, expected: Expected) -> bool:
    """A problem about what the file does not hold: a later section, or a row of a table it stops in."""
    held = held_sections(fmt, expected)
    if any(f"未找到「{s.heading}」一节" in message for s in fmt.sections if s.number and s not in held):
        return True
    printed = set(expected.rows)
    return any(table.row_title(row.key) in message for table in fmt.tables.values() for row in table.rows if (table.key, row.key) not in printed) and not any(
        fmt.tables[t].row_title(r) in message for t, r in printed
    )


def measure(name: str, expected: Expected) -> dict:
    path = PUBLISHED / name
    result: Extraction = import_report(path, name)
    report, fmt = result.report, result.report.format
    findings = check_file(str(path)).findings
    said = [p.message for p in result.problems] + [f.message for f in findings]
    header = bool(report.agency) and bool(report.year)
    sections = all(s.key in report.section_locs for s in held_sections(fmt, expected))
    cells = read = differ = 0
    for (table_key, row_key), values in expected.rows.items():
        table = fmt.tables[table_key]
        for column, value in zip(table.columns, values, strict=True):
            got = report.value(table_key, row_key, column.key)
            cells += 1
            read += got is not None
            if got is not None and got != value and not any(table.row_title(row_key) in m for m in said):
                differ += 1
    for (table_key, row_key, column_key), cell in report.cells.items():  # figures claimed where the file prints none
        table = fmt.tables[table_key]
        quiet = result.how.get((table_key, row_key, column_key)) not in (None, BY_ARITHMETIC)
        if (table_key, row_key) not in expected.rows and cell.value not in (None, 0) and quiet and not table.row(row_key).total:
            differ += 1
    own = [p.message for p in result.problems if not beyond_the_file(p.message, fmt, expected)]
    return {"header": header, "sections": sections, "cells": cells, "read": read, "differ": differ, "manual": own}


def main() -> None:
    totals = {"reports": 0, "header_and_sections": 0, "cells": 0, "read": 0, "differ": 0, "no_manual_work": 0}
    for name, expected in HELD_OUT.items():
        found = measure(name, expected)
        totals["reports"] += 1
        totals["header_and_sections"] += found["header"] and found["sections"]
        totals["cells"] += found["cells"]
        totals["read"] += found["read"]
        totals["differ"] += found["differ"]
        totals["no_manual_work"] += not found["manual"]
        marks = f"header={'yes' if found['header'] else 'NO'} sections={'yes' if found['sections'] else 'NO'} cells={found['read']}/{found['cells']} differ={found['differ']}"
        print(f"{name:28} {marks} manual={len(found['manual'])}" + "".join(f"\n    {m}" for m in found["manual"]))
    reports, cells = totals["reports"], totals["cells"] or 1
    print(f"\nfigures that differ from print without a finding: {totals['differ']}")
    print(f"cells read: {totals['read']}/{totals['cells']} ({100 * totals['read'] / cells:.1f} %)")
    print(f"header and every section held found: {totals['header_and_sections']}/{reports} ({100 * totals['header_and_sections'] / reports:.0f} %)")
    print(f"no manual work: {totals['no_manual_work']}/{reports} ({100 * totals['no_manual_work'] / reports:.0f} %)")


if __name__ == "__main__":
    main()

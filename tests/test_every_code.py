"""Every registered code is produced by a real input: a form, a published report, a format file,
a folder for `review`, or a command. The test fails on a code that no input here produces."""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.codes import registry
from generator.form import MAX_BYTES
from generator.format import FormatError, load_format
from generator.importer.sources import MAX_HTML_DEPTH
from generator.limits import MAX_NARRATIVE, MAX_PARAGRAPH
from generator.render.docx import render_docx
from generator.render.html import render_html
from generator.services import check_file
from tools.corpus import one_line, single_six

from . import test_bad_input
from .conftest import RICH_EXAMPLE, SEEDS
from .helpers import BASE, document_of, edit, edit_row, write
from .test_format import GOV2021
from .test_import import in_2019_format, web_table_report

RICH_SEED = (SEEDS / "002_8a3103fe368513da.txt").read_text("utf-8")
PUBLISHED = Path(__file__).parent / "data" / "published"
LAST_YEAR = edit_row(edit_row(BASE.replace("年度: 2024", "年度: 2023"), "结转下年度", "[24, 0, 0, 0, 19, 0, 43]"), "行政复议", "[3, 0, 0, 0, 3]")
LAST_YEAR_CONSISTENT = edit_row(LAST_YEAR, "行政规范性文件", "[10, 0, 267]")
FEE = "依据《国务院办公厅关于印发<政府信息公开信息处理费管理办法>的通知》（国办函〔2020〕109号）规定，本年度未收取信息处理费。"
CODE_SHOWN = re.compile(r"\b([EWI]\d{3}) \[")


@dataclass
class Bench:
    """Where a case runs: its own folder, the environment, the CLI."""

    folder: Path
    monkeypatch: pytest.MonkeyPatch
    run_cli: Callable

    def check(self, content: str | bytes, name: str = "2024.yaml", previous: str | None = None) -> set[str]:
        """The codes `check` reports for a file written into the folder."""
        return {f.code for f in check_file(str(write(self.folder, content, name)), previous).findings}

    def check_with_last_year(self, content: str, last_year: str) -> set[str]:
        """Last year's form beside this year's, found by its content."""
        write(self.folder, last_year, "2023.yaml")
        return self.check(content)

    def cli(self, *args: str) -> set[str]:
        _code, out, err = self.run_cli(*args)
        return set(CODE_SHOWN.findall(out + err))

    def review(self, files: dict[str, str], *extra: str) -> set[str]:
        folder = self.folder / "报告"
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text, "utf-8")
        self.run_cli("review", str(folder), "-o", str(self.folder / "审阅"), *extra)
        data = json.loads((self.folder / "审阅" / "审阅一览.json").read_text("utf-8"))
        return {f["code"] for r in data["reports"] for f in r["findings"]}

    def format_file(self, text: str) -> set[str]:
        """The codes a format file in NIANBAO_FORMATS is refused with."""
        folder = self.folder / "formats"
        folder.mkdir()
        (folder / "gov2099.yaml").write_text(text.replace("id: gov2021", "id: gov2099").replace("first_year: 2021", "first_year: 2099"), "utf-8")
        self.monkeypatch.setenv("NIANBAO_FORMATS", str(folder))
        load_format.cache_clear()
        try:
            load_format("gov2099")
        except FormatError as exc:
            return {f.code for f in exc.findings}
        finally:
            load_format.cache_clear()
        return set()

    def published_docx(self, old: str, new: str) -> set[str]:
        """The rich example made into a DOCX, one piece of its text edited as in Word."""
        source = write(self.folder, render_docx(document_of(RICH_EXAMPLE)), "built.docx")
        target = self.folder / "edited.docx"
        with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
            for member in original.infolist():
                data = original.read(member)
                if member.filename == "word/document.xml":
                    data = data.replace(old.encode(), new.encode(), 1)
                copy.writestr(member, data)
        return {f.code for f in check_file(str(target)).findings}


def sub(old: str, new: str) -> str:
    return edit(BASE, old, new)


def section_text(key: str, text: str) -> str:
    """BASE with the narrative section `key` replaced by `text` (a YAML value)."""
    start = BASE.index(f"\n{key}:") + 1
    end = start + re.search(r"\n(?=\S)", BASE[start:]).end()
    return BASE[:start] + f"{key}: {text}\n" + BASE[end:]


def without_line(text: str, line: str) -> str:
    assert text.count(line + "\n") == 1
    return text.replace(line + "\n", "")


def folded_plain_text() -> str:
    """其他需要报告的事项 written over two lines without “|”."""
    return edit(BASE, f"其他需要报告的事项: |\n  {FEE}", f"其他需要报告的事项:\n  {FEE[:60]}\n  {FEE[60:]}")


def long_narrative() -> str:
    paragraphs = "".join(f"  {'问' * (MAX_PARAGRAPH - 100)}\n" for _ in range(MAX_NARRATIVE // (MAX_PARAGRAPH - 100) + 1))
    return edit(BASE, "存在的主要问题及改进情况: |\n", "存在的主要问题及改进情况: |\n" + paragraphs)


def fifo(bench: Bench) -> set[str]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("a FIFO is a POSIX file")
    path = bench.folder / "2024.yaml"
    os.mkfifo(path)
    return {f.code for f in check_file(str(path)).findings}


def without_pdftotext(bench: Bench) -> set[str]:
    bench.monkeypatch.setenv("PATH", str(bench.folder))  # a PATH without poppler-utils
    return bench.check(b"%PDF-1.4\n", "report.pdf")


def blank_pdf(bench: Bench) -> set[str]:
    """A well-formed one-page PDF with nothing drawn: no text layer."""
    if not shutil.which("pdftotext"):
        pytest.skip("poppler-utils is not installed")
    objects = ["<</Type/Catalog/Pages 2 0 R>>", "<</Type/Pages/Kids[3 0 R]/Count 1>>", "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(body))
        body += f"{number} 0 obj\n{obj}\nendobj\n".encode()
    table = "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    body += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n{table}trailer\n<</Size {len(objects) + 1}/Root 1 0 R>>\nstartxref\n{len(body)}\n%%EOF\n".encode()
    return bench.check(body, "report.pdf")


def published_html(bench: Bench, old: str, new: str) -> set[str]:
    html = render_html(document_of(RICH_EXAMPLE))
    return bench.check(edit(html, old, new), "report.html")


def empty_folder(bench: Bench) -> set[str]:
    folder = bench.folder / "表单"
    folder.mkdir()
    return {f.code for f in check_file(str(folder)).findings}


def region_summary(bench: Bench) -> set[str]:
    """A region's summary report whose 本年新收 is not the sum of its one member's."""
    member = edit(BASE, "机关: 周口市人民政府办公室", "机关: 周口市某局")
    summary = edit_row(edit(BASE, "机关: 周口市人民政府办公室", "机关: 周口市人民政府"), "本年新收", "[1121, 32, 0, 0, 180, 1, 1334]")
    region = bench.folder / "地区.yaml"
    region.write_text("周口市人民政府: [周口市某局]\n", "utf-8")
    return bench.review({"汇总.yaml": summary, "甲.yaml": member}, "--region", str(region))


CASES: dict[str, Callable[[Bench], set[str]]] = {
    "E000": lambda b: {f.code for f in check_file(str(b.folder / "无此文件.yaml")).findings},
    "E002": lambda b: b.check(BASE + "# " + "x" * MAX_BYTES + "\n"),
    "E014": lambda b: b.check(sub("  行政许可: 0\n", "  行政许可: 12345678901\n")),
    "E031": lambda b: b.check(edit_row(BASE, "本年新收", "[1,121, 32, 0, 0, 180, 0]")),
    "E032": lambda b: b.check(sub("  行政许可: 0\n", "  行政许可: -\n")),
    "E050": lambda b: b.check(BASE + "已核对:\n  - 代码: W301\n    位置: 总体情况.依申请公开\n"),
    "E051": lambda b: b.check(BASE + "已核对:\n  - 代码: E101\n    位置: 本年新收\n    理由: 原文如此\n"),
    "E052": lambda b: b.check(section_text("存在的主要问题及改进情况", '""')),
    "E053": lambda b: b.check(BASE, previous=str(write(b.folder, BASE.replace("年度: 2024", "年度: 2022"), "2022.yaml"))),
    "E054": lambda b: b.check(sub("办结 1267 条", "办结 {{ 办理结果总计.总计 | 环比 }} 条")),
    "E055": lambda b: b.check(sub("办结 1267 条", "办结 {{ 办理结果总计.总计 | 同比 }} 条")),
    "E056": lambda b: b.check(BASE + "已核对: W301\n"),
    "E060": fifo,
    "E061": lambda b: b.check(sub("办结 1267 条", "办结\x0b1267 条")),
    "E063": lambda b: b.check(sub("办结 1267 条", "办" * (MAX_PARAGRAPH + 1))),
    "E064": lambda b: b.check(long_narrative()),
    "E065": lambda b: b.check("<html><body>" + "<div>" * (MAX_HTML_DEPTH + 1) + "年度报告</body></html>", "report.html"),
    "E101": lambda b: b.check(edit_row(BASE, "本年新收", "[1121, 32, 0, 0, 180, 0, 1334]")),
    "E102": lambda b: b.check(edit_row(BASE, "结转下年度", "[110, 0, 0, 0, 0, 0, 110]")),
    "E103": lambda b: b.check(edit_row(BASE, "办理结果总计", "[1037, 32, 0, 0, 199, 0, 1268]")),
    "E104": lambda b: b.check(edit_row(BASE, "复议后起诉", "[1, 0, 0, 0, 0]")),
    "E133": without_pdftotext,
    "E134": lambda b: b.cli("import", str(write(b.folder, "某局2024年政府信息公开工作年度报告", "report.doc"))),
    "E135": lambda b: b.check("这不是 DOCX", "report.docx"),
    "E136": blank_pdf,
    "E137": empty_folder,
    "E140": lambda b: b.format_file(GOV2021 + "\n  bad: [\n"),
    "E141": lambda b: b.format_file(edit(GOV2021, "    label_columns: 3\n", "    label_columns: three\n")),
    "E142": lambda b: b.format_file(edit(GOV2021, "    tables: [申请处理]", "    tables: [申请]")),
    "E143": lambda b: b.format_file(edit(GOV2021, "first_year: 2021\n", "first_year: 2021\nfirst_year: 2022\n")),
    "E144": lambda b: b.format_file(edit(GOV2021, "  - code: E104\n", "  - code: E199\n")),
    "E150": lambda b: b.check(without_line(RICH_SEED, "周口市人民政府办公室 2024 年政府信息公开工作年度报告"), "report.txt"),
    "E151": lambda b: b.check(RICH_SEED[: RICH_SEED.index("五、存在的主要问题")] + RICH_SEED[RICH_SEED.index("六、其他需要报告的事项") :], "report.txt"),
    "E152": lambda b: b.check(edit(RICH_SEED, "1121\t32", "1121.5\t32"), "report.txt"),
    "E153": lambda b: b.check(edit(RICH_SEED, "2.重复申请\t7\t0\t0\t0\t0\t0\t7", "2.重复的申请材料过多\t7\t0\t0\t0\t0\t0\t8"), "report.txt"),
    "E154": lambda b: b.check(one_line(check_file(str(RICH_EXAMPLE)).report), "report.txt"),
    "E155": lambda b: b.check((PUBLISHED / "hanyang_qzfb_2022.txt").read_text("utf-8"), "report.txt"),
    "E156": lambda b: b.check(single_six(check_file(str(RICH_EXAMPLE)).report), "report.txt"),
    "E157": lambda b: b.check(web_table_report().replace("\t".join(["0"] * 15), "\t".join(["0"] * 14)), "report.txt"),
    "E158": lambda b: b.check(edit(RICH_SEED, "行政处罚\t0", "行政处罚\t一"), "report.txt"),
    "E159": lambda b: b.check(RICH_SEED.rstrip("\n") + "\n\n周口市人民政府办公室\n2025年2月30日\n", "report.txt"),
    "E160": lambda b: b.check(in_2019_format(RICH_SEED), "report.txt"),
    "E161": lambda b: b.check(RICH_SEED.rstrip("\n") + "\n\n七、本年度工作亮点\n\n群众满意度达到新高。\n", "report.txt"),
    "I203": lambda b: b.check_with_last_year(BASE, edit_row(LAST_YEAR_CONSISTENT, "未经复议直接起诉", "[0, 0, 0, 2, 2]")),
    "I220": lambda b: b.check_with_last_year(BASE, edit_row(LAST_YEAR_CONSISTENT, "本年新收", "[500, 32, 0, 0, 180, 0, 712]")),
    "W090": lambda b: published_html(b, ">1121</td>", ">1122</td>"),
    "W091": lambda b: b.published_docx(">周口市人民政府办公室2024年</w:t>", ">周口市人民政府办公室2023年</w:t>"),
    "W092": lambda b: b.published_docx("办结 1267 条", "办结 1268 条"),
    "W201": lambda b: b.check_with_last_year(BASE, edit_row(LAST_YEAR_CONSISTENT, "结转下年度", "[20, 0, 0, 0, 19, 0, 39]")),
    "W202": lambda b: b.check_with_last_year(BASE, edit_row(LAST_YEAR, "行政规范性文件", "[10, 0, 260]")),
    "W206": lambda b: b.check_with_last_year(BASE, "年度: [2023\n"),
    "W207": lambda b: b.check(BASE + "已核对:\n  - 代码: W301\n    位置: 总体情况.依申请公开\n    理由: 原文如此\n"),
    "W208": lambda b: b.check_with_last_year(BASE, LAST_YEAR_CONSISTENT),
    "W301": lambda b: b.check(sub("办结 1267 条", "办结 1266 条")),
    "W302": lambda b: b.check(folded_plain_text()),
    "W303": lambda b: b.check(sub("办结 1267 条", "办结 1267 条，其中予以公开 81 件，占 6.93%")),
    "W401": lambda b: b.check(section_text("存在的主要问题及改进情况", "无")),
    "W402": lambda b: b.check(re.sub(r"  监督保障: \|\n(?:    .*\n)+", "", BASE)),
    "W403": lambda b: b.check(sub(FEE, "无。")),
    "W404": lambda b: b.check(sub("年度: 2024\n", "年度: 2024\n发布日期: 2025-06-01\n")),
    "W405": lambda b: b.check(sub("年度: 2024\n", "年度: 2024\n发布日期: 2024-12-01\n")),
    "W520": lambda b: b.review({"门户网站.txt": RICH_SEED, "公开平台.txt": edit(RICH_SEED, "(七) 总计\t1036", "(七) 总计\t1037")}),
    "W521": lambda b: b.review({"原件.yaml": BASE, "抄件.yaml": edit(BASE, "机关: 周口市人民政府办公室", "机关: 周口市某某局")}),
    "W523": region_summary,
}
for case in test_bad_input.CASES:  # the corpus of malformed forms: one input for each of its codes
    CASES.setdefault(case.code, lambda b, make=case.make: b.check(make()))


def test_every_registered_code_has_an_input():
    assert set(registry()) - set(CASES) == set(), "registered, but no input here produces it"
    assert set(CASES) - set(registry()) == set(), "an input for a code not registered"


@pytest.mark.parametrize("code", sorted(CASES))
def test_the_input_produces_the_code(code, tmp_path, monkeypatch, run_cli):
    found = CASES[code](Bench(tmp_path, monkeypatch, run_cli))
    assert code in found, found

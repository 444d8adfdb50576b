"""Files the program ships with and the installation it relies on: the Word template (edited in
Word/WPS, never regenerated) has what the renderer needs, the example schema is what
`nianbao schema` prints, the WeasyPrint versions are the ones render/weasy.py checks,
and `--version` comes from pyproject.toml."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from importlib.metadata import distributions

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from generator.fonts import roles
from generator.render.docx import STYLES, TEMPLATE, open_template
from generator.resources import InstallationError

from .conftest import ROOT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
# Each named paragraph style of the template and the font role (templates/fonts.yaml) it is set in
STYLE_FONTS = {"标题": "title", "一级标题": "heading1", "二级标题": "heading2", "正文": "body", "表格": "table", "页码": "page_number"}


def test_the_word_template_has_every_style_in_the_official_faces():
    styles = {style.name: style for style in Document(str(TEMPLATE)).styles}
    assert set(STYLES) <= set(styles)
    for name, role in STYLE_FONTS.items():
        east_asian = styles[name].element.rPr.rFonts.get(qn("w:eastAsia"))
        assert east_asian == roles()[role].official[0], name


def test_the_word_template_names_the_faces_word_uses_without_the_official_ones():
    """Its font table gives each official face the first stand-in fonts.yaml names for Word/WPS
    (altName), whether it is serif or sans (family) and that it is a Chinese face (charset)."""
    with zipfile.ZipFile(TEMPLATE) as archive:
        table = ET.fromstring(archive.read("word/fontTable.xml"))
    fonts = {font.get(f"{W}name"): font for font in table.iter(f"{W}font")}
    for role in roles().values():
        font = fonts[role.official[0]]
        assert font.find(f"{W}altName").get(f"{W}val") == role.docx_fallback[0], role.key
        assert font.find(f"{W}family").get(f"{W}val") == role.docx_family, role.key
        assert font.find(f"{W}charset").get(f"{W}val") == "86", role.key  # GB2312


def test_the_word_template_sets_up_the_page_as_gbt_9704():
    """A4; margins 37 / 35 mm top and bottom, 28 / 26 mm left and right; 「— 1 —」 page numbers,
    odd pages right, even pages left; and no text of its own."""
    docx = Document(str(TEMPLATE))
    section = docx.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]
    assert docx.settings.odd_and_even_pages_header_footer
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        (paragraph,) = footer.paragraphs
        assert (paragraph.style.name, paragraph.alignment, paragraph.text) == ("页码", alignment, "—  —")
        assert [field.text for field in paragraph._p.iter(qn("w:instrText"))] == ["PAGE"]
    assert docx.paragraphs == [] and docx.tables == []


def test_a_template_that_lost_a_style_is_refused_by_name(tmp_path):
    edited = Document(str(TEMPLATE))
    edited.styles["正文"].delete()
    edited.save(tmp_path / "report.docx")
    with pytest.raises(InstallationError, match=r"Word 模板 .*report\.docx 缺少样式：正文。"):
        open_template(tmp_path / "report.docx")


def test_the_example_schema_is_what_nianbao_schema_prints(run_cli):
    code, out, _ = run_cli("schema")
    assert code == 0
    assert out == (ROOT / "examples" / "nianbao.schema.json").read_text("utf-8"), "请用 nianbao schema -o examples/nianbao.schema.json 重新生成"


def distribution_name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def required_distributions() -> set[str]:
    """nianbao's dependencies with its test extra, and theirs, as installed here (by their metadata)."""
    from packaging.requirements import Requirement

    installed = {distribution_name(d.metadata["Name"]): d for d in distributions()}
    wanted: list[tuple[str, str]] = [("nianbao", "test")]  # (package, extra)
    seen: set[tuple[str, str]] = set()
    while wanted:
        name, extra = wanted.pop()
        if (name, extra) in seen or name not in installed:
            continue
        seen.add((name, extra))
        for line in installed[name].requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": extra}):
                wanted += [(distribution_name(requirement.name), extra) for extra in requirement.extras or [""]]
    return {name for name, _extra in seen} - {"nianbao"}


def test_constraints_pin_every_package_the_tests_run_on():
    """constraints.txt holds the exact version of every package nianbao and its tests need, as
    installed (so a dependency added to pyproject.toml without its pin is noticed), and nothing
    that is not installed at its pinned version. Packages a developer added to the environment
    (pytest-xdist…) are none of its business."""
    lines = (ROOT / "constraints.txt").read_text("utf-8").splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    pinned = {distribution_name(name): version for name, version in pins}
    installed = {distribution_name(d.metadata["Name"]): d.version for d in distributions()}
    needed = required_distributions()
    assert len(needed) > 20 and {"weasyprint", "pytest", "tinycss2"} <= needed
    unpinned = {name: installed[name] for name in needed if pinned.get(name) != installed[name]}
    stale = {name: version for name, version in pinned.items() if installed.get(name) != version}
    assert not unpinned and not stale, f"constraints.txt 与环境不一致（{unpinned or stale}）：请运行 make constraints（新的依赖按最新版本固定）后再运行 make test"


def test_version_is_the_one_in_pyproject(run_cli):
    assert run_cli("--version") == (0, f"nianbao {PROJECT['version']}\n", "")


def test_pyproject_allows_the_weasyprint_versions_render_weasy_checks_and_constraints_pin_the_tested_one():
    from generator.render.weasy import REQUIREMENT, TESTED_VERSION

    assert REQUIREMENT in PROJECT["dependencies"]
    assert f"weasyprint=={TESTED_VERSION}" in (ROOT / "constraints.txt").read_text("utf-8").splitlines()


def run_with_weasyprint_71(*args: str) -> subprocess.CompletedProcess:
    """`nianbao ARGS` in a process whose WeasyPrint says it is version 71.0."""
    program = "import sys, weasyprint; weasyprint.__version__ = '71.0'\nfrom generator.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", program, *args], capture_output=True, text=True, cwd=ROOT)


def test_another_weasyprint_is_refused_with_how_to_fix_it(tmp_path):
    """A WeasyPrint other than the pinned one would lay out the PDF wrongly: say so, write nothing."""
    example = ROOT / "examples" / "周口市行政服务中心" / "2024.yaml"
    result = run_with_weasyprint_71("build", str(example), "--pdf", "-o", str(tmp_path))
    assert result.returncode == 2
    assert "需要 WeasyPrint 70.0" in result.stderr and "安装的是 71.0" in result.stderr
    assert "pip install weasyprint==70.0" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_doctor_names_the_weasyprint_it_needs():
    assert "✓ WeasyPrint 70.0：可用" in subprocess.run([sys.executable, "-m", "generator", "doctor"], capture_output=True, text=True, cwd=ROOT).stdout
    result = run_with_weasyprint_71("doctor")
    assert result.returncode == 1
    assert "✗ 生成 PDF 需要 WeasyPrint 70.0" in result.stdout and "pip install weasyprint==70.0" in result.stdout

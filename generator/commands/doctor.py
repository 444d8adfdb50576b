"""`nianbao doctor`: which font face each role resolves to, and what else the build needs."""

from __future__ import annotations

import argparse
import shutil

from ..fonts import installed_families, resolve_roles, roles, substitute
from ..resources import InstallationError


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("doctor", help="检查字体和生成环境", description="说明每种文字（标题、正文、标题层级、表格、页码）实际使用的字体")
    parser.set_defaults(run=run)


def harfbuzz_subset_available() -> bool:
    from ctypes.util import find_library

    return find_library("harfbuzz-subset") is not None


def weasyprint_status() -> tuple[bool, str]:
    """WeasyPrint as PDF rendering needs it: installed, with the internals render/weasy.py checks, with Pango."""
    try:
        from ..render import weasy
    except ImportError:
        return False, "WeasyPrint：未安装，无法生成 PDF"
    except InstallationError as exc:
        return False, str(exc)
    except OSError:  # WeasyPrint loads Pango when imported
        return False, "WeasyPrint：找不到 Pango 库，无法生成 PDF；安装方法见 README 的“安装”一节"
    return True, f"WeasyPrint {weasy.weasyprint.__version__}：可用"


def docx_fonts() -> None:
    """How the DOCX (which names the official faces) looks here, and on a PC without them."""
    print("Word 文档（DOCX）的字体：")
    families, shown = installed_families(), set()
    for role in roles().values() if families else ():  # without fontconfig nothing is known here
        face = role.official[0]
        if face in families:
            shown.add(face)
            print(f"  ✓ {role.label}：{face}")
            continue
        stand_in = substitute(face)
        shown.add(stand_in)
        print(f"  ! {role.label}：本机没有{face}，在本机用 LibreOffice 打开时显示为 {stand_in or '系统默认字体'}")
    if len(shown) == 1 and None not in shown:
        print("    在本机打开 DOCX，标题、各级标题和正文是同一种字体，只能靠字号区分层级；安装公文字体后与 PDF 一致。")
    substitutes = "；".join(f"{role.label} {' → '.join(role.docx_fallback)}" for role in roles().values() if role.docx_fallback)
    print(f"  在没有公文字体的电脑上，Word/WPS 按 DOCX 字体表的替代字体显示：{substitutes}。")


def run(args: argparse.Namespace) -> int:
    missing = 0
    print("字体：")
    for resolution in resolve_roles():
        role = resolution.role
        if resolution.face is None:
            missing += 1
            print(f"  ✗ {role.label}：{' / '.join(role.stack)} 均未安装")
        elif resolution.official:
            print(f"  ✓ {role.label}：{resolution.face}")
        else:
            weight = "（粗体）" if resolution.weight == "bold" else ""
            print(f"  ! {role.label}：未安装{role.official[0]}，使用替代字体 {resolution.face}{weight}（PDF 中嵌入的是替代字体）")
    docx_fonts()
    print("环境：")
    fast = harfbuzz_subset_available()
    print(f"  {'✓' if fast else '!'} 快速字体子集化（HarfBuzz subset）：{'可用' if fast else '不可用，生成 PDF 会慢很多；请安装 libharfbuzz-subset0'}")
    weasyprint, status = weasyprint_status()
    print(f"  {'✓' if weasyprint else '✗'} {status}")
    fontconfig = shutil.which("fc-list") and shutil.which("fc-match")
    print(f"  {'✓' if fontconfig else '✗'} fontconfig（fc-list、fc-match）：{'可用' if fontconfig else '未安装，找不到任何字体；请安装 fontconfig'}")
    poppler = shutil.which("pdftotext")
    print(f"  {'✓' if poppler else '-'} pdftotext：{'可用' if poppler else '未安装（只在导入 PDF 报告时用到；请安装 poppler-utils）'}")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    print(f"  {'✓' if office else '-'} LibreOffice：{'可用' if office else '未安装（只在测试和性能对比中用到）'}")
    if missing:
        print(f"有 {missing} 种文字没有可用字体：请安装 fonts-noto-cjk 和 fonts-lxgw-wenkai，或安装公文字体。")
    return 0 if weasyprint and fontconfig and not missing else 1

"""`nianbao doctor`: which font face each role resolves to, and what else the build needs."""

from __future__ import annotations

import argparse
import importlib.util
import shutil

from ..fonts import resolve_roles


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("doctor", help="检查字体和生成环境", description="说明每种文字（标题、正文、标题层级、表格、页码）实际使用的字体")
    parser.set_defaults(run=run)


def harfbuzz_subset_available() -> bool:
    from ctypes.util import find_library

    return find_library("harfbuzz-subset") is not None


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
    print("环境：")
    fast = harfbuzz_subset_available()
    print(f"  {'✓' if fast else '!'} 快速字体子集化（HarfBuzz subset）：{'可用' if fast else '不可用，生成 PDF 会慢很多；请安装 libharfbuzz-subset0'}")
    weasy = importlib.util.find_spec("weasyprint") is not None
    print(f"  {'✓' if weasy else '✗'} WeasyPrint：{'可用' if weasy else '未安装，无法生成 PDF'}")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    print(f"  {'✓' if office else '-'} LibreOffice：{'可用' if office else '未安装（只在测试和性能对比中用到）'}")
    if missing:
        print(f"有 {missing} 种文字没有可用字体：请安装 fonts-noto-cjk 和 fonts-lxgw-wenkai，或安装公文字体。")
        return 1
    return 0

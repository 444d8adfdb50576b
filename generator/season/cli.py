"""What the season's commands (status, submit, return, approve, publish, backup) share: the
folder and its region found from the arguments, the user who runs them, refusals said in Chinese."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from ..review import Region, read_region
from . import REGION_FILE, Member, Refused, Season
from .db import DB_NAME, Actor, DatabaseError


def add_folder_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--folder", metavar="文件夹", help=f"审核数据库所在的表单文件夹（默认：表单所在或其上级文件夹中有 {DB_NAME} 或 {REGION_FILE} 的那一个）")


def command_user() -> Actor:
    """The operating system's user who runs the command: the audit trail names them."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment nor in the password database
        name = "未知用户"
    return Actor(name, "命令行")


def season_folder(form: Path, named: str | None) -> Path:
    """The folder named, else the nearest one above the form holding the database or the region file."""
    if named:
        return Path(named)
    start = form.resolve().parent
    for folder in (start, *start.parents):
        if (folder / DB_NAME).exists() or (folder / REGION_FILE).exists():
            return folder
    raise Refused(f"找不到 {form} 所属的表单文件夹（其中应有 {REGION_FILE} 或审核数据库 {DB_NAME}）：请用 --folder 指定，或先运行 nianbao status 文件夹")


def region_of(folder: Path, named: str | None) -> Region | None:
    """The region file named, else the folder's 地区.yaml when there is one; ValueError saying what is wrong."""
    path = Path(named) if named else folder / REGION_FILE
    if not named and not path.exists():
        return None
    try:
        return read_region(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}：无法读取地区结构文件（{getattr(exc, 'strerror', None) or '不是 UTF-8 文本'}）") from None
    except ValueError as exc:
        raise ValueError(f"{path}：{exc}") from None


def act(args: argparse.Namespace, work: Callable[[Season, Path, Actor], str]) -> int:
    """Run one transition on the form `args.form`; 1 with the reason when it is refused."""
    form = Path(args.form)
    if not form.is_file():
        print(f"找不到表单 {form}", file=sys.stderr)
        return 2
    try:
        season = Season(season_folder(form, args.folder))
    except (Refused, DatabaseError) as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        print(work(season, form, command_user()))
    except Refused as exc:
        print(exc, file=sys.stderr)
        return 1
    except DatabaseError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        season.close()
    return 0


def days_text(member: Member) -> str:
    if member.days_left > 0:
        return f"还剩 {member.days_left} 天"
    return "今天到期" if member.days_left == 0 else f"已逾期 {-member.days_left} 天"


def member_line(member: Member) -> str:
    parts = [f"{member.agency}：{member.state}", f"公布期限 {member.deadline}（{days_text(member)}）"]
    if member.form:
        parts.append(f"{member.form} {member.check}（错误 {member.errors}，警告 {member.warnings}）")
    if member.changed:
        parts.append(f"最后变更 {member.changed[:16].replace('T', ' ')} {member.changed_by}")
    if member.sums:
        differing = sum(line.differs for line in member.sums.lines)
        parts.append(f"汇总 {len(member.members)} 个成员（已审核通过 {len(member.sums.included)} 个" + (f"，与成员之和不符 {differing} 处" if differing else "") + "）")
    if not member.in_region:
        parts.append("不在地区名单中")
    return "  " + "，".join(parts)


def default_year(today: date) -> int:
    """The season in progress: January to March publish last year's reports."""
    return today.year - 1

"""Limits and safety for text from strangers: bounded reads, clean text, safe file names.

Every limit here is listed in README (输入限制). A limit is checked before the work it guards.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import unicodedata
from pathlib import Path

from .findings import Finding, InputError, printable

MAX_DIGITS = 9  # 件数 up to 999,999,999; 金额 up to 9 digits before the point: what a table cell shows
MAX_DECIMALS = 6  # 金额 decimals (more than 4 is already warned about by W015)
YEARS = range(1990, 2101)  # 年度 a form may give
MAX_NAME_CHARS = 80  # an output file name's stem, in characters (Windows paths stay short)
MAX_NAME_BYTES = 200  # and in UTF-8 bytes (255 is the limit of most file systems)

# Line breaks a form's text may hold in other spellings: VT (Word's manual line break), FF,
# NEL, LINE and PARAGRAPH SEPARATOR become a plain newline.
LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Characters no output can hold (XML refuses them, YAML cannot write them plainly, a terminal
# acts on them): other C0/C1 controls, DEL, lone surrogates, the non-characters U+FFFE/U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
# What a form's text is reported for: the forbidden characters and the C0 line breaks (VT, FF).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$", re.I)
NAME_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029]')

OS_ERRORS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EEXIST: "已有同名的文件或文件夹",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的磁盘只读",
    errno.ENOENT: "不存在",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EISDIR: "是一个文件夹",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EIO: "读写设备出错",
    errno.ELOOP: "符号链接循环",
    errno.EINVAL: "文件名或参数无效",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
}


def os_problem(exc: OSError) -> str:
    """An OS error in Chinese, never the OS's English text."""
    return OS_ERRORS.get(exc.errno or 0, f"系统错误（错误号 {exc.errno}）" if exc.errno else "系统错误")


def os_message(exc: OSError, name: str | os.PathLike | None = None) -> str:
    """「无法读写 文件：原因」 naming the file the error is about."""
    where = name or exc.filename or ""
    return f"无法读写 {printable(str(where))}：{os_problem(exc)}" if where else f"无法读写：{os_problem(exc)}"


def read_capped(path: Path, cap: int, name: str, what: str) -> bytes:
    """A regular file's bytes, at most `cap` of them: a FIFO, a device or /dev/zero is refused,
    and the cap holds for what is actually read (a file may grow, or lie about its size)."""
    try:
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))  # a FIFO must not block the open
        with open(handle, "rb", buffering=0) as stream:
            mode = os.fstat(handle).st_mode
            if stat.S_ISDIR(mode):
                raise InputError(Finding.of("E137", None, name=name, what=what))
            if not stat.S_ISREG(mode):
                raise InputError(Finding.of("E060", None, name=name, what=what))
            if hasattr(os, "O_NONBLOCK"):
                os.set_blocking(handle, True)
            data = read_at_most(stream, cap + 1)
    except FileNotFoundError:
        raise InputError(Finding.of("E000", None, name=name)) from None
    except IsADirectoryError:
        raise InputError(Finding.of("E137", None, name=name, what=what)) from None
    except OSError as exc:
        raise InputError(Finding.of("E000", None, variant="os", name=printable(name), reason=os_problem(exc))) from None
    if len(data) > cap:
        raise InputError(Finding.of("E002", None, name=name, what=what, limit=megabytes(cap)))
    return data


def read_at_most(stream, limit: int) -> bytes:
    chunks, left = [], limit
    while left > 0:
        chunk = stream.read(min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def year_problem(year: int) -> str:
    """Why `year` cannot be a form's 年度 ("" when it can)."""
    return "" if year in YEARS else f"年度应为 {YEARS.start} 至 {YEARS.stop - 1} 之间的四位数公元年份，实为 {year}"


def megabytes(size: int) -> str:
    return f"{size / 1048576:g} MB"


def one_line(text: str) -> str:
    """Text for a single-line value (机关, 标题, a comment): line breaks become spaces, controls go."""
    return FORBIDDEN.sub("", LINE_BREAKS.sub(" ", text.replace("\n", " ")))


def title_text(text: str) -> str:
    """Text for the 标题: as one_line, but the line breaks the user typed stay, as the title's own
    (each line trimmed, blank lines dropped)."""
    return "\n".join(line.strip() for line in clean_text(text).split("\n") if line.strip())


def clean_text(text: str) -> str:
    """Narrative text any output can hold: other line-break spellings become newlines,
    forbidden characters are dropped."""
    return FORBIDDEN.sub("", LINE_BREAKS.sub("\n", text))


def safe_name(title: str, fallback: str = "报告") -> str:
    """A file name stem made from a title typed by a user: no folder separators, no characters
    or names Windows refuses, no leading dots, at most MAX_NAME_CHARS characters / MAX_NAME_BYTES bytes."""
    name = NAME_UNSAFE.sub("_", unicodedata.normalize("NFC", FORBIDDEN.sub("", one_line(title))))
    name = " ".join(name.split()).strip(" .")
    name = name[:MAX_NAME_CHARS]
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    name = name.rstrip(" .")
    if WINDOWS_RESERVED.match(name):
        name = "_" + name
    return name or fallback

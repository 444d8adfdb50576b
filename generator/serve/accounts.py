"""Accounts for a server on an intranet: agency staff edit their own agency's forms, the
政务公开办 reads every form. Passwords are stored as Argon2 hashes (argon2-cffi)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError

from ..files import write_atomic

OFFICE = "政务公开办"
AGENCY_LINE = re.compile(r"^机关\s*:\s*[\"']?(.+?)[\"']?\s*(#.*)?$", re.M)
HASHER = PasswordHasher()


class AccountsError(Exception):
    """The users file cannot be used (message in Chinese)."""


@dataclass(frozen=True)
class Account:
    name: str
    password_hash: str
    agency: str = ""  # empty for the office

    @property
    def office(self) -> bool:
        return not self.agency

    def verify(self, password: str) -> bool:
        try:
            return HASHER.verify(self.password_hash, password)
        except (VerifyMismatchError, InvalidHashError):
            return False

    def may_read(self, form_agency: str | None) -> bool:
        return self.office or form_agency == self.agency

    def may_write(self, form_agency: str | None) -> bool:
        return not self.office and form_agency == self.agency


def agency_of(text: str) -> str | None:
    """The 机关 a form names (read without the form reader, so a broken form still has an owner)."""
    match = AGENCY_LINE.search(text)
    return match.group(1).strip() if match else None


def load_accounts(path: Path) -> dict[str, Account]:
    try:
        data = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise AccountsError(f"无法读取账户文件 {path}（{getattr(exc, 'strerror', None) or '格式不对'}）") from None
    if not isinstance(data, dict):
        raise AccountsError(f"账户文件 {path} 应为“用户名: {{密码: …, 机关: …}}”")
    accounts = {}
    for name, entry in data.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("密码"), str) or not (entry.get("机关") or entry.get("角色") == OFFICE):
            raise AccountsError(f"账户文件 {path} 中「{name}」应写明 密码（用 nianbao serve --add-user 生成）和 机关，或 角色: {OFFICE}")
        accounts[str(name)] = Account(str(name), entry["密码"], str(entry.get("机关") or ""))
    return accounts


def add_account(path: Path, name: str, password: str, agency: str) -> None:
    """Add or replace one account in the users file (the office when `agency` is empty)."""
    data = yaml.load(path.read_text("utf-8"), Loader=yaml.CSafeLoader) if path.exists() else {}
    entry = {"密码": HASHER.hash(password)} | ({"机关": agency} if agency else {"角色": OFFICE})
    data = (data or {}) | {name: entry}
    write_atomic(path, "# nianbao serve 的账户（密码只保存 Argon2 散列值）\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), mode=0o600)

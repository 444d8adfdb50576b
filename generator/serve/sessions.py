"""Accounts and sessions kept in the season's database, so that the office can manage accounts in
the browser and a session ends when it should: at logout, when the password is reset, when the
account is disabled, and after a working day without a request. The browser's cookie carries only
a random token; the database keeps its SHA-256, the account and when it was last used."""

from __future__ import annotations

import hashlib
import secrets
import time
from pathlib import Path

from ..season.db import DB_NAME, Actor, SeasonDB, now
from .accounts import HASHER, Account

IDLE_SECONDS = 8 * 3600  # a working day without a request ends a session
TOUCH_SECONDS = 60  # last_seen is written at most this often per session
MIN_PASSWORD = 8


class AccountError(Exception):
    """An account change that is not allowed (message in Chinese)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Sessions:
    """The accounts and sessions of one folder's database (a connection per call: any thread, any worker)."""

    def __init__(self, folder: Path, imported: dict[str, Account] | None = None):
        self.folder = folder
        if imported:
            self.import_accounts(imported)

    def database(self) -> SeasonDB:
        return SeasonDB(self.folder)

    def import_accounts(self, accounts: dict[str, Account]) -> None:
        """Accounts of a users file that the database does not hold yet (the database's own, changed in the browser, stay)."""
        db = self.database()
        try:
            with db.writing() as c:
                for account in accounts.values():
                    if c.execute("SELECT 1 FROM accounts WHERE name = ?", (account.name,)).fetchone() is None:
                        c.execute("INSERT INTO accounts (name, password_hash, agency, created) VALUES (?, ?, ?, ?)", (account.name, account.password_hash, account.agency, now()))
                        db.audit(c, Actor("nianbao", "系统"), "导入账户", account.agency, 0, f"{account.name}（来自账户文件）")
        finally:
            db.close()

    def account(self, name: str) -> Account | None:
        db = self.database()
        try:
            rows = db.rows("SELECT * FROM accounts WHERE name = ? AND disabled = ''", name)
        finally:
            db.close()
        return Account(rows[0]["name"], rows[0]["password_hash"], rows[0]["agency"]) if rows else None

    def log_in(self, name: str, password: str) -> str | None:
        """A new session's token for the right password of an enabled account; None otherwise (both noted)."""
        account = self.account(name)
        ok = account is not None and account.verify(password)
        db = self.database()
        try:
            with db.writing() as c:
                db.audit(c, Actor(name[:64], "网页"), "登录" if ok else "登录失败", account.agency if account else "", 0, "" if ok else "用户名或密码不对，或账户已停用")
                if not ok:
                    return None
                token = secrets.token_urlsafe(32)
                c.execute("INSERT INTO sessions (token_hash, account, created, last_seen) VALUES (?, ?, ?, ?)", (token_hash(token), name, now(), time.time()))
                return token
        finally:
            db.close()

    def user(self, token: str) -> Account | None:
        """The account of a live session (one idle a working day long is ended now)."""
        if not token:
            return None
        db = self.database()
        try:
            rows = db.rows(
                "SELECT s.last_seen, a.name, a.password_hash, a.agency FROM sessions s JOIN accounts a ON a.name = s.account WHERE s.token_hash = ? AND s.ended = '' AND a.disabled = ''",
                token_hash(token),
            )
            if not rows:
                return None
            idle = time.time() - rows[0]["last_seen"]
            if idle > IDLE_SECONDS or idle > TOUCH_SECONDS:
                with db.writing() as c:
                    if idle > IDLE_SECONDS:
                        c.execute("UPDATE sessions SET ended = ?, end_reason = '超过一个工作日未操作' WHERE token_hash = ?", (now(), token_hash(token)))
                        return None
                    c.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?", (time.time(), token_hash(token)))
            return Account(rows[0]["name"], rows[0]["password_hash"], rows[0]["agency"])
        finally:
            db.close()

    def log_out(self, token: str) -> None:
        db = self.database()
        try:
            with db.writing() as c:
                row = c.execute("SELECT account FROM sessions WHERE token_hash = ? AND ended = ''", (token_hash(token),)).fetchone()
                if row:
                    c.execute("UPDATE sessions SET ended = ?, end_reason = '退出登录' WHERE token_hash = ?", (now(), token_hash(token)))
                    db.audit(c, Actor(row["account"], "网页"), "退出登录")
        finally:
            db.close()

    def change(self, actor: Actor, name: str, action: str, password: str = "", agency: str | None = None) -> None:
        """添加 (with password and agency), 重置密码, 停用, 启用 an account; ending its sessions where the action takes its access."""
        if action in ("添加", "重置密码") and len(password) < MIN_PASSWORD:
            raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
        if not name.strip() or len(name) > 64:
            raise AccountError("请填写用户名（不超过 64 个字符）")
        db = self.database()
        try:
            with db.writing() as c:
                row = c.execute("SELECT * FROM accounts WHERE name = ?", (name,)).fetchone()
                if action == "添加":
                    if row is not None:
                        raise AccountError(f"账户 {name} 已经存在")
                    c.execute("INSERT INTO accounts (name, password_hash, agency, created) VALUES (?, ?, ?, ?)", (name, HASHER.hash(password), agency or "", now()))
                else:
                    if row is None:
                        raise AccountError(f"没有账户 {name}")
                    if action == "重置密码":
                        c.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (HASHER.hash(password), name))
                    else:
                        c.execute("UPDATE accounts SET disabled = ? WHERE name = ?", (now() if action == "停用" else "", name))
                if action in ("重置密码", "停用"):
                    c.execute("UPDATE sessions SET ended = ?, end_reason = ? WHERE account = ? AND ended = ''", (now(), action, name))
                db.audit(c, actor, f"账户{action}", agency or (row["agency"] if row else ""), 0, name)
        finally:
            db.close()

    def change_own_password(self, token: str, current: str, new: str) -> None:
        """The signed-in user's new password: every other session of the account ends, this one goes on."""
        account = self.user(token)
        if account is None or not account.verify(current):
            raise AccountError("当前密码不对")
        if len(new) < MIN_PASSWORD:
            raise AccountError(f"新密码至少 {MIN_PASSWORD} 个字符")
        db = self.database()
        try:
            with db.writing() as c:
                c.execute("UPDATE accounts SET password_hash = ? WHERE name = ?", (HASHER.hash(new), account.name))
                c.execute("UPDATE sessions SET ended = ?, end_reason = '修改密码' WHERE account = ? AND ended = '' AND token_hash != ?", (now(), account.name, token_hash(token)))
                db.audit(c, Actor(account.name, "网页"), "修改密码", account.agency, 0, account.name)
        finally:
            db.close()

    def listing(self) -> tuple[list[dict], list[dict]]:
        """Every account with its last login and live sessions; the latest logins (and failed attempts)."""
        db = self.database()
        try:
            accounts = db.rows(
                "SELECT a.*, (SELECT MAX(at) FROM audit WHERE who = a.name AND action = '登录') AS last_login,"
                " (SELECT COUNT(*) FROM sessions s WHERE s.account = a.name AND s.ended = '' AND s.last_seen > ?) AS live FROM accounts a ORDER BY a.agency, a.name",
                time.time() - IDLE_SECONDS,
            )
            logins = db.rows("SELECT * FROM audit WHERE action IN ('登录', '登录失败', '退出登录') ORDER BY id DESC LIMIT 100")
        finally:
            db.close()
        return [dict(r) for r in accounts], [dict(r) for r in logins]


def has_accounts(folder: Path) -> bool:
    """Whether the folder's database holds accounts (then the server asks for a login without --users)."""
    if not (folder / DB_NAME).is_file():
        return False
    db = SeasonDB(folder)
    try:
        return bool(db.rows("SELECT 1 FROM accounts LIMIT 1"))
    finally:
        db.close()

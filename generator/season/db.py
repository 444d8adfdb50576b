"""The season's shared state: one SQLite database in the forms' folder (WAL mode, so the office's
list reads while an agency writes). It holds what many people change at once: each form's state,
the office's comments, the published files, and an append-only audit trail (triggers refuse to
change or delete a line of it). The forms themselves stay YAML files."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DB_NAME = ".nianbao-season.db"  # hidden: the form list leaves it out
BUSY_MS = 10_000  # a writer waits this long for another's transaction before giving up

MIGRATIONS = [  # index + 1 is the schema version (PRAGMA user_version) it brings the database to
    """
    CREATE TABLE forms (
        agency TEXT NOT NULL,
        year INTEGER NOT NULL,
        state TEXT NOT NULL,
        form TEXT NOT NULL DEFAULT '',       -- the form's name relative to the folder
        content_hash TEXT NOT NULL DEFAULT '',  -- the form's text when it was submitted or approved
        approved_text TEXT NOT NULL DEFAULT '',
        changed TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        PRIMARY KEY (agency, year)
    );
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        agency TEXT NOT NULL,
        year INTEGER NOT NULL,
        place TEXT NOT NULL DEFAULT '',      -- '' the report, else a section, a cell (表/行/列) or a finding code
        text TEXT NOT NULL,
        author TEXT NOT NULL,
        created TEXT NOT NULL,
        round INTEGER NOT NULL               -- the audit line of the return it belongs to
    );
    CREATE TABLE published (
        id INTEGER PRIMARY KEY,
        agency TEXT NOT NULL,
        year INTEGER NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        created TEXT NOT NULL,
        created_by TEXT NOT NULL,
        superseded TEXT NOT NULL DEFAULT ''  -- when a later change reopened the form
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        who TEXT NOT NULL,
        via TEXT NOT NULL,                   -- 命令行 (the operating system's user) or 网页 (an account)
        action TEXT NOT NULL,
        agency TEXT NOT NULL DEFAULT '',
        year INTEGER NOT NULL DEFAULT 0,
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END;
    CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments BEGIN SELECT RAISE(ABORT, '退回意见只能追加，不能修改'); END;
    CREATE TRIGGER comments_no_delete BEFORE DELETE ON comments BEGIN SELECT RAISE(ABORT, '退回意见只能追加，不能删除'); END;
    """,
    """
    CREATE TABLE accounts (
        name TEXT PRIMARY KEY,
        password_hash TEXT NOT NULL,         -- Argon2
        agency TEXT NOT NULL DEFAULT '',     -- '' for the office
        disabled TEXT NOT NULL DEFAULT '',   -- when it was disabled
        created TEXT NOT NULL
    );
    CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,         -- SHA-256 of the cookie's token: the database alone opens no session
        account TEXT NOT NULL REFERENCES accounts(name),
        created TEXT NOT NULL,
        last_seen REAL NOT NULL,             -- seconds since the epoch
        ended TEXT NOT NULL DEFAULT '',
        end_reason TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX sessions_by_account ON sessions(account);
    """,
]


class DatabaseError(Exception):
    """The season's database cannot be used (message in Chinese)."""


@dataclass(frozen=True)
class Actor:
    """Who acts: an account in the browser, or the operating system's user on the command line."""

    name: str
    via: str  # 网页 or 命令行


def now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


class SeasonDB:
    """The database of one folder; every write in one transaction (`with db.writing() as c:`)."""

    def __init__(self, folder: Path, path: Path | None = None):
        self.path = path or folder / DB_NAME
        try:
            self.connection = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False)
            self.connection.row_factory = sqlite3.Row
            self.connection.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            self.connection.execute("PRAGMA journal_mode = WAL")
            self.connection.execute("PRAGMA foreign_keys = ON")
            self.migrate()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(database_message(self.path, exc)) from None

    def close(self) -> None:
        self.connection.close()

    def migrate(self) -> None:
        """Bring the schema to the newest version, one migration per transaction."""
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise DatabaseError(f"{self.path} 由更新版本的 nianbao 创建（数据库版本 {version}），请升级 nianbao")
        for number, script in enumerate(MIGRATIONS[version:], version + 1):
            with self.writing() as c:
                for statement in statements(script):
                    c.execute(statement)
                c.execute(f"PRAGMA user_version = {number}")

    @contextlib.contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE: writers queue, readers go on)."""
        c = self.connection
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise DatabaseError(database_message(self.path, exc)) from None
        try:
            yield c
        except BaseException:
            c.execute("ROLLBACK")
            raise
        try:
            c.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            c.execute("ROLLBACK")
            raise DatabaseError(database_message(self.path, exc)) from None

    def rows(self, sql: str, *values) -> list[sqlite3.Row]:
        return self.connection.execute(sql, values).fetchall()

    def audit(self, c: sqlite3.Connection, actor: Actor, action: str, agency: str = "", year: int = 0, detail: str = "") -> int:
        """One line of the trail, inside the caller's transaction; its id."""
        cursor = c.execute("INSERT INTO audit (at, who, via, action, agency, year, detail) VALUES (?, ?, ?, ?, ?, ?, ?)", (now(), actor.name, actor.via, action, agency, year, detail))
        return cursor.lastrowid

    def backup(self, target: Path) -> None:
        """A consistent copy of the database while it is in use (SQLite's online backup)."""
        try:
            destination = sqlite3.connect(target)
            try:
                self.connection.backup(destination)
            finally:
                destination.close()
        except sqlite3.Error as exc:
            raise DatabaseError(database_message(target, exc).replace("审核数据库", "备份文件")) from None


def statements(script: str) -> list[str]:
    """A migration's statements (a trigger's body keeps its own semicolons)."""
    found, current = [], ""
    for line in script.splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    return found


def database_message(path: Path, exc: sqlite3.Error) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        reason = "正被其他程序长时间占用，请稍后重试"
    elif "readonly" in text or "read-only" in text:
        reason = "文件夹或数据库只读，无法写入"
    elif "disk" in text and "full" in text:
        reason = "磁盘已满"
    elif "not a database" in text or "malformed" in text:
        reason = "不是 nianbao 的数据库或已损坏，请从备份恢复"
    elif "unable to open" in text:
        reason = "无法打开（文件夹不存在或无权限）"
    else:
        reason = "数据库错误"
    return f"审核数据库 {path} {reason}"

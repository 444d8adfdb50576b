"""The region's reporting season over a folder of forms: each member agency's state for a year
(未开始 → 填报中 → 已提交 → 退回修改 → … → 审核通过 → 已发布), the transitions with their checks,
the office's return comments, publication from the approved version, and the audit trail.

The forms stay YAML files; the state lives in the folder's SQLite database (db.py). A form whose
text changed after it was submitted or approved is reopened (填报中) the next time it is looked
at, its published files marked superseded: the database keeps the hash of the text it accepted."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import services
from ..codes import Level
from ..files import write_all
from ..findings import format_text
from ..format import format_for_year, normalize_label
from ..review import Region, SumLine, member_sums
from ..serve.store import FormStore
from ..services import Checked
from .db import Actor, SeasonDB, now
from .ratios import RegionRatio, region_ratios

NOT_STARTED, DRAFTING, SUBMITTED, RETURNED, APPROVED, PUBLISHED = "未开始", "填报中", "已提交", "退回修改", "审核通过", "已发布"
STATES = (NOT_STARTED, DRAFTING, SUBMITTED, RETURNED, APPROVED, PUBLISHED)
ACCEPTED = (SUBMITTED, APPROVED, PUBLISHED)  # states that hold a text the office accepted: a change reopens them
REGION_FILE = "地区.yaml"  # the region file the folder's season reads when none is named


class Refused(Exception):
    """A transition that is not allowed, and why (in Chinese)."""


@dataclass
class Member:
    """One agency of the region (or with a form in the folder) for one year, as the office's list shows it."""

    agency: str
    year: int
    state: str
    deadline: date
    days_left: int
    form: str = ""  # the form's name in the folder; "" when it has none (未开始)
    check: str = ""  # the check's one word (有错误/有警告/可以发布/无法读取); "" without a form
    errors: int = 0
    warnings: int = 0
    changed: str = ""
    changed_by: str = ""
    members: list[str] = field(default_factory=list)  # a summary agency's direct members
    in_region: bool = True
    sums: Sums | None = None  # a summary agency's: its approved members' figures added up

    def as_json(self) -> dict:
        return {
            "机关": self.agency,
            "年度": self.year,
            "状态": self.state,
            "公布期限": self.deadline.isoformat(),
            "剩余天数": self.days_left,
            "表单": self.form,
            "校验": self.check,
            "错误": self.errors,
            "警告": self.warnings,
            "最后变更": self.changed,
            "变更人": self.changed_by,
            "汇总成员": self.members,
            "在地区名单中": self.in_region,
        } | ({"成员合计": self.sums.as_json()} if self.sums else {})


@dataclass
class Sums:
    """A summary agency's figures added up from its members: only approved (审核通过/已发布) members
    count; the others are named with their state."""

    lines: list[SumLine] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (member, its state)

    def as_json(self) -> dict:
        return {
            "已合计": self.included,
            "未合计": [{"机关": m, "状态": s} for m, s in self.missing],
            "不符": [{"项目": line.label, "本表": line.own, "成员之和": line.total} for line in self.lines if line.differs],
        }


@dataclass
class Published:
    path: Path
    sha256: str


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def deadline_of(agency: str, year: int, region: Region | None, kind: str = "") -> date:
    """The agency's publication deadline for a year's report: the office's date for the agency or
    its kind (when it falls in the year after the report's), else the format's (条例 第四十九条)."""
    fmt = format_for_year(year)
    kind = kind if kind in fmt.deadlines else fmt.kind_of(agency)
    for key in (agency, kind):
        chosen = region.deadlines.get(key) if region else None
        if chosen and chosen.year == year + 1:
            return chosen
    month, day = fmt.deadlines[kind]
    return date(year + 1, month, day)


class Season:
    """The season of one folder: its forms, its database and (when there is one) its region."""

    def __init__(self, folder: Path, region: Region | None = None):
        self.store = FormStore(folder)
        self.folder = self.store.folder
        self.db = SeasonDB(self.folder)
        self.region = region

    def close(self) -> None:
        self.db.close()

    def forms(self, year: int) -> dict[str, Checked]:
        """The year's forms, checked, by normalized agency (the first by name when there are several)."""
        return self.scan(year)[0]

    def scan(self, year: int) -> tuple[dict[str, Checked], dict[str, Checked]]:
        """The year's readable forms, and those that cannot be read but state their agency and year plainly."""
        found: dict[str, Checked] = {}
        unreadable: dict[str, Checked] = {}
        keys = services.header_keys(format_for_year(year))
        for name in self.store.names():
            path = str(self.store.path(name))
            checked = services.check_file(path)
            if checked.report is not None and checked.year == year:
                found.setdefault(normalize_label(checked.agency), checked)
            elif checked.report is None and (header := services.form_header(path, services.stamp(Path(path)), keys)) and header[1] == str(year):
                unreadable.setdefault(normalize_label(header[0]), checked)
        return found, unreadable

    def name_of(self, checked: Checked) -> str:
        return Path(checked.path).resolve().relative_to(self.folder).as_posix()

    def members(self, year: int, today: date) -> list[Member]:
        """Every agency of the region for the year, those without a form (未开始) included, then the
        agencies with a form that the region does not name; each with its state brought up to date."""
        forms, unreadable = self.scan(year)
        named = self.region.agencies if self.region else []
        listed = {normalize_label(a): a for a in named}
        for key, checked in forms.items():
            listed.setdefault(key, checked.agency)
        found = []
        for key, agency in listed.items():
            checked = forms.get(key)
            state, row = self.state(checked, key, year)
            kind = checked.report.kind if checked else ""
            deadline = deadline_of(agency, year, self.region, kind)
            member = Member(agency, year, state, deadline, (deadline - today).days, in_region=key in {normalize_label(a) for a in named})
            member.members = self.region.summaries.get(agency, []) if self.region else []
            checked = checked or unreadable.get(key)
            if checked:
                member.state = DRAFTING if member.state == NOT_STARTED else member.state
                member.form, member.check = self.name_of(checked), checked.status
                member.errors, member.warnings = checked.count(Level.ERROR), checked.count(Level.WARNING)
            if row:
                member.changed, member.changed_by = row["changed"], row["changed_by"]
            found.append(member)
        states = {normalize_label(m.agency): m.state for m in found}
        for member in found:
            if member.members:
                member.sums = self.sums_of(member.agency, member.members, forms, states)
        return found

    def sums_of(self, agency: str, members: list[str], forms: dict[str, Checked], states: dict[str, str]) -> Sums:
        """The summary's figures from its approved members (see member_sums)."""
        sums = Sums()
        approved = []
        for name in members:
            key = normalize_label(name)
            if states.get(key) in (APPROVED, PUBLISHED) and key in forms:
                sums.included.append(name)
                approved.append(forms[key].report)
            else:
                sums.missing.append((name, states.get(key, NOT_STARTED)))
        own = forms.get(normalize_label(agency))
        sums.lines = member_sums(own.report if own else None, approved)
        return sums

    def state(self, checked: Checked | None, key: str, year: int) -> tuple[str, dict | None]:
        """The state of an agency's form for the year (reopened first if its text changed since it was accepted)."""
        if checked is not None:
            self.reopen_if_changed(checked)
        rows = self.db.rows("SELECT * FROM forms WHERE agency = ? AND year = ?", key, year)
        row = dict(rows[0]) if rows else None
        if row is None:
            return (DRAFTING if checked else NOT_STARTED), None
        if checked is None and row["state"] != PUBLISHED:
            return NOT_STARTED, row
        return row["state"], row

    def reopen_if_changed(self, checked: Checked) -> None:
        """A form changed after it was submitted or approved goes back to 填报中; what was published from it is superseded."""
        key, year = normalize_label(checked.agency), checked.year
        current = text_hash(Path(checked.path).read_text("utf-8"))
        rows = self.db.rows("SELECT state, content_hash FROM forms WHERE agency = ? AND year = ?", key, year)
        if not rows or rows[0]["state"] not in ACCEPTED or rows[0]["content_hash"] == current:
            return
        with self.db.writing() as c:
            row = c.execute("SELECT state, content_hash FROM forms WHERE agency = ? AND year = ?", (key, year)).fetchone()
            if row["state"] not in ACCEPTED or row["content_hash"] == current:
                return
            system = Actor("nianbao", "系统")
            c.execute("UPDATE forms SET state = ?, changed = ?, changed_by = ? WHERE agency = ? AND year = ?", (DRAFTING, now(), system.name, key, year))
            c.execute("UPDATE published SET superseded = ? WHERE agency = ? AND year = ? AND superseded = ''", (now(), key, year))
            self.db.audit(c, system, "重新打开", key, year, f"表单在「{row['state']}」后被修改（{self.name_of(checked)}），状态改为「{DRAFTING}」；已发布的文件标记为已被取代")

    def checked_form(self, path: Path) -> Checked:
        """A form of this folder, checked; refused when it is not one or cannot be read."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.folder):
            raise Refused(f"{path} 不在文件夹 {self.folder} 中")
        checked = services.check_file(str(resolved))
        if checked.report is None:
            raise Refused(f"无法读取表单 {path}：{checked.unusable_reason}")
        if not checked.agency or not checked.year:
            raise Refused(f"表单 {path} 没有写明机关名称和年度")
        self.reopen_if_changed(checked)
        return checked

    def move(self, checked: Checked, actor: Actor, allowed: tuple[str, ...], target: str, action: str, detail: str = "", text: str | None = None, then: Callable[[sqlite3.Connection, int], None] | None = None) -> None:
        """One transition in one transaction: refused unless the form is in one of `allowed` states
        (read inside the transaction, so two offices acting at once cannot both win); `then(c, audit id)`
        writes what goes with it in the same transaction."""
        key, year = normalize_label(checked.agency), checked.year
        content = Path(checked.path).read_text("utf-8") if text is None else text
        with self.db.writing() as c:
            row = c.execute("SELECT state FROM forms WHERE agency = ? AND year = ?", (key, year)).fetchone()
            state = row["state"] if row else DRAFTING
            if state not in allowed:
                raise Refused(f"{checked.agency}{year} 年度的报告当前为「{state}」，不能{action}（只有「{'」「'.join(allowed)}」的报告可以{action}）")
            values = (target, self.name_of(checked), text_hash(content), now(), actor.name)
            if row is None:
                c.execute("INSERT INTO forms (state, form, content_hash, changed, changed_by, agency, year) VALUES (?, ?, ?, ?, ?, ?, ?)", (*values, key, year))
            else:
                c.execute("UPDATE forms SET state = ?, form = ?, content_hash = ?, changed = ?, changed_by = ? WHERE agency = ? AND year = ?", (*values, key, year))
            if target == APPROVED:
                c.execute("UPDATE forms SET approved_text = ? WHERE agency = ? AND year = ?", (content, key, year))
            line = self.db.audit(c, actor, action, key, year, detail or f"{self.name_of(checked)}：「{state}」→「{target}」")
            if then:
                then(c, line)

    def submit(self, path: Path, actor: Actor) -> None:
        """The agency hands the form in: only when nothing blocks a final build (the publish gate)."""
        checked = self.checked_form(path)
        if checked.blocking:
            errors, warnings = checked.count(Level.ERROR), checked.count(Level.WARNING)
            reasons = "\n".join(format_text(f, checked.source_lines) for f in checked.blocking)
            raise Refused(f"不能提交 {path}：有 {errors} 个错误、{warnings} 个未核对的警告，改正错误并核对警告后再提交：\n{reasons}")
        self.move(checked, actor, (DRAFTING, RETURNED), SUBMITTED, "提交")

    def return_(self, path: Path, actor: Actor, reason: str, comments: list[tuple[str, str]] = ()) -> None:
        """The office sends the form back with its reason (a comment on the whole report) and comments on places."""
        if not reason.strip():
            raise Refused("退回须写明理由（--reason）")
        checked = self.checked_form(path)
        key, year = normalize_label(checked.agency), checked.year

        def write_comments(c: sqlite3.Connection, round_id: int) -> None:
            for place, text in [("", reason.strip()), *comments]:
                c.execute("INSERT INTO comments (agency, year, place, text, author, created, round) VALUES (?, ?, ?, ?, ?, ?, ?)", (key, year, place, text, actor.name, now(), round_id))
                self.db.audit(c, actor, "退回意见", key, year, f"{place or '全文'}：{text}")

        self.move(checked, actor, (SUBMITTED, APPROVED), RETURNED, "退回修改", f"{self.name_of(checked)}：{reason.strip()}", then=write_comments)

    def approve(self, path: Path, actor: Actor) -> None:
        checked = self.checked_form(path)
        if checked.blocking:
            raise Refused(f"{path} 校验未通过（{len(checked.blocking)} 个问题），不能审核通过；请退回修改")
        self.move(checked, actor, (SUBMITTED,), APPROVED, "审核通过")

    def publish(self, path: Path, actor: Actor, out: Path) -> list[Published]:
        """The final PDF, DOCX and HTML built from the approved text, written to `out`, recorded with their SHA-256."""
        checked = self.checked_form(path)
        key, year = normalize_label(checked.agency), checked.year
        rows = self.db.rows("SELECT state, approved_text FROM forms WHERE agency = ? AND year = ?", key, year)
        if not rows or rows[0]["state"] != APPROVED:
            state = rows[0]["state"] if rows else DRAFTING
            raise Refused(f"{checked.agency}{year} 年度的报告当前为「{state}」，不能发布（只有「{APPROVED}」的报告可以发布）")
        approved = rows[0]["approved_text"]
        built = services.build_checked(services.check_text(approved, checked.path))
        if not built.outputs:
            raise Refused(f"{path} 审核通过的版本不能生成正式文件（校验未通过），请退回修改")
        files = {out / f"{built.stem}.{kind}": data for kind, data in built.outputs.items()}
        write_all(files)
        published = [Published(p, hashlib.sha256(data).hexdigest()) for p, data in files.items()]
        listing = "；".join(f"{p.path.name} SHA-256 {p.sha256}" for p in published)

        def record(c: sqlite3.Connection, _line: int) -> None:
            for item in published:
                c.execute(
                    "INSERT INTO published (agency, year, kind, path, sha256, content_hash, created, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (key, year, item.path.suffix[1:], str(item.path.resolve()), item.sha256, text_hash(approved), now(), actor.name),
                )

        self.move(checked, actor, (APPROVED,), PUBLISHED, "发布", f"{self.name_of(checked)}：{listing}", text=approved, then=record)
        return published

    def ratios(self, year: int) -> list[RegionRatio]:
        """The region's key ratios for the year over every agency with a form, with last year's."""
        reports = {key: checked.report for key, checked in self.forms(year).items()}
        last_year = {key: checked.report for key, checked in self.forms(year - 1).items()}
        return region_ratios(format_for_year(year).ratios, reports, last_year)

    def comments(self, agency: str, year: int) -> list[dict]:
        """The comments of the latest return, for the agency to see beside their places."""
        key = normalize_label(agency)
        rows = self.db.rows("SELECT * FROM comments WHERE agency = ? AND year = ? AND round = (SELECT MAX(round) FROM comments WHERE agency = ? AND year = ?) ORDER BY id", key, year, key, year)
        return [dict(r) for r in rows]

    def trail(self, agency: str = "", year: int = 0) -> list[dict]:
        if agency:
            return [dict(r) for r in self.db.rows("SELECT * FROM audit WHERE agency = ? AND year = ? ORDER BY id", normalize_label(agency), year)]
        return [dict(r) for r in self.db.rows("SELECT * FROM audit ORDER BY id")]

"""The season in the browser: the office's list of every member (未开始 included) with filters and
an XLSX export, and each form's page with its state, the office's return comments and the
transitions (提交 for the agency; 退回修改, 审核通过, 发布 for the office), each checked on the
server for the role and the agency, each behind the CSRF token."""

from __future__ import annotations

import contextlib
import io
import re
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from .. import services
from ..codes import Level
from ..format import normalize_label
from ..limits import safe_name
from ..season import RETURNED, STATES, SUBMITTED, Member, Refused, Season, deadline_of
from ..season.cli import command_user, days_text, default_year, region_of
from ..season.db import Actor, DatabaseError, SeasonDB
from ..season.ratios import RegionRatio
from .accounts import Account, agency_of
from .store import FormStore, NotAForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR_LINE = re.compile(r"^年度\s*:\s*[\"']?(\d{4})", re.M)
SORTS = {"deadline": "公布期限", "name": "机关名称", "state": "状态"}
ACTIONS = ("submit", "return", "approve", "publish")
PUBLISHED_FOLDER = "已发布"  # in the forms' folder: the files `发布` writes, one folder per agency


@contextlib.contextmanager
def form_lock(folder: Path) -> Iterator[None]:
    """Hold the season database's write lock: a form's save (read, compare, write) is one step
    for every worker process of the server, as a transition is."""
    db = SeasonDB(folder)
    try:
        with db.writing():
            yield
    finally:
        db.close()


def submitted_message(folder: Path, text: str) -> str:
    """Why a form cannot be edited now ("" when it can): the office is reviewing what was submitted."""
    agency, year = agency_of(text), YEAR_LINE.search(text)
    if not agency or not year:
        return ""
    season = Season(folder)
    try:
        rows = season.db.rows("SELECT state FROM forms WHERE agency = ? AND year = ?", normalize_label(agency), int(year.group(1)))
    finally:
        season.close()
    return "这份表单已提交，正在审核，不能修改；需要修改时请联系政务公开办退回" if rows and rows[0]["state"] == SUBMITTED else ""


def return_comments(folder: Path, checked: services.Checked) -> list[dict]:
    """The office's comments of the latest return while the form is 退回修改, for the editor to show beside their places."""
    if checked.report is None or not checked.agency or not checked.year:
        return []
    season = Season(folder)
    try:
        state, _row = season.state(checked, normalize_label(checked.agency), checked.year)
        rows = season.comments(checked.agency, checked.year) if state == RETURNED else []
    finally:
        season.close()
    return [{"place": r["place"], "text": r["text"], "author": r["author"], "created": r["created"][:16].replace("T", " ")} for r in rows]


def season_routes(store: FormStore, page: Callable[..., Response], require_user: Callable[[Request], Account | None], require_csrf: Callable[[Request, str | None], None]) -> list[Route]:
    """The season's pages and actions, for create_app to add to its routes."""

    def open_season() -> Season:
        try:
            region = region_of(store.folder, None)
        except ValueError as exc:
            raise HTTPException(500, f"地区结构文件有误：{exc}") from None
        try:
            return Season(store.folder, region)
        except DatabaseError as exc:
            raise HTTPException(503, str(exc)) from None

    def actor(user: Account | None) -> Actor:
        return Actor(user.name, "网页") if user else Actor(command_user().name, "网页（本机，无账户）")

    def listed(request: Request) -> tuple[int, list[Member], dict[str, str]]:
        """The year's members the user may see, filtered and sorted as the query asks."""
        user = require_user(request)
        query = request.query_params
        year_text = query.get("year", "")
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else default_year(date.today())
        season = open_season()
        try:
            members = season.members(year, date.today())
        finally:
            season.close()
        if user is not None and not user.office:
            members = [m for m in members if normalize_label(m.agency) == normalize_label(user.agency)]
        state, search, sort = query.get("state", ""), query.get("q", "").strip(), query.get("sort", "deadline")
        members = [m for m in members if (not state or m.state == state) and (not search or normalize_label(search) in normalize_label(m.agency))]
        order = {"name": lambda m: m.agency, "state": lambda m: (STATES.index(m.state), m.deadline)}.get(sort, lambda m: (m.deadline, m.agency))
        return year, sorted(members, key=order), {"state": state, "q": search, "sort": sort if sort in SORTS else "deadline"}

    async def season_list(request: Request) -> Response:
        year, members, chosen = await run_in_threadpool(listed, request)
        counts = {s: sum(m.state == s for m in members) for s in STATES}
        export = "/season/export.xlsx?" + urllib.parse.urlencode({"year": year, **chosen})
        return page(request, "season.html.j2", year=year, members=members, chosen=chosen, states=STATES, sorts=SORTS, counts=counts, days_text=days_text, export=export)

    async def export(request: Request) -> Response:
        year, members, _chosen = await run_in_threadpool(listed, request)
        book = Workbook()
        sheet = book.active
        sheet.title = f"{year}年度进度"
        sheet.append(["机关", "状态", "公布期限", "剩余天数", "表单", "校验", "错误", "警告", "最后变更", "变更人", "汇总成员"])
        for m in members:
            sheet.append([m.agency, m.state, m.deadline, m.days_left, m.form, m.check, m.errors, m.warnings, m.changed, m.changed_by, "、".join(m.members)])
        data = io.BytesIO()
        book.save(data)
        disposition = f"attachment; filename*=UTF-8''{urllib.parse.quote(f'{year}年度报告进度')}.xlsx"
        return Response(data.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})

    def region_figures(request: Request) -> tuple[int, list[RegionRatio]]:
        user = require_user(request)
        if user is not None and not user.office:
            raise HTTPException(403, "地区比率只对政务公开办开放")
        year_text = request.query_params.get("year", "")
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else default_year(date.today())
        season = open_season()
        try:
            return year, season.ratios(year)
        finally:
            season.close()

    async def ratios_page(request: Request) -> Response:
        year, ratios = await run_in_threadpool(region_figures, request)
        return page(request, "season_ratios.html.j2", year=year, ratios=ratios, percent=percent)

    async def ratios_export(request: Request) -> Response:
        year, ratios = await run_in_threadpool(region_figures, request)
        book = Workbook()
        book.remove(book.active)
        for figures in ratios:
            sheet = book.create_sheet(figures.ratio.name)
            sheet.append(["机关", figures.ratio.name, "案件数", "上年", "与四分位比较", "说明"])
            for a in figures.agencies:
                sheet.append([a.agency, a.value, a.cases, a.last_year, a.outlier, a.note])
            if figures.quartiles:
                sheet.append([])
                sheet.append(["下四分位数", figures.quartiles[0]])
                sheet.append(["中位数", figures.quartiles[1]])
                sheet.append(["上四分位数", figures.quartiles[2]])
        data = io.BytesIO()
        book.save(data)
        disposition = f"attachment; filename*=UTF-8''{urllib.parse.quote(f'{year}年度地区比率')}.xlsx"
        return Response(data.getvalue(), media_type=XLSX, headers={"Content-Disposition": disposition})

    def readable_form(request: Request, name: str) -> tuple[Account | None, str]:
        user = require_user(request)
        try:
            text = store.read(name)
        except (NotAForm, OSError, UnicodeDecodeError):
            raise HTTPException(404, "没有这份表单") from None
        if user is not None and not user.may_read(agency_of(text)):
            raise HTTPException(404, "没有这份表单")
        return user, text

    def form_page_values(name: str) -> dict:
        checked = services.check_file(str(store.path(name)))
        if checked.report is None:
            raise HTTPException(409, f"{name} 无法读取（{checked.unusable_reason}），请先在表单中改正")
        season = open_season()
        try:
            state, _row = season.state(checked, normalize_label(checked.agency), checked.year)
            values = {
                "report": checked.report,
                "state": state,
                "deadline": deadline_of(checked.agency, checked.year, season.region, checked.report.kind),
                "checked": checked,
                "errors": checked.count(Level.ERROR),
                "warnings": checked.count(Level.WARNING),
                "comments": season.comments(checked.agency, checked.year),
                "trail": season.trail(checked.agency, checked.year),
                "published": [dict(r) for r in season.db.rows("SELECT * FROM published WHERE agency = ? AND year = ? ORDER BY id", normalize_label(checked.agency), checked.year)],
            }
        finally:
            season.close()
        values["places"] = places_of(checked)
        return values

    def sums_of(agency: str, year: int):
        """A summary agency's sums from its approved members (None for an agency that sums none)."""
        season = open_season()
        try:
            if not season.region or agency not in season.region.summaries:
                return None
            return next(m.sums for m in season.members(year, date.today()) if m.agency == agency)
        finally:
            season.close()

    async def form_page(request: Request) -> Response:
        name = request.path_params["name"]
        user, _text = readable_form(request, name)
        values = await run_in_threadpool(form_page_values, name)
        values["sums"] = await run_in_threadpool(sums_of, values["report"].agency, values["report"].year)
        office = user is None or user.office
        agency = user is None or not user.office
        return page(request, "season_form.html.j2", name=name, office=office, agency=agency, today=date.today(), **values)

    async def transition(request: Request) -> Response:
        action, name = request.path_params["action"], request.path_params["name"]
        if action not in ACTIONS:
            raise HTTPException(404, "没有这个操作")
        form = await request.form()
        require_csrf(request, form.get("csrf"))
        user, text = readable_form(request, name)
        if action == "submit":
            if user is not None and not user.may_write(agency_of(text)):
                raise HTTPException(403, "只有本机关的账户可以提交这份表单")
        elif user is not None and not user.office:
            raise HTTPException(403, "只有政务公开办可以退回、审核通过和发布")
        path, who = store.path(name), actor(user)

        def act() -> None:
            season = open_season()
            try:
                if action == "submit":
                    season.submit(path, who)
                elif action == "return":
                    places = [str(p) for p in form.getlist("place")]
                    comments = [(p, str(c).strip()) for p, c in zip(places, form.getlist("comment"), strict=False) if str(c).strip()]
                    season.return_(path, who, str(form.get("reason", "")), comments)
                elif action == "approve":
                    season.approve(path, who)
                else:
                    agency = safe_folder(services.check_file(str(path)).agency)
                    season.publish(path, who, store.folder / PUBLISHED_FOLDER / agency)
            finally:
                season.close()

        try:
            await run_in_threadpool(act)
        except Refused as exc:
            return page(request, "message.html.j2", 409, message=str(exc))
        except DatabaseError as exc:
            return page(request, "message.html.j2", 503, message=str(exc))
        return RedirectResponse(f"/season/form/{urllib.parse.quote(name)}", status_code=303)

    async def published_file(request: Request) -> Response:
        user = require_user(request)
        season = open_season()
        try:
            rows = season.db.rows("SELECT * FROM published WHERE id = ?", request.path_params["id"])
        finally:
            season.close()
        if not rows or (user is not None and not user.office and normalize_label(user.agency) != rows[0]["agency"]):
            raise HTTPException(404, "没有这个文件")
        path = Path(rows[0]["path"])
        if not path.resolve().is_relative_to(store.folder) or not path.is_file():
            raise HTTPException(404, "这个文件已不在文件夹中")
        return FileResponse(path, filename=path.name)

    return [
        Route("/season", season_list),
        Route("/season/export.xlsx", export),
        Route("/season/ratios", ratios_page),
        Route("/season/ratios.xlsx", ratios_export),
        Route("/season/file/{id:int}", published_file),
        Route("/season/form/{name:path}", form_page),
        Route("/season/{action:str}/{name:path}", transition, methods=["POST"]),
    ]


def percent(value: float | None) -> str:
    return "" if value is None else f"{value:.1%}"


def safe_folder(agency: str) -> str:
    return safe_name(agency) or "机关"


def places_of(checked: services.Checked) -> list[tuple[str, str]]:
    """The places a return comment can be about: the sections, the tables' rows, the open findings."""
    report = checked.report
    places = []
    for section in report.format.sections:
        places += [(section.key, f"「{section.heading}」")] if section.heading else []
        places += [(f"{section.key}/{part.key}", f"「{part.title}」") for part in section.parts] if section.kind == "parts" else []
    for table in report.format.tables.values():
        places += [(f"{table.key}/{row.key}", table.row_title(row.key)) for row in table.rows]
    places += [(f.code, f"{f.code} {f.message[:40]}") for f in checked.findings if not f.acknowledged and f.level != Level.INFO]
    return places

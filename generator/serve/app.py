"""The web layer: Starlette routes over the form files, thin on top of the CLI's services
(the form reader, the checks, the document tree and the three renderers)."""

from __future__ import annotations

import contextlib
import logging
import secrets
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from pathlib import Path
from typing import TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import services
from ..acknowledge import finding_path
from ..checks import is_previous_year
from ..codes import Level
from ..document import link_headers, table_block
from ..findings import Finding, InputError
from ..fonts import TEMPLATES
from ..form import parse_form
from ..format import normalize_label
from ..formwriter import write_form
from ..importer import PUBLISHED_SUFFIXES
from ..report import Report
from ..services import Checked, Imported, blank_report, carry_forward, import_published, load_report, new_form_problem, output_stem
from .account_pages import account_routes
from .accounts import Account, agency_of
from .editing import (
    EditError,
    apply_edits,
    computed_cells,
    finding_target,
    form_state,
    read_with_spans,
    text_target,
    with_acknowledgement,
    with_reason,
    without_acknowledgement,
)
from .season import form_lock, return_comments, season_routes, submitted_message
from .sessions import Sessions
from .store import FormStore, NotAForm, version_of

STALE_ACKNOWLEDGEMENT = "W207"  # an entry of 已核对 no warning answers to any more
PREVIEW_DPI = 110  # an A4 page 909 px wide: table figures about 15 px tall, readable for proofreading
MAX_UPLOAD = 10 * 1024 * 1024  # a published report is a few MB at most
Result = TypeVar("Result")
FOLDER_MARKS = ("/", "\\")  # an agency's forms live in a folder named after it
STATUS_WORDS = {
    400: "请求的内容无法读取，请刷新页面后重试",
    403: "没有权限进行这项操作",
    404: "没有这个页面（地址可能输错了，或表单已改名、删除）",
    405: "不支持这种请求方式：请从页面上的按钮和链接进入",
    413: "上传的内容太大",
}
KINDS = {"pdf": "application/pdf", "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "html": "text/html; charset=utf-8"}


def check_text(store: FormStore, name: str, text: str) -> Checked:
    """Read and check a form's text as `nianbao check` would (last year's form beside it included)."""
    return services.check_text(text, str(store.path(name)), read_with_spans, name)


def finding_json(finding: Finding, checked: Checked) -> dict:
    target = finding_target(finding, checked.report, checked.spans) if checked.report else ""
    path = finding_path(checked.report, finding) if checked.report and finding.level != Level.ERROR else ""
    data = {"code": finding.code, "level": finding.level.value, "label": finding.level.label, "message": finding.message, "hint": finding.hint, "target": target, "path": path}
    if finding.code == STALE_ACKNOWLEDGEMENT and checked.report:  # which entry of the 已核对 list, for its removal in one click
        data["entry"] = next((i for i, a in enumerate(checked.report.acknowledgements) if finding.loc and a.loc.line == finding.loc.line), -1)
    return data | ({"acknowledged": {"reason": finding.acknowledged}} if finding.acknowledged else {})


def create_app(folder: Path, accounts: dict[str, Account] | None = None, secret: str | None = None, https: bool = False) -> Starlette:
    """The app over the forms of `folder`; `https`: served over TLS only, so the session cookie is sent only over it."""
    store = FormStore(folder)
    sessions = Sessions(store.folder, accounts) if accounts is not None else None
    env = Environment(loader=FileSystemLoader(TEMPLATES / "serve"), autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)

    def page(request: Request, template: str, status: int = 200, **values) -> HTMLResponse:
        values |= {"csrf": csrf_token(request), "user": current_user(request), "accounts": accounts is not None, "quote": urllib.parse.quote, "title_of": title_of}
        return HTMLResponse(env.get_template(template).render(**values), status_code=status)

    def current_user(request: Request) -> Account | None:
        return sessions.user(request.session.get("sid", "")) if sessions else None

    def require_user(request: Request) -> Account | None:
        """The signed-in account (None on a local server without accounts); otherwise to the login page."""
        user = current_user(request)
        if accounts is not None and user is None:
            raise HTTPException(303, headers={"Location": "/login"})
        return user

    def require_csrf(request: Request, token: str | None) -> None:
        if not token or not secrets.compare_digest(token, request.session.get("csrf", "")):
            raise HTTPException(403, "请求无效（页面已过期或来自其他网站），请刷新页面后重试")

    def form_text(request: Request, name: str, write: bool = False) -> str:
        """The form's text, if the user may read (or write) it; 404 either way otherwise."""
        user = require_user(request)
        try:
            text = store.read(name)
        except (NotAForm, OSError, UnicodeDecodeError):
            raise HTTPException(404, "没有这份表单") from None
        allowed = user is None or (user.may_write(agency_of(text)) if write else user.may_read(agency_of(text)))
        if not allowed:
            raise HTTPException(404, "没有这份表单")
        if write and (locked := submitted_message(store.folder, text)):
            raise HTTPException(409, locked)
        return text

    async def json_body(request: Request) -> dict:
        require_csrf(request, request.headers.get("x-csrf-token"))
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise HTTPException(400, "请求的内容无法读取，请刷新页面后重试")
        return body

    async def home(request: Request) -> Response:
        user = require_user(request)
        forms = []
        for name in store.names():
            text = store.read(name)
            if user is None or user.may_read(agency_of(text)):
                checked = check_text(store, name, text)
                forms.append((name, counts_of(checked), checked.status, user is None or user.may_write(agency_of(text))))
        published = store.names(PUBLISHED_SUFFIXES) if user is None or not user.office else []
        deleted = request.query_params.get("deleted", "")[:200]
        return page(request, "list.html.j2", forms=forms, published=published, may_create=user is None or not user.office, deleted=deleted)

    async def delete(request: Request) -> Response:
        """A form moved into the bin, from which it can be restored until the office empties it."""
        name = request.path_params["name"]
        form = await read_form(request)
        require_csrf(request, form.get("csrf"))
        form_text(request, name, write=True)
        store.discard(name)
        return RedirectResponse("/?deleted=" + urllib.parse.quote(title_of(name)), status_code=303)

    def visible_bin(user: Account | None) -> list:
        return [d for d in store.discarded() if user is None or user.may_read(agency_of(d.text))]

    async def bin_page(request: Request) -> Response:
        user = require_user(request)
        items = [(d, user is None or user.may_write(agency_of(d.text))) for d in visible_bin(user)]
        return page(request, "bin.html.j2", items=items, may_empty=user is None or user.office)

    async def bin_restore(request: Request) -> Response:
        user = require_user(request)
        form = await read_form(request)
        require_csrf(request, form.get("csrf"))
        chosen = next((d for d in visible_bin(user) if d.id == str(form.get("id", ""))), None)
        if chosen is None or (user is not None and not user.may_write(agency_of(chosen.text))):
            raise HTTPException(404, "回收站中没有这份表单")
        try:
            name = store.restore(chosen.id)
        except NotAForm:
            return page(request, "message.html.j2", 409, message=f"{title_of(chosen.name)}已有一份新的表单，不能恢复到同一名称：请先删除或改名那一份")
        return RedirectResponse(f"/form/{urllib.parse.quote(name)}", status_code=303)

    async def bin_empty(request: Request) -> Response:
        user = require_user(request)
        form = await read_form(request)
        require_csrf(request, form.get("csrf"))
        if user is not None and not user.office:
            raise HTTPException(403, "只有政务公开办可以清空回收站")
        count = store.empty_bin()
        return page(request, "message.html.j2", message=f"已清空回收站（{count} 份表单已永久删除）")

    async def edit(request: Request) -> Response:
        name = request.path_params["name"]
        text = form_text(request, name)
        checked = check_text(store, name, text)
        user = current_user(request)
        if checked.report is None:
            return page(request, "broken.html.j2", name=name, findings=checked.findings)
        tables = {t.key: editor_table(checked.report, t) for t in checked.report.format.tables.values()}
        prerender(checked, text, name, store.folder)
        return page(
            request,
            "edit.html.j2",
            name=name,
            report=checked.report,
            state=form_state(checked.report),
            tables=tables,
            texts=text_fields(checked.report),
            version=version_of(text),
            readonly=(user is not None and not user.may_write(agency_of(text))) or bool(submitted_message(store.folder, text)),
            comments=return_comments(store.folder, checked),
            restored=request.query_params.get("restored", "")[:40],
            merged=request.query_params.get("merged", "")[:200],
        )

    async def check(request: Request) -> Response:
        name = request.path_params["name"]
        body = await json_body(request)
        text = form_text(request, name)
        edited = edited_text(text, name, body.get("edits", {}))
        checked = await run_in_threadpool(check_text, store, name, edited)
        return JSONResponse(
            {
                "findings": [finding_json(f, checked) for f in checked.findings],
                "computed": computed_cells(checked.report) if checked.report else {},
                "blocking": len(checked.blocking),
            }
        )

    async def save(request: Request) -> Response:
        name = request.path_params["name"]
        body = await json_body(request)
        text = form_text(request, name, write=True)
        base = str(body.get("version", ""))
        if "edits" not in body:  # a whole text: an earlier version restored
            return save_text(request, name, str(body.get("text", "")), base)
        edited = edited_text(text, name, body["edits"])
        if version_of(text) == base:
            return save_text(request, name, edited, base)
        resolved = frozenset(map(str, body["resolved"])) if isinstance(body.get("resolved"), list) else frozenset()
        merge = await run_in_threadpool(merged, store, name, base, text, body["edits"], resolved)  # saved by someone else meanwhile
        if merge.clashes:
            return JSONResponse({"conflict": True, "version": version_of(text), "clashes": merge.clashes}, status_code=409)
        return save_text(request, name, merge.text, version_of(text), merged_with=merge.theirs)

    async def acknowledge(request: Request) -> Response:
        """A warning the user stands by: 已核对 with its reason, written into the form and saved."""
        name = request.path_params["name"]
        body = await json_body(request)
        code, path, reason = (str(body.get(k, "")).strip() for k in ("code", "path", "reason"))
        if not reason:
            return JSONResponse({"message": "请写明核对后仍保留的理由"}, status_code=400)
        text = form_text(request, name, write=True)
        try:
            edited = with_acknowledgement(edited_text(text, name, body.get("edits", {})), code, path, reason)
        except EditError as exc:
            raise HTTPException(400, exc.message_zh) from None
        return save_text(request, name, edited, str(body.get("version", "")))

    async def acknowledgement(request: Request) -> Response:
        """An entry of the form's 已核对 list changed: its reason rewritten, or the entry taken out."""
        name = request.path_params["name"]
        body = await json_body(request)
        entry, action, reason = body.get("entry"), body.get("action"), str(body.get("reason", "")).strip()
        if not isinstance(entry, int) or action not in ("remove", "reason") or (action == "reason" and not reason):
            raise HTTPException(400, "请写明核对后仍保留的理由" if action == "reason" else "请求的内容无法读取，请刷新页面后重试")
        text = form_text(request, name, write=True)
        try:
            current = edited_text(text, name, body.get("edits", {}))
            edited = without_acknowledgement(current, entry, name) if action == "remove" else with_reason(current, entry, reason, name)
        except EditError as exc:
            raise HTTPException(400, exc.message_zh) from None
        return save_text(request, name, edited, str(body.get("version", "")))

    def save_text(request: Request, name: str, edited: str, base: str, merged_with: list[str] | None = None) -> Response:
        """Save a form's new text if it is still at version `base` (`merged_with`: what others
        saved meanwhile, kept); a save in between is a conflict the page resolves field by field."""
        user = current_user(request)
        if user is not None and not user.may_write(agency_of(edited)):
            raise HTTPException(403, "只能保存本机关的表单（机关名称不能改为其他机关）")
        with form_lock(store.folder):  # one save at a time across the server's worker processes
            version = store.save(name, edited, base, user.name if user is not None else "本机")
        if version is None:
            return JSONResponse({"conflict": True, "version": version_of(store.read(name)), "clashes": []}, status_code=409)
        prerender(check_text(store, name, edited), edited, name, store.folder)
        return JSONResponse({"version": version} | ({"merged": merged_with} if merged_with is not None else {}))

    async def history(request: Request) -> Response:
        name = request.path_params["name"]
        text = form_text(request, name)
        chosen = request.query_params.get("version")
        try:
            earlier = store.earlier(name, chosen) if chosen else None
        except NotAForm:
            raise HTTPException(404, "没有这个历史版本") from None
        versions = store.history(name)
        chosen_saved = next((v.saved for v in versions if v.id == chosen), "")
        changes = await run_in_threadpool(differences, name, earlier, text) if earlier is not None else []
        return page(
            request, "history.html.j2", name=name, versions=versions, chosen=chosen, chosen_saved=chosen_saved, earlier=earlier, changes=changes, version=version_of(text)
        )

    async def download(request: Request) -> Response:
        name, kind = request.path_params["name"], request.path_params["kind"]
        if kind not in KINDS:
            raise HTTPException(404, "没有这种格式")
        checked = await run_in_threadpool(check_text, store, name, form_text(request, name))
        draft = request.query_params.get("draft") == "1"
        if checked.report is None or (checked.blocking and not draft):
            return page(request, "blocked.html.j2", 409, name=name, findings=checked.blocking or checked.findings, readable=checked.report is not None)
        data = await run_in_threadpool(render, checked.report, kind, draft)
        stem = output_stem(checked.report, draft)
        disposition = f"attachment; filename*=UTF-8''{urllib.parse.quote(stem)}.{kind}"
        return Response(data, media_type=KINDS[kind], headers={"Content-Disposition": disposition})

    async def preview(request: Request) -> Response:
        name = request.path_params["name"]
        text = form_text(request, name)
        checked = await run_in_threadpool(check_text, store, name, text)
        if checked.report is None:
            return page(request, "broken.html.j2", name=name, findings=checked.findings)
        pdf = await run_in_threadpool(preview_pdf, text, name, bool(checked.blocking), store.folder)
        return page(request, "preview.html.j2", name=name, pages=page_count(pdf), version=version_of(text), draft=bool(checked.blocking))

    async def preview_page(request: Request) -> Response:
        name = request.path_params["name"]
        text = form_text(request, name)
        checked = await run_in_threadpool(check_text, store, name, text)
        if checked.report is None:
            raise HTTPException(404, "没有这一页")
        pdf = await run_in_threadpool(preview_pdf, text, name, bool(checked.blocking), store.folder)
        number = request.path_params["page"]
        if not 1 <= number <= page_count(pdf):
            raise HTTPException(404, "没有这一页")
        return Response(await run_in_threadpool(page_picture, pdf, number), media_type="image/png", headers={"Cache-Control": "no-store"})

    async def new(request: Request) -> Response:
        user = require_user(request)
        form = await read_form(request)
        require_csrf(request, form.get("csrf"))
        agency, year_text = str(form.get("agency", "")).strip(), str(form.get("year", "")).strip()
        if user is not None and (user.office or agency != user.agency):
            raise HTTPException(403, "只能为本机关新建表单")
        if any(mark in agency for mark in FOLDER_MARKS):
            return page(request, "message.html.j2", 400, message="机关名称不能包含“/”或“\\”（表单按机关名称存放在同名文件夹中），请写机关全称")
        year = int(year_text) if year_text.isascii() and year_text.isdigit() and len(year_text) <= 4 else 0
        problem = new_form_problem(agency, year) if year else "请填写四位数的年度"
        if problem:
            return page(request, "message.html.j2", 400, message=problem)
        report = blank_report(agency, year)
        source, upload = str(form.get("from") or ""), form.get("upload")
        if isinstance(upload, UploadFile) and upload.filename:
            what, loaded = upload.filename, await with_upload(upload, load_report)
        elif source:
            try:
                what, loaded = title_of(source), await run_in_threadpool(load_report, str(store.path(source, PUBLISHED_SUFFIXES | {".yaml"})))
            except NotAForm:
                raise HTTPException(404, "没有这份上年报告") from None
        else:
            return create(request, user, f"{agency}/{year}.yaml", write_form(report))
        if loaded is None:
            return page(request, "message.html.j2", 400, message=f"{what} 不能作为上年报告：只能是已公开的报告（.pdf/.docx/.html/.txt）或表单（.yaml）。")
        last, findings, _lines = loaded
        if last is None:
            return page(
                request,
                "message.html.j2",
                400,
                message=f"无法读取 {what}：{findings[0].message if findings else '文件无法读取'}。表单没有新建。请换一份上年报告；"
                "或者不接续，新建后手工填写“上年结转”和“现行有效件数”。",
            )
        if user is not None and normalize_label(last.agency) != normalize_label(user.agency):
            raise HTTPException(403, "只能接续本机关的上年报告")
        if not is_previous_year(report, last) and form.get("confirm") != "1":
            return page(request, "carry.html.j2", 409, what=what, last=last, agency=agency, year=year, source=source, uploaded=not source)
        carry_forward(report, last)
        return create(request, user, f"{agency}/{year}.yaml", write_form(report))

    async def import_(request: Request) -> Response:
        user = require_user(request)
        form = await read_form(request)
        require_csrf(request, form.get("csrf"))
        upload = form.get("upload")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return page(request, "message.html.j2", 400, message="请选择要导入的已公开报告（.pdf/.docx/.html/.txt）")
        imported = await with_upload(upload, imported_or_none)
        report = imported.extraction.report if imported else None
        if report is None or not report.agency or not report.year:
            return page(
                request,
                "message.html.j2",
                400,
                message=f"无法从 {upload.filename} 读出机关名称和年度。请确认上传的是已公开的年度报告（.pdf/.docx/.html/.txt，标题中有机关名称和年度）；"
                "读不出时，可以新建一份表单，再把报告中的数字和文字填进去。",
            )
        if user is not None and (user.office or report.agency != user.agency):
            raise HTTPException(403, "只能导入本机关的报告")
        return create(request, user, f"{report.agency}/{report.year}.yaml", imported.form)

    def create(request: Request, user: Account | None, name: str, text: str) -> Response:
        try:
            store.path(name)
        except NotAForm:
            return page(request, "message.html.j2", 400, message="机关名称不能包含“/”“..”等字符")
        if store.exists(name) or store.save(name, text, None) is None:
            return page(request, "message.html.j2", 409, message=f"{name} 已经存在，请直接打开它编辑")
        return RedirectResponse(f"/form/{urllib.parse.quote(name)}", status_code=303)

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return page(request, "login.html.j2")
        form = await request.form()
        require_csrf(request, form.get("csrf"))
        token = sessions.log_in(str(form.get("name", "")), str(form.get("password", ""))) if sessions else None
        if token is None:
            return page(request, "login.html.j2", 401, failed=True)
        request.session.clear()
        request.session["sid"] = token
        return RedirectResponse("/", status_code=303)

    async def logout(request: Request) -> Response:
        form = await request.form()
        require_csrf(request, form.get("csrf"))
        if sessions:
            sessions.log_out(request.session.get("sid", ""))
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 303:
            return RedirectResponse(exc.headers["Location"], status_code=303)
        return refusal(request, exc.status_code, said_in_chinese(exc))

    async def server_error(request: Request, exc: Exception) -> Response:
        """What went wrong inside the server: a Chinese page for the user, the details in the server's log."""
        logging.getLogger("nianbao").error("处理 %s %s 时出错", request.method, request.url.path, exc_info=exc)
        return refusal(request, 500, "服务器处理这个请求时出错，所填内容没有丢失。请稍后重试；一再出现时，请把出错的时间告诉管理员（服务器日志中有详细记录）。")

    def refusal(request: Request, status: int, message: str) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"message": message}, status_code=status)
        return page(request, "message.html.j2", status, message=message)

    routes = [
        Route("/", home),
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/new", new, methods=["POST"]),
        Route("/import", import_, methods=["POST"]),
        Route("/delete/{name:path}", delete, methods=["POST"]),
        Route("/bin", bin_page),
        Route("/bin/restore", bin_restore, methods=["POST"]),
        Route("/bin/empty", bin_empty, methods=["POST"]),
        Route("/form/{name:path}", edit),
        Route("/history/{name:path}", history),
        Route("/preview/{page:int}/{name:path}", preview_page),
        Route("/preview/{name:path}", preview),
        Route("/download/{kind}/{name:path}", download),
        Route("/api/check/{name:path}", check, methods=["POST"]),
        Route("/api/save/{name:path}", save, methods=["POST"]),
        Route("/api/acknowledge/{name:path}", acknowledge, methods=["POST"]),
        Route("/api/acknowledgement/{name:path}", acknowledgement, methods=["POST"]),
        Mount("/static", StaticFiles(directory=TEMPLATES / "serve" / "static"), name="static"),
    ]
    routes[-1:-1] = season_routes(store, page, require_user, require_csrf) + (account_routes(sessions, page, require_user, require_csrf) if sessions else [])
    middleware = [Middleware(SessionMiddleware, secret_key=secret or secrets.token_hex(32), session_cookie="nianbao", same_site="strict", https_only=https)]
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error, Exception: server_error}, lifespan=lambda app: warming(store))


@contextlib.asynccontextmanager
async def warming(store: FormStore) -> AsyncIterator[None]:
    warm_up(store)
    yield


def warm_up(store: FormStore) -> None:
    """Render one form in the background at start, so the first preview is as fast as the next."""

    def render_first() -> None:
        for name in store.names()[:1]:
            checked = check_text(store, name, store.read(name))
            if checked.report is not None:
                render(checked.report, "pdf", draft=True)

    threading.Thread(target=render_first, daemon=True).start()


async def read_form(request: Request):
    """A posted form, refused before it is parsed when it is larger than an upload may be."""
    limit = MAX_UPLOAD + 65536
    too_big = HTTPException(413, f"上传的文件超过 {MAX_UPLOAD // 1048576} MB，已拒绝")
    if int(request.headers.get("content-length") or 0) > limit:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_big
    request._body = bytes(body)  # Starlette parses the form from the body read here
    return await request.form()


@dataclass
class Merge:
    """One person's edits onto a form someone else saved meanwhile: the merged text, what the
    others changed (kept), and the fields both changed differently (for the person to choose)."""

    text: str
    theirs: list[str]
    clashes: list[dict]


def merged(store: FormStore, name: str, base: str, current: str, edits: object, resolved: frozenset[str] = frozenset()) -> Merge:
    """Three ways: what the page started from (`base`), what it changed, what was saved since.
    Changes to different fields are all kept; a field both changed to different values clashes,
    unless the person chose its value already (`resolved`: "kind:key"). When the page's starting
    version is not kept, every field it differs in from the saved form clashes."""
    start = store.text_of_version(name, base)
    ours = form_state(parse_form(apply_edits(start if start is not None else current, name, edits), name)[0])
    report = parse_form(current, name)[0]
    now = form_state(report)
    then = form_state(parse_form(start, name)[0]) if start is not None else now
    mine: dict[str, dict[str, str]] = {kind: {} for kind in now}
    theirs, clashes = [], []
    for kind, values in now.items():
        for key, value in values.items():
            before, after = then[kind].get(key), ours[kind].get(key, "")
            if value != before:
                theirs.append(place_label(report, kind, key))
            if after == before if start is not None else after == value:
                continue  # not changed on this page
            if f"{kind}:{key}" in resolved or (start is not None and value in (before, after)):
                mine[kind][key] = after
            else:
                clashes.append({"kind": kind, "key": key, "label": place_label(report, kind, key), "mine": after, "theirs": value})
    return Merge(apply_edits(current, name, mine), theirs, clashes)


def differences(name: str, earlier: str, current: str) -> list[tuple[str, str, str]]:
    """(where, in the earlier version, now) for every field, text and cell that differs, in the report's words."""
    try:
        then, now = (parse_form(text, name)[0] for text in (earlier, current))
    except InputError:
        return [("全文", "（这个版本无法作为表单读取，见下面的原文）", "")]
    before, after = form_state(then), form_state(now)
    return [(place_label(now, kind, key), before[kind].get(key, ""), value) for kind, values in after.items() for key, value in values.items() if before[kind].get(key, "") != value]


def place_label(report: Report, kind: str, key: str) -> str:
    """A field, text or cell in the report's own words: 「三、本年度办理结果（一）予以公开「自然人」」."""
    fmt = report.format
    if kind == "cells":
        table_key, row, column = key.split("/")
        table = fmt.tables[table_key]
        return table.cell_title(row, column)
    if kind == "texts":
        section_key, _, part = key.partition("/")
        section = next(s for s in fmt.sections if s.key == section_key)
        title = next((p.title for p in section.parts if p.key == part), part)
        return section.heading + (f"·{title}" if part else "")
    return key


def title_of(name: str) -> str:
    """What a page calls a form: 「周口市数据局 2026 年度报告」 for 周口市数据局/2026.yaml."""
    path = Path(name)
    if path.stem.isdigit() and len(path.parts) > 1:
        return f"{path.parent.as_posix()} {path.stem} 年度报告"
    return path.with_suffix("").as_posix()


def said_in_chinese(exc: HTTPException) -> str:
    """The refusal's own message, or the status said in Chinese where the framework gave its English phrase."""
    if exc.detail and exc.detail != HTTPStatus(exc.status_code).phrase:
        return exc.detail
    return STATUS_WORDS.get(exc.status_code, f"请求无法处理（{exc.status_code}），请返回表单列表重试")


def edited_text(text: str, name: str, edits: object) -> str:
    """The form's text with the page's edits; a malformed edit is the request's fault (400)."""
    try:
        return apply_edits(text, name, edits)
    except EditError as exc:
        raise HTTPException(400, exc.message_zh) from None


def csrf_token(request: Request) -> str:
    if "csrf" not in request.session:
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def counts_of(checked: Checked) -> dict[str, int]:
    """How many errors, open warnings, acknowledged warnings and notes the list page shows."""
    return {"errors": checked.count(Level.ERROR), "warnings": checked.count(Level.WARNING), "acknowledged": checked.acknowledged, "notes": checked.count(Level.INFO)}


def editor_table(report: Report, table) -> dict:
    """The table laid out from the grid it prints in: its merged header rows, and each body row's
    cells, a header (its text) or a data cell (the cell its input edits, named by its headers)."""
    block = table_block(report, table)
    link_headers(block, table.key)
    named = {cell.id: cell.text for row in block.head + block.body for cell in row if cell.header}
    totals = {f"{table.key}/{r.key}/{c.key}" for r in table.rows for c in table.columns if r.total or c.total}
    rows = [
        [
            {"text": c.text, "rowspan": c.rowspan, "colspan": c.colspan}
            if c.header
            else {"target": c.cell, "total": c.cell in totals, "label": "·".join(named[h] for h in c.headers if named.get(h))}
            for c in cells
        ]
        for cells in block.body
    ]
    return {"head": block.head, "rows": rows}


def text_fields(report: Report) -> dict[str, list[tuple[str, str]]]:
    """Section → its text areas: (target, heading), a section in parts having one per part."""
    fields = {}
    for section in report.format.sections:
        if section.kind == "parts" and section.key not in report.texts:
            intro = [(text_target(section.key, section.intro), section.intro)] if section.intro else []
            fields[section.key] = intro + [(text_target(section.key, p.key), p.title) for p in section.parts]
        elif section.kind != "tables":
            fields[section.key] = [(text_target(section.key), "")]
    return fields


def render(report: Report, kind: str, draft: bool) -> bytes:
    """The same bytes `nianbao build` writes."""
    return services.render(report, [kind], draft)[kind]


def prerender(checked: Checked, text: str, name: str, folder: Path) -> None:
    """Lay the form's PDF out in the background, so that its preview is ready when it is asked for."""
    if checked.report is not None:
        threading.Thread(target=preview_pdf, args=(text, name, bool(checked.blocking), folder), daemon=True).start()


@lru_cache(maxsize=8)
def preview_pdf(text: str, name: str, draft: bool, folder: Path) -> bytes:
    """The form's PDF for previews, cached by the form's text."""
    checked = check_text(FormStore(folder), name, text)
    return render(checked.report, "pdf", draft)


def page_count(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, timeout=30, check=True).stdout.decode("utf-8", "replace")
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@lru_cache(maxsize=64)
def page_picture(pdf: bytes, number: int) -> bytes:
    """One page as a PNG (PREVIEW_DPI), made when it is first looked at."""
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "page"
        command = ["pdftoppm", "-png", "-r", str(PREVIEW_DPI), "-f", str(number), "-l", str(number), "-singlefile", "-", str(root)]
        subprocess.run(command, input=pdf, capture_output=True, timeout=30, check=True)
        return root.with_suffix(".png").read_bytes()


async def with_upload(upload: UploadFile, work: Callable[[str], Result]) -> Result | None:
    """work(path) on a published report (or a form) uploaded by the user, saved to a temporary
    file first; None when it is no kind of report. Read with the importer's limits."""
    suffix = Path(upload.filename or "").suffix.lower()
    if suffix not in PUBLISHED_SUFFIXES | {".yaml"}:
        return None
    data = await upload.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise HTTPException(413, f"上传的文件超过 {MAX_UPLOAD // 1048576} MB")
    with tempfile.TemporaryDirectory() as temporary:
        path = Path(temporary) / f"upload{suffix}"
        path.write_bytes(data)
        return await run_in_threadpool(work, str(path))


def imported_or_none(path: str) -> Imported | None:
    """A published report read into a form as `nianbao import` reads it; None when it cannot be read."""
    if Path(path).suffix.lower() not in PUBLISHED_SUFFIXES:
        return None
    try:
        return import_published(path)
    except InputError:
        return None

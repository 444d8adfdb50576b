"""The office's accounts page: add an agency's account, reset a password, disable or enable an
account (its sessions end at once), and see who logged in when."""

from __future__ import annotations

from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..season.db import Actor
from .accounts import Account
from .sessions import AccountError, Sessions

ACTIONS = ("添加", "重置密码", "停用", "启用")


def account_routes(sessions: Sessions, page: Callable[..., Response], require_user: Callable[[Request], Account | None], require_csrf: Callable[[Request, str | None], None]) -> list[Route]:
    def office(request: Request) -> Account:
        user = require_user(request)
        if user is None or not user.office:
            raise HTTPException(403, "只有政务公开办可以管理账户")
        return user

    async def accounts_page(request: Request) -> Response:
        user = office(request)
        message = ""
        if request.method == "POST":
            form = await request.form()
            require_csrf(request, form.get("csrf"))
            action, name = str(form.get("action", "")), str(form.get("name", "")).strip()
            if action not in ACTIONS:
                raise HTTPException(400, "没有这个操作")
            if action == "停用" and name == user.name:
                raise HTTPException(400, "不能停用自己正在使用的账户")
            try:
                await run_in_threadpool(sessions.change, Actor(user.name, "网页"), name, action, str(form.get("password", "")), str(form.get("agency", "")).strip())
            except AccountError as exc:
                message = str(exc)
            else:
                return RedirectResponse("/accounts", status_code=303)
        accounts, logins = await run_in_threadpool(sessions.listing)
        return page(request, "accounts.html.j2", 400 if message else 200, listed=accounts, logins=logins, message=message)

    async def password_page(request: Request) -> Response:
        """Any signed-in user changes their own password (their other sessions end)."""
        if require_user(request) is None:
            raise HTTPException(404, "本机服务没有账户")
        if request.method == "GET":
            return page(request, "password.html.j2")
        form = await request.form()
        require_csrf(request, form.get("csrf"))
        try:
            await run_in_threadpool(sessions.change_own_password, request.session.get("sid", ""), str(form.get("current", "")), str(form.get("new", "")))
        except AccountError as exc:
            return page(request, "password.html.j2", 400, message=str(exc))
        return page(request, "password.html.j2", changed=True)

    return [Route("/accounts", accounts_page, methods=["GET", "POST"]), Route("/password", password_page, methods=["GET", "POST"])]

"""`nianbao serve`: the forms of a folder in a browser."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import secrets
import socket
import sys
from pathlib import Path

SECRET_FILE = ".nianbao-secret"  # signs the session cookies; kept beside the forms so sessions survive a restart


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "serve", help="在浏览器中填写和校验表单", description="启动本机网页服务：在浏览器中填写表单，边填边校验，预览和下载 PDF/DOCX/HTML"
    )
    parser.add_argument("folder", nargs="?", default=".", metavar="文件夹", help="存放表单的文件夹（默认当前文件夹）")
    parser.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，只有本机可访问；其他地址须用 --users）")
    parser.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000）")
    parser.add_argument("--users", metavar="账户文件", help="账户文件（YAML）：机关工作人员只能编辑本机关的表单，政务公开办可查看全部；启动时导入审核数据库（已有的账户不变），之后在网页“账户管理”中管理")
    parser.add_argument("--add-user", metavar="用户名", help="在 --users 指定的账户文件中添加或修改一个账户（会提示输入密码），然后退出")
    parser.add_argument("--workers", type=int, default=1, metavar="进程数", help="同时处理请求的进程数（默认 1；多个机关同时填报时可设为 CPU 核数）")
    parser.add_argument("--certfile", metavar="证书文件", help="HTTPS 证书（PEM）：与 --keyfile 一起使用时以 HTTPS 提供服务，登录状态只经 HTTPS 传送")
    parser.add_argument("--keyfile", metavar="私钥文件", help="HTTPS 证书的私钥（PEM）")
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--agency", metavar="机关名称", help="与 --add-user 一起使用：账户所属机关")
    who.add_argument("--office", action="store_true", help="与 --add-user 一起使用：政务公开办账户（可查看全部表单，不能修改）")
    parser.set_defaults(run=run)


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def session_secret(folder: Path) -> str:
    path = folder / SECRET_FILE
    if not path.exists():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32))
    return path.read_text().strip()


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def add_user(args: argparse.Namespace) -> int:
    from ..serve.accounts import add_account

    if not args.users or not (args.agency or args.office):
        print("用法错误：--add-user 需要 --users 账户文件，以及 --agency 机关名称 或 --office", file=sys.stderr)
        return 2
    password = getpass.getpass(f"{args.add_user} 的密码：")
    if len(password) < 8 or password != getpass.getpass("再输入一次："):
        print("两次输入的密码不一致，或少于 8 个字符；未修改账户文件", file=sys.stderr)
        return 2
    add_account(Path(args.users), args.add_user, password, "" if args.office else args.agency)
    print(f"已在 {args.users} 中保存账户 {args.add_user}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.add_user:
        return add_user(args)
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"找不到文件夹 {folder}", file=sys.stderr)
        return 2
    from ..season.db import DatabaseError
    from ..serve.accounts import AccountsError, load_accounts
    from ..serve.sessions import has_accounts

    try:
        accounts = load_accounts(Path(args.users)) if args.users else ({} if has_accounts(folder) else None)
    except (AccountsError, DatabaseError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if not is_loopback(args.host) and accounts is None:
        print(f"在 {args.host} 上提供服务，其他电脑也能访问：必须用 --users 指定账户文件（用 --add-user 创建账户）", file=sys.stderr)
        return 2
    if bool(args.certfile) != bool(args.keyfile):
        print("用法错误：--certfile 和 --keyfile 须一起使用", file=sys.stderr)
        return 2
    for name in (args.certfile, args.keyfile):
        if name and not Path(name).is_file():
            print(f"找不到文件 {name}", file=sys.stderr)
            return 2
    if not port_is_free(args.host, args.port):
        print(f"端口 {args.port} 已被占用，请用 --port 换一个端口", file=sys.stderr)
        return 2
    import uvicorn

    from ..serve.app import create_app

    https = bool(args.certfile)
    if args.workers > 1:  # each worker builds its app from the environment; the users file is imported once, here
        from ..serve.sessions import Sessions
        from ..serve.workers import ACCOUNTS, FOLDER, HTTPS

        if accounts:
            Sessions(folder.resolve(), accounts)
        session_secret(folder)
        os.environ.update({FOLDER: str(folder.resolve()), ACCOUNTS: "1" if accounts is not None else "", HTTPS: "1" if https else ""})
        app = "generator.serve.workers:app"
    else:
        app = create_app(folder, accounts, session_secret(folder), https=https)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"表单文件夹：{folder.resolve()}\n请在浏览器中打开 {'https' if https else 'http'}://{host}:{args.port}/ （按 Ctrl+C 停止）", flush=True)
    try:
        workers = {"factory": True, "workers": args.workers} if args.workers > 1 else {}
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, server_header=False, ssl_certfile=args.certfile, ssl_keyfile=args.keyfile, **workers)
    except (OSError, ValueError) as exc:  # a certificate or key that cannot be read or does not match
        from ..limits import os_problem

        print(f"无法用证书 {args.certfile} 和私钥 {args.keyfile} 启动 HTTPS：{os_problem(exc) if isinstance(exc, OSError) else '证书或私钥无法读取，或二者不匹配'}", file=sys.stderr)
        return 2
    return 0

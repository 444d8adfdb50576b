"""One worker process of `nianbao serve --workers N`: the app built from what the parent put in
the environment. The workers share everything through the folder: the forms, the season's
database (states, accounts, sessions) and the secret that signs the cookies."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette

FOLDER, ACCOUNTS, HTTPS = "NIANBAO_SERVE_FOLDER", "NIANBAO_SERVE_ACCOUNTS", "NIANBAO_SERVE_HTTPS"


def app() -> Starlette:
    from ..commands.serve import session_secret
    from .app import create_app

    folder = Path(os.environ[FOLDER])
    return create_app(folder, {} if os.environ.get(ACCOUNTS) == "1" else None, session_secret(folder), https=os.environ.get(HTTPS) == "1")

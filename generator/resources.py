"""The files the program ships with, and the error for an installation that lacks what it needs."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# templates/ is at the top of the repository; a wheel carries it as generator/templates (setup.py).
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"


class InstallationError(Exception):
    """The installation is not what the program was made for (another WeasyPrint, a Word template
    without a style it uses); the message says in Chinese what is wrong and how to fix it."""

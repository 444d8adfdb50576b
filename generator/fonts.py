"""Font roles (templates/fonts.yaml): CSS stacks for HTML/PDF, official names for DOCX, and
which installed face each role resolves to (`nianbao doctor`)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

import yaml

from .resources import TEMPLATES


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    official: tuple[str, ...]
    fallback: tuple[str, ...]
    fallback_weight: str = "regular"
    docx_fallback: tuple[str, ...] = ()  # what Word/WPS use without the official faces, in order
    docx_family: str = "roman"  # the DOCX font table's family: roman (serif) or swiss (sans)

    @property
    def stack(self) -> tuple[str, ...]:
        return self.official + self.fallback

    def css(self, preferred: str | None = None) -> str:
        generic = "sans-serif" if self.key == "heading1" else "serif"
        names = ([preferred] if preferred else []) + list(self.stack)
        return ", ".join([*(f'"{name}"' for name in names), generic])


@cache
def roles() -> dict[str, Role]:
    data = yaml.load((TEMPLATES / "fonts.yaml").read_text("utf-8"), Loader=yaml.CSafeLoader)
    return {
        key: Role(
            key,
            v["label"],
            tuple(v["official"]),
            tuple(v["fallback"]),
            v.get("fallback_weight", "regular"),
            tuple(v.get("docx_fallback", ())),
            v.get("docx_family", "roman"),
        )
        for key, v in data.items()
    }


def css_variables(preferred: dict[str, str]) -> str:
    """`:root { --title-font: …; }`: the stacks as CSS variables for report.css."""
    lines = [f"  --{key.replace('_', '-')}-font: {role.css(preferred.get(key))};" for key, role in roles().items()]
    return ":root {\n" + "\n".join(lines) + "\n}\n"


@cache
def installed_families() -> frozenset[str]:
    """Every family name fontconfig knows (each face may have several, localized)."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(["fc-list", "--format", "%{family}\n"], capture_output=True, text=True, check=False).stdout
    return frozenset(name.strip() for line in listing.splitlines() for name in line.split(","))


@dataclass(frozen=True)
class Resolution:
    role: Role
    face: str | None

    @property
    def official(self) -> bool:
        return self.face in self.role.official

    @property
    def weight(self) -> str:
        """The weight to use: the official face as it is, a stand-in as the role asks."""
        return "regular" if self.official else self.role.fallback_weight


def substitute(face: str) -> str | None:
    """The face fontconfig gives for `face` in Chinese text, as LibreOffice on Linux shows a DOCX
    naming a face that is not installed (None without fontconfig)."""
    if not shutil.which("fc-match"):
        return None
    found = subprocess.run(["fc-match", "--format", "%{family[0]}", f"{face}:lang=zh-cn"], capture_output=True, text=True, check=False).stdout
    return found.strip() or None


def resolve_roles() -> list[Resolution]:
    families = installed_families()
    return [Resolution(role, next((f for f in role.stack if f in families), None)) for role in roles().values()]

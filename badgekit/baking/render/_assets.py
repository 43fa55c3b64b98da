"""Where the shipped image templates and fonts are (``templates/images``, ``templates/fonts``), and
which template file a name means."""

from __future__ import annotations

import importlib.resources
import re
from pathlib import Path

import badgekit
from badgekit.errors import InputError


def templates_dir() -> Path:
    """The ``templates/`` folder: inside the installed package, else beside it (editable installs).

    Wheels carry it as ``badgekit/templates``; a source checkout has it at the repository root.
    """
    try:
        packaged = importlib.resources.files("badgekit") / "templates"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, NotADirectoryError):  # pragma: no cover - zipped or odd installs
        pass
    return Path(badgekit.__file__).resolve().parent.parent / "templates"


def image_templates() -> list[str]:
    """Names of the bundled image templates (``templates/images/*.svg``)."""
    folder = templates_dir() / "images"
    return sorted(p.stem for p in folder.glob("*.svg")) if folder.is_dir() else []


def font_files() -> list[str]:
    """The bundled fonts, passed to resvg so text looks the same on every machine."""
    folder = templates_dir() / "fonts"
    return sorted(str(p) for p in folder.glob("*.ttf")) if folder.is_dir() else []


def resolve_template(template: str | Path) -> Path:
    """A template file: an existing path, or the name of a bundled template (``default``).

    Raises:
        InputError: neither a file nor a bundled template name.
    """
    path = Path(template)
    if path.is_file():
        return path
    name = str(template)
    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
        bundled = templates_dir() / "images" / f"{name}.svg"
        if bundled.is_file():
            return bundled
    available = ", ".join(image_templates()) or "none"
    raise InputError(f"{template}: no such image template (bundled: {available})")

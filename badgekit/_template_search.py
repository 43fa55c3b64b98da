"""Where badge templates are found: the user's folders first, then the shipped ``templates/``.

Below :mod:`badgekit.badgeclass` (which checks that a badge class names a known template) and
:mod:`badgekit.templates` (which parses and instantiates them), so neither imports the other upward.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import badgekit
from badgekit.errors import InputError

__all__ = ["image_template_names", "search_path", "shipped_templates_dir", "template_files", "template_names"]


def shipped_templates_dir() -> Path:
    """``templates/badges`` as installed (``badgekit/templates`` in a wheel, the repo folder in a checkout)."""
    try:
        candidate = resources.files("badgekit") / "templates" / "badges"
        if candidate.is_dir():
            return Path(str(candidate))
    except (ModuleNotFoundError, NotADirectoryError, OSError):  # pragma: no cover - unusual installs
        pass
    return Path(badgekit.__file__).resolve().parent.parent / "templates" / "badges"


def search_path(extra_dirs: Iterable[str | os.PathLike[str]]) -> list[tuple[Path, str]]:
    folders: list[tuple[Path, str]] = []
    for d in extra_dirs:
        p = Path(d)
        if not p.is_dir():
            raise InputError(f"{p}: templates folder does not exist")
        sub = p / "badges"
        folders.append((sub if sub.is_dir() else p, str(p)))
    folders.append((shipped_templates_dir(), "builtin"))
    return folders


def template_files(extra_dirs: Iterable[str | os.PathLike[str]]) -> dict[str, tuple[Path, str]]:
    found: dict[str, tuple[Path, str]] = {}
    for folder, source in search_path(extra_dirs):
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.suffix.lower() in (".yaml", ".yml") and p.is_file() and not p.name.startswith("."):
                found.setdefault(p.stem, (p, source))  # earlier folders (the user's) win
    return found


def template_names(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Names of every available template, sorted."""
    return sorted(template_files(extra_dirs))


def image_template_names(extra_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[str]:
    """Names of the badge-image templates (``templates/images/*.svg``, and ``images/`` in user folders)."""
    folders = [Path(d) / "images" for d in extra_dirs] + [shipped_templates_dir().parent / "images"]
    return sorted({p.stem for f in folders if f.is_dir() for p in f.glob("*.svg")})

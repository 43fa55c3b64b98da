"""The badge project a command works in (``--project/-p``), and badge classes found by name in it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from badgekit.badgeclass import BadgeClass, load_badge_class
from badgekit.errors import InputError
from badgekit.project import Project, find_project

ProjectOpt = Annotated[
    Path | None,
    typer.Option("--project", "-p", help="Badge project folder (holds badgekit.toml); default: search upwards from here."),
]


def load_project(project_dir: Path | None) -> Project:
    """The project in ``project_dir``, or found from the current folder upwards.

    Raises:
        InputError: no project there (or none above the current folder).
    """
    return Project.load(project_dir) if project_dir else find_project()


def optional_project(project_dir: Path | None) -> Project | None:
    """As :func:`load_project`, but None when no project is found and none was named."""
    if project_dir is not None:
        return Project.load(project_dir)
    try:
        return find_project()
    except InputError:
        return None


def find_badge(project: Project, name: Path) -> BadgeClass:
    """A badge class by path, or by name inside the project's badges folder."""
    if name.is_file():
        return load_badge_class(name)
    for suffix in ("", ".yaml", ".yml", ".json"):
        candidate = Path(project.badges_dir) / f"{name}{suffix}"
        if candidate.is_file():
            return load_badge_class(candidate)
    raise InputError(f"{name}: no such badge class file (looked in {project.badges_dir} too)", hint="list them with: badgekit badge list")

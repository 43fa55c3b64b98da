"""``badgekit templates list|show``: the badge-class templates available to ``badge new``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from badgekit import templates as tpl
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt
from badgekit.cli._project import ProjectOpt
from badgekit.errors import InputError
from badgekit.project import find_project

app = typer.Typer(help="Badge-class templates: what `badgekit badge new --template NAME` can start from.", no_args_is_help=True)

TemplatesOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--templates",
        metavar="DIR",
        help="Extra folder of templates (repeatable; also templates_dir in badgekit.toml). Yours win over shipped ones.",
    ),
]


def template_dirs(extra: list[Path] | None, project_dir: Path | None = None) -> tuple[Path, ...]:
    """``--templates`` folders, then the project's ``templates_dir`` (when inside a project)."""
    dirs = list(extra or [])
    try:
        dirs.extend(find_project(project_dir).templates_dirs)
    except InputError:
        if project_dir is not None:
            raise
    return tuple(dirs)


@app.command("list")
def list_(templates: TemplatesOpt = None, project: ProjectOpt = None, json_out: JsonOpt = False) -> None:
    """List the templates (name, kind of achievement, levels, source).

    Example: badgekit templates list
    """
    infos = tpl.list_templates(template_dirs(templates, project))
    if json_out:
        _output.emit_json([i.to_json() for i in infos])
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Template", no_wrap=True)
    for col in ("Type", "Levels", "Summary"):
        table.add_column(col, overflow="fold")
    for info in infos:
        levels = str(len(info.levels)) if info.levels else "-"
        source = "" if info.source == "builtin" else f" ({info.source})"
        table.add_row(Text(info.name + source), Text(info.achievement_type or "-"), Text(levels), Text(info.summary))
    _output.stdout.print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Template name (see: badgekit templates list).")],
    templates: TemplatesOpt = None,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Show a template: its fields (for --set), levels, and what roster rows must provide.

    Example: badgekit templates show safety-training
    """
    t = tpl.load_template(name, template_dirs(templates, project))
    info = t.info
    requirements = _raw_requirements(t.body)
    if json_out:
        data: dict[str, Any] = info.to_json()
        data["requirements"] = requirements
        data["badge"] = t.body
        data["levelValues"] = dict(zip(info.levels, t.level_values, strict=True))
        _output.emit_json(data)
        return
    out = _output.stdout
    out.print(Text(f"{info.name}: {info.title}", style="bold"))
    out.print(Text(f"achievementType: {info.achievement_type or '-'}    file: {info.path}"))
    if info.description:
        out.print(Text(""))
        out.print(Text(info.description))
    out.print(Text(""))
    table = Table(title=None, show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Field", no_wrap=True)
    for col in ("Required", "Default", "Prompt"):
        table.add_column(col, overflow="fold")
    for f in info.fields:
        table.add_row(Text(f.name), Text("yes" if f.required else ""), Text(f.default or ""), Text(f.prompt))
    out.print(Text("Fields (badgekit badge new --template " + info.name + " --set NAME=VALUE):", style="bold"))
    out.print(table)
    if info.levels:
        out.print(Text(""))
        out.print(Text("Levels (one badge class each, each related to the level below): " + ", ".join(info.levels), style="bold"))
    if requirements:
        out.print(Text(""))
        out.print(Text("Roster rows must provide:", style="bold"))
        for line in requirements:
            out.print(Text(f"  {_readable(line, t)}"))
    policy = t.body.get("badgekit")
    if isinstance(policy, dict) and policy.get("requires"):
        below = " (for a level: the level below)" if info.levels else ""
        out.print(Text(""))
        out.print(Text("Recipients must already hold:", style="bold"))
        out.print(Text(f"  the badge classes in badgekit.requires{below}: an active credential in this project's ledger,"
                       " or one held elsewhere named in a prior_credential roster column (URL or urn: id; cited as evidence)"))


_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*(?:\|[^}]*)?\}\}")


def _readable(line: str, template: Any) -> str:
    """A requirement with each ``{{field|filter}}`` named for a reader: the field and its default,
    or a level value and its value per level (the Jinja itself means nothing to them)."""
    defaults = {f.name: f.default for f in template.info.fields}
    levels = dict(zip(template.info.levels, template.level_values, strict=True))

    def name(match: re.Match[str]) -> str:
        field = match.group(1)
        if defaults.get(field):
            return f"{field} (default {defaults[field]})"
        per_level = [f"{level} {values[field]}" for level, values in levels.items() if field in values]
        return f"{field} ({', '.join(per_level)})" if per_level else field

    return _PLACEHOLDER.sub(name, line)


def _raw_requirements(body: dict[str, Any]) -> list[str]:
    policy = body.get("badgekit")
    reqs = policy.get("requirements") if isinstance(policy, dict) else None
    lines: list[str] = []
    for entry in reqs if isinstance(reqs, list) else []:
        if not isinstance(entry, dict):
            continue
        parts = [f"{k}={v}" if v is not True else k for k, v in entry.items() if k not in ("column", "message", "$when")]
        when = f" (when {entry['$when']})" if "$when" in entry else ""
        msg = f": {entry['message']}" if entry.get("message") else ""
        lines.append(f"{entry.get('column')}: {', '.join(parts)}{when}{msg}")
    return lines

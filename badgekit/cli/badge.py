"""``badgekit badge new|validate|list``: badge classes (OB 3.0 Achievements) in the project."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from badgekit import badgeclass
from badgekit import templates as tpl
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, out_option
from badgekit.cli._project import ProjectOpt
from badgekit.cli.project import NoInputOpt
from badgekit.cli.templates import TemplatesOpt, template_dirs
from badgekit.errors import ExitCode, InputError
from badgekit.project import Project, find_project

app = typer.Typer(help="Badge classes: create them from templates, validate and list them.", no_args_is_help=True)


@app.command("new")
def new(
    template: Annotated[str, typer.Option("--template", "-t", help="Template name (see: badgekit templates list).")],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="FIELD=VALUE", help="A template field (repeatable); see: badgekit templates show NAME."),
    ] = None,
    out: Annotated[
        Path | None,
        out_option("File to write (.yaml or .json); a folder for a family template. Default: the project's badges/."),
    ] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="yaml or json (default: from --out, else yaml).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing badge-class files.")] = False,
    templates: TemplatesOpt = None,
    project: ProjectOpt = None,
    no_input: NoInputOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Create badge class(es) from a template, prompting for missing fields in a terminal.

    Example: badgekit badge new -t course-completion --set course_name="Python Basics" --set credits=2
    """
    proj = find_project(project)
    dirs = template_dirs(templates, project)
    t = tpl.load_template(template, dirs)
    values = _parse_sets(set_ or [])
    if _is_terminal() and not no_input:
        _prompt_missing(t, values, proj)
    generated = tpl.instantiate_all(t, values, issuer=proj.issuer)
    targets = _targets(generated, out, fmt, proj)
    if not force:
        existing = [p for p in targets if p.exists()]
        if existing:
            raise InputError(f"{existing[0]}: already exists, refusing to overwrite it", hint="choose another --out or pass --force")
    written = []
    for g, path in zip(generated, targets, strict=True):
        comment = (
            f"Badge class (OB 3.0 Achievement) made from the template {t.name}. Edit freely;\n"
            "the badgekit member is the issuing policy and is not put in credentials.\n"
            "Check with: badgekit badge validate"
        )
        badgeclass.write_badge_class(path, g.document, overwrite=force, comment=comment)
        written.append({"path": str(path), "id": g.document["id"], "name": g.document.get("name"), "level": g.level})
    if json_out:
        _output.emit_json(written)
        return
    for w in written:
        _output.info(f"wrote {w['path']}: {w['name']} ({w['id']})", "green")
        _output.emit_text(str(w["path"]))


def _parse_sets(items: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r}: expected FIELD=VALUE")
        values[key.strip()] = value
    return values


def _prompt_missing(t: tpl.Template, values: dict[str, str], proj: Project) -> None:
    for f in t.info.fields:
        if f.name in values:
            continue
        default = t.default_for(f.name, values, issuer=proj.issuer)
        label = f.prompt + (" *" if f.required and not default else "")
        while True:
            answer = str(typer.prompt(label, default=default, show_default=bool(default))).strip()
            if not answer and f.required:
                _output.warn(f"{f.name} is required")
                continue
            problem = tpl.check_field_value(f, answer) if answer else None
            if problem:
                _output.warn(f"{f.name}: {problem}")
                continue
            values[f.name] = answer
            break


def _targets(generated: list[tpl.GeneratedBadge], out: Path | None, fmt: str | None, proj: Project) -> list[Path]:
    if fmt is not None and fmt not in ("yaml", "json"):
        raise InputError(f"--format {fmt!r}: use yaml or json")
    out_is_file = out is not None and out.suffix.lower() in badgeclass.BADGE_CLASS_SUFFIXES and not out.is_dir()
    if out is not None and out_is_file:
        if len(generated) > 1:
            raise InputError(f"--out {out}: this template writes {len(generated)} files; give a folder")
        return [out]
    if out is not None and out.suffix and not out.is_dir():
        raise InputError(f"--out {out}: badge classes are .yaml, .yml or .json files (or give a folder)")
    folder = out if out is not None else proj.badges_dir
    ext = ".json" if fmt == "json" else ".yaml"
    return [folder / f"{g.stem}{ext}" for g in generated]


@app.command("validate")
def validate(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[FILE]...", help="Badge-class files (default: every file in the project's badges/)."),
    ] = None,
    templates: TemplatesOpt = None,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Check badge classes against the OB 3.0 JSON Schema and badgekit's rules.

    Each badge class named in badgekit.requires (all_of / n_of, nested) must be one of the
    project's badges/ (or beside the file), and requirements must not form a cycle. Prints one line per problem with its JSON path. Exit code 0: all valid; 1: problems found;
    2: a file is missing or is not well-formed JSON/YAML.

    Example: badgekit badge validate badges/*.yaml
    """
    paths = list(files or [])
    if not paths:
        proj = find_project(project)
        paths = badgeclass.find_badge_classes(proj.badges_dir)
        if not paths:
            raise InputError(f"{proj.badges_dir}: no badge classes (*.yaml, *.json) to validate", hint="create one with: badgekit badge new")
    dirs = template_dirs(templates, project)
    known, graph = _project_badge_ids(paths, project)
    results: list[dict[str, Any]] = []
    worst = ExitCode.OK
    for path in paths:
        try:
            problems = badgeclass.validate_badge_class(path, templates_dirs=dirs, known_badges=known, requires_graph=graph)
        except InputError as exc:
            worst = ExitCode.USAGE
            results.append({"file": str(path), "valid": False, "error": exc.message, "problems": []})
            if not json_out:
                _output.error(exc)
            continue
        if problems and worst == ExitCode.OK:
            worst = ExitCode.FAILED
        results.append(
            {"file": str(path), "valid": not problems, "error": None, "problems": [{"path": p.path, "message": p.message} for p in problems]}
        )
        if not json_out:
            if problems:
                for p in problems:
                    _output.emit_text(f"{path}: {p.path}: {p.message}")
            else:
                _output.emit_text(f"{path}: ok")
    if json_out:
        _output.emit_json(results)
    else:
        bad = sum(1 for r in results if not r["valid"])
        if bad:
            _output.info(f"{bad} of {len(results)} badge class file(s) have problems", "red")
    if worst != ExitCode.OK:
        raise typer.Exit(int(worst))


def _project_badge_ids(paths: list[Path], project: Path | None) -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """Badge classes a ``requires`` may name: those beside the files checked and in the project's
    badges/ (id → name), and what each of them requires (for the cycle check)."""
    folders = [p.parent for p in paths]
    try:
        folders.append(find_project(project).badges_dir)
    except InputError:
        if project is not None:
            raise
    unique = list(dict.fromkeys(f.resolve() for f in folders))
    return badgeclass.badge_class_names(*unique), badgeclass.badge_class_requires(*unique)


@app.command("list")
def list_(
    directory: Annotated[Path | None, typer.Option("--dir", help="Folder of badge classes (default: the project's badges/).")] = None,
    templates: TemplatesOpt = None,
    project: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """List the badge classes of the project (name, type, validity, level, roster requirements).

    Example: badgekit badge list --json
    """
    folder = directory if directory is not None else find_project(project).badges_dir
    dirs = template_dirs(templates, project) if directory is None else tuple(templates or [])
    rows: list[dict[str, Any]] = []
    for path in badgeclass.find_badge_classes(folder):
        try:
            bc = badgeclass.load_badge_class(path, templates_dirs=dirs)
        except badgeclass.BadgeClassError as exc:
            rows.append({"file": str(path), "valid": False, "error": exc.message, "problems": [str(p) for p in exc.problems]})
            continue
        except InputError as exc:
            rows.append({"file": str(path), "valid": False, "error": exc.message, "problems": []})
            continue
        pol = bc.policy
        rows.append(
            {
                "file": str(path),
                "valid": True,
                "id": bc.id,
                "name": bc.name,
                "achievementType": bc.achievement_type,
                "validity": pol.validity,
                "family": pol.family,
                "level": pol.level_label,
                "colour": pol.colour,
                "template": pol.template,
                "requirements": pol.describe_requirements(),
            }
        )
    if json_out:
        _output.emit_json(rows)
        return
    if not rows:
        _output.info(f"{folder}: no badge classes yet (create one with: badgekit badge new)")
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("File", no_wrap=True)
    table.add_column("Name", overflow="fold", ratio=1)
    table.add_column("Type / level", no_wrap=True)
    table.add_column("Valid for", no_wrap=True)
    table.add_column("Roster must provide", overflow="fold", ratio=1)
    for r in rows:
        name = Path(r["file"]).name
        if not r["valid"]:
            table.add_row(Text(name), Text("INVALID: " + r["error"], style="red"), Text(""), Text(""), Text(""))
            continue
        kind = "\n".join(v for v in (r["achievementType"] or "-", r["level"]) if v)
        table.add_row(
            Text(name),
            Text(r["name"]),
            Text(kind),
            Text(r["validity"] or "no expiry"),
            Text("\n".join(r["requirements"]) or "-"),
        )
    _output.stdout.print(table)
    invalid = sum(1 for r in rows if not r["valid"])
    if invalid:
        _output.warn(f"{invalid} badge class file(s) are invalid: run badgekit badge validate")


def _is_terminal() -> bool:
    """Prompts only when a person is at the keyboard (tests patch this)."""
    return sys.stdin.isatty()

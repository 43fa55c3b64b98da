"""``badgekit ledger``: check the issuing ledger, and move it between SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, ledger_target, open_ledger
from badgekit.cli._project import ProjectOpt, load_project
from badgekit.errors import ExitCode, InputError

app = typer.Typer(
    help="The issuing ledger: check its integrity, or move it between the project's SQLite file and a "
    "PostgreSQL database shared by several projects.",
    no_args_is_help=True,
)


@app.command("check")
def check(project_dir: ProjectOpt = None, json_out: JsonOpt = False) -> None:
    """Verify the ledger's integrity and print each table's row count and checksum.

    Checks the database's own integrity (SQLite), a status index never held twice and always
    inside its list, the ledger secret, issued credentials with their file. The checksums match
    between the two ends of a migration.

    Exit codes: 0 sound, 1 problems found, 2 the ledger cannot be read.

    Example: badgekit ledger check
    """
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit.ledger import transfer

    project = load_project(project_dir)
    with open_ledger(project) as ledger:
        report = transfer.check(ledger)
    if json_out:
        _output.emit_json(report.to_json())
    else:
        _output.emit_text(f"{report.location} ({report.engine}, schema {report.schema_version})")
        for table, digest in report.tables.items():
            _output.emit_text(f"  {table:<13} {digest.rows:>9} rows  {digest.checksum[:16]}")
        if report.states:
            _output.info("  credentials: " + ", ".join(f"{n} {state}" for state, n in report.states.items()), "dim")
        for problem in report.problems:
            _output.error(problem)
        _output.info("ledger is sound" if report else f"{len(report.problems)} problem(s) found",
                     "green" if report else "red")
    raise typer.Exit(int(ExitCode.OK if report else ExitCode.FAILED))


@app.command("migrate")
def migrate(
    to: Annotated[str, typer.Option("--to", help="The target: a postgresql:// URL (password from PGPASSWORD, "
                                     "~/.pgpass or a service file), or an SQLite file to move back to.")],
    project_dir: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Copy the project's ledger to PostgreSQL (or back to SQLite), proving nothing was lost.

    Every credential, event, rejection and status list is copied; the row count and checksum of
    every table are compared before the target commits. The source is left as it is.

    The target must be empty, or hold the ledger of the same issuer with no credential or status
    index in common. Then point the project at the target (\\[ledger] url in badgekit.toml, or
    BADGEKIT_LEDGER_URL; remove it to go back to .badgekit/ledger.sqlite3).

    Example: badgekit ledger migrate --to postgresql://badgekit@db.example.edu/badges
    """
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit.ledger import Ledger, is_ledger_url, redact_url, transfer

    project = load_project(project_dir)
    target_spec = to.strip()
    if not target_spec:
        raise InputError("--to needs a postgresql:// URL or an SQLite file")
    target_path = target_spec if is_ledger_url(target_spec) else Path(target_spec).resolve()
    source_spec = ledger_target(project)
    if isinstance(target_path, Path) and isinstance(source_spec, Path) and target_path == Path(source_spec).resolve():
        raise InputError(f"{target_path}: is the project's ledger already")
    with open_ledger(project) as source, Ledger.open(target_path if isinstance(target_path, str) else target_path) as target:
        result = transfer.migrate(source, target)
    if json_out:
        _output.emit_json(result.to_json())
        return
    copied = result.copied
    _output.emit_text(f"{result.source} -> {result.target}")
    _output.info(f"copied {copied['issuances']} credentials, {copied['events']} events, {copied['rejections']} rejections "
                 f"and {copied['status_lists']} status lists{' (merged)' if result.merged else ''}; "
                 "every table's row count and checksum match", "green")
    if is_ledger_url(target_spec):
        _output.info(f'next: point the project at it: [ledger] url = "{redact_url(target_spec)}" in badgekit.toml, '
                     "without any password (give it with PGPASSWORD, ~/.pgpass or a service file)")
    else:
        _output.info("next: remove [ledger] url from badgekit.toml (and unset BADGEKIT_LEDGER_URL) to use it"
                     if Path(target_spec).resolve() == project.ledger_path.resolve() else
                     f"next: move it to {project.ledger_path} and remove [ledger] url from badgekit.toml")

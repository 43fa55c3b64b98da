"""``badgekit revoke|suspend|unsuspend`` and ``badgekit status init|publish|show``.

The ledger records every change; ``status publish`` turns the ledger into signed Bitstring
Status List credentials to host at their URLs (see docs/adr/0004-status-purpose.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from badgekit._time import utc_now
from badgekit.cli import _output
from badgekit.cli._options import (
    JsonOpt,
    KeyOpt,
    PassphraseFileOpt,
    current_actor,
    load_data_integrity_key,
    open_ledger,
    out_option,
)
from badgekit.cli._project import ProjectOpt, find_badge, load_project
from badgekit.errors import ExitCode, InputError, LedgerError

if TYPE_CHECKING:
    from badgekit.keys import DataIntegrityKey
    from badgekit.ledger import Ledger
    from badgekit.lifecycle import Change, CredentialHistory, NewState
    from badgekit.project import Project

app = typer.Typer(
    help="Status lists (revocation, suspension): create, publish and summarise them.",
    no_args_is_help=True,
)

CredentialsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="CREDENTIAL_ID|FILE...",
        help="Credential ids (urn:uuid:…, or the bare UUID a file in out/ is named by) or credential files (.json, or baked .png/.svg), or a run file's line (RUN.jsonl#LINE).",
        show_default=False,
    ),
]
EmailOpt = Annotated[
    list[str] | None,
    typer.Option("--email", "-e", metavar="ADDRESS", help="Every credential issued to this email address (repeatable)."),
]
CsvOpt = Annotated[
    Path | None,
    typer.Option(
        "--from-csv",
        metavar="FILE",
        help="CSV with a credential_id (or id) column, or an email column; issued.csv from 'badgekit issue' works.",
    ),
]
BadgeOpt = Annotated[
    Path | None,
    typer.Option("--badge", "-b", help="Only credentials of this badge class (file, or name in badges/)."),
]
PublishOpt = Annotated[
    bool, typer.Option("--publish", help="Publish the status lists right away (needs the signing key).")
]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show what would change; change nothing.")]
OutOpt = Annotated[
    Path | None,
    out_option("Folder for the list files (default: the project's output folder /status)."),
]
ValidForOpt = Annotated[
    str | None,
    typer.Option(
        "--valid-for",
        metavar="DURATION",
        help="Give the lists a validUntil this long after now (ISO 8601, e.g. P7D); verifiers then refuse stale copies.",
    ),
]
TtlOpt = Annotated[
    str | None,
    typer.Option("--ttl", metavar="DURATION", help="Tell verifiers how long they may cache a list (ISO 8601, e.g. PT6H)."),
]


def _now() -> datetime:
    return utc_now().replace(microsecond=0)


def _out_dir(project: Project, out: Path | None) -> Path:
    return out if out is not None else Path(project.output_dir) / "status"


# ---------------------------------------------------------------------------------------------
# revoke / suspend / unsuspend


def _change(
    new_state: NewState,
    credentials: list[str] | None,
    emails: list[str] | None,
    from_csv: Path | None,
    badge: Path | None,
    reason: str | None,
    publish: bool,
    dry_run: bool,
    project_dir: Path | None,
    key_path: Path | None,
    passphrase_file: PassphraseFileOpt,
    json_out: bool,
) -> None:
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit import lifecycle
    if not credentials and not emails and from_csv is None:
        raise InputError("name the credentials: ids, files, --email or --from-csv", hint="see --help for examples")
    if new_state == "revoked" and not (reason and reason.strip()):
        raise InputError("--reason is required: it is recorded in the ledger with the revocation")
    if publish and dry_run:
        raise InputError("--publish and --dry-run cannot be combined")
    project = load_project(project_dir)
    badge_id = None
    if badge is not None:
        badge_class = find_badge(project, badge)
        badge_id = str(badge_class.achievement.get("id") or badge_class.id)
    if from_csv is not None and not from_csv.is_file():
        raise InputError(f"{from_csv}: no such file")
    # Load the key first: a wrong passphrase should stop the command before anything changes.
    key = load_data_integrity_key(key_path or project.key_path, passphrase_file) if publish else None
    with open_ledger(project) as ledger:
        selection = lifecycle.select_credentials(
            ledger, credentials or (), emails=emails or (), csv_path=from_csv, badge_id=badge_id
        )
        changes = lifecycle.change_status(
            ledger, selection.ids, new_state, (reason or "").strip() or None, current_actor(), dry_run=dry_run
        )
        published: list[Path] = []
        if key is not None:
            # Not only when this run changed something: an earlier run's publish may have failed or
            # been killed after its ledger commit, and its retry finds every credential "unchanged".
            published = lifecycle.publish_lists(ledger, project, key, _out_dir(project, None), _now(), actor=current_actor(),
                                                only_stale=True)
    failed = bool(selection.problems) or any(not c for c in changes)
    if json_out:
        counts: dict[str, int] = {}
        for c in changes:
            counts[c.outcome] = counts.get(c.outcome, 0) + 1
        _output.emit_json({
            "action": {"revoked": "revoke", "suspended": "suspend", "issued": "unsuspend"}[new_state],
            "counts": counts,
            "changes": [c.to_json() for c in changes],
            "problems": list(selection.problems),
            "published": [str(p) for p in published],
        })
    else:
        _print_changes(new_state, changes, selection.problems, published, publish, dry_run)
    raise typer.Exit(int(ExitCode.FAILED if failed else ExitCode.OK))


def _print_changes(new_state: NewState, changes: list[Change], problems: tuple[str, ...], published: list[Path], publish: bool, dry_run: bool) -> None:
    verb = {"revoked": "revoked", "suspended": "suspended", "issued": "unsuspended"}[new_state]
    for problem in problems:
        _output.error(problem)
    for c in changes:
        if c.outcome == "failed":
            _output.error(c.message)
        elif c.outcome == "unchanged":
            _output.info(c.message, "dim")
        else:
            where = f" ({_short(c.list_url)} #{c.status_index})" if c.list_url else ""
            _output.emit_text(f"{'would be ' if dry_run else ''}{verb} {c.credential_id}{where}")
    n = {k: sum(1 for c in changes if c.outcome == k) for k in ("changed", "would-change", "unchanged", "failed")}
    parts = []
    if n["changed"]:
        parts.append(f"{n['changed']} {verb}")
    if n["would-change"]:
        parts.append(f"{n['would-change']} would be {verb}")
    if n["unchanged"]:
        parts.append(f"{n['unchanged']} unchanged")
    if n["failed"] or problems:
        parts.append(f"{n['failed'] + len(problems)} failed")
    _output.info(", ".join(parts) if parts else "nothing selected")
    if published:
        for p in published:
            _output.info(f"published {p}", "green")
        _output.info("upload the files to their URLs so verifiers see the change")
    elif publish:
        _output.info("the published status lists already match the ledger; nothing to publish", "dim")
    elif n["changed"] and not publish:
        _output.info("the ledger is updated; run 'badgekit status publish' (or pass --publish) and upload the lists")


def _short(url: str | None) -> str:
    return (url or "").rstrip("/").rsplit("/", 1)[-1]


def _change_command(new_state: NewState, *, reason_help: str, doc: str) -> Callable[..., None]:
    """``revoke``, ``suspend`` or ``unsuspend``: one definition of their options, the target state,
    the help of ``--reason`` and the docstring (the command's help) differing."""

    def command(
        credentials: CredentialsArg = None,
        reason: str | None = None,  # its option is set below: the help differs
        email: EmailOpt = None,
        from_csv: CsvOpt = None,
        badge: BadgeOpt = None,
        publish: PublishOpt = False,
        dry_run: DryRunOpt = False,
        project_dir: ProjectOpt = None,
        key_path: KeyOpt = None,
        passphrase_file: PassphraseFileOpt = None,
        json_out: JsonOpt = False,
    ) -> None:
        _change(new_state, credentials, email, from_csv, badge, reason, publish, dry_run, project_dir, key_path,
                passphrase_file, json_out)

    # Typer reads the annotations: an object set here wins over the string annotation above.
    command.__annotations__["reason"] = Annotated[str | None, typer.Option("--reason", "-m", help=reason_help)]
    command.__doc__ = doc
    return command


revoke = _change_command(
    "revoked",
    reason_help="Why (required; recorded in the ledger).",
    doc="""Revoke credentials for good: their status bit is set in the next published list.

    Revocation is final (a revoked credential cannot be unsuspended). Works on every credential
    with a status entry, revocation or suspension purpose. Already revoked: reported, not an error.
    --publish writes every list whose published file differs from the ledger, so repeating a
    command whose publish failed publishes it (the same for suspend and unsuspend).

    Exit codes: 0 all done, 1 some credentials unknown or not revocable, 2 usage error.

    Examples:
      badgekit revoke urn:uuid:3f6c… --reason "issued by mistake"
      badgekit revoke --email ada@example.org --badge python-basics --reason "academic misconduct"
      badgekit revoke --from-csv to-revoke.csv --reason "course withdrawn" --publish
    """,
)
suspend = _change_command(
    "suspended",
    reason_help="Why (recorded in the ledger).",
    doc="""Suspend credentials until 'badgekit unsuspend' (only for badge classes with status_purpose: suspension).

    Exit codes: 0 all done, 1 some credentials unknown or not suspendable, 2 usage error.

    Example: badgekit suspend --email ada@example.org --reason "training lapsed" --publish
    """,
)
unsuspend = _change_command(
    "issued",
    reason_help="Why (recorded in the ledger).",
    doc="""Lift a suspension: the credential is valid again once the lists are published.

    Exit codes: 0 all done, 1 some credentials unknown, revoked or not suspendable, 2 usage error.

    Example: badgekit unsuspend urn:uuid:3f6c… --reason "training renewed"
    """,
)


# ---------------------------------------------------------------------------------------------
# status init / publish / show


def _publish(project: Project, ledger: Ledger, key: DataIntegrityKey, out_dir: Path, valid_for: str | None, ttl: str | None) -> list[Path]:
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit import lifecycle

    now = _now()
    valid_until = lifecycle.valid_until_after(now, valid_for) if valid_for else None
    ttl_ms = lifecycle.duration_ms(ttl, now=now) if ttl else None
    return lifecycle.publish_lists(ledger, project, key, out_dir, now, valid_until=valid_until, ttl_ms=ttl_ms, actor=current_actor())


def _report_published(ledger: Ledger, paths: list[Path], json_out: bool, issuer: str) -> None:
    rows = ledger.lists(issuer=issuer)
    items = [
        {"url": url, "statusPurpose": purpose, "path": str(path), "set": len(ledger.set_indices(list_id))}
        for (list_id, purpose, url, _size), path in zip(rows, paths, strict=True)
    ]
    if json_out:
        _output.emit_json(items)
        return
    for item in items:
        _output.emit_text(str(item["path"]))
        _output.info(f"  {item['statusPurpose']}, {item['set']} set; host it at {item['url']}", "dim")


@app.command("init")
def init(
    out: OutOpt = None,
    valid_for: ValidForOpt = None,
    ttl: TtlOpt = None,
    project_dir: ProjectOpt = None,
    key_path: KeyOpt = None,
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Create the issuer's revocation and suspension lists (131,072 entries each) and publish them empty.

    The list URLs come from status_base_url in badgekit.toml (…/revocation-1.json,
    …/suspension-1.json). Running it again changes nothing but republishes the lists.

    Example: badgekit status init && rsync out/status/ web:/srv/example.edu/status/
    """
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit import lifecycle
    project = load_project(project_dir)
    if not project.status_base_url:
        raise InputError(
            f"{project.config_path}: project.status_base_url is not set, so status lists have no URL",
            hint='add status_base_url = "https://example.edu/status/" under [project]',
        )
    key = load_data_integrity_key(key_path or project.key_path, passphrase_file)
    with open_ledger(project) as ledger:
        lifecycle.init_lists(ledger, project.status_base_url, project.issuer_id)
        paths = _publish(project, ledger, key, _out_dir(project, out), valid_for, ttl)
        _report_published(ledger, paths, json_out, project.issuer_id)


@app.command("publish")
def publish(
    out: OutOpt = None,
    valid_for: ValidForOpt = None,
    ttl: TtlOpt = None,
    project_dir: ProjectOpt = None,
    key_path: KeyOpt = None,
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write each status list as a signed BitstringStatusListCredential, ready to host at its URL.

    The bits come from the ledger (revoked and suspended credentials). Each file is named after
    the last segment of its URL and written atomically; validFrom is now.

    Example: badgekit status publish --out site/status --valid-for P7D
    """
    project = load_project(project_dir)
    key = load_data_integrity_key(key_path or project.key_path, passphrase_file)
    with open_ledger(project) as ledger:
        if not ledger.lists(issuer=project.issuer_id):
            raise InputError(
                f"{ledger.location}: no status lists yet",
                hint="run 'badgekit status init' (or issue credentials with status_base_url set)",
            )
        paths = _publish(project, ledger, key, _out_dir(project, out), valid_for, ttl)
        _report_published(ledger, paths, json_out, project.issuer_id)


@app.command("show")
def show(
    credentials: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CREDENTIAL_ID|FILE]...", help="Show these credentials' state and history instead.", show_default=False),
    ] = None,
    out: OutOpt = None,
    project_dir: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Summarise the status lists: entries used, revoked, suspended, and whether the published files are current.

    With credential ids or files: each credential's state, status entry and event history.

    Example: badgekit status show
    """
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit import lifecycle
    project = load_project(project_dir)
    with open_ledger(project) as ledger:
        if credentials:
            selection = lifecycle.select_credentials(ledger, credentials)
            histories = []
            problems = list(selection.problems)
            for cid in selection.ids:
                try:
                    histories.append(lifecycle.credential_history(ledger, cid))
                except LedgerError as exc:
                    problems.append(exc.message)
            _show_histories(histories, problems, json_out)
            raise typer.Exit(int(ExitCode.FAILED if problems else ExitCode.OK))
        summaries = lifecycle.status_summary(ledger, _out_dir(project, out), now=_now(), issuer=project.issuer_id)
    if json_out:
        _output.emit_json([s.to_json() for s in summaries])
        return
    if not summaries:
        _output.info("no status lists yet; run 'badgekit status init'")
        return
    stale = False
    for s in summaries:
        if s.published_path is None:
            published, style = "not published yet", "yellow"
        elif s.published_problem:
            published, style = s.published_problem, "red"
        elif s.up_to_date:
            published, style = f"published {_when(s.published_at)}, current", "green"
        else:
            published, style = f"published {_when(s.published_at)}, out of date", "yellow"
        stale = stale or style != "green"
        _output.emit_text(
            f"{s.file_name or s.url} ({s.purpose}): {s.allocated:,} of {s.size:,} entries used; "
            f"{s.revoked:,} revoked, {s.suspended:,} suspended"
        )
        _output.stdout.print(Text("  " + published, style=style) + Text(f"; host at {s.url}", style="dim"))
    if stale:
        _output.info("run 'badgekit status publish' and upload the files to bring verifiers up to date")


def _when(stamp: str | None) -> str:
    return (stamp or "?").replace("T", " ").removesuffix("Z")


def _show_histories(histories: list[CredentialHistory], problems: list[str], json_out: bool) -> None:
    if json_out:
        _output.emit_json({"credentials": [h.to_json() for h in histories], "problems": problems})
        return
    for problem in problems:
        _output.error(problem)
    for h in histories:
        i = h.issuance
        entry = f"{i.purpose} entry, {_short(i.list_url)} #{i.status_index}" if i.list_url else "no status entry"
        _output.emit_text(f"{i.credential_id}: {i.state} ({entry})")
        for e in h.events:
            _output.emit_text(f"  {e.at}  {e.kind:<11} by {e.actor}" + (f": {e.reason}" if e.reason else ""))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="status")
    root.command("revoke")(revoke)
    root.command("suspend")(suspend)
    root.command("unsuspend")(unsuspend)

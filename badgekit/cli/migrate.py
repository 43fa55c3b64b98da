"""``badgekit migrate``: Open Badges 2.0 assertions → badge classes and rosters → OB 3.0 credentials."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from badgekit import cache
from badgekit._time import utc_now
from badgekit.cli import _output
from badgekit.cli._options import (
    JsonOpt,
    KeyOpt,
    NoCacheOpt,
    Ob2DocOpt,
    PassphraseFileOpt,
    VerifyAtOpt,
    current_actor,
    default_workers,
    input_path,
    load_any_key,
    open_ledger,
    out_option,
)
from badgekit.cli._project import ProjectOpt, load_project, optional_project
from badgekit.errors import ExitCode, InputError

if TYPE_CHECKING:
    from badgekit.migrate import MigrationPlan, Written

_MARKS = {"migrate": "→", "not-migrated": "✗", "issued": "✓", "already-issued": "=", "would-issue": "→",
          "resumed": "✓", "rejected": "✗"}


def migrate(
    inputs: Annotated[
        list[Path],
        typer.Argument(metavar="INPUT...", parser=input_path, help="Open Badges 2.0 assertions: JSON, signed JWS (.jws/.jwt), baked PNG or "
                       "SVG badges, or folders of them."),
    ],
    ob2_doc: Ob2DocOpt = None,
    trust_unverified: Annotated[
        bool, typer.Option("--trust-unverified", help="Also migrate assertions that cannot be verified offline "
                           "(documents missing), marked unverified. Never ones that fail, are revoked or expired.")
    ] = False,
    issue: Annotated[
        bool, typer.Option("--issue", help="Then issue the rosters as OB 3.0 credentials signed by the project's "
                           "issuer (as 'badgekit issue' does). Without it, only the files are written.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be migrated (with --issue: issued) and what cannot "
                           "be, and why; write and sign nothing.")
    ] = False,
    out: Annotated[
        Path | None, out_option("Folder for the badge classes (badges/*.yaml) and rosters (*.csv). Default: "
                                "migration/ in the project (or here).")
    ] = None,
    at: VerifyAtOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="With --issue: ldp (Data Integrity) or jwt (VC-JWT).")] = "ldp",
    no_revocation: Annotated[
        bool, typer.Option("--no-revocation", help="With --issue: credentials without a status entry (never revocable).")
    ] = False,
    no_cache: NoCacheOpt = False,
    project_dir: ProjectOpt = None,
    key_path: KeyOpt = None,
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Migrate Open Badges 2.0 assertions to Open Badges 3.0, signed by this project's issuer.

    Each assertion is verified offline as 'badgekit verify' does (give the documents it links
    to with --ob2-doc or 'badgekit cache add'). Each that verifies becomes a roster row of an OB
    3.0 badge class made from its BadgeClass (written to OUT/badges/<name>-<hash>.yaml, the roster
    to OUT/<name>-<hash>.csv), keeping: the recipient's IdentityObject (hash, salt and type
    unchanged, so 'verify --recipient' still matches the same earner), issuedOn as awardedDate,
    expires as validUntil, narrative and evidence, and the old assertion id as an evidence entry
    ("Original credential"); the BadgeClass id is the achievement's 'related' link.

    Not migrated, each with its reason: revoked, invalid (wrong signature, expired, a copy that
    differs), not verifiable offline (unless --trust-unverified), no BadgeClass to build from.
    With --issue the rosters are issued through the ledger: migrating the same badges again
    issues nothing new. --dry-run shows all of it and writes nothing.

    Exit codes: 0 every assertion migrated (or already issued), 1 some not migrated (or rows
    rejected), 2 usage error.

    Example: badgekit migrate old-badges/ --ob2-doc issuer-docs/ --dry-run --issue
    """
    from badgekit import (
        migrate as core,  # start-up: the migration (YAML, the issuing path) only when it runs
    )
    from badgekit import ob2  # start-up: the OB 2.0 reader, as above
    from badgekit.verify import parse_timestamp  # start-up: as above

    fmt = fmt.strip().lower()
    if fmt not in ("ldp", "jwt"):
        raise InputError(f"--format takes ldp or jwt, got {fmt!r}")
    docs, provenance = ob2.load_documents(ob2_doc or [])
    if not no_cache:
        cached = cache.load()
        provenance = {**{k: v for k, v in cached.provenance().items() if k not in docs}, **provenance}
        docs = {**cached.ob2_documents, **docs}
    when = parse_timestamp(at, field="--at") if at is not None else utc_now().replace(microsecond=0)
    project = load_project(project_dir) if issue else optional_project(project_dir)
    out_dir = out or (Path(project.root) / "migration" if project is not None else Path("migration"))
    plan = core.plan_migration(inputs, documents=ob2.Documents(docs, provenance), at=when, trust_unverified=trust_unverified)
    with tempfile.TemporaryDirectory(prefix="badgekit-migrate-") as scratch:
        written = core.write_migration(plan, Path(scratch) if dry_run else out_dir) if plan.badges else []
        if issue and written:
            assert project is not None
            plan = _issue(plan, written, project, key_path, passphrase_file, fmt=fmt, dry_run=dry_run,
                          no_revocation=no_revocation)
    if json_out:
        _output.emit_json(_to_json(plan, written, out_dir, dry_run))
    else:
        _print_human(plan, written, out_dir, dry_run=dry_run, issued=issue)
    bad = {"not-migrated", "rejected"}
    raise typer.Exit(int(ExitCode.FAILED if any(o.status in bad for o in plan.outcomes) else ExitCode.OK))


def _issue(plan: MigrationPlan, written: list[Written], project: Any, key_path: Path | None,
           passphrase_file: Path | None, *, fmt: str, dry_run: bool, no_revocation: bool) -> MigrationPlan:
    from badgekit import migrate as core  # start-up: see migrate()
    from badgekit.issuing import IssueOptions  # start-up: the issuing path only with --issue

    key = load_any_key(key_path or project.key_path, passphrase_file)
    options = IssueOptions(
        out_dir=project.output_dir, workers=default_workers(), dry_run=dry_run, verification_method=project.verification_method,
        jwt_verification_method=project.jwt_verification_method, format="jwt" if fmt == "jwt" else "ldp",
        actor=current_actor(), issuer_document=project.issuer_document(), revocable=not no_revocation,
    )
    with open_ledger(project) as ledger:
        return core.issue_migration(plan, written, issuer=project.issuer, key=key, ledger=ledger, options=options,
                                    status_base_url=project.status_base_url)


def _to_json(plan: MigrationPlan, written: list[Written], out_dir: Path, dry_run: bool) -> dict[str, Any]:
    return {
        "dryRun": dry_run,
        "counts": plan.counts(),
        "badgeClasses": [{"id": w.plan.id, "migratedFrom": w.plan.old_id, "name": w.plan.document.get("name"),
                          "path": None if dry_run else str(w.badge_path), "roster": None if dry_run else str(w.roster_path),
                          "rows": len(w.plan.rows)} for w in written],
        "outDir": str(out_dir),
        "assertions": [o.to_json() for o in plan.outcomes],
    }


def _print_human(plan: MigrationPlan, written: list[Written], out_dir: Path, *, dry_run: bool, issued: bool) -> None:
    from badgekit.cli.verify import clean  # start-up: the verify command's module, to print

    names = {w.plan.old_id: str(w.plan.document.get("name", "")) for w in written}
    for o in plan.outcomes:
        status = "would migrate" if o.status == "migrate" and dry_run else "migrated" if o.status == "migrate" else o.status
        parts = [f"{_MARKS.get(o.status, '?')} {status:<15}", clean(o.source)]
        if o.badge_class:
            parts.append(clean(names.get(o.badge_class, o.badge_class)))
        if o.credential_id:
            parts.append(o.credential_id)
        if o.reason:
            parts.append(clean(o.reason))
        print("  ".join(parts))
    counts = plan.counts()
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    _output.info(f"{len(plan.outcomes)} assertion(s): {summary}")
    for w in written:
        where = "would write" if dry_run else "wrote"
        _output.info(f"{where} {w.badge_path if not dry_run else out_dir / 'badges' / w.badge_path.name} "
                     f"and {w.roster_path if not dry_run else out_dir / w.roster_path.name} ({len(w.plan.rows)} row(s))")
        if not issued and not dry_run:
            _output.info(f"  next: badgekit issue {w.roster_path} --badge {w.badge_path}")


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)

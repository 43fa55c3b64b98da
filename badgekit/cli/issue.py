"""``badgekit issue``: sign one OpenBadgeCredential per eligible roster row."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, cast

import typer

from badgekit._io import atomic_write
from badgekit._time import parse_duration
from badgekit.cli import _output
from badgekit.cli._options import (
    BundleUrlBaseOpt,
    JsonOpt,
    KeyOpt,
    LinkedInOrgIdOpt,
    PassphraseFileOpt,
    RateOpt,
    ReplyToOpt,
    SenderOpt,
    SmtpPasswordFileOpt,
    SmtpUrlOpt,
    current_actor,
    default_workers,
    load_any_key,
    old_spellings,
    open_ledger,
    out_option,
    workers_option,
)
from badgekit.cli._project import ProjectOpt, find_badge, load_project
from badgekit.cli.bundle import bundle_issued, check_url_base
from badgekit.errors import ExitCode, InputError
from badgekit.roster import COLUMNS

if TYPE_CHECKING:
    from badgekit.issuing import IssueReport, RowOutcome


@old_spellings(roster_file=("--roster", "-r"))
def issue(
    badge: Annotated[Path, typer.Option("--badge", "-b", help="Badge class file, or its name in the project's badges/ folder.")],
    roster_file: Annotated[Path | None, typer.Argument(metavar="[ROSTER]", help="CSV roster: header row, one recipient per row. Columns (any case or spacing; aliases such as 'E-mail Address'): "
                                                                               f"{', '.join(COLUMNS)}, and those the badge class's requirements name. "
                                                                               "Optional only for a pathway badge class (awarded from the ledger).")] = None,
    out: Annotated[Path | None, out_option("Output folder for credentials (default: the project's output folder).")] = None,
    workers: Annotated[int | None, workers_option("Signing processes")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and plan only: sign and write nothing.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Issue nothing if any row has a problem (an unknown column is only a warning).")] = False,
    reissue: Annotated[bool, typer.Option("--reissue", help="Issue new credentials even to recipients who already have this badge.")] = False,
    renew: Annotated[
        bool, typer.Option("--renew", help="Renew: a new credential, citing the old one as evidence, to recipients whose credential "
                           "of this badge has expired or expires within --renew-within; others are issued as usual.")
    ] = False,
    renew_within: Annotated[
        str, typer.Option("--renew-within", metavar="DURATION", help="With --renew: how soon a credential must expire to be renewed (ISO 8601).")
    ] = "P60D",
    no_revocation: Annotated[
        bool, typer.Option("--no-revocation", help="Issue credentials without a status entry: they can never be revoked or suspended. "
                           "Needed when badgekit.toml has no status_base_url (or set revocable: false in the badge class).")
    ] = False,
    fmt: Annotated[
        str,
        typer.Option("--format", help="ldp: <id>.json with an embedded Data Integrity proof (eddsa-rdfc-2022); "
                     "jwt: <id>.jwt, an OB 3.0 VC-JWT (EdDSA with an Ed25519 key, ES256 with a P-256 key, RS256 with an RSA key); "
                     "vc+jwt: <id>.jwt, a W3C VC-JOSE-COSE application/vc+jwt (same keys); "
                     "sd-jwt: <id>.sd-jwt, an SD-JWT VC signed the same way, the badge class's disclose members "
                     "(default: recipient identity, results, evidence) selectively disclosable."),
    ] = "ldp",
    cryptosuite: Annotated[
        str | None,
        typer.Option("--cryptosuite", metavar="SUITE",
                     help="--format ldp: the proof's cryptosuite, eddsa-rdfc-2022 or eddsa-jcs-2022 (Ed25519 key), "
                          "ecdsa-rdfc-2019 or ecdsa-jcs-2019 (P-256 / P-384 key), ecdsa-sd-2023 (P-256 key: base "
                          "proofs, the badge class's disclose members selectively disclosable, by default results "
                          "and evidence). Default: eddsa-rdfc-2022, "
                          "or ecdsa-rdfc-2019 with a P-256 / P-384 key."),
    ] = None,
    bake: Annotated[
        list[str] | None,
        typer.Option("--bake", help="Also write a baked badge image beside each credential: png, svg (repeatable, or 'png,svg')."),
    ] = None,
    recipient_images: Annotated[
        bool, typer.Option("--recipient-images", help="With --bake: draw each recipient's name (and a QR code of the credential id) on their image; slower. A name no font can draw is refused before issuing.")
    ] = False,
    output_mode: Annotated[
        str,
        typer.Option("--output-mode", metavar="files|jsonl",
                     help="files: one <credential-id>.json per credential (the default); jsonl: one <out>/runs/<run>.jsonl "
                     "per run, one credential per line (JSON only: no --format jwt or --bundle; --bake writes <out>/<credential-id>.png), "
                     "written in one go at the end; far faster on a disk. 'badgekit verify FILE.jsonl' reads it."),
    ] = "files",
    bundle: Annotated[
        bool, typer.Option("--bundle", help="Also write a recipient bundle per credential to <out>/bundles/ (page, baked badges, QR code, email text); see 'badgekit bundle'.")
    ] = False,
    bundle_url_base: BundleUrlBaseOpt = None,
    send_mail: Annotated[
        bool, typer.Option("--send", help="Then e-mail this run's credentials (issued or resumed) to their earners, as 'badgekit send' does, with the options below.")
    ] = False,
    smtp: SmtpUrlOpt = None,
    smtp_password_file: SmtpPasswordFileOpt = None,
    sender: SenderOpt = None,
    reply_to: ReplyToOpt = None,
    linkedin_org_id: LinkedInOrgIdOpt = None,
    rate: RateOpt = None,
    date_format: Annotated[
        str | None,
        typer.Option("--date-format", metavar="DMY|MDY",
                     help="How the roster writes numeric dates such as 04/03/2026: DMY (day first) or MDY (month first). "
                          "Without it (or \\[roster] date_format in badgekit.toml) an ambiguous date is a row error, never a guess."),
    ] = None,
    award_pathways: Annotated[
        bool, typer.Option("--award-pathways", help="Then, in the same run, award every pathway badge class of the project that "
                           "requires this one (and any pathway requiring those) to its eligible holders, as "
                           "'badgekit issue --badge <pathway>' does (also resumes an interrupted award).")
    ] = False,
    cluster: Annotated[
        str | None,
        typer.Option("--cluster", metavar="ADDRESS",
                     help="Sign on a Dask cluster (tcp://scheduler:8786; or \\[cluster] scheduler in badgekit.toml): its workers "
                          "hold the key (BADGEKIT_KEY in their environment); the ledger and --out stay here. Needs badgekit\\[dask]."),
    ] = None,
    project_dir: ProjectOpt = None,
    key_path: KeyOpt = None,
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Sign one OpenBadgeCredential per eligible roster row: validated, parallel, resumable.

    Every bad row is reported as FILE:line N, column C: reason; good rows are still issued unless
    --strict. Re-running the same roster issues nothing new; a run that was interrupted resumes.
    A badge class that requires another (badgekit.requires, e.g. a certification level) rejects
    rows whose recipient holds no active credential of it in this project; a prior_credential
    column (URL or urn: id) names one held elsewhere, cited as evidence. A pathway badge class
    (badgekit.requires all_of / n_of, no roster requirements) is issued WITHOUT a roster: every
    recipient whose active credentials of this issuer meet it gets one, naming the component
    credentials as evidence (the recipient's identity is taken from a component credential file);
    a re-run awards nothing new. After a run, the summary says how many recipients are eligible
    for a pathway that requires this badge class and not yet awarded it; --award-pathways awards
    them in the same run (with --dry-run: counted from what the ledger already holds).
    Writes one <credential-id>.json per credential (<credential-id>.jwt with --format jwt or
    vc+jwt, .sd-jwt with --format sd-jwt) and issued.csv (line → credential) to --out. A P-256 key
    ('badgekit key generate --type p256') signs --format ldp in ecdsa-rdfc-2019 (or --cryptosuite
    ecdsa-jcs-2019) and --format jwt / vc+jwt / sd-jwt in ES256 (a P-384 key: ldp only); a did:key
    issuer's id then starts with zDn… (P-256). An RSA key signs only --format jwt / vc+jwt / sd-jwt (RS256); its kid
    is <issuer id>#<JWK thumbprint>, the method 'badgekit key did-web' lists for it (or \\[issuer]
    jwt_verification_method in badgekit.toml).

    Credentials get a status entry at status_base_url, so they can be revoked; without one,
    issue refuses unless --no-revocation (or the badge class's revocable: false) says that
    these credentials are not revocable. The key must be the issuer's: its did:key, or listed
    under the method it signs as in did.json (did:web, https issuers), else nothing is issued.

    With --send, the credentials this run issued (or resumed) are then e-mailed to their earners
    exactly once, as 'badgekit send' does (same SMTP options); already-sent ones are skipped.

    Exit codes: 0 all rows issued (or already issued) and sent, 1 some rows rejected or messages
    failed, 2 usage error (or the SMTP server could not be used).

    Example: badgekit issue class-2026.csv --badge badges/python-basics.yaml ;
    badgekit issue --badge badges/data-analysis.yaml (a pathway)
    """
    # `badgekit --help` imports every command module: what only `issue` needs loads when it runs
    from badgekit.badgeclass import required_badges  # start-up: YAML, schemas
    from badgekit.issuing import (  # start-up: ledger, signing
        FORMATS,
        OUTPUT_MODES,
        IssueOptions,
        issue_pathway,
        issue_roster,
        require_roster,
        summary_csv,
    )
    from badgekit.roster import date_order  # start-up: the roster reader

    project = load_project(project_dir)
    badge_class = find_badge(project, badge)
    prerequisites = required_badges(badge_class, project.badges_dir)
    if roster_file is None:
        if not badge_class.policy.is_pathway:
            raise InputError(f"{badge_class.path}: a roster is needed (this is not a pathway badge class: it "
                             + ("reads roster columns" if badge_class.policy.requires else "requires no other badge class")
                             + ")", hint=f"badgekit issue ROSTER --badge {badge}")
        if bundle:
            raise InputError("--bundle needs a roster (the bundles are made from its rows)")
    else:
        require_roster(roster_file)
    run: Callable[..., IssueReport] = (
        issue_roster if roster_file is not None else (lambda roster_path, executor, **kw: issue_pathway(**kw))
    )
    if bundle_url_base is not None:
        check_url_base(bundle_url_base, "--bundle-url-base")
    order = date_order(date_format) if date_format is not None else project.date_order
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise InputError(f"--format takes {', '.join(FORMATS)}, got {fmt!r}")
    if cryptosuite is not None and fmt != "ldp":
        raise InputError(f"--cryptosuite names a Data Integrity suite: it goes with --format ldp, not {fmt}")
    output_mode = output_mode.strip().lower()
    if output_mode not in OUTPUT_MODES:
        raise InputError(f"--output-mode takes {' or '.join(OUTPUT_MODES)}, got {output_mode!r}")
    if output_mode == "jsonl" and bundle:
        raise InputError("--bundle needs one file per credential: not with --output-mode jsonl")
    address = cluster or project.cluster_scheduler
    key = None if address else load_any_key(key_path or project.key_path, passphrase_file)
    send_setup = None
    if send_mail and not dry_run:  # checked before anything is signed: a bad --from or no server is a usage error
        # start-up: the send command's module (e-mail) only for --send
        from badgekit.cli import send as send_cli

        send_setup = send_cli.prepare(project, smtp=smtp, smtp_password_file=smtp_password_file, sender=sender,
                                      reply_to=reply_to, bundle_url_base=bundle_url_base, linkedin_org_id=linkedin_org_id, rate=rate)
    out_dir = out or project.output_dir
    n_workers = workers or default_workers()
    formats = tuple(dict.fromkeys(f.strip().lower() for item in (bake or []) for f in item.split(",") if f.strip()))
    if any(f not in ("png", "svg") for f in formats):
        raise InputError(f"--bake takes png and/or svg, got {', '.join(formats)}")
    if renew and reissue:
        raise InputError("--renew and --reissue cannot be used together")
    if renew:
        parse_duration(renew_within)
    options = IssueOptions(
        out_dir=out_dir, workers=n_workers, dry_run=dry_run, strict=strict, reissue=reissue, renew=renew, renew_within=renew_within,
        verification_method=project.verification_method, jwt_verification_method=project.jwt_verification_method, bake=formats, recipient_images=recipient_images,
        format=cast(Literal["ldp", "jwt", "vc+jwt", "sd-jwt"], fmt), cryptosuite=cryptosuite, actor=current_actor(), date_order=order,
        fonts=tuple(str(f) for f in project.render_fonts) or None,
        issuer_document=project.issuer_document(), revocable=not no_revocation,
        output_mode="jsonl" if output_mode == "jsonl" else "files",
    )
    show_progress = not json_out and sys.stderr.isatty() and not dry_run
    with open_ledger(project) as ledger, _cluster(address) as executor:  # first: unreachable, nothing is left behind
        # Without --bundle (which needs every row afterwards), rows are streamed to issued.csv and to
        # --json as they are decided, so memory stays flat with roster size.
        stream = _RowStream(Path(out_dir), json_out, write_csv=not dry_run, keep_ids=send_setup is not None) if not bundle else None
        sink = stream.row if stream is not None else None
        if show_progress:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            columns = (TextColumn("signing"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[rate]}/s"), TimeRemainingColumn())
            with Progress(*columns, console=_output.stderr, transient=True) as bar:
                task = bar.add_task("sign", total=None, rate="-")

                def progress(done: int, total: int) -> None:
                    elapsed = bar.tasks[0].elapsed or 0.0
                    rate = f"{done / elapsed:,.0f}" if elapsed > 0.5 and done else "-"
                    bar.update(task, completed=done, total=total, rate=rate)

                report = run(roster_path=roster_file, badge=badge_class, issuer=project.issuer, key=key, ledger=ledger,
                                      options=options, status_base_url=project.status_base_url, progress=progress, sink=sink,
                                      prerequisites=prerequisites, executor=executor)
        else:
            report = run(roster_path=roster_file, badge=badge_class, issuer=project.issuer, key=key, ledger=ledger,
                                  options=options, status_base_url=project.status_base_url, sink=sink,
                                  prerequisites=prerequisites, executor=executor)
        awards = _award_pathways(report.badge_id, project, ledger, options, key, executor) if award_pathways else []
        if not dry_run and roster_file is not None:
            report = _with_pathways(report, project, ledger, badge_class)
    if stream is not None:
        stream.close_csv(report)
    elif not dry_run and report.outcomes:
        atomic_write(Path(out_dir) / "issued.csv", summary_csv(report))
    bundled = None
    if bundle and not dry_run and roster_file is not None:  # --bundle without a roster is refused above
        bundled = bundle_issued(report, project=project, roster_file=roster_file, out_dir=Path(out_dir) / "bundles",
                                url_base=bundle_url_base, workers=n_workers, badge=badge_class)
    sent = None
    if send_setup is not None:
        new_ids = stream.new_ids if stream is not None and stream.new_ids is not None else _new_ids(report.outcomes)
        sent = _send(send_setup, tuple(new_ids), project, progress=not json_out and sys.stderr.isatty())
    extra = ({} if bundled is None else {"bundles": bundled.to_json()}) | ({} if sent is None else {"sent": sent.to_json()})
    if award_pathways:
        extra["pathwayAwards"] = [{"name": str(p.achievement.get("name", "")), "file": str(p.path), **a.to_json()} for p, a in awards]
    if json_out and stream is not None:
        stream.close_json(report, extra)
    elif json_out:
        _output.emit_json({**report.to_json(), **extra})
    else:
        _print_human(report, roster_file or Path(report.roster), out_dir, dry_run, strict)
        if bundled is not None:
            bundled.print_human()
        if sent is not None:
            send_cli.print_human(sent, False, None)
        _print_awards(awards, dry_run)
    code = ExitCode.OK if report.ok and (bundled is None or bundled.ok) and all(a.ok for _, a in awards) else ExitCode.FAILED
    if sent is not None and send_cli.exit_code(sent) != ExitCode.OK:
        code = max(code, send_cli.exit_code(sent))
    raise typer.Exit(int(code))


def _new_ids(outcomes: Iterable[RowOutcome]) -> list[str]:
    """The credentials a run issued or resumed (what ``--send`` sends)."""
    return [o.credential_id for o in outcomes if o.status in ("issued", "resumed") and o.credential_id]


def _send(setup: tuple[Any, Any], ids: tuple[str, ...], project: Any, *, progress: bool) -> Any:
    """E-mail exactly the credentials ``ids`` (this run's) through ``badgekit send``'s workflow."""
    import dataclasses

    from badgekit.cli import send as send_cli  # start-up: see issue()

    options, mailer = setup
    if not ids:
        if mailer is not None:
            mailer.close()
        from badgekit.delivery import SendReport  # start-up: see issue()

        return SendReport((), 0.0, None)
    with open_ledger(project) as ledger:
        return send_cli.deliver(ledger, dataclasses.replace(options, credential_ids=ids), mailer, project, progress=progress)


def _cluster(address: str | None) -> Any:
    """The Dask executor at ``address`` (connected, its workers' key checked), or None: this machine."""
    if not address:
        return contextlib.nullcontext(None)
    try:
        from badgekit.issuing.cluster import DaskExecutor  # start-up: Dask only for --cluster
    except ImportError:
        raise InputError("--cluster needs Dask, which is not installed", hint="pip install 'badgekit[dask]'") from None
    return DaskExecutor.connect(address)


#: ``json.dumps(value, ensure_ascii=False)`` without making an encoder per row (same text).
_row_json = json.JSONEncoder(ensure_ascii=False).encode


class _RowStream:
    """Writes each row outcome as it comes: ``issued.csv`` (:class:`badgekit.issuing.SummaryWriter`:
    a temp file renamed at the end, so a killed run leaves the previous summary) and, with --json,
    the report's ``rows`` array.

    stdout holds one JSON document or nothing, whatever happens: the document opens with the first
    row, and a run that fails after that ends it with an ``error`` member (``_output.on_failure``);
    a failed run removes its temp ``issued.csv``."""

    def __init__(self, out_dir: Path, json_out: bool, *, write_csv: bool, keep_ids: bool = False) -> None:
        from badgekit.issuing import SummaryWriter  # start-up: see issue()

        self.json_out = json_out
        self.first = True
        self.opened = False
        self.summary = SummaryWriter(out_dir) if write_csv else None
        self.new_ids: list[str] | None = [] if keep_ids else None  # this run's credentials, for --send
        self.done = _output.on_failure(self.abort)

    def _json(self, text: str) -> None:
        if not self.opened:
            sys.stdout.write('{"rows": [')
            self.opened = True
        sys.stdout.write(text)

    def row(self, outcome: RowOutcome) -> None:
        if self.new_ids is not None:
            self.new_ids.extend(_new_ids([outcome]))
        if self.summary is not None:
            self.summary.row(outcome)
        if self.json_out:
            self._json(("\n  " if self.first else ",\n  ") + _row_json(outcome.to_json()))
            self.first = False

    def close_csv(self, report: IssueReport) -> None:
        """Put ``issued.csv`` in place (the JSON document is ended by :meth:`close_json`)."""
        if self.summary is not None:
            self.summary.close(report)
            self.summary = None
        if not self.json_out:
            self.done()

    def close_json(self, report: IssueReport, extra: dict[str, Any]) -> None:
        """End the JSON document: the report's members after ``rows``, then ``extra``."""
        if self.json_out:
            summary = {**report.to_json(), **extra}
            summary.pop("rows", None)
            tail = json.dumps(summary, ensure_ascii=False, indent=2)[1:]  # the other members, after "rows"
            self._json(("\n" if not self.first else "") + "]," + tail + "\n")
            sys.stdout.flush()
        self.done()

    def abort(self, error: dict[str, Any]) -> None:
        """The run failed: remove the temp summary; end the JSON document, if begun, with ``error``."""
        if self.summary is not None:
            self.summary.abort()
        if self.json_out and self.opened:
            sys.stdout.write(("\n" if not self.first else "") + '], "error": ' + json.dumps(error, ensure_ascii=False) + "}\n")
            sys.stdout.flush()


def _with_pathways(report: IssueReport, project: Any, ledger: Any, badge_class: Any) -> IssueReport:
    """``report`` with, for each pathway of the project that requires ``badge_class``, how many
    recipients are eligible for it and not yet awarded it."""
    import dataclasses

    from badgekit._time import utc_now  # start-up: see issue()
    from badgekit.issuing import eligible_count  # start-up: see issue()

    found = []
    for pathway in _project_pathways(project):
        if report.badge_id in pathway.policy.requires:
            n = eligible_count(ledger, pathway, utc_now(), str(project.issuer.get("id") or "") or None)
            if n:
                found.append({"badge": pathway.id, "name": str(pathway.achievement.get("name", "")), "file": str(pathway.path), "eligible": n})
    return dataclasses.replace(report, pathways=tuple(found)) if found else report


def _project_pathways(project: Any) -> list[Any]:
    """The pathway badge classes of the project that load (`badge validate` names the others)."""
    from badgekit import badgeclass  # start-up: see issue()

    found = []
    for path in badgeclass.find_badge_classes(project.badges_dir):
        try:
            pathway = badgeclass.load_badge_class(path)
        except InputError:
            continue
        if pathway.policy.is_pathway:
            found.append(pathway)
    return found


def _award_pathways(badge_id: str, project: Any, ledger: Any, options: Any, key: Any, executor: Any) -> list[tuple[Any, IssueReport]]:
    """Award every pathway that requires ``badge_id``, or requires such a pathway, in an order where
    a pathway comes after those it requires (so one run awards a whole ladder); each awards its
    eligible holders and resumes what an interrupted award reserved (never reissues or renews)."""
    import dataclasses

    from badgekit.badgeclass import required_badges  # start-up: see issue()
    from badgekit.issuing import issue_pathway  # start-up: see issue()

    pathways = _project_pathways(project)
    reached, frontier = set(), {badge_id}
    while frontier:  # every pathway that depends on badge_id, directly or through another pathway
        frontier = {p.id for p in pathways if p.id not in reached and frontier & set(p.policy.requires)}
        reached |= frontier
    todo = [p for p in pathways if p.id in reached]
    ordered: list[Any] = []
    while todo:  # requirements have no cycle (`badge validate`): each pass places at least one
        ready = [p for p in todo if not (set(p.policy.requires) & {q.id for q in todo if q is not p})] or todo[:1]
        ordered += ready
        todo = [p for p in todo if p not in ready]
    award_options = dataclasses.replace(options, reissue=False, renew=False)
    return [(p, issue_pathway(badge=p, issuer=project.issuer, key=key, ledger=ledger, options=award_options,
                              status_base_url=project.status_base_url, executor=executor,
                              prerequisites=required_badges(p, project.badges_dir)))
            for p in ordered]


def _print_awards(awards: list[tuple[Any, IssueReport]], dry_run: bool) -> None:
    for pathway, award in awards:
        name = str(pathway.achievement.get("name", "")) or str(pathway.path)
        for o in award.outcomes:
            for e in o.errors:
                _output.error(f"pathway {name!r}: holder {o.line}: {e.reason}")
        _output.emit_text(f"pathway {name!r}: " + (_counts_text(award.counts) or ("nobody to award" if dry_run else "nobody newly eligible")))


def _print_human(report: IssueReport, roster_file: Path, out_dir: Path, dry_run: bool, strict: bool) -> None:
    for e in report.header_errors:
        _output.warn(f"{roster_file}:{e}")
    for o in report.outcomes:
        for e in o.errors:
            _output.error(f"{roster_file}:{e}")
        if o.note:
            _output.warn(f"{roster_file}:line {o.line}: {o.note}")
    c = report.counts
    rejected = c.get("rejected", 0)
    if strict and rejected and not any(k in c for k in ("issued", "renewed", "resumed", "already-issued")):
        _output.info(f"--strict: nothing issued because {rejected} row(s) have problems", "red")
        return
    parts = [_counts_text(c)] if _counts_text(c) else []
    rate = ""
    signed = c.get("issued", 0) + c.get("renewed", 0) + c.get("resumed", 0)
    if signed and report.elapsed_s > 0:
        rate = f" in {report.elapsed_s:.1f}s ({signed / report.elapsed_s:,.0f}/s)"
    not_revocable = "; not revocable (no status entry)" if parts and not report.revocable else ""
    _output.emit_text(", ".join(parts) + rate + not_revocable if parts else "no rows")
    if not dry_run and (signed or c.get("already-issued")):
        _output.info(f"credentials in {out_dir}/ ; line-by-line summary in {out_dir}/issued.csv")
    if not signed and c.get("already-issued") and not dry_run:
        _output.info("nothing new to issue (use --reissue to issue again on purpose)")
    for p in report.pathways:
        _output.info(f"{p['eligible']} recipient(s) eligible for the pathway {p['name']!r}, not yet awarded: "
                     f"badgekit issue --badge {p['file']}")


def _counts_text(c: dict[str, int]) -> str:
    """``3 issued, 1 already issued`` (empty when nothing happened)."""
    return ", ".join(f"{c[key]} {label}" for label, key in (
        ("issued", "issued"), ("renewed", "renewed"), ("resumed", "resumed"), ("would issue", "would-issue"),
        ("would renew", "would-renew"), ("already issued", "already-issued"), ("rejected", "rejected")) if c.get(key))


def register(app: typer.Typer) -> None:
    app.command("issue")(issue)

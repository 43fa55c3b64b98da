"""``badgekit send``: e-mail each credential to its earner through an SMTP server, exactly once."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from badgekit.cli import _output
from badgekit.cli._options import (
    SMTP_CA_FILE_ENV,
    SMTP_PASSWORD_ENV,
    SMTP_URL_ENV,
    BundleUrlBaseOpt,
    JsonOpt,
    LinkedInOrgIdOpt,
    RateOpt,
    ReplyToOpt,
    SenderOpt,
    SmtpCaFileOpt,
    SmtpPasswordFileOpt,
    SmtpUrlOpt,
    current_actor,
    open_ledger,
)
from badgekit.cli._project import ProjectOpt, find_badge, load_project
from badgekit.errors import ExitCode, InputError

if TYPE_CHECKING:
    from badgekit.delivery import Mailer, SendOptions, SendReport
    from badgekit.project import Project


def _rate(text: str | None) -> float | None:
    """``--rate 60/min`` (or ``2/s``, ``600/h``, a bare number: per minute) as messages a minute."""
    if text is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:/\s*(s|sec|second|min|minute|h|hour))?\s*", text)
    if not m or float(m.group(1)) <= 0:
        raise InputError(f"--rate {text!r}: expected messages per minute, e.g. 60/min (or 2/s, 600/h)")
    per = {"s": 60.0, "sec": 60.0, "second": 60.0, "h": 1 / 60, "hour": 1 / 60}.get(m.group(2) or "min", 1.0)
    return float(m.group(1)) * per


def _password(password_file: Path | None) -> str | None:
    if password_file is not None:
        # start-up: file reading helpers only when a password file is given
        from badgekit._io import read_bounded

        lines = read_bounded(password_file, limit=4096).decode("utf-8").splitlines()
        if not lines or not lines[0]:
            raise InputError(f"{password_file}: the SMTP password file is empty")
        return lines[0]
    return os.environ.get(SMTP_PASSWORD_ENV) or None


def send(
    credential_ids: Annotated[
        list[str] | None,
        typer.Argument(metavar="[CREDENTIAL_ID]...", help="Send only these credentials (urn:uuid:…, or the bare UUID a file in out/ is named by). Default: every one not sent yet."),
    ] = None,
    badge: Annotated[list[Path] | None, typer.Option("--badge", "-b", help="Only credentials of this badge class (file, or name in the project's badges folder; repeatable).")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE", help="Only credentials issued on or after this date (2026-01-15) or time (UTC).")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", "-r", metavar="ROSTER.csv", help="Only credentials issued to this roster's rows (matched by email, recipient_id or student_id, as issue keys them).")] = None,
    smtp: SmtpUrlOpt = None,
    smtp_password_file: SmtpPasswordFileOpt = None,
    smtp_ca_file: SmtpCaFileOpt = None,
    sender: SenderOpt = None,
    reply_to: ReplyToOpt = None,
    bundle_url_base: BundleUrlBaseOpt = None,
    linkedin_org_id: LinkedInOrgIdOpt = None,
    resend: Annotated[bool, typer.Option("--resend", help="Send again credentials already sent, or refused before (deliberately).")] = False,
    dry_run: Annotated[Path | None, typer.Option("--dry-run", metavar="DIR", help="Send nothing: write each message as DIR/<credential uuid>.eml, exactly as it would be sent.")] = None,
    rate: RateOpt = None,
    expiring: Annotated[str | None, typer.Option("--expiring", metavar="DURATION", help="Send no badge: remind the holders of credentials that expire within this window (P30D) with the reminder template, once per credential and window.")] = None,
    show_addresses: Annotated[bool, typer.Option("--show-addresses", help="Show recipients' addresses in the output (hidden by default).")] = False,
    project_dir: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """E-mail each credential to its earner: the badge PNG (credential baked in) attached.

    Every message is recorded in the ledger (sending, then sent with its Message-ID and the
    server's answer), so a re-run sends nothing twice; a run stopped mid-message resends at most
    that one and says so. Revoked, suspended and expired credentials are never sent. A 4xx
    answer or a lost connection is tried again with growing pauses; a 5xx answer (unknown
    mailbox) is recorded as send-failed and not tried again unless --resend. Addresses come from
    the roster the credentials were issued from (kept in the ledger, never in a credential) and
    are not printed unless --show-addresses.

    With --expiring P30D, the holders of active credentials that expire within 30 days get a
    reminder instead (the reminder template; no attachment), once per credential and window.

    Exit codes: 0 every selected message sent (or skipped), 1 some messages failed, 2 usage
    error or the server could not be used.

    Example: BADGEKIT_SMTP_PASSWORD=… badgekit send --smtp smtps://badges@mail.example.edu:465 --dry-run outbox/
    """
    project = load_project(project_dir)
    badge_ids = tuple(str(b.achievement.get("id") or b.id) for b in (find_badge(project, p) for p in badge or ()))
    options, mailer = prepare(project, smtp=smtp, smtp_password_file=smtp_password_file, smtp_ca_file=smtp_ca_file,
                              sender=sender, reply_to=reply_to,
                              bundle_url_base=bundle_url_base, linkedin_org_id=linkedin_org_id, rate=rate, dry_run=dry_run,
                              badge_ids=badge_ids, credential_ids=tuple(credential_ids or ()), since=since, resend=resend,
                              roster=roster)
    with open_ledger(project) as ledger:
        if expiring is not None:
            options = reminding(ledger, options, expiring)
        report = deliver(ledger, options, mailer, project, progress=not json_out and sys.stderr.isatty())
    if json_out:
        _output.emit_json({**report.to_json(show_addresses=show_addresses),
                           **({"reminder": options.reminder.window} if options.reminder else {})})
    else:
        print_human(report, show_addresses, dry_run, reminders=options.reminder is not None)
    raise typer.Exit(int(exit_code(report)))


def prepare(project: Project, *, smtp: str | None, smtp_password_file: Path | None, sender: str | None, reply_to: str | None,
            bundle_url_base: str | None, linkedin_org_id: str | None, rate: str | None, dry_run: Path | None = None,
            badge_ids: tuple[str, ...] = (), credential_ids: tuple[str, ...] = (), since: str | None = None,
            resend: bool = False, smtp_ca_file: Path | None = None, roster: Path | None = None
            ) -> tuple[SendOptions, Mailer | None]:
    """The sending options and the SMTP connection (not opened yet; None for a dry run) that the
    command-line options give (``send`` and ``issue --send``).

    Raises:
        InputError: no server, a password in --smtp, no or a bad sender address, a bad --rate, a
            CA file that cannot be read.
    """
    # start-up: the delivery workflow (e-mail, rendering, smtplib) loads when the command runs
    from badgekit import delivery

    if bundle_url_base is not None:
        # start-up: the bundle command's module only to check this option
        from badgekit.cli.bundle import check_url_base

        check_url_base(bundle_url_base, "--bundle-url-base")
    url = smtp or os.environ.get(SMTP_URL_ENV, "").strip() or project.smtp_url
    if smtp and delivery.url_password(smtp):
        raise InputError("--smtp: a password in the URL would be visible to every user of this machine",
                         hint=f"give it with {SMTP_PASSWORD_ENV} or --smtp-password-file")
    if url is None and dry_run is None:
        raise InputError("no SMTP server: give --smtp URL, set BADGEKIT_SMTP_URL, or add [smtp] url to badgekit.toml",
                         hint="try badgekit send --dry-run DIR first: it writes the messages it would send")
    issuer_email = project.issuer.get("email") if isinstance(project.issuer, dict) else None
    from_address = sender or project.smtp_from or (str(issuer_email) if issuer_email else None)
    if not from_address:
        raise InputError("no sender address: give --from, or set [smtp] from or the issuer's email in badgekit.toml")
    delivery.check_address(from_address, "--from")
    if reply_to:
        delivery.check_address(reply_to, "--reply-to")
    options = delivery.SendOptions(
        sender=from_address, reply_to=reply_to, bundle_url_base=bundle_url_base, linkedin_org_id=linkedin_org_id,
        badge_ids=badge_ids, credential_ids=credential_ids,
        since=delivery.since_stamp(since) if since else None, roster=roster, date_order=project.date_order,
        resend=resend, dry_run=dry_run,
        rate_per_minute=_rate(rate), actor=current_actor(), templates_dirs=project.templates_dirs)
    if dry_run is not None:
        return options, None
    assert url is not None
    server = delivery.parse_url(url, password=_password(smtp_password_file))
    ca_file, ca_from = smtp_ca_file, "--smtp-ca-file"
    if ca_file is None and os.environ.get(SMTP_CA_FILE_ENV, "").strip():
        ca_file, ca_from = Path(os.environ[SMTP_CA_FILE_ENV]), SMTP_CA_FILE_ENV
    if ca_file is None and project.smtp_ca_file is not None:
        ca_file, ca_from = project.smtp_ca_file, "[smtp] ca_file"
    tls = delivery.server_tls(server, ca_file, ca_from=ca_from)
    return options, delivery.SmtpMailer(server, tls=tls)


def reminding(ledger: Any, options: SendOptions, window: str) -> SendOptions:
    """``options`` for reminding the holders of the credentials that expire within ``window``
    (:func:`badgekit.report.expiring_credentials`, then narrowed by the other selections).

    Raises:
        InputError: ``window`` is not an ISO 8601 duration longer than zero.
    """
    import dataclasses

    # start-up: as in prepare(), and the report's expiry selection only for --expiring
    from badgekit import delivery, report

    soon = report.expiring_credentials(ledger, window.strip().upper(), now=options.now)
    ids = tuple(c.credential_id for c in soon.credentials)
    return dataclasses.replace(options, reminder=delivery.Reminder(soon.within, ids))


def deliver(ledger: Any, options: SendOptions, mailer: Mailer | None, project: Any, *, progress: bool) -> SendReport:
    """Send what ``options`` select (:func:`badgekit.delivery.send_credentials`), with a progress
    bar when ``progress``; the connection is closed afterwards."""
    try:
        return _run(ledger, options, mailer, project, progress=progress)
    finally:
        if mailer is not None:
            mailer.close()


def exit_code(report: SendReport) -> ExitCode:
    """2 when the server could not be used, 1 when some messages failed, else 0."""
    if report.stopped:
        return ExitCode.USAGE
    return ExitCode.OK if report.ok else ExitCode.FAILED


def _run(ledger: Any, options: Any, mailer: Any, project: Any, *, progress: bool) -> SendReport:
    # start-up: as in send()
    from badgekit import delivery

    if not progress:
        return delivery.send_credentials(ledger, options, mailer=mailer, project=project)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=_output.stderr, transient=True) as bar:
        task = bar.add_task("send", total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return delivery.send_credentials(ledger, options, mailer=mailer, project=project, progress=step)


def print_human(report: SendReport, show_addresses: bool, dry_run: Path | None, *, reminders: bool = False) -> None:
    for o in report.outcomes:
        who = f" to {o.address}" if show_addresses and o.address else ""
        if o.status == "failed":
            _output.error(f"{o.credential_id}{who}: {o.reason}" + (f" ({o.answer})" if o.answer else ""))
        elif o.in_doubt:
            _output.warn(f"{o.credential_id}{who}: was in flight when an earlier run stopped; sent again "
                         f"(same Message-ID {o.message_id}), so it may arrive twice")
        elif o.status in ("sent", "would-send") and show_addresses:
            _output.emit_text(f"{o.status} {o.credential_id}{who}")
    if report.unmatched:
        lines = ", ".join(str(n) for n in report.unmatched[:10]) + (" …" if len(report.unmatched) > 10 else "")
        _output.warn(f"{report.roster}: {len(report.unmatched)} row(s) with no credential to send (line {lines})")
    if report.stopped and not report.outcomes:  # nothing happened: the one reason, and what to do
        _output.error(InputError(f"stopped: {report.stopped}", hint=report.hint))
        return
    summary = report.summary()
    skipped = ", ".join(f"{n} {why}" for why, n in summary["skipped"].items())
    failed = ", ".join(f"{n} {why}" for why, n in summary["failed"].items())
    what = " reminder(s)" if reminders else ""
    done = (f"{summary['wouldSend']}{what or ' message(s)'} written to {dry_run}/" if dry_run is not None
            else f"{summary['sent']}{what} sent")
    line = done + (f"; skipped: {skipped}" if skipped else "") + (f"; failed: {failed}" if failed else "")
    _output.info(line, "red" if failed else "green")
    if report.stopped:
        _output.error(InputError(f"stopped: {report.stopped}", hint=report.hint))


def register(app: typer.Typer) -> None:
    app.command("send")(send)

"""``badgekit report`` (program figures from the ledger) and ``badgekit log`` (its event log)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from badgekit._io import atomic_write
from badgekit._time import TimestampError, format_utc, parse_datetime_stamp
from badgekit.badgeclass import find_badge_classes, load_badge_class
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, old_spellings, open_ledger
from badgekit.cli._project import ProjectOpt, find_badge, load_project
from badgekit.errors import BadgekitError, InputError

if TYPE_CHECKING:
    from badgekit.badgeclass import BadgeClass
    from badgekit.ledger import Event
    from badgekit.project import Project
    from badgekit.report import (
        BadgeFigures,
        DeliveryReport,
        ExpiringReport,
        PathwayFigures,
        PathwayNode,
        ProgramReport,
    )

#: Event kinds the ledger records.
EVENT_KINDS = ("issued", "reissued", "renewed", "revoked", "suspended", "unsuspended", "exported", "published", "sending", "sent", "send-failed",
               "reminding", "reminded", "remind-failed")

BadgeOpt = Annotated[Path | None, typer.Option("--badge", "-b", help="Only this badge class (file, or name in badges/).")]


def _badge_classes(project: Project) -> list[BadgeClass]:
    """The project's badge classes that load (`badge validate` names the others)."""
    found = []
    for path in find_badge_classes(project.badges_dir):
        try:
            found.append(load_badge_class(path, templates_dirs=project.templates_dirs))
        except BadgekitError:
            continue
    return found


def _badge_names(badges: list[BadgeClass]) -> dict[str, str]:
    names: dict[str, str] = {}
    for badge in badges:
        names.setdefault(str(badge.achievement.get("id") or badge.id), str(badge.achievement.get("name") or badge.path.stem))
    return names


def _badge_id(project: Project, badge: Path | None) -> str | None:
    if badge is None:
        return None
    badge_class = find_badge(project, badge)
    return str(badge_class.achievement.get("id") or badge_class.id)


def _moment(value: str | None, option: str, *, end_of_day: bool = False) -> str | None:
    """A ledger stamp (``YYYY-MM-DDTHH:MM:SSZ``) from a date or a timestamp with a time zone."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    expected = f"{option} {value!r}: expected a date (2026-01-31) or a timestamp with a time zone (2026-01-31T09:00:00Z)"
    if len(text) == 10:
        try:
            day = datetime.fromisoformat(text).replace(tzinfo=UTC)
        except ValueError:
            raise InputError(expected) from None
        return format_utc(day + timedelta(days=1) if end_of_day else day)
    try:
        return format_utc(parse_datetime_stamp(text, field=option))
    except TimestampError as exc:
        raise InputError(f"{expected}; {exc.reason}") from None


# ---------------------------------------------------------------------------------------------
# report


def report(
    json_out: JsonOpt = False,
    csv_out: Annotated[bool, typer.Option("--csv", help="Print one CSV row per badge class and one for the whole program.")] = False,
    html_file: Annotated[
        Path | None, typer.Option("--html", metavar="FILE", help="Also write a one-file HTML report with charts (no script, no network).")
    ] = None,
    badge: BadgeOpt = None,
    by: Annotated[str, typer.Option("--by", metavar="week|month|auto", help="Issuance over time per week or month (auto: weeks for up to 16 weeks).")] = "auto",
    at: Annotated[str | None, typer.Option("--at", metavar="DATE|TIMESTAMP", help="Report as of this moment (default: now); decides what has expired.")] = None,
    expiring: Annotated[
        str | None, typer.Option("--expiring", metavar="DURATION",
                                 help="List credentials whose validUntil falls within this window from now (or --at), e.g. P30D.")
    ] = None,
    pathways: Annotated[
        bool, typer.Option("--pathways", help="Only the pathway map: each pathway badge class, its components and how many "
                           "recipients hold 0 … all of them (with --csv: one row per pathway and number held).")
    ] = False,
    deliveries: Annotated[
        bool, typer.Option("--deliveries", help="Each issued credential's e-mail delivery: sent, failed or not sent (--csv or --json lists them).")
    ] = False,
    show_addresses: Annotated[bool, typer.Option("--show-addresses", help="With --deliveries: add each credential's delivery address (hidden by default).")] = False,
    project_dir: ProjectOpt = None,
) -> None:
    """Program figures from the ledger: issued, active, expired, revoked; trends; rejections.

    Per badge class and overall: credentials issued, active, expired, suspended and revoked; the
    renewals among them (issue --renew); the revocation rate; issuance per week or month; days from the roster's earned date to issue;
    roster rows rejected and why; for each pathway badge class, its components (all_of / n_of)
    and how many recipients hold 0 … all of them, are eligible and were awarded it (held: an
    active credential of this issuer, as 'issue' counts). Human tables by default, --json, --csv,
    or --html FILE (charts, a diagram per pathway). --pathways: only the pathway map.
    With --expiring P30D: the credentials that expire within 30 days (counts per badge class;
    --json or --csv for the list of credential ids). With --deliveries: each credential's e-mail
    delivery (sent, failed, not sent; addresses only with --show-addresses).

    Example: badgekit report --html report.html
    """
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit import report as core
    if json_out and csv_out:
        raise InputError("--json and --csv cannot be used together")
    if by not in ("week", "month", "auto"):
        raise InputError(f"--by {by!r}: expected week, month or auto")
    project = load_project(project_dir)
    badge_id = _badge_id(project, badge)
    stamp = _moment(at, "--at")
    now = parse_datetime_stamp(stamp, field="--at") if stamp else None
    badges = _badge_classes(project)
    names = _badge_names(badges)
    if expiring is not None and pathways:
        raise InputError("--expiring and --pathways cannot be used together")
    if show_addresses and not deliveries:
        raise InputError("--show-addresses goes with --deliveries (the other reports never list addresses)")
    if deliveries:
        if html_file is not None or expiring is not None or pathways:
            raise InputError("--deliveries cannot be used with --html, --expiring or --pathways")
        with open_ledger(project) as ledger:
            sent = core.delivery_report(ledger, now=now, badge_id=badge_id, names=names, show_addresses=show_addresses)
        _show(json_out, csv_out, sent.to_json, lambda: core.deliveries_csv(sent), lambda: _print_deliveries(sent))
        return
    if expiring is not None:
        if html_file is not None:
            raise InputError("--expiring and --html cannot be used together")
        with open_ledger(project) as ledger:
            soon = core.expiring_credentials(ledger, expiring, now=now, badge_id=badge_id, names=names)
        _show(json_out, csv_out, soon.to_json, lambda: core.expiring_csv(soon), lambda: _print_expiring(soon))
        return
    with open_ledger(project) as ledger:
        figures = core.build_report(ledger, now=now, badge_id=badge_id, names=names, granularity=by,  # type: ignore[arg-type]  # by: week, month or auto (checked above)
                                    pathways=badges, issuer=project.issuer_id)
    if pathways:
        _pathways_only(figures, json_out, csv_out, html_file)
        return
    if html_file is not None:
        issuer = str(project.issuer.get("name") or project.issuer_id)
        atomic_write(html_file, core.report_html(figures, title="Badge program report", subtitle=issuer))
        _output.info(f"wrote {html_file}", "green")
    _show(json_out, csv_out, figures.to_json, lambda: core.report_csv(figures),
          lambda: _print_report(figures) if html_file is None else None)  # --html alone prints no tables


def _show(json_out: bool, csv_out: bool, as_json: Callable[[], Any], as_csv: Callable[[], str],
          human: Callable[[], None]) -> None:
    """Print one report in the form asked for: --json, --csv, else the human tables."""
    if json_out:
        _output.emit_json(as_json())
    elif csv_out:
        sys.stdout.write(as_csv())
        sys.stdout.flush()
    else:
        human()


def _t(value: object) -> Text:
    return Text(str(value))


def _pathways_only(figures: ProgramReport, json_out: bool, csv_out: bool, html_file: Path | None) -> None:
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit.report import pathways_csv

    if html_file is not None:
        raise InputError("--pathways and --html cannot be used together", hint="the HTML report draws every pathway: badgekit report --html FILE")
    _show(json_out, csv_out,
          lambda: {"generatedAt": format_utc(figures.generated_at), "pathways": [p.to_json() for p in figures.pathways]},
          lambda: pathways_csv(figures.pathways), lambda: _print_pathways(figures.pathways))


def _print_pathways(pathways: tuple[PathwayFigures, ...]) -> None:
    if not pathways:
        _output.info("no pathway badge class in this project (badgekit.requires all_of / n_of, template 'pathway')")
        return
    out = _output.stdout
    for p in pathways:
        out.print()
        out.print(Text(f"Pathway {p.name!r}", style="bold") + Text(f": requires {p.describe()}"))
        table = Table(show_header=False, box=None, pad_edge=False)
        table.add_column("requirement", overflow="fold")
        table.add_column("holders", justify="right")

        _add_requirement(table, p.requirement, 1)
        out.print(table)
        n = len(p.components)
        out.print(Text(f"  recipients holding 0 … {n} of its {n} components: " + " / ".join(f"{c:,}" for c in p.holding)
                       + f" (of {p.recipients:,}); eligible {p.eligible:,}, awarded {p.awarded:,}"
                       + (f", not yet awarded {p.not_yet_awarded:,}" if p.not_yet_awarded else "")))
    out.print(Text("held: an active credential of this issuer (not revoked, suspended or expired)", style="dim"))


def _add_requirement(table: Table, node: PathwayNode, indent: int) -> None:
    """One row per component (held by N) and nested group (met by N), indented by depth."""
    for child in node.of:
        if child.badge_id is not None:
            table.add_row(_t("  " * indent + child.name), _t(f"held by {child.holders:,}"))
        else:
            table.add_row(_t("  " * indent + f"({child.need})"), _t(f"met by {child.holders:,}"))
            _add_requirement(table, child, indent + 1)


def _print_expiring(r: ExpiringReport) -> None:
    out = _output.stdout
    out.print(Text(f"Credentials expiring by {r.until.strftime('%Y-%m-%d %H:%M')} UTC ({r.within} from "
                   f"{r.now.strftime('%Y-%m-%d %H:%M')} UTC)", style="bold"))
    if not r.credentials:
        out.print(Text("None."))
        return
    names = {c.badge_id: c.badge_name for c in r.credentials}
    first: dict[str, str] = {}
    for c in r.credentials:
        first.setdefault(c.badge_id, c.valid_until)
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("badge class", overflow="fold", min_width=14)
    table.add_column("expiring", justify="right")
    table.add_column("first expires", no_wrap=True)
    for badge_id, n in r.counts.items():
        table.add_row(_t(names[badge_id]), _t(f"{n:,}"), _t(first[badge_id]))
    out.print()
    out.print(table)
    out.print(Text(f"{len(r.credentials):,} credential(s); --json or --csv lists their ids", style="dim"))


def _print_deliveries(r: DeliveryReport) -> None:
    out = _output.stdout
    out.print(Text(f"E-mail delivery, as of {r.now.strftime('%Y-%m-%d %H:%M')} UTC", style="bold"))
    if not r.credentials:
        out.print(Text("The ledger holds no issued credentials yet."))
        return
    names = {c.badge_id: c.badge_name for c in r.credentials}
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    for i, heading in enumerate(("badge class", "sent", "failed", "not sent")):
        table.add_column(heading, justify="left" if i == 0 else "right", min_width=14 if i == 0 else None)
    for badge_id, n in r.counts.items():
        table.add_row(_t(names[badge_id]), _t(f"{n['sent']:,}"), _t(f"{n['failed']:,}"), _t(f"{n['not-sent']:,}"))
    out.print()
    out.print(table)
    out.print(Text(f"{len(r.credentials):,} credential(s); --csv or --json lists each one", style="dim"))


def _print_report(r: ProgramReport) -> None:
    # start-up: the workflow loads when the command runs, not for badgekit --help
    from badgekit.report import percent

    out = _output.stdout
    c = r.overall.counts
    out.print(Text(f"Badge program report, as of {r.generated_at.strftime('%Y-%m-%d %H:%M')} UTC", style="bold"))
    if not c.issued and not c.pending and not r.overall.rejected_rows:
        out.print(Text("The ledger holds no credentials yet."))
        return
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False, title=None)
    for i, heading in enumerate(("badge class", "issued", "active", "expired", "susp.", "revoked", "rev. %",
                                 "people", "to issue", "rejected")):
        table.add_column(heading, justify="left" if i == 0 else "right", overflow="fold", min_width=14 if i == 0 else None,
                         no_wrap=i > 0)

    def add(b: BadgeFigures, style: str = "") -> None:
        k = b.counts
        med = "–" if b.lead_time.median_days is None else f"{b.lead_time.median_days:g} d"
        table.add_row(_t(b.name), _t(f"{k.issued:,}"), _t(f"{k.active:,}"), _t(f"{k.expired:,}"), _t(f"{k.suspended:,}"),
                      _t(f"{k.revoked:,}"), _t(percent(k.revocation_rate)), _t(f"{b.recipients:,}"), _t(med),
                      _t(f"{b.rejected_rows:,}"), style=style)

    for b in r.badges:
        add(b)
    if r.overall.badge_id == "*" and len(r.badges) > 1:
        add(r.overall, "bold")
    out.print()
    out.print(table)
    out.print(Text("people: distinct recipients; to issue: median days from the roster's earned date to issue; "
                   "rejected: roster rows not issued", style="dim"))
    if r.overall.renewed:
        out.print(Text("Renewals", style="bold") + Text(": " + ", ".join(f"{b.name} {b.renewed:,}" for b in r.badges if b.renewed)
                                                        + " (issued credentials that renew an expiring or expired one)"))
    if r.pathways:
        _print_pathways(r.pathways)
    if c.pending:
        _output.warn(f"{c.pending} credential(s) reserved by an interrupted run: re-run 'badgekit issue' to finish them")

    d = r.overall.delivery
    if d.sent or d.failed:  # the project sends by e-mail (badgekit send)
        sent = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for i, heading in enumerate(("badge class", "sent", "failed", "not sent")):
            sent.add_column(heading, justify="left" if i == 0 else "right", min_width=14 if i == 0 else None)
        for b in (*r.badges, *((r.overall,) if r.overall.badge_id == "*" and len(r.badges) > 1 else ())):
            sent.add_row(_t(b.name), _t(f"{b.delivery.sent:,}"), _t(f"{b.delivery.failed:,}"), _t(f"{b.delivery.unsent:,}"),
                         style="bold" if b is r.overall else "")
        out.print()
        out.print(Text("E-mail delivery", style="bold"))
        out.print(sent)

    if r.timeline:
        most = max(max(p.issued, p.revoked) for p in r.timeline) or 1
        tl = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        tl.add_column(r.granularity)
        tl.add_column("issued", justify="right")
        tl.add_column("revoked", justify="right")
        tl.add_column("")
        for p in r.timeline:
            bar = Text("█" * round(24 * p.issued / most), style="blue") + Text("█" * round(24 * p.revoked / most), style="red")
            tl.add_row(_t(p.label), _t(p.issued), _t(p.revoked), bar)
        out.print()
        out.print(Text("Issuance over time", style="bold"))
        out.print(tl)

    lead = r.overall.lead_time
    out.print()
    if lead.count:
        out.print(Text("Earned → issued", style="bold") + Text(
            f": {lead.count:,} credentials; min {lead.min_days} d, median {lead.median_days:g} d, mean {lead.mean_days:g} d, "
            f"max {lead.max_days} d (" + ", ".join(f"{label}: {n}" for label, n in lead.buckets if n) + ")"))
    else:
        out.print(Text("Earned → issued", style="bold") + Text(": no roster had an earned date"))

    if r.rejections:
        rej = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        rej.add_column("rows", justify="right")
        if len(r.badges) > 1:
            rej.add_column("badge class")
        rej.add_column("column")
        rej.add_column("reason", overflow="fold")
        for x in r.rejections[:20]:
            cells = [_t(x.rows)] + ([_t(r.names.get(x.badge_id, x.badge_id))] if len(r.badges) > 1 else [])
            rej.add_row(*cells, _t(x.column or "–"), _t(x.reason))
        out.print()
        out.print(Text(f"Rejected rows: {r.overall.rejected_rows:,}", style="bold"))
        out.print(rej)
        if len(r.rejections) > 20:
            out.print(Text(f"… and {len(r.rejections) - 20} more reasons (see --json)", style="dim"))


# ---------------------------------------------------------------------------------------------
# log


@old_spellings(kind=("-k",))
def log(
    json_out: JsonOpt = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON event per line (for analytics tools).")] = False,
    credential: Annotated[
        str | None, typer.Option("--credential", "-c", metavar="ID|FILE", help="Only this credential (id, or a credential file).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", metavar="KIND", help=f"Only these kinds (repeatable): {', '.join(EVENT_KINDS)}."),
    ] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="DATE|TIMESTAMP", help="From this moment on (a date means its start).")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="DATE|TIMESTAMP", help="Before this moment (a date includes that day).")] = None,
    badge: BadgeOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="Only the most recent N events.")] = None,
    project_dir: ProjectOpt = None,
) -> None:
    """The ledger's event log: issued, reissued, revoked, suspended, unsuspended, exported, published.

    Every lifecycle event with its time (UTC) and actor, oldest first; --json or --jsonl for
    analytics tools.

    Example: badgekit log --kind revoked --since 2026-01-01 --jsonl > revocations.jsonl
    """
    if json_out and jsonl:
        raise InputError("--json and --jsonl cannot be used together")
    kinds = tuple(dict.fromkeys(k.strip().lower() for item in (kind or []) for k in item.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise InputError(f"--kind {', '.join(unknown)}: unknown event kind; known: {', '.join(EVENT_KINDS)}")
    project = load_project(project_dir)
    badge_id = _badge_id(project, badge)
    credential_id = credential
    if credential is not None and Path(credential).is_file():
        # start-up: the workflow loads when the command runs, not for badgekit --help
        from badgekit.lifecycle import credential_id_from_file

        credential_id = credential_id_from_file(credential)
    start, end = _moment(since, "--since"), _moment(until, "--until", end_of_day=True)
    with open_ledger(project) as ledger:
        events = list(ledger.events(credential_id=credential_id, kinds=kinds, since=start, until=end, badge_id=badge_id))
        if limit is not None:
            events = events[-limit:]
        badges = {i.credential_id: i.badge_id for i in ledger.issuances()} if events and (json_out or jsonl) else {}
    if json_out or jsonl:
        items = [_event_json(e, badges) for e in events]
        if json_out:
            _output.emit_json(items)
        else:
            for item in items:
                sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    if not events:
        _output.info("no events" + (" match" if kinds or start or end or credential_id or badge_id else " yet"))
        return
    width = max(len(e.kind) for e in events)
    for e in events:
        line = f"{e.at}  {e.kind:<{width}}  {e.credential_id or '-'}  {e.actor}"
        extra = e.reason or _detail_text(e.detail)
        _output.emit_text(line + (f"  {extra}" if extra else ""))
    _output.info(f"{len(events)} event(s)", "dim")


def _detail_text(detail: dict[str, Any] | None) -> str:
    if not detail:
        return ""
    for key in ("path", "url"):
        if detail.get(key):
            return str(detail[key])
    return ", ".join(f"{k}={v}" for k, v in detail.items())


def _event_json(e: Event, badges: dict[str, str]) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": e.at,
        "kind": e.kind,
        "credentialId": e.credential_id,
        "badge": badges.get(e.credential_id) if e.credential_id else None,
        "actor": e.actor,
        "reason": e.reason,
        "detail": e.detail,
    }


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("log")(log)

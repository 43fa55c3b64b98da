"""Reading the ledger into a program report (the definitions are in the package's docstring)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from badgekit._time import stamp_or_none, utc_now
from badgekit.badgeclass import BadgeClass
from badgekit.ledger import Ledger
from badgekit.report._deliveries import delivery_states
from badgekit.report._figures import (
    AUTO_WEEKS_UP_TO_DAYS,
    BadgeFigures,
    DeliveryCounts,
    Granularity,
    LeadTime,
    Period,
    ProgramReport,
    RejectionReason,
    StateCounts,
)
from badgekit.report._pathways import pathway_map


def period_of(day: date, granularity: Granularity) -> tuple[str, date]:
    """The label and first day of the week (ISO, Monday) or month holding ``day``."""
    if granularity == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}", day - timedelta(days=day.weekday())
    return f"{day.year}-{day.month:02d}", day.replace(day=1)


def _next_period(start: date, granularity: Granularity) -> date:
    if granularity == "week":
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_LINE_REF = re.compile(r"\bline \d+\b")
_LEADING_VALUE = re.compile(r"^(\S+) -?\d[\d.,]*\b")


def normalise_reason(reason: str) -> str:
    """A rejection reason without the row's own values, so equal problems group together."""
    text = _QUOTED.sub("'\u2026'", reason)
    text = _LINE_REF.sub("line N", text)
    return _LEADING_VALUE.sub(lambda m: m.group(1) + " \u2026", text)


class _Acc:
    """Running figures for one badge class (or all)."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(("issued", "active", "expired", "revoked", "suspended", "pending"), 0)
        self.recipients: set[str] = set()
        self.lead: list[int] = []
        self.first: str | None = None
        self.last: str | None = None
        self.rejected: set[tuple[str, int]] = set()
        self.delivery = dict.fromkeys(("sent", "failed", "unsent"), 0)
        self.renewed = 0

    def figures(self, badge_id: str, name: str) -> BadgeFigures:
        return BadgeFigures(badge_id, name, StateCounts(**self.counts), len(self.recipients), LeadTime.of(self.lead),
                            len(self.rejected), self.first, self.last, DeliveryCounts(**self.delivery), self.renewed)


def build_report(
    ledger: Ledger,
    *,
    now: datetime | None = None,
    badge_id: str | None = None,
    names: Mapping[str, str] | None = None,
    granularity: Granularity | Literal["auto"] = "auto",
    pathways: Sequence[BadgeClass] = (),
    issuer: str | None = None,
) -> ProgramReport:
    """The program's figures from ``ledger`` as of ``now`` (default: the current time).

    ``badge_id`` limits the report to one badge class; ``names`` maps badge ids to display names
    (the ledger stores ids only). ``pathways``: the project's badge classes, whose pathways are
    mapped (:func:`badgekit.report.pathway_map`, counting ``issuer``'s credentials); with
    ``badge_id``, only the pathways that are it or require it.
    """
    now = (now or utc_now()).astimezone(UTC)
    names = dict(names or {})
    overall = _Acc()
    per_badge: dict[str, _Acc] = {}
    issued_days: list[date] = []
    delivered = {cid: state for cid, (state, _event) in delivery_states(ledger, badge_id).items()}
    renewals = {e.credential_id for e in ledger.events(kinds=("renewed",), badge_id=badge_id)}
    for i in ledger.issuances(badge_id=badge_id):
        acc = per_badge.setdefault(i.badge_id, _Acc())
        for a in (overall, acc):
            if i.state == "reserved":
                a.counts["pending"] += 1
                continue
            a.counts["issued"] += 1
            a.recipients.add(i.recipient_key)
            a.first = i.issued_at if a.first is None or i.issued_at < a.first else a.first
            a.last = i.issued_at if a.last is None or i.issued_at > a.last else a.last
        if i.state == "reserved":
            continue
        state = i.state_at(now)
        issued = stamp_or_none(i.issued_at)
        earned = stamp_or_none(i.earned_at)
        delivery = delivered.get(i.credential_id, "unsent")
        renewal = i.credential_id in renewals
        for a in (overall, acc):
            a.counts[state] += 1
            a.delivery[delivery] += 1
            a.renewed += renewal
            if issued is not None and earned is not None:
                a.lead.append((issued.date() - earned.date()).days)
        if issued is not None:
            issued_days.append(issued.date())

    revoked_days = [
        at.date() for e in ledger.events(kinds=("revoked",), badge_id=badge_id) if (at := stamp_or_none(e.at)) is not None
    ]
    if granularity == "auto":
        days = issued_days + revoked_days
        span = (max(days) - min(days)).days if days else 0
        granularity = "week" if span <= AUTO_WEEKS_UP_TO_DAYS else "month"
    timeline = _timeline(issued_days, revoked_days, granularity)

    reasons: dict[tuple[str, str | None, str], set[tuple[str, int]]] = {}
    for _run_at, bid, roster, line, column, reason in ledger.rejections():
        if badge_id and bid != badge_id:
            continue
        row = (roster, line)
        per_badge.setdefault(bid, _Acc()).rejected.add(row)
        overall.rejected.add((f"{bid}\x1f{roster}", line))
        reasons.setdefault((bid, column, normalise_reason(reason)), set()).add(row)
    rejections = tuple(
        sorted(
            (RejectionReason(bid, column, reason, len(rows)) for (bid, column, reason), rows in reasons.items()),
            key=lambda r: (-r.rows, names.get(r.badge_id, r.badge_id), r.column or "", r.reason),
        )
    )
    badges = tuple(
        sorted(
            (acc.figures(bid, names.get(bid, bid)) for bid, acc in per_badge.items()),
            key=lambda b: (-b.counts.issued, b.name),
        )
    )
    label = names.get(badge_id, badge_id) if badge_id else "All badges"
    mapped = pathway_map(ledger, [b for b in pathways if not badge_id or badge_id == b.id or badge_id in b.policy.requires],
                         now=now, issuer=issuer, names=names)
    return ProgramReport(now, granularity, overall.figures(badge_id or "*", label), badges, timeline, rejections, names,
                         mapped)


def _timeline(issued: Iterable[date], revoked: Iterable[date], granularity: Granularity) -> tuple[Period, ...]:
    counts: dict[date, list[int]] = {}
    labels: dict[date, str] = {}
    for which, days in ((0, issued), (1, revoked)):
        for day in days:
            label, start = period_of(day, granularity)
            labels[start] = label
            counts.setdefault(start, [0, 0])[which] += 1
    if not counts:
        return ()
    out = []
    start, last = min(counts), max(counts)
    while start <= last:
        issued_n, revoked_n = counts.get(start, [0, 0])
        out.append(Period(labels.get(start) or period_of(start, granularity)[0], start, issued_n, revoked_n))
        start = _next_period(start, granularity)
    return tuple(out)

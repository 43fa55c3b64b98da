"""Program report: what a badge program has issued, from the ledger alone.

:func:`build_report` reads the ledger once and returns frozen figures; :func:`report_csv` and
:func:`report_html` format them. Definitions (the numbers a test checks):

* **issued**: credentials signed and recorded (an interrupted run's reservations are **pending**,
  not issued). Every issued credential is in exactly one of these states at ``now``:
  **revoked** (ledger state), else **expired** (``validUntil`` at or before ``now``), else
  **suspended** (ledger state), else **active**. A re-issued credential is a new credential.
* **revocation rate**: revoked / issued.
* **issuance over time**: credentials issued per ISO week (``2026-W03``) or calendar month
  (``2026-01``), by the ledger's issue time; revocations per period by the revocation event's time.
  Empty periods between the first and the last are listed with zeros.
* **earned → issued**: whole days from the roster's ``earned`` date to the issue date, for
  credentials whose row had one.
* **rejected rows**: distinct (badge, roster, line) the ledger recorded as rejected; re-running the
  same roster does not count a row twice. Reasons are grouped with the row's values taken out
  (``email 'x@' is not …`` → ``email '…' is not …``), so no roster value reaches a report.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Any, Literal

from badgekit._time import TimestampError, format_utc, parse_datetime_stamp, utc_now
from badgekit.ledger import Ledger

Granularity = Literal["week", "month"]

#: Lead-time buckets: (label, upper bound in days, inclusive).
LEAD_BUCKETS: tuple[tuple[str, float], ...] = (
    ("same day", 0),
    ("1\u20137 days", 7),
    ("8\u201330 days", 30),
    ("31\u201390 days", 90),
    ("over 90 days", math.inf),
)
#: With ``granularity="auto"``: weeks when the issuing spans at most this many days, else months.
AUTO_WEEKS_UP_TO_DAYS = 16 * 7


@dataclass(frozen=True)
class StateCounts:
    issued: int = 0
    active: int = 0
    expired: int = 0
    revoked: int = 0
    suspended: int = 0
    pending: int = 0

    @property
    def revocation_rate(self) -> float | None:
        return self.revoked / self.issued if self.issued else None

    def to_json(self) -> dict[str, Any]:
        return {
            "issued": self.issued, "active": self.active, "expired": self.expired, "revoked": self.revoked,
            "suspended": self.suspended, "pending": self.pending,
            "revocationRate": None if self.revocation_rate is None else round(self.revocation_rate, 6),
        }


@dataclass(frozen=True)
class LeadTime:
    """Days from the roster's ``earned`` date to issue."""

    count: int = 0
    min_days: int | None = None
    median_days: float | None = None
    mean_days: float | None = None
    max_days: int | None = None
    buckets: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, days: Sequence[int]) -> LeadTime:
        counts = [0] * len(LEAD_BUCKETS)
        for d in days:
            for i, (_label, upper) in enumerate(LEAD_BUCKETS):
                if d <= upper:
                    counts[i] += 1
                    break
        buckets = tuple((label, n) for (label, _), n in zip(LEAD_BUCKETS, counts, strict=True))
        if not days:
            return cls(buckets=buckets)
        return cls(len(days), min(days), float(median(days)), round(sum(days) / len(days), 2), max(days), buckets)

    def to_json(self) -> dict[str, Any]:
        return {
            "count": self.count, "minDays": self.min_days, "medianDays": self.median_days, "meanDays": self.mean_days,
            "maxDays": self.max_days, "buckets": [{"label": label, "count": n} for label, n in self.buckets],
        }


@dataclass(frozen=True)
class BadgeFigures:
    """One badge class's figures (or the whole program's, with ``badge_id`` ``"*"``)."""

    badge_id: str
    name: str
    counts: StateCounts
    recipients: int
    lead_time: LeadTime
    rejected_rows: int
    first_issued: str | None = None
    last_issued: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "badge": self.badge_id, "name": self.name, **self.counts.to_json(), "recipients": self.recipients,
            "earnedToIssued": self.lead_time.to_json(), "rejectedRows": self.rejected_rows,
            "firstIssued": self.first_issued, "lastIssued": self.last_issued,
        }


@dataclass(frozen=True)
class Period:
    label: str  # "2026-W03" or "2026-01"
    start: date
    issued: int
    revoked: int

    def to_json(self) -> dict[str, Any]:
        return {"period": self.label, "start": self.start.isoformat(), "issued": self.issued, "revoked": self.revoked}


@dataclass(frozen=True)
class RejectionReason:
    badge_id: str
    column: str | None
    reason: str  # with the row's values taken out
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {"badge": self.badge_id, "column": self.column, "reason": self.reason, "rows": self.rows}


@dataclass(frozen=True)
class ProgramReport:
    generated_at: datetime
    granularity: Granularity
    overall: BadgeFigures
    badges: tuple[BadgeFigures, ...]
    timeline: tuple[Period, ...]
    rejections: tuple[RejectionReason, ...]
    names: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "generatedAt": format_utc(self.generated_at),
            "granularity": self.granularity,
            "overall": self.overall.to_json(),
            "badges": [b.to_json() for b in self.badges],
            "timeline": [p.to_json() for p in self.timeline],
            "rejections": [r.to_json() for r in self.rejections],
        }


# ---------------------------------------------------------------------------------------------
# building


def _parse(text: str | None) -> datetime | None:
    """A ledger stamp (badgekit writes them with ``Z``), or None."""
    if not text:
        return None
    try:
        return parse_datetime_stamp(text, field="ledger time")
    except TimestampError:
        return None


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

    def figures(self, badge_id: str, name: str) -> BadgeFigures:
        return BadgeFigures(badge_id, name, StateCounts(**self.counts), len(self.recipients), LeadTime.of(self.lead),
                            len(self.rejected), self.first, self.last)


def build_report(
    ledger: Ledger,
    *,
    now: datetime | None = None,
    badge_id: str | None = None,
    names: Mapping[str, str] | None = None,
    granularity: Granularity | Literal["auto"] = "auto",
) -> ProgramReport:
    """The program's figures from ``ledger`` as of ``now`` (default: the current time).

    ``badge_id`` limits the report to one badge class; ``names`` maps badge ids to display names
    (the ledger stores ids only).
    """
    now = (now or utc_now()).astimezone(UTC)
    names = dict(names or {})
    overall = _Acc()
    per_badge: dict[str, _Acc] = {}
    issued_days: list[date] = []
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
        issued = _parse(i.issued_at)
        earned = _parse(i.earned_at)
        for a in (overall, acc):
            a.counts[state] += 1
            if issued is not None and earned is not None:
                a.lead.append((issued.date() - earned.date()).days)
        if issued is not None:
            issued_days.append(issued.date())

    revoked_days = [
        at.date() for e in ledger.events(kinds=("revoked",), badge_id=badge_id) if (at := _parse(e.at)) is not None
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
    return ProgramReport(now, granularity, overall.figures(badge_id or "*", label), badges, timeline, rejections, names)


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


# ---------------------------------------------------------------------------------------------
# CSV


CSV_COLUMNS = ("badge_id", "badge_name", "issued", "active", "expired", "revoked", "suspended", "pending",
               "revocation_rate", "recipients", "earned_to_issued_median_days", "earned_to_issued_mean_days",
               "rejected_rows", "first_issued", "last_issued")


def report_csv(report: ProgramReport) -> str:
    """One row per badge class, then the whole program (``badge_id`` ``*``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    rows = [*report.badges, report.overall] if report.overall.badge_id == "*" else list(report.badges)
    for b in rows:
        c = b.counts
        rate = c.revocation_rate
        w.writerow([
            b.badge_id, _csv_text(b.name), c.issued, c.active, c.expired, c.revoked, c.suspended, c.pending,
            "" if rate is None else f"{rate:.4f}", b.recipients,
            "" if b.lead_time.median_days is None else _num(b.lead_time.median_days),
            "" if b.lead_time.mean_days is None else _num(b.lead_time.mean_days),
            b.rejected_rows, b.first_issued or "", b.last_issued or "",
        ])
    return buf.getvalue()


def _csv_text(text: str) -> str:
    # A cell starting with = + - @ is a formula in spreadsheets: keep names inert.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _when(moment: datetime) -> str:
    from badgekit.delivery import long_date

    utc = moment.astimezone(UTC)
    return f"{long_date(utc)}, {utc:%H:%M} UTC"


def percent(rate: float | None) -> str:
    return "\u2013" if rate is None else f"{rate * 100:.1f} %"


# ---------------------------------------------------------------------------------------------
# HTML


_STATE_COLOURS = (("active", "#24a148"), ("suspended", "#f1c21b"), ("expired", "#8d8d8d"), ("revoked", "#da1e28"))
_ISSUED_COLOUR = "#0f62fe"
_REVOKED_COLOUR = "#da1e28"


def _axis_top(value: float, ticks: int = 4) -> float:
    """The smallest round axis maximum at or above ``value`` whose ``ticks`` steps are whole numbers."""
    raw = max(value, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = step * magnitude
        if candidate >= raw and candidate == int(candidate):
            return candidate * ticks
    return 10 * magnitude * ticks  # pragma: no cover


def _short(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[:limit - 1] + "\u2026"


def _timeline_chart(periods: Sequence[Period], *, width: int = 860, height: int = 280) -> dict[str, Any] | None:
    """Geometry of the issued-per-period bars and the revocations line (drawn by ``report_charts.html``)."""
    if not periods:
        return None
    left, right, top, bottom = 48, 16, 16, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _axis_top(max(max(p.issued, p.revoked) for p in periods))
    slot = plot_w / len(periods)
    bar = max(2.0, min(48.0, slot * 0.7))
    every = max(1, math.ceil(len(periods) / 14))
    grid = [(top + plot_h - plot_h * i / 4, _num(top_value * i / 4)) for i in range(5)]
    bars = [
        {
            "period": p,
            "cx": left + slot * (i + 0.5),
            "y": top + plot_h - plot_h * p.issued / top_value,
            "h": plot_h * p.issued / top_value,
            "revoked_y": top + plot_h - plot_h * p.revoked / top_value,
            "labelled": i % every == 0,
        }
        for i, p in enumerate(periods)
    ]
    return {"width": width, "height": height, "left": left, "right": right, "bottom": bottom, "bar": bar, "grid": grid,
            "bars": bars, "revoked": any(p.revoked for p in periods), "legend_y": height - 12,
            "issued_colour": _ISSUED_COLOUR, "revoked_colour": _REVOKED_COLOUR}


def _states_chart(badges: Sequence[BadgeFigures], *, width: int = 860) -> dict[str, Any] | None:
    """Geometry of one horizontal bar per badge class, split into active / suspended / expired / revoked."""
    rows = [b for b in badges if b.counts.issued]
    if not rows:
        return None
    label_w, right, row_h, top = 230, 70, 34, 8
    height = top + row_h * len(rows) + 34
    plot_w = width - label_w - right
    most = max(b.counts.issued for b in rows)
    drawn = []
    for r, b in enumerate(rows):
        x = float(label_w)
        segments = []
        for state, colour in _STATE_COLOURS:
            n = getattr(b.counts, state)
            if n:
                segments.append({"x": x, "w": plot_w * n / most, "n": n, "state": state, "colour": colour})
                x += plot_w * n / most
        drawn.append({"badge": b, "short": _short(b.name, 32), "y": top + r * row_h, "segments": segments, "end": x})
    return {"width": width, "height": height, "label_w": label_w, "row_h": row_h, "rows": drawn,
            "legend": [(float(label_w) + 100 * i, state, colour) for i, (state, colour) in enumerate(_STATE_COLOURS)]}


def _hbars_chart(items: Sequence[tuple[str, int]], *, colour: str, width: int = 860, label_w: int = 330,
                 unit: str = "") -> dict[str, Any] | None:
    """Geometry of simple labelled horizontal bars (lead-time buckets, rejection reasons)."""
    if not items:
        return None
    right, row_h, top = 70, 30, 6
    plot_w = width - label_w - right
    most = max(n for _, n in items) or 1
    rows = [{"label": label, "short": _short(label, 48), "n": n, "y": top + r * row_h, "w": plot_w * n / most}
            for r, (label, n) in enumerate(items)]
    return {"width": width, "height": top + row_h * len(items) + 6, "label_w": label_w, "row_h": row_h, "rows": rows,
            "colour": colour, "unit": unit}


def report_html(report: ProgramReport, *, title: str = "Badge program report", subtitle: str = "") -> str:
    """A one-file report: figures, inline SVG charts (no script, no external assets) and tables."""
    from badgekit import _html

    o = report.overall
    c = o.counts
    lead = o.lead_time
    kpis = [
        ("Issued", f"{c.issued:,}", _ISSUED_COLOUR),
        ("Active", f"{c.active:,}", "#24a148"),
        ("Expired", f"{c.expired:,}", "#8d8d8d"),
        ("Suspended", f"{c.suspended:,}", "#f1c21b"),
        ("Revoked", f"{c.revoked:,}", "#da1e28"),
        ("Revocation rate", percent(c.revocation_rate), "#da1e28"),
        ("Recipients", f"{o.recipients:,}", "#8a3ffc"),
        ("Earned \u2192 issued (median)", "\u2013" if lead.median_days is None else f"{_num(lead.median_days)} d", "#007d79"),
        ("Rejected rows", f"{o.rejected_rows:,}", "#ff832b"),
    ]
    return _html.render(
        "report.html",
        title=title,
        subtitle=subtitle,
        generated=_when(report.generated_at),
        kpis=kpis,
        unit="week" if report.granularity == "week" else "month",
        timeline=_timeline_chart(report.timeline),
        states=_states_chart(report.badges),
        table=_badge_table(report),
        overall=o,
        lead=lead,
        lead_chart=_hbars_chart(lead.buckets, colour="#007d79", label_w=160) if lead.count else None,
        rejections=_hbars_chart([(_reason_label(r, report), r.rows) for r in report.rejections[:20]], colour="#ff832b",
                                label_w=420),
        num=_num,
    )


def _reason_label(r: RejectionReason, report: ProgramReport) -> str:
    prefix = f"{report.names.get(r.badge_id, r.badge_id)}: " if len(report.badges) > 1 else ""
    return prefix + (f"{r.column}: " if r.column and not r.reason.startswith(r.column) else "") + r.reason


_TABLE_HEAD = ("Badge class", "Issued", "Active", "Expired", "Suspended", "Revoked", "Revocation rate", "Recipients",
               "Earned \u2192 issued (median)", "Rejected rows")


def _badge_table(report: ProgramReport) -> dict[str, Any]:
    """The badge-class table: the head, and (row class, cells) per badge class (then the total)."""

    def row(b: BadgeFigures, cls: str = "") -> tuple[str, tuple[str, ...]]:
        c = b.counts
        med = "\u2013" if b.lead_time.median_days is None else f"{_num(b.lead_time.median_days)} d"
        return cls, (b.name, f"{c.issued:,}", f"{c.active:,}", f"{c.expired:,}", f"{c.suspended:,}", f"{c.revoked:,}",
                     percent(c.revocation_rate), f"{b.recipients:,}", med, f"{b.rejected_rows:,}")

    rows = [row(b) for b in report.badges]
    if report.overall.badge_id == "*" and len(report.badges) > 1:
        rows.append(row(report.overall, "total"))
    return {"head": _TABLE_HEAD, "rows": rows}


__all__ = [
    "BadgeFigures",
    "LeadTime",
    "Period",
    "ProgramReport",
    "RejectionReason",
    "StateCounts",
    "build_report",
    "normalise_reason",
    "period_of",
    "report_csv",
    "report_html",
]

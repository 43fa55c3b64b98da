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
import html
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
_DOT = " \u00b7 "
_REVOKED_COLOUR = "#da1e28"


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _axis_top(value: float, ticks: int = 4) -> float:
    """The smallest round axis maximum at or above ``value`` whose ``ticks`` steps are whole numbers."""
    raw = max(value, 1) / ticks
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        candidate = step * magnitude
        if candidate >= raw and candidate == int(candidate):
            return candidate * ticks
    return 10 * magnitude * ticks  # pragma: no cover


def timeline_svg(periods: Sequence[Period], *, width: int = 860, height: int = 280) -> str:
    """Bars of credentials issued per period, with revocations as a red line."""
    if not periods:
        return '<p class="empty">Nothing issued yet.</p>'
    left, right, top, bottom = 48, 16, 16, 54
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _axis_top(max(max(p.issued, p.revoked) for p in periods))
    slot = plot_w / len(periods)
    bar = max(2.0, min(48.0, slot * 0.7))
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Credentials issued per period">']
    for i in range(5):
        value = top_value * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end" class="tick">{_num(value)}</text>')
    every = max(1, math.ceil(len(periods) / 14))
    points = []
    for i, p in enumerate(periods):
        cx = left + slot * (i + 0.5)
        h = plot_h * p.issued / top_value
        parts.append(
            f'<rect x="{cx - bar / 2:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" height="{h:.1f}" rx="2" '
            f'fill="{_ISSUED_COLOUR}"><title>{_e(p.label)}: {p.issued} issued, {p.revoked} revoked</title></rect>'
        )
        if p.issued and bar >= 18:
            parts.append(f'<text x="{cx:.1f}" y="{top + plot_h - h - 5:.1f}" text-anchor="middle" class="value">{p.issued}</text>')
        if i % every == 0:
            parts.append(f'<text x="{cx:.1f}" y="{height - bottom + 18}" text-anchor="middle" class="tick">{_e(p.label)}</text>')
        points.append(f"{cx:.1f},{top + plot_h - plot_h * p.revoked / top_value:.1f}")
    if any(p.revoked for p in periods):
        parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{_REVOKED_COLOUR}" stroke-width="2.5"/>')
        for point, p in zip(points, periods, strict=True):
            if not p.revoked:
                continue
            px, py = point.split(",")
            parts.append(f'<circle cx="{px}" cy="{py}" r="3.5" fill="{_REVOKED_COLOUR}"><title>{_e(p.label)}: {p.revoked} revoked</title></circle>')
    legend_y = height - 12
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" rx="2" fill="{_ISSUED_COLOUR}"/>'
                 f'<text x="{left + 18}" y="{legend_y}" class="tick" text-anchor="start">issued</text>')
    parts.append(f'<line x1="{left + 80}" x2="{left + 100}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{_REVOKED_COLOUR}" stroke-width="2.5"/>'
                 f'<text x="{left + 106}" y="{legend_y}" class="tick" text-anchor="start">revoked</text>')
    parts.append("</svg>")
    return "".join(parts)


def states_svg(badges: Sequence[BadgeFigures], *, width: int = 860) -> str:
    """One horizontal bar per badge class, split into active / suspended / expired / revoked."""
    rows = [b for b in badges if b.counts.issued]
    if not rows:
        return '<p class="empty">Nothing issued yet.</p>'
    label_w, right, row_h, top = 230, 70, 34, 8
    height = top + row_h * len(rows) + 34
    plot_w = width - label_w - right
    most = max(b.counts.issued for b in rows)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="Credentials by state per badge class">']
    for r, b in enumerate(rows):
        y = top + r * row_h
        name = b.name if len(b.name) <= 32 else b.name[:31] + "\u2026"
        parts.append(f'<text x="{label_w - 10}" y="{y + 19}" text-anchor="end" class="label"><title>{_e(b.name)}</title>{_e(name)}</text>')
        x = float(label_w)
        for state, colour in _STATE_COLOURS:
            n = getattr(b.counts, state)
            if not n:
                continue
            w = plot_w * n / most
            parts.append(f'<rect x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="{colour}">'
                         f'<title>{_e(b.name)}: {n} {state}</title></rect>')
            x += w
        parts.append(f'<text x="{x + 8:.1f}" y="{y + 19}" class="value" text-anchor="start">{b.counts.issued}</text>')
    lx = float(label_w)
    ly = height - 12
    for state, colour in _STATE_COLOURS:
        parts.append(f'<rect x="{lx:.0f}" y="{ly - 10}" width="12" height="12" rx="2" fill="{colour}"/>'
                     f'<text x="{lx + 18:.0f}" y="{ly}" class="tick" text-anchor="start">{state}</text>')
        lx += 100
    parts.append("</svg>")
    return "".join(parts)


def hbars_svg(items: Sequence[tuple[str, int]], *, colour: str, width: int = 860, label_w: int = 330, unit: str = "") -> str:
    """Simple labelled horizontal bars (lead-time buckets, rejection reasons)."""
    if not items:
        return '<p class="empty">None.</p>'
    right, row_h, top = 70, 30, 6
    height = top + row_h * len(items) + 6
    plot_w = width - label_w - right
    most = max(n for _, n in items) or 1
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img">']
    for r, (label, n) in enumerate(items):
        y = top + r * row_h
        short = label if len(label) <= 48 else label[:47] + "\u2026"
        w = plot_w * n / most
        parts.append(f'<text x="{label_w - 10}" y="{y + 18}" text-anchor="end" class="label"><title>{_e(label)}</title>{_e(short)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" rx="2" fill="{colour}"><title>{_e(label)}: {n}{unit}</title></rect>')
        parts.append(f'<text x="{label_w + w + 8:.1f}" y="{y + 18}" class="value" text-anchor="start">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)


_REPORT_CSS = """
:root{--ink:#161616;--muted:#525252;--line:#e0e0e0;--bg:#f4f4f4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
main{max-width:940px;margin:28px auto;padding:0 16px}
header h1{margin:0;font-size:28px}
header p{margin:4px 0 0;color:var(--muted)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:12px;margin:22px 0}
.kpi{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 4px rgba(0,0,0,.06);border-top:4px solid var(--c,#0f62fe)}
.kpi b{display:block;font-size:28px;line-height:1.1}
.kpi span{color:var(--muted);font-size:13px}
section{background:#fff;border-radius:10px;padding:18px 20px;margin:0 0 16px;box-shadow:0 1px 4px rgba(0,0,0,.06)}
h2{margin:0 0 4px;font-size:18px}
.note{margin:0 0 10px;color:var(--muted);font-size:13px}
svg.chart{width:100%;height:auto;display:block;font-family:inherit}
svg .grid{stroke:#e8e8e8;stroke-width:1}
svg .tick{font-size:11px;fill:#6f6f6f}
svg .label{font-size:13px;fill:#161616}
svg .value{font-size:12px;fill:#393939;font-weight:600}
.table{overflow-x:auto;margin-top:8px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th{white-space:normal;vertical-align:bottom;font-size:13px}
th:first-child,td:first-child{text-align:left;white-space:normal}
th{color:var(--muted);font-weight:600}
tr.total td{font-weight:700;border-top:2px solid #c6c6c6}
.empty{color:var(--muted)}
footer{color:var(--muted);font-size:12px;margin:8px 0 28px}
@media print{body{background:#fff}section,.kpi{box-shadow:none;border:1px solid var(--line)}}
"""


def report_html(report: ProgramReport, *, title: str = "Badge program report", subtitle: str = "") -> str:
    """A one-file report: figures, inline SVG charts (no script, no external assets) and tables."""
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
    unit = "week" if report.granularity == "week" else "month"
    parts = [
        "<header>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(subtitle + _DOT if subtitle else '')}as of {_e(_when(report.generated_at))}</p>",
        "</header>",
        '<div class="kpis">' + "".join(
            f'<div class="kpi" style="--c:{colour}"><b>{value}</b><span>{_e(label)}</span></div>' for label, value, colour in kpis
        ) + "</div>",
        f"<section><h2>Issuance over time</h2><p class=\"note\">Credentials issued per {unit}; the red line counts revocations.</p>"
        + timeline_svg(report.timeline) + "</section>",
        "<section><h2>Badge classes</h2><p class=\"note\">Every issued credential by its state today.</p>"
        + states_svg(report.badges) + _badge_table(report) + "</section>",
        "<section><h2>From earned to issued</h2>"
        + (f'<p class="note">{lead.count:,} credentials with an earned date: min {lead.min_days} d, median '
           f"{_num(lead.median_days or 0)} d, mean {_num(lead.mean_days or 0)} d, max {lead.max_days} d.</p>"
           + hbars_svg(lead.buckets, colour="#007d79", label_w=160)
           if lead.count else '<p class="empty">No roster had an earned date.</p>')
        + "</section>",
        "<section><h2>Rejected rows</h2>"
        + (f'<p class="note">{o.rejected_rows:,} roster rows were not issued. Why (rows per reason):</p>'
           + hbars_svg([(_reason_label(r, report), r.rows) for r in report.rejections[:20]], colour="#ff832b", label_w=420)
           if report.rejections else '<p class="empty">No rejected rows.</p>')
        + "</section>",
        "<footer>Made by badgekit from the project ledger. Static file: no scripts, nothing loaded from the network.</footer>",
    ]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_REPORT_CSS}</style>\n</head>\n<body>\n<main>\n"
        + "\n".join(parts)
        + "\n</main>\n</body>\n</html>\n"
    )


def _reason_label(r: RejectionReason, report: ProgramReport) -> str:
    prefix = f"{report.names.get(r.badge_id, r.badge_id)}: " if len(report.badges) > 1 else ""
    return prefix + (f"{r.column}: " if r.column and not r.reason.startswith(r.column) else "") + r.reason


def _badge_table(report: ProgramReport) -> str:
    head = ("Badge class", "Issued", "Active", "Expired", "Suspended", "Revoked", "Revocation rate", "Recipients",
            "Earned \u2192 issued (median)", "Rejected rows")

    def row(b: BadgeFigures, cls: str = "") -> str:
        c = b.counts
        med = "\u2013" if b.lead_time.median_days is None else f"{_num(b.lead_time.median_days)} d"
        cells = (b.name, f"{c.issued:,}", f"{c.active:,}", f"{c.expired:,}", f"{c.suspended:,}", f"{c.revoked:,}",
                 percent(c.revocation_rate), f"{b.recipients:,}", med, f"{b.rejected_rows:,}")
        return f'<tr class="{cls}">' + "".join(f"<td>{_e(v)}</td>" for v in cells) + "</tr>"

    body = "".join(row(b) for b in report.badges)
    if report.overall.badge_id == "*" and len(report.badges) > 1:
        body += row(report.overall, "total")
    return ('<div class="table"><table><thead><tr>' + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + body + "</tbody></table></div>")


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

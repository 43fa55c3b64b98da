"""The program report as one HTML file: figures, inline SVG charts (no script, no external
assets) and tables, from ``report.html``."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from badgekit import _html
from badgekit._time import long_date
from badgekit.report._figures import (
    BadgeFigures,
    Period,
    ProgramReport,
    RejectionReason,
    _num,
    _short,
    percent,
)
from badgekit.report._pathway_views import COMPONENT_COLOUR, pathway_diagram
from badgekit.report._pathways import PathwayFigures


def _when(moment: datetime) -> str:
    utc = moment.astimezone(UTC)
    return f"{long_date(utc)}, {utc:%H:%M} UTC"


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


def _pathway_view(p: PathwayFigures) -> dict[str, Any]:
    """One pathway's diagram and its drop-off bars (recipients by components held)."""
    d = pathway_diagram(p)
    return {**d, "dropoff": _hbars_chart(d["bars"], colour=COMPONENT_COLOUR, label_w=160)}


def report_html(report: ProgramReport, *, title: str = "Badge program report", subtitle: str = "") -> str:
    """A one-file report: figures, inline SVG charts (no script, no external assets) and tables."""
    o = report.overall
    c = o.counts
    lead = o.lead_time
    kpis = [
        ("Issued", f"{c.issued:,}", _ISSUED_COLOUR),
        *((("Renewed", f"{o.renewed:,}", "#0072c3"),) if o.renewed else ()),
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
        delivery=_delivery_table(report),
        overall=o,
        lead=lead,
        lead_chart=_hbars_chart(lead.buckets, colour="#007d79", label_w=160) if lead.count else None,
        rejections=_hbars_chart([(_reason_label(r, report), r.rows) for r in report.rejections[:20]], colour="#ff832b",
                                label_w=420),
        num=_num,
        pathways=[_pathway_view(p) for p in report.pathways],
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


def _delivery_table(report: ProgramReport) -> dict[str, Any] | None:
    """The e-mail delivery table (sent / failed / not sent per badge class, then the total), or
    None for a project that never sent (no ``sent`` or ``send-failed`` event)."""
    d = report.overall.delivery
    if not (d.sent or d.failed):
        return None

    def row(b: BadgeFigures, cls: str = "") -> tuple[str, tuple[str, ...]]:
        return cls, (b.name, f"{b.delivery.sent:,}", f"{b.delivery.failed:,}", f"{b.delivery.unsent:,}")

    rows = [row(b) for b in report.badges]
    if report.overall.badge_id == "*" and len(report.badges) > 1:
        rows.append(row(report.overall, "total"))
    return {"head": ("Badge class", "Sent", "Failed", "Not sent"), "rows": rows}

"""The figures of a program report: frozen results, and how their numbers are written."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median
from typing import Any, Literal

from badgekit._time import format_utc
from badgekit.report._pathways import PathwayFigures

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
    """Credentials by state: ``issued`` ones split into active, expired, revoked and suspended at the
    report's time; ``pending``: reserved in the ledger, not issued yet."""

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
class DeliveryCounts:
    """Issued credentials by e-mail delivery (``badgekit send``): ``sent`` (the server accepted a
    message at least once), ``failed`` (its last attempt was refused, none accepted) and
    ``unsent`` (never sent, or in flight when a run stopped). Counts only: never addresses."""

    sent: int = 0
    failed: int = 0
    unsent: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "notSent": self.unsent}


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
    delivery: DeliveryCounts = DeliveryCounts()
    #: issued credentials that renew another (``issue --renew``: a ``renewed`` ledger event)
    renewed: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "badge": self.badge_id, "name": self.name, **self.counts.to_json(), "renewed": self.renewed, "recipients": self.recipients,
            "earnedToIssued": self.lead_time.to_json(), "rejectedRows": self.rejected_rows,
            "firstIssued": self.first_issued, "lastIssued": self.last_issued, "delivery": self.delivery.to_json(),
        }


@dataclass(frozen=True)
class Period:
    """Credentials issued and revoked in one week or month of the timeline."""

    label: str  # "2026-W03" or "2026-01"
    start: date
    issued: int
    revoked: int

    def to_json(self) -> dict[str, Any]:
        return {"period": self.label, "start": self.start.isoformat(), "issued": self.issued, "revoked": self.revoked}


@dataclass(frozen=True)
class RejectionReason:
    """Roster rows of a badge class rejected for one reason (on one column, when it names one)."""

    badge_id: str
    column: str | None
    reason: str  # with the row's values taken out
    rows: int

    def to_json(self) -> dict[str, Any]:
        return {"badge": self.badge_id, "column": self.column, "reason": self.reason, "rows": self.rows}


@dataclass(frozen=True)
class ProgramReport:
    """A program report (:func:`build_report`): the overall figures, each badge class's, the
    timeline and the rejection reasons; ``names``: display names by badge id; ``pathways``: the
    pathway map (:mod:`._pathways`)."""

    generated_at: datetime
    granularity: Granularity
    overall: BadgeFigures
    badges: tuple[BadgeFigures, ...]
    timeline: tuple[Period, ...]
    rejections: tuple[RejectionReason, ...]
    names: Mapping[str, str] = field(default_factory=dict)
    pathways: tuple[PathwayFigures, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "generatedAt": format_utc(self.generated_at),
            "granularity": self.granularity,
            "overall": self.overall.to_json(),
            "badges": [b.to_json() for b in self.badges],
            "timeline": [p.to_json() for p in self.timeline],
            "rejections": [r.to_json() for r in self.rejections],
            "pathways": [p.to_json() for p in self.pathways],
        }


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _short(label: str, limit: int) -> str:
    """``label`` cut to ``limit`` characters, an ellipsis marking the cut (the full text goes in a tooltip)."""
    return label if len(label) <= limit else label[:limit - 1] + "\u2026"


def percent(rate: float | None) -> str:
    """A rate as a percentage with one decimal (``12.5 %``); an en dash when there is none."""
    return "\u2013" if rate is None else f"{rate * 100:.1f} %"

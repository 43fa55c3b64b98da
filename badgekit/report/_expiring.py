"""Credentials that expire soon: those whose ``validUntil`` falls within a window from now."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from badgekit._time import (
    Duration,
    add_duration,
    format_utc,
    parse_datetime_stamp,
    parse_duration,
    utc_now,
)
from badgekit.errors import InputError
from badgekit.ledger import Ledger
from badgekit.report._csv import _csv_text

#: The columns of :func:`expiring_csv`.
EXPIRING_CSV_COLUMNS = ("credential_id", "badge_id", "badge_name", "valid_until", "state")


@dataclass(frozen=True)
class ExpiringCredential:
    """One credential that expires within the window (no recipient address: ids only)."""

    credential_id: str
    badge_id: str
    badge_name: str
    valid_until: str
    state: str  # active or suspended at the report's time

    def to_json(self) -> dict[str, Any]:
        return {"credentialId": self.credential_id, "badge": self.badge_id, "badgeName": self.badge_name,
                "validUntil": self.valid_until, "state": self.state}


@dataclass(frozen=True)
class ExpiringReport:
    """Credentials expiring after ``now`` and at or before ``until``, soonest first."""

    now: datetime
    within: str  # the window as given (an ISO 8601 duration)
    until: datetime
    credentials: tuple[ExpiringCredential, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Credentials per badge id, in order of first expiry."""
        out: dict[str, int] = {}
        for c in self.credentials:
            out[c.badge_id] = out.get(c.badge_id, 0) + 1
        return out

    def to_json(self) -> dict[str, Any]:
        names = {c.badge_id: c.badge_name for c in self.credentials}
        return {"at": format_utc(self.now), "within": self.within, "until": format_utc(self.until),
                "counts": [{"badge": b, "badgeName": names[b], "expiring": n} for b, n in self.counts.items()],
                "credentials": [c.to_json() for c in self.credentials]}


def expiring_credentials(ledger: Ledger, within: str, *, now: datetime | None = None, badge_id: str | None = None,
                         names: Mapping[str, str] | None = None) -> ExpiringReport:
    """The issued credentials of ``ledger`` (of ``badge_id``, else all) that are active or suspended
    at ``now`` (default: the current time) and whose ``validUntil`` is at or before ``now`` +
    ``within`` (an ISO 8601 duration such as ``P30D``). Revoked, expired and pending ones are left out.

    Raises:
        InputError: ``within`` is not an ISO 8601 duration.
    """
    window: Duration = parse_duration(within)
    now = (now or utc_now()).astimezone(UTC)
    until = add_duration(now, window)
    if until <= now:
        raise InputError(f"--expiring {within!r}: the window must be longer than zero", hint="for example P30D")
    names = dict(names or {})
    found: list[tuple[datetime, ExpiringCredential]] = []
    for i in ledger.issuances(badge_id=badge_id):
        if not i.valid_until or i.state == "reserved":
            continue
        state = i.state_at(now)
        if state not in ("active", "suspended"):
            continue
        try:
            ends = parse_datetime_stamp(i.valid_until, field="valid_until")
        except InputError:
            continue  # not written by badgekit
        if ends <= until:
            found.append((ends, ExpiringCredential(i.credential_id, i.badge_id, names.get(i.badge_id, i.badge_id),
                                                   i.valid_until, state)))
    found.sort(key=lambda x: (x[0], x[1].credential_id))
    return ExpiringReport(now, within.strip(), until, tuple(c for _, c in found))


def expiring_csv(report: ExpiringReport) -> str:
    """One row per expiring credential."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPIRING_CSV_COLUMNS)
    for c in report.credentials:
        w.writerow([c.credential_id, c.badge_id, _csv_text(c.badge_name), c.valid_until, c.state])
    return buf.getvalue()

"""The ledger's records: a credential's issuance and a lifecycle event, as read from either engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badgekit._time import parse_datetime_stamp
from badgekit.errors import InputError


@dataclass(frozen=True)
class Issuance:
    """One credential in the ledger: its reservation (id, status list and index), state and file."""

    credential_id: str
    badge_id: str
    recipient_key: str
    generation: int
    row_fingerprint: str
    list_id: int | None
    status_index: int | None
    state: str
    issued_at: str
    valid_until: str | None
    earned_at: str | None
    output_path: str | None
    list_url: str | None = None
    purpose: str | None = None
    #: the issuer of its status list (None: no status entry, or a list made before lists had owners)
    issuer: str | None = None

    def state_at(self, now: datetime) -> str:
        """What this credential is at ``now``: ``pending`` (reserved, not yet signed), ``revoked``,
        ``expired`` (``valid_until`` at or before ``now``), ``suspended`` or ``active``, in that order."""
        if self.state == "reserved":
            return "pending"
        if self.state == "revoked":
            return "revoked"
        if self.valid_until:
            try:
                until: datetime | None = parse_datetime_stamp(self.valid_until, field="valid_until")
            except InputError:
                until = None  # not written by badgekit: never decides a state
            if until is not None and until <= now:
                return "expired"
        return "suspended" if self.state == "suspended" else "active"


def active_badges(issuances: Iterable[Issuance], now: datetime, issuer: str | None = None) -> set[str]:
    """The badge classes of which ``issuances`` hold an *active* credential at ``now`` (issued, not
    revoked, suspended or expired), counting only ``issuer``'s (the issuer of its status list; a
    credential without one is this ledger's). The one definition of what a recipient *holds*, for
    prerequisites, pathway awards and the pathway map of a report."""
    return {i.badge_id for i in issuances if i.state_at(now) == "active" and (issuer is None or i.issuer in (None, issuer))}


@dataclass(frozen=True)
class Holding:
    """One recipient's credentials of some badge classes (``issuances``, in any state) and the
    badge classes among them they hold (``active``: see :func:`active_badges`)."""

    recipient_key: str
    issuances: tuple[Issuance, ...]
    active: frozenset[str]


def holdings(issuances: Iterable[Issuance], now: datetime, issuer: str | None = None) -> dict[str, Holding]:
    """``issuances`` grouped by recipient (ledger key, in sorted order), each with what they hold at
    ``now`` of ``issuer`` (:func:`active_badges`). Reservations not yet signed hold nothing."""
    by_key: dict[str, list[Issuance]] = {}
    for issuance in issuances:
        by_key.setdefault(issuance.recipient_key, []).append(issuance)
    return {key: Holding(key, tuple(mine), frozenset(active_badges(mine, now, issuer)))
            for key, mine in sorted(by_key.items())}


@dataclass(frozen=True)
class Event:
    """One lifecycle event (issued, reissued, revoked, suspended, unsuspended, exported, published)."""

    id: int
    credential_id: str | None
    kind: str
    at: str
    actor: str
    reason: str | None
    detail: dict[str, Any] | None


_SELECT = (
    "SELECT i.credential_id, i.badge_id, i.recipient_key, i.generation, i.row_fingerprint, i.list_id, i.status_index, "
    "i.state, i.issued_at, i.valid_until, i.earned_at, i.output_path, l.url, l.purpose, l.issuer "
    "FROM issuances i LEFT JOIN status_lists l ON l.id = i.list_id"
)


def _issuance(row: Sequence[Any]) -> Issuance:
    return Issuance(*row)

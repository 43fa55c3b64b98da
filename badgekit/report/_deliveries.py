"""E-mail delivery per credential (``report --deliveries``): each issued credential's state by the
ledger's ``badgekit send`` events, the same definitions as the counts (:func:`delivery_states`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from badgekit._time import format_utc, utc_now
from badgekit.ledger import Event, Ledger
from badgekit.report._csv import _csv_text

#: The columns of :func:`deliveries_csv` (``address`` only when addresses are shown).
DELIVERIES_CSV_COLUMNS = ("credential_id", "badge_id", "badge_name", "state", "delivery", "at", "message_id", "answer",
                          "reminded")
#: A credential's delivery: ``sent`` (a ``sent`` event, whatever came after), else ``failed``
#: (``send-failed`` events only), else ``not-sent`` (none, or in flight when a run stopped).
DELIVERY_STATES = ("sent", "failed", "not-sent")


def delivery_states(ledger: Ledger, badge_id: str | None = None) -> dict[str, tuple[str, Event]]:
    """Credential id -> (``sent`` or ``failed``, the event that decides it: the last ``sent``, else
    the last ``send-failed``); credentials with neither are not sent."""
    found: dict[str, tuple[str, Event]] = {}
    for e in ledger.events(kinds=("sent", "send-failed"), badge_id=badge_id):
        if e.credential_id is None:
            continue
        before = found.get(e.credential_id)
        if e.kind == "sent" or before is None or before[0] != "sent":
            found[e.credential_id] = ("sent" if e.kind == "sent" else "failed", e)
    return found


@dataclass(frozen=True)
class CredentialDelivery:
    """One issued credential and what e-mail delivery did with it (``address`` only when asked)."""

    credential_id: str
    badge_id: str
    badge_name: str
    state: str  # active, expired, revoked or suspended at the report's time
    delivery: str  # one of DELIVERY_STATES
    at: str | None = None  # when the deciding event was recorded
    message_id: str | None = None
    answer: str | None = None  # the server's answer (addresses in it were recorded as <recipient>)
    reminded: tuple[str, ...] = ()  # the windows (P30D …) an expiry reminder was sent for
    address: str | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"credentialId": self.credential_id, "badge": self.badge_id, "badgeName": self.badge_name,
                               "state": self.state, "delivery": self.delivery, "at": self.at, "messageId": self.message_id,
                               "answer": self.answer, "reminded": list(self.reminded)}
        if self.address is not None:
            out["address"] = self.address
        return out


@dataclass(frozen=True)
class DeliveryReport:
    """Every issued credential (of one badge class, or all) with its delivery, oldest first."""

    now: datetime
    credentials: tuple[CredentialDelivery, ...]
    show_addresses: bool = False

    @property
    def counts(self) -> dict[str, dict[str, int]]:
        """Per badge id: credentials per delivery state."""
        out: dict[str, dict[str, int]] = {}
        for c in self.credentials:
            out.setdefault(c.badge_id, dict.fromkeys(DELIVERY_STATES, 0))[c.delivery] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        names = {c.badge_id: c.badge_name for c in self.credentials}
        return {"at": format_utc(self.now),
                "counts": [{"badge": b, "badgeName": names[b], **n} for b, n in self.counts.items()],
                "credentials": [c.to_json() for c in self.credentials]}


def delivery_report(ledger: Ledger, *, now: datetime | None = None, badge_id: str | None = None,
                    names: Mapping[str, str] | None = None, show_addresses: bool = False) -> DeliveryReport:
    """Each issued credential of ``ledger`` (of ``badge_id``, else all) with its e-mail delivery
    (:data:`DELIVERY_STATES`), and its delivery address only with ``show_addresses``."""
    now = (now or utc_now()).astimezone(UTC)
    names = dict(names or {})
    states = delivery_states(ledger, badge_id)
    reminded: dict[str, list[str]] = {}
    for e in ledger.events(kinds=("reminded",), badge_id=badge_id):
        if e.credential_id is not None:
            reminded.setdefault(e.credential_id, []).append(str((e.detail or {}).get("window") or ""))
    issued = [i for i in ledger.issuances(badge_id=badge_id) if i.state != "reserved"]
    addresses = ledger.addresses([i.credential_id for i in issued]) if show_addresses else {}
    rows = []
    for i in issued:
        delivery, event = states.get(i.credential_id, ("not-sent", None))
        detail = (event.detail or {}) if event is not None else {}
        kept = addresses.get(i.credential_id)
        rows.append(CredentialDelivery(
            i.credential_id, i.badge_id, names.get(i.badge_id, i.badge_id), i.state_at(now), delivery,
            event.at if event is not None else None, detail.get("messageId"), detail.get("answer"),
            tuple(reminded.get(i.credential_id, ())), (kept[0] if kept else "") if show_addresses else None))
    return DeliveryReport(now, tuple(rows), show_addresses)


def deliveries_csv(report: DeliveryReport) -> str:
    """One row per issued credential (an ``address`` column only when the report shows addresses)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*DELIVERIES_CSV_COLUMNS, *(("address",) if report.show_addresses else ())])
    for c in report.credentials:
        w.writerow([c.credential_id, c.badge_id, _csv_text(c.badge_name), c.state, c.delivery, c.at or "", c.message_id or "",
                    _csv_text(c.answer or ""), " ".join(c.reminded), *((_csv_text(c.address or ""),) if report.show_addresses else ())])
    return buf.getvalue()

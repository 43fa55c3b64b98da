"""One credential's history: its ledger record and events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from badgekit.errors import LedgerError
from badgekit.ledger import Issuance, Ledger


@dataclass(frozen=True)
class HistoryEntry:
    """One ledger event of a credential: what happened, when, by whom, and why."""

    kind: str  # issued, revoked, suspended, unsuspended, reissued …
    at: str
    actor: str
    reason: str | None


@dataclass(frozen=True)
class CredentialHistory:
    """A credential's ledger record and its events, oldest first (:func:`credential_history`)."""

    issuance: Issuance
    events: tuple[HistoryEntry, ...]

    def to_json(self) -> dict[str, Any]:
        i = self.issuance
        return {
            "credentialId": i.credential_id,
            "badge": i.badge_id,
            "state": i.state,
            "statusPurpose": i.purpose,
            "statusListCredential": i.list_url,
            "statusListIndex": i.status_index,
            "issuedAt": i.issued_at,
            "validUntil": i.valid_until,
            "events": [{"kind": e.kind, "at": e.at, "actor": e.actor, "reason": e.reason} for e in self.events],
        }


def credential_history(ledger: Ledger, credential_id: str) -> CredentialHistory:
    """A credential's ledger record and its events, oldest first.

    Raises:
        LedgerError: the credential is not in the ledger.
    """
    issuance = ledger.get(credential_id)
    if issuance is None:
        raise LedgerError(f"{credential_id}: not in this project's ledger")
    events = tuple(
        HistoryEntry(e.kind, e.at, e.actor, e.reason) for e in ledger.events(credential_id=credential_id)
    )
    return CredentialHistory(issuance, events)

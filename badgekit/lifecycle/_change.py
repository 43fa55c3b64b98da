"""State changes recorded in the ledger: revoke, suspend, unsuspend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from badgekit.errors import InputError, LedgerError
from badgekit.ledger import Issuance, Ledger

NewState = Literal["revoked", "suspended", "issued"]
Outcome = Literal["changed", "unchanged", "would-change", "failed"]

#: Ledger state → the verb for messages ("issued" as a target means "unsuspended").
_VERB = {"revoked": "revoked", "suspended": "suspended", "issued": "unsuspended"}

REVOCATION_ONLY = (
    "issued with a revocation-only status entry; revoke it, "
    "or issue the badge class with status_purpose: suspension"
)


@dataclass(frozen=True)
class Change:
    """What happened to one credential. False when it failed."""

    credential_id: str
    outcome: Outcome
    message: str  # one line: what happened, or why not (names the credential)
    before: str | None = None  # ledger state before (None: not in the ledger)
    after: str | None = None  # ledger state after
    purpose: str | None = None
    list_url: str | None = None
    status_index: int | None = None

    def __bool__(self) -> bool:
        return self.outcome != "failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "credentialId": self.credential_id,
            "outcome": self.outcome,
            "message": self.message,
            "before": self.before,
            "after": self.after,
            "statusPurpose": self.purpose,
            "statusListCredential": self.list_url,
            "statusListIndex": self.status_index,
        }


def plan_change(issuance: Issuance | None, credential_id: str, new_state: NewState) -> tuple[Outcome, str]:
    """Whether ``credential_id`` can go to ``new_state``: ("would-change" | "unchanged" | "failed", why)."""
    verb = _VERB[new_state]
    if issuance is None:
        return "failed", f"{credential_id}: not in this project's ledger"
    state = issuance.state
    if state == "reserved":
        return "failed", f"{credential_id}: not issued yet (reserved by an interrupted run); finish it with badgekit issue first"
    if issuance.list_url is None or issuance.status_index is None:
        return "failed", (
            f"{credential_id}: issued without a credentialStatus entry (no status_base_url then), "
            "so verifiers cannot learn its status; issue a replacement instead"
        )
    if new_state != "revoked" and issuance.purpose != "suspension":
        if state == "revoked":
            return "failed", f"{credential_id}: revoked; revocation is final"
        return "failed", f"{credential_id}: {REVOCATION_ONLY}"
    if state == "revoked" and new_state != "revoked":
        return "failed", f"{credential_id}: revoked; revocation is final, it cannot be {verb}"
    if new_state == "issued" and state == "issued":
        return "unchanged", f"{credential_id}: not suspended"
    if state == new_state:
        return "unchanged", f"{credential_id}: already {verb}"
    return "would-change", f"{credential_id}: {verb}"


def change_status(
    ledger: Ledger,
    ids: Iterable[str],
    new_state: NewState,
    reason: str | None,
    actor: str,
    *,
    dry_run: bool = False,
) -> list[Change]:
    """Revoke (``"revoked"``), suspend (``"suspended"``) or unsuspend (``"issued"``) credentials.

    One :class:`Change` per distinct id, in order. Each change is its own ledger transaction and
    records an event with ``reason`` and ``actor``; a credential already in ``new_state`` is
    "unchanged" (so a bulk run can be repeated safely). Unknown ids, credentials without a status
    entry, suspension of a revocation-only credential and anything after revocation are "failed"
    changes, not exceptions. With ``dry_run`` nothing is written ("would-change").

    Raises:
        InputError: ``new_state`` is not one of the three, or a revocation without a reason.
        LedgerError: the ledger itself cannot be read or written.
    """
    if new_state not in _VERB:
        raise InputError(f"unknown target state {new_state!r} (revoked, suspended or issued)")
    if new_state == "revoked" and not (reason and reason.strip()):
        raise InputError("a revocation needs a reason (it is recorded in the ledger)")
    out: list[Change] = []
    for cid in dict.fromkeys(ids):
        current = ledger.get(cid)
        outcome, message = plan_change(current, cid, new_state)
        state_after: str | None
        if outcome == "would-change" and not dry_run:
            try:
                after = ledger.change_state(cid, new_state, reason=reason, actor=actor)
                outcome, message, state_after = "changed", message, after.state
            except LedgerError as exc:
                # Another process may have made the same change in between.
                now_state = ledger.get(cid)
                if now_state is not None and now_state.state == new_state:
                    outcome, message = plan_change(now_state, cid, new_state)
                    state_after = new_state
                else:
                    outcome, message = "failed", exc.message
                    state_after = now_state.state if now_state else None
        else:
            state_after = current.state if current else None
        out.append(
            Change(
                credential_id=cid,
                outcome=outcome,
                message=message,
                before=current.state if current else None,
                after=state_after,
                purpose=current.purpose if current else None,
                list_url=current.list_url if current else None,
                status_index=current.status_index if current else None,
            )
        )
    return out

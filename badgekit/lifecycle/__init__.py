"""Credential lifecycle after issuing: revoke, suspend, unsuspend, and publish the status lists.

The ledger is the source of truth (docs/adr/0003-ledger.md, 0004-status-purpose.md):

* :func:`change_status` records each state change in the ledger, one ``BEGIN IMMEDIATE``
  transaction per credential, so two revocations running at once both take effect and a crash
  loses at most the change it was making.
* :func:`publish_lists` derives every list's bits from the ledger (revoked, or currently suspended,
  credentials on that list), signs each as a ``BitstringStatusListCredential`` and writes it
  atomically. The snapshot, the signing and the writes happen inside one ledger write
  transaction, so two publishes cannot interleave and leave an older snapshot on disk last.

Each credential carries exactly one status entry (OB 3.0's ``credentialStatus`` is one object):
purpose ``revocation`` by default, ``suspension`` when its badge class says so. Only a
suspension-purpose credential can be suspended and unsuspended; any credential can be revoked,
and revocation is final.

Nothing here prints, prompts or touches the network; the CLI passes in the actor's name.
"""

from badgekit.lifecycle._change import (
    REVOCATION_ONLY,
    Change,
    NewState,
    Outcome,
    change_status,
    plan_change,
)
from badgekit.lifecycle._history import CredentialHistory, HistoryEntry, credential_history
from badgekit.lifecycle._publish import (
    ForeignBitsError,
    build_list,
    check_no_foreign_bits,
    duration_ms,
    init_lists,
    publish_lists,
    valid_until_after,
)
from badgekit.lifecycle._select import (
    MAX_CSV_BYTES,
    Selection,
    credential_id_from_file,
    select_credentials,
)
from badgekit.lifecycle._summary import ListSummary, list_file_name, status_summary

__all__ = [
    "Change",
    "CredentialHistory",
    "ForeignBitsError",
    "HistoryEntry",
    "ListSummary",
    "MAX_CSV_BYTES",
    "NewState",
    "Outcome",
    "REVOCATION_ONLY",
    "Selection",
    "build_list",
    "change_status",
    "check_no_foreign_bits",
    "credential_history",
    "credential_id_from_file",
    "duration_ms",
    "init_lists",
    "list_file_name",
    "plan_change",
    "publish_lists",
    "select_credentials",
    "status_summary",
    "valid_until_after",
]

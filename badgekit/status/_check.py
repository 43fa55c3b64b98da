"""Checking a credential's ``credentialStatus`` against status lists the caller supplies.

Nothing here fetches: a list that is not supplied gives "indeterminate", never "valid".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeVar, cast

from badgekit import proof
from badgekit.errors import InputError
from badgekit.status._bitstring import MIN_ENTRIES, Bitstring, StatusListError
from badgekit.status._credential import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    PURPOSES,
    _issuer_id,
    _parse_datetime,
)

StatusState = Literal["valid", "revoked", "suspended", "invalid", "indeterminate"]
#: Work shared by the checks of one verification run (see :func:`check_status`): ("proof" or
#: "bits", list URL) → (the list object it was computed for, the result).
StatusMemo = dict[tuple[str, str], tuple[object, object]]
_T = TypeVar("_T")

_DECIMAL = re.compile(r"[0-9]+")
#: Most (time, issuer, verification methods) verdicts kept per status list in a shared memo.
_MAX_SHARED_CONTEXTS = 64


@dataclass(frozen=True)
class StatusCheck:
    """The outcome of one ``credentialStatus`` entry. True only when the state is "valid"."""

    state: StatusState
    purpose: str | None
    reason: str
    list_url: str | None

    def __bool__(self) -> bool:
        return self.state == "valid"


def check_status(
    credential: Mapping[str, Any],
    lists: Mapping[str, Mapping[str, Any]],
    *,
    now: datetime,
    resolver: proof.Resolver | None = None,
    loader: Callable[..., Any] | None = None,
    memo: StatusMemo | None = None,
) -> list[StatusCheck]:
    """Check every ``credentialStatus`` entry of ``credential`` against the supplied lists.

    ``lists`` maps a ``statusListCredential`` URL to its (signed) list credential; badgekit never
    fetches one, so a missing list is "indeterminate". One :class:`StatusCheck` per entry, in
    order; an empty list when the credential has no ``credentialStatus``. Entries of types other
    than ``BitstringStatusListEntry`` are "indeterminate".

    The list's proof is checked with ``proof.verify`` (``resolver``, ``loader``). When its key
    could be taken only from the verification method id itself (``https://issuer#z6Mk…``, key
    source "fragment"), the list is trusted only if the credential names the same verification
    method in its own proof, so the list is trusted exactly as far as the credential is. The list's
    signed ``id`` must be the URL it is supplied under: offline, that id is all that ties the
    document to the URL, so another list of the same issuer (a clean one) cannot stand in for it.
    (1EdTech's published bit-string-list fixture names another URL and is refused for that.)

    ``memo``: a dict shared by calls that use the same ``lists``, ``resolver`` keys and ``loader``
    (one verification run): each list's proof is then verified and its bitstring decoded once,
    not once per credential.

    Never raises for a bad credential or list: every problem is a returned check.

    Raises:
        InputError: ``now`` has no time zone.
    """
    if now.tzinfo is None:
        raise InputError("check_status needs a time-zone-aware 'now'")
    entries = credential.get("credentialStatus")
    if entries is None:
        return []
    checker = _Checker(credential, lists, now, resolver, loader, memo)
    return [checker.check(entry) for entry in (entries if isinstance(entries, list) else [entries])]


class _Checker:
    """One credential's status checks; list verification and decoding are cached per URL."""

    def __init__(
        self,
        credential: Mapping[str, Any],
        lists: Mapping[str, Mapping[str, Any]],
        now: datetime,
        resolver: proof.Resolver | None,
        loader: Callable[..., Any] | None,
        memo: StatusMemo | None = None,
    ) -> None:
        self.credential = credential
        self.lists = lists
        self.now = now
        self.resolver = resolver
        self.loader = loader
        self._list_problems: dict[str, tuple[StatusState, str] | None] = {}
        self._bits: dict[str, Bitstring | str] = {}
        # Across credentials: keyed by the list object's id, holding the object so the id stays its.
        self._memo: StatusMemo = memo if memo is not None else {}

    def check(self, entry: object) -> StatusCheck:
        if not isinstance(entry, Mapping):
            return StatusCheck("invalid", None, "a credentialStatus entry is not a JSON object", None)
        etype = entry.get("type")
        if etype == REVOCATION_LIST_TYPE and isinstance(entry.get("id"), str) and entry["id"] in self.lists:
            return _revocation_list_check(self.credential, entry["id"], self.lists[entry["id"]])
        if etype != ENTRY_TYPE:
            return _other_type(entry)
        purpose = entry.get("statusPurpose")
        url = entry.get("statusListCredential")
        p = purpose if isinstance(purpose, str) else None
        u = url if isinstance(url, str) and url else None

        def result(state: StatusState, reason: str) -> StatusCheck:
            return StatusCheck(state, p, reason, u)

        # Entry shape (BSL "BitstringStatusListEntry").
        if u is None:
            return result("invalid", "MALFORMED_VALUE_ERROR: statusListCredential is missing or not a URL string")
        if p is None:
            return result("invalid", "MALFORMED_VALUE_ERROR: statusPurpose is missing or not a string")
        if entry.get("id") is not None and entry.get("id") == u:
            return result("invalid", "MALFORMED_VALUE_ERROR: the entry id must not be the status list URL")
        index = _parse_index(entry.get("statusListIndex"))
        if index is None:
            return result(
                "invalid",
                f"MALFORMED_VALUE_ERROR: statusListIndex {entry.get('statusListIndex')!r} is not a non-negative integer",
            )
        if p not in PURPOSES:
            return result("indeterminate", f"statusPurpose {p!r} is not supported (badgekit checks revocation and suspension)")
        size = entry.get("statusSize", 1)
        if size != 1 or isinstance(size, bool):
            return result("indeterminate", f"statusSize {size!r} is not supported (badgekit reads 1-bit statuses)")

        # Validate Algorithm step 4: the list, and all its proofs, must verify.
        status_list = self.lists.get(u)
        if status_list is None:
            return result("indeterminate", f"STATUS_RETRIEVAL_ERROR: status list {u} not supplied (--status-list, or "
                                           "'badgekit cache add'); badgekit never fetches")
        problem = self._list_problem(u, status_list)
        if problem is not None:
            return result(*problem)
        subject = _subject(status_list)
        assert subject is not None  # checked by _list_problem

        # Step 5: the entry's purpose must be one of the list's purposes.
        list_purposes = subject.get("statusPurpose")
        purposes = list_purposes if isinstance(list_purposes, list) else [list_purposes]
        if p not in purposes:
            return result(
                "invalid",
                f"STATUS_VERIFICATION_ERROR: status list {u} has statusPurpose {list_purposes!r}, the entry {p!r}",
            )

        # Steps 6-9: expand the bitstring; it must have at least minimumNumberOfEntries.
        bits = self._decode(u, subject.get("encodedList"))
        if isinstance(bits, str):
            return result("invalid", f"MALFORMED_VALUE_ERROR: status list {u}: {bits}")
        if len(bits) < MIN_ENTRIES:
            return result(
                "invalid",
                f"STATUS_LIST_LENGTH_ERROR: status list {u} has {len(bits):,} entries, fewer than the {MIN_ENTRIES:,} required",
            )

        # Step 10: the index must be inside the bitstring.
        if index >= len(bits):
            return result("invalid", f"RANGE_ERROR: statusListIndex {index} is outside status list {u} ({len(bits):,} entries)")
        if not bits.get(index):
            return result("valid", f"{p} bit {index} of {u} is not set")
        if p == "revocation":
            return result("revoked", f"revoked: bit {index} of status list {u} is set")
        return result("suspended", f"suspended: bit {index} of status list {u} is set")

    def _list_problem(self, url: str, status_list: object) -> tuple[StatusState, str] | None:
        if url not in self._list_problems:
            # What is said of a list depends on the list, the time, the credential's issuer and
            # (for a list signed by a key named only in its verification method id) the
            # credential's verification methods: credentials of one run that agree on these
            # share it (bounded; a value that cannot be a key is computed each time).
            methods = [p.get("verificationMethod") for p in proof.proofs_of(self.credential) if isinstance(p, Mapping)]
            if all(isinstance(m, str | None) for m in methods):
                context = (self.now, _issuer_id(self.credential.get("issuer")), frozenset(methods))
                known = self._shared(("list", url), status_list, dict[tuple[object, ...], tuple[StatusState, str] | None])
                if context not in known:
                    if len(known) >= _MAX_SHARED_CONTEXTS:
                        known.clear()
                    known[context] = self._verify_list(url, status_list)
                self._list_problems[url] = known[context]
            else:
                self._list_problems[url] = self._verify_list(url, status_list)
        return self._list_problems[url]

    def _verify_list(self, url: str, status_list: object) -> tuple[StatusState, str] | None:
        bad: StatusState = "invalid"
        if not isinstance(status_list, Mapping):
            return (bad, f"STATUS_VERIFICATION_ERROR: status list {url} is not a JSON object")
        types = status_list.get("type")
        if LIST_CREDENTIAL_TYPE not in (types if isinstance(types, list) else [types]):
            return (bad, f"STATUS_VERIFICATION_ERROR: {url} is not a {LIST_CREDENTIAL_TYPE}")
        subject = _subject(status_list)
        if subject is None:
            return (bad, f"STATUS_VERIFICATION_ERROR: status list {url} has no single credentialSubject")
        stypes = subject.get("type")
        if LIST_TYPE not in (stypes if isinstance(stypes, list) else [stypes]):
            return (bad, f"STATUS_VERIFICATION_ERROR: the credentialSubject of {url} is not a {LIST_TYPE}")

        verdict = self._shared(("proof", url), status_list,
                               lambda: proof.verify(status_list, resolver=self.resolver, loader=self.loader))
        if not verdict.verified and verdict.unresolved:
            return ("indeterminate", f"status list {url} cannot be checked offline: {verdict.reason}; supply the "
                                     "issuer's DID document (--did-doc, or 'badgekit cache add')")
        if not verdict.verified:
            return (bad, f"STATUS_VERIFICATION_ERROR: proof of status list {url} does not verify: {verdict.reason}")
        # Offline, the signed id is what binds the list to its URL (files, folders and the cache are
        # keyed by it; URL=FILE and library callers name the URL themselves).
        list_id = status_list.get("id")
        if list_id != url:
            return (bad, f"STATUS_VERIFICATION_ERROR: the list supplied for {url} is the status list {list_id!r} "
                         "(its id); a list stands only for its own URL")

        # The list must come from the credential's issuer and be signed by that issuer.
        list_issuer = _issuer_id(status_list.get("issuer"))
        cred_issuer = _issuer_id(self.credential.get("issuer"))
        if list_issuer is None or cred_issuer is None:
            return (bad, f"STATUS_VERIFICATION_ERROR: the credential or status list {url} has no issuer id")
        if verdict.controller != list_issuer:
            return (
                bad,
                f"STATUS_VERIFICATION_ERROR: status list {url} is signed by {verdict.controller}, not by its issuer {list_issuer}",
            )
        if list_issuer != cred_issuer:
            return (
                bad,
                f"STATUS_VERIFICATION_ERROR: status list {url} signed by another issuer ({list_issuer}, the credential's is {cred_issuer})",
            )
        if verdict.key_source == "fragment":
            credential_vms = {
                p.get("verificationMethod") for p in proof.proofs_of(self.credential) if isinstance(p, Mapping)
            }
            if verdict.verification_method not in credential_vms:
                return (
                    "indeterminate",
                    f"status list {url} is signed by {verdict.verification_method}, a key that cannot be resolved "
                    "offline and did not sign the credential; supply the issuer's DID document",
                )

        # The list's validity period must include now.
        for field, legacy, after in (("validFrom", "issuanceDate", False), ("validUntil", "expirationDate", True)):
            raw = status_list.get(field, status_list.get(legacy))
            if raw is None:
                continue
            when = _parse_datetime(raw)
            if when is None:
                return (bad, f"STATUS_VERIFICATION_ERROR: status list {url} {field} {raw!r} is not a date-time with a time zone")
            if after and self.now > when:
                return (bad, f"STATUS_VERIFICATION_ERROR: status list {url} expired at {raw}")
            if not after and self.now < when:
                return (bad, f"STATUS_VERIFICATION_ERROR: status list {url} is not valid before {raw}")
        return None

    def _decode(self, url: str, encoded: object) -> Bitstring | str:
        if url not in self._bits:
            def decode() -> Bitstring | str:
                try:
                    return Bitstring.decode(encoded)
                except StatusListError as exc:
                    return exc.message
            self._bits[url] = self._shared(("bits", url), self.lists.get(url), decode)
        return self._bits[url]

    def _shared(self, key: tuple[str, str], status_list: object, compute: Callable[[], _T]) -> _T:
        """``compute()`` for this list object, once per memo (see :func:`check_status`)."""
        hit = self._memo.get(key)
        if hit is not None and hit[0] is status_list:
            return cast(_T, hit[1])  # the key's first part ("proof", "bits") names what compute() made
        value = compute()
        self._memo[key] = (status_list, value)
        return value


#: OB 3.0's own status method ("Verification": GET the list, look for the credential's id).
REVOCATION_LIST_TYPE = "1EdTechRevocationList"
#: Most entries read from a 1EdTechRevocationList document.
MAX_REVOKED_ENTRIES = 1_000_000


def _revocation_list_check(credential: Mapping[str, Any], url: str, doc: Any) -> StatusCheck:
    """A ``1EdTechRevocationList`` entry checked against a locally supplied copy of the list.

    The list is plain JSON, ``{"revokedCredential": [{"id", "revoked"?, "revocationReason"?}]}``
    (OB 3.0 "Verification", step 4); the credential is revoked when its ``id`` is listed with
    ``revoked`` not false. The list is unsigned: OB relies on HTTPS for it, so here it is trusted
    because the user supplied it, which the reason says.
    """

    def result(state: StatusState, reason: str) -> StatusCheck:
        return StatusCheck(state, "revocation", reason, url)

    entries = doc.get("revokedCredential") if isinstance(doc, Mapping) else None
    if not isinstance(entries, list):
        return result("invalid", f"1EdTechRevocationList {url}: the supplied file has no revokedCredential array")
    if len(entries) > MAX_REVOKED_ENTRIES:
        return result("invalid", f"1EdTechRevocationList {url}: more than {MAX_REVOKED_ENTRIES:,} entries; refused")
    cid = credential.get("id")
    if not isinstance(cid, str):
        return result("invalid", "the credential has no id to look up in its 1EdTechRevocationList")
    for item in entries:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            return result("invalid", f"1EdTechRevocationList {url}: an entry of revokedCredential has no id")
        if item["id"] != cid:
            continue
        revoked = item.get("revoked", True)
        if revoked is False:
            continue
        if revoked is not True:
            return result("invalid", f"1EdTechRevocationList {url}: 'revoked' of {cid} is {revoked!r}, not a boolean")
        why = item.get("revocationReason")
        because = f" ({why})" if isinstance(why, str) and why else ""
        return result("revoked", f"revoked{because}: {cid} is listed in 1EdTechRevocationList {url} (unsigned list, supplied locally)")
    return result("valid", f"{cid} is not listed in 1EdTechRevocationList {url} (unsigned list, supplied locally)")


def _other_type(entry: Mapping[str, Any]) -> StatusCheck:
    etype = entry.get("type")
    purpose = entry.get("statusPurpose") if isinstance(entry.get("statusPurpose"), str) else None
    eid = entry.get("id") if isinstance(entry.get("id"), str) else None
    if etype == REVOCATION_LIST_TYPE:
        return StatusCheck(
            "indeterminate",
            purpose or "revocation",
            f"1EdTechRevocationList {eid} not supplied; badgekit never fetches (download it and pass "
            "--status-list URL=FILE)",
            eid,
        )
    if etype == "StatusList2021Entry":
        url = entry.get("statusListCredential")
        return StatusCheck(
            "indeterminate",
            purpose,
            "StatusList2021Entry (the predecessor of Bitstring Status List) is not supported",
            url if isinstance(url, str) else None,
        )
    return StatusCheck("indeterminate", purpose, f"credentialStatus type {etype!r} is not supported", eid)


def _subject(status_list: Mapping[str, Any]) -> Mapping[str, Any] | None:
    subject = status_list.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    return subject if isinstance(subject, Mapping) else None


def _parse_index(value: object) -> int | None:
    """statusListIndex: a decimal string per the spec; a JSON integer too (1EdTech fixtures)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _DECIMAL.fullmatch(value) and len(value) <= 20:
        return int(value)
    return None

"""W3C Bitstring Status List 1.0: build, sign-ready and check revocation and suspension lists.

A status list is a bitstring of at least 131,072 entries, one bit per credential (index 0 = the most
significant bit of byte 0), published as ``encodedList`` = ``"u"`` + base64url-no-pad(GZIP(bits))
inside a ``BitstringStatusListCredential`` signed by the credential's issuer. A credential points
at its bit with a ``BitstringStatusListEntry`` in ``credentialStatus``.

Nothing here fetches: :func:`check_status` works only on list credentials the caller supplies,
and a list that is not supplied gives "indeterminate", never "valid". Decompression is bounded, so
a gzip bomb is an error rather than an out-of-memory crash.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import struct
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from badgekit import proof
from badgekit._io import load_json_file
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.errors import InputError
from badgekit.jsonld import VC_V2
from badgekit.keys import Signer

#: Minimum number of entries of a list (BSL "Validate Algorithm", minimumNumberOfEntries): 16 KiB.
MIN_ENTRIES = 131_072
#: Largest decompressed list accepted by default (a 16 KiB list is the norm; 16 MiB = 134M entries).
MAX_LIST_BYTES = 16 * 1024 * 1024

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
PURPOSES = ("revocation", "suspension")

StatusPurpose = Literal["revocation", "suspension"]
StatusState = Literal["valid", "revoked", "suspended", "invalid", "indeterminate"]

_GZIP_MAGIC = b"\x1f\x8b"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_DECIMAL = re.compile(r"[0-9]+")
_NONZERO = re.compile(rb"[^\x00]")


class StatusListError(InputError):
    """A status list cannot be decoded, built or read (corrupt, too large, wrong shape)."""


# ---------------------------------------------------------------------------------------------
# the bitstring


class Bitstring:
    """A fixed-size bitstring; bit ``i`` is bit ``7 - i % 8`` of byte ``i // 8`` (MSB first)."""

    __slots__ = ("_bytes", "_size")
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, size: int = MIN_ENTRIES) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise StatusListError(f"a bitstring size is a non-negative integer, got {size!r}")
        if size > MAX_LIST_BYTES * 8:
            raise StatusListError(f"a bitstring of {size:,} entries is larger than badgekit accepts")
        self._size = size
        self._bytes = bytearray((size + 7) // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """A bitstring holding ``data`` as is (``len(data) * 8`` entries)."""
        bits = cls(len(data) * 8)
        bits._bytes[:] = data
        return bits

    def to_bytes(self) -> bytes:
        """The raw (uncompressed) bytes, padded with zero bits to a whole byte."""
        return bytes(self._bytes)

    def __len__(self) -> int:
        return self._size

    def _check(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int):
            raise StatusListError(f"a status list index is an integer, got {i!r}")
        if not 0 <= i < self._size:
            raise StatusListError(f"status list index {i} is out of range (0 to {self._size - 1})")

    def get(self, i: int) -> bool:
        """The bit at index ``i``. Raises StatusListError when ``i`` is out of range."""
        self._check(i)
        return bool(self._bytes[i >> 3] & (0x80 >> (i & 7)))

    def set(self, i: int, value: bool = True) -> None:
        """Set (or with ``value=False`` clear) the bit at ``i``. Raises StatusListError out of range."""
        self._check(i)
        if value:
            self._bytes[i >> 3] |= 0x80 >> (i & 7)
        else:
            self._bytes[i >> 3] &= ~(0x80 >> (i & 7)) & 0xFF

    def set_indices(self) -> list[int]:
        """Every index whose bit is set, ascending."""
        out: list[int] = []
        for match in _NONZERO.finditer(self._bytes):
            byte_index = match.start()
            byte = self._bytes[byte_index]
            out.extend(byte_index * 8 + b for b in range(8) if byte & (0x80 >> b))
        return out

    def encode(self) -> str:
        """``"u"`` + base64url-no-pad(GZIP(bytes)), byte-for-byte reproducible.

        The gzip header is written here (mtime 0, OS "unknown") rather than by the gzip module,
        whose header depends on the zlib it was linked against.
        """
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        body = compressor.compress(self._bytes) + compressor.flush()
        trailer = struct.pack("<II", zlib.crc32(self._bytes), len(self._bytes) & 0xFFFFFFFF)
        gz = _GZIP_MAGIC + b"\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff" + body + trailer
        return "u" + base64.urlsafe_b64encode(gz).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: str, *, max_bytes: int = MAX_LIST_BYTES) -> Bitstring:
        """Parse an ``encodedList`` (BSL "Bitstring Expansion Algorithm").

        Accepts the ``u`` multibase prefix and, leniently, bare base64url as some older lists use.
        At most ``max_bytes`` decompressed bytes are produced.

        Raises:
            StatusListError: not base64url, not gzip, truncated, trailing data, or larger than
                ``max_bytes`` once decompressed (a gzip bomb).
        """
        if not isinstance(encoded, str):
            raise StatusListError(f"encodedList is not a string (got {type(encoded).__name__})")
        text = encoded[1:] if encoded.startswith("u") else encoded
        if not text:
            raise StatusListError("encodedList is empty")
        if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
            raise StatusListError("encodedList is not base64url (multibase 'u') text")
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("encodedList is not valid base64url") from None
        if not compressed.startswith(_GZIP_MAGIC):
            raise StatusListError("encodedList is not GZIP-compressed (no gzip header)")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip container only
        try:
            data = inflater.decompress(compressed, max_bytes + 1)
        except zlib.error as exc:
            raise StatusListError(f"encodedList is corrupt GZIP data ({exc})") from None
        if len(data) > max_bytes or inflater.unconsumed_tail:
            raise StatusListError(
                f"encodedList expands to more than {max_bytes:,} bytes; refused (possible gzip bomb)"
            )
        if not inflater.eof:
            raise StatusListError("encodedList is truncated GZIP data")
        if inflater.unused_data:
            raise StatusListError("encodedList has data after the end of the GZIP stream")
        return cls.from_bytes(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._size == other._size and self._bytes == other._bytes

    def __repr__(self) -> str:
        return f"Bitstring(size={self._size}, set={len(self.set_indices())})"


# ---------------------------------------------------------------------------------------------
# building entries and list credentials


def status_entry(list_url: str, index: int, purpose: StatusPurpose) -> dict[str, Any]:
    """The ``credentialStatus`` entry pointing at bit ``index`` of the list at ``list_url``.

    ``statusListIndex`` is written as a decimal string, as the spec requires.

    Raises:
        StatusListError: empty URL, negative or non-integer index, or unknown purpose.
    """
    _check_url(list_url)
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"a status list index is a non-negative integer, got {index!r}")
    _check_purpose(purpose)
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def list_credential(
    list_url: str,
    purpose: StatusPurpose,
    bits: Bitstring,
    *,
    issuer: Mapping[str, Any] | str,
    valid_from: str,
    valid_until: str | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (VC 2.0) publishing ``bits`` at ``list_url``.

    Sign it with :func:`sign_list_credential` (or ``proof.add_proof``) using the issuer's key.

    Raises:
        StatusListError: fewer than 131,072 entries, unknown purpose, bad URL, issuer without
            ``id``, dates that are not date-times with a time zone or in the wrong order, or a
            negative ``ttl_ms``.
    """
    _check_url(list_url)
    _check_purpose(purpose)
    if len(bits) < MIN_ENTRIES:
        raise StatusListError(
            f"a status list needs at least {MIN_ENTRIES:,} entries, this one has {len(bits):,}"
        )
    if _issuer_id(issuer) is None:
        raise StatusListError("the status list issuer has no id")
    start = _parse_datetime(valid_from)
    if start is None:
        raise StatusListError(f"validFrom {valid_from!r} is not a date-time with a time zone")
    if valid_until is not None:
        end = _parse_datetime(valid_until)
        if end is None:
            raise StatusListError(f"validUntil {valid_until!r} is not a date-time with a time zone")
        if end < start:
            raise StatusListError(f"validUntil {valid_until} is before validFrom {valid_from}")
    subject: dict[str, Any] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": bits.encode(),
    }
    if ttl_ms is not None:
        if isinstance(ttl_ms, bool) or not isinstance(ttl_ms, int) or ttl_ms < 0:
            raise StatusListError(f"ttl is a non-negative number of milliseconds, got {ttl_ms!r}")
        subject["ttl"] = ttl_ms
    cred: dict[str, Any] = {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": dict(issuer) if isinstance(issuer, Mapping) else issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        cred["validUntil"] = valid_until
    cred["credentialSubject"] = subject
    return cred


def sign_list_credential(
    cred: Mapping[str, Any],
    signer: Signer,
    created: str | datetime | None = None,
    *,
    loader: Callable[..., Any] | None = None,
) -> dict[str, Any]:
    """Return ``cred`` with an ``eddsa-rdfc-2022`` proof by ``signer``.

    The signer's verification method must belong to the list's issuer, since verifiers require
    that (a list signed by someone else is rejected).

    Raises:
        StatusListError: the verification method's controller is not the list's issuer.
        ProofError, DocumentLoaderError, JsonLdError: from signing.
    """
    issuer = _issuer_id(cred.get("issuer"))
    controller = signer.verification_method.partition("#")[0]
    if issuer != controller:
        raise StatusListError(
            f"the signing key {signer.verification_method} does not belong to the list's issuer {issuer}"
        )
    return proof.add_proof(cred, signer, created=created, loader=loader)


# ---------------------------------------------------------------------------------------------
# checking


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
    memo: dict[Any, Any] | None = None,
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
        memo: dict[Any, Any] | None = None,
    ) -> None:
        self.credential = credential
        self.lists = lists
        self.now = now
        self.resolver = resolver
        self.loader = loader
        self._list_problems: dict[str, tuple[StatusState, str] | None] = {}
        self._bits: dict[str, Bitstring | str] = {}
        # Across credentials: keyed by the list object's id, holding the object so the id stays its.
        self._memo: dict[Any, Any] = memo if memo is not None else {}

    def check(self, entry: Any) -> StatusCheck:
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

    def _list_problem(self, url: str, status_list: Any) -> tuple[StatusState, str] | None:
        if url not in self._list_problems:
            self._list_problems[url] = self._verify_list(url, status_list)
        return self._list_problems[url]

    def _verify_list(self, url: str, status_list: Any) -> tuple[StatusState, str] | None:
        bad = "invalid"
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

    def _decode(self, url: str, encoded: Any) -> Bitstring | str:
        if url not in self._bits:
            def decode() -> Bitstring | str:
                try:
                    return Bitstring.decode(encoded)
                except StatusListError as exc:
                    return exc.message
            self._bits[url] = self._shared(("bits", url), self.lists.get(url), decode)
        return self._bits[url]

    def _shared(self, key: tuple[str, str], status_list: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` for this list object, once per memo (see :func:`check_status`)."""
        hit = self._memo.get(key)
        if hit is not None and hit[0] is status_list:
            return hit[1]
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


# ---------------------------------------------------------------------------------------------
# files


def load_status_lists(paths: Iterable[str | os.PathLike[str]]) -> dict[str, dict[str, Any]]:
    """Read status list credentials from files, or from every ``*.json`` file in a folder.

    Keyed by each list's ``id``. A file named explicitly must be a ``BitstringStatusListCredential``;
    in a folder, JSON files that are not (a DID document, a credential) are skipped.

    Raises:
        InputError, LimitExceeded: a file is missing, unreadable, too large or not JSON.
        StatusListError: a named file is not a status list credential, a list has no ``id``, or
            two different lists claim the same ``id``.
    """
    found: dict[str, dict[str, Any]] = {}
    origin: dict[str, Path] = {}
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = sorted(p for p in path.glob("*.json") if p.is_file())
            explicit = False
        else:
            files = [path]
            explicit = True
        for file in files:
            doc = load_json_file(file)
            is_list = isinstance(doc, dict) and LIST_CREDENTIAL_TYPE in (
                doc.get("type") if isinstance(doc.get("type"), list) else [doc.get("type")]
            )
            if not is_list:
                if explicit:
                    raise StatusListError(f"{file}: not a {LIST_CREDENTIAL_TYPE}")
                continue
            lid = doc.get("id")
            if not isinstance(lid, str) or not lid:
                raise StatusListError(f"{file}: the status list credential has no id")
            if lid in found and found[lid] != doc:
                raise StatusListError(f"{file}: another status list with id {lid} was read from {origin[lid]}")
            found[lid] = doc
            origin[lid] = file
    return found


# ---------------------------------------------------------------------------------------------
# helpers


def _check_url(url: Any) -> None:
    if not isinstance(url, str) or ":" not in url or len(url.split(None, 1)) != 1 or url != url.strip():
        raise StatusListError(f"a status list URL must be an absolute URL, got {url!r}")
    if "#" in url:
        raise StatusListError(f"a status list URL must not have a fragment, got {url!r}")


def _check_purpose(purpose: Any) -> None:
    if purpose not in PURPOSES:
        raise StatusListError(f"status purpose must be 'revocation' or 'suspension', got {purpose!r}")


def _issuer_id(issuer: Any) -> str | None:
    if isinstance(issuer, str):
        return issuer or None
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"] or None
    return None


def _subject(status_list: Mapping[str, Any]) -> Mapping[str, Any] | None:
    subject = status_list.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    return subject if isinstance(subject, Mapping) else None


def _parse_index(value: Any) -> int | None:
    """statusListIndex: a decimal string per the spec; a JSON integer too (1EdTech fixtures)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and _DECIMAL.fullmatch(value) and len(value) <= 20:
        return int(value)
    return None


def _parse_datetime(value: Any) -> datetime | None:
    """A date-time with a time zone (XML Schema dateTimeStamp), or None."""
    try:
        return parse_datetime_stamp(value, field="date")
    except TimestampError:
        return None

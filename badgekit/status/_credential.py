"""Status entries and status list credentials: build, sign and read them from files."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from badgekit import cryptosuites, proof
from badgekit._io import load_json_file
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.jsonld import VC_V2
from badgekit.keys import Signer
from badgekit.status._bitstring import MIN_ENTRIES, Bitstring, StatusListError

ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
PURPOSES = ("revocation", "suspension")

StatusPurpose = Literal["revocation", "suspension"]


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
    """Return ``cred`` with a Data Integrity proof by ``signer``: ``eddsa-rdfc-2022`` for an Ed25519
    key, ``ecdsa-rdfc-2019`` for a P-256 / P-384 one (:func:`badgekit.cryptosuites.default_suite`).

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
    suite = cryptosuites.default_suite(getattr(signer, "key_type", "Ed25519"))
    return proof.add_proof(cred, signer, created=created, loader=loader, cryptosuite=suite)


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
            types = doc.get("type") if isinstance(doc, dict) else None
            is_list = isinstance(doc, dict) and LIST_CREDENTIAL_TYPE in (
                types if isinstance(types, list) else [types]
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


def _check_url(url: object) -> None:
    if not isinstance(url, str) or ":" not in url or len(url.split(None, 1)) != 1 or url != url.strip():
        raise StatusListError(f"a status list URL must be an absolute URL, got {url!r}")
    if "#" in url:
        raise StatusListError(f"a status list URL must not have a fragment, got {url!r}")


def _check_purpose(purpose: object) -> None:
    if purpose not in PURPOSES:
        raise StatusListError(f"status purpose must be 'revocation' or 'suspension', got {purpose!r}")


def _issuer_id(issuer: object) -> str | None:
    if isinstance(issuer, str):
        return issuer or None
    if isinstance(issuer, Mapping) and isinstance(issuer.get("id"), str):
        return issuer["id"] or None
    return None


def _parse_datetime(value: object) -> datetime | None:
    """A date-time with a time zone (XML Schema dateTimeStamp), or None."""
    try:
        return parse_datetime_stamp(value, field="date")
    except TimestampError:
        return None

"""What verification may use besides the credential (:class:`VerifyOptions`), and reading it
from files: the verification time, DID documents."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from badgekit._io import MAX_INPUT_BYTES, load_json_file
from badgekit._time import parse_datetime_stamp
from badgekit.errors import InputError

if TYPE_CHECKING:
    from badgekit.verify._policy import TrustList


@dataclass(frozen=True)
class VerifyOptions:
    """What verification may use besides the credential. Everything is local.

    ``at``: the time to verify at (default: now, UTC). ``status_lists``: status list URL →
    parsed list credential (see :func:`badgekit.status.load_status_lists`). ``did_documents``:
    controller id → DID document or issuer profile holding ``verificationMethod``. ``trust``: an
    optional :class:`TrustList`. ``loader``: JSON-LD document loader (default: bundled contexts
    only). ``max_bytes``: largest input accepted. ``recipient``: who the credential should have
    been issued to (email address, URL, phone number or DID) for check 10; None skips it.
    ``provenance``: DID document or status list id → where it came from (e.g. "cached
    2026-01-15", see :mod:`badgekit.cache`), shown in the reasons that rely on it.
    ``ob2_documents``: URL → copy of the Open Badges 2.0 document published there (hosted
    assertion, BadgeClass, issuer Profile, CryptographicKey, RevocationList; see
    :func:`badgekit.ob2.load_documents`), for OB 2.0 assertions.
    """

    at: datetime | None = None
    status_lists: Mapping[str, Any] = field(default_factory=dict)
    did_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    trust: TrustList | None = None
    loader: Callable[..., Any] | None = None
    max_bytes: int = MAX_INPUT_BYTES
    recipient: str | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)
    ob2_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: Work shared by every credential verified with these options (each status list's proof is
    #: verified once). Internal; never compared or shown.
    memo: dict[tuple[str, str], tuple[object, object]] = field(default_factory=dict, repr=False, compare=False)
    #: Check 5's finding per (proof number, verification method, issuer), which depends on nothing
    #: else but these options: resolved once per run, not once per credential. Internal.
    key_memo: dict[tuple[int, str, str], object] = field(default_factory=dict, repr=False, compare=False)


def parse_timestamp(text: str, *, field: str = "the verification time") -> datetime:
    """A DateTimeZ (``2026-01-15T12:00:00Z``; the time zone is mandatory) as an aware datetime in
    UTC (:func:`badgekit._time.parse_datetime_stamp`; ``field`` names it in the error).

    Raises:
        InputError: not a date-time with a time zone.
    """
    return parse_datetime_stamp(text, field=field).astimezone(UTC)


def load_did_documents(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Mapping[str, Any]]:
    """DID documents (or issuer profiles with ``verificationMethod``) keyed by their ``id``.

    Raises:
        InputError: a file is missing, not JSON, or not an object with a string ``id``.
    """
    documents: dict[str, Mapping[str, Any]] = {}
    for p in paths:
        doc = load_json_file(p)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise InputError(f"{p}: a DID document is a JSON object with a string \"id\"")
        documents[doc["id"]] = doc
    return documents

"""The OB 2.0 badge objects read as plain JSON: what each class requires (OB 2.0 "Open Badges
Vocabulary", with the 1EdTech openbadges-validator-core's rules for the required properties and
their value types), and small readers shared by verification and migration.

No JSON-LD processing: OB 2.0 signs a JWS over the bytes and verifies hosted assertions by
comparing them with the issuer's copy, so nothing depends on expansion. The aliases the OB 2.0
context defines and issuers used (``verify`` for ``verification``, ``hosted``/``signed`` for the
verification types) are read as such.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from badgekit import _legacy
from badgekit._io import as_list as as_list  # re-exported: badgekit.ob2.as_list
from badgekit._time import TimestampError, parse_datetime_stamp

HOSTED = "HostedBadge"
SIGNED = "SignedBadge"
_VERIFICATION_TYPES = {"HostedBadge": HOSTED, "hosted": HOSTED, "SignedBadge": SIGNED, "signed": SIGNED}
#: IdentityObject ``type`` values OB 2.0 recommends ("Profile Identifier Properties").
IDENTITY_TYPES = ("email", "url", "telephone", "id")
_HASH = re.compile(r"^(sha256|md5)\$[0-9a-fA-F]+$")
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
# OB 2.0 DateTime: ISO 8601 with a time zone; seconds optional ("optional seconds and decimal").
_NO_SECONDS = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$")
_COMPACT_OFFSET = re.compile(r"^(.*T[0-9:.]+)([+-]\d{2})(\d{2})$")


def node_id(value: object) -> str | None:
    """The ``id`` of a property that is an IRI or an embedded object (``badge``, ``issuer``, ``creator``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None


def short_url(url: str, limit: int = 300) -> str:
    """``url`` as reports show it: at most ``limit`` characters (a hostile badge can name a
    URL of megabytes; the checks keep it whole)."""
    return url if len(url) <= limit else url[: limit - 1] + "…"


def is_http(value: object) -> bool:
    """An http(s) URL, its scheme in any case (:func:`badgekit._legacy.is_http_url`)."""
    return _legacy.is_http_url(value)


def is_iri(value: object) -> bool:
    return isinstance(value, str) and bool(_IRI.match(value))


def verification_of(assertion: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The assertion's VerificationObject (``verification``, or its alias ``verify``)."""
    found = assertion.get("verification", assertion.get("verify"))
    return found if isinstance(found, Mapping) else None


def verification_type(assertion: Mapping[str, Any]) -> str | None:
    """``HostedBadge`` or ``SignedBadge`` (aliases and a list of types read), else None."""
    found = verification_of(assertion)
    for t in as_list(found.get("type")) if found is not None else []:
        if isinstance(t, str) and t in _VERIFICATION_TYPES:
            return _VERIFICATION_TYPES[t]
    return None


def parse_datetime(value: object, *, field: str) -> datetime:
    """An OB 2.0 DateTime in UTC: ISO 8601 with a time zone (``Z`` or an offset, seconds optional).

    Raises:
        TimestampError: no time zone (OB 2.0 requires one), a bare date, not a string.
    """
    if isinstance(value, str):
        text = value.strip()
        m = _NO_SECONDS.match(text)
        if m:
            text = f"{m.group(1)}:00{m.group(2)}"
        m = _COMPACT_OFFSET.match(text)
        if m:  # +0000, as some issuers wrote it
            text = f"{m.group(1)}{m.group(2)}:{m.group(3)}"
        try:
            return parse_datetime_stamp(text, field=field).astimezone(UTC)
        except TimestampError:
            pass
    return parse_datetime_stamp(value, field=field).astimezone(UTC)


def has_type(doc: Mapping[str, Any], *wanted: str) -> bool:
    return any(isinstance(t, str) and t in wanted for t in as_list(doc.get("type")))


def assertion_problems(doc: Mapping[str, Any]) -> list[str]:
    """What an Assertion lacks or has wrong (OB 2.0 "Assertion"); empty when it conforms."""
    problems: list[str] = []
    if "@context" not in doc:
        problems.append("no @context: an Open Badges 1.0 (or older) assertion; badgekit reads OB 2.0 and 1.1")
        return problems
    if not is_iri(doc.get("id")):
        problems.append("id is not an IRI")
    if not has_type(doc, "Assertion"):
        problems.append("type does not include Assertion")
    problems += [f"recipient: {p}" for p in identity_problems(doc.get("recipient"))]
    badge = doc.get("badge")
    if not (is_iri(badge) or (isinstance(badge, Mapping) and is_iri(badge.get("id")))):
        problems.append("badge is neither a BadgeClass IRI nor an embedded BadgeClass with an id")
    elif isinstance(badge, Mapping):
        problems += [f"badge: {p}" for p in badge_class_problems(badge)]
    if verification_of(doc) is None:
        problems.append("verification is missing (a VerificationObject is required)")
    elif verification_type(doc) is None:
        problems.append("verification.type is neither HostedBadge nor SignedBadge")
    for field, required in (("issuedOn", True), ("expires", False)):
        if field not in doc:
            if required:
                problems.append(f"{field} is missing")
            continue
        try:
            parse_datetime(doc[field], field=field)
        except TimestampError as exc:
            problems.append(exc.message)
    for n, item in enumerate(as_list(doc.get("evidence"))):
        if not (is_iri(item) or isinstance(item, Mapping)):
            problems.append(f"evidence[{n}] is neither an IRI nor an Evidence object")
    if "narrative" in doc and not isinstance(doc["narrative"], str):
        problems.append("narrative is not text")
    return problems


def identity_problems(identity: object) -> list[str]:
    """What an IdentityObject lacks or has wrong (OB 2.0 "IdentityObject")."""
    if not isinstance(identity, Mapping):
        return ["not an IdentityObject"]
    problems = []
    if not isinstance(identity.get("type"), str) or not identity["type"]:
        problems.append("type is missing (email, url, telephone or id)")
    if not isinstance(identity.get("identity"), str) or not identity["identity"]:
        problems.append("identity is missing")
    hashed = identity.get("hashed")
    if not isinstance(hashed, bool):
        problems.append("hashed is not a boolean")
    elif hashed and isinstance(identity.get("identity"), str) and not _HASH.match(identity["identity"]):
        problems.append("identity is not sha256$… or md5$… although hashed is true")
    if "salt" in identity and not isinstance(identity["salt"], str):
        problems.append("salt is not text")
    return problems


def badge_class_problems(doc: Mapping[str, Any]) -> list[str]:
    """What a BadgeClass lacks (OB 2.0 "BadgeClass": id, type, name, description, criteria, issuer)."""
    problems = []
    if not is_iri(doc.get("id")):
        problems.append("id is not an IRI")
    if not has_type(doc, "BadgeClass"):
        problems.append("type does not include BadgeClass")
    for field in ("name", "description"):
        if not isinstance(doc.get(field), str):
            problems.append(f"{field} is missing")
    if not (is_iri(doc.get("criteria")) or isinstance(doc.get("criteria"), Mapping)):
        problems.append("criteria is missing")
    if node_id(doc.get("issuer")) is None:
        problems.append("issuer is missing")
    return problems


def profile_problems(doc: Mapping[str, Any]) -> list[str]:
    """What an issuer Profile lacks (OB 2.0 "Profile": id, type, name as an issuer)."""
    problems = []
    if not is_iri(doc.get("id")):
        problems.append("id is not an IRI")
    if not has_type(doc, "Issuer", "Profile"):
        problems.append("type includes neither Issuer nor Profile")
    if not isinstance(doc.get("name"), str):
        problems.append("name is missing")
    return problems


def _is_hashed(identity: Mapping[str, Any]) -> bool:
    """The ``hashed`` flag; without one (malformed, check 2 says so), the ``identity``'s shape."""
    flag = identity.get("hashed")
    if isinstance(flag, bool):
        return flag
    value = identity.get("identity")
    return isinstance(value, str) and bool(_HASH.match(value))


def describe_recipient(identity: object) -> str | None:
    """How the assertion names its recipient: ``email (hashed)``, ``url (plaintext)``."""
    if not isinstance(identity, Mapping):
        return None
    kind = identity.get("type") if isinstance(identity.get("type"), str) else "identity"
    return f"{kind} ({'hashed' if _is_hashed(identity) else 'plaintext'})"


def as_identifier(identity: Mapping[str, Any]) -> dict[str, Any]:
    """An OB 2.0 IdentityObject in OB 3.0 terms (``identityType``, ``identityHash``, ``hashed``,
    ``salt``), value for value: the hash and salt unchanged, so whoever the old assertion names,
    the new one names. OB 2.0's ``email`` is OB 3.0's ``emailAddress`` and ``id`` its
    ``identifier``; OB 3.0's IdentifierTypeEnum has no URL or telephone type, so those are
    extensions (``ext:url``, ``ext:telephone``), which ``verify --recipient`` reads by name."""
    kind = identity.get("type")
    mapped = {"email": "emailAddress", "id": "identifier"}
    out: dict[str, Any] = {
        "type": "IdentityObject",
        "identityHash": identity.get("identity"),
        "identityType": mapped.get(kind, f"ext:{kind}") if isinstance(kind, str) else "identifier",
        "hashed": _is_hashed(identity),
    }
    if isinstance(identity.get("salt"), str):
        out["salt"] = identity["salt"]
    return out

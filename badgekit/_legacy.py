"""Which JSON documents are Open Badges 2.0 (or 1.x), told by content in one place.

:mod:`badgekit._envelope` (is this stored badge an OB 2.0 assertion?), :mod:`badgekit.cache`
(may this file be cached as an OB 2.0 document?) and :mod:`badgekit.ob2` ask the same question:
this module answers it without loading the OB 2.0 reader, so ``badgekit verify`` of an OB 3.0
credential never loads it.

    >>> is_open_badges_2({"@context": "https://w3id.org/openbadges/v2", "type": "Assertion"})
    True
    >>> is_open_badges_2({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]})
    False
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

#: The OB 2.0 context, and the OB 1.1 one (an OB 1.1 assertion reads as OB 2.0: same classes
#: and properties), as published and as their older openbadgespec.org copies.
CONTEXTS = frozenset({
    "https://w3id.org/openbadges/v2",
    "https://w3id.org/openbadges/v1",
    "https://openbadgespec.org/v2/context.json",
    "https://openbadgespec.org/v1/context.json",
})
#: The OB 2.0 classes a verifier may be given a copy of (issuer profiles are ``Issuer`` or
#: ``Profile``; the rest each have one type).
DOCUMENT_TYPES = frozenset({"Assertion", "BadgeClass", "Issuer", "Profile", "CryptographicKey", "RevocationList"})


def has_ob2_context(doc: Mapping[str, Any]) -> bool:
    """True when one of ``doc``'s ``@context`` entries is an OB 2.0 or 1.1 context URL."""
    ctx = doc.get("@context")
    entries = ctx if isinstance(ctx, list) else [ctx]
    return any(isinstance(e, str) and e.rstrip("/") in CONTEXTS for e in entries)


def is_open_badges_2(doc: Mapping[str, Any]) -> bool:
    """True for an OB 2.0 / 1.1 document (its context says so), and for an OB 1.0 or 0.5
    assertion (no ``@context``, but a ``recipient`` and a ``badge``), which the OB 2.0 reader
    refuses with that reason rather than the OB 3.0 schema listing what it lacks."""
    if has_ob2_context(doc):
        return True
    return "@context" not in doc and "recipient" in doc and "badge" in doc


_HTTP_URL = r"(?is)(https?)://([^/?#]*)(.*)\Z"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


def is_http_url(value: object) -> bool:
    """True for an ``http://`` or ``https://`` URL, its scheme in any case (RFC 3986 §3.1:
    ``HTTPS://`` is the same scheme). OB 2.0 links documents (hosted assertions, BadgeClasses,
    Profiles, keys) by such URLs."""
    return isinstance(value, str) and len(value) > 8 and re.match(_HTTP_URL, value) is not None


def normalize_url(url: str) -> str:
    """``url`` with an http(s) scheme and host in lower case (RFC 3986 §6.2.2.1: case
    normalisation), the rest (user information, port, path, query) as written: the form two URLs
    are compared in. Any other string is returned unchanged.

        >>> normalize_url("HTTPS://Issuer.Example.org/Assertions/1.json")
        'https://issuer.example.org/Assertions/1.json'
    """
    m = re.match(_HTTP_URL, url)
    if m is None:
        return url
    user, at, host = m.group(2).rpartition("@")
    return f"{m.group(1).lower()}://{user}{at}{host.lower()}{m.group(3)}"


def document_type(doc: Mapping[str, Any]) -> str | None:
    """The OB 2.0 class of a document (one of :data:`DOCUMENT_TYPES`), or None."""
    types = doc.get("type")
    for t in types if isinstance(types, list) else [types]:
        if isinstance(t, str) and t in DOCUMENT_TYPES:
            return t
    return None


__all__ = ["CONTEXTS", "DOCUMENT_TYPES", "document_type", "has_ob2_context", "is_http_url", "is_open_badges_2",
           "normalize_url"]

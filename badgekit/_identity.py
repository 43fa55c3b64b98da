"""OB 3.0 IdentityObject matching, in one place: does an ``identifier`` name this value?

Used by ``badgekit verify --recipient`` (check 10) and by bundling (which roster row a credential
was issued to). A hashed identifier is compared by recomputing the IdentityHash with its salt
(``sha256$`` + hex(SHA-256(value + salt)); ``md5$`` read too, as OB 2.0 did), in constant time;
a plaintext one by equality. Which values to try (an email as typed and as badgekit normalises it,
a phone number with and without punctuation) is the caller's business.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

_HASH = r"^(sha256|md5)\$([0-9a-fA-F]+)$"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


def is_hashed(identifier: Mapping[str, Any]) -> bool:
    """Whether an IdentityObject holds a hash: its ``hashed`` flag, or without one, whether
    ``identityHash`` has the ``sha256$…``/``md5$…`` shape."""
    flag = identifier.get("hashed")
    if flag is None:
        stored = identifier.get("identityHash")
        return isinstance(stored, str) and bool(re.match(_HASH, stored))
    return flag is True


def hash_matches(stored: str, values: Sequence[str], salt: str) -> bool:
    """True when ``stored`` (``sha256$hex`` or ``md5$hex``) is the hash of one of ``values`` + ``salt``."""
    m = re.match(_HASH, stored.strip())
    if m is None:
        return False
    algorithm, digest = m.group(1), m.group(2).lower()
    for value in values:
        mine = hashlib.new(algorithm, (value + salt).encode("utf-8"), usedforsecurity=False).hexdigest()
        if hmac.compare_digest(mine, digest):
            return True
    return False


def matches(identifier: Mapping[str, Any], values: Sequence[str], *,
            same: Callable[[str, str], bool] | None = None) -> bool:
    """True when the IdentityObject ``identifier`` names one of ``values``.

    Hashed: the hash is recomputed with the identifier's ``salt`` (missing: empty). Plaintext: the
    stored value, trimmed, is one of ``values``, or ``same(stored, values[0])`` says so (e.g. two
    emails equal once normalised). A malformed identifier matches nothing.
    """
    stored = identifier.get("identityHash")
    if not isinstance(stored, str) or not values:
        return False
    salt = identifier.get("salt")
    if is_hashed(identifier):
        return hash_matches(stored, values, salt if isinstance(salt, str) else "")
    plain = stored.strip()
    return plain in values or (same is not None and same(plain, values[0]))


__all__ = ["hash_matches", "is_hashed", "matches"]

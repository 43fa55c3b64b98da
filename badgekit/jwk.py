"""JSON Web Key basics that :mod:`badgekit.keys`, :mod:`badgekit.did` and :mod:`badgekit.jwt` share.

Strict base64url (RFC 7515 §2), RFC 7638 thumbprints and RFC 9278 thumbprint URIs, and the JWK
members that hold private key material (RFC 7518 §6). This module sits below all three, so none of
them needs to import another to name a key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from badgekit.errors import JwtError

__all__ = [
    "JWK_THUMBPRINT_URN",
    "PRIVATE_JWK_MEMBERS",
    "b64url_decode",
    "b64url_encode",
    "jwk_thumbprint",
    "jwk_thumbprint_uri",
]

JWK_THUMBPRINT_URN = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

#: Private-key members of a JWK (RFC 7518 §6): never written to a DID document, never accepted
#: in a JWS header (:mod:`badgekit.jwt`).
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})

_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")


def b64url_decode(part: str, *, what: str = "value") -> bytes:
    """Strict base64url without padding (RFC 7515 §2).

    Raises:
        JwtError: padding, characters outside the base64url alphabet, or an impossible length.
    """
    if not _B64URL.match(part) or len(part) % 4 == 1:
        raise JwtError(f"JWS {what} is not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        raise JwtError(f"JWS {what} is not valid base64url") from None


def b64url_encode(data: bytes) -> str:
    """Base64url without padding (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 SHA-256 thumbprint (base64url) of a public JWK.

    Raises:
        JwtError: unsupported key type or missing members.
    """
    kty = jwk.get("kty")
    required = {"RSA": ("e", "kty", "n"), "EC": ("crv", "kty", "x", "y"), "OKP": ("crv", "kty", "x")}.get(str(kty))
    if required is None:
        raise JwtError(f"unsupported jwk kty {kty!r}")
    members = {}
    for name in required:
        if not isinstance(jwk.get(name), str):
            raise JwtError(f"jwk is missing {name!r}")
        members[name] = jwk[name]
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return b64url_encode(hashlib.sha256(canonical).digest())


def jwk_thumbprint_uri(jwk: Mapping[str, Any]) -> str:
    """RFC 9278 thumbprint URI, ``urn:ietf:params:oauth:jwk-thumbprint:sha-256:…``."""
    return JWK_THUMBPRINT_URN + jwk_thumbprint(jwk)

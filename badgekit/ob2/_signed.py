"""Signed OB 2.0 assertions (OB 2.0 "SignedBadge Verification"): the JWS header, and the issuer's
key from its ``CryptographicKey`` document (``publicKeyPem``).

The JWS is parsed and its signature checked by :mod:`badgekit.jwt` (RS256 as OB 2.0 recommends,
ES256 too: each algorithm tied to one key type). A key is trusted only through the issuer: the
``CryptographicKey``'s ``owner`` is the issuer Profile's ``id`` and the Profile lists the key in
``publicKey`` (step 4: "do not trust a key that is not properly linked from the issuer Profile");
a ``jwk``, ``jku`` or ``x5c`` in the header is never used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgekit import jwt
from badgekit.jwk import b64url_encode
from badgekit.ob2._objects import as_list, node_id

#: The algorithms accepted for an OB 2.0 JWS.
ALGORITHMS = ("RS256", "ES256")


def header_problem(header: Mapping[str, Any]) -> str | None:
    """Why the JWS header is refused, or None: an algorithm other than RS256/ES256 (as for every
    JWS: :func:`badgekit.jwt.alg_problem`), or ``crit`` (RFC 7515 §4.1.11: extensions not understood)."""
    problem = jwt.alg_problem(header, ALGORITHMS)
    if problem:
        return problem
    if "crit" in header:
        return "JWS header has crit (extensions badgekit does not understand): refused"
    return None


def public_key(document: Mapping[str, Any], alg: str, *, key_id: str) -> jwt.JwtKey:
    """The verification key a ``CryptographicKey`` document publishes, for ``alg``.

    Raises:
        JwtError: no ``publicKeyPem``, not a PEM public key, a key type that is not ``alg``'s, RSA
            under 2048 bits, EC not P-256.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    pem = document.get("publicKeyPem")
    if not isinstance(pem, str) or "BEGIN" not in pem:
        raise jwt.JwtError(f"CryptographicKey {key_id} has no publicKeyPem")
    try:
        key = load_pem_public_key(pem.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError):
        raise jwt.JwtError(f"CryptographicKey {key_id}: publicKeyPem is not a PEM public key") from None
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        jwk = {"kty": "RSA", "n": _b64_int(numbers.n), "e": _b64_int(numbers.e)}
    elif isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        point = key.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": _b64_int(point.x, 32), "y": _b64_int(point.y, 32)}
    else:
        raise jwt.JwtError(f"CryptographicKey {key_id}: an RSA or P-256 key is expected")
    owner = node_id(document.get("owner"))
    return jwt.key_from_jwk(jwk, alg, source="CryptographicKey", key_id=key_id, controller=owner)


def issuer_key_ids(profile: Mapping[str, Any]) -> list[str]:
    """The key ids an issuer Profile authorises (``publicKey``: IRIs or embedded keys with an id)."""
    return [k for k in (node_id(v) for v in as_list(profile.get("publicKey"))) if k]


def _b64_int(value: int, size: int | None = None) -> str:
    length = size or max(1, (value.bit_length() + 7) // 8)
    return b64url_encode(value.to_bytes(length, "big"))

"""The compact JWS itself: its shape, parsing, and the header rules of the two ways badgekit reads
a credential secured with JOSE (OB 3.0 VC-JWT, W3C VC-JOSE-COSE ``application/vc+jwt``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from badgekit._io import MAX_INPUT_BYTES, loads_json
from badgekit.errors import InputError, JwtError
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_decode

#: The only algorithms accepted (OB 3.0 allows RS256 and others; these three are interoperable).
ALLOWED_ALGORITHMS = ("RS256", "ES256", "EdDSA")
#: OB 3.0: "no other headers" than these.
ALLOWED_HEADERS = frozenset({"alg", "typ", "kid", "jwk"})
#: ``typ`` values accepted when present: OB 3.0 says "JWT"; W3C VC-JOSE-COSE says "vc+jwt".
ALLOWED_TYP = frozenset({"JWT", "vc+jwt", "application/vc+jwt"})
#: Registered JWT claims that frame the credential (RFC 7519 §4.1); not part of the credential.
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")

#: How a JWS secures a credential. ``vc-jwt``: OB 3.0 "VC-JWT" (``typ`` JWT or none; ``nbf``/``exp``
#: repeat validFrom/validUntil; a VC 1.1 ``vc`` claim is read). ``vc+jwt``: W3C VC-JOSE-COSE
#: ``application/vc+jwt`` (``typ`` vc+jwt, or enveloped in a ``data:application/vc+jwt,`` URL): the
#: payload is the VCDM 2.0 credential, no ``vc`` claim; ``iat``/``nbf``/``exp`` time the signature.
Securing = Literal["vc-jwt", "vc+jwt"]
VC_JWT: Securing = "vc-jwt"
VC_JOSE: Securing = "vc+jwt"
#: The media type of a credential secured with JOSE (VC-JOSE-COSE §3.1.1), and its ``typ`` values
#: (RFC 7515 §4.1.9: the ``application/`` prefix may be left out).
VC_JWT_MEDIA_TYPE = "application/vc+jwt"
_VC_JOSE_TYP = frozenset({"vc+jwt", VC_JWT_MEDIA_TYPE})
#: ``cty`` values of a credential under ``typ: vc+jwt`` (VC-JOSE-COSE: "SHOULD be vc").
_VC_JOSE_CTY = frozenset({"vc", "application/vc"})

_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def looks_like_jws(text: str) -> bool:
    """True when ``text`` has the shape of a compact JWS (three base64url parts)."""
    return bool(_COMPACT.match(text.strip()))


@dataclass(frozen=True)
class CompactJws:
    """A parsed, not yet verified, compact JWS."""

    header: Mapping[str, Any]
    payload: Mapping[str, Any]
    signing_input: bytes = field(repr=False)
    signature: bytes = field(repr=False)


def parse(token: str, *, max_bytes: int = MAX_INPUT_BYTES) -> CompactJws:
    """Split and decode a compact JWS; nothing is verified yet.

    Raises:
        JwtError: not three base64url parts, header or payload not a JSON object, duplicate
            header parameters, or larger than ``max_bytes``.
        LimitExceeded: the payload nests too deeply.
    """
    token = token.strip()
    if len(token) > max_bytes:
        raise JwtError(f"JWS larger than {max_bytes} bytes, refused")
    parts = token.split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise JwtError("not a compact JWS (expected header.payload.signature)")
    raw_header = b64url_decode(parts[0], what="header")
    if len(raw_header) > 16 * 1024:
        raise JwtError("JWS header larger than 16 KiB, refused")
    try:
        # Strict JSON (_io.loads_json): RFC 7515 §4 lets a verifier reject duplicate header names,
        # and rejecting removes any doubt about which "alg" was meant; NaN, unpaired surrogates
        # and deep nesting are refused as in the payload.
        header = loads_json(raw_header, source="JWS header", max_depth=8)
    except InputError as exc:
        raise JwtError(exc.message) from None
    if not isinstance(header, dict):
        raise JwtError("JWS header is not a JSON object")
    payload = loads_json(b64url_decode(parts[1], what="payload"), source="JWS payload")
    if not isinstance(payload, dict):
        raise JwtError("JWS payload is not a JSON object")
    signature = b64url_decode(parts[2], what="signature")
    return CompactJws(header, payload, f"{parts[0]}.{parts[1]}".encode("ascii"), signature)


def securing_of(header: Mapping[str, Any]) -> Securing:
    """:data:`VC_JOSE` when the header's ``typ`` says ``vc+jwt``, else :data:`VC_JWT` (OB 3.0)."""
    return VC_JOSE if one_of(header.get("typ"), _VC_JOSE_TYP) else VC_JWT


def one_of(value: object, allowed: frozenset[str]) -> bool:
    """``value in allowed`` for a header value of any JSON type (a list or an object is none of them)."""
    return isinstance(value, str) and value in allowed


def alg_problem(header: Mapping[str, Any], accepted: Sequence[str] = ALLOWED_ALGORITHMS) -> str | None:
    """Why the protected header's ``alg`` is refused, or None: missing, ``none`` (unsigned), a
    shared-secret MAC (``HS*``: whoever can check it can forge it), or not one of ``accepted``.
    Every JWS badgekit verifies: VC-JWT, VC-JOSE-COSE, SD-JWT VC and its key binding, OB 2.0."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        return "JWS header has no alg"
    if alg.lower() == "none":
        return "alg 'none' (an unsigned JWT) is refused"
    if alg.upper().startswith("HS"):
        return f"alg {alg!r} (a shared-secret MAC) is refused: a credential must be signed with a public key"
    if alg not in accepted:
        return f"alg {alg!r} is not accepted (accepted: {', '.join(accepted)})"
    return None


def header_problem(header: Mapping[str, Any], securing: Securing | None = None) -> str | None:
    """Why the protected header is refused, or None.

    OB 3.0 "VC-JWT" (``securing`` :data:`VC_JWT`): only ``alg``, ``kid``, ``jwk`` and ``typ``.
    VC-JOSE-COSE (:data:`VC_JOSE`, the default when ``typ`` says so): ``cty``, when present, is
    ``vc``; other parameters are ignored as RFC 7515 and VC-JOSE-COSE §3.3 say, except ``crit``
    (badgekit understands no extension, so RFC 7515 §4.1.11 makes it refuse the JWS). In both, an
    accepted ``alg`` (no ``none``, no MAC), a non-empty ``kid`` and a ``jwk`` without private parts.
    """
    securing = securing or securing_of(header)
    problem = alg_problem(header)
    if problem:
        return problem
    if securing == VC_JOSE:
        if "crit" in header:
            return f"crit {header['crit']!r}: the JWS needs extensions badgekit does not implement (RFC 7515 §4.1.11)"
        if "typ" in header and not one_of(header["typ"], ALLOWED_TYP):
            return f"typ {header['typ']!r} is not 'vc+jwt'"
        if "cty" in header and not one_of(header["cty"], _VC_JOSE_CTY):
            return f"cty {header['cty']!r}: a vc+jwt credential's content type is 'vc' (VC-JOSE-COSE §3.1.1)"
    else:
        extra = sorted(set(header) - ALLOWED_HEADERS)
        if extra:
            return f"JWS header parameter(s) {', '.join(map(repr, extra))} not allowed by OB 3.0 (only alg, kid, jwk, typ)"
        if "typ" in header and not one_of(header["typ"], ALLOWED_TYP):
            return f"typ {header['typ']!r} is not 'JWT'"
    if "kid" in header and (not isinstance(header["kid"], str) or not header["kid"]):
        return "kid is not a non-empty string"
    if "jwk" in header:
        jwk = header["jwk"]
        if not isinstance(jwk, Mapping):
            return "jwk header is not a JSON object"
        leaked = sorted(PRIVATE_JWK_MEMBERS & set(jwk))
        if leaked:
            return f"jwk header contains private key material ({', '.join(leaked)}): refused (and the key is compromised)"
    return None

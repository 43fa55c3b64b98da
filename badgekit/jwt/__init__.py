"""Credentials secured with JOSE (compact JWS, RFC 7515/7519): sign, parse, check, verify.

Two ways to carry a credential in a JWS, told apart by the header's ``typ``
(:func:`securing_of`), or by an ``EnvelopedVerifiableCredential`` around the token
(:func:`enveloped`):

* OB 3.0 "Proofs › VC-JWT" (:data:`VC_JWT`): header ``alg`` (RS256 at least; others allowed),
  ``kid`` (a URI naming the key) or ``jwk`` (never with private parts), ``typ: "JWT"`` if present,
  no other header. The payload is the credential plus ``iss`` = issuer id, ``jti`` = id, ``nbf`` =
  validFrom, ``sub`` = credentialSubject.id, ``exp`` = validUntil; the VC 1.1 style nests the
  credential under ``vc``.
* W3C VC-JOSE-COSE ``application/vc+jwt`` (:data:`VC_JOSE`): ``typ: "vc+jwt"``, ``cty: "vc"`` if
  present, other header parameters ignored (``crit`` refused); the payload is the VCDM 2.0
  credential itself, never a ``vc`` claim; ``iss`` (when present) = issuer id; ``iat``/``nbf``/
  ``exp`` time the signature, not the credential.

Signatures are checked with ``cryptography`` directly rather than a general JWT library: the
allow-list is three algorithms, each tied to one key type (RS256 ⇔ RSA ≥ 2048 bits, ES256 ⇔ P-256,
EdDSA ⇔ Ed25519), so ``alg: none``, HMAC with a public key as secret and every other algorithm
confusion are impossible by construction rather than by configuration. Nothing here fetches: a
``kid`` resolves only as a did:key or from DID documents the caller supplies.

Signing (:func:`sign_vc_jwt`) writes the VC 2.0 style in both forms: the payload is the
credential itself plus the registered claims, never a ``vc`` wrapper.

    >>> securing_of({"alg": "ES256", "typ": "vc+jwt"}), securing_of({"alg": "EdDSA", "typ": "JWT"})
    ('vc+jwt', 'vc-jwt')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgekit.errors import JwtError as JwtError  # re-exported: callers know it as jwt.JwtError
from badgekit.jwk import JWK_THUMBPRINT_URN as JWK_THUMBPRINT_URN  # re-exported, as below
from badgekit.jwk import b64url_decode, b64url_encode, jwk_thumbprint, jwk_thumbprint_uri
from badgekit.jwt._claims import (
    ENVELOPED_TYPE,
    VCDM2_CONTEXT,
    claim_problems,
    credential_from_payload,
    enveloped,
    time_problem,
    vc_jwt_claims,
)
from badgekit.jwt._jws import (
    ALLOWED_ALGORITHMS,
    ALLOWED_HEADERS,
    ALLOWED_TYP,
    REGISTERED_CLAIMS,
    VC_JOSE,
    VC_JWT,
    VC_JWT_MEDIA_TYPE,
    CompactJws,
    Securing,
    alg_problem,
    header_problem,
    looks_like_jws,
    one_of,
    parse,
    securing_of,
)
from badgekit.jwt._keys import (
    MIN_RSA_BITS,
    JwtKey,
    did_key_of,
    key_from_jwk,
    resolve_key,
    verify_signature,
)
from badgekit.jwt._sign import SIGNING_ALGORITHMS, sign_vc_jwt

__all__ = [
    "ALLOWED_ALGORITHMS", "ALLOWED_HEADERS", "ALLOWED_TYP", "ENVELOPED_TYPE", "JWK_THUMBPRINT_URN", "MIN_RSA_BITS",
    "REGISTERED_CLAIMS", "SIGNING_ALGORITHMS", "VCDM2_CONTEXT", "VC_JOSE", "VC_JWT", "VC_JWT_MEDIA_TYPE",
    "CompactJws", "JwtError", "JwtKey", "JwtSignatureError", "Securing",
    "alg_problem", "b64url_decode", "b64url_encode", "claim_problems", "credential_from_payload", "decode_and_verify", "did_key_of",
    "enveloped", "header_problem", "jwk_thumbprint", "jwk_thumbprint_uri", "key_from_jwk", "looks_like_jws", "one_of", "parse",
    "resolve_key", "securing_of", "sign_vc_jwt", "time_problem", "vc_jwt_claims", "verify_signature",
]


class JwtSignatureError(JwtError):
    """The JWS signature does not verify."""


def decode_and_verify(
    token: str,
    *,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    jwk: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse, check the header, find the key (``jwk`` argument, else the header) and verify.

    Returns ``(payload, header)``. Key ownership is not checked here (see :mod:`badgekit.verify`).

    Raises:
        JwtError: malformed token, refused header, unusable key.
        JwtSignatureError: the signature does not verify.
        did.Unresolvable: no key can be found offline.
    """
    jws = parse(token)
    problem = header_problem(jws.header)
    if problem:
        raise JwtError(problem)
    key = key_from_jwk(jwk, str(jws.header["alg"])) if jwk is not None else resolve_key(jws.header, documents=documents)
    if not verify_signature(jws, key):
        raise JwtSignatureError("JWS signature does not verify")
    return dict(jws.payload), dict(jws.header)

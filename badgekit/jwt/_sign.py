"""Signing a credential as a compact JWS: an OB 3.0 VC-JWT (``typ: JWT``) or a W3C VC-JOSE-COSE
``application/vc+jwt`` (``typ: vc+jwt``), with EdDSA, ES256 or RS256 by the key's type."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from badgekit import limits
from badgekit.errors import JwtError
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_encode
from badgekit.jwt._claims import VCDM2_CONTEXT, vc_jwt_claims
from badgekit.jwt._jws import VC_JOSE, VC_JWT, Securing

if TYPE_CHECKING:
    from badgekit.keys import JwsSigner

#: The algorithm each key type signs, and the key an algorithm needs (for the messages).
SIGNING_ALGORITHMS = {"EdDSA": "an Ed25519", "ES256": "a P-256", "RS256": "an RSA"}
_TYP = {VC_JWT: "JWT", VC_JOSE: "vc+jwt"}


def sign_vc_jwt(credential: Mapping[str, Any], key: JwsSigner, *, kid: str | None, alg: str | None = None,
                include_jwk: bool | None = None, securing: Securing = VC_JWT) -> str:
    """Sign ``credential`` as a VC-JWT and return the compact JWS (one line, no padding).

    ``securing`` :data:`~badgekit.jwt.VC_JWT` (OB 3.0 "VC-JWT"): header ``typ: "JWT"``; payload
    the credential plus ``iss`` = issuer id, ``jti`` = id, ``sub`` = credentialSubject.id,
    ``nbf`` = validFrom and ``exp`` = validUntil as NumericDates (those present), never a ``vc``
    wrapper. :data:`~badgekit.jwt.VC_JOSE` (W3C VC-JOSE-COSE ``application/vc+jwt``): header
    ``typ: "vc+jwt"``; payload the VCDM 2.0 credential plus ``iss``, ``jti``, ``sub`` (no
    ``nbf``/``exp``, which would time the signature there).

    Header: ``alg``, ``typ``, ``kid`` when given, and the public ``jwk`` (never ``d``) when
    ``include_jwk``. By default the ``jwk`` is included unless ``kid`` is a did:key (which carries
    its own key): a verifier that cannot dereference ``kid`` offline still finds the key, and a
    trust list can vouch for it by JWK thumbprint. ``alg`` defaults to the key's: ``EdDSA`` for an
    :class:`~badgekit.keys.Ed25519Key`, ``ES256`` for a P-256 :class:`~badgekit.keys.EcdsaKey`,
    ``RS256`` for an :class:`~badgekit.keys.RsaKey`.

    Raises:
        JwtError: ``alg`` is not the key's algorithm (or not one of those three: a P-384 key signs
            no JWT), neither ``kid`` nor ``jwk`` would name the key, the credential has no issuer
            id, a date that is not a DateTimeZ, a top-level property named like a registered JWT
            claim (it would be taken for the claim), or (vc+jwt) a credential that is not VCDM 2.0.
        LimitExceeded: the credential or token is beyond what ``badgekit verify`` checks
            (:mod:`badgekit.limits`).
    """
    key_alg = getattr(key, "jws_alg", None)
    alg = alg or key_alg
    if alg not in SIGNING_ALGORITHMS:
        raise JwtError(f"alg {alg!r}: badgekit signs VC-JWT with EdDSA (Ed25519 key), ES256 (P-256 key) or RS256 (RSA key)")
    if alg != key_alg:
        raise JwtError(f"alg {alg} needs {SIGNING_ALGORITHMS[alg]} key, this key signs {key_alg}")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise JwtError("kid must be a non-empty string (a URI naming the key)")
    if include_jwk is None:
        include_jwk = kid is None or not kid.startswith("did:key:")
    if kid is None and not include_jwk:
        raise JwtError("a VC-JWT header needs a kid or a jwk to name its key")
    if securing == VC_JOSE:
        context = credential.get("@context")
        first = context[0] if isinstance(context, list) and context else context
        if first != VCDM2_CONTEXT:
            raise JwtError(f"a vc+jwt secures a VCDM 2.0 credential: its @context must start with {VCDM2_CONTEXT}")
    header: dict[str, Any] = {"alg": alg, "typ": _TYP[securing]}
    if kid is not None:
        header["kid"] = kid
    if include_jwk:
        jwk = dict(key.public_jwk)
        if PRIVATE_JWK_MEMBERS & set(jwk):  # a KMS adapter returning the wrong thing
            raise JwtError("the key's public JWK contains private members; refusing to sign")
        header["jwk"] = jwk
    limits.check_signable(credential, new_proofs=0)
    payload = {**credential, **vc_jwt_claims(credential, securing)}
    signing_input = f"{b64url_encode(_compact_json(header))}.{b64url_encode(_compact_json(payload))}"
    signature = key.sign(signing_input.encode("ascii"))
    token = f"{signing_input}.{b64url_encode(signature)}"
    limits.check_signed_size(len(token), what="the VC-JWT")
    return token


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

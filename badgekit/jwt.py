"""VC-JWT (compact JWS, RFC 7515/7519) for Open Badges 3.0: sign, parse, check the header, verify.

OB 3.0 "Proofs › VC-JWT": header ``alg`` (RS256 at least; others allowed), ``kid`` (a URI naming
the key) or ``jwk`` (never with private parts), ``typ: "JWT"`` if present, no other header. The
payload is the credential plus ``iss`` = issuer id, ``jti`` = id, ``nbf`` = validFrom, ``sub`` =
credentialSubject.id, ``exp`` = validUntil; the VC 1.1 style nests the credential under ``vc``.

Signatures are checked with ``cryptography`` directly rather than a general JWT library: the
allow-list is three algorithms, each tied to one key type (RS256 ⇔ RSA ≥ 2048 bits, ES256 ⇔ P-256,
EdDSA ⇔ Ed25519), so ``alg: none``, HMAC with a public key as secret and every other algorithm
confusion are impossible by construction rather than by configuration. Nothing here fetches: a
``kid`` resolves only as a did:key or from DID documents the caller supplies.

Signing (:func:`sign_vc_jwt`) writes the VC 2.0 style: the payload is the credential itself plus
the registered claims, never a ``vc`` wrapper.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from badgekit import did, limits
from badgekit._io import MAX_INPUT_BYTES, loads_json
from badgekit._time import TimestampError, format_utc, parse_datetime_stamp
from badgekit.errors import InputError
from badgekit.errors import JwtError as JwtError  # re-exported: callers know it as jwt.JwtError
from badgekit.jwk import JWK_THUMBPRINT_URN as JWK_THUMBPRINT_URN  # re-exported, as below
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_decode, b64url_encode, jwk_thumbprint_uri
from badgekit.jwk import jwk_thumbprint as jwk_thumbprint

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from badgekit.keys import JwsSigner

    #: The public keys of the three algorithms (RS256, ES256, EdDSA).
    PublicKey = RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey

#: The only algorithms accepted (OB 3.0 allows RS256 and others; these three are interoperable).
ALLOWED_ALGORITHMS = ("RS256", "ES256", "EdDSA")
#: OB 3.0: "no other headers" than these.
ALLOWED_HEADERS = frozenset({"alg", "typ", "kid", "jwk"})
#: ``typ`` values accepted when present: OB 3.0 says "JWT"; W3C VC-JOSE-COSE says "vc+jwt".
ALLOWED_TYP = frozenset({"JWT", "vc+jwt"})
#: Registered JWT claims that frame the credential (RFC 7519 §4.1); not part of the credential.
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")
MIN_RSA_BITS = 2048

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


def header_problem(header: Mapping[str, Any]) -> str | None:
    """Why the protected header is refused (OB 3.0 "VC-JWT" and RFC 7515), or None."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        return "JWS header has no alg"
    if alg.lower() == "none":
        return "alg 'none' (an unsigned JWT) is refused"
    if alg.upper().startswith("HS"):
        return f"alg {alg!r} (a shared-secret MAC) is refused: a credential must be signed with a public key"
    if alg not in ALLOWED_ALGORITHMS:
        return f"alg {alg!r} is not accepted (accepted: {', '.join(ALLOWED_ALGORITHMS)})"
    extra = sorted(set(header) - ALLOWED_HEADERS)
    if extra:
        return f"JWS header parameter(s) {', '.join(map(repr, extra))} not allowed by OB 3.0 (only alg, kid, jwk, typ)"
    if "typ" in header and header["typ"] not in ALLOWED_TYP:
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


# ---------------------------------------------------------------------------------------------
# keys


@dataclass(frozen=True)
class JwtKey:
    """A public key usable for one JWS algorithm, and where it came from."""

    alg: str
    public_key: PublicKey = field(repr=False)
    source: str  # "jwk" (from the header), "did:key", "document"
    key_id: str  # kid, or the JWK thumbprint URN
    controller: str | None = None
    #: Identifiers a trust list may use for this key: JWK thumbprint URN, and for Ed25519 also
    #: ``z6Mk…`` and ``did:key:z6Mk…``.
    fingerprints: frozenset[str] = frozenset()
    relationships: frozenset[str] = frozenset()


#: Multicodec prefixes (unsigned varint) of the public keys a did:key can hold, per JWS algorithm's
#: key type (w3c-ccg did:key: ed25519-pub 0xed, p256-pub 0x1200 compressed point, rsa-pub 0x1205
#: PKCS#1 DER).
_DID_KEY_PREFIX = {"EdDSA": b"\xed\x01", "ES256": b"\x80\x24", "RS256": b"\x85\x24"}


def did_key_of(key: JwtKey) -> str:
    """The ``did:key`` DID whose key is ``key`` (Ed25519, P-256 or RSA), without a fragment.

    A did:key is its public key, so this needs nothing but the key: it decides offline whether a
    ``jwk`` header is the key of a did:key issuer.
    """
    from cryptography.hazmat.primitives import serialization

    if key.alg == "EdDSA":
        raw = key.public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    elif key.alg == "ES256":
        raw = key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    else:
        raw = key.public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return "did:key:z" + did.b58encode(_DID_KEY_PREFIX[key.alg] + raw)


def _b64_int(jwk: Mapping[str, Any], name: str) -> int:
    value = jwk.get(name)
    if not isinstance(value, str) or not value:
        raise JwtError(f"jwk is missing {name!r}")
    return int.from_bytes(b64url_decode(value, what=f"jwk {name}"), "big")


def _b64_fixed(jwk: Mapping[str, Any], name: str, size: int) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise JwtError(f"jwk is missing {name!r}")
    raw = b64url_decode(value, what=f"jwk {name}")
    if len(raw) != size:
        raise JwtError(f"jwk {name} has {len(raw)} bytes, expected {size}")
    return raw


def key_from_jwk(jwk: Mapping[str, Any], alg: str, *, source: str = "jwk", key_id: str | None = None,
                 controller: str | None = None, relationships: frozenset[str] = frozenset()) -> JwtKey:
    """A verification key for ``alg`` from a public JWK; the key type must match the algorithm.

    Raises:
        JwtError: private members, wrong key type or curve for ``alg``, RSA under 2048 bits,
            a point not on the curve.
    """
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if not isinstance(jwk, Mapping):
        raise JwtError("jwk is not a JSON object")
    if PRIVATE_JWK_MEMBERS & set(jwk):
        raise JwtError("jwk contains private key material")
    kty = jwk.get("kty")
    if "alg" in jwk and jwk["alg"] != alg:
        raise JwtError(f"jwk is for alg {jwk['alg']!r}, the header says {alg!r}")
    fingerprints = {jwk_thumbprint_uri(jwk)}
    public_key: PublicKey
    if alg == "RS256":
        if kty != "RSA":
            raise JwtError(f"RS256 needs an RSA key, the jwk has kty {kty!r}")
        n, e = _b64_int(jwk, "n"), _b64_int(jwk, "e")
        if n.bit_length() < MIN_RSA_BITS:
            raise JwtError(f"RSA key has {n.bit_length()} bits; at least {MIN_RSA_BITS} are required")
        if e < 3 or e % 2 == 0:
            raise JwtError("RSA public exponent is invalid")
        try:
            public_key = rsa.RSAPublicNumbers(e, n).public_key()
        except ValueError as exc:
            raise JwtError(f"invalid RSA key: {exc}") from None
    elif alg == "ES256":
        if kty != "EC" or jwk.get("crv") != "P-256":
            raise JwtError(f"ES256 needs an EC P-256 key, the jwk has kty {kty!r} crv {jwk.get('crv')!r}")
        x, y = _b64_fixed(jwk, "x", 32), _b64_fixed(jwk, "y", 32)
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
        except ValueError:
            raise JwtError("EC key point is not on P-256") from None
    elif alg == "EdDSA":
        if kty != "OKP" or jwk.get("crv") != "Ed25519":
            raise JwtError(f"EdDSA needs an OKP Ed25519 key, the jwk has kty {kty!r} crv {jwk.get('crv')!r}")
        raw = _b64_fixed(jwk, "x", 32)
        public_key = Ed25519PublicKey.from_public_bytes(raw)
        mb = did.encode_multikey_public(raw)
        fingerprints |= {mb, f"did:key:{mb}"}
    else:
        raise JwtError(f"alg {alg!r} is not accepted")
    return JwtKey(alg, public_key, source, key_id or jwk_thumbprint_uri(jwk), controller,
                  frozenset(fingerprints), relationships)


def _ed25519_key(raw: bytes, alg: str, source: str, key_id: str, controller: str | None,
                 relationships: frozenset[str]) -> JwtKey:
    if alg != "EdDSA":
        raise JwtError(f"{key_id} is an Ed25519 key; the header says alg {alg!r} (expected EdDSA)")
    return key_from_jwk({"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}, alg, source=source,
                        key_id=key_id, controller=controller, relationships=relationships)


def resolve_key(header: Mapping[str, Any], *, documents: Mapping[str, Mapping[str, Any]] | None = None) -> JwtKey:
    """The verification key named by a JWS header, offline.

    ``kid`` resolves when it is a did:key or a method in a supplied DID document (Multikey or
    ``publicKeyJwk``); otherwise the ``jwk`` header is used. A ``jwk`` key says nothing about who
    owns it: the caller must establish that (trust list).

    Raises:
        did.Unresolvable: neither a resolvable ``kid`` nor a ``jwk`` is present.
        JwtError, did.DidError: the key is malformed or does not fit ``alg``.
    """
    alg = str(header.get("alg"))
    kid = header.get("kid")
    if isinstance(kid, str) and kid:
        try:
            return _resolve_kid(kid, alg, documents or {})
        except did.Unresolvable:
            if "jwk" not in header:
                raise
    if "jwk" in header:
        return key_from_jwk(header["jwk"], alg)
    raise did.Unresolvable(
        "the JWS header has neither a jwk nor a kid: the signing key cannot be found offline",
        hint="ask the issuer for a credential whose header names its key (kid) and supply the DID document with --did-doc",
    )


def _resolve_kid(kid: str, alg: str, documents: Mapping[str, Mapping[str, Any]]) -> JwtKey:
    controller, _, _ = kid.partition("#")
    if controller.startswith("did:key:"):
        vm = did.resolve_verification_method(kid)
        return _ed25519_key(vm.public_key, alg, "did:key", vm.id, vm.controller, vm.relationships)
    doc = documents.get(controller)
    if doc is None:
        raise did.Unresolvable(f"kid {kid}: controller {controller} cannot be resolved offline",
                               hint="supply its DID document with --did-doc FILE")
    try:
        vm = did.resolve_verification_method(kid, documents)
    except did.NotListed:
        raise JwtError(f"kid {kid} is not listed in the DID document of {controller}: the document supplied "
                       "does not publish the signing key (an outdated did.json?)") from None
    except did.UnsupportedMethodType:
        pass  # a JsonWebKey method: read below
    else:
        if alg != "EdDSA":
            # The defect this guards: an RS256 token whose kid is the issuer's Ed25519 #key-1.
            raise JwtError(f"kid {kid} names an Ed25519 key (Multikey) in the DID document of {controller}, "
                           f"but the JWS is {alg}, so it was signed with another key (expected EdDSA): the kid must "
                           "name the signing key's own method (for an RSA key a JsonWebKey, as 'badgekit key did-web' lists it)")
        return _ed25519_key(vm.public_key, alg, "document", vm.id, vm.controller, vm.relationships)
    # JsonWebKey / JsonWebKey2020 methods carry a publicKeyJwk.
    doc_id = doc.get("id")
    for vm_entry in _methods(doc):
        if _absolute(str(vm_entry.get("id", "")), doc_id) == kid and isinstance(vm_entry.get("publicKeyJwk"), Mapping):
            rels = frozenset(
                rel
                for rel in did.VERIFICATION_RELATIONSHIPS
                for ref in _as_list(doc.get(rel))
                if _absolute(ref if isinstance(ref, str) else str(ref.get("id", "")) if isinstance(ref, Mapping) else "", doc_id) == kid
            )
            return key_from_jwk(vm_entry["publicKeyJwk"], alg, source="document", key_id=kid,
                                controller=str(vm_entry.get("controller", "")), relationships=rels)
    raise JwtError(f"kid {kid} is not a usable key in the DID document of {doc_id}")


def _absolute(ref: str, base: Any) -> str:
    return f"{base}{ref}" if ref.startswith("#") and isinstance(base, str) else ref


def _methods(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [vm for vm in _as_list(doc.get("verificationMethod")) if isinstance(vm, Mapping)]
    for rel in did.VERIFICATION_RELATIONSHIPS:
        found += [vm for vm in _as_list(doc.get(rel)) if isinstance(vm, Mapping)]
    return found


def verify_signature(jws: CompactJws, key: JwtKey) -> bool:
    """True when ``jws`` carries a valid signature by ``key`` for the header's ``alg``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    if jws.header.get("alg") != key.alg:
        return False
    public_key = key.public_key
    try:
        if key.alg == "RS256" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(jws.signature, jws.signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif key.alg == "ES256" and isinstance(public_key, ec.EllipticCurvePublicKey):
            # JWS carries ECDSA signatures as fixed-width r ‖ s (RFC 7518 §3.4), not DER.
            if len(jws.signature) != 64:
                return False
            r = int.from_bytes(jws.signature[:32], "big")
            s = int.from_bytes(jws.signature[32:], "big")
            public_key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hashes.SHA256()))
        elif key.alg == "EdDSA" and isinstance(public_key, ed25519.Ed25519PublicKey):
            public_key.verify(jws.signature, jws.signing_input)
        else:
            return False
    except (InvalidSignature, ValueError):
        return False
    return True


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


# ---------------------------------------------------------------------------------------------
# signing


def sign_vc_jwt(credential: Mapping[str, Any], key: JwsSigner, *, kid: str | None, alg: str | None = None,
                include_jwk: bool | None = None) -> str:
    """Sign ``credential`` as an OB 3.0 VC-JWT and return the compact JWS (one line, no padding).

    Header: ``alg``, ``typ: "JWT"``, ``kid`` when given, and the public ``jwk`` (never ``d``) when
    ``include_jwk``. By default the ``jwk`` is included unless ``kid`` is a did:key (which carries
    its own key): a verifier that cannot dereference ``kid`` offline still finds the key, and a
    trust list can vouch for it by JWK thumbprint. Payload: the credential plus ``iss`` =
    issuer id, ``jti`` = id, ``sub`` = credentialSubject.id, ``nbf`` = validFrom and ``exp`` =
    validUntil as NumericDates (those present). ``alg`` defaults to the key's (``RS256`` for an
    :class:`~badgekit.keys.RsaKey`, ``EdDSA`` for an :class:`~badgekit.keys.Ed25519Key`).

    Raises:
        JwtError: ``alg`` is not the key's algorithm, neither ``kid`` nor ``jwk`` would name the
            key, the credential has no issuer id, a date that is not a DateTimeZ, or a top-level
            property named like a registered JWT claim (it would be taken for the claim).
        LimitExceeded: the credential or token is beyond what ``badgekit verify`` checks
            (:mod:`badgekit.limits`).
    """
    key_alg = getattr(key, "jws_alg", None)
    alg = alg or key_alg
    if alg not in ("RS256", "EdDSA"):
        raise JwtError(f"alg {alg!r}: badgekit signs VC-JWT with RS256 (RSA key) or EdDSA (Ed25519 key)")
    if alg != key_alg:
        raise JwtError(f"alg {alg} needs {'an RSA' if alg == 'RS256' else 'an Ed25519'} key, this key signs {key_alg}")
    if kid is not None and (not isinstance(kid, str) or not kid):
        raise JwtError("kid must be a non-empty string (a URI naming the key)")
    if include_jwk is None:
        include_jwk = kid is None or not kid.startswith("did:key:")
    if kid is None and not include_jwk:
        raise JwtError("a VC-JWT header needs a kid or a jwk to name its key")
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    if include_jwk:
        jwk = dict(key.public_jwk)
        if PRIVATE_JWK_MEMBERS & set(jwk):  # a KMS adapter returning the wrong thing
            raise JwtError("the key's public JWK contains private members; refusing to sign")
        header["jwk"] = jwk
    limits.check_signable(credential, new_proofs=0)
    payload = {**credential, **vc_jwt_claims(credential)}
    signing_input = f"{b64url_encode(_compact_json(header))}.{b64url_encode(_compact_json(payload))}"
    signature = key.sign(signing_input.encode("ascii"))
    token = f"{signing_input}.{b64url_encode(signature)}"
    limits.check_signed_size(len(token), what="the VC-JWT")
    return token


def vc_jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The registered claims that frame ``credential`` in a VC-JWT (OB 3.0 "VC-JWT", SPEC (b)).

    Raises:
        JwtError: no issuer id, a date that is not a DateTimeZ, or a top-level property that is a
            registered claim name.
    """
    clash = sorted(set(credential) & set(REGISTERED_CLAIMS))
    if clash:
        raise JwtError(f"credential has top-level {', '.join(clash)}: those are JWT claim names, refusing to sign")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise JwtError("credential has no issuer id (needed for the iss claim)")
    claims: dict[str, Any] = {"iss": issuer_id}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subjects = _as_list(credential.get("credentialSubject"))
    if len(subjects) == 1 and isinstance(subjects[0], Mapping) and isinstance(subjects[0].get("id"), str):
        claims["sub"] = subjects[0]["id"]
    for claim, prop in (("nbf", "validFrom"), ("exp", "validUntil")):
        value = credential.get(prop)
        if value is None:
            continue
        try:
            when = parse_datetime_stamp(value, field=prop)
        except TimestampError as exc:
            raise JwtError(f"credential {exc.message}", hint=exc.hint) from None
        # Same truncation as claim_problems, so a fractional second still agrees.
        claims[claim] = int(when.timestamp())
    return claims


def _compact_json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# payload <-> credential


def _vc1(credential: Mapping[str, Any]) -> bool:
    """Whether ``credential`` is VC 1.1 (its first context), whose dates are issuanceDate and expirationDate."""
    context = credential.get("@context")
    return (context[0] if isinstance(context, list) and context else context) == "https://www.w3.org/2018/credentials/v1"


def credential_from_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a VC-JWT carries: the ``vc`` claim (VC 1.1 style), else the payload minus
    the registered JWT claims. For the ``vc`` style, properties the JWT encoding moved into claims
    (VC 1.1 JWT "decoding") are restored when absent: ``iss`` → issuer, ``jti`` → id, ``sub`` →
    credentialSubject.id, ``nbf`` → validFrom, ``exp`` → validUntil (issuanceDate and
    expirationDate for a VC 1.1 credential: a VC 2.0 context does not define them).
    """
    vc = payload.get("vc")
    if isinstance(vc, Mapping):
        credential = dict(vc)
        if "issuer" not in credential and isinstance(payload.get("iss"), str):
            credential["issuer"] = payload["iss"]
        if "id" not in credential and isinstance(payload.get("jti"), str):
            credential["id"] = payload["jti"]
        subject = credential.get("credentialSubject")
        if isinstance(subject, Mapping) and "id" not in subject and isinstance(payload.get("sub"), str):
            credential["credentialSubject"] = {**subject, "id": payload["sub"]}
        v1 = _vc1(credential)
        for claim, prop in (("nbf", "issuanceDate" if v1 else "validFrom"), ("exp", "expirationDate" if v1 else "validUntil")):
            if prop not in credential and _is_number(payload.get(claim)):
                credential[prop] = _numeric_to_iso(payload[claim])
        return credential
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}


def claim_problems(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """Disagreements between the JWT claims and the credential they frame (OB 3.0 "VC-JWT":
    ``iss`` = issuer.id, ``jti`` = id, ``sub`` = credentialSubject.id, ``nbf`` = validFrom
    (issuanceDate for VC 1.1), ``exp`` = validUntil (expirationDate)). Absent claims are not
    problems; present ones must agree."""
    problems: list[str] = []
    if isinstance(payload.get("vc"), Mapping):
        # The credential is read from "vc" alone; top-level properties beside it would be what a
        # VC 2.0-style reader takes for the credential: two credentials in one token.
        beside = sorted(k for k in payload if k != "vc" and k not in REGISTERED_CLAIMS)
        if beside:
            problems.append(f"payload has a vc claim and also top-level {', '.join(beside[:3])}"
                            f"{' …' if len(beside) > 3 else ''}: which one is the credential is ambiguous")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if "iss" in payload and payload["iss"] != issuer_id:
        problems.append(f"claim iss {payload['iss']!r} differs from issuer id {issuer_id!r}")
    if "jti" in payload and payload["jti"] != credential.get("id"):
        problems.append(f"claim jti {payload['jti']!r} differs from credential id {credential.get('id')!r}")
    if "sub" in payload:
        subjects = _as_list(credential.get("credentialSubject"))
        ids = [s.get("id") for s in subjects if isinstance(s, Mapping)]
        if payload["sub"] not in ids:
            problems.append(f"claim sub {payload['sub']!r} differs from credentialSubject id {ids[0] if ids else None!r}")
    v1 = _vc1(credential)
    for claim, prop in (("nbf", "issuanceDate" if v1 else "validFrom"), ("exp", "expirationDate" if v1 else "validUntil")):
        if claim not in payload:
            continue
        if not _is_number(payload[claim]):
            problems.append(f"claim {claim} is not a NumericDate")
            continue
        value = credential.get(prop)
        when = _parse_iso(value)
        if when is None:
            problems.append(f"claim {claim} is set but the credential has no valid {prop}")
        elif int(when.timestamp()) != int(payload[claim]):
            problems.append(f"claim {claim} ({_numeric_to_iso(payload[claim])}) differs from {prop} {value}")
    return problems


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e11


def _numeric_to_iso(value: float) -> str:
    return format_utc(datetime.fromtimestamp(int(value), UTC))


def _parse_iso(value: Any) -> datetime | None:
    try:
        return parse_datetime_stamp(value, field="date")
    except TimestampError:
        return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]

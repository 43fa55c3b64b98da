"""The key that verifies a JWS, found offline: from a ``jwk`` header, a did:key ``kid``, or a
method of a supplied DID document (Multikey or ``JsonWebKey``); and the signature check itself.

Each algorithm is tied to one key type (RS256 ⇔ RSA ≥ 2048 bits, ES256 ⇔ P-256, EdDSA ⇔
Ed25519), so a key of another type never verifies a token, whatever its header says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from badgekit import did
from badgekit._io import as_list
from badgekit.errors import JwtError
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_decode, b64url_encode, jwk_thumbprint_uri
from badgekit.jwt._jws import CompactJws

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    #: The public keys of the three algorithms (RS256, ES256, EdDSA).
    PublicKey = RSAPublicKey | EllipticCurvePublicKey | Ed25519PublicKey

MIN_RSA_BITS = 2048
#: The JWS algorithm of each key type a did:key or Multikey names (raw keys by :func:`badgekit.did.key_type`).
_ALG_OF_KEY_TYPE = {"Ed25519": "EdDSA", "P-256": "ES256"}


@dataclass(frozen=True)
class JwtKey:
    """A public key usable for one JWS algorithm, and where it came from."""

    alg: str
    public_key: PublicKey = field(repr=False)
    source: str  # "jwk" (from the header), "did:key", "document"
    key_id: str  # kid, or the JWK thumbprint URN
    controller: str | None = None
    #: Identifiers a trust list may use for this key: JWK thumbprint URN, and for Ed25519 and
    #: P-256 also the Multikey (``z6Mk…`` / ``zDn…``) and its ``did:key:…``.
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
    from cryptography.hazmat.primitives import serialization
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
        return JwtKey(alg, public_key, source, key_id or jwk_thumbprint_uri(jwk), controller,
                      frozenset(fingerprints), relationships)
    if alg == "ES256":
        if kty != "EC" or jwk.get("crv") != "P-256":
            raise JwtError(f"ES256 needs an EC P-256 key, the jwk has kty {kty!r} crv {jwk.get('crv')!r}")
        x, y = _b64_fixed(jwk, "x", 32), _b64_fixed(jwk, "y", 32)
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b"\x04" + x + y)
        except ValueError:
            raise JwtError("EC key point is not on P-256") from None
        raw = public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    elif alg == "EdDSA":
        if kty != "OKP" or jwk.get("crv") != "Ed25519":
            raise JwtError(f"EdDSA needs an OKP Ed25519 key, the jwk has kty {kty!r} crv {jwk.get('crv')!r}")
        raw = _b64_fixed(jwk, "x", 32)
        public_key = Ed25519PublicKey.from_public_bytes(raw)
    else:
        raise JwtError(f"alg {alg!r} is not accepted")
    mb = did.encode_multikey_public(raw)  # a trust list may name the key as its Multikey or did:key
    fingerprints |= {mb, f"did:key:{mb}"}
    return JwtKey(alg, public_key, source, key_id or jwk_thumbprint_uri(jwk), controller,
                  frozenset(fingerprints), relationships)


def _raw_key(raw: bytes, alg: str, source: str, key_id: str, controller: str | None,
             relationships: frozenset[str], where: str) -> JwtKey:
    """The key of a did:key or Multikey (raw as :func:`badgekit.did.decode_multikey_any` gives it)
    for ``alg``; ``where`` says where the key was named, for the message when the types differ."""
    kind = did.key_type(raw)
    expected = _ALG_OF_KEY_TYPE.get(str(kind))
    if expected is None:
        raise JwtError(f"{key_id} is a {kind} key: badgekit verifies JWS with Ed25519 (EdDSA), P-256 (ES256) or RSA (RS256) keys")
    if alg != expected:
        raise JwtError(f"kid {key_id} names a{'n' if kind == 'Ed25519' else ''} {kind} key{where}, but the JWS is {alg}, "
                       f"so it was signed with another key (expected {expected}): the kid must name the signing key's "
                       "own method (for an RSA key a JsonWebKey, as 'badgekit key did-web' lists it)")
    if kind == "Ed25519":
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    else:
        from cryptography.hazmat.primitives.asymmetric import ec

        numbers = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw).public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": b64url_encode(numbers.x.to_bytes(32, "big")),
               "y": b64url_encode(numbers.y.to_bytes(32, "big"))}
    return key_from_jwk(jwk, alg, source=source, key_id=key_id, controller=controller, relationships=relationships)


def resolve_key(header: Mapping[str, Any], *, documents: Mapping[str, Mapping[str, Any]] | None = None) -> JwtKey:
    """The verification key named by a JWS header, offline.

    ``kid`` resolves when it is a did:key (Ed25519 ``z6Mk…``, P-256 ``zDn…``) or a method in a
    supplied DID document (Multikey or ``publicKeyJwk``); otherwise the ``jwk`` header is used. A
    ``jwk`` key says nothing about who owns it: the caller must establish that (trust list).

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
        vm = did.resolve_verification_method(kid, any_curve=True)
        return _raw_key(vm.public_key, alg, "did:key", vm.id, vm.controller, vm.relationships, " (a did:key)")
    doc = documents.get(controller)
    if doc is None:
        raise did.Unresolvable(f"kid {kid}: controller {controller} cannot be resolved offline",
                               hint="supply its DID document with --did-doc FILE")
    doc_id = doc.get("id")
    # JsonWebKey / JsonWebKey2020 methods carry a publicKeyJwk of any key type (RSA included).
    for vm_entry in _methods(doc):
        if _absolute(str(vm_entry.get("id", "")), doc_id) == kid and isinstance(vm_entry.get("publicKeyJwk"), Mapping):
            rels = frozenset(
                rel
                for rel in did.VERIFICATION_RELATIONSHIPS
                for ref in as_list(doc.get(rel))
                if _absolute(ref if isinstance(ref, str) else str(ref.get("id", "")) if isinstance(ref, Mapping) else "", doc_id) == kid
            )
            return key_from_jwk(vm_entry["publicKeyJwk"], alg, source="document", key_id=kid,
                                controller=str(vm_entry.get("controller", "")), relationships=rels)
    try:
        vm = did.resolve_verification_method(kid, documents, any_curve=True)
    except did.NotListed:
        raise JwtError(f"kid {kid} is not listed in the DID document of {controller}: the document supplied "
                       "does not publish the signing key (an outdated did.json?)") from None
    except did.UnsupportedMethodType:
        raise JwtError(f"kid {kid} is not a usable key in the DID document of {doc_id}") from None
    return _raw_key(vm.public_key, alg, "document", vm.id, vm.controller, vm.relationships,
                    f" (Multikey) in the DID document of {controller}")


def _absolute(ref: str, base: Any) -> str:
    return f"{base}{ref}" if ref.startswith("#") and isinstance(base, str) else ref


def _methods(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = [vm for vm in as_list(doc.get("verificationMethod")) if isinstance(vm, Mapping)]
    for rel in did.VERIFICATION_RELATIONSHIPS:
        found += [vm for vm in as_list(doc.get(rel)) if isinstance(vm, Mapping)]
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

"""Multikey encoding, did:key and did:web documents, and offline verification-method resolution.

Multikey (W3C Controlled Identifiers 1.0): ``publicKeyMultibase`` = ``"z"`` + base58btc(0xed 0x01 ‖
32-byte Ed25519 key), secret key = ``"z"`` + base58btc(0x80 0x26 ‖ 32-byte seed). Verifying Data
Integrity proofs also reads P-256 / P-384 Multikeys (:func:`decode_multikey_any`); other prefixes are
rejected. Nothing here touches the network: did:key resolves from the identifier itself and did:web
only from DID documents the caller supplies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote

from badgekit._io import as_list
from badgekit.errors import InputError, JwtError, KeyFileError
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_decode, jwk_thumbprint, jwk_thumbprint_uri

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}
_B58_DIGITS = bytes(_B58_INDEX.get(chr(b), 255) for b in range(256))  # bytes.translate table
_B58_CHUNK = 58**10
_B58_PAIRS = [hi + lo for hi in _B58 for lo in _B58]  # two digits per small division


def b58encode(data: bytes) -> str:
    """base58btc (Bitcoin alphabet). Written here because the hot path signs thousands of
    proofs per second and the ``base58`` package converts one digit per big-int division; this
    takes ten digits per big-int division, then two per small one from a table (a 64-byte
    signature: about twice as fast as the package; benchmarks/bench_proofs.py)."""
    n = int.from_bytes(data, "big")
    pairs = _B58_PAIRS
    parts: list[str] = []  # two-digit groups, least significant first
    while n:
        n, chunk = divmod(n, _B58_CHUNK)
        for _ in range(4):
            chunk, r = divmod(chunk, 3364)
            parts.append(pairs[r])
        parts.append(pairs[chunk])
    text = "".join(reversed(parts)).lstrip("1")
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


#: Longest base58 text decoded: keys and signatures take under 100 characters, and decoding is
#: quadratic in the length (a 10 MB proofValue would take hours).
MAX_B58_CHARS = 256


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`. Raises ValueError on a character outside the alphabet or
    a text longer than :data:`MAX_B58_CHARS`."""
    if len(text) > MAX_B58_CHARS:
        raise ValueError(f"base58 text of {len(text)} characters is longer than the {MAX_B58_CHARS} accepted")
    try:
        digits = text.encode("ascii").translate(_B58_DIGITS)  # each character's value, 255 if none
    except UnicodeEncodeError:
        raise ValueError("invalid base58 character") from None
    if 255 in digits:
        raise ValueError("invalid base58 character")
    # Five digits at a time (58**5 < 2**30, one small int): a fifth of the big-number steps.
    head = len(digits) % 5
    n = 0
    for d in digits[:head]:
        n = n * 58 + d
    for a, b, c, d, e in zip(*[iter(digits[head:])] * 5, strict=True):
        n = n * 656_356_768 + ((((a * 58 + b) * 58 + c) * 58 + d) * 58 + e)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body

ED25519_PUB_PREFIX = b"\xed\x01"
#: Multicodec prefixes (varint) of compressed NIST curve public keys: p256-pub 0x1200, p384-pub 0x1201.
P256_PUB_PREFIX = b"\x80\x24"
P384_PUB_PREFIX = b"\x81\x24"
#: Key type by raw public key length: Ed25519 32 bytes, SEC1 compressed P-256 33 and P-384 49 bytes.
KEY_TYPES = {32: "Ed25519", 33: "P-256", 49: "P-384"}
_MULTICODEC = {"Ed25519": ED25519_PUB_PREFIX, "P-256": P256_PUB_PREFIX, "P-384": P384_PUB_PREFIX}
ED25519_PRIV_PREFIX = b"\x80\x26"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
VERIFICATION_RELATIONSHIPS = (
    "authentication",
    "assertionMethod",
    "capabilityInvocation",
    "capabilityDelegation",
)


class DidError(InputError):
    """A DID, DID document or multikey value cannot be used."""


@lru_cache(maxsize=4096)  # verify encodes the same few issuer keys for every credential
def encode_multikey_public(public_key: bytes) -> str:
    """``z6Mk…`` multibase string for a raw 32-byte Ed25519 public key (``zDn…`` / ``z82…`` for a
    33- or 49-byte compressed P-256 / P-384 key, see :func:`decode_multikey_any`)."""
    kind = KEY_TYPES.get(len(public_key))
    if kind is None:
        raise DidError(f"an Ed25519 public key has 32 bytes, got {len(public_key)}")
    return "z" + b58encode(_MULTICODEC[kind] + public_key)


def key_type(public_key: bytes) -> str | None:
    """``"Ed25519"``, ``"P-256"`` or ``"P-384"`` for a raw public key as :func:`decode_multikey_any`
    returns it (told apart by length), None for anything else."""
    return KEY_TYPES.get(len(public_key))


@lru_cache(maxsize=4096)
def decode_multikey_any(value: str) -> bytes:
    """Raw public key from a Multikey of a curve a Data Integrity cryptosuite uses: Ed25519 (``z6Mk…``,
    32 bytes), P-256 (``zDn…``) or P-384 (``z82…``) as the SEC1 compressed point (33 / 49 bytes).

    Raises:
        DidError: not base58btc multibase, another multicodec, a wrong length or not a compressed point.
    """
    raw = _decode_multibase(value, "publicKeyMultibase")
    if raw[:2] == ED25519_PUB_PREFIX:
        return decode_multikey_public(value)
    for kind, size in (("P-256", 33), ("P-384", 49)):
        if raw[:2] == _MULTICODEC[kind]:
            if len(raw) != 2 + size or raw[2] not in (2, 3):
                raise DidError(f"publicKeyMultibase {value[:16]}… is not a compressed {kind} key")
            return raw[2:]
    raise DidError(f"publicKeyMultibase {value[:16]}… is not an Ed25519, P-256 or P-384 key "
                   "(multicodec 0xed01, 0x1200 or 0x1201)")


def public_key_from_jwk(jwk: Any) -> bytes:
    """Raw public key (as :func:`decode_multikey_any`) of a public OKP Ed25519 or EC P-256 / P-384 JWK.

    Raises:
        DidError: another key type or curve, private members, or malformed coordinates.
    """
    if not isinstance(jwk, Mapping) or PRIVATE_JWK_MEMBERS & set(jwk):
        raise DidError("publicKeyJwk must be a public JWK object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    sizes: dict[tuple[Any, Any], int] = {("OKP", "Ed25519"): 32, ("EC", "P-256"): 32, ("EC", "P-384"): 48}
    size = sizes.get((kty, crv))
    if size is None:
        raise DidError(f"publicKeyJwk kty {kty!r} crv {crv!r} is not an Ed25519, P-256 or P-384 key")
    try:
        x = b64url_decode(str(jwk.get("x", "")), what="jwk x")
        y = b64url_decode(str(jwk.get("y", "")), what="jwk y") if kty == "EC" else b""
    except JwtError as exc:
        raise DidError(f"publicKeyJwk: {exc.message}") from None
    if len(x) != size or (kty == "EC" and len(y) != size):
        raise DidError(f"publicKeyJwk {crv} coordinates must have {size} bytes")
    return x if kty == "OKP" else bytes([2 + (y[-1] & 1)]) + x


@lru_cache(maxsize=4096)
def decode_multikey_public(value: str) -> bytes:
    """Raw 32-byte Ed25519 public key from a ``z6Mk…`` multibase string.

    Raises:
        DidError: not base58btc multibase, not the ed25519-pub multicodec, or wrong length.
    """
    raw = _decode_multibase(value, "publicKeyMultibase")
    if raw[:2] != ED25519_PUB_PREFIX or len(raw) != 34:
        raise DidError(f"publicKeyMultibase {value[:16]}… is not an Ed25519 key (multicodec 0xed01)")
    return raw[2:]


def encode_multikey_secret(seed: bytes) -> str:
    """``z3u2…`` multibase string for a 32-byte Ed25519 seed."""
    if len(seed) != 32:
        raise DidError("an Ed25519 seed has 32 bytes")
    return "z" + b58encode(ED25519_PRIV_PREFIX + seed)


def decode_multikey_secret(value: str) -> bytes:
    """32-byte seed from a secret multikey (accepts seed, or seed ‖ public key as some stacks emit)."""
    raw = _decode_multibase(value, "secretKeyMultibase")
    if raw[:2] != ED25519_PRIV_PREFIX or len(raw) not in (34, 66):
        raise DidError("secretKeyMultibase is not an Ed25519 secret key (multicodec 0x8026)")
    return raw[2:34]


def _decode_multibase(value: str, what: str) -> bytes:
    if not isinstance(value, str) or not value.startswith("z"):
        raise DidError(f"{what} must be base58btc multibase (start with 'z')")
    if len(value) > MAX_B58_CHARS:
        raise DidError(f"{what} {value[:16]}… is {len(value)} characters long: not a key")
    try:
        return b58decode(value[1:])
    except ValueError:
        raise DidError(f"{what} is not valid base58btc") from None


# ---------------------------------------------------------------------------------------------
# did:key


def did_key(public_key: bytes) -> str:
    """The ``did:key`` DID for an Ed25519 (or P-256 / P-384 compressed) public key."""
    return "did:key:" + encode_multikey_public(public_key)


def did_key_verification_method(public_key: bytes) -> str:
    """Full verification method id: ``did:key:z6Mk…#z6Mk…``."""
    mb = encode_multikey_public(public_key)
    return f"did:key:{mb}#{mb}"


def did_key_document(public_key: bytes) -> dict[str, Any]:
    """The DID document a did:key resolves to (Multikey form)."""
    did = did_key(public_key)
    vm_id = did_key_verification_method(public_key)
    doc: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": encode_multikey_public(public_key),
            }
        ],
    }
    for rel in VERIFICATION_RELATIONSHIPS:
        doc[rel] = [vm_id]
    return doc


# ---------------------------------------------------------------------------------------------
# did:web


def did_web(domain: str, path: str | None = None) -> str:
    """``did:web`` identifier for a domain (with optional port) and optional path.

    ``did_web("example.edu", "issuers/cs")`` → ``did:web:example.edu:issuers:cs``.
    """
    domain = domain.strip().lower()
    if not domain or "/" in domain or domain.startswith(("http:", "https:")):
        raise DidError(f"--domain must be a bare host name such as example.edu, got {domain!r}")
    parts = [quote(domain, safe="")]
    if path:
        segments = [s for s in path.strip("/").split("/") if s]
        if any(s in (".", "..") for s in segments):
            raise DidError(f"--path must not contain '.' or '..': {path!r}")
        parts += [quote(s, safe="") for s in segments]
    return "did:web:" + ":".join(parts)


def did_web_url(did: str) -> str:
    """The HTTPS URL where a did:web document must be hosted."""
    if not did.startswith("did:web:"):
        raise DidError(f"not a did:web identifier: {did}")
    parts = [unquote(p) for p in did[len("did:web:") :].split(":")]
    if len(parts) == 1:
        return f"https://{parts[0]}/.well-known/did.json"
    return "https://" + "/".join(parts) + "/did.json"


def did_web_document(did: str, public_keys: Iterable[bytes | Mapping[str, Any]]) -> dict[str, Any]:
    """A did:web DID document listing every key given.

    An Ed25519 key (raw 32 bytes) or a P-256 / P-384 key (the SEC1 compressed point, 33 / 49 bytes)
    becomes a ``Multikey`` method ``#key-1``, ``#key-2`` … (numbered among these keys only, so adding an RSA key never renumbers them) in every verification
    relationship. An RSA public JWK (what :attr:`badgekit.keys.RsaKey.public_jwk` gives: VC-JWT
    RS256 only) becomes a ``JsonWebKey`` method whose fragment is its RFC 7638 thumbprint
    (:func:`rsa_verification_method`), stable however the list changes, with ``publicKeyJwk``
    holding ``kty``, ``n`` and ``e`` only; it is listed in ``assertionMethod`` alone (it signs
    credentials, nothing else). Every key stays listed so that credentials signed before a
    rotation still verify; the newest key is listed last.

    ``@context`` stays [did/v1, multikey/v1]: no context badgekit pins defines ``JsonWebKey`` /
    ``publicKeyJwk`` (security/jwk/v1 is not bundled), and verifiers, badgekit's included, read
    ``publicKeyJwk`` as plain JSON.

    Raises:
        DidError: no key given, an RSA JWK with private members or missing ``n``/``e``, or a
            JWK of another key type.
    """
    keys = list(public_keys)
    if not keys:
        raise DidError("a DID document needs at least one key")
    vms: list[dict[str, Any]] = []
    assertion: list[str] = []
    ed25519: list[str] = []
    for k in keys:
        if isinstance(k, Mapping):
            jwk = _public_rsa_jwk(k)
            vm_id = rsa_verification_method(did, jwk)
            if vm_id in assertion:
                raise DidError(f"the same RSA key is given twice ({vm_id})")
            vms.append({"id": vm_id, "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk})
        else:
            vm_id = f"{did}#key-{len(ed25519) + 1}"
            ed25519.append(vm_id)
            vms.append({"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": encode_multikey_public(k)})
        assertion.append(vm_id)
    doc: dict[str, Any] = {"@context": [DID_CONTEXT, MULTIKEY_CONTEXT], "id": did, "verificationMethod": vms}
    for rel in VERIFICATION_RELATIONSHIPS:
        ids = assertion if rel == "assertionMethod" else ed25519
        if ids:  # an RSA-only document: no empty relationship lists
            doc[rel] = list(ids)
    return doc


def _public_rsa_jwk(jwk: Mapping[str, Any]) -> dict[str, str]:
    if PRIVATE_JWK_MEMBERS & set(jwk):
        raise DidError("the JWK holds private key material: refusing to publish it")
    if jwk.get("kty") != "RSA":
        raise DidError(f"a DID document lists Ed25519 keys (raw bytes) or RSA JWKs, not kty {jwk.get('kty')!r}")
    if not all(isinstance(jwk.get(m), str) and jwk[m] for m in ("n", "e")):
        raise DidError("an RSA JWK needs its n and e members")
    return {"kty": "RSA", "n": jwk["n"], "e": jwk["e"]}


def rsa_verification_method(controller: str, jwk: Mapping[str, Any]) -> str:
    """``<controller>#<RFC 7638 thumbprint>``: the id of an RSA key's ``JsonWebKey`` method in a
    did:web or issuer profile document, and so the ``kid`` of the RS256 VC-JWTs it signs.

    Raises:
        DidError: not a public RSA JWK.
    """
    return f"{controller}#{jwk_thumbprint(_public_rsa_jwk(jwk))}"


# ---------------------------------------------------------------------------------------------
# resolution


@dataclass(frozen=True)
class VerificationMethod:
    """A resolved public key, with who controls it and what it may be used for."""

    id: str
    controller: str
    public_key: bytes = field(repr=False)
    relationships: frozenset[str]

    @property
    def public_key_multibase(self) -> str:
        return encode_multikey_public(self.public_key)

    @property
    def key_type(self) -> str | None:
        """``"Ed25519"``, ``"P-256"`` or ``"P-384"`` (:func:`key_type`)."""
        return key_type(self.public_key)


class Unresolvable(DidError):
    """The verification method cannot be resolved offline (e.g. did:web without a supplied document)."""


class NotListed(DidError):
    """The DID document is there, but does not list this verification method."""


class UnsupportedMethodType(DidError):
    """The verification method is listed, with a type other than Multikey / Ed25519 (e.g. JsonWebKey)."""


def resolve_verification_method(
    vm_id: str, documents: Mapping[str, Mapping[str, Any]] | None = None, *, any_curve: bool = False
) -> VerificationMethod:
    """Resolve a verification method id offline.

    did:key resolves from the identifier. Any other DID or URL resolves only from ``documents``
    (controller id → DID document or issuer profile holding the key). Only Ed25519 keys resolve
    unless ``any_curve`` (Data Integrity proofs): then P-256 / P-384 Multikeys and ``JsonWebKey``
    methods (Ed25519, P-256, P-384) resolve too (:func:`decode_multikey_any`).

    Raises:
        Unresolvable: no supplied document for the controller.
        DidError: the document or key is malformed, or the method is not listed in it.
    """
    controller, _, fragment = vm_id.partition("#")
    if controller.startswith("did:key:"):
        mb = controller[len("did:key:") :]
        if fragment and fragment != mb:
            raise DidError(f"did:key fragment #{fragment} does not match the key {mb}")
        key = decode_multikey_any(mb) if any_curve else decode_multikey_public(mb)
        return VerificationMethod(
            id=f"{controller}#{mb}",
            controller=controller,
            public_key=key,
            relationships=frozenset(VERIFICATION_RELATIONSHIPS),
        )
    doc = (documents or {}).get(controller)
    if doc is None:
        raise Unresolvable(
            f"{vm_id}: controller {controller} cannot be resolved offline",
            hint="supply its DID document with --did-doc FILE",
        )
    return _find_in_document(vm_id, doc, any_curve)


def _find_in_document(vm_id: str, doc: Mapping[str, Any], any_curve: bool = False) -> VerificationMethod:
    vm, relationships = _listed(vm_id, doc)
    if vm is None:
        raise NotListed(f"{vm_id}: not listed in the DID document of {doc.get('id')}")
    vm_type = vm.get("type")
    if any_curve and vm_type in ("JsonWebKey", "JsonWebKey2020"):
        key = public_key_from_jwk(vm.get("publicKeyJwk"))
    elif vm_type in ("Multikey", "Ed25519VerificationKey2020"):
        mb = str(vm.get("publicKeyMultibase", ""))
        key = decode_multikey_any(mb) if any_curve and vm_type == "Multikey" else decode_multikey_public(mb)
    else:
        raise UnsupportedMethodType(f"{vm_id}: unsupported verification method type {vm_type!r}")
    return VerificationMethod(
        id=vm_id,
        controller=str(vm.get("controller", "")),
        public_key=key,
        relationships=relationships,
    )


def _listed(vm_id: str, doc: Mapping[str, Any]) -> tuple[Mapping[str, Any] | None, frozenset[str]]:
    """The method ``vm_id`` as ``doc`` lists it (first listing wins), and the relationships naming it."""
    doc_id = doc.get("id")
    candidates: list[Mapping[str, Any]] = [
        vm for vm in as_list(doc.get("verificationMethod")) if isinstance(vm, Mapping)
    ]
    relationships: set[str] = set()
    for rel in (*VERIFICATION_RELATIONSHIPS, "keyAgreement"):
        for entry in as_list(doc.get(rel)):
            if isinstance(entry, str) and _absolute(entry, doc_id) == vm_id:
                relationships.add(rel)
            elif isinstance(entry, Mapping):
                candidates.append(entry)
                if _absolute(str(entry.get("id", "")), doc_id) == vm_id:
                    relationships.add(rel)
    found = next((vm for vm in candidates if _absolute(str(vm.get("id", "")), doc_id) == vm_id), None)
    return found, frozenset(relationships)


def check_issuer_key(issuer_id: str, method: str, public_key: bytes | Mapping[str, Any],
                     document: Mapping[str, Any] | None) -> None:
    """Refuse to sign for ``issuer_id`` as ``method`` with a key verifiers would not find there.

    ``public_key`` is the signing key's public half: Ed25519 (or P-256 / P-384 compressed) raw
    bytes, or an RSA public JWK. A
    did:key issuer is its key, so the key must be that very did:key. Any other issuer (did:web, an
    https id) publishes its keys in ``document``, the DID document (or issuer profile) it hosts:
    ``method`` must be listed there, in ``assertionMethod``, holding this key (an Ed25519 key as
    ``publicKeyMultibase``, an RSA key as ``publicKeyJwk``). ``issue`` and ``status publish``
    both check this before signing anything, so a wrong ``--key`` fails at once instead of
    producing credentials every verifier rejects.

    Raises:
        KeyFileError: the key is not the issuer's, ``method`` belongs to someone else, there is
            no document (not a did:key issuer), or the document does not list this key there.
    """
    label = _key_label(public_key)
    if issuer_id.startswith("did:key:") and (not isinstance(public_key, bytes) or did_key(public_key) != issuer_id):
        raise KeyFileError(f"the signing key is {label}, but the issuer is {issuer_id}: verifiers would reject every credential it signs",
                           hint="sign with the issuer's own key (--key), or correct [issuer] id in badgekit.toml")
    if method.partition("#")[0] != issuer_id:
        raise KeyFileError(f"the signing key's verification method {method} does not belong to the issuer {issuer_id}",
                           hint=f"the method must start with {issuer_id}# (verification_method in badgekit.toml)")
    if issuer_id.startswith("did:key:"):
        return
    publish = "list every key, oldest first, with 'badgekit key did-web OLD.pem NEW.pem --domain DOMAIN' and host the new did.json"
    if document is None:
        raise KeyFileError(f"cannot check that {label} is a key of {issuer_id}: no DID document to look it up in",
                           hint="keep the did.json you host beside badgekit.toml ('badgekit key did-web KEY... --domain DOMAIN' writes it)")
    if document.get("id") != issuer_id:
        raise KeyFileError(f"the DID document is the one of {document.get('id')!r}, not of the issuer {issuer_id}",
                           hint="use the did.json hosted for the issuer")
    vm, relationships = _listed(method, document)
    if vm is None:
        raise KeyFileError(f"{method} is not listed in the DID document of {issuer_id}, so verifiers would not find {label}",
                           hint=publish)
    if not _holds(vm, public_key):
        raise KeyFileError(f"{method} in the DID document of {issuer_id} is another key than {label}: "
                           "verifiers would reject every credential it signs",
                           hint=f"sign with the key the document lists there (--key), or {publish}")
    if "assertionMethod" not in relationships:
        raise KeyFileError(f"{method} is not an assertionMethod in the DID document of {issuer_id}: verifiers would refuse what it signs",
                           hint=publish)


def assertion_method_of(document: Mapping[str, Any] | None, public_key: bytes) -> str | None:
    """The first ``assertionMethod`` of ``document`` whose ``publicKeyMultibase`` is ``public_key``
    (raw Ed25519, or a compressed P-256 / P-384 point), or None: how a key that is not the
    project's ``verification_method`` (a P-256 key signing ES256 JWTs) is named by its issuer."""
    if document is None:
        return None
    doc_id = document.get("id")
    for ref in as_list(document.get("assertionMethod")):
        ref_id = ref if isinstance(ref, str) else ref.get("id") if isinstance(ref, Mapping) else None
        vm_id = _absolute(ref_id, doc_id) if isinstance(ref_id, str) else None
        vm = _listed(vm_id, document)[0] if vm_id else None
        if vm_id and vm is not None and _holds(vm, public_key):
            return vm_id
    return None


def _key_label(public_key: bytes | Mapping[str, Any]) -> str:
    if isinstance(public_key, bytes):
        return did_key(public_key)
    return f"the RSA key {jwk_thumbprint_uri(_public_rsa_jwk(public_key))}"


def _holds(vm: Mapping[str, Any], public_key: bytes | Mapping[str, Any]) -> bool:
    """Whether a listed method carries this public key, in the form verifiers read for its type."""
    if isinstance(public_key, bytes):
        try:
            return decode_multikey_any(str(vm.get("publicKeyMultibase", ""))) == public_key
        except DidError:
            return False
    jwk = vm.get("publicKeyJwk")
    return isinstance(jwk, Mapping) and all(jwk.get(m) == public_key.get(m) for m in ("kty", "n", "e"))


def _absolute(ref: str, base: Any) -> str:
    return f"{base}{ref}" if ref.startswith("#") and isinstance(base, str) else ref

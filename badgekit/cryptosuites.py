"""The Data Integrity cryptosuites badgekit verifies and signs in: one registry, each suite's transformation,
hash and signature algorithm.

=========================  ===========================  ===============  ==================
suite                      transformation               hash             signature
=========================  ===========================  ===============  ==================
``eddsa-rdfc-2022``        RDFC-1.0 (N-Quads)           SHA-256          Ed25519
``eddsa-jcs-2022``         JCS (RFC 8785)               SHA-256          Ed25519
``ecdsa-rdfc-2019``        RDFC-1.0 (N-Quads)           SHA-256 / -384   ECDSA P-256 / P-384
``ecdsa-jcs-2019``         JCS (RFC 8785)               SHA-256 / -384   ECDSA P-256 / P-384
``ecdsa-sd-2023``          RDFC-1.0, HMAC'd labels      SHA-256          ECDSA P-256 (+ per statement)
``eddsa-2022`` (legacy)    as eddsa-rdfc-2022
``Ed25519Signature2020``   as eddsa-rdfc-2022 (legacy proof type, no cryptosuite)
=========================  ===========================  ===============  ==================

Every suite signs ``hash(proof configuration) ‖ hash(document)`` (W3C VC-DI-EdDSA 1.0 and
VC-DI-ECDSA 1.0); the ECDSA suites hash with SHA-384 when the key is P-384, and their signature is
``r ‖ s`` (64 or 96 bytes); with a P-384 key, RDFC-1.0 itself labels blank nodes with SHA-384
(:func:`canonize_sha384`). The RDFC-1.0 transformation lives in :mod:`badgekit.proof` (shared with
signing); JCS and ECDSA are here, loaded only when a proof uses them (``badgekit verify`` start-up).
``ecdsa-sd-2023`` (selective disclosure: the issuer's key signs the mandatory statements and a
proof-scoped key each other one; ``proofValue`` is CBOR in base64url, ``u…``) is
:mod:`badgekit.ecdsa_sd`; badgekit verifies its derived proofs (what a holder presents).
Any other proof type or cryptosuite (``bbs-2023`` …) is not checkable, which is not the same as
disproven: :mod:`badgekit.verify` reports it as indeterminate.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from badgekit import jsonld, proofsets
from badgekit.errors import ProofError
from badgekit.keys import verify_signature as ed25519_verify

__all__ = ["SIGNING_SUITES", "SUITES", "Cryptosuite", "default_suite", "describe", "jcs", "jcs_hash_data",
           "names_a_suite", "signing_suite", "suite_of", "suites_for_hint", "supported", "verify_signature"]

RDFC = "rdfc"
JCS = "jcs"
SD = "rdfc-sd"  # RDFC-1.0, blank nodes relabelled, statements signed one by one (ecdsa-sd-2023)
ED25519 = ("Ed25519",)
NIST = ("P-256", "P-384")
#: Signature bytes per key type: Ed25519 and P-256 64, P-384 96 (``r ‖ s``).
SIGNATURE_BYTES = {"Ed25519": 64, "P-256": 64, "P-384": 96}


@dataclass(frozen=True)
class Cryptosuite:
    """One suite: how its proofs are named, transformed, hashed and signed."""

    proof_type: str
    cryptosuite: str | None
    transform: str  # RDFC or JCS
    key_types: tuple[str, ...]
    legacy: bool = False  # accepted when verifying only

    @property
    def name(self) -> str:
        """What messages call it: the cryptosuite, or the proof type for a suite without one."""
        return self.cryptosuite or self.proof_type

    def hash_name(self, key_type: str) -> str:
        """``"sha384"`` for a P-384 key, ``"sha256"`` otherwise (VC-DI-ECDSA 1.0 §3.3.4 / §3.4.4)."""
        return "sha384" if key_type == "P-384" else "sha256"


SUITES: tuple[Cryptosuite, ...] = (
    Cryptosuite("DataIntegrityProof", "eddsa-rdfc-2022", RDFC, ED25519),
    Cryptosuite("DataIntegrityProof", "eddsa-jcs-2022", JCS, ED25519),
    Cryptosuite("DataIntegrityProof", "ecdsa-rdfc-2019", RDFC, NIST),
    Cryptosuite("DataIntegrityProof", "ecdsa-jcs-2019", JCS, NIST),
    Cryptosuite("DataIntegrityProof", "ecdsa-sd-2023", SD, ("P-256",)),
    Cryptosuite("DataIntegrityProof", "eddsa-2022", RDFC, ED25519, legacy=True),
    Cryptosuite("Ed25519Signature2020", None, RDFC, ED25519, legacy=True),
)
_BY_NAME = {(s.proof_type, s.cryptosuite): s for s in SUITES}

#: "z" + base58btc of the longest signature (96 bytes) is at most 133 characters.
MAX_PROOF_VALUE_CHARS = {64: 89, 96: 133}
#: ecdsa-sd-2023: at most this many statements signed one by one (an Open Badges credential has
#: tens to a few hundred), so a proofValue ("u" + base64url of the header, base signature, keys,
#: and per statement a CBOR-framed signature of 66 bytes, label of 36, index of 3) of at most:
SD_MAX_STATEMENTS = 5_000
SD_MAX_PROOF_VALUE_CHARS = 1 + (3 + 66 + 37 + 34 + 16 + SD_MAX_STATEMENTS * (66 + 36 + 3)) * 4 // 3


def suite_of(proof: Any) -> Cryptosuite | None:
    """The suite of ``proof``, or None when badgekit does not implement it (or it is no object)."""
    if not isinstance(proof, Mapping):
        return None
    ptype, suite = proof.get("type"), proof.get("cryptosuite")
    if not isinstance(ptype, str) or not (suite is None or isinstance(suite, str)):
        return None  # a JSON array or object there: simply not a suite we know
    return _BY_NAME.get((ptype, suite))


def describe(proof: Any) -> str:
    """``"DataIntegrityProof bbs-2023"``: a proof's type and cryptosuite, for messages
    (``"… ecdsa-sd-2023 base proof"`` for the holder's copy of a selective-disclosure proof)."""
    if not isinstance(proof, Mapping):
        return "non-object"
    base = " base proof" if is_base_proof(proof) else ""
    return f"{proof.get('type')!s} {proof.get('cryptosuite') or ''}".strip() + base


#: The first bytes of an ``ecdsa-sd-2023`` proofValue (a CBOR tag): base proof, derived proof.
SD_BASE_HEADER, SD_DERIVED_HEADER = b"\xd9\x5d\x00", b"\xd9\x5d\x01"


def sd_proof_kind(proof_value: Any) -> str | None:
    """``"base"`` or ``"derived"`` for an ``ecdsa-sd-2023`` proofValue (``u`` + base64url) by its
    3-byte header, None for anything else. Cheap: decodes the first four characters only."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u") or len(proof_value) < 5:
        return None
    try:
        head = base64.urlsafe_b64decode(proof_value[1:5])
    except (binascii.Error, ValueError):
        return None
    return {SD_BASE_HEADER: "base", SD_DERIVED_HEADER: "derived"}.get(head)


def is_base_proof(proof: Any) -> bool:
    """True for an ``ecdsa-sd-2023`` *base* proof: what the issuer gives the holder, who derives
    from it the proof a verifier checks (VC-DI-ECDSA 1.0 §3.6). badgekit does not verify it."""
    return (isinstance(proof, Mapping) and proof.get("cryptosuite") == "ecdsa-sd-2023"
            and sd_proof_kind(proof.get("proofValue")) == "base")


def names_a_suite(proof: Any) -> bool:
    """True when ``proof`` is an object naming a proof type (and a cryptosuite, if any) as strings:
    a proof of some suite, checkable or not, rather than malformed."""
    return (isinstance(proof, Mapping) and isinstance(proof.get("type"), str) and bool(proof["type"])
            and isinstance(proof.get("cryptosuite", ""), str))


#: The suites badgekit signs in (``badgekit sign`` / ``issue --cryptosuite``); the default first.
SIGNING_SUITES: tuple[str, ...] = tuple(s.name for s in SUITES if not s.legacy)


def signing_suite(name: str) -> Cryptosuite:
    """The suite named ``name`` when badgekit signs in it.

    Raises:
        ProofError: badgekit does not sign in ``name`` (names the ones it does).
    """
    if name not in SIGNING_SUITES:
        raise ProofError(f"badgekit does not sign in the cryptosuite {name!r}; it signs in {', '.join(SIGNING_SUITES)}")
    return _BY_NAME[("DataIntegrityProof", name)]


def default_suite(key_type: str) -> str:
    """The suite badgekit signs in with a ``key_type`` key when none is named: ``eddsa-rdfc-2022``
    for Ed25519, ``ecdsa-rdfc-2019`` for P-256 / P-384 (both RDFC-1.0, as OB 3.0 verifiers expect)."""
    return "eddsa-rdfc-2022" if key_type == "Ed25519" else "ecdsa-rdfc-2019"


def suites_for_hint(key_type: str) -> str:
    """``"a P-256 key signs in ecdsa-rdfc-2019 or ecdsa-jcs-2019"``: for error hints."""
    names = [s.name for s in SUITES if s.name in SIGNING_SUITES and key_type in s.key_types]
    article = "an" if key_type.startswith("E") else "a"
    return (f"{article} {key_type} key signs in {' or '.join(names)}" if names
            else f"{article} {key_type} key signs no Data Integrity suite")


def supported() -> str:
    """``"eddsa-rdfc-2022, eddsa-jcs-2022, …"``: the suites badgekit verifies, for messages."""
    return ", ".join(s.name + (" (legacy)" if s.legacy else "") for s in SUITES)


def max_proof_value_chars(suite: Cryptosuite) -> int:
    """Longest ``proofValue`` a proof of ``suite`` can have (its largest signature, base58btc; for
    ``ecdsa-sd-2023`` the bound of :data:`SD_MAX_PROOF_VALUE_CHARS`)."""
    if suite.transform == SD:
        return SD_MAX_PROOF_VALUE_CHARS
    return MAX_PROOF_VALUE_CHARS[max(SIGNATURE_BYTES[k] for k in suite.key_types)]


def proof_value_multibase(suite: Cryptosuite) -> tuple[str, str]:
    """The multibase prefix of ``suite``'s ``proofValue`` and its name: ``("u", "base64url")`` for
    ``ecdsa-sd-2023`` (CBOR), ``("z", "base58btc")`` for every other suite (a bare signature)."""
    return ("u", "base64url") if suite.transform == SD else ("z", "base58btc")


# ---------------------------------------------------------------------------------------------
# RDFC-1.0 with SHA-384


def canonize_sha384(document: Any, *, loader: Any = None) -> str:
    """RDFC-1.0 canonical N-Quads with SHA-384 as the canonicalisation hash, as ``ecdsa-rdfc-2019``
    requires for P-384 keys (VC-DI-ECDSA 1.0 §2.2.1: blank nodes are labelled by SHA-384 hashes,
    so the labels, and the order of the lines, differ from the SHA-256 form whenever the document
    has blank nodes). Goes through PyLD (the reference path) with the same work bounds as
    :func:`badgekit.jsonld.canonize`.

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: as :func:`badgekit.jsonld.canonize`.
    """
    dataset = jsonld.to_rdf(document, loader=loader)
    bounded = jsonld._bounded_urdna2015(jsonld.MAX_CANON_WORK)  # noqa: SLF001 - the one RDFC-1.0 engine

    class _Sha384(bounded):  # type: ignore[misc, valid-type]  # PyLD has no types
        def create_hash(self) -> Any:
            return hashlib.sha384()

    nquads: str = _Sha384().main(dataset, {"format": "application/n-quads"})
    return nquads


# ---------------------------------------------------------------------------------------------
# JCS (RFC 8785)


class JcsError(ValueError):
    """A value JCS cannot serialise (RFC 8785 §3.2.2: numbers beyond IEEE 754 double, NaN …)."""


def jcs(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of ``value``, UTF-8 (the ``rfc8785`` package).

    Raises:
        JcsError: a number outside what RFC 8785 can represent (an integer beyond ±2**53 …).
    """
    import rfc8785  # noqa: PLC0415 - start-up: only proofs of a JCS suite need it

    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError) as exc:
        raise JcsError(str(exc) or type(exc).__name__) from None


def jcs_hash_data(document: Mapping[str, Any], proof: Mapping[str, Any], hash_name: str,
                  previous: Sequence[Mapping[str, Any]] = ()) -> bytes:
    """``hash(JCS(proof configuration)) ‖ hash(JCS(document without proof))`` as a JCS suite's
    Verify Proof algorithm computes it (VC-DI-EdDSA 1.0 §3.3.2, VC-DI-ECDSA 1.0 §3.4.2): when the
    proof carries an ``@context``, the document's must start with it, and it replaces the document's.
    A chained proof signs the document with the ``previous`` proofs it names as its ``proof``.

    Raises:
        JcsError: the document or proof cannot be serialised, or the contexts disagree.
    """
    unsecured = proofsets.unsecured(document, previous)
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    if "@context" in options:
        ctx, doc_ctx = _as_list(options["@context"]), _as_list(document.get("@context"))
        if doc_ctx[: len(ctx)] != ctx:
            raise JcsError("the proof's @context is not the start of the credential's @context")
        unsecured["@context"] = options["@context"]
    return hashlib.new(hash_name, jcs(options)).digest() + hashlib.new(hash_name, jcs(unsecured)).digest()


# ---------------------------------------------------------------------------------------------
# signatures


def verify_signature(key_type: str, public_key: bytes, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies with ``public_key`` (raw, as
    :func:`badgekit.did.decode_multikey_any` returns it): Ed25519, or ECDSA ``r ‖ s`` with the
    curve's hash (SHA-256 for P-256, SHA-384 for P-384)."""
    if key_type == "Ed25519":
        return ed25519_verify(public_key, signature, data)
    return _ecdsa_verify(key_type, public_key, signature, data)


def _ecdsa_verify(key_type: str, public_key: bytes, signature: bytes, data: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature  # noqa: PLC0415 - start-up: ECDSA proofs only
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature  # noqa: PLC0415

    curve: ec.EllipticCurve
    digest: hashes.HashAlgorithm
    if key_type == "P-256":
        curve, digest, size = ec.SECP256R1(), hashes.SHA256(), 32
    elif key_type == "P-384":
        curve, digest, size = ec.SECP384R1(), hashes.SHA384(), 48
    else:
        return False
    if len(signature) != 2 * size:
        return False
    r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(curve, public_key)
        key.verify(encode_dss_signature(r, s), data, ec.ECDSA(digest))
    except (InvalidSignature, ValueError):
        return False
    return True


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]

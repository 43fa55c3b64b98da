"""The Data Integrity suite registry: W3C vc-di-ecdsa and vc-di-eddsa (JCS) test vectors reproduced
value by value and verified, tampered copies refused, P-256 / P-384 keys from did:key and did:web
(Multikey and JsonWebKey)."""

from __future__ import annotations

import copy
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from badgekit import cryptosuites, did, proof
from badgekit.jwk import b64url_encode
from tests.conftest import VECTORS, load_vector

ECDSA = VECTORS / "w3c-vc-di-ecdsa"
EDDSA_JCS = VECTORS / "w3c-vc-di-eddsa" / "eddsa-jcs-2022"

#: (folder, file suffix, curve) of each W3C vector.
RDFC = [("ecdsa-rdfc-2019-p256", "ECDSAP256", "P-256"), ("ecdsa-rdfc-2019-p384", "ECDSAP384", "P-384")]
JCS = [("ecdsa-jcs-2019-p256", "JCSECDSAP256", "P-256"), ("ecdsa-jcs-2019-p384", "JCSECDSAP384", "P-384")]
SIGNED = [ECDSA / f / f"signed{s}.json" for f, s, _ in RDFC + JCS] + [EDDSA_JCS / "signedJCS.json"]


def _text(path):
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("folder", "suffix", "curve"), RDFC)
def test_ecdsa_rdfc_2019_vector_values(folder, suffix, curve):
    d = ECDSA / folder
    unsigned = load_vector("w3c-vc-di-ecdsa/unsigned.json")
    config = load_vector(f"w3c-vc-di-ecdsa/{folder}/proofConfig{suffix}.json")
    data = proof.hash_data(unsigned, {k: v for k, v in config.items() if k != "@context"})
    assert data.canonical_document == _text(d / f"canonDoc{suffix}.txt")
    assert data.canonical_proof_config == _text(d / f"proofCanon{suffix}.txt")
    h = hashlib.sha384 if curve == "P-384" else hashlib.sha256
    assert h(data.canonical_document.encode()).hexdigest() == _text(d / f"docHash{suffix}.txt").strip()
    assert h(data.canonical_proof_config.encode()).hexdigest() == _text(d / f"proofHash{suffix}.txt").strip()


@pytest.mark.parametrize(("folder", "suffix", "curve"), [*JCS, ("../w3c-vc-di-eddsa/eddsa-jcs-2022", "JCS", "Ed25519")])
def test_jcs_vector_values(folder, suffix, curve):
    d = ECDSA / folder
    signed = load_vector(f"w3c-vc-di-ecdsa/{folder}/signed{suffix}.json")
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = load_vector(f"w3c-vc-di-ecdsa/{folder}/proofConfig{suffix}.json")
    assert cryptosuites.jcs(unsigned).decode() == _text(d / f"canonDoc{suffix}.txt")
    assert cryptosuites.jcs(config).decode() == _text(d / f"proofCanon{suffix}.txt")
    combined = cryptosuites.jcs_hash_data(signed, signed["proof"], "sha384" if curve == "P-384" else "sha256")
    assert combined.hex() == _text(d / f"combinedHash{suffix}.txt").strip()


@pytest.mark.parametrize("path", SIGNED, ids=lambda p: p.name)
def test_w3c_vectors_verify_and_tampered_copies_do_not(path):
    signed = load_vector(str(path.relative_to(VECTORS)))
    result = proof.verify(signed)
    assert result.verified, result.reason
    assert result.reason == f"DataIntegrityProof {signed['proof']['cryptosuite']} signature verified"

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "The School of Forgeries"
    assert not proof.verify(tampered).verified
    tampered = copy.deepcopy(signed)
    tampered["proof"]["created"] = "2023-02-24T23:36:39Z"  # the proof configuration is signed too
    assert not proof.verify(tampered).verified


def test_jcs_proof_context_must_start_the_credentials():
    signed = load_vector("w3c-vc-di-eddsa/eddsa-jcs-2022/signedJCS.json")
    signed["@context"] = signed["@context"][::-1]
    result = proof.verify(signed)
    assert not result.verified and "@context" in result.reason


def test_a_suite_on_the_wrong_curve_is_refused_by_name():
    # The P-256 signature, claimed by a P-384 key: never verified against a key of another curve.
    signed = load_vector("w3c-vc-di-ecdsa/ecdsa-rdfc-2019-p256/signedECDSAP256.json")
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    result = proof.verify(signed)
    assert not result.verified
    assert "eddsa-rdfc-2022, which needs a Ed25519 key" in result.reason and "P-256" in result.reason


def test_jcs_refuses_numbers_it_cannot_represent():
    with pytest.raises(cryptosuites.JcsError):
        cryptosuites.jcs({"n": 2**60})


def test_registry_names_and_unknown_suites():
    assert [s.name for s in cryptosuites.SUITES if not s.legacy] == [
        "eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019", "ecdsa-sd-2023"]
    assert cryptosuites.suite_of({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023"}).key_types == ("P-256",)
    assert cryptosuites.suite_of({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}) is None
    assert cryptosuites.suite_of({"type": ["DataIntegrityProof"], "cryptosuite": "eddsa-rdfc-2022"}) is None
    assert cryptosuites.names_a_suite({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"})
    assert not cryptosuites.names_a_suite({"cryptosuite": "bbs-2023"})


# -- keys ---------------------------------------------------------------------------------------


def _private(pair: str) -> ec.EllipticCurvePrivateKey:
    """The vector's secret key (multicodec p256-priv 0x1306 / p384-priv 0x1307, raw scalar)."""
    values = load_vector(f"w3c-vc-di-ecdsa/{pair}")
    raw = did.b58decode(values["secretKeyMultibase"][1:])
    assert raw[:2] in (b"\x86\x26", b"\x87\x26")
    curve = ec.SECP256R1() if raw[:2] == b"\x86\x26" else ec.SECP384R1()
    key = ec.derive_private_key(int.from_bytes(raw[2:], "big"), curve)
    public = key.public_key().public_bytes(*_compressed())
    assert did.decode_multikey_any(values["publicKeyMultibase"]) == public
    assert did.encode_multikey_public(public) == values["publicKeyMultibase"]
    return key


def _compressed():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint


def _sign_ecdsa(key: ec.EllipticCurvePrivateKey, document: dict, vm: str, suite: str) -> dict:
    size = key.curve.key_size // 8
    digest = hashes.SHA384() if size == 48 else hashes.SHA256()
    options = {"type": "DataIntegrityProof", "cryptosuite": suite, "created": "2025-01-01T00:00:00Z",
               "verificationMethod": vm, "proofPurpose": "assertionMethod"}
    if suite.endswith("jcs-2019"):
        message = cryptosuites.jcs_hash_data(document, options, "sha384" if size == 48 else "sha256")
    else:
        data = proof.hash_data(document, options)
        h = hashlib.sha384 if size == 48 else hashlib.sha256
        message = h(data.canonical_proof_config.encode()).digest() + h(data.canonical_document.encode()).digest()
    r, s = decode_dss_signature(key.sign(message, ec.ECDSA(digest)))
    signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return {**document, "proof": {**options, "proofValue": "z" + did.b58encode(signature)}}


@pytest.mark.parametrize("pair", ["p256KeyPair.json", "p384KeyPair.json"])
@pytest.mark.parametrize("form", ["Multikey", "JsonWebKey"])
@pytest.mark.parametrize("suite", ["ecdsa-rdfc-2019", "ecdsa-jcs-2019"])
def test_did_web_multikey_and_json_web_key(pair, form, suite):
    key = _private(pair)
    issuer = "did:web:issuer.example"
    vm = f"{issuer}#key-1"
    public = key.public_key()
    if form == "Multikey":
        method = {"publicKeyMultibase": did.encode_multikey_public(public.public_bytes(*_compressed()))}
    else:
        n = key.curve.key_size // 8
        numbers = public.public_numbers()
        method = {"publicKeyJwk": {"kty": "EC", "crv": f"P-{key.curve.key_size}",
                                   "x": b64url_encode(numbers.x.to_bytes(n, "big")),
                                   "y": b64url_encode(numbers.y.to_bytes(n, "big"))}}
    document = {"@context": [did.DID_CONTEXT], "id": issuer, "assertionMethod": [vm],
                "verificationMethod": [{"id": vm, "type": form, "controller": issuer, **method}]}
    unsigned = load_vector("w3c-vc-di-ecdsa/unsigned.json")
    signed = _sign_ecdsa(key, unsigned, vm, suite)
    resolver = proof.default_resolver({issuer: document})
    result = proof.verify(signed, resolver=resolver)
    assert result.verified and result.key_source == "document", result.reason
    signed["name"] = "Forged Credential"
    assert not proof.verify(signed, resolver=resolver).verified


def test_only_data_integrity_resolution_reads_other_curves():
    # VC-JWT key resolution keeps its Ed25519-only view of did:key (ES256 JWTs carry a jwk).
    p256 = load_vector("w3c-vc-di-ecdsa/p256KeyPair.json")["publicKeyMultibase"]
    with pytest.raises(did.DidError):
        did.resolve_verification_method(f"did:key:{p256}")
    vm = did.resolve_verification_method(f"did:key:{p256}#{p256}", any_curve=True)
    assert vm.key_type == "P-256" and vm.public_key_multibase == p256


@pytest.mark.parametrize("bad", [
    "zDn" + "1" * 10,  # truncated
    "z" + did.b58encode(b"\x80\x24\x04" + bytes(32)),  # an uncompressed-point prefix
    "z" + did.b58encode(b"\x12\x00" + bytes(33)),  # secp256k1 (0xe7) is not listed either: another codec
])
def test_malformed_nist_multikeys_are_refused(bad):
    with pytest.raises(did.DidError):
        did.decode_multikey_any(bad)


def test_p384_rdfc_labels_blank_nodes_with_sha384():
    # Signed by @digitalbazaar/ecdsa-rdfc-2019-cryptosuite 1.3.0 (tests/interop/dbsuites.mjs):
    # an OB 3.0 badge has blank nodes, whose RDFC-1.0 labels depend on the hash (VC-DI-ECDSA §2.2.1).
    signed = load_vector("../interop/fixtures/db-ecdsa-rdfc-2019-p384.json")
    assert proof.verify(signed).verified
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    assert cryptosuites.canonize_sha384(unsigned) != proof.jsonld.canonize(unsigned)
    signed["name"] = "Forged Badge"
    assert not proof.verify(signed).verified


@pytest.mark.parametrize(("curve", "suite"), [("P-256", "ecdsa-rdfc-2019"), ("P-384", "ecdsa-rdfc-2019"),
                                              ("P-256", "ecdsa-jcs-2019"), ("P-384", "ecdsa-jcs-2019"),
                                              ("Ed25519", "eddsa-jcs-2022")])
def test_add_proof_signs_in_every_suite_of_the_registry(curve, suite):
    from badgekit import keys

    key = keys.Ed25519Key.generate() if curve == "Ed25519" else keys.EcdsaKey.generate(curve)
    unsigned = load_vector("w3c-vc-di-ecdsa/unsigned.json")
    signed = proof.add_proof(unsigned, key.signer(), cryptosuite=suite, created="2026-01-01T00:00:00Z")
    [p] = signed["proof"]
    assert p["cryptosuite"] == suite and p["verificationMethod"].startswith(key.did_key)
    # A JCS suite's proof carries the document's @context (VC-DI-ECDSA 1.0 §3.4.1); RDFC's does not.
    assert ("@context" in p) == suite.endswith(("jcs-2019", "jcs-2022"))
    assert len(did.b58decode(p["proofValue"][1:])) == cryptosuites.SIGNATURE_BYTES[curve]
    assert proof.verify(signed).verified
    assert not proof.verify({**signed, "validFrom": "2020-01-01T00:00:00Z"}).verified


def test_add_proof_refuses_a_suite_the_key_cannot_sign_in_and_unknown_suites():
    from badgekit import keys
    from badgekit.errors import ProofError

    unsigned = load_vector("w3c-vc-di-ecdsa/unsigned.json")
    with pytest.raises(ProofError, match="needs a key of type P-256 or P-384; the signing key is Ed25519"):
        proof.add_proof(unsigned, keys.Ed25519Key.generate().signer(), cryptosuite="ecdsa-rdfc-2019")
    with pytest.raises(ProofError, match="needs a key of type Ed25519; the signing key is P-384"):
        proof.add_proof(unsigned, keys.EcdsaKey.generate("P-384").signer())
    for name in ("Ed25519Signature2020", "eddsa-2022", "bbs-2023"):
        with pytest.raises(ProofError, match="does not sign in"):
            proof.add_proof(unsigned, keys.Ed25519Key.generate().signer(), cryptosuite=name)

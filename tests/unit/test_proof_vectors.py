"""W3C vc-di-eddsa and 1EdTech OB 3.0 test vectors, reproduced byte for byte."""

from __future__ import annotations

import json

import base58
import pytest

from badgekit import did, proof
from badgekit.keys import Ed25519Key
from tests.conftest import VECTORS, load_vector

W3C = VECTORS / "w3c-vc-di-eddsa"
OB = VECTORS / "1edtech-ob3-ldp"


def _text(path):
    return path.read_text(encoding="utf-8")


def test_w3c_key_pair_from_secret():
    pair = load_vector("w3c-vc-di-eddsa/keyPair.json")
    key = Ed25519Key.from_seed(did.decode_multikey_secret(pair["privateKeyMultibase"]))
    assert key.public_key_multibase == pair["publicKeyMultibase"]
    assert did.encode_multikey_secret(did.decode_multikey_secret(pair["privateKeyMultibase"])) == pair["privateKeyMultibase"]


def test_w3c_eddsa_rdfc_2022_vector_byte_for_byte():
    pair = load_vector("w3c-vc-di-eddsa/keyPair.json")
    key = Ed25519Key.from_seed(did.decode_multikey_secret(pair["privateKeyMultibase"]))
    unsigned = load_vector("w3c-vc-di-eddsa/unsigned.json")
    config = load_vector("w3c-vc-di-eddsa/eddsa-rdfc-2022/proofConfigDataInt.json")
    options = {k: v for k, v in config.items() if k != "@context"}
    data = proof.hash_data(unsigned, options)
    d = W3C / "eddsa-rdfc-2022"
    assert data.canonical_document == _text(d / "canonDocDataInt.txt")
    assert data.canonical_proof_config == _text(d / "proofCanonDataInt.txt")
    assert data.document_hash.hex() == _text(d / "docHashDataInt.txt").strip()
    assert data.proof_hash.hex() == _text(d / "proofHashDataInt.txt").strip()
    assert data.hash_data.hex() == _text(d / "combinedHashDataInt.txt").strip()
    signature = key.sign(data.hash_data)
    assert signature.hex() == _text(d / "sigHexDataInt.txt").strip()
    assert base58.b58encode(signature).decode() == _text(d / "sigBTC58DataInt.txt").strip().lstrip("z")

    signed = proof.add_proof(unsigned, key.signer(options["verificationMethod"]), created=options["created"])
    expected = load_vector("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
    assert signed["proof"] == [expected["proof"]]
    assert proof.verify(signed)
    assert proof.verify(expected)


def test_1edtech_ob3_ldp_vector_byte_for_byte():
    values = load_vector("1edtech-ob3-ldp/vector-values.transcribed.json")
    seed = bytes.fromhex(values["privateKeyHex"])[:32]
    key = Ed25519Key.from_seed(seed)
    assert key.public_key.hex() == values["publicKeyHex"]
    assert key.public_key_multibase == values["publicKeyMultibase"]
    assert did.decode_multikey_secret(values["secretKeyMultibase"]) == seed
    unsigned = load_vector("1edtech-ob3-ldp/credential.unsigned.json")
    data = proof.hash_data(unsigned, values["proofOptions"])
    assert data.canonical_document == _text(OB / "document-canon.txt")
    assert data.canonical_proof_config == _text(OB / "proof-canon.txt")
    assert data.document_hash.hex() == values["documentHashHex"]
    assert data.proof_hash.hex() == values["proofHashHex"]
    assert data.hash_data.hex() == values["dataToSignHex"]
    assert key.sign(data.hash_data).hex() == values["signatureHex"]
    signed = proof.add_proof(unsigned, key.signer(values["verificationMethod"]), created=values["proofOptions"]["created"])
    assert signed["proof"][0]["proofValue"] == values["proofValue"]
    assert proof.verify(load_vector("1edtech-ob3-ldp/credential.signed.json"))


def test_superseded_ob_context_canonicalises_the_vector_identically():
    from badgekit.jsonld import OB_V3, DocumentLoader, bundled_context, canonize

    old = json.loads((VECTORS / "contexts-superseded/ob-v3p0-context-3.0.3.rev-2024-03.json").read_text())

    class OldLoader(DocumentLoader):
        def __call__(self, url, options=None):
            doc = super().__call__(url, options)
            if url == OB_V3:
                doc = dict(doc, document=old)
            return doc

    unsigned = load_vector("1edtech-ob3-ldp/credential.unsigned.json")
    assert bundled_context(OB_V3) != old
    assert canonize(unsigned, loader=OldLoader()) == canonize(unsigned) == _text(OB / "document-canon.txt")


SIGNED_FIXTURES = {
    # fixture: signature verifies?  (SOURCES.md, "Expected outcomes of the fixtures")
    "simple.json": True,
    "simple-did-key-method.json": True,
    "simple-did-web-method.json": True,
    "simple-multiple-proofs.json": True,
    "complete.json": True,
    "simple-err-expired.json": True,
    "endorsement-valid.json": True,
    "simple-eddsa-2022.json": True,
    "simple_v1.json": True,
    "credential-status-revoked.json": True,
    "bit-string-list/credential-status-revoked.json": True,
    "bit-string-list/testlist": True,
    "simple-err-proof-value.json": False,
    "simple-noproof.json": False,
}


@pytest.mark.parametrize(("name", "expected"), sorted(SIGNED_FIXTURES.items()))
def test_1edtech_validator_fixture_signatures(name, expected):
    doc = load_vector(f"1edtech-validator-ob30/{name}")
    assert bool(proof.verify(doc)) is expected


@pytest.mark.parametrize("name", ["revocable-credential.eddsa-rdfc-2022.json", "status-list-credential.eddsa-rdfc-2022.json"])
def test_w3c_bitstring_examples_verify(name):
    assert proof.verify(load_vector(f"w3c-bitstring-status-list/{name}"))


def test_multiple_proofs_one_unknown_is_skipped():
    doc = load_vector("1edtech-validator-ob30/simple-multiple-proofs.json")
    types = [p.get("type") for p in proof.proofs_of(doc)]
    assert len(types) == 2
    assert proof.verify(doc)

"""ecdsa-sd-2023 (W3C VC-DI-ECDSA 1.0 §3.4-3.6): the W3C ``prc`` and ``employ`` vectors reproduced
value by value (canonical N-Quads, HMAC'd labels, label map, mandatory / non-mandatory split, hashes,
signatures), derived proofs verified and every kind of tampering refused, hostile proof values
refused without a crash, base proofs reported as the holder's."""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import hmac
import json
import re
from typing import Any

import cbor2
import pytest

from badgekit import cryptosuites, did, ecdsa_sd, jsonld, proof
from tests.conftest import VECTORS, load_vector

SD = "w3c-vc-di-ecdsa/ecdsa-sd-2023"
EXAMPLES = ["prc", "employ"]
CITIZENSHIP = "https://w3id.org/citizenship/v4rc1"
LOADER = jsonld.DocumentLoader({CITIZENSHIP: load_vector(f"{SD}/citizenship-v4rc1.jsonld")})
KEYS = load_vector(f"{SD}/SDKeyMaterial.json")
ISSUER_KEY = did.decode_multikey_any(KEYS["baseKeyPair"]["publicKeyMultibase"])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _vector(example: str, name: str) -> Any:
    return load_vector(f"{SD}/{example}/{name}")


def _hash_data(document: dict[str, Any]) -> proof.HashData:
    options = {k: v for k, v in document["proof"].items() if k != "proofValue"}
    return proof.hash_data(document, options, loader=LOADER)


@pytest.mark.parametrize("example", EXAMPLES)
def test_base_proof_values_reproduce(example):
    base = _vector(example, "addSignedSDBase.json")
    data = _hash_data(base)
    # RDFC-1.0 of the unsecured document and of the proof configuration, and its hash.
    assert data.canonical_document == "".join(_vector(example, "addBaseDocCanon.json"))
    assert data.canonical_proof_config == (VECTORS / SD / example / "addProofConfigCanon.txt").read_text(encoding="utf-8")
    assert data.proof_hash.hex() == _vector(example, "addHashData.json")["proofHash"]
    # The base proof value's five components.
    parsed = ecdsa_sd.parse_base_proof_value(base["proof"]["proofValue"])
    raw = _vector(example, "addRawBaseSignatureInfo.json")
    assert parsed.base_signature.hex() == raw["baseSignature"]
    assert ecdsa_sd.public_key_multibase(parsed.public_key) == raw["publicKey"] == KEYS["proofKeyPair"]["publicKeyMultibase"]
    assert [s.hex() for s in parsed.signatures] == raw["signatures"]
    assert list(parsed.mandatory_pointers) == raw["mandatoryPointers"]
    assert parsed.hmac_key.hex().upper() == KEYS["hmacKeyString"]
    assert ecdsa_sd.serialize_base_proof_value(parsed) == base["proof"]["proofValue"]
    # Blank nodes relabelled with HMAC-SHA-256(hmacKey, "c14nN"), as "u" + base64url.
    labels = {f"c14n{n}": "u" + _b64url(hmac.new(parsed.hmac_key, f"c14n{n}".encode(), hashlib.sha256).digest())
              for n in range(data.canonical_document.count("_:c14n"))}
    assert ecdsa_sd.relabel(data.canonical_document, labels) == _vector(example, "addBaseDocHMACCanon.json")
    # The base signature signs proofHash ‖ proof-scoped key ‖ mandatoryHash with the issuer's key.
    mandatory_hash = bytes.fromhex(_vector(example, "addHashData.json")["mandatoryHash"])
    to_sign = ecdsa_sd.sign_data(data.proof_hash, parsed.public_key, mandatory_hash)
    assert cryptosuites.verify_signature("P-256", ISSUER_KEY, parsed.base_signature, to_sign)


@pytest.mark.parametrize("example", EXAMPLES)
def test_derived_proof_values_reproduce(example):
    derived = _vector(example, "derivedRevealDocument.json")
    expected = _vector(example, "verifyCreateVerifyData.json")
    parsed = ecdsa_sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    components = _vector(example, "verifyDerivedProofValue.json")
    assert parsed.base_signature.hex() == components["baseSignature"]
    assert ecdsa_sd.public_key_multibase(parsed.public_key) == components["publicKey"]
    assert [s.hex() for s in parsed.signatures] == components["signatures"]
    assert dict(parsed.label_map) == dict(components["labelMap"])  # decompressed: c14nN -> u…
    assert list(parsed.mandatory_indexes) == components["mandatoryIndexes"]
    assert ecdsa_sd.serialize_derived_proof_value(parsed) == derived["proof"]["proofValue"]

    data = _hash_data(derived)
    verify = ecdsa_sd.create_verify_data(data.canonical_document, data.proof_hash, derived["proof"]["proofValue"])
    assert list(verify.nquads) == _vector(example, "verifyNQuads.json")
    assert verify.proof_hash.hex() == expected["proofHash"]
    assert list(verify.non_mandatory) == expected["nonMandatory"]
    assert verify.mandatory_hash.hex() == expected["mandatoryHash"]
    assert verify.mandatory == tuple(verify.nquads[i] for i in components["mandatoryIndexes"])
    # The mandatory statements are those the base proof signed: same hash as at signing.
    assert verify.mandatory_hash.hex() == _vector(example, "addHashData.json")["mandatoryHash"]
    assert ecdsa_sd.derived_proof_problem(data.canonical_document, data.proof_hash,
                                          derived["proof"]["proofValue"], ISSUER_KEY) is None


@pytest.mark.parametrize("example", EXAMPLES)
def test_derived_proofs_verify_and_tampered_ones_do_not(example):
    derived = _vector(example, "derivedRevealDocument.json")
    result = proof.verify(derived, loader=LOADER)
    assert result.verified, result.reason
    assert result.reason == "DataIntegrityProof ecdsa-sd-2023 signature verified"

    def changed(edit):
        doc = copy.deepcopy(derived)
        edit(doc)
        return proof.verify(doc, loader=LOADER)

    # A disclosed, non-mandatory value changed: its own signature fails.
    assert "signature of disclosed statement" in changed(
        lambda d: d["credentialSubject"].__setitem__("birthCountry", "Utopia")).reason
    assert "signature" in changed(lambda d: d.__setitem__("validFrom", "2020-01-01T00:00:00Z")).reason
    # The mandatory issuer changed: the base signature fails.
    assert "base signature" in changed(lambda d: d["issuer"].__setitem__("image", "data:image/png;base64,AAAA")).reason
    # A statement added, or one taken away: counts no longer match.
    assert "statements were added or removed" in changed(lambda d: d.__setitem__("name", "Forged")).reason
    assert "statements were added or removed" in changed(lambda d: d.pop("validFrom")).reason
    # The proof options changed (proofHash): the base signature fails.
    assert "base signature" in changed(lambda d: d["proof"].__setitem__("created", "2023-08-16T00:00:00Z")).reason

    parsed = ecdsa_sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    swapped = [parsed.signatures[1], parsed.signatures[0], *parsed.signatures[2:]]
    for forged in (
        ecdsa_sd.DerivedProofValue(parsed.base_signature, parsed.public_key, tuple(swapped), parsed.label_map,
                                   parsed.mandatory_indexes),
        # another proof-scoped key (the issuer's base signature binds the key)
        ecdsa_sd.DerivedProofValue(parsed.base_signature, b"\x80\x24" + ISSUER_KEY, parsed.signatures,
                                   parsed.label_map, parsed.mandatory_indexes),
        # one statement moved from mandatory to non-mandatory
        ecdsa_sd.DerivedProofValue(parsed.base_signature, parsed.public_key, parsed.signatures, parsed.label_map,
                                   parsed.mandatory_indexes[1:]),
    ):
        doc = copy.deepcopy(derived)
        doc["proof"]["proofValue"] = ecdsa_sd.serialize_derived_proof_value(forged)
        assert not proof.verify(doc, loader=LOADER).verified
    # Signed by the issuer's key, checked with another P-256 key.
    data = _hash_data(derived)
    other = did.decode_multikey_any(KEYS["proofKeyPair"]["publicKeyMultibase"])
    assert "base signature" in ecdsa_sd.derived_proof_problem(
        data.canonical_document, data.proof_hash, derived["proof"]["proofValue"], other)


def test_the_label_map_must_label_every_blank_node():
    derived = _vector("prc", "derivedRevealDocument.json")
    parsed = ecdsa_sd.parse_derived_proof_value(derived["proof"]["proofValue"])
    doc = copy.deepcopy(derived)
    doc["proof"]["proofValue"] = ecdsa_sd.serialize_derived_proof_value(ecdsa_sd.DerivedProofValue(
        parsed.base_signature, parsed.public_key, parsed.signatures, {"c14n0": parsed.label_map["c14n0"]},
        parsed.mandatory_indexes))
    assert "no label for the blank node _:c14n1" in proof.verify(doc, loader=LOADER).reason


@pytest.mark.parametrize("example", EXAMPLES)
def test_base_proofs_the_holders_copy_verify_whole_and_tampered_ones_do_not(example):
    base = _vector(example, "addSignedSDBase.json")
    assert cryptosuites.is_base_proof(base["proof"]) and cryptosuites.sd_proof_kind(base["proof"]["proofValue"]) == "base"
    assert cryptosuites.describe(base["proof"]) == "DataIntegrityProof ecdsa-sd-2023 base proof"
    # The statements grouped again by the base proof's mandatory pointers: the W3C mandatory set.
    parsed = ecdsa_sd.parse_base_proof_value(base["proof"]["proofValue"])
    grouped = ecdsa_sd.group(base, parsed.hmac_key, parsed.mandatory_pointers, loader=LOADER)
    assert list(grouped.nquads) == _vector(example, "addBaseDocHMACCanon.json")
    mandatory = [nq for i, nq in enumerate(grouped.nquads) if i in grouped.mandatory]
    assert ecdsa_sd.hash_mandatory(mandatory).hex() == _vector(example, "addHashData.json")["mandatoryHash"]
    if example == "prc":
        assert sorted(grouped.mandatory) == [0, 16, 17, 21]  # derivedGroupIndexes.json "mandatoryIndexes"
    result = proof.verify(base, loader=LOADER)
    assert result.verified, result.reason
    for edit in (lambda d: d["issuer"].__setitem__("image", "data:image/png;base64,AAAA"),  # mandatory
                 lambda d: d["credentialSubject"].__setitem__("givenName", "ZED"),  # selectively disclosable
                 lambda d: d.pop("validUntil")):
        doc = copy.deepcopy(base)
        edit(doc)
        assert not proof.verify(doc, loader=LOADER).verified
    with pytest.raises(ecdsa_sd.SdProofError, match="it is a base proof value, not a derived one"):
        ecdsa_sd.parse_derived_proof_value(base["proof"]["proofValue"])


def test_badgekit_signs_base_proofs_with_default_or_chosen_mandatory_pointers():
    from badgekit.errors import ProofError
    from badgekit.keys import EcdsaKey

    key = EcdsaKey.generate("P-256")
    unsigned = json.loads((VECTORS.parent / "interop/fixtures/ob3-unsigned.json").read_text(encoding="utf-8"))
    unsigned["issuer"]["id"] = key.did_key
    pointers = ecdsa_sd.default_mandatory_pointers(unsigned)
    assert pointers == [  # everything but the results and evidence (the fixture names no recipient)
        "/id", "/type", "/name", "/description", "/issuer", "/validFrom", "/validUntil", "/awardedDate",
        "/credentialSubject/type", "/credentialSubject/identifier", "/credentialSubject/achievement",
        "/credentialSubject/creditsEarned", "/credentialSubject/activityStartDate",
        "/credentialSubject/activityEndDate"]
    signed = proof.add_proof(unsigned, key.signer(), cryptosuite="ecdsa-sd-2023", created="2026-01-15T12:00:00Z")
    assert cryptosuites.is_base_proof(signed["proof"][0])
    parsed = ecdsa_sd.parse_base_proof_value(signed["proof"][0]["proofValue"])
    assert list(parsed.mandatory_pointers) == pointers
    assert proof.verify(signed).verified
    assert not proof.verify({**signed, "name": "Forged"}).verified
    chosen = proof.add_proof(unsigned, key.signer(), cryptosuite="ecdsa-sd-2023", mandatory_pointers=["/issuer"])
    assert ecdsa_sd.parse_base_proof_value(chosen["proof"][0]["proofValue"]).mandatory_pointers == ("/issuer",)
    assert proof.verify(chosen).verified
    with pytest.raises(ProofError, match="JSON pointer '/nope' does not match the credential"):
        proof.add_proof(unsigned, key.signer(), cryptosuite="ecdsa-sd-2023", mandatory_pointers=["/nope"])
    with pytest.raises(ProofError, match="needs a key of type P-256; the signing key is P-384"):
        proof.add_proof(unsigned, EcdsaKey.generate("P-384").signer(), cryptosuite="ecdsa-sd-2023")


def test_relabel_touches_blank_nodes_only_never_literal_text():
    canonical = ('_:c14n0 <https://schema.org/name> "_:c14n0 \\" _:c14n1"@en .\n'
                 '<urn:x> <https://schema.org/knows> _:c14n1 _:c14n0 .\n')
    labels = {"c14n0": "uA", "c14n1": "uB"}
    assert ecdsa_sd.relabel(canonical, labels) == [
        '<urn:x> <https://schema.org/knows> _:uB _:uA .\n',
        '_:uA <https://schema.org/name> "_:c14n0 \\" _:c14n1"@en .\n',
    ]


def test_utf16_order_differs_from_code_point_order_only_beyond_the_bmp():
    lines = ['<urn:a> <urn:p> "\ufb01" .\n', '<urn:a> <urn:p> "\U0001f3c6" .\n']
    assert sorted(lines) == lines  # U+FB01 < U+1F3C6 by code point …
    assert ecdsa_sd.utf16_order(lines) == lines[::-1]  # … but the surrogate D83C of U+1F3C6 sorts first in UTF-16


def _proof_value(payload: Any, header: bytes = ecdsa_sd.DERIVED_HEADER) -> str:
    return "u" + _b64url(header + cbor2.dumps(payload))


_GOOD = [b"\x01" * 64, b"\x80\x24\x02" + b"\x01" * 32, [b"\x02" * 64], {0: b"\x03" * 32}, [0]]


@pytest.mark.parametrize(("value", "why"), [
    ("z3FXQ", "must start with 'u'"),
    ("u!!!!", "not valid unpadded base64url"),
    ("uAAAA=", "not valid unpadded base64url"),
    (_proof_value(_GOOD, b"\xd9\x5d\x07"), "does not start with the derived proof header"),
    ("u" + _b64url(ecdsa_sd.DERIVED_HEADER + b"\xff\xff"), "CBOR cannot be decoded"),
    ("u" + _b64url(ecdsa_sd.DERIVED_HEADER + b"\x5b" + b"\xff" * 8), "CBOR cannot be decoded"),  # 2**64-byte string
    ("u" + _b64url(ecdsa_sd.DERIVED_HEADER + b"\x81" * 100_000), "CBOR cannot be decoded"),  # nested 100,000 deep
    (_proof_value(_GOOD[:4]), "not an array of five components"),
    # bytes after the array: the value is not one CBOR item (the reference implementation, cborg,
    # refuses it: "too many terminals"); they were ignored, so one proof had many spellings
    ("u" + _b64url(ecdsa_sd.DERIVED_HEADER + cbor2.dumps(_GOOD) + b"\x00"), "1 byte after its CBOR array"),
    (_proof_value({"a": 1}), "not an array of five components"),
    (_proof_value([b"\x01" * 63, *_GOOD[1:]]), "base signature is not a byte string of 64 bytes"),
    (_proof_value([_GOOD[0], b"\xed\x01" + b"\x01" * 33, *_GOOD[2:]]), "not a compressed P-256 multikey"),
    (_proof_value([*_GOOD[:2], [b"\x02" * 65], *_GOOD[3:]]), "signature 1 is not a byte string of 64 bytes"),
    (_proof_value([*_GOOD[:2], b"\x02" * 64, *_GOOD[3:]]), "signatures are not an array"),
    (_proof_value([*_GOOD[:3], {"c14n0": b"\x03" * 32}, _GOOD[4]]), "not a non-negative integer"),
    (_proof_value([*_GOOD[:3], {0: b"\x03" * 31}, _GOOD[4]]), "label 0 is not a byte string of 32 bytes"),
    (_proof_value([*_GOOD[:4], ["0"]]), "mandatory indexes are not an array of integers"),
    (_proof_value([*_GOOD[:4], [True]]), "mandatory indexes are not an array of integers"),
    # integers the reference implementation cannot hold (CBOR bignums, tag 2/3): refused, not printed
    # (a 4,800-digit key once reached an f-string: Python refuses to convert it, ValueError)
    (_proof_value([*_GOOD[:3], {cbor2.CBORTag(2, b"\x01" * 2000): b"\x03" * 32}, _GOOD[4]]), "not a non-negative integer"),
    (_proof_value([*_GOOD[:3], {-1: b"\x03" * 32}, _GOOD[4]]), "not a non-negative integer"),
    (_proof_value([*_GOOD[:4], [cbor2.CBORTag(2, b"\x01" * 2000)]]), "mandatory indexes are not an array of integers"),
    (_proof_value([*_GOOD[:4], [2**53]]), "mandatory indexes are not an array of integers"),
    (_proof_value([*_GOOD[:4], [-1]]), "mandatory indexes are not an array of integers"),
    ("u" + "A" * cryptosuites.SD_MAX_PROOF_VALUE_CHARS, "characters long"),
])
def test_hostile_proof_values_are_refused_with_a_reason(value, why):
    with pytest.raises(ecdsa_sd.SdProofError, match=why):
        ecdsa_sd.parse_derived_proof_value(value)


def test_a_base_proof_value_names_a_bounded_number_of_pointers():
    good = [_GOOD[0], _GOOD[1], b"\x04" * 32, [b"\x02" * 64], ["/issuer"]]
    assert ecdsa_sd.parse_base_proof_value(_proof_value(good, ecdsa_sd.BASE_HEADER)).mandatory_pointers == ("/issuer",)
    with pytest.raises(ecdsa_sd.SdProofError, match="1,001 mandatory pointers"):
        ecdsa_sd.parse_base_proof_value(_proof_value([*good[:4], [""] * 1001], ecdsa_sd.BASE_HEADER))
    with pytest.raises(ecdsa_sd.SdProofError, match="HMAC key is not a byte string of 32 bytes"):
        ecdsa_sd.parse_base_proof_value(_proof_value([*good[:2], b"", *good[3:]], ecdsa_sd.BASE_HEADER))


@pytest.mark.parametrize("pointer", [
    "/credentialSubject/" + "9" * 5000,  # past Python's 4,300-digit int conversion: was a ValueError
    "/credentialSubject/\u00b2",  # str.isdigit() says a superscript two is a digit; int() does not
    "/credentialSubject/99999999999999999999",
    "/nowhere",
])
def test_mandatory_pointers_that_match_nothing_are_a_reason_not_a_crash(pointer):
    base = _vector("prc", "addSignedSDBase.json")
    parsed = ecdsa_sd.parse_base_proof_value(base["proof"]["proofValue"])
    value = ecdsa_sd.serialize_base_proof_value(dataclasses.replace(parsed, mandatory_pointers=(pointer,)))
    data = _hash_data(base)
    problem = ecdsa_sd.base_proof_problem(base, data.proof_hash, value, ISSUER_KEY, loader=LOADER)
    assert problem is not None and "does not match the credential" in problem and len(problem) < 200


def test_typed_array_byte_strings_are_read_as_the_reference_implementation_does():
    tagged = [cbor2.CBORTag(64, _GOOD[0]), *_GOOD[1:]]  # some encoders write a Uint8Array as tag 64
    assert ecdsa_sd.parse_derived_proof_value(_proof_value(tagged)).base_signature == _GOOD[0]


def test_proof_structure_bounds_the_proof_value_before_decoding_it():
    derived = _vector("prc", "derivedRevealDocument.json")
    assert proof.structure_problem(derived["proof"]) is None
    p = {**derived["proof"], "proofValue": "z" + derived["proof"]["proofValue"][1:]}
    assert "not base64url multibase (it must start with 'u')" in proof.structure_problem(p)
    p = {**derived["proof"], "proofValue": "u" + "A" * cryptosuites.SD_MAX_PROOF_VALUE_CHARS}
    assert "a base64url ecdsa-sd-2023 proof value has at most" in proof.structure_problem(p)


def test_ecdsa_sd_2023_needs_a_p256_issuer_key():
    derived = _vector("prc", "derivedRevealDocument.json")
    from badgekit import keys

    for key in (keys.Ed25519Key.generate().public_key, keys.EcdsaKey.generate("P-384").public_key):
        problem = proof.signature_problem(derived, derived["proof"], key, loader=LOADER)
        assert "ecdsa-sd-2023, which needs a P-256 key" in problem


def test_vectors_are_the_bytes_recorded_in_sources():
    sources = (VECTORS / "SOURCES.md").read_text(encoding="utf-8")
    for path in sorted((VECTORS / SD).rglob("*")):
        if path.is_file():
            rel = path.relative_to(VECTORS).as_posix()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert f"| `{rel}` |" in sources and f"`{digest}`" in sources, rel
    assert json.loads((VECTORS / SD / "SDKeyMaterial.json").read_text())["hmacKeyString"]


def _derived_full_disclosure(document: dict[str, Any], mandatory: set[int], *, order: str = "codepoint") -> dict[str, Any]:
    """``document`` with a derived proof disclosing every statement (what a holder who hides nothing
    presents), signed here by a new P-256 issuer key, its statements sorted in ``order``."""
    from badgekit.keys import EcdsaKey

    issuer, ephemeral = EcdsaKey.generate("P-256"), EcdsaKey.generate("P-256")
    document = {**document, "issuer": issuer.did_key}
    options = proof.proof_options(issuer.signer().verification_method, created="2026-01-15T12:00:00Z",
                                  cryptosuite="ecdsa-sd-2023")
    data = proof.hash_data(document, options)
    hmac_key = bytes(range(32))
    labels = {label: "u" + _b64url(hmac.new(hmac_key, label.encode(), hashlib.sha256).digest())
              for label in set(re.findall(r"_:(c14n[0-9]+)", data.canonical_document))}
    nquads = ecdsa_sd.relabel(data.canonical_document, labels)
    if order == "utf16":
        nquads = ecdsa_sd.utf16_order(nquads)
    public_key = ecdsa_sd.P256_MULTIKEY_HEADER + ephemeral.public_key
    mandatory_hash = ecdsa_sd.hash_mandatory([nquads[i] for i in sorted(mandatory)])
    value = ecdsa_sd.DerivedProofValue(
        issuer.sign(ecdsa_sd.sign_data(data.proof_hash, public_key, mandatory_hash)), public_key,
        tuple(ephemeral.sign(nq.encode()) for i, nq in enumerate(nquads) if i not in mandatory), labels,
        tuple(sorted(mandatory)))
    return {**document, "proof": {**options, "proofValue": ecdsa_sd.serialize_derived_proof_value(value)}}


@pytest.mark.parametrize("order", ["codepoint", "utf16"])
def test_statements_sorted_by_code_point_or_as_javascript_sorts_them_both_verify(order):
    # Two names that sort one way by code point and the other way by UTF-16 code units.
    unsigned = {**load_vector("w3c-vc-di-ecdsa/unsigned.json"), "name": ["\ufb01 Champion", "\U0001f3c6 Champion"]}
    signed = _derived_full_disclosure(unsigned, {0, 1}, order=order)
    result = proof.verify(signed)
    assert result.verified, result.reason
    data = proof.hash_data(signed, {k: v for k, v in signed["proof"].items() if k != "proofValue"})
    codepoint = ecdsa_sd.create_verify_data(data.canonical_document, data.proof_hash, signed["proof"]["proofValue"])
    assert list(codepoint.nquads) != ecdsa_sd.utf16_order(codepoint.nquads)  # the two orders do differ here
    tampered = {**signed, "name": ["\ufb01 Champion", "\U0001f3c6 Champions"]}
    assert not proof.verify(tampered).verified


def test_a_literal_spelling_a_blank_node_label_is_signed_as_written():
    unsigned = {**load_vector("w3c-vc-di-ecdsa/unsigned.json"), "description": "see _:c14n0 and _:c14n1"}
    signed = _derived_full_disclosure(unsigned, {0})
    assert proof.verify(signed).verified
    assert not proof.verify({**signed, "description": "see _:c14n1 and _:c14n0"}).verified


def test_one_badge_class_setting_chooses_what_both_selective_disclosure_formats_withhold():
    from badgekit import sdjwt

    # badgekit.disclose, read as JSON pointers: the SD-JWT VC default less the identifier, which an
    # ecdsa-sd-2023 holder must always disclose (a disclosure without it names no recipient).
    assert ecdsa_sd.disclosable_pointers(sdjwt.DEFAULT_DISCLOSE) == ecdsa_sd.DEFAULT_DISCLOSABLE
    assert ecdsa_sd.disclosable_pointers(["credentialSubject.identifier", "evidence", "credentialSubject.result"]) == (
        "/evidence", "/credentialSubject/result")
    assert all(ecdsa_sd.disclosable_pointers([m]) in ((), ("/" + m.replace(".", "/"),)) for m in sdjwt.DISCLOSABLE)


def test_a_base_proof_over_a_long_array_is_refused_before_json_ld_work():
    # PyLD's RDF conversion compares each array entry with every other: a holder's copy with
    # 40,000 tags ran for minutes (2,000: 6 s). Base proofs are grouped over arrays of at most 1,000.
    base = _vector("prc", "addSignedSDBase.json")
    doc = copy.deepcopy(base)
    doc["credentialSubject"]["birthCountry"] = ["Bahamas"] * (ecdsa_sd.MAX_ARRAY + 1)
    problem = ecdsa_sd.base_proof_problem(doc, _hash_data(base).proof_hash, base["proof"]["proofValue"], ISSUER_KEY,
                                          loader=LOADER)
    assert problem is not None and "an array of 1,001 entries" in problem
    with pytest.raises(ecdsa_sd.SdProofError, match="array of 1,001 entries"):
        ecdsa_sd.group(doc, b"\x00" * 32, [], loader=LOADER)

"""badgekit against an independent implementation: the Digital Bazaar / DCC JavaScript stack.

``eddsa-rdfc-2022`` proofs made by either side must verify on the other, with both revisions of
the OB ``context-3.0.3.json`` bytes; any changed value must make both reject. The node side runs
offline (see ``dbstack.mjs``); each test starts at most a few node processes, with many
credentials batched into each.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from badgekit import did, proof
from badgekit.keys import Ed25519Key
from tests.conftest import FIXED_NOW, TEST_SEED, load_vector
from tests.interop import dbstack

pytestmark = pytest.mark.interop

FIXTURES = Path(__file__).parent / "fixtures"
REVISIONS = ("2024-03", "current")
CREATED = FIXED_NOW
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T")


@pytest.fixture(scope="module")
def key() -> Ed25519Key:
    return Ed25519Key.from_seed(TEST_SEED)


def ob_unsigned() -> dict[str, Any]:
    return json.loads((FIXTURES / "ob3-unsigned.json").read_text(encoding="utf-8"))


def w3c_unsigned(key: Ed25519Key) -> dict[str, Any]:
    """The W3C vc-di-eddsa example credential, issued by ``key``'s did:key (the JS stack checks
    that the proof's key is controlled by the issuer)."""
    doc = load_vector("w3c-vc-di-eddsa/unsigned.json")
    doc["issuer"] = key.did_key
    return doc


@pytest.fixture(scope="module")
def badgekit_signed(key: Ed25519Key) -> dict[str, dict[str, Any]]:
    return {
        "ob3": proof.add_proof(ob_unsigned(), key.signer(), created=CREATED),
        "w3c": proof.add_proof(w3c_unsigned(key), key.signer(), created=CREATED),
    }


# ---------------------------------------------------------------------------------------------
# the fixture itself


def test_ob_fixture_is_issued_by_the_test_key_and_schema_valid(key: Ed25519Key) -> None:
    import jsonschema_rs  # imports in milliseconds, unlike jsonschema with its format checkers

    doc = ob_unsigned()
    assert doc["issuer"]["id"] == key.did_key
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    schema_path = (
        Path(__file__).parents[2]
        / "badgekit/data/schemas/captured-2024-09-strict/ob_v3p0_achievementcredential_schema.json"
    )
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    errors = list(jsonschema_rs.validator_for(schema, validate_formats=True).iter_errors(doc))
    assert not errors, [f"{list(e.instance_path)}: {e.message}" for e in errors]


# ---------------------------------------------------------------------------------------------
# badgekit signs, the JS stack verifies


@pytest.mark.parametrize("revision", REVISIONS)
def test_js_stack_verifies_badgekit_signatures(
    badgekit_signed: dict[str, dict[str, Any]], revision: str
) -> None:
    names = list(badgekit_signed)
    results = dbstack.verify_documents(
        [badgekit_signed[n] for n in names], ob_context_revision=revision, now=FIXED_NOW
    )
    for name, result in zip(names, results, strict=True):
        assert result["verified"], f"{name} ({revision}): {result['error']}"
        assert result["statusChecked"] is False


@pytest.mark.parametrize("revision", REVISIONS)
def test_terms_added_to_the_ob_context_later_fail_dcc_safe_mode(
    key: Ed25519Key, revision: str
) -> None:
    """``endorsementJwt`` and ``jti`` exist only in the current context-3.0.3.json bytes: the DCC
    stack (2024-03 bytes) drops them, and safe mode turns that into an error. This is why badgekit
    must issue only terms both revisions define."""
    variants = {}
    for term, value in (
        ("endorsementJwt", ["eyJhbGciOiJFUzI1NiJ9.e30.c2ln"]),
        ("jti", "urn:uuid:0d6c2b8e"),
    ):
        doc = ob_unsigned()
        doc[term] = value
        variants[term] = proof.add_proof(doc, key.signer(), created=CREATED)
        assert proof.verify(variants[term]), term  # badgekit serves the current revision
    results = dbstack.verify_documents(
        variants.values(), ob_context_revision=revision, now=FIXED_NOW
    )
    for term, result in zip(variants, results, strict=True):
        if revision == "current":
            assert result["verified"], f"{term}: {result['error']}"
        else:
            assert not result["verified"], term
            assert "Safe mode validation error" in result["error"] and term in result["error"], (
                result["error"]
            )


# ---------------------------------------------------------------------------------------------
# the JS stack signs, badgekit verifies


def test_badgekit_verifies_js_stack_signatures(
    key: Ed25519Key, badgekit_signed: dict[str, dict[str, Any]]
) -> None:
    unsigned = {"ob3": ob_unsigned(), "w3c": w3c_unsigned(key)}
    signed = dict(
        zip(unsigned, dbstack.sign_many(unsigned.values(), TEST_SEED, CREATED), strict=True)
    )
    for name, doc in signed.items():
        # the JS stack writes a single proof object; the OB schema wants an array (badgekit's form)
        assert isinstance(doc["proof"], dict), name
        assert doc["proof"]["verificationMethod"] == key.signer().verification_method
        result = proof.verify(doc)
        assert result, f"{name}: {result.reason}"
        # Ed25519 is deterministic and both sides canonicalise to the same N-Quads: same bytes
        ours = badgekit_signed[name]["proof"][0]
        assert doc["proof"]["proofValue"] == ours["proofValue"], name
        assert {k: v for k, v in doc.items() if k != "proof"} == unsigned[name]


# ---------------------------------------------------------------------------------------------
# tampering


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{path}.{k}" if path else k)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{path}[{i}]")
    else:
        yield path, node


def _changed(value: Any) -> Any:
    """A different value of the same kind (dates stay valid date-times, in the past)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    assert isinstance(value, str) and value, value
    if DATE.match(value):
        return f"{int(value[:4]) - 1:04d}{value[4:]}"
    last = value[-1]
    if last in "0123456789abcdef":
        return value[:-1] + ("1" if last == "0" else "0")
    return value + "x"


def _set(doc: Any, path: str, value: Any) -> None:
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    for part in parts[:-1]:
        doc = doc[int(part[1:-1])] if part.startswith("[") else doc[part]
    last = parts[-1]
    if last.startswith("["):
        doc[int(last[1:-1])] = value
    else:
        doc[last] = value


#: Content fields whose change must fail on the signature itself (not on some earlier check).
SIGNATURE_CHECKED = (
    "issuer.name",
    "credentialSubject.achievement.name",
    "credentialSubject.identifier[0].identityHash",
    "validFrom",
    "credentialSubject.result[0].value",
    "evidence[0].id",
    "proof[0].created",
)


def test_every_changed_leaf_fails_both_implementations(
    badgekit_signed: dict[str, dict[str, Any]],
) -> None:
    signed = badgekit_signed["ob3"]
    leaves = list(_leaves(signed))
    assert len(leaves) > 60
    assert set(SIGNATURE_CHECKED) <= {p for p, _ in leaves}
    tampered = {}
    for path, value in leaves:
        doc = copy.deepcopy(signed)
        _set(doc, path, _changed(value))
        tampered[path] = doc

    ours = {path: proof.verify(doc) for path, doc in tampered.items()}
    accepted = [p for p, r in ours.items() if r]
    assert not accepted, f"badgekit accepted tampered {accepted}"

    # one node process for all of them, plus the untampered original as a control
    results = dbstack.verify_documents([signed, *tampered.values()], now=FIXED_NOW)
    control, theirs = results[0], dict(zip(tampered, results[1:], strict=True))
    assert control["verified"], control["error"]
    accepted = [p for p, r in theirs.items() if r["verified"]]
    assert not accepted, f"the JS stack accepted tampered {accepted}"

    for path in SIGNATURE_CHECKED:
        assert "signature does not match" in ours[path].reason, (path, ours[path].reason)
        assert "Invalid signature" in theirs[path]["error"], (path, theirs[path]["error"])


# ---------------------------------------------------------------------------------------------
# the W3C vector


def test_w3c_vector_reproduced_by_badgekit_and_verified_by_js_stack() -> None:
    pair = load_vector("w3c-vc-di-eddsa/keyPair.json")
    vector_key = Ed25519Key.from_seed(did.decode_multikey_secret(pair["privateKeyMultibase"]))
    expected = load_vector("w3c-vc-di-eddsa/eddsa-rdfc-2022/signedDataInt.json")
    signed = proof.add_proof(
        load_vector("w3c-vc-di-eddsa/unsigned.json"),
        vector_key.signer(expected["proof"]["verificationMethod"]),
        created=expected["proof"]["created"],
    )
    assert signed["proof"] == [expected["proof"]]

    docs = [signed, expected]
    # The vector's issuer is an https URL but its key a did:key: the proof verifies, the
    # issuer binding cannot (the JS stack says so), so check the proof alone.
    proof_only = dbstack.verify_documents(docs, issuer_check=False, now=FIXED_NOW)
    for name, result in zip(("badgekit", "vector"), proof_only, strict=True):
        assert result["verified"], f"{name}: {result['error']}"
    with_issuer = dbstack.verify_documents(docs[:1], now=FIXED_NOW)
    assert not with_issuer[0]["verified"]
    assert "issuer must match the verification method controller" in with_issuer[0]["error"]


# ---------------------------------------------------------------------------------------------
# Bitstring Status List through the JS stack's checkStatus

LIST_URL = "https://library.example.edu/status/1"
LIST_ENTRIES = 131_072
REVOKED_INDEX = 94567


def _encoded_list(set_bits: set[int]) -> str:
    bits = bytearray(LIST_ENTRIES // 8)
    for i in set_bits:
        bits[i // 8] |= 0x80 >> (i % 8)  # index 0 = most significant bit of byte 0
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def _status_credential(key: Ed25519Key, index: int) -> dict[str, Any]:
    doc = w3c_unsigned(key)
    doc["id"] = f"urn:uuid:7c1e4f3a-0b2d-4c6e-8f9a-{index:012d}"
    doc["credentialStatus"] = {
        "id": f"{LIST_URL}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": LIST_URL,
    }
    return proof.add_proof(doc, key.signer(), created=CREATED)


def test_js_stack_reads_bitstring_status_of_badgekit_credentials(key: Ed25519Key) -> None:
    status_list = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": key.did_key,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{LIST_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": _encoded_list({REVOKED_INDEX}),
        },
    }
    signed_list = proof.add_proof(status_list, key.signer(), created=CREATED)
    forged_list = copy.deepcopy(signed_list)
    forged_list["credentialSubject"]["encodedList"] = _encoded_list(set())
    revoked, active = _status_credential(key, REVOKED_INDEX), _status_credential(key, 12)

    results = dbstack.verify_documents(
        [revoked, active], check_status=True, status_lists={LIST_URL: signed_list}, now=FIXED_NOW
    )
    for result in results:
        # a set bit is a successful status check for the DB library: verified stays True
        assert result["verified"], result["error"]
        assert result["statusChecked"] is True
    assert results[0]["revoked"] is True and results[1]["revoked"] is False
    assert results[0]["status"] == [
        {
            "statusPurpose": "revocation",
            "statusListIndex": str(REVOKED_INDEX),
            "statusListCredential": LIST_URL,
            "set": True,
        }
    ]
    assert results[0]["suspended"] is None

    [forged] = dbstack.verify_documents(
        [revoked], check_status=True, status_lists={LIST_URL: forged_list}, now=FIXED_NOW
    )
    assert not forged["verified"]
    assert (
        "BitstringStatusListCredential" in forged["error"]
        and "Invalid signature" in forged["error"]
    )

    [unchecked] = dbstack.verify_documents([revoked], now=FIXED_NOW)
    assert (
        unchecked["verified"]
        and unchecked["statusChecked"] is False
        and unchecked["revoked"] is None
    )

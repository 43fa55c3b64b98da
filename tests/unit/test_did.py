from __future__ import annotations

import base64

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgekit import did
from badgekit.keys import Ed25519Key
from tests.conftest import load_vector

DID_KEY_VECTORS = load_vector("w3c-ccg-did-key/ed25519-x25519.json")


@pytest.mark.parametrize("identifier", sorted(DID_KEY_VECTORS))
def test_did_key_vectors_encode_and_decode(identifier):
    entry = DID_KEY_VECTORS[identifier]
    key = Ed25519Key.from_seed(bytes.fromhex(entry["seed"]))
    assert key.did_key == identifier
    pair = entry["verificationKeyPair"]
    if "publicKeyBase58" in pair:
        raw = base58.b58decode(pair["publicKeyBase58"])
    else:  # JsonWebKey2020 form
        raw = base64.urlsafe_b64decode(pair["publicKeyJwk"]["x"] + "=")
        assert base64.urlsafe_b64decode(pair["privateKeyJwk"]["d"] + "=") == bytes.fromhex(entry["seed"])
    assert did.decode_multikey_public(identifier[len("did:key:"):]) == raw
    assert did.encode_multikey_public(raw) == identifier[len("did:key:"):]
    fragment = "#" + pair["id"].partition("#")[2]
    vm = did.resolve_verification_method(identifier + fragment)
    assert vm.public_key == raw and vm.controller == identifier


def test_did_key_document_shape():
    key = Ed25519Key.from_seed(bytes(32))
    doc = did.did_key_document(key.public_key)
    vm = doc["verificationMethod"][0]
    assert doc["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
    assert vm["type"] == "Multikey" and vm["controller"] == doc["id"] == key.did_key
    assert vm["id"] == f"{key.did_key}#{key.public_key_multibase}"
    for rel in did.VERIFICATION_RELATIONSHIPS:
        assert doc[rel] == [vm["id"]]


def test_rejects_other_multicodecs():
    x25519 = "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW"
    with pytest.raises(did.DidError, match="not an Ed25519 key"):
        did.decode_multikey_public(x25519)
    with pytest.raises(did.DidError, match="multibase"):
        did.decode_multikey_public("6Mk")
    with pytest.raises(did.DidError):
        did.resolve_verification_method("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6Mkother")


@pytest.mark.parametrize(
    ("domain", "path", "expected", "url"),
    [
        ("example.edu", None, "did:web:example.edu", "https://example.edu/.well-known/did.json"),
        ("example.edu", "issuers/cs", "did:web:example.edu:issuers:cs", "https://example.edu/issuers/cs/did.json"),
        ("localhost:8443", "/a/", "did:web:localhost%3A8443:a", "https://localhost:8443/a/did.json"),
    ],
)
def test_did_web(domain, path, expected, url):
    assert did.did_web(domain, path) == expected
    assert did.did_web_url(expected) == url


@pytest.mark.parametrize("bad", ["https://example.edu", "", "a/b"])
def test_did_web_rejects_bad_domains(bad):
    with pytest.raises(did.DidError):
        did.did_web(bad)


def test_did_web_document_lists_every_key_and_resolves():
    k1, k2 = Ed25519Key.from_seed(bytes(32)), Ed25519Key.from_seed(bytes([1]) * 32)
    ident = did.did_web("example.edu", "issuers/cs")
    doc = did.did_web_document(ident, [k1.public_key, k2.public_key])
    assert [vm["id"] for vm in doc["verificationMethod"]] == [f"{ident}#key-1", f"{ident}#key-2"]
    assert doc["assertionMethod"] == [f"{ident}#key-1", f"{ident}#key-2"]
    vm = did.resolve_verification_method(f"{ident}#key-1", {ident: doc})
    assert vm.public_key == k1.public_key and "assertionMethod" in vm.relationships
    with pytest.raises(did.Unresolvable):
        did.resolve_verification_method(f"{ident}#key-1")
    with pytest.raises(did.DidError, match="not listed"):
        did.resolve_verification_method(f"{ident}#key-9", {ident: doc})


@settings(max_examples=400, derandomize=True)
@given(st.binary(max_size=80), st.integers(min_value=0, max_value=4))
def test_b58_agrees_with_the_base58_package(data, zeros):
    # The hand-written codec (fast path of every proofValue) against the reference package.
    data = b"\0" * zeros + data
    text = did.b58encode(data)
    assert text == base58.b58encode(data).decode()
    assert did.b58decode(text) == data == base58.b58decode(text)

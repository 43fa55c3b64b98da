from __future__ import annotations

import base64

import base58
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgekit import did, jwt
from badgekit.keys import Ed25519Key, RsaKey
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


_RSA_A, _RSA_B = RsaKey.generate(2048), RsaKey.generate(2048)


def test_did_web_document_lists_rsa_keys_as_json_web_keys():
    ed1, ed2 = Ed25519Key.from_seed(bytes(32)), Ed25519Key.from_seed(bytes([1]) * 32)
    ident = "did:web:example.edu"
    rsa_vm = f"{ident}#{jwt.jwk_thumbprint(_RSA_A.public_jwk)}"
    doc = did.did_web_document(ident, [ed1.public_key, _RSA_A.public_jwk, ed2.public_key])
    assert [(vm["id"], vm["type"]) for vm in doc["verificationMethod"]] == [
        (f"{ident}#key-1", "Multikey"), (rsa_vm, "JsonWebKey"), (f"{ident}#key-2", "Multikey")]  # Ed25519 numbering unchanged
    assert doc["verificationMethod"][1] == {"id": rsa_vm, "type": "JsonWebKey", "controller": ident, "publicKeyJwk": _RSA_A.public_jwk}
    assert doc["assertionMethod"] == [f"{ident}#key-1", rsa_vm, f"{ident}#key-2"]
    for rel in ("authentication", "capabilityInvocation", "capabilityDelegation"):
        assert doc[rel] == [f"{ident}#key-1", f"{ident}#key-2"]  # an RS256 JWT key asserts, nothing else
    assert did.rsa_verification_method(ident, _RSA_A.public_jwk) == rsa_vm
    # The existing Ed25519-only document is byte-for-byte what it was.
    assert did.did_web_document(ident, [ed1.public_key]) == {
        "@context": [did.DID_CONTEXT, did.MULTIKEY_CONTEXT], "id": ident,
        "verificationMethod": [{"id": f"{ident}#key-1", "type": "Multikey", "controller": ident,
                                "publicKeyMultibase": ed1.public_key_multibase}],
        **{rel: [f"{ident}#key-1"] for rel in did.VERIFICATION_RELATIONSHIPS}}
    # The kid resolves to the RSA key, as an assertionMethod of the issuer.
    key = jwt.resolve_key({"alg": "RS256", "kid": rsa_vm}, documents={ident: doc})
    assert key.source == "document" and key.controller == ident and "assertionMethod" in key.relationships
    assert key.public_key.public_numbers() == _RSA_A._private.public_key().public_numbers()


def test_rsa_fragment_is_the_thumbprint_and_stable_however_keys_are_added():
    ident = "did:web:example.edu:issuers:cs"
    ed = Ed25519Key.from_seed(bytes(32))
    alone = did.did_web_document(ident, [_RSA_A.public_jwk])
    grown = did.did_web_document(ident, [ed.public_key, _RSA_B.public_jwk, _RSA_A.public_jwk, Ed25519Key.generate().public_key])
    ids = {vm["publicKeyJwk"]["n"]: vm["id"] for d in (alone, grown) for vm in d["verificationMethod"] if vm["type"] == "JsonWebKey"}
    assert ids[_RSA_A.public_jwk["n"]] == alone["verificationMethod"][0]["id"] == f"{ident}#{jwt.jwk_thumbprint(_RSA_A.public_jwk)}"
    assert ids[_RSA_B.public_jwk["n"]] == f"{ident}#{jwt.jwk_thumbprint(_RSA_B.public_jwk)}"
    assert grown["verificationMethod"][0]["id"] == f"{ident}#key-1" and grown["verificationMethod"][3]["id"] == f"{ident}#key-2"
    # An RSA-only document: the key in assertionMethod only, no empty relationship lists.
    assert alone["assertionMethod"] == [alone["verificationMethod"][0]["id"]]
    assert not set(did.VERIFICATION_RELATIONSHIPS) - {"assertionMethod"} & set(alone)


def test_did_web_document_never_publishes_private_jwk_members():
    public = _RSA_A.public_jwk
    numbers = _RSA_A._private.private_numbers()
    private = {**public, "d": jwt.b64url_encode(numbers.d.to_bytes(384, "big")), "p": "AQ", "q": "AQ"}
    with pytest.raises(did.DidError, match="private key material"):
        did.did_web_document("did:web:example.edu", [private])
    with pytest.raises(did.DidError, match="private key material"):
        did.rsa_verification_method("did:web:example.edu", private)
    # Other public members (alg, use, kid …) are not copied either: kty, n, e only.
    doc = did.did_web_document("did:web:example.edu", [{**public, "alg": "RS256", "use": "sig", "kid": "x"}])
    assert doc["verificationMethod"][0]["publicKeyJwk"] == {"kty": "RSA", "n": public["n"], "e": public["e"]}
    text = str(doc)
    assert jwt.b64url_encode(numbers.d.to_bytes(384, "big"))[:40] not in text
    with pytest.raises(did.DidError, match="not kty 'OKP'"):
        did.did_web_document("did:web:example.edu", [Ed25519Key.from_seed(bytes(32)).public_jwk])
    with pytest.raises(did.DidError, match="twice"):
        did.did_web_document("did:web:example.edu", [public, public])


@settings(max_examples=400, derandomize=True)
@given(st.binary(max_size=80), st.integers(min_value=0, max_value=4))
def test_b58_agrees_with_the_base58_package(data, zeros):
    # The hand-written codec (fast path of every proofValue) against the reference package.
    data = b"\0" * zeros + data
    text = did.b58encode(data)
    assert text == base58.b58encode(data).decode()
    assert did.b58decode(text) == data == base58.b58decode(text)


def _b58decode_digit_by_digit(text: str) -> bytes:
    """The decoder before issue 18's third round (one big-number step per character), as the oracle."""
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n = 0
    for c in text:
        if c not in alphabet:
            raise ValueError("invalid base58 character")
        n = n * 58 + alphabet.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


@settings(max_examples=600, derandomize=True)
@given(st.text(alphabet=st.sampled_from([*"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", "0", "O", "I",
                                          "l", " ", "\t", "\u00e9", "\u2460", "\x00", "\udc80"]), max_size=120))
def test_b58decode_reads_any_text_as_one_digit_at_a_time(text):
    # Any text, valid or not, of every length (the decoder takes five digits at a time).
    try:
        expected = _b58decode_digit_by_digit(text)
    except ValueError:
        with pytest.raises(ValueError, match="invalid base58 character"):
            did.b58decode(text)
    else:
        assert did.b58decode(text) == expected

"""badgekit.jwt, issue 16: ES256 VC-JWT signing with P-256 keys (did:key ``zDn…`` and did:web
Multikey kids), and the W3C VC-JOSE-COSE ``application/vc+jwt`` profile (``typ: vc+jwt``, ``cty``,
no ``vc`` claim, ``iat``/``nbf``/``exp`` timing the signature, ``EnvelopedVerifiableCredential``).

Signatures made by badgekit are checked here with ``cryptography`` directly, and attack or
third-party tokens are built without the code under test."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from badgekit import baking, did, jwt, keys
from badgekit import credential as cred
from badgekit.errors import InputError, JwtError
from badgekit.issuing import IssueOptions, check_signing_setup, jwt_kid
from badgekit.verify import INDETERMINATE, INVALID, VALID, TrustList, VerifyOptions, verify_bytes
from tests.conftest import TEST_SEED, VECTORS

ED = keys.Ed25519Key.from_seed(TEST_SEED)
P256 = keys.EcdsaKey.generate("P-256")
P384 = keys.EcdsaKey.generate("P-384")
RSA = keys.RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
WEB = "did:web:example.edu"
WEB_DOC = did.did_web_document(WEB, [ED.public_key, P256.public_key])  # 'badgekit key did-web ed.pem p256.pem'
AT = datetime(2026, 6, 1, tzinfo=UTC)
ACHIEVEMENT = {"id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "Python Basics",
               "description": "Completed the course.", "criteria": {"narrative": "Pass."}, "achievementType": "Course"}


def credential(issuer_id: str, **extra: Any) -> dict[str, Any]:
    row = {"email": "ada@example.org", "recipient_id": "did:example:ada"}
    return {**cred.build_credential(
        credential_id="urn:uuid:0b8c5a8e-9d7f-4e21-8a3b-6c5d4e3f2a10",
        issuer={"id": issuer_id, "type": ["Profile"], "name": "Example University"},
        achievement=ACHIEVEMENT, recipient=cred.Recipient.from_row(row), values=row, salt="Kosher",
        valid_from=datetime(2026, 1, 15, 12, 0, tzinfo=UTC), valid_until=datetime(2027, 1, 15, 12, 0, tzinfo=UTC),
    ), **extra}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    h, p, _ = token.split(".")
    return json.loads(unb64(h)), json.loads(unb64(p))


def forge(header: dict[str, Any], payload: dict[str, Any], key: keys.Ed25519Key | keys.EcdsaKey) -> str:
    """A token signed outside :func:`badgekit.jwt.sign_vc_jwt` (the key's raw signature only)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode()))}"


def check(data: str | bytes, source: str = "t.jwt", **options: Any) -> Any:
    raw = data.encode() if isinstance(data, str) else data
    return verify_bytes(raw, source=source, options=VerifyOptions(at=AT, **options))


def failed(report: Any) -> dict[str, str]:
    return {c.id: c.reason for c in report.checks if c.status == "failed"}


def reason(report: Any, check_id: str) -> str:
    return next(c.reason for c in report.checks if c.id == check_id)


def enveloped(token: str, media_type: str = "application/vc+jwt") -> bytes:
    return json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                       "id": f"data:{media_type},{token}"}).encode()


# ---------------------------------------------------------------------------------------------
# ES256


def test_es256_did_key_token_signature_checks_with_cryptography_alone() -> None:
    kid = P256.signer().verification_method
    token = jwt.sign_vc_jwt(credential(P256.did_key), P256, kid=kid)
    header, payload = parts(token)
    assert kid.startswith("did:key:zDn") and header == {"alg": "ES256", "typ": "JWT", "kid": kid}  # a did:key: no jwk
    assert payload["iss"] == P256.did_key and payload["nbf"] == 1768478400 and payload["exp"] == 1800014400
    # RFC 7518 §3.4: r ‖ s, 32 bytes each, over the ASCII signing input, SHA-256.
    signing_input, _, sig = token.rpartition(".")
    raw = unb64(sig)
    assert len(raw) == 64
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), P256.public_key)
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    report = check(token)
    assert report.verdict == VALID, report.checks
    assert reason(report, "issuer-key") == f"{kid} belongs to the issuer (did:key)"
    assert reason(report, "signature") == "JWS ES256 signature verified"


def test_es256_did_web_kid_resolves_the_p256_multikey_of_the_did_document() -> None:
    token = jwt.sign_vc_jwt(credential(WEB), P256, kid=f"{WEB}#key-2")
    assert parts(token)[0]["jwk"] == P256.public_jwk  # not a did:key: the jwk rides along
    report = check(token, did_documents={WEB: WEB_DOC})
    assert report.verdict == VALID, report.checks
    assert reason(report, "issuer-key") == f"{WEB}#key-2 is an assertionMethod in the DID document of {WEB} (supplied)"
    assert check(token).verdict == INDETERMINATE  # no document: the jwk alone proves nothing


@pytest.mark.parametrize(("signer", "kid", "says"), [
    (P256, f"{WEB}#key-1", "names an Ed25519 key (Multikey) in the DID document of did:web:example.edu, but the JWS is ES256"),
    (ED, f"{WEB}#key-2", "names a P-256 key (Multikey) in the DID document of did:web:example.edu, but the JWS is EdDSA"),
])
def test_a_kid_naming_a_key_of_another_type_is_invalid(signer: Any, kid: str, says: str) -> None:
    report = check(jwt.sign_vc_jwt(credential(WEB), signer, kid=kid), did_documents={WEB: WEB_DOC})
    assert report.verdict == INVALID and says in failed(report)["issuer-key"]


def test_es256_tampered_payload_and_foreign_signature_are_invalid() -> None:
    token = jwt.sign_vc_jwt(credential(P256.did_key), P256, kid=P256.signer().verification_method)
    header, payload = parts(token)
    payload["credentialSubject"]["achievement"]["name"] = "Python Mastery"
    h, _, s = token.split(".")
    forged = f"{h}.{b64(json.dumps(payload).encode())}.{s}"
    assert "does not verify" in failed(check(forged))["signature"]
    other = keys.EcdsaKey.generate("P-256")
    assert failed(check(forge(header, payload, other)))["signature"]


def test_es256_jwk_only_token_is_trusted_by_the_keys_did_key() -> None:
    token = jwt.sign_vc_jwt(credential("https://example.edu/issuers/1"), P256, kid=None)
    trust = TrustList.from_json({"issuers": [{"id": "https://example.edu/issuers/1", "keys": [P256.did_key]}]})
    assert check(token, trust=trust).verdict == VALID
    assert check(token).verdict == INDETERMINATE


def test_p384_keys_sign_no_jwt() -> None:
    with pytest.raises(JwtError, match="badgekit signs VC-JWT with EdDSA .* ES256 .* or RS256"):
        jwt.sign_vc_jwt(credential(P384.did_key), P384, kid=P384.signer().verification_method)
    options = IssueOptions(out_dir=Path("unused"), format="vc+jwt")
    with pytest.raises(InputError, match="a P-384 key signs Data Integrity proofs .* not ES384"):
        check_signing_setup(P384, {"id": P384.did_key}, options)


def test_jwt_kid_of_a_p256_key() -> None:
    opts = IssueOptions(out_dir=Path("unused"), format="jwt", verification_method=f"{WEB}#key-1", issuer_document=WEB_DOC)
    assert jwt_kid(P256, {"id": WEB}, opts) == f"{WEB}#key-2"  # the method did.json lists it under, not the Ed25519 one
    assert jwt_kid(ED, {"id": WEB}, opts) == f"{WEB}#key-1"
    assert jwt_kid(P256, {"id": P256.did_key}, IssueOptions(out_dir=Path("unused"), format="jwt")) == P256.signer().verification_method
    check_signing_setup(P256, {"id": WEB}, opts)  # listed: fine
    ed_only = IssueOptions(out_dir=Path("unused"), format="jwt", verification_method=f"{WEB}#key-1",
                           issuer_document=did.did_web_document(WEB, [ED.public_key]))
    with pytest.raises(keys.KeyFileError, match=f"{WEB}#key-1 in the DID document of {WEB} is another key"):
        check_signing_setup(P256, {"id": WEB}, ed_only)


# ---------------------------------------------------------------------------------------------
# VC-JOSE-COSE application/vc+jwt


@pytest.mark.parametrize("key", [ED, P256, RSA], ids=["EdDSA", "ES256", "RS256"])
def test_vc_jose_signing_writes_the_credential_as_payload(key: Any) -> None:
    issuer = WEB if isinstance(key, keys.RsaKey) else key.did_key
    kid = did.rsa_verification_method(WEB, key.public_jwk) if isinstance(key, keys.RsaKey) else key.signer().verification_method
    source = credential(issuer)
    token = jwt.sign_vc_jwt(source, key, kid=kid, securing=jwt.VC_JOSE)
    header, payload = parts(token)
    assert header["typ"] == "vc+jwt" and header["alg"] == key.jws_alg and header["kid"] == kid
    assert payload == {**source, "iss": issuer, "jti": source["id"], "sub": "did:example:ada"}  # no nbf/exp, no vc
    documents = {WEB: did.did_web_document(WEB, [key.public_jwk])} if isinstance(key, keys.RsaKey) else {}
    report = check(token, did_documents=documents)
    assert report.verdict == VALID, report.checks
    assert report.summary["securing"] == "vc+jwt"
    assert reason(report, "proof-structure").startswith(f"vc+jwt header alg {key.jws_alg}")


def test_vc_jose_signing_refuses_a_vc_1_1_credential() -> None:
    old = {**credential(ED.did_key), "@context": ["https://www.w3.org/2018/credentials/v1"]}
    with pytest.raises(JwtError, match="vc\\+jwt secures a VCDM 2.0 credential"):
        jwt.sign_vc_jwt(old, ED, kid=ED.signer().verification_method, securing=jwt.VC_JOSE)


def vc_jose(header: dict[str, Any] | None = None, **claims: Any) -> str:
    base = {"alg": "EdDSA", "typ": "vc+jwt", "kid": ED.signer().verification_method}
    return forge({**base, **(header or {})}, {**credential(ED.did_key), **claims}, ED)


@pytest.mark.parametrize(("header", "claims"), [
    ({"cty": "vc"}, {}),
    ({"cty": "application/vc", "typ": "application/vc+jwt"}, {}),
    ({"x5u": "https://example.org/cert.pem", "iat_hint": 1}, {}),  # not understood: ignored (VC-JOSE-COSE §3.3)
    ({}, {"iat": 1767225600, "exp": 1798761600}),  # the signature's times, unrelated to validFrom/validUntil
    ({}, {"iss": ED.did_key, "cnf": {"jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(bytes(32))}}}),
], ids=["cty-vc", "media-types", "unknown-headers", "signature-times", "cnf"])
def test_vc_jose_header_and_claims_accepted(header: dict[str, Any], claims: dict[str, Any]) -> None:
    report = check(vc_jose(header, **claims))
    assert report.verdict == VALID, report.checks


@pytest.mark.parametrize(("header", "claims", "check_id", "says"), [
    ({"cty": "vp"}, {}, "proof-structure", "cty 'vp'"),
    ({"crit": ["exp"]}, {}, "proof-structure", "crit ['exp']"),
    ({}, {"vc": {"type": ["VerifiableCredential"]}}, "proof-structure", "the claim vc MUST NOT be present"),
    ({}, {"iss": "did:example:mallory"}, "proof-structure", "claim iss 'did:example:mallory' differs from issuer id"),
    ({}, {"exp": 1780000000}, "proof-structure", "the JWS expired (exp) at 2026-05-28T20:26:40Z"),
    ({}, {"nbf": 1790000000}, "proof-structure", "not valid before (nbf) 2026-09-21"),
    ({}, {"iat": 1790000000}, "proof-structure", "issued (iat) 2026-09-21"),
    ({}, {"iat": "yesterday"}, "proof-structure", "claim iat is not a NumericDate"),
    ({"typ": "JWT", "cty": "vc"}, {}, "proof-structure", "'cty' not allowed by OB 3.0"),  # OB 3.0 rules for typ JWT
], ids=["cty-vp", "crit", "vc-claim", "iss", "expired", "nbf", "iat", "iat-type", "ob-typ-with-cty"])
def test_vc_jose_refusals(header: dict[str, Any], claims: dict[str, Any], check_id: str, says: str) -> None:
    report = check(vc_jose(header, **claims))
    assert report.verdict == INVALID and says in failed(report)[check_id], report.checks


def test_vc_jose_with_vc_1_1_context_is_invalid() -> None:
    token = forge({"alg": "EdDSA", "typ": "vc+jwt", "kid": ED.signer().verification_method},
                  {**credential(ED.did_key), "@context": ["https://www.w3.org/2018/credentials/v1"]}, ED)
    assert "vc+jwt secures VCDM 2.0 credentials only" in check(token).checks[3].reason


def test_ob_vc_jwt_keeps_its_rules() -> None:
    # typ JWT: nbf/exp still must equal validFrom/validUntil (OB 3.0), never read as signature times.
    token = forge({"alg": "EdDSA", "typ": "JWT", "kid": ED.signer().verification_method},
                  {**credential(ED.did_key), "exp": 1798761600}, ED)
    assert "claim exp (2027-01-01T00:00:00Z) differs from validUntil" in failed(check(token))["proof-structure"]


# ---------------------------------------------------------------------------------------------
# EnvelopedVerifiableCredential


def test_enveloped_vc_jwt_verifies_in_json_and_baked() -> None:
    token = jwt.sign_vc_jwt(credential(P256.did_key), P256, kid=P256.signer().verification_method, securing=jwt.VC_JOSE)
    data = enveloped(token)
    report = check(data, "c.json")
    assert report.verdict == VALID, report.checks
    assert report.summary["format"] == "json" and report.summary["securing"] == "vc+jwt"
    assert reason(report, "parse").startswith("EnvelopedVerifiableCredential: vc+jwt (VC-JOSE-COSE compact JWS, alg ES256)")
    image = baking.bake((VECTORS / "1edtech-validator-ob30" / "simple-json.png").read_bytes(), data.decode(), source="t")
    assert check(image, "c.png").verdict == VALID  # baked as the JSON it is, unwrapped by verify
    # The data: URL holds a typ JWT token: vc+jwt rules still apply (the media type says so).
    ob = jwt.sign_vc_jwt(credential(P256.did_key), P256, kid=P256.signer().verification_method)
    assert "differs from" not in str(check(enveloped(ob), "c.json").checks)  # nbf/exp not compared as OB 3.0 would
    assert check(enveloped(ob), "c.json").verdict == VALID


def test_an_enveloped_data_url_is_read_in_any_case_and_percent_decoded() -> None:
    # RFC 3986 §3.1 (scheme), RFC 2045 §5.1 (media type), RFC 2397 (URL-encoded octets): the same
    # token, spelt another way, is the same credential; the signature still covers the token.
    token = jwt.sign_vc_jwt(credential(P256.did_key), P256, kid=P256.signer().verification_method, securing=jwt.VC_JOSE)
    spelt = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential"}
    for url in (f"DATA:Application/VC+JWT,{token}", "data:application/vc+jwt," + "".join(f"%{b:02X}" for b in token.encode())):
        assert check(json.dumps({**spelt, "id": url}), "c.json").verdict == VALID, url[:40]
    forged = token.replace(".", "%2E", 1)[:-4] + "AAAA"  # percent-decoded, then the signature decides
    assert check(json.dumps({**spelt, "id": f"data:application/vc+jwt,{forged}"}), "c.json").verdict == INVALID


@pytest.mark.parametrize(("doc", "verdict", "says"), [
    ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+cose,2D3Q"}, INDETERMINATE, "application/vc+cose"),
    ({"type": ["EnvelopedVerifiableCredential"], "id": "urn:uuid:1"}, INVALID, "not a data: URL"),
    ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt;base64,e30"}, INVALID, "data:<media type>,<credential>"),
    ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,not-a-jws"}, INVALID, "not a compact JWS"),
    ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,%ff%fe"}, INVALID, "not UTF-8"),
    # Unsigned members beside the envelope (a forged name a reader of the JSON would see) were ignored: valid.
    ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c", "name": "Forged"}, INVALID,
     "'name' beside its data: URL"),
    # Found by scripts/fuzz_verify.py: any @context, or a type beside the envelope's, was valid.
    ({"@context": None, "type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,a.b.c"}, INVALID,
     "whose @context is not https://www.w3.org/ns/credentials/v2"),
    ({"@context": ["https://www.w3.org/ns/credentials/v2"] * 2, "type": "EnvelopedVerifiableCredential",
      "id": "data:application/vc+jwt,a.b.c"}, INVALID, "each context once"),
    ({"type": ["EnvelopedVerifiableCredential", "OpenBadgeCredential"], "id": "data:application/vc+jwt,a.b.c"}, INVALID,
     "with a type beside it"),
], ids=["cose", "not-data-url", "base64-parameter", "not-a-jws", "percent-not-utf8", "unsigned-members", "no-context",
        "context-twice", "another-type"])
def test_enveloped_refusals(doc: dict[str, Any], verdict: str, says: str) -> None:
    report = check(json.dumps({"@context": "https://www.w3.org/ns/credentials/v2", **doc}), "c.json")
    assert report.verdict == verdict and says in reason(report, "parse"), report.checks

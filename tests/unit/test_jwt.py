"""badgekit.jwt: compact JWS parsing, the OB 3.0 header rules, RS256/ES256/EdDSA, key resolution,
claim/property equality. Signing here uses ``cryptography`` directly, independent of the code under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from badgekit import did, jwt
from badgekit.keys import Ed25519Key
from badgekit.verify import VerifyOptions, parse_timestamp, verify_bytes
from tests.conftest import FIXED_NOW, TEST_SEED, VECTORS

KEY = Ed25519Key.from_seed(TEST_SEED)
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64int(n: int, size: int | None = None) -> str:
    return b64(n.to_bytes(size or (n.bit_length() + 7) // 8, "big"))


def rsa_jwk(key=RSA) -> dict:
    pub = key.public_key().public_numbers()
    return {"kty": "RSA", "n": b64int(pub.n), "e": b64int(pub.e)}


def ec_jwk(key=EC) -> dict:
    pub = key.public_key().public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64int(pub.x, 32), "y": b64int(pub.y, 32)}


def ed_jwk(key: Ed25519Key = KEY) -> dict:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64(key.public_key)}


def token(header: dict, payload: dict, signer=None) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}".encode()
    alg = header.get("alg")
    if signer is None:
        sig = b""
    elif alg == "RS256":
        sig = signer.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif alg == "ES256":
        r, s = decode_dss_signature(signer.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    elif alg == "EdDSA":
        sig = signer.sign(signing_input)
    elif alg == "HS256":
        sig = hmac.new(signer, signing_input, hashlib.sha256).digest()
    else:
        raise AssertionError(alg)
    return f"{signing_input.decode()}.{b64(sig)}"


CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:6a1c3b6e-0000-4000-8000-000000000002",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": KEY.did_key, "type": ["Profile"], "name": "JWT Issuer"},
    "validFrom": "2025-01-01T00:00:00Z",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"], "name": "JWT badge",
                        "description": "d", "criteria": {"narrative": "n"}},
    },
}
PAYLOAD = {**CREDENTIAL, "iss": KEY.did_key, "jti": CREDENTIAL["id"], "nbf": 1735689600, "sub": "did:example:learner"}


@pytest.mark.parametrize(
    ("alg", "signer", "jwk"),
    [("RS256", RSA, rsa_jwk()), ("ES256", EC, ec_jwk()), ("EdDSA", KEY, ed_jwk())],
)
def test_round_trip_each_algorithm(alg, signer, jwk):
    t = token({"alg": alg, "typ": "JWT", "jwk": jwk}, PAYLOAD, signer)
    payload, header = jwt.decode_and_verify(t)
    assert payload == PAYLOAD and header["alg"] == alg
    forged = t.rsplit(".", 1)[0] + "." + b64(b"\x00" * len(jwt.b64url_decode(t.rsplit(".", 1)[1])))
    with pytest.raises(jwt.JwtSignatureError):
        jwt.decode_and_verify(forged)


def test_did_key_kid_resolves_offline():
    t = token({"alg": "EdDSA", "kid": did.did_key_verification_method(KEY.public_key)}, PAYLOAD, KEY)
    assert jwt.decode_and_verify(t)[0]["iss"] == KEY.did_key
    key = jwt.resolve_key(jwt.parse(t).header)
    assert key.source == "did:key" and key.controller == KEY.did_key
    assert KEY.public_key_multibase in key.fingerprints


def test_kid_from_supplied_did_document_with_public_key_jwk():
    web = "did:web:example.edu"
    doc = {"id": web, "verificationMethod": [{"id": "#rsa", "type": "JsonWebKey", "controller": web, "publicKeyJwk": rsa_jwk()}],
           "assertionMethod": ["#rsa"]}
    header = {"alg": "RS256", "kid": f"{web}#rsa"}
    key = jwt.resolve_key(header, documents={web: doc})
    assert key.source == "document" and key.controller == web and "assertionMethod" in key.relationships
    with pytest.raises(did.Unresolvable):
        jwt.resolve_key(header)  # not supplied: cannot be resolved offline


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ({"alg": "none"}, "alg 'none'"),
        ({"alg": "HS256"}, "shared-secret"),
        ({"alg": "hs512"}, "shared-secret"),
        ({"alg": "RS512"}, "not accepted"),
        ({"alg": "ES256K"}, "not accepted"),
        ({}, "no alg"),
        ({"alg": "EdDSA", "x5u": "https://x.example/c"}, "not allowed"),
        ({"alg": "EdDSA", "crit": ["b64"], "b64": False}, "not allowed"),
        ({"alg": "EdDSA", "typ": "JOSE"}, "typ"),
        # Found by scripts/fuzz_verify.py: a typ or cty that is a JSON array or object raised TypeError.
        ({"alg": "EdDSA", "typ": ["JWT"]}, "typ ['JWT'] is not"),
        ({"alg": "EdDSA", "typ": {"vc+jwt": 1}}, "typ {'vc+jwt': 1} is not"),
        ({"alg": "EdDSA", "typ": "vc+jwt", "cty": ["vc"]}, "cty ['vc']"),
        ({"alg": "EdDSA", "kid": ""}, "kid"),
        ({"alg": "EdDSA", "jwk": "z6Mk"}, "not a JSON object"),
        ({"alg": "RS256", "jwk": {**rsa_jwk(), "d": "AAAA"}}, "private key material"),
    ],
)
def test_header_rules(header, fragment):
    problem = jwt.header_problem(header)
    assert problem is not None and fragment in problem


def test_accepted_typ_values():
    assert jwt.header_problem({"alg": "EdDSA", "typ": "JWT"}) is None
    assert jwt.header_problem({"alg": "EdDSA", "typ": "vc+jwt"}) is None


def test_algorithm_confusion_is_impossible():
    # RS256 header with the RSA public key used as an HMAC secret: HS256 is refused outright.
    pem_secret = json.dumps(rsa_jwk()).encode()
    t = token({"alg": "HS256", "jwk": rsa_jwk()}, PAYLOAD, pem_secret)
    with pytest.raises(jwt.JwtError, match="shared-secret"):
        jwt.decode_and_verify(t)
    # The key type must match alg.
    for alg, jwk in (("RS256", ec_jwk()), ("ES256", rsa_jwk()), ("EdDSA", ec_jwk()), ("ES256", ed_jwk())):
        with pytest.raises(jwt.JwtError):
            jwt.key_from_jwk(jwk, alg)
    # A did:key (Ed25519) cannot verify an RS256 token.
    with pytest.raises(jwt.JwtError, match="expected EdDSA"):
        jwt.resolve_key({"alg": "RS256", "kid": did.did_key_verification_method(KEY.public_key)})


def test_weak_or_bad_keys_are_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(jwt.JwtError, match="2048"):
        jwt.key_from_jwk(rsa_jwk(small), "RS256")
    off_curve = {**ec_jwk(), "y": b64int(1, 32)}
    with pytest.raises(jwt.JwtError, match="not on P-256"):
        jwt.key_from_jwk(off_curve, "ES256")
    with pytest.raises(jwt.JwtError):
        jwt.key_from_jwk({"kty": "oct", "k": "c2VjcmV0"}, "RS256")
    with pytest.raises(jwt.JwtError, match="alg"):
        jwt.key_from_jwk({**ed_jwk(), "alg": "ES256"}, "EdDSA")


def test_es256_signature_must_be_raw_r_s():
    signing_input = b"a.b"
    der = EC.sign(signing_input, ec.ECDSA(hashes.SHA256()))
    jws = jwt.CompactJws({"alg": "ES256"}, {}, signing_input, der)
    assert not jwt.verify_signature(jws, jwt.key_from_jwk(ec_jwk(), "ES256"))


@pytest.mark.parametrize(
    "bad",
    ["", "a.b", "a.b.c.d", "!!!.e30.", "e30.e30.sig=", "eyJhbGciOiJFZERTQSJ9.W10.", "W10.e30.",
     "eyJhbGciOiJFZERTQSIsImFsZyI6Im5vbmUifQ.e30."],
)
def test_malformed_tokens(bad):
    with pytest.raises(jwt.JwtError):
        jwt.parse(bad)


def test_duplicate_header_parameter_is_refused():
    header = b64(b'{"alg":"EdDSA","alg":"none"}')
    with pytest.raises(jwt.JwtError, match="duplicate"):
        jwt.parse(f"{header}.e30.")


def test_rfc7638_thumbprint_vector():
    # RFC 7638 §3.1 example.
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert jwt.jwk_thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    assert jwt.jwk_thumbprint_uri(jwk) == "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_credential_from_payload():
    assert jwt.credential_from_payload(PAYLOAD) == CREDENTIAL  # registered claims removed
    v1 = {"vc": {"@context": ["https://www.w3.org/2018/credentials/v1"], "type": ["VerifiableCredential"],
                 "credentialSubject": {"type": ["AchievementSubject"]}},
          "iss": "https://example.edu/i", "jti": "urn:uuid:1", "sub": "did:example:s", "nbf": 1262304000, "exp": 1893456000}
    cred = jwt.credential_from_payload(v1)
    assert cred["issuer"] == "https://example.edu/i" and cred["id"] == "urn:uuid:1"
    assert cred["credentialSubject"]["id"] == "did:example:s"
    assert cred["issuanceDate"] == "2010-01-01T00:00:00Z" and cred["expirationDate"] == "2030-01-01T00:00:00Z"
    assert jwt.claim_problems(v1, cred) == []


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"iss": "did:key:z6MkOther"}, "iss"),
        ({"jti": "urn:uuid:other"}, "jti"),
        ({"sub": "did:example:mallory"}, "sub"),
        ({"nbf": 1735689601}, "nbf"),
        ({"exp": 1893456000}, "validUntil"),
        ({"nbf": "2025-01-01"}, "NumericDate"),
    ],
)
def test_claim_problems(change, fragment):
    problems = jwt.claim_problems({**PAYLOAD, **change}, CREDENTIAL)
    assert problems and fragment in problems[0]
    assert jwt.claim_problems(PAYLOAD, CREDENTIAL) == []
    assert jwt.claim_problems({k: v for k, v in PAYLOAD.items() if k != "sub"}, CREDENTIAL) == []  # sub optional


# ---------------------------------------------------------------------------------------------
# through badgekit.verify


AT = VerifyOptions(at=parse_timestamp(FIXED_NOW))


def test_verify_a_did_key_vc_jwt():
    t = token({"alg": "EdDSA", "typ": "JWT", "kid": did.did_key_verification_method(KEY.public_key)}, PAYLOAD, KEY)
    report = verify_bytes(t.encode(), source="badge.jwt", options=AT)
    assert report.verdict == "valid", report.checks
    assert report.summary["format"] == "jwt" and report.summary["securing"] == "vc-jwt"
    assert "EdDSA" in report.check("signature").reason


def test_verify_a_vc_claim_jwt_of_a_vc2_credential():
    """A `vc` claim holding a VC 2.0 credential (OB 3.0's JWT form) with nbf and exp: decoding
    restored VC 1.1's issuanceDate/expirationDate, which the VC 2.0 context does not define, so a
    correctly signed token was invalid (contexts) and nbf was never compared with validFrom."""
    credential = {**CREDENTIAL, "validUntil": "2030-01-01T00:00:00Z"}
    claims = {"iss": KEY.did_key, "jti": CREDENTIAL["id"], "nbf": 1735689600, "exp": 1893456000}
    header = {"alg": "EdDSA", "typ": "JWT", "kid": did.did_key_verification_method(KEY.public_key)}
    report = verify_bytes(token(header, {"vc": credential, **claims}, KEY).encode(), options=AT)
    assert report.verdict == "valid", report.checks
    moved = {k: v for k, v in credential.items() if k not in ("validFrom", "validUntil")}  # carried by nbf and exp only
    assert jwt.credential_from_payload({"vc": moved, **claims}) == credential
    late = verify_bytes(token(header, {"vc": credential, **claims, "nbf": 1735689601}, KEY).encode(), options=AT)
    assert late.verdict == "invalid" and "nbf" in late.check("proof-structure").reason


WEB_ISSUER = "https://example.edu/issuers/1"
WEB_CREDENTIAL = {**CREDENTIAL, "issuer": {**CREDENTIAL["issuer"], "id": WEB_ISSUER}}
WEB_PAYLOAD = {**PAYLOAD, **WEB_CREDENTIAL, "iss": WEB_ISSUER}


def test_verify_es256_jwk_header_is_indeterminate_without_trust():
    # An https issuer: nothing offline says whose the jwk is.
    t = token({"alg": "ES256", "jwk": ec_jwk()}, WEB_PAYLOAD, EC)
    report = verify_bytes(t.encode(), options=AT)
    assert report.verdict == "indeterminate"
    assert report.check("signature").status == "passed"
    assert report.check("issuer-key").status == "indeterminate"


# did:key test vectors (w3c-ccg/did-method-key test-vectors/nist-curves.json and rsa.json, public keys only).
P256_DID_KEY = "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"
P256_JWK = {"kty": "EC", "crv": "P-256", "x": "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
            "y": "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM"}
RSA_DID_KEY = ("did:key:z4MXj1wBzi9jUstyPMS4jQqB6KdJaiatPkAtVtGc6bQEQEEsKTic4G7Rou3iBf9vPmT5dbkm9qsZsuVNjq8HCuW1w24nhBFGkRE4c"
               "d2Uf2tfrB3N7h4mnyPp1BF3ZttHTYv3DLUPi1zMdkULiow3M1GfXkoC6DoxDUm1jmN6GBj22SjVsr6dxezRVQc7aj9TxE7JLbMH1wh5X3k"
               "A58H3DFW8rnYMakFGbca5CB2Jf6CnGQZmL7o5uJAdTwXfy2iiiyPxXEGerMhHwhjTA1mKYobyk2CpeEcmvynADfNZ5MBvcCS7m3XkFCMNU"
               "YBS9NQ3fze6vMSUPsNa6GVYmKx2x6JrdEjCk3qRMMmyjnjCMfR4pXbRMZa3i")
RSA_JWK = {"kty": "RSA", "e": "AQAB", "n": (
    "sbX82NTV6IylxCh7MfV4hlyvaniCajuP97GyOqSvTmoEdBOflFvZ06kR_9D6ctt45Fk6hskfnag2GG69NALVH2o4RCR6tQiLRpKcMRtDYE_thEmfBv"
    "Dzm_VVkOIYfxu-Ipuo9J_S5XDNDjczx2v-3oDh5-CIHkU46hvFeCvpUS-L8TJSbgX0kjVk_m4eIb9wh63rtmD6Uz_KBtCo5mmR4TEtcLZKYdqMp3wC"
    "jN-TlgHiz_4oVXWbHUefCEe8rFnX1iQnpDHU49_SaXQoud1jCaexFn25n-Aa8f8bc5Vm-5SeRwidHa6ErvEhTvf1dz6GoNPp2iRvm-wJ1gxwWJEYPQ")}


@pytest.mark.parametrize(("jwk", "alg", "expected"), [
    (ed_jwk(), "EdDSA", KEY.did_key),
    (P256_JWK, "ES256", P256_DID_KEY),
    (RSA_JWK, "RS256", RSA_DID_KEY),
])
def test_did_key_of_a_jwk_matches_the_did_key_vectors(jwk, alg, expected):
    assert jwt.did_key_of(jwt.key_from_jwk(jwk, alg)) == expected


def _did_key_payload(issuer: str) -> dict:
    return {**PAYLOAD, "issuer": {**CREDENTIAL["issuer"], "id": issuer}, "iss": issuer}


@pytest.mark.parametrize(("alg", "signer", "jwk"), [("EdDSA", KEY, ed_jwk()), ("ES256", EC, ec_jwk()), ("RS256", RSA, rsa_jwk())])
def test_jwk_only_header_of_a_did_key_issuer_is_decided_offline(alg, signer, jwk):
    # A did:key is its key: the jwk header is the issuer's key (valid) or another one (invalid),
    # with no trust list and no DID document.
    own = jwt.did_key_of(jwt.key_from_jwk(jwk, alg))
    genuine = verify_bytes(token({"alg": alg, "typ": "JWT", "jwk": jwk}, _did_key_payload(own), signer).encode(), options=AT)
    assert genuine.verdict == "valid", genuine.checks
    assert "the key of the issuer's did:key" in genuine.check("issuer-key").reason
    other = Ed25519Key.from_seed(bytes(range(32)))
    wrong = verify_bytes(token({"alg": alg, "typ": "JWT", "jwk": jwk}, _did_key_payload(other.did_key), signer).encode(), options=AT)
    assert wrong.verdict == "invalid"
    assert wrong.check("issuer-key").status == "failed"
    assert f"not the key of the issuer {other.did_key}" in wrong.check("issuer-key").reason


def test_jwk_of_the_did_key_issuer_with_a_signature_by_another_key_is_invalid():
    forger = Ed25519Key.from_seed(bytes(range(32)))
    report = verify_bytes(token({"alg": "EdDSA", "jwk": ed_jwk()}, PAYLOAD, forger).encode(), options=AT)
    assert report.verdict == "invalid"
    assert report.check("issuer-key").status == "passed" and report.check("signature").status == "failed"


def test_vc11_jwt_fixture_has_no_key():
    report = verify_bytes((VECTORS / "1edtech-validator-ob30/simple.jwt").read_bytes(), options=AT)
    assert report.check("parse").status == "passed"
    assert report.check("proof-structure").status == "passed"  # iss/jti/nbf/sub agree with the vc claim
    assert report.check("signature").status == "indeterminate"

"""VC-JWT issuing (issue 8): ``jwt.sign_vc_jwt`` with EdDSA and RS256 → ``decode_and_verify`` and
``verify_bytes``; tampered tokens, ``alg: none``, HS256 with the RSA public key as secret, EdDSA
with an RSA key and a ``jwk`` with ``d`` are all refused; RSA keys follow the Ed25519 file rules;
``badgekit issue --format jwt`` in a real project, baked PNG/SVG carrying the JWS.

Attack tokens are built here with ``cryptography`` and ``hmac`` directly, never with the code
under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pickle
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from typer.testing import CliRunner

from badgekit import baking, did, jwt, keys
from badgekit import credential as cred
from badgekit.errors import InputError, KeyExistsError, KeyFileError, PassphraseError
from badgekit.issuing import IssueOptions, issue_roster, jwt_kid
from badgekit.ledger import Ledger
from badgekit.verify import INDETERMINATE, INVALID, VALID, TrustList, VerifyOptions, verify_bytes
from tests.conftest import TEST_SEED, course_project

ED = keys.Ed25519Key.from_seed(TEST_SEED)
RSA = keys.RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
OTHER_RSA = keys.RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
HTTPS_ISSUER = "https://example.edu/issuers/1"
KID = f"{HTTPS_ISSUER}#key-1"
AT = datetime(2026, 6, 1, tzinfo=UTC)
ACHIEVEMENT = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project."},
    "achievementType": "Course",
}


def credential(issuer_id: str, *, subject_id: str | None = None) -> dict[str, Any]:
    row = {"email": "ada@example.org"} | ({"recipient_id": subject_id} if subject_id else {})
    return cred.build_credential(
        credential_id="urn:uuid:0b8c5a8e-9d7f-4e21-8a3b-6c5d4e3f2a10",
        issuer={"id": issuer_id, "type": ["Profile"], "name": "Example University"},
        achievement=ACHIEVEMENT,
        recipient=cred.Recipient.from_row(row),
        values=row,
        salt="Kosher",
        valid_from=datetime(2026, 1, 15, 12, 0, tzinfo=UTC),
        valid_until=datetime(2027, 1, 15, 12, 0, tzinfo=UTC),
    )


def trust_for(key: keys.PrivateKey, issuer: str = HTTPS_ISSUER) -> TrustList:
    return TrustList.from_json({"issuers": [{"id": issuer, "keys": [jwt.jwk_thumbprint_uri(key.public_jwk)]}]})


def check(token: str | bytes, **options: Any) -> Any:
    data = token.encode() if isinstance(token, str) else token
    return verify_bytes(data, source="test.jwt", options=VerifyOptions(at=AT, **options))


def failed(report: Any) -> dict[str, str]:
    return {c.id: c.reason for c in report.checks if c.status == "failed"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    h, p, s = token.split(".")
    return json.loads(unb64(h)), json.loads(unb64(p)), s


def forge(header: dict[str, Any], payload: dict[str, Any], sign: Any = None) -> str:
    """A token signed outside the code under test (``sign(signing_input) -> bytes``)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign(signing_input.encode()) if sign else b'')}"


@pytest.fixture(scope="module")
def ed_token() -> str:
    return jwt.sign_vc_jwt(credential(ED.did_key, subject_id="did:example:ada"), ED,
                           kid=ED.signer().verification_method, alg="EdDSA")


@pytest.fixture(scope="module")
def rsa_token() -> str:
    return jwt.sign_vc_jwt(credential(HTTPS_ISSUER), RSA, kid=KID, alg="RS256")


# ---------------------------------------------------------------------------------------------
# issue → verify


def test_eddsa_did_key_round_trip(ed_token: str) -> None:
    assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", ed_token)  # no padding, one line
    header, payload, _ = parts(ed_token)
    assert header == {"alg": "EdDSA", "typ": "JWT", "kid": ED.signer().verification_method}  # did:key: no jwk needed
    source = credential(ED.did_key, subject_id="did:example:ada")
    assert payload["iss"] == ED.did_key and payload["jti"] == source["id"] and payload["sub"] == "did:example:ada"
    assert payload["nbf"] == int(datetime(2026, 1, 15, 12, 0, tzinfo=UTC).timestamp())
    assert payload["exp"] == int(datetime(2027, 1, 15, 12, 0, tzinfo=UTC).timestamp())
    assert "vc" not in payload and "proof" not in payload  # VC 2.0 style: the credential itself
    verified, _ = jwt.decode_and_verify(ed_token)
    assert jwt.credential_from_payload(verified) == source
    assert not jwt.claim_problems(verified, source)
    report = check(ed_token)
    assert report.verdict == VALID, report.checks
    assert report.summary["securing"] == "vc-jwt"


def test_rs256_valid_with_trust_list_thumbprint(rsa_token: str) -> None:
    header, payload, _ = parts(rsa_token)
    assert header["alg"] == "RS256" and header["kid"] == KID
    assert header["jwk"] == RSA.public_jwk and "d" not in header["jwk"]  # kid not resolvable offline: jwk too
    assert "sub" not in payload  # hashed email only: no credentialSubject.id, so no sub
    jwt.decode_and_verify(rsa_token)
    report = check(rsa_token, trust=trust_for(RSA))
    assert report.verdict == VALID, report.checks
    # Without a trust list (or a DID document) nothing offline says the key is the issuer's.
    assert check(rsa_token).verdict == INDETERMINATE
    # A trust list naming another key for this issuer does not vouch for this one.
    assert check(rsa_token, trust=trust_for(OTHER_RSA)).verdict != VALID


def test_rs256_valid_with_the_issuers_published_jwk_document(rsa_token: str) -> None:
    # What an RS256 issuer publishes: its profile (or DID document) at issuer.id listing the
    # public JWK as an assertionMethod (kid = that method's id).
    profile = {
        "id": HTTPS_ISSUER,
        "verificationMethod": [{"id": KID, "type": "JsonWebKey", "controller": HTTPS_ISSUER, "publicKeyJwk": RSA.public_jwk}],
        "assertionMethod": [KID],
    }
    report = check(rsa_token, did_documents={HTTPS_ISSUER: profile})
    assert report.verdict == VALID, report.checks


def test_rs256_with_jwk_only_header() -> None:
    token = jwt.sign_vc_jwt(credential(HTTPS_ISSUER), RSA, kid=None)
    header, _, _ = parts(token)
    assert header == {"alg": "RS256", "typ": "JWT", "jwk": RSA.public_jwk}
    assert check(token, trust=trust_for(RSA)).verdict == VALID


def test_default_rsa_key_is_3072_bits_and_signs_rs256() -> None:
    key = keys.RsaKey.generate()
    assert key.key_size == keys.RSA_DEFAULT_BITS == 3072
    token = jwt.sign_vc_jwt(credential(HTTPS_ISSUER), key, kid=KID)  # alg from the key
    assert parts(token)[0]["alg"] == "RS256"
    assert check(token, trust=trust_for(key)).verdict == VALID


# ---------------------------------------------------------------------------------------------
# tampering and refused algorithms


@pytest.mark.parametrize("which", ["ed", "rsa"])
def test_tampered_payload_is_invalid(which: str, ed_token: str, rsa_token: str) -> None:
    token = ed_token if which == "ed" else rsa_token
    h, _, s = token.split(".")
    payload = json.loads(unb64(token.split(".")[1]))
    payload["credentialSubject"]["achievement"]["name"] = "Python Mastery"
    forged = f"{h}.{b64(json.dumps(payload, separators=(',', ':')).encode())}.{s}"
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID
    assert "does not verify" in failed(report)["signature"]
    with pytest.raises(jwt.JwtSignatureError):
        jwt.decode_and_verify(forged)


@pytest.mark.parametrize("which", ["ed", "rsa"])
def test_tampered_header_is_invalid(which: str, ed_token: str, rsa_token: str) -> None:
    token = ed_token if which == "ed" else rsa_token
    header, _, _ = parts(token)
    header["typ"] = "vc+jwt"  # an allowed value, so only the signature can catch it
    _, p, s = token.split(".")
    forged = f"{b64(json.dumps(header).encode())}.{p}.{s}"
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID and "signature" in failed(report)


def test_swapped_signature_is_invalid(rsa_token: str) -> None:
    other = jwt.sign_vc_jwt({**credential(HTTPS_ISSUER), "name": "Another"}, RSA, kid=KID)
    h, p, _ = rsa_token.split(".")
    forged = f"{h}.{p}.{other.split('.')[2]}"
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID and "signature" in failed(report)


def test_signature_by_another_key_with_the_trusted_jwk_is_invalid(rsa_token: str) -> None:
    header, payload, _ = parts(rsa_token)
    forged = forge(header, payload, lambda data: OTHER_RSA.sign(data))
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID and "signature" in failed(report)


def test_alg_none_is_invalid(rsa_token: str) -> None:
    header, payload, _ = parts(rsa_token)
    forged = forge({"alg": "none", "typ": "JWT"}, payload)
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID
    assert "alg 'none'" in failed(report)["proof-structure"]
    with pytest.raises(jwt.JwtError, match="none"):
        jwt.decode_and_verify(forged)


def test_hs256_with_the_rsa_public_key_as_secret_is_invalid(rsa_token: str) -> None:
    """The classic confusion: a verifier that feeds "the key" to whatever ``alg`` says would check
    an HMAC keyed with the (public) RSA key, which anyone can compute."""
    header, payload, _ = parts(rsa_token)
    secret = RSA._private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for forged_header in ({"alg": "HS256", "typ": "JWT", "kid": KID, "jwk": RSA.public_jwk},
                          {"alg": "HS256", "typ": "JWT", "kid": KID}):
        forged = forge(forged_header, payload, lambda data: hmac.new(secret, data, hashlib.sha256).digest())
        report = check(forged, trust=trust_for(RSA))
        assert report.verdict == INVALID
        assert "shared-secret" in failed(report)["proof-structure"]
        with pytest.raises(jwt.JwtError):
            jwt.decode_and_verify(forged)


def test_eddsa_header_with_an_rsa_key_is_invalid(rsa_token: str) -> None:
    header, payload, _ = parts(rsa_token)
    forged = forge({**header, "alg": "EdDSA"}, payload, lambda data: RSA.sign(data))
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID
    assert "EdDSA needs an OKP Ed25519 key" in failed(report)["issuer-key"]
    # and the reverse: RS256 claimed for the issuer's did:key (an Ed25519 key)
    _, ed_payload, _ = parts(jwt.sign_vc_jwt(credential(ED.did_key), ED, kid=ED.signer().verification_method))
    forged = forge({"alg": "RS256", "typ": "JWT", "kid": ED.signer().verification_method}, ed_payload, lambda d: RSA.sign(d))
    report = check(forged)
    assert report.verdict == INVALID and "expected EdDSA" in failed(report)["issuer-key"]


def test_jwk_with_private_d_is_invalid(rsa_token: str) -> None:
    header, payload, _ = parts(rsa_token)
    d = RSA._private.private_numbers().d
    leaked = {**RSA.public_jwk, "d": b64(d.to_bytes((d.bit_length() + 7) // 8, "big"))}
    forged = forge({"alg": "RS256", "typ": "JWT", "jwk": leaked}, payload,
                   lambda data: RSA._private.sign(data, padding.PKCS1v15(), hashes.SHA256()))
    report = check(forged, trust=trust_for(RSA))
    assert report.verdict == INVALID
    assert "private key material" in failed(report)["proof-structure"]


def test_signing_refuses_what_it_cannot_sign_faithfully() -> None:
    c = credential(HTTPS_ISSUER)
    with pytest.raises(jwt.JwtError, match="needs an Ed25519 key"):
        jwt.sign_vc_jwt(c, RSA, kid=KID, alg="EdDSA")
    with pytest.raises(jwt.JwtError, match="needs an RSA key"):
        jwt.sign_vc_jwt(c, ED, kid=KID, alg="RS256")
    with pytest.raises(jwt.JwtError, match="alg 'HS256'"):
        jwt.sign_vc_jwt(c, RSA, kid=KID, alg="HS256")
    with pytest.raises(jwt.JwtError, match="kid or a jwk"):
        jwt.sign_vc_jwt(c, RSA, kid=None, include_jwk=False)
    with pytest.raises(jwt.JwtError, match="exp"):
        jwt.sign_vc_jwt({**c, "exp": 1}, RSA, kid=KID)  # would be read back as the claim, not the credential
    with pytest.raises(jwt.JwtError, match="issuer id"):
        jwt.sign_vc_jwt({k: v for k, v in c.items() if k != "issuer"}, RSA, kid=KID)
    with pytest.raises(jwt.JwtError, match="validUntil"):
        jwt.sign_vc_jwt({**c, "validUntil": "2027-01-15"}, RSA, kid=KID)  # no time zone
    with pytest.raises(jwt.JwtError, match=r"^credential validUntil .* not within ±14:00"):
        jwt.sign_vc_jwt({**c, "validUntil": "2027-01-15T00:00:00+15:00"}, RSA, kid=KID)  # was accepted


# ---------------------------------------------------------------------------------------------
# RSA key files: the same rules as Ed25519


def test_rsa_key_file_rules(tmp_path: Path) -> None:
    path = keys.save_key(RSA, tmp_path / "rsa.pem")
    assert os.stat(path).st_mode & 0o777 == 0o600
    loaded = keys.load_any_key(path)
    assert isinstance(loaded, keys.RsaKey) and loaded.public_jwk == RSA.public_jwk
    with pytest.raises(KeyExistsError):
        keys.save_key(OTHER_RSA, path)
    assert keys.load_any_key(path).public_jwk == RSA.public_jwk  # untouched
    with pytest.raises(KeyFileError, match="not an Ed25519 key"):
        keys.load_key(path)  # Data Integrity callers keep getting Ed25519 only
    assert isinstance(keys.load_any_key(keys.save_key(ED, tmp_path / "ed.pem")), keys.Ed25519Key)
    enc = keys.save_key(RSA, tmp_path / "enc.pem", passphrase=b"correct horse")
    with pytest.raises(PassphraseError):
        keys.load_any_key(enc)
    with pytest.raises(PassphraseError, match="wrong"):
        keys.load_any_key(enc, passphrase=b"wrong passphrase")
    assert keys.load_any_key(enc, passphrase=b"correct horse").public_jwk == RSA.public_jwk
    os.chmod(path, 0o644)
    with pytest.raises(KeyFileError, match="readable by others"):
        keys.load_any_key(path)


def test_small_rsa_keys_are_refused(tmp_path: Path) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    path = tmp_path / "weak.pem"
    path.write_bytes(weak.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="1024 bits"):
        keys.load_any_key(path)
    with pytest.raises(KeyFileError, match="at least 2048"):
        keys.RsaKey.generate(1024)


def test_rsa_secret_never_in_repr_and_pickles_for_workers() -> None:
    d = str(RSA._private.private_numbers().d)
    assert "hidden" in repr(RSA) and d not in repr(RSA) and d not in str(RSA)
    assert "d" not in RSA.public_jwk and "d" not in ED.public_jwk
    assert pickle.loads(pickle.dumps(RSA)).public_jwk == RSA.public_jwk


# ---------------------------------------------------------------------------------------------
# bulk issuing


def _badge() -> SimpleNamespace:
    return SimpleNamespace(id=ACHIEVEMENT["id"], achievement=ACHIEVEMENT,
                           policy=SimpleNamespace(validity="P1Y", requirements=(), status_purpose="revocation"))


def _issue(tmp: Path, key: keys.PrivateKey, issuer_id: str, *, vm: str | None, workers: int = 1, fmt: str = "jwt",
           dry_run: bool = False, jwt_vm: str | None = None, document: dict[str, Any] | None = None) -> Any:
    roster = tmp / "roster.csv"
    if not roster.exists():
        roster.write_text("email,name\n" + "".join(f"l{i}@example.org,L {i}\n" for i in range(6)), encoding="utf-8")
    if document is None and not issuer_id.startswith("did:key:"):  # what the issuer hosts: it lists this key
        document = did.did_web_document(issuer_id, [key.public_jwk if isinstance(key, keys.RsaKey) else key.public_key])
    with Ledger.open(tmp / "ledger.sqlite3") as ledger:
        return issue_roster(roster_path=roster, badge=_badge(), ledger=ledger, key=key,
                            issuer={"id": issuer_id, "type": ["Profile"], "name": "Example University"},
                            options=IssueOptions(out_dir=tmp / "out", workers=workers, now=datetime(2026, 1, 15, 12, tzinfo=UTC),
                                                 verification_method=vm, format=fmt, dry_run=dry_run,  # type: ignore[arg-type]
                                                 jwt_verification_method=jwt_vm, issuer_document=document,
                                                 revocable=False))  # no status lists here: not revocable, explicitly


def test_bulk_rs256_same_bytes_for_any_worker_count_and_idempotent(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    seed = tmp_path / "seed.sqlite3"
    Ledger.open(seed).close()  # one ledger secret for both runs: same credential ids
    for folder, workers in ((one, 1), (two, 2)):
        folder.mkdir()
        shutil.copy(seed, folder / "ledger.sqlite3")
        report = _issue(folder, RSA, HTTPS_ISSUER, vm=KID, workers=workers)
        assert report.counts == {"issued": 6}
        assert all(o.path.endswith(".jwt") for o in report.outcomes)
    files = sorted(p.name for p in (one / "out").iterdir())
    assert len(files) == 6 and all(f.endswith(".jwt") for f in files)
    trust = trust_for(RSA)
    for name in files:
        token = (one / "out" / name).read_bytes()
        assert b"\n" not in token and token == (two / "out" / name).read_bytes()
        assert check(token, trust=trust).verdict == VALID
    again = _issue(one, RSA, HTTPS_ISSUER, vm=KID)
    assert again.counts == {"already-issued": 6}
    with Ledger.open(one / "ledger.sqlite3") as ledger:
        assert sorted(Path(str(i.output_path)).name for i in ledger.issuances()) == files
    (one / "out" / files[0]).unlink()  # a lost file is rewritten, as the same JWS
    notes = [o.note for o in _issue(one, RSA, HTTPS_ISSUER, vm=KID).outcomes if o.path.endswith(files[0])]
    assert notes and "rewritten" in str(notes[0])
    assert (one / "out" / files[0]).read_bytes() == (two / "out" / files[0]).read_bytes()


def test_bulk_dry_run_plans_jwt_paths(tmp_path: Path) -> None:
    report = _issue(tmp_path, ED, ED.did_key, vm=None, dry_run=True)
    assert report.counts == {"would-issue": 6} and all(o.path.endswith(".jwt") for o in report.outcomes)


@pytest.mark.parametrize(("key", "issuer", "vm", "fmt", "message"), [
    (RSA, HTTPS_ISSUER, KID, "ldp", "RSA key signs only VC-JWT"),
    (RSA, ED.did_key, None, "jwt", "is a did:key"),
    (RSA, "urn:uuid:2f1e8a52-93b4-4c1e-9d55-0b7f7c1a9e3d", None, "jwt", "cannot name the RSA key's verification method"),
    (ED, ED.did_key, None, "xml", "format 'xml'"),
])
def test_bulk_refuses_key_format_issuer_mismatches(tmp_path: Path, key: Any, issuer: str, vm: str | None, fmt: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        _issue(tmp_path, key, issuer, vm=vm, fmt=fmt)
    assert not (tmp_path / "out").exists()  # refused before anything was reserved or written


# ---------------------------------------------------------------------------------------------
# did:web issuer: Ed25519 key for Data Integrity, RSA key for RS256 VC-JWT


WEB = "did:web:example.edu"
WEB_DOC = did.did_web_document(WEB, [ED.public_key, RSA.public_jwk])  # what 'badgekit key did-web ed.pem rsa.pem' writes
RSA_VM = f"{WEB}#{jwt.jwk_thumbprint(RSA.public_jwk)}"


def _options(**kw: Any) -> IssueOptions:
    return IssueOptions(out_dir=Path("unused"), format="jwt", **kw)


def test_jwt_kid_is_the_signing_keys_own_method() -> None:
    web = {"id": WEB}
    # RSA: its JsonWebKey method <issuer>#<thumbprint>, never the Ed25519 verification_method
    assert jwt_kid(RSA, web, _options(verification_method=f"{WEB}#key-1")) == RSA_VM
    assert RSA_VM in {vm["id"] for vm in WEB_DOC["verificationMethod"]}
    assert jwt_kid(RSA, {"id": HTTPS_ISSUER}, _options(verification_method=KID)) == f"{HTTPS_ISSUER}#{jwt.jwk_thumbprint(RSA.public_jwk)}"
    assert jwt_kid(RSA, web, _options(verification_method=f"{WEB}#key-1", jwt_verification_method=f"{WEB}#rsa-1")) == f"{WEB}#rsa-1"
    # Ed25519: unchanged (the project's verification method, else its did:key method)
    assert jwt_kid(ED, web, _options(verification_method=f"{WEB}#key-1", jwt_verification_method=f"{WEB}#rsa-1")) == f"{WEB}#key-1"
    assert jwt_kid(ED, {"id": ED.did_key}, _options()) == ED.signer().verification_method
    with pytest.raises(InputError, match="is a did:key"):
        jwt_kid(RSA, {"id": ED.did_key}, _options(jwt_verification_method=f"{ED.did_key}#rsa"))


def test_bulk_rs256_for_a_did_web_issuer_verifies_through_its_did_document(tmp_path: Path) -> None:
    report = _issue(tmp_path, RSA, WEB, vm=f"{WEB}#key-1")
    assert report.counts == {"issued": 6}
    token = Path(report.outcomes[0].path).read_bytes()
    header, _, _ = parts(token.decode())
    assert header["kid"] == RSA_VM and header["jwk"] == RSA.public_jwk  # the jwk header stays
    result = check(token, did_documents={WEB: WEB_DOC})
    assert result.verdict == VALID, result.checks
    reason = next(c.reason for c in result.checks if c.id == "issuer-key")
    assert reason == f"{RSA_VM} is an assertionMethod in the DID document of {WEB} (supplied)"  # by the kid, not the jwk header


@pytest.mark.parametrize(("document", "message"), [
    (did.did_web_document(WEB, [ED.public_key]), f"{RSA_VM} is not listed in the DID document of {WEB}"),  # init's did.json
    (did.did_web_document(WEB, [ED.public_key, OTHER_RSA.public_jwk]), f"{RSA_VM} is not listed"),
    ({**WEB_DOC, "verificationMethod": [WEB_DOC["verificationMethod"][0], {**WEB_DOC["verificationMethod"][1], "publicKeyJwk": OTHER_RSA.public_jwk}]},
     f"{RSA_VM} in the DID document of {WEB} is another key than the RSA key {jwt.jwk_thumbprint_uri(RSA.public_jwk)}"),
], ids=["ed25519-only", "another-rsa-key", "another-key-under-its-id"])  # (the RSA keys are random: stable ids for xdist)
def test_bulk_rs256_refuses_an_rsa_key_the_did_document_does_not_list(tmp_path: Path, document: dict[str, Any], message: str) -> None:
    with pytest.raises(KeyFileError, match=re.escape(message)):
        _issue(tmp_path, RSA, WEB, vm=f"{WEB}#key-1", document=document)
    assert not (tmp_path / "out").exists()
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        assert list(ledger.issuances()) == []  # nothing reserved: the right key issues everything later


def test_rs256_kid_missing_from_the_did_document_is_invalid_with_a_reason() -> None:
    token = jwt.sign_vc_jwt(credential(WEB), RSA, kid=RSA_VM)
    ed_only = did.did_web_document(WEB, [ED.public_key])  # a did.json from before the RSA key was added
    result = check(token, did_documents={WEB: ed_only}, trust=trust_for(RSA, WEB))
    assert result.verdict == INVALID  # the issuer's own document wins over the jwk header
    assert failed(result)["issuer-key"] == (f"JWS key: kid {RSA_VM} is not listed in the DID document of {WEB}: the "
                                            "document supplied does not publish the signing key (an outdated did.json?)")
    # Without any document the key is not confirmed: indeterminate, never valid.
    assert check(token).verdict == INDETERMINATE


def test_rs256_kid_naming_the_ed25519_method_is_refused() -> None:
    """The defect: an RS256 token whose kid is the issuer's Ed25519 #key-1 (what badgekit wrote
    before); following the kid finds the wrong key, so the token is refused, with why."""
    token = jwt.sign_vc_jwt(credential(WEB), RSA, kid=f"{WEB}#key-1")
    result = check(token, did_documents={WEB: WEB_DOC}, trust=trust_for(RSA, WEB))
    assert result.verdict == INVALID
    reason = failed(result)["issuer-key"]
    assert f"kid {WEB}#key-1 names an Ed25519 key (Multikey)" in reason and "the JWS is RS256" in reason
    assert "JsonWebKey" in reason


def test_rs256_kid_resolves_from_a_cached_did_document(tmp_path: Path) -> None:
    from badgekit import cache

    token = jwt.sign_vc_jwt(credential(WEB), RSA, kid=RSA_VM)
    doc_file = tmp_path / "did.json"
    doc_file.write_text(json.dumps(WEB_DOC), encoding="utf-8")
    cache.add(doc_file, root=tmp_path / "cache")
    cached = cache.load(root=tmp_path / "cache")
    result = check(token, did_documents=cached.did_documents, provenance=cached.provenance())
    assert result.verdict == VALID, result.checks
    assert "(cached " in next(c.reason for c in result.checks if c.id == "issuer-key")


# ---------------------------------------------------------------------------------------------
# CLI: init → badge new → issue --format jwt --bake → verify


def run(*args: Any, ok: int | None = 0) -> Any:
    from badgekit.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output, result.output
    if ok is not None:
        assert result.exit_code == ok, (result.exit_code, result.stdout, result.stderr)
    return result


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = course_project(tmp_path / "proj", monkeypatch)
    (root / "roster.csv").write_text("email,completed_on\nada@example.org,2026-01-10\nbob@example.org,2026-01-11\n", encoding="utf-8")
    return root


def test_cli_issue_jwt_bake_and_verify(project: Path) -> None:
    result = run("issue", "--badge", "y", "roster.csv", "--format", "jwt", "--bake", "png,svg", "--workers", "1", "--json")
    rows = json.loads(result.stdout)["rows"]
    assert [r["status"] for r in rows] == ["issued", "issued"]
    for row in rows:
        jws = Path(row["path"]).read_text(encoding="ascii")
        assert row["path"].endswith(".jwt") and jwt.looks_like_jws(jws) and "\n" not in jws
        for fmt in ("png", "svg"):
            image = Path(row["path"]).with_suffix("." + fmt).read_bytes()
            extracted = baking.extract(image, source=fmt)
            assert extracted.is_jwt and extracted.payload == jws  # PNG iTXt text / SVG verify attribute
        svg = Path(row["path"]).with_suffix(".svg").read_text(encoding="utf-8")
        assert f'verify="{jws}"' in svg
    run("status", "publish")
    result = run("verify", "out", "--status-list", "out/status", "--json")
    reports = json.loads(result.stdout)
    assert len(reports) == 6 and {r["verdict"] for r in reports} == {VALID}, result.stdout
    again = run("issue", "--badge", "y", "roster.csv", "--format", "jwt", "--workers", "1")
    assert "2 already issued" in again.stdout


def test_cli_rsa_key_generate_show_issue_verify(project: Path) -> None:
    result = run("key", "generate", "rsa.pem", "--type", "rsa")
    thumbprint = result.stdout.strip()
    assert thumbprint.startswith(jwt.JWK_THUMBPRINT_URN)
    assert os.stat("rsa.pem").st_mode & 0o777 == 0o600
    run("key", "generate", "rsa.pem", "--type", "rsa", ok=2)  # never overwritten
    shown = run("key", "show", "rsa.pem", "--json")
    info = json.loads(shown.stdout)
    assert info["type"] == "rsa" and info["bits"] == 3072 and info["jwkThumbprintUri"] == thumbprint
    assert set(info["jwk"]) == {"kty", "n", "e"} and jwt.jwk_thumbprint_uri(info["jwk"]) == thumbprint
    assert "PRIVATE" not in shown.output and '"d"' not in shown.output
    assert thumbprint in run("key", "show", "rsa.pem").stdout
    run("key", "generate", "x.pem", "--type", "dsa", ok=2)
    # The project's issuer is the Ed25519 did:key: the RSA key cannot sign for it, in any format.
    refused = run("issue", "--badge", "y", "roster.csv", "--key", "rsa.pem", ok=2)
    assert "RSA key signs only VC-JWT" in refused.stderr and "--format jwt" in refused.stderr
    refused = run("issue", "--badge", "y", "roster.csv", "--key", "rsa.pem", "--format", "jwt", ok=2)
    assert "is a did:key" in refused.stderr
    # An RS256 issuer: an https id, a verification method (the kid), the RSA key; no status lists
    # (they are Data Integrity, Ed25519-signed).
    toml = Path("badgekit.toml").read_text(encoding="utf-8")
    toml = re.sub(r'(?m)^id = "did:key:[^"]+"$', f'id = "{HTTPS_ISSUER}"\nverification_method = "{KID}"', toml)
    toml = re.sub(r'(?m)^key_path = .*$', 'key_path = "rsa.pem"', toml)
    toml = re.sub(r"(?m)^status_base_url = .*$", "", toml)
    Path("badgekit.toml").write_text(toml, encoding="utf-8")
    # It hosts its profile at its id, listing the RSA key (what badgekit checks before signing).
    Path("did.json").write_text(json.dumps(did.did_web_document(HTTPS_ISSUER, [info["jwk"]])), encoding="utf-8")
    refused = run("issue", "--badge", "y", "roster.csv", "--format", "jwt", "--workers", "1", ok=2)
    assert "could never be revoked" in refused.stderr and "--no-revocation" in refused.stderr
    issued = run("issue", "--badge", "y", "roster.csv", "--format", "jwt", "--bake", "png", "--workers", "1", "--no-revocation")
    assert "2 issued" in issued.stdout and "; not revocable (no status entry)" in issued.stdout
    Path("trust.json").write_text(json.dumps({"issuers": [{"id": HTTPS_ISSUER, "keys": [thumbprint]}]}), encoding="utf-8")
    result = run("verify", "out", "--trust", "trust.json")
    assert "4 valid, 0 invalid" in result.output
    run("verify", "out", ok=3)  # offline and untrusted: indeterminate, never valid

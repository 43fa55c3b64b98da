"""badgekit.verify: the 1EdTech fixtures' verdicts, key ownership, proof sets, dates, status, trust,
report shape, bounds against hostile input. The invalid-file matrix is tests/cli/test_verify_invalid.py."""

from __future__ import annotations

import copy
import dataclasses
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badgekit import did, jsonld, proof, status
from badgekit.errors import ExitCode, InputError
from badgekit.keys import Ed25519Key
from badgekit.verify import (
    CHECKS,
    NO_BADGE,
    TrustList,
    VerificationReport,
    VerifyOptions,
    canonize_bounded,
    expand_paths,
    load_did_documents,
    parse_timestamp,
    verify_bytes,
    verify_credential,
    verify_path,
    verify_paths,
    worst_exit_code,
)
from tests.conftest import FIXED_NOW, TEST_SEED, VECTORS

OB = VECTORS / "1edtech-validator-ob30"
TRUST = TrustList.load(VECTORS / "1edtech-trust.json")
AT = parse_timestamp(FIXED_NOW)
PLAIN = VerifyOptions(at=AT)
TRUSTED = VerifyOptions(at=AT, trust=TRUST)
BSL_URL = json.loads((OB / "bit-string-list/credential-status-revoked.json").read_text())["credentialStatus"]["statusListCredential"]
BSL_LIST = json.loads((OB / "bit-string-list/testlist").read_text())

# Verdict of every 1EdTech fixture, without a trust list and with tests/vectors/1edtech-trust.json.
# Offline, a key named only by a verification-method fragment (https://issuer#z6Mk...) or a JWS
# "jwk" header cannot be tied to its issuer: indeterminate until the trust list vouches for it.
VERDICTS = {
    # fixture: (no trust list, with trust list, why)
    "simple.json": ("indeterminate", "valid", "fragment key"),
    "simple-multiple-proofs.json": ("indeterminate", "valid", "unknown proof type ignored, one eddsa proof"),
    "simple-did-key-method.json": ("indeterminate", "valid", "did:key signer, urn:uuid issuer"),
    "simple-did-web-method.json": ("indeterminate", "valid", "fragment key, single proof object"),
    "simple-eddsa-2022.json": ("indeterminate", "valid", "legacy cryptosuite name, VC 1.1"),
    "simple_v1.json": ("indeterminate", "valid", "legacy Ed25519Signature2020, VC 1.1"),
    "endorsement-valid.json": ("indeterminate", "valid", "EndorsementCredential"),
    "simple-json.png": ("indeterminate", "valid", "baked PNG, embedded proof"),
    "simple-json.svg": ("indeterminate", "valid", "baked SVG, embedded proof"),
    "simple-jwt.png": ("indeterminate", "valid", "baked PNG, RS256 VC-JWT with jwk header"),
    "simple-jwt.svg": ("indeterminate", "valid", "baked SVG, RS256 VC-JWT with jwk header"),
    "simple-err-expired.json": ("invalid", "invalid", "validUntil 2010"),
    "simple-err-proof-value.json": ("invalid", "invalid", "altered proofValue"),
    "simple-noproof.json": ("invalid", "invalid", "no proof, no achievement"),
    "complete_v1.json": ("invalid", "invalid", "expired 2020, VC 1.1 terms not in the OB context"),
    # Its five embedded endorsements are placeholders (cryptosuite "eddsa-rdf-2022", proofValue =
    # the key, expired 2020, 1EdTechCredentialRefresh without the extensions context): check 11.
    "complete.json": ("invalid", "invalid", "broken embedded endorsements"),
    # Cannot be decided offline whatever the trust list says: 1EdTechRevocationList must be fetched.
    "credential-status-revoked.json": ("indeterminate", "indeterminate", "1EdTechRevocationList status"),
    # A 2022 draft: no achievement (schema), a draft context URL nobody bundles, and no key at all
    # in the header (no jwk, no kid), so its RS256 signature cannot even be checked.
    "simple.jwt": ("invalid", "invalid", "draft VC-JWT"),
}


def test_every_fixture_has_an_expected_verdict():
    assert {p.name for p in OB.iterdir() if p.is_file()} == set(VERDICTS)


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_1edtech_fixture_verdicts(name: str):
    plain, trusted, why = VERDICTS[name]
    assert verify_path(OB / name, PLAIN).verdict == plain, why
    report = verify_path(OB / name, TRUSTED)
    assert report.verdict == trusted, (why, [c for c in report.checks if c.status != "passed"])
    if trusted == "valid":
        assert report.exit_code == ExitCode.OK and bool(report)
        assert report.check("trust").status == "passed"


def test_indeterminate_without_trust_names_what_is_missing():
    report = verify_path(OB / "simple.json", PLAIN)
    key = report.check("issuer-key")
    assert key.status == "indeterminate"
    assert "--trust" in key.reason and "--did-doc" in key.reason
    assert report.check("signature").status == "passed"  # the signature itself is fine
    assert report.exit_code == ExitCode.INDETERMINATE


def test_fixture_failures_name_the_right_check():
    assert verify_path(OB / "simple-err-expired.json", TRUSTED).check("validity").status == "failed"
    assert verify_path(OB / "simple-err-proof-value.json", TRUSTED).check("signature").status == "failed"
    noproof = verify_path(OB / "simple-noproof.json", TRUSTED)
    assert noproof.check("proof-structure").status == "failed"
    assert noproof.check("signature").status == "skipped"
    jwt_report = verify_path(OB / "simple.jwt", TRUSTED)
    assert jwt_report.check("signature").status == "indeterminate"
    assert "neither a jwk nor a kid" in jwt_report.check("issuer-key").reason
    for name in ("complete.json", "credential-status-revoked.json"):
        s = verify_path(OB / name, TRUSTED).check("status")
        assert s.status == "indeterminate" and "never fetches" in s.reason


def test_bitstring_status_list_fixture_is_refused_for_a_url_it_does_not_name():
    path = OB / "bit-string-list/credential-status-revoked.json"
    assert verify_path(path, TRUSTED).verdict == "indeterminate"  # list not supplied
    # The fixture's list says it is https://example.com/credentials/status/3, not BSL_URL.
    report = verify_path(path, dataclasses.replace(TRUSTED, status_lists={BSL_URL: BSL_LIST}))
    assert report.verdict == "invalid"
    assert [c.id for c in report.failed] == ["status"]
    assert "is the status list 'https://example.com/credentials/status/3' (its id)" in report.check("status").reason
    assert verify_path(OB / "bit-string-list/testlist", TRUSTED).check("contexts").status == "failed"  # a list, not a badge


def test_implementation_guide_vector_is_valid_with_trust():
    path = VECTORS / "1edtech-ob3-ldp/credential.signed.json"
    assert verify_path(path, PLAIN).verdict == "indeterminate"
    assert verify_path(path, TRUSTED).verdict == "valid"


def test_summary_of_a_baked_badge():
    s = verify_path(OB / "simple-json.png", TRUSTED).summary
    assert s["format"] == "png" and s["securing"] == "embedded-proof"
    assert s["issuerId"] == "https://example.com/issuers/876543" and s["issuerName"] == "Example Corp"
    assert s["achievementName"] == "Teamwork" and s["validFrom"] == "2010-01-01T00:00:00Z"
    assert s["recipient"] == "id (did:example)"
    jwt_summary = verify_path(OB / "simple-jwt.svg", TRUSTED).summary
    assert jwt_summary["format"] == "svg" and jwt_summary["securing"] == "vc-jwt"
    complete = verify_path(OB / "complete.json", TRUSTED).summary
    assert complete["recipient"] == "emailAddress (plaintext) (+1 more)"
    assert "refreshService (needs the network)" in complete["notChecked"]


# ---------------------------------------------------------------------------------------------
# own credentials: did:key, did:web, proof sets


KEY = Ed25519Key.from_seed(TEST_SEED)
OTHER = Ed25519Key.from_seed(bytes(range(32)))


def credential(issuer: str | None = None, **extra) -> dict:
    cred = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:9f0b1d2e-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer or KEY.did_key, "type": ["Profile"], "name": "Test Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Test",
                "description": "A test badge.",
                "criteria": {"narrative": "Pass the test."},
            },
        },
    }
    cred.update(extra)
    return cred


def signed(cred: dict, key: Ed25519Key = KEY, vm: str | None = None, **kw) -> dict:
    return proof.add_proof(cred, key.signer(vm), created="2025-01-01T00:00:00Z", **kw)


def check_statuses(report: VerificationReport) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def test_did_key_credential_is_valid_offline_without_anything():
    report = verify_credential(signed(credential()), options=PLAIN)
    assert report.verdict == "valid", report.checks
    assert report.check("issuer-key").reason.startswith("did:key")
    assert report.check("trust").status == "skipped"


def test_did_web_issuer_needs_its_did_document():
    web = "did:web:example.edu:issuers:test"
    doc = did.did_web_document(web, [KEY.public_key])
    cred = signed(credential(web), vm=f"{web}#key-1")
    report = verify_credential(cred, options=PLAIN)
    assert report.verdict == "indeterminate"
    assert "supply its DID document with --did-doc" in report.check("issuer-key").reason
    assert report.check("signature").status == "indeterminate"
    ok = verify_credential(cred, options=VerifyOptions(at=AT, did_documents={web: doc}))
    assert ok.verdict == "valid", ok.checks
    # A document that does not list the key as assertionMethod: failed, not indeterminate.
    no_assert = {k: v for k, v in doc.items() if k != "assertionMethod"}
    bad = verify_credential(cred, options=VerifyOptions(at=AT, did_documents={web: no_assert}))
    assert bad.check("issuer-key").status == "failed"
    # A key from someone else's document.
    other = "did:web:attacker.example"
    forged = signed(credential(web), vm=f"{other}#key-1")
    report = verify_credential(forged, options=VerifyOptions(at=AT, did_documents={
        web: doc, other: did.did_web_document(other, [KEY.public_key])}))
    assert report.check("issuer-key").status == "failed"
    assert "not by the issuer" in report.check("issuer-key").reason


def test_https_issuer_with_profile_document(tmp_path):
    issuer = "https://example.edu/issuers/1"
    profile = {
        "@context": [did.DID_CONTEXT, did.MULTIKEY_CONTEXT],
        "id": issuer,
        "type": ["Profile"],
        "verificationMethod": [{"id": f"{issuer}#key-1", "type": "Multikey", "controller": issuer,
                                "publicKeyMultibase": KEY.public_key_multibase}],
        "assertionMethod": [f"{issuer}#key-1"],
    }
    path = tmp_path / "issuer.json"
    path.write_text(json.dumps(profile))
    docs = load_did_documents([path])
    cred = signed(credential(issuer), vm=f"{issuer}#key-1")
    assert verify_credential(cred, options=VerifyOptions(at=AT, did_documents=docs)).verdict == "valid"


def test_did_key_signer_for_a_did_web_issuer_listed_in_its_document():
    web = "did:web:example.edu"
    doc = did.did_web_document(web, [OTHER.public_key])
    doc["assertionMethod"].append(did.did_key_verification_method(KEY.public_key))
    cred = signed(credential(web))
    report = verify_credential(cred, options=VerifyOptions(at=AT, did_documents={web: doc}))
    assert report.check("issuer-key").status == "passed"
    unlisted = verify_credential(cred, options=VerifyOptions(at=AT, did_documents={web: did.did_web_document(web, [OTHER.public_key])}))
    assert unlisted.check("issuer-key").status == "failed"


def test_proof_sets():
    base = credential()
    two = signed(signed(base), OTHER, vm=did.did_key_verification_method(OTHER.public_key))
    report = verify_credential(two, options=PLAIN)
    # Both proofs verify; the second key is not the issuer's: an extra signature (VC Data
    # Integrity proof set), reported, while the issuer's own proof makes the credential valid.
    assert report.verdict == "valid", report.checks
    assert "proof 2: an extra signature, not the issuer's (signed by did:key:" in report.check("issuer-key").reason
    assert report.check("signature").reason.endswith("signature verified (an extra signature)")
    assert "a proof set of 2" in report.check("proof-structure").reason
    good_twice = signed(signed(base))
    assert verify_credential(good_twice, options=PLAIN).verdict == "valid"
    broken = copy.deepcopy(good_twice)
    broken["proof"][1]["proofValue"] = good_twice["proof"][1]["proofValue"][:-3] + "abc"
    report = verify_credential(broken, options=PLAIN)
    assert report.check("signature").status == "failed" and report.check("signature").reason.startswith("proof 2")
    unknown = copy.deepcopy(good_twice)
    unknown["proof"].append({"type": "BbsBlsSignature2020", "proofPurpose": "assertionMethod"})
    report = verify_credential(unknown, options=PLAIN)
    assert report.verdict == "valid" and "ignored 1 proof(s) of unknown type" in report.check("proof-structure").reason
    too_many = copy.deepcopy(good_twice)
    too_many["proof"] = too_many["proof"] * 5
    assert verify_credential(too_many, options=PLAIN).check("proof-structure").status == "failed"


def test_trust_list_pins_keys():
    cred = signed(credential())
    listed = TrustList.from_json({"issuers": [{"id": KEY.did_key, "keys": [KEY.did_key]}]})
    assert verify_credential(cred, options=VerifyOptions(at=AT, trust=listed)).check("trust").status == "passed"
    pinned_other = TrustList.from_json({"issuers": [{"id": KEY.did_key, "keys": [OTHER.public_key_multibase]}]})
    report = verify_credential(cred, options=VerifyOptions(at=AT, trust=pinned_other))
    assert report.check("trust").status == "failed" and "does not name" in report.check("trust").reason


def test_trust_list_format_errors(tmp_path):
    for bad in ({}, {"issuers": {}}, {"issuers": [{"name": "x"}]}, {"issuers": [{"id": "x", "keys": "z6Mk"}]},
                {"issuers": [{"id": "x", "keys": ["not-a-key"]}]}, {"issuers": [{"id": "x", "keys": [{"kty": "oct", "k": "AA"}]}]}):
        with pytest.raises(InputError):
            TrustList.from_json(bad)
    with pytest.raises(InputError):
        TrustList.load(tmp_path / "missing.json")
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    t = TrustList.from_json({"issuers": [{"id": "did:x", "keys": [jwk]}]})
    assert len(t.find("did:x").keys) == 3  # thumbprint URN, z6Mk..., did:key:z6Mk...


# ---------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ({}, "passed"),
        ({"validUntil": "2026-01-15T11:59:59Z"}, "failed"),
        ({"validUntil": "2026-01-15T12:00:00Z"}, "passed"),  # inclusive
        ({"validFrom": "2026-01-15T12:00:01Z"}, "failed"),
        ({"validFrom": "2026-01-15T13:00:00+02:00"}, "passed"),  # 11:00Z
        ({"validFrom": "2026-01-15T12:00:00"}, "failed"),  # no time zone
        ({"validFrom": "2026-01-15T12:00:00z"}, "failed"),  # XSD dateTimeStamp: "Z" upper case only
        ({"validFrom": "2026-01-15T00:00:00+14:00"}, "passed"),  # 2026-01-14T10:00Z: the XSD bound
        ({"validFrom": "2026-01-15T00:00:00+14:30"}, "failed"),  # beyond ±14:00 (was taken as 09:30Z)
        ({"validUntil": "2027-01-15T24:00:00Z"}, "failed"),
        ({"validFrom": "2026-01-15"}, "failed"),
        ({"validFrom": 1736899200}, "failed"),
    ],
)
def test_validity_period(extra, status):
    report = verify_credential(signed(credential(**extra)), options=PLAIN)
    assert report.check("validity").status == status, report.check("validity")


def test_at_overrides_now_and_vc11_dates():
    cred = signed(credential(validUntil="2030-01-01T00:00:00Z"))
    assert verify_credential(cred, options=VerifyOptions(at=parse_timestamp("2031-01-01T00:00:00Z"))).verdict == "invalid"
    assert verify_credential(cred, options=VerifyOptions(at=parse_timestamp("2029-01-01T00:00:00Z"))).verdict == "valid"
    # VC 1.1: issanceDate / expirationDate (simple_v1.json, issued 2010).
    v1 = verify_path(OB / "simple_v1.json", dataclasses.replace(TRUSTED, at=parse_timestamp("2009-12-31T23:59:59Z")))
    assert v1.check("validity").status == "failed" and "issuanceDate" in v1.check("validity").reason


@pytest.mark.parametrize("text", ["2026-01-15", "2026-01-15T12:00:00", "yesterday", "2026-13-01T00:00:00Z", ""])
def test_parse_timestamp_is_strict(text):
    with pytest.raises(InputError):
        parse_timestamp(text)


def test_parse_timestamp_names_the_field():
    with pytest.raises(InputError, match=r"^--at '2026-01-15T12:00:00' is not a date-time with a time zone: no time zone"):
        parse_timestamp("2026-01-15T12:00:00", field="--at")


def test_validity_failure_says_why():
    report = verify_credential(signed(credential(validFrom="2026-01-15T12:00:00+15:00")), options=PLAIN)
    assert report.check("validity").reason == (
        "validFrom '2026-01-15T12:00:00+15:00' is not a date-time with a time zone: the offset +15:00 is not within ±14:00")


def test_parse_timestamp_normalises_to_utc():
    assert parse_timestamp("2026-01-15T14:00:00+02:00") == datetime(2026, 1, 15, 12, tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# status


def _list(purpose: str, index: int | None, key: Ed25519Key = KEY) -> tuple[str, dict]:
    url = f"https://example.edu/status/{purpose}"
    bits = status.Bitstring()
    if index is not None:
        bits.set(index)
    lst = status.list_credential(url, purpose, bits, issuer=key.did_key, valid_from="2025-01-01T00:00:00Z")
    return url, status.sign_list_credential(lst, key.signer(), created="2025-01-01T00:00:00Z")


def test_status_outcomes():
    url, lst = _list("revocation", 7)
    cred = signed(credential(credentialStatus=status.status_entry(url, 8, "revocation")))
    assert verify_credential(cred, options=PLAIN).check("status").status == "indeterminate"
    ok = verify_credential(cred, options=VerifyOptions(at=AT, status_lists={url: lst}))
    assert ok.check("status").status == "passed" and ok.verdict == "valid"
    revoked = signed(credential(credentialStatus=status.status_entry(url, 7, "revocation")))
    assert verify_credential(revoked, options=VerifyOptions(at=AT, status_lists={url: lst})).check("status").status == "failed"
    # A list signed by someone else is not believed.
    _, forged = _list("revocation", None, OTHER)
    report = verify_credential(cred, options=VerifyOptions(at=AT, status_lists={url: forged}))
    assert report.check("status").status == "failed"


# ---------------------------------------------------------------------------------------------
# contexts and canonicalisation bounds


def test_embedded_credentials_may_use_bundled_contexts_only():
    endorsement = {"@context": [jsonld.VC_V2, jsonld.OB_V3], "id": "urn:uuid:1", "type": ["VerifiableCredential", "EndorsementCredential"]}
    cred = credential(endorsement=[endorsement])
    report = verify_credential(signed(cred), options=PLAIN)
    assert report.check("contexts").status == "passed", report.check("contexts")
    bad = copy.deepcopy(cred)
    bad["endorsement"][0]["@context"].append("https://attacker.example/ctx")
    assert verify_credential(bad, options=PLAIN).check("contexts").status == "failed"


def test_first_contexts_must_be_vc_then_ob():
    swapped = signed(credential())
    swapped["@context"] = list(reversed(swapped["@context"]))
    assert "@context[0]" in verify_credential(swapped, options=PLAIN).check("contexts").reason
    only_vc = credential()
    only_vc["@context"] = [jsonld.VC_V2]
    assert "@context[1]" in verify_credential(only_vc, options=PLAIN).check("contexts").reason


def test_canonize_bounded_equals_the_reference_where_it_succeeds():
    for name in ("complete.json", "simple.json", "simple_v1.json", "endorsement-valid.json"):
        doc = json.loads((OB / name).read_text())
        doc.pop("proof")
        assert canonize_bounded(doc) == jsonld.canonize_reference(doc)
    # Look-alike blank nodes within the limits still canonicalise exactly.
    cred = credential()
    cred["credentialSubject"]["result"] = [{"type": ["Result"], "value": [{"type": ["Result"]} for _ in range(4)]}
                                           for _ in range(2)]
    assert canonize_bounded(cred) == jsonld.canonize_reference(cred)


# ---------------------------------------------------------------------------------------------
# report, inputs, hostile bytes


def test_report_is_frozen_and_serialisable():
    report = verify_path(OB / "simple.json", TRUSTED)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.verdict = "invalid"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.checks[0].status = "failed"  # type: ignore[misc]
    data = json.loads(report.to_json())
    assert [(c["id"], c["number"]) for c in data["checks"]] == list(CHECKS)
    assert data["verdict"] == "valid" and data["exitCode"] == 0 and data["source"].endswith("simple.json")


def test_worst_exit_code():
    valid = verify_path(OB / "simple.json", TRUSTED)
    indet = verify_path(OB / "simple.json", PLAIN)
    invalid = verify_path(OB / "simple-err-expired.json", PLAIN)
    assert worst_exit_code([valid]) == ExitCode.OK
    assert worst_exit_code([valid, indet]) == ExitCode.INDETERMINATE
    assert worst_exit_code([indet, invalid, valid]) == ExitCode.FAILED


def test_unreadable_and_oversized_inputs(tmp_path):
    missing = verify_path(tmp_path / "nope.json")
    assert missing.check("parse").status == "failed" and missing.verdict == "invalid"
    assert verify_path(tmp_path).check("parse").status == "failed"  # a directory
    big = tmp_path / "big.json"
    big.write_bytes(b"{" + b" " * 2000 + b"}")
    report = verify_path(big, VerifyOptions(max_bytes=1000))
    assert report.check("parse").status == "failed" and "larger than" in report.check("parse").reason
    wide = {"@context": [jsonld.VC_V2], "evidence": [[0] * 1000 for _ in range(60)]}
    assert "JSON values" in verify_credential(wide).check("parse").reason


def test_expand_paths(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.PNG").write_bytes(b"x")
    (tmp_path / ".hidden.json").write_text("{}")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text("{}")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.json", "b.PNG"]
    with pytest.raises(InputError):
        expand_paths([tmp_path / "missing"])
    with pytest.raises(InputError):
        expand_paths([tmp_path / "sub" / ".."/ "sub" / "empty"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError):
        expand_paths([tmp_path / "empty"])
    found: set[str] = set()
    assert expand_paths([tmp_path, tmp_path / "a.json", tmp_path / "sub" / "c.json"], found=found)[-1].name == "c.json"
    assert found == {str(tmp_path / "b.PNG")}  # found in a folder and not also named


def test_only_an_image_with_nothing_baked_in_is_skipped_and_only_when_found():
    """Of the hostile and damaged images, only those with no credential at all are skipped, and
    only when found in a folder; every other one is invalid either way."""
    images = expand_paths([Path(__file__).parent.parent / "invalid" / "images"])
    found = {Path(r.source).name: r for r in verify_paths(images, PLAIN, found=set(map(str, images)))}
    skipped = {name for name, r in found.items() if r.verdict == "skipped"}
    assert skipped == {"png-no-credential.png", "svg-no-credential.svg"}
    assert {r.verdict for name, r in found.items() if name not in skipped} == {"invalid"}
    report = found["png-no-credential.png"]
    assert report.exit_code == ExitCode.OK and not report and report.summary["format"] == "png"
    assert [c.status for c in report.checks] == ["skipped"] * len(CHECKS) and report.checks[1].reason == NO_BADGE
    assert json.loads(report.to_json_line()) == report.to_dict()
    named = {Path(r.source).name: r.verdict for r in verify_paths(images, PLAIN)}
    assert set(named.values()) == {"invalid"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes):
    report = verify_bytes(data, options=PLAIN)
    assert report.verdict in ("invalid", "indeterminate")
    assert [c.id for c in report.checks] == [cid for cid, _ in CHECKS]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["@context", "type", "issuer", "proof", "credentialSubject", "validFrom",
                                         "validUntil", "credentialStatus", "id", "name"]), _json_values, max_size=8))
def test_random_credential_shapes_never_crash(fields: dict):
    base = signed(credential())
    base.update(fields)
    report = verify_credential(base, options=PLAIN)
    assert report.verdict in ("valid", "invalid", "indeterminate")
    assert all(c.reason for c in report.checks)


def test_mutating_a_signed_credential_never_yields_valid():
    good = signed(credential())
    assert verify_credential(good, options=PLAIN).verdict == "valid"
    for path, value in [(("name",), "x"), (("validFrom",), "2025-01-01T00:00:01Z"),
                        (("credentialSubject", "id"), "did:example:mallory"),
                        (("issuer", "name"), "Other"), (("proof", 0, "created"), "2025-01-01T00:00:01Z")]:
        bad = copy.deepcopy(good)
        target = bad
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        assert verify_credential(bad, options=PLAIN).verdict == "invalid", path


def test_library_verify_imports_nothing_heavy_up_front():
    code = (
        "import sys\n"
        "import badgekit.verify, badgekit.jwt\n"
        "heavy = [m for m in ('pyld', 'jsonschema', 'jsonschema_rs', 'rich', 'typer', 'lxml', 'defusedxml', 'requests')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])

"""badgekit.verify check 11 (``endorsements``): embedded EndorsementCredentials and
endorsementJwt values on the credential, its issuer, its achievement and the achievement's
creator, each verified like a credential (checks 1-8), one level deep, bounded. The invalid files
(``tests/invalid/endorsements--*.json``) run through the CLI matrix; fixtures come from
``tests/invalid/make_invalid.py`` (fixed keys: the issuer, and OTHER as the endorser)."""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from badgekit import did, status
from badgekit.verify import (
    ENDORSEMENT_CHECKS,
    MAX_ENDORSEMENTS,
    VerifyOptions,
    find_endorsements,
    parse_timestamp,
    verify_credential,
    verify_path,
)
from tests.conftest import FIXED_NOW, VECTORS
from tests.invalid import make_invalid as MI

AT = parse_timestamp(FIXED_NOW)
PLAIN = VerifyOptions(at=AT)


def with_endorsements(*endorsements: dict[str, Any], where: str = "achievement", jwts: tuple[str, ...] = (),
                      bounded: bool = True) -> dict:
    """The fixture base credential carrying ``endorsements`` at ``where``, signed by the issuer
    (``bounded=False``: even beyond what badgekit signs, as another signer would)."""
    cred = MI.base_credential()
    host = {"credential": cred, "issuer": cred["issuer"], "achievement": cred["credentialSubject"]["achievement"]}[where]
    if endorsements:
        host["endorsement"] = list(endorsements)
    if jwts:
        host["endorsementJwt"] = list(jwts)
    return MI.sign(cred) if bounded else MI._sign_with(cred)


def good(n: int = 1, subject_id: str = MI.ACHIEVEMENT_ID, **extra: Any) -> dict:
    return MI.sign(MI.endorsement(subject_id, n=n, **extra), MI.OTHER)


def statuses(report) -> dict[str, str]:
    return {c.id: c.status for c in report.checks}


def test_valid_endorsements_in_every_place():
    report = verify_credential(MI.valid_endorsed(), options=PLAIN)
    assert report.verdict == "valid", report.checks
    check = report.check("endorsements")
    assert check.number == 11 and check.status == "passed"
    assert check.reason.startswith("3 endorsement(s) verified")
    for path in ("$.endorsementJwt[0]", "$.issuer.endorsement[0]", "$.credentialSubject.achievement.endorsement[0]"):
        assert path in check.reason
    assert "Example Accrediting Agency" in check.reason and "warning" not in check.reason
    assert "embedded endorsements" not in report.summary["notChecked"]


def test_no_endorsements_is_skipped():
    check = verify_credential(MI.sign(MI.base_credential()), options=PLAIN).check("endorsements")
    assert check.status == "skipped" and "no embedded endorsements" in check.reason


def test_a_broken_endorsement_makes_the_credential_invalid_and_names_it():
    tampered = good()
    tampered["credentialSubject"]["endorsementComment"] = "Forged praise."
    cred = with_endorsements(good(1), tampered, where="achievement")
    report = verify_credential(cred, options=PLAIN)
    assert report.verdict == "invalid" and [c.id for c in report.failed] == ["endorsements"]
    reason = report.check("endorsements").reason
    assert reason.startswith("1 of 2 endorsements invalid: $.credentialSubject.achievement.endorsement[1] by "
                             "Example Accrediting Agency (did:key:")
    assert "signature:" in reason and "endorsement[0]" not in reason
    # The credential's own checks are untouched: its signature covers the endorsement as data.
    assert statuses(report)["signature"] == "passed"


def test_each_endorsement_check_can_fail_it():
    cases = {
        "issuer-key": MI.sign(MI.endorsement(MI.ACHIEVEMENT_ID), MI.UNTRUSTED),
        "validity": good(validUntil="2025-06-30T00:00:00Z"),
        "schema": MI.sign({k: v for k, v in MI.endorsement(MI.ACHIEVEMENT_ID).items() if k != "name"}, MI.OTHER),
        "proof-structure": MI.endorsement(MI.ACHIEVEMENT_ID),  # unsigned
    }
    for check_id, endorsement in cases.items():
        reason = verify_credential(with_endorsements(endorsement), options=PLAIN).check("endorsements").reason
        assert f": {check_id}: " in reason, (check_id, reason)
    # A term no context defines, signed by a careless endorser (JSON-LD would silently drop it).
    careless = MI.endorsement(MI.ACHIEVEMENT_ID)
    careless["credentialSubject"]["stars"] = 5
    careless = MI.sign(careless, MI.OTHER, canonize=MI._lenient_canonize)
    cred = MI.base_credential()
    cred["credentialSubject"]["achievement"]["endorsement"] = [careless]
    report = verify_credential(MI.sign(cred, canonize=MI._lenient_canonize), options=PLAIN)
    assert ": contexts: " in report.check("endorsements").reason


def test_endorsement_jwt_good_and_bad():
    e = MI.endorsement(MI.ACHIEVEMENT_ID)
    token = MI.jwt_token(MI.eddsa_header(MI.OTHER), MI.jwt_payload(e), MI.OTHER)
    ok = verify_credential(with_endorsements(where="credential", jwts=(token,)), options=PLAIN)
    assert ok.check("endorsements").status == "passed", ok.check("endorsements")
    h, p, s = token.split(".")
    bad_sig = f"{h}.{p}.{s[:-4]}AAAA"
    report = verify_credential(with_endorsements(where="credential", jwts=(token, bad_sig)), options=PLAIN)
    assert report.check("endorsements").status == "failed"
    assert "$.endorsementJwt[1]" in report.check("endorsements").reason
    not_jws = verify_credential(with_endorsements(where="credential", jwts=("not a token",)), options=PLAIN)
    assert "is not a compact JWS string" in not_jws.check("endorsements").reason


def test_did_web_endorser_without_its_document_is_indeterminate():
    web = "did:web:accreditor.example"
    e = MI.endorsement(MI.ACHIEVEMENT_ID)
    e["issuer"]["id"] = web
    signed = MI.sign(e, MI.OTHER, vm=f"{web}#key-1")
    cred = with_endorsements(signed)
    report = verify_credential(cred, options=PLAIN)
    assert report.verdict == "indeterminate"
    check = report.check("endorsements")
    assert check.status == "indeterminate" and "cannot be decided offline" in check.reason
    assert "--did-doc" in check.reason and web in check.reason
    docs = {web: did.did_web_document(web, [MI.OTHER.public_key])}
    assert verify_credential(cred, options=VerifyOptions(at=AT, did_documents=docs)).verdict == "valid"
    # Invalid beats indeterminate.
    both = with_endorsements(signed, good(validUntil="2025-06-30T00:00:00Z"))
    assert verify_credential(both, options=PLAIN).check("endorsements").status == "failed"


def test_endorsement_status_is_checked_with_the_supplied_lists():
    url = "https://accreditor.example/status/1"
    entry = status.status_entry(url, 9, "revocation")
    cred = with_endorsements(good(credentialStatus=entry))
    unknown = verify_credential(cred, options=PLAIN).check("endorsements")
    assert unknown.status == "indeterminate" and ": status: " in unknown.reason
    bits = status.Bitstring()
    bits.set(9)
    lst = status.sign_list_credential(status.list_credential(url, "revocation", bits, issuer=MI.OTHER.did_key,
                                                             valid_from=MI.VALID_FROM), MI.OTHER.signer(), created=MI.CREATED)
    revoked = verify_credential(cred, options=VerifyOptions(at=AT, status_lists={url: lst})).check("endorsements")
    assert revoked.status == "failed" and "revoked" in revoked.reason


def test_trust_list_and_recipient_are_not_applied_to_endorsements():
    trust = MI.support_files()["trust.json"]
    from badgekit.verify import TrustList

    only_issuer = TrustList.from_json({"issuers": [i for i in json.loads(trust)["issuers"] if i["id"] == MI.ISSUER.did_key]})
    report = verify_credential(MI.valid_endorsed(), options=VerifyOptions(at=AT, trust=only_issuer, recipient=MI.RECIPIENT))
    assert report.verdict == "valid", [c for c in report.checks if c.status != "passed"]
    assert set(ENDORSEMENT_CHECKS) == {"parse", "schema", "contexts", "proof-structure", "issuer-key", "signature",
                                       "validity", "status"}


def test_endorsements_of_endorsements_are_not_followed():
    inner_broken = MI.endorsement(MI.OTHER.did_key, n=9)  # unsigned: would fail if followed
    outer = MI.endorsement(MI.ACHIEVEMENT_ID)
    outer["issuer"]["endorsement"] = [inner_broken]
    cred = with_endorsements(MI.sign(outer, MI.OTHER))
    check = verify_credential(cred, options=PLAIN).check("endorsements")
    assert check.status == "passed", check
    assert "1 endorsement(s) of these endorsements not followed (badgekit verifies one level)" in check.reason
    assert len(find_endorsements(cred)) == 1


def test_endorsement_of_something_else_is_a_warning():
    elsewhere = good(subject_id="https://example.edu/achievements/leadership")
    check = verify_credential(with_endorsements(elsewhere), options=PLAIN).check("endorsements")
    assert check.status == "passed"
    assert "warning:" in check.reason and "endorses https://example.edu/achievements/leadership" in check.reason
    # On the credential itself, an endorsement of the credential, its issuer or its achievement is fine.
    for subject_id in ("urn:uuid:5b0e3d0e-1a2b-4c3d-8e4f-000000000001", MI.ISSUER.did_key, MI.ACHIEVEMENT_ID):
        reason = verify_credential(with_endorsements(good(subject_id=subject_id), where="credential"),
                                   options=PLAIN).check("endorsements").reason
        assert "warning" not in reason, subject_id


def test_bounded_number_of_endorsements():
    many = [good(n) for n in range(MAX_ENDORSEMENTS)]
    start = time.perf_counter()
    report = verify_credential(with_endorsements(*many), options=PLAIN)
    assert report.check("endorsements").status == "passed", report.check("endorsements")
    assert f"{MAX_ENDORSEMENTS} endorsement(s) verified" in report.check("endorsements").reason
    assert time.perf_counter() - start < 10
    too_many = verify_credential(with_endorsements(*many, good(99), bounded=False), options=PLAIN).check("endorsements")
    assert too_many.status == "failed" and f"at most {MAX_ENDORSEMENTS}" in too_many.reason


def test_find_endorsements_paths_and_shapes():
    cred = MI.valid_endorsed()
    cred["credentialSubject"]["achievement"]["creator"] = {"id": "https://example.edu", "type": ["Profile"],
                                                           "endorsement": {"single": "object"}}
    paths = [f.path for f in find_endorsements(cred)]
    assert paths == ["$.endorsementJwt[0]", "$.issuer.endorsement[0]", "$.credentialSubject.achievement.endorsement[0]",
                     "$.credentialSubject.achievement.creator.endorsement"]
    assert find_endorsements({"proof": [{"endorsement": [{}]}]}) == []


def test_hostile_endorsements_fail_cleanly():
    for value in ("a string", 42, None, [1, 2], {"@context": [[[]]]}, {"type": "EndorsementCredential"},
                  {"proof": [{}] * 50}):
        cred = copy.deepcopy(MI.base_credential())
        cred["endorsement"] = [value]
        report = verify_credential(cred, options=PLAIN)  # unsigned and odd: must not crash
        assert report.check("endorsements").status == "failed", value
    huge = "eyJhbGciOiJFZERTQSJ9." + "A" * 100_000 + ".AAAA"
    report = verify_credential(with_endorsements(where="credential", jwts=(huge,)), options=PLAIN)
    assert report.check("endorsements").status == "failed"


def test_an_endorsement_beside_an_issuer_of_the_wrong_type_is_checked_not_a_crash():
    # Found by scripts/fuzz_verify.py: "issuer": [ {...} ] made the endorsement check raise
    # TypeError (unhashable list) instead of deciding the endorsement.
    cred = with_endorsements(good(subject_id="urn:uuid:5b0e3d0e-1a2b-4c3d-8e4f-000000000001"), where="credential")
    for where, value in (("issuer", [cred["issuer"]]), ("achievement id", {"@value": MI.ACHIEVEMENT_ID})):
        broken = copy.deepcopy(cred)
        if where == "issuer":
            broken["issuer"] = value
        else:
            broken["credentialSubject"]["achievement"]["id"] = value
        report = verify_credential(broken, options=PLAIN)
        assert report.check("schema").status == "failed", where
        assert report.check("endorsements").status == "passed", (where, report.check("endorsements"))


def test_1edtech_complete_example_has_placeholder_endorsements():
    report = verify_path(VECTORS / "1edtech-validator-ob30/complete.json", PLAIN)
    assert report.check("endorsements").status == "failed"
    assert [c.id for c in report.failed] == ["endorsements"]
    reason = report.check("endorsements").reason
    assert reason.startswith("5 of 5 endorsements invalid: $.endorsement[0] by Example Accrediting Agency")
    assert "$.credentialSubject.achievement.creator.endorsement[1] by State Department of Education" in reason
    assert "$.issuer.endorsement[0]" in reason
    listed = report.summary["endorsements"]
    assert [e["status"] for e in listed] == ["failed"] * 5 and listed[0]["check"] == "contexts"
    assert listed[0]["issuerId"] == "https://accrediter.edu/issuers/565049"


def test_endorsement_credential_on_its_own_still_verifies():
    """A top-level EndorsementCredential (1EdTech fixture) is verified as before; its own
    endorsements would be check 11 of that run."""
    report = verify_path(VECTORS / "1edtech-validator-ob30/endorsement-valid.json", PLAIN)
    assert report.check("endorsements").status == "skipped"
    assert report.check("schema").reason.startswith("conforms to the OB 3.0 EndorsementCredential")

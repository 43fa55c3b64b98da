"""badgekit.verify check 10 (``recipient``): credentialSubject.id, OB 3.0 IdentityHash, plaintext
identifiers, which identityTypes a value is tried against, and what the report never shows.
The invalid files (``tests/invalid/recipient--*.json``) run through the CLI matrix."""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime

import pytest

from badgekit import credential, did, jsonld, proof
from badgekit.keys import Ed25519Key
from badgekit.verify import (
    VerifyOptions,
    parse_timestamp,
    recipient_match,
    verify_bytes,
    verify_credential,
)
from tests.conftest import FIXED_NOW, TEST_SEED
from tests.invalid.ob2 import make_invalid_ob2 as OB2

KEY = Ed25519Key.from_seed(TEST_SEED)
AT = parse_timestamp(FIXED_NOW)

# OB 3.0 IdentityHash vectors (SPEC (a)).
A_HASH = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
J_HASH = "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc"


def identity(value: str, identity_type: str = "emailAddress", *, hashed: bool = True, salt: str = "s4lt") -> dict:
    if not hashed:
        return {"type": "IdentityObject", "identityHash": value, "identityType": identity_type, "hashed": False, "salt": salt}
    return credential.identity_object(value, identity_type, salt)


def subject(*identifiers: dict, subject_id: str | None = None) -> dict:
    out: dict = {"type": ["AchievementSubject"]}
    if subject_id is not None:
        out["id"] = subject_id
    if identifiers:
        out["identifier"] = list(identifiers)
    return out


def match(wanted: str, *subjects: dict) -> str:
    return recipient_match(subjects, wanted)[0]


def signed(subj: dict, issuer: str | None = None, vm: str | None = None) -> dict:
    subj = {**subj, "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"], "name": "Test",
                                    "description": "d", "criteria": {"narrative": "n"}}}
    cred = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:9f0b1d2e-0000-4000-8000-00000000000a",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer or KEY.did_key, "type": ["Profile"], "name": "Test Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": subj,
    }
    return proof.add_proof(cred, KEY.signer(vm), created="2025-01-01T00:00:00Z")


def test_identity_hash_vectors_match():
    a = {"type": "IdentityObject", "identityHash": A_HASH, "identityType": "emailAddress", "hashed": True, "salt": "Kosher"}
    j = {"type": "IdentityObject", "identityHash": J_HASH, "identityType": "emailAddress", "hashed": True, "salt": "FleurDeSel"}
    assert match("a@example.com", subject(a)) == "passed"
    assert match("jjefferson18@example.com", subject(a, j)) == "passed"
    assert match("b@example.com", subject(a, j)) == "failed"
    # Hex in either case, as the spec allows.
    upper = {**a, "identityHash": "sha256$" + A_HASH[7:].upper()}
    assert match("a@example.com", subject(upper)) == "passed"


def test_badgekit_issued_emails_match_whatever_the_case_and_spaces():
    # Issuing normalises (trim, lower-case) before hashing: alice@example.org + salt.
    recipient = credential.Recipient.from_row({"email": "  Alice@Example.ORG "})
    issued = identity(recipient.email or "", salt="fresh")
    for typed in ("alice@example.org", "Alice@Example.org", "  ALICE@EXAMPLE.ORG\t", "mailto:alice@example.org",
                  "Alice <Alice@Example.org>"):
        assert match(typed, subject(issued)) == "passed", typed
    assert match("alice@example.com", subject(issued)) == "failed"


def test_other_issuers_hash_exactly_what_they_hashed():
    """The spec hashes the identifier as the issuer recorded it: a mixed-case address hashed by
    another issuer matches when typed that way (the value as typed is always tried first)."""
    theirs = identity("Alice@Example.org", salt="x")
    assert match("Alice@Example.org", subject(theirs)) == "passed"
    assert match(" Alice@Example.org ", subject(theirs)) == "passed"  # bare address, case kept
    # Case folding is unspecified, so badgekit does not guess at the issuer's spelling.
    assert match("alice@example.org", subject(theirs)) == "failed"


def test_md5_identity_hash_is_read():
    md5 = {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "pepper",
           "identityHash": "md5$" + hashlib.md5(b"a@example.com" + b"pepper").hexdigest()}
    assert match("a@example.com", subject(md5)) == "passed"
    assert match("b@example.com", subject(md5)) == "failed"


def test_plaintext_identifiers_compare_by_equality():
    plain = identity("Student@1EdTech.edu", hashed=False)
    assert match("student@1edtech.edu", subject(plain)) == "passed"  # emails: trimmed, lower-cased
    assert match("someone@1edtech.edu", subject(plain)) == "failed"
    url = identity("https://example.org/~alice", "ext:url", hashed=False)
    assert match("https://example.org/~alice", subject(url)) == "passed"
    assert match("https://example.org/~Alice", subject(url)) == "failed"  # URLs: exactly


@pytest.mark.parametrize(
    ("typed", "subject_id"),
    [
        ("did:example:alice", "did:example:alice"),
        ("https://example.org/people/alice", "https://example.org/people/alice"),
        ("alice@example.org", "mailto:alice@example.org"),
        ("Alice@Example.org", "mailto:alice@example.org"),
        ("+1 (555) 010-1234", "tel:+15550101234"),
        ("tel:+15550101234", "tel:+15550101234"),
    ],
)
def test_credential_subject_id(typed: str, subject_id: str):
    assert match(typed, subject(subject_id=subject_id)) == "passed"
    assert match(typed, subject(subject_id="did:example:mallory")) == "failed"


def test_phone_numbers_hashed_in_e164_match_formatted_input():
    hashed = identity("+15550101234", "ext:phoneNumber", salt="s")
    assert match("+1 555 010 1234", subject(hashed)) == "passed"
    assert match("+1 555 010 9999", subject(hashed)) == "failed"


def test_only_identifiers_of_a_fitting_type_are_tried():
    # The same value hashed under a student id type is not an email identifier.
    as_student = identity("alice@example.org", "sisSourcedId")
    status, reason = recipient_match([subject(as_student)], "alice@example.org")
    assert status == "failed" and "sisSourcedId" in reason and "cannot be compared with an email address" in reason
    # A value of no known kind (a student number) is tried against every identifier.
    assert match("S-000123", subject(identity("S-000123", "sisSourcedId"))) == "passed"
    # OB 2.0-style and ext: email types fit an email too.
    assert match("alice@example.org", subject(identity("alice@example.org", "email"))) == "passed"
    assert match("did:example:alice", subject(identity("did:example:alice", "identifier"))) == "passed"


def test_reasons_show_the_value_as_typed_and_never_a_hash():
    theirs = identity("bob@example.org", salt="s")
    status, reason = recipient_match([subject(theirs)], " Alice@Example.org ")
    assert status == "failed"
    assert reason.startswith("the credential was not issued to  Alice@Example.org ")
    assert "alice@example.org" not in reason and "sha256" not in reason and "s4lt" not in reason


def _options(recipient: str | None, **kw) -> VerifyOptions:
    return VerifyOptions(at=AT, recipient=recipient, **kw)


def test_check_10_in_the_report():
    cred = signed(subject(identity("alice@example.org", salt="NaCl")))
    report = verify_credential(cred, options=_options("Alice@Example.org"))
    check = report.check("recipient")
    assert check is not None and check.number == 10 and check.status == "passed", check
    assert report.verdict == "valid"
    other = verify_credential(cred, options=_options("bob@example.org"))
    assert other.verdict == "invalid" and [c.id for c in other.failed] == ["recipient"]
    assert other.check("recipient").reason.startswith("the credential was not issued to bob@example.org")
    skipped = verify_credential(cred, options=_options(None)).check("recipient")
    assert skipped.status == "skipped" and "--recipient" in skipped.reason
    assert verify_credential(cred, options=_options("  ")).check("recipient").status == "failed"


@pytest.mark.parametrize(("name", "recipient", "status", "says"), [
    (None, None, "skipped", "no recipient given (--recipient)"),
    (None, "  ", "failed", "the recipient to check for is empty"),
    ("signature--signed-by-another-key.jws", OB2.RECIPIENT, "skipped",
     "the recipient is not authentic unless the signature or hosted copy checks out (check 6)"),
])
def test_an_ob2_assertion_is_decided_first_by_the_same_rules(name, recipient, status, says):
    # Before any matching, one rule decides check 10 for OB 3.0 credentials (above) and OB 2.0 assertions.
    data = OB2.valid_signed() if name is None else (OB2.HERE / name).read_bytes()
    options = VerifyOptions(at=AT, ob2_documents=OB2.documents_by_id(), recipient=recipient)
    check = verify_bytes(data, source="a.jws", options=options).check("recipient")
    assert (check.status, check.reason) == (status, says)


def test_json_output_shows_only_what_was_typed():
    cred = signed(subject(identity("alice@example.org", salt="NaCl")))
    for typed in ("ALICE@example.org", "bob@example.org"):
        text = verify_credential(cred, options=_options(typed)).to_json()
        assert typed in text
        for form in {typed, typed.lower()}:
            assert hashlib.sha256(form.encode()).hexdigest() not in text  # the salt-free hash
        assert "alice@example.org" not in text and "bob@example.org" not in text.replace(typed, "")


def test_forged_recipient_fields_are_not_matched():
    """A credential whose signature fails is not checked for its recipient: the fields are not
    authentic (here a thief swapped in his own hash)."""
    cred = signed(subject(identity("alice@example.org", salt="NaCl")))
    forged = copy.deepcopy(cred)
    forged["credentialSubject"]["identifier"] = [identity("mallory@example.org", salt="NaCl")]
    report = verify_credential(forged, options=_options("mallory@example.org"))
    assert report.check("signature").status == "failed"
    assert report.check("recipient").status == "skipped" and "signature" in report.check("recipient").reason


def test_recipient_is_checked_when_the_signature_is_only_indeterminate():
    web = "did:web:example.edu"
    cred = signed(subject(subject_id="did:example:alice"), issuer=web, vm=f"{web}#key-1")
    report = verify_credential(cred, options=_options("did:example:alice"))
    assert report.check("signature").status == "indeterminate"
    assert report.check("recipient").status == "passed" and report.verdict == "indeterminate"
    docs = {web: did.did_web_document(web, [KEY.public_key])}
    assert verify_credential(cred, options=_options("did:example:bob", did_documents=docs)).verdict == "invalid"


def test_credential_issued_by_badgekit_end_to_end():
    unsigned = credential.build_credential(
        credential_id="urn:uuid:0d1c6d9e-8a5e-4a8f-9d57-2b0b7a1f0001",
        issuer={"id": KEY.did_key, "type": ["Profile"], "name": "Test Issuer"},
        achievement={"id": "https://example.edu/a/1", "type": ["Achievement"], "name": "Test",
                     "description": "d", "criteria": {"narrative": "n"}},
        recipient=credential.Recipient.from_row({"email": "Alice.Smith@Example.org"}),
        values={},
        salt="0123456789abcdef",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    cred = proof.add_proof(unsigned, KEY.signer(), created="2025-01-01T00:00:00Z")
    assert verify_credential(cred, options=_options("alice.smith@example.org ")).verdict == "valid"
    assert verify_credential(cred, options=_options("ALICE.SMITH@EXAMPLE.ORG")).verdict == "valid"
    assert verify_credential(cred, options=_options("alice.smyth@example.org")).verdict == "invalid"

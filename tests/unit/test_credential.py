"""badgekit.credential: what one roster row becomes, checked against the OB 3.0 schemas."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from badgekit import credential
from badgekit.schema import validate_credential

ISSUER = {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "type": ["Profile"], "name": "Example University"}
STATUS_RD = "urn:uuid:0f3c0000-0000-4000-8000-000000000002"
ACHIEVEMENT = {
    "id": "urn:uuid:0f3c0000-0000-4000-8000-000000000001",
    "type": ["Achievement"],
    "name": "Lab induction",
    "description": "Completed the lab induction.",
    "criteria": {"narrative": "Attend the induction."},
    "resultDescription": [{"id": STATUS_RD, "type": ["ResultDescription"], "name": "Induction", "resultType": "Status"}],
}


def _build(values: dict[str, str]) -> dict:
    return credential.build_credential(
        credential_id="urn:uuid:0b7c2a52-8d1e-4f0a-9a43-6f1f2b3c4d5e", issuer=ISSUER, achievement=ACHIEVEMENT,
        recipient=credential.Recipient.from_row(values), values=values, salt="00ff",
        valid_from=datetime(2026, 1, 15, tzinfo=UTC))


@pytest.mark.parametrize(("raw", "status"), [("Completed", "Completed"), ("completed", "Completed"),
                                             ("in progress", "InProgress"), ("ON HOLD", "OnHold")])
def test_result_status_is_written_as_ob_spells_it(raw: str, status: str) -> None:
    """OB 3.0's Result.status is the ResultStatusType enum: "completed" as typed in a roster would
    fail the schema (and the 1EdTech validator), so it is written "Completed"."""
    doc = _build({"email": "a@example.org", "status": raw})
    assert doc["credentialSubject"]["result"] == [{"type": ["Result"], "resultDescription": STATUS_RD, "status": status}]
    assert validate_credential(doc) == [] and validate_credential(doc, strict=True) == []


def test_a_status_outside_the_enum_is_refused_not_issued() -> None:
    with pytest.raises(ValueError, match="'passed' is not one of Completed, Enrolled"):
        _build({"email": "a@example.org", "status": "passed"})


def test_a_hashed_identity_and_more_evidence_are_carried_into_the_credential_unchanged() -> None:
    # Re-issuing (badgekit migrate): the IdentityObject made before keeps its hash and salt.
    old = "sha256$" + "ab" * 32
    doc = _build({"identity_hash": old, "identity_salt": "deadsea", "identity_type": "emailAddress",
                  "migrated_from": "urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0001",
                  "evidence_url": "https://e.example/1", "evidence_url_2": "https://e.example/2",
                  "evidence_name_3": "Demo", "evidence_narrative_3": "Live demo."})
    assert doc["credentialSubject"]["identifier"] == [
        {"type": "IdentityObject", "identityHash": old, "identityType": "emailAddress", "hashed": True, "salt": "deadsea"}]
    assert [(e.get("id"), e.get("name")) for e in doc["evidence"]] == [
        ("urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0001", "Original credential"), ("https://e.example/1", None),
        ("https://e.example/2", None), (None, "Demo")]
    assert validate_credential(doc) == []

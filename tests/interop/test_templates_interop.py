"""Every shipped template, with every field and every roster column badgekit maps, read by the
Digital Bazaar stack with the OB context revision the DCC npm packages ship (2024-03): a term that
only the newer context-3.0.3.json revision defines, or none does, fails its JSON-LD safe mode."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from badgekit import credential, proof
from badgekit import templates as tpl
from badgekit.keys import Ed25519Key
from badgekit.project import PROFILE_TEXT_MEMBERS
from tests.interop import dbstack
from tests.unit.test_templates import ISSUER, SHIPPED, _achievement, _all_examples

pytestmark = pytest.mark.interop

START = datetime(2026, 1, 15, tzinfo=UTC)
ROW = {"email": "Ana.Lima@Example.org", "student_id": "S-20931", "score": "92", "level": "Proficient",
       "status": "completed", "evidence_url": "https://e.example.org/1", "evidence_narrative": "Final project",
       "evidence_name": "Project report", "supervisor": "Dr. Rao", "earned": "2026-01-12", "credits_earned": "2.5",
       "recipient_id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "narrative": "Led the team.",
       "activity_start_date": "2025-09-01", "activity_end_date": "2025-12-15", "term": "Fall 2025", "role": "Team lead",
       "license_number": "LIC-0001"}


def test_every_template_with_every_column_verifies_in_the_js_stack_with_the_2024_03_context() -> None:
    dbstack.require()
    key = Ed25519Key.from_seed(bytes(range(32)))
    issuer = {**ISSUER, "id": key.did_key, **{m: "1990-05-17" if m == "dateOfBirth" else m for m in PROFILE_TEXT_MEMBERS}}
    signed = []
    for name in SHIPPED:
        for g in tpl.instantiate_all(name, _all_examples(name), issuer=issuer):
            unsigned = credential.build_credential(
                credential_id="urn:uuid:0b7c2a52-8d1e-4f0a-9a43-6f1f2b3c4d5e", issuer=issuer,
                achievement=_achievement(g.document), recipient=credential.Recipient.from_row(ROW), values=ROW,
                salt="00ff", valid_from=START, valid_until=START + timedelta(days=730))
            signed.append(proof.add_proof(unsigned, key.signer(), created="2026-01-15T12:00:00Z"))
    results = dbstack.verify_documents(signed, now="2026-02-01T00:00:00Z", ob_context_revision="2024-03")
    failures = [(doc["credentialSubject"]["achievement"]["name"], r["error"]) for doc, r in zip(signed, results, strict=True)
                if not r["verified"]]
    assert not failures, failures

"""Endorsements badgekit signs verify in the Digital Bazaar / DCC stack too, on their own and
embedded in the credential they endorse (badgekit's check 11 verifies the same objects)."""

from __future__ import annotations

import pytest

from badgekit.verify import VerifyOptions, parse_timestamp, verify_credential
from tests.conftest import FIXED_NOW
from tests.interop import dbstack
from tests.invalid import make_invalid as MI

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("revision", dbstack.OB_CONTEXT_REVISIONS)
def test_js_stack_verifies_endorsements_badgekit_signs(revision: str) -> None:
    endorsement = MI.sign(MI.endorsement(MI.ACHIEVEMENT_ID), MI.OTHER)
    cred = MI.base_credential()
    cred["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    endorsed = MI.sign(cred)
    tampered = MI.sign(MI.endorsement(MI.ACHIEVEMENT_ID), MI.OTHER)
    tampered["credentialSubject"]["endorsementComment"] = "Forged."
    results = dbstack.verify_documents([endorsement, endorsed, tampered], now=FIXED_NOW, ob_context_revision=revision)
    assert results[0]["verified"], results[0]["error"]
    assert results[1]["verified"], results[1]["error"]
    assert not results[2]["verified"]
    # And badgekit agrees on all three.
    options = VerifyOptions(at=parse_timestamp(FIXED_NOW))
    assert verify_credential(endorsement, options=options).verdict == "valid"
    assert verify_credential(endorsed, options=options).check("endorsements").status == "passed"
    assert verify_credential(tampered, options=options).check("signature").status == "failed"

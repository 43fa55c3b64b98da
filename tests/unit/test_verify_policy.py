"""badgekit.verify's policy objects (checks 9 and 10 decided by them): IssuerTrusted, IssuedTo,
and AllOf / AnyOf composing them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from badgekit import credential
from badgekit.verify import (
    AllOf,
    AnyOf,
    Evidence,
    IssuedTo,
    IssuerTrusted,
    PolicyResult,
    TrustList,
    VerifyOptions,
    verify_path,
)

TRUST = TrustList.load(Path(__file__).resolve().parents[1] / "vectors" / "1edtech-trust.json")
KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
ISSUER = "https://example.edu/issuers/565049"
CRED = {"issuer": ISSUER, "credentialSubject": {
    "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
    "identifier": [credential.identity_object("ada@example.org", "emailAddress", "s4lt")]}}


def evidence(issuer: str = ISSUER, *keys: frozenset[str]) -> Evidence:
    return Evidence(CRED, issuer, keys)


@dataclass(frozen=True)
class Fixed:
    status: str
    reason: str

    def check(self, evidence: Evidence) -> PolicyResult:
        return PolicyResult(self.status, self.reason)


def test_issuer_trusted_passes_a_listed_issuer_signing_with_a_listed_key():
    result = IssuerTrusted(TRUST).check(evidence(ISSUER, frozenset({KEY, f"did:key:{KEY}"})))
    assert result and result.reason.startswith(f"issuer {ISSUER} (Example University) is on the trust list")


def test_issuer_trusted_fails_an_unlisted_issuer_or_an_unlisted_key():
    assert not IssuerTrusted(TRUST).check(evidence("https://evil.example/issuer"))
    result = IssuerTrusted(TRUST).check(evidence(ISSUER, frozenset({"z6MkOther"})))
    assert result.status == "failed" and "a key the list does not name" in result.reason


def test_issued_to_matches_the_subject_id_or_a_hashed_identifier():
    assert IssuedTo("did:example:ebfeb1f712ebc6f1c276e12ec21").check(evidence())
    assert IssuedTo(" Ada@Example.org ").check(evidence())
    result = IssuedTo("bob@example.org", shown="Bob").check(evidence())
    assert result.status == "failed" and result.reason.startswith("the credential was not issued to Bob")
    assert "bob@example.org" not in result.reason


def test_all_of_needs_every_policy():
    ok, bad, unsure = Fixed("passed", "a"), Fixed("failed", "b"), Fixed("indeterminate", "c")
    assert AllOf([ok, ok]).check(evidence()) == PolicyResult("passed", "a; a")
    assert AllOf([ok, unsure, bad]).check(evidence()) == PolicyResult("failed", "b")
    assert AllOf([ok, unsure]).check(evidence()) == PolicyResult("indeterminate", "c")
    assert not AllOf([]).check(evidence())  # never "passed" with nothing checked


def test_any_of_needs_one_policy():
    ok, bad, unsure = Fixed("passed", "a"), Fixed("failed", "b"), Fixed("indeterminate", "c")
    assert AnyOf([bad, ok]).check(evidence()) == PolicyResult("passed", "a")
    assert AnyOf([bad, unsure]).check(evidence()) == PolicyResult("indeterminate", "none of: b; c")
    assert AnyOf([bad, bad]).check(evidence()) == PolicyResult("failed", "none of: b; b")
    assert not AnyOf([]).check(evidence())


def test_policies_compose_over_real_checks():
    policy = AllOf([IssuerTrusted(TRUST), AnyOf([IssuedTo("bob@example.org"), IssuedTo("ada@example.org")])])
    assert policy.check(evidence(ISSUER, frozenset({KEY})))
    assert not policy.check(evidence("https://evil.example/issuer", frozenset({KEY})))


@pytest.mark.parametrize("trust", [None, TRUST])
def test_check_9_is_the_trust_policy(trust):
    path = Path(__file__).resolve().parents[1] / "vectors" / "1edtech-validator-ob30" / "simple.json"
    check = verify_path(path, VerifyOptions(trust=trust)).check("trust")
    assert check is not None
    assert check.status == ("skipped" if trust is None else "passed")

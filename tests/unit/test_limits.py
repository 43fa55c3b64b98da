"""badgekit.limits: one definition of what ``badgekit verify`` checks, applied by signing too.

For each bound a credential exactly at it is signed and its bounded check passes verification; one
just over it is refused by ``proof.add_proof`` (naming the field and the limit) and, signed anyway
(a well-formed proof of the right shape), refused by verification at the same point.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgekit import jwt, limits, proof
from badgekit._io import MAX_JSON_DEPTH, json_depth
from badgekit.errors import LimitExceeded
from badgekit.verify import VerifyOptions, parse_timestamp, verify_credential
from tests.invalid import make_invalid as MI

AT = VerifyOptions(at=parse_timestamp(MI.FIXED_NOW))
BIG = 1 << 62
#: A structurally sound proof of the shape add_proof writes (its signature is not the point).
SHAPED_PROOF = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": MI.CREATED,
                "verificationMethod": MI.ISSUER.signer().verification_method, "proofPurpose": "assertionMethod",
                "proofValue": "z" + "2" * 86}


def _values(doc: dict[str, Any]) -> int:
    return limits.count_values({**doc, "proof": [*doc.get("proof", []), SHAPED_PROOF]}, BIG)


def with_values(n: int) -> dict[str, Any]:
    """Signed, exactly ``n`` JSON values (achievement tags fill the gap)."""
    doc = MI.base_credential()
    doc["credentialSubject"]["achievement"]["tag"] = []
    doc["credentialSubject"]["achievement"]["tag"] = [f"t{i}" for i in range(n - _values(doc))]
    assert _values(doc) == n
    return doc


def with_objects(n: int) -> dict[str, Any]:
    """Exactly ``n`` JSON objects outside the proof (evidence entries fill the gap)."""
    doc = MI.base_credential()
    doc["evidence"] = [{"id": f"https://example.edu/evidence/{i}", "type": ["Evidence"]}
                       for i in range(n - limits.count_objects(doc, BIG))]
    assert limits.count_objects(doc, BIG) == n
    return doc


def with_depth(n: int) -> dict[str, Any]:
    """Nested exactly ``n`` levels deep (a chain of parent organisations of the issuer)."""
    doc = MI.base_credential()
    node, i = doc["issuer"], 0
    while json_depth(doc) < n:
        node["parentOrg"] = {"id": f"https://example.edu/org/{i}", "type": ["Profile"], "name": f"Org {i}"}
        node, i = node["parentOrg"], i + 1
    assert json_depth(doc) == n
    return doc


def with_proofs(n: int) -> dict[str, Any]:
    """Signed, exactly ``n`` proofs: ``n - 1`` already there."""
    doc = MI.base_credential()
    doc["proof"] = [{**SHAPED_PROOF, "created": f"2025-01-01T00:00:{i:02d}Z"} for i in range(n - 1)]
    return doc


def with_endorsements(n: int) -> dict[str, Any]:
    """Exactly ``n`` embedded endorsements of the achievement, each genuine."""
    doc = MI.base_credential()
    doc["credentialSubject"]["achievement"]["endorsement"] = [
        MI.sign(MI.endorsement(MI.ACHIEVEMENT_ID, n=i), MI.OTHER) for i in range(1, n + 1)]
    return doc


#: bound -> (builder, limit, check of badgekit verify that applies it, words the refusals use)
BOUNDS: dict[str, tuple[Callable[[int], dict[str, Any]], int, str, str]] = {
    "values": (with_values, limits.MAX_JSON_VALUES, "parse", "JSON values"),
    "objects": (with_objects, limits.MAX_JSON_OBJECTS, "contexts", "JSON objects"),
    "depth": (with_depth, MAX_JSON_DEPTH, "parse", "deeper than 64"),
    "proofs": (with_proofs, limits.MAX_PROOFS, "proof-structure", "at most 8"),
    "endorsements": (with_endorsements, limits.MAX_ENDORSEMENTS, "endorsements", "at most 16"),
}
#: What the signing refusal names: the limit and the field holding the bulk.
SIGN_MESSAGE = {
    "values": ("50,000", "credentialSubject.achievement.tag"),
    "objects": ("1,000", "evidence"),
    "depth": ("64", "issuer.parentOrg"),
    "proofs": ("8", "already has 8 proof(s)"),
    "endorsements": ("16", "$.credentialSubject.achievement.endorsement"),
}


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_signing_refuses_a_credential_just_over_the_bound(bound):
    build, limit, _, _ = BOUNDS[bound]
    with pytest.raises(LimitExceeded) as caught:
        proof.add_proof(build(limit + 1), MI.ISSUER.signer(), created=MI.CREATED)
    message = caught.value.message
    assert all(part in message for part in SIGN_MESSAGE[bound]), message
    assert "badgekit verify" in message and "\n" not in message


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_verification_refuses_the_same_credential_at_the_same_check(bound):
    build, limit, check, words = BOUNDS[bound]
    doc = build(limit + 1)
    report = verify_credential({**doc, "proof": [*doc.get("proof", []), SHAPED_PROOF]}, options=AT)
    result = report.check(check)
    assert result is not None and result.status == "failed" and words in result.reason, result


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_a_credential_exactly_at_the_bound_is_signed_and_passes_that_check(bound):
    build, limit, check, _ = BOUNDS[bound]
    signed = proof.add_proof(build(limit), MI.ISSUER.signer(), created=MI.CREATED)
    report = verify_credential(signed, options=AT)
    assert report.check(check).status == "passed", report.check(check)
    if bound != "proofs":  # the other proofs there are shaped, not signed
        assert report.verdict == "valid", [c for c in report.checks if c.status == "failed"]


def test_vc_jwt_signing_applies_the_same_bounds():
    with pytest.raises(LimitExceeded, match="1,000 badgekit verify processes as JSON-LD"):
        jwt.sign_vc_jwt(with_objects(limits.MAX_JSON_OBJECTS + 1), MI.ISSUER, kid=None, include_jwk=True)
    with pytest.raises(LimitExceeded, match="17 endorsements .*, more than the 16"):
        jwt.sign_vc_jwt(with_endorsements(limits.MAX_ENDORSEMENTS + 1), MI.ISSUER, kid=None, include_jwk=True)
    token = jwt.sign_vc_jwt(with_objects(limits.MAX_JSON_OBJECTS), MI.ISSUER, kid=None, include_jwk=True)
    assert jwt.looks_like_jws(token)


def test_signed_size_is_bounded_like_verify_reads():
    limits.check_signed_size(16 * 1024 * 1024)
    with pytest.raises(LimitExceeded, match="16,777,217 bytes, more than the 16 MiB"):
        limits.check_signed_size(16 * 1024 * 1024 + 1)


def test_count_helpers_stop_just_past_the_limit():
    doc = {"a": [1, 2, {"b": [3, {"c": 4}]}]}
    assert limits.count_values(doc, BIG) == 9 and limits.count_objects(doc, BIG) == 3
    assert limits.count_values(list(range(10**6)), 10) == 11


_KEYS = st.sampled_from(["endorsement", "endorsementJwt", "proof", "@context", "issuer", "name", "a"])
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=5))
def test_one_pass_measure_equals_the_helpers_verify_uses(doc):
    # The signing fast path (_measure) against the definitions verification applies.
    assert limits._measure(doc) == (limits.count_values(doc, BIG), limits.count_objects(doc, BIG), json_depth(doc),
                                    len(limits.find_endorsements(doc)))

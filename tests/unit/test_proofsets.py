"""Proof sets and proof chains (VC Data Integrity 1.0 §2.1.1-2.1.2): badgekit.proofsets, signing
with ``proof.add_proof(previous_proof=…)``, and how ``badgekit.verify`` judges several proofs."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from badgekit import did, jsonld, proof, proofsets
from badgekit.errors import ProofError
from badgekit.keys import EcdsaKey, Ed25519Key
from badgekit.verify import TrustList, VerifyOptions, parse_timestamp, verify_credential
from tests.conftest import FIXED_NOW, TEST_SEED

AT = parse_timestamp(FIXED_NOW)
PLAIN = VerifyOptions(at=AT)
ISSUER = Ed25519Key.from_seed(TEST_SEED)
NOTARY = Ed25519Key.from_seed(bytes(range(32)))
ENDORSER = Ed25519Key.from_seed(bytes(range(1, 33)))
P256 = EcdsaKey.generate("P-256")
BBS = {"type": "DataIntegrityProof", "cryptosuite": "bbs-2023", "id": "urn:uuid:bbs-1", "proofPurpose": "assertionMethod",
       "verificationMethod": "did:example:other#key-1", "proofValue": "u2V0ChVhA"}


def credential() -> dict[str, Any]:
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:9f0b1d2e-0000-4000-8000-000000000002",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": ISSUER.did_key, "type": ["Profile"], "name": "Test Issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Proof chains",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.edu/achievements/1", "type": ["Achievement"], "name": "Chains",
                            "description": "Signed by several.",
                            "criteria": {"narrative": "Sign twice."}},
        },
    }


def add(doc: dict[str, Any], key: Ed25519Key | EcdsaKey = ISSUER, **kw: Any) -> dict[str, Any]:
    return proof.add_proof(doc, key.signer(), **{"created": "2025-01-01T00:00:00Z", **kw})


def verify(doc: dict[str, Any], options: VerifyOptions = PLAIN):
    report = verify_credential(doc, options=options)
    return report, {c.id: c for c in report.checks}


def chained() -> dict[str, Any]:
    """The issuer's proof (with an id), then a notary's proof chained to it."""
    return add(add(credential(), proof_id="urn:uuid:issuer-proof"), NOTARY, previous_proof="urn:uuid:issuer-proof")


# -- the chain's structure ---------------------------------------------------------------------


def p(pid: str | None = None, prev: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "DataIntegrityProof"}
    if pid is not None:
        out["id"] = pid
    if prev is not None:
        out["previousProof"] = prev
    return out


@pytest.mark.parametrize(("proofs", "says"), [
    ([p("a"), p("b", prev=5)], "must be a proof id or a non-empty list"),
    ([p("a"), p("b", prev=[])], "must be a proof id or a non-empty list"),
    ([p("a"), p("b", prev=["a", 1])], "must be a proof id or a non-empty list"),
    ([p("a"), p("b", prev="c")], "names 'c', but no proof has that id"),
    ([p(), p("b", prev="a")], "no proof has that id"),  # the proof it follows has no id
    ([p("a"), p("a"), p("b", prev="a")], "proofs 1 and 2 both have"),
    ([p("a", prev="a")], "leads back to itself"),
    ([p("a", prev="b"), p("b", prev="a")], "leads back to itself"),
    ([p("a", prev="c"), p("b", prev="a"), p("c", prev="b")], "a cycle"),
])
def test_chain_problems(proofs, says):
    assert says in (proofsets.chain_problem(proofs) or "")


def test_a_set_and_a_chain_are_well_formed():
    assert proofsets.chain_problem([p(), p()]) is None
    chain = [p("a"), p("b"), p("c", prev=["a", "b"]), p(prev="c")]
    assert proofsets.chain_problem(chain) is None
    assert proofsets.predecessors(chain, 3) == [1, 2] and proofsets.ancestors(chain, 4) == {1, 2, 3}
    assert proofsets.matching(chain, chain[3]) == [chain[2]] and proofsets.matching(chain, chain[0]) == []
    assert proofsets.unsecured({"a": 1, "proof": chain}, [chain[0]]) == {"a": 1, "proof": [chain[0]]}
    assert proofsets.unsecured({"a": 1, "proof": chain}) == {"a": 1}
    assert proofsets.new_proof_id().startswith("urn:uuid:") and proofsets.new_proof_id() != proofsets.new_proof_id()


# -- signing -----------------------------------------------------------------------------------


def test_a_chained_proof_names_the_proof_it_follows_and_gets_an_id():
    doc = chained()
    first, second = doc["proof"]
    assert first["id"] == "urn:uuid:issuer-proof" and "previousProof" not in first
    assert second["previousProof"] == "urn:uuid:issuer-proof" and second["id"].startswith("urn:uuid:")
    assert proof.verify(doc).verified
    # It signs the credential together with the proof it names, not the credential alone.
    assert proof.signature_problem(credential(), second, NOTARY.public_key, previous=[first]) is None
    assert "signature does not match" in (proof.signature_problem(credential(), second, NOTARY.public_key) or "")


def test_signing_refuses_a_chain_it_cannot_make():
    signed = add(credential())  # no id: nothing can chain to it
    with pytest.raises(ProofError, match="no proof of the credential has the id 'urn:uuid:x'"):
        add(signed, NOTARY, previous_proof="urn:uuid:x")
    with_id = add(credential(), proof_id="urn:uuid:x")
    with pytest.raises(ProofError, match="already has the id"):
        add(with_id, NOTARY, proof_id="urn:uuid:x")
    with pytest.raises(ProofError, match="ecdsa-sd-2023 proof cannot be chained"):
        add(with_id, P256, cryptosuite="ecdsa-sd-2023", previous_proof="urn:uuid:x")
    with pytest.raises(ProofError, match="at least one"):
        add(with_id, NOTARY, previous_proof=[])
    # A proof id is a URL (VC Data Integrity 1.0 §2.1): a relative one was a JSON-LD error that did
    # not name the proof id (RDFC), or was signed as written (JCS); a blank node label was signed too.
    for bad in ("not a uri", "relative", "_:b0", ""):
        for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
            with pytest.raises(ProofError, match="a proof id is a URL"):
                add(credential(), proof_id=bad, cryptosuite=suite)


# -- verifying: proof chains -------------------------------------------------------------------


def test_a_proof_chain_is_valid_and_says_who_signed_what():
    report, checks = verify(chained())
    assert report.verdict == "valid", report.checks
    assert "a proof chain: proof 2 follows proof 1" in checks["proof-structure"].reason
    assert checks["issuer-key"].reason.startswith("proof 1: did:key")
    assert "proof 2: an extra signature, not the issuer's (signed by did:key:" in checks["issuer-key"].reason
    assert "proof 2: eddsa-rdfc-2022 signature verified over the credential and proof 1 (an extra signature)" \
        in checks["signature"].reason


def test_a_chain_in_mixed_suites_and_to_several_proofs_is_valid():
    doc = add(credential(), proof_id="urn:uuid:one")
    doc = add(doc, ENDORSER, proof_id="urn:uuid:two", cryptosuite="eddsa-jcs-2022")
    doc = add(doc, P256, previous_proof=["urn:uuid:one", "urn:uuid:two"], cryptosuite="ecdsa-jcs-2019")
    doc = add(doc, NOTARY, previous_proof=doc["proof"][2]["id"], cryptosuite="eddsa-rdfc-2022")
    report, checks = verify(doc)
    assert report.verdict == "valid", report.checks
    assert "proof 3 follows proof 1 and 2, proof 4 follows proof 3" in checks["proof-structure"].reason
    assert proof.verify(doc).verified



def test_a_proof_named_twice_in_previous_proof_is_written_once():
    # sign --previous-proof X --previous-proof X wrote previousProof [X, X], which verify then
    # refuses (check 3: JSON-LD merges the copies): sign must not write what verify refuses.
    doc = add(chained(), ENDORSER, previous_proof=["urn:uuid:issuer-proof", "urn:uuid:issuer-proof"])
    assert doc["proof"][2]["previousProof"] == ["urn:uuid:issuer-proof"]
    report, _ = verify(doc)
    assert report.verdict == "valid", report.checks

def test_a_chained_proof_binds_the_proof_it_follows():
    doc = chained()
    # The issuer signs again (another time) under the same id: that proof verifies on its own,
    # but the notary's proof signed the first one, so it no longer does.
    swapped = add(credential(), proof_id="urn:uuid:issuer-proof", created="2025-02-01T00:00:00Z")
    forged = {**doc, "proof": [swapped["proof"][0], doc["proof"][1]]}
    report, checks = verify(forged)
    assert report.verdict == "invalid"
    assert checks["signature"].status == "failed" and checks["signature"].reason.startswith("proof 2: signature does not match the credential and the proofs it chains to")
    assert not proof.verify(forged).verified


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d["proof"].pop(0), "no proof has that id"),  # the proof it follows is gone
    (lambda d: d["proof"][0].pop("id"), "no proof has that id"),
    (lambda d: d["proof"][0].__setitem__("previousProof", d["proof"][1]["id"]), "leads back to itself"),
    (lambda d: d["proof"][1].__setitem__("previousProof", {"id": "urn:uuid:issuer-proof"}), "must be a proof id"),
])
def test_a_broken_chain_fails_proof_structure(change, says):
    doc = copy.deepcopy(chained())
    change(doc)
    report, checks = verify(doc)
    assert report.verdict == "invalid" and checks["proof-structure"].status == "failed"
    assert checks["proof-structure"].reason.startswith("proof chain: proof ") and says in checks["proof-structure"].reason
    assert not proof.verify(doc).verified


def test_a_proof_chained_to_an_unimplemented_suite_does_not_stand():
    # The issuer's proof follows a bbs-2023 proof badgekit cannot check: not disproven, not valid.
    doc = add({**credential(), "proof": [BBS]}, previous_proof="urn:uuid:bbs-1")
    report, checks = verify(doc)
    assert report.verdict == "indeterminate", report.checks
    assert checks["signature"].status == "indeterminate"
    assert "chains to proof 1, not checked (a suite badgekit does not implement)" in checks["signature"].reason
    assert proof.verify(doc).skipped
    # An unimplemented proof that follows the issuer's changes nothing.
    after = add(credential(), proof_id="urn:uuid:mine")
    after["proof"].append({**BBS, "previousProof": "urn:uuid:mine"})
    report, checks = verify(after)
    assert report.verdict == "valid" and "ignored 1 proof(s) of unknown type" in checks["proof-structure"].reason


# -- verifying: proof sets ---------------------------------------------------------------------


def test_a_set_needs_one_proof_by_the_issuer():
    others = add(add(credential(), NOTARY), ENDORSER)
    report, checks = verify(others)
    assert report.verdict == "invalid"
    assert checks["issuer-key"].reason.startswith("no proof is by the issuer: proof 1: signed by did:key:")
    assert checks["signature"].status == "passed"  # both signatures verify: they are simply not the issuer's


def test_an_unimplemented_suite_in_a_set_neither_makes_nor_breaks_the_verdict():
    good = add({**credential(), "proof": [BBS]})
    assert verify(good)[0].verdict == "valid"  # a good proof stays good beside an unimplemented one
    # The issuer's proof may be the bbs-2023 one: a notary's checkable proof cannot make it valid,
    # nor invalid.
    notary_only = add({**credential(), "proof": [BBS]}, NOTARY)
    report, checks = verify(notary_only)
    assert report.verdict == "indeterminate", report.checks
    assert "the issuer's may be proof 1, of a suite badgekit does not implement" in checks["issuer-key"].reason
    # Alone it is indeterminate, as before.
    assert verify({**credential(), "proof": [BBS]})[0].verdict == "indeterminate"


def test_a_bad_extra_signature_makes_the_credential_invalid():
    doc = add(add(credential()), NOTARY)
    doc["proof"][1]["proofValue"] = doc["proof"][1]["proofValue"][:-4] + "abcd"
    report, checks = verify(doc)
    assert report.verdict == "invalid" and checks["signature"].reason.startswith("proof 2:")


def test_an_extra_signature_whose_key_cannot_be_resolved_is_reported_not_checked():
    doc = add(credential())
    doc = proof.add_proof(doc, NOTARY.signer("did:web:notary.example#key-1"), created="2025-01-01T00:00:00Z")
    report, checks = verify(doc)
    assert report.verdict == "valid", report.checks
    assert "proof 2: not checked, an extra signature (cannot resolve did:web:notary.example offline" \
        in checks["issuer-key"].reason


def test_the_trust_list_judges_the_issuers_keys_not_the_extra_signatures():
    trust = TrustList.from_json({"issuers": [{"id": ISSUER.did_key, "keys": [ISSUER.public_key_multibase]}]})
    report, checks = verify(chained(), VerifyOptions(at=AT, trust=trust))
    assert report.verdict == "valid" and checks["trust"].status == "passed", report.checks
    assert did.did_key_verification_method(NOTARY.public_key) in chained()["proof"][1]["verificationMethod"]


def test_a_set_that_names_no_proof_is_settled_without_following_chains(monkeypatch):
    # The common case (one proof, or a plain set) returns at once: verifying a folder checks it
    # for every credential (issue 18). Before: every proof's ancestors were walked.
    def walked(*args, **kwargs):
        raise AssertionError("followed a chain")

    monkeypatch.setattr(proofsets, "ancestors", walked)
    assert proofsets.chain_problem([{"id": "urn:p:1", "type": "DataIntegrityProof"}]) is None
    assert proofsets.chain_problem([{"type": "DataIntegrityProof"}, "not a proof", {"id": "urn:p:2"}]) is None
    with pytest.raises(AssertionError):
        proofsets.chain_problem([{"id": "urn:p:1"}, {"id": "urn:p:2", "previousProof": "urn:p:1"}])

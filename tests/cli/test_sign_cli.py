"""``badgekit sign --add-proof / --previous-proof / --proof-id``: a second proof on a signed
credential, beside its proofs (a proof set) or after one (a proof chain), in any suite."""

from __future__ import annotations

import json
from pathlib import Path

from badgekit import keys
from tests.conftest import FIXED_NOW, TEST_SEED, run_cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "credential.json"


def _setup(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    issuer = keys.Ed25519Key.from_seed(TEST_SEED)
    issuer_key = keys.save_key(issuer, tmp_path / "issuer.pem")
    notary_key = keys.save_key(keys.EcdsaKey.generate("P-256"), tmp_path / "notary.pem")
    credential = json.loads(EXAMPLE.read_text())
    credential["issuer"]["id"] = issuer.did_key
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential))
    return unsigned, issuer_key, notary_key, tmp_path / "signed.json"


def _verify(path: Path, code: int = 0) -> dict:
    return json.loads(run_cli("verify", path, "--json", "--at", "2026-02-01T00:00:00Z", ok=code).stdout)


def test_a_notary_chains_a_proof_to_the_issuers(tmp_path):
    unsigned, issuer_key, notary_key, signed = _setup(tmp_path)
    run_cli("sign", unsigned, "--key", issuer_key, "--proof-id", "urn:uuid:issuer-1", "--created", FIXED_NOW, "--out", signed)
    notarised = tmp_path / "notarised.json"
    result = run_cli("sign", signed, "--key", notary_key, "--previous-proof", "urn:uuid:issuer-1", "--cryptosuite",
                     "ecdsa-jcs-2019", "--created", FIXED_NOW, "--out", notarised)
    assert "after urn:uuid:issuer-1" in result.stderr + result.stdout
    first, second = json.loads(notarised.read_text())["proof"]
    assert first["id"] == "urn:uuid:issuer-1" and second["previousProof"] == ["urn:uuid:issuer-1"]
    assert second["id"].startswith("urn:uuid:") and second["cryptosuite"] == "ecdsa-jcs-2019"
    report = _verify(notarised)
    assert report["verdict"] == "valid"
    checks = {c["id"]: c["reason"] for c in report["checks"]}
    assert "a proof chain: proof 2 follows proof 1" in checks["proof-structure"]
    assert "proof 2: an extra signature, not the issuer's" in checks["issuer-key"]


def test_an_endorser_adds_a_proof_to_the_set(tmp_path):
    unsigned, issuer_key, notary_key, signed = _setup(tmp_path)
    run_cli("sign", unsigned, "--key", issuer_key, "--created", FIXED_NOW, "--out", signed)
    both = tmp_path / "both.json"
    run_cli("sign", signed, "--key", notary_key, "--add-proof", "--created", FIXED_NOW, "--out", both)
    first, second = json.loads(both.read_text())["proof"]
    assert "id" not in first and second["id"].startswith("urn:uuid:") and "previousProof" not in second
    report = _verify(both)
    assert report["verdict"] == "valid"
    assert "a proof set of 2" in next(c["reason"] for c in report["checks"] if c["id"] == "proof-structure")


def test_a_signed_credential_is_not_signed_again_by_accident(tmp_path):
    unsigned, issuer_key, notary_key, signed = _setup(tmp_path)
    run_cli("sign", unsigned, "--key", issuer_key, "--created", FIXED_NOW, "--out", signed)
    again = run_cli("sign", signed, "--key", notary_key, "--out", tmp_path / "again.json", ok=2)
    assert "already signed (1 proof(s))" in again.stderr and "--add-proof" in again.stderr
    dangling = run_cli("sign", signed, "--key", notary_key, "--previous-proof", "urn:uuid:nope",
                       "--out", tmp_path / "again.json", ok=2)
    assert "no proof of the credential has the id 'urn:uuid:nope'" in dangling.stderr
    assert not (tmp_path / "again.json").exists()
    jws = run_cli("sign", signed, "--key", issuer_key, "--format", "jwt", "--add-proof", ok=2)
    assert "--add-proof is for a Data Integrity proof" in jws.stderr

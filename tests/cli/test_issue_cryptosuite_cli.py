"""``badgekit issue --cryptosuite`` and P-256 / P-384 keys: a did:key ``zDn…`` issuer issues
ecdsa-rdfc-2019 credentials that ``badgekit verify`` accepts; a suite the key cannot sign in, or
--cryptosuite with a JWT format, is refused before anything is reserved (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import run_cli

BADGE = {
    "id": "urn:uuid:8c4e2a1b-5d6f-4a7b-9c8d-1e2f3a4b5c6d",
    "type": ["Achievement"],
    "name": "Disk Care",
    "description": "Kept the disks tidy.",
    "criteria": {"narrative": "Free some space."},
}


def ecdsa_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str = "p256") -> SimpleNamespace:
    """A project whose issuer is the did:key of a new ``kind`` key (``ecdsa.pem``), with a 2-row roster."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "p"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    key = root / "ecdsa.pem"
    issuer = json.loads(run_cli("key", "generate", key, "--type", kind, "--json").stdout)["did"]
    toml = root / "badgekit.toml"
    toml.write_text("\n".join(f'id = "{issuer}"' if ln.startswith("id = ") else ln
                              for ln in toml.read_text(encoding="utf-8").splitlines()) + "\n", encoding="utf-8")
    (root / "badges" / "disks.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "roster.csv"
    roster.write_text("email,name\na@example.org,A\nb@example.org,B\n", encoding="utf-8")
    monkeypatch.chdir(root)
    return SimpleNamespace(root=root, key=key, issuer=issuer, roster=roster, out=root / "out")


@pytest.mark.parametrize(("kind", "suite"), [("p256", None), ("p384", "ecdsa-jcs-2019")])
def test_a_p256_or_p384_did_key_issuer_issues_ecdsa_credentials_that_verify(tmp_path, monkeypatch, kind, suite):
    p = ecdsa_project(tmp_path, monkeypatch, kind)
    assert p.issuer.startswith("did:key:zDn" if kind == "p256" else "did:key:z82")
    run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--workers", "1",
            *(["--cryptosuite", suite] if suite else []))
    files = sorted(p.out.glob("*.json"))
    assert len(files) == 2
    for path in files:
        [proof] = json.loads(path.read_text(encoding="utf-8"))["proof"]
        assert proof["cryptosuite"] == (suite or "ecdsa-rdfc-2019")
        assert proof["verificationMethod"] == f"{p.issuer}#{p.issuer[8:]}"
        report = json.loads(run_cli("verify", path, "--json").stdout)
        assert report["verdict"] == "valid", report


def test_issue_refuses_a_suite_the_key_cannot_sign_in_before_reserving_anything(tmp_path, monkeypatch):
    p = ecdsa_project(tmp_path, monkeypatch)
    wrong = run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--cryptosuite", "eddsa-rdfc-2022", ok=2)
    assert "eddsa-rdfc-2022 needs a key of type Ed25519; the signing key is P-256" in wrong.stderr
    # The project's own Ed25519 key is not the issuer's did:key any more; the suite is checked first.
    ed = run_cli("issue", "--badge", "disks", p.roster, "--no-revocation", "--cryptosuite", "ecdsa-rdfc-2019", ok=2)
    assert "ecdsa-rdfc-2019 needs a key of type P-256 or P-384; the signing key is Ed25519" in ed.stderr
    assert "an Ed25519 key signs in eddsa-rdfc-2022 or eddsa-jcs-2022" in ed.stderr
    unknown = run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--cryptosuite", "bbs-2023", ok=2)
    assert "does not sign in the cryptosuite 'bbs-2023'" in unknown.stderr
    jwt = run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--format", "vc+jwt",
                  "--cryptosuite", "ecdsa-rdfc-2019", ok=2)  # (a P-256 key signs ES256 JWTs: tests/cli/test_issue_jose_cli.py)
    assert "--cryptosuite names a Data Integrity suite: it goes with --format ldp, not vc+jwt" in jwt.stderr
    assert "Traceback" not in wrong.stderr + ed.stderr + unknown.stderr + jwt.stderr
    assert not list(p.out.glob("*.json"))


def test_issue_in_ecdsa_sd_2023_writes_base_proofs_the_holder_can_check(tmp_path, monkeypatch):
    p = ecdsa_project(tmp_path, monkeypatch, "p256")
    run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--workers", "1", "--no-revocation",
            "--cryptosuite", "ecdsa-sd-2023")
    files = sorted(p.out.glob("*.json"))
    assert len(files) == 2
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        [proof] = doc["proof"]
        assert proof["cryptosuite"] == "ecdsa-sd-2023" and proof["proofValue"].startswith("u2V0A")  # a base proof
        report = json.loads(run_cli("verify", path, "--json").stdout)
        assert report["verdict"] == "valid", report
    p384 = ecdsa_project(tmp_path / "384", monkeypatch, "p384")
    result = run_cli("issue", "--badge", "disks", p384.roster, "--key", p384.key, "--cryptosuite", "ecdsa-sd-2023",
                     ok=2)
    assert "ecdsa-sd-2023 needs a key of type P-256" in result.output


def test_the_badge_class_chooses_what_an_ecdsa_sd_2023_holder_may_withhold(tmp_path, monkeypatch):
    # badgekit.disclose, as for SD-JWT VC: those members are selectively disclosable, the rest is
    # mandatory; the recipient's identifier always is (a disclosure without it names no recipient).
    from badgekit import ecdsa_sd

    p = ecdsa_project(tmp_path, monkeypatch, "p256")

    issued: list[str] = []

    def pointers() -> tuple[str, ...]:
        issued.append(f"r{len(issued)}@example.org")  # a new recipient each time
        p.roster.write_text(f"email,name,earned\n{issued[-1]},A,2025-06-01\n", encoding="utf-8")
        run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--workers", "1", "--no-revocation",
                "--cryptosuite", "ecdsa-sd-2023")
        [path] = sorted(p.out.glob("*.json"))
        [proof] = json.loads(path.read_text(encoding="utf-8"))["proof"]
        assert json.loads(run_cli("verify", path, "--json").stdout)["verdict"] == "valid"
        path.unlink()
        return ecdsa_sd.parse_base_proof_value(proof["proofValue"]).mandatory_pointers

    default = pointers()
    assert "/awardedDate" in default and "/credentialSubject/identifier" in default
    (p.root / "badges" / "disks.json").write_text(json.dumps(
        {**BADGE, "badgekit": {"disclose": ["awardedDate", "credentialSubject.identifier"]}}), encoding="utf-8")
    chosen = pointers()
    assert "/awardedDate" not in chosen and "/credentialSubject/identifier" in chosen
    assert set(default) - set(chosen) == {"/awardedDate"}
    (p.root / "badges" / "disks.json").write_text(json.dumps(
        {**BADGE, "badgekit": {"disclose": ["name"]}}), encoding="utf-8")
    refused = run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--cryptosuite",
                      "ecdsa-sd-2023", ok=2)
    assert "'name' cannot be selectively disclosable" in refused.output

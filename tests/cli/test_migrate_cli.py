"""``badgekit migrate``: a folder of Open Badges 2.0 badges (signed, hosted, baked; revoked,
tampered, unverifiable among them) → badge classes and rosters → OB 3.0 credentials of this
project's issuer that verify and keep each earner's identity hash; a second run issues nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit.errors import ExitCode
from tests.conftest import run_cli
from tests.invalid.ob2 import make_invalid_ob2 as MI

INVALID = Path(__file__).resolve().parent.parent / "invalid" / "ob2"


def old_badges(folder: Path) -> Path:
    """Five OB 2.0 badges of three earners, and three that must not be migrated."""
    folder.mkdir()
    (folder / "a-signed.jws").write_bytes(MI.valid_signed())
    hosted = MI.assertion(MI.HOSTED_1, signed=False)
    (folder / "b-hosted.json").write_bytes(MI.valid_hosted())
    bo = MI.assertion("urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0003", recipient=MI.identity("bo@example.com", "pepper"),
                      evidence=["https://portfolio.example.com/bo/1", {"name": "Demo", "narrative": "Live demo."}],
                      expires="2099-01-01T00:00:00Z")
    (folder / "c-bo.png").write_bytes(MI.baked_png(MI.jws(bo)))
    (folder / "d-revoked.jws").write_bytes((INVALID / "status--revoked-in-the-revocation-list.jws").read_bytes())
    (folder / "e-tampered.jws").write_bytes((INVALID / "signature--tampered-recipient.jws").read_bytes())
    cy = MI.assertion("urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0004", recipient=MI.identity("cy@example.com", "salt"),
                      verification={"type": "SignedBadge", "creator": "https://issuer.example.org/keys/9.json"})
    (folder / "f-unverifiable.jws").write_bytes(MI.jws(cy).encode())
    assert hosted["recipient"] == MI.identity()  # the same earner as a-signed: one credential for both
    return folder


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    run_cli("init", "--name", "New Issuer", "--url", "https://new.example.edu", "--no-input", "--no-status")
    old_badges(tmp_path / "old")
    return tmp_path


def migrate(*extra: str, ok: int = ExitCode.FAILED) -> dict:  # type: ignore[type-arg]
    result = run_cli("migrate", "old", "--ob2-doc", str(MI.DOCS), "--json", *extra, ok=ok)
    return json.loads(result.stdout)


def by_source(report: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {Path(a["source"]).name: a for a in report["assertions"]}


def test_dry_run_shows_what_would_be_issued_and_what_cannot_be_migrated_and_why(project: Path) -> None:
    report = migrate("--issue", "--dry-run", "--no-revocation")
    found = by_source(report)
    assert {k: v["status"] for k, v in found.items()} == {
        "a-signed.jws": "would-issue", "b-hosted.json": "not-migrated", "c-bo.png": "would-issue",
        "d-revoked.jws": "not-migrated", "e-tampered.jws": "not-migrated", "f-unverifiable.jws": "not-migrated"}
    assert found["b-hosted.json"]["reason"].startswith("the same recipient's assertion urn:uuid:6f1d2b1c")
    assert found["d-revoked.jws"]["reason"] == "revoked by its issuer: Awarded in error"
    assert found["e-tampered.jws"]["reason"].startswith("does not verify: 6 signature: the JWS signature does not verify")
    assert found["f-unverifiable.jws"]["reason"] == (
        "cannot be verified offline: supply https://issuer.example.org/keys/9.json (--ob2-doc), or migrate it "
        "unverified with --trust-unverified")
    assert not (project / "migration").exists() and not list((project / "out").glob("*.json"))  # nothing written


def test_migrated_credentials_verify_and_keep_the_identity_hash_and_a_second_run_issues_nothing(project: Path) -> None:
    report = migrate("--issue", "--no-revocation")
    found = by_source(report)
    assert found["a-signed.jws"]["status"] == "issued" and found["c-bo.png"]["status"] == "issued"
    (badge,) = report["badgeClasses"]
    assert badge["migratedFrom"] == MI.BADGE_ID and badge["rows"] == 2
    # The earner's IdentityObject is carried over unchanged, so verify --recipient matches the same person.
    for name, email, salt in (("a-signed.jws", "a@example.com", "deadsea"), ("c-bo.png", "bo@example.com", "pepper")):
        path = found[name]["path"]
        credential = json.loads(Path(path).read_text(encoding="utf-8"))
        (identifier,) = credential["credentialSubject"]["identifier"]
        assert (identifier["identityHash"], identifier["salt"]) == (MI.identity(email, salt)["identity"], salt)
        assert credential["awardedDate"] == "2025-01-01T00:00:00Z"
        assert credential["evidence"][0]["id"] == found[name]["assertion"]  # the old assertion id, as evidence
        assert credential["credentialSubject"]["achievement"]["related"] == [{"id": MI.BADGE_ID, "type": ["Related"]}]
        verified = run_cli("verify", path, "--recipient", email, "--json", ok=0)
        assert json.loads(verified.stdout)["verdict"] == "valid"
    bo = json.loads(Path(found["c-bo.png"]["path"]).read_text(encoding="utf-8"))
    assert bo["validUntil"] == "2099-01-01T00:00:00Z"  # expires carried over
    assert [e.get("id") for e in bo["evidence"]] == [found["c-bo.png"]["assertion"], "https://portfolio.example.com/bo/1", None]
    assert bo["evidence"][2]["name"] == "Demo" and bo["credentialSubject"]["narrative"].startswith("Completed")
    again = migrate("--issue", "--no-revocation")
    assert {a["status"] for a in again["assertions"]} == {"already-issued", "not-migrated"}
    assert {a["credentialId"] for a in again["assertions"] if a["credentialId"]} == \
        {a["credentialId"] for a in report["assertions"] if a["credentialId"]}
    assert len(list((project / "out").glob("*.json"))) == 2


def test_without_issue_it_writes_a_badge_class_and_a_roster_for_badgekit_issue(project: Path) -> None:
    report = migrate()
    (badge,) = report["badgeClasses"]
    roster = Path(badge["roster"]).read_text(encoding="utf-8")
    assert roster.splitlines()[0].startswith("identity_type,identity_hash,identity_salt,earned,valid_until,narrative")
    assert MI.identity()["identity"] in roster and "a@example.com" not in roster
    issued = run_cli("issue", badge["roster"], "--badge", badge["path"], "--no-revocation", "--json", ok=0)
    assert json.loads(issued.stdout)["counts"] == {"issued": 2}
    assert migrate("--issue", "--no-revocation")["counts"] == {"already-issued": 2, "not-migrated": 4}


def test_trust_unverified_migrates_what_cannot_be_verified_offline_marked_as_such(project: Path) -> None:
    report = migrate("--trust-unverified")
    found = by_source(report)["f-unverifiable.jws"]
    assert found["status"] == "migrate" and found["verified"] is False
    assert found["needs"] == ["https://issuer.example.org/keys/9.json"]
    assert by_source(report)["e-tampered.jws"]["status"] == "not-migrated"  # never what fails


def test_human_output_names_each_badge_and_the_next_step(project: Path) -> None:
    result = run_cli("migrate", "old", "--ob2-doc", str(MI.DOCS), ok=ExitCode.FAILED)
    assert "✗ not-migrated     old/d-revoked.jws  Teamwork  revoked by its issuer: Awarded in error" in result.stdout
    assert "next: badgekit issue" in result.stderr and "6 assertion(s): 2 migrate, 4 not-migrated" in result.stderr


def test_the_options_migrate_shares_with_verify_are_the_same_options() -> None:
    # migrate verifies each assertion as verify does: --ob2-doc, --at and --no-cache are declared once.
    import typer.main

    from badgekit.cli import app

    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    shared = ("ob2_doc", "at", "no_cache")
    options = {name: {p.name: p for p in commands[name].params if p.name in shared} for name in ("verify", "migrate")}
    for name in shared:
        verify, migrate = options["verify"][name], options["migrate"][name]
        assert (verify.opts, verify.metavar, verify.help) == (migrate.opts, migrate.metavar, migrate.help)


def test_a_badge_naming_a_huge_url_is_reported_in_a_few_lines(project: Path) -> None:
    # A baked badge holding a 1 MB "hosted assertion URL": the reason and --json needs held it
    # whole (a 10 MB one printed 10 MB).
    url = "https://issuer.example.org/assertions/" + "a" * 1_000_000
    (project / "old" / "g-huge.svg").write_bytes(MI.baked_svg(verify=url))
    result = run_cli("migrate", "old", "--ob2-doc", str(MI.DOCS), "--dry-run", ok=ExitCode.FAILED)
    assert len(result.stdout) + len(result.stderr) < 10_000
    huge = by_source(migrate("--dry-run"))["g-huge.svg"]
    assert huge["status"] == "not-migrated" and len(json.dumps(huge)) < 2_000, huge

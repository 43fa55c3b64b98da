"""The shared ``--key`` option (badgekit/cli/_options.py): every command that signs takes its key
from --key, else BADGEKIT_KEY, else the project's key_path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit import keys
from tests.conftest import run_cli

BADGE = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project."},
}
LAB = {**BADGE, "id": "urn:uuid:0b8c5a8e-9d7f-4e21-8a3b-6c5d4e3f2a10", "name": "Lab Safety",
       "badgekit": {"status_purpose": "suspension"}}
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """A project that issued with its own key, whose key then moved out of the project: only
    BADGEKIT_KEY (or --key) can find it now."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE", raising=False)
    root = tmp_path / "proj"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "python.json").write_text(json.dumps(BADGE), encoding="utf-8")
    (root / "badges" / "lab.json").write_text(json.dumps(LAB), encoding="utf-8")
    (root / "a.csv").write_text("email\nada@example.org\n", encoding="utf-8")
    (root / "b.csv").write_text("email\nbob@example.org\n", encoding="utf-8")
    monkeypatch.chdir(root)
    issued = {}
    for badge in ("python", "lab"):
        rows = json.loads(run_cli("issue", "--badge", badge, "a.csv", "--workers", "1", "--json").stdout)["rows"]
        issued[badge] = rows[0]["credentialId"]
    (tmp_path / "secrets").mkdir()
    moved = tmp_path / "secrets" / "issuer.pem"
    shutil.move(root / "issuer-key.pem", moved)
    return SimpleNamespace(root=root, key=moved, ids=issued)


COMMANDS = {
    "issue": lambda p: ("issue", "--badge", "python", "b.csv", "--workers", "1"),
    "status init": lambda p: ("status", "init"),
    "status publish": lambda p: ("status", "publish"),
    "revoke --publish": lambda p: ("revoke", p.ids["python"], "--reason", "issued in error", "--publish"),
    "suspend --publish": lambda p: ("suspend", p.ids["lab"], "--reason", "lapsed", "--publish"),
    "unsuspend --publish": lambda p: ("unsuspend", p.ids["lab"], "--reason", "renewed", "--publish"),
    "key did-web": lambda p: ("key", "did-web", "--domain", "example.edu", "--out", "site/did.json"),
    "sign": lambda p: ("sign", EXAMPLES / "credential.json", "--out", "signed.json"),
}


@pytest.mark.parametrize("command", COMMANDS)
def test_badgekit_key_is_the_key_of_every_command_that_signs(project: SimpleNamespace, command: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    args = COMMANDS[command](project)
    if command == "unsuspend --publish":
        run_cli("suspend", project.ids["lab"], "--reason", "lapsed")  # the ledger only: no key needed
    missing = "sign needs a signing key" if command == "sign" else "issuer-key.pem: no such key file"  # key_path is gone
    assert missing in run_cli(*args, ok=2).stderr
    monkeypatch.setenv("BADGEKIT_KEY", str(project.key))
    run_cli(*args)
    key = keys.load_key(project.key)
    if command == "key did-web":
        doc = json.loads((project.root / "site" / "did.json").read_text())
        assert doc["verificationMethod"][0]["publicKeyMultibase"] == key.public_key_multibase
    elif command == "sign":
        assert json.loads((project.root / "signed.json").read_text())["proof"][0]["verificationMethod"].startswith(key.did_key)
    elif command != "issue":
        published = json.loads((project.root / "out" / "status" / "revocation-1.json").read_text())
        assert published["proof"][0]["verificationMethod"].startswith(key.did_key)


def test_key_option_wins_over_badgekit_key_which_wins_over_the_project_key(project: SimpleNamespace,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGEKIT_KEY", str(project.root / "nowhere.pem"))
    run_cli("status", "publish", "--key", project.key)  # --key first
    assert "nowhere.pem" in run_cli("status", "publish", ok=2).stderr  # then BADGEKIT_KEY ...
    shutil.copy(project.key, project.root / "issuer-key.pem")
    assert "nowhere.pem" in run_cli("status", "publish", ok=2).stderr  # ... even with the project's key back
    monkeypatch.delenv("BADGEKIT_KEY")
    run_cli("status", "publish")  # and last the project's key


def test_sign_without_any_key_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    result = run_cli("sign", EXAMPLES / "credential.json", ok=2)
    assert "sign needs a signing key: --key FILE, or set BADGEKIT_KEY" in result.stderr


def test_issue_with_another_key_is_a_usage_error_and_reserves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issuer is the project key's did:key; --key names another Ed25519 key. Before, every
    credential was signed (exit 0) and recorded as issued, so the rerun with the right key issued
    nothing and every credential failed verification."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "proj"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "python.json").write_text(json.dumps(BADGE), encoding="utf-8")
    (root / "a.csv").write_text("email\nada@example.org\nbob@example.org\n", encoding="utf-8")
    monkeypatch.chdir(root)
    run_cli("key", "generate", tmp_path / "other.pem")
    other = keys.load_key(tmp_path / "other.pem")
    own = keys.load_key(root / "issuer-key.pem")
    for fmt in ("ldp", "jwt"):
        refused = run_cli("issue", "-b", "python", "a.csv", "--format", fmt, "--key", tmp_path / "other.pem", ok=2)
        assert refused.stderr.splitlines()[0] == (f"error: the signing key is {other.did_key}, but the issuer is {own.did_key}: "
                                                  "verifiers would reject every credential it signs")
        assert refused.stdout == "" and not list(root.glob("out/*.json")) + list(root.glob("out/*.jwt"))
    issued = json.loads(run_cli("issue", "-b", "python", "a.csv", "--workers", "1", "--json").stdout)
    assert issued["counts"] == {"issued": 2}  # nothing was reserved by the refused runs
    assert "but the issuer is" in run_cli("status", "publish", "--key", tmp_path / "other.pem", ok=2).stderr
    run_cli("status", "publish")
    for row in issued["rows"]:
        run_cli("verify", row["path"], "--status-list", "out/status")  # valid


def test_help_paragraphs_flow_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    # A docstring's ~100-column lines broke in two at 80 columns: "Works on     \n every credential\n with …"
    monkeypatch.setenv("COLUMNS", "80")
    lines = [line.rstrip() for line in run_cli("revoke", "--help").stdout.splitlines()]
    assert " every credential" not in lines
    assert any(line.startswith(" Revocation is final") and len(line) > 70 for line in lines)
    assert "   badgekit revoke urn:uuid:3f6c… --reason \"issued by mistake\"" in lines  # examples keep their lines

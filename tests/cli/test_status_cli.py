"""``badgekit revoke|suspend|unsuspend`` and ``badgekit status init|publish|show`` end to end:
init → issue → revoke → status publish → verify --status-list, with exit codes, stdout and stderr."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from badgekit import keys, status
from badgekit.issuing import IssueOptions, issue_roster
from badgekit.ledger import Ledger
from badgekit.project import Project
from tests.conftest import run_cli

BADGE = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project."},
}
LAB_SAFETY = {**BADGE, "id": "urn:uuid:0b8c5a8e-9d7f-4e21-8a3b-6c5d4e3f2a10", "name": "Lab Safety"}
REVOCATION_URL = "https://example.edu/status/revocation-1.json"


run = run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.setenv("USER", "registrar")
    monkeypatch.setattr("getpass.getuser", lambda: "registrar")
    root = tmp_path / "badges-project"
    run("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "python-basics.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "class.csv"
    roster.write_text("email,name\nada@example.org,Ada\nbob@example.org,Bob\ncy@example.org,Cy\n", encoding="utf-8")
    monkeypatch.chdir(root)
    run("issue", "--badge", "python-basics", roster, "--workers", "1")
    rows = [line.split(",") for line in (root / "out" / "issued.csv").read_text().splitlines()[1:]]
    creds = {email: Path(row[3]) for email, row in zip(("ada", "bob", "cy"), rows, strict=True)}
    ids = {email: json.loads(p.read_text())["id"] for email, p in creds.items()}
    return SimpleNamespace(root=root, files=creds, ids=ids, out=root / "out" / "status")


def verify_file(project: SimpleNamespace, path: Path, *extra: str, ok: int | None = None) -> Any:
    return run("verify", path, "--status-list", project.out, *extra, ok=ok)


def test_init_issue_revoke_publish_verify(project: SimpleNamespace) -> None:
    init = run("status", "init")
    assert init.stdout.split() == [str(project.out / "revocation-1.json"), str(project.out / "suspension-1.json")]
    assert f"host it at {REVOCATION_URL}" in init.stderr
    assert verify_file(project, project.files["ada"]).exit_code == 0  # empty lists: valid

    revoke = run("revoke", "--email", "ADA@example.org", "--reason", "issued by mistake")
    assert revoke.stdout.startswith(f"revoked {project.ids['ada']} (revocation-1.json #")
    assert "1 revoked" in revoke.stderr
    assert "run 'badgekit status publish'" in revoke.stderr
    # Not published yet: the hosted list still says valid.
    assert verify_file(project, project.files["ada"]).exit_code == 0

    run("status", "publish")
    revoked = verify_file(project, project.files["ada"])
    assert revoked.exit_code == 1
    assert "revoked: bit" in revoked.stdout and REVOCATION_URL in revoked.stdout
    assert verify_file(project, project.files["bob"]).exit_code == 0

    show = run("status", "show", "--json")
    rev, sus = json.loads(show.stdout)
    assert (rev["url"], rev["allocated"], rev["revoked"], rev["published"]["upToDate"]) == (REVOCATION_URL, 3, 1, True)
    assert (sus["statusPurpose"], sus["allocated"], sus["set"]) == ("suspension", 0, 0)

    history = run("status", "show", project.files["ada"])
    assert f"{project.ids['ada']}: revoked (revocation entry, revocation-1.json #" in history.stdout
    assert "revoked     by registrar: issued by mistake" in history.stdout


def test_revoke_takes_the_bare_uuid_the_credential_file_is_named_by(project: SimpleNamespace) -> None:
    # out/<uuid>.json: the name a user sees is the id without its urn:uuid: prefix
    bare = project.files["bob"].stem
    assert project.ids["bob"] == f"urn:uuid:{bare}"
    revoke = run("revoke", bare.upper(), "--reason", "issued by mistake")
    assert revoke.stdout.startswith(f"revoked {project.ids['bob']} (revocation-1.json #")
    assert "not-a-uuid: no such file, and not a credential id" in run("revoke", "not-a-uuid", "--reason", "x", ok=1).stderr


def test_revoke_by_csv_with_publish_and_dry_run(project: SimpleNamespace) -> None:
    issued = project.root / "out" / "issued.csv"
    dry = run("revoke", "--from-csv", issued, "--reason", "course cancelled", "--dry-run")
    assert dry.stdout.count("would be revoked") == 3 and "3 would be revoked" in dry.stderr
    assert not project.out.exists()

    done = run("revoke", "--from-csv", issued, "--reason", "course cancelled", "--publish", "--json")
    report = json.loads(done.stdout)
    assert report["counts"] == {"changed": 3}
    assert report["published"] == [str(project.out / "revocation-1.json")]
    for name in ("ada", "bob", "cy"):
        assert verify_file(project, project.files[name]).exit_code == 1

    again = run("revoke", "--from-csv", issued, "--reason", "course cancelled")
    assert again.stdout == "" and again.stderr.count("already revoked") == 3 and "3 unchanged" in again.stderr


def test_unknown_ids_fail_one_line_each_and_others_are_processed(project: SimpleNamespace) -> None:
    unknown = "urn:uuid:00000000-0000-4000-8000-000000000000"
    result = run("revoke", unknown, project.files["bob"], "nonsense", "--reason", "x", ok=1)
    assert result.stdout.startswith(f"revoked {project.ids['bob']}")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: nonsense: no such file, and not a credential id (urn:uuid:…)",
        f"error: {unknown}: not in this project's ledger",
    ]
    assert "1 revoked, 2 failed" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("revoke", "urn:uuid:00000000-0000-4000-8000-000000000000"), "--reason is required"),
        (("revoke", "--reason", "x"), "name the credentials: ids, files, --email or --from-csv"),
        (("suspend", "--from-csv", "missing.csv"), "missing.csv: no such file"),
        (("revoke", "--email", "a@example.org", "-m", "x", "--publish", "--dry-run"), "cannot be combined"),
    ],
)
def test_usage_errors_exit_2(project: SimpleNamespace, args: tuple[str, ...], message: str) -> None:
    result = run(*args, ok=2)
    assert message in result.stderr and result.stdout == ""


def test_suspend_needs_a_suspension_entry(project: SimpleNamespace) -> None:
    result = run("suspend", project.ids["ada"], ok=1)
    assert (
        f"{project.ids['ada']}: issued with a revocation-only status entry; revoke it, "
        "or issue the badge class with status_purpose: suspension"
    ) in result.stderr.replace("\n", " ")


def test_suspend_unsuspend_with_publish(project: SimpleNamespace) -> None:
    # A badge class whose policy says status_purpose: suspension, issued into the same ledger.
    proj = Project.load(project.root)
    key = keys.load_key(proj.key_path)
    roster = project.root / "safety.csv"
    roster.write_text("email,name\ndee@example.org,Dee\n", encoding="utf-8")
    lab = SimpleNamespace(id=LAB_SAFETY["id"], achievement=LAB_SAFETY,
                          policy=SimpleNamespace(validity=None, requirements=(), status_purpose="suspension"))
    with Ledger.open(proj.ledger_path) as ledger:
        report = issue_roster(roster_path=roster, badge=lab, issuer=proj.issuer, key=key, ledger=ledger,
                              options=IssueOptions(out_dir=proj.output_dir), status_base_url=proj.status_base_url)
    dee = Path(report.outcomes[0].path)
    assert json.loads(dee.read_text())["credentialStatus"]["statusPurpose"] == "suspension"

    run("suspend", "--email", "dee@example.org", "--reason", "training lapsed", "--publish")
    suspended = verify_file(project, dee)
    assert suspended.exit_code == 1 and "suspended: bit" in suspended.stdout

    run("unsuspend", dee, "--reason", "training renewed", "--publish")
    assert verify_file(project, dee).exit_code == 0

    run("revoke", dee, "--reason", "fraud", "--publish")
    final = run("unsuspend", dee, ok=1)
    assert "revocation is final" in final.stderr
    assert verify_file(project, dee).exit_code == 1


def test_status_init_without_base_url(project: SimpleNamespace) -> None:
    config = project.root / "badgekit.toml"
    config.write_text(config.read_text().replace('status_base_url = "https://example.edu/status/"', ""), encoding="utf-8")
    result = run("status", "init", ok=2)
    assert "project.status_base_url is not set" in result.stderr
    assert 'hint: add status_base_url = "https://example.edu/status/" under [project]' in result.stderr


def test_show_reports_stale_and_missing_published_lists(project: SimpleNamespace) -> None:
    fresh = run("status", "show")
    assert "revocation-1.json (revocation): 3 of 131,072 entries used; 0 revoked, 0 suspended" in fresh.stdout
    assert "not published yet" in fresh.stdout
    run("status", "publish", "--valid-for", "P7D", "--ttl", "PT6H")
    doc = json.loads((project.out / "revocation-1.json").read_text())
    assert doc["credentialSubject"]["ttl"] == 21_600_000 and "validUntil" in doc
    assert "current" in run("status", "show").stdout
    run("revoke", project.ids["cy"], "-m", "x")
    assert "out of date" in run("status", "show").stdout


def test_verify_rejects_short_foreign_and_corrupt_lists(project: SimpleNamespace, tmp_path: Path) -> None:
    from badgekit import proof

    run("status", "publish")
    good = json.loads((project.out / "revocation-1.json").read_text())
    key = keys.load_key(Project.load(project.root).key_path)
    other = keys.Ed25519Key.from_seed(bytes(range(32)))

    def signed(doc: dict[str, Any], signer_key: keys.Ed25519Key = key, **changes: Any) -> Path:
        body = {k: v for k, v in doc.items() if k != "proof"} | changes
        path = tmp_path / f"list-{len(list(tmp_path.iterdir()))}.json"
        path.write_text(json.dumps(proof.add_proof(body, signer_key.signer())), encoding="utf-8")
        return path

    subject = good["credentialSubject"]
    cases = {
        "fewer than 131,072": (signed(good, credentialSubject=subject | {"encodedList": status.Bitstring(8192).encode()}),
                               "STATUS_LIST_LENGTH_ERROR"),
        "another issuer": (signed(good, other, issuer=other.did_key), "signed by another issuer"),
        "corrupt": (signed(good, credentialSubject=subject | {"encodedList": "u" + "A" * 40}), "encodedList is not GZIP-compressed"),
    }
    for name, (path, reason) in cases.items():
        result = run("verify", project.files["ada"], "--status-list", f"{REVOCATION_URL}={path}", "--json", ok=1)
        report = json.loads(result.stdout)
        check = next(c for c in report["checks"] if c["id"] == "status")
        assert check["status"] == "failed", name
        assert reason in check["reason"], (name, check["reason"])


def test_verify_refuses_another_list_of_the_issuer_given_for_a_url(project: SimpleNamespace, tmp_path: Path) -> None:
    # The issuer's clean list 2 (validly signed, nothing set) handed over as list 1 must not turn
    # a revoked credential valid: a list's signed id must be the URL it is given for.
    run("revoke", project.ids["ada"], "--reason", "fraud", "--publish")
    proj = Project.load(project.root)
    list_2 = REVOCATION_URL.replace("revocation-1", "revocation-2")
    unsigned = status.list_credential(list_2, "revocation", status.Bitstring(), issuer=proj.issuer["id"],
                                      valid_from="2026-01-01T00:00:00Z")
    clean = tmp_path / "revocation-2.json"
    signer = proj.signer(keys.load_key(proj.key_path))
    clean.write_text(json.dumps(status.sign_list_credential(unsigned, signer)), encoding="utf-8")

    own = run("verify", project.files["ada"], "--status-list", f"{REVOCATION_URL}={project.out / 'revocation-1.json'}", ok=1)
    assert "revoked: bit" in own.stdout
    swapped = run("verify", project.files["ada"], "--status-list", f"{REVOCATION_URL}={clean}", "--json", ok=1)
    check = next(c for c in json.loads(swapped.stdout)["checks"] if c["id"] == "status")
    assert check["status"] == "failed"
    assert f"the list supplied for {REVOCATION_URL} is the status list '{list_2}' (its id)" in check["reason"]


def test_revoke_publish_retry_publishes_what_an_earlier_run_did_not(project: SimpleNamespace) -> None:
    run("status", "init")
    ada = project.ids["ada"]
    # The ledger commit happened, the publish did not (the run was killed, or --publish left out):
    # the published list still says valid, and a retry finds the credential already revoked.
    run("revoke", ada, "--reason", "fraud")
    assert verify_file(project, project.files["ada"]).exit_code == 0
    retry = json.loads(run("revoke", ada, "--reason", "fraud", "--publish", "--json").stdout)
    assert retry["counts"] == {"unchanged": 1}
    assert retry["published"] == [str(project.out / "revocation-1.json")]  # the suspension list was current
    assert "revoked: bit" in verify_file(project, project.files["ada"], ok=1).stdout
    again = run("revoke", ada, "--reason", "fraud", "--publish")
    assert "published status lists already match the ledger; nothing to publish" in again.stderr

    # A publish that fails after the commit (the status folder cannot be written), then a retry.
    project.out.rename(project.out.with_name("status.saved"))
    project.out.write_text("not a folder", encoding="utf-8")
    failed = run("revoke", project.ids["bob"], "--reason", "fraud", "--publish", ok=None)
    assert failed.exit_code != 0  # after the ledger commit
    project.out.unlink()
    project.out.with_name("status.saved").rename(project.out)
    assert verify_file(project, project.files["bob"]).exit_code == 0
    retry = run("revoke", project.ids["bob"], "--reason", "fraud", "--publish")
    assert "already revoked" in retry.stderr and f"published {project.out / 'revocation-1.json'}" in retry.stderr
    assert "revoked: bit" in verify_file(project, project.files["bob"], ok=1).stdout


def test_revoke_suspend_and_unsuspend_are_one_definition() -> None:
    import typer
    from typer.main import get_command

    from badgekit.cli import status as cli_status

    commands = (cli_status.revoke, cli_status.suspend, cli_status.unsuspend)
    assert len({c.__code__ for c in commands}) == 1  # one body and one parameter list, not three copies
    options = []
    for command in commands:
        app = typer.Typer()
        app.command()(command)
        options.append([(p.name, tuple(p.opts)) for p in get_command(app).params])
    assert options[0] == options[1] == options[2]
    assert ("reason", ("--reason", "-m")) in options[0]

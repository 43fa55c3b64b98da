"""``badgekit issue ROSTER --badge B --renew`` on a fixed clock: a credential issued, the clock moved
past its validUntil, renewed (a new credential naming the old one as evidence, a ``renewed`` event,
the old one left as it is); a re-run renews nothing; ``report --expiring`` lists what expires."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import run_cli

#: every module that reads the clock on the paths below (they import ``utc_now`` by name)
CLOCK_READERS = ("badgekit._time", "badgekit.issuing._run", "badgekit.issuing._plan", "badgekit.issuing._pathway",
                 "badgekit.ledger", "badgekit.cli.verify", "badgekit.cli.status", "badgekit.lifecycle._publish",
                 "badgekit.verify._state", "badgekit.proof", "badgekit.report._build", "badgekit.report._expiring")


def set_clock(monkeypatch: pytest.MonkeyPatch, when: datetime) -> None:
    for name in CLOCK_READERS:
        monkeypatch.setattr(importlib.import_module(name), "utc_now", lambda: when)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    set_clock(monkeypatch, datetime(2026, 1, 10, 9, 0, tzinfo=UTC))
    run_cli("init", "--name", "Example University", "--url", "https://example.edu", "--no-input")
    run_cli("badge", "new", "-t", "course-completion", "--set", "course_name=First Aid", "--no-input")
    badge = tmp_path / "badges" / "first-aid.yaml"
    badge.write_text(badge.read_text(encoding="utf-8").replace("badgekit:\n", "badgekit:\n  validity: P1Y\n"), encoding="utf-8")
    return tmp_path


def issue(project: Path, rows: str, *extra: str) -> dict:  # type: ignore[type-arg]
    roster = project / "first-aid.csv"
    roster.write_text("email,completed_on\n" + rows, encoding="utf-8")
    return json.loads(run_cli("issue", roster, "--badge", "first-aid", "--workers", "1", "--json", *extra).stdout)


def verify(project: Path, path: str, email: str) -> dict:  # type: ignore[type-arg]
    run_cli("status", "publish")
    out = run_cli("verify", path, "--status-list", project / "out" / "status", "--recipient", email, "--json")
    assert out.exit_code == 0
    result = json.loads(out.stdout)
    return result[0] if isinstance(result, list) else result


def test_renewal_links_the_old_credential_and_renews_nothing_twice(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = issue(project, "ada@example.org,2026-01-05\nbo@example.org,2026-01-05\n")
    assert first["counts"] == {"issued": 2}
    old = {r["line"]: r["credentialId"] for r in first["rows"]}
    old_doc = json.loads(Path(first["rows"][0]["path"]).read_text(encoding="utf-8"))
    assert old_doc["validUntil"] == "2027-01-10T09:00:00Z"

    # three weeks before expiry: both are in the expiring list
    set_clock(monkeypatch, datetime(2026, 12, 20, tzinfo=UTC))
    soon = json.loads(run_cli("report", "--expiring", "P30D", "--json").stdout)
    assert sorted(c["credentialId"] for c in soon["credentials"]) == sorted(old.values())

    # past expiry: --renew gives both a new credential naming the old one
    set_clock(monkeypatch, datetime(2027, 2, 1, tzinfo=UTC))
    assert issue(project, "ada@example.org,2027-01-28\nbo@example.org,2026-01-05\n", "--renew", "--dry-run")["counts"] == {"would-renew": 2}
    renewed = issue(project, "ada@example.org,2027-01-28\nbo@example.org,2026-01-05\n", "--renew")
    assert renewed["counts"] == {"renewed": 2}
    for row in renewed["rows"]:
        assert row["credentialId"] != old[row["line"]] and row["note"] == f"renews {old[row['line']]}"
        doc = json.loads(Path(row["path"]).read_text(encoding="utf-8"))
        (evidence,) = doc["evidence"]
        assert evidence["id"] == old[row["line"]] and evidence["type"] == ["Evidence"] and evidence["genre"] == "Renewal"
        assert doc["validUntil"] == "2028-02-01T00:00:00Z"
    result = verify(project, renewed["rows"][0]["path"], "ada@example.org")
    checks = {c["id"]: c["status"] for c in result["checks"]}
    assert checks["signature"] == checks["schema"] == checks["status"] == checks["validity"] == "passed"

    # the ledger records renewals (not reissues); the old credentials are left to expire, not revoked
    events = json.loads(run_cli("log", "--json", "--kind", "renewed").stdout)
    assert sorted(e["detail"]["renews"] for e in events) == sorted(old.values())
    assert not json.loads(run_cli("log", "--json", "--kind", "revoked").stdout)

    # a re-run renews nothing twice
    again = issue(project, "ada@example.org,2027-01-28\nbo@example.org,2026-01-05\n", "--renew")
    assert again["counts"] == {"already-issued": 2}
    assert {r["credentialId"] for r in again["rows"]} == {r["credentialId"] for r in renewed["rows"]}
    assert len(json.loads(run_cli("log", "--json", "--kind", "renewed").stdout)) == 2


def test_renew_leaves_active_credentials_and_issues_new_recipients(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    issue(project, "ada@example.org,2026-01-05\n")
    set_clock(monkeypatch, datetime(2026, 6, 1, tzinfo=UTC))  # ada's runs to 2027-01-10: not due
    out = issue(project, "ada@example.org,2026-05-30\ncy@example.org,2026-05-30\n", "--renew")
    assert out["counts"] == {"already-issued": 1, "issued": 1}
    assert "not due for renewal" in out["rows"][0]["note"]
    assert "--renew and --reissue" in run_cli("issue", project / "first-aid.csv", "--badge", "first-aid", "--renew", "--reissue", ok=2).stderr

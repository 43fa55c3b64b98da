"""A shared PostgreSQL ledger from the command line: selecting it (``[ledger] url``,
``BADGEKIT_LEDGER_URL``), an unreachable server, two projects issuing into one ledger at once
(real processes), revocations published from either project, and a connection killed mid-run.
The server is the throwaway one of tests/pgserver.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from badgekit.ledger import Ledger
from tests.cli.test_status_cli import BADGE
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]


def make_project(root: Path, url: str | None = None) -> Path:
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "python-basics.json").write_text(json.dumps(BADGE), encoding="utf-8")
    if url is not None:
        add_ledger_url(root, url)
    return root


def add_ledger_url(root: Path, url: str) -> None:
    with (root / "badgekit.toml").open("a", encoding="utf-8") as f:
        f.write(f'\n[ledger]\nurl = "{url}"\n')


def roster(path: Path, prefix: str, n: int) -> Path:
    path.write_text("email,name\n" + "".join(f"{prefix}{i}@example.org,Learner {i}\n" for i in range(n)), encoding="utf-8")
    return path


def badgekit(*args: Any, cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``badgekit ARGS`` in a process of its own, as a second machine or CI runner would run it."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "badgekit", *map(str, args)], cwd=cwd, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], timeout: float = 180) -> SimpleNamespace:
    out, err = proc.communicate(timeout=timeout)
    return SimpleNamespace(code=proc.returncode, stdout=out, stderr=err)


@pytest.fixture(autouse=True)
def _no_ledger_url_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGEKIT_LEDGER_URL", raising=False)
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)


# ---------------------------------------------------------------------------------------------
# selecting the ledger, and what is never shown


def test_an_unreachable_server_stops_issue_with_one_line_exit_2_and_no_password(tmp_path, monkeypatch) -> None:
    root = make_project(tmp_path / "p")
    roster(root / "class.csv", "a", 3)
    monkeypatch.chdir(root)
    monkeypatch.setenv("BADGEKIT_LEDGER_URL", f"postgresql://registrar:hunter2-secret@/badges?host={tmp_path}/down")
    result = run_cli("issue", "--badge", "python-basics", "class.csv", ok=2)
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"error: cannot connect to the ledger server {tmp_path}/down/.s.PGSQL.5432: No such file or directory"
    assert len(lines) == 2 and lines[1].strip().startswith("hint:") and "nothing was reserved" in lines[1]
    assert "hunter2" not in result.stderr + result.stdout
    assert not (root / "out").exists() and not (root / ".badgekit").exists()  # nothing written, no SQLite ledger either


def test_a_password_in_badgekit_toml_is_refused_without_showing_it(tmp_path, monkeypatch) -> None:
    root = make_project(tmp_path / "p", "postgresql://registrar:hunter2-secret@db.example.edu/badges")
    monkeypatch.chdir(root)
    result = run_cli("status", "show", ok=2)
    assert "ledger.url" in result.stderr and "holds a password" in result.stderr and "PGPASSWORD" in result.stderr
    assert "hunter2" not in result.stderr + result.stdout and "registrar:***@db.example.edu" in result.stderr


def test_the_environment_overrides_the_project_and_must_be_a_postgresql_url(tmp_path, monkeypatch, postgres_url) -> None:
    root = make_project(tmp_path / "p", "postgresql://nobody@/nowhere?host=/nonexistent")
    roster(root / "class.csv", "a", 2)
    monkeypatch.chdir(root)
    monkeypatch.setenv("BADGEKIT_LEDGER_URL", postgres_url)
    run_cli("issue", "--badge", "python-basics", "class.csv", "--workers", "1")
    assert len(list(Ledger.open(postgres_url).issuances())) == 2 and not (root / ".badgekit").exists()
    monkeypatch.setenv("BADGEKIT_LEDGER_URL", str(tmp_path / "ledger.sqlite3"))
    assert "BADGEKIT_LEDGER_URL" in run_cli("status", "show", ok=2).stderr


# ---------------------------------------------------------------------------------------------
# two projects, one ledger


def test_two_projects_issue_at_once_into_one_ledger_and_publish_each_others_revocations(tmp_path, postgres_url) -> None:
    a = make_project(tmp_path / "department-a")
    b = tmp_path / "department-b"  # the same issuer (key, badge classes) in another folder
    shutil.copytree(a, b)
    for root in (a, b):
        add_ledger_url(root, postgres_url)
    roster(a / "class.csv", "a", 150)
    roster(b / "class.csv", "b", 150)
    procs = [badgekit("issue", "--badge", "python-basics", "class.csv", "--workers", "1", "--json", cwd=root)
             for root in (a, b)]
    runs = [finish(p) for p in procs]
    assert [r.code for r in runs] == [0, 0], [r.stderr for r in runs]

    ledger = Ledger.open(postgres_url)
    rows = list(ledger.issuances())
    assert len(rows) == 300 and len({r.credential_id for r in rows}) == 300  # every credential once
    assert len({(r.list_id, r.status_index) for r in rows}) == 300 and len({r.list_id for r in rows}) == 1  # one shared list

    def issued(root: Path) -> dict[str, Path]:
        lines = (root / "out" / "issued.csv").read_text().splitlines()[1:]
        return {line.split(",")[2]: Path(line.split(",")[3]) for line in lines}

    files_a, files_b = issued(a), issued(b)
    [ida, *_], [idb, *_] = sorted(files_a), sorted(files_b)
    # each project revokes one of the other's credentials: the ledger is shared
    assert finish(badgekit("revoke", idb, "--reason", "duplicate", cwd=a)).code == 0
    assert finish(badgekit("revoke", ida, "--reason", "duplicate", cwd=b)).code == 0
    # the other project's roster is already issued, with the same ids
    again = finish(badgekit("issue", "--badge", "python-basics", a / "class.csv", "--workers", "1", "--json", cwd=b))
    assert again.code == 0 and json.loads(again.stdout)["counts"].get("issued", 0) == 0

    for publisher in (a, b):  # whoever publishes, the list holds both revocations
        assert finish(badgekit("status", "publish", cwd=publisher)).code == 0
        lists = publisher / "out" / "status"
        for cid, path, expected in ((ida, files_a[ida], 1), (idb, files_b[idb], 1), (sorted(files_a)[1], files_a[sorted(files_a)[1]], 0)):
            verdict = run_cli("verify", path, "--status-list", lists, ok=None)
            assert verdict.exit_code == expected, (publisher.name, cid, verdict.stdout)
    show = json.loads(finish(badgekit("status", "show", "--json", cwd=b)).stdout)
    assert [(s["allocated"], s["revoked"]) for s in show if s["statusPurpose"] == "revocation"] == [(300, 2)]


@pytest.mark.parametrize("fault", ["terminate", "restart"])
def test_a_connection_killed_mid_run_stops_cleanly_and_the_next_run_resumes(tmp_path, postgres_server, postgres_url, fault) -> None:
    """The server cuts the run's session (pg_terminate_backend), or restarts (pg_ctl restart)."""
    root = make_project(tmp_path / "p", postgres_url)
    roster(root / "class.csv", "k", 2000)
    proc = badgekit("issue", "--badge", "python-basics", "class.csv", "--workers", "1", cwd=root)
    dbname = postgres_url.split("/")[3].split("?")[0]
    ledger = Ledger.open(postgres_url)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        states = ledger._conn.execute("SELECT count(*) FILTER (WHERE state = 'issued'), count(*) FROM issuances").fetchone()
        if states[0] > 0:  # signing has begun: some marked issued, more reserved or coming
            break
        time.sleep(0.02)
    if fault == "terminate":
        assert postgres_server.terminate(dbname) >= 1  # our own reader's connection too
    else:
        ledger.close()
        postgres_server.restart()
    ledger = Ledger.open(postgres_url)
    stopped = finish(proc)
    assert stopped.code == 2, stopped.stderr
    lines = stopped.stderr.strip().splitlines()
    if fault == "terminate":
        assert lines[0].startswith("error: lost the connection to the ledger server ") and "run the command again" in lines[1]
    else:  # while the server restarts, the run may lose its session or fail to open a new one: one line either way
        assert lines[0].startswith(("error: lost the connection to the ledger server ",
                                    "error: cannot connect to the ledger server ")), lines
        assert len(lines) <= 2, lines
    assert "Traceback" not in stopped.stderr and "INSERT" not in stopped.stderr and "SELECT" not in stopped.stderr
    partial = list(ledger.issuances())
    assert 0 < sum(i.state == "issued" for i in partial) < 2000, "the kill should land mid-run"

    resumed = finish(badgekit("issue", "--badge", "python-basics", "class.csv", "--workers", "2", cwd=root))
    assert resumed.code == 0, resumed.stderr
    rows = list(ledger.issuances())
    assert len(rows) == 2000 and all(r.state == "issued" for r in rows)  # exactly one credential per row
    assert len({(r.list_id, r.status_index) for r in rows}) == 2000
    assert len(list((root / "out").glob("*.json"))) == 2000


# ---------------------------------------------------------------------------------------------
# badgekit ledger check / migrate


def test_ledger_migrate_to_postgresql_check_and_back(tmp_path, monkeypatch, postgres_url) -> None:
    root = make_project(tmp_path / "p")
    roster(root / "class.csv", "m", 20)
    monkeypatch.chdir(root)
    run_cli("issue", "--badge", "python-basics", "class.csv", "--workers", "1")
    run_cli("revoke", "--email", "m0@example.org", "--reason", "issued by mistake")
    before = json.loads(run_cli("ledger", "check", "--json").stdout)
    assert before["ok"] and before["engine"] == "sqlite" and before["states"] == {"issued": 19, "revoked": 1}

    moved = run_cli("ledger", "migrate", "--to", postgres_url)
    assert "copied 20 credentials" in moved.stderr and "row count and checksum match" in moved.stderr
    assert f'[ledger] url = "{postgres_url}"' in moved.stderr
    add_ledger_url(root, postgres_url)
    after = json.loads(run_cli("ledger", "check", "--json").stdout)
    assert after["engine"] == "postgresql" and after["tables"] == before["tables"]
    again = json.loads(run_cli("issue", "--badge", "python-basics", "class.csv", "--json").stdout)
    assert again["counts"].get("issued", 0) == 0 and again["counts"]["already-issued"] == 20

    refused = run_cli("ledger", "migrate", "--to", ".badgekit/ledger.sqlite3", ok=2)  # the old file still holds them
    assert "cannot take it twice" in refused.stderr
    back = json.loads(run_cli("ledger", "migrate", "--to", tmp_path / "back.sqlite3", "--json").stdout)
    assert back["verified"] and back["copied"]["issuances"] == 20
    assert back["targetTables"]["issuances"] == after["tables"]["issuances"]

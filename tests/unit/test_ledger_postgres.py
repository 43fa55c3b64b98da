"""badgekit.ledger on PostgreSQL only: URLs and passwords, an unreachable server, a lost
connection, conflicts the server resolves by aborting a transaction, and the minimal role the
docs/ledger.md documents. The server is the throwaway one of tests/pgserver.py."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from badgekit import lifecycle
from badgekit.errors import ExitCode, LedgerError
from badgekit.ledger import Ledger, _postgres, redact_url, url_password

URL = "https://example.edu/status/"


def url_for(n: int) -> str:
    return f"{URL}revocation-{n}.json"


def item(ledger: Ledger, who: str) -> dict[str, Any]:
    return {"badge_id": "urn:uuid:badge", "recipient_key": ledger.recipient_key(f"email:{who}@example.org"),
            "generation": 1, "row_fingerprint": "f", "issued_at": "2026-01-15T12:00:00Z"}


@pytest.mark.parametrize(("url", "shown"), [
    ("postgresql://app:s3cret@db.example.edu:5432/badges?sslmode=require",
     "postgresql://app:***@db.example.edu:5432/badges?sslmode=require"),
    ("postgres://app@db.example.edu/badges", "postgres://app@db.example.edu/badges"),
    ("postgresql:///badges?host=/run/pg&password=s3cret&user=app", "postgresql:///badges?host=/run/pg&password=***&user=app"),
    ("postgresql://app:p%40ss@[::1]/badges", "postgresql://app:***@[::1]/badges"),
])
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert redact_url(url) == shown
    assert url_password(url) in (None, "s3cret", "p@ss")


def test_an_unreachable_server_is_one_line_naming_the_host_and_cause_without_the_password(tmp_path) -> None:
    url = f"postgresql://badgekit:s3cret-pw@/ledger?host={tmp_path}/no-server-here"
    with pytest.raises(LedgerError) as caught:
        Ledger.open(url)
    err = caught.value
    assert err.exit_code == ExitCode.USAGE
    assert "\n" not in err.message and "s3cret" not in err.diagnostics()
    assert err.message == f"cannot connect to the ledger server {tmp_path}/no-server-here/.s.PGSQL.5432: No such file or directory"
    assert "nothing was reserved" in err.hint


def test_without_the_driver_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if badgekit[postgres] were not installed
    with pytest.raises(LedgerError, match="psycopg driver") as caught:
        Ledger.open("postgresql://app@db.example.edu/badges")
    assert "badgekit[postgres]" in caught.value.hint


def _dbname(url: str) -> str:
    return url.split("/")[3].split("?")[0]


def test_a_connection_killed_mid_transaction_stops_cleanly_and_the_next_call_reconnects(postgres_server, postgres_url) -> None:
    ledger = Ledger.open(postgres_url)
    [kept] = ledger.reserve([item(ledger, "ada")], purpose="revocation", url_for=url_for, issuer="did:example:a")
    with pytest.raises(LedgerError) as caught, ledger.transaction():
        ledger.record_event(kept.credential_id, "exported", actor="t")
        assert postgres_server.terminate(_dbname(postgres_url)) == 1
        ledger.record_event(kept.credential_id, "exported", actor="t")
    assert caught.value.message.startswith("lost the connection to the ledger server ")
    assert "\n" not in caught.value.message and "run the command again" in caught.value.hint
    # Between transactions the ledger opens a new connection; the half-done transaction left nothing.
    assert [e.kind for e in ledger.events(credential_id=kept.credential_id)] == []
    assert ledger.get(kept.credential_id) == kept


def _fail_event_inserts(postgres_url: str, times: int, sqlstate: str) -> None:
    """Make the server abort the next ``times`` event inserts with ``sqlstate`` (a real server
    error, as a deadlock or serialisation failure would raise)."""
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("CREATE SEQUENCE attempts")  # nextval is not undone by the rollback
        conn.execute(f"""
            CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('attempts') <= {times} THEN
                    RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = '{sqlstate}';
                END IF;
                RETURN NEW;
            END $$""")
        conn.execute("CREATE TRIGGER fail_once BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION fail_once()")


@pytest.mark.parametrize("sqlstate", ["40001", "40P01"])  # serialization_failure, deadlock_detected
def test_serialisation_failures_and_deadlocks_are_run_again(postgres_url: str, sqlstate: str) -> None:
    ledger = Ledger.open(postgres_url)
    _fail_event_inserts(postgres_url, 2, sqlstate)
    ledger.record_event(None, "published", actor="t")  # aborted twice, then recorded once
    assert [e.kind for e in ledger.events()] == ["published"]


def test_a_conflict_that_never_clears_is_one_line_without_sql(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("badgekit.ledger.time.sleep", lambda s: None)
    ledger = Ledger.open(postgres_url)
    _fail_event_inserts(postgres_url, 10**6, "40001")
    with pytest.raises(LedgerError) as caught:
        ledger.record_event(None, "published", actor="t")
    message = caught.value.message
    assert message.endswith("could not serialize access due to concurrent update")
    assert "INSERT" not in message and "\n" not in message
    assert list(ledger.events()) == []


def test_a_role_with_only_the_documented_rights_issues_revokes_and_publishes(postgres_server, postgres_url, tmp_path) -> None:
    from tests.unit.test_lifecycle import ACHIEVEMENT, KEY, badge, issue, project_for

    Ledger.open(postgres_url).close()  # the owner creates the tables (first open)
    db = _dbname(postgres_url)
    with postgres_server.admin(db) as conn:  # docs/ledger.md's "Teams" grants, word for word
        conn.execute("CREATE ROLE badgekit_ci LOGIN")
        conn.execute(f"GRANT CONNECT ON DATABASE {db} TO badgekit_ci")
        conn.execute("GRANT USAGE ON SCHEMA public TO badgekit_ci")
        conn.execute("GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA public TO badgekit_ci")
    ci_url = postgres_url.replace("postgresql://badgekit@", "postgresql://badgekit_ci@")
    with Ledger.open(ci_url) as ledger:
        issued = issue(tmp_path, ledger, badge(ACHIEVEMENT, "revocation"), ["ada@example.org", "bob@example.org"])
        [change] = lifecycle.change_status(ledger, [issued["ada@example.org"]["id"]], "revoked", "mistake", "ci")
        assert change.outcome == "changed"
        paths = lifecycle.publish_lists(ledger, project_for(tmp_path), KEY, tmp_path / "status", _now())
        assert [p.name for p in paths] == ["revocation-1.json"]
        # and nothing more: it cannot delete what the ledger holds
        with pytest.raises(LedgerError, match="permission denied for table issuances"):
            ledger._conn.execute("DELETE FROM issuances")


def _now() -> Any:
    from datetime import UTC, datetime

    return datetime(2026, 1, 16, 9, 0, tzinfo=UTC)


def test_the_engine_module_is_not_imported_for_sqlite(tmp_path) -> None:
    import subprocess

    code = ("import sys; from badgekit.ledger import Ledger; Ledger.open(sys.argv[1]).close(); "
            "print('psycopg' in sys.modules, 'badgekit.ledger._postgres' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "l.sqlite3")], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
    assert _postgres.LOCK_KEY > 0

"""badgekit.ledger on both engines (SQLite file, PostgreSQL database): opening safely from several
processes at once, schema versions, status lists shared by URL and owned by their issuer, one
ledger shared by several projects."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from random import Random
from typing import Any

import pytest

from badgekit.errors import LedgerError
from badgekit.ledger import LIST_SIZE, SCHEMA_VERSION, AlreadyReserved, Ledger, _schema
from badgekit.ledger._models import _SELECT

ROOT = Path(__file__).resolve().parents[2]

OPEN_AT = """
import sys, time
from badgekit.ledger import Ledger
start = float(sys.argv[2])
while time.time() < start:
    pass
print(Ledger.open(sys.argv[1]).secret.hex())
"""


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_processes_creating_the_same_new_ledger_at_once_all_succeed_and_share_one_secret(tmp_path, engine, request):
    # Before the fix, 3 of 4 such races failed with "database is locked": SQLite answers a
    # journal-mode change on a brand-new file with SQLITE_BUSY without waiting. On PostgreSQL the
    # tables are created under the ledger's write lock, so concurrent first opens create them once.
    server = request.getfixturevalue("postgres_server") if engine == "postgresql" else None
    for trial in range(4 if server is None else 2):
        path = tmp_path / f"l{trial}.sqlite3" if server is None else server.new_database()
        start = time.time() + 0.7  # after both interpreters have imported badgekit
        procs = [
            subprocess.Popen([sys.executable, "-c", OPEN_AT, str(path), str(start)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
        assert len({out for out, _ in results}) == 1


def test_reopening_keeps_the_secret_and_schema(ledger_target):
    first = Ledger.open(ledger_target).secret
    with Ledger.open(ledger_target) as again:
        assert again.secret == first
        if again.engine == "sqlite":
            assert again._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert again._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        else:
            from badgekit.ledger import _postgres

            assert _postgres.schema_version(again._conn) == SCHEMA_VERSION


def test_issuances_of_and_state_at(ledger_target):
    from datetime import UTC, datetime

    with Ledger.open(ledger_target) as ledger:
        def item(badge, who, until=None):
            return {"badge_id": badge, "recipient_key": ledger.recipient_key(who), "generation": 1, "row_fingerprint": "f",
                    "issued_at": "2026-01-15T12:00:00Z", "valid_until": until, "earned_at": None}

        a, b, c, d = ledger.reserve([item("A", "email:ada@x.org", "2027-01-15T12:00:00Z"), item("A", "email:bob@x.org"),
                                     item("B", "email:ada@x.org"), item("A", "email:cy@x.org")], purpose=None)
        ledger.mark_issued([(a.credential_id, "a"), (b.credential_id, "b"), (c.credential_id, "c")])
        ledger.change_state(b.credential_id, "suspended", reason=None, actor="t")
        found = ledger.issuances_of(["A"], [ledger.recipient_key(k) for k in ("email:ada@x.org", "email:bob@x.org", "email:cy@x.org")])
        assert sorted(i.credential_id for i in found) == sorted([a.credential_id, b.credential_id, d.credential_id])
        assert ledger.issuances_of([], [a.recipient_key]) == [] and ledger.issuances_of(["A"], []) == []
        now, later = datetime(2026, 6, 1, tzinfo=UTC), datetime(2027, 1, 15, 12, tzinfo=UTC)
        states = {i.credential_id: (i.state_at(now), i.state_at(later)) for i in found}
        assert states == {a.credential_id: ("active", "expired"), b.credential_id: ("suspended", "suspended"),
                          d.credential_id: ("pending", "pending")}
        revoked = ledger.change_state(a.credential_id, "revoked", reason=None, actor="t")
        assert revoked.state_at(later) == "revoked"


def test_a_ledger_from_a_newer_badgekit_is_refused(ledger_target):
    with Ledger.open(ledger_target) as ledger:
        if ledger.engine == "sqlite":
            ledger._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        else:
            ledger._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(LedgerError, match="newer badgekit"):
        Ledger.open(ledger_target)


def test_a_file_that_is_not_a_ledger_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="notes.sqlite3"):
        Ledger.open(path)


RESERVE_OVER_LIMIT = """
import resource, sys
from badgekit.errors import LedgerError
from badgekit.ledger import Ledger
ledger = Ledger.open(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (128 * 1024, resource.RLIM_INFINITY))
items = [dict(badge_id="b", recipient_key=f"r{i}", generation=1, row_fingerprint="f" * 64,
              issued_at="2026-01-15T12:00:00Z") for i in range(5000)]
try:
    ledger.reserve(items, purpose=None)
except LedgerError as exc:
    print(exc.message)
"""


def test_a_full_disk_is_a_ledger_error_and_the_ledger_is_unchanged(tmp_path):
    # The file-size limit (ulimit -f) stands in for a full disk: SQLite's write fails mid-transaction.
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    done = subprocess.run([sys.executable, "-c", RESERVE_OVER_LIMIT, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout in (f"{path}: cannot update the ledger (disk I/O error)\n",
                           f"{path}: cannot update the ledger (database or disk is full)\n")
    with Ledger.open(path) as ledger:
        assert list(ledger.issuances()) == []  # rolled back whole
        ledger.reserve([dict(badge_id="b", recipient_key="r", generation=1, row_fingerprint="f",
                             issued_at="2026-01-15T12:00:00Z")], purpose=None)
        assert len(list(ledger.issuances())) == 1


def test_a_file_where_the_ledger_folder_should_be_is_named(tmp_path):
    (tmp_path / ".badgekit").write_text("not a folder")
    with pytest.raises(LedgerError) as info:
        Ledger.open(tmp_path / ".badgekit" / "ledger.sqlite3")
    assert info.value.message == (f"{tmp_path / '.badgekit' / 'ledger.sqlite3'}: cannot create the ledger "
                                  f"({tmp_path / '.badgekit'} is a file, not a folder)")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only files")
def test_a_read_only_ledger_is_a_ledger_error(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    for p in tmp_path.iterdir():
        p.chmod(0o444)
    try:
        with pytest.raises(LedgerError, match=r"ledger\.sqlite3: cannot (update|open) the ledger \(.*readonly"), \
                Ledger.open(path) as ledger:
            ledger.record_event(None, "published", actor="t")
    finally:
        for p in tmp_path.iterdir():
            p.chmod(0o644)


def test_an_export_is_recorded_once_and_only_for_credentials_in_the_ledger(tmp_path):
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        [issued] = ledger.reserve([{"badge_id": "urn:uuid:b", "recipient_key": "k", "generation": 1,
                                    "row_fingerprint": "f", "issued_at": "2026-01-01T00:00:00Z"}], purpose=None)
        cid = issued.credential_id
        assert ledger.record_exported(cid, "/site/badges/a", actor="registrar") is True
        assert ledger.record_exported(cid, "/site/badges/a", actor="someone else") is False  # written again
        assert ledger.record_exported(cid, "/elsewhere/a", actor="registrar") is True  # another export
        assert ledger.record_exported("urn:uuid:not-ours", "/site/badges/x", actor="registrar") is False
        exported = [(e.credential_id, e.actor, e.detail) for e in ledger.events(kinds=["exported"])]
        assert exported == [(cid, "registrar", {"as": "bundle", "path": "/site/badges/a"}),
                            (cid, "registrar", {"as": "bundle", "path": "/elsewhere/a"})]


def _items(ledger: Ledger, emails: list[str]) -> list[dict[str, object]]:
    return [{"badge_id": "urn:uuid:b", "recipient_key": ledger.recipient_key(e), "generation": 1, "row_fingerprint": "f",
             "issued_at": "2026-01-15T12:00:00Z"} for e in emails]


def test_two_runs_reserving_the_same_credentials_the_second_is_told_what_happened(tmp_path):
    """Two runs of one roster plan the same rows; the first to reserve wins. The second's
    transaction is rolled back and it says so in one line: no SQLite constraint text."""
    path = tmp_path / "ledger.sqlite3"
    url_for = "https://example.edu/status/revocation-{}.json".format
    with Ledger.open(path) as first, Ledger.open(path) as second:
        won = first.reserve(_items(first, ["a@example.org", "b@example.org"]), purpose="revocation", url_for=url_for)
        with pytest.raises(AlreadyReserved) as caught:
            second.reserve(_items(second, ["c@example.org", "b@example.org"]), purpose="revocation", url_for=url_for)
        error = caught.value
        assert isinstance(error, LedgerError) and error.exit_code == 2
        assert error.message == f"{path}: another run is issuing this roster at the same time; this run stopped, nothing is lost"
        assert error.hint == "run the same command again once the other run has finished: it issues what is left, once"
        assert "UNIQUE" not in error.diagnostics() and "\n" not in error.message
        rows = list(second.issuances())
        assert {r.credential_id for r in rows} == {r.credential_id for r in won}  # c was not reserved either
        # The loser's connection still works: the next run's reservation goes through.
        again = second.reserve(_items(second, ["c@example.org"]), purpose="revocation", url_for=url_for)
        assert again[0].status_index not in {r.status_index for r in won}
# ---------------------------------------------------------------------------------------------
# schema versions


def test_a_version_1_ledger_is_upgraded_in_place_and_keeps_everything(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as conn:  # a ledger as badgekit wrote it before lists had owners
        for statement in _schema.SQLITE[1]:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO meta VALUES ('secret', ?)", ("ab" * 32,))
        conn.execute("INSERT INTO status_lists (purpose, url, size, created) VALUES ('revocation', ?, ?, 'then')",
                     (URL(1), LIST_SIZE))
    with Ledger.open(path) as ledger:
        assert ledger._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        assert ledger.secret == bytes.fromhex("ab" * 32)
        assert ledger.lists(issuer="did:example:a") == [(1, "revocation", URL(1), LIST_SIZE)]  # no owner yet: the one issuer's
        [first] = ledger.reserve([item(ledger, "ada")], purpose="revocation", url_for=URL, issuer="did:example:a")
        assert first.list_id == 1  # the old list is used, and now belongs to the issuer
        assert ledger.lists(issuer="did:example:b") == []


# ---------------------------------------------------------------------------------------------
# status lists: identified by their URL, owned by their issuer


def URL(n: int, base: str = "https://a.example/status/", purpose: str = "revocation") -> str:
    return f"{base}{purpose}-{n}.json"


def item(ledger: Ledger, who: str, badge: str = "urn:uuid:badge") -> dict[str, Any]:
    return {"badge_id": badge, "recipient_key": ledger.recipient_key(f"email:{who}@example.org"), "generation": 1,
            "row_fingerprint": "f", "issued_at": "2026-01-15T12:00:00Z", "valid_until": None, "earned_at": None}


def test_issuers_sharing_a_ledger_keep_separate_lists_and_cannot_take_each_others(ledger_target):
    with Ledger.open(ledger_target) as ledger:
        [a] = ledger.reserve([item(ledger, "ada")], purpose="revocation", url_for=URL, issuer="did:example:a")
        b_url = lambda n: URL(n, "https://b.example/status/")  # noqa: E731
        [b] = ledger.reserve([item(ledger, "bob")], purpose="revocation", url_for=b_url, issuer="did:example:b")
        assert (a.list_url, b.list_url) == (URL(1), b_url(1)) and a.list_id != b.list_id
        assert [r[2] for r in ledger.lists(issuer="did:example:a")] == [URL(1)]
        assert [r[2] for r in ledger.lists(issuer="did:example:b")] == [b_url(1)]
        assert len(ledger.lists()) == 2
        # issuer b pointing at issuer a's URLs would put its credentials on a list a signs
        with pytest.raises(LedgerError, match=r"revocation-1.json belongs to issuer did:example:a.*not to did:example:b"):
            ledger.reserve([item(ledger, "cy")], purpose="revocation", url_for=URL, issuer="did:example:b")
        assert ledger.get(ledger.credential_id("urn:uuid:badge", item(ledger, "cy")["recipient_key"], 1)) is None


def test_two_projects_on_one_ledger_share_ids_lists_and_indices(ledger_target):
    """Each Ledger object stands for a project: the same secret (same credential ids), the same
    list for the same URL, and no index handed out twice although each keeps its own cache."""
    one, two = Ledger.open(ledger_target), Ledger.open(ledger_target)
    assert one.recipient_key("email:x@y.z") == two.recipient_key("email:x@y.z")
    rng1, rng2 = Random(1), Random(1)  # the same random picks: only the ledger keeps them apart
    got = []
    for n in range(4):
        for ledger, rng, name in ((one, rng1, "one"), (two, rng2, "two")):
            got += ledger.reserve([item(ledger, f"{name}{n}-{k}") for k in range(25)], purpose="revocation",
                                  url_for=URL, rng=rng, issuer="did:example:a")
    assert len({i.list_id for i in got}) == 1
    assert len({i.status_index for i in got}) == len(got) == 200
    assert {i.credential_id for i in two.issuances()} == {i.credential_id for i in got}
    one.close()
    two.close()


def test_an_index_taken_behind_the_ledgers_back_makes_the_reservation_run_again(ledger_target, monkeypatch):
    """The unique constraint is the final guard: a stale view of the used indices (as a writer
    outside the lock would cause) ends in a retried transaction, not an error or a duplicate."""
    with Ledger.open(ledger_target) as one, Ledger.open(ledger_target) as two:
        [first] = one.reserve([item(one, "ada")], purpose="revocation", url_for=URL, rng=Random(5), issuer="did:example:a")
        two.ensure_list("revocation", URL, issuer="did:example:a")
        refresh, calls = Ledger._refresh_used, []

        def stale_once(self: Ledger, conn: Any) -> None:
            calls.append(1)
            if len(calls) > 1:
                refresh(self, conn)

        monkeypatch.setattr(Ledger, "_refresh_used", stale_once)
        two._used.clear()
        two._seen_rowid = 10**9  # as if every row had been seen: the cache misses ada's index
        [second] = two.reserve([item(two, "bob")], purpose="revocation", url_for=URL, rng=Random(5), issuer="did:example:a")
        assert len(calls) >= 2, "the first attempt should have collided and run again"
        assert second.status_index != first.status_index and two.get(second.credential_id) is not None
        assert len(list(two.issuances())) == 2


def test_a_version_2_ledger_gains_the_addresses_table(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    with sqlite3.connect(path) as conn:
        for version in (1, 2):
            for statement in _schema.SQLITE[version]:
                conn.execute(statement)
        conn.execute("PRAGMA user_version = 2")
        conn.execute("INSERT INTO meta VALUES ('secret', ?)", ("ab" * 32,))
    with Ledger.open(path) as ledger:
        assert ledger._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        ledger.record_addresses([("urn:uuid:a", "ada@example.org", "Ada"), ("urn:uuid:b", "", None)])
        assert ledger.addresses() == {"urn:uuid:a": ("ada@example.org", "Ada")}


def test_addresses_are_kept_replaced_and_read_on_both_engines(ledger_target):
    with Ledger.open(ledger_target) as ledger:
        ledger.record_addresses([("urn:uuid:a", "ada@example.org", "Ada"), ("urn:uuid:b", "bob@example.org", None)])
        ledger.record_addresses([("urn:uuid:a", "ada@example.net", "Ada")])
        assert ledger.addresses() == {"urn:uuid:a": ("ada@example.net", "Ada"), "urn:uuid:b": ("bob@example.org", None)}
        assert ledger.addresses(["urn:uuid:b", "urn:uuid:x"]) == {"urn:uuid:b": ("bob@example.org", None)}


def test_the_status_indices_in_use_take_memory_per_list_not_per_credential(tmp_path):
    # A bulk run keeps the indices in use in memory for the whole run: 20,000 credentials on one
    # list must not hold ~90 bytes each (a set of ints), only the list's bitmap (LIST_SIZE / 8 bytes).
    import tracemalloc

    items = [{"badge_id": "urn:uuid:b", "recipient_key": f"k{i}", "generation": 1, "row_fingerprint": "f",
              "issued_at": "2026-01-15T12:00:00Z"} for i in range(20_000)]
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        ledger.reserve(items[:1], purpose="revocation", url_for=lambda n: f"https://x.org/status/{n}", rng=Random(1))
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for start in range(1, len(items), 500):
            ledger.reserve(items[start : start + 500], purpose="revocation", url_for=lambda n: f"https://x.org/status/{n}",
                           rng=Random(start))
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        held = sum(s.size_diff for s in after.compare_to(before, "filename")
                   if "badgekit" in s.traceback[0].filename and "ledger" in s.traceback[0].filename)
        assert held < 20_000 * 8, f"{held:,} bytes held for 20,000 reservations"
        assert len(ledger._used[1]) == 20_000


def test_keyed_identifiers_are_hmac_sha256_of_the_secret_and_follow_a_replaced_secret(tmp_path):
    # The ledger keys one HMAC once and copies it per hash, and writes the credential's UUID
    # without a uuid.UUID object (issue 18): both must give exactly the reference values, also
    # after the secret is replaced (ledger migrate onto an empty ledger does that).
    import hashlib
    import hmac
    import uuid

    def reference(secret: bytes, *parts: str) -> bytes:
        return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).digest()

    ledger = Ledger.open(tmp_path / "l.sqlite3")
    for secret in (ledger.secret, bytes(range(32))):
        if secret != ledger.secret:
            ledger._conn.execute("UPDATE meta SET value = ? WHERE key = 'secret'", (secret.hex(),))
            ledger._secret = None
            assert ledger.secret == secret  # read again before any keyed hash, as ledger migrate does
        for i in range(300):
            who = f"email:learner{i}@example.org"
            key = ledger.recipient_key(who)
            assert key == reference(secret, "recipient", who).hex()
            expected = "urn:uuid:" + str(uuid.UUID(bytes=reference(secret, "credential", "urn:b", key, str(i % 3 + 1))[:16], version=4))
            assert ledger.credential_id("urn:b", key, i % 3 + 1) == expected
            assert ledger.salt_for(expected) == reference(secret, "salt", expected).hex()[:32]
    ledger.close()


def _old_ledger(path: Path, version: int) -> None:
    """A ledger file as the badgekit of schema ``version`` wrote it."""
    with sqlite3.connect(path) as conn:
        for v in range(1, version + 1):
            for statement in _schema.SQLITE[v]:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("INSERT INTO meta VALUES ('secret', ?)", ("ab" * 32,))


def test_a_version_3_ledger_loses_the_redundant_recipient_index_and_keeps_its_credentials(tmp_path):
    """Schema 4 drops ``issuances_recipient`` (issue 18): its columns are the prefix of the
    UNIQUE (badge_id, recipient_key, generation) index, which the lookups by recipient use then."""
    _old_ledger(old := tmp_path / "old.sqlite3", 3)
    with sqlite3.connect(old) as conn:  # a credential reserved under schema 3, read after the upgrade
        conn.execute("INSERT INTO issuances (credential_id, badge_id, recipient_key, generation, row_fingerprint, state, "
                     "issued_at) VALUES ('urn:uuid:c1', 'urn:uuid:badge', 'k1', 1, 'f', 'issued', 'then')")
    with Ledger.open(old) as ledger:
        conn = ledger._conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'issuances'")}
        assert "issuances_recipient" not in names
        assert [i.credential_id for i in ledger.latest_many("urn:uuid:badge", ["k1"]).values()] == ["urn:uuid:c1"]
        assert [i.credential_id for i in ledger.issuances_of(["urn:uuid:badge"], ["k1"])] == ["urn:uuid:c1"]
        [new] = ledger.reserve([item(ledger, "ada")], purpose="revocation", url_for=URL, issuer="did:example:a")
        assert ledger.latest_many("urn:uuid:badge", [new.recipient_key])[new.recipient_key].credential_id == new.credential_id
        for sql in (_SELECT + " WHERE i.badge_id = ? AND i.recipient_key IN (?, ?) ORDER BY i.generation",
                    _SELECT + " WHERE i.badge_id IN (?) AND i.recipient_key IN (?, ?) ORDER BY i.generation",
                    _SELECT + " WHERE i.badge_id = ? ORDER BY i.issued_at, i.credential_id"):
            plan = " | ".join(r[3] for r in conn.execute("EXPLAIN QUERY PLAN " + sql, (None,) * sql.count("?")))
            assert "SEARCH i USING INDEX sqlite_autoindex_issuances_2 (badge_id=?" in plan, plan


def test_a_new_ledger_has_no_recipient_index_on_either_engine(ledger_target):
    with Ledger.open(ledger_target) as ledger:
        if ledger.engine == "sqlite":
            sql = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'issuances_recipient'"
        else:
            sql = "SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'issuances_recipient'"
        assert ledger._conn.execute(sql).fetchone()[0] == 0

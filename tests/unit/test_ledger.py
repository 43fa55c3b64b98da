"""badgekit.ledger: opening the SQLite ledger safely from several processes at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from badgekit.errors import LedgerError
from badgekit.ledger import SCHEMA_VERSION, Ledger

OPEN_AT = """
import sys, time
from badgekit.ledger import Ledger
start = float(sys.argv[2])
while time.time() < start:
    pass
print(Ledger.open(sys.argv[1]).secret.hex())
"""


def test_processes_creating_the_same_new_ledger_at_once_all_succeed_and_share_one_secret(tmp_path):
    # Before the fix, 3 of 4 such races failed with "database is locked": SQLite answers a
    # journal-mode change on a brand-new file with SQLITE_BUSY without waiting.
    for trial in range(4):
        path = tmp_path / f"l{trial}.sqlite3"
        start = time.time() + 0.7  # after both interpreters have imported badgekit
        procs = [
            subprocess.Popen([sys.executable, "-c", OPEN_AT, str(path), str(start)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err for _, err in results]
        assert len({out for out, _ in results}) == 1


def test_reopening_keeps_the_secret_and_schema(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    first = Ledger.open(path).secret
    with Ledger.open(path) as again:
        assert again.secret == first
        assert again._conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert again._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_ledger_from_a_newer_badgekit_is_refused(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    Ledger.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LedgerError, match="newer badgekit"):
        Ledger.open(path)


def test_a_file_that_is_not_a_ledger_is_refused_by_name(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="notes.sqlite3"):
        Ledger.open(path)


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

"""badgekit.ledger.transfer: ``ledger check`` and ``ledger migrate`` between SQLite and PostgreSQL,
nothing lost (every table's count and checksum), merges refused when they would clash."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from badgekit import lifecycle
from badgekit.errors import LedgerError
from badgekit.ledger import Ledger, transfer
from tests.unit.test_issuing import run, write_roster


def populated(tmp_path: Path, ledger: Ledger, *, rows: int = 30, seed: int = 7, out: str = "out") -> Any:
    """A ledger with credentials in every state, events and rejected rows."""
    roster = tmp_path / f"roster-{seed}.csv"
    write_roster(roster, rows, bad_every=7)
    report = run(tmp_path, roster, ledger=ledger, rng_seed=seed, out=out)
    ids = [o.credential_id for o in report.outcomes if o.status == "issued"]
    lifecycle.change_status(ledger, ids[:3], "revoked", "mistake", "registrar")
    return ids


def test_sqlite_to_postgresql_and_back_loses_nothing(tmp_path, postgres_url) -> None:
    source = Ledger.open(tmp_path / "ledger.sqlite3")
    ids = populated(tmp_path, source)
    expected = transfer.digests(source)
    assert expected["issuances"].rows == len(ids) and expected["rejections"].rows > 0

    pg = Ledger.open(postgres_url)
    moved = transfer.migrate(source, pg)
    assert not moved.merged and moved.copied["issuances"] == len(ids)
    assert transfer.digests(pg) == expected == moved.target_tables
    assert pg.secret == source.secret and pg.recipient_key("email:a@b.org") == source.recipient_key("email:a@b.org")
    assert transfer.check(pg) and transfer.check(source)
    # the project carries on from the PostgreSQL ledger: nothing to issue again, same indices
    again = run(tmp_path, tmp_path / "roster-7.csv", ledger=pg)
    assert again.counts.get("issued", 0) == 0 and again.counts["already-issued"] == len(ids)

    back = Ledger.open(tmp_path / "back.sqlite3")
    transfer.migrate(pg, back)
    assert transfer.digests(back) == transfer.digests(pg)  # the re-run recorded its rejected rows again
    assert [(i.credential_id, i.list_url, i.status_index, i.state) for i in back.issuances()] == \
        [(i.credential_id, i.list_url, i.status_index, i.state) for i in source.issuances()]


def test_a_checksum_that_differs_commits_nothing(tmp_path, ledger_target, monkeypatch) -> None:
    source = Ledger.open(tmp_path / "source.sqlite3")
    populated(tmp_path, source, rows=10)
    target = Ledger.open(ledger_target)
    copy = transfer._copy

    def lossy(src: Ledger, dst: Ledger) -> dict[str, int]:
        counts = copy(src, dst)
        dst._conn.execute("UPDATE events SET reason = 'changed' WHERE kind = 'revoked'")  # one bad row is enough
        return counts

    monkeypatch.setattr(transfer, "_copy", lossy)
    with pytest.raises(LedgerError, match="table events does not match after the copy.*nothing was committed"):
        transfer.migrate(source, target)
    assert all(d.rows == 0 for t, d in transfer.digests(target).items() if t != "meta")
    assert target.secret != source.secret  # not even the secret was taken


def test_merging_into_a_non_empty_ledger_needs_the_same_secret_issuer_and_no_clash(tmp_path, postgres_url) -> None:
    first = Ledger.open(tmp_path / "first.sqlite3")
    populated(tmp_path, first, rows=10)
    stranger = Ledger.open(tmp_path / "stranger.sqlite3")  # another secret
    populated(tmp_path, stranger, rows=10, out="stranger")
    twin_path = tmp_path / "twin.sqlite3"
    with sqlite3.connect(twin_path) as copy:  # the same origin (secret), then credentials of its own
        first._conn.backup(copy)
    twin = Ledger.open(twin_path)
    twin._conn.execute("DELETE FROM events")
    twin._conn.execute("DELETE FROM issuances")
    twin._conn.execute("DELETE FROM rejections")
    twin._conn.execute("DELETE FROM addresses")
    roster = tmp_path / "twin.csv"
    roster.write_text("email,name,score,evidence_url\n" + "".join(
        f"twin{i}@example.org,T {i},80,https://x.example/{i}\n" for i in range(8)), encoding="utf-8")
    run(tmp_path, roster, ledger=twin, rng_seed=99, out="twin")

    pg = Ledger.open(postgres_url)
    transfer.migrate(first, pg)
    with pytest.raises(LedgerError, match="with another secret"):
        transfer.migrate(stranger, pg)
    with pytest.raises(LedgerError, match="with credential urn:uuid:.*cannot take it twice"):
        transfer.migrate(first, pg)
    before = transfer.digests(pg)
    merged = transfer.migrate(twin, pg)
    assert merged.merged and merged.copied["issuances"] == 8 and merged.copied["status_lists"] == 0
    after = transfer.digests(pg)
    assert after["issuances"] == before["issuances"] + transfer.digests(twin)["issuances"]
    assert len({(i.list_id, i.status_index) for i in pg.issuances()}) == after["issuances"].rows == len(list(first.issuances())) + 8


def test_check_finds_what_is_wrong(ledger_target, tmp_path) -> None:
    ledger = Ledger.open(ledger_target)
    ids = populated(tmp_path, ledger, rows=8)
    report = transfer.check(ledger)
    assert report and report.states == {"issued": len(ids) - 3, "revoked": 3}
    ledger._conn.execute("UPDATE issuances SET status_index = 200000 WHERE credential_id = ?", (ids[0],))
    ledger._conn.execute("UPDATE issuances SET output_path = NULL WHERE credential_id = ?", (ids[1],))
    ledger._conn.execute("INSERT INTO events (credential_id, kind, at, actor) VALUES ('urn:uuid:gone', 'issued', 'x', 'y')")
    problems = transfer.check(ledger).problems
    assert f"{ids[0]}: status index 200000 is outside its list (0 … 131071)" in problems
    assert f"{ids[1]}: issued, but the ledger does not record its file" in problems
    assert "1 events name credentials the ledger does not hold" in problems

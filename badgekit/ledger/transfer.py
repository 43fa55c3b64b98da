"""Checking a ledger and moving it between engines (``badgekit ledger check`` / ``migrate``).

Rows are compared engine-neutrally: each table's rows in a fixed column order, a status list
named by its URL rather than its id (ids are renumbered when lists are merged), without the
engine's own row numbers. A table's :class:`Digest` is its row count and the sum, modulo 2²⁵⁶, of
the SHA-256 of every row: it does not depend on row order, and the digest of two sets of rows
together is the sum of theirs, so a merge can be checked exactly (after = before + source).

:func:`migrate` copies inside one transaction on the target while holding the source's write lock
(nobody writes to it meanwhile), compares the digests before committing, and rolls everything back
if any differs: the target ends up either complete or untouched.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from badgekit.errors import LedgerError
from badgekit.ledger import LIST_SIZE, SCHEMA_VERSION, Ledger

_MOD = 2**256
_BATCH = 5000
#: table -> the engine-neutral SELECT of its rows (what the digest covers).
_ROWS = {
    "meta": "SELECT key, value FROM meta WHERE key <> 'schema_version'",
    "status_lists": "SELECT purpose, url, size, created, issuer FROM status_lists",
    "issuances": (
        "SELECT i.credential_id, i.badge_id, i.recipient_key, i.generation, i.row_fingerprint, l.url, i.status_index, "
        "i.state, i.issued_at, i.valid_until, i.earned_at, i.output_path FROM issuances i LEFT JOIN status_lists l ON l.id = i.list_id"
    ),
    "events": "SELECT credential_id, kind, at, actor, reason, detail FROM events",
    "rejections": "SELECT run_at, badge_id, roster, line, column_name, reason FROM rejections",
    "addresses": "SELECT credential_id, address, name, recorded_at FROM addresses",
}
#: table -> the column that pages through it in insertion order.
_ORDER = {"meta": "key", "status_lists": "id", "issuances": "i.rowid", "events": "id", "rejections": "id", "addresses": "credential_id"}
DATA_TABLES = ("status_lists", "issuances", "events", "rejections", "addresses")


@dataclass(frozen=True)
class Digest:
    """A table's row count and order-independent checksum."""

    rows: int = 0
    total: int = 0

    def __add__(self, other: Digest) -> Digest:
        return Digest(self.rows + other.rows, (self.total + other.total) % _MOD)

    @property
    def checksum(self) -> str:
        return f"{self.total:064x}"

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "sha256sum": self.checksum}


def _pages(ledger: Ledger, table: str) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``table`` (engine-neutral SELECT) in pages, oldest first."""
    order = _ORDER[table]
    sql = _ROWS[table]
    key_sql = sql.replace("SELECT ", f"SELECT {order}, ", 1)
    last: Any = None
    while True:
        where = f" {'AND' if ' WHERE ' in sql else 'WHERE'} {order} > ?" if last is not None else ""
        rows = ledger._conn.execute(f"{key_sql}{where} ORDER BY {order} LIMIT {_BATCH}", (last,) if last is not None else ()).fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield [tuple(r[1:]) for r in rows]
        if len(rows) < _BATCH:
            return


def _row_hash(row: tuple[Any, ...]) -> int:
    return int.from_bytes(hashlib.sha256(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode()).digest(), "big")


def _digest(rows: Iterable[tuple[Any, ...]]) -> Digest:
    d = Digest()
    for row in rows:
        d = d + Digest(1, _row_hash(row))
    return d


def digests(ledger: Ledger) -> dict[str, Digest]:
    """Each table's :class:`Digest`."""
    out = {}
    for table in _ROWS:
        d = Digest()
        for page in _pages(ledger, table):
            d = d + Digest(len(page), sum(_row_hash(r) for r in page) % _MOD)
        out[table] = d
    return out


@dataclass(frozen=True)
class CheckReport:
    """``badgekit ledger check``: the tables' digests, counts by state, and every problem found."""

    location: str
    engine: str
    schema_version: int
    tables: dict[str, Digest]
    states: dict[str, int]
    problems: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"ledger": self.location, "engine": self.engine, "schemaVersion": self.schema_version,
                "tables": {t: d.to_json() for t, d in self.tables.items()}, "states": self.states,
                "ok": not self.problems, "problems": list(self.problems)}


def check(ledger: Ledger) -> CheckReport:
    """Verify a ledger's integrity on either engine: the database's own check (SQLite), then the
    ledger's rules: a 32-byte secret, every status entry on an existing list and inside it, no
    index used twice, issued credentials with their file recorded, events of known credentials.

    Raises:
        LedgerError: the ledger cannot be read.
    """
    conn = ledger._conn
    problems: list[str] = []
    with ledger.transaction():  # one consistent view: no writer changes it meanwhile
        if ledger.engine == "sqlite":
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                problems.extend(f"SQLite integrity check: {r}" for r in result[:20])
            problems.extend(f"{r[0]} row {r[1]} names a {r[2]} row that does not exist"
                            for r in conn.execute("PRAGMA foreign_key_check").fetchall()[:20])
        secret = conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
        if secret is None or len(secret[0]) != 64 or any(c not in "0123456789abcdef" for c in secret[0]):
            problems.append("the ledger secret is missing or malformed: credential ids and recipient hashes cannot be derived")
        for cid, list_id in conn.execute(
            "SELECT i.credential_id, i.list_id FROM issuances i LEFT JOIN status_lists l ON l.id = i.list_id "
            "WHERE i.list_id IS NOT NULL AND l.id IS NULL").fetchall():
            problems.append(f"{cid}: its status list {list_id} does not exist")
        for cid, index, size in conn.execute(
            "SELECT i.credential_id, i.status_index, l.size FROM issuances i JOIN status_lists l ON l.id = i.list_id "
            "WHERE i.status_index IS NULL OR i.status_index < 0 OR i.status_index >= l.size").fetchall():
            problems.append(f"{cid}: status index {index} is outside its list (0 … {size - 1})")
        for list_id, index, n in conn.execute(
            "SELECT list_id, status_index, COUNT(*) FROM issuances WHERE list_id IS NOT NULL "
            "GROUP BY list_id, status_index HAVING COUNT(*) > 1").fetchall():
            problems.append(f"status list {list_id}: index {index} is held by {n} credentials")
        for (cid,) in conn.execute(
            "SELECT credential_id FROM issuances WHERE state <> 'reserved' AND output_path IS NULL").fetchall():
            problems.append(f"{cid}: issued, but the ledger does not record its file")
        (orphans,) = conn.execute(
            "SELECT COUNT(*) FROM events e WHERE e.credential_id IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM issuances i WHERE i.credential_id = e.credential_id)").fetchone()
        if orphans:
            problems.append(f"{orphans} events name credentials the ledger does not hold")
        states = {state: n for state, n in conn.execute("SELECT state, COUNT(*) FROM issuances GROUP BY state ORDER BY state")}
        tables = digests(ledger)
    return CheckReport(ledger.location, ledger.engine, SCHEMA_VERSION, tables, states, tuple(problems))


@dataclass(frozen=True)
class Migration:
    """What ``badgekit ledger migrate`` did: rows copied per table, and the digests compared."""

    source: str
    target: str
    merged: bool  # the target held a ledger already (same secret and issuers)
    copied: dict[str, int]
    source_tables: dict[str, Digest]
    target_tables: dict[str, Digest] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "merged": self.merged, "copied": self.copied,
                "sourceTables": {t: d.to_json() for t, d in self.source_tables.items()},
                "targetTables": {t: d.to_json() for t, d in self.target_tables.items()}, "verified": True}


def _issuers(ledger: Ledger) -> set[str]:
    return {r[0] for r in ledger._conn.execute("SELECT DISTINCT issuer FROM status_lists WHERE issuer IS NOT NULL")}


def _refuse_merge(source: Ledger, target: Ledger) -> None:
    """A non-empty target takes the source only when nothing would clash or change meaning."""
    where = f"{target.location} already holds a ledger"
    if source.secret != target.secret:
        raise LedgerError(f"{where} with another secret: its recipient hashes and credential ids would not match the copied ones",
                          hint="migrate into an empty database (or file)")
    ours, theirs = _issuers(source), _issuers(target)
    if ours and theirs and ours != theirs:
        raise LedgerError(f"{where} for issuer(s) {', '.join(sorted(theirs))}, not {', '.join(sorted(ours))}",
                          hint="migrate into an empty database, or into the ledger of the same issuer")
    for page in _pages(source, "issuances"):
        ids = [r[0] for r in page]
        marks = ",".join("?" * len(ids))
        clash = target._conn.execute(f"SELECT credential_id FROM issuances WHERE credential_id IN ({marks}) LIMIT 1", ids).fetchone()
        if clash:
            raise LedgerError(f"{where} with credential {clash[0]}: it cannot take it twice")
        entries = [(r[5], r[6]) for r in page if r[5] is not None]
        for start in range(0, len(entries), 400):
            batch = entries[start : start + 400]
            cond = " OR ".join("(l.url = ? AND i.status_index = ?)" for _ in batch)
            hit = target._conn.execute(
                f"SELECT l.url, i.status_index FROM issuances i JOIN status_lists l ON l.id = i.list_id WHERE {cond} LIMIT 1",
                [v for pair in batch for v in pair]).fetchone() if batch else None
            if hit:
                raise LedgerError(f"{where}: index {hit[1]} of status list {hit[0]} is used in both",
                                  hint="an index handed out twice would revoke two credentials at once")


def migrate(source: Ledger, target: Ledger) -> Migration:
    """Copy every row of ``source`` into ``target`` (SQLite ⇄ PostgreSQL) and prove it: the row
    count and checksum of every table are compared before the target commits.

    An empty target (just created) takes the source's secret, so credential ids and recipient
    hashes stay valid. A non-empty target is refused unless it has the same secret and issuers
    and no credential or status index in common (see :func:`_refuse_merge`).

    Raises:
        LedgerError: same ledger, refused merge, a checksum that differs (nothing is committed),
            or either ledger cannot be read or written.
    """
    if source.location == target.location:
        raise LedgerError(f"{target.location}: the ledger cannot be migrated onto itself")
    with source.transaction(), target.transaction():
        src = digests(source)
        before = digests(target)
        merged = any(before[t].rows for t in DATA_TABLES)
        if merged:
            _refuse_merge(source, target)
        else:
            target._conn.execute("UPDATE meta SET value = ? WHERE key = 'secret'", (source.secret.hex(),))
            target._secret = None
        known = {url for _id, _purpose, url, _size in target.lists()}
        expected = {t: (src[t] if t == "meta" else before[t] + src[t]) for t in _ROWS}
        # a list at a URL both hold is the same list: it stays as the target has it
        expected["status_lists"] = before["status_lists"] + _digest(
            r for page in _pages(source, "status_lists") for r in page if r[1] not in known)
        copied = _copy(source, target)
        after = digests(target)
        for table in _ROWS:
            if after[table] != expected[table]:
                raise LedgerError(
                    f"{target.location}: table {table} does not match after the copy ({after[table].rows} rows, "
                    f"{expected[table].rows} expected); nothing was committed")
    target._used.clear()
    target._seen_rowid = 0
    return Migration(source.location, target.location, merged, copied, src, after)


def _copy(source: Ledger, target: Ledger) -> dict[str, int]:
    tconn = target._conn
    list_ids: dict[str, int] = {url: list_id for list_id, _p, url, _s in target.lists()}
    n_lists = 0
    for purpose, url, size, created, issuer in (r for page in _pages(source, "status_lists") for r in page):
        if url in list_ids:
            continue  # the same list (same URL) in both: merged (its purpose and issuer were checked)
        tconn.execute("INSERT INTO status_lists (purpose, url, size, created, issuer) VALUES (?, ?, ?, ?, ?)",
                      (purpose, url, size or LIST_SIZE, created, issuer))
        list_ids[url] = int(tconn.execute("SELECT id FROM status_lists WHERE url = ?", (url,)).fetchone()[0])
        n_lists += 1
    counts = {"status_lists": n_lists, "issuances": 0, "events": 0, "rejections": 0, "addresses": 0}
    for page in _pages(source, "issuances"):
        tconn.executemany(
            "INSERT INTO issuances (credential_id, badge_id, recipient_key, generation, row_fingerprint, list_id, "
            "status_index, state, issued_at, valid_until, earned_at, output_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r[:5], list_ids[r[5]] if r[5] is not None else None, *r[6:]) for r in page])
        counts["issuances"] += len(page)
    for page in _pages(source, "events"):
        tconn.executemany("INSERT INTO events (credential_id, kind, at, actor, reason, detail) VALUES (?, ?, ?, ?, ?, ?)", page)
        counts["events"] += len(page)
    for page in _pages(source, "rejections"):
        tconn.executemany(
            "INSERT INTO rejections (run_at, badge_id, roster, line, column_name, reason) VALUES (?, ?, ?, ?, ?, ?)", page)
        counts["rejections"] += len(page)
    for page in _pages(source, "addresses"):
        tconn.executemany("INSERT INTO addresses (credential_id, address, name, recorded_at) VALUES (?, ?, ?, ?)", page)
        counts["addresses"] += len(page)
    return counts

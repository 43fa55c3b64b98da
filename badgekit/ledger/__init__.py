"""The issuing ledger: a database that records every issuance and every later lifecycle event,
and hands out status-list indices. By default an SQLite file in the badge project; a PostgreSQL
database (``postgresql://…``, ``pip install 'badgekit[postgres]'``) lets many projects on many
machines share one ledger.

Guarantees (see docs/adr/0003-ledger.md), on both engines:

* A status index is allocated inside a write transaction that holds the ledger's write lock
  (SQLite ``BEGIN IMMEDIATE``; PostgreSQL a transaction-level advisory lock) and is protected by a
  ``UNIQUE(list_id, status_index)`` constraint, so it is never handed out twice, even by two
  concurrent runs or after a crash.
* A credential is *reserved* (id, index, timestamp fixed) before it is signed and marked *issued*
  after its file is written. A run killed in between leaves reservations that the next run signs
  again, producing the same bytes, so nothing is lost and nothing is issued twice.
* Recipients are stored only as keyed hashes (HMAC-SHA-256 with a secret kept in the ledger), so
  the ledger does not hold plain emails and credential ids cannot be linked to an email by guessing.
  The secret belongs to the ledger, so every project sharing a ledger derives the same ids.
* Status lists are identified by their URL: projects on one ledger whose issuer and
  ``status_base_url`` agree share lists; a list belongs to the issuer that created it.

Layout: this module holds the engine-neutral logic; ``_sqlite`` and ``_postgres`` open a
connection and supply the few engine-specific operations (begin/commit, errors); ``_schema``
holds the numbered migrations of both engines.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from random import Random
from typing import Any, Concatenate, ParamSpec, TypeVar

from badgekit._time import format_utc, utc_now
from badgekit.errors import LedgerError
from badgekit.ledger import _addresses, _sqlite
from badgekit.ledger._base import (
    Conflict,
    Connection,
    Engine,
    Rejection,
    UsedIndices,
    is_ledger_url,
    keyed_uuid,
    redact_url,
    url_password,
)
from badgekit.ledger._models import (
    _SELECT,
    Event,
    Holding,
    Issuance,
    _issuance,
    active_badges,
    holdings,
)
from badgekit.ledger._schema import SCHEMA_VERSION

#: Entries per status list (W3C BSL minimum, 16 KiB): the herd a credential hides in.
LIST_SIZE = 131_072
#: A list is closed to new allocations once this share of it is used, so random picks stay cheap.
LIST_FILL_LIMIT = 0.75

class AlreadyReserved(LedgerError):
    """Another run reserved the same credentials first (two runs issuing one roster at once)."""


def now_iso() -> str:
    """The ledger's clock, as the one wire format (tests replace it to fix time)."""
    return format_utc(utc_now())


_T = TypeVar("_T")
_P = ParamSpec("_P")
#: How often a write the server aborted to resolve a conflict is run again.
_ATTEMPTS = 8


def _retried(method: Callable[Concatenate[Ledger, _P], _T]) -> Callable[Concatenate[Ledger, _P], _T]:
    """Run a write transaction again when the engine aborted it to resolve a conflict (a
    serialisation failure or deadlock, or a status index another writer took first): it rolled
    back whole, so nothing is recorded twice. Inside an outer transaction the conflict goes up,
    since only the outermost transaction can be run again."""

    @functools.wraps(method)
    def run(self: Ledger, /, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        for attempt in range(_ATTEMPTS):
            try:
                return method(self, *args, **kwargs)
            except Conflict:
                if self._conn.in_transaction or attempt == _ATTEMPTS - 1:
                    raise
                time.sleep(0.01 * 2**attempt * secrets.randbelow(100) / 100)
        raise AssertionError("unreachable")

    return run


class Ledger:
    """One connection to the ledger database. Safe across processes and machines: every write
    transaction holds the ledger's write lock (see the module docstring)."""

    def __init__(self, path: Path | None, conn: Connection, engine: Engine | None = None) -> None:
        self.path = path  # the SQLite file; None for a PostgreSQL ledger
        self._conn = conn  # sqlite3.Connection, or _postgres.Connection (the same few methods)
        self._db: Engine = engine or _sqlite.ENGINE
        self._secret: bytes | None = None
        self._mac: tuple[bytes, hmac.HMAC] | None = None  # (secret, HMAC keyed with it), copied per keyed hash
        self._used: dict[int, UsedIndices] = {}  # list id -> status indices in use (see reserve)
        self._seen_rowid = 0

    # -- lifecycle ----------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path) -> Ledger:
        """Open (creating if needed) the ledger at ``path``: an SQLite file, or a PostgreSQL
        database given as a ``postgresql://`` URL (libpq conventions: ``PGPASSWORD``, service
        files, ``sslmode``).

        Raises:
            LedgerError: the file is not a badgekit ledger or is from a newer badgekit; the server
                cannot be reached (one line naming the host and the cause, never the password);
                the PostgreSQL driver is not installed; the disk or folder refuses a write
                (every later statement too).
        """
        if isinstance(path, str) and is_ledger_url(path):
            # start-up: the PostgreSQL engine (and psycopg) only for a postgresql:// ledger
            from badgekit.ledger import _postgres

            return _postgres.open_ledger(cls, path)
        return _sqlite.open_ledger(cls, path)

    @property
    def location(self) -> str:
        """Where the ledger is, for messages: the file, or the URL without its password."""
        return str(self.path) if self.path is not None else redact_url(self._db.url or "")

    @property
    def engine(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self._db.name)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction that holds the ledger's write lock from its first statement."""
        conn = self._conn
        if conn.in_transaction:
            yield conn
            return
        self._db.begin(conn)
        try:
            yield conn
        except BaseException:
            self._db.rollback(conn)
            raise
        self._db.commit(conn)

    # -- keyed identifiers --------------------------------------------------------------------

    @property
    def secret(self) -> bytes:
        if self._secret is None:
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'secret'").fetchone()
            self._secret = bytes.fromhex(row[0])
        return self._secret

    def keyed(self, *parts: str) -> bytes:
        """HMAC-SHA-256 of ``parts`` (joined by U+001F) with the ledger's secret: a copy of one
        keyed HMAC per call (the key is hashed once per ledger, not once per credential)."""
        secret, keyed = self._mac or (b"", None)
        if keyed is None or secret is not self.secret:  # first use, or the secret was replaced (transfer)
            keyed = hmac.new(self.secret, digestmod=hashlib.sha256)
            self._mac = (self.secret, keyed)
        h = keyed.copy()
        h.update("\x1f".join(parts).encode("utf-8"))
        return h.digest()

    def recipient_key(self, recipient: str) -> str:
        """Keyed hash of a normalised recipient identifier (what the ledger stores)."""
        return self.keyed("recipient", recipient).hex()

    def credential_id(self, badge_id: str, recipient_key: str, generation: int) -> str:
        """Deterministic, unlinkable ``urn:uuid:`` for (badge class, recipient, generation)."""
        return "urn:uuid:" + keyed_uuid(self.keyed("credential", badge_id, recipient_key, str(generation)))

    def salt_for(self, credential_id: str) -> str:
        """The IdentityObject salt of a credential: unpredictable to others, stable across retries."""
        return self.keyed("salt", credential_id).hex()[:32]

    # -- status lists -------------------------------------------------------------------------

    @_retried
    def ensure_list(self, purpose: str, url_for: Callable[[int], str], *, size: int = LIST_SIZE, issuer: str | None = None) -> tuple[int, str]:
        """The open list for ``purpose`` (creating the first one). ``url_for(n)`` names list n.

        Raises:
            LedgerError: the list at that URL belongs to another issuer (see :meth:`_open_list`).
        """
        with self.transaction() as conn:
            return self._open_list(conn, purpose, url_for, size, issuer)

    def _open_list(self, conn: Connection, purpose: str, url_for: Callable[[int], str], size: int, issuer: str | None = None) -> tuple[int, str]:
        """The first of the lists ``url_for(1)``, ``url_for(2)`` … that is not full, created when
        missing. Lists are identified by their URL, so every project on a shared ledger that names
        the same URLs (same issuer, same ``status_base_url``) allocates from the same lists; a list
        records the issuer that created it and is never handed to another issuer, whose list
        credential would be signed with another key."""
        self._refresh_used(conn)  # exact counts, without scanning the issuances table
        rows = conn.execute("SELECT id, url, size, purpose, issuer FROM status_lists").fetchall()
        known = {url: (list_id, lsize, lpurpose, owner) for list_id, url, lsize, lpurpose, owner in rows}
        n = 1
        while (url := url_for(n)) in known:
            list_id, lsize, lpurpose, owner = known[url]
            if lpurpose != purpose:
                raise LedgerError(f"status list {url} is a {lpurpose} list in the ledger {self.location}, not {purpose}")
            if issuer is not None and owner is not None and owner != issuer:
                raise LedgerError(f"status list {url} belongs to issuer {owner} in the ledger {self.location}, not to {issuer}",
                                  hint="give each issuer its own status_base_url in badgekit.toml")
            if owner is None and issuer is not None:  # made before lists had owners: by the one issuer
                conn.execute("UPDATE status_lists SET issuer = ? WHERE id = ? AND issuer IS NULL", (issuer, list_id))
            if len(self._used.get(list_id, ())) < lsize * LIST_FILL_LIMIT:
                return list_id, url
            n += 1
        conn.execute(
            "INSERT INTO status_lists (purpose, url, size, created, issuer) VALUES (?, ?, ?, ?, ?)",
            (purpose, url, size, now_iso(), issuer),
        )
        return int(conn.execute("SELECT id FROM status_lists WHERE url = ?", (url,)).fetchone()[0]), url

    def lists(self, *, issuer: str | None = None) -> list[tuple[int, str, str, int]]:
        """Every status list: (id, purpose, url, size); with ``issuer``, only that issuer's (and
        lists made before lists recorded their issuer)."""
        if issuer is not None:
            return [tuple(r) for r in self._conn.execute(
                "SELECT id, purpose, url, size FROM status_lists WHERE issuer = ? OR issuer IS NULL ORDER BY id", (issuer,))]
        return [tuple(r) for r in self._conn.execute("SELECT id, purpose, url, size FROM status_lists ORDER BY id")]

    def set_indices(self, list_id: int) -> list[int]:
        """Indices whose bit is set on ``list_id``: revoked or currently suspended credentials."""
        rows = self._conn.execute(
            "SELECT status_index FROM issuances WHERE list_id = ? AND state IN ('revoked', 'suspended')", (list_id,)
        )
        return [r[0] for r in rows]

    def allocated_among(self, list_id: int, indices: Iterable[int]) -> set[int]:
        """Those of ``indices`` this ledger has handed out on ``list_id`` (to a credential in any state)."""
        wanted = sorted(set(indices))
        found: set[int] = set()
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            rows = self._conn.execute(
                f"SELECT status_index FROM issuances WHERE list_id = ? AND status_index IN ({', '.join('?' * len(chunk))})",
                (list_id, *chunk),
            )
            found.update(r[0] for r in rows)
        return found

    def list_counts(self) -> dict[int, dict[str, int]]:
        """Per status list id: how many of its credentials are in each state (reserved, issued …)."""
        counts: dict[int, dict[str, int]] = {}
        rows = self._conn.execute(
            "SELECT list_id, state, COUNT(*) FROM issuances WHERE list_id IS NOT NULL GROUP BY list_id, state"
        )
        for list_id, state, n in rows:
            counts.setdefault(list_id, {})[state] = n
        return counts

    # -- issuing ------------------------------------------------------------------------------

    def get(self, credential_id: str) -> Issuance | None:
        row = self._conn.execute(_SELECT + " WHERE i.credential_id = ?", (credential_id,)).fetchone()
        return _issuance(row) if row else None

    @_retried
    def reserve(
        self,
        items: Sequence[dict[str, Any]],
        *,
        purpose: str | None,
        url_for: Callable[[int], str] | None = None,
        rng: Random | None = None,
        actor: str = "badgekit",
        issuer: str | None = None,
    ) -> list[Issuance]:
        """Reserve credential ids and random status indices for ``items`` in one transaction.

        Each item: ``badge_id, recipient_key, generation, row_fingerprint, issued_at, valid_until,
        earned_at`` (and optionally the delivery ``address`` and ``name``, kept in the same
        transaction; and ``renews``, the id of the credential a renewal renews, recorded as its
        ``renewed`` event instead of ``reissued``). With ``purpose`` None no status index is allocated.

        The indices in use are kept in memory and brought up to date at the start of every
        transaction from the rows added since (by rowid), so a bulk run does not re-read a whole
        list per chunk; inside ``BEGIN IMMEDIATE`` no other writer can interleave, and the
        ``UNIQUE(list_id, status_index)`` constraint stays the final guard: an index taken by a
        writer that did not hold the lock makes the whole transaction run again. ``issuer`` is
        the issuer whose lists are used (see :meth:`_open_list`).

        Raises:
            AlreadyReserved: another run reserved one of these credentials since the caller read
                the ledger (two runs of one roster at once); nothing of ``items`` is reserved.
            LedgerError: the ledger cannot be written.
        """
        rng = rng or Random(secrets.randbits(64))
        out: list[Issuance] = []
        rows: list[tuple[Any, ...]] = []
        reissued: list[tuple[Any, ...]] = []
        at = now_iso()
        with self.transaction() as conn:
            self._refresh_used(conn)
            list_id: int | None = None
            url: str | None = None
            used = UsedIndices(0)
            limit = int(LIST_SIZE * LIST_FILL_LIMIT)
            for item in items:
                cid = self.credential_id(item["badge_id"], item["recipient_key"], item["generation"])
                index: int | None = None
                if purpose is not None:
                    if list_id is None or len(used) >= limit:
                        if url_for is None:
                            raise TypeError("reserve: a status purpose needs url_for")
                        list_id, url = self._open_list(conn, purpose, url_for, LIST_SIZE, issuer)
                        used = self._used_on(list_id)
                    index = rng.randrange(LIST_SIZE)
                    while index in used:
                        index = rng.randrange(LIST_SIZE)
                    used.add(index)
                rows.append((cid, item["badge_id"], item["recipient_key"], item["generation"], item["row_fingerprint"],
                             list_id, index, item["issued_at"], item.get("valid_until"), item.get("earned_at")))
                if item.get("renews"):  # a renewal: the credential it renews, for its evidence and the log
                    reissued.append((cid, "renewed", at, actor, None,
                                     json.dumps({"generation": item["generation"], "renews": item["renews"]})))
                elif item["generation"] > 1:
                    reissued.append((cid, "reissued", at, actor, None, json.dumps({"generation": item["generation"]})))
                out.append(Issuance(cid, item["badge_id"], item["recipient_key"], item["generation"], item["row_fingerprint"],
                                    list_id, index, "reserved", item["issued_at"], item.get("valid_until"),
                                    item.get("earned_at"), None, url, purpose if index is not None else None,
                                    issuer if index is not None else None))
            try:
                conn.executemany(
                    "INSERT INTO issuances (credential_id, badge_id, recipient_key, generation, row_fingerprint, "
                    "list_id, status_index, state, issued_at, valid_until, earned_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?)",
                    rows,
                )
            except self._db.IntegrityError as exc:
                self._used.clear()  # rebuilt from the database by the next transaction
                self._seen_rowid = 0
                if self._db.index_collision(exc):
                    raise Conflict(f"{self.location}: a status index was taken by another writer") from None
                # Another process reserved one of these credentials (same badge, recipient and
                # generation) since this run planned its rows: this transaction is rolled back, and
                # what either run reserved is signed by it or resumed by the next run.
                raise AlreadyReserved(
                    f"{self.location}: another run is issuing this roster at the same time; this run stopped, nothing is lost",
                    hint="run the same command again once the other run has finished: it issues what is left, once",
                ) from None
            conn.executemany("INSERT INTO events (credential_id, kind, at, actor, reason, detail) VALUES (?, ?, ?, ?, ?, ?)", reissued)
            _addresses.record(conn, [(o.credential_id, i.get("address") or "", i.get("name")) for o, i in zip(out, items, strict=True)], at)
            self._seen_rowid = conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM issuances").fetchone()[0]
        return out

    def _refresh_used(self, conn: Connection) -> None:
        """Bring the in-memory used-index sets up to date with rows other runs added."""
        rows = conn.execute(
            "SELECT rowid, list_id, status_index FROM issuances WHERE rowid > ? AND status_index IS NOT NULL",
            (self._seen_rowid,),
        ).fetchall()
        for rowid, list_id, index in rows:
            self._used_on(list_id).add(index)
            self._seen_rowid = max(self._seen_rowid, rowid)

    def _used_on(self, list_id: int) -> UsedIndices:
        used = self._used.get(list_id)
        if used is None:
            used = self._used[list_id] = UsedIndices(LIST_SIZE)
        return used

    def latest_many(self, badge_id: str, recipient_keys: Sequence[str]) -> dict[str, Issuance]:
        """The latest issuance of each recipient for a badge class, in a few queries (bulk planning)."""
        found: dict[str, Issuance] = {}
        keys = list(dict.fromkeys(recipient_keys))
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            marks = ",".join("?" * len(batch))
            for row in self._conn.execute(
                _SELECT + f" WHERE i.badge_id = ? AND i.recipient_key IN ({marks}) ORDER BY i.generation", (badge_id, *batch)
            ):
                issuance = _issuance(row)
                found[issuance.recipient_key] = issuance  # ordered by generation: the latest wins
        return found

    def issuances_of(self, badge_ids: Sequence[str], recipient_keys: Sequence[str]) -> list[Issuance]:
        """Every issuance of any of ``badge_ids`` to any of ``recipient_keys``, in one query per 500
        keys (the ``(badge_id, recipient_key)`` index), oldest generation first."""
        badges = list(dict.fromkeys(badge_ids))
        keys = list(dict.fromkeys(recipient_keys))
        found: list[Issuance] = []
        if not badges:
            return found
        for start in range(0, len(keys), 500):
            batch = keys[start : start + 500]
            sql = (_SELECT + f" WHERE i.badge_id IN ({','.join('?' * len(badges))})"
                   f" AND i.recipient_key IN ({','.join('?' * len(batch))}) ORDER BY i.generation")
            found.extend(_issuance(row) for row in self._conn.execute(sql, (*badges, *batch)))
        return found

    @_retried
    def mark_issued(self, done: Iterable[tuple[str, str]], *, actor: str = "badgekit") -> None:
        """Record ``(credential_id, output_path)`` pairs as issued, in one transaction (an already
        issued credential rewritten elsewhere gets its new ``output_path``, no new event)."""
        at = now_iso()
        pairs = list(done)
        with self.transaction() as conn:
            reserved = {  # credential id -> rowid: the update finds each row by rowid, not by its id's index
                r[0]: r[1] for r in conn.execute(
                    f"SELECT credential_id, rowid FROM issuances WHERE state = 'reserved' AND credential_id IN ({','.join('?' * len(pairs))})",
                    [cid for cid, _ in pairs],
                )
            } if pairs else {}
            todo = [(path, cid) for cid, path in pairs if cid in reserved]
            conn.executemany("UPDATE issuances SET state = 'issued', output_path = ? WHERE rowid = ?",
                             [(path, reserved[cid]) for path, cid in todo])
            # an issued credential written again (its file was missing) may be in another place now:
            # a JSON Lines run's line (badgekit._jsonl), or a file again after one
            moved = [(path, cid, path) for cid, path in pairs if cid not in reserved and path]
            if moved:  # rare: no statement at all otherwise (an empty executemany still opens a PostgreSQL pipeline)
                conn.executemany("UPDATE issuances SET output_path = ? WHERE credential_id = ? AND state <> 'reserved' "
                                 "AND (output_path IS NULL OR output_path <> ?)", moved)
            conn.executemany(
                "INSERT INTO events (credential_id, kind, at, actor, reason, detail) VALUES (?, 'issued', ?, ?, NULL, ?)",
                [(cid, at, actor, '{"path": ' + json.dumps(path) + "}") for path, cid in todo],  # json.dumps({"path": path})
            )

    @_retried
    def record_rejections(self, badge_id: str, roster: str, errors: Iterable[Rejection]) -> None:
        at = now_iso()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO rejections (run_at, badge_id, roster, line, column_name, reason) VALUES (?, ?, ?, ?, ?, ?)",
                [(at, badge_id, roster, e.line, e.column, e.reason) for e in errors],
            )

    # -- lifecycle ----------------------------------------------------------------------------

    @_retried
    def change_state(self, credential_id: str, new_state: str, *, reason: str | None, actor: str) -> Issuance:
        """Revoke, suspend or unsuspend (``issued``) a credential, recording the event.

        Raises:
            LedgerError: unknown credential, or a transition that is not allowed (revocation is final).
        """
        kind = {"revoked": "revoked", "suspended": "suspended", "issued": "unsuspended"}[new_state]
        with self.transaction() as conn:
            current = self.get(credential_id)
            if current is None:
                raise LedgerError(f"{credential_id}: not in this project's ledger")
            allowed = {
                "revoked": {"issued", "suspended"},
                "suspended": {"issued"},
                "issued": {"suspended"},
            }[new_state]
            if current.state not in allowed:
                raise LedgerError(f"{credential_id}: cannot go from {current.state} to {new_state}" + (
                    " (revocation is final)" if current.state == "revoked" else ""))
            conn.execute("UPDATE issuances SET state = ? WHERE credential_id = ?", (new_state, credential_id))
            self._event(conn, credential_id, kind, actor, reason, None)
        return self.get(credential_id)  # type: ignore[return-value]

    @_retried
    def record_event(self, credential_id: str | None, kind: str, *, actor: str, reason: str | None = None,
                     detail: dict[str, Any] | None = None, at: str | None = None) -> None:
        """Append one event (``exported``, ``published`` …); ``at`` defaults to now (UTC, ``…Z``)."""
        with self.transaction() as conn:
            self._event(conn, credential_id, kind, actor, reason, detail, at)

    def record_exported(self, credential_id: str, path: str, *, actor: str, form: str = "bundle") -> bool:
        """Record that ``credential_id`` was exported as ``form`` to ``path``: one ``exported`` event, once.

        Nothing is recorded for a credential that is not in the ledger, nor when an ``exported``
        event with the same form and path exists: writing the same bundle again, or a run making
        up for one that was interrupted between writing a bundle and recording it, leaves exactly
        one event per export. Returns whether an event was added.
        """
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM issuances WHERE credential_id = ?", (credential_id,)).fetchone() is None:
                return False
            for (detail,) in conn.execute(
                "SELECT detail FROM events WHERE credential_id = ? AND kind = 'exported'", (credential_id,)
            ):
                known = json.loads(detail) if detail else {}
                if known.get("as") == form and known.get("path") == path:
                    return False
            self._event(conn, credential_id, "exported", actor, None, {"as": form, "path": path})
        return True

    def _event(self, conn: Connection, cid: str | None, kind: str, actor: str, reason: str | None,
               detail: dict[str, Any] | None, at: str | None = None) -> None:
        conn.execute(
            "INSERT INTO events (credential_id, kind, at, actor, reason, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (cid, kind, at or now_iso(), actor, reason, json.dumps(detail) if detail else None),
        )

    # -- delivery addresses (see _addresses) -------------------------------------------------

    @_retried
    def record_addresses(self, entries: Iterable[tuple[str, str, str | None]]) -> None:
        """Keep ``(credential_id, address, name)``: where the roster says to deliver each credential."""
        with self.transaction() as conn:
            _addresses.record(conn, entries, now_iso())

    def addresses(self, credential_ids: Sequence[str] | None = None) -> dict[str, tuple[str, str | None]]:
        """Credential id -> (address, name) kept for it (all, or those of ``credential_ids``)."""
        return _addresses.select(self._conn, credential_ids)

    # -- queries ------------------------------------------------------------------------------

    def issuances(self, *, badge_id: str | None = None) -> Iterator[Issuance]:
        sql = _SELECT + (" WHERE i.badge_id = ?" if badge_id else "") + " ORDER BY i.issued_at, i.credential_id"
        for row in self._conn.execute(sql, (badge_id,) if badge_id else ()):
            yield _issuance(row)

    def events(
        self,
        *,
        credential_id: str | None = None,
        kinds: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        badge_id: str | None = None,
    ) -> Iterator[Event]:
        """Events, oldest first (ties in recording order). ``since``/``until`` compare ``at`` stamps
        (``YYYY-MM-DDTHH:MM:SSZ``; a bare date works as a prefix bound); ``badge_id`` keeps the
        events of that badge class's credentials."""
        sql = "SELECT e.id, e.credential_id, e.kind, e.at, e.actor, e.reason, e.detail FROM events e"
        where: list[str] = []
        args: list[Any] = []
        if badge_id:
            sql += " JOIN issuances i ON i.credential_id = e.credential_id"
            where.append("i.badge_id = ?")
            args.append(badge_id)
        if credential_id:
            where.append("e.credential_id = ?")
            args.append(credential_id)
        if kinds:
            where.append(f"e.kind IN ({', '.join('?' for _ in kinds)})")
            args.extend(kinds)
        if since:
            where.append("e.at >= ?")
            args.append(since)
        if until:
            where.append("e.at < ?")
            args.append(until)
        if where:
            sql += " WHERE " + " AND ".join(where)
        for r in self._conn.execute(sql + " ORDER BY e.at, e.id", args):
            yield Event(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]) if r[6] else None)

    def rejections(self) -> list[tuple[str, str, str, int, str | None, str]]:
        return [tuple(r) for r in self._conn.execute(
            "SELECT run_at, badge_id, roster, line, column_name, reason FROM rejections ORDER BY id")]


__all__ = [
    "LIST_FILL_LIMIT",
    "LIST_SIZE",
    "SCHEMA_VERSION",
    "Event",
    "Holding",
    "Issuance",
    "Ledger",
    "active_badges",
    "holdings",
    "is_ledger_url",
    "now_iso",
    "redact_url",
    "url_password",
]

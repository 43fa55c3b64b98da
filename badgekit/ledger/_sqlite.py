"""The SQLite engine of the ledger: one file per badge project (WAL, busy timeout, ``BEGIN
IMMEDIATE``), the default that needs nothing installed or started."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from badgekit._io import output_error
from badgekit.errors import LedgerError
from badgekit.ledger._base import Connection, Opened
from badgekit.ledger._schema import SCHEMA_VERSION, SQLITE, steps

_L = TypeVar("_L", bound=Opened)


class _Engine:
    """The engine-specific operations ``Ledger`` needs; the connection is a ``sqlite3.Connection``."""

    name = "sqlite"
    url = None
    IntegrityError = sqlite3.IntegrityError

    @staticmethod
    def begin(conn: Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")  # the database lock from the first statement

    @staticmethod
    def commit(conn: Connection) -> None:
        conn.execute("COMMIT")

    @staticmethod
    def rollback(conn: Connection) -> None:
        conn.execute("ROLLBACK")

    @staticmethod
    def index_collision(exc: BaseException) -> bool:
        """Whether an IntegrityError is a status index already taken (another writer's)."""
        return "status_index" in str(exc)


ENGINE = _Engine()


def _switch_to_wal(conn: sqlite3.Connection, *, attempts: int = 600) -> None:
    """Put the database in WAL mode. When several processes open a new ledger at once, SQLite
    answers the journal-mode change with "database is locked" at once, without waiting for the
    busy timeout; so wait here (up to about a minute, like every other ledger statement)."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.1)


#: What SQLite says when the disk or the folder fails, not the ledger: a full disk (or the
#: file-size limit), a read-only file or folder, a file it cannot create, an I/O failure.
_STORAGE_FAULTS = ("database or disk is full", "readonly", "unable to open", "disk I/O error")


class _Connection(sqlite3.Connection):
    """A connection whose storage faults are :class:`LedgerError` naming the ledger and the cause
    (SQLite has rolled the statement or transaction back: the ledger is as it was)."""

    ledger_path: Path | None = None

    def execute(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().execute(*args)
        except sqlite3.OperationalError as exc:
            raise _storage_fault(self.ledger_path, exc) from None

    def executemany(self, *args: Any) -> sqlite3.Cursor:
        try:
            return super().executemany(*args)
        except sqlite3.OperationalError as exc:
            raise _storage_fault(self.ledger_path, exc) from None


def _storage_fault(path: Path | None, exc: sqlite3.OperationalError) -> Exception:
    """``exc`` as a LedgerError when the disk or folder caused it; else ``exc`` itself (a busy
    database is waited for, and anything else is a bug)."""
    if not any(fault in str(exc) for fault in _STORAGE_FAULTS):
        return exc
    return LedgerError(f"{path}: cannot update the ledger ({exc})",
                       hint="free space, or make the ledger and its folder writable, and run the command again: "
                            "SQLite rolled the change back, nothing is lost")


def open_ledger(cls: Callable[[Path, Connection], _L], path: str | Path) -> _L:
    """Open (creating if needed) the SQLite ledger at ``path`` (``Ledger.open`` for a file).

    Raises:
        LedgerError: the file is not a badgekit ledger or is from a newer badgekit; its folder
            cannot be made; the disk or folder refuses a write (every later statement too).
    """
    p = Path(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        error = output_error(exc, p, action="cannot create the ledger")
        raise LedgerError(error.message, hint=error.hint) from None
    try:
        conn = sqlite3.connect(p, timeout=60.0, isolation_level=None, check_same_thread=False, factory=_Connection)
        conn.ledger_path = p
        conn.execute("PRAGMA busy_timeout = 60000")
        _switch_to_wal(conn)
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        ledger = cls(p, conn)
        with ledger.transaction():  # read the version under the lock: a concurrent first open
            version = conn.execute("PRAGMA user_version").fetchone()[0]  # may have just made it
            if version > SCHEMA_VERSION:
                raise LedgerError(f"{p}: ledger written by a newer badgekit (schema {version})",
                                  hint="upgrade badgekit")
            if version < SCHEMA_VERSION:
                for statement in steps(SQLITE, version):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('secret', ?)", (secrets.token_hex(32),)
            )
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"{p}: cannot open the ledger ({exc})") from None
    return ledger

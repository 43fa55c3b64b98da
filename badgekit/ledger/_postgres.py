"""The PostgreSQL engine of the ledger (``pip install 'badgekit[postgres]'``): one database that
any number of projects on any number of machines share. psycopg 3 is imported only when a
``postgresql://`` ledger is opened.

* One connection per :class:`~badgekit.ledger.Ledger`, in autocommit mode, so a read is its own
  snapshot as on SQLite. A write transaction is ``BEGIN ISOLATION LEVEL READ COMMITTED`` and then a
  transaction-level advisory lock: writers are serialised across every client of the database,
  exactly as ``BEGIN IMMEDIATE`` serialises them on an SQLite file, and readers never wait. The
  index bookkeeping of ``Ledger.reserve`` relies on that; the unique constraints stay the final
  guard. The isolation level is set explicitly so a server default of ``serializable`` changes
  nothing.
* Connection settings follow libpq: the URL, then ``PGHOST``, ``PGPASSWORD``, ``~/.pgpass``,
  service files (``?service=``), ``sslmode``… badgekit never stores, prints or logs a password and
  scrubs it from every driver message.
* Driver errors become one-line :class:`~badgekit.errors.LedgerError` naming the server, never SQL:
  a lost connection stops the command (the transaction in flight rolled back on the server, so
  running the command again resumes); a serialisation failure or deadlock is a
  :class:`~badgekit.ledger._base.Conflict` that the ledger runs again. Between transactions a lost
  connection is opened again.
* No connection pool: a ``Ledger`` is used by one thread, and ``psycopg_pool`` keeps background
  threads that the issuing run's forked signing workers would inherit mid-state.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, cast

from badgekit.errors import LedgerError
from badgekit.ledger import _base
from badgekit.ledger._base import Conflict, Opened, redact_url, scrub
from badgekit.ledger._schema import POSTGRES, SCHEMA_VERSION, steps

#: The advisory lock every write transaction takes ("badgekit" as a 63-bit number).
LOCK_KEY = int.from_bytes(b"badgekit", "big") & (2**63 - 1)
#: How long a writer waits for the lock (as SQLite's busy timeout) before it gives up.
LOCK_TIMEOUT = "60s"
CONNECT_TIMEOUT = 10
_INSTALL_HINT = "install the PostgreSQL driver: pip install 'badgekit[postgres]'"
_RESUME_HINT = "nothing was half-recorded; check the server and run the command again to resume"
_CONNECTION_FAILED = re.compile(
    r'connection to server (?:at "(?P<host>[^"]*)"(?: \([^)]*\))?, port (?P<port>\d+)|on socket "(?P<socket>[^"]*)") failed: (?P<cause>.*)'
)


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LedgerError("a postgresql:// ledger needs the psycopg driver, which is not installed",
                          hint=_INSTALL_HINT) from None
    return psycopg


@functools.lru_cache(maxsize=256)
def _sql(statement: str) -> str:
    """The ledger's SQL (``?`` placeholders, as sqlite3 takes) in psycopg's ``%s`` form."""
    return statement.replace("%", "%%").replace("?", "%s")


def server_name(url: str) -> str:
    """``host:port/dbname`` of a URL for messages (libpq defaults when the URL leaves them out)."""
    try:
        from psycopg.conninfo import conninfo_to_dict

        info = conninfo_to_dict(url)
    except Exception:  # a malformed URL: name it without its password
        return redact_url(url)
    host = str(info.get("host") or info.get("hostaddr") or info.get("service") or "the default server")
    port = info.get("port")
    name = f"{host}:{port}" if port else host
    return f"{name}/{info['dbname']}" if info.get("dbname") else name


def _connect_error(exc: BaseException, url: str) -> LedgerError:
    """One line naming the server and the cause (libpq's first line, without its prefixes)."""
    line = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    for prefix in ("connection is bad: ", "connection failed: "):
        line = line.removeprefix(prefix)
    match = _CONNECTION_FAILED.match(line)
    if match:
        where = match["socket"] or f"{match['host']}:{match['port']}"
        cause = match["cause"]
    else:
        where, cause = server_name(url), line
    cause = re.sub(r"^(FATAL|ERROR):\s+", "", cause.strip())
    return LedgerError(scrub(f"cannot connect to the ledger server {where}: {cause}", url),
                       hint="check the server and [ledger] url / BADGEKIT_LEDGER_URL; nothing was reserved")


def connect(url: str) -> Any:
    """A psycopg connection (autocommit) to the ledger at ``url``.

    Raises:
        LedgerError: psycopg is missing, or the server cannot be reached or refuses us.
    """
    psycopg = _psycopg()
    from psycopg.conninfo import conninfo_to_dict

    try:
        given = conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise _connect_error(exc, url) from None
    options: dict[str, Any] = {"autocommit": True}
    if "connect_timeout" not in given and "PGCONNECT_TIMEOUT" not in os.environ:
        options["connect_timeout"] = CONNECT_TIMEOUT  # libpq's default is to wait for ever
    if "application_name" not in given and "PGAPPNAME" not in os.environ:
        options["application_name"] = "badgekit"
    try:
        conn = psycopg.connect(url, **options)
        conn.execute(f"SET lock_timeout = '{LOCK_TIMEOUT}'")
    except psycopg.Error as exc:
        raise _connect_error(exc, url) from None
    return conn


class _Result:
    """What ``sqlite3.Cursor`` offers the ledger: rows fetched at once."""

    __slots__ = ("_rows",)

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self._rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)


class Connection:
    """The few methods of ``sqlite3.Connection`` the ledger calls, on psycopg."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.where = server_name(url)
        self.in_transaction = False
        self._pg = connect(url)

    def _live(self) -> Any:
        if self._pg.closed or self._pg.broken:
            if self.in_transaction:
                raise LedgerError(f"lost the connection to the ledger server {self.where}", hint=_RESUME_HINT)
            self._pg = connect(self.url)  # between transactions nothing is lost: open it again
        return self._pg

    def execute(self, sql: str, params: Sequence[Any] = ()) -> _Result:
        psycopg = _psycopg()
        pg = self._live()
        try:
            cur = pg.execute(_sql(sql), tuple(params))
            return _Result(cur.fetchall() if cur.description is not None else [])
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        psycopg = _psycopg()
        rows = list(rows)
        if not rows:
            return
        pg = self._live()
        try:
            with pg.cursor() as cur:
                cur.executemany(_sql(sql), rows)
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def begin(self) -> None:
        self.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        self.in_transaction = True
        try:
            self.execute("SELECT pg_advisory_xact_lock(?)", (LOCK_KEY,))
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        try:
            self.execute("COMMIT")
        finally:
            self.in_transaction = False

    def rollback(self) -> None:
        self.in_transaction = False
        if self._pg.closed or self._pg.broken:
            return  # the server rolled back when the connection went
        try:
            self._pg.execute("ROLLBACK")
        except _psycopg().Error:
            pass

    def close(self) -> None:
        self._pg.close()

    def _error(self, exc: BaseException) -> LedgerError:
        """A driver error as a one-line LedgerError: the server's first message line, no SQL."""
        from psycopg import errors

        diag = getattr(exc, "diag", None)
        first = next(iter(str(exc).strip().splitlines()), type(exc).__name__)
        text = scrub(getattr(diag, "message_primary", None) or first, self.url)
        if isinstance(exc, errors.SerializationFailure | errors.DeadlockDetected):
            return Conflict(f"ledger server {self.where}: {text}")
        if isinstance(exc, errors.IntegrityError):
            return IntegrityError(f"ledger server {self.where}: {text}", constraint=getattr(diag, "constraint_name", None))
        if isinstance(exc, errors.LockNotAvailable):
            return LedgerError(f"ledger server {self.where}: another writer held the ledger for more than {LOCK_TIMEOUT}",
                               hint="run the command again when the other run has finished")
        if self._pg.closed or self._pg.broken or isinstance(exc, errors.OperationalError):
            self.in_transaction = False
            return LedgerError(f"lost the connection to the ledger server {self.where}: {text}", hint=_RESUME_HINT)
        return LedgerError(f"ledger server {self.where}: {text}")


class IntegrityError(LedgerError):
    """A unique or foreign-key constraint refused a row; ``constraint`` names it."""

    def __init__(self, message: str, *, constraint: str | None) -> None:
        super().__init__(message)
        self.constraint = constraint


class _Engine:
    """The engine-specific operations ``Ledger`` needs; the connection is a :class:`Connection`
    (the ledger hands each engine only its own: hence the casts)."""

    name = "postgresql"
    IntegrityError = IntegrityError

    def __init__(self, url: str) -> None:
        self.url = url

    @staticmethod
    def begin(conn: _base.Connection) -> None:
        cast(Connection, conn).begin()

    @staticmethod
    def commit(conn: _base.Connection) -> None:
        cast(Connection, conn).commit()

    @staticmethod
    def rollback(conn: _base.Connection) -> None:
        cast(Connection, conn).rollback()

    @staticmethod
    def index_collision(exc: BaseException) -> bool:
        return getattr(exc, "constraint", None) == "issuances_status_index"


_L = TypeVar("_L", bound=Opened)


def schema_version(conn: Connection) -> int:
    """The ledger's schema version (0: an empty database)."""
    if conn.execute("SELECT to_regclass('meta')").fetchone() == (None,):
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def open_ledger(cls: Callable[[None, Connection, _Engine], _L], url: str) -> _L:
    """Open the PostgreSQL ledger at ``url``, creating or upgrading its tables (``Ledger.open``).

    Raises:
        LedgerError: see :meth:`badgekit.ledger.Ledger.open`.
    """
    conn = Connection(url)
    ledger = cls(None, conn, _Engine(url))
    try:
        with ledger.transaction():  # under the write lock: processes opening a new ledger at once
            version = schema_version(conn)
            if version > SCHEMA_VERSION:
                raise LedgerError(f"{redact_url(url)}: ledger written by a newer badgekit (schema {version})",
                                  hint="upgrade badgekit")
            if version < SCHEMA_VERSION:
                for statement in steps(POSTGRES, version):
                    conn.execute(statement)
                conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(SCHEMA_VERSION),))
            conn.execute("INSERT INTO meta (key, value) VALUES ('secret', ?) ON CONFLICT (key) DO NOTHING",
                         (secrets.token_hex(32),))
    except BaseException:
        conn.close()
        raise
    return ledger

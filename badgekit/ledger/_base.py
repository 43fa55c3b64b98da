"""What both ledger engines share without importing either: the conflict error that makes a
write transaction run again, URL handling that never shows a password, and the in-memory set of
status indices in use."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from badgekit.errors import LedgerError

#: URL schemes that select the PostgreSQL engine (libpq accepts both).
URL_SCHEMES = ("postgresql://", "postgres://")


class Conflict(LedgerError):
    """The engine aborted a write transaction to resolve a conflict with another writer
    (serialisation failure, deadlock, a status index taken first). The transaction rolled back
    whole; :func:`badgekit.ledger._retried` runs it again."""

    default_hint = "another run was writing to the same ledger; run the command again"


class UsedIndices:
    """The status indices in use on one list, as a bitmap: ``size / 8`` bytes per list whatever the
    number of credentials (a set of ints took ~90 bytes per credential for a whole run: issue 18).
    Indices are never negative; the bitmap grows for one beyond ``size``."""

    __slots__ = ("_bits", "_count")

    def __init__(self, size: int) -> None:
        self._bits = bytearray((size + 7) // 8)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, index: int) -> bool:
        byte = index >> 3
        return byte < len(self._bits) and bool(self._bits[byte] & (1 << (index & 7)))

    def add(self, index: int) -> None:
        if index < 0:
            raise ValueError(f"status index {index} is negative")
        byte, bit = index >> 3, 1 << (index & 7)
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits)))
        if not self._bits[byte] & bit:
            self._bits[byte] |= bit
            self._count += 1


class Rows(Protocol):
    """What a statement returns: a ``sqlite3.Cursor``, or the PostgreSQL engine's fetched rows."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """The few methods of ``sqlite3.Connection`` the ledger calls (the PostgreSQL engine's too)."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Rows: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> object: ...
    def close(self) -> None: ...


class Engine(Protocol):
    """The engine-specific operations ``Ledger`` needs; each engine is given only its own connection."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def IntegrityError(self) -> type[Exception]: ...  # noqa: N802 - the engine's exception class
    def begin(self, conn: Connection, /) -> None: ...
    def commit(self, conn: Connection, /) -> None: ...
    def rollback(self, conn: Connection, /) -> None: ...
    def index_collision(self, exc: BaseException, /) -> bool: ...


class Opened(Protocol):
    """What an engine's ``open_ledger`` needs of the ``Ledger`` it makes."""

    def transaction(self) -> AbstractContextManager[Connection]: ...


class Rejection(Protocol):
    """A roster row's problem as the ledger records it (``badgekit.roster.RowError``)."""

    @property
    def line(self) -> int: ...
    @property
    def column(self) -> str | None: ...
    @property
    def reason(self) -> str: ...


def is_ledger_url(target: str) -> bool:
    """Whether ``target`` names a PostgreSQL ledger rather than an SQLite file."""
    return target.strip().lower().startswith(URL_SCHEMES)


def url_password(url: str) -> str | None:
    """The password a ``postgresql://`` URL carries (in its user part or as ``?password=``)."""
    parts = urlsplit(url.strip())
    if parts.password:
        return unquote(parts.password)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key == "password" and value:
            return value
    return None


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``: the only form badgekit ever shows."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return re.sub(r"(//[^/@:]*:)[^@/]*@", r"\1***@", text)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        user, colon, _secret = userinfo.partition(":")
        netloc = f"{user}:***@{hosts}" if colon else f"{user}@{hosts}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(k == "password" for k, _ in pairs):
            query = urlencode([(k, "***" if k == "password" else v) for k, v in pairs], safe="/*")
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def scrub(text: str, url: str | None) -> str:
    """``text`` (a driver's message) with the URL's password, if any, replaced by ``***``."""
    secret = url_password(url) if url else None
    if not secret:
        return text
    from urllib.parse import quote

    return text.replace(secret, "***").replace(quote(secret, safe=""), "***")


def keyed_uuid(digest: bytes) -> str:
    """``str(uuid.UUID(bytes=digest[:16], version=4))`` without the UUID object: the version
    and variant bits set, the hex in 8-4-4-4-12 groups."""
    b = bytearray(digest[:16])
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    x = b.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"

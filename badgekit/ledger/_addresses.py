"""Delivery addresses: where the roster said to deliver each credential (schema version 3).

Kept by the issuer for ``badgekit send``; never written into a credential, a bundle's page, a log
or JSON output unless asked (``send --show-addresses``). ``report`` counts them, never lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from badgekit.ledger._base import Connection

_UPSERT = (
    "INSERT INTO addresses (credential_id, address, name, recorded_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (credential_id) DO UPDATE SET address = excluded.address, name = excluded.name, "
    "recorded_at = excluded.recorded_at "
    "WHERE addresses.address <> excluded.address OR COALESCE(addresses.name, '') <> COALESCE(excluded.name, '')"
)


def record(conn: Connection, entries: Iterable[tuple[str, str, str | None]], at: str) -> None:
    """Keep ``(credential_id, address, name)`` rows; a changed address or name replaces the kept
    one (the roster is the issuer's latest word), an unchanged one is left as it is."""
    rows = [(cid, address, name or None, at) for cid, address, name in entries if address]
    if rows:
        conn.executemany(_UPSERT, rows)


def select(conn: Connection, credential_ids: Sequence[str] | None) -> dict[str, tuple[str, str | None]]:
    """Credential id -> (address, name): every kept one, or those of ``credential_ids``."""
    if credential_ids is None:
        return {r[0]: (r[1], r[2]) for r in conn.execute("SELECT credential_id, address, name FROM addresses")}
    found: dict[str, tuple[str, str | None]] = {}
    ids = list(dict.fromkeys(credential_ids))
    for start in range(0, len(ids), 500):
        batch = ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        for r in conn.execute(f"SELECT credential_id, address, name FROM addresses WHERE credential_id IN ({marks})", batch):
            found[r[0]] = (r[1], r[2])
    return found

"""Publishing the status lists: each one's bits from the ledger, signed, written atomically."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from badgekit import cache, status
from badgekit._io import atomic_write, dumps_json, load_json_file
from badgekit._time import format_utc, utc_now
from badgekit.badgeclass import add_duration, parse_duration
from badgekit.errors import InputError, LimitExceeded
from badgekit.issuing import status_url_for
from badgekit.keys import DataIntegrityKey, EcdsaKey, Ed25519Key, Signer
from badgekit.ledger import Ledger
from badgekit.lifecycle._summary import list_file_name, status_summary

if TYPE_CHECKING:
    from badgekit.project import Project


def build_list(
    ledger: Ledger,
    list_id: int,
    purpose: str,
    url: str,
    size: int,
    *,
    issuer_id: str,
    signer: Signer,
    now: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The signed list credential for one ledger list, its bits taken from the ledger now.

    Raises:
        StatusListError: a ledger index outside the list, or a key of another issuer.
    """
    bits = status.Bitstring(size)
    for index in ledger.set_indices(list_id):
        bits.set(index)
    stamp = format_utc(now)
    unsigned = status.list_credential(
        url,
        purpose,  # type: ignore[arg-type]  # a ledger purpose is one of status.PURPOSES (CHECK in its schema)
        bits,
        issuer=issuer_id,
        valid_from=stamp,
        valid_until=format_utc(valid_until) if valid_until is not None else None,
        ttl_ms=ttl_ms,
    )
    return status.sign_list_credential(unsigned, signer, created=stamp)


def publish_lists(
    ledger: Ledger,
    project: Project,
    key: DataIntegrityKey | Signer,
    out_dir: str | os.PathLike[str],
    now: datetime,
    *,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
    actor: str = "badgekit",
    only_stale: bool = False,
    cache_root: Path | None = None,
) -> list[Path]:
    """Write every status list of the ledger as a signed ``BitstringStatusListCredential``.

    One file per list in ``out_dir``, named after the last segment of the list's URL, ready to be
    hosted at that URL; ``validFrom`` and the proof's ``created`` are ``now``. The list's issuer is
    ``project.issuer["id"]`` (what the credentials name) and the signing key must belong to it.
    Files are written atomically inside one ledger write transaction, and a ``published`` event is
    recorded per list. Only the issuer's lists are written: on a ledger shared by several issuers
    the others' lists are theirs to sign. Returns the paths in the order of
    ``ledger.lists(issuer=…)`` (empty: no lists).

    ``only_stale``: write only the lists whose file in ``out_dir`` is not up to date by the test
    :func:`status_summary` applies (missing, unreadable, expired, or its bits not the ledger's),
    decided inside the same transaction. So a change whose publish was skipped, failed or killed
    after the ledger commit is published by the next call, and a repeat with nothing new writes
    nothing.

    Nothing is written when a copy of a list that publishing would replace (its file in ``out_dir``,
    or the hosted copy in the verification cache, ``cache_root`` or the default cache) has a bit this
    ledger does not account for (:func:`check_no_foreign_bits`): another ledger is issuing under the
    same status list URL, and the new file would erase its revocations.

    Raises:
        KeyFileError: ``key`` is not the key of the project's did:key issuer.
        StatusListError: the key's verification method is not the issuer's; bad dates.
        InputError: two lists would be written to the same file name.
        ForeignBitsError: a published copy has revocations or suspensions this ledger does not know.
        LedgerError: the ledger cannot be read or written.
    """
    if now.tzinfo is None:
        raise InputError("publish_lists needs a time-zone-aware 'now'")
    issuer_id = str(project.issuer["id"])
    signer = project.signer(key) if isinstance(key, Ed25519Key | EcdsaKey) else key
    target = Path(out_dir)
    names: dict[str, str] = {}
    with ledger.transaction():
        rows = ledger.lists(issuer=issuer_id)
        for _list_id, _purpose, url, _size in rows:
            name = list_file_name(url)
            if name in names:
                raise InputError(
                    f"status lists {names[name]} and {url} would both be published as {target / name}",
                    hint="give the lists distinct file names (status_base_url)",
                )
            names[name] = url
        if only_stale:
            current = {s.list_id for s in status_summary(ledger, target, now=now) if s.up_to_date}
            rows = [row for row in rows if row[0] not in current]
        for list_id, purpose, url, _size in rows:
            check_no_foreign_bits(ledger, list_id, purpose, url, issuer_id,
                                  [target / list_file_name(url)], cache_root=cache_root)
        documents = [
            (
                list_file_name(url),
                url,
                build_list(ledger, list_id, purpose, url, size, issuer_id=issuer_id, signer=signer, now=now,
                           valid_until=valid_until, ttl_ms=ttl_ms),
                len(ledger.set_indices(list_id)),
            )
            for list_id, purpose, url, size in rows
        ]
        paths = []
        for name, url, document, set_count in documents:
            path = atomic_write(target / name, dumps_json(document))
            paths.append(path)
            ledger.record_event(None, "published", actor=actor, detail={"url": url, "path": str(path), "set": set_count})
    return paths


class ForeignBitsError(InputError):
    """A published status list holds bits another ledger set: publishing would erase them."""


def check_no_foreign_bits(
    ledger: Ledger, list_id: int, purpose: str, url: str, issuer_id: str, copies: list[Path], *,
    cache_root: Path | None = None,
) -> None:
    """Refuse to replace a published list whose bits this ledger cannot account for.

    Each project keeps its own SQLite ledger by default; two of them under one issuer and one
    ``status_base_url`` allocate indices on the same list URL independently, and whichever
    publishes last would silently erase the other's revocations. A copy of the list (a file in
    ``copies``, and the hosted copy if it is in the verification cache) that is signed for this URL
    gives that away: signed by another issuer, or a bit set in it that the ledger has not set, on an
    index the ledger never handed out (or, on a revocation list, any such bit, since revocation is
    final). Unreadable copies and copies of other lists are ignored: they are replaced as before.

    Raises:
        ForeignBitsError: such a bit, naming the copy, the list and an index.
    """
    candidates: list[tuple[str, Any]] = []
    for path in copies:
        if path.is_file():
            try:
                candidates.append((str(path), load_json_file(path)))
            except (InputError, LimitExceeded):
                continue
    entry = cache.find("status-list", url, root=cache_root)
    if entry is not None:
        candidates.append((f"the cached copy of {url} ({entry.describe()})", entry.document))
    ours: set[int] | None = None
    for source, document in candidates:
        if not isinstance(document, dict) or document.get("id") != url:
            continue  # not a copy of this list
        issuer = document.get("issuer")
        other = issuer.get("id") if isinstance(issuer, dict) else issuer
        if other != issuer_id:
            raise ForeignBitsError(
                f"{source}: the {purpose} list {url} is published by another issuer ({other!r}, not {issuer_id}); "
                "publishing would break every credential that issuer pointed at it",
                hint="give each issuer its own status_base_url; if the copy is stale, move it away and publish again",
            )
        previous = _set_bits(document)
        if not previous:
            continue
        if ours is None:
            ours = set(ledger.set_indices(list_id))
        unknown = previous - ours
        if unknown and purpose != "revocation":  # an unsuspended credential's bit is cleared by design
            unknown -= ledger.allocated_among(list_id, unknown)
        if unknown:
            first = min(unknown)
            raise ForeignBitsError(
                f"{source}: the {purpose} list {url} has {len(unknown):,} bit(s) this ledger did not set "
                f"(index {first}{' …' if len(unknown) > 1 else ''}): another ledger issues under this status "
                f"list URL, and publishing would erase its {purpose}s",
                hint="point every project of this issuer at one shared ledger ([ledger] url, docs/ledger.md); "
                "if the copy is stale, move it away and publish again",
            )


def _set_bits(document: dict[str, Any]) -> set[int]:
    """The set indices of a list credential; empty when its list cannot be read."""
    subject = document.get("credentialSubject")
    if not isinstance(subject, dict):
        return set()
    try:
        return set(status.Bitstring.decode(subject.get("encodedList")).set_indices())
    except InputError:
        return set()


def init_lists(ledger: Ledger, status_base_url: str, issuer: str | None = None) -> list[tuple[int, str, str]]:
    """Make sure the ledger has an open revocation list and an open suspension list.

    Returns ``(list id, purpose, url)`` for both. Idempotent: existing open lists are reused.
    ``issuer`` (the issuer id) owns lists it creates; a list at one of these URLs that another
    issuer owns is refused (LedgerError).
    """
    out = []
    for purpose in status.PURPOSES:
        list_id, url = ledger.ensure_list(purpose, status_url_for(status_base_url, purpose), issuer=issuer)
        out.append((list_id, purpose, url))
    return out


def duration_ms(text: str, *, now: datetime | None = None) -> int:
    """An ISO 8601 duration (``PT6H``, ``P1D``) in milliseconds, for a status list's ``ttl``.

    Raises:
        InputError: not a duration, or zero.
    """
    start = (now or utc_now()).astimezone(UTC)
    duration = parse_duration(text)
    if duration.is_zero:
        raise InputError(f"duration {text!r} must be longer than zero")
    return int((add_duration(start, duration) - start).total_seconds() * 1000)


def valid_until_after(now: datetime, text: str) -> datetime:
    """``now`` plus an ISO 8601 duration (``P7D``), for ``--valid-for``.

    Raises:
        InputError: not a duration, or zero.
    """
    duration = parse_duration(text)
    if duration.is_zero:
        raise InputError(f"duration {text!r} must be longer than zero")
    return add_duration(now, duration)

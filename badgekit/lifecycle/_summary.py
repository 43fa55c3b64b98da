"""What each status list holds in the ledger, and whether its published file is current."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from badgekit import status
from badgekit._io import load_json_file
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.errors import InputError
from badgekit.ledger import Ledger


def list_file_name(url: str) -> str:
    """The file a list is written to: the last path segment of its URL (``revocation-1.json``).

    Raises:
        InputError: the URL has no usable last segment.
    """
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    if not segment or segment in (".", "..") or "\\" in segment:
        raise InputError(f"status list URL {url} has no file name to publish it under")
    return segment if "." in segment else segment + ".json"


@dataclass(frozen=True)
class ListSummary:
    """One status list: what the ledger holds, and whether the published file matches it."""

    list_id: int
    purpose: str
    url: str
    size: int
    allocated: int  # indices handed out (every credential on the list, any state)
    issued: int
    revoked: int
    suspended: int
    reserved: int
    file_name: str
    published_path: Path | None = None  # the file in the publish folder, when there is one
    published_at: str | None = None  # its validFrom
    published_valid_until: str | None = None
    up_to_date: bool | None = None  # its bits equal the ledger's (None: no file)
    published_problem: str | None = None  # why the file could not be read, or has expired

    @property
    def set_count(self) -> int:
        return self.revoked + self.suspended

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "statusPurpose": self.purpose,
            "size": self.size,
            "allocated": self.allocated,
            "issued": self.issued,
            "revoked": self.revoked,
            "suspended": self.suspended,
            "reserved": self.reserved,
            "set": self.set_count,
            "file": self.file_name,
            "published": None
            if self.published_path is None
            else {
                "path": str(self.published_path),
                "validFrom": self.published_at,
                "validUntil": self.published_valid_until,
                "upToDate": self.up_to_date,
                "problem": self.published_problem,
            },
        }


def status_summary(
    ledger: Ledger, out_dir: str | os.PathLike[str] | None = None, *, now: datetime | None = None,
    issuer: str | None = None,
) -> list[ListSummary]:
    """Counts per status list (with ``issuer``, that issuer's lists only), and (given
    ``out_dir``) whether each published file is current.

    A published file is "up to date" when its bits equal the ledger's; one that cannot be read,
    or whose ``validUntil`` is before ``now``, gets a ``published_problem``. Never raises for a bad
    published file.

    Raises:
        LedgerError: the ledger cannot be read.
    """
    counts = ledger.list_counts()
    out = []
    for list_id, purpose, url, size in ledger.lists(issuer=issuer):
        c = counts.get(list_id, {})
        try:
            name = list_file_name(url)
        except InputError:
            name = ""
        summary = ListSummary(
            list_id=list_id,
            purpose=purpose,
            url=url,
            size=size,
            allocated=sum(c.values()),
            issued=c.get("issued", 0),
            revoked=c.get("revoked", 0),
            suspended=c.get("suspended", 0),
            reserved=c.get("reserved", 0),
            file_name=name,
        )
        if out_dir is not None and name and (Path(out_dir) / name).is_file():
            summary = _with_published(summary, ledger, Path(out_dir) / name, now)
        out.append(summary)
    return out


def _with_published(summary: ListSummary, ledger: Ledger, path: Path, now: datetime | None) -> ListSummary:

    try:
        doc = load_json_file(path)
        subject = doc.get("credentialSubject") if isinstance(doc, Mapping) else None
        if not isinstance(subject, Mapping):
            raise InputError(f"{path}: not a status list credential")
        bits = status.Bitstring.decode(subject.get("encodedList"))  # checked inside
    except InputError as exc:
        return replace(summary, published_path=path, up_to_date=False, published_problem=exc.message)
    valid_from = doc.get("validFrom")
    valid_until = doc.get("validUntil")
    problem = None
    if doc.get("id") != summary.url:
        problem = f"{path}: its id is {doc.get('id')!r}, not {summary.url}"
    elif now is not None and isinstance(valid_until, str):
        end = _parse_stamp(valid_until)
        if end is not None and end < now:
            problem = f"{path}: expired at {valid_until}; publish again"
    current = sorted(ledger.set_indices(summary.list_id))
    return replace(
        summary,
        published_path=path,
        published_at=valid_from if isinstance(valid_from, str) else None,
        published_valid_until=valid_until if isinstance(valid_until, str) else None,
        up_to_date=len(bits) == summary.size and bits.set_indices() == current and problem is None,
        published_problem=problem,
    )


def _parse_stamp(text: str) -> datetime | None:
    try:
        return parse_datetime_stamp(text, field="validUntil")
    except TimestampError:
        return None

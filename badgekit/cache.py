"""A local cache of the documents offline verification needs: did:web DID documents (and issuer
profiles holding keys), status lists, and the documents an Open Badges 2.0 badge refers to
(hosted assertion, BadgeClass, issuer Profile, CryptographicKey, RevocationList).

badgekit never fetches. An earner or a registrar downloads an issuer's ``did.json`` or status
list once (or receives it with the badges), adds it with ``badgekit cache add FILE``, and from then
on ``badgekit verify`` finds it by id without ``--did-doc`` / ``--status-list``. Documents given on
the command line take precedence over cached ones. A cached entry is only ever what the user
added: nothing is written to the cache by ``verify``.

Each entry is one JSON file ``<kind>/<sha256(id)>.json`` holding ``{"kind", "id", "added",
"source", "document"}``, written atomically; reading skips (and reports) entries that are
damaged, never failing a verification because of the cache. Status list entries keep the
time they were added, which ``verify`` shows: a cached list says nothing about revocations made
after it was downloaded.

Location: ``$BADGEKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/badgekit``, else ``~/.cache/badgekit``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from badgekit import _legacy
from badgekit._cache_dir import cache_dir as cache_dir  # where the cache lives (module docstring)
from badgekit._io import atomic_write, dumps_json, load_json_file
from badgekit._time import format_utc, utc_now
from badgekit.errors import InputError, LimitExceeded

Kind = Literal["did-document", "status-list", "revocation-list", "ob2-document"]
KINDS: tuple[Kind, ...] = ("did-document", "status-list", "revocation-list", "ob2-document")
#: Largest number of entries read from the cache (each is a file read on every verify run).
MAX_ENTRIES = 10_000


class CacheError(InputError):
    """A file cannot be added to the cache, or a cache entry cannot be found."""


@dataclass(frozen=True)
class CacheEntry:
    """One cached document, keyed by its ``id`` (a DID, a profile URL, a status list URL)."""

    kind: Kind
    id: str
    added: str
    source: str
    document: Mapping[str, Any]
    path: Path

    def describe(self) -> str:
        """``cached <date>`` for reports: when it was added, so its age is visible."""
        return f"cached {self.added[:10]}"


@dataclass(frozen=True)
class CacheContents:
    """What ``verify`` takes from the cache, and the entries it had to skip (with reasons)."""

    did_documents: Mapping[str, Mapping[str, Any]]
    status_lists: Mapping[str, Any]
    entries: tuple[CacheEntry, ...]
    skipped: tuple[str, ...]
    ob2_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def provenance(self) -> dict[str, str]:
        return {e.id: e.describe() for e in self.entries}


def classify(document: Any, *, source: str = "input") -> tuple[Kind, str]:
    """The kind and id of a document that may be cached.

    Raises:
        CacheError: not a DID document / issuer profile with keys, nor a Bitstring status list
            credential, nor an Open Badges 2.0 document with an id URL (a 1EdTechRevocationList,
            or an OB 2.0 RevocationList without an id, needs its URL: use :func:`add` with ``url=``).
    """
    if not isinstance(document, Mapping):
        raise CacheError(f"{source}: not a JSON object")
    doc_id = document.get("id")
    if _legacy.has_ob2_context(document):  # any OB 2.0 document (a revoked hosted assertion has no type)
        if not isinstance(doc_id, str) or "://" not in doc_id:
            raise CacheError(f"{source}: an Open Badges 2.0 document needs its URL as \"id\" (or add it as URL=FILE)")
        return "ob2-document", doc_id
    types = document.get("type")
    type_list = types if isinstance(types, list) else [types]
    if "BitstringStatusListCredential" in type_list:
        if not isinstance(doc_id, str) or "://" not in doc_id:
            raise CacheError(f"{source}: a status list credential needs its URL as \"id\"")
        return "status-list", doc_id
    if isinstance(document.get("revokedCredential"), list):
        raise CacheError(f"{source}: a 1EdTechRevocationList has no id of its own; add it as URL=FILE")
    has_keys = any(isinstance(document.get(k), list) and document.get(k)
                   for k in ("verificationMethod", "assertionMethod"))
    if isinstance(doc_id, str) and has_keys and (doc_id.startswith("did:") or "://" in doc_id):
        return "did-document", doc_id
    raise CacheError(
        f"{source}: not a DID document or issuer profile with verificationMethod, nor a "
        "BitstringStatusListCredential; nothing to cache"
    )


def add(path: str | os.PathLike[str], *, url: str | None = None, root: Path | None = None,
        now: datetime | None = None) -> CacheEntry:
    """Cache the document in ``path`` (replacing an entry with the same id).

    ``url``: the URL a 1EdTechRevocationList is published at (it has no id of its own).

    Raises:
        InputError, LimitExceeded: the file is missing, too large or not JSON.
        CacheError: the document is not something verification can use.
    """
    source = str(path)
    document = load_json_file(path)
    if url is not None:
        if "://" not in url:
            raise CacheError(f"{url!r} is not a URL")
        kind: Kind
        if isinstance(document, Mapping) and _legacy.document_type(document) == "RevocationList":
            if document.get("id") not in (None, url):
                raise CacheError(f"{source}: the RevocationList's id is {document.get('id')!r}, not {url}")
            kind = "ob2-document"
        elif isinstance(document, Mapping) and isinstance(document.get("revokedCredential"), list):
            kind = "revocation-list"
        else:
            raise CacheError(f"{source}: URL=FILE is for a 1EdTechRevocationList (a revokedCredential array) "
                             "or an Open Badges 2.0 RevocationList")
        doc_id = url
    else:
        kind, doc_id = classify(document, source=source)
    when = format_utc(now or utc_now())
    base = root or cache_dir()
    target = base / kind / f"{_digest(doc_id)}.json"
    record = {"kind": kind, "id": doc_id, "added": when, "source": os.path.abspath(source), "document": document}
    atomic_write(target, dumps_json(record) + "\n", mode=0o644)
    return CacheEntry(kind, doc_id, when, record["source"], document, target)


def entries(*, root: Path | None = None, skipped: list[str] | None = None) -> Iterator[CacheEntry]:
    """Every readable cache entry, ordered by kind then id. Damaged entries are skipped, and
    described in ``skipped`` when a list is given."""
    base = root or cache_dir()
    found: list[CacheEntry] = []
    for kind in KINDS:
        folder = base / kind
        if not folder.is_dir():
            continue
        for file in sorted(folder.glob("*.json")):
            if len(found) >= MAX_ENTRIES:
                if skipped is not None:
                    skipped.append(f"{base}: more than {MAX_ENTRIES:,} entries; the rest are ignored")
                return iter(sorted(found, key=lambda e: (KINDS.index(e.kind), e.id)))
            try:
                record = load_json_file(file)
                entry = _entry(record, kind, file)
            except (InputError, LimitExceeded) as exc:
                if skipped is not None:
                    skipped.append(f"{file}: {exc.message}")
                continue
            found.append(entry)
    return iter(sorted(found, key=lambda e: (KINDS.index(e.kind), e.id)))


def load(*, root: Path | None = None) -> CacheContents:
    """The cached documents in the shape :class:`badgekit.verify.VerifyOptions` takes."""
    skipped: list[str] = []
    all_entries = tuple(entries(root=root, skipped=skipped))
    dids = {e.id: e.document for e in all_entries if e.kind == "did-document"}
    lists = {e.id: e.document for e in all_entries if e.kind in ("status-list", "revocation-list")}
    ob2 = {e.id: e.document for e in all_entries if e.kind == "ob2-document"}
    return CacheContents(dids, lists, all_entries, tuple(skipped), ob2)


def find(kind: Kind, doc_id: str, *, root: Path | None = None) -> CacheEntry | None:
    """The cached ``kind`` document with this id, or None (also for a damaged entry)."""
    file = (root or cache_dir()) / kind / f"{_digest(doc_id)}.json"
    try:
        return _entry(load_json_file(file), kind, file)
    except (InputError, LimitExceeded):
        return None


def remove(doc_id: str, *, root: Path | None = None) -> list[CacheEntry]:
    """Remove the entries with this id (of any kind). Returns what was removed.

    Raises:
        CacheError: nothing is cached under this id.
    """
    removed = [e for e in entries(root=root) if e.id == doc_id]
    if not removed:
        raise CacheError(f"nothing is cached under {doc_id!r}", hint="see: badgekit cache list")
    for e in removed:
        e.path.unlink(missing_ok=True)
    return removed


def clear(*, root: Path | None = None) -> int:
    """Remove every entry. Returns how many were removed."""
    base = root or cache_dir()
    count = 0
    for kind in KINDS:
        for file in (base / kind).glob("*.json") if (base / kind).is_dir() else ():
            file.unlink(missing_ok=True)
            count += 1
    return count


def _digest(doc_id: str) -> str:
    return hashlib.sha256(doc_id.encode("utf-8")).hexdigest()


def _entry(record: Any, kind: Kind, file: Path) -> CacheEntry:
    if not isinstance(record, Mapping):
        raise CacheError("not a badgekit cache entry")
    doc_id, added, source, document = (record.get(k) for k in ("id", "added", "source", "document"))
    if record.get("kind") != kind or not all(isinstance(v, str) for v in (doc_id, added, source)):
        raise CacheError("not a badgekit cache entry")
    if not isinstance(document, Mapping):
        raise CacheError("the cached document is not a JSON object")
    assert isinstance(doc_id, str) and isinstance(added, str) and isinstance(source, str)
    if file.stem != _digest(doc_id):
        raise CacheError(f"entry for {doc_id!r} is stored under the wrong name")
    unkeyed = kind == "revocation-list" or (kind == "ob2-document" and "id" not in document)
    if not unkeyed and classify(document, source=str(file)) != (kind, doc_id):
        raise CacheError(f"the cached document is not the {kind} {doc_id}")
    return CacheEntry(kind, doc_id, added, source, document, file)

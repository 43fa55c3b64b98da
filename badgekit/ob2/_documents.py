"""The documents an OB 2.0 badge refers to by URL, as supplied copies: the hosted assertion, its
BadgeClass, the issuer Profile, the issuer's CryptographicKey and RevocationList.

OB 2.0 verification fetches these; badgekit never does. Whoever verifies downloads them once
(or receives them with the badges) and gives them as files (``verify --ob2-doc``) or adds them
with ``badgekit cache add``. A copy stands for the URL it was given for: a copy whose ``id`` is
another URL is reported by the check that needed it, never used.

    >>> docs = Documents({"https://example.org/badge.json": {"id": "https://example.org/badge.json"}})
    >>> docs.get("https://example.org/badge.json") is not None, docs.get("https://example.org/other") is None
    (True, True)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from badgekit import _legacy
from badgekit._io import load_json_file
from badgekit._legacy import normalize_url
from badgekit.errors import InputError

#: The most documents read from one folder given to ``--ob2-doc``.
MAX_FOLDER_FILES = 10_000


class Missing(Exception):  # noqa: N818 - a signal between the checks, never raised to callers
    """Documents a check needs were not supplied: ``items`` says which, as (URL, what it is)."""

    def __init__(self, url: str, what: str, *more: tuple[str, str]) -> None:
        self.items = [(url, what), *more]
        super().__init__(self.describe())

    def describe(self) -> str:
        """``the BadgeClass https://… and the issuer Profile https://…``."""
        return " and ".join(f"the {what} {url}" for url, what in self.items)


class WrongCopy(Exception):  # noqa: N818 - as above
    """The copy supplied for ``url`` is another document (its ``id`` differs)."""


@dataclass(frozen=True)
class Documents:
    """Supplied copies by the URL they stand for; ``provenance``: URL → where the copy came from
    (a file, "cached 2026-01-15"), shown in reasons."""

    by_url: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    provenance: Mapping[str, str] = field(default_factory=dict)
    @cached_property
    def _by_key(self) -> Mapping[str, Mapping[str, Any]]:
        """by_url keyed by :func:`badgekit._legacy.normalize_url` (``HTTPS://Example.org/a`` and
        ``https://example.org/a`` name one document); made on the first lookup a URL as written misses."""
        return {normalize_url(k): v for k, v in self.by_url.items()}

    @cached_property
    def _where(self) -> Mapping[str, str]:
        return {normalize_url(k): v for k, v in self.provenance.items()}

    def get(self, url: str) -> Mapping[str, Any] | None:
        found = self.by_url.get(url)
        return found if found is not None else self._by_key.get(normalize_url(url))

    def where(self, url: str) -> str:
        return self.provenance.get(url) or self._where.get(normalize_url(url), "supplied")

    def need(self, url: str, what: str) -> Mapping[str, Any]:
        """The copy of ``url``.

        Raises:
            Missing: not supplied.
            WrongCopy: the copy's ``id`` is not ``url`` (a RevocationList may have none).
        """
        doc = self.get(url)
        if doc is None:
            raise Missing(url, what)
        found = doc.get("id")
        same = isinstance(found, str) and normalize_url(found) == normalize_url(url)
        if not same and not (found is None and _legacy.document_type(doc) == "RevocationList"):
            raise WrongCopy(f"the copy of {what} {url} ({self.where(url)}) has id {str(found)[:120]!r}: "
                            "a copy must be the document published at that URL")
        return doc


def load_documents(items: Iterable[str]) -> tuple[dict[str, Mapping[str, Any]], dict[str, str]]:
    """OB 2.0 documents from ``FILE`` (keyed by its ``id``), ``DIR`` (its ``*.json`` files, each
    keyed by its ``id``) or ``URL=FILE`` (the copy of that URL, e.g. a RevocationList without
    an ``id``). Returns (URL → document, URL → file it came from).

    Raises:
        InputError: a file is missing or not JSON, a document without an ``id`` URL given
            without ``URL=``, a folder with no JSON file or more than :data:`MAX_FOLDER_FILES`,
            two files for one URL.
    """
    docs: dict[str, Mapping[str, Any]] = {}
    where: dict[str, str] = {}

    def put(url: str, doc: Mapping[str, Any], source: str) -> None:
        if url in docs and docs[url] != doc:
            raise InputError(f"{source}: another document for {url} was already given ({where[url]})")
        docs[url], where[url] = doc, f"file {source}"

    for item in items:
        url, sep, file = item.partition("=")
        if sep and "://" in url:
            put(url, _object(file), file)
            continue
        path = Path(item)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".json" and not p.name.startswith("."))
            if not files:
                raise InputError(f"{path}: no *.json files in this folder")
            if len(files) > MAX_FOLDER_FILES:
                raise InputError(f"{path}: {len(files):,} *.json files, more than the {MAX_FOLDER_FILES:,} read from one "
                                 "folder", hint="split them into several folders, each given with --ob2-doc")
            for p in files:
                doc = _object(p)
                put(_id_of(doc, str(p)), doc, str(p))
            continue
        doc = _object(item)
        put(_id_of(doc, item), doc, item)
    return docs, where


def _object(path: str | os.PathLike[str]) -> Mapping[str, Any]:
    doc = load_json_file(path)
    if not isinstance(doc, dict):
        raise InputError(f"{path}: an Open Badges 2.0 document is a JSON object")
    return doc


def _id_of(doc: Mapping[str, Any], source: str) -> str:
    doc_id = doc.get("id")
    if not isinstance(doc_id, str) or "://" not in doc_id:
        raise InputError(f"{source}: the document has no id URL; give it as URL=FILE for the URL it is published at")
    return doc_id

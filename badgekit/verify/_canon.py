"""Bounded RDFC-1.0 canonicalisation for verification, computed once per credential: check 3
computes the unsigned document's canonical form and check 6 reuses it."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from badgekit import jsonld, proof
from badgekit.errors import LimitExceeded
from badgekit.limits import MAX_JSON_OBJECTS, count_objects


def canonize_bounded(document: Mapping[str, Any], *, loader: Callable[..., Any] | None = None,
                     objects: int | None = None, equal: bool = False) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` in safe mode, refusing hostile graphs fast.

    The size of the JSON is bounded here (``objects``: its JSON objects, when the caller has
    counted them already); :func:`badgekit.jsonld.canonize` bounds blank nodes and RDFC-1.0
    N-degree work (look-alike groups, chains, total steps), for every caller. ``equal``: reuse the
    walk of objects equal to ones met before (see :func:`badgekit.jsonld.canonize`).

    Raises:
        DocumentLoaderError, JsonLdError: see :func:`badgekit.jsonld.to_rdf`.
        LimitExceeded: too many JSON objects or blank nodes, or a graph that needs too much work
            (a "poison graph").
    """
    if (objects if objects is not None else count_objects(document, MAX_JSON_OBJECTS)) > MAX_JSON_OBJECTS:
        raise LimitExceeded(f"more than {MAX_JSON_OBJECTS:,} JSON objects to process as JSON-LD "
                            "(an Open Badges credential has tens); refused")
    # jsonld.canonize bounds the blank nodes and the RDFC-1.0 N-degree work (poison graphs).
    return jsonld.canonize(document, loader=loader, equal=equal)


class CanonCache:
    """RDFC-1.0 for :func:`badgekit.proof.hash_data`, reusing the canonical form of the unsigned
    document that the contexts check computed (the expensive part).

    Each user builds the unsigned document anew (``{k: v for k, v in doc.items() if k != "proof"}``),
    so a hit is a dict with the same keys in the same order holding the very same value objects
    (``is``, not ``==``): the same JSON, since nothing changes a credential while it is verified,
    so the same canonical form. Anything else is computed again: a miss never gives a wrong answer.
    ``reuse=False`` computes every time (the reference the differential tests compare with).
    """

    def __init__(self, *, reuse: bool = True) -> None:
        self.reuse = reuse
        self.document: Mapping[str, Any] | None = None  # kept, so its values' ids stay theirs
        self.canonical = ""

    def remember(self, document: Mapping[str, Any], canonical: str) -> None:
        if self.reuse:
            self.document, self.canonical = document, canonical

    def _holds(self, document: Mapping[str, Any]) -> bool:
        known = self.document
        return (known is not None and len(known) == len(document) and list(known) == list(document)
                and all(map(operator.is_, known.values(), document.values())))

    def __call__(self, document: Any, *, loader: Callable[..., Any] | None = None) -> str:
        if "proofPurpose" in document and "proof" not in document and loader is None:
            # A proof configuration: small and the same for every credential an issuer signed in
            # one run, so the proof module's cache serves it (jsonld.canonize bounds it as well).
            return proof.canonical_proof_config(dict(document))
        if self._holds(document):
            return self.canonical
        canonical = canonize_bounded(document, loader=loader, equal=self.reuse)
        self.remember(document, canonical)
        return canonical

"""Bounded RDFC-1.0 canonicalisation for verification, computed once per credential: check 3
computes the unsigned document's canonical form and check 6 reuses it."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from badgekit import jsonld, proof
from badgekit.errors import LimitExceeded
from badgekit.limits import MAX_JSON_OBJECTS, count_objects


def canonize_bounded(document: Mapping[str, Any], *, loader: Callable[..., Any] | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` in safe mode, refusing hostile graphs fast.

    The size of the JSON is bounded here; :func:`badgekit.jsonld.canonize` bounds blank nodes and
    RDFC-1.0 N-degree work (look-alike groups, chains, total steps), for every caller.

    Raises:
        DocumentLoaderError, JsonLdError: see :func:`badgekit.jsonld.to_rdf`.
        LimitExceeded: too many JSON objects or blank nodes, or a graph that needs too much work
            (a "poison graph").
    """
    if count_objects(document, MAX_JSON_OBJECTS) > MAX_JSON_OBJECTS:
        raise LimitExceeded(f"more than {MAX_JSON_OBJECTS:,} JSON objects to process as JSON-LD "
                            "(an Open Badges credential has tens); refused")
    # jsonld.canonize bounds the blank nodes and the RDFC-1.0 N-degree work (poison graphs).
    return jsonld.canonize(document, loader=loader)


class CanonCache:
    """RDFC-1.0 for :func:`badgekit.proof.hash_data`, reusing the document's canonical form that
    the contexts check already computed (the expensive part), keyed by the document's JSON."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    @staticmethod
    def key(document: Any) -> str:
        # Insertion order is kept: both users build the unsigned document the same way, and a
        # miss only costs a recomputation (never a wrong answer).
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    def __call__(self, document: Any, *, loader: Callable[..., Any] | None = None) -> str:
        if "proofPurpose" in document and "proof" not in document and loader is None:
            # A proof configuration: small and the same for every credential an issuer signed in
            # one run, so the proof module's cache serves it (jsonld.canonize bounds it as well).
            return proof.canonical_proof_config(dict(document))
        k = self.key(document)
        hit = self.cache.get(k)
        if hit is None:
            hit = canonize_bounded(document, loader=loader)
            self.cache[k] = hit
        return hit

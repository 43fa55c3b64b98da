"""Proof sets and proof chains (W3C VC Data Integrity 1.0 §2.1.1, §2.1.2, §4.3 and §4.5).

Several proofs on one document form a *proof set* (no order: each proof signs the document
without any proof) unless some carry ``previousProof``: the ``id`` (a string, or a list of them)
of the proofs verified before it. Such a *proof chain* proof signs the document with ``proof`` set
to the proofs it names (a list, in the order they appear in the document), so it binds them:
"Add Proof Set/Chain" for signing, "Verify Proof Sets and Chains" for verifying, and a chained
proof counts as verified only when the proofs it names are verified too.

This module is the chain's structure only (which proof names which, and what each one signs);
:mod:`badgekit.proof` signs and verifies, :mod:`badgekit.verify` decides the verdict. The number of
proofs is bounded by :data:`badgekit.limits.MAX_PROOFS` before anything here runs, so a chain is at
most that long and every proof is checked once, whatever the references.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["ancestors", "chain_problem", "id_problem", "is_chained", "matching", "new_proof_id", "previous_ids",
           "predecessors", "unsecured"]

_URL = r"[A-Za-z][A-Za-z0-9+.-]*:\S+\Z"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


def new_proof_id() -> str:
    """A fresh proof ``id``, ``urn:uuid:…`` (UUID 4, as VC Data Integrity 1.0 §2.1.2 suggests)."""
    return f"urn:uuid:{uuid.uuid4()}"


def id_problem(proof_id: str) -> str | None:
    """Why ``proof_id`` cannot be a proof's ``id``, or None: it must be a URL (VC Data Integrity
    1.0 §2.1), such as ``urn:uuid:…``; a relative reference or a blank node label is not one."""
    if re.match(_URL, proof_id):  # a scheme first: never "_:" nor a relative reference
        return None
    return f"a proof id is a URL (urn:uuid:…, https://…); {proof_id[:80]!r} is not one"


def previous_ids(proof: Any) -> tuple[str, ...]:
    """The ids ``proof`` names in ``previousProof`` (empty without one; malformed values give
    nothing here: :func:`chain_problem` reports them)."""
    if not isinstance(proof, Mapping):
        return ()
    value = proof.get("previousProof")
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(dict.fromkeys(value))
    return ()


def is_chained(proofs: Sequence[Any]) -> bool:
    """True when a proof of ``proofs`` has a ``previousProof`` (a chain), False for a set."""
    return any(isinstance(p, Mapping) and "previousProof" in p for p in proofs)


def chain_problem(proofs: Sequence[Any]) -> str | None:
    """Why the ``previousProof`` references of ``proofs`` do not make a chain that can be verified,
    or None (also for a plain set): a value that is not a string or a non-empty list of strings, an
    id no proof has (a dangling reference, or one to a proof that has no ``id``), an id more than one
    proof has, or a cycle (a proof that comes, through the chain, before itself)."""
    if not any(isinstance(p, Mapping) and "previousProof" in p for p in proofs):
        return None  # nothing names another proof: a plain set, or one proof
    holders: dict[str, list[int]] = {}
    for n, p in enumerate(proofs, start=1):
        if isinstance(p, Mapping) and isinstance(p.get("id"), str):
            holders.setdefault(p["id"], []).append(n)
    for n, p in enumerate(proofs, start=1):
        if not isinstance(p, Mapping) or "previousProof" not in p:
            continue
        value = p["previousProof"]
        if not (isinstance(value, str) or (isinstance(value, list) and value and all(isinstance(v, str) for v in value))):
            return f"proof {n}: previousProof must be a proof id or a non-empty list of them"
        for ref in previous_ids(p):
            found = holders.get(ref, [])
            if not found:
                return (f"proof {n}: previousProof names {_short(ref)}, but no proof has that id (a chain names "
                        "each earlier proof by its id; the one it follows is missing or has no id)")
            if len(found) > 1:
                return f"proof {n}: previousProof names {_short(ref)}, which proofs {' and '.join(map(str, found))} both have"
    for n in range(1, len(proofs) + 1):
        if n in ancestors(proofs, n):
            return f"proof {n}: its previousProof chain leads back to itself (a cycle)"
    return None


def predecessors(proofs: Sequence[Any], n: int) -> list[int]:
    """The numbers (1-based, as messages count) of the proofs proof ``n`` names, in document order."""
    wanted = set(previous_ids(proofs[n - 1]))
    return [m for m, p in enumerate(proofs, start=1)
            if wanted and isinstance(p, Mapping) and isinstance(p.get("id"), str) and p["id"] in wanted]


def ancestors(proofs: Sequence[Any], n: int) -> set[int]:
    """Every proof that proof ``n`` depends on through its chain (not ``n`` itself, unless a cycle
    leads back to it). Iterative, and each proof visited once."""
    seen: set[int] = set()
    todo = predecessors(proofs, n)
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(predecessors(proofs, m))
    return seen


def matching(proofs: Sequence[Any], proof: Any) -> list[Mapping[str, Any]]:
    """The proofs of ``proofs`` that ``proof`` names in ``previousProof``, in document order: what
    it signs together with the document ("matchingProofs"). Empty for a proof of a set."""
    wanted = set(previous_ids(proof))
    return [p for p in proofs if wanted and isinstance(p, Mapping) and isinstance(p.get("id"), str) and p["id"] in wanted]


def unsecured(document: Mapping[str, Any], previous: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """What a proof signs: ``document`` without its proofs and, for a chained proof, with ``proof``
    set to the ``previous`` proofs it names (a list, even of one)."""
    out = {k: v for k, v in document.items() if k != "proof"}
    if previous:
        out["proof"] = [dict(p) for p in previous]
    return out


def _short(text: str) -> str:
    return repr(text if len(text) <= 80 else text[:79] + "…")

"""RDFC-1.0 labelling and serialisation for :mod:`badgekit.jsonld._fastcanon`.

The walk hands over its quads in two parts: those without a blank node, already written as N-Quads
lines (a set, so a quad found twice is written once), and those with one, as (subject, predicate,
object) terms. Canonical labels come from RDFC-1.0's first-degree hashes (§4.6) sorted (§4.4.3 step
5); when two blank nodes share a hash (the N-degree case) :class:`Unsupported` sends the document
to PyLD's URDNA2015.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence

from badgekit.jsonld._contexts import MAX_BLANK_NODES

#: A term is its N-Quads form: "<iri>", "_:label" or a literal "\"…\"" (+ "^^<datatype>").
Term = str
Quad = tuple[str, str, str]


class Unsupported(Exception):
    """The document uses JSON-LD this fast path does not model: use the reference path."""


#: SHA-256 of the first-degree lines, by their text: the credential subject of every credential
#: of a badge class, say, has the same lines (its identifier, with its salt, does not). Dropped
#: when full, so a run of unique ones costs a dictionary of at most this many entries.
_DIGESTS: dict[str, str] = {}
_DIGESTS_LIMIT = 1024


def first_degree(label: Term, related: Sequence[Quad]) -> str:
    """RDFC-1.0's first-degree hash of the blank node ``label``: ``related``, every quad that mentions it."""
    lines = sorted(
        f"{('_:a' if s == label else '_:z') if s[0] == '_' else s} {p} "
        f"{('_:a' if o == label else '_:z') if o[0] == '_' else o} .\n"
        for s, p, o in related
    )
    text = "".join(lines)
    digest = _DIGESTS.get(text)
    if digest is None:
        if len(_DIGESTS) >= _DIGESTS_LIMIT:
            _DIGESTS.clear()
        digest = _DIGESTS[text] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return digest


def canonical(named: Iterable[str], quads: Iterable[Quad], known: Mapping[Term, str] | None = None) -> str:
    """RDFC-1.0 when every blank node has a distinct first-degree hash (the common case for
    credentials). ``named``: the N-Quads lines of the quads without a blank node (each once);
    ``quads``: the others (each once); ``known``: first-degree hashes computed before, of blank
    nodes every quad of which is in ``quads``."""
    mentions: dict[str, list[Quad]] = {}
    for q in quads:
        s, _, o = q
        if s[0] == "_":
            found = mentions.get(s)
            if found is None:
                mentions[s] = [q]
            else:
                found.append(q)
        if o[0] == "_" and o != s:
            found = mentions.get(o)
            if found is None:
                mentions[o] = [q]
            else:
                found.append(q)
    if len(mentions) > MAX_BLANK_NODES:
        raise Unsupported("too many blank nodes")
    hashes: dict[str, str] = {}
    get_known = (known or {}).get
    for label, related in mentions.items():
        digest = get_known(label)
        hashes[label] = digest if digest is not None else first_degree(label, related)
    if len(set(hashes.values())) != len(hashes):
        raise Unsupported("blank nodes with equal first-degree hashes (N-degree case)")
    labels = {label: f"_:c14n{n}" for n, label in enumerate(sorted(hashes, key=hashes.__getitem__))}
    relabel = labels.get  # an IRI or a literal is no blank label: it stays itself
    lines = list(named)
    lines.extend([f"{relabel(s, s)} {p} {relabel(o, o)} .\n" for s, p, o in quads])
    lines.sort()
    return "".join(lines)

"""Offline JSON-LD: the bundled, pinned contexts, a loader that serves only them, and RDFC-1.0.

Every context badgekit knows is shipped in ``badgekit/data/contexts`` byte for byte and pinned
here by SHA-256 (provenance: ``badgekit/data/SOURCES.md``). The :class:`DocumentLoader` serves
those, plus contexts the user adds explicitly, and refuses every other URL with an error naming
it. Nothing here fetches.

PyLD has no "safe mode"; :func:`canonize` adds one, as jsonld.js does: a property or type that
expansion would silently drop (so it would not be signed) or a relative IRI is an error. It also
bounds RDFC-1.0 work so that a document crafted with many indistinguishable blank nodes (the
"poison graph" of RDFC-1.0 §4.1) fails fast instead of running for minutes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from badgekit.errors import BadgekitError, DocumentLoaderError, JsonLdError, LimitExceeded
from badgekit.jsonld import _fastcanon
from badgekit.jsonld._contexts import (
    DEFAULT_LOADER,
    MAX_BLANK_NODES,
    MAX_CANON_WORK,
    OB_EXTENSIONS,
    OB_V3,
    PINNED_CONTEXTS,
    VC_V1,
    VC_V2,
    DocumentLoader,
    _is_absolute_iri,
    bundled_context,
)
from badgekit.jsonld._fastcanon import SharedParts
from badgekit.jsonld._pyld_startup import import_pyld_without_http

__all__ = [
    "DEFAULT_LOADER",
    "MAX_BLANK_NODES",
    "MAX_CANON_WORK",
    "MAX_NDEGREE_DEPTH",
    "MAX_NDEGREE_GROUP",
    "OB_EXTENSIONS",
    "OB_V3",
    "PINNED_CONTEXTS",
    "VC_V1",
    "SharedParts",
    "VC_V2",
    "DocumentLoader",
    "bundled_context",
    "canonize",
    "canonize_dataset",
    "canonize_nquads",
    "compact",
    "expand",
    "canonize_reference",
    "import_pyld_without_http",
    "described_twice_problem",
    "json_form_problem",
    "to_nquads",
    "to_rdf",
]

def _pyld() -> Any:
    # PyLD (and lxml, which it imports) costs ~100 ms at start-up: only import it when needed.
    from pyld import jsonld

    return jsonld


def _check_expanded(node: Any, path: str, problems: list[str]) -> None:
    """Collect relative IRIs left in an expanded document (they vanish from the RDF silently)."""
    stack = [(node, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, list):
            stack.extend((v, where) for v in item)
        elif isinstance(item, dict):
            for key, value in item.items():
                if key == "@id" and isinstance(value, str) and not _is_absolute_iri(value):
                    problems.append(f"relative IRI {value!r} used as an id")
                elif key == "@type" and "@value" not in item:
                    for t in value if isinstance(value, list) else [value]:
                        if isinstance(t, str) and not _is_absolute_iri(t):
                            problems.append(f"type {t!r} is not defined by any context")
                elif key not in ("@value", "@language", "@direction", "@index"):
                    stack.append((value, key))


def _make_processor(problems: list[str]) -> Any:
    jsonld = _pyld()

    class SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc,name-defined]
        def expand(self, input_: Any, options: Any) -> Any:
            expanded = super().expand(input_, options)
            _check_expanded(expanded, "", problems)
            return expanded

    def dropped(term: str | None) -> None:
        problems.append(f"property {term!r} is not defined by any context and would not be signed")

    return SafeProcessor(on_property_dropped=dropped)


def to_rdf(document: Any, *, loader: Callable[..., Any] | None = None) -> dict[str, Any]:
    """Expand ``document`` and convert it to a PyLD RDF dataset, in "safe mode".

    Raises:
        DocumentLoaderError: a context is neither bundled nor added explicitly.
        JsonLdError: a term or type would be dropped, an IRI is relative, or JSON-LD is invalid.
    """
    dataset: dict[str, Any] = _run(lambda proc, _: proc.to_rdf(document, _safe_options(loader)))
    return dataset


def _safe_options(loader: Callable[..., Any] | None) -> dict[str, Any]:
    return {"documentLoader": loader or DEFAULT_LOADER, "base": None, "safe": True,
            "produceGeneralizedRdf": False, "processingMode": "json-ld-1.1"}


def _run(step: Callable[[Any, list[str]], Any]) -> Any:
    """Run one PyLD step on a safe-mode processor (every public step: :func:`to_rdf`,
    :func:`expand`, :func:`compact`): PyLD's errors translated, deep nesting a LimitExceeded, and
    a term or type that would be dropped a JsonLdError."""
    problems: list[str] = []
    try:
        out = step(_make_processor(problems), problems)
    except _pyld().JsonLdError as exc:
        raise _translate(exc) from None
    except RecursionError:
        raise LimitExceeded("JSON-LD document nested too deeply") from None
    except BadgekitError:
        raise
    except (ValueError, TypeError) as exc:  # PyLD on input it does not expect: a relative IRI where a
        # context URL belongs (ValueError), "@set" inside a node object (TypeError)
        raise JsonLdError(f"not valid JSON-LD ({type(exc).__name__}: {str(exc)[:120]})") from None
    if problems:
        raise JsonLdError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return out


def expand(document: Any, *, loader: Callable[..., Any] | None = None) -> list[Any]:
    """The expanded form of ``document``, offline and in safe mode (as :func:`to_rdf`).

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: as :func:`to_rdf`.
    """
    expanded: list[Any] = _run(lambda proc, _: proc.expand(document, _safe_options(loader)))
    return expanded


def compact(document: Any, context: Any, *, loader: Callable[..., Any] | None = None) -> dict[str, Any]:
    """``document`` (expanded or not) compacted with ``context``, offline and in safe mode.

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: as :func:`to_rdf`.
    """
    compacted: dict[str, Any] = _run(lambda proc, _: proc.compact(document, context, _safe_options(loader)))
    return compacted


def to_nquads(document: Any, *, loader: Callable[..., Any] | None = None) -> list[str]:
    """The N-Quads of ``document`` (not canonicalised: blank node labels as the conversion issues
    them), one string per quad, newline included.

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: as :func:`to_rdf`.
    """
    dataset = to_rdf(document, loader=loader)
    text: str = _pyld().serialize_nquads(dataset)
    return text.splitlines(keepends=True)


def canonize_nquads(nquads: str, *, max_work: int = MAX_CANON_WORK) -> tuple[str, dict[str, str]]:
    """RDFC-1.0 of an N-Quads document, bounded as :func:`canonize`, and the canonical label each
    input blank node received (``{"b0": "c14n3", …}``, without ``_:``).

    Raises:
        LimitExceeded: as :func:`canonize`.
        JsonLdError: the N-Quads do not parse (an IRI with white space or a control character,
            which a credential's JSON can hold, breaks the line it is written on).
    """
    from pyld.nquads import ParserError  # start-up: loaded with PyLD, on first use

    try:
        dataset = _pyld().parse_nquads(nquads)
    except ParserError as exc:
        raise JsonLdError(f"the credential's RDF cannot be read back as N-Quads ({str(exc).splitlines()[0][:120]}): "
                          "an IRI or term holds white space or a control character") from None
    engine = _bounded_urdna2015(max_work)()
    canonical: str = engine.main(dataset, {"format": "application/n-quads"})
    issued = {old.removeprefix("_:"): new.removeprefix("_:") for old, new in engine.canonical_issuer.existing.items()}
    return canonical, issued


#: Keywords a value object (``{"@value": …}``) may hold; elsewhere a credential may use only ``@context``.
_VALUE_OBJECT_KEYS = frozenset({"@value", "@language", "@direction", "@type"})


def json_form_problem(document: Any) -> str | None:
    """Why ``document`` could say one thing to a JSON reader and another to JSON-LD, or None.

    A verifier reads properties by name (``validUntil``, ``credentialStatus``, ``expires``), while
    the signature covers the RDF, and JSON-LD spells one RDF graph in many JSON forms. So a signed
    credential can be re-spelt, signature intact, to hide a property from every JSON reader: under
    its full IRI (``"https://www.w3.org/2018/credentials#credentialStatus"``), inside ``@nest``,
    ``@graph`` or ``@included``, or as an ``@id``/``@type`` alias; and an array entry can be
    repeated (RDF merges the copies). Refused here, as part of safe mode: a keyword other than
    ``@context`` outside a value object, a property name that is an IRI or a compact IRI, and an
    array (``@context`` included) that lists the same value twice. Value objects are not entered.
    """
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            twice = _listed_twice(node, at)
            if twice:
                return twice
            stack.extend((item, (*at, i)) for i, item in enumerate(node) if isinstance(item, (list, dict)))
            continue
        if not isinstance(node, dict):
            continue
        if "@value" in node:
            odd = sorted(set(node) - _VALUE_OBJECT_KEYS)
            if odd:
                return f"{_json_path(at)} is a value object with {odd[0]!r}; refused"
            continue
        for key, value in node.items():
            if key == "@context":  # its entries are checked where contexts are (pinned URLs only)
                twice = _listed_twice(value, (*at, key)) if isinstance(value, list) else None
                if twice:
                    return twice
                continue
            if key.startswith("@"):
                return (f"{_json_path(at)} uses the JSON-LD keyword {key[:40]!r}; refused in a credential: it can "
                        "move or hide signed properties, so a JSON reader would not see what was signed")
            if ":" in key:
                return (f"{_json_path(at)} names a property by the IRI {key[:80]!r} instead of a term its contexts "
                        "define; refused: a JSON reader looking for the term would not see the signed value")
            if isinstance(value, (list, dict)):
                stack.append((value, (*at, key)))
    return None


#: Keys whose values the node-description rule does not enter: an embedded endorsement is a
#: credential checked on its own (check 11), a proof is a graph of its own, contexts are no data.
_OWN_DOCUMENTS = frozenset({"@context", "proof", "endorsement"})


#: A node object with only these members refers to a node described elsewhere (often ``creator``).
_REFERENCE_KEYS = frozenset({"id", "type"})


def described_twice_problem(document: Any) -> str | None:
    """Why ``document`` describes one node (an object with an ``id``) in one place with less than
    in another, or None. JSON-LD merges every description of an ``id`` into one node, so a property
    left out of one place (the issuer's ``name``, kept in the achievement's ``creator``) changes
    nothing that was signed, while a JSON reader of that place no longer sees it. Refused when one
    description is the other with members left out; a node given only by its ``id`` (and
    ``type``: a reference) is no description, except the credential's ``issuer``, which a reader
    shows (its ``name`` deleted, kept in ``creator``), and descriptions that differ otherwise (an
    endorsement's subject, the achievement it endorses) are two views of one node. Value objects,
    proofs and embedded endorsements (credentials checked on their own) are not entered."""
    # One walk without paths (this runs on every credential); the paths only for the message.
    if not isinstance(document, (list, dict)):
        return None
    issuer = document.get("issuer") if isinstance(document, dict) else None
    seen: dict[str, list[dict[str, Any]]] = {}
    stack: list[Any] = [document]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if node.__class__ is list or (node.__class__ is not dict and isinstance(node, list)):
            for item in node:
                cls = item.__class__  # parsed JSON: exact dicts and lists; no isinstance for strings
                if cls is dict or cls is list or (cls is not str and isinstance(item, (dict, list))):
                    push(item)
            continue
        if "@value" in node:
            continue
        node_id = node.get("id")
        if node_id.__class__ is str and (node is issuer or not node.keys() <= _REFERENCE_KEYS):
            others = seen.get(node_id)
            if others is None:
                seen[node_id] = [node]
            else:
                for other in others:
                    if len(node) == len(other):
                        continue  # neither is the other with members left out
                    small, large = (node, other) if len(node) < len(other) else (other, node)
                    if all(k in large and large[k] == v for k, v in small.items()):
                        missing = ", ".join(sorted(set(large) - set(small))[:3])
                        return (f"{_json_path(_path_to(document, small))} describes {node_id[:60]!r} without {missing} that "
                                f"{_json_path(_path_to(document, large))} gives it; refused: JSON-LD merges the two, so the "
                                "signature does not cover what a JSON reader sees in each")
                others.append(node)
        for key, value in node.items():
            cls = value.__class__
            if (cls is dict or cls is list or (cls is not str and isinstance(value, (dict, list)))) and key not in _OWN_DOCUMENTS:
                push(value)
    return None


def _path_to(document: Any, target: Any) -> tuple[Any, ...]:
    """Where ``target`` (that very object) is in ``document``, as keys and indexes."""
    stack: list[tuple[Any, tuple[Any, ...]]] = [(document, ())]
    while stack:
        node, at = stack.pop()
        if node is target:
            return at
        items = enumerate(node) if isinstance(node, list) else node.items() if isinstance(node, dict) else ()
        stack.extend((v, (*at, k)) for k, v in items if isinstance(v, (list, dict)))
    return ()


def _listed_twice(items: list[Any], at: tuple[Any, ...]) -> str | None:
    seen: set[str] = set()
    for item in items:
        if not _merges(item):
            continue  # a copy holds new blank nodes: the RDF, so the signature, changes with it
        key = json.dumps(item, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        if key in seen:
            shown = key if len(key) <= 60 else key[:59] + "…"
            return (f"{_json_path(at)} lists the same value twice ({shown}); refused: JSON-LD merges the "
                    "copies, so the signature does not cover what a JSON reader counts")
        seen.add(key)
    return None


def _merges(value: Any) -> bool:
    """True when two copies of ``value`` give the same RDF as one: a literal or IRI, or a node with
    an ``id`` whose every nested node has one too (no blank node, no proof graph)."""
    if isinstance(value, list):
        return all(_merges(v) for v in value)
    if not isinstance(value, dict):
        return True
    if "@value" in value:
        return True
    return "id" in value and "proof" not in value and all(_merges(v) for k, v in value.items() if k != "@context")


def _json_path(at: tuple[Any, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at)


def canonize(document: Any, *, loader: Callable[..., Any] | None = None, max_work: int = MAX_CANON_WORK,
             shared: SharedParts | None = None, equal: bool = False) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, offline and bounded.

    Documents that use only bundled contexts go through the fast path (``badgekit.jsonld._fastcanon``,
    about 20x faster, proved equal to PyLD by differential tests); everything else, and every
    document the fast path does not fully model, through :func:`canonize_reference`. ``shared``:
    objects the document holds that other documents hold too, walked once (:class:`SharedParts`).
    ``equal``: an object equal to one met at the same place in a document before reuses its walk
    (for many documents read one after another: the credentials of one issuing run).

    Raises:
        DocumentLoaderError, JsonLdError: see :func:`to_rdf`.
        LimitExceeded: the document needs more canonicalisation work than any credential does.
    """
    if loader is None or loader is DEFAULT_LOADER:
        try:
            return _fastcanon.canonize(document, max_work=max_work, shared=shared, equal=equal)
        except _fastcanon.Unsupported:
            pass
    return canonize_reference(document, loader=loader, max_work=max_work)


def canonize_reference(document: Any, *, loader: Callable[..., Any] | None = None, max_work: int = MAX_CANON_WORK) -> str:
    """RDFC-1.0 through PyLD alone: the reference path and the oracle of the fast path."""
    dataset = to_rdf(document, loader=loader)
    return canonize_dataset(dataset, max_work=max_work)


def canonize_dataset(dataset: dict[str, Any], *, max_work: int = MAX_CANON_WORK) -> str:
    """RDFC-1.0 over a PyLD dataset, with the work bound of :func:`canonize`."""
    nquads: str = _bounded_urdna2015(max_work)().main(dataset, {"format": "application/n-quads"})
    return nquads


_BOUNDED_CLASS: Any = None

#: RDFC-1.0 N-degree limits. Counting N-degree calls alone is not enough: one call on a node with
#: a thousand look-alike neighbours already takes minutes, so what makes the work explode (groups
#: of indistinguishable blank nodes, whose orderings are all tried, and chains of them) is
#: checked before the work is done.
MAX_NDEGREE_GROUP = 6  # 6! = 720 orderings
MAX_NDEGREE_DEPTH = 16


def _bounded_urdna2015(max_work: int) -> Any:
    global _BOUNDED_CLASS
    if _BOUNDED_CLASS is None:
        import math

        from pyld.canon import URDNA2015

        poison = "canonicalisation would need too much work ({}); refused as a possible RDFC-1.0 poison graph"

        class BoundedURDNA2015(URDNA2015):  # type: ignore[misc]  # PyLD has no types: its class is Any
            budget = MAX_CANON_WORK

            def main(self, dataset: Any, options: Any) -> Any:
                self._work = 0
                self._depth = 0
                blank = {
                    c["value"]
                    for quads in dataset.values()
                    for q in quads
                    for c in (q["subject"], q["object"])
                    if c.get("type") == "blank node"
                } | {g for g in dataset if g.startswith("_:")}
                if len(blank) > MAX_BLANK_NODES:
                    raise LimitExceeded(f"document has {len(blank)} blank nodes (limit {MAX_BLANK_NODES})")
                return super().main(dataset, options)

            def hash_n_degree_quads(self, id_: Any, issuer: Any) -> Any:
                self._depth += 1
                try:
                    if self._depth > MAX_NDEGREE_DEPTH:
                        raise LimitExceeded(poison.format(f"a chain of more than {MAX_NDEGREE_DEPTH} look-alike blank nodes"))
                    related = self.create_hash_to_related(id_, issuer)
                    self._work += 1 + len(self.blank_node_info[id_]["quads"])
                    for nodes in related.values():
                        if len(nodes) > MAX_NDEGREE_GROUP:
                            raise LimitExceeded(poison.format(
                                f"{len(nodes)} indistinguishable blank nodes around one node, whose "
                                f"{len(nodes)}! orderings would all be tried"))
                        self._work += math.factorial(len(nodes)) * (len(nodes) + len(issuer.existing))
                    if self._work > self.budget:
                        raise LimitExceeded(poison.format("many look-alike blank nodes"))
                    return super().hash_n_degree_quads(id_, issuer)
                finally:
                    self._depth -= 1

        _BOUNDED_CLASS = BoundedURDNA2015

    cls = _BOUNDED_CLASS
    if max_work != cls.budget:
        return type("BoundedURDNA2015Custom", (cls,), {"budget": max_work})
    return cls


def _translate(exc: BaseException) -> Exception:
    """Turn a PyLD error into ours, keeping a DocumentLoaderError raised inside the loader."""
    seen: BaseException | None = exc
    messages = []
    while seen is not None:
        if isinstance(seen, (DocumentLoaderError, LimitExceeded)):
            return seen
        if isinstance(seen, RecursionError):
            return LimitExceeded("JSON-LD document nested too deeply")
        details = getattr(seen, "details", None)
        if isinstance(details, dict) and isinstance(details.get("cause"), BaseException):
            nested = _translate(details["cause"])
            if isinstance(nested, (DocumentLoaderError, LimitExceeded)):
                return nested
        messages.append(getattr(seen, "message", None) or str(seen).splitlines()[0])
        seen = seen.__cause__ or seen.__context__
    return JsonLdError("invalid JSON-LD: " + messages[-1].rstrip("."))

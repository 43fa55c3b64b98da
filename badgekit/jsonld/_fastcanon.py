"""Fast RDFC-1.0 canonicalisation for documents that use only badgekit's bundled contexts.

Why this exists: PyLD re-processes scoped contexts and canonicalises context JSON (to key its
cache) for every node of every document; for an OB 3.0 credential that is >80 % of the ~9 ms a
signature costs. Here the context work is done once per process, and per document only its own
data is walked.

How it stays exact: every JSON-LD decision is delegated to PyLD's own functions
(``_process_context``, ``_expand_iri``, ``get_context_value``, literal formatting), only memoised
by object identity; the walk mirrors PyLD's ``_expand`` / ``_expand_object`` / node-map / toRdf
steps for the subset of JSON-LD the bundled contexts use. Canonical labels come from RDFC-1.0's
first-degree hashes; when two blank nodes share a hash (the N-degree case) the quads go to PyLD's
URDNA2015. Anything outside the subset (inline or embedded contexts, value objects, language or
index maps, @graph/@nest/@reverse/@included, blank-node ids, relative IRIs, undefined terms,
non-bundled contexts) raises :class:`Unsupported` and the caller uses the PyLD reference path, which
also produces the error message when the document is invalid. ``tests/unit/test_fastcanon.py``
checks the two paths agree byte for byte on generated credentials and on every vector.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from badgekit.jsonld import _fastcanon_parts as _parts
from badgekit.jsonld._contexts import (
    DEFAULT_LOADER,
    MAX_CANON_WORK,
    PINNED_CONTEXTS,
    _is_absolute_iri,
    shipped_processed_context,
)
from badgekit.jsonld._fastcanon_label import Quad, Term, canonical, first_degree
from badgekit.jsonld._fastcanon_label import Unsupported as Unsupported

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF + "type"
RDF_FIRST, RDF_REST, RDF_NIL = RDF + "first", RDF + "rest", RDF + "nil"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING, XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER = XSD + "string", XSD + "boolean", XSD + "double", XSD + "integer"

_UNSUPPORTED_CONTAINERS = {"@language", "@index", "@id", "@type", "@graph"}
#: Node shapes remembered per process; a flood of distinct shapes (hostile input) resets the memo.
_MEMO_LIMIT = 20_000


def _is_absolute(iri: str) -> bool:
    return ":" in iri and not iri.startswith("_:") and _is_absolute_iri(iri)


def _escape(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value or '"' in value:
        value = (value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
                 .replace("\r", "\\r").replace('"', '\\"'))
    return value


class _Engine:
    """Per-process state: PyLD processor, options, and the memo tables."""

    def __init__(self) -> None:
        from pyld import jsonld as pyld
        from pyld.context_resolver import ContextResolver

        self.pyld = pyld
        self.proc = pyld.JsonLdProcessor()
        self.options: dict[str, Any] = {
            "documentLoader": DEFAULT_LOADER,
            "base": None,
            "processingMode": "json-ld-1.1",
            "contextResolver": ContextResolver(pyld._resolved_context_cache, DEFAULT_LOADER),
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "extractAllScripts": True,
        }
        self.initial = self.proc._get_initial_context(self.options)
        self.keep: list[Any] = []  # keeps memoised contexts alive so their ids stay unique
        self.top: dict[tuple[str, ...], Any] = {}
        self.processed: dict[tuple[int, int, bool, bool], Any] = {}
        self.vocab_iri: dict[tuple[int, str], str | None] = {}
        self.ctx_value: dict[tuple[int, str | None, str], Any] = {}
        self.node_ctx: dict[tuple[Any, ...], Any] = {}
        self.typed: dict[tuple[Any, ...], tuple[Any, tuple[str, ...]]] = {}
        self.plans: dict[int, dict[str, tuple[Any, ...]]] = {}
        #: node shape → (context before type scoping, @type keys, types → :meth:`layout`)
        self.shapes: dict[tuple[Any, ...], tuple[Any, tuple[str, ...], dict[tuple[Any, ...], Any]]] = {}
        self.scalars: dict[tuple[int, str], tuple[Any, bool]] = {}
        self.schemes: dict[str, bool] = {}
        self.lock = threading.Lock()

    # -- memoised PyLD primitives -----------------------------------------------------------

    def top_context(self, urls: tuple[str, ...]) -> Any:
        ctx = self.top.get(urls)
        if ctx is None:
            for url in urls:
                if url not in PINNED_CONTEXTS:
                    raise Unsupported(f"context {url} is not bundled")
            ctx = shipped_processed_context(urls) or self.proc._process_context(self.initial, list(urls), self.options)
            self.keep.append(ctx)
            self.top[urls] = ctx
        return ctx

    def process(self, active: Any, local: Any, *, override_protected: bool = False, propagate: bool = True) -> Any:
        key = (id(active), id(local), override_protected, propagate)
        out = self.processed.get(key)
        if out is None:
            out = self.proc._process_context(
                active, local, self.options, override_protected=override_protected, propagate=propagate
            )
            self.keep.extend((active, local, out))
            self.processed[key] = out
        return out

    def expand_vocab(self, ctx: Any, value: str) -> str | None:
        key = (id(ctx), value)
        if key in self.vocab_iri:
            return self.vocab_iri[key]
        out: str | None = self.proc._expand_iri(ctx, value, vocab=True, base=None)
        self.vocab_iri[key] = out
        return out

    def value_of(self, ctx: Any, term: str | None, what: str) -> Any:
        key = (id(ctx), term, what)
        try:
            return self.ctx_value[key]
        except KeyError:
            out = self.pyld.JsonLdProcessor.get_context_value(ctx, term, what)
            self.ctx_value[key] = out
            return out

    def shape(self, shape_key: tuple[Any, ...], active: Any, active_property: str | None,
              element: Mapping[str, Any], top_ctx: Any) -> tuple[Any, tuple[str, ...], dict[tuple[Any, ...], Any]]:
        """For a node with these keys: the context before type scoping, its @type keys, and
        the layouts of such nodes by their types (filled by :meth:`layout`)."""
        if "@context" in element:
            if top_ctx is None:
                raise Unsupported("embedded @context")
            pre = top_ctx
        else:
            small = tuple(sorted(element)) if len(element) <= 2 else None
            pre = self.node_context(active, active_property, small)
        type_keys = tuple(k for k in element if k != "@context" and self.expand_vocab(pre, k) == "@type")
        if len(self.shapes) > _MEMO_LIMIT:  # contexts themselves stay kept: their ids stay unique
            self.shapes.clear()
        out: tuple[Any, tuple[str, ...], dict[tuple[Any, ...], Any]] = (pre, type_keys, {})
        self.shapes[shape_key] = out
        return out

    def layout(self, layouts: dict[tuple[Any, ...], Any], pre: Any, keys: tuple[str, ...],
               types: tuple[Any, ...]) -> tuple[tuple[Term, ...], tuple[str, ...], str | None,
                                                list[tuple[str, tuple[Any, ...]]], Any]:
        """For a node of this shape and these types: the objects of its rdf:type quads (and what
        follows a named subject in their N-Quads lines), the @id key, the plan of every property
        key in document order, and the node's final active context."""
        active, type_iris = self.typed_context(pre, types) if types else (pre, ())
        id_key: str | None = None
        entries: list[tuple[str, tuple[Any, ...]]] = []
        for key in keys:
            plan = self.key_plan(active, key)
            if plan[0] == "prop":
                entries.append((key, plan))
            elif plan[0] == "@id":
                if id_key is not None:
                    raise Unsupported("several @id keys")
                id_key = key
        objects = tuple("<" + iri + ">" for iri in type_iris)
        out = (objects, tuple(f" {_RDF_TYPE} {o} .\n" for o in objects), id_key, entries, active)
        if len(layouts) > _MEMO_LIMIT:
            layouts.clear()
        layouts[types] = out
        return out

    def node_context(self, active: Any, active_property: str | None, small_keys: tuple[str, ...] | None) -> Any:
        """Steps of PyLD ``_expand`` before @type: revert a type-scoped context, apply a
        property-scoped one. Memoised: depends only on the context, the property and, for
        objects of at most two keys, which keys they are."""
        key = (id(active), active_property, small_keys)
        out = self.node_ctx.get(key)
        if out is not None:
            return out
        property_scoped = self.value_of(active, active_property, "@context") if active_property is not None else None
        must_revert = True
        if active.get("previousContext") and small_keys is not None:
            for k in small_keys:
                expanded = self.expand_vocab(active, k)
                if expanded == "@value":
                    raise Unsupported("value object")
                if expanded == "@id" and len(small_keys) == 1:
                    must_revert = False
                    break
        out = active
        if must_revert and "previousContext" in out:
            out = out["previousContext"]
        if property_scoped is not None:
            out = self.process(out, property_scoped, override_protected=True)
        self.keep.append(active)
        self.node_ctx[key] = out
        return out

    def typed_context(self, type_scoped: Any, types: tuple[Any, ...]) -> tuple[Any, tuple[str, ...]]:
        """Apply the type-scoped contexts of ``types`` (sorted, as PyLD does); return the new
        active context and the expanded type IRIs."""
        key = (id(type_scoped), types)
        out = self.typed.get(key)
        if out is not None:
            return out
        active = type_scoped
        iris = []
        for t in types:
            if not isinstance(t, str):
                raise Unsupported("non-string type")
            iri = self.expand_vocab(type_scoped, t)
            if not isinstance(iri, str) or not _is_absolute(iri):
                raise Unsupported("undefined type")
            iris.append(iri)
        for t in sorted(types):
            scoped = self.value_of(type_scoped, t, "@context")
            if scoped is not None and scoped is not False:
                active = self.process(active, scoped, propagate=False)
        out = (active, tuple(iris))
        self.keep.append(type_scoped)
        self.typed[key] = out
        return out

    def key_plans(self, ctx: Any) -> dict[str, tuple[Any, ...]]:
        plans = self.plans.get(id(ctx))
        if plans is None:
            plans = self.plans[id(ctx)] = {}
            self.keep.append(ctx)
        return plans

    def key_plan(self, ctx: Any, key: str) -> tuple[Any, ...]:
        """What a key means in ``ctx``: ("@id",) / ("@type",) / ("@context",) /
        ("prop", predicate IRI, context for its values, is_list, :meth:`string_suffix`, what is
        between a subject and an object in an N-Quads line, what follows a string's escaped text
        there)."""
        if key == "@context":
            plan: tuple[Any, ...] = ("@context",)
        else:
            expanded = self.expand_vocab(ctx, key)
            if expanded in ("@id", "@type"):
                plan = (expanded,)
            elif expanded is None or expanded.startswith("@") or not _is_absolute(expanded):
                raise Unsupported(f"term {key!r} is a keyword or undefined")
            else:
                mapping = ctx["mappings"].get(key)
                if mapping is not None and mapping.get("reverse"):
                    raise Unsupported("reverse property")
                term_ctx = ctx
                scoped = self.value_of(ctx, key, "@context")
                if scoped is not None:
                    term_ctx = self.process(ctx, scoped, override_protected=True, propagate=True)
                container = self.value_of(ctx, key, "@container") or []
                container = container if isinstance(container, list) else [container]
                if _UNSUPPORTED_CONTAINERS.intersection(container):
                    raise Unsupported(f"container {container} on {key!r}")
                if self.value_of(ctx, key, "@type") == "@json":
                    raise Unsupported("@json literal")
                suffix = self.string_suffix(term_ctx, key)
                plan = ("prop", "<" + expanded + ">", term_ctx, "@list" in container, suffix, " <" + expanded + "> ",
                        None if suffix is None else suffix + " .\n")
        self.key_plans(ctx)[key] = plan
        return plan

    def string_suffix(self, ctx: Any, prop: str) -> str | None:
        """What follows the escaped text of a string value of ``prop`` in its N-Quads literal:
        ``"`` (xsd:string) or ``"^^<datatype>``, as :meth:`_Walk.scalar` makes it; None when a
        string is not simply a literal there (an IRI, a language, or what the walk refuses)."""
        coerce, tagged = self.scalar_plan(ctx, prop)
        if coerce in (None, "@none"):
            return None if tagged else '"'
        if coerce in ("@id", "@vocab") or coerce == XSD_DOUBLE or not _is_absolute(coerce):
            return None
        return '"' if coerce == XSD_STRING else '"^^<' + coerce + ">"

    def scalar_plan(self, ctx: Any, prop: str) -> tuple[Any, bool]:
        key = (id(ctx), prop)
        out = self.scalars.get(key)
        if out is None:
            coerce = self.value_of(ctx, prop, "@type")
            tagged = self.value_of(ctx, prop, "@language") is not None or self.value_of(ctx, prop, "@direction") is not None
            out = self.scalars[key] = (coerce, tagged)
            self.keep.append(ctx)
        return out

    def expand_id(self, ctx: Any, value: Any) -> str:
        if not isinstance(value, str):
            raise Unsupported("non-string @id")
        prefix, sep, _ = value.partition(":")
        if sep and prefix not in ctx["mappings"] and prefix != "_" and " " not in value and value.isprintable():
            # No white space at all (isprintable: no control or separator but " "), so the value is
            # absolute exactly when its scheme is, which is remembered per scheme.
            ok = self.schemes.get(prefix)
            if ok is None:
                ok = self.schemes[prefix] = _is_absolute(prefix + ":")
            if ok:
                return value  # an absolute IRI whose scheme is not a term: PyLD returns it unchanged
        iri = self.proc._expand_iri(ctx, value, base=None)
        if not isinstance(iri, str) or not _is_absolute(iri):
            raise Unsupported("relative or blank-node @id")
        return iri


_ENGINE: _Engine | None = None
_ENGINE_LOCK = threading.Lock()


def _engine() -> _Engine:
    global _ENGINE
    if _ENGINE is None:
        with _ENGINE_LOCK:
            if _ENGINE is None:
                _ENGINE = _Engine()
    return _ENGINE


_RDF_TYPE = "<" + RDF_TYPE + ">"


# ---------------------------------------------------------------------------------------------
# the walk: JSON-LD expansion + node map + toRdf in one pass, for the supported subset

def _iri(iri: str) -> Term:
    return "<" + iri + ">"


def _literal(lexical: str, datatype: str) -> Term:
    text = '"' + _escape(lexical) + '"'
    return text if datatype == XSD_STRING else text + "^^<" + datatype + ">"


class SharedParts:
    """JSON objects that many documents hold object for object (a bulk run's issuer and
    achievement): the walk of each, under a given active context and property, is recorded the
    first time and its quads reused (blank nodes relabelled) for every later document.

    Exact because the walk of a node object depends only on the object, the active context and
    the active property (a memo key here), and RDFC-1.0 does not depend on blank node labels. The
    caller owns the parts and must not change them while they are shared; ``measures`` holds
    their size for :func:`badgekit.limits.check_signable` (``known``).
    """

    def __init__(self, parts: Sequence[Mapping[str, Any] | list[Any]]) -> None:
        from badgekit import limits  # start-up: only bulk signing shares parts
        self.parts = {id(p): p for p in parts}  # holds them: their ids stay theirs
        self.measures = {id(p): limits.measure(p) for p in parts}
        #: (part, active context, property) → (its node's term, N-Quads lines of its quads without a
        #: blank node, its quads with one, their blank nodes, the first-degree hash of each blank
        #: node but the part's own: every quad that mentions one is the part's)
        self.walks: dict[tuple[int, int, str | None],
                         tuple[Term, frozenset[str], tuple[Quad, ...], tuple[Term, ...], dict[Term, str]]] = {}
        self.lock = threading.Lock()


class _Walk:
    def __init__(self, engine: _Engine, shared: SharedParts | None = None, *, equal: bool = False) -> None:
        self.e = engine
        self.equal = equal
        self.named: set[str] = set()  # N-Quads lines of the quads without a blank node
        self.blank_quads: set[Quad] = set()  # quads with one (RDFC-1.0 labels them)
        self.next_blank = 0
        self.shared = shared.parts if shared is not None else None
        self.memo = shared
        self.hashes: dict[Term, str] = {}  # first-degree hashes known before (of blank nodes inside shared parts)

    def reuse(self, active: Any, active_property: str | None, element: Mapping[str, Any]) -> Term:
        """The node of a shared part: its recorded quads, its blank nodes given labels of this walk."""
        assert self.memo is not None
        key = (id(element), id(active), active_property)
        found = self.memo.walks.get(key)
        if found is None:
            found = self.record(active, active_property, element)
            with self.memo.lock:
                self.e.keep.append(active)
                self.memo.walks[key] = found
        return self.replay(found)

    def record(self, active: Any, active_property: str | None, element: Mapping[str, Any]) -> _parts.Part:
        sub = _Walk(self.e)  # parts within parts are walked, not shared
        root = sub.node(active, active_property, element)
        blank_quads = tuple(sub.blank_quads)
        local = tuple({t: None for q in ((root, "", root), *blank_quads) for t in (q[0], q[2]) if t[0] == "_"})
        inside = {label: first_degree(label, [q for q in blank_quads if label in (q[0], q[2])])
                  for label in local if label != root}
        return (root, frozenset(sub.named), blank_quads, local, inside)

    def replay(self, found: _parts.Part) -> Term:
        root, named, blank, local, inside = found
        self.named.update(named)
        if not local:
            return root
        fresh = {label: self.blank() for label in local}
        get = fresh.get  # an IRI or a literal stays itself
        self.blank_quads.update([(get(s, s), p, get(o, o)) for s, p, o in blank])
        for label, digest in inside.items():
            self.hashes[fresh[label]] = digest
        return fresh.get(root, root)

    def equal_part(self, active: Any, active_property: str | None, element: Mapping[str, Any]) -> Term | None:
        """The node of an object equal to one met before at this place (see
        :class:`~badgekit.jsonld._fastcanon_parts.EqualParts`), or None: walk it."""
        slot, parts = (id(active), active_property), _parts.EQUAL_PARTS
        for known, found in parts.walks.get(slot, ()):
            if element == known:
                return self.replay(found)
        if parts.seen.get(slot) != element:  # not met just before here: remember it, walk it
            if len(parts.seen) >= _parts.EQUAL_SLOTS:
                parts.seen.clear()
            parts.seen[slot] = element
            return None
        copy = _parts.strict_copy(element)
        found = self.record(active, active_property, element)
        with self.e.lock:
            if len(parts.walks) >= _parts.EQUAL_SLOTS:
                parts.walks.clear()
            self.e.keep.append(active)
            parts.walks[slot] = ((copy, found), *parts.walks.get(slot, ())[:_parts.EQUAL_PER_SLOT - 1])
        return self.replay(found)

    def blank(self) -> Term:
        self.next_blank += 1
        return f"_:b{self.next_blank - 1}"

    def document(self, doc: Mapping[str, Any]) -> None:
        if not isinstance(doc, Mapping):
            raise Unsupported("top level is not an object")
        context = doc.get("@context")
        urls = (context,) if isinstance(context, str) else tuple(context) if isinstance(context, list) else None
        if not urls or not all(isinstance(u, str) for u in urls):
            raise Unsupported("inline or missing @context")
        top = self.e.top_context(urls)
        # PyLD processes the document's @context inside _expand (prepare_nested_context) on top
        # of the initial context; with no active property nothing is reverted or scoped first.
        self.node(self.e.initial, None, doc, top_ctx=top)

    def node(self, active: Any, active_property: str | None, element: Mapping[str, Any], *, top_ctx: Any = None) -> Term:
        if self.shared is not None and id(element) in self.shared and top_ctx is None:
            return self.reuse(active, active_property, element)
        if self.equal and top_ctx is None:
            term = self.equal_part(active, active_property, element)
            if term is not None:
                return term
        e = self.e
        keys = tuple(element)
        shape_key = (id(active), active_property, keys, id(top_ctx) if "@context" in element else None)
        shape = e.shapes.get(shape_key)
        if shape is None:
            shape = e.shape(shape_key, active, active_property, element, top_ctx)
        pre, type_keys, layouts = shape
        types: tuple[Any, ...] = ()
        for key in type_keys:
            raw = element[key]
            types += tuple(raw) if isinstance(raw, list) else (raw,)
        layout = layouts.get(types)
        if layout is None:
            layout = e.layout(layouts, pre, keys, types)
        type_objects, type_tails, id_key, entries, final = layout
        named: set[str] | None = self.named
        blank_quads = self.blank_quads
        if id_key is not None:  # a named node: its quads with an IRI or literal object are written at once
            subject: Term = "<" + e.expand_id(final, element[id_key]) + ">"
            for tail in type_tails:
                named.add(subject + tail)  # type: ignore[union-attr]
        else:
            subject = self.blank()
            named = None
            for obj in type_objects:
                blank_quads.add((subject, _RDF_TYPE, obj))
        for key, plan in entries:
            value = element[key]
            if value is None:
                continue
            _, expanded, term_ctx, is_list, suffix, between, tail = plan
            if tail is not None and value.__class__ is str:  # the common case: a string literal
                if named is None:
                    blank_quads.add((subject, expanded, f'"{_escape(value)}{suffix}'))
                else:
                    named.add(f'{subject}{between}"{_escape(value)}{tail}')
                continue
            items = value if isinstance(value, list) else (value,)
            objects: list[Term] = []
            if is_list:
                objects.append(self.list_(term_ctx, key, items))
            else:
                for item in items:
                    if suffix is not None and item.__class__ is str:
                        objects.append('"' + _escape(item) + suffix)
                    elif isinstance(item, dict):
                        if not item:
                            raise Unsupported("empty object")
                        objects.append(self.node(term_ctx, key, item))
                    elif item is None:
                        continue
                    elif isinstance(item, list):
                        objects.extend(self.values(term_ctx, key, item))
                    else:
                        objects.append(self.scalar(term_ctx, key, item))
            for obj in objects:
                if named is None or obj[0] == "_":
                    blank_quads.add((subject, expanded, obj))
                else:
                    named.add(f"{subject}{between}{obj} .\n")
        return subject

    def values(self, ctx: Any, prop: str, items: list[Any]) -> list[Term]:
        out: list[Term] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                out.extend(self.values(ctx, prop, item))
            elif isinstance(item, dict):
                if not item:
                    raise Unsupported("empty object")
                out.append(self.node(ctx, prop, item))
            else:
                out.append(self.scalar(ctx, prop, item))
        return out

    def list_(self, ctx: Any, prop: str, items: Sequence[Any]) -> Term:
        objects: list[Term] = []
        for item in items:
            if item is None:
                continue
            if isinstance(item, list):
                raise Unsupported("list of lists")
            objects.append(self.node(ctx, prop, item) if isinstance(item, dict) else self.scalar(ctx, prop, item))
        head: Term = _iri(RDF_NIL)
        for obj in reversed(objects):
            cell = self.blank()
            self.blank_quads.add((cell, _iri(RDF_FIRST), obj))
            self.blank_quads.add((cell, _iri(RDF_REST), head))
            head = cell
        return head

    def scalar(self, ctx: Any, prop: str, value: Any) -> Term:
        e = self.e
        coerce, tagged = e.scalar_plan(ctx, prop)
        if isinstance(value, str) and coerce is None and not tagged:
            return _literal(value, XSD_STRING)
        if coerce == "@id" and isinstance(value, str):
            return "<" + e.expand_id(ctx, value) + ">"
        if coerce == "@vocab" and isinstance(value, str):
            iri = e.expand_vocab(ctx, value)
            if not isinstance(iri, str) or not _is_absolute(iri):
                raise Unsupported("relative @vocab value")
            return _iri(iri)
        datatype = coerce if coerce not in (None, "@id", "@vocab", "@none") else None
        if datatype is None and isinstance(value, str) and tagged:
            raise Unsupported("language-tagged string")
        pyld = e.pyld
        if isinstance(value, bool):
            return _literal("true" if value else "false", datatype or XSD_BOOLEAN)
        if isinstance(value, (int, float)):
            # PyLD's own predicates: 5.0 is an integer (as in JSON and jsonld.js), 1e21+ a double.
            if pyld._is_double(value):
                return _literal(pyld._canonicalize_double(value), datatype or XSD_DOUBLE)
            if abs(value) >= 1e21:
                return _literal(pyld._canonicalize_double(value), datatype or XSD_DOUBLE)
            return _literal(str(int(value)), datatype or XSD_INTEGER)
        if not isinstance(value, str):
            raise Unsupported("unexpected scalar")
        if datatype == XSD_DOUBLE:
            raise Unsupported("string typed as xsd:double")
        if datatype is not None and not _is_absolute(datatype):
            raise Unsupported("relative datatype")
        return _literal(value, datatype or XSD_STRING)


def canonize(document: Any, max_work: int = MAX_CANON_WORK, *, shared: SharedParts | None = None,
             equal: bool = False) -> str:
    """Canonical N-Quads of ``document``, equal to :func:`badgekit.jsonld.canonize_reference`;
    ``shared``: objects of ``document`` whose walk is recorded once (see :class:`SharedParts`);
    ``equal``: objects equal to one met before at the same place reuse its walk
    (:class:`~badgekit.jsonld._fastcanon_parts.EqualParts`).

    Raises:
        Unsupported: the document needs the reference path.
    """
    engine = _engine()
    walk = _Walk(engine, shared, equal=equal)
    try:
        walk.document(document)
    except Unsupported:
        raise
    except (KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise Unsupported(f"unexpected shape: {exc}") from None
    except Exception as exc:  # a PyLD error while processing contexts: let the reference path report it
        raise Unsupported(str(exc)) from None
    return canonical(walk.named, walk.blank_quads, walk.hashes)

"""Problems of a parsed badge-class document (:func:`check_document`): the OB 3.0 schema, its
strict variant, badgekit's rules for the Achievement, and the policy's problems."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from badgekit._io import as_list
from badgekit.badgeclass._policy import POLICY_MEMBER, parse_policy
from badgekit.badgeclass._values import EMAIL, is_http_url, is_urn_uuid, quote
from badgekit.schema import SchemaProblem, validate_achievement


def check_document(
    document: Any, *, templates_dirs: Iterable[Path] = (), known_badges: Mapping[str, Any] | None = None,
    requires_graph: Mapping[str, Sequence[str]] | None = None,
) -> list[SchemaProblem]:
    """Problems of a parsed badge-class document (Achievement + optional ``badgekit`` member).

    Schema problems come from the bundled 1EdTech schema and from its strict 2024-09 variant
    (badgekit emits arrays, so a single value where an array is expected is reported). badgekit's
    rules: ``criteria`` has an ``id`` or a ``narrative``; ``id`` is ``urn:uuid:`` or an http(s)
    URL; every URL is absolute http(s) (images may be ``data:`` URIs); durations parse; colours are
    ``#rrggbb``; requirements use known kinds; a named template exists; with ``known_badges``
    (ids of the project's badge classes), each ``requires`` id is one of them; with
    ``requires_graph`` (id → the ids its ``requires`` names, see
    :func:`badgekit.badgeclass.badge_class_requires`), no required badge class leads back to this one.
    """
    if not isinstance(document, dict):
        return [SchemaProblem("$", "a badge class must be a JSON/YAML object (the OB 3.0 Achievement)")]
    achievement = {k: v for k, v in document.items() if k != POLICY_MEMBER}
    problems: dict[tuple[str, str], SchemaProblem] = {}
    reported_paths: set[str] = set()
    for p in validate_achievement(achievement):
        problems.setdefault((p.path, p.message), p)
        reported_paths.add(p.path)
    for p in validate_achievement(achievement, strict=True):
        if p.path not in reported_paths and not any(p.path.startswith(r + ".") or p.path.startswith(r + "[") for r in reported_paths):
            problems.setdefault((p.path, p.message), p)
    for p in _achievement_rules(achievement):
        problems.setdefault((p.path, p.message), p)
    if POLICY_MEMBER in document:
        _, policy_problems = parse_policy(document[POLICY_MEMBER], templates_dirs=templates_dirs, check_template=True)
        for p in policy_problems:
            problems.setdefault((p.path, p.message), p)
        requires = document[POLICY_MEMBER].get("requires") if isinstance(document[POLICY_MEMBER], Mapping) else None
        own_id = document.get("id")
        for where, rid in _required_ids(requires, f"$.{POLICY_MEMBER}.requires"):
            if rid == own_id:
                p = SchemaProblem(where, "a badge class cannot require itself")
            elif known_badges is not None and rid not in known_badges:
                p = SchemaProblem(where, f"no badge class with id {quote(rid)} in the project")
            elif requires_graph is not None and isinstance(own_id, str) and (loop := _path_back(rid, own_id, requires_graph)):
                names = [str(known_badges.get(i) or i) if known_badges else i for i in (own_id, *loop)]
                p = SchemaProblem(where, f"requirement cycle: {' → '.join(quote(n) for n in names)}")
            else:
                continue
            problems.setdefault((p.path, p.message), p)
    return sorted(problems.values(), key=lambda p: (_path_order(p.path), p.message))


def _required_ids(raw: Any, base: str) -> Iterator[tuple[str, str]]:
    """(JSON path, badge-class id) of every id a ``requires`` value names, nested groups included."""
    if isinstance(raw, str):
        yield base, raw
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            yield from _required_ids(item, f"{base}[{i}]")
    elif isinstance(raw, Mapping):
        if isinstance(raw.get("all_of"), list):
            yield from _required_ids(raw["all_of"], f"{base}.all_of")
        spec = raw.get("n_of")
        if isinstance(spec, Mapping) and isinstance(spec.get("of"), list):
            yield from _required_ids(spec["of"], f"{base}.n_of.of")


def _path_back(start: str, target: str, graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """The badge classes from ``start`` back to ``target`` following ``graph`` (a cycle), or None."""
    parent: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in graph.get(node, ()):
            if nxt == target:
                chain = [node]
                while parent[chain[-1]] is not None:
                    chain.append(parent[chain[-1]])  # type: ignore[arg-type]
                return [*reversed(chain), target]
            if nxt not in parent:
                parent[nxt] = node
                todo.append(nxt)
    return None


def _path_order(path: str) -> list[tuple[int, Any]]:
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.findall(r"[^.\[\]']+", path)]


def _achievement_rules(a: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    ident = a.get("id")
    if isinstance(ident, str) and not (is_urn_uuid(ident) or is_http_url(ident)):
        yield SchemaProblem("$.id", f"{quote(ident)} is not a urn:uuid: or an http(s) URL")
    for key in ("name", "description"):
        value = a.get(key)
        if isinstance(value, str) and not value.strip():
            yield SchemaProblem(f"$.{key}", "must not be empty")
    criteria = a.get("criteria")
    if isinstance(criteria, Mapping):
        narrative, cid = criteria.get("narrative"), criteria.get("id")
        if not (isinstance(narrative, str) and narrative.strip()) and not (isinstance(cid, str) and cid.strip()):
            yield SchemaProblem("$.criteria", "needs an id (URL of a criteria page) or a narrative")
        if isinstance(cid, str) and not is_http_url(cid):
            yield SchemaProblem("$.criteria.id", f"{quote(cid)} is not an absolute http(s) URL")
    yield from _image_rules(a.get("image"), "$.image")
    for i, al in enumerate(as_list(a.get("alignment"))):
        if isinstance(al, Mapping) and isinstance(al.get("targetUrl"), str) and not is_http_url(al["targetUrl"]):
            yield SchemaProblem(f"$.alignment[{i}].targetUrl", f"{quote(al['targetUrl'])} is not an absolute http(s) URL")
    for i, rel in enumerate(as_list(a.get("related"))):
        rid = rel.get("id") if isinstance(rel, Mapping) else None
        if isinstance(rid, str) and not (is_urn_uuid(rid) or is_http_url(rid)):
            yield SchemaProblem(f"$.related[{i}].id", f"{quote(rid)} is not a urn:uuid: or an http(s) URL")
    for i, tag in enumerate(as_list(a.get("tag"))):
        if isinstance(tag, str) and not tag.strip():
            yield SchemaProblem(f"$.tag[{i}]", "must not be empty")
    creator = a.get("creator")
    if isinstance(creator, Mapping):
        cid = creator.get("id")
        if isinstance(cid, str) and not (cid.startswith("did:") or is_http_url(cid) or is_urn_uuid(cid)):
            yield SchemaProblem("$.creator.id", f"{quote(cid)} is not a DID or an http(s) URL")
        url = creator.get("url")
        if isinstance(url, str) and not is_http_url(url):
            yield SchemaProblem("$.creator.url", f"{quote(url)} is not an absolute http(s) URL")
        email = creator.get("email")
        if isinstance(email, str) and not EMAIL.fullmatch(email):
            yield SchemaProblem("$.creator.email", f"{quote(email)} is not an email address")
        yield from _image_rules(creator.get("image"), "$.creator.image")
    seen_ids: dict[str, str] = {}
    for i, rd in enumerate(as_list(a.get("resultDescription"))):
        if not isinstance(rd, Mapping):
            continue
        base = f"$.resultDescription[{i}]"
        rid = rd.get("id")
        if isinstance(rid, str):
            if rid in seen_ids:
                yield SchemaProblem(f"{base}.id", f"same id as {seen_ids[rid]}")
            seen_ids.setdefault(rid, f"{base}.id")
        levels = [lv.get("id") for lv in as_list(rd.get("rubricCriterionLevel")) if isinstance(lv, Mapping)]
        required_level = rd.get("requiredLevel")
        if isinstance(required_level, str) and required_level not in levels:
            yield SchemaProblem(f"{base}.requiredLevel", "does not name one of its rubricCriterionLevel ids")
        allowed = rd.get("allowedValue")
        required_value = rd.get("requiredValue")
        if isinstance(allowed, list) and isinstance(required_value, str) and allowed and required_value not in allowed:
            yield SchemaProblem(f"{base}.requiredValue", f"{quote(required_value)} is not one of its allowedValue")


def _image_rules(image: object, where: str) -> Iterator[SchemaProblem]:
    if isinstance(image, Mapping):
        iid = image.get("id")
        if isinstance(iid, str) and not (is_http_url(iid) or iid.startswith("data:image/")):
            yield SchemaProblem(f"{where}.id", f"{quote(iid)} is not an absolute http(s) URL or a data:image/ URI")

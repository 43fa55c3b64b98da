"""How much one credential may hold for ``badgekit verify`` to check it: the bounds, in one place.

Verification refuses a credential beyond these bounds (check 1 ``parse``: bytes, depth, JSON
values; check 3 ``contexts``: JSON objects to expand; check 4 ``proof-structure``: proofs; check 11
``endorsements``). Signing applies the same bounds first (:func:`check_signable`, called by
:func:`badgekit.proof.add_proof` and :func:`badgekit.jwt.sign_vc_jwt`), so badgekit never signs a
credential it would then refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from badgekit._io import MAX_INPUT_BYTES, MAX_JSON_DEPTH, json_depth
from badgekit.errors import LimitExceeded

#: Most proofs checked on one credential (each needs canonicalisation; OB credentials carry 1-2).
MAX_PROOFS = 8
#: Most JSON values (objects, arrays, scalars) in one credential: bounds JSON-LD expansion work.
#: A large CLR-style credential has a few thousand.
MAX_JSON_VALUES = 50_000
#: Most JSON objects (JSON-LD node objects) expanded per credential: PyLD's expansion costs about
#: a millisecond each. complete.json, 1EdTech's full-data-model example, has 86.
MAX_JSON_OBJECTS = 1_000
#: Most embedded endorsements verified per credential (each is a full verification; OB examples
#: carry one to four). More fail check 11.
MAX_ENDORSEMENTS = 16
#: Most disclosures read in one SD-JWT (each is hashed and put back into the claims; a badge
#: with every result and evidence item disclosable has a handful).
MAX_DISCLOSURES = 1_000

BIG = 1 << 62  # "no limit" for the counters
_HINT = "badgekit verify would refuse the signed credential; link bulky data (evidence, results) by URL instead of embedding it"
#: The members of the proof :func:`badgekit.proof.add_proof` appends (only their number matters here).
_NEW_PROOF = dict.fromkeys(("type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue"), "")


def count_values(value: Any, limit: int) -> int:
    """JSON values (objects, arrays, scalars) in ``value``, counting stopped just past ``limit``."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        node = stack.pop()
        count += 1
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


def longest_array(value: Any) -> int:
    """The number of entries of the longest JSON array in ``value`` (0 without one)."""
    longest, stack = 0, [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            longest = max(longest, len(node))
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return longest


def count_objects(value: Any, limit: int) -> int:
    """JSON objects in ``value``, counting stopped just past ``limit``."""
    count = 0
    stack = [value]
    while stack and count <= limit:
        node = stack.pop()
        if isinstance(node, dict):
            count += 1
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return count


@dataclass(frozen=True)
class FoundEndorsement:
    """An embedded endorsement: where it is, under which property, and the object carrying it."""

    path: str  # JSON path, e.g. $.issuer.endorsement[0]
    prop: str  # "endorsement" or "endorsementJwt"
    value: Any
    host: Mapping[str, Any]  # the object it is attached to (credential, profile, achievement)


def find_endorsements(doc: Mapping[str, Any]) -> list[FoundEndorsement]:
    """Every embedded ``endorsement`` / ``endorsementJwt`` value of ``doc``, wherever a node
    carries one (credential, issuer, achievement, creator, …); a node's own before those of the
    nodes inside it. What an endorsement itself contains is not searched (one level)."""
    found: list[FoundEndorsement] = []
    stack: list[tuple[Any, str]] = [(doc, "$")]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((v, f"{at}[{i}]") for i, v in reversed(list(enumerate(node))) if isinstance(v, (list, Mapping)))
            continue
        children = []
        for key, value in node.items():
            if key in ("endorsement", "endorsementJwt"):
                if isinstance(value, list):
                    found.extend(FoundEndorsement(f"{at}.{key}[{i}]", key, v, node) for i, v in enumerate(value))
                else:
                    found.append(FoundEndorsement(f"{at}.{key}", key, value, node))
            elif key not in ("proof", "@context") and isinstance(value, (list, Mapping)):
                children.append((value, f"{at}.{key}"))
        stack.extend(reversed(children))
    return found


#: What :func:`measure` finds in one JSON object: (JSON values, objects, depth, embedded endorsements).
Measure = tuple[int, int, int, int]


def measure(part: Mapping[str, Any] | list[Any]) -> Measure:
    """The size of a JSON object or array as :func:`check_signable` counts it (the value itself at
    depth 1, its endorsements searched): measured once for a value many documents share (``known``)."""
    return _measure(dict(part) if isinstance(part, Mapping) else part)


def check_signable(document: Mapping[str, Any], *, new_proofs: int = 1, known: Mapping[int, Measure] | None = None) -> None:
    """Refuse ``document`` if, once signed with ``new_proofs`` more Data Integrity proofs (0 for a
    VC-JWT), ``badgekit verify`` would refuse it for its size: more proofs, JSON values, JSON
    objects, nesting levels or embedded endorsements than it checks.

    ``known``: the :func:`measure` of objects ``document`` holds (by ``id``), which are then not
    walked again (a bulk run's issuer and achievement). The bounds are the same: a document
    beyond one is measured again without them, and refused with the same message.

    Raises:
        LimitExceeded: names the bound, its limit and the field that holds the bulk.
    """
    if known and new_proofs == 1 and "proof" not in document:
        values, objects, depth, endorsements = _measure(document, known)
        # the one new proof: a list of one object with 6 members (see _NEW_PROOF)
        if (values + 8 <= MAX_JSON_VALUES and objects <= MAX_JSON_OBJECTS and max(depth, 3) <= MAX_JSON_DEPTH
                and endorsements <= MAX_ENDORSEMENTS):
            return
    proofs = document.get("proof")
    if new_proofs:
        existing = (proofs if isinstance(proofs, list) else [proofs]) if proofs is not None else []
        if len(existing) + new_proofs > MAX_PROOFS:
            raise LimitExceeded(f"the credential already has {len(existing)} proof(s) and badgekit verify checks at "
                                f"most {MAX_PROOFS}: another proof would be refused", hint=_HINT)
        proofs = [*existing, *[_NEW_PROOF] * new_proofs]
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    values, objects, depth, endorsements = _measure(unsigned)
    if proofs is not None:  # as verify reads the signed credential: the proof member included
        values += count_values(proofs, BIG)
        depth = max(depth, 1 + json_depth(proofs))
    signed = {**unsigned, "proof": proofs} if proofs is not None else unsigned
    if values > MAX_JSON_VALUES:
        raise LimitExceeded(f"the signed credential would have {values:,} JSON values, more than the "
                            f"{MAX_JSON_VALUES:,} badgekit verify accepts{_bulk(signed, count_values)}", hint=_HINT)
    if objects > MAX_JSON_OBJECTS:
        raise LimitExceeded(f"the credential has {objects:,} JSON objects, more than the {MAX_JSON_OBJECTS:,} "
                            f"badgekit verify processes as JSON-LD{_bulk(unsigned, count_objects)}", hint=_HINT)
    if depth > MAX_JSON_DEPTH:
        raise LimitExceeded(f"the credential nests {depth} levels deep, more than the {MAX_JSON_DEPTH} badgekit verify "
                            f"reads{_bulk(signed, lambda v, _: json_depth(v), deepest=True)}", hint=_HINT)
    if endorsements > MAX_ENDORSEMENTS:
        places = sorted({f.path.rpartition("[")[0] or f.path for f in find_endorsements(document)})
        raise LimitExceeded(f"the credential embeds {endorsements} endorsements ({', '.join(places[:3])}), more than the "
                            f"{MAX_ENDORSEMENTS} badgekit verify checks", hint=_HINT)


_CONTAINERS = (dict, list)
_ENDORSEMENT_KEYS = frozenset(("endorsement", "endorsementJwt"))
_NOT_SEARCHED = frozenset(("proof", "@context"))


def _measure(doc: Mapping[str, Any] | list[Any], known: Mapping[int, Measure] | None = None) -> Measure:
    """What :func:`count_values`, :func:`count_objects`, :func:`badgekit._io.json_depth` and
    ``len(find_endorsements(doc))`` return, in one pass: every credential signed pays for it.
    ``known``: objects measured before (by ``id``, as :func:`measure`), added instead of walked
    where their endorsements are searched (elsewhere the search differs: they are walked)."""
    known = known or {}
    values = objects = deepest = endorsements = 0
    stack: list[tuple[Any, int, bool]] = [(doc, 1, True)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth, search = pop()
        if depth > deepest:
            deepest = depth
        if isinstance(node, dict):
            objects += 1
            values += len(node)
            for key, value in node.items():
                found = search and key in _ENDORSEMENT_KEYS
                if found:
                    endorsements += len(value) if isinstance(value, list) else 1
                if isinstance(value, _CONTAINERS):
                    # find_endorsements looks neither inside an endorsement nor under proof/@context
                    searched = search and not found and key not in _NOT_SEARCHED
                    part = known.get(id(value)) if searched else None
                    if part is None:
                        push((value, depth + 1, searched))
                    else:  # its own top value was counted just above (len(node))
                        values += part[0] - 1
                        objects += part[1]
                        deepest = max(deepest, depth + part[2])
                        endorsements += part[3]
        else:
            values += len(node)
            for value in node:
                if isinstance(value, _CONTAINERS):
                    push((value, depth + 1, search))
    return values + 1, objects, deepest, endorsements


def check_signed_size(size: int, *, what: str = "the signed credential") -> None:
    """Refuse a serialised credential (JSON file or compact JWS) larger than ``badgekit verify`` reads.

    Raises:
        LimitExceeded: ``size`` bytes is more than :data:`badgekit._io.MAX_INPUT_BYTES`.
    """
    if size > MAX_INPUT_BYTES:
        raise LimitExceeded(f"{what} is {size:,} bytes, more than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB "
                            "badgekit verify reads", hint=_HINT)


def _bulk(value: Any, count: Callable[[Any, int], int], *, deepest: bool = False) -> str:
    """" (N of them in FIELD)" naming the field that holds most of ``count(value)``: the path
    descends while one member holds more than half (for depth: the deepest member, four levels at
    most); "" when no member does. Error paths only."""
    def measure(v: Any) -> int:
        return count(v, BIG)

    path, node, part, levels = "", value, measure(value), 0
    while isinstance(node, (dict, list)) and node:
        members = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        key, child = max(members, key=lambda kv: measure(kv[1]))
        share = measure(child)
        if (deepest and not isinstance(child, (dict, list))) or (not deepest and share * 2 <= part):
            break
        if deepest and levels == 4:
            path += "…"
            break
        path += f".{key}" if isinstance(key, str) else f"[{key}]"
        node, part, levels = child, share, levels + 1
    if not path:
        return ""
    return f" (deepest in {path.lstrip('.')})" if deepest else f" ({part:,} of them in {path.lstrip('.')})"


__all__ = [
    "MAX_DISCLOSURES", "MAX_ENDORSEMENTS", "MAX_JSON_OBJECTS", "MAX_JSON_VALUES", "MAX_PROOFS", "FoundEndorsement",
    "Measure", "check_signable", "check_signed_size", "count_objects", "count_values", "find_endorsements",
    "longest_array", "measure",
]

"""The pathway map of a program report: each pathway badge class, its components (nested all_of /
n_of) and how far its recipients have come.

Definitions (the numbers a test checks):

* **holds**: a recipient holds a component when the ledger has an *active* credential of it from
  this issuer (:func:`badgekit.ledger.holdings`, the definition pathway awards use).
* **recipients** of a pathway: everyone the ledger has a signed credential (in any state) of one
  of its components, or of the pathway itself: the people who started it.
* **holding[k]**: recipients holding exactly ``k`` of its ``n`` components (k = 0 … n; they sum
  to the recipients). A node's **holders**: recipients holding that component, or meeting that
  group (the root group: the **eligible** ones).
* **awarded**: recipients with a signed credential of the pathway (in any state);
  **not yet awarded**: eligible ones with no credential of it at all, signed or reserved (what
  ``badgekit issue --badge <pathway>`` would award next).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badgekit.badgeclass import BadgeClass, Holdings
from badgekit.ledger import Ledger, holdings


@dataclass(frozen=True)
class PathwayNode:
    """One node of a pathway's requirement: a component badge class (``badge_id``), or a group
    needing ``n`` of ``of`` (``badge_id`` None); ``holders``: recipients holding it / meeting it."""

    badge_id: str | None
    name: str
    n: int
    of: tuple[PathwayNode, ...]
    holders: int

    @property
    def is_all(self) -> bool:
        return self.n == len(self.of)

    @property
    def need(self) -> str:
        """What a group needs, in words: ``all of 3`` or ``2 of 3``."""
        return f"all of {len(self.of)}" if self.is_all else f"{self.n} of {len(self.of)}"

    def to_json(self) -> dict[str, Any]:
        if self.badge_id is not None:
            return {"badge": self.badge_id, "name": self.name, "holders": self.holders}
        return {"n": self.n, "of": [c.to_json() for c in self.of], "holders": self.holders}


@dataclass(frozen=True)
class PathwayFigures:
    """One pathway badge class in the report (see the module docstring for each number)."""

    badge_id: str
    name: str
    requirement: PathwayNode  # the root group (its holders: the eligible recipients)
    components: tuple[str, ...]  # every component badge id, in the order the requirement names them
    holding: tuple[int, ...]  # holding[k]: recipients holding exactly k components
    awarded: int
    not_yet_awarded: int

    @property
    def recipients(self) -> int:
        return sum(self.holding)

    @property
    def eligible(self) -> int:
        return self.requirement.holders

    def describe(self) -> str:
        """The requirement in one line: ``all of: 'A', 'B'`` or ``2 of: 'A', (all of: 'B', 'C')``."""
        return _describe(self.requirement)

    def to_json(self) -> dict[str, Any]:
        return {"badge": self.badge_id, "name": self.name, "requires": self.requirement.to_json(),
                "components": len(self.components), "recipients": self.recipients,
                "holding": [{"components": k, "recipients": n} for k, n in enumerate(self.holding)],
                "eligible": self.eligible, "awarded": self.awarded, "notYetAwarded": self.not_yet_awarded}


def _describe(node: PathwayNode) -> str:
    items = ", ".join(repr(c.name) if c.badge_id is not None else f"({_describe(c)})" for c in node.of)
    return f"all of: {items}" if node.is_all else f"{node.n} of: {items}"


def pathway_map(ledger: Ledger, pathways: Sequence[BadgeClass], *, now: datetime, issuer: str | None,
                names: Mapping[str, str] | None = None) -> tuple[PathwayFigures, ...]:
    """The figures of each pathway badge class in ``pathways`` (others are left out), from
    ``ledger`` at ``now``, counting only ``issuer``'s credentials as held; ``names``: display
    names by badge id (else the ids). Ordered by name."""
    names = dict(names or {})
    out = []
    for badge in pathways:
        rule = badge.policy.rule
        if rule is None or not badge.policy.is_pathway:
            continue
        pathway_id = str(badge.achievement.get("id") or badge.id)
        components = rule.badge_ids()
        held = holdings((i for rid in components for i in ledger.issuances(badge_id=rid) if i.state != "reserved"),
                        now, issuer)
        awarded: set[str] = set()
        started: set[str] = set()  # any credential of the pathway, reserved ones too
        for i in ledger.issuances(badge_id=pathway_id):
            started.add(i.recipient_key)
            if i.state != "reserved":
                awarded.add(i.recipient_key)
        population = [h.active for h in held.values()] + [frozenset() for key in awarded if key not in held]
        counts = [0] * (len(components) + 1)
        for active in population:
            counts[sum(1 for rid in components if rid in active)] += 1
        root = _node(rule, population, names)
        waiting = sum(1 for key, h in held.items() if key not in started and rule.met(h.active))
        out.append(PathwayFigures(pathway_id, names.get(pathway_id) or badge.name or pathway_id, root, components,
                                  tuple(counts), len(awarded), waiting))
    return tuple(sorted(out, key=lambda p: (p.name, p.badge_id)))


def _node(rule: Holdings, population: Sequence[frozenset[str]], names: Mapping[str, str]) -> PathwayNode:
    children = tuple(
        PathwayNode(item, names.get(item, item), 1, (), sum(1 for active in population if item in active))
        if isinstance(item, str) else _node(item, population, names)
        for item in rule.of)
    return PathwayNode(None, "", rule.n, children, sum(1 for active in population if rule.met(active)))

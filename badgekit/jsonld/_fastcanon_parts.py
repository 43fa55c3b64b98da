"""Objects of many documents verified one after another that are equal to one met before at the
same place (:class:`EqualParts`), for :mod:`badgekit.jsonld._fastcanon`: the walk of the first is
reused for the others."""

from __future__ import annotations

from typing import Any

from badgekit.jsonld._fastcanon_label import Quad, Term

#: A part's recorded walk: its node's term, N-Quads lines of its quads without a blank node, its
#: quads with one, their blank nodes, the first-degree hash of each blank node but the part's own
#: (every quad that mentions one is the part's).
Part = tuple[Term, frozenset[str], tuple[Quad, ...], tuple[Term, ...], dict[Term, str]]


class EqualParts:
    """Objects equal to one met before at the same place (active context and property): the
    credentials of one issuing run, verified one after another, hold the same issuer, achievement
    and schema objects, parsed anew each time. An object met at a place twice in a row is recorded
    (a copy and its walk); later objects equal to a recorded one reuse its walk.

    Exact because the walk depends only on the object, the active context and the property (see
    :class:`badgekit.jsonld._fastcanon.SharedParts`), and equal means the same JSON: the copy kept compares its numbers, booleans and null
    strictly (:func:`strict_copy`; Python's ``==`` takes ``true`` for ``1`` and ``1`` for ``1.0``).
    """

    def __init__(self) -> None:
        self.walks: dict[tuple[int, str | None], tuple[tuple[Any, Part], ...]] = {}
        self.seen: dict[tuple[int, str | None], Any] = {}


EQUAL_PARTS = EqualParts()
EQUAL_SLOTS = 256
EQUAL_PER_SLOT = 4


def strict_copy(value: Any) -> Any:
    """A deep copy of JSON ``value`` that is ``==`` only to the same JSON: its numbers, booleans
    (and null) are held by :class:`_Scalar`, which Python compares with the other side's (JSON
    types are never subclassed, so theirs gives way)."""
    if isinstance(value, dict):
        return {k: strict_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strict_copy(v) for v in value]
    return value if value.__class__ is str else _Scalar(value)


class _Scalar:
    """A JSON number, boolean or null equal only to one of the same type and spelling: not
    ``true`` to ``1``, nor ``1`` to ``1.0``."""

    __slots__ = ("kind", "text")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, value: Any) -> None:
        self.kind, self.text = value.__class__, repr(value)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.kind and repr(other) == self.text

"""Badge classes: OB 3.0 ``Achievement`` files (JSON or YAML) plus badgekit's issuing policy.

A badge-class file *is* the Achievement, with one extra top-level member, ``badgekit``, holding the
issuing policy. The policy never reaches a credential: :attr:`BadgeClass.achievement` is the
Achievement with ``badgekit`` removed and every other member kept as written, unknown ones too.

.. code-block:: yaml

    id: urn:uuid:0f3c…
    type: [Achievement]
    name: Python Basics
    description: Completed all sessions and assignments of Python Basics.
    criteria: {narrative: "Attend the sessions and pass the final assignment."}
    badgekit:
      validity: P2Y                 # ISO 8601 duration → validUntil = validFrom + P2Y
      requirements:                 # what a roster row must provide before issuing
        - {column: score, min: 70}
        - {column: evidence_url, required: true, url: true}
        - {column: supervisor, required: true, message: "a supervisor signs off"}
      image_template: course
      colour: "#1f6feb"
      requires: [urn:uuid:7a1e…]   # badge classes the recipient must already hold (see below)
      disclose: [credentialSubject.result, evidence]   # issue --format sd-jwt: selectively disclosable
      # or: requires: {n_of: {n: 2, of: [urn:uuid:…, urn:uuid:…, {all_of: [urn:uuid:…, urn:uuid:…]}]}}

Requirement kinds: ``required`` (a non-blank value), ``min`` / ``max`` (a number within bounds;
a missing value fails), ``one_of`` (one of the listed values, case-insensitive), ``url`` (an
absolute http(s) URL), ``email``, ``date`` (``YYYY-MM-DD`` or a date-time with a zone). ``url``,
``email``, ``date`` and ``one_of`` only check a value that is present: combine them with
``required: true`` to demand one. One entry may hold several kinds; each becomes a
:class:`Requirement`.

``requires`` names badge classes (of this project) the recipient must already hold: a list of
ids (every one), ``{all_of: [...]}`` or ``{n_of: {n: N, of: [...]}}``, whose items are ids or
such groups, nested (:class:`Holdings`). ``badgekit issue`` rejects a row unless the ledger has
active credentials (issued by this issuer, not revoked, suspended or expired) that meet it, or
the row names one held elsewhere in a ``prior_credential`` column; ``badgekit badge validate``
checks that each id is a badge class of the project and that requirements have no cycle. A badge
class that requires others and reads no roster column is a *pathway*: ``badgekit issue --badge``
awards it without a roster to every eligible holder the ledger knows.

``validity`` is an ISO 8601 duration, read and added by :mod:`badgekit._time`
(:func:`~badgekit._time.parse_duration`, :func:`~badgekit._time.add_duration`; re-exported here).

This module reads, loads and writes badge-class files; the policy and its requirements live in
``_policy``, the document checks in ``_check``, the value predicates (URL, urn:uuid, date) in
``_values``. Every public name is importable from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from badgekit._io import atomic_write, dumps_json, loads_json, read_bounded
from badgekit._time import Duration, add_duration, parse_duration
from badgekit._yaml import MAX_YAML_BYTES, dumps_yaml, loads_yaml
from badgekit.badgeclass._check import check_document
from badgekit.badgeclass._policy import (
    POLICY_KEYS,
    POLICY_MEMBER,
    REQUIREMENT_KINDS,
    STATUS_PURPOSES,
    Holdings,
    Policy,
    Requirement,
    RequirementKind,
    parse_policy,
)
from badgekit.badgeclass._values import is_date, is_http_url, is_urn_uuid, quote
from badgekit.errors import InputError
from badgekit.schema import SchemaProblem

BADGE_CLASS_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")


class BadgeClassError(InputError):
    """A badge-class file has problems; ``problems`` lists every one with its JSON path."""

    def __init__(self, path: Path, problems: Sequence[SchemaProblem]) -> None:
        first = problems[0] if problems else SchemaProblem("$", "invalid")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(
            f"{path}: {first.path}: {first.message}{more}",
            hint=f"see every problem with: badgekit badge validate {path}",
        )
        self.path = path
        self.problems = tuple(problems)


@dataclass(frozen=True)
class BadgeClass:
    """A loaded, valid badge class."""

    path: Path
    achievement: dict[str, Any]  # the OB 3.0 Achievement to embed: unknown members kept, policy removed
    policy: Policy = field(default_factory=Policy)

    @property
    def id(self) -> str:
        return str(self.achievement.get("id", ""))

    @property
    def name(self) -> str:
        return _text(self.achievement.get("name"))

    @property
    def achievement_type(self) -> str | None:
        value = self.achievement.get("achievementType")
        return value if isinstance(value, str) else None

    def to_document(self) -> dict[str, Any]:
        """The file form: the Achievement plus the ``badgekit`` policy member."""
        doc = dict(self.achievement)
        policy = self.policy.to_json()
        if policy:
            doc[POLICY_MEMBER] = policy
        return doc


def _text(value: object) -> str:
    """A display string for a plain or language-map string."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and value:
        first = next(iter(value.values()))
        return first if isinstance(first, str) else ""
    return ""


# ---------------------------------------------------------------------------------------------
# reading, checking, writing


def read_document(path: str | os.PathLike[str]) -> Any:
    """Parse a badge-class file: ``.json`` as JSON, ``.yaml``/``.yml`` as YAML.

    Raises:
        InputError: missing, unreadable, malformed, or an unsupported extension.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in BADGE_CLASS_SUFFIXES:
        raise InputError(f"{p}: badge classes are .yaml, .yml or .json files")
    data = read_bounded(p, limit=MAX_YAML_BYTES)
    if suffix == ".json":
        return loads_json(data, source=str(p))
    return loads_yaml(data, source=str(p))


def load_badge_class(path: str | os.PathLike[str], *, templates_dirs: Iterable[Path] = ()) -> BadgeClass:
    """Read and check a badge-class file.

    Raises:
        InputError: the file is missing or malformed JSON/YAML.
        BadgeClassError: (an InputError) the file breaks the OB 3.0 schema or badgekit's rules;
            ``problems`` lists each with its JSON path.
    """
    p = Path(path)
    document = read_document(p)
    problems = check_document(document, templates_dirs=templates_dirs)
    if problems:
        raise BadgeClassError(p, problems)
    achievement = {k: v for k, v in document.items() if k != POLICY_MEMBER}
    policy, _ = parse_policy(document.get(POLICY_MEMBER))
    return BadgeClass(path=p, achievement=achievement, policy=policy)


def validate_badge_class(
    path: str | os.PathLike[str], *, templates_dirs: Iterable[Path] = (), known_badges: Mapping[str, Any] | None = None,
    requires_graph: Mapping[str, Sequence[str]] | None = None,
) -> list[SchemaProblem]:
    """Every problem of a badge-class file: the OB 3.0 schema, then badgekit's rules.

    An empty list means valid. With ``known_badges`` (badge-class ids of the project, see
    :func:`badge_class_names`), each id in ``requires`` must be one of them; with
    ``requires_graph`` (see :func:`badge_class_requires`), requirements must not form a cycle.

    Raises:
        InputError: the file cannot be read or is not well-formed JSON/YAML (nothing to check).
    """
    return check_document(read_document(path), templates_dirs=templates_dirs, known_badges=known_badges,
                          requires_graph=requires_graph)


def badge_class_names(*directories: str | os.PathLike[str]) -> dict[str, str]:
    """Badge-class id → name for every readable badge-class file in ``directories`` (the first file
    with an id wins); files that cannot be read or have no id are skipped (``badge validate`` names them)."""
    names: dict[str, str] = {}
    for badge_id, document in _documents_with_ids(directories):
        names.setdefault(badge_id, _text(document.get("name")) or badge_id)
    return names


def _documents_with_ids(directories: tuple[str | os.PathLike[str], ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(id, document) of every readable badge-class file with an id in ``directories``, in order."""
    for directory in directories:
        for path in find_badge_classes(directory):
            try:
                document = read_document(path)
            except InputError:
                continue
            if isinstance(document, Mapping) and isinstance(document.get("id"), str) and document["id"]:
                yield document["id"], document


def badge_class_requires(*directories: str | os.PathLike[str]) -> dict[str, tuple[str, ...]]:
    """Badge-class id → every badge-class id its ``requires`` names, for the readable badge-class
    files in ``directories`` (the first file with an id wins; a ``requires`` with problems gives
    what could be read)."""
    graph: dict[str, tuple[str, ...]] = {}
    for badge_id, document in _documents_with_ids(directories):
        policy, _ = parse_policy(document.get(POLICY_MEMBER))
        graph.setdefault(badge_id, policy.requires)
    return graph


def required_badges(badge: BadgeClass, *directories: str | os.PathLike[str]) -> dict[str, str]:
    """The badge classes ``badge`` requires (its policy's ``requires``): id → name, found beside
    ``badge`` or in ``directories`` (the project's badges folder).

    Raises:
        InputError: a required id is not a badge class there (names the file and entry).
    """
    if not badge.policy.requires:
        return {}
    folders = list(dict.fromkeys(Path(d).resolve() for d in (badge.path.parent, *directories)))
    known = badge_class_names(*folders)
    out: dict[str, str] = {}
    for i, rid in enumerate(badge.policy.requires):
        if rid not in known:
            raise InputError(
                f"{badge.path}: $.{POLICY_MEMBER}.requires{'' if badge.policy.holdings else f'[{i}]'}: "
                f"no badge class with id {quote(rid)} "
                f"in {' or '.join(str(f) for f in folders)}",
                hint=f"see every problem with: badgekit badge validate {badge.path}",
            )
        out[rid] = known[rid]
    return out


def find_badge_classes(directory: str | os.PathLike[str]) -> list[Path]:
    """Badge-class files (``*.yaml``, ``*.yml``, ``*.json``) directly in ``directory``, sorted by name.

    Hidden files are skipped. A missing directory gives an empty list.
    """
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(
        p for p in d.iterdir() if p.is_file() and p.suffix.lower() in BADGE_CLASS_SUFFIXES and not p.name.startswith(".")
    )


def dumps_document(document: Mapping[str, Any], path: str | os.PathLike[str], *, comment: str | None = None) -> str:
    """Serialise a badge-class document for ``path``: JSON for ``.json``, YAML otherwise.

    ``comment`` (YAML only) becomes ``#`` lines at the top of the file.
    """
    if Path(path).suffix.lower() == ".json":
        return dumps_json(dict(document))
    header = "".join(f"# {line}".rstrip() + "\n" for line in comment.splitlines()) if comment else ""
    return header + dumps_yaml(dict(document))


def write_badge_class(
    path: str | os.PathLike[str],
    document: Mapping[str, Any],
    *,
    overwrite: bool = False,
    comment: str | None = None,
) -> Path:
    """Write a badge-class document (YAML or JSON by extension) atomically.

    Raises:
        InputError: the extension is not .yaml/.yml/.json, or the file exists and ``overwrite`` is False.
    """
    p = Path(path)
    if p.suffix.lower() not in BADGE_CLASS_SUFFIXES:
        raise InputError(f"{p}: badge classes are .yaml, .yml or .json files")
    if p.exists() and not overwrite:
        raise InputError(f"{p}: already exists, refusing to overwrite it", hint="choose another --out or pass --force")
    return atomic_write(p, dumps_document(document, p, comment=comment))


__all__ = [
    "BADGE_CLASS_SUFFIXES",
    "POLICY_KEYS",
    "POLICY_MEMBER",
    "REQUIREMENT_KINDS",
    "STATUS_PURPOSES",
    "BadgeClass",
    "BadgeClassError",
    "Duration",
    "Holdings",
    "Policy",
    "Requirement",
    "RequirementKind",
    "add_duration",
    "badge_class_names",
    "badge_class_requires",
    "check_document",
    "dumps_document",
    "find_badge_classes",
    "is_date",
    "is_http_url",
    "is_urn_uuid",
    "load_badge_class",
    "parse_duration",
    "parse_policy",
    "read_document",
    "required_badges",
    "validate_badge_class",
    "write_badge_class",
]

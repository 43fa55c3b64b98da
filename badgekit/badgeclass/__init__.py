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

Requirement kinds: ``required`` (a non-blank value), ``min`` / ``max`` (a number within bounds;
a missing value fails), ``one_of`` (one of the listed values, case-insensitive), ``url`` (an
absolute http(s) URL), ``email``, ``date`` (``YYYY-MM-DD`` or a date-time with a zone). ``url``,
``email``, ``date`` and ``one_of`` only check a value that is present: combine them with
``required: true`` to demand one. One entry may hold several kinds; each becomes a
:class:`Requirement`.

``requires`` lists badge-class ids (of this project) the recipient must already hold, every one:
``badgekit issue`` rejects a row unless the ledger has an active credential of each for that
recipient (issued, not revoked, suspended or expired) or the row names one held elsewhere in a
``prior_credential`` column; ``badgekit badge validate`` checks that each id is a badge class of
the project. Each entry is one badge-class id today; other entry forms (such as "n of these")
are left for later.

``validity`` is an ISO 8601 duration, read and added by :mod:`badgekit._time`
(:func:`~badgekit._time.parse_duration`, :func:`~badgekit._time.add_duration`; re-exported here).
"""

from __future__ import annotations

import math
import os
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import urlsplit

from badgekit import roster
from badgekit._io import atomic_write, dumps_json, loads_json, read_bounded
from badgekit._template_search import image_template_names, template_names
from badgekit._time import (
    Duration,
    TimestampError,
    add_duration,
    parse_datetime_stamp,
    parse_duration,
)
from badgekit._yaml import MAX_YAML_BYTES, dumps_yaml, loads_yaml
from badgekit.errors import InputError
from badgekit.schema import SchemaProblem, validate_achievement

RequirementKind = Literal["required", "min", "max", "one_of", "url", "email", "date"]
REQUIREMENT_KINDS: tuple[str, ...] = ("required", "min", "max", "one_of", "url", "email", "date")
POLICY_KEYS: tuple[str, ...] = (
    "validity",
    "requirements",
    "image_template",
    "colour",
    "level_label",
    "family",
    "renewal_note",
    "template",
    "status_purpose",
    "requires",
    "revocable",
)
#: What the one credentialStatus entry of a credential says (ADR 4): revocation is final;
#: suspension can be lifted (and a suspension-purpose credential can still be revoked for good).
STATUS_PURPOSES: tuple[str, ...] = ("revocation", "suspension")
BADGE_CLASS_SUFFIXES: tuple[str, ...] = (".yaml", ".yml", ".json")
POLICY_MEMBER = "badgekit"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


# ---------------------------------------------------------------------------------------------
# requirements


@dataclass(frozen=True)
class Requirement:
    """One rule a roster row must satisfy before a credential is issued for it."""

    column: str
    kind: RequirementKind
    value: Any = None
    message: str = ""

    def check(self, raw: str | None) -> str | None:
        """None when ``raw`` (the roster cell, None if absent) satisfies the rule, else a one-line reason."""
        reason = self._reason(None if raw is None else str(raw).strip())
        if reason is None:
            return None
        return f"{reason} ({self.message})" if self.message else reason

    def _reason(self, text: str | None) -> str | None:
        col = self.column
        present = bool(text)
        if self.kind == "required":
            # value False switches the rule off; None (the default) and True both mean "required".
            return None if present or self.value is False else f"{col} is missing (required)"
        if self.kind in ("min", "max"):
            if not present:
                bound = "at least" if self.kind == "min" else "at most"
                return f"{col} is missing ({bound} {_num(self.value)} required)"
            number = _parse_number(text or "")
            if number is None:
                return f"{col} {text!r} is not a number"
            if self.kind == "min" and number < float(self.value):
                return f"{col} {text} is below the required {_num(self.value)}"
            if self.kind == "max" and number > float(self.value):
                return f"{col} {text} is above the allowed {_num(self.value)}"
            return None
        if not present:
            return None
        assert text is not None
        if self.kind == "one_of":
            allowed = [str(v) for v in self.value or ()]
            if text.casefold() in (a.casefold() for a in allowed):
                return None
            return f"{col} {text!r} is not one of: {', '.join(allowed)}"
        if self.kind == "url":
            return None if is_http_url(text) else f"{col} {text!r} is not an http(s) URL"
        if self.kind == "email":
            return None if _EMAIL.fullmatch(text) else f"{col} {text!r} is not an email address"
        if self.kind == "date":
            # the roster's own date reader: ISO dates, 15.01.2026, and unambiguous d/m/y
            try:
                roster.parse_date(text)
            except ValueError as exc:
                return f"{col}: {exc}"
            return None
        return f"{col}: unknown requirement kind {self.kind!r}"

    def describe(self) -> str:
        """Short human form: ``score >= 70``, ``evidence_url: required``."""
        if self.kind == "min":
            return f"{self.column} >= {_num(self.value)}"
        if self.kind == "max":
            return f"{self.column} <= {_num(self.value)}"
        if self.kind == "one_of":
            return f"{self.column} in {{{', '.join(str(v) for v in self.value or ())}}}"
        if self.kind == "required":
            return f"{self.column}: required"
        return f"{self.column}: {self.kind}"


def _parse_number(text: str) -> float | None:
    # the roster's own number reader: 85, 85.5, 85,5, 85 %
    try:
        number = roster.parse_number(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _num(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def is_http_url(text: Any) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    if not isinstance(text, str) or text.split() != [text]:  # no whitespace anywhere (nor empty)
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)


def is_urn_uuid(text: Any) -> bool:
    """True for ``urn:uuid:`` followed by a well-formed UUID."""
    if not isinstance(text, str) or not text.lower().startswith("urn:uuid:"):
        return False
    try:
        uuid.UUID(text[len("urn:uuid:") :])
    except ValueError:
        return False
    return len(text) == len("urn:uuid:") + 36


def is_date(text: str) -> bool:
    """``YYYY-MM-DD`` (a real calendar date) or a date-time with a time zone (the one timestamp
    form credentials carry: :func:`badgekit._time.parse_datetime_stamp`)."""
    if _DATE.fullmatch(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True
    try:
        parse_datetime_stamp(text, field="date")
    except TimestampError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# policy and badge class


@dataclass(frozen=True)
class Policy:
    """badgekit's issuing policy for one badge class (the ``badgekit`` member of the file)."""

    validity: str | None = None  # ISO 8601 duration like "P2Y", "P6M", "P90D"
    requirements: tuple[Requirement, ...] = ()
    image_template: str | None = None
    colour: str | None = None
    level_label: str | None = None
    family: str | None = None
    renewal_note: str | None = None
    template: str | None = None  # the badge-class template this file was made from
    status_purpose: str = "revocation"  # the purpose of each credential's status entry (ADR 4)
    requires: tuple[str, ...] = ()  # badge-class ids the recipient must already hold, every one
    #: False: its credentials carry no status entry and can never be revoked, on purpose (issue
    #: then needs no status_base_url); the default is True
    revocable: bool = True

    def check_row(self, row: Mapping[str, Any]) -> list[str]:
        """Reasons ``row`` may not be issued (empty list: every requirement is met)."""
        reasons: list[str] = []
        for req in self.requirements:
            raw = row.get(req.column)
            reason = req.check(None if raw is None else str(raw))
            if reason is not None:
                reasons.append(reason)
        return reasons

    def valid_until(self, valid_from: datetime) -> datetime | None:
        """``valid_from`` + ``validity``, or None when the badge does not expire."""
        return add_duration(valid_from, self.validity) if self.validity else None

    def describe_requirements(self) -> list[str]:
        """One short line per roster column: ``score >= 70``, ``evidence_url (required, url)``."""
        lines: list[str] = []
        for column in self.columns:
            reqs = [r for r in self.requirements if r.column == column]
            bounds = [r.describe() for r in reqs if r.kind in ("min", "max", "one_of")]
            flags = [r.kind for r in reqs if r.kind not in ("min", "max", "one_of")]
            text = ", ".join(bounds) if bounds else column
            lines.append(f"{text} ({', '.join(flags)})" if flags else text)
        return lines

    @property
    def columns(self) -> tuple[str, ...]:
        """Roster columns the requirements read, in order, without repeats."""
        return tuple(dict.fromkeys(r.column for r in self.requirements))

    def to_json(self) -> dict[str, Any]:
        """The policy as written in a badge-class file (requirements of one column grouped)."""
        out: dict[str, Any] = {}
        if self.validity is not None:
            out["validity"] = self.validity
        if self.requirements:
            entries: list[dict[str, Any]] = []
            for req in self.requirements:
                last = entries[-1] if entries else None
                if last and last["column"] == req.column and req.kind not in last and last.get("message", "") == req.message:
                    last.pop("message", None)
                    last[req.kind] = True if req.value is None else req.value
                    if req.message:
                        last["message"] = req.message
                    continue
                entry: dict[str, Any] = {"column": req.column, req.kind: True if req.value is None else req.value}
                if req.message:
                    entry["message"] = req.message
                entries.append(entry)
            out["requirements"] = entries
        for key in ("image_template", "colour", "level_label", "family", "renewal_note", "template"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.status_purpose != "revocation":
            out["status_purpose"] = self.status_purpose
        if self.requires:
            out["requires"] = list(self.requires)
        if not self.revocable:
            out["revocable"] = False
        return out


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


def _text(value: Any) -> str:
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
    path: str | os.PathLike[str], *, templates_dirs: Iterable[Path] = (), known_badges: Mapping[str, Any] | None = None
) -> list[SchemaProblem]:
    """Every problem of a badge-class file: the OB 3.0 schema, then badgekit's rules.

    An empty list means valid. With ``known_badges`` (badge-class ids of the project, see
    :func:`badge_class_names`), each id in ``requires`` must be one of them.

    Raises:
        InputError: the file cannot be read or is not well-formed JSON/YAML (nothing to check).
    """
    return check_document(read_document(path), templates_dirs=templates_dirs, known_badges=known_badges)


def badge_class_names(*directories: str | os.PathLike[str]) -> dict[str, str]:
    """Badge-class id → name for every readable badge-class file in ``directories`` (the first file
    with an id wins); files that cannot be read or have no id are skipped (``badge validate`` names them)."""
    names: dict[str, str] = {}
    for directory in directories:
        for path in find_badge_classes(directory):
            try:
                document = read_document(path)
            except InputError:
                continue
            if isinstance(document, Mapping) and isinstance(document.get("id"), str) and document["id"]:
                names.setdefault(document["id"], _text(document.get("name")) or document["id"])
    return names


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
                f"{badge.path}: $.{POLICY_MEMBER}.requires[{i}]: no badge class with id {_q(rid)} "
                f"in {' or '.join(str(f) for f in folders)}",
                hint=f"see every problem with: badgekit badge validate {badge.path}",
            )
        out[rid] = known[rid]
    return out


def check_document(
    document: Any, *, templates_dirs: Iterable[Path] = (), known_badges: Mapping[str, Any] | None = None
) -> list[SchemaProblem]:
    """Problems of a parsed badge-class document (Achievement + optional ``badgekit`` member).

    Schema problems come from the bundled 1EdTech schema and from its strict 2024-09 variant
    (badgekit emits arrays, so a single value where an array is expected is reported). badgekit's
    rules: ``criteria`` has an ``id`` or a ``narrative``; ``id`` is ``urn:uuid:`` or an http(s)
    URL; every URL is absolute http(s) (images may be ``data:`` URIs); durations parse; colours are
    ``#rrggbb``; requirements use known kinds; a named template exists; with ``known_badges``
    (ids of the project's badge classes), each ``requires`` id is one of them.
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
        for i, rid in enumerate(requires if isinstance(requires, list) else []):
            where = f"$.{POLICY_MEMBER}.requires[{i}]"
            if isinstance(rid, str) and rid == document.get("id"):
                problems.setdefault((where, "a badge class cannot require itself"), SchemaProblem(where, "a badge class cannot require itself"))
            elif isinstance(rid, str) and known_badges is not None and rid not in known_badges:
                p = SchemaProblem(where, f"no badge class with id {_q(rid)} in the project")
                problems.setdefault((p.path, p.message), p)
    return sorted(problems.values(), key=lambda p: (_path_order(p.path), p.message))


def _path_order(path: str) -> list[tuple[int, Any]]:
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.findall(r"[^.\[\]']+", path)]


def _achievement_rules(a: Mapping[str, Any]) -> Iterator[SchemaProblem]:
    ident = a.get("id")
    if isinstance(ident, str) and not (is_urn_uuid(ident) or is_http_url(ident)):
        yield SchemaProblem("$.id", f"{_q(ident)} is not a urn:uuid: or an http(s) URL")
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
            yield SchemaProblem("$.criteria.id", f"{_q(cid)} is not an absolute http(s) URL")
    yield from _image_rules(a.get("image"), "$.image")
    for i, al in enumerate(_items(a.get("alignment"))):
        if isinstance(al, Mapping) and isinstance(al.get("targetUrl"), str) and not is_http_url(al["targetUrl"]):
            yield SchemaProblem(f"$.alignment[{i}].targetUrl", f"{_q(al['targetUrl'])} is not an absolute http(s) URL")
    for i, rel in enumerate(_items(a.get("related"))):
        rid = rel.get("id") if isinstance(rel, Mapping) else None
        if isinstance(rid, str) and not (is_urn_uuid(rid) or is_http_url(rid)):
            yield SchemaProblem(f"$.related[{i}].id", f"{_q(rid)} is not a urn:uuid: or an http(s) URL")
    for i, tag in enumerate(_items(a.get("tag"))):
        if isinstance(tag, str) and not tag.strip():
            yield SchemaProblem(f"$.tag[{i}]", "must not be empty")
    creator = a.get("creator")
    if isinstance(creator, Mapping):
        cid = creator.get("id")
        if isinstance(cid, str) and not (cid.startswith("did:") or is_http_url(cid) or is_urn_uuid(cid)):
            yield SchemaProblem("$.creator.id", f"{_q(cid)} is not a DID or an http(s) URL")
        url = creator.get("url")
        if isinstance(url, str) and not is_http_url(url):
            yield SchemaProblem("$.creator.url", f"{_q(url)} is not an absolute http(s) URL")
        email = creator.get("email")
        if isinstance(email, str) and not _EMAIL.fullmatch(email):
            yield SchemaProblem("$.creator.email", f"{_q(email)} is not an email address")
        yield from _image_rules(creator.get("image"), "$.creator.image")
    seen_ids: dict[str, str] = {}
    for i, rd in enumerate(_items(a.get("resultDescription"))):
        if not isinstance(rd, Mapping):
            continue
        base = f"$.resultDescription[{i}]"
        rid = rd.get("id")
        if isinstance(rid, str):
            if rid in seen_ids:
                yield SchemaProblem(f"{base}.id", f"same id as {seen_ids[rid]}")
            seen_ids.setdefault(rid, f"{base}.id")
        levels = [lv.get("id") for lv in _items(rd.get("rubricCriterionLevel")) if isinstance(lv, Mapping)]
        required_level = rd.get("requiredLevel")
        if isinstance(required_level, str) and required_level not in levels:
            yield SchemaProblem(f"{base}.requiredLevel", "does not name one of its rubricCriterionLevel ids")
        allowed = rd.get("allowedValue")
        required_value = rd.get("requiredValue")
        if isinstance(allowed, list) and isinstance(required_value, str) and allowed and required_value not in allowed:
            yield SchemaProblem(f"{base}.requiredValue", f"{_q(required_value)} is not one of its allowedValue")


def _image_rules(image: Any, where: str) -> Iterator[SchemaProblem]:
    if isinstance(image, Mapping):
        iid = image.get("id")
        if isinstance(iid, str) and not (is_http_url(iid) or iid.startswith("data:image/")):
            yield SchemaProblem(f"{where}.id", f"{_q(iid)} is not an absolute http(s) URL or a data:image/ URI")


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _q(value: str) -> str:
    text = value if len(value) <= 60 else value[:59] + "…"
    return repr(text)


def parse_policy(
    raw: Any, *, templates_dirs: Iterable[Path] = (), check_template: bool = False
) -> tuple[Policy, list[SchemaProblem]]:
    """Parse the ``badgekit`` member; returns the policy (best effort) and its problems."""
    base = f"$.{POLICY_MEMBER}"
    if raw is None:
        return Policy(), []
    if not isinstance(raw, Mapping):
        return Policy(), [SchemaProblem(base, "must be an object (badgekit's issuing policy)")]
    problems: list[SchemaProblem] = []
    for key in raw:
        if key not in POLICY_KEYS:
            hint = " (did you mean colour?)" if key == "color" else ""
            problems.append(SchemaProblem(f"{base}.{key}", f"unknown policy member{hint}; known: {', '.join(POLICY_KEYS)}"))
    strings: dict[str, str | None] = {}
    for key in ("validity", "image_template", "colour", "level_label", "family", "renewal_note", "template", "status_purpose"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(SchemaProblem(f"{base}.{key}", "must be a string"))
            value = None
        strings[key] = value
    validity = strings["validity"]
    if validity is not None:
        try:
            if parse_duration(validity).is_zero:
                problems.append(SchemaProblem(f"{base}.validity", "a validity period must be longer than zero"))
        except InputError as exc:
            problems.append(SchemaProblem(f"{base}.validity", exc.message))
    colour = strings["colour"]
    if colour is not None and not _COLOUR.fullmatch(colour):
        problems.append(SchemaProblem(f"{base}.colour", f"{_q(colour)} is not a colour like #1f6feb"))
    image_template = strings["image_template"]
    if image_template is not None and not _NAME.fullmatch(image_template):
        problems.append(SchemaProblem(f"{base}.image_template", f"{_q(image_template)} is not a template name (a-z, 0-9, - and _)"))
    template = strings["template"]
    if check_template and (template is not None or image_template is not None):
        dirs = tuple(templates_dirs)
        known = template_names(extra_dirs=dirs)
        if template is not None and template not in known:
            problems.append(SchemaProblem(f"{base}.template", f"unknown template {_q(template)}; known: {', '.join(known)}"))
        images = image_template_names(extra_dirs=dirs)
        if image_template is not None and _NAME.fullmatch(image_template) and images and image_template not in images:
            problems.append(
                SchemaProblem(f"{base}.image_template", f"unknown image template {_q(image_template)}; known: {', '.join(images)}")
            )
    status_purpose = strings["status_purpose"] or "revocation"
    if status_purpose not in STATUS_PURPOSES:
        problems.append(SchemaProblem(f"{base}.status_purpose", f"{_q(status_purpose)} is not one of: {', '.join(STATUS_PURPOSES)}"))
        status_purpose = "revocation"
    revocable = raw.get("revocable", True)
    if not isinstance(revocable, bool):
        problems.append(SchemaProblem(f"{base}.revocable", "must be true or false"))
        revocable = True
    elif not revocable and strings["status_purpose"] is not None:
        problems.append(SchemaProblem(f"{base}.status_purpose", "does not apply: revocable is false, so credentials carry no status entry"))
    requirements, req_problems = _parse_requirements(raw.get("requirements"), f"{base}.requirements")
    problems.extend(req_problems)
    requires, requires_problems = _parse_requires(raw.get("requires"), f"{base}.requires")
    problems.extend(requires_problems)
    policy = Policy(
        requires=requires,
        revocable=revocable,
        status_purpose=status_purpose,
        validity=validity,
        requirements=requirements,
        image_template=image_template,
        colour=colour,
        level_label=strings["level_label"],
        family=strings["family"],
        renewal_note=strings["renewal_note"],
        template=template,
    )
    return policy, problems


def _parse_requirements(raw: Any, base: str) -> tuple[tuple[Requirement, ...], list[SchemaProblem]]:
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [SchemaProblem(base, "must be a list of {column: ..., <kind>: ...} entries")]
    out: list[Requirement] = []
    problems: list[SchemaProblem] = []
    for i, entry in enumerate(raw):
        where = f"{base}[{i}]"
        if not isinstance(entry, Mapping):
            problems.append(SchemaProblem(where, "must be an object such as {column: score, min: 70}"))
            continue
        column = entry.get("column")
        if not isinstance(column, str) or not _COLUMN.fullmatch(column.strip()):
            problems.append(SchemaProblem(f"{where}.column", "must name a roster column (letters, digits, _ . - and spaces)"))
            continue
        column = column.strip()
        message = entry.get("message", "")
        if not isinstance(message, str):
            problems.append(SchemaProblem(f"{where}.message", "must be a string"))
            message = ""
        kinds = 0
        unknown = False
        for key, value in entry.items():
            if key in ("column", "message"):
                continue
            path = f"{where}.{key}"
            if key not in REQUIREMENT_KINDS:
                problems.append(SchemaProblem(path, f"unknown requirement kind; known: {', '.join(REQUIREMENT_KINDS)}"))
                unknown = True
                continue
            kinds += 1
            if key in ("min", "max"):
                if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                    problems.append(SchemaProblem(path, f"must be a number, got {_short(value)}"))
                    continue
                out.append(Requirement(column, cast(RequirementKind, key), value, message))
            elif key == "one_of":
                if not isinstance(value, list) or not value or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
                    problems.append(SchemaProblem(path, "must be a non-empty list of values"))
                    continue
                out.append(Requirement(column, "one_of", tuple(str(v) for v in value), message))
            else:
                if not isinstance(value, bool):
                    problems.append(SchemaProblem(path, f"must be true or false, got {_short(value)}"))
                    continue
                if value:
                    kind = cast(RequirementKind, key)
                    out.append(Requirement(column, kind, True if key == "required" else None, message))
        if kinds == 0 and not unknown:
            problems.append(SchemaProblem(where, f"names no requirement kind ({', '.join(REQUIREMENT_KINDS)})"))
    return tuple(out), problems


def _parse_requires(raw: Any, base: str) -> tuple[tuple[str, ...], list[SchemaProblem]]:
    """``requires``: a list of badge-class ids (urn:uuid: or http(s) URL), each given once."""
    if raw is None:
        return (), []
    if not isinstance(raw, list):
        return (), [SchemaProblem(base, "must be a list of badge-class ids the recipient must already hold")]
    out: list[str] = []
    problems: list[SchemaProblem] = []
    for i, entry in enumerate(raw):
        where = f"{base}[{i}]"
        if not isinstance(entry, str) or not (is_urn_uuid(entry) or is_http_url(entry)):
            problems.append(SchemaProblem(where, f"{_short(entry)} is not a badge-class id (urn:uuid: or an http(s) URL)"))
        elif entry in out:
            problems.append(SchemaProblem(where, f"{_q(entry)} is listed twice"))
        else:
            out.append(entry)
    return tuple(out), problems


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


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
    "BadgeClass",
    "BadgeClassError",
    "Duration",
    "Policy",
    "Requirement",
    "REQUIREMENT_KINDS",
    "add_duration",
    "badge_class_names",
    "check_document",
    "find_badge_classes",
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

"""badgekit's issuing policy: the ``badgekit`` member of a badge-class file (:class:`Policy`), its
roster requirements (:class:`Requirement`), the badge classes a recipient must hold
(:class:`Holdings`: ``all_of`` / ``n_of``, nested) and its parser (:func:`parse_policy`, which
reports :class:`~badgekit.schema.SchemaProblem` entries)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast

from badgekit import roster, sdjwt
from badgekit._template_search import image_template_names, template_names
from badgekit._time import add_duration, parse_duration
from badgekit.badgeclass._values import EMAIL, is_http_url, is_urn_uuid, quote, short
from badgekit.errors import InputError
from badgekit.schema import SchemaProblem

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
    "disclose",
)
#: What the one credentialStatus entry of a credential says (ADR 4): revocation is final;
#: suspension can be lifted (and a suspension-purpose credential can still be revoked for good).
STATUS_PURPOSES: tuple[str, ...] = ("revocation", "suspension")
POLICY_MEMBER = "badgekit"

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_ .-]*")


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
            try:
                number = roster.parse_number(text or "")  # the roster's own reader: 85, 85.5, 85,5, 85 %
            except ValueError as exc:
                return f"{col} {exc}"
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
            return None if EMAIL.fullmatch(text) else f"{col} {text!r} is not an email address"
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


def _num(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Holdings:
    """The badge classes a recipient must already hold (``badgekit.requires``): ``n`` of ``of``,
    each item a badge-class id or a nested group. ``all_of`` is ``n == len(of)``.

    Written in a badge-class file as a list of ids (all of them), ``{all_of: [...]}`` or
    ``{n_of: {n: 2, of: [...]}}``; items are ids or such groups."""

    n: int
    of: tuple[str | Holdings, ...]

    @classmethod
    def all_of(cls, *items: str | Holdings) -> Holdings:
        return cls(len(items), tuple(items))

    @property
    def is_all(self) -> bool:
        return self.n == len(self.of)

    def badge_ids(self) -> tuple[str, ...]:
        """Every badge-class id named, nested groups included, in order, without repeats."""
        out: dict[str, None] = {}
        for item in self.of:
            for rid in (item,) if isinstance(item, str) else item.badge_ids():
                out.setdefault(rid, None)
        return tuple(out)

    def met(self, held: Container[str]) -> bool:
        """Whether a recipient holding (active credentials of) the badge classes ``held`` qualifies."""
        return sum(1 for item in self.of if (item in held if isinstance(item, str) else item.met(held))) >= self.n

    def missing(self, held: Container[str], name: Callable[[str], str] = repr) -> str | None:
        """None when met, else what is missing in one line: ``'A', 'B'`` or ``1 more of: 'A', 'B'``."""
        if self.met(held):
            return None
        unmet = [name(item) if isinstance(item, str) else f"({item.describe(name)})"
                 for item in self.of if not (item in held if isinstance(item, str) else item.met(held))]
        if self.is_all:
            return ", ".join(unmet)
        have = len(self.of) - len(unmet)
        return f"{self.n - have} more of: {', '.join(unmet)}"

    def describe(self, name: Callable[[str], str] = repr) -> str:
        """``all of: 'A', 'B'`` or ``2 of: 'A', (all of: 'B', 'C')``."""
        items = ", ".join(name(i) if isinstance(i, str) else f"({i.describe(name)})" for i in self.of)
        return f"all of: {items}" if self.is_all else f"{self.n} of: {items}"

    def to_json(self, *, top: bool = True) -> Any:
        """As written in a badge-class file (at the top, a plain list for ``all_of`` of ids)."""
        items = [i if isinstance(i, str) else i.to_json(top=False) for i in self.of]
        if self.is_all:
            return items if top and all(isinstance(i, str) for i in self.of) else {"all_of": items}
        return {"n_of": {"n": self.n, "of": items}}


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
    #: every badge-class id ``holdings`` names (without ``holdings``: all of them must be held)
    requires: tuple[str, ...] = ()
    #: the badge classes a recipient must hold (all_of / n_of, nested); None: all of ``requires``
    holdings: Holdings | None = None
    #: False: its credentials carry no status entry and can never be revoked, on purpose (issue
    #: then needs no status_base_url); the default is True
    revocable: bool = True
    #: ``issue --format sd-jwt``: the members its holders may disclose selectively (paths of
    #: badgekit.sdjwt.DISCLOSABLE); None: sdjwt.DEFAULT_DISCLOSE (recipient identity, results, evidence)
    disclose: tuple[str, ...] | None = None

    @property
    def rule(self) -> Holdings | None:
        """What a recipient must hold before this badge is issued (None: nothing)."""
        if self.holdings is not None:
            return self.holdings
        return Holdings.all_of(*self.requires) if self.requires else None

    @property
    def is_pathway(self) -> bool:
        """Awarded for holding other badges alone (requires them, reads no roster column): the
        ledger knows every eligible recipient, so it can be issued without a roster."""
        return bool(self.requires) and not self.requirements

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
        rule = self.rule
        if rule is not None:
            out["requires"] = rule.to_json()
        if not self.revocable:
            out["revocable"] = False
        if self.disclose is not None:
            out["disclose"] = list(self.disclose)
        return out


def parse_policy(
    raw: object, *, templates_dirs: Iterable[Path] = (), check_template: bool = False
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
        problems.append(SchemaProblem(f"{base}.colour", f"{quote(colour)} is not a colour like #1f6feb"))
    image_template = strings["image_template"]
    if image_template is not None and not _NAME.fullmatch(image_template):
        problems.append(SchemaProblem(f"{base}.image_template", f"{quote(image_template)} is not a template name (a-z, 0-9, - and _)"))
    template = strings["template"]
    if check_template and (template is not None or image_template is not None):
        dirs = tuple(templates_dirs)
        known = template_names(extra_dirs=dirs)
        if template is not None and template not in known:
            problems.append(SchemaProblem(f"{base}.template", f"unknown template {quote(template)}; known: {', '.join(known)}"))
        images = image_template_names(extra_dirs=dirs)
        if image_template is not None and _NAME.fullmatch(image_template) and images and image_template not in images:
            problems.append(
                SchemaProblem(f"{base}.image_template", f"unknown image template {quote(image_template)}; known: {', '.join(images)}")
            )
    status_purpose = strings["status_purpose"] or "revocation"
    if status_purpose not in STATUS_PURPOSES:
        problems.append(SchemaProblem(f"{base}.status_purpose", f"{quote(status_purpose)} is not one of: {', '.join(STATUS_PURPOSES)}"))
        status_purpose = "revocation"
    revocable = raw.get("revocable", True)
    if not isinstance(revocable, bool):
        problems.append(SchemaProblem(f"{base}.revocable", "must be true or false"))
        revocable = True
    elif not revocable and strings["status_purpose"] is not None:
        problems.append(SchemaProblem(f"{base}.status_purpose", "does not apply: revocable is false, so credentials carry no status entry"))
    requirements, req_problems = _parse_requirements(raw.get("requirements"), f"{base}.requirements")
    problems.extend(req_problems)
    holdings, requires_problems = _parse_requires(raw.get("requires"), f"{base}.requires")
    problems.extend(requires_problems)
    disclose, disclose_problems = _parse_disclose(raw.get("disclose"), f"{base}.disclose")
    problems.extend(disclose_problems)
    policy = Policy(
        disclose=disclose,
        requires=holdings.badge_ids() if holdings is not None else (),
        holdings=holdings if holdings is not None and not (holdings.is_all and all(isinstance(i, str) for i in holdings.of)) else None,
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


def _parse_requirements(raw: object, base: str) -> tuple[tuple[Requirement, ...], list[SchemaProblem]]:
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
                    problems.append(SchemaProblem(path, f"must be a number, got {short(value)}"))
                    continue
                out.append(Requirement(column, cast(RequirementKind, key), value, message))
            elif key == "one_of":
                if not isinstance(value, list) or not value or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in value):
                    problems.append(SchemaProblem(path, "must be a non-empty list of values"))
                    continue
                out.append(Requirement(column, "one_of", tuple(str(v) for v in value), message))
            else:
                if not isinstance(value, bool):
                    problems.append(SchemaProblem(path, f"must be true or false, got {short(value)}"))
                    continue
                if value:
                    kind = cast(RequirementKind, key)
                    out.append(Requirement(column, kind, True if key == "required" else None, message))
        if kinds == 0 and not unknown:
            problems.append(SchemaProblem(where, f"names no requirement kind ({', '.join(REQUIREMENT_KINDS)})"))
    return tuple(out), problems


def _parse_disclose(raw: Any, base: str) -> tuple[tuple[str, ...] | None, list[SchemaProblem]]:
    """``disclose``: the members an SD-JWT VC makes selectively disclosable (a list, maybe empty)."""
    if raw is None:
        return None, []
    if not isinstance(raw, list):
        return None, [SchemaProblem(base, f"must be a list of members, e.g. [{', '.join(sdjwt.DEFAULT_DISCLOSE)}]")]
    problems = []
    for i, entry in enumerate(raw):
        problem = sdjwt.disclose_problem(entry) if isinstance(entry, str) else "must be a string"
        if problem is None and entry in raw[:i]:
            problem = f"{quote(entry)} is listed twice"
        if problem is not None:
            problems.append(SchemaProblem(f"{base}[{i}]", problem))
    return (None if problems else tuple(raw)), problems


_REQUIRES_FORMS = "a list of badge-class ids, {all_of: [...]} or {n_of: {n: N, of: [...]}}"


def _parse_requires(raw: Any, base: str) -> tuple[Holdings | None, list[SchemaProblem]]:
    """``requires``: badge-class ids (urn:uuid: or http(s) URL) the recipient must hold: a list
    (all of them), ``{all_of: [...]}`` or ``{n_of: {n: N, of: [...]}}``, items ids or nested groups."""
    if raw is None:
        return None, []
    problems: list[SchemaProblem] = []
    group = _parse_group(raw, base, problems)
    return (group if group is not None and group.of else None), problems


def _parse_group(raw: Any, base: str, problems: list[SchemaProblem]) -> Holdings | None:
    if isinstance(raw, list):
        items = _parse_items(raw, base, problems)
        return Holdings(len(items), items)
    if not isinstance(raw, Mapping) or len(raw) != 1 or next(iter(raw)) not in ("all_of", "n_of"):
        problems.append(SchemaProblem(base, f"must be {_REQUIRES_FORMS}"))
        return None
    if "all_of" in raw:
        where = f"{base}.all_of"
        if not isinstance(raw["all_of"], list) or not raw["all_of"]:
            problems.append(SchemaProblem(where, "must be a non-empty list of badge-class ids or groups"))
            return None
        items = _parse_items(raw["all_of"], where, problems)
        return Holdings(len(items), items)
    where = f"{base}.n_of"
    spec = raw["n_of"]
    if not isinstance(spec, Mapping) or set(spec) != {"n", "of"}:
        problems.append(SchemaProblem(where, "must be {n: N, of: [badge-class ids or groups]}"))
        return None
    if not isinstance(spec["of"], list) or not spec["of"]:
        problems.append(SchemaProblem(f"{where}.of", "must be a non-empty list of badge-class ids or groups"))
        return None
    items = _parse_items(spec["of"], f"{where}.of", problems)
    n = spec["n"]
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(spec["of"]):
        problems.append(SchemaProblem(f"{where}.n", f"must be a whole number from 1 to {len(spec['of'])}, got {short(n)}"))
        return None
    return Holdings(min(n, len(items)), items)


def _parse_items(raw: list[Any], base: str, problems: list[SchemaProblem]) -> tuple[str | Holdings, ...]:
    out: list[str | Holdings] = []
    for i, entry in enumerate(raw):
        where = f"{base}[{i}]"
        if isinstance(entry, list | Mapping):
            group = _parse_group(entry, where, problems)
            if group is not None and group.of:
                out.append(group)
        elif not isinstance(entry, str) or not (is_urn_uuid(entry) or is_http_url(entry)):
            problems.append(SchemaProblem(where, f"{short(entry)} is not a badge-class id (urn:uuid: or an http(s) URL)"))
        elif entry in out:
            problems.append(SchemaProblem(where, f"{quote(entry)} is listed twice"))
        else:
            out.append(entry)
    return tuple(out)

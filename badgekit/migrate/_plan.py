"""Deciding what to migrate: each OB 2.0 assertion verified (:mod:`badgekit.ob2`), then either a
roster row of an OB 3.0 badge class made from its BadgeClass, or the reason it is not migrated.

What carries over, and where it goes in OB 3.0:

* the BadgeClass → an Achievement (name, description, criteria, image, tags, alignment); its
  issuer → the Achievement's ``creator``; its id → the Achievement's ``related`` (OB 2.0 and 3.0
  both use ``related`` for "the same achievement, another version"). The Achievement's id is
  derived from the BadgeClass id (UUID v5), so migrating again gives the same badge class.
* the recipient → the same IdentityObject: hash, salt and type unchanged (roster
  ``identity_hash``/``identity_salt``/``identity_type``); a plaintext email or URL as such.
* ``issuedOn`` → ``awardedDate`` (roster ``earned``), ``expires`` → ``validUntil``
  (``valid_until``), ``narrative`` → the subject's narrative, ``evidence`` → Evidence entries.
* the assertion id → an Evidence entry ("Original credential", roster ``migrated_from``). OB 3.0
  has no credential-level ``related`` (its ``related`` is the Achievement's, and means the same
  achievement, not the same award); Evidence is the credential-level link a verifier shows.

Not migrated, each with its reason: a revoked assertion; one that fails verification (a wrong
signature, expired, …); one that cannot be verified offline unless ``trust_unverified``; one
whose BadgeClass is not there (its name and criteria are needed); a recipient OB 3.0 cannot name
the same way.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badgekit import ob2
from badgekit._io import MAX_INPUT_BYTES
from badgekit._time import TimestampError, format_utc, utc_now
from badgekit.migrate._read import Found, expand, read
from badgekit.roster import EVIDENCE_NUMBERS

MIGRATE, NOT_MIGRATED = "migrate", "not-migrated"
#: UUID v5 namespace of the Achievement ids migration derives from BadgeClass ids.
NAMESPACE = uuid.UUID("6b1f3c8e-2f55-5d6a-9c1e-0b2a0e5d7f31")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Outcome:
    """One input: migrated (``status`` ``migrate``, then what issuing did) or not, and why.

    ``verified``: every OB 2.0 check passed (False: migrated with ``trust_unverified``);
    ``needs``: the documents that were not supplied.
    """

    source: str
    status: str
    reason: str | None = None
    assertion_id: str | None = None
    badge_class: str | None = None
    verified: bool = False
    needs: tuple[str, ...] = ()
    credential_id: str | None = None
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "status": self.status, "reason": self.reason, "assertion": self.assertion_id,
                "badgeClass": self.badge_class, "verified": self.verified, "needs": [ob2.short_url(u) for u in self.needs],
                "credentialId": self.credential_id, "path": self.path}


@dataclass(frozen=True)
class BadgePlan:
    """One OB 3.0 badge class to write (from the BadgeClass ``old_id``) and its roster rows, each
    with the index of its :class:`Outcome`."""

    old_id: str
    slug: str
    document: dict[str, Any]
    rows: tuple[tuple[int, dict[str, str]], ...] = ()

    @property
    def id(self) -> str:
        return str(self.document["id"])


@dataclass(frozen=True)
class MigrationPlan:
    """Every input's :class:`Outcome` (input order) and the badge classes to write."""

    outcomes: tuple[Outcome, ...]
    badges: tuple[BadgePlan, ...] = field(default=())

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for o in self.outcomes:
            found[o.status] = found.get(o.status, 0) + 1
        return found


class _Refused(Exception):  # noqa: N818 - a reason, not an error
    """This assertion is not migrated; the message says why (``ids``: its assertion and BadgeClass ids, when known)."""

    def __init__(self, reason: str, ids: tuple[str | None, str | None] = (None, None)) -> None:
        super().__init__(reason)
        self.ids = ids


def plan_migration(paths: Iterable[str | os.PathLike[str]], *, documents: ob2.Documents | None = None, at: datetime,
                   trust_unverified: bool = False, max_bytes: int = MAX_INPUT_BYTES) -> MigrationPlan:
    """Read and verify every OB 2.0 assertion in ``paths`` (files and folders) at ``at`` against
    ``documents``, and plan the badge classes and roster rows of those that can be migrated.

    Raises:
        InputError: a path does not exist, or a folder holds no badge file.
    """
    outcomes: list[Outcome] = []
    badges: dict[str, BadgePlan] = {}
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    keys: dict[tuple[str, str], str] = {}
    for path in expand(paths):
        found = read(path, max_bytes=max_bytes)
        try:
            outcome, badge, row = _plan_one(found, documents or ob2.Documents(), at, trust_unverified)
            key = (badge.old_id, _recipient_key(row))
            if key in keys:
                raise _Refused(f"the same recipient's assertion {keys[key]} of this BadgeClass is migrated: one "
                               "credential per recipient and badge class", (outcome.assertion_id, badge.old_id))
        except _Refused as exc:
            outcomes.append(Outcome(found.source, NOT_MIGRATED, str(exc), *exc.ids))
            continue
        keys[key] = outcome.assertion_id or found.source
        badges.setdefault(badge.old_id, badge)
        rows.setdefault(badge.old_id, []).append((len(outcomes), row))
        outcomes.append(outcome)
    plans = tuple(BadgePlan(b.old_id, b.slug, b.document, tuple(rows[b.old_id])) for b in badges.values())
    return MigrationPlan(tuple(outcomes), plans)


def _plan_one(found: Found, documents: ob2.Documents, at: datetime,
              trust_unverified: bool) -> tuple[Outcome, BadgePlan, dict[str, str]]:
    if found.text is None:
        raise _Refused(found.problem or "not an Open Badges 2.0 badge")
    result = ob2.verify_text(found.text, form=found.form, documents=documents, at=at, size=found.size)
    try:
        return _decide(found, result, trust_unverified)
    except _Refused as exc:
        doc = result.assertion if result.assertion is not None else result.held or {}
        ident = doc.get("id") if isinstance(doc.get("id"), str) else None
        badge = ob2.node_id(doc.get("badge"))
        raise _Refused(str(exc), (ident, badge)) from None


def _decide(found: Found, result: ob2.Verification, trust_unverified: bool) -> tuple[Outcome, BadgePlan, dict[str, str]]:
    if result.revoked:
        why = f": {result.revocation_reason}" if result.revocation_reason else ""
        raise _Refused(f"revoked by its issuer{why}")
    verdict = result.verdict
    if verdict == "invalid":
        failed = next(c for c in result.checks if c.status == "failed")
        raise _Refused(f"does not verify: {ob2.CHECK_IDS.index(failed.id) + 1} {failed.id}: {failed.reason}")
    if verdict == "indeterminate" and not trust_unverified:
        needs = ", ".join(map(ob2.short_url, result.needs)) or "documents badgekit cannot read offline"
        raise _Refused(f"cannot be verified offline: supply {needs} (--ob2-doc), or migrate it unverified "
                       "with --trust-unverified")
    assertion = result.assertion if result.assertion is not None else result.held
    if assertion is None:
        raise _Refused(f"the hosted assertion {ob2.short_url(result.needs[0]) if result.needs else ''} is not supplied: "
                       "nothing to migrate")
    badge_class = result.badge_class
    if badge_class is None:
        badge = assertion.get("badge")
        raise _Refused(f"its BadgeClass {badge if isinstance(badge, str) else ''} is not supplied: its name and "
                       "criteria are needed (--ob2-doc)")
    badge = _badge_plan(badge_class, result.issuer)
    row = _row(assertion)
    assertion_id = assertion.get("id") if isinstance(assertion.get("id"), str) else None
    outcome = Outcome(found.source, MIGRATE, None if verdict == "valid" else "migrated unverified (--trust-unverified)",
                      assertion_id, badge.old_id, verdict == "valid", tuple(result.needs))
    return outcome, badge, row


def _recipient_key(row: Mapping[str, str]) -> str:
    return "|".join(row.get(k, "") for k in ("email", "recipient_id", "identity_type", "identity_hash", "identity_salt"))


# -- the roster row --------------------------------------------------------------------------


def _row(assertion: Mapping[str, Any]) -> dict[str, str]:
    row = _recipient(assertion.get("recipient"))
    try:
        row["earned"] = format_utc(ob2.parse_datetime(assertion.get("issuedOn"), field="issuedOn"))
        expires = ob2.parse_datetime(assertion["expires"], field="expires") if "expires" in assertion else None
    except TimestampError as exc:
        raise _Refused(exc.message) from None
    if expires is not None:
        if expires <= utc_now():  # verified as of an earlier --at: still, a credential issued now would never be valid
            raise _Refused(f"expired on {format_utc(expires)}: a credential issued now would never be valid")
        row["valid_until"] = format_utc(expires)
    if isinstance(assertion.get("narrative"), str) and assertion["narrative"].strip():
        row["narrative"] = assertion["narrative"]
    row.update(_evidence(assertion.get("evidence")))
    if isinstance(assertion.get("id"), str):
        row["migrated_from"] = assertion["id"]
    return row


def _recipient(identity: object) -> dict[str, str]:
    if not isinstance(identity, Mapping) or not isinstance(identity.get("identity"), str):
        raise _Refused("the assertion names no recipient")
    kind, value = identity.get("type"), identity["identity"].strip()
    hashed = ob2.as_identifier(identity)
    if hashed["hashed"]:
        salt = hashed.get("salt", "")
        if salt != salt.strip() or any(c in salt for c in "\r\n\t\x00"):
            raise _Refused("the recipient's salt has surrounding spaces or control characters, which a roster "
                           "cannot carry unchanged")
        return {"identity_hash": value, "identity_salt": salt, "identity_type": str(hashed["identityType"])}
    if kind == "email":
        return {"email": value}
    if kind in ("url", "id") and re.match(r"^(did:[a-z0-9]+:\S+|https?://\S+|urn:\S+)$", value):
        return {"recipient_id": value}
    raise _Refused(f"a plaintext {kind!s} recipient: OB 3.0 names a recipient by a hash, an email or an id (URL, DID)")


def _evidence(value: object) -> dict[str, str]:
    entries = ob2.as_list(value)
    if len(entries) > 1 + len(EVIDENCE_NUMBERS):
        raise _Refused(f"{len(entries)} evidence entries: a roster carries at most {1 + len(EVIDENCE_NUMBERS)}")
    out: dict[str, str] = {}
    for n, entry in enumerate(entries, 1):
        suffix = "" if n == 1 else f"_{n}"
        item = {"id": entry} if isinstance(entry, str) else entry if isinstance(entry, Mapping) else {}
        texts = [t.strip() for t in (item.get("narrative"), item.get("description")) if isinstance(t, str) and t.strip()]
        ident = item.get("id")
        if isinstance(ident, str) and ident.startswith(("http://", "https://")):
            out[f"evidence_url{suffix}"] = ident
        elif isinstance(ident, str) and ident:
            texts.append(f"({ident})")
        if isinstance(item.get("name"), str) and item["name"].strip():
            out[f"evidence_name{suffix}"] = item["name"].strip()
        if texts:
            out[f"evidence_narrative{suffix}"] = "\n\n".join(texts)
    return out


# -- the badge class -------------------------------------------------------------------------


def _badge_plan(badge: Mapping[str, Any], issuer: Mapping[str, Any] | None) -> BadgePlan:
    old_id = str(badge.get("id"))
    doc: dict[str, Any] = {
        "id": f"urn:uuid:{uuid.uuid5(NAMESPACE, old_id)}",
        "type": ["Achievement"],
        "name": str(badge.get("name", "")),
        "description": str(badge.get("description", "")),
        "criteria": _criteria(badge.get("criteria")),
    }
    image = _image(badge.get("image"))
    if image:
        doc["image"] = image
    tags = [t for t in ob2.as_list(badge.get("tags")) if isinstance(t, str) and t]
    if tags:
        doc["tag"] = tags
    alignment = [_alignment(a) for a in ob2.as_list(badge.get("alignment")) if isinstance(a, Mapping)]
    if [a for a in alignment if a]:
        doc["alignment"] = [a for a in alignment if a]
    issuer_id = ob2.node_id(badge.get("issuer"))
    if issuer_id:
        creator: dict[str, Any] = {"id": issuer_id, "type": ["Profile"]}
        if issuer is not None and isinstance(issuer.get("name"), str):
            creator["name"] = issuer["name"]
        doc["creator"] = creator
    doc["related"] = [{"id": old_id, "type": ["Related"]}]
    slug = _SLUG.sub("-", doc["name"].lower()).strip("-")[:40].strip("-") or "badge"
    return BadgePlan(old_id, f"{slug}-{hashlib.sha256(old_id.encode()).hexdigest()[:8]}", doc)


def _criteria(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        return {"id": value}
    out: dict[str, Any] = {}
    if isinstance(value, Mapping):
        if isinstance(value.get("id"), str):
            out["id"] = value["id"]
        if isinstance(value.get("narrative"), str):
            out["narrative"] = value["narrative"]
    return out or {"narrative": "Awarded under Open Badges 2.0; no criteria were published."}


def _image(value: object) -> dict[str, Any] | None:
    found = ob2.node_id(value)
    if not found or not found.startswith(("http://", "https://", "data:")):
        return None
    image: dict[str, Any] = {"id": found, "type": "Image"}
    if isinstance(value, Mapping) and isinstance(value.get("caption"), str):
        image["caption"] = value["caption"]
    return image


def _alignment(value: Mapping[str, Any]) -> dict[str, Any]:
    name, url = value.get("targetName"), value.get("targetUrl")
    if not isinstance(name, str) or not isinstance(url, str):
        return {}
    out: dict[str, Any] = {"type": ["Alignment"], "targetName": name, "targetUrl": url}
    for key in ("targetDescription", "targetFramework", "targetCode"):
        if isinstance(value.get(key), str):
            out[key] = value[key]
    return out

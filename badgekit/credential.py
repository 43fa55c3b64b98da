"""Build OB 3.0 ``OpenBadgeCredential`` documents (VC Data Model 2.0) from a badge class and a row.

Everything emitted is an array where OB 3.0 allows several values (the strict 1EdTech schema
requires it), and only terms that both revisions of the OB 3.0.3 context define, so the DCC /
Digital Bazaar stack (which ships the 2024-03 revision) verifies what badgekit signs.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from badgekit import roster
from badgekit._time import format_utc
from badgekit.jsonld import OB_EXTENSIONS, OB_V3, VC_V2
from badgekit.roster import RosterRow

#: A UUID without its ``urn:uuid:`` prefix: the name of a credential's file (``out/<uuid>.json``).
_BARE_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def as_credential_id(ref: str) -> str:
    """``ref`` as a credential id: the bare UUID a credential file is named by becomes
    ``urn:uuid:<uuid>`` (what badgekit issues); anything else is returned as it is."""
    return f"urn:uuid:{ref.lower()}" if _BARE_UUID.fullmatch(ref) else ref

CONTEXT = [VC_V2, OB_V3, OB_EXTENSIONS]
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]
SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"

_NUMERIC_RESULT_TYPES = roster.NUMERIC_RESULT_TYPES


def identity_hash(identifier: str, salt: str) -> str:
    """OB 3.0 IdentityHash: ``"sha256$" + hex(SHA-256(identifier + salt))``."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def identity_object(identifier: str, identity_type: str, salt: str) -> dict[str, Any]:
    """An OB 3.0 ``IdentityObject`` holding ``identifier`` hashed with ``salt`` (never in plain text)."""
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(identifier, salt),
        "identityType": identity_type,
        "hashed": True,
        "salt": salt,
    }


@dataclass(frozen=True)
class Recipient:
    """Who receives the badge: normalised email and/or another identifier (never put in plain)."""

    email: str | None = None
    subject_id: str | None = None  # a DID or URL: used as credentialSubject.id
    student_id: str | None = None
    #: (identityType, IdentityHash, salt) hashed before (roster ``identity_hash``): kept as it is
    identity: tuple[str, str, str] | None = None

    @classmethod
    def from_row(cls, values: Mapping[str, str] | RosterRow) -> Recipient:
        """The recipient of a roster row (a :class:`RosterRow`, or its values)."""
        if not isinstance(values, RosterRow):
            values = roster.typed_row(values)
        return cls(email=values.email, subject_id=values.recipient_id, student_id=values.student_id,
                   identity=values.identity)

    @property
    def key(self) -> str:
        """What makes this recipient unique for one badge class."""
        return roster.recipient_key(self.email, self.subject_id, self.student_id, self.identity)


#: identityType of a roster's student id: OB 3.0's IdentifierTypeEnum has no "studentId" (the
#: schema rejects it); an id from the student information system is a "sisSourcedId".
STUDENT_ID_TYPE = "sisSourcedId"


def build_credential(
    *,
    credential_id: str,
    issuer: Mapping[str, Any],
    achievement: Mapping[str, Any],
    recipient: Recipient,
    values: Mapping[str, str] | RosterRow,
    salt: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    status_entry: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
    evidence: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential for one recipient. ``values``: a roster row, read once
    (:func:`badgekit.roster.parse_row`), or its values (read here the same way). ``identity``:
    the subject's ``id`` / ``identifier`` as another credential of the same recipient has them
    (the same IdentityObjects, hash and salt), in place of ``recipient``'s; ``evidence``: more
    Evidence entries, after the row's.

    Raises:
        ValueError: a value :func:`badgekit.roster.validate_row` refuses (a number, a date, a
            result status that is not an OB 3.0 ResultStatusType).
    """
    row = values if isinstance(values, RosterRow) else roster.typed_row(values)
    subject = _subject(recipient, salt, identity)
    subject["achievement"] = dict(achievement)
    results = _results(achievement, row)
    if results:
        subject["result"] = results
    _subject_columns(subject, row)
    get = row.get

    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": list(CREDENTIAL_TYPE),
        "name": str(achievement.get("name", "")),
        "issuer": dict(issuer),
        "validFrom": format_utc(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = format_utc(valid_until)
    if get("earned"):
        credential["awardedDate"] = format_utc(_read(row.earned, get("earned"), roster.parse_date))
    credential["credentialSubject"] = subject
    evidence = [*_evidence(row), *(dict(e) for e in evidence)]
    if evidence:
        credential["evidence"] = evidence
    credential["credentialSchema"] = [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
    if status_entry is not None:
        credential["credentialStatus"] = dict(status_entry)
    return credential


class CredentialTemplate:
    """:func:`build_credential` for one issuer and achievement and many rows (a bulk run): what
    depends on them alone is prepared once, and every credential holds the template's own
    ``issuer`` and ``achievement`` objects (deep copies taken here, never changed: shared, so
    that the walks of :class:`badgekit.jsonld.SharedParts` over them are reused).

    :meth:`build` returns what :func:`build_credential` returns for the same arguments (equal
    dicts, same key order); ``tests/unit/test_issuing_fast_paths.py`` compares the two on
    generated rows and badge classes. Its ``context`` and ``schema`` lists are shared the same way.
    """

    def __init__(self, issuer: Mapping[str, Any], achievement: Mapping[str, Any]) -> None:
        self.issuer: dict[str, Any] = copy.deepcopy(dict(issuer))
        self.achievement: dict[str, Any] = copy.deepcopy(dict(achievement))
        self.context: list[str] = list(CONTEXT)
        self.schema: list[dict[str, Any]] = [{"id": SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
        self.name = str(self.achievement.get("name", ""))
        self.results = bool([d for d in self.achievement.get("resultDescription") or [] if isinstance(d, Mapping) and d.get("id")])
        self.stamps: dict[datetime, str] = {}  # format_utc of the moments seen (a run's few dates), bounded

    def stamp(self, when: datetime) -> str:
        """``format_utc(when)``, remembered (equal aware moments have one UTC text).

        Raises:
            ValueError: ``when`` is naive (as :func:`badgekit._time.format_utc`).
        """
        text = self.stamps.get(when)
        if text is None:
            text = format_utc(when)
            if len(self.stamps) >= 4096:
                self.stamps.clear()
            self.stamps[when] = text
        return text

    def build(
        self,
        *,
        credential_id: str,
        recipient: Recipient,
        values: RosterRow,
        salt: str,
        valid_from: datetime,
        valid_until: datetime | None = None,
        status_entry: Mapping[str, Any] | None = None,
        identity: Mapping[str, Any] | None = None,
        evidence: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """The unsigned credential :func:`build_credential` makes (``values``: a parsed row only).

        Raises:
            ValueError: as :func:`build_credential`.
        """
        row = values
        subject = _subject(recipient, salt, identity)
        subject["achievement"] = self.achievement
        if self.results:
            results = _results(self.achievement, row)
            if results:
                subject["result"] = results
        cells = row.values
        if not _SUBJECT_COLUMNS.isdisjoint(cells):
            _subject_columns(subject, row)
        credential: dict[str, Any] = {
            "@context": self.context,
            "id": credential_id,
            "type": list(CREDENTIAL_TYPE),
            "name": self.name,
            "issuer": self.issuer,
            "validFrom": self.stamp(valid_from),
        }
        if valid_until is not None:
            credential["validUntil"] = self.stamp(valid_until)
        earned = cells.get("earned")
        if earned:
            credential["awardedDate"] = self.stamp(_read(row.earned, earned, roster.parse_date))
        credential["credentialSubject"] = subject
        found = [] if _EVIDENCE_COLUMNS.isdisjoint(cells) else _evidence(row, numbered=not _NUMBERED_EVIDENCE.isdisjoint(cells))
        if evidence:
            found.extend(dict(e) for e in evidence)
        if found:
            credential["evidence"] = found
        credential["credentialSchema"] = self.schema
        if status_entry is not None:
            credential["credentialStatus"] = dict(status_entry)
        return credential


def _subject(recipient: Recipient, salt: str, identity: Mapping[str, Any] | None) -> dict[str, Any]:
    """The AchievementSubject's type, ``id`` and hashed ``identifier`` (``identity``'s, when given,
    in their place), before its achievement: the start of every credential's subject."""
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    if recipient.subject_id:
        subject["id"] = recipient.subject_id
    identifiers = []
    if recipient.email:
        identifiers.append(identity_object(recipient.email, "emailAddress", salt))
    if recipient.student_id:
        identifiers.append(identity_object(recipient.student_id, STUDENT_ID_TYPE, salt))
    if recipient.identity is not None:
        kind, hashed, old_salt = recipient.identity
        identifiers.append({"type": "IdentityObject", "identityHash": hashed, "identityType": kind, "hashed": True,
                            "salt": old_salt})
    if identifiers:
        subject["identifier"] = identifiers
    if identity is not None:
        for member in ("id", "identifier"):
            if identity.get(member):
                subject[member] = identity[member]
    return subject


def _subject_columns(subject: dict[str, Any], row: RosterRow) -> None:
    """The subject's members read from the row's own columns, as :func:`build_credential` adds them."""
    get = row.get
    if get("narrative"):
        subject["narrative"] = get("narrative")
    if get("credits_earned"):
        subject["creditsEarned"] = _read(row.credits_earned, get("credits_earned"), roster.parse_number)
    for column, parsed, prop in (("activity_start_date", row.activity_start, "activityStartDate"),
                                 ("activity_end_date", row.activity_end, "activityEndDate")):
        if get(column):
            subject[prop] = format_utc(_read(parsed, get(column), roster.parse_date))
    for column, prop in (("term", "term"), ("role", "role"), ("license_number", "licenseNumber")):
        if get(column):
            subject[prop] = get(column)


#: The columns :func:`_subject_columns` and :func:`_evidence` read (a row with none of them needs neither).
_SUBJECT_COLUMNS = frozenset(("narrative", "credits_earned", "activity_start_date", "activity_end_date", "term", "role",
                              "license_number"))
_NUMBERED_EVIDENCE = frozenset(f"evidence_{column}_{n}" for n in roster.EVIDENCE_NUMBERS for column in ("url", "name", "narrative"))
_EVIDENCE_COLUMNS = frozenset(("evidence_url", "evidence_narrative", "evidence_name", "assessor", "supervisor", "migrated_from",
                               "prior_credential")) | _NUMBERED_EVIDENCE


_T = TypeVar("_T")


def _read(parsed: _T | None, text: str | None, parse: Callable[[str], _T]) -> _T:
    """A value parsed when the row was read, else (values that were never validated, given in
    code) parsed now: raising the parser's ValueError as before."""
    if parsed is not None or text is None:
        return parsed  # type: ignore[return-value]
    return parse(text)


def _results(achievement: Mapping[str, Any], row: RosterRow) -> list[dict[str, Any]]:
    descriptions = [d for d in achievement.get("resultDescription") or [] if isinstance(d, Mapping) and d.get("id")]
    results: list[dict[str, Any]] = []
    score, level, status = row.get("score"), row.get("level"), row.get("status")
    number = row.score
    for rd in descriptions:
        rtype = rd.get("resultType")
        if rtype == "Status" and status:
            results.append({"type": ["Result"], "resultDescription": rd["id"], "status": row.status or _status(status)})
        elif rtype == "RubricCriterionLevel" and (level or score):
            levels = [lv for lv in rd.get("rubricCriterionLevel") or [] if isinstance(lv, Mapping)]
            chosen = _pick_level(levels, level, score, number)
            if chosen is not None:
                results.append({"type": ["Result"], "resultDescription": rd["id"], "achievedLevel": chosen["id"]})
                score = None if level is None else score  # score consumed as the level
        elif rtype in _NUMERIC_RESULT_TYPES and score:
            results.append({"type": ["Result"], "resultDescription": rd["id"], "value": _number_text(_read(number, score, roster.parse_number))})
            score = None
        elif rtype == "LetterGrade" and score:
            results.append({"type": ["Result"], "resultDescription": rd["id"], "value": row.grade or score})
            score = None
    return results


def _status(raw: str) -> str:
    """Result.status as OB 3.0's ResultStatusType spells it (the schema allows nothing else)."""
    status = roster.result_status(raw)
    if status is None:
        raise ValueError(f"status {raw!r} is not one of {', '.join(roster.RESULT_STATUSES)}")
    return status


def _pick_level(levels: list[Mapping[str, Any]], level: str | None, score: str | None,
                number: float | None) -> Mapping[str, Any] | None:
    if level:
        wanted = level.strip().lower()
        for lv in levels:
            if wanted in (str(lv.get("id", "")).lower(), str(lv.get("name", "")).lower(), str(lv.get("level", "")).lower()):
                return lv
        return None
    if score:
        # Levels declare their minimum as points; the highest level reached wins.
        value = _read(number, score, roster.parse_number)
        reached = [lv for lv in levels if isinstance(lv.get("points"), str) and _le(lv["points"], value)]
        return max(reached, key=lambda lv: roster.parse_number(lv["points"])) if reached else None
    return None


def _le(points: str, value: float) -> bool:
    try:
        return roster.parse_number(points) <= value
    except ValueError:
        return False


def _number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _evidence(row: RosterRow, *, numbered: bool = True) -> list[dict[str, Any]]:
    """The row's Evidence entries (``numbered``: False when the row has no ``evidence_*_N`` column)."""
    url, narrative, name, assessor, supervisor = (
        row.get(k) for k in ("evidence_url", "evidence_narrative", "evidence_name", "assessor", "supervisor"))
    out: list[dict[str, Any]] = []
    origin = row.get("migrated_from")  # the credential this one re-issues (e.g. an OB 2.0 assertion)
    if origin:
        out.append({"id": origin, "type": ["Evidence"], "name": "Original credential", "genre": "Re-issue",
                    "narrative": "The credential this one re-issues for the same recipient and achievement "
                                 "(e.g. an Open Badges 2.0 assertion migrated to Open Badges 3.0)."})
    if url or narrative or assessor or supervisor:
        item: dict[str, Any] = {}
        if url:
            item["id"] = url
        item["type"] = ["Evidence"]
        if name:
            item["name"] = name
        text = [t for t in (narrative, f"Assessed by {assessor}." if assessor else None,
                            f"Signed off by {supervisor}." if supervisor else None) if t]
        if text:
            item["narrative"] = "\n\n".join(text)
        out.append(item)
    for n in roster.EVIDENCE_NUMBERS if numbered else ():
        more = {prop: row.get(f"evidence_{column}_{n}") for column, prop in (("url", "id"), ("name", "name"), ("narrative", "narrative"))}
        if more["id"] or more["narrative"]:
            out.append({**({"id": more["id"]} if more["id"] else {}), "type": ["Evidence"],
                        **{k: v for k, v in more.items() if k != "id" and v}})
    prior = row.get("prior_credential")  # a required credential held from another issuer (issuing.PRIOR_COLUMN)
    if prior:
        out.append({"id": prior, "type": ["Evidence"], "name": "Prior credential",
                    "narrative": "A credential this achievement requires, held elsewhere and accepted by the issuer in its place."})
    return out

"""Reading a credential: its file (JSON, VC-JWT or baked image), and the facts a person reads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from badgekit import _envelope, did
from badgekit._io import as_list
from badgekit._time import stamp_or_none
from badgekit.errors import BadgekitError, InputError

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Facts:
    """What a person reads about a credential, taken from it (plain strings, not yet escaped)."""

    credential_id: str
    badge_name: str
    achievement_type: str
    description: str
    criteria: str
    criteria_url: str | None
    issuer_name: str
    issuer_id: str
    issuer_url: str | None
    issuer_email: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    awarded: datetime | None
    results: tuple[tuple[str, str], ...]  # (what, value)
    alignments: tuple[tuple[str, str | None], ...]  # (name, https URL)
    evidence: tuple[tuple[str, str | None], ...]  # (label, https URL)
    status_url: str | None
    status_purpose: str | None

    @property
    def did_document_url(self) -> str | None:
        """Where a did:web issuer's DID document (its keys) is published; None for other issuers."""
        if not self.issuer_id.startswith("did:web:"):
            return None
        try:
            return did.did_web_url(self.issuer_id)
        except BadgekitError:
            return None


# ---------------------------------------------------------------------------------------------
# reading a credential


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _https(value: object) -> str | None:
    """``value`` when it is an absolute https URL (the only links a bundle page may carry)."""
    text = _str(value)
    return text if re.fullmatch(r"https://[^\s<>\"'`]+", text) else None


def credential_facts(credential: Mapping[str, Any]) -> Facts:
    """The human-readable facts of an OB 3.0 credential (missing members become empty strings).

    Raises:
        InputError: the credential has no ``id`` or no ``credentialSubject.achievement``.
    """
    cid = _str(credential.get("id"))
    if not cid:
        raise InputError("credential: the credential has no id")
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping) or not isinstance(subject.get("achievement"), Mapping):
        raise InputError(f"{cid}: credentialSubject.achievement is missing")
    achievement: Mapping[str, Any] = subject["achievement"]
    issuer = credential.get("issuer")
    issuer_map: Mapping[str, Any] = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    raw_criteria = achievement.get("criteria")
    criteria: Mapping[str, Any] = raw_criteria if isinstance(raw_criteria, Mapping) else {}
    descriptions = {
        d.get("id"): d for d in as_list(achievement.get("resultDescription")) if isinstance(d, Mapping) and d.get("id")
    }
    results: list[tuple[str, str]] = []
    for result in as_list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        rd = descriptions.get(result.get("resultDescription"), {})
        what = _str(rd.get("name")) or "Result"
        if result.get("achievedLevel"):
            levels = {lv.get("id"): lv for lv in as_list(rd.get("rubricCriterionLevel")) if isinstance(lv, Mapping)}
            level = levels.get(result["achievedLevel"], {})
            value = _str(level.get("name")) or _str(result["achievedLevel"])
        elif result.get("value") is not None:
            value = _str(str(result["value"]))
            if rd.get("resultType") == "Percent":
                value += " %"
        else:
            value = _str(result.get("status"))
        if value:
            results.append((what, value))
    alignments = tuple(
        (_str(a.get("targetName")) + (f" ({_str(a.get('targetCode'))})" if a.get("targetCode") else ""), _https(a.get("targetUrl")))
        for a in as_list(achievement.get("alignment"))
        if isinstance(a, Mapping) and _str(a.get("targetName"))
    )
    evidence = tuple(
        (_str(e.get("name")) or _str(e.get("narrative"))[:120] or "Evidence", _https(e.get("id")))
        for e in as_list(credential.get("evidence"))
        if isinstance(e, Mapping)
    )
    status = credential.get("credentialStatus")
    status = status[0] if isinstance(status, list) and status else status
    status_map: Mapping[str, Any] = status if isinstance(status, Mapping) else {}
    return Facts(
        credential_id=cid,
        badge_name=_str(achievement.get("name")) or _str(credential.get("name")) or "Open Badge",
        achievement_type=_str(achievement.get("achievementType")).removeprefix("ext:"),
        description=_str(achievement.get("description")),
        criteria=_str(criteria.get("narrative")),
        criteria_url=_https(criteria.get("id")),
        issuer_name=_str(issuer_map.get("name")) or _str(issuer_map.get("id")),
        issuer_id=_str(issuer_map.get("id")),
        issuer_url=_https(issuer_map.get("url")),
        issuer_email=_str(issuer_map.get("email")) or None,
        valid_from=stamp_or_none(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=stamp_or_none(credential.get("validUntil") or credential.get("expirationDate")),
        awarded=stamp_or_none(credential.get("awardedDate")),
        results=tuple(results),
        alignments=alignments,
        evidence=evidence,
        status_url=_str(status_map.get("statusListCredential") or status_map.get("id")) or None,
        status_purpose=_str(status_map.get("statusPurpose")) or None,
    )


def bundle_name(credential_id: str) -> str:
    """The bundle folder name for a credential id: the UUID of a ``urn:uuid:``, else a safe slug."""
    m = re.fullmatch(r"urn:uuid:([0-9a-fA-F-]{36})", credential_id.strip())
    if m:
        return m.group(1).lower()
    slug = _SAFE_NAME.sub("-", credential_id).strip("-.")[:60]
    return f"{slug or 'credential'}-{hashlib.sha256(credential_id.encode('utf-8')).hexdigest()[:10]}"


def bundle_url(base: str | None, credential_id: str) -> str | None:
    """Where a bundle is hosted when the issuer publishes bundles under ``base`` (``…/<uuid>/``)."""
    if not base:
        return None
    return base.rstrip("/") + "/" + quote(bundle_name(credential_id)) + "/"


def read_credential(path: str | Path) -> tuple[dict[str, Any], str]:
    """A credential file as (parsed credential, exact text): JSON, a VC-JWT (``.jwt``), or a baked
    PNG/SVG badge (the text baked into it); or a run file's line (``<file>.jsonl#<line>``, what the
    ledger records for ``issue --output-mode jsonl``): see :func:`badgekit._envelope.read_path`.

    Raises:
        InputError: unreadable, no such line, not UTF-8, malformed, or not a JSON object / compact JWS.
        BakingError: an image without a usable credential.
    """
    found = _envelope.read_path(path)
    return found.credential, found.text


def is_badge_credential(credential: Mapping[str, Any]) -> bool:
    """True for an OB 3.0 achievement credential (what a bundle can show)."""
    types = as_list(credential.get("type"))
    return any(t in ("OpenBadgeCredential", "AchievementCredential") for t in types)

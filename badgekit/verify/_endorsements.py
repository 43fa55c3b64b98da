"""Check 11 (``endorsements``) [SPEC (e) 6]: every embedded ``endorsement`` /
``endorsementJwt`` (on the credential, its issuer, its achievement, the achievement's creator…)
passes checks 1-8 as an EndorsementCredential; one level deep, at most
:data:`badgekit.limits.MAX_ENDORSEMENTS`. A broken endorsement fails the credential
(docs/adr/0007)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from badgekit import _envelope
from badgekit.limits import MAX_ENDORSEMENTS, FoundEndorsement, find_endorsements
from badgekit.verify._models import (
    ENDORSEMENT_CHECKS,
    FAILED,
    INDETERMINATE,
    NO_ENDORSEMENTS,
    PASSED,
    SKIPPED,
)
from badgekit.verify._options import VerifyOptions
from badgekit.verify._state import Run
from badgekit.verify._text import as_list, one_line, short_id, text

#: Runs checks 1-8 on an embedded endorsement: (source, options, bytes) -> the finished run.
NestedRun = Callable[[str, VerifyOptions, bytes], Run]


@dataclass(frozen=True)
class EndorsementOutcome:
    path: str
    status: str
    detail: str  # why, or "verified"
    check: str | None = None  # the endorsement's first check that failed (or was indeterminate)
    issuer_id: str | None = None
    issuer_name: str | None = None
    nested: int = 0  # endorsements inside this one (not followed)
    warning: str | None = None

    @property
    def label(self) -> str:
        name, iid = self.issuer_name, self.issuer_id
        by = f"{short_id(name, 40)} ({short_id(iid, 32)})" if name and iid else short_id(name or iid)
        return f"{self.path} by {by}" if by else self.path

    def line(self, limit: int) -> str:
        detail = self.detail if len(self.detail) <= limit else self.detail[: limit - 1] + "…"
        return f"{self.label}: {self.check + ': ' if self.check else ''}{detail}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "issuerId": self.issuer_id, "issuerName": self.issuer_name, "status": self.status,
                "check": self.check, "reason": one_line(self.detail)}


def check_endorsements(run: Run, nested_run: NestedRun) -> None:
    assert run.doc is not None
    found = find_endorsements(run.doc)  # its shape may hold some (the caller, _verifier, asked)
    if not found:
        run.set("endorsements", SKIPPED, NO_ENDORSEMENTS)
        return
    if len(found) > MAX_ENDORSEMENTS:
        run.set("endorsements", FAILED, f"{len(found)} embedded endorsements; badgekit verifies at most "
                f"{MAX_ENDORSEMENTS} per credential: refused")
        return
    outcomes = [_verify_endorsement(run, e, nested_run) for e in found]
    run.summary["endorsements"] = [o.to_dict() for o in outcomes]
    nested = sum(o.nested for o in outcomes)
    note = (f"; {nested} endorsement(s) of these endorsements not followed (badgekit verifies one level)"
            if nested else "")
    # Up to 16 endorsements are named in one line: each one's detail is cut short when several
    # are listed (the summary's "endorsements" list has them in full).
    for status in (FAILED, INDETERMINATE):
        bad = [o for o in outcomes if o.status == status]
        if bad:
            head = f"{len(bad)} of {len(outcomes)} endorsements " + (
                "invalid" if status == FAILED else "cannot be decided offline")
            detail = 600 if len(bad) == 1 else 120
            run.set("endorsements", status, head + ": " + "; ".join(o.line(detail) for o in bad) + note, limit=3000)
            return
    warnings = [o.warning for o in outcomes if o.warning]
    run.set("endorsements", PASSED, f"{len(outcomes)} endorsement(s) verified: "
            + "; ".join(o.label for o in outcomes) + note
            + ("; warning: " + "; ".join(warnings) if warnings else ""), limit=3000)


def _verify_endorsement(run: Run, found: FoundEndorsement, nested_run: NestedRun) -> EndorsementOutcome:
    where = found.path
    if found.prop == "endorsementJwt":
        if not isinstance(found.value, str) or _envelope.payload_kind(found.value.strip()) != "jwt":
            return EndorsementOutcome(where, FAILED, "is not a compact JWS string")
        data = found.value.encode("utf-8")
    else:
        if not isinstance(found.value, Mapping):
            return EndorsementOutcome(where, FAILED, "is not an embedded credential (a JSON object)")
        data = json.dumps(found.value, ensure_ascii=False).encode("utf-8")
    # The same options (clock, DID documents, status lists, trust list vouching for keys),
    # but not the earner's recipient: an endorsement's subject is the thing endorsed.
    inner = nested_run(f"{run.source} {where}", replace(run.options, recipient=None), data)
    report = inner.report()
    doc = inner.doc or {}
    outcome = EndorsementOutcome(
        where, PASSED, "verified",
        issuer_id=text(report.summary.get("issuerId")), issuer_name=text(report.summary.get("issuerName")),
        nested=len(find_endorsements(doc)) if inner.doc is not None else 0,
    )
    if inner.doc is not None and "EndorsementCredential" not in as_list(doc.get("type")):
        kinds = ", ".join(str(t) for t in as_list(doc.get("type"))[:3]) or "no type"
        return replace(outcome, status=FAILED, detail=f"is not an EndorsementCredential ({kinds})")
    checks = [report.check(cid) for cid in ENDORSEMENT_CHECKS]
    for status in (FAILED, INDETERMINATE):
        bad = next((c for c in checks if c is not None and c.status == status), None)
        if bad is not None:
            return replace(outcome, status=status, check=bad.id, detail=bad.reason)
    warning = _endorsed_elsewhere(run.doc or {}, found, doc)
    return replace(outcome, warning=f"{outcome.label} {warning}" if warning else None)


def _endorsed_elsewhere(doc: Mapping[str, Any], found: FoundEndorsement, endorsement: Mapping[str, Any]) -> str | None:
    """A warning when an endorsement is about something other than what it is attached to (a
    genuine endorsement of another badge copied in), else None."""
    subject = next((s for s in as_list(endorsement.get("credentialSubject")) if isinstance(s, Mapping)), {})
    endorsed = subject.get("id")
    if not isinstance(endorsed, str):
        return None
    host_id = found.host.get("id")
    accepted = [host_id]
    if found.host is doc:  # on the credential: about the credential, its issuer or its achievement
        issuer = doc.get("issuer")
        accepted.append(issuer.get("id") if isinstance(issuer, Mapping) else issuer)
        for s in as_list(doc.get("credentialSubject")):
            achievement = s.get("achievement") if isinstance(s, Mapping) else None
            if isinstance(achievement, Mapping):
                accepted.append(achievement.get("id"))
    if endorsed in accepted:  # (a list: an id may be any JSON value in a hostile file)
        return None
    return f"endorses {short_id(endorsed)}, not the object it is attached to ({short_id(host_id) or 'no id'})"

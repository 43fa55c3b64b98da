"""Checks 7-8, whether the credential holds now [SPEC (e) 4]: ``validity`` (validFrom /
validUntil, VC 1.1 issuanceDate / expirationDate) and ``status`` (Bitstring Status List from a
supplied file: revoked or suspended fails, a missing list is indeterminate)."""

from __future__ import annotations

from datetime import datetime

from badgekit import proof
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.verify import _state
from badgekit.verify._models import FAILED, INDETERMINATE, PASSED, SKIPPED
from badgekit.verify._state import Run
from badgekit.verify._text import VC_V1, first_context, iso

# -- 7. validity -----------------------------------------------------------------------------


def check_validity(run: Run) -> None:
    assert run.doc is not None
    v1 = first_context(run.doc) == VC_V1
    start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
    bounds: dict[str, datetime | None] = {}
    for name in (start_name, end_name):
        value = run.doc.get(name)
        if value is None:
            bounds[name] = None
            continue
        try:
            bounds[name] = parse_datetime_stamp(value, field=name)
        except TimestampError as exc:
            run.set("validity", FAILED, exc.message)
            return
    start, end = bounds[start_name], bounds[end_name]
    at = iso(run.at)
    if start and end and end < start:
        run.set("validity", FAILED, f"{end_name} {iso(end)} is before {start_name} {iso(start)}")
    elif start and run.at < start:
        run.set("validity", FAILED, f"not yet valid: {start_name} is {iso(start)}, checked at {at}")
    elif end and run.at > end:
        run.set("validity", FAILED, f"expired: {end_name} was {iso(end)}, checked at {at}")
    elif start is None and not v1:
        run.set("validity", FAILED, "the credential has no validFrom (required by OB 3.0)")
    else:
        span = f"from {iso(start)}" if start else "no start date"
        span += f" until {iso(end)}" if end else ", no expiry"
        run.set("validity", PASSED, f"valid at {at} ({span})")


# -- 8. status -------------------------------------------------------------------------------


#: An SD-JWT VC's ``status`` claim (draft-ietf-oauth-sd-jwt-vc): a Token Status List, not read here.
TOKEN_STATUS = ("the SD-JWT VC's status claim names a Token Status List (draft-ietf-oauth-status-list), "
                "which badgekit does not check: not checkable here, not disproven")


def check_status(run: Run) -> None:
    assert run.doc is not None
    token_status = run.disclosures is not None and "status" in run.disclosures.payload
    if not run.doc.get("credentialStatus"):
        if token_status:
            run.set("status", INDETERMINATE, TOKEN_STATUS)
            return
        run.set("status", SKIPPED, "the credential has no credentialStatus (the issuer publishes no revocation)")
        return
    # start-up: status lists (bitstrings, zlib) only for a credential that has a credentialStatus
    from badgekit import status

    options = run.options
    results = status.check_status(
        run.doc,
        options.status_lists,
        now=run.at,
        resolver=proof.default_resolver(options.did_documents),
        loader=options.loader,
        memo=options.memo if _state.FAST_PATHS else None,  # the reference shares nothing between credentials
    )
    if not results:
        run.set("status", INDETERMINATE, "credentialStatus could not be checked")
        return
    parts = []
    worst = PASSED
    for r in results:
        if r.state in ("revoked", "suspended", "invalid"):
            worst = FAILED
        elif r.state != "valid" and worst != FAILED:
            worst = INDETERMINATE
        reason = r.reason or (f"{r.purpose}: {r.state}" if r.purpose else r.state)
        if r.list_url is not None and r.list_url in options.provenance:
            reason += f" (list {options.provenance[r.list_url]})"
        parts.append(reason)
    if token_status:
        worst = FAILED if worst == FAILED else INDETERMINATE
        parts.append(TOKEN_STATUS)
    run.set("status", worst, "; ".join(parts))

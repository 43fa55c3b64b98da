"""Checks 9-10, what the verifier asks of the credential (:mod:`badgekit.verify._policy`):
``trust`` (optional: the issuer is on a local trust list) and ``recipient`` (optional: the
credential was issued to this email address, URL, phone number or DID) [SPEC (e) 5]."""

from __future__ import annotations

from typing import TYPE_CHECKING

from badgekit.verify._models import FAILED, INDETERMINATE, PASSED, SKIPPED
from badgekit.verify._state import Run
from badgekit.verify._text import one_line, subjects_of

if TYPE_CHECKING:
    from badgekit.verify._policy import Evidence


def _evidence(run: Run) -> Evidence:
    """The credential and its issuer's keys: of a proof set or chain, those of the issuer's own
    proofs (check 5), not the extra signatures; when none was shown to be the issuer's, all."""
    assert run.doc is not None
    # start-up: the policy classes load only when a trust list or a recipient is checked
    from badgekit.verify._policy import Evidence

    keys = [k for k in run.keys if k.status == PASSED and k.issuer] or run.keys
    return Evidence(run.doc, run.issuer_id(), tuple(frozenset(k.fingerprints) for k in keys))


# -- 9. trust --------------------------------------------------------------------------------


def check_trust(run: Run) -> None:
    if run.options.trust is None:
        run.set("trust", SKIPPED, "no trust list given (--trust)")
        return
    from badgekit.verify._policy import IssuerTrusted  # start-up: see _evidence

    result = IssuerTrusted(run.options.trust).check(_evidence(run))
    run.set("trust", result.status, result.reason)


# -- 10. recipient ---------------------------------------------------------------------------


def recipient_wanted(run: Run, *, not_authentic: str) -> str | None:
    """The recipient check 10 looks for (``--recipient``), or None when that already decides it:
    none given (skipped), an empty one (failed), a signature that did not verify (skipped, saying
    ``not_authentic``). OB 3.0 credentials and OB 2.0 assertions (:mod:`._ob2`) alike."""
    wanted = run.options.recipient
    if wanted is None:
        run.set("recipient", SKIPPED, "no recipient given (--recipient)")
        return None
    if not wanted.strip():
        run.set("recipient", FAILED, "the recipient to check for is empty")
        return None
    if run.status("signature") not in (PASSED, INDETERMINATE):
        # Matching names in a credential whose signature failed would vouch for forged data.
        run.set("recipient", SKIPPED, not_authentic)
        return None
    return wanted


def check_recipient(run: Run) -> None:
    wanted = recipient_wanted(run, not_authentic="the recipient fields are not authentic unless the signature "
                              "verifies (check 6)")
    if wanted is None:
        return
    assert run.doc is not None
    hidden = run.withheld("credentialSubject")  # an SD-JWT VC whose holder kept subject claims back
    if not any("id" in s or s.get("identifier") for s in subjects_of(run.doc)) and not hidden:
        # Check 2 already fails a credential that names no recipient.
        status = SKIPPED if run.status("schema") == FAILED else FAILED
        run.set("recipient", status, "the credential names no recipient (no credentialSubject id or identifier)")
        return
    from badgekit.verify._policy import IssuedTo  # start-up: see _evidence

    result = IssuedTo(wanted, shown=one_line(wanted, 200)).check(_evidence(run))
    if result.status == FAILED and hidden:
        run.set("recipient", INDETERMINATE, f"{result.reason}; the holder did not disclose every claim of "
                "credentialSubject (SD-JWT VC), so an undisclosed one may name it")
        return
    run.set("recipient", result.status, result.reason)

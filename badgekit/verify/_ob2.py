"""An Open Badges 2.0 assertion in ``badgekit verify``: checks 1-8 by :mod:`badgekit.ob2` (with
the OB 2.0 documents supplied in :class:`VerifyOptions`), then 9-11 as for OB 3.0: the trust list
(the issuer, and for a signed assertion its key's JWK thumbprint), the recipient (the OB 2.0
IdentityObject read as an OB 3.0 one: same hash, same salt), and endorsements (not embedded in
OB 2.0 assertions: skipped). Loaded only when check 1 meets an OB 2.0 assertion."""

from __future__ import annotations

from badgekit import ob2
from badgekit.verify._checks_policy import recipient_wanted
from badgekit.verify._models import FAILED, SKIPPED
from badgekit.verify._policy import Evidence, IssuedTo, IssuerTrusted
from badgekit.verify._state import Run
from badgekit.verify._text import one_line


def run_ob2_checks(run: Run, text: str, form: str, size: int) -> None:
    """Decide the OB 2.0 assertion stored as ``text`` (found by check 1 in ``form``, ``size``
    bytes read): every check's result goes into ``run``."""
    if run.endorsement:
        run.set("parse", FAILED, "an Open Badges 2.0 assertion, not an EndorsementCredential")
        run.skip_rest("not an endorsement (check 1)")
        return
    options = run.options
    documents = ob2.Documents(options.ob2_documents, options.provenance)
    found = ob2.verify_text(text, form=form, documents=documents, at=run.at, max_bytes=options.max_bytes, size=size)
    for check in found.checks:
        run.set(check.id, check.status, check.reason)
    run.summary.update(found.summary)
    evidence = _evidence(found)
    # 9. optional issuer trust list (the issuer, and the signing key when the list names keys)
    if options.trust is None:
        run.set("trust", SKIPPED, "no trust list given (--trust)")
    elif evidence is None:
        run.set("trust", SKIPPED, "the issuer is not known (check 2)")
    else:
        result = IssuerTrusted(options.trust).check(evidence)
        run.set("trust", result.status, result.reason)
    # 10. optional recipient: the IdentityObject's hash recomputed with its salt
    _recipient(run, found, evidence)
    # 11. endorsements: OB 2.0 Endorsements are documents of their own, never embedded
    run.set("endorsements", SKIPPED, "an Open Badges 2.0 assertion embeds no endorsement credentials")


def _evidence(found: ob2.Verification) -> Evidence | None:
    doc = found.assertion if found.assertion is not None and not found.revoked else found.held
    issuer = found.summary.get("issuerId")
    if doc is None or issuer is None:
        return None
    recipient = doc.get("recipient")
    subject = {"identifier": [ob2.as_identifier(recipient)]} if isinstance(recipient, dict) else {}
    keys = (found.key_fingerprints,) if found.key_fingerprints else ()
    return Evidence({"credentialSubject": [subject]}, issuer, keys)


def _recipient(run: Run, found: ob2.Verification, evidence: Evidence | None) -> None:
    wanted = recipient_wanted(run, not_authentic="the recipient is not authentic unless the signature or hosted "
                              "copy checks out (check 6)")
    if wanted is None:
        return
    doc = found.assertion if found.assertion is not None and not found.revoked else found.held
    if doc is None or not isinstance(doc.get("recipient"), dict):
        run.set("recipient", SKIPPED, "the assertion names no recipient (check 2)")
        return
    subject = {"credentialSubject": [{"identifier": [ob2.as_identifier(doc["recipient"])]}]}
    result = IssuedTo(wanted, shown=one_line(wanted, 200)).check(Evidence(subject, evidence.issuer if evidence else None))
    reason = result.reason.replace("credentialSubject.identifier[0]", "recipient").replace("the credential was", "the assertion was")
    run.set("recipient", result.status, reason)

"""The verifier: the 11 checks in order, each numbered as in the README and SPEC (e), and the
entry points that verify bytes, a parsed credential or a file."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from badgekit._io import read_bounded
from badgekit.errors import BadgekitError
from badgekit.verify._checks_document import check_contexts, check_parse, check_schema, fill_summary
from badgekit.verify._checks_policy import check_recipient, check_trust
from badgekit.verify._checks_proof import check_issuer_key, check_proof_structure, check_signature
from badgekit.verify._checks_time import check_status, check_validity
from badgekit.verify._models import (
    CHECKS,
    FAILED,
    NO_BADGE,
    NO_ENDORSEMENTS,
    PASSED,
    SKIPPED,
    VerificationReport,
)
from badgekit.verify._options import VerifyOptions
from badgekit.verify._state import Run


def run_checks(run: Run, data: bytes) -> Run:
    """Run the checks on ``data`` in order; a check that needs an earlier one that failed is
    skipped with the reason. An endorsement run stops after check 8 (ENDORSEMENT_CHECKS)."""
    # 1. parse (and extraction from a baked image)
    run.guarded("parse", lambda r: check_parse(r, data))
    if run.ob2 is not None:
        # start-up: the OB 2.0 reader loads only when an Open Badges 2.0 assertion is met
        from badgekit.verify._ob2 import run_ob2_checks

        run_ob2_checks(run, *run.ob2)
        return run
    if run.status("parse") != PASSED or run.doc is None:
        run.skip_rest("the credential could not be read (check 1)")
        return run
    fill_summary(run)
    # 2. structure and OB 3.0 JSON Schema                                  [SPEC (e) 1]
    run.guarded("schema", check_schema)
    # 3. contexts: pinned, bundled, ordered; safe-mode expansion; bounded RDFC-1.0
    run.guarded("contexts", check_contexts)
    # 4. proof structure (Data Integrity, or VC-JWT header and claims)     [SPEC (e) 2]
    run.guarded("proof-structure", check_proof_structure)
    # 5. issuer key: resolved offline and controlled by the issuer         [SPEC (e) 2]
    run.guarded("issuer-key", check_issuer_key)
    # 6. signature                                                         [SPEC (e) 2]
    run.guarded("signature", check_signature)
    # 7. validity period                                                   [SPEC (e) 4]
    run.guarded("validity", check_validity)
    # 8. status (Bitstring Status List from a supplied file)               [SPEC (e) 4]
    run.guarded("status", check_status)
    if run.endorsement:  # an embedded endorsement: checks 1-8 only (ENDORSEMENT_CHECKS)
        return run
    # 9. optional issuer trust list
    run.guarded("trust", check_trust)
    # 10. optional recipient: credentialSubject.id or an IdentityObject matches   [SPEC (e) 5]
    run.guarded("recipient", check_recipient)
    # 11. embedded endorsements, one level deep                                   [SPEC (e) 6]
    run.guarded("endorsements", _check_endorsements)
    return run


def _check_endorsements(run: Run) -> None:
    if not run.may_hold_keys("endorsement", "endorsementJwt"):  # known from the document's shape
        run.set("endorsements", SKIPPED, NO_ENDORSEMENTS)
        return
    # start-up: the endorsement checks load only for a credential that may hold endorsements
    from badgekit.verify._endorsements import check_endorsements

    check_endorsements(run, _endorsement_run)


def _endorsement_run(source: str, options: VerifyOptions, data: bytes) -> Run:
    return run_checks(Run(source, options, endorsement=True), data)


def verify_bytes(data: bytes, *, source: str = "<bytes>", options: VerifyOptions | None = None,
                 skip_unbaked: bool = False) -> VerificationReport:
    """Verify a credential given as bytes. Never raises for a bad credential.

    ``skip_unbaked``: a PNG or SVG with no credential baked in at all (not a damaged one) gets the
    verdict ``skipped`` rather than ``invalid`` (an image found in a folder: a QR code, a logo).
    """
    run = run_checks(Run(source, options or VerifyOptions()), data)
    if skip_unbaked and run.nothing_baked:
        return _skipped(run, data)
    return run.report()


def _skipped(run: Run, data: bytes) -> VerificationReport:
    """The report of an image with no badge baked in: check 1 skipped with what it found, the rest
    skipped as :data:`NO_BADGE`, verdict ``skipped``."""
    # start-up: loaded already, by check 1's extraction
    from badgekit.baking import detect

    parse = run.set("parse", SKIPPED, run.results["parse"].reason)
    rest = [run.set(cid, SKIPPED, NO_BADGE) for cid, _ in CHECKS[1:]]
    return VerificationReport(run.source, (parse, *rest), {**run.summary, "format": detect(data)}, SKIPPED)


def verify_credential(credential: Mapping[str, Any], *, source: str = "<credential>",
                      options: VerifyOptions | None = None) -> VerificationReport:
    """Verify an already parsed JSON credential (embedded proof). Never raises for a bad one."""
    return verify_bytes(json.dumps(credential).encode("utf-8"), source=source, options=options)


def verify_path(path: str | os.PathLike[str], options: VerifyOptions | None = None, *,
                skip_unbaked: bool = False) -> VerificationReport:
    """Verify one file (JSON credential, baked PNG or SVG, or compact JWS).

    Never raises for a bad, hostile or unreadable file: the ``parse`` check fails instead.
    ``skip_unbaked``: see :func:`verify_bytes`.
    """
    options = options or VerifyOptions()
    try:
        data = read_bounded(path, limit=options.max_bytes)
    except BadgekitError as exc:
        return unreadable(str(path), exc.message, options)
    return verify_bytes(data, source=str(path), options=options, skip_unbaked=skip_unbaked)


def unreadable(source: str, reason: str, options: VerifyOptions, why: str = "the file could not be read") -> VerificationReport:
    """The report of a source that could not be read: ``parse`` failed with ``reason``, the rest skipped."""
    run = Run(source, options)
    run.set("parse", FAILED, reason)
    run.skip_rest(why)
    return run.report()

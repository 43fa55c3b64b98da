"""Offline verification of Open Badges 3.0 credentials: ordered checks -> :class:`VerificationReport`.

An earner with no network gets one of three verdicts: **valid**, **invalid** (a check failed, and
the report says which and why) or **indeterminate** (nothing failed, but something could not be
decided offline, and the report says what is missing). Verification failure is a returned report;
an exception means badgekit could not run (a bug, or a bad option such as an unreadable trust file).

    >>> from badgekit.verify import TrustList, VerifyOptions, verify_path
    >>> report = verify_path("tests/vectors/1edtech-validator-ob30/simple.json")
    >>> report.verdict, report.check("signature").status, report.check("issuer-key").status
    ('indeterminate', 'passed', 'indeterminate')
    >>> trust = TrustList.load("tests/vectors/1edtech-trust.json")
    >>> bool(verify_path("tests/vectors/1edtech-validator-ob30/simple.json", VerifyOptions(trust=trust)))
    True

The checks run in this order; the numbers are stable and match the comments in
``_verifier.run_checks`` (issue 6 order; SPEC (e) numbers in brackets), one module per group:
``_checks_document`` (1-3), ``_checks_proof`` (4-6), ``_checks_time`` (7-8), ``_checks_policy``
(9-10, deciding with the policy objects of ``_policy``), ``_endorsements`` (11):

1. ``parse``            read the bytes (bounded), extract from a baked PNG/SVG, parse JSON, a
                        compact JWS or an SD-JWT (its disclosures put back; bounded depth).
2. ``schema``           OB 3.0 JSON Schema (bundled 1EdTech schema) [e1]; the subject has ``id``
                        or ``identifier`` [e1].
3. ``contexts``         every ``@context`` is a pinned, bundled URL in the required order; JSON-LD
                        expansion in "safe mode" drops no term; the JSON says what the RDF says (no
                        keyword but ``@context``, no IRI as a property name, no repeated array
                        entry, no node described with members left out in one place); RDFC-1.0
                        work is bounded.
4. ``proof-structure``  DataIntegrityProof ``eddsa-rdfc-2022`` / ``assertionMethod`` (legacy
                        Ed25519Signature2020 and ``eddsa-2022`` accepted), created by and not
                        expired at the verification time, or a VC-JWT header and claims that agree
                        with the credential, or an SD-JWT VC's header, claims, disclosures (RFC
                        9901 §7.1) and key binding JWT [e2].
5. ``issuer-key``       the signing key resolves offline (did:key, or a supplied DID document)
                        and belongs to the issuer [e2].
6. ``signature``        the signature verifies [e2].
7. ``validity``         validFrom/validUntil (VC 1.1: issuanceDate/expirationDate) against now or
                        ``--at`` [e4].
8. ``status``           Bitstring Status List from a supplied file: revoked or suspended fails,
                        a missing list is indeterminate — never "not revoked" [e4].
9. ``trust``            optional: the issuer is on a local trust list.
10. ``recipient``       optional (``VerifyOptions.recipient``): the credential was issued to this
                        email address, URL, phone number or DID: ``credentialSubject.id`` or an
                        ``identifier`` IdentityObject (hash recomputed) matches [e5].
11. ``endorsements``    every embedded ``endorsement`` / ``endorsementJwt`` (on the credential, its
                        issuer, its achievement, the achievement's creator…) passes checks 1-8
                        as an EndorsementCredential; one level deep, at most
                        :data:`MAX_ENDORSEMENTS` [e6]. A broken endorsement fails the credential
                        (docs/adr/0007).

A check that needs an earlier check that failed is ``skipped`` with the reason. A fourth verdict,
``skipped`` (exit code 0), is given only by :func:`verify_paths` to a PNG or SVG found in a folder
with no badge baked in at all (a QR code, a logo: :data:`NO_BADGE`). Proof sets: every
proof of a suite badgekit knows must verify and at least one must exist; proofs of unknown types
are ignored (OB 3.0: "a verifier may accept any one").

Nothing here fetches. Stored credentials are read by :mod:`badgekit._envelope` (every form);
results are :mod:`._models`; folders and worker processes are :mod:`._paths`. PyLD and the JSON
Schema validator load on first use (see their modules), so ``badgekit verify`` starts fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from badgekit.limits import (
    MAX_ENDORSEMENTS,
    MAX_JSON_OBJECTS,
    MAX_JSON_VALUES,
    MAX_PROOFS,
    FoundEndorsement,
    find_endorsements,
)
from badgekit.verify._canon import canonize_bounded
from badgekit.verify._models import (
    CHECK_NUMBERS,
    CHECKS,
    ENDORSEMENT_CHECKS,
    FAILED,
    INDETERMINATE,
    INVALID,
    NO_BADGE,
    PASSED,
    SKIPPED,
    VALID,
    CheckResult,
    VerificationReport,
    verdict_exit_code,
    verdict_of,
    worst_exit_code,
    worst_verdict_exit_code,
)
from badgekit.verify._options import VerifyOptions, load_did_documents, parse_timestamp
from badgekit.verify._paths import (
    CREDENTIAL_SUFFIXES,
    PARALLEL_CHUNK,
    PARALLEL_MIN_FILES,
    expand_paths,
    verify_paths,
)
from badgekit.verify._recipient import recipient_match
from badgekit.verify._verifier import verify_bytes, verify_credential, verify_path

if TYPE_CHECKING:
    from badgekit.verify._policy import (
        Evidence,
        IssuedTo,
        IssuerTrusted,
        Policy,
        PolicyResult,
        TrustedIssuer,
        TrustList,
        normalise_key,
    )
    from badgekit.verify._policy_sets import AllOf, AnyOf

#: What :mod:`badgekit.verify._policy` and :mod:`badgekit.verify._policy_sets` export here, by
#: module: loaded on first use (a trust list, a recipient, a library caller composing policies),
#: not at every start of ``badgekit verify`` (ADR 10: ~25 M instructions of dataclasses).
_LAZY_NAMES = {
    **dict.fromkeys(("Evidence", "IssuedTo", "IssuerTrusted", "Policy", "PolicyResult", "TrustedIssuer",
                     "TrustList", "normalise_key"), "_policy"),
    **dict.fromkeys(("AllOf", "AnyOf"), "_policy_sets"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY_NAMES.get(name)
    if module is not None:
        # start-up: the policy dataclasses only when a caller asks for one of them
        import importlib

        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "CHECKS",
    "CHECK_NUMBERS",
    "CREDENTIAL_SUFFIXES",
    "ENDORSEMENT_CHECKS",
    "FAILED",
    "INDETERMINATE",
    "INVALID",
    "MAX_ENDORSEMENTS",
    "MAX_JSON_OBJECTS",
    "MAX_JSON_VALUES",
    "MAX_PROOFS",
    "NO_BADGE",
    "PARALLEL_CHUNK",
    "PARALLEL_MIN_FILES",
    "PASSED",
    "SKIPPED",
    "VALID",
    "AllOf",
    "AnyOf",
    "CheckResult",
    "Evidence",
    "FoundEndorsement",
    "IssuedTo",
    "IssuerTrusted",
    "Policy",
    "PolicyResult",
    "TrustList",
    "TrustedIssuer",
    "VerificationReport",
    "VerifyOptions",
    "canonize_bounded",
    "expand_paths",
    "find_endorsements",
    "load_did_documents",
    "normalise_key",
    "parse_timestamp",
    "recipient_match",
    "verdict_exit_code",
    "verdict_of",
    "verify_bytes",
    "verify_credential",
    "verify_path",
    "verify_paths",
    "worst_exit_code",
    "worst_verdict_exit_code",
]

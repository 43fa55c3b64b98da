"""What verification returns: the check ids and statuses, :class:`CheckResult` and
:class:`VerificationReport`, and how verdicts become exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from badgekit.errors import ExitCode

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
INDETERMINATE = "indeterminate"

VALID = "valid"
INVALID = "invalid"
#: The verdict ``skipped`` (:data:`SKIPPED`, exit code 0): an image found in a folder with no
#: credential baked in at all (:func:`badgekit.verify.verify_paths` ``found``); every check skipped.
NO_BADGE = "an image with no badge baked in"

#: Stable check ids and their numbers (documented in the README; used by ``--json``).
CHECKS: tuple[tuple[str, int], ...] = (
    ("parse", 1),
    ("schema", 2),
    ("contexts", 3),
    ("proof-structure", 4),
    ("issuer-key", 5),
    ("signature", 6),
    ("validity", 7),
    ("status", 8),
    ("trust", 9),
    ("recipient", 10),
    ("endorsements", 11),
)
CHECK_NUMBERS = dict(CHECKS)

#: The checks an embedded endorsement must pass (trust is about the credential's issuer; the
#: recipient is the earner's; endorsements of an endorsement are not followed).
ENDORSEMENT_CHECKS = ("parse", "schema", "contexts", "proof-structure", "issuer-key", "signature", "validity", "status")
#: Check 11 skipped: what it says of a credential without embedded endorsements.
NO_ENDORSEMENTS = "the credential carries no embedded endorsements"


@dataclass(frozen=True)
class CheckResult:
    """One numbered check: ``passed``, ``failed``, ``skipped`` or ``indeterminate``, and why."""

    id: str
    number: int
    status: str
    reason: str

    def __bool__(self) -> bool:
        return self.status == PASSED

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class VerificationReport:
    """The outcome of verifying one file. True only when the verdict is ``valid``; the others are
    ``invalid``, ``indeterminate``, and ``skipped`` (an image in a folder with no badge baked in).

    ``summary`` holds what a person wants to see first: ``format`` (json, png, svg, jwt, sd-jwt),
    ``securing`` (embedded-proof, vc-jwt, vc+jwt, sd-jwt-vc; an SD-JWT VC adds ``disclosed``, the
    paths of the claims disclosed, and ``undisclosed``, how many digests were left without one),
    ``credentialId``, ``name``, ``issuerId``,
    ``issuerName``, ``recipient`` (identity type, e.g. "emailAddress (hashed)"),
    ``achievementName``, ``achievementType``, ``validFrom``, ``validUntil``, ``notChecked``, and
    with embedded endorsements ``endorsements`` (one ``{path, issuerId, issuerName, status,
    check, reason}`` per endorsement, check 11).
    """

    source: str
    checks: tuple[CheckResult, ...]
    summary: dict[str, Any]
    verdict: str

    def __bool__(self) -> bool:
        return self.verdict == VALID

    @property
    def exit_code(self) -> ExitCode:
        return verdict_exit_code(self.verdict)

    def check(self, check_id: str) -> CheckResult | None:
        return next((c for c in self.checks if c.id == check_id), None)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(c for c in self.checks if c.status == FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "verdict": self.verdict,
            "exitCode": int(self.exit_code),
            "summary": dict(self.summary),
            "checks": [c.to_dict() for c in self.checks],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def to_json_line(self) -> str:
        """``json.dumps(self.to_dict(), ensure_ascii=False)`` (the ``--jsonl`` line), with the text
        of each check taken from :func:`check_json` (most reasons repeat across a run's files)."""
        return (f'{{"source": {_dumps(self.source)}, "verdict": {_dumps(self.verdict)}, '
                f'"exitCode": {int(_EXIT_CODES[self.verdict])}, "summary": {_dumps(self.summary)}, '
                f'"checks": [{", ".join([check_json(c) for c in self.checks])}]}}')


#: ``json.dumps(value, ensure_ascii=False)`` without a new encoder per call (what json.dumps
#: builds for any non-default argument).
_dumps = json.JSONEncoder(ensure_ascii=False).encode


#: JSON text of check results seen (:func:`check_json`); cleared when it holds this many.
_MAX_CHECK_JSON = 4096
_CHECK_JSON: dict[tuple[str, int, str, str], str] = {}


def check_json(check: CheckResult) -> str:
    """``json.dumps(check.to_dict(), ensure_ascii=False)``, remembered by the check's values
    (bounded): the text depends on nothing else."""
    key = (check.id, check.number, check.status, check.reason)
    text = _CHECK_JSON.get(key)
    if text is None:
        if len(_CHECK_JSON) >= _MAX_CHECK_JSON:
            _CHECK_JSON.clear()
        text = _CHECK_JSON[key] = _dumps(check.to_dict())
    return text


def verdict_of(checks: Iterable[CheckResult]) -> str:
    """``invalid`` if any check failed, else ``indeterminate`` if any was, else ``valid``."""
    statuses = {c.status for c in checks}
    if FAILED in statuses:
        return INVALID
    if INDETERMINATE in statuses:
        return INDETERMINATE
    return VALID


def verdict_exit_code(verdict: str) -> ExitCode:
    """Exit code for one verdict: valid 0, invalid 1, indeterminate 3, skipped 0."""
    return _EXIT_CODES[verdict]


_EXIT_CODES = {VALID: ExitCode.OK, INVALID: ExitCode.FAILED, INDETERMINATE: ExitCode.INDETERMINATE, SKIPPED: ExitCode.OK}


def worst_exit_code(reports: Iterable[VerificationReport]) -> ExitCode:
    """Exit code for several reports: any invalid (1) beats any indeterminate (3) beats valid (0)."""
    return worst_verdict_exit_code(r.verdict for r in reports)


def worst_verdict_exit_code(verdicts: Iterable[str]) -> ExitCode:
    """:func:`worst_exit_code` from the verdicts alone (a stream of reports need not be kept)."""
    verdicts = set(verdicts)
    if INVALID in verdicts:
        return ExitCode.FAILED
    if INDETERMINATE in verdicts:
        return ExitCode.INDETERMINATE
    return ExitCode.OK

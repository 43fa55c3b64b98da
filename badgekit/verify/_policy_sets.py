"""``AllOf`` and ``AnyOf``: policies (:mod:`badgekit.verify._policy`) composed by a library caller.
Apart from the trust list and recipient policies, which ``badgekit verify --trust`` /
``--recipient`` load, so that those do not create these two dataclasses (start-up, ADR 10)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from badgekit.verify._models import FAILED, INDETERMINATE, PASSED
from badgekit.verify._policy import Evidence, Policy, PolicyResult


@dataclass(frozen=True)
class AllOf:
    """Passes when every policy passes; else the first failure, or the first indeterminate one."""

    policies: Sequence[Policy]

    def check(self, evidence: Evidence) -> PolicyResult:
        if not self.policies:  # never "passed" with nothing checked
            return PolicyResult(FAILED, "no policy to check")
        results = [p.check(evidence) for p in self.policies]
        for status in (FAILED, INDETERMINATE):
            bad = next((r for r in results if r.status == status), None)
            if bad is not None:
                return bad
        return PolicyResult(PASSED, "; ".join(r.reason for r in results))


@dataclass(frozen=True)
class AnyOf:
    """Passes when one policy passes (the first that does); else indeterminate if one was,
    else failed, naming every reason."""

    policies: Sequence[Policy]

    def check(self, evidence: Evidence) -> PolicyResult:
        results = []
        for policy in self.policies:
            result = policy.check(evidence)
            if result:
                return result
            results.append(result)
        status = INDETERMINATE if any(r.status == INDETERMINATE for r in results) else FAILED
        return PolicyResult(status, "none of: " + "; ".join(r.reason for r in results) if results else "no policy to check")

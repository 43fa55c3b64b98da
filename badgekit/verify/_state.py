"""The state one verification shares between its numbered checks (:class:`Run`), and what
check 5 learns about each proof's key (:class:`ProofKey`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import TYPE_CHECKING, Any

from badgekit._io import JsonShape
from badgekit._time import utc_now
from badgekit.errors import BadgekitError, NoBakedCredential
from badgekit.limits import BIG, count_objects
from badgekit.verify._canon import CanonCache
from badgekit.verify._models import (
    CHECK_NUMBERS,
    CHECKS,
    FAILED,
    INDETERMINATE,
    PASSED,
    SKIPPED,
    CheckResult,
    VerificationReport,
    verdict_of,
)
from badgekit.verify._options import VerifyOptions
from badgekit.verify._text import one_line

if TYPE_CHECKING:
    from badgekit import jwt, sdjwt

#: The fast paths of verification: one walk of the parsed credential (:class:`JsonShape`) tells
#: the checks which of their own walks can find nothing, check 6 reuses check 3's canonical form,
#: the credentials of one run share what is decided about a status list and about a proof's key
#: (check 5), and equal check results are one object. False: every check walks the document
#: itself and nothing is reused (the reference that
#: tests/unit/test_verify_fast_paths.py compares every report with).
FAST_PATHS = True


#: Check results made (:meth:`Run.set`), by what made them: most reasons repeat word for word from
#: one credential to the next, and a result (frozen) depends on nothing else. Cleared when full.
_RESULTS: dict[tuple[str, str, str, int], CheckResult] = {}
_MAX_RESULTS = 4096


@dataclass
class ProofKey:
    """What check 5 learned about one proof's key, for checks 6 and 9. ``status`` passed with
    ``issuer`` False: a usable key of someone else (a co-signer's proof in a set or chain)."""

    index: int
    status: str
    reason: str
    public_key: bytes | jwt.JwtKey | None = None  # Ed25519 public key bytes, or an RS256/ES256 JWK's key
    fingerprints: set[str] = field(default_factory=set)
    issuer: bool = True


class Run:
    """One verification: the options, the clock, what the checks found, and their results.

    ``endorsement``: this run verifies an endorsement embedded in another credential (check 11):
    it stops after check 8 (see :data:`ENDORSEMENT_CHECKS`).
    """

    #: Check 1 found an image with no credential baked in at all (:class:`NoBakedCredential`).
    nothing_baked = False

    def __init__(self, source: str, options: VerifyOptions, *, endorsement: bool = False) -> None:
        self.source = source
        self.options = options
        self.endorsement = endorsement
        self.at = (options.at or utc_now()).astimezone(UTC)
        self.results: dict[str, CheckResult] = {}
        self.summary: dict[str, Any] = {"format": None, "securing": None}
        self.doc: dict[str, Any] | None = None
        self.shape: JsonShape | None = None  # of doc, from the walk that parsed it (None: walk it again)
        self.jws: jwt.CompactJws | None = None  # for a VC-JWT (and an SD-JWT VC's issuer-signed JWT)
        self.securing: str | None = None  # how the credential is secured (badgekit._envelope.Envelope.securing)
        self.sd: sdjwt.SdJwt | None = None  # for an SD-JWT VC, with its claims as presented:
        self.disclosures: sdjwt.Processed | None = None
        self.proofs: list[tuple[int, Mapping[str, Any]]] = []  # known-suite proofs to check
        self.ignored_proofs: list[str] = []
        #: Every proof of the document, and the numbers of those not checked (unknown suites): a
        #: chained proof stands only if the proofs it names do (badgekit.proofsets).
        self.all_proofs: list[Any] = []
        self.unchecked: set[int] = set()
        self.keys: list[ProofKey] = []
        self.canon = CanonCache(reuse=FAST_PATHS)  # the unsigned document's RDFC-1.0 form, computed once (checks 3, 6)
        #: An Open Badges 2.0 assertion found by check 1 (its stored text and form): the OB 2.0
        #: checks (:mod:`badgekit.verify._ob2`) decide it instead of checks 2-11.
        self.ob2: tuple[str, str, int] | None = None

    def set(self, check_id: str, status: str, reason: str, *, limit: int = 600) -> CheckResult:
        key = (check_id, status, reason, limit)
        result = _RESULTS.get(key) if FAST_PATHS else None
        if result is None:
            result = CheckResult(check_id, CHECK_NUMBERS[check_id], status, one_line(reason, limit))
            if FAST_PATHS:
                if len(_RESULTS) >= _MAX_RESULTS:
                    _RESULTS.clear()
                _RESULTS[key] = result
        self.results[check_id] = result
        return result

    def status(self, check_id: str) -> str | None:
        r = self.results.get(check_id)
        return r.status if r is not None else None  # a CheckResult is falsy unless it passed

    def guarded(self, check_id: str, fn: Callable[[Run], None]) -> None:
        # A hostile file must never crash the verifier nor come out "valid" through a bug: any
        # unexpected error fails the check that hit it, naming the error.
        try:
            fn(self)
        except BadgekitError as exc:
            self.set(check_id, FAILED, exc.message)
            if isinstance(exc, NoBakedCredential):
                self.nothing_baked = True
        except RecursionError:
            self.set(check_id, FAILED, "input nested too deeply to process")
        except Exception as exc:  # noqa: BLE001 - see above
            self.set(check_id, FAILED, f"could not process the credential ({type(exc).__name__}: {exc})")
        if check_id not in self.results:  # pragma: no cover - every check sets a result
            self.set(check_id, FAILED, "check produced no result")

    def report(self) -> VerificationReport:
        checks = tuple(self.results[cid] for cid, _ in CHECKS if cid in self.results)
        return VerificationReport(self.source, checks, self.summary, verdict_of(checks))

    def skip_rest(self, reason: str) -> None:
        for cid, _ in CHECKS:
            if cid not in self.results:
                self.set(cid, SKIPPED, reason)

    def may_hold_keys(self, *keys: str) -> bool:
        """False only when no object of the document has one of ``keys`` (known from its shape)."""
        return self.shape is None or not self.shape.keys.isdisjoint(keys)

    def unsigned_objects(self) -> int | None:
        """JSON objects of the document without its ``proof`` (None: not counted yet)."""
        if self.shape is None or self.doc is None:
            return None
        proofs = self.doc.get("proof")
        return self.shape.objects - (count_objects(proofs, BIG) if "proof" in self.doc else 0)

    def issuer_id(self) -> object:
        issuer = (self.doc or {}).get("issuer")
        return issuer.get("id") if isinstance(issuer, Mapping) else issuer

    def withheld(self, *paths: str) -> bool:
        """True when an SD-JWT VC's holder left claims undisclosed at (or inside) any of ``paths``."""
        return self.disclosures is not None and self.disclosures.withholds(*paths)

    def trust_vouches(self, issuer: str, fingerprints: Iterable[str]) -> bool:
        return self.options.trust is not None and self.options.trust.vouches(issuer, fingerprints)

    def combine(self, check_id: str, parts: Sequence[ProofKey]) -> None:
        """One result from per-proof parts: the failures, else the indeterminate ones, else all."""
        if not parts:  # never "passed" with nothing checked
            self.set(check_id, FAILED, "nothing could be checked")
            return
        many = len(parts) > 1
        for status in (FAILED, INDETERMINATE):
            bad = [p for p in parts if p.status == status]
            if bad:
                self.set(check_id, status, "; ".join((f"proof {p.index}: " if many else "") + p.reason for p in bad))
                return
        self.set(check_id, PASSED, "; ".join((f"proof {p.index}: " if many else "") + p.reason for p in parts))

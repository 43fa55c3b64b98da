"""Offline verification of Open Badges 3.0 credentials: ordered checks -> :class:`VerificationReport`.

An earner with no network gets one of three verdicts: **valid**, **invalid** (a check failed, and
the report says which and why) or **indeterminate** (nothing failed, but something could not be
decided offline, and the report says what is missing). Verification failure is a returned report;
an exception means badgekit could not run (a bug, or a bad option such as an unreadable trust file).

The checks run in this order; the numbers are stable and match the comments in :class:`_Run`
(issue 6 order; SPEC (e) numbers in brackets):

1. ``parse``            read the bytes (bounded), extract from a baked PNG/SVG, parse JSON or a
                        compact JWS (bounded depth).
2. ``schema``           OB 3.0 JSON Schema (bundled 1EdTech schema) [e1]; the subject has ``id``
                        or ``identifier`` [e1].
3. ``contexts``         every ``@context`` is a pinned, bundled URL in the required order; JSON-LD
                        expansion in "safe mode" drops no term; the JSON says what the RDF says (no
                        keyword but ``@context``, no IRI as a property name, no repeated array
                        entry); RDFC-1.0 work is bounded.
4. ``proof-structure``  DataIntegrityProof ``eddsa-rdfc-2022`` / ``assertionMethod`` (legacy
                        Ed25519Signature2020 and ``eddsa-2022`` accepted), created by and not
                        expired at the verification time, or a VC-JWT header and claims that agree
                        with the credential [e2].
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

A check that needs an earlier check that failed is ``skipped`` with the reason. Proof sets: every
proof of a suite badgekit knows must verify and at least one must exist; proofs of unknown types
are ignored (OB 3.0: "a verifier may accept any one").

Nothing here fetches. Expensive modules (PyLD, the JSON Schema validator, image parsing) are
imported inside the check that needs them, so ``badgekit verify`` starts fast.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from badgekit._io import MAX_INPUT_BYTES, load_json_file, loads_json, read_bounded
from badgekit._time import TimestampError, format_utc, parse_datetime_stamp, utc_now
from badgekit.errors import BadgekitError, ExitCode, InputError, LimitExceeded
from badgekit.limits import (
    MAX_ENDORSEMENTS,
    MAX_JSON_OBJECTS,
    MAX_JSON_VALUES,
    MAX_PROOFS,
    count_objects,
    count_values,
    find_endorsements,
)
from badgekit.limits import FoundEndorsement as _FoundEndorsement

PASSED = "passed"
FAILED = "failed"
SKIPPED = "skipped"
INDETERMINATE = "indeterminate"

VALID = "valid"
INVALID = "invalid"

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

# MAX_PROOFS, MAX_JSON_VALUES, MAX_JSON_OBJECTS, MAX_ENDORSEMENTS: see badgekit.limits, which
# signing applies too (imported above).
#: The checks an embedded endorsement must pass (trust is about the credential's issuer; the
#: recipient is the earner's; endorsements of an endorsement are not followed).
ENDORSEMENT_CHECKS = ("parse", "schema", "contexts", "proof-structure", "issuer-key", "signature", "validity", "status")
#: File suffixes ``badgekit verify DIR`` picks up.
CREDENTIAL_SUFFIXES = (".json", ".png", ".svg", ".jwt")

_VC_V2 = "https://www.w3.org/ns/credentials/v2"
_VC_V1 = "https://www.w3.org/2018/credentials/v1"
_OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d+\.\d+)?\.json$|"
                         r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context/ob_v3p0\.jsonld$")
_ISSUER_DEPENDENT_IRI = re.compile(r"<https://www\.w3\.org/ns/credentials/issuer-dependent#([^>]*)>")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------------------
# results


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
    """The outcome of verifying one file. True only when the verdict is ``valid``.

    ``summary`` holds what a person wants to see first: ``format`` (json, png, svg, jwt),
    ``securing`` (embedded-proof, vc-jwt), ``credentialId``, ``name``, ``issuerId``,
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


def verdict_of(checks: Iterable[CheckResult]) -> str:
    """``invalid`` if any check failed, else ``indeterminate`` if any was, else ``valid``."""
    statuses = {c.status for c in checks}
    if FAILED in statuses:
        return INVALID
    if INDETERMINATE in statuses:
        return INDETERMINATE
    return VALID


def verdict_exit_code(verdict: str) -> ExitCode:
    return {VALID: ExitCode.OK, INVALID: ExitCode.FAILED, INDETERMINATE: ExitCode.INDETERMINATE}[verdict]


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


# ---------------------------------------------------------------------------------------------
# trust list


@dataclass(frozen=True)
class TrustedIssuer:
    id: str
    name: str | None
    #: Normalised key identifiers (``z6Mk…``, ``did:key:z6Mk…``, JWK thumbprint URNs). Empty:
    #: any key the issuer is shown to control (did:key issuer, or a supplied DID document).
    keys: frozenset[str]


@dataclass(frozen=True)
class TrustList:
    """Issuers a verifier trusts, and optionally the keys it knows they sign with.

    File format (JSON)::

        {"issuers": [
            {"id": "https://example.edu/issuers/565049",      # issuer id, exactly as in credentials
             "name": "Example University",                     # optional, for people
             "keys": ["z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",   # Ed25519 multikey
                      "did:key:z6Mk…",                                      # same, as did:key
                      "urn:ietf:params:oauth:jwk-thumbprint:sha-256:…",     # RFC 9278, any JWK
                      {"kty": "RSA", "n": "…", "e": "AQAB"}]}               # a public JWK
        ]}

    With a trust list, an issuer not on it fails the ``trust`` check, and a credential signed by
    a key not listed for its issuer (when keys are listed) fails it too. A listed key also settles
    key ownership (check 5) when nothing else can offline: a key named only by a verification
    method fragment (``https://issuer#z6Mk…``, as 1EdTech examples do) or a VC-JWT ``jwk`` header.
    """

    issuers: tuple[TrustedIssuer, ...]
    source: str = "trust list"

    @classmethod
    def from_json(cls, value: Any, *, source: str = "trust list") -> TrustList:
        """Build from parsed JSON. Raises InputError naming the bad entry."""
        if not isinstance(value, Mapping) or not isinstance(value.get("issuers"), list):
            raise InputError(f"{source}: a trust list is a JSON object with an \"issuers\" array")
        issuers = []
        for n, entry in enumerate(value["issuers"], start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not entry["id"]:
                raise InputError(f"{source}: issuers[{n}] needs a string \"id\"")
            raw_keys = entry.get("keys", [])
            if not isinstance(raw_keys, list):
                raise InputError(f"{source}: issuers[{n}].keys must be an array")
            keys: set[str] = set()
            for k in raw_keys:
                try:
                    keys |= normalise_key(k)
                except BadgekitError as exc:
                    raise InputError(f"{source}: issuers[{n}].keys: {exc}") from None
            name = entry.get("name")
            issuers.append(TrustedIssuer(entry["id"], name if isinstance(name, str) else None, frozenset(keys)))
        return cls(tuple(issuers), source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrustList:
        """Read a trust list file. Raises InputError (missing, malformed) or LimitExceeded."""
        return cls.from_json(load_json_file(path), source=str(path))

    def find(self, issuer_id: Any) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.id == issuer_id), None)

    def vouches(self, issuer_id: Any, fingerprints: Iterable[str]) -> bool:
        """True when the list names one of ``fingerprints`` as a key of ``issuer_id``."""
        entry = self.find(issuer_id)
        return entry is not None and bool(entry.keys & set(fingerprints))


def normalise_key(value: Any) -> set[str]:
    """Identifiers under which a trust-list key entry matches. Raises InputError if unusable."""
    from badgekit import did, jwt

    if isinstance(value, Mapping):
        keys = {jwt.jwk_thumbprint_uri(value)}
        if value.get("kty") == "OKP" and value.get("crv") == "Ed25519" and isinstance(value.get("x"), str):
            mb = did.encode_multikey_public(jwt.b64url_decode(value["x"], what="jwk x"))
            keys |= {mb, f"did:key:{mb}"}
        return keys
    if not isinstance(value, str) or not value:
        raise InputError("a key is a string (z6Mk…, did:key:…, JWK thumbprint URN) or a JWK object")
    if value.startswith(jwt.JWK_THUMBPRINT_URN):
        return {value}
    mb = value.partition("#")[0][len("did:key:"):] if value.startswith("did:key:") else value
    did.decode_multikey_public(mb)  # raises DidError (an InputError) for anything else
    return {mb, f"did:key:{mb}"}


def _ed25519_fingerprints(public_key_multibase: str) -> set[str]:
    return {public_key_multibase, f"did:key:{public_key_multibase}"}


# ---------------------------------------------------------------------------------------------
# options and inputs


@dataclass(frozen=True)
class VerifyOptions:
    """What verification may use besides the credential. Everything is local.

    ``at``: the time to verify at (default: now, UTC). ``status_lists``: status list URL →
    parsed list credential (see :func:`badgekit.status.load_status_lists`). ``did_documents``:
    controller id → DID document or issuer profile holding ``verificationMethod``. ``trust``: an
    optional :class:`TrustList`. ``loader``: JSON-LD document loader (default: bundled contexts
    only). ``max_bytes``: largest input accepted. ``recipient``: who the credential should have
    been issued to (email address, URL, phone number or DID) for check 10; None skips it.
    ``provenance``: DID document or status list id → where it came from (e.g. "cached
    2026-01-15", see :mod:`badgekit.cache`), shown in the reasons that rely on it.
    """

    at: datetime | None = None
    status_lists: Mapping[str, Any] = field(default_factory=dict)
    did_documents: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    trust: TrustList | None = None
    loader: Callable[..., Any] | None = None
    max_bytes: int = MAX_INPUT_BYTES
    recipient: str | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)
    #: Work shared by every credential verified with these options (each status list's proof is
    #: verified once). Internal; never compared or shown.
    memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)


def parse_timestamp(text: str, *, field: str = "the verification time") -> datetime:
    """A DateTimeZ (``2026-01-15T12:00:00Z``; the time zone is mandatory) as an aware datetime in
    UTC (:func:`badgekit._time.parse_datetime_stamp`; ``field`` names it in the error).

    Raises:
        InputError: not a date-time with a time zone.
    """
    return parse_datetime_stamp(text, field=field).astimezone(UTC)


def load_did_documents(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Mapping[str, Any]]:
    """DID documents (or issuer profiles with ``verificationMethod``) keyed by their ``id``.

    Raises:
        InputError: a file is missing, not JSON, or not an object with a string ``id``.
    """
    documents: dict[str, Mapping[str, Any]] = {}
    for p in paths:
        doc = load_json_file(p)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise InputError(f"{p}: a DID document is a JSON object with a string \"id\"")
        documents[doc["id"]] = doc
    return documents


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to verify: files as given, folders expanded (not recursively) to their
    ``*.json``, ``*.png``, ``*.svg`` and ``*.jwt`` files in name order, hidden files skipped.

    Raises:
        InputError: a path does not exist, or a folder holds no such file.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir()
                if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in CREDENTIAL_SUFFIXES
            )
            if not found:
                raise InputError(f"{p}: no *.json, *.png, *.svg or *.jwt files in this folder")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


# ---------------------------------------------------------------------------------------------
# entry points


def verify_path(path: str | os.PathLike[str], options: VerifyOptions | None = None) -> VerificationReport:
    """Verify one file (JSON credential, baked PNG or SVG, or compact JWS).

    Never raises for a bad, hostile or unreadable file: the ``parse`` check fails instead.
    """
    options = options or VerifyOptions()
    try:
        data = read_bounded(path, limit=options.max_bytes)
    except BadgekitError as exc:
        return _Run(str(path), options).unreadable(exc.message)
    return verify_bytes(data, source=str(path), options=options)


#: Files per task handed to a worker process: amortises the inter-process round trip (~0.1 ms)
#: over files that take ~1 ms each, and keeps the in-flight set small.
PARALLEL_CHUNK = 32
#: Files below which no worker pool is started: a pool takes ~0.2 s to start (badgekit._parallel),
#: so two processes win only on more than ~0.4 s of work (~0.8 ms a file).
PARALLEL_MIN_FILES = 500


def verify_paths(
    paths: Sequence[str | os.PathLike[str]], options: VerifyOptions | None = None, *, workers: int = 1
) -> Iterator[VerificationReport]:
    """:func:`verify_path` for each path, yielded in order. With ``workers`` > 1 and at least
    :data:`PARALLEL_MIN_FILES` files, chunks of files are verified in that many processes (see
    :mod:`badgekit._parallel`: a script calling this needs an ``if __name__ == "__main__":``
    guard); at most a few chunks are in flight, so memory stays flat for any number of files. The reports
    are the same as one process gives (the options, including the trust list, status lists and
    DID documents, are copied to each worker; each keeps its own per-run memo).
    """
    options = options or VerifyOptions()
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for path in paths:
            yield verify_path(path, options)
        return
    from badgekit import _parallel

    chunks = [list(paths[i:i + PARALLEL_CHUNK]) for i in range(0, len(paths), PARALLEL_CHUNK)]
    with _parallel.imap(_verify_chunk, chunks, workers=min(workers, len(chunks)), initializer=_init_worker,
                        initargs=(options,), preload=(__name__,)) as results:
        for reports in results:
            yield from reports


_WORKER_OPTIONS: VerifyOptions | None = None


def _init_worker(options: VerifyOptions) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options


def _verify_chunk(paths: list[str | os.PathLike[str]]) -> list[VerificationReport]:
    return [verify_path(p, _WORKER_OPTIONS) for p in paths]


def verify_bytes(data: bytes, *, source: str = "<bytes>", options: VerifyOptions | None = None) -> VerificationReport:
    """Verify a credential given as bytes. Never raises for a bad credential."""
    return _Run(source, options or VerifyOptions()).run(data)


def verify_credential(credential: Mapping[str, Any], *, source: str = "<credential>",
                      options: VerifyOptions | None = None) -> VerificationReport:
    """Verify an already parsed JSON credential (embedded proof). Never raises for a bad one."""
    return verify_bytes(json.dumps(credential).encode("utf-8"), source=source, options=options)


# ---------------------------------------------------------------------------------------------
# the checks


def canonize_bounded(document: Mapping[str, Any], *, loader: Callable[..., Any] | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of ``document`` in safe mode, refusing hostile graphs fast.

    The size of the JSON is bounded here; :func:`badgekit.jsonld.canonize` bounds blank nodes and
    RDFC-1.0 N-degree work (look-alike groups, chains, total steps), for every caller.

    Raises:
        DocumentLoaderError, JsonLdError: see :func:`badgekit.jsonld.to_rdf`.
        LimitExceeded: too many JSON objects or blank nodes, or a graph that needs too much work
            (a "poison graph").
    """
    from badgekit import jsonld

    if count_objects(document, MAX_JSON_OBJECTS) > MAX_JSON_OBJECTS:
        raise LimitExceeded(f"more than {MAX_JSON_OBJECTS:,} JSON objects to process as JSON-LD "
                            "(an Open Badges credential has tens); refused")
    # jsonld.canonize bounds the blank nodes and the RDFC-1.0 N-degree work (poison graphs).
    return jsonld.canonize(document, loader=loader)


class _CanonCache:
    """RDFC-1.0 for :func:`badgekit.proof.hash_data`, reusing the document's canonical form that
    the contexts check already computed (the expensive part), keyed by the document's JSON."""

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}

    @staticmethod
    def key(document: Any) -> str:
        # Insertion order is kept: both users build the unsigned document the same way, and a
        # miss only costs a recomputation (never a wrong answer).
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    def __call__(self, document: Any, *, loader: Callable[..., Any] | None = None) -> str:
        if "proofPurpose" in document and "proof" not in document and loader is None:
            # A proof configuration: small and the same for every credential an issuer signed in
            # one run, so the proof module's cache serves it (jsonld.canonize bounds it as well).
            from badgekit import proof

            return proof.canonical_proof_config(dict(document))
        k = self.key(document)
        hit = self.cache.get(k)
        if hit is None:
            hit = canonize_bounded(document, loader=loader)
            self.cache[k] = hit
        return hit


@dataclass
class _ProofKey:
    """What check 5 learned about one proof's key, for checks 6 and 9."""

    index: int
    status: str
    reason: str
    public_key: Any = None  # bytes (Ed25519) or a jwt.JwtKey
    fingerprints: set[str] = field(default_factory=set)


class _Run:
    """One verification: holds the intermediate state the numbered checks share.

    ``endorsement``: this run verifies an endorsement embedded in another credential (check 11):
    it stops after check 8 (see :data:`ENDORSEMENT_CHECKS`).
    """

    def __init__(self, source: str, options: VerifyOptions, *, endorsement: bool = False) -> None:
        self.source = source
        self.options = options
        self.endorsement = endorsement
        self.at = (options.at or utc_now()).astimezone(UTC)
        self.results: dict[str, CheckResult] = {}
        self.summary: dict[str, Any] = {"format": None, "securing": None}
        self.doc: dict[str, Any] | None = None
        self.jws: Any = None  # jwt.CompactJws for VC-JWT
        self.proofs: list[tuple[int, Mapping[str, Any]]] = []  # known-suite proofs to check
        self.ignored_proofs: list[str] = []
        self.keys: list[_ProofKey] = []
        self.canon = _CanonCache()

    # -- plumbing ------------------------------------------------------------------------

    def _set(self, check_id: str, status: str, reason: str, *, limit: int = 600) -> CheckResult:
        result = CheckResult(check_id, CHECK_NUMBERS[check_id], status, _one_line(reason, limit))
        self.results[check_id] = result
        return result

    def _status(self, check_id: str) -> str | None:
        r = self.results.get(check_id)
        return r.status if r is not None else None  # a CheckResult is falsy unless it passed

    def _guarded(self, check_id: str, fn: Callable[[], None]) -> None:
        # A hostile file must never crash the verifier nor come out "valid" through a bug: any
        # unexpected error fails the check that hit it, naming the error.
        try:
            fn()
        except BadgekitError as exc:
            self._set(check_id, FAILED, exc.message)
        except RecursionError:
            self._set(check_id, FAILED, "input nested too deeply to process")
        except Exception as exc:  # noqa: BLE001 - see above
            self._set(check_id, FAILED, f"could not process the credential ({type(exc).__name__}: {exc})")
        if check_id not in self.results:  # pragma: no cover - every check sets a result
            self._set(check_id, FAILED, "check produced no result")

    def _report(self) -> VerificationReport:
        checks = tuple(self.results[cid] for cid, _ in CHECKS if cid in self.results)
        return VerificationReport(self.source, checks, self.summary, verdict_of(checks))

    def unreadable(self, reason: str) -> VerificationReport:
        self._set("parse", FAILED, reason)
        self._skip_rest("the file could not be read")
        return self._report()

    def _skip_rest(self, reason: str) -> None:
        for cid, _ in CHECKS:
            if cid not in self.results:
                self._set(cid, SKIPPED, reason)

    def run(self, data: bytes) -> VerificationReport:
        # 1. parse (and extraction from a baked image)
        self._guarded("parse", lambda: self._check_parse(data))
        if self._status("parse") != PASSED or self.doc is None:
            self._skip_rest("the credential could not be read (check 1)")
            return self._report()
        self._fill_summary()
        # 2. structure and OB 3.0 JSON Schema            [SPEC (e) 1]
        self._guarded("schema", self._check_schema)
        # 3. contexts: pinned, bundled, ordered; safe-mode expansion; bounded RDFC-1.0
        self._guarded("contexts", self._check_contexts)
        # 4. proof structure (Data Integrity, or VC-JWT header and claims)   [SPEC (e) 2]
        self._guarded("proof-structure", self._check_proof_structure)
        # 5. issuer key: resolved offline and controlled by the issuer         [SPEC (e) 2]
        self._guarded("issuer-key", self._check_issuer_key)
        # 6. signature                                                         [SPEC (e) 2]
        self._guarded("signature", self._check_signature)
        # 7. validity period                                                   [SPEC (e) 4]
        self._guarded("validity", self._check_validity)
        # 8. status (Bitstring Status List from a supplied file)               [SPEC (e) 4]
        self._guarded("status", self._check_status)
        if self.endorsement:  # an embedded endorsement: checks 1-8 only (ENDORSEMENT_CHECKS)
            return self._report()
        # 9. optional issuer trust list
        self._guarded("trust", self._check_trust)
        # 10. optional recipient: credentialSubject.id or an IdentityObject matches   [SPEC (e) 5]
        self._guarded("recipient", self._check_recipient)
        # 11. embedded endorsements, one level deep                                   [SPEC (e) 6]
        self._guarded("endorsements", self._check_endorsements)
        return self._report()

    # -- 1. parse --------------------------------------------------------------------------

    def _check_parse(self, data: bytes) -> None:
        if len(data) > self.options.max_bytes:
            self._set("parse", FAILED, f"input is {len(data)} bytes, larger than the {self.options.max_bytes} accepted")
            return
        head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        container = None
        if data.startswith(_PNG_MAGIC) or head.startswith(b"<"):
            from badgekit import baking

            container = baking.detect(data)
            if container is None:
                self._set("parse", FAILED, "not a PNG or SVG badge image badgekit can read")
                return
            extracted = baking.extract(data, source=self.source)  # raises BakingError
            if getattr(extracted, "legacy", False):
                self.summary["format"] = container
                self._set("parse", INDETERMINATE, f"an Open Badges 2.0 badge ({container.upper()}); badgekit "
                          "verifies Open Badges 3.0 credentials (OB 2.0 verification needs the network)")
                return
            payload, is_jwt = extracted.payload, extracted.is_jwt
            where = f"baked {container.upper()}"
        else:
            try:
                payload = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                self._set("parse", FAILED, f"not UTF-8 text (byte {exc.start}) and not a PNG or SVG image")
                return
            is_jwt = not payload.lstrip().startswith("{") and _looks_like_jws(payload)
            where = None
        self.summary["format"] = container or ("jwt" if is_jwt else "json")
        if is_jwt:
            from badgekit import jwt  # only for VC-JWT: keeps start-up light for the common case

            jws = jwt.parse(payload, max_bytes=self.options.max_bytes)
            self.jws = jws
            self.summary["securing"] = "vc-jwt"
            doc = jwt.credential_from_payload(jws.payload)
            what = f"VC-JWT (compact JWS, alg {jws.header.get('alg')!s}{', vc claim' if 'vc' in jws.payload else ''})"
        else:
            if not payload.lstrip().startswith("{"):
                self._set("parse", FAILED, "not a JSON credential, a compact JWS, or a baked PNG/SVG badge")
                return
            doc = loads_json(payload, source=self.source)
            if not isinstance(doc, dict):  # pragma: no cover - guarded by the "{" test above
                self._set("parse", FAILED, "the credential is not a JSON object")
                return
            self.summary["securing"] = "embedded-proof"
            what = "JSON credential"
        count = count_values(doc, MAX_JSON_VALUES)
        if count > MAX_JSON_VALUES:
            raise LimitExceeded(f"credential has more than {MAX_JSON_VALUES} JSON values; refused")
        self.doc = doc
        self._set("parse", PASSED, f"{where + ': ' if where else ''}{what}, {len(data):,} bytes")

    # -- 2. schema -------------------------------------------------------------------------

    def _check_schema(self) -> None:
        from badgekit import schema

        assert self.doc is not None
        document, note = self.doc, ""
        if _first_context(self.doc) == _VC_V1:
            # VC 1.1 form (verification only, SPEC (a)): 1EdTech's "any…" VC 1.1 schemas are not
            # published as files, so check the VC 2.0 schema on the same credential with the
            # VC 1.1 names mapped (issuanceDate -> validFrom, expirationDate -> validUntil).
            document, note = _as_vc2(self.doc), " (VC 1.1 form, read with issuanceDate/expirationDate as validFrom/validUntil)"
        problems = [f"{_path(p.path)}: {p.message}" for p in schema.validate_credential(document)]
        subjects = [s for s in _as_list(self.doc.get("credentialSubject")) if isinstance(s, Mapping)]
        if any("id" not in s and not s.get("identifier") for s in subjects):
            problems.append("credentialSubject has neither id nor identifier (OB 3.0 requires one)")
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            self._set("schema", FAILED, "; ".join(problems[:3]) + more + note)
        else:
            kind = _credential_kind(self.doc)
            self._set("schema", PASSED, f"conforms to the OB 3.0 {kind} JSON Schema (bundled){note}")

    # -- 3. contexts -----------------------------------------------------------------------

    def _check_contexts(self) -> None:
        from badgekit import jsonld

        assert self.doc is not None
        loader = self.options.loader or jsonld.DEFAULT_LOADER
        knows = getattr(loader, "knows", lambda url: url in jsonld.PINNED_CONTEXTS)
        ctx = self.doc.get("@context")
        if ctx is None:
            self._set("contexts", FAILED, "the credential has no @context")
            return
        entries = ctx if isinstance(ctx, list) else [ctx]
        if not entries:
            self._set("contexts", FAILED, "@context is empty")
            return
        for n, entry in enumerate(entries):
            if not isinstance(entry, str):
                self._set("contexts", FAILED, f"@context[{n}] is an inline context object: only pinned context "
                          "URLs are accepted (badgekit signs with pinned contexts only; inline terms could "
                          "silently change what was signed)")
                return
            if not knows(entry):
                self._set("contexts", FAILED, f"@context[{n}] {entry} is not a bundled context; badgekit never "
                          "fetches contexts (unknown or remote context)")
                return
        nested = _embedded_context_problem(self.doc, knows)
        if nested:
            self._set("contexts", FAILED, nested)
            return
        if entries[0] not in (_VC_V2, _VC_V1):
            self._set("contexts", FAILED, f"@context[0] must be {_VC_V2} (or {_VC_V1} for VC 1.1), found {entries[0]}")
            return
        if len(entries) < 2 or not _OB_CONTEXT.match(entries[1]):
            found = entries[1] if len(entries) > 1 else "nothing"
            self._set("contexts", FAILED, f"@context[1] must be an OB 3.0 context "
                      f"(https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json), found {found}")
            return
        # Safe mode for the JSON itself: no property hidden from JSON readers (under its IRI, in
        # @nest/@graph/...) and no array entry repeated, as neither changes what was signed.
        respelt = jsonld.json_form_problem(self.doc)
        if respelt:
            self._set("contexts", FAILED, respelt)
            return
        unsigned = {k: v for k, v in self.doc.items() if k != "proof"}
        # Safe-mode expansion (jsonld.js "safe mode"): a term no context defines, a relative IRI
        # or an undefined type is an error; a remote context nested in a bundled one cannot load.
        # RDFC-1.0 is bounded (poison graphs fail fast). Embedded proofs sign this canonical
        # form, so it is kept for the signature check.
        canonical = canonize_bounded(unsigned, loader=self.options.loader)
        self.canon.cache[_CanonCache.key(unsigned)] = canonical
        vocab_terms = sorted(set(_ISSUER_DEPENDENT_IRI.findall(canonical)))
        reason = f"{len(entries)} pinned context(s); no term dropped by expansion"
        if vocab_terms:
            shown = ", ".join(vocab_terms[:5]) + (f" (+{len(vocab_terms) - 5})" if len(vocab_terms) > 5 else "")
            reason += (f"; warning: {shown} defined by no OB context, kept only as issuer-dependent "
                       "terms (VC v2 @vocab)")
        self._set("contexts", PASSED, reason)

    # -- 4. proof structure ----------------------------------------------------------------

    def _check_proof_structure(self) -> None:
        from badgekit import proof

        assert self.doc is not None
        if self.jws is not None:
            from badgekit import jwt

            problem = jwt.header_problem(self.jws.header)
            if problem:
                self._set("proof-structure", FAILED, problem)
                return
            claims = jwt.claim_problems(self.jws.payload, self.doc)
            if claims:
                self._set("proof-structure", FAILED, "VC-JWT " + "; ".join(claims))
                return
            key_from = "kid" if "kid" in self.jws.header else "jwk" if "jwk" in self.jws.header else "no key header"
            self._set("proof-structure", PASSED, f"VC-JWT header alg {self.jws.header['alg']} ({key_from}); "
                      "claims agree with the credential")
            return
        proofs = proof.proofs_of(self.doc)
        if not proofs:
            self._set("proof-structure", FAILED, "the credential has no proof (and is not a VC-JWT): it is not signed")
            return
        if len(proofs) > MAX_PROOFS:
            self._set("proof-structure", FAILED, f"{len(proofs)} proofs; badgekit checks at most {MAX_PROOFS}")
            return
        notes = []
        for n, p in enumerate(proofs, start=1):
            if not proof.is_known_suite(p):
                kind = f"{p.get('type')!s} {p.get('cryptosuite') or ''}".strip() if isinstance(p, Mapping) else "non-object"
                self.ignored_proofs.append(kind)
                continue
            problem = proof.structure_problem(p) or proof.time_problem(p, self.at)
            if problem:
                self._set("proof-structure", FAILED, f"proof {n}: {problem}")
                return
            if (p.get("type"), p.get("cryptosuite")) != (proof.PROOF_TYPE, proof.CRYPTOSUITE):
                notes.append(f"proof {n} uses the legacy {p.get('cryptosuite') or p.get('type')} suite (accepted for verification)")
            self.proofs.append((n, p))
        if not self.proofs:
            kinds = ", ".join(self.ignored_proofs)
            self._set("proof-structure", FAILED, f"no proof badgekit can check (found: {kinds}); accepted: "
                      f"{proof.PROOF_TYPE} {proof.CRYPTOSUITE}, legacy Ed25519Signature2020 and eddsa-2022")
            return
        if self.ignored_proofs:
            notes.append(f"ignored {len(self.ignored_proofs)} proof(s) of unknown type ({', '.join(self.ignored_proofs)})")
        suites = sorted({f"{p.get('type')}{' ' + p['cryptosuite'] if p.get('cryptosuite') else ''}" for _, p in self.proofs})
        self._set("proof-structure", PASSED, f"{len(self.proofs)} proof(s): {', '.join(suites)}, proofPurpose "
                  "assertionMethod" + ("; " + "; ".join(notes) if notes else ""))

    # -- 5. issuer key ---------------------------------------------------------------------

    def _check_issuer_key(self) -> None:
        if self._status("proof-structure") != PASSED:
            self._set("issuer-key", SKIPPED, "needs a usable proof (check 4)")
            return
        issuer = self._issuer_id()
        if not isinstance(issuer, str) or not issuer:
            self._set("issuer-key", FAILED, "the credential has no issuer id, so no key can belong to it")
            return
        self.keys = [self._jwt_key(issuer)] if self.jws is not None else [self._di_key(n, p, issuer) for n, p in self.proofs]
        self._combine("issuer-key", self.keys)

    def _combine(self, check_id: str, parts: Sequence[_ProofKey]) -> None:
        if not parts:  # never "passed" with nothing checked
            self._set(check_id, FAILED, "nothing could be checked")
            return
        many = len(parts) > 1
        for status in (FAILED, INDETERMINATE):
            bad = [p for p in parts if p.status == status]
            if bad:
                self._set(check_id, status, "; ".join((f"proof {p.index}: " if many else "") + p.reason for p in bad))
                return
        self._set(check_id, PASSED, "; ".join((f"proof {p.index}: " if many else "") + p.reason for p in parts))

    def _trust_vouches(self, issuer: str, fingerprints: Iterable[str]) -> bool:
        return self.options.trust is not None and self.options.trust.vouches(issuer, fingerprints)

    def _di_key(self, n: int, p: Mapping[str, Any], issuer: str) -> _ProofKey:
        from badgekit import did, proof

        vm_id = str(p["verificationMethod"])
        controller = vm_id.partition("#")[0]
        try:
            vm, source = proof.resolve_key(vm_id, proof.default_resolver(self.options.did_documents))
        except did.Unresolvable:
            return _ProofKey(n, INDETERMINATE, f"cannot resolve {controller} offline: supply its DID document "
                             "with --did-doc or add it with 'badgekit cache add' (badgekit never fetches)")
        except BadgekitError as exc:
            return _ProofKey(n, FAILED, f"verification method {vm_id}: {exc.message}")
        fps = _ed25519_fingerprints(vm.public_key_multibase) | {vm.id}
        key = _ProofKey(n, PASSED, "", vm.public_key, fps)
        short = _short_key(vm.public_key_multibase)
        if source == "did:key":
            if vm.controller == issuer:
                key.reason = f"did:key {short} is the issuer's own DID"
            elif issuer.startswith("did:key:"):
                key.status, key.reason = FAILED, f"signed by {vm.controller}, but the issuer is {issuer}"
            elif issuer in self.options.did_documents:
                listed = _listed_as_assertion(self.options.did_documents[issuer], vm.id, vm_id)
                key.status = PASSED if listed else FAILED
                key.reason = (f"did:key {short} is an assertionMethod in the issuer's DID document" if listed
                              else f"did:key {short} is not an assertionMethod in the DID document of {issuer}")
            elif self._trust_vouches(issuer, fps):
                key.reason = f"did:key {short} is listed for {issuer} by {self.options.trust.source}"  # type: ignore[union-attr]
            else:
                key.status, key.reason = INDETERMINATE, (
                    f"signed by {vm.controller}, which is not the issuer {issuer}; nothing available offline "
                    "links the two: supply the issuer's DID document (--did-doc) or a trust list (--trust)")
        elif source == "document":
            if vm.controller != issuer:
                key.status, key.reason = FAILED, f"key {vm.id} is controlled by {vm.controller}, not by the issuer {issuer}"
            elif "assertionMethod" not in vm.relationships:
                key.status, key.reason = FAILED, f"key {vm.id} is not an assertionMethod of {issuer}"
            else:
                key.reason = self._in_document(vm.id, issuer)
        else:  # "fragment": a bare multikey after '#', with no document saying whose it is
            if controller != issuer:
                key.status, key.reason = FAILED, f"verification method {vm_id} names {controller}, not the issuer {issuer}"
            elif self._trust_vouches(issuer, fps):
                key.reason = f"key {short} is listed for {issuer} by {self.options.trust.source}"  # type: ignore[union-attr]
            else:
                key.status, key.reason = INDETERMINATE, (
                    f"key {short} is named only in the verification method id; that it belongs to {issuer} "
                    "cannot be confirmed offline: supply the issuer's DID document (--did-doc) or a trust list (--trust)")
        return key

    def _in_document(self, key_label: str, issuer: str) -> str:
        where = self.options.provenance.get(issuer, "supplied")  # "cached <date>" from badgekit cache
        return f"{key_label} is an assertionMethod in the DID document of {issuer} ({where})"

    def _jwt_key(self, issuer: str) -> _ProofKey:
        from badgekit import did, jwt

        try:
            key = jwt.resolve_key(self.jws.header, documents=self.options.did_documents)
        except did.Unresolvable as exc:
            return _ProofKey(1, INDETERMINATE, exc.message)
        except BadgekitError as exc:
            return _ProofKey(1, FAILED, f"JWS key: {exc.message}")
        fps = set(key.fingerprints) | {key.key_id}
        out = _ProofKey(1, PASSED, "", key, fps)
        label = key.key_id if key.source != "jwk" else f"jwk {key.key_id[len(jwt.JWK_THUMBPRINT_URN):][:12]}…"
        if key.source in ("did:key", "document") and key.controller == issuer:
            if key.source == "document" and "assertionMethod" not in key.relationships:
                out.status, out.reason = FAILED, f"{label} is not an assertionMethod of {issuer}"
            elif key.source == "document":
                out.reason = self._in_document(label, issuer)
            else:
                out.reason = f"{label} belongs to the issuer (did:key)"
        elif key.source in ("did:key", "document") and (issuer.startswith("did:key:") or key.source == "document"):
            out.status, out.reason = FAILED, f"{label} is controlled by {key.controller}, not by the issuer {issuer}"
        elif key.source == "jwk" and issuer.startswith("did:key:"):
            # A did:key is its key: the jwk header either is that key or is someone else's, offline.
            own = jwt.did_key_of(key)
            if own == issuer.partition("#")[0]:
                out.reason = f"{label} is the key of the issuer's did:key"
            else:
                out.status, out.reason = FAILED, (f"{label} is not the key of the issuer {issuer} (a did:key is its "
                                                  f"own key; this jwk's did:key is {_short_id(own)})")
        elif self._trust_vouches(issuer, fps):
            out.reason = f"{label} is listed for {issuer} by {self.options.trust.source}"  # type: ignore[union-attr]
        else:
            out.status, out.reason = INDETERMINATE, (
                f"{label} ({key.alg}) comes from the JWS header; that it belongs to {issuer} cannot be "
                "confirmed offline: supply a trust list (--trust) or the issuer's DID document (--did-doc)")
        return out

    # -- 6. signature ----------------------------------------------------------------------

    def _check_signature(self) -> None:
        if self._status("proof-structure") != PASSED:
            self._set("signature", SKIPPED, "needs a usable proof (check 4)")
            return
        if self.jws is None and self._status("contexts") != PASSED:
            self._set("signature", SKIPPED, "an embedded proof signs the canonical JSON-LD form, which needs "
                      "the contexts check (3) to pass")
            return
        if not self.keys:
            self._set("signature", SKIPPED, "needs the signing key (check 5)")
            return
        parts = []
        for key in self.keys:
            if key.public_key is None:
                status = INDETERMINATE if key.status == INDETERMINATE else SKIPPED
                parts.append(_ProofKey(key.index, status, "no key to check the signature with (check 5)"))
            elif self.jws is not None:
                parts.append(self._jwt_signature(key))
            else:
                parts.append(self._di_signature(key))
        if parts and all(p.status == SKIPPED for p in parts):
            self._set("signature", SKIPPED, "no usable key (check 5 failed)")
            return
        self._combine("signature", [p for p in parts if p.status != SKIPPED] or parts)

    def _di_signature(self, key: _ProofKey) -> _ProofKey:
        from badgekit import proof

        assert self.doc is not None
        p = dict(self.proofs[[n for n, _ in self.proofs].index(key.index)][1])
        problem = proof.signature_problem(self.doc, p, key.public_key, loader=self.options.loader, canonize=self.canon)
        if problem:
            return _ProofKey(key.index, FAILED, problem)
        suite = p.get("cryptosuite") or p.get("type")
        return _ProofKey(key.index, PASSED, f"{suite} signature verified")

    def _jwt_signature(self, key: _ProofKey) -> _ProofKey:
        from badgekit import jwt

        if not jwt.verify_signature(self.jws, key.public_key):
            return _ProofKey(key.index, FAILED, "JWS signature does not verify (altered after signing, or signed with another key)")
        return _ProofKey(key.index, PASSED, f"JWS {key.public_key.alg} signature verified")

    # -- 7. validity -----------------------------------------------------------------------

    def _check_validity(self) -> None:
        assert self.doc is not None
        v1 = _first_context(self.doc) == _VC_V1
        start_name, end_name = ("issuanceDate", "expirationDate") if v1 else ("validFrom", "validUntil")
        bounds: dict[str, datetime | None] = {}
        for name in (start_name, end_name):
            value = self.doc.get(name)
            if value is None:
                bounds[name] = None
                continue
            try:
                bounds[name] = parse_datetime_stamp(value, field=name)
            except TimestampError as exc:
                self._set("validity", FAILED, exc.message)
                return
        start, end = bounds[start_name], bounds[end_name]
        at = _iso(self.at)
        if start and end and end < start:
            self._set("validity", FAILED, f"{end_name} {_iso(end)} is before {start_name} {_iso(start)}")
        elif start and self.at < start:
            self._set("validity", FAILED, f"not yet valid: {start_name} is {_iso(start)}, checked at {at}")
        elif end and self.at > end:
            self._set("validity", FAILED, f"expired: {end_name} was {_iso(end)}, checked at {at}")
        elif start is None and not v1:
            self._set("validity", FAILED, "the credential has no validFrom (required by OB 3.0)")
        else:
            span = f"from {_iso(start)}" if start else "no start date"
            span += f" until {_iso(end)}" if end else ", no expiry"
            self._set("validity", PASSED, f"valid at {at} ({span})")

    # -- 8. status -------------------------------------------------------------------------

    def _check_status(self) -> None:
        assert self.doc is not None
        if not self.doc.get("credentialStatus"):
            self._set("status", SKIPPED, "the credential has no credentialStatus (the issuer publishes no revocation)")
            return
        from badgekit import proof, status

        results = status.check_status(
            self.doc,
            self.options.status_lists,
            now=self.at,
            resolver=proof.default_resolver(self.options.did_documents),
            loader=self.options.loader,
            memo=self.options.memo,
        )
        if not results:
            self._set("status", INDETERMINATE, "credentialStatus could not be checked")
            return
        parts = []
        worst = PASSED
        for r in results:
            if r.state in ("revoked", "suspended", "invalid"):
                worst = FAILED
            elif r.state != "valid" and worst != FAILED:
                worst = INDETERMINATE
            reason = r.reason or (f"{r.purpose}: {r.state}" if r.purpose else r.state)
            if r.list_url in self.options.provenance:
                reason += f" (list {self.options.provenance[r.list_url]})"
            parts.append(reason)
        self._set("status", worst, "; ".join(parts))

    # -- 9. trust --------------------------------------------------------------------------

    def _check_trust(self) -> None:
        trust = self.options.trust
        if trust is None:
            self._set("trust", SKIPPED, "no trust list given (--trust)")
            return
        issuer = self._issuer_id()
        entry = trust.find(issuer)
        if entry is None:
            self._set("trust", FAILED, f"issuer {issuer} is not on the trust list {trust.source}")
            return
        name = f" ({entry.name})" if entry.name else ""
        if entry.keys:
            unknown = [k for k in self.keys if k.fingerprints and not (entry.keys & k.fingerprints)]
            if unknown:
                self._set("trust", FAILED, f"issuer {issuer}{name} is on the trust list, but the credential is "
                          "signed with a key the list does not name for it")
                return
        self._set("trust", PASSED, f"issuer {issuer}{name} is on the trust list {trust.source}")

    # -- 10. recipient ---------------------------------------------------------------------

    def _check_recipient(self) -> None:
        wanted = self.options.recipient
        if wanted is None:
            self._set("recipient", SKIPPED, "no recipient given (--recipient)")
            return
        shown = _one_line(wanted, 200)
        if not wanted.strip():
            self._set("recipient", FAILED, "the recipient to check for is empty")
            return
        if self._status("signature") not in (PASSED, INDETERMINATE):
            # Matching names in a credential whose signature failed would vouch for forged data.
            self._set("recipient", SKIPPED, "the recipient fields are not authentic unless the signature "
                      "verifies (check 6)")
            return
        assert self.doc is not None
        subjects = [s for s in _as_list(self.doc.get("credentialSubject")) if isinstance(s, Mapping)]
        if not any("id" in s or s.get("identifier") for s in subjects):
            # Check 2 already fails a credential that names no recipient.
            status = SKIPPED if self._status("schema") == FAILED else FAILED
            self._set("recipient", status, "the credential names no recipient (no credentialSubject id or identifier)")
            return
        status, reason = recipient_match(subjects, wanted, shown=shown)
        self._set("recipient", status, reason)

    # -- 11. endorsements ------------------------------------------------------------------

    def _check_endorsements(self) -> None:
        assert self.doc is not None
        found = find_endorsements(self.doc)
        if not found:
            self._set("endorsements", SKIPPED, "the credential carries no embedded endorsements")
            return
        if len(found) > MAX_ENDORSEMENTS:
            self._set("endorsements", FAILED, f"{len(found)} embedded endorsements; badgekit verifies at most "
                      f"{MAX_ENDORSEMENTS} per credential: refused")
            return
        outcomes = [self._verify_endorsement(e) for e in found]
        self.summary["endorsements"] = [o.to_dict() for o in outcomes]
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
                self._set("endorsements", status, head + ": " + "; ".join(o.line(detail) for o in bad) + note, limit=3000)
                return
        warnings = [o.warning for o in outcomes if o.warning]
        self._set("endorsements", PASSED, f"{len(outcomes)} endorsement(s) verified: "
                  + "; ".join(o.label for o in outcomes) + note
                  + ("; warning: " + "; ".join(warnings) if warnings else ""), limit=3000)

    def _verify_endorsement(self, found: _FoundEndorsement) -> _EndorsementOutcome:
        where = found.path
        if found.prop == "endorsementJwt":
            if not isinstance(found.value, str) or not _looks_like_jws(found.value.strip()):
                return _EndorsementOutcome(where, FAILED, "is not a compact JWS string")
            data = found.value.encode("utf-8")
        else:
            if not isinstance(found.value, Mapping):
                return _EndorsementOutcome(where, FAILED, "is not an embedded credential (a JSON object)")
            data = json.dumps(found.value, ensure_ascii=False).encode("utf-8")
        # The same options (clock, DID documents, status lists, trust list vouching for keys),
        # but not the earner's recipient: an endorsement's subject is the thing endorsed.
        run = _Run(f"{self.source} {where}", replace(self.options, recipient=None), endorsement=True)
        report = run.run(data)
        doc = run.doc or {}
        outcome = _EndorsementOutcome(
            where, PASSED, "verified",
            issuer_id=_text(report.summary.get("issuerId")), issuer_name=_text(report.summary.get("issuerName")),
            nested=len(find_endorsements(doc)) if run.doc is not None else 0,
        )
        if run.doc is not None and "EndorsementCredential" not in _as_list(doc.get("type")):
            kinds = ", ".join(str(t) for t in _as_list(doc.get("type"))[:3]) or "no type"
            return replace(outcome, status=FAILED, detail=f"is not an EndorsementCredential ({kinds})")
        checks = [report.check(cid) for cid in ENDORSEMENT_CHECKS]
        for status in (FAILED, INDETERMINATE):
            bad = next((c for c in checks if c is not None and c.status == status), None)
            if bad is not None:
                return replace(outcome, status=status, check=bad.id, detail=bad.reason)
        warning = _endorsed_elsewhere(self.doc or {}, found, doc)
        return replace(outcome, warning=f"{outcome.label} {warning}" if warning else None)

    # -- summary ---------------------------------------------------------------------------

    def _issuer_id(self) -> Any:
        issuer = (self.doc or {}).get("issuer")
        return issuer.get("id") if isinstance(issuer, Mapping) else issuer

    def _fill_summary(self) -> None:
        doc = self.doc or {}
        issuer = doc.get("issuer")
        subject = next((s for s in _as_list(doc.get("credentialSubject")) if isinstance(s, Mapping)), {})
        raw_achievement = subject.get("achievement")
        achievement: Mapping[str, Any] = raw_achievement if isinstance(raw_achievement, Mapping) else {}
        v1 = _first_context(doc) == _VC_V1
        not_checked = []
        if doc.get("refreshService"):
            not_checked.append("refreshService (needs the network)")
        self.summary.update({
            "credentialId": _text(doc.get("id")),
            "type": [_text(t) for t in _as_list(doc.get("type"))][:4],
            "name": _text(doc.get("name")),
            "issuerId": _text(self._issuer_id()),
            "issuerName": _text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
            "recipient": _recipient(subject),
            "achievementName": _text(achievement.get("name")),
            "achievementType": _text(achievement.get("achievementType")),
            "validFrom": _text(doc.get("issuanceDate" if v1 else "validFrom")),
            "validUntil": _text(doc.get("expirationDate" if v1 else "validUntil")),
            "vcVersion": "1.1" if v1 else "2.0",
            "notChecked": not_checked,
        })


# ---------------------------------------------------------------------------------------------
# helpers


def _recipient(subject: Mapping[str, Any]) -> str | None:
    """How the recipient is identified: "id (did:…)", "emailAddress (hashed)", … ."""
    identifiers = [i for i in _as_list(subject.get("identifier")) if isinstance(i, Mapping)]
    if identifiers:
        first = identifiers[0]
        kind = _text(first.get("identityType")) or "identifier"
        hashed = "hashed" if first.get("hashed") is True else "plaintext"
        more = f" (+{len(identifiers) - 1} more)" if len(identifiers) > 1 else ""
        return f"{kind} ({hashed}){more}"
    sid = subject.get("id")
    if isinstance(sid, str):
        scheme = sid.split(":", 2)
        kind = ":".join(scheme[:2]) if scheme[0] == "did" else scheme[0]
        return f"id ({kind})"
    return None


# -- recipient (check 10) ----------------------------------------------------------------------

_PHONE = re.compile(r"^\+?[0-9(][0-9 ().\-/]{3,30}$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_HASH = re.compile(r"^(sha256|md5)\$([0-9a-fA-F]+)$")


def recipient_match(subjects: Sequence[Mapping[str, Any]], wanted: str, *, shown: str | None = None) -> tuple[str, str]:
    """Check 10 on its own: is ``wanted`` (an email address, URL, phone number or DID) the
    recipient named by one of ``subjects``? Returns (``passed`` or ``failed``, reason); the
    reason names the value as ``shown`` (default: ``wanted``, as typed).

    Matches ``credentialSubject.id`` (``mailto:``/``tel:`` forms for emails and phones), or an
    ``identifier`` IdentityObject whose ``identityType`` fits the kind of value: hashed ones by
    recomputing OB 3.0 IdentityHash (``sha256$`` + hex(SHA-256(value + salt)), ``md5$`` read
    too), plain ones by equality. An email is tried as typed (the spec's rule, for any issuer)
    and trimmed and lower-cased as badgekit hashes it when issuing (``roster.normalise_email``),
    so ``Alice@Example.org `` matches what badgekit issued to ``alice@example.org``. Reasons never
    contain a hash of the value nor another form of it.
    """
    kind, forms, subject_ids = _recipient_forms(wanted)
    shown = wanted if shown is None else shown
    compared: dict[str, int] = {}
    other_types: set[str] = set()
    for subject in subjects:
        sid = subject.get("id")
        if isinstance(sid, str) and sid.strip() in subject_ids:
            return PASSED, f"issued to {shown}: credentialSubject.id matches"
        for n, ident in enumerate(_as_list(subject.get("identifier"))):
            if not isinstance(ident, Mapping):
                continue
            itype = ident.get("identityType")
            itype = itype if isinstance(itype, str) else ""
            if not _type_fits(kind, itype):
                other_types.add(_one_line(itype, 40) or "untyped")
                continue
            compared[itype] = compared.get(itype, 0) + 1
            stored = ident.get("identityHash")
            if not isinstance(stored, str):
                continue
            salt = ident.get("salt")
            salt = salt if isinstance(salt, str) else ""
            hashed = ident.get("hashed")
            if hashed is None:
                hashed = bool(_HASH.match(stored))
            how = "hashed" if hashed is True else "plaintext"
            if (_hash_matches(stored, forms, salt) if hashed is True
                    else _plain_matches(kind, stored, forms)):
                return PASSED, f"issued to {shown}: credentialSubject.identifier[{n}] ({itype}, {how}) matches"
    what = [f"{count} {t} identifier(s)" for t, count in sorted(compared.items())]
    if any(isinstance(s.get("id"), str) for s in subjects):
        what.insert(0, "credentialSubject.id")
    detail = f" (compared with {' and '.join(what)})" if what else ""
    if not compared and other_types:
        detail += (f"; it names its recipient by {', '.join(sorted(other_types))}, which cannot be compared "
                   f"with {_KIND_NAMES[kind]}")
    return FAILED, f"the credential was not issued to {shown}" + detail


_KIND_NAMES = {"email": "an email address", "phone": "a phone number", "url": "a URL", "did": "a DID",
               "other": "this value"}


def _recipient_forms(wanted: str) -> tuple[str, list[str], set[str]]:
    """(kind, forms to hash or compare, forms of credentialSubject.id) for a typed value."""
    typed = wanted.strip()
    if typed.startswith("did:"):
        return "did", [typed], {typed}
    if _URL.match(typed):
        return "url", [typed], {typed}
    from badgekit.roster import bare_email

    bare = bare_email(typed)
    if "@" in bare:
        normalised = bare.lower()  # roster.normalise_email: how badgekit hashes when it issues
        forms = list(dict.fromkeys([typed, bare, normalised]))
        return "email", forms, {typed, f"mailto:{bare}", f"mailto:{normalised}"}
    number = typed[4:] if typed.lower().startswith("tel:") else typed
    if _PHONE.match(number) and sum(c.isdigit() for c in number) >= 4:
        compact = ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())
        forms = list(dict.fromkeys([typed, number, compact]))
        return "phone", forms, {typed, f"tel:{number}", f"tel:{compact}"}
    return "other", [typed], {typed}


def _type_fits(kind: str, identity_type: str) -> bool:
    """Whether an IdentityObject of ``identity_type`` can name a recipient of ``kind``.

    OB 3.0 names only ``emailAddress`` among these kinds; OB 2.0 names (``email``, ``url``,
    ``telephone``) and ``ext:`` types are read by what they contain. A value of no known kind is
    tried against every identifier."""
    t = identity_type.lower().removeprefix("ext:")
    if kind == "email":
        return "email" in t
    if kind == "phone":
        return "phone" in t
    if kind == "url":
        return t in ("url", "uri", "identifier") or "url" in t
    if kind == "did":
        return t in ("did", "identifier")
    return True


def _hash_matches(stored: str, forms: Sequence[str], salt: str) -> bool:
    import hashlib
    import hmac

    m = _HASH.match(stored.strip())
    if m is None:
        return False
    algorithm, digest = m.group(1), m.group(2).lower()
    for form in forms:
        mine = hashlib.new(algorithm, (form + salt).encode("utf-8"), usedforsecurity=False).hexdigest()
        if hmac.compare_digest(mine, digest):
            return True
    return False


def _plain_matches(kind: str, stored: str, forms: Sequence[str]) -> bool:
    value = stored.strip()
    if value in forms:
        return True
    if kind == "email":
        from badgekit.roster import normalise_email

        return normalise_email(value) == normalise_email(forms[0])
    return False


# -- endorsements (check 11) --------------------------------------------------------------------


@dataclass(frozen=True)
class _EndorsementOutcome:
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
        by = f"{_short_id(name, 40)} ({_short_id(iid, 32)})" if name and iid else _short_id(name or iid)
        return f"{self.path} by {by}" if by else self.path

    def line(self, limit: int) -> str:
        detail = self.detail if len(self.detail) <= limit else self.detail[: limit - 1] + "…"
        return f"{self.label}: {self.check + ': ' if self.check else ''}{detail}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "issuerId": self.issuer_id, "issuerName": self.issuer_name, "status": self.status,
                "check": self.check, "reason": _one_line(self.detail)}


def _endorsed_elsewhere(doc: Mapping[str, Any], found: _FoundEndorsement, endorsement: Mapping[str, Any]) -> str | None:
    """A warning when an endorsement is about something other than what it is attached to (a
    genuine endorsement of another badge copied in), else None."""
    subject = next((s for s in _as_list(endorsement.get("credentialSubject")) if isinstance(s, Mapping)), {})
    endorsed = subject.get("id")
    if not isinstance(endorsed, str):
        return None
    host_id = found.host.get("id")
    accepted = {host_id}
    if found.host is doc:  # on the credential: about the credential, its issuer or its achievement
        issuer = doc.get("issuer")
        accepted.add(issuer.get("id") if isinstance(issuer, Mapping) else issuer)
        for s in _as_list(doc.get("credentialSubject")):
            achievement = s.get("achievement") if isinstance(s, Mapping) else None
            if isinstance(achievement, Mapping):
                accepted.add(achievement.get("id"))
    if endorsed in accepted:
        return None
    return f"endorses {_short_id(endorsed)}, not the object it is attached to ({_short_id(host_id) or 'no id'})"


def _short_id(value: Any, limit: int = 60) -> str:
    text = _text(value, 1000) or ""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed_as_assertion(doc: Mapping[str, Any], *ids: str) -> bool:
    doc_id = doc.get("id")
    for ref in _as_list(doc.get("assertionMethod")):
        rid = ref if isinstance(ref, str) else ref.get("id") if isinstance(ref, Mapping) else None
        if isinstance(rid, str):
            absolute = f"{doc_id}{rid}" if rid.startswith("#") else rid
            if absolute in ids or absolute.partition("#")[0] in ids:
                return True
    return False


def _embedded_context_problem(doc: Mapping[str, Any], knows: Callable[[str], bool]) -> str | None:
    """Why an ``@context`` inside the document (an embedded endorsement, a node object) is
    refused, or None. Embedded credentials may name bundled context URLs; an inline context
    object or an unbundled URL anywhere could redefine what the signed terms mean."""
    # Only containers are visited, and a node's JSON path is spelled out only when reported.
    stack: list[tuple[Any, tuple[Any, ...]]] = [
        (v, (k,)) for k, v in doc.items() if k != "@context" and isinstance(v, (list, Mapping))
    ]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((v, (*at, i)) for i, v in enumerate(node) if isinstance(v, (list, Mapping)))
            continue
        if "@context" in node:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at)
            ctx = node["@context"]
            for entry in ctx if isinstance(ctx, list) else [ctx]:
                if not isinstance(entry, str):
                    return (f"{where} has an inline @context object: only pinned context URLs are "
                            "accepted (inline terms could silently change what was signed)")
                if not knows(entry):
                    return f"{where} names context {entry}, which is not bundled; badgekit never fetches contexts"
        stack.extend((v, (*at, k)) for k, v in node.items() if k != "@context" and isinstance(v, (list, Mapping)))
    return None


def _looks_like_jws(text: str) -> bool:
    from badgekit import jwt

    return jwt.looks_like_jws(text)


def _as_vc2(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A VC 1.1 credential with its VC 1.1-only names mapped to VC 2.0, for the schema check only
    (never for signatures: the signed bytes are the credential as given)."""
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if k == "@context" and isinstance(v, list) and v and v[0] == _VC_V1:
            out[k] = [_VC_V2, *v[1:]]
        elif k == "issuanceDate":
            out["validFrom"] = v
        elif k == "expirationDate":
            out["validUntil"] = v
        else:
            out[k] = v
    return out


def _credential_kind(doc: Mapping[str, Any]) -> str:
    types = _as_list(doc.get("type"))
    return "EndorsementCredential" if "EndorsementCredential" in types else "AchievementCredential"


def _first_context(doc: Mapping[str, Any]) -> Any:
    ctx = doc.get("@context")
    return ctx[0] if isinstance(ctx, list) and ctx else ctx


def _iso(when: datetime | None) -> str:
    return format_utc(when) if when else "-"


def _path(path: Any) -> str:
    if isinstance(path, str):
        return path or "/"
    parts = list(path) if isinstance(path, (list, tuple)) else [path]
    return "/" + "/".join(str(p) for p in parts) if parts else "/"


def _short_key(multibase: str) -> str:
    return multibase[:12] + "…" if len(multibase) > 12 else multibase


def _text(value: Any, limit: int = 200) -> str | None:
    """A summary string from an untrusted value: strings only, bounded length."""
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _one_line(text: str, limit: int = 600) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]

"""OB 2.0 verification offline: checks 1-8 of ``badgekit verify``, with the same ids, on an Open
Badges 2.0 assertion and the copies of the documents it refers to (:class:`Documents`).

The steps follow OB 2.0 "Verification" (numbers as in ``badgekit verify``):

1. ``parse``            the stored text: a hosted assertion's URL, the assertion JSON, or a
                        compact JWS (bounded as OB 3.0 input is).
2. ``schema``           the Assertion, its BadgeClass and issuer Profile have what OB 2.0
                        requires ("Data Validation").
3. ``contexts``         ``@context`` is the OB 2.0 (or 1.1) context; read as plain JSON.
4. ``proof-structure``  SignedBadge: a JWS, RS256 (or ES256); HostedBadge: an HTTP(S) ``id``.
5. ``issuer-key``       SignedBadge: the key (``verification.creator``, else the issuer's
                        ``publicKey``) is owned by the issuer and listed in its Profile.
                        HostedBadge: the assertion URL is within the issuer's verification scope.
6. ``signature``        SignedBadge: the JWS verifies. HostedBadge: the hosted copy (the source
                        of truth) is what the earner holds.
7. ``validity``         ``issuedOn`` is not in the future, ``expires`` has not passed.
8. ``status``           HostedBadge: the hosted copy is not ``revoked``. SignedBadge: the
                        issuer's ``revocationList`` does not list the assertion.

A document that is needed and not supplied makes its check **indeterminate**, naming the URL to
supply; a check that needs a failed one is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badgekit import _legacy, jwt
from badgekit._io import MAX_INPUT_BYTES, loads_json
from badgekit._legacy import normalize_url
from badgekit._time import TimestampError, format_utc
from badgekit.errors import BadgekitError
from badgekit.limits import MAX_JSON_VALUES, count_values
from badgekit.ob2._documents import Documents, Missing, WrongCopy
from badgekit.ob2._hosted import first_difference, scope_problem, urls_normalized
from badgekit.ob2._objects import (
    HOSTED,
    SIGNED,
    as_list,
    assertion_problems,
    badge_class_problems,
    describe_recipient,
    is_http,
    node_id,
    parse_datetime,
    profile_problems,
    short_url,
    verification_of,
    verification_type,
)
from badgekit.ob2._signed import header_problem, issuer_key_ids, public_key

PASSED, FAILED, INDETERMINATE, SKIPPED = "passed", "failed", "indeterminate", "skipped"
#: The checks this module decides, in order (``badgekit verify`` adds trust, recipient, endorsements).
CHECK_IDS = ("parse", "schema", "contexts", "proof-structure", "issuer-key", "signature", "validity", "status")
SUPPLY = "supply a copy (verify --ob2-doc FILE, or badgekit cache add FILE)"


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``passed``, ``failed``, ``indeterminate`` or ``skipped``, and why."""

    id: str
    status: str
    reason: str


@dataclass(frozen=True)
class Verification:
    """What verifying one OB 2.0 assertion found.

    ``assertion``: the authoritative assertion (the JWS payload, or the hosted copy), None when it
    could not be read or was not supplied; ``held``: what the earner holds (JSON), if any;
    ``kind``: ``SignedBadge`` or ``HostedBadge``; ``badge_class``/``issuer``: the documents
    found; ``needs``: URLs whose copies were needed and not supplied; ``revoked``: the issuer
    revoked it (with ``revocation_reason``); ``key_fingerprints``: the signing key's JWK
    thumbprint (for a trust list).
    """

    checks: tuple[Check, ...]
    summary: Mapping[str, Any]
    kind: str | None = None
    assertion: Mapping[str, Any] | None = None
    held: Mapping[str, Any] | None = None
    badge_class: Mapping[str, Any] | None = None
    issuer: Mapping[str, Any] | None = None
    needs: tuple[str, ...] = ()
    revoked: bool = False
    revocation_reason: str | None = None
    key_fingerprints: frozenset[str] = frozenset()

    @property
    def verdict(self) -> str:
        """``invalid`` if a check failed, else ``indeterminate`` if one was, else ``valid``."""
        statuses = {c.status for c in self.checks}
        return "invalid" if FAILED in statuses else "indeterminate" if INDETERMINATE in statuses else "valid"

    def check(self, check_id: str) -> Check | None:
        return next((c for c in self.checks if c.id == check_id), None)


@dataclass
class _Run:
    text: str
    form: str
    documents: Documents
    at: datetime
    max_bytes: int
    size: int
    results: dict[str, Check] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    held: Mapping[str, Any] | None = None
    url: str | None = None  # a hosted assertion's URL
    jws: jwt.CompactJws | None = None
    assertion: Mapping[str, Any] | None = None
    badge_class: Mapping[str, Any] | None = None
    issuer: Mapping[str, Any] | None = None
    issuer_id: str | None = None
    issuer_embedded: bool = False  # an issuer without an HTTP(S) id: only its embedded Profile exists
    key: jwt.JwtKey | None = None
    needs: list[str] = field(default_factory=list)
    revoked: bool = False
    revocation_reason: str | None = None

    def set(self, check_id: str, status: str, reason: str) -> None:
        self.results[check_id] = Check(check_id, status, " ".join(reason.split())[:600])

    def status(self, check_id: str) -> str | None:
        found = self.results.get(check_id)
        return found.status if found else None

    def note(self, exc: Missing) -> None:
        self.needs.extend(url for url, _ in exc.items if url not in self.needs)

    def missing(self, check_id: str, exc: Missing) -> None:
        self.note(exc)
        copies = "copies" if len(exc.items) > 1 else "a copy"
        self.set(check_id, INDETERMINATE, f"needs {exc.describe()}: {SUPPLY.replace('a copy', copies)}")

    def skip_rest(self, reason: str) -> None:
        for cid in CHECK_IDS:
            if cid not in self.results:
                self.set(cid, SKIPPED, reason)

    def where(self, url: str) -> str:
        return self.documents.where(url)


class _Skip(Exception):  # noqa: N818 - a signal between the checks
    """The check cannot run because of an earlier failure; the message says which."""


def verify_text(text: str, *, form: str = "json", documents: Documents | None = None, at: datetime,
                max_bytes: int = MAX_INPUT_BYTES, size: int | None = None) -> Verification:
    """Verify the OB 2.0 assertion stored as ``text`` (a hosted assertion's URL, its JSON, or a
    compact JWS; ``form``: json, jwt, png or svg, as found) at the time ``at``, against the
    supplied ``documents``. Never raises for a bad assertion: a check fails instead."""
    run = _Run(text, form, documents or Documents(), at, max_bytes, len(text.encode("utf-8")) if size is None else size)
    steps = (("parse", _parse), ("schema", _schema), ("contexts", _contexts), ("proof-structure", _structure),
             ("issuer-key", _issuer_key), ("signature", _signature), ("validity", _validity), ("status", _status))
    for check_id, step in steps:
        try:
            step(run)
        except Missing as exc:
            run.missing(check_id, exc)
        except _Skip as exc:
            run.set(check_id, SKIPPED, str(exc))
        except WrongCopy as exc:
            run.set(check_id, FAILED, str(exc))
        except BadgekitError as exc:
            run.set(check_id, FAILED, exc.message)
        except RecursionError:
            run.set(check_id, FAILED, "input nested too deeply to process")
        except Exception as exc:  # noqa: BLE001 - a hostile document never crashes verification
            run.set(check_id, FAILED, f"could not process the assertion ({type(exc).__name__}: {exc})")
        if check_id == "parse" and run.status("parse") != PASSED:
            run.skip_rest("the assertion could not be read (check 1)")
            break
        if check_id == "schema" and run.assertion is None and run.held is None:
            run.skip_rest(f"needs the hosted assertion {run.url} (check 2)")
            break
    _fill_summary(run)
    checks = tuple(run.results[c] for c in CHECK_IDS if c in run.results)
    return Verification(checks, run.summary, run.kind, run.assertion, run.held, run.badge_class, run.issuer,
                        tuple(run.needs), run.revoked, run.revocation_reason,
                        run.key.fingerprints if run.key is not None else frozenset())


# -- 1. parse --------------------------------------------------------------------------------


def _parse(run: _Run) -> None:
    text = run.text.strip()
    baked = f"baked {run.form.upper()}: " if run.form in ("png", "svg") else ""
    if len(run.text) > run.max_bytes:
        run.set("parse", FAILED, f"larger than the {run.max_bytes} bytes accepted; refused")
        return
    if is_http(text) and not any(c.isspace() for c in text):
        run.url, run.kind = text, HOSTED
        run.set("parse", PASSED, f"{baked}Open Badges 2.0 hosted assertion URL {text[:200]}")
        return
    if text.startswith("{"):
        doc = loads_json(text, source="the assertion")
        what = "assertion JSON"
    elif jwt.looks_like_jws(text):
        run.jws = jwt.parse(text, max_bytes=run.max_bytes)
        doc, what = run.jws.payload, f"signed assertion (compact JWS, alg {run.jws.header.get('alg')!s})"
    else:
        run.set("parse", FAILED, "neither an assertion URL, assertion JSON nor a compact JWS")
        return
    if not isinstance(doc, dict):
        run.set("parse", FAILED, "the assertion is not a JSON object")
        return
    if count_values(doc, MAX_JSON_VALUES) > MAX_JSON_VALUES:
        run.set("parse", FAILED, f"the assertion has more than {MAX_JSON_VALUES} JSON values; refused")
        return
    run.held = doc
    run.kind = SIGNED if run.jws is not None else verification_type(doc)
    if run.kind == HOSTED and isinstance(doc.get("id"), str):
        run.url = doc["id"]
    run.set("parse", PASSED, f"{baked}Open Badges 2.0 {what}, {run.size:,} bytes")


# -- 2. schema (and finding the documents) -----------------------------------------------------


def _schema(run: _Run) -> None:
    note = ""
    if run.kind == HOSTED and run.url is not None and is_http(run.url):
        try:
            run.assertion = run.documents.need(run.url, "hosted assertion")
        except Missing as exc:
            if run.held is None:
                raise
            run.note(exc)
            note = f" (the earner's copy: the hosted assertion {run.url} was not supplied)"
    else:
        run.assertion = run.held
    doc = run.assertion or run.held
    assert doc is not None
    if run.assertion is not None and run.assertion.get("revoked") is True:
        run.revoked = True
        reason = run.assertion.get("revocationReason")
        run.revocation_reason = reason if isinstance(reason, str) else None
        run.set("schema", PASSED, f"the hosted copy ({run.where(run.url or '')}) is a revocation notice (check 8)")
        return
    problems = assertion_problems(doc) + _link(run, doc)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        run.set("schema", FAILED, "; ".join(problems[:3]) + more + note)
        return
    run.set("schema", PASSED, "the Assertion has the properties OB 2.0 requires"
            + (", and so do its BadgeClass and issuer Profile" if run.issuer is not None else "") + note)


def _link(run: _Run, assertion: Mapping[str, Any]) -> list[str]:
    """Find the BadgeClass and the issuer Profile (embedded, else supplied copies); what they
    lack. A copy not supplied is noted (``needs``), not a problem."""
    badge = assertion.get("badge")
    problems: list[str] = []
    if isinstance(badge, Mapping):
        run.badge_class = badge  # embedded: its problems are the assertion's
    elif isinstance(badge, str) and badge:
        try:
            run.badge_class = run.documents.need(badge, "BadgeClass")
        except Missing as exc:
            run.note(exc)
            return []
        problems = [f"BadgeClass {badge}: {p}" for p in badge_class_problems(run.badge_class)]
    else:
        return []
    run.issuer_id = node_id(run.badge_class.get("issuer"))
    if run.issuer_id is None:
        return problems
    embedded = run.badge_class.get("issuer")
    try:
        # The issuer's keys and verification policy count only from the Profile at its id
        # (OB 2.0 examples: "publicKeys referenced in an embedded issuer Profile should not be
        # trusted ... without checking the hosted Profile").
        run.issuer = run.documents.need(run.issuer_id, "issuer Profile")
    except Missing as exc:
        if not is_http(run.issuer_id) and isinstance(embedded, Mapping):
            run.issuer, run.issuer_embedded = embedded, True
        else:
            run.note(exc)
            return problems
    return problems + [f"issuer Profile {run.issuer_id}: {p}" for p in profile_problems(run.issuer)]


def _need_issuer(run: _Run, *also: tuple[str, str]) -> Mapping[str, Any]:
    """The issuer Profile; raises Missing naming the first link of badge → BadgeClass → issuer
    Profile not supplied (and ``also``), or _Skip when the assertion does not name them."""
    doc = run.assertion or run.held or {}
    if run.badge_class is None:
        badge = doc.get("badge")
        if not isinstance(badge, str) or not badge:
            raise _Skip("the assertion names no BadgeClass (check 2)")
        raise Missing(badge, "BadgeClass", *also)
    if run.issuer_id is None:
        raise _Skip("the BadgeClass names no issuer (check 2)")
    if run.issuer is None:
        raise Missing(run.issuer_id, "issuer Profile", *also)
    if also:
        raise Missing(*also[0], *also[1:])
    return run.issuer


# -- 3. contexts -----------------------------------------------------------------------------


def _contexts(run: _Run) -> None:
    doc = run.assertion or run.held
    assert doc is not None
    if run.revoked:
        run.set("contexts", SKIPPED, "the hosted copy is a revocation notice (check 8)")
        return
    if not _legacy.has_ob2_context(doc):
        found = doc.get("@context")
        run.set("contexts", FAILED, f"@context is {str(found)[:100]!r}, not the Open Badges 2.0 context "
                "https://w3id.org/openbadges/v2")
        return
    ctx = doc.get("@context")
    first = ctx[0] if isinstance(ctx, list) and ctx else ctx
    run.set("contexts", PASSED, f"Open Badges {'1.1' if str(first).rstrip('/').endswith('v1') else '2.0'} context "
            f"{first}; read as plain JSON (an OB 2.0 signature or hosted copy does not depend on JSON-LD processing)")


# -- 4. proof structure ----------------------------------------------------------------------


def _structure(run: _Run) -> None:
    doc = run.assertion or run.held
    if run.kind == SIGNED and run.jws is None:
        run.set("proof-structure", FAILED, "a SignedBadge assertion given as JSON, without its JWS: its signature "
                "is not there (ask the earner for the signed badge: the JWS, or the image it is baked into)")
        return
    if run.jws is not None:
        problem = header_problem(run.jws.header)
        if problem:
            run.set("proof-structure", FAILED, problem)
            return
        found = verification_type(run.jws.payload)
        if found != SIGNED:
            run.set("proof-structure", FAILED, f"the JWS carries an assertion whose verification type is {found or 'missing'}, "
                    "not SignedBadge")
            return
        creator = node_id((verification_of(run.jws.payload) or {}).get("creator"))
        run.set("proof-structure", PASSED, f"JWS, alg {run.jws.header['alg']}; verification SignedBadge"
                + (f", creator {creator}" if creator else " (no creator: the issuer's publicKey)"))
        return
    if run.kind == HOSTED:
        url = run.url or (doc or {}).get("id")
        if not is_http(url):
            run.set("proof-structure", FAILED, f"a HostedBadge assertion whose id {str(url)[:120]!r} is not an HTTP(S) "
                    "URL: there is no hosted copy to verify it against")
            return
        run.set("proof-structure", PASSED, f"HostedBadge: verified against the copy hosted at {url}")
        return
    run.set("proof-structure", FAILED, "verification.type is neither HostedBadge nor SignedBadge")


# -- 5. issuer key (signed) / hosting scope (hosted) -----------------------------------------


def _issuer_key(run: _Run) -> None:
    if run.status("proof-structure") != PASSED:
        run.set("issuer-key", SKIPPED, "needs a usable proof structure (check 4)")
        return
    if run.kind == HOSTED:
        _hosting_scope(run)
        return
    key_id = _signing_key(run)
    issuer = _need_issuer(run)
    assert run.key is not None
    if run.issuer_embedded:
        run.set("issuer-key", INDETERMINATE, f"the issuer {run.issuer_id} has no HTTP(S) Profile to confirm that it "
                f"owns the key {key_id}: an embedded Profile's publicKey is not evidence (OB 2.0)")
        return
    if normalize_url(key_id) not in {normalize_url(k) for k in issuer_key_ids(issuer)}:
        run.set("issuer-key", FAILED, f"the signing key {key_id} is not listed in the issuer Profile's publicKey "
                f"({run.issuer_id}, {run.where(str(run.issuer_id))})")
        return
    if normalize_url(run.key.controller or "") != normalize_url(run.issuer_id or ""):
        run.set("issuer-key", FAILED, f"the key {key_id} is owned by {run.key.controller!s}, not by the issuer "
                f"{run.issuer_id}")
        return
    run.set("issuer-key", PASSED, f"key {key_id} ({run.where(key_id)}) is owned by the issuer {run.issuer_id} and "
            f"listed in its Profile ({run.where(str(run.issuer_id))})")


def _signing_key(run: _Run) -> str:
    """Load the signing key: ``verification.creator``, else the first of the issuer's
    ``publicKey`` supplied. Returns its id. Raises Missing naming what is not supplied."""
    assert run.jws is not None
    key_id = node_id((verification_of(run.jws.payload) or {}).get("creator"))
    if key_id is None:
        listed = issuer_key_ids(_need_issuer(run))
        if not listed:
            raise BadgekitError(f"the issuer Profile {run.issuer_id} lists no publicKey and the assertion names no "
                                "creator key")
        key_id = next((k for k in listed if run.documents.get(k) is not None), listed[0])
    if run.key is None:
        try:
            document = run.documents.need(key_id, "CryptographicKey")
        except Missing:
            if run.issuer is None and run.status("issuer-key") is None:
                _need_issuer(run, (key_id, "CryptographicKey"))  # name every link missing at once
            raise
        run.key = public_key(document, str(run.jws.header["alg"]), key_id=key_id)
    return key_id


def _hosting_scope(run: _Run) -> None:
    url = run.url or ""
    problem, scope = scope_problem(url, _need_issuer(run))
    if problem:
        run.set("issuer-key", FAILED, problem)
        return
    run.set("issuer-key", PASSED, f"the assertion is hosted within the issuer's verification scope ({scope}; "
            f"issuer Profile {run.issuer_id}, {run.where(str(run.issuer_id))})")


# -- 6. signature (signed) / the hosted copy (hosted) ----------------------------------------


def _signature(run: _Run) -> None:
    if run.status("proof-structure") != PASSED:
        run.set("signature", SKIPPED, "needs a usable proof structure (check 4)")
        return
    if run.kind == HOSTED:
        _hosted_copy(run)
        return
    assert run.jws is not None
    _signing_key(run)
    assert run.key is not None
    if not jwt.verify_signature(run.jws, run.key):
        run.set("signature", FAILED, f"the JWS signature does not verify with the key {run.key.key_id}")
        return
    run.set("signature", PASSED, f"JWS {run.key.alg} signature verifies with the key {run.key.key_id}")


def _hosted_copy(run: _Run) -> None:
    url = run.url or ""
    if run.assertion is None:
        raise Missing(url, "hosted assertion")
    if run.revoked:
        run.set("signature", SKIPPED, "the hosted copy is a revocation notice: nothing to compare (check 8)")
        return
    if run.held is None:
        run.set("signature", PASSED, f"the earner holds the URL only; the hosted copy ({run.where(url)}) is the assertion")
        return
    if _same(run.held, run.assertion):
        run.set("signature", PASSED, f"the hosted copy of {url} ({run.where(url)}) is the assertion the earner holds")
        return
    run.set("signature", FAILED, f"the assertion the earner holds differs from the hosted copy of {url} "
            f"({run.where(url)}) in {first_difference(run.held, run.assertion)}")


def _same(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # Exact JSON equality (Python's == takes true for 1 and 1 for 1.0), http(s) URLs compared with
    # their scheme and host in lower case (HTTPS://Example.org/a is https://example.org/a).
    return json.dumps(urls_normalized(a), sort_keys=True) == json.dumps(urls_normalized(b), sort_keys=True)


# -- 7. validity -----------------------------------------------------------------------------


def _validity(run: _Run) -> None:
    doc = run.assertion or run.held
    if doc is None or run.revoked:
        run.set("validity", SKIPPED, "the assertion is not there (check 2)" if doc is None else
                "the hosted copy is a revocation notice (check 8)")
        return
    try:
        issued = parse_datetime(doc.get("issuedOn"), field="issuedOn")
        expires = parse_datetime(doc["expires"], field="expires") if "expires" in doc else None
    except TimestampError as exc:
        run.set("validity", FAILED, exc.message)
        return
    at = format_utc(run.at)
    if issued > run.at:
        run.set("validity", FAILED, f"issuedOn {format_utc(issued)} is after the verification time {at}")
    elif expires is not None and expires <= run.at:
        run.set("validity", FAILED, f"expired on {format_utc(expires)} (verification time {at})")
    else:
        until = f"until {format_utc(expires)}" if expires else "no expiry"
        run.set("validity", PASSED, f"issued {format_utc(issued)}, {until}; checked at {at}")


# -- 8. status -------------------------------------------------------------------------------


def _status(run: _Run) -> None:
    if run.kind == HOSTED:
        url = run.url or ""
        if run.assertion is None:
            raise Missing(url, "hosted assertion")
        if run.revoked:
            why = f": {run.revocation_reason}" if run.revocation_reason else ""
            run.set("status", FAILED, f"revoked: the hosted copy of {url} ({run.where(url)}) says revoked{why}")
            return
        run.set("status", PASSED, f"not revoked: the hosted copy ({run.where(url)}) is not a revocation notice")
        return
    if run.kind != SIGNED or run.held is None:
        run.set("status", SKIPPED, "needs a usable proof structure (check 4)")
        return
    list_url = _need_issuer(run).get("revocationList")
    if list_url is None:
        run.set("status", PASSED, f"the issuer {run.issuer_id} publishes no revocation list")
        return
    revocations = run.documents.need(str(list_url), "RevocationList")
    ids = {normalize_url(i) for i in (run.held.get("id"), run.held.get("uid")) if isinstance(i, str)}
    for entry in as_list(revocations.get("revokedAssertions")):
        found = entry if isinstance(entry, str) else entry.get("id", entry.get("uid")) if isinstance(entry, Mapping) else None
        if isinstance(found, str) and normalize_url(found) in ids:
            reason = entry.get("revocationReason") if isinstance(entry, Mapping) else None
            run.revoked = True
            run.revocation_reason = reason if isinstance(reason, str) else None
            why = f": {reason}" if isinstance(reason, str) else ""
            run.set("status", FAILED, f"revoked: listed in the RevocationList {list_url} ({run.where(str(list_url))}){why}")
            return
    run.set("status", PASSED, f"not in the RevocationList {list_url} ({run.where(str(list_url))})")


def _fill_summary(run: _Run) -> None:
    doc = run.assertion if run.assertion is not None and not run.revoked else run.held or run.assertion or {}
    badge = run.badge_class or (doc.get("badge") if isinstance(doc.get("badge"), Mapping) else {}) or {}
    issuer = run.issuer or (badge.get("issuer") if isinstance(badge.get("issuer"), Mapping) else {}) or {}
    name = badge.get("name") if isinstance(badge.get("name"), str) else None
    run.summary.update({
        "format": run.form,
        "securing": {SIGNED: "ob2-signed", HOSTED: "ob2-hosted"}.get(run.kind or "", "ob2"),
        "obVersion": "2.0",
        "credentialId": _text(doc.get("id")) or _text(run.url),
        "type": [t for t in as_list(doc.get("type")) if isinstance(t, str)][:4],
        "name": name,
        "issuerId": _text(run.issuer_id or node_id(badge.get("issuer"))),
        "issuerName": _text(issuer.get("name")),
        "recipient": describe_recipient(doc.get("recipient")),
        "achievementName": name,
        "achievementType": None,
        "validFrom": _text(doc.get("issuedOn")),
        "validUntil": _text(doc.get("expires")),
        "notChecked": [f"{short_url(url)} (not supplied)" for url in run.needs],
    })


def _text(value: object, limit: int = 200) -> str | None:
    return value[:limit] if isinstance(value, str) else None

"""Bulk issuing: roster → validated rows → reserved ids and status indices → signed files.

The pipeline (docs/adr/0003-ledger.md):

1. **Validate** every row first (streamed): bad rows are reported by line and column; with
   ``strict`` nothing is signed if any row is bad. A badge class that ``requires`` others has each
   row checked against the ledger too, one query per chunk (see :func:`prerequisite_check`).
2. **Plan** each good row against the ledger, in chunks: already issued (nothing to do), reserved by
   an interrupted run (sign it again, same bytes), or new (reserve id + random status index in one
   transaction, before signing).
3. **Sign** chunks in worker processes (:mod:`badgekit._parallel`; a script calling this with
   ``workers`` > 1 needs an ``if __name__ == "__main__":`` guard); each credential file is written
   atomically; the ledger marks it issued afterwards. A kill at any point loses nothing: the next
   run resumes.

Two output formats (``IssueOptions.format``): ``ldp`` writes ``<id>.json`` with an embedded
``eddsa-rdfc-2022`` Data Integrity proof (Ed25519 key); ``jwt`` writes ``<id>.jwt``, the credential
as a VC-JWT compact JWS on one line (``EdDSA`` with an Ed25519 key, ``RS256`` with an RSA key), with
no embedded proof. The ledger records whichever file was written.

Credential content depends only on the ledger reservation and the row, never on the worker count,
so ``workers=N`` writes exactly what ``workers=1`` writes.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any, Literal

from badgekit import _parallel, proof, roster
from badgekit import credential as cred
from badgekit._io import atomic_write, dumps_json
from badgekit._time import format_utc, parse_datetime_stamp, utc_now
from badgekit.errors import InputError
from badgekit.keys import Ed25519Key, PrivateKey, RsaKey
from badgekit.ledger import Issuance, Ledger
from badgekit.roster import RowError

CHUNK = 256
#: Signing chunks (64 rows) below which no worker pool is started: a pool takes ~0.2 s to start
#: (badgekit._parallel), so two processes win only on more than ~0.4 s of work (~1 ms a row).
PARALLEL_MIN_CHUNKS = 6
#: Output formats: Data Integrity proof in JSON, or VC-JWT (compact JWS).
FORMATS = ("ldp", "jwt")
_SUFFIX = {"ldp": ".json", "jwt": ".jwt"}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IssueOptions:
    out_dir: Path
    workers: int = 1
    dry_run: bool = False
    strict: bool = False
    reissue: bool = False
    now: datetime | None = None  # injected clock (tests, golden files)
    rng_seed: int | None = None  # deterministic status-index allocation (tests)
    verification_method: str | None = None
    #: kid of RS256 VC-JWTs (RSA key); None → ``<issuer id>#<JWK thumbprint>`` (see :func:`jwt_kid`)
    jwt_verification_method: str | None = None
    bake: tuple[str, ...] = ()  # "png" and/or "svg": a baked image beside each credential
    recipient_images: bool = False  # render each image for its recipient (name, QR of the id): slower
    format: Literal["ldp", "jwt"] = "ldp"  # ldp: <id>.json with a Data Integrity proof; jwt: <id>.jwt (VC-JWT)
    actor: str = "badgekit"  # who issues: recorded with the ledger's issued/reissued events
    date_order: str | None = None  # "DMY" / "MDY": how the roster writes numeric dates like 04/03/2026
    fonts: tuple[str, ...] | None = None  # baked PNGs: fonts for characters DejaVu Sans lacks; None → installed ones
    #: False: issue credentials without a status entry, on purpose (they can never be revoked);
    #: without it, issuing needs a status_base_url (or the badge class's ``revocable: false``)
    revocable: bool = True
    #: the DID document (or issuer profile) the issuer hosts, which must list the signing key;
    #: not needed for a did:key issuer (see :func:`check_signing_setup`)
    issuer_document: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class RowOutcome:
    """What happened to one roster line."""

    line: int
    status: str  # issued | resumed | already-issued | would-issue | rejected
    credential_id: str | None = None
    path: str | None = None
    errors: tuple[RowError, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class IssueReport:
    roster: str
    badge_id: str
    outcomes: tuple[RowOutcome, ...]
    #: Unknown header columns (ignored): warnings, which never fail a run or block ``strict``.
    header_errors: tuple[RowError, ...] = ()
    elapsed_s: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    revocable: bool = True  # False: issued without a status entry, on purpose (never revocable)

    @property
    def ok(self) -> bool:
        return not any(o.status == "rejected" for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "roster": self.roster,
            "badge": self.badge_id,
            "revocable": self.revocable,
            "counts": self.counts,
            "elapsedSeconds": round(self.elapsed_s, 3),
            "headerErrors": [_err_json(e) for e in self.header_errors],
            "rows": [
                {
                    "line": o.line,
                    "status": o.status,
                    "credentialId": o.credential_id,
                    "path": o.path,
                    "errors": [_err_json(e) for e in o.errors],
                    **({"note": o.note} if o.note else {}),
                }
                for o in self.outcomes
            ],
        }


def _err_json(e: roster.RowError) -> dict[str, Any]:
    return {"line": e.line, "column": e.column, "reason": e.reason}


# ---------------------------------------------------------------------------------------------
# validation


def open_roster(path: Path, requirements: Sequence[Any], date_order: str | None = None,
                extra_columns: Sequence[str] = ()) -> roster.Roster:
    """The roster as the badge class reads it: its requirement columns (and ``extra_columns``)
    known, the columns its rules need required in the header, its date columns read in ``date_order``."""
    needed = [req.column for req in requirements
              if getattr(req, "kind", None) in ("required", "min", "max") and getattr(req, "value", None) is not False]
    return roster.Roster.open(
        path,
        extra_columns=[*(req.column for req in requirements), *extra_columns],
        required_columns=needed,
        date_columns=[req.column for req in requirements if getattr(req, "kind", None) == "date"],
        date_order=date_order,
    )


RowCheck = Callable[[Sequence[roster.Row]], dict[int, list[RowError]]]


def validate_roster(path: Path, requirements: Sequence[Any], date_order: str | None = None, *,
                    check: RowCheck | None = None, extra_columns: Sequence[str] = ()
                    ) -> tuple[roster.Roster, list[roster.RowError], dict[int, list[roster.RowError]], int]:
    """First pass: every row checked, duplicates found; rows that pass go to ``check`` (e.g. the
    ledger's prerequisites) in chunks of :data:`CHUNK`. Returns (roster, header errors, errors by
    line, good count)."""
    r = open_roster(path, requirements, date_order, extra_columns)
    header_errors = r.header_errors()
    by_line: dict[int, list[roster.RowError]] = {}
    seen: dict[str, int] = {}
    good = 0
    passed: list[roster.Row] = []

    def flush() -> None:
        nonlocal good
        failed = check(passed) if check is not None and passed else {}
        for row in passed:
            if failed.get(row.line):
                by_line[row.line] = r.labelled(failed[row.line])
            else:
                good += 1
        passed.clear()

    for item in r.rows():
        if isinstance(item, roster.RowError):
            by_line.setdefault(item.line, []).append(item)
            continue
        errors = roster.validate_row(item, requirements, date_order=date_order)
        if not errors:
            key = hashlib.sha256(cred.Recipient.from_row(item.values).key.encode()).digest()
            first = seen.get(key)  # type: ignore[call-overload]
            if first is not None:
                errors = [roster.RowError(item.line, _recipient_column(item), f"duplicate recipient (also on line {first})")]
            else:
                seen[key] = item.line  # type: ignore[index]
        if errors:
            by_line[item.line] = r.labelled(errors)
        else:
            passed.append(item)
            if len(passed) >= CHUNK:
                flush()
    flush()
    return r, header_errors, by_line, good


def _recipient_column(row: roster.Row) -> str:
    return "email" if row.get("email") else "recipient_id" if row.get("recipient_id") else "student_id"


#: Roster column naming a credential held from another issuer in place of a required one (an
#: http(s) URL or a urn: id); known only to badge classes that ``require`` others. The issued
#: credential cites it as evidence (``credential._evidence``).
PRIOR_COLUMN = "prior_credential"
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+")
_HELD_STATE = {"pending": "only reserved by an unfinished run", "revoked": "revoked", "expired": "expired",
               "suspended": "suspended"}


def prerequisite_check(ledger: Ledger, badge_id: str, required: Mapping[str, str], now: datetime, *,
                       reissue: bool = False) -> RowCheck:
    """A :data:`RowCheck`: each row's recipient must hold an *active* credential (issued, not
    revoked, suspended or expired at ``now``) of every badge class in ``required`` (id → name) in
    this project's ledger, under any of the row's identifiers (email, recipient_id, student_id);
    or the row names one held elsewhere in :data:`PRIOR_COLUMN`. A recipient who already has
    ``badge_id`` is left to planning (already issued / resumed), unless ``reissue``.
    One ledger query per chunk."""

    def check(rows: Sequence[roster.Row]) -> dict[int, list[RowError]]:
        errors: dict[int, list[RowError]] = {}
        keys = {row.line: _identity_keys(ledger, row.values) for row in rows}
        held: dict[tuple[str, str], list[Issuance]] = {}
        for issuance in ledger.issuances_of([*required, badge_id], [k for ks in keys.values() for k in ks]):
            held.setdefault((issuance.badge_id, issuance.recipient_key), []).append(issuance)
        for row in rows:
            prior = row.get(PRIOR_COLUMN)
            if prior is not None:
                if not (roster.is_url(prior) or _URN.fullmatch(prior)):
                    errors[row.line] = [RowError(row.line, PRIOR_COLUMN,
                                                 f"{prior!r} is not an http(s) URL or urn: id of a credential")]
                continue
            if not reissue and held.get((badge_id, keys[row.line][0])):
                continue
            for rid, name in required.items():
                mine = [i for k in keys[row.line] for i in held.get((rid, k), ())]
                states = [i.state_at(now) for i in sorted(mine, key=lambda i: i.issued_at)]
                if "active" in states:
                    continue
                detail = f"; theirs is {_HELD_STATE[states[-1]]}" if states else ""
                errors.setdefault(row.line, []).append(RowError(
                    row.line, _recipient_column(row),
                    f"holds no active {name!r} credential (required by this badge class{detail}); "
                    f"if it was earned elsewhere, give it in a {PRIOR_COLUMN} column"))
        return errors

    return check


def _identity_keys(ledger: Ledger, values: Mapping[str, str]) -> list[str]:
    """The ledger keys of every identifier of a row, the one issuing records first."""
    r = cred.Recipient.from_row(values)
    keys = [r.key]
    for one in (cred.Recipient(email=r.email), cred.Recipient(subject_id=r.subject_id), cred.Recipient(student_id=r.student_id)):
        if (one.email or one.subject_id or one.student_id) and one.key not in keys:
            keys.append(one.key)
    return [ledger.recipient_key(k) for k in keys]


# ---------------------------------------------------------------------------------------------
# worker side


@dataclass(frozen=True)
class _Job:
    credential_id: str
    values: dict[str, str]
    issued_at: str
    valid_until: str | None
    list_url: str | None
    status_index: int | None
    purpose: str | None
    salt: str
    path: str


_WORKER: dict[str, Any] = {}


def _init_worker(key: PrivateKey, verification_method: str | None, issuer: dict[str, Any], achievement: dict[str, Any],
                 validity: str | None, images: dict[str, Any] | None = None, fmt: str = "ldp") -> None:
    if fmt == "jwt":
        # verification_method is already the kid chosen by jwt_kid()
        _WORKER.update(jws=(key, verification_method), signer=None)
    else:
        assert isinstance(key, Ed25519Key)  # check_signing_setup refused anything else
        _WORKER.update(signer=key.signer(verification_method), jws=None)
    _WORKER.update(issuer=issuer, achievement=achievement, validity=validity, images=images or {})


def _parse_ts(text: str) -> datetime:
    return parse_datetime_stamp(text, field="timestamp")  # one badgekit wrote: never fails


def build_for_job(job: _Job, issuer: Mapping[str, Any], achievement: Mapping[str, Any]) -> dict[str, Any]:
    """The unsigned credential for a planned job (pure: same job, same document)."""
    from badgekit import status as status_mod

    valid_from = roster.parse_date(job.values["issued"]) if job.values.get("issued") else _parse_ts(job.issued_at)
    entry = (
        status_mod.status_entry(job.list_url, job.status_index, job.purpose)  # type: ignore[arg-type]
        if job.list_url is not None and job.status_index is not None
        else None
    )
    return cred.build_credential(
        credential_id=job.credential_id,
        issuer=issuer,
        achievement=achievement,
        recipient=cred.Recipient.from_row(job.values),
        values=job.values,
        salt=job.salt,
        valid_from=valid_from,
        valid_until=_parse_ts(job.valid_until) if job.valid_until else None,
        status_entry=entry,
    )


def _sign_chunk(jobs: Sequence[_Job]) -> list[tuple[str, str]]:
    w = _WORKER
    done = []
    for job in jobs:
        unsigned = build_for_job(job, w["issuer"], w["achievement"])
        if w["jws"] is not None:
            from badgekit import jwt

            key, kid = w["jws"]
            signed, text = unsigned, jwt.sign_vc_jwt(unsigned, key, kid=kid)  # the file is the JWS, byte for byte
        else:
            signed = proof.add_proof(unsigned, w["signer"], created=job.issued_at)
            text = dumps_json(signed, indent=None)  # one line: the C encoder (pretty: jq, badgekit extract)
        atomic_write(job.path, text, durable=False, staging=_staging(job.path))  # _usable(): empty ⇒ rewritten
        if w["images"]:
            _bake_images(job, signed, text, w["images"])
        done.append((job.credential_id, job.path))
    return done


def _bake_images(job: _Job, signed: Mapping[str, Any], text: str, images: Mapping[str, Any]) -> None:
    """Write ``<id>.png`` / ``<id>.svg`` holding exactly the credential file's text."""
    from badgekit import baking

    spec = images.get("recipient")
    for fmt in images["formats"]:
        if spec is not None:
            svg = _render(spec, recipient_name=job.values.get("name", ""), qr_data=str(signed["id"]),
                          valid_from=signed.get("validFrom"), valid_until=signed.get("validUntil"))
            base = svg.encode("utf-8") if fmt == "svg" else _raster(svg, images.get("fonts"))
        else:
            base = images[fmt]
        atomic_write(Path(job.path).with_suffix("." + fmt), baking.bake(base, text, source=job.path),
                     durable=False, staging=_staging(job.path))


def _render(spec: Mapping[str, Any], **overrides: Any) -> str:
    from badgekit.baking import render

    args = dict(spec)
    args.update(overrides)
    for key in ("valid_from", "valid_until"):
        if isinstance(args.get(key), str):
            args[key] = _parse_ts(args[key]).date()
    return render.render_badge(**args)


def _raster(svg: str, fonts: Sequence[str] | None = None) -> bytes:
    from badgekit.baking import render

    return render.render_png(svg, width=400, fonts=fonts)


def recipient_image_fonts(spec: Mapping[str, Any], rows: Iterable[roster.Row], roster_name: str,
                          fonts: Sequence[str] | None) -> tuple[str, ...]:
    """The fonts per-recipient PNGs need beside the bundled ones, found before anything is reserved:
    the template's own text and every roster name must be drawable.

    Raises:
        InputError: a name (or template text) with a character no font covers; names its line.
    """
    from badgekit.baking import render

    template_text = (("badge image text", t) for t in render.drawn_text(_render(spec, recipient_name="")))
    names = ((f"{roster_name}: line {row.line}, column name", row.values.get("name", "")) for row in rows)
    return render.fonts_for(itertools.chain(template_text, names), fonts=fonts)


def badge_images(badge: Any, issuer: Mapping[str, Any], formats: Sequence[str], *, valid_from: datetime,
                 valid_until: datetime | None, per_recipient: bool, fonts: Sequence[str] | None = None) -> dict[str, Any]:
    """Images to bake: rendered once for the badge class (fast), or a spec each worker renders
    per recipient (recipient name, QR code of the credential id; about 10 ms more per image).
    ``fonts``: see :func:`badgekit.baking.render.fonts_for`."""
    policy = badge.policy
    achievement = badge.achievement
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), Mapping) else {}
    link = next((u for u in (achievement.get("id"), criteria.get("id")) if isinstance(u, str) and u.startswith("https://")), None)
    spec: dict[str, Any] = {
        "template": getattr(policy, "image_template", None) or "default",
        "badge_name": str(achievement.get("name", "")),
        "issuer_name": str(issuer.get("name", "")),
        "colour": getattr(policy, "colour", None),
        "level_label": getattr(policy, "level_label", None) or str(achievement.get("achievementType", "")).removeprefix("ext:"),
        "family_label": getattr(policy, "family", None) or "",
        "valid_from": valid_from.date(),
        "valid_until": valid_until.date() if valid_until else None,
        "qr_data": link,
    }
    out: dict[str, Any] = {"formats": tuple(formats), "fonts": fonts}
    if per_recipient:
        out["recipient"] = spec
        return out
    svg = _render(spec)
    if "svg" in formats:
        out["svg"] = svg.encode("utf-8")
    if "png" in formats:
        out["png"] = _raster(svg, fonts)
    return out


# ---------------------------------------------------------------------------------------------
# the workflow


def credential_filename(credential_id: str, fmt: str = "ldp") -> str:
    """File name for a credential: its id without the scheme (never personal data), ``.json``
    (Data Integrity) or ``.jwt`` (VC-JWT)."""
    return credential_id.rsplit(":", 1)[-1] + _SUFFIX[fmt]


def check_signing_setup(key: PrivateKey, issuer: Mapping[str, Any], options: IssueOptions) -> None:
    """Refuse a key, format and issuer that cannot work together, before anything is reserved.

    Raises:
        InputError: unknown format; an RSA key with the Data Integrity format; an RSA key for a
            did:key issuer, or for an issuer whose id cannot name its method (see :func:`jwt_kid`).
        KeyFileError: the key is not the issuer's: not its did:key, or not listed under the
            method it signs as in ``options.issuer_document`` (see :func:`badgekit.did.check_issuer_key`).
    """
    if options.format not in FORMATS:
        raise InputError(f"format {options.format!r} is not one of {', '.join(FORMATS)}")
    if isinstance(key, RsaKey) and options.format != "jwt":
        raise InputError("an RSA key signs only VC-JWT (RS256): Data Integrity proofs (eddsa-rdfc-2022) need an Ed25519 key",
                         hint="issue with --format jwt, or sign with an Ed25519 key")
    from badgekit import did

    if isinstance(key, RsaKey):
        did.check_issuer_key(str(issuer.get("id", "")), str(jwt_kid(key, issuer, options)), key.public_jwk, options.issuer_document)
    else:
        method = jwt_kid(key, issuer, options) if options.format == "jwt" else key.signer(options.verification_method).verification_method
        did.check_issuer_key(str(issuer.get("id", "")), str(method), key.public_key, options.issuer_document)


def jwt_kid(key: PrivateKey, issuer: Mapping[str, Any], options: IssueOptions) -> str | None:
    """The ``kid`` of the VC-JWTs ``key`` signs for ``issuer``: the verification method a verifier
    dereferences to find this very key.

    * Ed25519 (EdDSA): the project's ``verification_method``, else the key's own did:key method.
    * RSA (RS256): ``jwt_verification_method`` when set, else ``<issuer id>#<RFC 7638 JWK
      thumbprint>``, the ``JsonWebKey`` method ``badgekit key did-web`` lists for it. Never the
      Ed25519 ``verification_method``: that names another key, and a verifier following the kid
      would find the Ed25519 key and refuse the RS256 signature.

    Raises:
        InputError: an RSA key for a did:key issuer (a did:key names one Ed25519 key), or for an
            issuer id that is neither a DID nor an http(s) URL without ``jwt_verification_method``.
    """
    if isinstance(key, Ed25519Key):
        return options.verification_method or key.signer().verification_method
    issuer_id = str(issuer.get("id", ""))
    if issuer_id.startswith("did:key:"):
        raise InputError(f"issuer {issuer_id} is a did:key, which names an Ed25519 key; an RSA key cannot sign for it",
                         hint="give the issuer a did:web or https:// id and list the RSA key with 'badgekit key did-web'")
    if options.jwt_verification_method:
        return options.jwt_verification_method
    if not issuer_id.startswith(("did:", "https://", "http://")) or "#" in issuer_id:
        raise InputError(f"issuer id {issuer_id!r} cannot name the RSA key's verification method (the JWT kid)",
                         hint="give the issuer a did:web or https:// id, or set [issuer] jwt_verification_method in badgekit.toml")
    from badgekit import did

    return did.rsa_verification_method(issuer_id, key.public_jwk)


def status_url_for(base: str, purpose: str) -> Callable[[int], str]:
    base = base if base.endswith("/") else base + "/"
    return lambda n: f"{base}{purpose}-{n}.json"


def issue_roster(
    *,
    roster_path: Path,
    badge: Any,
    issuer: Mapping[str, Any],
    key: PrivateKey,
    ledger: Ledger,
    options: IssueOptions,
    status_base_url: str | None = None,
    progress: Progress | None = None,
    sink: Callable[[RowOutcome], None] | None = None,
    prerequisites: Mapping[str, str] | None = None,
) -> IssueReport:
    """Issue one credential per eligible roster row. See the module docstring for the phases.

    A badge class whose policy ``requires`` others has rows rejected whose recipient holds none
    active in ``ledger`` (see :func:`prerequisite_check`); ``prerequisites`` (id → name, from
    :func:`badgekit.badgeclass.required_badges`) names them in the reasons (else their ids).

    With ``sink``, every row's outcome is handed to it in roster-line order as soon as it is
    decided, and the report keeps only rejected rows and rows with a note (memory stays flat with
    roster size); without it, the report holds every row.

    Raises:
        InputError: the roster cannot be read at all (no header, not text, no recipient column);
            the key, format and issuer do not fit together (see :func:`check_signing_setup`); no
            ``status_base_url`` while neither ``options.revocable`` nor the badge class says the
            credentials are not revocable.
        LedgerError: the ledger cannot be updated; :class:`~badgekit.ledger.AlreadyReserved` when
            another run of the same roster reserved rows this run planned (it stops there; what
            either run reserved is signed by it or resumed by the next run).
    """
    check_signing_setup(key, issuer, options)
    started = utc_now()
    now = (options.now or started).astimezone(UTC).replace(microsecond=0)
    policy = badge.policy
    achievement = dict(badge.achievement)
    badge_id = str(achievement.get("id") or badge.id)
    purpose = getattr(policy, "status_purpose", None) or "revocation"
    validity = getattr(policy, "validity", None)
    revocable = options.revocable and getattr(policy, "revocable", True)
    if revocable and not status_base_url:
        raise InputError(
            f"no status list URL (status_base_url): the credentials of badge {badge_id} could never be revoked",
            hint="set status_base_url under [project] in badgekit.toml; to issue credentials that cannot be revoked "
                 "on purpose, pass --no-revocation (or set revocable: false in the badge class)",
        )

    requirements = getattr(policy, "requirements", ())
    requires = tuple(getattr(policy, "requires", ()))
    required = {rid: (prerequisites or {}).get(rid, rid) for rid in requires}
    check = prerequisite_check(ledger, badge_id, required, now, reissue=options.reissue) if required else None
    extra = (PRIOR_COLUMN,) if required else ()
    r, header_errors, errors_by_line, good = validate_roster(roster_path, requirements, options.date_order,
                                                             check=check, extra_columns=extra)
    outcomes = _Outcomes({line: RowOutcome(line, "rejected", errors=tuple(errs)) for line, errs in errors_by_line.items()}, sink)
    if not options.dry_run and errors_by_line:
        ledger.record_rejections(badge_id, str(roster_path), [e for errs in errors_by_line.values() for e in errs])
    strict_block = options.strict and errors_by_line  # an unknown column is ignored, not a problem
    if strict_block or good == 0:
        return _report(r, badge_id, outcomes, header_errors, started, revocable)

    out_dir = Path(options.out_dir)
    url_for = status_url_for(status_base_url, purpose) if revocable and status_base_url else None
    rng = Random(options.rng_seed) if options.rng_seed is not None else None
    issued_at = format_utc(now)

    def valid_until_for(values: Mapping[str, str]) -> str | None:
        if not validity:
            return None
        from badgekit.badgeclass import add_duration

        start = roster.parse_date(values["issued"]) if values.get("issued") else now
        return format_utc(add_duration(start, validity))

    def plan(chunk: list[roster.Row]) -> list[_Job]:
        decided: dict[int, RowOutcome] = {}
        jobs = _plan(chunk, decided)
        outcomes.add_chunk(decided)
        return jobs

    def _plan(chunk: list[roster.Row], outcomes: dict[int, RowOutcome]) -> list[_Job]:
        """Decide each row's fate; reserve new credentials in one transaction."""
        jobs: list[_Job] = []
        pending: list[tuple[roster.Row, dict[str, Any]]] = []
        keys = [ledger.recipient_key(cred.Recipient.from_row(row.values).key) for row in chunk]
        known = ledger.latest_many(badge_id, keys)
        for row, recipient_key in zip(chunk, keys, strict=True):
            fingerprint = _fingerprint(row.values)
            latest = known.get(recipient_key)
            if latest is not None and latest.state == "reserved":
                jobs.append(_job(latest, row.values, out_dir, ledger, options.format))
                outcomes[row.line] = RowOutcome(row.line, "resumed", latest.credential_id, jobs[-1].path)
                continue
            if latest is not None and not options.reissue:
                path = latest.output_path
                note = None if latest.row_fingerprint == fingerprint else "roster row changed since it was issued; use --reissue for a new credential"
                if path and _usable(path):
                    outcomes[row.line] = RowOutcome(row.line, "already-issued", latest.credential_id, path, note=note)
                    continue
                # issued before, but the file is gone: write the same credential again
                job = _job(latest, row.values, out_dir, ledger, options.format)
                jobs.append(job)
                outcomes[row.line] = RowOutcome(row.line, "already-issued", latest.credential_id, job.path, note="credential file was missing and has been rewritten")
                continue
            generation = 1 if latest is None else latest.generation + 1
            if options.dry_run:
                cid = ledger.credential_id(badge_id, recipient_key, generation)
                outcomes[row.line] = RowOutcome(row.line, "would-issue", cid, str(out_dir / credential_filename(cid, options.format)))
                continue
            pending.append((row, {
                "badge_id": badge_id, "recipient_key": recipient_key, "generation": generation,
                "row_fingerprint": fingerprint, "issued_at": issued_at,
                "valid_until": valid_until_for(row.values), "earned_at": _earned(row.values),
            }))
        if pending:
            reserved = ledger.reserve([item for _, item in pending], purpose=purpose if url_for else None, url_for=url_for, rng=rng,
                                      actor=options.actor, issuer=str(issuer.get("id") or "") or None)
            for (row, _), issuance in zip(pending, reserved, strict=True):
                job = _job(issuance, row.values, out_dir, ledger, options.format)
                jobs.append(job)
                outcomes[row.line] = RowOutcome(row.line, "issued", issuance.credential_id, job.path)
        return jobs

    def good_rows() -> Iterator[roster.Row]:
        for item in open_roster(roster_path, requirements, options.date_order, extra).rows():
            if isinstance(item, roster.Row) and item.line not in errors_by_line:
                yield item

    def chunks() -> Iterator[list[_Job]]:
        batch: list[roster.Row] = []
        for row in good_rows():
            batch.append(row)
            if len(batch) >= CHUNK:
                yield from _split(plan(batch))
                batch = []
        if batch:
            yield from _split(plan(batch))

    images = None
    if options.bake and not options.dry_run:
        until = None
        if validity:
            from badgekit.badgeclass import add_duration

            until = add_duration(now, validity)
        images = badge_images(badge, issuer, options.bake, valid_from=now, valid_until=until, per_recipient=options.recipient_images,
                              fonts=options.fonts)
        if "recipient" in images and "png" in options.bake:  # a name no font covers: refused before any reservation
            images["fonts"] = recipient_image_fonts(images["recipient"], good_rows(), Path(roster_path).name, options.fonts)
    vm = jwt_kid(key, issuer, options) if options.format == "jwt" else options.verification_method
    init_args = (key, vm, dict(issuer), achievement, validity, images, options.format)
    done_count = 0
    total = good
    if progress:
        progress(0, total)

    def finished(pairs: list[tuple[str, str]]) -> None:
        nonlocal done_count
        ledger.mark_issued(pairs, actor=options.actor)
        done_count += len(pairs)
        if progress:
            progress(done_count, total)

    if options.dry_run:
        for _ in chunks():
            pass
    else:
        with _parallel.imap(_sign_chunk, chunks(), workers=options.workers, initializer=_init_worker, initargs=init_args,
                            preload=(__name__,), min_items=PARALLEL_MIN_CHUNKS) as signed:
            for pairs in signed:
                finished(pairs)
    if progress:
        progress(total, total)
    with contextlib.suppress(OSError):
        (out_dir / STAGING).rmdir()  # only when empty: a killed run's leftovers stay visible
    return _report(r, badge_id, outcomes, header_errors, started, revocable)


STAGING = ".partial"


def _staging(path: str) -> Path:
    """Where a bulk output's temp file is made before the atomic rename (see _io.atomic_write)."""
    return Path(path).parent / STAGING


def _usable(path: str) -> bool:
    """An issued credential's file is there and not empty. Bulk files are written without fsync
    (atomic rename only); a power loss can leave an empty file, which a rerun then rewrites with
    the same bytes."""
    try:
        return os.stat(path).st_size > 0
    except OSError:
        return False


def _split(jobs: list[_Job], size: int = 64) -> Iterator[list[_Job]]:
    for i in range(0, len(jobs), size):
        yield jobs[i : i + size]


def _job(issuance: Issuance, values: dict[str, str], out_dir: Path, ledger: Ledger, fmt: str = "ldp") -> _Job:
    return _Job(
        credential_id=issuance.credential_id,
        values=values,
        issued_at=issuance.issued_at,
        valid_until=issuance.valid_until,
        list_url=issuance.list_url,
        status_index=issuance.status_index,
        purpose=issuance.purpose,
        salt=ledger.salt_for(issuance.credential_id),
        path=str(out_dir / credential_filename(issuance.credential_id, fmt)),
    )


_NUMBER_COLUMNS = ("score", "credits_earned")


def _fingerprint(values: Mapping[str, str]) -> str:
    """A row's identity for "has it changed since issuing": values compared as data, so the same
    roster saved with another date or decimal format is not a change."""
    norm: dict[str, Any] = {}
    for column, value in values.items():
        if not value:
            continue
        try:
            if column in roster.DATE_COLUMNS:
                value = roster.parse_date(value).isoformat()
            elif column in _NUMBER_COLUMNS:
                value = repr(roster.parse_number(value))
            elif column == "email":
                value = roster.normalise_email(value)
        except ValueError:
            pass
        norm[column] = value
    return hashlib.sha256(json.dumps(norm, sort_keys=True).encode("utf-8")).hexdigest()


def _earned(values: Mapping[str, str]) -> str | None:
    if not values.get("earned"):
        return None
    return format_utc(roster.parse_date(values["earned"]))


class _Outcomes:
    """Row outcomes of a run: kept for the report, or streamed to a sink in roster-line order
    (rejected rows, known from validation, are merged in by line number)."""

    def __init__(self, rejected: dict[int, RowOutcome], sink: Callable[[RowOutcome], None] | None) -> None:
        self.sink = sink
        self.rejected_lines = sorted(rejected)
        self.rejected = rejected
        self.kept: dict[int, RowOutcome] = {} if sink is not None else dict(rejected)
        self.counts: dict[str, int] = {"rejected": len(rejected)} if rejected else {}
        self.next_rejected = 0

    def add_chunk(self, decided: Mapping[int, RowOutcome]) -> None:
        for line in sorted(decided):
            outcome = decided[line]
            self.counts[outcome.status] = self.counts.get(outcome.status, 0) + 1
            if self.sink is None:
                self.kept[line] = outcome
                continue
            self._flush_rejected(before=line)
            self.sink(outcome)
            if outcome.note:
                self.kept[line] = outcome

    def _flush_rejected(self, before: int | None = None) -> None:
        assert self.sink is not None
        while self.next_rejected < len(self.rejected_lines):
            line = self.rejected_lines[self.next_rejected]
            if before is not None and line > before:
                break
            self.sink(self.rejected[line])
            self.kept[line] = self.rejected[line]
            self.next_rejected += 1

    def finish(self) -> tuple[tuple[RowOutcome, ...], dict[str, int]]:
        if self.sink is not None:
            self._flush_rejected()
        return tuple(self.kept[k] for k in sorted(self.kept)), dict(self.counts)


def _report(r: roster.Roster, badge_id: str, outcomes: _Outcomes, header_errors: list[roster.RowError], started: datetime,
            revocable: bool) -> IssueReport:
    ordered, counts = outcomes.finish()
    elapsed = (utc_now() - started).total_seconds()
    return IssueReport(r.source, badge_id, ordered, tuple(header_errors), elapsed, counts, revocable)


SUMMARY_HEADER = ["line", "status", "credential_id", "path", "errors"]


def summary_row(o: RowOutcome) -> list[Any]:
    """One ``issued.csv`` row for a roster line."""
    return [o.line, o.status, o.credential_id or "", o.path or "",
            "; ".join(f"{e.column or '-'}: {e.reason}" for e in o.errors) or (o.note or "")]


def summary_csv(report: IssueReport) -> str:
    """``issued.csv``: each roster line → status, credential id and path, or its errors."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SUMMARY_HEADER)
    for e in report.header_errors:
        w.writerow([e.line, "warning", "", "", str(e)])
    for o in report.outcomes:
        w.writerow(summary_row(o))
    return buf.getvalue()


def require_roster(path: Path) -> Path:
    if not path.is_file():
        raise InputError(f"{path}: no such roster file")
    return path

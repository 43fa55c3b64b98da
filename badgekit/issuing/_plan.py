"""Before anything is signed: every row validated (and checked against prerequisites), then each
good row planned against the ledger a chunk at a time: already issued, reserved by an interrupted
run (signed again, same bytes), or new (credential id and status index reserved in one
transaction). See docs/adr/0003-ledger.md."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

from badgekit import _jsonl, roster
from badgekit import credential as cred
from badgekit._time import format_utc, parse_datetime_stamp, utc_now
from badgekit.badgeclass import Holdings, add_duration
from badgekit.errors import InputError
from badgekit.issuing._options import CHUNK, IssueOptions, RowOutcome, credential_filename
from badgekit.issuing._signing import _Job
from badgekit.ledger import Issuance, Ledger, active_badges
from badgekit.roster import RosterRow, RowError

RowCheck = Callable[[Sequence[RosterRow]], dict[int, list[RowError]]]

#: Roster column naming a credential held from another issuer in place of a required one (an
#: http(s) URL or a urn: id); known only to badge classes that ``require`` others. The issued
#: credential cites it as evidence (``credential._evidence``).
PRIOR_COLUMN = "prior_credential"
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+")
_HELD_STATE = {"pending": "only reserved by an unfinished run", "revoked": "revoked", "expired": "expired",
               "suspended": "suspended"}


def require_roster(path: Path) -> Path:
    """``path`` itself when it is a file.

    Raises:
        InputError: no such file.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such roster file")
    return path


def open_roster(path: Path, requirements: Sequence[roster.RowRule], date_order: str | None = None,
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


#: Good rows of the first pass kept for the second (:class:`KeptRows`): a roster of up to this
#: many rows is read and parsed once (issue 18); memory stays bounded (~0.8 KiB a row of five
#: columns, ~8 MiB) whatever the roster's length, a longer roster's other rows are read again.
KEPT_ROWS = 10_000


@dataclass
class KeptRows:
    """The first good rows of :func:`validate_roster` (at most ``limit``), in roster order, for
    :func:`good_rows`; ``complete`` while every good row is among them."""

    limit: int = KEPT_ROWS
    rows: list[RosterRow] = field(default_factory=list)
    complete: bool = True

    def add(self, row: RosterRow) -> None:
        if len(self.rows) < self.limit:
            self.rows.append(row)
        else:
            self.complete = False


def validate_roster(path: Path, requirements: Sequence[roster.RowRule], date_order: str | None = None, *,
                    check: RowCheck | None = None, extra_columns: Sequence[str] = (), kept: KeptRows | None = None,
                    results: roster.ResultExpectation | None = None
                    ) -> tuple[roster.Roster, list[RowError], dict[int, list[RowError]], int]:
    """First pass: every row checked, duplicates found; rows that pass go to ``check`` (e.g. the
    ledger's prerequisites) in chunks of :data:`CHUNK`. Returns (roster, header errors, errors by
    line, good count); the good rows go to ``kept`` (as many as it keeps). ``results``: how the
    badge class's resultDescriptions read a score (:meth:`badgekit.roster.ResultExpectation.of`)."""
    r = open_roster(path, requirements, date_order, extra_columns)
    by_line: dict[int, list[RowError]] = {}
    seen: dict[bytes, int] = {}
    good = 0
    passed: list[RosterRow] = []

    def flush() -> None:
        nonlocal good
        failed = check(passed) if check is not None and passed else {}
        for row in passed:
            if failed.get(row.line):
                by_line[row.line] = r.labelled(failed[row.line])
            else:
                good += 1
                if kept is not None:
                    kept.add(row)
        passed.clear()

    for item in r.rows():
        if isinstance(item, RowError):
            by_line.setdefault(item.line, []).append(item)
            continue
        row, errors = roster.parse_row(item, requirements, date_order=date_order, results=results)
        if not errors:
            key = hashlib.sha256(row.recipient_key.encode()).digest()
            first = seen.get(key)
            if first is not None:
                errors = [RowError(item.line, _recipient_column(row), f"duplicate recipient (also on line {first})")]
            else:
                seen[key] = item.line
        if errors:
            by_line[item.line] = r.labelled(errors)
        else:
            passed.append(row)
            if len(passed) >= CHUNK:
                flush()
    flush()
    return r, r.header_errors(), by_line, good  # after the rows: unnamed columns holding values


def good_rows(path: Path, requirements: Sequence[roster.RowRule], date_order: str | None, extra_columns: Sequence[str],
              rejected: Mapping[int, object], kept: KeptRows | None = None,
              results: roster.ResultExpectation | None = None) -> Iterator[RosterRow]:
    """Second pass: the rows :func:`validate_roster` passed, each read into its record: those it
    ``kept``, then the others read again from the roster (none when it kept them all)."""
    after = 0
    if kept is not None:
        yield from kept.rows
        if kept.complete:
            return
        after = kept.rows[-1].line if kept.rows else 0
    for item in open_roster(path, requirements, date_order, extra_columns).rows():
        if isinstance(item, roster.Row) and item.line > after and item.line not in rejected:
            yield roster.parse_row(item, date_order=date_order, results=results)[0]


def _recipient_column(row: RosterRow) -> str:
    return "email" if row.get("email") else "recipient_id" if row.get("recipient_id") else "student_id"


def prerequisite_check(ledger: Ledger, badge_id: str, required: Mapping[str, str], now: datetime, *,
                       reissue: bool = False, rule: Holdings | None = None, issuer: str | None = None) -> RowCheck:
    """A :data:`RowCheck`: each row's recipient must hold *active* credentials (see
    :func:`active_badges`) that meet ``rule`` (default: every badge class in ``required``,
    id → name) in this project's ledger, under any of the row's identifiers (email, recipient_id,
    student_id); or the row names one held elsewhere in :data:`PRIOR_COLUMN`. A recipient who
    already has ``badge_id`` is left to planning (already issued / resumed), unless ``reissue``.
    One ledger query per chunk."""
    rule = rule if rule is not None else Holdings.all_of(*required)

    def check(rows: Sequence[RosterRow]) -> dict[int, list[RowError]]:
        errors: dict[int, list[RowError]] = {}
        keys = {row.line: _identity_keys(ledger, row) for row in rows}
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
            mine = {rid: [i for k in keys[row.line] for i in held.get((rid, k), ())] for rid in required}
            active = active_badges([i for found in mine.values() for i in found], now, issuer)
            if rule.met(active):
                continue
            if not (rule.is_all and all(isinstance(item, str) for item in rule.of)):
                missing = rule.missing(active, name=lambda rid: repr(required.get(rid, rid)))
                errors[row.line] = [RowError(
                    row.line, _recipient_column(row),
                    f"does not hold the badge classes this one requires (active credentials of this issuer): "
                    f"needs {missing}; if one was earned elsewhere, give it in a {PRIOR_COLUMN} column")]
                continue
            for rid, name in required.items():
                if rid in active:
                    continue
                states = [i.state_at(now) for i in sorted(mine[rid], key=lambda i: i.issued_at)]
                detail = f"; theirs is {_HELD_STATE[states[-1]]}" if states and states[-1] != "active" else ""
                errors.setdefault(row.line, []).append(RowError(
                    row.line, _recipient_column(row),
                    f"holds no active {name!r} credential (required by this badge class{detail}); "
                    f"if it was earned elsewhere, give it in a {PRIOR_COLUMN} column"))
        return errors

    return check


#: How far after the run an ``earned`` date (``awardedDate``) may lie: a date alone is read as
#: midnight UTC, so "today" where the day begins first (UTC+14) is up to 14 hours ahead.
EARNED_SKEW = timedelta(days=1)


def earned_problem(row: RosterRow, now: datetime) -> RowError | None:
    """Why ``row``'s ``earned`` date cannot be its ``awardedDate``, or None: more than
    :data:`EARNED_SKEW` after ``now`` (a badge is awarded for what was earned, never ahead)."""
    if row.earned is None or row.earned <= now + EARNED_SKEW:
        return None
    return RowError(row.line, "earned", f"{row.get('earned')!r} is in the future (this run is at {format_utc(now)}): "
                                        "a badge records what was earned; issue it once earned")


def earned_check(now: datetime, then: RowCheck | None = None) -> RowCheck:
    """A :data:`RowCheck`: rows with an ``earned`` date in the future (:func:`earned_problem`)
    fail; the others go on to ``then`` (e.g. :func:`prerequisite_check`)."""

    def check(rows: Sequence[RosterRow]) -> dict[int, list[RowError]]:
        errors = {row.line: [e] for row in rows if (e := earned_problem(row, now)) is not None}
        rest = [row for row in rows if row.line not in errors]
        if then is not None and rest:
            errors.update(then(rest))
        return errors

    return check


def _identity_keys(ledger: Ledger, row: RosterRow) -> list[str]:
    """The ledger keys of every identifier of a row, the one issuing records first."""
    r = cred.Recipient.from_row(row)
    keys = [r.key]
    for one in (cred.Recipient(email=r.email), cred.Recipient(subject_id=r.subject_id), cred.Recipient(student_id=r.student_id)):
        if (one.email or one.subject_id or one.student_id) and one.key not in keys:
            keys.append(one.key)
    return [ledger.recipient_key(k) for k in keys]


def valid_until(row: RosterRow, now: datetime, validity: str | None) -> str | None:
    """``validUntil`` of the credential of ``row``: its ``valid_until`` column, else its ``issued``
    date (else ``now``) + ``validity``."""
    if row.valid_until is not None:
        return format_utc(row.valid_until)
    return format_utc(add_duration(row.issued or now, validity)) if validity else None


def status_url_for(base: str, purpose: str) -> Callable[[int], str]:
    """The URL of status list ``n`` of ``purpose`` under ``base``: ``<base>/<purpose>-<n>.json``."""
    base = base if base.endswith("/") else base + "/"
    return lambda n: f"{base}{purpose}-{n}.json"


class Planner:
    """Decides each good row's fate against the ledger, a chunk at a time, and reserves the new
    credentials of a chunk in one transaction (before anything of it is signed)."""

    def __init__(self, *, ledger: Ledger, badge_id: str, options: IssueOptions, now: datetime, validity: str | None,
                 purpose: str, url_for: Callable[[int], str] | None, issuer_id: str | None) -> None:
        self.ledger = ledger
        self.badge_id = badge_id
        self.options = options
        self.out_dir = Path(options.out_dir)
        self.now = now
        self.issued_at = format_utc(now)
        self.validity = validity
        self.purpose = purpose
        self.url_for = url_for
        self.rng = Random(options.rng_seed) if options.rng_seed is not None else None
        self.issuer_id = issuer_id
        #: a JSON Lines run: every credential goes to this one file (see badgekit._jsonl)
        self.run_file = run_file_for(self.out_dir, now=utc_now()) if options.output_mode == "jsonl" else None

    def valid_until(self, row: RosterRow) -> str | None:
        return valid_until(row, self.now, self.validity)

    def item(self, row: RosterRow, recipient_key: str, generation: int) -> dict[str, Any]:
        """What the ledger reserves for a new credential of ``row``."""
        return {"badge_id": self.badge_id, "recipient_key": recipient_key, "generation": generation,
                "row_fingerprint": row_fingerprint(row), "issued_at": self.issued_at,
                "valid_until": self.valid_until(row), "earned_at": format_utc(row.earned) if row.earned else None,
                "address": row.email, "name": row.name.strip() or None}

    def reserve(self, items: Sequence[dict[str, Any]]) -> list[Issuance]:
        return self.ledger.reserve(items, purpose=self.purpose if self.url_for else None, url_for=self.url_for,
                                   rng=self.rng, actor=self.options.actor, issuer=self.issuer_id)

    def due(self, latest: Issuance, row: RosterRow) -> tuple[str | None, str]:
        """With ``--renew``: the id of ``latest`` when it is due for renewal from ``row`` (expired,
        or expiring within ``renew_within``), else None and why not. A credential issued from
        this very row is renewed only once it has expired (so a re-run renews nothing twice)."""
        state = latest.state_at(self.now)
        if state in ("revoked", "pending"):
            return None, f"{latest.credential_id} is {state}: not renewed (use --reissue for a new credential)"
        if state != "expired":
            ends = latest.valid_until and parse_datetime_stamp(latest.valid_until, field="valid_until")
            if not ends or ends > add_duration(self.now, self.options.renew_within):
                return None, (f"active until {latest.valid_until}: not due for renewal" if ends
                              else "never expires: nothing to renew")
            if latest.row_fingerprint == row_fingerprint(row):
                return None, f"expires {latest.valid_until}, issued from this same row: renewed once it has expired"
        return latest.credential_id, ""

    def kept(self, latest: Issuance, row: RosterRow, note: str) -> RowOutcome:
        """The outcome of a row whose credential is not renewed: it stays as issued."""
        path = latest.output_path if latest.output_path and _jsonl.usable(latest.output_path) else \
            str(self.out_dir / credential_filename(latest.credential_id, self.options.format))
        return RowOutcome(row.line, "already-issued", latest.credential_id, path, note=note)

    def plan(self, chunk: Sequence[RosterRow]) -> tuple[list[_Job], dict[int, RowOutcome]]:
        """The jobs to sign for ``chunk``, and each row's outcome by line."""
        ledger, options, out_dir, fmt = self.ledger, self.options, self.out_dir, self.options.format
        outcomes: dict[int, RowOutcome] = {}
        jobs: list[_Job] = []
        pending: list[tuple[RosterRow, dict[str, Any]]] = []
        keys = [ledger.recipient_key(row.recipient_key) for row in chunk]
        known = ledger.latest_many(self.badge_id, keys)
        for row, recipient_key in zip(chunk, keys, strict=True):
            latest = known.get(recipient_key)
            if latest is not None and latest.state == "reserved":
                jobs.append(job_for(latest, row, ledger, out_dir, fmt, self.run_file, renews=renewal_of(ledger, latest)))
                outcomes[row.line] = RowOutcome(row.line, "resumed", latest.credential_id, jobs[-1].path)
                continue
            renews = None
            if latest is not None and options.renew:
                renews, why_not = self.due(latest, row)
                if renews is None:
                    outcomes[row.line] = self.kept(latest, row, why_not)
                    if outcomes[row.line].status == "already-issued" and not _jsonl.usable(latest.output_path or ""):
                        jobs.append(job_for(latest, row, ledger, out_dir, fmt, self.run_file, renews=renewal_of(ledger, latest)))
                    continue
            elif latest is not None and not options.reissue:
                path = latest.output_path
                note = None if latest.row_fingerprint == row_fingerprint(row) else "roster row changed since it was issued; use --reissue for a new credential"
                if path and _jsonl.usable(path):
                    outcomes[row.line] = RowOutcome(row.line, "already-issued", latest.credential_id, path, note=note)
                    continue
                # issued before, but the file is gone: write the same credential again
                job = job_for(latest, row, ledger, out_dir, fmt, self.run_file, renews=renewal_of(ledger, latest))
                jobs.append(job)
                outcomes[row.line] = RowOutcome(row.line, "already-issued", latest.credential_id, job.path, note="credential file was missing and has been rewritten")
                continue
            generation = 1 if latest is None else latest.generation + 1
            if options.dry_run:
                cid = ledger.credential_id(self.badge_id, recipient_key, generation)
                outcomes[row.line] = RowOutcome(row.line, "would-renew" if renews else "would-issue", cid,
                                                self.run_file or str(out_dir / credential_filename(cid, fmt)),
                                                note=f"renews {renews}" if renews else None)
                continue
            pending.append((row, {**self.item(row, recipient_key, generation), **({"renews": renews} if renews else {})}))
        if pending:
            for (row, item), issuance in zip(pending, self.reserve([item for _, item in pending]), strict=True):
                renews = item.get("renews")
                job = job_for(issuance, row, ledger, out_dir, fmt, self.run_file, renews=renews)
                jobs.append(job)
                outcomes[row.line] = RowOutcome(row.line, "renewed" if renews else "issued", issuance.credential_id, job.path,
                                                note=f"renews {renews}" if renews else None)
        if not options.dry_run:
            record_addresses(ledger, chunk, outcomes)
        return jobs, outcomes


def record_addresses(ledger: Ledger, rows: Sequence[RosterRow], outcomes: Mapping[int, RowOutcome]) -> None:
    """Keep each row's e-mail address (and name) with its credential in the ledger, for
    ``badgekit send``: a new credential's with its reservation (:meth:`Planner.item`), a resumed
    or already issued one's here (so credentials issued before addresses were kept get theirs on
    the next run of their roster; an unchanged address writes nothing). The address never goes
    into the credential, which carries only its salted hash."""
    known = [(outcome.credential_id, row.email, row.name.strip() or None)
             for row in rows
             if row.email and (outcome := outcomes.get(row.line)) is not None and outcome.credential_id
             and outcome.status != "issued"]
    if known:
        ledger.record_addresses(known)


def job_for(issuance: Issuance, row: RosterRow, ledger: Ledger, out_dir: Path | None, fmt: str = "ldp",
            run_file: str | None = None, *, renews: str | None = None) -> _Job:
    """The signing job of a reserved (or issued) credential; ``out_dir`` None: no file;
    ``run_file``: a JSON Lines run's file (the line is known when it is written). A renewal
    (``renews``: the id of the credential it renews) cites that credential as evidence."""
    return _Job(
        credential_id=issuance.credential_id,
        row=row,
        issued_at=issuance.issued_at,
        valid_until=issuance.valid_until,
        list_url=issuance.list_url,
        status_index=issuance.status_index,
        purpose=issuance.purpose,
        salt=ledger.salt_for(issuance.credential_id),
        path=run_file or (_file_in(out_dir, credential_filename(issuance.credential_id, fmt)) if out_dir is not None else ""),
        evidence=(renewal_evidence(renews),) if renews else (),
    )


def _file_in(folder: Path, name: str) -> str:
    """``str(folder / name)``, for a plain file name without building a path per credential."""
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        return str(folder / name)
    return _folder_prefix(folder) + name


@functools.lru_cache(maxsize=16)
def _folder_prefix(folder: Path) -> str:
    """What ``str(folder / name)`` puts before a plain file name (``""`` for ``Path(".")``)."""
    return str(folder / "_")[:-1]


def renewal_evidence(renews: str) -> dict[str, Any]:
    """The evidence entry by which a renewal names the credential it renews (as a pathway names
    its components: the credential id as the Evidence ``id``)."""
    return {"id": renews, "type": ["Evidence"], "name": "Renewed credential", "genre": "Renewal",
            "narrative": "The credential this one renews, issued earlier to the same recipient for the same achievement."}


def renewal_of(ledger: Ledger, issuance: Issuance) -> str | None:
    """The id of the credential ``issuance`` renews (its ``renewed`` event), else None: a resumed
    or rewritten renewal is signed with the same evidence, so the same bytes."""
    if issuance.generation < 2:
        return None
    for event in ledger.events(credential_id=issuance.credential_id, kinds=("renewed",)):
        renews = (event.detail or {}).get("renews")
        if isinstance(renews, str):
            return renews
    return None


def run_file_for(out_dir: Path, *, now: datetime) -> str:
    """A JSON Lines run's file: ``<out_dir>/runs/<UTC time>-<random>.jsonl`` (never an existing one)."""
    return str(out_dir / "runs" / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(4)}{_jsonl.SUFFIX}")


_PARSED_COLUMNS = {"earned": "earned", "issued": "issued", "activity_start_date": "activity_start",
                   "activity_end_date": "activity_end", "score": "score", "credits_earned": "credits_earned"}


def row_fingerprint(row: RosterRow) -> str:
    """A row's identity for "has it changed since issuing": values compared as data, so the same
    roster saved with another date or decimal format is not a change (dates as ISO 8601, numbers
    as floats, the email normalised; read from the record, not parsed again)."""
    norm: dict[str, Any] = {}
    for column, value in row.values.items():
        if not value:
            continue
        attribute = _PARSED_COLUMNS.get(column)
        if attribute is not None:
            parsed = getattr(row, attribute)
            if isinstance(parsed, datetime):
                value = parsed.isoformat()
            elif parsed is not None:
                value = repr(parsed)
        elif column == "email" and row.email is not None:
            value = row.email
        norm[column] = value
    return hashlib.sha256(_sorted_json(norm).encode("utf-8")).hexdigest()


#: ``json.dumps(value, sort_keys=True)`` without making an encoder per call (same defaults, same text).
_sorted_json = json.JSONEncoder(sort_keys=True).encode

"""A bulk run (:func:`issue_roster`) and one credential from values (:func:`issue_credential`):
the same settings, planning and signing (:mod:`._plan`, :mod:`._signing`) for both."""

from __future__ import annotations

import contextlib
import gc
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from badgekit._jsonl import JsonlWriter
from badgekit._time import format_utc, utc_now
from badgekit.badgeclass import BadgeClass, add_duration
from badgekit.errors import InputError, KeyFileError
from badgekit.issuing._executor import Executor, LocalExecutor
from badgekit.issuing._options import (
    CHUNK,
    IssueOptions,
    IssueReport,
    Progress,
    RowOutcome,
)
from badgekit.issuing._plan import (
    PRIOR_COLUMN,
    KeptRows,
    Planner,
    earned_check,
    earned_problem,
    good_rows,
    job_for,
    prerequisite_check,
    row_fingerprint,
    status_url_for,
    valid_until,
    validate_roster,
)
from badgekit.issuing._signing import (
    _Job,
    _Signing,
    check_signing_setup,
    proof_suite,
    signing_method,
)
from badgekit.issuing._worker import STAGING, SigningSetup, badge_images, recipient_image_fonts
from badgekit.keys import PrivateKey
from badgekit.ledger import Issuance, Ledger
from badgekit.roster import (
    ResultExpectation,
    Roster,
    RosterRow,
    Row,
    RowError,
    normalise_header,
    parse_row,
)

#: Signed rows marked issued per ledger transaction (fewer, larger transactions: issue 18). A run
#: killed in between leaves at most this many written credentials reserved; the next run signs them
#: again, byte for byte, and marks them ("resumed").
MARK_BATCH = 512

#: The cyclic garbage collector's first threshold while a bulk run signs (Python's default: 700).
#: A run allocates a few dozen container objects per credential, nearly all freed by reference
#: counting; with the default the collector runs every ~20 credentials and walks the young objects
#: each time. The set-up's objects (modules, the badge class, templates) are frozen first, so the
#: older generations are not walked either (issue 18). Both are restored when the run ends.
GC_THRESHOLD = 50_000


@contextlib.contextmanager
def quiet_collector() -> Iterator[None]:
    """Collect garbage less often during a bulk run (a process-wide setting, restored afterwards;
    a caller that froze objects itself keeps them frozen and is left as it was)."""
    threshold = gc.get_threshold()
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        if freeze:
            gc.unfreeze()


class _Settings:
    """What a badge class, the options and the project decide for every credential of a run."""

    def __init__(self, badge: BadgeClass, options: IssueOptions, status_base_url: str | None,
                 prerequisites: Mapping[str, str] | None) -> None:
        self.started = utc_now()
        self.now = (options.now or self.started).astimezone(UTC).replace(microsecond=0)
        policy = badge.policy
        self.achievement = dict(badge.achievement)
        self.badge_id = str(self.achievement.get("id") or badge.id)
        self.purpose = getattr(policy, "status_purpose", None) or "revocation"
        self.validity: str | None = getattr(policy, "validity", None)
        self.revocable = options.revocable and getattr(policy, "revocable", True)
        if self.revocable and not status_base_url:
            raise InputError(
                f"no status list URL (status_base_url): the credentials of badge {self.badge_id} could never be revoked",
                hint="set status_base_url under [project] in badgekit.toml; to issue credentials that cannot be revoked "
                     "on purpose, pass --no-revocation (or set revocable: false in the badge class)",
            )
        self.url_for = status_url_for(status_base_url, self.purpose) if self.revocable and status_base_url else None
        self.requirements = tuple(getattr(policy, "requirements", ()))
        self.results = ResultExpectation.of(self.achievement)  # how a row's score is read (a number, a letter grade)
        self.required = {rid: (prerequisites or {}).get(rid, rid) for rid in getattr(policy, "requires", ())}
        self.rule = getattr(policy, "rule", None)  # what must be held of ``required`` (all_of / n_of)
        self.extra_columns = (PRIOR_COLUMN,) if self.required else ()
        if options.output_mode == "jsonl" and options.format != "ldp":
            raise InputError(f"--output-mode jsonl writes JSON credentials only: not with --format {options.format}",
                             hint="use the default --output-mode files for VC-JWTs and SD-JWT VCs")

    def planner(self, ledger: Ledger, options: IssueOptions, issuer: Mapping[str, Any]) -> Planner:
        return Planner(ledger=ledger, badge_id=self.badge_id, options=options, now=self.now, validity=self.validity,
                       purpose=self.purpose, url_for=self.url_for, issuer_id=str(issuer.get("id") or "") or None)


def signing_executor(key: PrivateKey | None, executor: Executor | None, issuer: Mapping[str, Any],
                     options: IssueOptions) -> Executor:
    """``executor``, else ``options.workers`` processes of this machine signing with ``key``;
    checked against ``issuer`` and ``options`` before anything is reserved.

    Raises:
        InputError: neither a key nor an executor; as :func:`check_signing_setup` (a
            :class:`~badgekit.errors.KeyFileError` names the executor's key and how to fix it).
    """
    if executor is None:
        if key is None:
            raise InputError("issuing needs a key (or an executor that holds one)")
        executor = LocalExecutor(key, options.workers)
    try:
        check_signing_setup(executor.identity, issuer, options)
    except KeyFileError as exc:
        if isinstance(executor, LocalExecutor):
            raise
        raise type(exc)(f"{executor.key_source}: {exc.message}", hint=executor.key_hint or exc.hint) from None
    return executor


def issue_roster(
    *,
    roster_path: Path,
    badge: BadgeClass,
    issuer: Mapping[str, Any],
    key: PrivateKey | None = None,
    ledger: Ledger,
    options: IssueOptions,
    status_base_url: str | None = None,
    progress: Progress | None = None,
    sink: Callable[[RowOutcome], None] | None = None,
    prerequisites: Mapping[str, str] | None = None,
    executor: Executor | None = None,
) -> IssueReport:
    """Issue one credential per eligible roster row. See the package docstring for the phases.

    A badge class whose policy ``requires`` others has rows rejected whose recipient holds none
    active in ``ledger`` (see :func:`prerequisite_check`); ``prerequisites`` (id → name, from
    :func:`badgekit.badgeclass.required_badges`) names them in the reasons (else their ids).

    With ``sink``, every row's outcome is handed to it in roster-line order as soon as it is
    decided, and the report keeps only rejected rows and rows with a note (memory stays flat with
    roster size); without it, the report holds every row.

    Chunks are signed by ``executor``: by default ``options.workers`` processes of this machine
    with ``key``; or a Dask cluster (:class:`badgekit.issuing.cluster.DaskExecutor`, whose workers
    hold the key: ``key`` is then not needed). Either way this process plans, reserves, writes
    the files and records them.

    Raises:
        InputError: the roster cannot be read at all (no header, not text, no recipient column);
            the key, format and issuer do not fit together (see :func:`check_signing_setup`; a
            :class:`~badgekit.errors.KeyFileError` names the executor's key); no
            ``status_base_url`` while neither ``options.revocable`` nor the badge class says the
            credentials are not revocable.
        LedgerError: the ledger cannot be updated; :class:`~badgekit.ledger.AlreadyReserved` when
            another run of the same roster reserved rows this run planned (it stops there; what
            either run reserved is signed by it or resumed by the next run).
    """
    executor = signing_executor(key, executor, issuer, options)
    settings = _Settings(badge, options, status_base_url, prerequisites)
    return _Run(settings, roster_path, badge, issuer, executor, ledger, options).issue(progress, sink)


class _Run:
    """One bulk run: validate every row, then plan, sign and record the good ones chunk by chunk."""

    def __init__(self, settings: _Settings, roster_path: Path, badge: BadgeClass, issuer: Mapping[str, Any],
                 executor: Executor, ledger: Ledger, options: IssueOptions) -> None:
        self.s = settings
        self.roster_path = roster_path
        self.badge = badge
        self.issuer = issuer
        self.executor = executor
        self.ledger = ledger
        self.options = options

    def issue(self, progress: Progress | None, sink: Callable[[RowOutcome], None] | None) -> IssueReport:
        with quiet_collector():
            return self._issue(progress, sink)

    def _issue(self, progress: Progress | None, sink: Callable[[RowOutcome], None] | None) -> IssueReport:
        s, options, ledger = self.s, self.options, self.ledger
        prerequisites = prerequisite_check(ledger, s.badge_id, s.required, s.now, reissue=options.reissue, rule=s.rule,
                                           issuer=str(self.issuer.get("id") or "") or None) if s.required else None
        check = earned_check(s.now, prerequisites)
        self.kept = KeptRows()
        r, header_errors, self.rejected, good = validate_roster(self.roster_path, s.requirements, options.date_order,
                                                                check=check, extra_columns=s.extra_columns, kept=self.kept,
                                                                results=s.results)
        outcomes = _Outcomes({line: RowOutcome(line, "rejected", errors=tuple(errs)) for line, errs in self.rejected.items()}, sink)
        if not options.dry_run and self.rejected:
            ledger.record_rejections(s.badge_id, str(self.roster_path), [e for errs in self.rejected.values() for e in errs])
        if (options.strict and self.rejected) or good == 0:  # an unknown column is ignored, not a problem
            return self._report(r, outcomes, header_errors)
        planner = s.planner(ledger, options, self.issuer)
        chunks = self._chunks(planner, outcomes)
        if options.dry_run:
            for _ in chunks:
                pass
        else:
            self._sign(planner, chunks, good, progress)
        with contextlib.suppress(OSError):
            (Path(options.out_dir) / STAGING).rmdir()  # only when empty: a killed run's leftovers stay visible
        return self._report(r, outcomes, header_errors)

    def _rows(self) -> Iterator[RosterRow]:
        return good_rows(self.roster_path, self.s.requirements, self.options.date_order, self.s.extra_columns, self.rejected,
                         self.kept, self.s.results)

    def _chunks(self, planner: Planner, outcomes: _Outcomes) -> Iterator[list[_Job]]:
        """Signing chunks of 64 jobs, planned (and reserved) :data:`CHUNK` rows at a time."""
        batch: list[RosterRow] = []
        for row in self._rows():
            batch.append(row)
            if len(batch) >= CHUNK:
                yield from self._planned(planner, batch, outcomes)
                batch = []
        if batch:
            yield from self._planned(planner, batch, outcomes)

    @staticmethod
    def _planned(planner: Planner, batch: list[RosterRow], outcomes: _Outcomes) -> Iterator[list[_Job]]:
        jobs, decided = planner.plan(batch)
        outcomes.add_chunk(decided)
        for i in range(0, len(jobs), 64):
            yield jobs[i : i + 64]

    def _images(self) -> dict[str, Any] | None:
        s, options = self.s, self.options
        if not options.bake:
            return None
        until = add_duration(s.now, s.validity) if s.validity else None
        images = badge_images(self.badge, self.issuer, options.bake, valid_from=s.now, valid_until=until,
                              per_recipient=options.recipient_images, fonts=options.fonts)
        if "recipient" in images and "png" in options.bake:  # a name no font covers: refused before any reservation
            images["fonts"] = recipient_image_fonts(images["recipient"], self._rows(), Path(self.roster_path).name, options.fonts)
        if options.output_mode == "jsonl":  # no credential file to put them beside: <out>/<id>.png, as in files mode
            images["dir"] = str(options.out_dir)
        return images

    def _sign(self, planner: Planner, chunks: Iterator[list[_Job]], total: int, progress: Progress | None) -> None:
        options = self.options
        images = self._images()
        identity = self.executor.identity
        setup = SigningSetup(uuid.uuid4().hex, signing_method(identity, self.issuer, options), dict(self.issuer),
                             self.s.achievement, images, options.format, dict(identity.public_jwk),
                             proof_suite(identity, options), jsonl=planner.run_file is not None,
                             disclose=getattr(self.badge.policy, "disclose", None))
        done = 0
        if progress:
            progress(0, total)
        written: list[tuple[str, str]] = []  # files written, not yet marked issued
        run_file = JsonlWriter(planner.run_file) if planner.run_file else None
        with self.executor.sign(setup, chunks) as signed:
            try:
                for pairs in signed:
                    if run_file is not None:  # (id, text) → (id, <run file>#<line>)
                        pairs = [(cid, run_file.append(text)) for cid, text in pairs]
                    written.extend(pairs)
                    if len(written) >= MARK_BATCH:
                        batch, written = written, []
                        self.ledger.mark_issued(batch, actor=options.actor)
                    done += len(pairs)
                    if progress:
                        progress(done, total)
            finally:  # a run stopped by an error still records the files it wrote
                if run_file is not None:
                    run_file.close()  # renamed into place: before this, the lines marked point at no file
                if written:
                    self.ledger.mark_issued(written, actor=options.actor)
        if progress:
            progress(total, total)

    def _report(self, r: Roster, outcomes: _Outcomes, header_errors: list[RowError]) -> IssueReport:
        ordered, counts = outcomes.finish()
        elapsed = (utc_now() - self.s.started).total_seconds()
        return IssueReport(r.source, self.s.badge_id, ordered, tuple(header_errors), elapsed, counts, self.s.revocable)


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


# ---------------------------------------------------------------------------------------------
# one credential from values


@dataclass(frozen=True)
class IssuedCredential:
    """One credential signed by :func:`issue_credential`."""

    credential_id: str
    credential: dict[str, Any]  # the document (for VC-JWT: the payload's credential, unsigned)
    text: str  # what a credential file holds: JSON with its proof on one line, or the compact JWS
    status: str  # issued | resumed | already-issued (same id, same bytes) | unrecorded (no ledger)
    issuance: Issuance | None = None  # the ledger's record (None without a ledger)


def issue_credential(
    *,
    badge: BadgeClass,
    issuer: Mapping[str, Any],
    key: PrivateKey,
    recipient: Mapping[str, str],
    ledger: Ledger | None = None,
    status_base_url: str | None = None,
    revocable: bool = True,
    format: Literal["ldp", "jwt", "vc+jwt", "sd-jwt"] = "ldp",  # noqa: A002 - the name IssueOptions and --format use
    verification_method: str | None = None,
    jwt_verification_method: str | None = None,
    issuer_document: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    date_order: str | None = None,
    actor: str = "badgekit",
    reissue: bool = False,
    rng_seed: int | None = None,
    prerequisites: Mapping[str, str] | None = None,
    credential_id: str | None = None,
    salt: str | None = None,
) -> IssuedCredential:
    """Sign one OpenBadgeCredential from a recipient's values (the columns of a roster row:
    ``{"email": …, "name": …, "score": …}``), exactly as :func:`issue_roster` signs that row.

    With ``ledger``, the credential is recorded there as a bulk run records it: its id derived
    from the ledger, a status index reserved at ``status_base_url`` (unless ``revocable=False``),
    marked issued (no file is recorded: a later ``issue`` of a roster with this recipient writes
    one); calling again for the same recipient and values returns the same credential, and other
    values need ``reissue=True``. Without a ledger there is no status entry, so ``revocable=False``
    must be said; ``credential_id`` (default a random ``urn:uuid:``) and ``salt`` (default random)
    may be given. The credential is returned, never written.

    Raises:
        InputError: a value the roster rules refuse (names the column); the key, format and issuer
            do not fit together (see :func:`check_signing_setup`); no ``status_base_url`` while the
            credential is revocable; revocable without a ledger; with a ledger, a recipient who
            holds this badge from other values without ``reissue``, or lacks a prerequisite.
        LedgerError: the ledger cannot be updated.
    """
    options = IssueOptions(out_dir=Path(), now=now, rng_seed=rng_seed, verification_method=verification_method,
                           jwt_verification_method=jwt_verification_method, format=format, actor=actor,
                           date_order=date_order, revocable=revocable, issuer_document=issuer_document, reissue=reissue)
    check_signing_setup(key, issuer, options)
    if ledger is None and options.revocable and getattr(badge.policy, "revocable", True):
        raise InputError("a revocable credential needs a ledger to reserve its status index",
                         hint="pass ledger=…, or revocable=False to issue a credential that can never be revoked")
    settings = _Settings(badge, options, status_base_url, prerequisites)
    # the names a roster header may use (``completed_on``, ``E-Mail``…) mean what they mean there
    values = {normalise_header(k): v for k, v in recipient.items() if v}
    row, errors = parse_row(Row(1, values), settings.requirements, date_order=date_order, results=settings.results)
    future = earned_problem(row, settings.now) if not errors else None
    errors = [future] if future is not None else errors
    if ledger is not None and settings.required and not errors:
        check = prerequisite_check(ledger, settings.badge_id, settings.required, settings.now, reissue=reissue,
                                   rule=settings.rule, issuer=str(issuer.get("id") or "") or None)
        errors = check([row]).get(row.line, [])
    if errors:
        e = errors[0]
        raise InputError(f"recipient values: {e.column or '-'}: {e.reason}")
    signing = _Signing.make(key, signing_method(key, issuer, options), dict(issuer), settings.achievement, options.format,
                            proof_suite(key, options), getattr(badge.policy, "disclose", None))
    if ledger is None:
        job = _Job(credential_id or f"urn:uuid:{uuid.uuid4()}", row, format_utc(settings.now),
                   valid_until(row, settings.now, settings.validity), None, None, None, salt or secrets.token_hex(16), "")
        signed, text = signing.sign(job)
        return IssuedCredential(job.credential_id, signed, text, "unrecorded")
    issuance, state = _reserve_one(settings.planner(ledger, options, issuer), row, reissue)
    if row.email:
        ledger.record_addresses([(issuance.credential_id, row.email, row.name.strip() or None)])
    signed, text = signing.sign(job_for(issuance, row, ledger, None, options.format))
    if state != "already-issued":
        ledger.mark_issued([(issuance.credential_id, "")], actor=actor)
    return IssuedCredential(issuance.credential_id, signed, text, state, ledger.get(issuance.credential_id))


def _reserve_one(planner: Planner, row: RosterRow, reissue: bool) -> tuple[Issuance, str]:
    """The ledger's credential for ``row``: the one an unfinished run reserved, the one already
    issued from the same values, or a new reservation."""
    ledger = planner.ledger
    recipient_key = ledger.recipient_key(row.recipient_key)
    latest = ledger.latest_many(planner.badge_id, [recipient_key]).get(recipient_key)
    if latest is not None and latest.state == "reserved":
        return latest, "resumed"
    if latest is not None and not reissue:
        if latest.row_fingerprint != row_fingerprint(row):
            raise InputError(f"the recipient already holds {latest.credential_id} of badge {planner.badge_id}, "
                             "issued from other values", hint="pass reissue=True to issue a new credential on purpose")
        return latest, "already-issued"
    generation = 1 if latest is None else latest.generation + 1
    return planner.reserve([planner.item(row, recipient_key, generation)])[0], "issued"

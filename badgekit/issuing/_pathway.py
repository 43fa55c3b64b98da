"""Awarding a pathway badge class from the ledger, without a roster (:func:`issue_pathway`).

A *pathway* badge class requires holding others (``badgekit.requires``: all_of / n_of, nested)
and reads no roster column (:attr:`badgekit.badgeclass.Policy.is_pathway`). The ledger knows who
holds what, under keyed recipient hashes; it cannot give back an email. So the recipient of a
pathway credential is taken from a component credential's file (its path is in the ledger): the
subject's ``id`` and ``identifier`` IdentityObjects, the same hash and salt, which name the same
recipient in OB 3.0 (``verify --recipient EMAIL`` matches both). A holder whose component files
are all gone, or were never written (:func:`badgekit.issuing.issue_credential`), is rejected with
that reason.

Each pathway credential names its components: every active component credential, one OB 3.0
``Evidence`` entry each (its credential id, the badge-class name). Which components a credential
names is recorded in the ledger (a ``components`` event) before it is signed, so a run killed
after reserving signs the same bytes when resumed. The same guarantees as a roster run: a holder
already awarded is not awarded again (unless ``reissue``), dry run, resumable.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from badgekit import _envelope, _jsonl
from badgekit._time import utc_now
from badgekit.badgeclass import BadgeClass
from badgekit.errors import InputError
from badgekit.issuing._executor import Executor
from badgekit.issuing._options import (
    IssueOptions,
    IssueReport,
    Progress,
    RowOutcome,
    credential_filename,
)
from badgekit.issuing._plan import job_for
from badgekit.issuing._run import _Outcomes, _Settings, signing_executor
from badgekit.issuing._signing import (
    _Job,
    _parse_ts,
    proof_suite,
    signing_method,
)
from badgekit.issuing._worker import STAGING, SigningSetup, badge_images
from badgekit.keys import PrivateKey
from badgekit.ledger import Issuance, Ledger, active_badges, holdings
from badgekit.roster import RosterRow, RowError

#: The ledger event naming the component credentials a pathway credential stands on.
COMPONENTS_EVENT = "components"
#: What an award without a roster reports as its source (``IssueReport.roster``).
LEDGER_SOURCE = "(ledger)"


@dataclass(frozen=True)
class Holder:
    """A recipient (ledger key) who meets a pathway's requirements, and the active component
    credentials they hold (the latest of each badge class)."""

    recipient_key: str
    components: tuple[Issuance, ...]


def pathway_holders(ledger: Ledger, badge: BadgeClass, now: datetime, issuer_id: str | None) -> list[Holder]:
    """Every recipient in ``ledger`` whose active credentials of ``issuer_id`` meet ``badge``'s
    requirements at ``now`` (see :func:`badgekit.ledger.holdings`), ordered by ledger key."""
    rule = badge.policy.rule
    if rule is None:
        return []
    found = holdings((i for rid in rule.badge_ids() for i in ledger.issuances(badge_id=rid)), now, issuer_id)
    out: list[Holder] = []
    for key, holding in found.items():
        if rule.met(holding.active):
            latest: dict[str, Issuance] = {}
            for i in sorted(holding.issuances, key=lambda i: i.generation):
                if active_badges([i], now, issuer_id):
                    latest[i.badge_id] = i
            out.append(Holder(key, tuple(latest[rid] for rid in rule.badge_ids() if rid in latest)))
    return out


def eligible_count(ledger: Ledger, badge: BadgeClass, now: datetime, issuer_id: str | None) -> int:
    """How many recipients meet ``badge``'s requirements and hold no credential of it yet."""
    holders = pathway_holders(ledger, badge, now, issuer_id)
    awarded = ledger.latest_many(str(badge.achievement.get("id") or badge.id), [h.recipient_key for h in holders])
    return sum(1 for h in holders if h.recipient_key not in awarded)


def issue_pathway(
    *,
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
    """Award the pathway ``badge`` to every eligible holder in ``ledger`` not yet awarded it.

    Each outcome's ``line`` is the holder's position in the run (ledger-key order);
    ``prerequisites`` (id → name) names the components in the evidence. Signed by ``executor``
    (a Dask cluster's workers) or, by default, by this machine with ``key``, as
    :func:`badgekit.issuing.issue_roster` is. See the module docstring.

    Raises:
        InputError: ``badge`` is not a pathway (requires nothing, or reads roster columns); as
            :func:`badgekit.issuing.issue_roster` for the key, format, issuer and status list URL.
        LedgerError: as :func:`badgekit.issuing.issue_roster`.
    """
    policy = badge.policy
    if not policy.is_pathway:
        what = "requires no other badge class" if not policy.requires else f"reads roster columns ({', '.join(policy.columns)})"
        raise InputError(f"{badge.path}: not a pathway badge class: it {what}, so it is issued from a roster",
                         hint=f"give a roster: badgekit issue ROSTER --badge {badge.path}")
    executor = signing_executor(key, executor, issuer, options)
    s = _Settings(badge, options, status_base_url, prerequisites)
    issuer_id = str(issuer.get("id") or "") or None
    planner = s.planner(ledger, options, issuer)
    holders = pathway_holders(ledger, badge, s.now, issuer_id)
    known = ledger.latest_many(s.badge_id, [h.recipient_key for h in holders])
    out_dir, fmt = Path(options.out_dir), options.format
    decided: dict[int, RowOutcome] = {}
    jobs: list[_Job] = []
    fresh: list[tuple[int, Holder, dict[str, Any], Mapping[str, Any]]] = []
    for line, holder in enumerate(holders, 1):
        row = RosterRow(line, {})
        latest = known.get(holder.recipient_key)
        if (latest is not None and latest.state != "reserved" and not options.reissue
                and latest.output_path and _jsonl.usable(latest.output_path)):
            decided[line] = RowOutcome(line, "already-issued", latest.credential_id, latest.output_path)
            continue
        components = _components(ledger, latest, holder) if latest is not None else holder.components
        subject = _identity(components, issuer_id)
        if subject is None:
            files = ", ".join(i.output_path or f"{i.credential_id} (no file)" for i in components)
            decided[line] = RowOutcome(line, "rejected", errors=(RowError(
                line, None, f"no readable component credential of this issuer to take the recipient's identity from ({files})"),))
            continue
        if latest is not None and (latest.state == "reserved" or not options.reissue):
            status = "resumed" if latest.state == "reserved" else "already-issued"
            job = _pathway_job(job_for(latest, row, ledger, out_dir, fmt), subject, components, s.required)
            jobs.append(job)
            note = "credential file was missing and has been rewritten" if status == "already-issued" else None
            decided[line] = RowOutcome(line, status, latest.credential_id, job.path, note=note)
            continue
        generation = 1 if latest is None else latest.generation + 1
        if options.dry_run:
            cid = ledger.credential_id(s.badge_id, holder.recipient_key, generation)
            decided[line] = RowOutcome(line, "would-issue", cid, str(out_dir / credential_filename(cid, fmt)))
            continue
        item = {**planner.item(row, holder.recipient_key, generation), "row_fingerprint": _fingerprint(holder.components)}
        fresh.append((line, holder, item, subject))
    if fresh:
        for (line, holder, _, held_subject), issuance in zip(fresh, planner.reserve([f[2] for f in fresh]), strict=True):
            ledger.record_event(issuance.credential_id, COMPONENTS_EVENT, actor=options.actor,
                                detail={"components": [i.credential_id for i in holder.components]})
            job = _pathway_job(job_for(issuance, RosterRow(line, {}), ledger, out_dir, fmt), held_subject, holder.components, s.required)
            jobs.append(job)
            decided[line] = RowOutcome(line, "issued", issuance.credential_id, job.path)
    rejected = {line: o for line, o in decided.items() if o.status == "rejected"}
    outcomes = _Outcomes(rejected, sink)
    outcomes.add_chunk({line: o for line, o in decided.items() if o.status != "rejected"})
    if jobs and not options.dry_run:
        _sign(jobs, badge, issuer, executor, ledger, options, s, progress)
        with contextlib.suppress(OSError):
            (out_dir / STAGING).rmdir()
    ordered, counts = outcomes.finish()
    return IssueReport(LEDGER_SOURCE, s.badge_id, ordered, (), (utc_now() - s.started).total_seconds(), counts, s.revocable)


def _components(ledger: Ledger, latest: Issuance, holder: Holder) -> tuple[Issuance, ...]:
    """The components a reserved (or issued) pathway credential names: those recorded when it was
    reserved (so it is signed again with the same bytes), else the holder's current ones."""
    recorded = [e for e in ledger.events(credential_id=latest.credential_id, kinds=[COMPONENTS_EVENT]) if e.detail]
    if not recorded:
        return holder.components
    found = [ledger.get(cid) for cid in recorded[-1].detail.get("components", [])]  # type: ignore[union-attr]
    return tuple(i for i in found if i is not None)


def _fingerprint(components: Sequence[Issuance]) -> str:
    return hashlib.sha256("\n".join(sorted(i.credential_id for i in components)).encode()).hexdigest()


def _identity(components: Sequence[Issuance], issuer_id: str | None) -> dict[str, Any] | None:
    """The credentialSubject ``id`` / ``identifier`` of the first component credential file that
    can be read and was issued by ``issuer_id`` (None when there is none)."""
    for issuance in components:
        path = issuance.output_path
        if not path:
            continue
        try:
            credential = _envelope.read_path(path).credential
        except (OSError, InputError):
            continue
        who = credential.get("issuer")
        if issuer_id is not None and (who.get("id") if isinstance(who, Mapping) else who) != issuer_id:
            continue
        subject = credential.get("credentialSubject")
        if isinstance(subject, list):
            subject = subject[0] if subject else None
        if isinstance(subject, Mapping) and credential.get("id") == issuance.credential_id:
            identity = {m: subject[m] for m in ("id", "identifier") if subject.get(m)}
            if identity:
                return identity
    return None


def _pathway_job(job: _Job, subject: Mapping[str, Any], components: Sequence[Issuance], names: Mapping[str, str]) -> _Job:
    evidence = tuple(
        {"id": i.credential_id, "type": ["Evidence"], "name": names.get(i.badge_id, i.badge_id),
         "narrative": "A credential this achievement stands on (a component of the pathway), held by the same recipient."}
        for i in components)
    return replace(job, subject=dict(subject), evidence=evidence)


def _sign(jobs: list[_Job], badge: BadgeClass, issuer: Mapping[str, Any], executor: Executor, ledger: Ledger,
          options: IssueOptions, s: _Settings, progress: Progress | None) -> None:
    """Sign ``jobs`` in chunks of 64 (worker processes for big runs), marking each chunk issued."""
    images = None
    if options.bake:
        until = s.planner(ledger, options, issuer).valid_until(RosterRow(0, {}))
        images = badge_images(badge, issuer, options.bake, valid_from=s.now, per_recipient=False, fonts=options.fonts,
                              valid_until=None if until is None else _parse_ts(until))
    # The same seam as every issuing run (issuing._executor): one signing path for rosters and pathways.
    identity = executor.identity
    setup = SigningSetup(uuid.uuid4().hex, signing_method(identity, issuer, options), dict(issuer),
                         s.achievement, images, options.format, dict(identity.public_jwk), proof_suite(identity, options),
                         disclose=getattr(badge.policy, "disclose", None))
    chunks = [jobs[i : i + 64] for i in range(0, len(jobs), 64)]
    done = 0
    if progress:
        progress(0, len(jobs))
    with executor.sign(setup, chunks) as signed:
        for pairs in signed:
            ledger.mark_issued(pairs, actor=options.actor)
            done += len(pairs)
            if progress:
                progress(done, len(jobs))


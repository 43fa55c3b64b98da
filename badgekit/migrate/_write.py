"""Writing a migration: each badge class as a badge-class file (``badges/<slug>.yaml``) and its
roster (``<slug>.csv``), and issuing them through the issuing path every roster takes
(:func:`badgekit.issuing.issue_roster`: the ledger makes a second migration issue nothing new)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from badgekit import badgeclass, issuing
from badgekit._io import atomic_write
from badgekit.errors import InputError
from badgekit.keys import PrivateKey
from badgekit.ledger import Ledger
from badgekit.migrate._plan import BadgePlan, MigrationPlan, Outcome
from badgekit.roster import EVIDENCE_NUMBERS

#: The roster's columns, in this order (only those some row uses are written).
COLUMNS = ("identity_type", "identity_hash", "identity_salt", "email", "recipient_id", "earned", "valid_until",
           "narrative", "evidence_url", "evidence_name", "evidence_narrative",
           *(f"evidence_{part}_{n}" for n in EVIDENCE_NUMBERS for part in ("url", "name", "narrative")),
           "migrated_from")


@dataclass(frozen=True)
class Written:
    """A badge class and its roster on disk; ``lines``: each row's first physical line."""

    plan: BadgePlan
    badge_path: Path
    roster_path: Path
    lines: tuple[int, ...]


def write_migration(plan: MigrationPlan, out_dir: Path) -> list[Written]:
    """Write every badge class of ``plan`` to ``out_dir/badges/`` and its roster to ``out_dir``.

    A badge-class file that is already there with the same id is kept as it is (it may have been
    edited since the last migration); one with another id is never overwritten.

    Raises:
        InputError: a badge class has problems (the OB 3.0 schema, badgekit's rules), or a file
            with another id is in the way.
        OutputError: a file cannot be written.
    """
    written = []
    for badge in plan.badges:
        badge_path = out_dir / "badges" / f"{badge.slug}.yaml"
        problems = badgeclass.check_document(badge.document)
        if problems:
            raise InputError(f"{badge.old_id}: the badge class made from it has problems: {problems[0].path}: "
                             f"{problems[0].message}")
        if badge_path.exists():
            existing = badgeclass.read_document(badge_path)
            if not isinstance(existing, Mapping) or existing.get("id") != badge.id:
                raise InputError(f"{badge_path}: is another badge class (not {badge.id}); refusing to overwrite it",
                                 hint="migrate into another --out folder")
        else:
            badgeclass.write_badge_class(badge_path, badge.document,
                                         comment=f"Migrated from the Open Badges 2.0 BadgeClass {badge.old_id}\n"
                                                 "by badgekit migrate; edit freely, its id stays.")
        text, lines = _roster(badge.rows)
        roster_path = out_dir / f"{badge.slug}.csv"
        atomic_write(roster_path, text, mode=0o600)  # recipient hashes: for the issuer only
        written.append(Written(badge, badge_path, roster_path, lines))
    return written


def _roster(rows: Sequence[tuple[int, Mapping[str, str]]]) -> tuple[str, tuple[int, ...]]:
    used = [c for c in COLUMNS if any(row.get(c) for _, row in rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(used)
    lines = []
    for _, row in rows:
        lines.append(out.getvalue().count("\n") + 1)
        writer.writerow([row.get(c, "") for c in used])
    return out.getvalue(), tuple(lines)


def issue_migration(plan: MigrationPlan, written: Sequence[Written], *, issuer: Mapping[str, Any], key: PrivateKey,
                    ledger: Ledger, options: issuing.IssueOptions, status_base_url: str | None = None) -> MigrationPlan:
    """Issue every written roster with its badge class (``options.dry_run``: plan only) and
    return ``plan`` with each migrated outcome's status (issued, already-issued, would-issue,
    rejected …), credential id and file.

    Raises:
        InputError, LedgerError, KeyFileError: as :func:`badgekit.issuing.issue_roster`.
    """
    outcomes = list(plan.outcomes)
    for item in written:
        badge = badgeclass.load_badge_class(item.badge_path)
        report = issuing.issue_roster(roster_path=item.roster_path, badge=badge, issuer=issuer, key=key, ledger=ledger,
                                      options=options, status_base_url=status_base_url)
        by_line = {o.line: o for o in report.outcomes}
        for (index, _), line in zip(item.plan.rows, item.lines, strict=True):
            done = by_line.get(line)
            if done is None:
                continue
            reason = "; ".join(e.reason for e in done.errors) or done.note or outcomes[index].reason
            outcomes[index] = replace(outcomes[index], status=done.status, reason=reason,
                                      credential_id=done.credential_id, path=done.path)
    return replace(plan, outcomes=tuple(outcomes))


__all__ = ["COLUMNS", "Outcome", "Written", "issue_migration", "write_migration"]

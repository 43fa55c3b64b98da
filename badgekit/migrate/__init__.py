"""Open Badges 2.0 → 3.0: re-issue verified OB 2.0 assertions as OB 3.0 credentials signed by the
current project's issuer.

Three steps, each usable alone: :func:`plan_migration` reads and verifies the assertions
(:mod:`badgekit.ob2`) and decides, per assertion, a roster row of a badge class or the reason it
is not migrated; :func:`write_migration` writes the badge classes and their rosters;
:func:`issue_migration` issues them through :func:`badgekit.issuing.issue_roster`, so the ledger
makes migrating twice issue nothing new. What carries over and where: :mod:`._plan`.

    >>> from datetime import UTC, datetime
    >>> from badgekit.migrate import plan_migration
    >>> plan = plan_migration(["tests/vectors/ob2/validator-core/2_0_basic_assertion.json"],
    ...                       at=datetime(2026, 1, 15, tzinfo=UTC))
    >>> plan.outcomes[0].status, plan.outcomes[0].reason.startswith("cannot be verified offline: supply")
    ('not-migrated', True)
"""

from __future__ import annotations

from badgekit.migrate._plan import (
    MIGRATE,
    NAMESPACE,
    NOT_MIGRATED,
    BadgePlan,
    MigrationPlan,
    Outcome,
    plan_migration,
)
from badgekit.migrate._read import SUFFIXES
from badgekit.migrate._write import COLUMNS, Written, issue_migration, write_migration

__all__ = [
    "COLUMNS",
    "MIGRATE",
    "NAMESPACE",
    "NOT_MIGRATED",
    "SUFFIXES",
    "BadgePlan",
    "MigrationPlan",
    "Outcome",
    "Written",
    "issue_migration",
    "plan_migration",
    "write_migration",
]

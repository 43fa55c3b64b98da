"""Recipients from a roster: names for bundles, and the rows ``send --roster`` selects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from badgekit import _identity, roster
from badgekit._io import as_list
from badgekit.delivery._facts import _str


def roster_names(roster_path: str | Path) -> tuple[dict[int, str], list[tuple[dict[str, str], str]]]:
    """Names from a roster: by line number, and (row values, name) pairs for matching recipients.

    Raises:
        InputError: the roster cannot be read.
    """
    by_line: dict[int, str] = {}
    rows: list[tuple[dict[str, str], str]] = []
    for item in roster.Roster.open(roster_path).rows():
        if isinstance(item, roster.Row):
            name = (item.get("name") or "").strip()
            if name:
                by_line[item.line] = name
                rows.append((dict(item.values), name))
    return by_line, rows


def match_recipient(credential: Mapping[str, Any], rows: Sequence[tuple[Mapping[str, str], str]]) -> str | None:
    """The name of the roster row whose email or student id hashes to the credential's identifier.

    Recomputes each ``IdentityObject`` hash with its salt (the OB 3.0 rule; emails trimmed and
    lower-cased as badgekit hashes them), so it works for credentials not in this ledger too.
    """
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    identifiers = [i for i in as_list(subject.get("identifier") if isinstance(subject, Mapping) else None) if isinstance(i, Mapping)]
    for ident in identifiers:
        column = {"emailAddress": "email", "sisSourcedId": "student_id", "studentId": "student_id"}.get(_str(ident.get("identityType")))
        if column is None:
            continue
        for values, name in rows:
            value = values.get(column) or ""
            if column == "email":
                value = roster.normalise_email(value)
            if value and _identity.matches(ident, [value]):
                return name
    return None


def roster_recipients(roster_path: str | Path, *, date_order: str | None = None) -> tuple[list[tuple[int, str]], list[int]]:
    """The rows of a roster as issuing keys them: (line, recipient key) per row, the key being
    what :attr:`badgekit.roster.RosterRow.recipient_key` gives the issuing run (the normalised
    email, else the recipient id, else the student id; the ledger keeps it keyed-hashed). Also
    the lines of rows that cannot be read at all.

    Raises:
        InputError: the roster cannot be read (its header, encoding, a line too long).
    """
    keys: list[tuple[int, str]] = []
    unreadable: list[int] = []
    for item in roster.Roster.open(roster_path, date_order=date_order).rows():
        if isinstance(item, roster.Row):
            keys.append((item.line, roster.parse_row(item, date_order=date_order)[0].recipient_key))
        else:
            unreadable.append(item.line)
    return keys, unreadable

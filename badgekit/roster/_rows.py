"""The records a roster is read into: :class:`Row` (cell text), :class:`RowError` (a problem),
and :class:`RosterRow` (a validated row, every value parsed once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class RowError:
    """One problem with one roster row (``line`` is the physical line in the file, 1 = header)."""

    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """A roster row with canonical column names and normalised values."""

    line: int
    values: dict[str, str] = field(hash=False)

    def get(self, column: str) -> str | None:
        value = self.values.get(column)
        return value if value else None

    @property
    def recipient(self) -> str:
        """The identifier that makes the recipient unique for a badge class (normalised)."""
        return self.get("email") or self.get("recipient_id") or f"studentId:{self.get('student_id')}"


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A roster row read once: identifiers normalised, dates and numbers parsed (issue 14).

    Made by :func:`badgekit.roster.parse_row`; issuing plans, fingerprints and builds credentials
    from it without parsing a value again. ``values`` keeps each cell's text by canonical column
    (custom columns, text properties, requirement rules and row fingerprints read it). A value that
    does not parse is None here and reported by validation; an issuing path never sees such a row.
    """

    line: int
    values: dict[str, str] = field(hash=False)
    email: str | None = None  # bare and lower-case (normalise_email): what is hashed and keyed
    recipient_id: str | None = None  # a DID, URL or URN: credentialSubject.id
    student_id: str | None = None
    earned: datetime | None = None  # aware UTC
    issued: datetime | None = None  # validFrom when not the run's clock
    valid_until: datetime | None = None  # validUntil when not the badge class's validity
    activity_start: datetime | None = None
    activity_end: datetime | None = None
    score: float | None = None
    credits_earned: float | None = None
    status: str | None = None  # as OB 3.0's ResultStatusType spells it
    grade: str | None = None  # the score as a LetterGrade's text (its allowedValue's spelling), when it fills one

    def get(self, column: str) -> str | None:
        """A cell's text (None when empty)."""
        value = self.values.get(column)
        return value if value else None

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def recipient_key(self) -> str:
        """What makes the recipient unique for one badge class (see :func:`recipient_key`)."""
        return recipient_key(self.email, self.recipient_id, self.student_id, self.identity)

    @property
    def identity(self) -> tuple[str, str, str] | None:
        """(identity_type, identity_hash, identity_salt) of a row naming its recipient by a hash
        made before (``identity_hash``), else None."""
        found = self.get("identity_hash")
        if found is None:
            return None
        return (self.get("identity_type") or "emailAddress", found, self.values.get("identity_salt", ""))


def recipient_key(email: str | None, recipient_id: str | None, student_id: str | None,
                  identity: tuple[str, str, str] | None = None) -> str:
    """What makes a recipient unique for one badge class: the normalised email, else the other
    identifier, else a hash made before (type, hash and salt), else the student id (the ledger
    keeps it keyed-hashed)."""
    if email:
        return "email:" + email
    if recipient_id:
        return "id:" + recipient_id
    if identity is not None:
        return "identity:" + "$".join(identity)
    return "studentId:" + (student_id or "")

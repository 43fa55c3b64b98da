"""The records a roster is read into: :class:`Row` (cell text), :class:`RowError` (a problem),
and :class:`RosterRow` (a validated row, every value parsed once)."""

from __future__ import annotations

from dataclasses import dataclass, field


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

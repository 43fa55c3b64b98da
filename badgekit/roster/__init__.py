"""Read CSV rosters the way spreadsheets really export them, and validate every row before signing.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode Text") or without one,
Windows-1252 or Mac Roman when the bytes are not UTF-8 (Excel "CSV" on Windows or on a Mac); comma, semicolon, tab or pipe
separators (sniffed from the header, or taken from Excel's ``sep=;`` first line); CRLF, LF or CR line
ends; quoted fields with embedded separators and newlines; blank lines and all-empty rows (Excel
leaves them); trailing empty columns; spaces, no-break spaces, zero-width characters and stray byte
order marks around values; header names in any case and spacing, with common aliases ("E-mail
Address", "Full Name", "Score (%)" …); a repeated header row (two exports joined).

Refused with a one-line reason: workbooks renamed to .csv (xlsx, ods, xls, Numbers), binary files,
a file mixing UTF-8 and Windows-1252, a value longer than :data:`MAX_FIELD_CHARS`, a quote that is
never closed, a NUL character in a value, ambiguous dates (``04/03/2026``) unless a day/month order
is given, Excel date serial numbers, and identifiers Excel rewrote in scientific notation.

Every problem is a :class:`RowError` with the physical line number (as a text editor shows it: a
row with a quoted newline starts on one line and ends on a later one), the column and a reason.
Rows are streamed: memory stays flat with roster size.

The package: :mod:`._encoding` (what kind of file, which encoding), :mod:`._values` (cells, e-mail
addresses, dates, numbers), :mod:`._reader` (:class:`Roster`: header mapping, rows streamed),
:mod:`._rows` (the records), :mod:`._results` (how a score is read: a number or a letter grade, as
the badge class's resultDescription expects) and :mod:`._validate` (every value checked).
"""

from __future__ import annotations

from badgekit.roster._encoding import decode_roster, detect_encoding, refuse_non_text
from badgekit.roster._reader import Header, Roster
from badgekit.roster._results import (
    MAX_GRADE_CHARS,
    NUMERIC_RESULT_TYPES,
    ResultExpectation,
    ScoreReading,
)
from badgekit.roster._rows import RosterRow, Row, RowError, recipient_key
from badgekit.roster._validate import RowRule, parse_row, typed_row, validate_row
from badgekit.roster._values import (
    COLUMNS,
    DATE_COLUMNS,
    DATE_ORDERS,
    EVIDENCE_NUMBERS,
    MAX_FIELD_CHARS,
    MAX_LINE_CHARS,
    MAX_ROSTER_BYTES,
    RESULT_STATUSES,
    bare_email,
    clean_value,
    column_letter,
    date_order,
    drop_invisible,
    identifier_cell,
    is_email,
    is_url,
    normalise_email,
    normalise_header,
    parse_date,
    parse_number,
    result_status,
)

__all__ = [
    "COLUMNS", "DATE_COLUMNS", "MAX_GRADE_CHARS", "NUMERIC_RESULT_TYPES", "ResultExpectation", "ScoreReading", "DATE_ORDERS", "EVIDENCE_NUMBERS", "MAX_FIELD_CHARS", "MAX_LINE_CHARS", "MAX_ROSTER_BYTES",
    "RESULT_STATUSES", "Header", "Roster", "RosterRow", "Row", "RowError", "RowRule", "bare_email", "clean_value", "column_letter",
    "date_order", "decode_roster", "detect_encoding", "drop_invisible", "identifier_cell", "is_email", "is_url", "normalise_email",
    "normalise_header", "parse_date", "parse_number", "parse_row", "recipient_key", "refuse_non_text", "result_status",
    "typed_row",
    "validate_row",
]

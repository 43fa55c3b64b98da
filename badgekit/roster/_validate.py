"""Row validation: every value checked, and the badge class's requirement rules applied."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

from badgekit.roster._results import ResultExpectation
from badgekit.roster._rows import RosterRow, Row, RowError
from badgekit.roster._values import (
    _SCIENTIFIC,
    _SCIENTIFIC_ID_COLUMNS,
    DATE_COLUMNS,
    EVIDENCE_NUMBERS,
    NUMBER_COLUMNS,
    RESULT_STATUSES,
    is_email,
    is_url,
    normalise_email,
    normalise_header,
    parse_date,
    parse_number,
    result_status,
)


class RowRule(Protocol):
    """A rule a row must satisfy, as :func:`parse_row` applies it
    (:class:`badgekit.badgeclass.Requirement` is one; an optional ``kind`` of ``"date"`` makes
    the row's day/month order apply to the value first)."""

    @property
    def column(self) -> str:
        """The column the rule reads (a header name or alias)."""

    def check(self, raw: str | None) -> str | None:
        """None when ``raw`` (the cell, None if absent) satisfies the rule, else a one-line reason."""


_IDENTITY_HASH = re.compile(r"^(sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32})$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:\S+$")
_IDENTITY_TYPE = re.compile(r"^([a-z][A-Za-z]+|ext:[A-Za-z0-9._-]+)$")
_RECIPIENT_ID = re.compile(r"^(did:[a-z0-9]+:\S+|https?://\S+|urn:\S+)$")


def _email_problem(raw: str) -> str:
    address = normalise_email(raw)
    if address[:1] == "=":
        return f"{raw[:80]!r} is a spreadsheet formula, not an address: put the address itself in the cell"
    if address.count("@") > 1 or re.search(r"[,;]", address):
        return f"{raw!r} is not one email address (one recipient per row)"
    if re.search(r"\s", address):
        if is_email(re.sub(r"\s+", "", address)):
            return f"{raw!r} has a space inside the address: remove it"
        return f"{raw!r} is not one email address (one recipient per row)"
    if not address.isascii() and is_email(address.encode("ascii", "replace").decode().replace("?", "x")):
        return (f"{raw!r} is an internationalised address (non-ASCII letters): badgekit accepts ASCII "
                "addresses only, which every mail system delivers; use the recipient's ASCII address")
    return f"invalid email address {raw!r}"


def validate_row(row: Row, requirements: Sequence[RowRule] = (), *, date_order: str | None = None,
                 results: ResultExpectation | None = None) -> list[RowError]:
    """Check a row's values and the badge class's requirement rules; return every problem.

    ``date_order`` (``"DMY"``/``"MDY"``) reads numeric dates the way the roster writes them."""
    return parse_row(row, requirements, date_order=date_order, results=results)[1]


def parse_row(row: Row, requirements: Sequence[RowRule] = (), *, date_order: str | None = None,
              results: ResultExpectation | None = None) -> tuple[RosterRow, list[RowError]]:
    """Read a row once: the :class:`RosterRow` (every value parsed) and every problem with it
    (:func:`validate_row`'s). The record of a row with problems has None where a value did not
    parse: issue only a row without problems. ``results`` (the badge class's resultDescriptions)
    says how ``score`` is read: a letter grade where it fills a LetterGrade, else a number."""
    errors: list[RowError] = []
    line = row.line
    values = row.values
    layout = _layout(values)

    def get(column: str) -> str | None:
        return values.get(column) or None

    email = get("email")
    address = None
    if email is not None:
        address = normalise_email(email)
        if not is_email(address):
            errors.append(RowError(line, "email", _email_problem(email)))
    elif not (get("recipient_id") or get("student_id") or get("identity_hash")):
        errors.append(RowError(line, "email", "missing recipient email"))
    identity = get("identity_hash")
    if identity is not None and not _IDENTITY_HASH.match(identity):
        errors.append(RowError(line, "identity_hash", f"{identity[:80]!r} is not an IdentityHash (sha256$ and 64 hex "
                                                      "digits, or md5$ and 32)"))
    kind = get("identity_type")
    if kind is not None and (identity is None or not _IDENTITY_TYPE.match(kind)):
        errors.append(RowError(line, "identity_type", "needs an identity_hash" if identity is None else
                               f"{kind!r} is not an OB 3.0 identityType (emailAddress, sisSourcedId, … or ext:name)"))
    rid = get("recipient_id")
    if rid is not None and not _RECIPIENT_ID.match(rid):
        errors.append(RowError(line, "recipient_id", f"{rid!r} is not a DID, URL or URN"))
    for col in layout.scientific:
        value = values[col]
        if value and _SCIENTIFIC.fullmatch(value):
            errors.append(RowError(line, col, f"{value!r} is a number Excel shortened to scientific notation "
                                              "(digits are lost): format the column as Text and export again"))
    dates: dict[str, datetime] = {}
    for col in layout.dates:
        value = values[col]
        if value:
            try:
                dates[col] = parse_date(value, date_order)
            except ValueError as exc:
                errors.append(RowError(line, col, str(exc)))
    numbers: dict[str, float] = {}
    grade = None
    reading = results.reading(get("level") is not None) if results is not None else None
    for col in layout.numbers:
        value = values[col]
        if value and col == "score" and reading is not None and reading.letter:
            grade, problem = reading.grade(value)
            if problem is not None:
                errors.append(RowError(line, col, problem))
            with contextlib.suppress(ValueError):  # a numeric grade: its row fingerprint as before (a number)
                numbers[col] = parse_number(value)
        elif value:
            try:
                numbers[col] = parse_number(value)
            except ValueError as exc:
                errors.append(RowError(line, col, str(exc)))
    for column in layout.evidence:
        url = values[column]
        if url and not is_url(url):
            errors.append(RowError(line, column, f"{url!r} is not an http(s) URL"))
    origin = get("migrated_from")
    if origin is not None and not _URI.match(origin):
        errors.append(RowError(line, "migrated_from", f"{origin[:80]!r} is not a URI (a URL, urn:uuid:…)"))
    if "valid_until" in dates and dates["valid_until"] <= dates.get("issued", dates["valid_until"] - timedelta(1)):
        errors.append(RowError(line, "valid_until", "is not after issued (the credential would never be valid)"))
    level = get("level")
    problem = results.level_problem(level) if results is not None and level is not None else None
    if problem is not None:
        errors.append(RowError(line, "level", problem))
    written_status = get("status")
    status = result_status(written_status) if written_status is not None else None
    if written_status is not None and status is None:
        errors.append(RowError(line, "status", f"{written_status!r} is not a result status ({', '.join(RESULT_STATUSES)})"))
    if requirements:
        _check_requirements(row, requirements, date_order, errors)
    record = RosterRow(
        line, values, email=address, recipient_id=rid, student_id=get("student_id"),
        earned=dates.get("earned"), issued=dates.get("issued"), valid_until=dates.get("valid_until"),
        activity_start=dates.get("activity_start_date"), activity_end=dates.get("activity_end_date"),
        score=numbers.get("score"), credits_earned=numbers.get("credits_earned"), status=status, grade=grade,
    )
    return record, errors


class _Layout(NamedTuple):
    """Which of the columns :func:`parse_row` checks in turn a row has (in that order)."""

    scientific: tuple[str, ...]
    dates: tuple[str, ...]
    numbers: tuple[str, ...]
    evidence: tuple[str, ...]


_EVIDENCE_URL_COLUMNS = ("evidence_url", *(f"evidence_url_{n}" for n in EVIDENCE_NUMBERS))
#: Layouts by the columns of a row, in order: every row of one roster has the same columns, so
#: each row checks only the columns its roster has (issue 18). Bounded: rows made in code vary.
_LAYOUTS: dict[tuple[str, ...], _Layout] = {}


def _layout(values: Mapping[str, str]) -> _Layout:
    columns = tuple(values)
    found = _LAYOUTS.get(columns)
    if found is None:
        if len(_LAYOUTS) >= 64:
            _LAYOUTS.clear()
        found = _LAYOUTS[columns] = _Layout(*(tuple(c for c in group if c in values) for group in (
            _SCIENTIFIC_ID_COLUMNS, DATE_COLUMNS, NUMBER_COLUMNS, _EVIDENCE_URL_COLUMNS)))
    return found


def _check_requirements(row: Row, requirements: Sequence[RowRule], date_order: str | None, errors: list[RowError]) -> None:
    """The badge class's rules (``badgekit.requirements``), for columns without a problem yet."""
    failing_columns = {e.column for e in errors}
    for req in requirements:
        column = _canonical(req.column)  # "Completed on", "assessor" … name the same columns as the header
        if column in failing_columns:
            continue
        value = row.get(column)
        if date_order and value and getattr(req, "kind", None) == "date":
            try:  # the rule's own check reads dates without the roster's day/month order: give it ISO
                value = parse_date(value, date_order).strftime("%Y-%m-%d")
            except ValueError as exc:
                errors.append(RowError(row.line, column, str(exc)))
                continue
        reason = req.check(value)
        if reason:
            errors.append(RowError(row.line, column, reason))
            failing_columns.add(column)  # one problem per cell: `required` and `min` both see it missing


#: A requirement's column as the header names it (:func:`normalise_header`), read once per rule text.
_CANONICAL: dict[str, str] = {}


def _canonical(column: str) -> str:
    found = _CANONICAL.get(column)
    if found is None:
        if len(_CANONICAL) >= 256:
            _CANONICAL.clear()
        found = _CANONICAL[column] = normalise_header(column)
    return found


def typed_row(values: Mapping[str, str], line: int = 0) -> RosterRow:
    """A :class:`RosterRow` of values given in code (``credential.build_credential``'s ``values``),
    read as a roster row is; a value that does not parse is None (the builder reports it)."""
    return parse_row(Row(line, dict(values)))[0]

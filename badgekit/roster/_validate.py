"""Row validation: every value checked, and the badge class's requirement rules applied."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from badgekit.roster._rows import Row, RowError
from badgekit.roster._values import (
    _SCIENTIFIC,
    _SCIENTIFIC_ID_COLUMNS,
    DATE_COLUMNS,
    RESULT_STATUSES,
    is_email,
    is_url,
    normalise_email,
    normalise_header,
    parse_date,
    parse_number,
    result_status,
)


def _email_problem(raw: str) -> str:
    address = normalise_email(raw)
    if address.count("@") > 1 or re.search(r"[,;\s]", address):
        return f"{raw!r} is not one email address (one recipient per row)"
    return f"invalid email address {raw!r}"


def validate_row(row: Row, requirements: Sequence[Any] = (), *, date_order: str | None = None) -> list[RowError]:
    """Check a row's values and the badge class's requirement rules; return every problem.

    ``date_order`` (``"DMY"``/``"MDY"``) reads numeric dates the way the roster writes them."""
    errors: list[RowError] = []
    email = row.get("email")
    if email is not None:
        if not is_email(normalise_email(email)):
            errors.append(RowError(row.line, "email", _email_problem(email)))
    elif not (row.get("recipient_id") or row.get("student_id")):
        errors.append(RowError(row.line, "email", "missing recipient email"))
    rid = row.get("recipient_id")
    if rid is not None and not re.match(r"^(did:[a-z0-9]+:\S+|https?://\S+|urn:\S+)$", rid):
        errors.append(RowError(row.line, "recipient_id", f"{rid!r} is not a DID, URL or URN"))
    for col in _SCIENTIFIC_ID_COLUMNS:
        value = row.get(col)
        if value is not None and _SCIENTIFIC.fullmatch(value):
            errors.append(RowError(row.line, col, f"{value!r} is a number Excel shortened to scientific notation "
                                                  "(digits are lost): format the column as Text and export again"))
    for col in DATE_COLUMNS:
        value = row.get(col)
        if value is not None:
            try:
                parse_date(value, date_order)
            except ValueError as exc:
                errors.append(RowError(row.line, col, str(exc)))
    for col in ("score", "credits_earned"):
        value = row.get(col)
        if value is not None:
            try:
                parse_number(value)
            except ValueError:
                errors.append(RowError(row.line, col, f"{value!r} is not a number"))
    url = row.get("evidence_url")
    if url is not None and not is_url(url):
        errors.append(RowError(row.line, "evidence_url", f"{url!r} is not an http(s) URL"))
    status = row.get("status")
    if status is not None and result_status(status) is None:
        errors.append(RowError(row.line, "status", f"{status!r} is not a result status ({', '.join(RESULT_STATUSES)})"))
    failing_columns = {e.column for e in errors}
    for req in requirements:
        column = normalise_header(req.column)  # "Completed on", "assessor" … name the same columns as the header
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
    return errors

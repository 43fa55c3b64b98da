"""Timestamps, in one place: the clock, the one wire format badgekit writes, and the one parser of
the timestamps credentials carry.

VC Data Model 2.0 ("Validity Period"), VC Data Integrity 1.0 (proof ``created``/``expires``) and
Bitstring Status List 1.0 require an XML Schema 1.1 ``dateTimeStamp``: a date-time whose time zone
is mandatory. :func:`parse_datetime_stamp` accepts exactly that lexical form (XSD 1.1 Part 2
§3.3.7/§3.3.8; VCDM 2.0 gives the same regular expression), minus what a Python ``datetime`` cannot
hold (years before 0001 or after 9999) and ``24:00:00`` (which RFC 3339, and so the OB 3.0 JSON
Schema ``date-time`` format, refuses too). ``T`` and ``Z`` are upper case, offsets lie within
±14:00, seconds run 00-59 (no leap seconds), any number of fraction digits (kept to the
microsecond, truncated). Naive times are refused everywhere: badgekit never guesses a time zone.

Human dates (a roster's ``04/03/2026``, ``--at 2026-01-31``) are another concept and are read by
their callers (``roster.parse_date``); only their time-zone-bearing form comes here.

Import-light on purpose (``re`` and ``datetime`` only): ``badgekit verify`` imports it at start-up.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from badgekit.errors import InputError

#: An example of the one wire format, for messages.
EXAMPLE = "2026-01-15T12:00:00Z"

_STAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
#: Near misses, to say what is wrong (compiled on the error path only: start-up stays light).
_NO_ZONE = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"  # naive, or a space for the T
_LOWER = r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
_MAX_OFFSET_MINUTES = 14 * 60


class TimestampError(InputError):
    """A value that must be a date-time with a time zone (XML Schema ``dateTimeStamp``) is not;
    ``field`` names where it came from, ``reason`` says what is wrong."""

    default_hint = f"write a date-time with a time zone, e.g. {EXAMPLE} or 2026-01-15T13:00:00+01:00"

    def __init__(self, field: str, value: Any, reason: str) -> None:
        shown = value[:40] if isinstance(value, str) else value
        super().__init__(f"{field} {shown!r} is not a date-time with a time zone: {reason}")
        self.field = field
        self.value = value
        self.reason = reason


def parse_datetime_stamp(text: Any, *, field: str) -> datetime:
    """``text`` (an XML Schema ``dateTimeStamp``, e.g. ``2026-01-15T12:00:00Z``) as an aware
    datetime at the offset written (``Z``, ``+00:00`` and ``-00:00``: :data:`~datetime.UTC`), so
    ``.date()`` is the day the writer meant; compare freely, or ``.astimezone(UTC)``.

    Raises:
        TimestampError: anything else (naive, out-of-range offset or field, no such day, not a
            string); the message names ``field`` and says why.
    """
    if not isinstance(text, str):
        raise TimestampError(field, text, f"a {type(text).__name__}, not a string")
    m = _STAMP.fullmatch(text)
    if m is None:
        raise TimestampError(field, text, _why_not(text))
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    fraction, utc, sign, off_h, off_m = m.group(7, 8, 9, 10, 11)
    if utc:
        zone = UTC
    else:
        offset = int(off_h) * 60 + int(off_m)
        if int(off_m) > 59 or offset > _MAX_OFFSET_MINUTES:
            raise TimestampError(field, text, f"the offset {sign}{off_h}:{off_m} is not within ±14:00")
        zone = timezone(timedelta(minutes=-offset if sign == "-" else offset)) if offset else UTC
    if hour == 24:
        raise TimestampError(field, text, "hour 24 is not allowed; write 00:00:00 of the next day")
    if second == 60:
        raise TimestampError(field, text, "leap seconds (:60) are not allowed")
    if year == 0:
        raise TimestampError(field, text, "year 0000 is not supported")
    micro = int(fraction[:6].ljust(6, "0")) if fraction else 0
    try:
        when = datetime(year, month, day, hour, minute, second, micro, tzinfo=zone)
    except ValueError:
        raise TimestampError(field, text, "no such date or time") from None
    try:
        when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is a moment before year 1: not comparable
        raise TimestampError(field, text, "out of range") from None
    return when


def _why_not(text: str) -> str:
    if re.fullmatch(_LOWER, text, re.ASCII):
        return "write T and Z in upper case"
    if re.fullmatch(_NO_ZONE, text, re.ASCII):
        return "no time zone (add Z for UTC, or an offset such as +01:00)"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, re.ASCII):
        return "a date without a time"
    return f"expected e.g. {EXAMPLE}"


def format_utc(when: datetime) -> str:
    """``when`` in the one wire format badgekit writes: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds,
    fraction dropped).

    Raises:
        ValueError: ``when`` is naive (a bug in the caller: badgekit never guesses a time zone).
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: badgekit writes only time-zone-aware moments")
    u = when.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def utc_now() -> datetime:
    """The current moment (aware, UTC): the one clock badgekit reads. Functions that depend on the
    time take a ``now``/``at`` argument (default: this), so tests pass a fixed one."""
    return datetime.now(UTC)


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(value: date | datetime | None) -> str:
    """``15 January 2026``, the date people read on pages, e-mails and reports: unambiguous in every
    locale (the day as ``value`` holds it, not moved to another time zone); ``""`` for None."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


__all__ = ["EXAMPLE", "TimestampError", "format_utc", "long_date", "parse_datetime_stamp", "utc_now"]

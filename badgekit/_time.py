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

Durations (a badge class's ``validity: P2Y``, ``--expires-in``) are ISO 8601
(``P[nY][nM][nW][nD][T[nH][nM][nS]]``), parsed by hand (:func:`parse_duration`). Adding one is
calendar-aware (:func:`add_duration`): years and months move the calendar date and clamp to the end
of a shorter month (``P1Y`` from 2024-02-29 is 2025-02-28, ``P1M`` from 2024-01-31 is 2024-02-29),
then weeks, days and the time part are added as exact durations.

Import-light on purpose (``re``, ``datetime`` and ``dataclasses``, all loaded by a cold ``badgekit
verify`` anyway; not ``calendar``, which loads ``locale``): ``badgekit verify`` imports it at start-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    known = _STAMPS.get(text)
    if known is not None:
        return known
    when = _parse_stamp(text, field)
    if len(_STAMPS) >= _MAX_STAMPS:
        _STAMPS.clear()
    _STAMPS[text] = when
    return when


#: Stamps read (:func:`parse_datetime_stamp`), bounded: verifying a run's credentials reads the
#: same validFrom and proof ``created`` again and again (~2.5 µs each). A refused one is not kept.
_STAMPS: dict[str, datetime] = {}
_MAX_STAMPS = 1024


def _parse_stamp(text: str, field: str) -> datetime:
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


def stamp_or_none(value: object) -> datetime | None:
    """``value`` as :func:`parse_datetime_stamp` reads it, or None when it is no date-time stamp
    (missing, empty, not a string, malformed): for dates that are shown or compared, not checked."""
    if not isinstance(value, str) or not value:
        return None  # what parse_datetime_stamp refuses, without the cost of an exception
    try:
        return parse_datetime_stamp(value, field="date")
    except TimestampError:
        return None


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


#: How far a signature's creation time (a proof's ``created``, a JWT's ``iat``/``nbf``) may lie after
#: the verification time: the signer's clock is not ours.
CLOCK_SKEW = timedelta(minutes=5)


_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]``: the days of a month (proleptic Gregorian), without
    importing ``calendar`` and the ``locale`` it loads (~5 M instructions of a cold verify, issue 18).

    Raises:
        ValueError: ``month`` is not 1-12 (as ``calendar.IllegalMonthError``).
    """
    if not 1 <= month <= 12:
        raise ValueError(f"bad month number {month}; must be 1-12")
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return _MONTH_DAYS[month] + leap


def utc_now() -> datetime:
    """The current moment (aware, UTC): the one clock badgekit reads. Functions that depend on the
    time take a ``now``/``at`` argument (default: this), so tests pass a fixed one."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration, kept by component (a year is not a fixed number of days)."""

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: float = 0

    def add_to(self, moment: datetime) -> datetime:
        """``moment`` + this duration (see :func:`add_duration`)."""
        total_months = moment.month - 1 + self.years * 12 + self.months
        year = moment.year + total_months // 12
        month = total_months % 12 + 1
        if not 1 <= year <= 9999:
            raise InputError(f"{self} from {moment.isoformat()} is out of range")
        day = min(moment.day, days_in_month(year, month))
        shifted = moment.replace(year=year, month=month, day=day)
        try:
            return shifted + timedelta(
                weeks=self.weeks, days=self.days, hours=self.hours, minutes=self.minutes, seconds=self.seconds
            )
        except OverflowError:
            raise InputError(f"{self} from {moment.isoformat()} is out of range") from None

    @property
    def is_zero(self) -> bool:
        return not any((self.years, self.months, self.weeks, self.days, self.hours, self.minutes, self.seconds))

    def __str__(self) -> str:
        date_part = "".join(
            f"{n}{u}" for n, u in ((self.years, "Y"), (self.months, "M"), (self.weeks, "W"), (self.days, "D")) if n
        )
        secs = _number_text(float(self.seconds)) if self.seconds else ""
        time_part = "".join(f"{n}{u}" for n, u in ((self.hours, "H"), (self.minutes, "M")) if n)
        time_part += f"{secs}S" if secs else ""
        if not date_part and not time_part:
            return "P0D"
        return "P" + date_part + (f"T{time_part}" if time_part else "")


_DURATION = (  # compiled on first use (re's cache): a cold verify may not need it (issue 18)
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
_MAX_DURATION_COMPONENT = 100_000


def parse_duration(text: str) -> Duration:
    """Parse an ISO 8601 duration such as ``P2Y``, ``P6M``, ``P90D``, ``P1Y6M``, ``PT12H``.

    Only the seconds may have a fraction; negative durations are not durations.

    Raises:
        InputError: not an ISO 8601 duration.
    """
    if not isinstance(text, str):
        raise InputError(f"{text!r} is not an ISO 8601 duration such as P2Y, P6M or P90D")
    match = re.fullmatch(_DURATION, text.strip())
    if match is None or text.strip() in ("P", "PT"):
        raise InputError(f"{text!r} is not an ISO 8601 duration such as P2Y, P6M or P90D")
    parts = match.groupdict()
    values: dict[str, Any] = {}
    for name, raw in parts.items():
        if raw is None:
            continue
        value = float(raw.replace(",", ".")) if name == "seconds" else int(raw)
        if value > _MAX_DURATION_COMPONENT:
            raise InputError(f"{text!r}: {name} component too large")
        values[name] = value
    return Duration(**values)


def add_duration(moment: datetime, duration: str | Duration) -> datetime:
    """``moment`` plus an ISO 8601 duration, calendar-aware.

    Years and months move the calendar date, clamping the day to the end of a shorter month
    (P1Y from 2024-02-29 → 2025-02-28; P1M from 2024-01-31 → 2024-02-29); weeks, days, hours,
    minutes and seconds are then added as exact lengths of time. The time zone is kept.

    Raises:
        InputError: the duration is malformed or the result is out of range.
    """
    parsed = duration if isinstance(duration, Duration) else parse_duration(duration)
    return parsed.add_to(moment)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)



_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def long_date(value: date | datetime | None) -> str:
    """``15 January 2026``, the date people read on pages, e-mails and reports: unambiguous in every
    locale (the day as ``value`` holds it, not moved to another time zone); ``""`` for None."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


__all__ = ["Duration", "EXAMPLE", "TimestampError", "add_duration", "format_utc", "long_date", "parse_datetime_stamp", "parse_duration", "utc_now"]

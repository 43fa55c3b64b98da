"""badgekit._time: the one timestamp parser (XML Schema dateTimeStamp, as VC Data Model 2.0
requires), the one wire format, the one clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badgekit._time import TimestampError, format_utc, parse_datetime_stamp, utc_now
from badgekit.errors import ExitCode, InputError


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-15T12:00:00Z", _utc(2026, 1, 15, 12)),
        ("2026-01-15T14:00:00+02:00", _utc(2026, 1, 15, 12)),
        ("2026-01-15T12:00:00-00:00", _utc(2026, 1, 15, 12)),
        ("2026-01-15T12:00:00+00:00", _utc(2026, 1, 15, 12)),
        ("2026-01-16T02:00:00+14:00", _utc(2026, 1, 15, 12)),  # the XSD bound, inclusive
        ("2026-01-14T22:00:00-14:00", _utc(2026, 1, 15, 12)),
        ("2026-01-15T17:30:00+05:30", _utc(2026, 1, 15, 12)),
        ("2026-01-15T12:00:00.5Z", _utc(2026, 1, 15, 12, 0, 0, 500000)),
        ("2026-01-15T12:00:00.123456Z", _utc(2026, 1, 15, 12, 0, 0, 123456)),
        ("2026-01-15T12:00:00.1234567891Z", _utc(2026, 1, 15, 12, 0, 0, 123456)),  # truncated, not rounded
        ("2026-01-15T23:59:59.9999999Z", _utc(2026, 1, 15, 23, 59, 59, 999999)),  # never rounds up to :60
        ("2024-02-29T00:00:00Z", _utc(2024, 2, 29)),  # leap day
        ("2000-02-29T00:00:00Z", _utc(2000, 2, 29)),  # divisible by 400
        ("0001-01-01T00:00:00Z", _utc(1, 1, 1)),
        ("9999-12-31T23:59:59Z", _utc(9999, 12, 31, 23, 59, 59)),
    ],
)
def test_accepted(text: str, expected: datetime) -> None:
    when = parse_datetime_stamp(text, field="validFrom")
    assert when == expected
    assert when.utcoffset() is not None


def test_the_offset_written_is_kept() -> None:
    # The same moment; .date() is the day the writer meant (a bundle page shows that day).
    when = parse_datetime_stamp("2026-01-16T00:30:00+14:00", field="validFrom")
    assert when.utcoffset() == timedelta(hours=14) and when.date().day == 16
    assert parse_datetime_stamp("2026-01-15T12:00:00Z", field="validFrom").tzinfo is UTC
    assert parse_datetime_stamp("2026-01-15T12:00:00-00:00", field="validFrom").tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("2026-01-15T12:00:00", "no time zone"),  # naive: never taken as UTC or local time
        ("2026-01-15T12:00", "no time zone"),
        ("2026-01-15 12:00:00", "no time zone"),
        ("2026-01-15", "a date without a time"),
        ("2026-01-15T12:00:00z", "upper case"),  # XSD: the zone is "Z", upper case only
        ("2026-01-15t12:00:00Z", "upper case"),
        ("2026-01-15T12:00:00+14:01", "±14:00"),
        ("2026-01-15T12:00:00-14:01", "±14:00"),
        ("2026-01-15T12:00:00+15:00", "±14:00"),
        ("2026-01-15T12:00:00+13:60", "±14:00"),
        ("2026-01-15T24:00:00Z", "hour 24"),
        ("2026-12-31T23:59:60Z", "leap seconds"),
        ("0000-01-01T00:00:00Z", "year 0000"),
        ("0001-01-01T00:00:00+01:00", "out of range"),  # before year 1 in UTC
        ("9999-12-31T23:00:00-01:00", "out of range"),  # after 9999 in UTC
        ("2023-02-29T00:00:00Z", "no such date"),
        ("1900-02-29T00:00:00Z", "no such date"),  # divisible by 100, not by 400
        ("2026-04-31T00:00:00Z", "no such date"),
        ("2026-13-01T00:00:00Z", "no such date"),
        ("2026-01-15T12:61:00Z", "no such date"),
        ("10000-01-01T00:00:00Z", "expected"),
        ("-0001-01-01T00:00:00Z", "expected"),
        ("2026-01-15T12:00:00.Z", "expected"),
        ("2026-01-15T12:00:00+0100", "expected"),
        ("2026-01-15T12:00:00+01", "expected"),
        ("20260115T120000Z", "expected"),  # ISO 8601 basic format: not XSD
        (" 2026-01-15T12:00:00Z", "expected"),
        ("2026-01-15T12:00:00Z\n", "expected"),
        ("２０２６-01-15T12:00:00Z", "expected"),  # non-ASCII digits
        ("", "expected"),
        ("yesterday", "expected"),
    ],
)
def test_rejected(text: str, why: str) -> None:
    with pytest.raises(TimestampError) as caught:
        parse_datetime_stamp(text, field="validUntil")
    err = caught.value
    assert why in err.reason
    assert err.message.startswith(f"validUntil {text[:40]!r} is not a date-time with a time zone: ")
    assert err.field == "validUntil" and isinstance(err, InputError) and err.exit_code == ExitCode.USAGE
    assert "2026-01-15T12:00:00Z" in err.hint


@pytest.mark.parametrize("value", [None, 1736899200, 1.5, ["2026-01-15T12:00:00Z"], {"@value": "x"}])
def test_not_a_string(value: object) -> None:
    with pytest.raises(TimestampError, match="not a string"):
        parse_datetime_stamp(value, field="created")


def test_long_values_are_cut_in_the_message() -> None:
    with pytest.raises(TimestampError) as caught:
        parse_datetime_stamp("9" * 10_000, field="expires")
    assert len(caught.value.message) < 150


@pytest.mark.parametrize(
    ("when", "text"),
    [
        (_utc(2026, 1, 15, 12), "2026-01-15T12:00:00Z"),
        (_utc(2026, 1, 15, 12, 0, 0, 999999), "2026-01-15T12:00:00Z"),  # the fraction is dropped
        (datetime(2026, 1, 15, 13, tzinfo=timezone(timedelta(hours=1))), "2026-01-15T12:00:00Z"),
        (_utc(999, 1, 2, 3, 4, 5), "0999-01-02T03:04:05Z"),  # four-digit year (strftime writes "999")
        (_utc(9999, 12, 31, 23, 59, 59), "9999-12-31T23:59:59Z"),
    ],
)
def test_format_utc(when: datetime, text: str) -> None:
    assert format_utc(when) == text


def test_format_utc_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_utc(datetime(2026, 1, 15, 12))


def test_format_utc_matches_the_strftime_it_replaces() -> None:
    when = _utc(2026, 3, 4, 5, 6, 7, 890)
    assert format_utc(when) == when.strftime("%Y-%m-%dT%H:%M:%SZ")


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14)),
                                               timezone(timedelta(hours=5, minutes=45))])))
def test_round_trip(when: datetime) -> None:
    text = format_utc(when)
    assert parse_datetime_stamp(text, field="t") == when.replace(microsecond=0)
    assert format_utc(parse_datetime_stamp(text, field="t")) == text


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)))
def test_isoformat_round_trip(when: datetime) -> None:
    # What Python writes with an offset is read back to the same moment, fraction included.
    assert parse_datetime_stamp(when.isoformat(), field="t") == when


def test_utc_now_is_aware_utc() -> None:
    assert utc_now().tzinfo is UTC


def test_long_date_is_the_one_human_date_format() -> None:
    from datetime import date

    from badgekit import _time, delivery

    assert _time.long_date(date(2026, 1, 15)) == "15 January 2026"
    # The day as the moment holds it (its own offset), not moved to UTC; None is no date.
    assert _time.long_date(datetime(2026, 1, 16, 0, 30, tzinfo=timezone(timedelta(hours=14)))) == "16 January 2026"
    assert _time.long_date(None) == ""
    assert delivery.long_date is _time.long_date  # pages, e-mails and reports write it alike

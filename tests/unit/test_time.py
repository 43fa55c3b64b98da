"""badgekit._time: the one timestamp parser (XML Schema dateTimeStamp, as VC Data Model 2.0
requires), the one wire format, the one clock, ISO 8601 durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badgekit._time import (
    Duration,
    TimestampError,
    add_duration,
    format_utc,
    parse_datetime_stamp,
    parse_duration,
    stamp_or_none,
    utc_now,
)
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


# ---------------------------------------------------------------------------------------------
# durations


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("P2Y", Duration(years=2)),
        ("P6M", Duration(months=6)),
        ("P90D", Duration(days=90)),
        ("P1Y6M", Duration(years=1, months=6)),
        ("P2W", Duration(weeks=2)),
        ("PT12H", Duration(hours=12)),
        ("PT1M", Duration(minutes=1)),
        ("P1DT1H30M", Duration(days=1, hours=1, minutes=30)),
        ("PT0.5S", Duration(seconds=0.5)),
        ("P0D", Duration()),
    ],
)
def test_parse_duration(text: str, duration: Duration) -> None:
    assert parse_duration(text) == duration
    assert str(parse_duration(text)) == text


@pytest.mark.parametrize("text", ["", "P", "PT", "2Y", "P2", "P-1Y", "P1.5Y", "P1Y2Y", "PT1H2D", "P1M1Y", "p2y", "P2 Y", "2 years", "P1T"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(InputError, match="ISO 8601 duration"):
        parse_duration(text)



@pytest.mark.parametrize(
    ("start", "duration", "end"),
    [
        (datetime(2024, 2, 29, tzinfo=UTC), "P1Y", datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), "P4Y", datetime(2028, 2, 29, tzinfo=UTC)),
        (datetime(2024, 1, 31, tzinfo=UTC), "P1M", datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2023, 1, 31, tzinfo=UTC), "P1M", datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2024, 8, 31, tzinfo=UTC), "P6M", datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2024, 12, 15, 10, 0, tzinfo=UTC), "P1M", datetime(2025, 1, 15, 10, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "P90D", datetime(2026, 4, 15, 12, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, 12, 0, tzinfo=UTC), "P1Y1MT12H", datetime(2027, 2, 16, 0, 0, tzinfo=UTC)),
        (datetime(2026, 1, 15, tzinfo=timezone(timedelta(hours=2))), "P2W", datetime(2026, 1, 29, tzinfo=timezone(timedelta(hours=2)))),
    ],
)
def test_add_duration_is_calendar_aware(start: datetime, duration: str, end: datetime) -> None:
    result = add_duration(start, duration)
    assert result == end and result.tzinfo == end.tzinfo


def test_add_duration_out_of_range() -> None:
    with pytest.raises(InputError, match="out of range"):
        add_duration(datetime(9999, 1, 1, tzinfo=UTC), "P1Y")


@given(
    st.integers(0, 50), st.integers(0, 30), st.integers(0, 10), st.integers(0, 400), st.integers(0, 48), st.integers(0, 120)
)
def test_duration_text_round_trip(y: int, m: int, w: int, d: int, h: int, mi: int) -> None:
    duration = Duration(years=y, months=m, weeks=w, days=d, hours=h, minutes=mi)
    assert parse_duration(str(duration)) == duration


@given(st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)), st.integers(0, 40), st.integers(0, 24))
def test_add_duration_never_goes_backwards_and_lands_on_a_day_that_exists(start: datetime, years: int, months: int) -> None:
    end = add_duration(start, Duration(years=years, months=months))
    assert end >= start
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == years * 12 + months
    assert end.day == start.day or end.day < start.day  # clamped only down, to the month's last day


@pytest.mark.parametrize("value", [None, "", 20260115, "2026-01-15", "2026-01-15T12:00:00", "2026-02-30T00:00:00Z", ["x"]])
def test_stamp_or_none_is_none_for_what_the_parser_refuses(value):
    with pytest.raises(TimestampError):
        parse_datetime_stamp(value, field="f")
    assert stamp_or_none(value) is None


def test_stamp_or_none_reads_what_the_parser_reads():
    text = "2026-01-15T13:00:00+01:00"
    assert stamp_or_none(text) == parse_datetime_stamp(text, field="f") == datetime(2026, 1, 15, 12, tzinfo=UTC)


def test_stamps_read_are_remembered_bounded_and_refusals_still_name_their_field() -> None:
    # Issue 18: verifying a run reads the same validFrom / proof created again and again.
    from badgekit import _time

    first = parse_datetime_stamp("2026-01-15T12:00:00+01:00", field="a")
    again = parse_datetime_stamp("2026-01-15T12:00:00+01:00", field="b")
    assert again == first and again.utcoffset() == timedelta(hours=1)  # the offset written, as read fresh
    for n in range(_time._MAX_STAMPS * 2):
        assert parse_datetime_stamp(f"2026-01-01T00:00:00.{n}Z", field="t").microsecond == int(f"{n}"[:6].ljust(6, "0"))
    assert len(_time._STAMPS) <= _time._MAX_STAMPS  # flat memory, whatever the run
    for field in ("validFrom", "created"):  # a refused stamp is never remembered: each says its own field
        with pytest.raises(InputError, match=f"^{field} '2026-01-15T12:00:00' "):
            parse_datetime_stamp("2026-01-15T12:00:00", field=field)


def test_days_in_month_is_calendar_monthrange() -> None:
    import calendar

    from badgekit._time import days_in_month

    for year in (*range(-401, 2500), 9999):
        for month in range(1, 13):
            assert days_in_month(year, month) == calendar.monthrange(year, month)[1], (year, month)
    for month in (0, 13, -1):
        with pytest.raises(ValueError, match="bad month number"):
            days_in_month(2024, month)
        with pytest.raises(ValueError):
            calendar.monthrange(2024, month)

"""Rosters as spreadsheets really export them."""

from __future__ import annotations

import codecs

import pytest

from badgekit import roster
from badgekit.errors import InputError

HEADER = "Email,Name,Score,Evidence URL,Earned"


def _rows(text: str | bytes, tmp_path, name="r.csv"):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    r = roster.Roster.open(p)
    return r, list(r.rows())


@pytest.mark.parametrize(
    "encoded",
    [
        lambda t: t.encode("utf-8"),
        lambda t: codecs.BOM_UTF8 + t.encode("utf-8"),
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: t.encode("cp1252"),  # Excel "CSV" on Windows
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "windows-1252"],
)
def test_encodings(tmp_path, encoded):
    text = f"{HEADER}\r\nzoe@example.org,Zoë Ågren,91,https://ex.org/p,2026-01-15\r\n"
    r, rows = _rows(encoded(text), tmp_path)
    assert rows[0].values["name"] == "Zoë Ågren"
    assert rows[0].values["email"] == "zoe@example.org"


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_separators_are_sniffed(tmp_path, sep):
    text = sep.join(["email", "name", "score"]) + "\n" + sep.join(["a@b.org", "Ann", "80"]) + "\n"
    r, rows = _rows(text, tmp_path)
    assert r.header.delimiter == sep
    assert rows[0].values == {"email": "a@b.org", "name": "Ann", "score": "80"}


def test_excel_quirks_blank_rows_trailing_columns_quoted_newlines(tmp_path):
    text = (
        "\ufeffE-Mail Address;Full Name ;Score (%);;\r\n"
        "a@b.org;\"Smith; Jr\r\nthe second\";85,5;;\r\n"
        ";;;;\r\n"
        "\r\n"
        "c@d.org;Cy;70;;\r\n"
    )
    r, rows = _rows(text, tmp_path)
    assert r.header.columns[:3] == ("email", "name", "score")
    assert [row.line for row in rows] == [2, 6]  # physical lines, the quoted newline counted
    assert rows[0].values["name"] == "Smith; Jr\nthe second"
    assert roster.parse_number(rows[0].values["score"]) == 85.5


def test_unknown_columns_are_reported_not_silently_dropped(tmp_path):
    r, _ = _rows("email,name,favourite colour\na@b.org,A,blue\n", tmp_path)
    assert [str(e) for e in r.header_errors()] == [
        "line 1, column favourite colour: unknown column (ignored); see 'badgekit issue --help' for known columns"
    ]


def test_no_recipient_column_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no recipient column"):
        _rows("name,score\nA,1\n", tmp_path)
    with pytest.raises(InputError, match="empty"):
        _rows("\n\n", tmp_path)


def test_row_with_too_many_fields(tmp_path):
    _, rows = _rows("email,name\na@b.org,Smith, John\n", tmp_path)
    assert isinstance(rows[0], roster.RowError) and rows[0].line == 2


@pytest.mark.parametrize(
    ("values", "column", "reason"),
    [
        ({"email": "not-an-email"}, "email", "invalid email address"),
        ({"email": ""}, "email", "missing recipient email"),
        ({"email": "a@b.org", "score": "eighty"}, "score", "not a number"),
        ({"email": "a@b.org", "earned": "03/04/2026"}, "earned", "ambiguous date"),
        ({"email": "a@b.org", "earned": "yesterday"}, "earned", "not a date"),
        ({"email": "a@b.org", "evidence_url": "javascript:alert(1)"}, "evidence_url", "not an http(s) URL"),
        ({"recipient_id": "someone"}, "recipient_id", "not a DID, URL or URN"),
    ],
)
def test_row_validation_names_line_column_and_reason(values, column, reason):
    errors = roster.validate_row(roster.Row(7, values))
    assert errors and errors[0].line == 7 and errors[0].column == column and reason in errors[0].reason


def test_requirements_are_checked_after_value_checks():
    class Min:
        column = "score"

        def check(self, raw):
            return None if raw and float(raw) >= 70 else f"score {raw} is below the required 70"

    assert [e.reason for e in roster.validate_row(roster.Row(3, {"email": "a@b.org", "score": "55"}), [Min()])] == [
        "score 55 is below the required 70"
    ]
    # an unparsable value is reported once, by the value check
    assert len(roster.validate_row(roster.Row(3, {"email": "a@b.org", "score": "x"}), [Min()])) == 1


@pytest.mark.parametrize(
    ("raw", "iso"),
    [("2026-01-15", "2026-01-15"), ("15.01.2026", "2026-01-15"), ("15/01/2026", "2026-01-15"), ("01/15/2026", "2026-01-15"),
     ("2026-01-15T23:30:00-02:00", "2026-01-16"), ("2026/01/15", "2026-01-15"),
     ("1/15/2026 10:30", "2026-01-15"), ("15.01.2026 00:00:00", "2026-01-15"), ("15-Jan-2026", "2026-01-15"),
     ("Jan 15, 2026", "2026-01-15"), ("15 January 2026", "2026-01-15"), ("2026-01-15 08:00:00", "2026-01-15")],
)
def test_dates(raw, iso):
    assert roster.parse_date(raw).date().isoformat() == iso


def test_email_normalisation():
    assert roster.normalise_email("  MailTo:Ann.Lee@Example.ORG ") == "ann.lee@example.org"
    assert roster.normalise_email("<a@b.org>") == "a@b.org"
    assert roster.normalise_email("Ann Lee <Ann.Lee@Example.org>") == "ann.lee@example.org"


def test_streams_large_rosters_without_holding_rows(tmp_path):
    p = tmp_path / "big.csv"
    with p.open("w") as fh:
        fh.write("email\n")
        for i in range(20000):
            fh.write(f"u{i}@example.org\n")
    rows = roster.Roster.open(p).rows()
    assert next(rows).values["email"] == "u0@example.org"
    assert sum(1 for _ in rows) == 19999


def test_requirement_columns_are_known_and_aliased(tmp_path):
    class Required:
        def __init__(self, column):
            self.column = column

        def check(self, raw):
            return None if raw else f"{self.column} is required"

    p = tmp_path / "r.csv"
    p.write_text("email,Completed on,Assessor,Lab Partner\na@b.org,2026-01-15,Dr. Who,\n")
    r = roster.Roster.open(p, extra_columns=["lab_partner"])
    assert r.header_errors() == []
    row = next(r.rows())
    reqs = [Required("completed_on"), Required("assessor"), Required("lab_partner")]
    assert [(e.column, e.reason) for e in roster.validate_row(row, reqs)] == [("lab_partner", "lab_partner is required")]

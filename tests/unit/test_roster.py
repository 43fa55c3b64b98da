"""Rosters as spreadsheets really export them."""

from __future__ import annotations

import codecs
import importlib.util
import io
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from badgekit import roster
from badgekit.errors import InputError, LimitExceeded

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
        ({"email": "a@b.org", "status": "passed"}, "status", "not a result status (Completed, Enrolled, Failed"),
    ],
)
def test_row_validation_names_line_column_and_reason(values, column, reason):
    errors = roster.validate_row(roster.Row(7, values))
    assert errors and errors[0].line == 7 and errors[0].column == column and reason in errors[0].reason


@pytest.mark.parametrize(
    ("raw", "status"),
    [("Completed", "Completed"), ("completed", "Completed"), (" FAILED ", "Failed"), ("in progress", "InProgress"),
     ("In-Progress", "InProgress"), ("on_hold", "OnHold"), ("withdrew", "Withdrew"), ("passed", None), ("done", None),
     ("Withdrawn", None)],
)
def test_result_status_is_an_ob_result_status_type(raw, status):
    """Result.status is a closed enum in OB 3.0 (ResultStatusType): anything else fails the schema."""
    assert roster.result_status(raw) == status
    errors = roster.validate_row(roster.Row(2, {"email": "a@b.org", "status": raw}))
    assert [e.column for e in errors] == ([] if status else ["status"])


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
    # Outlook's copy of a recipient ends with "; ": one address all the same
    assert roster.normalise_email("Ann Lee <Ann.Lee@Example.org>; ") == roster.normalise_email("ann.lee@example.org,") == "ann.lee@example.org"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("ann @example.org", "'ann @example.org' has a space inside the address: remove it"),
     ('=HYPERLINK("mailto:ann@example.org","Ann")',
      '\'=HYPERLINK("mailto:ann@example.org","Ann")\' is a spreadsheet formula, not an address: put the address itself in the cell'),
     ("a@b.org; c@d.org", "'a@b.org; c@d.org' is not one email address (one recipient per row)"),
     ("ann@example.org (Ann)", "'ann@example.org (Ann)' is not one email address (one recipient per row)"),
     ("ann@example", "invalid email address 'ann@example'"),
     ("zoë@müller.de", "'zoë@müller.de' is an internationalised address (non-ASCII letters): badgekit accepts ASCII "
      "addresses only, which every mail system delivers; use the recipient's ASCII address"),
     ("zoë@", "invalid email address 'zoë@'")],
)
def test_email_problems_say_what_to_fix(raw, reason):
    assert [e.reason for e in roster.validate_row(roster.Row(2, {"email": raw}))] == [reason]


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


# ---------------------------------------------------------------------------------------------
# rosters exactly as applications export them (tests/unit/rosters/, written by make_rosters.py)

ROSTERS = Path(__file__).parent / "rosters"
#: Every fixture holds the same class: (line, email, name, narrative) of the readable rows.
CLASS = [
    (2, "jose@example.org", "José Núñez", "Built a “weather” app, hosting costs €0 – free tier"),
    (3, "zoe@example.org", "Zoë Ågren", "Led the team\nand wrote the tests"),
    (6, "not-an-email", "Ola Øst", "Good work,\nbut no address"),
    (8, "KIM@EXAMPLE.ORG", "Kim O’Neil", ""),
]


def _fixture(name: str, **kwargs):
    r = roster.Roster.open(ROSTERS / name, **kwargs)
    return r, list(r.rows())


def test_fixtures_are_what_make_rosters_writes():
    spec = importlib.util.spec_from_file_location("make_rosters", ROSTERS / "make_rosters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, data in module.build().items():
        assert (ROSTERS / name).read_bytes() == data, f"{name}: run python tests/unit/rosters/make_rosters.py"


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "scores", "earned"),
    [
        ("excel-csv-utf8.csv", "utf-8-sig", ",", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("excel-csv-windows.csv", "windows-1252", ",", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("excel-csv-mac.csv", "mac-roman", ",", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("excel-csv-windows-de.csv", "windows-1252", ";", ["87,5", "91", "64", "78"], "2026-03-15"),
        ("excel-unicode-text.txt", "utf-16", "\t", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("utf16-be.csv", "utf-16", ",", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("google-sheets.csv", "utf-8", ",", ["87.5", "91", "64", "78"], "2026-03-15"),
        ("numbers.csv", "utf-8", ",", ["87.5%", "91%", "64%", "78%"], "2026-03-15"),
    ],
)
def test_application_exports_read_the_same_class(name, encoding, delimiter, scores, earned):
    r, rows = _fixture(name)
    assert (r.header.encoding, r.header.delimiter) == (encoding, delimiter)
    assert r.header.columns[:5] == ("email", "name", "score", "earned", "narrative")
    assert r.header_errors() == []  # Excel's padding columns have no header: ignored, not "unknown"
    assert [(row.line, row.values["email"], row.values["name"], row.values["narrative"]) for row in rows] == CLASS
    assert [row.values["score"] for row in rows] == scores
    assert [roster.parse_number(s) for s in scores] == [87.5, 91, 64, 78]
    assert roster.parse_date(rows[0].values["earned"]).date().isoformat() == earned
    problems = [r.labelled(roster.validate_row(row)) for row in rows]
    assert [[str(e) for e in p] for p in problems] == [[], [], ["line 6, column Email: invalid email address 'not-an-email'"], []]


def test_excel_sep_line_names_the_separator_and_lines_stay_physical():
    r, rows = _fixture("excel-sep-hint.csv")
    assert (r.header.delimiter, r.header_line) == (";", 2)
    assert [row.line for row in rows] == [3, 4, 7, 9]
    assert rows[0].values["name"] == "José Núñez" and rows[1].values["narrative"] == "Led the team\nand wrote the tests"


def test_joined_exports_skip_the_second_bom_and_header():
    r, rows = _fixture("joined-exports.csv")
    assert [row.line for row in rows] == [2, 3, 6, 8, 10]  # line 9 is the second header
    assert rows[-1].values["email"] == "lee@example.org" and rows[-1].values["name"] == "Lee Ünal"


def test_libreoffice_french_dates_need_a_day_month_order():
    r, rows = _fixture("libreoffice-fr.csv")
    assert r.header.delimiter == ";" and rows[1].values["score"] == "91\u00a0%"
    assert roster.parse_number(rows[1].values["score"]) == 91
    ambiguous = [e for row in rows for e in roster.validate_row(row) if e.column == "earned"]
    assert [(e.line, e.reason) for e in ambiguous] == [
        (2, "ambiguous date '04/03/2026' (4 March or April 3?): write YYYY-MM-DD, or say which with --date-format DMY or MDY"),
        (8, "ambiguous date '05/03/2026' (5 March or May 3?): write YYYY-MM-DD, or say which with --date-format DMY or MDY"),
    ]
    r, rows = _fixture("libreoffice-fr.csv", date_order="DMY")
    assert [row.values["earned"] for row in rows] == ["2026-03-04", "2026-03-15", "2026-03-15", "2026-03-05"]
    assert [e.column for row in rows for e in roster.validate_row(row, date_order="DMY")] == ["email"]
    _, rows = _fixture("libreoffice-fr.csv", date_order="MDY")  # 15/03/2026 cannot be month first
    assert [(e.line, e.reason) for row in rows for e in roster.validate_row(row, date_order="MDY") if e.column == "earned"] == [
        (3, "'15/03/2026' is not a date in MDY order (use YYYY-MM-DD)"),
        (6, "'15/03/2026' is not a date in MDY order (use YYYY-MM-DD)"),
    ]


def test_what_excel_does_to_values():
    r, rows = _fixture("excel-mangled.csv")
    assert r.header.columns == ("email", "name", "score", "earned", "student_id")  # spaces and case in headers
    by_line = {row.line: row for row in rows}
    assert roster.normalise_email(by_line[2].values["email"]) == "ann.lee@example.org"
    assert roster.normalise_email(by_line[3].values["email"]) == "bo@example.org"  # "Name <address>" from a mail client
    assert roster.normalise_email(by_line[4].values["email"]) == "cy@example.org"  # mailto:
    assert by_line[4].values["name"] == "Cy Diaz"  # no-break spaces trimmed
    assert by_line[5].values["email"] == "dee@example.org"  # zero-width space removed
    assert roster.parse_number(by_line[2].values["score"]) == 87.0
    assert roster.parse_number(by_line[3].values["score"]) == 85.0
    assert roster.parse_number(by_line[4].values["score"]) == 87.5
    assert roster.parse_date(by_line[3].values["earned"]).isoformat() == "2026-03-04T08:00:00+00:00"
    errors = [str(e) for row in rows for e in r.labelled(roster.validate_row(row))]
    assert errors == [
        "line 6, column Date Completed: '45921' looks like an Excel date serial number (2025-09-21?): "
        "format the column as a date (YYYY-MM-DD) before exporting",
        "line 7, column Date Completed: ambiguous date '04/03/2026' (4 March or April 3?): "
        "write YYYY-MM-DD, or say which with --date-format DMY or MDY",
        "line 8, column Student ID: '1.23457E+11' is a number Excel shortened to scientific notation (digits are lost): "
        "format the column as Text and export again",
        "line 9, column E-mail Address: invalid email address 'ida@example'",
        "line 10, column E-mail Address: 'jo@example.org; kim@example.org' is not one email address (one recipient per row)",
    ]


# ---------------------------------------------------------------------------------------------
# files that are not rosters, and broken ones: one line naming file, line and column; no traceback


def _zip(entries) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_zip([("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")]),
         "this is an Excel workbook (.xlsx), not a CSV file: export it as CSV"),
        (_zip([("mimetype", "application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", "<x/>")]),
         "this is an OpenDocument spreadsheet (.ods), not a CSV file: export it as CSV"),
        (_zip([("Index/Document.iwa", b"\x00")]), "this is an Apple Numbers document, not a CSV file"),
        (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(504), "this is a legacy Excel workbook (.xls), not a CSV file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1: control bytes (NUL …) in the first lines: this is a binary file, not a CSV roster"),
        (b"email,name\x00\r\na@b.org,Ann\r\n", "line 1: control bytes (NUL …) in the first lines: this is a binary file"),
        (b"", "the roster is empty (a header row is needed)"),
        (b"\r\n,,,\r\n\r\n", "the roster is empty (a header row is needed)"),
        (b"sep=;\r\n", "the roster is empty (a header row is needed)"),
    ],
    ids=["xlsx", "ods", "numbers", "xls", "binary", "nul-in-header", "empty", "blank-rows-only", "sep-line-only"],
)
def test_files_that_are_not_rosters(tmp_path, data, says):
    p = tmp_path / "class.csv"
    p.write_bytes(data)
    with pytest.raises(InputError) as exc:
        roster.Roster.open(p)
    assert str(exc.value).startswith(f"{p}: ") and says in str(exc.value)
    assert "\n" not in str(exc.value)


def test_header_only_roster_has_no_rows(tmp_path):
    r, rows = _rows("\ufeffEmail,Name\r\n,\r\n", tmp_path)
    assert r.header.columns == ("email", "name") and rows == []


def test_missing_recipient_column_names_it_and_lists_the_columns_found(tmp_path):
    with pytest.raises(InputError) as exc:
        _rows("Name;Score;E mail adress\r\nAnn;80;a@b.org\r\n", tmp_path)
    assert str(exc.value) == (
        f"{tmp_path / 'r.csv'}: line 1: no recipient column 'email' (or 'recipient_id' / 'student_id' / "
        "'identity_hash'); columns found: 'Name', 'Score', 'E mail adress'"
    )


def test_column_a_badge_class_requires_must_be_in_the_header(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("email,name\na@b.org,Ann\n")
    with pytest.raises(InputError, match=r"line 1: no column 'evidence_url', which the badge class requires; columns found: 'email', 'name'"):
        roster.Roster.open(p, extra_columns=["evidence_url"], required_columns=["evidence_url"])


def test_duplicate_header_names_the_columns_by_letter(tmp_path):
    with pytest.raises(InputError, match=r"line 2: columns B \('Name'\) and D \('Full name'\) both mean name: remove or rename one"):
        _rows("\r\nEmail,Name,Score,Full name\r\na@b.org,A,1,A\r\n", tmp_path)


def test_assessor_and_supervisor_are_two_columns(tmp_path):
    # Templates require them separately (framework-competency: assessor; safety-training:
    # supervisor); one roster for both badges has both. Sign-off synonyms still mean supervisor.
    r, rows = _rows("email,Assessor,Supervisor\na@b.org,Dr. Who,Ms. Lee\n", tmp_path)
    assert r.header_errors() == [] and rows[0].values == {"email": "a@b.org", "assessor": "Dr. Who", "supervisor": "Ms. Lee"}
    with pytest.raises(InputError, match=r"columns B \('Approver'\) and C \('Supervisor'\) both mean supervisor"):
        _rows("email,Approver,Supervisor\na@b.org,A,B\n", tmp_path)


def test_unknown_and_repeated_unknown_columns_are_reported_once(tmp_path):
    r, _ = _rows("email,Notes,notes ,Notes\na@b.org,x,y,z\n", tmp_path)
    assert [(e.line, e.column) for e in r.header_errors()] == [(1, "Notes"), (1, "notes")]


def test_values_under_a_column_without_header_are_reported_not_silently_dropped(tmp_path):
    """A header cell left empty (a score typed in column C, its name forgotten): the values were
    dropped without a word. Google Sheets' empty trailing columns stay silent."""
    r, rows = _rows("email,name,,score,,\na@b.org,Ann,,90,,\nc@d.org,Cy,88,91,,\n", tmp_path)
    assert [str(e) for e in r.header_errors()] == [
        "line 1, column C: values (first on line 3) but no header: ignored; give the column a name to use them"]
    assert [row.values.get("score") for row in rows] == ["90", "91"]


def test_invisible_characters_in_headers_and_identifiers(tmp_path):
    text = "\u200bE\u200bmail\u00a0,\u00a0Name\ufeff\r\n\ufeff a@b.org\u200b\u00a0, Zoë\u200d \r\nc\u2060@d.org,Cy\r\n"
    r, rows = _rows(text, tmp_path)
    assert r.header.columns == ("email", "name")
    assert [row.values for row in rows] == [{"email": "a@b.org", "name": "Zoë"}, {"email": "c@d.org", "name": "Cy"}]
    # a joiner inside a name can be part of the spelling: only identifiers lose them inside
    _, rows = _rows("email,name\na@b.org,\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645\n", tmp_path)
    assert rows[0].values["name"] == "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"


def test_nul_character_in_a_value_is_a_row_error(tmp_path):
    _, rows = _rows(b"email,name\r\na@b.org,A\x00nn\r\nc@d.org,Cy\r\n", tmp_path)
    assert str(rows[0]) == "line 2, column name: contains a NUL character (binary data, or a damaged export)"
    assert rows[1].values["name"] == "Cy"


def test_utf16_without_bom(tmp_path):
    r, rows = _rows("email\tname\r\nzoe@example.org\tZoë\r\n".encode("utf-16-le"), tmp_path)
    assert r.header.encoding == "utf-16-le" and rows[0].values["name"] == "Zoë"


def test_quoted_separator_in_the_header_does_not_fool_the_sniffer(tmp_path):
    r, rows = _rows('"Name, as printed";Email\r\n"Lee, Ann";a@b.org\r\n', tmp_path, name="r.csv")
    assert r.header.delimiter == ";" and rows[0].values["email"] == "a@b.org"


def test_multi_line_rows_keep_physical_line_numbers_and_errors_name_the_first_line(tmp_path):
    text = (
        "email,narrative,score\r\n"
        'a@b.org,"one\r\ntwo\r\nthree",80\r\n'  # lines 2-4
        'bad,"x\ny",eighty\r\n'  # lines 5-6 (a newline inside a cell is LF in Excel)
        "\r\n"  # 7
        'c@d.org,"a ""quoted"" word",90\r\n'  # 8
        'e@f.org,"Lone\rCR",70\r\n'  # 9-10: a lone CR ends a line in editors too
        "g@h.org,last,60"  # 11, no final newline
    )
    _, rows = _rows(text, tmp_path)
    assert [row.line for row in rows] == [2, 5, 8, 9, 11]
    assert rows[0].values["narrative"] == "one\ntwo\nthree" and rows[2].values["narrative"] == 'a "quoted" word'
    assert [(e.line, e.column) for e in roster.validate_row(rows[1])] == [(5, "email"), (5, "score")]


def test_too_many_values_names_the_first_column_without_a_header(tmp_path):
    _, rows = _rows("email,name\na@b.org,Smith, John\nc@d.org,Cy,,\n", tmp_path)
    assert str(rows[0]) == "line 2, column C (no header): 3 values but the header has 2 columns (a separator inside a value that is not quoted?)"
    assert rows[1].values == {"email": "c@d.org", "name": "Cy"}  # empty trailing cells are not values


def test_a_quote_never_closed_is_refused_not_left_to_swallow_the_rows_below(tmp_path):
    with pytest.raises(InputError) as exc:
        _rows('email,narrative\na@b.org,"Said ""hi\nc@d.org,Cy\ne@f.org,Ed\n', tmp_path)
    assert str(exc.value) == f"{tmp_path / 'r.csv'}: line 2, column narrative: a quote opens here and is never closed (lines 2-4 would be one value)"


@pytest.mark.parametrize("cell", ['"He said "hi" to me"', '"Done" twice', '"Two\nlines" then more'])
def test_text_after_a_closing_quote_rejects_the_row_not_glued_to_the_value(tmp_path, cell):
    # csv's lenient reading would sign 'He said hi" to me"': a quote inside a quoted value not doubled
    _, rows = _rows(f'email,narrative\na@b.org,{cell}\nc@d.org,"Said ""hi"""\n', tmp_path)
    assert str(rows[0]) == ('line 2, column narrative: text after the closing quote of a quoted value: '
                            'write a quote inside a quoted value twice ("")')
    assert rows[1].values == {"email": "c@d.org", "narrative": 'Said "hi"'}


def test_spaces_after_a_closing_quote_are_read_as_before(tmp_path):
    r, rows = _rows('"Email" ,"Name"\t\na@b.org, "Ann"  \nc@d.org,"Cy "  \n', tmp_path)
    assert r.header.columns[:2] == ("email", "name")
    assert [row.values for row in rows] == [{"email": "a@b.org", "name": '"Ann"'}, {"email": "c@d.org", "name": "Cy"}]


def test_value_over_the_limit_is_a_row_error_and_reading_goes_on(tmp_path):
    big = "x" * (roster.MAX_FIELD_CHARS + 1)
    huge = "y" * 200_000  # over the csv module's own limit too
    _, rows = _rows(f"email,narrative\na@b.org,{big}\nc@d.org,{huge}\ne@f.org,ok\n", tmp_path)
    assert [str(rows[0]), str(rows[1])] == [
        "line 2, column narrative: value longer than 65,536 characters (the limit)",
        "line 3, column narrative: value longer than 65,536 characters (the limit)",
    ]
    assert rows[2].values == {"email": "e@f.org", "narrative": "ok"}


def test_quoted_value_over_the_limit_stops_reading(tmp_path):
    with pytest.raises(LimitExceeded, match=r"line 2, column narrative: a quoted value runs past 65,536 characters \(the limit\): is a closing quote missing\?"):
        _rows('email,narrative\na@b.org,"' + "z\n" * 70_000 + '"\n', tmp_path)


def test_line_over_the_limit(tmp_path):
    with pytest.raises(LimitExceeded, match=r"r.csv: line 3: longer than 1,048,576 characters \(the limit\)"):
        _rows("email,name\r\na@b.org,A\r\n" + "x," * 600_000 + "\r\n", tmp_path)


def test_mixed_encodings_are_refused_with_both_lines(tmp_path):
    utf8_then_ansi = "email,name\nzoe@b.org,Zoë\n".encode() + "jose@b.org,José\n".encode("cp1252")
    with pytest.raises(InputError, match=r"mixed text encodings: line 2 is UTF-8 but line 3 is not \(Windows-1252\?\)"):
        _rows(utf8_then_ansi, tmp_path)
    ansi_then_utf8 = "email,name\njose@b.org,José\n".encode("cp1252") + b"a@b.org,A\n" + "zoe@b.org,Zoë\n".encode()
    with pytest.raises(InputError, match=r"mixed text encodings: line 4 is UTF-8 but line 2 is not"):
        _rows(ansi_then_utf8, tmp_path)


def test_bytes_neither_utf8_nor_windows_1252(tmp_path):
    # MS-DOS (code page 850) "ü" is 0x81, a byte Windows-1252 leaves undefined (and "MÅller" in Mac Roman)
    with pytest.raises(InputError, match=r"line 2: byte 0x81 is neither UTF-8 nor Windows-1252 text \(a Mac Roman or MS-DOS export\?\)"):
        _rows("email,name\nf@b.org,Ann Müller\n".encode("cp850"), tmp_path)


@pytest.mark.parametrize(
    "names",
    ["François Hélène", "José Núñez", "Zoë Ågren", "Jürgen Müller", "Kim O’Neil “Bo” Øst", "Sjöberg Renée", "Ana – Lima 5 €",
     "À bientôt", "Ørsted"],
)
def test_mac_roman_is_told_from_windows_1252_by_its_words(tmp_path, names):
    # the same bytes read as words in one of them only ("José" / "JosŽ", "Zoë" / "Zo‘"): never mojibake
    for codec, label in (("mac_roman", "mac-roman"), ("cp1252", "windows-1252")):
        r, rows = _rows(f"email,name\r\nf@b.org,{names}\r\n".encode(codec), tmp_path)
        assert (r.header.encoding, rows[0].values["name"]) == (label, names)


@pytest.mark.parametrize(
    ("data", "line"),
    [(codecs.BOM_UTF16_LE + "email\tname\r\na@b.org\tAnn\r\n".encode("utf-16-le") + b"\x00\xd8A\x00", 3),
     (codecs.BOM_UTF16_BE + "email,name\na@b.org,Ann\nc@d.org,Cy\n".encode("utf-16-be") + b"A", 4),
     ("email\tname\r\n".encode("utf-16-le") + b"\x00\xdc" + "\r\nx".encode("utf-16-le"), 2)],
    ids=["lone-surrogate", "odd-last-byte", "no-bom"],
)
def test_damaged_utf16_is_refused_naming_its_line(tmp_path, data, line):
    """The reader decodes in 8 KiB blocks: the damage was reported on line 1 (the line being read)."""
    with pytest.raises(InputError, match=rf": line {line}: not valid UTF-16 text"):
        _rows(data, tmp_path)


@pytest.mark.parametrize(("names", "codec"), [("Иван Петров", "cp1251"), ("Γιώργος Παπαδόπουλος", "cp1253"), ("王小明", "gbk")])
def test_other_code_pages_are_refused_not_read_as_western_letters(tmp_path, names, codec):
    # Russian Excel's "CSV" is Windows-1251: read as Windows-1252 it would be "Èâàí Ïåòðîâ"
    with pytest.raises(InputError, match=r"r.csv: line 3: text in a code page badgekit does not read \(Cyrillic, Greek"):
        _rows(f"email,name\r\na@b.org,Ann\r\nc@d.org,{names}\r\n".encode(codec), tmp_path)


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
def test_utf8_garbled_by_a_windows_1252_round_trip_is_refused_naming_the_line(tmp_path, bom):
    # Excel's "CSV UTF-8" opened as ANSI and saved as UTF-8 again: valid UTF-8, but "José" is "JosÃ©"
    garbled = "c@d.org,Kim O’Neil,Café – €5\r\n".encode().decode("cp1252")
    data = bom + ("email,name,narrative\r\na@b.org,Ann,ok\r\n" + garbled).encode()
    with pytest.raises(InputError, match=r"r.csv: line 3: 'Oâ€™Neil' is garbled \(meant 'O’Neil'\?\): the roster was read as "
                                         r"Windows-1252 and saved again as UTF-8"):
        _rows(data, tmp_path)
    _rows("email,name\r\na@b.org,SÃO PAULO Ãgua 20°C\r\n".encode(), tmp_path)  # Portuguese is not garbled


def test_a_utf8_bom_over_windows_1252_text_is_refused_naming_the_line(tmp_path):
    # a UTF-8 BOM before Windows-1252 bytes (edited in an "ANSI" editor): was "line 1", the line being read
    data = codecs.BOM_UTF8 + b"email,name\r\na@b.org,Ann\r\n" + "c@d.org,Café\r\n".encode("cp1252")
    with pytest.raises(InputError, match=r"r.csv: line 3: not valid UTF-8 text"):
        _rows(data, tmp_path)


@pytest.mark.parametrize("codec", ["utf-8", "cp1252"])
def test_first_accent_late_in_a_big_file(tmp_path, codec):
    """The encoding is decided over the whole file (streamed), not from its first lines."""
    p = tmp_path / "big.csv"
    with p.open("w", encoding=codec, newline="") as fh:
        fh.write("email;name;narrative\r\n")
        for i in range(2, 100_002):
            name = "Zoë Ågren" if i == 90_000 else "Ann Lee"
            fh.write(f'u{i}@example.org;{name};"two\nlines"\r\n' if i % 1000 == 0 else f"u{i}@example.org;{name};\r\n")
    tracemalloc.start()
    try:
        r = roster.Roster.open(p)
        zoe = None
        last = None
        for row in r.rows():
            last = row
            if row.values["name"] != "Ann Lee":
                zoe = row
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.header.encoding == ("utf-8" if codec == "utf-8" else "windows-1252")
    assert zoe.values["name"] == "Zoë Ågren"
    assert zoe.line == 90_000 + 89  # each earlier 1000th row took two lines
    assert last.values["email"] == "u100001@example.org"
    assert peak < 8 * 1024 * 1024  # streamed: flat, whatever the roster's size


@pytest.mark.parametrize(
    ("raw", "order", "iso"),
    [("04/03/2026", "DMY", "2026-03-04"), ("04/03/2026", "MDY", "2026-04-03"), ("4-3-2026", "DMY", "2026-03-04"),
     ("04.03.2026", None, "2026-03-04"), ("15-03-2026", None, "2026-03-15"), ("2026-03-04 0:00", None, "2026-03-04"),
     ("3/15/2026 9:05 PM", None, "2026-03-15"), ("4-Mar-26", None, "2026-03-04"), ("2026.03.04", None, "2026-03-04")],
)
def test_dates_with_a_day_month_order(raw, order, iso):
    assert roster.parse_date(raw, order).date().isoformat() == iso


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("04-03-2026", "ambiguous date '04-03-2026' (4 March or April 3?)"),
     ("4/3/26", "'4/3/26' has a two-digit year: use YYYY-MM-DD"),
     ("45921", "'45921' looks like an Excel date serial number (2025-09-21?)"),
     ("31/02/2026", "'31/02/2026' is not a date (use YYYY-MM-DD)")],
)
def test_dates_never_guessed(raw, reason):
    with pytest.raises(ValueError) as exc:
        roster.parse_date(raw)
    assert str(exc.value).startswith(reason)


@pytest.mark.parametrize(
    ("raw", "value"),
    [("87.0", 87.0), ("87,5", 87.5), ("85%", 85.0), ("87,5\u00a0%", 87.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5),
     ("1\u202f234,5", 1234.5), (" 90 ", 90.0)],
)
def test_numbers_as_spreadsheets_write_them(raw, value):
    assert roster.parse_number(raw) == value


@pytest.mark.parametrize("raw", ["nan", "inf", "8.7E+01", "1_000", "eighty", "", "1,234,567"])
def test_not_numbers(raw):
    with pytest.raises(ValueError):
        roster.parse_number(raw)


@pytest.mark.parametrize("raw", ["1.0E+3", "8,7E+01", " 1E5 "])
def test_scientific_notation_is_refused_with_the_fix(raw):
    with pytest.raises(ValueError, match=r"is in scientific notation \(Excel shortens numbers so\): format the column as Number"):
        roster.parse_number(raw)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("1,234", "'1,234' is ambiguous (1234 or 1.234?): write 1234, or 1.2340 for the decimal"),
     ("1.234", "'1.234' is ambiguous (1234 or 1.234?)"), ("-12,500", "'-12,500' is ambiguous (-12500 or -12.500?)"),
     ("100.000 %", "'100.000 %' is ambiguous (100000 or 100.000?)")],
)
def test_a_thousands_separator_or_decimal_mark_is_never_guessed(raw, reason):
    """`1,234` is 1234 to an English spreadsheet and 1.234 to a German one: the row is rejected,
    as ambiguous dates are; with both marks (1.234,5), a leading 0 (0,125) or other digit counts
    (7,5 · 1,2345) the reading is certain."""
    with pytest.raises(ValueError) as exc:
        roster.parse_number(raw)
    assert str(exc.value).startswith(reason)
    assert [roster.parse_number(v) for v in ("1.234,5", "1,234.5", "0,125", "7,5", "1,2345", "1 234", "1234")] == [
        1234.5, 1234.5, 0.125, 7.5, 1.2345, 1234, 1234]
    errors = roster.validate_row(roster.Row(4, {"email": "a@b.org", "score": raw}))
    assert [(e.column, e.reason[:len(reason)]) for e in errors] == [("score", reason)]


def test_a_leading_apostrophe_is_a_text_mark_in_identifiers_dates_and_numbers(tmp_path):
    """`'00123` is how a sheet keeps a student id's zeros (and what some exports write to defuse
    formulas): the id is 00123, hashed and matched as such; a name keeps its apostrophe."""
    _, rows = _rows("email,name,student_id,earned,score\n'ann@example.org,'t Hooft,'00123,'2026-03-04,' 90\n", tmp_path)
    record, errors = roster.parse_row(rows[0])
    assert errors == []
    assert (record.email, record.student_id, record.earned.date().isoformat(), record.score) == (
        "ann@example.org", "00123", "2026-03-04", 90.0)
    assert rows[0].values["name"] == "'t Hooft"


def test_one_problem_per_cell_when_several_rules_read_it():
    class Rule:
        def __init__(self, reason):
            self.column, self.reason = "score", reason

        def check(self, raw):
            return None if raw else self.reason

    errors = roster.validate_row(roster.Row(3, {"email": "a@b.org"}), [Rule("score is missing (required)"),
                                                                    Rule("score is missing (at least 50 required)")])
    assert [e.reason for e in errors] == ["score is missing (required)"]


def test_first_and_last_name_columns_make_the_name(tmp_path):
    """Moodle ("First name", "Last name"), Google Forms and many class lists split the name: it was
    dropped as two unknown columns, so pages, images and e-mails had no name."""
    r, rows = _rows("Surname,First name,Email address\nLima,Ana,ana@example.org\n,Bo,bo@example.org\n", tmp_path)
    assert r.header.unknown == ()
    assert [row.values["name"] for row in rows] == ["Ana Lima", "Bo"]
    _, rows = _rows("Name,First Name,Email\nAna Lima,Ana,ana@example.org\n", tmp_path)
    assert rows[0].values["name"] == "Ana Lima"  # a name column wins


def test_date_order_names():
    assert [roster.date_order(v) for v in ("DMY", "dd/mm/yyyy", "day-first", "mdy", "MM/DD/YYYY")] == ["DMY"] * 3 + ["MDY"] * 2
    with pytest.raises(InputError, match="expected DMY"):
        roster.date_order("YMD")


def test_custom_date_column_is_read_in_the_roster_order(tmp_path):
    class IsDate:
        column = "Lab Date"
        kind = "date"

        def check(self, raw):
            try:
                roster.parse_date(raw or "")
            except ValueError as exc:
                return str(exc)
            return None

    p = tmp_path / "r.csv"
    p.write_text("email,Lab Date\na@b.org,04/03/2026\nc@d.org,15/03/2026\n")
    rows = list(roster.Roster.open(p, extra_columns=["Lab Date"], date_columns=["Lab Date"], date_order="MDY").rows())
    assert rows[0].values["lab_date"] == "2026-04-03"
    assert [(e.line, e.reason) for row in rows for e in roster.validate_row(row, [IsDate()], date_order="MDY")] == [
        (3, "'15/03/2026' is not a date in MDY order (use YYYY-MM-DD)")
    ]


def test_validate_row_reads_a_date_rule_in_the_given_order() -> None:
    # A row built by hand (not rewritten by Roster): the rule must see the date in date_order too.
    from badgekit.badgeclass import Requirement

    row = roster.Row(2, {"email": "a@b.org", "lab_date": "04/03/2026"})
    assert roster.validate_row(row, [Requirement("Lab Date", "date")], date_order="DMY") == []
    assert [e.column for e in roster.validate_row(row, [Requirement("Lab Date", "date")])] == ["lab_date"]


def test_a_recipient_hashed_before_is_a_recipient_column(tmp_path):
    good = "sha256$" + "0" * 64
    text = ("identity_hash,identity_salt,identity_type,valid_until,issued,evidence_url_2,migrated_from\n"
            f"{good},s,emailAddress,2030-01-01,,,urn:uuid:1\n"
            "sha256$abc,,,,,,\n"
            f"{good},,studentId!,,,,\n"
            f"{good},,,2026-01-01,2026-02-01,ftp://x,not a uri\n")
    _, rows = _rows(text, tmp_path)
    found = [(r.line, [(e.column, e.reason) for e in roster.validate_row(r)]) for r in rows]
    assert found[0] == (2, [])
    assert found[1][1] == [("identity_hash", "'sha256$abc' is not an IdentityHash (sha256$ and 64 hex digits, or md5$ and 32)")]
    assert [c for c, _ in found[2][1]] == ["identity_type"]
    assert [c for c, _ in found[3][1]] == ["evidence_url_2", "migrated_from", "valid_until"]
    record, _ = roster.parse_row(rows[0])
    assert record.recipient_key == f"identity:emailAddress${good}$s" and record.valid_until is not None


def test_rows_of_different_columns_each_check_their_own_columns():
    # parse_row checks only the columns a row has, remembered per column layout (issue 18): rows
    # of several layouts in turn must each be checked as if alone.
    class Done:
        column = "Assessor Name"

        def check(self, raw):
            return None if raw else "assessor name is required"

    rows = [
        roster.Row(2, {"email": "a@b.org", "evidence_url": "not a url", "score": "x"}),
        roster.Row(3, {"email": "a@b.org", "student_id": "1E+5", "earned": "31.02.2026", "assessor_name": "Ada"}),
        roster.Row(4, {"email": "a@b.org", "evidence_url_3": "ftp://x", "credits_earned": "1,5", "valid_until": "2026-01-01",
                       "issued": "2026-02-01"}),
        roster.Row(5, {"email": "a@b.org", "earned": "", "credits_earned": ""}),
    ]
    expected = {
        2: ["score", "evidence_url", "assessor_name"],
        3: ["student_id", "earned"],
        4: ["evidence_url_3", "valid_until", "assessor_name"],
        5: ["assessor_name"],
    }
    for _ in range(2):
        for row in [*rows, *reversed(rows)]:
            record, errors = roster.parse_row(row, [Done()])
            assert [e.column for e in errors] == expected[row.line], row
    record, errors = roster.parse_row(rows[2])
    assert record.credits_earned == 1.5 and record.issued is not None and record.score is None


_GRADE = {"id": "urn:uuid:0f3c0000-0000-4000-8000-0000000000a1", "type": ["ResultDescription"], "name": "Final grade",
          "resultType": "LetterGrade"}
_PERCENT = {"id": "urn:uuid:0f3c0000-0000-4000-8000-0000000000a2", "type": ["ResultDescription"], "name": "Final score",
            "resultType": "Percent"}
_RUBRIC = {"id": "urn:uuid:0f3c0000-0000-4000-8000-0000000000a3", "type": ["ResultDescription"], "name": "Rubric",
           "resultType": "RubricCriterionLevel",
           "rubricCriterionLevel": [{"id": "urn:uuid:0f3c0000-0000-4000-8000-0000000000b1", "type": ["RubricCriterionLevel"],
                                     "name": "Good", "points": "50"}]}


def _score(descriptions, score, **more):
    results = roster.ResultExpectation.of({"resultDescription": descriptions})
    return roster.parse_row(roster.Row(7, {"email": "a@b.org", "score": score, **more}), results=results)


@pytest.mark.parametrize(("descriptions", "more", "letter"), [
    ([_GRADE], {}, True),
    ([_GRADE, _PERCENT], {}, True),  # the score fills the first: the letter grade
    ([_PERCENT, _GRADE], {}, False),
    ([_RUBRIC, _GRADE], {}, False),  # no level: the score is the rubric's points
    ([_RUBRIC, _GRADE], {"level": "Good"}, True),  # the level fills the rubric, the score the grade
    ([{**_GRADE, "resultType": "PerformanceLevel"}], {}, False),  # fills nothing: a number as before
    ([], {}, False),
])
def test_a_score_is_a_letter_grade_only_where_it_fills_a_letter_grade(descriptions, more, letter):
    record, errors = _score(descriptions, " B+ ", **more)
    if letter:
        assert errors == [] and record.grade == "B+"
    else:
        assert [(e.line, e.column, e.reason) for e in errors] == [(7, "score", "' B+ ' is not a number")]
        assert record.grade is None


def test_a_letter_grade_is_one_of_its_allowed_values_and_bounded():
    graded = [{**_GRADE, "allowedValue": ["A", "B+", "B", "C"]}]
    record, errors = _score(graded, "b+")
    assert errors == [] and record.grade == "B+"  # the badge class's spelling
    record, errors = _score(graded, "E")
    assert [str(e) for e in errors] == ["line 7, column score: 'E' is not an allowed grade of 'Final grade' (A, B+, B, C)"]
    assert record.grade is None
    _, errors = _score([_GRADE], "x" * 65)
    assert [e.reason for e in errors] == [f"{'x' * 40!r}… is longer than 64 characters: not a letter grade"]
    record, errors = _score([_GRADE], "85")  # a number is a grade too, read as before
    assert errors == [] and (record.grade, record.score) == ("85", 85.0)


def test_a_level_names_one_of_the_badge_class_rubric_levels_or_the_row_is_rejected():
    """Before, a level naming none was issued silently without its Result."""
    results = roster.ResultExpectation.of({"resultDescription": [_RUBRIC, _GRADE]})
    for level in ("Good", " good ", "urn:uuid:0f3c0000-0000-4000-8000-0000000000b1"):
        assert roster.parse_row(roster.Row(3, {"email": "a@b.org", "level": level}), results=results)[1] == []
    _, errors = roster.parse_row(roster.Row(3, {"email": "a@b.org", "level": "Excellent"}), results=results)
    assert [str(e) for e in errors] == ["line 3, column level: 'Excellent' is not a rubric level of this badge class (Good)"]
    no_rubric = roster.ResultExpectation.of({"resultDescription": [_GRADE]})  # a level column is then not read
    assert roster.parse_row(roster.Row(3, {"email": "a@b.org", "level": "Excellent"}), results=no_rubric)[1] == []


@pytest.mark.parametrize("raw", ["2026-01-15", "2026-01-15 10:30", "2026-01-15T10:30:45.123456", "2026-02-28T23:59:59",
                                 "2026-01-15T10:30:00+01:00", "2026-01-15T10:30:00Z", "2026-01-15T10:30:00.5-05:00"])
def test_parse_date_of_an_iso_value_is_the_reference_moment_in_utc(raw):
    # ISO dates take a short path (the naive ones joined to UTC without datetime.replace): the
    # same value, type and time zone object as the reference reading
    from datetime import UTC, datetime

    dt = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    reference = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    got = roster.parse_date(raw)
    assert (got, got.tzinfo, got.fold, type(got)) == (reference, reference.tzinfo, reference.fold, datetime)
    assert got.isoformat() == reference.isoformat()

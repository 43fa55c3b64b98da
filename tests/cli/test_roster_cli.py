"""``badgekit issue`` from a roster as Excel on a German Windows writes it (Windows-1252, ';', CRLF,
a newline inside a cell): the credentials carry the right Unicode, rejected rows are named by the
physical line a text editor shows, and ambiguous dates wait for ``--date-format``."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import run_cli

BADGE = {
    "id": "urn:uuid:5d0f3c1e-7a2b-4c9d-8e1f-2a3b4c5d6e7f",
    "type": ["Achievement"],
    "name": "Weather App",
    "description": "Built and shipped a weather app.",
    "criteria": {"narrative": "Ship the app."},
}

JOSE = "Built a “weather” app; hosting costs €0 – free tier"
ZOE = "Led the team\nand wrote the tests"
# Excel "CSV (Trennzeichen-getrennt)": the ANSI code page, ';', CRLF; a newline typed in a cell
# (Alt+Enter) is LF inside quotes; a formatted empty row is separators only.
ROSTER = (
    "Email;Full Name;Score;Earned;Narrative\r\n"  # 1
    f'jose@example.org;José Núñez;87,5;15.03.2026;"{JOSE}"\r\n'  # 2
    f'zoe@example.org;Zoë Ågren;91;20.03.2026;"{ZOE}"\r\n'  # 3-4
    ";;;;\r\n"  # 5
    'not-an-email;Ola Øst;64;20.03.2026;"Good work,\nbut no address"\r\n'  # 6-7
    "kim@example.org;Kim O’Neil;78;04/03/2026;\r\n"  # 8: 4 March or April 3?
).encode("cp1252")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "badges-project"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "weather.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "klasse.csv"
    roster.write_bytes(ROSTER)
    monkeypatch.chdir(root)
    return SimpleNamespace(root=root, roster=roster)


def _rows(result) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    return {row["line"]: row for row in json.loads(result.stdout)["rows"]}


def test_issue_from_a_windows_1252_semicolon_roster(project: SimpleNamespace) -> None:
    result = run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", "--bundle", "--json", ok=1)
    rows = _rows(result)
    assert {line: row["status"] for line, row in rows.items()} == {2: "issued", 3: "issued", 6: "rejected", 8: "rejected"}
    assert rows[6]["errors"] == [{"line": 6, "column": "Email", "reason": "invalid email address 'not-an-email'"}]
    assert rows[8]["errors"] == [{
        "line": 8, "column": "Earned",
        "reason": "ambiguous date '04/03/2026' (4 March or April 3?): write YYYY-MM-DD, or say which with --date-format DMY or MDY",
    }]
    jose, zoe = (json.loads(Path(rows[n]["path"]).read_text(encoding="utf-8")) for n in (2, 3))
    assert jose["credentialSubject"]["narrative"] == JOSE
    assert zoe["credentialSubject"]["narrative"] == ZOE
    assert jose["awardedDate"] == "2026-03-15T00:00:00Z" and zoe["awardedDate"] == "2026-03-20T00:00:00Z"
    # names are not put in credentials (they are personal data); the recipient pages carry them
    pages = {b["credentialId"]: (Path(b["path"]) / "index.html").read_text(encoding="utf-8") for b in json.loads(result.stdout)["bundles"]["written"]}
    assert "José Núñez" in pages[rows[2]["credentialId"]] and "Zoë Ågren" in pages[rows[3]["credentialId"]]

    human = run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", ok=1)
    assert f"{project.roster}:line 6, column Email: invalid email address 'not-an-email'" in human.stderr
    assert f"{project.roster}:line 8, column Earned: ambiguous date '04/03/2026'" in human.stderr
    assert "Traceback" not in human.stderr


def test_a_header_cell_cannot_drive_the_terminal(project: SimpleNamespace) -> None:
    """The unknown-column warning names the header cell as written, its escape sequences inert."""
    project.roster.write_text("email,\x1b]0;owned\x07Notes\nann@example.org,x\n", encoding="utf-8")
    result = run_cli("issue", "--badge", "weather", project.roster, "--dry-run")
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "column \\u001b]0;owned\\u0007Notes: unknown column (ignored)" in result.stderr


def test_issue_help_lists_the_columns_the_unknown_column_warning_points_to() -> None:
    """The warning says "see 'badgekit issue --help' for known columns": the help named five."""
    from badgekit import roster

    result = run_cli("issue", "--help")
    shown = " ".join(result.stdout.replace("│", " ").split())
    assert all(f" {column}," in shown for column in roster.COLUMNS), shown


def test_date_format_option_and_project_setting(project: SimpleNamespace) -> None:
    result = run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", "--date-format", "DMY", "--json", ok=1)
    rows = _rows(result)
    assert rows[8]["status"] == "issued" and [line for line, row in rows.items() if row["status"] == "rejected"] == [6]
    kim = json.loads(Path(rows[8]["path"]).read_text(encoding="utf-8"))
    assert kim["awardedDate"] == "2026-03-04T00:00:00Z"

    bad = run_cli("issue", "--badge", "weather", project.roster, "--date-format", "YMD", ok=2)
    assert bad.stderr.startswith("error: date format 'YMD': expected DMY")

    config = project.root / "badgekit.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[roster]\ndate_format = "MDY"\n', encoding="utf-8")
    dry = _rows(run_cli("issue", "--badge", "weather", project.roster, "--dry-run", "--json", "--reissue", ok=1))
    assert dry[8]["status"] == "would-issue"  # 04/03/2026 read as April 3: a changed row, not an error
    assert dry[2]["errors"] == [{"line": 2, "column": "Earned", "reason": "'15.03.2026' is not a date in MDY order (use YYYY-MM-DD)"}]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x13\x00\x00\x00[Content_Types].xml",
         "this is an Excel workbook (.xlsx), not a CSV file: export it as CSV"),
        (b"", "the roster is empty (a header row is needed)"),
        (b"Name;Score\r\nAnn;1\r\n", "line 1: no recipient column 'email' (or 'recipient_id' / 'student_id' / 'identity_hash'); columns found: 'Name', 'Score'"),
        (b'email;narrative\r\na@b.org;"never closed\r\nc@d.org;x\r\n',
         "line 2, column narrative: a quote opens here and is never closed (lines 2-3 would be one value)"),
        ("email;name\r\na@b.org;Jos\u00c3\u00a9\r\n".encode(),
         "line 2: 'Jos\u00c3\u00a9' is garbled (meant 'Jos\u00e9'?): the roster was read as Windows-1252 and saved again as UTF-8"),
        ("email;name\r\na@b.org;Иван Петров\r\n".encode("cp1251"),
         "line 2: text in a code page badgekit does not read (Cyrillic, Greek, Central European, Asian …?): "
         "not UTF-8, Windows-1252 or Mac Roman"),
        (b"\xef\xbb\xbfemail;name\r\na@b.org;Ann\r\nc@d.org;Caf\xe9\r\n", "line 3: not valid UTF-8 text (a damaged file?)"),
    ],
    ids=["xlsx", "empty", "no-email-column", "unclosed-quote", "garbled-utf8", "cyrillic-code-page", "bom-over-ansi"],
)
def test_unreadable_rosters_are_one_line_usage_errors(project: SimpleNamespace, data: bytes, message: str) -> None:
    project.roster.write_bytes(data)
    result = run_cli("issue", "--badge", "weather", project.roster, ok=2)
    first = result.stderr.splitlines()[0]
    assert first == f"error: {project.roster}: {message}"
    assert "Traceback" not in result.stderr and not (project.root / "out" / "issued.csv").exists()


def test_an_extra_column_is_a_warning_and_exit_code_0(project: SimpleNamespace) -> None:
    # A Google Forms export: its Timestamp column is unknown. Every row is issued: exit 0, and
    # --strict issues too (an unknown column is no row problem).
    project.roster.write_text("Timestamp,Email Address,Full Name\n2026/03/15 9:01:02 AM GMT,ann@example.org,Ann\n", encoding="utf-8")
    strict = run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", "--strict")
    assert strict.stdout.startswith("1 issued")
    assert f"warning: {project.roster}:line 1, column Timestamp: unknown column (ignored)" in strict.stderr
    again = run_cli("issue", "--badge", "weather", project.roster, "--json")
    assert json.loads(again.stdout)["counts"] == {"already-issued": 1}


def test_a_mac_excel_roster_reads_as_the_windows_one(project: SimpleNamespace) -> None:
    # Excel for Mac "CSV (Macintosh)": Mac Roman, rows ending CR; read as Windows-1252 it would put
    # "JosŽ" and "ÒweatherÓ" in the credentials
    project.roster.write_bytes(ROSTER.decode("cp1252").replace("\r\n", "\r").encode("mac_roman"))
    rows = _rows(run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", "--json", ok=1))
    assert {line: row["status"] for line, row in rows.items()} == {2: "issued", 3: "issued", 6: "rejected", 8: "rejected"}
    jose = json.loads(Path(rows[2]["path"]).read_text(encoding="utf-8"))
    assert jose["credentialSubject"]["narrative"] == JOSE and jose["awardedDate"] == "2026-03-15T00:00:00Z"
    run_cli("status", "publish")
    run_cli("verify", rows[2]["path"], "--status-list", project.root / "out" / "status", "--recipient", "jose@example.org")


def test_issued_csv_keeps_roster_text_inert_in_spreadsheets(project: SimpleNamespace) -> None:
    # a header or value starting like a formula (= + - @) must not become one when issued.csv is opened
    project.roster.write_text('@Email,Name,=1+1\nann@example.org,Ann,x\n-2+3,"=HYPERLINK(""http://x"")",y\n', encoding="utf-8")
    run_cli("issue", "--badge", "weather", project.roster, "--workers", "1", ok=1)
    with (project.root / "out" / "issued.csv").open(encoding="utf-8", newline="") as fh:
        cells = [cell for row in csv.reader(fh) for cell in row]
    assert "'@Email: invalid email address '-2+3'" in cells
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]

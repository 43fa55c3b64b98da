"""Read CSV rosters the way spreadsheets really export them, and validate every row before signing.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"), Windows-1252 when the
bytes are not UTF-8 (Excel "CSV" on Windows); comma, semicolon, tab or pipe separators (sniffed from
the header); CRLF, LF or CR line ends; quoted fields with embedded separators and newlines; blank
lines and all-empty rows (Excel leaves them); trailing empty columns; header names in any case and
spacing, with common aliases ("E-mail Address", "Full Name", "Score (%)" …).

Every problem is a :class:`RowError` with the physical line number, the column name and a reason.
Rows are streamed: memory stays flat with roster size.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from badgekit.errors import InputError, LimitExceeded

MAX_ROSTER_BYTES = 512 * 1024 * 1024

#: Canonical column -> what it means. Custom OB 3.0 fields map to AchievementSubject properties.
COLUMNS: dict[str, str] = {
    "email": "recipient email address (hashed with a salt in the credential, never stored plain)",
    "recipient_id": "recipient identifier other than email: a DID or URL (used as credentialSubject.id)",
    "student_id": "institution's student id (hashed, identityType studentId)",
    "name": "recipient name (used for images and bundles; not put in the credential)",
    "earned": "date the badge was earned (awardedDate), e.g. 2026-01-15",
    "issued": "validity start (validFrom) when not now",
    "score": "result value for the badge class's first resultDescription",
    "level": "achieved rubric level (name or id of a rubricCriterionLevel)",
    "status": "result status (Completed, Failed …) when a resultDescription has resultType Status",
    "evidence_url": "URL of evidence (Evidence.id)",
    "evidence_narrative": "narrative of the evidence",
    "evidence_name": "name of the evidence",
    "supervisor": "who signed off (kept in the evidence narrative)",
    "narrative": "AchievementSubject.narrative",
    "credits_earned": "AchievementSubject.creditsEarned (number)",
    "activity_start_date": "AchievementSubject.activityStartDate",
    "activity_end_date": "AchievementSubject.activityEndDate",
    "term": "AchievementSubject.term (e.g. Fall 2026)",
    "role": "AchievementSubject.role",
    "license_number": "AchievementSubject.licenseNumber",
}

_ALIASES: dict[str, str] = {
    "e_mail": "email", "email_address": "email", "e_mail_address": "email", "mail": "email",
    "recipient_email": "email", "learner_email": "email", "student_email": "email", "emailaddress": "email",
    "did": "recipient_id", "recipient_did": "recipient_id",
    "full_name": "name", "recipient_name": "name", "learner_name": "name", "student_name": "name",
    "learner": "name", "student": "name", "recipient": "name",
    "date_earned": "earned", "earned_date": "earned", "completed": "earned", "completion_date": "earned",
    "date_completed": "earned", "completed_on": "earned", "completed_at": "earned", "awarded": "earned", "awarded_date": "earned", "date": "earned",
    "issued_date": "issued", "issue_date": "issued", "valid_from": "issued",
    "grade": "score", "result": "score", "mark": "score", "points": "score", "percent": "score", "score_percent": "score",
    "achieved_level": "level", "rubric_level": "level", "proficiency": "level", "proficiency_level": "level",
    "evidence": "evidence_url", "evidence_link": "evidence_url", "evidence_id": "evidence_url", "portfolio_url": "evidence_url",
    "evidence_description": "evidence_narrative",
    "signed_off_by": "supervisor", "approver": "supervisor", "assessor": "supervisor", "sign_off": "supervisor",
    "credits": "credits_earned",
    "start_date": "activity_start_date", "end_date": "activity_end_date",
    "studentid": "student_id", "student_number": "student_id",
}

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


@dataclass(frozen=True)
class RowError:
    """One problem with one roster row (``line`` is the physical line in the file, 1 = header)."""

    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Row:
    """A roster row with canonical column names and normalised values."""

    line: int
    values: dict[str, str] = field(hash=False)

    def get(self, column: str) -> str | None:
        value = self.values.get(column)
        return value if value else None

    @property
    def recipient(self) -> str:
        """The identifier that makes the recipient unique for a badge class (normalised)."""
        return self.get("email") or self.get("recipient_id") or f"studentId:{self.get('student_id')}"


@dataclass(frozen=True)
class Header:
    columns: tuple[str | None, ...]  # canonical name per position; None = ignored
    original: tuple[str, ...]
    unknown: tuple[str, ...]
    delimiter: str
    encoding: str


def normalise_header(name: str) -> str:
    key = re.sub(r"[^0-9a-z]+", "_", name.strip().lower().replace("%", "percent")).strip("_")
    key = re.sub(r"_percent$", "", key) if key.endswith("_percent") and key != "score_percent" else key
    return _ALIASES.get(key, key)


def normalise_email(value: str) -> str:
    """Trim, take the address out of ``Name <address>``, drop ``mailto:`` and surrounding ``<>``,
    lowercase (documented in README)."""
    v = value.strip()
    m = re.fullmatch(r"[^<>]*<([^<>]+@[^<>]+)>", v)
    if m:
        v = m.group(1)
    v = v.strip("<>").strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v.strip().lower()


def decode_roster(data: bytes, source: str) -> tuple[str, str]:
    """Decode roster bytes: BOM first, then strict UTF-8, then Windows-1252. Returns (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[2:].decode(enc), "utf-16"
            except UnicodeDecodeError as exc:
                raise InputError(f"{source}: invalid UTF-16 at byte {exc.start}") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 or Windows-1252 text (byte {exc.start})", hint="save the roster as 'CSV UTF-8'") from None


def detect_encoding(path: Path) -> tuple[str, str]:
    """(label, Python codec) of a roster file, read in chunks: BOM first, then strict UTF-8 over
    the whole file, else Windows-1252 (what Excel's plain "CSV" writes on Windows)."""
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16", "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "windows-1252", "cp1252"
    return "utf-8", "utf-8"


def _one_newline(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _sniff_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class Roster:
    """A parsed roster: the header and a stream of rows (read once, lazily)."""

    def __init__(self, text: str | TextIO, source: str, encoding: str = "utf-8", *, extra_columns: Iterable[str] = ()) -> None:
        """``text``: the roster text, or a text stream opened with ``newline=""`` (read lazily).
        ``extra_columns``: further column names a badge class's requirements use (kept as is)."""
        self.source = source
        known = set(COLUMNS) | {normalise_header(c) for c in extra_columns}
        stream: TextIO = io.StringIO(text, newline="") if isinstance(text, str) else text
        self._stream = stream
        start = stream.tell()
        first = ""
        for _ in range(50):  # the header: the first line that is not blank or all separators
            line = self._decoded(stream.readline)
            if not line:
                break
            if line.strip().strip(",;\t|"):
                first = line
                break
        stream.seek(start)
        if not first:
            raise InputError(f"{source}: the roster is empty (a header row is needed)")
        delimiter = _sniff_delimiter(first)
        # csv handles \n, \r\n and \r line ends itself and counts physical lines
        self._reader = csv.reader(stream, delimiter=delimiter, strict=False)
        self._line = 0
        raw_header: list[str] = []
        for record in self._records():
            if any(c.strip() for c in record[1]):
                self.header_line, raw_header = record
                break
        columns: list[str | None] = []
        unknown: list[str] = []
        seen: dict[str, str] = {}
        for name in raw_header:
            if not name.strip():
                columns.append(None)
                continue
            canonical = normalise_header(name)
            if canonical in known:
                if canonical in seen:
                    raise InputError(f"{source}: line {self.header_line}: columns {seen[canonical]!r} and {name!r} both mean {canonical}")
                seen[canonical] = name
                columns.append(canonical)
            else:
                unknown.append(name.strip())
                columns.append(None)
        if not ({"email", "recipient_id", "student_id"} & set(seen)):
            raise InputError(
                f"{source}: line {self.header_line}: no recipient column (need email, or recipient_id / student_id)",
                hint="the header row must name the columns, e.g. email,name,score",
            )
        self.header = Header(tuple(columns), tuple(raw_header), tuple(unknown), delimiter, encoding)

    @classmethod
    def open(cls, path: str | Path, *, extra_columns: Iterable[str] = ()) -> Roster:
        """Open a roster file for streaming (the file is never read into memory whole)."""
        p = Path(path)
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            raise InputError(f"{p}: no such roster file") from None
        except OSError as exc:
            raise InputError(f"{p}: cannot read ({exc.strerror})") from None
        if p.is_dir():
            raise InputError(f"{p}: is a directory, expected a CSV file")
        if size > MAX_ROSTER_BYTES:
            raise LimitExceeded(f"{p}: larger than {MAX_ROSTER_BYTES // (1024 * 1024)} MiB, refused")
        encoding, python_codec = detect_encoding(p)
        stream = open(p, encoding=python_codec, newline="", errors="strict")  # noqa: SIM115 - closed by rows()
        try:
            return cls(stream, str(p), encoding, extra_columns=extra_columns)
        except BaseException:
            stream.close()
            raise

    def _decoded(self, read: Any) -> str:
        try:
            return str(read())
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.source}: not valid text in its encoding (byte {exc.start})",
                             hint="save the roster as 'CSV UTF-8'") from None

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        try:
            for record in self._reader:
                start = self._line + 1
                self._line = self._reader.line_num
                yield start, record
        except csv.Error as exc:
            raise InputError(f"{self.source}: line {self._line + 1}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.source}: line {self._line + 1}: not valid text in its encoding (byte {exc.start})",
                             hint="save the roster as 'CSV UTF-8'") from None

    def column_label(self, canonical: str | None) -> str | None:
        """The header text the user wrote for a canonical column (errors name what they see)."""
        for name, original in zip(self.header.columns, self.header.original, strict=False):
            if name == canonical and canonical is not None:
                return original.strip() or canonical
        return canonical

    def labelled(self, errors: Iterable[RowError]) -> list[RowError]:
        return [RowError(e.line, self.column_label(e.column), e.reason) for e in errors]

    def header_errors(self) -> list[RowError]:
        return [
            RowError(self.header_line, name, "unknown column (ignored); see 'badgekit issue --help' for known columns")
            for name in self.header.unknown
        ]

    def rows(self) -> Iterator[Row | RowError]:
        """Yield each data row, or a RowError for a row that cannot even be read."""
        try:
            yield from self._rows()
        finally:
            self._stream.close()

    def _rows(self) -> Iterator[Row | RowError]:
        width = len(self.header.columns)
        for line, record in self._records():
            if not any(c.strip() for c in record):
                continue  # blank line or an all-empty spreadsheet row
            extra = [c for c in record[width:] if c.strip()]
            if extra:
                yield RowError(line, None, f"{len(record)} fields but the header has {width} (unquoted separator?)")
                continue
            values = {
                col: _one_newline(record[i].strip()) if i < len(record) else ""
                for i, col in enumerate(self.header.columns)
                if col is not None
            }
            yield Row(line, values)


# ---------------------------------------------------------------------------------------------
# value parsing shared by validation and credential building

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y", "%d/%m/%Y", "%m/%d/%Y", "%d-%m-%Y")


def parse_date(value: str) -> datetime:
    """A roster date as an aware UTC datetime.

    ISO 8601 (``2026-01-15``, ``2026-01-15T10:00:00+01:00``) always; ``15.01.2026``; and
    ``dd/mm/yyyy`` or ``mm/dd/yyyy`` only when unambiguous (a day above 12). Raises ValueError.
    """
    v = value.strip()
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        pass
    # spreadsheets append a time to dates ("1/15/2026 10:30", "15.01.2026 00:00:00"): keep the date
    v = re.sub(r"\s+\d{1,2}:\d{2}(:\d{2})?(\s*[AaPp][Mm])?$", "", v)
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", v)
    if m:
        a, b, y = (int(x) for x in m.groups())
        if a > 12 >= b:
            return datetime(y, b, a, tzinfo=UTC)
        if b > 12 >= a:
            return datetime(y, a, b, tzinfo=UTC)
        if a == b:
            return datetime(y, a, b, tzinfo=UTC)
        raise ValueError(f"ambiguous date {v!r} (day/month or month/day?); use YYYY-MM-DD")
    # Excel's other defaults: 15-Jan-2026, 15 Jan 2026, Jan 15, 2026, January 15, 2026
    for fmt in ("%Y/%m/%d", "%d.%m.%Y", "%d-%m-%Y", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y"):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"{v!r} is not a date (use YYYY-MM-DD)")


def parse_number(value: str) -> float:
    """``85``, ``85.5``, ``85,5`` (decimal comma), ``85 %`` → float. Raises ValueError."""
    v = value.strip().rstrip("%").strip().replace("\u00a0", "").replace(" ", "")
    if "," in v and "." not in v:
        v = v.replace(",", ".")
    return float(v)


def is_email(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.match(value))


def is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE))


def validate_row(row: Row, requirements: Sequence[Any] = ()) -> list[RowError]:
    """Check a row's values and the badge class's requirement rules; return every problem."""
    errors: list[RowError] = []
    email = row.get("email")
    if email is not None:
        if not is_email(normalise_email(email)):
            errors.append(RowError(row.line, "email", f"invalid email address {email!r}"))
    elif not (row.get("recipient_id") or row.get("student_id")):
        errors.append(RowError(row.line, "email", "missing recipient email"))
    rid = row.get("recipient_id")
    if rid is not None and not re.match(r"^(did:[a-z0-9]+:\S+|https?://\S+|urn:\S+)$", rid):
        errors.append(RowError(row.line, "recipient_id", f"{rid!r} is not a DID, URL or URN"))
    for col in ("earned", "issued", "activity_start_date", "activity_end_date"):
        value = row.get(col)
        if value is not None:
            try:
                parse_date(value)
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
    failing_columns = {e.column for e in errors}
    for req in requirements:
        column = normalise_header(req.column)  # "Completed on", "assessor" … name the same columns as the header
        if column in failing_columns:
            continue
        reason = req.check(row.get(column))
        if reason:
            errors.append(RowError(row.line, column, reason))
    return errors

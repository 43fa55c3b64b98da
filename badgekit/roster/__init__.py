"""Read CSV rosters the way spreadsheets really export them, and validate every row before signing.

Accepted: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode Text") or without one,
Windows-1252 when the bytes are not UTF-8 (Excel "CSV" on Windows); comma, semicolon, tab or pipe
separators (sniffed from the header, or taken from Excel's ``sep=;`` first line); CRLF, LF or CR line
ends; quoted fields with embedded separators and newlines; blank lines and all-empty rows (Excel
leaves them); trailing empty columns; spaces, no-break spaces, zero-width characters and stray byte
order marks around values; header names in any case and spacing, with common aliases ("E-mail
Address", "Full Name", "Score (%)" …); a repeated header row (two exports joined).

Refused with a one-line reason: workbooks renamed to .csv (xlsx, ods, xls, Numbers), binary files,
a file mixing UTF-8 and Windows-1252, a value longer than :data:`MAX_FIELD_CHARS`, a quote that is
never closed, a NUL character in a value, ambiguous dates (``04/03/2026``) unless a day/month order
is given, Excel date serial numbers, and identifiers Excel rewrote in scientific notation.

Every problem is a :class:`RowError` with the physical line number (as a text editor shows it: a
row with a quoted newline starts on one line and ends on a later one), the column and a reason.
Rows are streamed: memory stays flat with roster size.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from badgekit.errors import InputError, LimitExceeded

MAX_ROSTER_BYTES = 512 * 1024 * 1024
#: Longest value a cell may hold (a long evidence narrative fits many times over).
MAX_FIELD_CHARS = 65_536
#: Longest physical line: a file with longer lines is not a roster (or is damaged).
MAX_LINE_CHARS = 1_048_576
#: Day/month orders for numeric dates such as ``04/03/2026`` (``--date-format``, badgekit.toml).
DATE_ORDERS = ("DMY", "MDY")
DATE_COLUMNS = ("earned", "issued", "activity_start_date", "activity_end_date")
#: Columns holding identifiers: invisible characters inside them are removed, and numbers Excel
#: shortened to scientific notation are refused (their digits are lost).
_IDENTIFIER_COLUMNS = frozenset({"email", "recipient_id", "student_id", "evidence_url", "license_number"})
_SCIENTIFIC_ID_COLUMNS = ("student_id", "license_number")
#: Canonical column -> what it means. Custom OB 3.0 fields map to AchievementSubject properties.
COLUMNS: dict[str, str] = {
    "email": "recipient email address (hashed with a salt in the credential, never stored plain)",
    "recipient_id": "recipient identifier other than email: a DID or URL (used as credentialSubject.id)",
    "student_id": "institution's student id (hashed, identityType sisSourcedId)",
    "name": "recipient name (used for images and bundles; not put in the credential)",
    "earned": "date the badge was earned (awardedDate), e.g. 2026-01-15",
    "issued": "validity start (validFrom) when not now",
    "score": "result value for the badge class's first resultDescription",
    "level": "achieved rubric level (name or id of a rubricCriterionLevel)",
    "status": "result status (Completed, Failed, InProgress …; OB 3.0 ResultStatusType) when a resultDescription has resultType Status",
    "evidence_url": "URL of evidence (Evidence.id)",
    "evidence_narrative": "narrative of the evidence",
    "evidence_name": "name of the evidence",
    "supervisor": "who signed off (kept in the evidence narrative)",
    "assessor": "who assessed the work (kept in the evidence narrative; another person than the supervisor)",
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
    "signed_off_by": "supervisor", "approver": "supervisor", "sign_off": "supervisor",
    "credits": "credits_earned",
    "start_date": "activity_start_date", "end_date": "activity_end_date",
    "studentid": "student_id", "student_number": "student_id",
}

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


# Whitespace (\s covers no-break and narrow no-break spaces) and invisible format characters
# (zero-width space/joiners, word joiner, byte order mark, soft hyphen, direction marks) at the edges
# of a value: spreadsheets and copy-paste from web pages and mail leave them.
_EDGES = re.compile(r"^[\s\u00ad\u200b-\u200f\u2060\ufeff]+|[\s\u00ad\u200b-\u200f\u2060\ufeff]+$")
_SEP_HINT = re.compile(r'"?sep=(.)"?[,;\t|]*', re.IGNORECASE)
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[Ee][+-]?\d+")


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


def clean_value(value: str) -> str:
    """A cell without surrounding whitespace, no-break spaces or invisible characters."""
    return value.strip() if value.isascii() else _EDGES.sub("", value)


def drop_invisible(value: str) -> str:
    """``value`` without any format character (zero-width, BOM, bidi controls, soft hyphen):
    for identifiers, where they can only be copy-paste debris."""
    if value.isascii():
        return value
    return "".join(c for c in value if unicodedata.category(c) != "Cf")


_NAMED_ADDRESS = re.compile(r"[^<>]*<([^<>]+@[^<>]+)>")


def bare_email(value: str) -> str:
    """Trim (spaces, no-break spaces, invisible characters), take the address out of
    ``Name <address>``, drop ``mailto:`` and surrounding ``<>``; case kept."""
    v = drop_invisible(value).strip()
    m = _NAMED_ADDRESS.fullmatch(v) if "<" in v else None
    if m:
        v = m.group(1)
    v = v.strip("<>").strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v.strip()


def normalise_email(value: str) -> str:
    """:func:`bare_email`, lower-cased: how badgekit reads and hashes a roster's email (README)."""
    return bare_email(value).lower()


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based position: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# what kind of file is it, and in which encoding


def refuse_non_text(head: bytes, source: str) -> None:
    """Raise InputError when the first bytes are a spreadsheet workbook or another binary file
    (someone renamed ``class.xlsx`` to ``class.csv``), with how to export it as CSV."""
    kind = how = None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        name_len = int.from_bytes(head[26:28], "little")
        first = head[30:30 + name_len]
        if first == b"mimetype" and b"opendocument.spreadsheet" in head[:200]:
            kind, how = "an OpenDocument spreadsheet (.ods)", "in LibreOffice: File > Save As, file type 'Text CSV'"
        elif first.startswith((b"[Content_Types].xml", b"xl/", b"_rels/", b"docProps/")):
            kind, how = "an Excel workbook (.xlsx)", "in Excel: File > Save As, file type 'CSV UTF-8 (Comma delimited)'"
        elif first.startswith((b"Index/", b"Metadata/", b"preview")):
            kind, how = "an Apple Numbers document", "in Numbers: File > Export To > CSV, text encoding Unicode (UTF-8)"
        else:
            kind, how = "a ZIP archive (a spreadsheet workbook?)", "export the sheet as 'CSV UTF-8'"
    elif head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        kind, how = "a legacy Excel workbook (.xls)", "in Excel: File > Save As, file type 'CSV UTF-8 (Comma delimited)'"
    elif head.startswith(b"%PDF"):
        kind, how = "a PDF document", "export the roster from the spreadsheet as 'CSV UTF-8'"
    if kind:
        raise InputError(f"{source}: this is {kind}, not a CSV file: export it as CSV", hint=how)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when mostly-ASCII text has a NUL in every other byte."""
    sample = head[: min(len(head), 512) & ~1]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.1 * len(other):
            return codec
    return None


# Byte sequences that are almost only ever UTF-8 (é, ü … as C3 xx; curly quotes, dashes, ellipsis,
# euro as E2 80/82 xx): in Windows-1252 they would read "Ã©", "â€™". Found in a file that is not
# UTF-8 as a whole, they mean two encodings were joined.
_UTF8_SIGNS = re.compile(rb"\xC3[\x80-\xBF]|\xE2\x80[\x90-\xBF]|\xE2\x82\xAC")
# Bytes with no character in Windows-1252 (Python's codec refuses them): a Mac Roman or DOS export.
_NOT_CP1252 = re.compile(rb"[\x81\x8D\x8F\x90\x9D]")


def detect_encoding(path: Path) -> tuple[str, str]:
    """(label, Python codec) of a roster file, read in chunks (memory stays flat).

    A BOM decides; else UTF-16 when every other byte is NUL; else strict UTF-8 checked over the
    whole file (a UTF-8 file whose first accent is on line 90,000 is still UTF-8); else
    Windows-1252, what Excel's plain "CSV" writes on Windows.

    Raises:
        InputError: a workbook or binary file; a file mixing UTF-8 and another encoding; bytes that
            are neither UTF-8 nor Windows-1252 (each names the line).
    """
    with open(path, "rb") as fh:
        return _detect_encoding(fh, str(path))


def _detect_encoding(fh: Any, source: str) -> tuple[str, str]:
    """:func:`detect_encoding` of a seekable binary file object."""
    head = fh.read(4096)
    refuse_non_text(head, source)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "utf-16"
    bomless = _utf16_without_bom(head)
    if bomless:
        return bomless, bomless
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0c")
    if b"\x00" in head.split(b"\n", 1)[0] or controls > max(2, len(head) // 20):
        raise InputError(f"{source}: line 1: control bytes (NUL …) in the first lines: this is a binary file, not a CSV roster",
                         hint="export the roster from the spreadsheet as 'CSV UTF-8'")
    fh.seek(0)
    return _scan_encoding(fh, source)


def _scan_encoding(fh: Any, source: str) -> tuple[str, str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1  # line at the start of the bytes not yet looked at
    utf8_line = None  # first line with a non-ASCII UTF-8 character
    bad_line = None  # first line that is not UTF-8
    carry = b""  # a chunk's last bytes, so a sequence split between chunks is still seen
    while chunk := fh.read(1 << 20):
        if bad_line is None:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = exc.object  # bytes held back from the previous chunk (no newline) + this chunk
                bad_line = line + data.count(b"\n", 0, exc.start)
                if utf8_line is None and not data[:exc.start].isascii():
                    first = next(i for i, c in enumerate(data[:exc.start]) if c > 127)
                    utf8_line = line + data.count(b"\n", 0, first)
                if utf8_line is not None:
                    raise _mixed(source, utf8_line, bad_line) from None
                rest = data[exc.start:]
                line = bad_line
                _check_cp1252(rest, line, source)
                carry = rest[-2:]
                line += rest.count(b"\n") - carry.count(b"\n")
                continue
            if utf8_line is None and not text.isascii():
                first = next(i for i, c in enumerate(text) if ord(c) > 127)
                utf8_line = line + text.count("\n", 0, first)
            line += chunk.count(b"\n")
        else:
            data = carry + chunk
            _check_cp1252(data, line, source)
            carry = data[-2:]
            line += data.count(b"\n") - carry.count(b"\n")
    if bad_line is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_line = line
            if utf8_line is not None:
                raise _mixed(source, utf8_line, bad_line) from None
    return ("utf-8", "utf-8") if bad_line is None else ("windows-1252", "cp1252")


def _check_cp1252(data: bytes, line: int, source: str) -> None:
    undefined = _NOT_CP1252.search(data)
    if undefined:
        at = line + data.count(b"\n", 0, undefined.start())
        raise InputError(
            f"{source}: line {at}: byte 0x{data[undefined.start()]:02X} is neither UTF-8 nor Windows-1252 text "
            "(a Mac Roman or MS-DOS export?)",
            hint="save the roster as 'CSV UTF-8'",
        )
    sign = _UTF8_SIGNS.search(data)
    if sign:
        raise _mixed(source, line + data.count(b"\n", 0, sign.start()), line)


def _mixed(source: str, utf8_line: int, other_line: int) -> InputError:
    return InputError(
        f"{source}: mixed text encodings: line {utf8_line} is UTF-8 but line {other_line} is not (Windows-1252?); "
        "were two files joined?",
        hint="open the roster in a spreadsheet and save it again as 'CSV UTF-8'",
    )


def decode_roster(data: bytes, source: str) -> tuple[str, str]:
    """Decode a small CSV held in memory (a revocation list of ids) exactly as rosters are read:
    :func:`detect_encoding`'s rules. Returns (text, encoding label)."""
    label, codec = _detect_encoding(io.BytesIO(data), source)
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as exc:  # pragma: no cover - detection has read every byte
        raise InputError(f"{source}: invalid {label} text at byte {exc.start}") from None


# ---------------------------------------------------------------------------------------------
# reading


def _one_newline(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def _sniff_delimiter(header_line: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header_line)  # "Name, first";Email is separated by ';'
    counts = {d: unquoted.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class _Lines:
    """The physical lines of a text stream for ``csv.reader``: each one bounded in length,
    counted, and kept until the record they belong to is complete (to explain errors)."""

    def __init__(self, stream: TextIO, source: str) -> None:
        self.stream = stream
        self.source = source
        self.number = 0
        self.record: list[str] = []  # lines of the record being read
        self.eof = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        try:
            line = self.stream.readline(MAX_LINE_CHARS + 1)
        except UnicodeDecodeError:
            raise InputError(f"{self.source}: line {self.number + 1}: not valid text in its encoding",
                             hint="save the roster as 'CSV UTF-8'") from None
        if not line:
            self.eof = True
            raise StopIteration
        self.number += 1
        if len(line) > MAX_LINE_CHARS:
            raise LimitExceeded(f"{self.source}: line {self.number}: longer than {MAX_LINE_CHARS:,} characters "
                                "(the limit): not a roster, or a damaged file")
        self.record.append(line)
        return line


def _scan_record(text: str, delimiter: str) -> tuple[bool, int | None]:
    """(still inside quotes at the end, index of the first field longer than MAX_FIELD_CHARS),
    following the csv module's reading of quotes (special only at the start of a field)."""
    state = "start"  # start | plain | quoted | quote (a quote seen inside a quoted field)
    index, length, long_index = 0, 0, None
    for ch in text:
        if state == "quoted":
            if ch == '"':
                state = "quote"
            else:
                length += 1
        elif ch == delimiter:
            index, length, state = index + 1, 0, "start"
            continue
        elif state == "quote" and ch == '"':
            state, length = "quoted", length + 1
        elif state == "start" and ch == '"':
            state = "quoted"
        elif ch not in "\r\n":
            state, length = "plain", length + 1
        if long_index is None and length > MAX_FIELD_CHARS:
            long_index = index
    return state == "quoted", long_index


class Roster:
    """A parsed roster: the header and a stream of rows (read once, lazily)."""

    def __init__(
        self,
        text: str | TextIO,
        source: str,
        encoding: str = "utf-8",
        *,
        extra_columns: Iterable[str] = (),
        required_columns: Iterable[str] = (),
        date_columns: Iterable[str] = (),
        date_order: str | None = None,
    ) -> None:
        """``text``: the roster text, or a text stream opened with ``newline=""`` (read lazily).
        ``extra_columns``: further column names a badge class's requirements use (kept as is);
        ``required_columns``: columns the header must have; ``date_order``: ``"DMY"`` or ``"MDY"``
        for numeric dates in the date columns (then rewritten as ``YYYY-MM-DD``).

        Raises:
            InputError: no header, no recipient column, a required column missing, two columns
                with one meaning, an unknown date order, a line or value over the limits.
        """
        self.source = source
        if date_order is not None and date_order not in DATE_ORDERS:
            raise InputError(f"date order {date_order!r}: expected DMY or MDY")
        self._date_order = date_order
        known = set(COLUMNS) | {normalise_header(c) for c in extra_columns}
        self._date_columns = tuple(dict.fromkeys([*DATE_COLUMNS, *(normalise_header(c) for c in date_columns)]))
        stream: TextIO = io.StringIO(text, newline="") if isinstance(text, str) else text
        self._stream = stream
        start = stream.tell()
        first, hint, hint_line = "", None, 0
        probe = _Lines(stream, source)
        for line in probe:  # the header: the first line that is not blank or all separators
            content = clean_value(line)
            if not content.strip(",;\t|"):
                continue
            m = _SEP_HINT.fullmatch(content) if hint is None else None
            if m and m.group(1) not in "\"\r\n":  # Excel's "sep=;" line names the separator
                hint, hint_line = m.group(1), probe.number
                continue
            first = content
            break
        stream.seek(start)
        if not first:
            raise InputError(f"{source}: the roster is empty (a header row is needed)")
        delimiter = hint or _sniff_delimiter(first)
        self._delimiter = delimiter
        # csv handles \n, \r\n and \r line ends itself; _Lines counts physical lines
        self._lines = _Lines(stream, source)
        self._reader = csv.reader(self._lines, delimiter=delimiter, strict=False)
        self._line = 0
        self._labels: list[str] = []
        self.header_line = 1
        raw_header: list[str] = []
        for line_no, record in self._records():
            if line_no == hint_line:
                continue
            if isinstance(record, RowError):
                raise InputError(f"{source}: {record}")
            if any(clean_value(c) for c in record):
                self.header_line, raw_header = line_no, record
                break
        labels = [" ".join(clean_value(name).split()) for name in raw_header]
        self._labels = [label or column_letter(i) for i, label in enumerate(labels)]
        columns: list[str | None] = []
        unknown: list[str] = []
        seen: dict[str, int] = {}
        for i, name in enumerate(raw_header):
            if not labels[i]:
                columns.append(None)
                continue
            canonical = normalise_header(drop_invisible(name))
            if canonical in known:
                if canonical in seen:
                    j = seen[canonical]
                    raise InputError(
                        f"{source}: line {self.header_line}: columns {column_letter(j)} ({labels[j]!r}) and "
                        f"{column_letter(i)} ({labels[i]!r}) both mean {canonical}: remove or rename one"
                    )
                seen[canonical] = i
                columns.append(canonical)
            else:
                if labels[i] not in unknown:
                    unknown.append(labels[i])
                columns.append(None)
        found = ", ".join(repr(label) for label in labels if label) or "none"
        if not ({"email", "recipient_id", "student_id"} & set(seen)):
            raise InputError(
                f"{source}: line {self.header_line}: no recipient column 'email' (or 'recipient_id' / 'student_id'); "
                f"columns found: {found}",
                hint="the header row must name the columns, e.g. email,name,score",
            )
        for name in required_columns:
            if normalise_header(name) not in seen:
                raise InputError(
                    f"{source}: line {self.header_line}: no column {name!r}, which the badge class requires; "
                    f"columns found: {found}",
                    hint="add the column to the roster, or change the badge class's requirements",
                )
        self.header = Header(tuple(columns), tuple(raw_header), tuple(unknown), delimiter, encoding)
        recipient = next(c for c in ("email", "recipient_id", "student_id") if c in seen)
        self._recipient_index = seen[recipient]
        self._header_folded = [label.casefold() for label in labels]

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        extra_columns: Iterable[str] = (),
        required_columns: Iterable[str] = (),
        date_columns: Iterable[str] = (),
        date_order: str | None = None,
    ) -> Roster:
        """Open a roster file for streaming (the file is never read into memory whole).

        Raises:
            InputError: the file is missing, not a CSV roster (a workbook, binary, mixed
                encodings) or its header is unusable (see :class:`Roster`).
        """
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
            return cls(stream, str(p), encoding, extra_columns=extra_columns, required_columns=required_columns,
                       date_columns=date_columns, date_order=date_order)
        except BaseException:
            stream.close()
            raise

    def _label(self, index: int) -> str:
        """How errors name the column at ``index``: its header text, else its spreadsheet letter."""
        if index < len(self._labels):
            return self._labels[index]
        return f"{column_letter(index)} (no header)" if self._labels else column_letter(index)

    def _records(self) -> Iterator[tuple[int, list[str] | RowError]]:
        """(first physical line, fields) per record, or a RowError for a record over the limits."""
        lines = self._lines
        while True:
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = self._line + 1
                self._line = self._reader.line_num
                inside_quotes, index = _scan_record("".join(lines.record), self._delimiter)
                lines.record.clear()
                label = self._label(index) if index is not None else None
                where = f"line {start}" + (f", column {label}" if label else "")
                if "field larger than field limit" not in str(exc):
                    raise InputError(f"{self.source}: {where}: {exc}") from None
                if inside_quotes:  # reading on would start in the middle of the quoted value
                    raise LimitExceeded(f"{self.source}: {where}: a quoted value runs past {MAX_FIELD_CHARS:,} characters "
                                        "(the limit): is a closing quote missing?") from None
                yield start, RowError(start, label, f"value longer than {MAX_FIELD_CHARS:,} characters (the limit)")
                continue
            start = self._line + 1
            self._line = self._reader.line_num
            if lines.eof and len(record) and _scan_record("".join(lines.record), self._delimiter)[0]:
                # csv (non-strict) ends a never-closed quote at the end of the file: that one value
                # would swallow every row below it
                label = self._label(len(record) - 1)
                raise InputError(
                    f"{self.source}: line {start}, column {label}: a quote opens here and is never closed "
                    f"(lines {start}-{self._line} would be one value)",
                    hint='close the quote; a quote inside a quoted value is written twice: ""',
                )
            lines.record.clear()
            yield start, record

    def column_label(self, canonical: str | None) -> str | None:
        """The header text the user wrote for a canonical column (errors name what they see)."""
        for name, label in zip(self.header.columns, self._labels, strict=False):
            if name == canonical and canonical is not None:
                return label
        return canonical

    def labelled(self, errors: Iterable[RowError]) -> list[RowError]:
        return [RowError(e.line, self.column_label(e.column), e.reason) for e in errors]

    def header_errors(self) -> list[RowError]:
        return [
            RowError(self.header_line, name, "unknown column (ignored); see 'badgekit issue --help' for known columns")
            for name in self.header.unknown
        ]

    def rows(self) -> Iterator[Row | RowError]:
        """Yield each data row, or a RowError for a row that cannot even be read.

        Raises:
            InputError: a line over :data:`MAX_LINE_CHARS`, a quote never closed, text not valid in
                the file's encoding (each names the line).
        """
        try:
            yield from self._rows()
        finally:
            self._stream.close()

    def _rows(self) -> Iterator[Row | RowError]:
        width = len(self.header.columns)
        columns = self.header.columns
        ri = self._recipient_index
        header_folded = self._header_folded
        for line, record in self._records():
            if isinstance(record, RowError):
                yield record
                continue
            cells = [clean_value(c) for c in record]
            if not any(cells):
                continue  # blank line or an all-empty spreadsheet row
            if len(cells) > ri and cells[ri].casefold() == header_folded[ri] and _folded(cells, width) == header_folded:
                continue  # the header again: two exports joined into one file
            problem = _cell_problem(cells, width)
            if problem is not None:
                index, reason = problem
                yield RowError(line, self._label(index), reason)
                continue
            values: dict[str, str] = {}
            for i, col in enumerate(columns):
                if col is None:
                    continue
                value = cells[i] if i < len(cells) else ""
                if value:
                    value = _one_newline(value)
                    if col in _IDENTIFIER_COLUMNS:
                        value = drop_invisible(value)
                values[col] = value
            if self._date_order:
                for col in self._date_columns:
                    written = values.get(col)
                    if written and _NUMERIC_DATE_START.match(written):
                        with contextlib.suppress(ValueError):  # else left as written: validate_row reports it
                            values[col] = parse_date(written, self._date_order).strftime("%Y-%m-%d")
            yield Row(line, values)


def _folded(cells: list[str], width: int) -> list[str]:
    return [c.casefold() for c in cells[:width]] + [""] * (width - len(cells))


def _cell_problem(cells: list[str], width: int) -> tuple[int, str] | None:
    for i, cell in enumerate(cells):
        if not cell:
            continue
        if i >= width:
            last = max(j for j, c in enumerate(cells) if c)
            return i, f"{last + 1} values but the header has {width} columns (a separator inside a value that is not quoted?)"
        if len(cell) > MAX_FIELD_CHARS:
            return i, f"value longer than {MAX_FIELD_CHARS:,} characters (the limit)"
        if "\x00" in cell:
            return i, "contains a NUL character (binary data, or a damaged export)"
    return None


# ---------------------------------------------------------------------------------------------
# value parsing shared by validation and credential building

_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NUMERIC_DATE_START = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)


def date_order(value: str) -> str:
    """``DMY`` or ``MDY`` from what a user writes: ``DMY``, ``dd/mm/yyyy``, ``day-first`` …

    Raises:
        InputError: anything else.
    """
    key = re.sub(r"[^a-z]", "", value.lower())
    orders = {"dmy": "DMY", "ddmmyyyy": "DMY", "ddmmyy": "DMY", "dayfirst": "DMY",
              "mdy": "MDY", "mmddyyyy": "MDY", "mmddyy": "MDY", "monthfirst": "MDY"}
    if key not in orders:
        raise InputError(f"date format {value!r}: expected DMY (day first, 04/03/2026 = 4 March) "
                         "or MDY (month first, 04/03/2026 = April 3)")
    return orders[key]


def parse_date(value: str, order: str | None = None) -> datetime:
    """A roster date as an aware UTC datetime.

    ISO 8601 (``2026-01-15``, ``2026-01-15 00:00:00``, ``2026-01-15T10:00:00+01:00``) always;
    ``15.01.2026`` (dots: day first); ``15-Jan-2026``, ``Jan 15, 2026``; and ``dd/mm/yyyy`` or
    ``mm/dd/yyyy`` (also with ``-``) when ``order`` (``"DMY"``/``"MDY"``) says which, or when the
    date is unambiguous (a day above 12). Never guesses. A time after a date is dropped.

    Raises:
        ValueError: not a date, an ambiguous day/month, a two-digit year, an Excel date serial
            number (the reason says which).
    """
    v = value.strip()
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        pass
    # spreadsheets append a time to dates ("1/15/2026 10:30", "15.01.2026 00:00:00"): keep the date
    v = _TIME_SUFFIX.sub("", v)
    if re.fullmatch(r"\d{5}(\.\d+)?", v) and 20000 <= float(v) < 80000:
        guess = _EXCEL_EPOCH + timedelta(days=int(float(v)))
        raise ValueError(f"{v!r} looks like an Excel date serial number ({guess:%Y-%m-%d}?): format the column "
                         "as a date (YYYY-MM-DD) before exporting")
    m = _NUMERIC_DATE.fullmatch(v)
    if m:
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if len(year) == 2:
            raise ValueError(f"{v!r} has a two-digit year: use YYYY-MM-DD")
        if order == "DMY" or (order is None and (sep == "." or a > 12 >= b or a == b)):
            day, month = a, b
        elif order == "MDY" or (order is None and b > 12 >= a):
            day, month = b, a
        elif order is None and a <= 12 and b <= 12:
            raise ValueError(
                f"ambiguous date {v!r} ({a} {_MONTHS[b - 1]} or {_MONTHS[a - 1]} {b}?): "
                "write YYYY-MM-DD, or say which with --date-format DMY or MDY"
            )
        else:
            raise ValueError(f"{v!r} is not a date (use YYYY-MM-DD)")
        try:
            return datetime(int(year), month, day, tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{v!r} is not a date{f' in {order} order' if order else ''} (use YYYY-MM-DD)") from None
    # Excel's other defaults: 15-Jan-2026, 15 Jan 2026, Jan 15, 2026, January 15, 2026
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y",
                "%d-%b-%y", "%d %b %y", "%d-%B-%Y"):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"{v!r} is not a date (use YYYY-MM-DD)")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(value: str) -> float:
    """``85``, ``85.5``, ``85,5`` (decimal comma), ``85 %``, ``1,234.5``, ``1.234,5``, ``1 234,5``
    → float. Not ``nan``, ``inf`` or scientific notation. Raises ValueError."""
    v = value.strip()
    v = v[:-1] if v.endswith("%") else v
    v = re.sub(r"[\s']", "", v)  # spaces, (narrow) no-break spaces and Swiss apostrophes group thousands
    if "," in v and "." in v:  # the later one is the decimal mark
        v = v.replace(".", "").replace(",", ".") if v.rfind(",") > v.rfind(".") else v.replace(",", "")
    elif v.count(",") == 1:
        v = v.replace(",", ".")
    if not _NUMBER.fullmatch(v):
        raise ValueError(f"{value!r} is not a number")
    return float(v)


#: OB 3.0 ResultStatusType: the only values ``Result.status`` may take (the schema's enum).
RESULT_STATUSES = ("Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew")
_RESULT_STATUS_KEYS = {s.lower(): s for s in RESULT_STATUSES}


def result_status(value: str) -> str | None:
    """A roster's ``status`` as OB 3.0 spells it (``completed`` → ``Completed``, ``in progress`` →
    ``InProgress``, ``on-hold`` → ``OnHold``), or None when it is not a ResultStatusType."""
    return _RESULT_STATUS_KEYS.get(re.sub(r"[\s_-]+", "", value).lower())


def is_email(value: str) -> bool:
    return len(value) <= 254 and bool(_EMAIL.match(value))


def is_url(value: str) -> bool:
    return bool(re.match(r"^https?://[^\s/$.?#][^\s]*$", value, re.IGNORECASE))


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

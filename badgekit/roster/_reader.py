"""Reading a roster: separator (sniffed, or Excel's ``sep=`` line), header mapping to canonical
columns, physical line numbers, limits, and one :class:`Row` per record (streamed)."""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from badgekit.errors import InputError, LimitExceeded
from badgekit.roster._encoding import detect_encoding
from badgekit.roster._rows import Row, RowError
from badgekit.roster._values import (
    _IDENTIFIER_COLUMNS,
    _NUMERIC_DATE_START,
    COLUMNS,
    DATE_COLUMNS,
    DATE_ORDERS,
    MAX_FIELD_CHARS,
    MAX_LINE_CHARS,
    MAX_ROSTER_BYTES,
    NUMBER_COLUMNS,
    clean_value,
    column_letter,
    drop_invisible,
    identifier_cell,
    normalise_header,
    parse_date,
)

_SEP_HINT = re.compile(r'"?sep=(.)"?[,;\t|]*', re.IGNORECASE)
#: Columns that name a row's recipient (one of them is needed), the first one present keyed first.
_RECIPIENT_COLUMNS = ("email", "recipient_id", "student_id", "identity_hash")


@dataclass(frozen=True)
class Header:
    """A roster's header row as read: the column each position stands for, and how the file is written."""

    columns: tuple[str | None, ...]  # canonical name per position; None = ignored
    original: tuple[str, ...]
    unknown: tuple[str, ...]
    delimiter: str
    encoding: str


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


def _scan_record(text: str, delimiter: str) -> tuple[bool, int | None, int, bool]:
    """(still inside quotes at the end, index of the first field longer than MAX_FIELD_CHARS, index
    of the field being read where the scan stopped: the last one, or the first with text after its
    closing quote; whether there is such text other than spaces), following the csv module's
    reading of quotes (special only at the start of a field)."""
    state = "start"  # start | plain | quoted | quote (a quote seen inside a quoted field) | closed (spaces after one)
    index, length, long_index = 0, 0, None
    for ch in text:
        if state == "closed" or (state == "quote" and ch != '"'):
            if ch in " \t" and ch != delimiter:
                state = "closed"
                continue
            if ch != delimiter and ch not in "\r\n":
                return False, long_index, index, True  # "He said "hi" …: a quote inside a quoted value not doubled
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
    return state == "quoted", long_index, index, False


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
        # Columns whose values are never text: a leading apostrophe there is a spreadsheet's mark for
        # "text" ('00123 keeps its zeros, '2026-03-04 stays a string), not part of the value.
        self._typed_columns = frozenset({*NUMBER_COLUMNS, *self._date_columns})
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
        # strict: text after a closing quote is an error (its row is rejected), not glued to the value
        self._reader = csv.reader(self._lines, delimiter=delimiter, strict=True)
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
        if not (set(_RECIPIENT_COLUMNS) & set(seen)):
            raise InputError(
                f"{source}: line {self.header_line}: no recipient column 'email' (or 'recipient_id' / 'student_id' / "
                "'identity_hash'); "
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
        recipient = next(c for c in _RECIPIENT_COLUMNS if c in seen)
        self._recipient_index = seen[recipient]
        self._header_folded = [label.casefold() for label in labels]
        #: Position of a column with an empty header cell -> first line where it holds a value
        #: (read, not used: :meth:`header_errors` says so once the rows have been read).
        self.unnamed_values: dict[int, int] = {}
        self._unnamed = [i for i, label in enumerate(labels) if not label]
        # Moodle, Google Forms and many class lists split the name: "First name", "Last name"
        self._joined_name = "name" not in seen and bool({"given_name", "family_name"} & set(seen))

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
                text = "".join(lines.record)
                inside_quotes, index, at, stray = _scan_record(text, self._delimiter)
                lines.record.clear()
                if "expected after" in str(exc):  # strict: the rest of the line is skipped
                    if not (stray or inside_quotes):  # spaces only ("Email" ,Name): read as a lenient reader does
                        yield start, next(csv.reader(io.StringIO(text, newline=""), delimiter=self._delimiter))
                    else:  # glued to the value, the text would be signed: the row is rejected
                        yield start, RowError(start, self._label(at), 'text after the closing quote of a quoted value: '
                                                                      'write a quote inside a quoted value twice ("")')
                    continue
                if "unexpected end of data" in str(exc):  # a quote opened and never closed: it swallows every row below
                    raise InputError(
                        f"{self.source}: line {start}, column {self._label(at)}: a quote opens here and is never closed "
                        f"(lines {start}-{self._line} would be one value)",
                        hint='close the quote; a quote inside a quoted value is written twice: ""',
                    ) from None
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
        """Warnings about the header: unknown columns and, once the rows have been read, columns
        without a header cell that hold values (both ignored)."""
        return [
            RowError(self.header_line, name, "unknown column (ignored); see 'badgekit issue --help' for known columns")
            for name in self.header.unknown
        ] + [
            RowError(self.header_line, column_letter(i), f"values (first on line {line}) but no header: "
                                                         "ignored; give the column a name to use them")
            for i, line in sorted(self.unnamed_values.items())
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
        # (index, canonical column, identifier column?, typed column?) of each named column
        named = [(i, col, col in _IDENTIFIER_COLUMNS, col in self._typed_columns) for i, col in enumerate(columns) if col is not None]
        for line, record in self._records():
            if isinstance(record, RowError):
                yield record
                continue
            cells = [c.strip() if c.isascii() else clean_value(c) for c in record]  # clean_value, inlined
            if not any(cells):
                continue  # blank line or an all-empty spreadsheet row
            if len(cells) > ri and cells[ri].casefold() == header_folded[ri] and _folded(cells, width) == header_folded:
                continue  # the header again: two exports joined into one file
            problem = _cell_problem(cells, width)
            if problem is not None:
                index, reason = problem
                yield RowError(line, self._label(index), reason)
                continue
            for i in self._unnamed:
                if i < len(cells) and cells[i] and i not in self.unnamed_values:
                    self.unnamed_values[i] = line
            values: dict[str, str] = {}
            count = len(cells)
            for i, col, identifier, typed in named:
                value = cells[i] if i < count else ""
                if value:
                    if "\r" in value:
                        value = _one_newline(value)
                    if identifier:  # an ASCII cell (already trimmed) without a leading ' is as it is
                        if value[0] == "'" or not value.isascii():
                            value = identifier_cell(value)
                    elif typed and value[0] == "'":
                        value = clean_value(value[1:])
                values[col] = value
            if self._joined_name:
                values["name"] = " ".join(v for v in (values.get("given_name"), values.get("family_name")) if v)
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

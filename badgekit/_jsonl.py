"""Credentials in one JSON Lines file per run (``issue --output-mode jsonl``): each line is the
exact text a credential file would hold (compact JSON ending in its one newline), and a
credential's place is written ``<file>.jsonl#<line>`` (1-based) in the ledger's ``output_path``.

The run file is written atomically: appended under ``<folder>/.partial/`` and renamed into place
when the run ends, so a file under its final name is always complete. A run killed before that
leaves only the ``.partial`` file (never read); the ledger may already name lines of the missing
file, which a re-run treats as a missing credential file: it signs those credentials again (same
bytes) into its own file and points the ledger there, so each credential is on exactly one line of
the finished files the ledger names.
"""

from __future__ import annotations

import contextlib
import os
from array import array
from collections.abc import Iterator

from badgekit._io import MAX_INPUT_BYTES, output_error, read_bounded
from badgekit.errors import InputError, LimitExceeded

SUFFIX = ".jsonl"
STAGING = ".partial"

_counts: dict[tuple[str, int, int], int] = {}
_ends: dict[tuple[str, int, int], array[int]] = {}


def split_ref(ref: str) -> tuple[str, int | None]:
    """``("runs/r.jsonl", 7)`` for ``"runs/r.jsonl#7"``; ``(ref, None)`` for anything else (a
    credential file's path, which may itself hold a ``#``)."""
    head, sep, tail = ref.rpartition("#")
    if sep and tail.isdigit() and head.endswith(SUFFIX) and int(tail) > 0:
        return head, int(tail)
    return ref, None


def line_ref(path: str, line: int) -> str:
    return f"{path}#{line}"


def line_count(path: str) -> int:
    """Lines in ``path`` (newline-terminated), counted once per version of the file; 0 if unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return 0
    key = (path, st.st_size, st.st_mtime_ns)
    found = _counts.get(key)
    if found is None:
        found = 0
        try:
            with open(path, "rb") as f:
                while block := f.read(1 << 20):
                    found += block.count(b"\n")
        except OSError:
            return 0
        if len(_counts) > 64:
            _counts.clear()
        _counts[key] = found
    return found


def ref_usable(ref: str) -> bool | None:
    """For a ``<file>.jsonl#<line>`` reference: whether that finished file holds that line; None
    for a plain path (the caller checks the file)."""
    path, line = split_ref(ref)
    if line is None:
        return None
    return line_count(path) >= line


def usable(ref: str) -> bool:
    """Whether a ledger ``output_path`` names a credential that is there: a file that is not empty
    (bulk files are written without fsync: a power loss can leave an empty one), or a line the
    finished run file holds."""
    in_run = ref_usable(ref)
    if in_run is not None:
        return in_run
    try:
        return os.stat(ref).st_size > 0
    except OSError:
        return False


def is_run_file(path: str | os.PathLike[str]) -> bool:
    """A whole run file (``*.jsonl``; not one of its lines, ``<file>.jsonl#<line>``)."""
    return os.fspath(path).lower().endswith(SUFFIX)


def _line_ends(path: str) -> array[int]:
    """Offsets of the newlines of ``path`` (line N ends at the N-th; a last line without one, at the
    end of the file), found once per version of the
    file: a run's credentials read one by one (``badgekit send``) cost one pass, not one each.

    Raises:
        OSError: the file cannot be read.
    """
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    found = _ends.get(key)
    if found is None:
        found = array("q")
        with open(path, "rb") as f:
            base = 0
            while block := f.read(1 << 20):
                at = block.find(b"\n")
                while at >= 0:
                    found.append(base + at)
                    at = block.find(b"\n", at + 1)
                base += len(block)
        if base and (not found or found[-1] != base - 1):
            found.append(base)  # a last line without a line break ends the file (as iter_lines reads it)
        if len(_ends) >= 4:
            _ends.clear()
        _ends[key] = found
    return found


def read_ref(ref: str, *, max_bytes: int = MAX_INPUT_BYTES) -> bytes:
    """What a ledger ``output_path`` names: a file's bytes, or line ``N`` of ``<file>.jsonl#N``
    (without its line break); at most ``max_bytes``.

    Raises:
        InputError: no such file, no such line in it, or unreadable (names the file and line).
        LimitExceeded: the file (or the line) is larger than ``max_bytes``.
    """
    path, line = split_ref(ref)
    if line is None:
        return read_bounded(path, limit=max_bytes)
    try:
        ends = _line_ends(path)
        if line > len(ends):
            raise InputError(f"{path}: no line {line} (the run file has {len(ends)})",
                             hint="a run file is complete once its run ends; a run killed before that left none")
        start = ends[line - 2] + 1 if line > 1 else 0
        if ends[line - 1] - start > max_bytes:
            raise LimitExceeded(f"{ref}: line longer than the {max_bytes} bytes accepted; refused")
        with open(path, "rb") as f:
            f.seek(start)
            data = f.read(ends[line - 1] - start)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, expected a run file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return data[:-1] if data.endswith(b"\r") else data


def each_ref(path: str, *, max_bytes: int = MAX_INPUT_BYTES) -> Iterator[tuple[str, bytes | InputError]]:
    """The credentials ``path`` names, as ``(reference, bytes or why not)``: every non-blank line
    of a run file (``<file>#<line>``), else the one file or line :func:`read_ref` reads. Nothing is
    raised: a credential that cannot be read is given as its error, and the rest still come."""
    if not is_run_file(path):
        try:
            yield path, read_ref(path, max_bytes=max_bytes)
        except InputError as exc:
            yield path, exc
        return
    try:
        for line, data in iter_lines(path, max_bytes):
            ref = line_ref(path, line)
            yield ref, data if data is not None else LimitExceeded(
                f"{ref}: line longer than the {max_bytes} bytes accepted; refused")
    except FileNotFoundError:
        yield path, InputError(f"{path}: no such file")
    except OSError as exc:
        yield path, InputError(f"{path}: cannot read ({exc.strerror})")


class JsonlWriter:
    """Appends credential texts to ``path`` by way of ``<folder>/.partial/<name>``; :meth:`close`
    renames it into place (after an fsync: one per run). Nothing is created before the first line.

    Raises (on :meth:`append` and :meth:`close`):
        OutputError: the file cannot be written (names it and the cause).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        folder = os.path.dirname(path) or "."
        self.temp = os.path.join(folder, STAGING, os.path.basename(path))
        self.lines = 0
        self._fd: int | None = None
        self._buffer: list[bytes] = []
        self._size = 0

    def append(self, text: str) -> str:
        """Add one credential's text as the next line; its reference (``<path>#<line>``)."""
        data = text.encode("utf-8")  # a credential file's text: compact JSON and one newline
        if not data.endswith(b"\n"):
            data += b"\n"
        if b"\n" in data[:-1] or b"\r" in data:  # pragma: no cover - signed text is compact JSON
            raise ValueError("a credential's text holds a line break")
        self._buffer.append(data)
        self._size += len(data)
        self.lines += 1
        if self._size >= 1 << 20:
            self._flush()
        return line_ref(self.path, self.lines)

    def _flush(self) -> None:
        try:
            if self._fd is None:
                os.makedirs(os.path.dirname(self.temp), exist_ok=True)
                self._fd = os.open(self.temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            view = memoryview(b"".join(self._buffer))
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            raise output_error(exc, self.temp) from None
        self._buffer.clear()
        self._size = 0

    def close(self) -> None:
        """Finish the file: flush, fsync, rename into place; the staging folder removed when empty."""
        if not self.lines:
            return
        self._flush()
        assert self._fd is not None
        try:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
            os.replace(self.temp, self.path)
        except OSError as exc:
            raise output_error(exc, self.path) from None
        with contextlib.suppress(OSError):  # only when empty: another run's partial file stays
            os.rmdir(os.path.dirname(self.temp))


def iter_lines(path: str, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` for each non-blank line of ``path``, at most ``max_bytes`` read per
    line: a longer line is given as ``None`` (and skipped to its end).

    Raises:
        OSError: the file cannot be read.
    """
    with open(path, "rb") as f:
        number = 0
        while True:
            line = f.readline(max_bytes + 2)
            if not line:
                return
            number += 1
            text = line.rstrip(b"\r\n")
            if len(text) > max_bytes:
                while line and not line.endswith(b"\n"):
                    line = f.readline(1 << 20)
                yield number, None
            elif text.strip():
                yield number, text

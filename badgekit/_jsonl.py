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
from collections.abc import Iterator

from badgekit._io import output_error

SUFFIX = ".jsonl"
STAGING = ".partial"

_counts: dict[tuple[str, int, int], int] = {}


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


def read_ref(ref: str) -> bytes:
    """What a ledger ``output_path`` names: a file's bytes, or line ``N`` of ``<file>.jsonl#N``
    (without its newline; read up to that line).

    Raises:
        OSError: no such file, or no such line in it (``FileNotFoundError``).
    """
    path, line = split_ref(ref)
    if line is None:
        with open(path, "rb") as f:
            return f.read()
    with open(path, "rb") as f:
        for n, text in enumerate(f, 1):
            if n == line:
                return text.rstrip(b"\r\n")
    raise FileNotFoundError(f"{path} has no line {line}")


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

"""Output sinks: where a command's results go, one class per format (as pip-audit's ``_format``).

The command yields results into a sink and the sink decides the bytes: :class:`Json` (one
document, or an array streamed one item per line so memory stays flat), :class:`Jsonl` (one
document per line, for pipelines) or :class:`Human` (text for people, written by a function the
command supplies). Only results go here (stdout); progress and errors go to stderr through
:mod:`badgekit.cli._output`. A stream of lines goes through :class:`Lines`: a reader sees each
line within :data:`FLUSH_SECONDS`, without a system call per line.

    sink = Jsonl(encode=lambda r: r.to_dict())
    for report in reports:
        sink.write(report)
    sink.close()
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Generic, Protocol, TextIO, TypeVar

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


def _identity(item: object) -> object:
    return item


class Sink(Protocol[T_contra]):
    """Takes results one at a time; ``close`` ends the output (an array's closing bracket)."""

    def write(self, item: T_contra) -> None: ...

    def close(self) -> None: ...


class Json(Generic[T]):
    """JSON on stdout, written with ``json.dumps`` (never Rich). ``many=False``: each item is one
    indented document. ``many=True``: one array, ``[`` at once, then an item per line as it comes,
    ``]`` on close. ``encode`` turns an item into JSON values."""

    def __init__(self, *, many: bool, encode: Callable[[T], object] = _identity, out: TextIO | None = None) -> None:
        self.many, self.encode = many, encode
        self.out = out if out is not None else sys.stdout
        self.count = 0
        if many:
            self.out.write("[")

    def write(self, item: T) -> None:
        value = self.encode(item)
        if self.many:
            self.out.write(("\n" if self.count == 0 else ",\n") + json.dumps(value, ensure_ascii=False))
        else:
            self.out.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
        self.count += 1

    def close(self) -> None:
        if self.many:
            self.out.write("\n]\n")
        self.out.flush()


#: Longest a line written through :class:`Lines` waits before it is flushed to the stream, once
#: the next line comes: a reader of a long stream sees the results as they come, in batches.
FLUSH_SECONDS = 0.1
#: Lines held at most before a flush, whatever the time.
FLUSH_LINES = 4096


class Lines:
    """Text written to ``out`` in batches: the first line at once, then whatever came in the last
    :data:`FLUSH_SECONDS` (or :data:`FLUSH_LINES` lines) with the line that follows, and the rest on
    ``flush``. A flush per line cost a system call per result (~10-40 µs with a pipe reader,
    issue 18); a closed stdout is still seen at the next flush (``| head`` stops the run)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.pending: list[str] = []
        self.last = -FLUSH_SECONDS  # time.monotonic() of the last flush: the first line goes at once

    def write(self, text: str) -> None:
        pending = self.pending
        pending.append(text)
        now = time.monotonic()
        if now - self.last >= FLUSH_SECONDS or len(pending) >= FLUSH_LINES:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        if self.pending:
            self.out.write("".join(self.pending))
            self.pending.clear()
        self.out.flush()
        self.last = time.monotonic() if now is None else now


class Jsonl(Generic[T]):
    """JSON Lines on stdout: one compact document per item, written through :class:`Lines` (a
    reader of a long stream sees each result within :data:`FLUSH_SECONDS`). ``dumps`` serialises
    an item to its line (default: ``json.dumps`` of ``encode(item)``)."""

    def __init__(self, *, encode: Callable[[T], object] = _identity, out: TextIO | None = None,
                 dumps: Callable[[T], str] | None = None) -> None:
        self.encode = encode
        self.dumps = dumps
        self.out = out if out is not None else sys.stdout
        self.lines = Lines(self.out)

    def write(self, item: T) -> None:
        line = self.dumps(item) if self.dumps is not None else json.dumps(self.encode(item), ensure_ascii=False)
        self.lines.write(line + "\n")

    def close(self) -> None:
        self.lines.flush()


class _Flushable(Protocol):
    def flush(self) -> None: ...


class Human(Generic[T]):
    """Text for people: ``show(item)`` writes each item (a plain line, or a full Rich report);
    ``out`` (stdout, or the :class:`Lines` that ``show`` writes to) is flushed on close."""

    def __init__(self, show: Callable[[T], object], *, out: _Flushable | None = None) -> None:
        self.show = show
        self.out = out if out is not None else sys.stdout

    def write(self, item: T) -> None:
        self.show(item)

    def close(self) -> None:
        self.out.flush()


__all__ = ["FLUSH_SECONDS", "Human", "Json", "Jsonl", "Lines", "Sink"]

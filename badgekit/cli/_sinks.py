"""Output sinks: where a command's results go, one class per format (as pip-audit's ``_format``).

The command yields results into a sink and the sink decides the bytes: :class:`Json` (one
document, or an array streamed one item per line so memory stays flat), :class:`Jsonl` (one
document per line, flushed, for pipelines) or :class:`Human` (text for people, written by a
function the command supplies). Only results go here (stdout); progress and errors go to stderr
through :mod:`badgekit.cli._output`.

    sink = Jsonl(encode=lambda r: r.to_dict())
    for report in reports:
        sink.write(report)
    sink.close()
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, Generic, Protocol, TextIO, TypeVar

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)


def _identity(item: Any) -> Any:
    return item


class Sink(Protocol[T_contra]):
    """Takes results one at a time; ``close`` ends the output (an array's closing bracket)."""

    def write(self, item: T_contra) -> None: ...

    def close(self) -> None: ...


class Json(Generic[T]):
    """JSON on stdout, written with ``json.dumps`` (never Rich). ``many=False``: each item is one
    indented document. ``many=True``: one array, ``[`` at once, then an item per line as it comes,
    ``]`` on close. ``encode`` turns an item into JSON values."""

    def __init__(self, *, many: bool, encode: Callable[[T], Any] = _identity, out: TextIO | None = None) -> None:
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


class Jsonl(Generic[T]):
    """JSON Lines on stdout: one compact document per item, flushed at once (a reader of a long
    stream sees each result as it comes)."""

    def __init__(self, *, encode: Callable[[T], Any] = _identity, out: TextIO | None = None) -> None:
        self.encode = encode
        self.out = out if out is not None else sys.stdout

    def write(self, item: T) -> None:
        self.out.write(json.dumps(self.encode(item), ensure_ascii=False) + "\n")
        self.out.flush()

    def close(self) -> None:
        self.out.flush()


class Human(Generic[T]):
    """Text for people: ``show(item)`` writes each item (a plain line, or a full Rich report)."""

    def __init__(self, show: Callable[[T], None], *, out: TextIO | None = None) -> None:
        self.show = show
        self.out = out if out is not None else sys.stdout

    def write(self, item: T) -> None:
        self.show(item)

    def close(self) -> None:
        self.out.flush()


__all__ = ["Human", "Json", "Jsonl", "Sink"]

"""Many files: folders expanded to the credentials in them, JSON Lines files (``issue
--output-mode jsonl``, :mod:`badgekit._jsonl`) to one credential per line, and verification in
worker processes (:mod:`badgekit._parallel`) with the reports in the order of the files."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from badgekit import _jsonl, _parallel
from badgekit._io import expand_folders, output_error
from badgekit.verify._models import VerificationReport
from badgekit.verify._options import VerifyOptions
from badgekit.verify._verifier import unreadable, verify_bytes, verify_path


class _Found(NamedTuple):
    """An image found in a folder: skipped if it has no credential baked in at all."""

    path: str | os.PathLike[str]


#: One credential to verify: a file, an image found in a folder, or a line of a JSON Lines file
#: (``<file>#<line>``, its bytes or None when it is longer than ``max_bytes``), or a JSON Lines
#: file that could not be read.
_Unit = str | os.PathLike[str] | _Found | tuple[str, bytes | None, str | None]

#: File suffixes ``badgekit verify DIR`` picks up.
CREDENTIAL_SUFFIXES = (".json", ".png", ".svg", ".jwt", ".sd-jwt", ".jws")  # .jws: an Open Badges 2.0 signed assertion
#: Suffixes of the images that may hold no badge (a QR code, a logo): skipped when found in a folder.
_IMAGE_SUFFIXES = (".png", ".svg")
#: Files per task handed to a worker process: amortises the inter-process round trip (~0.1 ms)
#: over files that take ~1 ms each, and keeps the in-flight set small.
PARALLEL_CHUNK = 32
#: Files below which no worker pool is started: a pool takes ~0.2 s to start (badgekit._parallel),
#: so two processes win only on more than ~0.4 s of work (~0.8 ms a file).
PARALLEL_MIN_FILES = 500


def expand_paths(paths: Iterable[str | os.PathLike[str]], *, found: set[str] | None = None) -> list[Path]:
    """Files to verify: files as given, folders expanded (not recursively) to their
    ``*.json``, ``*.png``, ``*.svg``, ``*.jwt``, ``*.sd-jwt`` and ``*.jws`` files in name order, hidden files skipped.
    ``found``: gets the files (``str(path)``) found in a folder and not also named (for :func:`verify_paths`).

    Raises:
        InputError: a path does not exist, or a folder holds no such file.
    """
    return expand_folders(paths, CREDENTIAL_SUFFIXES, found=found)


def verify_paths(
    paths: Sequence[str | os.PathLike[str]], options: VerifyOptions | None = None, *, workers: int = 1,
    found: Collection[str] = (),
) -> Iterator[VerificationReport]:
    """:func:`verify_path` for each path, yielded in order; a ``*.jsonl`` file is a container: one
    report per non-blank line (source ``<file>#<line>``; each line bounded by ``max_bytes``, read
    as it is verified). A PNG or SVG in ``found`` (``str(path)``s found in a folder, not named: :func:`expand_paths`)
    with no credential baked in at all, a QR code or a logo, gets the verdict ``skipped`` (exit code
    0) rather than ``invalid``; a damaged badge is still invalid. With ``workers`` > 1 and at least
    :data:`PARALLEL_MIN_FILES` files, chunks of files are verified in that many processes (see
    :mod:`badgekit._parallel`: a script calling this needs an ``if __name__ == "__main__":``
    guard); at most a few chunks are in flight, so memory stays flat for any number of files. The reports
    are the same as one process gives (the options, including the trust list, status lists and
    DID documents, are copied to each worker; each keeps its own per-run memo).
    """
    options = options or VerifyOptions()
    units = _units(paths, options.max_bytes, found)
    total = sum(_jsonl.line_count(os.fspath(p)) if _is_jsonl(p) else 1 for p in paths)
    if workers <= 1 or total < PARALLEL_MIN_FILES:
        for unit in units:
            yield _verify_unit(unit, options)
        return
    chunks = _chunked(units)
    with _parallel.imap(_verify_chunk, chunks, workers=min(workers, -(-total // PARALLEL_CHUNK)), initializer=_init_worker,
                        initargs=(options,), preload=(__name__,)) as results:
        for reports in results:
            yield from reports


def _is_jsonl(path: str | os.PathLike[str]) -> bool:
    return os.fspath(path).lower().endswith(_jsonl.SUFFIX)


def _units(paths: Iterable[str | os.PathLike[str]], max_bytes: int,
           found: Collection[str]) -> Iterator[_Unit]:
    for path in paths:
        if not _is_jsonl(path):
            image = found and os.fspath(path) in found and os.fspath(path).lower().endswith(_IMAGE_SUFFIXES)
            yield _Found(path) if image else path
            continue
        name = os.fspath(path)
        try:
            for line, data in _jsonl.iter_lines(name, max_bytes):
                yield (_jsonl.line_ref(name, line), data, None)
        except OSError as exc:
            yield (name, None, output_error(exc, name, action="cannot read").message)


def _chunked(units: Iterator[_Unit]) -> Iterator[list[_Unit]]:
    chunk: list[_Unit] = []
    for unit in units:
        chunk.append(unit)
        if len(chunk) >= PARALLEL_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _verify_unit(unit: _Unit, options: VerifyOptions) -> VerificationReport:
    if isinstance(unit, _Found):
        return verify_path(unit.path, options, skip_unbaked=True)
    if not isinstance(unit, tuple):
        return verify_path(unit, options)
    source, data, error = unit
    if error is not None:
        return unreadable(source, error, options)
    if data is None:
        return unreadable(source, f"line longer than the {options.max_bytes} bytes accepted; refused", options,
                          "the line could not be read")
    return verify_bytes(data, source=source, options=options)


_WORKER_OPTIONS: VerifyOptions | None = None


def _init_worker(options: VerifyOptions) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options


def _verify_chunk(units: list[_Unit]) -> list[VerificationReport]:
    options = _WORKER_OPTIONS or VerifyOptions()
    return [_verify_unit(u, options) for u in units]

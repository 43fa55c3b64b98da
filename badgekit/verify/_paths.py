"""Many files: folders expanded to the credentials in them, and verification in worker
processes (:mod:`badgekit._parallel`) with the reports in the order of the files."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from badgekit import _parallel
from badgekit.errors import InputError
from badgekit.verify._models import VerificationReport
from badgekit.verify._options import VerifyOptions
from badgekit.verify._verifier import verify_path

#: File suffixes ``badgekit verify DIR`` picks up.
CREDENTIAL_SUFFIXES = (".json", ".png", ".svg", ".jwt")
#: Files per task handed to a worker process: amortises the inter-process round trip (~0.1 ms)
#: over files that take ~1 ms each, and keeps the in-flight set small.
PARALLEL_CHUNK = 32
#: Files below which no worker pool is started: a pool takes ~0.2 s to start (badgekit._parallel),
#: so two processes win only on more than ~0.4 s of work (~0.8 ms a file).
PARALLEL_MIN_FILES = 500


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files to verify: files as given, folders expanded (not recursively) to their
    ``*.json``, ``*.png``, ``*.svg`` and ``*.jwt`` files in name order, hidden files skipped.

    Raises:
        InputError: a path does not exist, or a folder holds no such file.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(
                c for c in p.iterdir()
                if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in CREDENTIAL_SUFFIXES
            )
            if not found:
                raise InputError(f"{p}: no *.json, *.png, *.svg or *.jwt files in this folder")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


def verify_paths(
    paths: Sequence[str | os.PathLike[str]], options: VerifyOptions | None = None, *, workers: int = 1
) -> Iterator[VerificationReport]:
    """:func:`verify_path` for each path, yielded in order. With ``workers`` > 1 and at least
    :data:`PARALLEL_MIN_FILES` files, chunks of files are verified in that many processes (see
    :mod:`badgekit._parallel`: a script calling this needs an ``if __name__ == "__main__":``
    guard); at most a few chunks are in flight, so memory stays flat for any number of files. The reports
    are the same as one process gives (the options, including the trust list, status lists and
    DID documents, are copied to each worker; each keeps its own per-run memo).
    """
    options = options or VerifyOptions()
    if workers <= 1 or len(paths) < PARALLEL_MIN_FILES:
        for path in paths:
            yield verify_path(path, options)
        return
    chunks = [list(paths[i:i + PARALLEL_CHUNK]) for i in range(0, len(paths), PARALLEL_CHUNK)]
    with _parallel.imap(_verify_chunk, chunks, workers=min(workers, len(chunks)), initializer=_init_worker,
                        initargs=(options,), preload=(__name__,)) as results:
        for reports in results:
            yield from reports


_WORKER_OPTIONS: VerifyOptions | None = None


def _init_worker(options: VerifyOptions) -> None:
    global _WORKER_OPTIONS
    _WORKER_OPTIONS = options


def _verify_chunk(paths: list[str | os.PathLike[str]]) -> list[VerificationReport]:
    return [verify_path(p, _WORKER_OPTIONS) for p in paths]

"""Where a run's chunks are signed: the seam between one signing code path
(:func:`._worker.sign_jobs`) and two executors, worker processes of this machine
(:class:`LocalExecutor`) or a Dask cluster (:class:`badgekit.issuing.cluster.DaskExecutor`).

An executor knows the public half of the key it signs with (:attr:`Executor.identity`, checked
against the issuer before anything is reserved) and turns chunks of planned jobs into
(credential id, path) pairs, each credential's files written atomically before its pair comes
back, in any order; the run marks them issued as they come. In a JSON Lines run
(``SigningSetup.jsonl``) the pairs are (credential id, credential text), which the run appends to
its one file (:mod:`badgekit._jsonl`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Protocol

from badgekit import _parallel
from badgekit.issuing import _worker
from badgekit.issuing._options import PARALLEL_MIN_CHUNKS
from badgekit.issuing._signing import KeyIdentity, _Job
from badgekit.issuing._worker import SigningSetup
from badgekit.keys import PrivateKey


class Executor(Protocol):
    #: the signing key's public half (the private half may be elsewhere: on the Dask workers)
    identity: KeyIdentity
    #: where the key is, for messages ("the key", "the key of the Dask workers at tcp://…")
    key_source: str
    #: how to give it the right key, when that is not --key (the hint of a refused key)
    key_hint: str | None

    def sign(self, setup: SigningSetup, chunks: Iterable[list[_Job]]) -> AbstractContextManager[Iterator[list[tuple[str, str]]]]:
        """Sign and write every chunk; leaving the block early stops what is still running."""
        ...


class LocalExecutor:
    """Worker processes of this machine (:func:`badgekit._parallel.imap`), each set up once with
    the key; fewer than :data:`PARALLEL_MIN_CHUNKS` chunks are signed in this process."""

    key_source: str = "the key"
    key_hint: str | None = None

    def __init__(self, key: PrivateKey, workers: int = 1) -> None:
        self.key = key
        self.workers = workers
        self.identity = KeyIdentity.of(key)

    @contextlib.contextmanager
    def sign(self, setup: SigningSetup, chunks: Iterable[list[_Job]]) -> Iterator[Iterator[list[tuple[str, str]]]]:
        with _parallel.imap(_worker._sign_chunk, chunks, workers=self.workers, initializer=_worker._init_worker,
                            initargs=(self.key, setup), preload=(_worker.__name__,), min_items=PARALLEL_MIN_CHUNKS) as signed:
            yield signed

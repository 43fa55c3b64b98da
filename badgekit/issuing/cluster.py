"""Issuing on a Dask cluster (``pip install 'badgekit[dask]'``; docs/dask.md).

This process plans the run as for a local one (validation, credential ids and status indices
reserved in the ledger), Dask workers sign, bake and render chunks of rows, and the signed files
come back here to be written (atomically, into the run's output folder) and marked issued as they
arrive. The signing code is the local one (:func:`badgekit.issuing._worker.sign_jobs`); only the
executor differs (:mod:`badgekit.issuing._executor`).

- **The private key never travels.** Each worker loads it from its own environment
  (``BADGEKIT_KEY``: the key file; ``BADGEKIT_KEY_PASSPHRASE`` if it is encrypted). Before anything
  is reserved every worker is asked for its public key: the run refuses to start unless all give
  the same key and it is the issuer's. A worker that joins later with another key refuses its
  chunks (the run stops; their rows stay reserved).
- **A worker dying mid-run loses nothing.** The scheduler runs its chunk again on another worker
  (signing is deterministic: the same bytes); after ``distributed.scheduler.allowed-failures``
  deaths of one chunk, or when the scheduler is lost, the run stops with a
  :class:`~badgekit.errors.ClusterError` and every row not yet written stays reserved for the
  next run to resume, as after a local run is killed.

Usage::

    with DaskExecutor.connect("tcp://scheduler:8786") as executor:
        issue_roster(..., executor=executor)          # no key here: the workers hold it
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator
from concurrent.futures import CancelledError
from typing import Any

from distributed import Client, Future, as_completed
from distributed.comm.addressing import get_address_host_port
from distributed.scheduler import KilledWorker

from badgekit.errors import ClusterError, KeyFileError
from badgekit.issuing import _worker
from badgekit.issuing._signing import KeyIdentity, _Job
from badgekit.issuing._worker import KEY_ENV, SigningSetup

_NO_WORKERS_HINT = f"start workers with: dask worker ADDRESS (each with {KEY_ENV} set to the issuer's key file)"


class DaskExecutor:
    """Chunks signed by the workers of a Dask cluster (see the module docstring), reached through
    ``client``; the workers' key is checked when this is made.

    Raises:
        ClusterError: the cluster has no worker within ``timeout`` seconds.
        KeyFileError: a worker has no usable key (names the worker), or two workers have different keys.
    """

    key_hint = f"start every Dask worker with {KEY_ENV}=<the issuer's key file>, or correct [issuer] in badgekit.toml"

    def __init__(self, client: Client, *, timeout: float = 10.0) -> None:
        self.client = client
        self.address = str(client.scheduler.address) if client.scheduler is not None else "?"
        self.identity, self.key_source = self._workers_key(timeout)

    @classmethod
    @contextlib.contextmanager
    def connect(cls, address: str, *, timeout: float = 10.0) -> Iterator[DaskExecutor]:
        """An executor on the scheduler at ``address`` (``tcp://host:8786``), closed afterwards.

        Raises:
            ClusterError: the scheduler cannot be reached within ``timeout`` seconds, or has no workers.
            KeyFileError: see :class:`DaskExecutor`.
        """
        try:
            get_address_host_port(address)  # before Client(): a client made from a bad address hangs on exit
        except ValueError as exc:
            raise ClusterError(f"{address!r} is not a Dask scheduler address ({exc})",
                               hint="give it as tcp://host:port (or tls://host:port)") from None
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            cause = " ".join(str(exc).split()) or type(exc).__name__
            raise ClusterError(f"cannot reach the Dask scheduler at {address}: {cause}",
                               hint="check the address (--cluster, or [cluster] scheduler in badgekit.toml) and that "
                                    "'dask scheduler' runs there") from None
        try:
            yield cls(client, timeout=timeout)
        finally:
            client.close()

    def _workers_key(self, timeout: float) -> tuple[KeyIdentity, str]:
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise ClusterError(f"the Dask scheduler at {self.address} has no workers", hint=_NO_WORKERS_HINT) from None
        answers: dict[str, dict[str, Any]] = self.client.run(_worker.worker_key_identity)
        failed = sorted((a, r["error"]) for a, r in answers.items() if "error" in r)
        if failed:
            others = f" (and {len(failed) - 1} more workers)" if len(failed) > 1 else ""
            raise KeyFileError(f"Dask worker {failed[0][0]}: {failed[0][1]}{others}",
                               hint=f"start every worker with {KEY_ENV}=<the issuer's key file> (and BADGEKIT_KEY_PASSPHRASE if it is encrypted)")
        keys = {a: KeyIdentity.from_jwk(r["jwk"], source=f"Dask worker {a}") for a, r in sorted(answers.items())}
        by_key: dict[str, list[str]] = {}
        for a, ident in keys.items():
            by_key.setdefault(json.dumps(ident.public_jwk, sort_keys=True), []).append(a)
        if len(by_key) > 1:
            first, second = (addresses[0] for addresses in list(by_key.values())[:2])
            raise KeyFileError(f"Dask workers {first} and {second} sign with different keys ({KEY_ENV})",
                               hint=f"give every worker the issuer's key in {KEY_ENV}")
        source = f"the key of the Dask workers at {self.address} ({KEY_ENV} of {len(keys)} worker{'s' if len(keys) > 1 else ''})"
        return next(iter(keys.values())), source

    @contextlib.contextmanager
    def sign(self, setup: SigningSetup, chunks: Iterable[list[_Job]]) -> Iterator[Iterator[list[tuple[str, str]]]]:
        """Chunks submitted as they are planned, at most two per worker thread in flight; each
        result written here as it comes back, in any order. Leaving early cancels the rest."""
        running: set[Future[Any]] = set()
        try:
            yield self._results(setup, chunks, running)
        finally:
            if running:
                self.client.cancel(list(running))

    def _results(self, setup: SigningSetup, chunks: Iterable[list[_Job]], running: set[Future[Any]]) -> Iterator[list[tuple[str, str]]]:
        window = max(2, 2 * sum(self.client.nthreads().values()))
        finished = as_completed(loop=self.client.loop)
        for jobs in chunks:
            future = self.client.submit(_worker.remote_sign_chunk, setup, jobs, pure=False)
            running.add(future)
            finished.add(future)
            if len(running) >= window:
                yield self._written(next(finished), running, setup.jsonl)
        while running:
            yield self._written(next(finished), running, setup.jsonl)

    def _written(self, future: Future[Any], running: set[Future[Any]], jsonl: bool = False) -> list[tuple[str, str]]:
        running.discard(future)
        try:
            signed = future.result()
        except KilledWorker:
            raise ClusterError(f"Dask workers at {self.address} died running the same chunk of rows too often",
                               hint="what was not written stays reserved: run the same command again to resume") from None
        except (CancelledError, OSError) as exc:
            raise ClusterError(f"lost the Dask scheduler at {self.address} mid-run ({type(exc).__name__})",
                               hint="what was not written stays reserved: run the same command again to resume") from None
        finally:
            future.release()
        return [_worker.deliver(s, jsonl) for s in signed]

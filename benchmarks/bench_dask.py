#!/usr/bin/env python3
"""Issuing one roster on local worker processes vs on a 2-worker Dask LocalCluster (issue 15).

Both runs go through :func:`badgekit.issuing.issue_roster` with fresh SQLite ledgers: the
same planning, reservations, signing code and file writes; only the executor differs
(``_parallel`` worker processes here, or Dask workers whose results come back to be written
here). Prints credentials per second, milliseconds per credential, the Dask overhead per
credential and the throughput ratio; the cluster's start-up is shown apart (paid once).

Usage: python benchmarks/bench_dask.py [--rows 5000] [--workers 2] [--bake png] [--recipient-images]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from badgekit.issuing import IssueOptions, issue_roster  # noqa: E402
from badgekit.keys import Ed25519Key, save_key  # noqa: E402
from badgekit.ledger import Ledger  # noqa: E402

KEY = Ed25519Key.from_seed(bytes(range(32)))
ISSUER = {"id": KEY.did_key, "type": ["Profile"], "name": "Benchmark University", "url": "https://bench.example.edu"}
ACHIEVEMENT = {"id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "Benchmarking 101",
               "description": "Completed the course.", "criteria": {"narrative": "Pass the final project."}}
BADGE = SimpleNamespace(id=ACHIEVEMENT["id"], achievement=ACHIEVEMENT,
                        policy=SimpleNamespace(validity=None, requirements=(), status_purpose="revocation"))


def write_roster(path: Path, rows: int) -> None:
    """A roster of ``rows`` good rows."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("email,name,evidence_url\n")
        for i in range(rows):
            fh.write(f"learner{i}@example.org,Learner {i},https://portfolio.example.org/{i}\n")


def run(root: Path, name: str, roster: Path, rows: int, args: argparse.Namespace, *, executor: Any = None) -> float:
    """Seconds to issue ``roster`` into a fresh ledger: on local processes, or on ``executor``."""
    options = IssueOptions(out_dir=root / f"out-{name}", workers=args.workers, now=datetime(2026, 1, 15, 12, tzinfo=UTC),
                           bake=tuple(args.bake), recipient_images=args.recipient_images)
    with Ledger.open(root / f"{name}.sqlite3") as ledger:
        start = time.perf_counter()
        report = issue_roster(roster_path=roster, badge=BADGE, issuer=ISSUER, key=KEY, ledger=ledger, options=options,
                              status_base_url="https://bench.example.edu/status/", executor=executor)
        elapsed = time.perf_counter() - start
    assert report.counts == {"issued": rows}, report.counts
    return elapsed


def main() -> None:
    """Both runs, then the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="local processes, and Dask workers (1 thread each)")
    parser.add_argument("--bake", action="append", default=[], choices=["png", "svg"])
    parser.add_argument("--recipient-images", action="store_true")
    args = parser.parse_args()

    import distributed

    from badgekit.issuing.cluster import DaskExecutor

    bake = tuple(args.bake)
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        root = Path(tmp)
        roster = root / "roster.csv"
        write_roster(roster, args.rows)
        key_file = save_key(KEY, root / "issuer.pem")

        local = run(root, "local", roster, args.rows, args)

        start = time.perf_counter()
        with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                      dashboard_address="127.0.0.1:0", env={"BADGEKIT_KEY": str(key_file)}) as cluster, \
                distributed.Client(cluster, set_as_default=False) as client:
            executor = DaskExecutor(client)
            startup = time.perf_counter() - start
            on_dask = run(root, "dask", roster, args.rows, args, executor=executor)

    n = args.rows
    what = f"{n} rows, {args.workers} workers" + (f", baked {'+'.join(bake)}" if bake else "") + (
        " (per-recipient images)" if args.recipient_images else "")
    print(f"issuing {what}; {os.cpu_count()} CPUs")
    print(f"  local processes : {local:7.2f} s  {n / local:8,.0f} credentials/s  {1000 * local / n:6.3f} ms/credential")
    print(f"  Dask LocalCluster: {on_dask:7.2f} s  {n / on_dask:8,.0f} credentials/s  {1000 * on_dask / n:6.3f} ms/credential"
          f"  (+ {startup:.1f} s cluster start-up, once)")
    print(f"  Dask overhead    : {1000 * (on_dask - local) / n:+.3f} ms/credential; throughput ratio Dask/local = {local / on_dask:.2f}")


if __name__ == "__main__":
    main()

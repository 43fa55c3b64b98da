#!/usr/bin/env python3
"""Memory of a very large bulk run (issue 18): ``issuing.issue_roster`` streams a generated roster
of ``--rows`` rows (default 1,000,000) with a row sink, as ``badgekit issue`` does, and prints the
resident set size of this process (and of its worker processes, with ``--workers`` > 1) every
``--every`` rows. Flat memory means the last figures are the first ones plus noise.

The project, ledger and credential files are on tmpfs (``--dir``, default /dev/shm). So that a
million credential files (~2.4 GB) do not fill the machine's memory, the files written so far are
deleted at each report (the ledger keeps them as issued; nothing reads them again in this run).
``--bake png`` (or ``svg``, ``png,svg``) also bakes each credential into the badge class's image,
as ``issue --bake`` does; the images are deleted with the credentials.

Usage: python3 benchmarks/bench_memory.py [--rows 1000000] [--every 100000] [--workers 1] [--bake png] [--dir DIR]
                                          [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_issue import descendants  # noqa: E402
from bench_stages import Setup  # noqa: E402

from badgekit.issuing import IssueOptions, issue_roster  # noqa: E402
from badgekit.ledger import Ledger  # noqa: E402


def rss_kib(pid: int | str = "self") -> int:
    """Current resident set size of a process (Linux /proc), else this process's peak."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if pid == "self" else 0


def measure(rows: int, every: int, workers: int = 1, bake: str = "", base: Path | None = None) -> dict[str, Any]:
    """Issue ``rows`` generated rows streaming under ``base`` and print RSS every ``every`` rows.
    Returns the figures: "reports" (rows, this process KiB, workers KiB, all KiB, elapsed s each),
    "growth_kib" (last report minus first), "bytes_per_row" and "peak_kib" (this process's peak)."""
    root = Path(tempfile.mkdtemp(prefix="badgekit-memory-", dir=base))
    try:
        s = Setup(root, rows)
        out = root / "out"
        formats = tuple(f for f in bake.split(",") if f)
        options = IssueOptions(out_dir=out, workers=workers, verification_method=s.project.verification_method,
                               bake=formats)
        ledger = Ledger.open(root / "ledger.sqlite3")
        start = time.perf_counter()
        reports: list[tuple[int, int, int, int, float]] = []
        next_report = [every]
        print(f"{rows:,} rows, {workers} worker(s){', --bake ' + bake if formats else ''}, "
              f"project on {base}; RSS in MiB")
        print(f"  {'rows':>9}  {'this process':>12}  {'workers':>8}  {'all':>6}  {'elapsed':>8}")

        def progress(done: int, total: int) -> None:
            if done < next_report[0] and not (done == total and reports and reports[-1][0] != done):
                return
            next_report[0] += every
            mine = rss_kib()
            others = sum(rss_kib(p) for p in descendants(os.getpid())) if workers > 1 else 0
            elapsed = time.perf_counter() - start
            reports.append((done, mine, others, mine + others, elapsed))
            print(f"  {done:>9,}  {mine / 1024:12.1f}  {others / 1024:8.1f}  {(mine + others) / 1024:6.1f}  "
                  f"{elapsed:7.0f}s", flush=True)
            if out.is_dir():
                for entry in os.scandir(out):
                    if entry.name.endswith((".json", ".png", ".svg")):
                        os.unlink(entry.path)

        report = issue_roster(roster_path=s.roster, badge=s.badge, issuer=s.issuer, key=s.key, ledger=ledger, options=options,
                              status_base_url=s.project.status_base_url, progress=progress, sink=lambda o: None)
        ledger.close()
        assert report.counts.get("issued") == rows, report.counts
        growth = reports[-1][3] - reports[0][3] if len(reports) > 1 else 0
        per_row = growth * 1024 / max(1, rows - every)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"growth from the first report to the last: {growth / 1024:+.1f} MiB ({per_row:+.1f} bytes per row); "
              f"peak RSS of this process {peak / 1024:.0f} MiB")
        return {"rows": rows, "every": every, "workers": workers, "bake": bake, "dir": str(base),
                "reports": reports, "growth_kib": growth, "bytes_per_row": per_row, "peak_kib": peak,
                "seconds": time.perf_counter() - start}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--bake", default="", help="also bake: png, svg or png,svg (issue --bake)")
    parser.add_argument("--dir", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file as JSON")
    args = parser.parse_args()
    figures = measure(args.rows, args.every, args.workers, args.bake, args.dir)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

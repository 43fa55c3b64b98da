#!/usr/bin/env python3
"""End-to-end bulk issuing: ``badgekit issue`` on a generated roster, as a user runs it.

For each worker count: wall time of the whole command (CSV → validated → ledger → signed JSON
files on disk), credentials per second, peak RSS of the largest process (the CLI or one worker),
and the ratio to bare Ed25519 signing measured in the same run.

Usage: python benchmarks/bench_issue.py [--rows 10000] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from badgekit.keys import Ed25519Key  # noqa: E402

BADGEKIT = [sys.executable, "-m", "badgekit"]


def bare_ed25519_rate(seconds: float = 2.0) -> float:
    key, msg, n = Ed25519Key.from_seed(bytes(32)), bytes(64), 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            key.sign(msg)
        n += 100
    return n / (time.perf_counter() - start)


def make_project(root: Path) -> Path:
    subprocess.run([*BADGEKIT, "init", str(root), "--no-input", "--name", "Benchmark University",
                    "--url", "https://bench.example.edu", "--email", "badges@bench.example.edu"],
                   check=True, capture_output=True)
    badge = root / "badges" / "course.yaml"
    subprocess.run([*BADGEKIT, "badge", "new", "--template", "course-completion", "--set", "course_name=Benchmarking 101",
                    "--out", str(badge), "--no-input"],
                   check=True, capture_output=True, cwd=root)
    return badge


def write_roster(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("email,name,score,evidence_url,earned\n")
        for i in range(rows):
            fh.write(f"learner{i}@example.org,Learner {i},{60 + i % 40},https://portfolio.example.org/{i},2026-01-{1 + i % 28:02d}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    args = parser.parse_args()
    workers = sorted({int(w) for w in args.workers.split(",")})

    bare = bare_ed25519_rate()
    print(f"bare Ed25519 sign: {bare:,.0f}/s on one core; roster: {args.rows:,} rows; machine: {os.cpu_count()} cores")
    for n in workers:
        root = Path(tempfile.mkdtemp(prefix="badgekit-bench-"))
        try:
            badge = make_project(root)
            roster = root / "roster.csv"
            write_roster(roster, args.rows)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            proc = subprocess.run([*BADGEKIT, "issue", str(roster), "--badge", str(badge), "--workers", str(n), "--json"],
                                  cwd=root, capture_output=True, text=True)
            wall = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            if proc.returncode != 0:
                print(proc.stderr[-2000:])
                raise SystemExit(f"issue failed with exit code {proc.returncode}")
            files = sum(1 for _ in (root / "out").rglob("*.json")) if (root / "out").exists() else None
            out_dir = next((p for p in root.rglob("issued.csv")), None)
            produced = sum(1 for p in out_dir.parent.glob("*.json")) if out_dir else files
            rate = args.rows / wall
            print(f"  workers={n}: {wall:7.2f} s wall, {rate:8,.0f} credentials/s end to end, "
                  f"{produced:,} files, peak RSS {max(peak, before) / 1024:,.0f} MiB, "
                  f"{rate / bare:.3f} x bare Ed25519 (1 core)")
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

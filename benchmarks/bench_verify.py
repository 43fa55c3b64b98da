#!/usr/bin/env python3
"""End-to-end verification: ``badgekit verify FOLDER --status-list …`` as a CI job or a
registrar runs it on a folder of issued credentials.

Set-up (not timed): a badge project, a roster of --files rows issued with ``badgekit issue``, and
the issuer's published status lists. Timed: the whole ``verify`` command (process start, reading
every file, the nine checks including the status list, one JSON line per report), for each
worker count. Printed: credentials verified per second, the ratio to bare Ed25519 verification
and to one worker, both measured in the same run. Every report must say "valid".

Usage: python benchmarks/bench_verify.py [--files 5000] [--workers 1,2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_issue import BADGEKIT, make_project, write_roster  # noqa: E402

from badgekit.keys import Ed25519Key, verify_signature  # noqa: E402


def bare_ed25519_verify_rate(seconds: float = 2.0) -> float:
    key, msg = Ed25519Key.from_seed(bytes(32)), bytes(64)
    sig = key.sign(msg)
    public = key.public_key
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            verify_signature(public, sig, msg)
        n += 100
    return n / (time.perf_counter() - start)


def supports_workers() -> bool:
    out = subprocess.run([*BADGEKIT, "verify", "--help"], capture_output=True, text=True).stdout
    return "--workers" in out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per worker count; the median is printed")
    args = parser.parse_args()
    workers = sorted({int(w) for w in args.workers.split(",")})
    if not supports_workers():
        workers = [1]

    root = Path(tempfile.mkdtemp(prefix="badgekit-bench-verify-"))
    try:
        badge = make_project(root)
        roster = root / "roster.csv"
        write_roster(roster, args.files)
        for step in (["issue", str(roster), "--badge", str(badge), "--workers", str(os.cpu_count() or 1)],
                     ["status", "publish"]):
            subprocess.run([*BADGEKIT, *step], cwd=root, check=True, capture_output=True)
        out = root / "out"
        credentials = out / "credentials"
        credentials.mkdir()
        for f in out.glob("*.json"):
            f.rename(credentials / f.name)
        count = sum(1 for _ in credentials.glob("*.json"))

        bare = bare_ed25519_verify_rate()
        print(f"bare Ed25519 verify: {bare:,.0f}/s on one core; {count:,} credentials; machine: {os.cpu_count()} cores")
        rates: dict[int, float] = {}
        for n in workers:
            walls = []
            for _ in range(args.repeat):
                cmd = [*BADGEKIT, "verify", str(credentials), "--status-list", str(out / "status"), "--jsonl"]
                if n != 1 or len(workers) > 1:
                    cmd += ["--workers", str(n)]
                start = time.perf_counter()
                proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
                walls.append(time.perf_counter() - start)
                verdicts = [json.loads(line)["verdict"] for line in proc.stdout.splitlines()]
                if proc.returncode != 0 or len(verdicts) != count or set(verdicts) != {"valid"}:
                    print(proc.stderr[-2000:])
                    raise SystemExit(f"verify failed (exit {proc.returncode}, {len(verdicts)} reports)")
            wall = statistics.median(walls)
            rates[n] = count / wall
            print(f"  workers={n}: {wall:6.2f} s wall (median of {args.repeat}), {rates[n]:7,.0f} credentials/s end to end, "
                  f"{rates[n] / bare:.3f} x bare Ed25519 verify, {rates[n] / rates[workers[0]]:.2f} x {workers[0]} worker")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

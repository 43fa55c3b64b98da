"""Cold start of ``badgekit verify`` on a baked PNG: median wall time of several new processes.

Usage: python3 benchmarks/verify_cold_start.py [FILE] [--runs N] [--importtime]

Each run is a fresh interpreter (``python -m badgekit verify FILE --trust …``), as an earner or a
CI job would start it. Bytecode is cached as in an installed package (``PYTHONPYCACHEPREFIX`` in a
temporary folder, so the source tree stays clean, even when ``PYTHONDONTWRITEBYTECODE`` is set);
the first run warms that cache and is not counted. ``--importtime`` prints the ten slowest
top-level imports of one extra run (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "tests/vectors/1edtech-validator-ob30/simple-json.png"
TRUST = ROOT / "tests/vectors/1edtech-trust.json"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "badgekit", "verify", args.file, "--trust", str(TRUST)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "badgekit-bench-pycache")
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    print(f"exit code {first.returncode}: {first.stdout.splitlines()[0] if first.stdout else first.stderr.strip()}")
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False, env=env)
        times.append(time.perf_counter() - start)
    print(f"runs: {', '.join(f'{t * 1000:.0f}' for t in times)} ms")
    print(f"median of {args.runs}: {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f} ms)")
    base = [sys.executable, "-c", "pass"]
    floor = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(base, capture_output=True, env=env, check=False)
        floor.append(time.perf_counter() - start)
    print(f"for comparison, a bare 'python -c pass': median {statistics.median(floor) * 1000:.0f} ms")
    if args.importtime:
        out = subprocess.run([sys.executable, "-X", "importtime", *cmd[1:]], capture_output=True, text=True, cwd=ROOT, env=env)
        rows = []
        for line in out.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == 3 and parts[1].strip().isdigit():
                rows.append((int(parts[1]), parts[2].rstrip()))
        top = [r for r in rows if not r[1].startswith("   ")]  # top-level imports only
        for us, name in sorted(top, reverse=True)[:10]:
            print(f"  {us / 1000:7.1f} ms  {name.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

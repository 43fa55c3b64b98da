"""Cold start of ``badgekit verify`` on a baked PNG: median wall time of several new processes.

Usage: python3 benchmarks/verify_cold_start.py [FILE] [--runs N] [--importtime]

Each run is a fresh interpreter (``python -m badgekit verify FILE --trust …``), as an earner or a
CI job would start it, in two settings:

* with bytecode: cached as in an installed package (``PYTHONPYCACHEPREFIX`` in a temporary folder,
  so the source tree stays clean, even when ``PYTHONDONTWRITEBYTECODE`` is set); the first run
  warms that cache and is not counted;
* without bytecode for badgekit (``PYTHONDONTWRITEBYTECODE=1`` and no cache: every badgekit
  module compiled at every start, as from a source checkout on a machine that sets it; the
  installed dependencies keep their own ``__pycache__``).

Printed: the median wall time and the median CPU time (user + system of the child: steadier than
wall time on a shared machine) of ``--runs`` runs each, beside a bare ``python -c pass``.
``--importtime`` prints the ten slowest top-level imports of one extra run (``python -X importtime``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "tests/vectors/1edtech-validator-ob30/simple-json.png"
TRUST = ROOT / "tests/vectors/1edtech-trust.json"


def runs(cmd: list[str], env: dict[str, str], n: int) -> tuple[list[float], list[float]]:
    """Wall and CPU (user + system) seconds of ``n`` runs of ``cmd``."""
    wall, cpu = [], []
    for _ in range(n):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False, env=env)
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def measure(file: str = str(DEFAULT), n: int = 15) -> dict[str, tuple[list[float], list[float]]]:
    """Wall and CPU seconds of ``n`` new processes each: ``python -c pass``, ``verify FILE`` with
    badgekit's bytecode cached, and without it (printed as the median of each)."""
    cmd, env, source = commands(file)
    first = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    print(f"exit code {first.returncode}: {first.stdout.splitlines()[0] if first.stdout else first.stderr.strip()}")
    print(f"PYTHONDONTWRITEBYTECODE in this environment: {os.environ.get('PYTHONDONTWRITEBYTECODE', '(not set)')}; "
          f"badgekit from {ROOT}; median of {n} runs each")
    figures = {}
    for label, command, environment in (("python -c pass", [sys.executable, "-c", "pass"], env),
                                        ("verify, with bytecode", cmd, env),
                                        ("verify, without badgekit bytecode", cmd, source)):
        wall, cpu = figures[label] = runs(command, environment, n)
        print(f"  {label:35} wall {statistics.median(wall) * 1000:5.0f} ms (min {min(wall) * 1000:4.0f})  "
              f"CPU {statistics.median(cpu) * 1000:5.0f} ms")
    return figures


def commands(file: str) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """The ``verify FILE`` command, the environment with bytecode cached and the one without."""
    cmd = [sys.executable, "-m", "badgekit", "verify", file, "--trust", str(TRUST)]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "badgekit-bench-pycache")
    source = {k: v for k, v in os.environ.items() if k != "PYTHONPYCACHEPREFIX"}
    source["PYTHONDONTWRITEBYTECODE"] = "1"
    return cmd, env, source


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", nargs="?", default=str(DEFAULT))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--importtime", action="store_true")
    args = parser.parse_args()
    measure(args.file, args.runs)
    cmd, env, _ = commands(args.file)
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

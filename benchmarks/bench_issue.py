#!/usr/bin/env python3
"""End-to-end bulk issuing: ``badgekit issue`` on generated rosters, as a user runs it (issue 18).

For each file system (the disk this checkout is on, and tmpfs) and worker count, the whole command
(CSV → validated → ledger → signed JSON files → issued.csv, ``--json`` output) is run on a small and
a large roster in fresh projects; the rate is Δrows / Δwall time between the two, so start-up
(interpreter, imports, project, key, worker pool) cancels out (with more than one worker the small
roster has at least ``PARALLEL_MIN_CHUNKS`` signing chunks, 384 rows, so that the command starts its
worker pool in both runs). Printed as credentials per second and
as the ratio to bare Ed25519 signing measured in the same run (one core); with ``--repeat``, the
median of the rounds. Peak RSS is of the largest process (the CLI or one worker). Beside it, the
same difference in CPU time (the command and the processes it waited for, from ``getrusage``):
CPU µs per credential without start-up, and its ratio to bare Ed25519 per CPU second, which a
busy neighbour on a shared machine changes far less than the wall-time rate.

``--modes files,jsonl`` also runs ``--output-mode jsonl`` (one JSON Lines file per run instead of
one file per credential). ``--bake png`` (or ``svg``, ``png,svg``) also bakes each credential into
the badge class's image (``issue --bake``), as the bundled example does; the images are counted too.

Usage: python3 benchmarks/bench_issue.py [--small 200] [--large 4000] [--workers 1,2] [--repeat 1]
                                         [--modes files,jsonl] [--bake png]
                                         [--disk DIR] [--tmpfs DIR]
"""

from __future__ import annotations

import argparse
import atexit
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_stages import BADGEKIT, SIGNED_CHUNK, make_project, write_roster  # noqa: E402

from badgekit.issuing._options import PARALLEL_MIN_CHUNKS  # noqa: E402
from badgekit.keys import Ed25519Key  # noqa: E402


def bare_ed25519_rate(seconds: float = 1.0) -> float:
    """Bare Ed25519 signatures of 64 bytes per second (wall time, one core)."""
    start = time.perf_counter()
    n = bare_ed25519_count(seconds)
    return n / (time.perf_counter() - start)


def bare_ed25519_count(seconds: float) -> int:
    """How many bare Ed25519 signatures of 64 bytes this process makes in ``seconds`` of wall time
    (divided by its CPU time: the rate per CPU second, which a busy neighbour does not lower)."""
    key, msg, n = Ed25519Key.from_seed(bytes(32)), bytes(64), 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            key.sign(msg)
        n += 100
    return n


#: CPU seconds and peak RSS (KiB) of the last run's processes (the CLI, and its workers), from /proc.
LAST_RUN: dict[str, float] = {}


def descendants(root: int) -> list[int]:
    """Every process below ``root`` (children, theirs, …), from Linux /proc (none elsewhere)."""
    parent: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    parent[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [], [root]
    while frontier:
        pid = frontier.pop()
        kids = [c for c, p in parent.items() if p == pid]
        found.extend(kids)
        frontier.extend(kids)
    return found


def sample(root: int) -> dict[int, tuple[float, int]]:
    """(CPU seconds so far, peak RSS in KiB) of ``root`` and every process below it (Linux /proc;
    nothing elsewhere). Sampled every 0.2 s, so a process's last 0.2 s may be missed."""
    found = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in (root, *descendants(root)):
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                peak = next((int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), 0)
            found[pid] = ((int(fields[11]) + int(fields[12])) / tick, peak)
        except (OSError, ValueError, IndexError):
            pass
    return found


_TEMPLATE: list[Path] = []


def new_project(root: Path) -> Path:
    """A copy of one project made by ``badgekit init`` (once per process, the same key) in the
    empty folder ``root``; returns its badge class file. Each run starts from an empty ledger."""
    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="badgekit-bench-template-"))
        atexit.register(shutil.rmtree, template, ignore_errors=True)
        _TEMPLATE.extend((template, make_project(template).relative_to(template)))
    shutil.copytree(_TEMPLATE[0], root, dirs_exist_ok=True)
    return root / _TEMPLATE[1]


def run_issue(base: Path, rows: int, workers: int, mode: str = "files", bake: str = "") -> tuple[float, int]:
    """Wall seconds of one ``badgekit issue`` of ``rows`` rows in a new project under ``base``,
    and the peak RSS (KiB) of any child so far."""
    root = Path(tempfile.mkdtemp(prefix="badgekit-bench-", dir=base))
    try:
        badge = new_project(root)
        roster = root / "roster.csv"
        write_roster(roster, rows)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([*BADGEKIT, "issue", str(roster), "--badge", str(badge), "--workers", str(workers),
                                     "--json", "--output-mode", mode, *(["--bake", bake] if bake else [])],
                                    cwd=root, stdout=subprocess.DEVNULL, stderr=err)
            seen: dict[int, tuple[float, int]] = {}
            while proc.poll() is None:
                for pid, (cpu, rss) in sample(proc.pid).items():  # an exited process shows its CPU, not its RSS
                    was = seen.get(pid, (0.0, 0))
                    seen[pid] = (max(cpu, was[0]), max(rss, was[1]))
                time.sleep(0.2)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # exact: the command and what it waited for
            if proc.returncode != 0:
                err.seek(0)
                print(err.read()[-2000:].decode(errors="replace"))
                raise SystemExit(f"issue failed with exit code {proc.returncode}")
        main_cpu = seen.get(proc.pid, (0.0, 0))[0]
        # exact CPU (user + system) of the command and the processes it waited for (not pool workers)
        LAST_RUN.update(cpu_waited=after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        LAST_RUN.update(cpu_main=main_cpu, cpu_others=sum(c for pid, (c, _) in seen.items() if pid != proc.pid),
                        peak_main=seen.get(proc.pid, (0.0, 0))[1], peak_other=max((r for pid, (_, r) in seen.items()
                                                                                  if pid != proc.pid), default=0))
        if mode == "jsonl":
            made = sum(f.read_bytes().count(b"\n") for f in (root / "out" / "runs").glob("*.jsonl"))
        else:
            made = sum(1 for _ in (root / "out").glob("*.json"))
        if made != rows:
            raise SystemExit(f"expected {rows} credential files, found {made}")
        for fmt in filter(None, bake.split(",")):
            images = sum(1 for _ in (root / "out").glob(f"*.{fmt}"))
            if images != rows:
                raise SystemExit(f"expected {rows} baked .{fmt} images, found {images}")
        return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        shutil.rmtree(root, ignore_errors=True)


def one_round(places: list[tuple[str, Path]], modes: list[str], workers: list[int], small: int, large: int,
              bake: str, results: dict[tuple[str, str, int], dict[str, list]]) -> int:
    """One round of every (place, mode, workers): the rate (Δrows/Δwall between ``small`` and
    ``large`` rows; NaN when the large run was not the slower: sizes too small), the large run's
    wall time, and both runs' CPU and peak RSS (``LAST_RUN``), appended to
    ``results[place, mode, workers]`` under "rates", "walls", "cpus" and "small_cpus". Returns the
    peak RSS (KiB) of any process started so far."""
    peak = 0
    for place, base in places:
        for mode in modes:
            for n in workers:
                tiny = small_for(small, large, n)
                first, _ = run_issue(base, tiny, n, mode, bake)
                small_cpu = dict(LAST_RUN)
                last, peak = run_issue(base, large, n, mode, bake)
                figures = results.setdefault((place, mode, n), {"rates": [], "walls": [], "cpus": [], "small_cpus": [],
                                                                "small": tiny})
                figures["cpus"].append(dict(LAST_RUN))
                figures["small_cpus"].append(small_cpu)
                figures["rates"].append((large - tiny) / (last - first) if last > first else math.nan)
                figures["walls"].append(last)
    return peak


def small_for(small: int, large: int, workers: int) -> int:
    """The small roster's rows for ``workers``: with more than one, enough signing chunks that the
    command starts its worker pool as the large run does (``PARALLEL_MIN_CHUNKS``; fewer are signed
    in the command's own process), so the pool's start-up (~0.2 s) cancels out of Δrows/Δtime like
    the rest of start-up; unchanged when the large roster is not larger than that (a smoke run)."""
    pooled = PARALLEL_MIN_CHUNKS * SIGNED_CHUNK
    return max(small, pooled) if workers > 1 and large > 2 * pooled else small


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--large", type=int, default=4000)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--modes", default="files", help="output modes to run: files, jsonl or files,jsonl")
    parser.add_argument("--bake", default="", help="also bake: png, svg or png,svg (issue --bake)")
    parser.add_argument("--disk", type=Path, default=Path(__file__).resolve().parent,
                        help="a folder on the disk (default: this checkout's benchmarks/)")
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None)
    args = parser.parse_args()
    workers = sorted({int(w) for w in args.workers.split(",")})
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    places = [("disk", args.disk), *([("tmpfs", args.tmpfs)] if args.tmpfs else [])]

    bares = [bare_ed25519_rate()]
    cpu_start = time.process_time()
    bare_cpu = sum(bare_ed25519_count(0.5) for _ in range(2)) / (time.process_time() - cpu_start)
    figures: dict[tuple[str, str, int], dict[str, list]] = {}
    peak = 0
    for _ in range(args.repeat):
        peak = one_round(places, modes, workers, args.small, args.large, args.bake, figures)
        bares.append(bare_ed25519_rate())
    results = {k: v["rates"] for k, v in figures.items()}
    walls = {k: v["walls"] for k, v in figures.items()}
    cpus = {k: v["cpus"] for k, v in figures.items()}
    bare = statistics.median(bares)
    pooled = sorted({small_for(args.small, args.large, n) for n in workers} - {args.small})
    print(f"badgekit issue end to end: Δrows/Δtime between {args.small:,} and {args.large:,} rows"
          + (f" ({pooled[0]:,} and {args.large:,} with a worker pool, so that its start-up cancels too)" if pooled else "")
          + f", median of {args.repeat}; bare Ed25519 sign {bare:,.0f}/s (one core, same run)")
    for (place, mode, n), rates in results.items():
        rate = statistics.median(rates)
        print(f"  {place:5} {mode:5} --workers {n}: {rate:7,.0f} credentials/s  {rate / bare:.3f} x bare Ed25519"
              f"  (rounds: {', '.join(f'{r:,.0f}' for r in rates)}; {args.large:,} rows in "
              f"{statistics.median(walls[place, mode, n]):.1f} s wall)")
        runs = cpus[place, mode, n]
        smalls = figures[place, mode, n]["small_cpus"]
        if runs and runs[0]:
            main_cpu = statistics.median(r["cpu_main"] for r in runs)
            others = statistics.median(r["cpu_others"] for r in runs)
            print(f"        CPU of the {args.large:,}-row run: {main_cpu + others:.1f} s in all ({main_cpu:.1f} s the CLI, "
                  f"{others:.1f} s its workers: {(main_cpu + others) / args.large * 1e6:.0f} µs per credential); "
                  f"peak RSS {max(r['peak_main'] for r in runs) / 1024:.0f} MiB the CLI, "
                  f"{max(r['peak_other'] for r in runs) / 1024:.0f} MiB a worker")
            delta = statistics.median((r["cpu_waited"] - t["cpu_waited"]) / (args.large - figures[place, mode, n]["small"])
                                      for r, t in zip(runs, smalls, strict=True))
            print(f"        ΔCPU/Δrows (start-up cancels out): {delta * 1e6:.0f} µs per credential = {1 / delta:,.0f} credentials "
                  f"per CPU second, {1 / delta / bare_cpu:.3f} x bare Ed25519 of CPU ({bare_cpu:,.0f}/s)")
    print(f"  peak RSS of any process this script started (badgekit init included): {peak / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()

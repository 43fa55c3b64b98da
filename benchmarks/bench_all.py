#!/usr/bin/env python3
"""Every figure issue 18 asks for, in one run, ending with one summary table (issue 18).

What is measured, each by the benchmark script that owns it (imported, not copied):

1. bare Ed25519 sign and verify of 64 bytes, one core (``bench_issue`` / ``bench_verify``): the
   kernel every other rate is divided by; measured before each section (a wall rate is divided by
   the round just before it, under the same load) and at the end; CPU µs: the median of the rounds;
2. where the time per credential goes, in process, CPU µs per credential beside the kernel:
   ``issue`` (``bench_stages``) and ``verify`` (``bench_verify --stages``), with the figures
   recorded before issue 18's work (``BEFORE``) as the "before" column;
3. ``badgekit issue`` end to end (``bench_issue``): the whole command on generated rosters,
   Δrows/Δwall between a small and a large roster (start-up cancels out), ``--workers`` 1 and 2, one
   file per credential and ``--output-mode jsonl``, on the disk and on tmpfs; ratio to bare sign;
4. ``badgekit verify`` end to end (``bench_verify``): the whole command on a folder of files and on
   one run file, ``--jsonl`` and the human one-line report, ``--workers`` 1 and 2, disk and tmpfs,
   start-up included; the rate by wall time and (one worker) by CPU time, ratio to bare verify;
5. cold start of ``badgekit verify badge.png`` (``verify_cold_start``), with and without bytecode;
6. RSS of a streaming run of ``--rows`` rows (default 1,000,000), every ``--every`` rows
   (``bench_memory``, in a process of its own so the figure is that of an issuing process), and
   whether it stays flat.

The ratios are what to compare between runs: this 2-core machine is shared and its load moves
absolute rates twofold. The goal column is issue 18's. ``--quick`` runs every section on tiny sizes
(a smoke test, seconds; its figures mean nothing). A section that fails is reported in the table
and the exit code is 1; the other sections still run.

Usage: python3 benchmarks/bench_all.py [--quick] [--rows 1000000] [--only issue,verify,...]
                                       [--json FILE] [--markdown] [--disk DIR] [--tmpfs DIR]
       (python3 benchmarks/bench_all.py --help lists every size)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_issue  # noqa: E402
import bench_stages  # noqa: E402
import bench_verify  # noqa: E402
import verify_cold_start  # noqa: E402

SECTIONS = ("bare", "stages", "issue", "verify", "cold", "memory")
TMPFS = Path("/dev/shm") if Path("/dev/shm").is_dir() else None

#: Issue 18's goals: ratios to bare Ed25519 on one core (load-independent), and absolute figures.
GOAL_ISSUE_RATIO, GOAL_ISSUE_RATE = 0.107, 3000
GOAL_VERIFY_RATIO, GOAL_VERIFY_RATE = 0.235, 2000
GOAL_COLD_MS = 200
GOAL_RSS_MIB = 300e6 / 2**20  # 300 MB in all
#: RSS is "flat" when the last report is within this of the first (allocator noise), MiB or share.
FLAT_MIB, FLAT_SHARE = 2.0, 0.02

#: Where the time per credential went before issue 18's work, CPU µs per credential (medians of 3,
#: bare Ed25519 in the same run), as docs/performance.md records them: ``bench_stages.py`` on 3,000
#: rows at d427e71, ``bench_verify.py --stages`` on 1,500 credentials at a7fc43f. Keys are the
#: benchmarks' labels; compare the ratios (µs / bare), not the µs.
BEFORE: dict[str, dict[str, Any]] = {
    "issue": {"code": "d427e71", "bare": 33.0, "whole": 426.0, "stages": {
        "CSV read + validation (pass 1)": 28.6, "roster pass 2 (re-read for signing)": 12.4,
        "ledger plan + reserve": 40.0, "credential build": 20.6, "size limits (check_signable)": 13.5,
        "canonicalisation (document + proof config)": 78.7, "hashing (SHA-256)": 4.7, "Ed25519 sign": 31.5,
        "base58 + proof assembly": 8.1, "JSON serialisation": 17.1, "file creation (tmpfs)": 48.7,
        "file creation (disk)": 407.0, "ledger mark issued": 13.5,
        "inter-process transfer (pickle both ways)": 26.2, "report output (issued.csv + --json rows)": 6.6}},
    "verify": {"code": "a7fc43f", "bare": 106.7, "whole": 786.8, "stages": {
        "read (open + read the file)": 63.2, "check parse": 94.7, "check schema": 51.6, "check contexts": 238.3,
        "check proof-structure": 28.3, "check issuer-key": 16.1, "check signature": 190.0,
        "check validity": 17.5, "check status": 31.7, "check endorsements": 39.8,
        "  walks of the whole document (bounds, safe mode, endorsements)": 159.6,
        "  canonicalisation: cache keys (json.dumps of the document)": 41.0,
        "  canonicalisation: RDFC-1.0 of the document": 95.6,
        "  canonicalisation: proof configuration (memoised)": 14.4, "  schema: jsonschema-rs": 43.6,
        "  Ed25519 verify": 121.3, "report: --jsonl line": 23.5, "report: human one-line (report_line)": 17.5}},
}


@dataclass
class Row:
    """One line of the summary table."""

    section: str
    what: str
    figure: str
    ratio: str = ""
    goal: str = ""
    met: str = ""  # "yes", "no" or ""


@dataclass
class Results:
    """The summary rows, the raw figures of each section (for ``--json``) and what failed."""

    rows: list[Row] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)

    def add(self, *args: str) -> None:
        self.rows.append(Row(*args))


def goal_met(value: float, goal: float, *, below: bool = False) -> str:
    return "yes" if (value < goal if below else value >= goal) else "no"


# -- sections ----------------------------------------------------------------------------------


def bare(args: argparse.Namespace, results: Results) -> None:
    """Bare Ed25519 (wall rates, one core; CPU µs too): one round, before each section and at the end."""
    rounds = results.data.setdefault("bare", {"sign_per_s": [], "verify_per_s": [], "sign_cpu_us": [],
                                              "verify_cpu_us": []})
    rounds["sign_per_s"].append(bench_issue.bare_ed25519_rate(args.bare_seconds))
    rounds["verify_per_s"].append(bench_verify.bare_ed25519_verify_rate(args.bare_seconds))
    rounds["sign_cpu_us"].append(bench_stages.bare_sign_us(args.bare_n))
    rounds["verify_cpu_us"].append(bench_verify.bare_verify_us(args.bare_n))
    print(f"bare Ed25519, one core: sign {rounds['sign_per_s'][-1]:,.0f}/s, verify {rounds['verify_per_s'][-1]:,.0f}/s "
          f"(CPU {rounds['sign_cpu_us'][-1]:.1f} / {rounds['verify_cpu_us'][-1]:.1f} µs)", flush=True)


def kernel(results: Results) -> dict[str, float]:
    """The divisors of the ratios: the wall rates of the last bare round (measured just before the
    section that divides by them, so under the same load) and the medians of the CPU µs so far."""
    rounds = results.data["bare"]
    return {"sign_per_s": rounds["sign_per_s"][-1], "verify_per_s": rounds["verify_per_s"][-1],
            "sign_cpu_us": statistics.median(rounds["sign_cpu_us"]),
            "verify_cpu_us": statistics.median(rounds["verify_cpu_us"])}


def stages(args: argparse.Namespace, results: Results) -> None:
    """Per-stage CPU µs per credential of issue and verify, beside the recorded "before"."""
    with bench_stages.scratch(args.tmpfs or Path(tempfile.gettempdir())) as root, bench_stages.scratch(args.disk) as disk:
        assert root is not None
        setup = bench_stages.Setup(root, args.stage_rows)
        sign_us = bench_stages.bare_sign_us(args.bare_n)
        table, whole = bench_stages.measure(setup, args.stage_repeat, disk)
    results.data["stages_issue"] = {"rows": args.stage_rows, "repeat": args.stage_repeat, "bare_us": sign_us,
                                    "stages_us": table, "whole_us": whole}
    print_stages("issue", table, whole, sign_us, f"{args.stage_rows:,} rows")
    corpus = verify_corpus(args, results)
    vtable, vwhole, verify_us, n = bench_verify.measure_stages(corpus["credentials"], corpus["status"], args.stage_repeat)
    results.data["stages_verify"] = {"credentials": n, "repeat": args.stage_repeat, "bare_us": verify_us,
                                     "stages_us": vtable, "whole_us": vwhole}
    print_stages("verify", vtable, vwhole, verify_us, f"{n:,} credentials")
    for name, kernel_name, whole_us, bare_us in (("issue", "sign", whole, sign_us), ("verify", "verify", vwhole, verify_us)):
        before = BEFORE[name]
        results.add("stages", f"{name}: whole run in process, 1 worker (CPU per credential)",
                    f"{whole_us:,.0f} µs = {1e6 / whole_us:,.0f}/s of CPU (before: {before['whole']:,.0f} µs)",
                    f"{bare_us / whole_us:.3f} x bare {kernel_name} (before: {before['bare'] / before['whole']:.3f})")


def print_stages(name: str, table: dict[str, float], whole: float, bare_us: float, size: str) -> None:
    before = BEFORE[name]
    kernel_name = "sign" if name == "issue" else "verify"
    print(f"\n{name}, where the time per credential goes ({size}, CPU µs, x = multiple of bare Ed25519 {kernel_name}; "
          f"before: code at {before['code']}, recorded in docs/performance.md)")
    print(f"  {'stage':64} {'before µs':>9} {'x':>6} {'now µs':>8} {'x':>6}")
    for label, now, was, was_bare in stage_rows(name, table, whole, bare_us):
        old = f"{was:9.1f} {was / was_bare:6.2f}" if was is not None else f"{'':9} {'':6}"
        print(f"  {label:64} {old} {now:8.1f} {now / bare_us:6.2f}")


def stage_rows(name: str, table: dict[str, float], whole: float,
               bare_us: float) -> list[tuple[str, float, float | None, float]]:
    """(label, now µs, before µs or None, before's bare µs) for each stage, the kernel first, the whole last."""
    before = BEFORE[name]
    kernel_label = f"bare Ed25519 {'sign' if name == 'issue' else 'verify'} of 64 bytes (the kernel)"
    rows: list[tuple[str, float, float | None, float]] = [(kernel_label, bare_us, before["bare"], before["bare"])]
    rows += [(label, us, before["stages"].get(label), before["bare"]) for label, us in table.items()]
    rows += [(label, 0.0, us, before["bare"]) for label, us in before["stages"].items() if label not in table]  # gone
    rows.append(("whole run in process (1 worker)", whole, before["whole"], before["bare"]))
    return rows


def verify_corpus(args: argparse.Namespace, results: Results) -> dict[str, Any]:
    """The credentials ``verify`` is measured on (made once, on tmpfs; not timed): a folder of
    ``--verify-files`` files, a run file of as many, and the status lists."""
    if "corpus" not in results.data:
        root = Path(tempfile.mkdtemp(prefix="badgekit-bench-all-", dir=args.tmpfs))
        args.cleanup.append(root)
        print(f"\nmaking the verify corpus: {args.verify_files:,} credentials one file each and {args.verify_files:,} "
              f"in one run file, in {root} (not timed)", flush=True)
        credentials, run_file, status = bench_verify.make_corpus(root, args.verify_files)
        results.data["corpus"] = {"root": root, "credentials": credentials, "run_file": run_file, "status": status,
                                  "count": sum(1 for _ in credentials.glob("*.json"))}
    return results.data["corpus"]


def issue(args: argparse.Namespace, results: Results) -> None:
    """``badgekit issue`` end to end: places x output modes x workers, ``--repeat`` rounds."""
    figures: dict[tuple[str, str, int], dict[str, list]] = {}
    peak = 0
    pooled = bench_issue.small_for(args.issue_small, args.issue_large, 2)
    print(f"\nbadgekit issue end to end: Δrows/Δwall between {args.issue_small:,} and {args.issue_large:,} rows "
          + (f"({pooled:,} and {args.issue_large:,} with --workers 2: its worker pool starts in both runs) "
             if pooled != args.issue_small else "")
          + f"(a new project each run), {args.repeat} round(s)", flush=True)
    for _ in range(args.repeat):
        peak = bench_issue.one_round(places(args), ["files", "jsonl"], [1, 2], args.issue_small, args.issue_large, "",
                                     figures)
    sign, sign_cpu = kernel(results)["sign_per_s"], 1e6 / kernel(results)["sign_cpu_us"]
    data = results.data["issue"] = {"small": args.issue_small, "large": args.issue_large, "peak_rss_kib": peak,
                                    "runs": {}}
    for (place, mode, n), fig in figures.items():
        form = "one file per credential" if mode == "files" else "--output-mode jsonl"
        measured = [r for r in fig["rates"] if not math.isnan(r)]
        if not measured:  # the large run was not slower than the small one: sizes too small to say
            results.add("issue", f"issue, {place}, {form}, --workers {n}", "n/a: --issue-large too small to measure")
            continue
        rate = statistics.median(measured)
        # One worker: Δrows/ΔCPU (user + system of the command, exact from rusage; steadier than wall
        # time on a loaded machine) against bare sign per CPU second. With pool workers not counted.
        cpu_rates = [(args.issue_large - args.issue_small) / (big["cpu_waited"] - tiny["cpu_waited"])
                     for big, tiny in zip(fig["cpus"], fig["small_cpus"], strict=True)
                     if big["cpu_waited"] > tiny["cpu_waited"]] if n == 1 else []
        cpu_rate = statistics.median(cpu_rates) if cpu_rates else 0.0
        data["runs"][f"{place} {mode} workers={n}"] = {**fig, "rate": rate, "ratio": rate / sign,
                                                       **({"cpu_rate": cpu_rate, "cpu_ratio": cpu_rate / sign_cpu}
                                                          if cpu_rate else {})}
        # Issue 18: the goal holds on one core in jsonl mode on the disk and in the default mode on tmpfs.
        asked = n == 1 and (place, mode) in {("disk", "jsonl"), ("tmpfs", "files")}
        cpu_text = f"; {cpu_rate:,.0f} per CPU s" if cpu_rate else ""
        ratio_text = f"{rate / sign:.3f} x bare sign" + (f" (CPU: {cpu_rate / sign_cpu:.3f})" if cpu_rate else "")
        print(f"  {place:5} {mode:5} --workers {n}: {rate:7,.0f}/s{cpu_text}, {ratio_text}; "
              f"rounds {', '.join(f'{r:,.0f}' for r in fig['rates'])}", flush=True)
        results.add("issue", f"issue, {place}, {form}, --workers {n}", f"{rate:,.0f}/s{cpu_text}", ratio_text,
                    f"≥ {GOAL_ISSUE_RATIO} x (≥ {GOAL_ISSUE_RATE:,}/s) by CPU" if asked else "",
                    goal_met((cpu_rate or rate) / (sign_cpu if cpu_rate else sign), GOAL_ISSUE_RATIO) if asked else "")
    runs = [c for fig in figures.values() for c in (*fig["cpus"], *fig["small_cpus"]) if c]
    if runs:  # sampled from /proc every 0.2 s while each command ran
        results.add("issue", "issue, peak RSS of a process (sampled)",
                    f"{max(c['peak_main'] for c in runs) / 1024:,.0f} MiB the CLI, "
                    f"{max(c['peak_other'] for c in runs) / 1024:,.0f} MiB a worker")


def places(args: argparse.Namespace) -> list[tuple[str, Path]]:
    return [("disk", args.disk), *([("tmpfs", args.tmpfs)] if args.tmpfs else [])]


def verify(args: argparse.Namespace, results: Results) -> None:
    """``badgekit verify`` end to end on the corpus, on tmpfs and on a copy on the disk."""
    corpus = verify_corpus(args, results)
    count, tmp_root = corpus["count"], corpus["root"]
    env = None
    if args.bytecode:
        compiled = Path(tempfile.mkdtemp(prefix="badgekit-bench-pyc-"))
        args.cleanup.append(compiled)
        env = bench_verify.bytecode_env(compiled)
    disk_root = Path(tempfile.mkdtemp(prefix="badgekit-bench-all-", dir=args.disk))
    args.cleanup.append(disk_root)
    shutil.copytree(tmp_root, disk_root, dirs_exist_ok=True)
    roots = {"tmpfs": tmp_root, "disk": disk_root} if args.tmpfs else {"disk": disk_root}
    kern = kernel(results)
    bare_wall, bare_cpu = kern["verify_per_s"], 1e6 / kern["verify_cpu_us"]
    workers = [1, 2] if bench_verify.supports_workers() else [1]
    compiled_text = "badgekit compiled to bytecode once, as installed" if args.bytecode else "bytecode as the environment says"
    print(f"\nbadgekit verify end to end: {count:,} credentials, whole command (start-up included), "
          f"medians of {args.repeat}; {compiled_text}", flush=True)
    data = results.data["verify"] = {"count": count, "bytecode": args.bytecode, "runs": {}}
    for place in ("disk", "tmpfs"):
        if place not in roots:
            continue
        root = roots[place]
        targets = {"folder": root / corpus["credentials"].relative_to(tmp_root),
                   "run file": root / corpus["run_file"].relative_to(tmp_root)}
        status = root / corpus["status"].relative_to(tmp_root)
        for form, target in targets.items():
            for output in ("jsonl", "human"):
                walls = bench_verify.end_to_end(root, target, status, count, workers, output, args.repeat, env)
                for n, (wall, cpu) in walls.items():
                    rate, cpu_rate = count / wall, count / cpu
                    label = f"{place} {form} {'--jsonl' if output == 'jsonl' else 'human'} workers={n}"
                    data["runs"][label] = {"wall_s": wall, "cpu_s": cpu, "rate": rate, "ratio": rate / bare_wall,
                                           **({"cpu_rate": cpu_rate, "cpu_ratio": cpu_rate / bare_cpu} if n == 1 else {})}
                    # Worker processes are the fork server's children, not the command's: CPU only with one worker.
                    cpu_text = f"; {cpu_rate:,.0f} per CPU s" if n == 1 else ""
                    ratio_text = f"{rate / bare_wall:.3f} x bare verify" + (
                        f" (CPU: {cpu_rate / bare_cpu:.3f})" if n == 1 else "")
                    print(f"  {label:42} {wall:6.2f} s, {rate:7,.0f}/s, {ratio_text}{cpu_text}", flush=True)
                    shown = "--jsonl" if output == "jsonl" else "human report"
                    results.add("verify", f"verify, {place}, {form}, {shown}, --workers {n}",
                                f"{rate:,.0f}/s{cpu_text}", ratio_text,
                                f"≥ {GOAL_VERIFY_RATIO} x (≥ {GOAL_VERIFY_RATE:,}/s) by CPU" if n == 1 else "",
                                goal_met(cpu_rate / bare_cpu, GOAL_VERIFY_RATIO) if n == 1 else "")


def cold(args: argparse.Namespace, results: Results) -> None:
    """Cold start of ``verify badge.png``: new processes, with and without badgekit's bytecode."""
    print(f"\ncold start: badgekit verify {verify_cold_start.DEFAULT.name}, new processes", flush=True)
    figures = verify_cold_start.measure(n=args.cold_runs)
    data = results.data["cold"] = {}
    for label, (wall, cpu) in figures.items():
        ms, cpu_ms = statistics.median(wall) * 1000, statistics.median(cpu) * 1000
        data[label] = {"wall_ms": [w * 1000 for w in wall], "cpu_ms": [c * 1000 for c in cpu], "median_wall_ms": ms}
        is_verify = label.startswith("verify")
        # Judged by CPU (user + system of the process), as the rates are: on a loaded machine the
        # wall time of a 150 ms process is mostly waiting for a core.
        results.add("cold", f"cold {'verify badge.png' if is_verify else label}{label[6:] if is_verify else ''}",
                    f"median {ms:,.0f} ms wall, {cpu_ms:,.0f} ms CPU ({args.cold_runs} runs)", "",
                    f"< {GOAL_COLD_MS} ms by CPU" if is_verify else "",
                    goal_met(cpu_ms, GOAL_COLD_MS, below=True) if is_verify else "")


def memory(args: argparse.Namespace, results: Results) -> None:
    """RSS every ``--every`` rows of a streaming run of ``--rows`` rows, in a process of its own."""
    out = Path(tempfile.mkdtemp(prefix="badgekit-bench-all-"))
    args.cleanup.append(out)
    cmd = [sys.executable, str(HERE / "bench_memory.py"), "--rows", str(args.rows), "--every", str(args.every),
           "--workers", str(args.memory_workers), "--json", str(out / "memory.json"),
           *(["--dir", str(args.tmpfs)] if args.tmpfs else [])]
    print(f"\nmemory: {' '.join(cmd[1:])}", flush=True)
    proc = subprocess.run(cmd, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench_memory.py failed with exit code {proc.returncode}")
    figures = json.loads((out / "memory.json").read_text(encoding="utf-8"))
    results.data["memory"] = figures
    reports = figures["reports"]
    first, last = reports[0][3] / 1024, reports[-1][3] / 1024
    growth = last - first
    flat = growth <= max(FLAT_MIB, FLAT_SHARE * first)
    who = "all processes" if args.memory_workers > 1 else "the issuing process"
    results.add("memory", f"RSS at {reports[-1][0]:,} rows, {who} (--workers {args.memory_workers})",
                f"{last:,.1f} MiB; {growth:+.1f} MiB since {reports[0][0]:,} rows "
                f"({figures['bytes_per_row']:+.1f} bytes/row): {'flat' if flat else 'NOT flat'}", "",
                f"flat, < {GOAL_RSS_MIB:.0f} MiB", "yes" if flat and last < GOAL_RSS_MIB else "no")
    results.add("memory", "  peak RSS of the issuing process (validation pass included)",
                f"{figures['peak_kib'] / 1024:,.0f} MiB; {figures['rows']:,} rows in {figures['seconds']:,.0f} s")


# -- the run -----------------------------------------------------------------------------------


def commit() -> str:
    def git(*cmd: str) -> str:
        return subprocess.run(["git", *cmd], cwd=HERE, capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"


def render(results: Results, meta: dict[str, Any], markdown: bool) -> str:
    rows = results.rows
    header = ("what", "result", "ratio (same run)", "goal (issue 18)", "met")
    cells = [header, *[(r.what, r.figure, r.ratio, r.goal, r.met) for r in rows]]
    lines = [f"badgekit benchmarks, one run: {meta['date']}, commit {meta['commit']}, {meta['cores']} cores, "
             f"load average {meta['load_start']} at the start, {meta['load_end']} at the end "
             f"(1 / 5 / 15 min); {meta['python']}; {meta['seconds']:,.0f} s in all",
             "sizes: issue {issue_small:,} -> {issue_large:,} rows, verify {verify_files:,} credentials, medians of {repeat}; "
             "stages {stage_rows:,} rows / {verify_files:,} credentials, medians of {stage_repeat}; cold start {cold_runs} "
             "runs; memory {rows:,} rows, RSS every {every:,}, --workers {memory_workers}".format(**meta["sizes"])
             + (" (--quick: a smoke test, the figures mean nothing)" if meta["quick"] else "")]
    if markdown:
        lines.append("")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells[:1]]
        lines.append("|---|---|---|---|---|")
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells[1:]]
        for name in ("issue", "verify"):
            data = results.data.get(f"stages_{name}")
            if data:
                before = BEFORE[name]
                lines += ["", f"Where the time per {'issued' if name == 'issue' else 'verified'} credential goes (CPU µs per credential, x = multiple of "
                          f"bare Ed25519 {'sign' if name == 'issue' else 'verify'}; before: code at {before['code']}):", "",
                          "| stage | before µs | x | now µs | x |", "|---|---:|---:|---:|---:|"]
                for label, now, was, was_bare in stage_rows(name, data["stages_us"], data["whole_us"], data["bare_us"]):
                    old = f"{was:,.1f} | {was / was_bare:.2f}" if was is not None else " | "
                    shown = "of which: " + label.strip() if label.startswith("  ") else label
                    lines.append(f"| {shown} | {old} | {now:,.1f} | {now / data['bare_us']:.2f} |")
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    for i, row in enumerate(cells):
        lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    lines.append("Ratios are to bare Ed25519 (one core) measured in this run (wall: the round just before the section, "
                 "under the same load); compare ratios between runs. Issue: "
                 "Δrows/Δtime between the two rosters (start-up cancels); verify: the whole command, start-up included. "
                 "'CPU' and 'by CPU': user + system time of the command (one worker) or of the new process, against "
                 "bare Ed25519 per CPU second; steadier than wall time on a loaded machine, so the goals are judged on it.")
    return "\n".join(lines)


#: The stages the README's short table shows: (issue label, shown as), (verify label, shown as).
README_STAGES = [
    (("CSV read + validation (pass 1)", "CSV, validation"), ("read (open + read the file)", "read")),
    (("ledger plan + reserve", "ledger plan + reserve"), ("check parse", "parse")),
    (("credential build", "credential build"), ("check schema", "schema")),
    (("canonicalisation (document + proof config)", "canonicalisation"), ("check contexts", "contexts (RDFC-1.0)")),
    (("Ed25519 sign", "Ed25519 sign"), ("check signature", "signature (Ed25519 incl.)")),
    (("JSON serialisation", "JSON serialisation"),
     ("  walks of the whole document (bounds, safe mode, endorsements)", "walks of the document")),
    (("file creation (tmpfs)", "file creation (tmpfs)"), ("check status", "status list")),
    (("file creation (disk)", "file creation (disk)"), ("report: --jsonl line", "`--jsonl` line")),
]


def readme_tables(data: dict[str, Any], meta: dict[str, Any]) -> str:
    """The README's Performance section: one-worker figures by CPU beside the goals, and where the
    time per credential goes before and now (what a section did not measure is left out)."""
    def cpu_row(what: str, run: dict[str, Any] | None, goal: float | None, note: str = "") -> str:
        if not run or "cpu_rate" not in run:
            return ""
        met = (" **met**" if run["cpu_ratio"] >= goal else " not met") if goal else ""
        return (f"| {what} | {run['cpu_rate']:,.0f} ({run['rate']:,.0f}) | {run['cpu_ratio']:.3f} | "
                f"{f'≥ {goal}' if goal else ''}{met}{note} |")

    rounds = data.get("bare", {})
    lines = [f"Measured with `benchmarks/bench_all.py` ({meta['date']}, commit {meta['commit']}, load average "
             f"{meta['load_start'].split(' / ')[0]}–{meta['load_end'].split(' / ')[0]}); one worker, per CPU second "
             "(per wall second in brackets), ratio to bare Ed25519 per CPU second in the same run:", "",
             "| one worker | per CPU s (wall) | x bare Ed25519 | issue 18's goal |", "|---|---:|---:|---|"]
    if rounds:
        lines.append(f"| bare Ed25519 sign / verify of 64 bytes | {1e6 / statistics.median(rounds['sign_cpu_us']):,.0f} / "
                     f"{1e6 / statistics.median(rounds['verify_cpu_us']):,.0f} | 1 | |")
    issue_runs = data.get("issue", {}).get("runs", {})
    verify_runs = data.get("verify", {}).get("runs", {})
    files = data.get("verify", {}).get("count", 0)
    lines += [row for row in (
        cpu_row("`issue`, one file per credential, tmpfs", issue_runs.get("tmpfs files workers=1"), GOAL_ISSUE_RATIO),
        cpu_row("`issue --output-mode jsonl`, disk", issue_runs.get("disk jsonl workers=1"), GOAL_ISSUE_RATIO),
        cpu_row("`issue`, one file per credential, disk", issue_runs.get("disk files workers=1"), None,
                "bound by file creation"),
        cpu_row(f"`verify FOLDER --jsonl` ({files:,} files)", verify_runs.get("disk folder --jsonl workers=1"),
                GOAL_VERIFY_RATIO),
        cpu_row("`verify FOLDER` (one line per file)", verify_runs.get("disk folder human workers=1"), GOAL_VERIFY_RATIO),
        cpu_row(f"`verify RUN.jsonl --jsonl` ({files:,} lines)", verify_runs.get("disk run file --jsonl workers=1"),
                GOAL_VERIFY_RATIO)) if row]
    cold = data.get("cold", {})
    if "verify, with bytecode" in cold:
        ms = [statistics.median(cold[k]["cpu_ms"]) for k in ("verify, with bytecode", "verify, without badgekit bytecode")]
        wall = [cold[k]["median_wall_ms"] for k in ("verify, with bytecode", "verify, without badgekit bytecode")]
        met = " / ".join("**met**" if m < GOAL_COLD_MS else "not met" for m in ms)
        lines.append(f"| cold `verify badge.png`, with / without bytecode | {ms[0]:.0f} / {ms[1]:.0f} ms CPU "
                     f"({wall[0]:.0f} / {wall[1]:.0f} ms wall) | | < {GOAL_COLD_MS} ms: {met} |")
    memory = data.get("memory")
    if memory:
        first, last = memory["reports"][0], memory["reports"][-1]
        growth = (last[3] - first[3]) / 1024
        flat = growth <= max(FLAT_MIB, FLAT_SHARE * first[3] / 1024) and last[3] / 1024 < GOAL_RSS_MIB
        lines.append(f"| RSS, {last[0]:,} rows, {memory['workers']} workers, all processes | {last[3] / 1024:.0f} MiB, "
                     f"{growth:+.1f} MiB from {first[0]:,} rows on | | flat, < 300 MB: {'**met**' if flat else 'not met'} |")
    issue_stages, verify_stages = data.get("stages_issue"), data.get("stages_verify")
    if issue_stages and verify_stages:
        lines += ["", "Where the time per credential goes (CPU µs in process; x = multiple of bare Ed25519 in the same "
                  "run), before issue 18's work and now:", "",
                  "| `issue`, 1 worker, tmpfs | before | now | `verify`, 1 worker, `--jsonl` | before | now |",
                  "|---|---:|---:|---|---:|---:|"]

        def cells(name: str, stages: dict[str, Any], label: str | None) -> tuple[str, str]:
            before = BEFORE[name]
            was = before["whole"] if label is None else before["stages"].get(label)
            now = stages["whole_us"] if label is None else stages["stages_us"].get(label)
            return (f"{was:,.0f} ({was / before['bare']:.2f}x)" if was is not None else "",
                    f"{now:,.0f} ({now / stages['bare_us']:.2f}x)" if now is not None else "")

        for (ilabel, ishown), (vlabel, vshown) in README_STAGES:
            lines.append(f"| {ishown} | {' | '.join(cells('issue', issue_stages, ilabel))} | {vshown} | "
                         f"{' | '.join(cells('verify', verify_stages, vlabel))} |")
        iw, vw = cells("issue", issue_stages, None), cells("verify", verify_stages, None)
        lines.append(f"| **whole run** | {iw[0]} | **{iw[1]}** | **whole loop** | {vw[0]} | **{vw[1]}** |")
    return "\n".join(lines)


def report(results: Results, meta: dict[str, Any], markdown: bool) -> None:
    print("\n" + render(results, meta, markdown=False))
    if markdown:
        print("\n" + render(results, meta, markdown=True))
        print("\nThe README's Performance section:\n\n" + readme_tables(results.data, meta))


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of every section (seconds)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"sections to run (default all: {','.join(SECTIONS)})")
    parser.add_argument("--rows", type=int, default=None, help="memory: rows of the streaming run (default 1,000,000)")
    parser.add_argument("--every", type=int, default=None, help="memory: RSS every N rows (default --rows / 10)")
    parser.add_argument("--memory-workers", type=int, default=2, help="memory: --workers of the run (default 2)")
    parser.add_argument("--issue-small", type=int, default=None, help="issue: small roster (default 200)")
    parser.add_argument("--issue-large", type=int, default=None, help="issue: large roster (default 4,000)")
    parser.add_argument("--verify-files", type=int, default=None, help="verify: credentials (default 5,000)")
    parser.add_argument("--repeat", type=int, default=None, help="end-to-end runs per figure, median (default 3)")
    parser.add_argument("--stage-rows", type=int, default=None, help="stages: issue roster rows (default 3,000)")
    parser.add_argument("--stage-repeat", type=int, default=None, help="stages: rounds, median (default 3)")
    parser.add_argument("--cold-runs", type=int, default=None, help="cold start: processes each (default 15)")
    parser.add_argument("--no-bytecode", dest="bytecode", action="store_false",
                        help="verify end to end from the source tree as the environment says (default: a copy "
                             "compiled to bytecode once, as an installed package)")
    parser.add_argument("--disk", type=Path, default=HERE, help="a folder on the disk (default: this benchmarks/)")
    parser.add_argument("--tmpfs", type=Path, default=TMPFS, help="a folder on tmpfs (default /dev/shm)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file as JSON")
    parser.add_argument("--markdown", action="store_true",
                        help="also print the summary as docs/performance.md's tables and the README's short table")
    parser.add_argument("--render", type=Path, default=None, metavar="FILE.json",
                        help="measure nothing: print the tables of a run saved with --json (with --markdown, as Markdown)")
    args = parser.parse_args(argv)
    quick = {"rows": 2000, "issue_small": 5, "issue_large": 150, "verify_files": 20, "repeat": 1, "stage_rows": 64,
             "stage_repeat": 1, "cold_runs": 2, "bare_seconds": 0.1, "bare_n": 200}
    full = {"rows": 1_000_000, "issue_small": 200, "issue_large": 4000, "verify_files": 5000, "repeat": 3,
            "stage_rows": 3000, "stage_repeat": 3, "cold_runs": 15, "bare_seconds": 1.0, "bare_n": 3000}
    for name, value in (quick if args.quick else full).items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)
    args.every = args.every or max(1, args.rows // 10)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(args.only) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    args.cleanup = []
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.render is not None:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        results = Results([Row(**row) for row in saved["summary"]], saved["figures"], saved["failed"])
        report(results, saved["meta"], args.markdown)
        return 1 if results.failed else 0
    started, load_start = time.perf_counter(), load()
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit(), "cores": os.cpu_count(),
            "load_start": load_start, "python": f"Python {platform.python_version()}", "quick": args.quick,
            "sizes": {k: getattr(args, k) for k in ("rows", "every", "memory_workers", "issue_small", "issue_large",
                                                     "verify_files", "repeat", "stage_rows", "stage_repeat", "cold_runs")},
            "disk": str(args.disk), "tmpfs": str(args.tmpfs)}
    print(f"badgekit benchmarks, {'--quick (figures mean nothing)' if args.quick else 'full'}: sections "
          f"{', '.join(args.only)}; commit {meta['commit']}; load average {load_start}", flush=True)
    results = Results()
    steps: list[tuple[str, Callable[[argparse.Namespace, Results], None]]] = []
    for name, fn in (("stages", stages), ("issue", issue), ("verify", verify), ("cold", cold), ("memory", memory)):
        if name in args.only:  # bare Ed25519 again before each section: its wall ratios divide by it
            steps += [("bare", bare), (name, fn)]
    steps.append(("bare", bare))
    try:
        for name, fn in steps:
            try:
                fn(args, results)
            except (Exception, SystemExit) as exc:  # a section broken by a code change: say so, run the others
                traceback.print_exc()
                results.failed.append(name)
                results.add(name, f"{name}: FAILED", f"{type(exc).__name__}: {str(exc)[:150]}")
                if name == "bare":
                    break
    finally:
        for path in args.cleanup:
            shutil.rmtree(path, ignore_errors=True)
    if "bare" in results.data and "bare" not in results.failed:
        kern, rounds = kernel(results), results.data["bare"]

        def spread(name: str) -> str:
            values = rounds[name]
            return f"median {statistics.median(values):,.0f}/s ({min(values):,.0f}–{max(values):,.0f} in {len(values)} rounds)"

        results.rows[:0] = [
            Row("bare", "bare Ed25519 sign of 64 bytes, one core", f"{spread('sign_per_s')}; "
                f"CPU {kern['sign_cpu_us']:.1f} µs = {1e6 / kern['sign_cpu_us']:,.0f} per CPU s", "1"),
            Row("bare", "bare Ed25519 verify of 64 bytes, one core", f"{spread('verify_per_s')}; "
                f"CPU {kern['verify_cpu_us']:.1f} µs = {1e6 / kern['verify_cpu_us']:,.0f} per CPU s", "1")]
    meta.update(load_end=load(), seconds=time.perf_counter() - started)
    report(results, meta, args.markdown)
    if args.json is not None:
        payload = {"meta": meta, "summary": [asdict(r) for r in results.rows], "failed": results.failed,
                   "figures": {k: v for k, v in results.data.items() if k != "corpus"}}
        args.json.write_text(json.dumps(payload, indent=1, default=str) + "\n", encoding="utf-8")
    if results.failed:
        print(f"FAILED sections: {', '.join(results.failed)}", file=sys.stderr)
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())

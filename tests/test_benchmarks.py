"""``benchmarks/bench_all.py`` runs every section on tiny sizes (``--quick``) and says what it
measured, so the one-run benchmark of issue 18 cannot rot while the code it measures changes.
Nothing here is timed: only that each figure is produced, in the table and as data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH_ALL = ROOT / "benchmarks" / "bench_all.py"


def _bench_all(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict]:
    disk, tmpfs = tmp_path / "disk", tmp_path / "tmpfs"
    disk.mkdir(exist_ok=True)
    tmpfs.mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    out = tmp_path / "figures.json"
    proc = subprocess.run([sys.executable, str(BENCH_ALL), "--quick", "--disk", str(disk), "--tmpfs", str(tmpfs),
                           "--json", str(out), *args], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=840)
    return proc, json.loads(out.read_text(encoding="utf-8")) if out.is_file() else {}


@pytest.mark.slow
@pytest.mark.timeout(900)  # ~30 s on a quiet machine; minutes when other test runs fill both cores
def test_quick_run_prints_every_figure_of_issue_18_in_one_table_and_as_data(tmp_path):
    proc, data = _bench_all(tmp_path, "--markdown")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert data["failed"] == []
    what = [row["what"] for row in data["summary"]]
    assert what[:2] == ["bare Ed25519 sign of 64 bytes, one core", "bare Ed25519 verify of 64 bytes, one core"]
    for place in ("disk", "tmpfs"):
        for n in (1, 2):
            for form in ("one file per credential", "--output-mode jsonl"):
                assert f"issue, {place}, {form}, --workers {n}" in what
            for target in ("folder", "run file"):
                for output in ("--jsonl", "human report"):
                    assert f"verify, {place}, {target}, {output}, --workers {n}" in what
    assert {"cold verify badge.png, with bytecode", "cold verify badge.png, without badgekit bytecode"} <= set(what)
    memory = data["figures"]["memory"]
    assert memory["rows"] == 2000 and [r[0] for r in memory["reports"]][-1] == 2000
    assert any(w.startswith("RSS at 2,000 rows, all processes") for w in what)
    # where the time goes: every stage of both paths, now beside before
    assert {"Ed25519 sign", "file creation (disk)", "ledger plan + reserve"} <= set(data["figures"]["stages_issue"]["stages_us"])
    assert {"check signature", "check contexts"} <= set(data["figures"]["stages_verify"]["stages_us"])
    # the plain table, then the Markdown tables docs/performance.md shows
    assert "  what  " in proc.stdout and "| what | result | ratio (same run) | goal (issue 18) | met |" in proc.stdout
    assert "| stage | before µs | x | now µs | x |" in proc.stdout
    assert "| whole run in process (1 worker) | 786.8 | 7.37 |" in proc.stdout
    assert "| one worker | per CPU s (wall) | x bare Ed25519 | issue 18's goal |" in proc.stdout  # the README's
    assert "| **whole run** |" in proc.stdout
    # the same tables again from the saved figures, measuring nothing
    again = subprocess.run([sys.executable, str(BENCH_ALL), "--render", str(tmp_path / "figures.json"), "--markdown"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60)
    assert again.returncode == 0, again.stderr[-2000:]
    tables = proc.stdout[proc.stdout.rindex("badgekit benchmarks, one run:"):]
    assert tables in again.stdout


def test_a_section_that_fails_is_reported_the_others_still_run_and_the_exit_code_is_1(tmp_path):
    proc, data = _bench_all(tmp_path, "--only", "cold,memory", "--tmpfs", str(tmp_path / "no such folder"))
    assert proc.returncode == 1
    assert data["failed"] == ["memory"]
    what = [row["what"] for row in data["summary"]]
    assert "memory: FAILED" in what and "cold verify badge.png, with bytecode" in what
    assert "FAILED sections: memory" in proc.stderr


def test_the_small_roster_of_a_pooled_run_starts_the_worker_pool_too():
    # Δrows/Δtime cancels start-up only if both runs pay it: with --workers 2 the small roster
    # must reach PARALLEL_MIN_CHUNKS signing chunks, or its rows are signed in the command's own
    # process and the large run alone pays the pool's start-up (~0.2 s: ~15 % of the 2-worker rate)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_issue
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    from badgekit.issuing._options import PARALLEL_MIN_CHUNKS

    chunks = lambda rows: -(-rows // bench_issue.SIGNED_CHUNK)  # noqa: E731
    assert chunks(200) < PARALLEL_MIN_CHUNKS  # the default small roster alone would not start it
    assert chunks(bench_issue.small_for(200, 4000, 2)) >= PARALLEL_MIN_CHUNKS
    assert bench_issue.small_for(200, 4000, 1) == 200  # one worker: no pool, nothing to cancel
    assert bench_issue.small_for(5, 150, 2) == 5  # a smoke run's sizes are left as they are

#!/usr/bin/env python3
"""End-to-end verification: ``badgekit verify`` as a CI job or a registrar runs it on the
credentials of one issuing run (issue 18).

Set-up (not timed): a badge project, ``--files`` credentials issued with ``badgekit issue`` one
file per credential, as many again issued into one JSON Lines run file (``--output-mode jsonl``),
and the issuer's published status lists.

End to end (default): the whole ``badgekit verify … --status-list …`` command (process start,
reading every file, checks 1-11 including the status list, the output), for each worker count,
on the folder of files and on the run file, with ``--jsonl`` and with the human report (one line
per file and a summary). Printed: credentials verified per second, start-up included, by wall time
and, with one worker, by CPU time (user + system of the command: steadier than wall time on a
loaded machine), each with its ratio to bare Ed25519 verification measured in the same run (one core);
medians of ``--repeat`` runs. Every report must say "valid".

``--stages``: where the time per credential goes, in process (CPU µs per credential, medians of
``--repeat`` rounds over the folder): each numbered check as the verifier runs it (``Run.guarded``
timed), the parts of them that matter (reading, the JSON walks, canonicalisation, schema,
Ed25519), the report output, and the whole ``verify_paths`` loop with ``--jsonl`` output, beside
bare Ed25519 verification of 64 bytes.

``--bytecode``: the commands import a copy of badgekit compiled to bytecode once (as an installed
package has it), even where ``PYTHONDONTWRITEBYTECODE`` is set. ``--corpus DIR`` keeps the corpus there and reuses it on the next run (``--files`` is then what
the folder holds), so two versions of the code can be measured back to back on the same files
(``PYTHONPATH`` chooses the code the commands run).

Usage: python benchmarks/bench_verify.py [--files 5000] [--workers 1,2] [--repeat 3] [--stages]
                                         [--modes files,jsonl] [--outputs jsonl,human] [--bytecode] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
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


def bare_verify_us(n: int = 3000) -> float:
    """CPU µs per bare Ed25519 verification of 64 bytes, median of 5 rounds."""
    key, msg = Ed25519Key.from_seed(bytes(32)), bytes(64)
    sig, public = key.sign(msg), key.public_key
    rounds = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(n):
            verify_signature(public, sig, msg)
        rounds.append((time.process_time() - start) / n * 1e6)
    return statistics.median(rounds)


def supports_workers() -> bool:
    out = subprocess.run([*BADGEKIT, "verify", "--help"], capture_output=True, text=True).stdout
    return "--workers" in out


def make_corpus(root: Path, files: int) -> tuple[Path, Path, Path]:
    """``files`` credentials one file each (a folder), as many in one run file, and the status lists."""
    badge = make_project(root)
    workers = str(os.cpu_count() or 1)
    for n, mode in enumerate(("files", "jsonl")):
        roster = root / f"roster-{mode}.csv"
        write_roster(roster, files, start=n * files)
        subprocess.run([*BADGEKIT, "issue", str(roster), "--badge", str(badge), "--workers", workers,
                        "--output-mode", mode], cwd=root, check=True, capture_output=True)
    subprocess.run([*BADGEKIT, "status", "publish"], cwd=root, check=True, capture_output=True)
    out = root / "out"
    credentials = out / "credentials"
    credentials.mkdir()
    for f in out.glob("*.json"):
        f.rename(credentials / f.name)
    run_file = next((out / "runs").glob("*.jsonl"))
    return credentials, run_file, out / "status"


# -- end to end ------------------------------------------------------------------------------


def bytecode_env(root: Path) -> dict[str, str]:
    """An environment whose ``badgekit`` commands import a copy of the badgekit package they would
    import, with every module compiled to bytecode (as an installed package has it), whatever
    ``PYTHONDONTWRITEBYTECODE`` says (this VM sets it: each start compiles every module again)."""
    where = subprocess.run([sys.executable, "-c", "import badgekit, os; print(os.path.dirname(badgekit.__file__))"],
                           cwd=root, check=True, capture_output=True, text=True).stdout.strip()  # not this folder's
    shutil.copytree(where, root / "badgekit", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "badgekit")], check=True)
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def end_to_end(root: Path, target: Path, status: Path, count: int, workers: list[int], output: str,
               repeat: int, env: dict[str, str] | None = None) -> dict[int, tuple[float, float]]:
    """Median wall seconds and median CPU seconds (user + system of the command and its workers)."""
    walls: dict[int, tuple[float, float]] = {}
    for n in workers:
        times, cpus = [], []
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            cmd = [*BADGEKIT, "verify", str(target), "--status-list", str(status), "--workers", str(n)]
            if output == "jsonl":
                cmd.append("--jsonl")
            start = time.perf_counter()
            proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            lines = proc.stdout.splitlines()
            if output == "jsonl":
                verdicts = [json.loads(line)["verdict"] for line in lines]
            else:
                verdicts = ["valid" if line.startswith("✓ VALID") else line for line in lines]
            if proc.returncode != 0 or len(verdicts) != count or set(verdicts) != {"valid"}:
                print(proc.stderr[-2000:])
                raise SystemExit(f"verify failed (exit {proc.returncode}, {len(verdicts)} reports)")
        walls[n] = (statistics.median(times), statistics.median(cpus))
    return walls


# -- per stage -------------------------------------------------------------------------------

clock = time.process_time


class Timers:
    """CPU seconds per label, summed over a round."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def add(self, label: str, seconds: float) -> None:
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                self.add(label, clock() - start)

        return timed


@contextlib.contextmanager
def patched(timers: Timers, targets: list[tuple[Any, str, str]]) -> Iterator[None]:
    """Time calls of ``owner.name`` under ``label`` (a target the code no longer has is skipped)."""
    saved = []
    for owner, name, label in targets:
        fn = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if fn is None:
            continue
        saved.append((owner, name, fn))
        wrapped = timers.wrap(label, fn.__func__ if isinstance(fn, staticmethod) else fn)
        setattr(owner, name, staticmethod(wrapped) if isinstance(fn, staticmethod) else wrapped)
    try:
        yield
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def stage_targets() -> list[tuple[Any, str, str]]:
    """The functions whose time is shown as the parts of the checks (where they exist)."""
    import badgekit._io
    import badgekit.jsonld
    import badgekit.limits
    from badgekit import _envelope, cryptosuites, proof, schema
    from badgekit.verify import _canon, _checks_document, _endorsements, _state, _verifier

    walks = "  walks of the whole document (bounds, safe mode, endorsements)"
    return [
        (_verifier, "read_bounded", "read (open + read the file)"),
        (badgekit._io, "json_depth", walks),
        (_envelope, "count_values", walks),
        (badgekit.limits, "count_objects", walks),
        (_canon, "count_objects", walks),
        (badgekit.jsonld, "json_form_problem", walks),
        (_checks_document, "_embedded_context_problem", walks),
        (_endorsements, "find_endorsements", walks),
        (badgekit._io, "json_shape", walks),
        (_envelope, "json_shape", walks),
        (_state, "count_objects", walks),
        (_canon.CanonCache, "key", "  canonicalisation: cache keys (json.dumps of the document)"),
        (badgekit.jsonld, "canonize", "  canonicalisation: RDFC-1.0 of the document"),
        (proof, "_canonical_config", "  canonicalisation: proof configuration (memoised)"),
        (schema, "validate_credential", "  schema: jsonschema-rs"),
        (cryptosuites, "verify_signature", "  Ed25519 verify"),
    ]


def one_stage_round(paths: list[Path], options: Any, timers: Timers) -> None:
    from badgekit.cli import verify as cli_verify
    from badgekit.verify import _paths, _state

    reports = []
    guarded = _state.Run.guarded

    def timed_guarded(run: Any, check_id: str, fn: Callable[[Any], None]) -> None:
        start = clock()
        try:
            guarded(run, check_id, fn)
        finally:
            if not run.endorsement:
                timers.add(f"check {check_id}", clock() - start)

    _state.Run.guarded = timed_guarded  # type: ignore[method-assign]
    try:
        with patched(timers, stage_targets()):
            for p in paths:
                reports.append(_paths._verify_unit(p, options))
    finally:
        _state.Run.guarded = guarded  # type: ignore[method-assign]
    assert {r.verdict for r in reports} == {"valid"}, {r.verdict for r in reports}
    sink = io.StringIO()
    start = clock()
    for r in reports:
        sink.write(jsonl_line(r) + "\n")
    timers.add("report: --jsonl line", clock() - start)
    start = clock()
    for r in reports:
        sink.write(cli_verify.report_line(r) + "\n")
    timers.add("report: human one-line (report_line)", clock() - start)


def jsonl_line(report: Any) -> str:
    """The ``--jsonl`` line of a report, as the CLI writes it (``to_json_line``, or before it
    existed ``json.dumps`` of ``to_dict``)."""
    if hasattr(report, "to_json_line"):
        return str(report.to_json_line())
    return json.dumps(report.to_dict(), ensure_ascii=False)


def whole_round(paths: list[Path], options: Any) -> float:
    from badgekit.verify import verify_paths

    sink = io.StringIO()
    start = clock()
    for report in verify_paths(paths, options, workers=1):
        sink.write(jsonl_line(report) + "\n")
    return clock() - start


def stages(credentials: Path, status: Path, repeat: int) -> None:
    table, whole, bare, n = measure_stages(credentials, status, repeat)
    print(f"verify, per stage: {n:,} credentials (one file each), median of {repeat}, CPU µs per credential "
          "(x = multiple of bare Ed25519 verify)")
    print(f"  {'bare Ed25519 verify (64 bytes)':62} {bare:8.1f} µs   1.00 x")
    for label, us in table.items():
        print(f"  {label:62} {us:8.1f} µs {us / bare:6.2f} x")
    print(f"  {'whole loop in process (verify_paths + --jsonl lines, 1 worker)':62} {whole:8.1f} µs {whole / bare:6.2f} x"
          f"  = {1e6 / whole:,.0f} credentials/s of CPU, {bare / whole:.3f} of bare Ed25519 verify")


def measure_stages(credentials: Path, status: Path, repeat: int) -> tuple[dict[str, float], float, float, int]:
    """CPU µs per credential of each stage (in the order a credential meets them), of the whole
    loop, of bare Ed25519 verify, and the number of credentials."""
    from badgekit import status as status_mod
    from badgekit.jsonld import import_pyld_without_http
    from badgekit.verify import VerifyOptions, expand_paths

    import_pyld_without_http()
    paths = expand_paths([credentials])
    n = len(paths)

    def options() -> Any:  # a fresh per-run memo each round, and one clock per run, as each CLI run has
        return VerifyOptions(at=datetime.now(UTC).replace(microsecond=0),
                             status_lists=status_mod.load_status_lists([str(status)]))

    whole_round(paths[:50], options())  # warm: contexts processed, schema compiled, modules loaded
    rounds: dict[str, list[float]] = {}
    wholes = []
    for _ in range(repeat):
        timers = Timers()
        one_stage_round(paths, options(), timers)
        for label, seconds in timers.seconds.items():
            rounds.setdefault(label, []).append(seconds)
        wholes.append(whole_round(paths, options()))
    bare = statistics.median([bare_verify_us(), bare_verify_us()])
    order = ["read (open + read the file)", *[f"check {c}" for c in (
        "parse", "schema", "contexts", "proof-structure", "issuer-key", "signature", "validity", "status", "trust",
        "recipient", "endorsements")]]
    labels = order + sorted(k for k in rounds if k not in order)
    table = {label: statistics.median(rounds[label]) / n * 1e6 for label in labels if label in rounds}
    return table, statistics.median(wholes) / n * 1e6, bare, n


# ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--workers", default=f"1,{os.cpu_count() or 1}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the median is printed")
    parser.add_argument("--modes", default="files,jsonl", help="files (a folder), jsonl (one run file)")
    parser.add_argument("--outputs", default="jsonl,human", help="jsonl (--jsonl), human (one line per file)")
    parser.add_argument("--stages", action="store_true", help="per-stage CPU µs per credential, in process")
    parser.add_argument("--dir", type=Path, default=None, help="where to make the corpus (default: the temp folder)")
    parser.add_argument("--bytecode", action="store_true",
                        help="commands read compiled bytecode of badgekit (as installed); default: as the environment says")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="keep the corpus in this folder and reuse it when it is there (before/after runs on the same files)")
    args = parser.parse_args()
    workers = sorted({int(w) for w in args.workers.split(",")})
    if not supports_workers():
        workers = [1]

    keep = args.corpus is not None
    compiled_copy: Path | None = None
    root = args.corpus if keep else Path(tempfile.mkdtemp(prefix="badgekit-bench-verify-", dir=args.dir))
    try:
        if keep and (root / "out" / "credentials").is_dir():
            credentials, status = root / "out" / "credentials", root / "out" / "status"
            run_file = next((root / "out" / "runs").glob("*.jsonl"))
        else:
            root.mkdir(parents=True, exist_ok=True)
            credentials, run_file, status = make_corpus(root, args.files)
        count = sum(1 for _ in credentials.glob("*.json"))
        if args.stages:
            stages(credentials, status, args.repeat)
            return
        bare = statistics.median([bare_ed25519_verify_rate(1.0) for _ in range(3)])
        bare_cpu = 1e6 / statistics.median([bare_verify_us(), bare_verify_us()])
        compiled_copy = Path(tempfile.mkdtemp(prefix="badgekit-bench-pyc-"))
        env = bytecode_env(compiled_copy) if args.bytecode else None
        compiled = ("bytecode compiled once (--bytecode)" if args.bytecode else
                    "bytecode compiled at each start" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "bytecode as cached")
        print(f"bare Ed25519 verify: {bare:,.0f}/s on one core (wall), {bare_cpu:,.0f}/s of CPU; {count:,} credentials; "
              f"{compiled}; machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        targets = {"files": credentials, "jsonl": run_file}
        for mode in args.modes.split(","):
            for output in args.outputs.split(","):
                walls = end_to_end(root, targets[mode], status, count, workers, output, args.repeat, env)
                for n, (wall, cpu) in walls.items():
                    rate, cpu_rate = count / wall, count / cpu
                    # Worker processes are children of the fork server, not of the command: their CPU
                    # time is not counted, so only one worker has a CPU figure.
                    cpu_text = (f"{cpu:6.2f} s CPU, {cpu_rate:7,.0f}/s of CPU ({cpu_rate / bare_cpu:.3f} x bare)" if n == 1
                                else "CPU: not counted (workers)")
                    print(f"  {mode:5} {'--jsonl' if output == 'jsonl' else 'human':7} workers={n}: {wall:6.2f} s wall, "
                          f"{rate:7,.0f}/s end to end ({rate / bare:.3f} x bare); {cpu_text}; medians of {args.repeat}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
        if compiled_copy is not None:
            shutil.rmtree(compiled_copy, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Where the time of ``badgekit issue`` goes, stage by stage, in µs per credential (issue 18).

Each stage of the issuing path is run on its own over every row of a generated roster, with the
functions the pipeline calls, and timed in CPU time of this process (user + system: file creation
counts, a busy neighbour on the shared machine does not). Beside them: bare Ed25519 signing of 64
bytes (the kernel), measured in the same run, and the whole in-process run
(``issuing.issue_roster``, one worker, with a row sink as the CLI uses) on the same roster. Every
figure is the median of ``--repeat`` rounds; the ratios to bare Ed25519 are what to compare
between runs on a loaded machine.

Stages (the order a row goes through them):

* CSV read + validation: pass 1 (``validate_roster``: reader, typed row, duplicates);
* roster pass 2: the rows for signing (``good_rows``: those pass 1 kept, up to ``KEPT_ROWS``; the rest read again);
* ledger plan + reserve: ``Planner.plan`` per chunk (lookup, ids, status indices, one transaction);
* credential build: ``build_for_job`` (the unsigned document);
* size limits: ``limits.check_signable`` (what ``add_proof`` checks before signing);
* canonicalisation: RDFC-1.0 of the document (``jsonld.canonize``) and of the proof configuration;
* hashing: SHA-256 of both canonical forms;
* Ed25519 sign: the 64 bytes of hash data;
* proof assembly: base58btc of the signature, the proof and the signed document;
* JSON serialisation: the file's text (what the worker writes);
* file creation: the atomic write of each file (``_worker`` path), on tmpfs and on the disk;
* ledger mark issued: per signed chunk, as ``_Run._sign`` does;
* inter-process transfer: pickling the job chunks and results both ways (what workers > 1 pay);
* report output: each outcome to ``issued.csv`` and as ``--json`` (what ``badgekit issue --json`` streams).

Build, size limits, canonicalisation and JSON serialisation run as the signing fast path does
(``badgekit.issuing._signing.FAST_PATHS``: a credential template, the issuer and achievement
measured, walked and written once); ``--reference`` runs them, and the whole run, on the reference
path instead (the code before the fast path), for a before/after at the same load.

Usage: python3 benchmarks/bench_stages.py [--rows 3000] [--repeat 3] [--disk DIR] [--tmpfs DIR] [--reference]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from badgekit import did, jsonld, limits, proof  # noqa: E402
from badgekit._io import atomic_write, dumps_json  # noqa: E402
from badgekit.badgeclass import load_badge_class  # noqa: E402
from badgekit.issuing import (  # noqa: E402
    CHUNK,
    IssueOptions,
    RowOutcome,
    SummaryWriter,
    _plan,
    _run,
    _signing,
    _worker,
    issue_roster,
)
from badgekit.keys import Ed25519Key, load_any_key  # noqa: E402
from badgekit.ledger import Ledger  # noqa: E402
from badgekit.project import Project  # noqa: E402

BADGEKIT = [sys.executable, "-m", "badgekit"]
SIGNED_CHUNK = 64  # jobs per signing chunk (_run._Run._planned)
clock = time.process_time



def bare_sign_us(n: int = 3000) -> float:
    """µs per bare Ed25519 signature of 64 bytes (CPU time), median of 5 rounds."""
    key, msg = Ed25519Key.from_seed(bytes(32)), bytes(64)
    rounds = []
    for _ in range(5):
        start = clock()
        for _ in range(n):
            key.sign(msg)
        rounds.append((clock() - start) / n * 1e6)
    return statistics.median(rounds)


def make_project(root: Path, *, revocable: bool = True) -> Path:
    """A project made by ``badgekit init`` with one badge class; returns the badge class file."""
    subprocess.run([*BADGEKIT, "init", str(root), "--no-input", "--name", "Benchmark University",
                    "--url", "https://bench.example.edu", "--email", "badges@bench.example.edu"],
                   check=True, capture_output=True)
    badge = root / "badges" / "course.yaml"
    subprocess.run([*BADGEKIT, "badge", "new", "--template", "course-completion", "--set", "course_name=Benchmarking 101",
                    "--out", str(badge), "--no-input"], check=True, capture_output=True, cwd=root)
    return badge


def write_roster(path: Path, rows: int, start: int = 0) -> None:
    """A roster like a course export: email, name, score, evidence URL, date earned."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("email,name,score,evidence_url,earned\n")
        for i in range(start, start + rows):
            fh.write(f"learner{i}@example.org,Learner {i},{60 + i % 40},https://portfolio.example.org/{i},2026-01-{1 + i % 28:02d}\n")


class Setup:
    """A project, its badge class, key, issuer and a roster of ``rows`` rows under ``root``."""

    def __init__(self, root: Path, rows: int) -> None:
        self.root = root
        badge_path = make_project(root)
        self.roster = root / "roster.csv"
        write_roster(self.roster, rows)
        self.project = Project.load(root)
        self.badge = load_badge_class(badge_path)
        self.key = load_any_key(self.project.key_path)
        self.issuer = dict(self.project.issuer)
        self.rows = rows
        self.n = 0

    def options(self, out: Path) -> IssueOptions:
        return IssueOptions(out_dir=out, workers=1, verification_method=self.project.verification_method, rng_seed=1)

    def fresh(self, tag: str) -> tuple[Ledger, Path]:
        """A new, empty ledger and output folder (each round reserves the roster anew)."""
        self.n += 1
        ledger = Ledger.open(self.root / f"ledger-{tag}-{self.n}.sqlite3")
        return ledger, self.root / f"out-{tag}-{self.n}"


def median_us(rounds: list[float], per: int) -> float:
    return statistics.median(rounds) / per * 1e6


def timed(fn: Callable[[], Any]) -> float:
    start = clock()
    fn()
    return clock() - start


def one_round(s: Setup, settings: Any, requirements: Any, order: str | None, disk: Path | None,
              add: Callable[[str, float], None]) -> None:
    """Each stage once over every row of the roster."""
    # pass 1 and pass 2 of the roster
    holder: dict[str, Any] = {}

    kept = _plan.KeptRows()

    def pass1() -> None:
        holder["v"] = _plan.validate_roster(s.roster, requirements, order, kept=kept)

    add("CSV read + validation (pass 1)", timed(pass1))
    rejected = holder["v"][2]
    rows: list[Any] = []
    add("roster pass 2 (kept rows, or read again)",
        timed(lambda: rows.extend(_plan.good_rows(s.roster, requirements, order, (), rejected, kept))))

    # planning against a fresh ledger
    ledger, out = s.fresh("stages")
    options = s.options(out)
    planner = settings.planner(ledger, options, s.issuer)
    jobs: list[_signing._Job] = []

    def plan() -> None:
        for i in range(0, len(rows), CHUNK):
            jobs.extend(planner.plan(rows[i : i + CHUNK])[0])

    add("ledger plan + reserve", timed(plan))

    method = _signing.signing_method(s.key, s.issuer, options)
    signing = _signing._Signing.make(s.key, method, s.issuer, settings.achievement, options.format)
    signer = signing.signer
    assert signer is not None
    fast = signing.fast if _signing.FAST_PATHS else None  # the fast path's template and shared parts
    template = fast.template if fast is not None else None
    issuer, achievement = (template.issuer, template.achievement) if template is not None else (signing.issuer, signing.achievement)
    known = fast.shared.measures if fast is not None else None
    shared = fast.shared if fast is not None else None
    unsigned: list[dict[str, Any]] = []
    add("credential build", timed(lambda: unsigned.extend(
        _signing.build_for_job(j, issuer, achievement, template) for j in jobs)))
    add("size limits (check_signable)", timed(lambda: [limits.check_signable(d, known=known) for d in unsigned]))
    configs = [proof.proof_options(signer.verification_method, created=j.issued_at) for j in jobs]
    canon_docs: list[str] = []
    canon_configs: list[str] = []

    def canonicalise() -> None:
        for d, c in zip(unsigned, configs, strict=True):
            config = dict(c)
            config["@context"] = d.get("@context")
            canon_configs.append(proof._canonical_config(config, jsonld.canonize, None))
            canon_docs.append(jsonld.canonize({k: v for k, v in d.items() if k != "proof"}, shared=shared))

    add("canonicalisation (document + proof config)", timed(canonicalise))
    hashes: list[bytes] = []
    add("hashing (SHA-256)", timed(lambda: hashes.extend(
        hashlib.sha256(c.encode()).digest() + hashlib.sha256(d.encode()).digest()
        for c, d in zip(canon_configs, canon_docs, strict=True))))
    sigs: list[bytes] = []
    add("Ed25519 sign", timed(lambda: sigs.extend(signer.sign(h) for h in hashes)))
    signed: list[dict[str, Any]] = []

    def assemble() -> None:
        for d, c, sig in zip(unsigned, configs, sigs, strict=True):
            p = dict(c)
            p["proofValue"] = "z" + did.b58encode(sig)
            doc = dict(d)
            doc["proof"] = [p]
            signed.append(doc)

    add("base58 + proof assembly", timed(assemble))
    texts: list[str] = []
    dumps = fast.dumps if fast is not None else (lambda d: dumps_json(d, indent=None))
    add("JSON serialisation", timed(lambda: texts.extend(dumps(d) for d in signed)))
    for tag, base in (("tmpfs", s.root), ("disk", disk)):
        if base is None:
            continue
        folder = Path(tempfile.mkdtemp(prefix="files-", dir=base))
        paths = [str(folder / Path(j.path).name) for j in jobs]
        add(f"file creation ({tag})", timed(lambda paths=paths: [
            atomic_write(p, t, durable=False, staging=_worker._staging(p)) for p, t in zip(paths, texts, strict=True)]))
        shutil.rmtree(folder, ignore_errors=True)
    pairs = [(j.credential_id, j.path) for j in jobs]

    def mark() -> None:
        for i in range(0, len(pairs), _run.MARK_BATCH):
            ledger.mark_issued(pairs[i : i + _run.MARK_BATCH], actor="bench")

    add("ledger mark issued", timed(mark))
    ledger.close()
    chunks = [jobs[i : i + SIGNED_CHUNK] for i in range(0, len(jobs), SIGNED_CHUNK)]
    results = [[(j.credential_id, j.path) for j in c] for c in chunks]
    add("inter-process transfer (pickle both ways)", timed(lambda: [
        pickle.loads(pickle.dumps(x, pickle.HIGHEST_PROTOCOL)) for x in (*chunks, *results)]))
    outcomes = [RowOutcome(j.row.line, "issued", j.credential_id, j.path) for j in jobs]
    from badgekit.cli.issue import _row_json as row_json  # what `issue --json` writes per row

    def report() -> None:
        writer = SummaryWriter(s.root / f"report-{s.n}")
        sink = io.StringIO()
        for o in outcomes:
            writer.row(o)
            sink.write(",\n  " + row_json(o.to_json()))
        writer.abort()

    add("report output (issued.csv + --json rows)", timed(report))


def measure(setup: Setup, repeat: int, disk: Path | None) -> tuple[dict[str, float], float]:
    """µs per credential of each stage, and of the whole in-process run."""
    s = setup
    settings = _run._Settings(s.badge, s.options(s.root / "unused"), s.project.status_base_url, None)
    requirements, order = settings.requirements, None
    stages: dict[str, list[float]] = {}

    def add(name: str, seconds: float) -> None:
        stages.setdefault(name, []).append(seconds)

    for _ in range(repeat):
        one_round(s, settings, requirements, order, disk, add)

    whole: list[float] = []
    for _ in range(repeat):
        ledger, out = s.fresh("whole")
        options = s.options(out)
        start = clock()
        rep = issue_roster(roster_path=s.roster, badge=s.badge, issuer=s.issuer, key=s.key, ledger=ledger, options=options,
                           status_base_url=s.project.status_base_url, sink=lambda o: None)
        whole.append(clock() - start)
        assert rep.counts.get("issued") == s.rows, rep.counts
        ledger.close()
        shutil.rmtree(out, ignore_errors=True)
    return {k: median_us(v, s.rows) for k, v in stages.items()}, median_us(whole, s.rows)


@contextlib.contextmanager
def scratch(base: Path | None) -> Iterator[Path | None]:
    if base is None:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="badgekit-bench-", dir=base))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tmpfs", type=Path, default=Path("/dev/shm") if Path("/dev/shm").is_dir() else None,
                        help="a RAM file system for the project (default /dev/shm)")
    parser.add_argument("--disk", type=Path, default=Path(__file__).resolve().parents[1] / "benchmarks",
                        help="a folder on a disk, for the file creation stage (default: this checkout)")
    parser.add_argument("--reference", action="store_true", help="sign on the reference path (FAST_PATHS off)")
    args = parser.parse_args()
    _signing.FAST_PATHS = not args.reference
    with scratch(args.tmpfs or Path(tempfile.gettempdir())) as root, scratch(args.disk) as disk:
        assert root is not None
        setup = Setup(root, args.rows)
        bare_before = bare_sign_us()
        stages, whole = measure(setup, args.repeat, disk)
        bare = statistics.median([bare_before, bare_sign_us()])
    total = sum(v for k, v in stages.items() if "(disk)" not in k and "inter-process" not in k)
    print(f"issue, per stage: {args.rows:,} rows, median of {args.repeat}, CPU µs per credential "
          f"(project on {args.tmpfs or 'the temp folder'}; x = multiple of bare Ed25519 sign; "
          f"signing {'reference' if args.reference else 'fast'} path)")
    print(f"  {'bare Ed25519 sign (64 bytes)':44} {bare:8.1f} µs   1.00 x")
    for name, us in stages.items():
        print(f"  {name:44} {us:8.1f} µs {us / bare:6.2f} x")
    print(f"  {'sum of stages (tmpfs, 1 worker: no transfer)':44} {total:8.1f} µs {total / bare:6.2f} x")
    print(f"  {'whole run in process (issue_roster, 1 worker)':44} {whole:8.1f} µs {whole / bare:6.2f} x"
          f"  = {1e6 / whole:,.0f} credentials/s of CPU, {bare / whole:.3f} of bare Ed25519")


if __name__ == "__main__":
    main()

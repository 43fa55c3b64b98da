#!/usr/bin/env python3
"""Two projects, one issuer, one PostgreSQL ledger, issuing at the same time (issue 15).

Starts a throwaway PostgreSQL server (tests/pgserver.py: Debian's binaries, a private socket in a
temporary folder), makes one project with ``badgekit init`` and a copy of it in a second folder
(same issuer, key and ``status_base_url``: two departments of one institution), and runs, as a user
would, the whole ``badgekit issue`` command (``--workers 1`` each, so the two share the two cores):

1. baseline: project A alone issues ``--rows`` rows into a fresh database;
2. concurrent: A and B each issue ``--rows`` other rows into one fresh database at the same time.

Then both projects revoke ``--revoke`` credentials each, A publishes the status lists, and the
script checks what the issue asks for: every row issued once, no status index handed out twice
(a query over the ledger), and A's published revocation list holds B's revocations too (bits
counted; one of B's revoked credentials verified against A's list with ``badgekit verify``).

Printed: credentials per second (each project, both together, alone), the ratio of the concurrent
total to the single-project run, and both as a ratio to bare Ed25519 signing measured in the same run.

Usage: python3 benchmarks/bench_two_projects.py [--rows 50000] [--revoke 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_issue import bare_ed25519_rate  # noqa: E402
from bench_stages import BADGEKIT, make_project, write_roster  # noqa: E402

from badgekit import status  # noqa: E402
from tests import pgserver  # noqa: E402


def issue(project: Path, roster: Path, badge: Path, url: str) -> subprocess.Popen[str]:
    """Start ``badgekit issue`` in ``project`` against the ledger at ``url``."""
    env = {**os.environ, "BADGEKIT_LEDGER_URL": url}
    return subprocess.Popen([*BADGEKIT, "issue", str(roster), "--badge", str(badge), "--workers", "1", "--json"],
                            cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], rows: int) -> None:
    out, err = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"badgekit issue failed ({proc.returncode}): {err.strip()[-2000:]}")
    counts = json.loads(out)["counts"]
    if counts.get("issued") != rows:
        raise SystemExit(f"expected {rows} issued, got {counts}")


def run(cmd: list[str], project: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BADGEKIT, *cmd], cwd=project, env={**os.environ, "BADGEKIT_LEDGER_URL": url},
                          capture_output=True, text=True)


def main() -> None:
    """Baseline, concurrent run, revocations, publish, checks, figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="rows per project")
    parser.add_argument("--revoke", type=int, default=100, help="credentials each project revokes")
    args = parser.parse_args()

    server = pgserver.start()
    base = Path(tempfile.mkdtemp(prefix="bench-two-"))
    try:
        a = base / "dept-a"
        badge = make_project(a)
        b = base / "dept-b"
        shutil.copytree(a, b)  # the same issuer, key and status URL: one institution, two folders
        for project, start in ((a, 0), (b, args.rows)):
            write_roster(project / "roster.csv", args.rows, start=start)
        bare = bare_ed25519_rate()

        alone_url = server.new_database()
        alone = base / "alone"
        shutil.copytree(a, alone)
        t0 = time.perf_counter()
        finish(issue(alone, alone / "roster.csv", badge, alone_url), args.rows)
        single = args.rows / (time.perf_counter() - t0)

        shared = server.new_database()
        t0 = time.perf_counter()
        procs = [issue(p, p / "roster.csv", badge, shared) for p in (a, b)]
        ends = []
        for proc in procs:
            finish(proc, args.rows)
            ends.append(time.perf_counter() - t0)
        total = 2 * args.rows / max(ends)

        import psycopg

        with psycopg.connect(shared) as conn:
            duplicates = conn.execute(
                "SELECT COUNT(*) FROM (SELECT list_id, status_index FROM issuances WHERE status_index IS NOT NULL "
                "GROUP BY list_id, status_index HAVING COUNT(*) > 1) d").fetchone()[0]
            credentials = conn.execute("SELECT COUNT(*) FROM issuances WHERE state = 'issued'").fetchone()[0]

        revoked: list[str] = []
        for project, start in ((a, 0), (b, args.rows)):
            chosen = project / "revoke.csv"
            chosen.write_text("email\n" + "".join(f"learner{i}@example.org\n" for i in range(start, start + args.revoke)),
                              encoding="utf-8")
            done = run(["revoke", "--from-csv", str(chosen), "--reason", "benchmark", "--json"], project, shared)
            if done.returncode != 0:
                raise SystemExit(f"revoke failed: {done.stderr.strip()}")
            revoked = [c["credentialId"] for c in json.loads(done.stdout)["changes"] if c["outcome"] == "changed"]
        published = run(["status", "publish", "--json"], a, shared)
        if published.returncode != 0:
            raise SystemExit(f"status publish failed: {published.stderr.strip()}")
        revocation = next((a / "out" / "status").glob("revocation-*.json"))
        document = json.loads(revocation.read_text(encoding="utf-8"))
        bits = len(status.Bitstring.decode(document["credentialSubject"]["encodedList"]).set_indices())
        b_revoked = b / "out" / f"{revoked[0].rsplit(':', 1)[-1]}.json"  # one of B's (the last loop)
        check = run(["verify", str(b_revoked), "--status-list", f"{document['id']}={revocation}", "--json"], a, shared)
        verdict = json.loads(check.stdout).get("verdict") if check.stdout.strip() else check.stderr.strip()

        print(f"rows per project: {args.rows:,}; bare Ed25519 (one core, same run): {bare:,.0f} signatures/s")
        print(f"one project alone:           {single:8,.0f} credentials/s   ({single / bare:.3f} of bare Ed25519)")
        print(f"two projects, one ledger:    {total:8,.0f} credentials/s together "
              f"({total / single:.2f}x one alone; {total / bare:.3f} of bare); finished after "
              f"{ends[0]:.1f} s and {ends[1]:.1f} s")
        print(f"credentials issued: {credentials:,} of {2 * args.rows:,}; duplicate status indices: {duplicates}")
        print(f"published from A: {bits} revoked bits (A and B revoked {args.revoke} each); "
              f"one of B's revoked credentials against A's list: {verdict}")
        ok = credentials == 2 * args.rows and duplicates == 0 and bits == 2 * args.revoke and verdict == "invalid"
        print("checks:", "all passed" if ok else "FAILED")
        if not ok:
            raise SystemExit(1)
    finally:
        server.stop()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""E-mail delivery: ``badgekit send`` to --rows recipients against a local aiosmtpd server
(tests/smtpserver.py, on 127.0.0.1), over plain SMTP, smtps:// and smtp+starttls:// with AUTH
(a throwaway CA trusted with BADGEKIT_SMTP_CA_FILE), and a dry run (messages written as .eml,
no server) to separate composing a message from handing it over.

Set-up (not timed): a badge project, --rows credentials issued with ``--bake png`` (so sending
attaches the baked PNG as it is). Timed: the whole ``send --json`` command (process start, the
ledger read, every message composed, handed over and recorded: two ledger commits per message),
each mode on a fresh copy of the issued ledger. Every message must arrive exactly once.

Usage: python benchmarks/bench_send.py [--rows 300] [--repeat 1]
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_stages import BADGEKIT, make_project, write_roster  # noqa: E402

from tests import smtpserver  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        badge = make_project(root)
        roster = root / "roster.csv"
        write_roster(roster, args.rows)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for name in ("BADGEKIT_SMTP_URL", "BADGEKIT_SMTP_PASSWORD", "BADGEKIT_SMTP_CA_FILE"):
            env.pop(name, None)
        subprocess.run([*BADGEKIT, "issue", str(roster), "--badge", str(badge), "--bake", "png", "--json"], cwd=root, env=env,
                       check=True, capture_output=True)
        ledger = root / ".badgekit" / "ledger.sqlite3"
        issued = Path(tmp) / "issued.sqlite3"
        shutil.copy(ledger, issued)
        certs = smtpserver.make_certificates(Path(tmp))
        print(f"badgekit send, {args.rows} recipients, aiosmtpd on 127.0.0.1 (whole command, process start included)")

        def timed(mode: str, command: list[str], extra_env: dict[str, str], recorder: smtpserver.Recorder | None) -> None:
            rates = []
            for _ in range(args.repeat):
                shutil.copy(issued, ledger)
                if recorder is not None:
                    recorder.messages.clear()
                outbox = Path(tmp) / "outbox"
                shutil.rmtree(outbox, ignore_errors=True)
                start = time.perf_counter()
                done = subprocess.run([*BADGEKIT, *command], cwd=root, env={**env, **extra_env}, capture_output=True, text=True)
                elapsed = time.perf_counter() - start
                assert done.returncode == 0, done.stderr
                summary = json.loads(done.stdout)["summary"]
                n = summary["sent"] or summary["wouldSend"]
                assert n == args.rows, summary
                if recorder is not None:
                    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == sorted(f"learner{i}@example.org" for i in range(args.rows))
                rates.append(n / elapsed)
            best = max(rates)
            print(f"  {mode:<28} {statistics.median(rates):7.1f} messages/s (median of {args.repeat}; best {best:.1f}; "
                  f"{args.rows / best:.2f} s)")

        timed("dry run (.eml files)", ["send", "--dry-run", str(Path(tmp) / "outbox"), "--json"], {}, None)
        with smtpserver.running() as (recorder, url):
            timed("smtp:// (plain)", ["send", "--smtp", url, "--json"], {}, recorder)
        with smtpserver.running(tls="smtps", certificates=certs, users={"badges": "pw"}) as (recorder, url):
            timed("smtps:// + AUTH", ["send", "--smtp", url.replace("://", "://badges@"), "--json"],
                  {"BADGEKIT_SMTP_PASSWORD": "pw", "BADGEKIT_SMTP_CA_FILE": str(certs.ca)}, recorder)
        with smtpserver.running(tls="starttls", certificates=certs, users={"badges": "pw"}) as (recorder, url):
            timed("smtp+starttls:// + AUTH", ["send", "--smtp", url.replace("://", "://badges@"), "--json"],
                  {"BADGEKIT_SMTP_PASSWORD": "pw", "BADGEKIT_SMTP_CA_FILE": str(certs.ca)}, recorder)


if __name__ == "__main__":
    main()

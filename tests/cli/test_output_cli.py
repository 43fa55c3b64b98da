"""The ``badgekit`` process when its output fails: a reader that goes away (``| head``,
``| grep -q``: EPIPE) stops the output quietly and exits 141, as a process SIGPIPE killed reports,
without stopping work that does not depend on the output; a full device (``> /dev/full``) is one
error line and exit 2. Real processes and real pipes: the console-script entry point does this."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit.ledger import Ledger
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
BADGE = {
    "id": "urn:uuid:3b1f7c2e-9a4d-4e8b-8c1a-2f3e4d5c6b7a",
    "type": ["Achievement"],
    "name": "Pipe Fitting",
    "description": "Fitted pipes.",
    "criteria": {"narrative": "Fit the pipes."},
}


def badgekit(*args: object, cwd: Path, stdout: int | None = subprocess.PIPE,
             stderr: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """``python -m badgekit ARGS`` (the console script's ``main``) with this checkout first on the path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "badgekit", *map(str, args)], cwd=cwd, env=env, stdout=stdout,
                          stderr=stderr, text=True, timeout=300, check=False)


def closed_pipe() -> int:
    """The write end of a pipe whose reader is already gone: every write to it fails with EPIPE."""
    read, write = os.pipe()
    os.close(read)
    return write


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "p"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "pipes.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "roster.csv"
    roster.write_text("email,name\n" + "".join(f"p{i}@example.org,P {i}\n" for i in range(300)), encoding="utf-8")
    return SimpleNamespace(root=root, roster=roster, out=root / "out")


def test_issue_json_into_a_closed_pipe_still_issues_every_row(project: SimpleNamespace) -> None:
    # Before: exit 70 ("a bug in badgekit") at the first write, with no credential signed.
    pipe = closed_pipe()
    try:
        done = badgekit("issue", "--badge", "pipes", project.roster, "--json", "--workers", "1",
                        cwd=project.root, stdout=pipe)
    finally:
        os.close(pipe)
    assert (done.returncode, done.stderr) == (141, "")
    assert len(list(project.out.glob("*.json"))) == 300
    assert (project.out / "issued.csv").read_text(encoding="utf-8").count(",issued,") == 300
    with Ledger.open(project.root / ".badgekit" / "ledger.sqlite3") as ledger:
        assert [i.state for i in ledger.issuances()] == ["issued"] * 300


def test_verify_into_a_closed_pipe_exits_141_quietly(project: SimpleNamespace) -> None:
    # Before: exit 1, the "invalid" code (Rich's own broken-pipe exit), for `verify | grep -q VALID`
    # under pipefail; and exit 70 for --jsonl.
    run_cli("issue", "--badge", "pipes", project.roster, "--workers", "1", "--project", project.root)
    one = next(project.out.glob("*.json"))
    for args in ([one], [one, "--json"], [project.out], [project.out, "--jsonl"], [project.out, "--json"]):
        pipe = closed_pipe()
        try:
            done = badgekit("verify", *args, cwd=project.root, stdout=pipe)
        finally:
            os.close(pipe)
        assert (done.returncode, done.stderr) == (141, ""), args


def test_stdout_on_a_full_device_is_one_error_line(project: SimpleNamespace) -> None:
    run_cli("issue", "--badge", "pipes", project.roster, "--workers", "1", "--project", project.root)
    with open("/dev/full", "w") as full:
        done = badgekit("verify", next(project.out.glob("*.json")), cwd=project.root, stdout=full.fileno())
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == "error: standard output: cannot write (no space left on the device)"
    assert "Traceback" not in done.stderr and "bug" not in done.stderr


def test_a_closed_stderr_keeps_the_exit_code(project: SimpleNamespace) -> None:
    # Before: exit 1, "invalid", when the error line could not be written (Rich exits 1 on EPIPE).
    pipe = closed_pipe()
    try:
        done = badgekit("verify", project.root / "missing.json", cwd=project.root, stderr=pipe)
    finally:
        os.close(pipe)
    assert (done.returncode, done.stdout) == (2, "")

"""A killed or terminated ``badgekit issue`` / ``badgekit verify`` leaves no worker process behind:
SIGKILL of the parent alone (the kernel and a watchdog end its workers), SIGTERM (a clean stop,
exit code 143, like Ctrl-C's 130), and the re-run resumes and completes. Real processes, Linux."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit.cli import app
from badgekit.ledger import Ledger
from tests._processes import assert_all_gone, descendants, wait_until

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the process tree from /proc")

ROOT = Path(__file__).resolve().parents[2]
ROWS = 1500  # several seconds of signing on 2 workers: the kill lands mid-run
FILES = 2000
STARTED_WITHIN = 120.0  # generous: the test machine may be busy


def _project(tmp_path: Path, rows: int) -> Path:
    root = tmp_path / "project"
    result = CliRunner().invoke(app, ["init", str(root), "--name", "Example University", "--url", "https://example.edu",
                                      "--no-input"])
    assert result.exit_code == 0, result.output
    (root / "badges" / "python-basics.json").write_text(json.dumps({
        "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "Python Basics",
        "description": "Completed the Python Basics course.", "criteria": {"narrative": "Pass the final project."},
    }), encoding="utf-8")
    lines = ["email,name,score"] + [f"learner{i}@example.org,Learner {i},{60 + i % 40}" for i in range(rows)]
    (root / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def _badgekit(cwd: Path, *args: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    with open(log or os.devnull, "wb") as out:  # a file, not a pipe: nobody reads it while it runs
        return subprocess.Popen([sys.executable, "-m", "badgekit", *args], cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True)


def _stop_mid_run(proc: subprocess.Popen[bytes], how: str, working: Callable[[], bool]) -> dict[int, str]:
    """Once the workers have started and delivered results (``working()``), signal the parent;
    its whole process tree as it was then."""
    wait_until(lambda: proc.poll() is not None or (working() and len(descendants(proc.pid)) >= 2),
               STARTED_WITHIN, "the workers to deliver results")
    assert proc.poll() is None, "the run ended before it could be stopped: make it longer"
    tree = descendants(proc.pid)
    if how == "group-sigterm":  # what `timeout` does: the whole process group
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        os.kill(proc.pid, {"sigkill": signal.SIGKILL, "sigint": signal.SIGINT}.get(how, signal.SIGTERM))
    return tree


def _expected_exit(how: str) -> int:
    return {"sigkill": -signal.SIGKILL, "sigint": 130}.get(how, 128 + signal.SIGTERM)


@pytest.mark.parametrize("how", ["sigkill", "sigterm", "group-sigterm", "sigint"])
def test_issue_stopped_mid_run_leaves_no_worker_and_the_rerun_completes(tmp_path: Path, how: str) -> None:
    root = _project(tmp_path, ROWS)
    out = root / "out"

    def some_signed() -> bool:
        return out.is_dir() and any(out.glob("*.json"))

    log = tmp_path / "first.log"
    proc = _badgekit(root, "issue", "--badge", "python-basics", "roster.csv", "--workers", "2", log=log)
    tree = _stop_mid_run(proc, how, some_signed)
    try:
        assert proc.wait(timeout=60) == _expected_exit(how), log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        assert_all_gone(tree)  # kills what survives, whatever failed first
    if how != "sigkill":
        assert "Traceback" not in log.read_text()
    if how == "sigint":  # Ctrl-C: one line saying so, and what to do
        assert "error: interrupted (Ctrl-C)\n  hint: run the same command again" in log.read_text()
    assert 0 < len(list(out.glob("*.json"))) < ROWS, "the stop should land mid-run"

    again = subprocess.run([sys.executable, "-m", "badgekit", "issue", "--badge", "python-basics", "roster.csv",
                            "--workers", "2", "--json"], cwd=root, capture_output=True, text=True, timeout=600,
                           env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr[-2000:]
    counts = json.loads(again.stdout)["counts"]
    assert counts.get("issued", 0) + counts.get("resumed", 0) > 0  # the re-run finished the work
    assert sum(counts.values()) == ROWS and "rejected" not in counts
    with Ledger.open(root / ".badgekit" / "ledger.sqlite3") as ledger:
        rows = list(ledger.issuances())
    assert len(rows) == ROWS and all(r.state == "issued" for r in rows)
    assert len({(r.list_id, r.status_index) for r in rows}) == ROWS
    assert len(list(out.glob("*.json"))) == ROWS


@pytest.mark.parametrize("how", ["sigkill", "sigterm"])
def test_verify_stopped_mid_run_leaves_no_worker_and_the_rerun_completes(tmp_path: Path, how: str) -> None:
    root = _project(tmp_path, 1)
    result = CliRunner().invoke(app, ["issue", "--badge", "python-basics", str(root / "roster.csv"),
                                      "--project", str(root), "--workers", "1"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["status", "publish", "--project", str(root)])
    assert result.exit_code == 0, result.output
    (credential,) = (root / "out").glob("*.json")
    folder = tmp_path / "received"
    folder.mkdir()
    for i in range(FILES):
        shutil.copyfile(credential, folder / f"{i:05d}.json")

    verify = ["verify", str(folder), "--status-list", str(root / "out" / "status"), "--workers", "2"]
    log = tmp_path / "first.log"
    proc = _badgekit(root, *verify, log=log)
    tree = _stop_mid_run(proc, how, lambda: log.stat().st_size > 0)  # reports come back from the workers
    try:
        assert proc.wait(timeout=60) == _expected_exit(how), log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        assert_all_gone(tree)  # kills what survives, whatever failed first

    again = subprocess.run([sys.executable, "-m", "badgekit", *verify, "--json"], cwd=root,
                           capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert again.returncode == 0, again.stderr[-2000:]
    reports = json.loads(again.stdout)
    assert len(reports) == FILES and {r["verdict"] for r in reports} == {"valid"}


SWALLOWS_SIGTERM = """
import signal, sys, time
from badgekit import cli
cli.SIGTERM_GRACE = 0.5
signal.signal(signal.SIGTERM, cli._stop_on_sigterm)
ready = False
while True:
    try:
        if not ready:
            print("ready", flush=True)
            ready = True
        time.sleep(60)
    except SystemExit:
        pass  # what a finaliser or a careless `except BaseException` does to the clean stop
"""


def test_sigterm_still_ends_a_process_that_swallows_the_clean_stop() -> None:
    # Without pytest-cov's subprocess tracing (COV_CORE_*): it is about signals, and the tracer
    # delayed the process's own SIGTERM by over a minute on a loaded machine.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    proc = subprocess.Popen([sys.executable, "-c", SWALLOWS_SIGTERM], stdout=subprocess.PIPE, text=True,
                            env={**env, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == -signal.SIGTERM  # the shell's 143: terminated by SIGTERM
    finally:
        if proc.poll() is None:
            proc.kill()


def _fork_server_importing(pid: int) -> bool:
    """The fork server below ``pid`` runs Python code (its preload imports, ~0.5 s): Python's
    start-up has ignored SIGPIPE, and SIGINT is caught (its KeyboardInterrupt) or ignored."""
    for child in descendants(pid):
        with contextlib.suppress(OSError):
            if b"multiprocessing.forkserver" in Path(f"/proc/{child}/cmdline").read_bytes():
                masks = {line.split(":")[0]: int(line.split()[1], 16) for line in
                         Path(f"/proc/{child}/status").read_text().splitlines() if line.startswith(("SigIgn:", "SigCgt:"))}
                sigint, sigpipe = 1 << (signal.SIGINT - 1), 1 << (signal.SIGPIPE - 1)
                return bool(masks["SigIgn"] & sigpipe) and bool((masks["SigIgn"] | masks["SigCgt"]) & sigint)
    return False


def test_ctrl_c_while_the_fork_server_starts_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    # A terminal's Ctrl-C reaches the whole process group: the fork server, still importing the
    # modules it preloads, printed a KeyboardInterrupt traceback under the parent's one line.
    root = _project(tmp_path, ROWS)
    log = tmp_path / "first.log"
    proc = _badgekit(root, "issue", "--badge", "python-basics", "roster.csv", "--workers", "2", log=log)
    try:
        wait_until(lambda: proc.poll() is not None or _fork_server_importing(proc.pid), STARTED_WITHIN,
                   "the fork server to start")
        os.killpg(proc.pid, signal.SIGINT)
        assert proc.wait(timeout=60) == 130, log.read_text()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever is left of the group
    text = log.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
    assert "error: interrupted (Ctrl-C)" in text

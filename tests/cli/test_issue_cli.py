"""``badgekit issue`` when something outside it fails: ``--json`` keeps stdout one valid JSON
document (or nothing) on every path, and an output folder, status folder or disk that refuses a
write is one line naming the path and the cause, exit 2, with nothing half-written."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit.ledger import Ledger
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[2]
BADGE = {
    "id": "urn:uuid:8c4e2a1b-5d6f-4a7b-9c8d-1e2f3a4b5c6d",
    "type": ["Achievement"],
    "name": "Disk Care",
    "description": "Kept the disks tidy.",
    "criteria": {"narrative": "Free some space."},
}
ROWS = 300  # more than one planning chunk (issuing.CHUNK)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "p"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "disks.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "roster.csv"
    roster.write_text("email,name\n" + "".join(f"d{i}@example.org,D {i}\n" for i in range(ROWS)), encoding="utf-8")
    monkeypatch.chdir(root)
    return SimpleNamespace(root=root, roster=roster, out=root / "out", ledger=root / ".badgekit" / "ledger.sqlite3")


def issue_json(project: SimpleNamespace, *extra: object, ok: int) -> tuple[object, str]:
    """``issue --json``: (stdout parsed, or None when empty; stderr). Fails unless stdout is one JSON document or nothing."""
    result = run_cli("issue", "--badge", "disks", project.roster, "--workers", "1", "--json", *extra, ok=ok)
    assert "Traceback" not in result.stderr and "bug in badgekit" not in result.stderr
    return (json.loads(result.stdout) if result.stdout else None), result.stderr


def test_json_is_one_document_when_a_run_fails_after_its_first_rows(project: SimpleNamespace) -> None:
    # Credentials are staged in out/.partial: a file there makes the first signed credential fail
    # to be written, after the first chunk's rows went to stdout. Before: '{"rows": [ …' never closed.
    project.out.mkdir()
    (project.out / ".partial").write_text("in the way")
    document, stderr = issue_json(project, ok=2)
    # The planner reserves at least one chunk (issuing.CHUNK) before the first write; how far it
    # looks ahead before the pool decides to start (issuing.PARALLEL_MIN_CHUNKS) may plan the rest.
    planned = len(document["rows"])
    assert 256 <= planned <= ROWS and {r["status"] for r in document["rows"]} == {"issued"}
    assert document["error"]["exitCode"] == 2
    assert document["error"]["message"].endswith(f"cannot write ({project.out / '.partial'} is a file, not a folder)")
    assert stderr.startswith("error: " + document["error"]["message"] + "\n")
    assert sorted(p.name for p in project.out.iterdir()) == [".partial"]  # no temp issued.csv left
    (project.out / ".partial").unlink()
    document, _ = issue_json(project, ok=0)  # the next run resumes the reserved rows
    expected = {"resumed": planned, "issued": ROWS - planned}
    assert document["counts"] == {k: v for k, v in expected.items() if v} and "error" not in document


@pytest.mark.parametrize("case", ["roster-header", "ledger-folder-is-a-file", "out-is-a-file", "dry-run-ok", "ok"])
def test_json_is_a_document_or_nothing_on_every_path(project: SimpleNamespace, case: str) -> None:
    extra: list[object] = []
    if case == "roster-header":  # refused after the stream is set up
        project.roster.write_text("name\nAnn\n", encoding="utf-8")
    elif case == "ledger-folder-is-a-file":  # a new project: init made no ledger yet
        project.ledger.parent.write_text("in the way")
    elif case == "out-is-a-file":
        project.out.write_text("in the way")
    elif case == "dry-run-ok":
        extra = ["--dry-run"]
    failing = case not in ("ok", "dry-run-ok")
    document, stderr = issue_json(project, *extra, ok=2 if failing else 0)
    if failing:
        assert document is None and stderr.startswith("error: ") and "\n  hint: " in stderr
    else:
        assert document["counts"] == {"would-issue" if extra else "issued": ROWS} and len(document["rows"]) == ROWS


def test_an_output_or_status_folder_that_is_a_file_is_one_line(project: SimpleNamespace) -> None:
    # Before: exit 70 "internal error (NotADirectoryError …); this is a bug in badgekit".
    (project.root / "elsewhere").write_text("a file")
    result = run_cli("issue", "--badge", "disks", project.roster, "--out", "elsewhere/sub", ok=2)
    assert result.stderr.splitlines()[0] == "error: elsewhere/sub/issued.csv: cannot write (elsewhere is a file, not a folder)"
    run_cli("issue", "--badge", "disks", project.roster, "--workers", "1")
    (project.out / "status").write_text("a file")
    result = run_cli("status", "publish", ok=2)
    assert result.stderr.startswith(f"error: {project.out / 'status'}/revocation-1.json: cannot write "
                                    f"({project.out / 'status'} is a file, not a folder)\n")


def _limit_file_size() -> None:
    # room for the first chunk of 256 rows (credentials, events, delivery addresses), not for the run
    resource.setrlimit(resource.RLIMIT_FSIZE, (320 * 1024, resource.RLIM_INFINITY))


def test_a_full_disk_mid_run_is_one_line_and_the_rerun_finishes(project: SimpleNamespace) -> None:
    # ulimit -f stands in for a full disk: the ledger outgrows it during the run (SIGXFSZ would
    # kill the process, but Python ignores it, so the write fails with EFBIG). Before: exit 70.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    project.roster.write_text("email\n" + "".join(f"d{i}@example.org\n" for i in range(3000)), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "badgekit", "issue", "--badge", "disks", str(project.roster),
                           "--workers", "1", "--json"], cwd=project.root, env=env, capture_output=True, text=True,
                          timeout=300, check=False, preexec_fn=_limit_file_size)
    assert done.returncode == 2, done.stderr
    first = done.stderr.splitlines()[0]
    assert first == f"error: {project.ledger}: cannot update the ledger (disk I/O error)"  # the WAL outgrew the limit
    document = json.loads(done.stdout)  # rows of the chunks done, then the error: one JSON document
    assert document["rows"] and document["error"]["message"] == first.removeprefix("error: ")
    assert not list(project.out.glob(".issued.csv.*"))
    again = run_cli("issue", "--badge", "disks", project.roster, "--workers", "1", "--json")
    counts = json.loads(again.stdout)["counts"]
    assert sum(counts.values()) == 3000 and set(counts) <= {"issued", "resumed", "already-issued"}
    with Ledger.open(project.ledger) as ledger:
        states = [i.state for i in ledger.issuances()]
    assert states == ["issued"] * 3000 and len(list(project.out.glob("*.json"))) == 3000


def test_output_mode_jsonl_writes_one_file_per_run_and_refuses_what_needs_files(project: SimpleNamespace) -> None:
    document, _ = issue_json(project, "--output-mode", "jsonl", ok=0)
    (run_file,) = (project.out / "runs").glob("*.jsonl")
    assert run_file.read_bytes().count(b"\n") == ROWS and not list(project.out.glob("*.json"))
    assert {r["path"] for r in document["rows"]} == {str(run_file)}
    paths = sorted(i.output_path for i in Ledger.open(project.ledger).issuances())
    assert paths == sorted(f"{run_file}#{n}" for n in range(1, ROWS + 1))
    for extra in (("--format", "jwt"), ("--bundle",), ("--output-mode", "zip")):
        _, stderr = issue_json(project, "--output-mode", "jsonl", *extra, ok=2)
        assert "--output-mode" in stderr

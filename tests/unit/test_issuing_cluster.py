"""Issuing on a Dask cluster (issue 15, item 5): the same credentials as a local run, the key only
in the workers' environment and checked before anything is reserved, nothing lost when a worker
is killed. Real clusters: distributed.LocalCluster with worker processes, and one run of the
`dask scheduler` / `dask worker` commands with `badgekit issue --cluster`."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")  # the test extras install it (scripts/test)

from badgekit import proof  # noqa: E402
from badgekit.errors import ClusterError, KeyFileError  # noqa: E402
from badgekit.issuing import IssueOptions, issue_roster  # noqa: E402
from badgekit.issuing._worker import KEY_ENV, PASSPHRASE_ENV  # noqa: E402
from badgekit.issuing.cluster import DaskExecutor  # noqa: E402
from badgekit.keys import Ed25519Key, save_key  # noqa: E402
from badgekit.ledger import Ledger  # noqa: E402
from tests.unit.test_issuing import ISSUER, KEY, NOW, make_badge, write_roster  # noqa: E402

# The clients below talk to schedulers and workers on this machine only.
pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])

STATUS = "https://example.edu/status/"
DISKS = {"id": "urn:uuid:8c4e2a1b-5d6f-4a7b-9c8d-1e2f3a4b5c6d", "type": ["Achievement"], "name": "Disk Care",
         "description": "Kept the disks tidy.", "criteria": {"narrative": "Free some space."}}


def _cluster(env: dict[str, str], n_workers: int = 2) -> distributed.LocalCluster:
    return distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                    dashboard_address="127.0.0.1:0", env=env)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_key(KEY, tmp_path_factory.mktemp("key") / "issuer.pem")


@pytest.fixture(scope="module")
def cluster(key_file: Path):
    with _cluster({KEY_ENV: str(key_file)}) as c, distributed.Client(c, set_as_default=False) as client:
        yield client


def _options(out: Path, **kw) -> IssueOptions:
    return IssueOptions(out_dir=out, now=NOW, rng_seed=7, actor="test", **kw)


def _issue(ledger_path: Path, roster: Path, out: Path, *, executor=None, key=None, **kw):
    with Ledger.open(ledger_path) as ledger:
        return issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, key=key, ledger=ledger,
                            options=_options(out, **kw), status_base_url=STATUS, executor=executor)


def _files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _ids_by_line(report) -> dict[int, str]:
    return {o.line: o.credential_id for o in report.outcomes if o.credential_id}


def _one_credential_per_row(ledger_path: Path, out: Path, rows: int) -> None:
    with Ledger.open(ledger_path) as ledger:
        creds = list(ledger.issuances())
    assert len(creds) == rows and len({c.recipient_key for c in creds}) == rows
    assert {c.state for c in creds} == {"issued"}
    assert len({c.status_index for c in creds}) == rows
    written = sorted(p.name for p in out.glob("*.json"))
    assert len(written) == rows
    assert proof.verify(json.loads((out / written[0]).read_text(encoding="utf-8")))


def test_a_cluster_run_writes_what_a_local_run_writes_and_a_rerun_issues_nothing(cluster, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 300, bad_every=50)
    Ledger.open(tmp_path / "local.sqlite3").close()  # one ledger secret (ids, salts) for both runs
    shutil.copy(tmp_path / "local.sqlite3", tmp_path / "cluster.sqlite3")

    local = _issue(tmp_path / "local.sqlite3", roster, tmp_path / "out-local", key=KEY, workers=1, bake=("png",))
    executor = DaskExecutor(cluster)
    on_cluster = _issue(tmp_path / "cluster.sqlite3", roster, tmp_path / "out-cluster", executor=executor, bake=("png",))

    assert on_cluster.counts == local.counts == {"rejected": len(bad), "issued": 300 - len(bad)}
    assert _ids_by_line(on_cluster) == _ids_by_line(local)
    local_files, cluster_files = _files(tmp_path / "out-local"), _files(tmp_path / "out-cluster")
    assert len([n for n in cluster_files if n.endswith(".png")]) == 300 - len(bad)
    assert {n: b for n, b in cluster_files.items() if n != "issued.csv"} == {n: b for n, b in local_files.items() if n != "issued.csv"}
    assert not (tmp_path / "out-cluster" / ".partial").exists()

    again = _issue(tmp_path / "cluster.sqlite3", roster, tmp_path / "out-cluster", executor=executor, bake=("png",))
    assert again.counts == {"rejected": len(bad), "already-issued": 300 - len(bad)}
    assert _ids_by_line(again) == _ids_by_line(local)
    assert _files(tmp_path / "out-cluster") == cluster_files
    # idempotent across modes: the cluster re-runs the local run, this machine re-runs the cluster's
    assert _issue(tmp_path / "local.sqlite3", roster, tmp_path / "out-local", executor=executor).counts == again.counts
    assert _issue(tmp_path / "cluster.sqlite3", roster, tmp_path / "out-cluster", key=KEY).counts == again.counts


def test_a_worker_with_another_key_than_the_run_was_checked_with_refuses_to_sign(tmp_path: Path, monkeypatch) -> None:
    """A worker that joins after the check: its chunks fail instead of being signed by a stranger."""
    from badgekit.issuing import _worker

    setup = _worker.SigningSetup("run-1", None, ISSUER, {}, None, "ldp", KEY.public_jwk)
    monkeypatch.setattr(_worker, "_REMOTE", {})
    monkeypatch.setenv(KEY_ENV, str(save_key(Ed25519Key.generate(), tmp_path / "other.pem")))
    with pytest.raises(KeyFileError, match="not the key the run was checked with"):
        _worker.remote_sign_chunk(setup, [])
    monkeypatch.setenv(KEY_ENV, str(save_key(KEY, tmp_path / "issuer.pem")))
    assert _worker.remote_sign_chunk(setup, []) == []


def test_the_run_refuses_a_worker_key_that_is_not_the_issuers_before_reserving_anything(tmp_path: Path) -> None:
    other = save_key(Ed25519Key.generate(), tmp_path / "other.pem")
    roster = tmp_path / "roster.csv"
    write_roster(roster, 20)
    with _cluster({KEY_ENV: str(other)}, n_workers=1) as c, distributed.Client(c, set_as_default=False) as client:
        executor = DaskExecutor(client)
        with pytest.raises(KeyFileError) as err:
            _issue(tmp_path / "ledger.sqlite3", roster, tmp_path / "out", executor=executor)
        # a worker without any key is named, with what is missing
        client.run(lambda: os.environ.pop(KEY_ENV))
        with pytest.raises(KeyFileError, match=rf"Dask worker tcp://127\.0\.0\.1:\d+: {KEY_ENV} is not set"):
            DaskExecutor(client)
    assert "\n" not in err.value.message
    assert err.value.message.startswith("the key of the Dask workers at tcp://127.0.0.1:")
    assert f"but the issuer is {ISSUER['id']}" in err.value.message and KEY_ENV in err.value.hint
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        assert list(ledger.issuances()) == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.json"))


def test_a_worker_killed_mid_run_loses_nothing(key_file: Path, tmp_path: Path) -> None:
    rows = 640  # 10 chunks of 64
    roster = tmp_path / "roster.csv"
    write_roster(roster, rows)
    with _cluster({KEY_ENV: str(key_file)}) as c, distributed.Client(c, set_as_default=False) as client:
        executor = DaskExecutor(client)
        pids = sorted(client.run(os.getpid).values())
        killed: list[int] = []

        def progress(done: int, total: int) -> None:
            if done and not killed:  # the first chunk is back: the others are signing
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
            try:
                report = issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, ledger=ledger,
                                      options=_options(tmp_path / "out"), status_base_url=STATUS, executor=executor,
                                      progress=progress)
                assert report.counts == {"issued": rows}
            except ClusterError:  # the chunk died too often: its rows stay reserved for the next run
                report = issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, ledger=ledger,
                                      options=_options(tmp_path / "out"), status_base_url=STATUS, executor=executor)
                assert report.counts.get("issued", 0) + report.counts.get("resumed", 0) + report.counts.get("already-issued", 0) == rows
    assert killed
    _one_credential_per_row(tmp_path / "ledger.sqlite3", tmp_path / "out", rows)


def test_an_unreachable_scheduler_is_one_line(tmp_path: Path) -> None:
    with (pytest.raises(ClusterError, match=r"^cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9: ") as err,
          DaskExecutor.connect("tcp://127.0.0.1:9", timeout=0.5)):
        pass
    assert "\n" not in err.value.message
    with pytest.raises(ClusterError, match=r"^'scheduler' is not a Dask scheduler address \(missing port"):
        DaskExecutor.connect("scheduler").__enter__()


def _scheduler_address(scheduler_file: Path, proc: subprocess.Popen, timeout: float = 60.0) -> str:
    """The address `dask scheduler` writes to its --scheduler-file once it listens (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return str(json.loads(scheduler_file.read_text(encoding="utf-8"))["address"])
        except (OSError, ValueError, KeyError):
            assert proc.poll() is None, f"dask scheduler exited with {proc.returncode}"
            assert time.monotonic() < deadline, f"dask scheduler did not start within {timeout:.0f} s"
            time.sleep(0.05)


def test_badgekit_issue_on_dask_scheduler_and_worker_commands(key_file: Path, tmp_path: Path) -> None:
    """End to end: `dask scheduler`, one `dask worker` holding BADGEKIT_KEY (the client has no key
    at all), `badgekit issue --cluster` writes and records every credential; a re-run with
    `[cluster] scheduler` in badgekit.toml issues nothing."""
    from tests.conftest import run_cli

    project = tmp_path / "project"
    run_cli("init", project, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (tmp_path / "worker-only").mkdir()
    worker_key = (project / "issuer-key.pem").rename(tmp_path / "worker-only" / "key.pem")  # out of the client's reach
    (project / "badges" / "disks.json").write_text(json.dumps(DISKS), encoding="utf-8")
    roster = tmp_path / "roster.csv"
    roster.write_text("email,name\n" + "".join(f"d{i}@example.org,D {i}\n" for i in range(100)), encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in (KEY_ENV, PASSPHRASE_ENV)}
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                       "--scheduler-file", str(scheduler_file)], env=clean, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        address = _scheduler_address(scheduler_file, procs[0])
        worker_env = {**clean, KEY_ENV: str(worker_key)}
        procs.append(subprocess.Popen([*dask, "worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                                       "--host", "127.0.0.1"], env=worker_env, cwd=tmp_path,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        args = [sys.executable, "-m", "badgekit", "issue", "--badge", "disks", str(roster), "--project", str(project), "--json"]
        first = subprocess.run([*args, "--cluster", address], env=clean, capture_output=True,
                               text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        summary = json.loads(first.stdout)
        assert summary["counts"] == {"issued": 100}
        with (project / "badgekit.toml").open("a", encoding="utf-8") as toml:
            toml.write(f'\n[cluster]\nscheduler = "{address}"\n')
        again = subprocess.run(args, env=clean, capture_output=True,
                               text=True, timeout=120)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["counts"] == {"already-issued": 100}
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in reversed(procs):
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    out = project / "out"
    assert len(list(out.glob("*.json"))) == 100
    for path in sorted(out.glob("*.json"))[:3]:
        assert proof.verify(json.loads(path.read_text(encoding="utf-8")))


def test_a_pathway_award_on_the_cluster_signs_what_this_machine_signs(cluster, tmp_path: Path) -> None:
    """issue_pathway takes the same executor as a roster run: `issue --badge <pathway> --cluster`
    and `--award-pathways --cluster` sign on the workers, byte for byte as a local award."""
    from badgekit.badgeclass import Holdings
    from badgekit.issuing import issue_pathway
    from tests.unit.test_issuing_pathway import A, B, badge, give

    pathway = badge("urn:uuid:1c7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a09", "Both", holdings=Holdings.all_of(A, B))
    with Ledger.open(tmp_path / "local.sqlite3") as ledger:
        give(tmp_path, ledger, A, "ada@example.org", "bo@example.org")
        give(tmp_path, ledger, B, "ada@example.org")
    shutil.copy(tmp_path / "local.sqlite3", tmp_path / "cluster.sqlite3")
    reports = {}
    for where, kw in (("local", {"key": KEY}), ("cluster", {"executor": DaskExecutor(cluster)})):
        with Ledger.open(tmp_path / f"{where}.sqlite3") as ledger:
            reports[where] = issue_pathway(badge=pathway, issuer=ISSUER, ledger=ledger, status_base_url=STATUS,
                                           options=_options(tmp_path / f"award-{where}"), prerequisites={A: "A", B: "B"}, **kw)
    assert reports["cluster"].counts == reports["local"].counts == {"issued": 1}
    assert _files(tmp_path / "award-cluster") == _files(tmp_path / "award-local")
    (written,) = (tmp_path / "award-cluster").glob("*.json")
    assert proof.verify(json.loads(written.read_text(encoding="utf-8")))

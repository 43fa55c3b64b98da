"""Bulk issuing: idempotent, resumable after SIGKILL, identical across worker counts, never two
credentials on one status index."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit import proof
from badgekit.issuing import PARALLEL_MIN_CHUNKS, IssueOptions, issue_roster, summary_csv
from badgekit.keys import Ed25519Key
from badgekit.ledger import Ledger
from tests.conftest import TEST_SEED

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ACHIEVEMENT = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project with at least 60%."},
    "achievementType": "Course",
    "resultDescription": [
        {"id": "urn:uuid:11111111-2222-4333-8444-555555555555", "type": ["ResultDescription"], "name": "Final score",
         "resultType": "Percent", "valueMin": "0", "valueMax": "100"}
    ],
}


class MinScore:
    column = "score"

    def check(self, raw):
        if raw is None:
            return "score is required"
        return None if float(raw.replace(",", ".")) >= 60 else f"score {raw} is below the required 60"


def make_badge(requirements=(MinScore(),)):
    return SimpleNamespace(id=ACHIEVEMENT["id"], achievement=ACHIEVEMENT,
                           policy=SimpleNamespace(validity=None, requirements=tuple(requirements), status_purpose="revocation"))


KEY = Ed25519Key.from_seed(TEST_SEED)
ISSUER = {"id": KEY.did_key, "type": ["Profile"], "name": "Example University", "url": "https://example.edu"}


def write_roster(path: Path, n: int, *, bad_every: int = 0) -> set[int]:
    """n data rows; every ``bad_every``-th row is broken in a rotating way. Returns bad lines."""
    bad: set[int] = set()
    lines = ["email,name,score,evidence_url"]
    for i in range(n):
        line = i + 2
        email, score, url = f"learner{i}@example.org", str(60 + i % 40), f"https://portfolio.example.org/{i}"
        if bad_every and i % bad_every == bad_every - 1:
            kind = (i // bad_every) % 4
            if kind == 0:
                email = "not-an-email"
            elif kind == 1:
                score = "12"  # below threshold
            elif kind == 2:
                url = "ftp://nope"
            else:
                email = "learner0@example.org"  # duplicate recipient
            bad.add(line)
        lines.append(f"{email},Learner {i},{score},{url}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return bad


def run(tmp_path, roster_path, *, workers=1, out="out", ledger=None, **kw):
    ledger = ledger or Ledger.open(tmp_path / "ledger.sqlite3")
    opts = IssueOptions(out_dir=tmp_path / out, workers=workers, now=NOW, rng_seed=kw.pop("rng_seed", 7), **kw)
    return issue_roster(roster_path=roster_path, badge=make_badge(), issuer=ISSUER, key=KEY, ledger=ledger,
                        options=opts, status_base_url="https://example.edu/status/")


def test_issue_report_rerun_and_outputs(tmp_path):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 60, bad_every=7)
    report = run(tmp_path, roster)
    rejected = {o.line for o in report.outcomes if o.status == "rejected"}
    assert rejected == bad
    assert report.counts["issued"] == 60 - len(bad)
    issued = [o for o in report.outcomes if o.status == "issued"]
    for o in issued:
        doc = json.loads(Path(o.path).read_text())
        assert proof.verify(doc), o
        assert "@" not in Path(o.path).name and "learner" not in json.dumps(doc)  # no plain email anywhere
        assert doc["credentialStatus"]["statusPurpose"] == "revocation"
    indices = [json.loads(Path(o.path).read_text())["credentialStatus"]["statusListIndex"] for o in issued]
    assert len(set(indices)) == len(indices)
    assert "line,status,credential_id,path,errors" in summary_csv(report)

    again = run(tmp_path, roster)
    assert again.counts.get("issued", 0) == 0
    assert again.counts["already-issued"] == len(issued)
    assert {o.credential_id for o in again.outcomes if o.credential_id} == {o.credential_id for o in issued}


def test_dry_run_and_strict_write_nothing(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 10, bad_every=5)
    dry = run(tmp_path, roster, dry_run=True)
    assert dry.counts["would-issue"] == 8 and not (tmp_path / "out").exists()
    strict = run(tmp_path, roster, strict=True)
    assert "issued" not in strict.counts and not (tmp_path / "out").exists()
    assert list(Ledger.open(tmp_path / "ledger.sqlite3").issuances()) == []


def test_reissue_makes_a_new_credential_deliberately(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    first = run(tmp_path, roster)
    second = run(tmp_path, roster, reissue=True)
    a = {o.credential_id for o in first.outcomes}
    b = {o.credential_id for o in second.outcomes}
    assert second.counts["issued"] == 3 and not (a & b)
    kinds = [e.kind for e in Ledger.open(tmp_path / "ledger.sqlite3").events()]
    assert kinds.count("reissued") == 3


def test_parallel_output_is_identical_to_single_worker(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 64 * PARALLEL_MIN_CHUNKS + 40, bad_every=9)  # enough rows for worker processes
    empty = tmp_path / "seed.sqlite3"
    Ledger.open(empty).close()  # same ledger secret for both runs
    for name in ("one", "two"):
        shutil.copy(empty, tmp_path / f"{name}.sqlite3")
    r1 = run(tmp_path, roster, workers=1, out="one", ledger=Ledger.open(tmp_path / "one.sqlite3"))
    r2 = run(tmp_path, roster, workers=2, out="two", ledger=Ledger.open(tmp_path / "two.sqlite3"))
    files1 = {p.name: p.read_bytes() for p in (tmp_path / "one").glob("*.json")}
    files2 = {p.name: p.read_bytes() for p in (tmp_path / "two").glob("*.json")}
    assert files1 == files2 and len(files1) == r1.counts["issued"] == r2.counts["issued"]


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.unit import test_issuing as t
    from badgekit.issuing import IssueOptions, issue_roster
    from badgekit.ledger import Ledger
    if __name__ == "__main__":  # worker processes import this script too (forkserver/spawn)
        tmp = Path(sys.argv[1])
        issue_roster(roster_path=tmp / "roster.csv", badge=t.make_badge(), issuer=t.ISSUER, key=t.KEY,
                     ledger=Ledger.open(tmp / "ledger.sqlite3"),
                     options=IssueOptions(out_dir=tmp / "out", workers=int(sys.argv[2]), now=t.NOW),
                     status_base_url="https://example.edu/status/")
    """
)


def _spawn(tmp_path, workers):
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path), str(workers)], start_new_session=True)


def test_sigkill_midway_then_resume_gives_exactly_one_credential_per_good_row(tmp_path):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 400, bad_every=11)
    proc = _spawn(tmp_path, 2)
    out = tmp_path / "out"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob("*.json"))) < 60:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: workers die too
    proc.wait()
    partial = len(list(out.glob("*.json")))
    assert 0 < partial < 400 - len(bad), "the kill should land mid-run"

    report = run(tmp_path, roster, workers=2, rng_seed=None)
    good = 400 - len(bad)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    rows = list(ledger.issuances())
    assert len(rows) == good and all(r.state == "issued" for r in rows)
    assert len({(r.list_id, r.status_index) for r in rows}) == good
    files = sorted(out.glob("*.json"))
    assert len(files) == good
    assert {o.status for o in report.outcomes} <= {"issued", "resumed", "already-issued", "rejected"}
    for f in files[:: max(1, good // 25)]:
        assert proof.verify(json.loads(f.read_text()))


CONCURRENT_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.unit import test_issuing as t
    from badgekit.issuing import IssueOptions, issue_roster
    from badgekit.ledger import Ledger
    tmp = Path(sys.argv[1]); name = sys.argv[2]
    issue_roster(roster_path=tmp / f"{{name}}.csv", badge=t.make_badge(), issuer=t.ISSUER, key=t.KEY,
                 ledger=Ledger.open(tmp / "ledger.sqlite3"),
                 options=IssueOptions(out_dir=tmp / "out", workers=1, now=t.NOW),
                 status_base_url="https://example.edu/status/")
    """
)


def test_concurrent_runs_never_share_a_status_index(tmp_path):
    for name, offset in (("a", 0), ("b", 1000)):
        lines = ["email,score"] + [f"p{offset + i}@example.org,80" for i in range(150)]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n")
    script = tmp_path / "run.py"
    script.write_text(CONCURRENT_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), n]) for n in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    rows = list(Ledger.open(tmp_path / "ledger.sqlite3").issuances())
    assert len(rows) == 300
    assert len({(r.list_id, r.status_index) for r in rows}) == 300


@pytest.mark.parametrize("per_recipient", [False, True])
def test_bake_writes_images_holding_the_exact_credential(tmp_path, per_recipient):
    from badgekit import baking

    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    report = run(tmp_path, roster, bake=("png", "svg"), recipient_images=per_recipient)
    assert report.counts["issued"] == 3
    for o in report.outcomes:
        text = Path(o.path).read_text()
        for suffix in (".png", ".svg"):
            image = Path(o.path).with_suffix(suffix)
            extracted = baking.extract(image.read_bytes(), source=str(image))
            assert extracted.payload == text and not extracted.is_jwt
    assert proof.verify(json.loads(text))


def test_sink_streams_every_row_in_line_order_and_keeps_only_problems(tmp_path):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 700, bad_every=9)  # spans several planning chunks
    seen = []
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    opts = IssueOptions(out_dir=tmp_path / "out", workers=2, now=NOW, rng_seed=3)
    report = issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, key=KEY, ledger=ledger,
                          options=opts, status_base_url="https://example.edu/status/", sink=seen.append)
    assert [o.line for o in seen] == list(range(2, 702))
    assert {o.line for o in seen if o.status == "rejected"} == bad
    assert {o.line for o in report.outcomes} == bad  # the report keeps only rows with problems
    assert report.counts == {"rejected": len(bad), "issued": 700 - len(bad)}


def test_result_status_rows_outside_ob_enum_are_rejected_and_the_rest_issue_schema_valid(tmp_path):
    """A roster's status column becomes Result.status, a closed enum in OB 3.0: "passed" is rejected
    by line and column before signing, "in progress" is issued as "InProgress"."""
    from badgekit.schema import validate_credential

    rd = "urn:uuid:0f3c0000-0000-4000-8000-000000000002"
    achievement = {**ACHIEVEMENT, "resultDescription": [
        {"id": rd, "type": ["ResultDescription"], "name": "Induction", "resultType": "Status"}]}
    badge = SimpleNamespace(id=achievement["id"], achievement=achievement,
                            policy=SimpleNamespace(validity=None, requirements=(), status_purpose="revocation"))
    roster_path = tmp_path / "roster.csv"
    roster_path.write_text("email,status\na@example.org,passed\nb@example.org,in progress\n", encoding="utf-8")
    report = issue_roster(roster_path=roster_path, badge=badge, issuer=ISSUER, key=KEY,
                          ledger=Ledger.open(tmp_path / "ledger.sqlite3"),
                          options=IssueOptions(out_dir=tmp_path / "out", now=NOW, rng_seed=7))
    rejected, issued = report.outcomes
    assert rejected.status == "rejected" and [(e.line, e.column) for e in rejected.errors] == [(2, "status")]
    doc = json.loads(Path(issued.path).read_text())
    assert doc["credentialSubject"]["result"][0]["status"] == "InProgress"
    assert validate_credential(doc, strict=True) == [] and proof.verify(doc)

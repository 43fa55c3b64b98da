"""Bulk issuing: idempotent, resumable after SIGKILL, identical across worker counts, never two
credentials on one status index."""

from __future__ import annotations

import json
import os
import re
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

from badgekit import did, proof
from badgekit.errors import KeyFileError
from badgekit.issuing import (
    PARALLEL_MIN_CHUNKS,
    IssueOptions,
    issue_roster,
    summary_csv,
    validate_roster,
)
from badgekit.keys import Ed25519Key
from badgekit.ledger import AlreadyReserved, Ledger
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


def test_issue_report_rerun_and_outputs(tmp_path, ledger_target):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 60, bad_every=7)
    report = run(tmp_path, roster, ledger=Ledger.open(ledger_target))
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

    again = run(tmp_path, roster, ledger=Ledger.open(ledger_target))
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
                     ledger=Ledger.open(sys.argv[3]),
                     options=IssueOptions(out_dir=tmp / "out", workers=int(sys.argv[2]), now=t.NOW),
                     status_base_url="https://example.edu/status/")
    """
)


def _spawn(tmp_path, workers, ledger_target):
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    return subprocess.Popen([sys.executable, str(script), str(tmp_path), str(workers), str(ledger_target)], start_new_session=True)


def test_sigkill_midway_then_resume_gives_exactly_one_credential_per_good_row(tmp_path, ledger_target):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 400, bad_every=11)
    proc = _spawn(tmp_path, 2, ledger_target)
    out = tmp_path / "out"
    deadline = time.time() + 60
    while time.time() < deadline and len(list(out.glob("*.json"))) < 60:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: workers die too
    proc.wait()
    partial = len(list(out.glob("*.json")))
    assert 0 < partial < 400 - len(bad), "the kill should land mid-run"

    report = run(tmp_path, roster, workers=2, rng_seed=None, ledger=Ledger.open(ledger_target))
    good = 400 - len(bad)
    ledger = Ledger.open(ledger_target)
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
                 ledger=Ledger.open(sys.argv[3]),
                 options=IssueOptions(out_dir=tmp / "out", workers=1, now=t.NOW),
                 status_base_url="https://example.edu/status/")
    """
)


def test_concurrent_runs_never_share_a_status_index(tmp_path, ledger_target):
    for name, offset in (("a", 0), ("b", 1000)):
        lines = ["email,score"] + [f"p{offset + i}@example.org,80" for i in range(150)]
        (tmp_path / f"{name}.csv").write_text("\n".join(lines) + "\n")
    script = tmp_path / "run.py"
    script.write_text(CONCURRENT_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    procs = [subprocess.Popen([sys.executable, str(script), str(tmp_path), n, str(ledger_target)]) for n in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    rows = list(Ledger.open(ledger_target).issuances())
    assert len(rows) == 300
    assert len({(r.list_id, r.status_index) for r in rows}) == 300


def test_a_run_that_loses_its_rows_to_another_run_stops_in_one_line_and_nothing_is_lost(tmp_path):
    """Two runs of one roster at once, made deterministic: this run reads the ledger for its second
    chunk, then the other run (its own connection) issues the whole roster, then this run tries to
    reserve what it read as new. It used to stop with SQLite's "UNIQUE constraint failed"."""
    roster = tmp_path / "roster.csv"
    write_roster(roster, 400)  # two chunks of rows (CHUNK = 256)
    path = tmp_path / "ledger.sqlite3"

    class OtherRunInBetween(Ledger):
        reads = 0

        def latest_many(self, badge_id, recipient_keys):
            found = super().latest_many(badge_id, recipient_keys)
            self.reads += 1
            if self.reads == 2:
                with Ledger.open(path) as other:
                    # the first chunk is reserved by this run: signed already, or (when the planner
                    # looked ahead before signing, see PARALLEL_MIN_CHUNKS) resumed by the other run
                    assert run(tmp_path, roster, ledger=other, rng_seed=None).counts in (
                        {"already-issued": 256, "issued": 144}, {"resumed": 256, "issued": 144})
            return found

    with OtherRunInBetween.open(path) as ledger, pytest.raises(AlreadyReserved) as caught:
        run(tmp_path, roster, ledger=ledger)
    assert caught.value.message == f"{path}: another run is issuing this roster at the same time; this run stopped, nothing is lost"
    assert "UNIQUE" not in caught.value.diagnostics() and caught.value.exit_code == 2

    assert run(tmp_path, roster).counts == {"already-issued": 400}
    rows = list(Ledger.open(path).issuances())
    assert len(rows) == 400 and {r.state for r in rows} == {"issued"}
    assert len({(r.list_id, r.status_index) for r in rows}) == 400 == len(list((tmp_path / "out").glob("*.json")))


WEB = "did:web:example.edu"
OTHER = Ed25519Key.from_seed(bytes(range(32)))


@pytest.mark.parametrize(("issuer", "key", "document", "fmt", "message"), [
    (KEY.did_key, OTHER, None, "ldp", f"the signing key is {OTHER.did_key}, but the issuer is {KEY.did_key}"),
    (KEY.did_key, OTHER, None, "jwt", f"the signing key is {OTHER.did_key}, but the issuer is {KEY.did_key}"),
    (WEB, KEY, None, "ldp", f"cannot check that {KEY.did_key} is a key of {WEB}: no DID document"),
    (WEB, KEY, did.did_web_document(WEB, [OTHER.public_key]), "ldp", f"{WEB}#key-1 in the DID document of {WEB} is another key"),
    (WEB, KEY, did.did_web_document(WEB, [OTHER.public_key]), "jwt", f"{WEB}#key-1 in the DID document of {WEB} is another key"),
    (WEB, KEY, did.did_web_document("did:web:other.example", [KEY.public_key]), "ldp", "the DID document is the one of"),
    (WEB, KEY, {"id": WEB, "verificationMethod": [{"id": f"{WEB}#key-1", "type": "Multikey", "controller": WEB,
                                                  "publicKeyMultibase": KEY.public_key_multibase}]}, "ldp",
     f"{WEB}#key-1 is not an assertionMethod in the DID document of {WEB}"),
])
def test_a_key_verifiers_would_not_find_for_the_issuer_signs_nothing_and_reserves_nothing(
        tmp_path, issuer, key, document, fmt, message):
    """issue --key <another key> used to sign credentials every verifier rejects, record them as
    issued, and so make the rerun with the right key issue nothing."""
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger, pytest.raises(KeyFileError, match=re.escape(message)) as caught:
        issue_roster(roster_path=roster, badge=make_badge(), issuer={**ISSUER, "id": issuer}, key=key, ledger=ledger,
                     options=IssueOptions(out_dir=tmp_path / "out", now=NOW, format=fmt, issuer_document=document,
                                          verification_method=f"{WEB}#key-1" if issuer == WEB else None),
                     status_base_url="https://example.edu/status/")
    assert caught.value.exit_code == 2
    assert list(Ledger.open(tmp_path / "ledger.sqlite3").issuances()) == [] and not (tmp_path / "out").exists()
    right = KEY if issuer == KEY.did_key else key
    fixed = did.did_web_document(WEB, [right.public_key]) if issuer == WEB else None
    report = issue_roster(roster_path=roster, badge=make_badge(), issuer={**ISSUER, "id": issuer}, key=right,
                          ledger=Ledger.open(tmp_path / "ledger.sqlite3"),
                          options=IssueOptions(out_dir=tmp_path / "out", now=NOW, format=fmt, issuer_document=fixed,
                                               verification_method=f"{WEB}#key-1" if issuer == WEB else None),
                          status_base_url="https://example.edu/status/")
    assert report.counts == {"issued": 3}  # the right key, afterwards: everything is issued


def test_without_a_status_url_nothing_is_issued_unless_the_credentials_are_said_to_be_not_revocable(tmp_path):
    """Credentials without a status entry can never be revoked: issuing them used to happen
    silently whenever status_base_url was unset."""
    from badgekit.errors import InputError

    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")

    def issue(badge=None, status_base_url=None, **kw):
        return issue_roster(roster_path=roster, badge=badge or make_badge(), issuer=ISSUER, key=KEY, ledger=ledger,
                            options=IssueOptions(out_dir=tmp_path / "out", now=NOW, **kw), status_base_url=status_base_url)

    for dry_run in (True, False):
        with pytest.raises(InputError, match="no status list URL \\(status_base_url\\): the credentials of badge .* could never be revoked") as caught:
            issue(dry_run=dry_run)
        assert caught.value.exit_code == 2 and "--no-revocation" in caught.value.hint and "revocable: false" in caught.value.hint
    assert list(ledger.issuances()) == [] and not (tmp_path / "out").exists()

    report = issue(revocable=False)  # said explicitly (issue --no-revocation)
    assert report.counts == {"issued": 3} and report.revocable is False and report.to_json()["revocable"] is False
    assert all("credentialStatus" not in json.loads(Path(o.path).read_text()) for o in report.outcomes)

    # The badge class says so (revocable: false): no status entry, even with a status_base_url at hand.
    unrevocable = make_badge()
    unrevocable.policy.revocable = False
    write_roster(roster, 5)
    report = issue(badge=unrevocable, status_base_url="https://example.edu/status/")
    assert report.counts == {"already-issued": 3, "issued": 2} and report.revocable is False
    assert ledger.lists() == [] and all(i.status_index is None for i in ledger.issuances())
    assert issue(status_base_url="https://example.edu/status/", reissue=True).revocable is True  # the default


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


def test_recipient_images_refuse_a_name_no_font_covers_before_anything_is_reserved(tmp_path):
    from badgekit.baking.render import font_files
    from badgekit.errors import InputError
    from tests.unit.test_render import CJK_SUBSET

    roster = tmp_path / "roster.csv"
    roster.write_text("email,name,score\nada@example.org,Ada Lovelace,80\nzhang@example.org,张三,90\n", encoding="utf-8")
    dejavu = tuple(p for p in font_files() if p.endswith("DejaVuSans.ttf"))
    with pytest.raises(InputError, match=r"roster\.csv: line 3, column name '张三': .* covers Han \(U\+5F20\)"):
        run(tmp_path, roster, bake=("png",), recipient_images=True, fonts=dejavu)
    assert list(Ledger.open(tmp_path / "ledger.sqlite3").issuances()) == []
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    # SVG only: nothing is rasterised, so nothing is refused.
    assert run(tmp_path, roster, out="svg", bake=("svg",), recipient_images=True, fonts=dejavu).counts["issued"] == 2
    report = run(tmp_path, roster, out="png", reissue=True, bake=("png",), recipient_images=True, fonts=(str(CJK_SUBSET),), workers=2)
    assert report.counts["issued"] == 2
    assert all(Path(o.path).with_suffix(".png").is_file() for o in report.outcomes)


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


def test_an_unknown_column_is_a_warning_never_a_failure(tmp_path):
    # A form export's Timestamp column: every row is issued and the run is ok, with --strict too.
    roster = tmp_path / "roster.csv"
    roster.write_text("Timestamp,email,score,assessor,supervisor\n"
                      "2026-01-10 09:00,a@example.org,80,Dr. Who,Ms. Lee\n2026-01-10 09:05,b@example.org,90,,\n", encoding="utf-8")
    for strict in (False, True):
        where = tmp_path / f"strict-{strict}"
        where.mkdir()
        report = run(where, roster, strict=strict)
        assert [str(e) for e in report.header_errors] == [
            "line 1, column Timestamp: unknown column (ignored); see 'badgekit issue --help' for known columns"]
        assert report.ok and report.counts == {"issued": 2}, (strict, report.counts)
    ada = next(o for o in report.outcomes if o.line == 2)
    evidence = json.loads(Path(ada.path).read_text())["evidence"]
    assert [e["narrative"] for e in evidence] == ["Assessed by Dr. Who.\n\nSigned off by Ms. Lee."]


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
                          options=IssueOptions(out_dir=tmp_path / "out", now=NOW, rng_seed=7), status_base_url="https://example.edu/status/")
    rejected, issued = report.outcomes
    assert rejected.status == "rejected" and [(e.line, e.column) for e in rejected.errors] == [(2, "status")]
    doc = json.loads(Path(issued.path).read_text())
    assert doc["credentialSubject"]["result"][0]["status"] == "InProgress"
    assert validate_credential(doc, strict=True) == [] and proof.verify(doc)


def test_issue_credential_signs_what_issue_roster_writes_for_the_same_row(tmp_path):
    """The library's one-credential entry point is the bulk path for one row: same ledger (a copy
    taken before issuing), clock and status-index seed give the same id, status entry and bytes."""
    from badgekit.issuing import issue_credential

    roster_path = tmp_path / "roster.csv"
    roster_path.write_text("email,name,score,evidence_url\n Ada@Example.org ,Ada,\"85,5\",https://p.example.org/a\n",
                           encoding="utf-8")
    Ledger.open(tmp_path / "a.sqlite3").close()
    shutil.copy(tmp_path / "a.sqlite3", tmp_path / "b.sqlite3")
    report = run(tmp_path, roster_path, ledger=Ledger.open(tmp_path / "a.sqlite3"))
    written = Path(report.outcomes[0].path).read_text(encoding="utf-8")
    with Ledger.open(tmp_path / "b.sqlite3") as ledger:
        one = issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, ledger=ledger, now=NOW, rng_seed=7,
                               recipient={"email": " Ada@Example.org ", "name": "Ada", "score": "85,5",
                                          "evidence_url": "https://p.example.org/a"},
                               status_base_url="https://example.edu/status/")
        assert (one.status, one.text) == ("issued", written)
        assert ledger.get(one.credential_id).state == "issued"
        again = issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, ledger=ledger, now=NOW,
                                 recipient={"email": "ada@example.org", "name": "Ada", "score": "85.5",
                                            "evidence_url": "https://p.example.org/a"},
                                 status_base_url="https://example.edu/status/")
        assert (again.status, again.text) == ("already-issued", written)  # the same values, written another way


def test_issue_credential_without_a_ledger_is_not_revocable_and_says_so(tmp_path):
    from badgekit.errors import InputError
    from badgekit.issuing import issue_credential

    values = {"email": "ada@example.org", "score": "85"}
    with pytest.raises(InputError, match="needs a ledger"):
        issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, recipient=values, now=NOW)
    with pytest.raises(InputError, match="column score|score: score 12 is below"):
        issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, recipient={**values, "score": "12"}, revocable=False)
    one = issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, recipient=values, revocable=False, now=NOW,
                           credential_id="urn:uuid:00000000-0000-4000-8000-000000000001", salt="00ff")
    assert one.status == "unrecorded" and "credentialStatus" not in one.credential and proof.verify(one.credential)
    assert json.loads(one.text) == one.credential


def test_each_credential_keeps_its_roster_address_in_the_ledger_never_in_the_credential(tmp_path, ledger_target):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 5)
    report = run(tmp_path, roster, ledger=Ledger.open(ledger_target))
    issued = {o.line: o for o in report.outcomes if o.status == "issued"}
    with Ledger.open(ledger_target) as ledger:
        kept = ledger.addresses()
        assert kept == {issued[i + 2].credential_id: (f"learner{i}@example.org", f"Learner {i}") for i in range(5)}
        # a credential issued before addresses were kept gets its address when its roster runs again
        ledger._conn.execute("DELETE FROM addresses")
        if ledger.engine == "sqlite":
            ledger._conn.commit()
    for o in issued.values():
        assert "learner" not in Path(o.path).read_text()
    roster.write_text(roster.read_text().replace("learner1@example.org,Learner 1", "learner1@example.org,Ada Learner"))
    run(tmp_path, roster, ledger=Ledger.open(ledger_target))
    with Ledger.open(ledger_target) as ledger:
        assert len(ledger.addresses()) == 5
        assert ledger.addresses([issued[3].credential_id]) == {issued[3].credential_id: ("learner1@example.org", "Ada Learner")}


class _CountingLedger(Ledger):
    """A real SQLite ledger that counts its mark_issued transactions."""

    marks: list[int]

    def mark_issued(self, done, *, actor="badgekit"):
        pairs = list(done)
        self.marks.append(len(pairs))
        super().mark_issued(pairs, actor=actor)


def test_signed_rows_are_marked_issued_in_few_large_transactions(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 600)  # ten signing chunks of 64 rows
    ledger = _CountingLedger.open(tmp_path / "ledger.sqlite3")
    ledger.marks = []
    report = run(tmp_path, roster, ledger=ledger)
    assert report.counts == {"issued": 600}
    assert ledger.marks == [512, 88]  # per MARK_BATCH rows, not one transaction per chunk of 64
    assert {i.state for i in ledger.issuances()} == {"issued"}


def test_a_run_stopped_by_a_write_error_still_marks_the_credentials_it_wrote(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 200)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    planned = {o.line: o.path for o in run(tmp_path, roster, ledger=ledger, dry_run=True).outcomes}
    os.makedirs(planned[150])  # a folder where the credential of line 150 (third signing chunk) goes
    with pytest.raises(Exception, match="cannot write"):
        run(tmp_path, roster, ledger=ledger)
    issued = {i.output_path for i in ledger.issuances() if i.state == "issued"}
    assert issued == {planned[line] for line in range(2, 130)}  # the two chunks signed before it
    assert all(os.path.isfile(path) for path in issued)


def test_issue_warns_about_values_without_a_header(tmp_path):
    roster_file = tmp_path / "r.csv"
    roster_file.write_text("email,,score\na@b.org,88,90\n", encoding="utf-8")
    _, header_errors, rejected, good = validate_roster(roster_file, [])
    assert [(e.column, e.reason[:30]) for e in header_errors] == [("B", "values (first on line 2) but n")]
    assert (rejected, good) == ({}, 1)


@pytest.mark.parametrize("folder", [".", "out", "./out/", "/", "/tmp/a b/out", "a/../b", "~"])
@pytest.mark.parametrize("name", ["0d5c7f3e-1b2a-4c3d-9e8f-0a1b2c3d4e5f.json", "x.jwt", "//host/path", "..", "", "a\\b"])
def test_a_job_names_its_file_as_the_folder_path_would(folder, name):
    # job_for joins the output folder and the file name as text (issue 18): exactly str(Path / name).
    from badgekit.issuing._plan import _file_in

    assert _file_in(Path(folder), name) == str(Path(folder) / name)


@pytest.mark.parametrize("limit", [0, 1, 3, 7, 100])
def test_the_second_pass_gives_the_good_rows_of_the_first_once_in_order_kept_or_read_again(tmp_path, limit):
    # Pass 1 keeps its first good rows (issue 18) so pass 2 need not read them again: kept or
    # read again, pass 2 yields exactly the rows the roster gives without keeping any.
    from badgekit.issuing._plan import KeptRows, good_rows

    roster_file = tmp_path / "r.csv"
    roster_file.write_text("email,score\n" + "".join(
        f"{'bad' if i in (3, 6) else f'l{i % 9}@b.org'},{70 + i}\n" for i in range(14)), encoding="utf-8")
    kept = KeptRows(limit=limit)
    _, _, rejected, good = validate_roster(roster_file, [], kept=kept)
    assert kept.complete == (limit >= good) and len(kept.rows) == min(limit, good)
    reference = list(good_rows(roster_file, [], None, (), rejected))
    assert [r.line for r in reference] == [n for n in range(2, 16) if n not in rejected] and len(reference) == good
    assert list(good_rows(roster_file, [], None, (), rejected, kept)) == reference
    if kept.complete:  # every good row kept: the roster is not read a second time
        roster_file.unlink()
        assert list(good_rows(roster_file, [], None, (), rejected, kept)) == reference


def test_an_earned_date_in_the_future_is_refused_by_row_and_column(tmp_path):
    """awardedDate is when the badge was earned: a roster row a day or more ahead of the run is
    refused (it was signed as given); "today" in any time zone, read as midnight UTC, still issues."""
    from badgekit.errors import InputError
    from badgekit.issuing import issue_credential

    roster_path = tmp_path / "roster.csv"
    roster_path.write_text("email,score,earned\na@example.org,80,2026-01-16\nb@example.org,80,2026-01-17\n"
                           "c@example.org,80,2027-01-01T09:00:00Z\nd@example.org,80,2026-01-15T11:00:00Z\n", encoding="utf-8")
    report = run(tmp_path, roster_path)  # the run is at NOW, 2026-01-15T12:00:00Z
    by_line = {o.line: o for o in report.outcomes}
    assert [by_line[n].status for n in (2, 3, 4, 5)] == ["issued", "rejected", "rejected", "issued"]
    [error] = by_line[3].errors
    assert (error.line, error.column) == (3, "earned")
    assert "'2026-01-17' is in the future (this run is at 2026-01-15T12:00:00Z)" in error.reason
    with pytest.raises(InputError, match="earned: '2027-01-01' is in the future"):
        issue_credential(badge=make_badge(), issuer=ISSUER, key=KEY, revocable=False, now=NOW,
                         recipient={"email": "a@example.org", "score": "80", "earned": "2027-01-01"})


def test_a_letter_grade_class_issues_the_letter_as_result_value_and_refuses_other_grades(tmp_path):
    """A roster score fills the badge class's first resultDescription that takes one: a LetterGrade's
    is text (one of its allowedValue, spelt as the class spells it), a Percent's still a number."""
    from badgekit.schema import validate_credential

    grade, percent = "urn:uuid:0f3c0000-0000-4000-8000-0000000000a1", "urn:uuid:0f3c0000-0000-4000-8000-0000000000a2"
    achievement = {**ACHIEVEMENT, "resultDescription": [
        {"id": grade, "type": ["ResultDescription"], "name": "Final grade", "resultType": "LetterGrade",
         "allowedValue": ["A", "B+", "B", "C"]},
        {"id": percent, "type": ["ResultDescription"], "name": "Final score", "resultType": "Percent"}]}

    def issue(achievement, rows, out):
        badge = SimpleNamespace(id=achievement["id"], achievement=achievement,
                                policy=SimpleNamespace(validity=None, requirements=(), status_purpose="revocation"))
        (tmp_path / f"{out}.csv").write_text("email,grade\n" + rows, encoding="utf-8")
        return issue_roster(roster_path=tmp_path / f"{out}.csv", badge=badge, issuer=ISSUER, key=KEY,
                            ledger=Ledger.open(tmp_path / f"{out}.sqlite3"), status_base_url="https://example.edu/status/",
                            options=IssueOptions(out_dir=tmp_path / out, now=NOW, rng_seed=7)).outcomes

    issued, lowered, refused = issue(achievement, "a@example.org,B+\nb@example.org,b+\nc@example.org,E\n", "letters")
    assert (issued.status, lowered.status, refused.status) == ("issued", "issued", "rejected")
    assert [str(e) for e in refused.errors] == [
        "line 4, column grade: 'E' is not an allowed grade of 'Final grade' (A, B+, B, C)"]
    for outcome in (issued, lowered):
        doc = json.loads(Path(outcome.path).read_text())
        assert doc["credentialSubject"]["result"] == [{"type": ["Result"], "resultDescription": grade, "value": "B+"}]
        assert validate_credential(doc, strict=True) == [] and proof.verify(doc)
    numeric = {**ACHIEVEMENT, "resultDescription": achievement["resultDescription"][1:]}
    (refused,) = issue(numeric, "a@example.org,B+\n", "numbers")  # as before: a Percent is a number
    assert [str(e) for e in refused.errors] == ["line 2, column grade: 'B+' is not a number"]
def test_a_bulk_run_collects_garbage_less_often_and_restores_the_collector_afterwards(tmp_path, monkeypatch):
    """The collector's setting is process-wide: raised (and the set-up's objects frozen) while a
    run issues (issue 18), as it was afterwards, also when the run fails."""
    import gc

    from badgekit.issuing import _run

    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    before, seen = gc.get_threshold(), []
    opts = IssueOptions(out_dir=tmp_path / "out", workers=1, now=NOW, rng_seed=7)
    issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, key=KEY, ledger=Ledger.open(tmp_path / "l.sqlite3"),
                 options=opts, status_base_url="https://example.edu/status/",
                 sink=lambda outcome: seen.append((gc.get_threshold()[0], gc.get_freeze_count() > 0)))
    assert seen and all(seen_ == (max(before[0], _run.GC_THRESHOLD), True) for seen_ in seen)
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)

    def fail(*args, **kwargs):
        raise RuntimeError("stopped")

    monkeypatch.setattr(_run._Run, "_sign", fail)
    with pytest.raises(RuntimeError, match="stopped"):
        issue_roster(roster_path=roster, badge=make_badge(), issuer=ISSUER, key=KEY, ledger=Ledger.open(tmp_path / "m.sqlite3"),
                     options=opts, status_base_url="https://example.edu/status/")
    assert (gc.get_threshold(), gc.get_freeze_count()) == (before, 0)

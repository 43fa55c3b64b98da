"""``badgekit issue --bundle``, ``badgekit bundle``, ``badgekit report`` and ``badgekit log`` end
to end, with exit codes, stdout and stderr; ``badgekit --install-completion``."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit.ledger import Ledger
from badgekit.project import Project
from tests.conftest import run_cli
from tests.unit import test_report

BADGE = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project."},
}


run = run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.setattr("getpass.getuser", lambda: "registrar")
    root = tmp_path / "badges-project"
    run("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    (root / "badges" / "python-basics.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "class.csv"
    roster.write_text("email,name,earned\nada@example.org,Ada <Lovelace>,2026-01-10\nbob@example.org,Bob,\nnot-an-email,Cy,\n",
                      encoding="utf-8")
    monkeypatch.chdir(root)
    return SimpleNamespace(root=root, roster=roster, out=root / "out", bundles=root / "out" / "bundles")


def test_issue_bundle_writes_named_bundles_once(project: SimpleNamespace) -> None:
    first = run("issue", "--badge", "python-basics", project.roster, "--workers", "1", "--bundle", "--json", ok=1)
    report = json.loads(first.stdout)
    assert report["counts"] == {"issued": 2, "rejected": 1}
    written = report["bundles"]["written"]
    assert len(written) == 2 and report["bundles"]["problems"] == []
    ids = {row["line"]: row["credentialId"] for row in report["rows"] if row["credentialId"]}
    for b in written:
        folder = Path(b["path"])
        assert folder.parent == project.bundles and (folder / "index.html").is_file()
        assert b["linkedinUrl"].startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Python%20Basics")
    ada = next(Path(b["path"]) for b in written if b["credentialId"] == ids[2])
    page = (ada / "index.html").read_text(encoding="utf-8")
    assert "Awarded to <strong>Ada &lt;Lovelace&gt;</strong>" in page and "ada@example.org" not in page

    again = run("issue", "--badge", "python-basics", project.roster, "--workers", "1", "--bundle", ok=1)
    assert "recipient bundle" not in again.stderr  # every credential already has its bundle
    log = json.loads(run("log", "--json", "--kind", "exported").stdout)
    assert sorted(e["credentialId"] for e in log) == sorted(ids.values())
    assert {e["actor"] for e in log} == {"registrar"} and {e["badge"] for e in log} == {BADGE["id"]}
    issued = json.loads(run("log", "--json", "--kind", "issued").stdout)
    assert [e["actor"] for e in issued] == ["registrar", "registrar"]  # who ran 'badgekit issue'


def test_issue_bundle_reads_no_other_badge_class(project: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    # A broken badge class elsewhere in badges/ (YAML !!binary: bytes, no JSON value) is no
    # concern of this run: bundling python-basics never reads it, and the one scan of badges/
    # (after issuing: pathways that require python-basics, issue 19) skips it without a word.
    (project.root / "badges" / "other.yaml").write_text(
        "id: urn:uuid:0b3b0a52-1b8e-4f0e-9d6a-5c1f7f0e2d11\ntype: [Achievement]\nname: !!binary T3RoZXI=\n"
        "description: x\ncriteria: {narrative: x}\n", encoding="utf-8")
    result = run("issue", "--badge", "python-basics", project.roster, "--workers", "1", "--bundle", "--json", ok=1)
    report = json.loads(result.stdout)
    assert report["counts"] == {"issued": 2, "rejected": 1} and "other.yaml" not in result.stderr
    assert len(report["bundles"]["written"]) == 2 and report["bundles"]["problems"] == []
    broken = run("badge", "validate", project.root / "badges" / "other.yaml", ok=2)
    assert "the tag !!binary is not allowed in badgekit files" in broken.stderr


def test_issue_bundle_url_base_is_checked_before_issuing(project: SimpleNamespace) -> None:
    result = run("issue", "--badge", "python-basics", project.roster, "--bundle",
                 "--bundle-url-base", "http://example.edu/b/", ok=2)
    assert result.stderr.startswith("error: --bundle-url-base 'http://example.edu/b/': expected an https:// URL")
    assert not project.out.exists()


def test_bundle_command_on_issued_credentials(project: SimpleNamespace) -> None:
    run("issue", "--badge", "python-basics", project.roster, "--workers", "1", ok=1)
    result = run("bundle", project.out, "--roster", project.roster, "--url-base", "https://example.edu/badges/", "--json")
    data = json.loads(result.stdout)
    assert len(data["bundles"]) == 2 and data["problems"] == [] and data["skipped"] == []
    for b in data["bundles"]:
        assert b["certUrl"] == f"https://example.edu/badges/{Path(b['path']).name}/"
        assert json.loads((Path(b["path"]) / "credential.json").read_text())["id"] == b["credentialId"]
    names = sorted(("Awarded to <strong>Ada &lt;Lovelace&gt;</strong>" in (Path(b["path"]) / "index.html").read_text(),
                    "Awarded to <strong>Bob</strong>" in (Path(b["path"]) / "index.html").read_text()) for b in data["bundles"])
    assert names == [(False, True), (True, False)]

    human = run("bundle", project.out, "--out", project.root / "elsewhere")
    assert sorted(human.stdout.split()) == sorted(str(project.root / "elsewhere" / Path(b["path"]).name / "index.html")
                                                  for b in data["bundles"])
    assert "2 bundle(s) written to" in human.stderr


def test_bundle_one_file_with_a_name_and_errors(project: SimpleNamespace) -> None:
    run("issue", "--badge", "python-basics", project.roster, "--workers", "1", ok=1)
    one = sorted(project.out.glob("*.json"))[0]
    result = run("bundle", one, "--recipient-name", "Grace Hopper")
    page = Path(result.stdout.strip()).read_text(encoding="utf-8")
    assert "Awarded to <strong>Grace Hopper</strong>" in page

    assert "--recipient-name names one recipient, but 2 credentials" in run("bundle", project.out, "--recipient-name", "X", ok=2).stderr
    assert "expected an https:// URL" in run("bundle", one, "--url-base", "ftp://x/", ok=2).stderr
    not_badge = project.root / "did.json"
    not_badge.write_text(json.dumps({"id": "did:web:example.edu"}), encoding="utf-8")
    failed = run("bundle", one, not_badge, ok=1)
    assert f"error: {not_badge}: not an Open Badges credential" in failed.stderr
    assert "1 bundle(s) written" in failed.stderr and "1 failed" in failed.stderr
    broken = project.root / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert f"error: {broken}" in run("bundle", broken, ok=1).stderr
    # A path that is not there is a usage error, exit 2 as for verify (it was 1: "1 failed");
    # nothing is written for the files that are there.
    missing = project.root / "missing.json"
    assert f"error: {missing}: no such file or folder" in run("bundle", one, missing, ok=2).stderr
    assert "no such file or folder" in run("bundle", f"{project.root / 'gone.jsonl'}#3", ok=2).stderr


def test_render_font_setting_reaches_issue_and_bundle(project: SimpleNamespace) -> None:
    from badgekit.baking.render import font_files
    from tests.unit.test_render import CJK_SUBSET

    config = project.root / "badgekit.toml"
    base = config.read_text(encoding="utf-8")
    dejavu = next(p for p in font_files() if p.endswith("DejaVuSans.ttf"))
    config.write_text(base + f'\n[render]\nfont = "{dejavu}"\n', encoding="utf-8")
    roster = project.root / "cjk.csv"
    roster.write_text("email,name\nzhang@example.org,张三\n", encoding="utf-8")
    refused = run("issue", "--badge", "python-basics", roster, "--bake", "png", "--recipient-images", ok=2)
    assert refused.stderr.startswith("error: cjk.csv: line 2, column name '张三': neither the bundled DejaVu Sans nor DejaVuSans.ttf covers Han (U+5F20)")
    assert not project.out.exists() or not list(project.out.glob("*.json"))  # nothing issued
    run("issue", "--badge", "python-basics", roster, "--workers", "1")
    (one,) = project.out.glob("*.json")
    failed = run("bundle", one, "--recipient-name", "张三", ok=1)
    assert "covers Han (U+5F20)" in failed.stderr
    config.write_text(base + f'\n[render]\nfont = "{CJK_SUBSET}"\n', encoding="utf-8")
    folder = Path(run("bundle", one, "--recipient-name", "张三").stdout.strip()).parent
    assert "张三</tspan>" in (folder / "badge.svg").read_text(encoding="utf-8")


def test_bundle_outside_a_project(project: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("issue", "--badge", "python-basics", project.roster, "--workers", "1", ok=1)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("bundle", project.out)
    assert len(result.stdout.split()) == 2 and all(line.startswith("bundles/") for line in result.stdout.split())
    monkeypatch.chdir(project.root)
    assert json.loads(run("log", "--json", "--kind", "exported").stdout) == []  # no project, no ledger event


# ---------------------------------------------------------------------------------------------
# exactly one exported event per bundle, also after an interrupted run


def _exports() -> dict[str, list[str]]:
    """Bundle folder → the credential ids of its exported events (one each when the log is exact)."""
    found: dict[str, list[str]] = {}
    for e in json.loads(run("log", "--json", "--kind", "exported").stdout):
        found.setdefault(e["detail"]["path"], []).append(e["credentialId"])
    return found


def _bundles(folder: Path) -> dict[str, str]:
    """Complete bundle folders (index.html written last) → their credential id."""
    return {str(p.parent): json.loads((p.parent / "credential.json").read_text())["id"] for p in folder.glob("*/index.html")}


def test_interrupted_issue_bundle_then_reruns_leave_one_exported_event_per_bundle(
    project: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from badgekit.delivery import _pool  # where the bundle jobs call write_bundle

    roster = project.root / "five.csv"
    roster.write_text("email,name\n" + "".join(f"p{n}@example.org,P{n}\n" for n in range(5)), encoding="utf-8")
    real_write, calls = _pool.write_bundle, []

    def interrupted_at_the_fourth(*args, **kwargs):  # Ctrl-C while the fourth bundle is written
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real_write(*args, **kwargs)

    monkeypatch.setattr(_pool, "write_bundle", interrupted_at_the_fourth)
    run("issue", "--badge", "python-basics", roster, "--workers", "1", "--bundle", ok=130)
    monkeypatch.setattr(_pool, "write_bundle", real_write)
    written = _bundles(project.bundles)
    assert len(written) == 3
    assert _exports() == {path: [cid] for path, cid in written.items()}  # the three written, each once

    run("issue", "--badge", "python-basics", roster, "--workers", "1", "--bundle")
    written = _bundles(project.bundles)
    assert len(written) == 5 and _exports() == {path: [cid] for path, cid in written.items()}
    run("bundle", project.out, "--workers", "1")  # every bundle written again, to the same folders
    assert _exports() == {path: [cid] for path, cid in written.items()}


KILL_ISSUE_BUNDLE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from badgekit.cli import app
    app(["issue", "--badge", "python-basics", sys.argv[1], "--workers", "1", "--bundle"], prog_name="badgekit")
    """
)


def test_sigkill_during_issue_bundle_then_rerun_gives_one_exported_event_per_bundle(project: SimpleNamespace) -> None:
    roster = project.root / "many.csv"
    roster.write_text("email,name\n" + "".join(f"p{n}@example.org,P{n}\n" for n in range(12)), encoding="utf-8")
    script = project.root / "run.py"
    script.write_text(KILL_ISSUE_BUNDLE.format(root=str(Path(__file__).resolve().parents[2])), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(roster)], cwd=project.root, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and len(_bundles(project.bundles)) < 3:
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    written = _bundles(project.bundles)
    assert 3 <= len(written) < 12, "the kill should land mid-run"
    exports = _exports()
    assert all(exports.get(path, [cid]) == [cid] for path, cid in written.items())  # never twice
    # Recorded as each bundle is written: only the one being finished when killed may lack its event.
    assert len(set(written) & set(exports)) >= len(written) - 1

    run("issue", "--badge", "python-basics", roster, "--workers", "1", "--bundle")
    written = _bundles(project.bundles)
    assert len(written) == 12 and _exports() == {path: [cid] for path, cid in written.items()}
    run("bundle", project.out, "--workers", "2")
    assert _exports() == {path: [cid] for path, cid in written.items()}


# ---------------------------------------------------------------------------------------------
# report and log against the ledger with known figures (tests/unit/test_report.py)


@pytest.fixture
def known(project: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    for badge_id, name in test_report.NAMES.items():
        doc = {**BADGE, "id": badge_id, "name": name}
        (project.root / "badges" / f"{name.lower().replace(' ', '-')}.json").write_text(json.dumps(doc), encoding="utf-8")
    ledger = test_report.build_ledger(Project.load(project.root).ledger_path, monkeypatch)
    ledger.close()
    monkeypatch.undo()  # the real clock again, for events recorded from here on
    monkeypatch.chdir(project.root)
    return project


AT = "2026-03-15T00:00:00Z"


def test_report_json_csv_and_html(known: SimpleNamespace) -> None:
    data = json.loads(run("report", "--json", "--at", AT).stdout)
    overall = data["overall"]
    assert {k: overall[k] for k in ("issued", "active", "expired", "revoked", "suspended", "pending", "revocationRate",
                                    "recipients", "rejectedRows")} == {
        "issued": 10, "active": 5, "expired": 2, "revoked": 2, "suspended": 1, "pending": 1, "revocationRate": 0.2,
        "recipients": 8, "rejectedRows": 3}
    assert overall["earnedToIssued"]["medianDays"] == 3.5
    assert [(b["name"], b["issued"]) for b in data["badges"]] == [("Python Basics", 6), ("Lab Safety", 4)]
    assert [p["period"] for p in data["timeline"]][:2] == ["2026-W02", "2026-W03"] and data["granularity"] == "week"
    monthly = json.loads(run("report", "--json", "--at", AT, "--by", "month").stdout)
    assert [(p["period"], p["issued"], p["revoked"]) for p in monthly["timeline"]] == [("2026-01", 5, 0), ("2026-02", 5, 2)]

    rows = list(csv.DictReader(io.StringIO(run("report", "--csv", "--at", AT).stdout)))
    assert [(r["badge_name"], r["issued"], r["revoked"]) for r in rows] == [
        ("Python Basics", "6", "1"), ("Lab Safety", "4", "1"), ("All badges", "10", "2")]

    one = json.loads(run("report", "--json", "--at", AT, "--badge", "lab-safety").stdout)
    assert one["overall"]["name"] == "Lab Safety" and one["overall"]["issued"] == 4

    html_file = known.root / "report.html"
    written = run("report", "--html", html_file, "--at", AT)
    assert written.stdout == "" and f"wrote {html_file}" in written.stderr
    page = html_file.read_text(encoding="utf-8")
    assert page.count("<svg") == 4 and "<script" not in page and "Example University" in page


def test_report_human(known: SimpleNamespace) -> None:
    out = run("report", "--at", AT).stdout
    lines = out.splitlines()
    assert lines[0] == "Badge program report, as of 2026-03-15 00:00 UTC"
    python = next(line for line in lines if line.startswith("Python Basics"))
    assert python.split()[2:] == ["6", "4", "1", "0", "1", "16.7", "%", "6", "10", "d", "2"]
    none = run("report", "--pathways", "--at", AT)  # a project without pathway badge classes
    assert none.stdout == "" and "no pathway badge class in this project" in none.stderr
    total = next(line for line in lines if line.startswith("All badges"))
    assert total.split()[2:] == ["10", "5", "2", "1", "2", "20.0", "%", "8", "3.5", "d", "3"]
    assert next(line for line in lines if line.startswith("2026-W06")).split()[:3] == ["2026-W06", "4", "1"]
    assert "min 0 d, median 3.5 d, mean 17.25 d, max 101 d" in out
    assert "invalid email address '…'" in out and "bob@" not in out


def test_report_usage_errors(known: SimpleNamespace) -> None:
    assert "--json and --csv cannot be used together" in run("report", "--json", "--csv", ok=2).stderr
    assert "--by 'day': expected week, month or auto" in run("report", "--by", "day", ok=2).stderr
    assert "--at 'yesterday'" in run("report", "--at", "yesterday", ok=2).stderr
    assert "no time zone" in run("report", "--at", "2026-03-01T00:00:00", ok=2).stderr
    assert "±14:00" in run("report", "--at", "2026-03-01T00:00:00+15:00", ok=2).stderr  # was accepted


def test_log_filters(known: SimpleNamespace) -> None:
    everything = json.loads(run("log", "--json").stdout)
    kinds = [e["kind"] for e in everything]
    assert kinds.count("issued") == 10 and kinds.count("revoked") == 2 and kinds.count("suspended") == 1
    assert all(e["actor"] == "registrar" for e in everything)
    revoked = json.loads(run("log", "--json", "--kind", "revoked").stdout)
    assert [(e["at"], e["badge"], e["reason"]) for e in revoked] == [
        ("2026-02-02T09:00:00Z", test_report.BADGE_A, "test"), ("2026-02-16T12:00:00Z", test_report.BADGE_B, "test")]
    window = json.loads(run("log", "--json", "--since", "2026-02-03", "--until", "2026-02-16").stdout)
    assert [(e["kind"], e["at"]) for e in window] == [("issued", "2026-02-03T08:00:00Z")] * 4 + [
        ("issued", "2026-02-10T10:00:00Z"), ("revoked", "2026-02-16T12:00:00Z")]
    only_b = json.loads(run("log", "--json", "--badge", "lab-safety", "--kind", "revoked,suspended").stdout)
    assert [e["kind"] for e in only_b] == ["revoked", "suspended"]
    cid = revoked[0]["credentialId"]
    history = run("log", "--credential", cid).stdout.splitlines()
    assert [line.split()[:2] for line in history] == [["2026-01-05T10:00:00Z", "issued"], ["2026-02-02T09:00:00Z", "revoked"]]
    assert history[1].endswith("registrar  test")
    jsonl = run("log", "--jsonl", "--limit", "2").stdout.splitlines()
    assert [json.loads(line)["kind"] for line in jsonl] == ["revoked", "suspended"]  # the two most recent
    assert "unknown event kind; known: issued, reissued" in run("log", "--kind", "deleted", ok=2).stderr
    assert "no events match" in run("log", "--since", "2030-01-01").stderr


def test_install_completion(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "SHELL": "/bin/bash"}
    result = subprocess.run([sys.executable, "-m", "badgekit", "--install-completion", "bash"], env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    script = tmp_path / ".bash_completions" / "badgekit.sh"
    assert script.is_file() and "_BADGEKIT_COMPLETE" in script.read_text()
    assert str(script) in (tmp_path / ".bashrc").read_text()
    completion = subprocess.run([sys.executable, "-m", "badgekit"], capture_output=True, text=True, timeout=60, check=False,
                                env={**env, "_BADGEKIT_COMPLETE": "complete_bash", "COMP_WORDS": "badgekit rep", "COMP_CWORD": "1"})
    assert completion.stdout.split() == ["report"]


def test_report_expiring(known: SimpleNamespace) -> None:
    data = json.loads(run("report", "--expiring", "P14D", "--at", "2026-02-25", "--json").stdout)
    assert [(c["badgeName"], c["validUntil"]) for c in data["credentials"]] == [
        ("Python Basics", "2026-03-01T00:00:00Z"), ("Lab Safety", "2026-03-10T00:00:00Z")]
    assert [(c["badgeName"], c["expiring"]) for c in data["counts"]] == [("Python Basics", 1), ("Lab Safety", 1)]
    rows = list(csv.DictReader(io.StringIO(run("report", "--expiring", "P10D", "--at", "2026-02-25", "--csv").stdout)))
    assert [r["badge_name"] for r in rows] == ["Python Basics"]
    human = run("report", "--expiring", "P14D", "--at", "2026-02-25").stdout
    assert next(line for line in human.splitlines() if line.startswith("Lab Safety")).split()[2:4] == ["1", "2026-03-10T00:00:00Z"]
    assert "@" not in human + json.dumps(data)  # never an address
    assert "not an ISO 8601 duration" in run("report", "--expiring", "30d", ok=2).stderr


def test_bundle_leaves_out_revoked_and_suspended_credentials_unless_asked(project: SimpleNamespace) -> None:
    (project.root / "badges" / "python-basics.json").write_text(json.dumps({**BADGE, "badgekit": {"status_purpose": "suspension"}}))
    issued = json.loads(run("issue", "--badge", "python-basics", project.roster, "--workers", "1", "--json", ok=1).stdout)
    ada, bob = (r["credentialId"] for r in issued["rows"] if r["credentialId"])
    run("revoke", ada, "--reason", "issued in error")
    run("suspend", bob, "--reason", "under review")
    data = json.loads(run("bundle", project.out, "--json").stdout)
    assert data["bundles"] == [] and data["withheld"] == {"revoked": 1, "suspended": 1}
    human = run("bundle", project.out)
    assert "skipped 1 revoked, 1 suspended credential(s)" in human.stderr and "--include-revoked" in human.stderr
    run("unsuspend", bob)
    data = json.loads(run("bundle", project.out, "--json").stdout)
    assert [b["credentialId"] for b in data["bundles"]] == [bob] and data["withheld"] == {"revoked": 1}
    every = json.loads(run("bundle", project.out, "--include-revoked", "--json").stdout)
    assert sorted(b["credentialId"] for b in every["bundles"]) == sorted([ada, bob]) and every["withheld"] == {}


def test_report_counts_deliveries_in_the_table_and_json(known: SimpleNamespace) -> None:
    assert "E-mail delivery" not in run("report", "--at", AT).stdout  # a project that does not send: no such table
    with Ledger.open(Project.load(known.root).ledger_path) as ledger:
        first = next(i for i in ledger.issuances() if i.state == "issued")
        ledger.record_event(first.credential_id, "sent", actor="registrar", detail={"messageId": "<m@x>"})
    data = json.loads(run("report", "--json", "--at", AT).stdout)
    assert data["overall"]["delivery"] == {"sent": 1, "failed": 0, "notSent": 9}
    out = run("report", "--at", AT).stdout
    table = out[out.index("E-mail delivery"):].splitlines()
    assert table[1].split() == ["badge", "class", "sent", "failed", "not", "sent"]
    assert next(line for line in table if line.startswith("All badges")).split()[2:] == ["1", "0", "9"]


def test_report_csv_html_and_deliveries_show_e_mail_delivery_addresses_only_when_asked(known: SimpleNamespace) -> None:
    with Ledger.open(Project.load(known.root).ledger_path) as ledger:
        issued = [i for i in ledger.issuances() if i.state != "reserved"]
        ledger.record_addresses([(i.credential_id, f"person{n}@example.org", None) for n, i in enumerate(issued)])
        ledger.record_event(issued[0].credential_id, "sent", actor="registrar", detail={"messageId": "<m@x>", "answer": "250 Ok"})
        ledger.record_event(issued[1].credential_id, "send-failed", actor="registrar", detail={"answer": "550 no such user"})
    rows = list(csv.DictReader(io.StringIO(run("report", "--csv", "--at", AT).stdout)))
    assert (rows[-1]["badge_id"], rows[-1]["sent"], rows[-1]["send_failed"], rows[-1]["not_sent"]) == ("*", "1", "1", "8")
    html_file = known.root / "report.html"
    run("report", "--html", html_file, "--at", AT)
    page = html_file.read_text(encoding="utf-8")
    assert "<h2>E-mail delivery</h2>" in page and "@example.org" not in page
    each = run("report", "--deliveries", "--csv", "--at", AT).stdout
    listed = {r["credential_id"]: r for r in csv.DictReader(io.StringIO(each))}
    assert len(listed) == 10 and "@example.org" not in each
    assert listed[issued[0].credential_id]["delivery"] == "sent" and listed[issued[1].credential_id]["answer"] == "550 no such user"
    shown = list(csv.DictReader(io.StringIO(run("report", "--deliveries", "--csv", "--show-addresses", "--at", AT).stdout)))
    assert {r["address"] for r in shown} == {f"person{n}@example.org" for n in range(len(issued))}
    data = json.loads(run("report", "--deliveries", "--json", "--at", AT).stdout)
    assert sum(c["sent"] for c in data["counts"]) == 1 and "@example.org" not in json.dumps(data)
    human = run("report", "--deliveries", "--at", AT).stdout
    assert "10 credential(s); --csv or --json lists each one" in human and "@example.org" not in human
    assert "--show-addresses goes with --deliveries" in run("report", "--csv", "--show-addresses", ok=2).stderr
    assert "cannot be used with --html" in run("report", "--deliveries", "--html", html_file, ok=2).stderr

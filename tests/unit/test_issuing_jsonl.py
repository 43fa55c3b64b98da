"""``--output-mode jsonl``: one JSON Lines file per run, each line the exact text the per-file mode
writes (same signed bytes), atomic (renamed into place at the end), the ledger naming
``<file>#<line>``; resumable after SIGKILL with exactly one line per credential; and
``verify FILE.jsonl`` reports each line."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from badgekit import _jsonl, proof
from badgekit.errors import InputError
from badgekit.ledger import Ledger
from badgekit.project import Project
from badgekit.verify import VerifyOptions, verify_paths
from tests.conftest import run_cli
from tests.unit.test_issuing import run, write_roster


def run_files(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("*.jsonl"))


def lines_by_id(files: list[Path]) -> dict[str, list[tuple[str, bytes]]]:
    found: dict[str, list[tuple[str, bytes]]] = {}
    for f in files:
        for n, line in enumerate(f.read_bytes().splitlines(), 1):
            found.setdefault(json.loads(line)["id"], []).append((f"{f}#{n}", line))
    return found


def test_each_line_is_byte_for_byte_the_file_the_per_file_mode_writes(tmp_path):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 300, bad_every=9)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    first = run(tmp_path, roster, ledger=ledger)
    written = {o.credential_id: Path(o.path).read_bytes() for o in first.outcomes if o.status == "issued"}
    assert len(written) == 300 - len(bad)
    for f in (tmp_path / "out").glob("*.json"):
        f.unlink()

    # the same credentials (same ledger), signed again into one JSON Lines file
    again = run(tmp_path, roster, ledger=ledger, output_mode="jsonl")
    assert again.counts["already-issued"] == len(written)
    files = run_files(tmp_path / "out")
    assert len(files) == 1 and not (tmp_path / "out" / "runs" / ".partial").exists()
    by_id = lines_by_id(files)
    # a line and its newline: exactly the credential file's bytes
    assert {cid: [line + b"\n" for _, line in found] for cid, found in by_id.items()} == {cid: [b] for cid, b in written.items()}
    for issuance in ledger.issuances():  # the ledger says where each one is now
        assert issuance.output_path == by_id[issuance.credential_id][0][0]

    # and back: the run file gone, the per-file mode writes the same bytes again
    files[0].unlink()
    run(tmp_path, roster, ledger=ledger)
    assert {cid: (tmp_path / "out" / f"{cid.rsplit(':', 1)[-1]}.json").read_bytes() for cid in written} == written


def test_a_rerun_writes_nothing_and_a_new_roster_row_goes_to_a_new_run_file(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 40)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    first = run(tmp_path, roster, ledger=ledger, output_mode="jsonl")
    assert first.counts == {"issued": 40}
    (only,) = run_files(tmp_path / "out")
    assert all(proof.verify(json.loads(line)) for line in only.read_bytes().splitlines())
    again = run(tmp_path, roster, ledger=ledger, output_mode="jsonl")
    assert again.counts == {"already-issued": 40} and run_files(tmp_path / "out") == [only]
    write_roster(roster, 41)
    third = run(tmp_path, roster, ledger=ledger, output_mode="jsonl")
    assert third.counts == {"already-issued": 40, "issued": 1}
    assert len(run_files(tmp_path / "out")) == 2


def test_jsonl_refuses_vc_jwt(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    with pytest.raises(InputError, match="--output-mode jsonl"):
        run(tmp_path, roster, output_mode="jsonl", format="jwt")


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from tests.unit import test_issuing as t
    from badgekit.ledger import Ledger
    if __name__ == "__main__":
        tmp = Path(sys.argv[1])
        t.run(tmp, tmp / "roster.csv", ledger=Ledger.open(tmp / "ledger.sqlite3"), output_mode="jsonl", rng_seed=None)
    """
)


def test_sigkill_midway_then_resume_gives_exactly_one_line_per_credential(tmp_path):
    roster = tmp_path / "roster.csv"
    rows = 3000
    write_roster(roster, rows)
    script = tmp_path / "run.py"
    script.write_text(KILL_SCRIPT.format(root=str(Path(__file__).resolve().parents[2])))
    proc = subprocess.Popen([sys.executable, str(script), str(tmp_path)], start_new_session=True)
    db = tmp_path / "ledger.sqlite3"
    deadline = time.time() + 120
    issued = 0
    while time.time() < deadline and proc.poll() is None:  # killed once some rows are marked issued
        time.sleep(0.05)
        try:
            with sqlite3.connect(db, timeout=1) as conn:
                issued = conn.execute("SELECT count(*) FROM issuances WHERE state = 'issued'").fetchone()[0]
        except sqlite3.Error:
            continue
        if issued:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < issued < rows, "the kill should land mid-run"
    out = tmp_path / "out"
    assert run_files(out) == [] and list((out / "runs" / ".partial").glob("*.jsonl"))  # never renamed: not read

    report = run(tmp_path, roster, ledger=Ledger.open(db), output_mode="jsonl", rng_seed=None)
    assert {o.status for o in report.outcomes} <= {"issued", "resumed", "already-issued"}
    by_id = lines_by_id(run_files(out))
    ledger = Ledger.open(db)
    issuances = list(ledger.issuances())
    assert len(issuances) == rows and all(i.state == "issued" for i in issuances)
    assert sorted(by_id) == sorted(i.credential_id for i in issuances)
    assert all(len(found) == 1 for found in by_id.values())  # exactly one line per credential
    for i in issuances:
        assert i.output_path == by_id[i.credential_id][0][0]
    for found in list(by_id.values())[::300]:
        assert proof.verify(json.loads(found[0][1]))
    assert run(tmp_path, roster, ledger=ledger, output_mode="jsonl").counts == {"already-issued": rows}


def test_verify_reports_each_line_and_bounds_each_line(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 5)
    run(tmp_path, roster, output_mode="jsonl", revocable=False)  # no status list to be had offline
    (path,) = run_files(tmp_path / "out")
    lines = path.read_bytes().splitlines()
    tampered = json.loads(lines[1])
    tampered["credentialSubject"]["type"] = ["AchievementSubject", "Tampered"]
    long_line = json.dumps({**json.loads(lines[3]), "padding": "x" * 4000}).encode()
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"\n".join([lines[0], json.dumps(tampered).encode(), b"", long_line, lines[4]]) + b"\n")
    reports = list(verify_paths([mixed], VerifyOptions(max_bytes=3000)))
    assert [r.source for r in reports] == [f"{mixed}#{n}" for n in (1, 2, 4, 5)]
    assert [r.verdict for r in reports] == ["valid", "invalid", "invalid", "valid"]
    assert "longer than the 3000 bytes" in str(reports[2].to_dict())

    result = run_cli("verify", "--jsonl", path, ok=0)
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [f"{path}#{n}" for n in range(1, 6)]
    human = run_cli("verify", path, ok=0).stdout.splitlines()  # one line per credential, as for a folder
    assert len(human) == 5 and all("VALID" in line for line in human)


def test_split_ref_reads_only_jsonl_line_references():
    assert _jsonl.split_ref("out/runs/a.jsonl#12") == ("out/runs/a.jsonl", 12)
    for plain in ("out/a#1.json", "out/C#/x.json", "out/a.jsonl#", "out/a.jsonl#0", "out/a.jsonl#x"):
        assert _jsonl.split_ref(plain) == (plain, None)


def test_read_ref_reads_the_line_the_ledger_names(tmp_path):
    roster = tmp_path / "roster.csv"
    write_roster(roster, 3)
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    run(tmp_path, roster, ledger=ledger, output_mode="jsonl")
    for issuance in ledger.issuances():  # what pathway awards read a component credential with
        assert json.loads(_jsonl.read_ref(issuance.output_path))["id"] == issuance.credential_id
    with pytest.raises(InputError, match=r"\.jsonl: no line 4 \(the run file has 3\)"):
        _jsonl.read_ref(f"{run_files(tmp_path / 'out')[0]}#4")


def test_read_ref_indexes_a_run_file_once_per_version_and_bounds_a_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"n": 1}\n{"n": 2}\r\n\n{"n": 4}\n')
    assert [_jsonl.read_ref(f"{path}#{n}") for n in (4, 1, 2, 3)] == [b'{"n": 4}', b'{"n": 1}', b'{"n": 2}', b""]
    with pytest.raises(InputError, match=r"r\.jsonl#1: line longer than the 5 bytes accepted"):
        _jsonl.read_ref(f"{path}#1", max_bytes=5)
    path.write_bytes(b'{"n": "one"}\n{"n": 2}\n')  # a new version: indexed again
    assert _jsonl.read_ref(f"{path}#1") == b'{"n": "one"}'
    with pytest.raises(InputError, match=r"no line 3 \(the run file has 2\)"):
        _jsonl.read_ref(f"{path}#3")
    with pytest.raises(InputError, match=r"gone\.jsonl: no such file"):
        _jsonl.read_ref(f"{tmp_path / 'gone.jsonl'}#1")
    assert [ref for ref, _ in _jsonl.each_ref(str(path))] == [f"{path}#1", f"{path}#2"]
    assert [data for _, data in _jsonl.each_ref(f"{path}#2")] == [b'{"n": 2}']


def test_read_ref_reads_a_last_line_without_a_line_break_as_verify_numbers_it(tmp_path):
    # Found by scripts/fuzz_verify.py: verify reported r.jsonl#2, and bake / extract / bundle
    # answered "no line 2 (the run file has 1)" for the same line.
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"n": 1}\n{"n": 2}')
    assert [ref for ref, _ in _jsonl.each_ref(str(path))] == [f"{path}#1", f"{path}#2"]
    assert _jsonl.read_ref(f"{path}#2") == b'{"n": 2}'
    with pytest.raises(InputError, match=r"no line 3 \(the run file has 2\)"):
        _jsonl.read_ref(f"{path}#3")


def test_a_run_file_is_read_by_bake_extract_bundle_send_and_revoke(tmp_path, monkeypatch):
    """Run files everywhere: what takes a credential file takes a run file (each line) or one of
    its lines (``<file>.jsonl#<line>``, what the ledger records), through the one reader."""
    from badgekit import baking
    from tests.cli.test_delivery_cli import BADGE
    from tests.unit.test_baking_png import make_hostile

    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "p"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--email", "badges@example.edu",
            "--no-input")
    (root / "badges" / "python-basics.json").write_text(json.dumps(BADGE), encoding="utf-8")
    (root / "class.csv").write_text("email,name\n" + "".join(f"earner{i}@example.org,Earner {i}\n" for i in range(3)),
                                    encoding="utf-8")
    monkeypatch.chdir(root)
    run_cli("issue", "--badge", "python-basics", "class.csv", "--output-mode", "jsonl")
    ledger = Ledger.open(Project.load(root).ledger_path)
    refs = {i.credential_id: i.output_path for i in ledger.issuances()}
    (run_file,) = run_files(root / "out")
    lines = run_file.read_bytes().splitlines()
    assert sorted(refs.values()) == [f"{run_file}#{n}" for n in (1, 2, 3)]

    # bake: a run file → one image per line, named by the credential's UUID; one line → one image
    image = tmp_path / "badge.png"
    image.write_bytes(make_hostile.tiny_png())
    baked = json.loads(run_cli("bake", run_file, image, "-o", tmp_path / "baked", "--json").stdout)
    assert [r["credential"] for r in baked] == [f"{run_file}#{n}" for n in (1, 2, 3)]
    for line in lines:
        cid = json.loads(line)["id"]
        png = tmp_path / "baked" / f"{cid.removeprefix('urn:uuid:')}.png"
        assert baking.extract(png.read_bytes(), source="t").payload.encode() == line
    run_cli("bake", f"{run_file}#2", image, "-o", tmp_path / "two.png")
    assert baking.extract((tmp_path / "two.png").read_bytes(), source="t").payload.encode() == lines[1]

    # extract: a line, exactly as stored
    run_cli("extract", f"{run_file}#3", "--out", tmp_path / "three.json")
    assert (tmp_path / "three.json").read_bytes() == lines[2]

    # bundle: the whole run file, or one line
    bundled = json.loads(run_cli("bundle", run_file, "--out", tmp_path / "bundles", "--json").stdout)
    assert len(bundled["bundles"]) == 3 and bundled["problems"] == []
    for b in bundled["bundles"]:
        assert (Path(b["path"]) / "credential.json").read_bytes().rstrip(b"\n") in lines
    one = json.loads(run_cli("bundle", f"{run_file}#1", "--out", tmp_path / "one", "--json").stdout)
    assert [b["credentialId"] for b in one["bundles"]] == [json.loads(lines[0])["id"]]

    # send: follows the ledger to each line (a dry run writes the messages it would send)
    result = run_cli("send", "--dry-run", "outbox")
    assert "3 message(s) written to outbox/" in result.stderr
    assert sorted(f.name for f in Path("outbox").iterdir()) == sorted(f"{c.removeprefix('urn:uuid:')}.eml" for c in refs)
    eml = (Path("outbox") / sorted(Path("outbox").iterdir())[0].name).read_bytes()
    assert b"badge.png" in eml

    # revoke: a line names its credential
    first = json.loads(lines[0])["id"]
    run_cli("revoke", f"{run_file}#1", "--reason", "test")
    assert (found := ledger.get(first)) is not None and found.state == "revoked"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_jsonl_run_bakes_each_line_into_out_id_png_and_svg(tmp_path, workers):
    from badgekit import baking

    roster = tmp_path / "roster.csv"
    write_roster(roster, 70)  # two signing chunks: with 2 workers, two processes
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    first = run(tmp_path, roster, ledger=ledger, output_mode="jsonl", bake=("png", "svg"), workers=workers)
    assert first.counts == {"issued": 70}
    (run_file,) = run_files(tmp_path / "out")
    lines = run_file.read_bytes().splitlines()
    images = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_file())
    ids = [json.loads(line)["id"].rsplit(":", 1)[-1] for line in lines]
    assert images == sorted(f"{i}.{fmt}" for i in ids for fmt in ("png", "svg"))  # no credential file beside them
    for line, cid in zip(lines, ids, strict=True):
        for fmt in ("png", "svg"):
            # the credential file's text (the line and its newline): the image the per-file mode bakes, byte for byte
            assert baking.extract((tmp_path / "out" / f"{cid}.{fmt}").read_bytes(), source=fmt).payload.encode() == line + b"\n"
    assert not (tmp_path / "out" / ".partial").exists() or not any((tmp_path / "out" / ".partial").iterdir())
    again = run(tmp_path, roster, ledger=ledger, output_mode="jsonl", bake=("png", "svg"), workers=workers)
    assert again.counts == {"already-issued": 70} and run_files(tmp_path / "out") == [run_file]

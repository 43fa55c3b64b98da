"""``badgekit verify FOLDER``: an image found in a folder with no badge baked in at all (a bundle's
QR code, a logo) is skipped, visibly; a damaged badge, or such an image named on the command
line, is still invalid."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit.cli import app
from badgekit.verify import _paths
from tests.cli.test_verify_cli import own_credential
from tests.conftest import FIXED_NOW

runner = CliRunner()
SUMMARY = "(0 all valid, 1 any invalid, 3 none invalid but some indeterminate)"


def run(*args: str):
    return runner.invoke(app, list(args))


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """What ``badgekit bundle`` makes for an earner: credential.json, badge.png and badge.svg with
    the credential baked in, qr.png, qr.svg, email.*, index.html."""
    cred = tmp_path / "cred.json"
    cred.write_text(json.dumps(own_credential()))
    made = run("bundle", str(cred), "--out", str(tmp_path / "bundles"))
    assert made.exit_code == 0, made.stderr
    [folder] = (tmp_path / "bundles").iterdir()
    assert {"badge.png", "badge.svg", "credential.json", "qr.png", "qr.svg"} <= {p.name for p in folder.iterdir()}
    return folder


def plain_png() -> bytes:
    """A 1x1 PNG with no text chunk: a logo."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")


def test_a_bundle_folder_verifies_its_badges_and_skips_its_qr_codes(bundle: Path) -> None:
    result = run("verify", str(bundle))
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert [line.split()[1] for line in lines] == ["VALID", "VALID", "VALID", "SKIPPED", "SKIPPED"]
    assert lines[3] == f"– SKIPPED        {bundle / 'qr.png'}  an image with no badge baked in"
    assert lines[4] == f"– SKIPPED        {bundle / 'qr.svg'}  an image with no badge baked in"
    assert result.stderr.strip() == f"5 files: 3 valid, 0 invalid, 0 indeterminate, 2 skipped; exit code 0 {SUMMARY}"
    # --jsonl and --json: the same reports, a skipped one with its own verdict and exit code 0
    for flag in ("--jsonl", "--json"):
        out = run("verify", str(bundle), flag)
        assert out.exit_code == 0, out.stdout
        reports = ([json.loads(line) for line in out.stdout.splitlines()] if flag == "--jsonl" else json.loads(out.stdout))
        assert [r["verdict"] for r in reports] == ["valid", "valid", "valid", "skipped", "skipped"]
        qr = reports[3]
        assert qr["exitCode"] == 0 and qr["summary"]["format"] == "png"
        assert {c["status"] for c in qr["checks"]} == {"skipped"} and len(qr["checks"]) == 11
        assert "no baked credential" in qr["checks"][0]["reason"]
        assert reports[4]["summary"]["format"] == "svg"
    # --verbose: full reports of the badges, the skipped line of each image
    verbose = run("verify", str(bundle), "--verbose")
    assert verbose.exit_code == 0 and verbose.stdout.count("  ✓  parse") == 3
    assert f"– SKIPPED  {bundle / 'qr.png'}  an image with no badge baked in" in verbose.stdout


def test_a_logo_beside_issued_credentials_is_skipped(tmp_path: Path) -> None:
    issued = tmp_path / "out"
    issued.mkdir()
    for name in ("alice", "bob"):
        (issued / f"{name}.json").write_text(json.dumps(own_credential(name.title())))
    (issued / "logo.png").write_bytes(plain_png())
    (issued / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')
    result = run("verify", str(issued))
    assert result.exit_code == 0, result.stdout
    assert "4 files: 2 valid, 0 invalid, 0 indeterminate, 2 skipped; exit code 0" in result.stderr
    # Named on the command line, the same logo is an error, as before.
    named = run("verify", str(issued / "alice.json"), str(issued / "logo.png"))
    assert named.exit_code == 1
    assert "✗ INVALID        " in named.stdout and "no baked credential" in named.stdout
    # A file both in a folder given and named: named wins, wherever it comes.
    both = run("verify", str(issued), str(issued / "logo.png"), "--jsonl")
    assert [(Path(r["source"]).name, r["verdict"]) for r in map(json.loads, both.stdout.splitlines())] == [
        ("alice.json", "valid"), ("bob.json", "valid"), ("logo.png", "invalid"), ("logo.svg", "skipped"),
        ("logo.png", "invalid")]
    assert both.exit_code == 1


def test_an_explicit_qr_code_is_still_invalid(bundle: Path) -> None:
    result = run("verify", str(bundle / "qr.png"))
    assert result.exit_code == 1
    assert "✗ INVALID" in result.stdout and "no baked credential" in result.stdout


def test_a_damaged_badge_in_a_folder_is_invalid_not_skipped(bundle: Path) -> None:
    png = (bundle / "badge.png").read_bytes()
    at = png.index(b"iTXtopenbadgecredential") + 40
    (bundle / "badge.png").write_bytes(png[:at] + bytes([png[at] ^ 0x20]) + png[at + 1 :])  # the chunk's CRC fails
    svg = (bundle / "badge.svg").read_text()
    (bundle / "badge.svg").write_text(svg.replace("<openbadges:credential", "<openbadges:credential><x/></openbadges:credential><openbadges:credential", 1))
    result = run("verify", str(bundle), "--jsonl")
    assert result.exit_code == 1
    verdicts = {Path(r["source"]).name: r["verdict"] for r in map(json.loads, result.stdout.splitlines())}
    assert verdicts == {"badge.png": "invalid", "badge.svg": "invalid", "credential.json": "valid",
                        "qr.png": "skipped", "qr.svg": "skipped"}


def test_a_folder_with_no_badge_at_all_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(plain_png())
    (tmp_path / "qr.png").write_bytes(plain_png())
    result = run("verify", str(tmp_path))
    assert result.exit_code == 2
    assert "no badge to verify: 2 images with no badge baked in" in result.stderr


def test_worker_processes_skip_the_same_files(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_paths, "PARALLEL_MIN_FILES", 2)  # worker processes even for a few files
    outputs = {}
    for workers in ("1", "2"):
        result = run("verify", str(bundle), "--json", "--workers", workers, "--at", FIXED_NOW)  # one clock
        assert result.exit_code == 0, result.stdout
        outputs[workers] = [(r["source"], r["verdict"], r["checks"]) for r in json.loads(result.stdout)]
    assert outputs["1"] == outputs["2"]
    assert [verdict for _, verdict, _ in outputs["2"]].count("skipped") == 2


def test_a_run_files_summary_counts_credentials_not_files(tmp_path: Path) -> None:
    """A JSON Lines run file holds one credential a line: the summary counts what it verified."""
    run_file = tmp_path / "run.jsonl"
    line = json.dumps(own_credential())
    run_file.write_text(f"{line}\n{line}\n")
    result = run("verify", str(run_file), "--at", FIXED_NOW)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("2 credentials: 2 valid, 0 invalid, 0 indeterminate; exit code 0")
    folder = run("verify", str(tmp_path / "run.jsonl"), str(tmp_path / "run.jsonl"), "--at", FIXED_NOW)
    assert "4 credentials: 4 valid" in folder.stderr

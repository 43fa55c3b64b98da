"""A recipient bundle's index.html and a program report in a real browser (headless Chromium,
Debian's ``chromium`` package, which ``scripts/test`` installs): the badge name and the
verification instructions are drawn on screen, and neither page makes a network request.

One browser run loads both pages and screenshots them. ``BADGEKIT_UPDATE_SCREENSHOTS=1`` copies
the screenshots to ``examples/`` (bundle-screenshot.png, report-screenshot.png). Without Chromium
the test is skipped, unless ``BADGEKIT_REQUIRE_CHROMIUM=1`` (set by scripts/test) makes it fail.
"""

from __future__ import annotations

import os
import shutil
import struct
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit import keys
from badgekit.badgeclass import load_badge_class
from badgekit.cli import app
from badgekit.issuing import IssueOptions, issue_roster
from badgekit.ledger import Ledger
from badgekit.project import Project
from badgekit.report import build_report, report_html
from tests.conftest import TEST_SEED
from tests.e2e._chromium import capture, find_chromium
from tests.unit import test_report

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
ROSTER = """email,name,completed_on,score,supervisor
ana.lima@example.org,Ana Lima,2026-01-12,92,Dr. Ruth Mensah
bjorn.nilsson@example.org,Björn Nilsson,2026-01-13,88,Dr. Ruth Mensah
"""


def _require_chromium() -> None:
    if find_chromium() is None:
        message = "chromium is not installed (Debian: apt-get install chromium; scripts/test does it)"
        if os.environ.get("BADGEKIT_REQUIRE_CHROMIUM") == "1":
            pytest.fail(message + ", but BADGEKIT_REQUIRE_CHROMIUM=1")
        pytest.skip(message)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _bundle(tmp_path: Path) -> Path:
    """An issuer project with the example Laboratory Safety badge class, two credentials issued
    at a fixed time, and their bundles made by ``badgekit bundle``; returns Ana's index.html."""
    root = tmp_path / "project"
    root.mkdir()
    keys.save_key(keys.Ed25519Key.from_seed(TEST_SEED), root / "issuer-key.pem")
    runner = CliRunner()
    init = runner.invoke(app, ["init", str(root), "--name", "Example University", "--url", "https://example.edu",
                               "--email", "badges@example.edu", "--no-input"])
    assert init.exit_code == 0, init.stderr
    shutil.copy(EXAMPLES / "badges" / "safety-training.yaml", root / "badges")
    roster = root / "safety-2026-01.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    project = Project.load(root)
    with Ledger.open(project.ledger_path) as ledger:
        report = issue_roster(
            roster_path=roster, badge=load_badge_class(root / "badges" / "safety-training.yaml"), issuer=project.issuer,
            key=keys.load_key(project.key_path), ledger=ledger, status_base_url=project.status_base_url,
            options=IssueOptions(out_dir=project.output_dir, now=NOW, verification_method=project.verification_method),
        )
    assert report.counts == {"issued": 2}
    result = runner.invoke(app, ["bundle", str(project.output_dir), "--roster", str(roster), "--project", str(root),
                                 "--url-base", "https://example.edu/badges/"])
    assert result.exit_code == 0, result.stderr
    pages = [Path(line) for line in result.stdout.split()]
    assert len(pages) == 2
    ana = next(p for p in pages if "Ana Lima" in p.read_text(encoding="utf-8"))
    return ana


def test_bundle_page_and_report_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _require_chromium()
    page = _bundle(tmp_path)
    with test_report.build_ledger(tmp_path / "report-ledger.sqlite3", monkeypatch) as ledger:
        figures = build_report(ledger, now=test_report.NOW, names=test_report.NAMES)
    report_page = tmp_path / "report.html"
    report_page.write_text(report_html(figures, subtitle="Example University"), encoding="utf-8")

    bundle, program = capture([page.as_uri(), report_page.as_uri()], tmp_path / "chromium-profile")

    # 1. nothing but the files themselves was loaded (the badge image is a data: URI)
    for shot in (bundle, program):
        assert [u for u in shot.requests if not u.startswith(("file://", "data:"))] == []
    # 2. the badge name and the verification instructions are drawn (innerText skips hidden text)
    text = " ".join(bundle.visible_text.split())
    assert bundle.title == "Laboratory Safety \u2013 Ana Lima"
    for expected in ("Laboratory Safety", "Awarded to Ana Lima", "Issued by Example University",
                     "Issued 15 January 2026", "Valid until 15 January 2028", "How to verify",
                     "badgekit verify badge.png", "any Open Badges 3.0 verifier", "the 1EdTech validator",
                     "Add to LinkedIn profile", "Scan for the badge page"):
        assert expected in text, expected
    assert "ana.lima@example.org" not in text
    h1, verify, img = bundle.boxes["h1"], bundle.boxes["#verify"], bundle.boxes["img"]
    assert h1["width"] > 200 and h1["height"] > 20 and 0 <= h1["y"] < 400  # the badge name, above the fold
    assert verify["width"] > 100 and verify["height"] > 10
    assert img["width"] >= 150 and img["height"] >= 150  # the badge image itself
    width, height = _png_size(bundle.screenshot)
    assert width == 1000 and height > 1200

    report_text = " ".join(program.visible_text.split())
    for expected in ("Badge program report", "Issuance over time", "20.0 %", "Python Basics", "Rejected rows"):
        assert expected in report_text, expected
    assert _png_size(program.screenshot)[0] == 1000

    (tmp_path / "bundle-screenshot.png").write_bytes(bundle.screenshot)
    (tmp_path / "report-screenshot.png").write_bytes(program.screenshot)
    if os.environ.get("BADGEKIT_UPDATE_SCREENSHOTS") == "1":
        (EXAMPLES / "bundle-screenshot.png").write_bytes(bundle.screenshot)
        (EXAMPLES / "report-screenshot.png").write_bytes(program.screenshot)


def test_committed_screenshots_exist() -> None:
    for name in ("bundle-screenshot.png", "report-screenshot.png"):
        width, height = _png_size((EXAMPLES / name).read_bytes())
        assert width == 1000 and height > 1000, name

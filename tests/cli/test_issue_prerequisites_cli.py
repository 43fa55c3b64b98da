"""``badgekit issue`` for a certification level: the level below must be held (the project's
ledger), or named in a prior_credential column; ``badge validate`` checks ``requires``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit.errors import ExitCode
from tests.conftest import run_cli


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    run_cli("init", "--name", "Example University", "--url", "https://example.edu", "--no-input")
    run_cli("badge", "new", "-t", "certification-levels", "--set", "program=Cloud", "--no-input")
    return tmp_path


def roster(project: Path, name: str, *rows: str) -> Path:
    path = project / f"{name}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def issue(badge: str, path: Path, ok: int = 0):  # type: ignore[no-untyped-def]
    return run_cli("issue", "--badge", badge, path, "--workers", "1", ok=ok)


MASTERY_HEADER = "email,score,evidence_url,supervisor"


def test_mastery_needs_the_level_below_held_in_the_project(project: Path) -> None:
    assert run_cli("badge", "validate").stdout.count(": ok") == 4
    mastery = roster(project, "mastery", MASTERY_HEADER, "ada@example.org,91,https://work.example.org/ada,Sue")
    refused = issue("cloud-mastery", mastery, ok=ExitCode.FAILED)
    assert (f"{mastery}:line 2, column email: holds no active 'Cloud: Application' credential "
            "(required by this badge class)") in refused.stderr
    assert "1 rejected" in refused.stdout and not list((project / "out").glob("*.json"))

    issue("cloud-awareness", roster(project, "awareness", "email,score", "ada@example.org,75"))
    issue("cloud-application", roster(project, "application", "email,score,evidence_url", "ADA@example.org,80,https://work.example.org/a"))
    assert "1 issued" in issue("cloud-mastery", mastery).stdout


def test_prior_credential_column_admits_a_holder_certified_elsewhere(project: Path) -> None:
    mastery = roster(project, "mastery", MASTERY_HEADER + ",prior_credential",
                     "bo@example.org,88,https://work.example.org/bo,Sue,https://other.example/credentials/7")
    result = run_cli("issue", "--badge", "cloud-mastery", mastery, "--workers", "1", "--json")
    (row,) = json.loads(result.stdout)["rows"]
    evidence = json.loads(Path(row["path"]).read_text(encoding="utf-8"))["evidence"]
    assert [e.get("name") for e in evidence] == [None, "Prior credential"]
    assert evidence[1]["id"] == "https://other.example/credentials/7"


def test_a_required_badge_class_missing_from_the_project(project: Path) -> None:
    (project / "badges" / "cloud-application.yaml").unlink()
    result = run_cli("badge", "validate", ok=ExitCode.FAILED)
    assert "cloud-mastery.yaml: $.badgekit.requires[0]: no badge class with id 'urn:uuid:" in result.stdout
    mastery = roster(project, "mastery", MASTERY_HEADER, "ada@example.org,91,https://work.example.org/ada,Sue")
    result = issue("cloud-mastery", mastery, ok=ExitCode.USAGE)
    assert "cloud-mastery.yaml: $.badgekit.requires[0]: no badge class with id" in result.stderr

"""``badgekit issue`` with a badge class's resultDescriptions: a roster's score (``grade``,
``mark`` …) is a letter where it fills a LetterGrade, a number where it fills a numeric result."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

GRADE = "urn:uuid:0f3c0000-0000-4000-8000-0000000000a1"


def _project(root: Path, monkeypatch: pytest.MonkeyPatch, result_type: str) -> Path:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--no-input")
    badge = {"id": "urn:uuid:8c4e2a1b-5d6f-4a7b-9c8d-1e2f3a4b5c6e", "type": ["Achievement"], "name": "Essay",
             "description": "Wrote the essay.", "criteria": {"narrative": "Write it."},
             "resultDescription": [{"id": GRADE, "type": ["ResultDescription"], "name": "Essay grade",
                                    "resultType": result_type, "allowedValue": ["A", "B+", "B"]}]}
    (root / "badges" / "essay.json").write_text(json.dumps(badge), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def test_a_letter_grade_is_issued_into_result_value_and_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "p", monkeypatch, "LetterGrade")
    (root / "roster.csv").write_text("email,mark\na@example.org,B+\n", encoding="utf-8")
    run_cli("issue", "--badge", "essay", "roster.csv", "--workers", "1", ok=0)  # before: exit 1, 'B+' is not a number
    (issued,) = (root / "out").glob("*.json")
    doc = json.loads(issued.read_text())
    assert doc["credentialSubject"]["result"] == [{"type": ["Result"], "resultDescription": GRADE, "value": "B+"}]
    run_cli("status", "publish")
    verified = run_cli("verify", issued, "--status-list", root / "out" / "status", "--recipient", "a@example.org", "--json")
    assert json.loads(verified.stdout)["verdict"] == "valid"


def test_a_grade_outside_allowed_values_fails_its_row_and_a_number_class_refuses_letters(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project(tmp_path / "p", monkeypatch, "LetterGrade")
    (root / "roster.csv").write_text("email,mark\na@example.org,A\nb@example.org,E\n", encoding="utf-8")
    result = run_cli("issue", "--badge", "essay", "roster.csv", "--workers", "1", ok=1)
    assert "line 3, column mark: 'E' is not an allowed grade of 'Essay grade' (A, B+, B)" in result.output
    root = _project(tmp_path / "q", monkeypatch, "RawScore")
    (root / "roster.csv").write_text("email,mark\na@example.org,B+\n", encoding="utf-8")
    result = run_cli("issue", "--badge", "essay", "roster.csv", "--workers", "1", ok=1)
    assert "line 2, column mark: 'B+' is not a number" in result.output


def test_a_level_naming_none_of_the_rubric_levels_fails_its_row_the_others_are_issued(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, the ``merit`` row was issued (exit 0) without its Result."""
    root = _project(tmp_path / "p", monkeypatch, "LetterGrade")
    levels = [{"id": f"urn:uuid:0f3c0000-0000-4000-8000-0000000000b{n}", "type": ["RubricCriterionLevel"], "name": name,
               "level": str(n), "points": points} for n, name, points in ((1, "Beginning", "50"), (2, "Proficient", "80"))]
    badge = json.loads((root / "badges" / "essay.json").read_text())
    badge["resultDescription"] = [{"id": GRADE, "type": ["ResultDescription"], "name": "Rubric",
                                   "resultType": "RubricCriterionLevel", "rubricCriterionLevel": levels}]
    (root / "badges" / "essay.json").write_text(json.dumps(badge), encoding="utf-8")
    (root / "roster.csv").write_text("email,level,score\na@example.org,proficient,\nb@example.org,merit,\n"
                                     "c@example.org,1,\nd@example.org,,20\n", encoding="utf-8")
    result = run_cli("issue", "--badge", "essay", "roster.csv", "--workers", "1", ok=1)
    assert "line 3, column level: 'merit' is not a rubric level of this badge class (Beginning, Proficient)" in result.output
    achieved = sorted(str(json.loads(p.read_text())["credentialSubject"].get("result")) for p in (root / "out").glob("*.json"))
    assert achieved == [  # by name (any case), by level number; a score reaching no level's points: no Result, as before
        "None", *(str([{"type": ["Result"], "resultDescription": GRADE, "achievedLevel": lv["id"]}]) for lv in levels)]

"""Issuing a badge class that ``requires`` another: the ledger must hold an active credential of
the required class for the row's recipient (or the row names one held elsewhere)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from badgekit.badgeclass import BadgeClass, Policy
from badgekit.issuing import CHUNK, IssueOptions, issue_roster
from badgekit.ledger import Ledger
from tests.unit.test_issuing import ISSUER, KEY, NOW

LOWER_ID = "urn:uuid:0b7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a01"
HIGHER_ID = "urn:uuid:0b7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a02"


def badge(badge_id: str, name: str, *, requires: tuple[str, ...] = (), validity: str | None = None) -> BadgeClass:
    achievement = {"id": badge_id, "type": ["Achievement"], "name": name, "description": f"{name} level.",
                   "criteria": {"narrative": "Pass the assessment."}, "achievementType": "Certification"}
    return BadgeClass(path=Path(f"{name}.yaml"), achievement=achievement, policy=Policy(validity=validity, requires=requires))


LOWER = badge(LOWER_ID, "Practitioner", validity="P1Y")
HIGHER = badge(HIGHER_ID, "Mastery", requires=(LOWER_ID,))
NAMES = {LOWER_ID: "Certification: Practitioner"}


def issue(tmp_path: Path, ledger: Ledger, b: BadgeClass, rows: list[str], *, name: str = "roster", now=NOW, **kw):
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    opts = IssueOptions(out_dir=tmp_path / "out", now=now, rng_seed=3, **kw)
    return issue_roster(roster_path=path, badge=b, issuer=ISSUER, key=KEY, ledger=ledger, options=opts,
                        status_base_url="https://example.edu/status/", prerequisites=NAMES)


def status(report) -> dict[int, str]:  # type: ignore[no-untyped-def]
    return {o.line: o.status for o in report.outcomes}


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.open(tmp_path / "ledger.sqlite3")


def test_a_recipient_without_the_lower_level_is_rejected_before_anything_is_reserved(tmp_path, ledger):
    report = issue(tmp_path, ledger, HIGHER, ["email,name", "ada@example.org,Ada"])
    assert not report.ok and status(report) == {2: "rejected"}
    (error,) = report.outcomes[0].errors
    assert (error.line, error.column) == (2, "email")
    assert error.reason.startswith("holds no active 'Certification: Practitioner' credential (required by this badge class)")
    assert "prior_credential" in error.reason
    assert list(ledger.issuances()) == [] and not (tmp_path / "out").exists()


def test_the_lower_level_issued_in_the_same_ledger_lets_the_higher_one_be_issued(tmp_path, ledger):
    assert issue(tmp_path, ledger, LOWER, ["email", "Ada@Example.org"], name="lower").ok
    report = issue(tmp_path, ledger, HIGHER, ["Email,Name", "ada@example.org,Ada", "bob@example.org,Bob"])
    assert status(report) == {2: "issued", 3: "rejected"}
    assert report.outcomes[1].errors[0].column == "Email"  # the header as the user wrote it


@pytest.mark.parametrize("spoil", ["revoked", "suspended", "expired"])
def test_a_revoked_suspended_or_expired_lower_level_does_not_count(tmp_path, ledger, spoil):
    lower = issue(tmp_path, ledger, LOWER, ["email", "ada@example.org"], name="lower")
    now = NOW
    if spoil == "expired":
        now = NOW + timedelta(days=366)  # P1Y later
    else:
        ledger.change_state(lower.outcomes[0].credential_id, spoil, reason="test", actor="test")
    report = issue(tmp_path, ledger, HIGHER, ["email", "ada@example.org"], now=now)
    assert status(report) == {2: "rejected"}
    assert f"theirs is {spoil}" in report.outcomes[0].errors[0].reason


def test_any_identifier_of_the_row_finds_the_lower_level(tmp_path, ledger):
    assert issue(tmp_path, ledger, LOWER, ["student_id", "S-1001"], name="lower").ok
    report = issue(tmp_path, ledger, HIGHER, ["email,student_id", "ada@example.org,S-1001"])
    assert status(report) == {2: "issued"}


def test_a_rerun_after_the_lower_level_expired_still_reports_already_issued(tmp_path, ledger):
    issue(tmp_path, ledger, LOWER, ["email", "ada@example.org"], name="lower")
    assert issue(tmp_path, ledger, HIGHER, ["email", "ada@example.org"]).ok
    later = NOW + timedelta(days=400)
    assert status(issue(tmp_path, ledger, HIGHER, ["email", "ada@example.org"], now=later)) == {2: "already-issued"}
    assert status(issue(tmp_path, ledger, HIGHER, ["email", "ada@example.org"], now=later, reissue=True)) == {2: "rejected"}


def test_a_prior_credential_column_admits_a_holder_certified_elsewhere_and_is_cited_as_evidence(tmp_path, ledger):
    report = issue(tmp_path, ledger, HIGHER, [
        "email,Prior credential",
        "ada@example.org,https://other.example/credentials/77",
        "bob@example.org,CERT-77",
        "cy@example.org,",
    ])
    assert status(report) == {2: "issued", 3: "rejected", 4: "rejected"}
    assert report.outcomes[1].errors[0].column == "Prior credential"
    assert "'CERT-77' is not an http(s) URL or urn: id" in report.outcomes[1].errors[0].reason
    doc = json.loads(Path(report.outcomes[0].path).read_text(encoding="utf-8"))
    assert {"id": "https://other.example/credentials/77", "type": ["Evidence"], "name": "Prior credential",
            "narrative": "A credential this achievement requires, held elsewhere and accepted by the issuer in its place."} in doc["evidence"]


def test_prior_credential_is_an_unknown_column_for_a_badge_class_without_requires(tmp_path, ledger):
    report = issue(tmp_path, ledger, LOWER, ["email,prior_credential", "ada@example.org,https://other.example/c/1"])
    assert status(report) == {2: "issued"}
    assert [(e.column, e.reason.split(" (")[0]) for e in report.header_errors] == [("prior_credential", "unknown column")]
    assert "evidence" not in json.loads(Path(report.outcomes[0].path).read_text(encoding="utf-8"))


def test_the_ledger_is_asked_once_per_chunk_not_once_per_row(tmp_path, ledger):
    queries: list[str] = []
    ledger._conn.set_trace_callback(queries.append)
    n = CHUNK * 2 + 10
    report = issue(tmp_path, ledger, HIGHER, ["email", *(f"learner{i}@example.org" for i in range(n))], dry_run=True)
    assert report.counts == {"rejected": n}
    assert sum("i.recipient_key IN (" in q and "i.badge_id IN (" in q for q in queries) == 3

"""What issuing signs must not change when its internals do (issue 14: the typed roster row).

A roster that uses every column the credential reads, in the formats spreadsheets write (named
addresses, ``mailto:``, day-first dates with times, decimal commas, percent signs, statuses in
any case), is issued with a fixed ledger secret, clock and status-index seed. The digests below
were recorded with the code before the typed row (commit 52ca009): the credential files (Data
Integrity and VC-JWT) and what the ledger keeps of each row (fingerprint, earned, valid until)
must stay byte for byte the same.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from badgekit.badgeclass import BadgeClass, Policy
from badgekit.issuing import IssueOptions, issue_roster
from badgekit.ledger import Ledger
from tests.unit.test_issuing import ISSUER, KEY, NOW

SECRET = "5a" * 32
ACHIEVEMENT = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Data Handling",
    "description": "Every kind of result.",
    "criteria": {"narrative": "Pass."},
    "resultDescription": [
        {"id": "urn:uuid:11111111-2222-4333-8444-000000000001", "type": ["ResultDescription"], "name": "Score",
         "resultType": "Percent", "valueMin": "0", "valueMax": "100"},
        {"id": "urn:uuid:11111111-2222-4333-8444-000000000002", "type": ["ResultDescription"], "name": "Level",
         "resultType": "RubricCriterionLevel", "rubricCriterionLevel": [
             {"id": "urn:uuid:11111111-2222-4333-8444-0000000000a1", "type": ["RubricCriterionLevel"], "name": "Pass", "points": "50"},
             {"id": "urn:uuid:11111111-2222-4333-8444-0000000000a2", "type": ["RubricCriterionLevel"], "name": "Merit", "points": "75"}]},
        {"id": "urn:uuid:11111111-2222-4333-8444-000000000003", "type": ["ResultDescription"], "name": "Status",
         "resultType": "Status"},
    ],
}
HEADER = ("E-mail Address,Full Name,Score (%),level,status,evidence_url,evidence_narrative,evidence_name,assessor,"
          "supervisor,Date Earned,issued,start_date,end_date,credits,term,role,license_number,narrative,student_id,did")
ROWS = [
    '"Ada Lovelace <Ada@Example.ORG>",Ada,"85,5",,completed,https://portfolio.example.org/ada,"Built it,\nthen tested it",Project,Dr. Who,Ms. Lee,'
    "15/01/2026 10:30,01/02/2026,03/01/2026,12.01.2026,\"1,5\",Fall 2026,Lead,LN-1,A narrative,S-1,",
    "mailto:bob@example.org,Bob,77 %,merit,In Progress,,,,,,2026-01-15T10:00:00+01:00,,,,2,,,,,,",
    ",Carol,60,,on-hold,,,,,,15-Jan-2026,,,,,,,,,S-300,",
    ",Dan,,,,,,,,,\"Jan 5, 2026\",,,,,,,,,,did:example:dan",
    "\u200beve@example.org ,Ève,\"1.234,5\",Pass,,,,,,,,,,,,,,,,,",
]
EXPECTED = {"ldp": "dcfa788b5e329cff1966f069d0f871bc449283c23a8c289d7d9683ea1534f9b1",
            "jwt": "df7263b1020f7ef1f7da1c3ff2c2f129c1ebbe219b5f6c64a48055391c765760"}


def _ledger(path: Path) -> Ledger:
    Ledger.open(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'secret'", (SECRET,))
    return Ledger.open(path)


def issued_digest(tmp_path: Path, fmt: str) -> str:
    roster_path = tmp_path / "roster.csv"
    roster_path.write_text(HEADER + "\n" + "\n".join(ROWS) + "\n", encoding="utf-8")
    badge = BadgeClass(path=Path("data.yaml"), achievement=ACHIEVEMENT, policy=Policy(validity="P1Y"))
    ledger = _ledger(tmp_path / "ledger.sqlite3")
    options = IssueOptions(out_dir=tmp_path / "out", now=NOW, rng_seed=7, date_order="DMY", format=fmt)  # type: ignore[arg-type]
    report = issue_roster(roster_path=roster_path, badge=badge, issuer=ISSUER, key=KEY, ledger=ledger, options=options,
                          status_base_url="https://example.edu/status/")
    assert report.ok and report.counts == {"issued": len(ROWS)}, report.outcomes
    digest = hashlib.sha256()
    for path in sorted((tmp_path / "out").glob("*.*")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for issuance in sorted(ledger.issuances(), key=lambda i: i.credential_id):
        digest.update(repr((issuance.credential_id, issuance.row_fingerprint, issuance.earned_at, issuance.valid_until,
                            issuance.issued_at, issuance.status_index)).encode())
    ledger.close()
    return digest.hexdigest()


@pytest.mark.parametrize("fmt", ["ldp", "jwt"])
def test_issued_bytes_and_ledger_rows_are_unchanged(tmp_path, fmt):
    assert issued_digest(tmp_path, fmt) == EXPECTED[fmt]

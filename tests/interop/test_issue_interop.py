"""Issue 4's acceptance test: a 1,000-row roster with errors sprinkled in. Every good row gets a
credential that badgekit and the Digital Bazaar stack both verify, every bad row is reported by
line, and a second run issues nothing new."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit import proof
from badgekit.ledger import Ledger
from tests.interop import dbstack
from tests.unit.test_issuing import NOW, run, write_roster

pytestmark = pytest.mark.interop


def test_thousand_row_roster_verifies_in_badgekit_and_the_js_stack(tmp_path):
    roster = tmp_path / "roster.csv"
    bad = write_roster(roster, 1000, bad_every=13)
    report = run(tmp_path, roster, workers=2)

    rejected = {o.line: o.errors for o in report.outcomes if o.status == "rejected"}
    assert set(rejected) == bad
    assert all(errors and errors[0].line == line for line, errors in rejected.items())
    issued = [o for o in report.outcomes if o.status == "issued"]
    assert len(issued) == 1000 - len(bad)

    paths = [Path(o.path) for o in issued]
    for path in paths:
        assert proof.verify(json.loads(path.read_text())), path
    results = dbstack.verify(paths, now=NOW.strftime("%Y-%m-%dT%H:%M:%SZ"))
    failures = [(r["file"], r["error"]) for r in results if not r["verified"]]
    assert not failures, failures[:3]

    again = run(tmp_path, roster, workers=2)
    assert again.counts.get("issued", 0) == 0
    assert again.counts["already-issued"] == len(issued)
    assert len(list(Ledger.open(tmp_path / "ledger.sqlite3").issuances())) == len(issued)

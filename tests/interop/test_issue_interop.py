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
PATHWAY = "urn:uuid:1c7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a0f"


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


def test_pathway_and_renewed_credentials_verify_in_the_js_stack(tmp_path):
    """A pathway credential (its components as evidence, urn:uuid ids) and a renewal (the renewed
    credential as evidence, genre Renewal) verify in the Digital Bazaar stack with their status
    lists, as do the components; the evidence is signed: a changed evidence id fails there too."""
    from datetime import timedelta

    from badgekit import lifecycle
    from badgekit.badgeclass import Holdings
    from badgekit.issuing import IssueOptions, issue_roster
    from tests.unit.test_issuing import ISSUER, KEY
    from tests.unit.test_issuing_pathway import MODULES, A, B, award, badge, give
    from tests.unit.test_lifecycle import BASE, project_for

    dbstack.require()
    stamp = "%Y-%m-%dT%H:%M:%SZ"
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        give(tmp_path, ledger, A, "ada@example.org", "bo@example.org")
        give(tmp_path, ledger, B, "ada@example.org")
        (awarded,) = [o for o in award(tmp_path, ledger, badge(PATHWAY, "Both modules", holdings=Holdings.all_of(A, B))).outcomes
                      if o.status == "issued"]
        components = [i.output_path for rid in (A, B) for i in ledger.issuances(badge_id=rid)
                      if i.credential_id in {e["id"] for e in _doc(awarded.path)["evidence"]}]
        old_a = next(i for i in ledger.issuances(badge_id=A) if i.output_path == components[0])
        # two months later ada's module A (valid one year) is renewed early (--renew-within P330D)
        # from a roster row: a moment long past, as the JS status-list check reads the real clock
        later = NOW + timedelta(days=60)
        roster = tmp_path / "renew.csv"
        roster.write_text("email,completed_on\nada@example.org," + later.strftime("%Y-%m-%d") + "\n", encoding="utf-8")
        renewal = issue_roster(roster_path=roster, badge=MODULES[A], issuer=ISSUER, key=KEY, ledger=ledger,
                               status_base_url=BASE, options=IssueOptions(out_dir=tmp_path / "out", now=later, rng_seed=3, renew=True,
                                                                          renew_within="P330D"))
        (renewed,) = renewal.outcomes
        assert renewed.status == "renewed"
        lists = {when: lifecycle.publish_lists(ledger, project_for(tmp_path), KEY, tmp_path / f"status-{n}", when)
                 for n, when in enumerate((NOW, later))}

    pathway_doc, renewed_doc = _doc(awarded.path), _doc(renewed.path)
    assert sorted(e["id"] for e in pathway_doc["evidence"]) == sorted(_doc(p)["id"] for p in components)
    (evidence,) = renewed_doc["evidence"]
    assert (evidence["id"], evidence["genre"]) == (old_a.credential_id, "Renewal")
    for when, paths in ((NOW, [awarded.path, *components]), (later, [renewed.path])):
        urls = {json.loads(p.read_text())["id"]: p for p in lists[when]}
        results = dbstack.verify(paths, now=when.strftime(stamp), check_status=True, status_lists=urls)
        assert [(r["verified"], r["statusChecked"], r["revoked"]) for r in results] == [(True, True, False)] * len(paths), results
    tampered = json.loads(json.dumps(pathway_doc))
    tampered["evidence"][0]["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    renamed = json.loads(json.dumps(renewed_doc))
    renamed["evidence"][0]["genre"] = "Original"
    results = dbstack.verify_documents([tampered, renamed], now=later.strftime(stamp), issuer_check=True)
    assert [(r["verified"], r["error"]) for r in results] == [(False, "Invalid signature.")] * 2


def _doc(path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))

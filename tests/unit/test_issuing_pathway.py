"""Pathway badge classes awarded from the ledger (badgekit.issuing.issue_pathway): who counts as a
holder (active credentials of this issuer only: not revoked, suspended, expired or another
issuer's), nested all_of / n_of, resuming after a crash between reserving and signing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from badgekit.badgeclass import BadgeClass, Holdings, Policy
from badgekit.issuing import (
    COMPONENTS_EVENT,
    IssueOptions,
    _pathway,
    issue_pathway,
    issue_roster,
    prerequisite_check,
)
from badgekit.keys import Ed25519Key
from badgekit.ledger import Ledger
from badgekit.roster import RosterRow, recipient_key
from tests.unit.test_issuing import ISSUER, KEY, NOW

IDS = [f"urn:uuid:1c7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a0{i}" for i in range(5)]
A, B, C, D, P = IDS
OTHER_KEY = Ed25519Key.from_seed(bytes(range(32)))
OTHER_ISSUER = {**ISSUER, "id": OTHER_KEY.did_key, "name": "Elsewhere College"}


def badge(badge_id: str, name: str, *, holdings: Holdings | None = None, validity: str | None = None) -> BadgeClass:
    achievement = {"id": badge_id, "type": ["Achievement"], "name": name, "description": f"{name}.",
                   "criteria": {"narrative": "Do it."}}
    policy = Policy(validity=validity, requires=holdings.badge_ids() if holdings else (), holdings=holdings)
    return BadgeClass(path=Path(f"{name}.yaml"), achievement=achievement, policy=policy)


MODULES = {rid: badge(rid, f"Module {rid[-1]}", validity="P1Y") for rid in (A, B, C, D)}


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger.open(tmp_path / "ledger.sqlite3")


def give(tmp_path: Path, ledger: Ledger, rid: str, *emails: str, issuer=ISSUER, key=KEY, now=NOW) -> None:  # type: ignore[no-untyped-def]
    roster = tmp_path / f"{rid[-1]}-{issuer['name'][0]}.csv"
    roster.write_text("email\n" + "\n".join(emails) + "\n", encoding="utf-8")
    base = "https://example.edu/status/" if issuer is ISSUER else "https://elsewhere.example/status/"
    report = issue_roster(roster_path=roster, badge=MODULES[rid], issuer=issuer, key=key, ledger=ledger,
                          options=IssueOptions(out_dir=tmp_path / "out", now=now, rng_seed=1), status_base_url=base)
    assert report.ok


def award(tmp_path: Path, ledger: Ledger, pathway: BadgeClass, now=NOW, **kw):  # type: ignore[no-untyped-def]
    return issue_pathway(badge=pathway, issuer=ISSUER, key=KEY, ledger=ledger, status_base_url="https://example.edu/status/",
                         options=IssueOptions(out_dir=tmp_path / "out", now=now, rng_seed=2, **kw),
                         prerequisites={rid: b.achievement["name"] for rid, b in MODULES.items()})


def holders(ledger: Ledger, pathway: BadgeClass, now=NOW) -> set[str]:  # type: ignore[no-untyped-def]
    """Emails of the holders (told apart by the ledger key of each email)."""
    keys = {lkey(ledger, f"{n}@example.org"): n for n in ("ada", "bo", "cy", "di")}
    return {keys[h.recipient_key] for h in _pathway.pathway_holders(ledger, pathway, now, ISSUER["id"])}


def lkey(ledger: Ledger, email: str) -> str:
    return ledger.recipient_key(recipient_key(email, None, None))


def credential_of(ledger: Ledger, email: str, rid: str) -> str:
    return ledger.latest_many(rid, [lkey(ledger, email)])[lkey(ledger, email)].credential_id


def test_only_active_credentials_of_this_issuer_count(tmp_path: Path, ledger: Ledger) -> None:
    pathway = badge(P, "Pathway", holdings=Holdings.all_of(A, B))
    give(tmp_path, ledger, A, "ada@example.org", "bo@example.org", "cy@example.org", "di@example.org")
    give(tmp_path, ledger, B, "ada@example.org", "bo@example.org", "cy@example.org")
    give(tmp_path, ledger, B, "di@example.org", issuer=OTHER_ISSUER, key=OTHER_KEY)  # another issuer's module B
    assert holders(ledger, pathway) == {"ada", "bo", "cy"}
    ledger.change_state(credential_of(ledger, "bo@example.org", B), "revoked", reason="x", actor="t")
    ledger.change_state(credential_of(ledger, "cy@example.org", A), "suspended", reason="x", actor="t")
    assert holders(ledger, pathway) == {"ada"}
    # the modules expire after a year: nobody holds them then
    assert holders(ledger, pathway, now=NOW + timedelta(days=366)) == set()
    ledger.change_state(credential_of(ledger, "cy@example.org", A), "issued", reason="lifted", actor="t")
    assert holders(ledger, pathway) == {"ada", "cy"}


def test_nested_n_of_and_all_of(tmp_path: Path, ledger: Ledger) -> None:
    # A, or both of C and D; and B
    pathway = badge(P, "Pathway", holdings=Holdings.all_of(B, Holdings(1, (A, Holdings.all_of(C, D)))))
    give(tmp_path, ledger, B, "ada@example.org", "bo@example.org", "cy@example.org", "di@example.org")
    give(tmp_path, ledger, A, "ada@example.org")
    give(tmp_path, ledger, C, "bo@example.org", "cy@example.org")
    give(tmp_path, ledger, D, "bo@example.org", "di@example.org")
    assert holders(ledger, pathway) == {"ada", "bo"}


def test_the_roster_check_reads_the_same_rule(tmp_path: Path, ledger: Ledger) -> None:
    rule = Holdings(2, (A, B, C))
    give(tmp_path, ledger, A, "ada@example.org", "bo@example.org")
    give(tmp_path, ledger, C, "ada@example.org")
    check = prerequisite_check(ledger, P, {A: "Module a", B: "Module b", C: "Module c"}, NOW, rule=rule, issuer=ISSUER["id"])
    rows = [RosterRow(2, {"email": "ada@example.org"}, email="ada@example.org"),
            RosterRow(3, {"email": "bo@example.org"}, email="bo@example.org")]
    errors = check(rows)
    assert list(errors) == [3]
    assert "needs 1 more of: 'Module b', 'Module c'" in errors[3][0].reason


def test_award_names_components_is_idempotent_and_resumes_with_the_same_bytes(tmp_path: Path, ledger: Ledger,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    pathway = badge(P, "Pathway", holdings=Holdings(2, (A, B, C)))
    give(tmp_path, ledger, A, "ada@example.org", "bo@example.org")
    give(tmp_path, ledger, B, "ada@example.org", "bo@example.org")
    give(tmp_path, ledger, C, "ada@example.org")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(_pathway, "_sign", crash)  # killed after reserving, before signing
    with pytest.raises(KeyboardInterrupt):
        award(tmp_path, ledger, pathway)
    reserved = [i for i in ledger.issuances(badge_id=P)]
    assert [i.state for i in reserved] == ["reserved", "reserved"]
    recorded = {i.credential_id: next(ledger.events(credential_id=i.credential_id, kinds=[COMPONENTS_EVENT])).detail
                for i in reserved}
    # ada's module C is revoked meanwhile: the resumed credential still names what it was reserved with
    ledger.change_state(credential_of(ledger, "ada@example.org", C), "revoked", reason="x", actor="t")
    monkeypatch.undo()
    report = award(tmp_path, ledger, pathway)
    assert report.counts == {"resumed": 2}
    for o in report.outcomes:
        credential = json.loads(Path(o.path).read_text(encoding="utf-8"))
        assert [e["id"] for e in credential["evidence"]] == recorded[o.credential_id]["components"]
    assert sorted(len(v["components"]) for v in recorded.values()) == [2, 3]
    assert {i.state for i in ledger.issuances(badge_id=P)} == {"issued"}
    assert award(tmp_path, ledger, pathway).counts == {"already-issued": 2}
    assert award(tmp_path, ledger, pathway, dry_run=True).counts == {"already-issued": 2}


def test_a_holder_whose_component_files_are_gone_is_rejected_with_the_reason(tmp_path: Path, ledger: Ledger) -> None:
    pathway = badge(P, "Pathway", holdings=Holdings.all_of(A))
    give(tmp_path, ledger, A, "ada@example.org")
    Path(ledger.get(credential_of(ledger, "ada@example.org", A)).output_path).unlink()  # type: ignore[union-attr]
    report = award(tmp_path, ledger, pathway)
    assert report.counts == {"rejected": 1} and not report.ok
    assert "no readable component credential of this issuer" in report.outcomes[0].errors[0].reason
    assert list(ledger.issuances(badge_id=P)) == []


def test_a_badge_class_with_roster_requirements_is_not_awarded_from_the_ledger(tmp_path: Path, ledger: Ledger) -> None:
    from badgekit.badgeclass import Requirement
    from badgekit.errors import InputError

    b = badge(P, "Level", holdings=Holdings.all_of(A))
    b = BadgeClass(path=b.path, achievement=b.achievement,
                   policy=Policy(requires=(A,), requirements=(Requirement("score", "min", 70),)))
    with pytest.raises(InputError, match="not a pathway badge class: it reads roster columns"):
        award(tmp_path, ledger, b)

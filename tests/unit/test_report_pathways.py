"""The pathway map of a program report (badgekit.report.pathway_map): a ledger built by hand with
active, revoked, suspended, expired, other-issuer and reserved components, a nested requirement,
and every number checked; the same holders as pathway awards count; the diagram's geometry."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit import report
from badgekit.badgeclass import BadgeClass, Holdings, Policy
from badgekit.issuing import pathway_holders
from badgekit.ledger import Ledger

A, B, C, P, OTHER = (f"urn:uuid:2d7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a0{i}" for i in range(5))
NAMES = {A: "Foundations", B: "Methods <R>", C: "Methods (Python)", P: "Data & Analysis"}
ME, THEM = "did:key:z6MkMe", "did:key:z6MkThem"
NOW = datetime(2026, 3, 15, tzinfo=UTC)
# all of: Foundations and (1 of: Methods <R>, Methods (Python))
RULE = Holdings.all_of(A, Holdings(1, (B, C)))


def pathway(badge_id: str = P, rule: Holdings = RULE, name: str = "Data & Analysis") -> BadgeClass:
    achievement = {"id": badge_id, "type": ["Achievement"], "name": name, "description": "d", "criteria": {"narrative": "n"}}
    return BadgeClass(path=Path("data.yaml"), achievement=achievement, policy=Policy(requires=rule.badge_ids(), holdings=rule))


def give(ledger: Ledger, badge: str, who: str, state: str = "issued", *, until: str | None = None, issuer: str = ME) -> None:
    (i,) = ledger.reserve([{"badge_id": badge, "recipient_key": who, "generation": 1, "row_fingerprint": who,
                            "issued_at": "2026-01-05T10:00:00Z", "valid_until": until, "earned_at": None}],
                          purpose="revocation", url_for=lambda n: f"https://{issuer[-4:].lower()}.example/status/{n}",
                          issuer=issuer)
    if state == "reserved":
        return
    ledger.mark_issued([(i.credential_id, f"/out/{who}-{badge[-1]}.json")])
    if state in ("revoked", "suspended"):
        ledger.change_state(i.credential_id, state, reason="test", actor="test")


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    give(ledger, A, "ada"), give(ledger, B, "ada"), give(ledger, P, "ada")           # holds 2, awarded
    give(ledger, A, "bo"), give(ledger, B, "bo", "revoked"), give(ledger, C, "bo")  # holds 2 (B revoked), eligible
    give(ledger, A, "cy"), give(ledger, B, "cy", until="2026-03-01T00:00:00Z")       # holds 1 (B expired)
    give(ledger, A, "di", issuer=THEM), give(ledger, B, "di"), give(ledger, C, "di")  # holds 2 (A another issuer's)
    give(ledger, A, "ed", "reserved")                                                 # not started: nothing signed
    give(ledger, A, "fay", "suspended")                                               # holds 0 (suspended)
    give(ledger, A, "gus", "revoked"), give(ledger, P, "gus")                         # holds 0, awarded
    give(ledger, A, "hal"), give(ledger, B, "hal"), give(ledger, P, "hal", "reserved")  # holds 2, award pending
    give(ledger, OTHER, "ivy")                                                        # another badge: not in it
    return ledger


def test_every_number_of_a_nested_pathway(ledger: Ledger) -> None:
    (p,) = report.pathway_map(ledger, [pathway()], now=NOW, issuer=ME, names=NAMES)
    assert p.components == (A, B, C)
    assert p.holding == (2, 1, 4, 0) and p.recipients == 7  # fay, gus | cy | ada, bo, di, hal
    root = p.requirement
    assert (root.n, root.holders) == (2, 3) and p.eligible == 3  # ada, bo, hal
    (a, group) = root.of
    assert (a.badge_id, a.name, a.holders) == (A, "Foundations", 4)  # ada, bo, cy, hal
    assert (group.n, group.holders, [c.holders for c in group.of]) == (1, 4, [3, 2])  # ada, bo, di, hal
    assert (p.awarded, p.not_yet_awarded) == (2, 1)  # ada and gus; bo (hal's award is reserved)
    assert p.describe() == "all of: 'Foundations', (1 of: 'Methods <R>', 'Methods (Python)')"
    assert p.to_json()["requires"] == {"n": 2, "holders": 3, "of": [
        {"badge": A, "name": "Foundations", "holders": 4},
        {"n": 1, "holders": 4, "of": [{"badge": B, "name": "Methods <R>", "holders": 3},
                                      {"badge": C, "name": "Methods (Python)", "holders": 2}]}]}


def test_eligible_are_exactly_the_holders_pathway_awards_count(ledger: Ledger) -> None:
    for now in (NOW, datetime(2026, 2, 1, tzinfo=UTC)):  # before cy's B expired, cy is eligible too
        (p,) = report.pathway_map(ledger, [pathway()], now=now, issuer=ME)
        assert p.eligible == len(pathway_holders(ledger, pathway(), now, ME)) == (3 if now == NOW else 4)


def test_other_issuer_and_plain_badge_classes(ledger: Ledger) -> None:
    # as the other issuer: only di's A counts, and nothing else
    (p,) = report.pathway_map(ledger, [pathway()], now=NOW, issuer=THEM)
    assert p.holding[1] == 1 and p.eligible == 0
    plain = BadgeClass(path=Path("x.yaml"), achievement={"id": OTHER, "type": ["Achievement"], "name": "x"})
    assert report.pathway_map(ledger, [plain], now=NOW, issuer=ME) == ()


def test_build_report_carries_the_map_and_filters_it_by_badge(ledger: Ledger) -> None:
    full = report.build_report(ledger, now=NOW, names=NAMES, pathways=[pathway()], issuer=ME)
    assert [p.badge_id for p in full.pathways] == [P]
    assert full.to_json()["pathways"][0]["holding"] == [{"components": k, "recipients": n} for k, n in enumerate((2, 1, 4, 0))]
    assert report.build_report(ledger, now=NOW, badge_id=B, pathways=[pathway()], issuer=ME).pathways != ()
    assert report.build_report(ledger, now=NOW, badge_id=OTHER, pathways=[pathway()], issuer=ME).pathways == ()


def test_csv_one_row_per_number_held(ledger: Ledger) -> None:
    r = report.build_report(ledger, now=NOW, names={**NAMES, P: "=cmd"}, pathways=[pathway()], issuer=ME)
    rows = list(csv.DictReader(io.StringIO(report.pathways_csv(r.pathways))))
    assert tuple(rows[0]) == report.PATHWAY_CSV_COLUMNS
    assert [(r["held"], r["recipients"]) for r in rows] == [("0", "2"), ("1", "1"), ("2", "4"), ("3", "0")]
    assert {(r["pathway_name"], r["eligible"], r["awarded"], r["not_yet_awarded"]) for r in rows} == {("'=cmd", "3", "2", "1")}


def _boxes(svg: str) -> list[tuple[float, float, float, float]]:
    return [tuple(float(v) for v in m) for m in re.findall(  # type: ignore[misc]
        r'<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" rx="8"', svg)]


def _nodes(rule: Holdings) -> int:
    return 1 + sum(1 if isinstance(item, str) else _nodes(item) for item in rule.of)


@pytest.mark.parametrize("rule", [RULE, Holdings.all_of(A, B, C), Holdings(2, (A, Holdings.all_of(B, Holdings(1, (C, OTHER))), B))])
def test_diagram_boxes_fit_and_never_overlap(ledger: Ledger, rule: Holdings) -> None:
    (p,) = report.pathway_map(ledger, [pathway(rule=rule, name="A pathway with a rather long name " * 3)], now=NOW, issuer=ME,
                              names={A: "Foundations of data analysis with a very long module title"})
    d = report.pathway_diagram(p)
    boxes = [(n["x"], n["y"], n["w"], n["h"]) for n in d["nodes"]]
    assert len(boxes) == _nodes(rule)
    for x, y, w, h in boxes:
        assert 0 <= x <= d["width"] - w and 0 <= y <= d["height"] - h
    for i, (x1, y1, w1, h1) in enumerate(boxes):
        for x2, y2, w2, h2 in boxes[i + 1:]:
            assert x1 + w1 <= x2 or x2 + w2 <= x1 or y1 + h1 <= y2 or y2 + h2 <= y1, (boxes, i)
    for n in d["nodes"]:  # a line never runs past its box (a bold 13 px character: at most about 7.5 px)
        assert all(len(line) * 7.5 <= n["w"] - 16 for line in n["lines"]), n["lines"]


def test_html_draws_each_pathway_with_its_counts_escaped(ledger: Ledger) -> None:
    r = report.build_report(ledger, now=NOW, names=NAMES, pathways=[pathway()], issuer=ME)
    page = report.report_html(r)
    (svg,) = re.findall(r'<svg class="chart pathway".*?</svg>', page, re.S)
    assert len(_boxes(svg)) == 5  # three components, the nested group, the pathway
    for text in ("held by 4 of 7", "held by 3 of 7", "held by 2 of 7", "1 of 2", "met by 4", "requires all of 2",
                 "eligible 3 \u00b7 awarded 2", "Methods &lt;R&gt;", "Data &amp; Analysis"):
        assert f">{text}<" in svg, text
    assert svg.count("<path ") == 4  # A → pathway, group → pathway, B → group, C → group
    assert "<script" not in page and "Methods <R>" not in page
    assert "1 eligible but not yet awarded" in page
    for label, n in (("holds 0 of 3", 2), ("holds 1 of 3", 1), ("holds 2 of 3", 4), ("holds all 3", 0)):
        assert re.search(rf"<title>{label}: {n}</title>", page), label

"""The pathway diagrams of ``report --html`` drawn by a real browser (headless Chromium): every
line of text stays inside its box and no two boxes' text overlap, for a flat and a nested
pathway with long names; the page loads nothing. The screenshot is kept in the test's folder."""

from __future__ import annotations

from pathlib import Path

from badgekit import report
from badgekit.badgeclass import Holdings
from tests.e2e._chromium import capture
from tests.e2e.test_bundle_chromium import _png_size, _require_chromium
from tests.unit import test_report_pathways as t

#: Per pathway diagram: each text's box (SVG units) against its node's rectangle; texts of
#: different nodes that overlap.
PROBE = """
Array.from(document.querySelectorAll('svg.pathway')).map(svg => {
  const nodes = Array.from(svg.querySelectorAll('g')).map(g => {
    const r = g.querySelector('rect');
    const box = {x: +r.getAttribute('x'), y: +r.getAttribute('y'), w: +r.getAttribute('width'), h: +r.getAttribute('height')};
    const texts = Array.from(g.querySelectorAll('text')).map(t => { const b = t.getBBox();
      return {text: t.textContent, x: b.x, y: b.y, w: b.width, h: b.height}; });
    return {box, texts};
  });
  const outside = nodes.flatMap(n => n.texts.filter(t => t.x < n.box.x + 4 || t.x + t.w > n.box.x + n.box.w - 4
    || t.y < n.box.y || t.y + t.h > n.box.y + n.box.h).map(t => t.text));
  const all = nodes.flatMap((n, i) => n.texts.map(t => ({...t, node: i})));
  const overlaps = [];
  for (const a of all) for (const b of all) if (a.node < b.node && a.x < b.x + b.w && b.x < a.x + a.w
    && a.y < b.y + b.h && b.y < a.y + a.h) overlaps.push([a.text, b.text]);
  return {nodes: nodes.length, texts: all.length, outside, overlaps};
})
"""


def test_pathway_diagrams_are_legible_in_chromium(tmp_path: Path) -> None:
    _require_chromium()
    ledger = t.ledger.__wrapped__(tmp_path)  # type: ignore[attr-defined]  # the fixture's ledger, built here
    nested = Holdings(2, (t.A, Holdings.all_of(t.B, Holdings(1, (t.C, t.OTHER))), t.B))
    names = {**t.NAMES, t.A: "Foundations of data analysis with a very long module title",
             t.OTHER: "Capstone project in applied statistics and visualisation"}
    figures = report.build_report(ledger, now=t.NOW, names=names, issuer=t.ME, pathways=[
        t.pathway(), t.pathway(badge_id=t.P[:-1] + "9", rule=nested, name="Advanced Data Practitioner Certificate (level 2)")])
    page = tmp_path / "report.html"
    page.write_text(report.report_html(figures), encoding="utf-8")
    (shot,) = capture([page.as_uri()], tmp_path / "chromium-profile", probe=PROBE)
    (tmp_path / "report-pathways.png").write_bytes(shot.screenshot)

    assert [u for u in shot.requests if not u.startswith(("file://", "data:"))] == []
    assert [d["nodes"] for d in shot.probed] == [8, 5]  # by name: the nested one first
    for diagram in shot.probed:
        assert diagram["texts"] >= 2 * diagram["nodes"]
        assert diagram["outside"] == [] and diagram["overlaps"] == [], diagram
    text = " ".join(shot.visible_text.split())
    for expected in ("Pathway: Advanced Data Practitioner Certificate (level 2)", "Pathway: Data & Analysis",
                     "Recipients by components held"):
        assert expected in text, expected
    assert _png_size(shot.screenshot)[0] == 1000

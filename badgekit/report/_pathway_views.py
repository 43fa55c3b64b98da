"""The pathway map written out: CSV rows (:func:`pathways_csv`) and the geometry of each pathway's
diagram in the HTML report (:func:`pathway_diagram`, drawn by ``report_pathways.html``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from badgekit.report._csv import _csv_text
from badgekit.report._figures import _short
from badgekit.report._pathways import PathwayFigures, PathwayNode

#: The columns of :func:`pathways_csv`: one row per pathway and number of components held.
PATHWAY_CSV_COLUMNS = ("pathway_id", "pathway_name", "requirement", "components", "held", "recipients",
                       "eligible", "awarded", "not_yet_awarded")


def pathways_csv(pathways: Sequence[PathwayFigures]) -> str:
    """One row per pathway and number of components held (0 … all), with the pathway's totals
    repeated on each row (so a spreadsheet can pivot or filter them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(PATHWAY_CSV_COLUMNS)
    for p in pathways:
        for k, n in enumerate(p.holding):
            w.writerow([p.badge_id, _csv_text(p.name), _csv_text(p.describe()), len(p.components), k, n,
                        p.eligible, p.awarded, p.not_yet_awarded])
    return buf.getvalue()


_WIDTH, _PAD, _TOP = 860, 8, 10
_LEAF_W, _LEAF_H, _ROOT_W, _ROOT_H, _GROUP_W, _GROUP_H, _PITCH = 250, 52, 250, 80, 116, 46, 66
COMPONENT_COLOUR, GROUP_COLOUR, PATHWAY_COLOUR = "#0f62fe", "#8a3ffc", "#6929c4"


def pathway_diagram(p: PathwayFigures) -> dict[str, Any]:
    """Geometry of one pathway's diagram: its components (left) flow into nested groups and the
    pathway (right), each box with its count, each arrow as thick as the share of recipients
    holding (or meeting) what it comes from; and the drop-off bars (holding 0 … all)."""
    leaves: list[PathwayNode] = []

    def depth_of(node: PathwayNode, depth: int) -> int:
        if node.badge_id is not None:
            leaves.append(node)
            return 0
        return max([depth] + [depth_of(c, depth + 1) for c in node.of])

    levels = depth_of(p.requirement, 0)  # group levels below the root
    root_x = _WIDTH - _PAD - _ROOT_W
    span = root_x - (_PAD + _LEAF_W)
    group_w = min(_GROUP_W, max(72, (span - 36 * (levels + 1)) // max(levels, 1)))
    gap = (span - levels * group_w) / (levels + 1)
    population = p.recipients or 1
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    row = 0

    def place(node: PathwayNode, depth: int) -> dict[str, Any]:
        nonlocal row
        box: dict[str, Any]
        if node.badge_id is not None:
            y = _TOP + row * _PITCH
            row += 1
            box = {"kind": "component", "x": _PAD, "y": y, "w": _LEAF_W, "h": _LEAF_H, "title": node.name,
                   "lines": (_short(node.name, 29), f"held by {node.holders:,} of {p.recipients:,}"),
                   "share": node.holders / population, "colour": COMPONENT_COLOUR}
        else:
            children = [place(c, depth + 1) for c in node.of]
            cy = sum(c["y"] + c["h"] / 2 for c in children) / len(children)
            if depth == 0:
                box = {"kind": "pathway", "x": root_x, "y": max(_TOP, cy - _ROOT_H / 2), "w": _ROOT_W, "h": _ROOT_H,
                       "title": p.name, "lines": (_short(p.name, 29), f"requires {node.need}",
                                                  f"eligible {p.eligible:,} \u00b7 awarded {p.awarded:,}"),
                       "share": node.holders / population, "colour": PATHWAY_COLOUR}
            else:
                box = {"kind": "group", "x": root_x - depth * (gap + group_w), "y": cy - _GROUP_H / 2, "w": group_w,
                       "h": _GROUP_H, "title": f"{node.need}: {_describe_children(node)}",
                       "lines": (node.need, f"met by {node.holders:,}"), "share": node.holders / population,
                       "colour": GROUP_COLOUR}
            for i, child in enumerate(children):
                x1, y1 = child["x"] + child["w"], child["y"] + child["h"] / 2
                x2, y2 = box["x"], box["y"] + box["h"] * (i + 1) / (len(children) + 1)
                mid = (x1 + x2 - 7) / 2
                edges.append({"d": f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2 - 7:.1f},{y2:.1f}",
                              "head": f"{x2 - 8:.1f},{y2 - 4.5:.1f} {x2:.1f},{y2:.1f} {x2 - 8:.1f},{y2 + 4.5:.1f}",
                              "width": 1.5 + 6 * child["share"], "colour": child["colour"], "title": child["title"]})
        nodes.append(box)
        return box

    place(p.requirement, 0)
    height = max(_TOP + row * _PITCH - (_PITCH - _LEAF_H), max(n["y"] + n["h"] for n in nodes)) + _TOP
    n = len(p.components)
    bars = [(f"holds all {n}" if k == n and n > 1 else f"holds {k} of {n}", count) for k, count in enumerate(p.holding)]
    return {"figures": p, "width": _WIDTH, "height": height, "nodes": nodes, "edges": edges, "bars": bars}


def _describe_children(node: PathwayNode) -> str:
    return ", ".join(c.name if c.badge_id is not None else f"({c.need})" for c in node.of)

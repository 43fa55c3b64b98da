"""verify_paths: many files in worker processes give exactly the reports one process gives."""

from __future__ import annotations

from pathlib import Path

from badgekit.verify import (
    PARALLEL_CHUNK,
    PARALLEL_MIN_FILES,
    VerifyOptions,
    expand_paths,
    parse_timestamp,
    verify_path,
    verify_paths,
)
from tests.conftest import FIXED_NOW, VECTORS

INVALID = Path(__file__).resolve().parents[1] / "invalid"
OB = VECTORS / "1edtech-validator-ob30"


def test_parallel_reports_equal_sequential_ones_in_the_same_order():
    # Every invalid case, every 1EdTech fixture (valid, invalid, indeterminate; JSON, PNG, SVG, JWT).
    every = expand_paths([INVALID, OB])
    paths = every + [OB / "simple.json"] * (PARALLEL_MIN_FILES - len(every))  # enough files for worker processes
    assert len(paths) > 2 * PARALLEL_CHUNK  # so that the work really is split
    options = VerifyOptions(at=parse_timestamp(FIXED_NOW), recipient="a@example.com")
    sequential = [verify_path(p, options).to_dict() for p in paths]
    parallel = [r.to_dict() for r in verify_paths(paths, options, workers=2)]
    assert parallel == sequential
    assert {r["verdict"] for r in parallel} == {"valid", "invalid", "indeterminate"}


def test_few_files_stay_in_this_process():
    paths = expand_paths([OB])[:3]
    reports = list(verify_paths(paths, VerifyOptions(), workers=8))
    assert [r.source for r in reports] == [str(p) for p in paths]

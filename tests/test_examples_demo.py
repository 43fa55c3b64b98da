"""The README's first command runs the main job on the bundled example: prove it in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo.sh"


def _demo(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": sys.executable, "NO_COLOR": "1"}
    return subprocess.run(["sh", str(DEMO)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_demo_issues_bakes_publishes_and_verifies_then_reruns_idempotently(tmp_path):
    first = _demo(tmp_path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "✓ VALID" in first.stdout and "12 issued" in first.stdout
    project = tmp_path / "badgekit-demo"
    assert len(list((project / "out").glob("*.png"))) == 12
    assert (project / "out" / "status" / "revocation-1.json").is_file()
    second = _demo(tmp_path)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "12 already issued" in second.stdout and "nothing new to issue" in second.stderr

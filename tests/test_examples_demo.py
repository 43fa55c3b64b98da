"""The README's first command runs the main job on the bundled example: prove it in CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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


ROOT = DEMO.parents[1]
#: What a fresh Debian or Ubuntu login has on PATH: the distribution's python3, no pyenv, no venv.
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
#: Left out of the copy of the repository: local state, never part of a checkout.
NOT_CHECKED_IN = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", ".hypothesis", ".ruff_cache",
                                        ".pytest_cache", ".benchmarks", "badgekit-demo", "*.egg-info")


def readme_setup_commands() -> list[str]:
    """The command lines of the README's set-up block, as written."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("\n## Set up", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def _distribution_python() -> Path | None:
    """The system's python3 when its distribution manages it (PEP 668: pip refuses to install)."""
    for folder in SYSTEM_PATH:
        python = Path(folder) / "python3"
        if python.is_file():
            stdlib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('stdlib'))"],
                                    capture_output=True, text=True, check=False).stdout.strip()
            return python if stdlib and (Path(stdlib) / "EXTERNALLY-MANAGED").is_file() else None
    return None


@pytest.mark.slow
def test_readme_set_up_works_with_a_distribution_python(tmp_path: Path) -> None:
    """The README's first command, exactly as written, on a copy of the repository with only the
    distribution's Python on PATH; then scripts/test uses the same .venv, and says what is
    missing when Node.js is not there (skipping, or failing when the interop tests are required)."""
    if _distribution_python() is None:
        pytest.skip("no externally managed (PEP 668) python3 on the system PATH")
    first, second = readme_setup_commands()
    assert second == "scripts/test"
    repo = tmp_path / "badgekit"
    shutil.copytree(ROOT, repo, ignore=NOT_CHECKED_IN)
    no_node = tmp_path / "bin"  # the system PATH without node and npm
    no_node.mkdir()
    for folder in reversed(SYSTEM_PATH):
        if Path(folder).is_dir():
            for tool in os.listdir(folder):
                if tool not in ("node", "nodejs", "npm", "npx") and not (no_node / tool).exists():
                    (no_node / tool).symlink_to(Path(folder) / tool)
    env = {"PATH": str(no_node), "HOME": os.environ.get("HOME", str(tmp_path)), "LANG": "C.UTF-8", "NO_COLOR": "1",
           "BADGEKIT_CACHE_DIR": os.environ["BADGEKIT_CACHE_DIR"]}
    # how this machine reaches the package index (a mirror, a proxy, a CA bundle): not Python's choice
    env.update({k: v for k, v in os.environ.items() if k.startswith("PIP_") or k.lower().endswith("_proxy")
                or k in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")})

    done = subprocess.run(["sh", "-c", first], cwd=repo, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    assert "✓ VALID" in done.stdout and "12 issued" in done.stdout
    assert (repo / ".venv" / "bin" / "badgekit").is_file() and (repo / "badgekit-demo" / "badgekit.toml").is_file()

    one_cpu = ["taskset", "-c", str(min(os.sched_getaffinity(0)))] if shutil.which("taskset") else []
    tests = subprocess.run([*one_cpu, str(repo / "scripts" / "test"), "tests/unit/test_io.py"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert tests.returncode == 0, (tests.stdout + tests.stderr)[-3000:]
    assert "node and npm were not found" in tests.stderr and "they will be skipped" in tests.stderr
    assert " passed" in tests.stdout and (repo / ".venv" / "bin" / "pytest").is_file()  # the same .venv
    if one_cpu:  # as many pytest workers as CPUs this process may use
        assert "created: 1/1 worker\n" in tests.stdout, tests.stdout[:500]
    required = subprocess.run([str(repo / "scripts" / "test")], cwd=tmp_path, env={**env, "BADGEKIT_REQUIRE_INTEROP": "1"},
                              capture_output=True, text=True, timeout=900)
    assert required.returncode == 1 and "BADGEKIT_REQUIRE_INTEROP=1 requires them" in required.stderr

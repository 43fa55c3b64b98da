"""Shared fixtures. Network access is forbidden in every test (pytest-socket, see pyproject)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

# PyLD imports urllib3, which probes for IPv6 with a socket at import time; import it here,
# before pytest-socket blocks sockets, so that probe is not reported as a network attempt.
import pyld.jsonld  # noqa: F401
import pytest

from badgekit.keys import Ed25519Key

VECTORS = Path(__file__).parent / "vectors"
#: Fixed test clock: every golden file and signed fixture uses it.
FIXED_NOW = "2026-01-15T12:00:00Z"
#: Fixed issuer key for tests (never used outside tests).
TEST_SEED = bytes.fromhex("9b1c3c5f6a1f2e4d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f")


@pytest.fixture(autouse=True)
def _private_verification_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test (and every badgekit process a test starts) sees an empty cache of its own,
    never the developer's ~/.cache/badgekit (see badgekit.cache)."""
    monkeypatch.setenv("BADGEKIT_CACHE_DIR", str(tmp_path_factory.mktemp("badgekit-cache")))


def load_vector(rel: str) -> Any:
    return json.loads((VECTORS / rel).read_text(encoding="utf-8"))


@pytest.fixture
def test_key() -> Ed25519Key:
    return Ed25519Key.from_seed(TEST_SEED)


@pytest.fixture
def vectors() -> Path:
    return VECTORS


def run_cli(*args: Any, ok: int | None = 0) -> Any:
    """Run ``badgekit ARGS`` in-process (Typer's CliRunner); assert the exit code unless ``ok`` is None."""
    from typer.testing import CliRunner

    from badgekit.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    if ok is not None:
        assert result.exit_code == ok, (result.exit_code, result.stdout, result.stderr)
    return result


def course_project(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new project at ``root`` (issuer X, https://x.example, its own Ed25519 key, no key from
    the environment) with one badge class, ``y`` (template course-completion); the working folder."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE", raising=False)
    run_cli("init", root, "--no-input", "--name", "X", "--url", "https://x.example")
    monkeypatch.chdir(root)
    run_cli("badge", "new", "--template", "course-completion", "--set", "course_name=Y", "--out", "badges/y.yaml", "--no-input")
    return root


@pytest.fixture(scope="session")
def postgres_server() -> Any:
    """A throwaway PostgreSQL server for this session (tests/pgserver.py); skipped when the
    machine has none, failed instead under BADGEKIT_REQUIRE_POSTGRES=1 (scripts/test)."""
    from tests import pgserver

    try:
        server = pgserver.start()
    except pgserver.Unavailable as exc:
        if os.environ.get(pgserver.REQUIRE_ENV) == "1":
            pytest.fail(f"{exc}, but {pgserver.REQUIRE_ENV}=1")
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: Any) -> str:
    """The URL of a fresh, empty PostgreSQL database (a new ledger)."""
    return str(postgres_server.new_database())


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_target(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Where a new ledger is, on each engine: an SQLite file, then a PostgreSQL database URL."""
    if request.param == "sqlite":
        return tmp_path / "ledger.sqlite3"
    return request.getfixturevalue("postgres_url")

"""``badgekit verify`` without Typer (issue 18, ADR 10): the lean parser of the plain command
lines (``cli/verify.py: parse_argv``) gives :func:`badgekit.cli.verify.run` exactly what Typer
gives it, and leaves everything else (help, usage errors, unusual forms) to Typer; the command's
output and exit code are the same either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from badgekit.cli import _app
from badgekit.cli import verify as verify_cli

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

TOKENS = [
    "a.json", "b.png", "dir/", "x y.json", "", "-", "--", "--json", "--jsonl", "--no-cache", "--verbose", "--at",
    "2026-01-15T12:00:00Z", "--at=2026-01-15T12:00:00Z", "--status-list", "lists", "--status-list=https://x/1=l.json",
    "--did-doc", "d.json", "--did-doc=e.json", "--trust", "t.json", "--trust=u.json", "--recipient", "a@example.org",
    "--recipient=", "-w", "2", "0", "-3", "--workers", "--workers=3", "--workers=x", "-w2", "--help", "-h", "--bogus",
    "--json=1", "--jso", "--version", "-v", "٣",
]


def _typer_params(args: list[str]) -> tuple[int, dict[str, Any] | None]:
    """Exit code of Typer's parse of ``verify ARGS``, and what it passed to run() (None: not called)."""
    seen: dict[str, Any] = {}

    def capture(files: list[Path], **params: Any) -> int:
        seen.update(files=files, **params)
        return 0

    original = verify_cli.run
    verify_cli.run = capture  # type: ignore[assignment]
    try:
        result = runner.invoke(_app.build_app("verify"), ["verify", *args])
    finally:
        verify_cli.run = original  # type: ignore[assignment]
    return result.exit_code, (seen or None)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=7))
def test_the_lean_parser_passes_what_typer_passes(args):
    lean = verify_cli.parse_argv(args)
    if lean is None:
        return  # left to Typer
    code, typer_params = _typer_params(args)
    assert code == 0 and typer_params == lean, args


@pytest.mark.parametrize("args", [
    ["a.json"], ["a.json", "b.png", "--json"], ["--jsonl", "a.json", "--status-list", "l", "--status-list=m"],
    ["a.json", "--at=2026-01-15T12:00:00Z", "--trust", "t.json", "--recipient", "a@example.org", "-w", "3"],
    ["a.json", "--did-doc", "d.json", "--did-doc=e.json", "--no-cache", "--verbose", "--workers", "2"],
])
def test_plain_command_lines_are_parsed_without_typer(args):
    assert verify_cli.parse_argv(args) == _typer_params(args)[1]


@pytest.mark.parametrize("args", [
    [], ["--help"], ["a.json", "-h"], ["a.json", "--bogus"], ["a.json", "--at"], ["a.json", "--at", "--json"],
    ["a.json", "--workers", "0"], ["a.json", "-w", "x"], ["a.json", "--trust", "t", "--trust", "u"], ["--", "a.json"],
    ["a.json", "--json=yes"], ["", "a.json"], ["-"], ["a.json", "--recipient", ""],
])
def test_anything_else_is_left_to_typer(args):
    assert verify_cli.parse_argv(args) is None


AT = "2026-01-15T12:00:00Z"  # one clock for both processes


def _badgekit(*args: str, typer: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BADGEKIT_DEBUG", "FORCE_COLOR", "TTY_COMPATIBLE")}
    if typer:
        env["BADGEKIT_DEBUG"] = "1"  # main() then always builds the Typer app
    return subprocess.run([sys.executable, "-m", "badgekit", "verify", *args], cwd=ROOT, capture_output=True, text=True,
                          env=env)


@pytest.mark.parametrize("args", [
    ["tests/vectors/1edtech-validator-ob30/simple-json.png", "--trust", "tests/vectors/1edtech-trust.json", "--at", AT],
    ["tests/vectors/1edtech-validator-ob30/simple.json", "--json", "--at", AT],
    ["tests/invalid", "--at", "2026-01-15T12:00:00Z", "--jsonl", "--workers", "1"],
    ["tests/invalid", "--at=2026-01-15T12:00:00Z", "--status-list", "tests/invalid/support/lists", "-w", "1"],
    ["tests/invalid/signature--tampered-name.json", "--verbose", "--recipient", "a@example.com", "--at", AT],
    ["tests/vectors/1edtech-validator-ob30/simple.json", "--json", "--jsonl"],
    ["no-such-file.json"],
    ["tests/vectors/1edtech-validator-ob30/simple.json", "--status-list", "no-such-list.json"],
])
def test_the_command_prints_and_exits_the_same_either_way(args):
    lean, typer = _badgekit(*args, typer=False), _badgekit(*args, typer=True)
    assert (lean.returncode, lean.stdout, lean.stderr) == (typer.returncode, typer.stdout, typer.stderr)
    assert lean.stdout or lean.stderr


@pytest.mark.parametrize("typer", [False, True], ids=["lean", "typer"])
def test_an_empty_file_argument_is_a_usage_error_not_the_current_folder(tmp_path, typer):
    # Path("") is ".": `badgekit verify "$UNSET"` verified every credential of the current folder
    # and said VALID (exit 0) about a file nobody named.
    from tests.invalid import make_invalid

    (tmp_path / "someone-elses.json").write_bytes(make_invalid.valid_control())
    env = {k: v for k, v in os.environ.items() if k != "BADGEKIT_DEBUG"} | {"PYTHONPATH": str(ROOT)}
    if typer:
        env["BADGEKIT_DEBUG"] = "1"
    result = subprocess.run([sys.executable, "-m", "badgekit", "verify", "", "--at", AT], cwd=tmp_path,
                            capture_output=True, text=True, env=env)
    assert result.returncode == 2 and "empty path" in result.stderr, result
    assert "VALID" not in result.stdout


_GC_AFTER = (
    "import gc, sys\n"
    "from badgekit.cli import main\n"
    "sys.argv = ['badgekit', 'verify', '--jsonl', 'tests/vectors/1edtech-validator-ob30/simple-eddsa-2022.json']\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "sys.stderr.write(f'\\nGC {gc.isenabled()} {gc.get_freeze_count()}')\n"
)


def test_a_verify_process_freezes_what_start_up_made_and_collects_after():
    """Started as ``badgekit verify``: start-up's objects are frozen (no collector pass over them),
    and the collector runs for what the credentials make."""
    out = subprocess.run([sys.executable, "-c", _GC_AFTER], cwd=ROOT, capture_output=True, text=True, check=True)
    enabled, frozen = out.stderr.rpartition("GC ")[2].split()
    assert enabled == "True"
    assert int(frozen) > 10_000  # ~27,000 objects the collector tracks


def test_run_in_a_host_process_leaves_its_collector_as_it_was(tmp_path):
    import gc

    before = gc.get_freeze_count()
    vector = ROOT / "tests/vectors/1edtech-validator-ob30/simple-eddsa-2022.json"
    assert verify_cli.run([vector], jsonl=True) == 3  # indeterminate: no --trust for its did:web issuer
    assert gc.isenabled()
    assert gc.get_freeze_count() == before
    gc.disable()
    try:
        verify_cli.run([vector], jsonl=True)
        assert not gc.isenabled()
    finally:
        gc.enable()

"""The human report without Rich (issue 18) is byte for byte what Rich printed.

Where Rich would style nothing (stdout or stderr not a terminal), ``badgekit verify`` writes its
full report and its stderr lines as plain text and does not import Rich. The oracle is the Rich
renderer as it was before (``_rich_report`` below, kept verbatim): on every report of the valid
and invalid corpora, at several widths, the plain text equals what it prints on an unstyled
console, and the Rich path that remains for terminals prints what it printed, styles included.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from rich.console import Console
from rich.text import Text

from badgekit.cli import _output
from badgekit.cli import verify as cli_verify
from badgekit.cli.verify import _MARKS, _VERDICT_STYLE, clean
from badgekit.errors import InputError
from badgekit.verify import verify_bytes, verify_path
from tests.unit.test_verify_fast_paths import (
    INVALID_FILES,
    OPTIONS,
    VARIANTS,
    VECTOR_FILES,
    VECTOR_OPTIONS,
)

ROOT = Path(__file__).resolve().parents[2]


def _rich_report(report, console):  # the renderer before issue 18, verbatim but for `console` and the formats added since
    s = report.summary
    verdict = report.verdict
    label = {"valid": "✓ VALID", "invalid": "✗ INVALID", "indeterminate": "? INDETERMINATE"}[verdict]
    console.print(Text(label, style=_VERDICT_STYLE[verdict]) + Text("  " + clean(report.source), style="bold"))
    rows = []
    if s.get("issuerId") or s.get("issuerName"):
        name = clean(s.get("issuerName") or "")
        rows.append(("issuer", f"{name} ({clean(s.get('issuerId'))})" if name else clean(s.get("issuerId"))))
    if s.get("recipient"):
        rows.append(("recipient", clean(s["recipient"])))
    if s.get("achievementName") or s.get("name"):
        ach = clean(s.get("achievementName") or s.get("name"))
        if s.get("achievementType"):
            ach += f" ({clean(s['achievementType'])})"
        rows.append(("achievement", ach))
    if s.get("validFrom") or s.get("validUntil"):
        rows.append(("valid", f"{clean(s.get('validFrom') or '-')} → {clean(s.get('validUntil') or 'no expiry')}"))
    if s.get("format"):
        securing = {"embedded-proof": "embedded proof", "vc-jwt": "VC-JWT", "vc+jwt": "vc+jwt (VC-JOSE-COSE)",
                    "sd-jwt-vc": "SD-JWT VC", "ob2-signed": "Open Badges 2.0, signed (JWS)",
                    "ob2-hosted": "Open Badges 2.0, hosted"}.get(s.get("securing") or "", "")
        rows.append(("format", f"{s['format']}{', ' + securing if securing else ''}"))
    if "disclosed" in s:
        withheld = f" ({s['undisclosed']} not disclosed)" if s.get("undisclosed") else ""
        rows.append(("disclosed", clean(", ".join(s["disclosed"]) or "none") + withheld))
    if s.get("notChecked"):
        rows.append(("not checked", clean(", ".join(s["notChecked"]))))
    for key, value in rows:
        console.print(Text(f"  {key:<12} ", style="dim") + Text(value))
    width = max((len(c.id) for c in report.checks), default=0)
    digits = len(str(len(report.checks)))
    indent = " " * (digits + 5 + width + 1)
    wrap = max(20, console.width - len(indent))
    for check in report.checks:
        mark, style = _MARKS.get(check.status, ("?", ""))
        reason = clean(check.reason)
        lines = textwrap.wrap(reason, wrap, break_on_hyphens=False) or [""]
        head = Text(f"{check.number:>{digits}}  ", style="dim") + Text(mark, style=style) + Text("  ")
        head += Text(f"{check.id:<{width}} ", style=style if check.status != "passed" else "")
        reason_style = "dim" if check.status == "skipped" else ""
        console.print(head + Text(lines[0], style=reason_style), soft_wrap=True)
        for more in lines[1:]:
            console.print(Text(indent + more, style=reason_style), soft_wrap=True)
    console.print()


def _console(width: int, *, styled: bool) -> Console:
    return Console(file=io.StringIO(), width=width, force_terminal=styled, color_system="standard" if styled else None,
                   highlight=False, soft_wrap=True, _environ={})


def _reports():
    yield from (verify_path(p, VECTOR_OPTIONS) for p in VECTOR_FILES)
    yield from (verify_path(p, OPTIONS) for p in INVALID_FILES)
    yield from (verify_bytes(data, source=name, options=OPTIONS) for name, data in sorted(VARIANTS.items()))
    yield verify_bytes("\x1b[31m\u202e\t\r".encode() + b'{"a": 1}', source="evil\x07\rname\x1b[2J.json", options=OPTIONS)


REPORTS = list(_reports())


@pytest.mark.parametrize("width", [20, 60, 80, 100, 200])
def test_the_plain_report_is_what_rich_printed_unstyled(width):
    for report in REPORTS:
        console = _console(width, styled=False)
        _rich_report(report, console)
        assert cli_verify.render_report(report, width=width) == console.file.getvalue(), report.source


@pytest.mark.parametrize("width", [40, 100])
def test_on_a_terminal_rich_prints_what_it_printed(width, monkeypatch):
    for report in REPORTS[:: max(1, len(REPORTS) // 25)]:
        old, new = _console(width, styled=True), _console(width, styled=True)
        _rich_report(report, old)
        monkeypatch.setattr(_output, "stdout", new, raising=False)
        monkeypatch.setattr(_output, "plain", lambda stream=None: False)
        cli_verify._print_report(report)
        assert new.file.getvalue() == old.file.getvalue() and "\x1b[" in old.file.getvalue()


@pytest.mark.parametrize(("env", "tty", "plain"), [
    ({}, False, True), ({}, True, False), ({"FORCE_COLOR": "1"}, False, False), ({"FORCE_COLOR": ""}, True, True),
    ({"TTY_COMPATIBLE": "1"}, False, False), ({"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, True, True),
    ({"NO_COLOR": "1"}, True, False), ({"TERM": "dumb"}, True, False),
])
def test_plain_exactly_where_rich_styles_nothing(env, tty, plain, monkeypatch):
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "NO_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    class Stream(io.StringIO):
        def isatty(self) -> bool:
            return tty

    stream = Stream()
    assert _output.plain(stream) is plain
    rich = Console(file=stream, highlight=False, soft_wrap=True)
    rich.print(Text("x", style="bold"))
    # Plain only where Rich styles nothing; a dumb terminal (unstyled, but 80 wide) stays Rich's.
    assert ("\x1b[" not in stream.getvalue()) is (plain or env.get("TERM") == "dumb")


@pytest.mark.parametrize(("columns", "width"), [("37", 37), ("0", 0), ("x", 80), (None, 80)])
def test_plain_width_is_rich_width(columns, width, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    if columns is not None:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: (_ for _ in ()).throw(OSError()))
    assert _output.plain_width() == width == Console(file=io.StringIO(), force_terminal=False).width


@pytest.mark.parametrize("message", ["plain", "bell\x07 and\r carriage", "tab\there", "ünïcode → ✓"])
def test_stderr_lines_are_what_rich_printed(message, monkeypatch, capsys):
    def rich_lines() -> str:  # what Rich printed, of the text made printable (escapes shown as \uXXXX)
        shown = _output.printable(message)
        console = Console(file=io.StringIO(), highlight=False, soft_wrap=True, _environ={})
        console.print(Text("warning: ", style="yellow bold") + Text(shown))
        console.print(Text("error: ", style="red bold") + Text(shown))
        console.print(Text("  hint: ", style="dim") + Text(shown, style="dim"))
        console.print(Text(shown, style="dim"))
        return console.file.getvalue()

    monkeypatch.setattr(_output, "stderr", Console(stderr=True, highlight=False, soft_wrap=True, _environ={}), raising=False)
    _output.warn(message)
    _output.error(InputError(message, hint=message))
    _output.info(message, style="dim")
    assert capsys.readouterr().err == rich_lines()


def test_one_file_report_does_not_import_rich_where_it_would_style_nothing():
    code = ("import sys\nfrom badgekit.cli import main\n"
            "sys.argv = ['badgekit', 'verify', 'tests/vectors/1edtech-validator-ob30/simple-json.png', '--trust', "
            "'tests/vectors/1edtech-trust.json']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "sys.stderr.write('RICH ' + str(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))\n")
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env)
    assert out.stdout.startswith("✓ VALID  tests/vectors/1edtech-validator-ob30/simple-json.png\n")
    assert out.stderr.rpartition("RICH ")[2] == "[]"


def test_clean_text_is_what_the_character_by_character_escape_gives():
    import unicodedata

    def reference(text: str) -> str:
        return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " " else ch
                       for ch in text)

    chars = [chr(c) for c in (*range(0x00, 0x300), 0x2028, 0x2029, 0x202E, 0x200B, 0xFEFF, 0x1F600)]
    for ch in chars:
        for text in (ch, f"a{ch}b", f"plain ascii {ch}"):
            assert clean(text) == reference(text), repr(text)
    assert clean("tests/x.json") == "tests/x.json" and clean(42) == "42"

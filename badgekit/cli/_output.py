"""The single place that writes to the terminal: results on stdout, everything else on stderr.

Untrusted text (roster names, credential fields, downloaded documents) is never interpreted as
Rich markup, and its control characters never reach the terminal (:func:`printable`).

When stdout fails (the reader went away: ``| head``, ``| grep -q``; or ``> /dev/full``), the
command stops writing it and finishes the work that does not depend on it (see :class:`_Stdout`);
:func:`exit_code` then says so: 141 as SIGPIPE would, or one error line and 2.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from badgekit.errors import BadgekitError, ExitCode

if TYPE_CHECKING:
    from rich.console import Console

    stdout: Console
    stderr: Console


def __getattr__(name: str) -> Any:
    # The Rich consoles ``stdout`` and ``stderr``, made on first use: ``verify --json`` never
    # prints through Rich and does not pay for importing it (~40 ms).
    if name in ("stdout", "stderr"):
        from rich.console import Console

        class _Console(Console):
            def on_broken_pipe(self) -> None:
                # Rich's default exits 1, the "invalid" code, from wherever it was printing: the
                # reader of this stream went away, so write no more to it and carry on.
                self.quiet = True
                if not self.stderr:
                    stdout_failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))

        console = _Console(stderr=name == "stderr", no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=True)
        globals()[name] = console
        return console
    raise AttributeError(name)


def _console(name: str) -> Console:
    return globals().get(name) or __getattr__(name)  # type: ignore[no-any-return]


# -- plain text where Rich would add no style ---------------------------------------------------
#
# Rich styles nothing on a stream that is not a terminal (a pipe, a file, a test runner): what it
# writes there is the text itself. Those writes skip Rich (importing it costs ~20 ms of a cold
# `badgekit verify`, rendering a full report ~5 ms); tests/cli/test_output_cli.py compares both
# ways byte for byte. Anything Rich might treat otherwise (a terminal, FORCE_COLOR, TTY_COMPATIBLE,
# Jupyter, Windows, a tab) goes through Rich.

#: The control codes Rich's Text drops (rich.control.STRIP_CONTROL_CODES).
RICH_STRIPS = dict.fromkeys((7, 8, 11, 12, 13))
_quiet_stderr = False


def plain(stream: TextIO | None = None) -> bool:
    """True when a Rich console on ``stream`` (default stdout) would write text without styles."""
    stream = stream if stream is not None else sys.stdout
    if sys.platform == "win32" or hasattr(builtins, "get_ipython") or hasattr(stream, "rich_proxied_file"):
        return False  # pragma: no cover - Rich's own rules there (legacy console, Jupyter, a live display)
    if getattr(sys.stdin, "__module__", "").startswith("idlelib"):
        return False  # pragma: no cover
    tty_compatible = os.environ.get("TTY_COMPATIBLE", "")
    if tty_compatible in ("0", "1"):
        return tty_compatible == "0"
    force_color = os.environ.get("FORCE_COLOR")
    if force_color is not None:
        return force_color == ""
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is None or not isatty()
    except ValueError:
        return True


def plain_width() -> int:
    """The width a Rich console reports where :func:`plain` holds: ``COLUMNS``, else the size of
    the first of stdin, stdout and stderr that is a terminal, else 80."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    width = 0
    for fd in (0, 1, 2):
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        break
    return width or 80


def plain_text(text: str) -> str | None:
    """``text`` as a Rich Text prints it (control codes dropped), or None if Rich would change it
    more (a tab, expanded by cell width)."""
    return None if "\t" in text else text.translate(RICH_STRIPS)


def _to_stderr(text: str, rich: Callable[[], Any]) -> None:
    """One line on stderr: ``text`` where Rich would style nothing, else the Rich Text ``rich()``."""
    global _quiet_stderr
    line = plain_text(text) if plain(sys.stderr) else None
    if line is None:
        _console("stderr").print(rich())
        return
    if _quiet_stderr:
        return
    try:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()
    except BrokenPipeError:
        _quiet_stderr = True  # as the Rich console does: the reader of stderr went away


def emit_json(value: Any) -> None:
    """Write machine output: plain ``json.dumps``, one document, newline-terminated."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def printable(text: object, *, lines: bool = True) -> str:
    """Untrusted text made safe for a terminal: control and bidi-override characters (an escape
    sequence can clear the screen, retitle the window or recolour a verdict; U+202E reorders what
    the reader sees) are shown as ``\\uXXXX``. ``lines``: newlines and tabs are kept."""
    text = str(text)
    if text.isascii() and text.isprintable():
        return text
    keep = "\n\t " if lines else " "
    return "".join(f"\\u{ord(ch):04x}" if ch not in keep and unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch
                   for ch in text)


def emit_text(text: str) -> None:
    """Write a plain result line to stdout (no markup interpretation, no control characters)."""
    from rich.text import Text

    _console("stdout").print(Text(printable(text)))


def info(text: str, style: str | None = None) -> None:
    text = printable(text)

    def rich() -> Any:
        from rich.text import Text

        return Text(text, style=style or "")

    _to_stderr(text, rich)


def warn(text: str) -> None:
    text = printable(text)

    def rich() -> Any:
        from rich.text import Text

        return Text("warning: ", style="yellow bold") + Text(text)

    _to_stderr("warning: " + text, rich)


def error(exc: BadgekitError | str) -> None:
    """One line naming what is wrong (file, row, field), then the hint if there is one."""
    message = printable(exc.message if isinstance(exc, BadgekitError) else exc)
    hint = printable(exc.hint) if isinstance(exc, BadgekitError) and exc.hint else None

    def rich() -> Any:
        from rich.text import Text

        return Text("error: ", style="red bold") + Text(message)

    def rich_hint() -> Any:
        from rich.text import Text

        return Text("  hint: ", style="dim") + Text(hint or "", style="dim")

    _to_stderr("error: " + message, rich)
    if hint:
        _to_stderr("  hint: " + hint, rich_hint)


# -- a stdout that fails ----------------------------------------------------------------------

#: The first error writing stdout, once it happened (then stdout goes to /dev/null).
_stdout_failure: OSError | None = None


class _Stdout:
    """``sys.stdout`` of the ``badgekit`` process (:func:`guard_stdout`): a write or flush that fails
    (EPIPE, ENOSPC …) points stdout at /dev/null and drops what follows, instead of raising into
    the command, so ``issue --json | head -c 100`` still issues and records every row."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if _stdout_failure is None:
            try:
                return self._stream.write(text)
            except OSError as exc:
                stdout_failed(exc, self._stream)
        return len(text)

    def flush(self) -> None:
        if _stdout_failure is None:
            try:
                self._stream.flush()
            except OSError as exc:
                stdout_failed(exc, self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """Install :class:`_Stdout` as ``sys.stdout`` (the console-script entry point does)."""
    if not isinstance(sys.stdout, _Stdout) and sys.stdout is not None:
        sys.stdout = _Stdout(sys.stdout)


def stdout_failed(exc: OSError, stream: Any = None) -> None:
    """Record that stdout failed and point its file descriptor at /dev/null (as the Python docs
    advise for SIGPIPE): output still buffered then goes nowhere instead of failing again at exit."""
    global _stdout_failure
    if _stdout_failure is None:
        _stdout_failure = exc
    try:
        fd = (stream if stream is not None else sys.stdout).fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        pass  # not a file (a test runner's buffer): nothing buffered will fail at exit


def stdout_is_gone() -> bool:
    """True once stdout failed: a command whose only work is output may stop."""
    return _stdout_failure is not None


def exit_code(code: int) -> int:
    """The process's exit code, once the command ended with ``code``. When stdout failed and
    ``code`` is a result (0, 1, 3): 141 (128 + SIGPIPE) when the reader closed it, as a process
    killed by SIGPIPE reports; otherwise one error line and 2. An error code (2, 70, 130) stays."""
    sys.stdout.flush()
    failure = _stdout_failure
    if failure is None:
        return code
    if failure.errno == errno.EPIPE:
        return int(ExitCode.OUTPUT_CLOSED) if code in (ExitCode.OK, ExitCode.FAILED, ExitCode.INDETERMINATE) else code
    # start-up: badgekit._io only when stdout failed (not for --help)
    from badgekit._io import output_error

    error(output_error(failure, "standard output"))
    return int(ExitCode.USAGE) if code in (ExitCode.OK, ExitCode.FAILED, ExitCode.INDETERMINATE) else code


# -- streams a failing command must close ---------------------------------------------------

_on_failure: list[Callable[[dict[str, Any]], None]] = []


def on_failure(close: Callable[[dict[str, Any]], None]) -> Callable[[], None]:
    """Register ``close(error)``, called if the command fails before it calls the function this
    returns: a stream closes what it opened (``issue --json`` ends its document with the
    ``error`` member, a temp file goes). ``error``: ``{"message", "hint", "exitCode"}``."""
    _on_failure.append(close)
    return lambda: _on_failure.remove(close) if close in _on_failure else None


def failed(message: str, hint: str | None, code: int) -> None:
    """The command failed (the CLI group calls this before printing the error line)."""
    while _on_failure:
        _on_failure.pop()({"message": message, "hint": hint or None, "exitCode": int(code)})

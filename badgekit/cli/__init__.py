"""The ``badgekit`` command line. The only package that imports Typer and Rich, prints or exits.

:func:`main` is the console script. It builds the Typer app (``cli/_app.py``) with the one command
being run, except for the plain forms of ``badgekit verify FILE…``: those are parsed without Typer
(``cli/verify.py``, tests/cli/test_verify_argv_cli.py compares both parsers), so a cold verify
imports neither Typer nor, where it would style nothing, Rich (ADR 10). ``--help``, a usage error or
anything unusual goes through Typer.
"""

from __future__ import annotations

import _thread
import os
import signal
import sys
import time
from typing import Any

from badgekit import __version__
from badgekit.cli import _output, _run
from badgekit.cli._commands import COMMANDS as _COMMANDS
from badgekit.errors import ExitCode


def __getattr__(name: str) -> Any:
    # ``badgekit.cli.app`` (tests, completion): the full app, built on first use; ``build_app``.
    if name in ("app", "build_app"):
        from badgekit.cli import _app  # start-up: Typer only when the app is built

        value = _app.build_app() if name == "app" else _app.build_app
        globals()[name] = value
        return value
    raise AttributeError(name)


#: Seconds a SIGTERM'd process has to unwind before it is terminated outright.
SIGTERM_GRACE = 10.0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    # SIGTERM (timeout, CI cancellation, systemd) stops like Ctrl-C: the exception unwinds every
    # `with` and `finally` (the ledger stays resumable, worker processes are killed) and the exit
    # code is the shell's 128 + 15. A second SIGTERM, or SIGTERM_GRACE seconds without exiting
    # (a finaliser can swallow the exception, a cleanup can hang), terminates the process: the
    # ledger is resumable after any stop. A bare thread: threading's locks may be held right now.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def terminate() -> None:
        time.sleep(SIGTERM_GRACE)
        os.kill(os.getpid(), signal.SIGTERM)

    _thread.start_new_thread(terminate, ())
    raise SystemExit(128 + signum)


def _lean_verify(args: list[str]) -> int | None:
    """``badgekit verify`` without Typer, when ``args`` are plainly its options (else None)."""
    if os.environ.get("BADGEKIT_DEBUG") or any(k.startswith("_BADGEKIT_COMPLETE") for k in os.environ):
        return None  # Typer's tracebacks and shell completion
    # start-up: the verify command's own module, not Typer (ADR 10)
    from badgekit.cli import verify

    params = verify.parse_argv(args)
    if params is None:
        return None
    return _run.invoke(lambda: verify.run(**params))


def main() -> None:
    """Console-script entry point: builds only the command being run (fast start-up). A stdout
    that fails (``| head``) does not stop the work; the exit code says so (see ``_output``).
    SIGTERM stops like Ctrl-C (exit 143)."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = sys.argv[1:]
    if args == ["--version"]:  # answered without building any command
        sys.stdout.write(f"badgekit {__version__}\n")
        return
    if args[:1] == ["verify"]:
        _output.guard_stdout()
        code = _lean_verify(args[1:])
        if code is not None:
            raise SystemExit(_output.exit_code(code))
    # A library's log records are not output: without a handler, logging's last resort would print
    # psycopg's "error ignored terminating <Pipeline>" above badgekit's one-line error when a
    # ledger server drops the connection. Errors reach the user as BadgekitError, once.
    import logging

    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    only = args[0] if args and args[0] in _COMMANDS and "--install-completion" not in args and "--show-completion" not in args else None
    _output.guard_stdout()
    from badgekit.cli import _app  # start-up: Typer, for every command line but a plain verify

    try:
        _app.build_app(only)(prog_name="badgekit")
    except SystemExit as done:
        if not isinstance(done.code, int | None):
            raise
        raise SystemExit(_output.exit_code(done.code or 0)) from None
    raise SystemExit(_output.exit_code(0))


__all__ = ["app", "main", "ExitCode"]

"""How a command's failure reaches the user, whoever parsed its arguments (the Typer app, or the
lean path of ``badgekit verify``): a :class:`BadgekitError` anywhere below is one clear line and
its exit code; an OSError the environment caused (read-only folder, full disk, file-size limit, a
file where a folder should be) one line naming the path and the cause (exit 2, as an
OutputError); a closed stdout exit 141; Ctrl-C 130; anything else one line saying it is a bug
(exit 70), never 1 ("invalid") with a traceback a script would misread.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from badgekit.cli import _output
from badgekit.errors import BadgekitError, ExitCode


def invoke(command: Callable[[], int]) -> int:
    """Run ``command``; its exit code, or the exit code of what it raised (reported as above).
    ``SystemExit`` passes through (SIGTERM: 143, after closing what the command opened). The
    Typer app's group does the same around every command (``badgekit.cli._app``)."""
    try:
        return command()
    except KeyboardInterrupt:
        return interrupted()
    except SystemExit as exc:
        stopping(exc)
        raise
    except BrokenPipeError as exc:
        return pipe_closed(exc)
    except Exception as exc:
        return failure_code(exc)


#: What Ctrl-C leaves: work already finished is kept (issue and send resume, doing nothing twice).
_INTERRUPTED_HINT = "run the same command again: what finished is kept, and nothing is issued or sent twice"


def interrupted() -> int:
    _output.failed("interrupted (Ctrl-C)", _INTERRUPTED_HINT, 130)
    _output.error(BadgekitError("interrupted (Ctrl-C)", hint=_INTERRUPTED_HINT))
    return 130


def stopping(exc: SystemExit) -> None:
    """SIGTERM (see ``badgekit.cli._stop_on_sigterm``): close --json documents too."""
    if exc.code == 143:
        _output.failed("stopped by SIGTERM", None, 143)


def pipe_closed(exc: BrokenPipeError) -> int:
    """stdout closed, where the guard of ``main()`` is not installed."""
    _output.stdout_failed(exc)
    _output.failed("standard output closed", None, ExitCode.OUTPUT_CLOSED)
    return int(ExitCode.OUTPUT_CLOSED)


def failure_code(exc: Exception) -> int:
    """Report ``exc`` (one line, a hint) and return its exit code; re-raise it if it is a bug and
    ``BADGEKIT_DEBUG`` asks for the traceback."""
    error = _as_error(exc)
    if error is None:
        if os.environ.get("BADGEKIT_DEBUG"):
            raise exc
        message = (f"internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in badgekit, please "
                   "report it with the command that caused it (BADGEKIT_DEBUG=1 shows the traceback)")
        _output.failed(message, None, ExitCode.INTERNAL)
        _output.error(message)
        return int(ExitCode.INTERNAL)
    _output.failed(error.message, error.hint, error.exit_code)
    _output.error(error)
    return int(error.exit_code)


def _as_error(exc: Exception) -> BadgekitError | None:
    """``exc`` as the error a user can act on, or None for a bug."""
    if isinstance(exc, BadgekitError):
        return exc
    if isinstance(exc, OSError):
        # start-up: badgekit._io only when an OSError is reported (not for --help or --version)
        from badgekit._io import environment_error

        return environment_error(exc)
    return None

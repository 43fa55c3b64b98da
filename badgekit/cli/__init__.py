"""The ``badgekit`` command line. The only package that imports Typer and Rich, prints or exits."""

from __future__ import annotations

import _thread
import importlib
import logging
import os
import signal
import sys
import time
from typing import Any

import typer
from typer.core import TyperGroup

from badgekit import __version__
from badgekit.cli import _output
from badgekit.errors import BadgekitError, ExitCode


class _Group(TyperGroup):
    """Turns a :class:`BadgekitError` anywhere below into one clear line and its exit code; an
    OSError the environment caused (read-only folder, full disk, file-size limit, a file where a
    folder should be) into one line naming the path and the cause (exit 2, as an OutputError);
    a closed stdout into exit 141; anything else into one line saying it is a bug (exit 70).
    Installs the old option spellings every command keeps for one release (``_options.old_spellings``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from badgekit.cli._options import install_old_spellings  # start-up: not for --version

        install_old_spellings(self)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]  # Typer passes its own Context; the base names Click's
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # Typer's own: exit codes, usage errors
        except KeyboardInterrupt:
            _output.failed("interrupted", None, 130)
            raise typer.Exit(130) from None
        except SystemExit as exc:  # SIGTERM (see _stop_on_sigterm): close --json documents too
            if exc.code == 143:
                _output.failed("stopped by SIGTERM", None, 143)
            raise
        except BrokenPipeError as exc:  # stdout closed, where the guard of main() is not installed
            _output.stdout_failed(exc)
            _output.failed("standard output closed", None, ExitCode.OUTPUT_CLOSED)
            raise typer.Exit(int(ExitCode.OUTPUT_CLOSED)) from None
        except Exception as exc:
            error = _as_error(exc)
            if error is None:
                # A bug, not a verdict: never exit 1 ("invalid") with a traceback a script would misread.
                import os

                if os.environ.get("BADGEKIT_DEBUG"):
                    raise
                message = (f"internal error ({type(exc).__name__}: {str(exc)[:200]}); this is a bug in badgekit, please "
                           "report it with the command that caused it (BADGEKIT_DEBUG=1 shows the traceback)")
                _output.failed(message, None, ExitCode.INTERNAL)
                _output.error(message)
                raise typer.Exit(int(ExitCode.INTERNAL)) from None
            _output.failed(error.message, error.hint, error.exit_code)
            _output.error(error)
            raise typer.Exit(int(error.exit_code)) from None


def _as_error(exc: Exception) -> BadgekitError | None:
    """``exc`` as the error a user can act on, or None for a bug."""
    if isinstance(exc, BadgekitError):
        return exc
    if isinstance(exc, OSError):
        # start-up: badgekit._io only when an OSError is reported (not for --help or --version)
        from badgekit._io import environment_error

        return environment_error(exc)
    return None


_QUICK_START = (
    "[bold]Quick start[/bold] (each command has --help with its options and an example):\n\n"
    "  badgekit init my-badges --name 'Example University' --url https://example.edu --email badges@example.edu\n\n"
    "  cd my-badges; badgekit badge new --template course-completion --set course_name='Python Basics'\n\n"
    "  badgekit issue roster.csv --badge badges/python-basics.yaml --bake png\n\n"
    "  badgekit status publish          # then host out/status/ at the status URL in badgekit.toml\n\n"
    "  badgekit verify out/ --status-list out/status\n\n"
    "Exit codes: 0 ok, 1 invalid credential or rejected rows, 2 usage, input or output error (read-only folder, full disk), "
    "3 verify could not decide offline, 141 stdout closed early (| head)."
)


def _new_app() -> typer.Typer:
    app = typer.Typer(
        cls=_Group,
        name="badgekit",
        help="Open Badges 3.0 from the terminal, offline: keys, badge classes, bulk issuing, baking, "
        "verification and revocation.",
        epilog=_QUICK_START,
        no_args_is_help=True,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
        rich_markup_mode="rich",
    )
    app.callback()(_root)
    return app


def _version(value: bool) -> None:
    if value:
        typer.echo(f"badgekit {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Open Badges 3.0 from the terminal, offline."""


def _module(name: str) -> Any:
    return importlib.import_module(f"badgekit.cli.{name}")


#: Command name -> (module in badgekit.cli, how it attaches to the root app). Commands are
#: imported only when used, so ``badgekit verify`` does not pay for issuing, templates or YAML.
_COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("project", "register"),
    "key": ("key", "group"),
    "badge": ("badge", "group"),
    "templates": ("templates", "group"),
    "sign": ("sign", "register"),
    "issue": ("issue", "register"),
    "bake": ("bake", "register"),
    "extract": ("bake", "register"),
    "render": ("bake", "register"),
    "verify": ("verify", "register"),
    "migrate": ("migrate", "register"),
    "revoke": ("status", "commands"),
    "suspend": ("status", "commands"),
    "unsuspend": ("status", "commands"),
    "status": ("status", "register"),
    "bundle": ("bundle", "register"),
    "send": ("send", "register"),
    "report": ("report", "register"),
    "log": ("report", "register"),
    "cache": ("cache", "group"),
    "ledger": ("ledger", "group"),
}


def _register(app: typer.Typer, names: list[str]) -> None:
    done: set[tuple[str, str]] = set()
    for name in names:
        module_name, how = _COMMANDS[name]
        if how == "commands":
            how = "register"  # revoke/suspend/unsuspend are registered with the status group
        if (module_name, how) in done:
            continue
        done.add((module_name, how))
        module = _module(module_name)
        if how == "group":
            app.add_typer(module.app, name=name)
        else:
            module.register(app)


def build_app(only: str | None = None) -> typer.Typer:
    """The command-line app: every command, or only ``only`` (what ``main`` runs)."""
    app = _new_app()
    _register(app, [only] if only in _COMMANDS else list(_COMMANDS))
    return app


def __getattr__(name: str) -> Any:
    # ``badgekit.cli.app`` (tests, completion): the full app, built on first use.
    if name == "app":
        app = build_app()
        globals()["app"] = app
        return app
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


def main() -> None:
    """Console-script entry point: builds only the command being run (fast start-up). A stdout
    that fails (``| head``) does not stop the work; the exit code says so (see ``_output``).
    SIGTERM stops like Ctrl-C (exit 143)."""
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    # A library's log records are not output: without a handler, logging's last resort would print
    # psycopg's "error ignored terminating <Pipeline>" above badgekit's one-line error when a
    # ledger server drops the connection. Errors reach the user as BadgekitError, once.
    logging.getLogger("psycopg").addHandler(logging.NullHandler())
    args = sys.argv[1:]
    if args == ["--version"]:  # answered without building any command
        sys.stdout.write(f"badgekit {__version__}\n")
        return
    only = args[0] if args and args[0] in _COMMANDS and "--install-completion" not in args and "--show-completion" not in args else None
    _output.guard_stdout()
    try:
        build_app(only)(prog_name="badgekit")
    except SystemExit as done:
        if not isinstance(done.code, int | None):
            raise
        raise SystemExit(_output.exit_code(done.code or 0)) from None
    raise SystemExit(_output.exit_code(0))


__all__ = ["app", "main", "ExitCode"]

"""The Typer app of the ``badgekit`` command line: the root group, its help, and each command
attached when used (:data:`badgekit.cli._commands.COMMANDS`). :func:`badgekit.cli.main` builds it
for every command line but the plain forms of ``badgekit verify`` (see ``cli/verify.py``)."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

import typer
from typer.core import TyperGroup

from badgekit import __version__
from badgekit.cli import _run
from badgekit.cli._commands import COMMANDS


class _Group(TyperGroup):
    """Turns what a command raised into one line and its exit code (:mod:`badgekit.cli._run`).
    Installs the old option spellings every command keeps for one release (``_options.old_spellings``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from badgekit.cli._options import install_old_spellings  # start-up: not for --version

        install_old_spellings(self)
        _reflow_help(self)

    def invoke(self, ctx: typer.Context) -> object:  # type: ignore[override]  # Typer passes its own Context; the base names Click's
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # Typer's own: exit codes, usage errors
        except KeyboardInterrupt:
            raise typer.Exit(_run.interrupted()) from None
        except SystemExit as exc:
            _run.stopping(exc)
            raise
        except BrokenPipeError as exc:
            raise typer.Exit(_run.pipe_closed(exc)) from None
        except Exception as exc:
            raise typer.Exit(_run.failure_code(exc)) from None


def _reflow_help(command: Any) -> None:
    """Join the lines of each help paragraph (recursively), so that the terminal wraps it at its
    width: Typer keeps a docstring's line breaks, and its ~100-column lines broke in two at 80
    columns. A paragraph with indented lines (a list of examples) keeps its lines."""
    for sub in getattr(command, "commands", {}).values():
        _reflow_help(sub)
    if not command.help:
        return
    paragraphs = inspect.cleandoc(command.help).split("\n\n")
    command.help = "\n\n".join(
        p if any(line[:1].isspace() for line in p.split("\n")[1:]) else " ".join(p.split("\n")) for p in paragraphs
    )


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


def _register(app: typer.Typer, names: list[str]) -> None:
    done: set[tuple[str, str]] = set()
    for name in names:
        module_name, how = COMMANDS[name]
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
    _register(app, [only] if only in COMMANDS else list(COMMANDS))
    return app

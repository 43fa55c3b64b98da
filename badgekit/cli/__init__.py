"""The ``badgekit`` command line. The only package that imports Typer and Rich, prints or exits."""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from badgekit import __version__
from badgekit.errors import BadgekitError, ExitCode


class _Group(TyperGroup):
    """Turns a :class:`BadgekitError` anywhere below into one clear line and its exit code."""

    def invoke(self, ctx: typer.Context) -> object:
        try:
            return super().invoke(ctx)
        except BadgekitError as exc:
            from badgekit.cli import _output

            _output.error(exc)
            raise typer.Exit(int(exc.exit_code)) from None
        except KeyboardInterrupt:
            raise typer.Exit(130) from None


app = typer.Typer(
    cls=_Group,
    name="badgekit",
    help="Open Badges 3.0 from the terminal, offline: keys, badge classes, bulk issuing, baking, "
    "verification and revocation.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"badgekit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """Open Badges 3.0 from the terminal, offline."""


def _register() -> None:
    from badgekit.cli import key, sign

    app.add_typer(key.app, name="key")
    sign.register(app)
    from badgekit.cli import badge as badge_cli, project as project_cli, templates as templates_cli  # noqa: I001

    project_cli.register(app)
    app.add_typer(badge_cli.app, name="badge")
    app.add_typer(templates_cli.app, name="templates")
    from badgekit.cli import bake as bake_cli; bake_cli.register(app)  # noqa: E702, I001
    from badgekit.cli import issue

    issue.register(app)
    from badgekit.cli import status as status_cli

    status_cli.register(app)
    from badgekit.cli import verify as verify_cli

    verify_cli.register(app)


_register()


def main() -> None:
    """Console-script entry point."""
    app(prog_name="badgekit")


__all__ = ["app", "main", "ExitCode"]

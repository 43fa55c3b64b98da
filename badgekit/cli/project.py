"""``badgekit init``: create a badge project (badgekit.toml, a signing key, badges/)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from badgekit import keys
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, PassphraseFileOpt, read_passphrase
from badgekit.errors import InputError
from badgekit.project import CONFIG_NAME, DEFAULT_KEY_FILE, init_project

NoInputOpt = Annotated[
    bool, typer.Option("--no-input", help="Never prompt, even in a terminal (for scripts).")
]


def init(
    directory: Annotated[
        Path, typer.Argument(help="Folder for the project (created if missing). Default: the current folder.")
    ] = Path("."),
    name: Annotated[str | None, typer.Option("--name", help="Issuer name, e.g. 'Example University'.")] = None,
    url: Annotated[str | None, typer.Option("--url", help="Issuer home page (https://…).")] = None,
    email: Annotated[str | None, typer.Option("--email", help="Issuer contact email.")] = None,
    image: Annotated[str | None, typer.Option("--image", help="Issuer logo URL (https://…).")] = None,
    did_web: Annotated[
        str | None,
        typer.Option(
            "--did-web",
            metavar="DOMAIN[/PATH]",
            help="Use did:web:DOMAIN[:PATH] as the issuer id (writes did.json to host) instead of the key's did:key.",
        ),
    ] = None,
    status_base_url: Annotated[
        str | None,
        typer.Option("--status-base-url", help="Where status lists (revocation) will be hosted. Default: <url>/status/, "
                     "else https://<did:web domain>\\[/path]/status/; with neither, give it or --no-status."),
    ] = None,
    no_status: Annotated[
        bool, typer.Option("--no-status", help="No status lists: this project's credentials can never be revoked "
                           "(issue then needs --no-revocation).")
    ] = False,
    key_file: Annotated[
        str, typer.Option("--key-file", help="Key file name inside the project (a new Ed25519 key, mode 0600; or an existing Ed25519, P-256 or P-384 key, reused).")
    ] = DEFAULT_KEY_FILE,
    templates_dir: Annotated[
        str | None, typer.Option("--templates-dir", help="Folder of your own badge-class templates (recorded in badgekit.toml).")
    ] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Protect the new key with a passphrase (file, environment or prompt).")
    ] = False,
    passphrase_file: PassphraseFileOpt = None,
    no_input: NoInputOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Create a badge project: badgekit.toml, a signing key, badges/ and a README with next steps.

    Never overwrites anything: run it again and it only reports what exists. Values missing from
    the flags are asked for when run in a terminal. Credentials can be revoked only through the
    status lists at status_base_url: it comes from --status-base-url, --url or --did-web, or
    --no-status says there are none.

    Example: badgekit init my-badges --name "Example University" --url https://example.edu
    """
    interactive = _is_terminal() and not no_input
    already = (directory / CONFIG_NAME).exists()
    if not already:
        if not name and interactive:
            name = typer.prompt("Issuer name")
        if not name:
            raise InputError("init: the issuer name is required (--name)", hint='e.g. --name "Example University"')
        if interactive:
            url = url if url is not None else _ask("Issuer URL (https://…, blank to skip)")
            email = email if email is not None else _ask("Contact email (blank to skip)")
            image = image if image is not None else _ask("Logo image URL (blank to skip)")
            did_web = did_web if did_web is not None else _ask("did:web domain[/path] (blank: use the key's did:key)")
            if not (status_base_url or url or did_web or no_status):
                answer = _ask("Where will status lists be hosted (https://…/status/; 'none': credentials cannot be revoked)")
                no_status = answer.lower() == "none"
                status_base_url = None if no_status else answer
    passphrase: bytes | None = None
    key_path = directory / key_file
    if not already:
        if key_path.is_file() and keys.is_encrypted(key_path):
            passphrase = read_passphrase(passphrase_file, key=key_path)
        elif not key_path.exists() and (encrypt or passphrase_file):
            passphrase = read_passphrase(passphrase_file, confirm=True)
    result = init_project(
        directory,
        name=name or "",
        url=url or None,
        email=email or None,
        image=image or None,
        did_web=did_web or None,
        passphrase=passphrase,
        key_file=key_file,
        status_base_url=status_base_url or None,
        templates_dir=templates_dir or None,
        no_status=no_status,
    )
    if json_out:
        _output.emit_json(result.to_json())
        return
    for w in result.warnings:
        _output.warn(w)
    for p in result.created:
        _output.info(f"created {_rel(p)}", "green")
    _output.emit_text(result.issuer_id)
    if not result.already_initialised:
        _output.info("")
        _output.info(result.next_steps)


def _ask(prompt: str) -> str:
    return str(typer.prompt(prompt, default="", show_default=False)).strip()


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def _is_terminal() -> bool:
    """Prompts only when a person is at the keyboard (tests patch this)."""
    return sys.stdin.isatty()

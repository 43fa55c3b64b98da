"""Options shared by several commands (one spelling each: a short flag means one thing in every
command), old spellings kept for one release, and passphrase handling (never on the command line)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast

import typer
from typer.core import TyperOption

from badgekit import keys
from badgekit._io import read_bounded
from badgekit._parallel import (
    default_workers as default_workers,  # issue and bundle use it from here
)
from badgekit.errors import InputError, PassphraseError

if TYPE_CHECKING:
    from badgekit.ledger import Ledger
    from badgekit.project import Project

PASSPHRASE_ENV = "BADGEKIT_KEY_PASSPHRASE"
#: A PostgreSQL ledger for every project (overrides [ledger] url in badgekit.toml).
LEDGER_URL_ENV = "BADGEKIT_LEDGER_URL"


def json_option(help: str = "Print machine-readable JSON on stdout.") -> Any:
    """``--json`` (every command has it; no short flag)."""
    return typer.Option("--json", help=help)


def out_option(help: str) -> Any:
    """``--out/-o``: the file or folder a command writes (``help`` says which)."""
    return typer.Option("--out", "-o", help=help)


def _workers(value: int | None) -> int | None:
    if value is not None and value < 0:
        raise typer.BadParameter(f"{value}: give 1 or more processes")
    if value == 0:
        deprecated("--workers 0", "leave --workers out for one process per CPU")
        return None
    return value


def input_path(value: str) -> Path:
    """The parser of FILE-or-FOLDER arguments (verify, migrate): an empty one is a usage error.
    ``Path("")`` is ``.``, so ``badgekit verify "$UNSET"`` verified every credential here."""
    if not value.strip():
        raise typer.BadParameter("an empty path (an unset shell variable?): name a file or folder ('.' for this one)")
    return Path(value)


input_path.__name__ = "path"  # what --help shows as its type (<path>, as for any Path argument)


def workers_option(what: str) -> Any:
    """``--workers/-w N``: ``what`` processes in parallel; left out (None): one per CPU available
    (:func:`default_workers`). ``0`` meant the same until now: accepted for one release, with a warning."""
    return typer.Option("--workers", "-w", metavar="N", callback=_workers,
                        help=f"{what} (default: one per CPU available, a container quota included).")


JsonOpt = Annotated[bool, json_option()]
KEY_ENV = "BADGEKIT_KEY"
#: The signing key of every command that signs: --key, else $BADGEKIT_KEY, else (where there is
#: one) the project's key_path. The command falls back to the project when this is None.
KeyOpt = Annotated[
    Path | None,
    typer.Option("--key", "-k", envvar=KEY_ENV, show_envvar=False,
                 help=f"Signing key file (PKCS#8 PEM, mode 0600). Default: ${KEY_ENV}, else the project's key (key_path)."),
]
# Verifying: `badgekit verify`, and `badgekit migrate`, which verifies each OB 2.0 assertion the same way
VerifyAtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="TIMESTAMP", help="Verify as of this time instead of now, e.g. 2026-01-15T12:00:00Z (time zone required)."),
]
Ob2DocOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ob2-doc",
        metavar="FILE|DIR|URL=FILE",
        help="Open Badges 2.0 only: a copy of a document the badge refers to (the hosted assertion, its BadgeClass, "
        "the issuer Profile, the issuer's CryptographicKey, its RevocationList), keyed by its id; a folder of them; "
        "or URL=FILE. Repeatable. A missing one makes the badge indeterminate, naming the URL to supply.",
    ),
]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Ignore the documents added with 'badgekit cache add' (DID documents, status lists, OB 2.0 documents)."),
]
PassphraseFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help=f"Read the key passphrase from this file (first line). Or set {PASSPHRASE_ENV}; "
        "otherwise badgekit prompts when run in a terminal.",
    ),
]


# ---------------------------------------------------------------------------------------------
# Old spellings: accepted for one release, with a warning on stderr

_OLD_SPELLINGS = "__badgekit_old_spellings__"
_F = TypeVar("_F", bound=Callable[..., Any])


def old_spellings(**renamed: tuple[str, ...]) -> Callable[[_F], _F]:
    """Keep a command's old flags working for one release: ``@old_spellings(credential=("--credential",
    "-c"))`` accepts ``-c FILE`` for the parameter ``credential`` (now an argument), warning on
    stderr. The old flags are hidden from --help; the root group installs them
    (:func:`install_old_spellings`)."""

    def mark(command: _F) -> _F:
        setattr(command, _OLD_SPELLINGS, renamed)
        return command

    return mark


def deprecated(old: str, instead: str) -> None:
    """Warn on stderr that the spelling ``old`` still works, for this release only."""
    from badgekit.cli import _output  # start-up: Rich only when an old spelling is used

    _output.warn(f"{old} is deprecated and will stop working in the next release; {instead}")


class _OldSpelling(TyperOption):
    """A hidden option that hands its value to the parameter that replaced it, with a warning.
    Eager, so it runs before that parameter reads its value."""

    def __init__(self, flag: str, target: Any) -> None:
        super().__init__(param_decls=[flag, "_old" + flag.replace("-", "_")], multiple=bool(getattr(target, "multiple", False)),
                         hidden=True, expose_value=False, is_eager=True)
        self.flag = flag
        self.target = target

    def handle_parse_result(self, ctx: Any, opts: Mapping[str, Any], args: list[str]) -> tuple[Any, list[str]]:
        value = opts.get(str(self.name))
        if value is None or value == [] or value == ():
            return None, args
        target = self.target
        new = target.opts[0] if target.param_type_name == "option" else target.human_readable_name
        deprecated(self.flag, f"use {new}" if target.param_type_name == "option" else f"give {new} as an argument")
        given = cast(dict[str, Any], opts)  # the parser's dict, read by every parameter after this one
        current = given.get(target.name)
        slots = [p for p in ctx.command.params if p.param_type_name == "argument" and p.nargs == 1]
        later = slots[slots.index(target):] if target in slots else []
        if current is None or current == () or current == []:
            given[target.name] = value
        elif self.multiple:
            given[target.name] = [*current, *value]
        elif later and given.get(later[-1].name) is None:  # `-c X Y`: Y is the next argument, not this one
            for slot, moved in zip(later[1:], [given.get(p.name) for p in later[:-1]], strict=True):
                given[slot.name] = moved
            given[target.name] = value
        else:
            raise typer.BadParameter(f"{self.flag} and {new} both given; use {new}", ctx=ctx)
        return None, args


def install_old_spellings(command: Any) -> None:
    """Add the hidden old flags declared with :func:`old_spellings` to ``command`` (a click
    command or group, recursively)."""
    for sub in getattr(command, "commands", {}).values():
        install_old_spellings(sub)
    renamed = getattr(command.callback, _OLD_SPELLINGS, None) if command.callback is not None else None
    if not renamed or any(isinstance(p, _OldSpelling) for p in command.params):
        return
    flags = {flag for p in command.params for flag in (*p.opts, *p.secondary_opts)}
    by_name = {p.name: p for p in command.params}
    for name, old in renamed.items():
        for flag in old:
            assert flag not in flags, f"{command.name}: {flag} is still a current spelling"
            command.params.append(_OldSpelling(flag, by_name[name]))


def read_passphrase(passphrase_file: Path | None, *, confirm: bool = False, required: bool = True,
                    key: Path | None = None) -> bytes | None:
    """Passphrase from a file, then the environment, then an interactive prompt. ``confirm``: for
    a new key (prompted twice), so one shorter than the key file allows is refused here, naming
    where it came from, before anything is created. ``key``: the encrypted key file it opens
    (named when there is no way to get the passphrase).

    Raises:
        PassphraseError: none available and no terminal to ask on (when ``required``); a new
            one too short.
    """
    if passphrase_file is not None:
        text = read_bounded(passphrase_file, limit=4096).decode("utf-8").splitlines()
        if not text or not text[0]:
            raise PassphraseError(f"{passphrase_file}: passphrase file is empty")
        return _new_passphrase(text[0].encode("utf-8"), str(passphrase_file), confirm)
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return _new_passphrase(env.encode("utf-8"), PASSPHRASE_ENV, confirm)
    if sys.stdin.isatty():
        value = typer.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)
        return _new_passphrase(str(value).encode("utf-8"), "the passphrase typed", confirm)
    if required:
        raise PassphraseError(f"{key}: the key is encrypted and there is no terminal to ask for its passphrase" if key
                              else "the key needs a passphrase and there is no terminal to ask for it")
    return None


def _new_passphrase(passphrase: bytes, source: str, new: bool) -> bytes:
    if new and len(passphrase) < keys.MIN_PASSPHRASE_LENGTH:
        raise PassphraseError(f"{source}: passphrase too short (at least {keys.MIN_PASSPHRASE_LENGTH} characters)",
                              hint="a new key's passphrase needs at least that many characters")
    return passphrase


def load_key(path: Path, passphrase_file: Path | None) -> keys.Ed25519Key:
    """Load a key, asking for the passphrase only when the file is encrypted."""
    passphrase = read_passphrase(passphrase_file, key=path) if path.is_file() and keys.is_encrypted(path) else None
    return keys.load_key(path, passphrase=passphrase)


def load_data_integrity_key(path: Path, passphrase_file: Path | None) -> keys.DataIntegrityKey:
    """Like :func:`load_key`, but a P-256 / P-384 key (the ecdsa-* cryptosuites) is accepted too."""
    passphrase = read_passphrase(passphrase_file, key=path) if path.is_file() and keys.is_encrypted(path) else None
    return keys.load_data_integrity_key(path, passphrase=passphrase)


def load_any_key(path: Path, passphrase_file: Path | None) -> keys.PrivateKey:
    """Like :func:`load_key`, but an RSA key (VC-JWT RS256) is accepted too."""
    passphrase = read_passphrase(passphrase_file, key=path) if path.is_file() and keys.is_encrypted(path) else None
    return keys.load_any_key(path, passphrase=passphrase)


def ledger_target(project: Project) -> str | Path:
    """Where the project's ledger is: ``BADGEKIT_LEDGER_URL``, else ``[ledger] url`` in
    badgekit.toml, else the project's SQLite file (``.badgekit/ledger.sqlite3``).

    Raises:
        InputError: ``BADGEKIT_LEDGER_URL`` is set but is not a ``postgresql://`` URL.
    """
    # start-up: the ledger (sqlite3) stays off the `badgekit verify` path, which imports this module
    from badgekit.ledger import is_ledger_url, redact_url

    env = os.environ.get(LEDGER_URL_ENV, "").strip()
    if env and not is_ledger_url(env):
        raise InputError(f"{LEDGER_URL_ENV}={redact_url(env)!r} is not a postgresql:// URL",
                         hint="unset it to use the project's own SQLite ledger")
    return env or project.ledger_url or project.ledger_path


def open_ledger(project: Project) -> Ledger:
    """The project's ledger (see :func:`ledger_target`), opened.

    Raises:
        LedgerError: it cannot be opened (an unreachable server: one line, exit 2).
    """
    from badgekit.ledger import Ledger  # start-up: as above

    return Ledger.open(ledger_target(project))


def current_actor() -> str:
    """Who is running the command, as recorded with ledger events (the login name)."""
    import getpass

    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError):
        return os.environ.get("USER") or "unknown"


# ---------------------------------------------------------------------------------------------
# Sending by e-mail: `badgekit send` and `badgekit issue --send`

SMTP_URL_ENV = "BADGEKIT_SMTP_URL"
SMTP_PASSWORD_ENV = "BADGEKIT_SMTP_PASSWORD"
SMTP_CA_FILE_ENV = "BADGEKIT_SMTP_CA_FILE"

SmtpUrlOpt = Annotated[
    str | None,
    typer.Option("--smtp", metavar="URL", help=f"SMTP server: smtp://host:port, smtp+starttls://user@host:587 or smtps://user@host:465. Default: ${SMTP_URL_ENV}, else \\[smtp] url in badgekit.toml."),
]
SmtpPasswordFileOpt = Annotated[
    Path | None,
    typer.Option("--smtp-password-file", help=f"Read the SMTP password from this file (first line). Or set {SMTP_PASSWORD_ENV}. Never in the URL."),
]
SmtpCaFileOpt = Annotated[
    Path | None,
    typer.Option("--smtp-ca-file", metavar="PEM", help=f"Trust the CA in this PEM file (not the system's) for the server's TLS certificate (smtps:// or smtp+starttls://; refused with a plain smtp:// URL). Default: ${SMTP_CA_FILE_ENV}, else \\[smtp] ca_file."),
]
SenderOpt = Annotated[
    str | None,
    typer.Option("--from", metavar="ADDRESS", help="Sender address. Default: \\[smtp] from in badgekit.toml, else the issuer's email."),
]
ReplyToOpt = Annotated[str | None, typer.Option("--reply-to", metavar="ADDRESS", help="Where earners' replies go.")]
BundleUrlBaseOpt = Annotated[
    str | None,
    typer.Option("--bundle-url-base", metavar="URL", help="Where the bundle folders are hosted (https://…/badges/): their QR codes and LinkedIn credential URL, and each message's link to its page."),
]
LinkedInOrgIdOpt = Annotated[
    str | None, typer.Option("--linkedin-org-id", metavar="ID", help="The issuer's LinkedIn company id (LinkedIn then shows its logo)."),
]
RateOpt = Annotated[str | None, typer.Option("--rate", metavar="N/min", help="At most N messages a minute (also N/s, N/h).")]

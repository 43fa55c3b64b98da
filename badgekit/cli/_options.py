"""Options shared by several commands, and passphrase handling (never on the command line)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from badgekit import keys
from badgekit._io import read_bounded
from badgekit.errors import InputError, PassphraseError

PASSPHRASE_ENV = "BADGEKIT_KEY_PASSPHRASE"
#: A PostgreSQL ledger for every project (overrides [ledger] url in badgekit.toml).
LEDGER_URL_ENV = "BADGEKIT_LEDGER_URL"


def default_workers(cgroup_cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """Worker processes when --workers is not given: the CPUs this process may run on (its
    affinity, not the host's count) and, in a container with a CPU quota (cgroup v2 ``cpu.max``),
    no more than the quota allows. ``os.cpu_count()`` alone reports the host's cores, so a CI job
    limited to 2 CPUs on a 64-core host would start 64 processes."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = cgroup_cpu_max.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))  # ceiling: 1.5 CPUs -> 2
    except (OSError, ValueError):
        pass
    return max(1, count)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON on stdout.")]
KEY_ENV = "BADGEKIT_KEY"
#: The signing key of every command that signs: --key, else $BADGEKIT_KEY, else (where there is
#: one) the project's key_path. The command falls back to the project when this is None.
KeyOpt = Annotated[
    Path | None,
    typer.Option("--key", "-k", envvar=KEY_ENV, show_envvar=False,
                 help=f"Signing key file (PKCS#8 PEM, mode 0600). Default: ${KEY_ENV}, else the project's key (key_path)."),
]
PassphraseFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--passphrase-file",
        help=f"Read the key passphrase from this file (first line). Or set {PASSPHRASE_ENV}; "
        "otherwise badgekit prompts when run in a terminal.",
    ),
]


def read_passphrase(passphrase_file: Path | None, *, confirm: bool = False, required: bool = True) -> bytes | None:
    """Passphrase from a file, then the environment, then an interactive prompt.

    Raises:
        PassphraseError: none available and no terminal to ask on (when ``required``).
    """
    if passphrase_file is not None:
        text = read_bounded(passphrase_file, limit=4096).decode("utf-8").splitlines()
        if not text or not text[0]:
            raise PassphraseError(f"{passphrase_file}: passphrase file is empty")
        return text[0].encode("utf-8")
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env.encode("utf-8")
    if sys.stdin.isatty():
        value = typer.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)
        return str(value).encode("utf-8")
    if required:
        raise PassphraseError("the key needs a passphrase and there is no terminal to ask for it")
    return None


def load_key(path: Path, passphrase_file: Path | None) -> keys.Ed25519Key:
    """Load a key, asking for the passphrase only when the file is encrypted."""
    passphrase = read_passphrase(passphrase_file) if path.is_file() and keys.is_encrypted(path) else None
    return keys.load_key(path, passphrase=passphrase)


def load_any_key(path: Path, passphrase_file: Path | None) -> keys.PrivateKey:
    """Like :func:`load_key`, but an RSA key (VC-JWT RS256) is accepted too."""
    passphrase = read_passphrase(passphrase_file) if path.is_file() and keys.is_encrypted(path) else None
    return keys.load_any_key(path, passphrase=passphrase)


def ledger_target(project: Any) -> str | Path:
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


def open_ledger(project: Any) -> Any:
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

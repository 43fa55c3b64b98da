"""``badgekit init``: a new badge project (``badgekit.toml``, a signing key, ``badges/``, README,
``.gitignore`` and, for did:web, ``did.json``), never overwriting a file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from badgekit import did, keys
from badgekit._io import dumps_json
from badgekit.badgeclass import is_http_url
from badgekit.errors import InputError, PassphraseError
from badgekit.project._config import (
    CONFIG_NAME,
    DEFAULT_BADGES_DIR,
    DEFAULT_KEY_FILE,
    DEFAULT_OUTPUT_DIR,
    DID_DOCUMENT_NAME,
    EMAIL,
    Project,
)


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: files it created, files it found and left alone, and what to do next."""

    root: Path
    config_path: Path
    key_path: Path
    issuer_id: str
    verification_method: str | None
    did_document_path: Path | None
    created: tuple[Path, ...]
    skipped: tuple[Path, ...]
    already_initialised: bool
    key_encrypted: bool
    next_steps: str
    warnings: tuple[str, ...] = ()
    status_base_url: str | None = None  # None: the project's credentials are not revocable

    def to_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "config": str(self.config_path),
            "keyPath": str(self.key_path),
            "issuerId": self.issuer_id,
            "verificationMethod": self.verification_method,
            "statusBaseUrl": self.status_base_url,
            "didDocument": None if self.did_document_path is None else str(self.did_document_path),
            "created": [str(p) for p in self.created],
            "skipped": [str(p) for p in self.skipped],
            "alreadyInitialised": self.already_initialised,
            "keyEncrypted": self.key_encrypted,
            "warnings": list(self.warnings),
        }


def parse_did_web(spec: str) -> tuple[str, str | None]:
    """``"example.edu/issuers/cs"`` → ``("example.edu", "issuers/cs")``."""
    text = spec.strip()
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    domain, _, path = text.partition("/")
    return domain, (path.strip("/") or None)


def init_project(
    root: str | os.PathLike[str],
    *,
    name: str,
    url: str | None = None,
    email: str | None = None,
    image: str | None = None,
    did_web: str | None = None,
    passphrase: bytes | None = None,
    key_file: str = DEFAULT_KEY_FILE,
    status_base_url: str | None = None,
    templates_dir: str | None = None,
    no_status: bool = False,
) -> InitResult:
    """Create a badge project in ``root``: ``badgekit.toml``, a signing key, ``badges/``, a
    README with next steps, a ``.gitignore`` that keeps the key out of git and, with ``did_web``
    (``DOMAIN[/path]``), the ``did.json`` to host.

    Nothing is ever overwritten. If ``badgekit.toml`` exists the project is left as it is and the
    result says so. An existing key file is reused (``passphrase`` opens it when encrypted).
    Credentials point to status lists under ``status_base_url`` so that they can be revoked; it
    defaults to ``<url>/status/``, else (with ``did_web``) ``https://<domain>[/path]/status/``.
    With neither, it must be given, or ``no_status`` must say that there is none on purpose
    (``issue`` then needs ``--no-revocation``).

    Raises:
        InputError: a value is malformed (URL, email, did:web domain); no status list URL and
            no ``no_status`` (or both).
        PassphraseError: an existing encrypted key and no (or a wrong) passphrase; a too-short new one.
        KeyFileError: an existing key file cannot be used.
    """
    root_path = Path(root).resolve()
    config = root_path / CONFIG_NAME
    if config.exists():
        project = Project.load(config)
        return InitResult(
            root=root_path,
            config_path=config,
            key_path=project.key_path,
            issuer_id=project.issuer_id,
            verification_method=project.verification_method,
            did_document_path=None,
            created=(),
            skipped=(config,),
            already_initialised=True,
            key_encrypted=project.key_path.is_file() and keys.is_encrypted(project.key_path),
            next_steps=next_steps_text(project.key_path.name, None, None),
            warnings=(f"{config} exists: nothing was changed (edit it to change the issuer)",),
            status_base_url=project.status_base_url,
        )

    # 1. check every value before creating anything
    name = (name or "").strip()
    if not name:
        raise InputError("init: the issuer name is required (--name)")
    for label, value in (("--url", url), ("--image", image), ("--status-base-url", status_base_url)):
        if value and not is_http_url(value):
            raise InputError(f"init: {label} {value!r} is not an absolute http(s) URL")
    if email and not EMAIL.fullmatch(email):
        raise InputError(f"init: --email {email!r} is not an email address")
    key_rel = Path(key_file)
    if key_rel.is_absolute() or ".." in key_rel.parts or not key_file.strip():
        raise InputError(f"init: --key-file {key_file!r} must be a file name inside the project")
    web_did = None
    if did_web:
        domain, path = parse_did_web(did_web)
        web_did = did.did_web(domain, path)
    if no_status and status_base_url:
        raise InputError("init: --no-status and --status-base-url contradict each other: choose one")
    if no_status:
        status_base_url = None
    elif not status_base_url and url:
        status_base_url = url.rstrip("/") + "/status/"
    elif not status_base_url and web_did:
        status_base_url = did.did_web_url(web_did).removesuffix("did.json").removesuffix(".well-known/") + "status/"
    elif not status_base_url:
        raise InputError(
            "init: no status list URL, so no credential of this project could ever be revoked",
            hint="give --status-base-url https://…/status/ (where you will host the lists; --url or --did-web set one too), "
                 "or --no-status to issue credentials that cannot be revoked",
        )

    root_path.mkdir(parents=True, exist_ok=True)
    created: list[Path] = []
    skipped: list[Path] = []
    warnings: list[str] = []

    # 2. the key: reuse one that is already there, else generate
    key_path = root_path / key_rel
    if key_path.exists():
        encrypted = keys.is_encrypted(key_path)
        if encrypted and passphrase is None:
            raise PassphraseError(f"{key_path}: existing key is encrypted and no passphrase was given")
        key: keys.DataIntegrityKey = keys.load_data_integrity_key(key_path, passphrase=passphrase if encrypted else None)
        skipped.append(key_path)
        warnings.append(f"{key_path} exists: using that key")
    else:
        key = keys.Ed25519Key.generate()
        keys.save_key(key, key_path, passphrase=passphrase)
        encrypted = passphrase is not None
        created.append(key_path)

    # 3. the issuer id and, for did:web, the DID document to host
    did_doc_path: Path | None = None
    if web_did is not None:
        issuer_id = web_did
        vm: str | None = f"{web_did}#key-1"
        did_doc_path = root_path / DID_DOCUMENT_NAME
        document = did.did_web_document(web_did, [key.public_key])
        _new_file(did_doc_path, _dumps(document), created, skipped)
        if did_doc_path in skipped:
            warnings.append(f"{did_doc_path} exists: make sure it lists this key as {vm}")
    else:
        issuer_id = key.did_key
        vm = None

    if status_base_url is None:
        warnings.append("no status_base_url: credentials of this project cannot be revoked "
                        "(issue needs --no-revocation, or revocable: false in the badge class)")

    # 4. folders, README, .gitignore, and last the config (its presence means "initialised")
    badges = root_path / DEFAULT_BADGES_DIR
    if badges.is_dir():
        skipped.append(badges)
    else:
        badges.mkdir(parents=True)
        created.append(badges)
    steps = next_steps_text(key_rel.as_posix(), web_did, did.did_web_url(web_did) if web_did else None)
    _new_file(root_path / "README.md", _readme(name, issuer_id, steps), created, skipped)
    gitignore = root_path / ".gitignore"
    if gitignore.exists():
        skipped.append(gitignore)
        ignored = gitignore.read_text(encoding="utf-8", errors="replace").split()
        if key_rel.as_posix() not in ignored and f"/{key_rel.as_posix()}" not in ignored:
            warnings.append(f"{gitignore} exists: make sure it ignores {key_rel.as_posix()} (the private key)")
    else:
        _new_file(gitignore, f"# never commit the private key\n/{key_rel.as_posix()}\n*.pem\n.badgekit/\n", created, skipped)
    toml_text = render_config(
        issuer_id=issuer_id,
        name=name,
        url=url or None,
        email=email or None,
        image=image or None,
        verification_method=vm,
        key_path=key_rel.as_posix(),
        status_base_url=status_base_url or None,
        templates_dir=templates_dir,
    )
    _new_file(config, toml_text, created, skipped)
    return InitResult(
        root=root_path,
        config_path=config,
        key_path=key_path,
        issuer_id=issuer_id,
        verification_method=vm,
        did_document_path=did_doc_path,
        created=tuple(created),
        skipped=tuple(skipped),
        already_initialised=False,
        key_encrypted=encrypted,
        next_steps=steps,
        warnings=tuple(warnings),
        status_base_url=status_base_url,
    )


def render_config(
    *,
    issuer_id: str,
    name: str,
    url: str | None = None,
    email: str | None = None,
    image: str | None = None,
    verification_method: str | None = None,
    key_path: str = DEFAULT_KEY_FILE,
    badges_dir: str = DEFAULT_BADGES_DIR,
    output_dir: str = DEFAULT_OUTPUT_DIR,
    status_base_url: str | None = None,
    templates_dir: str | None = None,
) -> str:
    """The text of a ``badgekit.toml`` (written by hand: a few strings need no TOML library)."""

    def line(key: str, value: str | None, example: str) -> str:
        return f"{key} = {_toml_str(value)}" if value else f"# {key} = {_toml_str(example)}"

    lines = [
        "# badgekit project: the issuer profile, the signing key and the folders badgekit uses.",
        "# Paths are relative to this file. Edit freely; badgekit init never overwrites it.",
        "",
        "[issuer]",
        "# The issuer's id must control the signing key: the key's did:key, or a did:web whose",
        "# did.json lists the key (then verification_method names it).",
        f"id = {_toml_str(issuer_id)}",
        f"name = {_toml_str(name)}",
        line("url", url, "https://example.edu"),
        line("email", email, "badges@example.edu"),
        line("image", image, "https://example.edu/logo.png"),
        (
            f"verification_method = {_toml_str(verification_method)}"
            if verification_method
            else '# verification_method = "did:web:example.edu#key-1"   # only for did:web or https issuers'
        ),
        "# RS256 VC-JWTs (issue --format jwt --key rsa.pem) name the RSA key as <id>#<its JWK thumbprint>,",
        "# the method 'badgekit key did-web' lists; set this only if you publish it under another id.",
        '# jwt_verification_method = "did:web:example.edu#rsa-1"',
        "",
        "[project]",
        f"key_path = {_toml_str(key_path)}",
        f"badges_dir = {_toml_str(badges_dir)}",
        f"output_dir = {_toml_str(output_dir)}",
        "# Where status lists (revocation) will be published; credentials point there.",
        line("status_base_url", status_base_url, "https://example.edu/status/"),
        "# Your own badge-class templates, in addition to the shipped ones.",
        line("templates_dir", templates_dir, "templates"),
        "",
    ]
    return "\n".join(lines)


def _toml_str(value: str) -> str:
    out = ['"']
    for ch in value:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def next_steps_text(key_file: str, web_did: str | None, did_url: str | None) -> str:
    """What to do after ``init``, as shown on the terminal and written to README.md."""
    steps = [
        "1. Create a badge class from a template (see: badgekit templates list):",
        "     badgekit badge new --template course-completion --set course_name='Python Basics'",
        "2. Check your badge classes:",
        "     badgekit badge validate",
        "     badgekit badge list",
        "3. Issue credentials from a roster (see: badgekit issue --help).",
        f"Keep {key_file} secret and backed up: it signs every credential of this issuer.",
    ]
    if web_did and did_url:
        steps.insert(0, f"0. Publish did.json at {did_url} so that verifiers can find the key of {web_did}.")
    return "\n".join(steps)


def _readme(name: str, issuer_id: str, steps: str) -> str:
    return (
        f"# Badges of {name}\n\n"
        "This folder is a badgekit project (`badgekit.toml`).\n\n"
        f"Issuer id: `{issuer_id}`\n\n"
        "## Next steps\n\n"
        "```\n"
        f"{steps}\n"
        "```\n\n"
        "Badge classes live in `badges/` (YAML or JSON OB 3.0 Achievements with a `badgekit` policy).\n"
    )


def _dumps(value: object) -> str:
    return dumps_json(value)


def _new_file(path: Path, text: str, created: list[Path], skipped: list[Path], *, mode: int = 0o644) -> None:
    """Create ``path`` with ``text`` unless it exists (never overwrite, even in a race)."""
    if path.exists():
        skipped.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        try:
            os.link(tmp, path)
        except FileExistsError:
            skipped.append(path)
            return
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    created.append(path)

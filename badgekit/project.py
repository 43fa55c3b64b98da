"""The badge project: ``badgekit.toml``, the issuer profile, the signing key and the folders.

``badgekit init`` writes a project; every other command finds it by walking up from the current
folder (:func:`find_project`). The file is small and meant to be edited by hand:

.. code-block:: toml

    [issuer]                      # the OB 3.0 issuer Profile
    id = "did:key:z6Mk…"          # or did:web:example.edu (then verification_method = "…#key-1")
    name = "Example University"
    url = "https://example.edu"
    email = "badges@example.edu"
    image = "https://example.edu/logo.png"
    # jwt_verification_method = "did:web:example.edu#rsa-1"   # kid of RS256 VC-JWTs (RSA key);
    #                             default "<id>#<the RSA key's JWK thumbprint>", as key did-web lists it

    [project]                     # paths are relative to this file
    key_path = "issuer-key.pem"
    badges_dir = "badges"
    output_dir = "out"
    status_base_url = "https://example.edu/status/"
    templates_dir = "templates"   # optional: your own badge-class templates (a list is fine)

    [roster]                      # optional
    date_format = "DMY"           # numeric dates such as 04/03/2026 are day first (MDY: month first)

    [render]                      # optional
    font = "fonts/NotoSansCJK-Regular.ttc"   # badge PNGs: characters DejaVu Sans lacks (a list is fine)
    [ledger]                      # optional: a PostgreSQL ledger shared with other projects
    url = "postgresql://badgekit@db.example.edu/badges?sslmode=verify-full"   # no password here

Other members of ``[issuer]`` are copied into the profile when they are OB 3.0 Profile properties
that hold text (``description``, ``phone``, ``official`` …, :data:`PROFILE_TEXT_MEMBERS`); any
other member is an error here rather than in every credential (object-valued ones such as
``address`` or ``parentOrg`` fail the OB schema, undefined terms are not signed, and
``endorsementJwt`` is missing from the context revision the DCC stack ships).
Unknown tables are left alone for other tools. ``init`` never overwrites a file: run it again and
it only reports what is already there.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from badgekit import did, keys, roster
from badgekit._io import dumps_json, load_json_file
from badgekit.badgeclass import is_date, is_http_url
from badgekit.errors import InputError, KeyFileError, PassphraseError

CONFIG_NAME = "badgekit.toml"
DEFAULT_KEY_FILE = "issuer-key.pem"
DEFAULT_BADGES_DIR = "badges"
DEFAULT_OUTPUT_DIR = "out"
DID_DOCUMENT_NAME = "did.json"
LEDGER_RELATIVE = Path(".badgekit") / "ledger.sqlite3"

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_ISSUER_KEYS = ("id", "name", "url", "email", "image", "verification_method", "jwt_verification_method")
#: OB 3.0 Profile properties whose value is text, copied from ``[issuer]`` into the profile.
PROFILE_TEXT_MEMBERS = (
    "description", "phone", "official", "givenName", "familyName", "additionalName", "patronymicName",
    "honorificPrefix", "honorificSuffix", "familyNamePrefix", "dateOfBirth",
)
_PROJECT_KEYS = ("key_path", "badges_dir", "output_dir", "status_base_url", "templates_dir")


@dataclass(frozen=True)
class Project:
    """A loaded ``badgekit.toml``; every path is absolute."""

    root: Path
    issuer: dict[str, Any]  # OB Profile: {"id", "type": ["Profile"], "name", "url"?, "email"?, "image"?: {"id", "type": "Image"}}
    key_path: Path
    badges_dir: Path
    output_dir: Path
    ledger_path: Path  # root/.badgekit/ledger.sqlite3
    status_base_url: str | None  # e.g. "https://example.edu/status/"
    verification_method: str | None  # None → the key's did:key verification method
    templates_dirs: tuple[Path, ...] = ()
    date_order: str | None = None  # [roster] date_format: "DMY" / "MDY" for dates like 04/03/2026
    #: [issuer] jwt_verification_method: the kid of RS256 VC-JWTs (RSA key); None → <issuer id>#<JWK thumbprint>
    jwt_verification_method: str | None = None
    #: [render] font: font files for badge PNG characters the bundled font lacks; () → installed fonts
    render_fonts: tuple[Path, ...] = ()
    #: [ledger] url: a shared PostgreSQL ledger (postgresql://…, no password); None → ledger_path
    ledger_url: str | None = None
    #: [cluster] scheduler: the Dask scheduler that signs bulk runs (tcp://host:8786); None → this machine
    cluster_scheduler: str | None = None

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    @property
    def issuer_id(self) -> str:
        return str(self.issuer["id"])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Project:
        """Read a project from its folder or its ``badgekit.toml``.

        Raises:
            InputError: the file is missing or malformed, or a value is wrong (names file and key).
        """
        p = Path(path)
        config = p / CONFIG_NAME if p.is_dir() else p
        if not config.is_file():
            raise InputError(f"{config}: no such file", hint="run badgekit init to create a badge project")
        try:
            data = tomllib.loads(config.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"{config}: malformed TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{config}: cannot read ({exc})") from None
        return _from_config(config, data)

    @property
    def did_document_path(self) -> Path:
        """Where the project keeps the DID document it hosts for a did:web (or https) issuer."""
        return self.root / DID_DOCUMENT_NAME

    def issuer_document(self) -> dict[str, Any] | None:
        """The issuer's DID document (``did.json`` beside ``badgekit.toml``, as hosted), in which
        signing checks the key; None for a did:key issuer, whose id is its key.

        Raises:
            KeyFileError: the issuer is not a did:key and the file is missing.
            InputError: the file is not a JSON object.
        """
        if self.issuer_id.startswith("did:key:"):
            return None
        path = self.did_document_path
        if not path.is_file():
            raise KeyFileError(
                f"{path}: no such file: the DID document of {self.issuer_id}, in which badgekit checks the signing key",
                hint="write it with 'badgekit key did-web KEY... --domain DOMAIN' (every key, oldest first): the did.json you host",
            )
        document = load_json_file(path)
        if not isinstance(document, dict):
            raise InputError(f"{path}: a DID document is a JSON object")
        return document

    def signer(self, key: keys.Ed25519Key) -> keys.KeySigner:
        """A signer for ``key`` with this project's verification method, once it is clear that
        verifiers will find this key there (:func:`badgekit.did.check_issuer_key`).

        Raises:
            KeyFileError: ``key`` is not the issuer's: not its did:key, or not listed in its DID document.
        """
        signer = key.signer(self.verification_method)
        did.check_issuer_key(self.issuer_id, signer.verification_method, key.public_key, self.issuer_document())
        return signer

    def to_json(self) -> dict[str, Any]:
        return {
            "root": str(self.root),
            "config": str(self.config_path),
            "issuer": self.issuer,
            "keyPath": str(self.key_path),
            "badgesDir": str(self.badges_dir),
            "outputDir": str(self.output_dir),
            "ledgerPath": str(self.ledger_path),
            "ledgerUrl": self.ledger_url,
            "statusBaseUrl": self.status_base_url,
            "verificationMethod": self.verification_method,
            "jwtVerificationMethod": self.jwt_verification_method,
            "templatesDirs": [str(d) for d in self.templates_dirs],
            "dateOrder": self.date_order,
            "renderFonts": [str(f) for f in self.render_fonts],
        }


def _from_config(config: Path, data: Mapping[str, Any]) -> Project:
    root = config.resolve().parent

    def fail(key: str, message: str) -> InputError:
        return InputError(f"{config}: {key}: {message}")

    issuer_table = data.get("issuer")
    if not isinstance(issuer_table, Mapping):
        raise fail("[issuer]", "missing table (the issuer profile: id, name, url …)")
    project_table = data.get("project", {})
    if not isinstance(project_table, Mapping):
        raise fail("[project]", "must be a table")

    def text(table: Mapping[str, Any], prefix: str, key: str, *, required: bool = False) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                raise fail(f"{prefix}.{key}", "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(f"{prefix}.{key}", "must be a non-empty string")
        return value.strip()

    issuer_id = text(issuer_table, "issuer", "id", required=True)
    assert issuer_id is not None
    if not (issuer_id.startswith("did:") or is_http_url(issuer_id)):
        raise fail("issuer.id", f"{issuer_id!r} is not a DID or an http(s) URL")
    name = text(issuer_table, "issuer", "name", required=True)
    profile: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": name}
    url = text(issuer_table, "issuer", "url")
    if url is not None:
        if not is_http_url(url):
            raise fail("issuer.url", f"{url!r} is not an absolute http(s) URL")
        profile["url"] = url
    email = text(issuer_table, "issuer", "email")
    if email is not None:
        if not _EMAIL.fullmatch(email):
            raise fail("issuer.email", f"{email!r} is not an email address")
        profile["email"] = email
    image = text(issuer_table, "issuer", "image")
    if image is not None:
        if not (is_http_url(image) or image.startswith("data:image/")):
            raise fail("issuer.image", f"{image!r} is not an http(s) URL or a data:image/ URI")
        profile["image"] = {"id": image, "type": "Image"}
    for key in issuer_table:
        if key in _ISSUER_KEYS:
            continue
        if key not in PROFILE_TEXT_MEMBERS:
            raise fail(f"issuer.{key}", f"extra profile members must be one of {', '.join(PROFILE_TEXT_MEMBERS)}")
        value = text(issuer_table, "issuer", key)
        assert value is not None
        if key == "dateOfBirth" and not (len(value) == 10 and is_date(value)):  # a date, not a date-time
            raise fail("issuer.dateOfBirth", f"{value!r} is not a date (YYYY-MM-DD)")
        profile[key] = value

    vm = text(issuer_table, "issuer", "verification_method")
    if vm is None and issuer_id.startswith("did:web:"):
        vm = f"{issuer_id}#key-1"
    elif vm is None and not issuer_id.startswith("did:key:"):
        raise fail("issuer.verification_method", f"is required when the issuer id is not a did:key (e.g. {issuer_id}#key-1)")
    if vm is not None and not vm.startswith(issuer_id + "#"):
        raise fail("issuer.verification_method", f"{vm!r} must belong to the issuer: start with {issuer_id}#")
    # The RSA key's method (RS256 VC-JWT kid) is a different key from verification_method's Ed25519 one.
    jwt_vm = text(issuer_table, "issuer", "jwt_verification_method")
    if jwt_vm is not None and issuer_id.startswith("did:key:"):
        raise fail("issuer.jwt_verification_method", "names an RSA key's method, which a did:key issuer cannot have")
    if jwt_vm is not None and not jwt_vm.startswith(issuer_id + "#"):
        raise fail("issuer.jwt_verification_method", f"{jwt_vm!r} must belong to the issuer: start with {issuer_id}#")

    def folder(key: str, default: str) -> Path:
        value = text(project_table, "project", key) or default
        return (root / value).resolve() if not Path(value).is_absolute() else Path(value)

    status = text(project_table, "project", "status_base_url")
    if status is not None and not is_http_url(status):
        raise fail("project.status_base_url", f"{status!r} is not an absolute http(s) URL")
    raw_templates = project_table.get("templates_dir")
    if raw_templates is None:
        template_values: list[str] = []
    elif isinstance(raw_templates, str):
        template_values = [raw_templates]
    elif isinstance(raw_templates, list) and all(isinstance(v, str) for v in raw_templates):
        template_values = list(raw_templates)
    else:
        raise fail("project.templates_dir", "must be a folder or a list of folders")
    roster_table = data.get("roster", {})
    if not isinstance(roster_table, Mapping):
        raise fail("[roster]", "must be a table")
    date_format = text(roster_table, "roster", "date_format")
    date_order = None
    if date_format is not None:
        try:
            date_order = roster.date_order(date_format)
        except InputError as exc:
            raise fail("roster.date_format", exc.message) from None
    render_table = data.get("render", {})
    if not isinstance(render_table, Mapping):
        raise fail("[render]", "must be a table")
    raw_fonts = render_table.get("font", [])
    font_values = [raw_fonts] if isinstance(raw_fonts, str) else raw_fonts
    if not isinstance(font_values, list) or not all(isinstance(v, str) and v.strip() for v in font_values):
        raise fail("render.font", "must be a font file or a list of font files")
    render_fonts = tuple((root / v).resolve() for v in font_values)
    for f in render_fonts:
        if not f.is_file():
            raise fail("render.font", f"font file {f} does not exist")
    ledger_table = data.get("ledger", {})
    if not isinstance(ledger_table, Mapping):
        raise fail("[ledger]", "must be a table")
    ledger_url = text(ledger_table, "ledger", "url")
    if ledger_url is not None:
        # start-up: the ledger (sqlite3) only for a [ledger] url, not for badgekit --help
        from badgekit.ledger import is_ledger_url, redact_url, url_password

        if not is_ledger_url(ledger_url):
            raise fail("ledger.url", f"{redact_url(ledger_url)!r} is not a postgresql:// URL")
        if url_password(ledger_url):
            raise InputError(f"{config}: ledger.url: {redact_url(ledger_url)!r} holds a password, which must not be kept in the project",
                             hint="remove it and give it with PGPASSWORD, ~/.pgpass or a libpq service file")
    cluster_table = data.get("cluster", {})
    if not isinstance(cluster_table, Mapping):
        raise fail("[cluster]", "must be a table")
    cluster_scheduler = text(cluster_table, "cluster", "scheduler")
    templates_dirs = []
    for value in template_values:
        d = (root / value).resolve()
        if not d.is_dir():
            raise fail("project.templates_dir", f"folder {d} does not exist")
        templates_dirs.append(d)
    return Project(
        root=root,
        issuer=profile,
        key_path=folder("key_path", DEFAULT_KEY_FILE),
        badges_dir=folder("badges_dir", DEFAULT_BADGES_DIR),
        output_dir=folder("output_dir", DEFAULT_OUTPUT_DIR),
        ledger_path=root / LEDGER_RELATIVE,
        status_base_url=status,
        verification_method=vm,
        templates_dirs=tuple(templates_dirs),
        date_order=date_order,
        jwt_verification_method=jwt_vm,
        render_fonts=render_fonts,
        ledger_url=ledger_url,
        cluster_scheduler=cluster_scheduler,
    )


def find_project(start: str | os.PathLike[str] | None = None) -> Project:
    """The project whose ``badgekit.toml`` is in ``start`` (default: the current folder) or above.

    Raises:
        InputError: no ``badgekit.toml`` up to the filesystem root (hint: run badgekit init), or
            the file is broken.
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    if here.is_file():
        return Project.load(here)
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return Project.load(folder / CONFIG_NAME)
    raise InputError(
        f"{here}: not inside a badge project (no {CONFIG_NAME} here or in any parent folder)",
        hint="run badgekit init to create one",
    )


# ---------------------------------------------------------------------------------------------
# init


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
    if email and not _EMAIL.fullmatch(email):
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
        key = keys.load_key(key_path, passphrase=passphrase if encrypted else None)
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


def _dumps(value: Any) -> str:
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


__all__ = [
    "CONFIG_NAME",
    "PROFILE_TEXT_MEMBERS",
    "InitResult",
    "Project",
    "find_project",
    "init_project",
    "parse_did_web",
    "render_config",
]

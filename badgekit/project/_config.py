"""Reading ``badgekit.toml`` (:meth:`Project.load`, :func:`find_project`) into a :class:`Project`,
with every value checked (the file and key named in each message)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from badgekit import did, keys, roster
from badgekit._io import load_json_file
from badgekit.badgeclass import is_date, is_http_url
from badgekit.errors import InputError, KeyFileError

CONFIG_NAME = "badgekit.toml"
DEFAULT_KEY_FILE = "issuer-key.pem"
DEFAULT_BADGES_DIR = "badges"
DEFAULT_OUTPUT_DIR = "out"
DID_DOCUMENT_NAME = "did.json"
LEDGER_RELATIVE = Path(".badgekit") / "ledger.sqlite3"


EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
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
    #: [smtp] url and from: where and as whom ``badgekit send`` delivers (no password in the URL)
    smtp_url: str | None = None
    smtp_from: str | None = None
    #: [smtp] ca_file: PEM file of the CA that signed the SMTP server's certificate (a private CA); None → the system's
    smtp_ca_file: Path | None = None
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

    def signer(self, key: keys.DataIntegrityKey) -> keys.KeySigner:
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
        if not EMAIL.fullmatch(email):
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
    smtp_table = data.get("smtp", {})
    if not isinstance(smtp_table, Mapping):
        raise fail("[smtp]", "must be a table")
    smtp_url = text(smtp_table, "smtp", "url")
    if smtp_url is not None:
        parts = urlsplit(smtp_url)
        shown = re.sub(r"(//[^/@:]*:)[^@/]*@", r"\1***@", smtp_url)
        if parts.scheme.lower() not in ("smtp", "smtp+starttls", "smtps"):
            raise fail("smtp.url", f"{shown!r} is not an smtp://, smtp+starttls:// or smtps:// URL")
        if "@" in parts.netloc and ":" in parts.netloc.rpartition("@")[0]:
            raise InputError(f"{config}: smtp.url: {shown!r} holds a password, which must not be kept in the project",
                             hint="remove it and give it with BADGEKIT_SMTP_PASSWORD or send --smtp-password-file")
    smtp_ca = text(smtp_table, "smtp", "ca_file")
    smtp_ca_file = (root / smtp_ca).resolve() if smtp_ca is not None else None
    if smtp_ca_file is not None and not smtp_ca_file.is_file():
        raise fail("smtp.ca_file", f"file {smtp_ca_file} does not exist")
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
        smtp_url=smtp_url,
        smtp_from=text(smtp_table, "smtp", "from"),
        smtp_ca_file=smtp_ca_file,
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

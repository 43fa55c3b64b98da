"""badgekit.project: badgekit.toml, init (never overwrites), did:web, find_project."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit import did, jsonld, keys
from badgekit.credential import Recipient, build_credential
from badgekit.errors import InputError, KeyFileError, PassphraseError
from badgekit.project import (
    CONFIG_NAME,
    PROFILE_TEXT_MEMBERS,
    Project,
    find_project,
    init_project,
    parse_did_web,
    render_config,
)
from badgekit.schema import validate_credential, validate_profile

ROOT = Path(__file__).resolve().parents[2]


def _init(root: Path, **kw: object) -> object:
    args: dict[str, object] = {"name": "Example University", "url": "https://example.edu", "email": "badges@example.edu"}
    args.update(kw)
    return init_project(root, **args)  # type: ignore[arg-type]


def test_init_creates_a_project(tmp_path: Path) -> None:
    root = tmp_path / "badges-project"
    result = init_project(root, name="Example University", url="https://example.edu", email="badges@example.edu",
                          image="https://example.edu/logo.png")
    assert not result.already_initialised
    assert {p.name for p in result.created} == {CONFIG_NAME, "issuer-key.pem", "badges", "README.md", ".gitignore"}
    assert stat.S_IMODE(os.stat(root / "issuer-key.pem").st_mode) == 0o600
    key = keys.load_key(root / "issuer-key.pem")
    assert result.issuer_id == key.did_key and result.verification_method is None
    assert "/issuer-key.pem" in (root / ".gitignore").read_text()
    assert "badgekit badge new" in (root / "README.md").read_text()
    assert "badgekit badge new" in result.next_steps

    project = Project.load(root)
    assert project.root == root.resolve()
    assert project.issuer == {
        "id": key.did_key,
        "type": ["Profile"],
        "name": "Example University",
        "url": "https://example.edu",
        "email": "badges@example.edu",
        "image": {"id": "https://example.edu/logo.png", "type": "Image"},
    }
    assert validate_profile(project.issuer) == []
    assert project.key_path == (root / "issuer-key.pem").resolve()
    assert project.badges_dir == (root / "badges").resolve()
    assert project.output_dir == (root / "out").resolve()
    assert project.ledger_path == root.resolve() / ".badgekit" / "ledger.sqlite3"
    assert project.status_base_url == "https://example.edu/status/"
    assert project.verification_method is None
    assert project.templates_dirs == ()
    assert project.signer(key).verification_method == did.did_key_verification_method(key.public_key)
    with pytest.raises(KeyFileError, match=f"but the issuer is {key.did_key}"):
        project.signer(keys.Ed25519Key.generate())


def test_init_never_overwrites(tmp_path: Path) -> None:
    _init(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = _init(tmp_path, name="Someone Else", did_web="example.org")
    assert again.already_initialised and again.created == ()  # type: ignore[attr-defined]
    assert "nothing was changed" in again.warnings[0]  # type: ignore[attr-defined]
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_init_keeps_existing_files_and_reuses_an_existing_key(tmp_path: Path) -> None:
    key = keys.Ed25519Key.generate()
    keys.save_key(key, tmp_path / "issuer-key.pem")
    (tmp_path / "README.md").write_text("mine\n")
    (tmp_path / ".gitignore").write_text("node_modules/\n")
    result = _init(tmp_path)
    assert result.issuer_id == key.did_key  # type: ignore[attr-defined]
    assert (tmp_path / "README.md").read_text() == "mine\n"
    assert (tmp_path / ".gitignore").read_text() == "node_modules/\n"
    assert any("issuer-key.pem" in w and "ignores" in w for w in result.warnings)  # type: ignore[attr-defined]
    assert {p.name for p in result.skipped} >= {"issuer-key.pem", "README.md", ".gitignore"}  # type: ignore[attr-defined]


def test_init_with_an_encrypted_key(tmp_path: Path) -> None:
    result = _init(tmp_path, passphrase=b"correct horse battery")
    assert result.key_encrypted  # type: ignore[attr-defined]
    assert keys.is_encrypted(tmp_path / "issuer-key.pem")
    other = tmp_path / "other"
    other.mkdir()
    keys.save_key(keys.Ed25519Key.generate(), other / "issuer-key.pem", passphrase=b"correct horse battery")
    with pytest.raises(PassphraseError, match="no passphrase"):
        _init(other)
    assert not (other / CONFIG_NAME).exists()


def test_init_did_web(tmp_path: Path) -> None:
    result = _init(tmp_path, did_web="example.edu/issuers/cs")
    assert result.issuer_id == "did:web:example.edu:issuers:cs"  # type: ignore[attr-defined]
    assert result.verification_method == "did:web:example.edu:issuers:cs#key-1"  # type: ignore[attr-defined]
    document = json.loads((tmp_path / "did.json").read_text())
    key = keys.load_key(tmp_path / "issuer-key.pem")
    assert document == did.did_web_document("did:web:example.edu:issuers:cs", [key.public_key])
    assert did.resolve_verification_method(result.verification_method, {result.issuer_id: document}).public_key == key.public_key  # type: ignore[attr-defined]
    assert "https://example.edu/issuers/cs/did.json" in result.next_steps  # type: ignore[attr-defined]
    project = Project.load(tmp_path / CONFIG_NAME)
    assert project.issuer["id"] == "did:web:example.edu:issuers:cs"
    assert project.verification_method == "did:web:example.edu:issuers:cs#key-1"
    assert project.signer(key).verification_method == "did:web:example.edu:issuers:cs#key-1"


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"url": "https://example.edu/"}, "https://example.edu/status/"),
        ({"url": None, "did_web": "example.edu"}, "https://example.edu/status/"),
        ({"url": None, "did_web": "example.edu/issuers/cs"}, "https://example.edu/issuers/cs/status/"),
        ({"url": None, "did_web": "example.edu:8443"}, "https://example.edu:8443/status/"),
        ({"url": "https://example.edu", "did_web": "example.org"}, "https://example.edu/status/"),
        ({"url": None, "status_base_url": "https://cdn.example.net/lists/"}, "https://cdn.example.net/lists/"),
    ],
)
def test_init_always_records_a_status_url(tmp_path: Path, kw: dict[str, object], expected: str) -> None:
    result = _init(tmp_path, **kw)
    assert result.status_base_url == expected == Project.load(tmp_path).status_base_url  # type: ignore[attr-defined]
    assert result.to_json()["statusBaseUrl"] == expected  # type: ignore[attr-defined]


def test_init_without_a_status_url_is_refused_unless_no_status_says_so(tmp_path: Path) -> None:
    """A did:key project without --url used to be created without status_base_url, and every
    credential it issued could never be revoked, without a word."""
    with pytest.raises(InputError, match="init: no status list URL, so no credential of this project could ever be revoked") as caught:
        _init(tmp_path / "p", url=None)
    assert "--status-base-url" in caught.value.hint and "--no-status" in caught.value.hint
    with pytest.raises(InputError, match="--no-status and --status-base-url contradict"):
        _init(tmp_path / "p", url=None, no_status=True, status_base_url="https://example.edu/status/")
    assert not (tmp_path / "p").exists()
    result = _init(tmp_path / "p", no_status=True)  # on purpose, even with a url
    assert result.status_base_url is None and Project.load(tmp_path / "p").status_base_url is None  # type: ignore[attr-defined]
    assert "no status_base_url: credentials of this project cannot be revoked" in result.warnings[0]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [("example.edu", ("example.edu", None)), ("example.edu/issuers/cs/", ("example.edu", "issuers/cs")),
     ("https://example.edu/a", ("example.edu", "a"))],
)
def test_parse_did_web(spec: str, parsed: tuple[str, str | None]) -> None:
    assert parse_did_web(spec) == parsed


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"name": " "}, "name is required"),
        ({"url": "example.edu"}, "--url"),
        ({"email": "nobody"}, "--email"),
        ({"image": "logo.png"}, "--image"),
        ({"status_base_url": "ftp://x"}, "--status-base-url"),
        ({"key_file": "../key.pem"}, "--key-file"),
        ({"did_web": "example.edu/../x"}, "must not contain"),
    ],
)
def test_init_rejects_bad_values_before_creating_anything(tmp_path: Path, kw: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        _init(tmp_path / "p", **kw)
    assert not (tmp_path / "p").exists()


def test_config_is_valid_toml_even_with_odd_names(tmp_path: Path) -> None:
    _init(tmp_path, name='Ecole "Polytechnique" \\ Paris\tÉté')
    data = tomllib.loads((tmp_path / CONFIG_NAME).read_text())
    assert data["issuer"]["name"] == 'Ecole "Polytechnique" \\ Paris\tÉté'


def test_render_config_round_trips() -> None:
    text = render_config(issuer_id="did:web:example.edu", name="X", verification_method="did:web:example.edu#key-2",
                         templates_dir="templates")
    data = tomllib.loads(text)
    assert data["issuer"] == {"id": "did:web:example.edu", "name": "X", "verification_method": "did:web:example.edu#key-2"}
    assert data["project"]["templates_dir"] == "templates"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / CONFIG_NAME
    path.write_text(text, encoding="utf-8")
    return path


GOOD = '[issuer]\nid = "did:web:example.edu"\nname = "Example University"\n'


def test_jwt_verification_method_is_read_and_kept_out_of_the_profile(tmp_path: Path) -> None:
    project = Project.load(_write(tmp_path, GOOD + 'jwt_verification_method = "did:web:example.edu#rsa-1"\n'))
    assert project.jwt_verification_method == "did:web:example.edu#rsa-1"
    assert project.verification_method == "did:web:example.edu#key-1"  # the Ed25519 key's, unchanged
    assert "jwt_verification_method" not in project.issuer and validate_profile(project.issuer) == []


def test_load_defaults_and_extra_profile_members(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + 'description = "A fictional university."\nphone = "+1 555 0100"\n[other_tool]\nx = 1\n')
    project = Project.load(path)
    assert project.issuer["description"] == "A fictional university."
    assert project.issuer["phone"] == "+1 555 0100"
    assert project.verification_method == "did:web:example.edu#key-1"
    assert project.jwt_verification_method is None  # RS256 kid: <id>#<RSA key's JWK thumbprint>
    assert project.key_path == tmp_path.resolve() / "issuer-key.pem"
    assert project.status_base_url is None
    assert validate_profile(project.issuer) == []


def test_every_text_profile_member_is_copied_and_a_credential_with_it_is_valid(tmp_path: Path) -> None:
    values = {m: "1990-05-17" if m == "dateOfBirth" else f"{m} text" for m in PROFILE_TEXT_MEMBERS}
    project = Project.load(_write(tmp_path, GOOD + "".join(f'{k} = "{v}"\n' for k, v in values.items())))
    assert {k: project.issuer[k] for k in PROFILE_TEXT_MEMBERS} == values
    assert validate_profile(project.issuer) == []
    achievement = {"id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "A",
                   "description": "D", "criteria": {"narrative": "N"}, "creator": project.issuer}
    credential = build_credential(credential_id="urn:uuid:0b7c2a52-8d1e-4f0a-9a43-6f1f2b3c4d5e", issuer=project.issuer,
                                  achievement=achievement, recipient=Recipient(email="a@example.org"), values={},
                                  salt="00ff", valid_from=datetime(2026, 1, 15, tzinfo=UTC))
    assert validate_credential(credential, strict=True) == []
    jsonld.to_rdf(credential)  # every member is a term the OB context defines: nothing dropped, all signed


@pytest.mark.parametrize(
    ("member", "why"),
    [
        ('address = "1 Main St"', "Address object: a string fails the OB schema (and is a relative IRI to JSON-LD)"),
        ('parentOrg = "did:web:example.org"', "a Profile object"),
        ('otherIdentifier = "x"', "IdentifierEntry objects"),
        ('endorsementJwt = ["a.b.c"]', "only the newer context-3.0.3.json revision defines it"),
        ('type = "Organization"', "would replace type: [Profile]"),
        ('motto = "Lux"', "not an OB term: dropped by JSON-LD, never signed"),
        ('tags = ["a", "b"]', "lists are no Profile text member"),
    ],
)
def test_issuer_members_that_would_make_invalid_credentials_are_refused(tmp_path: Path, member: str, why: str) -> None:
    key = member.split(" ", 1)[0]
    with pytest.raises(InputError, match=rf"issuer\.{key}: extra profile members must be one of description"):
        Project.load(_write(tmp_path, GOOD + member + "\n"))


@pytest.mark.parametrize("value", ["17 May 1990", "1990-02-30", "", "1990-05-17T00:00:00Z"])
def test_issuer_date_of_birth_must_be_a_date(tmp_path: Path, value: str) -> None:
    with pytest.raises(InputError, match=r"issuer\.dateOfBirth"):
        Project.load(_write(tmp_path, GOOD + f'dateOfBirth = "{value}"\n'))


def test_templates_dir(tmp_path: Path) -> None:
    (tmp_path / "t1").mkdir()
    (tmp_path / "t2").mkdir()
    project = Project.load(_write(tmp_path, GOOD + '[project]\ntemplates_dir = ["t1", "t2"]\n'))
    assert project.templates_dirs == ((tmp_path / "t1").resolve(), (tmp_path / "t2").resolve())
    with pytest.raises(InputError, match=r"project\.templates_dir: folder .* does not exist"):
        Project.load(_write(tmp_path, GOOD + '[project]\ntemplates_dir = "nope"\n'))


def test_render_font(tmp_path: Path) -> None:
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "cjk.otf").write_bytes(b"OTTO")
    project = Project.load(_write(tmp_path, GOOD + '[render]\nfont = "fonts/cjk.otf"\n'))
    assert project.render_fonts == ((tmp_path / "fonts" / "cjk.otf").resolve(),)
    assert Project.load(_write(tmp_path, GOOD)).render_fonts == ()
    with pytest.raises(InputError, match=r"render\.font: font file .*nope\.ttf does not exist"):
        Project.load(_write(tmp_path, GOOD + '[render]\nfont = ["fonts/cjk.otf", "nope.ttf"]\n'))
    with pytest.raises(InputError, match=r"render\.font: must be a font file or a list"):
        Project.load(_write(tmp_path, GOOD + "[render]\nfont = 3\n"))


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("[issuer\n", "malformed TOML"),
        ('[project]\nkey_path = "k.pem"\n', r"\[issuer\]: missing table"),
        ('[issuer]\nname = "X"\n', "issuer.id: is required"),
        ('[issuer]\nid = "did:web:example.edu"\n', "issuer.name: is required"),
        ('[issuer]\nid = "example.edu"\nname = "X"\n', "issuer.id: 'example.edu' is not a DID"),
        (GOOD + 'url = "example.edu"\n', "issuer.url"),
        (GOOD + 'email = "x"\n', "issuer.email"),
        (GOOD + 'image = "logo.png"\n', "issuer.image"),
        (GOOD + "name2 = 3\n", "issuer.name2: extra profile members"),
        (GOOD + 'verification_method = "did:key:z6Mk#z6Mk"\n', "must belong to the issuer"),
        (GOOD + 'jwt_verification_method = "did:web:other.edu#rsa"\n', "jwt_verification_method: .* must belong to the issuer"),
        ('[issuer]\nid = "did:key:z6Mk"\nname = "X"\njwt_verification_method = "did:key:z6Mk#rsa"\n', "did:key issuer cannot"),
        ('[issuer]\nid = "https://example.edu/issuer"\nname = "X"\n', "verification_method: is required"),
        (GOOD + '[project]\nstatus_base_url = "status/"\n', "project.status_base_url"),
        (GOOD + "[project]\nkey_path = 3\n", "project.key_path: must be a non-empty string"),
        ("project = 3\n" + GOOD, r"\[project\]: must be a table"),
    ],
)
def test_load_errors_name_file_and_key(tmp_path: Path, text: str, match: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        Project.load(path)
    assert info.value.message.startswith(str(path))


def test_find_project_walks_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, GOOD)
    deep = tmp_path / "badges" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_project(deep).root == tmp_path.resolve()
    monkeypatch.chdir(deep)
    assert find_project().root == tmp_path.resolve()
    assert find_project(tmp_path / CONFIG_NAME).root == tmp_path.resolve()


def test_find_project_hints_at_init(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not inside a badge project") as info:
        find_project(tmp_path)
    assert "badgekit init" in info.value.hint


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as info:
        Project.load(tmp_path)
    assert "badgekit init" in info.value.hint


def test_example_project_config() -> None:
    project = Project.load(ROOT / "examples")
    assert project.issuer["name"] == "Example University"
    assert project.issuer["url"] == "https://example.edu"
    assert project.key_path == (ROOT / "examples" / "issuer-key.pem").resolve()
    assert validate_profile(project.issuer) == []

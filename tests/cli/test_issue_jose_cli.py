"""``badgekit issue --format jwt|vc+jwt`` with a P-256 key (issue 16): ES256 tokens whose ``kid`` is
the did:key ``zDn…`` method or the did:web method ``did.json`` lists, baked into PNG and SVG as the
compact string, with status entries that revoke through ``status publish`` (a P-256 key signs the
lists in ecdsa-rdfc-2019). A P-384 key signs no JWT (exit 2, nothing reserved)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from badgekit import baking
from tests.cli.test_issue_cryptosuite_cli import ecdsa_project
from tests.conftest import run_cli


def header_and_payload(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    h, p, _ = token.split(".")
    return tuple(json.loads(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))) for x in (h, p))  # type: ignore[return-value]


def verdicts(*args: Any, ok: int = 0) -> dict[str, str]:
    reports = json.loads(run_cli("verify", *args, "--json", ok=ok).stdout)
    return {Path(r["source"]).name: r["verdict"] for r in (reports if isinstance(reports, list) else [reports])}


@pytest.mark.parametrize("fmt", ["jwt", "vc+jwt"])
def test_a_p256_did_key_issuer_issues_es256_tokens_baked_and_revocable(tmp_path, monkeypatch, fmt):
    p = ecdsa_project(tmp_path, monkeypatch)
    toml = p.root / "badgekit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('key_path = "issuer-key.pem"', 'key_path = "ecdsa.pem"'), encoding="utf-8")
    rows = json.loads(run_cli("issue", "--badge", "disks", p.roster, "--format", fmt, "--bake", "png,svg",
                              "--workers", "1", "--json").stdout)["rows"]
    assert [r["status"] for r in rows] == ["issued", "issued"]
    kid = f"{p.issuer}#{p.issuer[len('did:key:'):]}"
    for row in rows:
        token = Path(row["path"]).read_text(encoding="ascii")
        header, payload = header_and_payload(token)
        assert header == {"alg": "ES256", "typ": "JWT" if fmt == "jwt" else "vc+jwt", "kid": kid}
        assert payload["iss"] == p.issuer and payload["credentialStatus"]["type"] == "BitstringStatusListEntry"
        assert ("nbf" in payload) == (fmt == "jwt") and "vc" not in payload
        for image in ("png", "svg"):
            found = baking.extract(Path(row["path"]).with_suffix("." + image).read_bytes(), source=image)
            assert found.is_jwt and found.payload == token  # baked as the compact string
    run_cli("status", "publish")
    [status_list] = (p.out / "status").glob("revocation-*.json")
    assert json.loads(status_list.read_text(encoding="utf-8"))["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert set(verdicts(p.out, "--status-list", p.out / "status").values()) == {"valid"}
    run_cli("revoke", "--email", "a@example.org", "--reason", "test", "--publish")
    after = verdicts(p.out, "--status-list", p.out / "status", ok=1)
    revoked = Path(rows[0]["path"]).stem
    assert {n: v for n, v in after.items() if n.startswith(revoked)} == {f"{revoked}.{e}": "invalid" for e in ("jwt", "png", "svg")}
    assert sorted(after.values()).count("valid") == 3


def test_a_did_web_issuer_signs_es256_with_its_listed_p256_key(tmp_path, monkeypatch):
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    root = tmp_path / "web"
    run_cli("init", root, "--name", "Example University", "--url", "https://example.edu", "--did-web", "example.edu", "--no-input")
    monkeypatch.chdir(root)
    run_cli("key", "generate", "p256.pem", "--type", "p256")
    (root / "badges" / "y.json").write_text(json.dumps({
        "id": "urn:uuid:8c4e2a1b-5d6f-4a7b-9c8d-1e2f3a4b5c6d", "type": ["Achievement"], "name": "Y",
        "description": "Y.", "criteria": {"narrative": "Y."}}), encoding="utf-8")
    (root / "roster.csv").write_text("email\na@example.org\n", encoding="utf-8")
    # The init did.json lists only the Ed25519 key: the P-256 key is refused before anything is reserved.
    refused = run_cli("issue", "roster.csv", "--badge", "y", "--format", "vc+jwt", "--key", "p256.pem", ok=2)
    assert "is another key than did:key:zDn" in refused.stderr
    run_cli("key", "did-web", "issuer-key.pem", "p256.pem", "--domain", "example.edu", "--out", "did.json")
    rows = json.loads(run_cli("issue", "roster.csv", "--badge", "y", "--format", "vc+jwt", "--key", "p256.pem",
                              "--workers", "1", "--json").stdout)["rows"]
    token = Path(rows[0]["path"]).read_text(encoding="ascii")
    header, _ = header_and_payload(token)
    assert header["alg"] == "ES256" and header["kid"] == "did:web:example.edu#key-2" and header["jwk"]["crv"] == "P-256"
    run_cli("status", "publish")  # the lists: signed by the Ed25519 project key, as before
    assert verdicts(rows[0]["path"], "--did-doc", "did.json", "--status-list", "out/status") == {Path(rows[0]["path"]).name: "valid"}


def test_a_p256_did_key_issuer_issues_es256_sd_jwt_vcs(tmp_path, monkeypatch):
    p = ecdsa_project(tmp_path, monkeypatch)
    toml = p.root / "badgekit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('key_path = "issuer-key.pem"', 'key_path = "ecdsa.pem"'), encoding="utf-8")
    rows = json.loads(run_cli("issue", "--badge", "disks", p.roster, "--format", "sd-jwt", "--workers", "1", "--json").stdout)["rows"]
    assert [r["status"] for r in rows] == ["issued", "issued"]
    for row in rows:
        token = Path(row["path"]).read_text(encoding="ascii")
        header, payload = header_and_payload(token.split("~", 1)[0])
        assert header["alg"] == "ES256" and header["typ"] == "dc+sd-jwt" and payload["iss"] == p.issuer
    run_cli("status", "publish")
    assert set(verdicts(p.out, "--status-list", p.out / "status").values()) == {"valid"}


def test_a_p384_key_signs_no_jwt(tmp_path, monkeypatch):
    p = ecdsa_project(tmp_path, monkeypatch, "p384")
    refused = run_cli("issue", "--badge", "disks", p.roster, "--key", p.key, "--no-revocation", "--format", "jwt", ok=2)
    assert "P-384 key signs Data Integrity proofs" in refused.stderr and "not ES384" in refused.stderr
    assert not p.out.exists() or not list(p.out.glob("*.jwt"))
    unknown = run_cli("issue", "--badge", "disks", p.roster, "--format", "jws", ok=2)
    assert "--format takes ldp, jwt, vc+jwt, sd-jwt, got 'jws'" in unknown.stderr

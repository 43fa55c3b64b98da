"""badgekit key generate / show / did-web and badgekit sign, through the CLI: exit codes, files,
and that a private key never reaches the output."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from badgekit import did, keys
from tests.conftest import TEST_SEED, run_cli


def _secret_lines(path: Path) -> list[str]:
    return [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("-----")]


def test_generate_show_and_refuse_overwrite(tmp_path):
    key = tmp_path / "issuer.pem"
    out = run_cli("key", "generate", key, "--json")
    info = json.loads(out.stdout)
    assert os.stat(key).st_mode & 0o777 == 0o600
    assert info["did"].startswith("did:key:z6Mk") and info["encrypted"] is False
    for line in _secret_lines(key):
        assert line not in out.stdout + out.stderr

    shown = json.loads(run_cli("key", "show", key, "--json").stdout)
    assert shown["did"] == info["did"]
    assert shown["verificationMethod"] == f"{info['did']}#{info['did'][8:]}"
    assert shown["didDocument"]["assertionMethod"] == [shown["verificationMethod"]]

    before = key.read_bytes()
    again = run_cli("key", "generate", key, ok=2)
    assert "refusing to overwrite" in again.stderr and "Traceback" not in again.stderr
    assert key.read_bytes() == before


def test_world_readable_key_is_refused_in_one_line(tmp_path):
    key = tmp_path / "k.pem"
    run_cli("key", "generate", key)
    os.chmod(key, 0o644)
    result = run_cli("key", "show", key, ok=2)
    assert result.stderr.splitlines()[0].startswith("error: ") and "readable by others" in result.stderr


def test_encrypted_key_with_passphrase_file_and_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE", raising=False)
    secret = tmp_path / "pass.txt"
    secret.write_text("correct horse battery\n")
    key = tmp_path / "enc.pem"
    info = json.loads(run_cli("key", "generate", key, "--encrypt", "--passphrase-file", secret, "--json").stdout)
    assert info["encrypted"] is True and b"ENCRYPTED PRIVATE KEY" in key.read_bytes()
    assert json.loads(run_cli("key", "show", key, "--passphrase-file", secret, "--json").stdout)["did"] == info["did"]
    monkeypatch.setenv("BADGEKIT_KEY_PASSPHRASE", "correct horse battery")
    assert json.loads(run_cli("key", "show", key, "--json").stdout)["did"] == info["did"]
    monkeypatch.setenv("BADGEKIT_KEY_PASSPHRASE", "wrong horse battery")
    assert "wrong passphrase" in run_cli("key", "show", key, ok=2).stderr
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE")
    # no terminal to ask on: the line names the key that needs it
    assert run_cli("key", "show", key, ok=2).stderr.startswith(
        f"error: {key}: the key is encrypted and there is no terminal to ask for its passphrase\n")


def test_did_web_lists_every_key(tmp_path):
    old, new = tmp_path / "old.pem", tmp_path / "new.pem"
    run_cli("key", "generate", old)
    run_cli("key", "generate", new)
    out = tmp_path / "site" / "did.json"
    result = json.loads(run_cli("key", "did-web", old, new, "--domain", "example.edu", "--path", "issuers/cs", "--out", out, "--json").stdout)
    assert result["did"] == "did:web:example.edu:issuers:cs"
    assert result["url"] == "https://example.edu/issuers/cs/did.json"
    doc = json.loads(out.read_text())
    assert [vm["id"] for vm in doc["verificationMethod"]] == ["did:web:example.edu:issuers:cs#key-1", "did:web:example.edu:issuers:cs#key-2"]
    assert doc["verificationMethod"][0]["publicKeyMultibase"] == keys.load_key(old).public_key_multibase
    assert "must be a bare host name" in run_cli("key", "did-web", old, "--domain", "https://example.edu", "--out", out, ok=2).stderr


def test_sign_then_verify_and_tamper(tmp_path):
    key = keys.Ed25519Key.from_seed(TEST_SEED)
    key_path = keys.save_key(key, tmp_path / "k.pem")
    credential = json.loads((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    credential["issuer"]["id"] = key.did_key
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential))
    signed = tmp_path / "signed.json"
    run_cli("sign", unsigned, "--key", key_path, "--out", signed, "--created", "2026-01-15T12:00:00Z")
    doc = json.loads(signed.read_text())
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert run_cli("verify", signed, "--json", "--at", "2026-02-01T00:00:00Z").exit_code == 0
    doc["credentialSubject"]["achievement"]["name"] = "Something else"
    signed.write_text(json.dumps(doc))
    report = json.loads(run_cli("verify", signed, "--json", "--at", "2026-02-01T00:00:00Z", ok=1).stdout)
    assert report["verdict"] == "invalid"
    assert next(c for c in report["checks"] if c["id"] == "signature")["status"] == "failed"
    missing = run_cli("sign", tmp_path / "nope.json", "--key", key_path, ok=2)
    assert "nope.json" in missing.stderr and "Traceback" not in missing.stderr


def test_sign_warns_when_the_key_is_not_the_issuers(tmp_path):
    """`sign examples/credential.json --key issuer-key.pem` (the --help example, with a newcomer's
    own key) wrote a credential that verify then fails at check 5, without a word."""
    key = keys.Ed25519Key.generate()
    key_path = keys.save_key(key, tmp_path / "k.pem")
    example = Path(__file__).resolve().parents[2] / "examples" / "credential.json"
    result = run_cli("sign", example, "--key", key_path, "--out", tmp_path / "signed.json")
    issuer = json.loads(example.read_text())["issuer"]["id"]
    assert f"warning: {example}: signed as {key.did_key}, but the issuer is {issuer}: badgekit verify will fail it" in (
        " ".join(result.stderr.split()))
    assert run_cli("verify", tmp_path / "signed.json", "--json", ok=1).exit_code == 1
    credential = json.loads(example.read_text())
    credential["issuer"]["id"] = key.did_key
    (tmp_path / "mine.json").write_text(json.dumps(credential))
    assert "warning" not in run_cli("sign", tmp_path / "mine.json", "--key", key_path, "--out", tmp_path / "s2.json").stderr


def test_sign_refuses_what_verify_would_refuse(tmp_path):
    # A credential spelt so that JSON readers miss a signed property (here validUntil in @nest).
    key_path = keys.save_key(keys.Ed25519Key.from_seed(TEST_SEED), tmp_path / "k.pem")
    credential = json.loads((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    credential["@nest"] = {"validUntil": "2020-01-01T00:00:00Z"}
    unsigned = tmp_path / "nested.json"
    unsigned.write_text(json.dumps(credential))
    result = run_cli("sign", unsigned, "--key", key_path, "--out", tmp_path / "signed.json", ok=2)
    assert "nested.json" in result.stderr and "not signed" in result.stderr
    assert not (tmp_path / "signed.json").exists()


def test_sign_refuses_a_credential_over_the_bounds_verify_checks(tmp_path):
    # 4,500 evidence entries: verify would refuse it (more than 1,000 JSON objects), so sign does.
    key = keys.Ed25519Key.from_seed(TEST_SEED)
    key_path = keys.save_key(key, tmp_path / "k.pem")
    credential = json.loads((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    credential["issuer"]["id"] = key.did_key
    credential["evidence"] = [{"id": f"https://example.edu/evidence/{i}", "type": ["Evidence"]} for i in range(4_500)]
    unsigned = tmp_path / "bulky.json"
    unsigned.write_text(json.dumps(credential))
    result = run_cli("sign", unsigned, "--key", key_path, "--out", tmp_path / "signed.json", ok=2)
    first = result.stderr.splitlines()[0]
    assert first.startswith("error: ") and str(unsigned) in first and "not signed" in first
    assert "more than the 1,000" in first and "(4,500 of them in evidence)" in first
    assert not (tmp_path / "signed.json").exists()


def test_did_web_issuer_rs256_jwt_verifies_through_its_did_document(tmp_path, monkeypatch):
    """A did:web issuer with an Ed25519 key (Data Integrity) and an RSA key (RS256 VC-JWT, what the
    1EdTech validator accepts): the JWT kid must name the RSA key's own method in did.json, so a
    verifier that dereferences the kid finds the RSA key, not the Ed25519 #key-1."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE", raising=False)
    root = tmp_path / "proj"
    run_cli("init", root, "--no-input", "--name", "Example University", "--did-web", "example.edu")
    monkeypatch.chdir(root)
    run_cli("key", "generate", "rsa.pem", "--type", "rsa")
    thumbprint = json.loads(run_cli("key", "show", "rsa.pem", "--json").stdout)["jwkThumbprint"]
    (root / "did.json").unlink()  # init wrote it for the Ed25519 key alone
    made = json.loads(run_cli("key", "did-web", "issuer-key.pem", "rsa.pem", "--domain", "example.edu", "--json").stdout)
    doc = json.loads((root / "did.json").read_text())
    assert made["didDocument"] == doc
    rsa_vm = f"did:web:example.edu#{thumbprint}"
    assert [vm["id"] for vm in doc["verificationMethod"]] == ["did:web:example.edu#key-1", rsa_vm]
    assert doc["verificationMethod"][1]["type"] == "JsonWebKey"
    assert set(doc["verificationMethod"][1]["publicKeyJwk"]) == {"kty", "n", "e"}
    assert rsa_vm in doc["assertionMethod"]
    run_cli("badge", "new", "--template", "course-completion", "--set", "course_name=Y", "--out", "badges/y.yaml", "--no-input")
    (root / "roster.csv").write_text("email,completed_on\nada@example.org,2026-01-10\n", encoding="utf-8")
    rows = json.loads(run_cli("issue", "--badge", "y", "roster.csv", "--format", "jwt", "--key", "rsa.pem",
                              "--workers", "1", "--json").stdout)["rows"]
    token = Path(rows[0]["path"])
    header = json.loads(base64.urlsafe_b64decode(token.read_text().split(".")[0] + "=="))
    assert header["alg"] == "RS256" and header["kid"] == rsa_vm
    run_cli("status", "publish")  # init derived status_base_url https://example.edu/status/ from the did:web
    report = json.loads(run_cli("verify", token, "--did-doc", "did.json", "--status-list", "out/status", "--json").stdout)
    assert report["verdict"] == "valid", report
    key_check = next(c for c in report["checks"] if c["id"] == "issuer-key")
    assert key_check["reason"] == f"{rsa_vm} is an assertionMethod in the DID document of did:web:example.edu (supplied)"
    run_cli("cache", "add", "did.json")  # or once, in the cache
    assert json.loads(run_cli("verify", token, "--status-list", "out/status", "--json").stdout)["verdict"] == "valid"
    # The did.json init wrote (Ed25519 #key-1 only) does not list the RSA key: never valid.
    (root / "ed-only.json").write_text(json.dumps(did.did_web_document("did:web:example.edu", [keys.load_key("issuer-key.pem").public_key])))
    stale = json.loads(run_cli("verify", token, "--did-doc", "ed-only.json", "--json", ok=1).stdout)  # wins over the cache
    reason = next(c for c in stale["checks"] if c["id"] == "issuer-key")["reason"]
    assert "not listed" in reason and rsa_vm in reason


def test_generate_p256_and_p384_keys_named_by_did_key_and_listed_in_did_web(tmp_path):
    prefixes = {"p256": "did:key:zDn", "p384": "did:key:z82"}
    made = {}
    for kind, prefix in prefixes.items():
        key = tmp_path / f"{kind}.pem"
        info = json.loads(run_cli("key", "generate", key, "--type", kind, "--json").stdout)
        assert info["did"].startswith(prefix) and info["type"] == kind
        assert os.stat(key).st_mode & 0o777 == 0o600 and key.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
        before = key.read_bytes()
        assert "refusing to overwrite" in run_cli("key", "generate", key, "--type", kind, ok=2).stderr
        assert key.read_bytes() == before
        shown = run_cli("key", "show", key)
        assert f"did:key             {info['did']}" in shown.stdout and "ECDSA" in shown.stdout
        for line in _secret_lines(key):
            assert line not in shown.stdout + shown.stderr
        made[kind] = info
    ed = tmp_path / "ed.pem"
    run_cli("key", "generate", ed)
    out = tmp_path / "did.json"
    run_cli("key", "did-web", ed, tmp_path / "p256.pem", tmp_path / "p384.pem", "--domain", "example.edu", "--out", out)
    methods = json.loads(out.read_text())["verificationMethod"]
    assert [(vm["id"][-5:], vm["type"]) for vm in methods] == [("key-1", "Multikey"), ("key-2", "Multikey"), ("key-3", "Multikey")]
    assert [vm["publicKeyMultibase"] for vm in methods[1:]] == [made["p256"]["publicKeyMultibase"], made["p384"]["publicKeyMultibase"]]
    assert "--type takes ed25519, p256, p384, rsa" in run_cli("key", "generate", tmp_path / "x.pem", "--type", "p521", ok=2).stderr


@pytest.mark.parametrize(("kind", "suite"), [("p256", None), ("p384", "ecdsa-rdfc-2019"), ("p256", "ecdsa-jcs-2019"),
                                             ("ed25519", "eddsa-jcs-2022")])
def test_sign_in_other_cryptosuites_then_verify_and_tamper(tmp_path, kind, suite):
    key_path = tmp_path / "k.pem"
    key_did = json.loads(run_cli("key", "generate", key_path, "--type", kind, "--json").stdout)["did"]
    credential = json.loads((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    credential["issuer"]["id"] = key_did
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential))
    signed = tmp_path / "signed.json"
    run_cli("sign", unsigned, "--key", key_path, "--out", signed, "--created", "2026-01-15T12:00:00Z",
            *(["--cryptosuite", suite] if suite else []))
    doc = json.loads(signed.read_text())
    assert doc["proof"][0]["cryptosuite"] == (suite or "ecdsa-rdfc-2019")
    assert doc["proof"][0]["verificationMethod"].startswith(key_did + "#")
    report = json.loads(run_cli("verify", signed, "--json", "--at", "2026-02-01T00:00:00Z").stdout)
    assert report["verdict"] == "valid"
    doc["credentialSubject"]["achievement"]["name"] = "Something else"
    signed.write_text(json.dumps(doc))
    assert json.loads(run_cli("verify", signed, "--json", "--at", "2026-02-01T00:00:00Z", ok=1).stdout)["verdict"] == "invalid"


def test_sign_refuses_a_suite_the_key_cannot_sign_in(tmp_path):
    key_path = tmp_path / "k.pem"
    run_cli("key", "generate", key_path, "--type", "p256")
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    wrong = run_cli("sign", unsigned, "--key", key_path, "--cryptosuite", "eddsa-rdfc-2022", ok=2)
    assert "eddsa-rdfc-2022 needs a key of type Ed25519; the signing key is P-256" in wrong.stderr
    assert "ecdsa-rdfc-2019 or ecdsa-jcs-2019" in wrong.stderr
    unknown = run_cli("sign", unsigned, "--key", key_path, "--cryptosuite", "bbs-2023", ok=2)
    assert "does not sign in the cryptosuite 'bbs-2023'" in unknown.stderr and "Traceback" not in unknown.stderr


@pytest.mark.parametrize("fmt", ["jwt", "vc+jwt"])
@pytest.mark.parametrize(("kind", "alg"), [("ed25519", "EdDSA"), ("p256", "ES256")])
def test_sign_as_a_jws_then_verify_and_tamper(tmp_path, fmt, kind, alg):
    key_path = tmp_path / "k.pem"
    key_did = json.loads(run_cli("key", "generate", key_path, "--type", kind, "--json").stdout)["did"]
    credential = json.loads((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    credential.pop("proof", None)
    credential["issuer"]["id"] = key_did
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text(json.dumps(credential))
    token_path = tmp_path / "c.jwt"
    run_cli("sign", unsigned, "--key", key_path, "--format", fmt, "--out", token_path)
    token = token_path.read_text(encoding="ascii")
    as_json = json.loads(run_cli("sign", unsigned, "-k", key_path, "--format", fmt, "--json").stdout)
    assert "\n" not in token and as_json["format"] == fmt
    assert as_json["jwt"].rsplit(".", 1)[0] == token.rsplit(".", 1)[0]  # same header and payload (ECDSA signatures are randomised)
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": alg, "typ": "JWT" if fmt == "jwt" else "vc+jwt", "kid": f"{key_did}#{key_did[8:]}"}
    report = json.loads(run_cli("verify", token_path, "--json", "--at", "2026-02-01T00:00:00Z").stdout)
    assert report["verdict"] == "valid" and report["summary"]["securing"] == ("vc-jwt" if fmt == "jwt" else "vc+jwt")
    h, p, s = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    payload["credentialSubject"]["achievement"]["name"] = "Something else"
    token_path.write_text(f"{h}.{base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b'=').decode()}.{s}")
    assert json.loads(run_cli("verify", token_path, "--json", "--at", "2026-02-01T00:00:00Z", ok=1).stdout)["verdict"] == "invalid"


def test_sign_as_a_jws_refuses_data_integrity_options_and_p384(tmp_path):
    key_path = tmp_path / "k.pem"
    run_cli("key", "generate", key_path, "--type", "p384")
    unsigned = tmp_path / "unsigned.json"
    unsigned.write_text((Path(__file__).resolve().parents[2] / "examples" / "credential.json").read_text())
    for extra, says in ((["--cryptosuite", "ecdsa-rdfc-2019"], "--cryptosuite is for a Data Integrity proof"),
                        (["--created", "2026-01-01T00:00:00Z"], "--created is for a Data Integrity proof"),
                        ([], "badgekit signs VC-JWT with EdDSA (Ed25519 key), ES256 (P-256 key) or RS256 (RSA key)")):
        refused = run_cli("sign", unsigned, "--key", key_path, "--format", "vc+jwt", *extra, ok=2)
        assert says in refused.stderr and "Traceback" not in refused.stderr
    assert "--format takes ldp, jwt or vc+jwt" in run_cli("sign", unsigned, "--key", key_path, "--format", "jws", ok=2).stderr


def test_a_too_short_new_passphrase_names_its_source_and_init_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGEKIT_KEY_PASSPHRASE", raising=False)
    short = tmp_path / "pass.txt"
    short.write_text("short\n", encoding="utf-8")
    result = run_cli("key", "generate", tmp_path / "k.pem", "--encrypt", "--passphrase-file", short, ok=2)
    assert result.stderr.startswith(f"error: {short}: passphrase too short (at least 8 characters)\n")
    result = run_cli("init", tmp_path / "p", "--name", "X", "--url", "https://x.example", "--encrypt",
                     "--passphrase-file", short, ok=2)
    assert f"error: {short}: passphrase too short" in result.stderr
    assert not (tmp_path / "p").exists() and not (tmp_path / "k.pem").exists()
    monkeypatch.setenv("BADGEKIT_KEY_PASSPHRASE", "short")
    result = run_cli("key", "generate", tmp_path / "k.pem", "--encrypt", ok=2)
    assert result.stderr.startswith("error: BADGEKIT_KEY_PASSPHRASE: passphrase too short")

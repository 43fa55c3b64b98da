"""badgekit's JWTs against an independent JOSE implementation, panva's ``jose`` (npm, pinned in
package.json), run by ``jose.mjs`` with the PEM key files read by node:crypto.

* What badgekit signs (``badgekit sign --format jwt|vc+jwt``, EdDSA / ES256 / RS256) verifies in
  ``jose`` (``jwtVerify``: the algorithm, ``typ``, ``iss``, ``nbf``/``exp``), and the header and
  claims are what OB 3.0 and VC-JOSE-COSE say; a changed payload or a signature taken from another
  token fails in both.
* What ``jose`` signs (``SignJWT``, ``typ`` JWT or vc+jwt, a did:key or did:web ``kid``) verifies
  in badgekit, also inside an ``EnvelopedVerifiableCredential``; its tampered copies fail in both.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from badgekit import did, keys
from badgekit.verify import VerifyOptions, parse_timestamp, verify_bytes
from tests.conftest import run_cli
from tests.interop import dbstack

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "jose.mjs"
NOW = "2026-06-01T00:00:00Z"
WEB = "did:web:example.edu"
ALGS = {"ed25519": "EdDSA", "p256": "ES256", "rsa": "RS256"}
TYP = {"jwt": "JWT", "vc+jwt": "vc+jwt"}


class Key:
    """A key file written by badgekit, the issuer it signs for, its kid and the DID documents a
    verifier needs (did:web for RSA: a did:key names no RSA key)."""

    def __init__(self, kind: str, folder: Path) -> None:
        made = {"ed25519": lambda: keys.Ed25519Key.generate(), "p256": lambda: keys.EcdsaKey.generate("P-256"),
                "rsa": lambda: keys.RsaKey.generate(2048)}[kind]()
        self.kind, self.alg, self.key = kind, ALGS[kind], made
        self.path = keys.save_key(made, folder / f"{kind}.pem")
        if isinstance(made, keys.RsaKey):
            self.issuer, self.kid = WEB, did.rsa_verification_method(WEB, made.public_jwk)
            self.documents = {WEB: did.did_web_document(WEB, [made.public_jwk])}
        else:
            self.issuer, self.kid, self.documents = made.did_key, made.signer().verification_method, {}


@pytest.fixture(scope="module")
def key_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Key]:
    folder = tmp_path_factory.mktemp("jose-keys")
    return {kind: Key(kind, folder) for kind in ALGS}


def unsigned(issuer: str) -> dict[str, Any]:
    doc = json.loads((HERE / "fixtures/ob3-unsigned.json").read_text(encoding="utf-8"))
    doc["issuer"]["id"] = issuer
    doc["credentialSubject"]["id"] = "did:example:ada"
    return doc


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def decode(part: str) -> dict[str, Any]:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def seconds(timestamp: str) -> int:
    return int(parse_timestamp(timestamp).timestamp())


def tampered(token: str, other: str) -> dict[str, str]:
    """Two altered copies: the achievement renamed (same signature), and another token's signature."""
    h, p, s = token.split(".")
    payload = decode(p)
    payload["credentialSubject"]["achievement"]["name"] = "Something Else"
    return {"payload": f"{h}.{b64(json.dumps(payload).encode())}.{s}", "signature": f"{h}.{p}.{other.split('.')[2]}"}


def jose_verify(tokens: list[str], key: Key, typ: str, tmp: Path) -> list[dict[str, Any]]:
    files = []
    for n, token in enumerate(tokens):
        files.append(tmp / f"token-{n}.jwt")
        files[-1].write_text(token, encoding="ascii")
    results: list[dict[str, Any]] = dbstack.run_node(SCRIPT, ["verify", "--key", str(key.path), "--alg", key.alg, "--typ", typ,
                                                              "--issuer", key.issuer, "--now", NOW, *map(str, files)])
    assert len(results) == len(tokens)
    return results


def badgekit_verify(data: str | bytes, key: Key, source: str = "t.jwt") -> Any:
    raw = data.encode() if isinstance(data, str) else data
    return verify_bytes(raw, source=source, options=VerifyOptions(at=parse_timestamp(NOW), did_documents=key.documents))


@pytest.mark.parametrize("fmt", ["jwt", "vc+jwt"])
@pytest.mark.parametrize("kind", list(ALGS))
def test_jose_verifies_what_badgekit_signs(key_files: dict[str, Key], kind: str, fmt: str, tmp_path: Path) -> None:
    dbstack.require()
    key = key_files[kind]
    tokens = []
    for name in ("Ada", "Bob"):
        doc = unsigned(key.issuer)
        doc["name"] = f"{doc['name']} ({name})"
        src = tmp_path / f"{name}.json"
        src.write_text(json.dumps(doc), encoding="utf-8")
        out = tmp_path / f"{name}.jwt"
        run_cli("sign", src, "--key", key.path, "--format", fmt, "--verification-method", key.kid, "--out", out)
        tokens.append(out.read_text(encoding="ascii"))
    bad = tampered(tokens[0], tokens[1])
    results = jose_verify([*tokens, *bad.values()], key, TYP[fmt], tmp_path)
    for result in results[:2]:
        assert result["verified"], result["error"]
        header, payload = result["header"], result["payload"]
        expected = {"alg": key.alg, "typ": TYP[fmt], "kid": key.kid}
        assert header == (expected if kind != "rsa" else {**expected, "jwk": key.key.public_jwk})
        assert (payload["iss"], payload["sub"], payload["jti"]) == (key.issuer, "did:example:ada", payload["id"])
        assert "vc" not in payload and payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
        if fmt == "jwt":  # OB 3.0: nbf/exp repeat validFrom/validUntil
            assert (payload["nbf"], payload["exp"]) == (seconds(payload["validFrom"]), seconds(payload["validUntil"]))
        else:  # VC-JOSE-COSE: they would time the signature; badgekit writes neither
            assert "nbf" not in payload and "exp" not in payload
    for result, what in zip(results[2:], bad, strict=True):
        assert not result["verified"] and result["code"] == "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", (what, result)
    for token in tokens:
        report = badgekit_verify(token, key)
        assert report.verdict == "valid", report.checks
    for what, token in bad.items():
        report = badgekit_verify(token, key)
        assert report.verdict == "invalid" and not report.check("signature"), what


@pytest.mark.parametrize("fmt", ["jwt", "vc+jwt"])
@pytest.mark.parametrize("kind", list(ALGS))
def test_badgekit_verifies_what_jose_signs(key_files: dict[str, Key], kind: str, fmt: str, tmp_path: Path) -> None:
    dbstack.require()
    key = key_files[kind]
    doc = unsigned(key.issuer)
    claims = {"iss": key.issuer, "jti": doc["id"], "sub": "did:example:ada"}
    if fmt == "jwt":
        claims |= {"nbf": seconds(doc["validFrom"]), "exp": seconds(doc["validUntil"])}  # OB 3.0
    else:
        claims |= {"iat": 1767225600, "exp": 1798761600}  # the signature's own times (VC-JOSE-COSE)
    payload_file = tmp_path / "payload.json"
    payload_file.write_text(json.dumps({**doc, **claims}), encoding="utf-8")
    args = ["sign", "--key", str(key.path), "--alg", key.alg, "--typ", TYP[fmt], "--kid", key.kid]
    [token] = dbstack.run_node(SCRIPT, [*args, str(payload_file)])
    [with_jwk] = dbstack.run_node(SCRIPT, [*args, "--jwk", str(payload_file)])
    header = decode(token.split(".")[0])
    assert header == {"alg": key.alg, "typ": TYP[fmt], "kid": key.kid}
    for signed in (token, with_jwk):
        report = badgekit_verify(signed, key)
        assert report.verdict == "valid", report.checks
        assert report.summary["securing"] == ("vc+jwt" if fmt == "vc+jwt" else "vc-jwt")
        assert report.check("signature") and report.check("issuer-key")
    if fmt == "vc+jwt":  # VCDM 2.0 §4.13: the same token inside an EnvelopedVerifiableCredential
        wrapped = json.dumps({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                              "id": f"data:application/vc+jwt,{token}"})
        assert badgekit_verify(wrapped, key, "enveloped.json").verdict == "valid"
    bad = tampered(token, with_jwk)  # with_jwk's signature is over another header
    for what, forged in bad.items():
        assert badgekit_verify(forged, key).verdict == "invalid", what
    assert not any(r["verified"] for r in jose_verify(list(bad.values()), key, TYP[fmt], tmp_path))

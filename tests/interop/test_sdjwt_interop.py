"""SD-JWT VC interop with the OpenWallet Foundation reference implementation
(``@sd-jwt/sd-jwt-vc``, driven by ``sdjwt.mjs``): what badgekit issues (``badgekit issue
--format sd-jwt``, EdDSA and RS256) verifies there, with every disclosure and with some withheld,
and tampered copies do not; what it issues (EdDSA with a did:key ``kid``, ES256 with a ``jwk``
header, with a holder key and a key binding JWT) verifies in badgekit, and tampered copies do not.
Skipped without node unless ``BADGEKIT_REQUIRE_INTEROP=1``."""

from __future__ import annotations

import base64
import json
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from badgekit import did, keys, sdjwt
from badgekit.verify import INVALID, VALID, VerifyOptions, verify_bytes
from tests.cli.test_issue_sdjwt_cli import project as _project  # noqa: F401 - a fixture (by this name)
from tests.conftest import TEST_SEED, run_cli
from tests.interop import dbstack

pytestmark = pytest.mark.interop

HERE = Path(__file__).resolve().parent
ED = keys.Ed25519Key.from_seed(TEST_SEED)
KID = did.did_key_verification_method(ED.public_key)
HOLDER_SEED = bytes(range(32))
NOW = int(datetime(2026, 6, 1, tzinfo=UTC).timestamp())
AT = VerifyOptions(at=datetime(2026, 6, 1, tzinfo=UTC))
OB_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def ed_private_jwk(seed: bytes) -> dict[str, str]:
    return {**keys.Ed25519Key.from_seed(seed).public_jwk, "d": b64(seed)}


def p256_private_jwk(private: ec.EllipticCurvePrivateKey) -> dict[str, str]:
    numbers = private.private_numbers()
    pub = numbers.public_numbers
    return {"kty": "EC", "crv": "P-256", "x": b64(pub.x.to_bytes(32, "big")), "y": b64(pub.y.to_bytes(32, "big")),
            "d": b64(numbers.private_value.to_bytes(32, "big"))}


def node(tmp: Path, *args: Any) -> Any:
    dbstack.require()
    if not (HERE / "node_modules/@sd-jwt/sd-jwt-vc").is_dir():
        pytest.fail("@sd-jwt/sd-jwt-vc missing: run (cd tests/interop && npm ci)")
    proc = subprocess.run(["node", str(HERE / "sdjwt.mjs"), *map(str, args)], capture_output=True, text=True,
                          timeout=dbstack.TIMEOUT_SECONDS, cwd=tmp, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def write(tmp: Path, name: str, value: Any) -> Path:
    path = tmp / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def js_verify(tmp: Path, issuer_jwk: dict[str, str], texts: dict[str, str], *extra: Any, now: int = NOW) -> dict[str, dict[str, Any]]:
    files = [write(tmp, f"{name}.sd-jwt", text) for name, text in texts.items()]
    results = node(tmp, "verify", "--issuer-jwk", write(tmp, "issuer.jwk", issuer_jwk), "--now", now, *extra, *files)
    return {Path(r["file"]).stem: r for r in results}


def ob_payload(issuer: str) -> dict[str, Any]:
    """The OB 3.0 credential as an SD-JWT VC payload, framed here (not by badgekit)."""
    doc = json.loads((HERE / "fixtures/ob3-unsigned.json").read_text(encoding="utf-8"))
    doc["issuer"]["id"] = issuer
    return doc | {"iss": issuer, "jti": doc["id"], "vct": OB_VCT, "nbf": 1768478400, "exp": 1926244800}


def tamper_payload(text: str) -> str:
    jws, rest = text.split("~", 1)
    h, p, s = jws.split(".")
    payload = json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
    payload["name"] = "Forged"
    return f"{h}.{b64(json.dumps(payload).encode())}.{s}~{rest}"


def tamper_signature(text: str) -> str:
    jws, rest = text.split("~", 1)
    h, p, s = jws.split(".")
    raw = bytearray(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))
    raw[0] ^= 1
    return f"{h}.{p}.{b64(bytes(raw))}~{rest}"


def forge_disclosure(text: str) -> str:
    """The first disclosure swapped for one with another value (its digest is nowhere)."""
    jws, first, *rest = text.split("~")
    decoded = json.loads(base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)))
    decoded[-1] = {"type": ["Result"], "resultDescription": "urn:forged", "value": "100"}
    return "~".join([jws, b64(json.dumps(decoded).encode()), *rest])


def test_the_reference_implementation_verifies_what_badgekit_issues(tmp_path: Path) -> None:
    doc = {k: v for k, v in ob_payload(KID.partition("#")[0]).items() if k not in ("iss", "jti", "vct", "nbf", "exp")}
    issued = sdjwt.issue(doc, ED, kid=KID)
    rsa_key = keys.RsaKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    https = {**doc, "issuer": {**doc["issuer"], "id": "https://example.edu/issuer"}}
    rs256 = sdjwt.issue(https, rsa_key, kid="https://example.edu/issuer#rsa")
    withheld = sdjwt.present(issued, withhold=["evidence[0]", "credentialSubject.identifier[0]"])
    results = js_verify(tmp_path, ED.public_jwk, {"issued": issued, "withheld": withheld, "payload": tamper_payload(issued),
                                                  "signature": tamper_signature(issued), "forged": forge_disclosure(issued)})
    assert results["issued"]["verified"], results["issued"]["error"]
    claims = results["issued"]["claims"]
    assert claims["credentialSubject"]["result"] == doc["credentialSubject"]["result"] and claims["evidence"] == doc["evidence"]
    assert claims["credentialSubject"]["identifier"] == doc["credentialSubject"]["identifier"] and claims["vct"] == OB_VCT
    assert results["withheld"]["verified"] and results["withheld"]["claims"]["evidence"] == []
    assert results["withheld"]["claims"]["credentialSubject"]["identifier"] == []
    for name in ("payload", "signature"):
        assert not results[name]["verified"], name
    # The reference implementation drops a disclosure no digest references rather than failing
    # (badgekit fails it, RFC 9901 §7.1 step 5): either way the forged value is never accepted.
    forged = results["forged"]
    assert not forged["verified"] or "urn:forged" not in json.dumps(forged["claims"])
    rsa_results = js_verify(tmp_path, rsa_key.public_jwk, {"rs256": rs256})
    assert rsa_results["rs256"]["verified"], rsa_results["rs256"]["error"]
    # and badgekit agrees on each
    assert verify_bytes(issued.encode(), options=AT).verdict == VALID
    assert verify_bytes(withheld.encode(), options=AT).verdict == VALID
    for bad in (tamper_payload(issued), tamper_signature(issued), forge_disclosure(issued)):
        assert verify_bytes(bad.encode(), options=AT).verdict == INVALID


@pytest.mark.usefixtures("_project")
def test_the_reference_implementation_verifies_badgekit_issue_cli(tmp_path: Path) -> None:
    rows = json.loads(run_cli("issue", "--badge", "y", "roster.csv", "--format", "sd-jwt", "--workers", "1",
                              "--no-revocation", "--json").stdout)["rows"]
    texts = {f"row{n}": Path(r["path"]).read_text(encoding="ascii") for n, r in enumerate(rows)}
    issuer_jwk = keys.load_any_key("issuer-key.pem").public_jwk
    results = js_verify(tmp_path, issuer_jwk, texts, now=int(time.time()) + 60)  # issued at the real clock's now
    assert all(r["verified"] for r in results.values()), results
    assert results["row0"]["claims"]["evidence"][0]["id"] == "https://x.example/e/1"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_badgekit_verifies_what_the_reference_implementation_issues(tmp_path: Path, alg: str) -> None:
    if alg == "EdDSA":
        key, issuer, header = ed_private_jwk(TEST_SEED), KID.partition("#")[0], ["--kid", KID]
    else:
        private = ec.generate_private_key(ec.SECP256R1())
        key = p256_private_jwk(private)
        point = private.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
        issuer, header = "did:key:z" + did.b58encode(b"\x80\x24" + point), ["--jwk"]
    frame = {"credentialSubject": {"_sd": ["result", "creditsEarned"], "identifier": {"_sd": [0]}}, "evidence": {"_sd": [0]},
             "_sd": ["awardedDate"]}
    out = node(tmp_path, "issue", "--key", write(tmp_path, "key.jwk", key), *header,
               "--holder-jwk", write(tmp_path, "holder.jwk", ed_private_jwk(HOLDER_SEED)),
               write(tmp_path, "payload.json", ob_payload(issuer)), write(tmp_path, "frame.json", frame))
    issued = out["sdjwt"]
    report = verify_bytes(issued.encode(), options=AT)
    assert report.verdict == VALID, report.to_json()
    assert set(report.summary["disclosed"]) == {"awardedDate", "credentialSubject.identifier[0]", "credentialSubject.result",
                                                "credentialSubject.creditsEarned", "evidence[0]"}
    assert "no key binding JWT is presented" in report.check("proof-structure").reason
    # the holder presents two claims with a key binding JWT
    presented = node(tmp_path, "present", "--holder-key", write(tmp_path, "holder-private.jwk", ed_private_jwk(HOLDER_SEED)),
                     "--aud", "https://verifier.example", "--nonce", "n-1234", "--iat", NOW,
                     write(tmp_path, "issued.sd-jwt", issued),
                     write(tmp_path, "pframe.json", {"credentialSubject": {"result": True}, "awardedDate": True}))["sdjwt"]
    report = verify_bytes(presented.encode(), options=AT)
    assert report.verdict == VALID, report.to_json()
    assert set(report.summary["disclosed"]) == {"awardedDate", "credentialSubject.result"}
    assert report.summary["undisclosed"] == 3
    assert "key binding JWT" in report.check("signature").reason and "'n-1234'" in report.check("proof-structure").reason
    # the reference implementation agrees on the presentation (nonce and holder signature)
    public = {k: v for k, v in key.items() if k != "d"}
    assert js_verify(tmp_path, public, {"presented": presented}, "--nonce", "n-1234")["presented"]["verified"]
    # tampered: payload, signature, a forged disclosure, a disclosure dropped after binding
    jws_and_disclosures, kb = presented.rsplit("~", 1)
    dropped = "~".join(jws_and_disclosures.split("~")[:-1]) + "~" + kb
    for bad in (tamper_payload(issued), tamper_signature(issued), forge_disclosure(issued), dropped):
        assert verify_bytes(bad.encode(), options=AT).verdict == INVALID, bad
    assert not js_verify(tmp_path, public, {"dropped": dropped}, "--nonce", "n-1234")["dropped"]["verified"]

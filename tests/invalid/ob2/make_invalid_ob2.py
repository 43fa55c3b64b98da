"""Regenerate the invalid Open Badges 2.0 assertions in ``tests/invalid/ob2/``: one file per
failure, named ``<check-id>--<what>.<ext>`` after the check of ``badgekit verify`` that must fail
it, and the copies of the documents they refer to (``support/docs/``).

    python3 tests/invalid/ob2/make_invalid_ob2.py          # rewrite the files
    python3 tests/invalid/ob2/make_invalid_ob2.py --check  # exit 1 if a committed file differs

Reproducible: the two RSA test keys in ``support/`` (generated once by this script when absent;
test keys, never used for anything else) and RS256 (RSASSA-PKCS1-v1_5, deterministic). Every file
is verified with :data:`VERIFY_ARGS`, under which :func:`valid_signed` and :func:`valid_hosted`
are valid.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding, rsa  # noqa: E402

from tests.invalid._regenerate import write_or_check  # noqa: E402

SUPPORT = HERE / "support"
DOCS = SUPPORT / "docs"
FIXED_NOW = "2026-01-15T12:00:00Z"
RECIPIENT = "a@example.com"
SALT = "deadsea"
VERIFY_ARGS = ["--at", FIXED_NOW, "--ob2-doc", str(DOCS), "--recipient", RECIPIENT, "--no-cache"]

CONTEXT = "https://w3id.org/openbadges/v2"
SITE = "https://issuer.example.org"
ISSUER_ID = f"{SITE}/profile.json"
BADGE_ID = f"{SITE}/badges/teamwork.json"
KEY_1 = f"{SITE}/keys/1.json"  # the issuer's key, listed in its Profile
KEY_2 = f"{SITE}/keys/2.json"  # owned by the issuer, not listed in its Profile
KEY_3 = f"{SITE}/keys/3.json"  # listed in the Profile, owned by someone else
REVOCATIONS = f"{SITE}/revocations.json"
HOSTED_1 = f"{SITE}/assertions/1.json"
HOSTED_2 = f"{SITE}/assertions/2.json"  # revoked
ELSEWHERE = "https://elsewhere.example.net/assertions/9.json"
#: Read as within the issuer's origin by urllib's split, but a browser (WHATWG URL) reads the
#: backslash as "/" and fetches it from elsewhere.example.net: the copy a verifier downloads is not the issuer's.
SPOOFED = "https://elsewhere.example.net\\@issuer.example.org/assertions/1.json"
SIGNED_ID = "urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0001"
REVOKED_ID = "urn:uuid:6f1d2b1c-7c1e-4b8a-9a35-0d6a5f2c0002"


def _key(name: str) -> rsa.RSAPrivateKey:
    path = SUPPORT / name
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fresh = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        path.write_bytes(fresh.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


ISSUER_KEY = _key("issuer-rsa-test-key.pem")
OTHER_KEY = _key("other-rsa-test-key.pem")


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def identity(email: str = RECIPIENT, salt: str = SALT) -> dict[str, Any]:
    return {"type": "email", "hashed": True, "salt": salt,
            "identity": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()}


def assertion(assertion_id: str = SIGNED_ID, *, signed: bool = True, **extra: Any) -> dict[str, Any]:
    """A valid OB 2.0 Assertion of the Teamwork badge to :data:`RECIPIENT`."""
    doc: dict[str, Any] = {
        "@context": CONTEXT,
        "type": "Assertion",
        "id": assertion_id,
        "recipient": identity(),
        "badge": BADGE_ID,
        "issuedOn": "2025-01-01T00:00:00Z",
        "evidence": [{"id": "https://portfolio.example.com/a/teamwork", "narrative": "Led the group project."}],
        "narrative": "Completed the team project with distinction.",
        "verification": {"type": "SignedBadge", "creator": KEY_1} if signed else {"type": "HostedBadge"},
    }
    doc.update(extra)
    return doc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jws(payload: dict[str, Any], key: rsa.RSAPrivateKey | None = ISSUER_KEY, *, header: dict[str, Any] | None = None) -> str:
    """A compact JWS of ``payload`` (RS256 by ``key``; no signature when ``key`` is None)."""
    head = _b64(json.dumps(header or {"alg": "RS256"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(payload, indent=2).encode())
    signature = key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256()) if key is not None else b""
    return f"{head}.{body}.{_b64(signature)}"


def _json(doc: dict[str, Any]) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode()


def documents() -> dict[str, dict[str, Any]]:
    """The copies every case is verified with: file name in ``support/docs/`` → document."""
    def key(key_id: str, owner: str, private: rsa.RSAPrivateKey) -> dict[str, Any]:
        return {"@context": CONTEXT, "type": "CryptographicKey", "id": key_id, "owner": owner,
                "publicKeyPem": public_pem(private)}

    return {
        "profile.json": {"@context": CONTEXT, "type": "Issuer", "id": ISSUER_ID, "name": "Example Issuer",
                         "url": SITE, "email": "badges@issuer.example.org", "publicKey": [KEY_1, KEY_3],
                         "revocationList": REVOCATIONS},
        "badge-teamwork.json": {"@context": CONTEXT, "type": "BadgeClass", "id": BADGE_ID, "name": "Teamwork",
                                "description": "Works well in a team.", "image": f"{SITE}/badges/teamwork.png",
                                "criteria": {"narrative": "Complete a team project."}, "issuer": ISSUER_ID},
        "key-1.json": key(KEY_1, ISSUER_ID, ISSUER_KEY),
        "key-2.json": key(KEY_2, ISSUER_ID, OTHER_KEY),
        "key-3.json": key(KEY_3, "https://someone-else.example.com/profile.json", OTHER_KEY),
        "revocations.json": {"@context": CONTEXT, "type": "RevocationList", "id": REVOCATIONS, "issuer": ISSUER_ID,
                             "revokedAssertions": [{"id": REVOKED_ID, "revocationReason": "Awarded in error"}]},
        "hosted-1.json": assertion(HOSTED_1, signed=False),
        "hosted-2-revoked.json": {"@context": CONTEXT, "id": HOSTED_2, "revoked": True,
                                  "revocationReason": "Awarded in error"},
        "hosted-9-elsewhere.json": assertion(ELSEWHERE, signed=False),
        "hosted-spoofed-authority.json": assertion(SPOOFED, signed=False),
    }


def documents_by_id() -> dict[str, dict[str, Any]]:
    """:func:`documents` keyed by their ids, as ``badgekit.ob2.Documents`` takes them."""
    return {d["id"]: d for d in documents().values()}


def valid_signed() -> bytes:
    return jws(assertion()).encode()


def valid_hosted() -> bytes:
    return _json(assertion(HOSTED_1, signed=False))


def baked_png(text: str) -> bytes:
    """An 8x8 PNG with ``text`` in an ``openbadges`` iTXt chunk (OB 2.0 Baking)."""
    if str(HERE.parent / "images") not in sys.path:
        sys.path.insert(0, str(HERE.parent / "images"))
    import make_hostile

    return make_hostile.tiny_png([make_hostile.itxt(b"openbadges", text.encode("utf-8"))])


def baked_svg(*, verify: str | None = None, body: str | None = None) -> bytes:
    """An SVG with an ``<openbadges:assertion>`` (OB 2.0 Baking): ``verify`` attribute, ``body`` JSON."""
    attr = f' verify="{verify}"' if verify is not None else ""
    inner = f"<![CDATA[{body}]]>" if body is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
            f'xmlns:openbadges="http://openbadges.org" viewBox="0 0 10 10">'
            f"<openbadges:assertion{attr}>{inner}</openbadges:assertion><rect width=\"10\" height=\"10\"/></svg>\n").encode()


def _tampered(payload: dict[str, Any], **changes: Any) -> str:
    head, _, sig = jws(payload).split(".")
    return f"{head}.{_b64(json.dumps({**payload, **changes}, indent=2).encode())}.{sig}"


def cases() -> dict[str, bytes]:
    """File name → content: each fails the check it is named after under :data:`VERIFY_ARGS`."""
    embedded_badge = {"id": f"{SITE}/badges/embedded.json", "type": "BadgeClass", "name": "Embedded",
                      "description": "A BadgeClass carried in the assertion.", "issuer": ISSUER_ID}
    unflagged = identity()
    del unflagged["hashed"]
    hosted_changed = assertion(HOSTED_1, signed=False, narrative="Completed it alone, in fact.")
    return {
        "parse--baked-text-not-an-assertion.png": baked_png("hello"),
        "schema--embedded-badge-class-without-criteria.jws": jws(assertion(badge=embedded_badge)).encode(),
        "schema--recipient-without-hashed-flag.jws": jws(assertion(recipient=unflagged)).encode(),
        "proof-structure--alg-none.jws": jws(assertion(), None, header={"alg": "none"}).encode(),
        "proof-structure--hs256.jws": jws(assertion(), None, header={"alg": "HS256"}).encode() + b"c2lnbmF0dXJl",
        "proof-structure--signed-badge-as-plain-json.json": _json(assertion()),
        "proof-structure--jws-of-a-hosted-assertion.jws": jws(assertion(HOSTED_1, signed=False)).encode(),
        "issuer-key--key-not-listed-by-the-issuer.jws": jws(assertion(verification={"type": "SignedBadge", "creator": KEY_2}), OTHER_KEY).encode(),
        "issuer-key--key-owned-by-another-profile.jws": jws(assertion(verification={"type": "SignedBadge", "creator": KEY_3}), OTHER_KEY).encode(),
        "issuer-key--hosted-outside-the-issuer-origin.json": _json(assertion(ELSEWHERE, signed=False)),
        "issuer-key--hosted-url-with-user-information.json": _json(assertion(SPOOFED, signed=False)),
        "signature--tampered-recipient.jws": _tampered(assertion(), recipient=identity("mallory@example.com")).encode(),
        "signature--signed-by-another-key.jws": jws(assertion(), OTHER_KEY).encode(),
        "signature--differs-from-the-hosted-copy.json": _json(hosted_changed),
        "validity--expired.jws": jws(assertion(expires="2025-06-01T00:00:00Z")).encode(),
        "validity--issued-in-the-future.jws": jws(assertion(issuedOn="2027-01-01T00:00:00+01:00")).encode(),
        "status--revoked-in-the-revocation-list.jws": jws(assertion(REVOKED_ID)).encode(),
        "status--hosted-copy-revoked.json": _json(assertion(HOSTED_2, signed=False)),
        "recipient--someone-else.jws": jws(assertion(recipient=identity("b@example.com"))).encode(),
    }


def wanted_files() -> dict[str, bytes]:
    return {**cases(), **{f"support/docs/{k}": _json(v) for k, v in documents().items()}}


def main(argv: list[str]) -> int:
    return write_or_check(HERE, wanted_files(), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

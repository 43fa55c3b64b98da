"""badgekit.ob2: reading and verifying Open Badges 2.0 assertions against supplied copies."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from badgekit import _envelope, cache, jwt, ob2
from badgekit._time import TimestampError
from badgekit.errors import InputError
from badgekit.ob2._documents import WrongCopy
from badgekit.ob2._hosted import scope_problem
from badgekit.ob2._signed import header_problem
from tests.invalid.images import make_hostile
from tests.invalid.ob2 import make_invalid_ob2 as MI

AT = datetime(2026, 1, 15, 12, tzinfo=UTC)


def documents(**replace: dict) -> ob2.Documents:
    docs = MI.documents_by_id()
    docs.update(replace)
    return ob2.Documents(docs)


def status(found: ob2.Verification, check_id: str) -> str:
    check = found.check(check_id)
    assert check is not None
    return check.status


@pytest.mark.parametrize("text, expected", [
    ("2016-12-31T23:59:59Z", "2016-12-31T23:59:59+00:00"),
    ("2016-12-31T23:59+01:00", "2016-12-31T22:59:00+00:00"),  # OB 2.0: seconds are optional
    ("2019-03-14T13:14:15.123456+0000", "2019-03-14T13:14:15.123456+00:00"),
])
def test_ob2_datetimes(text, expected):
    assert ob2.parse_datetime(text, field="issuedOn").isoformat() == expected


@pytest.mark.parametrize("text", ["2016-12-31", "2016-12-31T23:59:59", 1483228799])
def test_ob2_datetimes_need_a_time_zone(text):
    with pytest.raises(TimestampError):
        ob2.parse_datetime(text, field="issuedOn")


def test_hosting_scope_default_origin_starts_with_and_allowed_origins():
    profile = {"id": "https://example.org/issuer.json"}
    assert scope_problem("https://example.org/a/1", profile)[0] is None
    assert "outside the issuer Profile's own origin: example.org" in scope_problem("https://evil.example/a/1", profile)[0]
    scoped = {**profile, "verification": {"allowedOrigins": ["badges.example.net"], "startsWith": "https://badges.example.net/org/"}}
    assert scope_problem("https://badges.example.net/org/1", scoped)[0] is None
    assert "does not start with" in scope_problem("https://badges.example.net/other/1", scoped)[0]
    assert "outside verification.allowedOrigins" in scope_problem("https://example.org/a/1", {**profile, "verification": {"allowedOrigins": "badges.example.net"}})[0]
    # urllib reads example.org as the host of these; a browser fetches the first from evil.example
    for spoofed in ("https://evil.example\\@example.org/a/1", "https://evil.example%5C@example.org/a/1", "https://u@example.org/a/1"):
        assert "parsers disagree on which host" in scope_problem(spoofed, profile)[0], spoofed
    assert scope_problem("https://example.org/a/1?by=x@y#@z", profile)[0] is None  # not in the authority


def test_a_copy_stands_for_its_url_only():
    docs = ob2.Documents({"https://x.example/k": {"id": "https://y.example/k"},
                          "https://x.example/list": {"type": "RevocationList", "revokedAssertions": []}})
    with pytest.raises(WrongCopy, match="has id 'https://y.example/k'"):
        docs.need("https://x.example/k", "CryptographicKey")
    assert docs.need("https://x.example/list", "RevocationList")["revokedAssertions"] == []  # no id of its own


def test_load_documents(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"id": "https://x.example/a", "type": "BadgeClass"}))
    (tmp_path / "list.json").write_text(json.dumps({"type": "RevocationList", "revokedAssertions": []}))
    docs, where = ob2.load_documents([str(tmp_path / "a.json"), f"https://x.example/list={tmp_path / 'list.json'}"])
    assert sorted(docs) == ["https://x.example/a", "https://x.example/list"]
    assert where["https://x.example/a"] == f"file {tmp_path / 'a.json'}"
    with pytest.raises(InputError, match="no id URL; give it as URL=FILE"):
        ob2.load_documents([str(tmp_path / "list.json")])
    (tmp_path / "b.json").write_text(json.dumps({"id": "https://x.example/a", "type": "Issuer"}))
    with pytest.raises(InputError, match="another document for https://x.example/a"):
        ob2.load_documents([str(tmp_path / "a.json"), str(tmp_path / "b.json")])
    folder, _ = ob2.load_documents([str(MI.DOCS)])
    assert len(folder) == len(MI.documents())



def test_a_folder_of_more_documents_than_are_read_is_refused(tmp_path, monkeypatch):
    # The files beyond the bound were dropped without a word: a badge whose documents sorted last
    # came out indeterminate, "needs the BadgeClass …: supply a copy", though it was supplied.
    from badgekit.ob2 import _documents

    monkeypatch.setattr(_documents, "MAX_FOLDER_FILES", 3)
    for n in range(4):
        (tmp_path / f"{n}.json").write_text(json.dumps({"id": f"https://x.example/{n}", "type": "BadgeClass"}))
    with pytest.raises(InputError, match="4 \\*.json files, more than the 3 read from one folder"):
        ob2.load_documents([str(tmp_path)])
    (tmp_path / "3.json").unlink()
    assert len(ob2.load_documents([str(tmp_path)])[0]) == 3

def test_a_signed_assertion_without_creator_uses_the_issuers_listed_key():
    payload = MI.assertion(verification={"type": "SignedBadge"})
    found = ob2.verify_text(MI.jws(payload), form="jwt", documents=documents(), at=AT)
    assert found.verdict == "valid", found.checks
    assert found.check("issuer-key").reason.startswith(f"key {MI.KEY_1} (supplied) is owned by the issuer")
    assert found.key_fingerprints and next(iter(found.key_fingerprints)).startswith("urn:ietf:params:oauth:jwk-thumbprint")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_es256_signed_assertion_verifies_with_a_p256_cryptographic_key():
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key_doc = {**MI.documents()["key-1.json"], "publicKeyPem": pem.decode()}
    head = _b64(b'{"alg":"ES256"}')
    body = _b64(json.dumps(MI.assertion()).encode())
    r, s = decode_dss_signature(private.sign(f"{head}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    token = f"{head}.{body}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    found = ob2.verify_text(token, form="jwt", documents=documents(**{MI.KEY_1: key_doc}), at=AT)
    assert found.verdict == "valid", found.checks
    # The same key cannot verify an RS256 header: each algorithm is tied to its key type.
    rs = ob2.verify_text(MI.jws(MI.assertion()), form="jwt", documents=documents(**{MI.KEY_1: key_doc}), at=AT)
    assert status(rs, "signature") == "failed" and "RS256 needs an RSA key" in rs.check("signature").reason


@pytest.mark.parametrize("header", [{}, {"alg": "none"}, {"alg": "HS256"}, {"alg": "hs512"}])
def test_an_ob2_jws_algorithm_is_refused_as_for_every_jws(header):
    # One rule for a JWS's alg (badgekit.jwt.alg_problem): OB 2.0 narrows only what is accepted.
    assert header_problem(header) == jwt.header_problem(header) is not None


def test_an_ob2_jws_is_signed_with_rs256_or_es256_only():
    assert header_problem({"alg": "RS256"}) is None and header_problem({"alg": "ES256"}) is None
    assert header_problem({"alg": "EdDSA"}) == "alg 'EdDSA' is not accepted (accepted: RS256, ES256)"
    assert header_problem({"alg": "RS256", "crit": ["b64"]}) is not None


def test_a_short_rsa_key_is_refused():
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    key_doc = {**MI.documents()["key-1.json"], "publicKeyPem": MI.public_pem(small)}
    found = ob2.verify_text(MI.jws(MI.assertion(), small), form="jwt", documents=documents(**{MI.KEY_1: key_doc}), at=AT)
    assert status(found, "signature") == "failed" and "at least 2048 are required" in found.check("signature").reason


def test_the_issuer_profile_is_taken_from_its_copy_never_from_the_assertion():
    # An embedded issuer Profile listing the attacker's key must not make that key the issuer's.
    forged = {**MI.documents()["badge-teamwork.json"], "id": "https://issuer.example.org/badges/x.json",
              "issuer": {"id": MI.ISSUER_ID, "type": "Issuer", "name": "Example Issuer", "publicKey": [MI.KEY_2]}}
    payload = MI.assertion(badge=forged, verification={"type": "SignedBadge", "creator": MI.KEY_2})
    found = ob2.verify_text(MI.jws(payload, MI.OTHER_KEY), form="jwt", documents=documents(), at=AT)
    assert status(found, "issuer-key") == "failed" and "not listed in the issuer Profile's publicKey" in found.check("issuer-key").reason


@pytest.mark.parametrize("text", [
    "{" * 5000 + "}" * 5000,
    json.dumps({"@context": "https://w3id.org/openbadges/v2", "x": list(range(60_000))}),
    "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
])
def test_hostile_text_fails_parse_without_crashing(text):
    found = ob2.verify_text(text, at=AT)
    assert status(found, "parse") == "failed" and found.verdict == "invalid"
    assert all(c.status == "skipped" for c in found.checks[1:])



def test_a_huge_hosted_url_is_not_echoed_whole():
    # A baked badge holding a 10 MB "URL" printed 10 MB (human and --json) through notChecked.
    url = "https://issuer.example.org/" + "a" * 100_000
    found = ob2.verify_text(url, at=AT)
    assert found.verdict == "indeterminate" and found.needs == (url,)  # the library still has it whole
    (shown,) = found.summary["notChecked"]
    assert len(shown) < 400 and shown.startswith("https://issuer.example.org/aaa") and shown.endswith("… (not supplied)")

def test_identity_objects_carry_over_hash_and_salt_unchanged():
    identity = MI.identity()
    assert ob2.as_identifier(identity) == {"type": "IdentityObject", "identityHash": identity["identity"],
                                           "identityType": "emailAddress", "hashed": True, "salt": MI.SALT}
    assert ob2.as_identifier({"type": "telephone", "identity": "+15551234", "hashed": False})["identityType"] == "ext:telephone"


def test_legacy_png_text_chunk_holds_the_hosted_url():
    # Pre-2.0 baking: the hosted assertion's URL in a tEXt "openbadges" chunk.
    png = make_hostile.tiny_png([make_hostile.chunk(b"tEXt", b"openbadges\x00" + MI.HOSTED_1.encode())])
    with pytest.raises(_envelope.LegacyBadge) as caught:
        _envelope.find(png, source="old.png")
    assert caught.value.text == MI.HOSTED_1
    found = ob2.verify_text(caught.value.text, form="png", documents=documents(), at=AT)
    assert found.verdict == "valid", found.checks
    assert found.check("signature").reason.startswith("the earner holds the URL only")


def test_cache_keeps_ob2_documents(tmp_path):
    for path in sorted(MI.DOCS.glob("*.json")):
        entry = cache.add(path, root=tmp_path)
        assert entry.kind == "ob2-document"
    listed = tmp_path / "list.json"
    listed.write_text(json.dumps({"@context": MI.CONTEXT, "type": "RevocationList", "revokedAssertions": []}))
    cache.add(listed, url="https://x.example/list", root=tmp_path)
    loaded = cache.load(root=tmp_path)
    assert len(loaded.ob2_documents) == len(MI.documents()) + 1 and not loaded.skipped
    assert loaded.did_documents == {} and loaded.status_lists == {}


def test_an_issuer_known_only_from_an_embedded_profile_cannot_vouch_for_its_key():
    issuer = {"id": "urn:uuid:11111111-2222-4333-8444-555555555555", "type": "Issuer", "name": "Self-declared",
              "publicKey": [MI.KEY_2]}
    key = {**MI.documents()["key-2.json"], "owner": issuer["id"]}
    badge = {**MI.documents()["badge-teamwork.json"], "id": "https://x.example/b", "issuer": issuer}
    payload = MI.assertion(badge=badge, verification={"type": "SignedBadge", "creator": MI.KEY_2})
    found = ob2.verify_text(MI.jws(payload, MI.OTHER_KEY), form="jwt", documents=documents(**{MI.KEY_2: key}), at=AT)
    assert status(found, "signature") == "passed" and status(found, "issuer-key") == "indeterminate"
    assert found.verdict == "indeterminate"


def test_malformed_revocation_list_entries_and_ids_never_break_the_status_check():
    # A RevocationList entry whose id is a list or an object, or an assertion id that is one, was a
    # TypeError (unhashable) reported as "could not process the assertion", failing check 8 of a
    # genuine, unrevoked assertion. Only text ids can name an assertion.
    revocations = MI.documents_by_id()[MI.REVOCATIONS]
    odd = [[1], {"id": [MI.SIGNED_ID]}, {"uid": {"id": MI.SIGNED_ID}}, 5, None]
    docs = documents(**{MI.REVOCATIONS: {**revocations, "revokedAssertions": [*odd, *revocations["revokedAssertions"]]}})
    found = ob2.verify_text(MI.valid_signed().decode(), documents=docs, at=AT)
    assert found.verdict == "valid", found.checks
    assert found.check("status").reason.startswith("not in the RevocationList")
    revoked = ob2.verify_text(MI.jws(MI.assertion(MI.REVOKED_ID)), documents=docs, at=AT)
    assert status(revoked, "status") == "failed" and "Awarded in error" in revoked.check("status").reason
    listed_id = ob2.verify_text(MI.jws(MI.assertion([MI.SIGNED_ID])), documents=docs, at=AT)
    assert "could not process" not in listed_id.check("status").reason


def _upper(url: str) -> str:
    """``url`` with its scheme and host in upper case: the same URL (RFC 3986 §3.1, §3.2.2)."""
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme.upper()}://{host.upper()}/{path}"


def test_url_schemes_and_hosts_are_compared_in_any_case():
    # HTTPS://… was "not an HTTP(S) URL" (check 4; check 1 for a baked URL) and a key, BadgeClass
    # or hosted copy named with another case was "not supplied": URLs are now compared with their
    # scheme and host in lower case; paths stay case-sensitive.
    hosted = _upper(MI.HOSTED_1)
    found = ob2.verify_text(json.dumps(MI.assertion(hosted, signed=False)), documents=documents(), at=AT)
    assert found.verdict == "valid", found.checks
    png = make_hostile.tiny_png([make_hostile.chunk(b"tEXt", b"openbadges\x00" + hosted.encode())])
    with pytest.raises(_envelope.LegacyBadge) as caught:
        _envelope.find(png, source="old.png")
    assert ob2.verify_text(caught.value.text, form="png", documents=documents(), at=AT).verdict == "valid"
    signed = MI.assertion(badge=_upper(MI.BADGE_ID), verification={"type": "SignedBadge", "creator": _upper(MI.KEY_1)})
    found = ob2.verify_text(MI.jws(signed), form="jwt", documents=documents(), at=AT)
    assert found.verdict == "valid", found.checks
    # A RevocationList entry names the assertion whatever the case of its URL's scheme and host.
    revocations = MI.documents_by_id()[MI.REVOCATIONS]
    listed = "https://issuer.example.org/assertions/9.json"
    docs = documents(**{MI.REVOCATIONS: {**revocations, "revokedAssertions": [_upper(listed)]}})
    assert status(ob2.verify_text(MI.jws(MI.assertion(listed)), documents=docs, at=AT), "status") == "failed"
    # … but not whatever its path: /Assertions/1.json is another document.
    moved = MI.HOSTED_1.replace("/assertions/", "/Assertions/")
    assert ob2.verify_text(json.dumps(MI.assertion(moved, signed=False)), documents=documents(), at=AT).verdict == "indeterminate"

"""badgekit._envelope: one reader of stored credentials in every form (JSON, VC-JWT, baked PNG
and SVG), one rule for JSON vs JWT, and every bound applied before anything is trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit import _envelope, baking
from badgekit.errors import BakingError, InputError, JwtError, LimitExceeded
from badgekit.limits import MAX_JSON_VALUES
from tests.unit.test_baking_png import make_hostile

OB = Path(__file__).resolve().parents[1] / "vectors" / "1edtech-validator-ob30"


@pytest.mark.parametrize(
    ("name", "form", "container", "securing"),
    [
        ("simple.json", "json", None, "embedded-proof"),
        ("simple.jwt", "jwt", None, "vc-jwt"),
        ("simple-json.png", "png", "png", "embedded-proof"),
        ("simple-json.svg", "svg", "svg", "embedded-proof"),
        ("simple-jwt.png", "png", "png", "vc-jwt"),
        ("simple-jwt.svg", "svg", "svg", "vc-jwt"),
    ],
)
def test_every_form_reads_to_the_same_kind_of_envelope(name, form, container, securing):
    found = _envelope.read((OB / name).read_bytes(), source=name)
    assert (found.form, found.container, found.securing) == (form, container, securing)
    assert isinstance(found.credential, dict) and found.credential.get("credentialSubject")
    assert (found.jws is not None) == (securing == "vc-jwt")


def test_the_stored_text_is_kept_exactly():
    data = b'\xef\xbb\xbf {"id": "urn:uuid:1",   "type": ["VerifiableCredential"]}\n'
    found = _envelope.read(data, source="c.json")
    assert found.text == data.decode("utf-8-sig")
    jws = (OB / "simple.jwt").read_text().strip()
    assert _envelope.read(f"\n  {jws}\n".encode(), source="c.jwt").text == jws


@pytest.mark.parametrize(
    ("text", "kind"),
    [('{"a": 1}', "json"), ('  \n{"a": 1}', "json"), ("eyJh.eyJi.c2ln", "jwt"), ("  eyJh.eyJi.c2ln\n", "jwt"),
     ("eyJh.eyJi", None), ("hello world", None), ("[1, 2]", None), ("", None), ("a.b.c.d", None)],
)
def test_one_rule_tells_json_from_a_jws(text, kind):
    assert _envelope.payload_kind(text) == kind


def test_a_baked_payload_follows_the_same_rule():
    png = make_hostile.tiny_png([make_hostile.itxt(b"openbadgecredential", b"not a credential at all")])
    with pytest.raises(_envelope.EnvelopeError, match="not a JSON credential, a compact JWS") as caught:
        _envelope.read(png, source="t.png")
    assert caught.value.form == "png"


def test_size_is_refused_before_anything_is_parsed(monkeypatch):
    monkeypatch.setattr(_envelope, "loads_json_shape", lambda *a, **k: pytest.fail("parsed an oversized input"))
    monkeypatch.setattr(baking, "extract", lambda *a, **k: pytest.fail("extracted from an oversized input"))
    with pytest.raises(_envelope.EnvelopeTooLarge, match="input is 101 bytes, larger than the 100 accepted") as caught:
        _envelope.read(b"{" + b" " * 99 + b"}", source="big.json", max_bytes=100)
    assert isinstance(caught.value, LimitExceeded) and caught.value.message.startswith("big.json: ")


def test_too_many_json_values_are_refused():
    data = json.dumps({"id": "x", "a": [0] * (MAX_JSON_VALUES + 1)}).encode()
    with pytest.raises(_envelope.EnvelopeTooLarge, match="more than .* JSON values") as caught:
        _envelope.read(data, source="many.json")
    assert (caught.value.form, caught.value.securing) == ("json", "embedded-proof")


def test_deep_json_is_refused():
    with pytest.raises(LimitExceeded):
        _envelope.read(b'{"a":' * 200 + b"1" + b"}" * 200, source="deep.json")


@pytest.mark.parametrize(
    ("data", "error", "says"),
    [
        (b"\xff\xfe{}", _envelope.EnvelopeError, r"not UTF-8 text \(byte 0\)"),
        (b"<html>not an image</html>", _envelope.EnvelopeError, "not a PNG or SVG badge image"),
        (b"hello", _envelope.EnvelopeError, "not a JSON credential, a compact JWS"),
        (b"[1, 2]", _envelope.EnvelopeError, "not a JSON credential, a compact JWS"),
        (b'{"a": 1', InputError, "bad.json"),
        (b'{"a": 1, "a": 2}', InputError, "duplicate"),
        (b"eyJhbGciOiJFZERTQSJ9.bm90IGpzb24.c2ln", InputError, "JWS payload: malformed JSON"),
        (b"WzFd.e30.c2ln", JwtError, "header"),
    ],
)
def test_hostile_text_is_refused_with_one_clear_error(data, error, says):
    with pytest.raises(error, match=says) as caught:
        _envelope.read(data, source="bad.json")
    assert isinstance(caught.value, InputError) and "\n" not in caught.value.message


def test_a_damaged_image_raises_the_baking_error():
    png = make_hostile.tiny_png([make_hostile.itxt(b"openbadgecredential", b"{}"),
                                 make_hostile.itxt(b"openbadgecredential", b"{}")])
    with pytest.raises(BakingError):
        _envelope.read(png, source="two.png")


def test_an_open_badges_2_badge_is_named_as_such():
    legacy = make_hostile.tiny_png([make_hostile.itxt(b"openbadges", b'{"uid": "abc"}')])
    with pytest.raises(_envelope.LegacyBadge, match="Open Badges 2.0 assertion") as caught:
        _envelope.read(legacy, source="old.png")
    assert caught.value.form == "png" and caught.value.message.startswith("old.png: ")
    assert caught.value.text == '{"uid": "abc"}'  # what was stored, for the OB 2.0 reader


@pytest.mark.parametrize("text, form", [
    ('{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:uuid:1"}', "json"),
    (' {"recipient": {"identity": "a@example.org"}, "badge": "https://example.org/b"}', "json"),  # OB 1.0
    ("eyJhbGciOiJSUzI1NiJ9.eyJAY29udGV4dCI6Imh0dHBzOi8vdzNpZC5vcmcvb3BlbmJhZGdlcy92MiJ9.c2ln", "jwt"),
])
def test_open_badges_2_json_and_jws_are_told_by_content(text, form):
    # Before: read as OB 3.0 credentials, so verify listed OB 3.0 schema failures.
    with pytest.raises(_envelope.LegacyBadge) as caught:
        _envelope.read(text.encode(), source="a.json")
    assert (caught.value.form, caught.value.text) == (form, text)
    assert "badgekit migrate" in caught.value.hint


def test_delivery_reads_credentials_through_it(tmp_path):
    from badgekit import delivery

    path = tmp_path / "c.txt"
    path.write_bytes(b"hello")
    # Before: anything not starting with "{" was parsed as a JWS, with a JWS parser's error.
    with pytest.raises(_envelope.EnvelopeError, match="c.txt: not a JSON credential, a compact JWS"):
        delivery.read_credential(path)
    found = _envelope.read((OB / "simple-jwt.svg").read_bytes(), source="x")
    assert delivery.read_credential(OB / "simple-jwt.svg") == (found.credential, found.text)
    assert found.text.count(".") == 2 and found.text == found.text.strip()


def test_the_enveloped_type_tested_before_loading_the_jwt_reader_is_the_jwt_readers():
    from badgekit import _envelope, jwt

    assert _envelope._ENVELOPED_TYPE == jwt.ENVELOPED_TYPE

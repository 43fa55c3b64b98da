"""``baking.Baker``: one image made ready once, many credentials baked into it (issue 18).

Differential: for every image and payload, ``Baker(image).bake(payload)`` is the reference
``baking.bake(image, payload)`` byte for byte, and an image or payload the reference refuses is
refused with the same error (class and message).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badgekit import baking
from badgekit.errors import BadgekitError, BakingError, LimitExceeded
from tests.unit.test_baking_png import HOSTILE, JWS, VECTORS, make_hostile, signed_credential
from tests.unit.test_baking_svg import PLAIN

OB3 = b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'


def _png_variants() -> dict[str, bytes]:
    from badgekit.baking import render

    tiny = make_hostile.tiny_png
    idat = make_hostile.chunk(b"IDAT", b"")  # an empty second IDAT: legal, kept in place
    return {
        "tiny": tiny(),
        "rendered": render.render_png(render.render_badge("default", badge_name="Differential"), width=120),
        "1edtech-baked": (VECTORS / "simple-json.png").read_bytes(),
        "baked-once": baking.bake(tiny(), signed_credential(), source="t"),
        "legacy-ob2": tiny([make_hostile.itxt(b"openbadges", make_hostile.OB2_ASSERTION.encode())]),
        "other-text-chunks": tiny([make_hostile.chunk(b"tEXt", b"Comment\x00hello"), make_hostile.chunk(b"zTXt", b"Software\x00\x00x\x9c\x03\x00\x00\x00\x00\x01"),
                                   make_hostile.itxt(b"openbadgecredentialx", b"not ours"), make_hostile.chunk(b"teST", b"unknown")]),
        "split-idat": tiny([idat]),
        **{name: (HOSTILE / name).read_bytes() for name in make_hostile.EXPECTED if name.endswith(".png")},
    }


def _svg_variants() -> dict[str, bytes]:
    from badgekit.baking import render

    return {
        "plain": PLAIN,
        "bom": b"\xef\xbb\xbf" + PLAIN,
        "rendered": render.render_badge("certification", badge_name="Differential", qr_data="urn:uuid:1").encode(),
        "1edtech-json": (VECTORS / "simple-json.svg").read_bytes(),
        "1edtech-jwt": (VECTORS / "simple-jwt.svg").read_bytes(),
        "baked-once": baking.bake(PLAIN, signed_credential(), source="t"),
        "self-closing": b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>',
        "self-closing-spaced": b'<svg xmlns="http://www.w3.org/2000/svg" data-a="/>" />\n<!-- after -->',
        "prefixed-root": b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="1" height="1"/></s:svg>',
        "prefix-bound-ob3": b'<svg xmlns="http://www.w3.org/2000/svg" ' + OB3 + b"><g/></svg>",
        "prefix-bound-other": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><g/></svg>',
        "legacy-ob2": (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
                       b'<openbadges:assertion verify="https://example.org/a/1"><![CDATA[{"uid": "1"}]]></openbadges:assertion></svg>'),
        "old-self-closing-credential": (b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg" '
                                        + OB3 + b'><openbadges:credential verify="a.b.c"/><g/></svg>'),
        "nested-lookalike": (b'<svg xmlns="http://www.w3.org/2000/svg" ' + OB3 + b'><g><openbadges:credential verify="a.b.c">'
                             b"</openbadges:credential></g><openbadges:credential verify=\"d.e.f\"></openbadges:credential></svg>"),
        "latin-1": '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>'.encode("latin-1"),
        "not-utf8": b'<svg xmlns="http://www.w3.org/2000/svg"><title>\xff</title></svg>',
        **{name: (HOSTILE / name).read_bytes() for name in make_hostile.EXPECTED if name.endswith(".svg")},
    }


PNGS = _png_variants()
SVGS = _svg_variants()
IMAGES = {**{f"png:{k}": v for k, v in PNGS.items()}, **{f"svg:{k}": v for k, v in SVGS.items()}}
PAYLOADS = {
    "signed": signed_credential(),  # "]]>", CR LF and non-ASCII in its text
    "jwt": JWS,
    "jwt-with-whitespace": f"\n  {JWS}\r\n",
    "cdata-and-cr": '{"a": "]]>]]>", "b": "x]]\r\n", "c": "\\u0000 escaped"}',
    "bom-free-unicode": json.dumps({"name": "協力 — Zusammenarbeit ✓ 🎓"}, ensure_ascii=False),
    "xml-forbidden": '{"a": "\x01"}',
    "nul": '{"a": "\x00"}',
    "empty": "  ",
    "malformed-json": '{"a": ',
    "not-a-jws": "not a credential",
    "jws-with-quote": 'a.b".c',
}


def _outcome(fn):
    try:
        return fn()
    except BadgekitError as exc:
        return (type(exc), exc.message)


def _baker(image: bytes, name: str):
    try:
        return baking.Baker(image, source=name)
    except BadgekitError as exc:
        return (type(exc), exc.message)


@pytest.mark.parametrize("image", sorted(IMAGES))
def test_baker_equals_the_reference_on_every_image_and_payload(image):
    data = IMAGES[image]
    baker = _baker(data, image)
    for payload_name, payload in PAYLOADS.items():
        reference = _outcome(lambda p=payload: baking.bake(data, p, source=image))
        if isinstance(baker, tuple):  # the image is refused: by the reference too, with the same error
            assert isinstance(reference, tuple), (image, payload_name)
            if reference != baker:  # the reference checks the payload first
                assert _outcome(lambda p=payload: baking.check_payload(p, source=image)) == reference, (image, payload_name)
            continue
        fast = _outcome(lambda p=payload: baker.bake(p, source=image))
        assert fast == reference, (image, payload_name)


def test_the_variants_cover_what_they_should():
    refused = {name for name, data in IMAGES.items() if isinstance(_baker(data, name), tuple)}
    baked = set(IMAGES) - refused
    # replaced or dropped on baking: old credentials, legacy assertions, two of them, a self-closing root
    assert {"png:1edtech-baked", "png:png-two-credential-chunks.png", "png:png-credential-and-ob2-assertion.png",
            "png:legacy-ob2", "svg:svg-two-credentials.svg", "svg:self-closing", "svg:prefix-bound-other",
            "svg:old-self-closing-credential", "svg:nested-lookalike"} <= baked
    assert {"png:png-bad-crc.png", "png:png-truncated.png", "svg:svg-external-entity.svg", "svg:latin-1",
            "svg:not-utf8"} <= refused


@pytest.mark.parametrize("container", ["png", "svg"])
def test_caller_vouched_payload_skips_only_the_reparse(container):
    image = PNGS["rendered"] if container == "png" else SVGS["rendered"]
    baker = baking.Baker(image, source="t")
    assert baker.container == container
    text = signed_credential()
    assert baker.bake(text, source="t", is_jwt=False) == baking.bake(image, text, source="t")
    assert baker.bake(f" {JWS}\n", source="t", is_jwt=True) == baking.bake(image, JWS, source="t")
    with pytest.raises(BakingError):  # the container's own checks still run
        baker.bake('{"a": "\x00\x01"}', source="t", is_jwt=False)


def test_baker_refuses_an_output_over_the_limit_as_the_reference_does():
    image = PNGS["tiny"]
    big = json.dumps({"a": "x" * (16 * 1024 * 1024 - 40)})
    reference = _outcome(lambda: baking.bake(image, big, source="t"))
    assert reference[0] is LimitExceeded
    assert _outcome(lambda: baking.Baker(image, source="t").bake(big, source="t", is_jwt=False)) == reference


_BAKERS: dict[str, object] = {}


def _json_values():
    return st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                        max_leaves=8)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=st.dictionaries(st.text(max_size=8), _json_values(), max_size=4), ascii_only=st.booleans(),
       image=st.sampled_from(sorted(IMAGES)))
def test_baker_equals_the_reference_on_generated_json(value, ascii_only, image):
    payload = json.dumps(value, ensure_ascii=ascii_only)
    data = IMAGES[image]
    baker = _BAKERS.setdefault(image, _baker(data, image))
    reference = _outcome(lambda: baking.bake(data, payload, source="g"))
    if isinstance(baker, tuple):
        assert isinstance(reference, tuple)
        return
    assert _outcome(lambda: baker.bake(payload, source="g")) == reference
    if not isinstance(reference, tuple):
        assert _outcome(lambda: baker.bake(payload, source="g", is_jwt=False)) == reference


@settings(max_examples=150, deadline=None)
@given(payload=st.text(max_size=40), image=st.sampled_from(["png:tiny", "svg:plain", "svg:self-closing", "svg:prefix-bound-other"]))
def test_baker_equals_the_reference_on_any_text(payload, image):
    data = IMAGES[image]
    baker = _BAKERS.setdefault(image, _baker(data, image))
    assert _outcome(lambda: baker.bake(payload, source="g")) == _outcome(lambda: baking.bake(data, payload, source="g"))


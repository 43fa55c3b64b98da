"""Baking credentials into SVG badges and extracting them (OB 3.0 "Baked Badge", SVG)."""

from __future__ import annotations

import base64
import json
import time
import tracemalloc

import pytest

from badgekit import baking, proof
from badgekit.baking import svg
from badgekit.errors import BadgekitError, BakingError, LimitExceeded
from tests.unit.test_baking_png import HOSTILE, JWS, VECTORS, make_hostile, signed_credential

NS_DECL = b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
PLAIN = b'<?xml version="1.0" encoding="UTF-8"?>\n<!-- a comment -->\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" data-x="a>b">\n  <rect width="10" height="10" fill="#123"/>\n</svg>\n'


def _first_child(data: bytes):
    from defusedxml.ElementTree import fromstring

    root = fromstring(data)
    return root, list(root)[0]


# ---- 1EdTech samples -----------------------------------------------------------------------


def test_1edtech_json_svg_extracts():
    found = baking.extract((VECTORS / "simple-json.svg").read_bytes(), source="simple-json.svg")
    assert (found.container, found.is_jwt, found.legacy) == ("svg", False, False)
    credential = json.loads(found.payload)
    assert credential["id"] == "http://example.com/credentials/3527"
    assert credential["name"] == "Teamwork Badge"


def test_1edtech_jwt_svg_extracts():
    found = baking.extract((VECTORS / "simple-jwt.svg").read_bytes(), source="simple-jwt.svg")
    assert (found.container, found.is_jwt) == ("svg", True)
    _, payload, _ = found.payload.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["jti"] == "http://example.com/credentials/3527"


# ---- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["plain", "1edtech", "rendered", "self-closing", "prefixed-root", "bom"])
def test_bake_then_extract_returns_identical_bytes(image):
    original = _image(image)
    text = signed_credential()
    baked = baking.bake(original, text, source=image)
    found = baking.extract(baked, source=image)
    assert found.payload == text
    assert found.payload.encode("utf-8") == text.encode("utf-8")  # "]]>", CR LF and non-ASCII survive
    assert (found.is_jwt, found.container) == (False, "svg")
    root, first = _first_child(baked)
    assert first.tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    assert "verify" not in first.attrib
    assert proof.verify(json.loads(found.payload)).verified


def test_rest_of_the_document_is_kept_byte_for_byte():
    baked = baking.bake(PLAIN, signed_credential(), source="t")
    element = svg.credential_element(signed_credential(), is_jwt=False).encode()
    assert baked.count(element) == 1
    assert baked.replace(element, b"").replace(NS_DECL, b"") == PLAIN
    # Namespace declared on the root start tag, credential right after it.
    assert b'data-x="a>b"' + NS_DECL + b">" + element in baked


def test_jwt_goes_in_the_verify_attribute_with_an_empty_body():
    baked = baking.bake(PLAIN, JWS, source="t")
    _, first = _first_child(baked)
    assert first.attrib == {"verify": JWS}
    assert not (first.text or "").strip()
    found = baking.extract(baked, source="t")
    assert (found.payload, found.is_jwt) == (JWS, True)


def test_rebaking_replaces_never_duplicates():
    once = baking.bake(PLAIN, signed_credential(), source="t")
    assert baking.bake(once, signed_credential(), source="t") == once
    swapped = baking.bake(once, JWS, source="t")
    assert swapped == baking.bake(PLAIN, JWS, source="t")
    assert swapped.count(b"openbadges:credential") == 2  # one start tag, one end tag
    assert swapped.count(NS_DECL) == 1
    vector = (VECTORS / "simple-json.svg").read_bytes()
    rebaked = baking.bake(vector, JWS, source="t")
    assert rebaked.count(b"<openbadges:credential") == 1
    assert baking.extract(rebaked, source="t").payload == JWS


def test_cdata_terminator_is_split():
    text = '{"a": "]]>]]>", "b": "x]]"}'
    element = svg.credential_element(text, is_jwt=False)
    assert element.count("]]>") == 3  # each split closes a section after "]]", plus the final close
    assert element.count("<![CDATA[") == 3
    assert baking.extract(baking.bake(PLAIN, text, source="t"), source="t").payload == text


def test_conflicting_prefix_declares_namespace_on_the_element():
    original = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><g/></svg>'
    baked = baking.bake(original, JWS, source="t")
    assert baked.startswith(original[: original.index(b">")] + b">")  # root start tag untouched
    _, first = _first_child(baked)
    assert first.tag == "{https://purl.imsglobal.org/ob/v3p0}credential"
    assert baking.extract(baked, source="t").payload == JWS


def test_legacy_ob2_assertion_is_read():
    doc = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org">'
        b'<openbadges:assertion verify="https://example.org/assertion/1"><![CDATA[{"uid": "1"}]]></openbadges:assertion></svg>'
    )
    found = baking.extract(doc, source="t")
    assert (found.legacy, found.payload, found.is_jwt) == (True, '{"uid": "1"}', False)


def test_credential_text_may_be_escaped_instead_of_cdata():
    doc = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b'<openbadges:credential>{"a": "&lt;&amp;&gt;"}</openbadges:credential></svg>'
    )
    assert baking.extract(doc, source="t").payload == '{"a": "<&>"}'


# ---- refusals ------------------------------------------------------------------------------

SVG_CASES = sorted(name for name in make_hostile.EXPECTED if name.endswith(".svg"))


@pytest.mark.parametrize("name", SVG_CASES)
def test_hostile_svg_extract_is_a_clear_error(name):
    data = (HOSTILE / name).read_bytes()
    exc = _bounded(lambda: baking.extract(data, source=name))
    assert isinstance(exc, BakingError), exc
    assert make_hostile.EXPECTED[name] in exc.message
    assert exc.message.startswith(name + ": ")
    assert "\n" not in exc.message


@pytest.mark.parametrize("name", ["svg-external-entity.svg", "svg-billion-laughs.svg", "svg-parameter-entity.svg"])
def test_hostile_svg_is_not_baked_either(name):
    data = (HOSTILE / name).read_bytes()
    exc = _bounded(lambda: baking.bake(data, JWS, source=name))
    assert isinstance(exc, BakingError)
    assert "internal subset" in exc.message


def test_big_billion_laughs_is_refused_before_expansion():
    # 10 levels of 10: would expand to 10^10 "lol"s (30 GB).
    entities = "".join(f'<!ENTITY e{i} "{("&e" + str(i - 1) + ";") * 10}">' for i in range(1, 11))
    doc = f'<!DOCTYPE svg [<!ENTITY e0 "lol">{entities}]><svg xmlns="http://www.w3.org/2000/svg"><text>&e10;</text></svg>'
    exc = _bounded(lambda: baking.extract(doc.encode(), source="lol.svg"))
    assert isinstance(exc, BakingError)


def test_external_doctype_without_subset_is_tolerated_never_loaded():
    # Like Illustrator's and 1EdTech's files; expat does not fetch it (the test runs with no network).
    doc = (
        b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="a.b.c"/></svg>'
    )
    assert baking.extract(doc, source="t").payload == "a.b.c"
    rebaked = baking.bake(doc, JWS, source="t")
    assert baking.extract(rebaked, source="t").payload == JWS
    assert rebaked.count(b"openbadges:credential") == 2  # the self-closing old one is gone


def test_deeply_nested_svg_is_bounded():
    depth = 50_000
    doc = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g>" * depth + b"</g>" * depth + b"</svg>"
    exc = _bounded(lambda: baking.extract(doc, source="deep.svg"))
    assert isinstance(exc, BakingError) and "no baked credential" in exc.message


def test_millions_of_elements_are_refused_by_their_number():
    # 2,000,000 empty elements fit in 8 MB and took 3 s to parse; they are counted as they come.
    doc = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * (svg.MAX_ELEMENTS + 1) + b"</svg>"
    with pytest.raises(LimitExceeded, match="more than 500,000 SVG elements") as caught:
        baking.extract(doc, source="many.svg")
    assert caught.value.message.startswith("many.svg: ")
    with pytest.raises(LimitExceeded):
        baking.bake(doc, JWS, source="many.svg")


def test_non_utf8_svg_is_not_baked():
    doc = '<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"><title>é</title></svg>'
    with pytest.raises(BakingError, match="ISO-8859-1"):
        baking.bake(doc.encode("latin-1"), JWS, source="latin.svg")


def test_xml_forbidden_characters_refused():
    with pytest.raises(BakingError, match="characters that XML cannot carry"):
        svg.bake(PLAIN, '{"a": "\x01"}', is_jwt=False, source="t")


def test_child_elements_in_credential_refused():
    doc = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        b"<openbadges:credential><g/>{}</openbadges:credential></svg>"
    )
    with pytest.raises(BakingError, match="child elements"):
        baking.extract(doc, source="t")


def test_oversized_svg_refused():
    doc = PLAIN + b" " * (16 * 1024 * 1024)
    with pytest.raises(LimitExceeded):
        baking.extract(doc, source="big.svg")


def _bounded(fn):
    tracemalloc.start()
    start = time.perf_counter()
    caught = None
    try:
        fn()
    except BadgekitError as exc:
        caught = exc
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, peak
    assert elapsed < 15, elapsed  # generous: CI machines are shared; a bomb would take minutes
    return caught


def _image(kind: str) -> bytes:
    if kind == "plain":
        return PLAIN
    if kind == "1edtech":
        return (VECTORS / "simple-jwt.svg").read_bytes()
    if kind == "rendered":
        from badgekit.baking import render

        return render.render_badge("certification", badge_name="Round trip", qr_data="urn:uuid:1").encode()
    if kind == "self-closing":
        return b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
    if kind == "prefixed-root":
        return b'<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="1" height="1"/></s:svg>'
    if kind == "bom":
        return b"\xef\xbb\xbf" + PLAIN
    raise AssertionError(kind)


def test_sniffing_needs_an_svg_start_tag():
    assert svg.is_svg(PLAIN)
    assert not svg.is_svg(b"<html><body/></html>")
    assert svg.is_svg(_image("prefixed-root"))

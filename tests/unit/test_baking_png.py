"""Baking credentials into PNG badges and extracting them (OB 3.0 "Baked Badge", PNG)."""

from __future__ import annotations

import base64
import functools
import json
import struct
import time
import tracemalloc
import zlib
from pathlib import Path

import pytest

from badgekit import baking, proof
from badgekit._io import MAX_INPUT_BYTES, dumps_json
from badgekit.baking import png
from badgekit.errors import BadgekitError, BakingError, InputError, LimitExceeded
from badgekit.keys import Ed25519Key
from tests.invalid.images import make_hostile

VECTORS = Path(__file__).parent.parent / "vectors" / "1edtech-validator-ob30"
HOSTILE = Path(__file__).parent.parent / "invalid" / "images"
CREATED = "2026-01-15T12:00:00Z"


@functools.lru_cache(maxsize=1)
def signed_credential() -> str:
    """A signed OB 3.0 credential as JSON text, with text that stresses CDATA and iTXt."""
    key = Ed25519Key.from_seed(bytes(range(32)))
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2b9a1c4e-7d3f-4f8a-9e21-5c6b7a8d9e0f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did_key, "type": ["Profile"], "name": "Université d'Exemple"},
        "validFrom": "2026-01-01T00:00:00Z",
        "name": "Teamwork ]]> <b>&amp; Zusammenarbeit</b>",
        "credentialSubject": {
            "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://example.edu/achievements/teamwork",
                "type": ["Achievement"],
                "name": "Teamwork — 協力",
                "description": "Ends a CDATA section: ]]> and has a CR\r\nLF pair.",
                "criteria": {"narrative": "Nominated by peers."},
            },
        },
    }
    signed = proof.add_proof(document, key.signer(), created=CREATED)
    return dumps_json(signed)


JWS = "eyJhbGciOiJFZERTQSJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"


def chunk_list(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, raw chunk bytes) for every chunk: an independent walk, not badgekit's."""
    out, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        out.append((data[pos + 4 : pos + 8], data[pos : pos + 12 + length]))
        pos += 12 + length
    return out


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode a non-interlaced 8- or 16-bit PNG to rows of raw pixel bytes (tests only, slow)."""
    chunks = chunk_list(data)
    ihdr = next(raw for t, raw in chunks if t == b"IHDR")
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", ihdr[8:21])
    assert depth in (8, 16) and interlace == 0
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour] * depth // 8  # bytes per pixel
    raw = zlib.decompress(b"".join(c[8:-4] for t, c in chunks if t == b"IDAT"))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def test_signed_fixture_verifies():
    assert proof.verify(json.loads(signed_credential())).verified


# ---- 1EdTech samples -----------------------------------------------------------------------


def test_1edtech_json_png_extracts():
    found = baking.extract((VECTORS / "simple-json.png").read_bytes(), source="simple-json.png")
    assert (found.container, found.is_jwt, found.legacy) == ("png", False, False)
    credential = json.loads(found.payload)
    assert credential["id"] == "http://example.com/credentials/3527"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]


def test_1edtech_jwt_png_extracts():
    found = baking.extract((VECTORS / "simple-jwt.png").read_bytes(), source="simple-jwt.png")
    assert (found.container, found.is_jwt) == ("png", True)
    header, payload, signature = found.payload.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert claims["jti"] == "http://example.com/credentials/3527"
    assert json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["alg"] == "RS256"


# ---- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["tiny", "1edtech", "rendered"])
def test_bake_then_extract_returns_identical_bytes_and_pixels(image):
    original = _image(image)
    text = signed_credential()
    baked = baking.bake(original, text, source=image)
    found = baking.extract(baked, source=image)
    assert found.payload == text
    assert found.payload.encode("utf-8") == text.encode("utf-8")
    assert (found.is_jwt, found.container) == (False, "png")
    # Same image: IHDR and image data byte for byte, and the same decoded pixels.
    before, after = chunk_list(original), chunk_list(baked)
    assert [raw for t, raw in before if t in (b"IHDR", b"IDAT", b"PLTE")] == [
        raw for t, raw in after if t in (b"IHDR", b"IDAT", b"PLTE")
    ]
    width, height = struct.unpack(">II", original[16:24])
    if width * height <= 400 * 400:  # the pure-Python decoder is too slow for the 981x941 sample
        assert decode_png(baked) == decode_png(original)
    # The credential taken from the image still verifies.
    assert proof.verify(json.loads(found.payload)).verified


def test_baked_png_decodes_to_same_pixels_with_an_independent_decoder():
    """resvg (Rust png crate) decodes the original and the baked file to the same raster."""
    import resvg_py

    original = (VECTORS / "simple-json.png").read_bytes()
    baked = baking.bake(original, signed_credential(), source="t")

    def raster(data: bytes) -> bytes:
        uri = "data:image/png;base64," + base64.b64encode(data).decode()
        doc = f'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><image href="{uri}" width="64" height="64"/></svg>'
        return bytes(resvg_py.svg_to_bytes(svg_string=doc))

    assert raster(baked) == raster(original)


def test_every_other_chunk_kept_byte_for_byte_in_order_and_crcs_valid():
    original = (VECTORS / "simple-json.png").read_bytes()
    baked = baking.bake(original, signed_credential(), source="t")
    keep = [raw for t, raw in chunk_list(original) if not (t == b"iTXt" and raw[8:].startswith(b"openbadgecredential\x00"))]
    after = chunk_list(baked)
    assert [raw for _, raw in after if _ != b"iTXt"] == [raw for t, raw in chunk_list(original) if t != b"iTXt"]
    # The new chunk sits right before IEND; nothing else moved.
    assert after[-1][0] == b"IEND" and after[-2][0] == b"iTXt"
    assert [raw for _, raw in after[:-2]] == keep[:-1]
    for ctype, raw in after:
        assert struct.unpack(">I", raw[-4:])[0] == zlib.crc32(raw[4:-4]), ctype
    png.read_chunks(baked, source="t")  # badgekit's own reader agrees


def test_credential_chunk_layout_matches_the_spec():
    baked = baking.bake(make_hostile.tiny_png(), JWS, source="t")
    itxt = [raw for t, raw in chunk_list(baked) if t == b"iTXt"]
    assert len(itxt) == 1
    data = itxt[0][8:-4]
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
    assert data == b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode()


def test_rebaking_replaces_never_duplicates():
    first = baking.bake(make_hostile.tiny_png(), signed_credential(), source="t")
    assert baking.bake(first, signed_credential(), source="t") == first  # idempotent
    second = baking.bake(first, JWS, source="t")
    assert sum(t == b"iTXt" for t, _ in chunk_list(second)) == 1
    found = baking.extract(second, source="t")
    assert (found.payload, found.is_jwt) == (JWS, True)
    # 1EdTech's sample already carries a credential: it is replaced, not joined.
    vector = (VECTORS / "simple-jwt.png").read_bytes()
    assert sum(t == b"iTXt" for t, _ in chunk_list(baking.bake(vector, JWS, source="t"))) == 1


def test_jwt_payload_is_stored_without_whitespace():
    baked = baking.bake(make_hostile.tiny_png(), f"  {JWS}\n", source="t")
    assert baking.extract(baked, source="t").payload == JWS


def test_legacy_ob2_chunk_is_read_and_replaced():
    legacy = make_hostile.tiny_png([make_hostile.itxt(b"openbadges", b'{"uid": "abc"}')])
    found = baking.extract(legacy, source="t")
    assert (found.legacy, found.payload) == (True, '{"uid": "abc"}')
    baked = baking.bake(legacy, JWS, source="t")
    assert sum(t == b"iTXt" for t, _ in chunk_list(baked)) == 1
    assert baking.extract(baked, source="t").legacy is False


def test_other_text_chunks_and_unknown_chunks_survive():
    extra = [
        make_hostile.chunk(b"tEXt", b"Comment\x00hello"),
        make_hostile.chunk(b"zTXt", b"Software\x00\x00" + zlib.compress(b"x" * 100)),
        make_hostile.itxt(b"XML:com.adobe.xmp", b"<x/>"),
        make_hostile.chunk(b"prVt", b"private ancillary chunk"),
    ]
    original = make_hostile.tiny_png(extra)
    baked = baking.bake(original, signed_credential(), source="t")
    for raw in extra:
        assert raw in baked


# ---- detection and payload checks ----------------------------------------------------------


def test_detect_sniffs_content_not_names():
    assert baking.detect(make_hostile.tiny_png()) == "png"
    assert baking.detect(b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>') == "svg"
    assert baking.detect(b"GIF89a...") is None
    assert baking.detect(b"{}") is None


@pytest.mark.parametrize(
    ("payload", "error", "fragment"),
    [
        ("", BakingError, "empty"),
        ("   ", BakingError, "empty"),
        ("not a credential", BakingError, "neither a JSON credential nor a compact JWS"),
        ('{"a": ', InputError, "malformed JSON"),
    ],
)
def test_bad_payloads_refused(payload, error, fragment):
    with pytest.raises(error, match=fragment):
        baking.bake(make_hostile.tiny_png(), payload, source="cred.json")


def test_nul_in_payload_refused():
    with pytest.raises(BakingError, match="NUL"):
        png.bake(make_hostile.tiny_png(), '{"a": "\x00"}', source="t")


def test_not_an_image_refused():
    with pytest.raises(BakingError, match="not a PNG or SVG image"):
        baking.bake(b"GIF89a", JWS, source="badge.gif")


# ---- hostile images ------------------------------------------------------------------------

PNG_CASES = sorted(name for name in make_hostile.EXPECTED if name.endswith(".png"))


def test_committed_hostile_files_match_the_generator():
    built = make_hostile.build()
    assert sorted(built) == sorted(make_hostile.EXPECTED)
    for name, data in built.items():
        assert (HOSTILE / name).read_bytes() == data, f"regenerate with: python3 {HOSTILE / 'make_hostile.py'}"
        assert len(data) < 64 * 1024


def _bounded(fn):
    """Run ``fn``; return its exception, asserting it stayed within 50 MB and 15 s."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        fn()
    except BadgekitError as exc:
        caught = exc
    else:  # pragma: no cover - the assertion below reports it
        caught = None
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024, peak
    assert elapsed < 15, elapsed  # generous: CI machines are shared; a bomb would take minutes
    return caught


@pytest.mark.parametrize("name", PNG_CASES)
def test_hostile_png_extract_is_a_clear_error(name):
    data = (HOSTILE / name).read_bytes()
    exc = _bounded(lambda: baking.extract(data, source=name))
    assert isinstance(exc, (BakingError, LimitExceeded)), exc
    assert make_hostile.EXPECTED[name] in exc.message
    assert exc.message.startswith(name + ": ")
    assert "\n" not in exc.message


STRUCTURAL = [
    "png-truncated.png",
    "png-no-iend.png",
    "png-bad-crc.png",
    "png-huge-dimensions.png",
    "png-oversized-chunk-length.png",
    "png-trailing-data.png",
    "png-bad-signature.png",
    "png-first-chunk-not-ihdr.png",
]


@pytest.mark.parametrize("name", STRUCTURAL)
def test_hostile_png_is_not_baked_either(name):
    data = (HOSTILE / name).read_bytes()
    exc = _bounded(lambda: baking.bake(data, JWS, source=name))
    assert isinstance(exc, (BakingError, LimitExceeded))
    assert make_hostile.EXPECTED[name] in exc.message


def test_compressed_credential_is_refused_without_inflating():
    data = (HOSTILE / "png-compressed-itxt-bomb.png").read_bytes()
    tracemalloc.start()
    with pytest.raises(BakingError, match="compressed iTXt"):
        baking.extract(data, source="bomb.png")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 2 * 1024 * 1024  # the 16 MiB it would inflate to was never allocated


def test_ztxt_bomb_beside_the_credential_is_carried_not_inflated():
    bomb = make_hostile.chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * (64 * 1024 * 1024), 9))
    original = make_hostile.tiny_png([bomb, make_hostile.credential_chunk()])
    text = signed_credential()  # signed (and cached) outside the measurement
    tracemalloc.start()
    found = baking.extract(original, source="t")
    baked = baking.bake(original, text, source="t")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert found.payload == make_hostile.CREDENTIAL
    assert bomb in baked
    assert peak < 4 * 1024 * 1024


def test_file_over_the_input_limit_refused():
    data = make_hostile.tiny_png() + b"\x00" * (MAX_INPUT_BYTES)
    with pytest.raises(LimitExceeded, match="larger than 16 MiB"):
        baking.extract(data, source="big.png")


def test_too_many_chunks_refused_quickly():
    filler = make_hostile.chunk(b"tEXt", b"a\x00")
    data = make_hostile.tiny_png([filler] * (png.MAX_CHUNKS + 5))
    start = time.perf_counter()
    with pytest.raises(LimitExceeded, match="chunks"):
        baking.extract(data, source="many.png")
    assert time.perf_counter() - start < 15


def test_non_utf8_credential_text_refused():
    data = make_hostile.tiny_png([make_hostile.itxt(b"openbadgecredential", b"{\xff}")])
    with pytest.raises(BakingError, match="not UTF-8"):
        baking.extract(data, source="t")


def _image(kind: str) -> bytes:
    if kind == "tiny":
        return make_hostile.tiny_png()
    if kind == "1edtech":
        return (VECTORS / "simple-json.png").read_bytes()
    from badgekit.baking import render

    return render.render_png(render.render_badge("default", badge_name="Round trip"), width=200)

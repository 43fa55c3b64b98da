"""Baked PNG badges: one uncompressed ``iTXt`` chunk with keyword ``openbadgecredential``.

Why a hand-written chunk reader/writer (``struct`` + ``zlib.crc32``) instead of a library: the
PNG libraries on PyPI (Pillow, pypng) decode and re-encode the image, which changes the bytes of
every other chunk, drops ones they do not know, or writes ``iTXt`` compressed; none of them can
add or replace one text chunk while keeping the rest of the file byte for byte. Working at the
chunk level also means badgekit never decompresses image data, so a "decompression bomb" costs
nothing: the only data read is the file itself (bounded by ``MAX_INPUT_BYTES``).

OB 3.0 "Baked Badge" (PNG): the ``iTXt`` chunk has compression flag 0, method 0, an empty
language tag and an empty translated keyword; its text is the credential JSON (UTF-8) or the
compact JWS of a VC-JWT. A file never carries two such chunks: baking replaces the old one.
OB 2.0 used the keyword ``openbadges``; it is read (reported as legacy) and replaced on baking.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from badgekit._io import MAX_INPUT_BYTES
from badgekit._legacy import is_http_url
from badgekit.errors import BakingError, LimitExceeded, NoBakedCredential

SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
#: OB 2.0's keyword, accepted when extracting and replaced when baking.
LEGACY_KEYWORD = b"openbadges"
#: Largest single chunk accepted (the PNG format allows 2^31-1; badges never need that).
MAX_CHUNK_BYTES = 16 * 1024 * 1024
#: Most chunks accepted in one file (encoders split image data in 8-64 KiB IDAT chunks).
MAX_CHUNKS = 100_000
#: Largest image accepted, in pixels. badgekit never decodes pixels, but a badge that claims a
#: giant canvas is a decompression bomb for whoever displays it, so it is refused up front.
MAX_PIXELS = 100_000_000
_TEXT_CHUNKS = (b"iTXt", b"tEXt", b"zTXt")
_BADGE_KEYWORDS = (KEYWORD, LEGACY_KEYWORD)


@dataclass(frozen=True)
class Chunk:
    """One chunk of a PNG file: where it starts in the file, its type and its data length."""

    offset: int
    type: bytes
    length: int

    @property
    def end(self) -> int:
        """Offset just past the chunk's CRC."""
        return self.offset + 12 + self.length

    def data(self, png: bytes) -> bytes:
        return png[self.offset + 8 : self.offset + 8 + self.length]


@dataclass(frozen=True)
class BadgeText:
    """The credential text found in a PNG, and which keyword carried it."""

    text: str
    keyword: str

    @property
    def legacy(self) -> bool:
        """True for an OB 2.0 ``openbadges`` chunk."""
        return self.keyword == LEGACY_KEYWORD.decode()


def is_png(data: bytes) -> bool:
    """True when ``data`` starts with the PNG signature."""
    return data[:8] == SIGNATURE


def read_chunks(png: bytes, *, source: str) -> list[Chunk]:
    """Walk the chunks of ``png``, checking the structure and every CRC, decoding nothing.

    Raises:
        BakingError: not a PNG, truncated, bad chunk type or CRC, no IHDR/IEND, data after IEND.
        LimitExceeded: file, chunk, chunk count or image dimensions beyond badgekit's limits.
    """
    if len(png) > MAX_INPUT_BYTES:
        raise LimitExceeded(f"{source}: PNG larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, refused")
    if not is_png(png):
        raise BakingError(f"{source}: not a PNG file (bad signature)")
    chunks: list[Chunk] = []
    pos = len(SIGNATURE)
    size = len(png)
    view = memoryview(png)
    while True:
        if pos + 8 > size:
            raise BakingError(f"{source}: truncated PNG: file ends inside a chunk header at byte {pos} (no IEND chunk)")
        length, ctype = struct.unpack_from(">I4s", png, pos)
        if not ctype.isalpha() or not ctype.isascii():
            raise BakingError(f"{source}: corrupt PNG: invalid chunk type {ctype!r} at byte {pos}")
        name = ctype.decode("ascii")
        if length > 0x7FFFFFFF:
            raise BakingError(f"{source}: corrupt PNG: {name} chunk at byte {pos} declares an invalid length {length}")
        if length > MAX_CHUNK_BYTES:
            raise LimitExceeded(f"{source}: {name} chunk at byte {pos} is {length} bytes, more than the 16 MiB limit")
        if pos + 12 + length > size:
            raise BakingError(
                f"{source}: truncated PNG: {name} chunk at byte {pos} declares {length} bytes but the file ends first"
            )
        (stored_crc,) = struct.unpack_from(">I", png, pos + 8 + length)
        if zlib.crc32(view[pos + 4 : pos + 8 + length]) != stored_crc:
            raise BakingError(f"{source}: corrupt PNG: bad CRC in {name} chunk at byte {pos}")
        chunk = Chunk(pos, ctype, length)
        if not chunks:
            _check_ihdr(png, chunk, source=source)
        chunks.append(chunk)
        if len(chunks) > MAX_CHUNKS:
            raise LimitExceeded(f"{source}: more than {MAX_CHUNKS} PNG chunks, refused")
        pos = chunk.end
        if ctype == b"IEND":
            break
    if pos != size:
        raise BakingError(f"{source}: corrupt PNG: {size - pos} bytes of trailing data after the IEND chunk")
    return chunks


def _check_ihdr(png: bytes, chunk: Chunk, *, source: str) -> None:
    if chunk.type != b"IHDR" or chunk.length != 13:
        raise BakingError(f"{source}: corrupt PNG: the first chunk must be a 13-byte IHDR")
    width, height = struct.unpack_from(">II", png, chunk.offset + 8)
    if not (0 < width <= 0x7FFFFFFF and 0 < height <= 0x7FFFFFFF):
        raise BakingError(f"{source}: corrupt PNG: invalid image size {width}x{height}")
    if width * height > MAX_PIXELS:
        raise LimitExceeded(
            f"{source}: PNG claims {width}x{height} pixels, more than the {MAX_PIXELS // 1_000_000}-megapixel "
            "limit (decompression bomb?)"
        )


def _keyword(data: bytes) -> bytes | None:
    """The keyword of a tEXt/zTXt/iTXt chunk (1-79 bytes before a NUL), or None if malformed."""
    end = data.find(b"\x00", 0, 80)
    return data[:end] if end > 0 else None


def _badge_chunks(png: bytes, chunks: list[Chunk]) -> list[tuple[Chunk, bytes]]:
    found = []
    for chunk in chunks:
        if chunk.type in _TEXT_CHUNKS:
            keyword = _keyword(png[chunk.offset + 8 : chunk.offset + 8 + min(chunk.length, 80)])
            if keyword in _BADGE_KEYWORDS:
                found.append((chunk, keyword))
    return found


def extract(png: bytes, *, source: str) -> BadgeText:
    """The credential text baked into ``png`` (JSON or compact JWS, exactly as stored).

    Raises:
        BakingError: not a valid PNG (see :func:`read_chunks`), no credential (:class:`NoBakedCredential`), more than one
            credential chunk (an OB 2.0 ``openbadges`` one included), a compressed or malformed credential chunk, text not UTF-8.
        LimitExceeded: see :func:`read_chunks`.
    """
    chunks = read_chunks(png, source=source)
    found = _badge_chunks(png, chunks)
    current = [(c, k) for c, k in found if k == KEYWORD]
    legacy = [(c, k) for c, k in found if k == LEGACY_KEYWORD]
    if not found:
        raise NoBakedCredential(f"{source}: no baked credential (no iTXt chunk with keyword 'openbadgecredential')")
    # Spec: a file never holds two; a second one may be a forgery placed to be read by some
    # verifiers and not others, so refuse rather than pick one.
    for group in (current, legacy):
        if len(group) > 1:
            where = ", ".join(f"byte {c.offset}" for c, _ in group)
            raise BakingError(
                f"{source}: {len(group)} '{group[0][1].decode()}' chunks ({where}); a baked badge carries exactly one"
            )
    if current and legacy:
        # An OB 2.0 assertion beside the OB 3.0 credential: OB 2.0 readers see one badge, OB 3.0
        # readers another, the same forgery shape as two credential chunks.
        raise BakingError(
            f"{source}: an 'openbadgecredential' chunk (byte {current[0][0].offset}) and an OB 2.0 'openbadges' "
            f"chunk (byte {legacy[0][0].offset}); a baked badge carries exactly one credential"
        )
    chunk, keyword = (current or legacy)[0]
    return BadgeText(_itxt_text(chunk.data(png), chunk, keyword, source=source), keyword.decode())


def _itxt_text(data: bytes, chunk: Chunk, keyword: bytes, *, source: str) -> str:
    name = keyword.decode()
    if chunk.type == b"tEXt" and keyword == LEGACY_KEYWORD:
        # Pre-2.0 baking (OB 2.0 Baking "Legacy PNGs"): the hosted assertion's URL in a tEXt chunk.
        url = data[len(keyword) + 1 :].decode("latin-1").strip()
        if not is_http_url(url):
            raise BakingError(f"{source}: the tEXt '{name}' chunk at byte {chunk.offset} holds no assertion URL")
        return url
    if chunk.type != b"iTXt":
        kind = "compressed zTXt" if chunk.type == b"zTXt" else "tEXt"
        raise BakingError(
            f"{source}: the '{name}' credential is in a {kind} chunk at byte {chunk.offset}; "
            "Open Badges requires an uncompressed iTXt chunk"
        )
    rest = data[len(keyword) + 1 :]
    if len(rest) < 2:
        raise BakingError(f"{source}: malformed iTXt '{name}' chunk at byte {chunk.offset}")
    flag, method = rest[0], rest[1]
    if flag != 0:
        # Never inflated: a compressed credential is both non-conformant and a bomb vector.
        raise BakingError(
            f"{source}: compressed iTXt '{name}' chunk at byte {chunk.offset} refused; "
            "Open Badges requires the credential uncompressed"
        )
    if method != 0:
        raise BakingError(f"{source}: malformed iTXt '{name}' chunk at byte {chunk.offset} (compression method {method})")
    lang_end = rest.find(b"\x00", 2)
    trans_end = rest.find(b"\x00", lang_end + 1) if lang_end >= 0 else -1
    if trans_end < 0:
        raise BakingError(f"{source}: malformed iTXt '{name}' chunk at byte {chunk.offset} (missing separators)")
    try:
        text = rest[trans_end + 1 :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError(f"{source}: the '{name}' chunk text is not UTF-8 (byte {exc.start})") from None
    if not text.strip():
        raise BakingError(f"{source}: the '{name}' chunk is empty")
    return text


def make_chunk(ctype: bytes, data: bytes) -> bytes:
    """Length, type, data and CRC of one chunk."""
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data))


def credential_chunk(payload: str) -> bytes:
    """The ``iTXt`` chunk OB 3.0 specifies: keyword, flag 0, method 0, no language, no translation."""
    return make_chunk(b"iTXt", KEYWORD + b"\x00\x00\x00\x00\x00" + payload.encode("utf-8"))


def bake(png: bytes, payload: str, *, source: str) -> bytes:
    """``png`` with ``payload`` baked in just before ``IEND``; any earlier badge chunk is dropped.

    Every other chunk (pixels, metadata, unknown ancillary chunks) is copied byte for byte, so
    baking the same payload twice gives the same file.

    Raises:
        BakingError: the PNG is invalid (see :func:`read_chunks`) or the payload holds a NUL.
        LimitExceeded: the PNG or payload is beyond badgekit's limits.
    """
    chunk = _checked_chunk(payload, source=source)
    chunks = read_chunks(png, source=source)
    drop = {c.offset for c, _ in _badge_chunks(png, chunks)}
    parts = [png[: len(SIGNATURE)]]
    for c in chunks:
        if c.type == b"IEND":
            parts.append(chunk)
        if c.offset not in drop:
            parts.append(png[c.offset : c.end])
    out = b"".join(parts)
    if len(out) > MAX_INPUT_BYTES:
        raise LimitExceeded(f"{source}: the baked PNG would be larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
    return out


def _checked_chunk(payload: str, *, source: str) -> bytes:
    if "\x00" in payload:
        raise BakingError(f"{source}: the credential text contains a NUL character and cannot be baked")
    chunk = credential_chunk(payload)
    if len(chunk) - 12 > MAX_CHUNK_BYTES:
        raise LimitExceeded(f"{source}: the credential is larger than 16 MiB and cannot be baked")
    return chunk


class Template:
    """A PNG read, checked and split once, to bake many credentials into (``issue --bake``):
    :meth:`bake` gives what :func:`bake` gives for the same image, byte for byte (the
    differential tests in tests/unit/test_baking_fast.py), without walking the chunks and their
    CRCs again for each credential.

    Raises (the constructor): see :func:`read_chunks`.
    """

    def __init__(self, png: bytes, *, source: str) -> None:
        chunks = read_chunks(png, source=source)
        drop = {c.offset for c, _ in _badge_chunks(png, chunks)}
        # read_chunks stops at IEND, so it is the last chunk: the credential goes just before it
        *body, iend = chunks
        self._head = png[: len(SIGNATURE)] + b"".join(png[c.offset : c.end] for c in body if c.offset not in drop)
        self._tail = png[iend.offset : iend.end]

    def bake(self, payload: str, *, source: str) -> bytes:
        """This image with ``payload`` baked in (see :func:`bake`).

        Raises:
            BakingError: the payload holds a NUL.
            LimitExceeded: the payload, or the baked PNG, is beyond badgekit's limits.
        """
        out = b"".join((self._head, _checked_chunk(payload, source=source), self._tail))
        if len(out) > MAX_INPUT_BYTES:
            raise LimitExceeded(f"{source}: the baked PNG would be larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
        return out

"""The bitstring of a W3C Bitstring Status List: bits, and their ``encodedList`` form.

``encodedList`` = ``"u"`` + base64url-no-pad(GZIP(bits)); index 0 is the most significant bit of
byte 0. Decompression is bounded, so a gzip bomb is an error rather than an out-of-memory crash.
"""

from __future__ import annotations

import base64
import binascii
import re
import struct
import zlib

from badgekit.errors import InputError

#: Minimum number of entries of a list (BSL "Validate Algorithm", minimumNumberOfEntries): 16 KiB.
MIN_ENTRIES = 131_072
#: Largest decompressed list accepted by default (a 16 KiB list is the norm; 16 MiB = 134M entries).
MAX_LIST_BYTES = 16 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_NONZERO = rb"[^\x00]"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


class StatusListError(InputError):
    """A status list cannot be decoded, built or read (corrupt, too large, wrong shape)."""


class Bitstring:
    """A fixed-size bitstring; bit ``i`` is bit ``7 - i % 8`` of byte ``i // 8`` (MSB first)."""

    __slots__ = ("_bytes", "_size")
    __hash__ = None  # type: ignore[assignment]  # mutable

    def __init__(self, size: int = MIN_ENTRIES) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise StatusListError(f"a bitstring size is a non-negative integer, got {size!r}")
        if size > MAX_LIST_BYTES * 8:
            raise StatusListError(f"a bitstring of {size:,} entries is larger than badgekit accepts")
        self._size = size
        self._bytes = bytearray((size + 7) // 8)

    @classmethod
    def from_bytes(cls, data: bytes) -> Bitstring:
        """A bitstring holding ``data`` as is (``len(data) * 8`` entries)."""
        bits = cls(len(data) * 8)
        bits._bytes[:] = data
        return bits

    def to_bytes(self) -> bytes:
        """The raw (uncompressed) bytes, padded with zero bits to a whole byte."""
        return bytes(self._bytes)

    def __len__(self) -> int:
        return self._size

    def _check(self, i: int) -> None:
        if isinstance(i, bool) or not isinstance(i, int):
            raise StatusListError(f"a status list index is an integer, got {i!r}")
        if not 0 <= i < self._size:
            raise StatusListError(f"status list index {i} is out of range (0 to {self._size - 1})")

    def get(self, i: int) -> bool:
        """The bit at index ``i``. Raises StatusListError when ``i`` is out of range."""
        self._check(i)
        return bool(self._bytes[i >> 3] & (0x80 >> (i & 7)))

    def set(self, i: int, value: bool = True) -> None:
        """Set (or with ``value=False`` clear) the bit at ``i``. Raises StatusListError out of range."""
        self._check(i)
        if value:
            self._bytes[i >> 3] |= 0x80 >> (i & 7)
        else:
            self._bytes[i >> 3] &= ~(0x80 >> (i & 7)) & 0xFF

    def set_indices(self) -> list[int]:
        """Every index whose bit is set, ascending."""
        out: list[int] = []
        for match in re.finditer(_NONZERO, self._bytes):
            byte_index = match.start()
            byte = self._bytes[byte_index]
            out.extend(byte_index * 8 + b for b in range(8) if byte & (0x80 >> b))
        return out

    def encode(self) -> str:
        """``"u"`` + base64url-no-pad(GZIP(bytes)), byte-for-byte reproducible.

        The gzip header is written here (mtime 0, OS "unknown") rather than by the gzip module,
        whose header depends on the zlib it was linked against.
        """
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, 9)
        body = compressor.compress(self._bytes) + compressor.flush()
        trailer = struct.pack("<II", zlib.crc32(self._bytes), len(self._bytes) & 0xFFFFFFFF)
        gz = _GZIP_MAGIC + b"\x08\x00" + b"\x00\x00\x00\x00" + b"\x00\xff" + body + trailer
        return "u" + base64.urlsafe_b64encode(gz).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: object, *, max_bytes: int = MAX_LIST_BYTES) -> Bitstring:
        """Parse an ``encodedList`` (BSL "Bitstring Expansion Algorithm").

        Accepts the ``u`` multibase prefix and, leniently, bare base64url as some older lists use.
        At most ``max_bytes`` decompressed bytes are produced.

        Raises:
            StatusListError: not base64url, not gzip, truncated, trailing data, or larger than
                ``max_bytes`` once decompressed (a gzip bomb).
        """
        if not isinstance(encoded, str):
            raise StatusListError(f"encodedList is not a string (got {type(encoded).__name__})")
        text = encoded[1:] if encoded.startswith("u") else encoded
        if not text:
            raise StatusListError("encodedList is empty")
        if not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
            raise StatusListError("encodedList is not base64url (multibase 'u') text")
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            raise StatusListError("encodedList is not valid base64url") from None
        if not compressed.startswith(_GZIP_MAGIC):
            raise StatusListError("encodedList is not GZIP-compressed (no gzip header)")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip container only
        try:
            data = inflater.decompress(compressed, max_bytes + 1)
        except zlib.error as exc:
            raise StatusListError(f"encodedList is corrupt GZIP data ({exc})") from None
        if len(data) > max_bytes or inflater.unconsumed_tail:
            raise StatusListError(
                f"encodedList expands to more than {max_bytes:,} bytes; refused (possible gzip bomb)"
            )
        if not inflater.eof:
            raise StatusListError("encodedList is truncated GZIP data")
        if inflater.unused_data:
            raise StatusListError("encodedList has data after the end of the GZIP stream")
        return cls.from_bytes(data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Bitstring):
            return NotImplemented
        return self._size == other._size and self._bytes == other._bytes

    def __repr__(self) -> str:
        return f"Bitstring(size={self._size}, set={len(self.set_indices())})"

"""QR codes for badge images and recipient bundles: the matrix (from the ``qrcode`` package),
drawn as SVG and as a small greyscale PNG, for a verification URL or credential id only."""

from __future__ import annotations

import functools
import re
import struct
import zlib

from badgekit.errors import InputError, LimitExceeded

#: Longest QR text accepted: a verification URL or credential id, never the credential itself.
MAX_QR_CHARS = 512


def qr_svg(data: str, *, x: float, y: float, size: float, quiet: int = 2) -> str:
    """A QR code for ``data`` as an SVG group: a white plate and one path of dark modules.

    Raises:
        LimitExceeded: ``data`` is longer than a verification URL or id should be.
    """
    check_qr_data(data)
    matrix = qr_matrix(data)
    n = len(matrix)
    span = n + 2 * quiet
    scale = size / span
    runs = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                runs.append(f"M{start + quiet} {row + quiet}h{col - start}v1h-{col - start}z")
            else:
                col += 1
    return (
        f'<g transform="translate({_num(x)} {_num(y)}) scale({scale:.4f})">'
        f'<rect width="{span}" height="{span}" rx="1" fill="#ffffff"/>'
        f'<path d="{"".join(runs)}" fill="#161616" shape-rendering="crispEdges"/></g>'
    )


@functools.lru_cache(maxsize=64)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for ``data`` (cached: a bundle draws the same code in its badge and alone)."""
    import qrcode  # imported here: only rendering needs it
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in qr.get_matrix())


def check_qr_data(data: str) -> None:
    """Refuse QR text that is not a short URL or id (a whole credential does not belong in a QR).

    Raises:
        LimitExceeded: longer than :data:`MAX_QR_CHARS`.
        InputError: it looks like a JSON credential or a JWS.
    """
    if len(data) > MAX_QR_CHARS:
        raise LimitExceeded(
            f"QR text is {len(data)} characters; give the credential's verification URL or id "
            f"(at most {MAX_QR_CHARS}), not the credential"
        )
    stripped = data.strip()
    if stripped.startswith("{") or re.fullmatch(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", stripped):
        raise InputError("QR text looks like a credential; give its verification URL or id instead")


def qr_png(data: str, *, scale: int = 8, quiet: int = 2) -> bytes:
    """A QR code as a small greyscale PNG (``scale`` pixels per module), without a renderer.

    Raises:
        LimitExceeded: ``data`` is longer than a verification URL or id should be.
    """
    check_qr_data(data)
    matrix = qr_matrix(data)
    span = len(matrix) + 2 * quiet
    side = span * scale
    blank = b"\xff" * side
    rows = []
    for r in range(span):
        cells = matrix[r - quiet] if quiet <= r < span - quiet else ()
        line = bytearray(blank)
        for c, dark in enumerate(cells):
            if dark:
                start = (c + quiet) * scale
                line[start:start + scale] = b"\x16" * scale  # the same near-black as the SVG
        rows.extend([b"\x00" + bytes(line)] * scale)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")


def qr_document(data: str, *, size: int = 264) -> tuple[str, str]:
    """A QR code as (inline SVG markup for a page, standalone SVG document)."""
    group = qr_svg(data, x=0, y=0, size=size)
    inline = f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="QR code">{group}</svg>'
    document = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">{group}</svg>\n'
    return inline, document


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


__all__ = ["MAX_QR_CHARS", "check_qr_data", "qr_document", "qr_matrix", "qr_png", "qr_svg"]

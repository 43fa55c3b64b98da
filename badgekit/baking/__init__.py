"""Baked badges: a credential carried inside its PNG or SVG image, so the file verifies offline.

Public API::

    detect(data) -> "png" | "svg" | None
    bake(image, payload, *, source) -> bytes
    Baker(image, source=...).bake(payload, *, source) -> bytes   # many credentials, one image
    extract(data, *, source) -> Extracted

``payload`` is the credential exactly as it should be stored: JSON text (Data Integrity proof)
or a compact JWS (VC-JWT), or an SD-JWT VC (a compact JWS, ``~`` and disclosures). Baking never re-serialises the credential, so ``extract(bake(img, p))``
returns ``p`` byte for byte and a proof over it still verifies.

This package imports nothing heavy at import time (defusedxml, qrcode and resvg are imported
inside the functions that need them, and the SVG reader only for an SVG badge) so ``badgekit
verify`` starts fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from badgekit._io import loads_json
from badgekit.baking import png
from badgekit.errors import BakingError, InputError

if TYPE_CHECKING:
    from badgekit.baking import svg

Container = Literal["png", "svg"]

_JWS = r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*"
#: A compact JWS, optionally an SD-JWT: ``~``, disclosures each ending in ``~``, a key binding JWT.
_COMPACT_JWS = re.compile(rf"{_JWS}(?:~(?:[A-Za-z0-9_-]+~)*(?:{_JWS})?)?")


@dataclass(frozen=True)
class Extracted:
    """A credential taken out of a baked image.

    ``payload`` is the stored text exactly (JSON or compact JWS); ``is_jwt`` tells which;
    ``legacy`` is True for an OB 2.0 bake (PNG keyword ``openbadges``, SVG ``openbadges:assertion``).
    """

    payload: str
    is_jwt: bool
    container: Container
    legacy: bool = False


def detect(data: bytes) -> Container | None:
    """``"png"`` or ``"svg"`` by content (never by file name), or None for anything else."""
    if png.is_png(data):
        return "png"
    from badgekit.baking import svg  # start-up: only an SVG badge loads the SVG reader

    if svg.is_svg(data):
        return "svg"
    return None


def _require(data: bytes, source: str) -> Container:
    kind = detect(data)
    if kind is None:
        raise BakingError(f"{source}: not a PNG or SVG image", hint="badgekit bakes and reads .png and .svg badges")
    return kind


def is_jwt(payload: str) -> bool:
    """True when ``payload`` is a compact JWS rather than JSON (OB: text starting ``{`` is JSON)."""
    return not payload.lstrip().startswith("{")


def check_payload(payload: str, *, source: str) -> bool:
    """Check that ``payload`` is a JSON object or a compact JWS (or SD-JWT); return whether it is a JWS.

    Raises:
        BakingError: empty, or neither a JSON object nor a compact JWS.
        InputError: malformed JSON (message names ``source``, line and column).
    """
    if not payload.strip():
        raise BakingError(f"{source}: the credential is empty")
    if is_jwt(payload):
        if not _COMPACT_JWS.fullmatch(payload.strip()):
            raise BakingError(f"{source}: neither a JSON credential nor a compact JWS (VC-JWT) or SD-JWT")
        return True
    if not isinstance(loads_json(payload, source=source), dict):
        raise InputError(f"{source}: expected a JSON object")  # pragma: no cover - '{' guarantees an object
    return False


def bake(image: bytes, payload: str, *, source: str) -> bytes:
    """Return ``image`` (PNG or SVG, sniffed by content) with ``payload`` baked in.

    A JWS is stored without surrounding whitespace; JSON is stored exactly as given. Any credential
    already baked into the image is replaced, never duplicated.

    Raises:
        BakingError: unknown image type, unusable payload, or an invalid/unsafe image.
        InputError: the payload is malformed JSON.
        LimitExceeded: the image or payload is beyond badgekit's limits.
    """
    jwt = check_payload(payload, source=source)
    text = payload.strip() if jwt else payload
    if _require(image, source) == "png":
        return png.bake(image, text, source=source)
    from badgekit.baking import svg  # start-up: only an SVG badge loads the SVG reader

    return svg.bake(image, text, is_jwt=jwt, source=source)


class Baker:
    """One badge image made ready once (sniffed, checked and split by :class:`png.Template` or
    :class:`svg.Template`) to bake many credentials into: :meth:`bake` returns what :func:`bake`
    returns for the same image and payload, byte for byte, at a fraction of the cost (issue 18).

    Raises (the constructor): BakingError: unknown image type, or an invalid/unsafe image;
    LimitExceeded: the image is beyond badgekit's limits.
    """

    def __init__(self, image: bytes, *, source: str) -> None:
        self.container: Container = _require(image, source)
        self._template: png.Template | svg.Template
        if self.container == "png":
            self._template = png.Template(image, source=source)
        else:
            from badgekit.baking import svg  # start-up: only an SVG badge loads the SVG reader

            self._template = svg.Template(image, source=source)

    def bake(self, payload: str, *, source: str, is_jwt: bool | None = None) -> bytes:
        """The image with ``payload`` baked in (see :func:`bake`).

        ``is_jwt``: for a payload the caller has just made (an issuing worker's signed text), what
        it is; the payload is then not parsed again. None: checked as :func:`bake` checks it.

        Raises:
            BakingError: an unusable payload (see :func:`bake`).
            InputError: the payload is malformed JSON (only when ``is_jwt`` is None).
            LimitExceeded: the payload, or the baked image, is beyond badgekit's limits.
        """
        jwt = check_payload(payload, source=source) if is_jwt is None else is_jwt
        text = payload.strip() if jwt else payload
        if isinstance(self._template, png.Template):
            return self._template.bake(text, source=source)
        return self._template.bake(text, is_jwt=jwt, source=source)


def extract(data: bytes, *, source: str) -> Extracted:
    """The credential baked into ``data`` (PNG or SVG, sniffed by content).

    Raises:
        BakingError: unknown image type, no credential, two credentials, a compressed or
            malformed credential chunk, bad CRCs, truncation, unsafe XML (DTD subsets, entities).
        LimitExceeded: the image is beyond badgekit's limits.
    """
    kind = _require(data, source)
    if kind == "png":
        found = png.extract(data, source=source)
        return Extracted(found.text, is_jwt(found.text), "png", found.legacy)
    from badgekit.baking import svg  # start-up: only an SVG badge loads the SVG reader

    text = svg.extract(data, source=source)
    return Extracted(text.text, text.is_jwt, "svg", text.legacy)


__all__ = ["Baker", "Extracted", "bake", "check_payload", "detect", "extract", "is_jwt"]

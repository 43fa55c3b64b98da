"""One reader of stored credentials in every form: JSON (Data Integrity proof), a VC-JWT compact
JWS, an SD-JWT VC, or any of them baked into a PNG or SVG badge. ``badgekit verify`` (check 1) and bundling read
credentials here, so they agree on what a file holds.

The form is told by content, never by file name, in one place (:func:`payload_kind`): text that
starts with ``{`` is JSON; text shaped as a compact JWS (three base64url parts) is a VC-JWT;
a compact JWS followed by ``~`` and disclosures is an SD-JWT VC (:mod:`badgekit.sdjwt`); anything
else is refused; a JSON ``EnvelopedVerifiableCredential`` (VCDM 2.0) is read as the
``application/vc+jwt`` in its ``data:`` URL. Every bound applies: the byte size (``max_bytes``),
JSON depth (:func:`badgekit._io.loads_json`), the JWS size, and the number of JSON values
(:data:`badgekit.limits.MAX_JSON_VALUES`).

A credential is named by a path: a file, or one line of a run file (``<file>.jsonl#<line>``, what
``issue --output-mode jsonl`` records as a credential's ``output_path``); :func:`read_path` reads
either, so every command that takes a credential file, or follows the ledger to one, takes both.

    >>> found = read(b'{"id": "urn:uuid:1", "type": ["VerifiableCredential"]}', source="c.json")
    >>> found.form, found.credential["id"]
    ('json', 'urn:uuid:1')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from badgekit import _jsonl, _legacy
from badgekit._io import MAX_INPUT_BYTES, JsonShape, as_list, json_shape, loads_json_shape
from badgekit.errors import InputError, LimitExceeded
from badgekit.limits import MAX_JSON_VALUES

if TYPE_CHECKING:
    from badgekit import baking, jwt, sdjwt

Form = Literal["json", "jwt", "sd-jwt", "png", "svg"]
Kind = Literal["json", "jwt", "sd-jwt"]

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: The type of a VCDM 2.0 enveloped credential (``jwt.ENVELOPED_TYPE``, read by :func:`badgekit.jwt.enveloped`),
#: tested here first: JSON without it never loads the JWT reader (start-up, ADR 10).
_ENVELOPED_TYPE = "EnvelopedVerifiableCredential"


class EnvelopeError(InputError):
    """The bytes hold no credential badgekit can read. ``reason`` is the message without the
    source; ``form`` and ``securing`` say what was learned before it failed (or None)."""

    def __init__(self, reason: str, *, source: str, form: str | None = None, securing: str | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.reason = reason
        self.form = form
        self.securing = securing


class EnvelopeTooLarge(EnvelopeError, LimitExceeded):
    """Beyond a bound: too many bytes, or too many JSON values."""


class UnsupportedEnvelope(EnvelopeError):
    """An ``EnvelopedVerifiableCredential`` of a media type badgekit does not read (e.g. vc+cose)."""


class LegacyBadge(EnvelopeError):
    """An Open Badges 2.0 (or 1.x) assertion, not an OB 3.0 credential: baked with the OB 2.0
    keyword, or JSON / a JWS payload that :func:`badgekit._legacy.is_open_badges_2` recognises.
    ``text``: what was stored, exactly (a hosted assertion's URL, the assertion JSON, or a JWS),
    for the OB 2.0 reader (:mod:`badgekit.ob2`)."""

    def __init__(self, reason: str, *, source: str, form: str | None, text: str) -> None:
        super().__init__(reason, source=source, form=form, securing=None)
        self.text = text
        self.hint = "badgekit verify checks it as Open Badges 2.0; badgekit migrate issues it again as Open Badges 3.0"


def _legacy_reason(form: str) -> str:
    where = f" ({form.upper()})" if form in ("png", "svg") else ""
    return f"an Open Badges 2.0 assertion{where}, not an Open Badges 3.0 credential"


def payload_kind(text: str) -> Kind | None:
    """``"json"`` for text starting with ``{`` (after white space), ``"jwt"`` for a compact JWS,
    ``"sd-jwt"`` for an SD-JWT, None for anything else: the one rule every reader uses."""
    if text.lstrip().startswith("{"):
        return "json"
    from badgekit import jwt  # start-up: only text that is not JSON loads the JWT reader

    if jwt.looks_like_jws(text):
        return "jwt"
    # start-up: only text that is neither JSON nor a compact JWS needs it
    from badgekit import sdjwt

    return "sd-jwt" if sdjwt.looks_like_sd_jwt(text) else None


@dataclass(frozen=True)
class Stored:
    """The credential text found in some bytes, not parsed yet (see :func:`find`)."""

    text: str  # exactly as stored
    kind: Kind
    container: baking.Container | None
    size: int  # bytes read
    source: str
    legacy: bool = False  # an Open Badges 2.0 badge (only when find() was told to accept one)

    @property
    def form(self) -> Form:
        return self.container or self.kind

    def parse(self, *, max_bytes: int = MAX_INPUT_BYTES) -> Envelope:
        """Parse the text: a JSON object, or a compact JWS or SD-JWT and the credential it carries.

        Raises:
            JwtError: a malformed JWS (parts, header, payload, size) or SD-JWT (disclosures).
            LegacyBadge: an Open Badges 2.0 assertion (JSON, or a JWS carrying one).
            InputError: malformed JSON (names the source, line and column), or too deep.
            EnvelopeTooLarge: more than :data:`badgekit.limits.MAX_JSON_VALUES` JSON values.
        """
        jws, sd, processed = None, None, None
        securing: str
        if self.kind == "sd-jwt":
            from badgekit import sdjwt  # start-up: only an SD-JWT VC needs it
            sd = sdjwt.parse(self.text, max_bytes=max_bytes)
            processed = sdjwt.process(sd)
            jws, credential = sd.jws, sdjwt.credential_from_payload(processed.payload)
            securing, text = "sd-jwt-vc", self.text.strip()
            shape = json_shape(credential)
        elif self.kind == "jwt":
            from badgekit import jwt  # start-up: only a VC-JWT loads the JWT reader

            jws = jwt.parse(self.text, max_bytes=max_bytes)
            if _legacy.is_open_badges_2(jws.payload):  # an OB 2.0 signed assertion
                raise LegacyBadge(_legacy_reason(self.form), source=self.source, form=self.form, text=self.text)
            profile = jwt.securing_of(jws.header)
            credential, securing, text = jwt.credential_from_payload(jws.payload, profile), profile, self.text.strip()
            shape = json_shape(credential)
        else:
            doc, shape = loads_json_shape(self.text, source=self.source)
            if not isinstance(doc, dict):  # pragma: no cover - guarded by payload_kind's "{" test
                raise EnvelopeError("the credential is not a JSON object", source=self.source, form=self.form)
            if _legacy.is_open_badges_2(doc):
                raise LegacyBadge(_legacy_reason(self.form), source=self.source, form=self.form, text=self.text)
            credential, securing, text = doc, "embedded-proof", self.text
            if _ENVELOPED_TYPE in as_list(doc.get("type")):  # VCDM 2.0 §4.13: the secured credential is in the data: URL
                from badgekit import jwt  # start-up: only an enveloped credential loads it

                wrapped = jwt.enveloped(doc)
                assert wrapped is not None  # what enveloped() reads first is this type
                media_type, token = wrapped
                if media_type != jwt.VC_JWT_MEDIA_TYPE:
                    raise UnsupportedEnvelope(f"an enveloped credential of media type {media_type}; badgekit reads "
                                              f"{jwt.VC_JWT_MEDIA_TYPE} (not checkable here, not disproven)",
                                              source=self.source, form=self.form)
                jws = jwt.parse(token, max_bytes=max_bytes)
                securing, text = jwt.VC_JOSE, token.strip()
                credential = jwt.credential_from_payload(jws.payload, jwt.VC_JOSE)
                shape = json_shape(credential)
        if shape.values > MAX_JSON_VALUES:  # limits.count_values, counted by the walk that bounded the depth
            raise EnvelopeTooLarge(f"credential has more than {MAX_JSON_VALUES} JSON values; refused",
                                   source=self.source, form=self.form, securing=securing)
        return Envelope(credential, text, self.form, self.container, jws, securing, self.size, shape, sd, processed,
                        enveloped=self.kind == "json" and jws is not None)


@dataclass(frozen=True)
class Envelope:
    """A stored credential, read.

    ``credential``: the credential as JSON (for a VC-JWT, from its claims). ``text``: what was
    stored, exactly (a JWS without surrounding white space; for an ``EnvelopedVerifiableCredential``
    the JWS in its data: URL); signatures are over these bytes. ``form``: json, jwt, sd-jwt, png or
    svg; ``container``: png or svg when baked. ``jws``: the parsed, not yet verified, compact JWS of a
    VC-JWT (of an SD-JWT: its issuer-signed JWT). ``securing``: embedded-proof, vc-jwt (OB 3.0
    VC-JWT), vc+jwt (W3C VC-JOSE-COSE ``application/vc+jwt``, by its ``typ`` or enveloped) or
    sd-jwt-vc. ``shape``: what one walk of ``credential`` found (:class:`badgekit._io.JsonShape`).
    ``sd`` and ``processed``: an SD-JWT's parts and its claims with the presented disclosures put
    back (:mod:`badgekit.sdjwt`).
    """

    credential: dict[str, Any]
    text: str
    form: Form
    container: baking.Container | None
    jws: jwt.CompactJws | None
    securing: str
    size: int
    shape: JsonShape
    sd: sdjwt.SdJwt | None = None
    processed: sdjwt.Processed | None = None
    enveloped: bool = False  # the JWS came from an EnvelopedVerifiableCredential's data: URL


def find(data: bytes, *, source: str, max_bytes: int = MAX_INPUT_BYTES, legacy_ok: bool = False) -> Stored:
    """The credential text in ``data``: the bytes themselves (UTF-8, a BOM allowed), or what is
    baked into a PNG or SVG image (with ``legacy_ok``, an Open Badges 2.0 one too).

    Raises:
        EnvelopeTooLarge: more than ``max_bytes``.
        EnvelopeError: an image badgekit cannot read, text that is not UTF-8, or neither a JSON
            object nor a compact JWS or SD-JWT.
        LegacyBadge: a badge baked the OB 2.0 way (``openbadges`` keyword, ``openbadges:assertion``).
        BakingError, LimitExceeded: a damaged or hostile image (see :func:`badgekit.baking.extract`).
    """
    if len(data) > max_bytes:
        raise EnvelopeTooLarge(f"input is {len(data)} bytes, larger than the {max_bytes} accepted", source=source)
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    container = None
    legacy = False
    if data.startswith(_PNG_MAGIC) or head.startswith(b"<"):
        from badgekit import baking  # start-up: only a baked image needs it
        container = baking.detect(data)
        if container is None:
            raise EnvelopeError("not a PNG or SVG badge image badgekit can read", source=source)
        extracted = baking.extract(data, source=source)
        if extracted.legacy and not legacy_ok:
            raise LegacyBadge(_legacy_reason(container), source=source, form=container, text=extracted.payload)
        text, legacy = extracted.payload, extracted.legacy
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise EnvelopeError(f"not UTF-8 text (byte {exc.start}) and not a PNG or SVG image", source=source) from None
    kind = payload_kind(text)
    if kind is None:
        raise EnvelopeError("not a JSON credential, a compact JWS, an SD-JWT, or a baked PNG/SVG badge", source=source,
                            form=container or "json")
    return Stored(text, kind, container, len(data), source, legacy)


def read(data: bytes, *, source: str, max_bytes: int = MAX_INPUT_BYTES) -> Envelope:
    """:func:`find` then :meth:`Stored.parse`: the credential stored in ``data``, in any form.

    Raises: see :func:`find` and :meth:`Stored.parse` (all are :class:`InputError`).
    """
    return find(data, source=source, max_bytes=max_bytes).parse(max_bytes=max_bytes)


def read_path(ref: str | os.PathLike[str], *, max_bytes: int = MAX_INPUT_BYTES) -> Envelope:
    """The credential a path names, read: a credential file (any form :func:`find` reads) or line
    ``N`` of a run file, ``<file>.jsonl#N`` (see :func:`badgekit._jsonl.read_ref`).

    Raises: InputError: no such file or line, or unreadable; and see :func:`read`.
    """
    name = os.fspath(ref)
    return read(_jsonl.read_ref(name, max_bytes=max_bytes), source=name, max_bytes=max_bytes)


__all__ = ["Envelope", "EnvelopeError", "EnvelopeTooLarge", "Form", "LegacyBadge", "Stored", "UnsupportedEnvelope",
           "find", "payload_kind", "read", "read_path"]

"""Baked SVG badges: an ``openbadges:credential`` element as the first child of the root.

OB 3.0 "Baked Badge" (SVG): the root declares ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"``
and directly after the ``<svg ...>`` start tag comes one ``<openbadges:credential>``: for a VC-JWT
the compact JWS goes in its ``verify`` attribute and the body is empty; otherwise the JSON
credential is the body, in ``<![CDATA[...]]>``.

Safety: the document is parsed with defusedxml, which refuses entity declarations (so no
billion-laughs expansion and no external entities) and external references; badgekit also refuses
a DOCTYPE with an internal subset. A bare ``<!DOCTYPE svg PUBLIC ... "...svg11.dtd">`` (as
Illustrator and 1EdTech's samples write it) is tolerated because expat never loads it.

Baking edits the bytes rather than re-serialising the tree: the parser only finds where the root
start tag ends and where old credential elements are, so comments, whitespace, attribute order
and everything else in the file stay exactly as they were. Baking twice gives the same file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from badgekit._io import MAX_INPUT_BYTES
from badgekit._legacy import is_http_url
from badgekit.errors import BakingError, LimitExceeded, NoBakedCredential

NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
#: OB 2.0's namespace and element (``openbadges:assertion``), read as legacy, dropped on baking.
LEGACY_NAMESPACE = "http://openbadges.org"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
PREFIX = "openbadges"
_CREDENTIAL = f"{{{NAMESPACE}}}credential"
_LEGACY = f"{{{LEGACY_NAMESPACE}}}assertion"
#: Most elements read in one SVG: a detailed illustration has tens of thousands; millions of
#: empty ones (4 bytes each) would cost seconds of parsing for nothing.
MAX_ELEMENTS = 500_000
_XML_DECL_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# Characters XML 1.0 forbids even inside CDATA.
_NOT_XML_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_JWS_TEXT = re.compile(r"[A-Za-z0-9_\-.~]+")  # a compact JWS, or an SD-JWT (JWS~disclosures~)


@dataclass(frozen=True)
class BadgeText:
    """The credential found in an SVG: text, whether it came from ``verify`` (JWT), legacy OB 2.0."""

    text: str
    is_jwt: bool
    legacy: bool = False


@dataclass
class _Element:
    tag: str
    start: int
    attrib: dict[str, str]
    depth: int
    end: int = -1
    text: list[str] = field(default_factory=list)
    has_children: bool = False


class _Locator:
    """ElementTree parser target that records byte offsets instead of building a tree."""

    def __init__(self) -> None:
        self.parser: Any = None
        self.depth = 0
        self.root: _Element | None = None
        self.root_ns: dict[str, str] = {}
        self._pending_ns: dict[str, str] = {}
        self.badges: list[_Element] = []
        self._open: _Element | None = None
        self.elements = 0

    def start_ns(self, prefix: str, uri: str) -> None:
        if self.root is None:
            self._pending_ns[prefix] = uri

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        pos = self.parser.CurrentByteIndex
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise LimitExceeded(f"more than {MAX_ELEMENTS:,} SVG elements, refused")
        if self._open is not None:
            self._open.has_children = True
        if self.root is None:
            self.root = _Element(tag, pos, dict(attrib), 0)
            self.root_ns = self._pending_ns
        elif tag in (_CREDENTIAL, _LEGACY) and self._open is None:
            self._open = _Element(tag, pos, dict(attrib), self.depth)
            self.badges.append(self._open)
        self.depth += 1

    def end(self, tag: str) -> None:
        self.depth -= 1
        if self._open is not None and self.depth == self._open.depth:
            self._open.end = self.parser.CurrentByteIndex
            self._open = None

    def data(self, text: str) -> None:
        if self._open is not None and self.depth == self._open.depth + 1:
            self._open.text.append(text)

    def close(self) -> None:
        return None


def is_svg(data: bytes) -> bool:
    """Cheap sniff: XML-looking text whose first bytes contain an ``svg`` start tag."""
    head = data[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and re.search(rb"<([A-Za-z_][\w.-]*:)?svg[\s>/]", head) is not None


def _locate(svg: bytes, *, source: str) -> _Locator:
    if len(svg) > MAX_INPUT_BYTES:
        raise LimitExceeded(f"{source}: SVG larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB, refused")
    # Imported here: defusedxml re-imports ElementTree's pure-Python parser, which costs start-up time.
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    target = _Locator()
    parser = DefusedXMLParser(target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    target.parser = parser.parser

    def doctype(name: str, sysid: str | None, pubid: str | None, has_internal_subset: int) -> None:
        if has_internal_subset:
            raise BakingError(f"{source}: SVG has a DOCTYPE with an internal subset (entity declarations); refused")

    parser.parser.StartDoctypeDeclHandler = doctype
    try:
        parser.feed(svg)
        parser.close()
    except BakingError:
        raise
    except LimitExceeded as exc:
        raise LimitExceeded(f"{source}: {exc.message}") from None
    except LookupError as exc:  # an encoding Python does not know, named in the XML declaration
        raise BakingError(f"{source}: cannot parse SVG: {exc}") from None
    except DefusedXmlException as exc:
        raise BakingError(f"{source}: SVG declares entities or external references ({type(exc).__name__}); refused") from None
    except ParseError as exc:
        raise BakingError(f"{source}: not well-formed XML: {exc}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise BakingError(f"{source}: cannot parse SVG: {exc}") from None
    root = target.root
    if root is None or root.tag not in (f"{{{SVG_NAMESPACE}}}svg", "svg"):
        found = root.tag if root is not None else "nothing"
        raise BakingError(f"{source}: the root element is {found}, not an SVG <svg>")
    return target


def extract(svg: bytes, *, source: str) -> BadgeText:
    """The credential baked into ``svg``: the ``verify`` JWS, or the element's text exactly.

    Raises:
        BakingError: unsafe or malformed XML, no credential (:class:`NoBakedCredential`), more than one credential element
            (an OB 2.0 ``openbadges:assertion`` one included),
            a credential element with both ``verify`` and a body, or child elements.
        LimitExceeded: the SVG is larger than badgekit reads.
    """
    found = _locate(svg, source=source).badges
    current = [e for e in found if e.tag == _CREDENTIAL]
    legacy = [e for e in found if e.tag == _LEGACY]
    if not found:
        raise NoBakedCredential(f"{source}: no baked credential (no <openbadges:credential> element in {NAMESPACE})")
    for group in (current, legacy):
        if len(group) > 1:
            raise BakingError(
                f"{source}: {len(group)} <openbadges:{group[0].tag.split('}')[1]}> elements; a baked badge carries exactly one"
            )
    if current and legacy:
        # OB 2.0 readers would see the assertion, OB 3.0 readers the credential: refused as two.
        raise BakingError(
            f"{source}: an <openbadges:credential> and an OB 2.0 <openbadges:assertion> element; "
            "a baked badge carries exactly one credential"
        )
    element = (current or legacy)[0]
    is_legacy = not current
    name = "<openbadges:assertion>" if is_legacy else "<openbadges:credential>"
    if element.has_children:
        raise BakingError(f"{source}: {name} contains child elements; expected only text")
    body = "".join(element.text)
    verify = element.attrib.get("verify")
    if verify is not None and is_legacy and is_http_url(verify.strip()):
        if not body.strip():
            return BadgeText(verify.strip(), False, True)  # OB 2.0 hosted assertion named by its URL alone
        verify = None  # OB 2.0 hosted assertion: the body carries the assertion JSON
    if verify is not None:
        if body.strip():
            raise BakingError(f"{source}: {name} has both a verify attribute and a body; expected one")
        jws = verify.strip()
        if not jws:
            raise BakingError(f"{source}: {name} has an empty verify attribute")
        return BadgeText(jws, True, is_legacy)
    if not body.strip():
        raise BakingError(f"{source}: {name} is empty")
    return BadgeText(body, False, is_legacy)


def _start_tag_end(svg: bytes, pos: int) -> tuple[int, bool]:
    """Offset just past the start tag at ``pos``, and whether it is self-closing (``/>``)."""
    quote = 0
    i = pos + 1
    n = len(svg)
    while i < n:
        c = svg[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x3E:  # >
            return i + 1, svg[i - 1] == 0x2F  # /
        i += 1
    raise BakingError("unterminated start tag")  # unreachable: the parser accepted the document


def cdata(text: str) -> str:
    """``text`` as CDATA that parses back to exactly ``text`` (``]]>`` split, CR kept)."""
    body = text.replace("]]>", "]]]]><![CDATA[>")
    # Parsers turn CR and CRLF into LF even in CDATA; a character reference between sections keeps it.
    body = body.replace("\r", "]]>&#13;<![CDATA[")
    return f"<![CDATA[{body}]]>"


def credential_element(payload: str, *, is_jwt: bool, declare_namespace: bool = False) -> str:
    """The ``<openbadges:credential>`` element for ``payload``."""
    ns = f' xmlns:{PREFIX}="{NAMESPACE}"' if declare_namespace else ""
    if is_jwt:
        # A compact JWS (or SD-JWT) is base64url, dots and tildes only: no escaping in an attribute.
        return f'<{PREFIX}:credential{ns} verify="{payload}"></{PREFIX}:credential>'
    return f"<{PREFIX}:credential{ns}>{cdata(payload)}</{PREFIX}:credential>"


def bake(svg: bytes, payload: str, *, is_jwt: bool, source: str) -> bytes:
    """``svg`` with ``payload`` as the first child of the root; earlier credentials are removed.

    Raises:
        BakingError: unsafe or malformed SVG, not UTF-8, or a payload with characters XML forbids.
        LimitExceeded: the SVG is larger than badgekit reads.
    """
    _check_payload(payload, is_jwt=is_jwt, source=source)
    _require_utf8(svg, source=source)
    found = _locate(svg, source=source)
    root = found.root
    assert root is not None
    tag_end, self_closing = _start_tag_end(svg, root.start)
    bound = found.root_ns.get(PREFIX)
    declare_on_root = bound is None
    declare_on_element = bound is not None and bound != NAMESPACE
    element = credential_element(payload, is_jwt=is_jwt, declare_namespace=declare_on_element).encode("utf-8")

    out = svg
    # Edit from the end of the file backwards so earlier offsets stay valid; the root start tag
    # comes before every credential element, so out[:tag_end] is untouched.
    for old in sorted(found.badges, key=lambda e: e.start, reverse=True):
        out = out[: old.start] + out[_element_end(svg, old) :]
    decl = f' xmlns:{PREFIX}="{NAMESPACE}"'.encode() if declare_on_root else b""
    if self_closing:  # <svg .../>  ->  <svg ...>ELEMENT</svg>
        name = re.match(rb"<([^\s/>]+)", svg[root.start : tag_end])
        assert name is not None
        return out[: tag_end - 2] + decl + b">" + element + b"</" + name.group(1) + b">" + out[tag_end:]
    return out[: tag_end - 1] + decl + b">" + element + out[tag_end:]


def _check_payload(payload: str, *, is_jwt: bool, source: str) -> None:
    if _NOT_XML_CHAR.search(payload):
        raise BakingError(f"{source}: the credential contains characters that XML cannot carry")
    if is_jwt and not _JWS_TEXT.fullmatch(payload):
        raise BakingError(f"{source}: the JWT is not a compact JWS")


class Template:
    """An SVG parsed and split once, to bake many credentials into (``issue --bake``): the part
    before the credential element (the root start tag, with the namespace declared if need be) and
    the part after it, earlier credentials removed. :meth:`bake` gives what :func:`bake` gives for
    the same image, byte for byte (the differential tests in tests/unit/test_baking_fast.py),
    without parsing the XML again for each credential.

    Raises (the constructor): BakingError: unsafe or malformed SVG, or not UTF-8;
    LimitExceeded: larger than badgekit reads.
    """

    def __init__(self, svg: bytes, *, source: str) -> None:
        _require_utf8(svg, source=source)
        found = _locate(svg, source=source)
        root = found.root
        assert root is not None
        tag_end, self_closing = _start_tag_end(svg, root.start)
        bound = found.root_ns.get(PREFIX)
        self._declare_on_element = bound is not None and bound != NAMESPACE
        decl = f' xmlns:{PREFIX}="{NAMESPACE}"'.encode() if bound is None else b""
        rest = bytearray(svg[tag_end:])
        for old in sorted(found.badges, key=lambda e: e.start, reverse=True):  # all inside the root
            del rest[old.start - tag_end : _element_end(svg, old) - tag_end]
        if self_closing:  # <svg .../>  ->  <svg ...>ELEMENT</svg>
            name = re.match(rb"<([^\s/>]+)", svg[root.start : tag_end])
            assert name is not None
            self._head = svg[: tag_end - 2] + decl + b">"
            self._tail = b"</" + name.group(1) + b">" + bytes(rest)
        else:
            self._head = svg[: tag_end - 1] + decl + b">"
            self._tail = bytes(rest)

    def bake(self, payload: str, *, is_jwt: bool, source: str) -> bytes:
        """This image with ``payload`` as the first child of the root (see :func:`bake`).

        Raises:
            BakingError: a payload with characters XML forbids, or a JWT that is not a compact JWS.
        """
        _check_payload(payload, is_jwt=is_jwt, source=source)
        element = credential_element(payload, is_jwt=is_jwt, declare_namespace=self._declare_on_element)
        return b"".join((self._head, element.encode("utf-8"), self._tail))


def _element_end(svg: bytes, element: _Element) -> int:
    tag_end, self_closing = _start_tag_end(svg, element.start)
    if self_closing:
        return tag_end
    return svg.index(b">", element.end) + 1


def _require_utf8(svg: bytes, *, source: str) -> None:
    m = _XML_DECL_ENCODING.match(svg[:200])
    if m and m.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii"):
        raise BakingError(f"{source}: SVG is encoded as {m.group(1).decode()}; badgekit bakes UTF-8 SVG only")
    try:
        svg.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError(f"{source}: SVG is not UTF-8 (byte {exc.start})") from None

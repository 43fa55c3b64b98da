"""The ``ecdsa-sd-2023`` cryptosuite (W3C VC-DI-ECDSA 1.0 §3.4-3.6): ECDSA P-256 with selective
disclosure.

An issuer signs a *base proof* and gives it to the holder: the document's RDFC-1.0 canonical
N-Quads, blank nodes relabelled with an HMAC of their canonical label, are split into the
mandatory statements (chosen by JSON pointers) and the others; each other statement is signed
with a proof-scoped ("ephemeral") P-256 key, and the issuer's key signs ``proofHash ‖ ephemeral
public key ‖ hash(mandatory statements)``. The holder derives a *derived proof* disclosing the
statements they choose; it carries the base signature, the ephemeral key, the signatures of the
disclosed non-mandatory statements, the HMAC labels of the disclosed blank nodes (a compressed
"label map") and the positions of the mandatory statements among the disclosed ones. A verifier
checks a derived proof (:func:`derived_proof_problem`): base proofs are for holders.

``proofValue`` is multibase base64url (``u…``) of a 3-byte header (``0xd9 0x5d 0x00`` base,
``0xd9 0x5d 0x01`` derived: a CBOR tag) and an untagged CBOR array. CBOR is read with ``cbor2``,
loaded with this module, which :mod:`badgekit.proof` imports only when it meets such a proof.
This module works on canonical N-Quads and hashes; the JSON-LD steps stay in :mod:`badgekit.proof`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import hmac
import io
import re
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cbor2

from badgekit import cryptosuites, did, jsonld, limits
from badgekit.keys import EcdsaKey

NAME = "ecdsa-sd-2023"
BASE_HEADER, DERIVED_HEADER = cryptosuites.SD_BASE_HEADER, cryptosuites.SD_DERIVED_HEADER
#: The multikey header of a P-256 public key (multicodec 0x1200 as a varint).
P256_MULTIKEY_HEADER = b"\x80\x24"
#: Bounds on what a proofValue is read for (:mod:`badgekit.cryptosuites`, which checks proofs first).
MAX_STATEMENTS = cryptosuites.SD_MAX_STATEMENTS
MAX_PROOF_VALUE_CHARS = cryptosuites.SD_MAX_PROOF_VALUE_CHARS
#: Mandatory pointers a base proof may name (each selects a part of the credential, copied).
MAX_POINTERS = 1_000
MAX_INTEGER = 2**53 - 1  # largest label number or statement index read: JavaScript's safe integers
MAX_ARRAY = 1_000  # longest array grouped: PyLD's RDF conversion is quadratic in it (2,000 entries: 6 s)

_B64URL = re.compile(r"[A-Za-z0-9_-]*\Z")
_C14N_LABEL = re.compile(r"_:(c14n[0-9]+)")
_ANY_LABEL = re.compile(r"_:([^\s]+)")
_SKOLEM = re.compile(r"<urn:bnid:([^>]+)>")
_POINTER_INDEX = re.compile(r"(?:0|[1-9][0-9]{0,15})\Z")  # RFC 6901 array index (ASCII, no leading 0); else a name
SKOLEM_PREFIX = "urn:bnid:"


class SdProofError(ValueError):
    """A ``proofValue`` that is not an ``ecdsa-sd-2023`` proof value of the expected kind."""


@dataclass(frozen=True)
class DerivedProofValue:
    """The five components of a derived proof value, the label map decompressed
    (``c14nN`` → ``u`` + base64url of its HMAC label)."""

    base_signature: bytes
    public_key: bytes  # multikey bytes: 0x80 0x24 ‖ compressed P-256 point (35 bytes)
    signatures: tuple[bytes, ...]
    label_map: Mapping[str, str]
    mandatory_indexes: tuple[int, ...]


@dataclass(frozen=True)
class BaseProofValue:
    """The five components of a base proof value (what only the holder has)."""

    base_signature: bytes
    public_key: bytes
    hmac_key: bytes
    signatures: tuple[bytes, ...]
    mandatory_pointers: tuple[str, ...]


@dataclass(frozen=True)
class VerifyData:
    """What the verification of a derived proof compares (VC-DI-ECDSA ``createVerifyData``), with
    the relabelled statements, so tests can reproduce each intermediate value."""

    base_signature: bytes
    proof_hash: bytes
    public_key: bytes
    signatures: tuple[bytes, ...]
    nquads: tuple[str, ...]
    mandatory: tuple[str, ...]
    non_mandatory: tuple[str, ...]
    mandatory_hash: bytes


# ---------------------------------------------------------------------------------------------
# proofValue


def parse_derived_proof_value(value: Any) -> DerivedProofValue:
    """The components of a derived proof value (``parseDerivedProofValue``), checked as the
    specification lists them: a 64-byte base signature, a 35-byte P-256 multikey, 64-byte
    signatures, a map of integers to 32-byte labels and an array of integers.

    Raises:
        SdProofError: anything else, saying what.
    """
    items = _components(value, DERIVED_HEADER, "derived")
    base_signature, public_key, signatures, compressed, indexes = items
    _check_bytes(base_signature, 64, "the base signature")
    _check_public_key(public_key)
    sigs = _signatures(signatures)
    if not isinstance(compressed, Mapping):
        raise SdProofError("its label map is not a CBOR map")
    label_map: dict[str, str] = {}
    for k, v in compressed.items():
        if not _is_index(k):
            raise SdProofError(f"its label map has a key that is not a non-negative integer (at most {MAX_INTEGER})")
        _check_bytes(v, 32, f"label {k}")
        label_map[f"c14n{k}"] = "u" + _b64url(_plain(v))
    if not isinstance(indexes, list) or not all(_is_index(i) for i in indexes):
        raise SdProofError(f"its mandatory indexes are not an array of integers from 0 to {MAX_INTEGER}")
    return DerivedProofValue(_plain(base_signature), _plain(public_key), sigs, label_map, tuple(indexes))


def parse_base_proof_value(value: Any) -> BaseProofValue:
    """The components of a base proof value (``parseBaseProofValue``).

    Raises:
        SdProofError: not a base proof value, or components of the wrong shape.
    """
    base_signature, public_key, hmac_key, signatures, pointers = _components(value, BASE_HEADER, "base")
    _check_bytes(base_signature, 64, "the base signature")
    _check_public_key(public_key)
    _check_bytes(hmac_key, 32, "the HMAC key")
    if not isinstance(pointers, list) or not all(isinstance(p, str) for p in pointers):
        raise SdProofError("its mandatory pointers are not an array of strings")
    if len(pointers) > MAX_POINTERS:
        raise SdProofError(f"it has {len(pointers):,} mandatory pointers; badgekit reads at most {MAX_POINTERS:,}")
    return BaseProofValue(_plain(base_signature), _plain(public_key), _plain(hmac_key), _signatures(signatures),
                          tuple(pointers))


def serialize_base_proof_value(value: BaseProofValue) -> str:
    """``u…``: the base proof value of ``value`` (``serializeBaseProofValue``)."""
    payload = [value.base_signature, value.public_key, value.hmac_key, list(value.signatures),
               list(value.mandatory_pointers)]
    return "u" + _b64url(BASE_HEADER + cbor2.dumps(payload))


def serialize_derived_proof_value(value: DerivedProofValue) -> str:
    """``u…``: the derived proof value of ``value`` (``serializeDerivedProofValue``)."""
    compressed = {int(k[4:]): _b64url_decode(v[1:]) for k, v in value.label_map.items()}
    payload = [value.base_signature, value.public_key, list(value.signatures), compressed,
               list(value.mandatory_indexes)]
    return "u" + _b64url(DERIVED_HEADER + cbor2.dumps(payload))


def _is_index(value: Any) -> bool:  # a label number or statement index
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_INTEGER


def _components(value: Any, header: bytes, kind: str) -> list[Any]:
    raw = _decode_multibase(value)
    if raw[:3] != header:
        other = {BASE_HEADER: "a base", DERIVED_HEADER: "a derived"}.get(raw[:3])
        raise SdProofError(f"it is {other} proof value, not a {kind} one" if other
                           else f"it does not start with the {kind} proof header 0x{header.hex()}")
    stream = io.BytesIO(raw[3:])
    try:
        items = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, TypeError, RecursionError, MemoryError, OverflowError) as exc:
        raise SdProofError(f"its CBOR cannot be decoded ({str(exc)[:80] or type(exc).__name__})") from None
    extra = len(raw) - 3 - stream.tell()
    if extra:  # one CBOR item, as the reference implementation (cborg) reads it: nothing after it
        raise SdProofError(f"it has {extra:,} byte{'s' if extra > 1 else ''} after its CBOR array")
    if not isinstance(items, list) or len(items) != 5:
        raise SdProofError("its CBOR is not an array of five components")
    return items


def _decode_multibase(value: Any) -> bytes:
    if not isinstance(value, str) or not value.startswith("u"):
        raise SdProofError("it is not multibase base64url (it must start with 'u')")
    if len(value) > MAX_PROOF_VALUE_CHARS:
        raise SdProofError(f"it is {len(value):,} characters long; badgekit reads at most {MAX_PROOF_VALUE_CHARS:,} "
                           f"({MAX_STATEMENTS:,} statements)")
    return _b64url_decode(value[1:])


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not _B64URL.match(text) or len(text) % 4 == 1:
        raise SdProofError("it is not valid unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise SdProofError("it is not valid unpadded base64url") from None


def _plain(value: Any) -> bytes:
    """A CBOR byte string, or a Uint8Array typed array (tag 64, which some encoders write)."""
    if isinstance(value, cbor2.CBORTag) and value.tag == 64:
        value = value.value
    return bytes(value) if isinstance(value, (bytes, bytearray)) else b""


def _check_bytes(value: Any, size: int, what: str) -> None:
    tagged = isinstance(value, cbor2.CBORTag) and value.tag == 64
    if not (isinstance(value, (bytes, bytearray)) or tagged) or len(_plain(value)) != size:
        raise SdProofError(f"{what} is not a byte string of {size} bytes")


def _check_public_key(value: Any) -> None:
    _check_bytes(value, 35, "the proof-scoped public key")
    raw = _plain(value)
    if raw[:2] != P256_MULTIKEY_HEADER or raw[2] not in (2, 3):
        raise SdProofError("the proof-scoped public key is not a compressed P-256 multikey (0x8024)")


def _signatures(value: Any) -> tuple[bytes, ...]:
    if not isinstance(value, list):
        raise SdProofError("its signatures are not an array")
    if len(value) > MAX_STATEMENTS:
        raise SdProofError(f"it has {len(value):,} signatures; badgekit reads at most {MAX_STATEMENTS:,}")
    for n, sig in enumerate(value, start=1):
        _check_bytes(sig, 64, f"signature {n}")
    return tuple(_plain(s) for s in value)


# ---------------------------------------------------------------------------------------------
# statements


def relabel(canonical_nquads: str, label_map: Mapping[str, str], *, labels: re.Pattern[str] = _C14N_LABEL) -> list[str]:
    """The canonical N-Quads (``_:c14nN`` labels) with every blank node relabelled ``_:`` +
    ``label_map["c14nN"]``, one string per statement (newline included), sorted by code point
    (``labelReplacementCanonicalizeNQuads``). Only blank node terms are relabelled, never text
    inside a literal.

    Raises:
        SdProofError: a blank node has no label in ``label_map``.
    """
    lines = canonical_nquads.splitlines(keepends=True)
    out = []
    for line in lines:
        terms = _blank_node_spans(line, labels)
        if not terms:
            out.append(line)
            continue
        parts, last = [], 0
        for start, end in terms:
            old = line[start + 2:end]
            new = label_map.get(old)
            if new is None:
                raise SdProofError(f"the label map has no label for the blank node _:{old}")
            parts += [line[last:start], "_:", new]
            last = end
        parts.append(line[last:])
        out.append("".join(parts))
    return sorted(out)


def _blank_node_spans(line: str, labels: re.Pattern[str] = _C14N_LABEL) -> list[tuple[int, int]]:
    """Where the blank node terms of one canonical N-Quad line are: subject, object, graph (never
    inside a literal, whose text may contain anything)."""
    spans = []
    m = labels.match(line)
    if m:
        spans.append(m.span())
    pos = line.index(" ", line.index(" ") + 1) + 1  # after subject and predicate (no spaces in either)
    if line.startswith('"', pos):
        pos += 1
        while line[pos] != '"':
            pos += 2 if line[pos] == "\\" else 1
        pos += 1
        while line[pos] != " ":  # datatype IRI or language tag: no spaces
            pos += 1
    else:
        m = labels.match(line, pos)
        if m:
            spans.append(m.span())
        pos = line.index(" ", pos)
    m = labels.match(line, pos + 1)
    if m:
        spans.append(m.span())
    return spans


def utf16_order(lines: Iterable[str]) -> list[str]:
    """``lines`` sorted by UTF-16 code units, as JavaScript sorts strings: the Digital Bazaar
    implementation orders the relabelled statements so, which differs from code point order only
    when a statement has a character beyond U+FFFF where another has one from U+E000 to U+FFFF."""
    return sorted(lines, key=lambda s: s.encode("utf-16-be"))


def hash_mandatory(mandatory: Sequence[str]) -> bytes:
    """SHA-256 of the joined mandatory statements (``hashMandatoryNQuads``)."""
    return hashlib.sha256("".join(mandatory).encode("utf-8")).digest()


def sign_data(proof_hash: bytes, public_key: bytes, mandatory_hash: bytes) -> bytes:
    """What the issuer's key signs: ``proofHash ‖ publicKey ‖ mandatoryHash`` (``serializeSignData``)."""
    return proof_hash + public_key + mandatory_hash


# ---------------------------------------------------------------------------------------------
# verification


def create_verify_data(canonical_document: str, proof_hash: bytes, proof_value: str, *,
                       order: str = "codepoint") -> VerifyData:
    """``createVerifyData`` from the document's canonical N-Quads (``_:c14nN`` labels) and the
    proof configuration's hash; ``order="utf16"`` sorts the statements as JavaScript does.

    Raises:
        SdProofError: the proof value cannot be parsed, or does not label every blank node.
    """
    parsed = parse_derived_proof_value(proof_value)
    nquads = relabel(canonical_document, parsed.label_map)
    if order == "utf16":
        nquads = utf16_order(nquads)
    wanted = set(parsed.mandatory_indexes)
    mandatory = tuple(nq for i, nq in enumerate(nquads) if i in wanted)
    non_mandatory = tuple(nq for i, nq in enumerate(nquads) if i not in wanted)
    return VerifyData(parsed.base_signature, proof_hash, parsed.public_key, parsed.signatures, tuple(nquads),
                      mandatory, non_mandatory, hash_mandatory(mandatory))


def derived_proof_problem(canonical_document: str, proof_hash: bytes, proof_value: str, issuer_key: bytes) -> str | None:
    """Why the derived ``proof_value`` does not verify for the document whose canonical N-Quads
    are ``canonical_document``, with the issuer's P-256 key ``issuer_key`` (33-byte compressed
    point), or None when it verifies (VC-DI-ECDSA "Verify Derived Proof (ecdsa-sd-2023)").
    A base proof value is refused: see :func:`base_proof_problem`."""
    try:
        first = create_verify_data(canonical_document, proof_hash, proof_value)
    except SdProofError as exc:
        return f"the {NAME} proofValue is not usable: {exc}"
    problem = _verify_problem(first, issuer_key)
    if (problem and utf16_order(first.nquads) != list(first.nquads)
            and _verify_problem(create_verify_data(canonical_document, proof_hash, proof_value, order="utf16"),
                                issuer_key) is None):
        return None  # signed by an implementation that sorts as JavaScript does
    return problem


def _verify_problem(data: VerifyData, issuer_key: bytes) -> str | None:
    if len(data.signatures) != len(data.non_mandatory):
        return (f"the proof signs {len(data.signatures)} disclosed statement(s) but the credential has "
                f"{len(data.non_mandatory)} non-mandatory statement(s): statements were added or removed")
    if not cryptosuites.verify_signature("P-256", issuer_key, data.base_signature,
                                         sign_data(data.proof_hash, data.public_key, data.mandatory_hash)):
        return ("the base signature does not match the proof options and mandatory statements (altered after "
                "signing, or signed with another key)")
    ephemeral = data.public_key[2:]
    for n, (sig, nq) in enumerate(zip(data.signatures, data.non_mandatory, strict=True), start=1):
        if not cryptosuites.verify_signature("P-256", ephemeral, sig, nq.encode("utf-8")):
            return f"the signature of disclosed statement {n} does not match it (altered after signing)"
    return None


def public_key_multibase(public_key: bytes) -> str:
    """``zDn…``: the proof-scoped key of a proof value as a Multikey string."""
    return "z" + did.b58encode(public_key)


# ---------------------------------------------------------------------------------------------
# base proofs: statements grouped by JSON pointer (canonicalizeAndGroup, selectJsonLd)


#: Selectively disclosable unless the badge class says otherwise (``badgekit.disclose``, read as for
#: SD-JWT VC: its default less the identifier): results and evidence; the rest is mandatory.
DEFAULT_DISCLOSABLE = ("/credentialSubject/result", "/evidence")
#: Mandatory whatever the badge class says: a disclosure without it names no recipient (check 2).
ALWAYS_MANDATORY = ("/credentialSubject/identifier",)


def disclosable_pointers(members: Iterable[str]) -> tuple[str, ...]:
    """JSON pointers of badge-class ``disclose`` members (``credentialSubject.result`` becomes
    ``/credentialSubject/result``), less :data:`ALWAYS_MANDATORY`."""
    pointers = ("/" + "/".join(_escape(part) for part in member.split(".")) for member in members)
    return tuple(p for p in pointers if p not in ALWAYS_MANDATORY)


def default_mandatory_pointers(document: Mapping[str, Any], disclosable: Sequence[str] = DEFAULT_DISCLOSABLE) -> list[str]:
    """JSON pointers to every member of ``document`` (and of its ``credentialSubject``) except the
    ``disclosable`` ones: what a holder must always disclose."""
    out: list[str] = []
    subject = document.get("credentialSubject")
    for key in document:
        if key in ("@context", "proof") or f"/{_escape(key)}" in disclosable:
            continue
        if key == "credentialSubject" and isinstance(subject, Mapping):
            out += [f"/credentialSubject/{_escape(k)}" for k in subject
                    if f"/credentialSubject/{_escape(k)}" not in disclosable]
        else:
            out.append(f"/{_escape(key)}")
    return out


@dataclass(frozen=True)
class Grouped:
    """A document's statements relabelled with HMAC'd labels and sorted, and which are mandatory."""

    nquads: tuple[str, ...]
    mandatory: frozenset[int]
    canonical_document: str


def group(document: Mapping[str, Any], hmac_key: bytes, pointers: Sequence[str], *,
          loader: Callable[..., Any] | None = None) -> Grouped:
    """``canonicalizeAndGroup`` for the one group "mandatory": the document skolemized (every
    node named ``urn:bnid:…``), its statements canonicalised and relabelled with
    HMAC-SHA-256(``hmac_key``, canonical label), and the statements of the JSON-LD selected by
    ``pointers`` (with the ``id`` and ``type`` of every node on the way, as the specification's
    selectJsonLd does) found among them. Sorted as JavaScript sorts strings, as the Digital
    Bazaar implementation does (a holder's derivation pairs signatures with statements by position).

    Raises:
        SdProofError: a pointer that does not match the document.
        DocumentLoaderError, JsonLdError, LimitExceeded: from JSON-LD processing.
    """
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    if (longest := limits.longest_array(unsecured)) > MAX_ARRAY:
        raise SdProofError(f"the credential has an array of {longest:,} entries; base proofs are grouped with at most {MAX_ARRAY:,}")
    expanded = _skolemize(jsonld.expand(unsecured, loader=loader), [secrets.token_hex(8), 0])
    compact = jsonld.compact(expanded, unsecured.get("@context"), loader=loader)
    canonical, issued = jsonld.canonize_nquads("".join(_deskolemize(jsonld.to_nquads(expanded, loader=loader))))
    hmac_labels = {c14n: "u" + _b64url(hmac.new(hmac_key, c14n.encode("utf-8"), hashlib.sha256).digest())
                   for c14n in issued.values()}
    nquads = utf16_order(relabel(canonical, hmac_labels))
    selected: set[str] = set()
    if pointers:
        selection = _select(compact, pointers)
        by_input = {old: hmac_labels[new] for old, new in issued.items()}
        selected = set(relabel("".join(_deskolemize(jsonld.to_nquads(selection, loader=loader))), by_input,
                               labels=_ANY_LABEL))
    return Grouped(tuple(nquads), frozenset(i for i, nq in enumerate(nquads) if nq in selected), canonical)


def _skolemize(expanded: list[Any], counter: list[Any]) -> list[Any]:
    """``skolemizeExpandedJsonLd``: every node object without ``@id`` gets ``urn:bnid:_<random>_N``
    (``counter`` holds the random part and N); a blank node ``_:x`` becomes ``urn:bnid:x``."""
    out: list[Any] = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            out.append(copy.deepcopy(element))
            continue
        node = {k: _skolemize(v, counter) if isinstance(v, list) else _skolemize([v], counter)[0]
                for k, v in element.items()}
        node_id = node.get("@id")
        if node_id is None:
            node["@id"] = f"{SKOLEM_PREFIX}_{counter[0]}_{counter[1]}"
            counter[1] += 1
        elif isinstance(node_id, str) and node_id.startswith("_:"):
            node["@id"] = SKOLEM_PREFIX + node_id[2:]
        out.append(node)
    return out


def _deskolemize(nquads: Iterable[str]) -> list[str]:
    return [_SKOLEM.sub(r"_:\1", nq) for nq in nquads]


def _select(document: Mapping[str, Any], pointers: Sequence[str]) -> dict[str, Any]:
    """``selectJsonLd``: the parts of the (skolemized, compact) ``document`` that ``pointers`` name,
    with the ``id`` and ``type`` of every object on the way."""
    selection: dict[str, Any] = {"@context": copy.deepcopy(document.get("@context"))}
    _init_selection(selection, document)
    arrays: list[list[Any]] = []
    for pointer in pointers:
        paths = _parse_pointer(pointer)
        if not paths:
            return copy.deepcopy(dict(document))
        value: Any = document
        parent: Any = selection
        selected: Any = selection
        for path in paths:
            parent, value = selected, _step(value, path, pointer)
            selected = parent[path] if _has(parent, path) else None
            if selected is None:
                if isinstance(value, list):
                    selected = []
                    arrays.append(selected)
                else:
                    selected = _init_selection({}, value)
                _put(parent, path, selected)
        if isinstance(value, dict):
            selected = {**selected, **copy.deepcopy(value)}
        else:
            selected = copy.deepcopy(value)
        _put(parent, paths[-1], selected)
    for array in arrays:
        array[:] = [v for v in array if v is not _HOLE]
    return selection


_HOLE = object()


def _parse_pointer(pointer: str) -> list[str | int]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise SdProofError(f"{str(pointer)[:80]!r} is not a JSON pointer")
    out: list[str | int] = []
    for part in pointer.split("/")[1:]:
        if "~" in part:
            if re.search(r"~[^01]|~\Z", part):
                raise SdProofError(f"JSON pointer {str(pointer)[:80]!r} has an invalid escape")
            out.append(part.replace("~1", "/").replace("~0", "~"))
        else:
            out.append(int(part) if _POINTER_INDEX.match(part) else part)
    return out


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _step(value: Any, path: str | int, pointer: str) -> Any:
    if isinstance(value, list) and isinstance(path, int) and 0 <= path < len(value):
        return value[path]
    if isinstance(value, dict) and str(path) in value:
        return value[str(path)]
    raise SdProofError(f"JSON pointer {str(pointer)[:80]!r} does not match the credential")


def _has(parent: Any, path: str | int) -> bool:
    return (isinstance(path, int) and path < len(parent) and parent[path] is not _HOLE) if isinstance(parent, list) else str(path) in parent


def _put(parent: Any, path: str | int, value: Any) -> None:
    if isinstance(parent, list):
        assert isinstance(path, int)
        parent.extend([_HOLE] * (path + 1 - len(parent)))
    parent[path if isinstance(parent, list) else str(path)] = value


def _init_selection(selection: dict[str, Any], source: Any) -> dict[str, Any]:
    if isinstance(source, dict):
        if isinstance(source.get("id"), str) and not source["id"].startswith("_:"):
            selection["id"] = source["id"]
        if source.get("type"):
            selection["type"] = source["type"]
    return selection


def create_base_proof_value(document: Mapping[str, Any], proof_hash: bytes, sign: Callable[[bytes], bytes],
                            pointers: Sequence[str], *, loader: Callable[..., Any] | None = None) -> str:
    """The ``proofValue`` of a base proof of ``document`` (VC-DI-ECDSA "Base Proof Serialization"):
    a new HMAC key and proof-scoped P-256 key; each statement outside ``pointers`` signed with the
    latter, and ``proofHash ‖ its public key ‖ hash(mandatory statements)`` with ``sign`` (the
    issuer's P-256 key).

    Raises:
        SdProofError: a pointer that does not match the document.
        DocumentLoaderError, JsonLdError, LimitExceeded: from JSON-LD processing.
    """
    hmac_key = secrets.token_bytes(32)
    grouped = group(document, hmac_key, pointers, loader=loader)
    if len(grouped.nquads) - len(grouped.mandatory) > MAX_STATEMENTS:
        raise SdProofError(f"more than {MAX_STATEMENTS:,} selectively disclosable statements")
    ephemeral = EcdsaKey.generate("P-256")
    public_key = P256_MULTIKEY_HEADER + ephemeral.public_key
    mandatory = [nq for i, nq in enumerate(grouped.nquads) if i in grouped.mandatory]
    signatures = tuple(ephemeral.sign(nq.encode("utf-8")) for i, nq in enumerate(grouped.nquads)
                       if i not in grouped.mandatory)
    base_signature = sign(sign_data(proof_hash, public_key, hash_mandatory(mandatory)))
    return serialize_base_proof_value(BaseProofValue(base_signature, public_key, hmac_key, signatures, tuple(pointers)))


def base_proof_problem(document: Mapping[str, Any], proof_hash: bytes, proof_value: str, issuer_key: bytes, *,
                       loader: Callable[..., Any] | None = None) -> str | None:
    """Why the base ``proof_value`` (the holder's copy) does not verify for ``document``, or None
    when it does: its statements grouped again with its HMAC key and mandatory pointers, the base
    signature checked over the mandatory ones and each other statement's signature (what the
    issuer signed; the specification verifies derived proofs only, this is the holder's check).

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: from JSON-LD processing.
    """
    try:
        parsed = parse_base_proof_value(proof_value)
        grouped = group(document, parsed.hmac_key, parsed.mandatory_pointers, loader=loader)
    except SdProofError as exc:
        return f"the {NAME} base proofValue is not usable: {exc}"
    mandatory = tuple(nq for i, nq in enumerate(grouped.nquads) if i in grouped.mandatory)
    data = VerifyData(parsed.base_signature, proof_hash, parsed.public_key, parsed.signatures, grouped.nquads,
                      mandatory, tuple(nq for i, nq in enumerate(grouped.nquads) if i not in grouped.mandatory),
                      hash_mandatory(mandatory))
    return _verify_problem(data, issuer_key)

"""The contexts badgekit ships, pinned by SHA-256, and the offline document loader that serves them.

Below both :mod:`badgekit.jsonld` and its fast path :mod:`badgekit.jsonld._fastcanon`, which share
these; the public names are re-exported by :mod:`badgekit.jsonld`.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Mapping
from typing import Any

from badgekit.data import read_bytes
from badgekit.errors import DocumentLoaderError

# URL -> (file in badgekit/data/contexts, SHA-256 of its bytes). Pinned per URL: the OB 3.0.3
# context gained terms over time, so a credential names the URL, and we serve the current bytes.
PINNED_CONTEXTS: dict[str, tuple[str, str]] = {
    "https://www.w3.org/ns/credentials/v2": (
        "credentials-v2.jsonld", "59955ced6697d61e03f2b2556febe5308ab16842846f5b586d7f1f7adec92734"),
    "https://www.w3.org/2018/credentials/v1": (
        "credentials-v1.jsonld", "ab4ddd9a531758807a79a5b450510d61ae8d147eab966cc9a200c07095b0cdcc"),
    "https://www.w3.org/ns/credentials/examples/v2": (
        "credentials-examples-v2.jsonld", "57393fbc69d6efb9b9b5dc9cb6b9880b0944360abfe2eaf459c9e58cf2279d7c"),
    "https://www.w3.org/ns/credentials/status/v1": (
        "credentials-status-v1.jsonld", "fda5add353231e6a6884a46b12e6c75464281900cb348284d9c360f62381d9f7"),
    "https://w3id.org/security/data-integrity/v2": (
        "data-integrity-v2.jsonld", "67f21e6e33a6c14e5ccfd2fc7865f7474fb71a04af7e94136cb399dfac8ae8f4"),
    "https://w3id.org/security/data-integrity/v1": (
        "data-integrity-v1.jsonld", "b5d829bd09aa7c42abc6efa0c8ed7635313b5487f37ccfce3ecd149ca9418554"),
    "https://w3id.org/security/multikey/v1": (
        "multikey-v1.jsonld", "ba2c182de2d92f7e47184bcca8fcf0beaee6d3986c527bf664c195bbc7c58597"),
    "https://www.w3.org/ns/did/v1": (
        "did-v1.jsonld", "62c1054bf404d6dd3a4b26b64f830fd72095f6a26edc4469908c94351352ce5f"),
    "https://w3id.org/security/suites/ed25519-2020/v1": (
        "ed25519-signature-2020-v1.jsonld", "b9e1ab971fd8bf2c7553e0c4a9438e0b9450afde1ea1ca5b2492368b9f549588"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": (
        "ob-v3p0-context-3.0.3.json", "3d34f4d4ef1bce691106e63798beb5e7b862ba841423f5ee1e53ab7ddf3bca84"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": (
        "ob-v3p0-context-3.0.2.json", "00666ad080ba407687ed1846b7f5e7495f5019042b202a727de47c48a1755c53"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": (
        "ob-v3p0-context-3.0.1.json", "d582f3564282fb3b709136d28412e78e70b678b4dbc2f0221f67d84932748355"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": (
        "ob-v3p0-context-unversioned.json", "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10"),
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": (
        "ob-v3p0-context-unversioned.json", "b077fa134d909d92c1dcd1c153f2af1b244aeb415967fdc1467d7fc5dd48ac10"),
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": (
        "ob-v3p0-extensions.json", "146f85aa16effd7ca1da8056eb443f53ce1eca8a34186cb062832c0a97d889c3"),
}

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"

#: Upper bound on RDFC-1.0 N-degree work (hashing steps, related quads, orderings tried): an OB
#: credential needs none at all, or a few dozen steps.
MAX_CANON_WORK = 200_000
#: Upper bound on blank nodes in one document (an OB credential has about 10 to 40).
MAX_BLANK_NODES = 1_000

_parsed: dict[str, Any] = {}
_parsed_lock = threading.Lock()


def bundled_context(url: str) -> Any:
    """The parsed bundled context for ``url``, checked against its pinned SHA-256.

    Raises:
        DocumentLoaderError: ``url`` is not bundled.
        RuntimeError: the bundled file does not match its pin (a damaged installation).
    """
    doc = _parsed.get(url)
    if doc is not None:
        return doc
    entry = PINNED_CONTEXTS.get(url)
    if entry is None:
        raise DocumentLoaderError(f"context {url} is not bundled with badgekit; refusing to fetch it")
    filename, digest = entry
    raw = read_bytes("contexts", filename)
    if hashlib.sha256(raw).hexdigest() != digest:
        raise RuntimeError(f"bundled context {filename} does not match its pinned SHA-256; reinstall badgekit")
    doc = json.loads(raw)
    with _parsed_lock:
        _parsed[url] = doc
    return doc


class DocumentLoader:
    """A PyLD document loader that never touches the network.

    ``extra`` maps further context URLs to parsed documents the user added explicitly
    (e.g. ``--context URL=FILE``); they cannot replace a bundled context.
    """

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self.extra: dict[str, Any] = dict(extra or {})
        clash = sorted(set(self.extra) & set(PINNED_CONTEXTS))
        if clash:
            raise DocumentLoaderError(f"context {clash[0]} is bundled and pinned; it cannot be replaced")

    def knows(self, url: str) -> bool:
        return url in PINNED_CONTEXTS or url in self.extra

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        # bundled_context raises DocumentLoaderError naming the URL for anything unknown
        document = self.extra[url] if url in self.extra else bundled_context(url)
        return {"contextUrl": None, "documentUrl": url, "document": document, "contentType": "application/ld+json"}


DEFAULT_LOADER = DocumentLoader()


_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")  # PyLD's own test, verbatim


def _is_absolute_iri(value: str) -> bool:
    return _ABSOLUTE_IRI.match(value) is not None


# -- the bundled contexts as PyLD processes them, shipped ---------------------------------------

#: The sets of contexts (a credential's ``@context`` list) whose processed form ships with
#: badgekit, so the first canonicalisation in a process does not rebuild it through PyLD
#: (~15 ms of a cold ``badgekit verify``): what ``badgekit issue`` writes, and the common forms.
SHIPPED_CONTEXT_SETS: tuple[tuple[str, ...], ...] = (
    (VC_V2,),  # a status list credential
    (VC_V2, OB_V3),
    (VC_V2, OB_V3, OB_EXTENSIONS),
    (VC_V1, "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
     "https://w3id.org/security/suites/ed25519-2020/v1"),
)
#: Written by ``scripts/make_processed_contexts.py`` (a pickle of ``{"pins": {url: SHA-256},
#: "pyld": version, "sets": {urls: pickled processed context}}``); ``tests/unit/test_jsonld_processed.py``
#: proves it equal to a fresh computation.
PROCESSED_FILE = "processed-contexts.pickle"
#: A processed context's ``_uuid`` (PyLD's cache key for it) as shipped; a fresh one replaces it.
SHIPPED_UUID = "badgekit-shipped"

_shipped: dict[str, Any] | None = None


def _unpickle(data: bytes) -> Any:
    """Unpickles shipped data, allowing no global but PyLD's ``frozendict``."""
    import io

    try:  # the C unpickler that pickle.Unpickler is, without pickle.py (~4 M instructions, issue 18)
        from _pickle import Unpickler, UnpicklingError
    except ImportError:  # pragma: no cover - an interpreter without CPython's accelerator
        from pickle import Unpickler, UnpicklingError

    class Restricted(Unpickler):
        def find_class(self, module: str, name: str) -> Any:
            if (module, name) == ("frozendict", "frozendict"):
                from frozendict import frozendict

                return frozendict
            raise UnpicklingError(f"{module}.{name} is not allowed in {PROCESSED_FILE}")

    return Restricted(io.BytesIO(data)).load()


def shipped_processed_context(urls: tuple[str, ...]) -> Any | None:
    """A fresh copy of PyLD's processed active context for the context list ``urls`` (processed
    from PyLD's initial context with the offline loader), or None when it is not shipped, or was
    made from other context bytes than the pinned ones (the caller then processes it itself)."""
    global _shipped
    if urls not in SHIPPED_CONTEXT_SETS:
        return None
    if _shipped is None:
        try:
            raw = read_bytes("contexts", PROCESSED_FILE)
            shipped = _unpickle(raw)
        except Exception:  # noqa: BLE001 - pragma: no cover - damaged or foreign data: process anew
            shipped = {"pins": {}, "sets": {}}  # a damaged installation: process the contexts anew
        with _parsed_lock:
            _shipped = shipped
    data = _shipped["sets"].get(urls)
    pins = _shipped["pins"]
    if data is None or any(pins.get(url) != PINNED_CONTEXTS[url][1] for url in urls):
        return None
    if _shipped.get("pyld") != pyld_version():
        return None  # made by another PyLD, whose processed form may differ
    import uuid

    # named as PyLD names each processed context: unique in the process
    return with_uuid(_unpickle(data), str(uuid.uuid1()))


def pyld_version() -> str:
    """The version of the PyLD in use (its ``__about__`` module: what ``pyld.jsonld`` imports)."""
    from pyld.__about__ import __version__

    return str(__version__)


def with_uuid(ctx: Any, value: str) -> Any:
    """``ctx`` (a processed context: a dict or PyLD's frozendict) with its ``_uuid`` set to ``value``."""
    if type(ctx) is dict:  # PyLD's frozendict may be a dict subclass; it stays a frozendict
        return {**ctx, "_uuid": value}
    return ctx.set("_uuid", value)

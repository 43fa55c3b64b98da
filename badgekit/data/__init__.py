"""Pinned JSON-LD contexts and 1EdTech JSON Schemas (see SOURCES.md); ``html/``: the Jinja2
templates of the bundle page, the e-mail bodies and the HTML report (rendered by ``badgekit._html``)."""

from __future__ import annotations

import os


def read_bytes(*parts: str) -> bytes:
    """The bytes of the bundled file ``parts`` (``read_bytes("contexts", "vc-v2.jsonld")``), read by
    this package's loader as :func:`pkgutil.get_data` does (from a folder or a zip archive alike).

    ``importlib.resources.files(...).read_bytes()`` reads the same bytes, but importing it loads
    ``tempfile``, ``shutil``, ``random``, ``bz2``, ``lzma`` and ``zipfile``: ~17 M instructions
    (~4 ms) of a cold ``badgekit verify`` (issue 18, docs/adr/0010-start-up-budget.md).
    """
    loader = __spec__.loader
    get_data = getattr(loader, "get_data", None)
    if get_data is None:  # pragma: no cover - every file and zip loader has it
        from importlib import resources

        return resources.files(__name__).joinpath(*parts).read_bytes()
    data: bytes = get_data(os.path.join(os.path.dirname(__file__), *parts))
    return data

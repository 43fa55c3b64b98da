"""PyLD without its network machinery, for a short-lived process that owns ``sys.modules``.

PyLD's package ``__init__`` imports every document loader it ships (requests, aiohttp and asyncio,
lxml.html): most of a cold ``badgekit verify`` if left alone, for network code badgekit never runs
(it always passes its own offline loader, :data:`badgekit.jsonld.DEFAULT_LOADER`).
"""

from __future__ import annotations

import sys
from typing import Any


def import_pyld_without_http() -> None:
    """Import ``pyld.jsonld`` without PyLD's HTTP machinery.

    PyLD's package ``__init__`` imports every document loader it ships (aiohttp/asyncio,
    urllib's HTTP client, lxml.html, requests): 50-100 ms of start-up for network code badgekit never
    uses (it always passes its own offline loader). The command line owns its process, so it
    registers the ``pyld`` package without running that ``__init__`` and hides ``requests`` and
    ``aiohttp`` while ``pyld.jsonld`` builds its default loader, which then falls back to PyLD's
    dummy loader (it cannot fetch either). Only a program that owns its process may call this
    (the command line does, before verifying): the library never does, since PyLD's defaults
    belong to the host application. Why and what it saves: docs/adr/0010-start-up-budget.md.
    """
    if "pyld.jsonld" in sys.modules:
        return
    import importlib.util
    import types

    spec = importlib.util.find_spec("pyld")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        return
    if "pyld" not in sys.modules:
        package = types.ModuleType("pyld", "PyLD (package namespace only; see badgekit.jsonld._pyld_startup)")
        package.__path__ = list(spec.submodule_search_locations)
        package.__spec__ = spec
        sys.modules["pyld"] = package
    network = ("requests", "aiohttp", "pyld.documentloader.requests", "pyld.documentloader.aiohttp")
    hidden = [name for name in network if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # makes "import name" raise ImportError
    _defer_lxml_html()
    try:
        import pyld.jsonld  # noqa: F401
    except ImportError:  # pragma: no cover - PyLD is a dependency; a real error surfaces later
        pass
    finally:
        for name in hidden:
            if sys.modules.get(name) is None:
                del sys.modules[name]


def _defer_lxml_html() -> None:
    """PyLD imports ``lxml.html`` (and with it ``lxml.etree``: ~20 ms) only to read JSON-LD from
    HTML pages, which badgekit never loads. A stand-in takes its place; its one function PyLD
    calls (``fromstring``) imports the real module first, so nothing changes if it is ever used."""
    if "lxml.html" in sys.modules:
        return
    import types

    try:
        import lxml  # the package itself is a few lines
    except ImportError:  # pragma: no cover - a PyLD dependency
        return
    stand_in = types.ModuleType("lxml.html", "stand-in for lxml.html until used (see badgekit.jsonld._pyld_startup)")

    def fromstring(*args: Any, **kwargs: Any) -> Any:
        import importlib

        del sys.modules["lxml.html"]
        real = importlib.import_module("lxml.html")
        lxml.html = real  # type: ignore[attr-defined]
        return real.fromstring(*args, **kwargs)

    stand_in.fromstring = fromstring  # type: ignore[attr-defined]
    sys.modules["lxml.html"] = stand_in
    lxml.html = stand_in  # type: ignore[attr-defined]

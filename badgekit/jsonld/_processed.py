"""The shipped processed contexts (``badgekit/data/contexts/processed-contexts.pickle``): how they
are made, so a test can prove the shipped file equal to a fresh computation and
``scripts/make_processed_contexts.py`` can write it again when a context or PyLD changes.

The fast canonicaliser starts each credential from PyLD's processed form of its ``@context`` list;
building it (resolving the bundled contexts, creating ~60 term definitions and checking every
scoped context) is ~15 ms, paid once per process: most of the start-up left after imports.
:func:`badgekit.jsonld._contexts.shipped_processed_context` serves the shipped copy instead.
"""

from __future__ import annotations

import pickle
from typing import Any

from badgekit.jsonld import _fastcanon
from badgekit.jsonld._contexts import (
    PINNED_CONTEXTS,
    SHIPPED_CONTEXT_SETS,
    SHIPPED_UUID,
    pyld_version,
    with_uuid,
)


def fresh_processed_context(urls: tuple[str, ...]) -> Any:
    """PyLD's processed active context for ``urls``, computed now, as the fast canonicaliser's
    engine would (its initial context, options and offline loader)."""
    engine = _fastcanon._Engine()
    return engine.proc._process_context(engine.initial, list(urls), engine.options)


def build_shipped() -> bytes:
    """The bytes of the shipped file: every set of :data:`SHIPPED_CONTEXT_SETS` processed anew,
    each with the pins of the contexts it was made from."""
    sets: dict[tuple[str, ...], bytes] = {}
    for urls in SHIPPED_CONTEXT_SETS:
        sets[urls] = pickle.dumps(with_uuid(fresh_processed_context(urls), SHIPPED_UUID), protocol=4)
    pins = {url: PINNED_CONTEXTS[url][1] for urls in SHIPPED_CONTEXT_SETS for url in urls}
    return pickle.dumps({"pins": pins, "pyld": pyld_version(), "sets": sets}, protocol=4)

"""Where ``badgekit cache`` keeps its documents (:func:`badgekit.cache.cache_dir`). Here, below
:mod:`badgekit.cache`, so a cold ``badgekit verify`` finds that there is no cache folder without
loading the cache module (start-up, docs/adr/0010-start-up-budget.md)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Where the cache lives (see :mod:`badgekit.cache`); not created here."""
    explicit = os.environ.get("BADGEKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "badgekit"

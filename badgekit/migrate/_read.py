"""The assertions to migrate: files and folders of Open Badges 2.0 badges, read as ``badgekit
verify`` reads them (:mod:`badgekit._envelope`: JSON, a JWS, baked PNG and SVG)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from badgekit import _envelope
from badgekit._io import MAX_INPUT_BYTES, expand_folders, read_bounded
from badgekit.errors import BadgekitError

#: File suffixes a folder is searched for (not recursively).
SUFFIXES = (".json", ".jws", ".jwt", ".png", ".svg")


@dataclass(frozen=True)
class Found:
    """One input file: the OB 2.0 assertion's stored text and form, or why there is none."""

    source: str
    text: str | None = None
    form: str = "json"
    size: int = 0
    problem: str | None = None


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given, folders expanded to their badge files (:data:`SUFFIXES`) in name order.

    Raises:
        InputError: a path does not exist, or a folder holds no badge file.
    """
    return expand_folders(paths, SUFFIXES)


def read(path: Path, *, max_bytes: int = MAX_INPUT_BYTES) -> Found:
    """The OB 2.0 assertion stored in ``path`` (never raises: a file that holds none says why)."""
    source = str(path)
    try:
        data = read_bounded(path, limit=max_bytes)
        _envelope.read(data, source=source, max_bytes=max_bytes)
    except _envelope.LegacyBadge as exc:
        return Found(source, exc.text, exc.form or "json", len(data))
    except BadgekitError as exc:
        reason = exc.reason if isinstance(exc, _envelope.EnvelopeError) else exc.message
        return Found(source, problem=f"not an Open Badges 2.0 badge: {reason}")
    return Found(source, problem="an Open Badges 3.0 credential already: nothing to migrate")

"""Small readers of untrusted credential JSON shared by the checks: bounded one-line text, lists,
the first ``@context``, short ids and keys for reasons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from badgekit._io import as_list as as_list  # re-exported: the checks import it from here
from badgekit._time import format_utc

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"


def first_context(doc: Mapping[str, Any]) -> Any:
    ctx = doc.get("@context")
    return ctx[0] if isinstance(ctx, list) and ctx else ctx


def iso(when: datetime | None) -> str:
    """``when`` as :func:`badgekit._time.format_utc` writes it, or "-". Remembered (bounded): the
    verification time and a run's validity dates repeat from one credential to the next."""
    if not when:
        return "-"
    text = _ISO.get(when)  # equal datetimes are the same instant: the same UTC text
    if text is None:
        if len(_ISO) >= _MAX_ISO:
            _ISO.clear()
        text = _ISO[when] = format_utc(when)
    return text


_ISO: dict[datetime, str] = {}
_MAX_ISO = 1024


def json_path(path: object) -> str:
    if isinstance(path, str):
        return path or "/"
    parts = list(path) if isinstance(path, (list, tuple)) else [path]
    return "/" + "/".join(str(p) for p in parts) if parts else "/"


def short_key(multibase: str) -> str:
    return multibase[:12] + "…" if len(multibase) > 12 else multibase


def text(value: object, limit: int = 200) -> str | None:
    """A summary string from an untrusted value: strings only, bounded length."""
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def short_id(value: object, limit: int = 60) -> str:
    shown = text(value, 1000) or ""
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def one_line(value: str, limit: int = 600) -> str:
    line = " ".join(str(value).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def subjects_of(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The ``credentialSubject`` objects (anything else in the list is ignored)."""
    return [s for s in as_list(doc.get("credentialSubject")) if isinstance(s, Mapping)]

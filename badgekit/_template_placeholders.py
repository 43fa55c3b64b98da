"""The placeholder language of badge-class templates: ``{{name}}``, ``{{name|filter}}``,
``{{uuid:label}}`` and ``$when``/``$value`` objects (see :mod:`badgekit.templates`): checking a
template's placeholders, and substituting values into text and into a badge body.

Below :mod:`badgekit.templates`, which parses and instantiates templates with it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from badgekit.errors import InputError

FILTERS: tuple[str, ...] = ("str", "number", "integer", "list")
IMPLICIT_VALUES: tuple[str, ...] = ("issuer_name", "issuer_id", "issuer_url", "issuer_email", "template")
FAMILY_VALUES: tuple[str, ...] = ("level_key", "previous_id", "previous_name")

_PLACEHOLDER = re.compile(r"\{\{\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*|uuid:[A-Za-z0-9_.-]+)\s*(?:\|\s*(?P<filter>[a-z]+)\s*)?\}\}")
_FALSY = {"", "no", "false", "0", "none", "off"}


class _Omit:
    """Marker for a member or item that a template leaves out."""


_OMIT = _Omit()


def strings_in(node: Any, where: str) -> Iterable[tuple[str, str]]:
    if isinstance(node, str):
        yield where, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from strings_in(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from strings_in(v, f"{where}[{i}]")


def check_placeholders(p: Path, where: str, text: str, known: set[str]) -> None:
    for m in _PLACEHOLDER.finditer(text):
        name, flt = m.group("name"), m.group("filter")
        if flt is not None and flt not in FILTERS:
            raise InputError(f"{p}: {where}: unknown filter |{flt}; known: {', '.join(FILTERS)}")
        if not name.startswith("uuid:") and name not in known:
            raise InputError(f"{p}: {where}: placeholder {{{{{name}}}}} names no field")
    stripped = _PLACEHOLDER.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        raise InputError(f"{p}: {where}: malformed placeholder in {text[:60]!r}")


def derived_uuid(base_id: str, label: str) -> str:
    """``urn:uuid:`` + UUIDv5 of ``label`` under the badge class id (for result descriptions, levels)."""
    namespace = uuid.UUID(base_id[9:]) if base_id.lower().startswith("urn:uuid:") and len(base_id) == 45 else uuid.uuid5(uuid.NAMESPACE_URL, base_id)
    return f"urn:uuid:{uuid.uuid5(namespace, label)}"


def implicit_values(issuer: Mapping[str, Any], template_name: str) -> dict[str, Any]:
    def text(key: str) -> str:
        value = issuer.get(key)
        return value if isinstance(value, str) else ""

    return {
        "issuer_name": text("name"),
        "issuer_id": text("id"),
        "issuer_url": text("url"),
        "issuer_email": text("email"),
        "template": template_name,
    }


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(as_text(v) for v in value)
    return "" if value is None else str(value)


def _truthy(value: Any) -> bool:
    return as_text(value).strip().lower() not in _FALSY


def _lookup(name: str, ctx: Mapping[str, Any]) -> str:
    if name.startswith("uuid:"):
        return derived_uuid(str(ctx["id"]), name[5:])
    return as_text(ctx.get(name, ""))


def render_text(text: str, ctx: Mapping[str, Any]) -> str:
    """Plain substitution (defaults, level values): every placeholder becomes its text."""
    return _PLACEHOLDER.sub(lambda m: _lookup(m.group("name"), ctx), text)


def render(node: Any, ctx: Mapping[str, Any], path: Path, where: str) -> Any:
    if isinstance(node, dict):
        if "$when" in node:
            cond = node["$when"]
            if not isinstance(cond, str) or not _truthy(_lookup(cond, ctx)):
                return _OMIT
            node = {k: v for k, v in node.items() if k != "$when"}
            if "$value" in node:
                return render(node["$value"], ctx, path, f"{where}.$value")
        out: dict[str, Any] = {}
        for k, v in node.items():
            value = render(v, ctx, path, f"{where}.{k}")
            if value is not _OMIT:
                out[k] = value
        return out
    if isinstance(node, list):
        items = [render(v, ctx, path, f"{where}[{i}]") for i, v in enumerate(node)]
        kept = [v for v in items if v is not _OMIT]
        return kept if kept or not node else _OMIT
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node.strip())
        if whole:
            return _typed(_lookup(whole.group("name"), ctx), whole.group("filter"), path, where)
        return _PLACEHOLDER.sub(lambda m: _lookup(m.group("name"), ctx), node)
    return node


def _typed(text: str, flt: str | None, path: Path, where: str) -> Any:
    text = text.strip()
    if not text:
        return _OMIT
    if flt in (None, "str"):
        return text
    if flt == "list":
        items = [t.strip() for t in text.split(",") if t.strip()]
        return items or _OMIT
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"{path}: {where}: {text!r} is not a number") from None
    if flt == "integer" or number.is_integer():
        if not number.is_integer():
            raise InputError(f"{path}: {where}: {text!r} is not a whole number")
        return int(number)
    return number

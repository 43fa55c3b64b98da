"""YAML the safe and unsurprising way, for badge classes and templates.

PyYAML's ``safe_load`` follows YAML 1.1, which turns ``no`` (Norwegian) into ``False`` and
``2024-01-01`` into a ``date`` that JSON cannot hold, silently keeps the last of two equal keys,
and expands aliases (a "billion laughs" file becomes a huge JSON document). The loader here reads
only JSON-compatible values: booleans are ``true``/``false`` only, timestamps stay strings,
duplicate keys, aliases and tags for values JSON has not (``!!binary``, ``!!set``, ``!!omap``,
``!!pairs``, ``!!timestamp``) are errors that name the line.
"""

from __future__ import annotations

import os
import re
from typing import Any

import yaml

from badgekit._io import MAX_JSON_DEPTH, json_depth, read_bounded
from badgekit.errors import InputError, LimitExceeded

#: Badge classes and templates are small; refuse anything larger.
MAX_YAML_BYTES = 1024 * 1024


class _Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2-like scalars, no aliases and no duplicate keys."""

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]  # types-PyYAML leaves it unannotated
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in badgekit files", event.start_mark
            )
        return super().compose_node(parent, index)


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def _construct_mapping(self: _Loader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = self.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            raise yaml.constructor.ConstructorError(
                None, None, f"keys must be strings, found {key!r}", key_node.start_mark
            )
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return dict(yaml.SafeLoader.construct_mapping(self, node, deep=deep))


def _refuse_tag(self: _Loader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"the tag !!{node.tag.rsplit(':', 1)[-1]} is not allowed in badgekit files (JSON values only)", node.start_mark
    )


def _construct_deep_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    return _construct_mapping(loader, node, deep=True)


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_deep_mapping)
# SafeLoader builds bytes, sets, lists of pairs and datetimes for these: no JSON value holds them.
for _tag in ("binary", "set", "omap", "pairs", "timestamp"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _refuse_tag)


def loads_yaml(text: str | bytes, *, source: str = "input") -> Any:
    """Parse one YAML document into JSON-compatible values.

    Raises:
        InputError: not valid YAML (names ``source``, line and column), or uses aliases,
            duplicate keys or non-string keys.
        LimitExceeded: nested too deeply.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(f"{source}: not UTF-8 (byte {exc.start})") from None
    try:
        value = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "malformed"
        raise InputError(f"{source}: malformed YAML{where}: {what}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: malformed YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise LimitExceeded(f"{source}: YAML nested too deeply") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise LimitExceeded(f"{source}: nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def load_yaml_file(path: str | os.PathLike[str]) -> Any:
    """Read and parse a YAML file (at most 1 MiB)."""
    return loads_yaml(read_bounded(path, limit=MAX_YAML_BYTES), source=str(path))


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes multi-line strings as literal blocks (``|``)."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data.rstrip("\n") and not any(c in data for c in "\r\t") and data == data.strip(" "):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_str(data)


_Dumper.add_representer(str, _represent_str)


def dumps_yaml(value: Any) -> str:
    """YAML in the order given, Unicode kept, block style; strings that would read back as
    something else (``"no"``, ``"2024-01-01"``, ``"70"``) are quoted."""
    text = yaml.dump(
        value,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return str(text)

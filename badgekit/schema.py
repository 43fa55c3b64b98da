"""JSON Schema checks against the bundled 1EdTech OB 3.0 schemas (draft 2019-09), offline.

Two engines give the same verdicts:

* ``"fast"``: ``jsonschema_rs`` (Rust), used by default;
* ``"reference"``: the pure-Python ``jsonschema`` with ``Draft201909Validator`` and a
  ``FormatChecker`` (the ``format-nongpl`` extra supplies the ``date-time`` checker; without it
  ``"validFrom": "yesterday"`` would pass silently). It is the oracle the tests compare against.

Both engines check ``format`` (``date``, ``date-time``). Every ``$ref`` in the bundled schemas points
inside the same file (``#/$defs/…``); the validators get a registry holding only that file, so
nothing is ever fetched. Validators are compiled once per process and cached. Both libraries are
imported lazily: ``badgekit verify`` should start fast.

Problems are reported with a JSON path (``$.credentialSubject.achievement.name``) and a short
message built by badgekit from the error *kind*, so that both engines word them the same way.
A missing required member is reported at the member's own path (``$.name: is required``).
"""

from __future__ import annotations

import copy
import datetime
import json
import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from badgekit._time import days_in_month
from badgekit.data import read_bytes

Engine = Literal["fast", "reference"]

ACHIEVEMENT_CREDENTIAL_SCHEMA = "ob_v3p0_achievementcredential_schema.json"
ACHIEVEMENT_CREDENTIAL_SCHEMA_STRICT = "captured-2024-09-strict/ob_v3p0_achievementcredential_schema.json"
ENDORSEMENT_CREDENTIAL_SCHEMA = "ob_v3p0_endorsementcredential_schema.json"
PROFILE_SCHEMA = "ob_v3p0_profile_schema.json"

_MAX_VALUE_IN_MESSAGE = 60
_MAX_ENUM_IN_MESSAGE = 4


@dataclass(frozen=True)
class SchemaProblem:
    """One schema violation: where (a JSON path) and what (one line)."""

    path: str  # e.g. "$.credentialSubject.achievement.name"
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


# ---------------------------------------------------------------------------------------------
# public API


def validate_credential(
    document: Mapping[str, Any], *, engine: Engine = "fast", strict: bool = False
) -> list[SchemaProblem]:
    """Problems of an AchievementCredential (or EndorsementCredential) against the 1EdTech schema.

    ``strict`` selects the 2024-09 capture that requires arrays for every 0..* member (badgekit's
    own output must pass both). A document whose ``type`` contains ``EndorsementCredential`` is
    checked against the endorsement schema (only one variant exists; ``strict`` is ignored).
    An empty list means valid.
    """
    types = document.get("type") if isinstance(document, Mapping) else None
    type_list = types if isinstance(types, list) else [types]
    if "EndorsementCredential" in type_list:
        schema_file = ENDORSEMENT_CREDENTIAL_SCHEMA
    else:
        schema_file = ACHIEVEMENT_CREDENTIAL_SCHEMA_STRICT if strict else ACHIEVEMENT_CREDENTIAL_SCHEMA
    return _validate(document, schema_file, None, engine)


def validate_achievement(
    achievement: Mapping[str, Any], *, engine: Engine = "fast", strict: bool = False
) -> list[SchemaProblem]:
    """Problems of an ``Achievement`` (badge class) against the credential schema's ``$defs/Achievement``.

    Paths are relative to the achievement (``$.name``).
    """
    schema_file = ACHIEVEMENT_CREDENTIAL_SCHEMA_STRICT if strict else ACHIEVEMENT_CREDENTIAL_SCHEMA
    return _validate(achievement, schema_file, "Achievement", engine)


def validate_profile(profile: Mapping[str, Any], *, engine: Engine = "fast") -> list[SchemaProblem]:
    """Problems of an issuer ``Profile`` against the 1EdTech profile schema."""
    return _validate(profile, PROFILE_SCHEMA, None, engine)


def json_path(parts: Iterable[str | int]) -> str:
    """``["credentialSubject", "achievement", 0, "@id"]`` → ``$.credentialSubject.achievement[0]['@id']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif re.fullmatch(_IDENT, part):
            out.append(f".{part}")
        else:
            out.append("['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']")
    return "".join(out)


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


# ---------------------------------------------------------------------------------------------
# schema loading and the validator cache

_lock = threading.Lock()
_schemas: dict[str, dict[str, Any]] = {}
_validators: dict[tuple[str, str | None, str], Any] = {}


def load_schema(schema_file: str) -> dict[str, Any]:
    """The bundled schema ``schema_file`` (relative to ``badgekit/data/schemas``), parsed once.

    Callers get a deep copy, so the cached schema cannot be changed by accident.
    """
    return copy.deepcopy(_load_schema(schema_file))


def _load_schema(schema_file: str) -> dict[str, Any]:
    cached = _schemas.get(schema_file)
    if cached is None:
        cached = json.loads(read_bytes("schemas", *schema_file.split("/")).decode("utf-8"))
        _schemas[schema_file] = cached
    return cached


_wrapped: dict[tuple[str, str], dict[str, Any]] = {}


def _wrapped_schema(schema_file: str, definition: str | None) -> dict[str, Any]:
    schema = _load_schema(schema_file)
    if definition is None:
        return schema
    cached = _wrapped.get((schema_file, definition))
    if cached is not None:
        return cached
    if definition not in schema.get("$defs", {}):
        raise KeyError(f"{schema_file} has no $defs/{definition}")
    # A self-contained schema whose root is a reference into the same $defs: no registry needed.
    wrapper = {
        "$schema": schema["$schema"],
        "$id": f"urn:badgekit:schema:{schema_file.replace('/', ':')}:{definition}",
        "$defs": schema["$defs"],
        "$ref": f"#/$defs/{definition}",
    }
    _wrapped[(schema_file, definition)] = wrapper
    return wrapper


def _validator(schema_file: str, definition: str | None, engine: Engine) -> Any:
    key = (schema_file, definition, engine)
    validator = _validators.get(key)
    if validator is not None:
        return validator
    with _lock:
        validator = _validators.get(key)
        if validator is None:
            schema = _wrapped_schema(schema_file, definition)
            if engine == "fast":
                validator = _compile_fast(schema)
            elif engine == "reference":
                validator = _compile_reference(schema)
            else:
                raise ValueError(f"unknown schema engine {engine!r} (use 'fast' or 'reference')")
            _validators[key] = validator
    return validator


# The reference engine's format rules (jsonschema + rfc3339-validator): RFC 3339 date-time with a
# zone, no leap second, year 1 or later, a real calendar day. jsonschema_rs on its own accepts
# "23:59:60" and year 0000; the fast engine is given these checkers so both engines agree.
_RFC3339_DATE_TIME = re.compile(
    r"(\d{4})-(0[1-9]|1[0-2])-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
_DATE = r"(?a)\d{4}-\d{2}-\d{2}"  # compiled on first use (re's cache): a cold verify may not need it (issue 18)


def is_date_time(value: str) -> bool:
    """``format: date-time`` as the reference engine checks it (remembered per value, bounded: a
    run's credentials repeat their dates)."""
    known = _DATE_TIMES.get(value)
    if known is None:
        match = _RFC3339_DATE_TIME.fullmatch(value.upper())
        if match is None:
            known = False
        else:
            year, month, day = (int(g) for g in match.groups())
            known = year >= 1 and 1 <= day <= days_in_month(year, month)
        if len(_DATE_TIMES) >= 1024:
            _DATE_TIMES.clear()
        _DATE_TIMES[value] = known
    return known


_DATE_TIMES: dict[str, bool] = {}


def is_date(value: str) -> bool:
    """``format: date`` as the reference engine checks it (``YYYY-MM-DD``, a real day)."""
    if not re.fullmatch(_DATE, value):
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = {"date-time": is_date_time, "date": is_date}


def _compile_fast(schema: dict[str, Any]) -> Any:
    import jsonschema_rs

    try:
        return jsonschema_rs.Draft201909Validator(schema, formats=_FORMATS, validate_formats=True, offline=True)
    except TypeError:  # older jsonschema_rs without the ``offline`` switch (it never fetches internal refs)
        return jsonschema_rs.Draft201909Validator(schema, formats=_FORMATS, validate_formats=True)


def _compile_reference(schema: dict[str, Any]) -> Any:
    from jsonschema import Draft201909Validator, FormatChecker
    from referencing import Registry
    from referencing.jsonschema import DRAFT201909

    resource = DRAFT201909.create_resource(schema)
    # A registry holding only this schema and no retrieve function: an unknown $ref raises
    # instead of being fetched over the network.
    registry: Registry[Any] = Registry().with_resource(schema["$id"].split("#")[0], resource)
    return Draft201909Validator(schema, format_checker=FormatChecker(), registry=registry)


# ---------------------------------------------------------------------------------------------
# running and normalising errors
#
# Errors of both engines are turned into the same small tree (_Err) before wording them, so a
# problem reads the same whichever engine found it.


@dataclass
class _Err:
    path: tuple[str | int, ...]
    keyword: str
    detail: Any  # required → property; type → [types]; enum → [values]; format → name; ...
    instance: Any
    fallback: str
    branches: list[list[_Err]]


def _validate(instance: Any, schema_file: str, definition: str | None, engine: Engine) -> list[SchemaProblem]:
    validator = _validator(schema_file, definition, engine)
    if engine == "fast":
        root = _wrapped_schema(schema_file, definition)
        errors = [_from_fast(e, root) for e in validator.iter_errors(instance)]
    else:
        errors = [_from_reference(e) for e in validator.iter_errors(instance)]
    problems: dict[tuple[tuple[tuple[int, Any], ...], str], SchemaProblem] = {}
    for err in errors:
        for path, message in _word(err):
            key = (tuple((0, p) if isinstance(p, int) else (1, p) for p in path), message)
            problems.setdefault(key, SchemaProblem(json_path(path), message))
    return [problems[k] for k in sorted(problems)]


_FAST_KINDS = {
    "AdditionalItems": "additionalItems",
    "AdditionalProperties": "additionalProperties",
    "AnyOf": "anyOf",
    "Constant": "const",
    "Contains": "contains",
    "Enum": "enum",
    "ExclusiveMaximum": "exclusiveMaximum",
    "ExclusiveMinimum": "exclusiveMinimum",
    "FalseSchema": "false",
    "Format": "format",
    "MaxItems": "maxItems",
    "MaxLength": "maxLength",
    "MaxProperties": "maxProperties",
    "Maximum": "maximum",
    "MinItems": "minItems",
    "MinLength": "minLength",
    "MinProperties": "minProperties",
    "Minimum": "minimum",
    "MultipleOf": "multipleOf",
    "Not": "not",
    "OneOfMultipleValid": "oneOfMultiple",
    "OneOfNotValid": "oneOf",
    "Pattern": "pattern",
    "PropertyNames": "propertyNames",
    "Required": "required",
    "Type": "type",
    "UniqueItems": "uniqueItems",
}


def _from_fast(error: Any, root: Mapping[str, Any]) -> _Err:
    kind = error.kind
    keyword = _FAST_KINDS.get(type(kind).__name__, type(kind).__name__)
    as_dict: dict[str, Any] = {}
    try:
        as_dict = dict(kind.as_dict())
    except Exception:  # older jsonschema_rs: fall back to the engine's own message
        as_dict = {}
    detail: Any = None
    branches: list[list[_Err]] = []
    if keyword == "required":
        detail = as_dict.get("property")
    elif keyword == "type":
        detail = list(as_dict.get("types", []))
    elif keyword == "enum":
        detail = as_dict.get("options")
    elif keyword == "format":
        detail = as_dict.get("format")
    elif keyword == "pattern":
        detail = as_dict.get("pattern")
    elif keyword == "additionalProperties":
        detail = list(as_dict.get("unexpected", []))
    elif keyword in ("oneOf", "anyOf"):
        branches = [[_from_fast(e, root) for e in branch] for branch in as_dict.get("context", []) or []]
    elif keyword == "contains":
        detail = _schema_at(root, list(error.schema_path))
    elif keyword in _LIMIT_KEYWORDS:
        detail = as_dict.get("limit", as_dict.get("multiple_of"))
    elif keyword == "const":
        detail = as_dict.get("expected_value")
    elif keyword == "propertyNames" and as_dict.get("error") is not None:
        inner = _from_fast(as_dict["error"], root)
        inner.path = tuple(error.instance_path)
        return inner
    return _Err(
        path=tuple(error.instance_path),
        keyword=keyword,
        detail=detail,
        instance=error.instance,
        fallback=str(error.message),
        branches=branches,
    )


def _from_reference(error: Any) -> _Err:
    keyword = str(error.validator)
    detail: Any = None
    branches: list[list[_Err]] = []
    if keyword == "required":
        missing = [p for p in error.validator_value if isinstance(error.instance, dict) and p not in error.instance]
        detail = next((p for p in missing if error.message.startswith(repr(p))), missing[0] if missing else None)
    elif keyword == "type":
        value = error.validator_value
        detail = [value] if isinstance(value, str) else list(value)
    elif keyword in ("enum", "format", "pattern", "contains", "const") or keyword in _LIMIT_KEYWORDS:
        detail = error.validator_value
    elif error.validator is None:  # a ``false`` schema
        keyword = "false"
    elif keyword == "additionalProperties":
        props = error.schema.get("properties", {})
        patterns = error.schema.get("patternProperties", {})
        detail = [
            k
            for k in (error.instance if isinstance(error.instance, dict) else {})
            if k not in props and not any(re.search(p, k) for p in patterns)
        ]
    elif keyword == "oneOf" and "is valid under each of" in error.message:
        keyword = "oneOfMultiple"
    elif keyword in ("oneOf", "anyOf"):
        count = len(error.validator_value)
        grouped: list[list[_Err]] = [[] for _ in range(count)]
        for sub in error.context or []:
            grouped[sub.relative_schema_path[0]].append(_from_reference(sub))
        branches = grouped
    return _Err(
        path=tuple(error.absolute_path),
        keyword=keyword,
        detail=detail,
        instance=error.instance,
        fallback=str(error.message),
        branches=branches,
    )


def _schema_at(root: Any, pointer: list[Any]) -> Any:
    node = root
    for part in pointer:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "null"


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text if len(text) <= _MAX_VALUE_IN_MESSAGE else text[: _MAX_VALUE_IN_MESSAGE - 1] + "…"


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def _word(err: _Err) -> list[tuple[tuple[str | int, ...], str]]:
    """(path, message) pairs for one error; composite errors may give several."""
    k = err.keyword
    if k == "required" and err.detail is not None:
        return [((*err.path, err.detail), "is required")]
    if k == "additionalProperties" and err.detail:
        return [((*err.path, name), "is not allowed here (no such member)") for name in err.detail]
    if k == "type" and err.detail:
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in err.detail)
        got = _TYPE_NAMES.get(_json_type(err.instance), "null")
        return [(err.path, f"expected {wanted}, got {got}")]
    if k == "enum" and isinstance(err.detail, list):
        shown = ", ".join(_short(v) for v in err.detail[:_MAX_ENUM_IN_MESSAGE])
        more = f", … ({len(err.detail)} values)" if len(err.detail) > _MAX_ENUM_IN_MESSAGE else ""
        return [(err.path, f"{_short(err.instance)} is not one of {shown}{more}")]
    if k == "format" and err.detail:
        return [(err.path, f"{_short(err.instance)} is not a valid {err.detail}")]
    if k == "pattern" and err.detail:
        return [(err.path, f"{_short(err.instance)} does not match the pattern {err.detail}")]
    if k == "contains":
        enum = err.detail.get("enum") if isinstance(err.detail, Mapping) else None
        if isinstance(enum, list) and enum:
            return [(err.path, "must include " + " or ".join(_short(v) for v in enum))]
        return [(err.path, "contains no allowed item")]
    if k in _LIMIT_KEYWORDS and isinstance(err.detail, int | float) and not isinstance(err.detail, bool):
        return [(err.path, _LIMIT_KEYWORDS[k].format(n=_number(err.detail), s="" if err.detail == 1 else "s"))]
    if k == "const":
        return [(err.path, f"must be {_short(err.detail)}")]
    if k == "uniqueItems":
        return [(err.path, "items must be unique")]
    if k in ("not", "false"):
        return [(err.path, "is not allowed here")]
    if k == "additionalItems":
        return [(err.path, "has more items than allowed")]
    if k == "oneOfMultiple":
        return [(err.path, "matches more than one of the allowed forms")]
    if k in ("oneOf", "anyOf") and err.branches:
        return _word_alternatives(err)
    if k in ("oneOf", "anyOf"):
        return [(err.path, "matches none of the allowed forms")]
    return [(err.path, f"fails the schema keyword {k!r}")]


_LIMIT_KEYWORDS = {
    "minItems": "needs at least {n} item{s}",
    "maxItems": "allows at most {n} item{s}",
    "minLength": "must be at least {n} character{s} long",
    "maxLength": "must be at most {n} character{s} long",
    "minProperties": "needs at least {n} member{s}",
    "maxProperties": "allows at most {n} member{s}",
    "minimum": "must be at least {n}",
    "maximum": "must be at most {n}",
    "exclusiveMinimum": "must be more than {n}",
    "exclusiveMaximum": "must be less than {n}",
    "multipleOf": "must be a multiple of {n}",
}


def _number(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _word_alternatives(err: _Err) -> list[tuple[tuple[str | int, ...], str]]:
    # A branch that failed only on "type" was not what the author meant (e.g. the single-object
    # form when an array was given); report the branches whose type matched.
    meant = [b for b in err.branches if b and not all(_type_mismatch(e, err.path) for e in b)]
    if len(meant) == 1:
        out: list[tuple[tuple[str | int, ...], str]] = []
        for sub in meant[0]:
            out.extend(_word(sub))
        return out
    if meant and all(len(b) == 1 and b[0].path == err.path and not b[0].branches for b in meant):
        # e.g. achievementType: not in the enum, nor an "ext:" extension.
        messages = [_word(b[0])[0][1] for b in meant]
        return [(err.path, _one_line("; or ".join(messages)))]
    if not meant:
        wanted = _wanted_types(err)
        if wanted:
            got = _TYPE_NAMES.get(_json_type(err.instance), "null")
            return [(err.path, f"expected {' or '.join(_TYPE_NAMES.get(t, t) for t in wanted)}, got {got}")]
    return [(err.path, "matches none of the allowed forms")]


def _type_mismatch(err: _Err, path: tuple[str | int, ...]) -> bool:
    """True when ``err`` only says "this value has the wrong JSON type" (possibly nested in oneOf)."""
    if err.path != path:
        return False
    if err.keyword == "type":
        return True
    if err.keyword in ("oneOf", "anyOf") and err.branches:
        return all(b and all(_type_mismatch(e, path) for e in b) for b in err.branches)
    return False


def _wanted_types(err: _Err) -> list[str]:
    wanted: list[str] = []
    for branch in err.branches:
        for e in branch:
            found = e.detail if e.keyword == "type" else _wanted_types(e)
            wanted.extend(t for t in (found or []) if t not in wanted)
    return wanted


__all__ = [
    "SchemaProblem",
    "validate_credential",
    "validate_achievement",
    "validate_profile",
    "json_path",
    "load_schema",
    "ACHIEVEMENT_CREDENTIAL_SCHEMA",
    "ACHIEVEMENT_CREDENTIAL_SCHEMA_STRICT",
    "ENDORSEMENT_CREDENTIAL_SCHEMA",
    "PROFILE_SCHEMA",
]

"""badgekit.schema: the fast engine (jsonschema_rs) agrees with the reference (jsonschema), offline."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badgekit import schema
from badgekit.schema import (
    SchemaProblem,
    validate_achievement,
    validate_credential,
    validate_profile,
)

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
SIMPLE = "1edtech-validator-ob30/simple.json"
COMPLETE = "1edtech-validator-ob30/complete.json"


def _vector_files() -> list[Path]:
    out = []
    for p in sorted(VECTORS.rglob("*.json")):
        if isinstance(json.loads(p.read_text(encoding="utf-8")), dict):
            out.append(p)
    return out


def _load(rel: str) -> dict[str, Any]:
    return json.loads((VECTORS / rel).read_text(encoding="utf-8"))


def _both(doc: Any, **kw: Any) -> tuple[list[SchemaProblem], list[SchemaProblem]]:
    return validate_credential(doc, engine="fast", **kw), validate_credential(doc, engine="reference", **kw)


# ---------------------------------------------------------------------------------------------
# vectors


@pytest.mark.parametrize("path", _vector_files(), ids=lambda p: str(p.relative_to(VECTORS)))
@pytest.mark.parametrize("strict", [False, True], ids=["schema", "strict"])
def test_engines_agree_on_every_vector(path: Path, strict: bool) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    fast, reference = _both(doc, strict=strict)
    assert fast == reference


@pytest.mark.parametrize(
    "rel",
    [
        SIMPLE,
        COMPLETE,
        "1edtech-validator-ob30/simple-did-key-method.json",
        "1edtech-validator-ob30/simple-multiple-proofs.json",
        "1edtech-ob3-ldp/credential.signed.json",
        "1edtech-validator-ob30/endorsement-valid.json",
    ],
)
def test_known_good_vectors_are_valid(rel: str) -> None:
    assert _both(_load(rel)) == ([], [])


def test_vc_1_1_vector_fails_with_named_paths() -> None:
    fast, reference = _both(_load("1edtech-validator-ob30/simple_v1.json"))
    assert fast == reference
    paths = {p.path for p in fast}
    assert "$.validFrom" in paths
    assert "$['@context'][0]" in paths


def test_endorsement_uses_the_endorsement_schema() -> None:
    doc = _load("1edtech-validator-ob30/endorsement-valid.json")
    assert validate_credential(doc) == []
    # Against the achievement schema it would fail (no achievement subject):
    assert schema._validate(doc, schema.ACHIEVEMENT_CREDENTIAL_SCHEMA, None, "fast")


# ---------------------------------------------------------------------------------------------
# bad dates: format checking is on in both engines


@pytest.mark.parametrize("member", ["validFrom", "validUntil", "awardedDate"])
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_yesterday_is_not_a_date_time(member: str, engine: str) -> None:
    doc = _load(SIMPLE)
    doc[member] = "yesterday"
    problems = validate_credential(doc, engine=engine)  # type: ignore[arg-type]
    assert SchemaProblem(f"$.{member}", '"yesterday" is not a valid date-time') in problems


@pytest.mark.parametrize(
    "value",
    [
        "2024-01-01T00:00:00Z",
        "2024-01-01t00:00:00z",
        "2024-01-01T00:00:00.123456789+05:30",
        "2024-02-29T00:00:00-00:00",
        "2023-02-29T00:00:00Z",
        "2024-01-01T23:59:60Z",  # leap second: the reference rejects it, jsonschema_rs alone would not
        "0000-01-01T00:00:00Z",  # year 0: idem
        "2024-01-01T00:00:00",  # no zone
        "2024-01-01 00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-13-01T00:00:00Z",
        "２０２４-01-01T00:00:00Z",
        "",
    ],
)
def test_date_time_edge_cases_agree(value: str) -> None:
    doc = _load(SIMPLE)
    doc["validFrom"] = value
    fast, reference = _both(doc)
    assert fast == reference


def test_fast_format_checkers_match_jsonschema_format_checker() -> None:
    from jsonschema import FormatChecker

    checker = FormatChecker()
    samples = [
        "2024-01-01T00:00:00Z", "2024-01-01T23:59:60Z", "0000-01-01T00:00:00Z", "2024-02-30T00:00:00Z",
        "2024-01-01t10:00:00+01:00", "2024-01-01T10:00:00+24:00", "2024-01-01", "2024-02-30", "0000-01-01",
        "2024-1-01", "yesterday", "",
    ]
    for _ in range(2):  # the second time from what is_date_time remembers
        for s in samples:
            assert schema.is_date_time(s) == checker.conforms(s, "date-time"), s
            assert schema.is_date(s) == checker.conforms(s, "date"), s
    for n in range(3000):
        assert schema.is_date_time(f"2024-01-01T00:00:00.{n}Z")
    assert len(schema._DATE_TIMES) <= 1024  # remembered, bounded


# ---------------------------------------------------------------------------------------------
# mutated documents: same failing paths in both engines


def _set(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def _delete(doc: dict[str, Any], path: tuple[Any, ...]) -> None:
    node: Any = doc
    for part in path[:-1]:
        node = node[part]
    del node[path[-1]]


MUTATIONS: list[tuple[str, str, tuple[Any, ...], Any, str]] = [
    # (id, action, path, value, a path that must be reported)
    ("no-name", "del", ("credentialSubject", "achievement", "name"), None, "$.credentialSubject.achievement.name"),
    ("no-criteria", "del", ("credentialSubject", "achievement", "criteria"), None, "$.credentialSubject.achievement.criteria"),
    ("no-issuer", "del", ("issuer",), None, "$.issuer"),
    ("no-validFrom", "del", ("validFrom",), None, "$.validFrom"),
    ("bad-validFrom", "set", ("validFrom",), "2024-13-01T00:00:00Z", "$.validFrom"),
    ("type-string", "set", ("type",), "OpenBadgeCredential", "$.type"),
    ("type-no-vc", "set", ("type",), ["OpenBadgeCredential"], "$.type"),
    ("context-order", "set", ("@context",), ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://www.w3.org/ns/credentials/v2"], "$['@context'][0]"),
    ("achievementType", "set", ("credentialSubject", "achievement", "achievementType"), "Diploma of Awesome", "$.credentialSubject.achievement.achievementType"),
    ("image-string", "set", ("credentialSubject", "achievement", "image"), "https://example.edu/x.png", "$.credentialSubject.achievement.image"),
    ("image-extra", "set", ("credentialSubject", "achievement", "image"), {"id": "https://example.edu/x.png", "type": "Image", "alt": "x"}, "$.credentialSubject.achievement.image.alt"),
    ("credits-string", "set", ("credentialSubject", "achievement", "creditsAvailable"), "3", "$.credentialSubject.achievement.creditsAvailable"),
    ("identity-type", "set", ("credentialSubject", "identifier"), [{"type": "IdentityObject", "hashed": True, "identityHash": "x", "identityType": "email", "salt": "s"}], "$.credentialSubject.identifier[0].identityType"),
    ("alignment-no-url", "set", ("credentialSubject", "achievement", "alignment"), [{"type": ["Alignment"], "targetName": "x"}], "$.credentialSubject.achievement.alignment[0].targetUrl"),
    ("subject-type", "set", ("credentialSubject", "type"), ["Subject"], "$.credentialSubject.type"),
    ("proof-not-array", "set", ("proof",), "x", "$.proof"),
]


#: Single values where arrays belong pass the compaction-tolerant schema, fail the strict one.
STRICT_ONLY = {"$.type", "$.proof"}


@pytest.mark.parametrize("rel", [SIMPLE, COMPLETE])
@pytest.mark.parametrize(("action", "path", "value", "expected"), [m[1:] for m in MUTATIONS], ids=[m[0] for m in MUTATIONS])
def test_mutations_fail_identically(rel: str, action: str, path: tuple[Any, ...], value: Any, expected: str) -> None:
    doc = _load(rel)
    if action == "del":
        _delete(doc, path)
    else:
        _set(doc, path, copy.deepcopy(value))
    for strict in (False, True):
        fast, reference = _both(doc, strict=strict)
        assert fast == reference
        if strict or expected not in STRICT_ONLY:
            assert expected in {p.path for p in fast}, [str(p) for p in fast]


def _leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_leaf_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_leaf_paths(v, (*prefix, i)))
    return out


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.sampled_from(["", "x", "Image", "Achievement", "2024-01-01T00:00:00Z", "2024-01-01", "urn:uuid:1", "ext:Thing"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(["id", "type", "name", "x"]), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_mutations_agree(data: st.DataObject) -> None:
    doc = _load(COMPLETE)
    paths = _leaf_paths(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _leaf_paths(doc)
        if not paths:
            break
        target = data.draw(st.sampled_from(paths))
        if data.draw(st.booleans()):
            _delete(doc, target)
        else:
            _set(doc, target, data.draw(_json_values))
    fast, reference = _both(doc)
    assert fast == reference


# ---------------------------------------------------------------------------------------------
# achievement and profile


def test_validate_achievement_paths_are_relative() -> None:
    achievement = _load(SIMPLE)["credentialSubject"]["achievement"]
    assert validate_achievement(achievement) == []
    del achievement["name"]
    achievement["image"] = "https://example.edu/x.png"
    for engine in ("fast", "reference"):
        problems = validate_achievement(achievement, engine=engine)  # type: ignore[arg-type]
        assert SchemaProblem("$.name", "is required") in problems
        assert SchemaProblem("$.image", "expected an object, got a string") in problems


def test_validate_achievement_strict_wants_arrays() -> None:
    achievement = _load(SIMPLE)["credentialSubject"]["achievement"]
    achievement["type"] = "Achievement"
    assert validate_achievement(achievement) == []
    assert validate_achievement(achievement, strict=True) == [SchemaProblem("$.type", "expected an array, got a string")]
    assert validate_achievement(achievement, strict=True, engine="reference") == validate_achievement(achievement, strict=True)


def test_validate_profile() -> None:
    profile = {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "type": ["Profile"], "name": "Example University"}
    assert validate_profile(profile) == []
    assert validate_profile({"type": ["Profile"], "image": "x"}) == [
        SchemaProblem("$.id", "is required"),
        SchemaProblem("$.image", "expected an object, got a string"),
    ]
    assert validate_profile({"type": ["Profile"], "image": "x"}, engine="reference") == validate_profile({"type": ["Profile"], "image": "x"})


def test_messages_are_one_short_line() -> None:
    doc = _load(COMPLETE)
    doc["credentialSubject"]["achievement"]["achievementType"] = "x" * 500
    doc["credentialSubject"]["achievement"]["creator"] = "y" * 500
    for p in validate_credential(doc):
        assert "\n" not in p.message and len(p.message) <= 300


# ---------------------------------------------------------------------------------------------
# plumbing


def test_json_path_quotes_odd_names() -> None:
    assert schema.json_path([]) == "$"
    assert schema.json_path(["credentialSubject", "achievement", "name"]) == "$.credentialSubject.achievement.name"
    assert schema.json_path(["@context", 0]) == "$['@context'][0]"
    assert schema.json_path(["it's"]) == "$['it\\'s']"


def test_validators_are_compiled_once() -> None:
    validate_credential(_load(SIMPLE))
    first = schema._validator(schema.ACHIEVEMENT_CREDENTIAL_SCHEMA, None, "fast")
    validate_credential(_load(SIMPLE))
    assert schema._validator(schema.ACHIEVEMENT_CREDENTIAL_SCHEMA, None, "fast") is first


def test_unknown_engine() -> None:
    with pytest.raises(ValueError, match="unknown schema engine"):
        validate_credential({}, engine="slow")  # type: ignore[arg-type]


def test_bundled_schemas_only_reference_themselves() -> None:
    folder = Path(schema.__file__).parent / "data" / "schemas"
    for path in folder.rglob("*.json"):
        text = path.read_text(encoding="utf-8")
        for ref in json.loads(json.dumps([v for v in _refs(json.loads(text))])):
            assert ref.startswith("#/"), (path.name, ref)


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_reference_engine_never_fetches_external_refs() -> None:
    from referencing.exceptions import Unresolvable

    validator = schema._compile_reference(
        {"$schema": "https://json-schema.org/draft/2019-09/schema", "$id": "urn:test:x", "$ref": "https://example.com/other.json"}
    )
    with pytest.raises(Unresolvable):
        list(validator.iter_errors({}))


def test_importing_schema_does_not_import_the_engines() -> None:
    code = "import sys, badgekit.schema; print('jsonschema' in sys.modules, 'jsonschema_rs' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]

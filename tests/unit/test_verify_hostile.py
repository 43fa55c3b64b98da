"""Tampered and hostile input: ``badgekit verify`` never crashes and never says "valid" for it.

Properties, over a credential badgekit signed with the fixed test key and clock:

1. tamper => never valid: every leaf changed, every key deleted, array entries repeated, ``@list``
   entries reordered, defined terms added, types changed. Metamorphic: re-spellings that keep the
   RDF (key order, whitespace, ``\\u0041`` escapes, the order of set-valued arrays, a single proof
   as an object) keep the verdict valid.
2. JSON parser traps (duplicate keys, NaN, 1e400, unpaired surrogates, encodings, sizes).
3. JSON-LD traps (contexts, keywords, re-spellings that hide properties from JSON readers).
4. Data Integrity proof traps. 5. VC-JWT traps. 6. baked PNG/SVG traps (and ``baking.extract``).

Every report of a hostile file: verdict invalid or indeterminate, exit code 1 or 3, one-line
reasons, every check reported, done in well under 5 s. A few go through the CLI too.
Hypothesis runs derandomized with small budgets, so CI is deterministic and quick.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
import re
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from badgekit import baking, did, jsonld, jwt, proof, status
from badgekit._io import MAX_INPUT_BYTES
from badgekit.errors import BadgekitError
from badgekit.keys import Ed25519Key
from badgekit.verify import (
    CHECKS,
    VerificationReport,
    VerifyOptions,
    parse_timestamp,
    verify_bytes,
    verify_path,
)
from tests.conftest import FIXED_NOW, TEST_SEED, run_cli
from tests.invalid.images import make_hostile as MH

HERE = Path(__file__).resolve().parent
INVALID = HERE.parent / "invalid"
KEY = Ed25519Key.from_seed(TEST_SEED)
OTHER = Ed25519Key.from_seed(bytes(range(32)))
AT = parse_timestamp(FIXED_NOW)
CREATED = "2025-01-01T00:00:00Z"
LIST_URL = "https://example.edu/status/revocation/1"
INDEX = 8
#: Most CPU seconds a single hostile file may take (the whole module runs in a few seconds). CPU
#: time of this process (time.process_time), not wall time: a busy shared machine running the
#: suite under coverage (scripts/test) stretched a 1 s case to 5.4 s of wall time.
SECONDS = 5.0


def _status_list(*revoked: int) -> dict[str, Any]:
    bits = status.Bitstring()
    for i in revoked:
        bits.set(i)
    lst = status.list_credential(LIST_URL, "revocation", bits, issuer=KEY.did_key, valid_from=CREATED)
    return status.sign_list_credential(lst, KEY.signer(), created=CREATED)


OPTIONS = VerifyOptions(at=AT, status_lists={LIST_URL: _status_list()})
REVOKED = dataclasses.replace(OPTIONS, status_lists={LIST_URL: _status_list(INDEX)})


def rich_credential() -> dict[str, Any]:
    """An OB 3.0 credential touching every part verify reads: issuer profile, hashed identifier,
    achievement with an ``@list`` (allowedValue), result, evidence, dates, status."""
    return {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:9f0b1d2e-0000-4000-8000-0000000000aa",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": KEY.did_key, "type": ["Profile"], "name": "Test Issuer", "url": "https://example.edu/",
                   "email": "badges@example.edu"},
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "name": "Teamwork",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "Kosher",
                            "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"}],
            "creditsEarned": 3.5,
            "achievement": {
                "id": "https://example.edu/achievements/1",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": "Test",
                "description": "A test badge.",
                "criteria": {"id": "https://example.edu/criteria/1", "narrative": "Pass the test."},
                "tag": ["teamwork", "peer-assessed"],
                "resultDescription": [{"id": "urn:uuid:9f0b1d2e-0000-4000-8000-0000000000bb", "type": ["ResultDescription"],
                                       "name": "Grade", "resultType": "LetterGrade", "allowedValue": ["A", "B", "C"]}],
            },
            "result": [{"type": ["Result"], "resultDescription": "urn:uuid:9f0b1d2e-0000-4000-8000-0000000000bb", "value": "A"}],
        },
        "evidence": [{"id": "https://example.edu/evidence/1", "type": ["Evidence"], "name": "Project", "narrative": "Did it."}],
        "credentialStatus": status.status_entry(LIST_URL, INDEX, "revocation"),
    }


def sign(cred: dict[str, Any], key: Ed25519Key = KEY, **options: Any) -> dict[str, Any]:
    """``cred`` signed with the fixed key and clock; extra proof ``options`` (expires, ...) are signed too."""
    opts = {**proof.proof_options(key.signer().verification_method, created=CREATED), **options}
    data = proof.hash_data(cred, opts)
    return {**cred, "proof": [{**opts, "proofValue": "z" + did.b58encode(key.signer().sign(data.hash_data))}]}


SIGNED = sign(rich_credential())


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def verify(data: bytes | dict[str, Any] | str, options: VerifyOptions = OPTIONS) -> VerificationReport:
    """Verify, asserting what holds for every file: no exception, all checks reported with
    one-line reasons, an exit code matching the verdict, and quick."""
    raw = dumps(data) if isinstance(data, dict) else data.encode("utf-8") if isinstance(data, str) else data
    start = time.process_time()
    report = verify_bytes(raw, source="hostile", options=options)
    elapsed = time.process_time() - start
    assert elapsed < SECONDS, f"took {elapsed:.1f} s"
    assert [c.id for c in report.checks] == [cid for cid, _ in CHECKS]
    for c in report.checks:
        assert c.reason and "\n" not in c.reason and len(c.reason) <= 600, c
        assert "Traceback" not in c.reason
    assert int(report.exit_code) == {"valid": 0, "invalid": 1, "indeterminate": 3}[report.verdict]
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")  # printable as --json (no lone surrogates)
    return report


def refused(data: bytes | dict[str, Any] | str, options: VerifyOptions = OPTIONS, *, check: str | None = None,
            says: str | None = None) -> VerificationReport:
    """Verify ``data`` and assert it is not valid (and, given ``check``, that this check is what said so)."""
    report = verify(data, options)
    assert report.verdict in ("invalid", "indeterminate"), _bad(report)
    assert int(report.exit_code) in (1, 3)
    if check is not None:
        result = report.check(check)
        assert result is not None and result.status in ("failed", "indeterminate"), _bad(report)
        if says is not None:
            assert says in result.reason, result.reason
    return report


def valid(data: bytes | dict[str, Any] | str, options: VerifyOptions = OPTIONS) -> VerificationReport:
    report = verify(data, options)
    assert report.verdict == "valid", _bad(report)
    return report


def _bad(report: VerificationReport) -> list[str]:
    return [f"{c.id}: {c.status}: {c.reason}" for c in report.checks if c.status not in ("passed", "skipped")]


def leaves(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, (*at, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, (*at, i))
    else:
        yield at, node


def containers(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, (dict, list)):
        yield at, node
        for k, v in (node.items() if isinstance(node, dict) else enumerate(node)):
            yield from containers(v, (*at, k))


def at_path(doc: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def changed(path: tuple[Any, ...], fn: Callable[[Any], Any]) -> dict[str, Any]:
    """A deep copy of SIGNED with the value at ``path`` replaced by ``fn(old)``."""
    doc = copy.deepcopy(SIGNED)
    parent = at_path(doc, path[:-1])
    parent[path[-1]] = fn(parent[path[-1]])
    return doc


LEAVES = list(leaves(SIGNED))


def _other_values(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value, str(value).lower()]
    if isinstance(value, (int, float)):
        return [value + 1, -value, str(value)]
    assert isinstance(value, str)
    return [value + "x", value[:-1], value.swapcase(), " " + value, ""]


# ---------------------------------------------------------------------------------------------
# 1. tamper => never valid; re-spellings that keep the RDF stay valid


def test_the_signed_credential_is_valid():
    report = valid(SIGNED)
    assert report.check("status").status == "passed" and report.check("signature").status == "passed"
    assert len(LEAVES) > 50


def test_every_changed_leaf_is_never_valid():
    for path, value in LEAVES:
        for new in _other_values(value):
            if new == value:
                continue
            report = refused(changed(path, lambda _, new=new: new))
            assert report.verdict != "valid", (path, new)


def test_every_deleted_key_is_never_valid():
    for path, node in containers(SIGNED):
        if isinstance(node, dict):
            for key in node:
                doc = copy.deepcopy(SIGNED)
                del at_path(doc, path)[key]
                refused(doc)


def test_every_repeated_array_entry_is_never_valid():
    # The proof array is the exception: a proof set of two identical proofs is two valid proofs
    # (tests/unit/test_verify.py::test_proof_sets), and a proof is not part of what is signed.
    arrays = [(path, node) for path, node in containers(SIGNED) if isinstance(node, list) and path != ("proof",)]
    assert len(arrays) > 8
    for path, node in arrays:
        for i in range(len(node)):
            refused(changed(path, lambda old, i=i: [*old, copy.deepcopy(old[i])]))


def test_repeated_set_entries_fail_the_contexts_check_not_just_the_signature():
    # JSON-LD merges the copies, so the RDF (and the signature) is unchanged: safe mode refuses.
    for path in (("type",), ("@context",), ("credentialSubject", "achievement", "tag"), ("evidence",)):
        report = refused(changed(path, lambda old: [*old, old[-1]]), check="contexts", says="lists the same value twice")
        assert report.check("signature").status == "skipped"


def test_reordered_list_entries_are_never_valid():
    path = ("credentialSubject", "achievement", "resultDescription", 0, "allowedValue")  # "@container": "@list"
    refused(changed(path, lambda old: list(reversed(old))), check="signature")
    refused(changed(path, lambda old: [*old, "A"]))  # a list keeps repeats (other RDF); safe mode refuses them anyway


def test_reordered_set_entries_stay_valid():
    for path in (("type",), ("credentialSubject", "achievement", "tag")):
        valid(changed(path, lambda old: list(reversed(old))))


def test_context_order_matters():
    refused(changed(("@context",), lambda old: list(reversed(old))), check="contexts")


def test_every_added_defined_term_is_never_valid():
    added = 0
    for path, node in containers(SIGNED):
        if isinstance(node, dict) and "description" not in node:
            doc = copy.deepcopy(SIGNED)
            at_path(doc, path)["description"] = "added after signing"
            refused(doc)
            added += 1
    assert added > 8
    refused(changed(("proof", 0), lambda p: {**p, "nonce": "x"}), check="signature")  # defined by DI v2
    refused(changed(("proof", 0), lambda p: {**p, "expires": "2030-01-01T00:00:00Z"}), check="signature")


def test_every_changed_type_is_never_valid():
    others = ["Evidence", "Alignment", "Profile", "Achievement", "EndorsementCredential"]
    for path, value in LEAVES:
        if "type" in path and isinstance(value, str):
            for other in others:
                if other != value:
                    refused(changed(path, lambda _, other=other: other))


def test_undefined_property_fails_the_contexts_check():
    # JSON-LD would silently drop the term (so it is not signed): safe mode fails instead.
    for path, node in containers(SIGNED):
        if isinstance(node, dict) and "proof" not in path:
            doc = copy.deepcopy(SIGNED)
            at_path(doc, path)["favouriteColour"] = "blue"
            refused(doc, check="contexts", says="favouriteColour")


_scalars = (st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=12))
_json_values = (_scalars | st.lists(_scalars, max_size=3)
                | st.dictionaries(st.text(max_size=8), _scalars | st.lists(_scalars, max_size=2), max_size=3))


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([p for p, _ in LEAVES]), _json_values)
def test_any_leaf_replaced_by_any_json_is_never_valid(path, value):
    old = at_path(SIGNED, path)
    # A value and a one-element array of it are the same RDF (compaction): not a change.
    assume(value != old and value != [old])
    refused(changed(path, lambda _: value))


def _respell(node: Any, rnd: Any) -> Any:
    """The same JSON-LD with keys shuffled and set-valued arrays (type, tag) reordered."""
    if isinstance(node, list):
        return [_respell(v, rnd) for v in node]
    if not isinstance(node, dict):
        return node
    items = [(k, _respell(v, rnd)) for k, v in node.items()]
    rnd.shuffle(items)
    out = dict(items)
    for key in ("type", "tag"):
        if isinstance(out.get(key), list):
            out[key] = rnd.sample(out[key], len(out[key]))
    return out


def _escape_some(text: str, rnd: Any) -> str:
    """``text`` (JSON) with some characters inside strings written as ``\\uXXXX`` escapes."""
    out: list[str] = []
    i, in_string = 0, False
    while i < len(text):
        c = text[i]
        if in_string and c == "\\":
            width = 6 if text[i + 1] == "u" else 2
            out.append(text[i:i + width])
            i += width
            continue
        if c == '"':
            in_string = not in_string
        elif in_string and rnd.random() < 0.3:
            c = "".join(f"\\u{u:04x}" for u in struct.unpack(f">{len(c.encode('utf-16-be')) // 2}H", c.encode("utf-16-be")))
        out.append(c)
        i += 1
    return "".join(out)


@settings(max_examples=15, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False), st.sampled_from([None, 0, 1, 3, "\t"]), st.booleans(), st.booleans(),
       st.sampled_from(["", "\n", "\r\n  \t"]))
def test_respelt_json_stays_valid(rnd, indent, ascii_only, escape, trailing):
    doc = copy.deepcopy(SIGNED)
    doc["name"] = "Teamwork é ✓ 😀"  # non-ASCII, and a character outside the BMP (a surrogate pair when escaped)
    doc = sign({k: v for k, v in doc.items() if k != "proof"})
    text = json.dumps(_respell(doc, rnd), indent=indent, ensure_ascii=ascii_only) + trailing
    if escape:
        text = _escape_some(text, rnd)
    if rnd.random() < 0.3:
        text = "\ufeff" + text  # a UTF-8 byte order mark
    valid(text)


def test_single_proof_object_and_alias_type_stay_valid():
    valid({**SIGNED, "proof": SIGNED["proof"][0]})
    valid({**SIGNED, "type": ["VerifiableCredential", "AchievementCredential"]})  # same IRI as OpenBadgeCredential


# ---------------------------------------------------------------------------------------------
# 2. JSON parser traps

TEXT = json.dumps(SIGNED, ensure_ascii=False)
TOP_NAME = '"name": "Teamwork"'
assert TEXT.count(TOP_NAME) == 1


def test_duplicate_keys_are_refused_at_parse():
    # Python keeps the last value, other parsers the first: whichever was signed, refuse.
    for twice in ('"name": "Leadership", "name": "Teamwork"', '"name": "Teamwork", "name": "Leadership"'):
        refused(TEXT.replace(TOP_NAME, twice), check="parse", says="duplicate key 'name'")
    nested = TEXT.replace('"narrative": "Pass the test."', '"narrative": "x", "narrative": "Pass the test."')
    refused(nested, check="parse", says="duplicate key")
    refused(TEXT[:-1] + ', "proof": []}', check="parse", says="duplicate key 'proof'")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" * 400, "-" + "9" * 5000, "1" * 100_000])
def test_numbers_json_parsers_disagree_on_are_refused(number):
    report = refused(TEXT.replace('"creditsEarned": 3.5', f'"creditsEarned": {number}'), check="parse")
    assert "set_int_max_str_digits" not in report.check("parse").reason


@pytest.mark.parametrize("where", ["value", "key", "low", "reversed pair"])
def test_unpaired_surrogates_are_refused(where):
    text = {
        "value": TEXT.replace(TOP_NAME, '"name": "Team\\ud800work"'),
        "key": TEXT.replace(TOP_NAME, '"\\udfff": "Teamwork"'),
        "low": TEXT.replace(TOP_NAME, '"name": "\\udc00"'),
        "reversed pair": TEXT.replace(TOP_NAME, '"name": "\\ude00\\ud83d"'),
    }[where]
    refused(text, check="parse", says="unpaired UTF-16 surrogate")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("non-UTF-8 bytes", TEXT.encode().replace(b"Teamwork", b"Team\xffwork", 1)),
        ("UTF-16 with BOM", TEXT.encode("utf-16")),
        ("UTF-16-LE without BOM", TEXT.encode("utf-16-le")),
        ("UTF-32", TEXT.encode("utf-32")),
        ("two BOMs", b"\xef\xbb\xbf\xef\xbb\xbf" + TEXT.encode()),
        ("trailing garbage", TEXT.encode() + b"garbage"),
        ("a second object", TEXT.encode() + b"{}"),
        ("a comment", b"// signed\n" + TEXT.encode()),
        ("truncated", TEXT.encode()[:-1]),
        ("empty", b""),
        ("null", b"null"),
        ("an array", b"[" + TEXT.encode() + b"]"),
        ("a NUL byte", TEXT.encode().replace(b"Teamwork", b"Team\x00work", 1)),
    ],
)
def test_malformed_json_fails_parse(name, data):
    refused(data, check="parse")


def test_utf8_bom_is_tolerated():
    valid(b"\xef\xbb\xbf" + TEXT.encode())


def test_oversized_input_is_refused_by_size_before_parsing(tmp_path, monkeypatch):
    from badgekit import _envelope

    def no_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parsed an oversized input")

    monkeypatch.setattr(_envelope, "loads_json_shape", no_parse)
    big = TEXT.replace(TOP_NAME, '"name": "' + "A" * MAX_INPUT_BYTES + '"').encode()
    refused(big, check="parse", says="larger than")
    path = tmp_path / "big.json"
    path.write_bytes(big)
    report = verify_path(path, OPTIONS)
    assert report.check("parse").status == "failed" and "larger than" in report.check("parse").reason


@pytest.mark.parametrize(
    "name",
    ["10 MB string", "deep arrays", "deep objects", "100k keys", "100k proofs", "100k contexts", "100k identifiers",
     "10k evidence objects"],
)
def test_big_wide_and_deep_json_is_bounded(name):
    sub = SIGNED["credentialSubject"]
    doc: Any = {
        "10 MB string": lambda: TEXT.replace(TOP_NAME, '"name": "' + "A" * 10_000_000 + '"'),
        "deep arrays": lambda: TEXT[:-1] + ', "evidence": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "deep objects": lambda: TEXT[:-1] + ', "evidence": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}",
        "100k keys": lambda: {**SIGNED, "credentialSubject": {**sub, **{f"k{i}": i for i in range(100_000)}}},
        "100k proofs": lambda: {**SIGNED, "proof": [{"type": "DataIntegrityProof"}] * 100_000},
        "100k contexts": lambda: {**SIGNED, "@context": [jsonld.VC_V2, jsonld.OB_V3] * 50_000},
        "100k identifiers": lambda: {**SIGNED, "credentialSubject": {**sub, "identifier": [{"type": "IdentityObject"}] * 100_000}},
        "10k evidence objects": lambda: {**SIGNED, "evidence": [{"id": f"https://e.example/{i}", "type": ["Evidence"]}
                                                                for i in range(10_000)]},
    }[name]()
    refused(doc)


# ---------------------------------------------------------------------------------------------
# 3. JSON-LD traps


def _with(fn: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    doc = copy.deepcopy(SIGNED)
    fn(doc)
    return doc


JSONLD_TRAPS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "remote context": lambda d: d["@context"].append("https://attacker.example/ctx.jsonld"),
    "unknown context nested": lambda d: d["credentialSubject"].__setitem__("@context", "https://attacker.example/ctx"),
    "@context null": lambda d: d.__setitem__("@context", None),
    "@context null entry": lambda d: d["@context"].append(None),
    "nested @context null": lambda d: d["credentialSubject"].__setitem__("@context", None),
    "inline context": lambda d: d["@context"].append({"name": "https://attacker.example/title"}),
    "@protected redefinition": lambda d: d["@context"].append({"@version": 1.1, "name": {"@id": "https://attacker.example/n"}}),
    "@vocab": lambda d: d["@context"].append({"@vocab": "https://attacker.example/"}),
    "@base": lambda d: d["@context"].append({"@base": "https://attacker.example/"}),
    "VC 1.1 context first": lambda d: d["@context"].__setitem__(0, jsonld.VC_V1),
    "superseded OB context": lambda d: d["@context"].__setitem__(1, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"),
    "1000 contexts": lambda d: d["@context"].extend([jsonld.VC_V2] * 1000),
    "every bundled context": lambda d: d["@context"].extend(u for u in jsonld.PINNED_CONTEXTS if u not in d["@context"]),
    "@graph": lambda d: d.__setitem__("@graph", [{"id": "urn:x:1", "name": "x"}]),
    "@graph wrapper": lambda d: (d.clear(), d.update({"@context": SIGNED["@context"], "@graph": [copy.deepcopy(SIGNED)]})),
    "@reverse": lambda d: d.__setitem__("@reverse", {"name": "x"}),
    "@included": lambda d: d.__setitem__("@included", [{"id": "urn:x:1", "type": ["Profile"], "name": "x"}]),
    "@nest": lambda d: d.__setitem__("@nest", {"description": "x"}),
    "@json literal": lambda d: d.__setitem__("description", {"@value": {"a": [1, 2]}, "@type": "@json"}),
    "@json literal huge": lambda d: d.__setitem__("description", {"@value": {"a": "x" * 5_000_000}, "@type": "@json"}),
    "@json literal many values": lambda d: d.__setitem__("description", {"@value": list(range(60_000)), "@type": "@json"}),
    "@value object": lambda d: d.__setitem__("name", {"@value": "Teamwork", "@language": "en"}),
    "@id instead of id": lambda d: d["evidence"][0].__setitem__("@id", d["evidence"][0].pop("id")),
    "@type instead of type": lambda d: d["evidence"][0].__setitem__("@type", d["evidence"][0].pop("type")),
    "@index": lambda d: d.__setitem__("@index", "x"),
    "@language": lambda d: d.__setitem__("@language", "en"),
    "@direction": lambda d: d.__setitem__("@direction", "rtl"),
    "unknown keyword": lambda d: d.__setitem__("@foo", "x"),
    "IRI as property name": lambda d: d.__setitem__("https://schema.org/description", "x"),
    "compact IRI as property name": lambda d: d.__setitem__("schema:description", "x"),
    "IRI with a space": lambda d: d["evidence"][0].__setitem__("id", "https://example.edu/evidence 1"),
    "relative IRI": lambda d: d["credentialSubject"].__setitem__("id", "learner"),
    "blank node id": lambda d: d["credentialSubject"].__setitem__("id", "_:b0"),
    "undefined type": lambda d: d["credentialSubject"]["achievement"]["type"].append("GoldBadge"),
    "type as IRI": lambda d: d["credentialStatus"].__setitem__("type", "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"),
    "many blank nodes": lambda d: d["credentialSubject"].__setitem__("result", [{"type": ["Result"], "value": str(i)} for i in range(990)]),
    "look-alike blank nodes": lambda d: d["credentialSubject"].__setitem__("result", [  # RDFC-1.0 poison graph
        *({"id": f"_:hub{h}", "type": ["Result"]} for h in range(2)),
        *({"type": ["Result"], "value": {"id": f"_:hub{h}"}} for h in range(2) for _ in range(8))]),
}
#: Odd but meaningful JSON-LD: refused once tampered with, valid when the issuer signs it as is.
SIGNABLE = {"blank node id", "many blank nodes"}
#: Not worth signing in a test: PyLD takes seconds over 1000 contexts (verify refuses them at once).
NOT_SIGNED = {"1000 contexts"}


@pytest.mark.parametrize("name", sorted(JSONLD_TRAPS))
def test_jsonld_traps_are_never_valid(name):
    doc = _with(JSONLD_TRAPS[name])
    refused(doc)
    # Signed by the issuer after the change (when badgekit can sign it at all): still not valid,
    # so safe mode, not only the signature, is what refuses it.
    if name in NOT_SIGNED:
        return
    try:
        resigned = sign({k: v for k, v in doc.items() if k != "proof"})
    except (BadgekitError, TypeError, ValueError):
        return
    if name in SIGNABLE:
        valid(resigned)
    else:
        refused(resigned)


def test_revoked_credential_cannot_hide_its_status():
    refused(SIGNED, REVOKED, check="status", says="revoked")
    status_iri = "https://www.w3.org/2018/credentials#credentialStatus"
    for respelt in (
        {(status_iri if k == "credentialStatus" else k): v for k, v in SIGNED.items()},  # full IRI: same RDF
        {**{k: v for k, v in SIGNED.items() if k != "credentialStatus"}, "@nest": {"credentialStatus": SIGNED["credentialStatus"]}},
        {**{k: v for k, v in SIGNED.items() if k != "credentialStatus"}, "cred:credentialStatus": SIGNED["credentialStatus"]},
    ):
        refused(respelt, REVOKED, check="contexts")


def test_expired_credential_cannot_hide_valid_until():
    later = dataclasses.replace(OPTIONS, at=parse_timestamp("2031-01-01T00:00:00Z"))
    refused(SIGNED, later, check="validity", says="expired")
    nested = {**{k: v for k, v in SIGNED.items() if k != "validUntil"}, "@nest": {"validUntil": SIGNED["validUntil"]}}
    refused(nested, later, check="contexts", says="@nest")


def test_proof_options_cannot_hide_expires():
    expired = sign(rich_credential(), expires="2025-06-30T00:00:00Z")
    refused(expired, check="proof-structure", says="expired")
    p = expired["proof"][0]
    hidden = {**expired, "proof": [{**{k: v for k, v in p.items() if k != "expires"}, "@nest": {"expires": p["expires"]}}]}
    refused(hidden, check="contexts")


# ---------------------------------------------------------------------------------------------
# 4. Data Integrity proof traps

P256 = "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
X25519 = "z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F"
MB = KEY.public_key_multibase
PV = SIGNED["proof"][0]["proofValue"]


def _proof(**fields: Any) -> dict[str, Any]:
    return _with(lambda d: d["proof"][0].update(fields))


PROOF_TRAPS: dict[str, Callable[[], Any]] = {
    "proofValue not multibase": lambda: _proof(proofValue=PV[1:]),
    "proofValue base64url multibase": lambda: _proof(proofValue="u" + "A" * 86),
    "proofValue too short": lambda: _proof(proofValue=PV[:20]),
    "proofValue too long": lambda: _proof(proofValue=PV + "2222"),
    "proofValue invalid base58": lambda: _proof(proofValue="z0OIl" + PV[5:]),
    "proofValue 10 MB": lambda: _proof(proofValue="z" + "2" * 10_000_000),
    "proofValue empty": lambda: _proof(proofValue="z"),
    "proofValue number": lambda: _proof(proofValue=5),
    "proofValue missing": lambda: _with(lambda d: d["proof"][0].pop("proofValue")),
    "another did:key": lambda: _proof(verificationMethod=did.did_key_verification_method(OTHER.public_key)),
    "another did:key signing": lambda: sign(rich_credential(), OTHER),
    "did:key P-256": lambda: _proof(verificationMethod=f"did:key:{P256}#{P256}"),
    "did:key X25519": lambda: _proof(verificationMethod=f"did:key:{X25519}#{X25519}"),
    "did:key fragment mismatch": lambda: _proof(verificationMethod=f"did:key:{MB}#{OTHER.public_key_multibase}"),
    "did:key 1 MB": lambda: _proof(verificationMethod="did:key:z" + "2" * 1_000_000),
    "fragment key 1 MB": lambda: _proof(verificationMethod="https://example.edu/issuers/1#z6Mk" + "2" * 1_000_000),
    "did:web unresolvable": lambda: _proof(verificationMethod="did:web:attacker.example#key-1"),
    "verificationMethod object": lambda: _proof(verificationMethod={"id": f"did:key:{MB}#{MB}"}),
    "proof is a string": lambda: {**SIGNED, "proof": "z" + PV},
    "proof is null": lambda: {**SIGNED, "proof": None},
    "proof is empty": lambda: {**SIGNED, "proof": []},
    "proof is nested array": lambda: {**SIGNED, "proof": [SIGNED["proof"]]},
    "proof type as array": lambda: _proof(type=["DataIntegrityProof"]),
    "cryptosuite upper case": lambda: _proof(cryptosuite="EDDSA-RDFC-2022"),
    "cryptosuite with space": lambda: _proof(cryptosuite="eddsa-rdfc-2022 "),
    "cryptosuite ecdsa": lambda: _proof(cryptosuite="ecdsa-rdfc-2019"),
    "proof type lower case": lambda: _proof(type="dataIntegrityProof"),
    "proofPurpose authentication": lambda: _proof(proofPurpose="authentication"),
    "created changed to the future": lambda: _proof(created="2099-01-01T00:00:00Z"),
    "created in the future, signed": lambda: sign(rich_credential(), created="2027-01-01T00:00:00Z"),
    "created not a date, signed": lambda: sign(rich_credential(), created="yesterday"),
    "created a number": lambda: _proof(created=5),
    "expired, signed": lambda: sign(rich_credential(), expires="2025-06-30T00:00:00Z"),
    "previousProof, signed": lambda: sign(rich_credential(), id="urn:uuid:p2", previousProof="urn:uuid:p1"),
    "100 proofs": lambda: {**SIGNED, "proof": SIGNED["proof"] * 100},
    "100 unknown proofs and a good one": lambda: {**SIGNED, "proof": SIGNED["proof"] + [{"type": "X"}] * 100},
    "only unknown proofs": lambda: {**SIGNED, "proof": [{"type": "BbsBlsSignature2020", "proofPurpose": "assertionMethod"}]},
}


@pytest.mark.parametrize("name", sorted(PROOF_TRAPS))
def test_proof_traps_are_never_valid(name):
    report = refused(PROOF_TRAPS[name]())
    assert not any("could not process" in c.reason for c in report.checks), _bad(report)  # no internal error


def test_proof_created_in_the_future_fails_proof_structure():
    refused(sign(rich_credential(), created="2027-01-01T00:00:00Z"), check="proof-structure", says="after the verification time")
    # A few minutes of clock skew between signer and verifier are tolerated.
    valid(sign(rich_credential(), created="2026-01-15T12:04:00Z"))


def test_proof_dates_are_xsd_date_time_stamps():
    # VC Data Integrity 1.0: created/expires are dateTimeStamps (offset within ±14:00, upper-case Z).
    refused(sign(rich_credential(), created="2026-01-15T12:00:00+14:30"), check="proof-structure", says="not within ±14:00")
    refused(sign(rich_credential(), created="2026-01-15T11:00:00z"), check="proof-structure", says="upper case")
    valid(sign(rich_credential(), created="2026-01-16T01:00:00+14:00"))  # 11:00Z


def test_huge_proof_value_is_refused_by_its_length():
    refused(PROOF_TRAPS["proofValue 10 MB"](), check="proof-structure", says="characters long")


def test_huge_did_key_is_refused_by_its_length():
    start = time.process_time()
    with pytest.raises(did.DidError, match="characters long"):
        did.decode_multikey_public("z6Mk" + "2" * 1_000_000)  # base58 decoding is quadratic: never decoded
    with pytest.raises(ValueError, match="longer than"):
        did.b58decode("2" * 10_000_000)
    assert time.process_time() - start < 1
    refused(PROOF_TRAPS["did:key 1 MB"](), check="issuer-key")


def test_proof_type_as_array_is_a_clean_failure():
    report = refused(PROOF_TRAPS["proof type as array"](), check="proof-structure")
    assert "TypeError" not in report.check("proof-structure").reason


def test_a_previous_proof_naming_no_proof_fails_proof_structure():
    refused(PROOF_TRAPS["previousProof, signed"](), check="proof-structure", says="previousProof names 'urn:uuid:p1'")


# ---------------------------------------------------------------------------------------------
# 5. VC-JWT traps


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


KID = did.did_key_verification_method(KEY.public_key)
GOOD_JWT = jwt.sign_vc_jwt(rich_credential(), KEY, kid=KID)
HEADER = json.loads(base64.urlsafe_b64decode(GOOD_JWT.split(".")[0] + "=="))
PAYLOAD = json.loads(base64.urlsafe_b64decode(GOOD_JWT.split(".")[1] + "=" * (-len(GOOD_JWT.split(".")[1]) % 4)))


def token(header: Any = None, payload: Any = None, *, raw_header: bytes | None = None, raw_payload: bytes | None = None,
          key: Ed25519Key | None = KEY) -> str:
    h = b64(raw_header if raw_header is not None else json.dumps(HEADER if header is None else header).encode())
    p = b64(raw_payload if raw_payload is not None else json.dumps(PAYLOAD if payload is None else payload).encode())
    signature = key.sign(f"{h}.{p}".encode()) if key is not None else b""
    return f"{h}.{p}.{b64(signature)}"


JWT_TRAPS: dict[str, Callable[[], str]] = {
    "alg none": lambda: token({**HEADER, "alg": "none"}, key=None),
    "alg None": lambda: token({**HEADER, "alg": "None"}, key=None),
    "alg HS256": lambda: token({**HEADER, "alg": "HS256"}),
    "alg 'EdDSA '": lambda: token({**HEADER, "alg": "EdDSA "}),
    "alg as array": lambda: token({**HEADER, "alg": ["EdDSA"]}),
    "alg RS256 with an Ed25519 key": lambda: token({**HEADER, "alg": "RS256"}),
    "kid path traversal": lambda: token({**HEADER, "kid": "../../../etc/passwd"}),
    "kid did:key path traversal": lambda: token({**HEADER, "kid": "did:key:../../etc/passwd"}),
    "kid file URL": lambda: token({**HEADER, "kid": "file:///etc/passwd"}),
    "kid number": lambda: token({**HEADER, "kid": 5}),
    "kid another did:key": lambda: token({**HEADER, "kid": did.did_key_verification_method(OTHER.public_key)}),
    "kid P-256 did:key": lambda: token({**HEADER, "alg": "ES256", "kid": f"did:key:{P256}#{P256}"}),
    "jwk with private d": lambda: token({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(KEY.public_key), "d": "AA"}}),
    # Only a jwk header: the did:key issuer is its key, so another key is refused offline (the
    # issuer's own key is valid: test_jwk_only_header_with_the_issuers_did_key_is_valid).
    "jwk only, another key": lambda: token({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(OTHER.public_key)}},
                                           key=OTHER),
    "jwk only, another key's signature": lambda: token({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519",
                                                                                "x": b64(KEY.public_key)}}, key=OTHER),
    "jwk not an object": lambda: token({"alg": "EdDSA", "jwk": "x"}),
    "crit header": lambda: token({**HEADER, "crit": ["exp"], "exp": 1}),
    "b64 false": lambda: token({**HEADER, "b64": False}),
    "typ JOSE": lambda: token({**HEADER, "typ": "JOSE"}),
    "header duplicate alg": lambda: token(raw_header=b'{"alg":"none","alg":"EdDSA","kid":"' + KID.encode() + b'"}'),
    "header NaN": lambda: token(raw_header=b'{"alg":"EdDSA","kid":"' + KID.encode() + b'","typ":NaN}'),
    "header unpaired surrogate": lambda: token(raw_header=b'{"alg":"EdDSA","kid":"\\ud800"}'),
    "header deep": lambda: token(raw_header=b'{"alg":"EdDSA","x":' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "header not JSON": lambda: token(raw_header=b"not json"),
    "payload not JSON": lambda: token(raw_payload=b"not json"),
    "payload an array": lambda: token(raw_payload=b"[1]"),
    "payload not UTF-8": lambda: token(raw_payload=b"\xff\xfe"),
    "payload duplicate keys": lambda: token(raw_payload=json.dumps(PAYLOAD)[:-1].encode() + b', "name": "Evil"}'),
    "payload 5 MB": lambda: token(payload={**PAYLOAD, "description": "x" * 5_000_000}, key=OTHER),
    "vc claim and top-level credential": lambda: token(payload={k: v for k, v in {**PAYLOAD, "vc": rich_credential()}.items() if k != "nbf"}),
    "vc claim not an object": lambda: token(payload={**PAYLOAD, "vc": "x"}),
    "nbf disagrees with validFrom": lambda: token(payload={**PAYLOAD, "nbf": PAYLOAD["nbf"] + 1}),
    "exp disagrees with validUntil": lambda: token(payload={**PAYLOAD, "exp": PAYLOAD["exp"] + 1}),
    "nbf a string": lambda: token(payload={**PAYLOAD, "nbf": "2025"}),
    "nbf 1e300": lambda: token(payload={**PAYLOAD, "nbf": 1e300}),
    "iss another issuer": lambda: token(payload={**PAYLOAD, "iss": "did:example:mallory"}),
    "sub another subject": lambda: token(payload={**PAYLOAD, "sub": "did:example:mallory"}),
    "status hidden in @nest": lambda: token(payload={**{k: v for k, v in PAYLOAD.items() if k != "credentialStatus"},
                                                     "@nest": {"credentialStatus": PAYLOAD["credentialStatus"]}}),
    "signature of another payload": lambda: ".".join(GOOD_JWT.split(".")[:2] + [token(payload={**PAYLOAD, "name": "x"}).split(".")[2]]),
    "empty signature": lambda: ".".join(GOOD_JWT.split(".")[:2]) + ".",
    "1 MB signature": lambda: ".".join(GOOD_JWT.split(".")[:2]) + "." + "A" * 1_000_000,
    "non-base64url characters": lambda: GOOD_JWT.replace(".", ".+", 1),
    "padded base64": lambda: GOOD_JWT.split(".")[0] + "==." + ".".join(GOOD_JWT.split(".")[1:]),
    "four parts": lambda: GOOD_JWT + ".x",
    "five parts (JWE)": lambda: "a.b.c.d.e",
}


def test_the_signed_jwt_is_valid():
    valid(GOOD_JWT)
    valid("\n  " + GOOD_JWT + "\n")


@pytest.mark.parametrize("name", sorted(JWT_TRAPS))
def test_jwt_traps_are_never_valid(name):
    report = refused(JWT_TRAPS[name]())
    assert not any("could not process" in c.reason for c in report.checks), _bad(report)


def test_jwk_only_header_with_the_issuers_did_key_is_valid():
    valid(token({"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": b64(KEY.public_key)}}))
    refused(JWT_TRAPS["jwk only, another key"](), check="issuer-key", says="not the key of the issuer")


def test_jwt_payload_with_duplicate_keys_fails_parse():
    refused(JWT_TRAPS["payload duplicate keys"](), check="parse", says="duplicate key 'name'")


def test_jwt_with_a_vc_claim_and_a_top_level_credential_is_ambiguous():
    refused(JWT_TRAPS["vc claim and top-level credential"](), check="proof-structure", says="ambiguous")


# ---------------------------------------------------------------------------------------------
# 6. baked image traps


NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
CRED_ELEMENT = f"<openbadges:credential><![CDATA[{TEXT}]]></openbadges:credential>"


def svg(inner: str, ns: str = NS, head: str = "") -> bytes:
    return f"{head}<svg {ns}>{inner}</svg>".encode()


def _png_good() -> bytes:
    return MH.tiny_png([MH.credential_chunk(TEXT)])


def _flip_last_crc_byte(png: bytes) -> bytes:
    """Corrupt the CRC of the chunk just before IEND (the credential chunk)."""
    i = png.rindex(b"IEND") - 5
    return png[:i] + bytes([png[i] ^ 0xFF]) + png[i + 1:]


def _itxt_raw(body: bytes) -> bytes:
    return MH.tiny_png([MH.chunk(b"iTXt", b"openbadgecredential\x00" + body)])


IMAGE_TRAPS: dict[str, Callable[[], bytes]] = {
    "PNG bad CRC": lambda: _flip_last_crc_byte(_png_good()),
    "PNG two credential chunks": lambda: MH.tiny_png([MH.credential_chunk(TEXT), MH.credential_chunk(TEXT)]),
    "PNG credential beside an OB 2.0 assertion": lambda: MH.tiny_png([MH.credential_chunk(TEXT),
                                                                      MH.itxt(b"openbadges", MH.OB2_ASSERTION.encode())]),
    "PNG OB 2.0 assertion before the credential": lambda: MH.tiny_png([MH.itxt(b"openbadges", MH.OB2_ASSERTION.encode()),
                                                                       MH.credential_chunk(TEXT)]),
    "PNG tEXt and iTXt credentials": lambda: MH.tiny_png([MH.chunk(b"tEXt", b"openbadgecredential\x00{}"), MH.credential_chunk(TEXT)]),
    "PNG zTXt credential": lambda: MH.tiny_png([MH.chunk(b"zTXt", b"openbadgecredential\x00\x00" + zlib.compress(TEXT.encode()))]),
    "PNG compressed iTXt bomb": lambda: MH.tiny_png([MH.itxt(b"openbadgecredential", b" " * (16 * 1024 * 1024), compressed=True)]),
    "PNG iTXt compression method 1": lambda: _itxt_raw(b"\x00\x01\x00\x00" + TEXT.encode()),
    "PNG chunk length 2^31": lambda: (lambda g: g[:33] + struct.pack(">I", 2**31) + b"tEXt" + b"x" * 16)(_png_good()),
    "PNG chunk length 2^31-1": lambda: (lambda g: g[:33] + struct.pack(">I", 2**31 - 1) + b"tEXt" + b"x" * 16)(_png_good()),
    "PNG truncated": lambda: _png_good()[:-5],
    "PNG truncated in half": lambda: _png_good()[: len(_png_good()) // 2],
    "PNG signature only": lambda: MH.SIGNATURE,
    "PNG IHDR 100000x100000": lambda: MH.tiny_png([MH.credential_chunk(TEXT)], width=100_000, height=100_000),
    "PNG IHDR 0x0": lambda: MH.tiny_png([MH.credential_chunk(TEXT)], width=0, height=0),
    "PNG 100k tiny chunks": lambda: MH.tiny_png([MH.chunk(b"tEXt", b"k\x00v")] * 100_001 + [MH.credential_chunk(TEXT)]),
    "PNG data after IEND": lambda: _png_good() + b"hidden",
    "PNG credential after IEND": lambda: MH.tiny_png() + MH.credential_chunk(TEXT),
    "PNG empty credential": lambda: MH.tiny_png([MH.credential_chunk("")]),
    "PNG credential not UTF-8": lambda: _itxt_raw(b"\x00\x00\x00\x00\xff"),
    "PNG credential with duplicate keys": lambda: MH.tiny_png([MH.credential_chunk(TEXT.replace(TOP_NAME, '"name": "X", ' + TOP_NAME))]),
    "PNG credential is a PNG": lambda: _itxt_raw(b"\x00\x00\x00\x00" + _png_good()),
    "JSON named .png": lambda: b"not json, not png",
    "PNG bad signature": lambda: b"\x89PNX\r\n\x1a\n" + _png_good()[8:],
    "SVG billion laughs": lambda: (INVALID / "images" / "svg-billion-laughs.svg").read_bytes(),
    "SVG external entity": lambda: (INVALID / "images" / "svg-external-entity.svg").read_bytes(),
    "SVG parameter entity": lambda: (INVALID / "images" / "svg-parameter-entity.svg").read_bytes(),
    "SVG DOCTYPE with an empty internal subset": lambda: svg(CRED_ELEMENT, head="<!DOCTYPE svg []>"),
    "SVG XInclude inside the credential": lambda: svg('<openbadges:credential><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                                      'href="file:///etc/passwd" parse="text"/></openbadges:credential>'),
    "SVG two credentials": lambda: svg(CRED_ELEMENT + CRED_ELEMENT),
    "SVG credential beside an OB 2.0 assertion": lambda: svg(
        CRED_ELEMENT + '<openbadges:assertion xmlns:openbadges="http://openbadges.org">'
        f"<![CDATA[{MH.OB2_ASSERTION}]]></openbadges:assertion>"),
    "SVG OB 2.0 assertion before the credential": lambda: svg(
        f'<openbadges:assertion xmlns:openbadges="http://openbadges.org" verify="https://example.org/assertions/2">'
        f"<![CDATA[{MH.OB2_ASSERTION}]]></openbadges:assertion>" + CRED_ELEMENT),
    "SVG two credentials, other prefix": lambda: svg(CRED_ELEMENT + CRED_ELEMENT.replace("openbadges:", "ob:"),
                                                     ns=NS + ' xmlns:ob="https://purl.imsglobal.org/ob/v3p0"'),
    "SVG wrong namespace URI": lambda: svg(CRED_ELEMENT, ns=NS.replace("/ob/v3p0", "/spec/ob/v3p0")),
    "SVG unbound prefix": lambda: svg(CRED_ELEMENT, ns='xmlns="http://www.w3.org/2000/svg"'),
    "SVG unsplit ]]> in CDATA": lambda: svg(CRED_ELEMENT.replace("Teamwork", "Team]]>work", 1)),
    "SVG credential with a child element": lambda: svg(f"<openbadges:credential><g/><![CDATA[{TEXT}]]></openbadges:credential>"),
    "SVG verify attribute and body": lambda: svg(CRED_ELEMENT.replace("<openbadges:credential>", '<openbadges:credential verify="a.b.c">')),
    "SVG verify attribute not a JWS": lambda: svg('<openbadges:credential verify="x.y.z"></openbadges:credential>'),
    "SVG NUL character reference": lambda: svg("<openbadges:credential>&#0;</openbadges:credential>"),
    "SVG UTF-16": lambda: svg(CRED_ELEMENT).decode().encode("utf-16"),
    "SVG unknown encoding": lambda: svg(CRED_ELEMENT, head='<?xml version="1.0" encoding="cp500"?>'),
    "SVG junk after the root": lambda: svg(CRED_ELEMENT) + b"<x/>",
    "SVG root is html": lambda: b"<html>" + svg(CRED_ELEMENT) + b"</html>",
    "SVG credential with duplicate keys": lambda: svg(CRED_ELEMENT.replace(TOP_NAME, '"name": "X", ' + TOP_NAME)),
    "SVG 10k nested elements, tampered": lambda: svg("<g>" * 10_000 + "</g>" * 10_000 + CRED_ELEMENT.replace("Teamwork", "Leadership", 1)),
    "SVG huge attribute, tampered": lambda: svg(CRED_ELEMENT.replace("Teamwork", "Leadership", 1), ns=NS + f' data-x="{"a" * 10_000_000}"'),
}


def test_baked_images_are_valid_controls():
    valid(_png_good())
    valid(svg(CRED_ELEMENT))
    # Tolerated, because they do not change what the credential says: another prefix bound to the
    # OB namespace, the element not first or nested, a bare DOCTYPE (never loaded), deep nesting.
    valid(svg(CRED_ELEMENT.replace("openbadges:", "ob:"), ns='xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"'))
    valid(svg("<rect/><g>" + CRED_ELEMENT + "</g>"))
    valid(svg(CRED_ELEMENT, head='<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "file:///etc/passwd">'))
    valid(svg("<g>" * 10_000 + "</g>" * 10_000 + CRED_ELEMENT))
    # A credential holding "]]>" is split across CDATA sections when baked, and read back intact.
    cred = rich_credential()
    cred["name"] = "Team]]>work\r\n<![CDATA[x"
    text = json.dumps(sign(cred), ensure_ascii=False)
    valid(baking.bake(b'<svg xmlns="http://www.w3.org/2000/svg"/>', text, source="t"))


@pytest.mark.parametrize("name", sorted(IMAGE_TRAPS))
def test_image_traps_are_never_valid_and_extract_only_raises_badgekit_errors(name):
    data = IMAGE_TRAPS[name]()
    report = refused(data)
    assert not any("could not process" in c.reason for c in report.checks), _bad(report)
    try:
        baking.extract(data, source=name)
    except BadgekitError as exc:
        assert exc.message and "\n" not in exc.message
    # else: extraction is fine, verification is what refused it


# ---------------------------------------------------------------------------------------------
# the command line


CLI_CASES: dict[str, Callable[[], bytes]] = {
    "duplicate-keys.json": lambda: TEXT.replace(TOP_NAME, '"name": "Leadership", ' + TOP_NAME).encode(),
    "unpaired-surrogate.json": lambda: TEXT.replace(TOP_NAME, '"name": "\\ud800"').encode(),
    "huge-number.json": lambda: TEXT.replace('"creditsEarned": 3.5', '"creditsEarned": ' + "9" * 5000).encode(),
    "huge-proof-value.json": lambda: dumps(PROOF_TRAPS["proofValue 10 MB"]()),
    "status-in-nest.json": lambda: dumps({**{k: v for k, v in SIGNED.items() if k != "credentialStatus"},
                                          "@nest": {"credentialStatus": SIGNED["credentialStatus"]}}),
    "alg-none.jwt": lambda: JWT_TRAPS["alg none"]().encode(),
    "bomb.png": IMAGE_TRAPS["PNG compressed iTXt bomb"],
    "two-chunks.png": IMAGE_TRAPS["PNG two credential chunks"],
    "laughs.svg": IMAGE_TRAPS["SVG billion laughs"],
    "not-a-png.png": lambda: TEXT.encode()[:100],
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_cli_verify_hostile_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name]())
    start = time.process_time()
    result = run_cli("verify", path, "--json", "--at", FIXED_NOW, ok=None)
    assert time.process_time() - start < SECONDS
    assert result.exit_code in (1, 3), (result.exit_code, result.output)
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["verdict"] in ("invalid", "indeterminate") and report["exitCode"] == result.exit_code
    assert all(c["reason"] and "\n" not in c["reason"] for c in report["checks"])
    human = run_cli("verify", path, "--at", FIXED_NOW, ok=None)
    assert human.exit_code == result.exit_code and "Traceback" not in human.stderr


@pytest.mark.parametrize("name", ["bomb.png", "two-chunks.png", "laughs.svg", "not-a-png.png"])
def test_cli_extract_hostile_image(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CLI_CASES[name]())
    result = run_cli("extract", path, "--json", ok=None)
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_cli_json_extract_refuses_duplicate_keys(tmp_path):
    path = tmp_path / "dup.png"
    path.write_bytes(IMAGE_TRAPS["PNG credential with duplicate keys"]())
    result = run_cli("extract", path, "--json", ok=2)
    assert "duplicate key 'name'" in result.stderr


def test_cli_process_prints_reports_of_hostile_files_on_a_real_stdout(tmp_path):
    """A real process (not CliRunner): stdout is a UTF-8 stream that refuses lone surrogates."""
    for name in ("unpaired-surrogate.json", "duplicate-keys.json"):
        (tmp_path / name).write_bytes(CLI_CASES[name]())
    result = subprocess.run([sys.executable, "-m", "badgekit", "verify", str(tmp_path), "--json", "--at", FIXED_NOW],
                            capture_output=True, text=True, timeout=60, check=False, cwd=HERE.parent.parent)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    reports = json.loads(result.stdout)
    assert [r["verdict"] for r in reports] == ["invalid", "invalid"]
    assert all(re.search(r"duplicate key|surrogate", r["checks"][0]["reason"]) for r in reports)

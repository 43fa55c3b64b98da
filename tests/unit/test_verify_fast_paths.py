"""The fast paths of verification (issue 18) are provably the reference path: the same reports.

* One walk of the parsed credential (``badgekit._io.JsonShape``) replaces the walks of check 1
  (depth, JSON values), check 3 (JSON objects, JSON-LD safe mode, embedded contexts) and check 11
  (embedded endorsements) whenever it shows they can find nothing; check 6 reuses check 3's
  canonical form (``CanonCache``, by identity); the credentials of a run share check 5's finding
  per verification method and issuer, and equal check results. ``_state.FAST_PATHS = False`` is
  the reference: every walk runs and nothing is reused.
* Differential: every credential of the valid corpus (tests/vectors, generated credentials) and
  of the invalid corpus (tests/invalid, tests/invalid/images, and variants built here) gets the
  same report both ways, alone and within one run over its whole corpus: the JSON (and the
  ``--jsonl`` line), the one-line and the full human report.
* Properties: on generated JSON, the shape's counts equal the reference counters, and where the
  shape says a walk can find nothing, the walk finds nothing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgekit import _io, jsonld, status
from badgekit._io import json_depth, json_shape, load_json_file
from badgekit.limits import BIG, count_objects, count_values, find_endorsements
from badgekit.verify import (
    TrustList,
    VerifyOptions,
    _state,
    parse_timestamp,
    verify_bytes,
    verify_path,
)
from badgekit.verify._canon import CanonCache
from badgekit.verify._checks_document import _embedded_context_problem, _may_be_respelt
from tests.cli.test_verify_invalid import MI
from tests.conftest import VECTORS

INVALID = Path(__file__).resolve().parents[1] / "invalid"
SUPPORT = INVALID / "support"

OPTIONS = VerifyOptions(
    at=parse_timestamp(MI.FIXED_NOW),
    status_lists={**status.load_status_lists([str(SUPPORT / "lists")]),
                  MI.SWAPPED_LIST: load_json_file(SUPPORT / "revocation-2-list.json")},
    trust=TrustList.load(SUPPORT / "trust.json"),
    recipient=MI.RECIPIENT,
)
VECTOR_OPTIONS = VerifyOptions(at=parse_timestamp(MI.FIXED_NOW), trust=TrustList.load(VECTORS / "1edtech-trust.json"))


def _files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in suffixes)


VECTOR_FILES = _files(VECTORS, (".json", ".png", ".svg", ".jwt"))
INVALID_FILES = [p for p in _files(INVALID, (".json", ".jwt", ".png", ".svg")) if "support" not in p.parts]


def _signed(doc: dict[str, Any]) -> bytes:
    # Signed as they are (RDFC-1.0 without safe mode, as a careless issuer would sign them).
    return json.dumps(MI.sign(doc, canonize=MI._lenient_canonize)).encode()


#: Valid credentials of other kinds (endorsed, eddsa-jcs-2022, VC-JWT; a suite not implemented).
VALID = {"control": MI.valid_control(), "endorsed": json.dumps(MI.valid_endorsed()).encode(),
         "eddsa-jcs-2022": MI.valid_eddsa_jcs_2022(), "jwk-only-jwt": MI.valid_jwk_only_jwt(),
         "unimplemented-suite": MI.unimplemented_suite()}


def _variants() -> dict[str, bytes]:
    """Credentials signed as they are, each with what one screen of the shape looks for."""
    base = MI.base_credential()
    out: dict[str, bytes] = dict(VALID)

    def variant(name: str, change: Any) -> None:
        doc = copy.deepcopy(base)
        change(doc)
        out[name] = _signed(doc)

    ach = lambda d: d["credentialSubject"]["achievement"]  # noqa: E731
    variant("two-distinct-tags", lambda d: ach(d).__setitem__("tag", ["a", "b"]))
    variant("repeated-tag", lambda d: ach(d).__setitem__("tag", ["a", "a"]))
    variant("numbers-in-an-array", lambda d: ach(d).__setitem__("tag", [1, 1.0]))
    variant("two-objects-with-ids", lambda d: d.__setitem__("evidence", [{"id": "https://e.example/1", "type": ["Evidence"]},
                                                                        {"id": "https://e.example/1", "type": ["Evidence"]}]))
    variant("two-blank-objects", lambda d: d.__setitem__("evidence", [{"type": ["Evidence"], "name": "x"},
                                                                     {"type": ["Evidence"], "name": "x"}]))
    variant("value-object", lambda d: ach(d).__setitem__("name", {"@value": "Badge", "@language": "en"}))
    variant("iri-property", lambda d: ach(d).__setitem__("https://schema.org/name", "x"))
    variant("compact-iri-property", lambda d: ach(d).__setitem__("schema:name", "x"))
    variant("nested-context", lambda d: ach(d).__setitem__("@context", [d["@context"][0]]))
    variant("keyword", lambda d: ach(d).__setitem__("@nest", {"name": "x"}))
    variant("endorsement-key-no-endorsement", lambda d: ach(d).__setitem__("endorsement", []))
    return out


VARIANTS = _variants()


def _reports(monkeypatch: pytest.MonkeyPatch, verify: Any) -> tuple[Any, Any]:
    monkeypatch.setattr(_state, "FAST_PATHS", False)
    reference = verify()
    monkeypatch.setattr(_state, "FAST_PATHS", True)
    return verify(), reference


def _same(fast: Any, reference: Any) -> None:
    from badgekit.cli import verify as cli_verify

    assert fast.to_dict() == reference.to_dict()
    assert fast.to_json_line() == json.dumps(reference.to_dict(), ensure_ascii=False)
    assert cli_verify.report_line(fast, recipient=MI.RECIPIENT) == cli_verify.report_line(reference, recipient=MI.RECIPIENT)
    assert cli_verify.render_report(fast, width=100) == cli_verify.render_report(reference, width=100)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_valid_corpus_vectors_get_the_reference_report(path, monkeypatch):
    _same(*_reports(monkeypatch, lambda: verify_path(path, VECTOR_OPTIONS)))


@pytest.mark.parametrize("path", INVALID_FILES, ids=lambda p: str(p.relative_to(INVALID)))
def test_invalid_corpus_gets_the_reference_report(path, monkeypatch):
    _same(*_reports(monkeypatch, lambda: verify_path(path, OPTIONS)))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variants_get_the_reference_report(name, monkeypatch):
    fast, reference = _reports(monkeypatch, lambda: verify_bytes(VARIANTS[name], source=name, options=OPTIONS))
    _same(fast, reference)
    if name in VALID:
        assert fast.verdict == ("indeterminate" if name == "unimplemented-suite" else "valid"), fast.to_json()


def _one_run(units: list[tuple[str, bytes]], options: VerifyOptions) -> list[Any]:
    fresh = dataclasses.replace(options, memo={}, key_memo={})  # one run: its own shared memos
    return [verify_bytes(data, source=source, options=fresh) for source, data in units]


@pytest.mark.parametrize("order", ["forward", "reversed"])
def test_one_run_over_each_corpus_gets_the_reference_reports(order, monkeypatch):
    """What a run's credentials share (status list verdicts, check 5's finding per verification
    method and issuer, equal check results) changes no report, whatever came before in the run."""
    runs = [([(str(p), p.read_bytes()) for p in VECTOR_FILES], VECTOR_OPTIONS),
            ([(str(p), p.read_bytes()) for p in INVALID_FILES] + sorted(VARIANTS.items()), OPTIONS)]
    for units, options in runs:
        units = units[::-1] if order == "reversed" else units
        fast, reference = _reports(monkeypatch, lambda: _one_run(units, options))  # noqa: B023
        assert len(fast) == len(reference) == len(units)
        for f, r in zip(fast, reference, strict=True):
            assert f.to_dict() == r.to_dict()
            assert f.to_json_line() == json.dumps(r.to_dict(), ensure_ascii=False)


#: What the shape of each variant leaves to a reference walk (the others skip every walk).
SCREENED: dict[str, str | set[str]] = {"repeated-tag": "respelt", "numbers-in-an-array": "respelt", "two-objects-with-ids": "respelt",
            "two-blank-objects": "respelt", "value-object": "respelt", "iri-property": "respelt",
            "compact-iri-property": "respelt", "keyword": "respelt", "nested-context": "nested",
            "endorsement-key-no-endorsement": "endorsements", "endorsed": {"endorsements", "nested"},
            "eddsa-jcs-2022": "nested"}  # an eddsa-jcs-2022 proof carries the credential's @context


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_the_shape_leaves_to_the_reference_walk_what_it_may_find(name):
    doc = json.loads(VARIANTS[name]) if VARIANTS[name].startswith(b"{") else None
    if doc is None:
        return  # a VC-JWT: its claims' shape is tested by the differential tests above
    shape = json_shape(doc)
    walks = {"respelt": _may_be_respelt(shape), "nested": "@context" in shape.inner_keys,
             "endorsements": not shape.keys.isdisjoint({"endorsement", "endorsementJwt"})}
    wanted = SCREENED.get(name, set())
    assert {w for w, needed in walks.items() if needed} == ({wanted} if isinstance(wanted, str) else wanted)


def test_the_reference_walks_are_skipped_on_a_clean_credential(monkeypatch):
    """What makes the fast path fast: on an ordinary credential none of the reference walks runs
    (each would fail the test), the unsigned document is canonicalised once, and the report is valid."""
    from badgekit.verify import _checks_document, _endorsements

    data = MI.valid_control()  # signed before the spies are in place
    credential = json.loads(data)

    def walked(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("walked the document again")

    monkeypatch.setattr(jsonld, "json_form_problem", walked)
    monkeypatch.setattr(_checks_document, "_embedded_context_problem", walked)
    monkeypatch.setattr(_endorsements, "find_endorsements", walked)
    monkeypatch.setattr(_io, "json_depth", walked)
    canonised: list[object] = []
    real = jsonld.canonize
    monkeypatch.setattr(jsonld, "canonize", lambda doc, **kw: canonised.append(doc) or real(doc, **kw))
    report = verify_bytes(data, source="control.json", options=OPTIONS)
    assert report.verdict == "valid", report.to_json()
    assert [d for d in canonised if d.get("id") == credential["id"]] == [{k: v for k, v in credential.items() if k != "proof"}]


def test_the_canonical_form_is_reused_only_for_the_same_values():
    cache = CanonCache()
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "urn:uuid:1", "name": ["a"]}
    cache.remember(doc, "remembered")
    assert cache(dict(doc)) == "remembered"  # a new dict holding the same value objects
    changed = {**doc, "name": ["a"]}  # an equal but other list: computed, not reused
    assert cache(changed) != "remembered"
    reordered = {"id": doc["id"], "@context": doc["@context"], "name": doc["name"]}
    assert cache(reordered) != "remembered"
    reference = CanonCache(reuse=False)
    reference.remember(doc, "remembered")
    assert reference(dict(doc)) != "remembered"


# -- the shape: counts equal the reference counters; "nothing to find" is never wrong ----------

KEYS = st.sampled_from(["id", "type", "name", "proof", "@context", "@value", "@nest", "schema:name", "endorsement",
                        "endorsementJwt", "a"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, 2.5]),
                    st.sampled_from(["a", "b", "https://x.example/1", "did:key:z6Mk"]))
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
                    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_the_shape_counts_what_the_reference_counters_count(value):
    shape = json_shape(value)
    assert shape.depth == json_depth(value)
    assert shape.values == count_values(value, BIG)
    assert shape.objects == count_objects(value, BIG)
    assert shape.repeats == _may_repeat(value)


def _may_repeat(value: Any) -> bool:
    """Some array has two or more entries that are not all distinct strings (recursively)."""
    if isinstance(value, dict):
        return any(_may_repeat(v) for v in value.values())
    if not isinstance(value, list):
        return False
    mine = len(value) > 1 and (not all(type(v) is str for v in value) or len(set(value)) != len(value))
    return mine or any(_may_repeat(v) for v in value)


def _keys(value: Any, *, top: bool = True) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        if not top:
            found |= set(value)
        for v in value.values():
            found |= _keys(v, top=False)
    elif isinstance(value, list):
        for v in value:
            found |= _keys(v, top=False)
    return found


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(KEYS, JSON, max_size=5))
def test_where_the_shape_says_nothing_can_be_found_the_walks_find_nothing(doc):
    shape = json_shape(doc)
    assert shape.keys == frozenset(doc) | _keys(doc)
    assert shape.inner_keys == frozenset(_keys(doc))
    if not _may_be_respelt(shape):
        assert jsonld.json_form_problem(doc) is None
    if "@context" not in shape.inner_keys:
        assert _embedded_context_problem(doc, lambda url: False) is None
    if shape.keys.isdisjoint({"endorsement", "endorsementJwt"}):
        assert find_endorsements(doc) == []


@pytest.mark.parametrize(("value", "repeats"), [
    (["a", "b"], False), (["a", "a"], True), ([1, 2], True), (["a", None], True), ([{"id": "x"}], False),
    ([[], []], True), ({"k": ["x", "y", "x"]}, True), ("a", False),
])
def test_an_array_may_repeat_a_value_unless_its_entries_are_distinct_strings(value, repeats):
    assert json_shape(value).repeats is repeats


def test_a_folder_expands_to_what_iterdir_gave(tmp_path):
    # expand_paths lists a folder with os.scandir (no stat per file): the same files, same order.
    from badgekit.verify import CREDENTIAL_SUFFIXES, expand_paths

    for name in ("b.json", "a.PNG", "c.svg", "d.jwt", "e.txt", ".hidden.json", "f.", "g..json", "h.json.", "Z.json"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "dir.json").mkdir()
    (tmp_path / "link.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "dirlink.json").symlink_to(tmp_path / "dir.json")
    (tmp_path / "broken.json").symlink_to(tmp_path / "missing.json")
    reference = sorted(c for c in tmp_path.iterdir()
                       if c.is_file() and not c.name.startswith(".") and c.suffix.lower() in CREDENTIAL_SUFFIXES)
    assert expand_paths([tmp_path]) == reference
    assert [p.name for p in reference] == ["Z.json", "a.PNG", "b.json", "c.svg", "d.jwt", "g..json", "link.json"]


@settings(max_examples=300, deadline=None)
@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=13))]),
                    min_value=datetime(2, 1, 1), max_value=datetime(9998, 1, 1)))
def test_the_remembered_iso_text_is_format_utc(when):
    from badgekit._time import format_utc
    from badgekit.verify import _text

    assert _text.iso(when) == format_utc(when)
    assert _text.iso(when.astimezone(UTC)) == format_utc(when)  # the same instant, remembered
    assert len(_text._ISO) <= _text._MAX_ISO

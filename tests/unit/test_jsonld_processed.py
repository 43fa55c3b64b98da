"""The shipped processed contexts (badgekit/data/contexts/processed-contexts.pickle) are what PyLD
computes now, and the fast canonicaliser gives the same N-Quads starting from them as from a fresh
computation (badgekit.jsonld._processed, badgekit.jsonld._contexts.shipped_processed_context)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from badgekit import jsonld
from badgekit.errors import BadgekitError
from badgekit.jsonld import _contexts, _fastcanon, _processed
from tests.conftest import VECTORS

ROOT = Path(__file__).resolve().parents[2]


def same(a: object, b: object, at: str = "$") -> None:
    """``a == b`` with the same types at every level (a frozendict is not a dict to PyLD)."""
    assert type(a) is type(b), f"{at}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, (list, tuple)):
        assert len(a) == len(b), at  # type: ignore[arg-type]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            same(x, y, f"{at}[{i}]")
    elif hasattr(a, "items"):
        assert list(a) == list(b), at  # type: ignore[call-overload]
        for k in a:  # type: ignore[attr-defined]
            if k != "_uuid":
                same(a[k], b[k], f"{at}.{k}")  # type: ignore[index]
    else:
        assert a == b, at


@pytest.mark.parametrize("urls", _contexts.SHIPPED_CONTEXT_SETS, ids=lambda u: "+".join(x.rsplit("/", 2)[-2] for x in u))
def test_shipped_context_equals_a_fresh_computation(urls):
    shipped = _contexts.shipped_processed_context(urls)
    assert shipped is not None
    same(shipped, _processed.fresh_processed_context(urls))
    again = _contexts.shipped_processed_context(urls)
    assert again is not shipped and again["_uuid"] != shipped["_uuid"]  # a fresh copy, named anew


def test_regeneration_equals_the_shipped_file():
    out = subprocess.run([sys.executable, "scripts/make_processed_contexts.py", "--check"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
    shipped = pickle.loads((ROOT / "badgekit/data/contexts" / _contexts.PROCESSED_FILE).read_bytes())
    assert set(shipped["sets"]) == set(_contexts.SHIPPED_CONTEXT_SETS)


def test_not_served_when_not_shipped_or_made_from_other_context_bytes_or_pyld(monkeypatch):
    assert _contexts.shipped_processed_context((_contexts.VC_V1,)) is None
    urls = _contexts.SHIPPED_CONTEXT_SETS[1]
    filename, _digest = _contexts.PINNED_CONTEXTS[urls[1]]
    assert _contexts.shipped_processed_context(urls) is not None
    monkeypatch.setattr(_contexts, "pyld_version", lambda: "0.0.0")  # another PyLD
    assert _contexts.shipped_processed_context(urls) is None
    monkeypatch.undo()
    monkeypatch.setitem(_contexts.PINNED_CONTEXTS, urls[1], (filename, "0" * 64))
    assert _contexts.shipped_processed_context(urls) is None


def test_only_frozendict_may_be_unpickled():
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        _contexts._unpickle(pickle.dumps(Path("x")))


def test_canonical_form_from_the_shipped_context_equals_pyld(monkeypatch):
    """Every vector whose contexts are shipped: the fast path starting from the shipped context,
    from a fresh one, and PyLD alone give the same N-Quads."""
    docs = []
    for path in sorted(VECTORS.rglob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(doc, dict) and tuple(doc.get("@context") or ()) in _contexts.SHIPPED_CONTEXT_SETS:
            docs.append(doc)
    assert len(docs) >= 5
    docs += [{k: v for k, v in d.items() if k != "proof"} for d in docs]  # what check 3 canonicalises
    def fast(doc):
        try:
            return _fastcanon.canonize(doc)
        except _fastcanon.Unsupported:  # the reference path decides these (a proof graph, ...)
            return reference(doc)

    def reference(doc):
        try:
            return jsonld.canonize_reference(doc)
        except BadgekitError as exc:
            return type(exc).__name__

    monkeypatch.setattr(_fastcanon, "_ENGINE", None)
    shipped = [fast(d) for d in docs]
    assert all(ctx.get("_uuid") != _contexts.SHIPPED_UUID for ctx in _fastcanon._engine().top.values())
    monkeypatch.setattr(_fastcanon, "_ENGINE", None)
    monkeypatch.setattr(_fastcanon, "shipped_processed_context", lambda urls: None)
    fresh = [fast(d) for d in docs]
    assert shipped == fresh == [reference(d) for d in docs]
    assert sum(n.startswith("<") or n.startswith("_:") for n in shipped) >= 10


def test_a_credential_badgekit_issues_starts_from_the_shipped_context(monkeypatch):
    """What ``badgekit issue`` writes (and its status list) is canonicalised without PyLD
    processing the bundled contexts: the ~15 ms this saves a cold ``badgekit verify``."""
    monkeypatch.setattr(_fastcanon, "_ENGINE", None)
    engine = _fastcanon._engine()
    from_initial = []
    process = engine.proc._process_context

    def spy(active, local, options, **kwargs):
        if active is engine.initial:
            from_initial.append(local)
        return process(active, local, options, **kwargs)

    monkeypatch.setattr(engine.proc, "_process_context", spy)
    doc = {"@context": [_contexts.VC_V2, _contexts.OB_V3, _contexts.OB_EXTENSIONS],
           "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": {"id": "did:example:1", "type": ["Profile"]},
           "validFrom": "2024-01-01T00:00:00Z", "credentialSubject": {"type": ["AchievementSubject"]}}
    status_list = {"@context": [_contexts.VC_V2], "type": ["VerifiableCredential", "BitstringStatusListCredential"],
                   "issuer": "did:example:1", "credentialSubject": {"type": "BitstringStatusList", "encodedList": "u"}}
    assert _fastcanon.canonize(doc) == jsonld.canonize_reference(doc)
    assert _fastcanon.canonize(status_list) == jsonld.canonize_reference(status_list)
    assert from_initial == []
    monkeypatch.setattr(_fastcanon, "shipped_processed_context", lambda urls: None)
    monkeypatch.setattr(_fastcanon, "_ENGINE", engine)
    engine.top.clear()
    _fastcanon.canonize(doc)
    assert len(from_initial) == 1  # the spy sees a fresh computation

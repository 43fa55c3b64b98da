"""The fast canonicalisation path must equal PyLD (the reference) byte for byte, or step aside.

Property: for any document, either the fast path raises ``Unsupported`` (and the reference path
decides), or its N-Quads equal the reference's. It must never return a result for a document the
reference path rejects.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import string
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badgekit import credential, did, jsonld, keys, proof, status
from badgekit.errors import BadgekitError
from badgekit.jsonld import _fastcanon, _fastcanon_label, _fastcanon_parts
from tests.conftest import VECTORS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_same(doc):
    try:
        reference = jsonld.canonize_reference(doc)
    except BadgekitError:
        reference = None
    try:
        fast = _fastcanon.canonize(doc)
    except _fastcanon.Unsupported:
        return "fallback"
    assert reference is not None, "fast path accepted a document the reference path rejects"
    assert fast == reference
    assert jsonld.canonize(doc) == reference
    return "fast"


def _vector_documents():
    for path in sorted(VECTORS.rglob("*.json")) + [VECTORS / "1edtech-validator-ob30/bit-string-list/testlist"]:
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            continue
        if isinstance(doc, dict) and "@context" in doc:
            yield pytest.param(doc, id=str(path.relative_to(VECTORS)))


@pytest.mark.parametrize("doc", list(_vector_documents()))
def test_vectors_fast_equals_reference(doc):
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    assert_same(unsigned)
    for p in doc.get("proof", []) if isinstance(doc.get("proof"), list) else [doc["proof"]] if "proof" in doc else []:
        config = {k: v for k, v in p.items() if k != "proofValue"}
        config["@context"] = doc["@context"]
        assert_same(config)


def test_the_common_credential_takes_the_fast_path():
    doc = _credential(_achievement("Python Basics", "Course"), {"email": "a@b.org", "score": "85"})
    assert assert_same(doc) == "fast"


# -- generated credentials ---------------------------------------------------------------------

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)) | st.sampled_from(list('"\\\n\r\t<>&\'')), min_size=1, max_size=60)
short = st.text(alphabet=string.ascii_letters + string.digits + " -_", min_size=1, max_size=20)
url = st.builds(lambda a, b: f"https://{a.lower() or 'x'}.example.org/{b}", st.text(alphabet=string.ascii_letters, max_size=8), st.text(alphabet=string.ascii_letters + string.digits + "/-_.~%", max_size=20))
uuid_urn = st.uuids().map(lambda u: f"urn:uuid:{u}")


@st.composite
def achievements(draw):
    a = {
        "id": draw(uuid_urn),
        "type": ["Achievement"],
        "name": draw(text),
        "description": draw(text),
        "criteria": draw(st.sampled_from([{"narrative": "x"}, {"id": "https://example.org/criteria"}, {"id": "https://example.org/c", "narrative": "Do it"}])),
    }
    if draw(st.booleans()):
        a["criteria"] = {"narrative": draw(text)}
    if draw(st.booleans()):
        a["achievementType"] = draw(st.sampled_from(["Badge", "Course", "Certification", "Competency", "MicroCredential", "ext:Workshop"]))
    if draw(st.booleans()):
        a["image"] = {"id": draw(url), "type": "Image", **({"caption": draw(text)} if draw(st.booleans()) else {})}
    if draw(st.booleans()):
        a["tag"] = draw(st.lists(short, min_size=1, max_size=4))
    if draw(st.booleans()):
        a["alignment"] = [
            {"type": ["Alignment"], "targetName": draw(text), "targetUrl": draw(url),
             **({"targetCode": draw(short)} if draw(st.booleans()) else {}),
             **({"targetFramework": draw(short)} if draw(st.booleans()) else {}),
             **({"targetType": draw(st.sampled_from(["CFItem", "ceasn:Competency", "ext:Skill"]))} if draw(st.booleans()) else {})}
            for _ in range(draw(st.integers(1, 3)))
        ]
    for field_, strat in (("fieldOfStudy", short), ("specialization", short), ("humanCode", short), ("inLanguage", st.sampled_from(["en", "fr-CA", "de"])), ("version", short)):
        if draw(st.booleans()):
            a[field_] = draw(strat)
    if draw(st.booleans()):
        a["creditsAvailable"] = draw(st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False))
    if draw(st.booleans()):
        levels = [
            {"id": draw(uuid_urn), "type": ["RubricCriterionLevel"], "name": draw(short), "points": str(p),
             **({"description": draw(text)} if draw(st.booleans()) else {})}
            for p in sorted(draw(st.lists(st.integers(0, 100), min_size=1, max_size=4, unique=True)))
        ]
        rd = {"id": draw(uuid_urn), "type": ["ResultDescription"], "name": draw(text),
              "resultType": draw(st.sampled_from(["RubricCriterionLevel", "Percent", "LetterGrade", "Status"]))}
        if rd["resultType"] == "RubricCriterionLevel":
            rd["rubricCriterionLevel"] = levels
        if draw(st.booleans()):
            rd["allowedValue"] = draw(st.lists(short, min_size=1, max_size=4))  # an @list in the OB context
        if draw(st.booleans()):
            rd["requiredValue"] = draw(short)
        a["resultDescription"] = [rd]
    if draw(st.booleans()):
        a["related"] = [{"id": draw(uuid_urn), "type": ["Related"], **({"version": draw(short)} if draw(st.booleans()) else {})}]
    if draw(st.booleans()):
        a["creator"] = {"id": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "type": ["Profile"], "name": draw(text)}
    return a


@st.composite
def rows(draw):
    values = {"email": draw(st.sampled_from(["a@b.org", "Zoë.Ågren@example.org", "x+tag@example.co.uk"]))}
    optional = {
        "score": st.sampled_from(["0", "55", "85.5", "100", "7,5"]),
        "level": short,
        "status": st.sampled_from(["Completed", "Failed", "InProgress"]),
        "evidence_url": url,
        "evidence_narrative": text,
        "evidence_name": text,
        "supervisor": text,
        "narrative": text,
        "credits_earned": st.sampled_from(["3", "2.5", "0"]),
        "activity_start_date": st.sampled_from(["2025-09-01", "2025-09-01T08:00:00+02:00"]),
        "activity_end_date": st.sampled_from(["2026-01-10"]),
        "term": short,
        "role": short,
        "license_number": short,
        "earned": st.sampled_from(["2026-01-15", "15.01.2026"]),
        "recipient_id": st.sampled_from(["did:example:learner1", "https://example.org/learners/1"]),
        "student_id": short,
    }
    for key, strat in optional.items():
        if draw(st.booleans()):
            values[key] = draw(strat)
    return values


def _achievement(name, kind):
    return {"id": "urn:uuid:00000000-0000-4000-8000-000000000001", "type": ["Achievement"], "name": name,
            "description": "d", "criteria": {"narrative": "n"}, "achievementType": kind}


def _credential(achievement, values, *, with_status=True, valid_days=None):
    issuer = {"id": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "type": ["Profile"], "name": "Example U",
              "url": "https://example.edu", "email": "badges@example.edu", "image": {"id": "https://example.edu/logo.png", "type": "Image"}}
    start = datetime(2026, 1, 15, 12, tzinfo=UTC)
    return credential.build_credential(
        credential_id="urn:uuid:9f0c2f0e-1111-4222-8333-444455556666",
        issuer=issuer,
        achievement=achievement,
        recipient=credential.Recipient.from_row(values),
        values=values,
        salt="0123456789abcdef",
        valid_from=start,
        valid_until=start + timedelta(days=valid_days) if valid_days else None,
        status_entry=status.status_entry("https://example.edu/status/revocation-1.json", 4242, "revocation") if with_status else None,
    )


@SETTINGS
@given(achievements(), rows(), st.booleans(), st.sampled_from([None, 365, 730]))
def test_generated_credentials_fast_equals_reference(achievement, values, with_status, valid_days):
    assert_same(_credential(achievement, values, with_status=with_status, valid_days=valid_days))


# -- odd but valid, and invalid, mutations ------------------------------------------------------

MUTATIONS = [
    lambda d: d.update({"favouriteColour": "blue"}),  # undefined term: reference rejects, fast must step aside
    lambda d: d["credentialSubject"].update({"@context": {"x": "https://x.org/x"}}),  # embedded context
    lambda d: d.update({"id": "relative-id"}),
    lambda d: d["credentialSubject"].update({"id": "_:b0"}),
    lambda d: d["credentialSubject"]["achievement"].update({"type": ["Achievement", "MadeUp"]}),
    lambda d: d.update({"description": {"@value": "x", "@language": "en"}}),
    lambda d: d.update({"description": None}),
    lambda d: d.update({"name": ["a", "a", "b"]}),  # duplicate values collapse
    lambda d: d.update({"type": "OpenBadgeCredential"}),  # single string type
    lambda d: d.update({"credentialSubject": [d["credentialSubject"], d["credentialSubject"]]}),  # equal blank nodes: N-degree
    lambda d: d["credentialSubject"].update({"creditsEarned": 1e22}),
    lambda d: d["credentialSubject"].update({"creditsEarned": True}),
    lambda d: d["credentialSubject"].update({"creditsEarned": 3}),
    lambda d: d["credentialSubject"].update({"creditsEarned": 0.0}),  # found by hypothesis: integral float is "0"
    lambda d: d["credentialSubject"].update({"creditsEarned": -2.5e-7}),
    lambda d: d.update({"@context": [*d["@context"], "https://www.w3.org/ns/credentials/examples/v2"]}),
    lambda d: d.update({"@context": [*d["@context"], {"extra": "https://example.org/extra"}], "extra": "x"}),
    lambda d: d.update({"@context": d["@context"][:1]}),  # OB terms no longer defined
    lambda d: d.update({"issuer": d["issuer"]["id"]}),
    lambda d: d.update({"evidence": [{"type": ["Evidence"], "narrative": "same"}, {"type": ["Evidence"], "narrative": "same"}]}),
    # the same named node twice: its quads are written once (merged), or both names kept
    lambda d: d["credentialSubject"]["achievement"].update({"creator": copy.deepcopy(d["issuer"])}),
    lambda d: d["credentialSubject"]["achievement"].update({"creator": {**d["issuer"], "name": ["Other", "Example U"]}}),
    lambda d: d.update({"evidence": [{"id": "https://e.org/1", "type": ["Evidence"], "genre": ["a", "b"], "narrative": "x\n\"y\""}]}),
    lambda d: d["credentialSubject"]["achievement"].update({"resultDescription": [
        {"id": "urn:x:1", "type": ["ResultDescription"], "name": "n", "resultType": "Status", "allowedValue": []}]}),
]


@pytest.mark.parametrize("mutate", MUTATIONS, ids=[f"m{i}" for i in range(len(MUTATIONS))])
def test_mutations_either_match_or_fall_back(mutate):
    doc = copy.deepcopy(_credential(_achievement("Name", "Badge"), {"email": "a@b.org", "evidence_url": "https://e.org/1", "score": "5"}))
    mutate(doc)
    assert_same(doc)


@pytest.mark.parametrize("space", ["\t", "\n", "\r", "\x0b", "\x1f", "\x85", "\xa0", "\u2028", "\u3000", " "])
@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_an_id_with_white_space_is_what_the_reference_says_after_a_good_one_of_its_scheme(space, where):
    # Before: the fast path remembered "urn:" as an absolute scheme from the first urn:uuid id it met
    # (or from the first id of that scheme, good or bad) and then took any later id of that scheme
    # without a " " as absolute, tab or newline included, where the reference refuses it as a
    # relative IRI.
    good = _credential(_achievement("Name", "Badge"), {"email": "a@b.org", "evidence_url": "https://e.org/1", "score": "5"})
    assert assert_same(good) == "fast"
    bad = copy.deepcopy(good)
    cut = {"start": 4, "middle": 12, "end": len(bad["id"])}[where]
    bad["id"] = bad["id"][:cut] + space + bad["id"][cut:]
    bad["evidence"][0]["id"] = bad["evidence"][0]["id"][:9] + space + bad["evidence"][0]["id"][9:]
    assert_same(bad)


# -- the fast path is taken, not only equal when taken (issue 14, item 7) ------------------------
# A fallback is a call of jsonld.canonize_reference from jsonld.canonize: counted by wrapping it.

#: Vectors whose @context is a list of bundled URLs that the fast path still does not model, and
#: why ((vector, 0) is the document, (vector, n) the config of its n-th proof). Every other one
#: must take the fast path: a change that makes more documents fall back fails here.
EXPECTED_FALLBACKS = {
    ("1edtech-validator-ob30/complete.json", 0): "an embedded @context inside the document",
    ("1edtech-validator-ob30/complete_v1.json", 0): "an embedded @context inside the document",
    ("1edtech-validator-ob30/credential-status-revoked.json", 0): "blank nodes with equal first-degree hashes (N-degree)",
    ("1edtech-validator-ob30/simple-multiple-proofs.json", 1): "a proof type no bundled context defines",
}


@pytest.fixture
def fallbacks(monkeypatch):
    calls: list[object] = []
    reference = jsonld.canonize_reference

    def counting(document, **kwargs):
        calls.append(document)
        return reference(document, **kwargs)

    monkeypatch.setattr(jsonld, "canonize_reference", counting)
    return calls


def _bundled_only(doc) -> bool:
    ctx = doc.get("@context")
    return isinstance(ctx, list) and all(isinstance(c, str) and c in jsonld.PINNED_CONTEXTS for c in ctx)


def test_documents_with_bundled_contexts_take_the_fast_path(fallbacks):
    fell_back = set()
    checked = 0
    for param in _vector_documents():
        doc, name = param.values[0], param.id
        if not _bundled_only(doc):
            continue
        proofs = doc.get("proof", [])
        configs = [{**{k: v for k, v in p.items() if k != "proofValue"}, "@context": doc["@context"]}
                   for p in (proofs if isinstance(proofs, list) else [proofs])]
        for n, part in enumerate([{k: v for k, v in doc.items() if k != "proof"}, *configs]):
            before = len(fallbacks)
            with contextlib.suppress(BadgekitError):  # an invalid vector: what counts is the path taken
                jsonld.canonize(part)
            checked += 1
            if len(fallbacks) > before:
                fell_back.add((name, n))
    assert checked > 30
    assert fell_back == set(EXPECTED_FALLBACKS)


def test_signing_and_verifying_a_credential_never_falls_back(fallbacks):
    key = keys.Ed25519Key.generate()
    doc = _credential(_achievement("Python Basics", "Course"), {"email": "a@b.org", "score": "85", "name": "Ada"})
    doc["issuer"]["id"] = key.did_key
    signed = proof.add_proof(doc, keys.KeySigner(key, did.did_key_verification_method(key.public_key)))
    assert proof.verify(signed).verified
    assert fallbacks == []


def test_first_degree_digests_are_remembered_within_a_bound(monkeypatch):
    """A blank node with the same first-degree lines as one before (the credential subject of
    every credential of a badge class) reuses its SHA-256; the memo never holds more than its limit."""
    monkeypatch.setattr(_fastcanon_label, "_DIGESTS", {})
    monkeypatch.setattr(_fastcanon_label, "_DIGESTS_LIMIT", 3)
    for _ in range(2):
        for n in range(7):
            related = [("_:b0", "<https://example.org/p>", f'"{n}"'), ("_:b1", "<https://example.org/q>", "_:b0")]
            lines = f'_:a <https://example.org/p> "{n}" .\n_:z <https://example.org/q> _:a .\n'
            assert _fastcanon_label.first_degree("_:b0", related) == hashlib.sha256(lines.encode()).hexdigest()
            assert len(_fastcanon_label._DIGESTS) <= 3


def test_nodes_of_one_shape_with_ever_new_types_keep_the_memo_bounded(monkeypatch):
    monkeypatch.setattr(_fastcanon, "_MEMO_LIMIT", 4)
    base = _credential(_achievement("Name", "Badge"), {"email": "a@b.org", "evidence_url": "https://e.org/1", "score": "5"})
    for n in range(10):
        doc = copy.deepcopy(base)
        doc["evidence"] = [{"id": "https://e.org/1", "type": ["Evidence", f"https://example.org/Kind{n}"]}]
        assert assert_same(doc) == "fast"
    assert all(len(layouts) <= 5 for _, _, layouts in _fastcanon._engine().shapes.values())


# -- objects equal to one met before reuse its walk (verification of a run, issue 18) ----------


@pytest.fixture
def equal_parts(monkeypatch):
    """An empty memo of equal parts for the test (the process-wide one is left as it was)."""
    parts = _fastcanon_parts.EqualParts()
    monkeypatch.setattr(_fastcanon_parts, "EQUAL_PARTS", parts)
    return parts


def _assert_run_same(docs):
    """Each document, canonicalised in turn with ``equal=True``, is the reference's canonical form."""
    for doc in docs:
        assert _fastcanon.canonize(doc, equal=True) == jsonld.canonize_reference(doc)
        assert jsonld.canonize(doc, equal=True) == jsonld.canonize_reference(doc)


@SETTINGS
@given(achievements(), st.lists(rows(), min_size=3, max_size=5))
def test_a_run_of_credentials_sharing_equal_parts_equals_the_reference(achievement, many):
    parts = _fastcanon_parts.EqualParts()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_fastcanon_parts, "EQUAL_PARTS", parts)
        # each credential parsed anew: its issuer and achievement are equal objects, not the same
        docs = [json.loads(json.dumps(_credential(achievement, values))) for values in many]
        _assert_run_same(docs)
    assert "issuer" in {prop for _, prop in parts.walks}  # the memo was used


def _with_achievement(n=0, **extra):
    doc = _credential({**_achievement("Name", "Badge"), **extra}, {"email": f"a{n}@b.org", "score": "5"})
    return json.loads(json.dumps(doc))  # parsed anew: equal objects, not the same ones


@pytest.mark.parametrize(("before", "after"), [
    (1, True), (True, 1), (0, False), (1, 1.5), (2.0, 2.5), ("1", 1), (None, "x"), (["a", "b"], ["b", "a"]),
    ([{"id": "https://e.org/1"}], [{"id": "https://e.org/2"}]),
])
def test_a_part_equal_to_a_recorded_one_for_python_only_gets_its_own_walk(equal_parts, before, after):
    # Python's == takes true for 1 and 0 for false: the recorded copy must not (before: a run whose
    # achievements had creditsAvailable 1 gave a later one with true the canonical form of 1).
    key = "related" if isinstance(before, list) else "creditsAvailable"
    first = [_with_achievement(n, **({} if before is None else {key: before})) for n in range(3)]
    later = _with_achievement(3, **{key: after})
    _assert_run_same([*first, later, first[0], later])
    assert any(prop == "achievement" for _, prop in equal_parts.walks)


def test_a_part_with_keys_in_another_order_or_met_twice_in_a_document(equal_parts):
    docs = [_with_achievement(n) for n in range(2)]
    reordered = copy.deepcopy(docs[0])
    ach = reordered["credentialSubject"]["achievement"]
    reordered["credentialSubject"]["achievement"] = dict(reversed(list(ach.items())))
    twice = copy.deepcopy(docs[0])
    twice["credentialSubject"]["achievement"]["creator"] = copy.deepcopy(twice["issuer"])
    blank_issuer = copy.deepcopy(docs[0])
    del blank_issuer["issuer"]["image"]
    _assert_run_same([*docs, reordered, twice, twice, blank_issuer])


def test_the_equal_parts_memo_stays_bounded(equal_parts, monkeypatch):
    monkeypatch.setattr(_fastcanon_parts, "EQUAL_SLOTS", 2)
    monkeypatch.setattr(_fastcanon_parts, "EQUAL_PER_SLOT", 2)
    for n in range(6):
        _assert_run_same([_with_achievement(n, name=f"Name {n}"), _with_achievement(n + 10, name=f"Name {n}")])
        assert len(equal_parts.walks) <= 2 and len(equal_parts.seen) <= 2
        assert all(len(v) <= 2 for v in equal_parts.walks.values())

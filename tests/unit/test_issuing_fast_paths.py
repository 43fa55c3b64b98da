"""The fast path of bulk signing (issue 18) must sign and write exactly what the reference path does.

``badgekit.issuing._signing.FAST_PATHS`` switches between them: True, a credential is built from a
template of the run's issuer and achievement, whose size and JSON-LD walk are measured once and
whose JSON text is written once; False, every credential goes through ``build_credential``,
``check_signable``, canonicalisation and ``json.dumps`` of the whole document. Each test below
signs the same rows both ways and compares the bytes (the reference is the oracle), over every
badge class template, results, evidence, alignments, unicode, hashed identifiers and generated
rows; and checks the pieces (template build, known sizes, shared walks) against their references.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badgekit import credential, jsonld, limits, roster
from badgekit import templates as tpl
from badgekit._io import MAX_JSON_DEPTH, dumps_json
from badgekit.badgeclass import BadgeClass, Policy
from badgekit.errors import LimitExceeded
from badgekit.issuing import IssueOptions, _signing, issue_roster
from badgekit.ledger import Ledger
from tests.unit.test_fastcanon import _credential, achievements, rows
from tests.unit.test_issuing import ISSUER, KEY, NOW
from tests.unit.test_issuing_differential import ACHIEVEMENT, HEADER, ROWS
from tests.unit.test_templates import SHIPPED, _all_examples

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])
SECRET = "3c" * 32

# the differential roster's columns, and more: numbered evidence, a re-issue, identifiers hashed before
EXTRA_HEADER = ",evidence_url_2,evidence_name_2,evidence_narrative_2,migrated_from,identity_hash,identity_type,identity_salt"
EXTRA = [
    ",https://portfolio.example.org/ada/2,Second,Another piece,,,,",
    ",,,,urn:uuid:0d6c1e44-5c3e-4f7a-9b1d-2e3f4a5b6c7d,,,",
    ",,Only a name,,,,,",
    ",,,,,,,",
    ",,,Narrative only — ✓,,,,",
]
HASHED = ",Hashed" + "," * (HEADER.count(",") + EXTRA_HEADER.count(",") - 4) + ",sha256$" + "ab" * 32 + ",emailAddress,s4lt"


def _rubric_rows(achievement: dict) -> list[str]:
    """ROWS with their ``level`` cells (``merit``, ``Pass``) naming levels of ``achievement``'s own
    rubric: a level that names none rejects the row, so each row is issued, with its Result, under
    every template (the last level by its name in lower case, the first by its number when it has one)."""
    levels = [lv for rd in achievement.get("resultDescription", []) if rd.get("resultType") == "RubricCriterionLevel"
              for lv in rd["rubricCriterionLevel"]]
    if not levels:
        return ROWS  # no rubric: the level column is not read
    named = {",merit,": f",{levels[-1]['name'].lower()},", ",Pass,": f",{levels[0].get('level') or levels[0]['name']},"}
    rows = list(ROWS)
    for cell, level in named.items():
        (i,) = [i for i, r in enumerate(rows) if cell in r]
        rows[i] = rows[i].replace(cell, level, 1)
    return rows


def _roster(tmp_path: Path, achievement: dict) -> Path:
    path = tmp_path / "roster.csv"
    lines = [HEADER + EXTRA_HEADER, *(r + e for r, e in zip(_rubric_rows(achievement), EXTRA, strict=True)), HASHED]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _issue(tmp_path: Path, achievement: dict, *, fast: bool, fmt: str = "ldp", monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Every file a run writes (name → bytes), with a fixed ledger secret, clock and seed."""
    monkeypatch.setattr(_signing, "FAST_PATHS", fast)
    work = tmp_path / ("fast" if fast else "reference")
    work.mkdir()
    Ledger.open(work / "ledger.sqlite3").close()
    with sqlite3.connect(work / "ledger.sqlite3") as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'secret'", (SECRET,))
    ledger = Ledger.open(work / "ledger.sqlite3")
    badge = BadgeClass(path=Path("b.yaml"), achievement=achievement, policy=Policy(validity="P1Y"))
    options = IssueOptions(out_dir=work / "out", now=NOW, rng_seed=3, date_order="DMY", format=fmt)  # type: ignore[arg-type]
    report = issue_roster(roster_path=_roster(tmp_path, achievement), badge=badge, issuer=ISSUER, key=KEY, ledger=ledger, options=options,
                          status_base_url="https://example.edu/status/")
    ledger.close()
    assert report.ok and report.counts == {"issued": len(ROWS) + 1}, report.outcomes
    return {p.name: p.read_bytes() for p in sorted((work / "out").glob("*.*"))}


def _template_achievements() -> list:
    out = []
    for name in SHIPPED:
        for g in tpl.instantiate_all(name, _all_examples(name), issuer=ISSUER):
            out.append(pytest.param({k: v for k, v in g.document.items() if k != "badgekit"}, id=f"{name}:{g.document['name']}"))
    return [*out, pytest.param(ACHIEVEMENT, id="every-result-type")]


@pytest.mark.parametrize("achievement", _template_achievements())
def test_every_badge_class_template_gives_the_same_files_both_ways(tmp_path, achievement, monkeypatch):
    fast = _issue(tmp_path, achievement, fast=True, monkeypatch=monkeypatch)
    reference = _issue(tmp_path, achievement, fast=False, monkeypatch=monkeypatch)
    assert len(fast) == len(ROWS) + 1
    assert fast == reference
    if _rubric_rows(achievement) is not ROWS:  # the rows naming a level carry its Result both ways
        assert sum(b'"achievedLevel"' in b for b in fast.values()) >= 2


@pytest.mark.parametrize("fmt", ["jwt", "vc+jwt"])
def test_jwt_formats_are_the_same_both_ways(tmp_path, fmt, monkeypatch):
    assert _issue(tmp_path, ACHIEVEMENT, fast=True, fmt=fmt, monkeypatch=monkeypatch) == \
        _issue(tmp_path, ACHIEVEMENT, fast=False, fmt=fmt, monkeypatch=monkeypatch)


# -- one job at a time, on generated badge classes and rows --------------------------------------

def _job(values: dict[str, str], n: int = 0) -> _signing._Job:
    """A planned job for ``values``; every third one a pathway award (subject and evidence from component credentials)."""
    row = roster.typed_row(values, line=n + 2)
    award = n % 3 == 2
    return _signing._Job(credential_id=f"urn:uuid:9f0c2f0e-1111-4222-8333-{n:012d}", row=row, issued_at="2026-01-15T12:00:00Z",
                         valid_until="2027-01-15T12:00:00Z" if n % 2 else None,
                         list_url="https://example.edu/status/revocation-1.json", status_index=4242 + n, purpose="revocation",
                         salt="0123456789abcdef", path=f"/nowhere/{n}.json",
                         subject={"identifier": [{"type": "IdentityObject", "identityHash": "sha256$" + "cd" * 32,
                                                  "identityType": "emailAddress", "hashed": True, "salt": "x"}]} if award else None,
                         evidence=({"id": "urn:uuid:5b1c0e44-5c3e-4f7a-9b1d-2e3f4a5b6c7d", "type": ["Evidence"],
                                    "name": "Component"},) if award else ())


def _outcome(signing: _signing._Signing, job: _signing._Job, fast: bool) -> object:
    """What signing ``job`` gives on one path: the credential handed on and the file's text, or the error."""
    before = _signing.FAST_PATHS
    _signing.FAST_PATHS = fast
    try:
        signed, text = signing.sign(job)
    except (ValueError, LimitExceeded) as exc:  # a value build_credential refuses, a bound
        return (type(exc), str(exc))
    finally:
        _signing.FAST_PATHS = before
    return (json.dumps(signed, ensure_ascii=False), text)


@SETTINGS
@given(achievements(), st.lists(rows(), min_size=1, max_size=4))
def test_generated_rows_sign_the_same_both_ways(achievement, generated):
    signing = _signing._Signing.make(KEY, None, ISSUER, achievement)
    assert signing.fast is not None
    for n, values in enumerate(generated):
        job = _job(values, n)
        assert _outcome(signing, job, True) == _outcome(signing, job, False)


@SETTINGS
@given(achievements(), rows())
def test_the_template_builds_what_build_credential_builds(achievement, values):
    template = credential.CredentialTemplate(ISSUER, achievement)
    row = roster.typed_row(values)
    kwargs = {"credential_id": "urn:uuid:1", "recipient": credential.Recipient.from_row(row), "values": row, "salt": "s",
              "valid_from": NOW, "identity": {"identifier": [{"type": "IdentityObject"}]} if values.get("role") else None,
              "evidence": [{"id": "urn:x:e", "type": ["Evidence"]}] if values.get("term") else ()}
    try:
        reference = credential.build_credential(issuer=ISSUER, achievement=achievement, **kwargs)
    except ValueError as exc:
        with pytest.raises(ValueError, match=str(exc).replace("(", r"\(").replace(")", r"\)").replace(".", r"\.").replace("+", r"\+")):
            template.build(**kwargs)
        return
    built = template.build(**kwargs)
    assert json.dumps(built, ensure_ascii=False) == json.dumps(reference, ensure_ascii=False)  # key order too
    assert built["issuer"] is template.issuer and built["credentialSubject"]["achievement"] is template.achievement


@pytest.mark.parametrize("n", range(4))
@pytest.mark.parametrize("where", ["narrative", "term"])
def test_a_row_holding_a_stand_in_is_written_as_json_dumps_writes_it(n, where):
    signing = _signing._Signing.make(KEY, None, ISSUER, ACHIEVEMENT)
    assert signing.fast is not None and signing.fast.texts
    job = _job({"email": "a@b.org", where: signing.fast.marks[n]})  # a row cannot know it, but if it held it...
    signed, text = signing.sign(job)
    assert text == dumps_json(signed, indent=None)
    assert _outcome(signing, job, True) == _outcome(signing, job, False)


def test_the_credential_handed_on_does_not_share_the_runs_issuer_or_achievement():
    signing = _signing._Signing.make(KEY, None, ISSUER, ACHIEVEMENT)
    first, _ = signing.sign(_job({"email": "a@b.org"}))
    first["issuer"]["name"] = "Someone Else"
    first["credentialSubject"]["achievement"]["name"] = "Something Else"
    first["@context"].append("https://example.org/more")
    first["credentialSchema"][0]["id"] = "https://example.org/schema"
    _, text = signing.sign(_job({"email": "c@d.org"}, 1))
    assert "Someone Else" not in text and "Something Else" not in text and "example.org/" not in text
    assert json.loads(text)["issuer"] == ISSUER


# -- the pieces against their references ---------------------------------------------------------

@SETTINGS
@given(achievements(), rows(), st.booleans(), st.booleans())
def test_shared_parts_canonicalise_as_the_reference(achievement, values, blank_root, creator_is_issuer):
    doc = copy.deepcopy(_credential(achievement, values))
    if blank_root:  # a shared part that is a blank node, with blank nodes inside
        doc["credentialSubject"]["achievement"].pop("id")
    parts = [doc["issuer"], doc["credentialSubject"]["achievement"]]
    if creator_is_issuer:  # the same quads from a shared part and from the document's own walk: once
        doc["credentialSubject"]["achievement"]["creator"] = copy.deepcopy(doc["issuer"])
        parts.pop()
    shared = jsonld.SharedParts(parts)
    reference = jsonld.canonize_reference(doc)
    assert jsonld.canonize(doc, shared=shared) == reference
    assert jsonld.canonize(doc, shared=shared) == reference  # the second time from the recorded walks
    assert shared.walks


@pytest.mark.parametrize("part", [{"type": []}, {"type": ["Achievement"]}, {"name": "n"}])
def test_a_shared_blank_node_with_nothing_or_little_in_it_is_a_node_of_its_own(part):
    doc = copy.deepcopy(_credential(ACHIEVEMENT, {"email": "a@b.org", "evidence_narrative": "e"}))  # more blank nodes
    doc["credentialSubject"]["achievement"] = part
    shared = jsonld.SharedParts([part])
    reference = jsonld.canonize_reference(doc)
    assert jsonld.canonize(doc, shared=shared) == reference
    assert jsonld.canonize(doc, shared=shared) == reference


def _outcome_of_limits(doc: dict, known: dict | None) -> str | None:
    try:
        limits.check_signable(doc, known=known)
    except LimitExceeded as exc:
        return exc.message
    return None


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["a", "b", "endorsement", "proof", "@context"]), inner, max_size=4),
                           max_leaves=40)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["x", "y", "endorsement", "@context"]), json_values, max_size=4), json_values)
def test_known_sizes_give_the_same_verdict(doc, part):
    part = part if isinstance(part, dict) else {"v": part}
    doc = {**doc, "issuer": part, "credentialSubject": {"achievement": part, "n": [part]}}
    known = {id(part): limits.measure(part)}
    assert _outcome_of_limits(doc, known) == _outcome_of_limits(doc, None)


def _deep(levels: int) -> dict:
    node: dict = {"leaf": "x"}
    for _ in range(levels):
        node = {"in": node}
    return node


@pytest.mark.parametrize(("part", "row_bulk"), [
    ({"values": list(range(limits.MAX_JSON_VALUES - 40))}, ["x"] * 30),  # the row's values tip it over
    ({"objects": [{"n": i} for i in range(limits.MAX_JSON_OBJECTS - 8)]}, [{"o": 1}] * 6),
    (_deep(MAX_JSON_DEPTH - 6), [_deep(MAX_JSON_DEPTH)]),  # depth: the row's evidence nests deeper
    ({"endorsement": [f"e{i}" for i in range(limits.MAX_ENDORSEMENTS)]}, ["x"]),
])
def test_a_row_that_makes_the_credential_too_big_is_refused_with_the_same_error(part, row_bulk):
    template = credential.CredentialTemplate(ISSUER, {**ACHIEVEMENT, "bulk": part})
    small = template.build(credential_id="urn:uuid:1", recipient=credential.Recipient(email="a@b.org"),
                           values=roster.typed_row({"email": "a@b.org"}), salt="s", valid_from=NOW)
    known = {id(template.achievement): limits.measure(template.achievement), id(template.issuer): limits.measure(template.issuer)}
    assert _outcome_of_limits(small, known) == _outcome_of_limits(small, None)
    big = {**small, "evidence": [{"type": ["Evidence"], "narrative": "n", "more": row_bulk}]}
    refused = _outcome_of_limits(big, None)
    assert refused is not None or "endorsement" in part
    assert _outcome_of_limits(big, known) == refused
    if "endorsement" in part:  # one more endorsement from the row
        big["evidence"][0]["endorsement"] = ["e"]
        assert _outcome_of_limits(big, known) == _outcome_of_limits(big, None) is not None


def test_a_shared_part_counts_as_deep_as_where_it_is():
    verdicts = set()
    for levels in range(MAX_JSON_DEPTH - 8, MAX_JSON_DEPTH):
        template = credential.CredentialTemplate(ISSUER, {**ACHIEVEMENT, "bulk": _deep(levels)})
        doc = template.build(credential_id="urn:uuid:1", recipient=credential.Recipient(email="a@b.org"),
                             values=roster.typed_row({"email": "a@b.org"}), salt="s", valid_from=NOW)
        known = {id(template.achievement): limits.measure(template.achievement)}
        assert _outcome_of_limits(doc, known) == _outcome_of_limits(doc, None)
        verdicts.add(_outcome_of_limits(doc, None) is None)
    assert verdicts == {True, False}  # the bound lies inside the range


def test_the_fast_path_is_taken_and_the_switch_turns_it_off(monkeypatch):
    signing = _signing._Signing.make(KEY, None, ISSUER, ACHIEVEMENT)
    assert signing.fast is not None
    calls = []
    monkeypatch.setattr(signing.fast, "sign", lambda *a: calls.append(a) or ({}, ""))
    signing.sign(_job({"email": "a@b.org"}))
    monkeypatch.setattr(_signing, "FAST_PATHS", False)
    signing.sign(_job({"email": "a@b.org"}))
    assert len(calls) == 1
    assert _signing._Signing.make(KEY, None, ISSUER, ACHIEVEMENT, "jwt").fast is None


def test_a_template_ignores_later_changes_to_the_issuer_it_was_made_from():
    issuer = copy.deepcopy(ISSUER) | {"image": {"id": "https://example.edu/logo.png", "type": "Image"}}
    template = credential.CredentialTemplate(issuer, ACHIEVEMENT)
    issuer["image"]["id"] = "https://elsewhere.example/logo.png"
    assert template.issuer["image"]["id"] == "https://example.edu/logo.png"


def test_the_templates_remembered_timestamps_are_format_utcs():
    from datetime import datetime, timedelta, timezone

    from badgekit._time import format_utc

    template = credential.CredentialTemplate(ISSUER, ACHIEVEMENT)
    plus2 = NOW.astimezone(timezone(timedelta(hours=2)))
    assert template.stamp(NOW) == template.stamp(plus2) == format_utc(plus2) == "2026-01-15T12:00:00Z"
    assert template.stamp(NOW + timedelta(microseconds=999_999)) == format_utc(NOW + timedelta(microseconds=999_999))
    for _ in range(2):  # a naive moment is refused each time, as format_utc refuses it
        with pytest.raises(ValueError, match="naive"):
            template.stamp(datetime(2026, 1, 15, 12))

"""badgekit.templates: every shipped template makes badge classes that pass the 1EdTech schema."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from badgekit import templates as tpl
from badgekit.badgeclass import check_document, parse_policy
from badgekit.errors import InputError
from badgekit.schema import validate_achievement

ISSUER = {
    "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    "type": ["Profile"],
    "name": "Example University",
    "url": "https://example.edu",
}
SHIPPED = ["certification-levels", "course-completion", "framework-competency", "pathway", "safety-training", "skill-rubric"]


def _required_examples(name: str) -> dict[str, str]:
    info = tpl.load_template(name).info
    return {f.name: f.example or "x" for f in info.fields if f.required}


def _all_examples(name: str) -> dict[str, str]:
    """Every field filled (examples, or a plausible value for its type)."""
    by_type = {"url": "https://example.edu/x", "number": "3", "integer": "3", "duration": "P1Y", "colour": "#123456",
               "language": "en", "list": "a, b", "date": "2026-01-15", "email": "a@example.edu"}
    info = tpl.load_template(name).info
    values = {}
    for f in info.fields:
        values[f.name] = f.choices[0] if f.choices else (f.example or by_type.get(f.type, f"{f.name} text"))
    return values


def _achievement(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "badgekit"}


def test_shipped_templates() -> None:
    names = tpl.template_names()
    assert names == SHIPPED
    assert tpl.shipped_templates_dir().name == "badges"
    assert tpl.shipped_templates_dir().parent.name == "templates"


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("fill", ["required", "all"])
@pytest.mark.parametrize("engine", ["fast", "reference"])
def test_every_template_validates_against_the_1edtech_schema(name: str, fill: str, engine: str) -> None:
    values = _required_examples(name) if fill == "required" else _all_examples(name)
    generated = tpl.instantiate_all(name, values, issuer=ISSUER)
    assert generated
    for g in generated:
        achievement = _achievement(g.document)
        assert validate_achievement(achievement, engine=engine) == []  # type: ignore[arg-type]
        assert validate_achievement(achievement, engine=engine, strict=True) == []  # type: ignore[arg-type]
        assert check_document(g.document) == []
        assert achievement["creator"] == ISSUER
        assert g.document["badgekit"]["template"] == name


@pytest.mark.parametrize("name", SHIPPED)
def test_every_template_ties_issuing_to_roster_requirements(name: str) -> None:
    for g in tpl.instantiate_all(name, _required_examples(name), issuer=ISSUER):
        policy, problems = parse_policy(g.document["badgekit"])
        assert problems == []
        # a pathway badge class is earned by holding others (issued from the ledger, no roster)
        assert policy.requirements or policy.is_pathway, f"{name} must say what a roster row has to provide"


@pytest.mark.parametrize("n", ["3", "2"])
def test_pathway_makes_three_modules_and_a_micro_credential_requiring_n_of_them(n: str) -> None:
    docs = [g.document for g in tpl.instantiate_all("pathway", {"program": "Data Analysis", "modules_required": n}, issuer=ISSUER)]
    *modules, micro = docs
    assert [d["name"] for d in modules] == ["Data Analysis: Foundations", "Data Analysis: Methods", "Data Analysis: Project"]
    assert {d["achievementType"] for d in modules} == {"Course"} and micro["achievementType"] == "MicroCredential"
    for d in modules:
        policy, _ = parse_policy(d["badgekit"])
        assert policy.requirements and not policy.requires
    policy, problems = parse_policy(micro["badgekit"])
    assert problems == [] and policy.is_pathway
    assert policy.rule is not None and policy.rule.n == int(n) and policy.rule.of == tuple(d["id"] for d in modules)


def test_course_completion_does_not_pretend_to_be_a_certification() -> None:
    doc = tpl.instantiate("course-completion", {"course_name": "Python Basics"}, issuer=ISSUER)
    assert doc["achievementType"] == "Course"
    assert doc["name"] == "Python Basics"
    assert "image" not in doc and "humanCode" not in doc and "creditsAvailable" not in doc  # empty optionals are left out
    assert doc["tag"] == ["course"] and doc["inLanguage"] == "en"


def test_optional_fields_fill_typed_members() -> None:
    doc = tpl.instantiate(
        "course-completion",
        {"course_name": "Python Basics", "credits": "2.5", "tags": "python, programming", "image_url": "https://example.edu/b.png",
         "course_code": "CS-101", "criteria_url": "https://example.edu/cs-101"},
        issuer=ISSUER,
    )
    assert doc["creditsAvailable"] == 2.5
    assert doc["tag"] == ["python", "programming"]
    assert doc["image"] == {"id": "https://example.edu/b.png", "type": "Image", "caption": "Badge for the course Python Basics"}
    assert doc["humanCode"] == "CS-101"
    assert doc["criteria"]["id"] == "https://example.edu/cs-101"


def test_skill_rubric_has_a_rubric_and_a_minimum_score() -> None:
    doc = tpl.instantiate("skill-rubric", {"skill_name": "Data Visualisation", "min_score": "75"}, issuer=ISSUER)
    score, rubric = doc["resultDescription"]
    assert score["requiredValue"] == "75" and score["valueMax"] == "100"
    levels = rubric["rubricCriterionLevel"]
    assert [lv["name"] for lv in levels] == ["Beginning", "Developing", "Proficient", "Exemplary"]
    assert rubric["requiredLevel"] == levels[2]["id"]
    assert len({score["id"], rubric["id"], *(lv["id"] for lv in levels)}) == 6
    assert {"column": "score", "min": 75, "message": "the assessed score"} in doc["badgekit"]["requirements"]


def test_certification_levels_make_a_related_family() -> None:
    generated = tpl.instantiate_all("certification-levels", {"program": "Cloud Security", "code_prefix": "CSEC"}, issuer=ISSUER)
    assert [g.level for g in generated] == ["awareness", "application", "mastery", "specialization"]
    assert [g.stem for g in generated] == [
        "cloud-security-awareness", "cloud-security-application", "cloud-security-mastery", "cloud-security-specialization"
    ]
    docs = [g.document for g in generated]
    assert "related" not in docs[0]
    for lower, higher in zip(docs, docs[1:], strict=False):
        assert higher["related"] == [{"id": lower["id"], "type": ["Related"]}]
        assert higher["badgekit"]["requires"] == [lower["id"]]  # what `badgekit issue` enforces
    assert "requires" not in docs[0]["badgekit"]
    colours = [d["badgekit"]["colour"] for d in docs]
    assert len(set(colours)) == 4
    assert [d["badgekit"]["level_label"] for d in docs] == ["Awareness", "Application", "Mastery", "Specialization"]
    assert {d["badgekit"]["family"] for d in docs} == {"Cloud Security"}
    assert [d["humanCode"] for d in docs] == ["CSEC-1", "CSEC-2", "CSEC-3", "CSEC-4"]
    assert len({d["criteria"]["narrative"] for d in docs}) == 4
    mins = [next(r["min"] for r in d["badgekit"]["requirements"] if r["column"] == "score") for d in docs]
    assert mins == sorted(mins) and mins[0] < mins[-1]
    columns = [{r["column"] for r in d["badgekit"]["requirements"]} for d in docs]
    assert columns[0] == {"score"} and "supervisor" in columns[2] and "evidence_url" in columns[1]
    assert all(d["achievementType"] == "Certification" and d["badgekit"]["validity"] == "P3Y" for d in docs)


def test_family_template_needs_a_level_for_instantiate() -> None:
    with pytest.raises(InputError, match="family of 4"):
        tpl.instantiate("certification-levels", {"program": "X"}, issuer=ISSUER)
    mastery = tpl.instantiate("certification-levels", {"program": "X"}, issuer=ISSUER, level="mastery")
    assert mastery["name"] == "X: Mastery" and mastery["related"]
    with pytest.raises(InputError, match="no level"):
        tpl.instantiate("certification-levels", {"program": "X"}, issuer=ISSUER, level="guru")


def test_safety_training_expires_and_can_align_to_a_regulation() -> None:
    doc = tpl.instantiate(
        "safety-training",
        {"training_name": "Laboratory Safety", "regulation": "OSHA Lab Standard",
         "regulation_url": "https://www.osha.gov/laws-regs/regulations/standardnumber/1910/1910.1450", "regulation_code": "1910.1450"},
        issuer=ISSUER,
    )
    assert doc["badgekit"]["validity"] == "P2Y" and doc["badgekit"]["renewal_note"]
    assert doc["alignment"][0]["targetCode"] == "1910.1450"
    without = tpl.instantiate("safety-training", {"training_name": "Laboratory Safety", "validity": "P1Y"}, issuer=ISSUER)
    assert "alignment" not in without and without["badgekit"]["validity"] == "P1Y"


def test_framework_competency_alignment() -> None:
    doc = tpl.instantiate(
        "framework-competency",
        {"competency_name": "Secure coding", "framework": "SFIA 9", "framework_item_url": "https://sfia-online.org/en/sfia-9/skills/secure-coding",
         "framework_code": "SCAD", "target_type": "CFItem"},
        issuer=ISSUER,
    )
    assert doc["achievementType"] == "Competency"
    assert doc["alignment"] == [{
        "type": ["Alignment"], "targetName": "Secure coding", "targetUrl": "https://sfia-online.org/en/sfia-9/skills/secure-coding",
        "targetFramework": "SFIA 9", "targetCode": "SCAD", "targetType": "CFItem",
    }]


def test_ids_are_stable_and_depend_on_issuer_and_name() -> None:
    a = tpl.instantiate("course-completion", {"course_name": "Python Basics"}, issuer=ISSUER)
    b = tpl.instantiate("course-completion", {"course_name": "Python Basics", "credits": "3"}, issuer=ISSUER)
    c = tpl.instantiate("course-completion", {"course_name": "Python Advanced"}, issuer=ISSUER)
    d = tpl.instantiate("course-completion", {"course_name": "Python Basics"}, issuer=dict(ISSUER, id="did:web:example.org"))
    assert a["id"] == b["id"] == tpl.achievement_id(ISSUER["id"], "Python Basics")
    assert len({a["id"], c["id"], d["id"]}) == 3
    assert a["id"] == "urn:uuid:" + __import__("uuid").uuid5(__import__("uuid").NAMESPACE_URL, f"{ISSUER['id']}#achievement:Python Basics").__str__()
    fixed = tpl.instantiate("course-completion", {"course_name": "Python Basics", "id": "https://example.edu/badges/py"}, issuer=ISSUER)
    assert fixed["id"] == "https://example.edu/badges/py"


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ({}, r"missing required field\(s\) course_name"),
        ({"course_name": "X", "colour": "blue"}, "not a colour"),
        ({"course_name": "X", "credits": "three"}, "not a number"),
        ({"course_name": "X", "criteria_url": "example.edu"}, "not an absolute http"),
        ({"course_name": "X", "language": "English"}, "not a language code"),
        ({"course_name": "X", "nonsense": "1"}, "has no field 'nonsense'"),
        ({"course_name": "  "}, "missing required"),
    ],
)
def test_bad_values_are_input_errors(values: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        tpl.instantiate("course-completion", values, issuer=ISSUER)


def test_unknown_template() -> None:
    with pytest.raises(tpl.UnknownTemplateError, match="unknown template 'nope'; available: certification-levels"):
        tpl.load_template("nope")


def test_issuer_needs_an_id() -> None:
    with pytest.raises(InputError, match="needs an id"):
        tpl.instantiate("course-completion", {"course_name": "X"}, issuer={"name": "x"})


def test_user_values_are_not_re_expanded() -> None:
    doc = tpl.instantiate("course-completion", {"course_name": "Use {{issuer_id}} {{uuid:x}}"}, issuer=ISSUER)
    assert doc["name"] == "Use {{issuer_id}} {{uuid:x}}"


def test_defaults_may_use_earlier_fields() -> None:
    t = tpl.load_template("course-completion")
    assert t.default_for("description", {"course_name": "Rust"}) == "Completed all sessions and assignments of the course Rust."
    assert t.default_for("course_name", {}) == ""


# ---------------------------------------------------------------------------------------------
# user templates


USER_TEMPLATE = """\
template:
  title: Volunteer hours
  summary: Hours of volunteering.
  fields:
    - {name: activity, prompt: Activity, required: true}
    - {name: hours, prompt: Minimum hours, type: integer, default: "20"}
badge:
  type: [Achievement]
  achievementType: CommunityService
  name: "{{activity}} volunteer"
  description: "Volunteered at least {{hours}} hours for {{activity}} with {{issuer_name}}."
  criteria: {narrative: "Log {{hours}} hours."}
  badgekit:
    requirements:
      - {column: hours, min: "{{hours|integer}}"}
"""


def test_user_templates_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mytemplates"
    folder.mkdir()
    (folder / "volunteer.yaml").write_text(USER_TEMPLATE, encoding="utf-8")
    assert "volunteer" in tpl.template_names([folder])
    info = next(i for i in tpl.list_templates([folder]) if i.name == "volunteer")
    assert info.source == str(folder) and info.achievement_type == "CommunityService"
    doc = tpl.instantiate("volunteer", {"activity": "Food bank"}, issuer=ISSUER, extra_dirs=[folder])
    assert doc["description"] == "Volunteered at least 20 hours for Food bank with Example University."
    assert doc["badgekit"]["requirements"] == [{"column": "hours", "min": 20}]
    assert check_document(doc, templates_dirs=[folder]) == []
    # elsewhere (without the folder) the recorded template is unknown, and validation says so
    assert [p.path for p in check_document(doc)] == ["$.badgekit.template"]


def test_user_template_overrides_a_shipped_one_and_badges_subfolder(tmp_path: Path) -> None:
    (tmp_path / "badges").mkdir()
    (tmp_path / "badges" / "course-completion.yaml").write_text(USER_TEMPLATE, encoding="utf-8")
    info = tpl.load_template("course-completion", [tmp_path]).info
    assert info.title == "Volunteer hours"


def test_a_type_set_per_level_is_listed_as_its_values() -> None:
    """`templates list` showed the pathway's type as the raw placeholder {{kind}}."""
    kinds = {i.name: i.achievement_type for i in tpl.list_templates()}
    assert kinds["pathway"] == "Course / MicroCredential"
    assert kinds["course-completion"] == "Course"
    assert not any("{{" in (kind or "") for kind in kinds.values())


def test_missing_user_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="templates folder does not exist"):
        tpl.list_templates([tmp_path / "nope"])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t.replace("{{activity}} volunteer", "{{actvity}} volunteer"), r"placeholder \{\{actvity\}\} names no field"),
        (lambda t: t.replace('"{{hours|integer}}"', '"{{hours|float}}"'), "unknown filter"),
        (lambda t: t.replace("type: integer", "type: money"), "unknown field type"),
        (lambda t: t.replace("badge:\n", "badges:\n"), "needs a 'template' header"),
        (lambda t: t.replace('"Log {{hours}} hours."', '"Log {{hours} hours."'), "malformed placeholder"),
        (lambda t: t + "  extra: [\n", "malformed YAML"),
        (lambda t: t.replace("name: activity", "name: issuer_name"), "reserved name"),
    ],
)
def test_broken_user_templates_name_the_problem(tmp_path: Path, change: Any, match: str) -> None:
    path = tmp_path / "volunteer.yaml"
    path.write_text(change(USER_TEMPLATE), encoding="utf-8")
    with pytest.raises(InputError, match=match) as info:
        tpl.parse_template(path, source=str(tmp_path))
    assert str(path) in info.value.message


def test_template_making_an_invalid_badge_class_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(USER_TEMPLATE.replace("CommunityService", "Volunteering"), encoding="utf-8")
    with pytest.raises(InputError, match=r"made an invalid badge class: \$\.achievementType"):
        tpl.instantiate(tpl.parse_template(path), {"activity": "x"}, issuer=ISSUER)


def test_slugify() -> None:
    assert tpl.slugify("Cloud Security: Mastery") == "cloud-security-mastery"
    assert tpl.slugify("Sécurité & Réseaux") == "securite-reseaux"
    assert tpl.slugify("!!!") == ""


def test_image_templates_named_by_shipped_templates_exist() -> None:
    images = tpl.image_template_names()
    for name in SHIPPED:
        for g in tpl.instantiate_all(name, _required_examples(name), issuer=ISSUER):
            assert g.document["badgekit"]["image_template"] in images


@pytest.mark.parametrize("name", SHIPPED)
def test_credentials_issued_from_every_template_pass_both_1edtech_schemas_and_verify(name: str) -> None:
    """What a verifier sees: a signed credential per template (every roster column badgekit maps:
    score, level, status, evidence, supervisor, dates, recipient id, subject fields; an issuer
    with every text Profile member), valid against the current and the strict 2024-09 schema,
    both engines."""
    from datetime import UTC, datetime, timedelta

    from badgekit import credential, proof, status
    from badgekit.keys import Ed25519Key
    from badgekit.project import PROFILE_TEXT_MEMBERS
    from badgekit.schema import validate_credential

    key = Ed25519Key.from_seed(bytes(range(32)))
    issuer = {**ISSUER, "id": key.did_key, **{m: "1990-05-17" if m == "dateOfBirth" else m for m in PROFILE_TEXT_MEMBERS}}
    row = {"email": "Ana.Lima@Example.org", "score": "92", "level": "Proficient", "evidence_url": "https://e.example.org/1",
           "evidence_narrative": "Final project", "supervisor": "Dr. Rao", "earned": "2026-01-12", "credits_earned": "3",
           "student_id": "S-20931", "recipient_id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
           "status": "completed", "evidence_name": "Project report", "narrative": "Led the team.",
           "activity_start_date": "2025-09-01", "activity_end_date": "2025-12-15", "term": "Fall 2025",
           "role": "Team lead", "license_number": "LIC-0001"}
    start = datetime(2026, 1, 15, tzinfo=UTC)
    for g in tpl.instantiate_all(name, _all_examples(name), issuer=issuer):
        unsigned = credential.build_credential(
            credential_id="urn:uuid:0b7c2a52-8d1e-4f0a-9a43-6f1f2b3c4d5e", issuer=issuer, achievement=_achievement(g.document),
            recipient=credential.Recipient.from_row(row), values=row, salt="00ff", valid_from=start,
            valid_until=start + timedelta(days=730),
            status_entry=status.status_entry("https://example.edu/status/revocation-1.json", 7, "revocation"))
        signed = proof.add_proof(unsigned, key.signer(), created="2026-01-15T12:00:00Z")
        for engine in ("fast", "reference"):
            assert validate_credential(signed, engine=engine) == [], (g.stem, engine)
            assert validate_credential(signed, engine=engine, strict=True) == [], (g.stem, engine)
        assert proof.verify(signed), g.stem

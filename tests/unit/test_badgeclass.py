"""badgekit.badgeclass: badge-class files, policy, requirements, broken files (durations: test_time.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit import badgeclass
from badgekit.badgeclass import (
    BadgeClassError,
    Policy,
    Requirement,
    load_badge_class,
    validate_badge_class,
)
from badgekit.errors import InputError
from badgekit.schema import SchemaProblem

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "invalid" / "badgeclass"
EXAMPLES = ROOT / "examples" / "badges"

#: file in tests/invalid/badgeclass → the JSON path its one problem must be reported at.
INVALID_CASES = {
    "missing-name.yaml": "$.name",
    "bad-url.json": "$.criteria.id",
    "bad-duration.yaml": "$.badgekit.validity",
    "unknown-template.yaml": "$.badgekit.template",
    "unknown-image-template.yaml": "$.badgekit.image_template",
    "bad-colour.yaml": "$.badgekit.colour",
    "unknown-requirement-kind.yaml": "$.badgekit.requirements[1].minimum",
    "criteria-without-id-or-narrative.yaml": "$.criteria",
    "id-not-a-uri.yaml": "$.id",
    "image-not-an-object.yaml": "$.image",
    "bad-achievement-type.yaml": "$.achievementType",
    "bad-alignment-url.yaml": "$.alignment[0].targetUrl",
    "type-not-an-array.yaml": "$.type",
    "not-an-object.yaml": "$",
}
#: files that cannot even be parsed: validate raises InputError naming file, line and column.
MALFORMED_CASES = {
    "malformed.yaml": "malformed YAML at line 4",
    "malformed.json": "malformed JSON at line 4, column 26: trailing comma before the end of the object",
    "duplicate-key.yaml": "duplicate key 'name'",
    "binary-tag.yaml": "at line 5, column 14: the tag !!binary is not allowed in badgekit files (JSON values only)",
    "set-tag.yaml": "at line 7, column 6: the tag !!set is not allowed in badgekit files (JSON values only)",
}

COURSE = {
    "id": "urn:uuid:6ef6e070-9817-5ef7-bfb7-d2526e8040c9",
    "type": ["Achievement"],
    "achievementType": "Course",
    "name": "Python Basics",
    "description": "Completed the course.",
    "criteria": {"narrative": "Attend the sessions."},
    "x-house-code": {"kept": True},
    "badgekit": {
        "validity": "P2Y",
        "colour": "#1f6feb",
        "requirements": [
            {"column": "score", "min": 70},
            {"column": "evidence_url", "required": True, "url": True, "message": "link the work"},
            {"column": "supervisor", "required": True},
        ],
        "image_template": "default",
        "level_label": "Mastery",
        "family": "Python",
        "renewal_note": "Retake it.",
    },
}


def test_every_invalid_file_is_covered() -> None:
    names = {p.name for p in INVALID.iterdir() if p.is_file()}
    assert names == set(INVALID_CASES) | set(MALFORMED_CASES)


@pytest.mark.parametrize(("name", "path"), sorted(INVALID_CASES.items()))
def test_invalid_files_report_their_path(name: str, path: str) -> None:
    problems = validate_badge_class(INVALID / name)
    assert problems, name
    assert [p.path for p in problems] == [path], [str(p) for p in problems]
    for p in problems:
        assert "\n" not in p.message
    with pytest.raises(BadgeClassError) as info:
        load_badge_class(INVALID / name)
    assert str(INVALID / name) in info.value.message
    assert path in info.value.message
    assert info.value.problems == tuple(problems)


@pytest.mark.parametrize(("name", "text"), sorted(MALFORMED_CASES.items()))
def test_malformed_files_raise_input_error(name: str, text: str) -> None:
    with pytest.raises(InputError) as info:
        validate_badge_class(INVALID / name)
    assert not isinstance(info.value, BadgeClassError)
    assert str(INVALID / name) in info.value.message
    assert text in info.value.message
    assert "\n" not in info.value.message


@pytest.mark.parametrize("name", ["course-python-basics.yaml", "safety-training.yaml"])
def test_example_badge_classes_are_valid(name: str) -> None:
    assert validate_badge_class(EXAMPLES / name) == []
    bc = load_badge_class(EXAMPLES / name)
    assert bc.id.startswith("urn:uuid:")
    assert "badgekit" not in bc.achievement
    assert bc.achievement["creator"]["name"] == "Example University"


def test_load_keeps_unknown_members_and_strips_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "course.json"
    path.write_text(json.dumps(COURSE), encoding="utf-8")
    bc = load_badge_class(path)
    assert bc.achievement == {k: v for k, v in COURSE.items() if k != "badgekit"}
    assert bc.achievement["x-house-code"] == {"kept": True}
    assert bc.id == COURSE["id"] and bc.name == "Python Basics" and bc.achievement_type == "Course"
    assert bc.policy == Policy(
        validity="P2Y",
        requirements=(
            Requirement("score", "min", 70),
            Requirement("evidence_url", "required", True, "link the work"),
            Requirement("evidence_url", "url", None, "link the work"),
            Requirement("supervisor", "required", True),
        ),
        image_template="default",
        colour="#1f6feb",
        level_label="Mastery",
        family="Python",
        renewal_note="Retake it.",
    )
    # the file form round-trips
    assert bc.to_document() == COURSE


def test_yaml_and_json_give_the_same_badge_class(tmp_path: Path) -> None:
    badgeclass.write_badge_class(tmp_path / "a.yaml", COURSE, comment="made in a test")
    badgeclass.write_badge_class(tmp_path / "a.json", COURSE)
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8").startswith("# made in a test\n")
    a, b = load_badge_class(tmp_path / "a.yaml"), load_badge_class(tmp_path / "a.json")
    assert a.achievement == b.achievement and a.policy == b.policy


def test_write_never_overwrites_unless_asked(tmp_path: Path) -> None:
    path = badgeclass.write_badge_class(tmp_path / "a.yaml", COURSE)
    with pytest.raises(InputError, match="already exists"):
        badgeclass.write_badge_class(path, COURSE)
    badgeclass.write_badge_class(path, COURSE, overwrite=True)
    with pytest.raises(InputError, match=r"\.yaml, \.yml or \.json"):
        badgeclass.write_badge_class(tmp_path / "a.txt", COURSE)


def test_yaml_pitfalls_are_avoided(tmp_path: Path) -> None:
    path = tmp_path / "norway.yaml"
    doc = dict(COURSE, inLanguage="no", name="2024-01-01")
    doc.pop("x-house-code")
    badgeclass.write_badge_class(path, doc)
    text = path.read_text(encoding="utf-8")
    assert "inLanguage: 'no'" in text
    bc = load_badge_class(path)
    assert bc.achievement["inLanguage"] == "no" and bc.name == "2024-01-01"
    # unquoted, they still stay strings (YAML 1.2 style): no False, no date object
    path.write_text(text.replace("inLanguage: 'no'", "inLanguage: no").replace("name: '2024-01-01'", "name: 2024-01-01"))
    bc = load_badge_class(path)
    assert bc.achievement["inLanguage"] == "no" and bc.name == "2024-01-01"


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text("a: &a [x, x]\nb: [*a, *a]\n", encoding="utf-8")
    with pytest.raises(InputError, match="aliases"):
        validate_badge_class(path)


@pytest.mark.parametrize("value", ["!!binary aGk=", "!!set {a, b}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]", "!!timestamp 2026-01-15"])
def test_yaml_tags_for_values_json_has_not_are_refused(tmp_path: Path, value: str) -> None:
    # SafeLoader would build bytes, a set, pairs or a datetime, which no credential can hold.
    path = tmp_path / "tagged.yaml"
    path.write_text(f"id: urn:uuid:6ef6e070-9817-5ef7-bfb7-d2526e8040c9\nname: {value}\n", encoding="utf-8")
    tag = value.split()[0]
    with pytest.raises(InputError, match=rf"tagged\.yaml: malformed YAML at line 2, column 7: the tag {tag} is not allowed"):
        validate_badge_class(path)


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        validate_badge_class(tmp_path / "nope.yaml")
    (tmp_path / "x.toml").write_text("a = 1")
    with pytest.raises(InputError, match=r"\.yaml, \.yml or \.json"):
        validate_badge_class(tmp_path / "x.toml")


def test_several_problems_are_all_reported_in_path_order() -> None:
    doc = dict(COURSE)
    doc.pop("name")
    doc["criteria"] = {"id": "ftp://example.edu/c"}
    doc["badgekit"] = {"validity": "P0D", "colour": "#12345", "requirements": [{"column": "score", "min": "seventy"}], "color": "#fff"}
    problems = badgeclass.check_document(doc)
    assert [p.path for p in problems] == [
        "$.badgekit.color",
        "$.badgekit.colour",
        "$.badgekit.requirements[0].min",
        "$.badgekit.validity",
        "$.criteria.id",
        "$.name",
    ]
    assert "did you mean colour" in problems[0].message


def test_result_description_rules() -> None:
    doc = dict(COURSE)
    doc["resultDescription"] = [
        {"id": "urn:uuid:1", "type": ["ResultDescription"], "name": "a", "resultType": "RubricCriterionLevel",
         "requiredLevel": "urn:uuid:9", "rubricCriterionLevel": [{"id": "urn:uuid:2", "type": ["RubricCriterionLevel"], "name": "x"}]},
        {"id": "urn:uuid:1", "type": ["ResultDescription"], "name": "b", "resultType": "LetterGrade",
         "allowedValue": ["A", "B"], "requiredValue": "C"},
    ]
    paths = [p.path for p in badgeclass.check_document(doc)]
    assert paths == ["$.resultDescription[0].requiredLevel", "$.resultDescription[1].id", "$.resultDescription[1].requiredValue"]


def test_data_uri_images_are_allowed() -> None:
    doc = dict(COURSE, image={"id": "data:image/png;base64,iVBORw0KGgo=", "type": "Image", "caption": "x"})
    assert badgeclass.check_document(doc) == []


# ---------------------------------------------------------------------------------------------
# requirements


@pytest.mark.parametrize(
    ("req", "raw", "reason"),
    [
        (Requirement("score", "min", 70), "70", None),
        (Requirement("score", "min", 70), "55", "score 55 is below the required 70"),
        (Requirement("score", "min", 70), "70,5", None),
        (Requirement("score", "min", 70), "abc", "score 'abc' is not a number"),
        (Requirement("score", "min", 70), None, "score is missing (at least 70 required)"),
        (Requirement("score", "min", 70), " ", "score is missing (at least 70 required)"),
        (Requirement("score", "max", 100), "101", "score 101 is above the allowed 100"),
        (Requirement("score", "min", 70), "nan", "score 'nan' is not a number"),
        (Requirement("score", "min", 70), "1,250", "score '1,250' is ambiguous (1250 or 1.250?): write 1250, or 1.2500 for the decimal"),
        (Requirement("evidence_url", "required"), "", "evidence_url is missing (required)"),
        (Requirement("evidence_url", "required", True), "https://x.org/e", None),
        (Requirement("evidence_url", "required", False), "", None),
        (Requirement("evidence_url", "url"), "https://example.edu/work/1", None),
        (Requirement("evidence_url", "url"), "example.edu/work", "evidence_url 'example.edu/work' is not an http(s) URL"),
        (Requirement("evidence_url", "url"), "javascript:alert(1)", "evidence_url 'javascript:alert(1)' is not an http(s) URL"),
        (Requirement("evidence_url", "url"), None, None),
        (Requirement("email", "email"), "a@example.com", None),
        (Requirement("email", "email"), "a@b", "email 'a@b' is not an email address"),
        (Requirement("completed_on", "date"), "2026-01-15", None),
        (Requirement("completed_on", "date"), "2026-02-30", "completed_on: '2026-02-30' is not a date (use YYYY-MM-DD)"),
        (Requirement("completed_on", "date"), "2026-01-15T10:00:00Z", None),
        (Requirement("completed_on", "date"), "15/01/2026", None),  # unambiguous day/month, as the roster reads it
        (Requirement("completed_on", "date"), "03/04/2026", "completed_on: ambiguous date '03/04/2026' (3 April or March 4?): write YYYY-MM-DD, or say which with --date-format DMY or MDY"),
        (Requirement("level", "one_of", ("Proficient", "Exemplary")), "proficient", None),
        (Requirement("level", "one_of", ("Proficient", "Exemplary")), "Beginning", "level 'Beginning' is not one of: Proficient, Exemplary"),
        (Requirement("supervisor", "required", True, "a supervisor signs off"), None, "supervisor is missing (required) (a supervisor signs off)"),
    ],
)
def test_requirement_check(req: Requirement, raw: str | None, reason: str | None) -> None:
    assert req.check(raw) == reason


def test_policy_check_row_and_describe() -> None:
    policy, problems = badgeclass.parse_policy(COURSE["badgekit"])
    assert problems == []
    assert policy.check_row({"score": "80", "evidence_url": "https://example.edu/e/1", "supervisor": "Dr Who"}) == []
    assert policy.check_row({"score": "55"}) == [
        "score 55 is below the required 70",
        "evidence_url is missing (required) (link the work)",
        "supervisor is missing (required)",
    ]
    assert policy.columns == ("score", "evidence_url", "supervisor")
    assert policy.describe_requirements() == ["score >= 70", "evidence_url (required, url)", "supervisor (required)"]


def test_policy_valid_until() -> None:
    start = datetime(2024, 2, 29, tzinfo=UTC)
    assert Policy(validity="P1Y").valid_until(start) == datetime(2025, 2, 28, tzinfo=UTC)
    assert Policy().valid_until(start) is None


def test_schema_problem_str() -> None:
    assert str(SchemaProblem("$.name", "is required")) == "$.name: is required"


def test_revocable_policy() -> None:
    from badgekit.badgeclass import parse_policy

    assert parse_policy({})[0].revocable is True
    policy, problems = parse_policy({"revocable": False})
    assert not problems and policy.revocable is False and policy.to_json() == {"revocable": False}
    assert [str(p) for p in parse_policy({"revocable": "no"})[1]] == ["$.badgekit.revocable: must be true or false"]
    assert [str(p) for p in parse_policy({"revocable": False, "status_purpose": "suspension"})[1]] == [
        "$.badgekit.status_purpose: does not apply: revocable is false, so credentials carry no status entry"]


def test_status_purpose_policy(tmp_path):
    from badgekit.badgeclass import load_badge_class, parse_policy

    policy, problems = parse_policy({"status_purpose": "suspension"})
    assert not problems and policy.status_purpose == "suspension"
    assert policy.to_json()["status_purpose"] == "suspension"
    assert parse_policy({})[0].status_purpose == "revocation"
    _, problems = parse_policy({"status_purpose": "pause"})
    assert [p.path for p in problems] == ["$.badgekit.status_purpose"]
    example = load_badge_class(Path(__file__).resolve().parents[2] / "examples" / "badges" / "safety-training.yaml")
    assert example.policy.status_purpose == "suspension"


def test_requires_policy_names_badge_classes_the_project_has(tmp_path: Path) -> None:
    from badgekit.badgeclass import badge_class_names, check_document, parse_policy, required_badges

    lower = {**COURSE, "id": "urn:uuid:0b7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a01", "name": "Python Basics"}
    higher = {**COURSE, "id": "urn:uuid:0b7c9a52-1d1e-4d2f-9a63-2c1b8e2f0a02", "name": "Python Advanced",
              "badgekit": {"requires": [lower["id"]]}}
    policy, problems = parse_policy(higher["badgekit"])
    assert not problems and policy.requires == (lower["id"],) and policy.to_json() == {"requires": [lower["id"]]}
    _, problems = parse_policy({"requires": ["python-basics.yaml", lower["id"], lower["id"]]})
    assert [(p.path, p.message.split(" ")[-1]) for p in problems] == [
        ("$.badgekit.requires[0]", "URL)"), ("$.badgekit.requires[2]", "twice")]
    assert [p.path for p in parse_policy({"requires": lower["id"]})[1]] == ["$.badgekit.requires"]
    itself = {**higher, "badgekit": {"requires": [higher["id"]]}}
    assert [str(p) for p in check_document(itself)] == ["$.badgekit.requires[0]: a badge class cannot require itself"]

    badges = tmp_path / "badges"
    badges.mkdir()
    badgeclass.write_badge_class(badges / "advanced.yaml", higher)
    assert check_document(higher) == []  # without the project's ids, only the form is checked
    assert [str(p) for p in check_document(higher, known_badges=badge_class_names(badges))] == [
        f"$.badgekit.requires[0]: no badge class with id '{lower['id']}' in the project"]
    with pytest.raises(InputError, match=r"advanced\.yaml: \$\.badgekit\.requires\[0\]: no badge class with id"):
        required_badges(load_badge_class(badges / "advanced.yaml"), badges)
    badgeclass.write_badge_class(badges / "basics.json", lower)
    (badges / "broken.yaml").write_text("name: [\n", encoding="utf-8")  # skipped, not fatal
    assert badge_class_names(badges) == {lower["id"]: "Python Basics", higher["id"]: "Python Advanced"}
    assert validate_badge_class(badges / "advanced.yaml", known_badges=badge_class_names(badges)) == []
    assert required_badges(load_badge_class(badges / "advanced.yaml"), tmp_path / "elsewhere") == {lower["id"]: "Python Basics"}


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-01-15", True), ("2026-02-30", False), ("2026-01-15T10:00:00Z", True), ("2026-01-15T10:00:00+14:00", True),
     # date-times are the one timestamp form (was: also a space for T, no seconds, lower-case z, any offset)
     ("2026-01-15 10:00:00Z", False), ("2026-01-15T10:00Z", False), ("2026-01-15T10:00:00z", False),
     ("2026-01-15T10:00:00+15:00", False), ("2026-01-15T10:00:00", False)],
)
def test_is_date(text: str, ok: bool) -> None:
    from badgekit.badgeclass import is_date

    assert is_date(text) is ok


IDS = [f"urn:uuid:0b7c9a52-1d1e-4d2f-9a63-2c1b8e2f0b0{i}" for i in range(6)]


def test_requires_all_of_n_of_and_nested_groups() -> None:
    from badgekit.badgeclass import Holdings, parse_policy

    a, b, c, d = IDS[:4]
    policy, problems = parse_policy({"requires": {"n_of": {"n": 2, "of": [a, b, {"all_of": [c, d]}]}}})
    assert problems == []
    rule = policy.rule
    assert rule == Holdings(2, (a, b, Holdings(2, (c, d))))
    assert policy.requires == (a, b, c, d) and policy.is_pathway
    assert rule.met({a, b}) and rule.met({a, c, d}) and not rule.met({a, c}) and not rule.met(set())
    assert rule.missing({a, c}, name=lambda i: i[-2:]) == "1 more of: 01, (all of: 02, 03)"
    assert rule.missing({a, b}) is None
    assert policy.to_json() == {"requires": {"n_of": {"n": 2, "of": [a, b, {"all_of": [c, d]}]}}}
    # a plain list is all_of, written back as a plain list
    plain, _ = parse_policy({"requires": [a, b]})
    assert plain.rule == Holdings.all_of(a, b) and plain.holdings is None and plain.to_json() == {"requires": [a, b]}
    assert parse_policy({"requires": {"all_of": [a, [b, c]]}})[0].rule == Holdings(2, (a, Holdings(2, (b, c))))
    # a badge class with roster requirements too is not a pathway (a roster must say who meets them)
    assert not parse_policy({"requires": [a], "requirements": [{"column": "score", "min": 1}]})[0].is_pathway


@pytest.mark.parametrize(("requires", "where", "message"), [
    ({"n_of": {"n": 3, "of": IDS[:2]}}, "$.badgekit.requires.n_of.n", "from 1 to 2, got 3"),
    ({"n_of": {"n": True, "of": IDS[:2]}}, "$.badgekit.requires.n_of.n", "whole number"),
    ({"n_of": {"of": IDS[:2]}}, "$.badgekit.requires.n_of", "{n: N, of:"),
    ({"n_of": {"n": 1, "of": []}}, "$.badgekit.requires.n_of.of", "non-empty"),
    ({"all_of": IDS[:1], "n_of": {}}, "$.badgekit.requires", "must be a list of badge-class ids"),
    ({"any_of": IDS[:1]}, "$.badgekit.requires", "must be a list of badge-class ids"),
    ({"all_of": [IDS[0], {"n_of": {"n": 1, "of": ["basics.yaml"]}}]}, "$.badgekit.requires.all_of[1].n_of.of[0]", "not a badge-class id"),
])
def test_requires_problems_name_their_json_path(requires: object, where: str, message: str) -> None:
    from badgekit.badgeclass import parse_policy

    problems = parse_policy({"requires": requires})[1]
    assert [p.path for p in problems] == [where] and message in problems[0].message


def test_validate_finds_missing_required_classes_and_cycles_through_nested_groups(tmp_path: Path) -> None:
    from badgekit.badgeclass import badge_class_names, badge_class_requires

    a = {**COURSE, "id": IDS[0], "name": "A", "badgekit": {"requires": {"n_of": {"n": 1, "of": [IDS[5], {"all_of": [IDS[1]]}]}}}}
    b = {**COURSE, "id": IDS[1], "name": "B", "badgekit": {"requires": [IDS[2]]}}
    c = {**COURSE, "id": IDS[2], "name": "C", "badgekit": {"requires": {"all_of": [IDS[0]]}}}
    d = {**COURSE, "id": IDS[3], "name": "D"}
    badges = tmp_path / "badges"
    badges.mkdir()
    for doc in (a, b, c, d):
        badgeclass.write_badge_class(badges / f"{doc['name']}.yaml", doc)
    known, graph = badge_class_names(badges), badge_class_requires(badges)
    assert graph == {IDS[0]: (IDS[5], IDS[1]), IDS[1]: (IDS[2],), IDS[2]: (IDS[0],), IDS[3]: ()}
    problems = validate_badge_class(badges / "A.yaml", known_badges=known, requires_graph=graph)
    assert [str(p) for p in problems] == [
        f"$.badgekit.requires.n_of.of[0]: no badge class with id '{IDS[5]}' in the project",
        "$.badgekit.requires.n_of.of[1].all_of[0]: requirement cycle: 'A' → 'B' → 'C' → 'A'",
    ]
    assert [str(p) for p in validate_badge_class(badges / "C.yaml", known_badges=known, requires_graph=graph)] == [
        "$.badgekit.requires.all_of[0]: requirement cycle: 'C' → 'A' → 'B' → 'C'"]
    assert validate_badge_class(badges / "D.yaml", known_badges=known, requires_graph=graph) == []
    # the cycle broken: no problem left in C
    badgeclass.write_badge_class(badges / "C.yaml", {**c, "badgekit": {"requires": [IDS[3]]}}, overwrite=True)
    assert validate_badge_class(badges / "C.yaml", known_badges=known, requires_graph=badge_class_requires(badges)) == []


def test_is_http_url_answers_as_urlsplit_does():
    # A roster's `url` requirement runs per row; the common URL shape is matched without
    # urlsplit (issue 18). The answer must be exactly the urlsplit rule's, on any text.
    import random
    from urllib.parse import urlsplit

    from badgekit.badgeclass._values import is_http_url

    def reference(text: str) -> bool:
        if text.split() != [text]:
            return False
        try:
            parts = urlsplit(text)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)

    rng = random.Random(18)
    alphabet = "aZ09-._~:/?#[]@!$&'()*+,;=% \t\n\x00\u00a0\u2028é\u0130\uff0e"
    starts = ["http://", "https://", "HTTP://", "http:/", "http:///", "https://[::1]/", "http://a:b@", "http://.", "ftp://"]
    texts = ["https://portfolio.example.org/1", "http://a", "http://a.", "http://a..b", "http://x.org/\u00a0", "", "http://"]
    texts += [rng.choice(starts) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]
    assert [is_http_url(t) for t in texts] == [reference(t) for t in texts]
    assert is_http_url("https://portfolio.example.org/1") and not is_http_url(None)

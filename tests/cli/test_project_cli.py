"""CLI: init → badge new (scripted) → badge validate → badge list, templates list|show, broken files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit import keys
from badgekit.badgeclass import read_document
from badgekit.cli import app
from badgekit.errors import ExitCode
from badgekit.templates import load_template

ROOT = Path(__file__).resolve().parents[2]
INVALID = ROOT / "tests" / "invalid" / "badgeclass"

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    result = run("init", "--name", "Example University", "--url", "https://example.edu", "--email", "badges@example.edu")
    assert result.exit_code == 0, result.output
    return tmp_path


def test_init_new_validate_list_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # 1. init
    result = run("init", "--name", "Example University", "--url", "https://example.edu", "--email", "badges@example.edu")
    assert result.exit_code == 0, result.output
    issuer_id = result.stdout.strip()
    assert issuer_id == keys.load_key(tmp_path / "issuer-key.pem").did_key
    assert "created badgekit.toml" in result.stderr
    assert "badgekit badge new" in result.stderr
    # 2. badge new, fully scripted
    result = run("badge", "new", "--template", "course-completion", "--set", "course_name=Python Basics", "--set", "credits=2")
    assert result.exit_code == 0, result.output
    written = Path(result.stdout.strip())
    assert written == (tmp_path / "badges" / "python-basics.yaml").resolve()
    result = run("badge", "new", "-t", "certification-levels", "--set", "program=Cloud Security")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.split()) == 4
    result = run("badge", "new", "-t", "safety-training", "--set", "training_name=Lab Safety", "--out", "badges/lab.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "badges" / "lab.json").read_text())["badgekit"]["validity"] == "P2Y"
    # 3. validate (every file in badges/ by default)
    result = run("badge", "validate")
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": ok") == 6
    # 4. list
    result = run("badge", "list", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 6 and all(r["valid"] for r in rows)
    by_name = {r["name"]: r for r in rows}
    assert by_name["Python Basics"]["achievementType"] == "Course"
    assert by_name["Cloud Security: Mastery"]["level"] == "Mastery"
    assert by_name["Lab Safety"]["validity"] == "P2Y"
    assert "score >= 80" in by_name["Lab Safety"]["requirements"]
    result = run("badge", "list")
    assert result.exit_code == 0
    assert "python-basics.yaml" in result.stdout and "lab.json" in result.stdout
    # the badge class carries the issuer as creator
    doc = json.loads((tmp_path / "badges" / "lab.json").read_text())
    assert doc["creator"]["id"] == issuer_id and doc["creator"]["name"] == "Example University"


def test_init_again_changes_nothing(project: Path) -> None:
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    result = run("init", "--name", "Other", "--did-web", "example.org")
    assert result.exit_code == 0
    assert "nothing was changed" in result.stderr
    assert {p: p.read_bytes() for p in project.rglob("*") if p.is_file()} == before


def test_init_in_a_folder_with_json_and_did_web(tmp_path: Path) -> None:
    target = tmp_path / "new-project"
    result = run("init", str(target), "--name", "Example University", "--did-web", "example.edu/issuers/cs", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["issuerId"] == "did:web:example.edu:issuers:cs"
    assert data["verificationMethod"] == "did:web:example.edu:issuers:cs#key-1"
    assert (target / "did.json").is_file() and data["didDocument"] == str((target / "did.json").resolve())


def test_init_encrypted_key_from_environment(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "p"), "--name", "X", "--no-status", "--encrypt", env={"BADGEKIT_KEY_PASSPHRASE": "correct horse battery"})
    assert result.exit_code == 0, result.output
    assert keys.is_encrypted(tmp_path / "p" / "issuer-key.pem")


def test_init_without_name_and_no_terminal_is_a_usage_error(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "p"))
    assert result.exit_code == ExitCode.USAGE
    assert "--name" in result.stderr
    assert not (tmp_path / "p").exists()


def test_init_bad_url_is_one_line(tmp_path: Path) -> None:
    result = run("init", str(tmp_path / "p"), "--name", "X", "--url", "example.edu")
    assert result.exit_code == ExitCode.USAGE
    assert result.stderr.strip().splitlines()[0] == "error: init: --url 'example.edu' is not an absolute http(s) URL"


def test_badge_validate_broken_files(project: Path) -> None:
    files = sorted(str(p) for p in INVALID.iterdir())
    result = run("badge", "validate", *files)
    assert result.exit_code == ExitCode.USAGE  # malformed files are usage errors, and win over problems
    for name, path in [
        ("missing-name.yaml", "$.name: is required"),
        ("bad-url.json", "$.criteria.id: "),
        ("bad-duration.yaml", "$.badgekit.validity: '2 years' is not an ISO 8601 duration"),
        ("unknown-template.yaml", "$.badgekit.template: unknown template 'no-such-template'"),
    ]:
        lines = [ln for ln in result.stdout.splitlines() if ln.startswith(str(INVALID / name))]
        assert len(lines) == 1 and path in lines[0], (name, lines)
    for name in ("malformed.yaml", "malformed.json"):
        lines = [ln for ln in result.stderr.splitlines() if str(INVALID / name) in ln]
        assert len(lines) == 1 and lines[0].startswith("error: ") and "malformed" in lines[0]


@pytest.mark.parametrize("name", ["missing-name.yaml", "bad-url.json", "bad-duration.yaml", "unknown-template.yaml"])
def test_badge_validate_problem_exit_code(name: str) -> None:
    result = run("badge", "validate", str(INVALID / name))
    assert result.exit_code == ExitCode.FAILED
    assert len(result.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize("name", ["malformed.yaml", "malformed.json"])
def test_badge_validate_malformed_exit_code(name: str) -> None:
    result = run("badge", "validate", str(INVALID / name))
    assert result.exit_code == ExitCode.USAGE
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {INVALID / name}: malformed")


def test_badge_validate_json(project: Path) -> None:
    result = run("badge", "validate", "--json", str(INVALID / "missing-name.yaml"), str(INVALID / "malformed.json"))
    assert result.exit_code == ExitCode.USAGE
    data = json.loads(result.stdout)
    assert data[0]["problems"] == [{"path": "$.name", "message": "is required"}]
    assert data[1]["error"].startswith(str(INVALID / "malformed.json"))


def test_badge_list_shows_invalid_files(project: Path) -> None:
    shutil.copy(INVALID / "missing-name.yaml", project / "badges")
    shutil.copy(INVALID / "malformed.json", project / "badges")
    result = run("badge", "list", "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert [r["valid"] for r in rows] == [False, False]
    result = run("badge", "list")
    assert "INVALID" in result.stdout and "badge validate" in result.stderr


def test_badge_new_unknown_template(project: Path) -> None:
    result = run("badge", "new", "--template", "nope")
    assert result.exit_code == ExitCode.USAGE
    assert "unknown template 'nope'" in result.stderr and "badgekit templates list" in result.stderr


def test_badge_new_missing_field_without_terminal(project: Path) -> None:
    result = run("badge", "new", "--template", "course-completion")
    assert result.exit_code == ExitCode.USAGE
    assert "course_name" in result.stderr and "--set course_name=" in result.stderr


def test_badge_new_bad_set(project: Path) -> None:
    assert run("badge", "new", "-t", "course-completion", "--set", "course_name").exit_code == ExitCode.USAGE
    result = run("badge", "new", "-t", "course-completion", "--set", "course_name=X", "--set", "colour=red")
    assert result.exit_code == ExitCode.USAGE and "colour" in result.stderr


def test_badge_new_refuses_to_overwrite(project: Path) -> None:
    args = ("badge", "new", "-t", "course-completion", "--set", "course_name=X")
    assert run(*args).exit_code == 0
    result = run(*args)
    assert result.exit_code == ExitCode.USAGE and "already exists" in result.stderr
    assert run(*args, "--force").exit_code == 0


def test_badge_new_family_into_a_folder_as_json(project: Path) -> None:
    result = run("badge", "new", "-t", "certification-levels", "--set", "program=Data", "--out", "levels", "--format", "json", "--json")
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert [w["level"] for w in written] == ["awareness", "application", "mastery", "specialization"]
    assert all(Path(w["path"]).suffix == ".json" and Path(w["path"]).is_file() for w in written)
    result = run("badge", "new", "-t", "certification-levels", "--set", "program=Data", "--out", "one.yaml")
    assert result.exit_code == ExitCode.USAGE and "give a folder" in result.stderr


def test_badge_commands_outside_a_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for args in (("badge", "list"), ("badge", "validate"), ("badge", "new", "-t", "course-completion")):
        result = run(*args)
        assert result.exit_code == ExitCode.USAGE
        assert "not inside a badge project" in result.stderr and "badgekit init" in result.stderr


def test_templates_list_and_show(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("templates", "list", "--json")
    assert result.exit_code == 0
    names = [t["name"] for t in json.loads(result.stdout)]
    assert names == ["certification-levels", "course-completion", "framework-competency", "pathway", "safety-training", "skill-rubric"]
    result = run("templates", "list")
    assert result.exit_code == 0 and "skill-rubric" in result.stdout
    result = run("templates", "show", "certification-levels")
    assert result.exit_code == 0
    assert "awareness, application, mastery, specialization" in result.stdout
    assert "Roster rows must provide" in result.stdout
    data = json.loads(run("templates", "show", "skill-rubric", "--json").stdout)
    assert data["achievementType"] == "Badge" and any(r.startswith("score: min") for r in data["requirements"])
    result = run("templates", "show", "nope")
    assert result.exit_code == ExitCode.USAGE and "unknown template" in result.stderr


@pytest.mark.parametrize(("name", "line"), [
    ("safety-training", "score: min=min_score (default 80): the knowledge-check score"),
    ("certification-levels", "score: min=level_min_score (awareness 60, application 70, mastery 80, specialization 85)"),
])
def test_templates_show_names_the_field_behind_a_requirement_not_its_jinja(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, line: str) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    result = run("templates", "show", name)
    assert result.exit_code == 0 and "{{" not in result.stdout.split("Roster rows must provide:")[1]
    assert line in result.stdout


def test_user_templates_via_flag_and_config(project: Path) -> None:
    folder = project / "my-templates"
    folder.mkdir()
    (folder / "volunteer.yaml").write_text(
        (ROOT / "tests" / "unit" / "test_templates.py").read_text().split('USER_TEMPLATE = """\\\n')[1].split('"""')[0],
        encoding="utf-8",
    )
    assert "volunteer" in run("templates", "list", "--templates", str(folder)).stdout
    result = run("badge", "new", "-t", "volunteer", "--set", "activity=Food bank", "--templates", str(folder))
    assert result.exit_code == 0, result.output
    # without the folder, validation cannot find the template the file names
    assert run("badge", "validate").exit_code == ExitCode.FAILED
    config = project / "badgekit.toml"
    config.write_text(config.read_text().replace('# templates_dir = "templates"', 'templates_dir = "my-templates"'))
    assert run("badge", "validate").exit_code == 0
    assert "volunteer" in run("templates", "list").stdout


def test_help_mentions_the_commands() -> None:
    out = run("--help").stdout
    for command in ("init", "badge", "templates"):
        assert command in out


def test_init_prompts_in_a_terminal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from badgekit.cli import project as project_cli

    monkeypatch.setattr(project_cli, "_is_terminal", lambda: True)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["init"], input="Example University\nhttps://example.edu\n\n\n\n")
    assert result.exit_code == 0, result.output
    text = (tmp_path / "badgekit.toml").read_text()
    assert 'name = "Example University"' in text and 'url = "https://example.edu"' in text
    assert "\nemail =" not in text


def test_init_needs_a_status_url_or_no_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run("init", str(tmp_path / "p"), "--name", "X")
    assert result.exit_code == ExitCode.USAGE and not (tmp_path / "p").exists()
    assert result.stderr.splitlines()[0] == "error: init: no status list URL, so no credential of this project could ever be revoked"
    result = run("init", str(tmp_path / "p"), "--name", "X", "--no-status", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["statusBaseUrl"] is None
    assert "cannot be revoked" in json.loads(result.stdout)["warnings"][0]

    from badgekit.cli import project as project_cli

    monkeypatch.setattr(project_cli, "_is_terminal", lambda: True)
    for folder, answer, expected in (("q", "https://cdn.example.net/status/", 'status_base_url = "https://cdn.example.net/status/"'),
                                     ("r", "none", '# status_base_url = ')):
        result = runner.invoke(app, ["init", str(tmp_path / folder)], input=f"X\n\n\n\n\n{answer}\n")
        assert result.exit_code == 0, result.output
        assert "Where will status lists be hosted" in result.output
        assert expected in (tmp_path / folder / "badgekit.toml").read_text()


def test_a_no_status_project_issues_only_with_no_revocation_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run("init", "--name", "X", "--no-status").exit_code == 0
    assert run("badge", "new", "-t", "course-completion", "--set", "course_name=Y", "--out", "badges/y.yaml").exit_code == 0
    Path("r.csv").write_text("email,completed_on\nada@example.org,2026-01-10\nbob@example.org,2026-01-11\n", encoding="utf-8")
    refused = run("issue", "-b", "y", "r.csv", "-w", "1")
    assert refused.exit_code == ExitCode.USAGE and refused.stdout == "" and not list(tmp_path.glob("out/*.json"))
    assert "could never be revoked" in refused.stderr and "--no-revocation" in refused.stderr
    issued = run("issue", "-b", "y", "r.csv", "-w", "1", "--no-revocation", "--json")
    assert issued.exit_code == 0, issued.output
    report = json.loads(issued.stdout)
    assert report["revocable"] is False and report["counts"] == {"issued": 2}
    again = run("issue", "-b", "y", "r.csv", "-w", "1", "--no-revocation")
    assert again.stdout.strip() == "2 already issued; not revocable (no status entry)"


def test_badge_new_prompts_for_missing_fields_in_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from badgekit.cli import badge as badge_cli

    monkeypatch.setattr(badge_cli, "_is_terminal", lambda: True)
    # course_name is required: an empty answer is asked again; "red" is not a colour: asked again.
    fields = [f.name for f in load_template("course-completion").info.fields]
    answers = {"course_name": "\nPython Basics", "course_code": "CS-101", "credits": "two\n2", "colour": "red\n#112233"}
    text = "".join(answers.get(name, "") + "\n" for name in fields)  # Enter keeps the other defaults
    result = runner.invoke(app, ["badge", "new", "-t", "course-completion"], input=text)
    assert result.exit_code == 0, result.output
    doc = read_document(project / "badges" / "python-basics.yaml")
    assert doc["name"] == "Python Basics" and doc["creditsAvailable"] == 2 and doc["humanCode"] == "CS-101"
    assert doc["badgekit"]["colour"] == "#112233"
    assert "course_name is required" in result.stderr and "credits: is not a number" in result.stderr


def test_no_input_never_prompts(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from badgekit.cli import badge as badge_cli

    monkeypatch.setattr(badge_cli, "_is_terminal", lambda: True)
    result = run("badge", "new", "-t", "course-completion", "--no-input")
    assert result.exit_code == ExitCode.USAGE and "--set course_name=" in result.stderr


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        (None, "affinity"),  # no cgroup file: the CPUs this process may use
        ("max 100000", "affinity"),  # no quota
        ("100000 100000", 1),
        ("150000 100000", 2),  # 1.5 CPUs: round up
        ("garbage", "affinity"),
    ],
)
def test_default_workers_follow_affinity_and_the_container_quota(tmp_path, cpu_max, expected):
    import os

    from badgekit.cli._options import default_workers

    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max + "\n")
    affinity = len(os.sched_getaffinity(0))
    assert default_workers(path) == (affinity if expected == "affinity" else min(expected, affinity))


@pytest.mark.parametrize("did_web", [None, "example.edu"])
def test_init_adopts_an_existing_p256_key_and_the_project_signs_with_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, did_web: str | None) -> None:
    # docs/vc-jwt.md: "a P-256 project key signs the status lists in ecdsa-rdfc-2019"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    (tmp_path / "p").mkdir()
    assert run("key", "generate", "p/p256.pem", "--type", "p256").exit_code == 0
    p256 = keys.load_data_integrity_key(tmp_path / "p" / "p256.pem")
    web = ["--did-web", did_web] if did_web else []
    result = run("init", "p", "--name", "Example University", "--url", "https://example.edu", "--key-file", "p256.pem",
                 "--no-input", *web)
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "p")
    if did_web:
        document = json.loads(Path("did.json").read_text(encoding="utf-8"))
        assert [m["publicKeyMultibase"] for m in document["verificationMethod"]] == [p256.public_key_multibase]
    else:
        assert result.stdout.strip() == p256.did_key and p256.did_key.startswith("did:key:zDn")
    Path("roster.csv").write_text("email,name,completed_on\nada@example.org,Ada,2026-01-12\n", encoding="utf-8")
    assert run("badge", "new", "-t", "course-completion", "--set", "course_name=C", "--no-input").exit_code == 0
    assert run("issue", "roster.csv", "--badge", "c").exit_code == 0
    assert run("status", "publish").exit_code == 0
    extra = ["--did-doc", "did.json"] if did_web else []
    verified = run("verify", "out/", "--status-list", "out/status", "--json", *extra)
    reports = json.loads(verified.stdout)
    assert verified.exit_code == 0 and [r["verdict"] for r in reports] == ["valid"]

"""``badgekit issue --badge <pathway>`` without a roster: modules issued from rosters, then the
micro-credential awarded from the ledger to exactly the holders of the required modules, naming
them as evidence; verified with the status list; a re-run awards nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit.credential import identity_hash
from badgekit.errors import ExitCode
from tests.conftest import run_cli

MODULES = ("data-foundations", "data-methods", "data-project")
LEARNERS = ("ada", "bo", "cy", "di", "ed")


def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, required: str) -> Path:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    run_cli("init", "--name", "Example University", "--url", "https://example.edu", "--no-input")
    run_cli("badge", "new", "-t", "pathway", "--set", "program=Data", "--set", f"modules_required={required}", "--no-input")
    assert sorted(p.stem for p in (tmp_path / "badges").iterdir()) == ["data", *MODULES]
    return tmp_path


def issue_module(project: Path, module: str, *rows: str, ok: int = 0):  # type: ignore[no-untyped-def]
    path = project / f"{module}.csv"
    path.write_text("email,score\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return run_cli("issue", path, "--badge", module, "--workers", "1", ok=ok)


def award(*extra: str, ok: int = 0) -> dict:  # type: ignore[type-arg]
    return json.loads(run_cli("issue", "--badge", "data", "--workers", "1", "--json", *extra, ok=ok).stdout)


def module_files(project: Path) -> dict[str, str]:
    """credential id → file of every module credential issued so far."""
    out = {}
    for path in (project / "out").glob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("credentialSubject", {}).get("achievement", {}).get("achievementType") == "Course":
            out[doc["id"]] = str(path)
    return out


def test_all_modules_awards_exactly_the_holders_of_all_three_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, monkeypatch, "3")
    issue_module(project, "data-foundations", *(f"{n}@example.org,80" for n in LEARNERS))
    issue_module(project, "data-methods", "ada@example.org,80", "BO@example.org,75", "cy@example.org,90")
    # cy fails module 3; the summary counts who became eligible for the pathway
    third = issue_module(project, "data-project", "ada@example.org,70", "bo@example.org,65", "cy@example.org,40",
                         ok=ExitCode.FAILED)
    assert "2 recipient(s) eligible for the pathway 'Data', not yet awarded" in third.stderr
    # bo's module 2 is revoked: it no longer counts
    bo_methods = next(cid for cid, f in module_files(project).items()
                      if "Methods" in Path(f).read_text() and identity_hash("bo@example.org", json.loads(Path(f).read_text())
                                                                            ["credentialSubject"]["identifier"][0]["salt"])
                      == json.loads(Path(f).read_text())["credentialSubject"]["identifier"][0]["identityHash"])
    run_cli("revoke", bo_methods, "--reason", "withdrawn")

    dry = award("--dry-run")
    assert dry["counts"] == {"would-issue": 1} and dry["roster"] == "(ledger)"
    report = award()
    assert report["counts"] == {"issued": 1}
    (row,) = report["rows"]
    credential = json.loads(Path(row["path"]).read_text(encoding="utf-8"))
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    # the recipient is ada: the IdentityObject of her module credentials, same hash and salt
    (identifier,) = credential["credentialSubject"]["identifier"]
    assert identifier["identityHash"] == identity_hash("ada@example.org", identifier["salt"])
    # names its three components as evidence, each a module credential of ada's
    evidence = credential["evidence"]
    assert sorted(e["name"] for e in evidence) == ["Data: Foundations", "Data: Methods", "Data: Project"]
    files = module_files(project)
    for e in evidence:
        (theirs,) = json.loads(Path(files[e["id"]]).read_text(encoding="utf-8"))["credentialSubject"]["identifier"]
        assert theirs["identityHash"] == identity_hash("ada@example.org", theirs["salt"])

    run_cli("status", "publish")
    verified = run_cli("verify", row["path"], "--status-list", project / "out" / "status", "--recipient", "ada@example.org", "--json")
    result = json.loads(verified.stdout)
    assert result["verdict"] == "valid"
    checks = {c["id"]: c["status"] for c in result["checks"]}
    assert checks["status"] == checks["signature"] == checks["schema"] == "passed"
    assert checks.get("recipient") == "passed", checks

    again = award()
    assert again["counts"] == {"already-issued": 1}
    # cy passes module 3 later: the next run awards cy, and only cy
    issue_module(project, "data-project", "cy@example.org,95")
    assert award()["counts"] == {"issued": 1, "already-issued": 1}
    assert award()["counts"] == {"already-issued": 2}


def test_two_of_three_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, monkeypatch, "2")
    issue_module(project, "data-foundations", "ada@example.org,80", "bo@example.org,80", "cy@example.org,80")
    issue_module(project, "data-project", "bo@example.org,80")
    issue_module(project, "data-methods", "cy@example.org,80")
    report = award()
    assert report["counts"] == {"issued": 2}  # bo and cy; ada holds one module
    assert sorted(len(json.loads(Path(r["path"]).read_text())["evidence"]) for r in report["rows"]) == [2, 2]


def test_no_roster_is_a_usage_error_unless_the_badge_class_is_a_pathway(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, monkeypatch, "3")
    result = run_cli("issue", "--badge", "data-methods", ok=ExitCode.USAGE)
    assert "a roster is needed (this is not a pathway badge class" in result.stderr
    assert award()["counts"] == {}  # nobody holds anything yet: nothing to award, not an error


def test_validate_names_a_requirement_cycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, monkeypatch, "3")
    assert run_cli("badge", "validate").stdout.count(": ok") == 4
    data = (project / "badges" / "data.yaml").read_text(encoding="utf-8")
    the_id = next(line.split(": ", 1)[1].strip() for line in data.splitlines() if line.startswith("id: "))
    methods = project / "badges" / "data-methods.yaml"
    methods.write_text(methods.read_text(encoding="utf-8").replace("badgekit:\n", f"badgekit:\n  requires: [{the_id}]\n", 1),
                       encoding="utf-8")
    result = run_cli("badge", "validate", "--json", ok=ExitCode.FAILED)
    problems = {Path(r["file"]).stem: r["problems"] for r in json.loads(result.stdout)}
    assert problems["data-methods"] == [{"path": "$.badgekit.requires[0]",
                                         "message": "requirement cycle: 'Data: Methods' → 'Data' → 'Data: Methods'"}]
    assert problems["data"][0]["path"] == "$.badgekit.requires.n_of.of[1]"


def add_ladder_top(project: Path) -> str:
    """A second pathway, 'Data Expert': the 'Data' micro-credential and the project module."""
    data = (project / "badges" / "data.yaml").read_text(encoding="utf-8")
    ids = {p.stem: next(line.split(": ", 1)[1].strip() for line in p.read_text(encoding="utf-8").splitlines()
                        if line.startswith("id: ")) for p in (project / "badges").glob("*.yaml")}
    top = data.split("badgekit:\n", 1)[0].replace(ids["data"], "urn:uuid:5e1d3c2b-7a6f-4e8d-9c0b-1a2b3c4d5e6f")
    top = top.replace("name: Data\n", "name: Data Expert\n")
    (project / "badges" / "expert.yaml").write_text(top + f"badgekit:\n  requires: [{ids['data']}, {ids['data-project']}]\n",
                                                   encoding="utf-8")
    assert run_cli("badge", "validate").stdout.count(": ok") == 5
    return "expert"


def awards_of(result) -> dict[str, dict[str, int]]:  # type: ignore[no-untyped-def]
    return {a["name"]: a["counts"] for a in json.loads(result.stdout)["pathwayAwards"]}


def test_award_pathways_awards_a_whole_ladder_in_the_same_run_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path, monkeypatch, "2")
    add_ladder_top(project)
    issue_module(project, "data-foundations", "ada@example.org,80", "bo@example.org,80", "cy@example.org,80")
    issue_module(project, "data-methods", "ada@example.org,80", "bo@example.org,80")
    path = project / "project.csv"
    path.write_text("email,score\nada@example.org,80\ncy@example.org,80\n", encoding="utf-8")
    # 'Data' (2 of 3 modules) goes to ada, bo and cy; then 'Data Expert' (Data + project) to ada and cy
    first = run_cli("issue", path, "--badge", "data-project", "--workers", "1", "--award-pathways", "--json")
    assert json.loads(first.stdout)["counts"] == {"issued": 2}
    assert awards_of(first) == {"Data": {"issued": 3}, "Data Expert": {"issued": 2}}
    expert = next(a for a in json.loads(first.stdout)["pathwayAwards"] if a["name"] == "Data Expert")
    for row in expert["rows"]:  # the expert credential names the Data credential it stands on
        evidence = json.loads(Path(row["path"]).read_text(encoding="utf-8"))["evidence"]
        assert sorted(e["name"] for e in evidence) == ["Data", "Data: Project"]
    # a re-run awards nothing twice; nobody is "eligible, not yet awarded" any more
    again = run_cli("issue", path, "--badge", "data-project", "--workers", "1", "--award-pathways", "--json")
    assert awards_of(again) == {"Data": {"already-issued": 3}, "Data Expert": {"already-issued": 2}}
    assert "pathways" not in json.loads(again.stdout)
    # bo passes the project later: a dry run counts from the ledger as it is; the run awards bo
    path.write_text("email,score\nbo@example.org,80\n", encoding="utf-8")
    dry = run_cli("issue", path, "--badge", "data-project", "--workers", "1", "--award-pathways", "--dry-run", "--json")
    assert awards_of(dry) == {"Data": {"already-issued": 3}, "Data Expert": {"already-issued": 2}}
    human = run_cli("issue", path, "--badge", "data-project", "--workers", "1", "--award-pathways")
    assert "pathway 'Data': 3 already issued\npathway 'Data Expert': 1 issued, 2 already issued\n" in human.stdout


def test_an_award_interrupted_after_reserving_resumes_with_the_same_components(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stopped between reserving the pathway credential and signing it (as kill -9 would
    leave it: reserved, its components recorded, no file): the next run signs it."""
    from badgekit.issuing import _pathway

    project = make_project(tmp_path, monkeypatch, "2")
    issue_module(project, "data-foundations", "ada@example.org,80")
    path = project / "methods.csv"
    path.write_text("email,score\nada@example.org,80\n", encoding="utf-8")

    def killed(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(_pathway, "_sign", killed)
        run_cli("issue", path, "--badge", "data-methods", "--workers", "1", "--award-pathways", ok=130)  # Ctrl-C's code
    assert not [p for p in (project / "out").glob("*.json") if "MicroCredential" in p.read_text(encoding="utf-8")]
    resumed = run_cli("issue", path, "--badge", "data-methods", "--workers", "1", "--award-pathways", "--json")
    assert json.loads(resumed.stdout)["counts"] == {"already-issued": 1}
    (award,) = json.loads(resumed.stdout)["pathwayAwards"]
    assert award["counts"] == {"resumed": 1}
    evidence = json.loads(Path(award["rows"][0]["path"]).read_text(encoding="utf-8"))["evidence"]
    assert sorted(e["id"] for e in evidence) == sorted(module_files(project))

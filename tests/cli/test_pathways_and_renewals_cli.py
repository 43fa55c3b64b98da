"""Issue 19's "Done when", end to end through the CLI on a fixed clock: five learners, two
modules, one pathway requiring both. The pathway goes to exactly the holders of both valid
modules, names their component credentials, is not awarded twice, and reaches a learner who
completes the second module later (in the same run with --award-pathways, or on the next run);
the pathway map counts them; ``report --expiring`` lists exactly what expires in the window;
``issue --renew`` links each new credential to the one it renews and ``report`` counts renewals."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit.credential import identity_hash
from badgekit.errors import ExitCode
from tests.cli.test_issue_renew_cli import set_clock
from tests.conftest import run_cli

T0, T1 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC), datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FOUNDATIONS, METHODS = "data-foundations", "data-methods"


def badge_id(project: Path, stem: str) -> str:
    text = (project / "badges" / f"{stem}.yaml").read_text(encoding="utf-8")
    return next(line.split(": ", 1)[1].strip() for line in text.splitlines() if line.startswith("id: "))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The pathway template, cut down to two modules (valid one year) and a pathway requiring both."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    set_clock(monkeypatch, T0)
    run_cli("init", "--name", "Example University", "--url", "https://example.edu", "--no-input")
    run_cli("badge", "new", "-t", "pathway", "--set", "program=Data", "--set", "validity=P1Y", "--no-input")
    (tmp_path / "badges" / "data-project.yaml").unlink()
    data = tmp_path / "badges" / "data.yaml"
    text = data.read_text(encoding="utf-8")
    requires = text[text.index("  requires:\n"):text.index("  template:")]
    data.write_text(text.replace(requires, f"  requires: [{badge_id(tmp_path, FOUNDATIONS)}, {badge_id(tmp_path, METHODS)}]\n"),
                    encoding="utf-8")
    assert run_cli("badge", "validate").stdout.count(": ok") == 3
    return tmp_path


def issue(project: Path, module: str, rows: str, *extra: str, ok: int = 0) -> dict:  # type: ignore[type-arg]
    roster = project / f"{module}.csv"
    roster.write_text("email,score,completed_on\n" + rows, encoding="utf-8")
    return json.loads(run_cli("issue", roster, "--badge", module, "--workers", "1", "--json", *extra, ok=ok).stdout)


def award(*extra: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run_cli("issue", "--badge", "data", "--workers", "1", "--json", *extra).stdout)


def holder(path: str) -> str:
    """Which learner a credential file is for (its IdentityObject hash, checked against each)."""
    (identifier,) = json.loads(Path(path).read_text(encoding="utf-8"))["credentialSubject"]["identifier"]
    (who,) = [n for n in ("ada", "bo", "cy", "di", "ed") if identity_hash(f"{n}@example.org", identifier["salt"])
              == identifier["identityHash"]]
    return who


def pathway_map() -> dict:  # type: ignore[type-arg]
    (p,) = json.loads(run_cli("report", "--pathways", "--json").stdout)["pathways"]
    return {"holding": [h["recipients"] for h in p["holding"]], "eligible": p["eligible"], "awarded": p["awarded"],
            "notYetAwarded": p["notYetAwarded"]}


def test_five_learners_two_modules_one_pathway(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # T0: ed fails the foundations module, di fails methods; bo's methods credential is then revoked
    foundations = issue(project, FOUNDATIONS, "ada@example.org,80,2026-01-09\nbo@example.org,80,2026-01-09\n"
                        "cy@example.org,80,2026-01-09\ndi@example.org,80,2026-01-09\ned@example.org,40,2026-01-09\n",
                        ok=ExitCode.FAILED)
    methods = issue(project, METHODS, "ada@example.org,80,2026-01-09\nbo@example.org,80,2026-01-09\n"
                    "cy@example.org,80,2026-01-09\ndi@example.org,30,2026-01-09\n", ok=ExitCode.FAILED)
    assert (foundations["counts"], methods["counts"]) == ({"issued": 4, "rejected": 1}, {"issued": 3, "rejected": 1})
    module_ids = {(m, holder(r["path"])): r["credentialId"] for m, out in ((FOUNDATIONS, foundations), (METHODS, methods))
                  for r in out["rows"] if r["status"] == "issued"}
    run_cli("revoke", module_ids[METHODS, "bo"], "--reason", "withdrawn")
    assert pathway_map() == {"holding": [0, 2, 2], "eligible": 2, "awarded": 0, "notYetAwarded": 2}  # bo, di | ada, cy

    # the pathway goes to exactly ada and cy, naming their two module credentials
    first = award()
    assert first["counts"] == {"issued": 2}
    pathway_ids = {holder(r["path"]): r["credentialId"] for r in first["rows"]}
    assert set(pathway_ids) == {"ada", "cy"}
    for row in first["rows"]:
        who = holder(row["path"])
        evidence = json.loads(Path(row["path"]).read_text(encoding="utf-8"))["evidence"]
        assert sorted(e["id"] for e in evidence) == sorted([module_ids[FOUNDATIONS, who], module_ids[METHODS, who]])
    run_cli("status", "publish")
    verified = json.loads(run_cli("verify", first["rows"][0]["path"], "--status-list", project / "out" / "status",
                                  "--recipient", f"{holder(first['rows'][0]['path'])}@example.org", "--json").stdout)
    assert verified["verdict"] == "valid"
    assert award()["counts"] == {"already-issued": 2}  # not awarded twice

    # T1: di passes methods, with --award-pathways: di is awarded in the same run; ed completes
    # both modules: the next run awards ed, and only ed
    set_clock(monkeypatch, T1)
    di = issue(project, METHODS, "di@example.org,75,2026-02-27\n", "--award-pathways")
    (di_award,) = di["pathwayAwards"]
    assert di_award["counts"] == {"issued": 1, "already-issued": 2}
    assert [holder(r["path"]) for r in di_award["rows"] if r["status"] == "issued"] == ["di"]
    issue(project, FOUNDATIONS, "ed@example.org,70,2026-02-27\n")
    ed = issue(project, METHODS, "ed@example.org,70,2026-02-27\n")
    assert ed["pathways"][0]["eligible"] == 1
    later = award()
    assert later["counts"] == {"issued": 1, "already-issued": 3}
    assert [holder(r["path"]) for r in later["rows"] if r["status"] == "issued"] == ["ed"]
    assert pathway_map() == {"holding": [0, 1, 4], "eligible": 4, "awarded": 4, "notYetAwarded": 0}

    # 2026-12-20: exactly the credentials of T0 that are still valid expire within 30 days
    # (validUntil 2027-01-10); those of T1 (2027-03-01) do not; bo's revoked one is not listed
    set_clock(monkeypatch, datetime(2026, 12, 20, tzinfo=UTC))
    soon = json.loads(run_cli("report", "--expiring", "P30D", "--json").stdout)
    t0_valid = {cid for key, cid in module_ids.items() if key != (METHODS, "bo")} | set(pathway_ids.values())
    assert {c["credentialId"] for c in soon["credentials"]} == t0_valid
    assert {c["validUntil"] for c in soon["credentials"]} == {"2027-01-10T09:00:00Z"}

    # 2027-02-01: ada renews both modules; each new credential cites the one it renews
    set_clock(monkeypatch, datetime(2027, 2, 1, tzinfo=UTC))
    assert pathway_map()["holding"] == [3, 1, 1]  # ada, bo, cy: T0 modules expired | di | ed
    renewed = {m: issue(project, m, "ada@example.org,85,2027-01-28\n", "--renew") for m in (FOUNDATIONS, METHODS)}
    for module, out in renewed.items():
        assert out["counts"] == {"renewed": 1}
        (row,) = out["rows"]
        (evidence,) = json.loads(Path(row["path"]).read_text(encoding="utf-8"))["evidence"]
        assert (evidence["id"], evidence["genre"]) == (module_ids[module, "ada"], "Renewal")
    assert pathway_map()["holding"] == [2, 1, 2]  # ada holds both again
    figures = json.loads(run_cli("report", "--json").stdout)
    by_name = {b["name"]: b for b in figures["badges"]}
    assert (by_name["Data: Foundations"]["renewed"], by_name["Data: Methods"]["renewed"], by_name["Data"]["renewed"]) == (1, 1, 0)
    assert figures["overall"]["renewed"] == 2
    # within 30 days now: the T1 credentials (di's methods, ed's modules, both pathway credentials)
    soon = json.loads(run_cli("report", "--expiring", "P30D", "--json").stdout)
    assert {c["validUntil"] for c in soon["credentials"]} == {"2027-03-01T09:00:00Z"} and len(soon["credentials"]) == 5


def test_report_shows_the_pathway_map_in_every_form(project: Path) -> None:
    issue(project, FOUNDATIONS, "ada@example.org,80,2026-01-09\nbo@example.org,80,2026-01-09\n")
    issue(project, METHODS, "ada@example.org,80,2026-01-09\n", "--award-pathways")
    human = run_cli("report").stdout
    assert "Pathway 'Data': requires all of: 'Data: Foundations', 'Data: Methods'" in human
    assert "recipients holding 0 … 2 of its 2 components: 0 / 1 / 1 (of 2); eligible 1, awarded 1" in " ".join(human.split())
    only = run_cli("report", "--pathways").stdout
    assert "Data: Foundations" in only and "held by 2" in only and "Issuance over time" not in only
    rows = run_cli("report", "--pathways", "--csv").stdout.splitlines()
    assert rows[0] == "pathway_id,pathway_name,requirement,components,held,recipients,eligible,awarded,not_yet_awarded"
    assert [r.split(",")[-5:] for r in rows[1:]] == [["0", "0", "1", "1", "0"], ["1", "1", "1", "1", "0"],
                                                     ["2", "1", "1", "1", "0"]]
    run_cli("report", "--html", project / "report.html")
    page = (project / "report.html").read_text(encoding="utf-8")
    assert page.count('<svg class="chart pathway"') == 1 and ">held by 2 of 2<" in page
    assert "--pathways and --html" in run_cli("report", "--pathways", "--html", project / "r.html", ok=ExitCode.USAGE).stderr
    assert "--expiring and --pathways" in run_cli("report", "--pathways", "--expiring", "P30D", ok=ExitCode.USAGE).stderr

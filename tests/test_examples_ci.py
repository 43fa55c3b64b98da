"""The CI examples: the GitHub Actions workflow parses, its jobs are wired (roster artifact from the
test job, key from a secret into a 0600 file, removed afterwards) and every badgekit command and
option it uses exists; the shell twin runs end to end on a fresh project."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from typer.testing import CliRunner

from badgekit.cli import _COMMANDS, app

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WORKFLOW = EXAMPLES / "github-actions" / "award-badges.yml"
SHELL = EXAMPLES / "ci-award.sh"


def badgekit_calls(script: str) -> list[list[str]]:
    """Every ``badgekit …`` command line in a shell script (continuations joined, comments dropped)."""
    calls = []
    for line in script.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line.startswith("#") or "badgekit " not in line:
            continue
        words = shlex.split(line, comments=True)
        for i, word in enumerate(words):
            if word == "badgekit" and i + 1 < len(words) and words[i - 1:i] != ["-m"] and not words[i + 1].startswith("-"):
                end = next((j for j in range(i + 1, len(words)) if words[j] in ("|", ">", "&&", ";")), len(words))
                calls.append(words[i + 1:end])
    return calls


def check_call(words: list[str]) -> str:
    """Resolve ``words`` against the real CLI: the command exists, ``--help`` works, every option is known."""
    root: Any = typer.main.get_command(app)
    assert words[0] in _COMMANDS, f"unknown command: badgekit {words[0]}"
    command = root.commands[words[0]]
    path = [words[0]]
    rest = words[1:]
    if hasattr(command, "commands"):  # a group: status, key, badge, templates
        path.append(rest[0])
        assert rest[0] in command.commands, f"unknown command: badgekit {' '.join(path)}"
        command = command.commands[rest[0]]
        rest = rest[1:]
    help_result = CliRunner().invoke(app, [*path, "--help"])
    assert help_result.exit_code == 0, help_result.output
    known = {opt for p in command.params if not getattr(p, "hidden", False) for opt in p.opts}  # old spellings are hidden
    for word in rest:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in known, f"badgekit {' '.join(path)}: no option {word}"
    return " ".join(path)


def test_workflow_wiring() -> None:
    flow: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert flow["name"] == "Award badges"
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "workflow_dispatch" in triggers
    jobs = flow["jobs"]
    assert set(jobs) == {"test", "award", "republish"} and jobs["award"]["needs"] == "test"

    def uses(job: str, action: str) -> list[dict[str, Any]]:
        return [s for s in jobs[job]["steps"] if str(s.get("uses", "")).startswith(action)]

    (upload,) = uses("test", "actions/upload-artifact@")
    (download,) = uses("award", "actions/download-artifact@")
    assert upload["with"]["name"] == download["with"]["name"] == "roster" and upload["with"]["path"] == "roster.csv"
    test_script = "\n".join(s.get("run", "") for s in jobs["test"]["steps"])
    assert "roster.csv" in test_script

    award = jobs["award"]["steps"]
    key_step = next(s for s in award if "secrets.BADGEKIT_KEY }}" in str(s.get("env", {})))
    assert key_step["env"]["BADGEKIT_KEY_PEM"] == "${{ secrets.BADGEKIT_KEY }}"
    assert "umask 077" in key_step["run"] and 'chmod 600 "$RUNNER_TEMP/issuer-key.pem"' in key_step["run"]
    cleanup = next(s for s in award if s.get("run", "").startswith("rm -f"))
    assert cleanup["if"] == "always()" and "$RUNNER_TEMP/issuer-key.pem" in cleanup["run"]
    assert award.index(key_step) < award.index(cleanup)
    names = [s.get("with", {}).get("name") for s in uses("award", "actions/upload-artifact@")]
    assert names == ["credentials"]
    # the secret never reaches a command line, only the environment of the step that writes the file
    for step in award:
        assert "secrets." not in step.get("run", "")


def test_workflow_uses_real_badgekit_commands_and_options() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    calls = [c for job in flow["jobs"].values() for s in job["steps"] for c in badgekit_calls(s.get("run", ""))]
    used = [check_call(c) for c in calls]
    assert used == ["issue", "status publish", "verify", "report", "log", "status publish"]
    issue = calls[0]
    for option in ("--strict", "--json", "--key", "--bundle"):
        assert option in issue


def test_shell_example_uses_real_commands() -> None:
    calls = badgekit_calls(SHELL.read_text(encoding="utf-8"))
    assert [check_call(c) for c in calls] == ["status publish", "issue", "status publish", "report", "log"]


def test_workflow_installs_badgekit_from_a_pinned_commit_never_by_name_from_the_index() -> None:
    """No badgekit release exists on the package index: a bare name there is whoever took it,
    running code in the job that holds the signing key."""
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    package = flow["env"]["BADGEKIT_PACKAGE"]
    assert re.fullmatch(r"badgekit @ git\+https://github\.com/[\w.-]+/badgekit@[0-9a-f]{40}", package), package
    installs = [s["run"] for job in flow["jobs"].values() for s in job["steps"] if "pip install" in s.get("run", "")]
    assert installs == ['python -m pip install "$BADGEKIT_PACKAGE"'] * 2  # award and republish
    assert "pip install badgekit" not in WORKFLOW.read_text(encoding="utf-8") + SHELL.read_text(encoding="utf-8")


def _cron_period_days(cron: str) -> int:
    minute, hour, day, month, weekday = cron.split()
    assert minute.isdigit() and hour.isdigit() and day == month == "*", cron
    return 7 if weekday.isdigit() else 1 if weekday == "*" else 0


def _days(duration: str) -> int:
    match = re.fullmatch(r"P(\d+)D", duration)
    assert match, duration
    return int(match.group(1))


def test_status_lists_are_republished_well_before_they_expire() -> None:
    """Lists published with --valid-for expire: verifiers then refuse them, and every badge
    turns INVALID. The scheduled job re-signs them at least twice per validity period, without
    the grading and award jobs."""
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow.get("on", flow.get(True))
    (schedule,) = triggers["schedule"]
    jobs = flow["jobs"]
    assert jobs["republish"]["if"] == "github.event_name == 'schedule'"
    assert jobs["test"]["if"].startswith("github.event_name != 'schedule'")  # award needs test: skipped too
    publishes = {name: next(c for s in job["steps"] for c in badgekit_calls(s.get("run", "")) if c[:2] == ["status", "publish"])
                 for name, job in jobs.items() if name != "test"}
    assert publishes["republish"] == publishes["award"]  # same folder, same validity
    valid_for = publishes["republish"][publishes["republish"].index("--valid-for") + 1]
    assert 0 < 2 * _cron_period_days(schedule["cron"]) <= _days(valid_for)
    steps = jobs["republish"]["steps"]
    key_step = next(s for s in steps if "secrets.BADGEKIT_KEY }}" in str(s.get("env", {})))
    assert "umask 077" in key_step["run"] and 'chmod 600 "$RUNNER_TEMP/issuer-key.pem"' in key_step["run"]
    cleanup = next(s for s in steps if s.get("run", "").startswith("rm -f"))
    assert cleanup["if"] == "always()" and steps.index(key_step) < steps.index(cleanup)
    assert [s["with"]["path"] for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")] == ["site/status/"]
    assert any("git add -f .badgekit/ledger.sqlite3" in s.get("run", "") for s in steps)  # the published event is kept
    shell = SHELL.read_text(encoding="utf-8")
    shell_publishes = [c for c in badgekit_calls(shell) if c[:2] == ["status", "publish"]]
    assert "--republish" in shell and len(shell_publishes) == 2
    assert all(c[c.index("--valid-for") + 1] == valid_for for c in shell_publishes)


def test_shell_example_runs(tmp_path: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        pytest.skip("POSIX shell example")
    root = tmp_path / "project"
    result = CliRunner().invoke(app, ["init", str(root), "--name", "Example University", "--url", "https://example.edu",
                                      "--no-input"])
    assert result.exit_code == 0, result.stderr
    (root / "badges" / "python-basics.json").write_text(json.dumps({
        "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "Python Basics",
        "description": "Completed the Python Basics course.", "criteria": {"narrative": "Pass the final project."},
    }), encoding="utf-8")
    (root / "roster.csv").write_text("email,name,score,earned\nada@example.org,Ada,91,2026-01-10\nbob@example.org,Bob,77,2026-01-11\n",
                                     encoding="utf-8")
    key_pem = (root / "issuer-key.pem").read_text(encoding="utf-8")
    (root / "issuer-key.pem").unlink()  # CI has no key file: only the secret
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "PYTHON": sys.executable, "BADGEKIT_KEY_PEM": key_pem, "TMPDIR": str(scratch),
           "BUNDLE_URL_BASE": "https://example.edu/badges/"}
    env.pop("BADGEKIT_KEY", None)
    done = subprocess.run(["sh", str(SHELL), "roster.csv", "python-basics"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads((root / "issue-report.json").read_text(encoding="utf-8"))
    assert report["counts"] == {"issued": 2} and len(report["bundles"]["written"]) == 2
    assert all(b["certUrl"].startswith("https://example.edu/badges/") for b in report["bundles"]["written"])
    assert (root / "site" / "status" / "revocation-1.json").is_file()
    assert "<svg" in (root / "out" / "report.html").read_text(encoding="utf-8")
    events = [json.loads(line) for line in (root / "out" / "events.jsonl").read_text().splitlines()]
    assert [e["kind"] for e in events] == ["issued", "issued"]
    assert list(scratch.iterdir()) == []  # the key's temporary folder is gone
    assert key_pem not in done.stdout + done.stderr

    # the weekly run: the lists signed again, recorded in the ledger; nothing issued
    (root / "site" / "status" / "revocation-1.json").unlink()
    again = subprocess.run(["sh", str(SHELL), "--republish"], cwd=root, env=env, capture_output=True, text=True,
                           timeout=240, check=False)
    assert again.returncode == 0, again.stderr
    assert json.loads((root / "site" / "status" / "revocation-1.json").read_text(encoding="utf-8"))["validUntil"]
    log = CliRunner().invoke(app, ["log", "--project", str(root), "--json"])
    assert [e["kind"] for e in json.loads(log.stdout)].count("published") == 2
    assert list(scratch.iterdir()) == [] and key_pem not in again.stdout + again.stderr


SEND_WORKFLOW = EXAMPLES / "github-actions" / "award-and-send.yml"
SEND_SHELL = EXAMPLES / "ci-send.sh"


def test_send_workflow_takes_the_smtp_url_and_password_from_secrets_and_uses_real_commands() -> None:
    flow: dict[Any, Any] = yaml.safe_load(SEND_WORKFLOW.read_text(encoding="utf-8"))
    jobs = flow["jobs"]
    assert set(jobs) == {"award", "remind"} and jobs["remind"]["if"] == "github.event_name == 'schedule'"
    calls = [c for job in jobs.values() for s in job["steps"] for c in badgekit_calls(s.get("run", ""))]
    assert [check_call(c) for c in calls] == ["issue", "status publish", "send", "report", "send", "send"]
    assert calls[2][:3] == ["send", "--roster", "roster.csv"] and calls[4][:3] == ["send", "--expiring", "P30D"]
    for job in jobs.values():
        for step in job["steps"]:
            assert "secrets." not in step.get("run", "")  # secrets only reach a step's environment
            if any(c[0] == "send" for c in badgekit_calls(step.get("run", ""))):
                assert step["env"] == {"BADGEKIT_SMTP_URL": "${{ secrets.BADGEKIT_SMTP_URL }}",
                                       "BADGEKIT_SMTP_PASSWORD": "${{ secrets.BADGEKIT_SMTP_PASSWORD }}"}
    award = jobs["award"]["steps"]
    cleanup = next(s for s in award if s.get("run", "").startswith("rm -f"))
    sending = next(s for s in award if "badgekit send" in s.get("run", ""))
    assert cleanup["if"] == "always()" and award.index(cleanup) < award.index(sending)  # the key is gone before mail goes out
    assert "secrets.BADGEKIT_KEY" not in json.dumps(jobs["remind"])  # reminders need no signing key
    assert flow["env"]["BADGEKIT_PACKAGE"] == yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["env"]["BADGEKIT_PACKAGE"]
    shell = SEND_SHELL.read_text(encoding="utf-8")  # its send() helper passes --from when SMTP_FROM is set
    assert [check_call(c) for c in badgekit_calls(shell)] == ["send", "send", "issue", "status publish", "report"]
    assert 'send --roster "$roster" --badge "$badge" --json' in shell and 'send --expiring "$window" --json' in shell


@pytest.mark.allow_hosts(["127.0.0.1"])
def test_send_shell_example_issues_and_sends_over_tls_once_then_reminds(tmp_path: Path) -> None:
    from tests import smtpserver

    if os.name != "posix":  # pragma: no cover
        pytest.skip("POSIX shell example")
    root = tmp_path / "project"
    result = CliRunner().invoke(app, ["init", str(root), "--name", "Example University", "--url", "https://example.edu",
                                      "--email", "badges@example.edu", "--no-input"])
    assert result.exit_code == 0, result.stderr
    (root / "badges" / "first-aid.json").write_text(json.dumps({
        "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f", "type": ["Achievement"], "name": "First Aid",
        "description": "Completed the first aid course.", "criteria": {"narrative": "Pass the practical."},
        "badgekit": {"validity": "P20D"},
    }), encoding="utf-8")
    (root / "roster.csv").write_text("email,name\nada@example.org,Ada\nbob@example.org,Bob\n", encoding="utf-8")
    key_pem = (root / "issuer-key.pem").read_text(encoding="utf-8")
    (root / "issuer-key.pem").unlink()  # CI has no key file: only the secret
    certs = smtpserver.make_certificates(tmp_path)
    with smtpserver.running(tls="smtps", certificates=certs, users={"badges": "mail secret"}) as (recorder, url):
        env = {**os.environ, "PYTHON": sys.executable, "BADGEKIT_KEY_PEM": key_pem, "TMPDIR": str(tmp_path),
               "BADGEKIT_SMTP_URL": url.replace("://", "://badges@"), "BADGEKIT_SMTP_PASSWORD": "mail secret",
               "BADGEKIT_SMTP_CA_FILE": str(certs.ca), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        env.pop("BADGEKIT_KEY", None)

        def script(*args: str) -> subprocess.CompletedProcess[str]:
            done = subprocess.run(["sh", str(SEND_SHELL), *args], cwd=root, env=env, capture_output=True, text=True,
                                  timeout=240, check=False)
            assert done.returncode == 0, done.stderr
            assert key_pem not in done.stdout + done.stderr and "mail secret" not in done.stdout + done.stderr
            return done

        script("roster.csv", "first-aid")
        assert sorted(m.rcpt_tos[0] for m in recorder.messages) == ["ada@example.org", "bob@example.org"]
        assert recorder.logins == ["badges"]
        assert json.loads((root / "send-report.json").read_text())["summary"]["sent"] == 2
        deliveries = (root / "out" / "deliveries.csv").read_text()
        assert deliveries.count(",sent,") == 2 and "@example.org" not in deliveries
        script("roster.csv", "first-aid")  # a re-run issues and sends nothing
        assert len(recorder.messages) == 2
        assert json.loads((root / "send-report.json").read_text())["summary"]["skipped"] == {"already-sent": 2}
        script("--remind", "P30D")
        script("--remind", "P30D")  # once per credential and window
        reminders = recorder.messages[2:]
        assert len(reminders) == 2 and all(m.message["Subject"].startswith("Your badge First Aid expires on") for m in reminders)

"""``badgekit send`` end to end against a real SMTP server on 127.0.0.1 (tests/smtpserver.py):
output and exit codes, privacy of addresses and passwords, SIGKILL mid-run, 300 recipients."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit.project import Project
from tests import smtpserver
from tests.cli.test_delivery_cli import BADGE
from tests.conftest import run_cli as run

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])


@pytest.fixture
def server():
    with smtpserver.running() as (recorder, url):
        yield recorder, url


def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, n: int) -> SimpleNamespace:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    for name in ("BADGEKIT_SMTP_URL", "BADGEKIT_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "p"
    run("init", root, "--name", "Example University", "--url", "https://example.edu", "--email", "badges@example.edu", "--no-input")
    (root / "badges" / "python-basics.json").write_text(json.dumps(BADGE), encoding="utf-8")
    roster = root / "class.csv"
    roster.write_text("email,name\n" + "".join(f"earner{i}@example.org,Earner {i}\n" for i in range(n)), encoding="utf-8")
    monkeypatch.chdir(root)
    issued = json.loads(run("issue", "--badge", "python-basics", "--roster", roster, "--bake", "png", "--workers", "1", "--json").stdout)
    ids = {f"earner{r['line'] - 2}@example.org": r["credentialId"] for r in issued["rows"]}
    return SimpleNamespace(root=root, ids=ids)


def test_send_json_hides_addresses_and_the_attached_badge_verifies(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 3)
    result = run("send", "--smtp", url, "--json")
    report = json.loads(result.stdout)
    assert report["summary"] == {"sent": 3, "wouldSend": 0, "skipped": {}, "failed": {}, "inDoubt": 0}
    assert "earner" not in result.stdout + result.stderr
    msg = recorder.to("earner1@example.org")[0].message
    assert msg["From"] == "Example University <badges@example.edu>"  # the issuer's email by default
    badge = tmp_path / "badge.png"
    badge.write_bytes(next(a for a in msg.iter_attachments() if a.get_filename() == "badge.png").get_content())
    run("status", "publish")
    run("verify", badge, "--status-list", "out/status", "--recipient", "earner1@example.org")
    again = run("send", "--smtp", url, "--json", "--show-addresses")
    shown = json.loads(again.stdout)
    assert shown["summary"]["skipped"] == {"already-sent": 3} and len(recorder.messages) == 3
    assert {m["address"] for m in shown["messages"]} == set(p.ids)
    log = json.loads(run("log", "--json", "--kind", "sent").stdout)
    assert len(log) == 3 and "earner" not in json.dumps(log)


def test_a_refused_address_exits_1_and_is_in_the_log(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 2)
    recorder.faults = {"earner0@example.org": ["rcpt:550 5.1.1 <earner0@example.org>: no such user"]}
    result = run("send", "--smtp", url, ok=1)
    assert f"error: {p.ids['earner0@example.org']}: refused (550 5.1.1 <<recipient>>: no such user)" in result.stderr
    assert "1 sent; failed: 1 refused" in result.stderr and "earner0" not in result.stderr
    log = json.loads(run("log", "--json", "--kind", "send-failed").stdout)
    assert [e["credentialId"] for e in log] == [p.ids["earner0@example.org"]]


def test_passwords_are_never_taken_from_a_url_kept_or_shown(tmp_path, monkeypatch) -> None:
    make_project(tmp_path, monkeypatch, 1)
    result = run("send", "--smtp", "smtps://u:s3cret@mail.example.edu", ok=2)
    assert "s3cret" not in result.stderr and "BADGEKIT_SMTP_PASSWORD" in result.stderr
    config = Path("badgekit.toml")
    config.write_text(config.read_text() + '\n[smtp]\nurl = "smtps://u:s3cret@mail.example.edu"\n')
    result = run("send", "--dry-run", "outbox", ok=2)
    assert "smtp.url" in result.stderr and "holds a password" in result.stderr and "s3cret" not in result.stderr
    config.write_text(config.read_text().replace("u:s3cret@", "u@"))
    assert Project.load(".").smtp_url == "smtps://u@mail.example.edu"
    result = run("send", ok=2)  # a user, no password: refused before connecting
    assert "needs a password" in result.stderr


def test_dry_run_writes_eml_files_and_sends_nothing(tmp_path, monkeypatch) -> None:
    p = make_project(tmp_path, monkeypatch, 2)
    result = run("send", "--dry-run", "outbox", "--from", "registrar@example.edu")
    assert "2 message(s) written to outbox/" in result.stderr
    assert sorted(f.name for f in Path("outbox").iterdir()) == sorted(f"{c.removeprefix('urn:uuid:')}.eml" for c in p.ids.values())
    assert json.loads(run("log", "--json", "--kind", "sending").stdout) == []


def test_send_takes_the_bare_uuid_a_credential_file_is_named_by(tmp_path, monkeypatch) -> None:
    p = make_project(tmp_path, monkeypatch, 2)
    chosen = sorted(p.ids.values())[0]
    run("send", "--dry-run", "outbox", "--from", "registrar@example.edu", chosen.removeprefix("urn:uuid:").upper())
    assert [f.name for f in Path("outbox").iterdir()] == [f"{chosen.removeprefix('urn:uuid:')}.eml"]


_KILLED = """
import sys
from badgekit.cli import main
sys.argv = ["badgekit", "send", "--smtp", sys.argv[1], "--json"]
main()
"""


def test_sigkill_between_data_and_the_ledger_then_rerun_sends_each_exactly_once(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 12)
    order = sorted(p.ids, key=lambda a: p.ids[a])  # the order send goes through them (by credential id)
    victim = order[5]
    recorder.faults = {victim: ["kill"]}  # received by the server, then the sender is killed before the answer
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    recorder.kill_pid = proc.pid
    proc.communicate(timeout=120)
    assert proc.returncode == -9
    assert [m.rcpt_tos[0] for m in recorder.messages] == order[:6]
    resumed = json.loads(run("send", "--smtp", url, "--json").stdout)
    assert resumed["summary"] == {"sent": 7, "wouldSend": 0, "skipped": {"already-sent": 5}, "failed": {}, "inDoubt": 1}
    [doubt] = [m for m in resumed["messages"] if m["inDoubt"]]
    assert doubt["credentialId"] == p.ids[victim]
    counts = {a: len(recorder.to(a)) for a in order}
    assert counts == {a: 2 if a == victim else 1 for a in order}  # the one in flight twice, said; every other once
    copies = recorder.to(victim)
    assert copies[0].message["Message-ID"] == copies[1].message["Message-ID"]
    assert json.loads(run("send", "--smtp", url, "--json").stdout)["summary"]["sent"] == 0


@pytest.mark.slow
def test_three_hundred_earners_each_get_one_verifiable_badge(tmp_path, monkeypatch, server, capsys) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 300)
    run("revoke", p.ids["earner7@example.org"], "--reason", "issued in error")
    started = time.perf_counter()
    report = json.loads(run("send", "--smtp", url, "--json").stdout)
    elapsed = time.perf_counter() - started
    assert report["summary"] == {"sent": 299, "wouldSend": 0, "skipped": {"revoked": 1}, "failed": {}, "inDoubt": 0}
    assert sorted(r for m in recorder.messages for r in m.rcpt_tos) == sorted(a for a in p.ids if a != "earner7@example.org")
    from badgekit import baking

    for m in recorder.messages[::50]:
        png = next(a for a in m.message.iter_attachments() if a.get_filename() == "badge.png").get_content()
        assert baking.extract(png, source="mail").payload == (p.root / "out" / f"{p.ids[m.rcpt_tos[0]].removeprefix('urn:uuid:')}.json").read_text()
    assert json.loads(run("send", "--smtp", url, "--json").stdout)["summary"]["sent"] == 0
    with capsys.disabled():
        print(f"\n  send: 299 messages in {elapsed:.2f} s ({299 / elapsed:.0f} messages/s against aiosmtpd on 127.0.0.1)")


def test_runs_killed_at_random_moments_then_resumed_deliver_each_once_but_the_reported_ones(tmp_path, monkeypatch, server) -> None:
    import random

    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 40)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    rng = random.Random(17)
    for _ in range(3):  # wherever each kill lands (start-up, mid-message, between two), the invariant holds
        proc = subprocess.Popen([sys.executable, "-c", _KILLED, url], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = len(recorder.messages) + rng.randint(1, 12)
        while len(recorder.messages) < deadline and proc.poll() is None:
            time.sleep(0.005)
        proc.kill()
        proc.communicate(timeout=60)
    for _ in range(2):
        run("send", "--smtp", url, "--json")
    from badgekit.ledger import Ledger

    kinds: dict[str, list[str]] = {}
    for e in Ledger.open(p.root / ".badgekit" / "ledger.sqlite3").events(kinds=("sending", "sent")):
        kinds.setdefault(e.credential_id, []).append(e.kind)
    counts = {a: len(recorder.to(a)) for a in p.ids}
    assert all(kinds[p.ids[a]][-1] == "sent" and n >= 1 for a, n in counts.items())
    for a, n in counts.items():  # a duplicate only where a run stopped with the message in flight (sending, no sent)
        in_flight = sum(1 for k, after in zip(kinds[p.ids[a]], kinds[p.ids[a]][1:], strict=False) if k == after == "sending")
        assert n - 1 <= in_flight, (a, n, kinds[p.ids[a]])
    assert sum(n - 1 for n in counts.values()) <= 3  # at most one per killed run


def test_issue_send_mails_exactly_this_runs_credentials_and_a_rerun_sends_nothing(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 1)  # one credential issued (and not sent) before this run
    roster = p.root / "more.csv"
    roster.write_text("email,name\n" + "".join(f"new{i}@example.org,New {i}\n" for i in range(3)), encoding="utf-8")
    out = json.loads(run("issue", roster, "--badge", "python-basics", "--workers", "1", "--send", "--smtp", url, "--json").stdout)
    assert out["counts"]["issued"] == 3
    assert out["sent"]["summary"] == {"sent": 3, "wouldSend": 0, "skipped": {}, "failed": {}, "inDoubt": 0}
    assert {m["credentialId"] for m in out["sent"]["messages"]} == {r["credentialId"] for r in out["rows"]}
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == [f"new{i}@example.org" for i in range(3)]
    again = run("issue", roster, "--badge", "python-basics", "--workers", "1", "--send", "--smtp", url)
    assert "3 already issued" in again.stdout + again.stderr and "0 sent" in again.stderr
    assert len(recorder.messages) == 3


# TLS for real: smtps:// and smtp+starttls:// against aiosmtpd with a throwaway CA (tests/smtpserver.py)


@pytest.mark.parametrize("tls", ["smtps", "starttls"])
def test_tls_with_a_private_ca_and_auth_delivers_and_a_wrong_certificate_stops_with_one_line(tmp_path, monkeypatch, tls) -> None:
    certs = smtpserver.make_certificates(tmp_path)
    other = smtpserver.make_certificates(tmp_path, name="other")  # a CA that did not sign the server's certificate
    p = make_project(tmp_path, monkeypatch, 2)
    with smtpserver.running(tls=tls, certificates=certs, users={"badges": "s3cret pw"}) as (recorder, url):
        url = url.replace("://", "://badges@")
        monkeypatch.setenv("BADGEKIT_SMTP_PASSWORD", "s3cret pw")

        untrusted = run("send", "--smtp", url, ok=2)  # the system's CAs do not know the throwaway one
        wrong = run("send", "--smtp", url, "--smtp-ca-file", other.ca, ok=2)
        for result in (untrusted, wrong):
            [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
            assert "the server's TLS certificate is not trusted (certificate verify failed" in line
            assert "s3cret" not in result.stderr + result.stdout and "earner" not in result.stderr
        assert recorder.messages == [] and recorder.logins == []
        assert json.loads(run("log", "--json", "--kind", "sending").stdout) == []  # nothing recorded as sent

        monkeypatch.setenv("BADGEKIT_SMTP_CA_FILE", str(certs.ca))
        monkeypatch.delenv("BADGEKIT_SMTP_PASSWORD")
        assert "login refused" in run("send", "--smtp", url, "--smtp-password-file", _secret(tmp_path, "wrong"), ok=2).stderr
        sent = json.loads(run("send", "--smtp", url, "--smtp-password-file", _secret(tmp_path, "s3cret pw"), "--json").stdout)
        assert sent["summary"]["sent"] == 2 and sorted(m.rcpt_tos[0] for m in recorder.messages) == sorted(p.ids)
        assert recorder.logins == ["badges"] and sent["server"] == url.rpartition("@")[2].removeprefix("//")


def test_smtp_ca_file_in_the_project_config(tmp_path, monkeypatch) -> None:
    certs = smtpserver.make_certificates(tmp_path)
    make_project(tmp_path, monkeypatch, 1)
    config = Path("badgekit.toml")
    config.write_text(config.read_text() + '\n[smtp]\nca_file = "missing.pem"\n')
    assert "smtp.ca_file: file" in run("send", "--dry-run", "outbox", ok=2).stderr
    config.write_text(config.read_text().replace("missing.pem", str(certs.ca)))
    assert Project.load(".").smtp_ca_file == certs.ca
    with smtpserver.running(tls="starttls", certificates=certs) as (recorder, url):
        assert json.loads(run("send", "--smtp", url, "--json").stdout)["summary"]["sent"] == 1
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello")
    assert "not a PEM CA certificate file" in run("send", "--smtp", url, "--smtp-ca-file", not_pem, ok=2).stderr


def test_a_ca_file_with_a_plain_smtp_url_is_a_usage_error(tmp_path, monkeypatch) -> None:
    # It was ignored without a word: the messages went out unencrypted to whoever gave a CA to trust.
    certs = smtpserver.make_certificates(tmp_path)
    make_project(tmp_path, monkeypatch, 1)
    with smtpserver.running() as (recorder, url):
        assert url.startswith("smtp://")
        for args, source in (((("--smtp-ca-file", certs.ca)), "--smtp-ca-file"), ((), "BADGEKIT_SMTP_CA_FILE")):
            monkeypatch.setenv("BADGEKIT_SMTP_CA_FILE", str(certs.ca))
            result = run("send", "--smtp", url, *args, ok=2)
            [line] = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
            assert f"error: {source} {certs.ca} is for TLS, but smtp://" in line and "plain smtp://" in line
            assert "smtp+starttls://" in result.stderr  # the hint
        assert recorder.messages == [] and json.loads(run("log", "--json", "--kind", "sending").stdout) == []
        monkeypatch.delenv("BADGEKIT_SMTP_CA_FILE")
        assert json.loads(run("send", "--smtp", url, "--json").stdout)["summary"]["sent"] == 1  # without one: sent


def _secret(folder: Path, password: str) -> Path:
    path = folder / f"password-{len(password)}"
    path.write_text(password + "\n")
    return path


def test_send_roster_sends_that_rosters_credentials_only_and_names_rows_without_one(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 5)
    part = p.root / "late.csv"
    part.write_text("email,name\nearner3@example.org,Earner 3\nstranger@example.org,S\nEarner1@Example.org,Earner 1\n", encoding="utf-8")
    result = run("send", "--smtp", url, "--roster", part, "--badge", "python-basics")
    assert "warning: " in result.stderr and "late.csv: 1 row(s) with no credential to send (line 3)" in result.stderr
    assert "2 sent" in result.stderr and "stranger" not in result.stderr + result.stdout
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == ["earner1@example.org", "earner3@example.org"]
    rest = json.loads(run("send", "--smtp", url, "--json").stdout)  # the others, unsent until now
    assert rest["summary"]["sent"] == 3 and rest["summary"]["skipped"] == {"already-sent": 2} and "roster" not in rest
    assert "no such roster file" in run("send", "--smtp", url, "--roster", "missing.csv", ok=2).stderr


def test_send_expiring_reminds_each_holder_once_per_window_with_the_projects_own_template(tmp_path, monkeypatch, server) -> None:
    recorder, url = server
    p = make_project(tmp_path, monkeypatch, 0)
    (p.root / "badges" / "first-aid.json").write_text(json.dumps(
        {**BADGE, "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e60", "name": "First Aid", "badgekit": {"validity": "P20D"}}))
    roster = p.root / "aid.csv"
    roster.write_text("email,name\n" + "".join(f"aid{i}@example.org,Aider {i}\n" for i in range(3)), encoding="utf-8")
    rows = json.loads(run("issue", "--badge", "first-aid", roster, "--workers", "1", "--json").stdout)["rows"]
    ids = {f"aid{r['line'] - 2}@example.org": r["credentialId"] for r in rows}
    long_roster = p.root / "long.csv"
    long_roster.write_text("email,name\nlong@example.org,L\n", encoding="utf-8")
    run("issue", "--badge", "python-basics", long_roster, "--workers", "1")  # never expires: never reminded
    run("revoke", ids["aid2@example.org"], "--reason", "issued in error")

    result = run("send", "--smtp", url, "--expiring", "P30D")
    assert "2 reminder(s) sent; skipped: 1 revoked" not in result.stderr  # the revoked one is not even expiring
    assert "2 reminder(s) sent" in result.stderr
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == ["aid0@example.org", "aid1@example.org"]
    msg = recorder.to("aid0@example.org")[0].message
    assert msg["Subject"].startswith("Your badge First Aid expires on ") and "(in 20 days)" in msg.get_body(("plain",)).get_content()
    assert json.loads(run("send", "--smtp", url, "--expiring", "P30D", "--json").stdout)["summary"]["skipped"] == {"already-reminded": 2}
    assert json.loads(run("send", "--smtp", url, "--expiring", "P10D", "--json").stdout)["summary"]["sent"] == 0  # not yet in 10 days
    log = json.loads(run("log", "--json", "--kind", "reminded").stdout)
    assert sorted(e["credentialId"] for e in log) == sorted([ids["aid0@example.org"], ids["aid1@example.org"]])
    assert all(e["detail"]["window"] == "P30D" for e in log) and "aid0" not in json.dumps(log)
    listed = {r["credential_id"]: r for r in csv.DictReader(io.StringIO(run("report", "--deliveries", "--csv").stdout))}
    assert listed[ids["aid0@example.org"]]["reminded"] == "P30D" and listed[ids["aid0@example.org"]]["delivery"] == "not-sent"

    own = p.root / "mytemplates" / "email"  # the project's own reminder subject; the body stays the shipped one
    own.mkdir(parents=True)
    (own / "reminder_subject.txt").write_text("Renew {{ facts.badge_name }} before {{ expires }}, {{ name }}\n", encoding="utf-8")
    config = Path("badgekit.toml")
    config.write_text(config.read_text().replace("[project]", '[project]\ntemplates_dir = "mytemplates"'))
    assert "templates_dir" in config.read_text()
    run("send", "--smtp", url, "--expiring", "P25D")
    assert recorder.to("aid1@example.org")[-1].message["Subject"].startswith("Renew First Aid before ")
    assert recorder.to("aid1@example.org")[-1].message["Subject"].endswith(", Aider 1")
    (p.root / "broken" / "email").mkdir(parents=True)
    (p.root / "broken" / "email" / "reminder.txt").write_text("{{ nope }}\n", encoding="utf-8")
    config.write_text(config.read_text().replace('"mytemplates"', '"broken"'))
    broken = run("send", "--smtp", url, "--expiring", "P26D", ok=2)
    assert f"{p.root / 'broken' / 'email' / 'reminder.txt'}: e-mail template: 'nope' is undefined" in broken.stderr and len(recorder.messages) == 4

"""badgekit.delivery's sending (``_send``, ``_compose``, ``_smtp``) against a real SMTP server on
127.0.0.1 (tests/smtpserver.py): messages as received, exactly once, faults, privacy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from badgekit import baking, delivery, proof
from badgekit.errors import InputError
from badgekit.ledger import Ledger
from tests import smtpserver
from tests.unit.test_issuing import run, write_roster

pytestmark = pytest.mark.allow_hosts(["127.0.0.1"])
SENDER = "badges@example.edu"


@pytest.fixture
def server():
    with smtpserver.running() as (recorder, url):
        yield recorder, url


def issue(tmp_path: Path, n: int, ledger: Ledger | None = None, **kw) -> dict[str, str]:
    """n credentials issued (baked PNGs); address -> credential id."""
    roster = tmp_path / "roster.csv"
    write_roster(roster, n)
    report = run(tmp_path, roster, ledger=ledger or Ledger.open(tmp_path / "ledger.sqlite3"), bake=("png",), **kw)
    return {f"learner{o.line - 2}@example.org": o.credential_id for o in report.outcomes if o.credential_id}


def send(tmp_path: Path, url: str | None, ledger: Ledger | None = None, sleeps: list[float] | None = None, **kw) -> delivery.SendReport:
    clock = kw.pop("clock", lambda: 0.0)  # the clock stands still: pauses are exact
    options = delivery.SendOptions(sender=SENDER, backoff=kw.pop("backoff", 0.5), **kw)
    mailer = delivery.SmtpMailer(delivery.parse_url(url), timeout=10) if url else None
    try:
        return delivery.send_credentials(ledger or Ledger.open(tmp_path / "ledger.sqlite3"), options, mailer=mailer,
                                         sleep=(sleeps.append if sleeps is not None else lambda s: None), clock=clock)
    finally:
        if mailer is not None:
            mailer.close()


def events(tmp_path: Path) -> list:
    return list(Ledger.open(tmp_path / "ledger.sqlite3").events(kinds=delivery.DELIVERY_EVENTS))


def test_each_earner_gets_one_message_with_the_baked_badge_and_a_rerun_sends_none(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 3)
    report = send(tmp_path, url, reply_to="registrar@example.edu")
    assert report.summary() == {"sent": 3, "wouldSend": 0, "skipped": {}, "failed": {}, "inDoubt": 0}
    assert len(recorder.messages) == 3
    for address, cid in ids.items():
        [got] = recorder.to(address)
        msg = got.message
        outcome = next(o for o in report.outcomes if o.credential_id == cid)
        assert got.mail_from == SENDER and msg["To"] == f"Learner {address[7]} <{address}>"
        assert msg["From"] == f"Example University <{SENDER}>" and msg["Reply-To"] == "registrar@example.edu"
        assert msg["Subject"] == "Your badge from Example University: Python Basics"
        assert msg["Message-ID"] == outcome.message_id and outcome.answer.startswith("250 2.0.0 Ok: queued as Q")
        text = (tmp_path / "out" / f"{cid.removeprefix('urn:uuid:')}.json").read_text()
        parts = {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
        assert parts["badge.png"] == Path(tmp_path / "out" / f"{cid.removeprefix('urn:uuid:')}.png").read_bytes()
        assert baking.extract(parts["badge.png"], source="mail").payload == text
        assert proof.verify(json.loads(baking.extract(parts["badge.png"], source="mail").payload))
        assert parts["credential.json"] == text.encode()
        body = msg.get_body(("plain",)).get_content()
        assert "Dear Learner" in body and cid in body and address not in body
    kinds = [e.kind for e in events(tmp_path)]
    assert kinds.count("sending") == kinds.count("sent") == 3
    assert not any("learner" in json.dumps(e.detail) for e in events(tmp_path))  # no address in the ledger's events

    again = send(tmp_path, url)
    assert again.summary()["sent"] == 0 and again.summary()["skipped"] == {"already-sent": 3}
    assert len(recorder.messages) == 3
    resent = send(tmp_path, url, resend=True, credential_ids=(ids["learner1@example.org"],))
    [o] = resent.outcomes
    assert o.status == "sent" and o.message_id.endswith(".2@example.edu>")  # a deliberate resend is a new message
    assert len(recorder.to("learner1@example.org")) == 2


def test_temporary_answers_are_retried_with_backoff_and_permanent_ones_recorded_once(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 5)
    recorder.faults = {
        "learner0@example.org": ["451 4.7.1 greylisted, try again later"],
        "learner1@example.org": ["550 5.1.1 <learner1@example.org>: Recipient address rejected"],
        "learner2@example.org": ["rcpt:550 5.1.1 <LEARNER2@example.org>: no such user"],
        "learner3@example.org": ["452 4.2.2 mailbox full"] * 3,
    }
    sleeps: list[float] = []
    report = send(tmp_path, url, sleeps=sleeps, attempts=3)
    by = {o.credential_id: o for o in report.outcomes}
    assert by[ids["learner0@example.org"]].status == "sent" and by[ids["learner0@example.org"]].attempts == 2
    assert by[ids["learner4@example.org"]].status == "sent"
    refused = by[ids["learner1@example.org"]]
    assert (refused.status, refused.reason, refused.attempts) == ("failed", "refused", 1)
    assert refused.answer == "550 5.1.1 <<recipient>>: Recipient address rejected"  # the address is not kept in the event
    assert by[ids["learner2@example.org"]].answer == "550 5.1.1 <<recipient>>: no such user"
    assert (by[ids["learner3@example.org"]].reason, by[ids["learner3@example.org"]].attempts) == ("temporary", 3)
    assert sorted(sleeps) == [0.5, 0.5, 1.0]  # learner0's one pause, learner3's two (doubled)
    assert report.summary()["failed"] == {"refused": 2, "temporary": 1} and not report.ok
    failed = [e for e in events(tmp_path) if e.kind == "send-failed"]
    assert {e.credential_id for e in failed} == {ids[f"learner{i}@example.org"] for i in (1, 2, 3)}
    assert all("learner" not in json.dumps(e.detail) + (e.reason or "") for e in failed)

    again = send(tmp_path, url)  # the refused ones are not retried blindly; the temporary one is
    assert again.summary()["skipped"] == {"already-sent": 2, "refused-before": 2} and again.summary()["sent"] == 1
    assert len(recorder.to("learner1@example.org")) == 0 and len(recorder.to("learner3@example.org")) == 1


def test_a_connection_dropped_mid_message_is_sent_again_with_the_same_message_id_and_reported(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 2)
    recorder.faults = {"learner0@example.org": ["drop"]}
    report = send(tmp_path, url)
    first = next(o for o in report.outcomes if o.credential_id == ids["learner0@example.org"])
    assert first.status == "sent" and first.in_doubt and first.attempts == 2
    copies = recorder.to("learner0@example.org")
    assert len(copies) == 2 and copies[0].message["Message-ID"] == copies[1].message["Message-ID"] == first.message_id
    assert report.summary()["inDoubt"] == 1 and len(recorder.to("learner1@example.org")) == 1


def test_a_message_in_flight_when_a_run_stopped_is_sent_once_more_and_said(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 2)
    cid = ids["learner1@example.org"]
    mid = delivery.message_id(cid, 1, SENDER)
    Ledger.open(tmp_path / "ledger.sqlite3").record_event(cid, "sending", actor="t", detail={"messageId": mid})
    report = send(tmp_path, url)
    stopped = next(o for o in report.outcomes if o.credential_id == cid)
    assert stopped.in_doubt and stopped.message_id == mid and report.summary()["inDoubt"] == 1
    assert len(recorder.messages) == 2


def test_revoked_suspended_expired_unaddressed_and_unfinished_credentials_are_never_sent(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 6)
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        ledger.change_state(ids["learner0@example.org"], "revoked", reason="t", actor="t")
        ledger.change_state(ids["learner1@example.org"], "suspended", reason="t", actor="t")
        with ledger.transaction() as conn:
            conn.execute("UPDATE issuances SET valid_until = '2020-01-01T00:00:00Z' WHERE credential_id = ?", (ids["learner2@example.org"],))
            conn.execute("UPDATE issuances SET state = 'reserved' WHERE credential_id = ?", (ids["learner3@example.org"],))
            conn.execute("DELETE FROM addresses WHERE credential_id = ?", (ids["learner4@example.org"],))
    report = send(tmp_path, url)
    assert report.summary()["skipped"] == {"expired": 1, "no-address": 1, "not-issued": 1, "revoked": 1, "suspended": 1}
    assert report.summary()["sent"] == 1 and [m.rcpt_tos for m in recorder.messages] == [["learner5@example.org"]]


def test_dry_run_writes_the_exact_messages_and_records_nothing(tmp_path) -> None:
    ids = issue(tmp_path, 2)
    report = send(tmp_path, None, dry_run=tmp_path / "outbox", bundle_url_base="https://example.edu/badges/")
    assert report.summary()["wouldSend"] == 2 and report.server is None
    for cid in ids.values():
        eml = tmp_path / "outbox" / f"{cid.removeprefix('urn:uuid:')}.eml"
        msg = smtpserver.Received("", [], eml.read_bytes()).message
        assert f"https://example.edu/badges/{cid.removeprefix('urn:uuid:')}/" in msg.get_body(("plain",)).get_content()
        assert b"\r\n" in eml.read_bytes()
    assert events(tmp_path) == []
    assert "learner" not in json.dumps(report.to_json()) and "learner" in json.dumps(report.to_json(show_addresses=True))


def test_selection_by_id_badge_and_date_and_a_paced_rate(tmp_path, server) -> None:
    recorder, url = server
    ids = issue(tmp_path, 3)
    sleeps: list[float] = []
    report = send(tmp_path, url, sleeps=sleeps, credential_ids=(ids["learner2@example.org"], ids["learner0@example.org"]),
                  rate_per_minute=30)
    assert [o.credential_id for o in report.outcomes] == [ids["learner2@example.org"], ids["learner0@example.org"]]
    assert sleeps == [2.0]  # one full pause between two messages
    assert send(tmp_path, url, badge_ids=("urn:uuid:other",)).outcomes == ()
    assert send(tmp_path, url, since="2026-01-16").outcomes == ()  # issued 2026-01-15
    assert send(tmp_path, url, since=delivery.since_stamp("2026-01-15")).summary()["sent"] == 1
    with pytest.raises(InputError, match="urn:uuid:nope: not in this project's ledger"):
        send(tmp_path, url, credential_ids=("urn:uuid:nope",))
    assert len(recorder.messages) == 3


def test_an_unreachable_server_stops_the_run_and_records_nothing(tmp_path) -> None:
    issue(tmp_path, 2)
    url = f"smtp://127.0.0.1:{smtpserver._free_port()}"  # nobody listens there
    report = send(tmp_path, url, attempts=2)
    assert report.stopped.startswith("cannot connect to 127.0.0.1:") and "stopped after 2 attempts" in report.stopped
    assert report.outcomes == () and events(tmp_path) == []


def test_smtp_urls_and_passwords() -> None:
    s = delivery.parse_url("smtps://badges%40example.edu:s3cret@mail.example.edu")
    assert (s.scheme, s.host, s.port, s.user, s.password) == ("smtps", "mail.example.edu", 465, "badges@example.edu", "s3cret")
    assert "s3cret" not in repr(s) and "s3cret" not in s.display()
    assert delivery.parse_url("smtp+starttls://u@h", password="pw").port == 587
    assert delivery.parse_url("smtp://localhost:2525").name == "localhost:2525"
    with pytest.raises(InputError) as caught:
        delivery.parse_url("http://u:s3cret@mail.example.edu")
    assert "s3cret" not in caught.value.message and "***" in caught.value.message
    with pytest.raises(InputError, match="needs a password"):
        delivery.SmtpMailer(delivery.parse_url("smtps://u@h"))


def test_selection_by_roster_matches_rows_as_issuing_keys_them_and_combines_with_the_other_filters(tmp_path) -> None:
    ids = issue(tmp_path, 4)
    part = tmp_path / "part.csv"  # another spelling of the header, a semicolon export, a row twice, one never issued
    part.write_text("\ufeffE-mail Address;Full Name\n  LEARNER2@Example.org ;x\nnobody@example.org;y\n\n"
                    "learner0@example.org;z\nlearner2@example.org;again\n", encoding="utf-8")
    report = send(tmp_path, None, dry_run=tmp_path / "outbox", roster=part)
    assert sorted(o.credential_id for o in report.outcomes) == sorted([ids["learner0@example.org"], ids["learner2@example.org"]])
    assert report.unmatched == (3,) and report.to_json()["roster"] == {"file": str(part), "linesWithoutCredential": [3]}
    assert "nobody" not in json.dumps(report.to_json())
    only = send(tmp_path, None, dry_run=tmp_path / "outbox", roster=part, credential_ids=(ids["learner2@example.org"],))
    assert [o.credential_id for o in only.outcomes] == [ids["learner2@example.org"]]
    other = send(tmp_path, None, dry_run=tmp_path / "outbox", roster=part, badge_ids=("urn:uuid:other",))
    assert other.outcomes == () and other.unmatched == (2, 3, 5)  # a row twice: its first line
    assert send(tmp_path, None, dry_run=tmp_path / "outbox", roster=part, since="2026-01-16").outcomes == ()
    by_id = tmp_path / "ids.csv"  # a roster keyed by student id: no row matches an email-keyed credential
    by_id.write_text("student_id,name\n123,A\n", encoding="utf-8")
    assert send(tmp_path, None, dry_run=tmp_path / "outbox", roster=by_id).unmatched == (2,)


def test_reminders_go_once_per_credential_and_window_never_to_suspended_revoked_or_renewed_ones(tmp_path, server) -> None:
    from datetime import UTC, datetime

    from badgekit import report as reports

    recorder, url = server
    ids = issue(tmp_path, 6)
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        with ledger.transaction() as conn:
            for n in range(5):  # learner5's never expires
                conn.execute("UPDATE issuances SET valid_until = ? WHERE credential_id = ?",
                             (f"2030-02-0{n + 1}T00:00:00Z", ids[f"learner{n}@example.org"]))
        ledger.change_state(ids["learner1@example.org"], "suspended", reason="t", actor="t")
        ledger.change_state(ids["learner2@example.org"], "revoked", reason="t", actor="t")
        ledger.record_event(ids["learner5@example.org"], "renewed", actor="t", detail={"renews": ids["learner3@example.org"]})
    now = datetime(2030, 1, 15, tzinfo=UTC)

    def remind(window: str, **kw) -> delivery.SendReport:
        with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
            soon = reports.expiring_credentials(ledger, window, now=now)
        return send(tmp_path, url, now=now, reminder=delivery.Reminder(window, tuple(c.credential_id for c in soon.credentials)), **kw)

    first = remind("P30D")
    assert first.summary()["sent"] == 2 and first.summary()["skipped"] == {"renewed": 1, "suspended": 1}  # revoked: not expiring
    assert sorted(m.rcpt_tos[0] for m in recorder.messages) == ["learner0@example.org", "learner4@example.org"]
    msg = recorder.to("learner0@example.org")[0].message
    assert msg["Subject"] == "Your badge Python Basics expires on 1 February 2030"
    assert msg["Message-ID"] == delivery.message_id(ids["learner0@example.org"], 1, SENDER, reminder="P30D")
    assert ".reminder-P30D.1@" in msg["Message-ID"] and list(msg.iter_attachments()) == []
    assert "in 17 days" in msg.get_body(("plain",)).get_content()
    reminded = list(Ledger.open(tmp_path / "ledger.sqlite3").events(kinds=delivery.REMINDER_EVENTS))
    assert [e.kind for e in reminded] == ["reminding", "reminded"] * 2 and {e.detail["window"] for e in reminded} == {"P30D"}
    assert events(tmp_path) == []  # a reminder is not the badge's delivery

    again = remind("P30D")
    assert again.summary()["sent"] == 0 and again.summary()["skipped"]["already-reminded"] == 2 and len(recorder.messages) == 2
    closer = remind("P25D")  # another window: one more reminder each
    assert closer.summary()["sent"] == 2 and len(recorder.messages) == 4
    award = send(tmp_path, url, now=now)  # the badges themselves are still to be sent
    assert award.summary()["sent"] == 4 and award.summary()["skipped"] == {"revoked": 1, "suspended": 1}


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "2026-00-10", "0000-01-01"])
def test_since_refuses_a_date_that_does_not_exist(text) -> None:
    # Only the shape was checked: 2026-13-01 selected nothing and 2026-02-30 something, exit 0.
    with pytest.raises(InputError, match=f"--since '{text}': expected a date"):
        delivery.since_stamp(text)
    assert delivery.since_stamp("2024-02-29") == "2024-02-29"

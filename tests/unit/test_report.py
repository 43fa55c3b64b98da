"""Program report: a ledger built with known issuances, revocations, suspensions, expiries and
rejections; every figure checked (known numbers in, the same numbers out)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit import errors as report_errors
from badgekit import ledger as ledger_mod
from badgekit import report
from badgekit.ledger import Ledger

BADGE_A = "urn:uuid:0a0a0a0a-0000-4000-8000-00000000000a"
BADGE_B = "urn:uuid:0b0b0b0b-0000-4000-8000-00000000000b"
NAMES = {BADGE_A: "Python Basics", BADGE_B: "Lab Safety"}
NOW = datetime(2026, 3, 15, 0, 0, tzinfo=UTC)

# (badge, recipient, issued_at, earned, valid_until, final state, state-change time)
CREDENTIALS = [
    (BADGE_A, "ada", "2026-01-05T10:00:00Z", "2026-01-05", None, "issued", None),                    # 0 d
    (BADGE_A, "bob", "2026-01-05T10:00:00Z", "2026-01-01", None, "revoked", "2026-02-02T09:00:00Z"),  # 4 d
    (BADGE_A, "cy", "2026-01-05T10:00:00Z", "2025-12-20", None, "issued", None),                     # 16 d
    (BADGE_A, "dee", "2026-01-20T10:00:00Z", "2026-01-10", "2026-03-01T00:00:00Z", "issued", None),  # 10 d, expired
    (BADGE_A, "eve", "2026-01-20T10:00:00Z", None, None, "issued", None),
    (BADGE_A, "fay", "2026-02-10T10:00:00Z", "2025-11-01", None, "issued", None),                    # 101 d
    (BADGE_A, "gus", "2026-02-10T10:00:00Z", None, None, "reserved", None),                          # pending
    (BADGE_B, "ada", "2026-02-03T08:00:00Z", "2026-02-01", None, "suspended", "2026-02-20T12:00:00Z"),  # 2 d
    (BADGE_B, "bob", "2026-02-03T08:00:00Z", "2026-02-01", "2026-03-01T00:00:00Z", "revoked", "2026-02-16T12:00:00Z"),  # 2 d
    (BADGE_B, "hal", "2026-02-03T08:00:00Z", "2026-01-31", None, "issued", None),                    # 3 d
    (BADGE_B, "ivy", "2026-02-03T08:00:00Z", None, "2026-03-10T00:00:00Z", "issued", None),           # expired
]


def build_ledger(path: Path, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """The ledger the figures below are computed from by hand."""
    clock = {"now": "2026-01-01T00:00:00Z"}
    monkeypatch.setattr(ledger_mod, "now_iso", lambda: clock["now"])
    ledger = Ledger.open(path)
    for badge, who, issued_at, earned, until, state, changed_at in CREDENTIALS:
        clock["now"] = issued_at
        (issuance,) = ledger.reserve([{
            "badge_id": badge, "recipient_key": who, "generation": 1, "row_fingerprint": who,
            "issued_at": issued_at, "valid_until": until, "earned_at": f"{earned}T00:00:00Z" if earned else None,
        }], purpose=None)
        if state == "reserved":
            continue
        ledger.mark_issued([(issuance.credential_id, f"/out/{who}.json")], actor="registrar")
        if changed_at:
            clock["now"] = changed_at
            ledger.change_state(issuance.credential_id, state, reason="test", actor="registrar")
    errors_a = [SimpleNamespace(line=7, column="email", reason="invalid email address 'bob@'"),
                SimpleNamespace(line=9, column="email", reason="invalid email address 'x'"),
                SimpleNamespace(line=9, column="score", reason="score 45 is below the required 60")]
    for _run in range(2):  # the same roster run twice: rows are not counted twice
        ledger.record_rejections(BADGE_A, "class.csv", errors_a)
    ledger.record_rejections(BADGE_B, "safety.csv", [SimpleNamespace(line=3, column="email", reason="missing recipient email")])
    return ledger


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> report.ProgramReport:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        return report.build_report(ledger, now=NOW, names=NAMES)


def test_state_counts_per_badge_and_overall(built: report.ProgramReport) -> None:
    a, b = built.badges  # most issued first
    assert (a.badge_id, a.name, b.badge_id, b.name) == (BADGE_A, "Python Basics", BADGE_B, "Lab Safety")
    assert a.counts == report.StateCounts(issued=6, active=4, expired=1, revoked=1, suspended=0, pending=1)
    # bob's B credential is revoked and past validUntil: revoked wins; ivy's is expired
    assert b.counts == report.StateCounts(issued=4, active=1, expired=1, revoked=1, suspended=1, pending=0)
    assert built.overall.counts == report.StateCounts(issued=10, active=5, expired=2, revoked=2, suspended=1, pending=1)
    assert a.counts.revocation_rate == pytest.approx(1 / 6)
    assert b.counts.revocation_rate == 0.25
    assert built.overall.counts.revocation_rate == 0.2
    assert (a.recipients, b.recipients, built.overall.recipients) == (6, 4, 8)  # ada and bob hold both
    assert (a.first_issued, a.last_issued) == ("2026-01-05T10:00:00Z", "2026-02-10T10:00:00Z")


def test_earned_to_issued(built: report.ProgramReport) -> None:
    a, b = built.badges
    assert (a.lead_time.count, a.lead_time.min_days, a.lead_time.median_days, a.lead_time.mean_days, a.lead_time.max_days) == (5, 0, 10.0, 26.2, 101)
    assert a.lead_time.buckets == (("same day", 1), ("1\u20137 days", 1), ("8\u201330 days", 2), ("31\u201390 days", 0), ("over 90 days", 1))
    assert (b.lead_time.count, b.lead_time.median_days, b.lead_time.mean_days, b.lead_time.max_days) == (3, 2.0, 2.33, 3)
    o = built.overall.lead_time
    assert (o.count, o.min_days, o.median_days, o.mean_days, o.max_days) == (8, 0, 3.5, 17.25, 101)


def test_weekly_timeline_fills_gaps_and_counts_revocations_by_event_time(built: report.ProgramReport) -> None:
    assert built.granularity == "week"  # Jan 5 .. Feb 16 is under 16 weeks
    rows = [(p.label, p.start.isoformat(), p.issued, p.revoked) for p in built.timeline]
    assert rows == [
        ("2026-W02", "2026-01-05", 3, 0),
        ("2026-W03", "2026-01-12", 0, 0),
        ("2026-W04", "2026-01-19", 2, 0),
        ("2026-W05", "2026-01-26", 0, 0),
        ("2026-W06", "2026-02-02", 4, 1),
        ("2026-W07", "2026-02-09", 1, 0),
        ("2026-W08", "2026-02-16", 0, 1),
    ]


def test_monthly_timeline_and_one_badge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        monthly = report.build_report(ledger, now=NOW, granularity="month")
        only_b = report.build_report(ledger, now=NOW, badge_id=BADGE_B, names=NAMES)
    assert [(p.label, p.issued, p.revoked) for p in monthly.timeline] == [("2026-01", 5, 0), ("2026-02", 5, 2)]
    assert [b.badge_id for b in only_b.badges] == [BADGE_B]
    assert (only_b.overall.badge_id, only_b.overall.name) == (BADGE_B, "Lab Safety")
    assert only_b.overall.counts.issued == 4 and only_b.overall.rejected_rows == 1
    assert [(p.label, p.issued, p.revoked) for p in only_b.timeline] == [("2026-W06", 4, 0), ("2026-W07", 0, 0), ("2026-W08", 0, 1)]


def test_expiry_depends_on_the_moment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        before = report.build_report(ledger, now=datetime(2026, 2, 25, tzinfo=UTC))
    assert before.overall.counts == report.StateCounts(issued=10, active=7, expired=0, revoked=2, suspended=1, pending=1)


def test_rejected_rows_deduplicated_and_reasons_without_values(built: report.ProgramReport) -> None:
    a, b = built.badges
    assert (a.rejected_rows, b.rejected_rows, built.overall.rejected_rows) == (2, 1, 3)
    assert [(r.badge_id, r.column, r.reason, r.rows) for r in built.rejections] == [
        (BADGE_A, "email", "invalid email address '\u2026'", 2),
        (BADGE_B, "email", "missing recipient email", 1),
        (BADGE_A, "score", "score \u2026 is below the required 60", 1),
    ]
    text = str(built.to_json())
    assert "bob@" not in text and "'x'" not in text and "45" not in text


def test_normalise_reason() -> None:
    assert report.normalise_reason("duplicate recipient (also on line 12)") == "duplicate recipient (also on line N)"
    assert report.normalise_reason('evidence_url "ftp://x" is not an http(s) URL') == "evidence_url '\u2026' is not an http(s) URL"
    assert report.normalise_reason("score 12,5 is below the required 60") == "score \u2026 is below the required 60"


def test_csv(built: report.ProgramReport) -> None:
    rows = list(csv.DictReader(io.StringIO(report.report_csv(built))))
    assert [r["badge_id"] for r in rows] == [BADGE_A, BADGE_B, "*"]
    total = rows[-1]
    assert {k: total[k] for k in ("issued", "active", "expired", "revoked", "suspended", "pending", "revocation_rate",
                                  "recipients", "earned_to_issued_median_days", "earned_to_issued_mean_days", "rejected_rows")} == {
        "issued": "10", "active": "5", "expired": "2", "revoked": "2", "suspended": "1", "pending": "1",
        "revocation_rate": "0.2000", "recipients": "8", "earned_to_issued_median_days": "3.5",
        "earned_to_issued_mean_days": "17.25", "rejected_rows": "3",
    }
    assert rows[0]["badge_name"] == "Python Basics" and rows[0]["revocation_rate"] == "0.1667"


def test_csv_keeps_formula_names_inert(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        r = report.build_report(ledger, now=NOW, names={BADGE_A: "=HYPERLINK(\"http://evil\")"})
    rows = list(csv.DictReader(io.StringIO(report.report_csv(r))))
    assert rows[0]["badge_name"] == "'=HYPERLINK(\"http://evil\")"


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in ("src", "href") and value:
                self.urls.append(value)


def test_html_is_one_file_with_charts_and_escaped_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        r = report.build_report(ledger, now=NOW, names={**NAMES, BADGE_B: "<script>alert(1)</script> & Co"})
    page = report.report_html(r, subtitle="Example <University>")
    parser = _Assets()
    parser.feed(page)
    assert "script" not in parser.tags and parser.urls == []  # no script, nothing fetched
    assert parser.tags.count("svg") == 4  # timeline, states, lead time, rejections
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page and "<script>" not in page
    assert "Example &lt;University&gt;" in page
    for figure in (">10<", ">20.0 %<", ">3.5 d<"):  # issued, revocation rate, median lead time
        assert figure in page
    assert re.search(r"<title>2026-W06: 4 issued, 1 revoked</title>", page)


def test_empty_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "ledger.sqlite3") as ledger:
        r = report.build_report(ledger, now=NOW)
    assert r.overall.counts == report.StateCounts() and r.timeline == () and r.badges == ()
    assert r.overall.counts.revocation_rate is None
    assert "Nothing issued yet." in report.report_html(r)


def test_report_does_not_load_the_bundling_code() -> None:
    """The HTML report's dates come from badgekit._time: `badgekit report` does not pay for
    delivery (issuing, rendering) at start-up."""
    import subprocess
    import sys

    code = "import sys, badgekit.report\nassert 'badgekit.delivery' not in sys.modules\n"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_expiring_lists_exactly_the_credentials_whose_validUntil_falls_in_the_window(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        ids = {(i.badge_id, i.recipient_key): i.credential_id for i in ledger.issuances()}
        ten = report.expiring_credentials(ledger, "P10D", now=datetime(2026, 2, 25, tzinfo=UTC), names=NAMES)
        fourteen = report.expiring_credentials(ledger, "P14D", now=datetime(2026, 2, 25, tzinfo=UTC), names=NAMES)
        only_b = report.expiring_credentials(ledger, "P14D", now=datetime(2026, 2, 25, tzinfo=UTC), badge_id=BADGE_B)
        later = report.expiring_credentials(ledger, "P1Y", now=NOW)
        with pytest.raises(report_errors.InputError, match="not an ISO 8601 duration"):
            report.expiring_credentials(ledger, "30 days")
    # dee's expires on 03-01 (in 4 days); ivy's on 03-10 (in 13); bob's B is revoked: never listed
    assert [(c.credential_id, c.badge_name, c.valid_until, c.state) for c in ten.credentials] == [
        (ids[BADGE_A, "dee"], "Python Basics", "2026-03-01T00:00:00Z", "active")]
    assert [c.credential_id for c in fourteen.credentials] == [ids[BADGE_A, "dee"], ids[BADGE_B, "ivy"]]
    assert fourteen.counts == {BADGE_A: 1, BADGE_B: 1}
    assert fourteen.to_json()["until"] == "2026-03-11T00:00:00Z"
    assert [c.credential_id for c in only_b.credentials] == [ids[BADGE_B, "ivy"]]
    assert later.credentials == ()  # both have expired by then: expired is not expiring
    rows = list(csv.DictReader(io.StringIO(report.expiring_csv(fourteen))))
    assert [(r["credential_id"], r["badge_name"]) for r in rows] == [(ids[BADGE_A, "dee"], "Python Basics"),
                                                                      (ids[BADGE_B, "ivy"], "Lab Safety")]


def test_deliveries_per_badge_class_are_counted_never_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        ids = {(i.badge_id, i.recipient_key): i.credential_id for i in ledger.issuances()}
        sent = {"messageId": "<m@example.edu>", "answer": "250 OK"}
        ledger.record_event(ids[BADGE_A, "ada"], "sent", actor="registrar", detail=sent)
        ledger.record_event(ids[BADGE_A, "cy"], "send-failed", actor="registrar", detail={"answer": "550 no such user"})
        ledger.record_event(ids[BADGE_A, "cy"], "sent", actor="registrar", detail=sent)  # sent on a later run
        ledger.record_event(ids[BADGE_A, "eve"], "sending", actor="registrar")  # in flight when a run stopped
        ledger.record_event(ids[BADGE_B, "hal"], "sent", actor="registrar", detail=sent)
        ledger.record_event(ids[BADGE_B, "hal"], "send-failed", actor="registrar", detail={"answer": "451 later"})  # a --resend
        ledger.record_event(ids[BADGE_B, "ivy"], "send-failed", actor="registrar", detail={"answer": "550 no such user"})
        built = report.build_report(ledger, now=NOW, names=NAMES)
        only_b = report.build_report(ledger, now=NOW, names=NAMES, badge_id=BADGE_B)
    a, b = built.badges
    assert a.delivery == report.DeliveryCounts(sent=2, failed=0, unsent=4)  # gus (pending) is not issued
    assert b.delivery == report.DeliveryCounts(sent=1, failed=1, unsent=2)
    assert built.overall.delivery == report.DeliveryCounts(sent=3, failed=1, unsent=6)
    assert only_b.overall.delivery == b.delivery
    assert built.to_json()["badges"][1]["delivery"] == {"sent": 1, "failed": 1, "notSent": 2}


def test_renewals_are_counted_per_badge_class_once_signed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        old = {i.recipient_key: i.credential_id for i in ledger.issuances(badge_id=BADGE_A)}
        renewals = ledger.reserve([{
            "badge_id": BADGE_A, "recipient_key": who, "generation": 2, "row_fingerprint": who, "issued_at": "2026-03-02T10:00:00Z",
            "valid_until": None, "earned_at": None, "renews": old[who]} for who in ("dee", "eve")], purpose=None)
        ledger.mark_issued([(renewals[0].credential_id, "/out/dee-2.json")])  # eve's renewal is still reserved
        r = report.build_report(ledger, now=NOW, names=NAMES)
    by_badge = {b.badge_id: b for b in r.badges}
    assert (by_badge[BADGE_A].renewed, by_badge[BADGE_B].renewed, r.overall.renewed) == (1, 0, 1)
    assert by_badge[BADGE_A].counts.issued == 7 and by_badge[BADGE_A].counts.pending == 2
    assert r.to_json()["overall"]["renewed"] == 1
    rows = {row["badge_id"]: row for row in csv.DictReader(io.StringIO(report.report_csv(r)))}
    assert (rows[BADGE_A]["renewed"], rows["*"]["renewed"]) == ("1", "1")
    assert ">Renewed<" in report.report_html(r)


def test_each_credentials_delivery_in_csv_and_html_addresses_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with build_ledger(tmp_path / "ledger.sqlite3", monkeypatch) as ledger:
        ids = {(i.badge_id, i.recipient_key): i.credential_id for i in ledger.issuances()}
        ledger.record_addresses([(cid, f"{who}@example.org", None) for (_, who), cid in ids.items()])
        silent = report.build_report(ledger, now=NOW, names=NAMES)
        ledger.record_event(ids[BADGE_A, "ada"], "send-failed", actor="r", detail={"messageId": "<1@x>", "answer": "451 later"})
        ledger.record_event(ids[BADGE_A, "ada"], "sent", actor="r", detail={"messageId": "<1@x>", "answer": "250 Ok: queued as Q1"})
        ledger.record_event(ids[BADGE_B, "ivy"], "send-failed", actor="r", detail={"messageId": "<2@x>", "answer": "550 <<recipient>>: no"})
        ledger.record_event(ids[BADGE_A, "dee"], "reminded", actor="r", detail={"window": "P30D"})
        built = report.build_report(ledger, now=NOW, names=NAMES)
        listed = report.delivery_report(ledger, now=NOW, names=NAMES)
        shown = report.delivery_report(ledger, now=NOW, names=NAMES, show_addresses=True, badge_id=BADGE_B)
    rows = {r["badge_id"]: r for r in csv.DictReader(io.StringIO(report.report_csv(built)))}
    assert [(rows[b]["sent"], rows[b]["send_failed"], rows[b]["not_sent"]) for b in (BADGE_A, BADGE_B, "*")] == [
        ("1", "0", "5"), ("0", "1", "3"), ("1", "1", "8")]
    assert "E-mail delivery" in report.report_html(built) and "E-mail delivery" not in report.report_html(silent)
    assert "@example.org" not in report.report_html(built) + report.report_csv(built)
    each = {r["credential_id"]: r for r in csv.DictReader(io.StringIO(report.deliveries_csv(listed)))}
    assert len(each) == 10 and "address" not in next(iter(each.values())) and "@example.org" not in report.deliveries_csv(listed)
    ada, ivy, dee = each[ids[BADGE_A, "ada"]], each[ids[BADGE_B, "ivy"]], each[ids[BADGE_A, "dee"]]
    assert (ada["delivery"], ada["message_id"], ada["answer"], ada["state"]) == ("sent", "<1@x>", "250 Ok: queued as Q1", "active")
    assert (ivy["delivery"], ivy["answer"], ivy["state"]) == ("failed", "550 <<recipient>>: no", "expired")
    assert (dee["delivery"], dee["at"], dee["reminded"]) == ("not-sent", "", "P30D")
    assert listed.counts == {BADGE_A: {"sent": 1, "failed": 0, "not-sent": 5}, BADGE_B: {"sent": 0, "failed": 1, "not-sent": 3}}
    with_addresses = list(csv.DictReader(io.StringIO(report.deliveries_csv(shown))))
    assert sorted(r["address"] for r in with_addresses) == ["ada@example.org", "bob@example.org", "hal@example.org", "ivy@example.org"]
    assert "address" in shown.to_json()["credentials"][0] and "address" not in listed.to_json()["credentials"][0]

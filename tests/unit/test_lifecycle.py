"""Revocation and suspension (issue 7, phase 2): ledger changes, published lists, verification.

The ledger is the source of truth; a published list is derived from it. These tests issue real
credentials with ``issue_roster`` (fixed key and clock), change their states, publish the lists
and check them with badgekit's own verifier.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from badgekit import cache, did, lifecycle, proof, status, verify
from badgekit.errors import InputError, KeyFileError, OutputError
from badgekit.issuing import IssueOptions, issue_roster
from badgekit.keys import Ed25519Key
from badgekit.ledger import Ledger
from badgekit.project import Project
from tests.unit.test_issuing import ACHIEVEMENT, ISSUER, KEY, NOW

BASE = "https://example.edu/status/"
REVOCATION_URL = BASE + "revocation-1.json"
SUSPENSION_URL = BASE + "suspension-1.json"
PUBLISHED_AT = datetime(2026, 1, 16, 9, 0, tzinfo=UTC)
AFTER = PUBLISHED_AT + timedelta(hours=1)
SUSPENDABLE = {**ACHIEVEMENT, "id": "urn:uuid:0b8c5a8e-9d7f-4e21-8a3b-6c5d4e3f2a10", "name": "Lab Safety"}


def badge(achievement: dict[str, Any], purpose: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=achievement["id"],
        achievement=achievement,
        policy=SimpleNamespace(validity=None, requirements=(), status_purpose=purpose),
    )


def project_for(tmp: Path) -> Project:
    return Project(
        root=tmp,
        issuer=ISSUER,
        key_path=tmp / "issuer-key.pem",
        badges_dir=tmp / "badges",
        output_dir=tmp / "out",
        ledger_path=tmp / "ledger.sqlite3",
        status_base_url=BASE,
        verification_method=None,
    )


def issue(tmp: Path, ledger: Ledger, badge_ns: SimpleNamespace, emails: list[str], seed: int = 7) -> dict[str, dict[str, Any]]:
    """Issue one credential per email; returns email → {id, path, doc}."""
    roster = tmp / f"roster-{badge_ns.id[-4:]}-{seed}.csv"
    roster.write_text("email,name\n" + "".join(f"{e},Learner {n}\n" for n, e in enumerate(emails)), encoding="utf-8")
    report = issue_roster(
        roster_path=roster,
        badge=badge_ns,
        issuer=ISSUER,
        key=KEY,
        ledger=ledger,
        options=IssueOptions(out_dir=tmp / "out", now=NOW, rng_seed=seed),
        status_base_url=BASE,
    )
    assert report.ok, report.to_json()
    out = {}
    for email, outcome in zip(emails, report.outcomes, strict=True):
        doc = json.loads(Path(outcome.path).read_text(encoding="utf-8"))
        out[email] = {"id": outcome.credential_id, "path": Path(outcome.path), "doc": doc}
    return out


def publish(tmp: Path, ledger: Ledger, when: datetime = PUBLISHED_AT, **kw: Any) -> dict[str, dict[str, Any]]:
    paths = lifecycle.publish_lists(ledger, project_for(tmp), KEY, tmp / "status", when, **kw)
    return status.load_status_lists(paths)


def verdict(cred: dict[str, Any], lists: dict[str, Any], at: datetime = AFTER) -> verify.VerificationReport:
    return verify.verify_credential(cred["doc"], options=verify.VerifyOptions(at=at, status_lists=lists))


@pytest.fixture
def world(tmp_path: Path, ledger_target: Any) -> SimpleNamespace:
    ledger = Ledger.open(ledger_target)  # every test below runs on SQLite and on PostgreSQL
    revocable = issue(tmp_path, ledger, badge(ACHIEVEMENT, "revocation"), ["ada@example.org", "bob@example.org", "cy@example.org"])
    suspendable = issue(tmp_path, ledger, badge(SUSPENDABLE, "suspension"), ["ada@example.org", "dee@example.org"], seed=8)
    yield SimpleNamespace(tmp=tmp_path, ledger=ledger, rev=revocable, sus=suspendable)
    ledger.close()


# ---------------------------------------------------------------------------------------------
# the round trips the issue asks for


def test_revoke_publish_verify_fails_as_revoked(world: SimpleNamespace) -> None:
    ada, bob = world.rev["ada@example.org"], world.rev["bob@example.org"]
    [change] = lifecycle.change_status(world.ledger, [ada["id"]], "revoked", "issued by mistake", "registrar")
    assert change.outcome == "changed" and change.before == "issued" and change.after == "revoked"
    assert change.list_url == REVOCATION_URL and change.status_index == int(ada["doc"]["credentialStatus"]["statusListIndex"])

    lists = publish(world.tmp, world.ledger)
    report = verdict(ada, lists)
    assert report.verdict == "invalid"
    assert report.check("status").status == "failed"
    assert f"revoked: bit {change.status_index} of status list {REVOCATION_URL} is set" in report.check("status").reason
    assert verdict(bob, lists).verdict == "valid"  # the neighbour on the same list is untouched


def test_suspend_then_unsuspend(world: SimpleNamespace) -> None:
    dee = world.sus["dee@example.org"]
    assert dee["doc"]["credentialStatus"]["statusPurpose"] == "suspension"
    assert lifecycle.change_status(world.ledger, [dee["id"]], "suspended", "training lapsed", "registrar")[0].outcome == "changed"
    report = verdict(dee, publish(world.tmp, world.ledger))
    assert report.verdict == "invalid"
    assert "suspended: bit" in report.check("status").reason

    assert lifecycle.change_status(world.ledger, [dee["id"]], "issued", "training renewed", "registrar")[0].outcome == "changed"
    later = PUBLISHED_AT + timedelta(minutes=5)
    report = verdict(dee, publish(world.tmp, world.ledger, later), at=later + timedelta(minutes=1))
    assert report.verdict == "valid", report.to_dict()
    assert report.check("status").status == "passed"


def test_published_list_credential_itself_verifies(world: SimpleNamespace) -> None:
    lifecycle.change_status(world.ledger, [world.rev["bob@example.org"]["id"]], "revoked", "left", "registrar")
    paths = lifecycle.publish_lists(world.ledger, project_for(world.tmp), KEY, world.tmp / "status", PUBLISHED_AT)
    assert [p.name for p in paths] == ["revocation-1.json", "suspension-1.json"]
    for path, url, purpose in zip(paths, (REVOCATION_URL, SUSPENSION_URL), ("revocation", "suspension"), strict=True):
        doc = json.loads(path.read_text(encoding="utf-8"))
        result = proof.verify(doc)
        assert result.verified, result.reason
        assert result.controller == KEY.did_key == doc["issuer"]
        assert doc["id"] == url
        assert doc["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        assert doc["validFrom"] == "2026-01-16T09:00:00Z" and doc["proof"][0]["created"] == "2026-01-16T09:00:00Z"
        subject = doc["credentialSubject"]
        assert subject["statusPurpose"] == purpose and subject["encodedList"].startswith("u")
        bits = status.Bitstring.decode(subject["encodedList"])
        assert len(bits) == status.MIN_ENTRIES == 131_072
        expected = [int(world.rev["bob@example.org"]["doc"]["credentialStatus"]["statusListIndex"])] if purpose == "revocation" else []
        assert bits.set_indices() == expected


def test_publish_valid_for_and_ttl(world: SimpleNamespace) -> None:
    lists = publish(
        world.tmp,
        world.ledger,
        valid_until=lifecycle.valid_until_after(PUBLISHED_AT, "P7D"),
        ttl_ms=lifecycle.duration_ms("PT6H"),
    )
    doc = lists[REVOCATION_URL]
    assert doc["validUntil"] == "2026-01-23T09:00:00Z"
    assert doc["credentialSubject"]["ttl"] == 6 * 3600 * 1000
    ada = world.rev["ada@example.org"]
    assert verdict(ada, lists).verdict == "valid"
    stale = verdict(ada, lists, at=PUBLISHED_AT + timedelta(days=8))
    assert stale.verdict == "invalid" and "expired" in stale.check("status").reason
    with pytest.raises(InputError, match="must be longer than zero"):
        lifecycle.duration_ms("PT0S")


# ---------------------------------------------------------------------------------------------
# the rules of the state machine


def test_suspend_refused_for_a_revocation_only_credential(world: SimpleNamespace) -> None:
    ada = world.rev["ada@example.org"]["id"]
    for state in ("suspended", "issued"):
        [change] = lifecycle.change_status(world.ledger, [ada], state, None, "registrar")  # type: ignore[arg-type]
        assert change.outcome == "failed" and not change
        assert change.message == (
            f"{ada}: issued with a revocation-only status entry; revoke it, "
            "or issue the badge class with status_purpose: suspension"
        )
    assert world.ledger.get(ada).state == "issued"


def test_revocation_is_final_even_for_a_suspension_credential(world: SimpleNamespace) -> None:
    dee = world.sus["dee@example.org"]
    lifecycle.change_status(world.ledger, [dee["id"]], "suspended", "lapsed", "registrar")
    [revoked] = lifecycle.change_status(world.ledger, [dee["id"]], "revoked", "fraud", "registrar")
    assert revoked.outcome == "changed" and revoked.before == "suspended"
    for state in ("issued", "suspended"):
        [change] = lifecycle.change_status(world.ledger, [dee["id"]], state, "try", "registrar")  # type: ignore[arg-type]
        assert change.outcome == "failed"
        assert "revocation is final" in change.message
    # The bit stays set on the suspension list: verifiers keep rejecting it.
    report = verdict(dee, publish(world.tmp, world.ledger))
    assert report.verdict == "invalid"


def test_repeat_is_unchanged_and_unknown_ids_fail_without_stopping_the_rest(world: SimpleNamespace) -> None:
    ada, bob = world.rev["ada@example.org"]["id"], world.rev["bob@example.org"]["id"]
    lifecycle.change_status(world.ledger, [ada], "revoked", "first", "registrar")
    changes = lifecycle.change_status(
        world.ledger, [ada, "urn:uuid:00000000-0000-4000-8000-000000000000", bob, ada], "revoked", "second", "registrar"
    )
    assert [c.outcome for c in changes] == ["unchanged", "failed", "changed"]  # ada only once
    assert changes[0].message == f"{ada}: already revoked"
    assert changes[1].message == "urn:uuid:00000000-0000-4000-8000-000000000000: not in this project's ledger"
    assert world.ledger.get(bob).state == "revoked"
    dee = world.sus["dee@example.org"]["id"]
    assert lifecycle.change_status(world.ledger, [dee], "issued", None, "registrar")[0].message == f"{dee}: not suspended"


def test_events_record_reason_and_actor(world: SimpleNamespace) -> None:
    dee = world.sus["dee@example.org"]["id"]
    lifecycle.change_status(world.ledger, [dee], "suspended", "lapsed", "alice")
    lifecycle.change_status(world.ledger, [dee], "issued", "renewed", "bob")
    lifecycle.change_status(world.ledger, [dee], "revoked", "fraud", "carol")
    history = lifecycle.credential_history(world.ledger, dee)
    assert [(e.kind, e.actor, e.reason) for e in history.events] == [
        ("issued", "badgekit", None),
        ("suspended", "alice", "lapsed"),
        ("unsuspended", "bob", "renewed"),
        ("revoked", "carol", "fraud"),
    ]
    assert history.to_json()["state"] == "revoked"


def test_revocation_needs_a_reason_and_dry_run_writes_nothing(world: SimpleNamespace) -> None:
    ada = world.rev["ada@example.org"]["id"]
    with pytest.raises(InputError, match="needs a reason"):
        lifecycle.change_status(world.ledger, [ada], "revoked", "  ", "registrar")
    [change] = lifecycle.change_status(world.ledger, [ada], "revoked", "why", "registrar", dry_run=True)
    assert change.outcome == "would-change" and bool(change)
    assert world.ledger.get(ada).state == "issued"
    assert [e.kind for e in world.ledger.events(credential_id=ada)] == ["issued"]


def test_credentials_without_status_entry_or_still_reserved_are_refused(tmp_path: Path, ledger_target: Any) -> None:
    ledger = Ledger.open(ledger_target)
    roster = tmp_path / "r.csv"
    roster.write_text("email,name\nzed@example.org,Zed\n", encoding="utf-8")
    report = issue_roster(roster_path=roster, badge=badge(ACHIEVEMENT, "revocation"), issuer=ISSUER, key=KEY,
                          ledger=ledger, options=IssueOptions(out_dir=tmp_path / "out", now=NOW, revocable=False))  # not revocable
    cid = report.outcomes[0].credential_id
    [change] = lifecycle.change_status(ledger, [cid], "revoked", "why", "registrar")
    assert change.outcome == "failed" and "issued without a credentialStatus entry" in change.message

    [reserved] = ledger.reserve(
        [{"badge_id": "urn:uuid:x", "recipient_key": "k", "generation": 1, "row_fingerprint": "f", "issued_at": "2026-01-15T12:00:00Z"}],
        purpose="revocation", url_for=lambda n: f"{BASE}revocation-{n}.json",
    )
    [change] = lifecycle.change_status(ledger, [reserved.credential_id], "revoked", "why", "registrar")
    assert change.outcome == "failed" and "not issued yet" in change.message


# ---------------------------------------------------------------------------------------------
# selecting credentials


def test_select_by_id_file_email_and_badge(world: SimpleNamespace) -> None:
    ada_rev, ada_sus = world.rev["ada@example.org"], world.sus["ada@example.org"]
    bob = world.rev["bob@example.org"]
    sel = lifecycle.select_credentials(world.ledger, [ada_rev["id"], str(bob["path"]), "nonsense", ada_rev["id"]])
    assert sel.ids == (ada_rev["id"], bob["id"])
    assert sel.problems == ("nonsense: no such file, and not a credential id (urn:uuid:…)",)

    sel = lifecycle.select_credentials(world.ledger, emails=[" <ADA@Example.org> "])
    assert set(sel.ids) == {ada_rev["id"], ada_sus["id"]} and not sel.problems
    sel = lifecycle.select_credentials(world.ledger, emails=["ada@example.org"], badge_id=SUSPENDABLE["id"])
    assert sel.ids == (ada_sus["id"],)
    sel = lifecycle.select_credentials(world.ledger, [bob["id"]], emails=["nobody@example.org", "not-an-email"], badge_id=SUSPENDABLE["id"])
    assert sel.ids == ()
    assert sel.problems == (
        "not-an-email: not an email address",
        f"nobody@example.org: no credentials issued to this recipient for badge {SUSPENDABLE['id']}",
        f"{bob['id']}: a credential of badge {ACHIEVEMENT['id']}, not of {SUSPENDABLE['id']}; left alone",
    )


def test_select_from_csv(world: SimpleNamespace) -> None:
    ada, bob, cy = (world.rev[e] for e in ("ada@example.org", "bob@example.org", "cy@example.org"))
    issued = world.tmp / "out" / "issued.csv"  # what badgekit issue writes: blank ids on rejected rows
    issued.write_text(
        "line,status,credential_id,path,errors\n"
        f"2,issued,{ada['id']},x,\n3,rejected,,,score too low\n4,issued,{bob['id']},y,\n",
        encoding="utf-8",
    )
    assert lifecycle.select_credentials(world.ledger, csv_path=issued).ids == (ada["id"], bob["id"])

    emails = world.tmp / "emails.csv"
    emails.write_bytes("\ufeffE-mail;Note\r\ncy@example.org;left\r\nghost@example.org;?\r\n".encode())  # Excel: BOM, semicolons
    sel = lifecycle.select_credentials(world.ledger, csv_path=emails, badge_id=ACHIEVEMENT["id"])
    assert sel.ids == (cy["id"],)
    assert sel.problems == (f"{emails}: line 3: ghost@example.org: no credentials issued to this recipient for badge {ACHIEVEMENT['id']}",)

    bad = world.tmp / "bad.csv"
    bad.write_text("name,score\nAda,90\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv: line 1: no credential_id, id or email column"):
        lifecycle.select_credentials(world.ledger, csv_path=bad)


def test_select_from_csv_reads_encodings_as_rosters_are_read(world: SimpleNamespace) -> None:
    cy = world.rev["cy@example.org"]
    bomless = world.tmp / "unicode-text.txt"  # Excel "Unicode Text" saved without its BOM
    bomless.write_bytes("Email\tNote\r\ncy@example.org\tZoë\r\n".encode("utf-16-le"))
    assert lifecycle.select_credentials(world.ledger, csv_path=bomless, badge_id=ACHIEVEMENT["id"]).ids == (cy["id"],)
    joined = world.tmp / "joined.csv"  # a UTF-8 export and a Windows-1252 one, concatenated
    joined.write_bytes("Email,Note\ncy@example.org,José\n".encode() + "cy@example.org,Zoë\n".encode("cp1252"))
    with pytest.raises(InputError, match=r"joined.csv: mixed text encodings: line 2 is UTF-8 but line 3 is not"):
        lifecycle.select_credentials(world.ledger, csv_path=joined)


def test_select_from_csv_reads_cells_as_rosters_are_read(world: SimpleNamespace) -> None:
    """Cells as a sheet writes them: the text mark ('), zero-width and no-break spaces; a value the
    roster reader cleans was looked up as written ("'cy@example.org: no credentials issued")."""
    ada, cy = world.rev["ada@example.org"], world.rev["cy@example.org"]
    ids = world.tmp / "ids.csv"
    ids.write_text(f"credential_id\n'{ada['id']}\u200b\n", encoding="utf-8")
    assert lifecycle.select_credentials(world.ledger, csv_path=ids).ids == (ada["id"],)
    emails = world.tmp / "marked.csv"
    emails.write_text("Email\n'cy@example.org\u00a0\n", encoding="utf-8")
    sel = lifecycle.select_credentials(world.ledger, csv_path=emails, badge_id=ACHIEVEMENT["id"])
    assert (sel.ids, sel.problems) == ((cy["id"],), ())


def test_credential_id_from_a_baked_badge(world: SimpleNamespace) -> None:
    from badgekit import baking

    ada = world.rev["ada@example.org"]
    image = world.tmp / "ada.png"
    image.write_bytes(baking.bake(_tiny_png(), ada["path"].read_text(), source="test"))
    assert lifecycle.credential_id_from_file(image) == ada["id"]
    empty = world.tmp / "empty.json"
    empty.write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="empty.json: the credential has no id"):
        lifecycle.credential_id_from_file(empty)


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + chunk(
        b"IDAT", zlib.compress(b"\x00\x00")
    ) + chunk(b"IEND", b"")


# ---------------------------------------------------------------------------------------------
# publishing: summary, key checks, atomicity


def test_status_summary_counts_and_freshness(world: SimpleNamespace) -> None:
    lifecycle.init_lists(world.ledger, BASE)  # idempotent: the lists exist already
    assert [(u, p) for _, p, u, _ in world.ledger.lists()] == [(REVOCATION_URL, "revocation"), (SUSPENSION_URL, "suspension")]
    out = world.tmp / "status"
    before = lifecycle.status_summary(world.ledger, out)
    assert [(s.allocated, s.issued, s.published_path) for s in before] == [(3, 3, None), (2, 2, None)]

    lifecycle.change_status(world.ledger, [world.rev["ada@example.org"]["id"]], "revoked", "x", "r")
    lifecycle.change_status(world.ledger, [world.sus["dee@example.org"]["id"]], "suspended", "x", "r")
    publish(world.tmp, world.ledger, valid_until=PUBLISHED_AT + timedelta(days=1))
    rev, sus = lifecycle.status_summary(world.ledger, out, now=AFTER)
    assert (rev.revoked, rev.suspended, rev.set_count, rev.up_to_date) == (1, 0, 1, True)
    assert (sus.revoked, sus.suspended, sus.up_to_date, sus.published_at) == (0, 1, True, "2026-01-16T09:00:00Z")

    lifecycle.change_status(world.ledger, [world.rev["bob@example.org"]["id"]], "revoked", "x", "r")
    rev, sus = lifecycle.status_summary(world.ledger, out, now=AFTER)
    assert rev.up_to_date is False and sus.up_to_date is True
    rev, _ = lifecycle.status_summary(world.ledger, out, now=PUBLISHED_AT + timedelta(days=2))
    assert "expired at 2026-01-17T09:00:00Z" in (rev.published_problem or "")
    (out / "suspension-1.json").write_text("{not json", encoding="utf-8")
    _, sus = lifecycle.status_summary(world.ledger, out, now=AFTER)
    assert sus.up_to_date is False and "malformed JSON" in (sus.published_problem or "")
    assert json.dumps(rev.to_json())  # JSON-serialisable for --json


def test_publish_refuses_a_key_of_another_issuer(world: SimpleNamespace) -> None:
    other = Ed25519Key.from_seed(bytes(range(32)))
    with pytest.raises(KeyFileError, match=f"the signing key is {other.did_key}, but the issuer is {KEY.did_key}"):
        lifecycle.publish_lists(world.ledger, project_for(world.tmp), other, world.tmp / "status", PUBLISHED_AT)
    with pytest.raises(status.StatusListError, match="does not belong to the list's issuer"):
        lifecycle.publish_lists(world.ledger, project_for(world.tmp), other.signer(), world.tmp / "status", PUBLISHED_AT)
    assert not (world.tmp / "status").exists()


def test_a_failed_publish_leaves_the_old_lists_whole(world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    out = world.tmp / "status"
    publish(world.tmp, world.ledger)
    old = {p.name: p.read_bytes() for p in out.iterdir()}
    lifecycle.change_status(world.ledger, [world.rev["ada@example.org"]["id"]], "revoked", "x", "r")

    calls = {"n": 0}
    real_replace = os.replace

    def crash_on_second(src: Any, dst: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr("badgekit._io.os.replace", crash_on_second)
    with pytest.raises(OutputError, match=r"suspension-1\.json: cannot write \(no space left on the device\)"):
        publish(world.tmp, world.ledger, PUBLISHED_AT + timedelta(minutes=1))
    monkeypatch.undo()
    # Every file is either the old one or the new one, each whole and signed; no temp files remain.
    assert sorted(p.name for p in out.iterdir()) == ["revocation-1.json", "suspension-1.json"]
    assert (out / "suspension-1.json").read_bytes() == old["suspension-1.json"]
    for path in out.iterdir():
        assert proof.verify(json.loads(path.read_text(encoding="utf-8"))).verified
    # The ledger's "published" events were rolled back with the failed publish.
    published = [e for e in world.ledger.events() if e.kind == "published"]
    assert len(published) == 2


def test_publish_only_stale_lists_catches_up_after_a_failed_publish(world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    out, proj = world.tmp / "status", project_for(world.tmp)

    def stale(when: datetime, **kw: Any) -> list[str]:
        return [p.name for p in lifecycle.publish_lists(world.ledger, proj, KEY, out, when, only_stale=True, **kw)]

    assert stale(PUBLISHED_AT, valid_until=PUBLISHED_AT + timedelta(days=1)) == ["revocation-1.json", "suspension-1.json"]
    assert stale(AFTER) == []  # nothing changed: nothing written, no event
    assert len([e for e in world.ledger.events() if e.kind == "published"]) == 2

    # A revocation committed to the ledger whose publish then fails (disk full on the write).
    ada = world.rev["ada@example.org"]
    lifecycle.change_status(world.ledger, [ada["id"]], "revoked", "fraud", "registrar")
    monkeypatch.setattr("badgekit._io.os.replace", lambda *a: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(OutputError):
        stale(AFTER)
    monkeypatch.undo()
    assert verdict(ada, status.load_status_lists([out])).verdict == "valid"  # the published list is behind
    # Nothing new changed, yet the retry publishes the list that is behind the ledger, and only it.
    assert stale(AFTER) == ["revocation-1.json"]
    report = verdict(ada, status.load_status_lists([out]))
    assert report.verdict == "invalid" and "revoked: bit" in report.check("status").reason
    # An expired list is stale too.
    assert stale(PUBLISHED_AT + timedelta(days=2)) == ["suspension-1.json"]


def test_list_file_name() -> None:
    assert lifecycle.list_file_name("https://example.edu/status/revocation-1.json") == "revocation-1.json"
    assert lifecycle.list_file_name("https://example.edu/lists/3/") == "3.json"
    with pytest.raises(InputError):
        lifecycle.list_file_name("https://example.edu/")


# ---------------------------------------------------------------------------------------------
# verify rejects bad lists, with clear reasons


def _resigned(doc: dict[str, Any], key: Ed25519Key = KEY, **changes: Any) -> dict[str, Any]:
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    unsigned.update(changes)
    return proof.add_proof(unsigned, key.signer(), created="2026-01-16T09:00:00Z")


def test_verify_rejects_short_foreign_and_corrupt_lists(world: SimpleNamespace) -> None:
    ada = world.rev["ada@example.org"]
    good = publish(world.tmp, world.ledger)[REVOCATION_URL]
    assert verdict(ada, {REVOCATION_URL: good}).verdict == "valid"

    short_subject = dict(good["credentialSubject"], encodedList=status.Bitstring(16_384).encode())
    short = _resigned(good, credentialSubject=short_subject)
    other = Ed25519Key.from_seed(bytes(range(32)))
    foreign = _resigned(good, other, issuer=other.did_key)
    corrupt = _resigned(good, credentialSubject=dict(good["credentialSubject"], encodedList="uH4sIAAAAAAAA_not-gzip"))
    tampered = json.loads(json.dumps(good))
    tampered["credentialSubject"]["encodedList"] = status.Bitstring(131_072).encode().replace("A", "B", 1)

    cases = {
        "short": (short, "STATUS_LIST_LENGTH_ERROR: status list " + REVOCATION_URL + " has 16,384 entries, fewer than the 131,072 required"),
        "foreign": (foreign, f"signed by another issuer ({other.did_key}, the credential's is {KEY.did_key})"),
        "corrupt": (corrupt, f"MALFORMED_VALUE_ERROR: status list {REVOCATION_URL}: encodedList"),
        "tampered": (tampered, f"STATUS_VERIFICATION_ERROR: proof of status list {REVOCATION_URL} does not verify"),
    }
    for name, (bad, reason) in cases.items():
        report = verdict(ada, {REVOCATION_URL: bad})
        assert report.verdict == "invalid", name
        assert report.check("status").status == "failed", name
        assert reason in report.check("status").reason, (name, report.check("status").reason)


# ---------------------------------------------------------------------------------------------
# concurrency: two processes revoke at once, nothing is lost

_REVOKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from badgekit import lifecycle
    from badgekit.ledger import Ledger

    # Hold every write transaction open a little longer, so the two processes really contend
    # for the ledger's lock instead of finishing one after the other.
    _event = Ledger._event
    def slow_event(self, *args):
        _event(self, *args)
        time.sleep(0.002)
    Ledger._event = slow_event

    ledger_path, go, name, *ids = sys.argv[1:]
    ledger = Ledger.open(ledger_path)
    Path(go + "." + name).touch()  # ready
    while not Path(go).exists():
        time.sleep(0.001)
    started = time.time()
    changes = lifecycle.change_status(ledger, ids, "revoked", "bulk " + name, name)
    print(json.dumps({{"started": started, "ended": time.time(), "outcomes": [c.outcome for c in changes]}}))
    """
)


def test_two_concurrent_revocation_processes_lose_no_update(tmp_path: Path, ledger_target: Any) -> None:
    ledger = Ledger.open(ledger_target)
    emails = [f"learner{i}@example.org" for i in range(80)]
    issued = issue(tmp_path, ledger, badge(ACHIEVEMENT, "revocation"), emails)
    ids = [issued[e]["id"] for e in emails]
    first, second = ids[0::2], ids[1::2]  # interleaved: both processes hit the same list at once
    script = tmp_path / "revoker.py"
    script.write_text(_REVOKER.format(root=str(Path(__file__).resolve().parents[2])), encoding="utf-8")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, str(script), str(ledger_target), str(go), name, *batch],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name, batch in (("first", first), ("second", second))
    ]
    deadline = time.monotonic() + 60
    while not all(Path(f"{go}.{name}").exists() for name in ("first", "second")) and time.monotonic() < deadline:
        time.sleep(0.005)
    go.touch()  # both are ready: start them together
    runs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        runs.append(json.loads(out))
    assert all(r["outcomes"] == ["changed"] * 40 for r in runs)
    a, b = runs
    assert a["started"] < b["ended"] and b["started"] < a["ended"], "the two runs did not overlap in time"

    lists = publish(tmp_path, ledger)
    bits = status.Bitstring.decode(lists[REVOCATION_URL]["credentialSubject"]["encodedList"])
    expected = sorted(int(issued[e]["doc"]["credentialStatus"]["statusListIndex"]) for e in emails)
    assert bits.set_indices() == expected  # all 80 bits, from both processes
    revoked = [e for e in ledger.events() if e.kind == "revoked"]
    assert len(revoked) == 80 and {e.actor for e in revoked} == {"first", "second"}
    assert all(i.state == "revoked" for i in ledger.issuances())


def test_published_lists_are_reproducible(world: SimpleNamespace) -> None:
    lifecycle.change_status(world.ledger, [world.rev["cy@example.org"]["id"]], "revoked", "x", "r")
    first = {p: p.read_bytes() for p in lifecycle.publish_lists(world.ledger, project_for(world.tmp), KEY, world.tmp / "a", PUBLISHED_AT)}
    second = lifecycle.publish_lists(world.ledger, project_for(world.tmp), KEY, world.tmp / "b", PUBLISHED_AT)
    assert [p.read_bytes() for p in second] == list(first.values())


def test_project_with_did_web_signs_lists_with_its_verification_method(tmp_path: Path) -> None:
    issuer = {"id": "did:web:example.edu", "type": ["Profile"], "name": "Example University"}
    proj = replace(project_for(tmp_path), issuer=issuer, verification_method="did:web:example.edu#key-1")
    proj.did_document_path.write_text(json.dumps(did.did_web_document("did:web:example.edu", [KEY.public_key])), encoding="utf-8")
    ledger = Ledger.open(tmp_path / "web.sqlite3")
    lifecycle.init_lists(ledger, BASE, issuer["id"])
    [path, _] = lifecycle.publish_lists(ledger, proj, KEY, tmp_path / "web", PUBLISHED_AT)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["issuer"] == "did:web:example.edu"
    assert doc["proof"][0]["verificationMethod"] == "did:web:example.edu#key-1"


def test_did_web_publish_refuses_a_key_its_did_document_does_not_list(world: SimpleNamespace) -> None:
    """The lists of a did:web issuer are signed only with the key its hosted did.json lists under
    verification_method; any other key would publish lists every verifier rejects."""
    issuer = {"id": "did:web:example.edu", "type": ["Profile"], "name": "Example University"}
    proj = replace(project_for(world.tmp), issuer=issuer, verification_method="did:web:example.edu#key-1")
    with pytest.raises(KeyFileError, match="did.json: no such file: the DID document of did:web:example.edu"):
        lifecycle.publish_lists(world.ledger, proj, KEY, world.tmp / "web", PUBLISHED_AT)
    other = Ed25519Key.from_seed(bytes(range(32)))
    proj.did_document_path.write_text(json.dumps(did.did_web_document("did:web:example.edu", [other.public_key])), encoding="utf-8")
    with pytest.raises(KeyFileError, match=f"did:web:example.edu#key-1 in the DID document of did:web:example.edu is another key than {KEY.did_key}"):
        lifecycle.publish_lists(world.ledger, proj, KEY, world.tmp / "web", PUBLISHED_AT)
    with pytest.raises(KeyFileError, match="did:web:example.edu#key-2 is not listed in the DID document"):
        lifecycle.publish_lists(world.ledger, replace(proj, verification_method="did:web:example.edu#key-2"), other, world.tmp / "web", PUBLISHED_AT)
    assert not (world.tmp / "web").exists()
    lifecycle.publish_lists(world.ledger, proj, other, world.tmp / "web", PUBLISHED_AT)  # the key it lists


# ---------------------------------------------------------------------------------------------
# two separate ledgers under one status list URL (issue 15): publishing must not erase the other's bits


def _second_ledger(tmp: Path) -> tuple[Ledger, dict[str, dict[str, Any]]]:
    other = tmp / "other-project"
    other.mkdir()
    ledger = Ledger.open(other / "ledger.sqlite3")
    return ledger, issue(other, ledger, badge(ACHIEVEMENT, "revocation"), ["eve@example.org", "fay@example.org"], seed=11)


def test_publish_refuses_to_erase_revocations_another_ledger_published(world: SimpleNamespace) -> None:
    lifecycle.change_status(world.ledger, [world.rev["ada@example.org"]["id"]], "revoked", "left", "registrar")
    shared = world.tmp / "status"
    [first_revocation, _] = lifecycle.publish_lists(world.ledger, project_for(world.tmp), KEY, shared, PUBLISHED_AT)
    before = first_revocation.read_bytes()

    other, creds = _second_ledger(world.tmp)
    try:
        lifecycle.change_status(other, [creds["eve@example.org"]["id"]], "revoked", "left", "registrar")
        with pytest.raises(lifecycle.ForeignBitsError) as caught:
            lifecycle.publish_lists(other, project_for(world.tmp / "other-project"), KEY, shared, AFTER)
        ada_index = world.rev["ada@example.org"]["doc"]["credentialStatus"]["statusListIndex"]
        assert f"{first_revocation}: the revocation list {REVOCATION_URL} has 1 bit(s) this ledger did not set (index {ada_index})" in caught.value.message
        assert first_revocation.read_bytes() == before  # nothing written: ada's revocation is still published
        # the same refusal when the hosted copy is in the verification cache rather than the folder
        cache_root = world.tmp / "cache"
        cache.add(first_revocation, root=cache_root)
        with pytest.raises(lifecycle.ForeignBitsError, match="the cached copy of"):
            lifecycle.publish_lists(other, project_for(world.tmp / "other-project"), KEY, world.tmp / "elsewhere", AFTER,
                                    cache_root=cache_root)
        assert not (world.tmp / "elsewhere").exists()
    finally:
        other.close()


def test_publish_replaces_its_own_lists_and_cleared_suspensions(world: SimpleNamespace) -> None:
    dee = world.sus["dee@example.org"]
    lifecycle.change_status(world.ledger, [dee["id"]], "suspended", "lapsed", "registrar")
    lifecycle.change_status(world.ledger, [world.rev["bob@example.org"]["id"]], "revoked", "left", "registrar")
    publish(world.tmp, world.ledger)
    lifecycle.change_status(world.ledger, [dee["id"]], "issued", "renewed", "registrar")
    lists = publish(world.tmp, world.ledger, AFTER)  # the suspension bit is cleared: this ledger set it
    assert status.Bitstring.decode(lists[SUSPENSION_URL]["credentialSubject"]["encodedList"]).set_indices() == []

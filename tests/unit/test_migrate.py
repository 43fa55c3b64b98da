"""badgekit.migrate: what an OB 2.0 assertion becomes (badge class, roster row), and what is refused."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit import badgeclass, migrate, ob2
from badgekit.errors import InputError
from badgekit.roster import Row, parse_row
from tests.invalid.ob2 import make_invalid_ob2 as MI

AT = datetime(2026, 1, 15, 12, tzinfo=UTC)
DOCS = ob2.Documents(MI.documents_by_id())


def plan_one(tmp_path: Path, text: str | bytes, name: str = "a.jws", **kw) -> migrate.MigrationPlan:  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return migrate.plan_migration([path], documents=kw.pop("documents", DOCS), at=AT, **kw)


def test_a_signed_assertion_becomes_a_badge_class_and_a_row(tmp_path):
    plan = plan_one(tmp_path, MI.valid_signed())
    (outcome,) = plan.outcomes
    assert (outcome.status, outcome.verified, outcome.assertion_id) == ("migrate", True, MI.SIGNED_ID)
    (badge,) = plan.badges
    assert badge.id == f"urn:uuid:{uuid.uuid5(migrate.NAMESPACE, MI.BADGE_ID)}"  # the same on every run
    assert badgeclass.check_document(badge.document) == []
    assert badge.document["criteria"] == {"narrative": "Complete a team project."}
    assert badge.document["creator"] == {"id": MI.ISSUER_ID, "type": ["Profile"], "name": "Example Issuer"}
    ((index, row),) = badge.rows
    assert index == 0 and row == {
        "identity_hash": MI.identity()["identity"], "identity_salt": "deadsea", "identity_type": "emailAddress",
        "earned": "2025-01-01T00:00:00Z", "narrative": "Completed the team project with distinction.",
        "evidence_url": "https://portfolio.example.com/a/teamwork", "evidence_narrative": "Led the group project.",
        "migrated_from": MI.SIGNED_ID}
    # the row reads back as a roster row, its recipient keyed by the identity carried over
    record, errors = parse_row(Row(2, row))
    assert errors == [] and record.recipient_key == f"identity:emailAddress${MI.identity()['identity']}$deadsea"


@pytest.mark.parametrize("recipient, kept", [
    ({"type": "email", "hashed": False, "identity": "ann@example.org"}, {"email": "ann@example.org"}),
    ({"type": "url", "hashed": False, "identity": "https://ann.example.org/"}, {"recipient_id": "https://ann.example.org/"}),
    ({"type": "url", "hashed": True, "salt": "s", "identity": "md5$" + "a" * 32},
     {"identity_hash": "md5$" + "a" * 32, "identity_salt": "s", "identity_type": "ext:url"}),
])
def test_recipients_as_ob3_names_them(tmp_path, recipient, kept):
    plan = plan_one(tmp_path, MI.jws(MI.assertion(recipient=recipient)))
    ((_, row),) = plan.badges[0].rows
    assert {k: row[k] for k in kept} == kept


@pytest.mark.parametrize("change, reason", [
    ({"recipient": {"type": "telephone", "hashed": False, "identity": "+15551234"}}, "a plaintext telephone recipient"),
    ({"recipient": {"type": "email", "hashed": True, "salt": " x", "identity": MI.identity()["identity"]}},
     "salt has surrounding spaces"),
    ({"evidence": [f"https://e.example/{n}" for n in range(11)]}, "11 evidence entries: a roster carries at most 9"),
])
def test_what_cannot_be_carried_unchanged_is_refused_with_its_reason(tmp_path, change, reason):
    (outcome,) = plan_one(tmp_path, MI.jws(MI.assertion(**change))).outcomes
    assert outcome.status == "not-migrated" and reason in (outcome.reason or "")


def test_an_expired_assertion_verified_at_an_earlier_time_is_still_refused(tmp_path):
    text = MI.jws(MI.assertion(expires="2025-06-01T00:00:00Z"))
    path = tmp_path / "a.jws"
    path.write_text(text)
    plan = migrate.plan_migration([path], documents=DOCS, at=datetime(2025, 3, 1, tzinfo=UTC))
    assert plan.outcomes[0].reason == "expired on 2025-06-01T00:00:00Z: a credential issued now would never be valid"


def test_a_missing_badge_class_stops_even_an_unverified_migration(tmp_path):
    docs = ob2.Documents({k: v for k, v in DOCS.by_url.items() if k != MI.BADGE_ID})
    (outcome,) = plan_one(tmp_path, MI.valid_signed(), documents=docs, trust_unverified=True).outcomes
    assert outcome.reason == (f"its BadgeClass {MI.BADGE_ID} is not supplied: its name and criteria are needed "
                              "(--ob2-doc)")


def test_an_ob3_credential_and_other_files_are_not_migrated(tmp_path):
    (tmp_path / "x.json").write_text('{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"]}')
    (tmp_path / "y.json").write_text("{")
    plan = migrate.plan_migration([tmp_path], documents=DOCS, at=AT)
    assert [o.reason for o in plan.outcomes] == [
        "an Open Badges 3.0 credential already: nothing to migrate",
        f"not an Open Badges 2.0 badge: {tmp_path / 'y.json'}: malformed JSON at line 1, column 2: Expecting property "
        "name enclosed in double quotes"]


def test_write_keeps_an_edited_badge_class_and_never_overwrites_another(tmp_path):
    plan = plan_one(tmp_path, MI.valid_signed())
    (written,) = migrate.write_migration(plan, tmp_path / "m")
    edited = written.badge_path.read_text().replace("Works well in a team.", "Edited.")
    written.badge_path.write_text(edited)
    migrate.write_migration(plan, tmp_path / "m")
    assert written.badge_path.read_text() == edited
    rows = list(csv.DictReader(io.StringIO(written.roster_path.read_text())))
    assert [r["migrated_from"] for r in rows] == [MI.SIGNED_ID] and written.lines == (2,)
    written.badge_path.write_text(edited.replace(plan.badges[0].id, "urn:uuid:00000000-0000-4000-8000-000000000000"))
    with pytest.raises(InputError, match="is another badge class"):
        migrate.write_migration(plan, tmp_path / "m")

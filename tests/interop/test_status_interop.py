"""Status lists published by badgekit, read by an independent implementation.

badgekit issues credentials, revokes or suspends some of them, publishes the lists, and the
Digital Bazaar stack (``@digitalbazaar/vc-bitstring-status-list`` via ``dbstack.mjs``) checks
every credential against the published files: it must verify each list's proof, and its verdict
on each status bit must agree with badgekit's own verifier.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from badgekit import lifecycle, status, verify
from badgekit.ledger import Ledger
from tests.interop import dbstack
from tests.unit.test_lifecycle import ACHIEVEMENT, SUSPENDABLE, badge, issue, project_for

pytestmark = pytest.mark.interop

PUBLISHED_AT = datetime(2026, 1, 16, 9, 0, tzinfo=UTC)
CHECK_AT = PUBLISHED_AT + timedelta(hours=1)


@pytest.fixture
def published(tmp_path: Path) -> SimpleNamespace:
    dbstack.require()
    ledger = Ledger.open(tmp_path / "ledger.sqlite3")
    rev = issue(tmp_path, ledger, badge(ACHIEVEMENT, "revocation"), [f"r{i}@example.org" for i in range(6)])
    sus = issue(tmp_path, ledger, badge(SUSPENDABLE, "suspension"), [f"s{i}@example.org" for i in range(4)], seed=8)
    revoked = [rev["r0@example.org"], rev["r3@example.org"], sus["s2@example.org"]]
    suspended = [sus["s0@example.org"], sus["s1@example.org"]]
    unsuspended = sus["s1@example.org"]
    lifecycle.change_status(ledger, [c["id"] for c in revoked], "revoked", "interop", "test")
    lifecycle.change_status(ledger, [c["id"] for c in suspended], "suspended", "interop", "test")
    lifecycle.change_status(ledger, [unsuspended["id"]], "issued", "interop", "test")
    paths = lifecycle.publish_lists(ledger, project_for(tmp_path), _key(), tmp_path / "status", PUBLISHED_AT)
    ledger.close()
    expected = {}
    for cred in [*rev.values(), *sus.values()]:
        purpose = cred["doc"]["credentialStatus"]["statusPurpose"]
        if cred in revoked:
            expected[cred["id"]] = purpose  # a revoked suspension credential: its suspension bit stays set
        elif cred in suspended and cred is not unsuspended:
            expected[cred["id"]] = "suspension"
        else:
            expected[cred["id"]] = None
    creds = [*rev.values(), *sus.values()]
    return SimpleNamespace(creds=creds, expected=expected, paths=paths, lists=status.load_status_lists(paths))


def _key():  # the fixed test key the credentials were issued with
    from tests.unit.test_issuing import KEY

    return KEY


def test_js_verifier_agrees_on_revoked_suspended_and_valid(published: SimpleNamespace) -> None:
    urls = {json.loads(p.read_text())["id"]: p for p in published.paths}
    results = dbstack.verify(
        [c["path"] for c in published.creds],
        now=CHECK_AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
        check_status=True,
        status_lists=urls,
    )
    assert sum(1 for v in published.expected.values() if v == "revocation") == 2
    assert sum(1 for v in published.expected.values() if v == "suspension") == 2
    for cred, js in zip(published.creds, results, strict=True):
        expected = published.expected[cred["id"]]
        # JS: the proofs of the credential and of its list verify, and the status was checked.
        assert js["verified"], (cred["id"], js["errors"])
        assert js["statusChecked"], (cred["id"], js["errors"])
        purpose = cred["doc"]["credentialStatus"]["statusPurpose"]
        js_set = js["revoked"] if purpose == "revocation" else js["suspended"]
        assert bool(js_set) == (expected is not None), (cred["id"], expected, js)
        # badgekit agrees, bit for bit.
        ours = verify.verify_credential(cred["doc"], options=verify.VerifyOptions(at=CHECK_AT, status_lists=published.lists))
        if expected is None:
            assert ours.verdict == "valid", ours.to_dict()
        else:
            assert ours.verdict == "invalid" and ("revoked" if expected == "revocation" else "suspended") in ours.check("status").reason


def test_js_verifier_rejects_a_list_signed_by_another_issuer(published: SimpleNamespace, tmp_path: Path) -> None:
    from badgekit import proof
    from badgekit.keys import Ed25519Key

    other = Ed25519Key.from_seed(bytes(range(32)))
    cred = published.creds[1]  # a not-revoked revocation credential
    url = cred["doc"]["credentialStatus"]["statusListCredential"]
    good = published.lists[url]
    forged = proof.add_proof(
        {**{k: v for k, v in good.items() if k != "proof"}, "issuer": other.did_key}, other.signer(), created="2026-01-16T09:00:00Z"
    )
    [js] = dbstack.verify([cred["path"]], now=CHECK_AT.strftime("%Y-%m-%dT%H:%M:%SZ"), check_status=True, status_lists={url: forged})
    assert not js["statusChecked"] and not js["verified"]
    assert "issuer" in " ".join(js["errors"]).lower(), js["errors"]
    ours = verify.verify_credential(cred["doc"], options=verify.VerifyOptions(at=CHECK_AT, status_lists={url: forged}))
    assert ours.verdict == "invalid" and "signed by another issuer" in ours.check("status").reason


def test_two_projects_on_one_postgresql_ledger_publish_a_list_the_js_verifier_reads_whole(tmp_path: Path, postgres_url: str) -> None:
    """Issue 15: two projects of one issuer share a PostgreSQL ledger; the list either publishes holds
    both projects' revocations, and the independent stack agrees on every credential of both."""
    dbstack.require()
    a_root, b_root = tmp_path / "department-a", tmp_path / "department-b"
    a_root.mkdir()
    b_root.mkdir()
    with Ledger.open(postgres_url) as a, Ledger.open(postgres_url) as b:
        creds_a = issue(a_root, a, badge(ACHIEVEMENT, "revocation"), [f"a{i}@example.org" for i in range(3)])
        creds_b = issue(b_root, b, badge(ACHIEVEMENT, "revocation"), [f"b{i}@example.org" for i in range(3)], seed=9)
        revoked = {creds_a["a1@example.org"]["id"], creds_b["b2@example.org"]["id"]}
        lifecycle.change_status(a, [creds_b["b2@example.org"]["id"]], "revoked", "interop", "department a")
        lifecycle.change_status(b, [creds_a["a1@example.org"]["id"]], "revoked", "interop", "department b")
        paths = lifecycle.publish_lists(b, project_for(b_root), _key(), b_root / "status", PUBLISHED_AT)
    urls = {json.loads(p.read_text())["id"]: p for p in paths}
    creds = [*creds_a.values(), *creds_b.values()]
    assert len({c["doc"]["credentialStatus"]["statusListIndex"] for c in creds}) == 6  # one list, no index twice
    results = dbstack.verify([c["path"] for c in creds], now=CHECK_AT.strftime("%Y-%m-%dT%H:%M:%SZ"), check_status=True,
                             status_lists=urls)
    for cred, js in zip(creds, results, strict=True):
        assert js["verified"] and js["statusChecked"], (cred["id"], js["errors"])
        assert bool(js["revoked"]) == (cred["id"] in revoked), (cred["id"], js)

"""The interop helper itself: a missing JS stack skips, or fails under BADGEKIT_REQUIRE_INTEROP=1."""

from __future__ import annotations

import pytest

from tests.interop import dbstack


def _missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbstack, "unavailable_reason", lambda: "npm packages missing (test)")


def test_missing_stack_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch)
    monkeypatch.delenv(dbstack.REQUIRE_ENV, raising=False)
    assert not dbstack.available()
    with pytest.raises(pytest.skip.Exception, match="npm packages missing"):
        dbstack.verify(["credential.json"])


def test_missing_stack_fails_when_interop_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch)
    monkeypatch.setenv(dbstack.REQUIRE_ENV, "1")
    with pytest.raises(
        pytest.fail.Exception, match="BADGEKIT_REQUIRE_INTEROP=1 .*npm packages missing"
    ):
        dbstack.sign({"@context": []}, bytes(32))


def test_bad_arguments_are_rejected_before_node_runs() -> None:
    with pytest.raises(ValueError, match="ob_context_revision"):
        dbstack.verify(["x.json"], ob_context_revision="2023")
    with pytest.raises(ValueError, match="32 bytes"):
        dbstack.sign({}, b"short")


@pytest.mark.interop
def test_node_usage_errors_raise(tmp_path) -> None:
    dbstack.require()
    with pytest.raises(dbstack.DbStackError, match="unknown option"):
        dbstack._run(["verify", "--no-such-option", str(tmp_path / "x.json")])


@pytest.mark.interop
def test_unreadable_file_is_a_failed_result_not_an_error(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    [result] = dbstack.verify([bad])
    assert result["verified"] is False and result["error"].startswith("cannot read")
    assert result["file"] == str(bad.resolve())


@pytest.mark.interop
def test_loader_refuses_unknown_urls() -> None:
    doc = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://contexts.example.org/unknown.jsonld",
        ],
        "type": ["VerifiableCredential"],
        "issuer": "did:key:z6MkfVKJiP53jsE2ksknzCT5CsdXZ6SSDJKUSzMV1NgMhZLx",
        "credentialSubject": {"id": "did:example:1"},
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-01-15T12:00:00Z",
            "verificationMethod": "did:key:z6MkfVKJiP53jsE2ksknzCT5CsdXZ6SSDJKUSzMV1NgMhZLx#z6MkfVKJiP53jsE2ksknzCT5CsdXZ6SSDJKUSzMV1NgMhZLx",
            "proofPurpose": "assertionMethod",
            "proofValue": "z" + "1" * 86,
        },
    }
    [result] = dbstack.verify_documents([doc])
    assert not result["verified"]
    assert "refusing to load https://contexts.example.org/unknown.jsonld" in result["error"]

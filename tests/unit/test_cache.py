"""badgekit.cache: the local store of DID documents and status lists that verify reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from badgekit import cache
from badgekit.did import did_web_document
from badgekit.keys import Ed25519Key
from badgekit.status import Bitstring, list_credential, sign_list_credential

KEY = Ed25519Key.from_seed(bytes(range(32)))
WHEN = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
LIST_URL = "https://example.edu/status/revocation-1.json"


def _write(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc))
    return path


def _did_doc() -> dict:
    return did_web_document("did:web:example.edu", [KEY.public_key])


def _status_list() -> dict:
    cred = list_credential(LIST_URL, "revocation", Bitstring(), issuer=KEY.did_key, valid_from="2026-01-01T00:00:00Z")
    return sign_list_credential(cred, KEY.signer(), created="2026-01-01T00:00:00Z")


def test_cache_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BADGEKIT_CACHE_DIR", str(tmp_path / "explicit"))
    assert cache.cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("BADGEKIT_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "badgekit"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "badgekit"


def test_add_then_load_gives_verify_its_documents_by_id(tmp_path):
    root = tmp_path / "cache"
    did_entry = cache.add(_write(tmp_path / "did.json", _did_doc()), root=root, now=WHEN)
    list_entry = cache.add(_write(tmp_path / "list.json", _status_list()), root=root, now=WHEN)
    revoked = _write(tmp_path / "revocations.json", {"revokedCredential": [{"id": "urn:uuid:1"}]})
    rl_entry = cache.add(revoked, url="https://example.edu/revocations", root=root, now=WHEN)
    assert (did_entry.kind, did_entry.id) == ("did-document", "did:web:example.edu")
    assert (list_entry.kind, list_entry.id) == ("status-list", LIST_URL)
    assert rl_entry.kind == "revocation-list" and rl_entry.added == "2026-01-15T12:00:00Z"
    contents = cache.load(root=root)
    assert set(contents.did_documents) == {"did:web:example.edu"}
    assert set(contents.status_lists) == {LIST_URL, "https://example.edu/revocations"}
    assert contents.provenance()[LIST_URL] == "cached 2026-01-15"
    assert contents.skipped == ()


def test_adding_again_replaces_the_entry(tmp_path):
    root = tmp_path / "cache"
    first = _status_list()
    cache.add(_write(tmp_path / "a.json", first), root=root, now=WHEN)
    second = {**first, "validUntil": "2027-01-01T00:00:00Z"}
    cache.add(_write(tmp_path / "b.json", second), root=root, now=WHEN)
    found = list(cache.entries(root=root))
    assert len(found) == 1 and found[0].document["validUntil"] == "2027-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "not a JSON object"),
        ({"id": "did:web:example.edu"}, "nothing to cache"),  # no keys
        ({"type": ["VerifiableCredential", "BitstringStatusListCredential"]}, "needs its URL"),
        ({"revokedCredential": []}, "URL=FILE"),
        ({"@context": [], "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:x"}, "nothing to cache"),
    ],
)
def test_add_refuses_what_verify_cannot_use(tmp_path, doc, message):
    with pytest.raises(cache.CacheError, match=message):
        cache.add(_write(tmp_path / "x.json", doc), root=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_revocation_list_url_must_be_a_url_and_file_a_revocation_list(tmp_path):
    f = _write(tmp_path / "r.json", {"revokedCredential": []})
    with pytest.raises(cache.CacheError, match="not a URL"):
        cache.add(f, url="revocations", root=tmp_path)
    with pytest.raises(cache.CacheError, match="1EdTechRevocationList"):
        cache.add(_write(tmp_path / "d.json", _did_doc()), url="https://example.edu/r", root=tmp_path)


def test_damaged_entries_are_skipped_and_reported_never_fatal(tmp_path):
    root = tmp_path / "cache"
    good = cache.add(_write(tmp_path / "did.json", _did_doc()), root=root, now=WHEN)
    (root / "did-document" / "garbage.json").write_text("{not json")
    renamed = root / "status-list" / "0000.json"
    renamed.parent.mkdir()
    renamed.write_text(json.dumps({"kind": "status-list", "id": LIST_URL, "added": "x", "source": "y",
                                   "document": _status_list()}))
    swapped = json.loads(good.path.read_text())
    swapped["document"]["id"] = "did:web:evil.example"  # an entry claiming another id than it holds
    (root / "did-document" / "1111.json").write_text(json.dumps(swapped))
    contents = cache.load(root=root)
    assert list(contents.did_documents) == ["did:web:example.edu"] and not contents.status_lists
    assert len(contents.skipped) == 3
    assert any("malformed JSON" in s for s in contents.skipped)
    assert any("wrong name" in s for s in contents.skipped)


def test_remove_and_clear(tmp_path):
    root = tmp_path / "cache"
    cache.add(_write(tmp_path / "did.json", _did_doc()), root=root)
    cache.add(_write(tmp_path / "list.json", _status_list()), root=root)
    with pytest.raises(cache.CacheError, match="nothing is cached"):
        cache.remove("did:web:other.example", root=root)
    assert [e.id for e in cache.remove("did:web:example.edu", root=root)] == ["did:web:example.edu"]
    assert [e.id for e in cache.entries(root=root)] == [LIST_URL]
    assert cache.clear(root=root) == 1 and list(cache.entries(root=root)) == []
    assert cache.clear(root=tmp_path / "never-made") == 0

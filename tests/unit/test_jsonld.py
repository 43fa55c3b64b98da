from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from badgekit import jsonld
from badgekit.errors import DocumentLoaderError, JsonLdError, LimitExceeded
from tests.conftest import VECTORS, load_vector

SHARED_INDEX = json.loads((resources.files("badgekit.data") / "contexts" / "index.json").read_text())


def test_every_indexed_context_is_pinned_and_matches_its_digest():
    assert set(SHARED_INDEX) == set(jsonld.PINNED_CONTEXTS)
    for url, (filename, digest) in jsonld.PINNED_CONTEXTS.items():
        assert SHARED_INDEX[url] == filename
        raw = (resources.files("badgekit.data") / "contexts" / filename).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == digest
        assert jsonld.bundled_context(url) == json.loads(raw)


def test_loader_refuses_unknown_urls_naming_them():
    with pytest.raises(DocumentLoaderError, match="https://evil.example/ctx"):
        jsonld.DEFAULT_LOADER("https://evil.example/ctx")


def test_remote_context_in_document_is_refused_by_name():
    doc = load_vector("w3c-vc-di-eddsa/unsigned.json")
    doc["@context"].append("https://example.com/extra-context.jsonld")
    with pytest.raises(DocumentLoaderError, match="https://example.com/extra-context.jsonld"):
        jsonld.canonize(doc)


def test_user_added_context_is_served_but_cannot_replace_a_pinned_one():
    extra = {"https://example.com/ctx": {"@context": {"nickname": "https://schema.org/alternateName"}}}
    loader = jsonld.DocumentLoader(extra)
    doc = {"@context": ["https://example.com/ctx"], "@id": "urn:x:1", "nickname": "Bo"}
    assert jsonld.canonize(doc, loader=loader) == '<urn:x:1> <https://schema.org/alternateName> "Bo" .\n'
    with pytest.raises(DocumentLoaderError, match="cannot be replaced"):
        jsonld.DocumentLoader({jsonld.VC_V2: {}})


def test_safe_mode_rejects_dropped_properties_and_types():
    doc = load_vector("1edtech-validator-ob30/simple_v1.json")  # VC 1.1 context has no @vocab
    doc.pop("proof")
    jsonld.canonize(doc)
    with pytest.raises(JsonLdError, match="'favouriteColour' is not defined"):
        jsonld.canonize({**doc, "favouriteColour": "blue"})
    with pytest.raises(JsonLdError, match="type 'MadeUpType'"):
        jsonld.canonize({**doc, "type": [*doc["type"], "MadeUpType"]})


def test_safe_mode_rejects_relative_ids():
    doc = load_vector("w3c-vc-di-eddsa/unsigned.json")
    with pytest.raises(JsonLdError, match="relative IRI"):
        jsonld.canonize({**doc, "id": "not-absolute"})


def test_n_quads_that_do_not_parse_back_are_a_json_ld_error():
    # Found by scripts/fuzz_verify.py: an IRI holding a line break (JSON allows it) breaks its
    # N-Quads line; ecdsa-sd-2023 reads them back, and PyLD's ParserError escaped.
    with pytest.raises(JsonLdError, match="cannot be read back as N-Quads"):
        jsonld.canonize_nquads("<urn:x\n> <https://schema.org/name> \"a\" .\n")


def test_a_relative_context_url_is_a_json_ld_error():
    # Found by scripts/fuzz_verify.py: a status list whose @context is "DataIntegrityProof" made
    # PyLD raise a bare ValueError while its proof was checked.
    with pytest.raises(JsonLdError, match="relative IRI 'DataIntegrityProof'"):
        jsonld.canonize({"@context": "DataIntegrityProof", "id": "urn:x"})


def test_json_ld_pyld_cannot_process_is_a_json_ld_error():
    # Found by scripts/fuzz_verify.py: "@set" inside a proof made PyLD's toRdf raise TypeError
    # (a status list's proof check then failed with "could not process", an internal error).
    doc = {"@context": [jsonld.VC_V2], "type": ["VerifiableCredential"],
           "proof": [{"type": "DataIntegrityProof", "@set": [], "proofPurpose": "assertionMethod"}]}
    with pytest.raises(JsonLdError, match=r"not valid JSON-LD \(TypeError"):
        jsonld.canonize_reference(doc)


def test_a_node_described_with_members_left_out_is_refused():
    # Found by scripts/fuzz_verify.py: the issuer's name deleted, kept in the achievement's
    # creator (the same id): JSON-LD merges both, so the signature still verified.
    issuer = {"id": "did:example:i", "type": ["Profile"], "name": "Example University", "url": "https://example.edu"}
    doc = {"issuer": {**issuer}, "credentialSubject": {"achievement": {"creator": {**issuer}}}}
    assert jsonld.described_twice_problem(doc) is None
    doc["issuer"].pop("name")
    assert "$.issuer describes 'did:example:i' without name that $.credentialSubject.achievement.creator gives it" in (
        jsonld.described_twice_problem(doc) or "")
    # A reference (id, and type) is no description, but the issuer's (what a reader shows) is;
    # two different views of one node are not refused.
    doc["issuer"] = {"id": "did:example:i", "type": ["Profile"]}
    assert "without name, url" in (jsonld.described_twice_problem(doc) or "")
    doc["issuer"], doc["credentialSubject"]["achievement"]["creator"] = issuer, {"id": "did:example:i", "type": ["Profile"]}
    # A creator given by its id and type beside a full issuer is a reference (as credentials
    # other issuers sign write it), not a description with members left out.
    assert jsonld.described_twice_problem(doc) is None
    doc["issuer"] = {"id": "did:example:i", "type": ["Profile"], "email": "a@example.edu"}
    assert jsonld.described_twice_problem(doc) is None


def test_poison_graph_is_refused_quickly():
    # Many blank nodes that all look alike: RDFC-1.0's worst case.
    nodes = [{"@id": f"_:b{i}", "http://ex.org/p": [{"@id": f"_:b{(i + 1) % 60}"}, {"@id": f"_:b{(i + 7) % 60}"}]} for i in range(60)]
    doc = {"@graph": nodes}
    import time

    start = time.perf_counter()
    with pytest.raises(LimitExceeded, match="poison|blank nodes"):
        jsonld.canonize(doc, max_work=2_000)
    assert time.perf_counter() - start < 10


def test_undefined_term_in_an_ob_credential_is_refused():
    # The OB 3.0 context (unlike bare VC 2.0, whose @vocab catches everything) leaves an
    # undefined term unmapped: it would not be signed, so safe mode refuses it.
    doc = load_vector("1edtech-validator-ob30/simple.json")
    doc.pop("proof")
    jsonld.canonize(doc)
    with pytest.raises(JsonLdError, match="'favouriteColour' is not defined"):
        jsonld.canonize({**doc, "favouriteColour": "blue"})


def test_no_vector_needs_a_context_we_do_not_bundle():
    for path in VECTORS.rglob("*.json"):
        if path.is_relative_to(VECTORS / "ob2"):
            continue  # Open Badges 2.0 documents are read as plain JSON, never expanded (badgekit.ob2)
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            continue
        ctx = doc.get("@context") if isinstance(doc, dict) else None
        for url in ctx if isinstance(ctx, list) else [ctx] if isinstance(ctx, str) else []:
            if isinstance(url, str) and "citizenship" not in url:
                assert jsonld.DEFAULT_LOADER.knows(url), (path, url)

"""badgekit._identity: the one IdentityObject matcher (verify --recipient and bundling use it)."""

from __future__ import annotations

import hashlib

import pytest

from badgekit import _identity, credential, delivery

# OB 3.0 IdentityHash vector (SPEC (a)): identityHash of "a@example.com" with salt "Kosher".
A_HASH = "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"


def test_the_spec_vector_matches():
    ident = {"identityHash": A_HASH, "identityType": "emailAddress", "hashed": True, "salt": "Kosher"}
    assert _identity.matches(ident, ["a@example.com"])
    assert not _identity.matches(ident, ["b@example.com"])


def test_what_badgekit_issues_matches_with_its_salt():
    ident = credential.identity_object("ada@example.org", "emailAddress", "s4lt")
    assert _identity.matches(ident, ["nobody@example.org", "ada@example.org"])
    assert not _identity.matches({**ident, "salt": "other"}, ["ada@example.org"])


def test_md5_and_upper_case_hex_are_read():
    digest = hashlib.md5(b"ada@example.orgs", usedforsecurity=False).hexdigest().upper()
    assert _identity.matches({"identityHash": f"md5${digest}", "salt": "s"}, ["ada@example.org"])


@pytest.mark.parametrize(
    ("ident", "hashed"),
    [({"identityHash": A_HASH}, True), ({"identityHash": "ada@example.org"}, False),
     ({"identityHash": A_HASH, "hashed": False}, False), ({"identityHash": "x", "hashed": "true"}, False)],
)
def test_hashed_is_the_flag_or_the_shape(ident, hashed):
    assert _identity.is_hashed(ident) is hashed


def test_plaintext_compares_trimmed_values_or_with_the_callers_rule():
    ident = {"identityHash": " Ada@Example.org ", "hashed": False}
    assert _identity.matches(ident, ["Ada@Example.org"])
    assert not _identity.matches(ident, ["ada@example.org"])
    assert _identity.matches(ident, ["ada@example.org"], same=lambda a, b: a.lower() == b.lower())


@pytest.mark.parametrize("ident", [{}, {"identityHash": 5}, {"identityHash": "sha256$zz", "hashed": True},
                                   {"identityHash": A_HASH, "salt": 7}])
def test_malformed_identifiers_match_nothing(ident):
    assert not _identity.matches(ident, ["a@example.com"])


def test_bundling_matches_a_plaintext_identifier_too():
    # Before: bundling hashed every identifier, so a plaintext one (hashed: false) never matched.
    cred = {"credentialSubject": {"identifier": [{"identityHash": "S-042", "identityType": "studentId",
                                                  "hashed": False}]}}
    rows = [({"student_id": "S-041"}, "Bob"), ({"student_id": "S-042"}, "Ada")]
    assert delivery.match_recipient(cred, rows) == "Ada"

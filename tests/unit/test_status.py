"""Bitstring Status List 1.0: encoding, W3C/1EdTech vectors, building lists, checking status."""

from __future__ import annotations

import base64
import copy
import json
import re
import struct
import time
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from badgekit import did, proof
from badgekit.errors import InputError
from badgekit.keys import Ed25519Key
from badgekit.status import (
    MIN_ENTRIES,
    Bitstring,
    StatusCheck,
    StatusListError,
    check_status,
    list_credential,
    load_status_lists,
    sign_list_credential,
    status_entry,
)
from tests.conftest import VECTORS, load_vector

KEY = Ed25519Key.from_seed(bytes(range(32)))
ISSUER = KEY.did_key
OTHER_KEY = Ed25519Key.from_seed(bytes(range(1, 33)))
NOW = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)
CREATED = "2025-06-01T00:00:00Z"
REVOCATION_URL = "https://example.edu/status/revocation/1"
SUSPENSION_URL = "https://example.edu/status/suspension/1"

W3C_ZERO_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
#: badgekit's encoding of 131,072 zero bits: same deflate body as W3C's, gzip OS byte 0xff.
ZERO_LIST = "uH4sIAAAAAAAA_-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"

EDTECH_DIR = "1edtech-validator-ob30/bit-string-list"
EDTECH_LIST_URL = (
    "https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/refs/heads/main/"
    "inspector-vc/src/test/resources/ob30/bit-string-list/testlist"
)


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _gzip_bomb(gib: int = 1) -> str:
    """A gzip stream that claims ``gib`` GiB of zeros, built without producing them: one
    independent (fully flushed) deflate block of 1 MiB of zeros repeated; CRC and length are
    never reached by a bounded decoder."""
    co = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = co.compress(bytes(1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    final = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    gz = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + block * (1024 * gib) + final + struct.pack("<II", 0, 0)
    return "u" + _b64u(gz)


# ---------------------------------------------------------------------------------------------
# Bitstring


@settings(max_examples=60, deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=40_000))
def test_round_trip(data: st.DataObject, size: int) -> None:
    indices = data.draw(st.sets(st.integers(min_value=0, max_value=size - 1), max_size=64))
    bits = Bitstring(size)
    for i in indices:
        bits.set(i)
    assert len(bits) == size
    assert bits.set_indices() == sorted(indices)
    decoded = Bitstring.decode(bits.encode())
    assert len(decoded) == (size + 7) // 8 * 8  # the list is carried as whole bytes
    assert decoded.set_indices() == sorted(indices)
    assert decoded.to_bytes() == bits.to_bytes()
    assert all(decoded.get(i) for i in indices)


@settings(max_examples=30, deadline=None)
@given(indices=st.lists(st.integers(min_value=0, max_value=MIN_ENTRIES - 1), max_size=20))
def test_set_then_clear_round_trip(indices: list[int]) -> None:
    bits = Bitstring()
    for i in indices:
        bits.set(i)
    for i in indices:
        bits.set(i, False)
    assert bits == Bitstring()
    assert bits.encode() == ZERO_LIST


def test_default_size_is_the_minimum() -> None:
    assert MIN_ENTRIES == 131_072
    assert len(Bitstring()) == MIN_ENTRIES
    assert len(Bitstring().to_bytes()) == 16_384


def test_msb_first_bit_order() -> None:
    bits = Bitstring(16)
    bits.set(0)
    assert bits.to_bytes() == b"\x80\x00"
    bits.set(9)
    assert bits.to_bytes() == b"\x80\x40"
    bits.set(15)
    assert bits.to_bytes() == b"\x80\x41"
    assert Bitstring.from_bytes(b"\x01\x80").set_indices() == [7, 8]
    bits.set(0, False)
    assert bits.to_bytes() == b"\x00\x41"
    assert not bits.get(0) and bits.get(9) and bits.get(15)


def test_w3c_example_lists_decode_to_16384_zero_bytes() -> None:
    for name in ("status-list-credential.unsigned.json", "status-list-credential.eddsa-rdfc-2022.json"):
        encoded = load_vector(f"w3c-bitstring-status-list/{name}")["credentialSubject"]["encodedList"]
        assert encoded == W3C_ZERO_LIST
        bits = Bitstring.decode(encoded)
        assert bits.to_bytes() == bytes(16_384)
        assert len(bits) == MIN_ENTRIES
        assert bits.set_indices() == []


def test_1edtech_testlist_has_exactly_index_23_set() -> None:
    encoded = load_vector(f"{EDTECH_DIR}/testlist")["credentialSubject"]["encodedList"]
    bits = Bitstring.decode(encoded)
    assert len(bits) == MIN_ENTRIES
    assert bits.set_indices() == [23]
    assert bits.get(23) and not bits.get(22) and not bits.get(24)
    # Byte 2 holds indices 16..23; index 23 is its least significant bit.
    assert bits.to_bytes()[2] == 0x01


def test_encoding_is_deterministic() -> None:
    bits = Bitstring()
    bits.set(23)
    first = bits.encode()
    assert first == bits.encode() == Bitstring.decode(first).encode()
    gz = base64.urlsafe_b64decode(first[1:] + "=" * (-len(first[1:]) % 4))
    assert gz[:4] == b"\x1f\x8b\x08\x00" and gz[4:8] == b"\x00\x00\x00\x00"  # no name, mtime 0
    assert Bitstring().encode() == ZERO_LIST
    # Same deflate body as the W3C example: only the gzip header's OS byte differs.
    assert Bitstring.decode(ZERO_LIST) == Bitstring.decode(W3C_ZERO_LIST)


def test_encoded_list_starts_with_multibase_u_and_has_no_padding() -> None:
    encoded = Bitstring().encode()
    assert encoded.startswith("uH4sI")
    assert "=" not in encoded and "+" not in encoded and "/" not in encoded


def test_decode_accepts_bare_base64url_leniently() -> None:
    bits = Bitstring()
    bits.set(5)
    assert Bitstring.decode(bits.encode()[1:]).set_indices() == [5]


def test_gzip_bomb_is_refused_quickly() -> None:
    bomb = _gzip_bomb(1)
    assert len(bomb) < 2_000_000
    start = time.process_time()  # CPU time: a loaded machine does not make it fail
    with pytest.raises(StatusListError, match="gzip bomb"):
        Bitstring.decode(bomb)
    assert time.process_time() - start < 5


def test_max_bytes_is_honoured() -> None:
    encoded = Bitstring().encode()
    with pytest.raises(StatusListError, match="more than 1,000 bytes"):
        Bitstring.decode(encoded, max_bytes=1000)
    assert len(Bitstring.decode(encoded, max_bytes=16_384)) == MIN_ENTRIES


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("u", "empty"),
        ("", "empty"),
        ("u!!not*base64", "not base64url"),
        ("uH4sI+AAA/AAA", "not base64url"),
        ("uA", "not base64url"),
        ("u" + _b64u(b"plain bytes, no gzip"), "not GZIP"),
        ("u" + _b64u(zlib.compress(bytes(16_384))), "not GZIP"),  # zlib, not gzip
        ("u" + _b64u(b"\x1f\x8b\x08\x00garbage-garbage-garbage"), "corrupt GZIP"),
        (Bitstring().encode()[:-12], "truncated"),
        ("u" + _b64u(base64.urlsafe_b64decode(ZERO_LIST[1:] + "==") + b"extra"), "after the end"),
    ],
    ids=["u-only", "empty", "bad-chars", "std-base64-alphabet", "bad-length", "not-gzip", "zlib-not-gzip",
         "corrupt-deflate", "truncated", "trailing-data"],
)
def test_decode_rejects_corrupt_lists(encoded: str, message: str) -> None:
    with pytest.raises(StatusListError, match=message) as info:
        Bitstring.decode(encoded)
    assert "\n" not in str(info.value)


def test_decode_rejects_non_string() -> None:
    with pytest.raises(StatusListError, match="not a string"):
        Bitstring.decode(12345)  # type: ignore[arg-type]


@pytest.mark.parametrize("stamp", ["2026-01-15T12:00:00", "2026-01-15T12:00:00+15:00", "2026-01-15T12:00:00z",
                                   " 2026-01-15T12:00:00Z", "2026-01-15T12:00Z"])
def test_list_dates_are_date_time_stamps(stamp: str) -> None:
    # The same parser as verify's validity check (was: any ISO 8601 with a zone, stripped, z or Z).
    with pytest.raises(StatusListError, match="validFrom .* is not a date-time with a time zone"):
        list_credential("https://example.edu/status/1", "revocation", Bitstring(), issuer="did:example:1",
                        valid_from=stamp)


def test_status_list_error_is_an_input_error() -> None:
    assert issubclass(StatusListError, InputError)


@pytest.mark.parametrize("index", [-1, 16, True, 1.0, "3"])
def test_out_of_range_or_non_integer_index_raises(index: Any) -> None:
    bits = Bitstring(16)
    with pytest.raises(StatusListError):
        bits.get(index)
    with pytest.raises(StatusListError):
        bits.set(index)


def test_bitstring_size_is_bounded() -> None:
    with pytest.raises(StatusListError):
        Bitstring(-1)
    with pytest.raises(StatusListError, match="larger than"):
        Bitstring(1 << 40)


# ---------------------------------------------------------------------------------------------
# building entries and lists


def test_status_entry_shape() -> None:
    assert status_entry(REVOCATION_URL, 94567, "revocation") == {
        "id": f"{REVOCATION_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": REVOCATION_URL,
    }


@pytest.mark.parametrize(
    ("url", "index", "purpose"),
    [
        (REVOCATION_URL, -1, "revocation"),
        (REVOCATION_URL, True, "revocation"),
        (REVOCATION_URL, "5", "revocation"),
        (REVOCATION_URL, 5, "message"),
        ("", 5, "revocation"),
        ("status/1", 5, "revocation"),
        (REVOCATION_URL + "#list", 5, "revocation"),
    ],
)
def test_status_entry_rejects_bad_arguments(url: str, index: Any, purpose: Any) -> None:
    with pytest.raises(StatusListError):
        status_entry(url, index, purpose)


def test_list_credential_shape() -> None:
    bits = Bitstring()
    bits.set(7)
    cred = list_credential(
        REVOCATION_URL,
        "revocation",
        bits,
        issuer={"id": ISSUER, "type": ["Profile"], "name": "Example University"},
        valid_from="2025-01-01T00:00:00Z",
        valid_until="2027-01-01T00:00:00Z",
        ttl_ms=300_000,
    )
    assert cred == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": REVOCATION_URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2027-01-01T00:00:00Z",
        "credentialSubject": {
            "id": f"{REVOCATION_URL}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
            "ttl": 300_000,
        },
    }
    minimal = list_credential(SUSPENSION_URL, "suspension", Bitstring(), issuer=ISSUER, valid_from=CREATED)
    assert "validUntil" not in minimal and "ttl" not in minimal["credentialSubject"]
    assert minimal["issuer"] == ISSUER


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bits": Bitstring(MIN_ENTRIES - 8)}, "at least 131,072 entries"),
        ({"purpose": "message"}, "status purpose"),
        ({"valid_from": "2025-01-01"}, "validFrom"),
        ({"valid_from": "2025-01-01T00:00:00"}, "validFrom"),
        ({"valid_until": "2024-01-01T00:00:00Z"}, "before validFrom"),
        ({"valid_until": "soon"}, "validUntil"),
        ({"ttl_ms": -1}, "ttl"),
        ({"issuer": {"name": "no id"}}, "no id"),
    ],
)
def test_list_credential_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {
        "list_url": REVOCATION_URL, "purpose": "revocation", "bits": Bitstring(),
        "issuer": ISSUER, "valid_from": "2025-01-01T00:00:00Z",
    }
    args.update(kwargs)
    with pytest.raises(StatusListError, match=message):
        list_credential(args.pop("list_url"), args.pop("purpose"), args.pop("bits"), **args)


def test_sign_list_credential_verifies() -> None:
    signed = _signed_list(REVOCATION_URL, "revocation", (3,))
    result = proof.verify(signed)
    assert result and result.controller == ISSUER
    assert signed["proof"][0]["created"] == CREATED


def test_sign_list_credential_refuses_a_key_of_another_controller() -> None:
    cred = list_credential(REVOCATION_URL, "revocation", Bitstring(), issuer=ISSUER, valid_from=CREATED)
    with pytest.raises(StatusListError, match="does not belong"):
        sign_list_credential(cred, OTHER_KEY.signer())


# ---------------------------------------------------------------------------------------------
# check_status: helpers


@cache
def _signed_list_frozen(
    url: str, purpose: str, set_bits: tuple[int, ...], issuer: str, valid_from: str, valid_until: str | None
) -> str:
    bits = Bitstring()
    for i in set_bits:
        bits.set(i)
    cred = list_credential(url, purpose, bits, issuer=issuer, valid_from=valid_from, valid_until=valid_until)  # type: ignore[arg-type]
    signer_key = KEY if issuer == ISSUER else OTHER_KEY
    return json.dumps(sign_list_credential(cred, signer_key.signer(), created=CREATED))


def _signed_list(
    url: str,
    purpose: str,
    set_bits: tuple[int, ...] = (),
    *,
    issuer: str = ISSUER,
    valid_from: str = "2025-01-01T00:00:00Z",
    valid_until: str | None = None,
) -> dict[str, Any]:
    return json.loads(_signed_list_frozen(url, purpose, set_bits, issuer, valid_from, valid_until))


def _resign(cred: dict[str, Any], key: Ed25519Key = KEY) -> dict[str, Any]:
    """Sign an edited list (bypassing the builder's checks) so that only the edit is wrong."""
    unsigned = {k: v for k, v in cred.items() if k != "proof"}
    return proof.add_proof(unsigned, key.signer(), created=CREATED)


def _credential(*entries: dict[str, Any], issuer: Any = None) -> dict[str, Any]:
    status: Any = entries[0] if len(entries) == 1 else list(entries)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:6c3e1b2a-4b0e-4f4e-9a51-1b7d0f3e9c11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer or {"id": ISSUER, "type": ["Profile"], "name": "Example University"},
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:learner"},
        "credentialStatus": status,
    }


def _one(credential: dict[str, Any], lists: dict[str, Any], **kw: Any) -> StatusCheck:
    checks = check_status(credential, lists, now=kw.pop("now", NOW), **kw)
    assert len(checks) == 1
    assert "\n" not in checks[0].reason
    return checks[0]


# ---------------------------------------------------------------------------------------------
# check_status: our own lists


def test_own_list_revoked_and_valid() -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1234, 99_999))}
    revoked = _one(_credential(status_entry(REVOCATION_URL, 1234, "revocation")), lists)
    assert revoked == StatusCheck("revoked", "revocation", revoked.reason, REVOCATION_URL)
    assert not revoked and "bit 1234" in revoked.reason
    valid = _one(_credential(status_entry(REVOCATION_URL, 1235, "revocation")), lists)
    assert valid.state == "valid" and valid
    assert valid.purpose == "revocation" and valid.list_url == REVOCATION_URL


def test_own_list_suspended() -> None:
    lists = {SUSPENSION_URL: _signed_list(SUSPENSION_URL, "suspension", (42,))}
    check = _one(_credential(status_entry(SUSPENSION_URL, 42, "suspension")), lists)
    assert check.state == "suspended" and not check
    assert _one(_credential(status_entry(SUSPENSION_URL, 43, "suspension")), lists).state == "valid"


def test_revocation_and_suspension_entries_together() -> None:
    lists = {
        REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", ()),
        SUSPENSION_URL: _signed_list(SUSPENSION_URL, "suspension", (42,)),
    }
    cred = _credential(status_entry(REVOCATION_URL, 42, "revocation"), status_entry(SUSPENSION_URL, 42, "suspension"))
    checks = check_status(cred, lists, now=NOW)
    assert [c.state for c in checks] == ["valid", "suspended"]
    assert [c.purpose for c in checks] == ["revocation", "suspension"]


@pytest.mark.parametrize("list_id", ["https://example.edu/status/revocation/2", None])
def test_a_list_stands_only_for_its_own_url(list_id: str | None) -> None:
    # The issuer's clean list 2 (validly signed) handed over as list 1 must not clear a revoked bit.
    cred = _credential(status_entry(REVOCATION_URL, 1234, "revocation"))
    assert _one(cred, {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1234,))}).state == "revoked"
    other = _signed_list("https://example.edu/status/revocation/2", "revocation")
    if list_id is None:
        other = _resign({k: v for k, v in other.items() if k != "id"})
    check = _one(cred, {REVOCATION_URL: other})
    assert check.state == "invalid" and not check
    assert f"the list supplied for {REVOCATION_URL} is the status list {list_id!r} (its id)" in check.reason


def test_issuer_as_plain_string_and_index_as_json_number() -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (23,))}
    entry = status_entry(REVOCATION_URL, 23, "revocation") | {"statusListIndex": 23}
    assert _one(_credential(entry, issuer=ISSUER), lists).state == "revoked"


def test_no_credential_status_gives_no_checks() -> None:
    cred = _credential(status_entry(REVOCATION_URL, 1, "revocation"))
    del cred["credentialStatus"]
    assert check_status(cred, {}, now=NOW) == []


def test_missing_list_is_indeterminate_never_valid() -> None:
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {})
    assert check.state == "indeterminate" and not check
    assert f"status list {REVOCATION_URL} not supplied" in check.reason and "badgekit never fetches" in check.reason


def test_expired_list_is_invalid() -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", valid_until="2025-12-31T23:59:59Z")}
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), lists)
    assert check.state == "invalid" and "expired" in check.reason
    # The same list, checked while it was valid, is fine.
    earlier = datetime(2025, 6, 1, tzinfo=UTC)
    assert _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), lists, now=earlier).state == "valid"


def test_list_not_yet_valid_is_invalid() -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", valid_from="2027-01-01T00:00:00Z")}
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), lists)
    assert check.state == "invalid" and "not valid before" in check.reason


def test_unsigned_list_is_invalid() -> None:
    unsigned = list_credential(REVOCATION_URL, "revocation", Bitstring(), issuer=ISSUER, valid_from=CREATED)
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {REVOCATION_URL: unsigned})
    assert check.state == "invalid" and "STATUS_VERIFICATION_ERROR" in check.reason and "no proof" in check.reason


def test_tampered_list_is_invalid() -> None:
    signed = _signed_list(REVOCATION_URL, "revocation", (7,))
    signed["credentialSubject"]["encodedList"] = Bitstring().encode()  # "un-revoke" index 7
    check = _one(_credential(status_entry(REVOCATION_URL, 7, "revocation")), {REVOCATION_URL: signed})
    assert check.state == "invalid" and "does not verify" in check.reason


def test_list_signed_by_another_key_is_invalid() -> None:
    cred = list_credential(REVOCATION_URL, "revocation", Bitstring(), issuer=ISSUER, valid_from=CREATED)
    forged = proof.add_proof(cred, OTHER_KEY.signer(), created=CREATED)  # claims ISSUER, signed by OTHER
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {REVOCATION_URL: forged})
    assert check.state == "invalid"
    assert f"signed by {OTHER_KEY.did_key}, not by its issuer {ISSUER}" in check.reason


def test_list_of_a_did_web_issuer_without_its_did_document_is_indeterminate_not_invalid() -> None:
    # An earner with the hosted list but not the issuer's did.json: nothing is disproven offline.
    web = "did:web:example.edu"
    cred = list_credential(REVOCATION_URL, "revocation", Bitstring(), issuer=web, valid_from=CREATED)
    signed = sign_list_credential(cred, KEY.signer(f"{web}#key-1"), created=CREATED)
    credential = _credential(status_entry(REVOCATION_URL, 1, "revocation"), issuer=web)
    check = _one(credential, {REVOCATION_URL: signed})
    assert check.state == "indeterminate" and not check
    assert f"status list {REVOCATION_URL}" in check.reason and "cannot be resolved offline" in check.reason
    # Its DID document supplied: the list is checked, and a tampered copy still fails.
    documents = {web: did.did_web_document(web, [KEY.public_key])}
    assert _one(credential, {REVOCATION_URL: signed}, resolver=proof.default_resolver(documents)).state == "valid"
    signed["credentialSubject"]["encodedList"] = _signed_list(REVOCATION_URL, "revocation", (1,))["credentialSubject"]["encodedList"]
    tampered = _one(credential, {REVOCATION_URL: signed}, resolver=proof.default_resolver(documents))
    assert tampered.state == "invalid" and "does not verify" in tampered.reason


def test_list_of_another_issuer_is_invalid() -> None:
    other = _signed_list(REVOCATION_URL, "revocation", issuer=OTHER_KEY.did_key)
    assert proof.verify(other)
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {REVOCATION_URL: other})
    assert check.state == "invalid" and "signed by another issuer" in check.reason


def test_purpose_mismatch_is_invalid() -> None:
    lists = {SUSPENSION_URL: _signed_list(SUSPENSION_URL, "revocation", (1,))}
    check = _one(_credential(status_entry(SUSPENSION_URL, 1, "suspension")), lists)
    assert check.state == "invalid" and "statusPurpose" in check.reason


def test_list_with_several_purposes_accepts_each() -> None:
    cred = _signed_list(REVOCATION_URL, "revocation", (5,))
    cred["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    lists = {REVOCATION_URL: _resign(cred)}
    assert _one(_credential(status_entry(REVOCATION_URL, 5, "revocation")), lists).state == "revoked"
    assert _one(_credential(status_entry(REVOCATION_URL, 5, "suspension")), lists).state == "suspended"


@pytest.mark.parametrize(
    ("encoded", "expected"),
    [
        ("u!!corrupt-base64!!", "MALFORMED_VALUE_ERROR.*not base64url"),
        ("u" + _b64u(b"definitely not gzip"), "MALFORMED_VALUE_ERROR.*not GZIP"),
        (Bitstring(MIN_ENTRIES // 2).encode(), "STATUS_LIST_LENGTH_ERROR.*65,536 entries"),
        (Bitstring(MIN_ENTRIES - 8).encode(), "STATUS_LIST_LENGTH_ERROR"),
        (_gzip_bomb(1), "MALFORMED_VALUE_ERROR.*gzip bomb"),
    ],
    ids=["corrupt-base64", "not-gzip", "half-length", "one-byte-short", "gzip-bomb"],
)
def test_bad_encoded_list_is_invalid_with_a_clear_reason(encoded: str, expected: str) -> None:
    cred = _signed_list(REVOCATION_URL, "revocation")
    cred["credentialSubject"]["encodedList"] = encoded
    lists = {REVOCATION_URL: _resign(cred)}
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), lists)
    assert check.state == "invalid"
    assert re.search(expected, check.reason), check.reason


def test_index_out_of_range_is_invalid() -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation")}
    check = _one(_credential(status_entry(REVOCATION_URL, MIN_ENTRIES, "revocation")), lists)
    assert check.state == "invalid" and "RANGE_ERROR" in check.reason
    assert _one(_credential(status_entry(REVOCATION_URL, MIN_ENTRIES - 1, "revocation")), lists).state == "valid"


@pytest.mark.parametrize("index", ["-1", "1.5", "abc", "", " 7", "0x10", -1, 1.5, True, None, "1" * 30])
def test_malformed_index_is_invalid(index: Any) -> None:
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation")}
    entry = status_entry(REVOCATION_URL, 1, "revocation") | {"statusListIndex": index}
    check = _one(_credential(entry), lists)
    assert check.state == "invalid" and "statusListIndex" in check.reason


def test_malformed_entries() -> None:
    entry = status_entry(REVOCATION_URL, 1, "revocation")
    no_url = {k: v for k, v in entry.items() if k != "statusListCredential"}
    assert _one(_credential(no_url), {}).state == "invalid"
    no_purpose = {k: v for k, v in entry.items() if k != "statusPurpose"}
    assert _one(_credential(no_purpose), {}).state == "invalid"
    same_id = entry | {"id": REVOCATION_URL}
    assert _one(_credential(same_id), {}).state == "invalid"
    assert _one(_credential("not an object"), {}).state == "invalid"  # type: ignore[arg-type]


def test_unsupported_purpose_or_size_is_indeterminate() -> None:
    entry = status_entry(REVOCATION_URL, 1, "revocation")
    message = _one(_credential(entry | {"statusPurpose": "message", "statusSize": 2}), {})
    assert message.state == "indeterminate" and "message" in message.reason
    wide = _one(_credential(entry | {"statusSize": 2}), {})
    assert wide.state == "indeterminate" and "statusSize" in wide.reason


def test_other_status_types_are_indeterminate() -> None:
    vcrl = {"id": "https://example.edu/revocations", "type": "1EdTechRevocationList"}
    check = _one(_credential(vcrl), {})
    assert check.state == "indeterminate" and "1EdTechRevocationList" in check.reason
    assert check.list_url == "https://example.edu/revocations" and not check
    sl2021 = {"type": "StatusList2021Entry", "statusPurpose": "revocation", "statusListIndex": "1",
              "statusListCredential": REVOCATION_URL}
    assert _one(_credential(sl2021), {}).state == "indeterminate"


def test_check_status_needs_an_aware_clock() -> None:
    with pytest.raises(InputError, match="time-zone"):
        check_status(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {}, now=datetime(2026, 1, 1))


def test_non_list_credential_is_invalid() -> None:
    not_a_list = _signed_list(REVOCATION_URL, "revocation")
    not_a_list["type"] = ["VerifiableCredential"]
    check = _one(_credential(status_entry(REVOCATION_URL, 1, "revocation")), {REVOCATION_URL: not_a_list})
    assert check.state == "invalid" and "BitstringStatusListCredential" in check.reason


# ---------------------------------------------------------------------------------------------
# check_status: published vectors


def test_1edtech_fixture_list_names_another_url_and_is_refused_for_this_one() -> None:
    # The fixture's credential points at the list's GitHub URL, but the (validly signed) list says
    # it is https://example.com/credentials/status/3: offline nothing shows it is the list at that URL.
    credential = load_vector(f"{EDTECH_DIR}/credential-status-revoked.json")
    testlist = load_vector(f"{EDTECH_DIR}/testlist")
    assert credential["credentialStatus"]["statusListIndex"] == 23  # a JSON number, not a string
    assert proof.verify(testlist).verified
    check = _one(credential, {EDTECH_LIST_URL: testlist})
    assert check.state == "invalid" and check.list_url == EDTECH_LIST_URL
    assert "'https://example.com/credentials/status/3' (its id)" in check.reason


def test_1edtech_list_tampered_is_invalid() -> None:
    credential = load_vector(f"{EDTECH_DIR}/credential-status-revoked.json")
    testlist = load_vector(f"{EDTECH_DIR}/testlist")
    testlist["credentialSubject"]["encodedList"] = ZERO_LIST
    check = _one(credential, {EDTECH_LIST_URL: testlist})
    assert check.state == "invalid" and "does not verify" in check.reason


def test_fragment_key_not_used_by_the_credential_is_indeterminate() -> None:
    # The list's key comes only from its VM id (https://issuer#z6Mk…, as 1EdTech's examples do):
    # trusted only because the credential names the same verification method. Without that link
    # nothing ties it to the issuer.
    issuer = "https://example.edu/issuers/1"
    vm = f"{issuer}#{KEY.public_key_multibase}"
    unsigned = list_credential(REVOCATION_URL, "revocation", Bitstring(), issuer=issuer, valid_from="2025-01-01T00:00:00Z")
    lists = {REVOCATION_URL: sign_list_credential(unsigned, KEY.signer(vm), created=CREATED)}
    credential = _credential(status_entry(REVOCATION_URL, 7, "revocation"), issuer=issuer)
    check = _one(credential, lists)
    assert check.state == "indeterminate" and "cannot be resolved offline" in check.reason
    named = {**credential, "proof": {"type": "DataIntegrityProof", "verificationMethod": vm}}  # checked by check 6
    assert _one(named, lists).state == "valid"


def test_w3c_example_list_is_signed_by_a_key_not_of_its_issuer() -> None:
    credential = load_vector("w3c-bitstring-status-list/revocable-credential.eddsa-rdfc-2022.json")
    status_list = load_vector("w3c-bitstring-status-list/status-list-credential.eddsa-rdfc-2022.json")
    assert proof.verify(status_list)
    check = _one(credential, {"https://example.com/credentials/status/3": status_list})
    # issuer did:example:12345, proof by a did:key: nothing shows the issuer signed it.
    assert check.state == "invalid" and "not by its issuer did:example:12345" in check.reason


def test_list_proof_is_checked_once_per_list(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = proof.verify

    def counting(doc: Any, **kw: Any) -> Any:
        calls.append(doc["id"])
        return real(doc, **kw)

    monkeypatch.setattr(proof, "verify", counting)
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1,))}
    cred = _credential(status_entry(REVOCATION_URL, 1, "revocation"), status_entry(REVOCATION_URL, 2, "revocation"))
    assert [c.state for c in check_status(cred, lists, now=NOW)] == ["revoked", "valid"]
    assert calls == [REVOCATION_URL]



def test_a_shared_memo_checks_each_list_once_across_credentials_and_never_changes_a_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = proof.verify

    def counting(doc: Any, **kw: Any) -> Any:
        calls.append(doc["id"])
        return real(doc, **kw)

    monkeypatch.setattr(proof, "verify", counting)
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1, 5))}
    creds = [_credential(status_entry(REVOCATION_URL, i, "revocation")) for i in range(8)]
    other_issuer = _credential(status_entry(REVOCATION_URL, 1, "revocation"), issuer="did:example:someone-else")
    alone = [[c.state for c in check_status(c, lists, now=NOW)] for c in [*creds, other_issuer]]
    calls.clear()
    memo: dict[Any, Any] = {}
    shared = [[c.state for c in check_status(c, lists, now=NOW, memo=memo)] for c in [*creds, other_issuer]]
    assert shared == alone
    assert shared[1] == ["revoked"] and shared[-1] == ["invalid"]  # issuer checks stay per credential
    assert calls == [REVOCATION_URL]
    # A different list object under the same URL (a new run's file) is verified afresh.
    swapped = {REVOCATION_URL: _resign({**lists[REVOCATION_URL], "validUntil": "2025-12-31T00:00:00Z"})}
    assert _one(creds[0], swapped, memo=memo).state == "invalid"
    assert calls == [REVOCATION_URL, REVOCATION_URL]


def test_a_shared_memo_decides_on_a_list_once_per_issuer_and_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 18: what is said of a list (its type, id, issuer, key, dates) is decided once for the
    # credentials of one run that share the time, the issuer and their verification methods.
    from badgekit.status import _check

    decided: list[object] = []
    real = _check._Checker._verify_list

    def counting(self: Any, url: str, status_list: object) -> Any:
        decided.append(_check._issuer_id(self.credential.get("issuer")))
        return real(self, url, status_list)

    monkeypatch.setattr(_check._Checker, "_verify_list", counting)
    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1, 5))}
    creds = [_credential(status_entry(REVOCATION_URL, i, "revocation")) for i in range(5)]
    other = _credential(status_entry(REVOCATION_URL, 1, "revocation"), issuer="did:example:someone-else")
    memo: dict[Any, Any] = {}
    states = [[c.state for c in check_status(c, lists, now=NOW, memo=memo)] for c in [*creds, other, *creds]]
    assert states == [["valid"], ["revoked"], ["valid"], ["valid"], ["valid"], ["invalid"]] + [["valid"], ["revoked"], ["valid"], ["valid"], ["valid"]]
    assert decided == [ISSUER, "did:example:someone-else"]
    later = NOW + timedelta(days=1)
    assert [c.state for c in check_status(creds[0], lists, now=later, memo=memo)] == ["valid"]
    assert decided == [ISSUER, "did:example:someone-else", ISSUER]  # another time: decided again


# ---------------------------------------------------------------------------------------------
# load_status_lists


def test_load_status_lists_from_files_and_folders(tmp_path: Path) -> None:
    revocation = _signed_list(REVOCATION_URL, "revocation", (1,))
    suspension = _signed_list(SUSPENSION_URL, "suspension")
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "revocation.json").write_text(json.dumps(revocation))
    (folder / "did.json").write_text(json.dumps({"id": ISSUER, "verificationMethod": []}))  # skipped
    (folder / "notes.txt").write_text("not json")  # not *.json: ignored
    single = tmp_path / "suspension-list.json"
    single.write_text(json.dumps(suspension))
    loaded = load_status_lists([folder, single, folder / "revocation.json"])
    assert loaded == {REVOCATION_URL: revocation, SUSPENSION_URL: suspension}

    edtech = load_status_lists([VECTORS / EDTECH_DIR / "testlist"])
    assert list(edtech) == ["https://example.com/credentials/status/3"]  # keyed by the list's own id


def test_load_status_lists_errors(tmp_path: Path) -> None:
    not_a_list = tmp_path / "credential.json"
    not_a_list.write_text(json.dumps({"id": "urn:x", "type": ["VerifiableCredential"]}))
    with pytest.raises(StatusListError, match="not a BitstringStatusListCredential"):
        load_status_lists([not_a_list])

    no_id = tmp_path / "noid.json"
    cred = _signed_list(REVOCATION_URL, "revocation")
    del cred["id"]
    no_id.write_text(json.dumps(cred))
    with pytest.raises(StatusListError, match="no id"):
        load_status_lists([no_id])

    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_signed_list(REVOCATION_URL, "revocation", (1,))))
    b.write_text(json.dumps(_signed_list(REVOCATION_URL, "revocation", (2,))))
    with pytest.raises(StatusListError, match="another status list with id"):
        load_status_lists([a, b])

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(InputError, match="malformed JSON"):
        load_status_lists([broken])
    with pytest.raises(InputError, match="no such file"):
        load_status_lists([tmp_path / "missing.json"])


def test_core_module_does_not_import_the_cli() -> None:
    import badgekit.status as mod

    source = Path(mod.__file__).read_text(encoding="utf-8")
    assert "typer" not in source and "rich" not in source and "print(" not in source


def test_result_is_frozen() -> None:
    check = StatusCheck("valid", "revocation", "ok", REVOCATION_URL)
    with pytest.raises(AttributeError):
        check.state = "revoked"  # type: ignore[misc]
    assert copy.copy(check) == check


# ---------------------------------------------------------------------------------------------
# 1EdTechRevocationList (OB 3.0's own method), from a locally supplied copy

EDTECH_REVOKED = "1edtech-validator-ob30/credential-status-revoked.json"


def _revocation_list_credential(cid: str = "urn:uuid:cred-1") -> dict[str, Any]:
    return {**_credential({"id": "https://issuer.example/revocations/1", "type": "1EdTechRevocationList"}), "id": cid}


@pytest.mark.parametrize(
    ("entries", "state", "fragment"),
    [
        ([{"id": "urn:uuid:cred-1", "revocationReason": "issued in error"}], "revoked", "revoked (issued in error)"),
        ([{"id": "urn:uuid:cred-1", "revoked": True}], "revoked", "is listed"),
        ([{"id": "urn:uuid:cred-1", "revoked": False}], "valid", "not listed"),
        ([{"id": "urn:uuid:other"}], "valid", "not listed"),
        ([], "valid", "unsigned list, supplied locally"),
        ([{"revoked": True}], "invalid", "has no id"),
        ([{"id": "urn:uuid:cred-1", "revoked": "yes"}], "invalid", "not a boolean"),
    ],
)
def test_1edtech_revocation_list_from_a_supplied_file(entries: list[Any], state: str, fragment: str) -> None:
    lists = {"https://issuer.example/revocations/1": {"revokedCredential": entries}}
    check = _one(_revocation_list_credential(), lists)
    assert (check.state, check.purpose) == (state, "revocation")
    assert fragment in check.reason


def test_1edtech_revocation_list_not_supplied_or_malformed() -> None:
    missing = _one(_revocation_list_credential(), {})
    assert missing.state == "indeterminate" and "--status-list URL=FILE" in missing.reason
    bad = _one(_revocation_list_credential(), {"https://issuer.example/revocations/1": {"revoked": []}})
    assert bad.state == "invalid" and "no revokedCredential array" in bad.reason


def test_the_1edtech_revoked_fixture_is_revoked_given_its_list() -> None:
    credential = load_vector(EDTECH_REVOKED)
    url = credential["credentialStatus"]["id"]
    lists = {url: {"revokedCredential": [{"id": credential["id"], "revocationReason": "test"}]}}
    assert _one(credential, lists).state == "revoked"
    assert _one(credential, {}).state == "indeterminate"


def test_verify_fails_the_1edtech_revoked_fixture_given_its_revocation_list() -> None:
    from badgekit.verify import VerifyOptions, verify_path

    path = VECTORS / EDTECH_REVOKED
    credential = load_vector(EDTECH_REVOKED)
    url = credential["credentialStatus"]["id"]
    lists = {url: {"revokedCredential": [{"id": credential["id"], "revocationReason": "test"}]}}
    report = verify_path(path, VerifyOptions(at=NOW, status_lists=lists))
    status = report.check("status")
    assert status is not None and status.status == "failed" and "revoked (test)" in status.reason
    assert report.verdict == "invalid"


def test_verify_names_a_cached_status_list_and_its_date() -> None:
    from badgekit.verify import VerifyOptions, verify_credential

    lists = {REVOCATION_URL: _signed_list(REVOCATION_URL, "revocation", (1,))}
    cred = _credential(status_entry(REVOCATION_URL, 1, "revocation"))
    cached = verify_credential(cred, options=VerifyOptions(at=NOW, status_lists=lists,
                                                           provenance={REVOCATION_URL: "cached 2026-01-10"}))
    status = cached.check("status")
    assert status is not None and status.status == "failed" and status.reason.endswith("(list cached 2026-01-10)")
    supplied = verify_credential(cred, options=VerifyOptions(at=NOW, status_lists=lists)).check("status")
    assert supplied is not None and "cached" not in supplied.reason

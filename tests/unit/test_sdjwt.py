"""SD-JWT VC (issue 16): ``sdjwt.issue`` → ``verify_bytes``; RFC 9901 §7.1 rejections (a
disclosure no digest references, a digest twice, a disclosure presented twice, reserved names,
an element disclosure in ``_sd``); key binding JWTs; withheld claims; the bounds; baked images.

Tokens under attack are assembled here with ``json``, ``base64`` and ``hashlib`` directly, never
with the code under test; the digest vectors are from the SD-JWT specification's repository
(oauth-wg/oauth-selective-disclosure-jwt, examples/pid/disclosures.md)."""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from badgekit import baking, did, keys, limits, sdjwt
from badgekit.errors import JwtError, LimitExceeded
from badgekit.verify import INDETERMINATE, INVALID, VALID, VerifyOptions, verify_bytes
from tests.conftest import TEST_SEED

ED = keys.Ed25519Key.from_seed(TEST_SEED)
HOLDER = keys.Ed25519Key.from_seed(bytes(range(32)))
KID = did.did_key_verification_method(ED.public_key)
ISSUER = KID.partition("#")[0]
AT = VerifyOptions(at=datetime(2026, 6, 1, tzinfo=UTC))
EXAMPLE = Path(__file__).parents[2] / "examples" / "credential.json"
GOLDEN = Path(__file__).parents[1] / "vectors" / "badgekit-sd-jwt" / "example.sd-jwt"


def credential() -> dict[str, Any]:
    doc = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    doc.pop("proof", None)
    doc["issuer"]["id"] = ISSUER
    return dict(doc)


def salts() -> Any:
    counter = itertools.count()
    return lambda: f"salt-{next(counter)}"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64json(value: Any) -> str:
    return b64(json.dumps(value).encode("utf-8"))


def sha(text: str) -> str:
    return b64(hashlib.sha256(text.encode("ascii")).digest())


def token(payload: dict[str, Any], disclosures: list[str] = (), *, header: dict[str, Any] | None = None,  # type: ignore[assignment]
          key: keys.Ed25519Key = ED) -> str:
    header = header or {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": KID}
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode('ascii')))}~" + "".join(f"{d}~" for d in disclosures)


def payload_of(text: str) -> dict[str, Any]:
    part = text.split("~")[0].split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


def check(report: Any, check_id: str) -> tuple[str, str]:
    found = report.check(check_id)
    return found.status, found.reason


def test_digests_match_the_specification_examples() -> None:
    assert sdjwt.digest("WyIzVlZVRHNFbm5WMExPX2FuN0w2RVJRIiwgImdpdmVuX25hbWUiLCAiRXJpa2EiXQ") == \
        "AjRm0_cgSzWYpOPg9J27OgDX1WF2aaf1rGG4AEzAG-k"
    assert sdjwt.digest("WyJjWVJfMDVHaG1QbThWNElWSW11OUpRIiwgIm5hdGlvbmFsaXRpZXMiLCBbIkRFIl1d") == \
        "taaIdqFre9VN2_QfqF7c-Zps1grBS_O2Wu-rkKerwpc"


def test_issue_conceals_the_default_claims_and_verifies() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID, salt=salts())
    payload = payload_of(text)
    assert payload["vct"] == sdjwt.OB_VCT and payload["_sd_alg"] == "sha-256" and payload["iss"] == ISSUER
    assert "evidence" in payload and all(set(e) == {"..."} for e in payload["evidence"])
    assert all(set(e) == {"..."} for e in payload["credentialSubject"]["result"])
    header = json.loads(base64.urlsafe_b64decode(text.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": KID}  # a did:key carries its own key
    report = verify_bytes(text.encode(), options=AT)
    assert report.verdict == VALID, report.to_json()
    assert report.summary["securing"] == "sd-jwt-vc" and report.summary["format"] == "sd-jwt"
    assert report.summary["disclosed"] == ["credentialSubject.identifier[0]", "credentialSubject.result[0]", "evidence[0]"]
    assert report.summary["undisclosed"] == 0


def test_issue_is_stable_with_fixed_salts() -> None:
    """The golden token: EdDSA is deterministic, so fixed salts give the same bytes. Regenerate
    with ``GOLDEN.write_text(sdjwt.issue(credential(), ED, kid=KID, salt=salts()))`` on purpose."""
    assert sdjwt.issue(credential(), ED, kid=KID, salt=salts()) == GOLDEN.read_text(encoding="utf-8")


def test_property_disclosures_and_a_chosen_set() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID, salt=salts(), disclose=["awardedDate", "credentialSubject.result"])
    payload = payload_of(text)
    assert "awardedDate" not in payload and len(payload["_sd"]) == 1 and isinstance(payload["evidence"][0], dict)
    assert "..." not in payload["evidence"][0]
    report = verify_bytes(text.encode(), options=AT)
    assert report.verdict == VALID and report.summary["disclosed"] == ["credentialSubject.result[0]", "awardedDate"]
    plain = sdjwt.issue(credential(), ED, kid=KID, disclose=[])
    assert "_sd" not in payload_of(plain) and verify_bytes(plain.encode(), options=AT).summary["disclosed"] == []


@pytest.mark.parametrize("path", ["issuer", "credentialSubject.achievement", "name", "credentialStatus", "evidense"])
def test_framing_claims_are_never_disclosable(path: str) -> None:
    with pytest.raises(JwtError, match="cannot be selectively disclosable"):
        sdjwt.issue(credential(), ED, kid=KID, disclose=[path])


def test_withheld_claims_stay_valid_and_are_reported() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID, salt=salts())
    shown = sdjwt.present(text, withhold=["credentialSubject.identifier[0]", "evidence[0]"])
    report = verify_bytes(shown.encode(), options=AT)
    assert report.verdict == VALID, report.to_json()
    assert report.summary["disclosed"] == ["credentialSubject.result[0]"] and report.summary["undisclosed"] == 2
    assert "did not disclose the recipient" in check(report, "schema")[1]
    # --recipient cannot be confirmed when the identity was withheld: indeterminate, not invalid
    withheld = verify_bytes(shown.encode(), options=VerifyOptions(at=AT.at, recipient="someone@example.org"))
    assert check(withheld, "recipient")[0] == INDETERMINATE
    with pytest.raises(sdjwt.SdJwtError, match="not a disclosed claim"):
        sdjwt.present(text, withhold=["evidence[7]"])


def test_recipient_is_checked_on_disclosed_identity() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID)
    wrong = verify_bytes(text.encode(), options=VerifyOptions(at=AT.at, recipient="someone@example.org"))
    assert wrong.verdict == INVALID and check(wrong, "recipient")[0] == "failed"


def test_tampered_payload_fails_the_signature() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID)
    jws, rest = text.split("~", 1)
    h, p, s = jws.split(".")
    payload = payload_of(text) | {"name": "Forged"}
    report = verify_bytes(f"{h}.{b64json(payload)}.{s}~{rest}".encode(), options=AT)
    assert report.verdict == INVALID and check(report, "signature")[0] == "failed"


def test_a_disclosure_no_digest_references_is_rejected() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID)
    forged = b64json(["salt", {"type": ["Result"], "resultDescription": "urn:x", "value": "100"}])
    report = verify_bytes(f"{text}{forged}~".encode(), options=AT)
    assert report.verdict == INVALID
    status, reason = check(report, "proof-structure")
    assert status == "failed" and "referenced by no digest" in reason


def test_an_altered_disclosure_is_rejected() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID, disclose=["awardedDate"])
    jws, disclosure, _ = text.split("~")
    altered = b64json(["salt-x", "awardedDate", "2020-01-01T00:00:00Z"])
    assert disclosure != altered
    report = verify_bytes(f"{jws}~{altered}~".encode(), options=AT)
    assert report.verdict == INVALID and "referenced by no digest" in check(report, "proof-structure")[1]


def _one(name: str | None, value: Any, salt: str = "s1") -> tuple[str, str]:
    d = b64json([salt, name, value] if name is not None else [salt, value])
    return d, sha(d)


def test_rfc9901_rejections() -> None:
    base = {k: v for k, v in credential().items() if k != "awardedDate"} | {"iss": ISSUER, "vct": sdjwt.OB_VCT}
    d, h = _one("awardedDate", "2026-01-15T12:00:00Z")
    cases = {
        "appears more than once": token(base | {"_sd": [h, h]}, [d]),
        "presented twice": token(base | {"_sd": [h]}, [d, d]),
        "both in the issuer-signed JWT and disclosed": token(base | {"awardedDate": "x", "_sd": [h]}, [d]),
    }
    vd, vh = _one("vct", "x")
    cases["never discloses 'vct'"] = token({k: v for k, v in base.items() if k != "vct"} | {"_sd": [vh]}, [vd])
    sd_d, sd_h = _one("_sd", [])
    cases["reserved name '_sd'"] = token(base | {"_sd": [sd_h]}, [sd_d])
    ed, eh = _one(None, "element")
    cases["is an array element, but its digest is in the _sd"] = token(base | {"_sd": [eh]}, [ed])
    cases["is a claim, but its digest is an array element"] = token(base | {"tag": [{"...": h}]}, [d])
    cases["has no vct claim"] = token({k: v for k, v in base.items() if k != "vct"})
    for needle, text in cases.items():
        report = verify_bytes(text.encode(), options=AT)
        status, reason = check(report, "proof-structure")
        assert (report.verdict, status) == (INVALID, "failed") and needle in reason, (needle, reason)


def test_header_rules() -> None:
    base = credential() | {"iss": ISSUER, "vct": sdjwt.OB_VCT}
    legacy = verify_bytes(token(base, header={"alg": "EdDSA", "typ": "vc+sd-jwt", "kid": KID}).encode(), options=AT)
    assert legacy.verdict == VALID, legacy.to_json()
    for header, needle in (({"alg": "EdDSA", "typ": "JWT", "kid": KID}, "typ 'JWT'"),
                           ({"alg": "EdDSA", "kid": KID}, "typ None"),
                           ({"alg": "EdDSA", "typ": "dc+sd-jwt", "kid": KID, "crit": ["x"]}, "crit"),
                           ({"alg": "none", "typ": "dc+sd-jwt", "kid": KID}, "unsigned"),
                           ({"alg": "EdDSA", "typ": {"dc+sd-jwt": 1}, "kid": KID}, "typ {'dc+sd-jwt': 1}")):
        report = verify_bytes(token(base, header=header).encode(), options=AT)
        assert report.verdict == INVALID and needle in check(report, "proof-structure")[1], header


def _bound(text: str, *, holder: keys.Ed25519Key = HOLDER, typ: str = "kb+jwt", sd_hash: str | None = None,
           iat: int = 1_780_000_000) -> str:
    header = {"alg": "EdDSA", "typ": typ}
    claims = {"iat": iat, "aud": "https://verifier.example", "nonce": "n-0S6_WzA2Mj",
              "sd_hash": sd_hash or sha(text)}
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    return text + f"{signing_input}.{b64(holder.sign(signing_input.encode('ascii')))}"


def test_key_binding_jwt() -> None:
    doc = credential()
    base = doc | {"iss": ISSUER, "vct": sdjwt.OB_VCT, "cnf": {"jwk": HOLDER.public_jwk}}
    text = token(base)
    good = verify_bytes(_bound(text).encode(), options=AT)
    assert good.verdict == VALID, good.to_json()
    assert "key binding JWT" in check(good, "signature")[1] and "nonce 'n-0S6_WzA2Mj'" in check(good, "proof-structure")[1]
    assert "no key binding JWT is presented" in check(verify_bytes(text.encode(), options=AT), "proof-structure")[1]
    other = keys.Ed25519Key.from_seed(bytes(32))
    bad = {
        "not signed by the holder key": (_bound(text, holder=other), "signature"),
        "sd_hash does not match": (_bound(text, sd_hash=sha(text + "x")), "proof-structure"),
        "typ 'JWT'": (_bound(text, typ="JWT"), "proof-structure"),
        "iat in the future": (_bound(text, iat=1_900_000_000), "proof-structure"),
        "has no cnf.jwk": (_bound(token(doc | {"iss": ISSUER, "vct": sdjwt.OB_VCT})), "proof-structure"),
    }
    for needle, (presented, check_id) in bad.items():
        report = verify_bytes(presented.encode(), options=AT)
        status, reason = check(report, check_id)
        assert (report.verdict, status) == (INVALID, "failed") and needle in reason, (needle, reason)


def test_malformed_and_unbounded_input_fails_parse() -> None:
    text = sdjwt.issue(credential(), ED, kid=KID)
    jws = text.split("~")[0]
    for bad, needle in ((f"{jws}~{b64(b'not json')}~", "disclosure 1"),
                        (f"{jws}~{b64json(['only-salt'])}~", "not a JSON array"),
                        (f"{jws}~{b64json([1, 'n', 'v'])}~", "salt is not a string"),
                        (f"{jws}~abc.def.ghi", "key binding JWT"),
                        (token(credential() | {"_sd_alg": "md5"}), "_sd_alg 'md5' is not supported"),
                        # not a string: was a TypeError (unhashable) reported as "could not process"
                        (token(credential() | {"_sd_alg": ["sha-256"]}), "_sd_alg ['sha-256'] is not supported"),
                        (token(credential() | {"_sd_alg": {"alg": "sha-256"}}), "_sd_alg {'alg': 'sha-256'} is not")):
        report = verify_bytes(bad.encode(), options=AT)
        assert report.verdict == INVALID and needle in check(report, "parse")[1], (needle, report.to_json())
    many = f"{jws}~" + "AA~" * (limits.MAX_DISCLOSURES + 1)
    with pytest.raises(LimitExceeded, match="disclosures"):
        sdjwt.parse(many)
    # 70 disclosures, each inside the one before: beyond MAX_JSON_DEPTH once put back together,
    # though no single part nests deeply
    chain: list[str] = []
    value: Any = "v"
    for n in range(70):
        d = b64json([f"s{n}", "x", value])
        chain.append(d)
        value = {"_sd": [sha(d)]}
    with pytest.raises(LimitExceeded, match="nest"):
        sdjwt.process(sdjwt.parse(token(credential() | {"x": value}, chain)))


def test_sha_512_digests_are_read() -> None:
    d = b64json(["s", "awardedDate", "2026-01-15T12:00:00Z"])
    h = b64(hashlib.sha512(d.encode("ascii")).digest())
    doc = {k: v for k, v in credential().items() if k != "awardedDate"}
    report = verify_bytes(token(doc | {"iss": ISSUER, "vct": sdjwt.OB_VCT, "_sd_alg": "sha-512", "_sd": [h]}, [d]).encode(), options=AT)
    assert report.verdict == VALID and report.summary["disclosed"] == ["awardedDate"], report.to_json()


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_baked_sd_jwt_verifies(fmt: str) -> None:
    text = sdjwt.issue(credential(), ED, kid=KID)
    image = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>' if fmt == "svg"
             else (Path(__file__).parents[2] / "examples" / "badge-course.png").read_bytes())
    baked = baking.bake(image, text, source=f"badge.{fmt}")
    assert baking.extract(baked, source="b").payload == text
    report = verify_bytes(baked, options=AT)
    assert report.verdict == VALID and report.summary["format"] == fmt, report.to_json()


def test_a_token_status_list_claim_is_not_checkable_here_so_never_valid() -> None:
    # draft-ietf-oauth-sd-jwt-vc: an issuer names the credential's status (revocation) in the
    # "status" claim, a Token Status List (draft-ietf-oauth-status-list), which badgekit does not
    # read. It was dropped with the envelope claims and check 8 said "the issuer publishes no
    # revocation": a revoked SD-JWT VC came out VALID.
    doc = credential()
    framing = {"iss": ISSUER, "vct": sdjwt.OB_VCT}
    status = {"status_list": {"idx": 412, "uri": "https://example.edu/statuslists/1"}}
    report = verify_bytes(token(doc | framing | {"status": status}).encode(), options=AT)
    found, reason = check(report, "status")
    assert (report.verdict, found) == (INDETERMINATE, "indeterminate"), report.to_json()
    assert "status claim" in reason and "Token Status List" in reason
    assert verify_bytes(token(doc | framing).encode(), options=AT).verdict == VALID  # its twin without one


def test_a_huge_disclosed_claim_name_is_shown_shortened() -> None:
    # The report's "disclosed" list held each path whole: a 1 MB claim name printed 1 MB.
    name = "n" * 100_000
    d = b64json(["s", name, "v"])
    report = verify_bytes(token(credential() | {"iss": ISSUER, "vct": sdjwt.OB_VCT, "_sd": [sha(d)]}, [d]).encode(), options=AT)
    (shown,) = report.summary["disclosed"]
    assert shown.startswith("nnn") and shown.endswith("…") and len(shown) <= 300
    assert len(report.to_json()) < 10_000


def test_a_long_member_name_is_cut_short_in_every_path_below_it() -> None:
    # Each claim's path repeated the names above it: a 5 MB name over 45,000 array elements copied
    # 225 GB into paths (14 s of verify). A name is now cut at MAX_PATH_NAME characters in paths.
    name = "k" * 1_000_000
    d = b64json(["s", "v"])
    processed = sdjwt.process(sdjwt.parse(token(credential() | {name: {"list": [0, {"...": sha(d)}]}}, [d])))
    assert processed.disclosed == ("k" * (sdjwt.MAX_PATH_NAME - 1) + "….list[1]",)
    assert processed.payload[name]["list"] == [0, "v"]  # the claim itself keeps its name


def test_claims_and_disclosures_are_counted_in_json_values_before_they_are_put_back() -> None:
    # 50,000 JSON values bound a credential; the issuer-signed claims (digests included) and the
    # disclosed values are counted before any work on them.
    decoys = [sha(str(n)) for n in range(limits.MAX_JSON_VALUES)]
    with pytest.raises(LimitExceeded, match="JSON values"):
        sdjwt.process(sdjwt.parse(token(credential() | {"_sd": decoys})))
    d = b64json(["s", "x", [0] * limits.MAX_JSON_VALUES])
    with pytest.raises(LimitExceeded, match="JSON values"):
        sdjwt.process(sdjwt.parse(token(credential() | {"_sd": [sha(d)]}, [d])))
    report = verify_bytes(token(credential() | {"_sd": decoys}).encode(), options=AT)
    assert report.verdict == INVALID and "JSON values" in check(report, "parse")[1]

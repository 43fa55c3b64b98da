"""Regenerate the invalid credentials in ``tests/invalid/``: one file per failure, each named
``<check-id>--<what>.<ext>`` after the one check of ``badgekit verify`` that must fail it.

    python3 tests/invalid/make_invalid.py          # rewrite the files
    python3 tests/invalid/make_invalid.py --check  # exit 1 if a committed file differs

Reproducible: fixed Ed25519 keys (seeds below), fixed dates, deterministic Ed25519 signatures, so
the output is byte for byte the same on every run (``tests/unit/test_verify_invalid.py`` checks).
Every file is verified with the options in :data:`VERIFY_ARGS` (fixed clock 2026-01-15T12:00:00Z,
the status lists and trust list in ``support/``, recipient ``a@example.com``), under which the base
credential is valid. Endorsements are signed by :data:`OTHER` (the "accrediting agency").
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from badgekit import cryptosuites, did, jsonld, proof, proofsets, status  # noqa: E402
from badgekit.keys import EcdsaKey, Ed25519Key  # noqa: E402
from tests.invalid._regenerate import write_or_check  # noqa: E402

#: The issuer key of every fixture (the shared test key of tests/conftest.py).
ISSUER_SEED = bytes.fromhex("9b1c3c5f6a1f2e4d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f")
#: Another key: signs where the issuer's key should have ("wrong key").
OTHER_SEED = bytes.fromhex("0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0")
#: An issuer that is not on the trust list.
UNTRUSTED_SEED = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90")

FIXED_NOW = "2026-01-15T12:00:00Z"
VALID_FROM = "2025-01-01T00:00:00Z"
CREATED = "2025-01-01T00:00:00Z"
REVOCATION_LIST = "https://example.edu/status/revocation/1"
SUSPENSION_LIST = "https://example.edu/status/suspension/1"
#: The issuer's clean list 2 is supplied for this URL (VERIFY_ARGS): a list its id does not name.
SWAPPED_LIST = "https://example.edu/status/revocation/3"
CLEAN_LIST = "https://example.edu/status/revocation/2"
REVOKED_INDEX = 4242
SUSPENDED_INDEX = 77

#: Who the base credential is issued to (OB 3.0 IdentityHash vector: this address + "Kosher").
RECIPIENT = "a@example.com"

SUPPORT = HERE / "support"
#: Options every invalid file is verified with (the base credential passes all checks with them).
VERIFY_ARGS = ["--at", FIXED_NOW, "--status-list", str(SUPPORT / "lists"), "--trust", str(SUPPORT / "trust.json"),
               "--recipient", RECIPIENT, "--status-list", f"{SWAPPED_LIST}={SUPPORT / 'revocation-2-list.json'}"]

#: A P-256 issuer (ecdsa-sd-2023 fixtures): its private scalar.
P256_SCALAR = 0x5E1EC7ED15C105EDB1A5ED0CB0BADC0DE5EEDFEEDFACE5E1EC7ED15C105ED001

ISSUER = Ed25519Key.from_seed(ISSUER_SEED)
OTHER = Ed25519Key.from_seed(OTHER_SEED)
UNTRUSTED = Ed25519Key.from_seed(UNTRUSTED_SEED)


def _p256_issuer() -> EcdsaKey:
    from cryptography.hazmat.primitives.asymmetric import ec

    return EcdsaKey(ec.derive_private_key(P256_SCALAR, ec.SECP256R1()))


P256_ISSUER = _p256_issuer()


def base_credential(key: Ed25519Key = ISSUER, *, status_entry: dict[str, Any] | None = None) -> dict[str, Any]:
    """A valid, unsigned OB 3.0 AchievementCredential issued by ``key``'s did:key."""
    cred: dict[str, Any] = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": "urn:uuid:5b0e3d0e-1a2b-4c3d-8e4f-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": key.did_key, "type": ["Profile"], "name": "Example Test University"},
        "validFrom": VALID_FROM,
        "name": "Teamwork",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{
                "type": "IdentityObject",
                "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "Kosher",
            }],
            "achievement": {
                "id": "https://example.edu/achievements/teamwork",
                "type": ["Achievement"],
                "achievementType": "Badge",
                "name": "Teamwork",
                "description": "Works well in a team.",
                "criteria": {"narrative": "Nominated by peers."},
            },
        },
    }
    if status_entry is not None:
        cred["credentialStatus"] = status_entry
    return cred


def endorsement(subject_id: str, *, issuer: Ed25519Key = OTHER, n: int = 1, **extra: Any) -> dict[str, Any]:
    """A valid, unsigned EndorsementCredential by ``issuer``'s did:key about ``subject_id``."""
    cred: dict[str, Any] = {
        "@context": [jsonld.VC_V2, jsonld.OB_V3],
        "id": f"urn:uuid:e2d0c5a0-7c1e-4b7a-9f3e-{n:012d}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Accreditation of the Teamwork badge",
        "issuer": {"id": issuer.did_key, "type": ["Profile"], "name": "Example Accrediting Agency"},
        "validFrom": VALID_FROM,
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": "The Teamwork badge meets our standard for peer-assessed skills.",
        },
    }
    cred.update(extra)
    return cred


ACHIEVEMENT_ID = "https://example.edu/achievements/teamwork"


def sign(cred: dict[str, Any], key: Ed25519Key = ISSUER, *, vm: str | None = None,
         canonize: Callable[..., str] | None = None, **options: Any) -> dict[str, Any]:
    return proof.add_proof(cred, key.signer(vm), created=CREATED, canonize=canonize, **options)


def _lenient_canonize(document: Any, *, loader: Any = None) -> str:
    """RDFC-1.0 without safe mode: what a careless issuer would sign (terms silently dropped)."""
    from pyld import jsonld as pyld

    return pyld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                     "documentLoader": loader or jsonld.DEFAULT_LOADER, "base": None})


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# VC-JWT


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwt_payload(cred: dict[str, Any]) -> dict[str, Any]:
    """OB 3.0 VC-JWT payload: the credential plus iss, jti, nbf (sub only with a subject id)."""
    payload = dict(cred)
    payload.update({"iss": cred["issuer"]["id"], "jti": cred["id"], "nbf": 1735689600})  # = VALID_FROM
    return payload


def jwt_token(header: dict[str, Any], payload: dict[str, Any], key: Ed25519Key | None = ISSUER, *,
              hmac_secret: bytes | None = None) -> str:
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"
    if hmac_secret is not None:
        sig = hmac.new(hmac_secret, signing_input.encode(), hashlib.sha256).digest()
    elif key is None:
        sig = b""
    else:
        sig = key.sign(signing_input.encode())
    return f"{signing_input}.{_b64(sig)}"


def eddsa_header(key: Ed25519Key = ISSUER) -> dict[str, Any]:
    return {"alg": "EdDSA", "typ": "JWT", "kid": did.did_key_verification_method(key.public_key)}


def vc_jose_header(key: Ed25519Key = ISSUER, **extra: Any) -> dict[str, Any]:
    """A W3C VC-JOSE-COSE ``application/vc+jwt`` header (``typ: vc+jwt``, ``cty: vc``)."""
    return {"alg": "EdDSA", "typ": "vc+jwt", "cty": "vc", "kid": did.did_key_verification_method(key.public_key), **extra}


def vc_jose_payload(cred: dict[str, Any], **claims: Any) -> dict[str, Any]:
    """A vc+jwt payload: the credential itself plus iss (no nbf/exp: there they time the signature)."""
    return {**cred, "iss": cred["issuer"]["id"], **claims}


def enveloped(token: str) -> bytes:
    """A VCDM 2.0 ``EnvelopedVerifiableCredential`` carrying ``token`` as ``application/vc+jwt``."""
    return _json({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "EnvelopedVerifiableCredential",
                  "id": f"data:application/vc+jwt,{token}"})


def jwk_header(key: Ed25519Key = ISSUER) -> dict[str, Any]:
    """A header naming its key only by a ``jwk`` (no kid)."""
    return {"alg": "EdDSA", "typ": "JWT", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": _b64(key.public_key)}}


# ---------------------------------------------------------------------------------------------
# the cases


def _signed(**kw: Any) -> dict[str, Any]:
    return sign(base_credential(**kw))


def _mutate(cred: dict[str, Any], fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    out = copy.deepcopy(cred)
    fn(out)
    return out


def _poison(good: dict[str, Any], hubs: int, leaves: int) -> dict[str, Any]:
    """An RDFC-1.0 "poison graph": ``hubs`` look-alike blank nodes, each pointed at by ``leaves``
    look-alike blank nodes (``Result.value`` references). Every node shares its first-degree hash
    with others, so N-degree hashing tries every ordering of a hub's leaves: with 2 x 8 nodes
    PyLD's URDNA2015 needs seconds, with 2 x 1000 hours. The proof is the base credential's (it
    does not matter: check 3 must refuse the document before any signature work)."""
    nodes: list[dict[str, Any]] = [{"id": f"_:hub{h}", "type": ["Result"]} for h in range(hubs)]
    nodes += [{"id": f"_:leaf{h}-{i}", "type": ["Result"], "value": {"id": f"_:hub{h}"}}
              for h in range(hubs) for i in range(leaves)]
    return _mutate(good, lambda c: c["credentialSubject"].__setitem__("result", nodes))


def cases() -> dict[str, bytes]:
    """File name -> bytes, for every invalid case."""
    good = _signed()
    out: dict[str, bytes] = {}

    # 1. parse
    out["parse--malformed.json"] = _json(good)[:-200]
    out["parse--too-deep.json"] = _json(_mutate(good, lambda c: c.__setitem__("evidence", json.loads("[" * 100 + "]" * 100))))
    out["parse--not-utf8.json"] = b'{"name": "\xff\xfe\xfa"}\n'
    out["parse--empty.json"] = b""
    out["parse--not-an-object.json"] = b'["VerifiableCredential"]\n'

    # 2. schema (signed after the change, so only the schema check fails)
    out["schema--missing-name.json"] = _json(sign(_mutate(base_credential(), lambda c: c["credentialSubject"]["achievement"].pop("name"))))
    out["schema--subject-without-identifier.json"] = _json(sign(_mutate(base_credential(), lambda c: c["credentialSubject"].pop("identifier"))))
    out["schema--bad-achievement-type.json"] = _json(sign(_mutate(
        base_credential(), lambda c: c["credentialSubject"]["achievement"].__setitem__("achievementType", "Trophy"))))

    # 3. contexts
    out["contexts--unknown-context.json"] = _json(_mutate(good, lambda c: c["@context"].append("https://w3id.org/security/suites/jws-2020/v1")))
    out["contexts--remote-context.json"] = _json(_mutate(
        good, lambda c: c["credentialSubject"].__setitem__("@context", "https://attacker.example/redefine.jsonld")))
    out["contexts--inline-context.json"] = _json(_mutate(
        good, lambda c: c["@context"].append({"name": "https://attacker.example/vocab#title"})))
    out["contexts--dropped-term.json"] = _json(sign(
        _mutate(base_credential(), lambda c: c["credentialSubject"]["achievement"].__setitem__("level", "gold")),
        canonize=_lenient_canonize))
    out["contexts--undefined-type.json"] = _json(sign(
        _mutate(base_credential(), lambda c: c["credentialSubject"]["achievement"]["type"].append("GoldBadge")),
        canonize=_lenient_canonize))
    out["contexts--poison-blank-nodes.json"] = _json(_poison(good, 2, 1000))  # ~2,000 interlinked blank nodes
    out["contexts--poison-look-alike-nodes.json"] = _json(_poison(good, 2, 8))  # small, but N-degree would explode

    # 4. proof structure
    out["proof-structure--missing-proof.json"] = _json(base_credential())
    # Data Integrity 1.0 §2.1: verificationMethod MUST be a URL (here the bare multikey; RDFC-1.0
    # cannot even canonicalise such a proof configuration, so it cannot have been signed).
    out["proof-structure--verification-method-not-a-url.json"] = _json(_mutate(
        good, lambda c: c["proof"][0].__setitem__("verificationMethod", ISSUER.public_key_multibase)))
    out["proof-structure--wrong-purpose.json"] = _json(sign(base_credential(), proof_purpose="authentication"))
    out["proof-structure--no-proof-value.json"] = _json(_mutate(good, lambda c: c["proof"][0].pop("proofValue")))
    cred = base_credential()
    out["proof-structure--jwt-alg-none.jwt"] = jwt_token({"alg": "none", "typ": "JWT"}, jwt_payload(cred), None).encode()
    out["proof-structure--jwt-hs256.jwt"] = jwt_token({"alg": "HS256", "typ": "JWT"}, jwt_payload(cred),
                                                      hmac_secret=ISSUER.public_key).encode()
    out["proof-structure--jwt-extra-header.jwt"] = jwt_token(
        {**eddsa_header(), "x5u": "https://attacker.example/cert.pem"}, jwt_payload(cred)).encode()
    out["proof-structure--jwt-private-jwk.jwt"] = jwt_token(
        {"alg": "EdDSA", "jwk": {"kty": "OKP", "crv": "Ed25519", "x": _b64(ISSUER.public_key), "d": _b64(ISSUER_SEED)}},
        jwt_payload(cred)).encode()
    out["proof-structure--jwt-claim-mismatch.jwt"] = jwt_token(
        eddsa_header(), {**jwt_payload(cred), "iss": "https://attacker.example/issuer"}).encode()

    # 5. issuer key
    out["issuer-key--wrong-key.json"] = _json(sign(base_credential(), OTHER))
    out["issuer-key--foreign-verification-method.json"] = _json(
        sign(base_credential(), vm=f"https://attacker.example/issuers/1#{ISSUER.public_key_multibase}"))
    out["issuer-key--malformed-did-key.json"] = _json(_mutate(
        good, lambda c: c["proof"][0].__setitem__("verificationMethod", "did:key:z6MkBAD#z6MkBAD")))
    out["issuer-key--jwt-wrong-did-key.jwt"] = jwt_token(eddsa_header(OTHER), jwt_payload(cred), OTHER).encode()
    # Only a jwk header, and it is not the key of the did:key issuer (a did:key is its key).
    out["issuer-key--jwt-jwk-not-the-issuer-did-key.jwt"] = jwt_token(jwk_header(OTHER), jwt_payload(cred), OTHER).encode()

    # 6. signature
    out["signature--tampered-name.json"] = _json(_mutate(good, lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership")))
    out["signature--tampered-recipient.json"] = _json(_mutate(
        good, lambda c: c["credentialSubject"]["identifier"][0].__setitem__(
            "identityHash", "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc")))
    # A suite badgekit implements, on a key that suite cannot use (ECDSA named, Ed25519 key).
    out["signature--ecdsa-suite-on-an-ed25519-key.json"] = _json(_mutate(
        good, lambda c: c["proof"][0].__setitem__("cryptosuite", "ecdsa-rdfc-2019")))
    out["signature--tampered-eddsa-jcs-2022.json"] = _json(_mutate(
        sign_jcs(base_credential()), lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership")))
    out["signature--tampered-proof-created.json"] = _json(_mutate(good, lambda c: c["proof"][0].__setitem__("created", "2025-01-02T00:00:00Z")))
    out["signature--tampered-proof-value.json"] = _json(_mutate(
        good, lambda c: c["proof"][0].__setitem__("proofValue", c["proof"][0]["proofValue"][:-2] + ("22" if not c["proof"][0]["proofValue"].endswith("22") else "33"))))
    token = jwt_token(eddsa_header(), jwt_payload(cred))
    forged = jwt_payload(_mutate(cred, lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership")))
    h, _, s = token.split(".")
    out["signature--jwt-tampered-payload.jwt"] = f"{h}.{_b64(json.dumps(forged).encode())}.{s}".encode()

    # 7. validity
    out["validity--expired.json"] = _json(sign(_mutate(base_credential(), lambda c: c.__setitem__("validUntil", "2025-06-30T00:00:00Z"))))
    out["validity--not-yet-valid.json"] = _json(sign(_mutate(base_credential(), lambda c: c.__setitem__("validFrom", "2027-01-01T00:00:00Z"))))
    # XSD dateTimeStamp offsets lie within ±14:00 (VC 2.0 "Validity Period"); the schema's RFC 3339 allows +23:59.
    out["validity--offset-beyond-14-hours.json"] = _json(sign(_mutate(base_credential(), lambda c: c.__setitem__("validFrom", "2025-01-01T00:00:00+14:30"))))
    out["validity--ends-before-it-starts.json"] = _json(sign(_mutate(
        base_credential(), lambda c: (c.__setitem__("validFrom", "2025-06-01T00:00:00Z"), c.__setitem__("validUntil", "2025-05-01T00:00:00Z")))))

    # 8. status (lists in support/lists/)
    out["status--revoked.json"] = _json(_signed(status_entry=status.status_entry(REVOCATION_LIST, REVOKED_INDEX, "revocation")))
    out["status--suspended.json"] = _json(_signed(status_entry=status.status_entry(SUSPENSION_LIST, SUSPENDED_INDEX, "suspension")))
    # The issuer's own, validly signed, clean list 2 given as list 3: its id must be the URL.
    out["status--list-id-mismatch.json"] = _json(_signed(status_entry=status.status_entry(SWAPPED_LIST, REVOKED_INDEX, "revocation")))

    # 9. trust (support/trust.json lists the fixture issuer only)
    out["trust--unknown-issuer.json"] = _json(sign(base_credential(UNTRUSTED), UNTRUSTED))

    # 10. recipient (VERIFY_ARGS ask for RECIPIENT; each credential is signed, so only check 10 fails)
    identifier = lambda c: c["credentialSubject"]["identifier"][0]  # noqa: E731
    out["recipient--someone-else-hashed.json"] = _json(sign(_mutate(base_credential(), lambda c: identifier(c).update({
        "identityHash": "sha256$658625b25ab3d75d613ca97d9a5a77f70e2192feca5557f4ad09a4d4f121f5fc", "salt": "FleurDeSel"}))))
    out["recipient--someone-else-plaintext.json"] = _json(sign(_mutate(base_credential(), lambda c: identifier(c).update({
        "identityHash": "b@example.com", "hashed": False, "salt": ""}))))
    out["recipient--salt-does-not-match.json"] = _json(sign(_mutate(
        base_credential(), lambda c: identifier(c).__setitem__("salt", "Kosher2"))))
    out["recipient--other-identity-type.json"] = _json(sign(_mutate(
        base_credential(), lambda c: identifier(c).__setitem__("identityType", "sisSourcedId"))))
    out["recipient--subject-id-only.json"] = _json(sign(_mutate(base_credential(), lambda c: (
        c["credentialSubject"].pop("identifier"), c["credentialSubject"].__setitem__("id", "did:example:someone-else")))))

    # 11. endorsements (signed by OTHER; the credential is signed after embedding them, so only
    # check 11 fails)
    def endorsed(where: str, value: Any, prop: str = "endorsement") -> bytes:
        def put(c: dict[str, Any]) -> None:
            host = {"credential": c, "issuer": c["issuer"], "achievement": c["credentialSubject"]["achievement"]}[where]
            host[prop] = [value]
        return _json(sign(_mutate(base_credential(), put)))

    good_endorsement = sign(endorsement(ACHIEVEMENT_ID), OTHER)
    out["endorsements--tampered-comment.json"] = endorsed("achievement", _mutate(
        good_endorsement, lambda e: e["credentialSubject"].__setitem__("endorsementComment", "The best badge there is.")))
    out["endorsements--wrong-issuer-key.json"] = endorsed("achievement", sign(endorsement(ACHIEVEMENT_ID), UNTRUSTED))
    out["endorsements--expired.json"] = endorsed("issuer", sign(endorsement(
        ISSUER.did_key, validUntil="2025-06-30T00:00:00Z"), OTHER))
    e = endorsement(ACHIEVEMENT_ID)
    token = jwt_token(eddsa_header(OTHER), jwt_payload(e), OTHER)
    forged = jwt_payload(_mutate(e, lambda x: x["credentialSubject"].__setitem__("endorsementComment", "Forged.")))
    h, _, s = token.split(".")
    out["endorsements--jwt-bad-signature.json"] = endorsed("credential", f"{h}.{_b64(json.dumps(forged).encode())}.{s}",
                                                          "endorsementJwt")
    out["endorsements--not-an-endorsement.json"] = endorsed("credential", jwt_token(
        eddsa_header(OTHER), jwt_payload(base_credential(OTHER)), OTHER), "endorsementJwt")
    out["endorsements--too-many.json"] = _json(_sign_with(_mutate(base_credential(), lambda c: c["credentialSubject"]["achievement"]
                                                                  .__setitem__("endorsement", [good_endorsement] * 17))))
    out.update(hostile_cases(good))
    out.update(sd_jwt_cases())
    out.update(ecdsa_sd_cases())
    return out


# ---------------------------------------------------------------------------------------------
# SD-JWT VC (RFC 9901), assembled by hand: fixed salts, so the files are reproducible

SD_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"


def _disclosure(*parts: Any) -> tuple[str, str]:
    """(the encoded disclosure, its SHA-256 digest)."""
    encoded = _b64(json.dumps(list(parts)).encode())
    return encoded, _b64(hashlib.sha256(encoded.encode("ascii")).digest())


def sd_jwt(key: Ed25519Key = ISSUER) -> tuple[dict[str, Any], list[str]]:
    """The base credential as an SD-JWT VC payload, its identifier a selectively disclosable
    array element, and the disclosures (its header: :func:`sd_header`)."""
    cred = base_credential(key)
    encoded, digest = _disclosure("salt-identifier-0", cred["credentialSubject"]["identifier"][0])
    cred["credentialSubject"]["identifier"] = [{"...": digest}]
    return {**jwt_payload(cred), "vct": SD_VCT, "_sd_alg": "sha-256"}, [encoded]


def sd_header(key: Ed25519Key = ISSUER) -> dict[str, Any]:
    return {**eddsa_header(key), "typ": "dc+sd-jwt"}


def sd_token(payload: dict[str, Any], disclosures: list[str], header: dict[str, Any] | None = None,
             key: Ed25519Key = ISSUER) -> str:
    return jwt_token(header or sd_header(key), payload, key) + "~" + "".join(f"{d}~" for d in disclosures)


def sd_jwt_cases() -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    payload, disclosures = sd_jwt()
    forged, _ = _disclosure("salt-forged", "result", [{"type": ["Result"], "value": "100"}])
    out["parse--sd-jwt-disclosure-not-an-array.sd-jwt"] = sd_token(payload, [_b64(b'{"salt": "x"}')]).encode()
    out["proof-structure--sd-jwt-unreferenced-disclosure.sd-jwt"] = sd_token(payload, [*disclosures, forged]).encode()
    out["proof-structure--sd-jwt-disclosure-presented-twice.sd-jwt"] = sd_token(payload, disclosures * 2).encode()
    vct, vct_digest = _disclosure("salt-vct", "vct", SD_VCT)
    hidden_vct = {k: v for k, v in payload.items() if k != "vct"} | {"_sd": [vct_digest]}
    out["proof-structure--sd-jwt-reserved-claim-disclosed.sd-jwt"] = sd_token(hidden_vct, [*disclosures, vct]).encode()
    out["proof-structure--sd-jwt-wrong-typ.sd-jwt"] = sd_token(payload, disclosures, eddsa_header()).encode()
    h, _, rest = sd_token(payload, disclosures).split(".", 2)
    forged_payload = {**payload, "name": "Leadership"}
    out["signature--sd-jwt-tampered-payload.sd-jwt"] = f"{h}.{_b64(json.dumps(forged_payload).encode())}.{rest}".encode()
    out["issuer-key--sd-jwt-wrong-did-key.sd-jwt"] = sd_token(payload, disclosures, key=OTHER).encode()
    return out


# ---------------------------------------------------------------------------------------------
# ecdsa-sd-2023 (VC-DI-ECDSA 1.0 §3.4-3.6): hostile proof values on a credential of the P-256
# issuer (on the trust list), so only check 6 can fail. The CBOR is written byte by byte.


def _sd_proof(cred: dict[str, Any], proof_value: str) -> dict[str, Any]:
    return {**cred, "proof": [{"type": "DataIntegrityProof", "cryptosuite": "ecdsa-sd-2023", "created": CREATED,
                               "verificationMethod": P256_ISSUER.signer().verification_method,
                               "proofPurpose": "assertionMethod", "proofValue": proof_value}]}


def _sd_value(header: bytes, cbor: bytes) -> str:
    return "u" + _b64(header + cbor)


def _cbor_bytes(data: bytes) -> bytes:
    assert len(data) < 256
    return (b"\x58" + bytes([len(data)]) if len(data) >= 24 else bytes([0x40 + len(data)])) + data


def ecdsa_sd_cases() -> dict[str, bytes]:
    """Derived and base ecdsa-sd-2023 proof values badgekit must refuse with a reason: integers
    beyond what the reference implementation holds, CBOR nested past any proof's shape, a
    mandatory pointer with more digits than Python converts."""
    cred = base_credential(P256_ISSUER)  # type: ignore[arg-type] - any key with a did:key
    sig, pub = _cbor_bytes(b"\x01" * 64), _cbor_bytes(b"\x80\x24\x02" + b"\x01" * 32)
    sigs, indexes = b"\x81" + sig, b"\x81\x00"
    label = _cbor_bytes(b"\x03" * 32)
    bignum = b"\xc2\x59\x07\xd0" + b"\x01" * 2000  # tag 2, a 2,000-byte (4,817-digit) integer
    derived, base = cryptosuites.SD_DERIVED_HEADER, cryptosuites.SD_BASE_HEADER
    out: dict[str, bytes] = {}
    out["signature--ecdsa-sd-2023-bignum-label.json"] = _json(_sd_proof(cred, _sd_value(
        derived, b"\x85" + sig + pub + sigs + b"\xa1" + bignum + label + indexes)))
    out["signature--ecdsa-sd-2023-bignum-index.json"] = _json(_sd_proof(cred, _sd_value(
        derived, b"\x85" + sig + pub + sigs + b"\xa1\x00" + label + b"\x81" + bignum)))
    out["signature--ecdsa-sd-2023-cbor-nested-1000-deep.json"] = _json(_sd_proof(cred, _sd_value(derived, b"\x81" * 1000 + b"\x00")))
    pointer = ("/credentialSubject/identifier/0/" + "9" * 5000).encode()
    pointers = b"\x81\x79" + len(pointer).to_bytes(2, "big") + pointer
    out["signature--ecdsa-sd-2023-pointer-with-5000-digits.json"] = _json(_sd_proof(cred, _sd_value(
        base, b"\x85" + sig + pub + _cbor_bytes(b"\x04" * 32) + sigs + pointers)))
    return out


def valid_sd_jwt() -> bytes:
    """The base credential as an SD-JWT VC, its identifier disclosed: valid under :data:`VERIFY_ARGS`."""
    return sd_token(*sd_jwt()).encode()


def _sign_with(cred: dict[str, Any], **options: Any) -> dict[str, Any]:
    """``cred`` signed by the issuer with extra proof options (created, expires, previousProof…),
    without the bounds :func:`badgekit.proof.add_proof` applies (what another signer would write);
    with no options, byte for byte what :func:`sign` gives."""
    opts = {**proof.proof_options(ISSUER.signer().verification_method, created=CREATED), **options}
    data = proof.hash_data(cred, opts)
    return {**cred, "proof": [{**opts, "proofValue": "z" + did.b58encode(ISSUER.signer().sign(data.hash_data))}]}


#: Proof ids of the proof set and chain fixtures.
PROOF_1, PROOF_2 = "urn:uuid:5b0e3d0e-0000-4000-8000-0000000000f1", "urn:uuid:5b0e3d0e-0000-4000-8000-0000000000f2"


def _cosign(cred: dict[str, Any], key: Ed25519Key, *, signs: list[dict[str, Any]] | None = None,
            **options: Any) -> dict[str, Any]:
    """``cred`` with one more proof by ``key`` (proof ``options``: id, previousProof, created…),
    made by hand as another signer would: it signs the credential with the proofs its
    previousProof names, or with ``signs`` when given (what a broken signer would write)."""
    proofs = proof.proofs_of(cred)
    opts = {**proof.proof_options(key.signer().verification_method, created=CREATED), **options}
    previous = proofsets.matching(proofs, opts) if signs is None else signs
    data = proof.hash_data(cred, opts, previous=previous)
    return {**cred, "proof": [*proofs, {**opts, "proofValue": "z" + did.b58encode(key.signer().sign(data.hash_data))}]}


def valid_proof_chain() -> bytes:
    """The base credential signed by its issuer (proof id :data:`PROOF_1`), then by :data:`OTHER`
    (a notary) in a proof chained to it: valid under :data:`VERIFY_ARGS`."""
    return _json(_cosign(_sign_with(base_credential(), id=PROOF_1), OTHER, id=PROOF_2, previousProof=PROOF_1))


def chain_cases() -> dict[str, bytes]:
    """Proof sets and chains (VC Data Integrity 1.0 §2.1.1-2.1.2) that are not valid."""
    issuer_signed = _sign_with(base_credential(), id=PROOF_1)
    out: dict[str, bytes] = {}
    # A chain names the proof it follows by its id: missing, without an id, or a cycle.
    out["proof-structure--chain-dangling-previous-proof.json"] = _json(_sign_with(base_credential(), id=PROOF_2, previousProof=PROOF_1))
    out["proof-structure--chain-previous-proof-without-id.json"] = _json(_cosign(
        _sign_with(base_credential()), OTHER, signs=proof.proofs_of(_sign_with(base_credential())), id=PROOF_2,
        previousProof=PROOF_1))
    out["proof-structure--chain-cycle.json"] = _json(_cosign(
        _sign_with(base_credential(), id=PROOF_1, previousProof=PROOF_2), OTHER, signs=[], id=PROOF_2, previousProof=PROOF_1))
    # The notary's proof signed the issuer's first proof; the issuer's proof was then swapped for
    # another of the issuer's (same id, signed a day later): each verifies alone, not the chain.
    chained = _cosign(issuer_signed, OTHER, id=PROOF_2, previousProof=PROOF_1)
    swapped = _sign_with(base_credential(), id=PROOF_1, created="2025-01-02T00:00:00Z")["proof"][0]
    out["signature--chain-previous-proof-swapped.json"] = _json({**chained, "proof": [swapped, chained["proof"][1]]})
    # A proof set whose every proof verifies, none by the issuer.
    out["issuer-key--proof-set-without-the-issuer.json"] = _json(sign(sign(base_credential(), OTHER), UNTRUSTED))
    return out


def hostile_cases(good: dict[str, Any]) -> dict[str, bytes]:
    """Parser traps and re-spellings that keep the signature intact (tests/unit/test_verify_hostile.py)."""
    out: dict[str, bytes] = {}
    text = _json(good)
    # Python keeps the last duplicate (the signed value), other parsers the first: refused at parse.
    out["parse--duplicate-keys.json"] = text.replace(b'  "name": "Teamwork",', b'  "name": "Leadership",\n  "name": "Teamwork",', 1)
    out["parse--unpaired-surrogate.json"] = text.replace(b'  "name": "Teamwork",', b'  "name": "Team\\ud800work",', 1)
    out["parse--number-out-of-range.json"] = text.replace(b'"credentialSubject": {', b'"credentialSubject": {\n    "creditsEarned": 1e400,', 1)
    revoked = _signed(status_entry=status.status_entry(REVOCATION_LIST, REVOKED_INDEX, "revocation"))
    out["contexts--status-hidden-under-its-iri.json"] = _json({
        ("https://www.w3.org/2018/credentials#credentialStatus" if k == "credentialStatus" else k): v for k, v in revoked.items()})
    expired = sign(_mutate(base_credential(), lambda c: c.__setitem__("validUntil", "2025-06-30T00:00:00Z")))
    out["contexts--validity-hidden-in-nest.json"] = _json({
        **{k: v for k, v in expired.items() if k != "validUntil"}, "@nest": {"validUntil": expired["validUntil"]}})
    out["contexts--repeated-array-entry.json"] = _json(_mutate(good, lambda c: c["type"].append(c["type"][-1])))
    out["proof-structure--created-in-future.json"] = _json(_sign_with(base_credential(), created="2027-01-01T00:00:00Z"))
    out["proof-structure--expired-proof.json"] = _json(_sign_with(base_credential(), expires="2025-06-30T00:00:00Z"))
    out.update(chain_cases())
    # Base58 decoding is quadratic: a long proofValue must be refused by its length, not decoded.
    out["proof-structure--oversized-proof-value.json"] = _json(_mutate(
        good, lambda c: c["proof"][0].__setitem__("proofValue", "z" + "2" * 20_000)))
    cred = base_credential()
    # Two credentials in one token: the VC 1.1 "vc" claim and a VC 2.0 payload (no nbf: it would add a VC 1.1 issuanceDate).
    both = {**{k: v for k, v in jwt_payload(cred).items() if k != "nbf"}, "vc": cred}
    out["proof-structure--jwt-vc-and-top-level.jwt"] = jwt_token(eddsa_header(), both).encode()
    # W3C VC-JOSE-COSE application/vc+jwt: the rules that differ from OB 3.0's VC-JWT.
    out["proof-structure--vc-jose-vc-claim.jwt"] = jwt_token(vc_jose_header(), vc_jose_payload(cred, vc=cred)).encode()
    out["proof-structure--vc-jose-expired-signature.jwt"] = jwt_token(  # exp times the JWS: 2025-12-31, before FIXED_NOW
        vc_jose_header(), vc_jose_payload(cred, iat=1735689600, exp=1767139200)).encode()
    out["proof-structure--vc-jose-crit-header.jwt"] = jwt_token(vc_jose_header(crit=["b64"], b64=True), vc_jose_payload(cred)).encode()
    out["proof-structure--vc-jose-cty-vp.jwt"] = jwt_token(vc_jose_header(cty="vp"), vc_jose_payload(cred)).encode()
    h, _, s = jwt_token(vc_jose_header(), vc_jose_payload(cred)).split(".")
    forged = vc_jose_payload(_mutate(cred, lambda c: c["credentialSubject"]["achievement"].__setitem__("name", "Leadership")))
    out["signature--vc-jose-enveloped-tampered.json"] = enveloped(f"{h}.{_b64(json.dumps(forged).encode())}.{s}")
    # A validly enveloped credential with an unsigned, forged claim beside the data: URL.
    token = jwt_token(vc_jose_header(), vc_jose_payload(cred, iat=1735689600, exp=1798761600))
    out["parse--enveloped-with-unsigned-members.json"] = _json({
        **json.loads(enveloped(token)), "name": "Leadership", "credentialSubject": {"id": "did:example:mallory"}})
    out["parse--enveloped-not-a-data-url.json"] = _json({"@context": ["https://www.w3.org/ns/credentials/v2"],
                                                         "type": "EnvelopedVerifiableCredential", "id": "https://example.edu/c/1"})
    # Found by scripts/fuzz_verify.py: the envelope's own members are unsigned, so they are exact.
    out["parse--enveloped-context-not-vc-v2.json"] = _json({**json.loads(enveloped(token)), "@context": 100})
    out["parse--enveloped-with-another-type.json"] = _json({
        **json.loads(enveloped(token)), "type": ["EnvelopedVerifiableCredential", "OpenBadgeCredential"]})
    # A typ that is not a string (an array) is refused as a header problem, not a crash.
    out["proof-structure--jwt-typ-not-a-string.jwt"] = jwt_token({**eddsa_header(), "typ": ["JWT"]}, jwt_payload(cred)).encode()
    # The issuer described in full as the achievement's creator too; its name deleted from one
    # place: JSON-LD merges both descriptions, so the RDF, and the signature, are unchanged.
    both = sign(_mutate(base_credential(), lambda c: c["credentialSubject"]["achievement"].__setitem__(
        "creator", copy.deepcopy(c["issuer"]))))
    out["contexts--issuer-described-without-its-name.json"] = _json(_mutate(both, lambda c: c["issuer"].pop("name")))
    return out


def valid_endorsed() -> dict[str, Any]:
    """The base credential with one valid endorsement in each place (credential: as a VC-JWT;
    issuer and achievement: embedded), signed: valid under :data:`VERIFY_ARGS` (tests use it)."""
    cred = base_credential()
    cred["issuer"]["endorsement"] = [sign(endorsement(ISSUER.did_key, n=1), OTHER)]
    cred["credentialSubject"]["achievement"]["endorsement"] = [sign(endorsement(ACHIEVEMENT_ID, n=2), OTHER)]
    cred["endorsementJwt"] = [jwt_token(eddsa_header(OTHER), jwt_payload(endorsement(cred["id"], n=3)), OTHER)]
    return sign(cred)


def support_files() -> dict[str, bytes]:
    """Status lists and the trust list the cases are verified with."""
    files: dict[str, bytes] = {}
    for url, purpose, index in ((REVOCATION_LIST, "revocation", REVOKED_INDEX), (SUSPENSION_LIST, "suspension", SUSPENDED_INDEX)):
        bits = status.Bitstring()
        bits.set(index)
        unsigned = status.list_credential(url, purpose, bits, issuer=ISSUER.did_key, valid_from=VALID_FROM)
        signed = status.sign_list_credential(unsigned, ISSUER.signer(), created=CREATED)
        files[f"lists/{purpose}-list.json"] = _json(signed)
    clean = status.list_credential(CLEAN_LIST, "revocation", status.Bitstring(), issuer=ISSUER.did_key, valid_from=VALID_FROM)
    files["revocation-2-list.json"] = _json(status.sign_list_credential(clean, ISSUER.signer(), created=CREATED))
    files["trust.json"] = _json({"issuers": [
        # No keys listed: any key the issuer is shown to control (its own did:key) is accepted,
        # so the issuer-key cases fail check 5 only.
        {"id": ISSUER.did_key, "name": "Example Test University", "keys": []},
        {"id": OTHER.did_key, "name": "Another test issuer", "keys": []},
        {"id": P256_ISSUER.did_key, "name": "Example Test University (P-256 key)", "keys": []},
    ]})
    return files


def sign_jcs(cred: dict[str, Any], key: Ed25519Key = ISSUER) -> dict[str, Any]:
    """``cred`` with an ``eddsa-jcs-2022`` proof by ``key`` (VC-DI-EdDSA 1.0 §3.3; badgekit does not
    issue in this suite yet, so the fixture signs by hand). The proof carries the credential's
    ``@context``, as the W3C vector and the Digital Bazaar suite write it."""
    opts = {**proof.proof_options(key.signer().verification_method, created=CREATED),
            "cryptosuite": "eddsa-jcs-2022", "@context": cred["@context"]}
    signature = key.sign(cryptosuites.jcs_hash_data(cred, opts, "sha256"))
    return {**cred, "proof": [{**opts, "proofValue": "z" + did.b58encode(signature)}]}


def valid_eddsa_jcs_2022() -> bytes:
    """The base credential signed in ``eddsa-jcs-2022``: valid under :data:`VERIFY_ARGS`."""
    return _json(sign_jcs(base_credential()))


def unimplemented_suite() -> bytes:
    """The base credential whose proof names ``bbs-2023``, a suite badgekit does not
    implement: indeterminate (exit 3), never invalid, under :data:`VERIFY_ARGS`."""
    return _json(_mutate(_signed(), lambda c: c["proof"][0].__setitem__("cryptosuite", "bbs-2023")))


def valid_vc_jose(*, wrapped: bool) -> bytes:
    """The base credential as a W3C VC-JOSE-COSE ``application/vc+jwt`` (``cty: vc``, an ``iat``
    and an ``exp`` of the signature after :data:`FIXED_NOW`): a compact JWS, or (``wrapped``) an
    ``EnvelopedVerifiableCredential`` JSON holding it. Valid under :data:`VERIFY_ARGS`."""
    token = jwt_token(vc_jose_header(), vc_jose_payload(base_credential(), iat=1735689600, exp=1798761600))
    return enveloped(token) if wrapped else token.encode()


def valid_jwk_only_jwt() -> bytes:
    """The base credential as a VC-JWT whose header names the issuer's key only by ``jwk``:
    valid under :data:`VERIFY_ARGS`, the did:key issuer being its key (tests use it)."""
    return jwt_token(jwk_header(ISSUER), jwt_payload(base_credential())).encode()


def valid_control() -> bytes:
    """The base credential, signed: passes every check under :data:`VERIFY_ARGS` (tests use it)."""
    return _json(_signed())


def wanted_files() -> dict[str, bytes]:
    """Every file this script writes, by its name below tests/invalid/."""
    return {**cases(), **{f"support/{k}": v for k, v in support_files().items()}}


def main(argv: list[str]) -> int:
    return write_or_check(HERE, wanted_files(), argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

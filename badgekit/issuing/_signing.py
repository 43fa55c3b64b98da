"""Signing one planned credential: the job (what the ledger reserved + the roster row), the
unsigned document built from it, and its proof or JWS. The same code signs every row of
:func:`badgekit.issuing.issue_roster` (in worker processes) and :func:`badgekit.issuing.issue_credential`.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from badgekit import credential as cred
from badgekit import cryptosuites, did, jsonld, jwt, proof, sdjwt, status
from badgekit._io import dumps_json
from badgekit._time import parse_datetime_stamp
from badgekit.errors import BadgekitError, InputError, KeyFileError
from badgekit.issuing._options import FORMATS, JWS_FORMATS, IssueOptions
from badgekit.jwk import b64url_decode
from badgekit.keys import EcdsaKey, Ed25519Key, KeySigner, PrivateKey, RsaKey
from badgekit.roster import RosterRow


@dataclass(frozen=True)
class _Job:
    """One credential to sign: its reservation in the ledger and its roster row."""

    credential_id: str
    row: RosterRow
    issued_at: str
    valid_until: str | None
    list_url: str | None
    status_index: int | None
    purpose: str | None
    salt: str
    path: str
    #: a pathway award: credentialSubject ``id`` / ``identifier`` taken from a component credential
    subject: Mapping[str, Any] | None = None
    evidence: tuple[Mapping[str, Any], ...] = ()  # a pathway award: its component credentials


#: The fast path of bulk signing (Data Integrity, ``eddsa-rdfc-2022``): the credential built from a
#: template of the run's issuer and achievement (:class:`badgekit.credential.CredentialTemplate`),
#: whose size and JSON-LD walk are measured once (:class:`badgekit.jsonld.SharedParts`) and whose
#: JSON text is written once (:class:`_FastPath`). False: every credential through the reference
#: path (build_credential, check_signable, canonicalisation and json.dumps of the whole document),
#: which tests/unit/test_issuing_fast_paths.py compares byte for byte with the fast path.
FAST_PATHS = True


class _FastPath:
    """What the fast path prepares once per run (see :data:`FAST_PATHS`)."""

    def __init__(self, issuer: Mapping[str, Any], achievement: Mapping[str, Any]) -> None:
        t = self.template = cred.CredentialTemplate(issuer, achievement)
        self.shared = jsonld.SharedParts([t.issuer, t.achievement, t.schema, t.schema[0]])
        self.encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what dumps_json(indent=None) uses
        #: the same text without the cycle check (~10 % of the encoder's time): what it writes, a
        #: document of the stand-ins and the row's values, is a tree built by build_for_job
        self.tree_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
        #: The shared values written once, their JSON texts, and the stand-in of each: a string no
        #: other value can hold (a random token after a NUL, then the value's number).
        self.values = (t.context, t.issuer, t.achievement, t.schema)
        self.texts: tuple[str, ...] = ()
        try:
            texts = tuple(self.encoder.encode(v) for v in self.values)
        except (TypeError, ValueError):  # not JSON: dumps_json says so, for each credential
            return
        while not self.texts:
            token = secrets.token_hex(16)
            self.marks = tuple(f"\x00badgekit-{token}-{n}" for n in range(len(texts)))
            self.split = self.encoder.encode(f"\x00badgekit-{token}-")[:-1]  # '"\\u0000badgekit-<token>-'
            if not any(self.split in text for text in texts):
                self.texts = texts

    def dumps(self, signed: dict[str, Any]) -> str:
        """``dumps_json(signed, indent=None)``, with the text of the run's shared values (context,
        issuer, achievement, schema) written once: each is replaced by its stand-in in the document
        the C encoder writes, then the stand-in's text by the value's. The encoder writes a member's
        value the same wherever it is (no indent), so the result is the same text when the
        stand-ins' common beginning occurs exactly once for each of them (checked; else the whole
        document is written)."""
        subject = signed.get("credentialSubject")
        context, issuer, achievement, schema = self.values
        if (not self.texts or not isinstance(subject, dict) or signed.get("@context") is not context
                or signed.get("issuer") is not issuer or subject.get("achievement") is not achievement
                or signed.get("credentialSchema") is not schema):
            return dumps_json(signed, indent=None)
        marks = self.marks
        signed["@context"], signed["issuer"], subject["achievement"], signed["credentialSchema"] = marks
        try:
            text = self.tree_encoder.encode(signed)
        finally:
            signed["@context"], signed["issuer"], subject["achievement"], signed["credentialSchema"] = self.values
        pieces = text.split(self.split)
        # each piece after the first begins with a stand-in's number and its closing quote
        if len(pieces) != 5 or sorted(p[:2] for p in pieces[1:]) != ['0"', '1"', '2"', '3"']:
            return dumps_json(signed, indent=None)
        texts = self.texts
        return "".join([pieces[0], *(texts[int(p[0])] + p[2:] for p in pieces[1:]), "\n"])

    def sign(self, job: _Job, signer: KeySigner) -> tuple[dict[str, Any], str]:
        """The signed credential and its file's text, as the reference path makes them."""
        t = self.template
        unsigned = build_for_job(job, t.issuer, t.achievement, template=t)
        signed = proof.add_proof(unsigned, signer, created=job.issued_at, shared=self.shared)
        text = self.dumps(signed)
        # the credential handed on holds copies: the shared values stay the run's own
        signed["@context"] = list(t.context)
        signed["issuer"] = dict(t.issuer)
        signed["credentialSubject"]["achievement"] = dict(t.achievement)
        signed["credentialSchema"] = [dict(t.schema[0])]
        return signed, text


@dataclass(frozen=True)
class _Signing:
    """What is the same for every credential of a run: issuer, achievement and how to sign."""

    issuer: Mapping[str, Any]
    achievement: Mapping[str, Any]
    key: PrivateKey
    method: str | None  # the proof's verification method, or the JWT kid (see jwt_kid)
    fmt: str
    signer: KeySigner | None  # Data Integrity: the key bound to its method
    cryptosuite: str = proof.CRYPTOSUITE  # Data Integrity: the proof's suite
    #: The badge class's selectively disclosable members (``badgekit.disclose``; None: the default):
    #: an SD-JWT VC's disclosures, an ``ecdsa-sd-2023`` base proof's non-mandatory members.
    disclose: tuple[str, ...] | None = None
    #: eddsa-rdfc-2022: what the fast path prepared for the run (used while FAST_PATHS is True)
    fast: _FastPath | None = field(default=None, compare=False, repr=False)

    @classmethod
    def make(cls, key: PrivateKey, method: str | None, issuer: Mapping[str, Any], achievement: Mapping[str, Any],
             fmt: str = "ldp", cryptosuite: str | None = None, disclose: tuple[str, ...] | None = None) -> _Signing:
        if fmt in JWS_FORMATS:  # method is already the kid chosen by jwt_kid()
            return cls(issuer, achievement, key, method, fmt, None, disclose=disclose)
        assert isinstance(key, Ed25519Key | EcdsaKey)  # check_signing_setup refused anything else
        signer = key.signer(method)
        suite = cryptosuite or cryptosuites.default_suite(signer.key_type)
        fast = _FastPath(issuer, achievement) if suite == proof.CRYPTOSUITE else None
        return cls(issuer, achievement, key, method, fmt, signer, suite, disclose, fast)

    def sign(self, job: _Job) -> tuple[dict[str, Any], str]:
        """(the credential, the text of its file): JSON with a proof, or the VC-JWT / vc+jwt / SD-JWT VC itself."""
        if self.fast is not None and FAST_PATHS and self.signer is not None:
            return self.fast.sign(job, self.signer)
        unsigned = build_for_job(job, self.issuer, self.achievement)
        if self.fmt == "sd-jwt":
            disclose = sdjwt.DEFAULT_DISCLOSE if self.disclose is None else self.disclose
            return unsigned, sdjwt.issue(unsigned, self.key, kid=self.method, disclose=disclose)
        if self.signer is None:  # the file is the JWS, byte for byte
            securing = jwt.VC_JOSE if self.fmt == "vc+jwt" else jwt.VC_JWT
            return unsigned, jwt.sign_vc_jwt(unsigned, self.key, kid=self.method, securing=securing)
        pointers = None
        if self.cryptosuite == "ecdsa-sd-2023" and self.disclose is not None:
            from badgekit import ecdsa_sd  # start-up: cbor2, for ecdsa-sd-2023 base proofs only

            pointers = ecdsa_sd.default_mandatory_pointers(unsigned, ecdsa_sd.disclosable_pointers(self.disclose))
        signed = proof.add_proof(unsigned, self.signer, created=job.issued_at, cryptosuite=self.cryptosuite,
                                 mandatory_pointers=pointers)
        return signed, dumps_json(signed, indent=None)  # one line: the C encoder (pretty: jq, badgekit extract)


@dataclass(frozen=True)
class KeyIdentity:
    """The public half of a signing key: all that the checks before a run and the choice of
    verification method need. A run on a cluster knows its key only this way (each worker holds
    the private key, see :mod:`badgekit.issuing.cluster`)."""

    kind: Literal["Ed25519", "RSA", "P-256", "P-384"]
    public_jwk: Mapping[str, str]

    @classmethod
    def of(cls, key: PrivateKey | KeyIdentity) -> KeyIdentity:
        if isinstance(key, KeyIdentity):
            return key
        if isinstance(key, EcdsaKey):
            return cls("P-256" if key.curve == "P-256" else "P-384", dict(key.public_jwk))
        return cls("RSA" if isinstance(key, RsaKey) else "Ed25519", dict(key.public_jwk))

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any], *, source: str) -> KeyIdentity:
        """Raises: KeyFileError: ``jwk`` is neither an Ed25519 nor an RSA public key (names ``source``)."""
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519" and isinstance(jwk.get("x"), str):
            return cls("Ed25519", {"kty": "OKP", "crv": "Ed25519", "x": str(jwk["x"])})
        if jwk.get("kty") == "RSA" and isinstance(jwk.get("n"), str) and isinstance(jwk.get("e"), str):
            return cls("RSA", {"kty": "RSA", "n": str(jwk["n"]), "e": str(jwk["e"])})
        crv = jwk.get("crv")
        if jwk.get("kty") == "EC" and crv in ("P-256", "P-384") and isinstance(jwk.get("x"), str) and isinstance(jwk.get("y"), str):
            return cls("P-256" if crv == "P-256" else "P-384",
                       {"kty": "EC", "crv": str(crv), "x": str(jwk["x"]), "y": str(jwk["y"])})
        raise KeyFileError(f"{source}: not an Ed25519, P-256, P-384 or RSA public key")

    @property
    def ed25519_public_key(self) -> bytes:
        """The raw public key a Data Integrity key is named by: Ed25519's 32 bytes, or the SEC1
        compressed point of a P-256 / P-384 key (:func:`badgekit.did.public_key_from_jwk`)."""
        if self.kind == "Ed25519":
            return b64url_decode(self.public_jwk["x"], what="Ed25519 public key")
        return did.public_key_from_jwk(self.public_jwk)

    def method(self, verification_method: str | None) -> str:
        """A Data Integrity key's proof method: ``verification_method``, else its own did:key method."""
        return verification_method or did.did_key_verification_method(self.ed25519_public_key)


def _parse_ts(text: str) -> datetime:
    return parse_datetime_stamp(text, field="timestamp")  # one badgekit wrote: never fails


def build_for_job(job: _Job, issuer: Mapping[str, Any], achievement: Mapping[str, Any],
                  template: cred.CredentialTemplate | None = None) -> dict[str, Any]:
    """The unsigned credential for a planned job (pure: same job, same document); ``template``:
    made of ``issuer`` and ``achievement``, builds the same document (the fast path)."""
    row = job.row
    entry = (
        status.status_entry(job.list_url, job.status_index, job.purpose)  # type: ignore[arg-type]  # the ledger keeps the purpose as text; it holds one of status.PURPOSES (status_entry checks)
        if job.list_url is not None and job.status_index is not None
        else None
    )
    values: dict[str, Any] = {
        "credential_id": job.credential_id,
        "recipient": cred.Recipient.from_row(row),
        "values": row,
        "salt": job.salt,
        "valid_from": row.issued or _parse_ts(job.issued_at),
        "valid_until": _parse_ts(job.valid_until) if job.valid_until else None,
        "status_entry": entry,
        "identity": job.subject,
        "evidence": job.evidence,
    }
    if template is not None:
        return template.build(**values)
    return cred.build_credential(issuer=issuer, achievement=achievement, **values)


def check_signing_setup(key: PrivateKey | KeyIdentity, issuer: Mapping[str, Any], options: IssueOptions) -> None:
    """Refuse a key, format and issuer that cannot work together, before anything is reserved.

    Raises:
        InputError: unknown format; an RSA key with the Data Integrity format; a P-384 key with a
            JWT format (badgekit signs ES256, not ES384); an RSA key for a did:key issuer, or for an
            issuer whose id cannot name its method (see :func:`jwt_kid`).
        KeyFileError: the key is not the issuer's: not its did:key, or not listed under the
            method it signs as in ``options.issuer_document`` (see :func:`badgekit.did.check_issuer_key`).
    """
    ident = KeyIdentity.of(key)
    if options.format not in FORMATS:
        raise InputError(f"format {options.format!r} is not one of {', '.join(FORMATS)}")
    jws = options.format in JWS_FORMATS
    if ident.kind == "RSA" and not jws:
        raise InputError("an RSA key signs only VC-JWT and SD-JWT VC (RS256): Data Integrity proofs (eddsa-rdfc-2022) need an Ed25519 key",
                         hint="issue with --format jwt (or vc+jwt, sd-jwt), or sign with an Ed25519 key")
    if ident.kind == "P-384" and jws:
        raise InputError("a P-384 key signs Data Integrity proofs (ecdsa-rdfc-2019 / ecdsa-jcs-2019), not JWTs: badgekit "
                         "signs ES256 (P-256), EdDSA (Ed25519) and RS256 (RSA), not ES384",
                         hint="issue with --format ldp, or sign JWTs with a P-256 key ('badgekit key generate --type p256')")
    if not jws:
        suite = proof_suite(ident, options)
        assert suite is not None
        try:
            known = cryptosuites.signing_suite(suite)
        except BadgekitError as exc:
            raise InputError(exc.message) from None
        if ident.kind not in known.key_types:
            raise InputError(f"{suite} needs a key of type {' or '.join(known.key_types)}; the signing key is {ident.kind}",
                             hint=cryptosuites.suites_for_hint(ident.kind))
    if ident.kind == "RSA":
        did.check_issuer_key(str(issuer.get("id", "")), str(jwt_kid(ident, issuer, options)), ident.public_jwk, options.issuer_document)
    else:
        method = jwt_kid(ident, issuer, options) if jws else ident.method(options.verification_method)
        did.check_issuer_key(str(issuer.get("id", "")), str(method), ident.ed25519_public_key, options.issuer_document)


def jwt_kid(key: PrivateKey | KeyIdentity, issuer: Mapping[str, Any], options: IssueOptions) -> str | None:
    """The ``kid`` of the VC-JWTs (and vc+jwt) ``key`` signs for ``issuer``: the verification method
    a verifier dereferences to find this very key.

    * Ed25519 (EdDSA): the project's ``verification_method``, else the key's own did:key method.
    * P-256 (ES256): for a did:key issuer its own did:key method (``did:key:zDn…#zDn…``); else the
      first ``assertionMethod`` of the issuer's document (did.json) holding this key (the Multikey
      ``badgekit key did-web`` lists beside the Ed25519 key), else ``verification_method``.
    * RSA (RS256): ``jwt_verification_method`` when set, else ``<issuer id>#<RFC 7638 JWK
      thumbprint>``, the ``JsonWebKey`` method ``badgekit key did-web`` lists for it. Never the
      Ed25519 ``verification_method``: that names another key, and a verifier following the kid
      would find the Ed25519 key and refuse the RS256 signature.

    Raises:
        InputError: an RSA key for a did:key issuer (a did:key names one Ed25519 key), or for an
            issuer id that is neither a DID nor an http(s) URL without ``jwt_verification_method``.
    """
    ident = KeyIdentity.of(key)
    issuer_id = str(issuer.get("id", ""))
    if ident.kind == "Ed25519":
        return ident.method(options.verification_method)
    if ident.kind != "RSA":
        if issuer_id.startswith("did:key:"):
            return ident.method(None)
        return did.assertion_method_of(options.issuer_document, ident.ed25519_public_key) or ident.method(options.verification_method)
    if issuer_id.startswith("did:key:"):
        raise InputError(f"issuer {issuer_id} is a did:key, which names an Ed25519 key; an RSA key cannot sign for it",
                         hint="give the issuer a did:web or https:// id and list the RSA key with 'badgekit key did-web'")
    if options.jwt_verification_method:
        return options.jwt_verification_method
    if not issuer_id.startswith(("did:", "https://", "http://")) or "#" in issuer_id:
        raise InputError(f"issuer id {issuer_id!r} cannot name the RSA key's verification method (the JWT kid)",
                         hint="give the issuer a did:web or https:// id, or set [issuer] jwt_verification_method in badgekit.toml")
    return did.rsa_verification_method(issuer_id, ident.public_jwk)


def proof_suite(key: PrivateKey | KeyIdentity, options: IssueOptions) -> str | None:
    """The cryptosuite of a run's Data Integrity proofs: ``options.cryptosuite``, else the default
    for the key's type (:func:`badgekit.cryptosuites.default_suite`); None for VC-JWT, vc+jwt and SD-JWT VC."""
    if options.format in JWS_FORMATS:
        return None
    return options.cryptosuite or cryptosuites.default_suite(KeyIdentity.of(key).kind)


def signing_method(key: PrivateKey | KeyIdentity, issuer: Mapping[str, Any], options: IssueOptions) -> str | None:
    """The proof's verification method (Data Integrity) or the JWT kid (VC-JWT, vc+jwt, SD-JWT VC) of a run."""
    return jwt_kid(key, issuer, options) if options.format in JWS_FORMATS else options.verification_method

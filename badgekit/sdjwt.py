"""SD-JWT VC (RFC 9901 SD-JWT, draft-ietf-oauth-sd-jwt-vc) for Open Badges 3.0: issue, read, check.

An SD-JWT is ``<issuer-signed JWT>~<disclosure>~…~<disclosure>~[<key binding JWT>]``. The issuer
signs a payload in which each selectively disclosable claim is replaced by the digest of its
disclosure (``_sd`` for an object member, ``{"...": digest}`` for an array element); the holder
presents the disclosures of the claims it chooses to reveal.

**Payload shape** (what badgekit issues, and what it checks as an Open Badge): the OB 3.0
credential itself (``@context``, ``type``, ``issuer``, ``credentialSubject``…, exactly as in a
VC-JWT) plus the JWT claims that frame it (``iss`` = issuer id, ``jti`` = id, ``sub`` =
credentialSubject.id, ``nbf`` = validFrom, ``exp`` = validUntil; :func:`badgekit.jwt.vc_jwt_claims`),
``vct`` naming the OB 3.0 type by its IRI in the OB context (:data:`OB_VCT`) and ``_sd_alg``.
Header: ``typ: "dc+sd-jwt"`` (``vc+sd-jwt``, the earlier name, accepted), ``alg`` EdDSA, ES256
or RS256, ``kid`` / ``jwk`` as for a VC-JWT (:func:`badgekit.jwt.resolve_key`). Status stays the
credential's ``credentialStatus`` (a Bitstring Status List entry), never disclosable.

Selective disclosure is chosen per badge class (``badgekit.disclose``, :data:`DISCLOSABLE`);
by default :data:`DEFAULT_DISCLOSE`: the recipient's identity objects, results and evidence. A
member holding an array is disclosed element by element, any other member as a whole.
Salts are 128 random bits (:func:`random_salt`); tests inject their own source.

Reading (:func:`parse`, :func:`process`) applies RFC 9901 §7.1: every disclosure's digest must be
referenced exactly once, no digest may appear twice, no disclosure may go unreferenced, and the
claim names ``_sd``, ``...`` and the SD-JWT VC claims (:data:`NEVER_DISCLOSED`) are never disclosed.
Integrity problems are returned (check 4 of ``badgekit verify`` reports them); malformed encodings
and the bounds of :mod:`badgekit.limits` raise.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from badgekit import jwt, limits
from badgekit._io import MAX_INPUT_BYTES, MAX_JSON_DEPTH, loads_json
from badgekit.errors import InputError, JwtError, LimitExceeded
from badgekit.jwk import PRIVATE_JWK_MEMBERS, b64url_decode, b64url_encode

if TYPE_CHECKING:
    from badgekit.keys import JwsSigner

#: The ``typ`` of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc §3.2.1) and the earlier one, accepted.
TYP = "dc+sd-jwt"
ACCEPTED_TYP = frozenset({TYP, "vc+sd-jwt"})
#: The ``typ`` of a key binding JWT (RFC 9901 §4.3).
KB_TYP = "kb+jwt"
#: ``_sd_alg`` values (IANA Named Information Hash Algorithm names) → hashlib names; sha-256 is the default.
SD_ALG = "sha-256"
HASH_ALGORITHMS = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512",
                   "sha3-256": "sha3_256", "sha3-384": "sha3_384", "sha3-512": "sha3_512"}
#: Claims an SD-JWT VC never discloses selectively (draft-ietf-oauth-sd-jwt-vc §3.2.2).
NEVER_DISCLOSED = frozenset({"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status"})
#: Claims of the SD-JWT VC envelope, not part of the credential (beside jwt.REGISTERED_CLAIMS).
ENVELOPE_CLAIMS = ("vct", "vct#integrity", "cnf", "status")
#: ``vct`` of an OB 3.0 credential: the IRI the OB 3.0 context gives its type.
OB_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
ENDORSEMENT_VCT = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#EndorsementCredential"
#: What a badge class may make selectively disclosable (``badgekit.disclose``): optional OB 3.0
#: members of the credential and of its subject. Required ones (issuer, name, achievement…) stay
#: visible: a verifier must see what the badge is and who vouches for it.
DISCLOSABLE = (
    "credentialSubject.identifier", "credentialSubject.result", "credentialSubject.narrative",
    "credentialSubject.creditsEarned", "credentialSubject.activityStartDate", "credentialSubject.activityEndDate",
    "credentialSubject.term", "credentialSubject.role", "credentialSubject.licenseNumber",
    "credentialSubject.source", "credentialSubject.image", "evidence", "awardedDate", "description",
    "endorsement", "endorsementJwt", "image",
)
#: Disclosable unless the badge class says otherwise: the recipient's identity, results and evidence.
DEFAULT_DISCLOSE = ("credentialSubject.identifier", "credentialSubject.result", "evidence")

_SEGMENT = r"[A-Za-z0-9_-]+"
_JWS = rf"{_SEGMENT}\.{_SEGMENT}\.[A-Za-z0-9_-]*"
_SD_JWT = re.compile(rf"^{_JWS}~(?:{_SEGMENT}~)*(?:{_JWS})?$")

SaltSource = Callable[[], str]
#: Longest member name written whole into a claim's path (:attr:`Processed.disclosed`, reasons).
MAX_PATH_NAME = 200


class SdJwtError(JwtError):
    """An SD-JWT is malformed: its parts, a disclosure, ``_sd_alg``, or a key binding JWT."""


def looks_like_sd_jwt(text: str) -> bool:
    """True when ``text`` has the shape of an SD-JWT (a compact JWS, ``~``, disclosures, ``~``, an optional JWS)."""
    return bool(_SD_JWT.match(text.strip()))


def random_salt() -> str:
    """128 random bits, base64url (RFC 9901 §9.3 recommends at least 128)."""
    return b64url_encode(secrets.token_bytes(16))


# ---------------------------------------------------------------------------------------------
# reading


@dataclass(frozen=True)
class Disclosure:
    """One disclosure as presented: ``name`` is None for an array element."""

    index: int  # 1-based position in the presentation
    encoded: str = field(repr=False)
    digest: str
    salt: str = field(repr=False)
    name: str | None
    value: Any

    def describe(self) -> str:
        return f"disclosure {self.index} ({'claim ' + repr(self.name) if self.name is not None else 'an array element'})"


@dataclass(frozen=True)
class SdJwt:
    """A parsed, not yet verified, SD-JWT: the issuer-signed JWT, the disclosures, the optional
    key binding JWT, and the text the key binding JWT's ``sd_hash`` covers."""

    jws: jwt.CompactJws
    disclosures: tuple[Disclosure, ...]
    sd_alg: str
    kb: jwt.CompactJws | None = None
    presented: str = field(default="", repr=False)  # everything up to and including the last "~"


@dataclass(frozen=True)
class Processed:
    """The payload with the presented disclosures put back (RFC 9901 §7.1), and what was learnt.

    ``disclosed``: the JSON path of each disclosed claim (``credentialSubject.result[0]``).
    ``withheld``: path → digests left without a disclosure there (withheld claims or decoys).
    ``problems``: why the SD-JWT must be rejected (empty: none).
    """

    payload: dict[str, Any]
    disclosed: tuple[str, ...]
    withheld: Mapping[str, int]
    problems: tuple[str, ...]
    paths: Mapping[str, str] = field(default_factory=dict, repr=False)  # digest -> path of its claim

    @property
    def withheld_count(self) -> int:
        return sum(self.withheld.values())

    def withholds(self, *paths: str) -> bool:
        """True when digests were left undisclosed at any of ``paths`` (or inside them)."""
        return any(at == p or at.startswith((p + ".", p + "[")) for at in self.withheld for p in paths)


def parse(text: str, *, max_bytes: int = MAX_INPUT_BYTES) -> SdJwt:
    """Split an SD-JWT and decode its parts (nothing verified yet).

    Raises:
        SdJwtError: not an SD-JWT, a disclosure that is not base64url JSON ``[salt, value]`` or
            ``[salt, name, value]``, an unsupported ``_sd_alg``, a malformed key binding JWT.
        JwtError: the issuer-signed JWT is malformed (see :func:`badgekit.jwt.parse`).
        LimitExceeded: larger than ``max_bytes``, more than :data:`limits.MAX_DISCLOSURES`
            disclosures, or nested too deeply.
    """
    text = text.strip()
    if len(text) > max_bytes:
        raise LimitExceeded(f"SD-JWT larger than {max_bytes} bytes, refused")
    if not looks_like_sd_jwt(text):
        raise SdJwtError("not an SD-JWT (expected <issuer JWT>~<disclosure>~…~ and an optional key binding JWT)")
    parts = text.split("~")
    issuer_jwt, middle, last = parts[0], parts[1:-1], parts[-1]
    if len(middle) > limits.MAX_DISCLOSURES:
        raise LimitExceeded(f"SD-JWT has {len(middle)} disclosures; badgekit reads at most {limits.MAX_DISCLOSURES}")
    jws = jwt.parse(issuer_jwt, max_bytes=max_bytes)
    sd_alg = jws.payload.get("_sd_alg", SD_ALG)
    if not isinstance(sd_alg, str) or sd_alg not in HASH_ALGORITHMS:
        raise SdJwtError(f"_sd_alg {sd_alg!r} is not supported (badgekit: {', '.join(HASH_ALGORITHMS)})")
    disclosures = tuple(_disclosure(n, enc, sd_alg) for n, enc in enumerate(middle, start=1))
    kb = None
    if last:
        try:
            kb = jwt.parse(last, max_bytes=max_bytes)
        except JwtError as exc:
            raise SdJwtError(f"key binding JWT: {exc.message}") from None
    return SdJwt(jws, disclosures, str(sd_alg), kb, text[: text.rindex("~") + 1])


def digest(encoded: str, sd_alg: str = SD_ALG) -> str:
    """The digest of an encoded disclosure (or of a presentation, for ``sd_hash``): base64url of
    the ``sd_alg`` hash of its ASCII bytes."""
    return b64url_encode(hashlib.new(HASH_ALGORITHMS[sd_alg], encoded.encode("ascii")).digest())


def _disclosure(index: int, encoded: str, sd_alg: str) -> Disclosure:
    what = f"disclosure {index}"
    try:
        value = loads_json(b64url_decode(encoded, what=what), source=f"SD-JWT {what}")
    except LimitExceeded:
        raise
    except InputError as exc:
        raise SdJwtError(exc.message) from None
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise SdJwtError(f"SD-JWT {what} is not a JSON array [salt, value] or [salt, name, value]")
    if not isinstance(value[0], str):
        raise SdJwtError(f"SD-JWT {what}: the salt is not a string")
    if len(value) == 3 and not isinstance(value[1], str):
        raise SdJwtError(f"SD-JWT {what}: the claim name is not a string")
    name = value[1] if len(value) == 3 else None
    return Disclosure(index, encoded, digest(encoded, sd_alg), value[0], name, value[-1])


class _Unpacker:
    """RFC 9901 §7.1 steps 3-5 over a payload, collecting problems rather than stopping at one."""

    def __init__(self, disclosures: Sequence[Disclosure]) -> None:
        self.by_digest: dict[str, Disclosure] = {}
        self.problems: list[str] = []
        for d in disclosures:
            if d.digest in self.by_digest:
                self.problems.append(f"{d.describe()} is presented twice")
            self.by_digest.setdefault(d.digest, d)
        self.seen: Counter[str] = Counter()
        self.used: dict[str, str] = {}  # digest -> path
        self.withheld: Counter[str] = Counter()

    def _take(self, ref: Any, at: str, *, element: bool) -> Disclosure | None:
        if not isinstance(ref, str):
            self.problems.append(f"{at or '$'}: a digest that is not a string")
            return None
        self.seen[ref] += 1
        if self.seen[ref] == 2:
            self.problems.append(f"digest {ref[:12]}… appears more than once in the issuer-signed JWT")
        d = self.by_digest.get(ref)
        if d is None:
            self.withheld[at or "$"] += 1
            return None
        if ref in self.used:
            return None  # reported above as a repeated digest
        if element and d.name is not None:
            self.problems.append(f"{d.describe()} is a claim, but its digest is an array element at {at}")
            return None
        if not element and d.name is None:
            self.problems.append(f"{d.describe()} is an array element, but its digest is in the _sd of {at or '$'}")
            return None
        return d

    def unpack(self, node: Any, at: str, depth: int) -> Any:
        if depth > MAX_JSON_DEPTH:
            raise LimitExceeded(f"SD-JWT claims nest more than {MAX_JSON_DEPTH} levels deep, refused")
        if isinstance(node, list):
            out: list[Any] = []
            for item in node:
                if isinstance(item, dict) and "..." in item:
                    if len(item) != 1:
                        self.problems.append(f"{at}: an array element holding '...' has other members")
                        continue
                    d = self._take(item["..."], at, element=True)
                    if d is None:
                        continue
                    path = f"{at}[{len(out)}]"
                    self.used[d.digest] = path
                    out.append(self.unpack(d.value, path, depth + 1))
                else:
                    out.append(self.unpack(item, f"{at}[{len(out)}]", depth + 1))
            return out
        if not isinstance(node, dict):
            return node
        obj: dict[str, Any] = {}
        for key, value in node.items():
            if key == "_sd" or (key == "_sd_alg" and depth == 0):
                continue
            obj[key] = self.unpack(value, _member_path(at, key), depth + 1)
        refs = node.get("_sd", [])
        if not isinstance(refs, list):
            self.problems.append(f"{at or '$'}: _sd is not an array of digests")
            refs = []
        for ref in refs:
            d = self._take(ref, at, element=False)
            if d is None:
                continue
            assert d.name is not None  # _take refused an array element here
            path = _member_path(at, d.name)
            if d.name in ("_sd", "..."):
                self.problems.append(f"{d.describe()} discloses the reserved name {d.name!r}")
            elif depth == 0 and d.name in NEVER_DISCLOSED:
                self.problems.append(f"{d.describe()}: an SD-JWT VC never discloses {d.name!r} selectively")
            elif d.name in obj:
                self.problems.append(f"{d.describe()}: {path} is both in the issuer-signed JWT and disclosed")
            else:
                self.used[d.digest] = path
                obj[d.name] = self.unpack(d.value, path, depth + 1)
        return obj


def _member_path(at: str, name: str) -> str:
    """The path of member ``name`` of the object at ``at``; a name longer than
    :data:`MAX_PATH_NAME` is cut short there (a hostile megabyte-long name would otherwise be
    copied into the path of every claim below it)."""
    if len(name) > MAX_PATH_NAME:
        name = name[: MAX_PATH_NAME - 1] + "…"
    return f"{at}.{name}" if at else name


def process(sd: SdJwt) -> Processed:
    """The payload with the presented disclosures in place, and every reason to reject it.

    Raises:
        LimitExceeded: the claims nest more than :data:`badgekit._io.MAX_JSON_DEPTH` levels, or
            the payload and the disclosed values hold more than :data:`limits.MAX_JSON_VALUES`
            JSON values (counted before any is put back: what the credential may hold, with the
            digests that stand for it).
    """
    values = limits.count_values(sd.jws.payload, limits.MAX_JSON_VALUES)
    for d in sd.disclosures:
        if values > limits.MAX_JSON_VALUES:
            break
        values += limits.count_values(d.value, limits.MAX_JSON_VALUES)
    if values > limits.MAX_JSON_VALUES:
        raise LimitExceeded(f"SD-JWT claims and disclosures hold more than {limits.MAX_JSON_VALUES:,} JSON values; refused")
    unpacker = _Unpacker(sd.disclosures)
    payload = unpacker.unpack(dict(sd.jws.payload), "", 0)
    problems = unpacker.problems
    for d in sd.disclosures:
        if d.digest not in unpacker.used and unpacker.by_digest.get(d.digest) is d and unpacker.seen[d.digest] == 0:
            problems.append(f"{d.describe()} is referenced by no digest of the issuer-signed JWT "
                            "(added or altered after issuance, or from another credential)")
    return Processed(payload, tuple(unpacker.used.values()), dict(unpacker.withheld), tuple(problems), dict(unpacker.used))


def credential_from_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The OB 3.0 credential an SD-JWT VC carries: the processed payload without the JWT and
    SD-JWT VC claims that frame it."""
    return {k: v for k, v in jwt.credential_from_payload(payload).items() if k not in ENVELOPE_CLAIMS}


def header_problem(header: Mapping[str, Any]) -> str | None:
    """Why the issuer-signed JWT's header is refused, or None: ``alg``, ``kid`` and ``jwk`` as
    for a VC-JWT (:func:`badgekit.jwt.header_problem`), ``typ`` ``dc+sd-jwt`` (or ``vc+sd-jwt``),
    no ``crit``. Other parameters (``x5c``…) are allowed and ignored."""
    problem = jwt.header_problem({k: v for k, v in header.items() if k in ("alg", "kid", "jwk")})
    if problem:
        return problem
    if not jwt.one_of(header.get("typ"), ACCEPTED_TYP):
        return f"typ {header.get('typ')!r}: an SD-JWT VC's header says typ {TYP!r} (or the earlier 'vc+sd-jwt')"
    if "crit" in header:
        return "header parameter crit names extensions badgekit does not understand: refused (RFC 7515 §4.1.11)"
    return None


def claim_problems(payload: Mapping[str, Any], credential: Mapping[str, Any]) -> list[str]:
    """The framing claims against the credential (:func:`badgekit.jwt.claim_problems`) and
    ``vct``, which an SD-JWT VC must have."""
    problems = jwt.claim_problems(payload, credential)
    if not isinstance(payload.get("vct"), str) or not payload["vct"]:
        problems.append("has no vct claim (an SD-JWT VC names its type)")
    return problems


def key_binding_problem(sd: SdJwt, payload: Mapping[str, Any], at: datetime) -> str | None:
    """Why the key binding JWT is refused (RFC 9901 §7.3, before its signature), or None.

    It needs ``typ: kb+jwt``, an accepted ``alg``, ``iat`` (not after ``at``, five minutes of
    skew allowed), ``aud``, ``nonce``, an ``sd_hash`` over the presentation, and a holder key in
    the issuer-signed ``cnf`` (``jwk``).
    """
    assert sd.kb is not None
    header, claims = sd.kb.header, sd.kb.payload
    if header.get("typ") != KB_TYP:
        return f"key binding JWT typ {header.get('typ')!r}, expected {KB_TYP!r}"
    problem = jwt.alg_problem(header)
    if problem:
        return f"key binding JWT: {problem}"
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        return "key binding JWT has no iat"
    if iat > at.timestamp() + 300:
        return "key binding JWT was made after the verification time (iat in the future)"
    for claim in ("aud", "nonce"):
        if not isinstance(claims.get(claim), str) or not claims[claim]:
            return f"key binding JWT has no {claim}"
    if claims.get("sd_hash") != digest(sd.presented, sd.sd_alg):
        return "key binding JWT sd_hash does not match the presentation (disclosures added, removed or reordered after binding)"
    if holder_jwk(payload) is None:
        return "a key binding JWT is presented but the issuer-signed JWT has no cnf.jwk holder key"
    return None


def holder_jwk(payload: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The holder's public key the issuer bound the credential to (``cnf.jwk``, RFC 7800), or None."""
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, Mapping) else None
    return jwk if isinstance(jwk, Mapping) else None


def key_binding_verifies(sd: SdJwt, payload: Mapping[str, Any]) -> bool:
    """True when the key binding JWT is signed by the ``cnf`` holder key.

    Raises:
        JwtError: the holder key is unusable for the key binding JWT's ``alg``.
    """
    assert sd.kb is not None
    jwk = holder_jwk(payload)
    if jwk is None:
        return False
    return jwt.verify_signature(sd.kb, jwt.key_from_jwk(jwk, str(sd.kb.header.get("alg"))))


def present(text: str, *, withhold: Iterable[str]) -> str:
    """The SD-JWT ``text`` with the disclosures of the claims at ``withhold`` (paths as
    :attr:`Processed.disclosed` names them) left out, and those nested inside them; no key
    binding JWT. What a holder sends to reveal less.

    Raises:
        SdJwtError: a path that is not a disclosed claim; see :func:`parse`.
    """
    sd = parse(text)
    processed = process(sd)
    drop = set(withhold)
    unknown = sorted(drop - set(processed.disclosed))
    if unknown:
        raise SdJwtError(f"not a disclosed claim: {', '.join(unknown)} (disclosed: {', '.join(processed.disclosed) or 'none'})")
    prefixes = tuple(p + s for p in drop for s in (".", "["))
    kept = [d.encoded for d in sd.disclosures
            if (at := processed.paths.get(d.digest, "")) not in drop and not at.startswith(prefixes)]
    return f"{text.strip().split('~', 1)[0]}~" + "".join(f"{e}~" for e in kept)


# ---------------------------------------------------------------------------------------------
# issuing


def disclose_problem(path: str) -> str | None:
    """Why ``path`` cannot be selectively disclosable in a badge class, or None."""
    if path in DISCLOSABLE:
        return None
    return f"{path!r} cannot be selectively disclosable; choose from: {', '.join(DISCLOSABLE)}"


def vct_for(credential: Mapping[str, Any]) -> str:
    """The ``vct`` of an OB 3.0 credential: :data:`ENDORSEMENT_VCT` or :data:`OB_VCT`."""
    types = credential.get("type")
    return ENDORSEMENT_VCT if isinstance(types, list) and "EndorsementCredential" in types else OB_VCT


def issue(credential: Mapping[str, Any], key: JwsSigner, *, kid: str | None,
          disclose: Sequence[str] = DEFAULT_DISCLOSE, salt: SaltSource = random_salt,
          include_jwk: bool | None = None) -> str:
    """Sign ``credential`` as an SD-JWT VC and return ``<JWT>~<disclosure>~…~`` (no key binding).

    The members at ``disclose`` (:data:`DISCLOSABLE`) that the credential has become
    disclosures: an array element by element, anything else as a whole; digests in ``_sd`` are
    sorted (their order says nothing about the claims). ``salt`` makes each disclosure's salt.
    The header is as :func:`badgekit.jwt.sign_vc_jwt` writes it, with ``typ: "dc+sd-jwt"``.

    Raises:
        JwtError: a path that is not disclosable; the key's algorithm is not EdDSA, ES256 or
            RS256; no ``kid`` nor ``jwk``; see :func:`badgekit.jwt.vc_jwt_claims`.
        LimitExceeded: the credential or token is beyond what ``badgekit verify`` reads.
    """
    for path in disclose:
        problem = disclose_problem(path)
        if problem:
            raise JwtError(problem)
    alg = getattr(key, "jws_alg", None)
    if alg not in jwt.ALLOWED_ALGORITHMS:
        raise JwtError(f"a {alg} key cannot sign an SD-JWT VC badgekit verifies ({', '.join(jwt.ALLOWED_ALGORITHMS)})")
    if include_jwk is None:
        include_jwk = kid is None or not kid.startswith("did:key:")
    if kid is None and not include_jwk:
        raise JwtError("an SD-JWT VC header needs a kid or a jwk to name its key")
    header: dict[str, Any] = {"alg": alg, "typ": TYP}
    if kid is not None:
        header["kid"] = kid
    if include_jwk:
        public = dict(key.public_jwk)
        if PRIVATE_JWK_MEMBERS & set(public):
            raise JwtError("the key's public JWK contains private members; refusing to sign")
        header["jwk"] = public
    limits.check_signable(credential, new_proofs=0)
    payload: dict[str, Any] = {**credential, **jwt.vc_jwt_claims(credential), "vct": vct_for(credential)}
    disclosures: list[str] = []
    for path in disclose:
        _conceal(payload, path, disclosures, salt)
    payload["_sd_alg"] = SD_ALG
    signing_input = f"{b64url_encode(_compact(header))}.{b64url_encode(_compact(payload))}"
    token = f"{signing_input}.{b64url_encode(key.sign(signing_input.encode('ascii')))}~" + "".join(f"{d}~" for d in disclosures)
    limits.check_signed_size(len(token), what="the SD-JWT VC")
    return token


def _conceal(payload: dict[str, Any], path: str, disclosures: list[str], salt: SaltSource) -> None:
    """Replace the member at ``path`` (one or two levels) by digests, appending its disclosures."""
    *parents, name = path.split(".")
    parent = payload
    for p in parents:
        child = parent.get(p)
        if not isinstance(child, Mapping):
            return
        parent[p] = parent = dict(child)
    if name not in parent:
        return
    value = parent[name]
    if isinstance(value, list):
        elements = []
        for element in value:
            encoded = b64url_encode(_compact([salt(), element]))
            disclosures.append(encoded)
            elements.append({"...": digest(encoded)})
        parent[name] = elements
        return
    encoded = b64url_encode(_compact([salt(), name, value]))
    disclosures.append(encoded)
    del parent[name]
    parent["_sd"] = sorted([*parent.get("_sd", []), digest(encoded)])


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


__all__ = [
    "ACCEPTED_TYP", "DEFAULT_DISCLOSE", "DISCLOSABLE", "ENDORSEMENT_VCT", "HASH_ALGORITHMS", "KB_TYP",
    "NEVER_DISCLOSED", "OB_VCT", "SD_ALG", "TYP", "Disclosure", "Processed", "SdJwt", "SdJwtError",
    "claim_problems", "credential_from_payload", "digest", "disclose_problem", "header_problem", "holder_jwk",
    "issue", "key_binding_problem", "key_binding_verifies", "looks_like_sd_jwt", "parse", "present",
    "process", "random_salt", "vct_for",
]

"""The JWT claims around a credential: the claims badgekit writes, the credential a payload carries,
the claims that must agree with it, the signature's own validity times (VC-JOSE-COSE), and the
credential an ``EnvelopedVerifiableCredential`` wraps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from badgekit._io import as_list
from badgekit._time import (
    CLOCK_SKEW,
    TimestampError,
    format_utc,
    parse_datetime_stamp,
    stamp_or_none,
)
from badgekit.errors import JwtError
from badgekit.jwt._jws import REGISTERED_CLAIMS, VC_JOSE, VC_JWT, Securing

#: The first ``@context`` of a VCDM 2.0 credential: VC-JOSE-COSE secures nothing else.
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
#: JWT claims (IANA registry) a vc+jwt payload may carry beside the credential: never read as its
#: properties (``vc``/``vp`` are refused, VC-JOSE-COSE §3.3; ``cnf`` binds a holder key, RFC 7800).
_VC_JOSE_CLAIMS = (*REGISTERED_CLAIMS, "vc", "vp", "cnf")
#: VCDM 2.0 §4.13: a secured credential carried as ``{"type": "EnvelopedVerifiableCredential",
#: "id": "data:<media type>,<secured credential>"}``.
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"


def vc_jwt_claims(credential: Mapping[str, Any], securing: Securing = VC_JWT) -> dict[str, Any]:
    """The registered claims that frame ``credential`` in a VC-JWT (OB 3.0 "VC-JWT", SPEC (b)):
    ``iss`` = issuer id, ``jti`` = id, ``sub`` = credentialSubject.id, and for OB 3.0 ``nbf`` =
    validFrom and ``exp`` = validUntil as NumericDates (those present). A ``vc+jwt``
    (VC-JOSE-COSE) gets no ``nbf``/``exp``: there they would time the signature, not the credential.

    Raises:
        JwtError: no issuer id, a date that is not a DateTimeZ, or a top-level property that is a
            registered claim name.
    """
    clash = sorted(set(credential) & set(REGISTERED_CLAIMS))
    if clash:
        raise JwtError(f"credential has top-level {', '.join(clash)}: those are JWT claim names, refusing to sign")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if not isinstance(issuer_id, str) or not issuer_id:
        raise JwtError("credential has no issuer id (needed for the iss claim)")
    claims: dict[str, Any] = {"iss": issuer_id}
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    subjects = as_list(credential.get("credentialSubject"))
    if len(subjects) == 1 and isinstance(subjects[0], Mapping) and isinstance(subjects[0].get("id"), str):
        claims["sub"] = subjects[0]["id"]
    if securing == VC_JOSE:
        return claims
    for claim, prop in (("nbf", "validFrom"), ("exp", "validUntil")):
        value = credential.get(prop)
        if value is None:
            continue
        try:
            when = parse_datetime_stamp(value, field=prop)
        except TimestampError as exc:
            raise JwtError(f"credential {exc.message}", hint=exc.hint) from None
        # Same truncation as claim_problems, so a fractional second still agrees.
        claims[claim] = int(when.timestamp())
    return claims


def _vc1(credential: Mapping[str, Any]) -> bool:
    """Whether ``credential`` is VC 1.1 (its first context), whose dates are issuanceDate and expirationDate."""
    context = credential.get("@context")
    return (context[0] if isinstance(context, list) and context else context) == "https://www.w3.org/2018/credentials/v1"


def credential_from_payload(payload: Mapping[str, Any], securing: Securing = VC_JWT) -> dict[str, Any]:
    """The credential a VC-JWT carries: the ``vc`` claim (VC 1.1 style), else the payload minus
    the registered JWT claims. For the ``vc`` style, properties the JWT encoding moved into claims
    (VC 1.1 JWT "decoding") are restored when absent: ``iss`` → issuer, ``jti`` → id, ``sub`` →
    credentialSubject.id, ``nbf`` → validFrom, ``exp`` → validUntil (issuanceDate and
    expirationDate for a VC 1.1 credential: a VC 2.0 context does not define them). A ``vc+jwt``
    (VC-JOSE-COSE) payload is the credential itself, less the JWT claims (``vc``, ``vp`` and
    ``cnf`` included): its ``vc`` claim is never read (:func:`claim_problems` refuses one).
    """
    if securing == VC_JOSE:
        return {k: v for k, v in payload.items() if k not in _VC_JOSE_CLAIMS}
    vc = payload.get("vc")
    if isinstance(vc, Mapping):
        credential = dict(vc)
        if "issuer" not in credential and isinstance(payload.get("iss"), str):
            credential["issuer"] = payload["iss"]
        if "id" not in credential and isinstance(payload.get("jti"), str):
            credential["id"] = payload["jti"]
        subject = credential.get("credentialSubject")
        if isinstance(subject, Mapping) and "id" not in subject and isinstance(payload.get("sub"), str):
            credential["credentialSubject"] = {**subject, "id": payload["sub"]}
        v1 = _vc1(credential)
        for claim, prop in (("nbf", "issuanceDate" if v1 else "validFrom"), ("exp", "expirationDate" if v1 else "validUntil")):
            if prop not in credential and _is_number(payload.get(claim)):
                credential[prop] = _numeric_to_iso(payload[claim])
        return credential
    return {k: v for k, v in payload.items() if k not in REGISTERED_CLAIMS}


def claim_problems(payload: Mapping[str, Any], credential: Mapping[str, Any], securing: Securing = VC_JWT) -> list[str]:
    """Disagreements between the JWT claims and the credential they frame. Absent claims are not
    problems; present ones must agree: ``iss`` = issuer.id, ``jti`` = id, ``sub`` =
    credentialSubject.id, and for OB 3.0 "VC-JWT" ``nbf`` = validFrom (issuanceDate for VC 1.1),
    ``exp`` = validUntil (expirationDate). For a ``vc+jwt`` (VC-JOSE-COSE §3.1.1, §3.3): no ``vc``
    or ``vp`` claim, a VCDM 2.0 ``@context``, and ``iat``/``nbf``/``exp`` NumericDates (they time the
    signature: see :func:`time_problem`)."""
    problems: list[str] = []
    if securing == VC_JOSE:
        for name in ("vc", "vp"):
            if name in payload:
                problems.append(f"payload has a {name} claim: a vc+jwt payload is the credential itself "
                                f"(VC-JOSE-COSE: the claim {name} MUST NOT be present)")
        context = as_list(credential.get("@context"))
        if not context or context[0] != VCDM2_CONTEXT:
            problems.append(f"@context does not start with {VCDM2_CONTEXT}: vc+jwt secures VCDM 2.0 credentials only")
    elif isinstance(payload.get("vc"), Mapping):
        # The credential is read from "vc" alone; top-level properties beside it would be what a
        # VC 2.0-style reader takes for the credential: two credentials in one token.
        beside = sorted(k for k in payload if k != "vc" and k not in REGISTERED_CLAIMS)
        if beside:
            problems.append(f"payload has a vc claim and also top-level {', '.join(beside[:3])}"
                            f"{' …' if len(beside) > 3 else ''}: which one is the credential is ambiguous")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if "iss" in payload and payload["iss"] != issuer_id:
        problems.append(f"claim iss {payload['iss']!r} differs from issuer id {issuer_id!r}")
    if "jti" in payload and payload["jti"] != credential.get("id"):
        problems.append(f"claim jti {payload['jti']!r} differs from credential id {credential.get('id')!r}")
    if "sub" in payload:
        subjects = as_list(credential.get("credentialSubject"))
        ids = [s.get("id") for s in subjects if isinstance(s, Mapping)]
        if payload["sub"] not in ids:
            problems.append(f"claim sub {payload['sub']!r} differs from credentialSubject id {ids[0] if ids else None!r}")
    if securing == VC_JOSE:
        problems += [f"claim {c} is not a NumericDate" for c in ("iat", "nbf", "exp") if c in payload and not _is_number(payload[c])]
        return problems
    v1 = _vc1(credential)
    for claim, prop in (("nbf", "issuanceDate" if v1 else "validFrom"), ("exp", "expirationDate" if v1 else "validUntil")):
        if claim not in payload:
            continue
        if not _is_number(payload[claim]):
            problems.append(f"claim {claim} is not a NumericDate")
            continue
        value = credential.get(prop)
        when = stamp_or_none(value)
        if when is None:
            problems.append(f"claim {claim} is set but the credential has no valid {prop}")
        elif int(when.timestamp()) != int(payload[claim]):
            problems.append(f"claim {claim} ({_numeric_to_iso(payload[claim])}) differs from {prop} {value}")
    return problems


def time_problem(payload: Mapping[str, Any], at: datetime) -> str | None:
    """Why a ``vc+jwt``'s signature does not hold at ``at`` (VC-JOSE-COSE §3.3: ``iat`` and ``exp``
    are the issuance and expiration of the signature, not of the credential), or None: issued
    (``iat``) or valid only from (``nbf``) after ``at`` beyond the clock skew, or expired (``exp``)."""
    def moment(claim: str) -> datetime | None:
        value: Any = payload.get(claim)
        return datetime.fromtimestamp(int(value), UTC) if _is_number(value) else None

    iat, nbf, exp = moment("iat"), moment("nbf"), moment("exp")
    if iat is not None and iat > at + CLOCK_SKEW:
        return f"the JWS was issued (iat) {format_utc(iat)}, after the verification time {format_utc(at)}"
    if nbf is not None and nbf > at + CLOCK_SKEW:
        return f"the JWS is not valid before (nbf) {format_utc(nbf)} (verification time {format_utc(at)})"
    if exp is not None and at >= exp:
        return f"the JWS expired (exp) at {format_utc(exp)} (verification time {format_utc(at)})"
    return None


def enveloped(document: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(media type, secured credential)`` from the ``data:`` URL of an
    ``EnvelopedVerifiableCredential`` (VCDM 2.0 §4.13), or None when ``document`` is not one. The
    scheme and the media type are read in any case (RFC 3986 §3.1, RFC 2045 §5.1; the media type is
    returned in lower case) and percent-encoded octets decoded (RFC 2397).

    Raises:
        JwtError: an enveloped credential whose ``id`` is not a ``data:<media type>,<data>`` URL
            (parameters such as ``;base64`` are not used by VC-JOSE-COSE and are refused), one
            with members beside ``@context``, ``id`` and ``type``, or a ``type`` beside
            ``EnvelopedVerifiableCredential``: nothing secures them, so a reader of the JSON would
            take unsigned claims for the credential's; or an ``@context`` that is not the VCDM 2.0
            context first (distinct strings).
    """
    if ENVELOPED_TYPE not in as_list(document.get("type")):
        return None
    url = document.get("id")
    if not isinstance(url, str) or url[:5].lower() != "data:":
        raise JwtError(f"an {ENVELOPED_TYPE} whose id is not a data: URL holding the secured credential")
    media_type, comma, data = url[len("data:"):].partition(",")
    if not comma or not media_type or ";" in media_type:
        raise JwtError(f"an {ENVELOPED_TYPE} whose id is not a data:<media type>,<credential> URL "
                       f"(found {url[:40]!r}{'…' if len(url) > 40 else ''})")
    context = document.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if contexts[:1] != [VCDM2_CONTEXT] or not all(isinstance(c, str) for c in contexts) or len(set(contexts)) < len(contexts):
        raise JwtError(f"an {ENVELOPED_TYPE} whose @context is not {VCDM2_CONTEXT} first, each context once "
                       f"(found {str(context)[:60]!r}; VCDM 2.0 §4.13)")
    if document.get("type") not in (ENVELOPED_TYPE, [ENVELOPED_TYPE]):
        raise JwtError(f"an {ENVELOPED_TYPE} with a type beside it ({str(document.get('type'))[:60]!r}): the enveloped "
                       "credential's signature does not cover it (VCDM 2.0 §4.13)")
    extra = sorted(str(k) for k in document if k not in ("@context", "id", "type"))
    if extra:
        shown = ", ".join(repr(k[:40]) for k in extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        raise JwtError(f"an {ENVELOPED_TYPE} with {shown} beside its data: URL: members the enveloped "
                       "credential's signature does not cover (VCDM 2.0 §4.13: @context, id and type only)")
    if "%" in data:
        try:
            data = unquote(data, errors="strict")
        except UnicodeDecodeError:
            raise JwtError(f"an {ENVELOPED_TYPE} whose data: URL has percent-encoded octets that are not UTF-8") from None
    return media_type.lower(), data


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 1e11


def _numeric_to_iso(value: float) -> str:
    return format_utc(datetime.fromtimestamp(int(value), UTC))

"""Who the verifier trusts and whom the credential must name: the trust list (check 9), the
recipient (check 10), and small policy objects that decide them and compose.

A policy looks at :class:`Evidence` (the credential, its issuer id, the keys check 5 found) and
returns a :class:`PolicyResult`. ``AllOf`` and ``AnyOf`` (:mod:`badgekit.verify._policy_sets`, loaded
only by a caller who composes policies) combine them, as sigstore-python's ``verify/policy.py``
does for certificate identities::

    policy = AllOf([IssuerTrusted(TrustList.load("trusted-issuers.json")),
                    AnyOf([IssuedTo("alice@example.org"), IssuedTo("did:key:z6Mk…")])])
    result = policy.check(Evidence(credential, issuer=credential["issuer"]["id"]))
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from badgekit import did, jwk
from badgekit._io import load_json_file
from badgekit.errors import BadgekitError, InputError
from badgekit.verify._models import FAILED, PASSED
from badgekit.verify._recipient import recipient_match
from badgekit.verify._text import subjects_of

# ---------------------------------------------------------------------------------------------
# the trust list


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer the trust list accepts, and the keys it may sign with."""

    id: str
    name: str | None
    #: Normalised key identifiers (``z6Mk…``, ``did:key:z6Mk…``, JWK thumbprint URNs). Empty:
    #: any key the issuer is shown to control (did:key issuer, or a supplied DID document).
    keys: frozenset[str]


@dataclass(frozen=True)
class TrustList:
    """Issuers a verifier trusts, and optionally the keys it knows they sign with.

    File format (JSON)::

        {"issuers": [
            {"id": "https://example.edu/issuers/565049",      # issuer id, exactly as in credentials
             "name": "Example University",                     # optional, for people
             "keys": ["z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",   # Ed25519 multikey
                      "did:key:z6Mk…",                                      # same, as did:key
                      "urn:ietf:params:oauth:jwk-thumbprint:sha-256:…",     # RFC 9278, any JWK
                      {"kty": "RSA", "n": "…", "e": "AQAB"}]}               # a public JWK
        ]}

    With a trust list, an issuer not on it fails the ``trust`` check, and a credential signed by
    a key not listed for its issuer (when keys are listed) fails it too. A listed key also settles
    key ownership (check 5) when nothing else can offline: a key named only by a verification
    method fragment (``https://issuer#z6Mk…``, as 1EdTech examples do) or a VC-JWT ``jwk`` header.
    """

    issuers: tuple[TrustedIssuer, ...]
    source: str = "trust list"

    @classmethod
    def from_json(cls, value: object, *, source: str = "trust list") -> TrustList:
        """Build from parsed JSON. Raises InputError naming the bad entry."""
        if not isinstance(value, Mapping) or not isinstance(value.get("issuers"), list):
            raise InputError(f"{source}: a trust list is a JSON object with an \"issuers\" array")
        issuers = []
        for n, entry in enumerate(value["issuers"], start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str) or not entry["id"]:
                raise InputError(f"{source}: issuers[{n}] needs a string \"id\"")
            raw_keys = entry.get("keys", [])
            if not isinstance(raw_keys, list):
                raise InputError(f"{source}: issuers[{n}].keys must be an array")
            keys: set[str] = set()
            for k in raw_keys:
                try:
                    keys |= normalise_key(k)
                except BadgekitError as exc:
                    raise InputError(f"{source}: issuers[{n}].keys: {exc}") from None
            name = entry.get("name")
            issuers.append(TrustedIssuer(entry["id"], name if isinstance(name, str) else None, frozenset(keys)))
        return cls(tuple(issuers), source)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrustList:
        """Read a trust list file. Raises InputError (missing, malformed) or LimitExceeded."""
        return cls.from_json(load_json_file(path), source=str(path))

    def find(self, issuer_id: object) -> TrustedIssuer | None:
        return next((i for i in self.issuers if i.id == issuer_id), None)

    def vouches(self, issuer_id: object, fingerprints: Iterable[str]) -> bool:
        """True when the list names one of ``fingerprints`` as a key of ``issuer_id``."""
        entry = self.find(issuer_id)
        return entry is not None and bool(entry.keys & set(fingerprints))


def normalise_key(value: object) -> set[str]:
    """Identifiers under which a trust-list key entry matches. Raises InputError if unusable."""
    if isinstance(value, Mapping):
        keys = {jwk.jwk_thumbprint_uri(value)}
        if (value.get("kty"), value.get("crv")) in (("OKP", "Ed25519"), ("EC", "P-256"), ("EC", "P-384")):
            mb = did.encode_multikey_public(did.public_key_from_jwk(value))
            keys |= {mb, f"did:key:{mb}"}
        return keys
    if not isinstance(value, str) or not value:
        raise InputError("a key is a string (z6Mk…, zDn…, did:key:…, JWK thumbprint URN) or a JWK object")
    if value.startswith(jwk.JWK_THUMBPRINT_URN):
        return {value}
    mb = value.partition("#")[0][len("did:key:"):] if value.startswith("did:key:") else value
    did.decode_multikey_any(mb)  # Ed25519, P-256 or P-384; raises DidError (an InputError) for anything else
    return {mb, f"did:key:{mb}"}


# ---------------------------------------------------------------------------------------------
# policies


@dataclass(frozen=True)
class Evidence:
    """What a policy decides on: the credential (read, and its signature checked), its issuer id,
    and for each proof the identifiers of the key that signed it (empty when check 5 found none)."""

    credential: Mapping[str, Any]
    issuer: object
    keys: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class PolicyResult:
    """A policy's decision: ``passed``, ``failed`` or ``indeterminate``, and why. True when passed."""

    status: str
    reason: str

    def __bool__(self) -> bool:
        return self.status == PASSED


class Policy(Protocol):
    """Anything with ``check(evidence) -> PolicyResult``."""

    def check(self, evidence: Evidence) -> PolicyResult: ...


@dataclass(frozen=True)
class IssuerTrusted:
    """Check 9: the issuer is on ``trust`` and, when the list names its keys, signed with one."""

    trust: TrustList

    def check(self, evidence: Evidence) -> PolicyResult:
        issuer, trust = evidence.issuer, self.trust
        entry = trust.find(issuer)
        if entry is None:
            return PolicyResult(FAILED, f"issuer {issuer} is not on the trust list {trust.source}")
        name = f" ({entry.name})" if entry.name else ""
        if entry.keys and any(fps and not (entry.keys & fps) for fps in evidence.keys):
            return PolicyResult(FAILED, f"issuer {issuer}{name} is on the trust list, but the credential is "
                                "signed with a key the list does not name for it")
        return PolicyResult(PASSED, f"issuer {issuer}{name} is on the trust list {trust.source}")


@dataclass(frozen=True)
class IssuedTo:
    """Check 10: the credential names ``recipient`` (an email address, URL, phone number or DID);
    see :func:`recipient_match`. ``shown``: how reasons name it (default: as given)."""

    recipient: str
    shown: str | None = None

    def check(self, evidence: Evidence) -> PolicyResult:
        status, reason = recipient_match(subjects_of(evidence.credential), self.recipient, shown=self.shown)
        return PolicyResult(status, reason)

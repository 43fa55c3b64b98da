"""Check 10 (``recipient``) on its own: was the credential issued to this email address, URL,
phone number or DID? Also how the summary names a credential's recipient."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from badgekit import _identity
from badgekit.verify._models import FAILED, PASSED
from badgekit.verify._text import as_list, one_line, text

# compiled on first use (re's cache): only a --recipient needs them (issue 18)
_PHONE = r"^\+?[0-9(][0-9 ().\-/]{3,30}$"
_URL = r"^[A-Za-z][A-Za-z0-9+.\-]*://"

_KIND_NAMES = {"email": "an email address", "phone": "a phone number", "url": "a URL", "did": "a DID",
               "other": "this value"}


def recipient_match(subjects: Sequence[Mapping[str, Any]], wanted: str, *, shown: str | None = None) -> tuple[str, str]:
    """Check 10 on its own: is ``wanted`` (an email address, URL, phone number or DID) the
    recipient named by one of ``subjects``? Returns (``passed`` or ``failed``, reason); the
    reason names the value as ``shown`` (default: ``wanted``, as typed).

    Matches ``credentialSubject.id`` (``mailto:``/``tel:`` forms for emails and phones), or an
    ``identifier`` IdentityObject whose ``identityType`` fits the kind of value: hashed ones by
    recomputing OB 3.0 IdentityHash (``sha256$`` + hex(SHA-256(value + salt)), ``md5$`` read
    too), plain ones by equality (:mod:`badgekit._identity`). An email is tried as typed (the
    spec's rule, for any issuer) and trimmed and lower-cased as badgekit hashes it when issuing
    (``roster.normalise_email``), so ``Alice@Example.org `` matches what badgekit issued to
    ``alice@example.org``. Reasons never contain a hash of the value nor another form of it.
    """
    kind, forms, subject_ids = _recipient_forms(wanted)
    shown = wanted if shown is None else shown
    same = _same_email if kind == "email" else None
    compared: dict[str, int] = {}
    other_types: set[str] = set()
    for subject in subjects:
        sid = subject.get("id")
        if isinstance(sid, str) and sid.strip() in subject_ids:
            return PASSED, f"issued to {shown}: credentialSubject.id matches"
        for n, ident in enumerate(as_list(subject.get("identifier"))):
            if not isinstance(ident, Mapping):
                continue
            itype = ident.get("identityType")
            itype = itype if isinstance(itype, str) else ""
            if not _type_fits(kind, itype):
                other_types.add(one_line(itype, 40) or "untyped")
                continue
            compared[itype] = compared.get(itype, 0) + 1
            if _identity.matches(ident, forms, same=same):
                how = "hashed" if _identity.is_hashed(ident) else "plaintext"
                return PASSED, f"issued to {shown}: credentialSubject.identifier[{n}] ({itype}, {how}) matches"
    what = [f"{count} {t} identifier(s)" for t, count in sorted(compared.items())]
    if any(isinstance(s.get("id"), str) for s in subjects):
        what.insert(0, "credentialSubject.id")
    detail = f" (compared with {' and '.join(what)})" if what else ""
    if not compared and other_types:
        detail += (f"; it names its recipient by {', '.join(sorted(other_types))}, which cannot be compared "
                   f"with {_KIND_NAMES[kind]}")
    return FAILED, f"the credential was not issued to {shown}" + detail


def _recipient_forms(wanted: str) -> tuple[str, list[str], set[str]]:
    """(kind, forms to hash or compare, forms of credentialSubject.id) for a typed value."""
    typed = wanted.strip()
    if typed.startswith("did:"):
        return "did", [typed], {typed}
    if re.match(_URL, typed):
        return "url", [typed], {typed}
    # start-up: the roster module (CSV parsing) only when a --recipient is checked
    from badgekit.roster import bare_email

    bare = bare_email(typed)
    if "@" in bare:
        normalised = bare.lower()  # roster.normalise_email: how badgekit hashes when it issues
        forms = list(dict.fromkeys([typed, bare, normalised]))
        return "email", forms, {typed, f"mailto:{bare}", f"mailto:{normalised}"}
    number = typed[4:] if typed.lower().startswith("tel:") else typed
    if re.match(_PHONE, number) and sum(c.isdigit() for c in number) >= 4:
        compact = ("+" if number.startswith("+") else "") + "".join(c for c in number if c.isdigit())
        forms = list(dict.fromkeys([typed, number, compact]))
        return "phone", forms, {typed, f"tel:{number}", f"tel:{compact}"}
    return "other", [typed], {typed}


def _same_email(stored: str, typed: str) -> bool:
    # start-up: the roster module (CSV parsing) only when a --recipient is checked
    from badgekit.roster import normalise_email

    return normalise_email(stored) == normalise_email(typed)


def _type_fits(kind: str, identity_type: str) -> bool:
    """Whether an IdentityObject of ``identity_type`` can name a recipient of ``kind``.

    OB 3.0 names only ``emailAddress`` among these kinds; OB 2.0 names (``email``, ``url``,
    ``telephone``) and ``ext:`` types are read by what they contain. A value of no known kind is
    tried against every identifier."""
    t = identity_type.lower().removeprefix("ext:")
    if kind == "email":
        return "email" in t
    if kind == "phone":
        return "phone" in t
    if kind == "url":
        return t in ("url", "uri", "identifier") or "url" in t
    if kind == "did":
        return t in ("did", "identifier")
    return True


def describe_recipient(subject: Mapping[str, Any]) -> str | None:
    """How the recipient is identified: "id (did:…)", "emailAddress (hashed)", … ."""
    identifiers = [i for i in as_list(subject.get("identifier")) if isinstance(i, Mapping)]
    if identifiers:
        first = identifiers[0]
        kind = text(first.get("identityType")) or "identifier"
        hashed = "hashed" if first.get("hashed") is True else "plaintext"
        more = f" (+{len(identifiers) - 1} more)" if len(identifiers) > 1 else ""
        return f"{kind} ({hashed}){more}"
    sid = subject.get("id")
    if isinstance(sid, str):
        scheme = sid.split(":", 2)
        kind = ":".join(scheme[:2]) if scheme[0] == "did" else scheme[0]
        return f"id ({kind})"
    return None

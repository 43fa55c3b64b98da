"""Checks 1-3, the document: ``parse`` (read the bytes in any stored form, bounded),
``schema`` (OB 3.0 JSON Schema) and ``contexts`` (pinned contexts, safe-mode JSON-LD, bounded
RDFC-1.0); and the summary a person reads first."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from badgekit import _envelope, jsonld, schema
from badgekit._io import JsonShape
from badgekit.verify import _state
from badgekit.verify._canon import canonize_bounded
from badgekit.verify._models import FAILED, INDETERMINATE, PASSED
from badgekit.verify._recipient import describe_recipient
from badgekit.verify._state import Run
from badgekit.verify._text import VC_V1, VC_V2, as_list, first_context, json_path, subjects_of, text

_OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d+\.\d+)?\.json$|"
                         r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context/ob_v3p0\.jsonld$")
_ISSUER_DEPENDENT_IRI = re.compile(r"<https://www\.w3\.org/ns/credentials/issuer-dependent#([^>]*)>")


# -- 1. parse --------------------------------------------------------------------------------


def check_parse(run: Run, data: bytes) -> None:
    """Read the bytes (bounded) in any stored form (:mod:`badgekit._envelope`): JSON, a compact
    JWS, or either baked into a PNG or SVG badge."""
    max_bytes = run.options.max_bytes
    try:
        stored = _envelope.find(data, source=run.source, max_bytes=max_bytes)
        run.summary["format"] = stored.form
        envelope = stored.parse(max_bytes=max_bytes)
    except _envelope.LegacyBadge as exc:
        # Open Badges 2.0: the OB 2.0 checks read the text again and say what it is (check 1 on).
        run.summary["format"] = exc.form or run.summary["format"]
        run.ob2 = (exc.text, exc.form or "json", len(data))
        run.set("parse", PASSED, exc.reason)
        return
    except _envelope.EnvelopeError as exc:
        run.summary["format"] = exc.form or run.summary["format"]
        run.summary["securing"] = exc.securing
        status = INDETERMINATE if isinstance(exc, _envelope.UnsupportedEnvelope) else FAILED
        run.set("parse", status, exc.reason)
        return
    run.summary["securing"] = run.securing = envelope.securing
    run.doc = envelope.credential
    if _state.FAST_PATHS:
        run.shape = envelope.shape
    run.jws = envelope.jws
    run.sd, run.disclosures = envelope.sd, envelope.processed
    where = f"baked {envelope.container.upper()}: " if envelope.container else ""
    if envelope.sd is not None and envelope.processed is not None:
        sd, shown = envelope.sd, envelope.processed
        withheld = f", {shown.withheld_count} undisclosed digest(s)" if shown.withheld_count else ""
        what = (f"SD-JWT VC (alg {sd.jws.header.get('alg')!s}, {len(sd.disclosures)} "
                f"disclosure(s){withheld}{', key binding JWT' if sd.kb is not None else ''})")
        run.summary["disclosed"] = [text(p, 300) or "" for p in shown.disclosed]  # bounded: a claim name can be megabytes
        run.summary["undisclosed"] = shown.withheld_count
    elif envelope.jws is not None:
        from badgekit import jwt  # start-up: only a VC-JWT (or SD-JWT VC) loads the JWT reader

        jws = envelope.jws
        if envelope.securing == jwt.VC_JOSE:
            wrapped = f"{jwt.ENVELOPED_TYPE}: " if envelope.enveloped else ""
            what = f"{wrapped}vc+jwt (VC-JOSE-COSE compact JWS, alg {jws.header.get('alg')!s})"
        else:
            what = f"VC-JWT (compact JWS, alg {jws.header.get('alg')!s}{', vc claim' if 'vc' in jws.payload else ''})"
    else:
        what = "JSON credential"
    run.set("parse", PASSED, f"{where}{what}, {len(data):,} bytes")


def fill_summary(run: Run) -> None:
    doc = run.doc or {}
    issuer = doc.get("issuer")
    subject = next(iter(subjects_of(doc)), {})
    raw_achievement = subject.get("achievement")
    achievement: Mapping[str, Any] = raw_achievement if isinstance(raw_achievement, Mapping) else {}
    v1 = first_context(doc) == VC_V1
    not_checked = []
    if doc.get("refreshService"):
        not_checked.append("refreshService (needs the network)")
    run.summary.update({
        "credentialId": text(doc.get("id")),
        "type": [text(t) for t in as_list(doc.get("type"))][:4],
        "name": text(doc.get("name")),
        "issuerId": text(run.issuer_id()),
        "issuerName": text(issuer.get("name")) if isinstance(issuer, Mapping) else None,
        "recipient": describe_recipient(subject),
        "achievementName": text(achievement.get("name")),
        "achievementType": text(achievement.get("achievementType")),
        "validFrom": text(doc.get("issuanceDate" if v1 else "validFrom")),
        "validUntil": text(doc.get("expirationDate" if v1 else "validUntil")),
        "vcVersion": "1.1" if v1 else "2.0",
        "notChecked": not_checked,
    })


# -- 2. schema -------------------------------------------------------------------------------


def check_schema(run: Run) -> None:
    assert run.doc is not None
    document, note = run.doc, ""
    if first_context(run.doc) == VC_V1:
        # VC 1.1 form (verification only, SPEC (a)): 1EdTech's "any…" VC 1.1 schemas are not
        # published as files, so check the VC 2.0 schema on the same credential with the
        # VC 1.1 names mapped (issuanceDate -> validFrom, expirationDate -> validUntil).
        document, note = _as_vc2(run.doc), " (VC 1.1 form, read with issuanceDate/expirationDate as validFrom/validUntil)"
    problems = [f"{json_path(p.path)}: {p.message}" for p in schema.validate_credential(document)]
    if any("id" not in s and not s.get("identifier") for s in subjects_of(run.doc)):
        if run.withheld("credentialSubject"):
            note += "; the holder did not disclose the recipient (credentialSubject has undisclosed claims)"
        else:
            problems.append("credentialSubject has neither id nor identifier (OB 3.0 requires one)")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        run.set("schema", FAILED, "; ".join(problems[:3]) + more + note)
    else:
        kind = _credential_kind(run.doc)
        run.set("schema", PASSED, f"conforms to the OB 3.0 {kind} JSON Schema (bundled){note}")


def _as_vc2(doc: Mapping[str, Any]) -> dict[str, Any]:
    """A VC 1.1 credential with its VC 1.1-only names mapped to VC 2.0, for the schema check only
    (never for signatures: the signed bytes are the credential as given)."""
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if k == "@context" and isinstance(v, list) and v and v[0] == VC_V1:
            out[k] = [VC_V2, *v[1:]]
        elif k == "issuanceDate":
            out["validFrom"] = v
        elif k == "expirationDate":
            out["validUntil"] = v
        else:
            out[k] = v
    return out


def _credential_kind(doc: Mapping[str, Any]) -> str:
    types = as_list(doc.get("type"))
    return "EndorsementCredential" if "EndorsementCredential" in types else "AchievementCredential"


# -- 3. contexts -----------------------------------------------------------------------------


def check_contexts(run: Run) -> None:
    assert run.doc is not None
    loader = run.options.loader or jsonld.DEFAULT_LOADER
    knows = getattr(loader, "knows", lambda url: url in jsonld.PINNED_CONTEXTS)
    ctx = run.doc.get("@context")
    if ctx is None:
        run.set("contexts", FAILED, "the credential has no @context")
        return
    entries = ctx if isinstance(ctx, list) else [ctx]
    if not entries:
        run.set("contexts", FAILED, "@context is empty")
        return
    for n, entry in enumerate(entries):
        if not isinstance(entry, str):
            run.set("contexts", FAILED, f"@context[{n}] is an inline context object: only pinned context "
                    "URLs are accepted (badgekit signs with pinned contexts only; inline terms could "
                    "silently change what was signed)")
            return
        if not knows(entry):
            run.set("contexts", FAILED, f"@context[{n}] {entry} is not a bundled context; badgekit never "
                    "fetches contexts (unknown or remote context)")
            return
    # The walks below find something only in a document that has what they look for; its shape
    # (one walk, at parse time) says when it has not.
    nested = _embedded_context_problem(run.doc, knows) if run.shape is None or "@context" in run.shape.inner_keys else None
    if nested:
        run.set("contexts", FAILED, nested)
        return
    if entries[0] not in (VC_V2, VC_V1):
        run.set("contexts", FAILED, f"@context[0] must be {VC_V2} (or {VC_V1} for VC 1.1), found {entries[0]}")
        return
    if len(entries) < 2 or not _OB_CONTEXT.match(entries[1]):
        found = entries[1] if len(entries) > 1 else "nothing"
        run.set("contexts", FAILED, f"@context[1] must be an OB 3.0 context "
                f"(https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json), found {found}")
        return
    # Safe mode for the JSON itself: no property hidden from JSON readers (under its IRI, in
    # @nest/@graph/...) and no array entry repeated, as neither changes what was signed.
    respelt = jsonld.json_form_problem(run.doc) if run.shape is None or _may_be_respelt(run.shape) else None
    respelt = respelt or jsonld.described_twice_problem(run.doc)
    if respelt:
        run.set("contexts", FAILED, respelt)
        return
    unsigned = {k: v for k, v in run.doc.items() if k != "proof"}
    # Safe-mode expansion (jsonld.js "safe mode"): a term no context defines, a relative IRI
    # or an undefined type is an error; a remote context nested in a bundled one cannot load.
    # RDFC-1.0 is bounded (poison graphs fail fast). Embedded proofs sign this canonical
    # form, so it is kept for the signature check.
    canonical = canonize_bounded(unsigned, loader=run.options.loader, objects=run.unsigned_objects(),
                                 equal=_state.FAST_PATHS)
    run.canon.remember(unsigned, canonical)
    # (the substring test first: the regex over every N-Quad cost more than the rest of the check)
    vocab_terms = sorted(set(_ISSUER_DEPENDENT_IRI.findall(canonical))) if "issuer-dependent#" in canonical else []
    reason = f"{len(entries)} pinned context(s); no term dropped by expansion"
    if vocab_terms:
        shown = ", ".join(vocab_terms[:5]) + (f" (+{len(vocab_terms) - 5})" if len(vocab_terms) > 5 else "")
        reason += (f"; warning: {shown} defined by no OB context, kept only as issuer-dependent "
                   "terms (VC v2 @vocab)")
    run.set("contexts", PASSED, reason)


def _may_be_respelt(shape: JsonShape) -> bool:
    """False only when :func:`badgekit.jsonld.json_form_problem` can find nothing: it reports a key
    other than ``@context`` that starts with ``@`` (value objects included) or holds ``:``, or an
    array that lists a value twice, which needs two entries that are not distinct strings. What
    the keys say is remembered per set of keys (the credentials of a run share theirs)."""
    if shape.repeats:
        return True
    spelt = _RESPELT_KEYS.get(shape.keys)
    if spelt is None:
        if len(_RESPELT_KEYS) >= _MAX_KEY_SETS:
            _RESPELT_KEYS.clear()
        spelt = _RESPELT_KEYS[shape.keys] = any((k[:1] == "@" and k != "@context") or ":" in k for k in shape.keys)
    return spelt


#: Whether a set of keys holds one that JSON-LD may read as another spelling (:func:`_may_be_respelt`).
_RESPELT_KEYS: dict[frozenset[str], bool] = {}
_MAX_KEY_SETS = 256


def _embedded_context_problem(doc: Mapping[str, Any], knows: Callable[[str], bool]) -> str | None:
    """Why an ``@context`` inside the document (an embedded endorsement, a node object) is
    refused, or None. Embedded credentials may name bundled context URLs; an inline context
    object or an unbundled URL anywhere could redefine what the signed terms mean."""
    # Only containers are visited, and a node's JSON path is spelled out only when reported.
    stack: list[tuple[Any, tuple[Any, ...]]] = [
        (v, (k,)) for k, v in doc.items() if k != "@context" and isinstance(v, (list, Mapping))
    ]
    while stack:
        node, at = stack.pop()
        if isinstance(node, list):
            stack.extend((v, (*at, i)) for i, v in enumerate(node) if isinstance(v, (list, Mapping)))
            continue
        if "@context" in node:
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at)
            ctx = node["@context"]
            for entry in ctx if isinstance(ctx, list) else [ctx]:
                if not isinstance(entry, str):
                    return (f"{where} has an inline @context object: only pinned context URLs are "
                            "accepted (inline terms could silently change what was signed)")
                if not knows(entry):
                    return f"{where} names context {entry}, which is not bundled; badgekit never fetches contexts"
        stack.extend((v, (*at, k)) for k, v in node.items() if k != "@context" and isinstance(v, (list, Mapping)))
    return None

"""Checks 4-6, the proof [SPEC (e) 2]: ``proof-structure`` (Data Integrity proofs, a VC-JWT
header and claims, or an SD-JWT VC's header, claims, disclosures and key binding JWT),
``issuer-key`` (the key resolves offline and belongs to the issuer) and ``signature``.

Several Data Integrity proofs (VC Data Integrity 1.0 proof sets and chains, :mod:`badgekit.proofsets`):
every proof badgekit implements is checked, and any that fails makes the credential invalid; at
least one must be the issuer's (check 5) and verify, together with every proof it chains to (check
6). The others (an endorser's, a notary's) are extra signatures, reported. A proof of a suite
badgekit does not implement is not checked: it can neither make the credential valid on its own
(only indeterminate) nor make it invalid; a proof chained to one stands only as far as it does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgekit import cryptosuites, did, jwt, proof, proofsets
from badgekit.errors import BadgekitError
from badgekit.limits import MAX_PROOFS
from badgekit.verify import _state
from badgekit.verify._models import FAILED, INDETERMINATE, PASSED, SKIPPED
from badgekit.verify._state import ProofKey, Run
from badgekit.verify._text import as_list, short_id, short_key

# -- 4. proof structure ----------------------------------------------------------------------


def check_proof_structure(run: Run) -> None:
    assert run.doc is not None
    if run.sd is not None:
        _sd_jwt_structure(run)
        return
    if run.jws is not None:
        securing = jwt.VC_JOSE if run.securing == jwt.VC_JOSE else jwt.VC_JWT
        label = "vc+jwt" if securing == jwt.VC_JOSE else "VC-JWT"
        problem = jwt.header_problem(run.jws.header, securing)
        if problem:
            run.set("proof-structure", FAILED, problem)
            return
        claims = jwt.claim_problems(run.jws.payload, run.doc, securing)
        if claims:
            run.set("proof-structure", FAILED, f"{label} " + "; ".join(claims))
            return
        expired = jwt.time_problem(run.jws.payload, run.at) if securing == jwt.VC_JOSE else None
        if expired:
            run.set("proof-structure", FAILED, expired)
            return
        key_from = "kid" if "kid" in run.jws.header else "jwk" if "jwk" in run.jws.header else "no key header"
        run.set("proof-structure", PASSED, f"{label} header alg {run.jws.header['alg']} ({key_from}); "
                "claims agree with the credential")
        return
    proofs = proof.proofs_of(run.doc)
    if not proofs:
        run.set("proof-structure", FAILED, "the credential has no proof (and is not a VC-JWT): it is not signed")
        return
    if len(proofs) > MAX_PROOFS:
        run.set("proof-structure", FAILED, f"{len(proofs)} proofs; badgekit checks at most {MAX_PROOFS}")
        return
    chain = proofsets.chain_problem(proofs)
    if chain:
        run.set("proof-structure", FAILED, f"proof chain: {chain}")
        return
    run.all_proofs = proofs
    notes = []
    malformed = False
    for n, p in enumerate(proofs, start=1):
        suite = cryptosuites.suite_of(p)
        if suite is None:
            run.ignored_proofs.append(cryptosuites.describe(p))
            run.unchecked.add(n)
            malformed = malformed or not cryptosuites.names_a_suite(p)
            continue
        problem = proof.structure_problem(p) or proof.time_problem(p, run.at)
        if problem:
            run.set("proof-structure", FAILED, f"proof {n}: {problem}")
            return
        if suite.legacy:
            notes.append(f"proof {n} uses the legacy {suite.name} suite (accepted for verification)")
        if cryptosuites.is_base_proof(p):
            notes.append(f"proof {n} is an ecdsa-sd-2023 base proof: the holder's copy, checked whole; verifiers "
                         "expect a derived proof (selective disclosure) made from it")
        run.proofs.append((n, p))
    if not run.proofs:
        kinds = ", ".join(run.ignored_proofs)
        # Not checkable is not disproven: a well-formed proof of a suite badgekit does not
        # implement may be perfectly valid (an earner's ecdsa-sd-2023 badge, say).
        status, what = (FAILED, "no proof badgekit can check") if malformed else (
            INDETERMINATE, "signed with a suite badgekit does not implement, so it cannot be checked (not disproven)")
        run.set("proof-structure", status, f"{what} (found: {kinds}); badgekit verifies: {cryptosuites.supported()}")
        return
    if run.ignored_proofs:
        notes.append(f"ignored {len(run.ignored_proofs)} proof(s) of unknown type ({', '.join(run.ignored_proofs)})")
    if len(proofs) > 1:
        notes.insert(0, _shape(proofs))
    suites = sorted({f"{p.get('type')}{' ' + p['cryptosuite'] if p.get('cryptosuite') else ''}" for _, p in run.proofs})
    run.set("proof-structure", PASSED, f"{len(run.proofs)} proof(s): {', '.join(suites)}, proofPurpose "
            "assertionMethod" + ("; " + "; ".join(notes) if notes else ""))


def _shape(proofs: list[Any]) -> str:
    """``"a proof set of 2"`` or ``"a proof chain: proof 2 follows proof 1"``."""
    if not proofsets.is_chained(proofs):
        return f"a proof set of {len(proofs)}"
    links = [f"proof {n} follows proof {' and '.join(map(str, proofsets.predecessors(proofs, n)))}"
             for n in range(1, len(proofs) + 1) if proofsets.predecessors(proofs, n)]
    return "a proof chain: " + ", ".join(links)


def _sd_jwt_structure(run: Run) -> None:
    """Check 4 for an SD-JWT VC: the issuer-signed JWT's header and claims, the disclosures
    (RFC 9901 §7.1) and, when presented, the key binding JWT's form (§7.3)."""
    assert run.sd is not None and run.disclosures is not None and run.doc is not None
    from badgekit import sdjwt  # start-up: only an SD-JWT VC needs it
    sd, shown = run.sd, run.disclosures
    problem = sdjwt.header_problem(sd.jws.header)
    if problem:
        run.set("proof-structure", FAILED, problem)
        return
    if shown.problems:
        more = f" (and {len(shown.problems) - 3} more)" if len(shown.problems) > 3 else ""
        run.set("proof-structure", FAILED, "SD-JWT " + "; ".join(shown.problems[:3]) + more)
        return
    claims = sdjwt.claim_problems(shown.payload, run.doc)
    if claims:
        run.set("proof-structure", FAILED, "SD-JWT VC " + "; ".join(claims))
        return
    notes = [f"{len(shown.disclosed)} disclosure(s) match digests signed by the issuer"]
    if shown.withheld_count:
        notes.append(f"{shown.withheld_count} claim(s) not disclosed")
    if sd.kb is not None:
        problem = sdjwt.key_binding_problem(sd, shown.payload, run.at)
        if problem:
            run.set("proof-structure", FAILED, problem)
            return
        notes.append(f"key binding JWT for aud {sd.kb.payload['aud']!r}, nonce {sd.kb.payload['nonce']!r} "
                     "(checking they are yours is up to you)")
    elif sdjwt.holder_jwk(shown.payload) is not None:
        notes.append("bound to a holder key (cnf), but no key binding JWT is presented: possession is not shown")
    vct = shown.payload.get("vct")
    if vct not in (sdjwt.OB_VCT, sdjwt.ENDORSEMENT_VCT):
        notes.append(f"vct {vct!r} is not an Open Badges type IRI; checked as OB 3.0 by its @context and type")
    key_from = "kid" if "kid" in sd.jws.header else "jwk" if "jwk" in sd.jws.header else "no key header"
    run.set("proof-structure", PASSED, f"SD-JWT VC header typ {sd.jws.header['typ']}, alg {sd.jws.header['alg']} "
            f"({key_from}), _sd_alg {sd.sd_alg}; claims agree with the credential; " + "; ".join(notes))


# -- 5. issuer key ---------------------------------------------------------------------------


def check_issuer_key(run: Run) -> None:
    if run.status("proof-structure") != PASSED:
        run.set("issuer-key", SKIPPED, "needs a usable proof (check 4)")
        return
    issuer = run.issuer_id()
    if not isinstance(issuer, str) or not issuer:
        run.set("issuer-key", FAILED, "the credential has no issuer id, so no key can belong to it")
        return
    run.keys = [_jwt_key(run, issuer)] if run.jws is not None else [_di_key(run, n, p, issuer) for n, p in run.proofs]
    _settle_issuer_key(run)


def _settle_issuer_key(run: Run) -> None:
    """Check 5 from each proof's key: failed if a key is bad; passed if one is the issuer's (the
    others reported as extra signatures); else indeterminate if one may be; else failed (every
    proof is someone else's)."""
    keys = run.keys
    many = len(keys) > 1
    label = {k.index: f"proof {k.index}: " if many else "" for k in keys}
    bad = [k for k in keys if k.status == FAILED]
    if bad:
        run.set("issuer-key", FAILED, "; ".join(label[k.index] + k.reason for k in bad))
        return
    if any(k.status == PASSED and k.issuer for k in keys):
        run.set("issuer-key", PASSED, "; ".join(label[k.index] + _extra(k) for k in keys))
        return
    unsure = [k for k in keys if k.status == INDETERMINATE]
    if unsure:
        run.set("issuer-key", INDETERMINATE, "; ".join(label[k.index] + k.reason for k in unsure))
        return
    others = "; ".join(label[k.index] + k.reason for k in keys)
    if run.unchecked:  # the issuer's proof may be the one of a suite badgekit does not implement
        shown = ", ".join(f"proof {n}" for n in sorted(run.unchecked))
        run.set("issuer-key", INDETERMINATE, f"no proof badgekit checks is by the issuer ({others}); the issuer's "
                f"may be {shown}, of a suite badgekit does not implement")
        return
    run.set("issuer-key", FAILED, ("no proof is by the issuer: " if many else "") + others)


def _extra(key: ProofKey) -> str:
    """How check 5 reports a proof beside the issuer's own."""
    if key.status == PASSED and key.issuer:
        return key.reason
    if key.public_key is None:
        return f"not checked, an extra signature ({key.reason})"
    return f"an extra signature, not the issuer's ({key.reason})"


#: Most check 5 findings kept per run (:attr:`VerifyOptions.key_memo`); cleared when full.
_MAX_KEY_MEMO = 1024


def _di_key(run: Run, n: int, p: Mapping[str, Any], issuer: str) -> ProofKey:
    """Check 5 for proof ``n``: what its verification method is and whose. It depends only on the
    method, the issuer, ``n`` and the options, so the credentials of a run share it."""
    vm_id = str(p["verificationMethod"])
    if not _state.FAST_PATHS:  # the reference shares nothing between credentials
        return _resolve_di_key(run, n, vm_id, issuer)
    memo = run.options.key_memo
    found = memo.get((n, vm_id, issuer))
    if not isinstance(found, ProofKey):
        if len(memo) >= _MAX_KEY_MEMO:
            memo.clear()
        found = memo[(n, vm_id, issuer)] = _resolve_di_key(run, n, vm_id, issuer)
    return ProofKey(found.index, found.status, found.reason, found.public_key, found.fingerprints, found.issuer)


def _resolve_di_key(run: Run, n: int, vm_id: str, issuer: str) -> ProofKey:
    options = run.options
    controller = vm_id.partition("#")[0]
    try:
        vm, source = proof.resolve_key(vm_id, proof.default_resolver(options.did_documents))
    except did.Unresolvable:
        return ProofKey(n, INDETERMINATE, f"cannot resolve {controller} offline: supply its DID document "
                        "with --did-doc or add it with 'badgekit cache add' (badgekit never fetches)")
    except BadgekitError as exc:
        return ProofKey(n, FAILED, f"verification method {vm_id}: {exc.message}")
    fps = {vm.public_key_multibase, f"did:key:{vm.public_key_multibase}", vm.id}
    key = ProofKey(n, PASSED, "", vm.public_key, fps)
    short = short_key(vm.public_key_multibase)
    trust_source = options.trust.source if options.trust is not None else ""
    # A key shown to be someone else's is a usable key (issuer False): a co-signer's proof of a
    # set or chain, or, alone, a credential not signed by its issuer (check 5 fails).
    if source == "did:key":
        if vm.controller == issuer:
            key.reason = f"did:key {short} is the issuer's own DID"
        elif issuer.startswith("did:key:"):
            key.issuer, key.reason = False, f"signed by {vm.controller}, but the issuer is {issuer}"
        elif issuer in options.did_documents:
            listed = _listed_as_assertion(options.did_documents[issuer], vm.id, vm_id)
            key.issuer = listed
            key.reason = (f"did:key {short} is an assertionMethod in the issuer's DID document" if listed
                          else f"did:key {short} is not an assertionMethod in the DID document of {issuer}")
        elif run.trust_vouches(issuer, fps):
            key.reason = f"did:key {short} is listed for {issuer} by {trust_source}"
        else:
            key.status, key.reason = INDETERMINATE, (
                f"signed by {vm.controller}, which is not the issuer {issuer}; nothing available offline "
                "links the two: supply the issuer's DID document (--did-doc) or a trust list (--trust)")
    elif source == "document":
        if vm.controller != issuer:
            key.issuer, key.reason = False, f"key {vm.id} is controlled by {vm.controller}, not by the issuer {issuer}"
            if "assertionMethod" not in vm.relationships:
                key.status, key.reason = FAILED, f"{key.reason}, and is not an assertionMethod of {vm.controller}"
        elif "assertionMethod" not in vm.relationships:
            key.status, key.reason = FAILED, f"key {vm.id} is not an assertionMethod of {issuer}"
        else:
            key.reason = _in_document(run, vm.id, issuer)
    else:  # "fragment": a bare multikey after '#', with no document saying whose it is
        if controller != issuer:
            key.issuer, key.reason = False, f"verification method {vm_id} names {controller}, not the issuer {issuer}"
        elif run.trust_vouches(issuer, fps):
            key.reason = f"key {short} is listed for {issuer} by {trust_source}"
        else:
            key.status, key.reason = INDETERMINATE, (
                f"key {short} is named only in the verification method id; that it belongs to {issuer} "
                "cannot be confirmed offline: supply the issuer's DID document (--did-doc) or a trust list (--trust)")
    return key


def _in_document(run: Run, key_label: str, issuer: str) -> str:
    where = run.options.provenance.get(issuer, "supplied")  # "cached <date>" from badgekit cache
    return f"{key_label} is an assertionMethod in the DID document of {issuer} ({where})"


def _jwt_key(run: Run, issuer: str) -> ProofKey:
    assert run.jws is not None
    try:
        key = jwt.resolve_key(run.jws.header, documents=run.options.did_documents)
    except did.Unresolvable as exc:
        return ProofKey(1, INDETERMINATE, exc.message)
    except BadgekitError as exc:
        return ProofKey(1, FAILED, f"JWS key: {exc.message}")
    fps = set(key.fingerprints) | {key.key_id}
    out = ProofKey(1, PASSED, "", key, fps)
    label = key.key_id if key.source != "jwk" else f"jwk {key.key_id[len(jwt.JWK_THUMBPRINT_URN):][:12]}…"
    if key.source in ("did:key", "document") and key.controller == issuer:
        if key.source == "document" and "assertionMethod" not in key.relationships:
            out.status, out.reason = FAILED, f"{label} is not an assertionMethod of {issuer}"
        elif key.source == "document":
            out.reason = _in_document(run, label, issuer)
        else:
            out.reason = f"{label} belongs to the issuer (did:key)"
    elif key.source in ("did:key", "document") and (issuer.startswith("did:key:") or key.source == "document"):
        out.status, out.reason = FAILED, f"{label} is controlled by {key.controller}, not by the issuer {issuer}"
    elif key.source == "jwk" and issuer.startswith("did:key:"):
        # A did:key is its key: the jwk header either is that key or is someone else's, offline.
        own = jwt.did_key_of(key)
        if own == issuer.partition("#")[0]:
            out.reason = f"{label} is the key of the issuer's did:key"
        else:
            out.status, out.reason = FAILED, (f"{label} is not the key of the issuer {issuer} (a did:key is its "
                                              f"own key; this jwk's did:key is {short_id(own)})")
    elif run.options.trust is not None and run.trust_vouches(issuer, fps):
        out.reason = f"{label} is listed for {issuer} by {run.options.trust.source}"
    else:
        out.status, out.reason = INDETERMINATE, (
            f"{label} ({key.alg}) comes from the JWS header; that it belongs to {issuer} cannot be "
            "confirmed offline: supply a trust list (--trust) or the issuer's DID document (--did-doc)")
    return out


def _listed_as_assertion(doc: Mapping[str, Any], *ids: str) -> bool:
    doc_id = doc.get("id")
    for ref in as_list(doc.get("assertionMethod")):
        rid = ref if isinstance(ref, str) else ref.get("id") if isinstance(ref, Mapping) else None
        if isinstance(rid, str):
            absolute = f"{doc_id}{rid}" if rid.startswith("#") else rid
            if absolute in ids or absolute.partition("#")[0] in ids:
                return True
    return False


# -- 6. signature ----------------------------------------------------------------------------


def check_signature(run: Run) -> None:
    if run.status("proof-structure") != PASSED:
        run.set("signature", SKIPPED, "needs a usable proof (check 4)")
        return
    if run.jws is None and run.status("contexts") != PASSED:
        run.set("signature", SKIPPED, "an embedded proof signs the canonical JSON-LD form, which needs "
                "the contexts check (3) to pass")
        return
    if not run.keys:
        run.set("signature", SKIPPED, "needs the signing key (check 5)")
        return
    parts = []
    for key in run.keys:
        if key.public_key is None:
            status = INDETERMINATE if key.status == INDETERMINATE else SKIPPED
            parts.append(ProofKey(key.index, status, "no key to check the signature with (check 5)"))
        elif run.jws is not None:
            parts.append(_jwt_signature(run, key))
        else:
            parts.append(_di_signature(run, key))
    if parts and all(p.status == SKIPPED for p in parts):
        run.set("signature", SKIPPED, "no usable key (check 5 failed)")
        return
    if run.jws is None and len(run.all_proofs) > 1:
        _settle_proof_set(run, parts)
        return
    run.combine("signature", [p for p in parts if p.status != SKIPPED] or parts)


def _settle_proof_set(run: Run, parts: list[ProofKey]) -> None:
    """Check 6 for a proof set or chain: every signature checked must verify; a chained proof
    stands only when every proof it chains to does (an unchecked one leaves it indeterminate); and
    when check 5 found the issuer's key, one of the issuer's proofs must stand."""
    verified = {p.index for p in parts if p.status == PASSED}
    why_not = {n: "not checked (a suite badgekit does not implement)" for n in run.unchecked}
    why_not.update({p.index: "not checked (no key, check 5)" for p in parts if p.status != PASSED})
    for part in parts:
        missing = sorted(proofsets.ancestors(run.all_proofs, part.index) - verified)
        if part.status == PASSED and missing:
            part.status = INDETERMINATE
            part.reason += (f", but it chains to proof {missing[0]}, {why_not.get(missing[0], 'not verified')}, "
                            "so it does not stand")
    checked = [p for p in parts if p.status != SKIPPED]
    if any(p.status == FAILED for p in checked) or run.status("issuer-key") != PASSED:
        run.combine("signature", checked or parts)
        return
    own = {k.index for k in run.keys if k.status == PASSED and k.issuer}
    mine = [p for p in checked if p.index in own]
    if any(p.status == PASSED for p in mine):
        extra = {p.index: "" if p.index in own else " (an extra signature)" for p in checked}
        run.set("signature", PASSED, "; ".join(f"proof {p.index}: {p.reason}{extra[p.index]}" for p in checked))
        return
    run.set("signature", INDETERMINATE, "no proof of the issuer stands: "
            + "; ".join(f"proof {p.index}: {p.reason}" for p in mine))


def _di_signature(run: Run, key: ProofKey) -> ProofKey:
    assert run.doc is not None
    assert isinstance(key.public_key, bytes)  # an embedded proof's key: Ed25519 bytes (check 5)
    p = dict(run.proofs[[n for n, _ in run.proofs].index(key.index)][1])
    previous = proofsets.matching(run.all_proofs, p)
    problem = proof.signature_problem(run.doc, p, key.public_key, loader=run.options.loader, canonize=run.canon,
                                      previous=previous)
    if problem:
        return ProofKey(key.index, FAILED, problem)
    suite = p.get("cryptosuite") or p.get("type")
    chained = f" over the credential and proof {' and '.join(map(str, proofsets.predecessors(run.all_proofs, key.index)))}"
    return ProofKey(key.index, PASSED, f"{suite} signature verified" + (chained if previous else ""))


def _jwt_signature(run: Run, key: ProofKey) -> ProofKey:
    assert run.jws is not None
    assert isinstance(key.public_key, jwt.JwtKey)  # a VC-JWT's key (check 5)
    if not jwt.verify_signature(run.jws, key.public_key):
        return ProofKey(key.index, FAILED, "JWS signature does not verify (altered after signing, or signed with another key)")
    if run.sd is not None:
        return _sd_jwt_signature(run, key)
    return ProofKey(key.index, PASSED, f"JWS {key.public_key.alg} signature verified")


def _sd_jwt_signature(run: Run, key: ProofKey) -> ProofKey:
    """The issuer's signature verified: now the key binding JWT's, by the holder key (cnf)."""
    assert run.sd is not None and run.disclosures is not None and isinstance(key.public_key, jwt.JwtKey)
    done = f"SD-JWT VC {key.public_key.alg} signature verified"
    if run.sd.kb is None:
        return ProofKey(key.index, PASSED, done)
    from badgekit import sdjwt  # start-up: only an SD-JWT VC needs it
    try:
        bound = sdjwt.key_binding_verifies(run.sd, run.disclosures.payload)
    except BadgekitError as exc:
        return ProofKey(key.index, FAILED, f"{done}; key binding JWT: holder key (cnf.jwk): {exc.message}")
    if not bound:
        return ProofKey(key.index, FAILED, f"{done}; the key binding JWT is not signed by the holder key (cnf.jwk)")
    return ProofKey(key.index, PASSED, f"{done}; key binding JWT {run.sd.kb.header.get('alg')} signature by the holder key verified")

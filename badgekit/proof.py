"""Data Integrity proofs (W3C VC-DI-EdDSA 1.0 and VC-DI-ECDSA 1.0); ``eddsa-rdfc-2022`` by default.

Signing (VC-DI-EdDSA §3.3): canonicalise the proof options (with the document's ``@context``) and
the document without ``proof`` using RDFC-1.0, hash each with SHA-256, sign ``proofHash ‖ docHash``
with Ed25519 and store ``"z" + base58btc(signature)`` as ``proofValue``. The other suites of
:mod:`badgekit.cryptosuites` (``eddsa-jcs-2022``, ``ecdsa-rdfc-2019``, ``ecdsa-jcs-2019``) differ
only in the transformation and hash, which :func:`signed_message` derives for signing and
verifying alike.

Verification re-derives the same bytes, for every suite in the registry, and the legacy
``eddsa-2022`` name and ``Ed25519Signature2020`` suite (accepted when verifying only).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from badgekit import cryptosuites, did, jsonld, limits, proofsets
from badgekit._time import CLOCK_SKEW, TimestampError, format_utc, parse_datetime_stamp, utc_now
from badgekit.errors import BadgekitError, ProofError
from badgekit.keys import Signer

CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_TYPE = "DataIntegrityProof"

Resolver = Callable[[str], did.VerificationMethod]


def utc_timestamp(when: datetime | None = None) -> str:
    """``YYYY-MM-DDThh:mm:ssZ`` for ``when`` (default: now), as proofs and credentials use
    (:func:`badgekit._time.format_utc`)."""
    return format_utc(when or utc_now())


@dataclass(frozen=True)
class HashData:
    """The intermediate values of VC-DI-EdDSA, exposed so tests can compare them to the vectors."""

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_hash: bytes

    @property
    def hash_data(self) -> bytes:
        """``proofHash ‖ docHash``: the 64 bytes that are signed."""
        return self.proof_hash + self.document_hash


def hash_data(
    document: Mapping[str, Any],
    proof_options: Mapping[str, Any],
    *,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
    previous: Sequence[Mapping[str, Any]] = (),
    shared: jsonld.SharedParts | None = None,
) -> HashData:
    """Transformation and hashing of VC-DI-EdDSA for ``document`` and ``proof_options``.

    ``proof_options`` must not hold ``proofValue``. ``document`` may hold a ``proof``; it is removed,
    and replaced by the ``previous`` proofs a chained proof names (:func:`badgekit.proofsets.unsecured`).
    ``shared``: objects of ``document`` other documents hold too (:func:`badgekit.jsonld.canonize`).

    Raises:
        DocumentLoaderError, JsonLdError, LimitExceeded: from canonicalisation.
    """
    canon = canonize or jsonld.canonize
    unsigned = proofsets.unsecured(document, previous)
    config = dict(proof_options)
    config["@context"] = document.get("@context")
    canonical_proof = _canonical_config(config, canon, loader)
    canonical_doc = canon(unsigned, loader=loader, shared=shared) if shared is not None and canon is jsonld.canonize \
        else canon(unsigned, loader=loader)
    return HashData(
        canonical_document=canonical_doc,
        canonical_proof_config=canonical_proof,
        document_hash=hashlib.sha256(canonical_doc.encode("utf-8")).digest(),
        proof_hash=hashlib.sha256(canonical_proof.encode("utf-8")).digest(),
    )


_CONFIG_CACHE: dict[tuple[Any, ...], str] = {}


def _canonical_config(config: dict[str, Any], canon: Callable[..., str], loader: Any) -> str:
    """Canonical proof configuration, memoised: a bulk run signs thousands of documents with the
    same options and contexts, and the result depends on nothing else."""
    ctx: Any = config.get("@context")
    simple = (
        canon is jsonld.canonize and loader in (None, jsonld.DEFAULT_LOADER)
        and isinstance(ctx, list) and all(isinstance(c, str) for c in ctx)
        and all(isinstance(v, str) for k, v in config.items() if k != "@context")
    )
    if not simple:
        return canon(config, loader=loader)
    key = (tuple(ctx), tuple(sorted((k, v) for k, v in config.items() if k != "@context")))
    out = _CONFIG_CACHE.get(key)
    if out is None:
        out = canon(config, loader=loader)
        if len(_CONFIG_CACHE) > 512:
            _CONFIG_CACHE.clear()
        _CONFIG_CACHE[key] = out
    return out


def proof_options(
    verification_method: str, *, created: str | datetime | None = None, proof_purpose: str = "assertionMethod",
    cryptosuite: str = CRYPTOSUITE,
) -> dict[str, Any]:
    """The proof options badgekit signs with (key order as in the W3C examples)."""
    created_str = created if isinstance(created, str) else utc_timestamp(created)
    return {
        "type": PROOF_TYPE,
        "cryptosuite": cryptosuite,
        "created": created_str,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }


def add_proof(
    document: Mapping[str, Any],
    signer: Signer,
    *,
    created: str | datetime | None = None,
    proof_purpose: str = "assertionMethod",
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
    cryptosuite: str = CRYPTOSUITE,
    mandatory_pointers: Sequence[str] | None = None,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    shared: jsonld.SharedParts | None = None,
) -> dict[str, Any]:
    """Return a (shallow) copy of ``document`` with a Data Integrity proof in ``cryptosuite``
    (default ``eddsa-rdfc-2022``; :data:`badgekit.cryptosuites.SIGNING_SUITES`) appended to ``proof``.

    ``proof`` is always written as an array (the OB 3.0 JSON Schema requires it). Existing proofs
    are kept: the new proof signs the document without them (a proof set), or, with
    ``previous_proof`` (the ``id`` of an existing proof, or several), the document with the proofs
    it names, which it then names in ``previousProof`` (a proof chain, VC Data Integrity 1.0
    "Add Proof Set/Chain"). ``proof_id`` becomes the proof's ``id``; a chained proof gets a new
    ``urn:uuid:`` one when none is given, so that a later proof can chain to it. A JCS suite's proof
    carries the document's ``@context`` (VC-DI-EdDSA 1.0 §3.3.1, VC-DI-ECDSA 1.0 §3.4.1). The
    signer's key type is its ``key_type`` attribute (:class:`badgekit.keys.KeySigner`), else Ed25519.
    ``ecdsa-sd-2023`` writes a base proof (for the holder, who derives what verifiers see) whose
    ``mandatory_pointers`` the holder must always disclose (default:
    :func:`badgekit.ecdsa_sd.default_mandatory_pointers`). ``shared``: objects of ``document`` that
    the other documents of a bulk run hold too (:class:`badgekit.jsonld.SharedParts`), measured and
    walked once (``eddsa-rdfc-2022`` without previous proofs; elsewhere ignored): the same bytes are signed.

    Raises:
        ProofError: the document has no ``@context``; ``cryptosuite`` is not one badgekit signs
            in, or needs another key type than the signer's; ``previous_proof`` names an id no
            proof has, or ``proof_id`` is one a proof already has or not a URL; an ``ecdsa-sd-2023`` proof chained.
        LimitExceeded: signed, the document would be beyond what ``badgekit verify`` checks
            (:func:`badgekit.limits.check_signable`), or canonicalisation would need too much work.
        DocumentLoaderError, JsonLdError: from canonicalisation.
    """
    if "@context" not in document:
        raise ProofError("the document has no @context; only JSON-LD documents can carry a Data Integrity proof")
    suite = cryptosuites.signing_suite(cryptosuite)
    key_type = str(getattr(signer, "key_type", "Ed25519"))
    if key_type not in suite.key_types:
        raise ProofError(f"{suite.name} needs a key of type {' or '.join(suite.key_types)}; the signing key is {key_type}",
                         hint=cryptosuites.suites_for_hint(key_type))
    limits.check_signable(document, known=shared.measures if shared is not None else None)
    options = proof_options(signer.verification_method, created=created, proof_purpose=proof_purpose,
                            cryptosuite=suite.name)
    existing = _as_list(document.get("proof"))
    previous = _chain_to(existing, previous_proof, suite)
    if previous_proof is not None and proof_id is None:
        proof_id = proofsets.new_proof_id()
    if proof_id is not None:
        problem = proofsets.id_problem(proof_id)
        if problem:
            raise ProofError(problem)
        if any(isinstance(p, Mapping) and p.get("id") == proof_id for p in existing):
            raise ProofError(f"a proof of the credential already has the id {proof_id!r}; a proof id names one proof")
        options = {"type": options.pop("type"), "id": proof_id, **options}
    if previous_proof is not None:
        # each id once: JSON-LD would merge a repeated one, which verify refuses (check 3)
        options["previousProof"] = previous_proof if isinstance(previous_proof, str) else list(dict.fromkeys(previous_proof))
    if suite.transform == cryptosuites.JCS:
        options["@context"] = document["@context"]
    if suite.transform == cryptosuites.SD:
        value = _sd_base_proof_value(document, options, signer, mandatory_pointers, loader=loader, canonize=canonize)
        return {**document, "proof": [*existing, {**options, "proofValue": value}]}
    if suite.name == CRYPTOSUITE and canonize is None and not previous:
        message = hash_data(document, options, loader=loader, shared=shared).hash_data  # the hot path: cached config
    else:
        try:
            message = signed_message(suite, key_type, document, options, loader=loader, canonize=canonize,
                                     previous=previous)
        except cryptosuites.JcsError as exc:
            raise ProofError(f"the document cannot be canonicalised with JCS (RFC 8785): {exc}") from None
    signature = signer.sign(message)
    proof = dict(options)
    proof["proofValue"] = "z" + did.b58encode(signature)
    signed = dict(document)  # shallow: only "proof" is replaced, nested values are shared
    signed["proof"] = [*existing, proof]
    return signed


def _chain_to(existing: list[Any], previous_proof: str | Sequence[str] | None,
              suite: cryptosuites.Cryptosuite) -> list[Mapping[str, Any]]:
    """The existing proofs a new proof chains to (``previous_proof``: their ids), checked."""
    if previous_proof is None:
        return []
    ids = [previous_proof] if isinstance(previous_proof, str) else list(previous_proof)
    if not ids or not all(isinstance(i, str) and i for i in ids):
        raise ProofError("previousProof names proofs by their id: give at least one, none empty")
    if suite.transform == cryptosuites.SD:
        raise ProofError("an ecdsa-sd-2023 proof cannot be chained: it is a base proof for the holder, whose derived "
                         "proof would leave the chain behind", hint="add it as a set member (no previous proof)")
    known = [p.get("id") for p in existing if isinstance(p, Mapping)]
    for i in ids:
        if known.count(i) != 1:
            listed = ", ".join(str(k) for k in known if isinstance(k, str)) or "none has an id"
            raise ProofError(f"no proof of the credential has the id {i!r} to chain to (proof ids: {listed})"
                             if i not in known else f"{known.count(i)} proofs of the credential have the id {i!r}",
                             hint="a chain can only name a proof that was signed with an id")
    return proofsets.matching(existing, {"previousProof": ids})


# ---------------------------------------------------------------------------------------------
# verification


@dataclass(frozen=True)
class ProofResult:
    """The outcome of checking one proof. True when the signature verified."""

    verified: bool
    reason: str
    proof: Mapping[str, Any] | None = field(default=None, repr=False)
    verification_method: str | None = None
    controller: str | None = None
    key_source: str | None = None  # "did:key", "document", "fragment"
    skipped: bool = False  # a proof type badgekit does not know; neither pass nor fail
    unresolved: bool = False  # its key cannot be resolved offline (did:web without its document): undecided

    def __bool__(self) -> bool:
        return self.verified


def proofs_of(document: Mapping[str, Any]) -> list[Any]:
    """The proofs of a document, as a list (``proof`` may be one object or an array)."""
    return _as_list(document.get("proof"))


def structure_problem(proof: Any) -> str | None:
    """Why ``proof`` is not a usable eddsa-rdfc-2022 (or accepted legacy) proof, or None."""
    if not isinstance(proof, Mapping):
        return "proof is not a JSON object"
    ptype, suite = proof.get("type"), proof.get("cryptosuite")
    known = cryptosuites.suite_of(proof)
    if known is None:
        return f"unsupported proof type {ptype!r} with cryptosuite {suite!r} (expected {PROOF_TYPE} {CRYPTOSUITE})"
    if proof.get("proofPurpose") != "assertionMethod":
        return f"proofPurpose is {proof.get('proofPurpose')!r}, expected 'assertionMethod'"
    vm = proof.get("verificationMethod")
    if not isinstance(vm, str) or not vm:
        return "proof has no verificationMethod"
    if not _URL.match(vm):
        # VC Data Integrity 1.0 §2.1: "The value of this property MUST be a string that represents a URL".
        return f"verificationMethod {vm[:60]!r} is not a URL (Data Integrity requires one, e.g. did:key:z6Mk…#z6Mk…)"
    pv = proof.get("proofValue")
    prefix, base = cryptosuites.proof_value_multibase(known)
    if not isinstance(pv, str) or not pv.startswith(prefix):
        return f"proofValue is missing or not {base} multibase (it must start with {prefix!r})"
    longest = cryptosuites.max_proof_value_chars(known)
    if len(pv) > longest:
        return f"proofValue is {len(pv):,} characters long; a {base} {known.name} proof value has at most {longest:,}"
    for name in ("created", "expires"):
        if name in proof:
            try:
                parse_datetime_stamp(proof[name], field=name)
            except TimestampError as exc:
                return f"proof {exc.message}"
    return None


#: "z" + base58btc of 64 bytes is at most 89 characters (an Ed25519 or P-256 signature; P-384:
#: :func:`badgekit.cryptosuites.max_proof_value_chars`).
MAX_PROOF_VALUE_CHARS = 89
#: An absolute URL (RFC 3986 scheme ":" …, no white space): what a verificationMethod must be.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+\Z")


def time_problem(proof: Mapping[str, Any], at: datetime) -> str | None:
    """Why ``proof`` (structure already checked) does not hold at ``at``: created after it (beyond
    :data:`CLOCK_SKEW`), or ``expires`` before it (VC Data Integrity 1.0 "expires"). None if it holds."""
    created = _parse_datetimez(proof.get("created"))
    if created is not None and created > at + CLOCK_SKEW:
        return f"proof created {utc_timestamp(created)}, after the verification time {utc_timestamp(at)}"
    expires = _parse_datetimez(proof.get("expires"))
    if expires is not None and at > expires:
        return f"proof expired at {utc_timestamp(expires)} (verification time {utc_timestamp(at)})"
    return None


def _parse_datetimez(value: Any) -> datetime | None:
    if value is None:  # no such member (most proofs have no "expires"): no exception to raise and catch
        return None
    try:
        return parse_datetime_stamp(value, field="proof date")
    except TimestampError:
        return None


def is_known_suite(proof: Any) -> bool:
    """True for a proof of a suite badgekit verifies (:data:`badgekit.cryptosuites.SUITES`)."""
    return cryptosuites.suite_of(proof) is not None


def default_resolver(documents: Mapping[str, Mapping[str, Any]] | None = None) -> Resolver:
    """Resolve did:key locally and anything else from ``documents`` (controller id → document)."""

    def resolve(vm_id: str) -> did.VerificationMethod:
        return did.resolve_verification_method(vm_id, documents, any_curve=True)

    return resolve


def resolve_key(vm_id: str, resolver: Resolver) -> tuple[did.VerificationMethod, str]:
    """Resolve ``vm_id``; when it cannot be resolved but its fragment is a multikey (as the 1EdTech
    examples do, ``https://issuer#z6Mk…``), use that key and say so with key source "fragment"."""
    try:
        vm = resolver(vm_id)
        return vm, ("did:key" if vm_id.startswith("did:key:") else "document")
    except did.Unresolvable:
        controller, _, fragment = vm_id.partition("#")
        if fragment.startswith(("z6Mk", "zDn", "z82")):
            key = did.decode_multikey_any(fragment)
            return did.VerificationMethod(vm_id, controller, key, frozenset()), "fragment"
        raise


def verify_proof(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    resolver: Resolver | None = None,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
) -> ProofResult:
    """Check one proof of ``document``: structure, key resolution, purpose and signature (a
    chained proof over the document with the proofs of ``document`` it names).

    Never raises for a bad credential: every problem is a failed :class:`ProofResult`.
    """
    problem = structure_problem(proof)
    if problem:
        return ProofResult(False, problem, proof, skipped=not is_known_suite(proof))
    vm_id = str(proof["verificationMethod"])
    try:
        vm, source = resolve_key(vm_id, resolver or default_resolver())
    except did.Unresolvable as exc:
        return ProofResult(False, f"verification method: {exc}", proof, vm_id, unresolved=True)
    except BadgekitError as exc:
        return ProofResult(False, f"verification method: {exc}", proof, vm_id)
    if source == "document" and "assertionMethod" not in vm.relationships:
        return ProofResult(False, f"{vm_id} is not an assertionMethod of its controller", proof, vm_id, vm.controller, source)
    previous = proofsets.matching(proofs_of(document), proof)
    problem = signature_problem(document, proof, vm.public_key, loader=loader, canonize=canonize, previous=previous)
    if problem:
        return ProofResult(False, problem, proof, vm_id, vm.controller, source)
    return ProofResult(True, f"{proof.get('type')} {proof.get('cryptosuite') or ''} signature verified".replace("  ", " "), proof, vm_id, vm.controller, source)


def signature_problem(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    *,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
    previous: Sequence[Mapping[str, Any]] = (),
) -> str | None:
    """Why ``proof`` (structure already checked) is not a valid signature of ``document`` by
    ``public_key``, or None when it is. A chained proof signs the document with the ``previous``
    proofs it names (:func:`badgekit.proofsets.matching`)."""
    suite = cryptosuites.suite_of(proof)
    key_type = did.key_type(public_key)
    if suite is None or key_type not in suite.key_types:
        name = suite.name if suite else cryptosuites.describe(proof)
        wanted = " or ".join(suite.key_types) if suite else "a supported"
        return f"the proof is {name}, which needs a {wanted} key; the verification method holds a {key_type or 'different'} key"
    if suite.transform == cryptosuites.SD:
        return _sd_problem(document, proof, public_key, loader=loader, canonize=canonize, previous=previous)
    try:
        signature = did.b58decode(str(proof["proofValue"])[1:])
    except ValueError:
        return "proofValue is not valid base58btc"
    size = cryptosuites.SIGNATURE_BYTES[key_type]
    if len(signature) != size:
        return f"proofValue decodes to {len(signature)} bytes; an {key_type} signature has {size}"
    try:
        message = signed_message(suite, key_type, document, proof, loader=loader, canonize=canonize, previous=previous)
    except cryptosuites.JcsError as exc:
        return f"the credential cannot be canonicalised with JCS (RFC 8785): {exc}"
    except BadgekitError as exc:
        what = "the credential with the proofs this one chains to" if previous else "the proof options"
        return f"{what} cannot be canonicalised: {exc.message}"
    if not cryptosuites.verify_signature(key_type, public_key, signature, message):
        what = "the credential and the proofs it chains to" if previous else "the credential"
        return f"signature does not match {what} (altered after signing, or signed with another key)"
    return None


def _sd_base_proof_value(document: Mapping[str, Any], options: Mapping[str, Any], signer: Signer,
                         pointers: Sequence[str] | None, *, loader: Callable[..., Any] | None,
                         canonize: Callable[..., str] | None) -> str:
    from badgekit import ecdsa_sd  # start-up: cbor2, for ecdsa-sd-2023 proofs only

    config = {**options, "@context": document.get("@context")}
    proof_hash = hashlib.sha256(_canonical_config(config, canonize or jsonld.canonize, loader).encode("utf-8")).digest()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    chosen = ecdsa_sd.default_mandatory_pointers(unsigned) if pointers is None else list(pointers)
    try:
        return ecdsa_sd.create_base_proof_value(unsigned, proof_hash, signer.sign, chosen, loader=loader)
    except ecdsa_sd.SdProofError as exc:
        raise ProofError(f"cannot sign in ecdsa-sd-2023: {exc}") from None


def _sd_problem(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    *,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
    previous: Sequence[Mapping[str, Any]] = (),
) -> str | None:
    """Why an ``ecdsa-sd-2023`` proof does not verify, or None: the document and the proof options
    canonicalised with RDFC-1.0 as for the other RDFC suites, then :mod:`badgekit.ecdsa_sd` (a
    derived proof, or the holder's base proof, whose statements are grouped again)."""
    from badgekit import ecdsa_sd  # start-up: cbor2, for ecdsa-sd-2023 proofs only

    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    value = str(proof["proofValue"])
    try:
        data = hash_data(document, options, loader=loader, canonize=canonize, previous=previous)
        if cryptosuites.is_base_proof(proof):
            return ecdsa_sd.base_proof_problem(proofsets.unsecured(document, previous), data.proof_hash, value,
                                               public_key, loader=loader)
    except BadgekitError as exc:
        return f"the credential or its proof options cannot be canonicalised: {exc.message}"
    return ecdsa_sd.derived_proof_problem(data.canonical_document, data.proof_hash, value, public_key)


def signed_message(
    suite: cryptosuites.Cryptosuite,
    key_type: str,
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
    previous: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """The bytes a proof of ``suite`` signs with a ``key_type`` key: ``hash(proof configuration) ‖
    hash(document)`` after the suite's transformation (RDFC-1.0 or JCS) and with its hash (SHA-384
    for P-384, SHA-256 otherwise). The one place signing and verifying both derive it from;
    ``proof`` may hold ``proofValue`` (ignored); a chained proof signs the document with the
    ``previous`` proofs it names.

    Raises:
        JcsError: a JCS suite and a document JCS cannot serialise.
        DocumentLoaderError, JsonLdError, LimitExceeded: from RDFC-1.0 canonicalisation.
    """
    hash_name = suite.hash_name(key_type)
    if suite.transform == cryptosuites.JCS:
        return cryptosuites.jcs_hash_data(document, proof, hash_name, previous)
    options = {k: v for k, v in proof.items() if k not in ("proofValue", "@context")}
    if hash_name == "sha256":
        return hash_data(document, options, loader=loader, canonize=canonize, previous=previous).hash_data
    data = hash_data(document, options, loader=loader, canonize=cryptosuites.canonize_sha384, previous=previous)
    return (hashlib.sha384(data.canonical_proof_config.encode("utf-8")).digest()
            + hashlib.sha384(data.canonical_document.encode("utf-8")).digest())


def canonical_proof_config(config: dict[str, Any], *, loader: Callable[..., Any] | None = None) -> str:
    """Canonical N-Quads of a proof configuration (options + the document's @context), cached."""
    return _canonical_config(config, jsonld.canonize, loader)


def verify(
    document: Mapping[str, Any],
    *,
    resolver: Resolver | None = None,
    loader: Callable[..., Any] | None = None,
    canonize: Callable[..., str] | None = None,
) -> ProofResult:
    """Check the proofs of ``document``: every proof of a known suite must verify, at least one
    must exist; proofs of unknown types are skipped (OB 3.0: a verifier may accept any one), and so
    is a chained proof that names one (it counts only if the proofs it names verify)."""
    proofs = proofs_of(document)
    if not proofs:
        return ProofResult(False, "the credential has no proof")
    if len(proofs) > limits.MAX_PROOFS:
        return ProofResult(False, f"{len(proofs)} proofs; badgekit checks at most {limits.MAX_PROOFS}")
    problem = proofsets.chain_problem(proofs)
    if problem:
        return ProofResult(False, problem)
    results = [verify_proof(document, p, resolver=resolver, loader=loader, canonize=canonize) for p in proofs]
    unchecked = {n for n, r in enumerate(results, start=1) if r.skipped}
    known = [(n, r) for n, r in enumerate(results, start=1) if not r.skipped]
    if not known:
        return results[0]
    failed = [r for _, r in known if not r.verified]
    if failed:
        return min(failed, key=lambda r: r.unresolved)  # a proof that fails outright before one undecided
    standing = [r for n, r in known if not proofsets.ancestors(proofs, n) & unchecked]
    if not standing:
        return ProofResult(False, "every proof chains to a proof of a suite badgekit does not implement", skipped=True)
    return standing[0]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]

"""``badgekit sign`` (low-level, for scripts). ``badgekit verify`` lives in :mod:`badgekit.cli.verify`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from badgekit import cryptosuites, jwt, limits, proof, proofsets
from badgekit._io import atomic_write, dumps_json, load_json_file
from badgekit.cli import _output
from badgekit.cli._options import (
    KEY_ENV,
    JsonOpt,
    KeyOpt,
    PassphraseFileOpt,
    load_any_key,
    load_data_integrity_key,
    out_option,
)
from badgekit.errors import InputError, JwtError, LimitExceeded, ProofError
from badgekit.jsonld import json_form_problem
from badgekit.keys import PrivateKey, RsaKey


def sign(
    credential: Annotated[Path, typer.Argument(help="Unsigned credential (JSON-LD); a signed one with --add-proof.")],
    key: KeyOpt = None,
    out: Annotated[Path | None, out_option("Write here (atomically) instead of stdout.")] = None,
    verification_method: Annotated[
        str | None,
        typer.Option("--verification-method", help="Verification method id for did:web issuers (the JWT kid with --format jwt / "
                     "vc+jwt); default: the key's did:key (an RSA key: none, the JWT header then carries only its jwk)."),
    ] = None,
    created: Annotated[str | None, typer.Option("--created", help="Proof creation time (default: now), e.g. 2026-01-01T00:00:00Z.")] = None,
    passphrase_file: PassphraseFileOpt = None,
    cryptosuite: Annotated[
        str | None,
        typer.Option("--cryptosuite", metavar="SUITE",
                     help=f"One of {', '.join(cryptosuites.SIGNING_SUITES)}. Default: eddsa-rdfc-2022 for an Ed25519 key, "
                          "ecdsa-rdfc-2019 for a P-256 / P-384 key."),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", metavar="ldp|jwt|vc+jwt",
                          help="ldp: add a Data Integrity proof (JSON); jwt: an OB 3.0 VC-JWT; vc+jwt: a W3C VC-JOSE-COSE "
                               "application/vc+jwt (compact JWS: EdDSA with an Ed25519 key, ES256 with P-256, RS256 with RSA).")
    ] = "ldp",
    add: Annotated[
        bool, typer.Option("--add-proof", help="The credential is already signed: add this proof beside its proofs (a "
                           "Data Integrity proof set; any key and suite). The new proof gets an id (urn:uuid).")
    ] = False,
    previous_proof: Annotated[
        list[str] | None,
        typer.Option("--previous-proof", metavar="ID", help="Chain the new proof after the proof with this id "
                     "(repeatable; implies --add-proof): it signs the credential with that proof (a proof chain)."),
    ] = None,
    proof_id: Annotated[
        str | None,
        typer.Option("--proof-id", metavar="ID", help="The new proof's id, so that a later proof can chain to it "
                     "(default with --add-proof: a new urn:uuid)."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Add a Data Integrity proof to a credential (eddsa-rdfc-2022 by default; see --cryptosuite),
    or sign it as a compact JWS (--format jwt or vc+jwt).

    Refuses (exit 2, nothing written) a credential that 'badgekit verify' would refuse once signed:
    more JSON objects, values, nesting levels, proofs, endorsements or bytes than verify checks;
    and a signed one without --add-proof (or --previous-proof). Warns when the key is not the
    issuer's and the proof is the first (verify's check 5, issuer-key, would fail).

    Example: badgekit sign examples/credential.json --key issuer-key.pem -o signed.json

    Example: badgekit sign credential.json --key p256-key.pem --cryptosuite ecdsa-jcs-2019

    Example: badgekit sign credential.json --key p256-key.pem --format vc+jwt -o credential.jwt

    Example: badgekit sign signed.json --key notary-key.pem --previous-proof urn:uuid:… -o notarised.json
    """
    if key is None:
        raise InputError(f"sign needs a signing key: --key FILE, or set {KEY_ENV}",
                         hint="sign works without a project, so there is no project key to fall back on")
    document = load_json_file(credential)
    if not isinstance(document, dict):
        raise InputError(f"{credential}: expected a JSON object")
    problem = json_form_problem(document)  # issuing builds its documents itself; this is for yours
    if problem is not None:
        raise InputError(f"{credential}: {problem}; badgekit verify would refuse it, so it is not signed")
    fmt = fmt.strip().lower()
    if fmt not in ("ldp", "jwt", "vc+jwt"):
        raise InputError(f"--format takes ldp, jwt or vc+jwt, got {fmt!r}")
    chained = list(previous_proof or [])
    if fmt != "ldp":
        given = [name for name, value in (("cryptosuite", cryptosuite), ("created", created), ("add-proof", add or None),
                                          ("previous-proof", chained or None), ("proof-id", proof_id)) if value is not None]
        if given:
            raise InputError(f"--{given[0]} is for a Data Integrity proof: it goes with --format ldp, not {fmt}")
        _sign_jws(credential, document, load_any_key(key, passphrase_file), verification_method, fmt, out, json_out)
        return
    if cryptosuite is not None:
        cryptosuites.signing_suite(cryptosuite)  # an unknown name: exit 2 before the key is read
    existing = proof.proofs_of(document)
    add = add or bool(chained)
    if existing and not add:
        raise InputError(f"{credential} is already signed ({len(existing)} proof(s)); not signed again",
                         hint="add a proof beside them with --add-proof (a proof set), or after one with "
                              "--previous-proof ID (a proof chain)")
    if add and proof_id is None:
        proof_id = proofsets.new_proof_id()
    signer = load_data_integrity_key(key, passphrase_file).signer(verification_method)
    suite = cryptosuite or cryptosuites.default_suite(signer.key_type)
    if not add:  # a co-signature or a chained proof may well be another party's
        _warn_if_not_the_issuers(credential, document, signer.verification_method)
    try:
        # Refuses what 'badgekit verify' would refuse once signed (badgekit.limits).
        signed = proof.add_proof(document, signer, created=created, cryptosuite=suite, proof_id=proof_id,
                                 previous_proof=chained or None)
        text = dumps_json(signed)
        limits.check_signed_size(len(text.encode("utf-8")))
    except LimitExceeded as exc:
        raise LimitExceeded(f"{credential}: {exc.message}; not signed", hint=exc.hint) from None
    except ProofError as exc:
        raise InputError(f"{credential}: {exc.message}; not signed", hint=exc.hint) from None
    if out is not None:
        atomic_write(out, text)
    if json_out:
        _output.emit_json({"file": str(credential), "out": None if out is None else str(out), "credential": signed})
    elif out is None:
        sys.stdout.write(text)
    if out is not None and not json_out:
        how = "" if not add else f" (proof {proof_id}, {'after ' + ', '.join(dict.fromkeys(chained)) if chained else 'a proof set'})"
        _output.info(f"signed {credential} -> {out}{how}", "green")


def _sign_jws(credential: Path, document: dict[str, Any], key: PrivateKey, verification_method: str | None, fmt: str,
              out: Path | None, json_out: bool) -> None:
    """``sign --format jwt|vc+jwt``: the compact JWS, written as it is (one line, no newline in --out)."""
    kid = verification_method or (None if isinstance(key, RsaKey) else key.signer().verification_method)
    try:
        token = jwt.sign_vc_jwt(document, key, kid=kid, securing=jwt.VC_JOSE if fmt == "vc+jwt" else jwt.VC_JWT)
    except LimitExceeded as exc:
        raise LimitExceeded(f"{credential}: {exc.message}; not signed", hint=exc.hint) from None
    except JwtError as exc:
        raise InputError(f"{credential}: {exc.message}; not signed", hint=exc.hint) from None
    if out is not None:
        atomic_write(out, token)
    if json_out:
        _output.emit_json({"file": str(credential), "out": None if out is None else str(out), "format": fmt, "jwt": token})
    elif out is None:
        sys.stdout.write(token + "\n")
    else:
        _output.info(f"signed {credential} -> {out} ({fmt}, {key.jws_alg})", "green")


def _warn_if_not_the_issuers(credential: Path, document: dict[str, object], method: str) -> None:
    """Verifiers look for the key under the issuer's id (check 5, issuer-key): a method of another
    DID is signed all the same (sign is low level: test documents, endorsements), but not silently."""
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    owner = method.partition("#")[0]
    if isinstance(issuer_id, str) and owner != issuer_id:
        _output.warn(f"{credential}: signed as {owner}, but the issuer is {issuer_id}: badgekit verify will fail it "
                     "(check 5, issuer-key); sign with the issuer's key (and --verification-method for a did:web issuer), "
                     "or set issuer.id to the key's did:key")


def register(app: typer.Typer) -> None:
    app.command("sign")(sign)

"""``badgekit key``: generate signing keys, show their public identifiers, write did:web documents.

Ed25519 keys (the default) sign everything and are named by did:key/did:web; P-256 / P-384 keys
sign Data Integrity proofs in the ecdsa-* cryptosuites and are named by did:key (zDn…/z82…) and
did:web too; RSA keys sign only VC-JWT (RS256) and are named by their public JWK and its RFC 7638
thumbprint.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from badgekit import did, jwt, keys
from badgekit._io import atomic_write, dumps_json
from badgekit.cli import _output
from badgekit.cli._options import (
    KEY_ENV,
    JsonOpt,
    PassphraseFileOpt,
    load_any_key,
    old_spellings,
    out_option,
    read_passphrase,
)
from badgekit.errors import InputError
from badgekit.jwk import jwk_thumbprint_uri

app = typer.Typer(help="Create and inspect signing keys (Ed25519, P-256/P-384 for ecdsa-* proofs, or RSA for VC-JWT) "
                       "and their public identifiers.",
                  no_args_is_help=True)


_GENERATORS: dict[str, Callable[[], keys.PrivateKey]] = {
    "ed25519": keys.Ed25519Key.generate,
    "p256": lambda: keys.EcdsaKey.generate("P-256"),
    "p384": lambda: keys.EcdsaKey.generate("P-384"),
    "rsa": keys.RsaKey.generate,
}


@app.command("generate")
@old_spellings(key_type=("-t",))
def generate(
    path: Annotated[Path, typer.Argument(help="Where to write the private key (created 0600, never overwritten).")] = Path(
        "badgekit-key.pem"
    ),
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Protect the key with a passphrase (from --passphrase-file, the environment or a prompt).")
    ] = False,
    passphrase_file: PassphraseFileOpt = None,
    key_type: Annotated[
        str,
        typer.Option("--type", help="ed25519 (default: Data Integrity proofs and VC-JWT EdDSA), p256 or p384 "
                     "(Data Integrity ecdsa-rdfc-2019 / ecdsa-jcs-2019) or rsa "
                     f"({keys.RSA_DEFAULT_BITS} bits; VC-JWT RS256 only)."),
    ] = "ed25519",
    json_out: JsonOpt = False,
) -> None:
    """Generate a signing key and print its did:key (Ed25519, P-256, P-384) or JWK thumbprint (RSA); never the private key.

    Example: badgekit key generate issuer-key.pem --encrypt
    Example: badgekit key generate p256-key.pem --type p256
    Example: badgekit key generate rsa-key.pem --type rsa
    """
    kind = key_type.strip().lower().replace("-", "")
    if kind not in _GENERATORS:
        raise InputError(f"--type takes {', '.join(_GENERATORS)}, got {key_type!r}")
    passphrase = read_passphrase(passphrase_file, confirm=True) if (encrypt or passphrase_file) else None
    key = _GENERATORS[kind]()
    keys.save_key(key, path, passphrase=passphrase)
    info = _public_info(key)
    info["path"] = str(path)
    info["encrypted"] = passphrase is not None
    if json_out:
        _output.emit_json(info)
    else:
        _output.info(f"wrote {path} (mode 0600{', encrypted' if passphrase else ''})", "green")
        _output.emit_text(str(info["did"] if "did" in info else info["jwkThumbprintUri"]))


@app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="Private key file.")],
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print a key's did:key, verification method, publicKeyMultibase and DID document (Ed25519,
    P-256, P-384: a Multikey), or its public JWK and RFC 7638 thumbprint (RSA: what a trust list names, see --trust).

    Example: badgekit key show issuer-key.pem --json
    """
    info = _public_info(load_any_key(path, passphrase_file))
    if json_out:
        _output.emit_json(info)
        return
    if info["type"] == "rsa":
        _output.emit_text(f"type                RSA {info['bits']} bits (VC-JWT RS256)")
        _output.emit_text(f"JWK thumbprint      {info['jwkThumbprintUri']}")
        _output.emit_text("public JWK:")
        _output.emit_text(dumps_json(info["jwk"]).rstrip())
        _output.info("publish it at your issuer id: 'badgekit key did-web' lists it as a JsonWebKey assertionMethod "
                     "<did>#<thumbprint>, the kid 'badgekit issue --format jwt' writes (or set [issuer] "
                     "jwt_verification_method); offline verifiers can trust the thumbprint instead (--trust)")
        return
    if info["type"] != "ed25519":
        _output.emit_text(f"type                ECDSA {info['curve']} (Data Integrity ecdsa-rdfc-2019 / ecdsa-jcs-2019)")
    _output.emit_text(f"did:key             {info['did']}")
    _output.emit_text(f"verificationMethod  {info['verificationMethod']}")
    _output.emit_text(f"publicKeyMultibase  {info['publicKeyMultibase']}")
    _output.emit_text("DID document:")
    _output.emit_text(dumps_json(info["didDocument"]).rstrip())


@app.command("did-web")
def did_web(
    domain: Annotated[str, typer.Option("--domain", help="Host that will serve the document, e.g. example.edu.")],
    keys_: Annotated[
        list[Path] | None,
        typer.Argument(metavar="[KEY]...", envvar=KEY_ENV, show_envvar=False, show_default=False,
                       help="Key files, oldest first: Ed25519, P-256/P-384 and/or RSA; every key is listed so old credentials stay "
                            f"verifiable. Default: ${KEY_ENV}, else the project's key (key_path)."),
    ] = None,
    path: Annotated[str | None, typer.Option("--path", help="Optional path, e.g. issuers/cs.")] = None,
    out: Annotated[Path, out_option("Where to write did.json.")] = Path("did.json"),
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the did:web DID document (did.json) to host for your keys.

    Ed25519, P-256 and P-384 keys are listed as Multikey methods #key-1, #key-2 … (numbered among
    them), for Data Integrity proofs (and EdDSA VC-JWTs). RSA keys (RS256 VC-JWT) are listed as JsonWebKey
    assertion methods #<JWK thumbprint> (public n and e only), the kid that 'badgekit issue
    --format jwt --key rsa.pem' writes.

    Example: badgekit key did-web old.pem new.pem --domain example.edu --path issuers/cs

    Example: badgekit key did-web issuer-key.pem rsa.pem --domain example.edu
    """
    identifier = did.did_web(domain, path)
    loaded = [load_any_key(k, passphrase_file) for k in (keys_ or [_project_key()])]
    document = did.did_web_document(
        identifier, [k.public_jwk if isinstance(k, keys.RsaKey) else k.public_key for k in loaded]
    )
    atomic_write(out, dumps_json(document))
    methods = document["verificationMethod"]
    newest_ed = next((vm["id"] for vm in reversed(methods) if vm["type"] == "Multikey"), None)
    rsa_kids = [vm["id"] for vm in methods if vm["type"] == "JsonWebKey"]
    if json_out:
        _output.emit_json({"did": identifier, "path": str(out), "url": did.did_web_url(identifier), "didDocument": document})
    else:
        _output.info(f"wrote {out}: host it at {did.did_web_url(identifier)}", "green")
        _output.emit_text(identifier)
        if newest_ed:
            _output.info(f"sign with: --verification-method {newest_ed}")
        for kid in rsa_kids:
            _output.info(f"RS256 VC-JWTs signed with the RSA key name it as kid {kid}")


def _project_key() -> Path:
    """The key when none is named and BADGEKIT_KEY is unset: the project's, if there is a project."""
    # start-up: the project (roster, badge classes, YAML) only for a key named in badgekit.toml
    from badgekit.project import find_project

    try:
        return find_project().key_path
    except InputError:
        raise InputError(f"name the key files (KEY...), set {KEY_ENV}, or run this inside a badge project",
                         hint="e.g. badgekit key did-web issuer-key.pem --domain example.edu") from None


def _public_info(key: keys.PrivateKey) -> dict[str, object]:
    if isinstance(key, keys.RsaKey):
        # No did:key for RSA here: verifiers learn the key from the issuer's published JWK, or a
        # trust list naming this thumbprint.
        jwk = key.public_jwk
        return {
            "type": "rsa",
            "bits": key.key_size,
            "alg": key.jws_alg,
            "jwk": jwk,
            "jwkThumbprint": jwt.jwk_thumbprint(jwk),
            "jwkThumbprintUri": jwk_thumbprint_uri(jwk),
        }
    ecdsa = {"type": key.curve.lower().replace("-", ""), "curve": key.curve} if isinstance(key, keys.EcdsaKey) else {}
    return {
        "type": "ed25519",
        **ecdsa,
        "did": key.did_key,
        "verificationMethod": did.did_key_verification_method(key.public_key),
        "publicKeyMultibase": key.public_key_multibase,
        "didDocument": did.did_key_document(key.public_key),
    }

"""``badgekit key``: generate signing keys, show their public identifiers, write did:web documents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from badgekit import did, keys
from badgekit._io import atomic_write, dumps_json
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, PassphraseFileOpt, load_key, read_passphrase

app = typer.Typer(help="Create and inspect Ed25519 signing keys and their DIDs.", no_args_is_help=True)


@app.command("generate")
def generate(
    path: Annotated[Path, typer.Argument(help="Where to write the private key (created 0600, never overwritten).")] = Path(
        "badgekit-key.pem"
    ),
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Protect the key with a passphrase (from --passphrase-file, the environment or a prompt).")
    ] = False,
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Generate an Ed25519 signing key and print its did:key (never the private key).

    Example: badgekit key generate issuer-key.pem --encrypt
    """
    passphrase = read_passphrase(passphrase_file, confirm=True) if (encrypt or passphrase_file) else None
    key = keys.Ed25519Key.generate()
    keys.save_key(key, path, passphrase=passphrase)
    info = _public_info(key)
    info["path"] = str(path)
    info["encrypted"] = passphrase is not None
    if json_out:
        _output.emit_json(info)
    else:
        _output.info(f"wrote {path} (mode 0600{', encrypted' if passphrase else ''})", "green")
        _output.emit_text(info["did"])


@app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="Private key file.")],
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Print a key's did:key, verification method, publicKeyMultibase and DID document."""
    info = _public_info(load_key(path, passphrase_file))
    if json_out:
        _output.emit_json(info)
        return
    _output.emit_text(f"did:key             {info['did']}")
    _output.emit_text(f"verificationMethod  {info['verificationMethod']}")
    _output.emit_text(f"publicKeyMultibase  {info['publicKeyMultibase']}")
    _output.emit_text("DID document:")
    _output.emit_text(dumps_json(info["didDocument"]).rstrip())


@app.command("did-web")
def did_web(
    keys_: Annotated[list[Path], typer.Argument(metavar="KEY...", help="Key files, oldest first; every key is listed so old credentials stay verifiable.")],
    domain: Annotated[str, typer.Option("--domain", help="Host that will serve the document, e.g. example.edu.")],
    path: Annotated[str | None, typer.Option("--path", help="Optional path, e.g. issuers/cs.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write did.json.")] = Path("did.json"),
    passphrase_file: PassphraseFileOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write the did:web DID document (did.json) to host for your keys.

    Example: badgekit key did-web old.pem new.pem --domain example.edu --path issuers/cs
    """
    identifier = did.did_web(domain, path)
    document = did.did_web_document(identifier, [load_key(k, passphrase_file).public_key for k in keys_])
    atomic_write(out, dumps_json(document))
    if json_out:
        _output.emit_json({"did": identifier, "path": str(out), "url": did.did_web_url(identifier), "didDocument": document})
    else:
        _output.info(f"wrote {out}: host it at {did.did_web_url(identifier)}", "green")
        _output.emit_text(identifier)
        newest = document["verificationMethod"][-1]["id"]
        _output.info(f"sign with: --verification-method {newest}")


def _public_info(key: keys.Ed25519Key) -> dict[str, object]:
    return {
        "did": key.did_key,
        "verificationMethod": did.did_key_verification_method(key.public_key),
        "publicKeyMultibase": key.public_key_multibase,
        "didDocument": did.did_key_document(key.public_key),
    }

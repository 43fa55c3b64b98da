"""``badgekit sign`` (low-level, for scripts) and ``badgekit verify``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from badgekit import proof
from badgekit._io import atomic_write, dumps_json, load_json_file
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, KeyOpt, PassphraseFileOpt, load_key
from badgekit.errors import ExitCode, InputError


def sign(
    credential: Annotated[Path, typer.Argument(help="Unsigned credential (JSON-LD).")],
    key: KeyOpt,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here (atomically) instead of stdout.")] = None,
    verification_method: Annotated[
        str | None,
        typer.Option("--verification-method", help="Verification method id for did:web issuers; default: the key's did:key."),
    ] = None,
    created: Annotated[str | None, typer.Option("--created", help="Proof creation time (default: now), e.g. 2026-01-01T00:00:00Z.")] = None,
    passphrase_file: PassphraseFileOpt = None,
) -> None:
    """Add an eddsa-rdfc-2022 Data Integrity proof to a credential.

    Example: badgekit sign examples/credential.json --key issuer-key.pem -o signed.json
    """
    document = load_json_file(credential)
    if not isinstance(document, dict):
        raise InputError(f"{credential}: expected a JSON object")
    signer = load_key(key, passphrase_file).signer(verification_method)
    signed = proof.add_proof(document, signer, created=created)
    text = dumps_json(signed)
    if out is None:
        sys.stdout.write(text)
    else:
        atomic_write(out, text)
        _output.info(f"signed {credential} -> {out}", "green")


def verify(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Signed credentials (JSON).")],
    json_out: JsonOpt = False,
) -> None:
    """Check the Data Integrity proof of each credential, offline.

    Exit code 0 when every proof verifies, 1 when any does not.
    """
    results = []
    for f in files:
        doc = load_json_file(f)
        r = proof.verify(doc) if isinstance(doc, dict) else proof.ProofResult(False, "not a JSON object")
        results.append({"file": str(f), "valid": r.verified, "reason": r.reason, "verificationMethod": r.verification_method})
        if not json_out:
            mark = "valid  " if r.verified else "INVALID"
            _output.emit_text(f"{mark} {f}: {r.reason}")
    if json_out:
        _output.emit_json(results)
    raise typer.Exit(int(ExitCode.OK if all(r["valid"] for r in results) else ExitCode.FAILED))


def register(app: typer.Typer) -> None:
    app.command("sign")(sign)
    app.command("verify")(verify)

"""The Typer declaration of ``badgekit verify``: its arguments, options and help. The command
itself is :func:`badgekit.cli.verify.run`, which the entry point also calls without Typer for the
plain forms of the command line (:func:`badgekit.cli.verify.parse_argv`; the two parsers are
compared by tests/cli/test_verify_argv_cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from badgekit.cli import verify as command
from badgekit.cli._options import (
    NoCacheOpt,
    Ob2DocOpt,
    VerifyAtOpt,
    input_path,
    json_option,
    workers_option,
)


def verify(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", parser=input_path, help="Credentials (.json), baked badges (.png, .svg), VC-JWTs (.jwt), SD-JWT VCs (.sd-jwt), Open Badges 2.0 assertions (.json, .jws), or folders of them."),
    ],
    json_out: Annotated[bool, json_option("Print JSON on stdout: one object for one file, an array for several.")] = False,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="Print one JSON report per line (for streams of files).")] = False,
    at: VerifyAtOpt = None,
    status_list: Annotated[
        list[str] | None,
        typer.Option(
            "--status-list",
            metavar="FILE|DIR|URL=FILE",
            help="Bitstring status list credential(s) to check revocation against: a file, a folder of *.json, "
            "or URL=FILE to serve FILE for that statusListCredential URL (a status list's id must be that URL). Repeatable. Without it, status is indeterminate.",
        ),
    ] = None,
    did_doc: Annotated[
        list[Path] | None,
        typer.Option("--did-doc", metavar="FILE", help="DID document (did:web, did.json) or issuer profile holding the issuer's keys. Repeatable."),
    ] = None,
    ob2_doc: Ob2DocOpt = None,
    trust: Annotated[
        Path | None,
        typer.Option("--trust", metavar="FILE", help='Trust list: {"issuers": [{"id": …, "name": …, "keys": [...]}]}. Issuers not on it fail.'),
    ] = None,
    recipient: Annotated[
        str | None,
        typer.Option(
            "--recipient",
            metavar="VALUE",
            help="Check the credential was issued to this email address, URL, phone number or DID (matches "
            "credentialSubject.id or a hashed or plain identifier; emails also match trimmed and lower-cased). "
            "Without it, check 10 is skipped.",
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
    workers: Annotated[
        int | None, workers_option("Processes verifying files in parallel; the output order is the order of the files either way")
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option("--verbose", help="With several files, print the full report of each instead of one line per file."),
    ] = False,
) -> None:
    """Verify Open Badges 3.0 credentials and Open Badges 2.0 assertions offline: valid, invalid (and why), or cannot be decided offline.

    Checks, in order: 1 parse, 2 schema, 3 contexts, 4 proof-structure, 5 issuer-key, 6 signature,
    7 validity, 8 status, 9 trust, 10 recipient, 11 endorsements (each embedded endorsement
    verified like a credential, one level deep; a broken one makes the credential invalid).
    A *.jsonl file (issue --output-mode jsonl) holds one credential per line, each reported as FILE#LINE.
    Open Badges 2.0 (JSON, a signed JWS, a baked PNG/SVG, a hosted assertion's URL) gets the same
    checks by OB 2.0's rules, against copies of its documents given with --ob2-doc (docs/ob2.md).
    One file: the full report. Several files: one line each (verdict, file, badge, earner, the
    check that decided it), then a summary; --verbose prints full reports.
    A PNG/SVG found in a folder with no badge baked in at all (a QR code, a logo) is skipped
    (verdict "skipped" in --json/--jsonl, exit 0); named on the command line, or damaged, it is
    invalid; if nothing else is found, exit 2.
    Exit code: 0 all valid, 1 any invalid, 3 indeterminate, 2 usage.

    Example: badgekit verify my-badge.png --status-list lists/ --trust trusted-issuers.json --recipient alice@example.org
    """
    raise typer.Exit(command.run(files, json_out=json_out, jsonl=jsonl, at=at, status_list=status_list, did_doc=did_doc,
                                 trust=trust, recipient=recipient, no_cache=no_cache, workers=workers, verbose=verbose,
                                 ob2_doc=ob2_doc))


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)

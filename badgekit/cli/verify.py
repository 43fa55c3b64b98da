"""``badgekit verify``: offline verification of credentials, baked badges and VC-JWTs.

Exit codes: 0 every file valid, 1 any invalid, 3 none invalid but some could not be decided
offline (indeterminate), 2 usage error. The verification itself is :mod:`badgekit.verify`; this
module only gathers options and prints. Rich is imported only to print the full human report (one
file, or ``--verbose``); several files get one plain line each, written without Rich (rendering
1,500 full reports took three times as long as verifying them).
"""

from __future__ import annotations

import os
import sys
import textwrap
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from badgekit import cache
from badgekit._io import load_json_file
from badgekit._time import utc_now
from badgekit.cli import _output
from badgekit.cli._options import (
    NoCacheOpt,
    Ob2DocOpt,
    VerifyAtOpt,
    default_workers,
    json_option,
    workers_option,
)
from badgekit.cli._sinks import Human, Json, Jsonl, Sink
from badgekit.errors import ExitCode, InputError
from badgekit.jsonld import import_pyld_without_http

if TYPE_CHECKING:
    from badgekit.verify import VerificationReport, VerifyOptions

_MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red bold"), "indeterminate": ("?", "yellow"), "skipped": ("–", "dim")}
_VERDICT_STYLE = {"valid": "green bold", "invalid": "red bold", "indeterminate": "yellow bold"}


def verify(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="Credentials (.json), baked badges (.png, .svg), VC-JWTs (.jwt), or folders of them."),
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
    Exit code: 0 all valid, 1 any invalid, 3 indeterminate, 2 usage.

    Example: badgekit verify my-badge.png --status-list lists/ --trust trusted-issuers.json --recipient alice@example.org
    """
    # start-up: the verify package loads when this command runs, not for `badgekit --help` (ADR 10)
    from badgekit import verify as core

    if json_out and jsonl:
        raise InputError("--json and --jsonl cannot be used together")
    if recipient is not None and not recipient.strip():
        raise InputError("--recipient needs a value: an email address, URL, phone number or DID")
    options = _options(at, status_list or [], did_doc or [], trust, recipient, use_cache=not no_cache,
                       ob2_docs=ob2_doc or [])
    paths = core.expand_paths(files)
    import_pyld_without_http()  # this process is ours: skip PyLD's network loaders (ADR 10)
    many = len(paths) > 1 or any(str(p).lower().endswith(".jsonl") for p in paths)  # a JSON Lines file: one credential a line
    single = not many and not files[0].is_dir()
    one_line = not json_out and not jsonl and not verbose and many
    sink = _sink(json_out=json_out, jsonl=jsonl, single=single, one_line=one_line, recipient=recipient)
    counts = {"valid": 0, "invalid": 0, "indeterminate": 0}
    for report in core.verify_paths(paths, options, workers=workers or default_workers()):
        if _output.stdout_is_gone():
            break  # the reader went away (| head): the reports are all there is to this work
        counts[report.verdict] += 1
        sink.write(report)
    sink.close()
    code = core.worst_verdict_exit_code(v for v, n in counts.items() if n)
    if not json_out and not jsonl and many and not _output.stdout_is_gone():
        _print_totals(counts, code)
    raise typer.Exit(int(code))


def _sink(*, json_out: bool, jsonl: bool, single: bool, one_line: bool, recipient: str | None) -> Sink[VerificationReport]:
    """Where the reports go: ``--jsonl``, ``--json`` (one object for one file, else an array), one
    plain line per file (several files), or the full report (one file, or ``--verbose``)."""
    def encode(report: VerificationReport) -> dict[str, Any]:
        return report.to_dict()

    if jsonl:
        return Jsonl(encode=encode)
    if json_out:
        return Json(many=not single, encode=encode)
    if one_line:
        out = sys.stdout
        color = _color(out)
        return Human(lambda report: out.write(report_line(report, recipient=recipient, color=color) + "\n"), out=out)
    return Human(_print_report)


def _options(at: str | None, status_lists: list[str], did_docs: list[Path], trust: Path | None,
             recipient: str | None = None, *, use_cache: bool = True, ob2_docs: list[str] | None = None) -> VerifyOptions:
    # start-up: the verify package loads when this command runs, not for `badgekit --help` (ADR 10)
    from badgekit import verify as core

    lists: dict[str, Any] = {}
    plain: list[str] = []
    for item in status_lists:
        url, sep, file = item.partition("=")
        if sep and "://" in url:
            lists[url] = load_json_file(file)
        else:
            plain.append(item)
    if plain:
        # start-up: the status list module (bitstrings, zlib) only when --status-list names files
        from badgekit import status

        lists = {**status.load_status_lists(plain), **lists}
    did_documents = core.load_did_documents(did_docs)
    ob2_documents: dict[str, Any] = {}
    provenance: dict[str, str] = {}
    if ob2_docs:
        # start-up: the OB 2.0 reader only when OB 2.0 documents are given
        from badgekit import ob2

        ob2_documents, provenance = ob2.load_documents(ob2_docs)
    if use_cache:
        # What the user added with 'badgekit cache add'; documents given here win over it.
        cached = cache.load()
        for problem in cached.skipped:
            _output.warn(f"skipped a damaged cache entry: {problem}")
        given = {**lists, **did_documents, **ob2_documents}
        provenance = {**{k: v for k, v in cached.provenance().items() if k not in given}, **provenance}
        lists = {**cached.status_lists, **lists}
        did_documents = {**cached.did_documents, **did_documents}
        ob2_documents = {**cached.ob2_documents, **ob2_documents}
    return core.VerifyOptions(
        # One clock for the whole run: every report says the same "checked at", whatever the
        # number of files or workers.
        at=core.parse_timestamp(at, field="--at") if at is not None else utc_now().replace(microsecond=0),
        status_lists=lists,
        did_documents=did_documents,
        trust=core.TrustList.load(trust) if trust is not None else None,
        recipient=recipient,
        provenance=provenance,
        ob2_documents=ob2_documents,
    )


def clean(text: object) -> str:
    """Untrusted text made safe for a terminal: control and bidi-override characters (which could
    move the cursor, recolour or reorder what the earner sees) are shown as ``\\uXXXX``."""
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " ":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _print_report(report: VerificationReport) -> None:
    # start-up: Rich only for the full human report (--json, --jsonl and one-line output skip ~40 ms)
    from rich.text import Text

    console = _output.stdout
    s = report.summary
    verdict = report.verdict
    label = {"valid": "✓ VALID", "invalid": "✗ INVALID", "indeterminate": "? INDETERMINATE"}[verdict]
    console.print(Text(label, style=_VERDICT_STYLE[verdict]) + Text("  " + clean(report.source), style="bold"))
    rows: list[tuple[str, str]] = []
    if s.get("issuerId") or s.get("issuerName"):
        name = clean(s.get("issuerName") or "")
        rows.append(("issuer", f"{name} ({clean(s.get('issuerId'))})" if name else clean(s.get("issuerId"))))
    if s.get("recipient"):
        rows.append(("recipient", clean(s["recipient"])))
    if s.get("achievementName") or s.get("name"):
        ach = clean(s.get("achievementName") or s.get("name"))
        if s.get("achievementType"):
            ach += f" ({clean(s['achievementType'])})"
        rows.append(("achievement", ach))
    if s.get("validFrom") or s.get("validUntil"):
        rows.append(("valid", f"{clean(s.get('validFrom') or '-')} → {clean(s.get('validUntil') or 'no expiry')}"))
    if s.get("format"):
        securing = {"embedded-proof": "embedded proof", "vc-jwt": "VC-JWT", "vc+jwt": "vc+jwt (VC-JOSE-COSE)",
                    "sd-jwt-vc": "SD-JWT VC", "ob2-signed": "Open Badges 2.0, signed (JWS)",
                    "ob2-hosted": "Open Badges 2.0, hosted"}.get(s.get("securing") or "", "")
        rows.append(("format", f"{s['format']}{', ' + securing if securing else ''}"))
    if "disclosed" in s:  # an SD-JWT VC: which selectively disclosable claims the holder showed
        withheld = f" ({s['undisclosed']} not disclosed)" if s.get("undisclosed") else ""
        rows.append(("disclosed", clean(", ".join(s["disclosed"]) or "none") + withheld))
    if s.get("notChecked"):
        rows.append(("not checked", clean(", ".join(s["notChecked"]))))
    for key, value in rows:
        console.print(Text(f"  {key:<12} ", style="dim") + Text(value))
    # Plain aligned lines rather than rich.table (20 ms of start-up): number, mark, check id,
    # and the reason, continuation lines indented under it.
    width = max((len(c.id) for c in report.checks), default=0)
    digits = len(str(len(report.checks)))
    indent = " " * (digits + 5 + width + 1)  # "N  ✓  id… "
    wrap = max(20, console.width - len(indent))
    for check in report.checks:
        mark, style = _MARKS.get(check.status, ("?", ""))
        reason = clean(check.reason)
        lines = textwrap.wrap(reason, wrap, break_on_hyphens=False) or [""]
        head = Text(f"{check.number:>{digits}}  ", style="dim") + Text(mark, style=style) + Text("  ")
        head += Text(f"{check.id:<{width}} ", style=style if check.status != "passed" else "")
        reason_style = "dim" if check.status == "skipped" else ""
        console.print(head + Text(lines[0], style=reason_style), soft_wrap=True)
        for more in lines[1:]:
            console.print(Text(indent + more, style=reason_style), soft_wrap=True)
    console.print()


_LABELS = {"valid": "✓ VALID", "invalid": "✗ INVALID", "indeterminate": "? INDETERMINATE"}
_ANSI = {"valid": "\x1b[1;32m", "invalid": "\x1b[1;31m", "indeterminate": "\x1b[1;33m"}
_DECIDING = {"invalid": "failed", "indeterminate": "indeterminate"}


def report_line(report: VerificationReport, *, recipient: str | None = None, color: bool = False) -> str:
    """One line for a report: verdict, file, badge, earner and, unless valid, the first check that
    decided the verdict with its reason (and how many more did), fields two spaces apart.

    The earner is the ``--recipient`` value when check 10 matched it, else how the credential names
    its subject (``emailAddress (hashed)``, ``id (did:key)``). Untrusted text goes through
    :func:`clean`; colour is plain ANSI, only when ``color``.
    """
    s = report.summary
    verdict = report.verdict
    label = f"{_LABELS[verdict]:<15}"
    if color:
        label = f"{_ANSI[verdict]}{label}\x1b[0m"
    matched = report.check("recipient")
    earner = recipient if recipient and matched is not None and matched.status == "passed" else s.get("recipient")
    fields = [label, clean(report.source), clean(s.get("achievementName") or s.get("name") or "-"), clean(earner or "-")]
    deciding = [c for c in report.checks if c.status == _DECIDING.get(verdict)]
    if deciding:
        first = deciding[0]
        more = f" (+{len(deciding) - 1} more)" if len(deciding) > 1 else ""
        fields.append(f"{first.number} {first.id}: {clean(first.reason)}{more}")
    return "  ".join(fields)


def _color(out: TextIO) -> bool:
    """ANSI colour for the one-line output: on a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _print_totals(counts: dict[str, int], code: ExitCode) -> None:
    _output.info(
        f"{sum(counts.values()):,} files: {counts['valid']:,} valid, {counts['invalid']:,} invalid, "
        f"{counts['indeterminate']:,} indeterminate; exit code {int(code)} "
        "(0 all valid, 1 any invalid, 3 none invalid but some indeterminate)"
    )


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)


__all__ = ["verify", "register", "clean", "report_line", "ExitCode"]

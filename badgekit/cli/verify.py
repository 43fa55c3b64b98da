"""``badgekit verify``: offline verification of credentials, baked badges and VC-JWTs.

Exit codes: 0 every file valid, 1 any invalid, 3 none invalid but some could not be decided
offline (indeterminate), 2 usage error; an image found in a folder with no badge baked in at all (a
bundle's QR code, a logo) is skipped (verdict ``skipped``); finding nothing else is a usage error.
The verification itself is :mod:`badgekit.verify`; this module only gathers options and prints,
and imports neither Typer nor Rich (ADR 10): its options and help are declared for Typer in
``cli/_verify_cli.py``, and :func:`parse_argv` reads the plain forms of the command line without it. Several files get one plain line each (rendering 1,500 full
reports took three times as long as verifying them); the full report (one file, or ``--verbose``)
goes through Rich only on a terminal, where it has styles to add.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from badgekit._cache_dir import cache_dir
from badgekit._io import load_json_file
from badgekit._parallel import default_workers
from badgekit._schema_startup import import_jsonschema_rs_without_email
from badgekit._time import utc_now
from badgekit.cli import _output
from badgekit.cli._sinks import Human, Json, Jsonl, Lines, Sink
from badgekit.errors import ExitCode, InputError
from badgekit.jsonld import import_pyld_without_http

if TYPE_CHECKING:
    from badgekit.verify import VerificationReport, VerifyOptions

_MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red bold"), "indeterminate": ("?", "yellow"), "skipped": ("–", "dim")}
_VERDICT_STYLE = {"valid": "green bold", "invalid": "red bold", "indeterminate": "yellow bold"}


def run(files: list[Path], *, json_out: bool = False, jsonl: bool = False, at: str | None = None,
        status_list: list[str] | None = None, did_doc: list[Path] | None = None, trust: Path | None = None,
        recipient: str | None = None, no_cache: bool = False, workers: int | None = None, verbose: bool = False,
        ob2_doc: list[str] | None = None) -> int:
    """``badgekit verify`` with its parameters as Typer passes them (see ``cli/_verify_cli.py`` for
    their help); returns the exit code: 0 all valid, 1 any invalid, 3 indeterminate."""
    # Start-up makes ~27,000 objects the collector tracks, which live as long as the process: the
    # collector makes no pass over them while they are made, nor afterwards when this process was
    # started as `badgekit verify` (they are frozen: ~11 % of a cold start's instructions, issue 18).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # start-up: the verify package loads when this command runs, not for `badgekit --help` (ADR 10)
        from badgekit import verify as core

        if json_out and jsonl:
            raise InputError("--json and --jsonl cannot be used together")
        if recipient is not None and not recipient.strip():
            raise InputError("--recipient needs a value: an email address, URL, phone number or DID")
        options = _options(at, status_list or [], did_doc or [], trust, recipient, use_cache=not no_cache,
                           ob2_docs=ob2_doc or [])
        found: set[str] = set()  # files found in folders, not named: images there may hold no badge
        paths = core.expand_paths(files, found=found)
        import_pyld_without_http()  # this process is ours: skip PyLD's network loaders (ADR 10)
        import_jsonschema_rs_without_email()  # and jsonschema-rs's e-mail date parser (ADR 10)
        if sys.argv[1:2] == ["verify"]:  # the command owns its process (not a host calling run())
            gc.freeze()
    finally:
        if collecting:
            gc.enable()
    run_files = any(str(p).lower().endswith(".jsonl") for p in paths)  # a JSON Lines file: one credential a line
    many = len(paths) > 1 or run_files
    single = not many and not files[0].is_dir()
    one_line = not json_out and not jsonl and not verbose and many
    sink = _sink(json_out=json_out, jsonl=jsonl, single=single, one_line=one_line, recipient=recipient)
    counts = {"valid": 0, "invalid": 0, "indeterminate": 0, "skipped": 0}
    for report in core.verify_paths(paths, options, workers=workers or default_workers(), found=found):
        if _output.stdout_is_gone():
            break  # the reader went away (| head): the reports are all there is to this work
        counts[report.verdict] += 1
        sink.write(report)
    sink.close()
    if counts["skipped"] and counts["skipped"] == sum(counts.values()) and not _output.stdout_is_gone():
        # Only images without a badge: nothing was verified, as for a folder with no badge file.
        raise InputError(f"no badge to verify: {counts['skipped']:,} images with no badge baked in",
                         hint="name a credential (.json, .jwt, .sd-jwt) or a baked badge (.png, .svg)")
    code = core.worst_verdict_exit_code(v for v, n in counts.items() if n)
    if not json_out and not jsonl and many and not _output.stdout_is_gone():
        _print_totals(counts, code, unit="credentials" if run_files else "files")
    return int(code)


#: The options of ``badgekit verify`` as ``cli/_verify_cli.py`` declares them for Typer: flag ->
#: (parameter, kind). ``flag``: no value; ``one``/``path``: one value (str, Path); ``many``/
#: ``paths``: repeatable; ``workers``: a count of processes.
_OPTIONS = {
    "--json": ("json_out", "flag"), "--jsonl": ("jsonl", "flag"), "--no-cache": ("no_cache", "flag"),
    "--verbose": ("verbose", "flag"), "--at": ("at", "one"), "--recipient": ("recipient", "one"),
    "--trust": ("trust", "path"), "--status-list": ("status_list", "many"), "--did-doc": ("did_doc", "paths"),
    "--ob2-doc": ("ob2_doc", "many"),
    "--workers": ("workers", "workers"), "-w": ("workers", "workers"),
}


def parse_argv(args: list[str]) -> dict[str, Any] | None:
    """The parameters Typer passes to :func:`run` for ``badgekit verify ARGS``, when ``args`` are
    plainly its files and options: ``--opt value``, ``--opt=value``, flags, in any order. None for
    anything else (help, an unknown or repeated single option, a value that starts with ``-`` or is
    empty, ``--``, ``--workers 0``, no file): Typer then parses it and says what is wrong its way."""
    params: dict[str, Any] = {"files": [], "json_out": False, "jsonl": False, "at": None, "status_list": None,
                              "did_doc": None, "trust": None, "recipient": None, "no_cache": False, "workers": None,
                              "verbose": False, "ob2_doc": None}
    given: set[str] = set()
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            if not arg:
                return None
            params["files"].append(Path(arg))
            continue
        name, equals, value = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name not in _OPTIONS:
            return None
        param, kind = _OPTIONS[name]
        if kind == "flag":
            if equals:
                return None
            params[param] = True
            continue
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        if kind in ("many", "paths"):
            params[param] = [*(params[param] or []), Path(value) if kind == "paths" else value]
            continue
        if param in given:
            return None
        given.add(param)
        if kind == "workers":
            if not (value.isascii() and value.isdigit()) or int(value) == 0:
                return None
            params[param] = int(value)
        else:
            params[param] = Path(value) if kind == "path" else value
    return params if params["files"] else None


def _sink(*, json_out: bool, jsonl: bool, single: bool, one_line: bool, recipient: str | None) -> Sink[VerificationReport]:
    """Where the reports go: ``--jsonl``, ``--json`` (one object for one file, else an array), one
    plain line per file (several files), or the full report (one file, or ``--verbose``)."""
    def encode(report: VerificationReport) -> dict[str, Any]:
        return report.to_dict()

    if jsonl:
        return Jsonl(dumps=lambda report: report.to_json_line())
    if json_out:
        return Json(many=not single, encode=encode)
    if one_line:
        color = _color(sys.stdout)
        lines = Lines(sys.stdout)
        return Human(lambda report: lines.write(report_line(report, recipient=recipient, color=color) + "\n"), out=lines)
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
    if use_cache and cache_dir().is_dir():  # without the folder, cache.load() finds nothing
        # start-up: the cache module (two dataclasses) only when there is a cache folder to read
        from badgekit import cache

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
    """Untrusted text on one line, safe for a terminal (:func:`badgekit.cli._output.printable`)."""
    return _output.printable(text, lines=False)


#: One line of the full report: (text, Rich style) parts.
_Line = list[tuple[str, str]]


def report_lines(report: VerificationReport, *, width: int) -> list[_Line]:
    """The full human report of one file, line by line, for a terminal ``width`` wide: the
    verdict and file, the summary rows, then each check (number, mark, id, reason wrapped to the
    width, continuation lines indented under it), then an empty line."""
    s = report.summary
    verdict = report.verdict
    if verdict == "skipped":  # an image with no badge baked in: nothing else to show
        return [[(_LABELS[verdict], "dim"), ("  " + clean(report.source), "bold"), ("  " + _no_badge(), "dim")], []]
    label = _LABELS[verdict]
    lines: list[_Line] = [[(label, _VERDICT_STYLE[verdict]), ("  " + clean(report.source), "bold")]]
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
    lines.extend([(f"  {key:<12} ", "dim"), (value, "")] for key, value in rows)
    # Plain aligned lines rather than rich.table (20 ms of start-up): number, mark, check id,
    # and the reason, continuation lines indented under it.
    id_width = max((len(c.id) for c in report.checks), default=0)
    digits = len(str(len(report.checks)))
    indent = " " * (digits + 5 + id_width + 1)  # "N  ✓  id… "
    wrap = max(20, width - len(indent))
    for check in report.checks:
        mark, style = _MARKS.get(check.status, ("?", ""))
        reason = clean(check.reason)
        wrapped = _wrap(reason, wrap) or [""]
        reason_style = "dim" if check.status == "skipped" else ""
        lines.append([(f"{check.number:>{digits}}  ", "dim"), (mark, style), ("  ", ""),
                      (f"{check.id:<{id_width}} ", style if check.status != "passed" else ""), (wrapped[0], reason_style)])
        lines.extend([(indent + more, reason_style)] for more in wrapped[1:])
    lines.append([])
    return lines


def _wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap`` without hyphen breaks; textwrap loads for the full report only (start-up)."""
    import textwrap

    return textwrap.wrap(text, width, break_on_hyphens=False)


def render_report(report: VerificationReport, *, width: int) -> str:
    """The full human report as plain text: exactly what Rich prints of :func:`report_lines` on a
    stream it does not style (tests/cli/test_verify_cli.py compares the two)."""
    return "".join("".join(text for text, _ in line).translate(_output.RICH_STRIPS) + "\n"
                   for line in report_lines(report, width=width))


def _print_report(report: VerificationReport) -> None:
    if _output.plain(sys.stdout):
        sys.stdout.write(render_report(report, width=_output.plain_width()))
        sys.stdout.flush()
        return
    # start-up: Rich only for the full human report on a terminal (elsewhere it would style nothing)
    from rich.text import Text

    console = _output.stdout
    for line in report_lines(report, width=console.width):
        if not line:
            console.print()
            continue
        # Text + Text, as ever: the first part's style is the line's base style.
        rich_line = Text(line[0][0], style=line[0][1])
        for text, style in line[1:]:
            rich_line = rich_line + Text(text, style=style)
        console.print(rich_line)


_LABELS = {"valid": "✓ VALID", "invalid": "✗ INVALID", "indeterminate": "? INDETERMINATE", "skipped": "– SKIPPED"}
_ANSI = {"valid": "\x1b[1;32m", "invalid": "\x1b[1;31m", "indeterminate": "\x1b[1;33m", "skipped": "\x1b[2m"}
_DECIDING = {"invalid": "failed", "indeterminate": "indeterminate"}


def report_line(report: VerificationReport, *, recipient: str | None = None, color: bool = False) -> str:
    """One line for a report: verdict, file, badge, earner and, unless valid, the first check that
    decided the verdict with its reason (and how many more did), fields two spaces apart; for a
    skipped image, verdict, file and why.

    The earner is the ``--recipient`` value when check 10 matched it, else how the credential names
    its subject (``emailAddress (hashed)``, ``id (did:key)``). Untrusted text goes through
    :func:`clean`; colour is plain ANSI, only when ``color``.
    """
    s = report.summary
    verdict = report.verdict
    label = f"{_LABELS[verdict]:<15}"
    if color:
        label = f"{_ANSI[verdict]}{label}\x1b[0m"
    if verdict == "skipped":
        return f"{label}  {clean(report.source)}  {_no_badge()}"
    matched = report.check("recipient")
    earner = recipient if recipient and matched is not None and matched.status == "passed" else s.get("recipient")
    fields = [label, clean(report.source), clean(s.get("achievementName") or s.get("name") or "-"), clean(earner or "-")]
    deciding = [c for c in report.checks if c.status == _DECIDING.get(verdict)]
    if deciding:
        first = deciding[0]
        more = f" (+{len(deciding) - 1} more)" if len(deciding) > 1 else ""
        fields.append(f"{first.number} {first.id}: {clean(first.reason)}{more}")
    return "  ".join(fields)


def _no_badge() -> str:
    # start-up: loaded already (run() verified the file); not at import, for `badgekit --help`
    from badgekit.verify import NO_BADGE

    return NO_BADGE


def _color(out: TextIO) -> bool:
    """ANSI colour for the one-line output: on a terminal, unless NO_COLOR or TERM=dumb; FORCE_COLOR forces it."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def _print_totals(counts: dict[str, int], code: ExitCode, *, unit: str) -> None:
    """The summary line; ``unit``: what was counted (files, or credentials when a run file's lines are)."""
    skipped = f", {counts['skipped']:,} skipped" if counts["skipped"] else ""
    _output.info(
        f"{sum(counts.values()):,} {unit}: {counts['valid']:,} valid, {counts['invalid']:,} invalid, "
        f"{counts['indeterminate']:,} indeterminate{skipped}; exit code {int(code)} "
        "(0 all valid, 1 any invalid, 3 none invalid but some indeterminate)"
    )


__all__ = ["run", "parse_argv", "clean", "report_line", "render_report", "ExitCode"]

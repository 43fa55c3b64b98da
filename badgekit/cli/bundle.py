"""``badgekit bundle``: a folder per recipient with the credential, baked badges, a QR code, a
static page and an email text (and the same after ``badgekit issue --bundle``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from badgekit import _jsonl
from badgekit.cli import _output
from badgekit.cli._options import (
    JsonOpt,
    LinkedInOrgIdOpt,
    current_actor,
    default_workers,
    ledger_target,
    old_spellings,
    out_option,
    workers_option,
)
from badgekit.cli._project import ProjectOpt, optional_project
from badgekit.errors import ExitCode, InputError

if TYPE_CHECKING:
    from badgekit.badgeclass import BadgeClass
    from badgekit.delivery import BundleRun
    from badgekit.issuing import IssueReport
    from badgekit.project import Project

UrlBaseOpt = Annotated[
    str | None,
    typer.Option(
        "--url-base",
        metavar="URL",
        help="Where you will host the bundle folders (https://…/badges/): each page's URL, used for the QR code and "
        "LinkedIn's credential URL. Without it the QR code holds the credential id.",
    ),
]


def check_url_base(url: str, option: str = "--url-base") -> None:
    """Bundles are published pages: their base URL must be https (LinkedIn and phones open it)."""
    if not re.fullmatch(r"https://[^\s<>\"'`]+", url):
        raise InputError(f"{option} {url!r}: expected an https:// URL (where the bundle folders will be hosted)")


def _ledger(project: Project | None) -> str | Path | None:
    """The project's ledger (where bundles' ``exported`` events go), or None without a project."""
    return ledger_target(project) if project is not None else None


@old_spellings(name=("--name",))
def bundle(
    credentials: Annotated[
        list[Path],
        typer.Argument(metavar="CREDENTIAL_OR_DIR...", help="Credential files (.json, .jwt, or baked .png/.svg), run files of 'issue --output-mode jsonl' (each line) or one of their lines (RUN.jsonl#LINE), or folders of .json/.jwt/.jsonl files."),
    ],
    out: Annotated[Path | None, out_option("Folder for the bundles (default: the project's output folder /bundles).")] = None,
    roster_file: Annotated[
        Path | None,
        typer.Option("--roster", "-r", help="Roster the credentials were issued from: shows each recipient's name (matched by email hash)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--recipient-name", help="Recipient name to show (one credential only).")] = None,
    url_base: UrlBaseOpt = None,
    linkedin_org_id: LinkedInOrgIdOpt = None,
    workers: Annotated[int | None, workers_option("Processes rendering bundles")] = None,
    include_revoked: Annotated[
        bool, typer.Option("--include-revoked", help="Bundle credentials the project's ledger holds as revoked or suspended too (left out by default).")
    ] = False,
    project_dir: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a recipient bundle per credential: page, baked badges, QR code, email text.

    Each bundle is a folder named by the credential id holding credential.json, baked badge.png
    and badge.svg, qr.png/qr.svg, index.html and email.txt/email.html. index.html is a static page (no script, no network) showing the badge, what it certifies, its
    dates and how to verify it, with a LinkedIn "add to profile" link. The email texts are for your
    own mail tool, or use badgekit send. Recipient emails are never written (the credential holds
    a salted hash only); names come from --roster or --recipient-name. The image follows the badge class in
    the project when there is one. Credentials the project's ledger holds as revoked or
    suspended are left out (and counted) unless --include-revoked.

    Exit codes: 0 every bundle written, 1 some credentials could not be bundled, 2 usage error.

    Example: badgekit bundle out/ --roster class-2026.csv --url-base https://example.edu/badges/
    """
    # start-up: the bundling workflow (rendering, Jinja2) loads when the command runs, not for --help
    from badgekit import delivery

    if not credentials:
        raise InputError("name the credentials to bundle (files or folders)")
    for named in credentials:  # a path that is not there is a usage error (exit 2), as for verify
        if not Path(_jsonl.split_ref(str(named))[0]).exists():
            raise InputError(f"{named}: no such file or folder")
    if url_base is not None:
        check_url_base(url_base)
    project = optional_project(project_dir)
    found, problems, skipped = delivery.collect_credentials(credentials)
    withheld: dict[str, int] = {}
    if not include_revoked:
        found, withheld = delivery.withhold_inactive(found, _ledger(project))
    if name is not None and len(found) != 1:
        raise InputError(f"--recipient-name names one recipient, but {len(found)} credentials were given", hint="use --roster for several")
    rows: list[tuple[dict[str, str], str]] = []
    if roster_file is not None:
        if not roster_file.is_file():
            raise InputError(f"{roster_file}: no such roster file")
        _by_line, rows = delivery.roster_names(roster_file)
    items = []
    unnamed = 0
    for source, credential, text in found:
        who = name if name is not None else (delivery.match_recipient(credential, rows) if rows else None)
        unnamed += roster_file is not None and who is None
        items.append((source, credential, text, who))
    out_dir = out if out is not None else (Path(project.output_dir) / "bundles" if project is not None else Path("bundles"))
    bundles, failed = delivery.make_bundles(items, out_dir, project=project, ledger=_ledger(project), actor=current_actor(),
                                            url_base=url_base, linkedin_org_id=linkedin_org_id,
                                            workers=workers or default_workers())
    problems += failed
    if json_out:
        _output.emit_json({"bundles": [b.to_json() for b in bundles], "problems": problems, "skipped": skipped,
                           "withheld": withheld})
    else:
        for s in skipped:
            _output.info(f"skipped {s}", "dim")
        for p in problems:
            _output.error(p)
        for b in bundles:
            _output.emit_text(str(b.path / "index.html"))
        if withheld:
            _output.info(f"skipped {', '.join(f'{n} {state}' for state, n in withheld.items())} credential(s): "
                         "no bundle for a badge that no longer holds (--include-revoked to bundle them anyway)", "yellow")
        if unnamed:
            _output.warn(f"{unnamed} credential(s) matched no row of {roster_file}: their pages show no name")
        _output.info(f"{len(bundles)} bundle(s) written to {out_dir}/" + (f", {len(problems)} failed" if problems else ""),
                     "red" if problems else "green")
    raise typer.Exit(int(ExitCode.FAILED if problems else ExitCode.OK))


def bundle_issued(
    report: IssueReport,
    *,
    project: Project | None,
    roster_file: Path,
    out_dir: Path,
    url_base: str | None = None,
    workers: int = 1,
    badge: BadgeClass | None = None,
) -> Bundled:
    """``issue --bundle``: :func:`badgekit.delivery.bundle_issued` with the project's ledger and
    the current user as the actor."""
    # start-up: the bundling workflow (rendering, Jinja2) loads when the command runs, not for --help
    from badgekit import delivery

    run = delivery.bundle_issued(report, project=project, roster_file=roster_file, out_dir=out_dir,
                                 ledger=_ledger(project), actor=current_actor(), url_base=url_base, workers=workers,
                                 badge=badge)
    return Bundled(run)


@dataclass(frozen=True)
class Bundled:
    """What ``issue --bundle`` wrote (a :class:`badgekit.delivery.BundleRun`), as ``issue`` prints it."""

    run: BundleRun

    @property
    def ok(self) -> bool:
        return self.run.ok

    def to_json(self) -> dict[str, Any]:
        return self.run.to_json()

    def print_human(self) -> None:
        for p in self.run.problems:
            _output.error(p)
        if self.run.bundles or self.run.problems:
            _output.info(f"{len(self.run.bundles)} recipient bundle(s) written to {self.run.out_dir}/"
                         + (f", {len(self.run.problems)} failed" if self.run.problems else ""),
                         "red" if self.run.problems else "green")


def register(app: typer.Typer) -> None:
    app.command("bundle")(bundle)

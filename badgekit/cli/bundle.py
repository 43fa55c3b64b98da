"""``badgekit bundle``: a folder per recipient with the credential, baked badges, a QR code, a
static page and an email text (and the same after ``badgekit issue --bundle``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from badgekit.cli import _output
from badgekit.cli._options import (
    JsonOpt,
    current_actor,
    default_workers,
    ledger_target,
    old_spellings,
    out_option,
    workers_option,
)
from badgekit.cli._project import ProjectOpt, optional_project
from badgekit.errors import BadgekitError, ExitCode, InputError

#: Credential files picked up from a folder (baked images beside them hold the same credentials).
FOLDER_SUFFIXES = (".json", ".jwt")

UrlBaseOpt = Annotated[
    str | None,
    typer.Option(
        "--url-base",
        metavar="URL",
        help="Where you will host the bundle folders (https://…/badges/): each page's URL, used for the QR code and "
        "LinkedIn's credential URL. Without it the QR code holds the credential id.",
    ),
]
LinkedinOrgOpt = Annotated[
    str | None,
    typer.Option("--linkedin-org-id", metavar="ID", help="The issuer's LinkedIn company id (LinkedIn then shows its logo)."),
]


def check_url_base(url: str, option: str = "--url-base") -> None:
    """Bundles are published pages: their base URL must be https (LinkedIn and phones open it)."""
    if not re.fullmatch(r"https://[^\s<>\"'`]+", url):
        raise InputError(f"{option} {url!r}: expected an https:// URL (where the bundle folders will be hosted)")


@dataclass(frozen=True)
class Bundled:
    """What ``issue --bundle`` wrote."""

    out_dir: Path
    bundles: tuple[Any, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.out_dir), "written": [b.to_json() for b in self.bundles], "problems": list(self.problems)}

    def print_human(self) -> None:
        for p in self.problems:
            _output.error(p)
        if self.bundles or self.problems:
            _output.info(f"{len(self.bundles)} recipient bundle(s) written to {self.out_dir}/"
                         + (f", {len(self.problems)} failed" if self.problems else ""), "red" if self.problems else "green")


class _BadgeClasses:
    """The project's badge classes by achievement id: ``known`` ones first (``issue --bundle``
    knows the class it issued), the badges folder read only for an id none of them has."""

    def __init__(self, project: Any, known: Iterable[Any] = ()) -> None:
        self.project = project
        self._known = {_badge_key(badge): badge for badge in known}
        self._by_id: dict[str, Any] | None = None

    def get(self, achievement_id: str | None) -> Any:
        if not achievement_id:
            return None
        if achievement_id in self._known:
            return self._known[achievement_id]
        if self.project is None:
            return None
        if self._by_id is None:
            from badgekit.badgeclass import find_badge_classes, load_badge_class

            self._by_id = {}
            for path in find_badge_classes(self.project.badges_dir):
                try:
                    badge = load_badge_class(path, templates_dirs=self.project.templates_dirs)
                except BadgekitError:
                    continue  # 'badgekit badge validate' reports broken classes; here they only lose their image
                self._by_id.setdefault(_badge_key(badge), badge)
        return self._by_id.get(achievement_id)


def _badge_key(badge: Any) -> str:
    return str(badge.achievement.get("id") or badge.id)


def _achievement_id(credential: dict[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return str(achievement.get("id")) if isinstance(achievement, dict) and achievement.get("id") else None


def make_bundles(
    items: Iterable[tuple[str, dict[str, Any], str, str | None]],
    out_dir: Path,
    *,
    project: Any,
    url_base: str | None = None,
    linkedin_org_id: str | None = None,
    workers: int = 1,
    badges: Iterable[Any] = (),
) -> tuple[list[Any], list[str]]:
    """Write a bundle for each (source, credential, exact text, recipient name), in ``workers``
    processes; record each bundle's ``exported`` event, once, for credentials in the project's
    ledger as the bundle is written. Returns (bundles, problems). ``badges``: badge classes already
    loaded; the project's other badge classes are read only for credentials of none of them."""
    classes = _BadgeClasses(project, badges)
    issuer = project.issuer if project is not None else None
    ledger_path = ledger_target(project) if project is not None else None
    actor = current_actor()
    fonts = tuple(str(f) for f in getattr(project, "render_fonts", ())) or None  # [render] font; None → installed fonts
    jobs = [(source, credential, text, name, classes.get(_achievement_id(credential)), issuer, url_base, linkedin_org_id,
             ledger_path, actor, fonts)
            for source, credential, text, name in items]
    from badgekit.delivery import write_bundles

    results = write_bundles(jobs, out_dir, workers=workers)
    bundles = [b for _, b, _ in results if b is not None]
    problems = [p for _, _, p in results if p is not None]
    return bundles, problems


def _collect(paths: Sequence[Path]) -> tuple[list[tuple[str, dict[str, Any], str]], list[str], list[str]]:
    """(source, credential, text) for every credential named; problems; skipped files."""
    from badgekit import delivery

    files: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in FOLDER_SUFFIXES)
            if not found:
                raise InputError(f"{p}: no .json or .jwt credentials in this folder")
            files += [(f, True) for f in found]
        else:
            files.append((p, False))
    out: list[tuple[str, dict[str, Any], str]] = []
    problems: list[str] = []
    skipped: list[str] = []
    for f, from_folder in files:
        try:
            credential, text = delivery.read_credential(f)
        except BadgekitError as exc:
            (skipped if from_folder else problems).append(exc.message)
            continue
        if not delivery.is_badge_credential(credential):
            message = f"{f}: not an Open Badges credential (type has no OpenBadgeCredential)"
            (skipped if from_folder else problems).append(message)
            continue
        out.append((str(f), credential, text))
    return out, problems, skipped


@old_spellings(name=("--name",))
def bundle(
    credentials: Annotated[
        list[Path],
        typer.Argument(metavar="CREDENTIAL_OR_DIR...", help="Credential files (.json, .jwt, or baked .png/.svg), or folders of .json/.jwt credentials."),
    ],
    out: Annotated[Path | None, out_option("Folder for the bundles (default: the project's output folder /bundles).")] = None,
    roster_file: Annotated[
        Path | None,
        typer.Option("--roster", "-r", help="Roster the credentials were issued from: shows each recipient's name (matched by email hash)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--recipient-name", help="Recipient name to show (one credential only).")] = None,
    url_base: UrlBaseOpt = None,
    linkedin_org_id: LinkedinOrgOpt = None,
    workers: Annotated[int | None, workers_option("Processes rendering bundles")] = None,
    project_dir: ProjectOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Write a recipient bundle per credential: page, baked badges, QR code, email text.

    Each bundle is a folder named by the credential id holding credential.json, baked badge.png
    and badge.svg, qr.png/qr.svg, index.html and email.txt/email.html. index.html is a static page (no script, no network) showing the badge, what it certifies, its
    dates and how to verify it, with a LinkedIn "add to profile" link. The email texts are for your
    own mail tool: badgekit sends nothing. Recipient emails are never written (the credential holds
    a salted hash only); names come from --roster or --recipient-name. The image follows the badge class in
    the project when there is one.

    Exit codes: 0 every bundle written, 1 some credentials could not be bundled, 2 usage error.

    Example: badgekit bundle out/ --roster class-2026.csv --url-base https://example.edu/badges/
    """
    from badgekit import delivery

    if not credentials:
        raise InputError("name the credentials to bundle (files or folders)")
    if url_base is not None:
        check_url_base(url_base)
    project = optional_project(project_dir)
    found, problems, skipped = _collect(credentials)
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
    bundles, failed = make_bundles(items, out_dir, project=project, url_base=url_base, linkedin_org_id=linkedin_org_id,
                                   workers=workers or default_workers())
    problems += failed
    if json_out:
        _output.emit_json({"bundles": [b.to_json() for b in bundles], "problems": problems, "skipped": skipped})
    else:
        for s in skipped:
            _output.info(f"skipped {s}", "dim")
        for p in problems:
            _output.error(p)
        for b in bundles:
            _output.emit_text(str(b.path / "index.html"))
        if unnamed:
            _output.warn(f"{unnamed} credential(s) matched no row of {roster_file}: their pages show no name")
        _output.info(f"{len(bundles)} bundle(s) written to {out_dir}/" + (f", {len(problems)} failed" if problems else ""),
                     "red" if problems else "green")
    raise typer.Exit(int(ExitCode.FAILED if problems else ExitCode.OK))


def bundle_issued(
    report: Any,
    *,
    project: Any,
    roster_file: Path,
    out_dir: Path,
    url_base: str | None = None,
    workers: int = 1,
    badge: Any = None,
) -> Bundled:
    """``issue --bundle``: a bundle for each credential of the run that has none yet (names from
    the roster lines). A bundle already there (an earlier run, perhaps killed before it recorded
    it) gets its ``exported`` event if it has none. ``badge``: the badge class issued (no other
    badge class is read)."""
    from badgekit import delivery

    by_line, _rows = delivery.roster_names(roster_file)
    items = []
    problems: list[str] = []
    existing: list[tuple[str, Path]] = []
    for o in report.outcomes:
        if not o.path or not o.credential_id or o.status not in ("issued", "resumed", "already-issued"):
            continue
        folder = out_dir / delivery.bundle_name(o.credential_id)
        if o.status == "already-issued" and (folder / "index.html").is_file():
            existing.append((o.credential_id, folder))
            continue
        try:
            credential, text = delivery.read_credential(o.path)
        except BadgekitError as exc:
            problems.append(exc.message)
            continue
        items.append((o.path, credential, text, by_line.get(o.line)))
    if existing and project is not None:
        delivery.record_exported(ledger_target(project), current_actor(), existing)
    bundles, failed = make_bundles(items, out_dir, project=project, url_base=url_base, workers=workers,
                                   badges=(badge,) if badge is not None else ())
    return Bundled(out_dir, tuple(bundles), tuple(problems + failed))


def register(app: typer.Typer) -> None:
    app.command("bundle")(bundle)

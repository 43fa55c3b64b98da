"""The bundling workflows: which credentials to bundle, with which badge class, and the ledger's
``exported`` events (``badgekit bundle`` and ``issue --bundle``; the CLI parses options, calls
these and prints)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from badgekit import _envelope, _jsonl
from badgekit._time import utc_now
from badgekit.badgeclass import BadgeClass, find_badge_classes, load_badge_class
from badgekit.delivery._bundle import Bundle
from badgekit.delivery._facts import bundle_name, is_badge_credential, read_credential
from badgekit.delivery._pool import record_exported, write_bundles
from badgekit.delivery._recipients import roster_names
from badgekit.errors import BadgekitError, InputError
from badgekit.issuing import IssueReport
from badgekit.ledger import Ledger

if TYPE_CHECKING:
    from badgekit.project import Project

#: Credential files picked up from a folder (baked images beside them hold the same credentials),
#: and run files (``issue --output-mode jsonl``: one credential per line).
FOLDER_SUFFIXES = (".json", ".jwt", ".sd-jwt", ".jsonl")
#: Ledger states whose credentials ``bundle`` leaves out unless asked: a page would show a badge that no longer holds.
WITHHELD_STATES = ("revoked", "suspended")


@dataclass(frozen=True)
class BundleRun:
    """What one bundling run wrote, and what it could not."""

    out_dir: Path
    bundles: tuple[Bundle, ...]
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"folder": str(self.out_dir), "written": [b.to_json() for b in self.bundles], "problems": list(self.problems)}


class _BadgeClasses:
    """The project's badge classes by achievement id: ``known`` ones first (``issue --bundle``
    knows the class it issued), the badges folder read only for an id none of them has."""

    def __init__(self, project: Project | None, known: Iterable[BadgeClass] = ()) -> None:
        self.project = project
        self._known = {_badge_key(badge): badge for badge in known}
        self._by_id: dict[str, BadgeClass] | None = None

    def get(self, achievement_id: str | None) -> BadgeClass | None:
        if not achievement_id:
            return None
        if achievement_id in self._known:
            return self._known[achievement_id]
        if self.project is None:
            return None
        if self._by_id is None:
            self._by_id = {}
            for path in find_badge_classes(self.project.badges_dir):
                try:
                    badge = load_badge_class(path, templates_dirs=self.project.templates_dirs)
                except BadgekitError:
                    continue  # 'badgekit badge validate' reports broken classes; here they only lose their image
                self._by_id.setdefault(_badge_key(badge), badge)
        return self._by_id.get(achievement_id)


def _badge_key(badge: BadgeClass) -> str:
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
    project: Project | None,
    ledger: Path | str | None,
    actor: str,
    url_base: str | None = None,
    linkedin_org_id: str | None = None,
    workers: int = 1,
    badges: Iterable[BadgeClass] = (),
) -> tuple[list[Bundle], list[str]]:
    """Write a bundle for each (source, credential, exact text, recipient name), in ``workers``
    processes; with a ``ledger`` (the project's: a file or a ``postgresql://`` URL), record each
    bundle's ``exported`` event, once, as the bundle is written. Returns (bundles, problems).
    ``badges``: badge classes already loaded; the project's other badge classes are read only for
    credentials of none of them."""
    classes = _BadgeClasses(project, badges)
    issuer = project.issuer if project is not None else None
    fonts = tuple(str(f) for f in getattr(project, "render_fonts", ())) or None  # [render] font; None → installed fonts
    jobs = [(source, credential, text, name, classes.get(_achievement_id(credential)), issuer, url_base, linkedin_org_id,
             ledger, actor, fonts)
            for source, credential, text, name in items]
    results = write_bundles(jobs, out_dir, workers=workers)
    bundles = [b for _, b, _ in results if b is not None]
    problems = [p for _, _, p in results if p is not None]
    return bundles, problems


def collect_credentials(paths: Sequence[Path]) -> tuple[list[tuple[str, dict[str, Any], str]], list[str], list[str]]:
    """(source, credential, exact text) for every Open Badges credential named, or found in a named
    folder (``*.json``, ``*.jwt``), or on a line of a run file (``*.jsonl``, source
    ``<file>#<line>``; one line is named ``<file>.jsonl#<line>``); problems with the files named;
    files (and run file lines) of a folder skipped.

    Raises:
        InputError: a folder holds no ``.json``, ``.jwt`` or ``.jsonl`` file.
    """
    files: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in FOLDER_SUFFIXES)
            if not found:
                raise InputError(f"{p}: no .json, .jwt, .sd-jwt or .jsonl credentials in this folder")
            files += [(f, True) for f in found]
        else:
            files.append((p, False))
    out: list[tuple[str, dict[str, Any], str]] = []
    problems: list[str] = []
    skipped: list[str] = []
    for f, from_folder in files:
        for source, data in _jsonl.each_ref(str(f)):
            try:
                if isinstance(data, BadgekitError):
                    raise data
                read = _envelope.read(data, source=source)
            except BadgekitError as exc:
                (skipped if from_folder else problems).append(exc.message)
                continue
            if not is_badge_credential(read.credential):
                message = f"{source}: not an Open Badges credential (type has no OpenBadgeCredential)"
                (skipped if from_folder else problems).append(message)
                continue
            out.append((source, read.credential, read.text))
    return out, problems, skipped


def withhold_inactive(
    found: Sequence[tuple[str, dict[str, Any], str]], ledger: Path | str | None, now: datetime | None = None,
) -> tuple[list[tuple[str, dict[str, Any], str]], dict[str, int]]:
    """``found`` (as :func:`collect_credentials` returns it) without the credentials the project's
    ``ledger`` holds as revoked or suspended at ``now`` (:data:`WITHHELD_STATES`), and how many of
    each it left out. Credentials the ledger does not know (issued elsewhere) are kept; so is
    everything when there is no ledger (none is created).

    Raises:
        LedgerError: the ledger cannot be read.
    """
    if ledger is None or not found or (isinstance(ledger, Path) and not ledger.is_file()):
        return list(found), {}
    when = now or utc_now()
    kept: list[tuple[str, dict[str, Any], str]] = []
    counts: dict[str, int] = {}
    with Ledger.open(ledger) as book:
        for item in found:
            issuance = book.get(str(item[1].get("id") or ""))
            state = issuance.state_at(when) if issuance is not None else None
            if state in WITHHELD_STATES:
                counts[state] = counts.get(state, 0) + 1
            else:
                kept.append(item)
    return kept, dict(sorted(counts.items()))


def bundle_issued(
    report: IssueReport,
    *,
    project: Project | None,
    roster_file: Path,
    out_dir: Path,
    ledger: Path | str | None,
    actor: str,
    url_base: str | None = None,
    workers: int = 1,
    badge: BadgeClass | None = None,
) -> BundleRun:
    """``issue --bundle``: a bundle for each credential of the run that has none yet, names taken
    from the roster lines.
    A bundle already there (an earlier run, perhaps killed before it recorded it) gets its
    ``exported`` event in ``ledger`` if it has none. ``badge``: the badge class issued (no other
    badge class is read)."""
    by_line, _rows = roster_names(roster_file)
    items = []
    problems: list[str] = []
    existing: list[tuple[str, Path]] = []
    for o in report.outcomes:
        if not o.path or not o.credential_id or o.status not in ("issued", "resumed", "already-issued"):
            continue
        folder = out_dir / bundle_name(o.credential_id)
        if o.status == "already-issued" and (folder / "index.html").is_file():
            existing.append((o.credential_id, folder))
            continue
        try:
            credential, text = read_credential(o.path)
        except BadgekitError as exc:
            problems.append(exc.message)
            continue
        items.append((o.path, credential, text, by_line.get(o.line)))
    if existing and ledger is not None:
        record_exported(ledger, actor, existing)
    bundles, failed = make_bundles(items, out_dir, project=project, ledger=ledger, actor=actor, url_base=url_base,
                                   workers=workers, badges=(badge,) if badge is not None else ())
    return BundleRun(out_dir, tuple(bundles), tuple(problems + failed))

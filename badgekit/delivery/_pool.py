"""Writing many bundles, in worker processes when there are enough, each recorded in the ledger
as it is written."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from badgekit import _parallel
from badgekit.badgeclass import BadgeClass
from badgekit.delivery._bundle import Bundle, write_bundle
from badgekit.delivery._facts import bundle_url, credential_facts
from badgekit.delivery._page import render_badge_image
from badgekit.errors import BadgekitError
from badgekit.ledger import Ledger

#: (source, credential, exact text, recipient name, badge class, issuer, bundle URL base, LinkedIn
#: organisation id, ledger (file or URL) or None, actor, fonts or None)
BundleJob = tuple[str, Mapping[str, Any], str, str | None, BadgeClass | None, Mapping[str, Any] | None, str | None, str | None,
                  Path | str | None, str, tuple[str, ...] | None]
#: Bundles below which no worker pool is started: a pool takes ~0.2 s to start (badgekit._parallel),
#: so two processes win only on more than ~0.4 s of work (~45 ms a bundle).
PARALLEL_MIN_BUNDLES = 8


def write_bundles(jobs: Sequence[BundleJob], out_dir: Path, *, workers: int = 1) -> list[tuple[str, Bundle | None, str | None]]:
    """Write a bundle per job into ``out_dir`` (in ``workers`` processes when there are enough):
    (source, bundle, None) or (source, None, problem) per job, in order. A credential that cannot
    be bundled, or a file that cannot be written (full disk, read-only folder), is a problem
    naming the source; the others are still written."""
    with _parallel.imap(_bundle_job, jobs, workers=workers, initializer=_init_bundle_worker, initargs=(out_dir,),
                        preload=(__name__,), min_items=PARALLEL_MIN_BUNDLES) as results:
        return list(results)


_WORKER_OUT: dict[str, Path] = {}


def record_exported(ledger: Path | str, actor: str, exported: Iterable[tuple[str, Path]]) -> None:
    """An ``exported`` event per (credential id, bundle folder) in the ledger (a file or a
    ``postgresql://`` URL), unless it has one.

    Idempotent (:meth:`badgekit.ledger.Ledger.record_exported`), so writing a bundle again, or
    making up for a run killed between writing a bundle and recording it, keeps one event per
    bundle. Folders are recorded as absolute paths, whatever the working directory.
    """
    with Ledger.open(ledger) as opened:
        for credential_id, folder in exported:
            opened.record_exported(credential_id, os.path.abspath(folder), actor=actor)


def _init_bundle_worker(out_dir: Path) -> None:
    _WORKER_OUT["dir"] = out_dir


def _bundle_job(job: BundleJob) -> tuple[str, Bundle | None, str | None]:
    """One bundle (in a worker process when there are enough). With a ledger, the bundle's
    ``exported`` event is recorded as soon as the bundle is written, so a run killed half-way
    leaves the bundles it wrote recorded (all but at most the ones in flight, which the next run
    makes up for: see :func:`record_exported`)."""
    source, credential, text, name, badge, issuer, url_base, linkedin_org_id, ledger, actor, fonts = job
    try:
        facts = credential_facts(credential)
        cert_url = bundle_url(url_base, facts.credential_id)
        image = render_badge_image(
            facts, badge=badge, issuer=issuer, recipient_name=name or "", qr_data=cert_url or facts.credential_id,
        )
        accent = getattr(getattr(badge, "policy", None), "colour", None)
        bundle = write_bundle(
            credential, text, _WORKER_OUT["dir"], badge_image_svg=image, recipient_name=name, cert_url=cert_url,
            organization_id=linkedin_org_id, accent=accent, fonts=fonts,
        )
        if ledger is not None:
            record_exported(ledger, actor, [(bundle.credential_id, bundle.path)])
        return source, bundle, None
    except BadgekitError as exc:
        return source, None, exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
    except OSError as exc:
        return source, None, f"{source}: cannot write the bundle ({exc.strerror or exc})"

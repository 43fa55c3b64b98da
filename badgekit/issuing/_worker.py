"""What runs in the signing worker processes: each job signed (:mod:`._signing`), its file written
atomically, and its baked images; plus the badge images made once before the run."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from badgekit import baking
from badgekit._io import atomic_write
from badgekit.badgeclass import BadgeClass
from badgekit.issuing._signing import _Job, _parse_ts, _Signing
from badgekit.keys import PrivateKey
from badgekit.roster import RosterRow, Row

STAGING = ".partial"

_WORKER: dict[str, Any] = {}


def _staging(path: str) -> str:
    """Where a bulk output's temp file is made before the atomic rename (see _io.atomic_write)."""
    return os.path.join(os.path.dirname(path), STAGING)


def _init_worker(key: PrivateKey, method: str | None, issuer: dict[str, Any], achievement: dict[str, Any],
                 images: dict[str, Any] | None = None, fmt: str = "ldp") -> None:
    _WORKER.update(signing=_Signing.make(key, method, issuer, achievement, fmt), images=images or {})


def _sign_chunk(jobs: Sequence[_Job]) -> list[tuple[str, str]]:
    signing: _Signing = _WORKER["signing"]
    images = _WORKER["images"]
    done = []
    for job in jobs:
        signed, text = signing.sign(job)
        atomic_write(job.path, text, durable=False, staging=_staging(job.path))  # _usable(): empty ⇒ rewritten
        if images:
            _bake_images(job, signed, text, images)
        done.append((job.credential_id, job.path))
    return done


def _bake_images(job: _Job, signed: Mapping[str, Any], text: str, images: Mapping[str, Any]) -> None:
    """Write ``<id>.png`` / ``<id>.svg`` holding exactly the credential file's text."""
    spec = images.get("recipient")
    for fmt in images["formats"]:
        if spec is not None:
            svg = _render(spec, recipient_name=job.row.name, qr_data=str(signed["id"]),
                          valid_from=signed.get("validFrom"), valid_until=signed.get("validUntil"))
            base = svg.encode("utf-8") if fmt == "svg" else _raster(svg, images.get("fonts"))
        else:
            base = images[fmt]
        atomic_write(Path(job.path).with_suffix("." + fmt), baking.bake(base, text, source=job.path),
                     durable=False, staging=_staging(job.path))


def _render(spec: Mapping[str, Any], **overrides: Any) -> str:
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    args = dict(spec)
    args.update(overrides)
    for key in ("valid_from", "valid_until"):
        if isinstance(args.get(key), str):
            args[key] = _parse_ts(args[key]).date()
    return render.render_badge(**args)


def _raster(svg: str, fonts: Sequence[str] | None = None) -> bytes:
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    return render.render_png(svg, width=400, fonts=fonts)


def recipient_image_fonts(spec: Mapping[str, Any], rows: Iterable[RosterRow | Row], roster_name: str,
                          fonts: Sequence[str] | None) -> tuple[str, ...]:
    """The fonts per-recipient PNGs need beside the bundled ones, found before anything is reserved:
    the template's own text and every roster name must be drawable.

    Raises:
        InputError: a name (or template text) with a character no font covers; names its line.
    """
    # start-up: the renderer (~30 ms of imports) is needed only when images are baked
    from badgekit.baking import render

    template_text = (("badge image text", t) for t in render.drawn_text(_render(spec, recipient_name="")))
    names = ((f"{roster_name}: line {row.line}, column name", row.values.get("name", "")) for row in rows)
    return render.fonts_for(itertools.chain(template_text, names), fonts=fonts)


def badge_images(badge: BadgeClass, issuer: Mapping[str, Any], formats: Sequence[str], *, valid_from: datetime,
                 valid_until: datetime | None, per_recipient: bool, fonts: Sequence[str] | None = None) -> dict[str, Any]:
    """Images to bake: rendered once for the badge class (fast), or a spec each worker renders
    per recipient (recipient name, QR code of the credential id; about 10 ms more per image).
    ``fonts``: see :func:`badgekit.baking.render.fonts_for`."""
    policy = badge.policy
    achievement = badge.achievement
    criteria = achievement.get("criteria") if isinstance(achievement.get("criteria"), Mapping) else {}
    link = next((u for u in (achievement.get("id"), criteria.get("id")) if isinstance(u, str) and u.startswith("https://")), None)
    spec: dict[str, Any] = {
        "template": getattr(policy, "image_template", None) or "default",
        "badge_name": str(achievement.get("name", "")),
        "issuer_name": str(issuer.get("name", "")),
        "colour": getattr(policy, "colour", None),
        "level_label": getattr(policy, "level_label", None) or str(achievement.get("achievementType", "")).removeprefix("ext:"),
        "family_label": getattr(policy, "family", None) or "",
        "valid_from": valid_from.date(),
        "valid_until": valid_until.date() if valid_until else None,
        "qr_data": link,
    }
    out: dict[str, Any] = {"formats": tuple(formats), "fonts": fonts}
    if per_recipient:
        out["recipient"] = spec
        return out
    svg = _render(spec)
    if "svg" in formats:
        out["svg"] = svg.encode("utf-8")
    if "png" in formats:
        out["png"] = _raster(svg, fonts)
    return out

"""The bundle's page (``index.html``) and its badge image."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from badgekit import _html
from badgekit._time import long_date
from badgekit.badgeclass import BadgeClass
from badgekit.baking import render
from badgekit.baking.render import DEFAULT_COLOUR, parse_colour
from badgekit.delivery._facts import Facts, _https
from badgekit.delivery._messages import VALIDATOR_NAME, VALIDATOR_URL
from badgekit.issuing import badge_images

_BULLET = re.compile(r"^[-*]\s+")


# ---------------------------------------------------------------------------------------------
# the page


def _prose(text: str) -> list[tuple[bool, list[str]]]:
    """A Markdown narrative as blocks: (True, bullet items) for a ``-``/``*`` list, else
    (False, lines of a paragraph); everything else stays text."""
    blocks: list[tuple[bool, list[str]]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(re.match(r"[-*]\s+", ln) for ln in lines):
            blocks.append((True, [_BULLET.sub("", ln) for ln in lines]))
        elif lines:
            blocks.append((False, lines))
    return blocks


def index_html(
    facts: Facts,
    *,
    badge_image: bytes,
    badge_image_type: str,
    qr_markup: str,
    linkedin_url: str,
    recipient_name: str | None = None,
    cert_url: str | None = None,
    files: Sequence[str] = (),
    credential_file: str = "credential.json",
    accent: str | None = None,
) -> str:
    """The bundle's ``index.html``: one self-contained, script-free page.

    ``qr_markup`` must be trusted SVG (from :func:`badgekit.baking.render.qr_svg`); the template
    (``bundle_index.html``) escapes every other value.
    """
    return _html.render(
        "bundle_index.html",
        facts=facts,
        name=(recipient_name or "").strip(),
        kind=facts.achievement_type or "Badge",
        accent=parse_colour(accent) if accent else DEFAULT_COLOUR,
        image_type=badge_image_type,
        image_base64=_html.markup(base64.b64encode(badge_image).decode("ascii")),  # A-Z a-z 0-9 + / = only
        description=_prose(facts.description),
        criteria=_prose(facts.criteria),
        issued=long_date(facts.valid_from),
        until=long_date(facts.valid_until) if facts.valid_until else "",
        earned=long_date(facts.awarded) if facts.awarded else "",
        linkedin_url=linkedin_url,
        cert_url=cert_url,
        cert_link=_https(cert_url),
        credential_file=credential_file,
        files=list(files),
        qr_markup=_html.markup(qr_markup),
        validator_name=VALIDATOR_NAME,
        validator_url=VALIDATOR_URL,
    )


def render_badge_image(
    facts: Facts,
    *,
    badge: BadgeClass | None = None,
    issuer: Mapping[str, Any] | None = None,
    recipient_name: str = "",
    qr_data: str | None = None,
) -> str:
    """The unbaked badge image (SVG) for a bundle: the badge class's own template and colour when
    ``badge`` (a :class:`badgekit.badgeclass.BadgeClass`) is given, else the default template
    filled from the credential. The QR code holds ``qr_data`` (the badge page URL or the id).

    Raises:
        InputError: the badge class's template or colour is unusable.
    """
    spec: dict[str, Any]
    if badge is not None:
        profile = dict(issuer or {"name": facts.issuer_name})
        start = facts.valid_from or datetime(2000, 1, 1)
        spec = dict(badge_images(badge, profile, (), valid_from=start, valid_until=facts.valid_until, per_recipient=True)["recipient"])
    else:
        spec = {"template": "default", "badge_name": facts.badge_name, "issuer_name": facts.issuer_name,
                "level_label": facts.achievement_type}
    spec.update(
        recipient_name=recipient_name,
        qr_data=qr_data or facts.credential_id,
        valid_from=facts.valid_from.date() if facts.valid_from else None,
        valid_until=facts.valid_until.date() if facts.valid_until else None,
    )
    return render.render_badge(**spec)

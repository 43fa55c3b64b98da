"""The e-mail that delivers one credential: the announcement (text and HTML, from the templates in
``badgekit/data/html/`` or the project's ``email/`` folder), the baked badge (PNG) and the
credential file attached; or the reminder that it expires soon (no attachment)."""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from badgekit import _envelope, _jsonl, baking
from badgekit.delivery._facts import bundle_name, bundle_url, credential_facts
from badgekit.delivery._messages import email_bodies, linkedin_url_for, reminder_bodies
from badgekit.delivery._page import render_badge_image
from badgekit.errors import BakingError, InputError


@dataclass(frozen=True)
class Letter:
    """One message ready to hand to the server (or to write as an ``.eml`` file)."""

    credential_id: str
    message_id: str
    data: bytes  # the message as sent: CRLF line ends, 7-bit clean (or UTF-8 headers for non-ASCII addresses)


def check_address(address: str, what: str) -> str:
    """``address`` when it is one plain mailbox (``name@domain``), else an InputError naming ``what``."""
    text = address.strip()
    if not re.fullmatch(r"[^@\s<>(),;:\"\[\]\\]+@[^@\s<>(),;:\"\[\]\\]+\.[^@\s<>(),;:\"\[\]\\]+", text):
        raise InputError(f"{what} {text!r} is not an e-mail address (name@example.edu)")
    return text


def message_id(credential_id: str, sequence: int, sender: str, *, reminder: str | None = None) -> str:
    """The Message-ID of the ``sequence``-th delivery of a credential (of its reminder for the
    window ``reminder``). The same for a message sent again because the run sending it was stopped
    before the server's answer was recorded, so mail programs that merge copies of one message
    show it once."""
    domain = sender.rpartition("@")[2] or "badgekit.invalid"
    tag = f".reminder-{re.sub(r'[^A-Za-z0-9]', '', reminder)}" if reminder else ""
    return f"<{bundle_name(credential_id)}{tag}.{sequence}@{domain}>"


def baked_png(credential: Mapping[str, Any], text: str, credential_path: str | None, *, badge: Any = None,
              issuer: Mapping[str, Any] | None = None, recipient_name: str = "", qr_data: str | None = None,
              fonts: Sequence[str] | None = None) -> bytes:
    """The badge PNG holding exactly ``text``: the one ``issue --bake png`` wrote beside the
    credential file, else drawn (the badge class's image when given) and baked now.

    Raises:
        BakingError, InputError: the image cannot be drawn or baked.
    """
    if credential_path and _jsonl.split_ref(credential_path)[1] is None:  # a run file's line has no image beside it
        beside = Path(credential_path).with_suffix(".png")
        try:
            data = beside.read_bytes()
            if baking.extract(data, source=str(beside)).payload == text:
                return data
        except (OSError, BakingError):
            pass  # not baked (or baked from other bytes): drawn below
    # start-up: the renderer (resvg, fonts) only when a badge has to be drawn
    from badgekit.baking import render

    facts = credential_facts(credential)
    svg = render_badge_image(facts, badge=badge, issuer=issuer, recipient_name=recipient_name,
                             qr_data=qr_data or facts.credential_id)
    return baking.bake(render.render_png(svg, width=400, fonts=fonts), text, source=facts.credential_id)


def compose(
    credential: Mapping[str, Any],
    text: str,
    png: bytes | None,
    *,
    sender: str,
    recipient: str,
    recipient_name: str | None,
    sequence: int,
    now: datetime,
    reply_to: str | None = None,
    bundle_url_base: str | None = None,
    linkedin_org_id: str | None = None,
    search: Sequence[Path] = (),
    reminder: str | None = None,
    expires: datetime | None = None,
) -> Letter:
    """The message delivering ``credential`` (exact ``text``) to ``recipient``: text and HTML
    bodies, ``badge.png`` (``png``, the credential baked in) and the credential file attached;
    with ``reminder`` (the window, ``P30D``), the reminder that it expires soon instead, with no
    attachment (``expires``: when, as the ledger says). ``search``: folders whose e-mail templates
    win over the shipped ones.

    Raises:
        InputError: the credential lacks an id or achievement; a project's template is broken.
    """
    facts = credential_facts(credential)
    cert_url = bundle_url(bundle_url_base, facts.credential_id)
    kind = _envelope.payload_kind(text) or "json"
    credential_file = f"credential.{kind}"
    if reminder:
        body = reminder_bodies(facts, recipient_name=recipient_name, now=now, window=reminder, cert_url=cert_url, search=search,
                               expires=expires)
    else:
        body = email_bodies(facts, recipient_name=recipient_name,
                            linkedin_url=linkedin_url_for(facts, cert_url=cert_url, organization_id=linkedin_org_id),
                            cert_url=cert_url, credential_file=credential_file, search=search)
    mid = message_id(facts.credential_id, sequence, sender, reminder=reminder)
    msg = EmailMessage(policy=email.policy.SMTP if (sender + recipient).isascii() else email.policy.SMTPUTF8)
    msg["From"] = Address(facts.issuer_name, addr_spec=sender) if facts.issuer_name else sender
    msg["To"] = Address(" ".join((recipient_name or "").split()), addr_spec=recipient)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = body.subject
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = mid
    msg["X-Badgekit-Credential"] = facts.credential_id
    msg.set_content(body.text)
    msg.add_alternative(body.html, subtype="html")
    if reminder or png is None:
        return Letter(facts.credential_id, mid, msg.as_bytes())
    msg.add_attachment(png, maintype="image", subtype="png", filename="badge.png")
    if kind != "json":  # application/jwt, or application/dc+sd-jwt (draft-ietf-oauth-sd-jwt-vc)
        msg.add_attachment(text.strip().encode("ascii"), maintype="application",
                           subtype="jwt" if kind == "jwt" else "dc+sd-jwt", filename=credential_file)
    else:
        msg.add_attachment(text.encode("utf-8"), maintype="application", subtype="json", filename=credential_file)
    return Letter(facts.credential_id, mid, msg.as_bytes())

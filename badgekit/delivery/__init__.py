"""Recipient bundles: everything an earner needs, in one folder per credential.

A bundle (``<out>/<credential uuid>/``) holds:

* ``credential.json`` (or ``credential.jwt``, ``credential.sd-jwt``): the signed credential, byte for byte as issued;
* ``badge.png`` and ``badge.svg``: the badge image with that credential baked in;
* ``qr.svg`` and ``qr.png``: a QR code of the credential's public URL (or, without one, its id);
* ``index.html``: a one-file page (inline CSS, image as a ``data:`` URI, no script) that shows the
  badge, what it certifies, its dates and how to verify it; it loads nothing from the network
  (a Content-Security-Policy says so to the browser) and works straight from the file system;
* ``email.txt`` and ``email.html``: a message for the issuer's own mail tool, with a LinkedIn
  "add to profile" link.

``badgekit send`` (:func:`send_credentials`) e-mails the same message, with the baked badge
attached, to the address the ledger keeps for each credential, through an SMTP server
(:mod:`._smtp`, the only module that opens a network connection), exactly once (:mod:`._send`);
``send --expiring P30D`` reminds holders that their credentials expire (``reminder*`` templates).
A project overrides any e-mail template with a file of the same name in ``<templates_dir>/email/``.

The recipient's email address is never written: the credential carries it only as a salted hash.
The roster name may be shown on the page and in the email. The page and the email bodies come from
the templates in ``badgekit/data/html/``, which HTML-escape every credential and roster string;
nothing from the credential becomes markup, a script, a style or a resource URL.
"""

from badgekit._time import long_date
from badgekit.baking.qr import qr_document, qr_png
from badgekit.delivery._bundle import Bundle, write_bundle
from badgekit.delivery._compose import Letter, baked_png, check_address, compose, message_id
from badgekit.delivery._facts import (
    Facts,
    bundle_name,
    bundle_url,
    credential_facts,
    is_badge_credential,
    read_credential,
)
from badgekit.delivery._messages import (
    EMAIL_TEMPLATES,
    LINKEDIN_ADD_URL,
    VALIDATOR_NAME,
    VALIDATOR_URL,
    EmailBody,
    email_bodies,
    linkedin_add_to_profile_url,
    linkedin_url_for,
    reminder_bodies,
    template_folders,
)
from badgekit.delivery._page import index_html, render_badge_image
from badgekit.delivery._pool import PARALLEL_MIN_BUNDLES, BundleJob, record_exported, write_bundles
from badgekit.delivery._recipients import match_recipient, roster_names, roster_recipients
from badgekit.delivery._send import (
    DELIVERY_EVENTS,
    REMINDER_EVENTS,
    Mailer,
    Reminder,
    SendOptions,
    SendOutcome,
    SendReport,
    delivery_history,
    renewed_credentials,
    scrub_address,
    send_credentials,
    since_stamp,
)
from badgekit.delivery._smtp import (
    DeliveryError,
    SmtpMailer,
    SmtpServer,
    parse_url,
    server_tls,
    tls_context,
    url_password,
)
from badgekit.delivery._workflow import (
    FOLDER_SUFFIXES,
    WITHHELD_STATES,
    BundleRun,
    bundle_issued,
    collect_credentials,
    make_bundles,
    withhold_inactive,
)

__all__ = [
    "DELIVERY_EVENTS",
    "EMAIL_TEMPLATES",
    "FOLDER_SUFFIXES",
    "LINKEDIN_ADD_URL",
    "PARALLEL_MIN_BUNDLES",
    "REMINDER_EVENTS",
    "VALIDATOR_NAME",
    "VALIDATOR_URL",
    "WITHHELD_STATES",
    "Bundle",
    "BundleJob",
    "BundleRun",
    "DeliveryError",
    "EmailBody",
    "Facts",
    "Letter",
    "Mailer",
    "Reminder",
    "SendOptions",
    "SendOutcome",
    "SendReport",
    "SmtpMailer",
    "SmtpServer",
    "baked_png",
    "bundle_issued",
    "bundle_name",
    "bundle_url",
    "check_address",
    "collect_credentials",
    "compose",
    "credential_facts",
    "delivery_history",
    "email_bodies",
    "index_html",
    "is_badge_credential",
    "linkedin_add_to_profile_url",
    "linkedin_url_for",
    "long_date",
    "make_bundles",
    "match_recipient",
    "message_id",
    "parse_url",
    "qr_document",
    "qr_png",
    "read_credential",
    "record_exported",
    "reminder_bodies",
    "renewed_credentials",
    "render_badge_image",
    "roster_names",
    "roster_recipients",
    "scrub_address",
    "send_credentials",
    "since_stamp",
    "template_folders",
    "server_tls",
    "tls_context",
    "url_password",
    "withhold_inactive",
    "write_bundle",
    "write_bundles",
]

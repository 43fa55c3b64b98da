"""The e-mail announcing a badge, and LinkedIn's "add to profile" link."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from badgekit import _html
from badgekit._time import long_date
from badgekit.delivery._facts import Facts
from badgekit.errors import InputError

#: The e-mail templates (``badgekit/data/html/``); a project overrides one with a file of the
#: same name in ``<templates_dir>/email/`` (:func:`template_folders`).
EMAIL_TEMPLATES = ("email_subject.txt", "email.txt", "email.html", "reminder_subject.txt", "reminder.txt", "reminder.html")

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
#: Named in the page and the email as an independent verifier (1EdTech Digital Credentials Public Validator).
VALIDATOR_URL = "https://vc.1ed.tech/"
VALIDATOR_NAME = "the 1EdTech validator"


@dataclass(frozen=True)
class EmailBody:
    """A ready-to-send message: paste ``text`` or ``html`` into a mail tool, attach the badge."""

    subject: str
    text: str
    html: str


# ---------------------------------------------------------------------------------------------
# LinkedIn and email


def linkedin_add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued: date | datetime | None = None,
    expires: date | datetime | None = None,
    cert_url: str | None = None,
    cert_id: str | None = None,
    organization_id: str | None = None,
) -> str:
    """LinkedIn's "Add licence or certification" link, with every field filled in and URL-encoded.

    ``organization_id`` (the issuer's LinkedIn company id) makes LinkedIn show the company logo;
    without it LinkedIn shows ``organization_name`` as text.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    if organization_id:
        params.append(("organizationId", organization_id))
    params.append(("organizationName", organization_name))
    if issued is not None:
        params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if expires is not None:
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    if cert_url:
        params.append(("certUrl", cert_url))
    if cert_id:
        params.append(("certId", cert_id))
    return LINKEDIN_ADD_URL + "?" + urlencode(params, quote_via=quote, safe="")


def linkedin_url_for(facts: Facts, *, cert_url: str | None = None, organization_id: str | None = None) -> str:
    """The LinkedIn "Add to profile" link for a credential's facts (:func:`linkedin_add_to_profile_url`):
    badge name, issuer, dates and credential id; ``cert_url`` links the bundle's page."""
    return linkedin_add_to_profile_url(
        name=facts.badge_name,
        organization_name=facts.issuer_name,
        issued=facts.valid_from,
        expires=facts.valid_until,
        cert_url=cert_url,
        cert_id=facts.credential_id,
        organization_id=organization_id,
    )


def _dates_sentence(facts: Facts) -> str:
    parts = []
    if facts.valid_from:
        parts.append(f"issued {long_date(facts.valid_from)}")
    parts.append(f"valid until {long_date(facts.valid_until)}" if facts.valid_until else "does not expire")
    return ", ".join(parts)


class EmailTemplateError(InputError):
    """A project's own e-mail template is broken: no message can be written (the run stops)."""


def template_folders(templates_dirs: Sequence[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The folders whose e-mail templates win over the shipped ones: ``<dir>/email/`` of each of a
    project's templates folders that has one (``[project] templates_dir``)."""
    return tuple(Path(d) / "email" for d in templates_dirs if (Path(d) / "email").is_dir())


def _bodies(kind: str, search: Sequence[Path], values: dict[str, Any]) -> EmailBody:
    """Subject, text and HTML from the ``kind`` templates (``email`` or ``reminder``).

    Raises:
        EmailTemplateError: a project's own template is broken or names a value that does not exist.
    """
    # start-up: Jinja2 only when a message is written
    import jinja2

    def render(name: str, **more: Any) -> str:
        try:
            return _html.render(name, search, **values, **more)
        except jinja2.TemplateError as exc:
            own = next((d / name for d in search if (d / name).is_file()), None)
            if own is None:
                raise  # a shipped template: a bug
            line = getattr(exc, "lineno", None)
            raise EmailTemplateError(f"{own}{f': line {line}' if line else ''}: e-mail template: {exc.message or exc}",
                                     hint=f"see the shipped {name} in badgekit/data/html/ for the values it can use") from None

    # one line whatever the credential's names hold: a header cannot carry a line break
    subject = " ".join(render(f"{kind}_subject.txt").split())
    return EmailBody(subject, render(f"{kind}.txt", subject=subject), render(f"{kind}.html", subject=subject))


def email_bodies(
    facts: Facts,
    *,
    recipient_name: str | None,
    linkedin_url: str,
    cert_url: str | None = None,
    credential_file: str = "credential.json",
    search: Sequence[Path] = (),
) -> EmailBody:
    """The message announcing a badge to its earner, as plain text and as simple HTML
    (``search``: folders whose templates win over the shipped ones, :func:`template_folders`).

    Attach ``badge.png`` (and the credential file) from the bundle; the text says so.

    Raises:
        InputError: a project's own template is broken.
    """
    name = (recipient_name or "").strip()
    values = dict(
        facts=facts, name=name, what=facts.description or facts.criteria, dates=_dates_sentence(facts),
        credential_file=credential_file, cert_url=cert_url, linkedin_url=linkedin_url,
        validator_name=VALIDATOR_NAME, validator_url=VALIDATOR_URL,
    )
    return _bodies("email", search, values)


def reminder_bodies(
    facts: Facts,
    *,
    recipient_name: str | None,
    now: datetime,
    window: str,
    cert_url: str | None = None,
    search: Sequence[Path] = (),
    expires: datetime | None = None,
) -> EmailBody:
    """The reminder that a badge expires soon (``reminder_subject.txt``, ``reminder.txt``,
    ``reminder.html``): its expiry date (``expires``, the ledger's, else the credential's
    ``validUntil``), the days left from ``now``, how to renew it.

    Raises:
        InputError: a project's own template is broken.
    """
    until = expires or facts.valid_until
    days_left = max((until.date() - now.date()).days, 0) if until is not None else None
    values = dict(facts=facts, name=(recipient_name or "").strip(), expires=long_date(until) if until else "",
                  days_left=days_left, window=window, cert_url=cert_url)
    return _bodies("reminder", search, values)

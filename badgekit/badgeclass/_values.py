"""What a badge-class value must look like (URLs, ids, dates, e-mail addresses), and how a message
quotes a value. Shared by the policy, the document checks and the templates."""

from __future__ import annotations

import re
import uuid
from datetime import date
from urllib.parse import urlsplit

from badgekit._time import TimestampError, parse_datetime_stamp

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


#: The common shape of an http(s) URL (a plain ASCII host name, no port or user): one match
#: instead of ``urlsplit`` per roster row (issue 18); anything else is split as before.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?(?:[/?#]\S*)?", re.ASCII)


def is_http_url(text: object) -> bool:
    """True for an absolute ``http://`` or ``https://`` URL with a host."""
    if not isinstance(text, str):
        return False
    if text.split() != [text]:  # no whitespace anywhere (nor empty)
        return False
    if _PLAIN_HTTP_URL.fullmatch(text):
        return True
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and bool(parts.hostname)


def is_urn_uuid(text: object) -> bool:
    """True for ``urn:uuid:`` followed by a well-formed UUID."""
    if not isinstance(text, str) or not text.lower().startswith("urn:uuid:"):
        return False
    try:
        uuid.UUID(text[len("urn:uuid:") :])
    except ValueError:
        return False
    return len(text) == len("urn:uuid:") + 36


def is_date(text: str) -> bool:
    """``YYYY-MM-DD`` (a real calendar date) or a date-time with a time zone (the one timestamp
    form credentials carry: :func:`badgekit._time.parse_datetime_stamp`)."""
    if _DATE.fullmatch(text):
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True
    try:
        parse_datetime_stamp(text, field="date")
    except TimestampError:
        return False
    return True


def quote(value: str) -> str:
    """``value`` in quotes for a message, cut to 60 characters."""
    text = value if len(value) <= 60 else value[:59] + "…"
    return repr(text)


def short(value: object) -> str:
    """``repr(value)`` for a message, cut to 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"

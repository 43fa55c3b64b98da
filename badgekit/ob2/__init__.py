"""Open Badges 2.0 assertions: read and verify them offline (for ``badgekit verify``) and read what
migration to OB 3.0 needs (for ``badgekit migrate``).

OB 2.0 verification normally fetches the hosted assertion, its BadgeClass, the issuer Profile,
the issuer's key and revocation list. badgekit never fetches: those documents are supplied as
copies (:class:`Documents`), each standing for the URL it is published at, and a check that
needs one that is missing is indeterminate, naming the URL.

    >>> from datetime import UTC, datetime
    >>> from badgekit.ob2 import Documents, verify_text
    >>> found = verify_text("https://example.org/assertions/1", at=datetime(2026, 1, 1, tzinfo=UTC))
    >>> found.verdict, found.check("schema").reason
    ('indeterminate', 'needs the hosted assertion https://example.org/assertions/1: supply a copy (verify --ob2-doc FILE, or badgekit cache add FILE)')

Modules: :mod:`._objects` (the classes' required properties, dates, identities),
:mod:`._documents` (supplied copies), :mod:`._signed` (JWS header, CryptographicKey),
:mod:`._hosted` (hosted-verification scope), :mod:`._verify` (checks 1-8).
"""

from __future__ import annotations

from badgekit.ob2._documents import Documents, load_documents
from badgekit.ob2._objects import (
    HOSTED,
    SIGNED,
    as_identifier,
    as_list,
    describe_recipient,
    node_id,
    parse_datetime,
    short_url,
    verification_type,
)
from badgekit.ob2._signed import ALGORITHMS
from badgekit.ob2._verify import CHECK_IDS, Check, Verification, verify_text

__all__ = [
    "ALGORITHMS",
    "CHECK_IDS",
    "HOSTED",
    "SIGNED",
    "Check",
    "Documents",
    "Verification",
    "as_identifier",
    "as_list",
    "describe_recipient",
    "load_documents",
    "node_id",
    "parse_datetime",
    "short_url",
    "verification_type",
    "verify_text",
]

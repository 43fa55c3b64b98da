"""Bulk issuing: roster → validated rows → reserved ids and status indices → signed files.

The pipeline (docs/adr/0003-ledger.md):

1. **Validate** every row first (streamed): bad rows are reported by line and column; with
   ``strict`` nothing is signed if any row is bad. A badge class that ``requires`` others has each
   row checked against the ledger too, one query per chunk (see :func:`prerequisite_check`).
2. **Plan** each good row against the ledger, in chunks: already issued (nothing to do), reserved by
   an interrupted run (sign it again, same bytes), or new (reserve id + random status index in one
   transaction, before signing).
3. **Sign** chunks in worker processes (:mod:`badgekit._parallel`; a script calling this with
   ``workers`` > 1 needs an ``if __name__ == "__main__":`` guard); each credential file is written
   atomically; the ledger marks it issued afterwards. A kill at any point loses nothing: the next
   run resumes.

Four output formats (``IssueOptions.format``): ``ldp`` writes ``<id>.json`` with an embedded
Data Integrity proof (``eddsa-rdfc-2022`` with an Ed25519 key, ``ecdsa-rdfc-2019`` with a P-256 /
P-384 key); ``jwt`` writes ``<id>.jwt``, the credential as an OB 3.0 VC-JWT compact JWS on one line
(``EdDSA`` with an Ed25519 key, ``ES256`` with a P-256 key, ``RS256`` with an RSA key), with no
embedded proof; ``vc+jwt`` the same as a W3C VC-JOSE-COSE ``application/vc+jwt`` (``typ: vc+jwt``,
no ``nbf``/``exp``); ``sd-jwt`` writes ``<id>.sd-jwt``, an SD-JWT VC (:mod:`badgekit.sdjwt`) signed
the same way, the badge class's ``disclose`` members selectively disclosable. The ledger records
whichever file was written.

Credential content depends only on the ledger reservation and the row, never on the worker count,
so ``workers=N`` writes exactly what ``workers=1`` writes.

One credential from values, the same way: :func:`issue_credential`. A pathway badge class
(earned by holding others) is awarded from the ledger, without a roster: :func:`issue_pathway`
(:mod:`._pathway`).

The package: :mod:`._options` (options, report), :mod:`._plan` (validation, prerequisites,
planning against the ledger), :mod:`._signing` (one job → one signed credential), :mod:`._worker`
(worker processes: files and baked images), :mod:`._run` (the run) and :mod:`._summary` (issued.csv).
"""

from __future__ import annotations

from badgekit.issuing._options import (
    CHUNK,
    FORMATS,
    OUTPUT_MODES,
    PARALLEL_MIN_CHUNKS,
    IssueOptions,
    IssueReport,
    Progress,
    RowOutcome,
    credential_filename,
)
from badgekit.issuing._pathway import (
    COMPONENTS_EVENT,
    LEDGER_SOURCE,
    Holder,
    eligible_count,
    issue_pathway,
    pathway_holders,
)
from badgekit.issuing._plan import (
    PRIOR_COLUMN,
    RowCheck,
    open_roster,
    prerequisite_check,
    require_roster,
    row_fingerprint,
    status_url_for,
    validate_roster,
)
from badgekit.issuing._run import IssuedCredential, issue_credential, issue_roster
from badgekit.issuing._signing import build_for_job, check_signing_setup, jwt_kid
from badgekit.issuing._summary import SUMMARY_HEADER, SummaryWriter, summary_csv, summary_row
from badgekit.issuing._worker import STAGING, badge_images, recipient_image_fonts
from badgekit.ledger import active_badges  # the one definition of holding (re-exported)

__all__ = [
    "COMPONENTS_EVENT", "LEDGER_SOURCE", "Holder", "active_badges", "eligible_count", "issue_pathway", "pathway_holders",
    "CHUNK", "FORMATS", "OUTPUT_MODES", "PARALLEL_MIN_CHUNKS", "PRIOR_COLUMN", "STAGING", "SUMMARY_HEADER", "IssueOptions",
    "IssueReport", "IssuedCredential", "Progress", "RowCheck", "RowOutcome", "SummaryWriter", "badge_images",
    "build_for_job", "check_signing_setup", "credential_filename", "issue_credential", "issue_roster", "jwt_kid",
    "open_roster", "prerequisite_check", "recipient_image_fonts", "require_roster", "row_fingerprint",
    "status_url_for", "summary_csv", "summary_row", "validate_roster",
]

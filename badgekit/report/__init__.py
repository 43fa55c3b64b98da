"""Program report: what a badge program has issued, from the ledger alone.

:func:`build_report` reads the ledger once and returns frozen figures; :func:`report_csv` and
:func:`report_html` format them. Definitions (the numbers a test checks):

* **issued**: credentials signed and recorded (an interrupted run's reservations are **pending**,
  not issued). Every issued credential is in exactly one of these states at ``now``:
  **revoked** (ledger state), else **expired** (``validUntil`` at or before ``now``), else
  **suspended** (ledger state), else **active**. A re-issued credential is a new credential.
* **revocation rate**: revoked / issued.
* **issuance over time**: credentials issued per ISO week (``2026-W03``) or calendar month
  (``2026-01``), by the ledger's issue time; revocations per period by the revocation event's time.
  Empty periods between the first and the last are listed with zeros.
* **earned → issued**: whole days from the roster's ``earned`` date to the issue date, for
  credentials whose row had one.
* **rejected rows**: distinct (badge, roster, line) the ledger recorded as rejected; re-running the
  same roster does not count a row twice. Reasons are grouped with the row's values taken out
  (``email 'x@' is not …`` → ``email '…' is not …``), so no roster value reaches a report.
* **expiring** (:func:`expiring_credentials`): issued credentials, active or suspended at ``now``,
  whose ``validUntil`` is at or before ``now`` + the window (``P30D``); ids only, never addresses.
* **delivery**: issued credentials by e-mail delivery (``badgekit send``'s ledger events):
  **sent** (a ``sent`` event), else **failed** (``send-failed`` events only), else **not sent**.
  Counts only, unless asked for each credential (:func:`delivery_report`, ``report --deliveries``),
  which lists addresses only with ``show_addresses``.
* **pathways** (:func:`pathway_map`): each pathway badge class, its components and how many of
  its recipients hold 0 … all of them (held: an active credential of this issuer, as pathway
  awards count); the definitions are in :mod:`._pathways`.
"""

from badgekit.report._build import build_report, normalise_reason, period_of
from badgekit.report._csv import CSV_COLUMNS, report_csv
from badgekit.report._deliveries import (
    DELIVERIES_CSV_COLUMNS,
    DELIVERY_STATES,
    CredentialDelivery,
    DeliveryReport,
    deliveries_csv,
    delivery_report,
    delivery_states,
)
from badgekit.report._expiring import (
    EXPIRING_CSV_COLUMNS,
    ExpiringCredential,
    ExpiringReport,
    expiring_credentials,
    expiring_csv,
)
from badgekit.report._figures import (
    AUTO_WEEKS_UP_TO_DAYS,
    LEAD_BUCKETS,
    BadgeFigures,
    DeliveryCounts,
    Granularity,
    LeadTime,
    Period,
    ProgramReport,
    RejectionReason,
    StateCounts,
    percent,
)
from badgekit.report._page import report_html
from badgekit.report._pathway_views import PATHWAY_CSV_COLUMNS, pathway_diagram, pathways_csv
from badgekit.report._pathways import PathwayFigures, PathwayNode, pathway_map

__all__ = [
    "AUTO_WEEKS_UP_TO_DAYS",
    "CSV_COLUMNS",
    "DELIVERIES_CSV_COLUMNS",
    "DELIVERY_STATES",
    "EXPIRING_CSV_COLUMNS",
    "LEAD_BUCKETS",
    "PATHWAY_CSV_COLUMNS",
    "BadgeFigures",
    "CredentialDelivery",
    "ExpiringCredential",
    "ExpiringReport",
    "DeliveryCounts",
    "DeliveryReport",
    "Granularity",
    "LeadTime",
    "PathwayFigures",
    "PathwayNode",
    "Period",
    "ProgramReport",
    "RejectionReason",
    "StateCounts",
    "build_report",
    "deliveries_csv",
    "delivery_report",
    "delivery_states",
    "expiring_credentials",
    "expiring_csv",
    "normalise_reason",
    "pathway_diagram",
    "pathway_map",
    "pathways_csv",
    "percent",
    "period_of",
    "report_csv",
    "report_html",
]

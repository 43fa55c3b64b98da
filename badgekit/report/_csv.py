"""The program report as CSV: one row per badge class, then the whole program."""

from __future__ import annotations

import csv
import io

from badgekit._io import csv_cell
from badgekit.report._figures import ProgramReport, _num

CSV_COLUMNS = ("badge_id", "badge_name", "issued", "active", "expired", "revoked", "suspended", "pending", "renewed",
               "revocation_rate", "recipients", "earned_to_issued_median_days", "earned_to_issued_mean_days",
               "rejected_rows", "first_issued", "last_issued", "sent", "send_failed", "not_sent")


def report_csv(report: ProgramReport) -> str:
    """One row per badge class, then the whole program (``badge_id`` ``*``); e-mail delivery in
    the last three columns (counts, never addresses)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    rows = [*report.badges, report.overall] if report.overall.badge_id == "*" else list(report.badges)
    for b in rows:
        c = b.counts
        rate = c.revocation_rate
        w.writerow([
            b.badge_id, _csv_text(b.name), c.issued, c.active, c.expired, c.revoked, c.suspended, c.pending, b.renewed,
            "" if rate is None else f"{rate:.4f}", b.recipients,
            "" if b.lead_time.median_days is None else _num(b.lead_time.median_days),
            "" if b.lead_time.mean_days is None else _num(b.lead_time.mean_days),
            b.rejected_rows, b.first_issued or "", b.last_issued or "", b.delivery.sent, b.delivery.failed, b.delivery.unsent,
        ])
    return buf.getvalue()


_csv_text = csv_cell  # names stay inert text in spreadsheets (the reports' other CSVs use it too)

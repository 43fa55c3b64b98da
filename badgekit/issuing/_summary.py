"""``issued.csv``: each roster line → status, credential id and path, or its errors; written whole
(:func:`summary_csv`) or row by row as a run decides them (:class:`SummaryWriter`)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from badgekit._io import csv_cell, output_error
from badgekit.issuing._options import IssueReport, RowOutcome

SUMMARY_HEADER = ["line", "status", "credential_id", "path", "errors"]


def summary_row(o: RowOutcome) -> list[int | str]:
    """One ``issued.csv`` row for a roster line (the errors cell quotes roster text: kept inert, :func:`csv_cell`)."""
    return [o.line, o.status, o.credential_id or "", o.path or "",
            csv_cell("; ".join(f"{e.column or '-'}: {e.reason}" for e in o.errors) or (o.note or ""))]


def summary_csv(report: IssueReport) -> str:
    """``issued.csv``: each roster line → status, credential id and path, or its errors."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(SUMMARY_HEADER)
    for e in report.header_errors:
        w.writerow([e.line, "warning", "", "", csv_cell(str(e))])
    for o in report.outcomes:
        w.writerow(summary_row(o))
    return buf.getvalue()


class SummaryWriter:
    """``issued.csv`` written row by row as outcomes come (memory stays flat): a temp file in
    ``out_dir``, renamed over ``issued.csv`` by :meth:`close` (so a killed or failed run leaves the
    previous summary), removed by :meth:`abort`.

    Raises:
        OutputError: the folder or the file cannot be written (names the file).
    """

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / "issued.csv"
        self.rows_written = 0
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=".issued.csv.", suffix=".tmp", dir=out_dir)
        except OSError as exc:
            raise output_error(exc, self.path) from None
        self.file = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self.writer = csv.writer(self.file, lineterminator="\n")
        self._write(SUMMARY_HEADER)

    def _write(self, row: Sequence[int | str]) -> None:
        try:
            self.writer.writerow(row)
        except OSError as exc:
            raise output_error(exc, self.path) from None

    def row(self, outcome: RowOutcome) -> None:
        self._write(summary_row(outcome))
        self.rows_written += 1

    def close(self, report: IssueReport) -> None:
        """The header warnings, then the file in place (only when a row was written)."""
        for e in report.header_errors:
            self._write([e.line, "warning", "", "", csv_cell(str(e))])
        try:
            self.file.close()
            if self.rows_written:
                os.replace(self.tmp, self.path)
            else:
                os.unlink(self.tmp)
        except OSError as exc:
            raise output_error(exc, self.path) from None

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

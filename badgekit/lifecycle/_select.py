"""Which credentials the user means: ids, credential files, emails, or a CSV of either."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from badgekit import _envelope, _jsonl, roster
from badgekit._io import read_bounded
from badgekit.credential import Recipient, as_credential_id
from badgekit.errors import InputError
from badgekit.ledger import Ledger

_CSV_ID_COLUMNS = ("credential_id", "id")
_CSV_RECIPIENT_COLUMNS = ("email", "recipient_id", "student_id")
#: Largest CSV of ids or emails read (a million ids is about 45 MB).
MAX_CSV_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class Selection:
    """Credential ids chosen by the user, in order without repeats, and what could not be resolved."""

    ids: tuple[str, ...]
    problems: tuple[str, ...] = ()


def credential_id_from_file(path: str | os.PathLike[str]) -> str:
    """The ``id`` of a credential file (JSON, a VC-JWT or SD-JWT VC, or any of them baked into a
    PNG/SVG badge) or of a run file's line (``<file>.jsonl#<line>``), read by the one reader
    (:func:`badgekit._envelope.read_path`); a JWT's ``id`` may be its ``jti`` claim only.

    Raises:
        InputError: unreadable, not a credential, or a credential without an ``id``.
    """
    found = _envelope.read_path(path)
    cid = found.credential.get("id")
    if not cid and found.jws is not None:  # a VC-JWT may carry its id as the jti claim only
        cid = found.jws.payload.get("jti")
    if not isinstance(cid, str) or not cid:
        raise InputError(f"{os.fspath(path)}: the credential has no id")
    return cid


def select_credentials(
    ledger: Ledger,
    refs: Iterable[str] = (),
    *,
    emails: Iterable[str] = (),
    csv_path: str | os.PathLike[str] | None = None,
    badge_id: str | None = None,
) -> Selection:
    """Resolve what the user named into credential ids.

    ``refs`` are credential ids (``urn:uuid:…``, or the bare UUID credential files are named by)
    or credential files (JSON or baked images);
    ``emails`` select every credential issued to that address; ``csv_path`` is a CSV with a
    ``credential_id`` (or ``id``) column, or an ``email`` (``recipient_id``, ``student_id``)
    column. ``badge_id`` keeps only credentials of that badge class. Blank CSV cells are skipped
    (so ``issued.csv`` from ``badgekit issue`` works as is). Ids that are not in the ledger are
    kept: :func:`change_status` reports them.

    Never raises for one bad reference: it becomes a problem line. Raises:
        InputError: the CSV cannot be read, or has none of the columns above.
    """
    wanted: list[str] = []
    problems: list[str] = []
    recipients: list[tuple[str, str]] = []  # (what the user wrote, recipient key)

    for ref in refs:
        path = Path(ref)
        is_file = path.is_file() or _jsonl.ref_usable(ref) is not None  # a file, or a run file's line
        if _is_credential_id(ref) and not is_file:
            wanted.append(ref)
            continue
        if is_file:
            try:
                wanted.append(credential_id_from_file(path))
            except InputError as exc:
                problems.append(exc.message)
            continue
        credential_id = as_credential_id(ref)
        if credential_id != ref:  # the name of its file in out/: the id without urn:uuid:
            wanted.append(credential_id)
            continue
        problems.append(f"{ref}: no such file, and not a credential id (urn:uuid:…)")

    for email in emails:
        label, key = _recipient_key(ledger, "email", email)
        if key is None:
            problems.append(label)
        else:
            recipients.append((label, key))

    if csv_path is not None:
        ids, rows, csv_problems = _read_selection_csv(ledger, Path(csv_path))
        wanted.extend(ids)
        recipients.extend(rows)
        problems.extend(csv_problems)

    if recipients:
        by_key: dict[str, list[str]] = {}
        for issuance in ledger.issuances(badge_id=badge_id):
            if issuance.state != "reserved":
                by_key.setdefault(issuance.recipient_key, []).append(issuance.credential_id)
        for label, key in recipients:
            found = by_key.get(key)
            if found:
                wanted.extend(found)
            else:
                problems.append(f"{label}: no credentials issued to this recipient" + (f" for badge {badge_id}" if badge_id else ""))

    ids = list(dict.fromkeys(wanted))
    if badge_id is not None:
        kept = []
        for cid in ids:
            found_issuance = ledger.get(cid)
            if found_issuance is not None and found_issuance.badge_id != badge_id:
                problems.append(f"{cid}: a credential of badge {found_issuance.badge_id}, not of {badge_id}; left alone")
            else:
                kept.append(cid)
        ids = kept
    return Selection(tuple(ids), tuple(problems))


def _is_credential_id(ref: str) -> bool:
    scheme = ref.split(":", 1)[0].lower()
    return ":" in ref and scheme.isalpha() and len(scheme) > 1 and not any(c.isspace() for c in ref)


def _recipient_key(ledger: Ledger, column: str, value: str) -> tuple[str, str | None]:

    text = value.strip()
    if column == "email":
        email = roster.normalise_email(text)
        if not roster.is_email(email):
            return f"{value}: not an email address", None
        return email, ledger.recipient_key(Recipient(email=email).key)
    if column == "recipient_id":
        return text, ledger.recipient_key(Recipient(subject_id=text).key)
    return f"student id {text}", ledger.recipient_key(Recipient(student_id=text).key)


def _read_selection_csv(ledger: Ledger, path: Path) -> tuple[list[str], list[tuple[str, str]], list[str]]:

    text, _ = roster.decode_roster(read_bounded(path, limit=MAX_CSV_BYTES), str(path))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = next((ln for ln in text.split("\n", 50) if ln.strip()), "")
    if not first:
        raise InputError(f"{path}: the CSV is empty (a header row is needed)")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    ids: list[str] = []
    recipients: list[tuple[str, str]] = []
    problems: list[str] = []
    header: list[str] | None = None
    id_col: int | None = None
    recipient_cols: list[tuple[int, str]] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(c.strip() for c in record):
                continue
            if header is None:
                header = [roster.normalise_header(c) for c in record]
                for name in _CSV_ID_COLUMNS:
                    if name in header:
                        id_col = header.index(name)
                        break
                recipient_cols = [(header.index(n), n) for n in _CSV_RECIPIENT_COLUMNS if n in header]
                if id_col is None and not recipient_cols:
                    raise InputError(
                        f"{path}: line {line}: no credential_id, id or email column",
                        hint="the first row must name the columns, e.g. credential_id (issued.csv from badgekit issue works)",
                    )
                continue
            if id_col is not None:
                value = roster.identifier_cell(record[id_col]) if id_col < len(record) else ""
                if value:
                    if _is_credential_id(value):
                        ids.append(value)
                    else:
                        problems.append(f"{path}: line {line}: {value!r} is not a credential id")
                    continue
                if not recipient_cols:
                    continue
            for col, name in recipient_cols:
                value = roster.identifier_cell(record[col]) if col < len(record) else ""
                if value:
                    label, key = _recipient_key(ledger, name, value)
                    if key is None:
                        problems.append(f"{path}: line {line}: {label}")
                    else:
                        recipients.append((f"{path}: line {line}: {label}", key))
                    break
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: {exc}") from None
    if header is None:
        raise InputError(f"{path}: the CSV is empty (a header row is needed)")
    return ids, recipients, problems

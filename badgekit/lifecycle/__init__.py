"""Credential lifecycle after issuing: revoke, suspend, unsuspend, and publish the status lists.

The ledger is the source of truth (docs/adr/0003-ledger.md, 0004-status-purpose.md):

* :func:`change_status` records each state change in the ledger, one ``BEGIN IMMEDIATE``
  transaction per credential, so two revocations running at once both take effect and a crash
  loses at most the change it was making.
* :func:`publish_lists` derives every list's bits from the ledger (revoked, or currently suspended,
  credentials on that list), signs each as a ``BitstringStatusListCredential`` and writes it
  atomically. The snapshot, the signing and the writes happen inside one ledger write
  transaction, so two publishes cannot interleave and leave an older snapshot on disk last.

Each credential carries exactly one status entry (OB 3.0's ``credentialStatus`` is one object):
purpose ``revocation`` by default, ``suspension`` when its badge class says so. Only a
suspension-purpose credential can be suspended and unsuspended; any credential can be revoked,
and revocation is final.

Nothing here prints, prompts or touches the network; the CLI passes in the actor's name.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from badgekit import status
from badgekit._io import atomic_write, dumps_json, load_json_file, loads_json, read_bounded
from badgekit._time import TimestampError, format_utc, parse_datetime_stamp, utc_now
from badgekit.errors import InputError, LedgerError
from badgekit.keys import Ed25519Key, Signer
from badgekit.ledger import Issuance, Ledger

NewState = Literal["revoked", "suspended", "issued"]
Outcome = Literal["changed", "unchanged", "would-change", "failed"]

#: Ledger state → the verb for messages ("issued" as a target means "unsuspended").
_VERB = {"revoked": "revoked", "suspended": "suspended", "issued": "unsuspended"}
_CSV_ID_COLUMNS = ("credential_id", "id")
_CSV_RECIPIENT_COLUMNS = ("email", "recipient_id", "student_id")
#: Largest CSV of ids or emails read (a million ids is about 45 MB).
MAX_CSV_BYTES = 128 * 1024 * 1024

REVOCATION_ONLY = (
    "issued with a revocation-only status entry; revoke it, "
    "or issue the badge class with status_purpose: suspension"
)


# ---------------------------------------------------------------------------------------------
# selecting credentials


@dataclass(frozen=True)
class Selection:
    """Credential ids chosen by the user, in order without repeats, and what could not be resolved."""

    ids: tuple[str, ...]
    problems: tuple[str, ...] = ()


def credential_id_from_file(path: str | os.PathLike[str]) -> str:
    """The ``id`` of a credential file: JSON, or a baked PNG/SVG badge.

    Raises:
        InputError: unreadable, not a credential, or a credential without an ``id``.
    """
    p = Path(path)
    data = read_bounded(p)
    from badgekit import baking

    if baking.detect(data) is not None:
        payload = baking.extract(data, source=str(p)).payload
        if baking.is_jwt(payload):
            from badgekit import jwt

            claims = jwt.parse(payload).payload
            vc: Mapping[str, Any] = claims["vc"] if isinstance(claims.get("vc"), Mapping) else {}
            cid = claims.get("id") or vc.get("id") or claims.get("jti")
        else:
            doc = loads_json(payload, source=str(p))
            cid = doc.get("id") if isinstance(doc, Mapping) else None
    else:
        doc = loads_json(data, source=str(p))
        if not isinstance(doc, Mapping):
            raise InputError(f"{p}: not a credential (expected a JSON object)")
        cid = doc.get("id")
    if not isinstance(cid, str) or not cid:
        raise InputError(f"{p}: the credential has no id")
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

    ``refs`` are credential ids (``urn:uuid:…``) or credential files (JSON or baked images);
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
        if _is_credential_id(ref) and not path.is_file():
            wanted.append(ref)
            continue
        if path.is_file():
            try:
                wanted.append(credential_id_from_file(path))
            except InputError as exc:
                problems.append(exc.message)
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
    from badgekit import roster
    from badgekit.credential import Recipient

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
    from badgekit import roster

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
                value = record[id_col].strip() if id_col < len(record) else ""
                if value:
                    if _is_credential_id(value):
                        ids.append(value)
                    else:
                        problems.append(f"{path}: line {line}: {value!r} is not a credential id")
                    continue
                if not recipient_cols:
                    continue
            for col, name in recipient_cols:
                value = record[col].strip() if col < len(record) else ""
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


# ---------------------------------------------------------------------------------------------
# changing states


@dataclass(frozen=True)
class Change:
    """What happened to one credential. False when it failed."""

    credential_id: str
    outcome: Outcome
    message: str  # one line: what happened, or why not (names the credential)
    before: str | None = None  # ledger state before (None: not in the ledger)
    after: str | None = None  # ledger state after
    purpose: str | None = None
    list_url: str | None = None
    status_index: int | None = None

    def __bool__(self) -> bool:
        return self.outcome != "failed"

    def to_json(self) -> dict[str, Any]:
        return {
            "credentialId": self.credential_id,
            "outcome": self.outcome,
            "message": self.message,
            "before": self.before,
            "after": self.after,
            "statusPurpose": self.purpose,
            "statusListCredential": self.list_url,
            "statusListIndex": self.status_index,
        }


def plan_change(issuance: Issuance | None, credential_id: str, new_state: NewState) -> tuple[Outcome, str]:
    """Whether ``credential_id`` can go to ``new_state``: ("would-change" | "unchanged" | "failed", why)."""
    verb = _VERB[new_state]
    if issuance is None:
        return "failed", f"{credential_id}: not in this project's ledger"
    state = issuance.state
    if state == "reserved":
        return "failed", f"{credential_id}: not issued yet (reserved by an interrupted run); finish it with badgekit issue first"
    if issuance.list_url is None or issuance.status_index is None:
        return "failed", (
            f"{credential_id}: issued without a credentialStatus entry (no status_base_url then), "
            "so verifiers cannot learn its status; issue a replacement instead"
        )
    if new_state != "revoked" and issuance.purpose != "suspension":
        if state == "revoked":
            return "failed", f"{credential_id}: revoked; revocation is final"
        return "failed", f"{credential_id}: {REVOCATION_ONLY}"
    if state == "revoked" and new_state != "revoked":
        return "failed", f"{credential_id}: revoked; revocation is final, it cannot be {verb}"
    if new_state == "issued" and state == "issued":
        return "unchanged", f"{credential_id}: not suspended"
    if state == new_state:
        return "unchanged", f"{credential_id}: already {verb}"
    return "would-change", f"{credential_id}: {verb}"


def change_status(
    ledger: Ledger,
    ids: Iterable[str],
    new_state: NewState,
    reason: str | None,
    actor: str,
    *,
    dry_run: bool = False,
) -> list[Change]:
    """Revoke (``"revoked"``), suspend (``"suspended"``) or unsuspend (``"issued"``) credentials.

    One :class:`Change` per distinct id, in order. Each change is its own ledger transaction and
    records an event with ``reason`` and ``actor``; a credential already in ``new_state`` is
    "unchanged" (so a bulk run can be repeated safely). Unknown ids, credentials without a status
    entry, suspension of a revocation-only credential and anything after revocation are "failed"
    changes, not exceptions. With ``dry_run`` nothing is written ("would-change").

    Raises:
        InputError: ``new_state`` is not one of the three, or a revocation without a reason.
        LedgerError: the ledger itself cannot be read or written.
    """
    if new_state not in _VERB:
        raise InputError(f"unknown target state {new_state!r} (revoked, suspended or issued)")
    if new_state == "revoked" and not (reason and reason.strip()):
        raise InputError("a revocation needs a reason (it is recorded in the ledger)")
    out: list[Change] = []
    for cid in dict.fromkeys(ids):
        current = ledger.get(cid)
        outcome, message = plan_change(current, cid, new_state)
        state_after: str | None
        if outcome == "would-change" and not dry_run:
            try:
                after = ledger.change_state(cid, new_state, reason=reason, actor=actor)
                outcome, message, state_after = "changed", message, after.state
            except LedgerError as exc:
                # Another process may have made the same change in between.
                now_state = ledger.get(cid)
                if now_state is not None and now_state.state == new_state:
                    outcome, message = plan_change(now_state, cid, new_state)
                    state_after = new_state
                else:
                    outcome, message = "failed", exc.message
                    state_after = now_state.state if now_state else None
        else:
            state_after = current.state if current else None
        out.append(
            Change(
                credential_id=cid,
                outcome=outcome,
                message=message,
                before=current.state if current else None,
                after=state_after,
                purpose=current.purpose if current else None,
                list_url=current.list_url if current else None,
                status_index=current.status_index if current else None,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# publishing


def list_file_name(url: str) -> str:
    """The file a list is written to: the last path segment of its URL (``revocation-1.json``).

    Raises:
        InputError: the URL has no usable last segment.
    """
    segment = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    if not segment or segment in (".", "..") or "\\" in segment:
        raise InputError(f"status list URL {url} has no file name to publish it under")
    return segment if "." in segment else segment + ".json"


def build_list(
    ledger: Ledger,
    list_id: int,
    purpose: str,
    url: str,
    size: int,
    *,
    issuer_id: str,
    signer: Signer,
    now: datetime,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
) -> dict[str, Any]:
    """The signed list credential for one ledger list, its bits taken from the ledger now.

    Raises:
        StatusListError: a ledger index outside the list, or a key of another issuer.
    """
    bits = status.Bitstring(size)
    for index in ledger.set_indices(list_id):
        bits.set(index)
    stamp = format_utc(now)
    unsigned = status.list_credential(
        url,
        purpose,  # type: ignore[arg-type]
        bits,
        issuer=issuer_id,
        valid_from=stamp,
        valid_until=format_utc(valid_until) if valid_until is not None else None,
        ttl_ms=ttl_ms,
    )
    return status.sign_list_credential(unsigned, signer, created=stamp)


def publish_lists(
    ledger: Ledger,
    project: Any,
    key: Ed25519Key | Signer,
    out_dir: str | os.PathLike[str],
    now: datetime,
    *,
    valid_until: datetime | None = None,
    ttl_ms: int | None = None,
    actor: str = "badgekit",
    only_stale: bool = False,
) -> list[Path]:
    """Write every status list of the ledger as a signed ``BitstringStatusListCredential``.

    One file per list in ``out_dir``, named after the last segment of the list's URL, ready to be
    hosted at that URL; ``validFrom`` and the proof's ``created`` are ``now``. The list's issuer is
    ``project.issuer["id"]`` (what the credentials name) and the signing key must belong to it.
    Files are written atomically inside one ledger write transaction, and a ``published`` event is
    recorded per list. Only the issuer's lists are written: on a ledger shared by several issuers
    the others' lists are theirs to sign. Returns the paths in the order of
    ``ledger.lists(issuer=…)`` (empty: no lists).

    ``only_stale``: write only the lists whose file in ``out_dir`` is not up to date by the test
    :func:`status_summary` applies (missing, unreadable, expired, or its bits not the ledger's),
    decided inside the same transaction. So a change whose publish was skipped, failed or killed
    after the ledger commit is published by the next call, and a repeat with nothing new writes
    nothing.

    Raises:
        KeyFileError: ``key`` is not the key of the project's did:key issuer.
        StatusListError: the key's verification method is not the issuer's; bad dates.
        InputError: two lists would be written to the same file name.
        LedgerError: the ledger cannot be read or written.
    """
    if now.tzinfo is None:
        raise InputError("publish_lists needs a time-zone-aware 'now'")
    issuer_id = str(project.issuer["id"])
    signer = project.signer(key) if isinstance(key, Ed25519Key) else key
    target = Path(out_dir)
    names: dict[str, str] = {}
    with ledger.transaction():
        rows = ledger.lists(issuer=issuer_id)
        for _list_id, _purpose, url, _size in rows:
            name = list_file_name(url)
            if name in names:
                raise InputError(
                    f"status lists {names[name]} and {url} would both be published as {target / name}",
                    hint="give the lists distinct file names (status_base_url)",
                )
            names[name] = url
        if only_stale:
            current = {s.list_id for s in status_summary(ledger, target, now=now) if s.up_to_date}
            rows = [row for row in rows if row[0] not in current]
        documents = [
            (
                list_file_name(url),
                url,
                build_list(ledger, list_id, purpose, url, size, issuer_id=issuer_id, signer=signer, now=now,
                           valid_until=valid_until, ttl_ms=ttl_ms),
                len(ledger.set_indices(list_id)),
            )
            for list_id, purpose, url, size in rows
        ]
        paths = []
        for name, url, document, set_count in documents:
            path = atomic_write(target / name, dumps_json(document))
            paths.append(path)
            ledger.record_event(None, "published", actor=actor, detail={"url": url, "path": str(path), "set": set_count})
    return paths


def init_lists(ledger: Ledger, status_base_url: str, issuer: str | None = None) -> list[tuple[int, str, str]]:
    """Make sure the ledger has an open revocation list and an open suspension list.

    Returns ``(list id, purpose, url)`` for both. Idempotent: existing open lists are reused.
    ``issuer`` (the issuer id) owns lists it creates; a list at one of these URLs that another
    issuer owns is refused (LedgerError).
    """
    from badgekit.issuing import status_url_for

    out = []
    for purpose in status.PURPOSES:
        list_id, url = ledger.ensure_list(purpose, status_url_for(status_base_url, purpose), issuer=issuer)
        out.append((list_id, purpose, url))
    return out


# ---------------------------------------------------------------------------------------------
# summary


@dataclass(frozen=True)
class ListSummary:
    """One status list: what the ledger holds, and whether the published file matches it."""

    list_id: int
    purpose: str
    url: str
    size: int
    allocated: int  # indices handed out (every credential on the list, any state)
    issued: int
    revoked: int
    suspended: int
    reserved: int
    file_name: str
    published_path: Path | None = None  # the file in the publish folder, when there is one
    published_at: str | None = None  # its validFrom
    published_valid_until: str | None = None
    up_to_date: bool | None = None  # its bits equal the ledger's (None: no file)
    published_problem: str | None = None  # why the file could not be read, or has expired

    @property
    def set_count(self) -> int:
        return self.revoked + self.suspended

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "statusPurpose": self.purpose,
            "size": self.size,
            "allocated": self.allocated,
            "issued": self.issued,
            "revoked": self.revoked,
            "suspended": self.suspended,
            "reserved": self.reserved,
            "set": self.set_count,
            "file": self.file_name,
            "published": None
            if self.published_path is None
            else {
                "path": str(self.published_path),
                "validFrom": self.published_at,
                "validUntil": self.published_valid_until,
                "upToDate": self.up_to_date,
                "problem": self.published_problem,
            },
        }


def status_summary(
    ledger: Ledger, out_dir: str | os.PathLike[str] | None = None, *, now: datetime | None = None,
    issuer: str | None = None,
) -> list[ListSummary]:
    """Counts per status list (with ``issuer``, that issuer's lists only), and (given
    ``out_dir``) whether each published file is current.

    A published file is "up to date" when its bits equal the ledger's; one that cannot be read,
    or whose ``validUntil`` is before ``now``, gets a ``published_problem``. Never raises for a bad
    published file.

    Raises:
        LedgerError: the ledger cannot be read.
    """
    counts = ledger.list_counts()
    out = []
    for list_id, purpose, url, size in ledger.lists(issuer=issuer):
        c = counts.get(list_id, {})
        try:
            name = list_file_name(url)
        except InputError:
            name = ""
        summary = ListSummary(
            list_id=list_id,
            purpose=purpose,
            url=url,
            size=size,
            allocated=sum(c.values()),
            issued=c.get("issued", 0),
            revoked=c.get("revoked", 0),
            suspended=c.get("suspended", 0),
            reserved=c.get("reserved", 0),
            file_name=name,
        )
        if out_dir is not None and name and (Path(out_dir) / name).is_file():
            summary = _with_published(summary, ledger, Path(out_dir) / name, now)
        out.append(summary)
    return out


def _with_published(summary: ListSummary, ledger: Ledger, path: Path, now: datetime | None) -> ListSummary:
    from dataclasses import replace

    try:
        doc = load_json_file(path)
        subject = doc.get("credentialSubject") if isinstance(doc, Mapping) else None
        if not isinstance(subject, Mapping):
            raise InputError(f"{path}: not a status list credential")
        bits = status.Bitstring.decode(subject.get("encodedList"))  # type: ignore[arg-type]  # checked inside
    except InputError as exc:
        return replace(summary, published_path=path, up_to_date=False, published_problem=exc.message)
    valid_from = doc.get("validFrom")
    valid_until = doc.get("validUntil")
    problem = None
    if doc.get("id") != summary.url:
        problem = f"{path}: its id is {doc.get('id')!r}, not {summary.url}"
    elif now is not None and isinstance(valid_until, str):
        end = _parse_stamp(valid_until)
        if end is not None and end < now:
            problem = f"{path}: expired at {valid_until}; publish again"
    current = sorted(ledger.set_indices(summary.list_id))
    return replace(
        summary,
        published_path=path,
        published_at=valid_from if isinstance(valid_from, str) else None,
        published_valid_until=valid_until if isinstance(valid_until, str) else None,
        up_to_date=len(bits) == summary.size and bits.set_indices() == current and problem is None,
        published_problem=problem,
    )


# ---------------------------------------------------------------------------------------------
# one credential's history


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # issued, revoked, suspended, unsuspended, reissued …
    at: str
    actor: str
    reason: str | None


@dataclass(frozen=True)
class CredentialHistory:
    issuance: Issuance
    events: tuple[HistoryEntry, ...]

    def to_json(self) -> dict[str, Any]:
        i = self.issuance
        return {
            "credentialId": i.credential_id,
            "badge": i.badge_id,
            "state": i.state,
            "statusPurpose": i.purpose,
            "statusListCredential": i.list_url,
            "statusListIndex": i.status_index,
            "issuedAt": i.issued_at,
            "validUntil": i.valid_until,
            "events": [{"kind": e.kind, "at": e.at, "actor": e.actor, "reason": e.reason} for e in self.events],
        }


def credential_history(ledger: Ledger, credential_id: str) -> CredentialHistory:
    """A credential's ledger record and its events, oldest first.

    Raises:
        LedgerError: the credential is not in the ledger.
    """
    issuance = ledger.get(credential_id)
    if issuance is None:
        raise LedgerError(f"{credential_id}: not in this project's ledger")
    events = tuple(
        HistoryEntry(e.kind, e.at, e.actor, e.reason) for e in ledger.events(credential_id=credential_id)
    )
    return CredentialHistory(issuance, events)


# ---------------------------------------------------------------------------------------------
# helpers


def _parse_stamp(text: str) -> datetime | None:
    try:
        return parse_datetime_stamp(text, field="validUntil")
    except TimestampError:
        return None


def duration_ms(text: str, *, now: datetime | None = None) -> int:
    """An ISO 8601 duration (``PT6H``, ``P1D``) in milliseconds, for a status list's ``ttl``.

    Raises:
        InputError: not a duration, or zero.
    """
    from badgekit.badgeclass import add_duration, parse_duration

    start = (now or utc_now()).astimezone(UTC)
    duration = parse_duration(text)
    if duration.is_zero:
        raise InputError(f"duration {text!r} must be longer than zero")
    return int((add_duration(start, duration) - start).total_seconds() * 1000)


def valid_until_after(now: datetime, text: str) -> datetime:
    """``now`` plus an ISO 8601 duration (``P7D``), for ``--valid-for``.

    Raises:
        InputError: not a duration, or zero.
    """
    from badgekit.badgeclass import add_duration, parse_duration

    duration = parse_duration(text)
    if duration.is_zero:
        raise InputError(f"duration {text!r} must be longer than zero")
    return add_duration(now, duration)


__all__ = [
    "Change",
    "CredentialHistory",
    "ListSummary",
    "REVOCATION_ONLY",
    "Selection",
    "build_list",
    "change_status",
    "credential_history",
    "credential_id_from_file",
    "duration_ms",
    "init_lists",
    "list_file_name",
    "plan_change",
    "publish_lists",
    "select_credentials",
    "status_summary",
    "valid_until_after",
]

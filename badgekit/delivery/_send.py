"""``badgekit send``: e-mail each selected credential to its earner, exactly once, every step a
ledger event (the CLI parses options, opens the ledger and the SMTP connection, calls
:func:`send_credentials` and prints).

Exactly once: before the server is handed a message (after it accepted sender and recipient,
before ``DATA``) a ``sending`` event is committed; once the server accepted the message, ``sent``
(with its Message-ID and the server's answer). A run stopped between the two (SIGKILL, power
loss, a connection lost mid-message) leaves a ``sending`` without ``sent``: the next run sends
that message again, with the same Message-ID, and reports it as *in doubt* (it may arrive twice).
That is at most one message per stopped run: messages go one at a time over one connection.

Failures: a 4xx answer or a lost connection is tried again after a pause that doubles each time
(a bounded number of attempts); a 5xx answer (unknown mailbox, message refused) is recorded as
``send-failed`` with the server's answer and is not tried again by later runs unless ``resend``.
A 4xx still failing after the last attempt is recorded as a temporary ``send-failed``, which the
next run tries again. Revoked, suspended, expired and unfinished credentials are never sent.

Addresses are kept in the ledger (``Ledger.addresses``), never in events: a server answer that
quotes the address is recorded with ``<recipient>`` in its place.

Reminders (``options.reminder``): the holders of credentials that expire soon get the reminder
template instead, once per credential and window, by the same rules with their own events
(``reminding``, ``reminded``, ``remind-failed``, each naming the window); only active
credentials, and none that a later credential renews.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from badgekit import _jsonl
from badgekit._io import atomic_write
from badgekit._time import TimestampError, format_utc, parse_datetime_stamp, stamp_or_none, utc_now
from badgekit.credential import as_credential_id
from badgekit.delivery._compose import Letter, baked_png, check_address, compose
from badgekit.delivery._facts import bundle_name, bundle_url, read_credential
from badgekit.delivery._messages import EmailTemplateError, template_folders
from badgekit.delivery._recipients import roster_recipients
from badgekit.delivery._smtp import DeliveryError, Lost, Refused
from badgekit.delivery._workflow import _BadgeClasses
from badgekit.errors import BadgekitError, InputError
from badgekit.ledger import Event, Issuance, Ledger

#: The ledger events of delivery, in the order a message goes through them.
DELIVERY_EVENTS = ("sending", "sent", "send-failed")
#: The same for a reminder that a credential expires soon (their detail names the window).
REMINDER_EVENTS = ("reminding", "reminded", "remind-failed")
#: Longest pause between two attempts of one message (seconds).
MAX_BACKOFF = 60.0
_SKIP_STATES = {"pending": "not-issued", "revoked": "revoked", "suspended": "suspended", "expired": "expired"}


class Mailer(Protocol):
    """What sending needs of a server connection (:class:`badgekit.delivery.SmtpMailer`)."""

    def send(self, sender: str, recipient: str, message: bytes, before_data: Callable[[], None]) -> str: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class Reminder:
    """Remind holders that their credentials expire: ``window`` as given (``P30D``; one reminder
    per credential and window), ``credential_ids`` the credentials expiring in it
    (:func:`badgekit.report.expiring_credentials`)."""

    window: str
    credential_ids: tuple[str, ...]


@dataclass(frozen=True)
class SendOptions:
    sender: str  # From: the issuer's address
    reply_to: str | None = None
    bundle_url_base: str | None = None  # https://…/badges/: links to each hosted bundle page (and LinkedIn's certUrl)
    linkedin_org_id: str | None = None
    badge_ids: tuple[str, ...] = ()  # only credentials of these badge classes (achievement ids)
    credential_ids: tuple[str, ...] = ()  # only these credentials
    since: str | None = None  # only credentials issued at or after this ledger stamp (a date is a prefix)
    roster: Path | None = None  # only credentials issued to this roster's rows (as issuing keys them)
    date_order: str | None = None  # how the roster writes numeric dates ([roster] date_format)
    resend: bool = False  # send again what was sent or refused before (deliberately)
    dry_run: Path | None = None  # write the .eml files into this folder instead of sending
    rate_per_minute: float | None = None  # at most this many messages a minute
    attempts: int = 4  # per message, for 4xx answers and lost connections
    backoff: float = 2.0  # seconds before the second attempt, doubled for each next one
    actor: str = "badgekit"
    now: datetime | None = None
    reminder: Reminder | None = None  # send the expiry reminder to these credentials' holders instead
    templates_dirs: tuple[Path, ...] = ()  # the project's templates folders: <dir>/email/ overrides e-mail templates


@dataclass(frozen=True)
class SendOutcome:
    """What became of one selected credential. ``status``: sent, would-send (dry run), skipped or
    failed; ``reason`` says why it was skipped or failed (already-sent, revoked, no-address,
    refused, temporary …). ``address`` is shown only when asked (:meth:`to_json`)."""

    credential_id: str
    status: str
    reason: str | None = None
    address: str | None = field(default=None, repr=False)
    message_id: str | None = None
    answer: str | None = None
    attempts: int = 0
    in_doubt: bool = False  # sent again after a stop or lost connection mid-message: may arrive twice
    eml: str | None = None  # the dry run's file

    def to_json(self, *, show_addresses: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"credentialId": self.credential_id, "status": self.status, "reason": self.reason,
                               "messageId": self.message_id, "answer": self.answer, "attempts": self.attempts,
                               "inDoubt": self.in_doubt}
        if self.eml:
            out["eml"] = self.eml
        if show_addresses:
            out["address"] = self.address
        return out


@dataclass(frozen=True)
class SendReport:
    outcomes: tuple[SendOutcome, ...]
    elapsed: float
    server: str | None  # host:port, or None for a dry run
    stopped: str | None = None  # why the run stopped before the end (the server could not be used)
    hint: str | None = None  # what to do about it
    roster: str | None = None  # the roster that selected the credentials (send --roster)
    unmatched: tuple[int, ...] = ()  # its lines with no credential (of the badge classes asked for)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def reasons(self, status: str) -> dict[str, int]:
        found: dict[str, int] = {}
        for o in self.outcomes:
            if o.status == status:
                found[o.reason or status] = found.get(o.reason or status, 0) + 1
        return dict(sorted(found.items()))

    @property
    def in_doubt(self) -> int:
        return sum(1 for o in self.outcomes if o.in_doubt)

    @property
    def ok(self) -> bool:
        return self.stopped is None and not self.count("failed")

    def summary(self) -> dict[str, Any]:
        return {"sent": self.count("sent"), "wouldSend": self.count("would-send"), "skipped": self.reasons("skipped"),
                "failed": self.reasons("failed"), "inDoubt": self.in_doubt}

    def to_json(self, *, show_addresses: bool = False) -> dict[str, Any]:
        out = {"server": self.server, "summary": self.summary(), "stopped": self.stopped, "hint": self.hint,
               "elapsedSeconds": round(self.elapsed, 3),
               "messages": [o.to_json(show_addresses=show_addresses) for o in self.outcomes]}
        if self.roster is not None:
            out["roster"] = {"file": self.roster, "linesWithoutCredential": list(self.unmatched)}
        return out


@dataclass(frozen=True)
class _History:
    """A credential's delivery events: how often it was sent, and the last event."""

    sent: int = 0
    last: Event | None = None

    @property
    def in_flight(self) -> bool:
        return self.last is not None and self.last.kind in ("sending", "reminding")


def delivery_history(ledger: Ledger, *, reminder: str | None = None) -> dict[str, _History]:
    """Credential id -> its delivery history, from the ledger's events (of the reminders for the
    window ``reminder``, when given)."""
    kinds = REMINDER_EVENTS if reminder else DELIVERY_EVENTS
    found: dict[str, _History] = {}
    for event in ledger.events(kinds=kinds):
        if event.credential_id is None or (reminder and _detail(event, "window") != reminder):
            continue
        before = found.get(event.credential_id, _History())
        found[event.credential_id] = _History(before.sent + (event.kind == kinds[1]), event)
    return found


def renewed_credentials(ledger: Ledger) -> set[str]:
    """The credentials that a later credential renews (``renewed`` events name them)."""
    return {str(_detail(e, "renews")) for e in ledger.events(kinds=("renewed",)) if _detail(e, "renews")}


def scrub_address(text: str, address: str) -> str:
    """A server answer as the ledger keeps it: the recipient's address replaced by ``<recipient>``."""
    return re.sub(re.escape(address), "<recipient>", text, flags=re.IGNORECASE) if address else text


def select(ledger: Ledger, options: SendOptions) -> tuple[list[Issuance], tuple[int, ...]]:
    """The credentials ``options`` select, oldest first (every filter given applies: ids, badge
    classes, ``since``, roster), and the roster lines with no credential of those badge classes
    (a row never issued, or unreadable).

    Raises:
        InputError: a credential id that is not in the ledger; a roster that cannot be read.
    """
    if options.credential_ids:
        chosen = []
        for cid in dict.fromkeys(as_credential_id(c) for c in options.credential_ids):
            issuance = ledger.get(cid)
            if issuance is None:
                raise InputError(f"{cid}: not in this project's ledger", hint="list them with: badgekit log --kind issued")
            chosen.append(issuance)
    else:
        chosen = list(ledger.issuances())
    if options.reminder is not None:
        expiring = set(options.reminder.credential_ids)
        chosen = [i for i in chosen if i.credential_id in expiring]
    chosen = [i for i in chosen if not options.badge_ids or i.badge_id in options.badge_ids]
    unmatched: tuple[int, ...] = ()
    if options.roster is not None:
        rows, unreadable = roster_recipients(options.roster, date_order=options.date_order)
        lines = {ledger.recipient_key(key): line for line, key in reversed(rows)}  # a row twice: its first line
        held = {i.recipient_key for i in chosen}
        unmatched = tuple(sorted([*unreadable, *(line for key, line in lines.items() if key not in held)]))
        chosen = [i for i in chosen if i.recipient_key in lines]
    return [i for i in chosen if not options.since or i.issued_at >= options.since], unmatched


class _Run:
    def __init__(self, ledger: Ledger, options: SendOptions, mailer: Mailer | None, project: Any,
                 sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self.ledger = ledger
        self.options = options
        self.mailer = mailer
        self.sleep = sleep
        self.clock = clock
        self.now = (options.now or utc_now()).astimezone(UTC)
        self.last_start: float | None = None
        self.classes = _BadgeClasses(project)
        self.issuer = getattr(project, "issuer", None)
        self.fonts = tuple(str(f) for f in getattr(project, "render_fonts", ())) or None
        self.search = template_folders(options.templates_dirs)
        self.window = options.reminder.window if options.reminder is not None else None
        self.kinds = REMINDER_EVENTS if self.window else DELIVERY_EVENTS  # intent, done, failed
        self.renewed = renewed_credentials(ledger) if self.window else set()

    def decide(self, issuance: Issuance, history: _History, address: tuple[str, str | None] | None) -> SendOutcome | None:
        """Why ``issuance`` is not sent now, or None to send it."""
        cid = issuance.credential_id
        to = address[0] if address else None
        state = issuance.state_at(self.now)
        if state in _SKIP_STATES:
            return SendOutcome(cid, "skipped", _SKIP_STATES[state], to)
        if cid in self.renewed:
            return SendOutcome(cid, "skipped", "renewed", to)
        last = history.last
        if not self.options.resend and last is not None:
            if last.kind == self.kinds[1]:
                return SendOutcome(cid, "skipped", "already-reminded" if self.window else "already-sent", to,
                                   _detail(last, "messageId"))
            if last.kind == self.kinds[2] and _detail(last, "permanent"):
                return SendOutcome(cid, "skipped", "refused-before", to, _detail(last, "messageId"), _detail(last, "answer"))
        if to is None:
            return SendOutcome(cid, "skipped", "no-address")
        if not issuance.output_path or not _jsonl.usable(issuance.output_path):  # a file, or a run file's line
            return SendOutcome(cid, "failed", "no-credential-file", to)
        return None

    def letter(self, issuance: Issuance, history: _History, address: str, name: str | None) -> Letter:
        credential, text = read_credential(str(issuance.output_path))
        cid = issuance.credential_id
        cert_url = bundle_url(self.options.bundle_url_base, cid)
        png = None if self.window else baked_png(
            credential, text, issuance.output_path, badge=self.classes.get(_achievement_id(credential)), issuer=self.issuer,
            recipient_name=name or "", qr_data=cert_url, fonts=self.fonts)
        # a message in flight when a run stopped keeps its Message-ID: the same message, sent again
        sequence = history.sent + (0 if history.in_flight else 1)
        return compose(credential, text, png, sender=self.options.sender, recipient=address, recipient_name=name,
                       sequence=max(sequence, 1), now=self.now, reply_to=self.options.reply_to,
                       bundle_url_base=self.options.bundle_url_base, linkedin_org_id=self.options.linkedin_org_id,
                       search=self.search, reminder=self.window, expires=stamp_or_none(issuance.valid_until))

    def pace(self) -> None:
        rate = self.options.rate_per_minute
        if rate and self.last_start is not None:
            wait = self.last_start + 60.0 / rate - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.last_start = self.clock()

    def deliver(self, letter: Letter, address: str, in_doubt: bool) -> SendOutcome:
        """Send one message, trying again on 4xx answers and lost connections.

        Raises:
            DeliveryError: the server cannot be reached or used (the run stops).
        """
        assert self.mailer is not None
        options, cid, ledger = self.options, letter.credential_id, self.ledger
        server = getattr(getattr(self.mailer, "server", None), "name", None)
        intent_kind, done_kind, failed_kind = self.kinds
        window = {"window": self.window} if self.window else {}
        attempt = 0
        while True:
            attempt += 1
            self.pace()

            def intent(attempt: int = attempt) -> None:
                ledger.record_event(cid, intent_kind, actor=options.actor,
                                    detail={"messageId": letter.message_id, "attempt": attempt, **window})

            try:
                answer = self.mailer.send(options.sender, address, letter.data, intent)
            except Refused as refused:
                said = scrub_address(refused.answer, address)
                if refused.stage == "MAIL FROM" and refused.permanent:
                    raise DeliveryError(f"the SMTP server refused the sender {options.sender}: {said}",
                                        hint="use --from with an address the server lets you send as") from None
                if refused.permanent or attempt >= options.attempts:
                    ledger.record_event(cid, failed_kind, actor=options.actor, reason=said, detail={
                        "messageId": letter.message_id, "code": refused.code, "answer": said, "stage": refused.stage,
                        "permanent": refused.permanent, "attempts": attempt, "server": server, **window})
                    return SendOutcome(cid, "failed", "refused" if refused.permanent else "temporary", address, letter.message_id,
                                       said, attempt, in_doubt)
            except Lost as lost:
                in_doubt = in_doubt or lost.during_data  # the server may have it: the next attempt may be a duplicate
                if attempt >= options.attempts:
                    where = " (the message in flight is sent again by the next run)" if lost.during_data else ""
                    raise DeliveryError(f"{scrub_address(lost.reason, address)}; stopped after {attempt} attempts{where}") from None
            else:
                ledger.record_event(cid, done_kind, actor=options.actor, detail={
                    "messageId": letter.message_id, "answer": scrub_address(answer, address), "attempts": attempt,
                    "server": server, **window})
                return SendOutcome(cid, "sent", None, address, letter.message_id, scrub_address(answer, address), attempt, in_doubt)
            self.sleep(min(options.backoff * 2 ** (attempt - 1), MAX_BACKOFF))


def _detail(event: Event, key: str) -> Any:
    return (event.detail or {}).get(key)


def _achievement_id(credential: Mapping[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return str(achievement["id"]) if isinstance(achievement, Mapping) and achievement.get("id") else None


def send_credentials(
    ledger: Ledger,
    options: SendOptions,
    *,
    mailer: Mailer | None,
    project: Any = None,
    progress: Callable[[int, int], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> SendReport:
    """E-mail each credential ``options`` select to the address the ledger keeps for it, through
    ``mailer``; with ``options.dry_run`` write each message as ``<dry_run>/<credential uuid>.eml``
    instead (nothing recorded). See the module docstring for the exactly-once rules.

    ``project`` (a :class:`badgekit.project.Project`) gives badge classes and fonts for badges
    that were not baked at issue time. A server that cannot be used (login refused, unreachable
    after the last attempt) stops the run: the report says why (``stopped``), what was sent is
    recorded.

    Raises:
        InputError: a bad sender or reply-to address; a credential id not in the ledger; a
            project's e-mail template that is broken (EmailTemplateError, before its first message).
        LedgerError: the ledger cannot be read or written.
    """
    check_address(options.sender, "--from")
    if options.reply_to:
        check_address(options.reply_to, "--reply-to")
    if options.dry_run is None and mailer is None:
        raise TypeError("send_credentials: a mailer, or options.dry_run")
    started = time.monotonic()
    run = _Run(ledger, options, mailer, project, sleep, clock)
    chosen, unmatched = select(ledger, options)
    history = delivery_history(ledger, reminder=run.window)
    addresses = ledger.addresses([i.credential_id for i in chosen])
    outcomes: list[SendOutcome] = []
    todo: list[tuple[Issuance, tuple[str, str | None]]] = []
    for issuance in chosen:
        decided = run.decide(issuance, history.get(issuance.credential_id, _History()), addresses.get(issuance.credential_id))
        if decided is not None:
            outcomes.append(decided)
        else:
            todo.append((issuance, addresses[issuance.credential_id]))
    stopped: str | None = None
    hint: str | None = None
    server = None if options.dry_run is not None else getattr(getattr(mailer, "server", None), "name", None)
    if progress:
        progress(0, len(todo))
    for done, (issuance, (address, name)) in enumerate(todo, 1):
        past = history.get(issuance.credential_id, _History())
        try:
            address = check_address(address, "address")
        except InputError:
            outcomes.append(SendOutcome(issuance.credential_id, "failed", "bad-address", address))
            continue
        try:
            letter = run.letter(issuance, past, address, name)
        except EmailTemplateError:
            raise  # no message can be written: stop before sending anything more
        except BadgekitError as exc:
            outcomes.append(SendOutcome(issuance.credential_id, "failed", "unreadable", address, answer=exc.message))
            continue
        if options.dry_run is not None:
            path = options.dry_run / f"{bundle_name(issuance.credential_id)}.eml"
            atomic_write(path, letter.data, durable=False)
            outcomes.append(SendOutcome(issuance.credential_id, "would-send", None, address, letter.message_id, eml=str(path)))
        else:
            try:
                outcomes.append(run.deliver(letter, address, past.in_flight))
            except DeliveryError as exc:
                stopped, hint = exc.message, exc.hint or None
                break
        if progress:
            progress(done, len(todo))
    roster = str(options.roster) if options.roster is not None else None
    return SendReport(tuple(outcomes), time.monotonic() - started, server, stopped, hint, roster, unmatched)


def since_stamp(text: str) -> str:
    """``--since`` as the ledger compares it: a date (``2026-01-15``) or a UTC stamp.

    Raises:
        InputError: neither.
    """
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
        except ValueError as exc:
            raise InputError(f"--since {value!r}: expected a date (2026-01-15) or a date and time ({exc})") from None
        return value
    try:
        return format_utc(parse_datetime_stamp(value, field="--since"))
    except TimestampError as exc:
        raise InputError(f"--since {value!r}: expected a date (2026-01-15) or a date and time ({exc})") from None


"""Roster values: column names and aliases, cleaning cells, e-mail addresses, dates (ISO, day/month
orders, Excel's formats, serial numbers refused) and numbers (decimal commas, thousands)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta

from badgekit.errors import InputError

MAX_ROSTER_BYTES = 512 * 1024 * 1024
#: Longest value a cell may hold (a long evidence narrative fits many times over).
MAX_FIELD_CHARS = 65_536
#: Longest physical line: a file with longer lines is not a roster (or is damaged).
MAX_LINE_CHARS = 1_048_576
#: Day/month orders for numeric dates such as ``04/03/2026`` (``--date-format``, badgekit.toml).
DATE_ORDERS = ("DMY", "MDY")
DATE_COLUMNS = ("earned", "issued", "valid_until", "activity_start_date", "activity_end_date")
#: Columns holding identifiers: invisible characters inside them are removed, and numbers Excel
#: shortened to scientific notation are refused (their digits are lost).
#: More evidence entries than the one of ``evidence_url``/``evidence_name``/``evidence_narrative``:
#: the same columns with ``_2`` … ``_9`` (a re-issued credential keeps all of its evidence).
EVIDENCE_NUMBERS = tuple(range(2, 10))
_IDENTIFIER_COLUMNS = frozenset({"email", "recipient_id", "student_id", "evidence_url", "license_number", "identity_hash",
                                 "migrated_from", *(f"evidence_url_{n}" for n in EVIDENCE_NUMBERS)})
NUMBER_COLUMNS = ("score", "credits_earned")
_SCIENTIFIC_ID_COLUMNS = ("student_id", "license_number")
#: Canonical column -> what it means. Custom OB 3.0 fields map to AchievementSubject properties.
COLUMNS: dict[str, str] = {
    "email": "recipient email address (hashed with a salt in the credential, never stored plain)",
    "recipient_id": "recipient identifier other than email: a DID or URL (used as credentialSubject.id)",
    "student_id": "institution's student id (hashed, identityType sisSourcedId)",
    "identity_hash": "recipient identity hashed before (sha256$… or md5$…, e.g. an Open Badges 2.0 assertion's): put in "
                     "the credential unchanged, with identity_salt and identity_type, instead of a new hash",
    "identity_salt": "the salt identity_hash was made with (empty: none)",
    "identity_type": "OB 3.0 identityType of identity_hash (default emailAddress)",
    "name": "recipient name (used for images and bundles; not put in the credential)",
    "given_name": "recipient's first name: with family_name, the name when there is no name column",
    "family_name": "recipient's last name: with given_name, the name when there is no name column",
    "earned": "date the badge was earned (awardedDate), e.g. 2026-01-15",
    "issued": "validity start (validFrom) when not now",
    "valid_until": "validUntil of this row's credential (e.g. the expiry of the credential it re-issues), instead of the badge class's validity",
    "score": "result value for the badge class's first resultDescription (a number; a letter such as B+ for a LetterGrade)",
    "level": "achieved rubric level (name or id of a rubricCriterionLevel)",
    "status": "result status (Completed, Failed, InProgress …; OB 3.0 ResultStatusType) when a resultDescription has resultType Status",
    "evidence_url": "URL of evidence (Evidence.id)",
    "evidence_narrative": "narrative of the evidence",
    "evidence_name": "name of the evidence",
    **{f"evidence_{part}_{n}": f"evidence entry {n}: {what}" for n in EVIDENCE_NUMBERS
       for part, what in (("url", "URL"), ("name", "name"), ("narrative", "narrative"))},
    "migrated_from": "id of the credential this one re-issues (e.g. an Open Badges 2.0 assertion): an Evidence entry",
    "supervisor": "who signed off (kept in the evidence narrative)",
    "assessor": "who assessed the work (kept in the evidence narrative; another person than the supervisor)",
    "narrative": "AchievementSubject.narrative",
    "credits_earned": "AchievementSubject.creditsEarned (number)",
    "activity_start_date": "AchievementSubject.activityStartDate",
    "activity_end_date": "AchievementSubject.activityEndDate",
    "term": "AchievementSubject.term (e.g. Fall 2026)",
    "role": "AchievementSubject.role",
    "license_number": "AchievementSubject.licenseNumber",
}

_ALIASES: dict[str, str] = {
    "e_mail": "email", "email_address": "email", "e_mail_address": "email", "mail": "email",
    "recipient_email": "email", "learner_email": "email", "student_email": "email", "emailaddress": "email",
    "did": "recipient_id", "recipient_did": "recipient_id",
    "full_name": "name", "recipient_name": "name", "learner_name": "name", "student_name": "name",
    "learner": "name", "student": "name", "recipient": "name",
    "first_name": "given_name", "firstname": "given_name", "forename": "given_name", "given_names": "given_name",
    "last_name": "family_name", "lastname": "family_name", "surname": "family_name",
    "date_earned": "earned", "earned_date": "earned", "completed": "earned", "completion_date": "earned",
    "date_completed": "earned", "completed_on": "earned", "completed_at": "earned", "awarded": "earned", "awarded_date": "earned", "date": "earned",
    "issued_date": "issued", "issue_date": "issued", "valid_from": "issued",
    "grade": "score", "result": "score", "mark": "score", "points": "score", "percent": "score", "score_percent": "score",
    "achieved_level": "level", "rubric_level": "level", "proficiency": "level", "proficiency_level": "level",
    "evidence": "evidence_url", "evidence_link": "evidence_url", "evidence_id": "evidence_url", "portfolio_url": "evidence_url",
    "evidence_description": "evidence_narrative",
    "signed_off_by": "supervisor", "approver": "supervisor", "sign_off": "supervisor",
    "credits": "credits_earned",
    "start_date": "activity_start_date", "end_date": "activity_end_date",
    "studentid": "student_id", "student_number": "student_id",
}

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


# Whitespace (\s covers no-break and narrow no-break spaces) and invisible format characters
# (zero-width space/joiners, word joiner, byte order mark, soft hyphen, direction marks) at the edges
# of a value: spreadsheets and copy-paste from web pages and mail leave them.
_EDGES = re.compile(r"^[\s\u00ad\u200b-\u200f\u2060\ufeff]+|[\s\u00ad\u200b-\u200f\u2060\ufeff]+$")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d+)?[Ee][+-]?\d+")


def normalise_header(name: str) -> str:
    """The canonical column name for a header cell (``"E-mail"`` → ``email``, aliases resolved)."""
    key = re.sub(r"[^0-9a-z]+", "_", name.strip().lower().replace("%", "percent")).strip("_")
    key = re.sub(r"_percent$", "", key) if key.endswith("_percent") and key != "score_percent" else key
    return _ALIASES.get(key, key)


def clean_value(value: str) -> str:
    """A cell without surrounding whitespace, no-break spaces or invisible characters."""
    return value.strip() if value.isascii() else _EDGES.sub("", value)


def drop_invisible(value: str) -> str:
    """``value`` without any format character (zero-width, BOM, bidi controls, soft hyphen):
    for identifiers, where they can only be copy-paste debris."""
    if value.isascii():
        return value
    return "".join(c for c in value if unicodedata.category(c) != "Cf")


def identifier_cell(value: str) -> str:
    """A cell holding an identifier (email, id, URL) as a spreadsheet exports it: trimmed, without
    invisible characters, and without the leading apostrophe that marks text (``'00123``)."""
    value = drop_invisible(clean_value(value))
    return clean_value(value[1:]) if value[:1] == "'" else value


_NAMED_ADDRESS = re.compile(r"[^<>]*<([^<>]+@[^<>]+)>")


def bare_email(value: str) -> str:
    """Trim (spaces, no-break spaces, invisible characters, and the ``;`` or ``,`` a mail client
    leaves after a copied address), take the address out of ``Name <address>``, drop ``mailto:``
    and surrounding ``<>``; case kept."""
    v = drop_invisible(value).strip().rstrip(";,").rstrip()
    m = _NAMED_ADDRESS.fullmatch(v) if "<" in v else None
    if m:
        v = m.group(1)
    v = v.strip("<>").strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    return v.strip()


def normalise_email(value: str) -> str:
    """:func:`bare_email`, lower-cased: how badgekit reads and hashes a roster's email (README)."""
    return bare_email(value).lower()


def column_letter(index: int) -> str:
    """Spreadsheet column letter for a 0-based position: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# value parsing shared by validation and credential building

_NUMERIC_DATE = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})")
_NUMERIC_DATE_START = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d")
_TIME_SUFFIX = re.compile(r"\s+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(\s*[AaPp]\.?[Mm]\.?)?$")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_EXCEL_EPOCH = datetime(1899, 12, 30, tzinfo=UTC)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug included)


def date_order(value: str) -> str:
    """``DMY`` or ``MDY`` from what a user writes: ``DMY``, ``dd/mm/yyyy``, ``day-first`` and the like.

    Raises:
        InputError: anything else.
    """
    key = re.sub(r"[^a-z]", "", value.lower())
    orders = {"dmy": "DMY", "ddmmyyyy": "DMY", "ddmmyy": "DMY", "dayfirst": "DMY",
              "mdy": "MDY", "mmddyyyy": "MDY", "mmddyy": "MDY", "monthfirst": "MDY"}
    if key not in orders:
        raise InputError(f"date format {value!r}: expected DMY (day first, 04/03/2026 = 4 March) "
                         "or MDY (month first, 04/03/2026 = April 3)")
    return orders[key]


def parse_date(value: str, order: str | None = None) -> datetime:
    """A roster date as an aware UTC datetime.

    ISO 8601 (``2026-01-15``, ``2026-01-15 00:00:00``, ``2026-01-15T10:00:00+01:00``) always;
    ``15.01.2026`` (dots: day first); ``15-Jan-2026``, ``Jan 15, 2026``; and ``dd/mm/yyyy`` or
    ``mm/dd/yyyy`` (also with ``-``) when ``order`` (``"DMY"``/``"MDY"``) says which, or when the
    date is unambiguous (a day above 12). Never guesses. A time after a date is dropped.

    Raises:
        ValueError: not a date, an ambiguous day/month, a two-digit year, an Excel date serial
            number (the reason says which).
    """
    v = value.strip()
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
        # naive: the same moment in UTC as dt.replace(tzinfo=UTC), in a third of its instructions (per row)
        return datetime.combine(dt, dt.time(), UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        pass
    # spreadsheets append a time to dates ("1/15/2026 10:30", "15.01.2026 00:00:00"): keep the date
    v = _TIME_SUFFIX.sub("", v)
    if re.fullmatch(r"\d{5}(\.\d+)?", v) and 20000 <= float(v) < 80000:
        guess = _EXCEL_EPOCH + timedelta(days=int(float(v)))
        raise ValueError(f"{v!r} looks like an Excel date serial number ({guess:%Y-%m-%d}?): format the column "
                         "as a date (YYYY-MM-DD) before exporting")
    m = _NUMERIC_DATE.fullmatch(v)
    if m:
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if len(year) == 2:
            raise ValueError(f"{v!r} has a two-digit year: use YYYY-MM-DD")
        if order == "DMY" or (order is None and (sep == "." or a > 12 >= b or a == b)):
            day, month = a, b
        elif order == "MDY" or (order is None and b > 12 >= a):
            day, month = b, a
        elif order is None and a <= 12 and b <= 12:
            raise ValueError(
                f"ambiguous date {v!r} ({a} {_MONTHS[b - 1]} or {_MONTHS[a - 1]} {b}?): "
                "write YYYY-MM-DD, or say which with --date-format DMY or MDY"
            )
        else:
            raise ValueError(f"{v!r} is not a date (use YYYY-MM-DD)")
        try:
            return datetime(int(year), month, day, tzinfo=UTC)
        except ValueError:
            raise ValueError(f"{v!r} is not a date{f' in {order} order' if order else ''} (use YYYY-MM-DD)") from None
    # Excel's other defaults: 15-Jan-2026, 15 Jan 2026, Jan 15, 2026, January 15, 2026
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%d %B %Y",
                "%d-%b-%y", "%d %b %y", "%d-%B-%Y"):
        try:
            return datetime.strptime(v, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ValueError(f"{v!r} is not a date (use YYYY-MM-DD)")


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
# One separator then three digits: a thousands separator (1,234 = 1234 in English, 1.234 in German)
# or a decimal mark (1,234 = 1.234 in German, 1.234 in English). Neither is guessed.
_GROUPED_OR_DECIMAL = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}")
#: spaces, (narrow) no-break spaces and Swiss apostrophes group thousands
_GROUPING = re.compile(r"[\s']")


def parse_number(value: str) -> float:
    """``85``, ``85.5``, ``85,5`` (decimal comma), ``85 %``, ``1,234.5``, ``1.234,5``, ``1 234,5``
    → float. Not ``nan``, ``inf`` or scientific notation, nor ``1,234`` / ``1.234`` (1234, or a
    decimal mark?). Raises ValueError with the reason."""
    v = value.strip()
    v = v[:-1] if v.endswith("%") else v
    v = _GROUPING.sub("", v)
    ambiguous = _GROUPED_OR_DECIMAL.fullmatch(v)
    if ambiguous:
        whole, part = v.split(ambiguous.group(1))
        raise ValueError(f"{value.strip()!r} is ambiguous ({whole}{part} or {whole}.{part}?): "
                         f"write {whole}{part}, or {whole}.{part}0 for the decimal")
    if "," in v and "." in v:  # the later one is the decimal mark
        v = v.replace(".", "").replace(",", ".") if v.rfind(",") > v.rfind(".") else v.replace(",", "")
    elif v.count(",") == 1:
        v = v.replace(",", ".")
    if not _NUMBER.fullmatch(v):
        if _SCIENTIFIC.fullmatch(v):
            raise ValueError(f"{value.strip()!r} is in scientific notation (Excel shortens numbers so): "
                             "format the column as Number and export again")
        raise ValueError(f"{value!r} is not a number")
    return float(v)


#: OB 3.0 ResultStatusType: the only values ``Result.status`` may take (the schema's enum).
RESULT_STATUSES = ("Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew")
_RESULT_STATUS_KEYS = {s.lower(): s for s in RESULT_STATUSES}


def result_status(value: str) -> str | None:
    """A roster's ``status`` as OB 3.0 spells it (``completed`` → ``Completed``, ``in progress`` →
    ``InProgress``, ``on-hold`` → ``OnHold``), or None when it is not a ResultStatusType."""
    return _RESULT_STATUS_KEYS.get(re.sub(r"[\s_-]+", "", value).lower())


def is_email(value: str) -> bool:
    """True when ``value`` is a plausible e-mail address (at most 254 characters)."""
    return len(value) <= 254 and bool(_EMAIL.match(value))


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def is_url(value: str) -> bool:
    """True when ``value`` is an ``http://`` or ``https://`` URL without spaces."""
    return bool(_URL.match(value))

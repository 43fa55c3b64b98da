"""Recipient bundles: everything an earner needs, in one folder per credential.

A bundle (``<out>/<credential uuid>/``) holds:

* ``credential.json`` (or ``credential.jwt``): the signed credential, byte for byte as issued;
* ``badge.png`` and ``badge.svg``: the badge image with that credential baked in;
* ``qr.svg`` and ``qr.png``: a QR code of the credential's public URL (or, without one, its id);
* ``index.html``: a one-file page (inline CSS, image as a ``data:`` URI, no script) that shows the
  badge, what it certifies, its dates and how to verify it; it loads nothing from the network
  (a Content-Security-Policy says so to the browser) and works straight from the file system;
* ``email.txt`` and ``email.html``: a message for the issuer's own mail tool (badgekit sends no
  mail), with a LinkedIn "add to profile" link.

The recipient's email address is never written: the credential carries it only as a salted hash.
The roster name may be shown on the page and in the email. The page and the email bodies come from
the templates in ``badgekit/data/html/``, which HTML-escape every credential and roster string;
nothing from the credential becomes markup, a script, a style or a resource URL.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from badgekit._io import atomic_write
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.errors import BadgekitError, InputError

LINKEDIN_ADD_URL = "https://www.linkedin.com/profile/add"
#: Named in the page and the email as an independent verifier (1EdTech Digital Credentials Public Validator).
VALIDATOR_URL = "https://vc.1ed.tech/"
VALIDATOR_NAME = "the 1EdTech validator"

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_BULLET = re.compile(r"^[-*]\s+")


@dataclass(frozen=True)
class EmailBody:
    """A ready-to-send message: paste ``text`` or ``html`` into a mail tool, attach the badge."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Bundle:
    """One written bundle folder."""

    path: Path
    credential_id: str
    files: tuple[str, ...]
    linkedin_url: str
    cert_url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "credentialId": self.credential_id,
            "path": str(self.path),
            "files": list(self.files),
            "linkedinUrl": self.linkedin_url,
            "certUrl": self.cert_url,
        }


@dataclass(frozen=True)
class Facts:
    """What a person reads about a credential, taken from it (plain strings, not yet escaped)."""

    credential_id: str
    badge_name: str
    achievement_type: str
    description: str
    criteria: str
    criteria_url: str | None
    issuer_name: str
    issuer_id: str
    issuer_url: str | None
    issuer_email: str | None
    valid_from: datetime | None
    valid_until: datetime | None
    awarded: datetime | None
    results: tuple[tuple[str, str], ...]  # (what, value)
    alignments: tuple[tuple[str, str | None], ...]  # (name, https URL)
    evidence: tuple[tuple[str, str | None], ...]  # (label, https URL)
    status_url: str | None
    status_purpose: str | None


# ---------------------------------------------------------------------------------------------
# reading a credential


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _https(value: Any) -> str | None:
    """``value`` when it is an absolute https URL (the only links a bundle page may carry)."""
    text = _str(value)
    return text if re.fullmatch(r"https://[^\s<>\"'`]+", text) else None


def _when(value: Any) -> datetime | None:
    try:
        return parse_datetime_stamp(value, field="date")
    except TimestampError:
        return None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def credential_facts(credential: Mapping[str, Any]) -> Facts:
    """The human-readable facts of an OB 3.0 credential (missing members become empty strings).

    Raises:
        InputError: the credential has no ``id`` or no ``credentialSubject.achievement``.
    """
    cid = _str(credential.get("id"))
    if not cid:
        raise InputError("credential: the credential has no id")
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if not isinstance(subject, Mapping) or not isinstance(subject.get("achievement"), Mapping):
        raise InputError(f"{cid}: credentialSubject.achievement is missing")
    achievement: Mapping[str, Any] = subject["achievement"]
    issuer = credential.get("issuer")
    issuer_map: Mapping[str, Any] = issuer if isinstance(issuer, Mapping) else {"id": issuer}
    raw_criteria = achievement.get("criteria")
    criteria: Mapping[str, Any] = raw_criteria if isinstance(raw_criteria, Mapping) else {}
    descriptions = {
        d.get("id"): d for d in _list(achievement.get("resultDescription")) if isinstance(d, Mapping) and d.get("id")
    }
    results: list[tuple[str, str]] = []
    for result in _list(subject.get("result")):
        if not isinstance(result, Mapping):
            continue
        rd = descriptions.get(result.get("resultDescription"), {})
        what = _str(rd.get("name")) or "Result"
        if result.get("achievedLevel"):
            levels = {lv.get("id"): lv for lv in _list(rd.get("rubricCriterionLevel")) if isinstance(lv, Mapping)}
            level = levels.get(result["achievedLevel"], {})
            value = _str(level.get("name")) or _str(result["achievedLevel"])
        elif result.get("value") is not None:
            value = _str(str(result["value"]))
            if rd.get("resultType") == "Percent":
                value += " %"
        else:
            value = _str(result.get("status"))
        if value:
            results.append((what, value))
    alignments = tuple(
        (_str(a.get("targetName")) + (f" ({_str(a.get('targetCode'))})" if a.get("targetCode") else ""), _https(a.get("targetUrl")))
        for a in _list(achievement.get("alignment"))
        if isinstance(a, Mapping) and _str(a.get("targetName"))
    )
    evidence = tuple(
        (_str(e.get("name")) or _str(e.get("narrative"))[:120] or "Evidence", _https(e.get("id")))
        for e in _list(credential.get("evidence"))
        if isinstance(e, Mapping)
    )
    status = credential.get("credentialStatus")
    status = status[0] if isinstance(status, list) and status else status
    status_map: Mapping[str, Any] = status if isinstance(status, Mapping) else {}
    return Facts(
        credential_id=cid,
        badge_name=_str(achievement.get("name")) or _str(credential.get("name")) or "Open Badge",
        achievement_type=_str(achievement.get("achievementType")).removeprefix("ext:"),
        description=_str(achievement.get("description")),
        criteria=_str(criteria.get("narrative")),
        criteria_url=_https(criteria.get("id")),
        issuer_name=_str(issuer_map.get("name")) or _str(issuer_map.get("id")),
        issuer_id=_str(issuer_map.get("id")),
        issuer_url=_https(issuer_map.get("url")),
        issuer_email=_str(issuer_map.get("email")) or None,
        valid_from=_when(credential.get("validFrom") or credential.get("issuanceDate")),
        valid_until=_when(credential.get("validUntil") or credential.get("expirationDate")),
        awarded=_when(credential.get("awardedDate")),
        results=tuple(results),
        alignments=alignments,
        evidence=evidence,
        status_url=_str(status_map.get("statusListCredential") or status_map.get("id")) or None,
        status_purpose=_str(status_map.get("statusPurpose")) or None,
    )


def long_date(value: date | datetime | None) -> str:
    """``15 January 2026``: unambiguous in every locale."""
    if value is None:
        return ""
    return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"


def bundle_name(credential_id: str) -> str:
    """The bundle folder name for a credential id: the UUID of a ``urn:uuid:``, else a safe slug."""
    m = re.fullmatch(r"urn:uuid:([0-9a-fA-F-]{36})", credential_id.strip())
    if m:
        return m.group(1).lower()
    slug = _SAFE_NAME.sub("-", credential_id).strip("-.")[:60]
    return f"{slug or 'credential'}-{hashlib.sha256(credential_id.encode('utf-8')).hexdigest()[:10]}"


# ---------------------------------------------------------------------------------------------
# LinkedIn and email


def linkedin_add_to_profile_url(
    *,
    name: str,
    organization_name: str,
    issued: date | datetime | None = None,
    expires: date | datetime | None = None,
    cert_url: str | None = None,
    cert_id: str | None = None,
    organization_id: str | None = None,
) -> str:
    """LinkedIn's "Add licence or certification" link, with every field filled in and URL-encoded.

    ``organization_id`` (the issuer's LinkedIn company id) makes LinkedIn show the company logo;
    without it LinkedIn shows ``organization_name`` as text.
    """
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", name)]
    if organization_id:
        params.append(("organizationId", organization_id))
    params.append(("organizationName", organization_name))
    if issued is not None:
        params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if expires is not None:
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    if cert_url:
        params.append(("certUrl", cert_url))
    if cert_id:
        params.append(("certId", cert_id))
    return LINKEDIN_ADD_URL + "?" + urlencode(params, quote_via=quote, safe="")


def linkedin_url_for(facts: Facts, *, cert_url: str | None = None, organization_id: str | None = None) -> str:
    return linkedin_add_to_profile_url(
        name=facts.badge_name,
        organization_name=facts.issuer_name,
        issued=facts.valid_from,
        expires=facts.valid_until,
        cert_url=cert_url,
        cert_id=facts.credential_id,
        organization_id=organization_id,
    )


def _dates_sentence(facts: Facts) -> str:
    parts = []
    if facts.valid_from:
        parts.append(f"issued {long_date(facts.valid_from)}")
    parts.append(f"valid until {long_date(facts.valid_until)}" if facts.valid_until else "does not expire")
    return ", ".join(parts)


def email_bodies(
    facts: Facts,
    *,
    recipient_name: str | None,
    linkedin_url: str,
    cert_url: str | None = None,
    credential_file: str = "credential.json",
) -> EmailBody:
    """The message announcing a badge to its earner, as plain text and as simple HTML.

    Attach ``badge.png`` (and the credential file) from the bundle; the text says so.
    """
    from badgekit import _html

    name = (recipient_name or "").strip()
    subject = f"Your badge from {facts.issuer_name}: {facts.badge_name}"
    values = dict(
        facts=facts, name=name, subject=subject, what=facts.description or facts.criteria, dates=_dates_sentence(facts),
        credential_file=credential_file, cert_url=cert_url, linkedin_url=linkedin_url,
        validator_name=VALIDATOR_NAME, validator_url=VALIDATOR_URL,
    )
    return EmailBody(subject, _html.render("email.txt", **values), _html.render("email.html", **values))


# ---------------------------------------------------------------------------------------------
# the page


def _prose(text: str) -> list[tuple[bool, list[str]]]:
    """A Markdown narrative as blocks: (True, bullet items) for a ``-``/``*`` list, else
    (False, lines of a paragraph); everything else stays text."""
    blocks: list[tuple[bool, list[str]]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if lines and all(re.match(r"[-*]\s+", ln) for ln in lines):
            blocks.append((True, [_BULLET.sub("", ln) for ln in lines]))
        elif lines:
            blocks.append((False, lines))
    return blocks


def index_html(
    facts: Facts,
    *,
    badge_image: bytes,
    badge_image_type: str,
    qr_markup: str,
    linkedin_url: str,
    recipient_name: str | None = None,
    cert_url: str | None = None,
    files: Sequence[str] = (),
    credential_file: str = "credential.json",
    accent: str | None = None,
) -> str:
    """The bundle's ``index.html``: one self-contained, script-free page.

    ``qr_markup`` must be trusted SVG (from :func:`badgekit.baking.render.qr_svg`); the template
    (``bundle_index.html``) escapes every other value.
    """
    from badgekit import _html
    from badgekit.baking.render import DEFAULT_COLOUR, parse_colour

    return _html.render(
        "bundle_index.html",
        facts=facts,
        name=(recipient_name or "").strip(),
        kind=facts.achievement_type or "Badge",
        accent=parse_colour(accent) if accent else DEFAULT_COLOUR,
        image_type=badge_image_type,
        image_base64=_html.markup(base64.b64encode(badge_image).decode("ascii")),  # A-Z a-z 0-9 + / = only
        description=_prose(facts.description),
        criteria=_prose(facts.criteria),
        issued=long_date(facts.valid_from),
        until=long_date(facts.valid_until) if facts.valid_until else "",
        earned=long_date(facts.awarded) if facts.awarded else "",
        linkedin_url=linkedin_url,
        cert_url=cert_url,
        cert_link=_https(cert_url),
        credential_file=credential_file,
        files=list(files),
        qr_markup=_html.markup(qr_markup),
        validator_name=VALIDATOR_NAME,
        validator_url=VALIDATOR_URL,
    )


def qr_png(data: str, *, scale: int = 8, quiet: int = 2) -> bytes:
    """A QR code as a small greyscale PNG (``scale`` pixels per module), without a renderer.

    Raises:
        LimitExceeded: ``data`` is longer than a verification URL or id should be.
    """
    import struct
    import zlib

    from badgekit.baking.render import check_qr_data, qr_matrix

    check_qr_data(data)
    matrix = qr_matrix(data)
    span = len(matrix) + 2 * quiet
    side = span * scale
    blank = b"\xff" * side
    rows = []
    for r in range(span):
        cells = matrix[r - quiet] if quiet <= r < span - quiet else ()
        line = bytearray(blank)
        for c, dark in enumerate(cells):
            if dark:
                start = (c + quiet) * scale
                line[start:start + scale] = b"\x16" * scale  # the same near-black as the SVG
        rows.extend([b"\x00" + bytes(line)] * scale)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")


def qr_document(data: str, *, size: int = 264) -> tuple[str, str]:
    """A QR code as (inline SVG markup for a page, standalone SVG document)."""
    from badgekit.baking.render import qr_svg

    group = qr_svg(data, x=0, y=0, size=size)
    inline = f'<svg viewBox="0 0 {size} {size}" role="img" aria-label="QR code">{group}</svg>'
    document = f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">{group}</svg>\n'
    return inline, document


def render_badge_image(
    facts: Facts,
    *,
    badge: Any = None,
    issuer: Mapping[str, Any] | None = None,
    recipient_name: str = "",
    qr_data: str | None = None,
) -> str:
    """The unbaked badge image (SVG) for a bundle: the badge class's own template and colour when
    ``badge`` (a :class:`badgekit.badgeclass.BadgeClass`) is given, else the default template
    filled from the credential. The QR code holds ``qr_data`` (the badge page URL or the id).

    Raises:
        InputError: the badge class's template or colour is unusable.
    """
    from badgekit.baking import render

    spec: dict[str, Any]
    if badge is not None:
        from badgekit.issuing import badge_images

        profile = dict(issuer or {"name": facts.issuer_name})
        start = facts.valid_from or datetime(2000, 1, 1)
        spec = dict(badge_images(badge, profile, (), valid_from=start, valid_until=facts.valid_until, per_recipient=True)["recipient"])
    else:
        spec = {"template": "default", "badge_name": facts.badge_name, "issuer_name": facts.issuer_name,
                "level_label": facts.achievement_type}
    spec.update(
        recipient_name=recipient_name,
        qr_data=qr_data or facts.credential_id,
        valid_from=facts.valid_from.date() if facts.valid_from else None,
        valid_until=facts.valid_until.date() if facts.valid_until else None,
    )
    return render.render_badge(**spec)


# ---------------------------------------------------------------------------------------------
# writing a bundle


def write_bundle(
    credential: Mapping[str, Any],
    credential_text: str,
    out_dir: str | Path,
    *,
    badge_image_svg: str | bytes,
    badge_image_png: bytes | None = None,
    recipient_name: str | None = None,
    cert_url: str | None = None,
    organization_id: str | None = None,
    accent: str | None = None,
    fonts: Sequence[str | Path] | None = None,
) -> Bundle:
    """Write the bundle of one credential into ``out_dir/<credential uuid>/`` (files replaced atomically).

    ``credential_text`` is the credential exactly as signed (JSON text, or a compact JWS for a
    VC-JWT) and ``credential`` its parsed form. ``badge_image_svg`` is the unbaked badge image;
    ``badge_image_png`` its rasterised form (rendered from the SVG when not given). ``cert_url``
    is where the issuer hosts this bundle (used for the QR code and LinkedIn); without it the QR
    code holds the credential id. ``fonts``: see :func:`badgekit.baking.render.fonts_for`.

    Raises:
        InputError: the credential lacks an id or achievement, or ``cert_url`` is not https.
        BakingError: an image cannot be baked.
    """
    from badgekit import baking
    from badgekit.baking import render

    facts = credential_facts(credential)
    if cert_url is not None and _https(cert_url) is None:
        raise InputError(f"{facts.credential_id}: the badge page URL {cert_url!r} is not an https URL")
    jwt = baking.is_jwt(credential_text)
    credential_file = "credential.jwt" if jwt else "credential.json"
    svg_bytes = badge_image_svg.encode("utf-8") if isinstance(badge_image_svg, str) else badge_image_svg
    png_bytes = badge_image_png if badge_image_png is not None else render.render_png(svg_bytes.decode("utf-8"), width=400, fonts=fonts)
    folder = Path(out_dir) / bundle_name(facts.credential_id)
    source = f"{facts.credential_id}"
    qr_inline, qr_doc = qr_document(cert_url or facts.credential_id)
    linkedin = linkedin_url_for(facts, cert_url=cert_url, organization_id=organization_id)
    mail = email_bodies(facts, recipient_name=recipient_name, linkedin_url=linkedin, cert_url=cert_url,
                        credential_file=credential_file)
    files = [credential_file, "badge.png", "badge.svg", "qr.png", "qr.svg", "email.txt", "email.html"]
    _write(folder / credential_file, credential_text)
    _write(folder / "badge.png", baking.bake(png_bytes, credential_text, source=source))
    _write(folder / "badge.svg", baking.bake(svg_bytes, credential_text, source=source))
    _write(folder / "qr.svg", qr_doc)
    _write(folder / "qr.png", qr_png(cert_url or facts.credential_id))
    _write(folder / "email.txt", f"Subject: {mail.subject}\n\n{mail.text}")
    _write(folder / "email.html", mail.html)
    page = index_html(
        facts, badge_image=png_bytes, badge_image_type="image/png", qr_markup=qr_inline, linkedin_url=linkedin,
        recipient_name=recipient_name, cert_url=cert_url, files=files, credential_file=credential_file,
        accent=accent,
    )
    _write(folder / "index.html", page)
    return Bundle(folder, facts.credential_id, ("index.html", *files), linkedin, cert_url)


#: One bundle to write: (source, credential, exact text, recipient name or None, badge class or None,
#: issuer profile or None, URL base or None, LinkedIn organisation id or None).
#: (source, credential, exact text, recipient name, badge class, issuer, bundle URL base, LinkedIn
#: organisation id, ledger (file or URL) or None, actor, fonts or None)
BundleJob = tuple[str, Mapping[str, Any], str, str | None, Any, Mapping[str, Any] | None, str | None, str | None,
                  Path | str | None, str, tuple[str, ...] | None]
#: Bundles below which no worker pool is started: a pool takes ~0.2 s to start (badgekit._parallel),
#: so two processes win only on more than ~0.4 s of work (~45 ms a bundle).
PARALLEL_MIN_BUNDLES = 8


def write_bundles(jobs: Sequence[BundleJob], out_dir: Path, *, workers: int = 1) -> list[tuple[str, Bundle | None, str | None]]:
    """Write a bundle per job into ``out_dir`` (in ``workers`` processes when there are enough):
    (source, bundle, None) or (source, None, problem) per job, in order. A credential that cannot
    be bundled, or a file that cannot be written (full disk, read-only folder), is a problem
    naming the source; the others are still written."""
    from badgekit import _parallel

    with _parallel.imap(_bundle_job, jobs, workers=workers, initializer=_init_bundle_worker, initargs=(out_dir,),
                        preload=(__name__,), min_items=PARALLEL_MIN_BUNDLES) as results:
        return list(results)


_WORKER_OUT: dict[str, Path] = {}


def record_exported(ledger: Path | str, actor: str, exported: Iterable[tuple[str, Path]]) -> None:
    """An ``exported`` event per (credential id, bundle folder) in the ledger (a file or a
    ``postgresql://`` URL), unless it has one.

    Idempotent (:meth:`badgekit.ledger.Ledger.record_exported`), so writing a bundle again, or
    making up for a run killed between writing a bundle and recording it, keeps one event per
    bundle. Folders are recorded as absolute paths, whatever the working directory.
    """
    from badgekit.ledger import Ledger

    with Ledger.open(ledger) as opened:
        for credential_id, folder in exported:
            opened.record_exported(credential_id, os.path.abspath(folder), actor=actor)


def _init_bundle_worker(out_dir: Path) -> None:
    _WORKER_OUT["dir"] = out_dir


def _bundle_job(job: BundleJob) -> tuple[str, Bundle | None, str | None]:
    """One bundle (in a worker process when there are enough). With a ledger, the bundle's
    ``exported`` event is recorded as soon as the bundle is written, so a run killed half-way
    leaves the bundles it wrote recorded (all but at most the ones in flight, which the next run
    makes up for: see :func:`record_exported`)."""
    source, credential, text, name, badge, issuer, url_base, linkedin_org_id, ledger, actor, fonts = job
    try:
        facts = credential_facts(credential)
        cert_url = bundle_url(url_base, facts.credential_id)
        image = render_badge_image(
            facts, badge=badge, issuer=issuer, recipient_name=name or "", qr_data=cert_url or facts.credential_id,
        )
        accent = getattr(getattr(badge, "policy", None), "colour", None)
        bundle = write_bundle(
            credential, text, _WORKER_OUT["dir"], badge_image_svg=image, recipient_name=name, cert_url=cert_url,
            organization_id=linkedin_org_id, accent=accent, fonts=fonts,
        )
        if ledger is not None:
            record_exported(ledger, actor, [(bundle.credential_id, bundle.path)])
        return source, bundle, None
    except BadgekitError as exc:
        return source, None, exc.message if exc.message.startswith(source) else f"{source}: {exc.message}"
    except OSError as exc:
        return source, None, f"{source}: cannot write the bundle ({exc.strerror or exc})"


def read_credential(path: str | Path) -> tuple[dict[str, Any], str]:
    """A credential file as (parsed credential, exact text): JSON, a VC-JWT (``.jwt``), or a baked
    PNG/SVG badge (the text baked into it).

    Raises:
        InputError: unreadable, not UTF-8, malformed, or not a JSON object / compact JWS.
        BakingError: an image without a usable credential.
    """
    from badgekit import _envelope
    from badgekit._io import read_bounded

    p = Path(path)
    found = _envelope.read(read_bounded(p), source=str(p))
    return found.credential, found.text


def is_badge_credential(credential: Mapping[str, Any]) -> bool:
    """True for an OB 3.0 achievement credential (what a bundle can show)."""
    types = _list(credential.get("type"))
    return any(t in ("OpenBadgeCredential", "AchievementCredential") for t in types)


def roster_names(roster_path: str | Path) -> tuple[dict[int, str], list[tuple[dict[str, str], str]]]:
    """Names from a roster: by line number, and (row values, name) pairs for matching recipients.

    Raises:
        InputError: the roster cannot be read.
    """
    from badgekit import roster

    by_line: dict[int, str] = {}
    rows: list[tuple[dict[str, str], str]] = []
    for item in roster.Roster.open(roster_path).rows():
        if isinstance(item, roster.Row):
            name = (item.get("name") or "").strip()
            if name:
                by_line[item.line] = name
                rows.append((dict(item.values), name))
    return by_line, rows


def match_recipient(credential: Mapping[str, Any], rows: Sequence[tuple[Mapping[str, str], str]]) -> str | None:
    """The name of the roster row whose email or student id hashes to the credential's identifier.

    Recomputes each ``IdentityObject`` hash with its salt (the OB 3.0 rule; emails trimmed and
    lower-cased as badgekit hashes them), so it works for credentials not in this ledger too.
    """
    from badgekit import _identity, roster

    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    identifiers = [i for i in _list(subject.get("identifier") if isinstance(subject, Mapping) else None) if isinstance(i, Mapping)]
    for ident in identifiers:
        column = {"emailAddress": "email", "sisSourcedId": "student_id", "studentId": "student_id"}.get(_str(ident.get("identityType")))
        if column is None:
            continue
        for values, name in rows:
            value = values.get(column) or ""
            if column == "email":
                value = roster.normalise_email(value)
            if value and _identity.matches(ident, [value]):
                return name
    return None


def _write(path: Path, data: str | bytes) -> None:
    # A bundle is derived from the credential and can be written again: atomic, but not fsynced
    # (eight fsyncs per recipient would make bundling disk-bound).
    atomic_write(path, data, durable=False)


def bundle_url(base: str | None, credential_id: str) -> str | None:
    """Where a bundle is hosted when the issuer publishes bundles under ``base`` (``…/<uuid>/``)."""
    if not base:
        return None
    return base.rstrip("/") + "/" + quote(bundle_name(credential_id)) + "/"


__all__ = [
    "Bundle",
    "EmailBody",
    "Facts",
    "bundle_name",
    "bundle_url",
    "credential_facts",
    "email_bodies",
    "index_html",
    "linkedin_add_to_profile_url",
    "linkedin_url_for",
    "long_date",
    "qr_document",
    "write_bundle",
]

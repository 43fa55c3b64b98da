"""Writing one bundle folder: credential, baked badges, QR code, page and e-mail bodies."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from badgekit import _envelope, baking
from badgekit._io import atomic_write
from badgekit.baking import render
from badgekit.baking.qr import qr_document, qr_png
from badgekit.delivery._facts import _https, bundle_name, credential_facts
from badgekit.delivery._messages import email_bodies, linkedin_url_for
from badgekit.delivery._page import index_html
from badgekit.errors import InputError


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
    facts = credential_facts(credential)
    if cert_url is not None and _https(cert_url) is None:
        raise InputError(f"{facts.credential_id}: the badge page URL {cert_url!r} is not an https URL")
    credential_file = f"credential.{_envelope.payload_kind(credential_text) or 'json'}"  # .json, .jwt or .sd-jwt
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


def _write(path: Path, data: str | bytes) -> None:
    # A bundle is derived from the credential and can be written again: atomic, but not fsynced
    # (eight fsyncs per recipient would make bundling disk-bound).
    atomic_write(path, data, durable=False)

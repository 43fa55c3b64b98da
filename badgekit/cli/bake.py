"""``badgekit bake``, ``badgekit extract`` and ``badgekit render``: badge images."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from badgekit import baking
from badgekit._io import atomic_write, loads_json, read_bounded
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, old_spellings, out_option
from badgekit.errors import BadgekitError, ExitCode, InputError

#: Credential files picked up when CREDENTIAL is a folder.
CREDENTIAL_SUFFIXES = (".json", ".jwt", ".sd-jwt")


def _credential_text(path: Path) -> str:
    data = read_bounded(path)
    try:
        # A BOM is an editor artefact, not part of the signed JSON.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start})") from None


def _bake_one(credential: Path, image: bytes, image_name: str, out: Path) -> None:
    payload = _credential_text(credential)
    baked = baking.bake(image, payload, source=f"{credential} into {image_name}")
    atomic_write(out, baked)


@old_spellings(credential=("--credential", "-c"), image=("--image", "-i"))
def bake(
    credential: Annotated[
        Path,
        typer.Argument(metavar="CREDENTIAL", help="Signed credential (JSON, or a compact JWS in a .jwt file), or a folder of them."),
    ],
    image: Annotated[Path, typer.Argument(metavar="IMAGE", help="Badge image to bake into: PNG or SVG.")],
    out: Annotated[Path, out_option("Baked image to write; a folder when CREDENTIAL is a folder.")],
    json_out: JsonOpt = False,
) -> None:
    """Bake credentials into a badge image so the image carries its own proof.

    The credential is stored exactly as it is in the file (never re-serialised), so its proof
    still verifies after extraction. A credential already in the image is replaced.

    Examples: badgekit bake signed.json badge.png -o baked.png;
    badgekit bake issued/ badge.svg -o baked/
    """
    image_bytes = read_bounded(image)
    kind = baking.detect(image_bytes)
    if kind is None:
        raise InputError(f"{image}: not a PNG or SVG image")
    if not credential.is_dir():
        _bake_one(credential, image_bytes, str(image), out)
        if json_out:
            _output.emit_json([{"credential": str(credential), "out": str(out), "ok": True}])
        else:
            _output.info(f"baked {credential} into {out}", "green")
        return

    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out must be a folder when CREDENTIAL is a folder")
    files = sorted(p for p in credential.iterdir() if p.is_file() and p.suffix.lower() in CREDENTIAL_SUFFIXES)
    if not files:
        raise InputError(f"{credential}: no .json, .jwt or .sd-jwt credentials in this folder")
    results: list[dict[str, Any]] = []
    for f in files:
        target = out / f"{f.stem}.{kind}"
        try:
            _bake_one(f, image_bytes, str(image), target)
        except BadgekitError as exc:
            results.append({"credential": str(f), "out": None, "ok": False, "error": exc.message})
            _output.warn(exc.message)
            continue
        results.append({"credential": str(f), "out": str(target), "ok": True})
    failed = sum(not r["ok"] for r in results)
    if json_out:
        _output.emit_json(results)
    else:
        _output.info(f"baked {len(results) - failed} of {len(results)} credentials into {out}", "red" if failed else "green")
    if failed:
        raise typer.Exit(int(ExitCode.FAILED))


def extract(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Baked badge image (PNG or SVG).")],
    out: Annotated[Path | None, out_option("Write the credential here, exactly as stored.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the credential baked into a PNG or SVG badge.

    Refuses images with two credentials, bad CRCs, compressed credential chunks, or XML
    entity declarations. Example: badgekit extract baked.png --out credential.json
    """
    found = baking.extract(read_bounded(file), source=str(file))
    fmt = "jwt" if found.is_jwt else "json"
    if out is not None:
        atomic_write(out, found.payload)
    if json_out:
        value: Any = found.payload.strip() if found.is_jwt else loads_json(found.payload, source=f"{file} (credential)")
        _output.emit_json(
            {"file": str(file), "container": found.container, "format": fmt, "legacy": found.legacy, "credential": value}
        )
        return
    legacy = " (Open Badges 2.0)" if found.legacy else ""
    _output.info(f"{file}: {fmt.upper()} credential baked in {found.container.upper()}{legacy}")
    if out is not None:
        _output.info(f"wrote {out}", "green")
    else:
        sys.stdout.write(found.payload.strip() + "\n")
        sys.stdout.flush()


def _date(value: str | None, option: str) -> date | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return date(int(text), 1, 1)
        if len(text) == 10:
            return date.fromisoformat(text)
        return parse_datetime_stamp(text, field=option).date()  # the day as written, in its own offset
    except (ValueError, TimestampError):
        raise InputError(f"{option} {value!r}: expected a date like 2026-01-31 (or a year)") from None


@old_spellings(badge_name=("--badge", "-b"), issuer_name=("--issuer",), recipient_name=("--recipient",))
def render(
    badge_name: Annotated[str, typer.Option("--badge-name", help="Badge name, e.g. 'Introduction to Data Science'.")],
    out: Annotated[Path, out_option("Image to write: .svg or .png.")],
    issuer_name: Annotated[str, typer.Option("--issuer-name", help="Issuer name.")] = "",
    colour: Annotated[str | None, typer.Option("--colour", "--color", help="Level colour: #rrggbb or a name (gold, silver, bronze, blue, teal…).")] = None,
    level: Annotated[str, typer.Option("--level", help="Level label, e.g. Foundation, Professional, Mastery.")] = "",
    family: Annotated[str, typer.Option("--family", help="Family label, e.g. Course, Certification.")] = "",
    recipient_name: Annotated[str, typer.Option("--recipient-name", help="Recipient name, drawn under the badge name (own templates: {{recipient_name}}).")] = "",
    valid_from: Annotated[str | None, typer.Option("--valid-from", help="Start of validity (YYYY-MM-DD or year).")] = None,
    valid_until: Annotated[str | None, typer.Option("--valid-until", help="End of validity (YYYY-MM-DD or year).")] = None,
    qr: Annotated[str | None, typer.Option("--qr", help="Text of the QR code: the credential's verification URL or id.")] = None,
    template: Annotated[str, typer.Option("--template", "-t", help="Bundled template name (default, certification) or an SVG file.")] = "default",
    width: Annotated[int, typer.Option("--width", help="PNG width in pixels.")] = 600,
    font: Annotated[
        list[Path] | None,
        typer.Option("--font", help="PNG: font file (TTF, OTF, TTC) for characters the bundled DejaVu Sans lacks, e.g. Chinese names, instead of the installed fonts; repeatable."),
    ] = None,
    json_out: JsonOpt = False,
) -> None:
    """Render a badge image from a template, as SVG or PNG.

    A PNG draws characters the bundled font lacks with --font or an installed font; a character
    no font covers is refused, naming its script.

    Example: badgekit render --badge-name 'Cloud Architect' --issuer-name 'Example University'
    --level Mastery --family Certification --colour gold --valid-from 2026 --valid-until 2028
    --qr https://example.edu/c/42 --template certification --out badge.png
    """
    # start-up: resvg and the fonts only for badgekit render, not bake or extract
    from badgekit.baking import render as rendering

    suffix = out.suffix.lower()
    if suffix not in (".svg", ".png"):
        raise InputError(f"{out}: --out must end in .svg or .png")
    fonts = list(font) if font else None
    if suffix == ".png":  # refuse before rendering, naming the field that cannot be drawn
        fields = (("badge name", badge_name), ("issuer name", issuer_name), ("level", level), ("family", family),
                  ("recipient name", recipient_name))
        rendering.fonts_for(fields, fonts=fonts)
    svg_text = rendering.render_badge(
        template,
        badge_name=badge_name,
        issuer_name=issuer_name,
        colour=colour,
        level_label=level,
        family_label=family,
        recipient_name=recipient_name,
        valid_from=_date(valid_from, "--valid-from"),
        valid_until=_date(valid_until, "--valid-until"),
        qr_data=qr,
    )
    data: bytes | str = rendering.render_png(svg_text, width=width, fonts=fonts) if suffix == ".png" else svg_text
    atomic_write(out, data)
    if json_out:
        _output.emit_json({"out": str(out), "format": suffix[1:], "template": template})
        return
    _output.info(f"wrote {out}", "green")


def register(app: typer.Typer) -> None:
    app.command("bake")(bake)
    app.command("extract")(extract)
    app.command("render")(render)

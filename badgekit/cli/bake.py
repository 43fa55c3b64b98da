"""``badgekit bake``, ``badgekit extract`` and ``badgekit render``: badge images."""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from badgekit import _envelope, _jsonl, baking, jwt
from badgekit._io import atomic_write, loads_json, read_bounded
from badgekit._time import TimestampError, parse_datetime_stamp
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt, old_spellings, out_option
from badgekit.errors import BadgekitError, ExitCode, InputError

#: Credential files picked up when CREDENTIAL is a folder (``.jsonl``: a run file, one credential a line).
CREDENTIAL_SUFFIXES = (".json", ".jwt", ".sd-jwt", _jsonl.SUFFIX)
_UUID_URN = re.compile(r"urn:uuid:([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})")


def _read(source: str, data: bytes | BadgekitError) -> _envelope.Envelope:
    """The credential ``data`` holds, by the one reader (:mod:`badgekit._envelope`): a credential
    file, a run file's line, or a baked image."""
    if isinstance(data, BadgekitError):
        raise data
    return _envelope.read(data, source=source)


def _bake_one(baker: baking.Baker, source: str, found: _envelope.Envelope, image_name: str, out: Path) -> None:
    unsigned = _unsigned(found)
    if unsigned:
        raise InputError(f"{source} is not baked: {unsigned}", hint="a badge image carries a signed credential: "
                         "sign it first (badgekit sign, or badgekit issue)")
    # The text exactly as stored, parsed once above (not again): its proof verifies once extracted.
    atomic_write(out, baker.bake(found.text, source=f"{source} into {image_name}", is_jwt=found.jws is not None))


def _unsigned(found: _envelope.Envelope) -> str | None:
    """Why ``found`` carries no signature at all, or None: JSON without a ``proof``; a JWS whose
    ``alg`` is ``none`` or a shared-secret MAC (what verify's check 4 refuses first), or with no
    signature bytes. Whether a signature matches is verify's business, not bake's."""
    if found.jws is not None:
        problem = jwt.alg_problem(found.jws.header)
        return problem or (None if found.jws.signature else "its JWS has no signature")
    return None if found.credential.get("proof") else "the credential has no proof: it is not signed"


@old_spellings(credential=("--credential", "-c"), image=("--image", "-i"))
def bake(
    credential: Annotated[
        Path,
        typer.Argument(metavar="CREDENTIAL", help="Signed credential (JSON, or a compact JWS in a .jwt file), a folder of them, "
                       "a run file of 'issue --output-mode jsonl' (one image per line), or one of its lines (RUN.jsonl#LINE)."),
    ],
    image: Annotated[Path, typer.Argument(metavar="IMAGE", help="Badge image to bake into: PNG or SVG.")],
    out: Annotated[Path, out_option("Baked image to write; a folder when CREDENTIAL is a folder or a run file.")],
    json_out: JsonOpt = False,
) -> None:
    """Bake credentials into a badge image so the image carries its own proof.

    The credential is stored exactly as it is in the file (never re-serialised), so its proof
    still verifies after extraction; an unsigned one (JSON without a proof, a JWT with alg none
    or a MAC) is refused. A credential already in the image is replaced. From a folder
    or a run file, each image is named after its credential (a run file's line: the credential's
    UUID, as 'issue --bake' names it, else RUN-LINE).

    Examples: badgekit bake signed.json badge.png -o baked.png;
    badgekit bake issued/ badge.svg -o baked/; badgekit bake out/runs/RUN.jsonl badge.png -o baked/
    """
    image_bytes = read_bounded(image)
    if baking.detect(image_bytes) is None:
        raise InputError(f"{image}: not a PNG or SVG image")
    baker = baking.Baker(image_bytes, source=str(image))  # read, checked and split once for every credential
    name = str(credential)
    if not credential.is_dir() and not _jsonl.is_run_file(name):
        _bake_one(baker, name, _envelope.read_path(name), str(image), out)
        if json_out:
            _output.emit_json([{"credential": name, "out": str(out), "ok": True}])
        else:
            _output.info(f"baked {name} into {out}", "green")
        return

    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: --out must be a folder when CREDENTIAL is a folder or a run file")
    if credential.is_dir():
        files = sorted(p for p in credential.iterdir() if p.is_file() and p.suffix.lower() in CREDENTIAL_SUFFIXES)
        if not files:
            raise InputError(f"{credential}: no .json, .jwt, .sd-jwt or .jsonl credentials in this folder")
    else:
        files = [credential]
    results: list[dict[str, Any]] = []
    for f in files:
        for source, data in _jsonl.each_ref(str(f)):
            try:
                found = _read(source, data)
                target = out / f"{_image_stem(f, source, found)}.{baker.container}"
                _bake_one(baker, source, found, str(image), target)
            except BadgekitError as exc:
                results.append({"credential": source, "out": None, "ok": False, "error": exc.message})
                _output.warn(exc.message)
                continue
            results.append({"credential": source, "out": str(target), "ok": True})
    failed = sum(not r["ok"] for r in results)
    if json_out:
        _output.emit_json(results)
    else:
        _output.info(f"baked {len(results) - failed} of {len(results)} credentials into {out}", "red" if failed else "green")
    if failed or not results:
        raise typer.Exit(int(ExitCode.FAILED))


def _image_stem(file: Path, source: str, found: _envelope.Envelope) -> str:
    """A credential file's own name; for a run file's line, the credential's UUID (the name
    ``issue --bake`` gives its image), else ``<run>-<line>``."""
    _, line = _jsonl.split_ref(source)
    if line is None:
        return file.stem
    m = _UUID_URN.fullmatch(str(found.credential.get("id", "")))
    return m.group(1).lower() if m else f"{file.stem}-{line}"


def extract(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Baked badge image (PNG or SVG), or a credential: a file, or a run file's line (RUN.jsonl#LINE).")],
    out: Annotated[Path | None, out_option("Write the credential here, exactly as stored.")] = None,
    json_out: JsonOpt = False,
) -> None:
    """Print the credential baked into a PNG or SVG badge (or held by a run file's line).

    Refuses images with two credentials, bad CRCs, compressed credential chunks, or XML
    entity declarations. Example: badgekit extract baked.png --out credential.json
    """
    source = str(file)
    found = _envelope.find(_jsonl.read_ref(source), source=source, legacy_ok=True)
    fmt = found.kind
    if out is not None:
        atomic_write(out, found.text)
    if json_out:
        value: Any = found.text.strip() if fmt in ("jwt", "sd-jwt") else loads_json(found.text, source=f"{file} (credential)")
        _output.emit_json(
            {"file": source, "container": found.container, "format": fmt, "legacy": found.legacy, "credential": value}
        )
        return
    legacy = " (Open Badges 2.0)" if found.legacy else ""
    where = f" baked in {found.container.upper()}" if found.container else ""
    _output.info(f"{file}: {fmt.upper()} credential{where}{legacy}")
    if out is not None:
        _output.info(f"wrote {out}", "green")
    else:
        sys.stdout.write(found.text.strip() + "\n")
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

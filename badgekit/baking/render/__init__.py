"""Rendered badge images: fill an SVG template, optionally rasterise it to PNG.

A template is an SVG file (``templates/images/*.svg``) with placeholders:

* ``{{badge_name}}``, ``{{issuer_name}}``, ``{{recipient_name}}``, ``{{level_label}}``,
  ``{{family_label}}``, ``{{label}}`` (family and level joined by " · "), ``{{validity}}``
  ("Valid 2026–2028"): the text, XML-escaped (safe in element content and attribute values);
* ``{{colour}}``, ``{{colour_dark}}``, ``{{colour_light}}``, ``{{ink}}`` (black or white, whichever
  reads on ``colour``): ``#rrggbb`` values;
* ``{{text field=badge_name x=200 y=150 width=240 lines=3 size=30 min=13}}``: a whole ``<text>``
  element holding the field, wrapped onto at most ``lines`` lines and shrunk from ``size`` down to
  ``min`` until it fits ``width`` (long names end with "…" only if nothing fits). Optional:
  ``leading`` (line height, default 1.15), ``anchor`` (start/middle/end), ``case=upper``,
  ``weight`` (bold/normal), ``spacing`` (letter-spacing in px), ``height`` (the block's
  height: more lines only at smaller sizes). Centred vertically on ``y``.
* ``{{qr x=170 y=276 size=60}}``: a QR code (the ``qrcode`` package's matrix drawn as one path on a
  white plate) for the credential's verification URL or id; empty when there is none.

Text from rosters is escaped, never interpreted; the rendered SVG is parsed again with the
same safe parser as baked SVGs before it is returned.

Fonts (docs/adr/0009-fonts-for-badge-images.md): PNGs are drawn with the bundled DejaVu Sans
(Latin, Greek, Cyrillic); a character it lacks is drawn with the ``fonts`` the caller names
(``--font``, ``[render] font``) or else with an installed font found by its character map
(:func:`fonts_for`). A character no font covers is refused with its script named, never drawn as
an empty box.
The package: this module fills a template (colours, text, QR code); ``_layout`` fits text,
``_assets`` finds the shipped templates and fonts, ``_raster`` rasterises with resvg and chooses
the fonts. Every public name is importable from here.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from badgekit._io import read_bounded
from badgekit.baking import svg
from badgekit.baking.qr import MAX_QR_CHARS, check_qr_data, qr_matrix, qr_svg
from badgekit.baking.render._assets import (
    font_files,
    image_templates,
    resolve_template,
    templates_dir,
)
from badgekit.baking.render._layout import fit_text, text_width
from badgekit.baking.render._raster import (
    FONT_FAMILY,
    describe_character,
    drawn_text,
    fonts_for,
    render_png,
    system_font_dirs,
)
from badgekit.errors import InputError

#: Largest template file read.
MAX_TEMPLATE_BYTES = 1024 * 1024

#: Level colours by name; any ``#rgb`` / ``#rrggbb`` is accepted too.
NAMED_COLOURS = {
    "bronze": "#a0612b",
    "silver": "#6b7785",
    "gold": "#b8860b",
    "platinum": "#4f5d6b",
    "blue": "#0f62fe",
    "teal": "#007d79",
    "green": "#198038",
    "purple": "#8a3ffc",
    "magenta": "#d02670",
    "red": "#da1e28",
    "orange": "#eb6200",
    "grey": "#525252",
    "gray": "#525252",
}
DEFAULT_COLOUR = "#0f62fe"

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)((?:\s+[a-z_-]+=[^\s}]+)*)\s*\}\}")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_TEXT_FIELDS = ("badge_name", "issuer_name", "recipient_name", "level_label", "family_label", "label", "validity")
_COLOUR_FIELDS = ("colour", "colour_dark", "colour_light", "ink")


def parse_colour(value: str | None) -> str:
    """``#rrggbb`` for a level colour given as ``#rgb``, ``#rrggbb`` or a name (gold, blue, …).

    Raises:
        InputError: anything else (it ends up in SVG attributes, so it is never passed through).
    """
    if value is None or not value.strip():
        return DEFAULT_COLOUR
    v = value.strip().lower()
    v = NAMED_COLOURS.get(v, v)
    if not _HEX.fullmatch(v):
        names = ", ".join(sorted(NAMED_COLOURS))
        raise InputError(f"colour {value!r}: expected #rrggbb, #rgb or one of {names}")
    if len(v) == 4:
        v = "#" + "".join(c * 2 for c in v[1:])
    return v


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _mix(hex_colour: str, other: tuple[int, int, int], amount: float) -> str:
    r, g, b = (round(c + (o - c) * amount) for c, o in zip(_rgb(hex_colour), other, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _ink(hex_colour: str) -> str:
    """White or near-black, whichever contrasts more with ``hex_colour`` (WCAG luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    dark = 0.0080  # relative luminance of #161616
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / (dark + 0.05) else "#161616"


def validity_label(valid_from: date | None, valid_until: date | None) -> str:
    """"Valid 2026–2028", "Valid 2026", "Valid from 2026", "Valid until 2028", or ""."""
    if valid_from and valid_until:
        if valid_from.year == valid_until.year:
            return f"Valid {valid_from.year}"
        return f"Valid {valid_from.year}\u2013{valid_until.year}"
    if valid_from:
        return f"Valid from {valid_from.year}"
    if valid_until:
        return f"Valid until {valid_until.year}"
    return ""


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _params(raw: str) -> dict[str, str]:
    params = {}
    for item in raw.split():
        key, _, value = item.partition("=")
        params[key] = value
    return params


def _float(params: dict[str, str], key: str, default: float | None, *, template: str) -> float:
    value = params.get(key)
    if value is None:
        if default is None:
            raise InputError(f"{template}: placeholder needs {key}=")
        return default
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{template}: {key}={value} is not a number") from None


def _text_element(values: dict[str, str], params: dict[str, str], *, template: str) -> str:
    field = params.get("field", "")
    if field not in _TEXT_FIELDS:
        raise InputError(f"{template}: {{{{text field={field}}}}}: field must be one of {', '.join(_TEXT_FIELDS)}")
    text = values[field]
    if params.get("case") == "upper":
        text = text.upper()
    weight = "normal" if params.get("weight") == "normal" else "bold"
    anchor = params.get("anchor", "middle")
    if anchor not in ("start", "middle", "end"):
        raise InputError(f"{template}: anchor={anchor}: expected start, middle or end")
    x = _float(params, "x", None, template=template)
    y = _float(params, "y", None, template=template)
    width = _float(params, "width", None, template=template)
    size = _float(params, "size", 24, template=template)
    min_size = min(size, _float(params, "min", size * 0.5, template=template))
    max_lines = max(1, int(_float(params, "lines", 1, template=template)))
    leading = _float(params, "leading", 1.15, template=template)
    spacing = _float(params, "spacing", 0, template=template)
    height = _float(params, "height", 0, template=template) or None
    lines, font_size = fit_text(
        text,
        width=width,
        max_lines=max_lines,
        size=size,
        min_size=min_size,
        weight=weight,
        spacing=spacing,
        height=height,
        leading=leading,
    )
    if not lines:
        return ""
    step = font_size * leading
    # Centre the block on y: the middle of a line of caps sits about 0.36 em above its baseline.
    first = y - step * (len(lines) - 1) / 2 + font_size * 0.36
    spans = "".join(
        f'<tspan x="{_num(x)}" y="{_num(first + i * step)}">{escape(line)}</tspan>' for i, line in enumerate(lines)
    )
    letter_spacing = f' letter-spacing="{_num(spacing)}"' if spacing else ""
    return (
        f'<text font-family="{FONT_FAMILY}" font-size="{_num(font_size)}" font-weight="{weight}" '
        f'text-anchor="{anchor}"{letter_spacing}>{spans}</text>'
    )


def render_badge(
    template: str | Path = "default",
    *,
    badge_name: str,
    issuer_name: str = "",
    colour: str | None = None,
    level_label: str = "",
    family_label: str = "",
    recipient_name: str = "",
    valid_from: date | None = None,
    valid_until: date | None = None,
    qr_data: str | None = None,
) -> str:
    """Render a badge image template (a bundled name or a file) to SVG text.

    Raises:
        InputError: unknown template, bad colour, unknown or malformed placeholder, a rendered
            document that is not safe, well-formed SVG.
        LimitExceeded: the template is too large, or ``qr_data`` is too long.
    """
    path = resolve_template(template)
    source = str(path)
    raw = read_bounded(path, limit=MAX_TEMPLATE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: template is not UTF-8 (byte {exc.start})") from None
    base = parse_colour(colour)
    values = {
        "badge_name": badge_name.strip(),
        "issuer_name": issuer_name.strip(),
        "recipient_name": recipient_name.strip(),
        "level_label": level_label.strip(),
        "family_label": family_label.strip(),
        "label": " \u00b7 ".join(v for v in (family_label.strip(), level_label.strip()) if v),
        "validity": validity_label(valid_from, valid_until),
    }
    colours = {
        "colour": base,
        "colour_dark": _mix(base, (0, 0, 0), 0.35),
        "colour_light": _mix(base, (255, 255, 255), 0.82),
        "ink": _ink(base),
    }
    if qr_data is not None:
        check_qr_data(qr_data)

    def substitute(m: re.Match[str]) -> str:
        name, params = m.group(1), _params(m.group(2))
        if name in _TEXT_FIELDS and not params:
            return escape(values[name], {'"': "&quot;", "'": "&apos;"})
        if name in _COLOUR_FIELDS and not params:
            return colours[name]
        if name == "text":
            return _text_element(values, params, template=source)
        if name == "qr":
            if not qr_data:
                return ""
            return qr_svg(
                qr_data,
                x=_float(params, "x", None, template=source),
                y=_float(params, "y", None, template=source),
                size=_float(params, "size", None, template=source),
            )
        raise InputError(f"{source}: unknown placeholder {m.group(0)}")

    leftover = _PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        bad = re.search(r"\{\{[^\n]{0,40}|[^\n]{0,40}\}\}", leftover)
        raise InputError(f"{source}: malformed placeholder {bad.group(0).strip() if bad else ''}")
    # One pass over the template: values are substituted once and never scanned again, so a
    # roster name containing "{{qr}}" stays text.
    rendered = _PLACEHOLDER.sub(substitute, text)
    _check_svg(rendered.encode("utf-8"), source)
    return rendered


def _check_svg(data: bytes, source: str) -> None:
    svg._locate(data, source=f"{source} (rendered)")


__all__ = [
    "DEFAULT_COLOUR",
    "FONT_FAMILY",
    "MAX_QR_CHARS",
    "MAX_TEMPLATE_BYTES",
    "NAMED_COLOURS",
    "check_qr_data",
    "describe_character",
    "drawn_text",
    "fit_text",
    "font_files",
    "fonts_for",
    "image_templates",
    "parse_colour",
    "qr_matrix",
    "qr_svg",
    "render_badge",
    "render_png",
    "resolve_template",
    "system_font_dirs",
    "templates_dir",
    "text_width",
    "validity_label",
]

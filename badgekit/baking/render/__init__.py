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
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import badgekit
from badgekit._io import read_bounded
from badgekit.baking import svg
from badgekit.errors import InputError, LimitExceeded

#: Longest QR text accepted: a verification URL or credential id, never the credential itself.
MAX_QR_CHARS = 512
#: Largest template file read.
MAX_TEMPLATE_BYTES = 1024 * 1024
FONT_FAMILY = "DejaVu Sans"

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

# Advance widths (1/1000 em) of DejaVu Sans for U+0020..U+007E, bold then book, read from the
# bundled fonts; used to estimate line widths without a font engine.
_ASCII_WIDTHS = {
    "bold": (348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696, 696, 696, 696,
             696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683, 683, 821, 837, 372, 372, 775,
             637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771, 724, 725, 457, 365, 457, 838, 500, 500, 675,
             716, 593, 716, 678, 435, 716, 712, 343, 343, 665, 343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924,
             645, 652, 582, 712, 365, 712, 838),
    "normal": (318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636, 636, 636,
               636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
               295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
               500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634,
               592, 818, 592, 592, 525, 636, 337, 636, 838),
}


def templates_dir() -> Path:
    """The ``templates/`` folder: inside the installed package, else beside it (editable installs).

    Wheels carry it as ``badgekit/templates``; a source checkout has it at the repository root.
    """
    try:
        packaged = importlib.resources.files("badgekit") / "templates"
        if packaged.is_dir():
            return Path(str(packaged))
    except (ModuleNotFoundError, NotADirectoryError):  # pragma: no cover - zipped or odd installs
        pass
    return Path(badgekit.__file__).resolve().parent.parent / "templates"


def image_templates() -> list[str]:
    """Names of the bundled image templates (``templates/images/*.svg``)."""
    folder = templates_dir() / "images"
    return sorted(p.stem for p in folder.glob("*.svg")) if folder.is_dir() else []


def font_files() -> list[str]:
    """The bundled fonts, passed to resvg so text looks the same on every machine."""
    folder = templates_dir() / "fonts"
    return sorted(str(p) for p in folder.glob("*.ttf")) if folder.is_dir() else []


#: Font files resvg can load (TrueType, OpenType, collections), by their first four bytes.
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# Blocks whose characters only CJK fonts draw: (first, last, script).
_CJK_BLOCKS = (
    (0x1100, 0x11FF, "Hangul"), (0x2E80, 0x2FDF, "Han"), (0x3000, 0x303F, "CJK punctuation"),
    (0x3040, 0x309F, "Hiragana"), (0x30A0, 0x30FF, "Katakana"), (0x3100, 0x312F, "Bopomofo"),
    (0x3130, 0x318F, "Hangul"), (0x31A0, 0x31BF, "Bopomofo"), (0x31F0, 0x31FF, "Katakana"),
    (0x3200, 0x33FF, "CJK symbols"), (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"),
    (0xA960, 0xA97F, "Hangul"), (0xAC00, 0xD7FF, "Hangul"), (0xF900, 0xFAFF, "Han"),
    (0xFF00, 0xFFEF, "fullwidth forms"), (0x20000, 0x3FFFF, "Han"),
)
# Words that end a script's name in a character's Unicode name ("ARABIC LETTER ALEF" → Arabic).
_NAME_STOPS = frozenset((
    "LETTER", "CAPITAL", "SMALL", "SYLLABLE", "CHARACTER", "SIGN", "DIGIT", "NUMBER", "VOWEL", "CONSONANT",
    "HIEROGLYPH", "IDEOGRAPH", "LIGATURE", "PUNCTUATION", "MARK", "FRACTION", "NUMERAL", "TONE", "ACCENT",
    "VIRAMA", "INDEPENDENT", "DEPENDENT", "SUBJOINED", "FINAL", "MEDIAL", "INITIAL", "ISOLATED",
))


def describe_character(ch: str) -> str:
    """A character for a message: its script and code point ("Han (U+5F20)", "Arabic (U+0627)"),
    or its code point and Unicode name when it is a symbol ("U+1F600 GRINNING FACE")."""
    code = ord(ch)
    point = f"U+{code:04X}"
    for first, last, script in _CJK_BLOCKS:
        if first <= code <= last:
            return f"{script} ({point})"
    name = unicodedata.name(ch, "")
    if not name:
        return f"{point} (a private-use or unassigned character)"
    words = name.split()
    if unicodedata.category(ch)[0] in "LMN" and words[0] != "COMBINING":
        script = []
        for word in words:
            if word in _NAME_STOPS or "-" in word:
                break
            script.append(word if len(word) == 1 else word.capitalize())
        if script:
            return f"{' '.join(script)} ({point})"
    return f"{point} {name}"


def _needs_glyph(ch: str) -> bool:
    """False for characters that draw nothing: spaces (shapers fall back to the space glyph),
    controls, format characters (joiners, direction marks) and variation selectors."""
    if unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf"):
        return False
    code = ord(ch)
    return not (0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF)


def system_font_dirs() -> list[Path]:
    """The folders where this platform keeps installed fonts (the ones that exist), searched in
    this order: the system's, then the user's."""
    home = Path.home()
    if sys.platform == "darwin":
        dirs = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
    elif sys.platform == "win32":
        windir = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = os.environ.get("LOCALAPPDATA")
        dirs = [windir / "Fonts"] + ([Path(local) / "Microsoft" / "Windows" / "Fonts"] if local else [])
    else:
        data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), data_home / "fonts", home / ".fonts"]
    return [d for d in dirs if d.is_dir()]


def _font_files_under(folders: Iterable[Path]) -> Iterable[str]:
    for folder in folders:
        for root, subdirs, files in os.walk(folder):
            subdirs.sort()
            for name in sorted(files):
                if name.lower().endswith(_FONT_SUFFIXES):
                    yield os.path.join(root, name)


def _coverage(path: str) -> frozenset[int]:
    """The code points ``path`` maps to a glyph (of its first face, for a collection).

    Raises:
        InputError: not a TrueType/OpenType font, or its character map cannot be read.
    """
    try:
        st = os.stat(path)
        with open(path, "rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the font ({exc.strerror or exc})") from None
    if magic not in _FONT_MAGIC:
        raise InputError(f"{path}: not a TrueType or OpenType font (.ttf, .otf, .ttc)")
    return _read_coverage(path, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=128)
def _read_coverage(path: str, size: int, mtime_ns: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # imported here: only rasterising needs it

    try:
        # One face of a collection is enough: the faces of a CJK collection (JP, KR, SC …) map the
        # same characters, and reading fewer than resvg loads can only refuse, never draw a box.
        with TTFont(path, lazy=True, fontNumber=0) as font:
            cmap = font.getBestCmap() or {}
    except Exception as exc:  # fontTools raises many types on a damaged font; none is a bug here
        raise InputError(f"{path}: cannot read the font's character map ({type(exc).__name__})") from None
    return frozenset(code for code, glyph in cmap.items() if glyph != ".notdef")


def _covers(coverage: frozenset[int], ch: str) -> bool:
    # A shaper decomposes a character the font lacks when it has the parts (é → e + ◌́).
    if ord(ch) in coverage:
        return True
    parts = unicodedata.normalize("NFD", ch)
    return parts != ch and all(ord(p) in coverage or not _needs_glyph(p) for p in parts)


def fonts_for(
    texts: Iterable[tuple[str, str]],
    *,
    fonts: Sequence[str | Path] | None = None,
    search: Sequence[Path] | None = None,
) -> tuple[str, ...]:
    """The font files to load beside the bundled ones so that every character of ``texts`` has a glyph.

    ``texts`` pairs what each text is, for the message ("recipient name", "roster.csv: line 4,
    column name"), with the text. With ``fonts``, exactly those files are added (a name the bundled fonts
    and ``fonts`` cannot draw is refused, whatever is installed: the image is the same on every
    machine). Without, the installed fonts (under ``search``, default :func:`system_font_dirs`)
    are read in order and each one that covers a missing character is added.

    Raises:
        InputError: a character no font covers (names the text, the script and the code point),
            or a ``fonts`` file that is not a readable TrueType/OpenType font.
    """
    first_seen: dict[str, tuple[str, str]] = {}
    for what, text in texts:
        for ch in unicodedata.normalize("NFC", text):
            if ch not in first_seen and _needs_glyph(ch):
                first_seen[ch] = (what, text)
    missing = list(first_seen)
    for path in font_files():
        coverage = _coverage(path)
        missing = [ch for ch in missing if not _covers(coverage, ch)]
    chosen: list[str] = []
    if fonts is not None:
        for font in fonts:
            coverage = _coverage(str(font))
            missing = [ch for ch in missing if not _covers(coverage, ch)]
            chosen.append(str(font))
    else:
        for path in _font_files_under(search if search is not None else system_font_dirs()):
            if not missing:
                break
            try:
                coverage = _coverage(path)
            except InputError:
                continue  # a damaged installed font is simply not used
            still = [ch for ch in missing if not _covers(coverage, ch)]
            if len(still) < len(missing):
                chosen.append(path)
            missing = still
    if missing:
        what, text = first_seen[missing[0]]
        raise _uncovered(what, text, missing[0], fonts)
    return tuple(chosen)


def _uncovered(what: str, text: str, ch: str, fonts: Sequence[str | Path] | None) -> InputError:
    shown = text if len(text) <= 60 else text[:59] + "\u2026"
    described = describe_character(ch)
    if fonts is not None:
        named = ", ".join(Path(f).name for f in fonts)
        by = f"neither the bundled DejaVu Sans nor {named} covers" if named else "the bundled DejaVu Sans does not cover"
        return InputError(f"{what} {shown!r}: {by} {described}",
                          hint="name a font file that covers it with --font FILE ([render] font in badgekit.toml)")
    cjk = described.split(" (")[0] in {script for _, _, script in _CJK_BLOCKS}
    package = "fonts-noto-cjk" if cjk else "fonts-noto-core or fonts-noto-extra"
    return InputError(
        f"{what} {shown!r}: no installed font covers {described}",
        hint=f"install a font that does (Debian: apt install {package}), or name a font file with "
        "--font FILE ([render] font in badgekit.toml)",
    )


def drawn_text(svg_text: str) -> list[str]:
    """The text of each ``<text>`` element of an SVG document: what rasterising it draws.

    Raises:
        InputError: the document is not well-formed, or declares entities.
    """
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(svg_text.encode("utf-8"))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(f"cannot rasterise the badge image: not a well-formed, entity-free SVG ({exc})") from None
    texts = ("".join(el.itertext()) for el in root.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "text")
    return [t for t in texts if t.strip()]


def resolve_template(template: str | Path) -> Path:
    """A template file: an existing path, or the name of a bundled template (``default``).

    Raises:
        InputError: neither a file nor a bundled template name.
    """
    path = Path(template)
    if path.is_file():
        return path
    name = str(template)
    if re.fullmatch(r"[A-Za-z0-9_-]+", name):
        bundled = templates_dir() / "images" / f"{name}.svg"
        if bundled.is_file():
            return bundled
    available = ", ".join(image_templates()) or "none"
    raise InputError(f"{template}: no such image template (bundled: {available})")


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


def text_width(text: str, size: float, *, weight: str = "bold", spacing: float = 0) -> float:
    """Estimated advance width of ``text`` in DejaVu Sans at ``size`` px (plus letter-spacing)."""
    table = _ASCII_WIDTHS["bold" if weight == "bold" else "normal"]
    other = 700 if weight == "bold" else 630
    total = 0
    for ch in text:
        code = ord(ch)
        if 0x20 <= code <= 0x7E:
            total += table[code - 0x20]
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += 1000
        elif unicodedata.combining(ch):
            continue
        else:
            base = unicodedata.normalize("NFD", ch)[0]
            total += table[ord(base) - 0x20] if 0x20 <= ord(base) <= 0x7E else other
    return total * size / 1000 + spacing * len(text)


def fit_text(
    text: str,
    *,
    width: float,
    max_lines: int,
    size: float,
    min_size: float,
    weight: str = "bold",
    spacing: float = 0,
    height: float | None = None,
    leading: float = 1.15,
) -> tuple[list[str], float]:
    """Wrap ``text`` on words into at most ``max_lines`` lines of ``width``, shrinking the font.

    Returns the lines and the font size. Tries each size from ``size`` down to ``min_size``; with
    ``height``, the lines times ``size * leading`` must fit it too (so more lines need a smaller
    size). If nothing fits, uses ``min_size``, breaks over-long words and ends the last line with "…".
    """
    words = text.split()
    if not words:
        return [], size

    def measure(s: str, at: float) -> float:
        return text_width(s, at, weight=weight, spacing=spacing)

    current = size
    while current >= min_size:
        lines = _wrap(words, width, current, measure)
        tall_enough = height is None or len(lines) == 1 or len(lines) * current * leading <= height
        if len(lines) <= max_lines and tall_enough and all(measure(line, current) <= width for line in lines):
            return lines, current
        current -= 1
    current = min_size
    lines = _wrap(_break_long(words, width, current, measure), width, current, measure)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and measure(last + "\u2026", current) > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "\u2026"
    return lines, current


Measure = Callable[[str, float], float]


def _wrap(words: list[str], width: float, size: float, measure: Measure) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if line and measure(candidate, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return lines


def _break_long(words: list[str], width: float, size: float, measure: Measure) -> list[str]:
    out: list[str] = []
    for word in words:
        while measure(word, size) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and measure(word[:cut], size) > width:
                cut -= 1
            out.append(word[:cut])
            word = word[cut:]
        out.append(word)
    return out


def qr_svg(data: str, *, x: float, y: float, size: float, quiet: int = 2) -> str:
    """A QR code for ``data`` as an SVG group: a white plate and one path of dark modules.

    Raises:
        LimitExceeded: ``data`` is longer than a verification URL or id should be.
    """
    check_qr_data(data)
    matrix = qr_matrix(data)
    n = len(matrix)
    span = n + 2 * quiet
    scale = size / span
    runs = []
    for row, cells in enumerate(matrix):
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                runs.append(f"M{start + quiet} {row + quiet}h{col - start}v1h-{col - start}z")
            else:
                col += 1
    return (
        f'<g transform="translate({_num(x)} {_num(y)}) scale({scale:.4f})">'
        f'<rect width="{span}" height="{span}" rx="1" fill="#ffffff"/>'
        f'<path d="{"".join(runs)}" fill="#161616" shape-rendering="crispEdges"/></g>'
    )


@functools.lru_cache(maxsize=64)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for ``data`` (cached: a bundle draws the same code in its badge and alone)."""
    import qrcode  # imported here: only rendering needs it
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1)
    qr.add_data(data)
    qr.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in qr.get_matrix())


def check_qr_data(data: str) -> None:
    """Refuse QR text that is not a short URL or id (a whole credential does not belong in a QR).

    Raises:
        LimitExceeded: longer than :data:`MAX_QR_CHARS`.
        InputError: it looks like a JSON credential or a JWS.
    """
    if len(data) > MAX_QR_CHARS:
        raise LimitExceeded(
            f"QR text is {len(data)} characters; give the credential's verification URL or id "
            f"(at most {MAX_QR_CHARS}), not the credential"
        )
    stripped = data.strip()
    if stripped.startswith("{") or re.fullmatch(r"[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", stripped):
        raise InputError("QR text looks like a credential; give its verification URL or id instead")


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


def render_png(svg_text: str, *, width: int = 600, fonts: Sequence[str | Path] | None = None) -> bytes:
    """Rasterise SVG text to PNG bytes with resvg (pure PyPI wheel, no system libraries).

    Text is drawn with the bundled fonts and, for characters they lack, ``fonts`` or else the
    installed fonts that cover them (:func:`fonts_for`); resvg loads no other font, so what is
    checked is what is drawn. A ``font-family`` naming no loaded font uses the bundled one.

    Raises:
        InputError: a character no font covers, resvg cannot render the document, or ``width`` is
            out of range.
    """
    if not 16 <= width <= 4096:
        raise InputError(f"width {width}: expected 16 to 4096 pixels")
    extra = fonts_for((("badge image text", t) for t in drawn_text(svg_text)), fonts=fonts)
    import resvg_py  # imported here: only rendering needs it

    try:
        data = resvg_py.svg_to_bytes(
            svg_string=svg_text, width=width, font_files=font_files() + list(extra), skip_system_fonts=True,
            # A family that is not loaded (a template's "Georgia", "sans-serif") falls back to the bundled font
            # rather than drawing nothing.
            font_family=FONT_FAMILY, serif_family=FONT_FAMILY, sans_serif_family=FONT_FAMILY,
            monospace_family=FONT_FAMILY, cursive_family=FONT_FAMILY, fantasy_family=FONT_FAMILY,
        )
    except (ValueError, RuntimeError) as exc:
        raise InputError(f"cannot rasterise the badge image: {exc}") from None
    return bytes(data)


__all__ = [
    "check_qr_data",
    "describe_character",
    "drawn_text",
    "fit_text",
    "font_files",
    "fonts_for",
    "image_templates",
    "parse_colour",
    "qr_svg",
    "render_badge",
    "render_png",
    "resolve_template",
    "system_font_dirs",
    "templates_dir",
    "text_width",
    "validity_label",
]

"""Rasterising a rendered SVG to PNG with resvg (:func:`render_png`), and the fonts it loads: the
bundled DejaVu Sans, plus the font files that cover the characters it lacks (:func:`fonts_for`,
docs/adr/0009-fonts-for-badge-images.md)."""

from __future__ import annotations

import functools
import os
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from badgekit.baking.render._assets import font_files
from badgekit.errors import InputError

FONT_FAMILY = "DejaVu Sans"


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
    from fontTools.ttLib import TTFont  # start-up: fontTools (22 ms) only to rasterise

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
    # start-up: defusedxml (5 ms) only to rasterise; see badgekit.baking.svg
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(svg_text.encode("utf-8"))
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise InputError(f"cannot rasterise the badge image: not a well-formed, entity-free SVG ({exc})") from None
    texts = ("".join(el.itertext()) for el in root.iter() if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "text")
    return [t for t in texts if t.strip()]


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
    import resvg_py  # start-up: resvg only to rasterise

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

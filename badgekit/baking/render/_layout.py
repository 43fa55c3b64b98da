"""Fitting text into a badge: an estimate of its width in DejaVu Sans (:func:`text_width`, no font
engine needed) and word wrapping that shrinks the font until the text fits (:func:`fit_text`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

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

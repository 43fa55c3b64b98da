"""Regenerate the roster fixtures in this folder, each byte-for-byte as one application exports it.

    python tests/unit/rosters/make_rosters.py

The files are committed; ``test_roster.py`` checks that this script still writes exactly them.
Every file holds the same class, so the tests can expect the same rows, on the physical lines a
text editor shows (a quoted newline makes a row two lines long).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).parent

HEADER = ("Email", "Full Name", "Score", "Earned", "Narrative")
JOSE = "Built a “weather” app, hosting costs €0 – free tier"  # curly quotes, euro sign, en dash
ZOE = "Led the team\nand wrote the tests"  # Alt+Enter in a cell: a newline inside the value
BAD = "Good work,\nbut no address"


def rows(score: Sequence[str], earned: Sequence[str]) -> list[tuple[str, ...]]:
    """The class: José (line 2), Zoë (lines 3-4), an empty row (5), a bad address (6-7), Kim (8)."""
    return [
        HEADER,
        ("jose@example.org", "José Núñez", score[0], earned[0], JOSE),
        ("zoe@example.org", "Zoë Ågren", score[1], earned[1], ZOE),
        ("", "", "", "", ""),
        ("not-an-email", "Ola Øst", score[2], earned[2], BAD),
        ("  KIM@EXAMPLE.ORG ", "Kim O’Neil", score[3], earned[3], ""),
    ]


def excel(table: Sequence[Sequence[str]], sep: str, *, pad: int = 2, tail: int = 2, quote_all_text: bool = False) -> str:
    """Excel's writer: a cell is quoted when it holds the separator, a quote or a newline (quotes
    doubled); rows end CRLF; a newline inside a cell stays LF; every row is as wide as the used
    range (``pad`` empty columns someone once formatted), and formatted empty rows at the end
    come out as separators only (``tail``)."""
    out = []
    for row in table:
        cells = []
        for cell in [*row, *[""] * pad]:
            needs = quote_all_text and cell and not _is_number(cell)
            if needs or any(c in cell for c in (sep, '"', "\n", "\r")):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        out.append(sep.join(cells))
    out += [sep * (len(table[0]) + pad - 1)] * tail
    return "".join(line + "\r\n" for line in out)


def _is_number(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace(" %", "").replace("\u00a0%", "").isdigit()


US = rows(["87.5", "91", "64", "78"], ["3/15/2026", "3/20/2026", "3/20/2026", "3/21/2026"])
DE = rows(["87,5", "91", "64", "78"], ["15.03.2026", "20.03.2026", "20.03.2026", "21.03.2026"])
ISO = rows(["87.5", "91", "64", "78"], ["2026-03-15", "2026-03-20", "2026-03-20", "2026-03-21"])
# LibreOffice, French locale: decimal comma, a percent cell ("91 %" with a no-break space), and
# day-first dates that are ambiguous without --date-format DMY (04/03/2026 is 4 March)
FR = rows(["87,5", "91\u00a0%", "64", "78"], ["04/03/2026", "15/03/2026", "15/03/2026", "05/03/2026"])
NUMBERS = rows(["87.5%", "91%", "64%", "78%"], ["Mar 15, 2026", "Mar 20, 2026", "Mar 20, 2026", "Mar 21, 2026"])


def mangled() -> str:
    """What Excel does to a roster that went through it: scientific-notation ids, date serials,
    "87.0", percentages, addresses pasted from mail, no-break and zero-width spaces (Excel "CSV UTF-8")."""
    table = [
        ("E-mail Address ", " NAME", "Score (%)", "Date Completed", "Student ID"),
        (" ANN.LEE@Example.ORG ", "Ann Lee", "87.0", "2026-03-04 00:00:00", "20261234"),
        ("Bo Chen <bo@example.org>", "Bo Chen", "85%", "2026-03-04T09:00:00+01:00", "20261235"),
        ("mailto:cy@example.org", "\u00a0Cy Diaz\u00a0", "87,5", "15/03/2026", "20261236"),
        ("dee@example.org\u200b", "Dee Ek", "90", "Mar 4, 2026", "20261237"),
        ("eve@example.org", "Eve Fox", "90", "45921", "20261238"),
        ("fay@example.org", "Fay Gu", "90", "04/03/2026", "20261239"),
        ("gus@example.org", "Gus Ho", "90", "2026-03-04", "1.23457E+11"),
        ("ida@example", "Ida Jo", "90", "2026-03-04", "20261240"),
        ("jo@example.org; kim@example.org", "Jo and Kim", "90", "2026-03-04", "20261241"),
    ]
    return excel(table, ",", pad=0, tail=1)


def build() -> dict[str, bytes]:
    """File name → exact bytes."""
    second = [HEADER, ("lee@example.org", "Lee Ünal", "70", "3/22/2026", "")]
    return {
        # Excel "CSV UTF-8 (Comma delimited)": BOM, CRLF
        "excel-csv-utf8.csv": codecs.BOM_UTF8 + excel(US, ",").encode("utf-8"),
        # Excel "CSV (Comma delimited)" on Windows, US: the ANSI code page (Windows-1252), CRLF
        "excel-csv-windows.csv": excel(US, ",").encode("cp1252"),
        # Excel for Mac "CSV (Macintosh)": Mac Roman (é is 0x8E, Windows-1252's Ž), rows end CR
        "excel-csv-mac.csv": excel(US, ",").replace("\r\n", "\r").encode("mac_roman"),
        # the same in a German Windows: list separator ';', decimal comma, dd.mm.yyyy
        "excel-csv-windows-de.csv": excel(DE, ";").encode("cp1252"),
        # Excel "Unicode Text (*.txt)": UTF-16 LE with BOM, TAB separated, CRLF
        "excel-unicode-text.txt": codecs.BOM_UTF16_LE + excel(US, "\t").encode("utf-16-le"),
        # UTF-16 BE with BOM (other tools' "Unicode"), LF
        "utf16-be.csv": codecs.BOM_UTF16_BE + excel(ISO, ",", pad=0, tail=0).replace("\r\n", "\n").encode("utf-16-be"),
        # Google Sheets, File > Download > CSV: UTF-8 without BOM, no padding; rows end LF here and
        # a newline inside a cell is CRLF (the opposite of Excel: both must read the same)
        "google-sheets.csv": excel(ISO, ",", pad=0, tail=0).replace("\r\n", "\n").replace(ZOE, ZOE.replace("\n", "\r\n")).replace(BAD, BAD.replace("\n", "\r\n")).encode("utf-8"),
        # LibreOffice Calc, French locale, Text CSV with "Quote all text cells": UTF-8, ';', LF
        "libreoffice-fr.csv": excel(FR, ";", pad=0, tail=0, quote_all_text=True).replace("\r\n", "\n").encode("utf-8"),
        # Apple Numbers, File > Export To > CSV (Unicode UTF-8): no BOM, LF, percentages, medium dates
        "numbers.csv": excel(NUMBERS, ",", pad=0, tail=0).replace("\r\n", "\n").encode("utf-8"),
        # a roster whose first line tells Excel the separator ("sep=;"), as some LMS exports do
        "excel-sep-hint.csv": ("sep=;\r\n" + excel(DE, ";", pad=0, tail=0)).encode("utf-8"),
        # two Excel "CSV UTF-8" exports joined with cat: a BOM and the header again in the middle
        "joined-exports.csv": codecs.BOM_UTF8 + excel(US, ",", tail=0).encode("utf-8")
        + codecs.BOM_UTF8 + excel(second, ",", tail=1).encode("utf-8"),
        "excel-mangled.csv": codecs.BOM_UTF8 + mangled().encode("utf-8"),
    }


def main() -> None:
    for name, data in build().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()

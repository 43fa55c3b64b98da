"""What kind of file a roster is, and in which encoding: workbooks and binary files refused, BOMs,
UTF-16 with or without BOM, strict UTF-8 over the whole file, else Windows-1252 or Mac Roman (whichever
reads as words); mixed encodings refused."""

from __future__ import annotations

import codecs
import io
import itertools
import re
from pathlib import Path
from typing import BinaryIO

from badgekit.errors import InputError


def refuse_non_text(head: bytes, source: str) -> None:
    """Raise InputError when the first bytes are a spreadsheet workbook or another binary file
    (someone renamed ``class.xlsx`` to ``class.csv``), with how to export it as CSV."""
    kind = how = None
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        name_len = int.from_bytes(head[26:28], "little")
        first = head[30:30 + name_len]
        if first == b"mimetype" and b"opendocument.spreadsheet" in head[:200]:
            kind, how = "an OpenDocument spreadsheet (.ods)", "in LibreOffice: File > Save As, file type 'Text CSV'"
        elif first.startswith((b"[Content_Types].xml", b"xl/", b"_rels/", b"docProps/")):
            kind, how = "an Excel workbook (.xlsx)", "in Excel: File > Save As, file type 'CSV UTF-8 (Comma delimited)'"
        elif first.startswith((b"Index/", b"Metadata/", b"preview")):
            kind, how = "an Apple Numbers document", "in Numbers: File > Export To > CSV, text encoding Unicode (UTF-8)"
        else:
            kind, how = "a ZIP archive (a spreadsheet workbook?)", "export the sheet as 'CSV UTF-8'"
    elif head.startswith(bytes.fromhex("D0CF11E0A1B11AE1")):
        kind, how = "a legacy Excel workbook (.xls)", "in Excel: File > Save As, file type 'CSV UTF-8 (Comma delimited)'"
    elif head.startswith(b"%PDF"):
        kind, how = "a PDF document", "export the roster from the spreadsheet as 'CSV UTF-8'"
    if kind:
        raise InputError(f"{source}: this is {kind}, not a CSV file: export it as CSV", hint=how)


def _utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' / 'utf-16-be' when mostly-ASCII text has a NUL in every other byte."""
    sample = head[: min(len(head), 512) & ~1]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros.count(0) >= 0.9 * len(zeros) and other.count(0) <= 0.1 * len(other):
            return codec
    return None


# Byte sequences that are almost only ever UTF-8 (é, ü … as C3 xx; curly quotes, dashes, ellipsis,
# euro as E2 80/82 xx): in Windows-1252 they would read "Ã©", "â€™". Found in a file that is not
# UTF-8 as a whole, they mean two encodings were joined.
_UTF8_SIGNS = re.compile(rb"\xC3[\x80-\xBF]|\xE2\x80[\x90-\xBF]|\xE2\x82\xAC")
# Bytes with no character in Windows-1252 (Python's codec refuses them): a Mac Roman or DOS export.
_NOT_CP1252 = re.compile(rb"[\x81\x8D\x8F\x90\x9D]")


def detect_encoding(path: Path) -> tuple[str, str]:
    """(label, Python codec) of a roster file, read in chunks (memory stays flat).

    A BOM decides; else UTF-16 when every other byte is NUL; else strict UTF-8 checked over the
    whole file (a UTF-8 file whose first accent is on line 90,000 is still UTF-8); else
    Windows-1252, what Excel's plain "CSV" writes on Windows, or Mac Roman (Excel's "CSV
    (Macintosh)") when the accented letters read as words only in Mac Roman (``José``, not ``JosŽ``).

    Raises:
        InputError: a workbook or binary file; a file mixing UTF-8 and another encoding; bytes that
            are neither UTF-8 nor Windows-1252 nor Mac Roman (each names the line).
    """
    with open(path, "rb") as fh:
        return _detect_encoding(fh, str(path))


def _detect_encoding(fh: BinaryIO, source: str) -> tuple[str, str]:
    """:func:`detect_encoding` of a seekable binary file object."""
    head = fh.read(4096)
    refuse_non_text(head, source)
    if head.startswith(codecs.BOM_UTF8):  # checked whole: a bad byte is named by its line, not the first
        _check_decodes(fh, "utf-8", source)
        return "utf-8-sig", "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _check_decodes(fh, "utf-16-le" if head.startswith(codecs.BOM_UTF16_LE) else "utf-16-be", source)
        return "utf-16", "utf-16"
    bomless = _utf16_without_bom(head)
    if bomless:
        _check_decodes(fh, bomless, source)
        return bomless, bomless
    controls = sum(1 for byte in head if byte < 0x20 and byte not in b"\t\n\r\x0c")
    if b"\x00" in head.split(b"\n", 1)[0] or controls > max(2, len(head) // 20):
        raise InputError(f"{source}: line 1: control bytes (NUL …) in the first lines: this is a binary file, not a CSV roster",
                         hint="export the roster from the spreadsheet as 'CSV UTF-8'")
    fh.seek(0)
    return _scan_encoding(fh, source)


# UTF-8 read as Windows-1252 and saved again as UTF-8 ("é" became "Ã©", "’" "â€™", "°" "Â°"): a file
# valid in its encoding whose text would be signed garbled. (Excel's CSV UTF-8 opened as "ANSI".)
_CP1252_HIGH = re.escape(bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore"))
_GARBLED = re.compile(f"[ÃÂ][{_CP1252_HIGH}]|â[€‚][{_CP1252_HIGH}]")


def _check_garbled(text: str, line: int, source: str) -> None:
    """Raise InputError naming the line of the first garbled word in ``text`` (which starts on ``line``)."""
    if not ("Ã" in text or "Â" in text or "â€" in text or "â‚" in text):  # substring tests: 30 times the regex's speed
        return
    m = _GARBLED.search(text)
    if m is None:
        return
    left = re.search(r'[^\s,;|"]*$', text[max(0, m.start() - 40):m.start()])
    right = re.match(r'[^\s,;|"]*', text[m.end():m.end() + 40])
    word = (left.group() if left else "") + m.group() + (right.group() if right else "")
    try:
        meant = f" (meant {word.encode('cp1252').decode('utf-8')!r}?)"
    except UnicodeError:
        meant = ""
    raise InputError(f"{source}: line {line + text.count(chr(10), 0, m.start())}: {word!r} is garbled{meant}: the roster "
                     "was read as Windows-1252 and saved again as UTF-8",
                     hint="export it again from the original spreadsheet as 'CSV UTF-8', or repair the text")


def _check_decodes(fh: BinaryIO, codec: str, source: str) -> None:
    """Read a UTF-16 (or UTF-8 with BOM) file through once (in chunks): a damaged one (a lone
    surrogate, an odd last byte, a Windows-1252 "é") is refused naming its line, not the line being
    read when the reader's buffer hit it."""
    fh.seek(0)
    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    try:
        while chunk := fh.read(1 << 20):
            text = decoder.decode(chunk)
            if not text.isascii():
                _check_garbled(text, line, source)
            line += text.count("\n")
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        line += exc.object[:exc.start].decode(codec, errors="replace").count("\n")
        raise InputError(f"{source}: line {line}: not valid {codec.upper()[:6]} text (a damaged file?)",
                         hint="save the roster again as 'CSV UTF-8'") from None


def _scan_encoding(fh: BinaryIO, source: str) -> tuple[str, str]:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1  # line at the start of the bytes not yet looked at
    utf8_line = None  # first line with a non-ASCII UTF-8 character
    bad_line = None  # first line that is not UTF-8
    carry = b""  # a chunk's last bytes, so a sequence split between chunks is still seen
    legacy = _Legacy()
    while chunk := fh.read(1 << 20):
        if bad_line is None:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                data = exc.object  # bytes held back from the previous chunk (no newline) + this chunk
                bad_line = line + data.count(b"\n", 0, exc.start)
                if utf8_line is None and not data[:exc.start].isascii():
                    first = next(i for i, c in enumerate(data[:exc.start]) if c > 127)
                    utf8_line = line + data.count(b"\n", 0, first)
                if utf8_line is not None:
                    raise _mixed(source, utf8_line, bad_line) from None
                rest = data[exc.start:]
                line = bad_line
                letter = data[exc.start - 1:exc.start] if exc.start else b""  # "Zo" of "Zoë": evidence too
                legacy.add((letter if letter.isalpha() else b"") + rest, line, source)
                carry = rest[-2:]
                line += rest.count(b"\n") - carry.count(b"\n")
                continue
            if not text.isascii():
                _check_garbled(text, line, source)
                if utf8_line is None:
                    first = next(i for i, c in enumerate(text) if ord(c) > 127)
                    utf8_line = line + text.count("\n", 0, first)
            line += chunk.count(b"\n")
        else:
            data = carry + chunk
            legacy.add(data, line, source)
            carry = data[-2:]
            line += data.count(b"\n") - carry.count(b"\n")
    if bad_line is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            bad_line = line
            if utf8_line is not None:
                raise _mixed(source, utf8_line, bad_line) from None
    if bad_line is None:
        return "utf-8", "utf-8"
    if legacy.foreign():
        raise InputError(f"{source}: line {legacy.word_line}: text in a code page badgekit does not read (Cyrillic, Greek, "
                         "Central European, Asian …?): not UTF-8, Windows-1252 or Mac Roman",
                         hint="save the roster as 'CSV UTF-8' (Excel: File > Save As, CSV UTF-8)")
    if legacy.score("mac_roman") > legacy.score("cp1252"):  # a tie: Windows-1252
        return "mac-roman", "mac_roman"
    if legacy.undefined is not None:
        at, byte = legacy.undefined
        raise InputError(f"{source}: line {at}: byte 0x{byte:02X} is neither UTF-8 nor Windows-1252 text "
                         "(a Mac Roman or MS-DOS export?)", hint="save the roster as 'CSV UTF-8'")
    return "windows-1252", "cp1252"


# Runs of non-ASCII bytes with the ASCII letter on each side, if any: what tells Windows-1252 from
# Mac Roman ("CSV (Macintosh)"), whose accented letters are Windows-1252's punctuation (é = Ž).
_RUN = re.compile(rb"[A-Za-z]?[\x80-\xFF]+[A-Za-z]?")
_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_OPENING = frozenset("‘“„‚«")  # after a letter: a letter misread ("Zoë" in Mac Roman reads "Zo‘")
_CLOSING = frozenset("’”»")
_DASHES = frozenset("–—")  # between letters: an em dash, or a misread letter ("Nu–ez"): no evidence
_SYMBOLS = frozenset("…€£¥¢©®°•·§¶™\u00a0")  # before a letter (but °C): a misread letter ("€pfel")
#: Letters of European names: more likely than the other letters these code pages hold (Ÿ, ƒ, ı …).
_COMMON = frozenset("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßšžÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŠŽ")
_MAX_RUNS = 5000  # evidence enough; memory stays flat


class _Legacy:
    """What a roster that is not UTF-8 shows of its encoding, gathered chunk by chunk: samples of its
    non-ASCII text, and the first byte Windows-1252 leaves undefined (line, byte)."""

    def __init__(self) -> None:
        self.runs: list[bytes] = []
        self.undefined: tuple[int, int] | None = None
        self.word_line: int | None = None  # first line with a word of non-ASCII bytes only

    def foreign(self) -> bool:
        """Words of four non-ASCII bytes or more in a quarter of the samples: Cyrillic, Greek,
        Asian … text (Western European words have an accent here and there, never four in a row)."""
        words = sum(1 for run in self.runs if len(run.strip(_LETTERS)) >= 4)
        return words > 0 and words >= len(self.runs) // 4

    def add(self, data: bytes, line: int, source: str) -> None:
        sign = _UTF8_SIGNS.search(data)
        if sign:
            raise _mixed(source, line + data.count(b"\n", 0, sign.start()), line)
        if self.undefined is None:
            undefined = _NOT_CP1252.search(data)
            if undefined:
                self.undefined = (line + data.count(b"\n", 0, undefined.start()), data[undefined.start()])
        for m in itertools.islice(_RUN.finditer(data), max(0, _MAX_RUNS - len(self.runs))):
            run = m.group()
            self.runs.append(run)
            if self.word_line is None and len(run.strip(_LETTERS)) >= 4:
                self.word_line = line + data.count(b"\n", 0, m.start())

    def score(self, codec: str) -> int:
        """How plausibly the samples read in ``codec``: each character where a word would have it
        counts for, else against ("José" for, "JosŽ", "MŸller", "Zo‘", "€pfel" against)."""
        total = 0
        for run in self.runs:
            text = run.decode(codec, errors="replace")
            for i, ch in enumerate(text):
                if ch.isascii():
                    continue
                prev, after = text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""
                if ch.isalpha():
                    misplaced = ch.isupper() and (prev.islower() or (prev.isupper() and after.islower()))
                    lone = ch.isupper() and not prev and not after  # a capital alone: "a Ð b" (Mac "a – b")
                    total += -1 if misplaced else 0 if lone else 2 if ch in _COMMON else 1
                elif ch in _OPENING:
                    total += -1 if prev.isalpha() else 2
                elif ch in _CLOSING:  # an apostrophe (O’Neil) over a capital between capitals (OÕNeil)
                    total += 3
                elif ch in _DASHES:
                    total += 0 if prev.isalpha() and after.isalpha() else 2
                elif ch in _SYMBOLS:
                    total += -1 if after.isalpha() and ch != "°" else 2
                else:
                    total -= 1
        return total


def _mixed(source: str, utf8_line: int, other_line: int) -> InputError:
    return InputError(
        f"{source}: mixed text encodings: line {utf8_line} is UTF-8 but line {other_line} is not (Windows-1252?); "
        "were two files joined?",
        hint="open the roster in a spreadsheet and save it again as 'CSV UTF-8'",
    )


def decode_roster(data: bytes, source: str) -> tuple[str, str]:
    """Decode a small CSV held in memory (a revocation list of ids) exactly as rosters are read:
    :func:`detect_encoding`'s rules. Returns (text, encoding label)."""
    label, codec = _detect_encoding(io.BytesIO(data), source)
    try:
        return data.decode(codec), label
    except UnicodeDecodeError as exc:  # pragma: no cover - detection has read every byte
        raise InputError(f"{source}: invalid {label} text at byte {exc.start}") from None

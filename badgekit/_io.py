"""File helpers every command uses: atomic writes, secret files, bounded reads, safe JSON.

Atomic writes go to a temporary file in the target's directory, are flushed to disk and then
renamed over the target (``os.replace``), so a crash leaves either the old file or the new one,
never half of either. A write the environment refuses (read-only folder, full disk, file-size
limit, a file where a folder should be) raises :class:`~badgekit.errors.OutputError` naming the
path and the cause (:func:`output_error`).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import math
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from badgekit.errors import InputError, LimitExceeded, OutputError

#: Largest credential or badge image badgekit reads (a baked PNG is rarely above a few MB).
MAX_INPUT_BYTES = 16 * 1024 * 1024
#: Deepest JSON nesting accepted; OB 3.0 credentials nest about 8 levels.
MAX_JSON_DEPTH = 64


def atomic_write(
    path: str | os.PathLike[str], data: bytes | str, *, mode: int = 0o644, durable: bool = True,
    staging: str | os.PathLike[str] | None = None,
) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + fsync + rename). Returns the path.

    ``durable=False`` skips the fsync (bulk outputs, where it costs more than signing): the rename
    is still atomic for readers and for a killed process; after a power loss the file may be
    empty, which the caller must treat as missing. ``staging``: a folder on the same filesystem
    for the temp file (creating files in a folder of 100,000 credentials is slow on ext4; renaming
    into it is not).

    Raises:
        OutputError: the file cannot be written (names ``path`` and the cause); the temp file is
            removed and ``path`` is as it was.
    """
    target = os.fspath(path)
    write_atomically(target, data, mode=mode, durable=durable, staging=staging)
    return Path(target)


def write_atomically(target: str, data: bytes | str, *, mode: int = 0o644, durable: bool = True,
                     staging: str | os.PathLike[str] | None = None) -> None:
    """:func:`atomic_write` for bulk outputs: the same file, the same guarantees and errors,
    without the :class:`~pathlib.Path` it returns (a few µs per file: issue 18)."""
    try:
        _write_atomically(target, data, mode=mode, durable=durable, staging=staging)
    except OSError as exc:
        raise output_error(exc, target) from None


def _write_atomically(target: str, data: bytes | str, *, mode: int, durable: bool,
                      staging: str | os.PathLike[str] | None) -> None:
    # Plain system calls (no file object, no random name): bulk runs write one file per
    # credential, and on tmpfs this is half the cost of mkstemp + fdopen (issue 18).
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = _create_temp(os.fspath(staging) if staging is not None else os.path.dirname(target) or ".",
                           os.path.basename(target))
    try:
        try:
            written = os.write(fd, data)
            if written < len(data):  # a short write (a signal, a full disk): the rest, until done or refused
                view = memoryview(data)[written:]
                while view:
                    view = view[os.write(fd, view):]
            if durable:
                os.fsync(fd)
            os.fchmod(fd, mode)
        finally:
            os.close(fd)
        try:
            os.replace(tmp, target)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(target) or ".", exist_ok=True)
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


_TEMP_NUMBERS = itertools.count()
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
#: This process's id in temp names, as hex (a system call per file saved; a forked child, a
#: worker, sets its own)
_PID = [f"{os.getpid():x}"]
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _PID.__setitem__(0, f"{os.getpid():x}"))


def _create_temp(tmp_dir: str, name: str) -> tuple[int, str]:
    """A new file (mode 0600) for the contents of ``name``, in ``tmp_dir``: ``O_EXCL``, so no two
    writers ever share one (a name taken, by another process or a killed run's leftover, moves on
    to the next number). Optimistic about the folder: in bulk runs it exists, and a mkdir per file
    costs more than the write; a missing one (first file, or a concurrent run sharing the staging
    folder removed it when it looked empty; it only removes it empty) is made and the call retried."""
    missing = 0
    while True:
        tmp = os.path.join(tmp_dir, f".{name}.{_PID[0]}-{next(_TEMP_NUMBERS):x}.tmp")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            missing += 1
            if missing == 8:
                raise
            os.makedirs(tmp_dir, exist_ok=True)


def write_new_secret(path: str | os.PathLike[str], data: bytes) -> Path:
    """Create ``path`` with mode 0600 and write ``data``; never overwrite an existing file.

    Raises:
        FileExistsError: the path already exists (the caller turns this into a key error).
        OutputError: the file cannot be written (read-only folder, full disk …).
    """
    import tempfile  # start-up: with shutil, random, bz2, lzma ~3 ms of a cold `verify`, for key files only

    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write to a private temp file, then link it into place: link() fails if the target exists,
        # so two concurrent writers cannot both "win", and a crash never leaves a partial key.
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target) from None
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, target)
    except FileExistsError:
        raise
    except OSError as exc:
        raise output_error(exc, target) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return target


#: errno values that always mean the disk or the folder, never a bug in badgekit: an OSError with
#: one of them is an environment fault even when it names no file (a write to an open file).
ENVIRONMENT_ERRNOS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES", "EPERM", "EIO") if hasattr(errno, name)
)
_CAUSES = {
    getattr(errno, name): text for name, text in (
        ("ENOSPC", "no space left on the device"),
        ("EDQUOT", "disk quota exceeded"),
        ("EFBIG", "file too large for the file-size limit, ulimit -f, or the file system"),
        ("EROFS", "read-only file system"),
        ("EACCES", "permission denied"),
        ("EPERM", "operation not permitted"),
        ("EISDIR", "it is a folder"),
        ("EIO", "input/output error: the disk or file system failed"),
    ) if hasattr(errno, name)
}


# What makes a spreadsheet read a CSV cell as a formula ("CSV injection", OWASP): = + - @, the tab
# or carriage return some applications skip before one, and the full-width forms East Asian Excel takes.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(text: str) -> str:
    """``text`` for a CSV cell a spreadsheet will open (issued.csv, reports): a leading ``'`` keeps
    a value that starts like a formula (``=HYPERLINK(…)``, ``@SUM(…)``, ``-2+3``) inert text."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def output_error(exc: OSError, path: str | os.PathLike[str] | None = None, *, action: str | None = "cannot write") -> OutputError:
    """``exc``, raised while writing ``path`` (default: the file it names), as one line naming the
    path and the cause: ``out/x.json: cannot write (no space left on the device)``, ``out/x.json:
    cannot write (out is a file, not a folder)``. ``action=None`` leaves out "cannot write"."""
    filename = exc.filename if path is None else path
    where = Path(os.fsdecode(filename)) if filename is not None else None
    cause = _cause(exc, where)
    text = f"{action} ({cause})" if action else cause
    return OutputError(f"{where}: {text}" if where is not None else text)


def environment_error(exc: OSError) -> OutputError | None:
    """``exc`` as an :class:`OutputError` when the environment caused it (it names a file, or its
    errno is one of :data:`ENVIRONMENT_ERRNOS`); None when nothing says so (then it is a bug)."""
    if exc.filename is None and exc.errno not in ENVIRONMENT_ERRNOS:
        return None
    return output_error(exc, action=None)


def _cause(exc: OSError, where: Path | None) -> str:
    if exc.errno in (errno.ENOTDIR, errno.EEXIST, errno.ENOENT):
        # mkdir of a folder, or a write below it (or below the temp file's folder), where a file
        # of that name is in the way
        named = [Path(os.fsdecode(f)) for f in (exc.filename, exc.filename2) if f is not None]
        for path in [where, *named] if where is not None else named:
            for folder in (path, *path.parents) if exc.errno == errno.EEXIST else path.parents:
                if os.path.lexists(folder) and not folder.is_dir():
                    return "it is a file, not a folder" if folder == where else f"{folder} is a file, not a folder"
    return _CAUSES.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


def is_private_to_owner(path: str | os.PathLike[str]) -> bool:
    """True when neither group nor others can read or write the file."""
    return not (os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def read_bounded(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> bytes:
    """Read a whole file, refusing files larger than ``limit`` bytes.

    Raises:
        InputError: the file is missing, unreadable or a directory.
        LimitExceeded: the file is larger than ``limit``.
    """
    try:
        # A file descriptor, no file object: the file is read in one or two system calls into a
        # buffer of its size (a buffered read of the limit allocated 16 MiB per credential; the
        # file object itself cost as much as the read, issue 18). The first limit + 1 bytes either
        # way: a size of 0 (a pipe, /proc) reads up to the limit, a file that grew is read on.
        fd = os.open(path, _READ_FLAGS)
        try:
            size = os.fstat(fd).st_size
            want = size + 1 if 0 < size < limit else limit + 1
            data = _read_up_to(fd, want)
            if len(data) == want <= limit:
                data += _read_up_to(fd, limit + 1 - want)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise InputError(f"{Path(path)}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{Path(path)}: is a directory, expected a file") from None
    except OSError as exc:
        raise InputError(f"{Path(path)}: cannot read ({exc.strerror})") from None
    if len(data) > limit:
        raise LimitExceeded(f"{Path(path)}: larger than {limit // (1024 * 1024)} MiB, refused")
    return data


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_up_to(fd: int, n: int) -> bytes:
    """Up to ``n`` bytes of ``fd``, fewer only at the end of the file (what a buffered read(n) returns)."""
    chunks = []
    while n > 0:
        chunk = os.read(fd, n)
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def expand_folders(paths: Iterable[str | os.PathLike[str]], suffixes: Sequence[str], *,
                   found: set[str] | None = None) -> list[Path]:
    """Files as given, folders expanded (not recursively) to their files ending in one of
    ``suffixes`` (any case) in name order, hidden files skipped: the inputs of a command that
    takes files or folders of them (``verify``, ``migrate``). ``found``: gets the files (``str(path)``)
    that were found in a folder and not also named.

    Raises:
        InputError: a path does not exist, or a folder holds no such file.
    """
    out: list[Path] = []
    named: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            # os.scandir: the file type comes with the listing (one stat per symlink, not per file);
            # the same files and order as sorted(p.iterdir()) filtered by Path.is_file().
            with os.scandir(p) as entries:
                names = sorted(e.name for e in entries
                               if not e.name.startswith(".") and os.path.splitext(e.name)[1].lower() in suffixes and e.is_file())
            if not names:
                globs = [f"*{s}" for s in suffixes]
                either = f"{', '.join(globs[:-1])} or {globs[-1]}" if len(globs) > 1 else globs[0]
                raise InputError(f"{p}: no {either} files in this folder")
            files = [p / name for name in names]
            out.extend(files)
            if found is not None:
                found.update(map(str, files))  # str: cached on the Path, and hashed faster
        elif p.exists():
            out.append(p)
            named.append(p)
        else:
            raise InputError(f"{p}: no such file or folder")
    if found:
        found.difference_update(map(str, named))
    return out


def loads_json(data: bytes | str, *, source: str = "input", max_depth: int = MAX_JSON_DEPTH) -> Any:
    r"""Parse JSON strictly, bounding nesting depth.

    Refused, because parsers disagree on them and a signed document must mean one thing to all:
    duplicate keys in an object (some keep the first value, some the last), NaN and Infinity,
    numbers beyond an IEEE 754 double (RFC 8259 §6: ``1e400``, 400-digit integers), and strings
    with an unpaired UTF-16 surrogate (``"\ud800"``: not Unicode text, cannot be re-encoded).

    Raises:
        InputError: the text is not such JSON (message names ``source``, and line and column
            where the parser reports them).
        LimitExceeded: nesting deeper than ``max_depth``.
    """
    return loads_json_shape(data, source=source, max_depth=max_depth)[0]


def loads_json_shape(data: bytes | str, *, source: str = "input", max_depth: int = MAX_JSON_DEPTH) -> tuple[Any, JsonShape]:
    """:func:`loads_json`, and the :class:`JsonShape` of the value, from the same walk that
    bounds its depth (so a caller that needs the counts does not walk the value again).

    Raises:
        InputError, LimitExceeded: as :func:`loads_json`.
    """
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8-sig")
        if data.startswith("\ufeff"):  # what json.loads says of a str with a BOM
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", data, 0)
        value = _STRICT.decode(data)  # json.loads(data, <the hooks of _STRICT>), without a new decoder per call
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        pos, msg = _trailing_comma(exc.doc, exc.pos) or (exc.pos, exc.msg)
        line, column = exc.doc.count("\n", 0, pos) + 1, pos - exc.doc.rfind("\n", 0, pos)
        raise InputError(f"{source}: malformed JSON at line {line}, column {column}: {msg}") from None
    except RecursionError:
        raise LimitExceeded(f"{source}: JSON nested too deeply") from None
    except ValueError as exc:
        raise InputError(f"{source}: {exc}") from None
    shape = json_shape(value)
    if shape.depth > max_depth:
        raise LimitExceeded(f"{source}: JSON nested deeper than {max_depth} levels")
    # Only a \uD800-\uDFFF escape (or a non-ASCII str argument) can carry a surrogate: skip the walk otherwise.
    if (_ESCAPED_SURROGATE.search(data) or (not data.isascii() and re.search(_SURROGATE, data))) and _has_lone_surrogate(value):
        raise InputError(f"{source}: a JSON string holds an unpaired UTF-16 surrogate (\\ud800-\\udfff escape): not Unicode text")
    return value, shape


_JSON_SPACE = " \t\n\r"


def _trailing_comma(doc: str, pos: int) -> tuple[int, str] | None:
    """The comma that ends a list of values before ``]`` or ``}``, when that is what the parser
    stopped at, with one wording: Python 3.13 reports the comma ("Illegal trailing comma ..."),
    earlier versions the bracket after it ("Expecting value"), so the same file would get
    another line and column depending on the Python running badgekit."""
    if pos < len(doc) and doc[pos] in "]}":
        comma = pos - 1
        while comma >= 0 and doc[comma] in _JSON_SPACE:
            comma -= 1
    else:
        comma = pos
    if not (0 <= comma < len(doc) and doc[comma] == ","):
        return None
    after = comma + 1
    while after < len(doc) and doc[after] in _JSON_SPACE:
        after += 1
    before = comma - 1
    while before >= 0 and doc[before] in _JSON_SPACE:
        before -= 1
    if after >= len(doc) or doc[after] not in "]}" or before < 0 or doc[before] in "[{,:":
        return None  # not after a value: "[,]" and "{,}" keep the parser's own message
    return comma, f"trailing comma before the end of the {'array' if doc[after] == ']' else 'object'}"


def load_json_file(path: str | os.PathLike[str], *, limit: int = MAX_INPUT_BYTES) -> Any:
    """Read and parse a JSON file with the size and depth bounds above."""
    return loads_json(read_bounded(path, limit=limit), source=str(path))


def dumps_json(value: Any, *, indent: int | None = 2) -> str:
    """Serialise JSON the way badgekit writes files: UTF-8, keys in given order, newline at end.
    ``indent=None`` writes one compact line (the C encoder: ~10x faster, for bulk outputs)."""
    if indent is None:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(value, indent=indent, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class JsonShape:
    """What one walk of a parsed JSON value finds (:func:`json_shape`): enough for a reader to
    know, without walking it again, its size and whether some key or array needs a closer look.

    ``depth``: nesting depth (0 for a scalar, as :func:`json_depth`). ``values``: JSON values,
    containers included (what :func:`badgekit.limits.count_values` counts, not stopped at a
    limit). ``objects``: JSON objects. ``keys``: every key of every object; ``inner_keys``: those
    of objects other than the top one. ``repeats``: some array has two or more entries that are
    not all distinct strings (it may list a value twice).
    """

    depth: int
    values: int
    objects: int
    keys: frozenset[str]
    inner_keys: frozenset[str]
    repeats: bool


def json_shape(value: Any) -> JsonShape:
    """The :class:`JsonShape` of a parsed JSON value, in one walk without recursion (level by
    level: the containers of each depth in turn)."""
    if not isinstance(value, (dict, list)):
        return JsonShape(0, 1, 0, frozenset(), frozenset(), False)
    depth = objects = 0
    values = 1
    repeats = False
    inner: set[str] = set()
    add_keys = inner.update
    level: list[Any] = [value]
    while level:
        depth += 1
        below: list[Any] = []
        push = below.append
        for node in level:
            values += len(node)
            if isinstance(node, dict):
                objects += 1
                if depth > 1:
                    add_keys(node)
                children = node.values()
            else:
                children = node
                if not repeats and len(node) > 1:
                    # Distinct strings cannot repeat a value; anything else may (1 == 1.0, equal objects).
                    repeats = set(map(type, node)) != _ONLY_STR or len(set(node)) != len(node)
            for child in children:
                cls = child.__class__  # most values are strings: no isinstance for them
                if cls is dict or cls is list or (cls is not str and isinstance(child, (dict, list))):
                    push(child)
        level = below
    top = frozenset(value) if isinstance(value, dict) else frozenset()
    return JsonShape(depth, values, objects, top | inner, frozenset(inner), repeats)


_ONLY_STR = {str}


def as_list(value: object) -> list[Any]:
    """A JSON(-LD) member that may hold one value or an array of them, as a new list (``[]``
    for None), e.g. ``type``, ``@context``, ``credentialSubject`` or ``verificationMethod``."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value (0 for a scalar), computed without recursion."""
    if not isinstance(value, (dict, list)):
        return 0
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
    return deepest


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key[:80]!r} in a JSON object: parsers disagree on which value counts; refused")
            seen.add(key)
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:40]} is out of range (beyond an IEEE 754 double)")
    return value


#: Longest integer literal read: ~1.8e308, the largest double (Python itself refuses over 4,300 digits).
_MAX_INT_DIGITS = 309


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        raise ValueError(f"a {len(text.lstrip('-'))}-digit integer is out of range (beyond an IEEE 754 double)")
    value = int(text)
    try:
        float(value)
    except OverflowError:
        raise ValueError(f"integer {text[:40]}… is out of range (beyond an IEEE 754 double)") from None
    return value


#: The decoder of :func:`loads_json` (a JSONDecoder keeps no state between calls; json.loads
#: with these hooks would build a new one each time).
_STRICT = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_reject_constant,
                           parse_float=_finite_float, parse_int=_bounded_int)

_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = "[\ud800-\udfff]"  # compiled on first use (re's cache): only non-ASCII text needs it (issue 18)


def _has_lone_surrogate(value: Any) -> bool:
    # The parser joins an escaped surrogate pair into one character, so any surrogate left is unpaired.
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            if re.search(_SURROGATE, node):
                return True
        elif isinstance(node, dict):
            stack.extend(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False

"""badgekit._io: atomic writes, bounded reads, bounded JSON."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from badgekit import _io
from badgekit.errors import InputError, LimitExceeded, OutputError

ROOT = Path(__file__).resolve().parents[2]


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "c.json"  # the folder is made
    _io.atomic_write(target, "one")
    _io.atomic_write(target, b"two", mode=0o600)
    assert target.read_text() == "two"
    assert os.stat(target).st_mode & 0o777 == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["c.json"]


def test_atomic_write_survives_a_concurrent_run_removing_the_shared_staging_folder(tmp_path, monkeypatch):
    # Two bulk runs share out/.partial; the one that finishes first removes it when it looks empty.
    staging = tmp_path / ".partial"
    staging.mkdir()
    real = os.open
    calls = []

    def racing_open(path, *args, **kwargs):
        if os.path.dirname(path) == str(staging):
            calls.append(1)
            if len(calls) == 1:
                staging.rmdir()  # the other run's cleanup lands just before our temp file is made
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", racing_open)
    _io.atomic_write(tmp_path / "c.json", "x", durable=False, staging=staging)
    assert (tmp_path / "c.json").read_text() == "x" and len(calls) == 2
    assert list(staging.iterdir()) == []


def test_atomic_write_never_reuses_a_temp_file_left_by_another_writer(tmp_path):
    # O_EXCL: a temp name that exists (a killed run's leftover, another process) is skipped, not overwritten.
    number = next(_io._TEMP_NUMBERS) + 1
    leftover = tmp_path / f".c.json.{os.getpid():x}-{number:x}.tmp"
    leftover.write_text("someone else's")
    _io.atomic_write(tmp_path / "c.json", "mine", durable=False)
    assert (tmp_path / "c.json").read_text() == "mine" and leftover.read_text() == "someone else's"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["c.json", leftover.name])


def test_atomic_write_failure_leaves_target_untouched(tmp_path, monkeypatch):
    target = tmp_path / "c.json"
    target.write_text("old")

    def boom(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OutputError, match=r"c\.json: cannot write \(no space left on the device\)"):
        _io.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_write_atomically_makes_the_file_atomic_write_makes_without_a_path(tmp_path):
    # the bulk writer (one file per credential): same bytes and mode, no temp left, None returned
    target = tmp_path / "sub" / "c.json"
    assert _io.write_atomically(str(target), "é one", durable=False, staging=str(tmp_path / ".staging")) is None
    assert target.read_bytes() == "é one".encode() and os.stat(target).st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["c.json"] and list((tmp_path / ".staging").iterdir()) == []
    with pytest.raises(OutputError, match=r"c\.json"):
        _io.write_atomically(str(target / "x.json"), "x")  # a file where a folder should be


def test_a_short_write_is_completed(tmp_path, monkeypatch):
    # os.write may write less than asked (a signal, a pipe, a nearly full disk): the rest follows
    real = os.write
    sizes = []

    def short(fd, data):
        sizes.append(len(data))
        return real(fd, bytes(data[:3]))

    monkeypatch.setattr(os, "write", short)
    _io.write_atomically(str(tmp_path / "c.json"), b"0123456789", durable=False)
    assert (tmp_path / "c.json").read_bytes() == b"0123456789" and sizes == [10, 7, 4, 1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_process_names_its_temp_files_by_its_own_id(tmp_path):
    # the id in temp names is looked up once per process, not per file: a forked worker sets its own
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the id its temp names would carry, and leave at once
        os.write(write, _io._PID[0].encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        seen = fh.read()
    os.waitpid(pid, 0)
    assert seen == f"{pid:x}" and _io._PID[0] == f"{os.getpid():x}"


def test_read_bounded_names_the_file_when_too_large(tmp_path):
    f = tmp_path / "big.json"
    f.write_bytes(b"x" * 101)
    with pytest.raises(LimitExceeded, match="big.json"):
        _io.read_bounded(f, limit=100)


def test_loads_json_refuses_deep_nesting_without_recursion_error():
    with pytest.raises((InputError, LimitExceeded)):
        _io.loads_json("[" * 100_000 + "]" * 100_000, source="deep.json")


def test_atomic_write_makes_missing_target_and_staging_folders(tmp_path):
    target = tmp_path / "a" / "b" / "c.json"
    _io.atomic_write(target, "x", durable=False, staging=tmp_path / "a" / ".partial")
    assert target.read_text() == "x" and list((tmp_path / "a" / ".partial").iterdir()) == []


WRITE_OVER_LIMIT = """
import resource, sys
from badgekit import _io
from badgekit.errors import OutputError
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    _io.atomic_write(sys.argv[1], b"x" * 10_000)
except OutputError as exc:
    print(exc.message)
"""


def test_a_write_over_the_file_size_limit_is_an_output_error_and_leaves_the_old_file(tmp_path):
    # ulimit -f: the write fails with EFBIG (Python ignores SIGXFSZ, which would kill the process).
    target = tmp_path / "c.json"
    target.write_text("old")
    done = subprocess.run([sys.executable, "-c", WRITE_OVER_LIMIT, str(target)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{target}: cannot write (file too large for the file-size limit, ulimit -f, or the file system)\n"
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_a_file_where_a_folder_should_be_is_named(tmp_path):
    (tmp_path / "out").write_text("a file, not a folder")
    for target in (tmp_path / "out" / "c.json", tmp_path / "out" / "sub" / "c.json"):
        with pytest.raises(OutputError) as info:
            _io.atomic_write(target, "x")
        assert info.value.message == f"{target}: cannot write ({tmp_path / 'out'} is a file, not a folder)"
    with pytest.raises(OutputError, match=r"out is a file, not a folder"):
        _io.write_new_secret(tmp_path / "out" / "key.pem", b"secret")
    (tmp_path / "key.pem").write_bytes(b"old")
    with pytest.raises(FileExistsError):  # still its own error: keys are never overwritten
        _io.write_new_secret(tmp_path / "key.pem", b"new")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_an_output_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(OutputError, match=r"ro/c\.json: cannot write \(permission denied\)"):
            _io.atomic_write(folder / "c.json", "x")
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize(("code", "cause"), [
    (errno.ENOSPC, "no space left on the device"),
    (errno.EDQUOT, "disk quota exceeded"),
    (errno.EROFS, "read-only file system"),
    (errno.EACCES, "permission denied"),
    (errno.EIO, "input/output error: the disk or file system failed"),
])
def test_environment_errors_name_the_path_and_the_cause(code, cause):
    exc = OSError(code, os.strerror(code), "out/c.json")
    assert _io.environment_error(exc).message == f"out/c.json: {cause}"
    assert _io.output_error(OSError(code, os.strerror(code)), "out/c.json").message == f"out/c.json: cannot write ({cause})"
    # a write to an open file names no file, and is still the environment's fault, not a bug
    assert _io.environment_error(OSError(code, os.strerror(code))).message == cause
    assert _io.environment_error(OSError(errno.EINVAL, "Invalid argument")) is None  # a bug: not mapped
@pytest.mark.parametrize(("text", "where"), [
    ('{\n  "name": "Python Basics",\n}', "line 2, column 26: trailing comma before the end of the object"),
    ("[1, 2 ,\n\n ]", "line 1, column 7: trailing comma before the end of the array"),
    ("[,]", "line 1, column 2: Expecting value"),  # no value before the comma: the parser's own words
])
def test_loads_json_names_a_trailing_comma_alike_on_every_python(text, where):
    # Python 3.13 reports the comma, 3.11 and 3.12 the bracket after it: one message for both.
    with pytest.raises(InputError) as info:
        _io.loads_json(text, source="x.json")
    assert info.value.message == f"x.json: malformed JSON at {where}"


def test_read_bounded_sizes_its_buffer_by_the_file_not_the_limit(tmp_path):
    # Issue 18: a buffer of the limit (16 MiB) per credential cost more than reading it.
    import tracemalloc

    f = tmp_path / "c.json"
    f.write_bytes(b"{}" * 500)
    tracemalloc.start()
    try:
        assert _io.read_bounded(f) == b"{}" * 500
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100_000


@pytest.mark.parametrize("size", [0, 1, 99, 100, 101, 250])
def test_read_bounded_reads_what_it_did_at_every_size(tmp_path, size):
    f = tmp_path / "c.bin"
    f.write_bytes(bytes(range(256))[:size] if size <= 256 else b"x" * size)
    if size > 100:
        with pytest.raises(LimitExceeded):
            _io.read_bounded(f, limit=100)
    else:
        assert _io.read_bounded(f, limit=100) == f.read_bytes()


def test_read_bounded_reads_files_whose_size_is_unknown():
    # /proc files report size 0: read up to the limit, as before.
    text = _io.read_bounded("/proc/self/status", limit=1 << 20)
    assert b"Name:" in text


def _reference_loads(data, max_depth=_io.MAX_JSON_DEPTH):
    """loads_json before issue 18: json.loads with the hooks, json_depth, the surrogate regex."""
    import json
    import re

    if isinstance(data, bytes):
        data = data.decode("utf-8-sig")
    value = json.loads(data, object_pairs_hook=_io._unique_keys, parse_constant=_io._reject_constant,
                       parse_float=_io._finite_float, parse_int=_io._bounded_int)
    if _io.json_depth(value) > max_depth:
        raise LimitExceeded("deep")
    if re.search(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]", data) and _io._has_lone_surrogate(value):
        raise ValueError("surrogate")
    return value


@pytest.mark.parametrize("data", [
    '{"a": [1, 2.5, "x"]}', b'\xef\xbb\xbf{"a": 1}', '\ufeff{"a": 1}', '{"a": "\\ud800"}', '{"a": "\\ud83d\\ude00"}',
    '{"é": "\ud800"}', '{"a": "\\uD8FF"}', '{"a": "\\ud7ff"}', '{"a": 1, "a": 2}', '[NaN]', '[1e400]', '{"a": ',
    "[" * 70 + "]" * 70, '"\\u00e9"', '{"k": "\u00e9\U0001F600"}',
])
def test_loads_json_is_the_reference_parse(data):
    try:
        expected: object = _reference_loads(data)
    except (ValueError, LimitExceeded) as exc:  # JSONDecodeError is a ValueError
        expected = LimitExceeded if isinstance(exc, LimitExceeded) else ValueError
    try:
        got: object = _io.loads_json(data)
    except InputError as exc:
        got = LimitExceeded if isinstance(exc, LimitExceeded) else ValueError
    except LimitExceeded:
        got = LimitExceeded
    assert got == expected


def test_loads_json_shape_counts_the_value():
    value, shape = _io.loads_json_shape('{"a": [1, {"b": null}], "c": "d"}')
    assert (shape.depth, shape.values, shape.objects) == (3, 6, 2)
    assert shape.keys == {"a", "b", "c"} and shape.inner_keys == {"b"}
    assert shape.repeats  # [1, {...}]: not all strings, so it may list a value twice
    assert not _io.json_shape(["x", "y", {"z": ["p", "q"]}][2]).repeats


def test_read_bounded_reads_a_pipe_to_its_end(tmp_path):
    # A FIFO reports size 0 and is read in pieces: every piece, up to the limit.
    import threading

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "wb") as fh:
            for _ in range(40):
                fh.write(b"x" * 1000)
                fh.flush()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert _io.read_bounded(fifo, limit=100_000) == b"x" * 40_000
    finally:
        thread.join()
def test_expand_folders_lists_the_files_of_a_folder_with_those_suffixes(tmp_path):
    # One folder expansion for `verify DIR` and `migrate DIR` (each with its own suffixes).
    for name in ("b.JSON", "a.png", ".hidden.json", "notes.txt"):
        (tmp_path / name).write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.json").write_text("{}")
    given = tmp_path / "notes.txt"  # a file named is taken as it is, whatever its suffix
    assert _io.expand_folders([given, tmp_path], (".json", ".png")) == [given, tmp_path / "a.png", tmp_path / "b.JSON"]
    with pytest.raises(InputError) as info:
        _io.expand_folders([tmp_path / "missing"], (".json",))
    assert info.value.message == f"{tmp_path / 'missing'}: no such file or folder"
    with pytest.raises(InputError) as info:
        _io.expand_folders([tmp_path / "sub"], (".png", ".svg", ".jws"))
    assert info.value.message == f"{tmp_path / 'sub'}: no *.png, *.svg or *.jws files in this folder"
    with pytest.raises(InputError) as info:
        _io.expand_folders([tmp_path / "sub"], (".png",))
    assert info.value.message == f"{tmp_path / 'sub'}: no *.png files in this folder"


def test_as_list_reads_one_value_or_an_array_as_a_new_list():
    # One helper for every JSON(-LD) member that may be a value or an array (type, @context, ...).
    values = ["a", "b"]
    assert _io.as_list(values) == values and _io.as_list(values) is not values
    assert _io.as_list("a") == ["a"] and _io.as_list({"id": "x"}) == [{"id": "x"}]
    assert _io.as_list(None) == [] and _io.as_list([]) == [] and _io.as_list(0) == [0]

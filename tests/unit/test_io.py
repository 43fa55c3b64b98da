"""badgekit._io: atomic writes, bounded reads, bounded JSON."""

from __future__ import annotations

import os
import tempfile

import pytest

from badgekit import _io
from badgekit.errors import InputError, LimitExceeded


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
    real = tempfile.mkstemp
    calls = []

    def racing_mkstemp(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            staging.rmdir()  # the other run's cleanup lands just before our mkstemp
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", racing_mkstemp)
    _io.atomic_write(tmp_path / "c.json", "x", durable=False, staging=staging)
    assert (tmp_path / "c.json").read_text() == "x" and len(calls) == 2
    assert list(staging.iterdir()) == []


def test_atomic_write_failure_leaves_target_untouched(tmp_path, monkeypatch):
    target = tmp_path / "c.json"
    target.write_text("old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        _io.atomic_write(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


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

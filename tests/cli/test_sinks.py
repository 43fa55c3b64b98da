"""badgekit.cli._sinks: the bytes each output format writes (verify's --json/--jsonl/one-line
output goes through them; tests/cli/test_verify_cli.py checks the command end to end)."""

from __future__ import annotations

import io
import json

from badgekit.cli._sinks import Human, Json, Jsonl

ITEMS = [{"a": 1, "é": "ü"}, {"b": [1, 2]}]


def run(sink, items=ITEMS) -> None:
    for item in items:
        sink.write(item)
    sink.close()


def test_json_many_is_one_array_streamed_one_item_per_line():
    out = io.StringIO()
    run(Json(many=True, out=out))
    assert out.getvalue() == '[\n{"a": 1, "é": "ü"},\n{"b": [1, 2]}\n]\n'
    assert json.loads(out.getvalue()) == ITEMS


def test_json_many_with_nothing_is_still_an_array():
    out = io.StringIO()
    run(Json(many=True, out=out), [])
    assert json.loads(out.getvalue()) == []


def test_json_one_is_an_indented_document():
    out = io.StringIO()
    run(Json(many=False, out=out, encode=lambda x: {"wrapped": x}), ITEMS[:1])
    assert out.getvalue() == json.dumps({"wrapped": ITEMS[0]}, indent=2, ensure_ascii=False) + "\n"


def test_jsonl_is_one_compact_document_per_line():
    out = io.StringIO()
    run(Jsonl(out=out))
    assert [json.loads(line) for line in out.getvalue().splitlines()] == ITEMS
    assert out.getvalue().count("\n") == 2 and "\n " not in out.getvalue()


def test_human_hands_each_item_to_the_commands_writer():
    out, shown = io.StringIO(), []
    run(Human(shown.append, out=out))
    assert shown == ITEMS and out.getvalue() == ""


class CountingOut(io.StringIO):
    """A stream that counts the writes and flushes reaching it (each one a system call on stdout)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = self.flushes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)

    def flush(self) -> None:
        self.flushes += 1


def test_jsonl_writes_in_batches_not_a_system_call_per_line():
    # Before (issue 18): one write and one flush per line, a system call each.
    out = CountingOut()
    items = [{"n": n} for n in range(1000)]
    run(Jsonl(out=out), items)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == items
    assert out.writes <= 3 and out.flushes <= 3


def test_lines_first_line_at_once_then_after_flush_seconds(monkeypatch):
    from badgekit.cli import _sinks

    clock = [100.0]
    monkeypatch.setattr(_sinks.time, "monotonic", lambda: clock[0])
    out = CountingOut()
    lines = _sinks.Lines(out)
    lines.write("a\n")
    assert out.getvalue() == "a\n"  # a reader sees the first result at once
    lines.write("b\n")
    clock[0] += _sinks.FLUSH_SECONDS / 2
    lines.write("c\n")
    assert out.getvalue() == "a\n"  # held: less than FLUSH_SECONDS since the last flush
    clock[0] += _sinks.FLUSH_SECONDS
    lines.write("d\n")
    assert out.getvalue() == "a\nb\nc\nd\n"  # the time has come: everything held goes, in order
    lines.write("e\n")
    lines.flush()
    assert out.getvalue() == "a\nb\nc\nd\ne\n"


def test_lines_flushes_after_flush_lines_whatever_the_time(monkeypatch):
    from badgekit.cli import _sinks

    monkeypatch.setattr(_sinks.time, "monotonic", lambda: 5.0)
    out = CountingOut()
    lines = _sinks.Lines(out)
    for n in range(_sinks.FLUSH_LINES + 1):
        lines.write(f"{n}\n")
    assert out.getvalue().count("\n") == _sinks.FLUSH_LINES + 1 and out.writes == 2

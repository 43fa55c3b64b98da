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

"""One command-line vocabulary (issue 14 item 6; badgekit/cli/_options.py): a short flag means one
thing in every command, every command has --json, the files a command works on are arguments, and
the spellings renamed for that keep working for one release, with a warning on stderr."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from badgekit import keys, proof
from badgekit.cli import app
from tests.unit.test_baking_png import VECTORS, signed_credential

runner = CliRunner()


def _commands() -> list[tuple[str, Any]]:
    """Every command of the app, as ("status publish", click command)."""
    found: list[tuple[str, Any]] = []

    def walk(command: Any, path: list[str]) -> None:
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])
        if not hasattr(command, "commands"):
            found.append((" ".join(path), command))

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()


def _options(command: Any, *, hidden: bool = False) -> list[Any]:
    return [p for p in command.params if p.param_type_name == "option" and bool(p.hidden) == hidden]


def _spellings(option: Any) -> tuple[list[str], list[str]]:
    """(long names, short flags) of an option."""
    flags = [*option.opts, *option.secondary_opts]
    return [f for f in flags if f.startswith("--")], [f for f in flags if not f.startswith("--")]


#: The whole table of short flags: one long name each, in every command that has it (and -h, --help).
SHORT_FLAGS = {
    "-b": "--badge",
    "-c": "--credential",
    "-e": "--email",
    "-k": "--key",
    "-m": "--reason",
    "-n": "--limit",
    "-o": "--out",
    "-p": "--project",
    "-r": "--roster",
    "-t": "--template",
    "-w": "--workers",
}

#: Long names that have a short flag in some commands and not in others, and why.
NO_SHORT_FLAG_HERE = {
    ("init", "--email"): "the issuer's contact address written to badgekit.toml, not a selection of credentials",
}

#: Commands without --json, and why.
NO_JSON: dict[str, str] = {}


def test_a_short_flag_means_one_long_name_in_every_command() -> None:
    table: dict[str, set[str]] = {}
    for name, command in COMMANDS:
        for option in _options(command):
            longs, shorts = _spellings(option)
            for short in shorts:
                table.setdefault(short, set()).update(f"{long} ({name})" for long in longs[:1])
    meanings = {short: {entry.split(" (")[0] for entry in entries} for short, entries in table.items()}
    clashes = {short: sorted(table[short]) for short, longs in meanings.items() if len(longs) > 1}
    assert not clashes, f"short flags with several meanings: {clashes}"
    assert {short: longs.pop() for short, longs in meanings.items()} == SHORT_FLAGS


def test_a_long_name_has_its_short_flag_in_every_command() -> None:
    missing = []
    for name, command in COMMANDS:
        for option in _options(command):
            longs, shorts = _spellings(option)
            expected = {s for s, long in SHORT_FLAGS.items() if long in longs}
            if expected != set(shorts) and (name, longs[0]) not in NO_SHORT_FLAG_HERE:
                missing.append(f"{name} {longs[0]}: {sorted(shorts)} instead of {sorted(expected)}")
    assert not missing


def test_shared_options_are_one_definition() -> None:
    """--project, --key (with BADGEKIT_KEY), --out and --workers read the same in every command."""
    seen: dict[str, set[tuple[Any, ...]]] = {}
    for _name, command in COMMANDS:
        for option in _options(command):
            longs, _shorts = _spellings(option)
            if longs[0] in ("--project", "--key", "--workers", "--json"):
                envvar = option.envvar if longs[0] == "--key" else None
                help_ = option.help if longs[0] in ("--project", "--key") else None
                seen.setdefault(longs[0], set()).add((tuple(option.opts), envvar, help_, option.metavar, option.default))
    assert {k: len(v) for k, v in seen.items()} == {"--project": 1, "--key": 1, "--workers": 1, "--json": 1}
    assert next(iter(seen["--key"]))[1] == "BADGEKIT_KEY"


@pytest.mark.parametrize("name", ["", *sorted({n.split(" ")[0] for n, _ in COMMANDS}), *[n for n, _ in COMMANDS if " " in n]])
def test_every_help_page_renders(name: str) -> None:
    """Every --help page renders: a stray [tag] in a help text is Rich markup and crashed `init --help` (exit 70)."""
    result = runner.invoke(app, [*name.split(), "--help"])
    assert result.exit_code == 0, (name, result.output, result.exception)
    assert "Usage: badgekit" in result.output


def _help_texts() -> list[tuple[str, str]]:
    """Every text a --help page shows: each group's and command's help and epilog, each parameter's help."""
    texts: list[tuple[str, str]] = []

    def walk(command: Any, path: list[str]) -> None:
        where = " ".join(path) or "badgekit"
        texts.extend((where, t) for t in (command.help, command.epilog) if t)
        texts.extend((f"{where} {p.name}", p.help) for p in command.params if getattr(p, "help", None))
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return texts


def test_help_texts_print_as_written() -> None:
    """Help texts are Rich markup: `[smtp] url` lost its `[smtp]` (read as a style tag) and
    `did:key:zDn…` became `did🔑zDn…` (an emoji code); write `\\[smtp]`, and no `:name:` codes."""
    from rich.text import Text

    changed = []
    for where, text in _help_texts():
        written = re.sub(r"\[/?bold\]", "", text).replace("\\[", "[")
        if Text.from_markup(text).plain != written:
            changed.append(f"{where}: {text[:60]!r}")
    assert not changed


def test_every_command_has_json() -> None:
    without = [name for name, command in COMMANDS if not any("--json" in o.opts for o in _options(command))]
    assert sorted(without) == sorted(NO_JSON)


def _examples(command: Any) -> list[list[str]]:
    """The ``badgekit …`` calls in a command's --help examples, as words."""
    text = command.help or ""
    start = text.find("Example")
    if start < 0:
        return []
    text = re.sub(r"Examples?:", " ", text[start:])
    calls = []
    for segment in text.split("badgekit ")[1:]:
        segment = re.split(r";|&&|\||>", segment)[0]
        calls.append(shlex.split(segment))
    return calls


@pytest.mark.parametrize(("name", "command"), COMMANDS, ids=[name for name, _ in COMMANDS])
def test_help_examples_use_current_spellings(name: str, command: Any) -> None:
    current = {flag for option in _options(command) for flag in (*option.opts, *option.secondary_opts)}
    for words in _examples(command):
        assert " ".join(words).startswith(name), words
        unknown = [w.split("=", 1)[0] for w in words if w.startswith("-") and w.split("=", 1)[0] not in current]
        assert not unknown, f"badgekit {name} --help: {unknown} in {words}"
        assert not any(p.required for p in command.params if p.param_type_name == "option"
                       and not {*p.opts} & {*words}), f"badgekit {name} --help example lacks a required option: {words}"


# ---------------------------------------------------------------------------------------------
# Old spellings: still accepted for one release, with a warning naming the new one

BADGE = {
    "id": "urn:uuid:6f2c0d0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
    "type": ["Achievement"],
    "name": "Python Basics",
    "description": "Completed the Python Basics course.",
    "criteria": {"narrative": "Pass the final project."},
}


def _run(*args: Any) -> Any:
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A signed credential, a badge image, and a project (no status lists) with a badge class and a roster."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    (tmp_path / "signed.json").write_text(signed_credential(), encoding="utf-8", newline="")
    (tmp_path / "badge.png").write_bytes((VECTORS / "simple-json.png").read_bytes())
    assert _run("init", "proj", "--name", "Example University", "--no-status", "--no-input").exit_code == 0
    (tmp_path / "proj" / "badges" / "python.json").write_text(json.dumps(BADGE), encoding="utf-8")
    (tmp_path / "roster.csv").write_text("email,name\nada@example.org,Ada\n", encoding="utf-8")
    return tmp_path


def _unboxed(text: str) -> str:
    """A usage error as one line, without Rich's box."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", text).split())


def _same_file(a: str, b: str) -> Any:
    return lambda w, old, new: (w / a).read_bytes() == (w / b).read_bytes()


def _same_stdout(old: Any, new: Any) -> bool:
    return bool(old.stdout == new.stdout)


def _same_json(key: str) -> Any:
    return lambda w, old, new: json.loads(old.stdout)[key] == json.loads(new.stdout)[key]


ISSUE = ("--badge", "python", "--project", "proj", "--no-revocation", "--dry-run", "--json")
RENDER = ("--level", "Mastery", "--template", "certification")

#: (command, old flag, arguments with the old spelling, with the new one, how the results compare)
OLD_SPELLINGS = [
    ("bake", "-c", ["bake", "-c", "signed.json", "badge.png", "-o", "old.png"], ["bake", "signed.json", "badge.png", "-o", "new.png"],
     _same_file("old.png", "new.png")),
    ("bake", "--credential", ["bake", "--credential", "signed.json", "badge.png", "-o", "old.png"],
     ["bake", "signed.json", "badge.png", "-o", "new.png"], _same_file("old.png", "new.png")),
    ("bake", "-i", ["bake", "signed.json", "-i", "badge.png", "-o", "old.png"], ["bake", "signed.json", "badge.png", "-o", "new.png"],
     _same_file("old.png", "new.png")),
    ("bake", "--image", ["bake", "-c", "signed.json", "--image", "badge.png", "-o", "old.png"],
     ["bake", "signed.json", "badge.png", "-o", "new.png"], _same_file("old.png", "new.png")),
    ("render", "--badge", ["render", "--badge", "Cloud", *RENDER, "-o", "old.svg"], ["render", "--badge-name", "Cloud", *RENDER, "-o", "new.svg"],
     _same_file("old.svg", "new.svg")),
    ("render", "-b", ["render", "-b", "Cloud", *RENDER, "-o", "old.svg"], ["render", "--badge-name", "Cloud", *RENDER, "-o", "new.svg"],
     _same_file("old.svg", "new.svg")),
    ("render", "--issuer", ["render", "--badge-name", "Cloud", "--issuer", "Example U", *RENDER, "-o", "old.svg"],
     ["render", "--badge-name", "Cloud", "--issuer-name", "Example U", *RENDER, "-o", "new.svg"], _same_file("old.svg", "new.svg")),
    ("render", "--recipient", ["render", "--badge-name", "Cloud", "--recipient", "Ada", *RENDER, "-o", "old.svg"],
     ["render", "--badge-name", "Cloud", "--recipient-name", "Ada", *RENDER, "-o", "new.svg"], _same_file("old.svg", "new.svg")),
    ("issue", "--roster", ["issue", "--roster", "roster.csv", *ISSUE], ["issue", "roster.csv", *ISSUE], _same_json("counts")),
    ("issue", "-r", ["issue", "-r", "roster.csv", *ISSUE], ["issue", "roster.csv", *ISSUE], _same_json("counts")),
    ("bundle", "--name", ["bundle", "signed.json", "--name", "Ada L", "-o", "old", "--json"],
     ["bundle", "signed.json", "--recipient-name", "Ada L", "-o", "new", "--json"],
     lambda w, old, new: all("Ada L" in next((w / d).rglob("index.html")).read_text(encoding="utf-8") for d in ("old", "new"))),
    ("log", "-k", ["log", "-k", "issued", "--project", "proj", "--json"], ["log", "--kind", "issued", "--project", "proj", "--json"],
     lambda w, old, new: _same_stdout(old, new)),
    ("key generate", "-t", ["key", "generate", "old.pem", "-t", "ed25519", "--json"], ["key", "generate", "new.pem", "--type", "ed25519", "--json"],
     _same_json("type")),
]


def test_every_old_spelling_is_in_the_table() -> None:
    declared = {(name, flag) for name, command in COMMANDS for option in _options(command, hidden=True) for flag in option.opts}
    assert declared == {(command, flag) for command, flag, *_ in OLD_SPELLINGS}


@pytest.mark.parametrize(("command", "flag", "old", "new", "same"), OLD_SPELLINGS, ids=[f"{c} {f}" for c, f, *_ in OLD_SPELLINGS])
def test_old_spellings_still_work_and_warn(work: Path, command: str, flag: str, old: list[str], new: list[str], same: Any) -> None:
    new_result = _run(*new)
    assert new_result.exit_code == 0, new_result.output
    assert "deprecated" not in new_result.stderr
    old_result = _run(*old)
    assert old_result.exit_code == 0, old_result.output
    warning = f"warning: {flag} is deprecated and will stop working in the next release; "
    assert any(line.startswith(warning) for line in old_result.stderr.splitlines()), old_result.stderr
    assert same(work, old_result, new_result)
    assert not re.search(rf"(?<![\w-]){flag}(?![\w-])", _run(*command.split(), "--help").stdout)  # hidden from --help


def test_an_old_and_a_new_spelling_of_one_value_is_a_usage_error(work: Path) -> None:
    result = _run("render", "--badge", "A", "--badge-name", "B", "-o", "x.svg")
    assert result.exit_code == 2 and "--badge and --badge-name both given; use --badge-name" in _unboxed(result.stderr)
    assert not (work / "x.svg").exists()


def test_old_and_new_spellings_of_a_repeatable_option_add_up(work: Path) -> None:
    both = _run("log", "-k", "issued", "--kind", "revoked", "--project", "proj", "--json")
    assert both.exit_code == 0 and both.stderr.startswith("warning: -k is deprecated")
    assert _run("log", "-k", "nonsense", "--kind", "revoked", "--project", "proj").exit_code == 2  # -k was not dropped


def test_workers_is_a_number_of_processes_and_0_still_means_one_per_cpu(work: Path) -> None:
    default = _run("verify", "signed.json", "--json")
    assert default.exit_code == 0 and default.stderr == ""
    zero = _run("verify", "signed.json", "--json", "--workers", "0")
    assert zero.exit_code == 0 and json.loads(zero.stdout)["verdict"] == json.loads(default.stdout)["verdict"] == "valid"
    assert zero.stderr.startswith("warning: --workers 0 is deprecated and will stop working in the next release; leave --workers out")
    negative = _run("verify", "signed.json", "-w", "-1")
    assert negative.exit_code == 2 and "-1: give 1 or more processes" in _unboxed(negative.stderr)


# ---------------------------------------------------------------------------------------------
# --json on the commands that lacked it


def test_json_on_render_sign_and_cache(work: Path) -> None:
    rendered = _run("render", "--badge-name", "Cloud", "-o", "b.png", "--width", "120", "--json")
    assert rendered.exit_code == 0 and json.loads(rendered.stdout) == {"out": "b.png", "format": "png", "template": "default"}
    assert (work / "b.png").read_bytes()[:4] == b"\x89PNG"

    keys.save_key(keys.Ed25519Key.from_seed(bytes(32)), work / "k.pem")
    unsigned = json.loads(signed_credential())
    del unsigned["proof"]
    (work / "unsigned.json").write_text(json.dumps(unsigned), encoding="utf-8")
    signed = _run("sign", "unsigned.json", "--key", "k.pem", "--json")
    assert signed.exit_code == 0, signed.output
    report = json.loads(signed.stdout)
    assert report["file"] == "unsigned.json" and report["out"] is None
    assert proof.verify(report["credential"]).verified
    to_file = _run("sign", "unsigned.json", "--key", "k.pem", "-o", "s.json", "--json")
    assert json.loads(to_file.stdout)["out"] == "s.json" and json.loads((work / "s.json").read_text())["proof"]

    assert _run("key", "did-web", "k.pem", "--domain", "example.edu", "-o", "did.json").exit_code == 0
    assert _run("cache", "add", "did.json").exit_code == 0
    where = json.loads(_run("cache", "path", "--json").stdout)["cache"]
    removed = _run("cache", "remove", "did:web:example.edu", "--json")
    assert removed.exit_code == 0 and [e["id"] for e in json.loads(removed.stdout)] == ["did:web:example.edu"]
    assert _run("cache", "add", "did.json").exit_code == 0
    cleared = _run("cache", "clear", "--json")
    assert cleared.exit_code == 0 and json.loads(cleared.stdout) == {"removed": 1, "cache": where}

"""The documentation runs as written: the README's Python blocks execute, every ``badgekit …``
command shown in README.md, docs/*.md and the ``--help`` examples names a real command and only
options that command accepts, relative links resolve, and the library's face
(``badgekit.__init__``) holds.

Commands are checked against Typer's click objects, never run: a command path must resolve to a
command (its ``--help`` then exists), and every ``-x``/``--xyz`` token must be one of its options.
Typer vendors click (``typer._click``), so the objects are read by duck typing: a group has
``commands``, an option has ``param_type_name == "option"``.
"""

from __future__ import annotations

import doctest
import pkgutil
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

import badgekit
import badgekit.cli

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

_FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
#: Where one shell command ends and the next (or a redirection) begins.
_SHELL_BREAK = re.compile(r"\s(?:&&|\|\||\||;|>>?|<|2>)\s|;\s*$|;\s")


def fenced_blocks(text: str, *languages: str) -> list[str]:
    """The bodies of the fenced code blocks of ``text`` whose info string is one of ``languages``."""
    return [m.group(2) for m in _FENCE.finditer(text) if m.group(1) in languages]


def badgekit_commands(text: str) -> list[str]:
    """Every ``badgekit …`` command in shell text: one per line or per ``&&``/``;``/``|`` part,
    comments and redirections cut off (``badgekit verify x.png --json > r.json``)."""
    found = []
    for line in text.splitlines():
        for part in _SHELL_BREAK.split(" " + line.strip() + " "):
            part = part.strip()
            if part.startswith("$ "):
                part = part[2:]
            if part.startswith("badgekit "):
                found.append(part)
    return found


def help_examples(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """``(command path, badgekit …)`` for every example in the help texts: the paragraph after
    ``Example:``/``Examples:`` in a command's help, and the root's quick start (its epilog)."""
    out = []
    paragraphs = re.findall(r"Examples?:(.*?)(?:\n\s*\n|\Z)", command.help or "", re.DOTALL)
    paragraphs.append(re.sub(r"\[/?bold\]", "", command.epilog or ""))
    for paragraph in paragraphs:
        paragraph = re.sub(r"Examples?:", "\n", paragraph)  # a second "Example:" line in the paragraph
        out.extend((" ".join(path) or "badgekit", c.rstrip(".")) for c in badgekit_commands(paragraph))
    if _is_group(command):
        for name, sub in command.commands.items():
            out.extend(help_examples(sub, (*path, name)))
    return out


def _is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def _options(command: Any) -> set[str]:
    names = {"--help"}
    for param in command.params:
        # a hidden option is a deprecated spelling (cli/_options.old_spellings): documents use the new one
        if param.param_type_name == "option" and not getattr(param, "hidden", False):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def command_problems(line: str, root: Any) -> list[str]:
    """Why ``line`` (``badgekit SUB… ARGS``) would not parse, by the click tree alone: an
    unknown subcommand, or an option its command does not accept. Empty when it parses."""
    try:
        tokens = shlex.split(line, comments=True)
    except ValueError as exc:
        return [f"{line!r}: not valid shell ({exc})"]
    command: Any = root
    path = ["badgekit"]
    rest = tokens[1:]
    while _is_group(command) and rest and not rest[0].startswith("-"):
        sub = command.commands.get(rest[0])
        if sub is None:
            return [f"{line!r}: {' '.join(path)} has no command {rest[0]!r}"]
        command, path, rest = sub, [*path, rest[0]], rest[1:]
    accepted = _options(command) | (_options(root) if command is root else set())
    problems = []
    for token in rest:
        if token == "--":
            break
        if token.startswith("-") and len(token) > 1 and not re.fullmatch(r"-\d[\d.]*", token):
            flag = token.split("=", 1)[0]
            if flag not in accepted:
                problems.append(f"{line!r}: {' '.join(path)} has no option {flag}")
    if _is_group(command) and command is not root and not any(t.startswith("-") for t in rest):
        problems.append(f"{line!r}: {' '.join(path)} needs a subcommand")
    return problems


@pytest.fixture(scope="module")
def root() -> Any:
    command = typer.main.get_command(badgekit.cli.app)
    assert _is_group(command)
    return command


# ---------------------------------------------------------------------------------------------
# the checker itself


def test_command_checker_finds_unknown_commands_and_options(root: Any) -> None:
    assert command_problems('badgekit verify out/<id>.png --status-list out/status  # offline', root) == []
    assert command_problems('badgekit key generate rsa.pem --type rsa', root) == []
    assert command_problems("badgekit verify x.png --no-such-flag", root) == [
        "'badgekit verify x.png --no-such-flag': badgekit verify has no option --no-such-flag"]
    assert command_problems("badgekit key mint k.pem", root) == [
        "'badgekit key mint k.pem': badgekit key has no command 'mint'"]
    assert badgekit_commands("badgekit status init && rsync out/ web:/srv/ ; badgekit log --jsonl > r.jsonl") == [
        "badgekit status init", "badgekit log --jsonl"]


# ---------------------------------------------------------------------------------------------
# README and docs


def test_readme_python_blocks_run_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blocks run in order in one namespace, in an empty folder, as a reader would paste them."""
    blocks = fenced_blocks(README.read_text(encoding="utf-8"), "python")
    assert blocks, "README.md has no ```python block"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for n, block in enumerate(blocks, 1):
        exec(compile(block, f"README.md python block {n}", "exec"), namespace)  # noqa: S102


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_documented_commands_parse(doc: Path, root: Any) -> None:
    commands = [c for block in fenced_blocks(doc.read_text(encoding="utf-8"), "sh", "bash", "shell", "console")
                for c in badgekit_commands(block)]
    problems = [p for c in commands for p in command_problems(c, root)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", [README, *DOCS], ids=lambda p: p.relative_to(ROOT).as_posix())
def test_inline_commands_parse(doc: Path, root: Any) -> None:
    """`badgekit …` in running text too (a bare group name, `badgekit cache`, names the group)."""
    commands = re.findall(r"`(badgekit [^`]+)`", doc.read_text(encoding="utf-8"))
    problems = [p for c in commands for p in command_problems(c, root) if not p.endswith("needs a subcommand")]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("doc", [README, *DOCS, *sorted((ROOT / "docs" / "adr").glob("*.md"))],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(doc: Path) -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8"))
    missing = [t for t in targets if "://" not in t and not (doc.parent / t).exists()]
    assert not missing, f"{doc.name} links to missing files: {missing}"


def test_readme_shows_commands(root: Any) -> None:
    commands = [c for block in fenced_blocks(README.read_text(encoding="utf-8"), "sh") for c in badgekit_commands(block)]
    assert len(commands) >= 10


def test_help_examples_parse(root: Any) -> None:
    examples = help_examples(root)
    assert len(examples) >= 20, examples
    problems = [f"in the help of {where}: {p}" for where, c in examples for p in command_problems(c, root)]
    assert not problems, "\n".join(problems)


def test_every_command_has_an_example_in_its_help(root: Any) -> None:
    """The README: "Every command has --help with an example"."""
    def leaves(command: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
        if not _is_group(command):
            return [(path, command)]
        return [leaf for name, sub in command.commands.items() for leaf in leaves(sub, (*path, name))]

    without = [" ".join(path) for path, command in leaves(root, ()) if "badgekit " not in "".join(
        re.findall(r"Examples?:(.*?)(?:\n\s*\n|\Z)", command.help or "", re.DOTALL))]
    assert not without, f"--help without an example: {without}"


def _section_blocks(text: str, heading: str) -> list[str]:
    """The ```sh blocks of the section that starts with ``heading`` (up to the next ``## ``)."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return fenced_blocks(section, "sh")


def _run_block(block: str, monkeypatch: pytest.MonkeyPatch, inputs: dict[str, bytes]) -> None:
    """Run a shell block's lines as a reader pastes them: ``badgekit …`` in-process (exit code 0
    expected), ``cd`` and ``mkdir``; ``<id>`` / ``<credential-id>`` are the first credential
    issued, ``*`` globs expand, comments are cut off. A file of ``inputs`` a command names is
    written into the current folder first (the reader's own roster)."""
    from tests.conftest import run_cli

    for line in block.splitlines():
        for part in (p.strip() for p in line.split("&&")):
            words = shlex.split(part, comments=True)
            if not words:
                continue
            if words[0] == "cd":
                monkeypatch.chdir(words[1])
                continue
            if words[0] == "mkdir":
                Path(words[1]).mkdir()
                continue
            assert words[0] == "badgekit", part
            for name, data in inputs.items():
                if name in words and not Path(name).exists():
                    Path(name).write_bytes(data)
            issued = sorted(p for p in Path("out").glob("*") if p.suffix in (".json", ".jwt"))
            first = issued[0].stem if issued else "<id>"
            args = []
            for word in words[1:]:
                word = word.replace("<credential-id>", f"urn:uuid:{first}").replace("<id>", first)
                args.extend(sorted(str(p) for p in Path().glob(word)) if "*" in word else [word])
            result = run_cli(*args, ok=None)
            assert result.exit_code == 0, (part, result.exit_code, result.stdout[-2000:], result.stderr[-2000:])


ROSTER = {"class-2026.csv": (ROOT / "examples" / "roster.csv").read_bytes()}


def test_readme_quick_start_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's quick start, pasted in an empty folder: the roster is examples/roster.csv, the
    Open Badges 2.0 badges to migrate a validator-core assertion with its documents."""
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (block,) = _section_blocks(README.read_text(encoding="utf-8"), "## Quick start")
    old = ROOT / "tests" / "vectors" / "ob2" / "validator-core"
    for folder, names in (("old-badges", ["2_0_basic_assertion.json"]),
                          ("issuer-docs", ["2_0_basic_assertion.json", "2_0_basic_badgeclass.json", "2_0_basic_issuer.json"])):
        (tmp_path / "my-badges" / folder).mkdir(parents=True)
        for name in names:
            (tmp_path / "my-badges" / folder / name).write_bytes((old / name).read_bytes())
    _run_block(block, monkeypatch, ROSTER)
    assert sorted(p.name for p in (tmp_path / "my-badges" / "out" / "status").glob("*.json")) == ["revocation-1.json"]
    assert (tmp_path / "my-badges" / "report.html").is_file()


def test_vc_jwt_p256_project_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGEKIT_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    _run_block(fenced_blocks((ROOT / "docs" / "vc-jwt.md").read_text(encoding="utf-8"), "sh")[0], monkeypatch, ROSTER)


# ---------------------------------------------------------------------------------------------
# the library's face (docs/adr/0011-library-api.md)


def test_package_docstring_example_runs() -> None:
    result = doctest.testmod(badgekit, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


def test_every_public_module_is_listed_and_imports() -> None:
    public = {m.name for m in pkgutil.iter_modules(badgekit.__path__) if not m.name.startswith("_")}
    assert public - {"cli", "data"} == set(badgekit.__all__) - {"__version__"}
    for name in badgekit.__all__:
        assert getattr(__import__(f"badgekit.{name}" if name != "__version__" else "badgekit",
                                  fromlist=["_"]), "__name__", None)
    assert (ROOT / "badgekit" / "py.typed").is_file()


def test_import_badgekit_imports_no_submodule() -> None:
    code = "import sys, badgekit; print(sorted(m for m in sys.modules if m.startswith('badgekit.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_every_cell_of_the_formats_table_names_a_test_that_exists() -> None:
    """README "Formats, proved both ways": each `test_…` it cites is defined in tests/ (issue 16)."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Formats, proved both ways"):]
    section = section[:section.index("\n## ", 1)]
    cited = set(re.findall(r"`(test_\w+)`", section))
    assert len(cited) >= 15, cited
    defined = {m for path in (ROOT / "tests").rglob("test_*.py")
               for m in re.findall(r"^(?:async )?def (test_\w+)", path.read_text(encoding="utf-8"), re.M)}
    assert not cited - defined, f"README cites tests that do not exist: {sorted(cited - defined)}"
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| format")]
    assert all("test_" in line or "no" in line.split("|")[2] for line in rows), rows

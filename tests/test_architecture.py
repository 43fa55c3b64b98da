"""The shape of the code (issue 14; docs/adr/0010-start-up-budget.md): no import cycles, no module
over 600 lines, and every function-local import of a badgekit module says why it is deferred.

The import graph is read with ``ast`` and counts every import: top-level, inside functions and under
``TYPE_CHECKING``. ``lint-imports`` (scripts/test, [tool.importlinter] in pyproject.toml) checks
the layers on the same graph. The exception lists below may only shrink: an entry that is no longer
needed fails the test until it is removed.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "badgekit"
MAX_LINES = 600

# Being split by issue 14: modules over MAX_LINES (a module or the package it becomes).
TOO_LONG: set[str] = set()

# Being split by issue 14: modules (and the packages they become) whose function-local imports do
# not say "# start-up:" yet.
UNEXPLAINED_LOCAL_IMPORTS: set[str] = set()

_START_UP = re.compile(r"#\s*start-up:")


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module an import names (an attribute of a module resolves to the module)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[ast.stmt, list[str], bool]]:
    """(statement, badgekit modules it imports, inside a function) for every import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                    base = base[: len(base) - child.level + 1]
                    source = ".".join([*base, child.module] if child.module else base)
                else:
                    source = child.module or ""
                # "from package import submodule" imports the submodule, not the package.
                names = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in child.names]
            else:
                visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))
                continue
            targets = sorted({t for n in names if n.split(".")[0] == "badgekit" and (t := _resolve(n)) and t != module})
            found.append((child, targets, in_function))

    visit(tree, False)
    return found


def _graph() -> dict[str, set[str]]:
    return {m: {t for _, targets, _ in _imports(m, p) for t in targets} for m, p in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _covered(module: str, names: set[str]) -> str | None:
    """The entry of ``names`` that covers ``module`` (itself, or the package it became)."""
    return next((n for n in names if module == n or module.startswith(n + ".")), None)


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_inside_badgekit():
    assert _cycles(_graph()) == []


def test_no_module_over_600_lines():
    long = {m for m, p in MODULES.items() if len(p.read_text(encoding="utf-8").splitlines()) > MAX_LINES}
    unexpected = sorted(m for m in long if not _covered(m, TOO_LONG))
    assert not unexpected, f"over {MAX_LINES} lines: split them (issue 14)"
    stale = sorted(n for n in TOO_LONG if not any(_covered(m, {n}) for m in long))
    assert not stale, "no longer over the limit: remove them from TOO_LONG"


def test_function_local_imports_of_badgekit_say_why():
    """A badgekit module imported inside a function is a hidden edge of the graph: it must be
    there for start-up time, and say so (``# start-up: …`` on its line or the line above)."""
    unexplained: dict[str, list[str]] = {}
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, targets, in_function in _imports(module, path):
            if not (in_function and targets):
                continue
            around = lines[node.lineno - 2 : node.end_lineno]
            if not any(_START_UP.search(line) for line in around):
                unexplained.setdefault(module, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    unexpected = {m: where for m, where in unexplained.items() if not _covered(m, UNEXPLAINED_LOCAL_IMPORTS)}
    assert not unexpected, "move these imports to the module top, or say '# start-up: why'"
    stale = sorted(n for n in UNEXPLAINED_LOCAL_IMPORTS if not any(_covered(m, {n}) for m in unexplained))
    assert not stale, "every local import there says why now: remove them from UNEXPLAINED_LOCAL_IMPORTS"


# The start-up budget (ADR 10): what a cold `badgekit verify` and `badgekit --help` must not load.
# A plain `badgekit verify FILE` is parsed without Typer, and its report is written without Rich
# where Rich would style nothing (here: stdout is a pipe), nor logging (only the ledger needs it).
_NEVER_ON_VERIFY = (
    "typer", "click", "rich", "logging",
    "yaml", "jinja2", "sqlite3", "rich.progress", "requests", "aiohttp", "jsonschema",
    "rfc8785",  # JCS: loaded only when a proof of a JCS cryptosuite is checked
    "cbor2", "badgekit.ecdsa_sd",  # ecdsa-sd-2023: loaded only when such a proof is checked
    "badgekit.issuing", "badgekit.templates", "badgekit.badgeclass", "badgekit.project", "badgekit.ledger",
    "badgekit.lifecycle", "badgekit.delivery", "badgekit.report", "badgekit.baking.render", "badgekit.roster",
    "badgekit.ob2", "badgekit.migrate",  # Open Badges 2.0: only when an OB 2.0 assertion is met
    "email.utils", "socket",  # jsonschema-rs loads with a stand-in (schema.import_engine_without_email)
    # cryptography's PEM/PKCS#8/SSH readers and their ciphers: only where a private key is read or written
    "cryptography.hazmat.primitives.serialization", "cryptography.hazmat.primitives.ciphers",
    "cryptography.hazmat.primitives.asymmetric.rsa",  # nor its RSA keys: only where one is made, used or recognised
    # importlib.resources with tempfile, shutil, bz2, lzma, zipfile: bundled files are read by badgekit.data.read_bytes
    "importlib.resources", "tempfile", "shutil", "zipfile",
    "calendar", "locale",  # _time.days_in_month
    "pickle",  # the processed contexts are read by the C unpickler (jsonld._contexts)
)
_NEVER_ON_HELP = ("jinja2", "sqlite3", "rich.progress", "pyld", "badgekit.issuing", "badgekit.ledger",
                  "badgekit.lifecycle", "badgekit.delivery", "badgekit.report", "badgekit.baking.render")


def _loaded_by(*args: str, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> set[str]:
    code = (
        "import sys\n"
        "from badgekit.cli import main\n"
        f"sys.argv = ['badgekit', *{list(args)!r}]\n"
        f"try:\n    main()\nexcept SystemExit as e:\n    assert e.code in {ok!r}, e.code\n"
        "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={**os.environ, **(env or {})})
    return set(out.stderr.rpartition("MODULES ")[2].split())


def test_cold_verify_stays_within_its_start_up_budget():
    loaded = _loaded_by("verify", "tests/vectors/1edtech-validator-ob30/simple-json.png",
                        "--trust", "tests/vectors/1edtech-trust.json")
    assert "badgekit.verify" in loaded
    assert sorted(m for m in _NEVER_ON_VERIFY if m in loaded) == []
    assert "badgekit.baking.png" in loaded and "badgekit.baking.svg" not in loaded  # a PNG needs no SVG reader
    assert "badgekit.verify._policy" in loaded and "badgekit.jwt" not in loaded  # --trust needs no JWT reader
    assert "badgekit.verify._policy_sets" not in loaded  # nor AllOf / AnyOf: only a library caller composes policies


# What a credential that is not baked, nor an SD-JWT VC, does not need (loaded by what it meets),
# nor a run without --trust or --recipient (the policy classes).
_NEVER_ON_VERIFY_JSON = ("badgekit.baking", "badgekit.baking.png", "badgekit.baking.svg", "badgekit.sdjwt", "secrets",
                         "badgekit.verify._policy",
                         "badgekit.jwt",  # nor the JWT reader: loaded by a VC-JWT, an enveloped credential, --trust
                         "badgekit.verify._endorsements",  # nor the endorsement checks, for a credential without any
                         "badgekit.cache")  # nor the cache, when there is no cache folder


def test_cold_verify_of_json_loads_no_image_or_sd_jwt_reader_nor_policy(tmp_path):
    # indeterminate (3): without --trust, nothing says the did:web key is the issuer's
    loaded = _loaded_by("verify", "--jsonl", "tests/vectors/1edtech-validator-ob30/simple-eddsa-2022.json", ok=(3,),
                        env={"BADGEKIT_CACHE_DIR": str(tmp_path / "no-cache-yet")})
    assert "badgekit.verify" in loaded
    assert sorted(m for m in _NEVER_ON_VERIFY + _NEVER_ON_VERIFY_JSON if m in loaded) == []


def test_help_stays_within_its_start_up_budget():
    loaded = _loaded_by("--help")
    assert sorted(m for m in _NEVER_ON_HELP if m in loaded) == []


# Being split by issue 14: modules mypy --strict does not check yet (the `ignore_errors` override in
# pyproject.toml's [tool.mypy]). The list may only shrink: growing it means editing this copy too.
MYPY_NOT_YET_STRICT: set[str] = set()  # every module passes mypy --strict (issue 14)


def test_mypy_strict_exceptions_only_shrink():
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    ignored = [o for o in config.get("overrides", []) if o.get("ignore_errors")]
    listed = {m for o in ignored for m in ([o["module"]] if isinstance(o["module"], str) else o["module"])}
    assert sorted(listed - MYPY_NOT_YET_STRICT) == [], "type these modules instead of exempting them from mypy --strict"
    assert sorted(MYPY_NOT_YET_STRICT - listed) == [], "removed from pyproject.toml: remove them here too"
    assert all(m.startswith("badgekit.") for m in listed)


def test_the_package_says_it_is_typed():
    """PEP 561: ``py.typed`` lets mypy use badgekit's annotations (hatch ships every file of the package)."""
    assert (PACKAGE / "py.typed").is_file()

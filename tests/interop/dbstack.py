"""Run the Digital Bazaar / DCC JavaScript VC stack (``dbstack.mjs``) from Python tests.

An independent implementation to check badgekit against: what badgekit signs, the JS stack must
verify, and the other way round. Everything is offline: the node side serves only badgekit's
bundled contexts, did:key documents built locally, and the status-list credentials you pass in.

Use it from any test::

    from tests.interop import dbstack

    @pytest.mark.interop
    def test_js_verifies_what_we_issue(tmp_path):
        [result] = dbstack.verify_documents([signed_credential], now="2026-01-15T12:00:00Z")
        assert result["verified"], result["error"]

API
---
``available() -> bool``
    node and the npm packages (``npm ci`` in tests/interop) are there.
``require() -> None``
    ``pytest.skip`` when not available, or ``pytest.fail`` when ``BADGEKIT_REQUIRE_INTEROP=1``
    (``scripts/test`` sets it, so CI can never skip the interop tests silently). ``verify``,
    ``verify_documents``, ``sign`` and ``sign_many`` call it first.
``verify(paths, **opts) -> list[dict]``
    one result per file, in order: ``{"file", "verified": bool, "error": str | None,
    "errors": [str], "statusChecked": bool, "status": [...] | None, "revoked": bool | None,
    "suspended": bool | None}``. Options:

    * ``ob_context_revision``: ``"2024-03"`` (default; the bytes the DCC npm stack ships for
      ``context-3.0.3.json``) or ``"current"`` (badgekit's bundled revision);
    * ``now``: ISO date-time used for the validFrom/validUntil checks (default: the real clock);
    * ``check_status``: check ``BitstringStatusListEntry`` statuses. The list credentials come
      from ``status_lists`` (``{url: dict or path}``). The DB library counts a set bit as a
      *successful* check (``verified`` stays True): look at ``revoked`` / ``suspended``. Without
      ``check_status`` a credentialStatus is ignored and ``statusChecked`` is False;
    * ``issuer_check``: False verifies the proof without requiring the key's controller to be
      the issuer (for vectors whose issuer is an https URL but whose key is a did:key).
``verify_documents(documents, **opts) -> list[dict]``
    the same for in-memory credentials (written to a temporary folder, one node process).
``sign(unsigned, seed, created=None) -> dict`` / ``sign_many(unsigneds, seed, created=None)``
    the JS stack signs with ``eddsa-rdfc-2022`` and the did:key of the 32-byte ``seed``.
``run_node(script, args) -> Any``
    any other node script of tests/interop (``jose.mjs``, ``dbsuites.mjs``): its JSON output.

Each call starts one node process (about a second): batch many credentials into one call.
Raises :class:`DbStackError` when node itself fails (bad arguments, a crash): a credential that
does not verify is a result, not an exception.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

INTEROP_DIR = Path(__file__).resolve().parent
SCRIPT = INTEROP_DIR / "dbstack.mjs"
REQUIRE_ENV = "BADGEKIT_REQUIRE_INTEROP"
#: Revisions of the OB context-3.0.3.json bytes the node side can serve.
OB_CONTEXT_REVISIONS = ("2024-03", "current")
TIMEOUT_SECONDS = 180


class DbStackError(RuntimeError):
    """The node process failed (usage error or crash), as opposed to a credential failing."""


def unavailable_reason() -> str | None:
    """Why the JS stack cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (the interop tests need Node.js 20+)"
    manifest = json.loads((INTEROP_DIR / "package.json").read_text(encoding="utf-8"))
    missing = [
        name
        for name in manifest.get("dependencies", {})
        if not (INTEROP_DIR / "node_modules" / name / "package.json").is_file()
    ]
    if missing:
        return (
            f"npm packages missing in {INTEROP_DIR / 'node_modules'} ({', '.join(missing)}); "
            "run: (cd tests/interop && npm ci)"
        )
    return None


def available() -> bool:
    """True when node and the npm packages are installed."""
    return unavailable_reason() is None


def require() -> None:
    """Skip the calling test when the JS stack is missing, or fail it under BADGEKIT_REQUIRE_INTEROP=1."""
    reason = unavailable_reason()
    if reason is None:
        return
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{REQUIRE_ENV}=1 but the JS interop stack cannot run: {reason}", pytrace=False)
    pytest.skip(f"JS interop stack not available: {reason}")


def _run(args: Sequence[str], *, stdin: str | None = None) -> Any:
    return run_node(SCRIPT, args, stdin=stdin)


def run_node(script: Path, args: Sequence[str], *, stdin: str | None = None) -> Any:
    """Run ``node SCRIPT ARGS`` in tests/interop (after :func:`require`) and return its JSON output.

    Raises:
        DbStackError: node exited non-zero or printed no JSON.
    """
    require()
    proc = subprocess.run(
        ["node", str(script), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        cwd=INTEROP_DIR,
        check=False,
    )
    if proc.returncode != 0:
        raise DbStackError(f"{script.name} {args[0]} exited {proc.returncode}: {proc.stderr.strip()}")
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        raise DbStackError(
            f"{script.name} {args[0]} printed no JSON: {proc.stdout[:500]!r}"
        ) from None


def _check_revision(revision: str) -> None:
    if revision not in OB_CONTEXT_REVISIONS:
        raise ValueError(
            f"ob_context_revision must be one of {OB_CONTEXT_REVISIONS}, got {revision!r}"
        )


def verify(
    paths: Iterable[str | os.PathLike[str]],
    *,
    ob_context_revision: str = "2024-03",
    now: str | None = None,
    check_status: bool = False,
    status_lists: Mapping[str, Mapping[str, Any] | str | os.PathLike[str]] | None = None,
    issuer_check: bool = True,
) -> list[dict[str, Any]]:
    """Verify credential files with the JS stack (one node process); one result per file, in order.

    Raises:
        DbStackError: node failed to run (not: a credential failed to verify).
    """
    _check_revision(ob_context_revision)
    files = [str(Path(p).resolve()) for p in paths]  # node runs in tests/interop
    if not files:
        return []
    args = ["verify", "--ob-context-revision", ob_context_revision]
    if now:
        args += ["--now", now]
    if check_status:
        args.append("--check-status")
    if not issuer_check:
        args.append("--no-issuer-check")
    with tempfile.TemporaryDirectory(prefix="dbstack-") as tmp:
        for n, (url, doc) in enumerate((status_lists or {}).items()):
            if isinstance(doc, Mapping):
                written = Path(tmp) / f"status-list-{n}.json"
                written.write_text(json.dumps(doc), encoding="utf-8")
                doc = written
            args += ["--status-list", f"{url}={Path(doc).resolve()}"]
        results: list[dict[str, Any]] = _run([*args, *files])
    if len(results) != len(files):
        raise DbStackError(
            f"dbstack.mjs verify returned {len(results)} results for {len(files)} files"
        )
    return results


def verify_documents(documents: Iterable[Mapping[str, Any]], **opts: Any) -> list[dict[str, Any]]:
    """:func:`verify` for credentials held in memory; ``file`` in each result is ``"#<index>"``."""
    docs = list(documents)
    with tempfile.TemporaryDirectory(prefix="dbstack-docs-") as tmp:
        paths = []
        for n, doc in enumerate(docs):
            path = Path(tmp) / f"credential-{n:04d}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            paths.append(path)
        results = verify(paths, **opts)
    for n, result in enumerate(results):
        result["file"] = f"#{n}"
    return results


def sign_many(
    unsigned: Iterable[Mapping[str, Any]],
    seed: bytes,
    created: str | None = None,
    *,
    ob_context_revision: str = "2024-03",
) -> list[dict[str, Any]]:
    """Sign each credential with eddsa-rdfc-2022 and the did:key of ``seed`` (one node process).

    The JS stack writes ``proof`` as a single object, not an array.

    Raises:
        DbStackError: node failed, e.g. the credential uses a term the served contexts lack.
    """
    _check_revision(ob_context_revision)
    if len(seed) != 32:
        raise ValueError("an Ed25519 seed has exactly 32 bytes")
    docs = list(unsigned)
    if not docs:
        return []
    with tempfile.TemporaryDirectory(prefix="dbstack-sign-") as tmp:
        paths = []
        for n, doc in enumerate(docs):
            path = Path(tmp) / f"unsigned-{n:04d}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            paths.append(str(path))
        args = ["sign", "--seed", seed.hex(), "--ob-context-revision", ob_context_revision]
        if created:
            args += ["--created", created]
        out = _run([*args, *paths])
    return out if len(docs) > 1 else [out]


def sign(
    unsigned: Mapping[str, Any],
    seed: bytes,
    created: str | None = None,
    *,
    ob_context_revision: str = "2024-03",
) -> dict[str, Any]:
    """Sign one credential with the JS stack; see :func:`sign_many`."""
    return sign_many([unsigned], seed, created, ob_context_revision=ob_context_revision)[0]

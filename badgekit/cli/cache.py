"""``badgekit cache``: keep the DID documents and status lists offline verification needs.

``verify`` never fetches; what it needs beyond the badge (a did:web issuer's ``did.json``, the
issuer's status lists) is given with ``--did-doc`` / ``--status-list`` or added here once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from badgekit import cache
from badgekit.cli import _output
from badgekit.cli._options import JsonOpt

app = typer.Typer(
    help="Documents `badgekit verify` uses without being told: did:web DID documents, status lists and "
    "Open Badges 2.0 documents, added from files you downloaded (badgekit never fetches).",
    no_args_is_help=True,
)


@app.command("add")
def add(
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE|URL=FILE...",
            help="A did.json / issuer profile with keys, a BitstringStatusListCredential, an Open Badges 2.0 "
            "document (hosted assertion, BadgeClass, issuer Profile, CryptographicKey, RevocationList), or URL=FILE "
            "for a 1EdTechRevocationList (or an OB 2.0 RevocationList without an id) published at URL.",
        ),
    ],
    json_out: JsonOpt = False,
) -> None:
    """Add documents to the cache (an entry with the same id is replaced).

    Example: badgekit cache add did.json revocation-1.json
    """
    added = []
    for item in files:
        url, sep, file = item.partition("=")
        entry = cache.add(Path(file), url=url) if sep and "://" in url else cache.add(Path(item))
        added.append(entry)
        if not json_out:
            _output.info(f"cached {entry.kind} {entry.id}")
    if json_out:
        _output.emit_json([_entry_json(e) for e in added])


@app.command("list")
def list_(json_out: JsonOpt = False) -> None:
    """List what is cached: kind, id, when it was added, and the file it came from.

    Example: badgekit cache list --json
    """
    skipped: list[str] = []
    found = list(cache.entries(skipped=skipped))
    for problem in skipped:
        _output.warn(f"skipped a damaged cache entry: {problem}")
    if json_out:
        _output.emit_json([_entry_json(e) for e in found])
        return
    if not found:
        _output.info(f"the cache is empty ({cache.cache_dir()}); add documents with: badgekit cache add FILE")
        return
    for e in found:
        _output.stdout.print(Text(f"{e.kind:<16} ", style="dim") + Text(_output.printable(e.id, lines=False))
                             + Text(f"  added {e.added} from {_output.printable(e.source, lines=False)}", style="dim"))


@app.command("remove")
def remove(
    doc_id: Annotated[str, typer.Argument(metavar="ID", help="The DID or URL of the cached document.")],
    json_out: JsonOpt = False,
) -> None:
    """Remove a cached document by its id.

    Example: badgekit cache remove https://example.edu/status/revocation-1.json
    """
    removed = list(cache.remove(doc_id))
    if json_out:
        _output.emit_json([_entry_json(e) for e in removed])
        return
    for e in removed:
        _output.info(f"removed {e.kind} {e.id}")


@app.command("clear")
def clear(json_out: JsonOpt = False) -> None:
    """Remove every cached document.

    Example: badgekit cache clear
    """
    removed = cache.clear()
    if json_out:
        _output.emit_json({"removed": removed, "cache": str(cache.cache_dir())})
        return
    _output.info(f"removed {removed} cached documents from {cache.cache_dir()}")


@app.command("path")
def path(json_out: JsonOpt = False) -> None:
    """Print where the cache lives ($BADGEKIT_CACHE_DIR, else $XDG_CACHE_HOME/badgekit, else ~/.cache/badgekit).

    Example: badgekit cache path
    """
    if json_out:
        _output.emit_json({"cache": str(cache.cache_dir())})
        return
    _output.emit_text(str(cache.cache_dir()))


def _entry_json(e: cache.CacheEntry) -> dict[str, str]:
    return {"kind": e.kind, "id": e.id, "added": e.added, "source": e.source}

"""What the fixture generators in tests/invalid/ share: write the files they make, or (``--check``)
name each committed file that differs; the tests compare with :func:`differing` the same way."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path


def differing(here: Path, wanted: Mapping[str, bytes]) -> list[str]:
    """The names in ``wanted`` whose file below ``here`` is missing or holds other bytes."""
    return [name for name, data in sorted(wanted.items())
            if not (here / name).is_file() or (here / name).read_bytes() != data]


def write_or_check(here: Path, wanted: Mapping[str, bytes], argv: list[str]) -> int:
    """A generator's ``main``: with ``--check`` in ``argv``, exit status 1 when a file differs
    (each named on stderr); else write every file below ``here``."""
    if "--check" in argv:
        differs = differing(here, wanted)
        for name in differs:
            print(f"differs: {name}", file=sys.stderr)
        return 1 if differs else 0
    for name, data in sorted(wanted.items()):
        path = here / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"wrote {len(wanted)} files to {here}")
    return 0

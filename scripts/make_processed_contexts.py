#!/usr/bin/env python3
"""Writes badgekit/data/contexts/processed-contexts.pickle (see badgekit/jsonld/_processed.py).

Usage: python scripts/make_processed_contexts.py [--check]
``--check`` exits 1 when the shipped file differs from what this would write.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from badgekit.jsonld._contexts import PROCESSED_FILE  # noqa: E402
from badgekit.jsonld._processed import build_shipped  # noqa: E402

TARGET = Path(__file__).resolve().parents[1] / "badgekit" / "data" / "contexts" / PROCESSED_FILE


def main() -> int:
    """Write the file, or with ``--check`` compare it; 0 when it is (now) up to date."""
    data = build_shipped()
    if "--check" in sys.argv[1:]:
        same = TARGET.exists() and TARGET.read_bytes() == data
        sys.stdout.write(f"{TARGET}: {'up to date' if same else 'differs; run scripts/make_processed_contexts.py'}\n")
        return 0 if same else 1
    TARGET.write_bytes(data)
    sys.stdout.write(f"wrote {TARGET} ({len(data):,} bytes)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

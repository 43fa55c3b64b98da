"""The single place that writes to the terminal: results on stdout, everything else on stderr.

Untrusted text (roster names, credential fields) is never interpreted as Rich markup.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console
from rich.text import Text

from badgekit.errors import BadgekitError

_no_color = bool(os.environ.get("NO_COLOR"))
stdout = Console(no_color=_no_color, highlight=False, soft_wrap=True)
stderr = Console(stderr=True, no_color=_no_color, highlight=False, soft_wrap=True)


def emit_json(value: Any) -> None:
    """Write machine output: plain ``json.dumps``, one document, newline-terminated."""
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def emit_text(text: str) -> None:
    """Write a plain result line to stdout (no markup interpretation)."""
    stdout.print(Text(text))


def info(text: str, style: str | None = None) -> None:
    stderr.print(Text(text, style=style or ""))


def warn(text: str) -> None:
    stderr.print(Text("warning: ", style="yellow bold") + Text(text))


def error(exc: BadgekitError | str) -> None:
    """One line naming what is wrong (file, row, field), then the hint if there is one."""
    if isinstance(exc, BadgekitError):
        stderr.print(Text("error: ", style="red bold") + Text(exc.message))
        if exc.hint:
            stderr.print(Text("  hint: ", style="dim") + Text(exc.hint, style="dim"))
    else:
        stderr.print(Text("error: ", style="red bold") + Text(exc))

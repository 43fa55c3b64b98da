"""badgekit is offline by design: prove that the test session itself cannot reach the network."""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketBlockedError


def test_network_is_blocked_in_tests():
    with pytest.raises(SocketBlockedError):
        socket.create_connection(("203.0.113.1", 443), timeout=1)


def test_library_never_imports_an_http_client():
    import pathlib

    import badgekit

    root = pathlib.Path(badgekit.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        for needle in ("urllib.request", "import requests", "import httpx", "urlopen(", "import aiohttp"):
            assert needle not in text, f"{path}: {needle}"


def test_core_imports_without_typer_or_rich():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import badgekit.keys, badgekit.did, badgekit.jsonld, badgekit.proof, badgekit._io, badgekit.errors\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'click')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

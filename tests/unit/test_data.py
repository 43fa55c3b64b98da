"""badgekit.data.read_bytes: the bundled files, read without importlib.resources (ADR 10)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

from badgekit import data


def test_reads_every_bundled_file_as_importlib_resources_does():
    root = resources.files("badgekit.data")
    files = [p for p in Path(str(root)).rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert len(files) > 20
    for path in files:
        parts = path.relative_to(Path(str(root))).parts
        assert data.read_bytes(*parts) == root.joinpath(*parts).read_bytes(), parts


def test_reads_from_a_zip_archive_too(tmp_path):
    # the same module, installed in a zip (zipimport): its loader reads the archive's members
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("copied/__init__.py", Path(data.__file__).read_text(encoding="utf-8"))
        z.writestr("copied/schemas/x.json", b'{"a": 1}\r\n')
    code = "import copied, sys; sys.stdout.write(repr((copied.__spec__.loader.__class__.__name__, copied.read_bytes('schemas', 'x.json'))))"
    out = subprocess.run([sys.executable, "-c", code], env={"PYTHONPATH": str(archive)}, capture_output=True, text=True, check=True)
    assert out.stdout == repr(("zipimporter", b'{"a": 1}\r\n'))

"""``badgekit bake``, ``extract`` and ``render`` through Typer's CliRunner: exit codes and output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from badgekit import baking, proof
from badgekit.cli import app
from tests.unit.test_baking_png import HOSTILE, JWS, VECTORS, make_hostile, signed_credential

runner = CliRunner()


def _run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def _one_line_error(result, fragment: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and fragment in lines[0], result.stderr
    assert len(lines) <= 2  # the message, and a hint when there is one
    assert result.stdout == ""


@pytest.fixture
def credential(tmp_path: Path) -> Path:
    path = tmp_path / "signed.json"
    path.write_text(signed_credential(), encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("image", ["simple-json.png", "simple-jwt.svg"])
def test_bake_then_extract(tmp_path: Path, credential: Path, image: str):
    out = tmp_path / f"baked{Path(image).suffix}"
    result = _run("bake", str(credential), str(VECTORS / image), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "baked" in result.stderr and result.stdout == ""
    assert baking.extract(out.read_bytes(), source="t").payload == signed_credential()

    shown = _run("extract", str(out))
    assert shown.exit_code == 0
    assert json.loads(shown.stdout) == json.loads(signed_credential())
    assert "JSON credential" in shown.stderr

    as_json = _run("extract", str(out), "--json")
    assert as_json.exit_code == 0
    report = json.loads(as_json.stdout)
    assert report["format"] == "json" and report["container"] == Path(image).suffix[1:]
    assert proof.verify(report["credential"]).verified

    exact = tmp_path / "extracted.json"
    assert _run("extract", str(out), "--out", str(exact)).exit_code == 0
    assert exact.read_bytes() == credential.read_bytes()


def test_bake_a_jwt_file(tmp_path: Path):
    jwt = tmp_path / "c.jwt"
    jwt.write_text(JWS + "\n")
    out = tmp_path / "b.svg"
    assert _run("bake", str(jwt), str(VECTORS / "simple-json.svg"), "-o", str(out)).exit_code == 0
    result = _run("extract", str(out), "--json")
    assert json.loads(result.stdout)["credential"] == JWS
    assert json.loads(result.stdout)["format"] == "jwt"


def test_extract_json_of_a_baked_sd_jwt_gives_the_token(tmp_path: Path):
    # It was read as JSON: "malformed JSON at line 1", exit 2.
    from tests.invalid import make_invalid as MI

    token = tmp_path / "c.sd-jwt"
    token.write_bytes(MI.valid_sd_jwt())
    out = tmp_path / "b.png"
    assert _run("bake", str(token), str(VECTORS / "simple-json.png"), "-o", str(out)).exit_code == 0
    result = _run("extract", str(out), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["format"] == "sd-jwt" and report["credential"] == MI.valid_sd_jwt().decode()


def test_bake_a_folder(tmp_path: Path):
    folder = tmp_path / "issued"
    folder.mkdir()
    (folder / "a.json").write_text(signed_credential())
    (folder / "b.jwt").write_text(JWS)
    (folder / "c.json").write_text('{"broken": ')
    (folder / "notes.txt").write_text("ignored")
    out = tmp_path / "baked"
    result = _run("bake", str(folder), str(VECTORS / "simple-json.png"), "-o", str(out), "--json")
    assert result.exit_code == 1  # one credential failed, the others were baked
    rows = json.loads(result.stdout)
    assert [(Path(r["credential"]).name, r["ok"]) for r in rows] == [("a.json", True), ("b.jwt", True), ("c.json", False)]
    assert "malformed JSON" in rows[2]["error"] and "c.json" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["a.png", "b.png"]
    assert baking.extract((out / "b.png").read_bytes(), source="t").payload == JWS


def test_bake_folder_all_good_exits_zero(tmp_path: Path):
    folder = tmp_path / "issued"
    folder.mkdir()
    (folder / "a.json").write_text(signed_credential())
    result = _run("bake", str(folder), str(VECTORS / "simple-json.svg"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "baked 1 of 1" in result.stderr


def test_bake_folder_into_a_file_is_a_usage_error(tmp_path: Path, credential: Path):
    (tmp_path / "x.png").write_bytes(b"")
    _one_line_error(
        _run("bake", str(tmp_path), str(VECTORS / "simple-json.png"), "-o", str(tmp_path / "x.png")),
        "must be a folder",
    )


def test_bake_into_something_that_is_not_an_image(tmp_path: Path, credential: Path):
    _one_line_error(
        _run("bake", str(credential), str(credential), "-o", str(tmp_path / "o.png")), "not a PNG or SVG image"
    )


INVALID = Path(__file__).resolve().parent.parent / "invalid"


@pytest.mark.parametrize(("name", "says"), [
    ("proof-structure--missing-proof.json", "the credential has no proof"),
    ("proof-structure--jwt-alg-none.jwt", "alg 'none' (an unsigned JWT)"),  # was baked as given
    ("proof-structure--jwt-hs256.jwt", "a shared-secret MAC"),
])
def test_an_unsigned_credential_is_not_baked(tmp_path: Path, name: str, says: str):
    out = tmp_path / "o.png"
    _one_line_error(_run("bake", str(INVALID / name), str(VECTORS / "simple-json.png"), "-o", str(out)), says)
    assert not out.exists()
    folder = tmp_path / "issued"
    folder.mkdir()
    shutil.copy(INVALID / name, folder / name)
    (folder / "a.json").write_text(signed_credential())
    result = _run("bake", str(folder), str(VECTORS / "simple-json.png"), "-o", str(tmp_path / "baked"), "--json")
    assert result.exit_code == 1  # the signed one baked, the unsigned one named
    assert [r["ok"] for r in json.loads(result.stdout)] == [True, False] and says in result.stderr
    # Signed but altered: bake stores it as given (whether a signature matches is verify's check).
    tampered = INVALID / "signature--tampered-name.json"
    assert _run("bake", str(tampered), str(VECTORS / "simple-json.png"), "-o", str(out)).exit_code == 0


def test_bake_with_missing_credential(tmp_path: Path):
    _one_line_error(
        _run("bake", str(tmp_path / "none.json"), str(VECTORS / "simple-json.png"), "-o", str(tmp_path / "o.png")),
        "no such file",
    )


@pytest.mark.parametrize("name", sorted(make_hostile.EXPECTED))
def test_extract_hostile_images_is_one_clear_line(name: str, tmp_path: Path):
    path = tmp_path / name
    shutil.copy(HOSTILE / name, path)
    _one_line_error(_run("extract", str(path)), make_hostile.EXPECTED[name])


def test_render_svg_and_png(tmp_path: Path):
    common = ["--badge-name", "Data <Science> & Co", "--issuer-name", "Example University", "--level", "Mastery",
              "--family", "Certification", "--colour", "gold", "--valid-from", "2026-01-01", "--valid-until", "2028",
              "--qr", "https://example.edu/c/1", "--template", "certification"]
    svg_out = tmp_path / "b.svg"
    result = _run("render", *common, "--out", str(svg_out))
    assert result.exit_code == 0, result.output
    text = svg_out.read_text()
    assert "Data &lt;Science&gt; &amp; Co" in text and "Valid 2026\u20132028" in text
    png_out = tmp_path / "b.png"
    assert _run("render", *common, "--out", str(png_out), "--width", "300").exit_code == 0
    assert png_out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--out", "x.gif"], "must end in .svg or .png"),
        (["--out", "x.svg", "--colour", "mauve-ish"], "colour"),
        (["--out", "x.svg", "--valid-from", "soon"], "--valid-from"),
        (["--out", "x.svg", "--valid-from", "2026-01-31T09:00:00"], "--valid-from"),  # naive: was taken as is
        (["--out", "x.svg", "--template", "nope"], "no such image template"),
        (["--out", "x.svg", "--qr", '{"whole": "credential"}'], "looks like a credential"),
    ],
)
def test_render_usage_errors(tmp_path: Path, args: list[str], fragment: str):
    args = [a if not a.startswith("x.") else str(tmp_path / a) for a in args]
    _one_line_error(_run("render", "--badge-name", "B", *args), fragment)


def test_render_png_draws_a_cjk_recipient_with_font_and_refuses_what_no_font_covers(tmp_path: Path):
    from badgekit.baking.render import font_files
    from tests.unit.test_render import CJK_SUBSET

    out = tmp_path / "b.png"
    dejavu = next(p for p in font_files() if p.endswith("DejaVuSans.ttf"))
    refused = _run("render", "--badge-name", "Teamwork", "--recipient-name", "张三", "--font", dejavu, "--out", str(out))
    _one_line_error(refused, "recipient name '张三': neither the bundled DejaVu Sans nor DejaVuSans.ttf covers Han (U+5F20)")
    assert not out.exists()
    result = _run("render", "--badge-name", "Teamwork", "--recipient-name", "张三", "--font", str(CJK_SUBSET), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # SVG is not rasterised here: the viewer's fonts draw it, so no font is needed.
    svg_out = tmp_path / "b.svg"
    assert _run("render", "--badge-name", "Teamwork", "--recipient-name", "김", "--font", dejavu, "--out", str(svg_out)).exit_code == 0
    assert "김" in svg_out.read_text()


def test_help_lists_the_commands():
    result = _run("--help")
    for command in ("bake", "extract", "render"):
        assert command in result.stdout

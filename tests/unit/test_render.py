"""Rendered badge images: templates, escaping, fitting long names, QR codes, PNG output."""

from __future__ import annotations

import os
import re
import struct
from datetime import date
from pathlib import Path

import pytest

from badgekit import baking
from badgekit.baking import render
from badgekit.errors import BakingError, InputError, LimitExceeded
from tests.unit.test_baking_png import chunk_list, decode_png, signed_credential

HOSTILE_NAME = '</text><script>alert(1)</script> & "quotes" \'apos\' <!ENTITY x "y"> ]]> {{qr x=1 y=1 size=9}}'


def _parse(svg_text: str):
    from defusedxml.ElementTree import fromstring

    return fromstring(svg_text.encode())


def _texts(svg_text: str) -> list[str]:
    root = _parse(svg_text)
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_templates_are_found_and_listed():
    folder = render.templates_dir()
    assert (folder / "images" / "default.svg").is_file()
    assert {"default", "certification"} <= set(render.image_templates())
    assert len(render.font_files()) == 2
    assert render.resolve_template("certification") == folder / "images" / "certification.svg"


def test_unknown_template_lists_the_bundled_ones():
    with pytest.raises(InputError, match="bundled: .*certification.*default"):
        render.resolve_template("nope")
    with pytest.raises(InputError):
        render.resolve_template("no/such/template.svg")


@pytest.mark.parametrize("template", ["default", "certification"])
def test_render_fills_every_placeholder(template):
    out = render.render_badge(
        template,
        badge_name="Data Science",
        issuer_name="Example University",
        colour="gold",
        level_label="Mastery",
        family_label="Certification",
        valid_from=date(2026, 3, 1),
        valid_until=date(2028, 3, 1),
        qr_data="https://example.edu/credentials/42",
    )
    assert "{{" not in out and "}}" not in out
    texts = _texts(out)
    assert "Data Science" in texts
    assert "Valid 2026\u20132028" in texts
    assert any("EXAMPLE UNIVERSITY" in t for t in texts)
    assert 'fill="#b8860b"' in out  # the gold level colour
    assert "<path d=\"M" in out  # the QR modules


def test_roster_text_is_escaped_everywhere():
    out = render.render_badge(
        "default", badge_name=HOSTILE_NAME, issuer_name=HOSTILE_NAME, level_label=HOSTILE_NAME, recipient_name=HOSTILE_NAME
    )
    root = _parse(out)  # still well-formed
    assert "<script" not in out and "<!ENTITY" not in out
    assert not any(el.tag.endswith("script") for el in root.iter())
    assert root.find("{http://www.w3.org/2000/svg}title").text == HOSTILE_NAME
    # A placeholder inside roster text is not expanded: only one QR-less document, no extra <g>.
    assert out.count("<rect width=") == 0
    assert "{{qr x=1 y=1 size=9}}" in root.find("{http://www.w3.org/2000/svg}title").text


def test_validity_labels():
    assert render.validity_label(date(2026, 1, 1), date(2028, 12, 31)) == "Valid 2026\u20132028"
    assert render.validity_label(date(2026, 1, 1), date(2026, 12, 31)) == "Valid 2026"
    assert render.validity_label(date(2026, 1, 1), None) == "Valid from 2026"
    assert render.validity_label(None, date(2028, 1, 1)) == "Valid until 2028"
    assert render.validity_label(None, None) == ""


def test_long_names_are_wrapped_and_shrunk_to_fit():
    name = "Certified Cloud Solutions Architect: Advanced Distributed Systems Design and Operations"
    lines, size = render.fit_text(name, width=268, max_lines=3, size=30, min_size=12)
    assert 1 < len(lines) <= 3 and 12 <= size < 30
    assert " ".join(lines) == name
    assert all(render.text_width(line, size) <= 268 for line in lines)


def test_short_names_keep_the_full_size():
    assert render.fit_text("Teamwork", width=224, max_lines=3, size=28, min_size=12) == (["Teamwork"], 28)


def test_absurd_names_are_truncated_with_an_ellipsis():
    name = "Supercalifragilisticexpialidocious" * 3 + " " + "word " * 200
    lines, size = render.fit_text(name, width=200, max_lines=3, size=30, min_size=12)
    assert len(lines) == 3 and size == 12
    assert lines[-1].endswith("\u2026")
    assert all(render.text_width(line, size) <= 200 for line in lines)


def test_rendered_long_name_stays_inside_its_box():
    name = "Grundlagen der Datenwissenschaft und des maschinellen Lernens für Fortgeschrittene " * 2
    out = render.render_badge("default", badge_name=name)
    text = next(t for t in _parse(out).iter("{http://www.w3.org/2000/svg}text") if "Grundlagen" in "".join(t.itertext()))
    size = float(text.get("font-size"))
    lines = [span.text for span in text]
    assert len(lines) <= 3
    assert all(render.text_width(line, size) <= 224 for line in lines)


def test_text_width_handles_non_ascii():
    assert render.text_width("Ünïcødé", 10) == pytest.approx(render.text_width("Unicode", 10), rel=0.15)
    assert render.text_width("協力", 10) == 20
    assert render.text_width("e\u0301", 10) == render.text_width("e", 10)


def test_qr_path_draws_exactly_the_qrcode_matrix():
    import qrcode

    data = "https://example.edu/credentials/3527"
    group = render.qr_svg(data, x=0, y=0, size=100, quiet=2)
    drawn = set()
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", group):
        for i in range(int(run)):
            drawn.add((int(x) + i - 2, int(y) - 2))
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    expected = {(c, r) for r, row in enumerate(qr.get_matrix()) for c, dark in enumerate(row) if dark}
    assert drawn == expected


@pytest.mark.parametrize(
    ("data", "error"),
    [("x" * 600, LimitExceeded), ('{"@context": []}', InputError), ("eyJhbGciOiJFZERTQSJ9.eyJpZCI6MX0.c2ln", InputError)],
)
def test_qr_never_carries_a_credential(data, error):
    with pytest.raises(error):
        render.render_badge("default", badge_name="x", qr_data=data)


def test_no_qr_when_no_data():
    out = render.render_badge("default", badge_name="x")
    assert "scale(" not in out


@pytest.mark.parametrize(
    ("value", "expected"), [("gold", "#b8860b"), ("#ABC", "#aabbcc"), ("#0f62fe", "#0f62fe"), (None, "#0f62fe")]
)
def test_colours(value, expected):
    assert render.parse_colour(value) == expected


@pytest.mark.parametrize("value", ["red; onload=x", "#12", "url(#x)", '"/><script>'])
def test_bad_colours_refused(value):
    with pytest.raises(InputError, match="colour"):
        render.parse_colour(value)


def test_ink_contrasts_with_the_level_colour():
    assert 'fill="#161616"' in render.render_badge("certification", badge_name="x", colour="#ffd700", level_label="L")
    assert render._ink("#0f62fe") == "#ffffff"
    assert render._ink("#ffd700") == "#161616"


def test_custom_template_placeholders_and_errors(tmp_path: Path):
    good = tmp_path / "t.svg"
    good.write_text('<svg xmlns="http://www.w3.org/2000/svg"><title>{{badge_name}}</title><rect fill="{{colour_light}}"/></svg>')
    assert "<title>A &amp; B</title>" in render.render_badge(good, badge_name="A & B")
    bad = tmp_path / "bad.svg"
    bad.write_text('<svg xmlns="http://www.w3.org/2000/svg">{{nope}}</svg>')
    with pytest.raises(InputError, match=r"unknown placeholder \{\{nope\}\}"):
        render.render_badge(bad, badge_name="x")
    broken = tmp_path / "broken.svg"
    broken.write_text('<svg xmlns="http://www.w3.org/2000/svg">{{ text field=badge_name }}</svg>')
    with pytest.raises(InputError, match="needs x="):
        render.render_badge(broken, badge_name="x")
    unclosed = tmp_path / "unclosed.svg"
    unclosed.write_text('<svg xmlns="http://www.w3.org/2000/svg">{{badge_name</svg>')
    with pytest.raises(InputError, match="malformed placeholder"):
        render.render_badge(unclosed, badge_name="x")
    entity = tmp_path / "entity.svg"
    entity.write_text('<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>')
    with pytest.raises(BakingError, match="internal subset"):
        render.render_badge(entity, badge_name="x")


def test_render_png_is_a_png_of_the_requested_width_with_text_drawn():
    svg_text = render.render_badge("default", badge_name="Teamwork", issuer_name="Example", level_label="Foundation")
    data = render.render_png(svg_text, width=200)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (200, 200)
    # The badge name is drawn: the pixels differ from the same badge with no name.
    blank = render.render_png(render.render_badge("default", badge_name="", issuer_name="Example", level_label="Foundation"), width=200)
    assert decode_png(data)[2] != decode_png(blank)[2]


def test_bundled_font_draws_text_without_system_fonts():
    import resvg_py

    doc = '<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><text x="2" y="15" font-family="DejaVu Sans" font-size="14">Hi</text></svg>'
    with_font = resvg_py.svg_to_bytes(svg_string=doc, font_files=render.font_files(), skip_system_fonts=True)
    empty = resvg_py.svg_to_bytes(svg_string=doc.replace("Hi", ""), font_files=render.font_files(), skip_system_fonts=True)
    assert decode_png(bytes(with_font))[2] != decode_png(bytes(empty))[2]


def test_rendered_png_and_svg_can_be_baked():
    svg_text = render.render_badge("certification", badge_name="Bake me", qr_data="urn:uuid:1")
    for image in (svg_text.encode(), render.render_png(svg_text, width=120)):
        baked = baking.bake(image, signed_credential(), source="t")
        assert baking.extract(baked, source="t").payload == signed_credential()
    assert sum(t == b"iTXt" for t, _ in chunk_list(baking.bake(render.render_png(svg_text, width=120), "a.b.c", source="t"))) == 1


def test_render_png_width_bounds():
    with pytest.raises(InputError, match="width"):
        render.render_png(render.render_badge("default", badge_name="x"), width=100_000)


# --- names in every script: drawn with a glyph, or refused naming the script (never a box) ---------

FONTS = Path(__file__).parent / "fonts"
#: Noto Sans CJK SC cut down to 张三李四王五赵六明华 (tests/unit/fonts/SOURCES.md).
CJK_SUBSET = FONTS / "NotoSansCJKsc-subset.otf"


def _line(text: str) -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="30">'
        f'<text x="4" y="22" font-family="DejaVu Sans" font-size="20">{text}</text></svg>'
    )


def _pixels(svg_text: str, **kw) -> bytes:
    return b"".join(decode_png(render.render_png(svg_text, width=80, **kw))[2])


@pytest.mark.parametrize("template", render.image_templates())
def test_every_bundled_template_draws_the_recipient_name(template):
    name = 'Ada "<Lovelace>" & Co'
    svg_text = render.render_badge(template, badge_name="Teamwork", recipient_name=name)
    assert name in _texts(svg_text)  # a drawn <text>, not only the <title>
    assert "&lt;Lovelace&gt;\" &amp; Co" in svg_text and "<Lovelace>" not in svg_text
    without = render.render_badge(template, badge_name="Teamwork")
    assert name not in "".join(_texts(without))
    assert decode_png(render.render_png(svg_text, width=200))[2] != decode_png(render.render_png(without, width=200))[2]


def test_a_cjk_name_is_drawn_with_glyphs_not_boxes():
    fonts = [CJK_SUBSET]
    # Every missing character draws the same .notdef box: two characters that draw differently,
    # and differently from nothing, have glyphs.
    zhang, san, blank = _pixels(_line("张"), fonts=fonts), _pixels(_line("三"), fonts=fonts), _pixels(_line(""), fonts=fonts)
    assert len({zhang, san, blank}) == 3
    badge = render.render_badge("default", badge_name="Teamwork", recipient_name="张三")
    assert "张三" in _texts(badge)
    assert render.render_png(badge, width=200, fonts=fonts) != render.render_png(
        render.render_badge("default", badge_name="Teamwork"), width=200, fonts=fonts
    )


def test_a_name_no_font_covers_is_refused_naming_its_script(tmp_path):
    dejavu = [p for p in render.font_files() if p.endswith("DejaVuSans.ttf")]
    with pytest.raises(InputError, match=r"badge image text '张三'.*DejaVuSans\.ttf covers Han \(U\+5F20\)") as err:
        render.render_png(render.render_badge("default", badge_name="T", recipient_name="张三"), width=100, fonts=dejavu)
    assert "--font" in err.value.hint
    # The installed fonts: only a font that covers Han is there, so Hangul is refused.
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / CJK_SUBSET.name).write_bytes(CJK_SUBSET.read_bytes())
    with pytest.raises(InputError, match=r"recipient name '张三 김': no installed font covers Hangul \(U\+AE40\)") as err:
        render.fonts_for([("recipient name", "张三 김")], search=[tmp_path])
    assert "fonts-noto-cjk" in err.value.hint


def test_installed_fonts_are_searched_only_for_missing_characters(tmp_path):
    nested = tmp_path / "opentype" / "noto"
    nested.mkdir(parents=True)
    (nested / CJK_SUBSET.name).write_bytes(CJK_SUBSET.read_bytes())
    (tmp_path / "broken.ttf").write_bytes(b"\x00\x01\x00\x00 not really a font")  # skipped, not fatal
    (tmp_path / "notes.txt").write_text("not a font")
    assert render.fonts_for([("recipient name", "王五")], search=[tmp_path]) == (str(nested / CJK_SUBSET.name),)
    assert render.fonts_for([("recipient name", "Zoë Ωmega Жанна")], search=[tmp_path]) == ()


def test_characters_that_draw_nothing_or_decompose_need_no_other_font():
    # "e" + combining acute composes to é; joiners, variation selectors and ideographic spaces draw nothing.
    assert render.fonts_for([("name", "Rene\u0301e\u200d\ufe0f\u3000Zoe")], search=[]) == ()


def test_named_fonts_replace_the_installed_ones_and_must_be_fonts(tmp_path):
    assert render.fonts_for([("name", "Ada")], fonts=[CJK_SUBSET]) == (str(CJK_SUBSET),)
    not_a_font = tmp_path / "font.ttf"
    not_a_font.write_text("hello")
    with pytest.raises(InputError, match=r"font\.ttf: not a TrueType or OpenType font"):
        render.fonts_for([("name", "Ada")], fonts=[not_a_font])
    with pytest.raises(InputError, match="cannot read the font"):
        render.fonts_for([("name", "Ada")], fonts=[tmp_path / "missing.otf"])


@pytest.mark.parametrize(
    ("ch", "described"),
    [("张", "Han (U+5F20)"), ("あ", "Hiragana (U+3042)"), ("가", "Hangul (U+AC00)"), ("ا", "Arabic (U+0627)"),
     ("क", "Devanagari (U+0915)"), ("ሀ", "Ethiopic (U+1200)"), ("\U00010000", "Linear B (U+10000)"),
     ("\U0001f600", "U+1F600 GRINNING FACE"), ("\ue000", "U+E000 (a private-use or unassigned character)")],
)
def test_describe_character_names_the_script(ch, described):
    assert render.describe_character(ch) == described


def test_a_font_family_that_is_not_loaded_falls_back_to_the_bundled_font():
    for family in ("Georgia, serif", "sans-serif"):
        doc = _line("Hi").replace('font-family="DejaVu Sans"', f'font-family="{family}"')
        assert _pixels(doc) != _pixels(doc.replace("Hi", ""))


def test_an_installed_cjk_font_draws_a_cjk_name():
    """The default path: no --font, Debian's fonts-noto-cjk (scripts/test installs it)."""
    try:
        found = render.fonts_for([("recipient name", "张三")])
    except InputError:
        if os.environ.get("BADGEKIT_REQUIRE_CJK_FONT"):
            raise
        pytest.skip("no installed font covers Han (apt install fonts-noto-cjk)")
    assert found
    assert len({_pixels(_line("张")), _pixels(_line("三")), _pixels(_line(""))}) == 3

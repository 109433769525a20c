"""Arabic: shaped with HarfBuzz, ordered by the bidi algorithm, every glyph mapped back
to its own characters."""

from __future__ import annotations

import io
import re
import unicodedata

import pikepdf
import pytest
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_JUSTIFY, TA_RIGHT

from fiche.engine.flowables import TextParagraph, TextStyle
from fiche.engine.fonts import register_family
from fiche.engine.rladapter import pdf_canvas
from fiche.model.layout import FontFamily
from fiche.typeset import bidi, shaping
from fiche.typeset.linebreak import measured

from .conftest import REPO

FONTS = REPO / "assets" / "fonts"
NASKH = FontFamily(
    regular="NotoNaskhArabic-Regular.ttf",
    bold="NotoNaskhArabic-Bold.ttf",
    italic="NotoNaskhArabic-Bold.ttf",
    bold_italic="NotoNaskhArabic-Bold.ttf",
)
LATO = FontFamily(
    regular="Lato-Regular.ttf",
    bold="Lato-Bold.ttf",
    italic="Lato-Italic.ttf",
    bold_italic="Lato-BoldItalic.ttf",
)
MIXED = (
    "لا تنشر صورًا لا تريد أن يراها الجميع؛ اتصل بـ Child Focus على الرقم 116 000 "
    "أو اكتب إلى info@childfocus.be أو زر https://www.childfocus.be (مجانًا) منذ 2019."
)


@pytest.fixture(scope="module")
def faces():
    naskh = register_family("naskh", NASKH, FONTS)
    lato = register_family("lato", LATO, FONTS)
    as_tuple = lambda f: (f.regular, f.bold, f.italic, f.bold_italic)  # noqa: E731
    return as_tuple(naskh), as_tuple(lato)


def _bad(c: str) -> bool:
    return (
        c == "\ufffd"
        or unicodedata.category(c) == "Co"
        or "\ufb50" <= c <= "\ufdff"
        or "\ufe70" <= c <= "\ufeff"
        or c == "\0"
    )


def test_letters_are_joined_and_a_ligature_keeps_both_letters(faces):
    naskh = faces[0][0]
    glyphs = shaping.glyphs("لا", naskh, True)
    # lam-alef: the font's own joined form (its alef rides on the lam, no advance)
    assert [g.text for g in glyphs] == ["ا", "ل"] and glyphs[0].advance == 0
    word = "المدرسة"
    shaped = shaping.glyphs(word, naskh, True)
    # every character belongs to one glyph; right to left, the glyphs come reversed
    assert "".join(g.text for g in reversed(shaped)) == word
    alone = sum(shaping.width(ch, naskh) for ch in word)
    assert shaping.width(word, naskh) < alone * 0.95  # joined forms are narrower


def test_a_mixed_line_keeps_names_addresses_and_numbers_in_their_own_order():
    para = bidi.paragraph(MIXED, True)
    runs = para.runs(0, len(MIXED))
    ltr = [MIXED[r.start : r.end].strip() for r in runs if not r.rtl]
    # right to left: the last Latin run of the sentence is drawn leftmost
    for needle in ("Child Focus", "116 000", "info@childfocus.be", "https://www.childfocus.be"):
        assert any(needle in part for part in ltr), (needle, ltr)
    assert not runs[-1].rtl or MIXED[runs[-1].start : runs[-1].end].startswith("لا")
    # a phone number in groups is one number, its groups left to right
    phone = "اتصل بالرقم 09 123 45 67 اليوم"
    parts = [phone[r.start : r.end] for r in bidi.paragraph(phone, True).runs(0, len(phone))]
    assert "09 123 45 67" in parts


def test_a_bracket_in_a_right_to_left_run_is_drawn_mirrored_and_read_as_written(faces):
    lato = faces[1][0]
    (glyph,) = shaping.glyphs("(", lato, True)
    (closing,) = shaping.glyphs(")", lato, False)
    assert glyph.gid == closing.gid and glyph.text == "("


def _draw(faces, markup: str, alignment: int, width: float = 300.0) -> bytes:
    naskh, lato = faces
    out = io.BytesIO()
    canv = pdf_canvas(out, pagesize=(400, 400))
    m = measured(markup, naskh, None, fallback=lato, rtl=True)
    p = TextParagraph(
        m,
        TextStyle(
            "body", fontName=naskh[0], fontSize=11, leading=16, textColor=black, alignment=alignment
        ),
    )
    p.wrap(width, 400)
    p.drawOn(canv, 50, 380 - p.height)
    canv.showPage()
    canv.save()
    return out.getvalue()


def _to_unicode(pdf: pikepdf.Pdf) -> dict[str, list[str]]:
    maps: dict[str, list[str]] = {}
    for name, font in pdf.pages[0].Resources.Font.items():
        if "/ToUnicode" not in font:
            continue
        text = font.ToUnicode.read_bytes().decode("latin-1")
        maps[str(name)] = [
            bytes.fromhex(u).decode("utf-16-be")
            for u in re.findall(r"<[0-9A-F]{2}> <((?:[0-9A-F]{4})+)>", text)
        ]
    return maps


@pytest.mark.parametrize("alignment", [TA_RIGHT, TA_JUSTIFY])
def test_every_glyph_maps_back_to_real_characters(faces, alignment):
    data = _draw(faces, MIXED.replace("&", "&amp;") + " <b>مهم</b> <i>جدًا</i>", alignment)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        maps = _to_unicode(pdf)
        assert maps, "no font with a ToUnicode"
        for name, texts in maps.items():  # (the canvas's unused Helvetica has none)
            assert texts and not [t for t in texts if any(_bad(c) for c in t)], name
        # bold and "italic" (bold too: Arabic has no italic) are Naskh Bold
        names = {str(f.BaseFont) for f in pdf.pages[0].Resources.Font.values()}
        assert any("NotoNaskhArabic-Bold" in n for n in names), names
    import pypdfium2 as pdfium
    from pdfminer.high_level import extract_text

    page = pdfium.PdfDocument(data)[0].get_textpage().get_text_range()
    miner = extract_text(io.BytesIO(data))
    for text in (page, miner):
        assert not [c for c in text if _bad(c)]
    # every letter comes back, in some order (readers order right-to-left lines by guess)
    from collections import Counter

    want = Counter(c for c in MIXED + "مهمجدًا" if c.isalnum())
    got = Counter(c for c in unicodedata.normalize("NFC", page) if c.isalnum())
    assert not want - got


def test_a_justified_arabic_paragraph_fills_its_lines_from_the_right(faces):
    """The lines of a justified paragraph end at both edges; its last line at the right."""
    import pypdfium2 as pdfium

    text = " ".join([MIXED] * 2)
    data = _draw(faces, text, TA_JUSTIFY, width=260)
    page = pdfium.PdfDocument(data)[0]
    tp = page.get_textpage()
    lines: dict[int, list[float]] = {}
    for i in range(tp.count_chars()):
        left, bottom, right, top = tp.get_charbox(i)
        if right > left and tp.get_text_range(i, 1).isalnum():
            # baselines from 369 down, one leading (16) apart; descents reach 7 below
            lines.setdefault(int((377 - bottom) // 16), []).extend([left, right])
    spans = [(min(v), max(v)) for _, v in sorted(lines.items())]
    assert len(spans) >= 4
    for _, right in spans:
        assert right == pytest.approx(310, abs=1.5)  # every line ends at the right edge
    for left, _ in spans[:-1]:
        assert left == pytest.approx(50, abs=1.5)  # all but the last start at the left
    assert spans[-1][0] > 60  # the last is not stretched


def test_a_latin_word_in_arabic_text_is_set_in_latin_type_dots_and_all(faces):
    naskh, lato = faces
    m = measured(
        "زوروا www.mediawijs.be اليوم، 13، 116\u00a0000.", naskh, None, fallback=lato, rtl=True
    )
    fonts = {p.text: p.font for w in m.words for p in w.pieces}
    assert fonts["www.mediawijs.be"] == lato[0]  # Naskh's dot is a diamond: not in a URL
    assert fonts["اليوم،"] == naskh[0]  # an Arabic word keeps its own punctuation
    # a number is Latin type whatever follows it; the Arabic comma Lato lacks is Naskh's
    assert fonts["13"] == fonts["116\u00a0000."] == lato[0] and fonts["،"] == naskh[0]


def test_a_layout_changes_type_per_language(project):
    from click.testing import CliRunner

    from fiche.cli import main
    from fiche.model.catalog import load_catalog

    from .conftest import edit, line_of

    cat = load_catalog(REPO)
    assert cat.layout_for("original", "nl") is cat.layouts["original"]
    base, ar = (
        cat.layouts["original"].styles["body"],
        cat.layout_for("original", "ar").styles["body"],
    )
    assert ar.size_range == pytest.approx(tuple(v * 1.05 for v in base.size_range), abs=0.01)
    assert ar.leading == pytest.approx(base.leading * 1.15)
    poster = cat.layout_for("poster", "ar").styles["h1"]
    assert poster.size_range == (52, 62)  # named: as written, not scaled
    path = project / "layouts/poster.yaml"
    edit(path, "      h1: {size_pt: [52, 62]}", "      h9: {size_pt: [52, 62]}")
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2, result.output
    assert f"layouts/poster.yaml:{line_of(path, 'h9:')}:" in result.output
    assert "languages.ar.styles.h9" in result.output and "unknown style" in result.output


def test_the_last_line_of_a_shaped_paragraph_keeps_its_ink_in_its_box(faces):
    naskh, lato = faces
    m = measured("التراسل الجنسي", naskh, None, fallback=lato, rtl=True)
    style = TextStyle("h1", fontName=naskh[0], fontSize=60, leading=60, textColor=black)
    p = TextParagraph(m, style)
    _, height = p.wrap(500, 500)
    assert height > 60 + 0.3 * 60  # the final yaa reaches well below the line
    latin = measured("Sexting", lato, None)
    assert TextParagraph(latin, style).wrap(500, 500)[1] == 60  # Latin: lines only

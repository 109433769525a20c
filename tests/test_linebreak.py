"""fiche's line breaker and the paragraph flowable that sets its lines."""

from __future__ import annotations

import pikepdf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.colors import black
from reportlab.pdfbase.pdfmetrics import stringWidth

from fiche.engine.flowables import TextParagraph, TextStyle
from fiche.engine.fonts import register_family
from fiche.model.layout import FontFamily
from fiche.typeset.linebreak import LAST_PART, MAX_HYPHENS, Measured, measured
from fiche.typeset.typography import hyphenator

from .conftest import REPO

FAM = register_family(
    "lato",
    FontFamily(regular="Lato-Regular.ttf", bold="Lato-Bold.ttf", italic="Lato-Italic.ttf"),
    REPO / "assets/fonts",
)
FACES = (FAM.regular, FAM.bold, FAM.italic, FAM.bold)
HYPH = hyphenator("nl", REPO / "hyphenation/nl.txt")
WORDS = [
    "sexting",
    "foto’s",
    "sociaalnetwerksites",
    "verspreiden",
    "<b>Informeer</b>",
    "<i>jezelf</i>",
    "en",
    "N°3",
    "www.mediawijs.be/mediawijsonline",
    "«\u202fvite\u202f»",
    "leerlingenbegeleiding",
    "a",
    "&amp;",
]


def _plain(markup: str) -> str:
    for tag in ("<b>", "</b>", "<i>", "</i>"):
        markup = markup.replace(tag, "")
    return markup.replace("&amp;", "&")


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40), st.floats(4, 40))
def test_lines_keep_every_character_in_order_and_stay_within_the_width(words, capacity):
    markup = " ".join(words)
    m = Measured(markup, lambda b, i: FACES[b + 2 * i], HYPH)
    lines = m.lines(capacity)
    text = [m.text(line) for line in lines]
    joined = "".join(t[:-1] if line.hyphen else t for t, line in zip(text, lines, strict=True))
    assert joined.replace(" ", "") == _plain(markup).replace(" ", "")
    for line, t in zip(lines, text, strict=True):
        runs = m.segments(line)
        assert line.width == pytest.approx(sum(stringWidth(p.text, p.font, 1) for p in runs))
        # only a word wider than a whole line may run past it, and then alone
        assert line.width <= capacity + 1e-6 or " " not in t.strip()
        assert not t.startswith(("»", "\u202f")) and not t.rstrip().endswith("«")
    # the last word is broken only when it is wider than a whole line, or when setting it
    # whole would leave more than a third of the line before empty
    i, c = lines[-1].start
    if c and i == len(m.words) - 1 and m.words[i].width <= capacity:
        before = lines[-2]
        assert before.end == (i, c) and before.start[0] < i
        without = before.width - m._slice_width(i, 0, c, before.hyphen) - m.words[i - 1].space
        assert capacity - without > capacity / 3
        assert len(m.words[i].text) - c >= LAST_PART
    # no last line of one short word when the word before could have come along
    last = lines[-1]
    i = last.start[0]
    one_word = not last.start[1] and last.end[0] == i + 1
    short = len(m.words[i].text) <= 6 or last.width <= capacity / 5
    if len(lines) > 1 and one_word and short and not lines[-2].end[1]:
        two = m.ends[i] - (m.ends[i - 1] - m.words[i - 1].width)
        before = lines[-2]
        origin = m.ends[before.start[0]] - m._start_width(*before.start)
        shorter = m.ends[i - 2] - origin if i >= 2 else 0.0
        assert i - 1 - before.start[0] < 2 or two > capacity or shorter < capacity * 3 / 4
    # when that moved a word down, the line before kept three quarters of its width
    greedy = Measured(markup, lambda b, i: FACES[b + 2 * i], HYPH)
    greedy._no_runt = lambda out, capacity: out
    if greedy.lines(capacity) != lines:
        assert lines[-2].width >= capacity * 3 / 4 and lines[-1].end[0] - lines[-1].start[0] == 2
    # no more than two lines in a row end inside a word, unless a word is wider than a line
    run = 0
    for line in lines:
        run = run + 1 if line.end[1] else 0
        assert run <= MAX_HYPHENS or line.start[0] == line.end[0]
    # breaking is memoryless: from any line start (and hyphen streak), the rest breaks the same
    streak = 0
    for k in range(1, len(lines)):
        streak = streak + 1 if lines[k - 1].end[1] else 0
        assert m.lines(capacity, lines[k].start, streak) == lines[k:]


def _para(markup: str, size: float = 10.0) -> TextParagraph:
    style = TextStyle("t", FAM.regular, size, size * 1.25, black, hyphenator=HYPH)
    return TextParagraph(measured(markup, FACES, HYPH), style)


def test_a_split_never_leaves_a_line_alone_and_keeps_every_line():
    p = _para(" ".join(["Vraag de dader om de afbeelding van zijn pagina te halen."] * 6))
    width = 70.0
    whole = p._lines_for(width)
    assert len(whole) > 6 and sum(1 for line in whole if line.end[1]) >= 3
    for lines_room in range(0, len(whole) + 2):
        height = lines_room * p.style.leading + 0.5
        parts = p.split(width, height)
        if not parts:  # moved on whole: only when one line, or two with a broken word, had room
            assert lines_room <= 1 or lines_room == 2 and whole[1].end[1]
            continue
        if parts == [p]:
            assert len(whole) <= lines_room
            continue
        first, rest = parts
        first.wrap(width, height)
        rest.wrap(width, 1e6)
        assert first.height <= height
        assert len(first.lines) >= 2 and len(rest.lines) >= 2
        assert first.lines + rest.lines == whole
        if first.lines[-1].end[1]:  # a word broken across columns only if it cannot be helped
            assert whole[len(first.lines)].end[1]


def test_links_get_an_annotation_over_the_address(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    p = _para('Meer info op <a href="https://www.mediawijs.be">www.mediawijs.be</a> en verder.')
    p.wrap(90, 1000)
    path = tmp_path / "link.pdf"
    canv = Canvas(str(path), pagesize=(200, 200))
    p.drawOn(canv, 20, 100)
    canv.save()
    with pikepdf.open(path) as pdf:
        (annot,) = pdf.pages[0].obj.Annots
        assert str(annot.A.URI) == "https://www.mediawijs.be"
        x0, y0, x1, y1 = (float(v) for v in annot.Rect)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    text = doc[0].get_textpage().get_text_bounded(x0 - 0.5, y0, x1 + 0.5, y1)
    assert text.strip() == "www.mediawijs.be"
    assert x1 - x0 == pytest.approx(stringWidth("www.mediawijs.be", FAM.regular, 10), abs=0.01)


@pytest.mark.parametrize(
    "lang, word, breaks",
    [
        ("de", "Sexting-Anfragen", ["Sexting-"]),  # at its own hyphen, none just after it
        ("nl", "(daders/slachtoffers/anderen)", ["(daders/", "(daders/slachtoffers/"]),
        ("nl", "e-mail", []),
        ("nl", "www.mediawijs.be/mediawijsonline", []),
        ("fr", "\u00ab\u202fharc\u00e8lement\u202f\u00bb", ["\u00ab\u202fharc\u00e8-"]),
    ],
)
def test_words_break_at_their_own_hyphens_and_slashes(lang, word, breaks):
    m = Measured(word, lambda b, i: FAM.regular, hyphenator(lang, REPO / f"hyphenation/{lang}.txt"))
    heads = [word[:k] + ("-" if hyphen else "") for k, hyphen in m.cuts(0)]
    for head in breaks:
        assert head in heads, heads
    if lang == "de":
        assert "Sexting-An-" not in heads
    if not breaks:
        assert heads == []


def test_justified_lines_fill_the_column_but_the_last(tmp_path):
    import pypdfium2 as pdfium
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.pdfgen.canvas import Canvas

    markup = "<b>Informeer jezelf en wees open:</b> durf open over seksuele thema’s te " * 3
    style = TextStyle("t", FAM.regular, 10, 12.5, black, alignment=TA_JUSTIFY, hyphenator=HYPH)
    p = TextParagraph(measured(markup.strip(), FACES, HYPH), style)
    p.wrap(200, 1000)
    path = tmp_path / "justified.pdf"
    canv = Canvas(str(path), pagesize=(300, 300))
    p.drawOn(canv, 50, 280 - p.height)
    canv.save()
    page = pdfium.PdfDocument(str(path))[0]
    text = page.get_textpage()
    chars = text.get_text_range()
    rights = []
    for k, ch in enumerate(chars):  # the right edge of the last glyph of each line
        end = k + 1 == len(chars) or chars[k + 1] in "\r\n"
        if end and ch not in "\r\n":
            rights.append(text.get_charbox(k)[2])
    assert len(rights) == len(p.lines) > 2
    assert all(r == pytest.approx(250, abs=0.8) for r in rights[:-1]), rights
    assert rights[-1] < 245


def test_a_short_last_word_takes_the_word_before_along():
    m = Measured(
        "Demande l’aide d’adultes (parents, enseignant, service d’aide, centre PMS).",
        lambda b, i: FAM.regular,
        hyphenator("fr", REPO / "hyphenation/fr.txt"),
    )
    for capacity in (x / 4 for x in range(120, 240)):
        lines = [m.text(line) for line in m.lines(capacity)]
        assert lines[-1] != "PMS).", (capacity, lines)


def test_a_short_last_word_stays_alone_rather_than_leave_a_hole():
    text = (
        "Beginnen Sie ein Gespräch über Sexting, um herauszufinden, ob Jugendliche "
        "vielleicht auch offline sexuelles Risikoverhalten zeigen."
    )
    hy = hyphenator("de", REPO / "hyphenation/de.txt")
    greedy = Measured(text, lambda b, i: FAM.regular, hy)
    greedy._no_runt = lambda out, capacity: out
    m = Measured(text, lambda b, i: FAM.regular, hy)
    moved = 0
    for capacity in (x / 4 for x in range(100, 300)):
        lines = m.lines(capacity)
        if lines != greedy.lines(capacity):
            moved += 1
            assert lines[-2].width >= capacity * 3 / 4, (capacity, [m.text(x) for x in lines])
    assert moved  # the rule did act at some widths

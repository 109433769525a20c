"""Each language's typography beyond its quotes: the apostrophe and the marks that
never begin a line."""

from __future__ import annotations

import unicodedata

import pytest

from fiche.engine.fonts import register_family
from fiche.model.languages import (
    MODIFIER_APOSTROPHE,
    NO_LINE_START,
    RIGHT_QUOTE,
    known_languages,
    rules_for,
)
from fiche.model.layout import FontFamily
from fiche.typeset.linebreak import Measured
from fiche.typeset.typography import hyphenator, smarten

from .conftest import REPO

FAM = register_family(
    "lato",
    FontFamily(regular="Lato-Regular.ttf", bold="Lato-Bold.ttf", italic="Lato-Italic.ttf"),
    REPO / "assets/fonts",
)


def _measured(text: str, lang: str) -> Measured:
    """`text` as a paragraph of `lang`: its typography, hyphenation and line starts."""
    markup = smarten(text, lang).replace("&", "&amp;").replace("<", "&lt;")
    return Measured(
        markup,
        lambda bold, italic: FAM.bold if bold else FAM.regular,
        hyphenator(lang, REPO / "hyphenation" / f"{lang}.txt"),
        no_start=rules_for(lang).no_line_start,
    )


# --- the apostrophe ----------------------------------------------------------------


def test_a_ukrainian_apostrophe_is_the_modifier_letter_whether_typed_straight_or_curly():
    assert smarten("сім'я, п\u2019ять і об'єкт", "uk") == "сімʼя, пʼять і обʼєкт"
    assert unicodedata.category(MODIFIER_APOSTROPHE) == "Lm"  # a letter, not punctuation


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("nl", "foto's en 's avonds, de ouders' zorg", "foto’s en ’s avonds, de ouders’ zorg"),
        ("en", "it's the parents' evening", "it’s the parents’ evening"),
        ("fr", "l'image d'un ami", "l’image d’un ami"),
        ("de", "geht's gut", "geht’s gut"),
        ("pl", "Kennedy'ego", "Kennedy’ego"),
        ("tr", "İstanbul'da, WhatsApp'ta", "İstanbul’da, WhatsApp’ta"),
    ],
)
def test_other_languages_keep_the_right_single_quote(lang, text, expected):
    assert smarten(text, lang) == expected


def test_a_ukrainian_word_with_an_apostrophe_is_one_word_and_is_hyphenated():
    m = _measured("комп'ютерний об'єднання батьківські інтернет", "uk")
    assert [w.text for w in m.words] == ["компʼютерний", "обʼєднання", "батьківські", "інтернет"]
    for i, w in enumerate(m.words):  # Ukrainian і ї є ґ are letters too
        cuts = m.cuts(i)
        assert cuts, w.text
        # never a break right before the apostrophe: a line would begin with it
        assert all(w.text[k] != MODIFIER_APOSTROPHE for k, _ in cuts), (w.text, cuts)
    assert m.cuts(0) == [(9, True), (6, True), (3, True)]  # ком-пʼю-тер-ний


# --- what may begin a line -----------------------------------------------------------

# Marks after a space, as typed by hand: French spacing, a spaced dash, closing marks.
_SPACED = (
    'Wat nu , zei ze . Stop ; nooit : nee ! Waarom ? (zie ook ) [noot ] {x } een "citaat" '
    "en dan ’ of … zo – verder ” en » en “ klaar. "
)


def _may_not_begin(lang: str) -> set[str]:
    return set(",.;:!?)]}\u2026\u2019\u201d") | {rules_for(lang).quotes[1]}


@pytest.mark.parametrize("lang", known_languages())
def test_no_line_begins_with_a_mark_that_closes(lang):
    rules = rules_for(lang)
    assert _may_not_begin(lang) <= set(rules.no_line_start)
    assert rules.quotes[0] not in rules.no_line_start  # an opening quote may begin a line
    m = _measured(_SPACED * 6, lang)
    starts = 0
    for width in range(30, 240, 3):
        lines = [m.text(line) for line in m.lines(width / 10)]
        for line in lines[1:]:
            starts += 1
            elision = line[0] == RIGHT_QUOTE and line[1:2].isalnum()
            assert line[0] not in _may_not_begin(lang) or elision, (lang, width, line)
        assert "".join(lines).replace(" ", "").replace("-", "") == m.text(m.lines(1e9)[0]).replace(
            " ", ""
        ).replace("-", "")
    assert starts > 1000


def test_an_opening_quote_and_an_elision_may_still_begin_a_line():
    def firsts(text: str, lang: str) -> set[str]:
        m = _measured(text * 8, lang)
        return {m.text(ln)[0] for w in range(30, 200, 3) for ln in m.lines(w / 10)}

    assert "\u201c" in firsts('een "citaat" en ', "en")  # English “ opens
    assert "\u201e" in firsts('ein "Zitat" und ', "de")  # German „ opens
    assert "\u201c" not in firsts('ein "Zitat" und “ so ', "de")  # German “ closes
    assert RIGHT_QUOTE in firsts("wat doe je 's avonds ", "nl")  # ’s avonds


def test_the_word_before_a_spaced_mark_is_still_hyphenated():
    m = _measured("Verantwoordelijkheid ?", "nl")
    assert [w.text for w in m.words] == ["Verantwoordelijkheid ?"]
    assert m.cuts(0)


def test_every_language_has_the_marks_of_the_common_list():
    for lang in known_languages():
        assert set(NO_LINE_START) <= set(rules_for(lang).no_line_start)
    assert "\u00bb" in rules_for("uk").no_line_start and "\u00bb" in rules_for("fr").no_line_start
    assert "\u201e" not in rules_for("pl").no_line_start  # Polish „ opens

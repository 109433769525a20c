"""Turkish syllables, the Ukrainian vowel filter and Turkish casing."""

import pytest

from fiche.typeset.casing import lower, upper
from fiche.typeset.syllables import turkish_breaks, with_vowels
from fiche.typeset.typography import hyphenator


def _hyphenated(word: str, cuts: list[int]) -> str:
    return "-".join(word[a:b] for a, b in zip([0, *cuts], [*cuts, len(word)], strict=True))


@pytest.mark.parametrize(
    "word",
    [
        "öğ-ret-men-le-ri-miz-le",
        "İs-tan-bul",
        "sa-at",
        "kont-rol",
        "tren",
        "fo-toğ-raf",
        "ar-ka-daş-la-rın",
        "gön-der-me",
        "in-ter-net-te",
        "pay-laş-mak",
        "gü-ven-lik",
        "mesaj",  # a break would leave one letter: "me-saj" is fine, "m-e" never
    ],
)
def test_turkish_words_break_between_syllables(word):
    plain = word.replace("-", "")
    expected = word if plain != "mesaj" else "me-saj"
    assert _hyphenated(plain, turkish_breaks(plain)) == expected


def test_turkish_breaks_leave_two_letters_at_each_end_and_stop_at_an_apostrophe():
    assert turkish_breaks("ana") == []  # a-na would leave one letter
    assert all(c <= len("İstanbul") for c in turkish_breaks("İstanbul'da"))


@pytest.mark.parametrize(
    ("word", "cuts", "expected"),
    [
        ("батьківські", [2, 4, 6, 7, 9], "бать-ківсь-кі"),
        ("повідомлення", [2, 4, 6, 7, 9, 10], "по-ві-дом-лен-ня"),
        ("шкільний", [3, 5], "шкіль-ний"),
        ("ст", [1], "ст"),
    ],
)
def test_no_part_of_a_ukrainian_word_is_left_without_a_vowel(word, cuts, expected):
    vowels = frozenset("аеєиіїоуюяАЕЄИІЇОУЮЯ")
    assert _hyphenated(word, with_vowels(word, cuts, vowels)) == expected


def test_ukrainian_hyphenator_never_gives_a_part_without_a_vowel():
    hyph = hyphenator("uk")
    assert hyph is not None
    vowels = set("аеєиіїоуюяАЕЄИІЇОУЮЯ")
    for word in ["батьківські", "повідомлення", "фотографії", "інтернет", "соціальних"]:
        for head, tail in hyph(word):
            assert vowels & set(head) and vowels & set(tail), (word, head, tail)


def test_turkish_capitals_keep_the_dot_on_the_i():
    assert upper("istanbul ırmak", "tr") == "İSTANBUL IRMAK"
    assert lower("İSTANBUL IRMAK", "tr") == "istanbul ırmak"
    assert upper("istanbul", "en") == "ISTANBUL"


@pytest.mark.parametrize(
    "word",
    [
        "бать-ківсь-кі",
        "зо-бра-жен-ня",  # not зоб-ра (pyphen), not зображе-ння
        "при-брати",
        "пере-слати",
        "по-скар-жи-тися",  # not пос-кар
        "напри-клад",
        "стат-тю",  # not ста-ттю
        "секс-тин-гу",  # not сексти-нгу
        "почав-ши",
        "вчи-тель-ка",  # the soft sign stays with its consonant
        "шкіль-ний",
        "ком-пʼю-тер-ний",  # the letter apostrophe is part of the word
        "роз-ви-вати",  # a prefix stays whole: not ро-зви-вати
        "від-вер-то",  # not ві-дверто
        "без-печ-ний",
    ],
)
def test_ukrainian_words_break_where_ukrainian_syllables_do(word):
    hyph = hyphenator("uk")
    assert hyph is not None
    plain = word.replace("-", "")
    cuts = sorted(len(head) for head, _tail in hyph(plain))
    assert _hyphenated(plain, cuts) == word


def test_polish_one_letter_words_never_end_a_line():
    from fiche.typeset.linebreak import Measured

    bind = frozenset("aiouwzAIOUWZ")
    m = Measured("ktoś cię o nie prosi i w domu", lambda b, i: "Helvetica", None, 6, ",.", bind)
    assert [w.text for w in m.words] == ["ktoś", "cię", "o nie", "prosi", "i w domu"]
    m = Measured("ktoś cię o nie prosi", lambda b, i: "Helvetica", None, 6, ",.")
    assert len(m.words) == 5  # other languages: no such rule


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("\u201eBeziehungsgespr\u00e4ch\u201c", "de"),  # „…“: “ closes in German
        ("\u00bbBeziehungsgespr\u00e4ch\u00ab", "de"),  # »…«
        ("\u201erozpowszechnianie\u201d", "pl"),
        ("«повідомлення»", "uk"),
        ("“görüntülerin”", "tr"),
    ],
)
def test_a_word_in_its_languages_quotes_can_still_be_hyphenated(text, lang):
    from fiche.typeset.linebreak import Measured

    m = Measured(text, lambda b, i: "Helvetica", hyphenator(lang), 6)
    assert m.cuts(0), text

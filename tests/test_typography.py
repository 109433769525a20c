"""Per-language typography and hyphenation."""

from __future__ import annotations

from pathlib import Path

import pytest
from reportlab.pdfbase.pdfmetrics import stringWidth

from fiche.engine.fonts import register_family
from fiche.model.languages import NNBSP
from fiche.model.layout import FontFamily
from fiche.typeset.linebreak import Measured
from fiche.typeset.typography import hyphenator, smarten, to_markup

from .conftest import REPO

HYPHENATION = REPO / "hyphenation"


@pytest.mark.parametrize(
    "lang, text, expected",
    [
        ("nl", 'foto\'s en "sexy" beelden', "foto\u2019s en \u201csexy\u201d beelden"),
        ("en", 'parents\' evening, "sexting"', "parents\u2019 evening, \u201csexting\u201d"),
        ("en", "afraid of adults' sometimes fierce", "afraid of adults\u2019 sometimes fierce"),
        ("de", 'ein "Sexting"-Foto', "ein \u201eSexting\u201c-Foto"),
        (
            "fr",
            'l\'image "intime" ? Oui : non ; stop !',
            f"l\u2019image \u00ab{NNBSP}intime{NNBSP}\u00bb{NNBSP}? "
            f"Oui{NNBSP}: non{NNBSP}; stop{NNBSP}!",
        ),
        (
            "fr",
            "Voir http://www.mediawijs.be ou mail:x",
            f"Voir http://www.mediawijs.be ou mail{NNBSP}:x",
        ),
        ("nl", "Seks hebben via bv. Skype...", "Seks hebben via bv. Skype\u2026"),
    ],
)
def test_smarten(lang, text, expected):
    assert smarten(text, lang) == expected


def test_french_spaces_are_not_doubled():
    assert smarten("Plus d'infos ?", "fr") == f"Plus d\u2019infos{NNBSP}?"
    assert smarten("Plus d'infos?", "fr") == f"Plus d\u2019infos{NNBSP}?"


def test_inline_marks_become_markup_and_plain_text():
    markup, plain = to_markup("**Stel een noodplan op.** Zie *Mediawijs* & co <x>")
    assert markup == "<b>Stel een noodplan op.</b> Zie <i>Mediawijs</i> &amp; co &lt;x&gt;"
    assert plain == "Stel een noodplan op. Zie Mediawijs & co <x>"


def _lines(text: str, width: float, lang: str, size: float = 10) -> list[str]:
    """The lines fiche sets `text` in, `width` points wide at `size` points."""
    fam = register_family(
        "lato", FontFamily(regular="Lato-Regular.ttf", bold="Lato-Bold.ttf"), REPO / "assets/fonts"
    )
    m = Measured(
        text.replace("&", "&amp;").replace("<", "&lt;"),
        lambda bold, italic: fam.bold if bold else fam.regular,
        hyphenator(lang, HYPHENATION / f"{lang}.txt"),
    )
    return [m.text(line) for line in m.lines(width / size)]


def test_lines_hold_every_word_once_and_never_run_past_the_width():
    text = "Sexting is niet nieuw. Vroeger gebeurde het ook met camera’s waarmee je " * 4
    for width in range(40, 300, 13):
        lines = _lines(text, width, "nl")
        assert "".join(lines).replace("-", "").replace(" ", "") == text.replace(" ", "")
        fam_width = [stringWidth(line, "Lato-Regular", 10) for line in lines]
        # only a word wider than the whole line may overflow, and then alone
        for line, w in zip(lines, fam_width, strict=True):
            assert w <= width + 1e-6 or " " not in line, (width, line)


def test_markup_runs_keep_their_fonts_and_links():
    fam = register_family(
        "lato", FontFamily(regular="Lato-Regular.ttf", bold="Lato-Bold.ttf"), REPO / "assets/fonts"
    )
    m = Measured(
        '<b>Stel een noodplan op.</b> Zie <a href="https://x.be">x.be</a>, &amp; co',
        lambda bold, italic: fam.bold if bold else fam.regular,
    )
    (line,) = m.lines(1000)
    runs = [tuple(p) for p in m.segments(line)]
    assert runs == [
        ("Stel een noodplan op.", "Lato-Bold", None),
        (" Zie ", "Lato-Regular", None),
        ("x.be", "Lato-Regular", "https://x.be"),
        (", & co", "Lato-Regular", None),
    ]


def test_no_line_starts_with_french_punctuation_or_closing_guillemet():
    text = smarten(" ".join(['Que faire si une image "circule" ? Parle : vite ; ok !'] * 12), "fr")
    for width in range(60, 200, 7):
        for line in _lines(text, width, "fr"):
            assert line[0] not in ";:!?\u00bb", (width, line)
            assert not line.rstrip().endswith("\u00ab"), (width, line)


def test_german_compounds_are_hyphenated_using_the_exception_list():
    text = (
        "Die Schulsozialarbeit und die Vertrauenslehrkraft begleiten die "
        "Sexualerziehung und die Aufklärungsgespräche."
    )
    lines = _lines(text, 75, "de")
    joined = "\n".join(lines)
    assert "-" in joined, lines  # compounds were broken at line ends
    allowed = {
        "Schul-",
        "Schulso-",
        "Schulsozi-",
        "Schulsozial-",
        "Schulsozialar-",
        "Ver-",
        "Vertrau-",
        "Vertrauens-",
        "Vertrauenslehr-",
        "Se-",
        "Sexu-",
        "Sexual-",
        "Sexualer-",
        "Sexualerzie-",
        "Auf-",
        "Aufklä-",
        "Aufklärungs-",
        "Aufklärungsge-",
        "Aufklärungsgesprä-",
        "die-",
        "und-",
    }
    for line in lines:
        last = line.split()[-1]
        if last.endswith("-"):
            assert last in allowed, (last, lines)
    # the dictionary alone would allow the bad break "Schulsozia-larbeit"
    assert not any(w.startswith("larbeit") for line in lines for w in line.split())


def test_exception_list_overrides_the_dictionary(tmp_path: Path):
    exc = tmp_path / "de.txt"
    exc.write_text("# comment\nSchul-sozialarbeit\n", encoding="utf-8")
    pairs = list(hyphenator("de", exc)("Schulsozialarbeit"))
    assert pairs == [("Schul", "sozialarbeit")]
    assert list(hyphenator("de", exc)("Elternabend"))  # others still use pyphen


def test_a_dictionary_is_read_on_the_first_word_it_breaks_and_once(tmp_path: Path):
    from fiche.typeset import typography

    exc = tmp_path / "fr.txt"
    exc.write_text("har-cèlement\n", encoding="utf-8")
    typography._dictionary.cache_clear()
    hy = hyphenator("fr", exc)
    assert hy is not None
    assert list(hy("harcèlement")) == [("har", "cèlement")]  # an exception: no dictionary
    assert typography._dictionary.cache_info().currsize == 0
    assert list(hy("relationnelle"))
    exc.write_text("harcèle-ment\n", encoding="utf-8")  # another hyphenator, same patterns
    assert list(hyphenator("fr", exc)("relationnelle")) == list(hy("relationnelle"))
    assert typography._dictionary.cache_info().misses == 1  # read once


def test_urls_emails_and_the_number_are_never_hyphenated():
    text = "Meer info op www.mediawijs.be/mediawijsonline of mediawijs@iminds.be, fiche N°3."
    for width in range(120, 400, 11):
        for line in _lines(text, width, "nl"):
            for word in line.split():
                if word.endswith("-"):
                    assert "." not in word and "@" not in word and "°" not in word, word


def test_an_edited_exception_list_counts_in_the_same_process(tmp_path: Path):
    # `fiche serve` renders in one long-running process
    exc = tmp_path / "de.txt"
    exc.write_text("Schul-sozialarbeit\n", encoding="utf-8")
    assert list(hyphenator("de", exc)("Schulsozialarbeit")) == [("Schul", "sozialarbeit")]
    exc.write_text("Schulsozial-arbeit\n", encoding="utf-8")
    assert list(hyphenator("de", exc)("Schulsozialarbeit")) == [("Schulsozial", "arbeit")]


@pytest.mark.parametrize(
    "lang, word",
    [("nl", "verspreiden"), ("fr", "harcèlement"), ("en", "relationship"), ("de", "verbreitet")],
)
def test_every_language_of_the_catalogue_is_hyphenated(lang, word):
    # pyphen names French "fr", not "fr_FR": French went unhyphenated once
    hy = hyphenator(lang, HYPHENATION / f"{lang}.txt")
    assert hy is not None and list(hy(word))

"""Each language's typography beyond its quotes: the apostrophe, capitals by language,
and the marks that never begin a line."""

from __future__ import annotations

import re
import shutil
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
from fiche.typeset.casing import title, upper
from fiche.typeset.linebreak import Measured
from fiche.typeset.typography import hyphenator, smarten

from .conftest import REPO, edit

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


# --- capitals ------------------------------------------------------------------------


def test_title_case_keeps_the_dotted_capital_i():
    assert title("siber zorbalık", "tr") == "Siber Zorbalık"
    assert title("internet güvenliği", "tr") == "İnternet Güvenliği"
    assert title("cyber pesten", "nl") == "Cyber Pesten"


# Calls that change case. Only `fiche.typeset.casing` may make them on text a reader
# sees: Python's own know no Turkish. The rest change file names, hosts and messages.
_CASE_CALL = re.compile(r"\.(upper|lower|capitalize|title|casefold|swapcase)\(\)")
_NOT_CONTENT = {
    "fiche/model/contrast.py": ['(layout.fonts[style.font].regular or "").lower()'],
    "fiche/model/school.py": ["self.path.stem.lower()", "logo.suffix.lower()"],
    "fiche/model/catalog.py": ["p.suffix.lower()"],
    "fiche/model/address.py": ["scheme.lower()"],
    "fiche/model/validation.py": ["message[0].lower()"],  # pydantic's English messages
    "fiche/paint/imprint.py": ["src.suffix.lower()"],
    "fiche/cli/preview.py": ["n.lower()"],
    "fiche/tools/httpd.py": [
        "hosts[0].strip().lower()",
        "origin.lower()",
        '.get("Sec-Fetch-Site", "").lower()',
    ],
    "fiche/check/preflight.py": ["self.status.upper()"],
    "fiche/tools/xliff/reader.py": ["[0].lower()"],  # a language tag (pl-PL), not text
}


def test_no_code_changes_the_case_of_text_but_through_casing():
    found = []
    for path in sorted((REPO / "fiche").rglob("*.py")):
        name = path.relative_to(REPO).as_posix()
        if name == "fiche/typeset/casing.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            calls = _CASE_CALL.search(line) or re.search(r"\bstr\.(upper|lower|title)\b", line)
            if calls and not any(ok in line for ok in _NOT_CONTENT.get(name, [])):
                found.append(f"{name}:{n}: {line.strip()}")
    assert found == [], "use fiche.typeset.casing:\n" + "\n".join(found)


def test_a_header_text_in_capitals_follows_the_sheets_language(project):
    import pypdfium2

    from fiche.build.run import build

    content = project / "content/n3"
    for lang, series, heading in (
        ("tr", "Siber zorbalık", "Sexting"),
        ("uk", "Кібербулінг", "Сім'я і п’ять порад"),
    ):
        shutil.copy(content / "de.yaml", content / f"{lang}.yaml")
        edit(content / f"{lang}.yaml", "language: de", f"language: {lang}")
        edit(content / f"{lang}.yaml", "series: Cybermobbing", f"series: {series}")
        edit(content / f"{lang}.yaml", "    text: Sexting\n", f'    text: "{heading}"\n')
    edit(content / "fiche.yaml", "[nl, fr, en, de, tr, pl, uk, ar]", "[nl, fr, en, de, tr, uk]")
    edit(
        project / "layouts/youth.yaml",
        'text: "{series}", max_width_mm: 120}',
        'text: "{series}", max_width_mm: 120, case: upper}',
    )
    out = project / "dist"
    report = build(
        project, out, langs=("tr", "uk", "nl"), sheets=("n3-youth",), profiles=("screen",)
    )
    assert not report.failed, [str(p) for r in report.failed for p in r.problems]

    def front(lang: str) -> str:
        page = pypdfium2.PdfDocument(out / lang / "n3-youth.screen.pdf")[0]
        return page.get_textpage().get_text_range()

    assert "SİBER ZORBALIK" in front("tr")
    assert "КІБЕРБУЛІНГ" in front("uk")
    assert "CYBERPESTEN" in front("nl")
    assert "Сімʼя і пʼять порад" in front("uk")  # read back as the letter apostrophe


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
    assert upper("i", "tr") == "İ"

"""The comparison of extracted text with the text it was made from."""

from __future__ import annotations

import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from fiche.check.textcheck import bad_characters, compare_in_order, missing_in_order


def test_line_ends_that_readers_join_still_match():
    # our hyphenation: pdfium joins the halves with U+FFFE, others keep "-" and a newline
    assert missing_in_order("versprei\ufffeden", ["verspreiden"]) == []
    assert missing_in_order("versprei-\r\nden", ["verspreiden"]) == []
    # a line that ends with the word's own hyphen: pdfium drops the space after it too
    # (found by the long fuzz run: a title "… Ag- 000000@W" broken after "Ag-")
    assert missing_in_order("NaP/ Ag\ufffe000000@W", ["NaP/ Ag- 000000@W"]) == []
    assert missing_in_order("Sexting-\r\nAnfragen", ["Sexting-Anfragen"]) == []


def test_a_lost_or_changed_word_is_reported():
    assert missing_in_order("Vraag de dader", ["Vraag de dader om"]) == ["Vraag de dader om"]
    assert missing_in_order("Ag000000@W", ["Ag- 000000@W"]) == ["Ag- 000000@W"]
    assert missing_in_order("b a", ["a", "b"]) == ["b"]  # order counts


def test_broken_mapping_is_told_from_text_that_says_so_itself():
    assert bad_characters("abc (cid:12) \ufffd") == ["U+FFFD", "'(cid:' sequences"]
    # found by the long fuzz run: a paragraph whose own words contain "(cid:"
    assert bad_characters("0 0 (cid:", source="0 0 (cid:") == []
    assert bad_characters("(cid:1) (cid:2)", source="(cid:1)") == ["'(cid:' sequences"]


def test_a_text_ending_in_a_hyphen_leaves_the_next_texts_hyphen_alone():
    # Found by the long fuzz run: "CO-" at a line end, then a paragraph "-". The "-" of
    # the next line is not a hyphenation break of the first text.
    extracted = "0 0 K\u00abCO-\r\n-\r\nAanspreekpunt:"
    assert missing_in_order(extracted, ["0 0 K\u00abCO-", "-", "Aanspreekpunt:"]) == []
    # ... and a hyphen that is really lost is still reported.
    assert missing_in_order("0 0 K\u00abCO-\r\nAanspreekpunt:", ["0 0 K\u00abCO-", "-"]) == ["-"]


def test_a_hyphenation_break_is_no_hyphen_but_a_lost_hyphen_is_reported():
    assert missing_in_order("de leer-\nlingen", ["de leerlingen"]) == []
    assert missing_in_order("de leer-\r\nlingen", ["de leer-lingen"]) == []
    assert missing_in_order("Sexting-Anfragen", ["Sexting-Anfragen"]) == []
    assert missing_in_order("SextingAnfragen", ["Sexting-Anfragen"]) == ["Sexting-Anfragen"]
    assert missing_in_order("Sexting Anfragen", ["Sexting-Anfragen"]) == ["Sexting-Anfragen"]


# A check that is too weak passes these: one that compares words as a set, or normalises
# the spaces and breaks away, or looks for each word on its own.
PAGE = ["Vraag de dader om te stoppen.", "Bewaar de berichten.", "Praat erover."]


def test_a_lost_word_is_reported():
    read = "Vraag de dader om te\r\nstoppen. Bewaar berichten. Praat erover."
    assert missing_in_order(read, PAGE) == ["Bewaar de berichten."]
    # ... and so is a lost space: two words run together are not the same text
    assert missing_in_order("Vraag de daderom te stoppen.", PAGE[:1]) == PAGE[:1]


def test_a_doubled_word_or_paragraph_is_reported():
    # "Doubled" means: a word or phrase repeated inside one text (that text is then not
    # found: each text must be found whole), or a whole text drawn again right after
    # itself, before the next text, where the page has it once.
    assert missing_in_order("Vraag de de dader om te stoppen.", PAGE[:1]) == PAGE[:1]
    twice = "Vraag de dader om te stoppen. Bewaar de berichten.\r\nBewaar de\r\nberich\ufffeten."
    assert compare_in_order(twice + " Praat erover.", PAGE) == ([], ["Bewaar de berichten."])
    # A text the page has twice in a row is no doubling, neither is a text that the next
    # one starts with, nor the second copy on a two-up page (after the last text).
    assert compare_in_order("0 0 X", ["0", "0", "X"]) == ([], [])
    assert compare_in_order("0 0 0 X", ["0", "0", "X"]) == ([], ["0"])
    assert compare_in_order("Tip Tip: bewaar", ["Tip", "Tip: bewaar"]) == ([], [])
    two_up = " ".join(PAGE + PAGE)
    assert compare_in_order(two_up, PAGE) == ([], [])


def test_two_swapped_paragraphs_are_reported():
    read = "Vraag de dader om te stoppen. Praat erover. Bewaar de berichten."
    assert missing_in_order(read, PAGE) == ["Praat erover."]


# The check as it was: one regular expression per text, with an optional break between
# every two characters. It was right but slow (a third of a one-fiche build); the new one
# must give the same answer on any page.
_OLD_BREAK = r"(?:\ufffe|-?[ \t]*[\r\n]+[ \t]*)??"


def _old_pattern(text: str) -> re.Pattern:
    parts = []
    for k, ch in enumerate(text):
        if ch.isspace():
            parts.append(r"\s*" if k and text[k - 1] == "-" else r"\s+")
        elif ch == "-":
            parts.append(r"(?:-|\ufffe)\s*")
        else:
            parts.append(re.escape(ch) + _OLD_BREAK)
    return re.compile("".join(parts).replace(r"\s+\s+", r"\s+").replace(r"\s*\s+", r"\s*"))


def _old_missing_in_order(extracted: str, expected: list[str]) -> list[str]:
    pos = 0
    missing = []
    for text in expected:
        m = _old_pattern(text.strip()).search(extracted, pos)
        if m is None:
            missing.append(text)
        else:
            pos = m.end()
    return missing


SLOW = os.environ.get("FICHE_FUZZ") == "long"
SOFT = " \t\r\n-\ufffe\xa0"  # what line breaking adds, drops or changes
words = st.text(alphabet="ab0é." + SOFT, min_size=0, max_size=8)
breaks = st.sampled_from([" ", "\r\n", "-\r\n", "\ufffe", "", "- ", "\r\n-\r\n"])


@st.composite
def pages(draw) -> tuple[str, list[str]]:
    """Texts, and a page made of them as a reader might give it back: line breaks and
    hyphenation breaks anywhere, then perhaps a few characters lost, added or moved."""
    texts = draw(st.lists(st.lists(words, max_size=5).map(" ".join), min_size=1, max_size=5))
    read = draw(breaks).join(texts)
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(read)))
        read = read[:i] + draw(breaks) + read[i:]
    for _ in range(draw(st.integers(0, 2))):
        i = draw(st.integers(0, len(read)))
        op = draw(st.sampled_from(["drop", "add", "double"]))
        if op == "drop":
            read = read[:i] + read[i + 1 :]
        elif op == "add":
            read = read[:i] + draw(st.sampled_from("ab0-")) + read[i:]
        else:
            read = read[:i] + read[i : i + 6] + read[i:]
    return read, texts


@settings(max_examples=20000 if SLOW else 200, deadline=None, derandomize=not SLOW)
@given(pages())
def test_the_linear_check_agrees_with_the_regular_expressions(page):
    read, texts = page
    assert missing_in_order(read, texts) == _old_missing_in_order(read, texts)

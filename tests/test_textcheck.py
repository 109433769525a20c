"""The comparison of extracted text with the text it was made from."""

from __future__ import annotations

from fiche.check.textcheck import bad_characters, missing_in_order


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

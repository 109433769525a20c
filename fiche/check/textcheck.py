"""Text a reader extracts from a PDF, compared with the text it was made from.

Input: PDF bytes and, per page, the expected texts in reading order. Output:
the texts that could not be found, in order. Line ends may split a word with a
hyphen (our hyphenation) and spacing may differ; every other character must
be there, in the same order.
"""

from __future__ import annotations

import re
import unicodedata

import pypdfium2 as pdfium


def extract_pages(pdf: bytes) -> list[str]:
    """The text of each page, as pdfium extracts it."""

    doc = pdfium.PdfDocument(pdf)
    try:
        out = []
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            out.append(tp.get_text_range())
            tp.close()
            page.close()
        return out
    finally:
        doc.close()


def bad_characters(text: str, source: str = "") -> list[str]:
    """Signs of broken text mapping: U+FFFD, private-use characters, '(cid:', unless
    the `source` the PDF was made from (when known) has them itself."""
    bad = sorted(
        {c for c in text if (c == "\ufffd" or unicodedata.category(c) == "Co") and c not in source}
    )
    out = [f"U+{ord(c):04X}" for c in bad]
    if text.count("(cid:") > source.count("(cid:"):
        out.append("'(cid:' sequences")
    return out


# Between two characters a reader may report: our hyphenation's break (pdfium gives
# U+FFFE and joins the lines, others "-" and a line break), or a bare line break
# (pdfium starts a new line between separately drawn runs of one word, e.g. at "&").
# Lazy: a break is assumed only where the text is not found without one, so a text
# that ends in "-" does not take the "-" of the text after it for a hyphenation break.
_BREAK = r"(?:\ufffe|-?[ \t]*[\r\n]+[ \t]*)??"


def _pattern(text: str) -> re.Pattern:
    parts = []
    for k, ch in enumerate(text):
        if ch.isspace():
            # A line that ends with a word's own hyphen ("Ag- 000") reads to pdfium like
            # a hyphenated word: it joins the lines and drops the space ("Ag\ufffe000").
            parts.append(r"\s*" if k and text[k - 1] == "-" else r"\s+")
        elif ch == "-":
            parts.append(r"(?:-|\ufffe)\s*")
        else:
            parts.append(re.escape(ch) + _BREAK)
    return re.compile("".join(parts).replace(r"\s+\s+", r"\s+").replace(r"\s*\s+", r"\s*"))


def missing_in_order(extracted: str, expected: list[str]) -> list[str]:
    """Expected texts not found in `extracted` after the previous one."""
    pos = 0
    missing = []
    for text in expected:
        m = _pattern(text.strip()).search(extracted, pos)
        if m is None:
            missing.append(text)
        else:
            pos = m.end()
    return missing

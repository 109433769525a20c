"""Text a reader extracts from a PDF, compared with the text it was made from.

Input: PDF bytes and, per page, the expected texts in reading order. Output:
the texts that could not be found, in order, and those drawn twice in a row. Line
ends may split a word with a hyphen (our hyphenation) and spacing may differ; every
other character must be there, in the same order. Linear in the text in practice: one
pass cuts a page, then one `str.find` per text from a cursor that only moves forward.
"""

from __future__ import annotations

import bisect
import functools
import io
import re
import unicodedata
from typing import NamedTuple

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


# A right-to-left page draws an item's label (a tip's number, a meaning's) right of the
# item's first line. A reader that orders a left-to-right line by x, as pdfium does with
# Latin text, gives it after that line's last word ("… durf open te 1\npraten"); put back
# at the start of the line, it comes before its item, as it is read and as the check
# expects. A text's own number after a space at a line's end moves too (and is then
# reported as not found): a page of Latin text read right to left is a test, not a fiche.
_LABEL_AT_LINE_END = re.compile(r"^([^\r\n]*?)[ \t]+(\d{1,3})[ \t]*(?=\r?$)", re.MULTILINE)


def labels_first(text: str) -> str:
    """Page text of a right-to-left page with each label a reader put at the end of a
    line put back at its start."""
    return _LABEL_AT_LINE_END.sub(r"\2 \1", text)


def structure_text(pdf: bytes) -> str:
    """The /ActualText of the structure elements, in the tree's order, a line each: the
    text a screen reader reads (exact for right-to-left pages, whose page text each
    reader reorders by its own guess)."""
    import pikepdf

    out: list[str] = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root.get("/StructTreeRoot")
        if root is None:
            return ""
        todo = [root.get("/K")]
        seen: set[tuple[int, int]] = set()
        while todo:
            k = todo.pop()
            if isinstance(k, pikepdf.Array):
                todo.extend(reversed(list(k)))
            elif isinstance(k, pikepdf.Dictionary):
                if k.is_indirect:
                    if k.objgen in seen:
                        continue
                    seen.add(k.objgen)
                text = k.get("/ActualText")
                if text is not None:
                    out.append(str(text))
                    continue
                if "/K" in k and k.get("/Type") != "/OBJR":
                    todo.append(k.K)
    return "\n".join(out)


# A bracket may come back as its mirror image from a right-to-left line: ( and ) count alike.
_MIRROR = str.maketrans(")]}>\u00bb\u203a", "([{<\u00ab\u2039")


def missing_characters(extracted: str, expected: list[str]) -> list[str]:
    """The characters of `expected` (spaces aside) that `extracted` holds fewer of: for a
    right-to-left page, whose page text each reader reorders by its own guess, what can
    be checked there is that nothing drawn is lost (its order is checked in the
    structure text)."""
    from collections import Counter

    def count(text: str) -> Counter[str]:
        # NFKC: a reader may give "…" back as "...", which is not a loss
        text = unicodedata.normalize("NFKC", text).translate(_MIRROR)
        return Counter(text.replace("\ufffe", ""))

    have = count(extracted)
    want = count("".join(expected))
    return sorted(
        ch for ch, n in want.items() if not ch.isspace() and ch not in "-\u00ad" and have[ch] < n
    )


def _bad(c: str) -> bool:
    # U+FFFD, private use, and Arabic presentation forms: a shaped glyph mapped to its
    # form instead of its letters
    return (
        c == "\ufffd"
        or unicodedata.category(c) == "Co"
        or "\ufb50" <= c <= "\ufdff"
        or "\ufe70" <= c <= "\ufeff"
    )


def bad_characters(text: str, source: str = "") -> list[str]:
    """Signs of broken text mapping: U+FFFD, private-use characters, presentation forms,
    '(cid:', unless the `source` the PDF was made from (when known) has them itself."""
    bad = sorted({c for c in text if _bad(c) and c not in source})
    out = [f"U+{ord(c):04X}" for c in bad]
    if text.count("(cid:") > source.count("(cid:"):
        out.append("'(cid:' sequences")
    return out


# The comparison. A reader gives back every character we drew, but where we broke lines
# it may add or drop "soft" characters: whitespace, hyphens and U+FFFE. So both sides are
# cut once into their "hard" characters (everything else), found with one `str.find`,
# and the runs of soft characters between them (the gaps), checked one by one against
# what the expected text's gap allows. The cursor only moves forward: a text must be
# found at or after the end of the one before it.
#
# What a gap allows, as regular expressions (small, few and cached; they are what one
# pattern per text used to spell out between every pair of characters):
# - after a hard character, a reader may report our hyphenation's break (pdfium gives
#   U+FFFE and joins the lines, others "-" and a line break) or a bare line break
#   (pdfium starts a new line between separately drawn runs of one word, e.g. at "&");
# - a space, one or more whitespace characters; a hyphen, "-" or U+FFFE, then any
#   whitespace: a line that ends with a word's own hyphen ("Ag- 000") reads to pdfium
#   like a hyphenated word, which joins the lines and drops the space ("Ag\ufffe000").
# Lazy: a break is assumed only where the text is not found without one, so a text that
# ends in "-" does not take the "-" of the text after it for a hyphenation break.
_BREAK = r"(?:\ufffe|-?[ \t]*[\r\n]+[ \t]*)??"
_SOFT = r"\s\-\ufffe"
_TOKENS = re.compile(rf"[{_SOFT}]*[^{_SOFT}]")


def _soft(gap: str) -> str:
    """The pattern a run of soft characters of an expected text allows."""
    parts = []
    after_hyphen = False
    for ch in gap:
        if ch == "-":
            parts.append(r"(?:-|\ufffe)\s*")
        else:
            parts.append(r"\s*" if after_hyphen else r"\s+")
        after_hyphen = ch == "-"
    return "".join(parts).replace(r"\s+\s+", r"\s+").replace(r"\s*\s+", r"\s*")


@functools.lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


@functools.lru_cache(maxsize=1024)
def _pattern(text: str) -> re.Pattern:
    """One text as one pattern, for the rare text the cut does not fit: soft characters
    only (e.g. "-"), so no hard character to look for, or a U+FFFE of its own, which a
    reader's text can only hold as a break."""
    parts = []
    for k, ch in enumerate(text):
        if ch.isspace():
            parts.append(r"\s*" if k and text[k - 1] == "-" else r"\s+")
        elif ch == "-":
            parts.append(r"(?:-|\ufffe)\s*")
        else:
            parts.append(re.escape(ch) + _BREAK)
    return re.compile("".join(parts).replace(r"\s+\s+", r"\s+").replace(r"\s*\s+", r"\s*"))


class _Page:
    """An extracted text cut into its hard characters and their positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = [m.end() - 1 for m in _TOKENS.finditer(text)]
        self.hard = "".join(text[i] for i in self.at)


class _Text:
    """An expected text cut into its hard characters and the patterns of its gaps."""

    def __init__(self, text: str) -> None:
        tokens = _TOKENS.findall(text)
        self.hard = "".join(t[-1] for t in tokens)
        tail = text[len("".join(tokens)) :]
        self.plain = text
        self.core = text[len(tokens[0]) - 1 : len(text) - len(tail)] if tokens else ""
        # before the first hard character: the text's own leading hyphens, matched at
        # the end of the reader's gap (the match may start inside it)
        self.lead = _regex(f"(?:{_soft(tokens[0][:-1])})\\Z") if tokens and tokens[0][:-1] else None
        # between hard characters: the gap as written, or what a reader may make of it
        self.gaps = [t[:-1] for t in tokens[1:]]
        # after the last: nothing (a lazy break is always empty there), or its hyphens
        self.tail = _regex(_BREAK + _soft(tail)) if tail else None


@functools.lru_cache(maxsize=65536)
def _gap_fits(found: str, written: str) -> bool:
    return _regex(_BREAK + _soft(written)).fullmatch(found) is not None


def _match_at(page: _Page, t: _Text, j: int, pos: int) -> tuple[int, int] | None:
    """Where `t` lies in `page` with its first hard character at hard index `j`, and
    the match starting at or after `pos`: (start, end), or None."""
    text, at = page.text, page.at
    first = at[j]
    start = first
    if t.lead is not None:
        lo = max(at[j - 1] + 1 if j else 0, pos)
        m = t.lead.search(text, lo, first)
        if m is None:
            return None
        start = m.start()
    last = at[j + len(t.hard) - 1]
    if text[first : last + 1] != t.core:  # else every gap is as written
        k = j + 1
        for written in t.gaps:
            found = text[at[k - 1] + 1 : at[k]]
            if found != written and not _gap_fits(found, written):
                return None
            k += 1
    end = last + 1
    if t.tail is not None:
        m = t.tail.match(text, end)
        if m is None:
            return None
        end = m.end()
    return start, end


def _find(page: _Page, t: _Text, pos: int) -> tuple[int, int] | None:
    """The first match of `t` in `page` that starts at or after `pos`."""
    if not t.hard or "\ufffe" in t.plain:
        m = _pattern(t.plain).search(page.text, pos)
        return None if m is None else (m.start(), m.end())
    j = page.hard.find(t.hard, bisect.bisect_left(page.at, pos))
    while j >= 0:
        found = _match_at(page, t, j, pos)
        if found is not None:
            return found
        j = page.hard.find(t.hard, j + 1)
    return None


class InOrder(NamedTuple):
    """What a page's extracted text lacks or repeats, against the texts it was made from."""

    missing: list[str]  # not found after the text before them
    doubled: list[str]  # drawn twice in a row where they were written once


def _doubled(page: _Page, t: _Text, end: int, bound: int) -> bool:
    """Whether a second copy of `t` starts right after its match (which ends at `end`;
    nothing but soft characters between) and ends by `bound`."""
    if not t.hard or "\ufffe" in t.plain:
        return False  # a text of hyphens: too little to tell a copy by
    j = bisect.bisect_left(page.at, end)
    if not page.hard.startswith(t.hard, j):
        return False
    copy = _match_at(page, t, j, end)
    return copy is not None and copy[1] <= bound


def compare_in_order(extracted: str, expected: list[str]) -> InOrder:
    """The expected texts missing from `extracted` (each must be found at or after the
    end of the one before it) and those doubled: found again in a row, before the
    next expected text, where `expected` has them once. Text after the last expected
    text found is not looked at: a two-up page holds the whole page twice."""
    page = _Page(extracted)
    pos = 0
    missing = []
    found: list[tuple[str, _Text, int, int]] = []
    for text in expected:
        t = _Text(text.strip())
        where = _find(page, t, pos)
        if where is None:
            missing.append(text)
        else:
            found.append((text, t, *where))
            pos = where[1]
    doubled = [
        text
        for (text, t, _, end), (_, _, start, _) in zip(found, found[1:], strict=False)
        if _doubled(page, t, end, start)
    ]
    return InOrder(missing, doubled)


def missing_in_order(extracted: str, expected: list[str]) -> list[str]:
    """Expected texts not found in `extracted` after the previous one."""
    return compare_in_order(extracted, expected).missing

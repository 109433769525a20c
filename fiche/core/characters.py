"""Characters a text may hold: those that print as meant and that a reader gets back.

Input: a text as written in a content or school file. Output: the problems with its
characters, each with what it is and what to do. Used where the files are validated
(so `fiche validate` reports them at their line) and again on the text as set.
"""

from __future__ import annotations

import unicodedata

# Characters fiche itself puts into text (line breaks, tabs, soft hyphens), which a
# reader gets back or drops as it should.
_OURS = frozenset("\n\t\u00ad")
# More combining marks on one letter than any language writes: they pile up unreadably
# and extraction drops or reorders them.
MAX_COMBINING = 3


def unreadable_characters(text: str) -> tuple[set[str], list[tuple[str, str]]]:
    """Characters that cannot be printed as the text means them or read back from the PDF:
    control characters, noncharacters, unassigned code points, surrogates, invisible format
    characters, line and paragraph separators, ligature characters, and piles of combining
    marks. Returns the characters and, for each problem, what it is and what to do."""
    found: set[str] = set()
    said: list[tuple[str, str]] = []
    for ch in sorted(set(text) - _OURS):
        what = _unreadable_kind(ch, unicodedata.category(ch))
        if what:
            found.add(ch)
            said.append((f"{what} {_named(ch)}", "remove it"))
        elif 0xFB00 <= ord(ch) <= 0xFB4F and unicodedata.decomposition(ch).startswith("<compat>"):
            # pdfium gives back the letters, not the ligature: the text would not match
            letters = unicodedata.normalize("NFKC", ch)
            found.add(ch)
            said.append(
                (f"ligature {_named(ch)}: a reader gets back {letters!r}", f"write {letters!r}")
            )
    return found, said + _combining_problems(text)


def _named(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def _combining_problems(text: str) -> list[tuple[str, str]]:
    """Too many combining marks on one letter, or one mark twice: pdfium drops a glyph
    drawn again at the same place (as it drops the copies of "fake bold")."""
    if not any(unicodedata.category(ch).startswith("M") for ch in set(text)):
        return []  # most texts have no mark at all: not worth a look at every character
    out: list[tuple[str, str]] = []
    marks: list[str] = []
    for ch in text + " ":
        if unicodedata.category(ch).startswith("M"):
            marks.append(ch)
            continue
        if len(marks) > MAX_COMBINING:
            out.append(
                (
                    f"{len(marks)} combining marks in a row",
                    f"keep at most {MAX_COMBINING} on one letter",
                )
            )
        else:
            twice = sorted({m for m in marks if marks.count(m) > 1})
            out += [(f"combining mark {_named(m)} twice on one letter", "keep one") for m in twice]
        marks = []
    return list(dict.fromkeys(out))


def _unreadable_kind(ch: str, category: str) -> str:
    cp = ord(ch)
    if 0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE:
        return "noncharacter"
    return {
        "Cc": "control character",
        "Cs": "surrogate",
        "Cn": "unassigned code point",
        "Cf": "invisible format character",
        "Zl": "line separator",
        "Zp": "paragraph separator",
    }.get(category, "")


def check_readable(text: str) -> str:
    """A pydantic validator: the text unchanged, or ValueError naming every problem."""
    _, said = unreadable_characters(text)
    if said:
        problems = "; ".join(f"{what}: {remedy}" for what, remedy in said)
        raise ValueError(f"{problems} (it cannot be printed and read back from the PDF as written)")
    return text

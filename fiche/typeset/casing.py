"""Upper and lower case by language: Python's `str.upper()` knows no Turkish.

In Turkish the dotted and dotless i are two letters: i ↔ İ and ı ↔ I, so
"istanbul" is "İSTANBUL" in capitals and "IRMAK" is "ırmak" in lower case.
"""

from __future__ import annotations

import re

_DOTTED_I = ("tr", "az")  # languages with the dotted/dotless pair


def upper(text: str, lang: str) -> str:
    if lang in _DOTTED_I:
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def lower(text: str, lang: str) -> str:
    if lang in _DOTTED_I:
        text = text.replace("İ", "i").replace("I", "ı")
    return text.lower()


_WORD_START = re.compile(r"\b\w")


def title(text: str, lang: str) -> str:
    """Each word's first letter in capitals, the rest as written: "İnternet Güvenliği"."""
    return _WORD_START.sub(lambda m: upper(m.group(0), lang), text)

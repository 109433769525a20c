"""The Unicode bidirectional algorithm (ICU's), for paragraphs that read right to left.

A paragraph is resolved once, as a whole (levels depend on what comes before and
after); each line is then reordered on its own (rules L1–L2), so a line breaker
works in logical order and the painter asks for the visual order of each line.
Isolates (U+2066–U+2069) and bracket pairs are ICU's: a Latin name, an e-mail
address, a URL or a number in an Arabic sentence keeps its own order.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import NamedTuple

import icu

# A space between two digits: a number written in groups (a phone number, 09 123 45 67).
# The algorithm would make each group a number of its own and set the groups right to
# left; resolved as a no-break space (a common separator) they stay one number. Only
# the levels are resolved on this text; the space is drawn as it is.
_GROUPED = re.compile(r"(?<=\d) (?=\d)")
# ICU counts UTF-16 units, Python characters: a character beyond the BMP (an emoji) is
# resolved as U+FFFD, a neutral of one unit, so that positions agree.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


# A Latin token in a right-to-left paragraph (an e-mail address, a handle, a URL) is one
# left-to-right unit, as if isolated (LRI … PDI): its @ # / : . between or before its
# letters would otherwise take the paragraph's direction ("@MediaWijsBe" drawn as
# "MediaWijsBe@"). Resolved as a Latin letter, each keeps its place; brackets and what
# follows the token's last letter or digit (a sentence's full stop) stay neutral.
_TOKEN = re.compile(r"[@#]?[A-Za-z0-9][^\s()\[\]{}«»\u0590-\u08ff]*[A-Za-z0-9]")
_INNER = re.compile(r"[^A-Za-z0-9]")


def _latin_tokens(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        return _INNER.sub("a", m.group(0))

    return _TOKEN.sub(one, text)


class Run(NamedTuple):
    """Characters `start`..`end` of a paragraph, drawn left to right in this order;
    `rtl`: the run reads right to left (its characters are drawn reversed)."""

    start: int
    end: int
    rtl: bool


class Paragraph:
    """The resolved levels of one paragraph's text."""

    def __init__(self, text: str, rtl: bool):
        self._bidi = icu.Bidi()
        resolved = _ASTRAL.sub("\ufffd", _GROUPED.sub("\u00a0", text))
        if rtl:
            resolved = _latin_tokens(resolved)
        self._bidi.setPara(icu.UnicodeString(resolved), 1 if rtl else 0)

    def runs(self, start: int, end: int) -> list[Run]:
        """The visual runs of the line made of characters `start`..`end`."""
        if end <= start:
            return []
        line = self._bidi.setLine(start, end)
        out = []
        for k in range(line.countRuns()):
            s, n, direction = line.getVisualRun(k)
            out.append(Run(start + s, start + s + n, direction == 1))
        return out


_CACHE: OrderedDict[tuple[str, bool], Paragraph] = OrderedDict()
_CACHE_MAX = 2048


def paragraph(text: str, rtl: bool) -> Paragraph:
    key = (text, rtl)
    got = _CACHE.get(key)
    if got is None:
        got = _CACHE[key] = Paragraph(text, rtl)
        if len(_CACHE) > _CACHE_MAX:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return got

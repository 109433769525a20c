"""Break points that pyphen cannot give: Turkish syllables, and a filter that keeps
every part of a hyphenated word a syllable (with a vowel).

pyphen has no Turkish patterns, but Turkish syllables follow one rule: between two
vowels the break goes before the last consonant (none, one or more of them), so
`öğ-ret-men-le-ri-miz-le`, `İs-tan-bul`, `sa-at`, `kont-rol`. A consonant cluster at
the start of a word (`tren`, `spor`) has no vowel before it and never breaks.
"""

from __future__ import annotations

from fiche.typeset.casing import lower

TURKISH_VOWELS = frozenset("aeıioöuüâîûAEIİOÖUÜÂÎÛ")


def turkish_breaks(word: str, left: int = 2, right: int = 2) -> list[int]:
    """The positions (characters before the break) where a Turkish word may be
    hyphenated, ascending; none closer than `left` to the start or `right` to the end.

    Only letters count: an apostrophe or any other mark stops a syllable run, so
    `İstanbul'da` is split at most within `İstanbul`.
    """
    out: list[int] = []
    for j in range(1, len(word)):
        if word[j] not in TURKISH_VOWELS:
            continue
        k = j - 1
        if word[k] in TURKISH_VOWELS:  # two vowels: sa-at, şi-ir
            cut = j
        else:
            while k >= 0 and word[k].isalpha() and word[k] not in TURKISH_VOWELS:
                k -= 1
            if k < 0 or word[k] not in TURKISH_VOWELS:  # no vowel before the run
                continue
            cut = j - 1  # before the last consonant of the run
        if left <= cut <= len(word) - right:
            out.append(cut)
    return out


# Ukrainian consonants that begin a syllable together with the one after them: an
# obstruent before р, л or в (при-брати, на-при-клад), and с, з, ш before any consonant
# (по-скаржитися). Any other consonant left alone ends the syllable before it
# (почав-ши, секстин-гу), and so does a soft sign (бать-ків), an apostrophe, or the
# first of two equal consonants (зображен-ня).
_OBSTRUENTS = frozenset("бпдтгґкхфзсшжчцБПДТГҐКХФЗСШЖЧЦ")
_SONORANTS = frozenset("рлвРЛВ")
_SIBILANTS = frozenset("сзшСЗШ")
_SOFT = frozenset("ьЬʼ'")
# Prefixes a break never splits when a consonant follows them (роз-вивати, від-верто,
# not ро-звивати, ві-дверто): the break goes after the prefix instead.
_PREFIXES = ("перед", "через", "понад", "роз", "без", "від", "під", "над", "між", "об")


def with_vowels(word: str, cuts: list[int], vowels: frozenset[str]) -> list[int]:
    """`cuts` without those that leave a part of the word with no vowel, and none
    between two equal consonants' first and a vowel (ста-ттю becomes стат-тю).

    pyphen's Ukrainian patterns cut `ба-ть-кі-в-сь-кі`, `зо-б-ра-же-н-ня`: a part
    without a vowel joins the part after it when it begins that syllable (`_begins`),
    else the part before it; a first part without a vowel joins the one after it.
    That gives `бать-ківсь-кі`, `зо-бра-жен-ня`.
    """
    bounds = [0, *cuts, len(word)]
    parts = [word[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    merged: list[str] = []
    carry = ""  # parts without a vowel waiting to join the next
    for k, part in enumerate(parts):
        part = carry + part
        carry = ""
        if any(ch in vowels for ch in part):
            merged.append(part)
            continue
        nxt = parts[k + 1] if k + 1 < len(parts) else ""
        if not merged or (nxt and _begins(part, nxt)):
            carry = part
        else:
            merged[-1] += part
    if carry:  # only when no part has a vowel: the word stays whole
        merged = ["".join(merged) + carry]
    out, pos = [], 0
    for part in merged[:-1]:
        pos += len(part)
        out.append(_onset(word, _after_double(word, pos, vowels), vowels))
    return out


def _begins(part: str, nxt: str) -> bool:
    """Whether consonants `part` (no vowel) begin the syllable `nxt`."""
    if _SOFT & set(part) or part[-1:] == nxt[:1]:
        return False
    if len(part) == 1 and part in _OBSTRUENTS and nxt[:1] in _SONORANTS:
        return True
    return part[:1] in _SIBILANTS and len(part) == 1


def _onset(word: str, cut: int, vowels: frozenset[str]) -> int:
    """A cut moved so that the next syllable begins as Ukrainian syllables do:
    `зоб-ра` becomes `зо-бра`, `пос-кар` `по-скар`, `ти-нгу` `тин-гу`, `те-лька` `тель-ка`."""

    def consonant(i: int) -> bool:
        return 0 <= i < len(word) and word[i].isalpha() and word[i] not in vowels | _SOFT

    def vowel(i: int) -> bool:
        return 0 <= i < len(word) and word[i] in vowels

    low = lower(word, "uk")
    for prefix in _PREFIXES:
        n = len(prefix)
        if low.startswith(prefix) and consonant(n) and abs(cut - n) <= 1:
            return n if n <= len(word) - 2 else cut

    if vowel(cut - 2) and consonant(cut - 1) and _begins(word[cut - 1], word[cut:]):
        moved = cut - 1
    elif consonant(cut) and word[cut + 1 : cut + 2] in _SOFT and consonant(cut + 2):
        moved = cut + 2  # a soft sign stays with its consonant: тель-ка
    elif vowel(cut - 1) and consonant(cut) and consonant(cut + 1):
        moved = cut if _begins(word[cut], word[cut + 1 :]) else cut + 1
    else:
        return cut
    return moved if 2 <= moved <= len(word) - 2 else cut


def _after_double(word: str, cut: int, vowels: frozenset[str]) -> int:
    """A cut before a doubled consonant moves between the two (стат-тю, not ста-ттю)."""
    if (
        cut + 2 < len(word)
        and word[cut] == word[cut + 1]
        and word[cut] not in vowels
        and any(ch in vowels for ch in word[cut + 1 :])
    ):
        return cut + 1
    return cut

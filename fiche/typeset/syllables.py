"""Break points that pyphen cannot give: Turkish syllables, and a filter that keeps
every part of a hyphenated word a syllable (with a vowel).

pyphen has no Turkish patterns, but Turkish syllables follow one rule: between two
vowels the break goes before the last consonant (none, one or more of them), so
`öğ-ret-men-le-ri-miz-le`, `İs-tan-bul`, `sa-at`, `kont-rol`. A consonant cluster at
the start of a word (`tren`, `spor`) has no vowel before it and never breaks.
"""

from __future__ import annotations

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


def with_vowels(word: str, cuts: list[int], vowels: frozenset[str]) -> list[int]:
    """`cuts` without those that leave a part of the word with no vowel.

    pyphen's Ukrainian patterns cut `ба-ть-кі-в-сь-кі`; a part without a vowel
    joins the part before it (a soft sign or a consonant ends the syllable before),
    giving `бать-ківсь-кі`. A first part without a vowel joins the one after it.
    """
    kept: list[int] = []
    start = 0
    for cut in [*cuts, len(word)]:
        if any(ch in vowels for ch in word[start:cut]):
            kept.append(cut)
        elif kept:  # joins the part before: the cut between them goes
            kept[-1] = cut
        else:  # the first part: it joins the next one
            continue
        start = cut
    return [c for c in kept if c != len(word)]

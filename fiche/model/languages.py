"""The languages fiche sets, and each one's rules: quotes, spacing, hyphenation patterns,
writing direction.

This is the one list: content, school profiles, the command line and `fiche new`
are checked against it. Typesetting (`typeset.typography`) applies the rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NBSP = "\u00a0"
NNBSP = "\u202f"
RIGHT_QUOTE = "\u2019"  # the apostrophe of most languages: a punctuation mark
MODIFIER_APOSTROPHE = "\u02bc"  # an apostrophe that is a letter (Ukrainian сімʼя)
# Marks that close what comes before them and so never begin a line, in every language
# (with the = of a definition, "Sexting ="); each language adds its closing quote
# (German “ closes, English “ opens). A ’ that begins a word (Dutch ’s avonds, English
# ’90s) is an elision, not a closing mark: the line breaker lets it begin a line.
NO_LINE_START = ",.;:!?)]}=\u2026\u2019\u201d"


@dataclass(frozen=True)
class LangRules:
    quotes: tuple[str, str]
    pyphen: str
    quote_space: str = ""  # inside quotes (French)
    space_before: dict[str, str] | None = None  # punctuation -> no-break space before it
    # "pyphen": its patterns for `pyphen`; "turkish": the syllable rule of
    # typeset.syllables (pyphen has no Turkish patterns); "none": words are never
    # hyphenated (Arabic breaks lines at spaces only)
    breaks: Literal["pyphen", "turkish", "none"] = "pyphen"
    # When set, no hyphenated part may lack all of these: pyphen's Ukrainian patterns
    # would leave parts such as "ть" or "в" alone.
    vowels: str = ""
    # What a typed ' between two letters becomes. Ukrainian writes a letter there
    # (U+02BC): сімʼя stays one word for line breaking, hyphenation and search.
    word_apostrophe: str = RIGHT_QUOTE
    # One-letter words that never end a line: bound to the word after them (Polish
    # "w domu", "i nie"), as Polish typesetting asks.
    bind: frozenset[str] = frozenset()
    # Marks of the language's own script that close what comes before them (Arabic
    # comma, semicolon, question mark): like NO_LINE_START, they never begin a line.
    closing: str = ""
    # The direction the language is written in. A right-to-left language gets its
    # layout mirrored (`model.layout.for_direction`) unless the layout says otherwise.
    direction: Literal["ltr", "rtl"] = "ltr"

    @property
    def no_line_start(self) -> str:
        """The marks that never begin a line of this language."""
        return NO_LINE_START + self.quotes[1] + self.closing

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"


RULES: dict[str, LangRules] = {
    # Arabic: « » without spaces, no hyphenation (a word is never broken), right to left.
    "ar": LangRules(
        ("\u00ab", "\u00bb"),
        "",
        breaks="none",
        direction="rtl",
        closing="\u060c\u061b\u061f",
        # the negation stays with its verb: no line ends with "لا"
        bind=frozenset({"\u0644\u0627"}),
    ),
    "nl": LangRules(("\u201c", "\u201d"), "nl_NL"),
    "en": LangRules(("\u201c", "\u201d"), "en_GB"),
    "de": LangRules(("\u201e", "\u201c"), "de_DE"),
    "fr": LangRules(
        ("\u00ab", "\u00bb"),
        "fr_FR",
        quote_space=NNBSP,
        # ReportLab writes U+00A0 into the PDF as a plain space, so the colon gets
        # the narrow no-break space too: readers then extract what was typeset.
        space_before={";": NNBSP, "!": NNBSP, "?": NNBSP, ":": NNBSP},
    ),
    "pl": LangRules(("\u201e", "\u201d"), "pl_PL", bind=frozenset("aiouwzAIOUWZ")),
    "tr": LangRules(("\u201c", "\u201d"), "tr_TR", breaks="turkish"),
    "uk": LangRules(
        ("\u00ab", "\u00bb"),
        "uk_UA",
        vowels="аеєиіїоуюяАЕЄИІЇОУЮЯ",
        word_apostrophe=MODIFIER_APOSTROPHE,
        # one-letter prepositions and conjunctions stay with the word after them
        bind=frozenset("вузійаоВУЗІЙАО"),
    ),
    # Arabic: « » quotes (HarfBuzz mirrors them in a right-to-left run), no hyphenation
    # (lines break at spaces), the Arabic comma, semicolon and question mark never
    # begin a line, written right to left.
}


def known_languages() -> tuple[str, ...]:
    """The languages fiche can set: those it has typography rules for (sorted).

    This is the one list: content, school profiles and the command line are checked
    against it, and `fiche new` has labels for exactly these (a test holds them equal).
    """
    return tuple(sorted(RULES))


def unknown_language(code: str) -> str:
    """The message for a language fiche cannot set, listing those it can."""
    return (
        f"unknown language {code[:40]!r}: fiche sets {', '.join(known_languages())} "
        "(two lower-case letters)"
    )


def check_language(code: str) -> str:
    """`code` if fiche can set it, else `ValueError` saying which it can."""
    if code not in RULES:
        raise ValueError(unknown_language(code))
    return code


def rules_for(lang: str) -> LangRules:
    # No fallback: another language's quotes and hyphenation would be wrong without a word.
    return RULES[check_language(lang)]

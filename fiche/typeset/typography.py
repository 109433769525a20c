"""Per-language text rules: quotes, apostrophes, spaces, inline marks, hyphenation.

Content files may be typed with plain quotes and apostrophes; these functions
turn them into the typographic characters each language uses, and turn the two
inline marks (`**strong**`, `*emphasis*`) into ReportLab paragraph markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from fiche.core.safeio import read_user_file
from fiche.model.languages import MODIFIER_APOSTROPHE, NBSP, NNBSP, rules_for
from fiche.model.source import MAX_FILE_BYTES, decode_text
from fiche.typeset.casing import lower
from fiche.typeset.syllables import turkish_breaks, with_vowels

# an apostrophe typed inside a word, straight or curly: the language says which it becomes
_IN_WORD = re.compile(r"(?<=\w)['\u2019](?=\w)")
# the other apostrophes, always U+2019: before an elided s/t/n/k, after a plural's s (parents')
_APOSTROPHE = re.compile(r"(?<![\w'])'(?=(s|t|n|k)\b)|(?<=\ws)'(?=[\s,.;:!?)]|$)")
_DOUBLE = re.compile(r'"([^"\n]*)"')


def smarten(text: str, lang: str) -> str:
    """Plain quotes, apostrophes and spacing into the language's typographic forms."""
    r = rules_for(lang)
    text = text.replace("...", "\u2026")
    text = _IN_WORD.sub(r.word_apostrophe, text)
    text = _APOSTROPHE.sub("\u2019", text)
    open_q, close_q = r.quotes
    text = _DOUBLE.sub(
        lambda m: f"{open_q}{r.quote_space}{m.group(1).strip()}{r.quote_space}{close_q}", text
    )
    if r.space_before:
        for mark, space in r.space_before.items():
            # Replace any typed space, or add one, but leave URLs (http://) alone.
            pattern = rf"[ {NBSP}{NNBSP}]*(?<!http)(?<!https){re.escape(mark)}(?!//)"
            text = re.sub(pattern, space + mark, text)
            text = text.replace(space + space, space)
    return text


MARK = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*")


def to_markup(text: str) -> tuple[str, str]:
    """Inline marks into (ReportLab markup, plain text as a reader will see it)."""
    out: list[str] = []
    plain: list[str] = []
    pos = 0
    for m in MARK.finditer(text):
        out.append(_escape(text[pos : m.start()]))
        plain.append(text[pos : m.start()])
        inner = m.group(1) if m.group(1) is not None else m.group(2)
        tag = "b" if m.group(1) is not None else "i"
        out.append(f"<{tag}>{_escape(inner)}</{tag}>")
        plain.append(inner)
        pos = m.end()
    out.append(_escape(text[pos:]))
    plain.append(text[pos:])
    return "".join(out), "".join(plain)


def _escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


Hyphenator = Callable[[str], Iterator[tuple[str, str]]]


def hyphenator(lang: str, exceptions_file: Path | None = None) -> Hyphenator | None:
    """A hyphenator (word -> (head, tail) pairs, best first) for `lang`.

    Words listed in the exceptions file (one per line, hyphens where breaks are
    allowed) use those breaks only. Words with digits, '@', '/' or '.' never
    break: the line breaker does not offer those to the hyphenator at all.
    The file is read on every call, so an edit counts in a long-running process
    (`fiche serve`); equal contents give the same hyphenator object. None for a
    language whose words are never hyphenated (`LangRules.breaks`: Arabic).
    """
    text = ""
    if exceptions_file is not None and exceptions_file.exists():
        text = _read_list(exceptions_file)
    return _hyphenator(lang, text)


def _read_list(path: Path) -> str:
    """The exception list as text, read as a user's file (regular, capped, UTF-8)."""

    name = f"{path.parent.name}/{path.name}"  # hyphenation/<lang>.txt
    return decode_text(read_user_file(path, MAX_FILE_BYTES, name), name)


@functools.lru_cache(maxsize=32)  # per language and version of its exception list
def _hyphenator(lang: str, exceptions: str) -> Hyphenator | None:
    try:  # loaded on the first language set, not when the module is imported
        import pyphen
    except ImportError:  # pragma: no cover - pyphen is a dependency
        return None
    rules = rules_for(lang)
    if rules.breaks == "none":
        return None
    fixed = _read_exceptions(exceptions, lang)
    if rules.breaks == "turkish":
        return _with_exceptions(fixed, lang, _pairs(turkish_breaks))
    # pyphen names some dictionaries by language only ("fr", not "fr_FR")
    code = pyphen.language_fallback(rules.pyphen)
    if code is None:
        return None
    if rules.vowels:
        vowels = frozenset(rules.vowels)

        def positions(word: str) -> list[int]:
            # the patterns spell the letter apostrophe (сімʼя) as ', one character as well
            spelt = word.replace(MODIFIER_APOSTROPHE, "'")
            return with_vowels(word, _dictionary(code).positions(spelt), vowels)

        return _with_exceptions(fixed, lang, _pairs(positions))
    return _with_exceptions(fixed, lang, lambda word: _dictionary(code).iterate(word))


@functools.cache
def _dictionary(code: str):  # -> pyphen.Pyphen, a module not imported until here
    """The patterns of one language, read on its first word that is not an exception:
    once per process (from the cache of `hyphcache`), and never for a language whose
    text breaks no word."""
    import pyphen

    from fiche.typeset.hyphcache import patterns

    path = pyphen.LANGUAGES[code]
    if path not in pyphen.hdcache:  # parsed once per machine, not once per process
        pyphen.hdcache[path] = patterns(path, pyphen.__version__, pyphen.HyphDict)
    return pyphen.Pyphen(lang=code, left=3, right=3)


def _with_exceptions(fixed: dict[str, list[int]], lang: str, breaks: Hyphenator) -> Hyphenator:
    """`breaks`, but the breaks of the exception list for the words it lists."""

    def iterate(word: str) -> Iterator[tuple[str, str]]:
        cuts = fixed.get(lower(word, lang))
        if cuts is None:
            yield from breaks(word)
            return
        for cut in reversed(cuts):
            yield word[:cut], word[cut:]

    return iterate


def _pairs(positions: Callable[[str], list[int]]) -> Hyphenator:
    """A hyphenator from a word's break positions (ascending), longest head first."""

    def iterate(word: str) -> Iterator[tuple[str, str]]:
        for cut in reversed(positions(word)):
            yield word[:cut], word[cut:]

    return iterate


def _read_exceptions(text: str, lang: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split("-")
        cuts, n = [], 0
        for p in parts[:-1]:
            n += len(p)
            cuts.append(n)
        out[lower("".join(parts), lang)] = cuts
    return out


LINK = re.compile(
    r"(?<![\w@/.])"
    r"(?P<url>(?:https?://|www\.)[\w-]+(?:\.[\w-]+)+(?:/[\w\-./%#?=~+]*)?)"
    r"|(?P<mail>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
)


def address(m: re.Match) -> str:
    """The address a match of `LINK` holds: the sentence punctuation after it (a full
    stop, a closing bracket) is not part of it."""
    return m.group(0).rstrip(".,;:!?)")


def linkify(markup: str) -> str:
    """Web addresses and e-mail addresses in paragraph markup as clickable links."""

    def link(m: re.Match) -> str:
        text = address(m)
        trail = m.group(0)[len(text) :]
        if m.group("mail"):
            href = f"mailto:{text}"
        else:
            href = text if text.startswith("http") else f"https://{text}"
        return f'<a href="{href}">{text}</a>{trail}'

    parts = re.split(r"(<[^>]*>)", markup)  # never touch the tags themselves
    return "".join(p if p.startswith("<") else LINK.sub(link, p) for p in parts)

"""Paragraph markup measured once, then broken into lines at any size and width.

Fitting tries a page at several type sizes and column balancing offers the same
paragraphs many heights; ReportLab's Paragraph would re-parse and re-measure every
word each time. Here the markup (`<b>`, `<i>`, `<a href>`, entities) is parsed and
every word measured once, in units of one point of type: a font's advance widths
scale exactly with its size, so a line of width `w` at size `s` holds what fits in
`w / s` units. Breaking is then a binary search per line over the running widths
of the words, plus a look at the hyphenation points of the word that does not fit.

Lines break at spaces, after a word's own hyphen or slash, and at hyphenation
points; the no-break space (U+00A0) and the narrow no-break space (U+202F, French
« » ; : ! ?) keep their neighbours together, and so does a space before a mark that
may not begin a line (`no_start`: "mot ?", "word …", a closing quote). Which words may break follows
ReportLab's rules: leading quotes/brackets and trailing punctuation are set aside,
the rest must be letters (with hyphens, slashes or apostrophes between them) and
at least `min_word` long, so URLs, e-mail addresses and "N°3" never break.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from reportlab.pdfbase.pdfmetrics import stringWidth

from fiche.model.languages import NO_LINE_START, RIGHT_QUOTE
from fiche.typeset import bidi, shaping

Hyphenator = Callable[[str], Iterable[tuple[str, str]]]

# Unicode spaces a line may break at: every one but the two no-break spaces.
_BREAKING = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\u1680\u2000-\u200b\u2028\u2029\u205f\u3000"
_SPLIT = re.compile(f"([{_BREAKING}]+)")
_TAG = re.compile(r'<(/?)(b|i|a)(?:\s+href="([^"]*)")?\s*>|<[^>]*>')

# ReportLab's hyphenation rules (reportlab.platypus.paragraph._hyGenPair), with all of
# Cyrillic (ReportLab's А-я lacks Ukrainian і ї є ґ) and the letter apostrophe U+02BC.
_LETTERS = "A-Za-z\xc0-\xd6\xd8-\xf6\xf8-\u024f\u1e00-\u1eff\u0400-\u04ff\u02bc"
# Quotes on either side of a word, in every language's use of them: “ closes German
# („Wort“) and » opens it (»Wort«), so each may stand before or after a word.
_PREFIX = re.compile("^['\"([{\xbf\xab\xbb\u2018\u201a\u201c\u201e\u2039\u203a\u00a0\u202f]+")
# a space too: a mark that may not begin a line joins the word before it ("mot ?")
_SUFFIX = re.compile(
    "[]'\")}?!.,;:\xab\xbb\u2018\u2019\u201b\u201c\u201d\u201f\u2039\u203a\u00a0\u202f ]+$"
)
_WORD = re.compile(f"^[-/\xad'\u2019{_LETTERS}]+$")
_LETTERS_ONLY = re.compile(f"^[{_LETTERS}]+$")
# parts of a word: after a hyphen, slash or soft hyphen (a line may end there) and
# after an apostrophe (l'intimi-dation; never a break at the apostrophe itself)
_PARTS = re.compile("(?<=[-/\xad'\u2019])")
_EPS = 1e-9
# Rules of good typesetting rather than design: they hold whatever the layout, so they
# are named here and not offered in the layout file.
MAX_HYPHENS = 2  # lines in a row that may end with a hyphen: more make a ladder
LAST_PART = 6  # characters at least of a broken last word on the last line ("dation.")
MIN_WORD = 6  # letters at least of a word that is hyphenated (ReportLab's rule)
MIN_HEAD = 2  # characters at least before a hyphen: one letter alone reads as a typo
# A line may end at a word's own hyphen or slash only with this many letters before it
# and this many characters after it: never "e-|mail", never a line begun by a scrap.
OWN_BREAK_HEAD = 2
OWN_BREAK_TAIL = 3
# The last word of a paragraph is broken only when setting it whole leaves more than
# 1/LOOSE_ONE_IN of the line before it empty: a last line of half a word looks like an error.
LOOSE_ONE_IN = 3
# A runt: a last line of one word of at most RUNT_CHARS characters, or narrower than
# 1/RUNT_ONE_IN of the line; it takes the word before it along when the line before
# keeps RUNT_KEEP_WORDS words and RUNT_KEEP_FULL of its width (a hole there is worse).
RUNT_CHARS = 6
RUNT_ONE_IN = 5
RUNT_KEEP_WORDS = 2
RUNT_KEEP_FULL = 0.75
_WIDTHS: dict[tuple[str, str], float] = {}  # (text, font) -> units; words recur a lot
_WIDTHS_MAX = 200_000


def units(text: str, font: str) -> float:
    """The advance width of `text` in `font` at 1 pt."""
    key = (text, font)
    got = _WIDTHS.get(key)
    if got is None:
        if len(_WIDTHS) >= _WIDTHS_MAX:  # bounded: a long-lived worker must not grow
            _WIDTHS.clear()
        if shaping.needs_shaping(text):  # joined letters are narrower than single ones
            got = shaping.width(text, font)
        else:
            got = stringWidth(shaping.strip_controls(text), font, 1.0)
        _WIDTHS[key] = got
    return got


class MarkupError(ValueError):
    """Markup with a tag this module does not know (typeset never makes one)."""


class Piece(NamedTuple):
    text: str
    font: str
    href: str | None = None


@dataclass(slots=True)
class Word:
    pieces: tuple[Piece, ...]
    text: str
    width: float  # in units (points at size 1)
    space: float = 0.0  # the space after it, in units (0 after the last word)
    space_piece: Piece | None = None
    head: int = 0  # characters of one-letter words bound to its front ("w ", "i w ")


class Line(NamedTuple):
    """Words `start[0]`..`end[0]` of a paragraph; positions are (word, character).

    A line that ends inside a word (`end[1] > 0`) ends with that word's head, plus a
    hyphen if `hyphen` (not after the word's own hyphen or slash); the next line
    starts at the same position.
    """

    start: tuple[int, int]
    end: tuple[int, int]
    width: float  # units, hyphen included
    hyphen: bool


Faces = Callable[[bool, bool], str]  # (bold, italic) -> font name


def parse(markup: str, faces: Faces) -> list[tuple[str, str, str | None]]:
    """(text, font, href) runs of `markup`, entities decoded."""
    runs = []
    bold = italic = 0
    href: str | None = None
    pos = 0
    for m in _TAG.finditer(markup):
        if m.start() > pos:
            runs.append((html.unescape(markup[pos : m.start()]), faces(bold > 0, italic > 0), href))
        pos = m.end()
        closing, name, target = m.group(1), m.group(2), m.group(3)
        if name is None:
            raise MarkupError(f"unknown markup {m.group(0)!r}")
        step = -1 if closing else 1
        if name == "b":
            bold += step
        elif name == "i":
            italic += step
        else:
            href = None if closing else html.unescape(target or "")
    if pos < len(markup):
        runs.append((html.unescape(markup[pos:]), faces(bold > 0, italic > 0), href))
    return runs


class Measured:
    """The words of one paragraph with their widths, independent of the size."""

    def __init__(
        self,
        markup: str,
        faces: Faces,
        hyphenator: Hyphenator | None = None,
        min_word: int = MIN_WORD,
        no_start: str = NO_LINE_START,
        bind: frozenset[str] = frozenset(),
        *,
        fallback: Faces | None = None,
        rtl: bool = False,
    ):
        self.hyphenator = hyphenator
        self.min_word = min_word
        self.rtl = rtl
        words: list[Word] = []
        pieces: list[Piece] = []
        gap: Piece | None = None  # whitespace met since the last word
        if "<" not in markup and "&" not in markup and fallback is None:  # most paragraphs
            font = faces(False, False)
            space = Piece(" ", font)
            sp = units(" ", font)
            words = [
                Word((Piece(t, font),), t, units(t, font), sp, space)
                for t in _SPLIT.split(markup)[::2]
                if t
            ]
            if words:
                words[-1].space, words[-1].space_piece = 0.0, None
        runs = () if words else parse(markup, faces)
        if fallback is not None:
            runs = _fallen_back(runs, faces, fallback)
        for text, font, href in runs:
            for k, part in enumerate(_SPLIT.split(text)):
                if not part:
                    continue
                if k % 2:  # whitespace
                    if pieces:
                        words.append(_word(pieces))
                        pieces = []
                    if gap is None and words:
                        gap = Piece(" ", font, href)
                    continue
                if gap is not None and not pieces and words:
                    words[-1].space = units(" ", gap.font)
                    words[-1].space_piece = gap
                gap = None
                pieces.append(Piece(part, font, href))
        if pieces:
            words.append(_word(pieces))
        self.words = words = _bound(_glued(words, no_start), bind)
        # ends[k]: where word k ends, in units from the start of the paragraph
        self.ends: list[float] = []
        pos = 0.0
        for w in words:
            self.ends.append(pos + w.width)
            pos += w.width + w.space
        self._bidi: tuple[bidi.Paragraph, list[int]] | None = None  # see `_levels`
        self._cuts: dict[int, list[tuple[int, bool]]] = {}
        self._partial: dict[tuple[int, int, int], float] = {}

    # --- measuring parts of words ------------------------------------------------

    def _slice_width(self, i: int, a: int, b: int, hyphen: bool = False) -> float:
        """Units of characters a..b of word i, plus a hyphen if asked."""
        key = (i, a, b if not hyphen else -b)
        got = self._partial.get(key)
        if got is None:
            got = 0.0
            for p in _slice(self.words[i].pieces, a, b):
                got += units(p.text, p.font)
            if hyphen:
                got += units("-", _font_at(self.words[i].pieces, b - 1))
            self._partial[key] = got
        return got

    def _start_width(self, i: int, c: int) -> float:
        return self.words[i].width if c == 0 else self._slice_width(i, c, len(self.words[i].text))

    def cuts(self, i: int) -> list[tuple[int, bool]]:
        """Where word i may break: (characters before the break, hyphen drawn), longest
        head first.

        After a hyphen or a slash of the word itself the line may end as it is
        ("Sexting-|Anfragen", "daders/|slachtoffers"); between them each part is
        hyphenated on its own, so a compound never breaks two letters past its
        own hyphen. Words with digits, dots or '@' (numbers, URLs, e-mail
        addresses) never break.
        """
        got = self._cuts.get(i)
        if got is not None:
            return got
        got = []
        text = self.words[i].text
        if self.hyphenator is not None:
            bound = self.words[i].head  # bound one-letter words are not hyphenated
            m = _PREFIX.match(text[bound:])
            pfx = bound + (len(m.group(0)) if m else 0)
            m = _SUFFIX.search(text, pfx)
            end = m.start() if m else len(text)
            core = text[pfx:end]
            if len(core) >= self.min_word and _WORD.match(core):
                pos = pfx
                for part in _PARTS.split(core):
                    letters = part.rstrip("-/\xad'\u2019")
                    if len(letters) >= self.min_word and _LETTERS_ONLY.match(letters):
                        for head, _tail in self.hyphenator(letters):
                            got.append((pos + len(head), True))
                    pos += len(part)
                    # a break at the word's own hyphen or slash: letters on both sides
                    if (
                        len(letters) >= OWN_BREAK_HEAD
                        and pos <= end - OWN_BREAK_TAIL
                        and part[-1] in "-/\xad"
                    ):
                        got.append((pos, False))
                got.sort(reverse=True)
        self._cuts[i] = got
        return got

    def _hyphenate(
        self, i: int, c: int, room: float, limit: int | None = None
    ) -> tuple[int, bool, float] | None:
        """The longest head of word i (from character c), at most `limit` characters long,
        that fits in `room` units: (characters before the break, hyphen drawn, units with
        the hyphen)."""
        cuts = self.cuts(i)
        if not cuts:
            return None
        if c:  # what is left of a broken word must itself be long enough to break again
            text = self.words[i].text
            m = _SUFFIX.search(text, c)
            if (m.start() if m else len(text)) - c < self.min_word:
                return None
        for k, hyphen in cuts:
            if k - c < MIN_HEAD:
                break
            if limit is not None and k > limit:
                continue
            w = self._slice_width(i, c, k, hyphen)
            if w <= room + _EPS:
                return k, hyphen, w
        return None

    # --- breaking --------------------------------------------------------------

    def lines(
        self, capacity: float, start: tuple[int, int] = (0, 0), streak: int = 0
    ) -> list[Line]:
        """Greedy breaking into lines of at most `capacity` units, from `start`.

        A word wider than a whole line is set alone on its line (it overflows; the
        caller reports it). No more than MAX_HYPHENS lines in a row end with a
        hyphen; `streak` says how many did just before `start`. Breaking is
        memoryless: from a line's start and streak, the rest breaks as it did.
        """
        words, ends = self.words, self.ends
        n = len(words)
        out: list[Line] = []
        i, c = start
        hyph = self.hyphenator is not None
        while i < n:
            if out:  # a line that ends inside a word ends with a hyphen or its own
                streak = streak + 1 if out[-1].end[1] else 0
            first = self._start_width(i, c)
            origin = ends[i] - first  # so that ends[k] - origin is the width up to word k
            last = bisect_right(ends, origin + capacity + _EPS, lo=i) - 1
            if last < i:  # not even the first word fits
                got = self._hyphenate(i, c, capacity) if hyph else None
                if got is not None:
                    k, hyphen, w = got
                    out.append(Line((i, c), (i, k), w, hyphen))
                    c = k
                    continue
                out.append(Line((i, c), (i + 1, 0), first, False))
                i, c = i + 1, 0
                continue
            width = ends[last] - origin
            nxt = last + 1
            if nxt == n:
                out.append(Line((i, c), (nxt, 0), width, False))
                break
            space = words[last].space
            room = capacity - width - space
            # A last line of half a word looks like an error: the last word is broken only
            # when setting it whole would leave more than a third of this line empty.
            loose = capacity - width > capacity / LOOSE_ONE_IN
            may = hyph and room > 0 and streak < MAX_HYPHENS and (nxt < n - 1 or loose)
            # and then it leaves at least LAST_PART characters for the last line
            limit = None if nxt < n - 1 else len(words[nxt].text) - LAST_PART
            got = self._hyphenate(nxt, 0, room, limit) if may else None
            if got is not None:
                k, hyphen, w = got
                line_width = width + space + w
                out.append(Line((i, c), (nxt, k), line_width, hyphen))
                i, c = nxt, k
                continue
            out.append(Line((i, c), (nxt, 0), width, False))
            i, c = nxt, 0
        return self._no_runt(out, capacity)

    def _no_runt(self, out: list[Line], capacity: float) -> list[Line]:
        """A last line of one short word ("PMS).") takes the word before it along, when
        the line before keeps at least two words and three quarters of its width, and
        the two fit on one line."""
        if len(out) < 2:
            return out
        before, last = out[-2], out[-1]
        i = last.start[0]
        if last.start[1] or last.end[0] != i + 1 or before.end[1]:
            return out  # the last line is not one whole word, or follows a broken word
        if len(self.words[i].text) > RUNT_CHARS and last.width > capacity / RUNT_ONE_IN:
            return out
        j = i - 1  # the word that moves down
        if j - before.start[0] < RUNT_KEEP_WORDS:
            return out
        ends = self.ends
        origin = ends[before.start[0]] - self._start_width(*before.start)
        moved = ends[i] - (ends[j] - self.words[j].width)
        if moved > capacity + _EPS:
            return out
        shorter = Line(before.start, (j, 0), ends[j - 1] - origin, False)
        if shorter.width < capacity * RUNT_KEEP_FULL:
            return out
        return [*out[:-2], shorter, Line((j, 0), last.end, moved, False)]

    # --- drawing ---------------------------------------------------------------

    def segments(self, line: Line) -> list[Piece]:
        """The line as runs of one font and link."""
        (i, c), (j, k) = line.start, line.end
        words = self.words
        last_word = j if k else j - 1
        runs: list[tuple[str, str | None, list[str]]] = []
        font: str | None = None
        href: str | None = None
        texts: list[str] = []
        for w in range(i, last_word + 1):
            word = words[w]
            pieces: Iterable[Piece] = word.pieces
            if (w == i and c) or (w == j and k):
                pieces = _slice(word.pieces, c if w == i else 0, k if w == j else len(word.text))
            if w < last_word and word.space_piece is not None:
                pieces = (*pieces, word.space_piece)
            for p in pieces:
                if p.font != font or p.href != href:
                    font, href, texts = p.font, p.href, []
                    runs.append((font, href, texts))
                texts.append(p.text)
        if k and line.hyphen:
            hy = _font_at(words[j].pieces, k - 1)
            if hy == font and href is None:
                texts.append("-")
            else:
                runs.append((hy, None, ["-"]))
        return [Piece("".join(t), f, h) for f, h, t in runs]

    def text(self, line: Line) -> str:
        return "".join(p.text for p in self.segments(line))

    def _levels(self) -> tuple[bidi.Paragraph, list[int]]:
        """The paragraph's resolved levels, and where each word starts in the text they
        were resolved on (the words joined by spaces): once per paragraph, on its first
        drawn line."""
        if self._bidi is None:
            starts, chars = [], 0
            for w in self.words:
                starts.append(chars)
                chars += len(w.text) + 1
            text = " ".join(w.text for w in self.words)
            self._bidi = bidi.paragraph(text, self.rtl), starts
        return self._bidi

    def visual(self, line: Line) -> list[tuple[Piece, bool]]:
        """The line's runs of one font, link and direction, left to right as drawn;
        each with whether it reads right to left.

        The paragraph's levels are resolved once over its whole text (words joined by
        spaces); the line is reordered on its own, as the bidi algorithm says.
        """
        pieces = self.segments(line)
        para, starts = self._levels()
        i, c = line.start
        start = starts[i] + c
        end = start + sum(len(p.text) for p in pieces)
        if line.hyphen:  # a drawn hyphen is not in the paragraph's text
            end -= 1
        # each piece's span in the paragraph's text, in logical order
        spans = []
        pos = start
        for p in pieces:
            spans.append((pos, pos + len(p.text), p))
            pos += len(p.text)
        out: list[tuple[Piece, bool]] = []
        for run in para.runs(start, end):
            parts = [
                (Piece(p.text[max(a, run.start) - a : min(b, run.end) - a], p.font, p.href))
                for a, b, p in spans
                if a < run.end and b > run.start
            ]
            out += [(p, run.rtl) for p in (reversed(parts) if run.rtl else parts)]
        if line.hyphen and pieces:
            out.append((Piece("-", pieces[-1].font), False))
        return out


_MEASURED: OrderedDict[tuple, Measured] = OrderedDict()
_MEASURED_MAX = 1024  # a catalogue's paragraphs in every language: about 800


def measured(
    markup: str,
    faces: tuple[str, str, str, str],
    hyphenator: Hyphenator | None = None,
    min_word: int = MIN_WORD,
    no_start: str = NO_LINE_START,
    bind: frozenset[str] = frozenset(),
    *,
    fallback: tuple[str, str, str, str] | None = None,
    rtl: bool = False,
) -> Measured:
    """The measured words of `markup` in the font family `faces` (regular, bold,
    italic, bold italic), shared by every layout of the process.

    A paragraph is measured once however often it is set: at every size fitting
    tries, in every output profile of a build, and again after an edit to another
    paragraph in `fiche serve`. The least recently used are dropped beyond
    `_MEASURED_MAX`, so a long-lived worker does not grow. `no_start`: the marks that
    never begin a line (the language's `LangRules.no_line_start`); `bind`: the
    one-letter words that never end one (`LangRules.bind`); `fallback`: the faces
    that set the characters `faces` lack; `rtl`: the paragraph reads right to left.
    """
    key = (markup, faces, hyphenator, min_word, no_start, bind, fallback, rtl)
    got = _MEASURED.get(key)
    if got is not None:
        _MEASURED.move_to_end(key)
        return got
    got = _MEASURED[key] = Measured(
        markup,
        _by_style(faces),
        hyphenator,
        min_word,
        no_start,
        bind,
        fallback=None if fallback is None else _by_style(fallback),
        rtl=rtl,
    )
    if len(_MEASURED) > _MEASURED_MAX:
        _MEASURED.popitem(last=False)
    return got


def _by_style(faces: tuple[str, str, str, str]) -> Faces:
    """(bold, italic) -> the face of `faces` (regular, bold, italic, bold italic)."""
    table = {
        (False, False): faces[0],
        (True, False): faces[1],
        (False, True): faces[2],
        (True, True): faces[3],
    }
    return lambda b, i: table[b, i]


def _fallen_back(
    runs: Iterable[tuple[str, str, str | None]], faces: Faces, fallback: Faces
) -> list[tuple[str, str, str | None]]:
    """`runs` with what the run's font should not set in the fallback face of the same
    weight and style: every character it lacks (an Arabic font has no Latin letters,
    no ( ) ? / @ %), and every character of a word with no letter of its own script
    that the fallback has ("www.mediawijs.be", "8.15", "(sexting)": Latin dots and
    digits, not the Arabic font's). A word of the font's script keeps its own
    punctuation (the full stop after an Arabic word)."""
    other = {faces(b, i): fallback(b, i) for b in (False, True) for i in (False, True)}
    out = []
    for text, font, href in runs:
        spare = other.get(font, font)
        if spare == font:
            out.append((text, font, href))
            continue
        covers, spare_covers = shaping.covers(font), shaping.covers(spare)
        cur: list[str] = []
        cur_font = font
        for k, token in enumerate(_SPLIT.split(text)):
            own = shaping.has_rtl_letters(token)
            for ch in token:
                if k % 2:  # the spaces between words: the paragraph's own
                    f = font
                elif own:
                    f = font if covers(ch) else spare
                else:
                    f = spare if spare_covers(ch) or not covers(ch) else font
                if f != cur_font and cur:
                    out.append(("".join(cur), cur_font, href))
                    cur = []
                cur_font = f
                cur.append(ch)
        if cur:
            out.append(("".join(cur), cur_font, href))
    return out


def clear_caches() -> None:
    """Forget every measured paragraph and word (benchmarks of a cold start)."""
    _MEASURED.clear()
    _WIDTHS.clear()
    shaping.clear()


def _glued(words: list[Word], no_start: str) -> list[Word]:
    """`words` with each one that begins with a mark of `no_start` joined to the word
    before it, the space between them kept in the joined word: no line begins "?"."""
    if not any(_closing(w.text, no_start) for w in words[1:]):
        return words  # nearly every paragraph
    out = [words[0]]
    for w in words[1:]:
        if not _closing(w.text, no_start):
            out.append(w)
            continue
        a = out[-1]
        out[-1] = _joined(a, a.space_piece or Piece(" ", a.pieces[-1].font), w, a.head)
    return out


def _bound(words: list[Word], bind: frozenset[str]) -> list[Word]:
    """`words` with each word of `bind` joined to the word after it, the space between
    them kept: Polish leaves no "w" or "i" at the end of a line. From the end, so that
    "i w domu" becomes one word."""
    if not bind or not any(w.text in bind for w in words[:-1]):
        return words  # nearly every paragraph, and every language without the rule
    out: list[Word] = []
    for w in reversed(words):
        if out and w.text in bind and w.space_piece is not None:
            b, gap = out[-1], w.space_piece
            out[-1] = _joined(w, gap, b, len(w.text) + len(gap.text) + b.head)
        else:
            out.append(w)
    return out[::-1]


def _joined(a: Word, gap: Piece, b: Word, head: int) -> Word:
    """Words `a` and `b` as one, the space `gap` between them kept: a line never breaks
    there. `head`: the characters at the front that are not hyphenated."""
    return Word(
        (*a.pieces, gap, *b.pieces),
        a.text + gap.text + b.text,
        a.width + a.space + b.width,
        b.space,
        b.space_piece,
        head,
    )


def _closing(text: str, no_start: str) -> bool:
    # ’ before a letter or digit begins a word of its own: ’s avonds, ’90s
    return text[0] in no_start and not (text[0] == RIGHT_QUOTE and text[1:2].isalnum())


def _word(pieces: list[Piece]) -> Word:
    if len(pieces) == 1:
        p = pieces[0]
        return Word((p,), p.text, units(p.text, p.font))
    return Word(
        tuple(pieces),
        "".join(p.text for p in pieces),
        sum(units(p.text, p.font) for p in pieces),
    )


def _slice(pieces: tuple[Piece, ...], a: int, b: int) -> Iterator[Piece]:
    pos = 0
    for p in pieces:
        lo, hi = max(a - pos, 0), min(b - pos, len(p.text))
        if lo < hi:
            yield p if (lo, hi) == (0, len(p.text)) else Piece(p.text[lo:hi], p.font, p.href)
        pos += len(p.text)


def _font_at(pieces: tuple[Piece, ...], index: int) -> str:
    pos = 0
    for p in pieces:
        pos += len(p.text)
        if index < pos:
            return p.font
    return pieces[-1].font

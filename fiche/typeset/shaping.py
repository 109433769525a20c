"""Glyphs of a run of text as HarfBuzz sets it: joined forms, ligatures, marks.

Arabic letters take a different form at the start, middle and end of a word, and
some pairs become one glyph (lam-alef); widths summed from single characters are a
quarter too wide (RTL-NOTES). A run is one font, one direction, no line break: the
line breaker measures words with `width`, the painter draws `glyphs`.

Each glyph keeps the characters it stands for (`text`), so that the PDF can map it
back to them: a ligature to both letters, a mark to itself.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import uharfbuzz as hb

# Right-to-left scripts, whose letters change shape with their neighbours; text in other
# scripts is measured and drawn character by character, as before shaping existed.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
# Bidi controls: they order the text and are drawn as nothing.
CONTROLS = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = re.compile(f"[{CONTROLS}]")
# Latin text inside a right-to-left line is set as it is measured elsewhere: no kerning,
# no ligatures, so that its width is the sum of its characters'.
_PLAIN = {"kern": False, "liga": False, "clig": False}


def has_rtl_letters(text: str) -> bool:
    """Whether `text` holds a letter of a right-to-left script (its punctuation aside)."""
    return any(ch.isalpha() for ch in _RTL.findall(text))


def needs_shaping(text: str) -> bool:
    return _RTL.search(text) is not None


def strip_controls(text: str) -> str:
    return _CONTROLS.sub("", text) if _CONTROLS.search(text) else text


@dataclass(frozen=True, slots=True)
class Glyph:
    gid: int
    text: str  # the characters this glyph stands for ("" for a second glyph of one)
    advance: float  # in units of the font size (points at 1 pt)
    dx: float
    dy: float


class _Font:
    """A HarfBuzz font for one registered ReportLab font, and its glyph advances."""

    def __init__(self, data: bytes):
        self.data = data
        self.face = hb.Face(data)
        self.font = hb.Font(self.face)
        self.upem = self.face.upem

    def advance(self, gid: int) -> float:
        return self.font.get_glyph_h_advance(gid) / self.upem


_FONTS: dict[str, _Font] = {}  # font name -> its HarfBuzz font
_SHAPED: OrderedDict[tuple[str, str, bool], tuple[Glyph, ...]] = OrderedDict()
_SHAPED_MAX = 50_000


def register(font: str, data: bytes) -> None:
    """The file of the font registered as `font` (`engine.fonts` calls this whenever it
    registers a font, again when its file changed)."""
    known = _FONTS.get(font)
    if known is not None and known.data == data:
        return
    _FONTS[font] = _Font(data)
    _SHAPED.clear()  # glyphs shaped with the old file


def hb_font(font: str) -> _Font:
    got = _FONTS.get(font)
    if got is None:
        raise KeyError(f"font {font!r} was not registered for shaping")
    return got


def covers(font: str) -> Callable[[str], bool]:
    """Whether `font` has a glyph of its own for a character (bidi controls: yes)."""
    f = hb_font(font).font

    def has(ch: str) -> bool:
        return _CONTROLS.match(ch) is not None or f.get_nominal_glyph(ord(ch)) is not None

    return has


def glyphs(text: str, font: str, rtl: bool) -> tuple[Glyph, ...]:
    """The glyphs of `text` in `font`, left to right as they are drawn.

    `rtl`: the run's direction; HarfBuzz then also mirrors brackets. Bidi controls
    are left out (they have no glyph); every other character belongs to exactly one
    glyph's `text`, in logical order per glyph cluster.
    """
    key = (text, font, rtl)
    got = _SHAPED.get(key)
    if got is not None:
        _SHAPED.move_to_end(key)
        return got
    got = _SHAPED[key] = _shape(strip_controls(text), font, rtl)
    if len(_SHAPED) > _SHAPED_MAX:
        _SHAPED.popitem(last=False)
    return got


def width(text: str, font: str) -> float:
    """The advance of `text` set in `font` at 1 pt, shaped as its script needs."""
    return sum(g.advance for g in glyphs(text, font, needs_shaping(text)))


def _shape(text: str, font: str, rtl: bool) -> tuple[Glyph, ...]:
    if not text:
        return ()
    f = hb_font(font)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    # Marks keep clusters of their own, so each glyph maps to the characters it draws.
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(f.font, buf, None if needs_shaping(text) else _PLAIN)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    clusters = sorted({i.cluster for i in infos})
    ends = {c: e for c, e in zip(clusters, [*clusters[1:], len(text)], strict=True)}
    seen: set[int] = set()
    out = []
    scale = 1.0 / f.upem
    for info, pos in zip(infos, positions, strict=True):
        c = info.cluster
        # The first glyph of a cluster carries its characters; others (rare) carry none.
        part = "" if c in seen else text[c : ends[c]]
        seen.add(c)
        out.append(
            Glyph(
                info.codepoint,
                part,
                pos.x_advance * scale,
                pos.x_offset * scale,
                pos.y_offset * scale,
            )
        )
    return tuple(out)


def ink(glyphs: tuple[Glyph, ...], font: str) -> tuple[float, float]:
    """How far the glyphs' ink reaches above and below the baseline (the second value
    negative), in units of the font size: an Arabic font's ascent and descent make room
    for stacked marks that a line rarely has."""
    f = hb_font(font)
    top, bottom = 0.0, 0.0
    for g in glyphs:
        e = f.font.get_glyph_extents(g.gid)
        if e is None or not e.height:
            continue
        up = e.y_bearing / f.upem + g.dy
        top = max(top, up)
        bottom = min(bottom, up + e.height / f.upem)
    return top, bottom


def clear() -> None:
    _SHAPED.clear()

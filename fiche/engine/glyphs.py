"""Shaped glyphs as PDF text operators, placed where HarfBuzz puts them.

Each glyph is written with the code its (glyph, characters) pair has in the font's
twin (`rladapter.ShapedTwin`), whose ToUnicode gives the characters back. The PDF's
text position follows each glyph's own width; where HarfBuzz places a glyph
elsewhere (kerning, a mark over its letter, justification) a TJ adjustment moves it,
and a text rise lifts a mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics

from fiche.engine.rladapter import shaped_twin
from fiche.typeset import shaping
from fiche.typeset.linebreak import Piece
from fiche.typeset.shaping import Glyph


@dataclass(frozen=True, slots=True)
class Placed:
    """Glyphs of one font drawn from `x` (left edge), in visual order."""

    font: str
    glyphs: tuple[Glyph, ...]
    x: float  # points from the line's left edge
    extra_after_space: float = 0.0  # justification: points added after each space
    width: float = 0.0  # points, the extra space included
    href: str | None = None


def place(runs: Iterable[tuple[Piece, bool]], size: float, extra: float = 0.0) -> list[Placed]:
    """The runs of one line as `Measured.visual` gives them (left to right, each with
    whether it reads right to left), shaped and placed from the line's left edge at
    `size`; `extra`: points added after each space (justification)."""
    out = []
    pos = 0.0
    for piece, rtl in runs:
        gs = shaping.glyphs(piece.text, piece.font, rtl)
        width = sum(g.advance for g in gs) * size + extra * piece.text.count(" ")
        out.append(Placed(piece.font, gs, pos, extra, width, piece.href))
        pos += width
    return out


def ink(runs: Iterable[tuple[Piece, bool]]) -> tuple[float, float]:
    """How far the shaped runs of one line reach above and below the baseline (the
    second value negative), in units of the font size."""
    top, bottom = 0.0, 0.0
    for piece, rtl in runs:
        up, down = shaping.ink(shaping.glyphs(piece.text, piece.font, rtl), piece.font)
        top, bottom = max(top, up), min(bottom, down)
    return top, bottom


def operators(doc, placed: Iterable[Placed], x0: float, y0: float, size: float) -> str:
    """PDF text operators (BT … ET) drawing `placed` glyphs on the baseline at (x0, y0)."""
    out = ["BT", f"1 0 0 1 {_n(x0)} {_n(y0)} Tm"]
    parts: list[str] = []
    current: tuple[str, int] | None = None
    pen = 0.0  # where the PDF's text position is, in points from x0
    rise = 0.0

    def flush() -> None:
        if parts:
            out.append("[" + " ".join(parts) + "] TJ")
            parts.clear()

    for run in placed:
        tw = shaped_twin(pdfmetrics.getFont(run.font))
        target = run.x
        for g in run.glyphs:
            where = target + g.dx * size
            if abs(g.dy * size - rise) > 1e-4:
                flush()
                rise = g.dy * size
                out.append(f"{_n(rise)} Ts")
            key = tw.key(g)
            ((s, code),) = tw.splitString(key, doc)
            if current != (run.font, s):
                flush()
                out.append(f"{tw.getSubsetInternalName(s, doc)} {_n(size)} Tf")
                current = (run.font, s)
            if abs(where - pen) > 1e-4:
                parts.append(_n(-(where - pen) * 1000.0 / size))
            parts.append(f"<{code.hex()}>")
            pen = where + tw.face.getCharWidth(ord(key)) * size / 1000.0
            target += g.advance * size
            if g.text == " " and run.extra_after_space:
                target += run.extra_after_space
    flush()
    if rise:
        out.append("0 Ts")
    out.append("ET")
    return "\n".join(out)


def _n(v: float) -> str:
    s = f"{v:.3f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s

"""One line of text outside the flow (header texts, the imprint), in any language.

Text of a left-to-right language in its style's font is measured and drawn as
ReportLab does; text of a language with its own font or direction (Arabic) is
measured shaped and drawn glyph by glyph, in the order the bidi algorithm gives, as
paragraphs are (`flowables.TextParagraph`).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

from fiche.engine.context import Ctx
from fiche.engine.glyphs import ink, operators, place
from fiche.engine.rladapter import document
from fiche.model.languages import rules_for
from fiche.typeset.linebreak import Measured, measured


@dataclass(frozen=True)
class OneLine:
    text: str
    font: str  # the face it is measured in (the first of `faces`)
    units: float  # width at 1 pt (shaped text only)
    set: Measured | None  # None: plain text in `font`, measured and drawn by ReportLab

    def width(self, size: float) -> float:
        if self.set is None:
            return stringWidth(self.text, self.font, size)
        return self.units * size

    def extent(self, size: float) -> tuple[float, float]:
        """Above and below the baseline (negative): the font's ascent and descent, or for
        shaped text the ink of its glyphs."""
        if self.set is None:
            return getAscentDescent(self.font, size)
        top, bottom = ink(self._visual())
        return top * size, bottom * size

    def _visual(self):
        assert self.set is not None
        lines = self.set.lines(1e9)
        return self.set.visual(lines[0]) if lines else []

    def draw(self, canv: Canvas, x: float, y: float, size: float, align: str = "left") -> None:
        """Draw at baseline `y` in the canvas's fill colour; `x` is the left edge, the
        right edge or the centre, as `align` says. Plain text is drawn in the canvas's
        font: the caller sets it (to `font`, at `size`)."""
        if self.set is None:
            if align == "left":
                canv.drawString(x, y, self.text)
            elif align == "right":
                canv.drawRightString(x, y, self.text)
            else:
                canv.drawCentredString(x, y, self.text)
            return
        w = self.width(size)
        left = {"left": x, "right": x - w, "center": x - w / 2}[align]
        canv.addLiteral(operators(document(canv), place(self._visual(), size), left, y, size))


def one_line(ctx: Ctx, text: str, font: str, lang: str = "") -> OneLine:
    """`text` in the style font `font` (a family's regular face) as language `lang` (the
    sheet's by default) sets it."""
    lang = lang or ctx.sheet.lang
    faces, fallback = ctx.fonts_for(font, lang)
    rules = rules_for(lang)
    if fallback is None and not rules.rtl:
        return OneLine(text, font, 0.0, None)
    m = measured(
        html.escape(text, quote=False), faces, None, no_start="", fallback=fallback, rtl=rules.rtl
    )
    lines = m.lines(1e9)
    return OneLine(text, faces[0], lines[0].width if lines else 0.0, m)

"""The three things fiche needs from ReportLab that it offers no public way to say.

Everything else in fiche uses ReportLab through its public interface only (the
test `test_rl_state` holds it to that); each workaround below says why it exists.
"""

from __future__ import annotations

from typing import IO

from reportlab import rl_config
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas


def pdf_canvas(out: IO[bytes], **options: object) -> Canvas:
    """A canvas on `out` (ReportLab's `Canvas` options) whose streams stay binary.

    ReportLab asks its global `rl_config.useA85` each time it writes a stream (pages,
    images, forms); neither the canvas nor its document takes it as an option. ASCII85
    on top of Flate makes streams a quarter larger and costs time, and no fiche PDF
    wants it, so it is switched off here, before the canvas exists. It is never
    switched back: nothing in fiche wants it on, and were two canvases ever written at
    once, restoring it during one would change the other's file. None are today: a
    process builds in one thread at a time (parallel builds fork processes; `fiche
    serve` builds once before its watcher thread starts, then only in that thread).
    """
    rl_config.useA85 = 0
    return Canvas(out, **options)


def draw_drawing(
    d: Drawing, canv: Canvas, x: float, y: float, *, font: str, fill: Color, stroke: Color
) -> None:
    """Draw `d` at (x, y) with a graphics state that starts from `font`, `fill` and
    `stroke`, not from ReportLab's defaults (Helvetica, RGB black), which would
    otherwise be written into the page even where nothing uses them.

    The renderer takes its starting state from the drawing's `initialFontName`,
    `initialFillColor` and `initialStrokeColor` when it has them, but a `Drawing`
    refuses every attribute its attribute map does not list, and that map lacks the
    two colours; so they go into the drawing's `__dict__`, past the check.
    """
    d.initialFontName = font
    d.__dict__.update(initialFillColor=fill, initialStrokeColor=stroke)
    renderPDF.draw(d, canv, x, y)


def name_face(font: TTFont, name: str) -> None:
    """Give the TrueType `font`, not yet registered, the PostScript name `name`.

    A PDF names an embedded font after the PostScript name in its file (a subset of
    Lato-Bold.ttf is `AAAAAA+Lato-Bold`), and ReportLab refuses two fonts of one name
    in a document ("redefining named object"). `TTFont` reads the name from the file
    and takes no other, so `fonts` renames one of two such fonts here; the name is
    also the key of ReportLab's registry of faces, hence before it is registered.
    """
    font.face.name = name.encode("ascii")

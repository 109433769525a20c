"""The styles a page actually uses, and at which sizes: what the build reports per page.

A style is reported only where text is set in it, so a range on a style that a page does
not use never shows up as a change. The flowables a region was drawn with are walked
(titles kept with their first item, hanging items and their markers, boxes); what a page
draws outside flowables (the header's texts, the imprint) is noted as it is drawn.
"""

from __future__ import annotations

from collections.abc import Iterable

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from fiche.engine.context import Ctx
from fiche.engine.flowables import Box, Hanging, KeepWithNext, TextParagraph

PageStyles = dict[str, float]  # style name -> size in pt, rounded to 0.01


def used_styles(flowables: Iterable[Flowable]) -> PageStyles:
    """The styles text is set in among `flowables` (nested ones too), with their sizes."""
    found: PageStyles = {}
    todo = list(flowables)
    while todo:
        f = todo.pop()
        if isinstance(f, TextParagraph):
            _add(found, f.style.name, f.style.fontSize)
        elif isinstance(f, Hanging):
            todo.append(f.para)
            if f.marker is not None and f.marker_style is not None:
                _add(found, f.marker_style.name, f.marker_style.fontSize)
        elif isinstance(f, KeepWithNext):
            todo += (f.head, f.body)
        elif isinstance(f, Box):
            todo += f.content
        # a picture sets no text
    return dict(sorted(found.items()))


def note_drawn(ctx: Ctx, canv: Canvas, style: str, size: float) -> None:
    """Text in `style` was drawn at `size` outside any flowable, on the canvas's page."""
    _add(ctx.drawn_styles.setdefault(canv.getPageNumber(), {}), style, size)


def page_styles(flowing: PageStyles, drawn: PageStyles | None) -> PageStyles:
    """A page's styles: those of its regions' flowables and those drawn beside them."""
    found = dict(flowing)
    for name, size in (drawn or {}).items():
        _add(found, name, size)
    return dict(sorted(found.items()))


def _add(found: PageStyles, name: str, size: float) -> None:
    size = round(size, 2)
    # One style is set at one size per page; should that change, the larger one is told.
    found[name] = max(size, found.get(name, size))

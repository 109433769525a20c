"""List: items with a drawn marker (bullet, check, ...), one level of sub-items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from fiche.model.content import Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look, MarkerLook
from fiche.model.profiles import MM
from fiche.model.validation import Model
from fiche.typeset.sheet import TBlock, TItem

if TYPE_CHECKING:
    from reportlab.lib.colors import Color
    from reportlab.pdfgen.canvas import Canvas

    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable, TextStyle


class SubList(Model):
    """A list item that carries a nested list (one level deep)."""

    text: Text
    items: Annotated[list[Text], Field(min_length=1)]


class ListBlock(BlockModel):
    kind: Literal["list"]
    title: Text | None = None
    marker: Literal["bullet", "check", "plus", "minus", "arrow", "none"] = "bullet"
    items: Annotated[list[Text | SubList], Field(min_length=1)]


@dataclass(frozen=True)
class TList(TBlock):
    marker: str = "bullet"


@register
class ListKind(BlockKind):
    name = "list"
    model = ListBlock
    roles = ("list", "h3")
    order = 3

    def typeset(self, bid: str, block: ListBlock, t: Typeset, root: Path) -> TList:
        base = ("blocks", bid)
        title = t(block.title, (*base, "title")) if block.title else None
        items = []
        for i, item in enumerate(block.items):
            if isinstance(item, SubList):
                items.append(
                    TItem(
                        t(item.text, (*base, "items", i, "text")),
                        tuple(
                            t(s, (*base, "items", i, "items", j)) for j, s in enumerate(item.items)
                        ),
                    )
                )
            else:
                items.append(TItem(t(item, (*base, "items", i))))
        return TList(bid, "list", title=title, items=tuple(items), marker=block.marker)

    def flowables(self, ctx: Ctx, b: TList, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.blocks import hanging, item_chain, titled

        look = ctx.layout.look
        bid = b.id
        items: list[BlockFlowable] = []
        # room for the marker and a word space at any size of the range
        fs = st["list"].fontSize
        indent = (
            0.0
            if b.marker == "none"
            else max(look.list_indent_mm * MM, look.markers.min_indent * fs)
        )
        for i, it in enumerate(b.items):
            items.append(
                hanging(
                    ctx,
                    it.text,
                    st["list"],
                    indent,
                    _marker(ctx, b.marker, st["list"], indent),
                    item_chain(bid, i),
                )
            )
            for j, sub in enumerate(it.sub):
                nested = (
                    *item_chain(bid, i),
                    ("LBody", f"{bid}/{i}/body"),
                    ("L", f"{bid}/{i}/sub"),
                    ("LI", f"{bid}/{i}/{j}"),
                )
                items.append(
                    hanging(
                        ctx,
                        sub,
                        st["list"],
                        indent * look.markers.nested_indent,
                        _marker(ctx, "dash", st["list"], indent * look.markers.nested_indent),
                        nested,
                    )
                )
        return titled(ctx, b, st, items)

    def styles(self, block: ListBlock, look: Look) -> Sequence[tuple[str, str | None]]:
        return [("list", None)] + ([("h3", None)] if block.title else [])

    def texts(self, b: TList) -> list[str]:
        out = [b.title.plain] if b.title else []
        for it in b.items:
            out += [it.text.plain, *(s.plain for s in it.sub)]
        return out


def _marker(ctx: Ctx, kind: str, style: TextStyle, indent: float):
    look = ctx.layout.look
    colour = ctx.colours[look.marker_color]
    fs = style.fontSize

    def draw(canv, x, y, top, side):
        # `x` is the middle of the indent; the marker ends a word space before the text,
        # which begins at the indent's right (`side` 1) or, right to left, its left (-1)
        with ctx.tagger.artifact(canv):
            mx = x + side * (indent / 2 - look.markers.text_gap * fs)
            _draw_marker(canv, kind, mx, y, colour=colour, fs=fs, m=look.markers)

    return (None if kind == "none" else draw), 0.0


def _draw_marker(
    canv: Canvas, kind: str, x: float, y: float, *, colour: Color, fs: float, m: MarkerLook
) -> None:
    """A list marker drawn as a shape (no glyph, so nothing for text extraction)."""
    if kind:
        canv.saveState()
        canv.setFillColor(colour)
        canv.setStrokeColor(colour)
        canv.setLineWidth(fs * m.stroke)
        canv.setLineCap(1)
        canv.setLineJoin(1)
        if kind == "bullet":
            canv.circle(x, y, fs * m.bullet_radius, stroke=0, fill=1)
        elif kind == "dash":
            canv.line(x - fs * m.dash_half_width, y, x + fs * m.dash_half_width, y)
        elif kind == "check":
            _polygon(canv, (x, y), fs, m.check, filled=False)
        elif kind in ("plus", "minus"):
            canv.setLineWidth(fs * m.plus_stroke)
            canv.line(x - fs * m.plus_half_width, y, x + fs * m.plus_half_width, y)
            if kind == "plus":
                canv.line(x, y - fs * m.plus_half_width, x, y + fs * m.plus_half_width)
        elif kind == "arrow":
            _polygon(canv, (x, y), fs, m.arrow, filled=True)
        canv.restoreState()


def _polygon(
    canv: Canvas,
    centre: tuple[float, float],
    fs: float,
    points: Sequence[Sequence[float]],
    *,
    filled: bool,
) -> None:
    """`points` (in text sizes from `centre`) joined: stroked open, or closed and filled."""
    x, y = centre
    p = canv.beginPath()
    (ax, ay), *rest = points
    p.moveTo(x + fs * ax, y + fs * ay)
    for bx, by in rest:
        p.lineTo(x + fs * bx, y + fs * by)
    if filled:
        p.close()
    canv.drawPath(p, stroke=0 if filled else 1, fill=1 if filled else 0)

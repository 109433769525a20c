"""Tips: numbered tips or steps, each number in a round badge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field

from fiche.model.content import Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock, TItem

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable
    from fiche.engine.tagging import Chain


class Tips(BlockModel):
    """Numbered tips or steps, each shown with a number badge."""

    kind: Literal["tips"]
    title: Text | None = None
    start: Annotated[int, Field(ge=0)] = 1
    items: Annotated[list[Text], Field(min_length=1)]


@dataclass(frozen=True)
class TTips(TBlock):
    start: int = 1


@register
class TipsKind(BlockKind):
    name = "tips"
    model = Tips
    roles = ("tip", "badge", "h3")
    order = 4

    def typeset(self, bid: str, block: Tips, t: Typeset, root: Path) -> TTips:
        base = ("blocks", bid)
        title = t(block.title, (*base, "title")) if block.title else None
        items = tuple(TItem(t(s, (*base, "items", i))) for i, s in enumerate(block.items))
        return TTips(bid, "tips", title=title, items=items, start=block.start)

    def flowables(self, ctx: Ctx, b: TTips, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.blocks import hanging, item_chain, titled

        look = ctx.layout.look
        radius = _badge_radius(st, look)
        indent = max(look.tip_indent_mm * MM, 2 * radius + look.badge.text_gap_mm * MM)
        items: list[BlockFlowable] = []
        for i, it in enumerate(b.items, start=b.start):
            item = item_chain(b.id, i)
            badge = _badge(ctx, i, st, indent, item)
            items.append(
                hanging(ctx, it.text, st["tip"], indent, badge, item, marker_style=st["badge"])
            )
        return titled(ctx, b, st, items)

    def styles(self, block: Tips, look: Look) -> Sequence[tuple[str, str | None]]:
        return [("badge", look.badge_fill), ("tip", None)] + ([("h3", None)] if block.title else [])

    def texts(self, b: TTips) -> list[str]:
        # each tip's number is text too (a Lbl), read before its tip
        numbered = [
            t for n, it in enumerate(b.items, start=b.start) for t in (f"{n}", it.text.plain)
        ]
        return ([b.title.plain] if b.title else []) + numbered


def _badge_radius(st: dict, look: Look) -> float:
    return st["badge"].fontSize * look.badge.radius


def _badge(ctx: Ctx, n: int, st: dict, indent: float, item: Chain):
    look = ctx.layout.look
    badge = st["badge"]
    r = _badge_radius(st, look)
    fill, ink = ctx.colours[look.badge_fill], ctx.colours[look.badge_text]

    def draw(canv, x, y, top, side):
        # At the item's outer edge (its left, or its right when the text reads right
        # to left), centred on the first line, never above the item.
        cx = x - side * (indent / 2 - r)
        cy = min(y, top - r)
        canv.saveState()
        with ctx.tagger.artifact(canv):
            canv.setFillColor(fill)
            canv.circle(cx, cy, r, stroke=0, fill=1)
        with ctx.tagger.content(canv, (*item, ("Lbl", f"{item[-1][1]}/label")), text=f"{n}"):
            canv.setFillColor(ink)
            canv.setFont(badge.fontName, badge.fontSize)
            canv.drawCentredString(cx, cy - badge.fontSize * look.badge.number_middle, f"{n}")
        canv.restoreState()

    return draw, 2 * r

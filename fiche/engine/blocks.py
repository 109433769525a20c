"""The flowables of a region's blocks, asked of each block's kind (`fiche.blocks`),
and the pieces the list-like kinds share: items with a hanging marker, under a title."""

from __future__ import annotations

from fiche.engine.context import Ctx, paragraph
from fiche.engine.flowables import BlockFlowable, Hanging, KeepWithNext, TextStyle
from fiche.engine.tagging import Chain
from fiche.model.kinds import KindError, kind
from fiche.typeset.sheet import TBlock, TText


def region_flowables(ctx: Ctx, blocks: tuple[TBlock, ...], st: dict) -> list[BlockFlowable]:
    out: list[BlockFlowable] = []
    for b in blocks:
        k = kind(b.kind)
        flows = k.flowables(ctx, b, st)
        for f in flows:
            # Only fiche's flowables know their block, to name it when it does not fit.
            if not isinstance(f, BlockFlowable):
                where = f"block kind {type(k).__module__}.{type(k).__qualname__}"
                raise KindError(
                    f"{where}: flowables gave a {type(f).__name__}, not a BlockFlowable"
                )
            f.block_id = b.id
        out += flows
    return out


def item_chain(bid: str, i: int | str) -> Chain:
    """The structure chain of item `i` of list-like block `bid`."""
    return (("L", bid), ("LI", f"{bid}/{i}"))


def titled(ctx: Ctx, b: TBlock, st: dict, items: list[BlockFlowable]) -> list[BlockFlowable]:
    """`items` under the block's title, if it has one, kept with the first item."""
    if b.title:
        head = paragraph(ctx, b.title, st["h3"], outline=1, chain=(("H3", f"{b.id}/title"),))
        return [KeepWithNext(head, items[0]), *items[1:]]
    return items


def hanging(
    ctx,
    t: TText,
    style: TextStyle,
    indent: float,
    marker,
    item: Chain,
    *,
    marker_style: TextStyle | None = None,
) -> Hanging:
    """A list item: its text indented by `indent`, `marker` (draw, height) in the indent;
    `marker_style` is the style of a marker that draws text."""
    draw, height = marker
    return Hanging(
        paragraph(ctx, t, style, chain=(*item, ("LBody", f"{item[-1][1]}/body"))),
        indent,
        draw,
        height,
        ctx.layout.look.markers.middle,
        marker_style,
    )

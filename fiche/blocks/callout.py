"""Callout: a text, maybe under a title, in a rounded box of the layout's callout fill."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fiche.model.content import Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable


class Callout(BlockModel):
    kind: Literal["callout"]
    title: Text | None = None
    text: Text


@register
class CalloutKind(BlockKind):
    name = "callout"
    model = Callout
    roles = ("callout", "callout-title")
    order = 5

    def typeset(self, bid: str, block: Callout, t: Typeset, root: Path) -> TBlock:
        base = ("blocks", bid)
        title = t(block.title, (*base, "title")) if block.title else None
        return TBlock(bid, "callout", title=title, text=t(block.text, (*base, "text")))

    def flowables(self, ctx: Ctx, b: TBlock, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.context import paragraph
        from fiche.engine.flowables import Box

        look = ctx.layout.look
        bid = b.id
        content: list[BlockFlowable] = []
        if b.title:
            content.append(
                paragraph(
                    ctx,
                    b.title,
                    st["callout-title"],
                    outline=1,
                    chain=(("Div", bid), ("H3", f"{bid}/title")),
                )
            )
        content.append(
            paragraph(
                ctx, b.required_text(), st["callout"], chain=(("Div", bid), ("P", f"{bid}/text"))
            )
        )
        box = Box(
            content,
            ctx.colours[look.callout_fill],
            look.callout_padding_mm * MM,
            look.callout_radius_mm * MM,
            space_before=st["callout"].spaceBefore,
            space_after=st["callout"].spaceAfter,
            tagger=ctx.tagger,
        )
        return [box]

    def styles(self, block: Callout, look: Look) -> Sequence[tuple[str, str | None]]:
        return [("callout", look.callout_fill), ("callout-title", look.callout_fill)]

    def texts(self, b: TBlock) -> list[str]:
        return [t.plain for t in (b.title, b.text) if t]

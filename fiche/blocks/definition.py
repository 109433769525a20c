"""Definition: a term and its numbered meanings, maybe under a title."""

from __future__ import annotations

from collections.abc import Sequence
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
    from fiche.engine.flowables import BlockFlowable, TextStyle
    from fiche.engine.tagging import Chain


class Definition(BlockModel):
    kind: Literal["definition"]
    title: Text | None = None
    term: Text
    meanings: Annotated[list[Text], Field(min_length=1)]


@register
class DefinitionKind(BlockKind):
    name = "definition"
    model = Definition
    roles = ("term", "list", "h3")
    order = 6

    def typeset(self, bid: str, block: Definition, t: Typeset, root: Path) -> TBlock:
        # the term goes in `text`, the meanings in `items`
        base = ("blocks", bid)
        title = t(block.title, (*base, "title")) if block.title else None
        items = tuple(TItem(t(s, (*base, "meanings", i))) for i, s in enumerate(block.meanings))
        term = t(block.term, (*base, "term"))
        return TBlock(bid, "definition", title=title, text=term, items=items)

    def flowables(self, ctx: Ctx, b: TBlock, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.blocks import hanging, item_chain, titled
        from fiche.engine.context import paragraph

        look = ctx.layout.look
        bid = b.id
        items: list[BlockFlowable] = [
            paragraph(ctx, b.required_text(), st["term"], chain=(("P", f"{bid}/term"),))
        ]
        for i, it in enumerate(b.items, start=1):
            item = item_chain(bid, i)
            items.append(
                hanging(
                    ctx,
                    it.text,
                    st["list"],
                    look.list_indent_mm * MM,
                    _number_marker(ctx, i, st["list"], item),
                    item,
                    marker_style=st["list"],
                )
            )
        return titled(ctx, b, st, items)

    def styles(self, block: Definition, look: Look) -> Sequence[tuple[str, str | None]]:
        return [("term", None), ("list", None)] + ([("h3", None)] if block.title else [])

    def texts(self, b: TBlock) -> list[str]:
        out = [b.title.plain] if b.title else []
        # each meaning's number is text too (a Lbl), read before its meaning
        numbered = [t for n, it in enumerate(b.items, start=1) for t in (f"{n}", it.text.plain)]
        return [*out, b.required_text().plain, *numbered]


def _number_marker(ctx: Ctx, n: int, style: TextStyle, item: Chain):
    colour = ctx.colours[ctx.layout.look.marker_color]
    fam = next(f for f in ctx.families.values() if style.fontName == f.regular)

    def draw(canv, x, y, top, side):
        with ctx.tagger.content(canv, (*item, ("Lbl", f"{item[-1][1]}/label")), text=f"{n}"):
            canv.saveState()
            canv.setFillColor(colour)
            canv.setFont(fam.bold, style.fontSize)
            canv.drawCentredString(x, y - style.fontSize * ctx.layout.look.markers.middle, f"{n}")
            canv.restoreState()

    return draw, 0.0

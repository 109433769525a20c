"""Heading: a title of level 1 (the sheet's), 2 or 3, set in the layout's h1-h3."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fiche.model.content import Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look
from fiche.typeset.sheet import TBlock

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable


class Heading(BlockModel):
    kind: Literal["heading"]
    text: Text
    level: Literal[1, 2, 3] = 2


@dataclass(frozen=True)
class THeading(TBlock):
    level: int = 2


@register
class HeadingKind(BlockKind):
    name = "heading"
    model = Heading
    roles = ("h1", "h2", "h3")
    order = 1

    def typeset(self, bid: str, block: Heading, t: Typeset, root: Path) -> THeading:
        text = t(block.text, ("blocks", bid, "text"))
        return THeading(bid, "heading", text=text, level=block.level)

    def flowables(self, ctx: Ctx, b: THeading, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.context import paragraph

        return [
            paragraph(
                ctx,
                b.required_text(),
                st[f"h{b.level}"],
                outline=0 if b.level == 1 else 1,
                chain=((f"H{b.level}", b.id),),
            )
        ]

    def styles(self, block: Heading, look: Look) -> Sequence[tuple[str, str | None]]:
        return [(f"h{block.level}", None)]

    def texts(self, b: THeading) -> list[str]:
        return [b.required_text().plain]

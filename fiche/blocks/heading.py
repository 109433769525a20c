"""Heading: a title of level 1 (the sheet's), 2 or 3, set in the layout's h1-h3."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from reportlab.platypus import Flowable

from fiche.engine.context import Ctx, paragraph
from fiche.model.content import BlockModel, Text
from fiche.model.kinds import BlockKind, Typeset, register
from fiche.model.layout import Look
from fiche.typeset.sheet import TBlock


class Heading(BlockModel):
    kind: Literal["heading"]
    text: Text
    level: Literal[1, 2, 3] = 2


@register
class HeadingKind(BlockKind):
    name = "heading"
    model = Heading
    order = 1

    def typeset(self, bid: str, block: Heading, t: Typeset, root: Path) -> TBlock:
        text = t(block.text, ("blocks", bid, "text"))
        return TBlock(bid, "heading", text=text, level=block.level)

    def flowables(self, ctx: Ctx, b: TBlock, st: dict) -> list[Flowable]:
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

    def texts(self, b: TBlock) -> list[str]:
        return [b.required_text().plain]

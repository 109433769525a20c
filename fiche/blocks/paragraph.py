"""Paragraph: running text in the role body, lead or small, maybe in another language."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from pydantic import Field
from reportlab.platypus import Flowable

from fiche.engine.context import Ctx, paragraph
from fiche.model.content import BlockModel, PassageLang, Text
from fiche.model.kinds import BlockKind, Typeset, register
from fiche.model.layout import Look
from fiche.typeset.sheet import TBlock


class Paragraph(BlockModel):
    kind: Literal["paragraph"]
    text: Text
    role: Literal["body", "lead", "small"] = "body"
    lang: PassageLang | None = Field(
        default=None, description="Language of this passage when it differs from the file's."
    )


@register
class ParagraphKind(BlockKind):
    name = "paragraph"
    model = Paragraph
    order = 2

    def typeset(self, bid: str, block: Paragraph, t: Typeset, root: Path) -> TBlock:
        text = t(block.text, ("blocks", bid, "text"))
        return TBlock(bid, "paragraph", text=text, role=block.role, lang=block.lang)

    def flowables(self, ctx: Ctx, b: TBlock, st: dict) -> list[Flowable]:
        return [
            paragraph(ctx, b.required_text(), st[b.role], chain=(("P", b.id),), lang=b.lang or "")
        ]

    def styles(self, block: Paragraph, look: Look) -> Sequence[tuple[str, str | None]]:
        return [(block.role, None)]

    def texts(self, b: TBlock) -> list[str]:
        return [b.required_text().plain]

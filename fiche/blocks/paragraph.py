"""Paragraph: running text in the role body, lead or small, maybe in another language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from fiche.model.content import PassageLang, Text
from fiche.model.kinds import BlockKind, BlockModel, Typeset, register
from fiche.model.layout import Look
from fiche.typeset.sheet import TBlock

if TYPE_CHECKING:
    from fiche.engine.context import Ctx
    from fiche.engine.flowables import BlockFlowable


class Paragraph(BlockModel):
    kind: Literal["paragraph"]
    text: Text
    role: Literal["body", "lead", "small"] = "body"
    lang: PassageLang | None = Field(
        default=None, description="Language of this passage when it differs from the file's."
    )


@dataclass(frozen=True)
class TParagraph(TBlock):
    role: str = "body"
    lang: str | None = None  # a passage in another language than the sheet's


@register
class ParagraphKind(BlockKind):
    name = "paragraph"
    model = Paragraph
    roles = ("body", "lead", "small")
    order = 2

    def typeset(self, bid: str, block: Paragraph, t: Typeset, root: Path) -> TParagraph:
        text = t(block.text, ("blocks", bid, "text"))
        return TParagraph(bid, "paragraph", text=text, role=block.role, lang=block.lang)

    def flowables(self, ctx: Ctx, b: TParagraph, st: dict) -> list[BlockFlowable]:
        # The engine loads ReportLab: only a build that sets text needs it.
        from fiche.engine.context import paragraph

        return [
            paragraph(ctx, b.required_text(), st[b.role], chain=(("P", b.id),), lang=b.lang or "")
        ]

    def styles(self, block: Paragraph, look: Look) -> Sequence[tuple[str, str | None]]:
        return [(block.role, None)]

    def texts(self, b: TParagraph) -> list[str]:
        return [b.required_text().plain]

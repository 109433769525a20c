"""Text styles at a point of their size ranges: what fitting varies."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT

from fiche.engine.context import Ctx
from fiche.engine.flowables import TextStyle
from fiche.model.layout import (
    Region,
)
from fiche.model.profiles import MM

ALIGN = {"left": TA_LEFT, "justify": TA_JUSTIFY, "center": TA_CENTER, "right": TA_RIGHT}


def size_at(rng: tuple[float, float], scale: float) -> float:
    lo, hi = rng
    return lo + (hi - lo) * scale


def styles_at(ctx: Ctx, scale: float) -> dict[str, TextStyle]:
    out = {}
    for name, st in ctx.layout.styles.items():
        size = size_at(st.size_range, scale)
        out[name] = TextStyle(
            name,
            fontName=ctx.families[st.font].regular,
            fontSize=size,
            leading=size * st.leading,
            textColor=ctx.colours[st.color],
            alignment=ALIGN[st.align],
            spaceBefore=st.space_before_pt,
            spaceAfter=st.space_after_pt,
            leftIndent=st.indent_mm * MM,
            hyphenator=ctx.hyph if st.hyphenate else None,
        )
    return out


def region_styles(styles: dict[str, TextStyle], region: Region) -> dict:
    return {**styles, **{role: styles[name] for role, name in region.styles.items()}}

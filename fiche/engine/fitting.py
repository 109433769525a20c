"""Fitting a page: the largest point of the size ranges at which every region holds its content.

Every style with a size range is set at the same point of its range (`scale`,
0 = smallest, 1 = largest), so a page stays even. If the smallest sizes do not fit,
a `FitError` names the region, page and how much is too much; nothing is ever
clipped or dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fiche.core.errors import FitError, Problem
from fiche.engine.blocks import region_flowables
from fiche.engine.columns import flow_into, frames_of
from fiche.engine.context import Ctx
from fiche.engine.styles import region_styles, size_at, styles_at
from fiche.engine.styleuse import used_styles
from fiche.model.layout import (
    Page,
)
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock, TPage, TRegion

FIT_STEPS = 6  # halvings: the scale is found to within 1/64 of the range (< 0.1 pt)


@dataclass(frozen=True)
class PageFit:
    side: str
    scale: float
    body_pt: float
    styles: dict[str, float] = field(default_factory=dict, hash=False)  # used: style -> pt


def fit_page(ctx: Ctx, tpage: TPage, lpage: Page) -> PageFit:
    """The largest scale at which every region of the page holds its content.

    Halving between 0 and 1. Smaller type never needs more room than larger type, so a
    region that fitted at some scale is not measured again below it, a region that
    overflowed decides every scale above it, and the smallest sizes are tried on their
    own only when nothing larger fitted.
    """
    ranged = any(lo != hi for lo, hi in (s.size_range for s in ctx.layout.styles.values()))
    known: dict[str, list[float]] = {}  # region -> [largest scale that fitted, smallest not]
    # Every region is measured at full size: one that fits there is never measured again.
    over = _overflow(ctx, tpage, lpage, 1.0, known, every=True)
    if over is None:
        scale = 1.0
    elif not ranged:  # measured again without shortcuts, to name every region
        raise FitError(_overflow_problems(ctx, tpage, _overflow(ctx, tpage, lpage, 1.0)))
    else:
        lo, hi = 0.0, 1.0
        for _ in range(FIT_STEPS):
            mid = (lo + hi) / 2
            if _overflow(ctx, tpage, lpage, mid, known) is None:
                lo = mid
            else:
                hi = mid
        if lo == 0.0:
            worst = _overflow(ctx, tpage, lpage, 0.0)
            if worst is not None:
                raise FitError(_overflow_problems(ctx, tpage, worst))
        scale = lo
    body = size_at(ctx.layout.styles["body"].size_range, scale)
    return PageFit(tpage.side, scale, round(body, 2), _used(ctx, tpage, lpage, scale))


def _used(ctx: Ctx, tpage: TPage, lpage: Page, scale: float) -> dict[str, float]:
    flows = []
    for treg in tpage.regions:
        key = (tpage.side, treg.name, scale)
        if key not in ctx.flows:  # not measured at this scale (it fitted above): made now
            region = lpage.regions[treg.name]
            styles = region_styles(styles_at(ctx, scale), region)
            ctx.flows[key] = region_flowables(ctx, treg.blocks, styles)
        flows += ctx.flows[key]
    return used_styles(flows)


def _overflow(
    ctx: Ctx,
    tpage: TPage,
    lpage: Page,
    scale: float,
    known: dict[str, list[float]] | None = None,
    every: bool = False,
):
    """None if every region holds its content at `scale`, else what is left over.

    With `known`, regions whose outcome at this scale follows from earlier trials are
    not measured, an overflow found that way is reported without its amount, and the
    first region that overflows ends the trial unless `every` region is wanted.
    """
    styles = styles_at(ctx, scale)
    over = []
    regions: Sequence[TRegion] = tpage.regions
    if known is not None:  # the region that overflowed at the smallest scale goes first
        regions = sorted(regions, key=lambda r: known.get(r.name, (-1.0, 2.0))[1])
    for treg in regions:
        if known is not None:
            fits_up_to, fails_from = known.setdefault(treg.name, [-1.0, 2.0])
            if scale <= fits_up_to:
                continue
            if scale >= fails_from:
                return [(treg, lpage.regions[treg.name], 0.0, [])]
        region = lpage.regions[treg.name]
        frames = frames_of(region, ctx.layout.page.height_mm)
        flow = region_flowables(ctx, treg.blocks, region_styles(styles, region))
        ctx.flows[(tpage.side, treg.name, scale)] = flow  # drawn as measured, if chosen
        left = flow_into(flow, frames)
        if known is not None:
            entry = known[treg.name]
            if left:
                entry[1] = min(entry[1], scale)
            else:
                entry[0] = max(entry[0], scale)
        if left:
            width = frames[-1].width
            height = sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() for f in left)
            ids = [f.block_id for f in left]
            over.append((treg, region, height, [i for i in ids if i]))
            if known is not None and not every:
                return over  # the page does not fit: the other regions need not be tried
    return over or None


def _overflow_problems(ctx: Ctx, tpage: TPage, over) -> list[Problem]:
    out = []
    s = ctx.sheet
    body_min = ctx.layout.styles["body"].size_range[0]
    for treg, _region, height, ids in over:
        block = next((b for b in treg.blocks if b.id in ids), treg.blocks[-1])
        origin = _first_origin(block)
        out.append(
            Problem(
                origin.path if origin else ctx.layout_path,
                origin.line if origin else 0,
                origin.col if origin else 0,
                f"blocks.{block.id}",
                f"does not fit: sheet {s.sheet} ({s.lang}), {tpage.side} page, region "
                f"'{treg.name}' overflows by {height / MM:.1f} mm even at the smallest type "
                f"(body {body_min:g} pt); shorten the text or enlarge the region in "
                f"{ctx.layout_path}",
            )
        )
    return out


def _first_origin(b: TBlock):
    for t in (b.title, b.text, *(i.text for i in b.items)):
        if t is not None:
            return t.origin
    return None

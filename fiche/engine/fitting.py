"""Fitting a page: the sizes its styles are set at and where its regions go.

Every style with a size range is set at one point of its range (`scale`, 0 = smallest,
1 = largest). By default (`fit.scale: page`) all regions of a page share that point,
so the page stays even; a region with `scale: own` (or every region, with
`fit.scale: region`) is fitted on its own. The regions of a stack are fitted
together, since each one's height takes room from the others.

For each group the largest scale is found at which every region holds its content:
regions whose height follows their content and stacks are placed (`stacks`) at each
scale tried, so type grows into the room a short text leaves. What the type cannot
fill is left to vertical justification when the page is drawn (`columns.Justify`),
and what that cannot fill is measured by the build as an empty area. If the smallest
sizes do not fit, a `FitError` names the region, page and how much is too much;
nothing is ever clipped or dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from fiche.core.errors import FitError, Problem
from fiche.engine.blocks import region_flowables
from fiche.engine.columns import flow_into, frames_of, natural_height
from fiche.engine.context import Ctx
from fiche.engine.flowables import BlockFlowable
from fiche.engine.stacks import IMPRINT, boxes_of, placed, room_in_stack, stack_of
from fiche.engine.styles import region_styles, size_at, styles_at
from fiche.engine.styleuse import used_styles
from fiche.model.layout import Page, Region
from fiche.model.profiles import MM
from fiche.typeset.sheet import TBlock, TPage, TRegion

FIT_STEPS = 6  # halvings: the scale is found to within 1/64 of the range (< 0.1 pt)
PAGE = "page"  # the group of the regions that share the page's scale


@dataclass(frozen=True)
class RegionFit:
    name: str
    scale: float
    box: Region  # as placed: a stack or a box that fits its content moves it


@dataclass(frozen=True)
class PageFit:
    side: str
    scale: float  # the page's own styles (header texts, imprint) are set at this point
    body_pt: float
    regions: tuple[RegionFit, ...] = ()
    imprint: Region | None = None  # as placed
    styles: dict[str, float] = field(default_factory=dict, hash=False)  # used: style -> pt

    def region(self, name: str) -> RegionFit:
        return next(r for r in self.regions if r.name == name)


@dataclass
class _Trial:
    """One group measured at one scale: what overflowed, and the boxes as placed."""

    over: list[tuple[TRegion, Region, float, list[str]]]
    boxes: dict[str, Region]


def fit_page(ctx: Ctx, tpage: TPage, lpage: Page, top: float = 1.0) -> PageFit:
    """Every group of the page at the largest scale at which its regions hold their
    content; raises `FitError` naming every region that does not fit at the smallest."""
    scales: dict[str, float] = {}
    boxes = dict(boxes_of(lpage))
    problems: list[Problem] = []
    groups = _groups(ctx, tpage, lpage)
    for group in groups.values():
        try:
            scale, trial = _fit_group(ctx, tpage, lpage, group, top)
        except FitError as e:
            problems += e.problems
            continue
        scales.update(dict.fromkeys(group, scale))
        boxes.update(trial.boxes)
    if problems:
        raise FitError(problems)
    # The header texts and the imprint go with the regions at the page's point; on a
    # page whose regions are all fitted on their own, with the smallest of them.
    shared = groups.get(PAGE)
    page_scale = scales[shared[0]] if shared else min(scales.values(), default=1.0)
    body = size_at(ctx.layout.styles["body"].size_range, page_scale)
    regions = tuple(RegionFit(t.name, scales[t.name], boxes[t.name]) for t in tpage.regions)
    used = _used(ctx, tpage, lpage, scales)
    return PageFit(tpage.side, page_scale, round(body, 2), regions, boxes.get(IMPRINT), used)


def _used(ctx: Ctx, tpage: TPage, lpage: Page, scales: dict[str, float]) -> dict[str, float]:
    """The styles the page's regions set text in, at the sizes of their scales."""
    flows: list[BlockFlowable] = []
    for treg in tpage.regions:
        scale = scales[treg.name]
        flows += _flow(ctx, tpage, treg, lpage.regions[treg.name], styles_at(ctx, scale), scale)
    return used_styles(flows)


def evened(ctx: Ctx, pages: list[tuple[TPage, Page]], fits: list[PageFit]) -> list[PageFit]:
    """With `fit.pages: together`, every page of the sheet at the smallest point any of
    them needed, so the two sides of a card are set alike; the pages that had room to
    spare leave it to their space between blocks."""
    if ctx.layout.fit.pages != "together" or len(fits) < 2:
        return fits
    least = min(f.scale for f in fits)
    return [
        fit if fit.scale <= least else fit_page(ctx, tpage, lpage, top=least)
        for (tpage, lpage), fit in zip(pages, fits, strict=True)
    ]


def _groups(ctx: Ctx, tpage: TPage, lpage: Page) -> dict[str, list[str]]:
    """The regions of the page fitted together: those at the page's scale, then each
    region (or stack) fitted on its own, in the page's order."""
    by_default = ctx.layout.fit.scale
    groups: dict[str, list[str]] = {}
    for treg in tpage.regions:
        stack = stack_of(lpage, treg.name)
        members = [n for n in (stack or [treg.name]) if n != IMPRINT]
        own = any(_scale_of(lpage.regions[n], by_default) == "own" for n in members)
        key = ("stack:" + stack[0] if stack else treg.name) if own else PAGE
        groups.setdefault(key, []).append(treg.name)
    return groups


def _scale_of(region: Region, by_default: str) -> str:
    if region.scale is not None:
        return region.scale
    return "own" if by_default == "region" else "page"


def _fit_group(
    ctx: Ctx, tpage: TPage, lpage: Page, group: list[str], top: float = 1.0
) -> tuple[float, _Trial]:
    """The largest scale at which every region of `group` holds its content.

    Halving between 0 and 1. Smaller type never needs more room than larger type, so a
    region that fitted at some scale is not measured again below it, a region that
    overflowed decides every scale above it, and the smallest sizes are tried on their
    own only when nothing larger fitted.
    """
    ranged = any(lo != hi for lo, hi in (s.size_range for s in ctx.layout.styles.values()))
    known: dict[str, list[float]] = {}  # region -> [largest scale that fitted, smallest not]
    # Every region is measured at full size: one that fits there is never measured again.
    trial = _trial(ctx, tpage, lpage, group, top, known=known, every=True)
    if not trial.over:
        return top, trial
    if not ranged:  # measured again without shortcuts, to name every region
        raise FitError(_overflow_problems(ctx, tpage, _trial(ctx, tpage, lpage, group, 1.0).over))
    lo, hi = 0.0, top
    for _ in range(FIT_STEPS):
        mid = (lo + hi) / 2
        if not _trial(ctx, tpage, lpage, group, mid, known=known).over:
            lo = mid
        else:
            hi = mid
    trial = _trial(ctx, tpage, lpage, group, lo)  # every region measured: its boxes placed
    if trial.over:
        raise FitError(_overflow_problems(ctx, tpage, trial.over))
    return lo, trial


def _trial(
    ctx: Ctx,
    tpage: TPage,
    lpage: Page,
    group: list[str],
    scale: float,
    *,
    known: dict[str, list[float]] | None = None,
    every: bool = False,
) -> _Trial:
    """The regions of `group` set at `scale` and placed: what is left over, if anything.

    With `known`, a region whose outcome at this scale follows from earlier trials is
    not measured (its box is then not placed), an overflow found that way is reported
    without its amount, and the first region that overflows ends the trial unless
    `every` region is wanted.
    """
    styles = styles_at(ctx, scale)
    present = {t.name: t for t in tpage.regions}
    members = [present[n] for n in group]
    if known is not None:  # the region that overflowed at the smallest scale goes first
        members.sort(key=lambda r: known.get(r.name, [-1.0, 2.0])[1])
    # A region whose height follows its content is always set: the others' boxes need it.
    flows = {
        t.name: _flow(ctx, tpage, t, lpage.regions[t.name], styles, scale)
        for t in members
        if not _decided(known, t.name, scale) or lpage.regions[t.name].height == "content"
    }
    natural = _natural_heights(ctx, lpage, flows, members)
    over: list[tuple[TRegion, Region, float, list[str]]] = []
    boxes = placed(lpage, natural, set(present))
    for treg in members:
        if known is not None and _decided(known, treg.name, scale):
            if scale >= known[treg.name][1]:
                over.append((treg, lpage.regions[treg.name], 0.0, []))
                if not every:
                    break
            continue
        region = boxes[treg.name]
        frames = frames_of(region, ctx.layout.page.height_mm, ctx.rtl)
        left = flow_into(flows[treg.name], frames)
        if known is not None:
            entry = known.setdefault(treg.name, [-1.0, 2.0])
            entry[1 if left else 0] = (min if left else max)(entry[1 if left else 0], scale)
        if left:
            over.append((treg, region, _height(left, region, ctx), _ids(left)))
            if known is not None and not every:
                break
    names = set(group) | {n for t in members for n in stack_of(lpage, t.name) or []}
    return _Trial(over, {n: b for n, b in boxes.items() if n in names})


def _decided(known: dict[str, list[float]] | None, name: str, scale: float) -> bool:
    if known is None or name not in known:
        return False
    fits_up_to, fails_from = known[name]
    return scale <= fits_up_to or scale >= fails_from


def _flow(
    ctx: Ctx, tpage: TPage, treg: TRegion, region: Region, styles: dict, scale: float
) -> list[BlockFlowable]:
    key = (tpage.side, treg.name, scale)
    if key not in ctx.flows:  # drawn as measured, if chosen
        ctx.flows[key] = region_flowables(ctx, treg.blocks, region_styles(styles, region))
    flow: list[BlockFlowable] = ctx.flows[key]
    return flow


def _natural_heights(
    ctx: Ctx, lpage: Page, flows: dict[str, list[BlockFlowable]], members: Iterable[TRegion]
) -> dict[str, float]:
    """The height (mm) each region whose height follows its content needs, padding
    included; one that does not fit even in all the room it could have claims that room
    (its box then overflows where it is placed), so that a smaller type never leaves
    the other regions of its stack less room: what the halving search relies on."""
    natural: dict[str, float] = {}
    page_h = ctx.layout.page.height_mm
    for treg in members:
        region = lpage.regions[treg.name]
        if region.height != "content" or treg.name not in flows:
            continue
        stack = stack_of(lpage, treg.name)
        room = room_in_stack(lpage, stack) if stack else region.h_mm
        frames = frames_of(region.model_copy(update={"h_mm": room}), page_h, ctx.rtl)
        h = natural_height(frames, flows[treg.name])
        natural[treg.name] = room if h is None else h / MM + 2 * region.padding_mm
    return natural


def _height(left: list[BlockFlowable], region: Region, ctx: Ctx) -> float:
    """How much height (points) what is left over needs, in the region's last column."""
    frames = frames_of(region, ctx.layout.page.height_mm, ctx.rtl)
    width = frames[-1].width
    return sum(f.wrap(width, 1e6)[1] + f.getSpaceBefore() for f in left)


def _ids(left: list[BlockFlowable]) -> list[str]:
    return [i for i in (f.block_id for f in left) if i]


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

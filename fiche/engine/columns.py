"""Columns and the one function that fills them, for measuring and for drawing.

Coordinates: layouts measure in mm from the trim's top-left corner; ReportLab draws in
points from the bottom-left, so `mm_box` converts.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.pdfgen.canvas import Canvas

from fiche.engine.flowables import BlockFlowable, Picture
from fiche.model.layout import (
    Region,
)
from fiche.model.profiles import MM

_FUZZ = 1e-6  # as ReportLab's Frame
BALANCE_STEPS = 10  # halvings of a column's height: within 0.3 mm on an A4 page


@dataclass(frozen=True, slots=True)
class Column:
    """A rectangle text flows into (points, from the trim's bottom-left corner)."""

    x: float
    y: float
    width: float
    height: float

    def like(self, top_cut: float = 0.0, height: float | None = None) -> Column:
        """This column, its top lowered by `top_cut`, or its height set with its top kept."""
        h = (self.height - top_cut) if height is None else height
        return Column(self.x, self.y + (self.height - top_cut - h), self.width, h)


@dataclass(frozen=True, slots=True)
class Placed:
    """Where a flowable was drawn (points, from the trim's bottom-left corner): what a
    page's measure of its empty space, and a check for collisions, need to know."""

    block_id: str | None
    image: bool  # a picture, not text
    x: float
    y: float
    width: float
    height: float
    ink: tuple[float, float] = (0.0, 0.0)  # across, from x: where its text starts and ends


class _FrameFill:
    """The filling state of one column, as ReportLab's `Frame` keeps it."""

    def __init__(self, frame: Column):
        self.y = frame.y + frame.height
        self.bottom = frame.y
        self.at_top = True
        self.prev_after = 0.0
        self.width = frame.width

    def room_for(self, f: BlockFlowable) -> tuple[float, float]:
        space = 0.0
        if not self.at_top:
            space = f.getSpaceBefore()
            # space before collapses into the last space after (ReportLab's default)
            space = max(space - self.prev_after, 0)
        return self.y - self.bottom - space, space

    def place(self, f: BlockFlowable) -> float | None:
        """Where the bottom of `f` goes, or None when it does not fit."""
        room, space = self.room_for(f)
        if room <= 0:
            return None
        _, h = f.wrap(self.width, room)
        if self.y - (h + space) < self.bottom - _FUZZ:
            return None
        new_y = self.y - h - space
        after = f.getSpaceAfter()
        if new_y != self.y:
            self.at_top = False
        self.y = new_y - after
        self.prev_after = after
        return new_y


@dataclass(frozen=True, slots=True)
class Justify:
    """Vertical justification of one column: the space between its flowables may grow
    to `stretch` times its natural size so that its last flowable ends at `bottom`
    (points from the trim's bottom-left), never further."""

    bottom: float
    stretch: float


def flow_into(
    flowables: list[BlockFlowable],
    frames: list[Column],
    canv: Canvas | None = None,
    placed: list[Placed] | None = None,
    justify: list[Justify | None] | None = None,
) -> list[BlockFlowable]:
    """Fill `frames` in order as ReportLab's `Frame.add` and `Frame.split` would,
    drawing on `canv` if given and adding each flowable's box to `placed` if given;
    return what did not fit.

    Fitting and column balancing call it without a canvas to measure; the same code
    places what is drawn, so a fitted region cannot overflow when drawn. Paragraphs
    cache their line breaking per width, so measuring again is cheap. `justify` (one
    entry per frame) moves flowables down when drawn; it never changes which
    flowables go into which column, so what was measured still holds.
    """
    queue = list(flowables)
    columns = [_fill_column(queue, frame) for frame in frames]
    if justify is not None:
        justify = _level(columns, justify)
    for i, (frame, column) in enumerate(zip(frames, columns, strict=True)):
        j = justify[i] if justify is not None else None
        if j is not None and column:
            column = _justified(column, j)
        for f, y in column:
            x = frame.x + f.shift
            if canv is not None:
                f.drawOn(canv, x, y)
            if placed is not None:  # as wrapped by `place`, at the width it was set
                placed.append(
                    Placed(f.block_id, isinstance(f, Picture), x, y, f.width, f.height, f.ink())
                )
    return queue


def _fill_column(queue: list[BlockFlowable], frame: Column) -> list[tuple[BlockFlowable, float]]:
    """Take from the front of `queue` what fits into `frame`, splitting the flowable
    that fits only in part; each with the y of its bottom."""
    fill = _FrameFill(frame)
    out: list[tuple[BlockFlowable, float]] = []
    while queue:
        f = queue[0]
        y = fill.place(f)
        if y is None:
            room, _ = fill.room_for(f)
            parts = f.split(fill.width, room) if room > 0 else []
            if len(parts) < 2 or (y := fill.place(parts[0])) is None:
                break
            for p in parts:  # a split may make its first part anew (a kept title)
                p.block_id = f.block_id
            queue[0:1] = parts
            f = parts[0]
        queue.pop(0)
        out.append((f, y))
    return out


def _level(columns: list[list[tuple[BlockFlowable, float]]], justify: list[Justify | None]):
    """Columns justified side by side end on one line: their foot when each can reach it
    within its stretch, else the lowest line they all can, so that a column whose space
    may not grow enough does not leave the others ending lower than it."""
    reach = [
        _lowest_end(column, j) for column, j in zip(columns, justify, strict=True) if j and column
    ]
    if len(reach) < 2:
        return justify
    line = max(reach)
    return [Justify(max(j.bottom, line), j.stretch) if j else None for j in justify]


def _lowest_end(column: list[tuple[BlockFlowable, float]], j: Justify) -> float:
    """The lowest y the column's last flowable can reach, its space grown to the limit."""
    natural = sum(max(g, 0.0) for g in _gaps(column))
    return max(j.bottom, column[-1][1] - max(j.stretch - 1, 0.0) * natural)


def _gaps(column: list[tuple[BlockFlowable, float]]) -> list[float]:
    """The space above each flowable of the column (none above the first)."""
    return [0.0] + [
        prev_y - (y + f.height) for (_, prev_y), (f, y) in zip(column, column[1:], strict=False)
    ]


def _justified(
    column: list[tuple[BlockFlowable, float]], j: Justify
) -> list[tuple[BlockFlowable, float]]:
    """The column with the space between its flowables grown evenly, each gap in
    proportion to its natural size (as TeX stretches glue of one order), until the
    last flowable ends at `j.bottom` or every gap is `j.stretch` times its size."""
    gaps = _gaps(column)
    natural = sum(g for g in gaps if g > 0)
    slack = column[-1][1] - j.bottom
    if natural <= 0 or slack <= 0 or j.stretch <= 1:
        return column
    grow = min(j.stretch - 1, slack / natural)
    out, shift = [], 0.0
    for (f, y), gap in zip(column, gaps, strict=True):
        shift += grow * max(gap, 0.0)
        out.append((f, y - shift))
    return out


def mm_box(r, page_h_mm: float) -> tuple[float, float, float, float]:
    """(x, y, w, h) in points from the trim's bottom-left, for a top-left mm box."""
    return r.x_mm * MM, (page_h_mm - r.y_mm - r.h_mm) * MM, r.w_mm * MM, r.h_mm * MM


def frames_of(region: Region, page_h_mm: float, rtl: bool = False) -> list[Column]:
    """The region's columns in the order text fills them: from the left, or, when the
    sheet reads right to left, from the right."""
    x, y, w, h = mm_box(region, page_h_mm)
    pad = region.padding_mm * MM
    gutter = region.gutter_mm * MM
    n = region.columns
    col_w = (w - 2 * pad - (n - 1) * gutter) / n
    order = range(n - 1, -1, -1) if rtl else range(n)
    return [Column(x + pad + i * (col_w + gutter), y + pad, col_w, h - 2 * pad) for i in order]


def natural_height(frames: list[Column], flow: list[BlockFlowable]) -> float | None:
    """The least column height (points) that holds `flow` in as many columns as `frames`
    (of their widths, balanced), or None when even `frames`' own height does not."""
    if flow_into(flow, frames):
        return None
    if len(frames) == 1:
        return _used_height(frames[0], flow)
    return balanced(frames, flow)[0].height


def _used_height(frame: Column, flowables: list[BlockFlowable]) -> float:
    """The height the flowables take at the top of `frame` (measured, not drawn)."""
    fill = _FrameFill(frame)
    for f in flowables:
        if fill.place(f) is None:  # only in parts: it takes the whole frame
            return frame.height
    return frame.y + frame.height - (fill.y + fill.prev_after)  # no space after the last


def valigned(region: Region, frames: list[Column], flow: list[BlockFlowable]) -> list[Column]:
    f0 = frames[0]
    free = max(f0.height - _used_height(f0, flow), 0.0)
    shift = free / 2 if region.valign == "middle" else free
    return [f0.like(top_cut=shift)]


def balanced(frames: list[Column], flow: list[BlockFlowable]) -> list[Column]:
    """The same frames, shortened to the least height that still holds the content."""
    full = frames[0].height

    def at(height: float) -> list[Column]:
        return [f.like(height=height) for f in frames]

    lo, hi = 0.0, full
    for _ in range(BALANCE_STEPS):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if flow_into(flow, at(mid)) else (lo, mid)
    return at(hi)

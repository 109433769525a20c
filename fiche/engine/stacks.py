"""Where a page's regions go once their text is known: boxes that end where their text
ends, and stacks of regions that share a column.

Input: a layout's page and, for each region whose height follows its content, the
height its text needs (mm, padding included; absent when it holds nothing). Output:
every region's box as placed (and the imprint's), in mm from the trim's top-left.

A stack keeps the top of its first region, the bottom of its last and the gaps drawn
between them. Regions whose height follows their content take what they need; the
imprint keeps its height; the `fixed` regions share what is left, in proportion to
the heights they were drawn with, so the space a short text does not use goes to the
text below it instead of staying white. A stack without a `fixed` region leaves what
is left at its foot. A region that holds nothing takes no room, nor its gap.
"""

from __future__ import annotations

from collections.abc import Mapping

from fiche.model.layout import Page, Region

IMPRINT = "imprint"  # the name of the imprint's box in a stack
_LEAST_MM = 1e-3  # a box never gets a zero or negative height: its text overflows instead


def boxes_of(page: Page) -> dict[str, Region]:
    """The page's regions and its imprint, as the layout draws them."""
    out = dict(page.regions)
    if page.imprint is not None:
        out[IMPRINT] = page.imprint
    return out


def stack_of(page: Page, name: str) -> list[str] | None:
    """The stack `name` is part of, or None."""
    return next((s for s in page.stacks if name in s), None)


def room_in_stack(page: Page, stack: list[str]) -> float:
    """The height of a stack from the top of its first box to the bottom of its last (mm)."""
    boxes = boxes_of(page)
    first, last = boxes[stack[0]], boxes[stack[-1]]
    return last.y_mm + last.h_mm - first.y_mm


def placed(
    page: Page, natural: Mapping[str, float], present: frozenset[str] | set[str]
) -> dict[str, Region]:
    """Every box of `page` as placed: `natural` gives the height (mm) of each region whose
    height follows its content; `present` names the regions that hold something."""
    boxes = boxes_of(page)
    out: dict[str, Region] = {}
    for name, box in boxes.items():
        if stack_of(page, name) is None and box.height == "content" and name in natural:
            out[name] = _with(box, box.y_mm, min(natural[name], box.h_mm))
        else:
            out[name] = box
    for stack in page.stacks:
        out.update(_stacked(page, stack, natural, present | {IMPRINT}))
    return out


def _stacked(
    page: Page, stack: list[str], natural: Mapping[str, float], present: set[str] | frozenset[str]
) -> dict[str, Region]:
    boxes = boxes_of(page)
    names = [n for n in stack if n in present]
    if not names:
        return {}
    gaps = [
        boxes[b].y_mm - (boxes[a].y_mm + boxes[a].h_mm)
        for a, b in zip(stack, stack[1:], strict=False)
    ]
    gap_after = dict(zip(stack, gaps, strict=False))
    top = boxes[stack[0]].y_mm
    bottom = boxes[stack[-1]].y_mm + boxes[stack[-1]].h_mm
    heights: dict[str, float] = {}
    for n in names:
        if n == IMPRINT:
            heights[n] = boxes[n].h_mm
        elif boxes[n].height == "content":
            heights[n] = natural.get(n, 0.0)
    growing = [n for n in names if n not in heights]
    used = sum(heights.values()) + sum(gap_after.get(n, 0.0) for n in names[:-1])
    left = bottom - top - used
    drawn = sum(boxes[n].h_mm for n in growing)
    for n in growing:
        heights[n] = max(left * boxes[n].h_mm / drawn, _LEAST_MM)
    out = {}
    y = top
    for n in names:
        # Boxes that follow their content may need more than the stack has: the box
        # that would run past the stack's foot ends there, and its text overflows.
        heights[n] = min(heights[n], bottom - y)
        out[n] = _with(boxes[n], y, max(heights[n], _LEAST_MM))
        y += heights[n] + gap_after.get(n, 0.0)
    return out


def _with(box: Region, y_mm: float, h_mm: float) -> Region:
    return box.model_copy(update={"y_mm": y_mm, "h_mm": h_mm})

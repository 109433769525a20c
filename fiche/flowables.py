"""ReportLab flowables that the block kinds need beyond Paragraph.

- `Hanging`: a marker (badge, bullet, tick…) hanging left of a paragraph; splits
  between columns with the marker on the first part only.
- `KeepWithNext`: a title glued to the start of what follows it.
- `Box`: a filled, padded panel that never splits (callouts).
- `TextParagraph`: a Paragraph that reports lines wider than its column.
"""

from __future__ import annotations

from collections.abc import Callable

from reportlab.lib.colors import Color
from reportlab.platypus import Flowable, Paragraph

# A marker draws itself around (x, y) = centre of the first line's x-height;
# `top` is the top of the item, above which it must not reach.
MarkerDraw = Callable[[object, float, float, float], None]


class TextParagraph(Paragraph):
    """A Paragraph that knows where its text came from and flags overfull lines."""

    def __init__(self, text: str, style, origin=None, on_overfull=None, **kw):
        super().__init__(text, style, **kw)
        self.origin = origin
        self.on_overfull = on_overfull

    def wrap(self, availWidth, availHeight):
        # Line breaking does not depend on the height offered: reuse it for the same
        # width (fitting and column balancing offer the same width many times).
        cached = getattr(self, "_wrapped", None)
        if cached is not None and cached[0] == availWidth:
            _, self.blPara, self.width, self.height = cached
            return self.width, self.height
        w, h = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, self.blPara, self.width, self.height)
        return w, h

    def split(self, availWidth, availHeight):
        parts = super().split(availWidth, availHeight)
        for p in parts:
            p.origin = self.origin
            p.on_overfull = self.on_overfull
        if parts and hasattr(self, "outline"):
            parts[0].outline = self.outline  # the bookmark goes where the text starts
        if hasattr(self, "tag"):
            for p in parts:  # both parts belong to the same structure element
                p.tag = self.tag
        return parts

    def draw(self):
        if self.on_overfull is not None:
            worst = overfull_by(self)
            if worst > 0.5:
                self.on_overfull(self, worst)
        outline = getattr(self, "outline", None)
        if outline is not None:
            add_bookmark(self.canv, outline[0], outline[1], self.height)
        tag = getattr(self, "tag", None)
        if tag is None:
            super().draw()
            return
        tagger, chain, text, lang = tag
        with tagger.content(self.canv, chain, text=text, lang=lang):
            super().draw()


def add_bookmark(canv, title: str, level: int, y: float) -> None:
    """An outline entry pointing at height `y` of the current drawing position.

    Keys count up per canvas, so equal input gives equal files; a level never
    jumps more than one below the previous entry (ReportLab refuses that).
    """
    n = getattr(canv, "_fiche_bookmarks", 0)
    last = getattr(canv, "_fiche_outline_level", -1)
    level = min(level, last + 1)
    key = f"section-{n}"
    canv.bookmarkHorizontal(key, 0, y)
    canv.addOutlineEntry(title, key, level=level, closed=False)
    canv._fiche_bookmarks = n + 1
    canv._fiche_outline_level = level


def overfull_by(p: Paragraph) -> float:
    """How far (pt) the widest line of a wrapped paragraph runs past its width."""
    bl = getattr(p, "blPara", None)
    if bl is None:
        return 0.0
    worst = 0.0
    for line in bl.lines:
        extra = line.extraSpace if hasattr(line, "extraSpace") else line[0]
        worst = max(worst, -extra)
    return worst


class Hanging(Flowable):
    def __init__(
        self, para: Paragraph, indent: float, marker: MarkerDraw | None, marker_height: float = 0.0
    ):
        super().__init__()
        self.para = para
        self.indent = indent
        self.marker = marker
        self.marker_height = marker_height

    def wrap(self, aW, aH):
        _, h = self.para.wrap(aW - self.indent, aH)
        self.width = aW
        self.height = max(h, self.marker_height if self.marker else 0)
        return self.width, self.height

    def split(self, aW, aH):
        parts = self.para.split(aW - self.indent, aH)
        if len(parts) < 2:
            return []
        first = Hanging(parts[0], self.indent, self.marker, self.marker_height)
        rest = [Hanging(p, self.indent, None) for p in parts[1:]]
        return [first, *rest]

    def getSpaceBefore(self):
        return self.para.getSpaceBefore()

    def getSpaceAfter(self):
        return self.para.getSpaceAfter()

    def draw(self):
        canv = self.canv
        ph = self.para.height
        top = self.height
        if self.marker:  # first, so that a tip's number is read before its text
            st = self.para.style
            # ReportLab sets the first baseline one font size below the top.
            baseline = top - st.fontSize
            self.marker(canv, self.indent / 2, baseline + 0.36 * st.fontSize, top)
        self.para.drawOn(canv, self.indent, top - ph)


class KeepWithNext(Flowable):
    """`head` (a title) drawn only where at least the start of `body` fits below it."""

    def __init__(self, head: Flowable, body: Flowable):
        super().__init__()
        self.head = head
        self.body = body

    def _gap(self) -> float:
        return self.head.getSpaceAfter() + self.body.getSpaceBefore()

    def wrap(self, aW, aH):
        _, hh = self.head.wrap(aW, aH)
        _, bh = self.body.wrap(aW, max(aH - hh - self._gap(), 0))
        self._hh, self._bh = hh, bh
        self.width, self.height = aW, hh + self._gap() + bh
        return self.width, self.height

    def split(self, aW, aH):
        _, hh = self.head.wrap(aW, aH)
        room = aH - hh - self._gap()
        if room <= 0:
            return []
        parts = self.body.split(aW, room)
        if len(parts) < 2:
            return []
        return [KeepWithNext(self.head, parts[0]), *parts[1:]]

    def getSpaceBefore(self):
        return self.head.getSpaceBefore()

    def getSpaceAfter(self):
        return self.body.getSpaceAfter()

    def draw(self):
        self.head.drawOn(self.canv, 0, self.height - self._hh)
        self.body.drawOn(self.canv, 0, 0)


class Box(Flowable):
    """Flowables on a filled panel with padding; kept whole, never split."""

    def __init__(
        self,
        content: list[Flowable],
        fill: Color,
        padding: float,
        radius: float,
        space_before: float = 0.0,
        space_after: float = 0.0,
    ):
        super().__init__()
        self.content = content
        self.fill = fill
        self.padding = padding
        self.radius = radius
        self.spaceBefore = space_before
        self.spaceAfter = space_after

    def wrap(self, aW, aH):
        inner = aW - 2 * self.padding
        self._placed = []
        y = 0.0
        prev_after = None
        for f in self.content:
            _, h = f.wrap(inner, 1e6)
            if prev_after is not None:
                y += prev_after + f.getSpaceBefore()
            self._placed.append((f, y, h))
            y += h
            prev_after = f.getSpaceAfter()
        self.width, self.height = aW, y + 2 * self.padding
        return self.width, self.height

    def split(self, aW, aH):
        return []

    def draw(self):
        from contextlib import nullcontext

        canv = self.canv
        tagger = getattr(self, "tagger", None)
        with tagger.artifact(canv) if tagger else nullcontext():
            canv.saveState()
            canv.setFillColor(self.fill)
            canv.roundRect(0, 0, self.width, self.height, self.radius, stroke=0, fill=1)
            canv.restoreState()
        for f, y, h in self._placed:
            f.drawOn(canv, self.padding, self.height - self.padding - y - h)

"""ReportLab flowables for the block kinds.

- `Hanging`: a marker (badge, bullet, tick…) hanging before a paragraph: left of it,
  or right of it when the text reads right to left; splits between columns with the
  marker on the first part only.
- `KeepWithNext`: a title glued to the start of what follows it.
- `Box`: a filled, padded panel that never splits (callouts).
- `Picture`: an image as wide as asked (or its column), never distorted, never split.
- `TextParagraph`: measured words set in lines (`linebreak`), drawn with a text
  object; reports lines wider than its column.

Each is a `BlockFlowable`, which knows its block; what a flowable needs when drawn
(its `Tag`, its `Bookmark` in the document's `Outline`) is given to its constructor,
never kept on the canvas.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.pdfbase.pdfmetrics import getAscentDescent
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from fiche.engine.glyphs import ink, operators, place
from fiche.engine.rladapter import document
from fiche.engine.tagging import Tag, Tagger
from fiche.typeset.linebreak import MIN_WORD, Hyphenator, Line, Measured, units

# A marker draws itself around (x, y) = centre of the first line's x-height, x in
# the middle of its item's indent; `top` is the top of the item, above which it must
# not reach; `side` is 1 when the item's text lies right of the indent, -1 when it
# lies left of it (right to left): a marker is drawn towards its text.
MarkerDraw = Callable[[object, float, float, float, int], None]


@dataclass(frozen=True, slots=True)
class TextStyle:
    """A text style at one size (the attribute names are ReportLab's ParagraphStyle's)."""

    name: str
    fontName: str
    fontSize: float = 10.0
    leading: float = 12.0
    textColor: Color | None = None
    alignment: int = TA_LEFT
    spaceBefore: float = 0.0
    spaceAfter: float = 0.0
    leftIndent: float = 0.0
    rightIndent: float = 0.0
    hyphenator: Hyphenator | None = None
    hyphenationMinWordLength: int = MIN_WORD
    # The text reads right to left: `alignment` is already the side it is set against
    # (a layout's `left` is TA_RIGHT); a justified paragraph's last line goes right.
    rtl: bool = False


@dataclass
class Outline:
    """The outline (bookmarks) of one document, entry by entry as they are drawn.

    Keys count up per document, so equal input gives equal files; a level never
    jumps more than one below the previous entry (ReportLab refuses that).
    """

    count: int = 0
    level: int = -1

    def add(self, canv: Canvas, title: str, level: int, x: float, y: float) -> None:
        """An outline entry pointing at (x, y)."""
        level = min(level, self.level + 1)
        key = f"section-{self.count}"
        canv.bookmarkHorizontal(key, x, y)
        canv.addOutlineEntry(title, key, level=level, closed=False)
        self.count += 1
        self.level = level


@dataclass(frozen=True, slots=True)
class Bookmark:
    """An entry `title` at `level` of `outline`, where a text starts."""

    outline: Outline
    title: str
    level: int


class BlockFlowable(Flowable):
    """A flowable of fiche's. It knows the block it sets, to name that block when
    it does not fit; the parts of a split belong to the same block."""

    block_id: str | None = None
    # How far right of its column's left edge it is drawn: a picture narrower than its
    # column, right to left, stands at the column's right.
    shift: float = 0.0

    def ink(self) -> tuple[float, float]:
        """Where, from its left edge, what it drew (as last wrapped) starts and ends
        across (pt): a check for collisions needs the text, not its column."""
        return 0.0, self.width


def _ink(f: Flowable) -> tuple[float, float]:
    return f.ink() if isinstance(f, BlockFlowable) else (0.0, f.width)


class TextParagraph(BlockFlowable):
    """Lines of measured words (`linebreak.Measured`) in a `TextStyle`.

    Set like ReportLab's Paragraph: first baseline one font size below the top,
    then one `leading` per line; no line alone at the foot or head of a column.
    The text knows where it came from and reports lines wider than its column.
    """

    def __init__(
        self,
        measured: Measured,
        style,
        *,
        origin=None,
        on_overfull=None,
        start: tuple[int, int] = (0, 0),
        streak: int = 0,
        lines: list[Line] | None = None,
        ends_paragraph: bool = True,
        cache: dict | None = None,
        bookmark: Bookmark | None = None,
        tag: Tag | None = None,
    ):
        super().__init__()
        self.measured = measured
        self.style = style
        self.origin = origin
        self.on_overfull = on_overfull
        self.start = start
        self.streak = streak  # lines ending inside a word just before `start`
        self.fixed = lines  # a first part of a split keeps the lines it was given
        self.ends_paragraph = ends_paragraph
        # (start, streak, capacity) -> lines; shared by the parts of a split paragraph
        self._cache = {} if cache is None else cache
        self.bookmark = bookmark  # the first part of a split keeps it: it marks the start
        self.tag = tag  # every part of a split belongs to the same structure element
        self.lines: list[Line] = []

    def _avail(self, width: float) -> float:
        return width - self.style.leftIndent - self.style.rightIndent

    def _lines_for(self, width: float) -> list[Line]:
        if self.fixed is not None:
            return self.fixed
        capacity = self._avail(width) / self.style.fontSize
        key = (self.start, self.streak, capacity)
        got = self._cache.get(key)
        if got is None:
            got = self._cache[key] = self.measured.lines(capacity, self.start, self.streak)
        return got

    def wrap(self, availWidth, availHeight):
        self.lines = self._lines_for(availWidth)
        self.width = availWidth
        self.height = len(self.lines) * self.style.leading + self._below(self.lines)
        return self.width, self.height

    def _below(self, lines: list[Line]) -> float:
        """How far the last line's ink reaches below the paragraph's lines (0 but for
        shaped text): an Arabic final yaa or meem descends almost half an em, more than
        a line's leading leaves, and must stay inside the box (a white title on a band
        must not run off it)."""
        if not self.measured.rtl or not lines:
            return 0.0
        size = self.style.fontSize
        bottom = ink(self.measured.visual(lines[-1]))[1]
        return max(0.0, -bottom * size - (self.style.leading - size))

    def getSpaceBefore(self):
        return self.style.spaceBefore

    def getSpaceAfter(self):
        return self.style.spaceAfter

    def split(self, availWidth, availHeight):
        if availWidth < 1e-6 or availHeight < 1e-6:
            return []
        lines = self._lines_for(availWidth)
        n = len(lines)
        leading = self.style.leading
        fit = int(availHeight / leading)
        # the ink of shaped text below its last line must fit too
        while fit > 0 and fit * leading + self._below(lines[: min(fit, n)]) > availHeight + 1e-6:
            fit -= 1
        if fit <= 1:  # one line alone at the foot of a column: move the paragraph on
            return []
        if n <= fit:
            return [self]
        if n == fit + 1:  # one line alone at the head of the next: give it company
            fit -= 1
        if lines[fit - 1].end[1]:  # no word broken across columns: one line less
            fit -= 1
        if fit <= 1:
            return []
        streak = self.streak
        for line in lines[:fit]:
            streak = streak + 1 if line.end[1] else 0
        first = self._part(self.start, self.streak, lines[:fit], False, self.bookmark)
        rest_lines = lines[fit:] if self.fixed is not None else None
        rest = self._part(lines[fit].start, streak, rest_lines, self.ends_paragraph, None)
        if self.fixed is None:  # the rest breaks exactly as the tail of these lines did
            capacity = self._avail(availWidth) / self.style.fontSize
            self._cache[(rest.start, rest.streak, capacity)] = lines[fit:]
        return [first, rest]

    def _part(
        self,
        start: tuple[int, int],
        streak: int,
        lines: list[Line] | None,
        ends: bool,
        bookmark: Bookmark | None,
    ) -> TextParagraph:
        return TextParagraph(
            self.measured,
            self.style,
            origin=self.origin,
            on_overfull=self.on_overfull,
            start=start,
            streak=streak,
            lines=lines,
            ends_paragraph=ends,
            cache=self._cache,
            bookmark=bookmark,
            tag=self.tag,
        )

    # The flowables of this module draw at absolute positions, without ReportLab's
    # save/translate/restore around each one: fewer operators, less time.
    def drawOn(self, canvas, x, y, _sW=0):
        self.canv = canvas
        if self.on_overfull is not None:
            worst = self.overfull_by()
            if worst > 0.5:
                self.on_overfull(self, worst)
        if self.bookmark is not None:
            b = self.bookmark
            b.outline.add(canvas, b.title, b.level, x, y + self.height)
        if self.tag is None:
            self._draw_lines(x, y)
            return
        with self.tag.marked(canvas):
            self._draw_lines(x, y)

    def draw(self):
        self.drawOn(self.canv, 0, 0)

    def overfull_by(self) -> float:
        """How far (pt) the widest line of the wrapped paragraph runs past its width."""
        avail = self._avail(self.width)
        return max((line.width * self.style.fontSize - avail for line in self.lines), default=0.0)

    def ink(self) -> tuple[float, float]:
        """The widest line as it is aligned; a justified line fills its column."""
        st = self.style
        widest = max((line.width * st.fontSize for line in self.lines), default=0.0)
        avail = self._avail(self.width)
        if st.alignment == TA_JUSTIFY and (len(self.lines) > 1 or not self.ends_paragraph):
            widest = max(widest, avail)
        left = st.leftIndent
        if st.alignment == TA_CENTER:
            left += (avail - widest) / 2
        elif st.alignment == TA_RIGHT or (st.alignment == TA_JUSTIFY and st.rtl):
            left += avail - widest
        return left, left + widest

    def _draw_lines(self, x0: float, y0: float) -> None:
        if self.measured.rtl:
            self._draw_shaped(x0, y0)
            return
        canv, st = self.canv, self.style
        size, avail = st.fontSize, self._avail(self.width)
        y = y0 + self.height - size
        # One text object, a line per T* (as ReportLab's Paragraph), so that readers
        # of the content stream see the line ends.
        tx = canv.beginText(x0, y)
        tx.setFillColor(st.textColor)
        font, spacing, shift = None, 0.0, x0
        links = []
        last = len(self.lines) - 1
        for n, line in enumerate(self.lines):
            segments = self.measured.segments(line)
            width = line.width * size
            x = x0 + st.leftIndent
            word_space = 0.0
            if st.alignment == TA_CENTER:
                x += (avail - width) / 2
            elif st.alignment == TA_RIGHT:
                x += avail - width
            elif st.alignment == TA_JUSTIFY and not (n == last and self.ends_paragraph):
                spaces = sum(p.text.count(" ") for p in segments)
                if spaces and width < avail:
                    word_space = (avail - width) / spaces
            if word_space != spacing:
                tx.setWordSpace(word_space)
                spacing = word_space
            if x != shift:
                tx.moveCursor(x - shift, 0)
                shift = x
            linked = any(p.href for p in segments)
            for k, piece in enumerate(segments):
                if piece.font != font:
                    tx.setFont(piece.font, size, st.leading)
                    font = piece.font
                if k == len(segments) - 1:
                    tx.textLine(piece.text)
                else:
                    tx.textOut(piece.text)
                if linked:  # only links need to know where each run is
                    w = units(piece.text, piece.font) * size
                    w += piece.text.count(" ") * word_space
                    if piece.href:
                        links.append((piece.href, x, y, w, piece.font))
                    x += w
            y -= st.leading
        canv.drawText(tx)
        for href, x, y, w, f in links:
            ascent, descent = getAscentDescent(f, size)
            canv.linkURL(href, (x, y + descent, x + w, y + ascent), relative=1)

    def _draw_shaped(self, x0: float, y0: float) -> None:
        """Lines of a right-to-left paragraph: each reordered for display and drawn as
        shaped glyphs (`glyphs`); a justified paragraph's last line ends at the right."""
        canv, st = self.canv, self.style
        size, avail = st.fontSize, self._avail(self.width)
        y = y0 + self.height - size
        canv.setFillColor(st.textColor)
        last = len(self.lines) - 1
        links = []
        for n, line in enumerate(self.lines):
            width = line.width * size
            x = x0 + st.leftIndent
            extra = 0.0
            runs = self.measured.visual(line)
            if st.alignment == TA_CENTER:
                x += (avail - width) / 2
            elif st.alignment == TA_JUSTIFY and not (n == last and self.ends_paragraph):
                spaces = sum(p.text.count(" ") for p, _ in runs)
                if spaces and width < avail:
                    extra = (avail - width) / spaces
                else:
                    x += avail - width
            elif st.alignment != TA_LEFT:  # right, and a justified paragraph's last line
                x += avail - width
            placed = place(runs, size, extra)
            links += [(p.href, x + p.x, y, p.width, p.font) for p in placed if p.href]
            canv.addLiteral(operators(document(canv), placed, x, y, size))
            y -= st.leading
        for href, x, y, w, f in links:
            ascent, descent = getAscentDescent(f, size)
            canv.linkURL(href, (x, y + descent, x + w, y + ascent), relative=1)


class Hanging(BlockFlowable):
    def __init__(
        self,
        para: TextParagraph,
        indent: float,
        marker: MarkerDraw | None,
        marker_height: float = 0.0,
        marker_middle: float = 0.0,
        marker_style: TextStyle | None = None,
    ):
        super().__init__()
        self.para = para
        self.indent = indent
        self.marker = marker
        self.marker_height = marker_height
        # the marker's centre above the first baseline, in shares of the text size
        self.marker_middle = marker_middle
        self.marker_style = marker_style  # the style of a marker that draws text (a number)

    def wrap(self, aW, aH):
        _, h = self.para.wrap(aW - self.indent, aH)
        self.width = aW
        self.height = max(h, self.marker_height if self.marker else 0)
        return self.width, self.height

    def _rtl(self) -> bool:
        """The text reads right to left: the indent, with the marker, is at the right."""
        return bool(self.para.style.rtl)

    def ink(self) -> tuple[float, float]:
        left, right = self.para.ink()
        if self._rtl():
            return left, (self.width if self.marker else right)
        return (0.0 if self.marker else self.indent + left), self.indent + right

    def split(self, aW, aH):
        parts = self.para.split(aW - self.indent, aH)
        if len(parts) < 2:
            return []
        first = Hanging(
            parts[0],
            self.indent,
            self.marker,
            self.marker_height,
            self.marker_middle,
            self.marker_style,
        )
        rest = [Hanging(p, self.indent, None) for p in parts[1:]]
        return [first, *rest]

    def getSpaceBefore(self):
        return self.para.getSpaceBefore()

    def getSpaceAfter(self):
        return self.para.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        ph = self.para.height
        top = y + self.height
        rtl = self._rtl()
        if self.marker:  # first, so that a tip's number is read before its text
            st = self.para.style
            # the first baseline is one font size below the top
            baseline = top - st.fontSize
            middle = x + self.width - self.indent / 2 if rtl else x + self.indent / 2
            self.marker(
                canvas, middle, baseline + self.marker_middle * st.fontSize, top, -1 if rtl else 1
            )
        self.para.drawOn(canvas, x if rtl else x + self.indent, top - ph)


class KeepWithNext(BlockFlowable):
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

    def ink(self) -> tuple[float, float]:
        (hl, hr), (bl, br) = _ink(self.head), _ink(self.body)
        return min(hl, bl), max(hr, br)

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

    def drawOn(self, canvas, x, y, _sW=0):
        self.head.drawOn(canvas, x, y + self.height - self._hh)
        self.body.drawOn(canvas, x, y)


class Box(BlockFlowable):
    """Flowables on a filled panel with padding; kept whole, never split.
    With a `tagger`, the panel is marked as an artifact."""

    def __init__(
        self,
        content: list[Flowable],
        fill: Color,
        padding: float,
        radius: float,
        *,
        space_before: float = 0.0,
        space_after: float = 0.0,
        tagger: Tagger | None = None,
    ):
        super().__init__()
        self.content = content
        self.fill = fill
        self.padding = padding
        self.radius = radius
        self.spaceBefore = space_before
        self.spaceAfter = space_after
        self.tagger = tagger

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

    def drawOn(self, canvas, x, y, _sW=0):
        tagger = self.tagger
        with tagger.artifact(canvas) if tagger else nullcontext():
            canvas.saveState()
            canvas.setFillColor(self.fill)
            canvas.roundRect(x, y, self.width, self.height, self.radius, stroke=0, fill=1)
            canvas.restoreState()
        for f, top, h in self._placed:
            f.drawOn(canvas, x + self.padding, y + self.height - self.padding - top - h)


class Picture(BlockFlowable):
    """An image `width` wide (or its column's width), its `aspect` kept; never split;
    at its column's left, or its right when the text reads right to left (`rtl`).
    With a `tag`, marked as a figure (or, with no chain, as an artifact)."""

    def __init__(
        self,
        reader,
        aspect: float,
        width: float | None,
        space_after: float,
        tag: Tag | None = None,
        rtl: bool = False,
    ):
        super().__init__()
        self.reader = reader
        self.aspect = aspect
        self.want = width
        self.tag = tag
        self.spaceAfter = space_after
        self.rtl = rtl

    def wrap(self, aW, aH):
        self.width = min(self.want or aW, aW)
        self.height = self.width / self.aspect
        self.shift = aW - self.width if self.rtl else 0.0
        return self.width, self.height

    def split(self, aW, aH):
        return []

    def draw(self):
        if self.tag is None:
            self.canv.drawImage(self.reader, 0, 0, self.width, self.height)
            return
        with self.tag.marked(self.canv):
            self.canv.drawImage(self.reader, 0, 0, self.width, self.height)

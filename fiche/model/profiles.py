"""Output profiles: what the paper, the marks and the colours of a PDF are.

A profile is data. The renderer, the post-processor and the preflight read its
fields; none of them branches on its name.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

MM = 72 / 25.4

PAPERS = {"a4": (210.0, 297.0), "letter": (215.9, 279.4)}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    colour: str  # "cmyk" or "rgb"
    bleed: bool  # artwork runs `layout.page.bleed_mm` past the trim
    crop_marks: bool
    paper: str | None = None  # None: the page is the trim (plus bleed and marks)
    safe_margin_mm: float = 0.0  # nothing may be drawn closer to the paper edge
    slug_mm: float = 9.0  # room outside the bleed for marks
    mark_offset_mm: float = 1.0  # gap between the bleed edge and a crop mark
    mark_length_mm: float = 6.0
    mark_width_pt: float = 0.25
    output_intent: bool = False  # embed the CMYK ICC profile, identify as PDF/X-4
    links: bool = False  # web addresses and e-mail become clickable
    bookmarks: bool = False  # an outline of the sheet's sections
    duplex: bool = False  # ask the print dialog for long-edge duplex
    tagged: bool = False  # a structure tree for assistive technology (PDF/UA-1)
    min_image_ppi: float = 0.0  # below this a placed image is a warning
    two_up_min_scale: float = 0.8  # on paper: two copies a sheet if they keep this much

    @property
    def suffix(self) -> str:
        paper = f"-{self.paper}" if self.paper and self.paper != "a4" else ""
        return f".{self.name}{paper}"


PROFILES: dict[str, Profile] = {
    "print": Profile(
        name="print",
        colour="cmyk",
        bleed=True,
        crop_marks=True,
        output_intent=True,
        min_image_ppi=300,
        description="Print shop: trim + bleed, crop marks, TrimBox/BleedBox, CMYK, PDF/X-4.",
    ),
    "office": Profile(
        name="office",
        colour="rgb",
        bleed=False,
        crop_marks=False,
        paper="a4",
        safe_margin_mm=5.0,
        duplex=True,
        mark_length_mm=4.0,  # cut marks between two cards: a 10 mm gap holds both
        min_image_ppi=150,
        description="Office printer: A4 or Letter, design kept 5 mm from every edge, RGB.",
    ),
    "screen": Profile(
        name="screen",
        colour="rgb",
        bleed=False,
        crop_marks=False,
        links=True,
        bookmarks=True,
        tagged=True,
        description="Screen: RGB, small, clickable links, bookmarks, tagged (PDF/UA-1).",
    ),
}
PROFILE_NAMES = tuple(PROFILES)


def profile_for(name: str, paper: str | None = None) -> Profile:
    """The named profile; `paper` changes the sheet size of profiles that print on paper."""
    p = PROFILES[name]
    if paper and p.paper:
        p = replace(p, paper=paper)
    return p


Point = tuple[float, float]
Line = tuple[Point, Point]


@dataclass(frozen=True)
class Placement:
    """One copy of a page on the sheet: the design's bottom-left corner lands at
    `origin` (points), drawn at `scale` and turned `rotation` degrees (0 or 180)
    counter-clockwise about that corner."""

    origin: Point
    scale: float
    rotation: int = 0

    def corners(self, width: float, height: float) -> tuple[Point, Point, Point, Point]:
        """Where the design's bottom-left, bottom-right, top-right and top-left corners
        land, for a design `width` × `height` points."""
        s = -self.scale if self.rotation == 180 else self.scale
        ox, oy = self.origin
        return (
            (ox, oy),
            (ox + s * width, oy),
            (ox + s * width, oy + s * height),
            (ox, oy + s * height),
        )


@dataclass(frozen=True)
class Imposition:
    """How pages go onto the sheets of a profile that prints on paper: the copies of
    a front page (odd pages), of a back page (even pages), and the cut marks, which
    are the same on both sides (the layout is symmetric under the duplex flip)."""

    front: tuple[Placement, ...]
    back: tuple[Placement, ...]
    cut_marks: tuple[Line, ...] = ()

    def placements(self, page_index: int) -> tuple[Placement, ...]:
        return self.back if page_index % 2 else self.front


@dataclass(frozen=True)
class PageBoxes:
    """Page geometry in points, origin at the media box's bottom-left corner.

    The design (trim size, in mm from its own bottom-left) is drawn at
    `trim_origin`, scaled by `scale`. `bleed` and `trim` are the boxes to write
    into the PDF, or None where the profile has none. On paper, `imposition`
    says where each copy of a page goes; `trim_origin` and `scale` are then its
    front's first copy.
    """

    media: tuple[float, float, float, float]
    bleed: tuple[float, float, float, float] | None
    trim: tuple[float, float, float, float] | None
    trim_origin: tuple[float, float]
    scale: float = 1.0
    imposition: Imposition | None = None


def page_boxes(profile: Profile, width_mm: float, height_mm: float, bleed_mm: float) -> PageBoxes:
    w, h = width_mm * MM, height_mm * MM
    if profile.paper:
        pw, ph, imp = impose(profile, w, h)
        first = imp.front[0]
        return PageBoxes((0.0, 0.0, _r(pw), _r(ph)), None, None, first.origin, first.scale, imp)
    bleed = bleed_mm * MM if profile.bleed else 0.0
    off = bleed + (profile.slug_mm * MM if profile.crop_marks else 0.0)
    return PageBoxes(
        media=(0.0, 0.0, _r(w + 2 * off), _r(h + 2 * off)),
        bleed=(_r(off - bleed), _r(off - bleed), _r(off + w + bleed), _r(off + h + bleed))
        if profile.bleed
        else None,
        trim=(_r(off), _r(off), _r(off + w), _r(off + h)),
        trim_origin=(off, off),
    )


Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points


def impose(profile: Profile, w: float, h: float) -> tuple[float, float, Imposition]:
    """The sheet (width, height in points) and the placement of a `w` × `h` point
    design on the profile's paper.

    The paper turns with the design: a landscape design goes on landscape paper.
    When two copies fit across the paper turned the other way at no less than
    `two_up_min_scale` (A5 on A4: side by side on landscape A4, or one above the
    other on portrait A4, at 89 %), the sheet carries two, each with cut marks.
    Otherwise one copy is centred, shrunk (never enlarged) into the printable
    area; it gets cut marks only when it prints at its true size with room for
    them (a shrunk design is a proof of the whole page, with nothing to cut).

    Everything stays `safe_margin_mm` + 1 mm (paper feed tolerance) from the
    edge; marks reach `mark_offset_mm` + `mark_length_mm` beyond a card, into
    the margin or the gap between two cards, which is twice that wide.

    Duplex: see `duplex_mirror` and `back_rotation` for why the back of a card
    lies behind its front.
    """
    short, long = sorted(v * MM for v in PAPERS[profile.paper or "a4"])
    m = (profile.safe_margin_mm + 1.0) * MM
    reach = (profile.mark_offset_mm + profile.mark_length_mm) * MM
    gap = 2 * reach
    card_landscape = w > h
    # Two up, on the paper turned across the design.
    if card_landscape:  # one above the other on portrait paper
        pw, ph = short, long
        s = min(1.0, (pw - 2 * m - 2 * reach) / w, (ph - 2 * m - 2 * reach - gap) / (2 * h))
        x = (pw - w * s) / 2
        y0 = (ph - 2 * h * s - gap) / 2
        rects = [(x, y0 + h * s + gap), (x, y0)]  # top first, as one reads
    else:  # side by side on landscape paper
        pw, ph = long, short
        s = min(1.0, (pw - 2 * m - 2 * reach - gap) / (2 * w), (ph - 2 * m - 2 * reach) / h)
        x0, y = (pw - 2 * w * s - gap) / 2, (ph - h * s) / 2
        rects = [(x0, y), (x0 + w * s + gap, y)]
    cards = [(x, y, x + w * s, y + h * s) for x, y in rects]
    if s < profile.two_up_min_scale:
        pw, ph = (long, short) if card_landscape else (short, long)
        s = min(1.0, (pw - 2 * m) / w, (ph - 2 * m) / h)
        x, y = (pw - w * s) / 2, (ph - h * s) / 2
        cards = [(x, y, x + w * s, y + h * s)]
        marked = s == 1.0 and w + 2 * reach <= pw - 2 * m and h + 2 * reach <= ph - 2 * m
        if not marked:
            return pw, ph, Imposition((Placement((x, y), s),), (Placement((x, y), s),))
    paper_landscape = pw > ph
    turn = back_rotation(paper_landscape, card_landscape)
    front = tuple(Placement(c[:2], s) for c in cards)
    back = tuple(_placed(duplex_mirror(c, pw, ph, paper_landscape), s, turn) for c in cards)
    marks = tuple(line for c in cards for line in _cut_marks(c, profile))
    return pw, ph, Imposition(front, back, marks)


def duplex_mirror(r: Rect, pw: float, ph: float, paper_landscape: bool) -> Rect:
    """Where a rectangle of a back page lies on the front of the sheet.

    Long-edge duplex turns the sheet over about its long edge. On portrait paper
    that edge is vertical: a back point (x, y) lies behind the front's (pw - x, y).
    On landscape paper it is horizontal: (x, y) lies behind (x, ph - y). A printer
    that feeds the landscape page rotated by 90° rotates both sides alike, which
    leaves this relation as it is. The mirror is its own inverse, so it also says
    where on the back page a card's front is seen from behind.
    """
    x0, y0, x1, y1 = r
    if paper_landscape:
        return (x0, ph - y1, x1, ph - y0)
    return (pw - x1, y0, pw - x0, y1)


def back_rotation(paper_landscape: bool, card_landscape: bool) -> int:
    """0 or 180: how a card's back is turned within its place on the back page.

    A card, cut out, is turned over on its own long edge, as the design was meant
    to be printed: the back's (u, v) lies behind the front's (w - u, v) for a
    portrait card, (u, h - v) for a landscape one. Drawn upright, the back is
    turned with the sheet: about the sheet's long edge. When the card lies across
    the sheet (a portrait A5 on landscape A4), that is the card's short edge, and
    the back would come out upside down; drawn turned by 180° it is turned about
    the card's long edge, as it should be. With the card along the sheet, upright.
    """
    return 0 if paper_landscape == card_landscape else 180


def _placed(r: Rect, s: float, rotation: int) -> Placement:
    x0, y0, x1, y1 = r
    return Placement((x1, y1) if rotation == 180 else (x0, y0), s, rotation)


def _cut_marks(card: Rect, profile: Profile) -> list[Line]:
    """At each corner, the two trim lines carried on outward, starting
    `mark_offset_mm` from the corner: in the margin, or in the gap between two
    cards, which is wide enough for the marks of both."""
    x0, y0, x1, y1 = card
    off, length = profile.mark_offset_mm * MM, profile.mark_length_mm * MM
    out: list[Line] = []
    for x, sx in ((x0, -1), (x1, 1)):
        for y, sy in ((y0, -1), (y1, 1)):
            out.append(((x + sx * off, y), (x + sx * (off + length), y)))
            out.append(((x, y + sy * off), (x, y + sy * (off + length))))
    return out


def _r(v: float) -> float:
    return round(v, 3)

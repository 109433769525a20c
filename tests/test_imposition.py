"""The office profile's imposition (issue 15, point 4): the paper turns with the design,
A5 prints two up with cut marks, and long-edge duplex lines the back of every card up
behind its front, the right way up."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
import yaml

from fiche.build.run import build
from fiche.check.textcheck import extract_pages
from fiche.model.profiles import (
    MM,
    PAPERS,
    PROFILES,
    Imposition,
    Placement,
    page_boxes,
    profile_for,
)

from .test_formats import _add_sheets, _ok, _one_page, _pages

A5, A5L, A4, A4L, A3, A3L = (148, 210), (210, 148), (210, 297), (297, 210), (297, 420), (420, 297)
PAPER_NAMES = tuple(PAPERS)


def _imposition(trim: tuple[float, float], paper: str = "a4"):
    boxes = page_boxes(profile_for("office", paper), *trim, 3.0)
    assert boxes.imposition is not None
    return boxes.media[2], boxes.media[3], boxes.imposition


def _rect(p: Placement, trim: tuple[float, float]) -> tuple[float, float, float, float]:
    xs, ys = zip(*p.corners(trim[0] * MM, trim[1] * MM), strict=True)
    return min(xs), min(ys), max(xs), max(ys)


def _turned_over(point: tuple[float, float], pw: float, ph: float) -> tuple[float, float]:
    """Where a point of the back page lies on the front, for long-edge duplex: the sheet
    turns about its long edge (vertical on portrait paper, horizontal on landscape)."""
    x, y = point
    return (x, ph - y) if pw > ph else (pw - x, y)


def _card_turned_over(u: float, v: float, w: float, h: float) -> tuple[float, float]:
    """The point of a card's front behind the point (u, v) of its back, the card turned
    over on its own long edge, as the designer laid it out (and print shops print it)."""
    return (u, h - v) if w > h else (w - u, v)


def _close(a, b) -> bool:
    return all(abs(p - q) < 0.01 for p, q in zip(a, b, strict=True))


@pytest.mark.parametrize("paper", PAPER_NAMES)
@pytest.mark.parametrize(
    ("trim", "copies", "landscape"),
    [
        (A5, 2, True),
        (A5L, 2, False),
        (A4, 1, False),
        (A4L, 1, True),
        (A3, 1, False),
        (A3L, 1, True),
    ],
    ids=["A5", "A5-landscape", "A4", "A4-landscape", "A3", "A3-landscape"],
)
def test_paper_turns_with_the_design_and_a5_goes_two_up(paper, trim, copies, landscape):
    pw, ph, imp = _imposition(trim, paper)
    assert sorted((round(pw / MM, 1), round(ph / MM, 1))) == sorted(PAPERS[paper])
    assert (pw > ph) == landscape
    assert len(imp.front) == len(imp.back) == copies
    margin = (PROFILES["office"].safe_margin_mm + 1) * MM
    for p in imp.front + imp.back:
        x0, y0, x1, y1 = _rect(p, trim)
        assert x0 >= margin - 1e-6 and y0 >= margin - 1e-6
        assert x1 <= pw - margin + 1e-6 and y1 <= ph - margin + 1e-6
        assert p.scale <= 1.0
    if copies == 1:  # scaled to fit, as large as the printable area allows
        (p,) = imp.front
        assert not imp.cut_marks
        assert p.rotation == 0
        x0, y0, x1, y1 = _rect(p, trim)
        assert min(x0, y0) == pytest.approx(margin)
    else:
        assert imp.front[0].scale > 0.8  # no needless shrinking: A5 at about 84–90 %


def test_a5_two_up_keeps_its_size_and_a4_landscape_no_longer_shrinks():
    _, _, imp = _imposition(A5)
    assert imp.front[0].scale == pytest.approx(0.895, abs=0.001)
    pw, ph, imp = _imposition(A4L)
    assert (round(pw / MM), round(ph / MM)) == (297, 210)
    assert imp.front[0].scale == pytest.approx(0.943, abs=0.001)  # was 0.66 on portrait A4


def test_a4_portrait_is_placed_as_before():
    """The catalogue's A4 sheets: the same origin and scale as before the imposition."""
    boxes = page_boxes(PROFILES["office"], 210, 297, 3)
    pw, ph = (v * MM for v in PAPERS["a4"])
    m = 6 * MM
    s = min(1.0, (pw - 2 * m) / (210 * MM), (ph - 2 * m) / (297 * MM))
    assert boxes.media == (0.0, 0.0, round(pw, 3), round(ph, 3))
    assert boxes.scale == s
    assert boxes.trim_origin == ((pw - 210 * MM * s) / 2, (ph - 297 * MM * s) / 2)


@pytest.mark.parametrize("paper", PAPER_NAMES)
@pytest.mark.parametrize("trim", [A5, A5L, A4, A4L, A3, A3L, (100, 100), (120, 90)])
def test_long_edge_duplex_puts_each_back_behind_its_front_the_right_way_up(paper, trim):
    """Page 2 mirrored as the sheet turns over on its long edge: every back card covers
    exactly one front card, and each point of the back lies behind the point of the
    front that the card, turned over on its own long edge, shows behind it."""
    pw, ph, imp = _imposition(trim, paper)
    w, h = trim[0] * MM, trim[1] * MM
    assert len(imp.front) == len(imp.back)
    for back in imp.back:
        turned = [_turned_over(c, pw, ph) for c in back.corners(w, h)]
        xs, ys = zip(*turned, strict=True)
        behind = [
            f for f in imp.front if _close(_rect(f, trim), (min(xs), min(ys), max(xs), max(ys)))
        ]
        assert len(behind) == 1, f"the back at {back.origin} lies behind no front card"
        (front,) = behind
        # The back's corners, in design coordinates (u, v), lie behind the front's.
        for (u, v), corner in zip(((0, 0), (w, 0), (w, h), (0, h)), turned, strict=True):
            fu, fv = _card_turned_over(u, v, w, h)
            s = front.scale
            assert _close(corner, (front.origin[0] + fu * s, front.origin[1] + fv * s)), (
                f"the back of the card at {front.origin} is turned wrongly ({back.rotation}°)"
            )


def test_a_card_across_the_sheet_has_its_back_turned():
    """A5 lies across A4 either way: the sheet's long edge is the card's short edge, so
    the back is drawn turned by 180°; a design along the paper is never turned."""
    for trim in (A5, A5L):
        _, _, imp = _imposition(trim)
        assert {p.rotation for p in imp.front} == {0}
        assert {p.rotation for p in imp.back} == {180}
    for trim in (A4, A4L, A3L):
        _, _, imp = _imposition(trim)
        assert {p.rotation for p in imp.front + imp.back} == {0}


def _crosses(line, rect) -> bool:
    (ax, ay), (bx, by) = line
    x0, y0, x1, y1 = rect
    return min(ax, bx) < x1 and max(ax, bx) > x0 and min(ay, by) < y1 and max(ay, by) > y0


@pytest.mark.parametrize("paper", PAPER_NAMES)
@pytest.mark.parametrize("trim", [A5, A5L, (100, 100)])
def test_cut_marks_extend_every_trim_edge_outside_the_cards(paper, trim):
    pw, ph, imp = _imposition(trim, paper)
    cards = [_rect(p, trim) for p in imp.front]
    office = PROFILES["office"]
    margin = (office.safe_margin_mm + 1) * MM
    assert len(imp.cut_marks) == 8 * len(cards)
    for line in imp.cut_marks:
        assert not any(_crosses(line, c) for c in cards)
        for x, y in line:
            assert margin - 1e-6 <= x <= pw - margin + 1e-6
            assert margin - 1e-6 <= y <= ph - margin + 1e-6
        (ax, ay), (bx, by) = line
        assert ax == bx or ay == by
        assert abs(bx - ax) + abs(by - ay) == pytest.approx(office.mark_length_mm * MM)
    # Each mark lies on a trim edge of a card, so every cut line is marked.
    for x0, y0, x1, y1 in cards:
        for x in (x0, x1):
            assert sum(line[0][0] == line[1][0] == x for line in imp.cut_marks) >= 2
        for y in (y0, y1):
            assert sum(line[0][1] == line[1][1] == y for line in imp.cut_marks) >= 2

    # The marks on the back are where those of the front are: symmetric under the flip.
    def key(line) -> tuple:
        return tuple(sorted((round(x, 1), round(y, 1)) for x, y in line))

    turned = {key([_turned_over(p, pw, ph) for p in line]) for line in imp.cut_marks}
    assert turned == {key(line) for line in imp.cut_marks}


def test_a_small_card_at_full_size_gets_cut_marks_alone():
    # Too large to go two up at 80 %, small enough to print at its true size.
    pw, ph, imp = _imposition((180, 240))
    (p,) = imp.front
    assert p.scale == 1.0 and len(imp.cut_marks) == 8
    assert isinstance(imp, Imposition)


# --- built files ---------------------------------------------------------------------


def _two_page(width: float, height: float) -> str:
    """A two-sided layout of any trim: on each side a band at the top, the title, one
    region; the back's band is darker, so a PNG shows which way up it is."""
    doc = yaml.safe_load(_one_page(width, height))
    front = doc["pages"]["front"]
    back = yaml.safe_load(yaml.safe_dump(front))
    back["decorations"][0]["fill"] = "ink"
    doc["pages"]["back"] = back
    return yaml.safe_dump(doc, sort_keys=False)


CARD = """
  n3-card:
    layout: card
    front:
      title: [title]
      main: [careful]
    back:
      title: [school-title]
      main: [spread]
"""


def _form_placements(path: Path) -> list[list[tuple[float, ...]]]:
    """Per page, the matrix at which each form XObject is drawn."""
    out = []
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            ctm = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
            stack, placed = [], []
            for ins in pikepdf.parse_content_stream(page):
                op = str(ins.operator)
                if op == "q":
                    stack.append(ctm)
                elif op == "Q":
                    ctm = stack.pop()
                elif op == "cm":
                    a = [float(v) for v in ins.operands]
                    b = ctm
                    ctm = [
                        a[0] * b[0] + a[1] * b[2],
                        a[0] * b[1] + a[1] * b[3],
                        a[2] * b[0] + a[3] * b[2],
                        a[2] * b[1] + a[3] * b[3],
                        a[4] * b[0] + a[5] * b[2] + b[4],
                        a[4] * b[1] + a[5] * b[3] + b[5],
                    ]
                elif op == "Do":
                    xobj = page.obj.Resources.XObject[str(ins.operands[0])]
                    if xobj.Subtype == "/Form":
                        placed.append(tuple(round(v, 2) for v in ctm))
            out.append(placed)
    return out


def _matrix(p: Placement) -> tuple[float, ...]:
    s = -p.scale if p.rotation == 180 else p.scale
    return tuple(round(v, 2) for v in (s, 0.0, 0.0, s, *p.origin))


@pytest.fixture
def card(project: Path):
    def make(trim: tuple[float, float]) -> Path:
        _add_sheets(project, {"card": _two_page(*trim)}, CARD)
        return project

    return make


@pytest.mark.parametrize("trim", [A5, A5L], ids=["A5", "A5-landscape"])
def test_an_a5_card_prints_two_up_drawn_once_per_page(card, tmp_path, trim):
    project = card(trim)
    out = tmp_path / "dist"
    _ok(build(project, out, sheets=("n3-card",), langs=("nl",), profiles=("office",)))
    path = out / "nl/n3-card.office.pdf"
    pw, ph, imp = _imposition(trim)
    assert _pages(path) == [(round(pw / MM, 1), round(ph / MM, 1))] * 2
    # Each page's content is one form, placed where the imposition says.
    assert _form_placements(path) == [
        [_matrix(p) for p in imp.front],
        [_matrix(p) for p in imp.back],
    ]
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            forms = [x for x in page.obj.Resources.XObject.values() if x.Subtype == "/Form"]
            assert len({f.objgen for f in forms}) == 1
        # The cut marks, outside the forms: 100 % black (gray 0), never a colour.
        for page in pdf.pages:
            ops = [str(i.operator) for i in pikepdf.parse_content_stream(page)]
            strokes = [
                (str(i.operator), [float(v) for v in i.operands])
                for i in pikepdf.parse_content_stream(page)
                if str(i.operator) in ("G", "RG", "K", "CS", "SC", "SCN")
            ]
            assert strokes == [("G", [0.0])]
            assert ops.count("l") == len(imp.cut_marks)
    # Every word comes twice, once per card, in reading order.
    front, back = extract_pages(path.read_bytes())
    assert front.count("Wees voorzichtig") == 2
    assert back.count("Wees voorzichtig") == 0


def test_a4_landscape_prints_on_landscape_paper(card, tmp_path):
    project = card(A4L)
    out = tmp_path / "dist"
    report = build(project, out, sheets=("n3-card",), langs=("nl",), paper="letter")
    _ok(report)
    assert _pages(out / "nl/n3-card.office-letter.pdf") == [(279.4, 215.9)] * 2
    assert _form_placements(out / "nl/n3-card.office-letter.pdf") == [[], []]  # drawn directly

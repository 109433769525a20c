"""Mirrored layouts for right-to-left sheets: a layout (or a language) says `direction:
rtl`, and the page is drawn at x → width − x: regions, columns, header texts, markers,
badges, the imprint and its QR code; text set against the right.

Dutch text in a layout copy that says `direction: rtl` is enough to see the geometry:
each anchor of the left-to-right page (where a left-aligned line starts) must come
back as where the mirrored line ends, measured in the PDF with pdfminer.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from fiche.build.run import build
from fiche.cli.main import main

from .conftest import REPO, edit, line_of, write_school

TOL = 0.1  # pt: ReportLab writes positions to a hundredth of a point or finer


@dataclass(frozen=True)
class Glyph:
    text: str
    x0: float
    x1: float
    y: float


@dataclass(frozen=True)
class Shape:
    x0: float
    x1: float
    y0: float
    y1: float


def _stream(pdf: Path, page: int) -> tuple[float, list[Glyph | Shape]]:
    """The media box's width and what the page draws, in drawing order: each character
    and each path (pdfminer without layout analysis keeps the content stream's order)."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar, LTCurve
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    # no layout analysis (extract_pages would make one with default parameters)
    rm = PDFResourceManager()
    device = PDFPageAggregator(rm, laparams=None)
    with pdf.open("rb") as f:
        pdf_page = list(PDFPage.get_pages(f, pagenos=[page]))[0]
        PDFPageInterpreter(rm, device).process_page(pdf_page)
    layout = device.get_result()
    out: list[Glyph | Shape] = []

    def walk(o) -> None:
        if isinstance(o, LTChar):
            out.append(Glyph(o.get_text(), o.x0, o.x1, round(o.y0, 1)))
        elif isinstance(o, LTCurve):  # lines and rectangles too
            out.append(Shape(o.x0, o.x1, o.y0, o.y1))
        elif hasattr(o, "__iter__"):
            for child in o:
                walk(child)

    walk(layout)
    return layout.width, out


class Page:
    def __init__(self, pdf: Path, page: int):
        self.width, self.items = _stream(pdf, page)
        self.glyphs = [(i, g) for i, g in enumerate(self.items) if isinstance(g, Glyph)]
        self.text = "".join(g.text for _, g in self.glyphs)

    def find(self, s: str) -> list[Glyph]:
        """The glyphs of the first occurrence of `s`."""
        k = self.text.index(s)
        return [g for _, g in self.glyphs[k : k + len(s)]]

    def before(self, s: str) -> Glyph | Shape:
        """What was drawn just before `s` (an item's marker or badge)."""
        k = self.text.index(s)
        return self.items[self.glyphs[k][0] - 1]

    def first_line(self, s: str) -> tuple[float, float]:
        """Left and right end of the line that `s` begins."""
        k = self.text.index(s)
        y = self.glyphs[k][1].y
        line = []
        for _, g in self.glyphs[k:]:
            if g.y != y:
                break
            line.append(g)
        return min(g.x0 for g in line), max(g.x1 for g in line)

    def left(self, s: str) -> float:
        return self.find(s)[0].x0

    def right(self, s: str) -> float:
        return self.find(s)[-1].x1


def _build(project: Path, out: Path, sheet: str, profile: str = "print", **kw) -> Path:
    report = build(project, out, langs=("nl",), sheets=(sheet,), profiles=(profile,), **kw)
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
    base = out / "schools/sjc-voorbeeldstad" if kw.get("school") else out
    return base / f"nl/{sheet}.{profile}.pdf"


def _rtl(project: Path, layout: str = "original") -> None:
    edit(project / f"layouts/{layout}.yaml", "extends: _base\n", "extends: _base\ndirection: rtl\n")


@pytest.fixture
def sexting(project, tmp_path) -> tuple[Path, Path]:
    """N°3's dense sheet in Dutch, print profile: as drawn, and mirrored."""
    ltr = _build(project, tmp_path / "ltr", "n3-sexting")
    _rtl(project)
    return ltr, _build(project, tmp_path / "rtl", "n3-sexting")


def test_every_left_edge_comes_back_as_a_right_edge(sexting):
    ltr_pdf, rtl_pdf = sexting
    for n, anchors in enumerate(
        (
            # header text; title; first column; second column; side panel; tip text
            ("Cyberpesten", "Sexting", "Wat is sexting?", "Kansen", "Wees voorzichtig"),
            ("Informeer jezelf en wees open:", "Een beleid rond sexting", "Kwaliteit"),
        )
    ):
        ltr, rtl = Page(ltr_pdf, n), Page(rtl_pdf, n)
        assert rtl.width == pytest.approx(ltr.width)  # the trim and bleed stay centred
        for s in anchors:  # each begins a line: where it starts, and mirrored, ends
            left, _ = ltr.first_line(s)
            _, right = rtl.first_line(s)
            assert right == pytest.approx(ltr.width - left, abs=TOL), s
    # the number, aligned right at the band's right in ltr, stands at its left
    ltr, rtl = Page(ltr_pdf, 0), Page(rtl_pdf, 0)
    assert rtl.left("N°3") == pytest.approx(ltr.width - ltr.right("N°3"), abs=TOL)
    assert rtl.left("N°3") < rtl.width / 3 < 2 * rtl.width / 3 < rtl.right("Cyberpesten")


def test_columns_fill_from_the_right(sexting):
    _, rtl_pdf = sexting
    page = Page(rtl_pdf, 0)
    # main's first column holds "Wat is sexting?", its second "Kansen"; the side panel
    # (right of main in the layout) is now left of it
    first, second = page.right("Wat is sexting?"), page.right("Kansen")
    side = page.right("Wees voorzichtig")
    assert first > second + 100 > side + 100
    # the last words of the first column and the first of the second: read on leftwards
    assert page.text.index("eerst aan sexting via hun") < page.text.index("gsm, voordat ze")
    assert page.left("eerst aan sexting via hun") > page.right("gsm, voordat ze")


def test_markers_numbers_and_badges_hang_right_of_their_text(sexting):
    ltr_pdf, rtl_pdf = sexting
    front, back = Page(rtl_pdf, 0), Page(rtl_pdf, 1)
    # a definition's numbers, a list's drawn markers (check, plus, arrow), a tip's badge
    for page, item in (
        (front, "Seks + texting"),
        (front, "Zet nooit foto"),
        (front, "Sexting helpt je relatie"),
        (front, "Het hoort bij flirten"),
        (back, "Informeer jezelf en wees open:"),
    ):
        marker = page.before(item)
        _, text_right = page.first_line(item)
        assert marker.x0 > text_right, (item, marker)
    # the tip's number is centred on its disc, which is drawn just before it
    number = back.before("Informeer jezelf en wees open:")
    disc = back.items[back.items.index(number) - 1]
    assert isinstance(number, Glyph) and number.text == "1" and isinstance(disc, Shape)
    assert (disc.x0 + disc.x1) / 2 == pytest.approx((number.x0 + number.x1) / 2, abs=0.5)
    # and the disc is where the left-to-right one is, mirrored
    ltr = Page(ltr_pdf, 1)
    ltr_number = ltr.before("Informeer jezelf en wees open:")
    ltr_disc = ltr.items[ltr.items.index(ltr_number) - 1]
    assert isinstance(ltr_disc, Shape)
    assert disc.x0 == pytest.approx(ltr.width - ltr_disc.x1, abs=TOL)


def test_the_imprint_and_its_qr_code_are_mirrored(project, tmp_path):
    import pypdfium2 as pdfium
    import zxingcpp

    school = write_school(project)
    found = {}
    for direction in ("ltr", "rtl"):
        if direction == "rtl":
            _rtl(project, "youth")
        pdf = _build(project, tmp_path / direction, "n3-youth", "office", school=school)
        doc = pdfium.PdfDocument(str(pdf))
        image = doc[1].render(scale=200 / 72).to_pil()
        doc.close()
        (qr,) = [r for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"]
        p = qr.position
        centre = (p.top_left.x + p.top_right.x + p.bottom_left.x + p.bottom_right.x) / 4
        found[direction] = (centre / image.width, Page(pdf, 1))
    (ltr_qr, ltr), (rtl_qr, rtl) = found["ltr"], found["rtl"]
    assert ltr_qr > 0.7 and rtl_qr < 0.3
    assert rtl_qr == pytest.approx(1 - ltr_qr, abs=0.01)
    # the school's name, beside the logo: set against the logo, at its left
    name = "Sint-Jozefscollege Voorbeeldstad"
    assert rtl.right(name) == pytest.approx(rtl.width - ltr.left(name), abs=TOL)


def _image_box(pdf: Path, page: int) -> tuple[float, float]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTFigure, LTImage

    layout = list(extract_pages(pdf, page_numbers=[page]))[0]
    (image,) = [
        i
        for o in layout
        for i in ([o] if isinstance(o, LTImage) else o if isinstance(o, LTFigure) else [])
        if isinstance(i, LTImage)
    ]
    return image.x0, image.x1


def test_a_picture_narrower_than_its_column_stands_at_its_right(project, tmp_path):
    from PIL import Image

    Image.new("RGB", (600, 300), (230, 40, 120)).save(project / "assets/images/phone.png")
    edit(
        project / "content/n3/nl.yaml",
        "  # --- on every sheet",
        "  logo:\n    kind: image\n    src: phone.png\n"
        "    alt: Een gsm met een hartje\n    width_mm: 30\n\n  # --- on every sheet",
    )
    fiche = project / "content/n3/fiche.yaml"
    edit(fiche, "main: [careful, spread]", "main: [logo, careful, spread]")  # n3-youth's back
    ltr = _build(project, tmp_path / "ltr", "n3-youth")
    _rtl(project, "youth")
    rtl = _build(project, tmp_path / "rtl", "n3-youth")
    width = Page(ltr, 1).width
    (lx0, lx1), (rx0, rx1) = _image_box(ltr, 1), _image_box(rtl, 1)
    assert rx1 - rx0 == pytest.approx(lx1 - lx0) and rx1 - rx0 < width / 4
    assert rx1 == pytest.approx(width - lx0, abs=TOL)


def test_a_label_read_after_its_line_is_put_back_before_it():
    from fiche.check.textcheck import compare_in_order, labels_first

    read = "Tips\r\nInformeer jezelf en wees open: durf te 1\r\npraten en\r\ntekst stu- 2\r\nren"
    expected = ["Tips", "Informeer jezelf en wees open: durf te praten en", "tekst sturen"]
    assert compare_in_order(read, expected).missing == expected[1:]
    assert labels_first(read) == (
        "Tips\r\n1 Informeer jezelf en wees open: durf te\r\npraten en\r\n2 tekst stu-\r\nren"
    )
    assert compare_in_order(labels_first(read), expected) == ([], [])


def test_an_unknown_direction_is_an_error_with_its_file_and_line(project):
    path = project / "layouts/original.yaml"
    edit(path, "extends: _base\n", "extends: _base\ndirection: sideways\n")
    line = line_of(path, "direction:")
    for args in (["validate"], ["build", "--lang", "nl", "--sheet", "n3-sexting"]):
        result = CliRunner().invoke(main, [*args, "--root", str(project)])
        assert result.exit_code == 2, result.output
        assert f"layouts/original.yaml:{line}:" in result.output
        assert "direction: got 'sideways'; expected 'ltr' or 'rtl'" in result.output


def test_the_layout_says_the_direction_else_the_language_does():
    from fiche.model.catalog import load_catalog
    from fiche.model.layout import direction_of, for_direction

    cat = load_catalog(REPO)
    original = cat.layouts["original"]
    assert original.direction is None
    assert direction_of(original, "nl") == "ltr" and direction_of(original, "ar") == "rtl"
    assert cat.layout_for("original", "nl") is original  # nothing made for left to right
    mirrored = cat.layout_for("original", "ar")
    assert mirrored.direction == "rtl" and cat.layout_for("original", "ar") is mirrored
    said_ltr = original.model_copy(update={"direction": "ltr"})
    assert for_direction(said_ltr, "ar") is said_ltr
    said_rtl = original.model_copy(update={"direction": "rtl"})
    assert for_direction(said_rtl, "nl").pages == mirrored.pages


def test_mirroring_moves_every_box_and_shape_to_the_other_side():
    from fiche.model.catalog import load_catalog
    from fiche.model.layout import CircleDecoration, RectDecoration, TextDecoration

    cat = load_catalog(REPO)
    for name, layout in cat.layouts.items():
        w = layout.page.width_mm
        mirrored = cat.layout_for(name, "ar")
        for (side, page), (_, flipped) in zip(
            layout.pages.sides(), mirrored.pages.sides(), strict=True
        ):
            boxes = {**page.regions, "imprint": page.imprint}
            flipped_boxes = {**flipped.regions, "imprint": flipped.imprint}
            for rname, r in boxes.items():
                f = flipped_boxes[rname]
                if r is None or f is None:
                    assert r is f
                    continue
                assert f.x_mm + f.w_mm == pytest.approx(w - r.x_mm), (name, side, rname)
                assert (f.y_mm, f.w_mm, f.h_mm, f.columns) == (r.y_mm, r.w_mm, r.h_mm, r.columns)
            assert flipped.stacks == page.stacks
            for d, f in zip(page.decorations, flipped.decorations, strict=True):
                if isinstance(d, RectDecoration):
                    assert isinstance(f, RectDecoration)
                    assert f.x_mm + f.w_mm == pytest.approx(w - d.x_mm)
                    swap = {"left": "right", "right": "left"}
                    assert f.bleed == [swap.get(e, e) for e in d.bleed]
                elif isinstance(d, CircleDecoration):
                    assert isinstance(f, CircleDecoration)
                    assert f.x_mm == pytest.approx(w - d.x_mm)
                else:
                    assert isinstance(d, TextDecoration) and isinstance(f, TextDecoration)
                    assert f.x_mm == pytest.approx(w - d.x_mm)
                    assert {d.align, f.align} in ({"left", "right"}, {"center"})
        # the arrow points the other way, towards its text; the check mark stays
        assert mirrored.look.markers.arrow == [[-x, y] for x, y in layout.look.markers.arrow]
        assert mirrored.look.markers.check == layout.look.markers.check

"""Output profiles read back independently, and every preflight check shown failing."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from PIL import Image
from reportlab.lib.colors import CMYKColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from fiche.build.run import build
from fiche.check.preflight import preflight
from fiche.cli.main import main
from fiche.model.profiles import PROFILES

from .conftest import REPO, edit

MM = 72 / 25.4
ICC = REPO / "assets/icc/ISOcoated_v2_eci.icc"


# --- the shipped catalogue, per profile, read with pikepdf ---------------------------


def _ops(pdf: pikepdf.Pdf) -> set[str]:
    return {str(op) for page in pdf.pages for _, op in pikepdf.parse_content_stream(page)}


def test_print_files_carry_the_output_intent_and_pdfx_identification(built):
    with pikepdf.open(built["fr/n3-school.print"]) as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        icc = intent.DestOutputProfile
        assert int(icc.N) == 4 and icc.read_bytes() == ICC.read_bytes()
        assert str(pdf.docinfo.GTS_PDFXVersion) == "PDF/X-4"
        assert pdf.docinfo.Trapped == "/False"
        with pdf.open_metadata() as xmp:
            assert xmp["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
            assert xmp["xmpMM:DocumentID"].startswith("uuid:")
        assert not _ops(pdf) & {"rg", "RG", "cs", "CS", "sc", "scn"}


@pytest.mark.parametrize("key", ["nl/n3-sexting.office", "de/n3-youth.screen"])
def test_office_and_screen_files_are_rgb_without_print_boxes(built, key):
    with pikepdf.open(built[key]) as pdf:
        ops = _ops(pdf)
        assert "rg" in ops and not ops & {"k", "K"}
        assert "/OutputIntents" not in pdf.Root
        for page in pdf.pages:
            assert "/BleedBox" not in page.obj
            w, h = (float(v) / MM for v in page.obj.MediaBox[2:])
            assert (round(w), round(h)) == (210, 297)
            assert int(page.obj.get("/Rotate", 0)) == 0


def test_office_pages_keep_5_mm_free_and_ask_for_long_edge_duplex(built):
    import pypdfium2 as pdfium

    path = built["en/n3-sexting.office"]
    with pikepdf.open(path) as pdf:
        assert pdf.Root.ViewerPreferences.Duplex == "/DuplexFlipLongEdge"
    doc = pdfium.PdfDocument(str(path))
    for i in range(len(doc)):
        img = doc[i].render(scale=100 / 72).to_pil().convert("L")
        w, h = img.size
        edge = int(5 / 25.4 * 100)  # pixels lying wholly within 5 mm of the edge
        border = [
            img.getpixel((x, y))
            for y in range(h)
            for x in range(0, w, 2)
            if y < edge or y >= h - edge
        ] + [
            img.getpixel((x, y))
            for y in range(0, h, 2)
            for x in range(w)
            if x < edge or x >= w - edge
        ]
        assert min(border) > 250, f"page {i + 1} has ink within 5 mm of the edge"
        # the design is still there: the header band, scaled and centred on the sheet
        assert img.getpixel((w // 2, round(12 / 25.4 * 100))) < 200
    doc.close()


def test_office_letter_paper(project):
    report = build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-school",),
        profiles=("office",),
        paper="letter",
    )
    assert report.exit_code == 0
    path = Path(report.built[0].path)
    assert path.name == "n3-school.office-letter.pdf"
    with pikepdf.open(path) as pdf:
        w, h = (float(v) / MM for v in pdf.pages[0].obj.MediaBox[2:])
        assert (round(w, 1), round(h, 1)) == (215.9, 279.4)
    assert preflight(path).ok()


def test_screen_files_have_links_and_bookmarks_in_their_language(built):
    with pikepdf.open(built["fr/n3-sexting.screen"]) as pdf:
        uris = {
            str(a.A.URI)
            for page in pdf.pages
            for a in page.obj.get("/Annots", [])
            if a.get("/Subtype") == "/Link"
        }
        assert {
            "https://www.mediawijs.be/mediawijsonline",
            "mailto:mediawijs@iminds.be",
            "https://www.mediawijs.be",
        } <= uris
        assert pdf.Root.PageMode == "/UseOutlines"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
            children = [c.title for item in outline.root for c in item.children]
    assert titles[0] == "Sexting"
    assert "Qu\u2019est-ce que le sexting\u202f?" in children
    assert len(titles) + len(children) >= 12


def test_all_profiles_pass_fiche_check(built):
    """The A4 sheets with fiche check's defaults; the A5 pocket card and the one-sided A3
    poster told their pages and trim."""
    other = {"n3-pocket": ("2", "148", "210"), "n3-poster": ("1", "297", "420")}
    a4 = [str(p) for key, p in built.items() if key.split("/")[1].split(".")[0] not in other]
    result = CliRunner().invoke(main, ["check", *a4])
    assert result.exit_code == 0, result.output
    assert result.output.count("(print):") == result.output.count("(office):") == 24
    for sheet, (pages, width, height) in other.items():
        paths = [str(p) for key, p in built.items() if f"/{sheet}." in key]
        args = ["check", "--pages", pages, "--trim", width, height, *paths]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        assert result.output.count("(print):") == result.output.count("(office):") == 8


# --- every check can fail ---------------------------------------------------------------


def _pdf(draw, pages: int = 2, size=None) -> bytes:
    from fiche.model.profiles import page_boxes

    boxes = page_boxes(PROFILES["print"], 210, 297, 3)
    buf = io.BytesIO()
    pdfmetrics.registerFont(TTFont("Lato-Regular", str(REPO / "assets/fonts/Lato-Regular.ttf")))
    c = Canvas(buf, pagesize=size or boxes.media[2:], initialFontName="Lato-Regular")
    c.setTitle("Test")
    for _ in range(pages):
        c.setFont("Lato-Regular", 12)
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def _print_ready(data: bytes) -> bytes:
    """Make a test PDF pass everything but what the test breaks: boxes, intent, lang."""
    from fiche.core.builddate import build_date
    from fiche.model.profiles import page_boxes
    from fiche.pdf.postprocess import DocMeta, postprocess

    boxes = page_boxes(PROFILES["print"], 210, 297, 3)
    meta = DocMeta("Test", "me", "subject", "nl", "test", build_date())
    return postprocess(data, boxes, meta, PROFILES["print"], ICC)


def _cmyk_text(c):
    c.setFillColor(CMYKColor(0, 0, 0, 1))
    c.drawString(100, 400, "Hallo wereld")


def _failed(report) -> dict[str, str]:
    return {c.name: c.detail for c in report.failed}


def test_a_clean_test_pdf_passes_so_the_failures_below_mean_something():
    report = preflight(_print_ready(_pdf(_cmyk_text)), profile=PROFILES["print"])
    assert report.ok(strict=True), [str(c) for c in report.checks]


def test_rgb_colour_in_a_print_file_fails():
    def draw(c):
        c.setFillColorRGB(1, 0, 0)
        c.drawString(100, 400, "Rood")

    report = preflight(_print_ready(_pdf(draw)), profile=PROFILES["print"])
    assert (
        _failed(report)["colour spaces"]
        == "DeviceRGB used in a print file (only CMYK and gray are allowed)"
    )


def test_unembedded_font_fails():
    def draw(c):
        c.setFont("Helvetica", 12)
        c.drawString(100, 400, "Hallo")

    report = preflight(_print_ready(_pdf(draw)), profile=PROFILES["print"])
    assert "page 1: base-14 font Helvetica is not embedded" in _failed(report)["fonts embedded"]


def test_missing_trim_box_fails():
    data = _pdf(_cmyk_text)  # no post-processing: no boxes, no intent, no /Lang
    report = preflight(data, profile=PROFILES["print"])
    failed = _failed(report)
    assert failed["page boxes"].startswith("page 1: no TrimBox; page 1: no BleedBox")
    assert "no /GTS_PDFX output intent" in failed["output intent"]
    assert failed["metadata"] == "no /Lang in the catalogue"


def test_low_resolution_image_warns_and_fails_when_strict(tmp_path):
    img = tmp_path / "small.jpg"
    Image.new("CMYK", (60, 60), (0, 200, 0, 0)).save(img)

    def draw(c):
        c.drawImage(str(img), 100, 400, 72, 72)  # 60 px over one inch

    report = preflight(_print_ready(_pdf(draw)), profile=PROFILES["print"])
    (warn,) = report.warnings
    assert warn.name == "image resolution"
    assert (
        warn.detail == "page 1: image 60×60 px placed at 60 ppi; page 2: image 60×60 px "
        "placed at 60 ppi; (needs 300 ppi)"
    )
    assert report.ok() and not report.ok(strict=True)


def test_broken_text_mapping_fails():
    data = _print_ready(_pdf(_cmyk_text))
    broken = (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        b"/CMapName /Broken def /CMapType 2 def 1 begincodespacerange <00> <FF> "
        b"endcodespacerange 1 beginbfrange <00> <FF> <E000> endbfrange endcmap "
        b"CMapName currentdict /CMap defineresource pop end end"
    )
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for font in pdf.pages[0].Resources.Font.values():
            font.ToUnicode = pdf.make_stream(broken)
        out = io.BytesIO()
        pdf.save(out)
    report = preflight(out.getvalue(), profile=PROFILES["print"])
    assert _failed(report)["text extraction"].startswith("extracted text contains U+E0")


def test_ink_near_the_paper_edge_fails_the_office_profile():
    def draw(c):
        c.setFillColorRGB(0.9, 0.1, 0.4)
        c.rect(0, 0, 595, 40, stroke=0, fill=1)  # a band on the bottom edge

    report = preflight(_pdf(draw, size=(210 * MM, 297 * MM)), profile=PROFILES["office"])
    assert (
        _failed(report)["printable area"]
        == "page 1: ink within 5 mm of the paper edge; page 2: ink within 5 mm of the paper edge"
    )


def test_wrong_page_count_and_missing_title_fail():
    buf = io.BytesIO()
    c = Canvas(buf)
    c.showPage()
    c.save()
    failed = _failed(preflight(buf.getvalue(), profile=PROFILES["screen"]))
    assert failed["pages"] == "1 pages, expected 2"
    assert failed["metadata"].startswith("no document title")


def test_check_reads_the_profile_from_the_file(built, tmp_path):
    copy = tmp_path / "renamed.pdf"
    copy.write_bytes(built["nl/n3-youth.office"].read_bytes())
    result = CliRunner().invoke(main, ["check", str(copy)])
    assert result.exit_code == 0 and "(office):" in result.output
    result = CliRunner().invoke(main, ["check", "--profile", "print", str(copy)])
    assert result.exit_code == 2
    assert "FAIL page boxes: page 1: no TrimBox" in result.output


def test_build_strict_fails_on_a_low_resolution_image(project):
    Image.new("RGB", (100, 50), (230, 40, 120)).save(project / "assets/images/tiny.png")
    nl = project / "content/n3/nl.yaml"
    edit(
        nl,
        "  # --- on every sheet",
        "  logo:\n    kind: image\n    src: tiny.png\n"
        "    alt: Een logo\n    width_mm: 40\n\n  # --- on every sheet",
    )
    edit(
        project / "content/n3/fiche.yaml",
        "main: [careful, spread]",
        "main: [logo, careful, spread]",
    )
    args = {"langs": ("nl",), "sheets": ("n3-youth",), "profiles": ("print",)}
    report = build(project, project / "dist", **args)
    assert report.exit_code == 0 and report.built[0].warnings
    assert "placed at 64 ppi" in report.built[0].warnings[0]
    report = build(project, project / "dist", strict=True, **args)
    (r,) = report.failed
    assert "preflight image resolution: page 2: image 100×50 px placed at 64 ppi" in str(
        r.problems[0]
    )


def test_an_inline_image_is_named_among_the_colour_spaces():
    with pikepdf.open(io.BytesIO(_print_ready(_pdf(_cmyk_text)))) as pdf:
        inline = b"q 72 0 0 72 100 400 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"
        pdf.pages[0].contents_add(pdf.make_stream(inline))
        out = io.BytesIO()
        pdf.save(out)
    report = preflight(out.getvalue(), profile=PROFILES["print"])
    (colour,) = [c for c in report.checks if c.name == "colour spaces"]
    assert "inline image" in colour.detail


@pytest.mark.parametrize(
    ("x_mm", "y_mm", "inked"),
    [(2, 150, True), (205, 150, True), (105, 2, True), (105, 294, True), (105, 150, False)],
)
def test_ink_near_each_edge_is_found_and_ink_inside_is_not(x_mm, y_mm, inked):
    import io

    from reportlab.pdfgen.canvas import Canvas

    from fiche.check.preflight import _margin_problems

    mm = 72 / 25.4
    buf = io.BytesIO()
    canv = Canvas(buf, pagesize=(210 * mm, 297 * mm))
    canv.circle(x_mm * mm, y_mm * mm, 1.5 * mm, stroke=0, fill=1)
    canv.showPage()
    canv.save()
    found = _margin_problems(buf.getvalue(), 5.0)
    assert found == (["page 1: ink within 5 mm of the paper edge"] if inked else [])

"""The built catalogue: print-ready, complete, and its text intact."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest

from fiche.build.run import build
from fiche.model.catalog import Job, load_catalog
from fiche.model.languages import rules_for
from fiche.typeset.sheet import expected_text, typeset

from .conftest import REPO, edit, structure_texts

MM = 72 / 25.4
SHEETS = ["n3-school", "n3-sexting", "n3-youth"]  # two-sided A4: the page-box tests
# Every sheet of the catalogue: the A4 ones, the A5 pocket card and the one-sided A3 poster.
CATALOGUE = [*SHEETS, "n3-pocket", "n3-poster"]
CATALOG = load_catalog(REPO)
LANGS = CATALOG.fiches["n3"].defn.languages
PROFILES = ["print", "office", "screen"]
JOBS = [f"{lang}/{sheet}.print" for lang in LANGS for sheet in SHEETS]
ALL = [f"{lang}/{sheet}.{p}" for lang in LANGS for sheet in CATALOGUE for p in PROFILES]


def _split(key: str) -> tuple[str, str, str]:
    lang, rest = key.split("/")
    sheet, profile = rest.split(".")
    return lang, sheet, profile


def test_every_sheet_is_built_in_every_language_and_profile(built):
    assert sorted(built) == sorted(ALL)
    for key, path in built.items():
        assert str(path).endswith(f"{key}.pdf")


@pytest.mark.parametrize("sheet", JOBS)
def test_page_boxes_bleed_and_marks(built, sheet):
    with pikepdf.open(built[sheet]) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.obj.MediaBox]
            assert (trim[2] - trim[0]) / MM == pytest.approx(210, abs=0.01)
            assert (trim[3] - trim[1]) / MM == pytest.approx(297, abs=0.01)
            for t, b, sign in zip(trim, bleed, (-1, -1, 1, 1), strict=True):
                assert (b - t) / MM == pytest.approx(3 * sign, abs=0.01)
            # crop marks need room outside the bleed
            assert media[0] < bleed[0] - 5 * MM and media[2] > bleed[2] + 5 * MM
            # The page is not scaled: the trim sits at the offset with its true size.
            assert "/CropBox" not in page.obj


def _content_ops(pdf: pikepdf.Pdf):
    for page in pdf.pages:
        yield from pikepdf.parse_content_stream(page)


@pytest.mark.parametrize("sheet", JOBS)
def test_colour_is_cmyk_only(built, sheet):
    with pikepdf.open(built[sheet]) as pdf:
        ops = {str(op) for _, op in _content_ops(pdf)}
    assert not ops & {"rg", "RG", "sc", "scn", "SC", "SCN", "cs", "CS"}, ops
    assert "k" in ops


@pytest.mark.parametrize("sheet", ALL)
def test_fonts_are_embedded_subsets_of_lato(built, sheet):
    """Lato, and for Arabic Noto Naskh Arabic (the layouts' `language_fonts`)."""
    fonts = r"Lato-\w+|NotoNaskhArabic-\w+" if sheet.startswith("ar/") else r"Lato-\w+"
    with pikepdf.open(built[sheet]) as pdf:
        for page in pdf.pages:
            for font in page.obj.Resources.Font.values():
                base = str(font.BaseFont)
                assert re.fullmatch(rf"/[A-Z]{{6}}\+(?:{fonts})", base), base
                desc = (
                    font.DescendantFonts[0].FontDescriptor
                    if "/DescendantFonts" in font
                    else font.FontDescriptor
                )
                assert "/FontFile2" in desc
    raw = built[sheet].read_bytes()
    assert b"Helvetica" not in raw


@pytest.mark.parametrize("key", ALL)
def test_metadata_in_the_sheets_language(built, key):
    from fiche.typeset.typography import smarten

    lang, sheet, _profile = _split(key)
    lf = CATALOG.fiches["n3"].langs[lang]
    with pikepdf.open(built[key]) as pdf:
        assert str(pdf.Root.Lang) == lang
        assert str(pdf.docinfo.Title) == smarten(lf.sheets[sheet].title, lang)
        assert lf.meta.number_label in str(pdf.docinfo.Title)
        assert str(pdf.docinfo.Subject) == smarten(lf.sheets[sheet].subject, lang)
        assert str(pdf.docinfo.Author) == "Mediawijs"
        with pdf.open_metadata() as xmp:
            assert xmp["dc:title"] == str(pdf.docinfo.Title)


def _pdfminer_pages(path: Path) -> list[str]:
    """A second, independent reader: pdfminer's own font and ToUnicode decoding.

    Characters come in drawing order (its layout analysis is a heuristic that
    interleaves balanced columns whose lines sit at the same heights); a new
    line starts where the baseline moves.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    rsrc = PDFResourceManager()
    device = PDFPageAggregator(rsrc, laparams=None)  # no layout analysis
    interpreter = PDFPageInterpreter(rsrc, device)
    pages = []
    with path.open("rb") as f:
        for page in PDFPage.get_pages(f):
            interpreter.process_page(page)
            out, last_y = [], None
            for item in device.get_result():
                if not isinstance(item, LTChar):
                    continue
                if last_y is not None and abs(item.y0 - last_y) > 1:
                    out.append("\n")
                out.append(item.get_text())
                last_y = item.y0
            pages.append("".join(out))
    return pages


def _norm(s: str) -> str:
    """Compare words, not line breaks: drop spacing and break hyphens, unify quotes."""
    s = s.replace("\u2019", "'").replace("\ufffe", "").replace("\u00ad", "")
    return re.sub(r"[\s\-]+", "", s)


# Not the pocket card on office paper: two copies side by side, whose lines pdfminer
# reads across both; the build's own text check (pdfium, in drawing order) passed on it.
@pytest.mark.parametrize("key", [k for k in ALL if k.split("/")[1] != "n3-pocket.office"])
def test_every_text_is_extracted_in_reading_order(built, key):
    """Page text in reading order; for a right-to-left language the structure's text
    (every page text reorders its mixed lines by its own guess: RTL-NOTES)."""
    lang, sheet, _profile = _split(key)
    ts = typeset(CATALOG, Job("n3", sheet, lang))
    pages = _pdfminer_pages(built[key])
    if rules_for(lang).rtl:
        for (side, texts), found in zip(
            expected_text(ts), structure_texts(built[key]), strict=True
        ):
            flat = "\n".join(found)
            pos = 0
            for text in texts:
                i = flat.find(text, pos)
                assert i >= 0, f"{key} {side}: not in the structure after {pos}: {text!r}"
                pos = i + len(text)
        pages = [p.replace("\u2026", "...") for p in pages]
    # Page furniture (series, number) may sit anywhere in a reader's layout order.
    furniture = [
        f"{ts.series_name.plain} {ts.number_label.plain}",
        ts.series_name.plain,
        ts.number_label.plain,
    ]
    for (side, texts), extracted in zip(expected_text(ts), pages, strict=True):
        if rules_for(lang).rtl:  # what the page text can hold: no character lost or broken
            assert not any(0xE000 <= ord(c) <= 0xF8FF for c in extracted)
            assert "\ufffd" not in extracted and "(cid:" not in extracted
            continue
        flat = extracted
        for words in furniture:
            flat = flat.replace(words, "")
        flat = _norm(flat)
        pos = 0
        for text in texts:
            i = flat.find(_norm(text), pos)
            assert i >= 0, f"{key} {side}: not found after position {pos}: {text!r}"
            pos = i + len(_norm(text))
        assert not any(0xE000 <= ord(c) <= 0xF8FF for c in extracted)
        assert "\ufffd" not in extracted and "(cid:" not in extracted


SEED_FIXES = {
    # ligatures lost by the seed's extraction
    "se\ufffding": "sexting",
    "te\ufffding": "texting",
    "f\ufffdo": "foto",
    "hee\ufffd": "heeft",
    "o\ufffdine": "offline",
    "WE\ufffd": "WEES",
    "Se\ufffding": "Sexting",
    "F\ufffdo": "Foto",
    # slips of the source corrected in our content
    "Bespreek ook was het": "Bespreek ook wat het",
    "risicogedrag vertoont": "risicogedrag vertonen",
}


def _seed_paragraphs() -> list[str]:
    text = (Path(__file__).parent / "data/seed-n3-nl.txt").read_text(encoding="utf-8")
    for bad, good in SEED_FIXES.items():
        text = text.replace(bad, good)
    paras = []
    for para in re.split(r"\n\s*\n", text):
        # A line in capitals is a heading of its own, even without a blank line after it.
        lines, cur = [], []
        for line in para.strip().splitlines():
            if line.strip() and line.strip() == line.strip().upper() and re.search("[A-Z]", line):
                lines.append(" ".join(cur))
                lines.append(line)
                cur = []
            else:
                cur.append(line)
        lines.append(" ".join(cur))
        paras += [p.strip() for p in lines if p.strip()]
    return [p for p in paras if not re.fullmatch(r"\d", p)]


def test_every_sentence_of_the_seed_is_in_the_original_sheet(built):
    pages = _pdfminer_pages(built["nl/n3-sexting.print"])
    flat = _norm(" ".join(pages)).lower()
    missing = []
    paragraphs = _seed_paragraphs()
    assert len(paragraphs) > 60  # the whole seed, not an empty read
    for para in paragraphs:
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])", para):
            if _norm(sentence).lower() not in flat:
                missing.append(sentence)
    assert missing == []
    assert "\ufffd" not in "".join(pages)


@pytest.mark.parametrize("key", JOBS)
def test_series_number_credit_and_contact_on_every_sheet(built, key):
    lang, _sheet, _profile = _split(key)
    lf = CATALOG.fiches["n3"].langs[lang]
    flat = _norm(" ".join(_pdfminer_pages(built[key])))
    if rules_for(lang).rtl:
        # the header's furniture as pdfium reorders the page; the rest in the structure
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(built[key])
        page = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert lf.meta.series in page and lf.meta.number_label in page
        flat = _norm(" ".join(t for p in structure_texts(built[key]) for t in p))
        furniture: tuple[str, ...] = ()
    else:
        furniture = (lf.meta.series, lf.meta.number_label)
    for words in (
        *furniture,
        "Mediawijs Online. Jongeren en sociale media",
        "www.mediawijs.be/mediawijsonline",
        lf.blocks["contact"].title,
        "mediawijs@iminds.be",
        "@MediaWijsBe",
    ):
        assert _norm(words) in flat, words


def test_youth_type_is_larger_than_the_dense_sheet(built, tmp_path):
    report = build(REPO, tmp_path, profiles=("print",))
    running = ("body", "list", "tip", "callout")  # the running text, wherever a page has it
    for lang in LANGS:
        text = {
            r.job.sheet: [pt for p in r.styles.values() for n, pt in p.items() if n in running]
            for r in report.built
            if r.job.lang == lang
        }
        assert min(text["n3-sexting"]) >= 9
        assert min(text["n3-youth"]) >= 11
        # both grow into their pages, so a size of one may reach the other's; on the whole
        # the pupils' type stays clearly larger
        youth, dense = (sum(text[s]) / len(text[s]) for s in ("n3-youth", "n3-sexting"))
        assert youth > dense + 1.5, (lang, youth, dense)


def test_same_input_same_bytes(tmp_path):
    a = build(REPO, tmp_path / "a", langs=("fr",), sheets=("n3-youth",))
    b = build(REPO, tmp_path / "b", langs=("fr",), sheets=("n3-youth",))
    assert len(a.built) == 3
    for x, y in zip(a.built, b.built, strict=True):
        assert Path(x.path).read_bytes() == Path(y.path).read_bytes()


def test_overflow_fails_with_sheet_page_region_and_amount(project, tmp_path):
    nl = project / "content/n3/nl.yaml"
    long = " ".join(["Dit is een extra zin die de ruimte in de kolom opvult."] * 40)
    edit(
        nl,
        "      - Het hoort bij flirten, voor je een relatie start.",
        f"      - Het hoort bij flirten, voor je een relatie start. {long}",
    )
    (project / "dist/nl").mkdir(parents=True)
    good = project / "dist/nl/n3-sexting.print.pdf"
    good.write_bytes(b"%PDF previous good file")
    report = build(project, project / "dist", langs=("nl",), profiles=("print",))
    failed = {r.job.sheet: r for r in report.failed}
    assert set(failed) == {"n3-sexting", "n3-youth"}
    (p,) = failed["n3-sexting"].problems
    assert re.fullmatch(
        r"content/n3/nl\.yaml:\d+:\d+: blocks\.[a-z-]+: does not fit: sheet n3-sexting \(nl\), "
        r"front page, region 'main' overflows by \d+\.\d mm even at the smallest type "
        r"\(body 9 pt\); shorten the text or enlarge the region in layouts/original\.yaml",
        str(p),
    ), str(p)
    assert report.exit_code == 2
    # the other sheets still build; the earlier good PDF is left as it was
    assert sorted(r.job.sheet for r in report.built) == ["n3-pocket", "n3-poster", "n3-school"]
    assert good.read_bytes() == b"%PDF previous good file"
    assert not list((project / "dist/nl").glob(".*.tmp"))


def test_character_outside_the_font_is_named(project):
    nl = project / "content/n3/nl.yaml"
    edit(nl, "Seks + texting (sms'jes sturen)", "Seks + texting (sms'jes sturen) \u4e2d")
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-sexting",), profiles=("print",)
    )
    (r,) = report.failed
    assert any(
        "character U+4E2D '中' cannot be drawn with font Lato-Regular" in str(p)
        and "blocks.what.meanings[0]" in str(p)
        for p in r.problems
    ), r.problems


def test_word_wider_than_its_column_is_an_error(project):
    nl = project / "content/n3/nl.yaml"
    edit(nl, "      - www.mediawijs.be\n", "      - www.mediawijs.be/" + "x" * 60 + "\n")
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("print",)
    )
    (r,) = report.failed
    assert any(
        "wider than its column" in str(p) and "blocks.contact.items[2]" in str(p)
        for p in r.problems
    ), r.problems


def test_preflight_flags_a_pdf_without_boxes_or_embedded_fonts(tmp_path):
    from reportlab.pdfgen.canvas import Canvas

    from fiche.check.preflight import preflight

    buf = io.BytesIO()
    c = Canvas(buf)
    c.setFont("Helvetica", 12)
    c.drawString(100, 100, "Hallo")
    c.showPage()
    c.save()
    report = preflight(buf.getvalue())
    failed = {c.name: c.detail for c in report.failed}
    assert "page boxes" in failed and "no TrimBox" in failed["page boxes"]
    assert "Helvetica is not embedded" in failed["fonts embedded"]
    assert "1 pages, expected 2" in failed["pages"]
    assert "no document title" in failed["metadata"]


def _add_image_block(project, src: str) -> None:
    nl = project / "content/n3/nl.yaml"
    edit(
        nl,
        "  # --- on every sheet",
        f"  logo:\n    kind: image\n    src: {src}\n"
        "    alt: Een gsm met een hartje\n    width_mm: 30\n\n  # --- on every sheet",
    )
    edit(
        project / "content/n3/fiche.yaml",
        "main: [careful, spread]",
        "main: [logo, careful, spread]",
    )


def test_image_is_placed_in_cmyk_without_distortion(project):
    from PIL import Image

    Image.new("RGB", (600, 300), (230, 40, 120)).save(project / "assets/images/phone.png")
    _add_image_block(project, "phone.png")
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("print",)
    )
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
    with pikepdf.open(report.built[0].path) as pdf:
        images = [x for x in pdf.pages[1].Resources.XObject.values() if x.Subtype == "/Image"]
        assert len(images) == 1
        assert images[0].ColorSpace == "/DeviceCMYK"
        assert (int(images[0].Width), int(images[0].Height)) == (600, 300)


@pytest.mark.parametrize(
    "src, message",
    [
        ("../../content/n3/nl.yaml", "must be a path inside assets/images"),
        ("/etc/passwd", "must be a path inside assets/images"),
        ("nope.png", "image 'nope.png' not found in assets/images"),
        ("broken.png", "image 'broken.png' cannot be read"),
    ],
)
def test_bad_image_sources_are_refused(project, src, message):
    (project / "assets/images/broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    _add_image_block(project, src)
    (p,) = [p for p in load_catalog(project).all_problems() if p.path.endswith("nl.yaml")]
    assert (
        message in str(p)
        and "blocks.logo.src" in str(p)
        and str(p).startswith("content/n3/nl.yaml:")
    )


def test_image_without_alt_text_is_an_error(project):
    _add_image_block(project, "phone.png")
    edit(project / "content/n3/nl.yaml", "    alt: Een gsm met een hartje\n", "")
    (p,) = [p for p in load_catalog(project).all_problems() if p.path.endswith("nl.yaml")]
    assert "an image needs 'alt' text, or 'decorative: true'" in str(p)


def test_only_marks_lie_outside_the_bleed_and_artwork_fills_it(built):
    """Rendered at 150 dpi: the band runs into the bleed, the slug holds only crop marks."""
    import pypdfium2 as pdfium

    dpi = 150
    px = dpi / 25.4  # pixels per mm
    doc = pdfium.PdfDocument(str(built["nl/n3-sexting.print"]))
    page = doc[0]
    img = page.render(scale=dpi / 72).to_pil().convert("L")
    with pikepdf.open(built["nl/n3-sexting.print"]) as pdf:
        trim = [float(v) / MM for v in pdf.pages[0].obj.TrimBox]
        media_h = float(pdf.pages[0].obj.MediaBox[3]) / MM
    page.close()
    doc.close()
    left, top = trim[0], media_h - trim[3]  # trim's top-left corner, in mm from the image's
    right, bottom = left + 210, top + 297

    def at(x_mm: float, y_mm: float) -> int:
        return img.getpixel((round(x_mm * px), round(y_mm * px)))

    # the header band is printed 1.5 mm outside the trim (in the bleed) but not at 4 mm
    assert at(left + 100, top - 1.5) < 200
    assert at(left + 100, top - 4.5) > 250
    # outside the bleed, dark pixels appear only on the lines that extend the trim edges
    w, h = img.size
    marks = 0
    for y in range(0, h, 3):
        for x in range(0, w, 3):
            xm, ym = x / px, y / px
            inside_bleed = left - 3 <= xm <= right + 3 and top - 3 <= ym <= bottom + 3
            if inside_bleed or img.getpixel((x, y)) > 200:
                continue
            on_mark = min(abs(xm - left), abs(xm - right), abs(ym - top), abs(ym - bottom)) < 0.5
            assert on_mark, f"ink outside the bleed at {xm:.1f}, {ym:.1f} mm"
            marks += 1
    assert marks >= 8  # two marks at each corner

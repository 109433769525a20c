"""The Arabic extraction benchmark's own logic (`bench/rtl.py`), without Typst or poppler:
what counts as exact, which code points are bad, the structure tree's /ActualText, the
report and the throw-away fiche project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
import yaml

from bench.rtl import (
    LAYOUT,
    NBSP,
    PARAGRAPH,
    SENTENCES,
    SIDE,
    SIDE_LAYOUT,
    Read,
    Row,
    bad_lines,
    cropped,
    exact,
    fiche_pdf,
    is_bad,
    normalise,
    project_files,
    report,
    side_by_side,
    structure_lines,
    typst_paragraph_source,
)

REPO = Path(__file__).resolve().parent.parent


def test_the_sentences():
    kinds = [s.kind for s in SENTENCES]
    assert len(SENTENCES) == 12 and kinds.count("pure") == 6
    assert all(len(s.text) <= 70 for s in SENTENCES)
    assert all(any("\u0621" <= ch <= "\u064a" for ch in s.text) for s in SENTENCES)
    pure = "".join(s.text for s in SENTENCES if s.kind == "pure")
    assert {"،", "؛", "؟"} <= set(pure) and not any("a" <= ch <= "z" for ch in pure.lower())
    phone = next(s.text for s in SENTENCES if s.kind == "phone")
    assert f"116{NBSP}000" in phone


def test_the_paragraph():
    assert 60 <= len(PARAGRAPH.split()) <= 80
    for part in ("،", "؛", "؟", " 13 ", "Child Focus", f"116{NBSP}000", "(", ")"):
        assert part in PARAGRAPH
    assert "https://www.childfocus.be" in PARAGRAPH and "contact@school.be" in PARAGRAPH


def test_the_typst_paragraph():
    src = typst_paragraph_source("سطر")
    assert f"width: {SIDE.width_mm + 30}mm" in src and "margin: 15mm" in src
    assert f"size: {SIDE.size_pt}pt" in src and "dir: rtl" in src
    assert "justify: true" in src and f"leading: {SIDE.size_pt * SIDE.leading}pt" in src
    assert src.rstrip().endswith('#"سطر"')


def test_side_by_side_crops_and_labels():
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (300, 200), "white")
    ImageDraw.Draw(page).rectangle((100, 50, 149, 59), fill="black")
    one = cropped(page, pad=5)
    assert one.size == (60, 20)
    out = side_by_side([("Typst", one), ("fiche", one.resize((60, 40)))])
    assert out.size == (60 + 60 + 3 * 56, 40 + 2 * 56)
    assert out.convert("L").crop((0, 0, out.width, 50)).getextrema()[0] < 128  # labels


def test_normalise():
    # NFC: alef + combining hamza above is U+0623; é decomposed is é
    assert normalise("\u0627\u0654 e\u0301") == "\u0623 \u00e9"
    assert normalise(f" \t116{NBSP}{NBSP}000\u202f.\r\n") == "116 000 ."
    # only that: presentation forms and bidi controls stay
    assert normalise("\ufefb\u202b") == "\ufefb\u202b"


def test_exact_lines():
    sentences = ["مرحبا بكم.", f"اتصلوا بالرقم 116{NBSP}000."]
    assert exact(sentences, ["  مرحبا   بكم. ", "اتصلوا بالرقم 116 000"]) == [True, False]
    assert exact(sentences, ["اتصلوا بالرقم 116 000. مرحبا بكم."]) == [False, False]
    assert exact(sentences, ["", "اتصلوا  بالرقم\t116 000."]) == [False, True]
    assert exact(sentences, []) == [False, False]


@pytest.mark.parametrize(
    "ch", ["\ue000", "\uf8ff", "\U000f0000", "\U0010fffd", "\ufb50", "\ufdff", "\ufe70",
           "\ufefb", "\ufeff", "\ufffd"],
)  # fmt: skip
def test_bad_code_points(ch: str):
    assert is_bad(ch)


@pytest.mark.parametrize("ch", ["\u0627", "\u064b", "\u060c", "a", "\u00a0", "\ufe6f", "\ufb4f"])
def test_good_code_points(ch: str):
    assert not is_bad(ch)


def test_bad_lines_counts_lines_not_characters():
    assert bad_lines(["\ufefb\ufefb", "سلام", "x\ue000", "\ufffd"]) == 3


def test_a_reader_that_adds_bidi_controls():
    sentences = ["مرحبا بكم.", "زوروا https://www.childfocus.be"]
    lines = ["\u202bمرحبا بكم.\u202c", "", "زوروا https://www.childfocus.be", "\ufefb"]
    r = Read.of(sentences, lines)
    assert (r.hits, r.bad, r.marked, r.hits_unmarked) == ([False, True], 1, 1, 2)


def _tagged_pdf(path: Path) -> None:
    """One page whose structure tree holds, in order: a P, a custom type mapped to P, a
    Span (not read), a list item and its body, and an element reachable twice."""
    pdf = pikepdf.new()
    pdf.add_blank_page()

    def elem(kind: str, text: str | None = None, kids=None) -> pikepdf.Dictionary:
        d = pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + kind))
        if text is not None:
            d.ActualText = pikepdf.String(text)
        if kids is not None:
            d.K = kids
        return pdf.make_indirect(d)

    again = elem("H2", "عنوان")
    item = elem("LI", "بند", [elem("LBody", "نص البند", 0)])
    doc = elem(
        "Document",
        None,
        pikepdf.Array(
            [
                elem("P", "مرحبا بكم.\nسطر ثان", 1),
                elem("Para", "فقرة", pikepdf.Dictionary(Type=pikepdf.Name.MCR, MCID=2)),
                elem("Span", "لا يقرأ"),
                elem("L", None, pikepdf.Array([item])),
                again,
                again,
            ]
        ),
    )
    pdf.Root.StructTreeRoot = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.StructTreeRoot,
            K=doc,
            RoleMap=pikepdf.Dictionary(Para=pikepdf.Name.P),
        )
    )
    pdf.save(path)


def test_structure_text(tmp_path: Path):
    _tagged_pdf(tmp_path / "t.pdf")
    assert structure_lines(tmp_path / "t.pdf") == [
        "مرحبا بكم.",
        "سطر ثان",
        "فقرة",
        "بند",
        "نص البند",
        "عنوان",
    ]


def test_no_structure_tree(tmp_path: Path):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(tmp_path / "plain.pdf")
    assert structure_lines(tmp_path / "plain.pdf") == []


def test_report():
    sentences = SENTENCES[:2]
    hits = Read([True, False], 0)
    rows = [
        Row("Typst", {"pdfminer": hits, "pdfium": Read([True, True], 2),
                      "pdftotext": "not installed (`make poppler`)",
                      "structure text": Read([False, False], 0, 3, 1)}),
        Row("fiche", {}, "fiche could not build the sentences: error: unknown language 'ar'"),
    ]  # fmt: skip
    text = report(rows, sentences, "# title")
    missing = "not installed (`make poppler`)"
    assert f"| Typst | 1 of 2 | 2 of 2 | {missing} | 0 of 2 | 0 / 2 / – / 0 |" in text
    assert "| fiche | not built | not built | not built | not built | |" in text
    assert "fiche: fiche could not build the sentences: error: unknown language 'ar'" in text
    assert "Typst, structure text: 3 lines hold bidi controls" in text
    assert "1. pure — Typst: pdfminer, pdfium; fiche: not built — " in text
    assert "2. pure — Typst: pdfium; fiche: not built — " in text


@pytest.mark.parametrize(
    ("layout", "width", "size"),
    [(LAYOUT, 267, [9, 9.5]), (SIDE_LAYOUT, SIDE.width_mm, 11)],
    ids=["wide", "side-by-side"],
)
def test_the_project_is_a_valid_fiche_but_for_its_language(
    tmp_path: Path, layout: dict, width: float, size: object
):
    """The throw-away project loads as a fiche catalogue once Arabic is swapped for a
    language fiche knows: only the language can stop it."""
    from fiche.model.catalog import load_catalog

    for folder in ("layouts", "assets"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    files = project_files(["Eerste zin.", "Tweede zin."], layout)
    assert files["content/rtl/ar.yaml"]["blocks"]["s02"] == {
        "kind": "paragraph",
        "text": "Tweede zin.",
    }
    files["content/rtl/fiche.yaml"]["languages"] = ["nl", "en"]
    files["content/rtl/en.yaml"] = {**files.pop("content/rtl/ar.yaml"), "language": "en"}
    for name, data in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cat = load_catalog(tmp_path)
    defn = cat.fiches["rtl"].defn
    assert defn is not None
    sheet = defn.sheets["rtl"]
    assert sheet.layout == "bench-rtl"
    loaded = cat.layouts["bench-rtl"]
    assert loaded.pages.front.regions["main"].w_mm == width
    assert loaded.styles["body"].size_pt == size


def test_fiche_side_builds_the_sentences(tmp_path: Path):
    """fiche sets Arabic: the sentences become a PDF whose structure gives them back."""
    out = fiche_pdf([s.text for s in SENTENCES[:2]], tmp_path / "fiche.pdf")
    assert out.read_bytes().startswith(b"%PDF")
    assert [normalise(t) for t in structure_lines(out)] == [
        normalise(s.text) for s in SENTENCES[:2]
    ]


def test_the_side_paragraph_in_fiche(tmp_path: Path):
    """fiche sets PARAGRAPH at SIDE's size (the Arabic scales of _base undone), justified
    across SIDE's measure."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    pdf = fiche_pdf([PARAGRAPH], tmp_path / "side.pdf", layout=SIDE_LAYOUT)
    doc = pdfium.PdfDocument(str(pdf))
    try:
        text = doc[0].get_textpage()
        drawn = [i for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]
        sizes = {raw.FPDFText_GetFontSize(text, i) for i in drawn}
        boxes = [text.get_charbox(i) for i in drawn]
    finally:
        doc.close()
    assert sizes == {SIDE.size_pt}
    mm = 72 / 25.4
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    assert abs(left - 15 * mm) < 1.5 and abs(right - (15 + SIDE.width_mm) * mm) < 1.5

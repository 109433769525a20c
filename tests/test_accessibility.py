"""Tagged screen PDFs: PDF/UA-1 by an independent validator and by our own tree walk."""

from __future__ import annotations

import re

import pikepdf
import pytest

from fiche.model.catalog import Job
from fiche.model.languages import rules_for
from fiche.typeset.sheet import expected_text, typeset

from .test_build import CATALOG, LANGS, SHEETS

SCREEN = [f"{lang}/{sheet}.screen" for lang in LANGS for sheet in SHEETS]


@pytest.mark.parametrize("key", SCREEN)
def test_pdf_ua_validator_reports_no_failed_rule(built, key):
    page = pytest.importorskip("page", reason="page-validation is not installed")
    report = page.validate_pdf(str(built[key]), profile="ua1")
    assert report.is_compliant, [str(f) for f in report.failures]


def _unicode_maps(font) -> dict[int, str]:
    text = font.ToUnicode.read_bytes().decode("latin-1")
    out = {}
    for code, uni in re.findall(r"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4,8})>", text):
        out[int(code, 16)] = bytes.fromhex(uni).decode("utf-16-be")
    return out


def _marked_text(pdf: pikepdf.Pdf) -> tuple[dict[tuple[int, int], str], int]:
    """Text of every marked-content sequence with an MCID, by (page, MCID), and the count
    of sequences marked as artifacts."""
    texts: dict[tuple[int, int], str] = {}
    artifacts = 0
    for p, page in enumerate(pdf.pages):
        fonts = {str(k): _unicode_maps(f) for k, f in page.Resources.Font.items()}
        font: dict[int, str] = {}
        stack: list = []
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "BDC":
                mcid = (
                    operands[1].get("/MCID")
                    if isinstance(operands[1], pikepdf.Dictionary)
                    else None
                )
                stack.append(None if mcid is None else (p, int(mcid)))
                if mcid is not None:
                    assert (p, int(mcid)) not in texts, "an MCID is used twice"
                    texts[(p, int(mcid))] = ""
            elif op == "BMC":
                artifacts += str(operands[0]) == "/Artifact"
                stack.append(None)
            elif op == "EMC":
                stack.pop()
            elif op == "Tf":
                font = fonts[str(operands[0])]
            elif op in ("Tj", "TJ", "'", '"'):
                current = next((s for s in reversed(stack) if s), None)
                parts = operands[-1] if op == "TJ" else [operands[-1]]
                for part in parts:
                    if isinstance(part, pikepdf.String) and current:
                        texts[current] += "".join(font.get(b, "") for b in bytes(part))
            elif op == "T*" and stack and stack[-1]:
                texts[stack[-1]] += "\n"
    return texts, artifacts


def _walk(elem, pages: dict, out: list, figures: list, seen: set) -> None:
    kids = elem.get("/K")
    if kids is None:
        return
    kids = kids if isinstance(kids, pikepdf.Array) else [kids]
    if str(elem.get("/S")) == "/Figure":
        figures.append(str(elem.get("/Alt", "")))
    for kid in kids:
        if isinstance(kid, int):
            key = (pages[elem.Pg.objgen], int(kid))
            assert key not in seen, f"MCID {key} belongs to two elements"
            seen.add(key)
            out.append(key)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
            key = (pages[kid.Pg.objgen], int(kid.MCID))
            assert key not in seen, f"MCID {key} belongs to two elements"
            seen.add(key)
            out.append(key)
        elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            continue
        else:
            _walk(kid, pages, out, figures, seen)


@pytest.mark.parametrize("key", SCREEN)
def test_structure_tree_reads_the_content_in_order(built, key):
    from fiche.check.textcheck import missing_in_order

    lang, rest = key.split("/")
    sheet = rest.split(".")[0]
    with pikepdf.open(built[key]) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == lang
        pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
        texts, artifacts = _marked_text(pdf)
        order: list = []
        figures: list = []
        _walk(pdf.Root.StructTreeRoot, pages, order, figures, set())
        # every marked sequence belongs to exactly one structure element, and back
        assert set(order) == set(texts)
        assert artifacts > 10  # bands, panels, badges' discs, furniture
        assert all(alt.strip() for alt in figures)
        read = " ".join(texts[k] for k in order)
        if rules_for(lang).rtl:
            # Glyphs are drawn in visual order: what a reader gets back exactly is each
            # element's /ActualText, and every element that shows text has one.
            shown = [
                e for e in _elements(pdf.Root.StructTreeRoot) if _marks(e) and e.S != "/Figure"
            ]
            assert shown and all("/ActualText" in e for e in shown)
            read = " ".join(
                str(e.ActualText) for e in _elements(pdf.Root.StructTreeRoot) if "/ActualText" in e
            )
        ts = typeset(CATALOG, Job("n3", sheet, lang))
        expected = [t for _, page in expected_text(ts) for t in page]
        assert missing_in_order(read, expected) == []
        # the Dutch book title is marked as Dutch in the other languages
        if lang != "nl":
            langs = [
                str(e.get("/Lang")) for e in _elements(pdf.Root.StructTreeRoot) if "/Lang" in e
            ]
            assert "nl" in langs


def _marks(elem) -> bool:
    """Whether `elem` holds marked content of its own (an MCID or a marked-content ref)."""
    kids = elem.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])
    return any(
        isinstance(k, int) or (isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR")
        for k in kids
    )


def _elements(elem):
    kids = elem.get("/K")
    kids = kids if isinstance(kids, pikepdf.Array) else ([kids] if kids is not None else [])
    for kid in kids:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _elements(kid)


def test_links_and_the_form_field_are_in_the_structure(built):
    with pikepdf.open(built["en/n3-youth.screen"]) as pdf:
        kinds = [str(e.S) for e in _elements(pdf.Root.StructTreeRoot)]
        assert kinds.count("/Link") >= 3 and kinds.count("/Form") == 1
        for page in pdf.pages:
            assert page.obj.Tabs == "/S"
            for annot in page.obj.get("/Annots", []):
                assert "/StructParent" in annot
        with pdf.open_metadata() as xmp:
            assert xmp["pdfuaid:part"] == "1"


@pytest.mark.parametrize("profile", ["print", "office"])
def test_other_profiles_carry_no_tags(built, profile):
    with pikepdf.open(built[f"nl/n3-sexting.{profile}"]) as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root
        ops = {str(op) for page in pdf.pages for _, op in pikepdf.parse_content_stream(page)}
        assert not ops & {"BDC", "BMC", "EMC"}


def test_unreadable_colour_is_an_error_with_its_ratio(project):
    from fiche.model.catalog import load_catalog

    from .conftest import edit

    edit(
        project / "layouts/_base.yaml",
        "  muted: {cmyk: [0, 0, 0, 75]}",
        "  muted: {cmyk: [0, 0, 0, 40]}",
    )
    found = [str(p) for p in load_catalog(project).all_problems()]
    assert found and all(
        "styles.small.color: 'muted' on 'paper' has a contrast of" in m
        and "body text needs 4.5:1 (WCAG 2.1)" in m
        for m in found
    ), found
    assert found[0].startswith("layouts/_base.yaml:")


def test_large_text_needs_three_to_one(project):
    from fiche.model.contrast import contrast

    assert round(contrast((1, 1, 1), (0, 0, 0)), 1) == 21.0
    assert round(contrast((1, 1, 1), (1, 1, 1)), 1) == 1.0
    from fiche.model.catalog import load_catalog

    from .conftest import edit

    # white 14 pt bold series name on a pale band: large text, still under 3:1
    edit(project / "layouts/original.yaml", "h_mm: 40, fill: brand,", "h_mm: 40, fill: tint,")
    found = [str(p) for p in load_catalog(project).all_problems()]
    assert any(
        "styles.band-series.color: 'white' on 'tint'" in m and "large text needs 3:1" in m
        for m in found
    ), found


def test_body_text_can_never_be_set_under_9_pt(project):
    from fiche.model.catalog import load_catalog

    from .conftest import edit

    edit(project / "layouts/_base.yaml", "min_body_pt: 9", "min_body_pt: 8")
    found = [str(p) for p in load_catalog(project).all_problems()]
    assert any("min_body_pt: input should be greater than or equal to 9" in m for m in found)

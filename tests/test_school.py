"""A school's own handout: imprint, QR code, fillable field, logos, own output folder."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from fiche.build.run import build
from fiche.check.preflight import preflight

from .conftest import REPO, write_school

EXAMPLE = REPO / "examples/school.yaml"
TRIM = {"n3-pocket": (148.0, 210.0), "n3-poster": (297.0, 420.0)}  # the others are A4


@pytest.fixture(scope="module")
def school_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    report = build(REPO, out, school=EXAMPLE, jobs=2)
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
    return out, report


def test_school_files_go_to_their_own_folder_and_pass_check(school_build):
    out, report = school_build
    assert len(report.built) == 120  # 5 sheets x 8 languages x 3 profiles
    for r in report.built:
        path = Path(r.path)
        assert path.is_relative_to(out / "schools" / "sjc-voorbeeldstad")
        pages, trim = r.pages, TRIM.get(r.job.sheet, (210.0, 297.0))
        assert preflight(path, pages=pages, trim_mm=trim).ok(strict=True), path
    assert not (out / "nl").exists()  # the catalogue's release files are another folder


def test_imprint_text_and_logo_are_on_the_back(school_build):
    from fiche.check.textcheck import extract_pages

    out, _ = school_build
    for lang, label in (("nl", "Aanspreekpunt op school"), ("de", "Ansprechperson an der Schule")):
        path = out / f"schools/sjc-voorbeeldstad/{lang}/n3-sexting.print.pdf"
        front, back = extract_pages(path.read_bytes())
        assert "Sint-Jozefscollege Voorbeeldstad" in back and "Voorbeeldstad" not in front
        assert f"{label}: Els Peeters, leerlingenbegeleider" in back
        assert "zorgteam@sjc-voorbeeldstad.be" in back
        with pikepdf.open(path) as pdf:
            ops = [str(op) for _, op in pikepdf.parse_content_stream(pdf.pages[1])]
            # the SVG logo stays vector art: drawn with paths, no image placed for it
            assert not [
                x
                for x in pdf.pages[1].Resources.get("/XObject", {}).values()
                if x.get("/Subtype") == "/Image"
            ]
            assert ops.count("f") + ops.count("f*") > 20


@pytest.mark.parametrize("lang", ["nl", "fr", "en", "de", "tr", "pl", "uk"])
def test_qr_code_scans_back_to_the_sheet_address(school_build, lang):
    import pypdfium2 as pdfium
    import zxingcpp

    out, _ = school_build
    path = out / f"schools/sjc-voorbeeldstad/{lang}/n3-youth.office.pdf"
    doc = pdfium.PdfDocument(str(path))
    image = doc[1].render(scale=200 / 72).to_pil()
    doc.close()
    found = [r.text for r in zxingcpp.read_barcodes(image) if r.format.name == "QRCode"]
    assert found == [f"https://www.sjc-voorbeeldstad.be/fiches/{lang}/n3-youth.pdf"]


def test_without_a_school_a_ruled_space_to_fill_in_and_a_field_on_screen(built):
    from fiche.check.textcheck import extract_pages

    for lang, label in (
        ("nl", "Aanspreekpunt op school:"),
        ("fr", "Personne de contact"),
        ("en", "Contact person at school:"),
        ("de", "Ansprechperson an der"),
    ):
        _, back = extract_pages(built[f"{lang}/n3-school.print"].read_bytes())
        assert label in back
    with pikepdf.open(built["nl/n3-youth.screen"]) as pdf:
        fields = [f for f in pdf.Root.AcroForm.Fields]
        assert [str(f.T) for f in fields] == ["school_contact"]
        assert str(fields[0].TU) == "Aanspreekpunt op school"
    with pikepdf.open(built["nl/n3-youth.print"]) as pdf:
        assert "/AcroForm" not in pdf.Root  # paper gets the ruled lines only


def _one(project, school):
    return build(
        project,
        project / "dist",
        langs=("nl",),
        sheets=("n3-youth",),
        profiles=("print",),
        school=school,
    )


def test_missing_logo_and_logo_outside_the_folder(project):
    report = _one(project, write_school(project, logo="nope.svg"))
    (p,) = report.problems
    assert str(p).endswith("logo: logo 'nope.svg' not found")
    report = _one(project, write_school(project, logo="../content/n3/nl.yaml"))
    assert "must be a file beside school.yaml" in str(report.problems[0])


def test_raster_logo_below_300_ppi_is_an_error_above_it_is_placed(project):
    from PIL import Image

    folder = project / "myschool"
    folder.mkdir()
    Image.new("RGB", (120, 80), (29, 78, 137)).save(folder / "small.png")
    report = _one(project, write_school(project, logo="small.png"))
    (r,) = report.failed
    assert any(
        "the logo small.png is 120×80 px" in str(p) and "needs 300 ppi" in str(p)
        for p in r.problems
    ), r.problems
    Image.new("RGB", (1200, 800), (29, 78, 137)).save(folder / "big.png")
    report = _one(project, write_school(project, logo="big.png"))
    assert report.exit_code == 0
    with pikepdf.open(report.built[0].path) as pdf:
        (img,) = [x for x in pdf.pages[1].Resources.XObject.values() if x.Subtype == "/Image"]
        assert img.ColorSpace == "/DeviceCMYK" and (int(img.Width), int(img.Height)) == (1200, 800)
        # placed at its proportions: width/height of the drawn box equals 1200/800
        for operands, op in pikepdf.parse_content_stream(pdf.pages[1]):
            if str(op) == "cm" and abs(float(operands[0]) / float(operands[3]) - 1.5) < 1e-3:
                break
        else:
            raise AssertionError("the logo was not drawn at 3:2")


def test_school_file_errors_are_located(project):
    school = write_school(project)
    school.write_text(school.read_text().replace("person:", "persoon:"), encoding="utf-8")
    report = _one(project, school)
    messages = [str(p) for p in report.problems]
    assert any(
        "contact.persoon: unknown key 'persoon' (did you mean 'person'?)" in m for m in messages
    ), messages
    assert any("contact: required field 'person' is missing" in m for m in messages)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_problem_in_a_job_names_the_school_file_as_given(project, jobs):
    """Workers used to load the school again by its absolute path, so a problem found while
    drawing the imprint named /tmp/…/myschool/school.yaml instead of myschool/school.yaml."""
    from PIL import Image

    school = write_school(project, logo="small.png")
    Image.new("RGB", (120, 80), (29, 78, 137)).save(school.parent / "small.png")
    report = build(
        project,
        project / "dist",
        langs=("nl", "fr"),
        sheets=("n3-youth",),
        profiles=("print",),
        jobs=jobs,
        school=school,
    )
    logo = [p for r in report.failed for p in r.problems if p.field == "logo"]
    assert len(logo) == 2, report.failed
    assert {p.path for p in logo} == {"myschool/school.yaml"}, logo

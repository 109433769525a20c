"""Issue 15, point 5: the catalogue's A5 pocket card and A3 poster, made by YAML alone;
the poster's type size from its reading distance (`reading_distance_m`)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from fiche.build.run import build
from fiche.check.textcheck import extract_pages
from fiche.cli import main
from fiche.model.catalog import load_catalog
from fiche.model.legibility import RUNNING_TEXT, font_x_height, least_size_pt
from fiche.model.profiles import PAPERS

from .conftest import REPO, edit, line_of

MM = 72 / 25.4
LANGS = ("nl", "fr", "en", "de", "tr", "pl", "uk", "ar")
SHEETS = ("n3-pocket", "n3-poster")
TRIM = {"n3-pocket": (148.0, 210.0), "n3-poster": (297.0, 420.0)}
PAGES = {"n3-pocket": 2, "n3-poster": 1}
LATO = REPO / "assets/fonts/Lato-Regular.ttf"


@pytest.fixture(scope="module")
def new_sheets(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    report = build(REPO, out, sheets=SHEETS, jobs=2)
    assert report.exit_code == 0, "\n".join(str(p) for r in report.failed for p in r.problems)
    return out, report


def _boxes(path: Path, box: str) -> list[tuple[float, float]]:
    with pikepdf.open(path) as pdf:
        return [
            (round(float(p[box][2] - p[box][0]) / MM, 1),
             round(float(p[box][3] - p[box][1]) / MM, 1))
            for p in pdf.pages
        ]  # fmt: skip


def test_both_build_in_every_language_and_profile(new_sheets):
    out, report = new_sheets
    built = {(r.job.sheet, r.job.lang, r.profile): r for r in report.built}
    assert set(built) == {
        (s, lang, p) for s in SHEETS for lang in LANGS for p in ("print", "office", "screen")
    }
    for (sheet, _lang, profile), r in built.items():
        assert r.pages == PAGES[sheet] == len(r.styles)
        if profile != "office":
            box = "/TrimBox" if profile == "print" else "/MediaBox"
            assert _boxes(Path(r.path), box) == [TRIM[sheet]] * PAGES[sheet]
    # the sheets' titles, as written per language, are the PDFs' titles
    with pikepdf.open(out / "fr/n3-poster.print.pdf") as pdf:
        assert str(pdf.docinfo.Title) == "Sexting\u202f: fais attention – Cyberharcèlement N°3"


def test_the_pocket_card_prints_two_up_on_a4_at_the_office(new_sheets):
    out, _ = new_sheets
    path = out / "nl/n3-pocket.office.pdf"
    short, long = sorted(PAPERS["a4"])
    assert _boxes(path, "/MediaBox") == [(long, short)] * 2  # two portrait cards across
    front, back = extract_pages(path.read_bytes())
    assert front.count("Wat is sexting?") == 2
    assert back.count("Wees voorzichtig") == 2


def test_the_posters_running_text_is_large_enough_for_two_metres(new_sheets):
    _, report = new_sheets
    layout = load_catalog(REPO).layouts["poster"]
    assert layout.reading_distance_m == 2
    need = least_size_pt(2, font_x_height(LATO)[0])
    assert need == pytest.approx(39.07, abs=0.01)  # the number in layouts/poster.yaml
    for r in report.built:
        if r.job.sheet != "n3-poster":
            continue
        (styles,) = r.styles.values()
        running = {s: pt for s, pt in styles.items() if s in RUNNING_TEXT}
        assert running, r.job
        assert all(pt >= need for pt in running.values()), (r.job, running)


def test_the_pocket_card_has_no_imprint_and_no_credits(new_sheets):
    out, _ = new_sheets
    front, back = extract_pages((out / "nl/n3-pocket.print.pdf").read_bytes())
    assert "Aanspreekpunt op school" not in back and "Atelier Per Twee" not in back
    assert "www.mediawijs.be/mediawijsonline" in back  # one line: where to read more


def test_the_criterion_gives_about_8_pt_of_lato_at_reading_distance():
    x_height, name = font_x_height(LATO)
    assert name == "Lato" and x_height == pytest.approx(1013 / 2000)
    assert least_size_pt(0.4, x_height) == pytest.approx(7.81, abs=0.01)
    # a font with a smaller x-height needs a larger size
    assert least_size_pt(0.4, 0.45) > least_size_pt(0.4, x_height)


def _validate(project: Path):
    return CliRunner().invoke(main, ["validate", "--root", str(project)])


def test_a_size_too_small_for_the_distance_is_an_error_at_validate_and_build(project):
    poster = project / "layouts/poster.yaml"
    old = "  list: {font: lato, size_pt: [39.5, 60]"
    edit(poster, old, "  list: {font: lato, size_pt: [24, 60]")
    line = line_of(poster, "  list: {font: lato, size_pt: [24, 60]")
    message = (
        f"layouts/poster.yaml:{line}:31: styles.list.size_pt: 24 pt is too small to read from "
        "2 m; at least 39.1 pt (x-height 0.2° at 2 m, Lato)"
    )
    result = _validate(project)
    assert result.exit_code == 2 and message in result.output, result.output
    args = ["build", "--root", str(project), "--sheet", "n3-poster", "--lang", "nl"]
    result = CliRunner().invoke(main, [*args, "--profile", "print"])
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert not (project / "dist/nl/n3-poster.print.pdf").exists()


def test_every_layout_is_read_from_40_cm_unless_it_says_otherwise(project):
    """The default distance holds the other layouts too, and a style a region sets its
    list text in (the youth sheet's contact) counts as running text."""
    youth = project / "layouts/youth.yaml"
    text = youth.read_text(encoding="utf-8")
    assert "reading_distance_m" not in text
    edit(
        project / "layouts/_base.yaml",
        "  contact: {font: lato, size_pt: [8, 8.5]",
        "  contact: {font: lato, size_pt: [7, 8.5]",
    )
    result = _validate(project)
    assert result.exit_code == 2
    assert (
        "styles.contact.size_pt: 7 pt is too small to read from 0.4 m; at least 7.9 pt "
        "(x-height 0.2° at 0.4 m, Lato)"
    ) in result.output
    # a designer who means the sheet to be read closer says so
    for name in ("original", "school", "youth"):
        path = project / f"layouts/{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "reading_distance_m: 0.35\n")
    assert _validate(project).exit_code == 0, _validate(project).output

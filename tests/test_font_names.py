"""Font files of one PostScript name: each draws with its own file, in PDFs that name
them apart; every other font keeps its PostScript name, and its PDFs their bytes."""

from __future__ import annotations

import io
import shutil
import uuid
from pathlib import Path

import pikepdf
from click.testing import CliRunner
from fontTools.ttLib import TTFont as ToolsFont
from reportlab.pdfbase import pdfmetrics

from fiche.cli.main import main
from fiche.engine.fonts import Family, register_families
from fiche.engine.rladapter import pdf_canvas
from fiche.model.layout import FontFamily

from .conftest import REPO

FONTS = REPO / "assets" / "fonts"


def _renamed(src: Path, ps_name: str) -> bytes:
    """The font of `src` under the PostScript name `ps_name`."""
    font = ToolsFont(str(src))
    for record in font["name"].names:
        if record.nameID == 6:
            record.string = ps_name
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def _fonts_of(pdf: bytes) -> dict[str, tuple[float, bytes]]:
    """The PDF's fonts: name -> (width of "H", embedded font program)."""
    found = {}
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for font in page.obj.Resources.Font.values():
                h = float(font.Widths[ord("H")])  # ASCII keeps its codes in the first subset
                program = font.FontDescriptor.FontFile2.read_bytes()
                found[str(font.BaseFont).split("+", 1)[1]] = (h, program)
    return found


def _pdf(fonts: list[str]) -> bytes:
    """One page with "H" set in each of `fonts`."""
    out = io.BytesIO()
    canv = pdf_canvas(out, invariant=1, initialFontName=fonts[0])
    for i, font in enumerate(fonts):
        canv.setFont(font, 12)
        canv.drawString(72, 72 + 20 * i, "H")
    canv.save()
    return out.getvalue()


def _layout(fonts_dir: Path, *files: str) -> list[Family]:
    """The families (one a file) of a layout that uses `files`."""
    families = {f"fam{i}": FontFamily(regular=f) for i, f in enumerate(files)}
    return list(register_families(families, fonts_dir).values())


def test_a_copy_of_the_bold_font_as_the_regular_one_builds(project: Path) -> None:
    fonts = project / "assets/fonts"
    shutil.copyfile(fonts / "Lato-Bold.ttf", fonts / "Lato-Regular.ttf")
    result = CliRunner().invoke(
        main,
        ["build", "--root", str(project), "--sheet", "n3-youth", "--lang", "nl", "-j", "1"],
    )
    assert result.exit_code == 0, result.output
    for profile in ("print", "office", "screen"):
        pdf = (project / f"dist/nl/n3-youth.{profile}.pdf").read_bytes()
        names = set(_fonts_of(pdf))
        # the copy is named after its file too; the others keep their names
        assert {"Lato-Bold", "Lato-Bold_Lato-Regular", "Lato-Black"} <= names, names
        assert "Lato-Regular" not in names


def test_fonts_of_one_postscript_name_draw_with_their_own_files(tmp_path: Path) -> None:
    heavy = f"Heavy-{uuid.uuid4().hex[:8]}"
    shutil.copyfile(FONTS / "Lato-Regular.ttf", tmp_path / "Lato-Regular.ttf")
    (tmp_path / f"{heavy}.ttf").write_bytes(_renamed(FONTS / "Lato-Black.ttf", "Lato-Regular"))
    regular, black = _layout(tmp_path, "Lato-Regular.ttf", f"{heavy}.ttf")

    fonts = _fonts_of(_pdf([regular.regular, black.regular]))

    # the file named after the PostScript name keeps it
    assert set(fonts) == {"Lato-Regular", f"Lato-Regular_{heavy}"}
    assert fonts["Lato-Regular"][0] < fonts[f"Lato-Regular_{heavy}"][0]  # Black is wider
    assert fonts["Lato-Regular"][1] != fonts[f"Lato-Regular_{heavy}"][1]
    assert pdfmetrics.stringWidth("H", black.regular, 10) > pdfmetrics.stringWidth(
        "H", regular.regular, 10
    )


def test_when_no_file_has_the_name_each_is_named_after_its_file(tmp_path: Path) -> None:
    a, b = (f"{c}-{uuid.uuid4().hex[:8]}" for c in "AB")
    for stem in (a, b):
        shutil.copyfile(FONTS / "Lato-Italic.ttf", tmp_path / f"{stem}.ttf")
    first, second = _layout(tmp_path, f"{a}.ttf", f"{b}.ttf")

    assert set(_fonts_of(_pdf([first.regular, second.regular]))) == {
        f"Lato-Italic_{a}",
        f"Lato-Italic_{b}",
    }


def test_a_fonts_name_depends_on_its_layout_alone(tmp_path: Path) -> None:
    """What the process registered before does not change a PDF's bytes."""
    copy = f"Copy-{uuid.uuid4().hex[:8]}"
    shutil.copyfile(FONTS / "Lato-BoldItalic.ttf", tmp_path / f"{copy}.ttf")
    shutil.copyfile(FONTS / "Lato-BoldItalic.ttf", tmp_path / "Lato-BoldItalic.ttf")

    (alone,) = _layout(tmp_path, f"{copy}.ttf")
    before = _pdf([alone.regular])
    assert set(_fonts_of(before)) == {"Lato-BoldItalic"}  # nothing to tell it apart from

    both = _layout(tmp_path, "Lato-BoldItalic.ttf", f"{copy}.ttf")
    assert set(_fonts_of(_pdf([f.regular for f in both]))) == {
        "Lato-BoldItalic",
        f"Lato-BoldItalic_{copy}",
    }

    (again,) = _layout(tmp_path, f"{copy}.ttf")
    assert _pdf([again.regular]) == before

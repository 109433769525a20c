"""Cases from a hostile user's review: a PDF whose pages are too big to render, and an
invalid fiche that other commands must name rather than hide or misdescribe."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
from click.testing import CliRunner

from fiche.cli.main import main

from .conftest import REPO, edit, line_of

MAX_SIDE = 14400  # points: the largest page the PDF specification allows, 5080 mm
MEMORY = 2 << 30  # bytes of address space: rendering a 120 000 px square page needs far more


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_limited(*args: str) -> subprocess.CompletedProcess:
    """fiche in its own process with at most `MEMORY` of address space, so that the old
    code fails with an out-of-memory error instead of taking the machine's memory."""
    return subprocess.run(
        [sys.executable, "-m", "fiche", *args],
        capture_output=True,
        text=True,
        timeout=300,  # a safety net only
        cwd=REPO,
        preexec_fn=_limited,
    )


def huge_pdf(path: Path, side: float = MAX_SIDE, mark: bool = False) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(side, side))
    if mark:
        pdf.pages[0].obj.Contents = pdf.make_stream(b"0 g 100 100 2000 2000 re f")
    pdf.save(path)
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


# --- 1. a page too big to render ------------------------------------------------------------


def test_preview_of_a_huge_page_is_refused_with_its_size(tmp_path):
    pdf = huge_pdf(tmp_path / "bomb.pdf")
    result = run_limited("preview", str(pdf), "--dpi", "600", "--out", str(tmp_path / "png"))
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    assert (
        f"{pdf}: page 1 is 5080 × 5080 mm: at 600 dpi that is 14 billion pixels, "
        "above the limit of 50 million; use a lower --dpi"
    ) in result.stderr
    assert not (tmp_path / "png").exists()  # refused before anything is written


def test_preview_of_a_huge_page_at_a_low_dpi_renders(tmp_path):
    # 5080 mm at 20 dpi is 4000 px a side: 16 million pixels, under the limit.
    pdf = huge_pdf(tmp_path / "big.pdf")
    result = invoke("preview", str(pdf), "--dpi", "20", "--out", str(tmp_path / "png"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "png" / tmp_path.name / "big-p1.png").is_file()


def test_diff_of_huge_pages_compares_them_at_a_lower_resolution(tmp_path):
    old = huge_pdf(tmp_path / "old.pdf")
    new = huge_pdf(tmp_path / "new.pdf", mark=True)
    result = run_limited("diff", str(old), str(new), "--out", str(tmp_path / "diff"))
    assert result.returncode == 1, result.stderr  # different, as cmp says
    assert "internal error" not in result.stderr
    assert "page 1: 1 changed area(s)" in result.stdout
    from PIL import Image

    with Image.open(tmp_path / "diff" / "new-p1.png") as image:
        w, h = image.size
    assert w == h and w * h <= 50_000_000


def test_diff_of_huge_pages_that_are_the_same_is_status_0(tmp_path):
    old = huge_pdf(tmp_path / "old.pdf", mark=True)
    new = huge_pdf(tmp_path / "new.pdf", mark=True)
    # The same pages written twice: the bytes differ (ids), the pixels do not.
    with pikepdf.open(new, allow_overwriting_input=True) as pdf:
        pdf.docinfo["/Title"] = "again"
        pdf.save(new)
    result = run_limited("diff", str(old), str(new), "--out", str(tmp_path / "diff"))
    assert result.returncode == 0, result.stdout + result.stderr


def test_preview_names_each_page_too_big_and_writes_none_of_the_file(tmp_path):
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.add_blank_page(page_size=(MAX_SIDE, 7200))
    pdf.save(tmp_path / "mixed.pdf")
    result = invoke("preview", str(tmp_path / "mixed.pdf"), "--out", str(tmp_path / "png"))
    assert result.exit_code == 2, result.output
    assert "page 2 is 5080 × 2540 mm: at 110 dpi that is 242 million pixels" in result.output
    assert "page 1" not in result.output
    assert not (tmp_path / "png").exists()


# --- 2. fiche build with an invalid fiche: only the real problem ---------------------------


def _errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("error:")]


def _break_number(project: Path) -> str:
    path = project / "content/n3/fiche.yaml"
    edit(path, "number: 3", 'number: "x"')
    return f"content/n3/fiche.yaml:{line_of(path, 'number:')}"


def _break_syntax(project: Path) -> str:
    path = project / "content/n3/fiche.yaml"
    edit(path, "number: 3", "number: [3")
    return "content/n3/fiche.yaml:"


def test_build_with_an_invalid_fiche_says_only_what_is_wrong(project):
    for breaks in (_break_number, _break_syntax):
        shutil.rmtree(project / "content", ignore_errors=True)
        shutil.copytree(REPO / "content", project / "content")
        where = breaks(project)
        result = invoke(
            "build", "--root", str(project), "--lang", "nl", "--sheet", "n3-youth", "-q"
        )
        assert result.exit_code == 2, result.output
        errors = _errors(result.output)
        assert errors and all(where in e for e in errors), (breaks.__name__, result.output)


def test_build_with_an_invalid_fiche_still_refuses_a_language_fiche_cannot_set(project):
    where = _break_number(project)
    result = invoke("build", "--root", str(project), "--lang", "../x", "--sheet", "n3-youth")
    assert result.exit_code == 2, result.output
    errors = _errors(result.output)
    assert any(where in e for e in errors), result.output
    (lang,) = [e for e in errors if "--lang" in e]
    assert "unknown language(s): ../x (known: ar, de, en, fr, nl, pl, tr, uk)" in lang
    assert not [e for e in errors if "no sheet" in e], result.output


def test_build_names_each_sheet_that_does_not_exist(project):
    # A mistyped name beside a right one was dropped without a word.
    result = invoke(
        "build", "--root", str(project), "--lang", "nl", "--profile", "screen",
        "--sheet", "n3-youth", "--sheet", "n3-yuoth",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert _errors(result.output) == ["error: no sheet named n3-yuoth"], result.output


# --- 3. fiche status and fiche list with an invalid fiche ----------------------------------


def test_status_and_list_name_a_fiche_that_did_not_load(project):
    where = _break_number(project)
    for command in ("status", "list"):
        result = invoke(command, "--root", str(project))
        assert result.exit_code == 2, (command, result.output)
        assert f"error: {where}:" in result.output and "number:" in result.output, result.output
        assert "internal error" not in result.output


def test_status_and_list_name_a_language_file_that_did_not_load(project):
    path = project / "content/n3/fr.yaml"
    path.write_text("language: fr\nblocks: [\n", encoding="utf-8")
    for command in ("status", "list"):
        result = invoke(command, "--root", str(project))
        assert result.exit_code == 2, (command, result.output)
        assert "error: content/n3/fr.yaml:" in result.output, (command, result.output)
        # the other languages are still shown
        assert "nl" in result.output.split("error:")[0], (command, result.output)


def test_status_and_list_of_a_project_without_fiches(project):
    shutil.rmtree(project / "content")
    (project / "content").mkdir()
    for command in ("status", "list"):
        result = invoke(command, "--root", str(project))
        assert result.exit_code == 2, (command, result.output)
        assert "no fiche found" in result.output, (command, result.output)


def test_stamp_names_what_it_could_not_stamp(project):
    where = _break_number(project)
    result = invoke("stamp", "--root", str(project), "--lang", "fr")
    assert result.exit_code == 2, result.output
    assert f"error: {where}:" in result.output, result.output


def test_stamp_of_a_fiche_or_language_that_is_not_there(project):
    result = invoke("stamp", "--root", str(project), "--lang", "fr", "--fiche", "n9")
    assert result.exit_code == 2, result.output
    assert "error: --fiche: no fiche named n9 (known: n3)" in result.output, result.output
    fiche = project / "content/n3/fiche.yaml"
    edit(fiche, "languages: [nl, fr, en, de, tr, pl, uk, ar]", "languages: [nl, en]")
    result = invoke("stamp", "--root", str(project), "--lang", "fr")
    assert result.exit_code == 2, result.output
    assert "error: --lang: no fiche is translated into fr" in result.output, result.output


def test_the_page_limit_of_preview_is_documented():
    from fiche.tools.preview import MAX_PIXELS

    help_text = " ".join(invoke("preview", "--help").output.split())
    assert f"{MAX_PIXELS // 10**6} million pixels" in help_text

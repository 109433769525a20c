"""Hostile and mistaken input gets an honest answer: the right exit status and a message
that names the file, line and field and says what is expected."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from fiche.cli.main import main

from .conftest import REPO, edit, line_of


def run(*args: str) -> subprocess.CompletedProcess:
    """fiche in its own process, as a user runs it (exit status and stderr as they are)."""
    return subprocess.run(
        [sys.executable, "-m", "fiche", *args],
        capture_output=True,
        text=True,
        timeout=120,  # a safety net only
        cwd=REPO,
    )


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def _blank_pdf(path: Path, **save) -> Path:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path, **save)
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """A text file named .pdf, an encrypted PDF, a PDF that fails every check, a folder."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "text.pdf").write_text("hello\n")
    (tmp_path / "other.pdf").write_text("other\n")
    (tmp_path / "plain-file").write_text("x\n")
    return {
        "text": tmp_path / "text.pdf",
        "other": tmp_path / "other.pdf",
        "encrypted": _blank_pdf(
            tmp_path / "encrypted.pdf", encryption=pikepdf.Encryption(owner="o", user="u")
        ),
        "blank": _blank_pdf(tmp_path / "blank.pdf"),
        "folder": tmp_path / "folder",
        "file": tmp_path / "plain-file",
    }


def _busy_port() -> tuple[socket.socket, int]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s, s.getsockname()[1]


# --- 1. exit status -----------------------------------------------------------------------


def test_every_command_answers_bad_input_with_status_2(files, tmp_path):
    """The contract, command by command: bad input is 2 with a message, never a bug (1)."""
    nowhere = str(tmp_path / "no-project")
    sock, port = _busy_port()
    cases = [
        ("build", "--root", nowhere),
        ("build", "--root", str(REPO), "--lang", "xx", "--out", str(tmp_path / "d")),
        ("validate", "--root", nowhere),
        ("status", "--root", nowhere),
        ("stamp", "--root", nowhere, "--lang", "fr"),
        ("list", "--root", nowhere),
        ("new", "Bad Slug", "--root", nowhere, "--series", "s", "--number", "1", "--layout", "x"),
        ("serve", "--root", nowhere, "--port", str(port)),
        ("check", str(files["text"])),
        ("check", str(files["encrypted"])),
        ("check", str(files["blank"])),
        ("diff", str(files["text"]), str(files["other"]), "--out", str(tmp_path / "d")),
        ("diff", str(files["blank"]), str(files["folder"]), "--out", str(tmp_path / "d")),
        ("preview", str(tmp_path / "missing.pdf"), "--out", str(tmp_path / "p")),
        ("preview", str(files["text"]), "--out", str(tmp_path / "p")),
        ("preview", str(files["blank"]), "--out", str(files["file"] / "sub")),
        ("schema", "--out", str(files["file"] / "sub")),
        ("check", "--no-such-option", str(files["blank"])),
    ]
    try:
        for args in cases:
            p = run(*args)
            said = p.stdout + p.stderr
            assert p.returncode == 2, (args, said)
            assert "internal error" not in said and "Traceback" not in said, (args, said)
            assert said.strip(), args
    finally:
        sock.close()


def test_a_failed_check_is_status_2_and_names_the_file(files):
    result = invoke("check", str(files["blank"]))
    assert result.exit_code == 2, result.output
    assert f"{files['blank']} (" in result.output
    assert "FAIL pages: 1 pages, expected 2" in result.output


def test_check_of_a_text_file_names_the_file_not_a_python_object(files):
    result = invoke("check", str(files["text"]))
    assert result.exit_code == 2
    assert "BytesIO" not in result.output and " at 0x" not in result.output
    assert f"{files['text']} (?):" in result.output
    assert "FAIL readable: not a readable PDF: " in result.output


def test_check_of_an_encrypted_pdf(files):
    result = invoke("check", str(files["encrypted"]))
    assert result.exit_code == 2
    assert "internal error" not in result.output
    assert "FAIL readable: encrypted: it opens only with a password" in result.output


def test_check_goes_on_with_the_next_file_after_an_unreadable_one(files, built):
    good = built["nl/n3-youth.screen"]
    result = invoke("check", str(files["text"]), str(good))
    assert result.exit_code == 2
    assert f"{good} (screen):" in result.output


def test_check_of_a_pdf_with_missing_page_boxes_fails_without_a_crash(tmp_path):
    path = _blank_pdf(tmp_path / "nobox.pdf")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        del pdf.pages[0].obj["/MediaBox"]
        pdf.save(path)
    result = invoke("check", str(path))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert "FAIL" in result.output


def test_check_of_a_special_file_is_refused(tmp_path):
    fifo = tmp_path / "pipe.pdf"
    os.mkfifo(fifo)
    p = run("check", str(fifo))
    assert p.returncode == 2, p.stdout + p.stderr
    assert "not a regular file" in p.stdout + p.stderr


def test_diff_follows_cmp(files, tmp_path, built):
    out = str(tmp_path / "d")
    same = invoke("diff", str(files["blank"]), str(files["blank"]), "--out", out)
    assert same.exit_code == 0, same.output
    differs = invoke(
        "diff", str(built["nl/n3-youth.screen"]), str(built["nl/n3-school.screen"]), "--out", out
    )
    assert differs.exit_code == 1, differs.output
    trouble = invoke("diff", str(files["text"]), str(files["other"]), "--out", out)
    assert trouble.exit_code == 2
    assert f"error: {files['text']}: not a readable PDF (PDFium: Data format error)" in (
        trouble.output
    )
    mixed = invoke("diff", str(files["blank"]), str(files["folder"]), "--out", out)
    assert mixed.exit_code == 2
    assert "cannot compare a file with a folder" in mixed.output
    empty = invoke("diff", str(files["folder"]), str(files["folder"]), "--out", out)
    assert empty.exit_code == 2
    assert "no PDF files" in empty.output


def test_diff_of_an_encrypted_pdf_is_trouble(files, tmp_path):
    result = invoke("diff", str(files["encrypted"]), str(files["blank"]), "--out", str(tmp_path))
    assert result.exit_code == 2
    assert f"error: {files['encrypted']}: encrypted: it opens only with a password" in (
        result.output
    )


def test_preview_of_a_missing_or_broken_file(files, tmp_path):
    missing = invoke("preview", str(tmp_path / "missing.pdf"), "--out", str(tmp_path / "p"))
    assert missing.exit_code == 2
    assert f"error: {tmp_path / 'missing.pdf'}: no such file" in missing.output
    broken = invoke("preview", str(files["text"]), "--out", str(tmp_path / "p"))
    assert broken.exit_code == 2
    assert f"error: {files['text']}: not a readable PDF" in broken.output


def test_preview_into_a_full_disk_names_the_file_and_the_reason(files, tmp_path, monkeypatch):
    import fiche.tools.preview

    def full(path, data, before_rename=None):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fiche.tools.preview, "write_atomic", full)
    out = tmp_path / "p"
    result = invoke("preview", str(files["blank"]), "--out", str(out))
    assert result.exit_code == 2, result.output
    target = out / files["blank"].parent.name / "blank-p1.png"
    assert f"error: {target}: cannot write: No space left on device" in result.output


def test_preview_into_a_path_below_a_file(files):
    out = files["file"] / "sub"
    result = invoke("preview", str(files["blank"]), "--out", str(out))
    assert result.exit_code == 2
    assert f"error: {out / files['blank'].parent.name}" in result.output
    assert "Not a directory" in result.output


def test_schema_into_a_path_below_a_file(files):
    out = files["file"] / "sub"
    result = invoke("schema", "--out", str(out))
    assert result.exit_code == 2
    assert f"error: {out / 'fiche.schema.json'}: cannot write: Not a directory" in (result.output)


def test_an_os_error_anywhere_is_a_problem_the_user_can_fix(project, monkeypatch):
    import fiche.model.catalog

    def denied(root):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(root / "content"))

    monkeypatch.setattr(fiche.model.catalog, "load_catalog", denied)
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 2, result.output
    assert f"error: {project / 'content'}: Permission denied" in result.output


def test_a_full_disk_without_a_file_name_is_still_status_2(project, monkeypatch):
    import fiche.model.catalog

    def full(root):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fiche.model.catalog, "load_catalog", full)
    result = invoke("list", "--root", str(project))
    assert result.exit_code == 2, result.output
    assert "error: No space left on device" in result.output


def test_a_bug_is_status_1_in_one_line(project, monkeypatch):
    import fiche.model.catalog

    def bug(root):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(fiche.model.catalog, "load_catalog", bug)
    result = invoke("list", "--root", str(project))
    assert result.exit_code == 1
    assert "internal error: ZeroDivisionError: division by zero" in result.output


def test_ctrl_c_in_any_command_is_status_130(project, monkeypatch):
    import fiche.model.catalog

    def interrupted(root):
        raise KeyboardInterrupt

    monkeypatch.setattr(fiche.model.catalog, "load_catalog", interrupted)
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 130
    assert "interrupted" in result.output and "Aborted" not in result.output


def test_status_with_translations_to_do_is_a_failed_check(project):
    edit(project / "content/n3/fr.yaml", "source: ", "source: 0")
    result = invoke("status", "--root", str(project))
    assert result.exit_code == 2, result.output
    assert "stale" in result.output


def test_the_exit_status_is_documented():
    help_text = invoke("--help").output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "## Exit status" in readme
    for text in (help_text, readme):
        for code in ("0", "1", "2", "130"):
            assert code in text
        assert "cmp" in text


# --- 2. contrast of a heading on the paper -------------------------------------------------


def test_light_heading_on_the_paper_is_a_contrast_problem_not_a_crash(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "color: brand-dark, space_before_pt: 18", "color: sun, space_before_pt: 18")
    line = line_of(lay, "color: sun, space_before_pt: 18")
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.output
    assert f"layouts/youth.yaml:{line}:" in result.output
    assert "styles.h3.color: 'sun' on 'paper' has a contrast of" in result.output
    assert "styles.h3.color: 'sun' on 'tint' has a contrast of" in result.output


# --- 3. narrow columns ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "columns", "why"),
    [
        (39, 4, "columns are only 6.0 mm wide (at least 15 mm)"),
        (25, 2, "columns are only 10.0 mm wide (at least 15 mm)"),
        (12, 4, "padding and gutters take the whole width"),
    ],
)
def test_each_column_must_be_wide_enough(project, width, columns, why):
    lay = project / "layouts/youth.yaml"
    edit(
        lay,
        "main: {x_mm: 16, y_mm: 66, w_mm: 94, h_mm: 222}",
        f"main: {{x_mm: 16, y_mm: 66, w_mm: {width}, h_mm: 222, columns: {columns}}}",
    )
    line = line_of(lay, f"w_mm: {width}, h_mm: 222")
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 2
    assert (
        f"layouts/youth.yaml:{line}:13: pages.front.regions.main: {why}; "
        "widen the region or use fewer columns"
    ) in result.output


# --- 4. colours ----------------------------------------------------------------------------


def _validate(project: Path) -> str:
    result = invoke("validate", "--root", str(project))
    assert result.exit_code == 2
    assert "internal error" not in result.output
    return result.output


def test_a_hex_colour_in_the_palette_says_what_a_colour_looks_like(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "sun: {cmyk: [0, 20, 90, 0]}", "sun: '#FF00AA'")
    line = line_of(lay, "sun: '#FF00AA'")
    out = _validate(project)
    assert (
        f"layouts/youth.yaml:{line}:8: palette.sun: expected a CMYK colour, "
        "{cmyk: [c, m, y, k]} in percent (0–100), got text '#FF00AA'"
    ) in out


def test_a_hex_colour_as_a_fill_says_to_name_a_palette_colour(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "r_mm: 17, fill: sun}", "r_mm: 17, fill: '#FF00AA'}")
    out = _validate(project)
    line = line_of(lay, "fill: '#FF00AA'")
    assert (
        f"layouts/youth.yaml:{line}:61: pages.front.decorations[1].fill: '#FF00AA' is not "
        "a colour name: name a colour of the palette (accent, accent-dark, accent-tint, brand, "
        "brand-dark, brand-text, ink, muted, sun, tint, white), "
    ) in out
    assert "or add one to the palette as `name: {cmyk: [c, m, y, k]}`" in out


PLACES = [
    ("styles.h3.color", "color: brand-dark, space_before_pt: 18", "color: {}, space_before_pt: 18"),
    ("look.badge_fill", "badge_fill: brand-dark", "badge_fill: {}"),
    ("pages.front.decorations[1].fill", "r_mm: 17, fill: sun}", "r_mm: 17, fill: {}}"),
    ("pages.front.regions.side.fill", "fill: tint, padding_mm: 5", "fill: {}, padding_mm: 5"),
    ("pages.back.imprint.fill", "padding_mm: 3.5, fill: tint", "padding_mm: 3.5, fill: {}"),
]


@pytest.mark.parametrize(("field", "old", "new"), PLACES, ids=[p[0] for p in PLACES])
def test_an_unknown_colour_lists_the_palette_and_suggests_the_closest(project, field, old, new):
    lay = project / "layouts/youth.yaml"
    edit(lay, old, new.replace("{}", "brnad"))
    line = line_of(lay, new.replace("{}", "brnad"))
    out = _validate(project)
    assert f"layouts/youth.yaml:{line}:" in out
    assert (
        f"{field}: unknown colour 'brnad' (did you mean 'brand'?); the palette has: accent, "
        "accent-dark, accent-tint, brand, brand-dark, brand-text, ink, muted, sun, tint, white "
        "(a new colour goes there as `name: {cmyk: [c, m, y, k]}`)"
    ) in out, out


def test_an_unknown_colour_without_a_close_name_lists_the_palette(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "badge_fill: brand-dark", "badge_fill: purple")
    out = _validate(project)
    assert "look.badge_fill: unknown colour 'purple'; the palette has: accent, accent-dark" in out
    assert "did you mean" not in out


def test_a_wrong_type_names_the_field_and_what_is_expected(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "size_pt: [11, 15], leading: 1.35", "size_pt: big, leading: 1.35")
    edit(lay, "h_mm: 222}\n      side", "h_mm: 222, columns: two}\n      side")
    out = _validate(project)
    assert "styles.body.size_pt: expected a number or a list, got text 'big'" in out
    assert "size_pt.float" not in out
    assert "pages.front.regions.main.columns: expected a whole number, got text 'two'" in out


def test_a_number_out_of_range_says_what_it_got(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "padding_mm: 5, radius_mm: 3}", "padding_mm: -5, radius_mm: 3}")
    out = _validate(project)
    assert (
        "pages.front.regions.side.padding_mm: input should be greater than or equal to 0, got -5"
    ) in out


# --- 5. characters that cannot survive ------------------------------------------------------

BAD_CHARACTERS = {
    "control character U+0000": "\\0",
    "control character U+0007": "\\a",
    "noncharacter U+FFFF": "\\uFFFF",
    "noncharacter U+FDD0": "\\uFDD0",
    "unassigned code point U+0378": "\\u0378",
    "invisible format character U+200B (ZERO WIDTH SPACE)": "\\u200B",
    "invisible format character U+202E (RIGHT-TO-LEFT OVERRIDE)": "\\u202E",
    "line separator U+2028": "\\u2028",
    "20 combining marks in a row": "\\u0301" * 20,
    # pdfium drops a mark drawn twice at one place, as it drops the copies of "fake bold"
    "combining mark U+0301 (COMBINING ACUTE ACCENT) twice on one letter": "\\u0301\\u0301",
    "ligature U+FB01 (LATIN SMALL LIGATURE FI): a reader gets back 'fi'": "\\uFB01",
}


def test_characters_that_a_reader_cannot_get_back_are_named_where_they_are(project):
    from fiche.build.run import build

    nl = project / "content/n3/nl.yaml"
    texts = [
        "- Seks + texting (sms'jes sturen)",
        "- Het hoort bij flirten, voor je een relatie start.",
        "- Het kan een teken van affectie of vertrouwen zijn binnen een relatie.",
        "- Het is een middel om in het geheim te flirten (bijvoorbeeld bij overspel).",
        "title: Kansen",
        "title: Gevaren",
        "title: Wees voorzichtig",
        "- Zet nooit foto's online als je niet wil dat iedereen die kan zien.",
        "- Stuur niet zomaar een sexy foto als iemand erom vraagt.",
        "- Foto's, video's of tekst sturen die expliciet seksueel zijn, met je gsm of via internet",
        "- Probeer jouw seksualiteit en intimiteit op een andere manier te beleven.",
    ]
    placed = {}
    for (what, escape), text in zip(BAD_CHARACTERS.items(), texts, strict=True):
        key, words = text.split(" ", 1)
        new = f'{key} "{words[:3]}{escape}{words[3:]}"'
        edit(nl, f" {text}\n", f" {new}\n")
        placed[what] = line_of(nl, new)
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("screen",)
    )
    messages = [str(p) for r in report.failed for p in r.problems]
    assert not any("not found in reading order" in m for m in messages), messages
    for what, line in placed.items():
        assert any(m.startswith(f"content/n3/nl.yaml:{line}:") and what in m for m in messages), (
            what,
            messages,
        )


def test_a_few_combining_marks_and_our_own_spaces_pass(project):
    from fiche.build.run import build

    nl = project / "content/n3/nl.yaml"
    edit(nl, "    text: Sexting\n", '    text: "Se\\u0301\\u0308xting\\u00a0N\\u00b03\\u202f!"\n')
    report = build(
        project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("screen",)
    )
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]


def test_problems_with_empty_places_still_sort():
    from fiche.core.errors import FicheError, Problem

    error = FicheError(
        [
            Problem("b.yaml", 2, 1, "x", "m"),
            Problem(None, None, None, None, "n"),  # type: ignore[arg-type]
            Problem(Path("a.yaml"), 1, 0, "y", "o"),
        ]  # type: ignore[arg-type]
    )
    assert [p.path for p in error.problems] == ["", "a.yaml", "b.yaml"]


def test_too_many_items_says_how_many(project):
    lay = project / "layouts/youth.yaml"
    edit(lay, "tint: {cmyk: [4, 12, 0, 0]}", "tint: {cmyk: [4, 12, 0, 0, 5]}")
    out = _validate(project)
    assert "palette.tint.cmyk: needs at most 4 item(s), got 5" in out


def test_stamp_that_cannot_write_names_the_language_file(project, monkeypatch):
    import fiche.tools.translation

    def read_only(path, data, before_rename=None):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path.parent / ".x.tmp"))

    monkeypatch.setattr(fiche.tools.translation, "write_atomic", read_only)
    edit(project / "content/n3/fr.yaml", "source: ", "source: 0")
    result = invoke("stamp", "--root", str(project), "--lang", "fr")
    assert result.exit_code == 2, result.output
    target = project / "content/n3/fr.yaml"
    assert f"error: {target}: cannot write: Read-only file system" in result.output


def test_a_page_that_does_not_load_is_trouble_not_a_bug(files, tmp_path):
    """pdfium opens the file but not its second page (the page tree claims two)."""
    damaged = tmp_path / "count2.pdf"
    damaged.write_bytes(files["blank"].read_bytes().replace(b"/Count 1", b"/Count 2"))
    out = str(tmp_path / "o")
    for args in (
        ("preview", str(damaged), "--out", out),
        ("diff", str(damaged), str(files["blank"]), "--out", out),
        ("check", str(damaged)),
    ):
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "not a readable PDF (Failed to load page)" in result.output, result.output


def test_a_reader_that_goes_away_is_not_a_bug(project):
    """`fiche check … | head`: the pipe closes under us. That used to end as an internal
    error with a traceback of BrokenPipeError; now quietly 2 (the output was not delivered)."""
    from fiche.build.run import build

    build(project, project / "dist", langs=("nl",), sheets=("n3-youth",), profiles=("screen",))
    pdfs = [str(p) for p in (project / "dist").rglob("*.pdf")]
    proc = subprocess.Popen(
        [sys.executable, "-m", "fiche", "check", *pdfs * 40],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)  # it has started writing; then nobody reads any more
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2, err
    assert "Traceback" not in err and "internal error" not in err, err


def test_validate_names_a_character_a_reader_cannot_get_back_at_its_line(project):
    """The character check used to run only while setting the text: `fiche validate`
    passed a file that every build of it then failed."""
    nl = project / "content/n3/nl.yaml"
    old = "- Het hoort bij flirten, voor je een relatie start."
    edit(nl, old, '- "Het\\u200B hoort bij flirten, voor je een relatie start."')
    line = line_of(nl, "Het\\u200B hoort")
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2, result.output
    assert (
        f"content/n3/nl.yaml:{line}:9: blocks.why.items[0]: invisible format character U+200B "
        "(ZERO WIDTH SPACE): remove it (it cannot be printed and read back from the PDF as "
        "written)"
    ) in result.output


def test_a_school_text_with_such_a_character_is_refused_at_its_line(project):
    school = project / "school.yaml"
    text = (REPO / "examples/school.yaml").read_text(encoding="utf-8")
    school.write_text(text.replace("person: Els Peeters", 'person: "Els\\u2028Peeters"'))
    shutil.copy(REPO / "examples/logo.svg", project / "logo.svg")
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--school", str(school)])
    assert result.exit_code == 2, result.output
    assert "contact.person: line separator U+2028 (LINE SEPARATOR): remove it" in result.output

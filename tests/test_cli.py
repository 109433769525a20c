"""The command line: thin, one line per problem, exit status by outcome."""

from __future__ import annotations

from click.testing import CliRunner

from fiche.cli.main import main

from .conftest import edit


def test_validate_reports_problems_without_traceback(project):
    edit(project / "content/n3/nl.yaml", "    level: 1\n", "    level: 4\n")
    result = CliRunner().invoke(main, ["validate", "--root", str(project)])
    assert result.exit_code == 2
    assert "content/n3/nl.yaml:" in result.output
    assert "blocks.title.level" in result.output
    assert "Traceback" not in result.output


def test_build_and_check(project):
    result = CliRunner().invoke(
        main,
        [
            "build",
            "--root",
            str(project),
            "--sheet",
            "n3-youth",
            "--lang",
            "nl",
            "--profile",
            "print",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 built, 0 up to date, 0 failed" in result.output
    pdf = project / "dist/nl/n3-youth.print.pdf"
    result = CliRunner().invoke(main, ["check", str(pdf)])
    assert result.exit_code == 0, result.output
    assert "PASS page boxes" in result.output


def test_unknown_language_is_an_error(project):
    result = CliRunner().invoke(main, ["build", "--root", str(project), "--lang", "xx"])
    assert result.exit_code == 2
    assert "unknown language(s): xx" in result.output


def test_preview_writes_png(project, tmp_path):
    CliRunner().invoke(
        main, ["build", "--root", str(project), "--sheet", "n3-school", "--lang", "nl"]
    )
    result = CliRunner().invoke(
        main,
        [
            "preview",
            str(project / "dist/nl/n3-school.screen.pdf"),
            "--out",
            str(tmp_path),
            "--dpi",
            "30",
        ],
    )
    assert result.exit_code == 0
    assert (tmp_path / "nl" / "n3-school.screen-p1.png").read_bytes()[:4] == b"\x89PNG"

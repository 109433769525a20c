"""Translations: status, stamping, and per-language failures that spare the others."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from fiche.build.run import build
from fiche.cli.main import main
from fiche.model.catalog import load_catalog
from fiche.tools.translation import stamp, translation_status

from .conftest import edit


def _with_copy_language(project: Path, lang: str = "de") -> Path:
    """A translation that is a fresh copy of the Dutch file, in place of the German one
    (only languages fiche can set may be listed, and n3 lists all of them)."""
    target = project / "content/n3" / f"{lang}.yaml"
    shutil.copy(project / "content/n3/nl.yaml", target)
    edit(target, "language: nl", f"language: {lang}")
    return target


def _status(project: Path, lang: str):
    (row,) = [r for r in translation_status(load_catalog(project)) if r.lang == lang]
    return row


def test_unstamped_then_stamped_then_stale(project):
    target = _with_copy_language(project)
    row = _status(project, "de")
    assert row.state == "incomplete" and "why" in row.unstamped

    done = stamp(load_catalog(project), "n3", "de")
    assert "why" in done
    assert "source: " in target.read_text(encoding="utf-8")
    assert _status(project, "de").state == "complete"
    # stamping again replaces the hashes instead of adding lines
    before = target.read_text(encoding="utf-8")
    stamp(load_catalog(project), "n3", "de")
    assert target.read_text(encoding="utf-8") == before

    edit(project / "content/n3/nl.yaml", "Het hoort bij flirten", "Het hoort vaak bij flirten")
    row = _status(project, "de")
    assert row.state == "incomplete" and row.stale == ("why",)
    assert row.describe() == "stale: why"


def test_missing_blocks_are_named_and_never_fall_back(project):
    target = _with_copy_language(project)
    stamp(load_catalog(project), "n3", "de")
    text = target.read_text(encoding="utf-8")
    start = text.index("  chances:\n")
    end = text.index("  dangers:\n")
    target.write_text(text[:start] + text[end:], encoding="utf-8")
    row = _status(project, "de")
    assert row.missing == ("chances",)
    report = build(project, project / "dist", langs=("de",), profiles=("print",))
    failed = {r.job.sheet for r in report.failed}
    assert failed == {"n3-sexting", "n3-youth"}  # the sheets that use the block
    assert sorted(r.job.sheet for r in report.built) == ["n3-pocket", "n3-poster", "n3-school"]
    assert not (project / "dist/de/n3-sexting.print.pdf").exists()


def test_status_command(project):
    _with_copy_language(project)
    result = CliRunner().invoke(main, ["status", "--root", str(project)])
    assert result.exit_code == 2
    assert re.search(r"n3\s+nl\s+source \(\d+ blocks\)", result.output)
    assert re.search(r"n3\s+de\s+not stamped: title, what", result.output)
    result = CliRunner().invoke(main, ["stamp", "--root", str(project), "--lang", "de"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["status", "--root", str(project)])
    assert result.exit_code == 0
    assert re.search(r"n3\s+de\s+complete", result.output)


def test_overflow_in_one_language_spares_the_others(project):
    target = _with_copy_language(project)
    edit(
        target,
        "      - Het hoort bij flirten, voor je een relatie start.",
        "      - " + "Een veel te lange vertaling. " * 120,
    )
    report = build(project, project / "dist", sheets=("n3-sexting",), profiles=("print",))
    assert [(r.job.lang, r.job.sheet) for r in report.failed] == [("de", "n3-sexting")]
    (p,) = report.failed[0].problems
    assert "does not fit: sheet n3-sexting (de), front page, region 'main'" in str(p)
    assert str(p).startswith("content/n3/de.yaml:")
    assert {r.job.lang for r in report.built} == {"nl"} | (
        set(load_catalog(project).fiches["n3"].defn.languages) - {"de"}
    )


def test_missing_glyph_in_one_language_names_it(project):
    target = _with_copy_language(project)
    edit(target, "Seks + texting", "Seks \u0915 texting")
    report = build(
        project, project / "dist", langs=("de",), sheets=("n3-youth",), profiles=("print",)
    )
    (r,) = report.failed
    messages = [str(p) for p in r.problems]
    assert any(
        "character U+0915 'क' cannot be drawn with font Lato-Regular (fiche n3, language de)" in m
        and "blocks.what.meanings[0]" in m
        and m.startswith("content/n3/de.yaml:")
        for m in messages
    ), messages


def test_french_spacing_and_quotes_in_the_extracted_text(project):
    from .test_build import _pdfminer_pages

    fr = project / "content/n3/fr.yaml"
    edit(fr, "Sexe + texting", 'Sexe + "texting"')
    report = build(
        project, project / "dist", langs=("fr",), sheets=("n3-sexting",), profiles=("print",)
    )
    assert report.exit_code == 0, [str(p) for r in report.failed for p in r.problems]
    text = "".join(_pdfminer_pages(Path(report.built[0].path)))
    assert "\u00ab\u202ftexting\u202f\u00bb" in text
    marks = re.findall(r"(.)([?!;:])", text)
    assert len(marks) > 10
    for before, mark in marks:
        if mark == ":" and before in "ps":  # http: and https:
            continue
        assert before == "\u202f", (before, mark)
    for line in text.splitlines():
        assert line.lstrip()[:1] not in set("?!;:\u00bb"), line

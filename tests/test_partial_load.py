"""A build of some languages reads only their files and the source language's."""

from __future__ import annotations

import shutil
from pathlib import Path

from fiche.build.run import build
from fiche.model.catalog import load_catalog
from tests.conftest import REPO


def test_a_catalogue_of_some_languages_loads_them_and_the_source_only():
    cat = load_catalog(REPO, ("tr",))
    assert set(cat.fiches["n3"].langs) == {"nl", "tr"}
    assert {job.lang for job in cat.jobs()} == {"tr"}
    langs = {"nl", "fr", "en", "de", "tr", "pl", "uk", "ar"}
    assert set(load_catalog(REPO).fiches["n3"].langs) == langs


def test_a_broken_language_file_stops_its_own_builds_only(project: Path):
    shutil.copytree(REPO / "hyphenation", project / "hyphenation")
    (project / "content/n3/fr.yaml").write_text("language: fr\nblocks: [\n", encoding="utf-8")
    out = project / "dist"
    ok = build(project, out, langs=("nl",), sheets=("n3-youth",), profiles=("screen",))
    assert ok.exit_code == 0, str(ok)
    assert (out / "nl/n3-youth.screen.pdf").is_file()
    bad = build(project, out, langs=("fr",), sheets=("n3-youth",), profiles=("screen",))
    assert bad.exit_code == 2
    assert any("content/n3/fr.yaml" in str(p) for r in bad.failed for p in r.problems), str(bad)
